#pragma once
// An attribute value: null, integer, real or text. Dates are text in ISO form (YYYY-MM-DD).

#include <cstdint>
#include <string>
#include <variant>

namespace minqing::model {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

inline bool is_null(const Value& v) noexcept { return std::holds_alternative<std::monostate>(v); }

// A value as a user would read it: "" for null, integers without a decimal point.
std::string to_display_string(const Value& v);

}  // namespace minqing::model
