#include "query/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>
#include <variant>

#include "access/assignment.hpp"
#include "base/error.hpp"
#include "geo/prepared_geometry.hpp"
#include "query/class_view.hpp"
#include "query/dataset.hpp"
#include "query/scoped_reader.hpp"
#include "store/serving_index.hpp"

namespace minqing::query {

namespace {

using nlohmann::json;

}  // namespace

namespace {

// ---------------------------------------------------------------------------------------------
// Values.

std::string_view text_of(const store::ServedFeature& f, int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= f.feature.values.size()) return {};
  const auto* s = std::get_if<std::string>(&f.feature.values[static_cast<std::size_t>(index)]);
  return s ? std::string_view(*s) : std::string_view{};
}

std::optional<double> number_of(const store::ServedFeature& f, int index) {
  if (index < 0 || static_cast<std::size_t>(index) >= f.feature.values.size()) return std::nullopt;
  const model::Value& v = f.feature.values[static_cast<std::size_t>(index)];
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

double round_to(double v, int decimals) {
  const double p = std::pow(10.0, decimals);
  return std::round(v * p) / p;
}

json number_json(double v, int decimals) {
  if (decimals == 0) return static_cast<std::int64_t>(std::llround(v));
  return round_to(v, decimals);
}

// ---------------------------------------------------------------------------------------------
// Measures and tables.

// A quantity summed per category: a field of the class (nulls skipped) or a ground measure.
struct Measure {
  std::string name;
  int decimals = 0;
  std::function<std::optional<double>(const store::ServedFeature&)> of;
};

struct Row {
  json value;         // the category: a string, an integer, or null (unknown)
  std::string title;  // shown when not empty
  std::size_t count = 0;
  std::vector<double> sums;
  std::vector<bool> summed;  // whether any feature of the row gave the measure a value
};

// Categories of one field (or of a derived key), each with a count and the class's measures.
class Table {
 public:
  enum class Kind { enumerated, integer_range, year_buckets, open };

  Table(std::string name, std::string title, const model::FeatureClassDef& def, const model::FieldDef& field,
        int field_index, Kind kind, std::size_t measures)
      : m_name(std::move(name)), m_title(std::move(title)), m_class(def.name), m_field(field.name),
        m_index(field_index), m_kind(kind), m_measures(measures) {
    switch (kind) {
      case Kind::enumerated:
        // The Chinese title of each category, for the panel that shows it (layers/ value_titles).
        for (const auto& v : field.values) {
          add_row(v, field.value_titles.empty() ? std::string() : std::string(field.value_title(v)));
        }
        break;
      case Kind::integer_range:
        for (auto v = static_cast<std::int64_t>(*field.min); v <= static_cast<std::int64_t>(*field.max); ++v) {
          add_row(v, {});
        }
        break;
      case Kind::year_buckets:
        for (const auto& b : kYearBuckets) add_row(b.key, b.title);
        break;
      case Kind::open: break;
    }
    m_unknown.value = nullptr;
    m_unknown.title = "未填写";
    m_unknown.sums.assign(measures, 0);
    m_unknown.summed.assign(measures, false);
  }

  const std::string& name() const noexcept { return m_name; }

  void add(const store::ServedFeature& f, const std::vector<std::optional<double>>& values) {
    Row& r = row_for(f);
    ++r.count;
    ++m_total;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!values[i]) continue;
      r.sums[i] += *values[i];
      r.summed[i] = true;
    }
  }

