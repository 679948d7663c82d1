#pragma once
// The layer definitions of layers/*.json: the six maps, their feature classes, fields and which
// fields are personal data. Nothing about a layer's fields is hard-coded elsewhere in C++.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/geometry.hpp"
#include "model/value.hpp"

namespace minqing::model {

// date: "YYYY-MM-DD"; datetime: "YYYY-MM-DDTHH:MM:SS[.sss][Z|±HH:MM]" or a date alone (a day
// whose time was never recorded), as GIS tools write timestamps (GeoPackage DATETIME, OGR DateTime).
enum class FieldType { integer, real, text, date, datetime };

std::string_view to_string(FieldType t) noexcept;

struct Title {
  std::string zh;
  std::string en;
};

// A field whose value the server derives from another feature class when it loads the store,
// instead of trusting a stored value (layers/README.md "Derived fields"):
//   copy:  the value of `field` of the `from` feature whose `by` field equals this feature's `by`
//          field (the grid of an assisted household is its household's grid);
//   count: how many `from` features have this feature's `by` value and, when `where_field` is set,
//          one of `where_values` in it (a household's members who need help to evacuate).
struct Derivation {
  enum class Kind { copy, count };
  Kind kind = Kind::copy;
  std::string from;   // the other feature class
  std::string field;  // copy: the field of `from` copied
  std::string by;     // the join key, a field of both classes
  std::string where_field;
  std::vector<std::string> where_values;
};

struct FieldDef {
  std::string name;
  FieldType type = FieldType::text;
  std::string title;                // Chinese caption shown to users
  bool required = false;            // null is refused
  bool personal = false;            // personal data (DOMAIN.md "Personal data")
  std::vector<std::string> values;  // allowed text values; empty means any
  // The Chinese title of each of `values` ("tea" → "茶园"), for people: legends, popups, statistics.
  // Either empty or one title for every value. The API keeps the codes and adds these titles.
  std::map<std::string, std::string, std::less<>> value_titles;
  std::optional<double> min;        // numeric bounds, inclusive
  std::optional<double> max;
  std::string pattern;              // ECMAScript regex a text value must match in full; empty: any
  bool search = false;              // text field indexed for GET /api/search (query/search_index.hpp)
  std::optional<Derivation> derived;  // set: derived at load, not read from the store

  // The Chinese title of `value` of this field, or `value` itself when it has none.
  std::string_view value_title(std::string_view value) const noexcept;
};

struct FeatureClassDef {
  std::string name;  // unique across all maps; the store's table name
  std::string map;   // the map it belongs to
  Title title;
  geo::GeometryKind geometry = geo::GeometryKind::point;
  std::string id_field;     // the feature's business key, or empty (then the store's fid)
  std::string village_key;  // the field holding the 12-digit village code
  std::vector<FieldDef> fields;

  // Index of the field named `name`, or -1.
  int field_index(std::string_view field_name) const noexcept;
  const FieldDef* field(std::string_view field_name) const noexcept;
};

struct MapDef {
  std::string name;
  Title title;
  bool confidential = false;  // the whole map is visible only to roles granted it
  bool relief = false;        // drawn over the village DEM hillshade
  std::vector<std::string> classes;  // feature class names, in drawing order
};

// All map and feature class definitions. Immutable once loaded; safe to share between threads.
class LayerCatalog {
 public:
  // Reads every *.json in `dir` (one map per file), in file name order.
  // @throws ConfigError naming the file and the offending key on any malformed or unknown content.
  static LayerCatalog load_directory(const std::filesystem::path& dir);

  // The layers/ directory of the source tree, or $MINQING_LAYERS when set.
  static std::filesystem::path default_directory();

  const std::vector<MapDef>& maps() const noexcept { return m_maps; }
  const std::vector<FeatureClassDef>& classes() const noexcept { return m_classes; }
  const MapDef* find_map(std::string_view name) const noexcept;
  const FeatureClassDef* find_class(std::string_view name) const noexcept;

 private:
  // @throws ConfigError when a derived field names a class or field that does not exist.
  static void check_derivations(const LayerCatalog& catalog, const std::filesystem::path& dir);

  std::vector<MapDef> m_maps;
  std::vector<FeatureClassDef> m_classes;
};

}  // namespace minqing::model
