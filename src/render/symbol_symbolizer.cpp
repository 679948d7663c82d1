#include <cmath>
#include <memory>

#include "render/symbolizers.hpp"

namespace minqing::render {

namespace {
geo::Coord point_along(const std::vector<geo::Coord>& line, double pos) {
  for (std::size_t i = 1; i < line.size(); ++i) {
    const double seg = std::hypot(line[i].x - line[i - 1].x, line[i].y - line[i - 1].y);
    if (pos <= seg && seg > 0) {
      const double t = pos / seg;
      return {line[i - 1].x + (line[i].x - line[i - 1].x) * t, line[i - 1].y + (line[i].y - line[i - 1].y) * t};
    }
    pos -= seg;
  }
  return line.back();
}
}  // namespace

void collect_labels(const Canvas& canvas, const PixelTransform& to_label_px, const geo::BBox& label_region,
                    const style::SymbolSymbolizer& s, const FeatureList& features, int rank,
                    std::vector<LabelCandidate>& out) {
  for (const auto* fp : features) {
    const auto& f = *fp;
    const auto ctx = eval_context(canvas, f);
    std::string text = s.text_field.evaluate(ctx);
    if (text.empty()) continue;
    LabelCandidate c;
    c.rank = rank;
    c.sort_key = s.sort_key.evaluate(ctx);
    c.fid = f.feature.fid;
    c.text = std::move(text);
    c.font_family = s.font_family;
    c.font_weight = s.font_weight;
    c.size = s.text_size.evaluate(ctx) * canvas.scale;
    if (c.size <= 0) continue;
    c.letter_spacing = s.letter_spacing.evaluate(ctx) * c.size;
    c.max_width = s.max_width.evaluate(ctx) * c.size;
    c.line_height = s.line_height.evaluate(ctx);
    c.padding = s.padding.evaluate(ctx) * canvas.scale;
    c.allow_overlap = s.allow_overlap;
    c.ignore_placement = s.ignore_placement;
    const double opacity = s.opacity.evaluate(ctx);
    c.color = s.color.evaluate(ctx);
    c.color.a *= opacity;
    c.halo_color = s.halo_color.evaluate(ctx);
    c.halo_color.a *= opacity;
    c.halo_width = s.halo_width.evaluate(ctx) * canvas.scale;
    c.text_anchor = s.anchor;
    const auto offset = s.text_offset.evaluate(ctx);
    if (offset.size() == 2) c.offset = {offset[0] * c.size, offset[1] * c.size};
    c.max_angle_deg = s.max_angle.evaluate(ctx);
    const auto& g = f.feature.geometry;

    if (s.placement == style::SymbolPlacement::point || g.kind == geo::GeometryKind::point) {
      if (g.kind == geo::GeometryKind::point) {
        int k = 0;
        for (const auto& p : g.coords) {
          LabelCandidate pc = c;
          pc.anchor = to_label_px(p);
          pc.anchor_index = k++;
          if (label_region.contains(pc.anchor)) out.push_back(std::move(pc));
        }
      } else if (g.kind == geo::GeometryKind::polygon) {
        c.anchor = to_label_px(polygon_label_point(g));
        if (label_region.contains(c.anchor)) out.push_back(std::move(c));
      } else {
        // A line's point label sits at the middle of its longest part.
        auto lines = whole_lines_in_pixels(g, to_label_px, 0);
        if (lines.empty()) continue;
        std::size_t best = 0;
        double best_len = -1;
        for (std::size_t i = 0; i < lines.size(); ++i) {
          double len = 0;
          for (std::size_t k = 1; k < lines[i].size(); ++k) len += std::hypot(lines[i][k].x - lines[i][k - 1].x, lines[i][k].y - lines[i][k - 1].y);
          if (len > best_len) {
            best_len = len;
            best = i;
          }
        }
        const auto& pts = lines[best];
        c.anchor = point_along(pts, best_len / 2);
        if (label_region.contains(c.anchor)) out.push_back(std::move(c));
      }
      continue;
    }
    // Along lines (polygon outlines for polygon layers).
    const double spacing = s.spacing.evaluate(ctx) * canvas.scale;
    int k = 0;
    for (auto& pts : whole_lines_in_pixels(g, to_label_px, canvas.tolerance)) {
      auto line = std::make_shared<const std::vector<geo::Coord>>(std::move(pts));
      const auto& l = *line;
      double len = 0;
      for (std::size_t i = 1; i < l.size(); ++i) len += std::hypot(l[i].x - l[i - 1].x, l[i].y - l[i - 1].y);
      for (double pos : line_anchor_positions(len, spacing, s.placement == style::SymbolPlacement::line_center)) {
        const int index = k++;
        if (!label_region.contains(point_along(l, pos))) continue;
        LabelCandidate lc = c;
        lc.along_line = true;
        lc.line = line;
        lc.line_position = pos;
        lc.anchor_index = index;
        out.push_back(std::move(lc));
      }
    }
  }
}

}  // namespace minqing::render
