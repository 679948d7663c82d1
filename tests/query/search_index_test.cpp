// The search index over the sample villages: Chinese substring search with one- and two-character
// queries, village codes, ranking, limits, merging of places drawn in parts, the caller's scope,
// data versions — every answer checked against a brute-force scan of the same features — and
// the search text rules.

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "base/error.hpp"
#include "geo/projection.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/dataset.hpp"
#include "query/search_index.hpp"
#include "query/search_text.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

constexpr const char* kVillage1 = "331124207201";
constexpr const char* kVillage2 = "331124207202";

struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  store::FeatureStore store = store::FeatureStore::open(test::sample_store().string(), catalog,
                                                        store::FeatureStore::Mode::read_only);
  std::unique_ptr<query::Dataset> data = query::Dataset::serve(catalog, store::ServingIndex::load(store));
  const store::ServingIndex* index = &data->unscoped_index();
  access::Policy policy =
      access::Policy::load(test::source_dir() / "policy" / "policy.json", catalog);
};

// A fresh sample per test case that edits the index; shared otherwise.
const Sample& sample() {
  static const Sample s;
  return s;
}

access::Scope admin_scope(const access::Policy& p) {
  return access::Scope::for_user(p, "admin", "county_admin", {});
}
access::Scope township_scope(const access::Policy& p) {
  return access::Scope::for_user(p, "township", "township_cadre", {"331124207", "", {}});
}
access::Scope village_scope(const access::Policy& p, const std::string& village) {
  return access::Scope::for_user(p, "cadre", "village_cadre", {"", village, {}});
}

std::string text(const model::FeatureClassDef& def, const model::Feature& f,
                 const std::string& field) {
  const int i = def.field_index(field);
  if (i < 0) return {};
  const auto* s = std::get_if<std::string>(&f.values[static_cast<std::size_t>(i)]);
  return s ? *s : std::string{};
}

std::vector<store::ServedFeaturePtr> all_features(const store::ServingIndex& index,
                                                  const std::string& cls) {
  std::vector<store::ServedFeaturePtr> out;
  index.query(cls, geo::BBox{-1e300, -1e300, 1e300, 1e300}, out);
  return out;
}

using Key = std::pair<std::string, std::int64_t>;  // class, fid

// What a search must find, by scanning every feature the reader gives: a searchable field read in
// full whose value, as the caller reads it, contains q (ASCII case folded).
std::set<Key> brute_force(const query::ScopedReader& reader, const std::string& q) {
  std::set<Key> out;
  const std::string folded_q = query::fold_search_text(q);
  for (const auto& view : reader.views()) {
    for (const auto& f : reader.all(view.def->name)) {
      for (int i : view.queryable) {
        const auto& fd = view.def->fields[static_cast<std::size_t>(i)];
        if (!fd.search) continue;
        const std::string v = text(*view.def, f->feature, fd.name);
        if (!v.empty() && query::fold_search_text(v).find(folded_q) != std::string::npos) {
          out.emplace(view.def->name, f->feature.fid);
        }
      }
    }
  }
  return out;
}

query::SearchAnswer run(const query::ScopedReader& reader, const std::string& q, std::size_t limit = 100000) {
  query::SearchRequest r;
  r.text = q;
  r.limit = limit;
  return query::search(reader, r);
}

std::set<Key> found(const query::SearchAnswer& a) {
  std::set<Key> out;
  for (const auto& h : a.hits) {
    for (const auto& f : h.features) out.emplace(h.view->def->name, f->feature.fid);
  }
  return out;
}

// Every hit's text contains q; the hit's features all carry that text; the ranking keys never go
// backwards.
void check_hits(const query::SearchAnswer& a, const std::string& q) {
  const std::string folded_q = query::fold_search_text(q);
  for (std::size_t i = 0; i < a.hits.size(); ++i) {
    const auto& h = a.hits[i];
    INFO(h.view->def->name << " " << h.text);
    const std::string folded = query::fold_search_text(h.text);
    REQUIRE(folded.find(folded_q) != std::string::npos);
    const query::MatchKind expected = folded == folded_q ? query::MatchKind::exact
                                      : folded.rfind(folded_q, 0) == 0
                                          ? query::MatchKind::prefix
                                          : query::MatchKind::substring;
    CHECK(h.match == expected);
    const auto& fd = h.view->def->fields[static_cast<std::size_t>(h.field)];
    for (const auto& f : h.features) CHECK(text(*h.view->def, f->feature, fd.name) == h.text);
    if (i > 0) {
      const auto& p = a.hits[i - 1];
      CHECK(std::make_tuple(p.match, !p.in_view, query::code_point_count(p.text)) <=
            std::make_tuple(h.match, !h.in_view, query::code_point_count(h.text)));
    }
  }
}

