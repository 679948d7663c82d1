#pragma once
// A field mapping (`minqing import --map-fields mapping.json`) for source files whose layer,
// field or value names differ from layers/: which class a source layer goes into, which field
// each source field fills, and which allowed value each source value stands for.
//
//   { "layers": { "DLXX": { "class": "roads",
//                           "fields": { "DLMC": "name", "DJ": "class", "KD": "width_m" },
//                           "values": { "class": { "县道": "county", "乡道": "township" } } } } }
//
// Names of source layers and fields match case-insensitively. Immutable once loaded.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "model/layer_catalog.hpp"

namespace minqing::model {

struct LayerMapping {
  std::string class_name;                                     // target feature class
  std::map<std::string, std::string> fields;                  // source field (lower case) → field
  std::map<std::string, std::map<std::string, std::string>> values;  // field → source value → value
};

class FieldMapping {
 public:
  // Reads and checks a mapping file against `catalog`: every class, field and mapped value must
  // exist there (a value must be one of the field's allowed values when it has any).
  // @throws ConfigError naming the file and the offending key.
  static FieldMapping load(const std::filesystem::path& path, const LayerCatalog& catalog);

  // The mapping of source layer `layer_name` (any case), or nullptr when the file names none.
  const LayerMapping* layer(const std::string& layer_name) const;

 private:
  std::map<std::string, LayerMapping> m_layers;  // by lower-case source layer name
};

std::string ascii_lower(std::string s);

}  // namespace minqing::model