  json to_json(const std::vector<Measure>& measures) const {
    std::vector<const Row*> rows;
    for (const auto& r : m_rows) rows.push_back(&r);
    if (m_kind == Kind::open) {
      // No enum to order by: the largest categories first, as a panel lists them.
      std::stable_sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) { return a->count > b->count; });
    }
    if (m_unknown.count > 0) rows.push_back(&m_unknown);
    json out = json::array();
    for (const Row* r : rows) {
      json row = {{"value", r->value}};
      if (!r->title.empty()) row["title"] = r->title;
      row["count"] = r->count;
      for (std::size_t i = 0; i < measures.size(); ++i) {
        row[measures[i].name] = r->summed[i] || r->count == 0 ? number_json(r->sums[i], measures[i].decimals) : json();
      }
      out.push_back(std::move(row));
    }
    return {{"title", m_title}, {"class", m_class}, {"field", m_field}, {"total", m_total}, {"rows", std::move(out)}};
  }

 private:
  struct YearBucket {
    const char* key;
    const char* title;
    std::int64_t last;  // the bucket holds years up to this one
  };
  static constexpr YearBucket kYearBuckets[] = {
      {"before_1980", "1980年以前", 1979},
      {"1980_1999", "1980–1999年", 1999},
      {"2000_2009", "2000–2009年", 2009},
      {"2010_later", "2010年及以后", std::numeric_limits<std::int64_t>::max()},
  };

  void add_row(json value, std::string title) {
    Row r;
    r.value = std::move(value);
    r.title = std::move(title);
    r.sums.assign(m_measures, 0);
    r.summed.assign(m_measures, false);
    m_rows.push_back(std::move(r));
  }

  Row& row_for(const store::ServedFeature& f) {
    const model::Value* v = static_cast<std::size_t>(m_index) < f.feature.values.size()
                                ? &f.feature.values[static_cast<std::size_t>(m_index)]
                                : nullptr;
    switch (m_kind) {
      case Kind::enumerated:
      case Kind::open:
        if (const auto* s = v ? std::get_if<std::string>(v) : nullptr) {
          for (auto& r : m_rows) {
            if (r.value == *s) return r;
          }
          // A value outside the enum (data older than the layer file) is still counted, after them.
          add_row(*s, {});
          return m_rows.back();
        }
        break;
      case Kind::integer_range:
        if (const auto* i = v ? std::get_if<std::int64_t>(v) : nullptr) {
          for (auto& r : m_rows) {
            if (r.value == *i) return r;
          }
          add_row(*i, {});
          return m_rows.back();
        }
        break;
      case Kind::year_buckets:
        if (const auto* i = v ? std::get_if<std::int64_t>(v) : nullptr) {
          for (std::size_t b = 0; b < std::size(kYearBuckets); ++b) {
            if (*i <= kYearBuckets[b].last) return m_rows[b];
          }
        }
        break;
    }
    return m_unknown;
  }

  std::string m_name;
  std::string m_title;
  std::string m_class;
  std::string m_field;
  int m_index = -1;
  Kind m_kind;
  std::size_t m_measures = 0;
  std::vector<Row> m_rows;
  Row m_unknown;
  std::size_t m_total = 0;
};

// Per-zone results of the spatial join (hazard zone ⋈ households, buildings).
struct ZoneJoin {
  std::size_t households = 0;
  std::size_t buildings = 0;
  double residents = 0;
};

// Notes in the order they were first written, each once.
class Notes {
 public:
  void add(std::string text) {
    if (m_seen.insert(text).second) m_list.push_back(std::move(text));
  }
  json to_json() const { return m_list; }

 private:
  std::vector<std::string> m_list;
  std::set<std::string> m_seen;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// One compute() call.

class StatisticsBuilder {
 public:
  StatisticsBuilder(const Statistics& stats, const ScopedReader& reader, const Place& place)
      : m_stats(stats), m_reader(reader), m_scope(reader.scope()), m_place(place) {}

  json run(const std::vector<std::string>& maps) {
    json out;
    out["place"] = place_json();
    json sections = json::object();
    for (const auto& name : maps) {
      const model::MapDef* map = m_stats.m_catalog.find_map(name);
      if (map) sections[map->name] = section(*map);
    }
    out["maps"] = std::move(sections);
    if (m_scope.area_kind() == access::AreaKind::grid) {
      m_notes.add("本账号只看本网格：农户等按网格登记的记录只统计本网格；房屋、土地覆盖等不分网格的记录统计网格所在的"
                  "整个村。");
    }
    m_notes.add("面积按 CGCS2000 椭球面上的实地面积计算，1 亩 = 666.67 平方米。承包地块的“面积（亩）”是登记的确权面积，"
                "“实测面积（亩）”由地块图形量算。");
    out["notes"] = m_notes.to_json();
    return out;
  }

 private:
  // The view of a class, or null when the caller does not see it.
  const ClassView* view(const std::string& cls) { return m_reader.view(cls); }

