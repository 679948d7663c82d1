#include "render/metatile.hpp"

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

std::vector<TilePng> render_metatile_pngs(const MapRenderer& renderer, const store::FeatureSource& features,
                                          const std::vector<std::string>& maps, geo::TileId tile, int scale,
                                          const PngOptions& png) {
  if (!geo::is_valid(tile)) {
    throw RequestError("tile " + std::to_string(tile.z) + "/" + std::to_string(tile.x) + "/" + std::to_string(tile.y) +
                       " is not a valid tile");
  }
  if (scale != 1 && scale != 2) throw RequestError("tile scale must be 1 or 2");
  const int m = metatile_size(tile.z);
  const int tile_px = 256 * scale;
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
  SurfacePtr surface = make_image_surface(r.width_px, r.height_px);
  {
    CairoPtr cr = make_context(surface.get());
    renderer.draw(cr.get(), r);
  }
  cairo_surface_flush(surface.get());
  const std::uint8_t* data = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  const geo::TileId origin = metatile_origin(tile);
  std::vector<TilePng> out;
  out.reserve(static_cast<std::size_t>(m) * static_cast<std::size_t>(m));
  for (int j = 0; j < m; ++j) {
    for (int i = 0; i < m; ++i) {
      // A tile is a window of the surface: its first pixel, the surface's stride.
      const std::uint8_t* first = data + static_cast<std::ptrdiff_t>(j) * tile_px * stride + static_cast<std::ptrdiff_t>(i) * tile_px * 4;
      out.push_back({geo::TileId{tile.z, origin.x + static_cast<std::uint32_t>(i), origin.y + static_cast<std::uint32_t>(j)},
                     encode_png(first, tile_px, tile_px, stride, png)});
    }
  }
  return out;
}

}  // namespace minqing::render
