// Hostile-input tests of sessions over HTTP (issue 4), with the App's clock moved by the test
// instead of sleeping (AppOptions::clock): expired and idle sessions, a clock stepping back,
// logged-out and forged tokens (wrong shape, random, another server's), lockout of an account and
// of an address and their end, and refusal bodies that tell nothing. Also `minqing audit verify`
// over an audit log written by a real server session. (auth_endpoint_test.cpp covers the basics:
// cookie flags, CSRF on logout, the first 429.)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "geo/tile.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"
#include "support/run_command.hpp"
#include "support/sqlite_probe.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// The test's clock: real time at start plus an offset the test moves.
const auto g_start = std::chrono::system_clock::now();
std::atomic<long long> g_offset_s{0};
access::TimePoint test_now() { return g_start + std::chrono::seconds(g_offset_s.load()); }
void advance(std::chrono::seconds d) { g_offset_s += d.count(); }
void step_back(std::chrono::seconds d) { g_offset_s -= d.count(); }

const App& app() {
  static const App a([] {
    AppOptions o = test::demo_app_options("session_security");
    o.clock = test_now;
    return o;
  }());
  return a;
}

using test::status;

using test::request;

Response get(const std::string& target, const std::string& token = {}, const App& to = app()) {
  return test::get(to, target, token, "192.0.2.1");
}

Response login(const std::string& user, const std::string& password, const std::string& peer,
               const App& to = app()) {
  return test::login(to, user, password, peer);
}

std::string token_of(const std::string& user, const App& to = app()) {
  return test::sign_in(to, user, "192.0.2.2");
}

std::string role_of(const std::string& token) {
  const Response r = get("/api/me", token);
  return status(r) == 200 ? json::parse(r.body()).at("role").get<std::string>() : "";
}

// What a refusal shows: status, body and the WWW-Authenticate header.
struct Refusal {
  int status;
  std::string body;
  std::string challenge;
  bool operator==(const Refusal&) const = default;
};
Refusal refusal(const Response& r) {
  return {status(r), r.body(), std::string(r[http::field::www_authenticate])};
}

// Nothing in a refusal may say who exists, what the password or token was.
void check_tells_nothing(const std::string& body, const std::vector<std::string>& secrets) {
  INFO(body);
  for (const auto& s : secrets) CHECK(body.find(s) == std::string::npos);
  for (const char* word : {"exist", "unknown user", "no such", "disabled", "not found", "hash"}) {
    CHECK(body.find(word) == std::string::npos);
  }
}

std::string random_token(std::mt19937& rng) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::uniform_int_distribution<int> pick(0, 63);
  std::string t;
  for (int i = 0; i < 43; ++i) t += kAlphabet[pick(rng)];
  return t;
}

}  // namespace

TEST_CASE("a session ends 12 h after login however busy, and stays ended when the clock steps back",
          "[server][auth][session][hostile]") {
  const std::string token = token_of("planner");
  // Busy all day: a request every 90 minutes keeps it from going idle.
  auto elapsed = 0min;
  while (elapsed + 90min < 12h) {
    advance(90min);
    elapsed += 90min;
    INFO("after " << elapsed.count() << " min");
    REQUIRE(role_of(token) == "disaster_planner");
  }
  advance(12h - elapsed);  // exactly 12 h after login, less than 2 h after the last request
  const Response expired = get("/api/me", token);
  CHECK(status(expired) == 401);
  check_tells_nothing(expired.body(), {token, "planner"});

  // The clock steps back into the session's lifetime (NTP, a resumed VM): still refused, because an
  // expired session is deleted when it is found expired.
  step_back(3h);
  CHECK(status(get("/api/me", token)) == 401);
  Request by_cookie = request(http::verb::get, "/api/me");
  by_cookie.set(http::field::cookie, std::string(kSessionCookie) + "=" + token);
  CHECK(json::parse(app().handle(by_cookie).body()).at("role") == "public");
  advance(3h);
}