  // The features of `cls` in the place the caller sees, in the caller's form.
  const std::vector<store::ServedFeaturePtr>& visible(const std::string& cls) {
    auto it = m_visible.find(cls);
    if (it != m_visible.end()) return it->second;
    std::vector<store::ServedFeaturePtr> out;
    if (const ClassView* v = view(cls)) {
      for (auto& f : m_stats.features(cls, m_place)) {
        if (auto seen = m_reader.admit(*v, std::move(f))) out.push_back(std::move(seen));
      }
    }
    return m_visible.emplace(cls, std::move(out)).first->second;
  }

  // The index of `field` when the caller may classify or sum by it: it exists, is no personal
  // data, and the view shows it (in full or masked). Otherwise -1, with a note when the policy
  // hides it.
  int usable(const ClassView& v, std::string_view field) {
    const int i = v.def->field_index(field);
    if (i < 0) return -1;
    if (v.def->fields[static_cast<std::size_t>(i)].personal) return -1;
    if (!v.has_field(i)) {
      m_notes.add(v.def->title.zh + "的“" + v.def->fields[static_cast<std::size_t>(i)].title +
                  "”不对本账号显示，因此不按它分类或合计。");
      return -1;
    }
    return i;
  }

  json place_json() {
    json p;
    p[std::string(m_place.kind_name())] = m_place.code;
    const ClassView* v = view("villages");
    const int name = v ? usable(*v, "name") : -1;
    const int township = v ? usable(*v, "township") : -1;
    json villages = json::array();
    std::string township_name;
    for (const auto& f : v ? visible("villages") : std::vector<store::ServedFeaturePtr>{}) {
      const std::string_view code = text_of(*f, v->def->field_index(v->def->village_key));
      json entry = {{"village", std::string(code)}};
      if (name >= 0) entry["name"] = std::string(text_of(*f, name));
      if (township >= 0 && township_name.empty()) township_name = std::string(text_of(*f, township));
      villages.push_back(std::move(entry));
    }
    if (m_place.kind == Place::Kind::village) {
      if (!villages.empty() && villages[0].contains("name")) p["name"] = villages[0]["name"];
      p["township"] = m_place.code.substr(0, 9);
      if (!township_name.empty()) p["township_name"] = township_name;
    } else {
      if (!township_name.empty()) p["name"] = township_name;
      p["villages"] = std::move(villages);
    }
    return p;
  }

  // The measures summed for a class: its count-like fields and its ground size.
  std::vector<Measure> measures(const ClassView& v) {
    std::vector<Measure> out;
    auto field_sum = [&](const char* name, const char* field, int decimals) {
      const int i = usable(v, field);
      if (i < 0) return;
      out.push_back({name, decimals, [i](const store::ServedFeature& f) { return number_of(f, i); }});
    };
    const std::string& cls = v.def->name;
    if (cls == "villages") {
      field_sum("households", "households", 0);
      field_sum("population", "population", 0);
    } else if (cls == "households") {
      field_sum("residents", "members", 0);
      field_sum("migrant_members", "migrant_members", 0);
    } else if (cls == "parcels") {
      field_sum("area_mu", "area_mu", 2);
    } else if (cls == "enterprises") {
      field_sum("employees", "employees", 0);
    } else if (cls == "org_units") {
      field_sum("members", "members", 0);
    } else if (cls == "shelters") {
      field_sum("capacity", "capacity", 0);
    } else if (cls == "hazard_zones") {
      field_sum("households_at_risk", "households_at_risk", 0);
      if (view("households")) {
        out.push_back({"households_inside", 0, [this](const store::ServedFeature& f) -> std::optional<double> {
                         return static_cast<double>(m_joins[f.feature.fid].households);
                       }});
        if (m_residents_known) {
          out.push_back({"residents_inside", 0, [this](const store::ServedFeature& f) -> std::optional<double> {
                           return m_joins[f.feature.fid].residents;
                         }});
        }
      }
      if (view("buildings")) {
        out.push_back({"buildings_inside", 0, [this](const store::ServedFeature& f) -> std::optional<double> {
                         return static_cast<double>(m_joins[f.feature.fid].buildings);
                       }});
      }
    }
    switch (v.def->geometry) {
      case geo::GeometryKind::polygon:
        if (cls == "buildings") {
          out.push_back({"footprint_m2", 0, [](const store::ServedFeature& f) -> std::optional<double> {
                           return ground_area_m2(f.feature.geometry);
                         }});
        } else if (cls != "villages" && cls != "grids") {
          out.push_back({cls == "parcels" ? "measured_area_mu" : "area_mu", 2,
                         [](const store::ServedFeature& f) -> std::optional<double> {
                           return ground_area_m2(f.feature.geometry) / kSquareMetresPerMu;
                         }});
        }
        break;
      case geo::GeometryKind::line:
        if (cls == "roads" || cls == "rivers") {
          out.push_back({"length_km", 3, [](const store::ServedFeature& f) -> std::optional<double> {
                           return ground_length_m(f.feature.geometry) / 1000;
                         }});
        }
        break;
      case geo::GeometryKind::point: break;
    }
    return out;
  }

