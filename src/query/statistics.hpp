#pragma once
// Classification statistics (分类统计) for one village or one township, as one caller sees them:
// counts and sums by category over every map the caller may see — households by employment,
// buildings by structure, use and age, land cover and parcel areas in mu, key persons by category,
// assisted households by type, hazard zones by risk with the households at risk (the surveyed
// field and a spatial join), shelter capacity against the population at risk.
//
// Rules every answer obeys (the same as every other read, query/class_view.hpp):
//   - only features the caller's view shows (ClassView::visible) are counted;
//   - a field is classified or summed only when it is not personal data and the caller reads it
//     (in full or masked); a field the policy hides is left out with a note, so that an answer
//     never says more than the caller's own features would;
//   - personal values are never output;
//   - categories are the field's enum (layers/*.json "values"), in enum order, zeros included; a
//     null value is counted in a last "unknown" row; a field without an enum (parcels.crop) lists
//     the values found.
//
// Areas and lengths are measured on the ground (the ellipsoid), not in Web Mercator: the index
// holds EPSG:3857, whose area element is cos²φ·(1−e²)/(1−e²sin²φ)² times the ellipsoid's at
// latitude φ (evaluated at each ring's centre); lengths scale per segment by the meridian and
// prime-vertical radii. tests/query/statistics_test.cpp compares this with PROJ (EPSG:4549) +
// GEOS.
//
// Speed: features are grouped by village code per feature class once, so a township request
// reads its ~20 villages' features, never scans the county. An edit (changed(), from
// Dataset::apply_committed) updates the grouping of the feature's old and new village only; a
// class whose data version moved without changed() is regrouped by the next request.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/scope.hpp"
#include "geo/geometry.hpp"
#include "geo/ground_measures.hpp"
#include "model/layer_catalog.hpp"
#include "query/place.hpp"
#include "store/served_feature.hpp"

namespace minqing::store {
class ServingIndex;
}

namespace minqing::query {

class ScopedReader;

// Ground area and length of EPSG:3857 geometries on the ellipsoid (geo/ground_measures.hpp).
using geo::ground_area_m2;
using geo::ground_length_m;

inline constexpr double kSquareMetresPerMu = 10000.0 / 15.0;  // 1 亩 = 666.67 m²

// The statistics engine over one serving index. Thread-safe: any number of concurrent compute()
// calls; the per-village grouping of a class is rebuilt by the first call that sees the class's
// data version change. Borrows `catalog` and `index`, which must outlive it.
class Statistics {
 public:
  Statistics(const model::LayerCatalog& catalog, const store::ServingIndex& index);
  ~Statistics();
  Statistics(const Statistics&) = delete;
  Statistics& operator=(const Statistics&) = delete;

  // Groups every class not grouped yet, class by class, until `stop` is requested (otherwise the
  // first request that reads a class groups it). Thread-safe with compute() and changed().
  void warm_up(std::stop_token stop = {}) const;

  // A feature of `class_name` changed in the index from `before` to `after` (served states; null
  // when inserted or deleted): updates the class's grouping in place of a regrouping. Call it once
  // per change, after the index holds it; one writer at a time.
  void changed(std::string_view class_name, const store::ServedFeaturePtr& before,
               const store::ServedFeaturePtr& after);

  // Whether any village of the villages class belongs to `place` (does not look at the scope:
  // call it after place_in_area).
  bool place_exists(const Place& place) const;

  // The statistics of `place` for the maps `maps` (maps the caller may count there, may_count_map,
  // in the order wanted), over the features `reader` gives its caller:
  //   {"place": {...}, "maps": {"<map>": {"title": …, "<table>": {...}, …}, …}, "notes": [...]}
  // Tables: {"title", "class", "field", "total", "rows": [{"value", "title"?, "count", sums…}]}.
  // @pre may_count_map(reader.scope(), place, m) for every map m of `maps`.
  // @throws DataError when GEOS refuses a stored geometry.
  nlohmann::json compute(const ScopedReader& reader, const Place& place, const std::vector<std::string>& maps) const;

 private:
  // Features of one class by village code, valid for one data version.
  struct Grouping {
    std::uint64_t version = 0;
    // Shared between groupings: an edit copies the map and the lists of the villages it touches.
    std::map<std::string, std::shared_ptr<const std::vector<store::ServedFeaturePtr>>, std::less<>> by_village;
  };
  std::shared_ptr<const Grouping> grouping(const std::string& class_name) const;
  // The features of `class_name` whose village belongs to `place`, in village-code order.
  std::vector<store::ServedFeaturePtr> features(const std::string& class_name, const Place& place) const;

  const model::LayerCatalog& m_catalog;
  const store::ServingIndex& m_index;
  mutable std::mutex m_mutex;
  // One grouping built at a time: a request that needs a class the warm-up is grouping waits for
  // it instead of grouping the class a second time.
  mutable std::mutex m_build_mutex;
  mutable std::map<std::string, std::shared_ptr<const Grouping>, std::less<>> m_groupings;

  friend class StatisticsBuilder;
};

// The statistics of `place` for `maps` as `reader`'s caller sees them, from the dataset's engine
// (Statistics::compute). @pre may_count_map(reader.scope(), place, m) for every map m of `maps`.
nlohmann::json statistics(const ScopedReader& reader, const Place& place, const std::vector<std::string>& maps);
// Whether any village of the store belongs to `place` (call it after the area checks: it does not
// look at the scope).
bool place_exists(const ScopedReader& reader, const Place& place);

}  // namespace minqing::query
