#include "generate/names.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace minqing::generate {

namespace {

struct Weighted {
  const char* text;
  double weight;
};

constexpr Weighted kSurnames[] = {
    {"叶", 8}, {"周", 5}, {"吴", 5}, {"潘", 4}, {"刘", 4}, {"徐", 4}, {"李", 4}, {"王", 5}, {"陈", 5},
    {"张", 4}, {"毛", 3}, {"蓝", 2}, {"雷", 2}, {"钟", 1}, {"项", 2}, {"程", 2}, {"包", 1.5}, {"朱", 2},
    {"杨", 2}, {"郑", 2}, {"何", 1.5}, {"黄", 2}, {"林", 2}, {"赵", 1}, {"练", 1.5}, {"阙", 1}, {"高", 1},
    {"胡", 1.5}, {"邱", 1}, {"卢", 1}, {"鲍", 0.8}, {"应", 0.8}, {"季", 0.6}, {"兰", 0.5}};

constexpr const char* kMaleChars[] = {"建", "国", "华", "明", "军", "伟", "林", "强", "平", "忠", "成", "志", "海",
                                      "勇", "金", "永", "福", "荣", "祥", "贵", "根", "水", "松", "德", "光", "辉",
                                      "良", "生", "文", "春", "新", "东", "有", "跃", "峰", "斌", "杰", "涛", "浩",
                                      "宇", "鹏", "俊", "樟", "土", "法", "培", "清", "昌", "兴", "旺"};
constexpr const char* kFemaleChars[] = {"美", "英", "兰", "芳", "秀", "珍", "花", "娟", "红", "梅", "琴", "燕",
                                        "丽", "玲", "霞", "菊", "凤", "仙", "月", "彩", "素", "翠", "婷", "静",
                                        "敏", "萍", "云", "雅", "琳", "洁", "慧", "莲", "娥", "香", "春", "蓉"};

constexpr const char* kPlaceSuffix[] = {"堂", "铺", "山", "坑", "岭", "源", "坞", "垄", "畈", "岙", "湾",
                                        "塘", "边", "后", "口", "坪", "垟", "弄", "头", "庄"};
constexpr const char* kNature[] = {"石", "竹", "茶", "松", "枫", "樟", "桐", "杉", "梅", "桃", "杨", "柳",
                                   "黄", "白", "青", "金", "银", "龙", "凤", "马", "鹤", "雾", "云", "岩",
                                   "泉", "溪", "兰", "桂", "槐", "麻", "横", "深", "平", "吊", "斗", "半"};
constexpr const char* kNatureSuffix[] = {"坑", "岭", "源", "坞", "垄", "坪", "山", "溪", "头", "口", "门",
                                         "岗", "垟", "田", "塘", "湖", "坳", "岙", "根", "脚"};
constexpr const char* kPrefix[] = {"上", "下", "大", "小", "前", "后", "东", "西", "南", "北", "新", "老",
                                   "高", "长", "里", "外", "中"};

constexpr const char* kRivers[] = {"小港", "松阴溪", "四都源", "安民溪", "竹溪", "玉岩溪", "枫坪溪", "板桥溪",
                                   "三都源", "裕溪", "樟溪", "斋坛溪", "靖居溪", "象溪", "赤寿溪", "新兴溪",
                                   "大东坝溪", "叶村溪", "新处溪", "望松溪"};
constexpr const char* kCountyRoads[] = {"松玉线", "松古线", "四都线", "松安线", "竹源线", "玉岩线", "枫坪线",
                                        "板桥线", "三都线", "裕溪线", "樟溪线", "斋坛线", "靖居线", "象溪线",
                                        "赤寿线", "新兴线", "大东坝线", "叶村线", "新处线", "望松线"};

constexpr std::array<const char*, 11> kDigits = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};

template <class T, std::size_t N>
const T& pick_from(Rng& rng, const T (&arr)[N]) {
  return arr[rng.index(N)];
}

}  // namespace

