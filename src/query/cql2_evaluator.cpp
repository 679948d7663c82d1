#include "query/cql2_evaluator.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "geo/nearest_points.hpp"
#include "geo/prepared_geometry.hpp"
#include "geo/tile.hpp"

namespace minqing::query::cql2 {

namespace {

enum class Tri { no, yes, unknown };

Tri tri(bool b) { return b ? Tri::yes : Tri::no; }
Tri tri_not(Tri t) { return t == Tri::unknown ? t : (t == Tri::yes ? Tri::no : Tri::yes); }

std::vector<std::uint32_t> code_points(std::string_view s) {
  std::vector<std::uint32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
    if (i + len > s.size()) len = 1;
    std::uint32_t cp = len == 1 ? b : (b & (0x7F >> len));
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

// A value of a feature or a literal, reduced to what comparisons need.
struct Scalar {
  enum class Kind { null, number, text, boolean } kind = Kind::null;
  double number = 0;
  const std::string* text = nullptr;
  bool boolean = false;
};

Scalar scalar_of(const Literal& l) {
  Scalar s;
  if (const auto* b = std::get_if<bool>(&l)) {
    s.kind = Scalar::Kind::boolean;
    s.boolean = *b;
  } else if (const auto* d = std::get_if<double>(&l)) {
    s.kind = Scalar::Kind::number;
    s.number = *d;
  } else {
    s.kind = Scalar::Kind::text;
    s.text = &std::get<std::string>(l);
  }
  return s;
}

Scalar scalar_of(const Operand& o, const model::Feature& f) {
  if (!o.is_property()) return scalar_of(o.literal);
  Scalar s;
  const auto idx = static_cast<std::size_t>(o.field);
  if (idx >= f.values.size()) return s;
  const model::Value& v = f.values[idx];
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    s.kind = Scalar::Kind::number;
    s.number = static_cast<double>(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    s.kind = Scalar::Kind::number;
    s.number = *d;
  } else if (const auto* t = std::get_if<std::string>(&v)) {
    s.kind = Scalar::Kind::text;
    s.text = t;
  }
  // A stored value of the other kind than the field's type cannot compare: null (unknown).
  const bool numeric = o.type == ScalarType::number;
  if ((s.kind == Scalar::Kind::number) != numeric) s.kind = Scalar::Kind::null;
  return s;
}

// -1, 0, 1, or nullopt-like 2 when either is null.
int compare(const Scalar& a, const Scalar& b) {
  if (a.kind == Scalar::Kind::null || b.kind == Scalar::Kind::null || a.kind != b.kind) return 2;
  switch (a.kind) {
    case Scalar::Kind::number: return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
    case Scalar::Kind::text: {
      const int c = a.text->compare(*b.text);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Scalar::Kind::boolean: return a.boolean == b.boolean ? 0 : (a.boolean ? 1 : -1);
    case Scalar::Kind::null: break;
  }
  return 2;
}

Tri apply(CompareOp op, int c) {
  if (c == 2) return Tri::unknown;
  switch (op) {
    case CompareOp::eq: return tri(c == 0);
    case CompareOp::ne: return tri(c != 0);
    case CompareOp::lt: return tri(c < 0);
    case CompareOp::le: return tri(c <= 0);
    case CompareOp::gt: return tri(c > 0);
    case CompareOp::ge: return tri(c >= 0);
  }
  return Tri::unknown;
}

}  // namespace

double ground_scale(double mercator_y) noexcept {
  const double lat = geo::mercator_to_lonlat({0, mercator_y}).y;
  return std::cos(lat * 3.14159265358979323846 / 180.0);
}

geo::BBox search_box(const Node& node) {
  if (node.kind != Node::Kind::spatial || node.spatial_op == SpatialOp::disjoint) return {};
  geo::BBox box = node.geometry.bbox();
  if (node.spatial_op == SpatialOp::dwithin) {
    // The widest the distance can be in 3857 units is at the box's latitude nearest a pole.
    const double scale = std::min(ground_scale(box.max_y), ground_scale(box.min_y));
    box = box.buffered(node.distance_m / scale * 1.01 + 1e-6);
  }
  return box;
}

bool like_match(std::string_view text, std::string_view pattern) {
  // Compile the pattern to code points with wildcard markers.
  constexpr std::uint32_t kAnyRun = 0xFFFFFFFF;
  constexpr std::uint32_t kAnyOne = 0xFFFFFFFE;
  const auto raw = code_points(pattern);
  std::vector<std::uint32_t> pat;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\' && i + 1 < raw.size()) pat.push_back(raw[++i]);
    else if (raw[i] == '%') pat.push_back(kAnyRun);
    else if (raw[i] == '_') pat.push_back(kAnyOne);
    else pat.push_back(raw[i]);
  }
  const auto s = code_points(text);
  // Greedy matching with backtracking to the last '%': O(|s|·|pat|) at worst.
  std::size_t si = 0, pi = 0, star = std::string::npos, mark = 0;
  while (si < s.size()) {
    if (pi < pat.size() && (pat[pi] == kAnyOne || (pat[pi] != kAnyRun && pat[pi] == s[si]))) {
      ++si;
      ++pi;
    } else if (pi < pat.size() && pat[pi] == kAnyRun) {
      star = pi++;
      mark = si;
    } else if (star != std::string::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < pat.size() && pat[pi] == kAnyRun) ++pi;
  return pi == pat.size();
}

struct Evaluator::Impl {
  const Filter& filter;
  geo::GeosContext ctx;
  std::map<const Node*, geo::PreparedGeometry> literals;
  // The feature's GEOS geometry, made once per matches() call when a spatial node needs it.
  mutable geo::GeosGeometry feature_geometry;
  mutable const store::ServedFeature* converted = nullptr;

  explicit Impl(const Filter& f) : filter(f) {
    if (f.root) prepare(*f.root);
  }

  void prepare(const Node& n) {
    for (const auto& c : n.children) prepare(*c);
    if (n.kind != Node::Kind::spatial) return;
    geo::GeosGeometry g = geo::to_geos(ctx, n.geometry);
    try {
      literals.emplace(&n, geo::PreparedGeometry(ctx, std::move(g)));
    } catch (const DataError&) {
      throw DataError("GEOS could not prepare the filter geometry: " + ctx.last_message());
    }
  }

  const geo::GeosGeometry& geometry_of(const store::ServedFeature& f) const {
    if (converted != &f) {
      feature_geometry = geo::to_geos(ctx, f.feature.geometry);
      converted = &f;
    }
    return feature_geometry;
  }

  Tri spatial(const Node& n, const store::ServedFeature& f) const {
    const geo::PreparedGeometry& lit = literals.at(&n);
    // Envelope test first: most features are far from the literal.
    const geo::BBox box = search_box(n);
    if (n.spatial_op != SpatialOp::disjoint && !box.intersects(f.bbox)) return Tri::no;
    if (n.spatial_op == SpatialOp::disjoint && !n.geometry.bbox().intersects(f.bbox)) return Tri::yes;
    if (f.feature.geometry.empty()) return Tri::unknown;
    const geo::GeosGeometry& g = geometry_of(f);
    using geo::SpatialRelation;
    std::optional<bool> r;
    switch (n.spatial_op) {
      case SpatialOp::intersects: r = lit.relation(SpatialRelation::intersects, g); break;
      case SpatialOp::disjoint: r = lit.relation(SpatialRelation::disjoint, g); break;
      case SpatialOp::equals: r = lit.relation(SpatialRelation::equals, g); break;
      case SpatialOp::touches: r = lit.relation(SpatialRelation::touches, g); break;
      case SpatialOp::within: r = lit.relation(SpatialRelation::contains, g); break;  // feature within literal
      case SpatialOp::contains: r = lit.relation(SpatialRelation::within, g); break;  // literal within feature
      case SpatialOp::overlaps: r = lit.relation(SpatialRelation::overlaps, g); break;
      case SpatialOp::crosses: r = lit.relation(SpatialRelation::crosses, g); break;
      case SpatialOp::dwithin: {
        const auto nearest = geo::nearest_points(ctx, g, lit.geometry());
        if (!nearest) return Tri::unknown;
        const geo::Coord p0 = nearest->on_a, p1 = nearest->on_b;
        // 3857 distances are stretched by 1/cos(latitude): scale back to ground metres at the
        // latitude between the two nearest points (within 0.5% of the ellipsoidal distance).
        const double d = std::hypot(p1.x - p0.x, p1.y - p0.y) * ground_scale((p0.y + p1.y) / 2);
        return tri(d <= n.distance_m);
      }
    }
    if (!r) return Tri::unknown;
    return tri(*r);
  }

  Tri eval(const Node& n, const store::ServedFeature& sf) const {
    const model::Feature& f = sf.feature;
    switch (n.kind) {
      case Node::Kind::and_: {
        Tri out = Tri::yes;
        for (const auto& c : n.children) {
          const Tri t = eval(*c, sf);
          if (t == Tri::no) return Tri::no;
          if (t == Tri::unknown) out = Tri::unknown;
        }
        return out;
      }
      case Node::Kind::or_: {
        Tri out = Tri::no;
        for (const auto& c : n.children) {
          const Tri t = eval(*c, sf);
          if (t == Tri::yes) return Tri::yes;
          if (t == Tri::unknown) out = Tri::unknown;
        }
        return out;
      }
      case Node::Kind::not_: return tri_not(eval(*n.children.front(), sf));
      case Node::Kind::constant: return tri(n.constant);
      case Node::Kind::compare: return apply(n.op, compare(scalar_of(n.lhs, f), scalar_of(n.rhs, f)));
      case Node::Kind::like: {
        const Scalar s = scalar_of(n.lhs, f);
        if (s.kind != Scalar::Kind::text) return Tri::unknown;
        const Tri t = tri(like_match(*s.text, n.pattern));
        return n.negated ? tri_not(t) : t;
      }
      case Node::Kind::in: {
        const Scalar s = scalar_of(n.lhs, f);
        if (s.kind == Scalar::Kind::null) return Tri::unknown;
        bool found = false;
        for (const auto& l : n.list) {
          if (compare(s, scalar_of(l)) == 0) {
            found = true;
            break;
          }
        }
        return tri(found != n.negated);
      }
      case Node::Kind::is_null: {
        const bool null = scalar_of(n.lhs, f).kind == Scalar::Kind::null;
        return tri(null != n.negated);
      }
      case Node::Kind::between: {
        const Scalar s = scalar_of(n.lhs, f);
        const int lo = compare(s, scalar_of(n.rhs, f));
        const int hi = compare(s, scalar_of(n.hi, f));
        if (lo == 2 || hi == 2) return Tri::unknown;
        return tri((lo >= 0 && hi <= 0) != n.negated);
      }
      case Node::Kind::spatial: return spatial(n, sf);
    }
    return Tri::unknown;
  }
};

Evaluator::Evaluator(const Filter& filter) : m_impl(std::make_unique<Impl>(filter)) {}
Evaluator::~Evaluator() = default;

bool Evaluator::matches(const store::ServedFeature& feature) const {
  if (!m_impl->filter.root) return true;
  const bool ok = m_impl->eval(*m_impl->filter.root, feature) == Tri::yes;
  m_impl->converted = nullptr;
  m_impl->feature_geometry.reset();
  return ok;
}

}  // namespace minqing::query::cql2
