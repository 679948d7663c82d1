// POST/GET /api/backups (issue 15, 备用): county administrators only (others 403, audited), a
// backup started in the background and answered 202 with its id, the list with sizes and files,
// private no-store answers, a 0700 backup directory, and the scheduled backup that rotates.

#include <chrono>
#include <string>
#include <thread>

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "backup/backup.hpp"
#include "server/app.hpp"
#include "support/demo_client.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;
using test::status;

namespace {

struct BackupApp {
  std::filesystem::path out;
  std::unique_ptr<App> app;
};

BackupApp make_app(const std::string& name, std::chrono::seconds every = std::chrono::seconds(0), std::size_t keep = 7) {
  BackupApp b;
  b.out = test::scratch_dir(name) / "backups";
  AppOptions o = test::demo_app_options(name);
  o.backup_dir = b.out;
  o.backup_every = every;
  o.backup_keep = keep;
  b.app = std::make_unique<App>(o);
  return b;
}

std::size_t count_action(const App& app, const std::string& action) {
  std::size_t n = 0;
  for (const auto& e : test::audit_entries(app)) n += e.at("action") == action ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("POST /api/backups is for county administrators and starts a backup in the background", "[server][backup]") {
  auto b = make_app("backup-endpoint");
  const App& app = *b.app;
  test::DemoTokens token(app, "192.0.2.7");

  SECTION("anonymous callers are told to sign in") {
    CHECK(status(test::post(app, "/api/backups", "")) == 401);
    CHECK(status(test::get(app, "/api/backups")) == 401);
  }
  SECTION("every other role is refused, and the refusal is audited") {
    for (const char* user : {"township", "cadre", "grid", "planner"}) {
      INFO(user);
      const auto before = count_action(app, "backup_denied");
      const Response r = test::post(app, "/api/backups", "", token(user));
      CHECK(status(r) == 403);
      CHECK(status(test::get(app, "/api/backups", token(user))) == 403);
      CHECK(count_action(app, "backup_denied") == before + 2);
    }
    const auto last = test::audit_entries(app).back();
    CHECK(last.at("user") == "planner");
    CHECK(last.at("detail").at("role") == "disaster_planner");
    CHECK_FALSE(std::filesystem::exists(b.out));  // no backup was started
  }
  SECTION("a cookie-authenticated POST without the CSRF header is refused") {
    Request req = test::request(http::verb::post, "/api/backups");
    req.set(http::field::cookie, std::string(kSessionCookie) + "=" + token("admin"));
    CHECK(status(app.handle(req, test::kDemoPeer)) == 403);
  }
  SECTION("a county administrator starts one: 202 with its id, then it is listed with its files") {
    const Response r = test::post(app, "/api/backups", "", token("admin"));
    INFO(r.body());
    REQUIRE(status(r) == 202);
    CHECK(std::string(r[http::field::cache_control]) == "private, no-store");
    const json started = test::json_body(r);
    const std::string id = started.at("id");
    CHECK(backup::is_backup_id(id));
    CHECK(started.at("status") == "running");
    CHECK(std::string(r[http::field::location]) == "/api/backups/" + id);

    app.backups().wait_idle();
    const Response list = test::get(app, "/api/backups", token("admin"));
    REQUIRE(status(list) == 200);
    CHECK(std::string(list[http::field::cache_control]) == "private, no-store");
    const json body = test::json_body(list);
    CHECK(body.at("keep") == 7);
    CHECK(body.at("every_s") == 0);
    REQUIRE(body.at("backups").size() == 1);
    const json& one = body.at("backups")[0];
    CHECK(one.at("id") == id);
    CHECK(one.at("status") == "done");
    CHECK(one.at("bytes").get<std::uint64_t>() > 1000000);
    CHECK(one.at("features").get<std::int64_t>() == static_cast<std::int64_t>(app.feature_count()));
    std::set<std::string> roles;
    for (const auto& f : one.at("files")) {
      roles.insert(f.at("role").get<std::string>());
      CHECK(f.at("sha256").get<std::string>().size() == 64);
      CHECK(f.at("path").get<std::string>().find(b.out.string()) == std::string::npos);  // no server paths
    }
    CHECK(roles == std::set<std::string>{"store", "auth", "audit", "dem"});
    // The backup holds the audit entry of its own start.
    CHECK(one.at("audit_chain") == "ok");

    const Response single = test::get(app, "/api/backups/" + id, token("admin"));
    CHECK(status(single) == 200);
    CHECK(test::json_body(single).at("id") == id);
    CHECK(status(test::get(app, "/api/backups/20000101T000000Z", token("admin"))) == 404);

    // On disk: private to the server's user, complete and checkable.
    struct stat st {};
    REQUIRE(::stat(b.out.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(::stat((b.out / id).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(backup::list_backups(b.out).size() == 1);

    // Audited: who started it, and that it finished.
    bool started_by_admin = false;
    for (const auto& e : test::audit_entries(app)) {
      if (e.at("action") == "backup_started" && e.at("user") == "admin" && e.at("detail").at("id") == id)
        started_by_admin = true;
    }
    CHECK(started_by_admin);
    CHECK(count_action(app, "backup_finished") == 1);
  }
}

TEST_CASE("serve's scheduled backup runs every period and rotates to --backup-keep", "[server][backup]") {
  auto b = make_app("backup-schedule", std::chrono::seconds(1), 2);
  const App& app = *b.app;
  // Wait (bounded) for three scheduled backups to have finished.
  for (int i = 0; i < 1200 && count_action(app, "backup_finished") < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(count_action(app, "backup_finished") >= 3);
  for (const auto& e : test::audit_entries(app)) {
    if (e.at("action") == "backup_started") CHECK(e.at("address") == "scheduler");
  }
  CHECK(count_action(app, "backup_failed") == 0);
  b.app.reset();  // stops the schedule and waits for a backup under way (and its rotation)
  CHECK(backup::list_backups(b.out).size() == 2);
}
