#pragma once
// The compiled form of a style expression: a tree of operator nodes, built by
// style/expression_compiler.cpp and evaluated by style/expression_eval.cpp. Internal to style/:
// other modules use style/expression.hpp.

#include <vector>

#include "style/expression.hpp"

namespace minqing::style {

enum class Op {
  literal, get, has, zoom, geometry_type,
  eq, ne, lt, le, gt, ge, not_, all, any,
  match, case_, coalesce, interpolate, step, in,
  concat, to_string, to_number, to_boolean,
  add, sub, mul, div, mod, min, max, pow, round,
};

struct ExpressionNode {
  Op op = Op::literal;
  Type type = Type::value;
  Value constant;                        // literal
  int field = -1;                        // get / has
  double base = 1;                       // interpolate: 1 = linear
  std::vector<ExpressionNode> args;      // operands; match: [input, out..., fallback]
  std::vector<double> stops;             // interpolate / step
  std::vector<std::vector<Value>> labels;  // match: labels of output i; in: [haystack]
};

// The value of the compiled node `n` for `ctx`. Thread-safe (reads only).
Value evaluate_node(const ExpressionNode& n, const EvalContext& ctx);

}  // namespace minqing::style
