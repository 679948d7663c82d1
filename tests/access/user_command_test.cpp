// `minqing user` and `minqing audit` through the built binary, in a scratch directory.

#include <cstdio>
#include <fstream>

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "access/audit_log.hpp"
#include "access/auth_db.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

int run(const std::string& cmd, std::string& out) {
  auto result = test::run_command(cmd);
  out = std::move(result.output);
  return result.exit_code;
}

struct Cli {
  std::filesystem::path dir;
  std::string auth() const { return (dir / "villages.gpkg.auth.sqlite").string(); }
  std::string audit() const { return (dir / "villages.gpkg.audit.jsonl").string(); }
  int user(const std::string& args, std::string& out, const std::string& stdin_text = "") const {
    const std::string feed = stdin_text.empty() ? "" : "printf '%s\\n' '" + stdin_text + "' | ";
    return run(feed + test::minqing_bin().string() + " user " + args + " --store " +
                   (dir / "villages.gpkg").string(),
               out);
  }
};

}  // namespace

TEST_CASE("minqing user add, list, passwd, disable, audit verify", "[access][cli]") {
  const Cli cli{test::scratch_dir("access-cli")};
  std::string out;

  CHECK(cli.user("list", out) == 0);
  CHECK(out.find("no accounts") != std::string::npos);

  REQUIRE(cli.user("add cadre --role village_cadre --village 331124207201 --password-stdin", out,
                   "correct horse battery") == 0);
  INFO(out);
  CHECK(out.find("added cadre") != std::string::npos);
  REQUIRE(
      cli.user(
          "add grid --role grid_worker --grid 331124207201-G01 331124207201-G02 --password-stdin",
          out, "correct horse battery") == 0);
  REQUIRE(cli.user("add planner --role disaster_planner --password-stdin", out,
                   "correct horse battery") == 0);

  // Refusals: short password, missing or malformed area, unknown role, existing name, public.
  CHECK(cli.user("add shorty --role county_admin --password-stdin", out, "too short") == 1);
  CHECK(out.find("shorter than 10") != std::string::npos);
  CHECK(cli.user("add nowhere --role village_cadre --password-stdin", out,
                 "correct horse battery") == 2);
  CHECK(out.find("--village") != std::string::npos);
  CHECK(cli.user("add wrong --role village_cadre --village 3311 --password-stdin", out,
                 "correct horse battery") == 2);
  CHECK(cli.user("add king --role emperor --password-stdin", out, "correct horse battery") == 2);
  CHECK(cli.user("add anon --role public --password-stdin", out, "correct horse battery") == 2);
  CHECK(cli.user("add cadre --role village_cadre --village 331124207201 --password-stdin", out,
                 "correct horse battery") == 1);
  CHECK(out.find("exists") != std::string::npos);

  CHECK(cli.user("list", out) == 0);
  CHECK(out.find("cadre") != std::string::npos);
  CHECK(out.find("village 331124207201") != std::string::npos);
  CHECK(out.find("grid 331124207201-G01, grid 331124207201-G02") != std::string::npos);
  CHECK(out.find("3 accounts") != std::string::npos);
  CHECK(out.find("argon2") == std::string::npos);
  CHECK(out.find("correct horse") == std::string::npos);

  CHECK(cli.user("passwd cadre --password-stdin", out, "another good password") == 0);
  CHECK(cli.user("disable grid", out) == 0);
  CHECK(cli.user("list", out) == 0);
  CHECK(out.find("disabled") != std::string::npos);
  CHECK(cli.user("disable nobody", out) == 1);

  {
    auto db = access::AuthDb::open(cli.auth());
    const auto now = access::Clock::now();
    CHECK(db->authenticate("cadre", "another good password", "127.0.0.1", now).status ==
          access::LoginResult::Status::ok);
    CHECK(db->authenticate("grid", "correct horse battery", "127.0.0.1", now).status ==
          access::LoginResult::Status::disabled);
  }

  // One audit entry per change, none holding a password; the chain verifies.
  std::ifstream in(cli.audit());
  const std::string log((std::istreambuf_iterator<char>(in)), {});
  CHECK(log.find("correct horse") == std::string::npos);
  CHECK(log.find("another good") == std::string::npos);
  const auto verified = access::AuditLog::verify(cli.audit());
  CHECK(verified.ok);
  CHECK(verified.entries == 5);  // 3 adds, 1 passwd, 1 disable

  CHECK(run(test::minqing_bin().string() + " audit verify --audit " + cli.audit(), out) == 0);
  CHECK(out.rfind("OK", 0) == 0);

  // Delete the second line: verify names it and exits 1.
  std::vector<std::string> lines;
  {
    std::ifstream again(cli.audit());
    for (std::string l; std::getline(again, l);) lines.push_back(l);
  }
  lines.erase(lines.begin() + 1);
  {
    std::ofstream rewrite(cli.audit(), std::ios::trunc);
    for (const auto& l : lines) rewrite << l << "\n";
  }
  CHECK(run(test::minqing_bin().string() + " audit verify --audit " + cli.audit(), out) == 1);
  CHECK(out.find("line 2") != std::string::npos);
}
