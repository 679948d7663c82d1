// Issue 9: a map's legend is generated from its style — categories found by evaluating the style's
// expressions, each with its swatch colour and the Chinese title from layers/ value_titles.

#include <algorithm>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "model/layer_catalog.hpp"
#include "style/legend.hpp"
#include "style/style.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

const model::LayerCatalog& catalog() {
  static const auto c = model::LayerCatalog::load_directory(test::layers_dir());
  return c;
}

const style::StyleSet& styles() {
  static const auto s = style::StyleSet::load_directory(test::styles_dir(), catalog());
  return s;
}

const style::LegendEntry* entry(const std::vector<style::LegendEntry>& items, const std::string& cls,
                                const std::string& value) {
  for (const auto& e : items) {
    if (e.cls->name == cls && e.value == value) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the terrain legend lists land cover and roads by category with Chinese titles", "[style][legend]") {
  const auto items = style::legend(*styles().find("terrain"));
  const auto* tea = entry(items, "landcover", "tea");
  REQUIRE(tea);
  CHECK(tea->title == "茶园");
  CHECK(tea->field == "class");
  CHECK(tea->kind == style::SwatchKind::fill);
  CHECK(style::to_css(tea->color) == "#b6dc78");  // the colour styles/terrain.json gives tea
  // water is drawn by its own layer ("water-area"), and found there
  const auto* water = entry(items, "landcover", "water");
  REQUIRE(water);
  CHECK(water->title == "水域");
  CHECK(style::to_css(water->color) == "#a8cfe8");
  const auto* county = entry(items, "roads", "county");
  REQUIRE(county);
  CHECK(county->title == "县道");
  CHECK(county->kind == style::SwatchKind::line);
  // every entry names a class of the map, once per category
  for (const auto& e : items) {
    INFO(e.cls->name << " " << e.value);
    CHECK(e.cls->map == "terrain");
    CHECK_FALSE(e.title.empty());
    CHECK(std::count_if(items.begin(), items.end(), [&](const auto& o) {
            return o.cls == e.cls && o.field == e.field && o.value == e.value;
          }) == 1);
  }
}

TEST_CASE("every map has a legend, its categories titled in Chinese", "[style][legend]") {
  for (const auto& map : catalog().maps()) {
    INFO(map.name);
    const style::Style* s = styles().find(map.name);
    REQUIRE(s);
    const auto items = style::legend(*s);
    CHECK_FALSE(items.empty());
  }
  const auto kp = style::legend(*styles().find("key_persons"));
  const auto* elderly = entry(kp, "key_persons", "left_behind_elderly");
  REQUIRE(elderly);
  CHECK(elderly->title == "留守老人");
  CHECK(elderly->kind == style::SwatchKind::circle);
  const auto hazards = style::legend(*styles().find("disaster"));
  REQUIRE(entry(hazards, "hazard_zones", "high"));
  CHECK(entry(hazards, "hazard_zones", "high")->title == "高风险");
}

TEST_CASE("a layer without categories gives one entry titled with its class", "[style][legend]") {
  const auto dir = test::scratch_dir("legend_style");
  std::ofstream(dir / "terrain.json") << R"({"version":8,"name":"t","layers":[
    {"id":"b","type":"fill","source-layer":"buildings","paint":{"fill-color":"#ff0000","fill-opacity":0.5}},
    {"id":"label","type":"symbol","source-layer":"roads","layout":{"text-field":["get","name"]}}]})";
  const auto s = style::StyleSet::load_file(dir / "terrain.json", "terrain", catalog());
  const auto items = style::legend(s);
  REQUIRE(items.size() == 1);
  CHECK(items[0].cls->name == "buildings");
  CHECK(items[0].title == "房屋");
  CHECK(items[0].field.empty());
  CHECK(style::to_css(items[0].color) == "rgba(255,0,0,0.50)");
}
