// GET /api/search over the sample villages with the demo accounts: what each role finds and
// never finds, the answer's shape (bbox and zoom point in CRS84, links), the view box, limits,
// auditing of key-person hits, and hostile input.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/demo_accounts.hpp"
#include "query/crs.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

constexpr const char* kVillage1 = "331124207201";
constexpr const char* kVillage2 = "331124207202";

const App& demo_app() {
  static const App app(test::demo_app_options("search_endpoint"));
  return app;
}

using test::status;

std::string token_of(const std::string& user) {
  static test::DemoTokens tokens(demo_app(), "198.51.100.9");
  return tokens(user);
}

using test::enc;

Response get(const std::string& user, const std::string& target) {
  return test::get(demo_app(), target, token_of(user), "198.51.100.10");
}

json search_json(const std::string& user, const std::string& q, const std::string& extra = "") {
  const std::string target = "/api/search?q=" + enc(q) + extra;
  const Response r = get(user, target);
  INFO((user.empty() ? "anonymous" : user) << " " << target << " → " << r.body().substr(0, 400));
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::vary] == "Authorization, Cookie");
  CHECK(to_std(r[http::field::cache_control]).rfind(user.empty() ? "public, " : "private, ", 0) == 0);
  const json body = json::parse(r.body());
  CHECK(body.at("numberReturned") == body.at("hits").size());
  CHECK(body.at("numberMatched").get<std::size_t>() >= body.at("hits").size());
  CHECK(body.at("q") == q);
  return body;
}

std::set<std::string> classes_of(const json& body) {
  std::set<std::string> out;
  for (const auto& h : body.at("hits")) out.insert(h.at("class").get<std::string>());
  return out;
}

bool has_hit(const json& body, const std::string& cls, std::int64_t fid) {
  for (const auto& h : body.at("hits")) {
    if (h.at("class") != cls) continue;
    for (const auto& f : h.at("fids")) {
      if (f == fid) return true;
    }
  }
  return false;
}

std::string text(const model::FeatureClassDef& def, const model::Feature& f,
                 const std::string& field) {
  const auto* s =
      std::get_if<std::string>(&f.values[static_cast<std::size_t>(def.field_index(field))]);
  return s ? *s : std::string{};
}

struct Named {
  std::int64_t fid = 0;
  std::string value;
};

// Features of `cls` in fid order as (fid, field value, village).
std::vector<std::tuple<std::int64_t, std::string, std::string>> values(const std::string& cls,
                                                                       const std::string& field) {
  const auto& def = *demo_app().catalog().find_class(cls);
  std::vector<store::ServedFeaturePtr> all;
  demo_app().index().query(cls, geo::BBox{-1e300, -1e300, 1e300, 1e300}, all);
  std::vector<std::tuple<std::int64_t, std::string, std::string>> out;
  for (const auto& f : all)
    out.emplace_back(f->feature.fid, text(def, f->feature, field),
                     text(def, f->feature, "village_code"));
  std::sort(out.begin(), out.end());
  return out;
}

// A value of cls.field in `village` that no feature of `other_village` holds as a substring.
Named only_in(const std::string& cls, const std::string& field, const std::string& village,
              const std::string& other_village) {
  const auto all = values(cls, field);
  for (const auto& [fid, v, code] : all) {
    if (code != village || v.empty()) continue;
    const bool elsewhere = std::any_of(all.begin(), all.end(), [&, &v = v](const auto& o) {
      return std::get<2>(o) == other_village && std::get<1>(o).find(v) != std::string::npos;
    });
    if (!elsewhere) return {fid, v};
  }
  FAIL("no " << cls << "." << field << " unique to " << village);
  return {};
}

std::uint64_t audit_total() { return demo_app().audit_log().page(0, 0).total; }

}  // namespace

