#pragma once
// A place statistics are asked for — a village or a township — and which of the caller's maps
// may be counted there (policy/README.md "Signed in: public plus role").

#include <string>
#include <string_view>

#include "access/scope.hpp"

namespace minqing::query {

// A village (12-digit code) or a township (9 digits, the first nine of its villages' codes).
struct Place {
  enum class Kind { village, township };
  Kind kind = Kind::village;
  std::string code;

  // Whether a feature with village code `village_code` belongs to the place.
  bool contains(std::string_view village_code) const noexcept;
  // "village" / "township".
  std::string_view kind_name() const noexcept;
};

// Whether `place` lies in the caller's own area, decided from the codes alone (never from the
// data, so that a refusal does not confirm whether the place exists): a village — Scope::in_area;
// a township — a county scope, or a township scope of that township. A village or grid scope never
// holds a township.
bool place_in_area(const access::Scope& scope, const Place& place);

// Whether the caller may have statistics of `map` for `place`: a map the public sees, for any
// place; a map only the role sees, for a place in the role's area.
bool may_count_map(const access::Scope& scope, const Place& place, std::string_view map);

}  // namespace minqing::query
