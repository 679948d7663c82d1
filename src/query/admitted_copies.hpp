#pragma once
// The masked copies of served features, made once per (field grant, feature version) and kept:
// a caller who may not read every field of a class (the public sees buildings without
// household_id) is served copies whose values are hidden or masked. Making that copy — every value
// and the whole geometry — on every read was a fifth of a bbox query's CPU; callers with the same
// grant read the same copy instead.
//
// A copy is kept beside the served feature it was made from and handed out only while that
// feature is still the one served: an edit publishes a new served feature, so the next read makes
// a new copy (no invalidation to forget, even for changes made straight to the index). Memory is
// bounded: a class's copies are dropped wholesale when they outnumber twice its features plus
// kSlack, which only happens after many edits or many distinct grants.
//
// Thread-safe: readers look copies up under a shared lock, a batch at a time.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "access/policy.hpp"
#include "model/layer_catalog.hpp"
#include "store/served_feature.hpp"

namespace minqing::query {

class AdmittedCopies {
 public:
  explicit AdmittedCopies(const model::LayerCatalog& catalog);
  ~AdmittedCopies();
  AdmittedCopies(const AdmittedCopies&) = delete;
  AdmittedCopies& operator=(const AdmittedCopies&) = delete;

  // One feature to be read through a grant that is not all_full.
  struct Request {
    const access::FieldGrant* grant;
    store::ServedFeaturePtr* feature;  // the served feature in; its caller's copy out
  };

  // Replaces each request's served feature by its copy read through the request's grant, kept or
  // made now. `class_features` (the class's feature count) bounds what is kept.
  void admit(const model::FeatureClassDef& def, std::span<const Request> requests, std::size_t class_features);

  // Copies kept, over all classes (for tests).
  std::size_t size() const;

 private:
  struct ClassCopies;
  ClassCopies& copies_of(std::string_view class_name) const;

  std::vector<std::unique_ptr<ClassCopies>> m_classes;  // catalog order
  std::unordered_map<std::string_view, ClassCopies*> m_by_name;
};

}  // namespace minqing::query
