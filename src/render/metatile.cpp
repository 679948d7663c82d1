#include "render/metatile.hpp"

#include <algorithm>
#include <cstddef>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>

#include "base/error.hpp"
#include "render/cairo_context.hpp"
#include "render/tile_footprint.hpp"

namespace minqing::render {

geo::TileId metatile_origin(geo::TileId tile) noexcept {
  const auto m = static_cast<std::uint32_t>(metatile_size(tile.z));
  return {tile.z, tile.x / m * m, tile.y / m * m};
}

namespace {

// The 3857 extent of `rows` rows of tiles of the metatile at `origin` (m tiles wide), from row
// `first`: computed from the tiles' own extents, as metatile_bbox is.
geo::BBox rows_bbox(geo::TileId origin, int m, int first, int rows) noexcept {
  const geo::BBox a = geo::tile_bbox({origin.z, origin.x, origin.y + static_cast<std::uint32_t>(first)});
  const geo::BBox b = geo::tile_bbox({origin.z, origin.x + static_cast<std::uint32_t>(m - 1),
                                      origin.y + static_cast<std::uint32_t>(first + rows - 1)});
  return geo::BBox{a.min_x, b.min_y, b.max_x, a.max_y};
}

// Draws `r` on a new surface and encodes its tiles (tile_px square, row by row, `first_row` being
// the metatile's row of the surface's first) into their places in `out` (m per row).
void draw_and_cut(const MapRenderer& renderer, const RenderRequest& r, geo::TileId origin, int m, int first_row,
                  int tile_px, const PngOptions& png, std::vector<TilePng>& out) {
  SurfacePtr surface = make_image_surface(r.width_px, r.height_px);
  {
    CairoPtr cr = make_context(surface.get());
    renderer.draw(cr.get(), r);
  }
  cairo_surface_flush(surface.get());
  const std::uint8_t* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  for (int j = 0; j < r.height_px / tile_px; ++j) {
    for (int i = 0; i < m; ++i) {
      // A tile is a window of the surface: its first pixel, the surface's stride.
      const std::uint8_t* first = data + static_cast<std::ptrdiff_t>(j) * tile_px * stride + static_cast<std::ptrdiff_t>(i) * tile_px * 4;
      const int row = first_row + j;
      out[static_cast<std::size_t>(row) * static_cast<std::size_t>(m) + static_cast<std::size_t>(i)] = {
          geo::TileId{origin.z, origin.x + static_cast<std::uint32_t>(i), origin.y + static_cast<std::uint32_t>(row)},
          encode_png(first, tile_px, tile_px, stride, png)};
    }
  }
}


// One metatile drawn in bands by the threads of a pool, as a small graph of tasks that any of them
// takes as soon as it may run: placing the labels over the metatile; per band, its shapes (the
// hillshade, fills, lines, circles), then its labels (once they are placed); per tile, its PNG
// (once its band is drawn). A thread that is done with its band helps with the other band's tiles,
// and the labels are placed while the bands' shapes are drawn: before (session 10), the labels were
// placed first on one thread while the other waited, and each band encoded its own tiles, so the
// band drawn faster left its thread idle until the slower one was done (the composite's bands are
// rarely alike: the villages' features cluster). Which thread runs a task changes no pixel and no
// byte: every task draws or encodes the same thing on its own surface or tile.
class BandedDraw {
 public:
  BandedDraw(const MapRenderer& renderer, const RenderRequest& metatile, geo::TileId origin, int m, int bands, int tile_px,
             const PngOptions& png, std::vector<TilePng>& out)
      : m_renderer(renderer), m_metatile(metatile), m_origin(origin), m_m(m), m_rows(m / bands), m_tile_px(tile_px),
        m_png(png), m_out(out), m_bands(static_cast<std::size_t>(bands)) {}

