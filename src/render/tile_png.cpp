#include <cmath>

#include "base/error.hpp"
#include "render/cairo_context.hpp"
#include "render/map_renderer.hpp"

namespace minqing::render {

int metatile_size(int z) noexcept {
  int m = 4;
  while (m > 1 && (1 << z) < m) m /= 2;
  return m;
}

double zoom_for(const geo::BBox& extent, int width_px, double scale) noexcept {
  const double css_px = width_px / scale;
  const double res = extent.width() / css_px;
  return std::log2(2 * geo::kMercatorHalfWorld / (256 * res));
}

std::string render_png(const MapRenderer& renderer, const RenderRequest& request, const PngOptions& png) {
  SurfacePtr surface = make_image_surface(request.width_px, request.height_px);
  {
    CairoPtr cr = make_context(surface.get());
    renderer.draw(cr.get(), request);
  }
  cairo_surface_flush(surface.get());
  return encode_png(cairo_image_surface_get_data(surface.get()), request.width_px, request.height_px,
                    cairo_image_surface_get_stride(surface.get()), png);
}

std::string render_tile_png(const MapRenderer& renderer, const store::FeatureSource& features,
                            const std::vector<std::string>& maps, geo::TileId tile, int scale, const PngOptions& png) {
  if (!geo::is_valid(tile)) throw RequestError("tile " + std::to_string(tile.z) + "/" + std::to_string(tile.x) + "/" + std::to_string(tile.y) + " is not a valid tile");
  if (scale != 1 && scale != 2) throw RequestError("tile scale must be 1 or 2");
  RenderRequest r;
  r.maps = maps;
  r.extent = geo::tile_bbox(tile);
  r.width_px = r.height_px = 256 * scale;
  r.scale = scale;
  r.zoom = tile.z;
  r.features = &features;
  // Labels are placed over the metatile holding the tile: every tile of it places the same labels
  // and draws its part of them.
  const std::uint32_t m = static_cast<std::uint32_t>(metatile_size(tile.z));
  const std::uint32_t mx = tile.x / m * m, my = tile.y / m * m;
  const geo::BBox first = geo::tile_bbox({tile.z, mx, my});
  const geo::BBox last = geo::tile_bbox({tile.z, mx + m - 1, my + m - 1});
  r.label_extent = geo::BBox{first.min_x, last.min_y, last.max_x, first.max_y};
  return render_png(renderer, r, png);
}

}  // namespace minqing::render
