// Step 9: key persons (重点人员) drawn from the households, assisted households (帮扶对象) and their
// pairings with a cadre (a line from the helper's unit to the household).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <set>

#include "generate/names.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

namespace {

struct Category {
  const char* name;
  double weight;
};
constexpr std::array<Category, 7> kCategories = {{{"left_behind_elderly", 0.30},
                                                   {"solitary_elderly", 0.20},
                                                   {"left_behind_child", 0.18},
                                                   {"disabled", 0.21},
                                                   {"mental_illness", 0.05},
                                                   {"community_correction", 0.03},
                                                   {"petition", 0.03}}};

std::string date_of(int year, int month, int day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

}  // namespace

void build_people(Village& v) {
  Rng rng = v.rng_for(0x5045);
  auto& sink = *v.sink;
  const std::string& code = v.spec->code;
  if (v.households.empty()) return;
  int residents = 0;
  for (const auto& h : v.households) residents += h.members;

  // --- Key persons ---
  std::vector<double> cat_w;
  for (const auto& c : kCategories) cat_w.push_back(c.weight);
  const int key_count = static_cast<int>(std::lround(residents * rng.uniform(0.03, 0.05)));
  std::set<std::size_t> heads_used;
  char buf[32];
  for (int k = 0; k < key_count; ++k) {
    const std::string cat = kCategories[rng.weighted(cat_w)].name;
    // Households that fit the category, weighted.
    std::vector<double> w;
    for (const auto& h : v.households) {
      double x = 1;
      const bool elderly_head = h.head_birth_year < 1958;
      if (cat == "solitary_elderly") x = h.members == 1 && elderly_head ? 20 : 0.05;
      else if (cat == "left_behind_elderly") x = elderly_head && h.migrants > 0 ? 12 : elderly_head ? 3 : 0.2;
      else if (cat == "left_behind_child") x = h.migrants > 0 && h.members >= 3 ? 10 : 0.1;
      w.push_back(x);
    }
    const std::size_t hi = rng.weighted(w);
    const HouseholdRec& h = v.households[hi];
    int year = 0;
    bool male = rng.chance(0.5);
    std::string name;
    const bool elderly_cat = cat == "solitary_elderly" || cat == "left_behind_elderly";
    if (elderly_cat && h.head_birth_year < 1959 && !heads_used.count(hi)) {
      name = h.head;
      male = h.head_male;
      year = h.head_birth_year;
      heads_used.insert(hi);
    } else if (elderly_cat) {
      year = static_cast<int>(rng.range(1930, 1958));
      name = full_name(rng, h.surname, male);
    } else if (cat == "left_behind_child") {
      year = static_cast<int>(rng.range(2010, 2020));
      name = full_name(rng, h.surname, male);
    } else if (cat == "disabled") {
      year = static_cast<int>(rng.range(1945, 2008));
      name = full_name(rng, h.surname, male);
    } else {
      year = static_cast<int>(rng.range(1958, 2000));
      name = full_name(rng, h.surname, male);
    }
    const int seq = static_cast<int>(rng.range(0, 499)) * 2 + (male ? 1 : 0);
    const std::string id = id_number("331124", year, static_cast<int>(rng.range(1, 12)), static_cast<int>(rng.range(1, 28)), seq);
    const bool serious = cat == "community_correction" || cat == "mental_illness" || cat == "petition";
    std::snprintf(buf, sizeof buf, "-K%03d", k + 1);
    const std::size_t grid = static_cast<std::size_t>(std::find(v.grid_ids.begin(), v.grid_ids.end(), h.grid_id) - v.grid_ids.begin());
    const std::string cadre = rng.chance(0.6) && grid < v.grid_leaders.size() ? v.grid_leaders[grid] : v.cadres[rng.index(v.cadres.size())];
    sink.add("key_persons", geo::Geometry::point(h.at + Coord{rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)}))
        .set("person_id", code + buf)
        .set("village_code", code)
        .set("household_id", h.id)
        .set("category", cat)
        .set("name", name)
        .set("id_number", id)
        .set("phone", cat == "left_behind_child" || year < 1940 ? h.phone : mobile_phone(rng))
        .set("responsible_cadre", cadre)
        .set("risk_level", serious ? static_cast<int>(rng.range(2, 3)) : static_cast<int>(rng.range(1, 2)));
  }

