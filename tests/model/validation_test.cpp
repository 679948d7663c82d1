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

TEST_CASE("dates and date-times convert as GIS tools write them, or are refused with the reason", "[model][validation][issue13]") {
  FieldDef date;
  date.name = "since";
  date.type = FieldType::date;
  FieldDef stamp;
  stamp.name = "updated_at";
  stamp.type = FieldType::datetime;
  std::string why;
  // Into a date-time field: ISO forms normalised, nothing dropped.
  CHECK(convert_lossless(stamp, Value(std::string("2024-08-08T14:56:00")), why) == Value(std::string("2024-08-08T14:56:00")));
  CHECK(convert_lossless(stamp, Value(std::string("2024-08-08 14:56")), why) == Value(std::string("2024-08-08T14:56:00")));
  CHECK(convert_lossless(stamp, Value(std::string("2024-08-08T14:56:00.500+08")), why) ==
        Value(std::string("2024-08-08T14:56:00.5+08:00")));
  CHECK(convert_lossless(stamp, Value(std::string("2024-08-08T06:56:00.000Z")), why) == Value(std::string("2024-08-08T06:56:00Z")));
  CHECK(convert_lossless(stamp, Value(std::string("2024-08-08")), why) == Value(std::string("2024-08-08")));
  CHECK_FALSE(convert_lossless(stamp, Value(std::string("08/08/2024")), why));
  CHECK(why == "is not a date-time (YYYY-MM-DDTHH:MM:SS)");
  // Into a date field: midnight without a zone is the day; any other time is refused.
  CHECK(convert_lossless(date, Value(std::string("2023-03-01T00:00:00")), why) == Value(std::string("2023-03-01")));
  CHECK_FALSE(convert_lossless(date, Value(std::string("2023-03-01T14:30:00")), why));
  CHECK(why.find("has a time of day (14:30:00) that a date field cannot hold") == 0);
  CHECK_FALSE(convert_lossless(date, Value(std::int64_t{20230301}), why));
  CHECK(why == "is a number, not a date");
  CHECK(is_iso_datetime("2024-08-08T14:56:00"));
  CHECK(is_iso_datetime("2024-08-08"));
  CHECK_FALSE(is_iso_datetime("2024-08-08T25:00:00"));
  CHECK_FALSE(is_iso_datetime("2024-08-08 14:56:00"));  // stored values are normalised with a T
}
