#pragma once
// The access scopes of signed-in accounts, built once per account state and shared by its
// requests. A Scope depends only on the policy and the account's username, role and assignment,
// and is immutable; building one per request (strings, sets, its cache key) and the views made from
// it were most of what a signed-in request cost beyond an anonymous one (issue 12, warm cache).
// A changed role or assignment is a different key, so it gets a new scope at once. Thread-safe;
// bounded (cleared when full).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "access/assignment.hpp"
#include "access/policy.hpp"
#include "access/scope.hpp"

namespace minqing::access {

class UserScopes {
 public:
  explicit UserScopes(const Policy& policy, std::size_t capacity = 4096) noexcept
      : m_policy(policy), m_capacity(capacity) {}

  // Scope::for_user(policy, username, role, assignment), shared. @throws what for_user throws.
  std::shared_ptr<const Scope> of(const std::string& username, std::string_view role,
                                  const Assignment& assignment);

 private:
  const Policy& m_policy;
  std::size_t m_capacity;
  std::mutex m_mutex;
  std::unordered_map<std::string, std::shared_ptr<const Scope>> m_scopes;
};

}  // namespace minqing::access