  // Takes and runs tasks until none is left, waiting while the only ones left wait for tasks under
  // way on other threads. Never throws: the first error is kept for rethrow().
  void work() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      if (m_error) return;
      Task task = take();
      if (task.kind == Task::none) {
        if (m_running == 0) return;  // everything is done (or nothing can run: only after an error)
        m_changed.wait(lock);
        continue;
      }
      ++m_running;
      lock.unlock();
      std::exception_ptr error;
      try {
        run(task);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      --m_running;
      if (error && !m_error) m_error = error;
      finish(task);
      m_changed.notify_all();
    }
  }

  void rethrow() const {
    if (m_error) std::rethrow_exception(m_error);
  }

 private:
  struct Task {
    enum Kind { none, plan, shapes, labels, encode } kind = none;
    std::size_t index = 0;  // the band (shapes, labels) or the tile (encode)
  };
  struct Band {
    enum State { waiting, drawing_shapes, shapes_drawn, drawing_labels, drawn } state = waiting;
    SurfacePtr surface;
    CairoPtr cr;
    std::size_t encoded = 0;  // its tiles taken for encoding, in order
  };

  // The next task that may run, under the lock: the labels' placement first (every band needs it),
  // then the bands' shapes (the longest tasks), a band's labels, the drawn bands' tiles' PNGs.
  Task take() {
    if (!m_plan_taken) {
      m_plan_taken = true;
      return {Task::plan, 0};
    }
    for (std::size_t j = 0; j < m_bands.size(); ++j) {
      if (m_bands[j].state == Band::waiting) {
        m_bands[j].state = Band::drawing_shapes;
        return {Task::shapes, j};
      }
    }
    if (m_labels) {
      for (std::size_t j = 0; j < m_bands.size(); ++j) {
        if (m_bands[j].state == Band::shapes_drawn) {
          m_bands[j].state = Band::drawing_labels;
          return {Task::labels, j};
        }
      }
    }
    const std::size_t per_band = static_cast<std::size_t>(m_rows) * static_cast<std::size_t>(m_m);
    for (std::size_t j = 0; j < m_bands.size(); ++j) {
      Band& b = m_bands[j];
      if (b.state == Band::drawn && b.encoded < per_band) return {Task::encode, j * per_band + b.encoded++};
    }
    return {};
  }

  void finish(const Task& task) {
    if (task.kind == Task::shapes) m_bands[task.index].state = Band::shapes_drawn;
    if (task.kind == Task::labels) m_bands[task.index].state = Band::drawn;
  }

  RenderRequest band_request(std::size_t j) const {
    RenderRequest band = m_metatile;
    band.extent = rows_bbox(m_origin, m_m, static_cast<int>(j) * m_rows, m_rows);
    band.height_px = m_tile_px * m_rows;
    return band;
  }

  void run(const Task& task) {
    switch (task.kind) {
      case Task::none: return;
      case Task::plan: {
        auto labels = m_renderer.plan_labels(m_metatile);
        const std::lock_guard lock(m_mutex);
        m_labels = std::move(labels);
        return;
      }
      case Task::shapes: {
        // Drawn as MapRenderer::draw draws a band in one call: its shapes now, its labels over them
        // later, each call saving and restoring the cairo state.
        Band& b = m_bands[task.index];
        RenderRequest band = band_request(task.index);
        band.draw_labels = false;
        b.surface = make_image_surface(band.width_px, band.height_px);
        b.cr = make_context(b.surface.get());
        m_renderer.draw(b.cr.get(), band);
        return;
      }
      case Task::labels: {
        Band& b = m_bands[task.index];
        RenderRequest band = band_request(task.index);
        band.shapes_from = band.maps.size();
        band.labels = m_labels.get();
        m_renderer.draw(b.cr.get(), band);
        b.cr.reset();
        cairo_surface_flush(b.surface.get());
        return;
      }
      case Task::encode: {
        const std::size_t per_band = static_cast<std::size_t>(m_rows) * static_cast<std::size_t>(m_m);
        const std::size_t j = task.index / per_band;
        const int row_in_band = static_cast<int>((task.index % per_band) / static_cast<std::size_t>(m_m));
        const int col = static_cast<int>(task.index % static_cast<std::size_t>(m_m));
        cairo_surface_t* surface = m_bands[j].surface.get();
        const int stride = cairo_image_surface_get_stride(surface);
        // A tile is a window of its band's surface: its first pixel, the surface's stride.
        const std::uint8_t* first = cairo_image_surface_get_data(surface) +
                                    static_cast<std::ptrdiff_t>(row_in_band) * m_tile_px * stride +
                                    static_cast<std::ptrdiff_t>(col) * m_tile_px * 4;
        const int row = static_cast<int>(j) * m_rows + row_in_band;
        m_out[task.index] = {geo::TileId{m_origin.z, m_origin.x + static_cast<std::uint32_t>(col),
                                         m_origin.y + static_cast<std::uint32_t>(row)},
                             encode_png(first, m_tile_px, m_tile_px, stride, m_png)};
        return;
      }
    }
  }