TEST_CASE("search: anonymous callers find villages, roads and POIs, never a household head",
          "[server][search][access]") {
  const auto village_name = std::get<1>(values("villages", "name").front());
  const json v = search_json("", village_name);
  const auto cls = classes_of(v);
  CHECK(cls.count("villages") == 1);
  CHECK(cls.count("pois") == 1);
  for (const auto& c : cls) CHECK(demo_app().catalog().find_class(c)->map == "terrain");

  const auto roads = values("roads", "name");
  const auto road = std::get<1>(*std::find_if(
      roads.begin(), roads.end(), [](const auto& r) { return !std::get<1>(r).empty(); }));
  CHECK(classes_of(search_json("", road)).count("roads") == 1);

  for (const auto& [fid, head, code] : values("households", "head_name")) {
    if (fid % 50 != 1 || head.empty()) continue;
    const json h = search_json("", head);
    CHECK(classes_of(h).count("households") == 0);
    CHECK(classes_of(h).count("key_persons") == 0);
    CHECK(classes_of(h).count("assisted_households") == 0);
  }
}

TEST_CASE(
    "search: a hit carries class, titles, fid, village, CRS84 bbox, a zoom point on it and a link",
    "[server][search]") {
  const json body = search_json("admin", kVillage1);
  REQUIRE(body.at("hits").size() == 1);
  const json& h = body.at("hits").at(0);
  CHECK(h.at("class") == "villages");
  CHECK(h.at("title") == "行政村");
  CHECK(h.at("map") == "terrain");
  CHECK(h.at("mapTitle") == "村情民情图");
  CHECK(h.at("field") == "village_code");
  CHECK(h.at("fieldTitle") == "行政区划代码");
  CHECK(h.at("text") == kVillage1);
  CHECK(h.at("match") == "exact");
  CHECK(h.at("village_code") == kVillage1);
  CHECK(h.at("fids") == json::array({h.at("fid")}));
  CHECK(h.at("href") == "http://127.0.0.1:8080/collections/villages/items/" +
                            std::to_string(h.at("fid").get<long long>()));
  CHECK_FALSE(h.contains("inView"));
  // The bbox is the village polygon's, in lon/lat around Songyang; the point lies within it.
  const auto& b = h.at("bbox");
  const auto& p = h.at("point");
  REQUIRE(b.size() == 4);
  CHECK(b[0].get<double>() > 119.0);
  CHECK(b[2].get<double>() < 120.0);
  CHECK(b[1].get<double>() > 28.0);
  CHECK(b[3].get<double>() < 29.0);
  CHECK(b[0] < b[2]);
  CHECK(b[1] < b[3]);
  CHECK(p[0] >= b[0]);
  CHECK(p[0] <= b[2]);
  CHECK(p[1] >= b[1]);
  CHECK(p[1] <= b[3]);
  const auto fid = h.at("fid").get<std::int64_t>();
  const auto f = demo_app().index().find("villages", fid);
  REQUIRE(f);
  const geo::Coord lo = query::from_mercator(query::crs84(), {f->bbox.min_x, f->bbox.min_y});
  CHECK(b[0].get<double>() == Approx(lo.x).margin(1e-6));
  CHECK(b[1].get<double>() == Approx(lo.y).margin(1e-6));
  // The link answers the same feature.
  const Response item = get("admin", "/collections/villages/items/" + std::to_string(fid));
  CHECK(status(item) == 200);
}

TEST_CASE("search: a village cadre finds nothing of another village", "[server][search][access]") {
  const Named head = only_in("households", "head_name", kVillage1, kVillage2);
  CHECK(has_hit(search_json("cadre", head.value), "households", head.fid));
  const json other = search_json("cadre2", head.value);
  CHECK(other.at("hits").empty());
  CHECK(other.at("numberMatched") == 0);
  for (const std::string q : {"村", "3311", "山"}) {
    for (const auto& h : search_json("cadre2", q).at("hits"))
      CHECK(h.at("village_code") == kVillage2);
  }
}

TEST_CASE(
    "search: a township cadre cannot find a household by its head's name (the name is masked)",
    "[server][search][access]") {
  const auto heads = values("households", "head_name");
  int checked = 0;
  for (const auto& [fid, head, code] : heads) {
    if (fid % 40 != 1 || head.empty()) continue;
    ++checked;
    CHECK(has_hit(search_json("admin", head), "households", fid));
    const json t = search_json("township", head);
    CHECK(classes_of(t).count("households") == 0);
    CHECK(classes_of(t).count("assisted_households") == 0);
    CHECK(classes_of(t).count("key_persons") == 0);
  }
  CHECK(checked > 5);
  // One character of a surname is no oracle either.
  const std::string surname = std::get<1>(heads.front()).substr(0, 3);
  CHECK(classes_of(search_json("township", surname)).count("households") == 0);
  // What the township sees in full is still searched: villages of all its villages, grids.
  CHECK(search_json("township", "3311242072").at("numberMatched") == 3);
}

