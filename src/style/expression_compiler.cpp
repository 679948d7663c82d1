// Compilation of style expressions: parsing the JSON, checking arity, types and fields, constant
// folding (evaluation: style/expression_eval.cpp).
#include "style/expression.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "style/expression_node.hpp"

namespace minqing::style {

using nlohmann::json;

std::string to_string(Type t) {
  switch (t) {
    case Type::null: return "null";
    case Type::boolean: return "boolean";
    case Type::number: return "number";
    case Type::string: return "string";
    case Type::color: return "color";
    case Type::number_array: return "array<number>";
    case Type::value: return "value";
  }
  return "?";
}

namespace {

// Compiles one node and tracks what it depends on.
class Compiler {
 public:
  explicit Compiler(const CompileContext& ctx) : m_ctx(ctx) {}

  bool zoom = false;
  bool feature = false;

  [[noreturn]] void fail(const std::string& what) const { throw ConfigError(m_ctx.where + ": " + what); }

  ExpressionNode compile(const json& j, Type expected) {
    ExpressionNode n = compile_any(j, expected);
    check_type(n, expected, j);
    return n;
  }

 private:
  const CompileContext& m_ctx;

  static ExpressionNode literal(Value v, Type t) {
    ExpressionNode n;
    n.op = Op::literal;
    n.type = t;
    n.constant = std::move(v);
    return n;
  }

  void check_type(ExpressionNode& n, Type expected, const json& j) const {
    if (expected == Type::value || n.type == expected || n.type == Type::value) return;
    if (n.type == Type::null) return;  // null yields the property's default at run time
    if (expected == Type::color && n.type == Type::string) {
      if (n.op == Op::literal) {
        const auto c = parse_color(std::get<std::string>(n.constant));
        if (!c) fail("bad colour " + j.dump());
        n = literal(*c, Type::color);
      } else {
        n.type = Type::color;  // parsed at run time; an unparsable result yields the default
      }
      return;
    }
    fail("expected " + to_string(expected) + " but " + j.dump() + " is " + to_string(n.type));
  }

  Value literal_value(const json& j) const {
    if (j.is_null()) return std::monostate{};
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) return j.get<std::string>();
    if (j.is_array()) {
      std::vector<double> v;
      for (const auto& x : j) {
        if (!x.is_number()) fail("only arrays of numbers are supported as literals, not " + j.dump());
        v.push_back(x.get<double>());
      }
      return v;
    }
    fail("objects are not supported as literals: " + j.dump());
  }

  static Type type_of(const Value& v) {
    switch (v.index()) {
      case 0: return Type::null;
      case 1: return Type::boolean;
      case 2: return Type::number;
      case 3: return Type::string;
      case 4: return Type::color;
      default: return Type::number_array;
    }
  }

  void arity(const json& j, std::size_t min, std::size_t max, const std::string& form) const {
    const std::size_t n = j.size() - 1;
    if (n < min || n > max) {
      fail("\"" + j[0].get<std::string>() + "\" expects " + form + ", got " + std::to_string(n) +
           " argument(s) in " + j.dump());
    }
  }

  const model::FieldDef* field_of(const json& j, int* index) {
    if (!j[1].is_string()) fail("\"" + j[0].get<std::string>() + "\" needs a field name string: " + j.dump());
    const std::string name = j[1].get<std::string>();
    if (!m_ctx.cls) fail("\"" + j[0].get<std::string>() + "\" is not allowed here (no features): " + j.dump());
    *index = m_ctx.cls->field_index(name);
    if (*index < 0) {
      std::string known;
      for (const auto& f : m_ctx.cls->fields) known += (known.empty() ? "" : ", ") + f.name;
      fail("unknown field \"" + name + "\" in " + j.dump() + " (class " + m_ctx.cls->name + " has " + known + ")");
    }
    const auto* f = &m_ctx.cls->fields[static_cast<std::size_t>(*index)];
    if (f->personal) {
      fail("field \"" + name + "\" of class " + m_ctx.cls->name +
           " is personal data and may not be used in a style (tiles would carry it unmasked)");
    }
    feature = true;
    return f;
  }

