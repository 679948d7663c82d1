#pragma once
// How a route travels (walk or drive) and how fast on each class of road (DOMAIN.md `roads.class`:
// county 县道 | township 乡道 | village 村道 | path 机耕路/步道). Pure data: thread-safe.
//
// Speeds are what a county emergency office plans with, not legal limits: on foot 1.2 m/s on a
// paved road (4.3 km/h, an evacuation with elderly people and children, not a hiker) and 1.0 m/s
// on a path (unpaved, often steep); by car 60 km/h on the county road, 40 on township roads,
// 20 on village roads (one lane, houses at the edge); paths are closed to cars. Slope from the
// DEM is not applied yet (issue 10 leaves it optional).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace minqing::route {

enum class Mode : std::uint8_t { walk, drive };
inline constexpr std::size_t kModeCount = 2;

enum class RoadClass : std::uint8_t { county, township, village, path, other };
inline constexpr std::size_t kRoadClassCount = 5;

// "walk" / "drive" → Mode; nullopt for anything else.
std::optional<Mode> parse_mode(std::string_view text) noexcept;
std::string_view to_string(Mode mode) noexcept;

// The roads.class value → RoadClass (an unknown or empty class is `other`, driven like a village road).
RoadClass parse_road_class(std::string_view text) noexcept;
// The Chinese name of the class, for a road without a name in the steps: 县道, 乡道, 村道, 步道, 道路.
std::string_view chinese_name(RoadClass c) noexcept;

// Metres per second on a road of class `c` in `mode`; 0 where the mode may not go (drive on a path).
double speed_mps(Mode mode, RoadClass c) noexcept;
// The fastest speed of `mode` on any class: the A* heuristic divides straight distance by it.
double max_speed_mps(Mode mode) noexcept;

}  // namespace minqing::route
