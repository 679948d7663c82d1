#include "generate/village_generator.hpp"

#include "base/error.hpp"
#include "generate/dem_writer.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

namespace {

void check_all(const VillageJob& job, const geo::GeosContext& ctx, const FeatureSink& sink) {
  const auto& classes = job.catalog->classes();
  for (std::size_t c = 0; c < classes.size(); ++c) {
    const auto& validator = (*job.validators)[c];
    const auto& features = sink.features()[c];
    for (std::size_t i = 0; i < features.size(); ++i) {
      const auto where = [&] {
        return "generate: village " + job.spec->code + ", " + classes[c].name + " feature #" + std::to_string(i + 1) + ": ";
      };
      if (auto why = validator.check(features[i])) throw DataError(where() + *why);
      if (features[i].geometry.kind != classes[c].geometry) throw DataError(where() + "wrong geometry kind");
      if (auto why = geo::invalid_reason(ctx, features[i].geometry)) throw DataError(where() + "invalid geometry: " + *why);
    }
  }
}

}  // namespace

FeatureSink generate_village(const VillageJob& job, const geo::GeosContext& ctx) {
  FeatureSink sink(*job.catalog);
  Village v;
  v.spec = job.spec;
  v.layout = job.layout;
  v.terrain = job.terrain;
  v.township = &job.layout->townships()[static_cast<std::size_t>(job.spec->township)];
  v.ctx = &ctx;
  v.sink = &sink;
  v.updated_at = job.updated_at;
  v.ring = job.layout->village_ring(job.spec->col, job.spec->row);
  for (const Coord& c : v.ring) v.bbox.expand(c);
  v.dem = HeightGrid::sample(*job.terrain, v.bbox, 10);

  // The township government sits by the county road in the middle of its seat village's cell.
  const VillageSpec& seat = job.layout->villages()[static_cast<std::size_t>(v.township->first_village)];
  const double sx = job.layout->column_x(seat.col + 0.5);
  const double off = job.terrain->road_offset(seat.row, sx);
  v.township_office = {sx, job.terrain->valley_y(seat.row, sx) + off + (off > 0 ? 30 : -30)};

  write_dem(job.dem_path, v.dem, job.epsg);
  build_water(v);
  build_roads(v);
  build_buildings(v);
  build_households(v);
  build_grids(v);
  build_landcover(v);
  build_parcels(v);
  build_facilities(v);
  build_people(v);
  build_hazards(v);
  emit_base(v);
  check_all(job, ctx, sink);
  return sink;
}

}  // namespace minqing::generate
