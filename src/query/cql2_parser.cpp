#include "query/cql2_parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "geo/geos_geometry.hpp"
#include "query/cql2_lexer.hpp"

namespace minqing::query::cql2 {

ScalarType type_of(const Literal& l) noexcept {
  if (std::holds_alternative<bool>(l)) return ScalarType::boolean;
  if (std::holds_alternative<double>(l)) return ScalarType::number;
  return ScalarType::text;
}

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string_view type_name(ScalarType t) noexcept {
  switch (t) {
    case ScalarType::number: return "a number";
    case ScalarType::text: return "text";
    case ScalarType::boolean: return "a boolean";
  }
  return "?";
}

constexpr std::array<std::pair<std::string_view, SpatialOp>, 9> kSpatialFunctions = {{
    {"S_INTERSECTS", SpatialOp::intersects},
    {"S_DISJOINT", SpatialOp::disjoint},
    {"S_EQUALS", SpatialOp::equals},
    {"S_TOUCHES", SpatialOp::touches},
    {"S_WITHIN", SpatialOp::within},
    {"S_CONTAINS", SpatialOp::contains},
    {"S_OVERLAPS", SpatialOp::overlaps},
    {"S_CROSSES", SpatialOp::crosses},
    {"S_DWITHIN", SpatialOp::dwithin},
}};

bool is_reserved(const std::string& up) {
  static constexpr std::array<std::string_view, 14> kReserved = {
      "AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL", "BETWEEN", "TRUE", "FALSE", "DATE", "TIMESTAMP", "BBOX", "EMPTY"};
  return std::find(kReserved.begin(), kReserved.end(), up) != kReserved.end();
}

class Parser {
 public:
  Parser(std::string_view text, const model::FeatureClassDef& def, std::span<const int> queryable,
         std::string_view label = "filter")
      : m_text(text), m_tokens(tokenize(text)), m_def(def), m_queryable(queryable), m_label(label) {}

  // The whole text as one WKT geometry literal.
  geo::Geometry wkt() {
    if (m_tokens.size() == 1) fail(0, "empty geometry");
    geo::Geometry g = geometry_literal();
    if (peek().kind != Token::Kind::end) unexpected("the end of the geometry");
    return g;
  }

  Filter run() {
    if (m_tokens.size() == 1) fail(0, "empty filter");
    Filter f;
    f.root = or_expr();
    if (peek().kind == Token::Kind::rparen) fail(peek().offset, "unbalanced parenthesis");
    if (peek().kind != Token::Kind::end) unexpected("AND, OR or the end of the filter");
    f.predicates = m_predicates;
    return f;
  }

 private:
  using K = Token::Kind;

  [[noreturn]] void fail(std::size_t offset, const std::string& what) const {
    throw RequestError(std::string(m_label) + ": " + what + " at " + std::to_string(char_position(m_text, offset)));
  }
  [[noreturn]] void unexpected(const std::string& expected) const {
    const Token& t = peek();
    std::string got = std::string(to_string(t.kind));
    if (t.kind == K::identifier || t.kind == K::number) got = "'" + t.text + "'";
    if (t.kind == K::string) got = "string '" + t.text + "'";
    fail(t.offset, "expected " + expected + ", found " + got);
  }

