#include "route/travel_mode.hpp"

#include <algorithm>

namespace minqing::route {

namespace {
// [mode][class]: county, township, village, path, other.
constexpr std::array<std::array<double, kRoadClassCount>, kModeCount> kSpeeds = {{
    {1.2, 1.2, 1.2, 1.0, 1.1},
    {60 / 3.6, 40 / 3.6, 20 / 3.6, 0.0, 20 / 3.6},
}};
}  // namespace

std::optional<Mode> parse_mode(std::string_view text) noexcept {
  if (text == "walk") return Mode::walk;
  if (text == "drive") return Mode::drive;
  return std::nullopt;
}

std::string_view to_string(Mode mode) noexcept { return mode == Mode::walk ? "walk" : "drive"; }

RoadClass parse_road_class(std::string_view text) noexcept {
  if (text == "county") return RoadClass::county;
  if (text == "township") return RoadClass::township;
  if (text == "village") return RoadClass::village;
  if (text == "path") return RoadClass::path;
  return RoadClass::other;
}

std::string_view chinese_name(RoadClass c) noexcept {
  switch (c) {
    case RoadClass::county: return "县道";
    case RoadClass::township: return "乡道";
    case RoadClass::village: return "村道";
    case RoadClass::path: return "步道";
    case RoadClass::other: break;
  }
  return "道路";
}

double speed_mps(Mode mode, RoadClass c) noexcept {
  return kSpeeds[static_cast<std::size_t>(mode)][static_cast<std::size_t>(c)];
}

double max_speed_mps(Mode mode) noexcept {
  const auto& row = kSpeeds[static_cast<std::size_t>(mode)];
  return *std::max_element(row.begin(), row.end());
}

}  // namespace minqing::route
