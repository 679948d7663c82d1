#pragma once
// A generated sample shared by the generator tests: three neighbouring villages (the default
// sample's shape) generated once per build of the test binary and shared by every process that
// binary runs (ctest runs each case as its own process, several at once), read back through the
// feature store.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

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

namespace detail {

// `<tmp>/<name>-<key>`, generated on first use by whichever process gets there first. Each process
// generates into a directory of its own and renames it into place: rename(2) of a directory onto
// a non-empty one fails, so the first rename wins, the losers discard their copy, and no reader
// ever sees a half-written store. `key` changes with every build of the test binary (its mtime),
// so a store left by an older generator is never reused; those older copies are removed.
inline std::filesystem::path shared_generated(const std::string& name, int villages, std::uint64_t seed) {
  const std::filesystem::path root = env_or_throw("MINQING_TEST_TMP");
  const auto built = static_cast<std::uint64_t>(
      std::filesystem::last_write_time("/proc/self/exe").time_since_epoch().count());
  const std::string prefix = name + "-";
  const auto dir = root / (prefix + std::to_string(built));
  const auto store = dir / "county.gpkg";
  if (std::filesystem::exists(dir)) return store;  // only ever present complete

  const auto mine = generate_into(name + "-building", villages, seed).parent_path();
  if (::rename(mine.c_str(), dir.c_str()) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) {
      throw std::runtime_error("cannot rename " + mine.string() + " to " + dir.string() + ": " +
                               std::strerror(errno));
    }
    std::filesystem::remove_all(mine);  // another process won the race: use its copy
  }
  std::error_code ec;  // tidy up copies of older builds; one being read elsewhere just stays
  for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
    const auto n = e.path().filename().string();
    if (n.rfind(prefix, 0) == 0 && e.path() != dir && n.find("-building-") == std::string::npos &&
        n.find_first_not_of("0123456789", prefix.size()) == std::string::npos) {
      std::filesystem::remove_all(e.path(), ec);
    }
  }
  return store;
}

}  // namespace detail

// Three villages, seed 20091: generated once, shared by all test processes of this build.
inline const std::filesystem::path& three_villages() {
  static const auto path = detail::shared_generated("generate-three-20091", 3, 20091);
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
