#include "render/map_renderer.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "base/error.hpp"
#include "render/cairo_context.hpp"
#include "render/labels.hpp"
#include "render/relief_source.hpp"
#include "render/symbolizers.hpp"

namespace minqing::render {

MapRenderer::MapRenderer(const style::StyleSet& styles, const ReliefSource* relief, ShadedReliefCache* shaded_relief)
    : m_styles(styles), m_relief(relief), m_shaded_relief(shaded_relief) {}

namespace {

// Geometry beyond the canvas that still gets drawn: wide strokes and circles whose centre lies
// outside must show their part inside, identically in neighbouring tiles.
constexpr double kBufferPx = kDrawBufferPx;

// Features of one class in one box, fetched once per draw and shared by the layers that use them.
class FeatureCache {
 public:
  FeatureCache(const store::FeatureSource& source, const geo::BBox& box) : m_source(source), m_box(box) {}

  const std::vector<store::ServedFeaturePtr>& get(const std::string& cls) {
    auto it = m_cache.find(cls);
    if (it != m_cache.end()) return it->second;
    std::vector<store::ServedFeaturePtr> hits;
    m_source.query(cls, m_box, hits);
    // The R-tree's order is arbitrary: fid order makes drawing and labels deterministic.
    std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
    return m_cache.emplace(cls, std::move(hits)).first->second;
  }

