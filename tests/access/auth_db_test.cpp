// The auth database: accounts, throttled logins, sessions, and hostile input. The clock is
// injected; nothing sleeps.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "access/auth_db.hpp"
#include "access/demo_accounts.hpp"
#include "access/user_scopes.hpp"
#include "access_fixture.hpp"
#include "base/error.hpp"
#include "support/sqlite_probe.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::access;
using namespace std::chrono_literals;
using Status = LoginResult::Status;

namespace {

const TimePoint t0 = TimePoint(std::chrono::seconds(1'700'000'000));

AuthOptions fast() {
  AuthOptions o;
  o.cost = PasswordCost::minimum();
  return o;
}

std::unique_ptr<AuthDb> fresh(const std::string& name, AuthOptions o = fast()) {
  return AuthDb::open(test::scratch_dir("access-" + name) / "auth.sqlite", o);
}

const Assignment kCadre{"", "331124207201", {}};

}  // namespace

TEST_CASE("accounts are created, listed without hashes, and verified at login", "[access][auth]") {
  auto db = fresh("accounts");
  const User u = db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  CHECK(u.id > 0);
  CHECK(u.assignment == kCadre);
  CHECK_THROWS_AS(db->create_user("cadre", "another password", "village_cadre", kCadre, t0),
                  DataError);
  CHECK_THROWS_AS(db->create_user("x", "short", "village_cadre", kCadre, t0), DataError);
  CHECK_THROWS_AS(db->create_user("y", "long enough pw", "emperor", {}, t0), DataError);
  CHECK_THROWS_AS(db->create_user("z", "long enough pw", "public", {}, t0), DataError);
  CHECK_THROWS_AS(db->create_user("", "long enough pw", "county_admin", {}, t0), DataError);
  CHECK_THROWS_AS(db->create_user("bad\nname", "long enough pw", "county_admin", {}, t0),
                  DataError);
  CHECK_THROWS_AS(db->create_user("w", "long enough pw", "village_cadre", {"", "12345", {}}, t0),
                  DataError);
  const auto users = db->list_users();
  REQUIRE(users.size() == 1);
  CHECK(users[0].username == "cadre");
  CHECK(users[0].role == "village_cadre");

  auto ok = db->authenticate("cadre", "correct horse battery", "10.0.0.1", t0);
  CHECK(ok.status == Status::ok);
  REQUIRE(ok.user);
  CHECK(ok.user->assignment.village_code == "331124207201");
  CHECK(db->authenticate("cadre", "wrong horse battery", "10.0.0.1", t0).status ==
        Status::bad_credentials);
  CHECK(db->authenticate("nobody", "correct horse battery", "10.0.0.1", t0).status ==
        Status::bad_credentials);

  db->set_password("cadre", "a brand new password", t0);
  CHECK(db->authenticate("cadre", "correct horse battery", "10.0.0.2", t0).status ==
        Status::bad_credentials);
  CHECK(db->authenticate("cadre", "a brand new password", "10.0.0.2", t0).status == Status::ok);
  CHECK_THROWS_AS(db->set_password("nobody", "a brand new password", t0), DataError);
}

TEST_CASE("the auth database file is private to its owner and reopens with its data",
          "[access][auth]") {
  const auto dir = test::scratch_dir("access-reopen");
  {
    auto db = AuthDb::open(dir / "auth.sqlite", fast());
    db->create_user("admin", "correct horse battery", "county_admin", {}, t0);
  }
  struct stat st {};
  REQUIRE(::stat((dir / "auth.sqlite").c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);
  auto db = AuthDb::open(dir / "auth.sqlite", fast());
  CHECK(db->find_user("admin").has_value());
}

TEST_CASE("a file that is not an auth database is refused", "[access][auth]") {
  const auto dir = test::scratch_dir("access-notauth");
  {
    std::ofstream(dir / "x.sqlite")
        << "this is not sqlite at all, not even close; just text that goes on";
  }
  CHECK_THROWS_AS(AuthDb::open(dir / "x.sqlite", fast()), StoreError);
}

TEST_CASE("5 failures lock the account for 15 minutes, the lock ends by the injected clock",
          "[access][auth]") {
  auto db = fresh("throttle");
  db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  for (int i = 0; i < 5; ++i) {
    CHECK(db->authenticate("cadre", "guess " + std::to_string(i), "10.0.0.9",
                           t0 + std::chrono::seconds(i))
              .status == Status::bad_credentials);
  }
  // Locked even with the right password, and from another address.
  const auto locked = db->authenticate("cadre", "correct horse battery", "10.0.0.7", t0 + 60s);
  CHECK(locked.status == Status::locked);
  CHECK_FALSE(locked.user);
  CHECK(locked.retry_after > 13min);
  CHECK(locked.retry_after <= 15min);
  // Attempts while locked do not extend the lock.
  for (int i = 0; i < 10; ++i) db->authenticate("cadre", "guess", "10.0.0.9", t0 + 5min);
  CHECK(db->authenticate("cadre", "correct horse battery", "10.0.0.7", t0 + 14min).status ==
        Status::locked);
  CHECK(db->authenticate("cadre", "correct horse battery", "10.0.0.7", t0 + 16min).status ==
        Status::ok);
}

TEST_CASE("20 failures from one address lock that address, across usernames", "[access][auth]") {
  auto db = fresh("throttle-address");
  db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  for (int i = 0; i < 20; ++i) {
    CHECK(db->authenticate("user" + std::to_string(i), "guess guess guess", "203.0.113.5",
                           t0 + std::chrono::seconds(i))
              .status == Status::bad_credentials);
  }
  CHECK(db->authenticate("cadre", "correct horse battery", "203.0.113.5", t0 + 1min).status ==
        Status::locked);
  CHECK(db->authenticate("cadre", "correct horse battery", "198.51.100.1", t0 + 1min).status ==
        Status::ok);
  CHECK(db->authenticate("cadre", "correct horse battery", "203.0.113.5", t0 + 16min).status ==
        Status::ok);
}

TEST_CASE("unknown users are throttled like real ones", "[access][auth]") {
  auto db = fresh("throttle-unknown");
  for (int i = 0; i < 5; ++i) db->authenticate("ghost", "guess guess guess", "10.0.0.1", t0);
  CHECK(db->authenticate("ghost", "guess guess guess", "10.0.0.1", t0 + 1s).status ==
        Status::locked);
}

TEST_CASE("a disabled account cannot log in and its sessions stop working", "[access][auth]") {
  auto db = fresh("disabled");
  const User u = db->create_user("grid", "correct horse battery", "grid_worker",
                                 {"", "", {"331124207201-G01"}}, t0);
  const std::string token = db->create_session(u, t0);
  REQUIRE(db->resolve_session(token, t0 + 1min));
  db->disable_user("grid", t0 + 2min);
  CHECK_FALSE(db->resolve_session(token, t0 + 3min));
  CHECK(db->authenticate("grid", "correct horse battery", "10.0.0.1", t0 + 4min).status ==
        Status::disabled);
  CHECK(db->authenticate("grid", "wrong password here", "10.0.0.1", t0 + 4min).status ==
        Status::bad_credentials);
  db->set_disabled("grid", false, t0 + 5min);
  CHECK_FALSE(db->resolve_session(token, t0 + 6min));  // re-enabling does not revive old sessions
  CHECK(db->authenticate("grid", "correct horse battery", "10.0.0.1", t0 + 6min).status ==
        Status::ok);
}

TEST_CASE("forged, expired, idle and revoked tokens resolve to nothing",
          "[access][auth][session]") {
  auto db = fresh("sessions");
  const User u = db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  const std::string token = db->create_session(u, t0);
  const auto s = db->resolve_session(token, t0 + 1min);
  REQUIRE(s);
  CHECK(s->user.username == "cadre");
  CHECK(s->user.assignment == kCadre);

  std::string forged = token;
  forged[5] = forged[5] == 'A' ? 'B' : 'A';
  CHECK_FALSE(db->resolve_session(forged, t0 + 1min));
  CHECK_FALSE(db->resolve_session("", t0));
  CHECK_FALSE(db->resolve_session("' OR '1'='1", t0));
  CHECK_FALSE(db->resolve_session(std::string(43, 'A'), t0));
  CHECK_FALSE(db->resolve_session(token + "x", t0));

  // Idle: unused for longer than session_idle; kept alive by use; expired after the lifetime.
  const std::string idle = db->create_session(u, t0);
  CHECK_FALSE(db->resolve_session(idle, t0 + 2h + 1s));
  const std::string busy = db->create_session(u, t0);
  for (auto t = t0 + 1h; t < t0 + 12h; t += 1h) REQUIRE(db->resolve_session(busy, t));
  CHECK_FALSE(db->resolve_session(busy, t0 + 12h));

  CHECK(db->revoke_session(token, t0 + 2min));
  CHECK_FALSE(db->resolve_session(token, t0 + 2min));
  CHECK_FALSE(db->revoke_session(token, t0 + 2min));
  CHECK_FALSE(db->revoke_session(forged, t0 + 2min));
}

TEST_CASE("a new password ends the account's sessions", "[access][auth][session]") {
  auto db = fresh("passwd-sessions");
  const User u = db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  const std::string token = db->create_session(u, t0);
  db->set_password("cadre", "another good password", t0 + 1min);
  CHECK_FALSE(db->resolve_session(token, t0 + 2min));
}

TEST_CASE("the database stores no token and no password", "[access][auth][session]") {
  const auto dir = test::scratch_dir("access-no-secrets");
  std::string token;
  {
    auto db = AuthDb::open(dir / "auth.sqlite", fast());
    const User u = db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
    token = db->create_session(u, t0);
  }
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    bytes += std::string(std::istreambuf_iterator<char>(in), {});
  }
  CHECK(bytes.find(token) == std::string::npos);
  CHECK(bytes.find("correct horse battery") == std::string::npos);
}

TEST_CASE("SQL injection strings as usernames are just usernames", "[access][auth][hostile]") {
  auto db = fresh("injection");
  db->create_user("admin", "correct horse battery", "county_admin", {}, t0);
  const std::vector<std::string> hostile = {"admin' --",
                                            "admin' OR '1'='1",
                                            "'; DROP TABLE users; --",
                                            "admin\"; DELETE FROM sessions; --",
                                            "%",
                                            "_",
                                            "admin%",
                                            "1 OR 1=1"};
  for (const auto& name : hostile) {
    INFO(name);
    CHECK(db->authenticate(name, "correct horse battery", "10.1.1.1", t0).status ==
          Status::bad_credentials);
    CHECK_FALSE(db->find_user(name));
  }
  const std::string odd = "'; DROP TABLE users; --";
  const User u = db->create_user(odd, "another good password", "disaster_planner", {}, t0);
  CHECK(u.username == odd);
  CHECK(db->list_users().size() == 2);
  CHECK(db->authenticate(odd, "another good password", "10.1.1.2", t0).status == Status::ok);
  CHECK(db->authenticate("admin", "correct horse battery", "10.1.1.3", t0).status == Status::ok);
}

TEST_CASE("logins from many threads at once are counted and throttled", "[access][auth]") {
  auto db = fresh("threads");
  db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  std::vector<std::thread> threads;
  std::atomic<int> locked{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 3; ++k) {
        if (db->authenticate("cadre", "wrong " + std::to_string(i), "10.2.0." + std::to_string(i),
                             t0)
                .status == Status::locked)
          ++locked;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(locked == 24 - 5);  // the check and the pending record are one step: exactly 5 get through
  CHECK(db->authenticate("cadre", "correct horse battery", "10.3.0.1", t0 + 1s).status ==
        Status::locked);
}

TEST_CASE("demo accounts are created once and log in with minqing-demo", "[access][auth][demo]") {
  auto db = fresh("demo");
  const DemoArea area{"331124207201", "331124207202", "331124207201-G01"};
  const auto created = ensure_demo_accounts(*db, area);
  CHECK(created ==
        std::vector<std::string>{"admin", "township", "cadre", "cadre2", "grid", "planner"});
  CHECK(ensure_demo_accounts(*db, area).empty());
  CHECK(db->find_user("township")->assignment.township == "331124207");
  CHECK(db->find_user("cadre2")->assignment.village_code == "331124207202");
  CHECK(db->find_user("grid")->assignment.grid_ids == std::vector<std::string>{"331124207201-G01"});
  CHECK(db->authenticate("cadre", kDemoPassword, "127.0.0.1", t0).status == Status::ok);
  CHECK_THROWS_AS(ensure_demo_accounts(*db, {"331124207201", "x", "331124207201-G01"}), DataError);
}

TEST_CASE("sessions answered from memory end at once on logout or disable here, within a second "
          "when another process changes the file",
          "[access][auth][session]") {
  const auto file = test::scratch_dir("access-session-cache") / "auth.sqlite";
  auto server = AuthDb::open(file, fast());
  auto cli = AuthDb::open(file, fast());  // `minqing user …` on the same file, as another process
  const User u = server->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  const std::string a = server->create_session(u, t0);
  const std::string b = server->create_session(u, t0);
  const std::string c = server->create_session(u, t0);
  for (int i = 0; i < 3; ++i) {  // read once, then answered from memory
    REQUIRE(server->resolve_session(a, t0 + 10s));
    REQUIRE(server->resolve_session(b, t0 + 10s));
    REQUIRE(server->resolve_session(c, t0 + 10s));
  }

  // Through this process's connection: at the same instant.
  CHECK(server->revoke_session(a, t0 + 10s));
  CHECK_FALSE(server->resolve_session(a, t0 + 10s));
  CHECK(server->resolve_session(b, t0 + 10s));

  // From the other connection: no later than one second after the last read.
  cli->disable_user("cadre", t0 + 10s);
  CHECK_FALSE(server->resolve_session(b, t0 + 11s));
  CHECK_FALSE(server->resolve_session(c, t0 + 11s));
  cli->set_disabled("cadre", false, t0 + 12s);
  CHECK_FALSE(server->resolve_session(c, t0 + 13s));  // disabling ended the sessions for good
}

TEST_CASE("a session answered from memory still expires, idles out and records its use",
          "[access][auth][session]") {
  const auto file = test::scratch_dir("access-session-cache-times") / "auth.sqlite";
  auto db = AuthDb::open(file, fast());
  const User u = db->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  const std::string token = db->create_session(u, t0);
  const auto first = db->resolve_session(token, t0 + 2h - 1s);
  REQUIRE(first);
  CHECK(first->last_seen_at == t0 + 2h - 1s);
  // Used at the last second of its idle time: the use was written, so it lives on…
  const auto again = db->resolve_session(token, t0 + 2h - 1s);
  REQUIRE(again);
  REQUIRE(db->resolve_session(token, t0 + 4h - 2s));
  // …and a fresh connection sees the write (the session outlives its first idle deadline).
  auto other = AuthDb::open(file, fast());
  REQUIRE(other->resolve_session(token, t0 + 4h - 2s));
  // The absolute lifetime ends it in memory too.
  for (auto t = t0 + 5h; t < t0 + 12h; t += 1h) REQUIRE(db->resolve_session(token, t));
  REQUIRE(db->resolve_session(token, t0 + 12h - 1s));
  REQUIRE(db->resolve_session(token, t0 + 12h - 1s));  // from memory
  CHECK_FALSE(db->resolve_session(token, t0 + 12h));
}

// Issue 12: a signed-in caller's scope is kept with its session in memory. Each change an
// administrator can make is seen by the next request: at once when made through the server's own
// connection, within a second when made by another process on the same file.
TEST_CASE("a scope kept with a session ends with it: logout, new password, disable, expiry, and a "
          "role or assignment changed in the file",
          "[access][auth][session][scope]") {
  const auto file = test::scratch_dir("access-session-scope") / "auth.sqlite";
  auto server = AuthDb::open(file, fast());
  auto cli = AuthDb::open(file, fast());  // `minqing user …` on the same file, as another process
  UserScopes scopes(test::policy());
  const auto scope_at = [&](const std::string& token, TimePoint t) { return server->resolve_session_scope(token, t, scopes); };
  const auto key_of = [](const std::string& role, const Assignment& a) {
    return Scope::for_user(test::policy(), "cadre", role, a).cache_key();
  };
  const User u = server->create_user("cadre", "correct horse battery", "village_cadre", kCadre, t0);
  const std::string a = server->create_session(u, t0);
  const std::string b = server->create_session(u, t0);

  // Read once, then answered from memory: one scope, the account's.
  const auto first = scope_at(a, t0 + 10s);
  REQUIRE(first);
  CHECK(first->user() == "cadre");
  CHECK(first->cache_key() == key_of("village_cadre", kCadre));
  CHECK(scope_at(a, t0 + 10s) == first);
  CHECK_FALSE(scope_at("not a token", t0 + 10s));
  CHECK_FALSE(scope_at(std::string(43, 'A'), t0 + 10s));

  // Logout through the server: at the same instant; the other session lives on.
  CHECK(server->revoke_session(a, t0 + 10s));
  CHECK_FALSE(scope_at(a, t0 + 10s));
  REQUIRE(scope_at(b, t0 + 10s));
  REQUIRE(scope_at(b, t0 + 10s));

  // An assignment changed in the file by another process: the next request a second later.
  const Assignment moved_to{"", "331124207202", {}};
  test::sqlite_text(file, "UPDATE users SET village_code = '331124207202' WHERE username = 'cadre'");
  const auto moved = scope_at(b, t0 + 11s);
  REQUIRE(moved);
  CHECK(moved->cache_key() == key_of("village_cadre", moved_to));
  CHECK(scope_at(b, t0 + 11s) == moved);

  // A role changed likewise.
  const Assignment township{"331124207", "", {}};
  test::sqlite_text(file, "UPDATE users SET role = 'township_cadre', township = '331124207', village_code = '' "
                          "WHERE username = 'cadre'");
  const auto promoted = scope_at(b, t0 + 12s);
  REQUIRE(promoted);
  CHECK(promoted->role() == "township_cadre");
  CHECK(promoted->cache_key() == key_of("township_cadre", township));

  // An assignment that no longer defines the role's area: refused on every request, never the
  // scope it had before.
  test::sqlite_text(file, "UPDATE users SET township = '' WHERE username = 'cadre'");
  CHECK_THROWS_AS(scope_at(b, t0 + 13s), ConfigError);
  CHECK_THROWS_AS(scope_at(b, t0 + 13s), ConfigError);
  test::sqlite_text(file, "UPDATE users SET role = 'village_cadre', village_code = '331124207201' WHERE username = 'cadre'");
  REQUIRE(scope_at(b, t0 + 14s));
  REQUIRE(scope_at(b, t0 + 14s));

  // A new password through the server ends every session at once.
  server->set_password("cadre", "another horse battery", t0 + 14s);
  CHECK_FALSE(scope_at(b, t0 + 14s));

  // Disabled by another process: within a second.
  const std::string c = server->create_session(u, t0 + 20s);
  REQUIRE(scope_at(c, t0 + 20s));
  REQUIRE(scope_at(c, t0 + 20s));
  cli->disable_user("cadre", t0 + 20s);
  CHECK_FALSE(scope_at(c, t0 + 21s));
  server->set_disabled("cadre", false, t0 + 22s);
  CHECK_FALSE(scope_at(c, t0 + 22s));  // disabling ended the session for good

  // Idle for two hours, and at the end of its lifetime however busy: refused.
  const std::string d = server->create_session(u, t0 + 30s);
  REQUIRE(scope_at(d, t0 + 30s));
  REQUIRE(scope_at(d, t0 + 30s));
  CHECK_FALSE(scope_at(d, t0 + 30s + 2h));
  const TimePoint t1 = t0 + 1h;
  const std::string e = server->create_session(u, t1);
  for (auto t = t1; t < t1 + 12h; t += 1h) REQUIRE(scope_at(e, t));
  REQUIRE(scope_at(e, t1 + 12h - 1s));
  REQUIRE(scope_at(e, t1 + 12h - 1s));  // from memory
  CHECK_FALSE(scope_at(e, t1 + 12h));
}
