#include "access/masking.hpp"

#include <array>
#include <vector>

namespace minqing::access {

namespace {

// Splits UTF-8 text into characters (code points). A byte that does not start a well-formed
// sequence is a character of its own; `valid` says which are well formed.
struct Chars {
  std::vector<std::string_view> items;
  std::vector<bool> valid;
};

Chars split_utf8(std::string_view s) {
  Chars out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    if (b < 0x80)
      len = 1;
    else if ((b & 0xE0) == 0xC0 && b >= 0xC2)
      len = 2;
    else if ((b & 0xF0) == 0xE0)
      len = 3;
    else if ((b & 0xF8) == 0xF0 && b <= 0xF4)
      len = 4;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) len = 1;
    out.items.push_back(s.substr(i, len));
    out.valid.push_back(ok);
    i += len;
  }
  return out;
}

std::string keep_ends(std::string_view text, std::size_t head, std::size_t tail) {
  const Chars c = split_utf8(text);
  const std::size_t n = c.items.size();
  std::string out;
  if (n < head + tail + 1) return std::string(n, '*');
  for (std::size_t i = 0; i < n; ++i) {
    if ((i < head || i >= n - tail) && c.valid[i])
      out += c.items[i];
    else
      out += '*';
  }
  return out;
}

constexpr std::array<std::string_view, 20> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
    "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "南宫", "西门", "独孤", "呼延"};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string mask_person_name(std::string_view name) {
  const Chars c = split_utf8(name);
  const std::size_t n = c.items.size();
  if (n <= 1) return std::string(n, '*');
  std::size_t keep = 1;
  if (n >= 3) {
    for (auto s : kCompoundSurnames) {
      if (name.substr(0, s.size()) == s) keep = 2;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += (i < keep && c.valid[i]) ? std::string(c.items[i]) : std::string("*");
  return out;
}

std::string mask_id_number(std::string_view id) { return keep_ends(id, 3, 4); }

std::string mask_phone(std::string_view phone) { return keep_ends(phone, 3, 4); }

std::string mask_other(std::string_view text) {
  const Chars c = split_utf8(text);
  if (c.items.empty()) return {};
  if (c.items.size() == 1 || !c.valid[0]) return "*";
  return std::string(c.items[0]) + "*";
}

std::string mask_text(MaskKind kind, std::string_view text) {
  switch (kind) {
    case MaskKind::person_name:
      return mask_person_name(text);
    case MaskKind::id_number:
      return mask_id_number(text);
    case MaskKind::phone:
      return mask_phone(text);
    case MaskKind::other:
      return mask_other(text);
  }
  return mask_other(text);
}

MaskKind mask_kind_for(const model::FieldDef& field) noexcept {
  const std::string_view n = field.name;
  if (n == "id_number") return MaskKind::id_number;
  if (n == "phone" || n == "mobile" || ends_with(n, "_phone")) return MaskKind::phone;
  if (n == "name" || ends_with(n, "_name") || n == "leader" || n == "grid_leader" ||
      n == "responsible" || n == "responsible_cadre" || n == "monitor" || n == "cadre") {
    return MaskKind::person_name;
  }
  return MaskKind::other;
}

model::Value mask_value(const model::FieldDef& field, const model::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return mask_text(mask_kind_for(field), *s);
  return model::Value{};
}

void apply_grant(const model::FeatureClassDef& def, const FieldGrant& grant, std::vector<model::Value>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const FieldAccess a = i < grant.fields.size() && i < def.fields.size() ? grant.fields[i] : FieldAccess::hidden;
    if (a == FieldAccess::hidden) values[i] = model::Value{};
    else if (a == FieldAccess::masked) values[i] = mask_value(def.fields[i], values[i]);
  }
}

}  // namespace minqing::access
