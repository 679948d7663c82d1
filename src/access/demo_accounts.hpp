#pragma once
// The demo accounts of issue 4, for serving the committed sample only: admin (county_admin),
// township (township_cadre of the sample township), cadre and cadre2 (village_cadre of the first
// and second sample village), grid (grid_worker of one grid of the first village), planner
// (disaster_planner), all with the password "minqing-demo". Never call this outside demo mode:
// outside it no account exists until `minqing user add` creates one.
//
// Thread-safety: as AuthDb.

#include <string>
#include <vector>

#include "access/audit_log.hpp"
#include "access/auth_db.hpp"

namespace minqing::access {

inline constexpr const char* kDemoPassword = "minqing-demo";

struct DemoArea {
  std::string first_village;   // 12-digit code, e.g. 331124207201
  std::string second_village;  // 12-digit code, e.g. 331124207202
  std::string first_grid;      // a grid of the first village, e.g. 331124207201-G01
};

struct DemoAccount {
  std::string username;
  std::string role;
  Assignment assignment;
};

// The six accounts for `area` (the township is the first village's first 9 digits).
std::vector<DemoAccount> demo_accounts(const DemoArea& area);

// Creates each demo account that does not exist yet (an existing one is left as it is, password
// included); returns the usernames created. Writes an account_change entry per account created
// when `audit` is given. @throws DataError for a malformed area; StoreError as AuthDb.
std::vector<std::string> ensure_demo_accounts(AuthDb& db, const DemoArea& area,
                                              AuditLog* audit = nullptr);

}  // namespace minqing::access
