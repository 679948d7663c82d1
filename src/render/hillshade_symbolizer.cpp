#include <algorithm>
#include <cmath>
#include <cstring>

#include "render/cairo_context.hpp"
#include "render/relief_cache.hpp"
#include "render/relief_source.hpp"
#include "render/shaded_relief_cache.hpp"
#include "render/symbolizers.hpp"

namespace minqing::render {

void draw_hillshade(const Canvas& canvas, const style::HillshadeSymbolizer& s, const ReliefSource& relief) {
  if (relief.empty() || !relief.extent().intersects(canvas.extent)) return;
  const style::EvalContext ctx{canvas.zoom, nullptr, geo::GeometryKind::polygon};
  HillshadeParams p;
  p.exaggeration = s.exaggeration.evaluate(ctx);
  p.shadow = s.shadow_color.evaluate(ctx);
  p.highlight = s.highlight_color.evaluate(ctx);
  p.accent = s.accent_color.evaluate(ctx);
  p.azimuth_deg = s.illumination_direction;
  const bool full = canvas.hillshade_resolution == 1;
  if (full && !canvas.relief_cache && canvas.shaded_relief) {
    // Tiles from a renderer with a cache (render/shaded_relief_cache.hpp): the shading kept across
    // draws, cropped to what it touched, composited at its place — the pixels of the draw below
    // (the pixels left out are transparent, and OVER leaves the canvas as it is under them).
    const ShadedReliefPtr shaded = canvas.shaded_relief->get(relief, canvas.extent, canvas.width, canvas.height, p);
    if (!shaded) return;
    // A surface of this draw's own over the shared pixels, which it only reads (a cairo surface
    // must not be a source on two threads at once).
    SurfacePtr image(cairo_image_surface_create_for_data(
        reinterpret_cast<unsigned char*>(const_cast<std::uint32_t*>(shaded->pixels.data())), CAIRO_FORMAT_ARGB32,
        shaded->width, shaded->height, shaded->width * 4));
    check(image.get(), "wrapping the shaded relief");
    CairoSave save(canvas.cr);
    cairo_set_source_surface(canvas.cr, image.get(), shaded->x, shaded->y);
    cairo_paint(canvas.cr);
    check(canvas.cr, "drawing the hillshade");
    return;
  }
  // Shade on a transparent image of the canvas's pixel grid (or a coarser one: printed sheets),
  // then composite it: the same code serves image and PDF surfaces.
  const int w = full ? canvas.width : std::max(1, static_cast<int>(std::ceil(canvas.width * canvas.hillshade_resolution)));
  const int h = full ? canvas.height : std::max(1, static_cast<int>(std::ceil(canvas.height * canvas.hillshade_resolution)));
  const auto shade = [&]() -> SurfacePtr {
    SurfacePtr image = make_image_surface(w, h);
    cairo_surface_flush(image.get());
    unsigned char* data = cairo_image_surface_get_data(image.get());
    const int stride = cairo_image_surface_get_stride(image.get());
    std::memset(data, 0, static_cast<std::size_t>(stride) * h);
    if (!relief.render_hillshade(canvas.extent, w, h, p, data, stride)) return nullptr;
    cairo_surface_mark_dirty(image.get());
    return image;
  };
  SurfacePtr own;
  cairo_surface_t* image = nullptr;
  if (canvas.relief_cache) {
    image = canvas.relief_cache->get(canvas.extent, w, h, p, shade);
  } else {
    own = shade();
    image = own.get();
  }
  if (!image) return;
  CairoSave save(canvas.cr);
  if (!full) cairo_scale(canvas.cr, static_cast<double>(canvas.width) / w, static_cast<double>(canvas.height) / h);
  cairo_set_source_surface(canvas.cr, image, 0, 0);
  if (!full) cairo_pattern_set_filter(cairo_get_source(canvas.cr), CAIRO_FILTER_BILINEAR);
  cairo_paint(canvas.cr);
  check(canvas.cr, "drawing the hillshade");
}

}  // namespace minqing::render