  // Checks that literal `v` compared with `other` is an allowed value when `other` reads an
  // enumerated text field: catches typos such as "forset" at load.
  void check_enum(const ExpressionNode& other, const Value& v, const json& where) const {
    if (other.op != Op::get || !m_ctx.cls) return;
    const auto& f = m_ctx.cls->fields[static_cast<std::size_t>(other.field)];
    if (f.values.empty()) return;
    const auto* s = std::get_if<std::string>(&v);
    if (!s) fail("field \"" + f.name + "\" is text; " + as_text(v) + " can never match in " + where.dump());
    if (std::find(f.values.begin(), f.values.end(), *s) == f.values.end()) {
      std::string known;
      for (const auto& x : f.values) known += (known.empty() ? "" : ", ") + x;
      fail("\"" + *s + "\" is not a value of " + m_ctx.cls->name + "." + f.name + " (" + known + ") in " +
           where.dump());
    }
  }

  std::vector<double> literal_stops(const json& j, std::size_t first, std::size_t stride) const {
    std::vector<double> stops;
    for (std::size_t i = first; i < j.size(); i += stride) {
      if (!j[i].is_number()) fail("stop inputs must be literal numbers: " + j.dump());
      const double s = j[i].get<double>();
      if (!stops.empty() && s <= stops.back()) fail("stop inputs must be strictly ascending: " + j.dump());
      stops.push_back(s);
    }
    return stops;
  }