  // Tables of a class: one per enumerated field (and small integer range), plus the derived
  // ones — buildings by age, parcels by crop.
  std::vector<Table> tables(const ClassView& v, std::size_t measure_count) {
    std::vector<Table> out;
    const auto& def = *v.def;
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
      const auto& fd = def.fields[i];
      std::optional<Table::Kind> kind;
      if (!fd.values.empty()) kind = Table::Kind::enumerated;
      // Small integer scales (risk_level 1–3) are categories too.
      if (fd.type == model::FieldType::integer && fd.min && fd.max && *fd.max - *fd.min <= 9) {
        kind = Table::Kind::integer_range;
      }
      if (def.name == "buildings" && fd.name == "built_year") kind = Table::Kind::year_buckets;
      if (def.name == "parcels" && fd.name == "crop") kind = Table::Kind::open;
      if (!kind) continue;
      const int idx = usable(v, fd.name);
      if (idx < 0) continue;
      const bool age = *kind == Table::Kind::year_buckets;
      const std::string name = def.name + "_by_" + (age ? std::string("age") : fd.name);
      const std::string title = def.title.zh + " · " + (age ? std::string("建成年代") : fd.title);
      out.emplace_back(name, title, def, fd, idx, *kind, measure_count);
    }
    return out;
  }

  json section(const model::MapDef& map) {
    if (map.name == "disaster") join_hazard_zones();
    json s = {{"title", map.title.zh}};
    json totals = json::object();
    json all_tables = json::object();
    for (const auto& cls : map.classes) {
      const ClassView* v = view(cls);
      if (!v) continue;
      const std::vector<Measure> ms = measures(*v);
      std::vector<Table> ts = tables(*v, ms.size());
      std::vector<double> sums(ms.size(), 0);
      std::vector<bool> summed(ms.size(), false);
      std::vector<std::optional<double>> values(ms.size());
      const auto& features = visible(cls);
      for (const auto& f : features) {
        for (std::size_t i = 0; i < ms.size(); ++i) {
          values[i] = ms[i].of(*f);
          if (values[i]) {
            sums[i] += *values[i];
            summed[i] = true;
          }
        }
        for (auto& t : ts) t.add(*f, values);
      }
      json total = {{"title", v->def->title.zh}, {"count", features.size()}};
      for (std::size_t i = 0; i < ms.size(); ++i) {
        total[ms[i].name] = summed[i] || features.empty() ? number_json(sums[i], ms[i].decimals) : json();
      }
      totals[cls] = std::move(total);
      for (const auto& t : ts) all_tables[t.name()] = t.to_json(ms);
    }
    s["totals"] = std::move(totals);
    s["tables"] = std::move(all_tables);
    if (map.name == "disaster") evacuation(s);
    return s;
  }

