#pragma once
// The village DEMs behind the terrain map's hillshade: each file's header read at load, its heights
// read into memory (store/raster_file.hpp) the first time a window or point falls on it, then
// shaded per request onto any 3857 window.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geo/coord.hpp"
#include "style/color.hpp"

namespace minqing::render {

// How to shade (from a hillshade style layer at the request's zoom).
struct HillshadeParams {
  double exaggeration = 0.5;             // 0..1: opacity scale of shadows and highlights
  style::Color shadow{0, 0, 0, 1};
  style::Color highlight{1, 1, 1, 1};
  style::Color accent{0, 0, 0, 1};       // steep slopes (> 30°)
  double azimuth_deg = 315;              // light from the north-west
  double altitude_deg = 45;
  double z_factor = 1;                   // vertical exaggeration of slopes
};

// Immutable after load but for the DEMs read on first use (each once, whichever thread comes
// first; the others wait for it); render_hillshade and elevation_at may run on many threads at
// once (each thread keeps its own PROJ transform).
class ReliefSource {
 public:
  // A height grid in its own CRS, north-up.
  struct Grid {
    std::string crs;            // WKT or "EPSG:nnnn"
    double origin_x = 0;        // west edge
    double origin_y = 0;        // north edge
    double cell_x = 1;          // metres (or CRS units) per column
    double cell_y = 1;          // per row, positive
    int nx = 0;
    int ny = 0;
    std::vector<float> z;       // row-major from the north; NaN = no data
  };

  // Opens every *.tif under `dir` (one per village, as FeatureStore::relief_path names them):
  // their headers now, on a few threads, their heights when first used. A missing directory gives
  // an empty source. @throws DataError naming a file GDAL cannot open or that is not a north-up
  // single-band grid.
  static std::unique_ptr<ReliefSource> load_directory(const std::filesystem::path& dir);
  // From grids already in memory (tests, generators). @throws ProjError for an unknown CRS.
  static std::unique_ptr<ReliefSource> from_grids(std::vector<Grid> grids);

  ~ReliefSource();

  // The ground height at an EPSG:3857 point (bilinear between cell centres), or nullopt where no
  // grid has data. Thread-safe (routing samples it while building the road network).
  // @throws DataError naming a DEM file that could be opened at load but not read now.
  std::optional<double> elevation_at(geo::Coord p) const;

  // elevation_at as a function (what the road network's slope costs take), or an empty function
  // when there is no DEM. The source must outlive it.
  std::function<std::optional<double>(geo::Coord)> heights() const;

  bool empty() const noexcept;
  std::size_t size() const noexcept;
  // Unique among the sources made in this process (never reused, unlike an address): what a
  // cache of shaded images keys on (render/shaded_relief_cache.hpp), so that a source loaded anew
  // — after a DEM was imported or replaced — is never served another source's shading.
  std::uint64_t id() const noexcept { return m_id; }
  geo::BBox extent() const noexcept;  // 3857, of all grids

  // Composites the hillshade of the 3857 `extent` onto a width × height premultiplied ARGB32
  // buffer (cairo's layout) with `stride` bytes per row, over what is already there. Pixels
  // without data are left untouched. Returns whether any grid touched the window.
  // @throws DataError as elevation_at.
  bool render_hillshade(const geo::BBox& extent, int width, int height, const HillshadeParams& params,
                        std::uint8_t* argb, int stride) const;

 private:
  struct Dem;
  ReliefSource();
  std::vector<std::unique_ptr<Dem>> m_dems;
  geo::BBox m_extent;
  std::uint64_t m_id;
};

}  // namespace minqing::render