  const MapRenderer& m_renderer;
  const RenderRequest& m_metatile;
  const geo::TileId m_origin;
  const int m_m;
  const int m_rows;  // rows of tiles a band
  const int m_tile_px;
  const PngOptions& m_png;
  std::vector<TilePng>& m_out;  // each task writes its own element

  std::mutex m_mutex;
  std::condition_variable m_changed;  // a task finished
  bool m_plan_taken = false;
  std::unique_ptr<LabelPlan> m_labels;  // set once placed
  std::vector<Band> m_bands;
  int m_running = 0;
  std::exception_ptr m_error;
};

}  // namespace

std::vector<TilePng> render_metatile_pngs(const MapRenderer& renderer, const store::FeatureSource& features,
                                          const std::vector<std::string>& maps, geo::TileId tile, int scale,
                                          const PngOptions& png, DrawPool* pool) {
  if (!geo::is_valid(tile)) {
    throw RequestError("tile " + std::to_string(tile.z) + "/" + std::to_string(tile.x) + "/" + std::to_string(tile.y) +
                       " is not a valid tile");
  }
  if (scale != 1 && scale != 2) throw RequestError("tile scale must be 1 or 2");
  const int m = metatile_size(tile.z);
  const int tile_px = 256 * scale;
  const geo::TileId origin = metatile_origin(tile);
  RenderRequest r;
  r.maps = maps;
  // The metatile's extent is both the canvas and the label region: the labels every tile of it
  // places (render_tile_png passes the same label extent), drawn once.
  r.extent = metatile_bbox(tile);
  r.label_extent = r.extent;
  r.width_px = r.height_px = tile_px * m;
  r.scale = scale;
  r.zoom = tile.z;
  r.features = &features;
  std::vector<TilePng> out(static_cast<std::size_t>(m) * static_cast<std::size_t>(m));
  if (pool == nullptr || m == 1) {
    draw_and_cut(renderer, r, origin, m, 0, tile_px, png, out);
    return out;
  }
  // Bands of whole rows of tiles, each a whole-pixel window of the metatile with the metatile's
  // labels, as many as there are threads to draw them (the caller and the workers), at most m.
  // A band converts and clips only the features that meet it and its draw buffer
  // (Canvas::draw_box); before that (session 7) each band processed every feature of the metatile
  // again and cairo clipped them to the band: 2 bands cost 3 % more CPU than one surface, 4 bands
  // 12 %, on the 20-village composite.
  int bands = std::min(m, static_cast<int>(pool->workers()) + 1);
  while (m % bands != 0) --bands;
  BandedDraw draw(renderer, r, origin, m, bands, tile_px, png, out);
  pool->run(static_cast<std::size_t>(bands), [&](std::size_t) { draw.work(); });
  draw.rethrow();
  return out;
}

}  // namespace minqing::render
