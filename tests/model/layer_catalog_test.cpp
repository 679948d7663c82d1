// The layer definitions parse, and they carry DOMAIN.md's names: every map, feature class and
// field the domain model lists.

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "model/layer_catalog.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

struct DomainClass {
  std::string geometry;
  std::set<std::string> fields;
};

// Reads "- `class` (geometry…): `field`, `field` …" bullets (with indented continuation lines)
// and "N. `map` — 中文名" headings from DOMAIN.md.
void parse_domain(std::map<std::string, DomainClass>& classes, std::map<std::string, std::string>& maps) {
  std::ifstream in(test::env_or_throw("MINQING_DOMAIN"));
  REQUIRE(in.good());
  const std::regex bullet(R"(^\s*- `([a-z_]+)` \((point|line|polygon)[^)]*\)?(.*))");
  const std::regex map_heading(R"(^\d\. `([a-z_]+)` — ([^,\s]+),)");
  const std::regex backticked("`([a-z_]+)`");
  std::string line;
  std::string current;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, map_heading)) {
      maps[m[1]] = m[2];
      current.clear();
    } else if (std::regex_search(line, m, bullet)) {
      current = m[1];
      classes[current].geometry = m[2];
      const std::string rest = m[3];
      for (std::sregex_iterator it(rest.begin(), rest.end(), backticked), end; it != end; ++it) {
        classes[current].fields.insert((*it)[1]);
      }
    } else if (!current.empty() && line.rfind("    ", 0) == 0) {
      for (std::sregex_iterator it(line.begin(), line.end(), backticked), end; it != end; ++it) {
        classes[current].fields.insert((*it)[1]);
      }
    } else {
      current.clear();
    }
  }
}

}  // namespace

TEST_CASE("every layer file parses into the six maps", "[model][layers]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  std::set<std::string> names;
  for (const auto& m : catalog.maps()) names.insert(m.name);
  CHECK(names == std::set<std::string>{"terrain", "industry", "organization", "key_persons", "assistance", "disaster"});
  CHECK(catalog.find_map("key_persons")->confidential);
  CHECK_FALSE(catalog.find_map("terrain")->confidential);
  CHECK(catalog.find_map("terrain")->relief);
  for (const auto& c : catalog.classes()) {
    INFO(c.name);
    CHECK(c.field(c.village_key) != nullptr);
    CHECK_FALSE(c.title.zh.empty());
  }
}

TEST_CASE("layer definitions carry DOMAIN.md's maps, classes and fields", "[model][layers]") {
  std::map<std::string, DomainClass> domain;
  std::map<std::string, std::string> domain_maps;
  parse_domain(domain, domain_maps);
  REQUIRE(domain_maps.size() == 6);
  REQUIRE(domain.size() >= 18);  // DOMAIN.md lists 19 feature classes with their fields

  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  for (const auto& [map, zh] : domain_maps) {
    INFO("map " << map);
    const model::MapDef* def = catalog.find_map(map);
    REQUIRE(def != nullptr);
    CHECK(def->title.zh == zh);
  }
  for (const auto& [name, expected] : domain) {
    INFO("class " << name);
    const model::FeatureClassDef* def = catalog.find_class(name);
    REQUIRE(def != nullptr);
    CHECK(std::string(geo::to_string(def->geometry)) == expected.geometry);
    for (const auto& field : expected.fields) {
      INFO("field " << field);
      CHECK(def->field(field) != nullptr);
    }
  }
}

TEST_CASE("personal data fields are flagged as DOMAIN.md lists them", "[model][layers]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const std::set<std::string> personal_names = {"head_name", "id_number", "phone", "cadre_name", "responsible_cadre"};
  for (const auto& c : catalog.classes()) {
    for (const auto& f : c.fields) {
      if (personal_names.count(f.name)) {
        INFO(c.name << "." << f.name);
        CHECK(f.personal);
      }
    }
  }
  CHECK(catalog.find_class("key_persons")->field("name")->personal);
  CHECK_FALSE(catalog.find_class("villages")->field("name")->personal);
}

namespace {
void expect_config_error(const std::string& json, const std::string& expected_fragment) {
  const auto dir = test::scratch_dir("bad_layers");
  std::ofstream(dir / "terrain.json") << json;
  try {
    model::LayerCatalog::load_directory(dir);
    FAIL("expected a ConfigError mentioning " << expected_fragment);
  } catch (const ConfigError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(expected_fragment) != std::string::npos);
    CHECK(std::string(e.what()).find("terrain.json") != std::string::npos);
  }
}
}  // namespace