TEST_CASE("a session idle for more than 2 h is refused, last seen kept to the minute",
          "[server][auth][session][hostile]") {
  const std::string quiet = token_of("cadre");
  advance(2h - 1s);
  CHECK(role_of(quiet) == "village_cadre");  // 1 s before the idle limit
  advance(2h);
  CHECK(status(get("/api/me", quiet)) == 401);  // idle since the request above
  step_back(1h);
  CHECK(status(get("/api/me", quiet)) == 401);  // deleted: no revival
  advance(1h);

  // Last seen is written at most once a minute, so the idle limit may come up to a minute early,
  // never late: a request 30 s after login is not recorded, one after 61 s is.
  const std::string early = token_of("cadre2");
  advance(30s);
  REQUIRE(role_of(early) == "village_cadre");
  advance(2h - 30s);  // 2 h after login, 2 h - 30 s after the last request
  CHECK(status(get("/api/me", early)) == 401);

  const std::string late = token_of("cadre2");
  advance(61s);
  REQUIRE(role_of(late) == "village_cadre");
  advance(2h - 1s);  // 2 h - 1 s after the recorded request: still alive
  CHECK(role_of(late) == "village_cadre");
}

// Issue 12: a signed-in caller's scope is kept with its session in memory
// (AuthDb::resolve_session_scope). What the server itself changes shows at the next request; what
// an administrator's tool changes in the auth file, at the next request a second later.
TEST_CASE("a signed-in caller's scope follows its account at the next request",
          "[server][auth][session][scope]") {
  AppOptions o = test::demo_app_options("session_scope");
  o.clock = test_now;
  const std::filesystem::path auth_file = o.auth_db;
  const App a(o);
  const auto me = [&](const std::string& token) { return test::get(a, "/api/me", token, "192.0.2.1"); };
  const auto area_of = [&](const std::string& token) {
    const Response r = me(token);
    return status(r) == 200 ? json::parse(r.body()).at("area") : json();
  };
  const std::string token = test::sign_in(a, "cadre", "192.0.2.2");
  const json first = area_of(token);
  REQUIRE(first.at("kind") == "village");
  CHECK(area_of(token) == first);  // answered from memory
  const json elsewhere = area_of(test::sign_in(a, "cadre2", "192.0.2.2"));
  const std::string village = elsewhere.at("village_code");
  REQUIRE(village != first.at("village_code").get<std::string>());

  // Moved to another village, then made a township cadre, by a tool writing the auth file.
  test::sqlite_text(auth_file, "UPDATE users SET village_code = '" + village + "' WHERE username = 'cadre'");
  advance(1s);
  CHECK(area_of(token) == elsewhere);
  test::sqlite_text(auth_file, "UPDATE users SET role = 'township_cadre', township = '" + village.substr(0, 9) +
                                   "', village_code = '' WHERE username = 'cadre'");
  advance(1s);
  const Response promoted = me(token);
  REQUIRE(status(promoted) == 200);
  CHECK(json::parse(promoted.body()).at("role") == "township_cadre");
  CHECK(json::parse(promoted.body()).at("area").at("kind") == "township");
  // An assignment that no longer fits the role: refused, never the scope it had.
  test::sqlite_text(auth_file, "UPDATE users SET township = '' WHERE username = 'cadre'");
  advance(1s);
  CHECK(status(me(token)) == 403);
  CHECK(status(me(token)) == 403);
  // Disabled in the file: refused a second later.
  test::sqlite_text(auth_file, "UPDATE users SET role = 'village_cadre', village_code = '" + village +
                                   "', disabled = 1 WHERE username = 'cadre'");
  advance(1s);
  CHECK(status(me(token)) == 401);

  // Logged out through the server: refused at once.
  const std::string other = test::sign_in(a, "cadre2", "192.0.2.2");
  REQUIRE(status(me(other)) == 200);
  REQUIRE(status(me(other)) == 200);
  CHECK(status(test::post(a, "/api/logout", "", other, "192.0.2.2", nullptr)) == 204);
  CHECK(status(me(other)) == 401);
}

