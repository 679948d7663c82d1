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
// Speed: features are grouped by village code per feature class once and regrouped only when
// the class's data version changes (an edit), so a township request reads its ~20 villages'
// features, never scans the county.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/scope.hpp"
#include "geo/geometry.hpp"
#include "geo/ground_measures.hpp"
#include "model/layer_catalog.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

// A place statistics are asked for: a village (12-digit code) or a township (9 digits, the first
// nine of its villages' codes).
struct Place {
  enum class Kind { village, township };
  Kind kind = Kind::village;
  std::string code;

  // Whether a feature with village code `village_code` belongs to the place.
  bool contains(std::string_view village_code) const noexcept;
  // "village" / "township".
  std::string_view kind_name() const noexcept;
};

// Whether `place` lies in the caller's area, decided from the codes alone (never from the data,
// so that a refusal does not confirm whether the place exists): a village — Scope::in_area; a
// township — a county scope, or a township scope of that township. A village or grid scope may
// never ask for a township.
bool place_in_area(const access::Scope& scope, const Place& place);

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

  // Groups every class now (otherwise the first request does it).
  void warm_up() const;

  // Whether any village of the villages class belongs to `place` (does not look at the scope:
  // call it after place_in_area).
  bool place_exists(const Place& place) const;

  // The statistics of `place` for the maps `maps` (names of maps the caller may see, in the order
  // wanted), as `scope` sees them:
  //   {"place": {...}, "maps": {"<map>": {"title": …, "<table>": {...}, …}, …}, "notes": [...]}
  // Tables: {"title", "class", "field", "total", "rows": [{"value", "title"?, "count", sums…}]}.
  // @pre place_in_area(scope, place) and every map of `maps` is visible to `scope`.
  // @throws DataError when GEOS refuses a stored geometry.
  nlohmann::json compute(const access::Scope& scope, const Place& place, const std::vector<std::string>& maps) const;

 private:
  // Features of one class by village code, valid for one data version.
  struct Grouping {
    std::uint64_t version = 0;
    std::map<std::string, std::vector<store::ServedFeaturePtr>, std::less<>> by_village;
  };
  std::shared_ptr<const Grouping> grouping(const std::string& class_name) const;
  // The features of `class_name` whose village belongs to `place`, in village-code order.
  std::vector<store::ServedFeaturePtr> features(const std::string& class_name, const Place& place) const;

  const model::LayerCatalog& m_catalog;
  const store::ServingIndex& m_index;
  mutable std::mutex m_mutex;
  mutable std::map<std::string, std::shared_ptr<const Grouping>, std::less<>> m_groupings;

  friend class StatisticsBuilder;
};

}  // namespace minqing::query
