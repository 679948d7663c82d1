#pragma once
// Labels: text shaped with pango (HarfBuzz), placed at points or along lines in "label space" (the
// pixel grid of a label region, e.g. a metatile), kept apart by a collision grid, drawn with halos.
//
// Placement is deterministic: the same candidates over the same region give the same labels,
// whichever tile of the region is being drawn — which is what keeps labels whole and identical
// across tile edges.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <cairo.h>

#include "geo/coord.hpp"
#include "style/style.hpp"

namespace minqing::render {

// A label wanting a place, in label-space pixels (device pixels; sizes already × scale).
struct LabelCandidate {
  // Priority: lower `rank` first (layers higher in the stack get lower ranks), then
  // sort_key, then fid, then anchor index.
  int rank = 0;
  double sort_key = 0;
  std::int64_t fid = 0;
  int anchor_index = 0;

  std::string text;
  std::string font_family;
  int font_weight = 400;
  double size = 16;          // px
  double letter_spacing = 0;  // px
  double max_width = 0;       // px; 0 = no wrapping
  double line_height = 1.2;   // ems
  double padding = 2;         // px
  bool allow_overlap = false;
  bool ignore_placement = false;
  style::Color color;
  style::Color halo_color;
  double halo_width = 0;  // px

  // Point placement.
  bool along_line = false;
  geo::Coord anchor;
  style::TextAnchor text_anchor = style::TextAnchor::center;
  geo::Coord offset;  // px

  // Line placement: the whole line and the arc position of the label's centre.
  std::shared_ptr<const std::vector<geo::Coord>> line;
  double line_position = 0;
  double max_angle_deg = 45;
};

struct PlacedGlyph {
  std::string text;  // one character (cluster)
  geo::Coord center;
  double angle = 0;  // radians
};

struct PlacedLabel {
  const LabelCandidate* candidate = nullptr;
  geo::BBox box;  // label space, with padding
  // Point labels: top-left of the text layout; line labels: one entry per glyph.
  geo::Coord origin;
  std::vector<PlacedGlyph> glyphs;
};

// Places `candidates` (sorted here by priority) inside `region` (label-space pixels: a label is
// placed only when wholly inside). Returns the placed labels in drawing order (lowest priority
// first, so that higher-priority labels are drawn on top). Thread-safe (per-thread pango state).
std::vector<PlacedLabel> place_labels(std::vector<LabelCandidate>& candidates, const geo::BBox& region);

// Draws placed labels translated by `offset` (label space → the canvas), skipping those whose box
// misses `visible` (canvas pixels). @throws RenderError on a cairo failure.
void draw_labels(cairo_t* cr, const std::vector<PlacedLabel>& labels, geo::Coord offset, const geo::BBox& visible);

// Anchor positions (arc lengths) along a line of `length` for `spacing` (symbol-spacing), or the
// centre only when `center_only`.
std::vector<double> line_anchor_positions(double length, double spacing, bool center_only);

}  // namespace minqing::render