  ExpressionNode compile_any(const json& j, Type expected) {
    if (!j.is_array()) {
      if (j.is_object()) fail("expected an expression or literal, got an object: " + j.dump());
      Value v = literal_value(j);
      return literal(v, type_of(v));
    }
    if (j.empty()) fail("empty array is not an expression");
    if (!j[0].is_string()) {
      if (expected == Type::number_array) {
        Value v = literal_value(j);
        return literal(v, Type::number_array);
      }
      fail("an expression starts with an operator name: " + j.dump());
    }
    const std::string op = j[0].get<std::string>();
    ExpressionNode n;
    if (op == "literal") {
      arity(j, 1, 1, "1 argument");
      Value v = literal_value(j[1]);
      return literal(v, type_of(v));
    }
    if (op == "get" || op == "has") {
      arity(j, 1, 1, "a field name");
      n.op = op == "get" ? Op::get : Op::has;
      const auto* f = field_of(j, &n.field);
      if (n.op == Op::has) n.type = Type::boolean;
      else n.type = (f->type == model::FieldType::integer || f->type == model::FieldType::real) ? Type::number : Type::string;
      return n;
    }
    if (op == "zoom") {
      arity(j, 0, 0, "no arguments");
      zoom = true;
      n.op = Op::zoom;
      n.type = Type::number;
      return n;
    }
    if (op == "geometry-type") {
      arity(j, 0, 0, "no arguments");
      feature = true;
      n.op = Op::geometry_type;
      n.type = Type::string;
      return n;
    }
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      arity(j, 2, 2, "2 arguments");
      n.op = op == "==" ? Op::eq : op == "!=" ? Op::ne : op == "<" ? Op::lt : op == "<=" ? Op::le : op == ">" ? Op::gt : Op::ge;
      n.type = Type::boolean;
      n.args.push_back(compile(j[1], Type::value));
      n.args.push_back(compile(j[2], Type::value));
      if (n.args[1].op == Op::literal) check_enum(n.args[0], n.args[1].constant, j);
      if (n.args[0].op == Op::literal) check_enum(n.args[1], n.args[0].constant, j);
      return n;
    }
    if (op == "!") {
      arity(j, 1, 1, "1 argument");
      n.op = Op::not_;
      n.type = Type::boolean;
      n.args.push_back(compile(j[1], Type::boolean));
      return n;
    }
    if (op == "all" || op == "any") {
      n.op = op == "all" ? Op::all : Op::any;
      n.type = Type::boolean;
      for (std::size_t i = 1; i < j.size(); ++i) n.args.push_back(compile(j[i], Type::boolean));
      return n;
    }
    if (op == "match") {
      if (j.size() < 5 || j.size() % 2 == 0) {
        fail("\"match\" expects an input, label/output pairs and a fallback (an odd number of at least 5 "
             "elements), got " + std::to_string(j.size()) + " in " + j.dump());
      }
      n.op = Op::match;
      n.args.push_back(compile(j[1], Type::value));
      for (std::size_t i = 2; i + 1 < j.size(); i += 2) {
        std::vector<Value> labels;
        auto add_label = [&](const json& l) {
          if (!l.is_string() && !l.is_number()) fail("match labels must be literal strings or numbers: " + l.dump());
          Value v = literal_value(l);
          check_enum(n.args[0], v, j);
          labels.push_back(std::move(v));
        };
        if (j[i].is_array()) {
          if (j[i].empty()) fail("empty match label array in " + j.dump());
          for (const auto& l : j[i]) add_label(l);
        } else {
          add_label(j[i]);
        }
        n.labels.push_back(std::move(labels));
        n.args.push_back(compile(j[i + 1], expected));
      }
      n.args.push_back(compile(j.back(), expected));
      n.type = unify(n.args, 1, expected);
      return n;
    }
    if (op == "case") {
      if (j.size() < 4 || j.size() % 2 != 0) {
        fail("\"case\" expects condition/output pairs and a fallback, got " + std::to_string(j.size() - 1) +
             " argument(s) in " + j.dump());
      }
      n.op = Op::case_;
      for (std::size_t i = 1; i + 1 < j.size(); i += 2) {
        n.args.push_back(compile(j[i], Type::boolean));
        n.args.push_back(compile(j[i + 1], expected));
      }
      n.args.push_back(compile(j.back(), expected));
      n.type = expected == Type::value ? Type::value : expected;
      return n;
    }
    if (op == "coalesce") {
      if (j.size() < 2) fail("\"coalesce\" expects at least 1 argument: " + j.dump());
      n.op = Op::coalesce;
      for (std::size_t i = 1; i < j.size(); ++i) n.args.push_back(compile(j[i], expected));
      n.type = unify(n.args, 0, expected);
      return n;
    }
    if (op == "interpolate") {
      if (j.size() < 5 || j.size() % 2 == 0) {
        fail("\"interpolate\" expects a type, an input and stop/output pairs, got " + std::to_string(j.size() - 1) +
             " argument(s) in " + j.dump());
      }
      if (expected != Type::number && expected != Type::color && expected != Type::number_array && expected != Type::value) {
        fail("\"interpolate\" cannot produce a " + to_string(expected));
      }
      const json& kind = j[1];
      n.op = Op::interpolate;
      if (kind == json::array({"linear"})) {
        n.base = 1;
      } else if (kind.is_array() && kind.size() == 2 && kind[0] == "exponential" && kind[1].is_number() &&
                 kind[1].get<double>() > 0) {
        n.base = kind[1].get<double>();
      } else {
        fail("interpolation type must be [\"linear\"] or [\"exponential\", base > 0], not " + kind.dump());
      }
      n.args.push_back(compile(j[2], Type::number));
      n.stops = literal_stops(j, 3, 2);
      for (std::size_t i = 4; i < j.size(); i += 2) n.args.push_back(compile(j[i], expected == Type::value ? Type::number : expected));
      n.type = expected == Type::value ? Type::number : expected;
      return n;
    }
    if (op == "step") {
      if (j.size() < 3 || j.size() % 2 == 0) {
        fail("\"step\" expects an input, a first output and stop/output pairs, got " + std::to_string(j.size() - 1) +
             " argument(s) in " + j.dump());
      }
      n.op = Op::step;
      n.args.push_back(compile(j[1], Type::number));
      n.args.push_back(compile(j[2], expected));
      n.stops = literal_stops(j, 3, 2);
      for (std::size_t i = 4; i < j.size(); i += 2) n.args.push_back(compile(j[i], expected));
      n.type = unify(n.args, 1, expected);
      return n;
    }
    if (op == "in") {
      arity(j, 2, 2, "a value and a [\"literal\", [...]] list");
      n.op = Op::in;
      n.type = Type::boolean;
      n.args.push_back(compile(j[1], Type::value));
      if (!j[2].is_array() || j[2].size() != 2 || j[2][0] != "literal" || !j[2][1].is_array()) {
        fail("\"in\" needs a [\"literal\", [...]] list as its second argument: " + j.dump());
      }
      std::vector<Value> hay;
      for (const auto& x : j[2][1]) {
        if (!x.is_string() && !x.is_number()) fail("\"in\" list items must be strings or numbers: " + j.dump());
        Value v = literal_value(x);
        check_enum(n.args[0], v, j);
        hay.push_back(std::move(v));
      }
      n.labels.push_back(std::move(hay));
      return n;
    }
    if (op == "concat") {
      if (j.size() < 2) fail("\"concat\" expects at least 1 argument: " + j.dump());
      n.op = Op::concat;
      n.type = Type::string;
      for (std::size_t i = 1; i < j.size(); ++i) n.args.push_back(compile(j[i], Type::value));
      return n;
    }
    if (op == "to-string" || op == "to-boolean") {
      arity(j, 1, 1, "1 argument");
      n.op = op == "to-string" ? Op::to_string : Op::to_boolean;
      n.type = op == "to-string" ? Type::string : Type::boolean;
      n.args.push_back(compile(j[1], Type::value));
      return n;
    }
    if (op == "to-number") {
      arity(j, 1, 2, "1 or 2 arguments");
      n.op = Op::to_number;
      n.type = Type::number;
      n.args.push_back(compile(j[1], Type::value));
      if (j.size() == 3) n.args.push_back(compile(j[2], Type::number));
      return n;
    }
    if (op == "+" || op == "*" || op == "min" || op == "max") {
      if (j.size() < 2) fail("\"" + op + "\" expects at least 1 argument: " + j.dump());
      n.op = op == "+" ? Op::add : op == "*" ? Op::mul : op == "min" ? Op::min : Op::max;
      n.type = Type::number;
      for (std::size_t i = 1; i < j.size(); ++i) n.args.push_back(compile(j[i], Type::number));
      return n;
    }
    if (op == "round") {  // nearest integer, halves away from zero (as MapLibre)
      arity(j, 1, 1, "1 argument");
      n.op = Op::round;
      n.type = Type::number;
      n.args.push_back(compile(j[1], Type::number));
      return n;
    }
    if (op == "-" || op == "/" || op == "%" || op == "^") {
      if (op == "-") arity(j, 1, 2, "1 or 2 arguments");
      else arity(j, 2, 2, "2 arguments");
      n.op = op == "-" ? Op::sub : op == "/" ? Op::div : op == "%" ? Op::mod : Op::pow;
      n.type = Type::number;
      for (std::size_t i = 1; i < j.size(); ++i) n.args.push_back(compile(j[i], Type::number));
      return n;
    }
    fail("unknown expression operator \"" + op + "\" in " + j.dump());
  }

  // The common type of outputs args[from..]: theirs when they agree, else the expected type.
  static Type unify(const std::vector<ExpressionNode>& args, std::size_t from, Type expected) {
    if (expected != Type::value) return expected;
    std::optional<Type> t;
    for (std::size_t i = from; i < args.size(); ++i) {
      if (args[i].type == Type::null) continue;
      if (!t) t = args[i].type;
      else if (*t != args[i].type) return Type::value;
    }
    return t.value_or(Type::null);
  }
};

}  // namespace

Expression Expression::compile(const json& j, Type expected, const CompileContext& ctx) {
  Compiler c(ctx);
  ExpressionNode root = c.compile(j, expected);
  Expression e;
  e.m_zoom = c.zoom;
  e.m_feature = c.feature;
  if (!e.m_zoom && !e.m_feature && root.op != Op::literal) {
    ExpressionNode folded;
    folded.op = Op::literal;
    folded.type = root.type;
    folded.constant = evaluate_node(root, EvalContext{});
    root = std::move(folded);
  }
  e.m_root = std::make_shared<const ExpressionNode>(std::move(root));
  return e;
}

}  // namespace minqing::style
