#include "render/relief_source.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "render/hillshade_kernel.hpp"
#include "store/raster_file.hpp"

namespace minqing::render {

// A DEM read from a file is known by its header at load (size, geotransform, CRS: enough for its
// 3857 extent) and read on first use, once, by whichever thread needs it first (loaded()): a
// county holds 401 of them, ~330 MB with their gradients, and a server start or a one-village
// sheet needs few. After loaded() returns, the grid and gradients never change again.
struct ReliefSource::Dem {
  mutable Grid grid;             // z empty until loaded when read from a file
  mutable std::vector<float> gx;  // dz/dx (east), per cell, NaN where unknown
  mutable std::vector<float> gy;  // dz/dy (north)
  geo::BBox bbox_3857;
  std::filesystem::path file;     // where the heights are; empty when given in memory
  std::optional<double> nodata;   // the file's no-data value
  mutable std::once_flag once;

  // This DEM with its heights and gradients. @throws DataError when the file cannot be read.
  const Dem& loaded() const;
};

namespace {

// Horn's method gradients, in height units per CRS unit.
void compute_gradients(ReliefSource::Grid& g, std::vector<float>& gx, std::vector<float>& gy) {
  const int nx = g.nx, ny = g.ny;
  gx.assign(static_cast<std::size_t>(nx) * ny, std::numeric_limits<float>::quiet_NaN());
  gy = gx;
  auto z = [&](int x, int y) {
    x = std::clamp(x, 0, nx - 1);
    y = std::clamp(y, 0, ny - 1);
    return g.z[static_cast<std::size_t>(y) * nx + x];
  };
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) {
      const float a = z(x - 1, y - 1), b = z(x, y - 1), c = z(x + 1, y - 1);
      const float d = z(x - 1, y), f = z(x + 1, y);
      const float gg = z(x - 1, y + 1), h = z(x, y + 1), i = z(x + 1, y + 1);
      const double dzdx = ((c + 2 * f + i) - (a + 2 * d + gg)) / (8 * g.cell_x);
      const double dzdy = ((a + 2 * b + c) - (gg + 2 * h + i)) / (8 * g.cell_y);  // rows go south
      const std::size_t k = static_cast<std::size_t>(y) * nx + x;
      gx[k] = static_cast<float>(dzdx);  // NaN propagates from no-data neighbours
      gy[k] = static_cast<float>(dzdy);
    }
  }
}

// One PROJ transform per thread and CRS: Transform is not thread-safe.
const geo::Transform& to_grid_transform(const std::string& crs) {
  thread_local std::map<std::string, std::unique_ptr<geo::Transform>> transforms;
  auto& t = transforms[crs];
  if (!t) t = std::make_unique<geo::Transform>("EPSG:3857", crs);
  return *t;
}

}  // namespace

const ReliefSource::Dem& ReliefSource::Dem::loaded() const {
  if (file.empty()) return *this;  // given in memory, gradients computed by from_grids
  std::call_once(once, [this] {
    store::Raster r = store::read_raster(file);  // @throws DataError naming the file
    if (r.width != grid.nx || r.height != grid.ny) throw DataError(file.string() + ": DEM changed size since it was opened");
    grid.z = std::move(r.values);
    if (nodata) {
      const auto nd = static_cast<float>(*nodata);
      for (auto& v : grid.z) {
        if (v == nd) v = std::numeric_limits<float>::quiet_NaN();
      }
    }
    compute_gradients(grid, gx, gy);
  });
  return *this;
}

namespace {
std::atomic<std::uint64_t> g_next_source_id{1};
}  // namespace

ReliefSource::ReliefSource() : m_id(g_next_source_id.fetch_add(1, std::memory_order_relaxed)) {}
ReliefSource::~ReliefSource() = default;

