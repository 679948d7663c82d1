// Step 11: the base features — the village polygon (with its household and population totals),
// rivers, roads, buildings, households and land cover.

#include "generate/village.hpp"

namespace minqing::generate {

void emit_base(Village& v) {
  auto& sink = *v.sink;
  const std::string& code = v.spec->code;
  std::int64_t population = 0;
  for (const auto& h : v.households) population += h.members;
  sink.add("villages", v.polygon())
      .set("village_code", code)
      .set("name", v.spec->name)
      .set("township", v.township->name)
      .set("county", "松阳县")
      .set("households", static_cast<std::int64_t>(v.households.size()))
      .set("population", population)
      .set("updated_at", v.updated_at);

  const auto river = [&](const Polyline& line, const std::string& name, const char* cls) {
    auto b = sink.add("rivers", geo::Geometry::line(line));
    b.set("village_code", code).set("class", cls);
    if (!name.empty()) b.set("name", name);
  };
  if (v.water.river.size() >= 2) river(v.water.river, v.water.river_name, "river");
  for (std::size_t i = 0; i < v.water.streams.size(); ++i) river(v.water.streams[i], v.water.stream_names[i], "stream");
  for (const auto& c : v.water.canals) river(c, v.hamlets.empty() ? "" : v.hamlets.front().name + "堰", "canal");

  for (const auto& r : v.road_pieces) {
    auto b = sink.add("roads", geo::Geometry::line(r.pts));
    b.set("village_code", code).set("class", r.cls).set("width_m", r.width);
    if (!r.name.empty()) b.set("name", r.name);
  }

  for (const auto& bld : v.buildings) {
    auto b = sink.add("buildings", geo::Geometry::polygon(bld.rect.corners()));
    b.set("building_id", bld.id)
        .set("village_code", code)
        .set("use", bld.use)
        .set("structure", bld.structure)
        .set("floors", bld.floors)
        .set("built_year", bld.year);
    if (bld.household >= 0) b.set("household_id", v.households[static_cast<std::size_t>(bld.household)].id);
  }

  for (const auto& h : v.households) {
    sink.add("households", geo::Geometry::point(h.at))
        .set("household_id", h.id)
        .set("village_code", code)
        .set("grid_id", h.grid_id)
        .set("building_id", v.buildings[static_cast<std::size_t>(h.building)].id)
        .set("head_name", h.head)
        .set("members", h.members)
        .set("phone", h.phone)
        .set("employment", h.employment)
        .set("migrant_members", h.migrants);
  }

  for (const auto& lc : v.landcover) {
    auto b = sink.add("landcover", lc.geometry);
    b.set("village_code", code).set("class", lc.cls);
    if (!lc.name.empty()) b.set("name", lc.name);
  }
}

}  // namespace minqing::generate
