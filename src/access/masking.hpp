#pragma once
// Masking of personal data (DOMAIN.md "Personal data"): what a role that may see a field only
// "masked" gets instead of the value. Pure functions of the text; UTF-8 aware (one '*' per hidden
// character, never per byte). Which field is masked for whom is policy (access/policy.hpp), not
// here.
//
//   names       张三 → 张*, 李小明 → 李**, 欧阳娜娜 → 欧阳** (compound surnames keep both
//   characters) id numbers  330326199001011234 → 330***********1234 (first 3, last 4) phones
//   13812345678 → 138****5678 (first 3, last 4) other text  → first character + "*"
// A value too short to keep anything without revealing it all (a one-character name, an id or
// phone shorter than 8 characters) becomes all '*'.
//
// Thread-safety: pure functions, safe from any thread.

#include <string>
#include <string_view>

#include "access/policy.hpp"
#include "model/layer_catalog.hpp"
#include "model/value.hpp"

namespace minqing::access {

enum class MaskKind { person_name, id_number, phone, other };

std::string mask_person_name(std::string_view name);
std::string mask_id_number(std::string_view id);
std::string mask_phone(std::string_view phone);
std::string mask_other(std::string_view text);
std::string mask_text(MaskKind kind, std::string_view text);

// The kind of a field, from its name: id_number → id_number; phone, *_phone, mobile → phone;
// name, *_name, leader, grid_leader, responsible, responsible_cadre, monitor, cadre → person_name;
// anything else → other.
MaskKind mask_kind_for(const model::FieldDef& field) noexcept;

// The masked form of one value of `field`: text is masked by the field's kind; a number is
// replaced by null (a masked number would still be the number); null stays null.
model::Value mask_value(const model::FieldDef& field, const model::Value& v);

// The values of one feature of `def` as a caller with `grant` reads them, in place: hidden fields
// null, masked fields masked. The one place a grant is applied to values (query::ScopedReader
// calls it before anything leaves the query module).
void apply_grant(const model::FeatureClassDef& def, const FieldGrant& grant, std::vector<model::Value>& values);

}  // namespace minqing::access