std::optional<double> ReliefSource::elevation_at(geo::Coord p) const {
  for (const auto& dem : m_dems) {
    if (!dem->bbox_3857.contains(p)) continue;
    const Grid& g = dem->loaded().grid;
    const geo::Coord q = to_grid_transform(g.crs).apply(p);
    const double fx = (q.x - g.origin_x) / g.cell_x - 0.5;  // cell centres at integer positions
    const double fy = (g.origin_y - q.y) / g.cell_y - 0.5;
    if (!(fx >= 0 && fy >= 0 && fx <= g.nx - 1 && fy <= g.ny - 1)) continue;
    const int x0 = std::min(static_cast<int>(fx), g.nx - 1), y0 = std::min(static_cast<int>(fy), g.ny - 1);
    const int x1 = std::min(x0 + 1, g.nx - 1), y1 = std::min(y0 + 1, g.ny - 1);
    const double tx = fx - x0, ty = fy - y0;
    auto z = [&](int x, int y) { return static_cast<double>(g.z[static_cast<std::size_t>(y) * g.nx + x]); };
    const double v = (z(x0, y0) * (1 - tx) + z(x1, y0) * tx) * (1 - ty) + (z(x0, y1) * (1 - tx) + z(x1, y1) * tx) * ty;
    if (std::isfinite(v)) return v;
  }
  return std::nullopt;
}

std::function<std::optional<double>(geo::Coord)> ReliefSource::heights() const {
  if (empty()) return {};
  return [this](geo::Coord p) { return elevation_at(p); };
}

bool ReliefSource::empty() const noexcept { return m_dems.empty(); }
std::size_t ReliefSource::size() const noexcept { return m_dems.size(); }
geo::BBox ReliefSource::extent() const noexcept { return m_extent; }

namespace {

// The 3857 extent of a grid's cells, with one transform per CRS (a county's DEMs share one, and
// making a PROJ transform from WKT — a search of PROJ's SQLite database — costs more than reading
// a grid). @throws ProjError for an unknown CRS.
geo::BBox extent_3857(const ReliefSource::Grid& g, std::map<std::string, std::unique_ptr<geo::Transform>>& transforms) {
  auto& transform = transforms[g.crs];
  if (!transform) transform = std::make_unique<geo::Transform>(g.crs, "EPSG:3857");
  return transform->apply(geo::BBox{g.origin_x, g.origin_y - g.ny * g.cell_y, g.origin_x + g.nx * g.cell_x, g.origin_y});
}

}  // namespace

std::unique_ptr<ReliefSource> ReliefSource::from_grids(std::vector<Grid> grids) {
  std::unique_ptr<ReliefSource> src(new ReliefSource());
  std::map<std::string, std::unique_ptr<geo::Transform>> to_3857_by_crs;
  for (auto& g : grids) {
    auto dem = std::make_unique<Dem>();
    dem->grid = std::move(g);
    compute_gradients(dem->grid, dem->gx, dem->gy);
    dem->bbox_3857 = extent_3857(dem->grid, to_3857_by_crs);
    src->m_extent.expand(dem->bbox_3857);
    src->m_dems.push_back(std::move(dem));
  }
  return src;
}

std::unique_ptr<ReliefSource> ReliefSource::load_directory(const std::filesystem::path& dir) {
  std::unique_ptr<ReliefSource> src(new ReliefSource());
  if (!std::filesystem::is_directory(dir)) return src;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && (e.path().extension() == ".tif" || e.path().extension() == ".tiff")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  // Headers only (the heights are read on first use, Dem::loaded), on a few threads: opening a
  // GeoTIFF and reading its CRS is most of what is left, ~1.5 ms a file.
  const unsigned threads = load_threads();
  std::vector<std::map<std::string, std::unique_ptr<geo::Transform>>> transforms(threads);
  src->m_dems.resize(files.size());
  parallel_for(files.size(), threads, [&](std::size_t i, unsigned worker) {
    const auto& f = files[i];
    const store::Raster r = store::read_raster_header(f);  // @throws DataError naming the file
    const auto gt = r.geotransform.value_or(std::array<double, 6>{});  // none: gt[5] = 0 fails below
    if (gt[2] != 0 || gt[4] != 0 || gt[5] >= 0) {
      throw DataError(f.string() + ": DEM is not a north-up grid with a geotransform");
    }
    auto dem = std::make_unique<Dem>();
    Grid& g = dem->grid;
    g.crs = r.crs.empty() ? "EPSG:4549" : r.crs;
    g.origin_x = gt[0];
    g.origin_y = gt[3];
    g.cell_x = gt[1];
    g.cell_y = -gt[5];
    g.nx = r.width;
    g.ny = r.height;
    dem->file = f;
    dem->nodata = r.nodata;
    try {
      dem->bbox_3857 = extent_3857(g, transforms[worker]);
    } catch (const ProjError& e) {
      throw DataError(dir.string() + ": DEM CRS: " + e.what());
    }
    src->m_dems[i] = std::move(dem);
  });
  for (const auto& dem : src->m_dems) src->m_extent.expand(dem->bbox_3857);
  return src;
}

