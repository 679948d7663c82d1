// Issue 3 (map tiles): styles load from styles/*.json, malformed styles fail naming file, layer
// and property, and expressions evaluate as the MapLibre specification says.

#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "model/layer_catalog.hpp"
#include "style/style.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

const model::LayerCatalog& catalog() {
  static const auto c = model::LayerCatalog::load_directory(test::layers_dir());
  return c;
}

// Writes `text` as styles/<map>.json in a scratch directory and loads it.
style::Style load_text(const std::string& text, const std::string& map = "terrain") {
  const auto dir = test::scratch_dir("style-malformed");
  const auto file = dir / (map + ".json");
  std::ofstream(file) << text;
  return style::StyleSet::load_file(file, map, catalog());
}

// A terrain style with one layer `layer` (a JSON object text).
std::string with_layer(const std::string& layer) {
  return R"({"version": 8, "layers": [)" + layer + "]}";
}

void require_error(const std::string& text, const std::vector<std::string>& parts, const std::string& map = "terrain") {
  try {
    load_text(text, map);
    FAIL("no ConfigError for " << text);
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find(map + ".json") != std::string::npos);
    for (const auto& p : parts) CHECK(msg.find(p) != std::string::npos);
  }
}

model::Feature feature_of(const model::FeatureClassDef& def, std::vector<std::pair<std::string, model::Value>> values) {
  model::Feature f;
  f.values.assign(def.fields.size(), model::Value{});
  for (auto& [k, v] : values) f.values.at(static_cast<std::size_t>(def.field_index(k))) = v;
  return f;
}

style::Value eval(const std::string& expr, const std::string& cls, double zoom, const model::Feature* f = nullptr,
                  style::Type type = style::Type::value) {
  const auto e = style::Expression::compile(nlohmann::json::parse(expr), type,
                                            style::CompileContext{"test", catalog().find_class(cls)});
  return e.evaluate(style::EvalContext{zoom, f, geo::GeometryKind::line});
}

}  // namespace

TEST_CASE("every style in styles/ loads against the layer catalog", "[style]") {
  const auto set = style::StyleSet::load_directory(test::source_dir() / "styles", catalog());
  for (const char* map : {"terrain", "industry", "organization", "key_persons", "assistance", "disaster"}) {
    INFO(map);
    const auto* s = set.find(map);
    REQUIRE(s);
    CHECK_FALSE(s->layers.empty());
    CHECK(s->version != 0);
    CHECK(s->minzoom < s->maxzoom);
  }
  CHECK(set.find("terrain")->uses_relief());
  CHECK_FALSE(set.find("disaster")->uses_relief());
  CHECK(set.version() != 0);
  CHECK(set.find("nonexistent") == nullptr);
}

