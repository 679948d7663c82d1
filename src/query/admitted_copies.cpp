#include "query/admitted_copies.hpp"

#include <map>
#include <mutex>

#include "access/masking.hpp"
#include "base/error.hpp"

namespace minqing::query {

namespace {

// Copies kept beyond twice a class's features before they are dropped.
constexpr std::size_t kSlack = 4096;

struct Key {
  std::uint32_t grant;  // the grant's number (its fields' accesses, interned)
  std::int64_t fid;
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept {
    return std::hash<std::int64_t>{}(k.fid) ^ (static_cast<std::size_t>(k.grant) * 0x9e3779b97f4a7c15ULL);
  }
};

struct Kept {
  store::ServedFeaturePtr served;  // held, so that a pointer compare can never meet a reused address
  store::ServedFeaturePtr copy;
};

}  // namespace

struct AdmittedCopies::ClassCopies {
  mutable std::shared_mutex mutex;
  std::map<std::vector<access::FieldAccess>, std::uint32_t> grant_numbers;
  std::unordered_map<Key, Kept, KeyHash> kept;

  // Under the lock (shared for lookups; the number is added under the exclusive lock).
  const std::uint32_t* find_number(const access::FieldGrant& g) const {
    auto it = grant_numbers.find(g.fields);
    return it == grant_numbers.end() ? nullptr : &it->second;
  }
};

AdmittedCopies::AdmittedCopies(const model::LayerCatalog& catalog) {
  for (const auto& def : catalog.classes()) {
    m_classes.push_back(std::make_unique<ClassCopies>());
    m_by_name.emplace(def.name, m_classes.back().get());
  }
}

AdmittedCopies::~AdmittedCopies() = default;

AdmittedCopies::ClassCopies& AdmittedCopies::copies_of(std::string_view class_name) const {
  auto it = m_by_name.find(class_name);
  if (it == m_by_name.end()) throw StoreError("unknown feature class " + std::string(class_name));
  return *it->second;
}

void AdmittedCopies::admit(const model::FeatureClassDef& def, std::span<const Request> requests,
                           std::size_t class_features) {
  if (requests.empty()) return;
  ClassCopies& c = copies_of(def.name);
  // Requests of one batch share one or two grants (inside and outside the caller's area): their
  // numbers are looked up once per distinct grant, not per feature.
  const access::FieldGrant* last_grant = nullptr;
  std::uint32_t last_number = 0;
  std::vector<std::size_t> missing;
  {
    std::shared_lock lock(c.mutex);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const Request& r = requests[i];
      if (r.grant != last_grant) {
        const std::uint32_t* n = c.find_number(*r.grant);
        if (n == nullptr) {
          missing.push_back(i);
          continue;
        }
        last_grant = r.grant;
        last_number = *n;
      }
      auto it = c.kept.find(Key{last_number, (*r.feature)->feature.fid});
      if (it != c.kept.end() && it->second.served == *r.feature) {
        *r.feature = it->second.copy;
      } else {
        missing.push_back(i);
      }
    }
  }
  if (missing.empty()) return;

  // Made outside the lock: copying a feature is the expensive part.
  std::vector<Kept> made;
  made.reserve(missing.size());
  for (std::size_t i : missing) {
    const Request& r = requests[i];
    auto copy = std::make_shared<store::ServedFeature>(**r.feature);
    access::apply_grant(def, *r.grant, copy->feature.values);
    made.push_back({*r.feature, std::move(copy)});
  }

  std::unique_lock lock(c.mutex);
  if (c.kept.size() + made.size() > 2 * class_features + kSlack) c.kept.clear();
  for (std::size_t k = 0; k < missing.size(); ++k) {
    const Request& r = requests[missing[k]];
    auto [number_it, added] =
        c.grant_numbers.try_emplace(r.grant->fields, static_cast<std::uint32_t>(c.grant_numbers.size()));
    (void)added;
    c.kept.insert_or_assign(Key{number_it->second, made[k].served->feature.fid}, made[k]);
    *r.feature = std::move(made[k].copy);
  }
}

std::size_t AdmittedCopies::size() const {
  std::size_t n = 0;
  for (const auto& c : m_classes) {
    std::shared_lock lock(c->mutex);
    n += c->kept.size();
  }
  return n;
}

}  // namespace minqing::query