TEST_CASE("expired, logged-out and forged tokens all get the same 401, telling nothing",
          "[server][auth][session][hostile]") {
  // Another server with its own auth database: its tokens mean nothing here.
  static const App other([] {
    AppOptions o = test::demo_app_options("session_security_other");
    o.clock = test_now;
    return o;
  }());
  const std::string foreign = token_of("admin", other);
  REQUIRE(status(get("/api/me", foreign, other)) == 200);

  const std::string logged_out = token_of("admin");
  Request out = request(http::verb::post, "/api/logout");
  out.set(http::field::authorization, "Bearer " + logged_out);
  REQUIRE(status(app().handle(out)) == 204);

  const std::string expired = token_of("township");
  advance(12h + 1s);

  std::mt19937 rng(4);
  const std::string live = token_of("admin");
  std::vector<std::pair<std::string, std::string>> tokens = {
      {"expired", expired},
      {"logged out", logged_out},
      {"another server's", foreign},
      {"random, right length", random_token(rng)},
      {"random, right length", random_token(rng)},
      {"a live token with one character changed", live.substr(0, 42) + (live[42] == 'A' ? "B" : "A")},
      {"too short", live.substr(0, 42)},
      {"too long", live + "A"},
      {"64 hex digits", std::string(64, 'a')},
      {"not base64url", std::string(42, 'A') + "!"},
      {"a dot", std::string(42, 'A') + "."},
      {"Chinese", "重点人员重点人员重点人员重点人员重点人员重点人员重点人员重点人员重点人员重点人员重点人员重点"},
      {"SQL", "' OR '1'='1' --"},
      {"a percent escape", "%00%27%22"},
  };
  const Refusal first = refusal(get("/api/me", tokens.front().second));
  CHECK(first.status == 401);
  CHECK(first.challenge.find("Bearer") != std::string::npos);
  for (const auto& [what, token] : tokens) {
    INFO(what << ": " << token);
    for (const char* path : {"/api/me", "/api/layers", "/tiles/terrain/15/27235/13664.png",
                             "/collections/households/items"}) {
      INFO(path);
      const Refusal r = refusal(get(path, token));
      CHECK(r == first);
      check_tells_nothing(r.body, {token, "admin", "township"});
    }
  }
  CHECK(role_of(live) == "county_admin");  // the live token the forgeries were made from still works
}

TEST_CASE("an account locked by wrong passwords refuses the right one until the lockout has passed",
          "[server][auth][lockout][hostile]") {
  app().auth_db().create_user("locksmith", "locksmith-password", "disaster_planner", {}, test_now());
  std::vector<int> statuses;
  std::set<std::string> bodies_401;
  for (int i = 0; i < 20; ++i) {
    const Response r = login("locksmith", "wrong-password-" + std::to_string(i), "192.0.2.80");
    statuses.push_back(status(r));
    if (status(r) == 401) bodies_401.insert(r.body());
    if (status(r) == 429) {
      CHECK(std::stoi(std::string(r[http::field::retry_after])) > 0);
      check_tells_nothing(r.body(), {"locksmith", "wrong-password"});
    }
    advance(1s);
  }
  // Five failures are allowed (AuthOptions::max_account_failures), then every attempt is refused.
  CHECK(std::count(statuses.begin(), statuses.end(), 401) == 5);
  CHECK(std::count(statuses.begin(), statuses.end(), 429) == 15);
  CHECK(bodies_401.size() == 1);

  // The right password, from another address, while locked: 429, and the Retry-After counts down
  // with the clock.
  const Response locked = login("locksmith", "locksmith-password", "192.0.2.81");
  REQUIRE(status(locked) == 429);
  const int retry = std::stoi(std::string(locked[http::field::retry_after]));
  CHECK(retry <= 15 * 60);
  CHECK(locked.body().find("token") == std::string::npos);
  advance(std::chrono::seconds(retry - 10));
  const Response still = login("locksmith", "locksmith-password", "192.0.2.81");
  CHECK(status(still) == 429);
  CHECK(std::stoi(std::string(still[http::field::retry_after])) <= 10);
  advance(11s);
  CHECK(status(login("locksmith", "locksmith-password", "192.0.2.81")) == 200);
}

TEST_CASE("an unknown username is locked out exactly like a real one", "[server][auth][lockout][hostile]") {
  app().auth_db().create_user("real-person", "real-person-password", "disaster_planner", {}, test_now());
  std::vector<Refusal> real;
  std::vector<Refusal> ghost;
  for (int i = 0; i < 8; ++i) {
    real.push_back(refusal(login("real-person", "not-it-at-all", "192.0.2.90")));
    ghost.push_back(refusal(login("ghost-person", "not-it-at-all", "192.0.2.91")));
  }
  CHECK(real == ghost);
  CHECK(real.back().status == 429);
}