TEST_CASE("search: a key person found by a village cadre is audited with the query and the ids",
          "[server][search][access][audit]") {
  const Named person = only_in("key_persons", "name", kVillage1, kVillage2);
  // Sign in first: a login is audited too, and is not what this test counts.
  for (const char* user : {"cadre", "cadre2", "planner", "grid"}) token_of(user);
  const auto before = audit_total();
  const json body = search_json("cadre", person.value);
  REQUIRE(has_hit(body, "key_persons", person.fid));
  const auto after = audit_total();
  REQUIRE(after == before + 1);
  const json entry = demo_app().audit_log().page(after - 1, 1).entries.at(0);
  CHECK(entry.at("action") == "key_persons_query");
  CHECK(entry.at("user") == "cadre");
  CHECK(entry.at("detail").at("q") == person.value);
  CHECK(entry.at("detail").at("class") == "key_persons");
  const json& ids = entry.at("detail").at("ids");
  CHECK(std::find(ids.begin(), ids.end(), json(person.fid)) != ids.end());

  // A search that matches no key person is not a read of the map.
  const auto quiet = audit_total();
  search_json("cadre", kVillage1);
  CHECK(audit_total() == quiet);
  // cadre2 may see the map but not this person: nothing found, nothing read.
  CHECK_FALSE(has_hit(search_json("cadre2", person.value), "key_persons", person.fid));
  CHECK(audit_total() == quiet);
  // Roles without the map never search it.
  CHECK(classes_of(search_json("planner", person.value)).count("key_persons") == 0);
  CHECK(classes_of(search_json("grid", person.value)).count("key_persons") == 0);
}

TEST_CASE("search: a disaster planner finds shelters and no personal data",
          "[server][search][access]") {
  const auto shelters = values("shelters", "name");
  const std::string name = std::get<1>(shelters.front());
  const json body = search_json("planner", name);
  CHECK(has_hit(body, "shelters", std::get<0>(shelters.front())));
  const json all = search_json("planner", "避灾", "&limit=100");
  std::size_t shelter_hits = 0;
  for (const auto& h : all.at("hits")) shelter_hits += h.at("class") == "shelters";
  CHECK(shelter_hits == shelters.size());  // every sample shelter is named …避灾…点
  for (const auto& [fid, head, code] : values("households", "head_name")) {
    if (fid % 100 != 1 || head.empty()) continue;
    for (const auto& c : classes_of(search_json("planner", head))) {
      const auto* def = demo_app().catalog().find_class(c);
      CHECK((def->map == "terrain" || def->map == "disaster"));
    }
  }
}

