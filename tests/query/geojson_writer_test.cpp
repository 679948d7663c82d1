// The streaming GeoJSON writer (issue 12, part 5) writes the same document the JSON-object writer
// it replaced wrote — every feature of the sample store, for an anonymous caller (hidden fields), a
// village cadre (masked names outside and in full inside the village) and the county
// administrator, in every CRS served — and escapes strings as nlohmann::json::dump does,
// invalid UTF-8 included.

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "query/geojson_writer.hpp"
#include "query/scoped_reader.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using nlohmann::json;

namespace {

struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  store::FeatureStore store = store::FeatureStore::open(test::sample_store(), catalog, store::FeatureStore::Mode::read_only);
  std::unique_ptr<query::Dataset> data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  access::Policy policy = access::Policy::load(test::source_dir() / "policy" / "policy.json", catalog);
  access::Scope admin = access::Scope::for_user(policy, "admin", "county_admin", {});
  access::Scope cadre2 = access::Scope::for_user(policy, "cadre2", "village_cadre", {"", "331124207202", {}});
  access::Scope anonymous = access::Scope::anonymous(policy);
};

Sample& sample() {
  static Sample s;
  return s;
}

// The writer this one replaced, kept as the reference: a JSON document per feature, dumped.
struct Reference {
  const query::Crs& crs;
  double round(double v) const {
    const double scale = crs.geographic ? 1e7 : 1e3;
    return std::round(v * scale) / scale;
  }
  json position(geo::Coord m) const {
    const geo::Coord c = query::from_mercator(crs, m);
    return json::array({round(c.x), round(c.y)});
  }
  json positions(const geo::Geometry& g, std::uint32_t begin, std::uint32_t end) const {
    json out = json::array();
    for (std::uint32_t i = begin; i < end; ++i) out.push_back(position(g.coords[i]));
    return out;
  }
  json rings(const geo::Geometry& g, std::uint32_t first, std::uint32_t last) const {
    json out = json::array();
    for (std::uint32_t r = first; r < last; ++r) out.push_back(positions(g, r == 0 ? 0 : g.part_ends[r - 1], g.part_ends[r]));
    return out;
  }
  json geometry(const geo::Geometry& g) const {
    if (g.empty()) return nullptr;
    const auto n = static_cast<std::uint32_t>(g.coords.size());
    switch (g.kind) {
      case geo::GeometryKind::point:
        if (n == 1) return {{"type", "Point"}, {"coordinates", position(g.coords[0])}};
        return {{"type", "MultiPoint"}, {"coordinates", positions(g, 0, n)}};
      case geo::GeometryKind::line: {
        if (g.part_ends.size() <= 1) return {{"type", "LineString"}, {"coordinates", positions(g, 0, n)}};
        json lines = json::array();
        std::uint32_t begin = 0;
        for (auto end : g.part_ends) lines.push_back(positions(g, std::exchange(begin, end), end));
        return {{"type", "MultiLineString"}, {"coordinates", lines}};
      }
      case geo::GeometryKind::polygon: {
        if (g.polygon_ends.size() <= 1) {
          return {{"type", "Polygon"}, {"coordinates", rings(g, 0, static_cast<std::uint32_t>(g.part_ends.size()))}};
        }
        json polys = json::array();
        std::uint32_t first = 0;
        for (auto last : g.polygon_ends) polys.push_back(rings(g, std::exchange(first, last), last));
        return {{"type", "MultiPolygon"}, {"coordinates", polys}};
      }
    }
    return nullptr;
  }
  json feature(const store::ServedFeature& f, const query::ClassView& view) const {
    json props = json::object();
    for (std::size_t k = 0; k < view.fields.size(); ++k) {
      props[view.def->fields[static_cast<std::size_t>(view.fields[k])].name] = query::value_json(view.value(f, k));
    }
    return {{"type", "Feature"}, {"id", f.feature.fid}, {"geometry", geometry(f.feature.geometry)}, {"properties", props}};
  }
};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

