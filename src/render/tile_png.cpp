#include <cmath>

#include "base/error.hpp"
#include "render/cairo_context.hpp"
#include "render/map_renderer.hpp"
#include "render/tile_footprint.hpp"

namespace minqing::render {

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
  r.label_extent = metatile_bbox(tile);
  return render_png(renderer, r, png);
}

}  // namespace minqing::render
