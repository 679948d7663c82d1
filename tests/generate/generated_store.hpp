#pragma once
// A generated sample shared by the generator tests: three neighbouring villages (the default
// sample's shape) generated once per test run into the scratch directory, read back through the
// feature store.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include "generate/county_generator.hpp"
#include "model/feature.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"
#include "support/test_env.hpp"

namespace minqing::test {

inline const model::LayerCatalog& generator_catalog() {
  static const auto c = model::LayerCatalog::load_directory(layers_dir());
  return c;
}

inline std::filesystem::path generate_into(const std::string& dir_name, int villages, std::uint64_t seed) {
  const auto dir = scratch_dir(dir_name);
  generate::GenerateOptions o;
  o.villages = villages;
  o.seed = seed;
  o.out = dir / "county.gpkg";
  generate::generate_county(o, generator_catalog());
  return o.out;
}

// Three villages, seed 20091, generated on first use — per process, since CTest runs each test
// case as its own process, several at once.
inline const std::filesystem::path& three_villages() {
  static const auto path = generate_into("generate-three-" + std::to_string(::getpid()), 3, 20091);
  return path;
}

inline std::vector<model::Feature> read_all(const std::filesystem::path& gpkg, const std::string& cls) {
  auto store = store::FeatureStore::open(gpkg.string(), generator_catalog(), store::FeatureStore::Mode::read_only);
  std::vector<model::Feature> out;
  store.for_each(cls, [&](model::Feature& f) { out.push_back(f); });
  return out;
}

inline std::string text_of(const model::Feature& f, const std::string& cls, const std::string& field) {
  const auto* def = generator_catalog().find_class(cls);
  const auto& v = f.values.at(static_cast<std::size_t>(def->field_index(field)));
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

inline std::int64_t int_of(const model::Feature& f, const std::string& cls, const std::string& field) {
  const auto* def = generator_catalog().find_class(cls);
  const auto& v = f.values.at(static_cast<std::size_t>(def->field_index(field)));
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  return -1;
}

inline std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace minqing::test