 private:
  const store::FeatureSource& m_source;
  geo::BBox m_box;
  std::unordered_map<std::string, std::vector<store::ServedFeaturePtr>> m_cache;
};

FeatureList select(const std::vector<store::ServedFeaturePtr>& all, const style::StyleLayer& layer, double zoom) {
  FeatureList out;
  out.reserve(all.size());
  for (const auto& f : all) {
    if (layer.filter) {
      const style::EvalContext ctx{zoom, &f->feature, f->feature.geometry.kind};
      if (!style::as_boolean(layer.filter->evaluate(ctx)).value_or(false)) continue;
    }
    out.push_back(f.get());
  }
  return out;
}

struct Frame {
  Canvas canvas;
  PixelTransform to_label_px;
  geo::BBox label_region;  // label-space pixels
  geo::Coord label_offset;  // label space → canvas pixels
  geo::BBox query_box;      // 3857
  geo::BBox label_box;      // 3857
};

Frame make_frame(cairo_t* cr, const RenderRequest& r, ShadedReliefCache* shaded_relief) {
  if (r.width_px <= 0 || r.height_px <= 0 || r.width_px > 32768 || r.height_px > 32768) {
    throw RequestError("render size " + std::to_string(r.width_px) + "x" + std::to_string(r.height_px) + " is out of range");
  }
  if (r.extent.empty() || r.extent.width() <= 0 || r.extent.height() <= 0) throw RequestError("render extent is empty");
  if (!(r.scale > 0 && r.scale <= 8)) throw RequestError("render scale must be in (0, 8]");
  if (!(r.hillshade_resolution > 0 && r.hillshade_resolution <= 1)) {
    throw RequestError("hillshade resolution must be in (0, 1]");
  }
  Frame f;
  Canvas& c = f.canvas;
  c.cr = cr;
  c.to_px = PixelTransform(r.extent, r.width_px, r.height_px);
  c.extent = r.extent;
  c.width = r.width_px;
  c.height = r.height_px;
  c.scale = r.scale;
  c.zoom = r.zoom;
  c.hillshade_resolution = r.hillshade_resolution;
  c.relief_cache = r.relief_cache;
  c.shaded_relief = shaded_relief;
  const double buffer = kBufferPx * r.scale;
  c.clip = geo::BBox{-buffer, -buffer, r.width_px + buffer, r.height_px + buffer};
  f.query_box = r.extent.buffered(buffer / std::min(c.to_px.sx, c.to_px.sy));
  f.label_box = r.label_extent.empty() ? r.extent : r.label_extent;
  // Label space: the label extent's own pixel grid at the canvas's resolution, computed from the
  // label extent alone so that every canvas inside it gets the very same label coordinates.
  const double lw = std::round(f.label_box.width() * c.to_px.sx), lh = std::round(f.label_box.height() * c.to_px.sy);
  f.to_label_px.min_x = f.label_box.min_x;
  f.to_label_px.max_y = f.label_box.max_y;
  f.to_label_px.sx = lw / f.label_box.width();
  f.to_label_px.sy = lh / f.label_box.height();
  f.label_region = geo::BBox{0, 0, lw, lh};
  const geo::Coord o = c.to_px(geo::Coord{f.label_box.min_x, f.label_box.max_y});
  auto snap = [](double v) { return std::fabs(v - std::round(v)) < 1e-3 ? std::round(v) : v; };
  f.label_offset = {snap(o.x), snap(o.y)};
  // A canvas that is a whole-pixel window of its label extent (a tile of its metatile) draws the
  // label extent's geometry as the label extent's own canvas would, shifted: the same features, the
  // same transform, the same clip box. Then a tile drawn alone and the same tile cut from its
  // metatile (render/metatile.hpp) draw the very same paths. Otherwise each rounds its own
  // coordinates and clips at its own edge, and a fill layer batches its features of one style
  // differently (a feature of another style between two of them, outside the tile, splits the
  // batch): antialiased edges and dash ends a few levels apart, up to 17 of 255, on up to 3 % of a
  // tile's pixels.
  const bool whole_pixel_window =
      f.label_offset.x == std::round(f.label_offset.x) && f.label_offset.y == std::round(f.label_offset.y);
  if (!r.label_extent.empty() && whole_pixel_window) {
    c.to_px = f.to_label_px;
    c.to_px.offset_x = f.label_offset.x;
    c.to_px.offset_y = f.label_offset.y;
    c.clip = geo::BBox{f.label_offset.x - buffer, f.label_offset.y - buffer, f.label_offset.x + lw + buffer,
                       f.label_offset.y + lh + buffer};
    f.query_box = f.label_box.buffered(buffer / std::min(f.to_label_px.sx, f.to_label_px.sy));
    // The features of the label extent beyond this window and its buffer draw nothing here: a band
    // of a metatile (render/metatile.hpp) converts and clips only its own.
    c.draw_box = r.extent.buffered(buffer / std::min(f.to_label_px.sx, f.to_label_px.sy));
  }
  return f;
}

// Runs the style layers of every map; draws them when `draw` is set; returns the label candidates
// (kept alive in `candidates`) placed, or none when `place` is not set.
std::vector<PlacedLabel> run_layers(const MapRenderer& renderer, const RenderRequest& r, const Frame& frame, bool draw,
                                    bool place, std::vector<LabelCandidate>& candidates) {
  std::vector<const style::Style*> styles;
  for (const auto& m : r.maps) {
    const auto* s = renderer.styles().find(m);
    if (!s) throw RequestError("unknown map \"" + m + "\"");
    styles.push_back(s);
  }
  if (r.features == nullptr) throw RequestError("render request without a feature source");
  FeatureCache features(*r.features, frame.query_box);
  FeatureCache label_features(*r.features, frame.label_box);
  const Canvas& canvas = frame.canvas;
  int layer_counter = 0;
  for (std::size_t map = 0; map < styles.size(); ++map) {
    const bool shapes = draw && map >= r.shapes_from;
    for (const auto& layer : styles[map]->layers) {
      ++layer_counter;
      if (!layer.visible_at(r.zoom)) continue;
      if (const auto* sym = std::get_if<style::SymbolSymbolizer>(&layer.symbolizer)) {
        if (!place || !r.draw_labels) continue;
        const FeatureList list = select(label_features.get(layer.source_layer), layer, r.zoom);
        // Layers higher in the stack are placed first.
        collect_labels(canvas, frame.to_label_px, frame.label_region, *sym, list, -layer_counter, candidates);
        continue;
      }
      if (!shapes) continue;
      std::visit(
          [&](const auto& sz) {
            using T = std::decay_t<decltype(sz)>;
            if constexpr (std::is_same_v<T, style::BackgroundSymbolizer>) {
              draw_background(canvas, sz);
            } else if constexpr (std::is_same_v<T, style::HillshadeSymbolizer>) {
              if (renderer.relief()) draw_hillshade(canvas, sz, *renderer.relief());
            } else if constexpr (std::is_same_v<T, style::FillSymbolizer>) {
              draw_fill(canvas, sz, select(features.get(layer.source_layer), layer, r.zoom));
            } else if constexpr (std::is_same_v<T, style::LineSymbolizer>) {
              draw_line(canvas, sz, select(features.get(layer.source_layer), layer, r.zoom));
            } else if constexpr (std::is_same_v<T, style::CircleSymbolizer>) {
              draw_circle(canvas, sz, select(features.get(layer.source_layer), layer, r.zoom));
            }
          },
          layer.symbolizer);
    }
  }
  if (!place) return {};
  return place_labels(candidates, frame.label_region);
}

}  // namespace

void MapRenderer::draw(cairo_t* cr, const RenderRequest& request) const {
  const Frame frame = make_frame(cr, request, m_shaded_relief);
  CairoSave save(cr);
  cairo_rectangle(cr, 0, 0, request.width_px, request.height_px);
  cairo_clip(cr);
  std::vector<LabelCandidate> candidates;
  const auto placed = run_layers(*this, request, frame, true, request.labels == nullptr, candidates);
  if (request.draw_labels) {
    draw_labels(cr, request.labels ? request.labels->placed : placed, frame.label_offset,
                geo::BBox{0, 0, double(request.width_px), double(request.height_px)});
  }
  check(cr, "drawing the map");
}

std::unique_ptr<LabelPlan> MapRenderer::plan_labels(const RenderRequest& request) const {
  const Frame frame = make_frame(nullptr, request, nullptr);
  auto plan = std::make_unique<LabelPlan>();
  plan->placed = run_layers(*this, request, frame, false, true, plan->candidates);
  return plan;
}

std::vector<LabelBox> MapRenderer::labels(const RenderRequest& request) const {
  const Frame frame = make_frame(nullptr, request, nullptr);
  std::vector<LabelCandidate> candidates;
  const auto placed = run_layers(*this, request, frame, false, true, candidates);
  std::vector<LabelBox> out;
  for (const auto& p : placed) {
    const geo::Coord o = frame.label_offset;
    out.push_back({p.candidate->text, geo::BBox{p.box.min_x + o.x, p.box.min_y + o.y, p.box.max_x + o.x, p.box.max_y + o.y}});
  }
  return out;
}

}  // namespace minqing::render
