#include "edit/feature_record.hpp"

#include <cmath>

#include "base/error.hpp"
#include "edit/edit_error.hpp"
#include "model/validation.hpp"

namespace minqing::edit {

namespace {

using nlohmann::json;

[[noreturn]] void bad_geometry(const std::string& why) {
  throw EditError(EditError::Kind::unprocessable, "geometry: " + why);
}

geo::Coord position(const json& p) {
  if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number()) {
    bad_geometry("a position must be an array of two or three numbers");
  }
  const geo::Coord c{p[0].get<double>(), p[1].get<double>()};
  if (!std::isfinite(c.x) || !std::isfinite(c.y)) bad_geometry("a position must hold finite numbers");
  return c;
}

const json& array_member(const json& g, const char* name) {
  auto it = g.find(name);
  if (it == g.end() || !it->is_array()) bad_geometry(std::string("\"") + name + "\" must be an array");
  return *it;
}

void add_line(geo::Geometry& out, const json& line) {
  if (!line.is_array() || line.size() < 2) bad_geometry("a line needs at least two positions");
  for (const auto& p : line) out.coords.push_back(position(p));
  out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
}

void add_polygon(geo::Geometry& out, const json& rings) {
  if (!rings.is_array() || rings.empty()) bad_geometry("a polygon needs an exterior ring");
  for (const auto& ring : rings) {
    if (!ring.is_array() || ring.size() < 4) bad_geometry("a polygon ring needs at least four positions");
    const std::size_t first = out.coords.size();
    for (const auto& p : ring) out.coords.push_back(position(p));
    const geo::Coord a = out.coords[first], b = out.coords.back();
    if (a.x != b.x || a.y != b.y) bad_geometry("a polygon ring must be closed (its last position equal to its first)");
    out.part_ends.push_back(static_cast<std::uint32_t>(out.coords.size()));
  }
  out.polygon_ends.push_back(static_cast<std::uint32_t>(out.part_ends.size()));
}

json positions(const geo::Geometry& g, std::size_t from, std::size_t to) {
  json out = json::array();
  for (std::size_t i = from; i < to; ++i) out.push_back(json::array({g.coords[i].x, g.coords[i].y}));
  return out;
}

}  // namespace

geo::Geometry parse_geometry(const json& g, geo::GeometryKind kind, const std::string& class_name) {
  if (!g.is_object()) bad_geometry("must be a GeoJSON geometry object");
  auto type_it = g.find("type");
  if (type_it == g.end() || !type_it->is_string()) bad_geometry("has no \"type\"");
  const std::string type = type_it->get<std::string>();
  geo::Geometry out;
  out.kind = kind;
  static constexpr const char* kSingle[] = {"Point", "LineString", "Polygon"};
  static constexpr const char* kPlural[] = {"points", "lines", "polygons"};
  const auto k = static_cast<std::size_t>(kind);
  if (type != kSingle[k] && type != std::string("Multi") + kSingle[k]) {
    bad_geometry(class_name + " holds " + kPlural[k] + ", not a " + type);
  }
  const json& c = array_member(g, "coordinates");
  const bool multi = type.rfind("Multi", 0) == 0;
  switch (kind) {
    case geo::GeometryKind::point:
      if (multi) {
        if (c.empty()) bad_geometry("a MultiPoint needs at least one position");
        for (const auto& p : c) out.coords.push_back(position(p));
      } else {
        out.coords.push_back(position(c));
      }
      break;
    case geo::GeometryKind::line:
      if (multi) {
        if (c.empty()) bad_geometry("a MultiLineString needs at least one line");
        for (const auto& line : c) add_line(out, line);
      } else {
        add_line(out, c);
      }
      break;
    case geo::GeometryKind::polygon:
      if (multi) {
        if (c.empty()) bad_geometry("a MultiPolygon needs at least one polygon");
        for (const auto& polygon : c) add_polygon(out, polygon);
      } else {
        add_polygon(out, c);
      }
      break;
  }
  return out;
}