TEST_CASE("malformed styles fail at load naming file, layer and property", "[style]") {
  SECTION("unknown paint property") {
    require_error(with_layer(R"({"id": "b", "type": "fill", "source-layer": "buildings", "paint": {"fill-colour": "#fff"}})"),
                  {"layer \"b\"", "fill-colour", "unknown paint property"});
  }
  SECTION("property in the wrong section") {
    require_error(with_layer(R"({"id": "b", "type": "line", "source-layer": "roads", "paint": {"line-cap": "round"}})"),
                  {"layer \"b\"", "line-cap", "layout"});
  }
  SECTION("wrong value type") {
    require_error(with_layer(R"({"id": "b", "type": "fill", "source-layer": "buildings", "paint": {"fill-opacity": "high"}})"),
                  {"layer \"b\"", "fill-opacity", "expected number"});
  }
  SECTION("unknown source-layer") {
    require_error(with_layer(R"({"id": "x", "type": "fill", "source-layer": "houses", "paint": {}})"),
                  {"layer \"x\"", "source-layer", "houses"});
  }
  SECTION("source-layer of another map") {
    require_error(with_layer(R"({"id": "x", "type": "circle", "source-layer": "key_persons"})"),
                  {"layer \"x\"", "source-layer", "key_persons", "not a feature class of map terrain"});
  }
  SECTION("unknown field in get") {
    require_error(with_layer(R"({"id": "r", "type": "line", "source-layer": "roads",
                                "paint": {"line-color": ["match", ["get", "klass"], "county", "#f00", "#fff"]}})"),
                  {"layer \"r\"", "line-color", "unknown field \"klass\""});
  }
  SECTION("unknown field in a filter") {
    require_error(with_layer(R"({"id": "r", "type": "line", "source-layer": "roads", "filter": ["has", "lanes"]})"),
                  {"layer \"r\"", "filter", "lanes"});
  }
  SECTION("personal field") {
    require_error(with_layer(R"({"id": "k", "type": "symbol", "source-layer": "key_persons", "layout": {"text-field": ["get", "name"]}})"),
                  {"layer \"k\"", "text-field", "personal"}, "key_persons");
  }
  SECTION("bad expression arity") {
    require_error(with_layer(R"({"id": "r", "type": "line", "source-layer": "roads",
                                "paint": {"line-color": ["match", ["get", "class"], "county", "#f00"]}})"),
                  {"layer \"r\"", "line-color", "match"});
    require_error(with_layer(R"({"id": "r", "type": "line", "source-layer": "roads",
                                "paint": {"line-width": ["interpolate", ["linear"], ["zoom"], 10]}})"),
                  {"layer \"r\"", "line-width", "interpolate"});
    require_error(with_layer(R"({"id": "r", "type": "line", "source-layer": "roads", "filter": ["==", ["get", "class"]]})"),
                  {"layer \"r\"", "filter", "2 arguments"});
  }
  SECTION("bad colour") {
    require_error(with_layer(R"({"id": "w", "type": "fill", "source-layer": "landcover", "paint": {"fill-color": "#12345"}})"),
                  {"layer \"w\"", "fill-color", "bad colour"});
    require_error(with_layer(R"J({"id": "w", "type": "fill", "source-layer": "landcover", "paint": {"fill-color": "rgb(300,0,0)"}})J"),
                  {"layer \"w\"", "fill-color", "bad colour"});
  }
  SECTION("match label that is not a value of the enumerated field") {
    require_error(with_layer(R"({"id": "l", "type": "fill", "source-layer": "landcover",
                                "paint": {"fill-color": ["match", ["get", "class"], "forset", "#0f0", "#fff"]}})"),
                  {"layer \"l\"", "fill-color", "\"forset\" is not a value of landcover.class"});
  }
  SECTION("unknown operator, layer type, layer key, top-level key") {
    require_error(with_layer(R"({"id": "l", "type": "line", "source-layer": "roads", "paint": {"line-width": ["sqrt", 4]}})"),
                  {"layer \"l\"", "line-width", "unknown expression operator \"sqrt\""});
    require_error(with_layer(R"({"id": "l", "type": "fill-extrusion", "source-layer": "buildings"})"),
                  {"layer \"l\"", "type", "fill-extrusion"});
    require_error(with_layer(R"({"id": "l", "type": "fill", "source-layer": "buildings", "interactive": true})"),
                  {"layer \"l\"", "interactive"});
    require_error(R"({"version": 8, "sprite": "x", "layers": []})", {"sprite"});
  }
  SECTION("unsorted stops and zoom-only properties") {
    require_error(with_layer(R"({"id": "l", "type": "line", "source-layer": "roads",
                                "paint": {"line-width": ["interpolate", ["linear"], ["zoom"], 14, 1, 12, 2]}})"),
                  {"layer \"l\"", "line-width", "ascending"});
    require_error(with_layer(R"({"id": "l", "type": "symbol", "source-layer": "roads",
                                "layout": {"symbol-spacing": ["get", "width_m"]}})"),
                  {"layer \"l\"", "symbol-spacing", "zoom only"});
  }
  SECTION("a map without relief has no hillshade; a file must name a map") {
    require_error(with_layer(R"({"id": "h", "type": "hillshade"})"), {"layer \"h\"", "relief"}, "disaster");
    require_error(R"({"version": 8, "layers": []})", {"does not name a map"}, "roadmap");
  }
  SECTION("a well-formed style loads") {
    const auto s = load_text(with_layer(R"J({"id": "ok", "type": "line", "source-layer": "roads", "minzoom": 12,
                                           "layout": {"line-cap": "round", "visibility": "visible"},
                                           "paint": {"line-color": "hsl(30, 50%, 50%)", "line-dasharray": [2, 1]}})J"));
    REQUIRE(s.layers.size() == 1);
    CHECK(s.layers[0].minzoom == 12);
    CHECK(std::get<style::LineSymbolizer>(s.layers[0].symbolizer).cap == style::LineCap::round);
  }
}

