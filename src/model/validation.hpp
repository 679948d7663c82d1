#pragma once
// Checks and converts attribute values against a feature class's field definitions.

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "model/feature.hpp"
#include "model/layer_catalog.hpp"

namespace minqing::model {

// Converts `v` to the field's type when no information is lost: an integer to a real, a real with
// an integral value to an integer, a number written as text ("12", " 3.5 ") to a number, a number
// to text. Returns nullopt when the conversion would lose information or makes no sense
// ("abc" to integer, 2.5 to integer).
std::optional<Value> convert_lossless(const FieldDef& field, const Value& v);
// The same, and on refusal sets `reason` to why, e.g. "has a time of day (14:56:00) that a date
// field cannot hold". Dates and date-times: "2024-08-08 14:56" becomes "2024-08-08T14:56:00";
// a date-time at midnight without a zone goes into a date field as its day; a date goes into a
// date-time field as it is (a day whose time was not recorded).
std::optional<Value> convert_lossless(const FieldDef& field, const Value& v, std::string& reason);

// Whether `s` is an ISO date ("2024-08-08") or date-time in the form convert_lossless gives.
bool is_iso_date(const std::string& s);
bool is_iso_datetime(const std::string& s);

// Validates values against one feature class. Built once per class (compiles the patterns);
// immutable and safe to share between threads afterwards.
class FeatureValidator {
 public:
  explicit FeatureValidator(const FeatureClassDef& def);

  // Returns nullopt when valid, else a reason naming the field, e.g.
  // "field employment: \"farmer\" is not one of farming, local_work, migrant, business".
  // Checks attributes only; geometry validity is geo::invalid_reason's job.
  std::optional<std::string> check(const Feature& f) const;
  std::optional<std::string> check_value(std::size_t field_index, const Value& v) const;

  const FeatureClassDef& definition() const noexcept { return *m_def; }

 private:
  const FeatureClassDef* m_def;
  std::vector<std::optional<std::regex>> m_patterns;
};

}  // namespace minqing::model