json geometry_to_json(const geo::Geometry& g) {
  if (g.empty()) return nullptr;
  switch (g.kind) {
    case geo::GeometryKind::point:
      if (g.coords.size() == 1) return {{"type", "Point"}, {"coordinates", {g.coords[0].x, g.coords[0].y}}};
      return {{"type", "MultiPoint"}, {"coordinates", positions(g, 0, g.coords.size())}};
    case geo::GeometryKind::line: {
      json lines = json::array();
      std::size_t from = 0;
      for (auto end : g.part_ends) {
        lines.push_back(positions(g, from, end));
        from = end;
      }
      if (lines.size() == 1) return {{"type", "LineString"}, {"coordinates", lines[0]}};
      return {{"type", "MultiLineString"}, {"coordinates", std::move(lines)}};
    }
    case geo::GeometryKind::polygon: {
      json polygons = json::array();
      std::size_t ring = 0, from = 0;
      for (auto polygon_end : g.polygon_ends) {
        json rings = json::array();
        for (; ring < polygon_end; ++ring) {
          rings.push_back(positions(g, from, g.part_ends[ring]));
          from = g.part_ends[ring];
        }
        polygons.push_back(std::move(rings));
      }
      if (polygons.size() == 1) return {{"type", "Polygon"}, {"coordinates", polygons[0]}};
      return {{"type", "MultiPolygon"}, {"coordinates", std::move(polygons)}};
    }
  }
  return nullptr;
}

model::Value value_from_json(const model::FieldDef& field, const json& v) {
  model::Value raw;
  if (v.is_null()) return raw;
  if (v.is_number_integer()) raw = v.get<std::int64_t>();
  else if (v.is_number()) raw = v.get<double>();
  else if (v.is_string()) raw = v.get<std::string>();
  else throw EditError(EditError::Kind::unprocessable, "field " + field.name + ": must be a string, a number or null");
  std::string reason;
  auto converted = model::convert_lossless(field, raw, reason);
  if (!converted) {
    throw EditError(EditError::Kind::unprocessable,
                    "field " + field.name + ": " + (reason.empty() ? "not a value of its type" : reason));
  }
  return *converted;
}

json value_to_json(const model::Value& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

std::string record_json(const model::FeatureClassDef& def, const model::Feature& f) {
  json props = json::object();
  for (std::size_t i = 0; i < def.fields.size() && i < f.values.size(); ++i) props[def.fields[i].name] = value_to_json(f.values[i]);
  return json{{"properties", std::move(props)}, {"geometry", geometry_to_json(f.geometry)}}.dump();
}

model::Feature parse_record(const model::FeatureClassDef& def, const std::string& text, std::int64_t fid) {
  model::Feature f;
  f.fid = fid;
  f.values.assign(def.fields.size(), model::Value{});
  f.geometry.kind = def.geometry;
  try {
    const json r = json::parse(text);
    if (auto p = r.find("properties"); p != r.end() && p->is_object()) {
      for (std::size_t i = 0; i < def.fields.size(); ++i) {
        auto it = p->find(def.fields[i].name);
        if (it == p->end() || it->is_null()) continue;
        if (it->is_number_integer()) f.values[i] = it->get<std::int64_t>();
        else if (it->is_number()) f.values[i] = it->get<double>();
        else if (it->is_string()) f.values[i] = it->get<std::string>();
      }
    }
    if (auto g = r.find("geometry"); g != r.end() && !g->is_null()) f.geometry = parse_geometry(*g, def.geometry, def.name);
  } catch (const json::exception& e) {
    throw DataError("history record of " + def.name + " " + std::to_string(fid) + ": " + e.what());
  } catch (const EditError& e) {
    throw DataError("history record of " + def.name + " " + std::to_string(fid) + ": " + e.what());
  }
  return f;
}

}  // namespace minqing::edit
