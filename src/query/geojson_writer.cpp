#include "query/geojson_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace minqing::query {

namespace {

// The length of the well-formed UTF-8 sequence starting at s[i] (Unicode Table 3-7: no overlong
// forms, no surrogates, nothing past U+10FFFF), or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  const auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    const unsigned c = at(k);
    return c >= lo && c <= hi;
  };
  const unsigned c = at(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// A coordinate as the answer gives it: rounded to the CRS's precision (7 decimals for degrees,
// 3 for metres) and written from the rounded integer — the same text as the shortest decimal of
// round(v * 10^d) / 10^d, without the general double-to-text conversion that dominated the
// profile of a bbox query.
struct Rounding {
  int decimals;
  double scale;
  explicit Rounding(const Crs& crs) : decimals(crs.geographic ? 7 : 3), scale(crs.geographic ? 1e7 : 1e3) {}

  void append(std::string& out, double v) const {
    const double k = std::round(v * scale);
    if (!(std::abs(k) < 9e15)) {  // not finite, or too large for exact integer digits
      append_json_number(out, k / scale);
      return;
    }
    auto n = static_cast<std::int64_t>(k);
    if (n < 0 || (n == 0 && std::signbit(k))) out += '-';
    const std::uint64_t u = n < 0 ? static_cast<std::uint64_t>(-n) : static_cast<std::uint64_t>(n);
    // The integer's digits, zero-padded to at least decimals + 1, with the point put in before the
    // last `decimals` and the fraction's trailing zeros dropped ("2.0" keeps one). No division by
    // a runtime power of ten: to_chars divides by constants, which compile to multiplications.
    std::array<char, 32> buf;
    char* const digits = buf.data() + 8;  // room for the leading zeros
    const char* const end = std::to_chars(digits, buf.data() + buf.size(), u).ptr;
    char* first = digits;
    while (end - first < decimals + 1) *--first = '0';
    const char* const point = end - decimals;
    out.append(first, static_cast<std::size_t>(point - first));
    out += '.';
    const char* last = end;
    while (last > point && last[-1] == '0') --last;
    if (last == point) out += '0';
    else out.append(point, static_cast<std::size_t>(last - point));
  }
};

void append_position(std::string& out, const Crs& crs, const Rounding& round, geo::Coord m) {
  const geo::Coord c = from_mercator(crs, m);
  out += '[';
  round.append(out, c.x);
  out += ',';
  round.append(out, c.y);
  out += ']';
}

void append_positions(std::string& out, const Crs& crs, const Rounding& round, const geo::Geometry& g,
                      std::uint32_t begin, std::uint32_t end) {
  out += '[';
  for (std::uint32_t i = begin; i < end; ++i) {
    if (i != begin) out += ',';
    append_position(out, crs, round, g.coords[i]);
  }
  out += ']';
}

// Rings [first_part, last_part) of a polygon.
void append_rings(std::string& out, const Crs& crs, const Rounding& round, const geo::Geometry& g,
                  std::uint32_t first_part, std::uint32_t last_part) {
  out += '[';
  for (std::uint32_t r = first_part; r < last_part; ++r) {
    if (r != first_part) out += ',';
    append_positions(out, crs, round, g, r == 0 ? 0 : g.part_ends[r - 1], g.part_ends[r]);
  }
  out += ']';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out += '"';
  std::size_t run = 0;  // start of the bytes copied as they are, not yet appended
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        // Invalid UTF-8: rare enough to leave to nlohmann, whose replacement rules the answers
        // have always followed.
        out.resize(start);  // drop what this call wrote
        out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += n;
      continue;
    }
    out.append(s, run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    run = ++i;
  }
  out.append(s, run, s.size() - run);
  out += '"';
}

void append_json_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf;
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

void append_json_number(std::string& out, std::int64_t v) {
  std::array<char, 24> buf;
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

void append_json_number(std::string& out, std::size_t v) {
  std::array<char, 24> buf;
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), r.ptr);
}

void append_json_value(std::string& out, const model::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) append_json_number(out, *i);
  else if (const auto* d = std::get_if<double>(&v)) append_json_number(out, *d);
  else if (const auto* s = std::get_if<std::string>(&v)) append_json_string(out, *s);
  else out += "null";
}