std::string_view random_surname(Rng& rng) {
  static const std::vector<double> weights = [] {
    std::vector<double> w;
    for (const auto& s : kSurnames) w.push_back(s.weight);
    return w;
  }();
  return kSurnames[rng.weighted(weights)].text;
}

std::string given_name(Rng& rng, bool male) {
  std::string out = male ? pick_from(rng, kMaleChars) : pick_from(rng, kFemaleChars);
  if (rng.chance(0.72)) out += male ? pick_from(rng, kMaleChars) : pick_from(rng, kFemaleChars);
  return out;
}

std::string full_name(Rng& rng, std::string_view surname, bool male) {
  return std::string(surname) + given_name(rng, male);
}

std::string random_full_name(Rng& rng) {
  const auto s = random_surname(rng);
  return full_name(rng, s, rng.chance(0.55));
}

std::string mobile_phone(Rng& rng) {
  static constexpr const char* kPrefixes[] = {"138", "139", "135", "137", "136", "150", "151", "152", "157", "158",
                                              "159", "187", "188", "182", "183", "133", "153", "180", "189", "177",
                                              "130", "131", "132", "155", "156", "185", "186", "173", "199"};
  std::string out = pick_from(rng, kPrefixes);
  for (int i = 0; i < 8; ++i) out += static_cast<char>('0' + rng.range(0, 9));
  return out;
}

char id_check_char(std::string_view first17) noexcept {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kMap[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17 && i < static_cast<int>(first17.size()); ++i) sum += (first17[i] - '0') * kWeights[i];
  return kMap[sum % 11];
}

std::string id_number(std::string_view area, int year, int month, int day, int sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%03d", year, month, day, sequence % 1000);
  std::string out = std::string(area) + buf;
  out += id_check_char(out);
  return out;
}

std::string unique_place_name(Rng& rng, std::set<std::string>& used) {
  for (int attempt = 0; attempt < 10000; ++attempt) {
    std::string name;
    const double r = rng.unit();
    if (r < 0.38) {
      name = std::string(random_surname(rng)) + "家" + pick_from(rng, kPlaceSuffix);
    } else if (r < 0.72) {
      name = std::string(pick_from(rng, kNature)) + pick_from(rng, kNatureSuffix);
    } else if (r < 0.88) {
      name = std::string(pick_from(rng, kPrefix)) + pick_from(rng, kNature) + pick_from(rng, kNatureSuffix);
    } else {
      name = std::string(pick_from(rng, kPrefix)) + pick_from(rng, kNatureSuffix);
    }
    if (attempt > 5000) name += pick_from(rng, kPlaceSuffix);
    if (used.insert(name).second) return name;
  }
  std::string fallback = "新村" + std::to_string(used.size());
  used.insert(fallback);
  return fallback;
}

std::string river_name(int row) {
  const int n = static_cast<int>(std::size(kRivers));
  std::string name = kRivers[row % n];
  if (row >= n) name += chinese_number(row / n + 1);
  return name;
}

std::string county_road_name(int row) {
  const int n = static_cast<int>(std::size(kCountyRoads));
  std::string name = kCountyRoads[row % n];
  if (row >= n) name += chinese_number(row / n + 1);
  return name;
}

std::string stream_name(Rng& rng, std::string_view place) {
  static constexpr const char* kStream[] = {"坑", "源", "溪", "涧"};
  for (const char* s : kStream) {
    if (place.ends_with(s)) return std::string(place) + (std::string_view(s) == "溪" ? "坑" : "溪");
  }
  return std::string(place) + pick_from(rng, kStream);
}

std::string chinese_number(int n) {
  if (n < 0 || n > 99) return std::to_string(n);
  if (n <= 10) return kDigits[static_cast<std::size_t>(n)];
  const int tens = n / 10, ones = n % 10;
  std::string out = tens == 1 ? "" : kDigits[static_cast<std::size_t>(tens)];
  out += "十";
  if (ones) out += kDigits[static_cast<std::size_t>(ones)];
  return out;
}

}  // namespace minqing::generate