  // Which visible households and buildings of the place lie in each visible hazard zone of the
  // place, by GEOS: a household (a point at the house) when the zone covers it, a building when
  // it intersects the zone (any part of a house on the slope is at risk).
  void join_hazard_zones() {
    if (m_joined) return;
    m_joined = true;
    const ClassView* zones = view("hazard_zones");
    if (!zones) return;
    const ClassView* households = view("households");
    const ClassView* buildings = view("buildings");
    const int members = households ? usable(*households, "members") : -1;
    m_residents_known = members >= 0;
    geo::GeosContext ctx;
    std::vector<store::ServedFeaturePtr> candidates;
    for (const auto& zone : visible("hazard_zones")) {
      ZoneJoin& j = m_joins[zone->feature.fid];
      geo::GeosGeometry zg = geo::to_geos(ctx, zone->feature.geometry);
      std::optional<geo::PreparedGeometry> prepared;
      try {
        prepared.emplace(ctx, std::move(zg));
      } catch (const DataError&) {
        throw DataError("hazard_zones feature " + std::to_string(zone->feature.fid) + ": GEOS cannot prepare it");
      }
      auto count_inside = [&](const ClassView& v, auto&& on_inside) {
        candidates.clear();
        m_reader.query(v.def->name, zone->bbox, candidates);
        const int vk = v.def->field_index(v.def->village_key);
        for (const auto& c : candidates) {
          if (!m_place.contains(text_of(*c, vk))) continue;
          const geo::GeosGeometry cg = geo::to_geos(ctx, c->feature.geometry);
          const std::optional<bool> r = prepared->relation(
              v.def->geometry == geo::GeometryKind::point ? geo::SpatialRelation::covers : geo::SpatialRelation::intersects,
              cg);
          if (!r) {
            throw DataError(v.def->name + " feature " + std::to_string(c->feature.fid) + ": GEOS: " + ctx.last_message());
          }
          if (*r) on_inside(*c);
        }
      };
      if (households) {
        count_inside(*households, [&](const store::ServedFeature& f) {
          ++j.households;
          const double n = number_of(f, members).value_or(0);
          j.residents += n;
          if (m_households_at_risk.insert(f.feature.fid).second) {
            m_residents_at_risk += n;
            if (m_residents_known && !number_of(f, members)) ++m_members_unknown;
          }
        });
      }
      if (buildings) count_inside(*buildings, [&](const store::ServedFeature&) { ++j.buildings; });
    }
  }

  // Shelter capacity against the population at risk, and the zones whose surveyed
  // households_at_risk differs from the households found inside them.
  void evacuation(json& s) {
    const ClassView* zones = view("hazard_zones");
    const ClassView* shelters = view("shelters");
    const ClassView* households = view("households");
    json e = json::object();
    if (shelters) {
      const int cap = usable(*shelters, "capacity");
      double capacity = 0;
      for (const auto& f : visible("shelters")) capacity += number_of(*f, cap).value_or(0);
      e["shelters"] = visible("shelters").size();
      e["shelter_capacity"] = cap >= 0 ? json(number_json(capacity, 0)) : json();
      m_capacity = cap >= 0 ? std::optional<double>(capacity) : std::nullopt;
    }
    if (zones) {
      e["hazard_zones"] = visible("hazard_zones").size();
      const int field = usable(*zones, "households_at_risk");
      double surveyed = 0;
      for (const auto& f : visible("hazard_zones")) surveyed += number_of(*f, field).value_or(0);
      e["households_at_risk_field"] = field >= 0 ? json(number_json(surveyed, 0)) : json();
      if (households) {
        e["households_in_zones"] = m_households_at_risk.size();
        e["population_at_risk"] = m_residents_known ? json(number_json(m_residents_at_risk, 0)) : json();
      } else {
        e["households_in_zones"] = nullptr;
        e["population_at_risk"] = nullptr;
        m_notes.add("本账号无权查看农户（产业发展图）：不统计隐患区内的户数和人口，安置容量无从比较；“受威胁户数”为"
                    "隐患区登记的调查数。");
      }
      disagreements(s, *zones, field);
    }
    if (m_capacity && households && m_residents_known) {
      e["capacity_per_person_at_risk"] =
          m_residents_at_risk > 0 ? json(round_to(*m_capacity / m_residents_at_risk, 2)) : json();
      e["shortfall"] = number_json(std::max(0.0, m_residents_at_risk - *m_capacity), 0);
      e["sufficient"] = *m_capacity >= m_residents_at_risk;
      m_notes.add("受威胁人口 = 本账号可见的、住房点位于至少一个隐患区内的农户的家庭人口之和（位于两个隐患区的农户只计"
                  "一次）；安置缺口 = 受威胁人口 − 避灾安置场所容纳人数，最小为 0。");
      if (m_members_unknown > 0) {
        m_notes.add("隐患区内有 " + std::to_string(m_members_unknown) + " 户未登记家庭人口，按 0 人计。");
      }
    }
    s["evacuation"] = std::move(e);
  }

