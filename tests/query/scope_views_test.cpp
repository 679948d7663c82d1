// Class views made once per scope and shared: the same views as class_views() gives, one set per
// scope object, and never another scope's.

#include <memory>
#include <new>

#include <catch2/catch.hpp>

#include "access/policy.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "query/class_view.hpp"
#include "query/scope_views.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

bool same_views(const std::vector<query::ClassView>& a, const std::vector<query::ClassView>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].def != b[i].def || a[i].scope != b[i].scope || a[i].fields != b[i].fields ||
        a[i].access != b[i].access || a[i].queryable != b[i].queryable || a[i].confidential() != b[i].confidential()) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("a scope's class views are made once, shared, and never another scope's", "[query][scope]") {
  const auto catalog = model::LayerCatalog::load_directory(test::layers_dir());
  const auto policy = access::Policy::load(test::source_dir() / "policy" / "policy.json", catalog);
  query::ScopeViews views(catalog);
  const auto anonymous = std::make_shared<const access::Scope>(access::Scope::anonymous(policy));
  const auto admin = std::make_shared<const access::Scope>(access::Scope::for_user(policy, "admin", "county_admin", {}));

  const auto a = views.of(*anonymous);
  CHECK(views.of(*anonymous) == a);  // shared
  CHECK(same_views(*a, query::class_views(catalog, *anonymous)));
  const auto b = views.of(*admin);
  CHECK(b != a);
  CHECK(same_views(*b, query::class_views(catalog, *admin)));
  CHECK(b->size() > a->size());  // the administrator sees key_persons, the public does not

  // A scope made at the address of a freed one (forced here with placement new) but with other
  // access gets its own views, not the freed scope's.
  alignas(access::Scope) unsigned char storage[sizeof(access::Scope)];
  auto* first = new (storage) access::Scope(access::Scope::for_user(policy, "admin", "county_admin", {}));
  const auto kept = views.of(*first);
  first->~Scope();
  auto* second = new (storage) access::Scope(
      access::Scope::for_user(policy, "cadre", "village_cadre", {"", "331124207201", {}}));
  const auto c = views.of(*second);
  CHECK(c != kept);
  CHECK(same_views(*c, query::class_views(catalog, *second)));
  second->~Scope();
}
