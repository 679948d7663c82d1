#include "query/place.hpp"

#include "access/assignment.hpp"

namespace minqing::query {

bool Place::contains(std::string_view village_code) const noexcept {
  if (kind == Kind::village) return village_code == code;
  return village_code.size() == 12 && village_code.substr(0, 9) == code;
}

std::string_view Place::kind_name() const noexcept { return kind == Kind::village ? "village" : "township"; }

bool place_in_area(const access::Scope& scope, const Place& place) {
  if (place.kind == Place::Kind::village) return access::is_village_code(place.code) && scope.in_area(place.code);
  if (!access::is_township_code(place.code)) return false;
  switch (scope.area_kind()) {
    case access::AreaKind::county: return true;
    // A township scope's area is "village code starts with my township": any code of `place`
    // answers for all of them.
    case access::AreaKind::township: return scope.in_area(place.code + "001");
    case access::AreaKind::village:
    case access::AreaKind::grid: return false;
  }
  return false;
}

bool may_count_map(const access::Scope& scope, const Place& place, std::string_view map) {
  if (!scope.may_see_map(map)) return false;
  return scope.public_sees_map(map) || place_in_area(scope, place);
}

}  // namespace minqing::query
