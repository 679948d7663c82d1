#pragma once
// A village road network under construction: polylines with a class, name and width, plus the
// junction vertices where one road branches off another. A branch always starts (or ends) at an
// existing vertex of its parent, copied bit for bit; split() then cuts every road at its junction
// vertices, so the result is a noded graph whose edges meet by exact coordinate equality.
// Not thread-safe (one per village).

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "generate/planar.hpp"

namespace minqing::generate {

struct Road {
  Polyline pts;
  std::string cls;  // county | township | village | path
  std::string name;
  double width = 4;
};

class RoadNetwork {
 public:
  // Adds a road and returns its id. Consecutive duplicate vertices are dropped.
  int add(Road road);
  // Records `c` as a junction (a vertex shared by two roads).
  void mark_junction(Coord c) { m_junctions.insert({c.x, c.y}); }
  const std::vector<Road>& roads() const noexcept { return m_roads; }
  Road& road(int id) { return m_roads[static_cast<std::size_t>(id)]; }

  // Where two roads cross between vertices, inserts the crossing point into both (the same
  // coordinates) and makes it a junction, so crossings become graph nodes.
  void node_crossings();

  // Every road cut at its interior junction vertices; pieces keep class, name and width.
  std::vector<Road> split() const;

 private:
  std::vector<Road> m_roads;
  std::set<std::pair<double, double>> m_junctions;
};

// Connected components of a set of road pieces, joined where their end points coincide exactly
// (a noded network meets only at end points). Returns the component count (used by tests and a debug check).
int connected_components(const std::vector<Polyline>& lines);

}  // namespace minqing::generate
