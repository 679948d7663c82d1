#pragma once
// One function per symbolizer (mapnik's process_*_symbolizer): each draws the features of one
// style layer onto the canvas, or (symbol) turns them into label candidates.

#include <vector>

#include <cairo.h>

#include "render/labels.hpp"
#include "render/pixel_geometry.hpp"
#include "store/served_feature.hpp"
#include "style/style.hpp"

namespace minqing::render {

class ReliefSource;
class ReliefCache;
class ShadedReliefCache;

// What every symbolizer needs to know about the canvas.
struct Canvas {
  cairo_t* cr = nullptr;
  PixelTransform to_px;     // 3857 → canvas pixels
  geo::BBox extent;         // 3857 shown
  geo::BBox clip;           // canvas pixels, buffered: geometry is clipped to it
  // EPSG:3857: a feature whose box misses it draws no pixel of this canvas (the canvas's extent
  // grown by the draw buffer), so it is not converted to pixels at all; empty: every feature is.
  // A canvas that is a window of a larger clip box (a tile or band of its metatile) skips the
  // features of the rest of the metatile this way, and still draws the others exactly as the whole
  // metatile does (draw_fill keeps the metatile's batches).
  geo::BBox draw_box;
  int width = 0;
  int height = 0;
  double scale = 1;
  double zoom = 0;
  double tolerance = 0.5;   // simplification, canvas pixels
  double hillshade_resolution = 1;  // RenderRequest::hillshade_resolution
  ReliefCache* relief_cache = nullptr;  // RenderRequest::relief_cache
  ShadedReliefCache* shaded_relief = nullptr;  // the renderer's (MapRenderer's constructor)
};

// The features of one layer that pass the access filter and the layer's filter, in fid order.
using FeatureList = std::vector<const store::ServedFeature*>;

void draw_background(const Canvas& canvas, const style::BackgroundSymbolizer& s);
void draw_fill(const Canvas& canvas, const style::FillSymbolizer& s, const FeatureList& features);
void draw_line(const Canvas& canvas, const style::LineSymbolizer& s, const FeatureList& features);
void draw_circle(const Canvas& canvas, const style::CircleSymbolizer& s, const FeatureList& features);
void draw_hillshade(const Canvas& canvas, const style::HillshadeSymbolizer& s, const ReliefSource& relief);

// Appends label candidates, in label space (`to_label_px`), for the features of one symbol layer.
// Candidates whose anchor lies outside `label_region` (label-space pixels) are not made.
void collect_labels(const Canvas& canvas, const PixelTransform& to_label_px, const geo::BBox& label_region,
                    const style::SymbolSymbolizer& s, const FeatureList& features, int rank,
                    std::vector<LabelCandidate>& out);

// Sets the cairo source to `c` with its alpha multiplied by `opacity`.
void set_source(cairo_t* cr, const style::Color& c, double opacity);

// The evaluation context of one feature.
inline style::EvalContext eval_context(const Canvas& canvas, const store::ServedFeature& f) {
  return style::EvalContext{canvas.zoom, &f.feature, f.feature.geometry.kind};
}

}  // namespace minqing::render