TEST_CASE("search: limit and numberMatched", "[server][search]") {
  const json all = search_json("admin", "村", "&limit=100");
  const auto matched = all.at("numberMatched").get<std::size_t>();
  REQUIRE(matched > 20);
  const json dflt = search_json("admin", "村");
  CHECK(dflt.at("hits").size() == 20);
  CHECK(dflt.at("numberMatched") == matched);
  const json three = search_json("admin", "村", "&limit=3");
  REQUIRE(three.at("hits").size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(three.at("hits")[i] == all.at("hits")[i]);
  CHECK(search_json("admin", "村", "&limit=100000").at("hits").size() ==
        std::min<std::size_t>(matched, 100));
}

TEST_CASE("search: the view box ranks the hits inside it first without hiding the others",
          "[server][search]") {
  // The second village's extent as the map view.
  const auto villages = values("villages", "village_code");
  const auto v2 = std::find_if(villages.begin(), villages.end(),
                               [](const auto& v) { return std::get<1>(v) == kVillage2; });
  REQUIRE(v2 != villages.end());
  const auto f = demo_app().index().find("villages", std::get<0>(*v2));
  const geo::Coord lo = query::from_mercator(query::crs84(), {f->bbox.min_x, f->bbox.min_y});
  const geo::Coord hi = query::from_mercator(query::crs84(), {f->bbox.max_x, f->bbox.max_y});
  const std::string bbox = "&bbox=" + std::to_string(lo.x) + "," + std::to_string(lo.y) + "," +
                           std::to_string(hi.x) + "," + std::to_string(hi.y);
  const json plain = search_json("admin", "村", "&limit=100");
  const json viewed = search_json("admin", "村", "&limit=100" + bbox);
  CHECK(viewed.at("numberMatched") == plain.at("numberMatched"));
  std::size_t in_view = 0;
  std::map<std::string, bool> seen_out;  // per match kind: an out-of-view hit came already
  for (const auto& h : viewed.at("hits")) {
    const std::string kind = h.at("match");
    if (h.at("inView").get<bool>()) {
      ++in_view;
      CHECK_FALSE(seen_out[kind]);
    } else {
      seen_out[kind] = true;
    }
  }
  CHECK(in_view > 0);
  CHECK(in_view < viewed.at("hits").size());
  // The bbox is CRS84 and checked.
  CHECK(status(get("admin", "/api/search?q=a&bbox=1,2,3")) == 400);
  CHECK(status(get("admin", "/api/search?q=a&bbox=3,2,1,4")) == 400);
  CHECK(status(get("admin", "/api/search?q=a&bbox=0,0,200,10")) == 400);
  CHECK(status(get("admin", "/api/search?q=a&bbox=nan,0,1,1")) == 400);
  CHECK(status(get("admin", "/api/search?q=a&bbox=-180,-90,180,90")) == 200);
}

TEST_CASE("search: hostile and malformed input is refused or answered honestly, never a crash",
          "[server][search]") {
  const auto refused = [](const std::string& target, const std::string& names) {
    const Response r = get("admin", target);
    INFO(target << " → " << r.body());
    CHECK(status(r) == 400);
    if (!names.empty()) CHECK(r.body().find(names) != std::string::npos);
  };
  refused("/api/search", "parameter q");
  refused("/api/search?q=", "parameter q");
  refused("/api/search?q=%20%20", "parameter q");
  refused("/api/search?q=%E3%80%80", "parameter q");  // only an ideographic space
  refused("/api/search?q=%00", "");                   // NUL: refused by the target parser
  refused("/api/search?q=a%00b", "");
  refused("/api/search?q=%FF", "parameter q");        // invalid UTF-8
  refused("/api/search?q=%C0%80", "parameter q");     // overlong NUL
  refused("/api/search?q=%ED%A0%80", "parameter q");  // surrogate
  refused("/api/search?q=%E5%BC", "parameter q");     // truncated
  refused("/api/search?q=a%01", "parameter q");       // control character
  refused("/api/search?q=a%0Ab", "parameter q");
  refused("/api/search?q=" + std::string(10 * 1024, 'a'), "parameter q");
  refused("/api/search?q=" + std::string(65, 'x'), "parameter q");
  refused("/api/search?q=a&q=b", "parameter q");
  refused("/api/search?q=a&limit=0", "parameter limit");
  refused("/api/search?q=a&limit=-1", "parameter limit");
  refused("/api/search?q=a&limit=ten", "parameter limit");
  refused("/api/search?q=a&class=households", "unknown parameter 'class'");
  refused("/api/search?q=a&filter=name%20LIKE%20%27%25%27", "unknown parameter 'filter'");

  // Injection strings are text like any other: matched literally, so nothing (or only values that
  // really hold them) comes back.
  for (const std::string q :
       {"' OR 1=1 --", "\"; DROP TABLE households; --", "name LIKE '%'", "%", "_", "*",
        "1=1) OR (1=1", "<script>alert(1)</script>", "../../etc/passwd", "\\", "${jndi:x}"}) {
    const json body = search_json("admin", q);
    for (const auto& h : body.at("hits"))
      CHECK(h.at("text").get<std::string>().find(q) != std::string::npos);
    CHECK(body.at("numberMatched") == body.at("hits").size());
  }
  // Exactly 64 characters is accepted.
  std::string sixty_four;
  for (int i = 0; i < 64; ++i) sixty_four += "村";
  CHECK(search_json("admin", sixty_four).at("hits").empty());
  // ASCII case does not matter.
  CHECK(search_json("admin", "DX").at("numberMatched") ==
        search_json("admin", "dx").at("numberMatched"));
}
