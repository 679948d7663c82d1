#include "access/user_scopes.hpp"

namespace minqing::access {

std::shared_ptr<const Scope> UserScopes::of(const std::string& username, std::string_view role,
                                            const Assignment& assignment) {
  // Unit separators cannot occur in usernames, roles or area codes (all validated), so the key
  // names exactly one account state.
  std::string key;
  key.reserve(username.size() + role.size() + 64);
  key += username;
  key += '\x1f';
  key += role;
  key += '\x1f';
  key += assignment.township;
  key += '\x1f';
  key += assignment.village_code;
  for (const auto& g : assignment.grid_ids) {
    key += '\x1f';
    key += g;
  }
  std::lock_guard lock(m_mutex);
  if (const auto it = m_scopes.find(key); it != m_scopes.end()) return it->second;
  auto scope = std::make_shared<const Scope>(Scope::for_user(m_policy, username, role, assignment));
  if (m_scopes.size() >= m_capacity) m_scopes.clear();
  m_scopes.emplace(std::move(key), scope);
  return scope;
}

}  // namespace minqing::access
