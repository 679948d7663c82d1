#pragma once
// Finding ways across the terrain: least-cost routes on a slope grid (roads that avoid impossible
// grades, cross water once, stay inside the village), contour-following streets, and climbing
// paths that zig-zag when the slope is too steep to go straight up. Pure functions; thread-safe.

#include <functional>
#include <vector>

#include "generate/planar.hpp"
#include "generate/terrain.hpp"

namespace minqing::generate {

struct Obstacle {
  Polyline line;
  double clearance = 0;  // a route within this distance pays `penalty` per step
  double penalty = 0;
};

struct RouteOptions {
  double step = 20;        // grid spacing, metres
  double max_grade = 0.14; // steeper grid steps are refused
  double margin = 600;     // search box around start and goal
  std::vector<Obstacle> obstacles;
};

// A least-cost route from `start` to `goal` (both kept exactly as the first and last vertex),
// inside `ring`. Falls back to steeper grades, then to a straight line, when no route exists.
Polyline find_route(const HeightGrid& dem, const Polyline& ring, Coord start, Coord goal, const RouteOptions& opt);

// Returns false where a traced line must stop (leaves the village, reaches water…).
using Keep = std::function<bool(Coord)>;

// Follows the contour through `start` in direction `hint` (roughly), `step` metres per vertex, until
// `length` or `keep` fails. First vertex is `start`.
Polyline trace_contour(const HeightGrid& dem, Coord start, Coord hint, double length, double step, const Keep& keep);

// Climbs (vertical > 0) or descends (vertical < 0) from `start`, each step as steep as `grade`
// allows (measured on the DEM), switching back every `switch_len` metres where the slope is
// steeper than that: a zig-zag. Stops after `length`, on flat ground, or where `keep` fails.
// First vertex is `start`.
Polyline trace_climb(const HeightGrid& dem, Coord start, double length, double grade, double switch_len, double step,
                     const Keep& keep, int first_side = 1, int vertical = 1);

}  // namespace minqing::generate