  void disagreements(json& s, const ClassView& zones, int field) {
    if (field < 0 || !view("households")) return;
    const int id = zones.def->field_index(zones.def->id_field);
    const bool show_id = id >= 0 && zones.is_queryable(id);
    const int risk = usable(zones, "risk");
    json list = json::array();
    std::size_t differing = 0;
    std::size_t fewer = 0;
    for (const auto& z : visible("hazard_zones")) {
      const auto surveyed = number_of(*z, field);
      const ZoneJoin& j = m_joins[z->feature.fid];
      if (!surveyed || static_cast<std::size_t>(*surveyed) == j.households) continue;
      ++differing;
      if (static_cast<double>(j.households) < *surveyed) ++fewer;
      if (list.size() >= 100) continue;
      json item = json::object();
      if (show_id) item["zone_id"] = std::string(text_of(*z, id));
      if (risk >= 0) item["risk"] = std::string(text_of(*z, risk));
      item["households_at_risk"] = number_json(*surveyed, 0);
      item["households_inside"] = j.households;
      if (view("buildings")) item["buildings_inside"] = j.buildings;
      list.push_back(std::move(item));
    }
    s["zones_field_vs_spatial"] = {{"differing", differing}, {"zones", std::move(list)}};
    m_notes.add("隐患区的“受威胁户数”是调查登记数；“区内户数”“区内房屋”是按图形叠加找到的本地可见农户（住房点落在区内）"
                "和房屋（与区相交）。位于重叠隐患区的农户或房屋在每个区各计一次。");
    if (differing > 0) {
      m_notes.add(std::to_string(visible("hazard_zones").size()) + " 个隐患区中有 " + std::to_string(differing) +
                  " 个的登记受威胁户数与区内实际户数不一致（其中 " + std::to_string(fewer) +
                  " 个区内户数少于登记数——调查可能计入了坡下或滑移影响范围内、图斑以外的农户），请核对。");
    }
  }

  const Statistics& m_stats;
  const ScopedReader& m_reader;
  const access::Scope& m_scope;
  const Place& m_place;
  Notes m_notes;
  std::map<std::string, std::vector<store::ServedFeaturePtr>, std::less<>> m_visible;
  bool m_joined = false;
  bool m_residents_known = false;
  std::unordered_map<std::int64_t, ZoneJoin> m_joins;
  std::set<std::int64_t> m_households_at_risk;
  double m_residents_at_risk = 0;
  std::size_t m_members_unknown = 0;
  std::optional<double> m_capacity;
};

// ---------------------------------------------------------------------------------------------
// The engine.

Statistics::Statistics(const model::LayerCatalog& catalog, const store::ServingIndex& index)
    : m_catalog(catalog), m_index(index) {}

Statistics::~Statistics() = default;

void Statistics::warm_up(std::stop_token stop) const {
  for (const auto& def : m_catalog.classes()) {
    if (stop.stop_requested()) return;
    grouping(def.name);
  }
}

std::shared_ptr<const Statistics::Grouping> Statistics::grouping(const std::string& class_name) const {
  // Read the version before the features: an edit landing during the scan leaves a grouping
  // labelled older than its content, which the next call rebuilds — never a stale one kept.
  const auto current = [&](std::uint64_t version) -> std::shared_ptr<const Grouping> {
    std::lock_guard lock(m_mutex);
    auto it = m_groupings.find(class_name);
    return it != m_groupings.end() && it->second->version == version ? it->second : nullptr;
  };
  if (auto g = current(m_index.data_version(class_name))) return g;
  std::lock_guard build(m_build_mutex);
  const std::uint64_t version = m_index.data_version(class_name);
  if (auto g = current(version)) return g;  // grouped while this call waited
  auto g = std::make_shared<Grouping>();
  g->version = version;
  const model::FeatureClassDef* def = m_catalog.find_class(class_name);
  if (def && !def->village_key.empty()) {
    const int vk = def->field_index(def->village_key);
    std::vector<store::ServedFeaturePtr> all;
    constexpr double kBig = std::numeric_limits<double>::max();
    m_index.query(class_name, geo::BBox{-kBig, -kBig, kBig, kBig}, all);
    std::map<std::string, std::vector<store::ServedFeaturePtr>, std::less<>> lists;
    // The R-tree gives features place by place, so a village's features mostly come in runs: the
    // last village's list is tried before the map.
    auto it = lists.end();
    for (auto& f : all) {
      const std::string_view code = text_of(*f, vk);
      if (code.empty()) continue;  // belongs to no village, so to no place
      if (it == lists.end() || it->first != code) {
        it = lists.find(code);
        if (it == lists.end()) it = lists.emplace(std::string(code), std::vector<store::ServedFeaturePtr>{}).first;
      }
      it->second.push_back(std::move(f));
    }
    // fid order within a village: answers do not depend on the R-tree's layout.
    for (auto& [code, list] : lists) {
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });
      g->by_village.emplace(code, std::make_shared<const std::vector<store::ServedFeaturePtr>>(std::move(list)));
    }
  }
  std::lock_guard lock(m_mutex);
  auto& slot = m_groupings[class_name];
  if (!slot || slot->version <= version) slot = g;
  return g;
}

