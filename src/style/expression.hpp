#pragma once
// Expressions of the style files — the subset of MapLibre GL expressions listed in
// styles/README.md — compiled once at load against a feature class, evaluated per tile or feature.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "geo/geometry.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "style/color.hpp"

namespace minqing::style {

// The static type of an expression's result. `value` is "any of the others" (e.g. a `get`
// whose field type says nothing more, or a comparison operand).
enum class Type { null, boolean, number, string, color, number_array, value };

std::string to_string(Type t);

// A runtime value. Null is what `get` yields for a null attribute.
using Value = std::variant<std::monostate, bool, double, std::string, Color, std::vector<double>>;

// What an expression reads at evaluation time. `feature` may be null for expressions that do not
// depend on the feature (checked at compile time).
struct EvalContext {
  double zoom = 0;
  const model::Feature* feature = nullptr;
  geo::GeometryKind geometry = geo::GeometryKind::point;
};

// Where an expression sits and what it may read, for compile-time checks and messages.
struct CompileContext {
  std::string where;                           // "styles/terrain.json: layer \"roads\": line-color"
  const model::FeatureClassDef* cls = nullptr;  // null: `get`/`has` are errors (no features)
};

struct ExpressionNode;

// An immutable compiled expression; cheap to copy (shares its tree) and safe to evaluate from
// many threads at once.
class Expression {
 public:
  // Compiles `json` expecting a result of type `expected` (`value`: anything). Literal strings
  // in a colour context are parsed as colours; a JSON array of numbers in a `number_array`
  // context is a literal. Expressions that depend on neither zoom nor feature are folded to a
  // constant here.
  // @throws ConfigError starting with ctx.where, for unknown operators, wrong arity, wrong
  //   types, unknown or personal fields, match labels that are not values of an enumerated
  //   field, unsorted stops, bad colours.
  static Expression compile(const nlohmann::json& json, Type expected, const CompileContext& ctx);
  static Expression constant(Value v);

  Value evaluate(const EvalContext& ctx) const;

  Type type() const noexcept;
  bool is_constant() const noexcept { return !m_zoom && !m_feature; }
  bool depends_on_zoom() const noexcept { return m_zoom; }
  bool depends_on_feature() const noexcept { return m_feature; }

 private:
  std::shared_ptr<const ExpressionNode> m_root;
  bool m_zoom = false;
  bool m_feature = false;
};

// Conversions used by properties: nullopt when `v` does not hold the wanted type.
std::optional<double> as_number(const Value& v);
std::optional<bool> as_boolean(const Value& v);
std::optional<Color> as_color(const Value& v);
std::optional<std::vector<double>> as_number_array(const Value& v);
// Any scalar as text (numbers without trailing zeros, null as ""); what `to-string` does.
std::string as_text(const Value& v);

}  // namespace minqing::style
