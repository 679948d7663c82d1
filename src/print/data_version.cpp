#include "print/data_version.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "model/value.hpp"

namespace minqing::print {

namespace {

class Fnv {
 public:
  void bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) {
      m_h ^= b[i];
      m_h *= 1099511628211ull;
    }
  }
  template <class T>
  void pod(const T& v) {
    bytes(&v, sizeof v);
  }
  void text(const std::string& s) {
    pod(s.size());
    bytes(s.data(), s.size());
  }
  std::uint64_t value() const noexcept { return m_h; }

 private:
  std::uint64_t m_h = 14695981039346656037ull;
};

}  // namespace

std::string data_version(const query::ScopedReader& reader, const model::LayerCatalog& catalog,
                         const std::vector<std::string>& maps, const geo::BBox& extent) {
  Fnv h;
  std::vector<store::ServedFeaturePtr> features;
  for (const auto& name : maps) {
    const model::MapDef* map = catalog.find_map(name);
    if (!map) continue;
    for (const auto& cls : map->classes) {
      if (!reader.view(cls)) continue;
      features.clear();
      reader.query(cls, extent, features);
      std::sort(features.begin(), features.end(), [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
      h.text(cls);
      for (const auto& f : features) {
        h.pod(f->feature.fid);
        for (const auto& v : f->feature.values) h.text(model::to_display_string(v));
        const auto& g = f->feature.geometry;
        h.pod(g.kind);
        h.bytes(g.coords.data(), g.coords.size() * sizeof(geo::Coord));
        h.bytes(g.part_ends.data(), g.part_ends.size() * sizeof(std::uint32_t));
      }
    }
  }
  const std::uint64_t v = h.value();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>((v >> 32) ^ (v & 0xffffffffu)));
  return buf;
}

}  // namespace minqing::print
