#pragma once
// The abstract syntax tree of a CQL2-text filter (OGC 21-065), as the parser builds it and the
// evaluator walks it. Property names are already resolved to field indices of one feature class
// and type-checked: an AST never names a field the caller may not query.
//
// A tree is immutable once parsed, except that the query function transforms each spatial
// literal from the filter CRS to EPSG:3857 once (Node::geometry) before evaluating.

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "geo/geometry.hpp"

namespace minqing::query::cql2 {

// The type of a scalar: a number (integer or real field), text (text or date field), boolean.
enum class ScalarType { number, text, boolean };

// A literal value. Numbers are held as double (every integer field value fits in 2^53).
using Literal = std::variant<bool, double, std::string>;

ScalarType type_of(const Literal& l) noexcept;

// One side of a comparison: a property of the feature (field >= 0) or a literal.
struct Operand {
  int field = -1;  // index into FeatureClassDef::fields, or -1 for a literal
  Literal literal;
  ScalarType type = ScalarType::text;
  bool is_property() const noexcept { return field >= 0; }
};

enum class CompareOp { eq, ne, lt, le, gt, ge };

// Spatial predicates, always read as "the feature's geometry <op> the literal geometry".
// A call written the other way round (S_WITHIN(POINT(…), geometry)) is turned around by the parser.
enum class SpatialOp { intersects, disjoint, equals, touches, within, contains, overlaps, crosses, dwithin };

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  enum class Kind {
    and_,      // children, all true
    or_,       // children, any true
    not_,      // children[0]
    constant,  // TRUE / FALSE as a whole predicate
    compare,   // lhs op rhs
    like,      // lhs [NOT] LIKE pattern (% any run, _ one character, \ escapes; case-sensitive)
    in,        // lhs [NOT] IN (list)
    is_null,   // lhs IS [NOT] NULL
    between,   // lhs [NOT] BETWEEN rhs AND hi
    spatial,   // geometry <spatial_op> geometry literal [, distance in metres]
  };
  Kind kind = Kind::constant;
  bool negated = false;  // NOT LIKE, NOT IN, IS NOT NULL, NOT BETWEEN
  bool constant = false;
  std::vector<NodePtr> children;
  CompareOp op = CompareOp::eq;
  Operand lhs;
  Operand rhs;
  Operand hi;
  std::vector<Literal> list;
  std::string pattern;
  SpatialOp spatial_op = SpatialOp::intersects;
  geo::Geometry geometry;  // in the filter CRS as parsed (traditional x/y order); 3857 once prepared
  double distance_m = 0;   // S_DWITHIN, ground metres
  std::size_t position = 0;  // 1-based character position in the filter text, for messages
};

// A parsed filter: its root and how large it is.
struct Filter {
  NodePtr root;
  std::size_t predicates = 0;
};

}  // namespace minqing::query::cql2
