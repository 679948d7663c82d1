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

bool digits(const std::string& s, std::size_t from, std::size_t n) {
  if (s.size() < from + n) return false;
  for (std::size_t i = from; i < from + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int two(const std::string& s, std::size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

// A date-time split into its day, its time of day "HH:MM:SS[.fff]" and its zone ("", "Z", "+08:00").
struct DateTimeParts {
  std::string day, time, zone;
};

// Parses "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.f…]][Z|±HH[:MM]]". The time is normalised to
// HH:MM:SS (seconds added when absent) and the zone to "Z" or "±HH:MM".
std::optional<DateTimeParts> parse_datetime(const std::string& s) {
  if (s.size() < 10 || !is_iso_date(s.substr(0, 10))) return std::nullopt;
  DateTimeParts out{s.substr(0, 10), "", ""};
  if (s.size() == 10) return out;
  if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
  std::size_t i = 11;
  if (!digits(s, i, 2) || s.size() < i + 5 || s[i + 2] != ':' || !digits(s, i + 3, 2)) return std::nullopt;
  if (two(s, i) > 23 || two(s, i + 3) > 59) return std::nullopt;
  out.time = s.substr(i, 5);
  i += 5;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, i + 1, 2) || two(s, i + 1) > 60) return std::nullopt;
    out.time += s.substr(i, 3);
    i += 3;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      if (j == i + 1) return std::nullopt;
      std::string frac = s.substr(i + 1, j - i - 1);
      while (!frac.empty() && frac.back() == '0') frac.pop_back();  // .000 says nothing more
      if (!frac.empty()) out.time += "." + frac;
      i = j;
    }
  } else {
    out.time += ":00";
  }
  if (i == s.size()) return out;
  if (s[i] == 'Z' && i + 1 == s.size()) {
    out.zone = "Z";
    return out;
  }
  if ((s[i] == '+' || s[i] == '-') && digits(s, i + 1, 2)) {
    std::string zone = s.substr(i, 3);
    std::size_t j = i + 3;
    if (j < s.size() && s[j] == ':') ++j;
    if (j == s.size()) zone += ":00";
    else if (digits(s, j, 2) && j + 2 == s.size()) zone += ":" + s.substr(j, 2);
    else return std::nullopt;
    out.zone = zone;
    return out;
  }
  return std::nullopt;
}

std::string join(const DateTimeParts& p) { return p.time.empty() ? p.day : p.day + "T" + p.time + p.zone; }

}  // namespace

bool is_iso_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool is_iso_datetime(const std::string& s) {
  const auto p = parse_datetime(s);
  return p && join(*p) == s;
}

std::optional<Value> convert_lossless(const FieldDef& field, const Value& v) {
  std::string reason;
  return convert_lossless(field, v, reason);
}

std::optional<Value> convert_lossless(const FieldDef& field, const Value& v, std::string& reason) {
  if (is_null(v)) return Value{};
  switch (field.type) {
    case FieldType::integer:
      if (auto* i = std::get_if<std::int64_t>(&v)) return *i;
      if (auto* d = std::get_if<double>(&v)) {
        if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < kExactIntegerLimit) {
          return static_cast<std::int64_t>(*d);
        }
        reason = "has a fraction an integer field cannot hold";
        return std::nullopt;
      }
      if (auto* s = std::get_if<std::string>(&v)) {
        const std::string t = trim(*s);
        if (t.empty()) return Value{};
        if (auto i = parse_integer(t)) return *i;
        if (auto d = parse_real(t); d && std::trunc(*d) == *d && std::fabs(*d) < kExactIntegerLimit) {
          return static_cast<std::int64_t>(*d);
        }
        reason = parse_real(t) ? "has a fraction an integer field cannot hold" : "is not a number";
        return std::nullopt;
      }
      reason = "has a fraction an integer field cannot hold";
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
        reason = "is not a number";
        return std::nullopt;
      }
      reason = "is beyond the integers a real field holds exactly";
      return std::nullopt;
    case FieldType::text:
      if (auto* s = std::get_if<std::string>(&v)) return *s;
      return to_display_string(v);
    case FieldType::date:
    case FieldType::datetime: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s) {
        reason = "is a number, not a date";
        return std::nullopt;
      }
      const std::string t = trim(*s);
      if (t.empty()) return Value{};
      auto parts = parse_datetime(t);
      if (!parts) {
        reason = field.type == FieldType::date ? "is not a date (YYYY-MM-DD)"
                                               : "is not a date-time (YYYY-MM-DDTHH:MM:SS)";
        return std::nullopt;
      }
      if (field.type == FieldType::datetime) return join(*parts);
      if (parts->time.empty()) return parts->day;
      if (parts->time == "00:00:00" && parts->zone.empty()) return parts->day;
      reason = "has a time of day (" + parts->time + parts->zone +
               ") that a date field cannot hold (make the field a datetime in layers/)";
      return std::nullopt;
    }
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
    case FieldType::date:
    case FieldType::datetime: {
      const auto* s = std::get_if<std::string>(&v);
      if (!s) return where + "must be text";
      if (f.required && s->empty()) return where + "is required";
      if (f.type == FieldType::date && !is_iso_date(*s)) return where + "\"" + *s + "\" is not a date (YYYY-MM-DD)";
      if (f.type == FieldType::datetime && !is_iso_datetime(*s)) {
        return where + "\"" + *s + "\" is not a date-time (YYYY-MM-DDTHH:MM:SS)";
      }
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
