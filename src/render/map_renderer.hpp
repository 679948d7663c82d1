#pragma once
// The map renderer: features of the serving index, drawn with the map styles onto any cairo
// surface (image surfaces for tiles and overviews, PDF surfaces for printed sheets).
//
// Pipeline (after mapnik): for each map, each style layer visible at the zoom → features from
// the request's FeatureSource (buffered extent; a server passes the caller's
// query::ScopedReader, so only what the caller may see, in its form, is drawn) → style filter →
// symbolizer (fill, line, circle,
// hillshade) on the canvas; symbol layers become label candidates, placed together at the end
// in label space and drawn over everything else.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <cairo.h>

#include "geo/coord.hpp"
#include "geo/tile.hpp"
#include "render/labels.hpp"
#include "render/png_encoder.hpp"
#include "render/tile_footprint.hpp"
#include "store/feature_source.hpp"
#include "style/style.hpp"

namespace minqing::render {

class ReliefSource;
class ReliefCache;
class ShadedReliefCache;
struct LabelPlan;

struct RenderRequest {
  std::vector<std::string> maps;  // style names (= map names), drawn in this order
  geo::BBox extent;               // EPSG:3857, mapped onto the whole canvas
  int width_px = 256;             // canvas size in device pixels
  int height_px = 256;
  double scale = 1;               // device pixels per style pixel: 2 for @2x (same extent, 2× pixels)
  double zoom = 0;                // for style evaluation (minzoom/maxzoom, zoom expressions)
  // Where features come from (required): the caller's scoped reader, or an unscoped index for
  // the command line. Must outlive the draw.
  const store::FeatureSource* features = nullptr;
  // Where labels are placed (EPSG:3857): labels lie wholly inside it, and the same label_extent
  // (with the same zoom, scale and data) gives the same labels, whichever part of it `extent`
  // shows. Tiles pass their metatile here. Empty = `extent`. Must share `extent`'s resolution.
  geo::BBox label_extent;
  // Hillshade pixels per canvas pixel, in (0, 1]: 1 (tiles) shades every canvas pixel; a printed
  // sheet, whose canvas is finer than the DEM, shades a coarser grid and lets the PDF viewer
  // interpolate it — a smaller image to compute and to compress.
  double hillshade_resolution = 1;
  // Where set, the shaded relief is looked up there and shaded only on a miss (render/relief_cache.hpp):
  // the atlas's sheets of one village share one shading. Same pixels either way. Must outlive the
  // draw; used by one thread at a time.
  ReliefCache* relief_cache = nullptr;
  // For a caller that draws part of a map once and reuses it (a printed atlas lays one drawing of
  // a village's base map under each of its sheets): the shapes of maps[0, shapes_from) are left
  // out — the caller has them on the canvas already — while their labels are still placed with
  // the others'; and with draw_labels = false, shapes only, no label is placed or drawn.
  std::size_t shapes_from = 0;
  bool draw_labels = true;
  // Where set, the labels placed beforehand by MapRenderer::plan_labels for the same maps, zoom,
  // scale, features and label_extent: draw() draws these instead of shaping and placing its own
  // (the same labels, so the same pixels). The windows of one label extent drawn on several threads
  // (a metatile's bands, render/metatile.hpp) place them once. Must outlive the draw.
  const LabelPlan* labels = nullptr;
};

// Labels placed over one label extent (MapRenderer::plan_labels), for several draws to share.
// Not copyable: the placed labels point into the candidates.
struct LabelPlan {
  LabelPlan() = default;
  LabelPlan(const LabelPlan&) = delete;
  LabelPlan& operator=(const LabelPlan&) = delete;

  std::vector<LabelCandidate> candidates;
  std::vector<PlacedLabel> placed;  // in drawing order, in label space
};

// A placed label, for tests and print layouts: its text and its box in canvas pixels.
struct LabelBox {
  std::string text;
  geo::BBox box;
};

// Thread-safe: one MapRenderer serves any number of concurrent draw() calls (each on its own
// cairo context); pango state is per thread. Holds references: the styles and relief must outlive
// it.
class MapRenderer {
 public:
  // `relief` may be null (no hillshade). `shaded_relief` (may be null) keeps the shaded relief of
  // the canvases drawn at full resolution for later draws of the same canvas — whatever the maps,
  // the caller or the data (render/shaded_relief_cache.hpp); same pixels either way. It must
  // outlive the renderer and may be shared with other renderers.
  MapRenderer(const style::StyleSet& styles, const ReliefSource* relief, ShadedReliefCache* shaded_relief = nullptr);

  // Draws `request` onto `cr`, whose user space has its origin at the canvas's top-left and one
  // unit per device pixel (the caller sets up any page transform). The cairo state is restored.
  // @throws RequestError for an unknown map name or a request without features; RenderError when
  // cairo fails.
  void draw(cairo_t* cr, const RenderRequest& request) const;

  // Shapes and places the labels of `request` as draw() would (request.labels is ignored), for
  // draws of windows of its label extent to share (RenderRequest::labels). Thread-safe as draw.
  std::unique_ptr<LabelPlan> plan_labels(const RenderRequest& request) const;

  // The labels draw() would place, in canvas pixels.
  std::vector<LabelBox> labels(const RenderRequest& request) const;

  const style::StyleSet& styles() const noexcept { return m_styles; }
  const ReliefSource* relief() const noexcept { return m_relief; }
  ShadedReliefCache* shaded_relief() const noexcept { return m_shaded_relief; }

 private:
  const style::StyleSet& m_styles;
  const ReliefSource* m_relief;
  ShadedReliefCache* m_shaded_relief;
};

// Renders one XYZ tile (256 px, or 512 px when scale == 2) of `maps` and encodes it as PNG.
// Labels are placed over the tile's metatile so that they continue across tile edges.
// @throws RequestError for an invalid tile, scale or unknown map; RenderError on failure.
std::string render_tile_png(const MapRenderer& renderer, const store::FeatureSource& features,
                            const std::vector<std::string>& maps, geo::TileId tile, int scale, const PngOptions& png = {});

// Renders any request onto a new image surface and encodes it as PNG.
std::string render_png(const MapRenderer& renderer, const RenderRequest& request, const PngOptions& png = {});

// The style zoom of a canvas showing `extent` over `width_px` device pixels at `scale`.
double zoom_for(const geo::BBox& extent, int width_px, double scale) noexcept;

}  // namespace minqing::render
