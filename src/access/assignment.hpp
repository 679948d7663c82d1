#pragma once
// Where a user works: the part of the county their role's area is resolved from (a township, a
// village, one or more grids). Stored with the account (access/auth_db.hpp); turned into an area
// by Scope (access/scope.hpp). Codes follow DOMAIN.md: a village code is the 12-digit 行政区划代码,
// a township code its first 9 digits, a grid id the village code, '-', and the grid's own id
// (331124207201-G01).
//
// Plain value type; thread-safe as any const value.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minqing::access {

enum class AreaKind { county, township, village, grid };

std::string_view to_string(AreaKind kind) noexcept;
// "county" → AreaKind::county …; nullopt for anything else.
std::optional<AreaKind> area_kind_from_string(std::string_view text) noexcept;

struct Assignment {
  std::string township;               // 9-digit township code, or empty
  std::string village_code;           // 12-digit village code, or empty
  std::vector<std::string> grid_ids;  // grid ids, or empty

  bool operator==(const Assignment&) const = default;
};

bool is_village_code(std::string_view s) noexcept;   // exactly 12 ASCII digits
bool is_township_code(std::string_view s) noexcept;  // exactly 9 ASCII digits
bool is_grid_id(std::string_view s) noexcept;        // village code, '-', 1–16 of [A-Za-z0-9_]
// The village a grid id belongs to (its first 12 characters). @pre is_grid_id(grid_id)
std::string_view grid_village(std::string_view grid_id) noexcept;

// Why `a` cannot define an area of kind `kind`, or nullopt when it can:
// county needs nothing; township needs a township code (or a village code, whose first 9 digits
// are taken); village needs a village code; grid needs at least one grid id. Every code given must
// be well formed, and a village or grid must lie in the given township / village when both are set.
std::optional<std::string> assignment_problem(AreaKind kind, const Assignment& a);

}  // namespace minqing::access
