// The CQL2-text parser: every construct it accepts, and hostile or malformed filters, each refused
// with a RequestError naming the problem and its position.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "model/layer_catalog.hpp"
#include "query/cql2_lexer.hpp"
#include "query/cql2_parser.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::query::cql2;

namespace {

const model::LayerCatalog& catalog() {
  static const auto c = model::LayerCatalog::load_directory(test::layers_dir());
  return c;
}

const model::FeatureClassDef& households() { return *catalog().find_class("households"); }

// Every non-personal field of households, as the interim access rule gives them.
std::vector<int> queryable() {
  std::vector<int> out;
  const auto& def = households();
  for (std::size_t i = 0; i < def.fields.size(); ++i) {
    if (!def.fields[i].personal) out.push_back(static_cast<int>(i));
  }
  return out;
}

Filter parse_ok(const std::string& text) {
  const auto q = queryable();
  INFO(text);
  return parse(text, households(), q);
}

// The message of the RequestError the filter is refused with ("" when accepted).
std::string refusal(const std::string& text) {
  const auto q = queryable();
  try {
    parse(text, households(), q);
  } catch (const RequestError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("cql2: comparisons, logic and precedence", "[query][cql2]") {
  Filter f = parse_ok("employment = 'migrant'");
  REQUIRE(f.root->kind == Node::Kind::compare);
  CHECK(f.root->lhs.field == households().field_index("employment"));
  CHECK(std::get<std::string>(f.root->rhs.literal) == "migrant");

  for (const char* op : {"=", "<>", "<", "<=", ">", ">="}) {
    CHECK(parse_ok(std::string("members ") + op + " 3").root->kind == Node::Kind::compare);
  }
  CHECK(parse_ok("members >= -2.5e0").root->rhs.type == ScalarType::number);
  CHECK(std::get<double>(parse_ok("members > -2").root->rhs.literal) == -2);
  CHECK(parse_ok("3 < members").root->lhs.field == -1);  // literal first is allowed

  // AND binds tighter than OR.
  f = parse_ok("members = 1 OR members = 2 AND employment = 'migrant'");
  REQUIRE(f.root->kind == Node::Kind::or_);
  CHECK(f.root->children[1]->kind == Node::Kind::and_);
  f = parse_ok("(members = 1 OR members = 2) and not employment = 'migrant'");
  REQUIRE(f.root->kind == Node::Kind::and_);
  CHECK(f.root->children[0]->kind == Node::Kind::or_);
  CHECK(f.root->children[1]->kind == Node::Kind::not_);
  CHECK(f.predicates == 3);
  CHECK(parse_ok("TRUE").root->kind == Node::Kind::constant);
  CHECK(parse_ok("\"employment\" = 'farming'").root->kind == Node::Kind::compare);
}

TEST_CASE("cql2: LIKE, IN, IS NULL, BETWEEN, dates", "[query][cql2]") {
  Filter f = parse_ok("grid_id LIKE '%家%'");
  REQUIRE(f.root->kind == Node::Kind::like);
  CHECK(f.root->pattern == "%家%");
  CHECK(parse_ok("grid_id NOT LIKE 'a_c'").root->negated);
  f = parse_ok("employment IN ('migrant', 'business')");
  REQUIRE(f.root->kind == Node::Kind::in);
  CHECK(f.root->list.size() == 2);
  CHECK(parse_ok("employment NOT IN ('migrant')").root->negated);
  CHECK(parse_ok("building_id IS NULL").root->kind == Node::Kind::is_null);
  CHECK(parse_ok("building_id IS NOT NULL").root->negated);
  f = parse_ok("members BETWEEN 2 AND 4");
  REQUIRE(f.root->kind == Node::Kind::between);
  CHECK(std::get<double>(f.root->hi.literal) == 4);
  CHECK(parse_ok("members NOT BETWEEN 2 AND 4 AND employment = 'migrant'").root->kind == Node::Kind::and_);
  CHECK(std::get<std::string>(parse_ok("grid_id = 'it''s'").root->rhs.literal) == "it's");
  CHECK(parse_ok("grid_id = DATE('2020-01-31')").root->kind == Node::Kind::compare);
}

TEST_CASE("cql2: spatial functions with WKT and BBOX", "[query][cql2]") {
  Filter f = parse_ok("S_INTERSECTS(geometry, POINT(119.48 28.45))");
  REQUIRE(f.root->kind == Node::Kind::spatial);
  CHECK(f.root->spatial_op == SpatialOp::intersects);
  CHECK(f.root->geometry.coords.size() == 1);
  CHECK(f.root->geometry.coords[0].x == 119.48);

  CHECK(parse_ok("S_INTERSECTS(geom, LINESTRING(1 1, 2 2, 3 1))").root->geometry.kind == geo::GeometryKind::line);
  f = parse_ok("S_WITHIN(geometry, POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2)))");
  CHECK(f.root->spatial_op == SpatialOp::within);
  CHECK(f.root->geometry.part_ends.size() == 2);
  // Written the other way round, WITHIN becomes CONTAINS of the feature.
  CHECK(parse_ok("S_WITHIN(POINT(1 2), geometry)").root->spatial_op == SpatialOp::contains);
  CHECK(parse_ok("s_intersects(geometry, MULTIPOINT((1 2), (3 4)))").root->geometry.coords.size() == 2);
  CHECK(parse_ok("S_INTERSECTS(geometry, MULTIPOINT(1 2, 3 4))").root->geometry.coords.size() == 2);
  CHECK(parse_ok("S_INTERSECTS(geometry, MULTILINESTRING((1 2, 3 4), (5 6, 7 8)))").root->geometry.part_ends.size() == 2);
  CHECK(parse_ok("S_INTERSECTS(geometry, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5))))")
            .root->geometry.polygon_ends.size() == 2);
  f = parse_ok("S_INTERSECTS(geometry, BBOX(119.4, 28.4, 119.5, 28.5))");
  CHECK(f.root->geometry.kind == geo::GeometryKind::polygon);
  f = parse_ok("S_DWITHIN(geometry, POINT(119.48 28.45), 250)");
  CHECK(f.root->spatial_op == SpatialOp::dwithin);
  CHECK(f.root->distance_m == 250);
  for (const char* fn : {"S_DISJOINT", "S_EQUALS", "S_TOUCHES", "S_CONTAINS", "S_OVERLAPS", "S_CROSSES"}) {
    CHECK(parse_ok(std::string(fn) + "(geometry, POINT(1 2))").root->kind == Node::Kind::spatial);
  }
  CHECK(parse_ok("S_INTERSECTS(geometry, BBOX(0,0,1,1)) AND employment = 'migrant'").root->kind == Node::Kind::and_);
}

TEST_CASE("cql2: hostile and malformed filters are refused, naming the problem and position", "[query][cql2]") {
  struct Case {
    std::string filter;
    std::string message;  // a part of the expected message
  };
  const std::vector<Case> cases = {
      {"", "empty filter"},
      {"(members = 1", "unbalanced parenthesis: '(' not closed at 1"},
      {"members = 1)", "unbalanced parenthesis at 12"},
      {"((members = 1) AND (members = 2)", "unbalanced parenthesis"},
      {"grid_id = 'abc", "unterminated string at 11"},
      {"\"grid_id = 'abc'", "unterminated quoted property name"},
      {"name = 'x' OR 1=1; DROP TABLE households; --", "unexpected character ';' at 18"},
      {"employment = 'x' -- comment", "expected"},
      {"employment = 'x' /* c */", "unexpected character '/'"},
      {std::string("employment = 'a\0b'", 18), "control character in string at 16"},
      {std::string("employment\0= 'a'", 16), "NUL byte at 11"},
      {"employment = '\xff'", "invalid UTF-8 in string"},
      {"foo = 1", "unknown property 'foo' at 1"},
      {"head_name = '张三'", "property 'head_name' is not queryable at 1"},
      {"phone LIKE '138%'", "property 'phone' is not queryable"},
      {"members = 'three'", "type mismatch in '=': 'members' is a number, the literal is text"},
      {"employment > 3", "type mismatch"},
      {"members LIKE '1%'", "LIKE needs text"},
      {"employment IN ('a', 2)", "type mismatch in IN"},
      {"UPPER(employment) = 'X'", "unknown function 'UPPER' at 1"},
      {"S_BUFFER(geometry, POINT(1 2))", "unknown function 'S_BUFFER'"},
      {"S_INTERSECTS(geometry, POINT(1))", "expected a second coordinate"},
      {"S_INTERSECTS(geometry, POINT(1 2 3))", "only 2D coordinates"},
      {"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0))", "unbalanced parenthesis"},
      {"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))", "polygon ring not closed"},
      {"S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))", "invalid POLYGON: Self-intersection"},
      {"S_INTERSECTS(geometry, CIRCLE(1 2, 3))", "unknown geometry type 'CIRCLE'"},
      {"S_INTERSECTS(geometry, POINT EMPTY)", "empty geometries are not supported"},
      {"S_INTERSECTS(geometry, LINESTRING(1 2))", "at least 2 points"},
      {"S_INTERSECTS(geometry, BBOX(1, 2, 3))", "BBOX takes 4 or 6 numbers"},
      {"S_INTERSECTS(members, POINT(1 2))", "property 'members' is not a geometry"},
      {"S_INTERSECTS(POINT(1 2), POINT(1 2))", "needs the geometry property and one geometry literal"},
      {"S_DWITHIN(geometry, POINT(1 2), -5)", "negative distance"},
      {"S_DWITHIN(geometry, POINT(1 2))", "a distance in metres"},
      {"geometry = 1", "the geometry can only be used in spatial functions"},
      {"members = 1 AND", "expected a predicate, found end of filter"},
      {"members = 1 members = 2", "expected AND, OR or the end of the filter, found 'members'"},
      {"members == 1", "expected a property or a value, found '='"},
      {"members != 1", "unexpected character '!'"},
      {"members = 1e", "malformed number exponent"},
      {"members = 1x", "malformed number"},
      {"grid_id = DATE('yesterday')", "malformed DATE"},
      {"employment NOT = 'x'", "expected LIKE, IN or BETWEEN after NOT"},
  };
  for (const auto& c : cases) {
    INFO("filter: " << c.filter);
    const std::string msg = refusal(c.filter);
    INFO("message: " << msg);
    CHECK(msg.rfind("filter: ", 0) == 0);
    CHECK(msg.find(c.message) != std::string::npos);
  }
}

TEST_CASE("cql2: the parser's limits", "[query][cql2]") {
  // Nesting: 20 levels are fine, 21 are not.
  const auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '(') + "members = 1" + std::string(static_cast<std::size_t>(depth), ')');
  };
  CHECK_NOTHROW(parse_ok(nested(kMaxDepth)));
  CHECK(refusal(nested(kMaxDepth + 1)).find("nesting deeper than 20 at 21") != std::string::npos);
  std::string nots;
  for (int i = 0; i <= kMaxDepth; ++i) nots += "NOT ";
  CHECK(refusal(nots + "members = 1").find("nesting deeper than 20") != std::string::npos);
  // A deep nesting far past the limit stops at the limit, without exhausting the stack.
  CHECK(refusal(std::string(4000, '(')).find("nesting deeper than 20") != std::string::npos);

  // Length.
  std::string longf = "grid_id = '" + std::string(kMaxFilterBytes, 'a') + "'";
  CHECK(refusal(longf).find("longer than 4096 bytes") != std::string::npos);

  // Predicate count.
  std::string many = "members = 0";
  for (std::size_t i = 1; i <= kMaxPredicates; ++i) many += " OR members = " + std::to_string(i);
  CHECK(refusal(many).find("more than 100 predicates") != std::string::npos);

  // Positions count characters, not bytes: '家' is one character.
  CHECK(refusal("grid_id = '家' AND foo = 1").find("unknown property 'foo' at 19") != std::string::npos);
}

TEST_CASE("cql2: char_position counts UTF-8 characters", "[query][cql2]") {
  CHECK(char_position("abc", 0) == 1);
  CHECK(char_position("家ab", 3) == 2);
  CHECK(tokenize("a = 'x'").size() == 4);
}
