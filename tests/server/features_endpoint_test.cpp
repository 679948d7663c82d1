// OGC API – Features over the sample villages: landing page, conformance, collections, items with
// every parameter, paging through a whole class, each CRS against PROJ, CQL2 filters over HTTP,
// hostile filters, the interim access rule — and GDAL's own OAPIF client reading a real server.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "server/http_server.hpp"
#include "store/feature_store.hpp"
#include "support/demo_client.hpp"
#include "support/loopback_server.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

// These tests exercise the OGC API itself, as an anonymous caller under a policy that opens every
// map that is not confidential to the public (tests/data/open-public-policy.json) — a county may
// publish its disaster map. What each role of the real policy sees is access_matrix_test.cpp's.
AppOptions open_public_options() {
  AppOptions o = test::sample_app_options("features_endpoint");
  o.policy = test::source_dir() / "tests/data/open-public-policy.json";
  return o;
}

const App& sample_app() {
  static const App app(open_public_options());
  return app;
}

Response get(const std::string& target) { return test::get(sample_app(), target); }

using test::status;

json get_json(const std::string& target, int expected = 200) {
  const Response r = get(target);
  INFO(target << " → " << r.body().substr(0, 400));
  REQUIRE(status(r) == expected);
  return json::parse(r.body());
}

using test::enc;

std::string items(const std::string& cls, const std::string& query = "") {
  return "/collections/" + cls + "/items" + (query.empty() ? "" : "?" + query);
}

std::size_t matched(const std::string& cls, const std::string& query) {
  return get_json(items(cls, query)).at("numberMatched").get<std::size_t>();
}

std::vector<store::ServedFeaturePtr> all_of(const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  sample_app().index().query(cls, {-1e300, -1e300, 1e300, 1e300}, out);
  return out;
}

std::string path_of(const std::string& href) {
  const auto p = href.find("/", std::string("http://").size());
  return href.substr(p);
}

// The CRS84 bbox of the first village, as "minlon,minlat,maxlon,maxlat".
geo::BBox village_lonlat_box() {
  auto v = all_of("villages");
  REQUIRE_FALSE(v.empty());
  const geo::BBox m = v.front()->bbox;
  const geo::Coord a = geo::mercator_to_lonlat({m.min_x, m.min_y});
  const geo::Coord b = geo::mercator_to_lonlat({m.max_x, m.max_y});
  return {a.x, a.y, b.x, b.y};
}

std::string csv(double a, double b, double c, double d) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.9f,%.9f,%.9f,%.9f", a, b, c, d);
  return buf;
}

}  // namespace

