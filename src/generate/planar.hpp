#pragma once
// Small planar geometry helpers the generator needs thousands of times per village, where a GEOS
// round trip would cost more than the answer: distances, crossings, point-in-ring, rotated
// rectangles and a bucket grid for neighbour queries. Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <vector>

#include "geo/coord.hpp"

namespace minqing::generate {

using geo::BBox;
using geo::Coord;
using Polyline = std::vector<Coord>;

inline Coord operator+(Coord a, Coord b) noexcept { return {a.x + b.x, a.y + b.y}; }
inline Coord operator-(Coord a, Coord b) noexcept { return {a.x - b.x, a.y - b.y}; }
inline Coord operator*(Coord a, double k) noexcept { return {a.x * k, a.y * k}; }
double dot(Coord a, Coord b) noexcept;
double cross(Coord a, Coord b) noexcept;
double norm(Coord a) noexcept;
double distance(Coord a, Coord b) noexcept;
Coord normalized(Coord a) noexcept;  // (0,0) stays (0,0)
Coord perp(Coord a) noexcept;        // rotated 90° counter-clockwise
Coord lerp(Coord a, Coord b, double t) noexcept;

double length(const Polyline& line) noexcept;
// The point at arc length `s` (clamped to the line).
Coord point_at(const Polyline& line, double s) noexcept;
// Unit direction of the line at arc length `s`.
Coord direction_at(const Polyline& line, double s) noexcept;
// Points every `step` metres along the line, first and last kept.
Polyline resample(const Polyline& line, double step);
// Douglas–Peucker simplification keeping the end points.
Polyline simplify(const Polyline& line, double tolerance);

double distance_to_segment(Coord p, Coord a, Coord b) noexcept;
double distance_to_polyline(Coord p, const Polyline& line) noexcept;
// Index of the vertex of `line` nearest to `p`.
std::size_t nearest_vertex(const Polyline& line, Coord p) noexcept;
// Arc length of the point of `line` nearest to `p`.
double project(const Polyline& line, Coord p) noexcept;
double segment_distance(Coord a, Coord b, Coord c, Coord d) noexcept;

// Parameters (t on ab, u on cd) of the crossing of segments ab and cd, if they cross.
std::optional<std::pair<double, double>> segment_crossing(Coord a, Coord b, Coord c, Coord d) noexcept;

// A crossing of two polylines: index of the segment on each and the point.
struct Crossing {
  std::size_t seg_a = 0;  // segment index on the first line
  double t_a = 0;
  std::size_t seg_b = 0;
  double t_b = 0;
  Coord at;
};
// The first crossing along `a` with `b`, computed from a's segment and b's segment only, so the
// same two lines always give bit-identical points.
std::optional<Crossing> first_crossing(const Polyline& a, const Polyline& b) noexcept;

// Ring tests. `ring` may be open or closed.
bool point_in_ring(const Polyline& ring, Coord p) noexcept;
double ring_area(const Polyline& ring) noexcept;  // signed: positive counter-clockwise
Coord ring_centroid(const Polyline& ring) noexcept;

// A rectangle rotated by `angle` (radians, of its long side) around its centre.
struct Rect {
  Coord center;
  double half_length = 0;
  double half_width = 0;
  double angle = 0;
  std::vector<Coord> corners() const;  // counter-clockwise, open
};
bool rects_overlap(const Rect& a, const Rect& b, double gap) noexcept;
double rect_distance_to_polyline(const Rect& r, const Polyline& line) noexcept;
bool rect_inside_ring(const Rect& r, const Polyline& ring) noexcept;

// Chaikin corner cutting, ends kept.
Polyline smooth(const Polyline& line, int iterations);
// A closed smooth blob: an ellipse with radial noise.
Polyline blob(Coord center, double rx, double ry, double angle, std::uint64_t key, int points = 24);

// Buckets of ids by position, for "anything near here?" queries. Not thread-safe.
class BucketGrid {
 public:
  BucketGrid(const BBox& extent, double cell);
  void insert(const BBox& box, std::uint32_t id);
  // Ids whose boxes may intersect `box`, each once, in ascending order.
  std::vector<std::uint32_t> query(const BBox& box) const;

 private:
  std::pair<int, int> cell_of(Coord c) const noexcept;
  BBox m_extent;
  double m_cell;
  int m_nx, m_ny;
  std::vector<std::vector<std::uint32_t>> m_buckets;
};

}  // namespace minqing::generate
