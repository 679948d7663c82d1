#include "access/demo_accounts.hpp"

#include "access/policy.hpp"
#include "base/error.hpp"

namespace minqing::access {

std::vector<DemoAccount> demo_accounts(const DemoArea& area) {
  if (!is_village_code(area.first_village) || !is_village_code(area.second_village) ||
      !is_grid_id(area.first_grid) || grid_village(area.first_grid) != area.first_village) {
    throw DataError(
        "demo accounts: expected two 12-digit village codes and a grid id of the first village");
  }
  const std::string township = area.first_village.substr(0, 9);
  return {
      {"admin", std::string(kRoleCountyAdmin), {}},
      {"township", std::string(kRoleTownshipCadre), {township, "", {}}},
      {"cadre", std::string(kRoleVillageCadre), {"", area.first_village, {}}},
      {"cadre2", std::string(kRoleVillageCadre), {"", area.second_village, {}}},
      {"grid", std::string(kRoleGridWorker), {"", area.first_village, {area.first_grid}}},
      {"planner", std::string(kRoleDisasterPlanner), {}},
  };
}

std::vector<std::string> ensure_demo_accounts(AuthDb& db, const DemoArea& area, AuditLog* audit) {
  std::vector<std::string> created;
  for (const auto& a : demo_accounts(area)) {
    if (db.find_user(a.username)) continue;
    const auto now = Clock::now();
    try {
      db.create_user(a.username, kDemoPassword, a.role, a.assignment, now);
    } catch (const DataError&) {
      if (db.find_user(a.username)) continue;  // created meanwhile by another process
      throw;
    }
    created.push_back(a.username);
    if (audit) {
      audit->append(
          {"",
           "demo",
           "account_change",
           {{"change", "create"}, {"username", a.username}, {"role", a.role}, {"demo", true}}},
          now);
    }
  }
  return created;
}

}  // namespace minqing::access
