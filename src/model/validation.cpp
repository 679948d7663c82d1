#include "model/validation.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace minqing::model {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::optional<std::int64_t> parse_integer(const std::string& s) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

std::optional<double> parse_real(const std::string& s) {
  double out = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || !std::isfinite(out)) return std::nullopt;
  return out;
}

// 2^53: beyond it not every integer is a double.
constexpr double kExactIntegerLimit = 9007199254740992.0;

bool is_iso_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace

std::optional<Value> convert_lossless(const FieldDef& field, const Value& v) {
  if (is_null(v)) return Value{};
  switch (field.type) {
    case FieldType::integer:
      if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
      if (auto* d = std::get_if<double>(&v)) {
        if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < kExactIntegerLimit) {
          return static_cast<std::int64_t>(*d);
        }
        return std::nullopt;
      }
      if (auto* s = std::get_if<std::string>(&v)) {
        const std::string t = trim(*s);
        if (t.empty()) return Value{};
        if (auto i = parse_integer(t)) return *i;
        if (auto d = parse_real(t); d && std::trunc(*d) == *d && std::fabs(*d) < kExactIntegerLimit) {
          return static_cast<std::int64_t>(*d);
        }
      }
      return std::nullopt;
    case FieldType::real:
      if (auto* d = std::get_if<double>(&v)) return std::isfinite(*d) ? std::optional<Value>(*d) : std::nullopt;
      if (auto* i = std::get_if<std::int64_t>(&v)) {
        if (std::fabs(static_cast<double>(*i)) < kExactIntegerLimit) return static_cast<double>(*i);
        return std::nullopt;
      }
      if (auto* s = std::get_if<std::string>(&v)) {
        const std::string t = trim(*s);
        if (t.empty()) return Value{};
        if (auto d = parse_real(t)) return *d;
      }
      return std::nullopt;
    case FieldType::text:
    case FieldType::date:
      if (auto* s = std::get_if<std::string>(&v)) return *s;
      if (field.type == FieldType::date) return std::nullopt;
      return to_display_string(v);
  }
  return std::nullopt;
}

FeatureValidator::FeatureValidator(const FeatureClassDef& def) : m_def(&def) {
  for (const auto& f : def.fields) {
    if (f.pattern.empty()) m_patterns.emplace_back();
    else m_patterns.emplace_back(std::regex(f.pattern, std::regex::ECMAScript | std::regex::optimize));
  }
}

std::optional<std::string> FeatureValidator::check_value(std::size_t i, const Value& v) const {
  const FieldDef& f = m_def->fields[i];
  const std::string where = "field " + f.name + ": ";
  if (is_null(v)) {
    if (f.required) return where + "is required";
    return std::nullopt;
  }
  switch (f.type) {
    case FieldType::integer:
    case FieldType::real: {
      double d = 0;
      if (auto* iv = std::get_if<std::int64_t>(&v); iv && f.type == FieldType::integer) d = static_cast<double>(*iv);
      else if (auto* dv = std::get_if<double>(&v); dv && f.type == FieldType::real) d = *dv;
      else return where + "must be " + std::string(to_string(f.type));
      if (f.min && d < *f.min) return where + to_display_string(v) + " is below the minimum " + to_display_string(*f.min);
      if (f.max && d > *f.max) return where + to_display_string(v) + " is above the maximum " + to_display_string(*f.max);
      return std::nullopt;
    }
    case FieldType::text:
    case FieldType::date: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s) return where + "must be text";
      if (f.required && s->empty()) return where + "is required";
      if (f.type == FieldType::date && !is_iso_date(*s)) return where + "\"" + *s + "\" is not a date (YYYY-MM-DD)";
      if (!f.values.empty() && std::find(f.values.begin(), f.values.end(), *s) == f.values.end()) {
        std::string allowed;
        for (const auto& a : f.values) allowed += (allowed.empty() ? "" : ", ") + a;
        return where + "\"" + *s + "\" is not one of " + allowed;
      }
      if (m_patterns[i] && !std::regex_match(*s, *m_patterns[i])) {
        return where + "\"" + *s + "\" does not match " + f.pattern;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::string> FeatureValidator::check(const Feature& feature) const {
  if (feature.values.size() != m_def->fields.size()) {
    return "expected " + std::to_string(m_def->fields.size()) + " values, got " +
           std::to_string(feature.values.size());
  }
  for (std::size_t i = 0; i < feature.values.size(); ++i) {
    if (auto err = check_value(i, feature.values[i])) return err;
  }
  return std::nullopt;
}

}  // namespace minqing::model
