// Lossless value conversion and attribute validation against the layer definitions.

#include <catch2/catch.hpp>

#include "model/layer_catalog.hpp"
#include "model/validation.hpp"
#include "support/test_env.hpp"

using namespace minqing::model;

TEST_CASE("conversions that lose nothing are made, others refused", "[model][validation]") {
  auto field = [](FieldType type) {
    FieldDef f;
    f.name = "f";
    f.type = type;
    return f;
  };
  const FieldDef integer = field(FieldType::integer);
  const FieldDef real = field(FieldType::real);
  const FieldDef text = field(FieldType::text);
  CHECK(convert_lossless(integer, Value(3.0)) == Value(std::int64_t{3}));
  CHECK_FALSE(convert_lossless(integer, Value(3.5)));
  CHECK(convert_lossless(integer, Value(std::string(" 12 "))) == Value(std::int64_t{12}));
  CHECK_FALSE(convert_lossless(integer, Value(std::string("12a"))));
  CHECK(convert_lossless(real, Value(std::int64_t{7})) == Value(7.0));
  CHECK(convert_lossless(real, Value(std::string("2.25"))) == Value(2.25));
  CHECK(convert_lossless(text, Value(std::int64_t{42})) == Value(std::string("42")));
  CHECK(convert_lossless(integer, Value(std::string(""))) == Value{});
}

TEST_CASE("validation names the field and the rule", "[model][validation]") {
  const auto catalog = LayerCatalog::load_directory(minqing::test::layers_dir());
  const auto& def = *catalog.find_class("key_persons");
  FeatureValidator v(def);
  Feature f;
  f.values.assign(def.fields.size(), Value{});
  f.values[def.field_index("person_id")] = std::string("P1");
  f.values[def.field_index("village_code")] = std::string("331124101201");
  f.values[def.field_index("category")] = std::string("petition");
  CHECK_FALSE(v.check(f));
  f.values[def.field_index("risk_level")] = std::int64_t{4};
  CHECK(v.check(f).value_or("").find("risk_level: 4 is above the maximum 3") != std::string::npos);
  f.values[def.field_index("risk_level")] = std::int64_t{2};
  f.values[def.field_index("village_code")] = std::string("3311");
  CHECK(v.check(f).value_or("").find("village_code") != std::string::npos);
  f.values[def.field_index("village_code")] = std::string("331124101201");
  f.values[def.field_index("id_number")] = std::string("33112419500101123");
  CHECK(v.check(f).value_or("").find("id_number") != std::string::npos);
  f.values[def.field_index("id_number")] = Value{};
  f.values[def.field_index("category")] = Value{};
  CHECK(v.check(f).value_or("").find("category: is required") != std::string::npos);
}
