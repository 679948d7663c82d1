// Evaluation of compiled style expressions, and the value conversions properties use
// (compilation: style/expression_compiler.cpp).
#include "style/expression.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "style/expression_node.hpp"

namespace minqing::style {

std::optional<double> as_number(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}
std::optional<bool> as_boolean(const Value& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return std::nullopt;
}
std::optional<Color> as_color(const Value& v) {
  if (const auto* c = std::get_if<Color>(&v)) return *c;
  if (const auto* s = std::get_if<std::string>(&v)) return parse_color(*s);
  return std::nullopt;
}
std::optional<std::vector<double>> as_number_array(const Value& v) {
  if (const auto* a = std::get_if<std::vector<double>>(&v)) return *a;
  return std::nullopt;
}

std::string as_text(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "";
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* c = std::get_if<Color>(&v)) return to_string(*c);
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::isfinite(*d) && std::floor(*d) == *d && std::fabs(*d) < 1e15) {
      return std::to_string(static_cast<long long>(*d));
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", *d);
    return buf;
  }
  std::string out;
  for (double x : std::get<std::vector<double>>(v)) {
    if (!out.empty()) out += ",";
    out += as_text(Value{x});
  }
  return out;
}

namespace {

Value from_model(const model::Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return std::monostate{};
}

bool values_equal(const Value& a, const Value& b) { return a == b; }

// Compares two numbers or two strings; nullopt when they are not comparable.
std::optional<int> compare(const Value& a, const Value& b) {
  if (const auto* x = std::get_if<double>(&a)) {
    if (const auto* y = std::get_if<double>(&b)) return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  if (const auto* x = std::get_if<std::string>(&a)) {
    if (const auto* y = std::get_if<std::string>(&b)) return x->compare(*y) < 0 ? -1 : (*x == *y ? 0 : 1);
  }
  return std::nullopt;
}

Value interpolate_values(const Value& a, const Value& b, double t) {
  if (const auto* x = std::get_if<double>(&a)) {
    if (const auto* y = std::get_if<double>(&b)) return *x + (*y - *x) * t;
  }
  if (auto ca = as_color(a)) {
    if (auto cb = as_color(b)) return mix(*ca, *cb, t);
  }
  if (const auto* x = std::get_if<std::vector<double>>(&a)) {
    if (const auto* y = std::get_if<std::vector<double>>(&b); y && y->size() == x->size()) {
      std::vector<double> out(x->size());
      for (std::size_t i = 0; i < x->size(); ++i) out[i] = (*x)[i] + ((*y)[i] - (*x)[i]) * t;
      return out;
    }
  }
  return t < 0.5 ? a : b;
}

}  // namespace

Value evaluate_node(const ExpressionNode& n, const EvalContext& ctx) {
  switch (n.op) {
    case Op::literal: return n.constant;
    case Op::get: {
      if (!ctx.feature || n.field < 0 || static_cast<std::size_t>(n.field) >= ctx.feature->values.size()) return {};
      return from_model(ctx.feature->values[static_cast<std::size_t>(n.field)]);
    }
    case Op::has: {
      if (!ctx.feature || n.field < 0 || static_cast<std::size_t>(n.field) >= ctx.feature->values.size()) return false;
      return !model::is_null(ctx.feature->values[static_cast<std::size_t>(n.field)]);
    }
    case Op::zoom: return ctx.zoom;
    case Op::geometry_type:
      switch (ctx.geometry) {
        case geo::GeometryKind::point: return std::string("Point");
        case geo::GeometryKind::line: return std::string("LineString");
        case geo::GeometryKind::polygon: return std::string("Polygon");
      }
      return {};
    case Op::eq: return values_equal(evaluate_node(n.args[0], ctx), evaluate_node(n.args[1], ctx));
    case Op::ne: return !values_equal(evaluate_node(n.args[0], ctx), evaluate_node(n.args[1], ctx));
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge: {
      const auto c = compare(evaluate_node(n.args[0], ctx), evaluate_node(n.args[1], ctx));
      if (!c) return false;
      switch (n.op) {
        case Op::lt: return *c < 0;
        case Op::le: return *c <= 0;
        case Op::gt: return *c > 0;
        default: return *c >= 0;
      }
    }
    case Op::not_: return !as_boolean(evaluate_node(n.args[0], ctx)).value_or(false);
    case Op::all:
      for (const auto& a : n.args) {
        if (!as_boolean(evaluate_node(a, ctx)).value_or(false)) return false;
      }
      return true;
    case Op::any:
      for (const auto& a : n.args) {
        if (as_boolean(evaluate_node(a, ctx)).value_or(false)) return true;
      }
      return false;
    case Op::match: {
      const Value input = evaluate_node(n.args[0], ctx);
      for (std::size_t i = 0; i < n.labels.size(); ++i) {
        for (const auto& label : n.labels[i]) {
          if (values_equal(label, input)) return evaluate_node(n.args[i + 1], ctx);
        }
      }
      return evaluate_node(n.args.back(), ctx);
    }
    case Op::case_:
      for (std::size_t i = 0; i + 1 < n.args.size(); i += 2) {
        if (as_boolean(evaluate_node(n.args[i], ctx)).value_or(false)) return evaluate_node(n.args[i + 1], ctx);
      }
      return evaluate_node(n.args.back(), ctx);
    case Op::coalesce:
      for (const auto& a : n.args) {
        Value v = evaluate_node(a, ctx);
        if (!std::holds_alternative<std::monostate>(v)) return v;
      }
      return {};
    case Op::interpolate: {
      const auto x = as_number(evaluate_node(n.args[0], ctx));
      if (!x) return {};
      const auto& s = n.stops;
      if (*x <= s.front()) return evaluate_node(n.args[1], ctx);
      if (*x >= s.back()) return evaluate_node(n.args.back(), ctx);
      std::size_t i = 1;
      while (i < s.size() && s[i] < *x) ++i;
      const double lo = s[i - 1], hi = s[i];
      double t = 0;
      if (n.base == 1) {
        t = (*x - lo) / (hi - lo);
      } else {
        t = (std::pow(n.base, *x - lo) - 1) / (std::pow(n.base, hi - lo) - 1);
      }
      return interpolate_values(evaluate_node(n.args[i], ctx), evaluate_node(n.args[i + 1], ctx), t);
    }
    case Op::step: {
      const auto x = as_number(evaluate_node(n.args[0], ctx));
      if (!x) return evaluate_node(n.args[1], ctx);
      std::size_t chosen = 1;
      for (std::size_t i = 0; i < n.stops.size(); ++i) {
        if (*x >= n.stops[i]) chosen = i + 2;
      }
      return evaluate_node(n.args[chosen], ctx);
    }
    case Op::in: {
      const Value needle = evaluate_node(n.args[0], ctx);
      for (const auto& v : n.labels[0]) {
        if (values_equal(v, needle)) return true;
      }
      return false;
    }
    case Op::concat: {
      std::string out;
      for (const auto& a : n.args) out += as_text(evaluate_node(a, ctx));
      return out;
    }
    case Op::to_string: return as_text(evaluate_node(n.args[0], ctx));
    case Op::to_number: {
      const Value v = evaluate_node(n.args[0], ctx);
      if (const auto* d = std::get_if<double>(&v)) return *d;
      if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
      if (const auto* s = std::get_if<std::string>(&v)) {
        char* end = nullptr;
        const double d = std::strtod(s->c_str(), &end);
        if (!s->empty() && end == s->c_str() + s->size()) return d;
      }
      return n.args.size() > 1 ? evaluate_node(n.args[1], ctx) : Value{};
    }
    case Op::to_boolean: {
      const Value v = evaluate_node(n.args[0], ctx);
      if (std::holds_alternative<std::monostate>(v)) return false;
      if (const auto* b = std::get_if<bool>(&v)) return *b;
      if (const auto* d = std::get_if<double>(&v)) return *d != 0 && !std::isnan(*d);
      if (const auto* s = std::get_if<std::string>(&v)) return !s->empty();
      return true;
    }
    case Op::add:
    case Op::mul:
    case Op::min:
    case Op::max: {
      double acc = n.op == Op::mul ? 1 : 0;
      bool first = true;
      for (const auto& a : n.args) {
        const auto x = as_number(evaluate_node(a, ctx));
        if (!x) return {};
        if (n.op == Op::add) acc += *x;
        else if (n.op == Op::mul) acc *= *x;
        else if (first) acc = *x;
        else acc = n.op == Op::min ? std::min(acc, *x) : std::max(acc, *x);
        first = false;
      }
      return acc;
    }
    case Op::round: {
      const auto x = as_number(evaluate_node(n.args[0], ctx));
      if (!x) return {};
      return std::round(*x);
    }
    case Op::sub:
    case Op::div:
    case Op::mod:
    case Op::pow: {
      const auto a = as_number(evaluate_node(n.args[0], ctx));
      if (!a) return {};
      if (n.args.size() == 1) return n.op == Op::sub ? Value{-*a} : Value{};
      const auto b = as_number(evaluate_node(n.args[1], ctx));
      if (!b) return {};
      switch (n.op) {
        case Op::sub: return *a - *b;
        case Op::div: return *a / *b;
        case Op::mod: return std::fmod(*a, *b);
        default: return std::pow(*a, *b);
      }
    }
  }
  return {};
}

Expression Expression::constant(Value v) {
  Expression e;
  auto n = std::make_shared<ExpressionNode>();
  n->op = Op::literal;
  n->constant = std::move(v);
  e.m_root = std::move(n);
  return e;
}

Value Expression::evaluate(const EvalContext& ctx) const { return evaluate_node(*m_root, ctx); }

Type Expression::type() const noexcept { return m_root->type; }

}  // namespace minqing::style
