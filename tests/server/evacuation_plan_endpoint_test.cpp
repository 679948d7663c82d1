// GET /api/evacuation-plan over the committed sample with the demo accounts (issue 10): the plan is
// computed over every household of the village whoever asks, and each caller is told only what it
// may see — a disaster planner gets fids, positions and head counts, never a name or a
// household_id; the county administrator names; a township cadre masked names; a village cadre
// only its own village; anonymous callers nothing. No shelter over capacity; the optimum never
// worse than the greedy baseline; households that do not fit reported with the reason; CSV by
// suffix or Accept; malformed parameters 400 naming them; an unknown village 404.

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/app.hpp"
#include "support/demo_client.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;
using test::status;

namespace {

constexpr const char* kVillage = "331124207201";  // 溪岭村, the cadre's village
constexpr const char* kOtherVillage = "331124207202";

const App& demo_app() {
  static const App app(test::demo_app_options("evacuation_plan_endpoint"));
  return app;
}

std::string token_of(const std::string& user) {
  static test::DemoTokens tokens(demo_app(), "198.51.100.27");
  return tokens(user);
}

Response get(const std::string& target, const std::string& user = {}, const std::string& accept = {}) {
  auto req = test::request(http::verb::get, target);
  if (!accept.empty()) req.set(http::field::accept, accept);
  return test::send(demo_app(), std::move(req), token_of(user), "198.51.100.28");
}

json plan_of(const std::string& query, const std::string& user) {
  const Response r = get("/api/evacuation-plan?" + query, user);
  INFO(user << " " << query << " → " << r.body().substr(0, 400));
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::content_type] == "application/geo+json");
  CHECK(r[http::field::cache_control].find("private") != std::string::npos);
  return json::parse(r.body());
}

std::vector<json> of_kind(const json& plan, const std::string& kind) {
  std::vector<json> out;
  for (const auto& f : plan["features"]) {
    if (f["properties"]["kind"] == kind) out.push_back(f["properties"]);
  }
  return out;
}

// fid → shelter_fid (null when not placed).
std::map<std::int64_t, json> assignment(const json& plan) {
  std::map<std::int64_t, json> out;
  for (const auto& h : of_kind(plan, "household")) out[h["fid"].get<std::int64_t>()] = h["shelter_fid"];
  return out;
}

void check_capacities(const json& plan) {
  std::map<std::int64_t, int> load;
  for (const auto& h : of_kind(plan, "household")) {
    if (!h["shelter_fid"].is_null()) load[h["shelter_fid"].get<std::int64_t>()] += h["people"].get<int>();
  }
  for (const auto& s : of_kind(plan, "shelter")) {
    CHECK(s["load"].get<int>() <= s["capacity"].get<int>());
    // Every household is listed to this caller, so the loads add up from the rows.
    if (plan["plan"]["households_not_shown"] == 0) CHECK(load[s["fid"].get<std::int64_t>()] == s["load"].get<int>());
  }
}

}  // namespace

TEST_CASE("evacuation plan: a planner gets ids, positions and head counts, never names", "[plan][server]") {
  const json j = plan_of(std::string("village=") + kVillage, "planner");
  CHECK(j["type"] == "FeatureCollection");
  const json& p = j["plan"];
  CHECK(p["village"] == kVillage);
  CHECK(p["scope"] == "at_risk");
  CHECK(p["max_minutes"] == 15);
  CHECK(p["households"].get<int>() > 0);
  CHECK(p["households"].get<int>() < p["households_in_village"].get<int>());
  CHECK(p["households_not_shown"] == 0);
  const auto households = of_kind(j, "household");
  CHECK(households.size() == p["households"].get<std::size_t>());
  CHECK(of_kind(j, "shelter").size() == 2);
  for (const auto& h : households) {
    CHECK_FALSE(h.contains("head_name"));
    CHECK_FALSE(h.contains("household_id"));
    CHECK(h.contains("members"));
    CHECK(h["people"].get<int>() >= 1);
    if (!h["shelter_fid"].is_null()) {
      CHECK(h["time_s"].get<double>() > 0);
      CHECK(h["not_placed"].is_null());
    } else {
      CHECK(h["not_placed"].is_string());
    }
  }
  for (const auto& f : j["features"]) {
    if (f["properties"]["kind"] == "household" && !f["properties"]["shelter_fid"].is_null()) {
      CHECK(f["geometry"]["type"] == "LineString");
    }
  }
  // Nothing personal anywhere in the answer.
  CHECK(j.dump().find("head_name") == std::string::npos);
  check_capacities(j);
  // The optimum is never worse than the greedy baseline.
  const json& best = p["optimal"];
  const json& greedy = p["greedy"];
  CHECK(best["people_placed"].get<int>() >= greedy["people_placed"].get<int>());
  if (best["people_placed"] == greedy["people_placed"]) {
    CHECK(best["person_minutes"].get<double>() <= greedy["person_minutes"].get<double>() + 0.1);
  }
  CHECK(p["proven_optimal"] == true);
}

