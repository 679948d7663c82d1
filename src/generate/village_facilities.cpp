// Step 8: points of interest, the village organisation (党支部, 村委会, 监委会, villager groups,
// grid service teams) and the enterprises (tea factory, homestays, shops, cooperative, family farms).

#include <algorithm>
#include <cmath>

#include "generate/names.hpp"
#include "generate/village.hpp"

namespace minqing::generate {

namespace {

const BuildingRec* find_role(const Village& v, const std::string& role, std::size_t nth = 0) {
  for (const auto& b : v.buildings) {
    if (b.role == role && nth-- == 0) return &b;
  }
  return nullptr;
}

std::string base_name(const Village& v) { return v.spec->name.substr(0, v.spec->name.size() - 3); }

}  // namespace

void build_facilities(Village& v) {
  Rng rng = v.rng_for(0x4641);
  auto& sink = *v.sink;
  const std::string& code = v.spec->code;
  const auto poi = [&](Coord at, const std::string& name, const char* cls, const char* kind) {
    sink.add("pois", geo::Geometry::point(at)).set("village_code", code).set("name", name).set("class", cls).set("kind", kind);
  };

  const BuildingRec* office = find_role(v, "office");
  const BuildingRec* hall = find_role(v, "culture_hall");
  const Coord hub = office ? office->rect.center : v.hamlets.empty() ? ring_centroid(v.ring) : v.hamlets[0].center;
  v.committee = hub;

  // --- Points of interest ---
  if (hall) poi(hall->rect.center, v.spec->name + "文化礼堂", "culture_hall", "cultural");
  if (const BuildingRec* s = find_role(v, "school")) {
    const bool primary = v.spec->township_seat || v.households.size() >= 250;
    poi(s->rect.center, base_name(v) + (primary ? "小学" : "幼儿园"), "school", "facility");
  }
  if (const BuildingRec* c = find_role(v, "clinic")) poi(c->rect.center, v.spec->name + "卫生室", "clinic", "facility");
  for (std::size_t i = 0;; ++i) {
    const BuildingRec* a = find_role(v, "ancestral_hall", i);
    if (!a) break;
    poi(a->rect.center, v.hamlets[static_cast<std::size_t>(a->hamlet)].clan + "氏宗祠", "ancestral_hall", "cultural");
  }
  if (const BuildingRec* t = find_role(v, "temple")) {
    static constexpr const char* kTemples[] = {"禹王庙", "关帝庙", "五显庙", "夫人庙", "土地庙", "观音堂", "社殿", "真武殿"};
    poi(t->rect.center, v.hamlets[static_cast<std::size_t>(t->hamlet)].name + kTemples[rng.index(std::size(kTemples))],
        "temple", "cultural");
  }
  static constexpr const char* kTrees[] = {"香樟", "红豆杉", "银杏", "枫香", "苦槠", "柳杉", "南方红豆杉", "罗汉松"};
  const int trees = static_cast<int>(rng.range(1, 4));
  for (int i = 0; i < trees && !v.hamlets.empty(); ++i) {
    const Hamlet& h = v.hamlets[rng.index(v.hamlets.size())];
    const double a = rng.uniform(0, 6.283);
    const Coord at = h.center + Coord{std::cos(a), std::sin(a)} * rng.uniform(40, 120);
    if (!v.inside(at)) continue;
    const int age = static_cast<int>(rng.range(10, 90)) * 10;
    poi(at, std::string("古") + kTrees[rng.index(std::size(kTrees))] + "（树龄约" + std::to_string(age) + "年）",
        "ancient_tree", "natural");
  }
  {  // A viewpoint on the highest ground, or a waterfall on a stream.
    if (!v.water.streams.empty() && rng.chance(0.4)) {
      const Polyline& s = v.water.streams[rng.index(v.water.streams.size())];
      poi(point_at(s, length(s) * 0.7), v.water.stream_names.empty() ? "飞瀑" : v.water.stream_names[0] + "瀑布", "scenic",
          "natural");
    } else {
      Coord top = ring_centroid(v.ring);
      double best = -1;
      for (int j = 0; j < v.dem.ny; j += 4) {
        for (int i = 0; i < v.dem.nx; i += 4) {
          const Coord p{v.dem.min_x + (i + 0.5) * v.dem.cell, v.dem.max_y - (j + 0.5) * v.dem.cell};
          const double z = v.dem.z[static_cast<std::size_t>(j) * v.dem.nx + i];
          if (z > best && v.inside(p) && distance_to_polyline(p, v.ring) > 60) {
            best = z;
            top = p;
          }
        }
      }
      poi(top, base_name(v) + "尖观景台", "scenic", "natural");
    }
  }

  // --- Organisation ---
  const std::string secretary = random_full_name(rng), director = random_full_name(rng), supervisor = random_full_name(rng);
  v.cadres = {secretary, director, supervisor, random_full_name(rng), random_full_name(rng)};
  const auto org = [&](Coord at, const std::string& name, const char* type, const std::string& leader, int members) {
    sink.add("org_units", geo::Geometry::point(at))
        .set("village_code", code)
        .set("name", name)
        .set("type", type)
        .set("leader", leader)
        .set("members", members);
  };
  org(hub + Coord{-4, 2}, "中共" + v.spec->name + "支部委员会", "party_branch", secretary, static_cast<int>(rng.range(3, 7)));
  org(hub + Coord{4, 2}, v.spec->name + "村民委员会", "village_committee", director, static_cast<int>(rng.range(3, 7)));
  org(hub + Coord{0, -4}, v.spec->name + "村务监督委员会", "supervision_committee", supervisor, static_cast<int>(rng.range(3, 5)));
  int group_no = 0;
  for (const auto& h : v.hamlets) {
    const std::size_t n = h.households.size();
    if (n == 0) continue;
    const std::size_t groups = std::max<std::size_t>(1, (n + 30) / 55);
    for (std::size_t g = 0; g < groups; ++g) {
      Coord sum{0, 0};
      int people = 0, count = 0;
      std::vector<const HouseholdRec*> members;
      for (std::size_t i = g * n / groups; i < (g + 1) * n / groups; ++i) {
        const auto& hh = v.households[static_cast<std::size_t>(h.households[i])];
        sum = sum + hh.at;
        people += hh.members;
        ++count;
        members.push_back(&hh);
      }
      // At the member household nearest the group's centre.
      const Coord mean = sum * (1.0 / count);
      const HouseholdRec* at = members.front();
      for (const auto* m : members) {
        if (distance(m->at, mean) < distance(at->at, mean)) at = m;
      }
      org(at->at + Coord{0, 3}, "第" + chinese_number(++group_no) + "村民小组", "villager_group",
          members[rng.index(members.size())]->head, people);
    }
  }
  for (std::size_t g = 0; g < v.grids.size(); ++g) {
    Coord sum{0, 0};
    int n = 0;
    for (const auto& hh : v.households) {
      if (hh.grid_id == v.grid_ids[g]) {
        sum = sum + hh.at;
        ++n;
      }
    }
    Coord at = n ? sum * (1.0 / n) : ring_centroid(v.ring);
    if (!geometry_contains(v.grids[g], at)) {
      for (const auto& hh : v.households) {
        if (hh.grid_id == v.grid_ids[g]) {
          at = hh.at + Coord{2, -2};
          break;
        }
      }
    }
    org(at, v.spec->name + "第" + chinese_number(static_cast<int>(g) + 1) + "网格服务团队", "service_team", v.grid_leaders[g],
        static_cast<int>(rng.range(3, 6)));
  }

  // --- Enterprises ---
  const auto enterprise = [&](Coord at, const std::string& name, const char* type, int employees, const HouseholdRec* owner) {
    auto b = sink.add("enterprises", geo::Geometry::point(at));
    b.set("village_code", code).set("name", name).set("type", type).set("employees", employees);
    if (owner) b.set("household_id", owner->id);
  };
  const auto random_household = [&](const char* prefer) -> const HouseholdRec* {
    if (v.households.empty()) return nullptr;
    std::vector<double> w;
    for (const auto& h : v.households) w.push_back(h.employment == prefer ? 4.0 : 1.0);
    return &v.households[rng.weighted(w)];
  };
  static constexpr const char* kFactories[] = {"茶厂", "茶叶加工厂", "竹木制品厂", "香菇加工厂", "农产品加工厂"};
  for (std::size_t i = 0;; ++i) {
    const BuildingRec* f = find_role(v, "factory", i);
    if (!f) break;
    const HouseholdRec* owner = rng.chance(0.7) ? random_household("business") : nullptr;
    enterprise(f->rect.center, v.hamlets[static_cast<std::size_t>(f->hamlet)].name + kFactories[rng.index(std::size(kFactories))],
               "processing", static_cast<int>(rng.range(4, 38)), owner);
  }
  static constexpr const char* kHomestay[] = {"山居", "民宿", "小院", "云舍", "茶舍", "客栈"};
  static constexpr const char* kPoetic[] = {"云上", "听溪", "松风", "竹里", "茶香", "望山", "枕山", "过云", "隐庐", "半山"};
  const int homestays = static_cast<int>(rng.range(1, 4));
  for (int i = 0; i < homestays; ++i) {
    const HouseholdRec* h = random_household("business");
    if (!h) break;
    const std::string prefix = rng.chance(0.5) ? kPoetic[rng.index(std::size(kPoetic))] : v.hamlets[static_cast<std::size_t>(h->hamlet)].name;
    enterprise(h->at, prefix + kHomestay[rng.index(std::size(kHomestay))], "homestay", static_cast<int>(rng.range(1, 6)), h);
  }
  for (std::size_t hi = 0; hi < v.hamlets.size(); ++hi) {
    const Hamlet& h = v.hamlets[hi];
    if (h.households.empty() || (hi > 0 && rng.chance(0.4))) continue;
    const auto& owner = v.households[static_cast<std::size_t>(h.households[rng.index(h.households.size())])];
    enterprise(owner.at, h.name + "小卖部", "shop", static_cast<int>(rng.range(1, 2)), &owner);
  }
  static constexpr const char* kCoops[] = {"茶叶专业合作社", "柑橘专业合作社", "高山蔬菜专业合作社", "香菇专业合作社", "农机专业合作社"};
  enterprise(hub + Coord{8, -6}, base_name(v) + kCoops[rng.index(std::size(kCoops))], "cooperative",
             static_cast<int>(rng.range(5, 30)), nullptr);
  int farms = 0;
  for (const auto& lc : v.landcover) {
    if (farms >= 2 || (lc.cls != "tea" && lc.cls != "orchard")) continue;
    const Coord at = ring_centroid(Polyline(lc.geometry.coords.begin(), lc.geometry.coords.begin() + lc.geometry.part_ends[0]));
    if (!geometry_contains(lc.geometry, at) || rng.chance(0.4)) continue;
    const HouseholdRec* owner = random_household("farming");
    if (!owner) break;
    enterprise(at, owner->head + "家庭农场", "farm", static_cast<int>(rng.range(2, 9)), owner);
    ++farms;
  }
}

}  // namespace minqing::generate
