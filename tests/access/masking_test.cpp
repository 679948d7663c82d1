// Masking of personal data exactly as DOMAIN.md writes it: 张*, 330***********1234, 138****5678.

#include <catch2/catch.hpp>

#include "access/masking.hpp"

using namespace minqing;
using namespace minqing::access;

TEST_CASE("names keep their first character, one star per remaining character",
          "[access][masking]") {
  CHECK(mask_person_name("张三") == "张*");
  CHECK(mask_person_name("李小明") == "李**");
  CHECK(mask_person_name("欧阳娜娜") == "欧阳**");
  CHECK(mask_person_name("欧阳") ==
        "欧*");  // two characters: the surname alone would be the whole name
  CHECK(mask_person_name("张") == "*");
  CHECK(mask_person_name("") == "");
  CHECK(mask_person_name("Alice") == "A****");
}

TEST_CASE("id numbers and phones keep the first 3 and last 4 characters", "[access][masking]") {
  CHECK(mask_id_number("330326199001011234") == "330***********1234");
  CHECK(mask_id_number("33032619900101123X") == "330***********123X");
  CHECK(mask_phone("13812345678") == "138****5678");
  CHECK(mask_phone("1381234") == "*******");  // too short to keep anything
  CHECK(mask_id_number("") == "");
}

TEST_CASE("other personal text keeps the first character and one star", "[access][masking]") {
  CHECK(mask_other("四都乡政府") == "四*");
  CHECK(mask_other("x") == "*");
  CHECK(mask_other("") == "");
}

TEST_CASE("masking counts characters, not bytes, and survives broken UTF-8", "[access][masking]") {
  const std::string masked = mask_person_name("钟强跃");
  CHECK(masked == "钟**");
  const std::string broken = std::string("\xE5\xBC") + "abc";  // a cut-off 张 then text
  CHECK(mask_person_name(broken).find('\xE5') == std::string::npos);
  CHECK(mask_other("\xFF\xFE") == "*");
}

TEST_CASE("a field's mask follows its name, numbers become null", "[access][masking]") {
  model::FieldDef f;
  f.name = "id_number";
  CHECK(mask_kind_for(f) == MaskKind::id_number);
  f.name = "phone";
  CHECK(mask_kind_for(f) == MaskKind::phone);
  for (const char* n : {"name", "head_name", "cadre_name", "responsible_cadre", "grid_leader",
                        "leader", "monitor", "responsible"}) {
    f.name = n;
    CHECK(mask_kind_for(f) == MaskKind::person_name);
  }
  f.name = "measures";
  CHECK(mask_kind_for(f) == MaskKind::other);
  f.name = "phone";
  CHECK(std::get<std::string>(mask_value(f, model::Value{std::string("13812345678")})) ==
        "138****5678");
  CHECK(model::is_null(mask_value(f, model::Value{std::int64_t{13812345678}})));
  CHECK(model::is_null(mask_value(f, model::Value{})));
}