namespace {
// (k + 0.5) / 16 for the k-th pixel of a span between two transform nodes 16 pixels apart.
constexpr std::array<double, 16> kSpanWeights = {0.5 / 16,  1.5 / 16,  2.5 / 16,  3.5 / 16,  4.5 / 16,  5.5 / 16,
                                                 6.5 / 16,  7.5 / 16,  8.5 / 16,  9.5 / 16,  10.5 / 16, 11.5 / 16,
                                                 12.5 / 16, 13.5 / 16, 14.5 / 16, 15.5 / 16};
// 1 − kSpanWeights[k], exact as they are.
constexpr std::array<double, 16> kSpanKeep = {15.5 / 16, 14.5 / 16, 13.5 / 16, 12.5 / 16, 11.5 / 16, 10.5 / 16,
                                              9.5 / 16,  8.5 / 16,  7.5 / 16,  6.5 / 16,  5.5 / 16,  4.5 / 16,
                                              3.5 / 16,  2.5 / 16,  1.5 / 16,  0.5 / 16};
}  // namespace

bool ReliefSource::render_hillshade(const geo::BBox& extent, int width, int height, const HillshadeParams& p,
                                    std::uint8_t* argb, int stride) const {
  bool touched = false;
  const ShadeConstants shade(p);
  const double sx = extent.width() / width, sy = extent.height() / height;  // metres per pixel
  constexpr int kStep = 16;                                                 // coarse transform grid
  static_assert(kStep == static_cast<int>(kSpanWeights.size()));
  const int gw = width / kStep + 2, gh = height / kStep + 2;
  std::vector<geo::Coord> nodes;
  std::vector<geo::Coord> row_cells;  // per node column: grid cell coordinates at the row's y
  // One row's gradients (NaN: nothing to shade there) and shaded pixels, for shade_span.
  const auto w = static_cast<std::size_t>(width);
  std::vector<double> row_cx(w), row_cy(w);  // grid cell coordinates
  std::vector<float> row_gx(w), row_gy(w), sa(w), sr(w), sg(w), sb(w);
  std::vector<std::uint32_t> packed(w);
  const ShadedSpan shaded{sa.data(), sr.data(), sg.data(), sb.data(), packed.data()};
  // Where grids overlap (neighbouring villages), the first grid with data shades the pixel.
  std::vector<std::uint8_t> done(static_cast<std::size_t>(width) * height, 0);
  for (const auto& dem_ptr : m_dems) {
    if (!dem_ptr->bbox_3857.intersects(extent)) continue;
    const Dem& dem = dem_ptr->loaded();
    const Grid& g = dem.grid;
    // Only the pixels over the grid's extent (two pixels of slack over the densified bbox), and the
    // transform nodes around them: a county's DEMs are many small windows of a large canvas. The
    // nodes keep their places on the canvas's 16 px grid, so the pixels are shaded as before.
    const double margin_x = 2 * sx + 1, margin_y = 2 * sy + 1;
    const int x_lo = std::max(0, static_cast<int>(std::floor((dem.bbox_3857.min_x - margin_x - extent.min_x) / sx)));
    const int x_hi = std::min(width - 1, static_cast<int>(std::ceil((dem.bbox_3857.max_x + margin_x - extent.min_x) / sx)));
    const int y_lo = std::max(0, static_cast<int>(std::floor((extent.max_y - dem.bbox_3857.max_y - margin_y) / sy)));
    const int y_hi = std::min(height - 1, static_cast<int>(std::ceil((extent.max_y - dem.bbox_3857.min_y + margin_y) / sy)));
    if (x_lo > x_hi || y_lo > y_hi) continue;
    auto node_of = [](int px, int n) { return std::min(static_cast<int>((px + 0.5) / kStep), n - 2); };
    const int i_lo = node_of(x_lo, gw), i_hi = node_of(x_hi, gw) + 1;
    const int j_lo = node_of(y_lo, gh), j_hi = node_of(y_hi, gh) + 1;
    const int nw = i_hi - i_lo + 1, nh = j_hi - j_lo + 1;
    nodes.resize(static_cast<std::size_t>(nw) * nh);
    for (int j = 0; j < nh; ++j) {
      for (int i = 0; i < nw; ++i) {
        nodes[static_cast<std::size_t>(j) * nw + i] = {extent.min_x + ((i + i_lo) * kStep) * sx, extent.max_y - ((j + j_lo) * kStep) * sy};
      }
    }
    try {
      to_grid_transform(g.crs).apply(nodes);
    } catch (const ProjError&) {
      continue;  // the window lies outside the grid CRS's domain: nothing to shade
    }
    touched = true;
    // Nodes in grid cell coordinates (cell centres at integers): the map from grid CRS to cells is
    // affine, so interpolating cells equals interpolating CRS coordinates — without a division
    // per pixel.
    for (auto& n : nodes) n = {(n.x - g.origin_x) / g.cell_x - 0.5, (g.origin_y - n.y) / g.cell_y - 0.5};
    row_cells.resize(static_cast<std::size_t>(nw));
    const GradientGrid grid{dem.gx.data(), dem.gy.data(), g.nx, g.ny};
    const auto span = static_cast<std::size_t>(x_hi - x_lo + 1);
    for (int y = y_lo; y <= y_hi; ++y) {
      const double fy = (y + 0.5) / kStep;
      const int j0 = std::min(static_cast<int>(fy), gh - 2);
      const double ty = fy - j0;
      const geo::Coord* top = nodes.data() + static_cast<std::size_t>(j0 - j_lo) * nw;
      const geo::Coord* bottom = top + nw;
      for (int i = 0; i < nw; ++i) {
        row_cells[static_cast<std::size_t>(i)] = {top[i].x * (1 - ty) + bottom[i].x * ty, top[i].y * (1 - ty) + bottom[i].y * ty};
      }
      std::uint32_t* row = reinterpret_cast<std::uint32_t*>(argb + static_cast<std::ptrdiff_t>(y) * stride);
      std::uint8_t* done_row = done.data() + static_cast<std::size_t>(y) * width;
      // 1. Each pixel's place in the grid's cells, between the transform nodes of its span: pixel by
      // pixel along each span of kStep pixels between two nodes. Within a span the node pair is
      // fixed and a pixel's weight tx is one of kStep values (exact in binary, as is 1 − tx: the
      // same doubles the formula per pixel gave), so they are looked up, not recomputed; a whole
      // span is a loop of fixed length, which the compiler vectorises.
      for (int x = x_lo; x <= x_hi;) {
        const int i0 = std::min(static_cast<int>((x + 0.5) / kStep), gw - 2);
        // Past the last node pair (i0 clamped) the weight keeps growing: one pixel at a time.
        const bool clamped = (x + 0.5) / kStep >= i0 + 1;
        const int span_end = clamped ? x : std::min(x_hi, (i0 + 1) * kStep - 1);
        const geo::Coord a = row_cells[static_cast<std::size_t>(i0 - i_lo)];
        const geo::Coord b = row_cells[static_cast<std::size_t>(i0 - i_lo + 1)];
        double* cx = row_cx.data() + (x - x_lo);
        double* cy = row_cy.data() + (x - x_lo);
        if (!clamped && x == i0 * kStep && span_end == x + kStep - 1) {
          for (int k = 0; k < kStep; ++k) {
            cx[k] = a.x * kSpanKeep[static_cast<std::size_t>(k)] + b.x * kSpanWeights[static_cast<std::size_t>(k)];
            cy[k] = a.y * kSpanKeep[static_cast<std::size_t>(k)] + b.y * kSpanWeights[static_cast<std::size_t>(k)];
          }
          x += kStep;
          continue;
        }
        for (int o = 0; x <= span_end; ++x, ++o) {
          const double tx = clamped ? (x + 0.5) / kStep - i0 : kSpanWeights[static_cast<std::size_t>(x - i0 * kStep)];
          cx[o] = a.x * (1 - tx) + b.x * tx;
          cy[o] = a.y * (1 - tx) + b.y * tx;
        }
      }
      // 2. Their gradients, bilinear between the grid's cells (NaN: no data, or done).
      interpolate_gradients(grid, row_cx.data(), row_cy.data(), done_row + x_lo, span, row_gx.data(), row_gy.data());
      // 3. Their shades, eight or four at a time.
      shade_span(shade, row_gx.data(), row_gy.data(), span, shaded);
      // 4. Onto the row.
      composite_span(row_gx.data(), row_gy.data(), shaded, span, row + x_lo, done_row + x_lo);
    }
  }
  return touched;
}

}  // namespace minqing::render