TEST_CASE("features: landing page, conformance and collections", "[server][features]") {
  const json landing = get_json("/");
  std::set<std::string> rels;
  for (const auto& l : landing.at("links")) rels.insert(l.at("rel").get<std::string>());
  CHECK(rels.count("self"));
  CHECK(rels.count("conformance"));
  CHECK(rels.count("data"));
  CHECK(rels.count("service-desc"));
  const Response api = get("/api");
  REQUIRE(status(api) == 200);
  CHECK(api[http::field::content_type] == "application/vnd.oai.openapi+json;version=3.0");
  const json doc = json::parse(api.body());
  CHECK(doc.at("openapi") == "3.0.3");
  CHECK(doc.at("paths").contains("/collections/households/items"));
  CHECK_FALSE(doc.at("paths").contains("/collections/key_persons/items"));
  CHECK(api.body().find("head_name") == std::string::npos);
  // Every route of the app under a collection, the change feed and the backups is described, with
  // each method it answers (session 10: the writes, history, changes and backups were missing).
  const json& paths = doc.at("paths");
  std::size_t described = 0;
  for (const auto& route : sample_app().router().routes()) {
    std::string path = route.pattern;
    if (path.rfind("/collections/{class}", 0) == 0) {
      path.replace(0, std::string("/collections/{class}").size(), "/collections/households");
      if (const auto at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, "{featureId}");
    } else if (path != "/api/changes" && path.rfind("/api/backups", 0) != 0) {
      continue;
    }
    std::string method(http::to_string(route.method));
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    INFO(method << " " << path);
    REQUIRE(paths.contains(path));
    REQUIRE(paths.at(path).contains(method));
    CHECK(paths.at(path).at(method).at("responses").size() >= 2);
    ++described;
  }
  CHECK(described == 14);
  const json& put = paths.at("/collections/households/items/{featureId}").at("put");
  for (const char* s : {"200", "400", "401", "403", "404", "412", "415", "422", "428"}) CHECK(put.at("responses").contains(s));
  CHECK(std::any_of(put.at("parameters").begin(), put.at("parameters").end(),
                    [](const json& p) { return p.at("name") == "If-Match" && p.at("in") == "header" && p.at("required") == true; }));
  CHECK(paths.at("/collections/households/items").at("post").at("responses").contains("201"));
  const json& del = paths.at("/collections/households/items/{featureId}").at("delete").at("responses");
  CHECK(del.contains("204"));
  CHECK(del.contains("428"));
  CHECK_FALSE(del.contains("415"));  // no body
  CHECK(paths.at("/api/backups").at("post").at("responses").contains("202"));
  CHECK(paths.at("/api/backups").at("post").at("responses").contains("409"));
  CHECK(paths.at("/api/changes").at("get").at("parameters").size() == 4);
  CHECK_FALSE(paths.contains("/collections/key_persons/items/{featureId}/history"));  // not visible: not described

  const json conf = get_json("/conformance");
  const auto classes = conf.at("conformsTo").get<std::vector<std::string>>();
  const std::set<std::string> set(classes.begin(), classes.end());
  CHECK(set.count("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
  CHECK(set.count("http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"));
  CHECK(set.count("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter"));
  CHECK(set.count("http://www.opengis.net/spec/cql2/1.0/conf/cql2-text"));

  const json cols = get_json("/collections");
  std::set<std::string> ids;
  for (const auto& c : cols.at("collections")) ids.insert(c.at("id").get<std::string>());
  CHECK(ids.count("households"));
  CHECK(ids.count("villages"));
  CHECK(ids.count("hazard_zones"));
  CHECK_FALSE(ids.count("key_persons"));  // a confidential map: not listed
  CHECK(ids.size() == sample_app().catalog().classes().size() - 1);

  const json hh = get_json("/collections/households");
  CHECK(hh.at("id") == "households");
  CHECK(hh.at("itemType") == "feature");
  const auto crs = hh.at("crs").get<std::vector<std::string>>();
  CHECK(crs.front() == "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
  CHECK(std::find(crs.begin(), crs.end(), "http://www.opengis.net/def/crs/EPSG/0/4549") != crs.end());
  CHECK(hh.contains("storageCrs"));
  // The extent is the class's, in CRS84, around Songyang.
  const auto bbox = hh.at("extent").at("spatial").at("bbox").at(0).get<std::vector<double>>();
  REQUIRE(bbox.size() == 4);
  CHECK(bbox[0] > 118.5);
  CHECK(bbox[2] < 120.5);
  CHECK(bbox[1] > 27.5);
  CHECK(bbox[3] < 29.5);
  CHECK(bbox[0] < bbox[2]);
  for (const auto& h : all_of("households")) {
    const geo::Coord c = geo::mercator_to_lonlat(h->bbox.center());
    CHECK((c.x >= bbox[0] - 1e-6 && c.x <= bbox[2] + 1e-6 && c.y >= bbox[1] - 1e-6 && c.y <= bbox[3] + 1e-6));
  }

  CHECK(status(get("/collections/key_persons")) == 404);
  CHECK(status(get("/collections/key_persons/items")) == 404);
  CHECK(status(get("/collections/key_persons/items/1")) == 404);
  CHECK(status(get("/collections/key_persons/queryables")) == 404);
  CHECK(status(get("/collections/nothing")) == 404);
  CHECK(status(get("/collections/nothing/items")) == 404);
}

TEST_CASE("features: queryables are the non-personal fields, typed, with enums", "[server][features]") {
  const Response r = get("/collections/households/queryables");
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::content_type] == "application/schema+json");
  const json q = json::parse(r.body());
  const auto& props = q.at("properties");
  CHECK(props.contains("geometry"));
  CHECK(props.at("employment").at("type") == "string");
  CHECK(props.at("employment").at("enum").size() == 4);
  CHECK(props.at("members").at("type") == "integer");
  CHECK_FALSE(props.contains("head_name"));
  CHECK_FALSE(props.contains("phone"));
  CHECK(get_json("/collections/parcels/queryables").at("properties").at("area_mu").at("type") == "number");
  CHECK(get_json("/collections/pairings/queryables").at("properties").at("since").at("format") == "date");
}

TEST_CASE("features: items are GeoJSON without personal fields", "[server][features]") {
  const Response r = get(items("households"));
  REQUIRE(status(r) == 200);
  CHECK(r[http::field::content_type] == "application/geo+json");
  CHECK(r["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
  const json fc = json::parse(r.body());
  CHECK(fc.at("type") == "FeatureCollection");
  const std::size_t total = sample_app().index().size("households");
  REQUIRE(total > 100);
  CHECK(fc.at("numberMatched") == total);
  CHECK(fc.at("numberReturned") == 100);  // the default limit
  CHECK(fc.at("features").size() == 100);
  const auto& f = fc.at("features").at(0);
  CHECK(f.at("type") == "Feature");
  CHECK(f.at("geometry").at("type") == "Point");
  CHECK(f.at("properties").contains("employment"));
  CHECK_FALSE(f.at("properties").contains("head_name"));
  CHECK_FALSE(f.at("properties").contains("phone"));
  CHECK(r.body().find("head_name") == std::string::npos);

  // Polygons and lines come out as such.
  CHECK(get_json(items("villages", "limit=1")).at("features").at(0).at("geometry").at("type").get<std::string>().find("Polygon") !=
        std::string::npos);
  CHECK(get_json(items("roads", "limit=1")).at("features").at(0).at("geometry").at("type").get<std::string>().find("LineString") !=
        std::string::npos);
}

TEST_CASE("features: paging through a whole class by next links", "[server][features]") {
  const std::size_t total = sample_app().index().size("households");
  std::set<std::int64_t> seen;
  std::size_t pages = 0;
  std::size_t sum = 0;
  std::string next = items("households", "limit=37");
  std::int64_t last = -1;
  while (!next.empty()) {
    const json page = get_json(next);
    CHECK(page.at("numberMatched") == total);
    sum += page.at("numberReturned").get<std::size_t>();
    for (const auto& f : page.at("features")) {
      const auto fid = f.at("id").get<std::int64_t>();
      CHECK(fid > last);  // fid order, stable across pages
      last = fid;
      seen.insert(fid);
    }
    next.clear();
    for (const auto& l : page.at("links")) {
      if (l.at("rel") == "next") {
        CHECK(l.at("type") == "application/geo+json");
        next = path_of(l.at("href").get<std::string>());
      }
      if (pages > 0 && l.at("rel") == "prev") CHECK(l.at("href").get<std::string>().find("offset=") != std::string::npos);
    }
    REQUIRE(++pages < 1000);
  }
  CHECK(sum == total);
  CHECK(seen.size() == total);
  CHECK(pages == (total + 36) / 37);
  // offset past the end: empty page, no next.
  const json past = get_json(items("households", "offset=" + std::to_string(total + 5)));
  CHECK(past.at("numberReturned") == 0);
  CHECK(past.at("numberMatched") == total);
}

TEST_CASE("features: limit and offset are checked and clamped", "[server][features]") {
  const json big = get_json(items("households", "limit=20000"));
  CHECK(big.at("numberReturned") == std::min<std::size_t>(sample_app().index().size("households"), 10000));
  CHECK(big.at("links").at(0).at("href").get<std::string>().find("limit=10000") != std::string::npos);
  CHECK(get_json(items("households", "limit=99999999999999999999999")).at("numberReturned").get<std::size_t>() <= 10000);
  const json two = get_json(items("households", "limit=2&offset=3"));
  const json five = get_json(items("households", "limit=5"));
  CHECK(two.at("features").at(0).at("id") == five.at("features").at(3).at("id"));
  for (const char* bad : {"limit=0", "limit=-1", "limit=abc", "limit=", "offset=-1", "offset=1.5", "limit=1e3"}) {
    INFO(bad);
    const Response r = get(items("households", bad));
    CHECK(status(r) == 400);
    CHECK(r.body().find(std::string(bad).substr(0, 5)) != std::string::npos);
  }
}

TEST_CASE("features: bbox in CRS84, EPSG:4326 (lat/lon), 3857 and 4549 select the same features", "[server][features]") {
  const geo::BBox b = village_lonlat_box();
  // Reference: households whose point lies in the box, straight from the index.
  std::size_t expected = 0;
  for (const auto& h : all_of("households")) {
    const geo::Coord c = geo::mercator_to_lonlat(h->feature.geometry.coords.front());
    if (c.x >= b.min_x && c.x <= b.max_x && c.y >= b.min_y && c.y <= b.max_y) ++expected;
  }
  REQUIRE(expected > 0);
  CHECK(expected < sample_app().index().size("households"));
  CHECK(matched("households", "bbox=" + csv(b.min_x, b.min_y, b.max_x, b.max_y)) == expected);
  CHECK(matched("households", "bbox=" + csv(b.min_y, b.min_x, b.max_y, b.max_x) +
                                  "&bbox-crs=" + enc("http://www.opengis.net/def/crs/EPSG/0/4326")) == expected);
  const geo::Coord m0 = geo::lonlat_to_mercator({b.min_x, b.min_y});
  const geo::Coord m1 = geo::lonlat_to_mercator({b.max_x, b.max_y});
  CHECK(matched("households", "bbox=" + csv(m0.x, m0.y, m1.x, m1.y) +
                                  "&bbox-crs=" + enc("http://www.opengis.net/def/crs/EPSG/0/3857")) == expected);
  // The same box as a filter.
  CHECK(matched("households", "filter=" + enc("S_INTERSECTS(geometry, BBOX(" + csv(b.min_x, b.min_y, b.max_x, b.max_y) + "))")) ==
        expected);
  // A box of the whole county in EPSG:4549 (northing, easting) holds everything.
  CHECK(matched("households", "bbox=3000000,300000,3400000,700000&bbox-crs=" +
                                  enc("http://www.opengis.net/def/crs/EPSG/0/4549")) == sample_app().index().size("households"));
  // A box far away holds nothing.
  CHECK(matched("households", "bbox=0,0,1,1") == 0);

  for (const char* bad : {"bbox=1,2,3", "bbox=1,2,3,x", "bbox=3,2,1,4", "bbox=1,2,3,4,5", "bbox=0,100,1,101",
                          "bbox=1,2,3,4&bbox-crs=EPSG:9999", "bbox-crs=EPSG:4326"}) {
    INFO(bad);
    const Response r = get(items("households", bad));
    CHECK(status(r) == 400);
    CHECK(r.body().find("bbox") != std::string::npos);
  }
}

TEST_CASE("features: attribute equality on queryable fields", "[server][features]") {
  std::map<std::string, std::size_t> by_employment;
  const int idx = sample_app().catalog().find_class("households")->field_index("employment");
  for (const auto& h : all_of("households")) {
    by_employment[std::get<std::string>(h->feature.values[static_cast<std::size_t>(idx)])]++;
  }
  REQUIRE(by_employment["migrant"] > 0);
  const json page = get_json(items("households", "employment=migrant&limit=10000"));
  CHECK(page.at("numberMatched") == by_employment["migrant"]);
  for (const auto& f : page.at("features")) CHECK(f.at("properties").at("employment") == "migrant");
  CHECK(matched("households", "employment=nobody") == 0);
  // Integer field: members=N, combined with another equality.
  std::size_t expected = 0;
  const int members = sample_app().catalog().find_class("households")->field_index("members");
  for (const auto& h : all_of("households")) {
    const auto& v = h->feature.values;
    if (std::get<std::string>(v[static_cast<std::size_t>(idx)]) == "migrant" &&
        std::get<std::int64_t>(v[static_cast<std::size_t>(members)]) == 3) {
      ++expected;
    }
  }
  CHECK(matched("households", "employment=migrant&members=3") == expected);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"members=three", "members"},
      {"head_name=x", "head_name"},    // personal: never queryable
      {"phone=138", "phone"},
      {"nosuch=1", "nosuch"},
      {"f=html", "f"},
      {"filter-lang=cql-json&filter=x", "filter-lang"},
  };
  for (const auto& [q, word] : bad) {
    INFO(q);
    const Response r = get(items("households", q));
    CHECK(status(r) == 400);
    CHECK(r.body().find(word) != std::string::npos);
  }
  CHECK(status(get(items("households", "f=json"))) == 200);
}

TEST_CASE("features: each CRS agrees with PROJ and uses its authority axis order", "[server][features]") {
  // The store's own coordinates of one household, in EPSG:4549 (easting, northing).
  auto st = store::FeatureStore::open(test::sample_store().string(), sample_app().catalog(), store::FeatureStore::Mode::read_only);
  REQUIRE(st.epsg() == 4549);
  std::int64_t fid = 0;
  geo::Coord en;
  st.for_each("households", [&](model::Feature& f) {
    if (fid == 0) {
      fid = f.fid;
      en = f.geometry.coords.front();
    }
  });
  REQUIRE(fid > 0);
  const std::string item = "/collections/households/items/" + std::to_string(fid);
  auto coords = [&](const std::string& crs_uri, std::string* header = nullptr) {
    const Response r = get(item + (crs_uri.empty() ? "" : "?crs=" + enc(crs_uri)));
    INFO(crs_uri << " → " << r.body());
    REQUIRE(status(r) == 200);
    if (header) *header = std::string(r["Content-Crs"]);
    const auto c = json::parse(r.body()).at("geometry").at("coordinates");
    return geo::Coord{c.at(0).get<double>(), c.at(1).get<double>()};
  };
  const geo::Coord lonlat = geo::Transform("EPSG:4549", "EPSG:4326").apply(en);
  const geo::Coord cgcs = geo::Transform("EPSG:4549", "EPSG:4490").apply(en);
  const geo::Coord merc = geo::Transform("EPSG:4549", "EPSG:3857").apply(en);

  std::string header;
  geo::Coord c = coords("", &header);
  CHECK(header == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
  CHECK(c.x == Approx(lonlat.x).margin(2e-7));
  CHECK(c.y == Approx(lonlat.y).margin(2e-7));
  c = coords("http://www.opengis.net/def/crs/EPSG/0/4326", &header);
  CHECK(header == "<http://www.opengis.net/def/crs/EPSG/0/4326>");
  CHECK(c.x == Approx(lonlat.y).margin(2e-7));  // latitude first
  CHECK(c.y == Approx(lonlat.x).margin(2e-7));
  c = coords("http://www.opengis.net/def/crs/EPSG/0/4490");
  CHECK(c.x == Approx(cgcs.y).margin(2e-7));
  CHECK(c.y == Approx(cgcs.x).margin(2e-7));
  c = coords("http://www.opengis.net/def/crs/EPSG/0/3857");
  CHECK(c.x == Approx(merc.x).margin(0.002));
  CHECK(c.y == Approx(merc.y).margin(0.002));
  // EPSG:4549's axis order is northing, easting: the store's coordinates, swapped, to the mm.
  c = coords("http://www.opengis.net/def/crs/EPSG/0/4549", &header);
  CHECK(header == "<http://www.opengis.net/def/crs/EPSG/0/4549>");
  CHECK(c.x == Approx(en.y).margin(0.002));
  CHECK(c.y == Approx(en.x).margin(0.002));
  // Precision: 7 decimals in degrees, 3 in metres.
  const Response r = get(item + "?crs=" + enc("http://www.opengis.net/def/crs/EPSG/0/4549"));
  const auto coords_text = r.body().substr(r.body().find("\"coordinates\""), 60);
  INFO(coords_text);
  CHECK(coords_text.find(".0000000") == std::string::npos);
  // The collection answers in any CRS too.
  const Response list = get(items("households", "limit=1&crs=" + enc("http://www.opengis.net/def/crs/EPSG/0/4549")));
  CHECK(list["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4549>");
  CHECK(status(get(items("households", "crs=EPSG:9999"))) == 400);
  CHECK(status(get(item + "?crs=foo")) == 400);
  CHECK(status(get(item + "?bbox=1,2,3,4")) == 400);
}

TEST_CASE("features: one item by fid", "[server][features]") {
  const auto some = all_of("shelters");
  REQUIRE_FALSE(some.empty());
  const auto fid = some.front()->feature.fid;
  const json f = get_json("/collections/shelters/items/" + std::to_string(fid));
  CHECK(f.at("id") == fid);
  CHECK(f.at("type") == "Feature");
  CHECK(f.at("properties").contains("capacity"));
  CHECK(status(get("/collections/shelters/items/99999999")) == 404);
  CHECK(status(get("/collections/shelters/items/abc")) == 404);
  CHECK(status(get("/collections/shelters/items/-1")) == 404);
}

TEST_CASE("features: CQL2 filters over HTTP", "[server][features]") {
  const std::size_t migrants = matched("households", "employment=migrant");
  CHECK(matched("households", "filter=" + enc("employment = 'migrant'")) == migrants);
  CHECK(matched("households", "filter-lang=cql2-text&filter=" + enc("employment = 'migrant'")) == migrants);
  CHECK(matched("households", "filter=" + enc("employment IN ('migrant')")) == migrants);
  CHECK(matched("households", "filter=" + enc("NOT employment <> 'migrant'")) == migrants);
  const std::size_t total = sample_app().index().size("households");
  CHECK(matched("households", "filter=" + enc("employment = 'migrant' OR employment <> 'migrant'")) == total);
  CHECK(matched("households", "filter=" + enc("members BETWEEN 1 AND 100")) ==
        matched("households", "filter=" + enc("members >= 1 AND members <= 100")));
  // Chinese LIKE on village names.
  std::size_t cun = 0;
  for (const auto& v : all_of("villages")) {
    const auto& name = std::get<std::string>(v->feature.values[1]);
    if (name.find("村") != std::string::npos) ++cun;
  }
  REQUIRE(cun > 0);
  CHECK(matched("villages", "filter=" + enc("name LIKE '%村%'")) == cun);
  CHECK(matched("villages", "filter=" + enc("name LIKE '%村'") + "&limit=1") == cun);

  // Spatial: a shelter's surroundings. S_DWITHIN 0 m of its own point finds it.
  const auto shelter = all_of("shelters").front();
  const geo::Coord p = geo::mercator_to_lonlat(shelter->feature.geometry.coords.front());
  char wkt[128];
  std::snprintf(wkt, sizeof wkt, "POINT(%.9f %.9f)", p.x, p.y);
  CHECK(matched("shelters", "filter=" + enc(std::string("S_DWITHIN(geometry, ") + wkt + ", 1)")) >= 1);
  const std::size_t near = matched("households", "filter=" + enc(std::string("S_DWITHIN(geometry, ") + wkt + ", 300)"));
  const std::size_t nearer = matched("households", "filter=" + enc(std::string("S_DWITHIN(geometry, ") + wkt + ", 100)"));
  CHECK(near >= nearer);
  // Reference for 300 m from the index, with the 1/cos(lat) scale.
  std::size_t expected = 0;
  const double k = std::cos(p.y * 3.14159265358979 / 180);
  for (const auto& h : all_of("households")) {
    const auto& c = h->feature.geometry.coords.front();
    const auto& s = shelter->feature.geometry.coords.front();
    if (std::hypot(c.x - s.x, c.y - s.y) * k <= 300) ++expected;
  }
  CHECK(near == expected);
  // The same point given in filter-crs EPSG:3857.
  char wkt3857[128];
  std::snprintf(wkt3857, sizeof wkt3857, "POINT(%.4f %.4f)", shelter->feature.geometry.coords.front().x,
                shelter->feature.geometry.coords.front().y);
  CHECK(matched("households", "filter-crs=" + enc("http://www.opengis.net/def/crs/EPSG/0/3857") + "&filter=" +
                                  enc(std::string("S_DWITHIN(geometry, ") + wkt3857 + ", 300)")) == expected);
  // Households within a village polygon: S_WITHIN a big box = everything; AND a bbox.
  CHECK(matched("households", "filter=" + enc("S_WITHIN(geometry, BBOX(118, 27, 121, 30))")) == total);
  CHECK(matched("households", "filter=" + enc("S_WITHIN(geometry, BBOX(118, 27, 121, 30)) AND employment = 'migrant'")) == migrants);
  CHECK(matched("households", "filter=" + enc("S_DISJOINT(geometry, BBOX(118, 27, 121, 30))")) == 0);
  // Filter and equality and bbox combine with AND.
  const geo::BBox b = village_lonlat_box();
  const std::string bbox = "bbox=" + csv(b.min_x, b.min_y, b.max_x, b.max_y);
  CHECK(matched("households", bbox + "&employment=migrant") ==
        matched("households", bbox + "&filter=" + enc("employment = 'migrant'")));
}

TEST_CASE("features: hostile filters are refused with 400 naming the problem", "[server][features]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"name = 'x' OR 1=1; DROP TABLE households; --", "unexpected character ';'"},
      {"(employment = 'migrant'", "unbalanced parenthesis"},
      {"employment = 'migrant')", "unbalanced parenthesis"},
      {std::string(30, '(') + "employment = 'x'" + std::string(30, ')'), "nesting deeper than 20"},
      {"grid_id = '" + std::string(5000, 'x') + "'", "longer than 4096 bytes"},
      {"employment = 'migrant", "unterminated string"},
      {"S_INTERSECTS(geometry, POLYGON((1 2, 3 4)))", "polygon ring needs at least 4 points"},
      {"S_INTERSECTS(geometry, POINT(1000 2000))", "outside"},
      {"SLEEP(10) = 1", "unknown function 'SLEEP'"},
      {"head_name LIKE '张%'", "property 'head_name' is not queryable"},
      {"foo = 1", "unknown property 'foo'"},
      {"members = 'x'", "type mismatch"},
      {"employment = 'x' UNION SELECT * FROM key_persons", "unexpected character '*' at 31"},
      {"employment = 'x' UNION SELECT name FROM key_persons", "expected AND, OR or the end of the filter, found 'UNION'"},
  };
  for (const auto& [filter, message] : cases) {
    INFO(filter.substr(0, 100));
    const Response r = get(items("households", "filter=" + enc(filter)));
    CHECK(status(r) == 400);
    const json body = json::parse(r.body());
    INFO(body.dump());
    CHECK(body.at("error") == "bad_request");
    CHECK(body.at("detail").get<std::string>().find(message) != std::string::npos);
  }
  // A NUL byte never gets as far as the parser: the target decoder refuses it.
  CHECK(status(get(items("households", "filter=employment%00%3D1"))) == 400);
  // key_persons cannot be reached through a filter either.
  CHECK(status(get(items("key_persons", "filter=" + enc("TRUE")))) == 404);
}

namespace {
std::string run(const std::string& cmd, int& exit_code) {
  auto result = test::run_command(cmd);
  exit_code = result.exit_code;
  return result.output;
}
}  // namespace

TEST_CASE("GDAL's OAPIF driver lists the collections and copies a filtered collection", "[server][features][gdal]") {
  test::LoopbackServer http(sample_app().handler());
  const std::string url = http.url() + "/";

  int code = 0;
  const std::string info = run("ogrinfo -ro -so 'OAPIF:" + url + "'", code);
  INFO(info);
  CHECK(code == 0);
  CHECK(info.find("households") != std::string::npos);
  CHECK(info.find("hazard_zones") != std::string::npos);
  CHECK(info.find("key_persons") == std::string::npos);

  const auto dir = test::scratch_dir("oapif");
  // -where: GDAL passes it to the server (as a CQL2 filter or a queryable parameter) or applies
  // it itself; either way the count must equal the server's numberMatched.
  const std::string where_out = (dir / "migrants.gpkg").string();
  const std::string copied = run("ogr2ogr --debug on -f GPKG " + where_out + " 'OAPIF:" + url +
                                     "' households -where \"employment = 'migrant'\"", code);
  INFO(copied);
  CHECK(code == 0);
  // GDAL learnt from /api that employment is queryable and asked the server to filter.
  CHECK(copied.find("employment=migrant") != std::string::npos);
  const std::string counted = run("ogrinfo -ro -so " + where_out + " households", code);
  INFO(counted);
  const std::size_t migrants = matched("households", "employment=migrant");
  CHECK(counted.find("Feature Count: " + std::to_string(migrants) + "\n") != std::string::npos);

  // -spat: a bbox request, paged by next links when larger than GDAL's page size.
  const geo::BBox b = village_lonlat_box();
  char spat[200];
  std::snprintf(spat, sizeof spat, "-spat %.9f %.9f %.9f %.9f", b.min_x, b.min_y, b.max_x, b.max_y);
  const std::string spat_out = (dir / "spat.gpkg").string();
  const std::string copied2 = run("ogr2ogr -f GPKG " + spat_out + " 'OAPIF:" + url + "' households " + spat, code);
  INFO(copied2);
  CHECK(code == 0);
  const std::string counted2 = run("ogrinfo -ro -so " + spat_out + " households", code);
  INFO(counted2);
  const std::size_t in_box = matched("households", "bbox=" + csv(b.min_x, b.min_y, b.max_x, b.max_y));
  CHECK(counted2.find("Feature Count: " + std::to_string(in_box) + "\n") != std::string::npos);

  // The whole class, across many pages.
  const std::string all_out = (dir / "all.gpkg").string();
  run("ogr2ogr -f GPKG " + all_out + " 'OAPIF:" + url + "' households", code);
  CHECK(code == 0);
  const std::string counted3 = run("ogrinfo -ro -so " + all_out + " households", code);
  INFO(counted3);
  CHECK(counted3.find("Feature Count: " + std::to_string(sample_app().index().size("households")) + "\n") !=
        std::string::npos);

}
