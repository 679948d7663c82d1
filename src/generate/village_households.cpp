// Step 4: one household (农户) per occupied residential building, with its head, members, phone
// and livelihood; most heads carry their hamlet's clan surname.

#include <array>
#include <cmath>
#include <cstdio>

#include "generate/names.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

void build_households(Village& v) {
  Rng rng = v.rng_for(0x4848);
  static constexpr std::array<double, 7> kMembers = {0.12, 0.28, 0.24, 0.18, 0.11, 0.05, 0.02};
  char buf[32];
  for (std::size_t bi = 0; bi < v.buildings.size(); ++bi) {
    BuildingRec& b = v.buildings[bi];
    if (b.use != "residential" || b.role == "empty") continue;
    HouseholdRec h;
    std::snprintf(buf, sizeof buf, "-H%04zu", v.households.size() + 1);
    h.id = v.spec->code + buf;
    h.building = static_cast<int>(bi);
    h.at = {std::round(b.rect.center.x * 100) / 100, std::round(b.rect.center.y * 100) / 100};
    h.hamlet = b.hamlet;
    const Hamlet& ham = v.hamlets[static_cast<std::size_t>(b.hamlet)];
    h.surname = rng.chance(0.6) ? ham.clan : std::string(random_surname(rng));
    h.head_male = rng.chance(0.86);
    h.head = full_name(rng, h.surname, h.head_male);
    h.head_birth_year = 1936 + static_cast<int>(60 * std::pow(rng.unit(), 0.85));
    const bool elderly = h.head_birth_year < 1955;
    h.members = static_cast<int>(rng.weighted(kMembers)) + 1;
    if (elderly && h.members > 2 && rng.chance(0.55)) h.members = static_cast<int>(rng.range(1, 2));
    const double u = rng.unit();
    if (elderly) {
      h.employment = u < 0.72 ? "farming" : u < 0.88 ? "local_work" : u < 0.96 ? "migrant" : "business";
    } else {
      h.employment = u < 0.30 ? "farming" : u < 0.58 ? "local_work" : u < 0.91 ? "migrant" : "business";
    }
    if (h.employment == "migrant") {
      h.migrants = static_cast<int>(rng.range(1, std::max(1, std::min(h.members, 3))));
    } else if (h.members >= 3 && rng.chance(0.3)) {
      h.migrants = 1;
    }
    h.phone = mobile_phone(rng);
    b.household = static_cast<int>(v.households.size());
    v.hamlets[static_cast<std::size_t>(b.hamlet)].households.push_back(b.household);
    v.households.push_back(std::move(h));
  }
}

}  // namespace minqing::generate