TEST_CASE("20 failures from one address over many accounts lock that address only",
          "[server][auth][lockout][hostile]") {
  const std::string attacker = "198.51.100.7";
  // Spread over accounts (real and not) so that no account reaches its own limit of 5.
  const std::vector<std::string> names = {"admin", "cadre", "cadre2", "grid", "nobody-1", "nobody-2",
                                          "nobody-3"};
  int failures = 0;
  for (int i = 0; failures < 20; ++i) {
    const Response r = login(names[static_cast<std::size_t>(i) % names.size()], "guess-" + std::to_string(i), attacker);
    REQUIRE(status(r) == 401);
    ++failures;
  }
  // The address is locked now: even the right password for an account it never guessed is refused.
  const Response locked = login("planner", access::kDemoPassword, attacker);
  CHECK(status(locked) == 429);
  CHECK(!locked[http::field::retry_after].empty());
  check_tells_nothing(locked.body(), {"planner", access::kDemoPassword});
  // Every account it guessed at still signs in from elsewhere.
  for (const char* user : {"admin", "cadre", "cadre2", "grid", "planner"}) {
    INFO(user);
    CHECK(status(login(user, access::kDemoPassword, "198.51.100.8")) == 200);
  }
  advance(15min + 1s);
  CHECK(status(login("planner", access::kDemoPassword, attacker)) == 200);
}

TEST_CASE("audit verify detects a deleted and an edited line of a log a server session wrote",
          "[server][auth][audit][cli]") {
  // A real session: a village cadre signs in and reads a key-persons tile of their village.
  const std::string token = token_of("cadre");
  std::vector<store::ServedFeaturePtr> people;
  app().index().query("key_persons", app().index().extent(), people);
  REQUIRE_FALSE(people.empty());
  std::string tile_path;
  const auto* def = app().catalog().find_class("key_persons");
  const int vc = def->field_index("village_code");
  for (const auto& p : people) {
    const auto* v = std::get_if<std::string>(&p->feature.values[static_cast<std::size_t>(vc)]);
    if (v && *v == "331124207201") {
      const geo::TileId t = geo::tile_at(p->bbox.center(), 16);
      tile_path = "/tiles/key_persons/16/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".png";
      break;
    }
  }
  REQUIRE_FALSE(tile_path.empty());
  REQUIRE(status(get(tile_path, token)) == 200);

  // A copy of the live log (the server keeps appending to the original).
  const auto dir = test::scratch_dir("session-security-audit");
  const std::vector<std::string> lines = test::audit_lines(app());
  REQUIRE(lines.size() >= 3);
  const json tile_entry = json::parse(lines.back());
  REQUIRE(tile_entry.at("action") == "key_persons_tile");
  REQUIRE(tile_entry.at("user") == "cadre");
  const auto write = [&](const std::vector<std::string>& content) {
    const auto path = dir / "audit.jsonl";
    std::ofstream out(path, std::ios::trunc);
    for (const auto& l : content) out << l << "\n";
    return path;
  };
  const auto verify = [](const std::filesystem::path& path) {
    return test::run_command(test::minqing_bin().string() + " audit verify --audit " + path.string());
  };

  const auto intact = verify(write(lines));
  INFO(intact.output);
  CHECK(intact.exit_code == 0);
  CHECK(intact.output.rfind("OK", 0) == 0);

  // Delete the login before the tile read: the line after it no longer chains.
  auto deleted = lines;
  deleted.erase(deleted.end() - 2);
  const auto d = verify(write(deleted));
  INFO(d.output);
  CHECK(d.exit_code == 1);
  CHECK(d.output.find("line " + std::to_string(deleted.size())) != std::string::npos);

  // Edit who read the tile: the hash no longer matches.
  auto edited = lines;
  const auto at = edited.back().find("\"user\":\"cadre\"");
  REQUIRE(at != std::string::npos);
  edited.back().replace(at, 14, "\"user\":\"grid1\"");
  const auto e = verify(write(edited));
  INFO(e.output);
  CHECK(e.exit_code == 1);
  CHECK(e.output.find("line " + std::to_string(edited.size())) != std::string::npos);
  CHECK(e.output.find("edited") != std::string::npos);
}