void Statistics::changed(std::string_view class_name, const store::ServedFeaturePtr& before,
                         const store::ServedFeaturePtr& after) {
  const model::FeatureClassDef* def = m_catalog.find_class(class_name);
  if (!def || def->village_key.empty()) return;
  const int vk = def->field_index(def->village_key);
  std::lock_guard lock(m_mutex);
  auto slot = m_groupings.find(class_name);
  if (slot == m_groupings.end()) return;  // not grouped yet: the first request groups it as it is
  const std::uint64_t version = m_index.data_version(class_name);
  // Updated only when the grouping accounts for every change before this one; otherwise the next
  // request regroups (grouping() compares versions).
  if (slot->second->version + 1 != version) return;
  auto g = std::make_shared<Grouping>(*slot->second);
  g->version = version;
  const auto by_fid = [](const store::ServedFeaturePtr& a, std::int64_t fid) { return a->feature.fid < fid; };
  const auto edit = [&](std::string_view code, const auto& change) {
    if (code.empty()) return;
    auto it = g->by_village.find(code);
    auto list = it == g->by_village.end() ? std::make_shared<std::vector<store::ServedFeaturePtr>>()
                                          : std::make_shared<std::vector<store::ServedFeaturePtr>>(*it->second);
    change(*list);
    if (list->empty()) {
      if (it != g->by_village.end()) g->by_village.erase(it);
    } else {
      g->by_village[std::string(code)] = std::move(list);
    }
  };
  if (before) {
    edit(text_of(*before, vk), [&](std::vector<store::ServedFeaturePtr>& list) {
      const auto at = std::lower_bound(list.begin(), list.end(), before->feature.fid, by_fid);
      if (at != list.end() && (*at)->feature.fid == before->feature.fid) list.erase(at);
    });
  }
  if (after) {
    edit(text_of(*after, vk), [&](std::vector<store::ServedFeaturePtr>& list) {
      const auto at = std::lower_bound(list.begin(), list.end(), after->feature.fid, by_fid);
      list.insert(at, after);
    });
  }
  slot->second = std::move(g);
}

std::vector<store::ServedFeaturePtr> Statistics::features(const std::string& class_name, const Place& place) const {
  const auto g = grouping(class_name);
  std::vector<store::ServedFeaturePtr> out;
  if (place.kind == Place::Kind::village) {
    auto it = g->by_village.find(place.code);
    if (it != g->by_village.end()) out = *it->second;
    return out;
  }
  for (auto it = g->by_village.lower_bound(place.code); it != g->by_village.end() && place.contains(it->first); ++it) {
    out.insert(out.end(), it->second->begin(), it->second->end());
  }
  return out;
}

bool Statistics::place_exists(const Place& place) const {
  const auto g = grouping("villages");
  if (place.kind == Place::Kind::village) return g->by_village.count(place.code) > 0;
  auto it = g->by_village.lower_bound(place.code);
  return it != g->by_village.end() && place.contains(it->first);
}

json Statistics::compute(const ScopedReader& reader, const Place& place, const std::vector<std::string>& maps) const {
  StatisticsBuilder b(*this, reader, place);
  return b.run(maps);
}

json statistics(const ScopedReader& reader, const Place& place, const std::vector<std::string>& maps) {
  return reader.dataset().statistics().compute(reader, place, maps);
}

bool place_exists(const ScopedReader& reader, const Place& place) {
  return reader.dataset().statistics().place_exists(place);
}

}  // namespace minqing::query
