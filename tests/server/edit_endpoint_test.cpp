// Editing over HTTP (issue 15): OGC API – Features Part 4 writes with ETags and If-Match, validation
// as at import leaving the store byte-identical, refusals audited, the masked-field rule, history,
// revert and the change feed — each case on its own copy of the sample.

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/edit_fixture.hpp"

using nlohmann::json;
using minqing::server::http::verb;
namespace test = minqing::test;

namespace {

json household(const json& coords, const std::string& id) {
  return {{"type", "Feature"},
          {"geometry", {{"type", "Point"}, {"coordinates", coords}}},
          {"properties", {{"household_id", id}, {"head_name", "王五"}, {"members", 3}, {"employment", "farming"}}}};
}

json nudged(json coords, double d = 0.00001) {
  coords[0] = coords[0].get<double>() + d;
  return coords;
}

std::string item_path(const std::string& cls, const json& f) {
  return "/collections/" + cls + "/items/" + std::to_string(f["id"].get<std::int64_t>());
}

bool audited(const minqing::server::App& app, const std::string& action, const std::string& user) {
  for (const auto& e : test::audit_entries(app)) {
    if (e["action"] == action && e["user"] == user) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("edits: POST creates a feature: 201, Location, ETag, village code by location, visible at once", "[edits][server]") {
  test::EditFixture fx("edits-post");
  const auto& cadre = fx.token("cadre");
  const json near = fx.first("households");
  const auto r = fx.send_json(verb::post, "/collections/households/items",
                              household(nudged(near["geometry"]["coordinates"]), "H-EDIT-1"), cadre);
  INFO(r.body());
  REQUIRE(test::status(r) == 201);
  CHECK(test::etag_of(r) == "\"1\"");
  const std::string location(r[minqing::server::http::field::location]);
  CHECK(location.find("/collections/households/items/") != std::string::npos);
  const json created = test::json_body(r);
  CHECK(created["properties"]["village_code"] == near["properties"]["village_code"]);  // derived, never sent
  CHECK(created["properties"]["head_name"] == "王五");

  const auto back = test::get(*fx.app, location.substr(location.find("/collections")), cadre);
  REQUIRE(test::status(back) == 200);
  CHECK(test::etag_of(back) == "\"1\"");
  CHECK(test::json_body(back)["properties"]["household_id"] == "H-EDIT-1");
  // The search index follows (issue 15 "visible at once").
  const auto items = test::get(*fx.app, "/collections/households/items?household_id=H-EDIT-1", cadre);
  CHECK(test::json_body(items)["numberMatched"] == 1);
}

TEST_CASE("edits: PATCH, PUT and DELETE need If-Match: 428 without, 412 when stale, new ETag when current", "[edits][server]") {
  test::EditFixture fx("edits-verbs");
  const auto& cadre = fx.token("cadre");
  const json h = fx.first("households");
  const std::string path = item_path("households", h);
  const auto read = test::get(*fx.app, path, cadre);
  REQUIRE(test::etag_of(read) == "\"1\"");

  const json patch = {{"properties", {{"members", 7}}}};
  CHECK(test::status(fx.send_json(verb::patch, path, patch, cadre)) == 428);
  const auto p = fx.send_json(verb::patch, path, patch, cadre, "\"1\"", "application/merge-patch+json");
  INFO(p.body());
  REQUIRE(test::status(p) == 200);
  CHECK(test::etag_of(p) == "\"2\"");
  CHECK(test::json_body(p)["properties"]["members"] == 7);
  CHECK(test::json_body(p)["properties"]["household_id"] == h["properties"]["household_id"]);  // merge keeps the rest

  // A second cadre who read version 1 must not overwrite the change silently.
  const auto stale = fx.send_json(verb::patch, path, {{"properties", {{"members", 9}}}}, cadre, "\"1\"");
  REQUIRE(test::status(stale) == 412);
  const json conflict = test::json_body(stale);
  CHECK(conflict["error"] == "precondition_failed");
  CHECK(conflict["current_version"] == 2);
  CHECK(conflict["detail"].get<std::string>().find("changed since you read it") != std::string::npos);
  CHECK(test::json_body(test::get(*fx.app, path, cadre))["properties"]["members"] == 7);

  json whole = test::json_body(test::get(*fx.app, path, cadre));
  whole["properties"]["members"] = 4;
  whole["properties"].erase("phone");  // PUT: left out means null
  const auto put = fx.send_json(verb::put, path, whole, cadre, "\"2\"");
  INFO(put.body());
  REQUIRE(test::status(put) == 200);
  CHECK(test::etag_of(put) == "\"3\"");
  CHECK(test::json_body(put)["properties"]["members"] == 4);
  CHECK(test::json_body(put)["properties"]["phone"].is_null());

  CHECK(test::status(fx.send_json(verb::delete_, path, nullptr, cadre)) == 428);
  CHECK(test::status(fx.send_json(verb::delete_, path, nullptr, cadre, "\"2\"")) == 412);
  const auto del = fx.send_json(verb::delete_, path, nullptr, cadre, "\"3\"");
  REQUIRE(test::status(del) == 204);
  CHECK(test::etag_of(del) == "\"4\"");
  CHECK(test::status(test::get(*fx.app, path, cadre)) == 404);
}

TEST_CASE("edits: every invalid write is refused naming the field or fault, and the store stays byte-identical", "[edits][server]") {
  test::EditFixture fx("edits-invalid");
  const auto& admin = fx.token("admin");
  const json h = fx.first("households");
  const json c = h["geometry"]["coordinates"];
  const double x = c[0].get<double>(), y = c[1].get<double>();
  const std::string path = item_path("households", h);

  auto refused = [&](verb v, const std::string& target, const json& body, int want, const std::string& names,
                     const char* if_match = nullptr) {
    const std::string before = test::store_hash(fx.store);
    const auto r = if_match ? fx.send_json(v, target, body, admin, std::string(if_match)) : fx.send_json(v, target, body, admin);
    INFO(target << " " << body.dump() << " → " << r.body());
    CHECK(test::status(r) == want);
    CHECK(r.body().find(names) != std::string::npos);
    CHECK(test::store_hash(fx.store) == before);
  };
  auto each_refusal = [&] {
    json bad_enum = household(nudged(c), "H-BAD-1");
    bad_enum["properties"]["employment"] = "farmer";
    refused(verb::post, "/collections/households/items", bad_enum, 422, "employment");
    json bad_int = household(nudged(c), "H-BAD-2");
    bad_int["properties"]["members"] = "five";
    refused(verb::post, "/collections/households/items", bad_int, 422, "members");
    json unknown = household(nudged(c), "H-BAD-3");
    unknown["properties"]["colour"] = "red";
    refused(verb::post, "/collections/households/items", unknown, 422, "colour");
    json derived = household(nudged(c), "H-BAD-4");
    derived["properties"]["vulnerable_members"] = 2;
    refused(verb::post, "/collections/households/items", derived, 422, "vulnerable_members");
    refused(verb::post, "/collections/households/items", household(nudged(c), h["properties"]["household_id"]), 422,
            "household_id");
    refused(verb::post, "/collections/households/items", household({120.9, 29.9}, "H-BAD-5"), 422, "outside every village");
    json line = household(nudged(c), "H-BAD-6");
    line["geometry"] = {{"type", "LineString"}, {"coordinates", {{x, y}, {x + 0.0001, y}}}};
    refused(verb::post, "/collections/households/items", line, 422, "geometry");
    const json bowtie = {{"type", "Feature"},
                         {"geometry",
                          {{"type", "Polygon"},
                           {"coordinates",
                            {{{x, y}, {x + 0.0002, y + 0.0002}, {x + 0.0002, y}, {x, y + 0.0002}, {x, y}}}}}},
                         {"properties", {{"building_id", "B-BAD-1"}, {"use", "residential"}}}};
    refused(verb::post, "/collections/buildings/items", bowtie, 422, "Self-intersection");
    refused(verb::patch, path, {{"properties", {{"employment", "farmer"}}}}, 422, "employment", "\"1\"");
    refused(verb::patch, path, {{"geometry", nullptr}}, 422, "geometry", "\"1\"");
    refused(verb::patch, path, json::array({1, 2}), 400, "Feature", "\"1\"");
  };
  each_refusal();  // the store has never been written: the file is the sample's
  const auto ok = fx.send_json(verb::post, "/collections/households/items", household(nudged(c), "H-GOOD-1"), admin);
  REQUIRE(test::status(ok) == 201);
  each_refusal();  // and once written (WAL, history table), still nothing changes
}

TEST_CASE("edits: writes outside the caller's map or area are refused with 403 and audited", "[edits][server]") {
  test::EditFixture fx("edits-refused");
  const json h1 = fx.first("households");  // the admin's first household: in the first village
  const std::string v1 = h1["properties"]["village_code"];
  const json b2 = fx.first("buildings", "village_code <> '" + v1 + "'");
  const json h2 = fx.first("households", "village_code = '" + b2["properties"]["village_code"].get<std::string>() + "'");

  // cadre2's village is not the first one: the first village's buildings are visible (terrain is
  // public) but outside cadre2's area.
  const auto& cadre = fx.token("cadre");
  const json mine = test::json_body(test::get(*fx.app, "/collections/households/items?limit=1", cadre))["features"][0];
  const std::string my_village = mine["properties"]["village_code"];
  const json other_building = fx.first("buildings", "village_code <> '" + my_village + "'");
  const auto out_of_area = fx.send_json(verb::patch, item_path("buildings", other_building),
                                        {{"properties", {{"floors", 3}}}}, cadre, "\"1\"");
  INFO(out_of_area.body());
  CHECK(test::status(out_of_area) == 403);
  CHECK(audited(*fx.app, "edit_refused", "cadre"));

  // Moving the cadre's own household into another village leaves its area.
  const json elsewhere = fx.first("households", "village_code <> '" + my_village + "'");
  const auto moved = fx.send_json(verb::patch, item_path("households", mine),
                                  {{"geometry", elsewhere["geometry"]}}, cadre, "\"1\"");
  INFO(moved.body());
  CHECK(test::status(moved) == 403);

  // The planner edits the disaster map only; households belong to industry.
  const auto& planner = fx.token("planner");
  const auto not_map = fx.send_json(verb::patch, item_path("households", h1), {{"properties", {{"members", 2}}}}, planner, "\"1\"");
  INFO(not_map.body());
  CHECK(test::status(not_map) == 403);
  CHECK(audited(*fx.app, "edit_refused", "planner"));

  // The public edits nothing; an unknown feature is 404.
  CHECK(test::status(fx.send_json(verb::patch, item_path("households", h1), {{"properties", {{"members", 2}}}}, {}, "\"1\"")) == 401);
  CHECK(test::status(fx.send_json(verb::patch, "/collections/households/items/99999999", {{"properties", {{"members", 2}}}},
                                  fx.token("admin"), "\"1\"")) == 404);
  (void)h2;
}

TEST_CASE("edits: a masked field echoed back keeps its value, and changing it is refused naming the field", "[edits][server]") {
  test::EditFixture fx("edits-masked");
  const auto& cadre = fx.token("cadre");  // key_persons.id_number is masked for village cadres
  const auto list = test::get(*fx.app, "/collections/key_persons/items?limit=1", cadre);
  REQUIRE(test::status(list) == 200);
  const json seen = test::json_body(list)["features"][0];
  const std::string path = item_path("key_persons", seen);
  const std::string masked = seen["properties"]["id_number"];
  REQUIRE(masked.find('*') != std::string::npos);
  const std::string original = test::json_body(test::get(*fx.app, path, fx.token("admin")))["properties"]["id_number"];

  json echo = seen;
  echo["properties"]["risk_level"] = 3;
  const auto put = fx.send_json(verb::put, path, echo, cadre, "\"1\"");
  INFO(put.body());
  REQUIRE(test::status(put) == 200);
  const json stored = test::json_body(test::get(*fx.app, path, fx.token("admin")));
  CHECK(stored["properties"]["id_number"] == original);  // not overwritten by its mask
  CHECK(stored["properties"]["risk_level"] == 3);

  const auto change = fx.send_json(verb::patch, path, {{"properties", {{"id_number", "330000000000000000"}}}}, cadre, "\"2\"");
  INFO(change.body());
  CHECK(test::status(change) == 403);
  CHECK(change.body().find("id_number") != std::string::npos);
  CHECK(audited(*fx.app, "edit_refused", "cadre"));
  CHECK(audited(*fx.app, "key_persons_edit", "cadre"));
}

TEST_CASE("edits: a cookie-authenticated write needs the CSRF header", "[edits][server]") {
  test::EditFixture fx("edits-csrf");
  const auto& cadre = fx.token("cadre");
  const json h = test::json_body(test::get(*fx.app, "/collections/households/items?limit=1", cadre))["features"][0];
  auto req = test::request(verb::patch, item_path("households", h));
  req.set(minqing::server::http::field::cookie, std::string(minqing::server::kSessionCookie) + "=" + cadre);
  req.set(minqing::server::http::field::content_type, "application/json");
  req.set(minqing::server::http::field::if_match, "\"1\"");
  req.body() = json{{"properties", {{"members", 5}}}}.dump();
  req.prepare_payload();
  CHECK(test::status(fx.app->handle(req, test::kDemoPeer)) == 403);
  req.set("X-Requested-With", "minqing");
  CHECK(test::status(fx.app->handle(req, test::kDemoPeer)) == 200);
}

TEST_CASE("edits: history lists every version masked as reads are, and revert restores one as a new change", "[edits][server]") {
  test::EditFixture fx("edits-history");
  const auto& admin = fx.token("admin");
  const json h = fx.first("households");
  const std::string path = item_path("households", h);
  const auto members0 = h["properties"]["members"];
  for (int i = 0; i < 3; ++i) {
    const auto r = fx.send_json(verb::patch, path, {{"properties", {{"members", 10 + i}}}}, admin,
                                "\"" + std::to_string(1 + i) + "\"");
    REQUIRE(test::status(r) == 200);
  }
  const auto hist = test::get(*fx.app, path + "/history", admin);
  REQUIRE(test::status(hist) == 200);
  CHECK(test::etag_of(hist) == "\"4\"");
  const json versions = test::json_body(hist)["versions"];
  REQUIRE(versions.size() == 4);
  CHECK(versions[0]["version"] == 1);
  CHECK(versions[0]["after"]["properties"]["members"] == members0);
  CHECK(versions[3]["version"] == 4);
  CHECK(versions[3]["op"] == "update");
  CHECK(versions[3]["user"] == "admin");
  CHECK(versions[3]["before"]["properties"]["members"] == 11);
  CHECK(versions[3]["after"]["properties"]["members"] == 12);

  CHECK(test::status(fx.send_json(verb::post, path + "/history/1/revert", nullptr, admin)) == 428);
  CHECK(test::status(fx.send_json(verb::post, path + "/history/1/revert", nullptr, admin, "\"3\"")) == 412);
  CHECK(test::status(fx.send_json(verb::post, path + "/history/9/revert", nullptr, admin, "\"4\"")) == 404);
  const auto rev = fx.send_json(verb::post, path + "/history/1/revert", nullptr, admin, "\"4\"");
  INFO(rev.body());
  REQUIRE(test::status(rev) == 200);
  CHECK(test::etag_of(rev) == "\"5\"");
  CHECK(test::json_body(test::get(*fx.app, path, admin))["properties"]["members"] == members0);
  CHECK(test::json_body(test::get(*fx.app, path + "/history", admin))["versions"][4]["op"] == "revert");

  // The history of a key person shows a village cadre the masked id number, as a read does.
  const auto& cadre = fx.token("cadre");
  const json kp = test::json_body(test::get(*fx.app, "/collections/key_persons/items?limit=1", cadre))["features"][0];
  REQUIRE(test::status(fx.send_json(verb::patch, item_path("key_persons", kp), {{"properties", {{"risk_level", 2}}}}, admin, "\"1\"")) == 200);
  const json kv = test::json_body(test::get(*fx.app, item_path("key_persons", kp) + "/history", cadre))["versions"];
  REQUIRE(kv.size() == 2);
  CHECK(kv[1]["after"]["properties"]["id_number"] == kp["properties"]["id_number"]);
  CHECK(kv[1]["after"]["properties"]["id_number"].get<std::string>().find('*') != std::string::npos);
  // A caller who may not see the feature gets 404 for its history, as for the feature.
  CHECK(test::status(test::get(*fx.app, item_path("key_persons", kp) + "/history", fx.token("planner"))) == 404);
}

TEST_CASE("edits: the change feed is scoped, filtered by village and time, and paged", "[edits][server]") {
  test::EditFixture fx("edits-feed");
  const auto& cadre = fx.token("cadre");
  const json mine = test::json_body(test::get(*fx.app, "/collections/households/items?limit=2", cadre))["features"];
  const std::string village = mine[0]["properties"]["village_code"];
  for (const auto& h : mine) {
    REQUIRE(test::status(fx.send_json(verb::patch, item_path("households", h), {{"properties", {{"members", 6}}}}, cadre, "\"1\"")) == 200);
  }
  const auto all = test::get(*fx.app, "/api/changes?village=" + village + "&since=0", cadre);
  REQUIRE(test::status(all) == 200);
  const json body = test::json_body(all);
  REQUIRE(body["changes"].size() == 2);
  CHECK(body["changes"][0]["collection"] == "households");
  CHECK(body["changes"][0]["after"]["properties"]["members"] == 6);
  CHECK(body["changes"][0]["user"] == "cadre");
  CHECK(body["latest_seq"] == body["changes"][1]["seq"]);

  const json page = test::json_body(test::get(*fx.app, "/api/changes?since=0&limit=1", cadre));
  REQUIRE(page["changes"].size() == 1);
  bool has_next = false;
  for (const auto& l : page["links"]) has_next = has_next || l["rel"] == "next";
  CHECK(has_next);
  const auto after_first = page["changes"][0]["seq"].get<std::int64_t>();
  CHECK(test::json_body(test::get(*fx.app, "/api/changes?since=" + std::to_string(after_first), cadre))["changes"].size() == 1);
  CHECK(test::json_body(test::get(*fx.app, "/api/changes?since=2000-01-01", cadre))["changes"].size() == 2);
  CHECK(test::json_body(test::get(*fx.app, "/api/changes?since=2999-01-01T00:00:00Z", cadre))["changes"].empty());

  // Households are not public: another village's cadre and the public see none of these changes.
  CHECK(test::json_body(test::get(*fx.app, "/api/changes?since=0", fx.token("cadre2")))["changes"].empty());
  CHECK(test::json_body(test::get(*fx.app, "/api/changes?since=0"))["changes"].empty());
  CHECK(test::status(test::get(*fx.app, "/api/changes?village=12", cadre)) == 400);
  CHECK(test::status(test::get(*fx.app, "/api/changes?since=yesterday", cadre)) == 400);
}

TEST_CASE("edits: a restarted server serves the edits and their versions from the store", "[edits][server]") {
  const auto store = test::scratch_dir("edits-restart") / "store.gpkg";
  std::filesystem::copy_file(test::sample_store(), store);
  std::string path;
  {
    auto o = test::app_options(store, "edits-restart");
    o.demo_accounts = true;
    minqing::server::App app(o);
    const auto admin = test::sign_in(app, "admin");
    const json h = test::json_body(test::get(app, "/collections/households/items?limit=1", admin))["features"][0];
    path = item_path("households", h);
    auto req = test::request(verb::patch, path);
    req.set(minqing::server::http::field::content_type, "application/json");
    req.set(minqing::server::http::field::if_match, "\"1\"");
    req.body() = json{{"properties", {{"members", 21}}}}.dump();
    req.prepare_payload();
    REQUIRE(test::status(test::send(app, req, admin)) == 200);
  }
  auto o = test::app_options(store, "edits-restart");
  o.demo_accounts = true;
  minqing::server::App app(o);
  const auto admin = test::sign_in(app, "admin");
  const auto r = test::get(app, path, admin);
  CHECK(test::json_body(r)["properties"]["members"] == 21);
  CHECK(test::etag_of(r) == "\"2\"");
  CHECK(test::json_body(test::get(app, path + "/history", admin))["versions"].size() == 2);
}

TEST_CASE("edits: a deleted feature comes back under its own id by reverting to a version before the delete", "[edits][server]") {
  test::EditFixture fx("edits-undelete");
  const auto& cadre = fx.token("cadre");
  const json h = test::json_body(test::get(*fx.app, "/collections/households/items?limit=1", cadre))["features"][0];
  const std::string path = item_path("households", h);
  REQUIRE(test::status(fx.send_json(verb::delete_, path, nullptr, cadre, "\"1\"")) == 204);
  REQUIRE(test::status(test::get(*fx.app, path, cadre)) == 404);
  // The history of the deleted feature still answers to a caller who saw it.
  const json hist = test::json_body(test::get(*fx.app, path + "/history", cadre));
  CHECK(hist["deleted"] == true);
  CHECK(hist["versions"].back()["op"] == "delete");
  const auto back = fx.send_json(verb::post, path + "/history/1/revert", nullptr, cadre, "\"2\"");
  INFO(back.body());
  REQUIRE(test::status(back) == 200);
  CHECK(test::etag_of(back) == "\"3\"");
  const json again = test::json_body(test::get(*fx.app, path, cadre));
  CHECK(again["id"] == h["id"]);
  CHECK(again["properties"]["household_id"] == h["properties"]["household_id"]);
  CHECK(again["properties"]["head_name"] == h["properties"]["head_name"]);
  // Another village's cadre neither sees the feature nor its history.
  CHECK(test::status(test::get(*fx.app, path + "/history", fx.token("cadre2"))) == 404);
}
