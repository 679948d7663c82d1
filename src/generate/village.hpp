#pragma once
// The working state of one village while it is generated: its boundary, relief, water, roads,
// hamlets, buildings and households, shared by the generation steps (village_*.cpp), which run in
// order and each append their features to the sink. One Village per task; not thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "generate/county_layout.hpp"
#include "generate/feature_sink.hpp"
#include "generate/geos_ops.hpp"
#include "generate/planar.hpp"
#include "generate/random.hpp"
#include "generate/road_network.hpp"
#include "generate/terrain.hpp"

namespace minqing::generate {

struct Water {
  Polyline river;  // main river clipped to the village, downstream order
  double river_width = 20;
  std::string river_name;
  std::vector<Polyline> streams;
  std::vector<std::string> stream_names;
  std::vector<Polyline> canals;
  std::vector<Polyline> ponds;  // closed rings
  std::vector<std::string> pond_names;
};

// A natural village (自然村): a cluster of houses along its own streets.
struct Hamlet {
  std::string name;
  Coord center;
  int side = 1;          // side of the river (+1 north)
  bool upper = false;    // up a side valley
  bool across = false;   // across the river from the county road
  std::string clan;      // dominant surname
  int quota = 0;         // buildings wanted
  std::vector<int> streets;  // road ids of its streets and lanes
  std::vector<int> households;  // indices into Village::households
};

struct BuildingRec {
  std::string id;
  Rect rect;
  std::string use = "residential";
  std::string role;  // culture_hall, office, school, clinic, temple, ancestral_hall, factory, empty or ""
  std::string structure;
  int floors = 2;
  int year = 2000;
  int hamlet = 0;
  int household = -1;  // index into Village::households
};

struct HouseholdRec {
  std::string id;
  int building = 0;
  Coord at;
  std::string surname;
  std::string head;
  bool head_male = true;
  int head_birth_year = 1965;
  int members = 3;
  std::string phone;
  std::string employment;
  int migrants = 0;
  std::string grid_id;
  int hamlet = 0;
};

struct LandcoverPiece {
  std::string cls;
  std::string name;
  geo::Geometry geometry;  // one polygon
};

struct Village {
  const VillageSpec* spec = nullptr;
  const Township* township = nullptr;
  const CountyLayout* layout = nullptr;
  const Terrain* terrain = nullptr;
  const GeosContext* ctx = nullptr;
  FeatureSink* sink = nullptr;
  std::string updated_at;  // YYYY-MM-DD

  Polyline ring;  // closed, counter-clockwise
  BBox bbox;
  HeightGrid dem;
  Water water;
  Polyline county_road;
  std::string county_road_name;
  RoadNetwork roads;
  std::vector<Road> road_pieces;  // after split()
  std::vector<Hamlet> hamlets;
  std::vector<BuildingRec> buildings;
  std::vector<HouseholdRec> households;
  std::vector<LandcoverPiece> landcover;
  std::vector<geo::Geometry> grids;
  std::vector<std::string> grid_ids;
  std::vector<std::string> grid_leaders;
  Coord committee;       // village committee (村委会)
  Coord township_office; // the township government, for pairings
  std::vector<std::string> cadres;  // village cadres' names

  Rng rng_for(std::uint64_t step) const { return Rng({layout->seed(), static_cast<std::uint64_t>(spec->index), step}); }
  bool inside(Coord c) const noexcept { return point_in_ring(ring, c); }
  geo::Geometry polygon() const { return geo::Geometry::polygon(ring); }
};

// The generation steps, in the order generate_village() runs them.
void build_water(Village& v);
void build_roads(Village& v);
void build_buildings(Village& v);
void build_households(Village& v);
void build_grids(Village& v);
void build_landcover(Village& v);
void build_parcels(Village& v);
void build_facilities(Village& v);
void build_people(Village& v);
void build_hazards(Village& v);
void emit_base(Village& v);  // villages, rivers, roads, buildings, households, landcover, grids

}  // namespace minqing::generate

namespace minqing::generate {

// The part of a west-to-east line between the village's west and east edges, starting and ending
// at its crossings with them. Crossings are computed from the line's and the edge's own segments,
// so the neighbouring village, clipping the same line, gets bit-identical end points.
// Returns an empty line when the line does not cross both edges.
Polyline clip_between(const Polyline& line, const Polyline& west, const Polyline& east);

// True when `p` lies inside an exterior ring of polygon geometry `g` (holes ignored: generated
// zones, grids and cells have none).
bool geometry_contains(const geo::Geometry& g, Coord p);

// The pieces of `line` inside the village polygon (GEOS intersection), each at least `min_length`.
std::vector<Polyline> clip_to_village(const Village& v, const Polyline& line, double min_length);

}  // namespace minqing::generate