// A value of `field` in class `cls` of `village`, the first in fid order that `pred` accepts.
template <class Pred>
std::pair<std::int64_t, std::string> pick(const std::string& cls, const std::string& field,
                                          const std::string& village, Pred pred) {
  const auto& def = *sample().catalog.find_class(cls);
  auto features = all_features(*sample().index, cls);
  std::sort(features.begin(), features.end(),
            [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
  for (const auto& f : features) {
    const std::string v = text(def, f->feature, field);
    if (text(def, f->feature, "village_code") == village && !v.empty() && pred(v))
      return {f->feature.fid, v};
  }
  FAIL("no " << cls << "." << field << " in " << village);
  return {};
}

}  // namespace

TEST_CASE("search text: trimmed, valid UTF-8, 1 to 64 characters, no control characters",
          "[query][search]") {
  CHECK(query::parse_search_text("  张三 ") == "张三");
  CHECK(query::parse_search_text("\xE3\x80\x80松阳\xE3\x80\x80") ==
        "松阳");                                        // U+3000 ideographic spaces
  CHECK(query::parse_search_text("张 三") == "张 三");  // inner space kept
  CHECK(query::parse_search_text(std::string(64, 'a')) == std::string(64, 'a'));
  CHECK_THROWS_AS(query::parse_search_text(std::string(65, 'a')), RequestError);
  std::string sixty_four;
  for (int i = 0; i < 64; ++i) sixty_four += "村";
  CHECK(query::parse_search_text(sixty_four) == sixty_four);
  CHECK_THROWS_AS(query::parse_search_text(sixty_four + "村"), RequestError);
  CHECK_THROWS_AS(query::parse_search_text(""), RequestError);
  CHECK_THROWS_AS(query::parse_search_text(" \t\xE3\x80\x80 "), RequestError);
  CHECK_THROWS_AS(query::parse_search_text("a\x01"), RequestError);
  CHECK_THROWS_AS(query::parse_search_text("a\x7F"), RequestError);
  CHECK_THROWS_AS(query::parse_search_text("a\xC2\x85"), RequestError);  // C1 (NEL)
  CHECK_THROWS_AS(query::parse_search_text("\xFF"), RequestError);
  CHECK_THROWS_AS(query::parse_search_text("\xC0\x80"), RequestError);          // overlong NUL
  CHECK_THROWS_AS(query::parse_search_text("\xE0\x80\xAF"), RequestError);      // overlong '/'
  CHECK_THROWS_AS(query::parse_search_text("\xED\xA0\x80"), RequestError);      // surrogate
  CHECK_THROWS_AS(query::parse_search_text("\xF4\x90\x80\x80"), RequestError);  // above U+10FFFF
  CHECK_THROWS_AS(query::parse_search_text("\xE5\xBC"), RequestError);          // truncated 张
  try {
    query::parse_search_text("\xFF", "q");
  } catch (const RequestError& e) {
    CHECK(std::string(e.what()).find("parameter q") != std::string::npos);
  }
  CHECK(query::fold_search_text("DX-7 松阳") == "dx-7 松阳");
  CHECK(query::code_points("a张\xFF") == std::vector<char32_t>{U'a', U'张', U'\uFFFD'});
}

TEST_CASE("search: two-character and one-character Chinese queries find exactly what a scan finds",
          "[query][search]") {
  const Sample& s = sample();
  const access::Scope admin = admin_scope(s.policy);
  const auto views = s.data->reader(admin);
  // A two-character household head of the first village, as the data has it.
  const auto [fid, head] = pick("households", "head_name", kVillage1, [](const std::string& v) {
    return query::code_point_count(v) == 2;
  });
  const query::SearchAnswer two = run(views, head);
  check_hits(two, head);
  CHECK(found(two) == brute_force(views, head));
  CHECK(found(two).count({"households", fid}) == 1);
  CHECK(two.hits.front().match == query::MatchKind::exact);

  const std::string surname = head.substr(0, 3);  // one CJK code point
  const query::SearchAnswer one = run(views, surname);
  check_hits(one, surname);
  CHECK(found(one) == brute_force(views, surname));
  CHECK(found(one).size() > found(two).size());
  CHECK(one.matched == one.hits.size());
}

TEST_CASE("search: every substring of real values, and absent ones, agree with a brute-force scan",
          "[query][search]") {
  const Sample& s = sample();
  const access::Scope admin = admin_scope(s.policy);
  const access::Scope anon = access::Scope::anonymous(s.policy);
  const access::Scope township = township_scope(s.policy);
  const access::Scope cadre2 = village_scope(s.policy, kVillage2);
  std::vector<std::string> queries = {
      "不存在的地名", "村",           "溪",   "山塘",       "第一", "中共", "A",          "zz", "1",
      "2072",         "331124207203", "小港", "避灾安置点", "张三", "%",    "' OR 1=1 --"};
  // Substrings of 1..4 code points from the values of every searchable class (a few per class).
  for (const auto& def : s.catalog.classes()) {
    auto features = all_features(*s.index, def.name);
    std::sort(features.begin(), features.end(),
              [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
    for (const auto& fd : def.fields) {
      if (!fd.search) continue;
      for (std::size_t k = 0; k < features.size() && k < 40; k += 13) {
        const std::string v = text(def, features[k]->feature, fd.name);
        // Byte offsets of code points.
        std::vector<std::size_t> at{0};
        for (std::size_t b = 1; b <= v.size(); ++b) {
          if (b == v.size() || (static_cast<unsigned char>(v[b]) & 0xC0) != 0x80) at.push_back(b);
        }
        for (std::size_t len = 1; len <= 4 && len < at.size(); ++len) {
          const std::size_t start = (k / 13) % (at.size() - len);
          queries.push_back(v.substr(at[start], at[start + len] - at[start]));
        }
      }
    }
  }
  REQUIRE(queries.size() > 60);
  for (const access::Scope* scope : {&admin, &anon, &township, &cadre2}) {
    const auto views = s.data->reader(*scope);
    for (const auto& q : queries) {
      INFO(scope->role() << " q=" << q);
      const query::SearchAnswer a = run(views, q);
      check_hits(a, q);
      CHECK(found(a) == brute_force(views, q));
    }
  }
}

TEST_CASE("search: village codes by prefix, and exact before prefix before substring",
          "[query][search]") {
  const Sample& s = sample();
  const access::Scope admin = admin_scope(s.policy);
  const auto views = s.data->reader(admin);

  const query::SearchAnswer township = run(views, "3311242072");
  REQUIRE(township.hits.size() == 3);
  for (const auto& h : township.hits) {
    CHECK(h.view->def->name == "villages");
    CHECK(h.match == query::MatchKind::prefix);
    CHECK(h.text == h.village_code);
  }
  const query::SearchAnswer one = run(views, kVillage2);
  REQUIRE(one.hits.size() == 1);
  CHECK(one.hits[0].match == query::MatchKind::exact);
  CHECK(one.hits[0].village_code == kVillage2);

  // A village's name: the village itself (exact) first, then the places named after it (prefix,
  // shortest first), then the names that contain it.
  const auto [vfid, village_name] =
      pick("villages", "name", kVillage1, [](const std::string&) { return true; });
  const query::SearchAnswer a = run(views, village_name);
  check_hits(a, village_name);
  REQUIRE(a.hits.size() > 3);
  CHECK(a.hits[0].view->def->name == "villages");
  CHECK(a.hits[0].features.front()->feature.fid == vfid);
  CHECK(a.hits[0].match == query::MatchKind::exact);
  std::set<query::MatchKind> kinds;
  for (const auto& h : a.hits) kinds.insert(h.match);
  CHECK(kinds.size() == 3);  // the sample has all three for a village name (村委会, 中共…支部)
}

TEST_CASE("search: ties rank places before records, areas before points before lines",
          "[query][search]") {
  const Sample& s = sample();
  const access::Scope admin = admin_scope(s.policy);
  const auto views = s.data->reader(admin);
  // The river 小港 is also a water body of the land cover: both exact, both two characters.
  const query::SearchAnswer a = run(views, "小港");
  std::vector<std::string> exact;
  for (const auto& h : a.hits) {
    if (h.match == query::MatchKind::exact) exact.push_back(h.view->def->name);
  }
  REQUIRE(std::find(exact.begin(), exact.end(), "landcover") != exact.end());
  REQUIRE(std::find(exact.begin(), exact.end(), "rivers") != exact.end());
  const auto last_landcover =
      exact.size() - 1 -
      static_cast<std::size_t>(std::find(exact.rbegin(), exact.rend(), "landcover") -
                               exact.rbegin());
  const auto first_river =
      static_cast<std::size_t>(std::find(exact.begin(), exact.end(), "rivers") - exact.begin());
  CHECK(last_landcover < first_river);

  // Records of people come after places on a tie: characters that both kinds hold.
  const auto is_record = [](const query::SearchHit& h) {
    return std::any_of(h.view->def->fields.begin(), h.view->def->fields.end(),
                       [](const auto& f) { return f.personal; });
  };
  std::size_t ties = 0;
  for (const std::string q : {"山", "林", "东", "溪"}) {
    const query::SearchAnswer b = run(views, q);
    for (std::size_t i = 1; i < b.hits.size(); ++i) {
      const auto& p = b.hits[i - 1];
      const auto& h = b.hits[i];
      if (p.match != h.match || query::code_point_count(p.text) != query::code_point_count(h.text))
        continue;
      if (is_record(p) != is_record(h)) ++ties;
      CHECK_FALSE((is_record(p) && !is_record(h)));
    }
  }
  CHECK(ties > 0);  // the rule was exercised
}

TEST_CASE("search: limit keeps the best hits, numberMatched counts them all", "[query][search]") {
  const Sample& s = sample();
  const access::Scope admin = admin_scope(s.policy);
  const auto views = s.data->reader(admin);
  const query::SearchAnswer all = run(views, "村");
  REQUIRE(all.matched > 20);
  REQUIRE(all.hits.size() == all.matched);
  const query::SearchAnswer five = run(views, "村", 5);
  CHECK(five.matched == all.matched);
  REQUIRE(five.hits.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(five.hits[i].view == all.hits[i].view);
    CHECK(five.hits[i].features.front()->feature.fid == all.hits[i].features.front()->feature.fid);
  }
}

TEST_CASE("search: a road noded into segments is one hit per village, its bbox over all parts",
          "[query][search]") {
  const Sample& s = sample();
  const access::Scope admin = admin_scope(s.policy);
  const auto views = s.data->reader(admin);
  const auto& roads = *s.catalog.find_class("roads");
  // The most segmented road name of the sample.
  std::map<std::pair<std::string, std::string>, std::vector<store::ServedFeaturePtr>> by_name;
  for (const auto& f : all_features(*s.index, "roads")) {
    const std::string name = text(roads, f->feature, "name");
    if (!name.empty()) by_name[{name, text(roads, f->feature, "village_code")}].push_back(f);
  }
  auto most = std::max_element(by_name.begin(), by_name.end(), [](const auto& a, const auto& b) {
    return a.second.size() < b.second.size();
  });
  REQUIRE(most->second.size() > 1);
  const std::string name = most->first.first;
  const query::SearchAnswer a = run(views, name);
  std::size_t villages_with_it = 0;
  for (const auto& [key, parts] : by_name) villages_with_it += key.first == name;
  std::size_t road_hits = 0;
  for (const auto& h : a.hits) {
    if (h.view->def->name != "roads" || h.text != name) continue;
    ++road_hits;
    if (h.village_code != most->first.second) continue;
    CHECK(h.features.size() == most->second.size());
    for (const auto& part : most->second) {
      CHECK(h.bbox.min_x <= part->bbox.min_x);
      CHECK(h.bbox.max_y >= part->bbox.max_y);
    }
    CHECK(h.bbox.contains(h.point));
  }
  CHECK(road_hits == villages_with_it);
  // Households are never merged: two heads of the same name are two hits.
  std::map<std::pair<std::string, std::string>, int> heads;
  const auto& households = *s.catalog.find_class("households");
  for (const auto& f : all_features(*s.index, "households")) {
    ++heads[{text(households, f->feature, "head_name"),
             text(households, f->feature, "village_code")}];
  }
  const auto twice =
      std::find_if(heads.begin(), heads.end(), [](const auto& e) { return e.second > 1; });
  REQUIRE(twice != heads.end());
  const query::SearchAnswer b = run(views, twice->first.first);
  int household_hits = 0;
  for (const auto& h : b.hits) {
    if (h.view->def->name == "households" && h.text == twice->first.first &&
        h.village_code == twice->first.second) {
      ++household_hits;
      CHECK(h.features.size() == 1);
    }
  }
  CHECK(household_hits == twice->second);
}

TEST_CASE("search: only classes, features and full fields the caller sees are matched",
          "[query][search][access]") {
  const Sample& s = sample();
  const auto [fid, head] =
      pick("households", "head_name", kVillage1, [](const std::string&) { return true; });
  const auto has_class = [](const query::SearchAnswer& a, const std::string& cls) {
    return std::any_of(a.hits.begin(), a.hits.end(),
                       [&](const auto& h) { return h.view->def->name == cls; });
  };
  {  // anonymous: terrain only, no household
    const access::Scope anon = access::Scope::anonymous(s.policy);
    const auto views = s.data->reader(anon);
    const query::SearchAnswer a = run(views, head);
    CHECK_FALSE(has_class(a, "households"));
    for (const auto& h : a.hits) CHECK(h.view->def->map == "terrain");
  }
  {  // township cadre: households visible, head names masked → never matched
    const access::Scope township = township_scope(s.policy);
    const auto views = s.data->reader(township);
    REQUIRE(views.view("households") != nullptr);
    const query::SearchAnswer a = run(views, head);
    CHECK_FALSE(has_class(a, "households"));
    CHECK_FALSE(has_class(a, "assisted_households"));
    CHECK_FALSE(has_class(a, "key_persons"));
  }
  {  // the second village's cadre: nothing of the first village but what the public sees
    const access::Scope cadre2 = village_scope(s.policy, kVillage2);
    const auto views = s.data->reader(cadre2);
    const query::SearchAnswer a = run(views, head);
    CHECK(found(a).count({"households", fid}) == 0);
    bool public_elsewhere = false;
    for (const std::string& q : {head, std::string("村"), std::string("3311")}) {
      for (const auto& h : run(views, q).hits) {
        INFO(h.view->def->name << " " << h.text);
        if (!cadre2.sees_class_anywhere(h.view->def->name)) CHECK(h.village_code == kVillage2);
        public_elsewhere = public_elsewhere || h.village_code == kVillage1;
      }
    }
    CHECK(public_elsewhere);  // signed in never means seeing less: the first village's name is found
  }
  {  // the first village's cadre finds the household
    const access::Scope cadre = village_scope(s.policy, kVillage1);
    const auto views = s.data->reader(cadre);
    CHECK(found(run(views, head)).count({"households", fid}) == 1);
  }
}

TEST_CASE("search: an edit of the serving index is searched after it (the class is rebuilt)",
          "[query][search]") {
  // An index of its own: the edit must not leak into the other test cases.
  const Sample& s = sample();
  auto data = query::Dataset::serve(s.catalog, store::ServingIndex::load(s.store));
  store::ServingIndex* index = &data->editable_index();
  const access::Scope admin = admin_scope(s.policy);
  const auto views = data->reader(admin);
  const auto& def = *s.catalog.find_class("shelters");
  auto shelters = all_features(*index, "shelters");
  REQUIRE(!shelters.empty());
  const std::int64_t fid = shelters.front()->feature.fid;
  const std::string old_name = text(def, shelters.front()->feature, "name");
  REQUIRE(found(run(views, old_name)).count({"shelters", fid}) == 1);
  const auto version = index->data_version("shelters");

  // Rename it (the index takes store-CRS features: project the point back from 3857).
  model::Feature renamed = shelters.front()->feature;
  const geo::Transform to_store("EPSG:3857", "EPSG:4549");
  to_store.apply(renamed.geometry.coords);
  renamed.values[static_cast<std::size_t>(def.field_index("name"))] =
      std::string("测试新建安置点Qx");
  index->upsert("shelters", renamed);
  REQUIRE(index->data_version("shelters") != version);
  CHECK(found(run(views, old_name)).count({"shelters", fid}) == 0);
  const query::SearchAnswer now = run(views, "新建安置");
  CHECK(found(now) == std::set<Key>{{"shelters", fid}});
  CHECK(found(run(views, "qX")) == std::set<Key>{{"shelters", fid}});  // ASCII case folded
  CHECK(found(run(views, "新建安置")) == brute_force(views, "新建安置"));

  // Every bigram of 甲乙甲 is in 甲乙丙乙甲, the text is not: the index narrows, the substring test
  // decides.
  renamed.values[static_cast<std::size_t>(def.field_index("name"))] = std::string("甲乙丙乙甲");
  index->upsert("shelters", renamed);
  CHECK(run(views, "甲乙甲").hits.empty());
  CHECK(brute_force(views, "甲乙甲").empty());
  CHECK(found(run(views, "乙丙乙")) == std::set<Key>{{"shelters", fid}});

  index->erase("shelters", fid);
  CHECK(run(views, "乙丙乙").hits.empty());
}

TEST_CASE("zoom point: on the point, halfway along a line, inside a polygon", "[query][search]") {
  CHECK(query::zoom_point(geo::Geometry::point({3, 4})) == geo::Coord{3, 4});
  CHECK(query::zoom_point(geo::Geometry::line({{0, 0}, {10, 0}, {10, 10}})) == geo::Coord{10, 0});
  // A U-shaped polygon whose bbox centre lies outside it.
  const geo::Geometry u = geo::Geometry::polygon(
      {{0, 0}, {10, 0}, {10, 10}, {8, 10}, {8, 2}, {2, 2}, {2, 10}, {0, 10}});
  const geo::Coord p = query::zoom_point(u);
  const bool in_left = p.x > 0 && p.x < 2 && p.y > 0 && p.y < 10;
  const bool in_right = p.x > 8 && p.x < 10 && p.y > 0 && p.y < 10;
  const bool in_bottom = p.x > 0 && p.x < 10 && p.y > 0 && p.y < 2;
  CHECK((in_left || in_right || in_bottom));
}

TEST_CASE("search: concurrent searches while the index is edited stay consistent",
          "[query][search]") {
  const Sample& s = sample();
  auto data = query::Dataset::serve(s.catalog, store::ServingIndex::load(s.store));
  store::ServingIndex* index = &data->editable_index();
  const access::Scope admin = admin_scope(s.policy);
  const auto views = data->reader(admin);
  const auto& def = *s.catalog.find_class("shelters");
  model::Feature f = all_features(*index, "shelters").front()->feature;
  const geo::Transform to_store("EPSG:3857", "EPSG:4549");
  to_store.apply(f.geometry.coords);
  const auto name = static_cast<std::size_t>(def.field_index("name"));

  std::atomic<bool> done{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        // Whatever version it sees, every hit holds the text.
        for (const auto& h : run(views, "编辑").hits) {
          if (h.text.find("编辑") == std::string::npos) ++wrong;
        }
      }
    });
  }
  for (int i = 0; i < 40; ++i) {
    f.values[name] = std::string(i % 2 ? "编辑中" : "安置点") + std::to_string(i);
    index->upsert("shelters", f);
  }
  done = true;
  for (auto& r : readers) r.join();
  CHECK(wrong == 0);
  // The last edit (i = 39: 编辑中39) is what a search finds now.
  const query::SearchAnswer a = run(views, "编辑中39");
  REQUIRE(a.hits.size() == 1);
  CHECK(a.hits[0].features.front()->feature.fid == f.fid);
}