TEST_CASE("expressions evaluate as in the MapLibre specification", "[style]") {
  const auto& roads = *catalog().find_class("roads");
  const auto county = feature_of(roads, {{"class", std::string("county")}, {"name", std::string("松玉线")}, {"width_m", 7.5}});
  const auto path = feature_of(roads, {{"class", std::string("path")}});

  SECTION("get, match, case, coalesce, in") {
    const std::string m = R"(["match", ["get", "class"], "county", 1, ["township", "village"], 2, 3])";
    CHECK(style::as_number(eval(m, "roads", 14, &county)) == 1);
    CHECK(style::as_number(eval(m, "roads", 14, &path)) == 3);
    const std::string c = R"(["case", [">", ["get", "width_m"], 5], "wide", ["has", "width_m"], "narrow", "unknown"])";
    CHECK(std::get<std::string>(eval(c, "roads", 14, &county)) == "wide");
    CHECK(std::get<std::string>(eval(c, "roads", 14, &path)) == "unknown");
    CHECK(std::get<std::string>(eval(R"(["coalesce", ["get", "name"], "无名"])", "roads", 14, &path)) == "无名");
    CHECK(std::get<bool>(eval(R"(["in", ["get", "class"], ["literal", ["county", "township"]]])", "roads", 14, &county)));
    CHECK_FALSE(std::get<bool>(eval(R"(["in", ["get", "class"], ["literal", ["county", "township"]]])", "roads", 14, &path)));
  }
  SECTION("interpolate linear and exponential, step, zoom") {
    const std::string lin = R"(["interpolate", ["linear"], ["zoom"], 10, 2, 20, 12])";
    CHECK(style::as_number(eval(lin, "roads", 5)) == Approx(2));
    CHECK(style::as_number(eval(lin, "roads", 15)) == Approx(7));
    CHECK(style::as_number(eval(lin, "roads", 25)) == Approx(12));
    const std::string ex = R"(["interpolate", ["exponential", 2], ["zoom"], 10, 0, 12, 30])";
    // (2^1 - 1) / (2^2 - 1) = 1/3 of the way at zoom 11
    CHECK(style::as_number(eval(ex, "roads", 11)) == Approx(10));
    const std::string st = R"(["step", ["zoom"], "a", 12, "b", 15, "c"])";
    CHECK(std::get<std::string>(eval(st, "roads", 11.9)) == "a");
    CHECK(std::get<std::string>(eval(st, "roads", 12)) == "b");
    CHECK(std::get<std::string>(eval(st, "roads", 18)) == "c");
    const auto col = eval(R"(["interpolate", ["linear"], ["zoom"], 0, "#000000", 10, "#ffffff"])", "roads", 5, nullptr,
                          style::Type::color);
    CHECK(style::as_color(col)->r == Approx(0.5));
    // A feature-dependent output inside a zoom interpolation.
    const std::string nested = R"(["interpolate", ["linear"], ["zoom"], 10, ["match", ["get", "class"], "county", 2, 1], 20, 10])";
    CHECK(style::as_number(eval(nested, "roads", 10, &county)) == Approx(2));
    CHECK(style::as_number(eval(nested, "roads", 15, &path)) == Approx(5.5));
  }
  SECTION("concat, to-string, arithmetic, comparisons") {
    CHECK(std::get<std::string>(eval(R"(["concat", ["get", "name"], "（", ["to-string", ["get", "width_m"]], "米）"])", "roads", 14, &county)) ==
          "松玉线（7.5米）");
    CHECK(style::as_number(eval(R"(["*", 2, ["+", 1, ["get", "width_m"]]])", "roads", 14, &county)) == Approx(17));
    CHECK(std::get<bool>(eval(R"(["all", ["==", ["get", "class"], "county"], ["<=", ["zoom"], 14]])", "roads", 14, &county)));
    CHECK_FALSE(std::get<bool>(eval(R"(["any", ["!=", ["get", "class"], "county"], [">", ["zoom"], 14]])", "roads", 14, &county)));
  }
  SECTION("round: nearest integer, halves away from zero") {
    CHECK(style::as_number(eval(R"(["round", 2.5])", "roads", 14)) == Approx(3));
    CHECK(style::as_number(eval(R"(["round", -2.5])", "roads", 14)) == Approx(-3));
    CHECK(style::as_number(eval(R"(["round", ["get", "width_m"]])", "roads", 14, &county)) == Approx(8));
  }
  SECTION("a parcel's label names its crop in Chinese and its area to 0.01 亩 (styles/industry.json)") {
    std::ifstream in(test::styles_dir() / "industry.json");
    const auto doc = nlohmann::json::parse(in);
    nlohmann::json text_field;
    for (const auto& layer : doc.at("layers")) {
      if (layer.at("id") == "parcels-label") text_field = layer.at("layout").at("text-field");
    }
    REQUIRE_FALSE(text_field.is_null());
    const auto& parcels = *catalog().find_class("parcels");
    const auto tea = feature_of(parcels, {{"crop", std::string("tea")}, {"area_mu", 1.760881615}});
    const auto rice = feature_of(parcels, {{"crop", std::string("rice")}, {"area_mu", 2.0}});
    CHECK(std::get<std::string>(eval(text_field.dump(), "parcels", 18, &tea)) == "茶叶 1.76亩");
    CHECK(std::get<std::string>(eval(text_field.dump(), "parcels", 18, &rice)) == "水稻 2亩");
  }
  SECTION("constant expressions fold at load; dependencies are known") {
    auto compile = [](const char* j) {
      return style::Expression::compile(nlohmann::json::parse(j), style::Type::value,
                                        style::CompileContext{"test", catalog().find_class("roads")});
    };
    CHECK(compile(R"(["+", 1, 2])").is_constant());
    CHECK(compile(R"(["zoom"])").depends_on_zoom());
    CHECK_FALSE(compile(R"(["zoom"])").depends_on_feature());
    CHECK(compile(R"(["get", "name"])").depends_on_feature());
  }
  SECTION("colours") {
    CHECK(style::parse_color("#f00") == style::Color{1, 0, 0, 1});
    CHECK(style::parse_color("rgba(0, 0, 255, 0.5)") == style::Color{0, 0, 1, 0.5});
    CHECK(style::parse_color("#00ff0080")->a == Approx(128 / 255.0));
    CHECK(style::parse_color("hsl(120, 100%, 50%)")->g == Approx(1));
    CHECK_FALSE(style::parse_color("#ggg"));
    CHECK_FALSE(style::parse_color("rgb(1,2)"));
  }
}