TEST_CASE("the streaming GeoJSON writer writes what the JSON-object writer wrote", "[query][geojson]") {
  auto& s = sample();
  std::size_t features = 0, masked_copies = 0;
  for (const access::Scope* scope : {&s.anonymous, &s.cadre2, &s.admin}) {
    const query::ScopedReader reader = s.data->reader(*scope);
    for (const query::Crs& crs : query::supported_crs()) {
      const Reference reference{crs};
      for (const auto& view : reader.views()) {
        const query::FeatureWriter writer(view, crs);
        for (const auto& f : reader.all(view.def->name)) {
          std::string text;
          writer.write(text, *f);
          INFO(scope->role() << " " << crs.uri << " " << view.def->name << " " << f->feature.fid);
          // The same document: keys, order, values — coordinates to the bit (written from the
          // rounded integers, they parse to the very doubles the JSON-object writer rounded to).
          const json expected = reference.feature(*f, view);
          REQUIRE(json::parse(text) == expected);
          REQUIRE(dump(json::parse(text)) == dump(expected));
          ++features;
          if (f != s.data->unscoped_index().find(view.def->name, f->feature.fid)) ++masked_copies;
        }
      }
    }
  }
  CHECK(features > 10000);
  CHECK(masked_copies > 0);  // hidden and masked values were among them
}

TEST_CASE("a feature's kept geometry text is written again, and never carried to an edited copy", "[query][geojson]") {
  auto& s = sample();
  const query::ScopedReader reader = s.data->reader(s.admin);
  const query::ClassView& view = *reader.view("buildings");
  const auto f = reader.all("buildings").front();
  const query::FeatureWriter writer(view, query::crs84());
  std::string first, again;
  writer.write(first, *f);
  writer.write(again, *f);  // from the text kept with the feature
  CHECK(again == first);
  // An edit publishes a copy with a new geometry: its text is its own.
  auto moved = std::make_shared<store::ServedFeature>(*f);
  for (auto& c : moved->feature.geometry.coords) c.x += 100;
  std::string edited;
  writer.write(edited, *moved);
  CHECK(edited != first);
  CHECK(json::parse(edited) == Reference{query::crs84()}.feature(*moved, view));
  // Assigned before publication (a builder reusing an object): the old text goes too.
  store::ServedFeature reused = *f;
  std::string before;
  writer.write(before, reused);
  reused = *moved;
  std::string after;
  writer.write(after, reused);
  CHECK(after == edited);
}

TEST_CASE("extra members go among a feature's own in key order", "[query][geojson]") {
  auto& s = sample();
  const query::ScopedReader reader = s.data->reader(s.admin);
  const query::ClassView& view = *reader.view("buildings");
  const auto f = reader.all("buildings").front();
  const query::JsonMember extra[] = {{"class", "\"buildings\""}, {"distance_m", "1.5"}, {"links", "[]"}, {"title", "\"房屋\""}, {"zz", "null"}};
  std::string text;
  query::FeatureWriter(view, query::crs84()).write(text, *f, extra);
  json expected = Reference{query::crs84()}.feature(*f, view);
  expected["class"] = "buildings";
  expected["distance_m"] = 1.5;
  expected["links"] = json::array();
  expected["title"] = "房屋";
  expected["zz"] = nullptr;
  CHECK(dump(json::parse(text)) == dump(expected));
  json parsed = query::feature_json(*f, view, query::crs84());
  parsed.update(json::parse(R"({"class":"buildings","distance_m":1.5,"links":[],"title":"房屋","zz":null})"));
  CHECK(json::parse(text) == parsed);
}

TEST_CASE("JSON strings and numbers are written as nlohmann::json::dump writes them", "[query][geojson]") {
  const std::vector<std::string> strings = {
      "", "plain", "小吊门村", "quote \" backslash \\ slash /", std::string("nul \0 bell \a", 12), "\b\f\n\r\t\x1f\x7f",
      "𝄞 four bytes", "bad \xff byte", "cut \xe5\xb0", "overlong \xc0\xaf", "surrogate \xed\xa0\x80", "late \xf4\x90\x80\x80",
      "é then bad \x80 then 村"};
  for (const auto& s : strings) {
    std::string out = "x";
    query::append_json_string(out, s);
    INFO(s);
    CHECK(out == "x" + dump(json(s)));
  }
  for (double d : {0.0, -0.0, 1.0, -3.0, 119.2345678, 28.1, 1e-7, 123456.789, 1e21, 5e-324, 0.1 + 0.2,
                   std::nan(""), HUGE_VAL}) {
    std::string out;
    query::append_json_number(out, d);
    CHECK(out == dump(json(d)));
  }
  std::string out;
  query::append_json_number(out, std::int64_t{-9007199254740993});
  CHECK(out == "-9007199254740993");
}
