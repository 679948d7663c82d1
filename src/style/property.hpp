#pragma once
// A style property: a constant, or an expression of zoom and/or feature attributes, with the
// specification's default used whenever an evaluation yields null or a value of the wrong type.

#include <optional>
#include <string>
#include <vector>

#include "style/expression.hpp"

namespace minqing::style {

template <class T>
std::optional<T> convert_value(const Value& v);
template <>
inline std::optional<double> convert_value<double>(const Value& v) { return as_number(v); }
template <>
inline std::optional<bool> convert_value<bool>(const Value& v) { return as_boolean(v); }
template <>
inline std::optional<Color> convert_value<Color>(const Value& v) { return as_color(v); }
template <>
inline std::optional<std::vector<double>> convert_value<std::vector<double>>(const Value& v) {
  return as_number_array(v);
}
template <>
inline std::optional<std::string> convert_value<std::string>(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  return as_text(v);
}

// Immutable after load; safe to evaluate from many threads.
template <class T>
class Property {
 public:
  Property() = default;
  explicit Property(T default_value) : m_constant(std::move(default_value)) {}

  // Sets the property from a compiled expression; constants are converted once here.
  void set(const Expression& e) {
    if (e.is_constant()) {
      if (auto v = convert_value<T>(e.evaluate(EvalContext{}))) m_constant = std::move(*v);
      m_expr.reset();
    } else {
      m_default = m_constant;
      m_expr = e;
    }
  }

  bool is_constant() const noexcept { return !m_expr; }
  bool depends_on_feature() const noexcept { return m_expr && m_expr->depends_on_feature(); }
  const T& constant() const noexcept { return m_constant; }

  T evaluate(const EvalContext& ctx) const {
    if (!m_expr) return m_constant;
    if (auto v = convert_value<T>(m_expr->evaluate(ctx))) return std::move(*v);
    return m_default;
  }

  // A copy with zoom fixed: feature-independent expressions become constants. Per tile, so that
  // per-feature work only evaluates what really varies by feature.
  Property at_zoom(double zoom) const {
    if (!m_expr || m_expr->depends_on_feature()) return *this;
    Property p(m_default);
    p.m_constant = evaluate(EvalContext{zoom, nullptr, geo::GeometryKind::point});
    return p;
  }

 private:
  T m_constant{};
  T m_default{};
  std::optional<Expression> m_expr;
};

}  // namespace minqing::style
