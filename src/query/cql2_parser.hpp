#pragma once
// The project's own CQL2-text parser (OGC 21-065, the subset below): recursive descent over the
// tokens of cql2_lexer.hpp, strict and bounded. It resolves every property name against the
// fields a caller may query and checks types, so that a parsed Filter can be evaluated without
// further checks. No filter text is ever handed to SQL or any other interpreter.
//
// Grammar (keywords case-insensitive):
//   filter     := or_expr END
//   or_expr    := and_expr (OR and_expr)*
//   and_expr   := not_expr (AND not_expr)*
//   not_expr   := NOT not_expr | '(' or_expr ')' | predicate
//   predicate  := TRUE | FALSE
//               | spatial '(' geom_arg ',' geom_arg [',' number] ')'
//               | scalar ( cmp_op scalar | [NOT] LIKE string | [NOT] IN '(' literal {',' literal} ')'
//                        | IS [NOT] NULL | [NOT] BETWEEN scalar AND scalar )
//   scalar     := property | 'string' | ['-'|'+'] number | TRUE | FALSE | DATE('…') | TIMESTAMP('…')
//   property   := name | "quoted name"
//   spatial    := S_INTERSECTS | S_DISJOINT | S_EQUALS | S_TOUCHES | S_WITHIN | S_CONTAINS
//               | S_OVERLAPS | S_CROSSES | S_DWITHIN (third argument: distance in metres)
//   geom_arg   := geometry | geom | WKT (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING,
//                 MULTIPOLYGON; 2D) | BBOX(minx, miny, maxx, maxy)
//
// Limits: kMaxFilterBytes of text, kMaxDepth nested parentheses/NOTs, kMaxPredicates predicates,
// kMaxListItems values in one IN list.

#include <cstddef>
#include <span>
#include <string_view>

#include "geo/geometry.hpp"
#include "model/layer_catalog.hpp"
#include "query/cql2_ast.hpp"

namespace minqing::query::cql2 {

inline constexpr int kMaxDepth = 20;
inline constexpr std::size_t kMaxPredicates = 100;
inline constexpr std::size_t kMaxListItems = 1000;

// Parses `text` as a filter on features of `def`. `queryable` lists the indices (into def.fields)
// of the fields the filter may name; any other field of `def` is "not queryable", any other name
// "unknown". Spatial literals are returned in the coordinates as written (x/y as the parser read
// them; axis order is the caller's business).
// @throws RequestError "filter: <problem> at <position>" (1-based character position) on any
// syntax error, limit exceeded, unknown or non-queryable property, unknown function, type
// mismatch, or malformed / invalid WKT.
Filter parse(std::string_view text, const model::FeatureClassDef& def, std::span<const int> queryable);

// Parses `text` as one WKT geometry literal of the grammar above (POINT … MULTIPOLYGON, BBOX), as
// written (x/y). Errors name `param` in place of "filter": "closed: polygon ring not closed at 9".
// @throws RequestError as parse does.
geo::Geometry parse_wkt(std::string_view text, std::string_view param);

}  // namespace minqing::query::cql2
