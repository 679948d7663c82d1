#pragma once
// Chinese names for generated places and people: surnames weighted to those common in Songyang
// (叶 周 吴 潘 刘 徐 …, 蓝 雷 钟 of the She minority), given names, village and hamlet names, and
// the numbers people carry: mobile phone numbers and resident identity numbers. Pure functions of
// the Rng passed in; thread-safe.

#include <set>
#include <string>
#include <string_view>

#include "generate/random.hpp"

namespace minqing::generate {

std::string_view random_surname(Rng& rng);
std::string given_name(Rng& rng, bool male);
std::string full_name(Rng& rng, std::string_view surname, bool male);
std::string random_full_name(Rng& rng);  // random surname and sex

// An 11-digit mainland mobile number (138…, 159…, 189…).
std::string mobile_phone(Rng& rng);

// An 18-digit resident identity number: `area` (6 digits), birth date, 3-digit sequence whose
// parity gives the sex (odd male), and the ISO 7064 MOD 11-2 check character.
std::string id_number(std::string_view area, int year, int month, int day, int sequence);
// The check character (0-9 or X) of the first 17 digits.
char id_check_char(std::string_view first17) noexcept;

// A village base name (杨家堂, 横樟, 黄岭根) not yet in `used`; inserted into `used`.
std::string unique_place_name(Rng& rng, std::set<std::string>& used);

// Names of water courses and roads by row of the county grid.
std::string river_name(int row);
std::string county_road_name(int row);
std::string stream_name(Rng& rng, std::string_view place);

// Chinese ordinal 一 … 二十 (for 第一村民小组, 第三网格); falls back to digits beyond 99.
std::string chinese_number(int n);

}  // namespace minqing::generate