  const Token& peek(std::size_t ahead = 0) const {
    return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)];
  }
  const Token& next() {
    const Token& t = peek();
    if (m_pos < m_tokens.size() - 1) ++m_pos;
    return t;
  }
  bool is_keyword(const Token& t, std::string_view kw) const {
    return t.kind == K::identifier && upper(t.text) == kw;
  }
  bool accept_keyword(std::string_view kw) {
    if (!is_keyword(peek(), kw)) return false;
    next();
    return true;
  }
  void expect_keyword(std::string_view kw) {
    if (!accept_keyword(kw)) unexpected(std::string(kw));
  }
  const Token& expect(K kind, const std::string& what) {
    if (peek().kind != kind) unexpected(what);
    return next();
  }
  std::size_t pos_of(const Token& t) const { return char_position(m_text, t.offset); }

  void enter(const Token& at) {
    if (++m_depth > kMaxDepth) fail(at.offset, "nesting deeper than " + std::to_string(kMaxDepth));
  }
  void count_predicate(const Token& at) {
    if (++m_predicates > kMaxPredicates) {
      fail(at.offset, "more than " + std::to_string(kMaxPredicates) + " predicates");
    }
  }

  NodePtr or_expr() {
    NodePtr first = and_expr();
    if (!is_keyword(peek(), "OR")) return first;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::or_;
    node->position = first->position;
    node->children.push_back(std::move(first));
    while (accept_keyword("OR")) node->children.push_back(and_expr());
    return node;
  }

  NodePtr and_expr() {
    NodePtr first = not_expr();
    if (!is_keyword(peek(), "AND")) return first;
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::and_;
    node->position = first->position;
    node->children.push_back(std::move(first));
    while (accept_keyword("AND")) node->children.push_back(not_expr());
    return node;
  }

  NodePtr not_expr() {
    const Token& t = peek();
    if (is_keyword(t, "NOT")) {
      next();
      enter(t);
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::not_;
      node->position = pos_of(t);
      node->children.push_back(not_expr());
      --m_depth;
      return node;
    }
    if (t.kind == K::lparen) {
      next();
      enter(t);
      NodePtr inner = or_expr();
      if (peek().kind != K::rparen) {
        if (peek().kind == K::end) fail(t.offset, "unbalanced parenthesis: '(' not closed");
        unexpected("')'");
      }
      next();
      --m_depth;
      return inner;
    }
    return predicate();
  }

  // --- predicates -------------------------------------------------------------------------

  NodePtr predicate() {
    const Token& t = peek();
    if (t.kind == K::end) unexpected("a predicate");
    if (t.kind == K::rparen) fail(t.offset, "unbalanced parenthesis");
    count_predicate(t);
    if (t.kind == K::identifier && peek(1).kind == K::lparen) {
      const std::string up = upper(t.text);
      for (const auto& [name, op] : kSpatialFunctions) {
        if (up == name) return spatial(op);
      }
      if (up != "DATE" && up != "TIMESTAMP") fail(t.offset, "unknown function '" + t.text + "'");
    }
    if ((is_keyword(t, "TRUE") || is_keyword(t, "FALSE")) && !starts_comparison(peek(1))) {
      next();
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::constant;
      node->constant = is_keyword(t, "TRUE");
      node->position = pos_of(t);
      return node;
    }
    Operand lhs = scalar();
    auto node = std::make_unique<Node>();
    node->position = pos_of(t);
    const bool negated = accept_keyword("NOT");
    const Token& op = peek();
    if (is_keyword(op, "LIKE")) {
      next();
      node->kind = Node::Kind::like;
      node->negated = negated;
      require_type(lhs, ScalarType::text, t, "LIKE");
      const Token& pat = expect(K::string, "a 'pattern' string after LIKE");
      node->pattern = pat.text;
    } else if (is_keyword(op, "IN")) {
      next();
      node->kind = Node::Kind::in;
      node->negated = negated;
      expect(K::lparen, "'(' after IN");
      do {
        const Token& item = peek();
        if (node->list.size() >= kMaxListItems) {
          fail(item.offset, "IN list longer than " + std::to_string(kMaxListItems) + " values");
        }
        Operand v = scalar();
        if (v.is_property()) fail(item.offset, "IN list values must be literals");
        check_same_type(lhs, v, item, "IN");
        node->list.push_back(std::move(v.literal));
      } while (peek().kind == K::comma && (next(), true));
      if (peek().kind == K::end) fail(op.offset, "unbalanced parenthesis: IN list not closed");
      expect(K::rparen, "',' or ')' in IN list");
    } else if (is_keyword(op, "BETWEEN")) {
      next();
      node->kind = Node::Kind::between;
      node->negated = negated;
      const Token& lo_tok = peek();
      Operand lo = scalar();
      check_same_type(lhs, lo, lo_tok, "BETWEEN");
      expect_keyword("AND");
      const Token& hi_tok = peek();
      Operand hi = scalar();
      check_same_type(lhs, hi, hi_tok, "BETWEEN");
      if (lhs.type == ScalarType::boolean) fail(t.offset, "BETWEEN needs numbers or text");
      node->rhs = std::move(lo);
      node->hi = std::move(hi);
    } else if (negated) {
      unexpected("LIKE, IN or BETWEEN after NOT");
    } else if (is_keyword(op, "IS")) {
      next();
      node->kind = Node::Kind::is_null;
      node->negated = accept_keyword("NOT");
      expect_keyword("NULL");
      if (!lhs.is_property()) fail(t.offset, "IS NULL needs a property");
    } else if (auto cmp = compare_op(op.kind)) {
      next();
      node->kind = Node::Kind::compare;
      node->op = *cmp;
      const Token& rt = peek();
      Operand rhs = scalar();
      check_same_type(lhs, rhs, rt, std::string(to_string(op.kind)));
      if (lhs.type == ScalarType::boolean && *cmp != CompareOp::eq && *cmp != CompareOp::ne) {
        fail(op.offset, "booleans can only be compared with = or <>");
      }
      node->rhs = std::move(rhs);
    } else {
      unexpected("a comparison operator, LIKE, IN, BETWEEN or IS");
    }
    node->lhs = std::move(lhs);
    return node;
  }

  static bool starts_comparison(const Token& t) {
    if (compare_op(t.kind)) return true;
    if (t.kind != K::identifier) return false;
    const std::string up = upper(t.text);
    return up == "LIKE" || up == "IN" || up == "IS" || up == "BETWEEN" || up == "NOT";
  }

  static std::optional<CompareOp> compare_op(K kind) {
    switch (kind) {
      case K::eq: return CompareOp::eq;
      case K::ne: return CompareOp::ne;
      case K::lt: return CompareOp::lt;
      case K::le: return CompareOp::le;
      case K::gt: return CompareOp::gt;
      case K::ge: return CompareOp::ge;
      default: return std::nullopt;
    }
  }

  void require_type(const Operand& o, ScalarType want, const Token& at, const std::string& what) const {
    if (o.type == want) return;
    fail(at.offset, what + " needs " + std::string(type_name(want)) + ", but " + describe(o) + " is " +
                        std::string(type_name(o.type)));
  }
  void check_same_type(const Operand& a, const Operand& b, const Token& at, const std::string& what) const {
    if (a.type == b.type) return;
    fail(at.offset, "type mismatch in " + what + ": " + describe(a) + " is " + std::string(type_name(a.type)) +
                        ", " + describe(b) + " is " + std::string(type_name(b.type)));
  }
  std::string describe(const Operand& o) const {
    if (o.is_property()) return "'" + m_def.fields[static_cast<std::size_t>(o.field)].name + "'";
    return "the literal";
  }

  // --- scalars ----------------------------------------------------------------------------

  Operand scalar() {
    const Token& t = peek();
    Operand o;
    switch (t.kind) {
      case K::string:
        next();
        o.literal = t.text;
        o.type = ScalarType::text;
        return o;
      case K::number:
      case K::minus:
      case K::plus:
        o.literal = number();
        o.type = ScalarType::number;
        return o;
      case K::quoted_identifier:
        next();
        return property(t);
      case K::identifier: {
        const std::string up = upper(t.text);
        if (up == "TRUE" || up == "FALSE") {
          next();
          o.literal = (up == "TRUE");
          o.type = ScalarType::boolean;
          return o;
        }
        if ((up == "DATE" || up == "TIMESTAMP") && peek(1).kind == K::lparen) {
          next();
          next();
          const Token& s = expect(K::string, "a quoted " + up + " value");
          if (!valid_instant(s.text, up == "DATE")) fail(s.offset, "malformed " + up + " '" + s.text + "'");
          expect(K::rparen, "')'");
          o.literal = s.text;
          o.type = ScalarType::text;
          return o;
        }
        if (peek(1).kind == K::lparen) fail(t.offset, "unknown function '" + t.text + "'");
        if (is_reserved(up)) unexpected("a property or a value");
        next();
        return property(t);
      }
      case K::lparen: fail(t.offset, "expected a property or a value, found '('");
      default: unexpected("a property or a value");
    }
  }

  static bool valid_instant(const std::string& s, bool date_only) {
    auto digits = [&](std::size_t from, std::size_t n) {
      if (from + n > s.size()) return false;
      for (std::size_t i = from; i < from + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
      }
      return true;
    };
    const bool date = s.size() >= 10 && digits(0, 4) && s[4] == '-' && digits(5, 2) && s[7] == '-' && digits(8, 2);
    if (!date) return false;
    if (date_only) return s.size() == 10;
    return s.size() >= 20 && (s[10] == 'T' || s[10] == 't') && digits(11, 2) && s[13] == ':' && digits(14, 2) &&
           s[16] == ':' && digits(17, 2);
  }

  Operand property(const Token& t) {
    const std::string& name = t.text;
    if (name == "geometry" || name == "geom") {
      fail(t.offset, "the geometry can only be used in spatial functions (S_INTERSECTS…)");
    }
    const int idx = m_def.field_index(name);
    if (idx < 0) fail(t.offset, "unknown property '" + name + "'");
    if (std::find(m_queryable.begin(), m_queryable.end(), idx) == m_queryable.end()) {
      fail(t.offset, "property '" + name + "' is not queryable");
    }
    Operand o;
    o.field = idx;
    const auto type = m_def.fields[static_cast<std::size_t>(idx)].type;
    o.type = (type == model::FieldType::integer || type == model::FieldType::real) ? ScalarType::number
                                                                                      : ScalarType::text;
    return o;
  }

  double number() {
    const Token& first = peek();
    double sign = 1;
    if (first.kind == K::minus || first.kind == K::plus) {
      sign = first.kind == K::minus ? -1 : 1;
      next();
    }
    const Token& t = expect(K::number, "a number");
    double v = 0;
    const auto* begin = t.text.data();
    const auto* end = begin + t.text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || ptr != end || !std::isfinite(v)) fail(t.offset, "malformed number '" + t.text + "'");
    return sign * v;
  }

  // --- spatial ----------------------------------------------------------------------------

  NodePtr spatial(SpatialOp op) {
    const Token& fn = next();
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::spatial;
    node->position = pos_of(fn);
    expect(K::lparen, "'('");
    bool first_is_property = false;
    bool have_property = false;
    bool have_literal = false;
    for (int arg = 0; arg < 2; ++arg) {
      if (arg == 1) expect(K::comma, "',' between the arguments of " + fn.text);
      const Token& a = peek();
      if ((a.kind == K::identifier || a.kind == K::quoted_identifier) && (a.text == "geometry" || a.text == "geom")) {
        next();
        if (have_property) fail(a.offset, fn.text + " compares the geometry with itself");
        have_property = true;
        first_is_property = (arg == 0);
      } else if (a.kind == K::identifier && !is_geometry_keyword(upper(a.text))) {
        if (m_def.field_index(a.text) >= 0) fail(a.offset, "property '" + a.text + "' is not a geometry");
        if (peek(1).kind == K::lparen) fail(a.offset, "unknown geometry type '" + a.text + "'");
        fail(a.offset, "unknown property '" + a.text + "'");
      } else {
        if (have_literal) fail(a.offset, fn.text + " needs the geometry property and one geometry literal");
        node->geometry = geometry_literal();
        have_literal = true;
      }
    }
    if (!have_property || !have_literal) {
      fail(fn.offset, fn.text + " needs the geometry property and one geometry literal");
    }
    if (op == SpatialOp::dwithin) {
      expect(K::comma, "',' and a distance in metres");
      const Token& d = peek();
      node->distance_m = number();
      if (node->distance_m < 0) fail(d.offset, "negative distance");
    }
    // Read as "feature <op> literal": S_WITHIN(literal, geometry) is S_CONTAINS(geometry, literal).
    if (!first_is_property) {
      if (op == SpatialOp::within) op = SpatialOp::contains;
      else if (op == SpatialOp::contains) op = SpatialOp::within;
    }
    node->spatial_op = op;
    if (peek().kind == K::end) fail(fn.offset, "unbalanced parenthesis: " + fn.text + "( not closed");
    expect(K::rparen, "')' closing " + fn.text);
    return node;
  }

  static bool is_geometry_keyword(const std::string& up) {
    return up == "POINT" || up == "LINESTRING" || up == "POLYGON" || up == "MULTIPOINT" ||
           up == "MULTILINESTRING" || up == "MULTIPOLYGON" || up == "BBOX" || up == "GEOMETRYCOLLECTION";
  }

  geo::Geometry geometry_literal() {
    const Token& t = peek();
    if (t.kind != K::identifier) unexpected("the geometry property or a WKT geometry");
    const std::string up = upper(t.text);
    next();
    if (!is_geometry_keyword(up)) fail(t.offset, "unknown geometry type '" + t.text + "'");
    if (up == "GEOMETRYCOLLECTION") fail(t.offset, "GEOMETRYCOLLECTION is not supported");
    if (is_keyword(peek(), "EMPTY")) fail(peek().offset, "empty geometries are not supported");
    if (is_keyword(peek(), "Z") || is_keyword(peek(), "M") || is_keyword(peek(), "ZM")) {
      fail(peek().offset, "only 2D coordinates are supported");
    }
    geo::Geometry g;
    if (up == "BBOX") {
      expect(K::lparen, "'(' after BBOX");
      std::vector<double> v;
      v.push_back(number());
      while (peek().kind == K::comma) {
        next();
        if (v.size() >= 6) fail(peek().offset, "BBOX takes 4 or 6 numbers");
        v.push_back(number());
      }
      if (v.size() != 4 && v.size() != 6) fail(t.offset, "BBOX takes 4 or 6 numbers");
      expect(K::rparen, "')' closing BBOX");
      const std::size_t half = v.size() / 2;
      const double x0 = v[0], y0 = v[1], x1 = v[half], y1 = v[half + 1];
      if (x0 > x1 || y0 > y1) fail(t.offset, "BBOX minimum greater than maximum");
      return geo::Geometry::polygon({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}});
    }
    expect(K::lparen, "'(' after " + up);
    if (up == "POINT") {
      g.kind = geo::GeometryKind::point;
      add_point(g, coord());
    } else if (up == "LINESTRING") {
      g.kind = geo::GeometryKind::line;
      line_body(g, false);
    } else if (up == "POLYGON") {
      g.kind = geo::GeometryKind::polygon;
      polygon_body(g, false);
    } else if (up == "MULTIPOINT") {
      g.kind = geo::GeometryKind::point;
      do {
        if (peek().kind == K::lparen) {
          next();
          add_point(g, coord());
          expect(K::rparen, "')'");
        } else {
          add_point(g, coord());
        }
      } while (accept(K::comma));
    } else if (up == "MULTILINESTRING") {
      g.kind = geo::GeometryKind::line;
      do line_body(g, true);
      while (accept(K::comma));
    } else {  // MULTIPOLYGON
      g.kind = geo::GeometryKind::polygon;
      do polygon_body(g, true);
      while (accept(K::comma));
    }
    if (peek().kind == K::end) fail(t.offset, "unbalanced parenthesis: " + up + " not closed");
    expect(K::rparen, "',' or ')' in " + up);
    if (g.kind == geo::GeometryKind::polygon) {
      geo::GeosContext ctx;
      if (auto why = geo::invalid_reason(ctx, g)) fail(t.offset, "invalid " + up + ": " + *why);
    }
    return g;
  }

  bool accept(K kind) {
    if (peek().kind != kind) return false;
    next();
    return true;
  }

  static void add_point(geo::Geometry& g, geo::Coord c) {
    g.coords.push_back(c);
    g.part_ends.push_back(static_cast<std::uint32_t>(g.coords.size()));
  }

  geo::Coord coord() {
    const double x = number();
    if (peek().kind == K::comma || peek().kind == K::rparen) unexpected("a second coordinate");
    const double y = number();
    if (peek().kind == K::number || peek().kind == K::minus) fail(peek().offset, "only 2D coordinates are supported");
    return {x, y};
  }

  // "(x y, x y, …)" when `parens`, else the same without its parentheses (already consumed).
  std::vector<geo::Coord> coord_list(bool parens) {
    if (parens) expect(K::lparen, "'('");
    std::vector<geo::Coord> pts;
    do pts.push_back(coord());
    while (accept(K::comma));
    if (parens) expect(K::rparen, "',' or ')'");
    return pts;
  }

  void line_body(geo::Geometry& g, bool parens) {
    const Token& at = peek();
    auto pts = coord_list(parens);
    if (pts.size() < 2) fail(at.offset, "a LINESTRING needs at least 2 points");
    g.coords.insert(g.coords.end(), pts.begin(), pts.end());
    g.part_ends.push_back(static_cast<std::uint32_t>(g.coords.size()));
  }

  void polygon_body(geo::Geometry& g, bool parens) {
    if (parens) expect(K::lparen, "'('");
    do {
      const Token& at = peek();
      auto ring = coord_list(true);
      if (ring.size() < 4) fail(at.offset, "a polygon ring needs at least 4 points");
      if (!(ring.front() == ring.back())) fail(at.offset, "polygon ring not closed");
      g.coords.insert(g.coords.end(), ring.begin(), ring.end());
      g.part_ends.push_back(static_cast<std::uint32_t>(g.coords.size()));
    } while (accept(K::comma));
    g.polygon_ends.push_back(static_cast<std::uint32_t>(g.part_ends.size()));
    if (parens) expect(K::rparen, "',' or ')'");
  }

  std::string_view m_text;
  std::vector<Token> m_tokens;
  std::size_t m_pos = 0;
  const model::FeatureClassDef& m_def;
  std::span<const int> m_queryable;
  std::string_view m_label;
  int m_depth = 0;
  std::size_t m_predicates = 0;
};

}  // namespace

Filter parse(std::string_view text, const model::FeatureClassDef& def, std::span<const int> queryable) {
  return Parser(text, def, queryable).run();
}

geo::Geometry parse_wkt(std::string_view text, std::string_view param) {
  static const model::FeatureClassDef kNoClass{};
  return Parser(text, kNoClass, {}, param).wkt();
}

}  // namespace minqing::query::cql2
