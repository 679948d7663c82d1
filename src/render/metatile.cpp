#include "render/metatile.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

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
  const std::unique_ptr<LabelPlan> labels = renderer.plan_labels(r);
  int bands = std::min(m, static_cast<int>(pool->workers()) + 1);
  while (m % bands != 0) --bands;
  const int rows = m / bands;
  pool->run(static_cast<std::size_t>(bands), [&](std::size_t j) {
    RenderRequest band = r;
    band.extent = rows_bbox(origin, m, static_cast<int>(j) * rows, rows);
    band.height_px = tile_px * rows;
    band.labels = labels.get();
    draw_and_cut(renderer, band, origin, m, static_cast<int>(j) * rows, tile_px, png, out);
  });
  return out;
}

}  // namespace minqing::render