  // --- Assisted households and their pairings ---
  static constexpr const char* kTypes[] = {"low_income", "extreme_poverty", "disabled", "veteran", "unstable_income"};
  static constexpr double kTypeW[] = {0.40, 0.08, 0.20, 0.14, 0.18};
  static const std::array<std::vector<const char*>, 5> kMeasures = {{
      {"低保金按月足额发放", "医疗救助和大病保险兜底", "结对干部每月走访", "落实居家养老服务补贴", "冬季送温暖物资"},
      {"特困人员分散供养", "落实供养金和护理补贴", "安排专人照料", "医疗费用全额兜底", "住房安全鉴定和修缮"},
      {"残疾人两项补贴", "辅具适配服务", "安排村级公益性岗位", "康复训练上门服务", "无障碍改造"},
      {"优抚金按时发放", "节日走访慰问", "医疗优待", "帮助申请临时救助"},
      {"茶园管护技术培训", "来料加工就业帮扶", "小额信贷贴息", "推荐就近务工", "发展高山蔬菜种植", "电商销售农产品"},
  }};
  static constexpr const char* kCountyUnits[] = {"松阳县农业农村局", "松阳县民政局", "松阳县人力资源和社会保障局", "松阳县自然资源和规划局",
                                                 "松阳县水利局", "松阳县教育局", "松阳县卫生健康局", "松阳县财政局", "国网松阳县供电公司",
                                                 "松阳县林业局", "松阳县交通运输局", "浙江松阳农村商业银行"};
  const int assisted = std::max(1, static_cast<int>(std::lround(v.households.size() * rng.uniform(0.05, 0.08))));
  std::vector<double> w;
  for (const auto& h : v.households) {
    w.push_back((h.head_birth_year < 1958 ? 3.0 : 1.0) * (h.employment == "farming" ? 2.0 : 1.0) * (h.members <= 2 ? 1.5 : 1.0));
  }
  std::set<std::size_t> chosen;
  while (static_cast<int>(chosen.size()) < std::min<int>(assisted, static_cast<int>(v.households.size()))) {
    const std::size_t i = rng.weighted(w);
    chosen.insert(i);
    w[i] = 0;
    if (std::all_of(w.begin(), w.end(), [](double x) { return x == 0; })) break;
  }
  int pairing = 0;
  for (std::size_t i : chosen) {
    const HouseholdRec& h = v.households[i];
    const std::size_t t = rng.weighted(kTypeW);
    const auto& pool = kMeasures[t];
    const std::size_t a = rng.index(pool.size());
    std::size_t b = rng.index(pool.size());
    if (b == a) b = (a + 1) % pool.size();
    sink.add("assisted_households", geo::Geometry::point(h.at))
        .set("household_id", h.id)
        .set("village_code", code)
        .set("type", kTypes[t])
        .set("head_name", h.head)
        .set("measures", std::string(pool[a]) + "；" + pool[b]);

    const double u = rng.unit();
    std::string unit;
    Coord from = v.township_office;
    if (u < 0.25) {
      unit = v.spec->name + "村民委员会";
      from = v.committee;
    } else if (u < 0.6) {
      unit = v.township->gov_unit;
    } else {
      unit = kCountyUnits[rng.index(std::size(kCountyUnits))];
    }
    std::snprintf(buf, sizeof buf, "-J%03d", ++pairing);
    sink.add("pairings", geo::Geometry::line({from, h.at}))
        .set("pairing_id", code + buf)
        .set("village_code", code)
        .set("household_id", h.id)
        .set("cadre_name", unit.find("村民委员会") != std::string::npos ? v.cadres[rng.index(v.cadres.size())] : random_full_name(rng))
        .set("cadre_unit", unit)
        .set("since", date_of(static_cast<int>(rng.range(2016, 2024)), static_cast<int>(rng.range(1, 12)), static_cast<int>(rng.range(1, 28))));
  }
}

}  // namespace minqing::generate