TEST_CASE("a malformed layer definition fails naming file and key", "[model][layers]") {
  const std::string head = R"({"map":"terrain","title":{"zh":"村情民情图","en":"T"},"classes":[)";
  const std::string field = R"({"name":"village_code","type":"text","title":"代码","required":true})";
  expect_config_error("{not json", "not valid JSON");
  expect_config_error(head + R"({"name":"roads","title":{"zh":"道路","en":"Roads"},"geometry":"curve","village_key":"village_code","fields":[)" + field + "]}]}", "unknown geometry \"curve\"");
  expect_config_error(head + R"({"name":"roads","title":{"zh":"道路","en":"Roads"},"geometry":"line","village_key":"village_code","fields":[{"name":"village_code","type":"txt","title":"x","required":true}]}]})", "unknown type \"txt\"");
  expect_config_error(head + R"({"name":"roads","title":{"zh":"道路","en":"Roads"},"geometry":"line","village_key":"code","fields":[)" + field + "]}]}", "village_key \"code\" is not a field");
  expect_config_error(head + R"({"name":"roads","colour":"red","title":{"zh":"道路","en":"Roads"},"geometry":"line","village_key":"village_code","fields":[)" + field + "]}]}", "unknown key \"colour\"");
  expect_config_error(R"({"map":"industry","title":{"zh":"x","en":"y"},"classes":[]})", "must be defined in industry.json");
}

TEST_CASE("searchable fields are text fields flagged in the layer files", "[model][layers][search]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  std::set<std::string> searchable;
  for (const auto& c : catalog.classes()) {
    for (const auto& f : c.fields) {
      if (!f.search) continue;
      searchable.insert(c.name + "." + f.name);
      CHECK(f.type == model::FieldType::text);
    }
  }
  // What DOMAIN.md's users look up: villages by name and code, roads, places, shelters, people.
  for (const char* expected : {"villages.name", "villages.village_code", "roads.name", "pois.name", "shelters.name",
                               "households.head_name", "key_persons.name", "enterprises.name", "org_units.name"}) {
    INFO(expected);
    CHECK(searchable.count(expected) == 1);
  }
  // Ids and phone numbers are not search targets.
  CHECK(searchable.count("households.phone") == 0);
  CHECK(searchable.count("key_persons.id_number") == 0);

  const std::string head = R"({"map":"terrain","title":{"zh":"村情民情图","en":"T"},"classes":[{"name":"roads","title":{"zh":"道路","en":"Roads"},"geometry":"line","village_key":"village_code","fields":[{"name":"village_code","type":"text","title":"代码","required":true},)";
  expect_config_error(head + R"({"name":"width_m","type":"real","title":"宽","search":true}]}]})", "\"search\" applies to text fields only");
  expect_config_error(head + R"({"name":"name","type":"text","title":"名","search":"yes"}]}]})", "\"search\" must be true or false");
  expect_config_error(head + R"({"name":"name","type":"text","title":"名","searchable":true}]}]})", "unknown key \"searchable\"");
}

TEST_CASE("every enumerated field titles each of its values in Chinese (issue 9)", "[model][layers][value_titles]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  std::size_t fields = 0;
  for (const auto& c : catalog.classes()) {
    for (const auto& f : c.fields) {
      if (f.values.empty()) continue;
      ++fields;
      INFO(c.name << "." << f.name);
      REQUIRE(f.value_titles.size() == f.values.size());
      for (const auto& v : f.values) {
        INFO(v);
        CHECK(f.value_title(v) != v);
        CHECK(static_cast<unsigned char>(f.value_title(v).front()) >= 0xe4);  // starts with a CJK character
      }
    }
  }
  CHECK(fields >= 17);
  const model::FieldDef* landcover = catalog.find_class("landcover")->field("class");
  CHECK(landcover->value_title("tea") == "茶园");
  CHECK(catalog.find_class("households")->field("employment")->value_title("migrant") == "外出务工");
  CHECK(catalog.find_class("hazard_zones")->field("risk")->value_title("high") == "高风险");
  CHECK(landcover->value_title("unknown-code") == "unknown-code");
}

TEST_CASE("value_titles must title exactly the field's values", "[model][layers][value_titles]") {
  const std::string head = R"({"map":"terrain","title":{"zh":"村情民情图","en":"T"},"classes":[{"name":"roads","title":{"zh":"道路","en":"Roads"},"geometry":"line","village_key":"village_code","fields":[{"name":"village_code","type":"text","title":"代码","required":true},)";
  const std::string tail = "]}]}";
  expect_config_error(head + R"({"name":"class","type":"text","title":"等级","values":["county","path"],"value_titles":{"county":"县道"}})" + tail,
                      "has no title for \"path\"");
  expect_config_error(head + R"({"name":"class","type":"text","title":"等级","values":["county"],"value_titles":{"county":"县道","lane":"巷"}})" + tail,
                      "names \"lane\", which is not one of \"values\"");
  expect_config_error(head + R"({"name":"class","type":"text","title":"等级","value_titles":{"county":"县道"}})" + tail,
                      "\"value_titles\" needs \"values\"");
}