TEST_CASE("evacuation plan: the same plan for every caller, told in each caller's form", "[plan][server]") {
  const std::string q = std::string("village=") + kVillage;
  const json planner = plan_of(q, "planner");
  const json admin = plan_of(q, "admin");
  const json township = plan_of(q, "township");
  const json cadre = plan_of(q, "cadre");
  CHECK(assignment(admin) == assignment(planner));
  CHECK(assignment(township) == assignment(planner));
  CHECK(assignment(cadre) == assignment(planner));
  const auto admin_rows = of_kind(admin, "household");
  REQUIRE_FALSE(admin_rows.empty());
  CHECK_FALSE(admin_rows.front()["head_name"].get<std::string>().empty());
  CHECK(admin_rows.front()["head_name"].get<std::string>().find('*') == std::string::npos);
  CHECK(admin_rows.front().contains("household_id"));
  // A township cadre reads names masked (张*).
  CHECK(of_kind(township, "household").front()["head_name"].get<std::string>().find('*') != std::string::npos);
  // The village cadre's own village only; outside it, 403 as statistics answer.
  CHECK(status(get(std::string("/api/evacuation-plan?village=") + kOtherVillage, "cadre")) == 403);
  CHECK(status(get(std::string("/api/evacuation-plan?village=") + kOtherVillage, "planner")) == 200);
  // Anonymous callers do not see the disaster map.
  CHECK(status(get("/api/evacuation-plan?" + q)) == 403);
  // A grid worker sees the households of its grid: the rest are counted, not listed, and the plan
  // (every household) is the same.
  const json grid = plan_of(q, "grid");
  CHECK(of_kind(grid, "household").size() + grid["plan"]["households_not_shown"].get<std::size_t>() ==
        planner["plan"]["households"].get<std::size_t>());
  for (const auto& [fid, shelter] : assignment(grid)) CHECK(assignment(planner).at(fid) == shelter);
}

TEST_CASE("evacuation plan: every household when capacity is short, the rest reported with the reason", "[plan][server]") {
  const json j = plan_of(std::string("village=") + kVillage + "&scope=all&max_minutes=5", "planner");
  const json& p = j["plan"];
  CHECK(p["scope"] == "all");
  CHECK(p["households"] == p["households_in_village"]);
  // 溪岭村 has more people than its shelters hold.
  REQUIRE(p["people"].get<int>() > p["capacity"].get<int>());
  CHECK(p["not_placed"]["capacity_exhausted"].get<int>() > 0);
  CHECK(p["optimal"]["people_placed"].get<int>() <= p["capacity"].get<int>());
  check_capacities(j);
  std::size_t beyond = 0, exhausted = 0;
  for (const auto& h : of_kind(j, "household")) {
    beyond += h["beyond_max_minutes"].get<bool>() ? 1 : 0;
    if (h["not_placed"] == "capacity_exhausted") {
      ++exhausted;
      CHECK(h["nearest_s"].is_number());  // a shelter could be reached: it had no room
    }
  }
  CHECK(exhausted == p["not_placed"]["capacity_exhausted"].get<std::size_t>());
  CHECK(beyond == p["beyond_max_minutes"].get<std::size_t>());
}

TEST_CASE("evacuation plan: CSV by suffix or by Accept, with the caller's columns only", "[plan][server]") {
  const std::string q = std::string("?village=") + kVillage;
  const Response planner = get("/api/evacuation-plan.csv" + q, "planner");
  REQUIRE(status(planner) == 200);
  CHECK(planner[http::field::content_type] == "text/csv; charset=utf-8");
  std::istringstream lines(planner.body());
  std::string header;
  std::getline(lines, header);
  CHECK(header.rfind("fid,members,", 0) == 0);
  CHECK(header.find("head_name") == std::string::npos);
  CHECK(header.find("household_id") == std::string::npos);
  CHECK(header.find("shelter_id") != std::string::npos);
  std::size_t rows = 0;
  for (std::string line; std::getline(lines, line);) rows += line.empty() ? 0 : 1;
  CHECK(rows == plan_of(q.substr(1), "planner")["plan"]["households"].get<std::size_t>());

  const Response admin = get("/api/evacuation-plan" + q, "admin", "text/csv");
  REQUIRE(status(admin) == 200);
  CHECK(admin[http::field::content_type] == "text/csv; charset=utf-8");
  CHECK(admin.body().rfind("fid,household_id,head_name,members,", 0) == 0);
}

TEST_CASE("evacuation plan: malformed parameters answer 400 naming them, an unknown village 404", "[plan][server]") {
  const std::string base = std::string("/api/evacuation-plan?village=") + kVillage;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/api/evacuation-plan", "village"},
      {"/api/evacuation-plan?village=abc", "village"},
      {base + "&scope=some", "scope"},
      {base + "&max_minutes=0", "max_minutes"},
      {base + "&max_minutes=ten", "max_minutes"},
      {base + "&distance=-5", "distance"},
      {base + "&mode=fly", "mode"},
      {base + "&avoid=extreme", "avoid"},
      {base + "&closed=POLYGON((1 2", "closed"},
      {base + "&colour=red", "colour"},
  };
  for (const auto& [target, name] : bad) {
    const Response r = get(target, "planner");
    INFO(target << " → " << r.body());
    CHECK(status(r) == 400);
    CHECK(r.body().find(name) != std::string::npos);
  }
  CHECK(status(get("/api/evacuation-plan?village=331124207299", "planner")) == 404);
}
