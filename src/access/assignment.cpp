#include "access/assignment.hpp"

#include <algorithm>

namespace minqing::access {

namespace {
bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::string_view to_string(AreaKind kind) noexcept {
  switch (kind) {
    case AreaKind::county:
      return "county";
    case AreaKind::township:
      return "township";
    case AreaKind::village:
      return "village";
    case AreaKind::grid:
      return "grid";
  }
  return "?";
}

std::optional<AreaKind> area_kind_from_string(std::string_view text) noexcept {
  if (text == "county") return AreaKind::county;
  if (text == "township") return AreaKind::township;
  if (text == "village") return AreaKind::village;
  if (text == "grid") return AreaKind::grid;
  return std::nullopt;
}

bool is_village_code(std::string_view s) noexcept { return s.size() == 12 && all_digits(s); }

bool is_township_code(std::string_view s) noexcept { return s.size() == 9 && all_digits(s); }

bool is_grid_id(std::string_view s) noexcept {
  if (s.size() < 14 || s.size() > 29 || !is_village_code(s.substr(0, 12)) || s[12] != '-')
    return false;
  return std::all_of(s.begin() + 13, s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  });
}

std::string_view grid_village(std::string_view grid_id) noexcept { return grid_id.substr(0, 12); }

std::optional<std::string> assignment_problem(AreaKind kind, const Assignment& a) {
  if (!a.township.empty() && !is_township_code(a.township)) {
    return "township \"" + a.township + "\" is not a 9-digit township code";
  }
  if (!a.village_code.empty() && !is_village_code(a.village_code)) {
    return "village \"" + a.village_code + "\" is not a 12-digit village code";
  }
  for (const auto& g : a.grid_ids) {
    if (!is_grid_id(g)) return "grid \"" + g + "\" is not a grid id like 331124207201-G01";
    if (!a.village_code.empty() && grid_village(g) != a.village_code) {
      return "grid " + g + " is not in village " + a.village_code;
    }
    if (!a.township.empty() && grid_village(g).substr(0, 9) != a.township) {
      return "grid " + g + " is not in township " + a.township;
    }
  }
  if (!a.township.empty() && !a.village_code.empty() && a.village_code.substr(0, 9) != a.township) {
    return "village " + a.village_code + " is not in township " + a.township;
  }
  switch (kind) {
    case AreaKind::county:
      return std::nullopt;
    case AreaKind::township:
      if (a.township.empty() && a.village_code.empty())
        return "a township role needs --township CODE (9 digits)";
      return std::nullopt;
    case AreaKind::village:
      if (a.village_code.empty()) return "a village role needs --village CODE (12 digits)";
      return std::nullopt;
    case AreaKind::grid:
      if (a.grid_ids.empty()) return "a grid role needs at least one --grid ID";
      return std::nullopt;
  }
  return "unknown area kind";
}

}  // namespace minqing::access