void append_geometry(std::string& out, const geo::Geometry& g, const Crs& crs) {
  if (g.empty()) {
    out += "null";
    return;
  }
  const Rounding round(crs);
  const auto n = static_cast<std::uint32_t>(g.coords.size());
  const char* type = "Point";
  out += "{\"coordinates\":";
  switch (g.kind) {
    case geo::GeometryKind::point:
      if (n == 1) {
        append_position(out, crs, round, g.coords[0]);
      } else {
        type = "MultiPoint";
        append_positions(out, crs, round, g, 0, n);
      }
      break;
    case geo::GeometryKind::line:
      if (g.part_ends.size() <= 1) {
        type = "LineString";
        append_positions(out, crs, round, g, 0, n);
      } else {
        type = "MultiLineString";
        out += '[';
        std::uint32_t begin = 0;
        for (auto end : g.part_ends) {
          if (begin != 0) out += ',';
          append_positions(out, crs, round, g, begin, end);
          begin = end;
        }
        out += ']';
      }
      break;
    case geo::GeometryKind::polygon:
      if (g.polygon_ends.size() <= 1) {
        type = "Polygon";
        append_rings(out, crs, round, g, 0, static_cast<std::uint32_t>(g.part_ends.size()));
      } else {
        type = "MultiPolygon";
        out += '[';
        std::uint32_t first = 0;
        for (auto last : g.polygon_ends) {
          if (first != 0) out += ',';
          append_rings(out, crs, round, g, first, last);
          first = last;
        }
        out += ']';
      }
      break;
  }
  out += ",\"type\":\"";
  out += type;
  out += "\"}";
}

FeatureWriter::FeatureWriter(const ClassView& view, const Crs& crs) : m_view(view), m_crs(crs) {
  m_by_name.resize(view.fields.size());
  for (std::size_t k = 0; k < m_by_name.size(); ++k) m_by_name[k] = k;
  const auto name = [&](std::size_t k) -> const std::string& {
    return view.def->fields[static_cast<std::size_t>(view.fields[k])].name;
  };
  std::sort(m_by_name.begin(), m_by_name.end(), [&](std::size_t a, std::size_t b) { return name(a) < name(b); });
  // The property keys are escaped once per answer, not once per feature.
  for (std::size_t i = 0; i < m_by_name.size(); ++i) {
    std::string key = i == 0 ? "" : ",";
    append_json_string(key, name(m_by_name[i]));
    key += ':';
    m_keys.push_back(std::move(key));
    // The field numbers in writing order, two bytes each: what the properties text depends on.
    const auto field = static_cast<std::uint16_t>(view.fields[m_by_name[i]]);
    m_properties_key += static_cast<char>(field & 0xff);
    m_properties_key += static_cast<char>(field >> 8);
  }
}

void FeatureWriter::write(std::string& out, const store::ServedFeature& f, std::span<const JsonMember> extra) const {
  // The object's own members in key order; each extra one goes before the first own key it sorts
  // before.
  std::size_t next_extra = 0;
  bool first = true;
  const auto open_member = [&](std::string_view key) {
    out += first ? '{' : ',';
    first = false;
    append_json_string(out, key);
    out += ':';
  };
  const auto extras_before = [&](std::string_view key) {
    for (; next_extra < extra.size() && (key.empty() || extra[next_extra].key < key); ++next_extra) {
      open_member(extra[next_extra].key);
      out += extra[next_extra].json;
    }
  };
  const auto member = [&](std::string_view key) {
    extras_before(key);
    open_member(key);
  };
  member("geometry");
  if (&m_crs == &crs84()) {
    // The default CRS: the feature's geometry text is made once and kept with it.
    out += f.geometry_geojson_crs84.get([&] {
      std::string text;
      append_geometry(text, f.feature.geometry, m_crs);
      return text;
    });
  } else {
    append_geometry(out, f.feature.geometry, m_crs);
  }
  member("id");
  append_json_number(out, f.feature.fid);
  member("properties");
  // Masking happened before: ClassView::value gives what the caller may see, and the feature (a
  // served one or a masked copy) never changes, so its text for this field list is kept with it.
  f.properties_geojson.append(out, m_properties_key, [&] {
    std::string text = "{";
    for (std::size_t i = 0; i < m_by_name.size(); ++i) {
      text += m_keys[i];
      append_json_value(text, m_view.value(f, m_by_name[i]));
    }
    text += '}';
    return text;
  });
  member("type");
  out += "\"Feature\"";
  extras_before({});  // the rest: keys after "type"
  out += '}';
}

nlohmann::json feature_json(const store::ServedFeature& f, const ClassView& view, const Crs& crs) {
  std::string text;
  FeatureWriter(view, crs).write(text, f);
  return nlohmann::json::parse(text);
}

nlohmann::json value_json(const model::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

}  // namespace minqing::query
