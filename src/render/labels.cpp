#include "render/labels.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>
#include <unordered_map>

#include <pango/pangocairo.h>

#include "render/cairo_context.hpp"

namespace minqing::render {

using geo::Coord;

namespace {

using SharedLayout = std::shared_ptr<PangoLayout>;

SharedLayout share(PangoLayout* l) { return SharedLayout(l, [](PangoLayout* p) { g_object_unref(p); }); }

// Per-thread pango state: pango font maps and contexts are not thread-safe, so every rendering
// thread gets its own (created on first use, kept for the thread's life).
class TextEngine {
 public:
  static TextEngine& local() {
    thread_local TextEngine engine;
    return engine;
  }

  TextEngine() {
    m_fontmap = pango_cairo_font_map_new();
    m_context = pango_font_map_create_context(m_fontmap);
    cairo_font_options_t* opts = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(opts, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(opts, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(m_context, opts);
    cairo_font_options_destroy(opts);
    pango_cairo_context_set_resolution(m_context, 72);
  }
  ~TextEngine() {
    m_glyphs.clear();
    g_object_unref(m_context);
    g_object_unref(m_fontmap);
  }
  TextEngine(const TextEngine&) = delete;
  TextEngine& operator=(const TextEngine&) = delete;

  SharedLayout layout(const LabelCandidate& c) {
    SharedLayout l = share(pango_layout_new(m_context));
    apply_font(l.get(), c.font_family, c.font_weight, c.size);
    if (c.max_width > 0) {
      pango_layout_set_width(l.get(), static_cast<int>(c.max_width * PANGO_SCALE));
      pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(l.get(), PANGO_ALIGN_CENTER);
    pango_layout_set_line_spacing(l.get(), static_cast<float>(c.line_height));
    if (c.letter_spacing != 0) {
      PangoAttrList* attrs = pango_attr_list_new();
      pango_attr_list_insert(attrs, pango_attr_letter_spacing_new(static_cast<int>(c.letter_spacing * PANGO_SCALE)));
      pango_layout_set_attributes(l.get(), attrs);
      pango_attr_list_unref(attrs);
    }
    pango_layout_set_text(l.get(), c.text.data(), static_cast<int>(c.text.size()));
    return l;
  }

  // A cached layout of one character.
  SharedLayout glyph(const std::string& ch, const std::string& family, int weight, double size) {
    std::string key = family;
    key += '\x1f';
    key += std::to_string(weight);
    key += '\x1f';
    key += std::to_string(static_cast<long long>(std::lround(size * 64)));
    key += '\x1f';
    key += ch;
    auto it = m_glyphs.find(key);
    if (it != m_glyphs.end()) return it->second;
    if (m_glyphs.size() > 20000) m_glyphs.clear();
    SharedLayout l = share(pango_layout_new(m_context));
    apply_font(l.get(), family, weight, size);
    pango_layout_set_text(l.get(), ch.data(), static_cast<int>(ch.size()));
    m_glyphs.emplace(std::move(key), l);
    return l;
  }

 private:
  static void apply_font(PangoLayout* l, const std::string& family, int weight, double size) {
    PangoFontDescription* d = pango_font_description_new();
    pango_font_description_set_family(d, family.c_str());
    pango_font_description_set_weight(d, static_cast<PangoWeight>(weight));
    pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
    pango_layout_set_font_description(l, d);
    pango_font_description_free(d);
  }

  PangoFontMap* m_fontmap = nullptr;
  PangoContext* m_context = nullptr;
  std::unordered_map<std::string, SharedLayout> m_glyphs;
};

// Logical extents in (fractional) pixels.
struct Extents {
  double x, y, w, h;
};
Extents logical_extents(PangoLayout* l) {
  PangoRectangle logical;
  pango_layout_get_extents(l, nullptr, &logical);
  return {static_cast<double>(logical.x) / PANGO_SCALE, static_cast<double>(logical.y) / PANGO_SCALE,
          static_cast<double>(logical.width) / PANGO_SCALE, static_cast<double>(logical.height) / PANGO_SCALE};
}

// A uniform grid of boxes for collision tests.
class CollisionIndex {
 public:
  explicit CollisionIndex(const geo::BBox& region) : m_region(region) {
    m_cols = std::max(1, static_cast<int>(std::ceil(region.width() / kCell)));
    m_rows = std::max(1, static_cast<int>(std::ceil(region.height() / kCell)));
    m_cells.resize(static_cast<std::size_t>(m_cols) * m_rows);
  }

  bool collides(const geo::BBox& b) const {
    bool hit = false;
    visit(b, [&](const std::vector<std::size_t>& cell) {
      for (std::size_t i : cell) {
        if (intersects_open(m_boxes[i], b)) {
          hit = true;
          return;
        }
      }
    });
    return hit;
  }

  void insert(const geo::BBox& b) {
    const std::size_t id = m_boxes.size();
    m_boxes.push_back(b);
    visit(b, [&](std::vector<std::size_t>& cell) { cell.push_back(id); });
  }

 private:
  static constexpr double kCell = 64;

  static bool intersects_open(const geo::BBox& a, const geo::BBox& b) {
    return a.min_x < b.max_x && b.min_x < a.max_x && a.min_y < b.max_y && b.min_y < a.max_y;
  }

  template <class Fn>
  void visit(const geo::BBox& b, Fn fn) const {
    const auto [c0, c1, r0, r1] = cells_of(b);
    for (int r = r0; r <= r1; ++r) {
      for (int c = c0; c <= c1; ++c) fn(m_cells[static_cast<std::size_t>(r) * m_cols + c]);
    }
  }
  template <class Fn>
  void visit(const geo::BBox& b, Fn fn) {
    const auto [c0, c1, r0, r1] = cells_of(b);
    for (int r = r0; r <= r1; ++r) {
      for (int c = c0; c <= c1; ++c) fn(m_cells[static_cast<std::size_t>(r) * m_cols + c]);
    }
  }
  std::array<int, 4> cells_of(const geo::BBox& b) const {
    auto col = [&](double x) { return std::clamp(static_cast<int>(std::floor((x - m_region.min_x) / kCell)), 0, m_cols - 1); };
    auto row = [&](double y) { return std::clamp(static_cast<int>(std::floor((y - m_region.min_y) / kCell)), 0, m_rows - 1); };
    return {col(b.min_x), col(b.max_x), row(b.min_y), row(b.max_y)};
  }

  geo::BBox m_region;
  int m_cols = 1, m_rows = 1;
  std::vector<std::vector<std::size_t>> m_cells;
  std::vector<geo::BBox> m_boxes;
};

bool inside(const geo::BBox& inner, const geo::BBox& outer) {
  return inner.min_x >= outer.min_x && inner.max_x <= outer.max_x && inner.min_y >= outer.min_y && inner.max_y <= outer.max_y;
}

// Splits UTF-8 text into characters.
std::vector<std::string> characters(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Arc-length parametrisation of a polyline.
class Polyline {
 public:
  explicit Polyline(const std::vector<Coord>& pts) : m_pts(pts) {
    m_cum.reserve(pts.size());
    double d = 0;
    m_cum.push_back(0);
    for (std::size_t i = 1; i < pts.size(); ++i) {
      d += std::hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
      m_cum.push_back(d);
    }
  }
  double length() const { return m_cum.back(); }
  Coord at(double s) const {
    s = std::clamp(s, 0.0, length());
    const auto it = std::upper_bound(m_cum.begin(), m_cum.end(), s);
    std::size_t i = static_cast<std::size_t>(it - m_cum.begin());
    if (i >= m_pts.size()) return m_pts.back();
    if (i == 0) return m_pts.front();
    const double seg = m_cum[i] - m_cum[i - 1];
    const double t = seg > 0 ? (s - m_cum[i - 1]) / seg : 0;
    return {m_pts[i - 1].x + (m_pts[i].x - m_pts[i - 1].x) * t, m_pts[i - 1].y + (m_pts[i].y - m_pts[i - 1].y) * t};
  }

 private:
  const std::vector<Coord>& m_pts;
  std::vector<double> m_cum;
};

double normalize_angle(double a) {
  while (a > std::numbers::pi) a -= 2 * std::numbers::pi;
  while (a < -std::numbers::pi) a += 2 * std::numbers::pi;
  return a;
}

struct Attempt {
  PlacedLabel label;
  std::vector<geo::BBox> boxes;
  SharedLayout layout;
  std::vector<SharedLayout> glyph_layouts;
};

bool try_point(TextEngine& engine, const LabelCandidate& c, Attempt& out) {
  out.layout = engine.layout(c);
  const Extents e = logical_extents(out.layout.get());
  if (e.w <= 0 || e.h <= 0) return false;
  const Coord p{c.anchor.x + c.offset.x, c.anchor.y + c.offset.y};
  double left = p.x - e.w / 2, top = p.y - e.h / 2;
  using A = style::TextAnchor;
  switch (c.text_anchor) {
    case A::center: break;
    case A::left: left = p.x; break;
    case A::right: left = p.x - e.w; break;
    case A::top: top = p.y; break;
    case A::bottom: top = p.y - e.h; break;
    case A::top_left: left = p.x; top = p.y; break;
    case A::top_right: left = p.x - e.w; top = p.y; break;
    case A::bottom_left: left = p.x; top = p.y - e.h; break;
    case A::bottom_right: left = p.x - e.w; top = p.y - e.h; break;
  }
  out.label.origin = {left - e.x, top - e.y};
  out.label.box = geo::BBox{left - c.padding, top - c.padding, left + e.w + c.padding, top + e.h + c.padding};
  out.boxes = {out.label.box};
  return true;
}

bool try_line(TextEngine& engine, const LabelCandidate& c, Attempt& out) {
  if (!c.line || c.line->size() < 2) return false;
  const Polyline line(*c.line);
  const auto chars = characters(c.text);
  std::vector<double> adv;
  double total = 0;
  for (const auto& ch : chars) {
    SharedLayout g = engine.glyph(ch, c.font_family, c.font_weight, c.size);
    const Extents e = logical_extents(g.get());
    adv.push_back(e.w + c.letter_spacing);
    total += e.w + c.letter_spacing;
    out.glyph_layouts.push_back(std::move(g));
  }
  total -= c.letter_spacing;
  if (total <= 0) return false;
  const double s0 = c.line_position - total / 2, s1 = c.line_position + total / 2;
  if (s0 < 0 || s1 > line.length()) return false;
  const Coord p0 = line.at(s0), p1 = line.at(s1);
  const double chord = std::atan2(p1.y - p0.y, p1.x - p0.x);
  const bool steep = std::fabs(std::sin(chord)) > std::sin(60 * std::numbers::pi / 180);
  // Read left to right; on steep lines read top to bottom with upright characters.
  const bool reversed = steep ? p1.y < p0.y : p1.x < p0.x;
  double offset = 0;
  double prev_angle = 0;
  const double max_turn = c.max_angle_deg * std::numbers::pi / 180;
  out.label.box = geo::BBox{};
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const double a = adv[i];
    const double mid = reversed ? s1 - (offset + a / 2) : s0 + offset + a / 2;
    const double half = a / 2;
    Coord from = line.at(reversed ? mid + half : mid - half), to = line.at(reversed ? mid - half : mid + half);
    const double angle = std::atan2(to.y - from.y, to.x - from.x);
    if (i > 0 && std::fabs(normalize_angle(angle - prev_angle)) > max_turn) return false;
    prev_angle = angle;
    const Coord center = line.at(mid);
    const double shown = steep ? 0.0 : angle;
    out.label.glyphs.push_back({chars[i], center, shown});
    const double side = std::max(a, c.size) / 2;
    const double ext = side * (std::fabs(std::cos(shown)) + std::fabs(std::sin(shown))) + c.padding;
    const geo::BBox box{center.x - ext, center.y - ext, center.x + ext, center.y + ext};
    if (chars[i] != " ") out.boxes.push_back(box);
    out.label.box.expand(box);
    offset += adv[i];
  }
  return !out.boxes.empty();
}

}  // namespace

std::vector<double> line_anchor_positions(double length, double spacing, bool center_only) {
  if (length <= 0) return {};
  if (center_only || spacing <= 0 || length < spacing) return {length / 2};
  const int n = static_cast<int>(std::floor(length / spacing));
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back((i + 0.5) * length / n);
  return out;
}

std::vector<PlacedLabel> place_labels(std::vector<LabelCandidate>& candidates, const geo::BBox& region) {
  std::stable_sort(candidates.begin(), candidates.end(), [](const LabelCandidate& a, const LabelCandidate& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.sort_key != b.sort_key) return a.sort_key < b.sort_key;
    if (a.fid != b.fid) return a.fid < b.fid;
    return a.anchor_index < b.anchor_index;
  });
  TextEngine& engine = TextEngine::local();
  CollisionIndex index(region);
  std::vector<PlacedLabel> placed;
  std::vector<Attempt> kept;
  for (const auto& c : candidates) {
    if (c.text.empty()) continue;
    Attempt a;
    if (!(c.along_line ? try_line(engine, c, a) : try_point(engine, c, a))) continue;
    if (!inside(a.label.box, region)) continue;
    if (!c.allow_overlap && std::any_of(a.boxes.begin(), a.boxes.end(), [&](const geo::BBox& b) { return index.collides(b); })) {
      continue;
    }
    if (!c.ignore_placement) {
      for (const auto& b : a.boxes) index.insert(b);
    }
    a.label.candidate = &c;
    kept.push_back(std::move(a));
  }
  // Layouts are shaped again at draw time (glyphs come from the per-thread cache).
  placed.reserve(kept.size());
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) placed.push_back(std::move(it->label));
  return placed;
}

void draw_labels(cairo_t* cr, const std::vector<PlacedLabel>& labels, Coord offset, const geo::BBox& visible) {
  TextEngine& engine = TextEngine::local();
  for (const auto& l : labels) {
    const geo::BBox shown{l.box.min_x + offset.x, l.box.min_y + offset.y, l.box.max_x + offset.x, l.box.max_y + offset.y};
    if (!shown.intersects(visible)) continue;
    const LabelCandidate& c = *l.candidate;
    auto draw_one = [&](PangoLayout* layout, Coord at, double angle, Coord local) {
      CairoSave save(cr);
      cairo_translate(cr, at.x + offset.x, at.y + offset.y);
      if (angle != 0) cairo_rotate(cr, angle);
      if (c.halo_width > 0 && c.halo_color.a > 0) {
        cairo_move_to(cr, local.x, local.y);
        pango_cairo_layout_path(cr, layout);
        cairo_set_source_rgba(cr, c.halo_color.r, c.halo_color.g, c.halo_color.b, c.halo_color.a);
        cairo_set_line_width(cr, 2 * c.halo_width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
      }
      cairo_move_to(cr, local.x, local.y);
      cairo_set_source_rgba(cr, c.color.r, c.color.g, c.color.b, c.color.a);
      pango_cairo_show_layout(cr, layout);
    };
    if (c.along_line) {
      for (const auto& g : l.glyphs) {
        if (g.text == " ") continue;
        SharedLayout layout = engine.glyph(g.text, c.font_family, c.font_weight, c.size);
        const Extents e = logical_extents(layout.get());
        draw_one(layout.get(), g.center, g.angle, Coord{-e.w / 2 - e.x, -e.h / 2 - e.y});
      }
    } else {
      SharedLayout layout = engine.layout(c);
      draw_one(layout.get(), l.origin, 0, Coord{0, 0});
    }
  }
  check(cr, "drawing labels");
}

}  // namespace minqing::render
