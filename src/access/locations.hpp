#pragma once
// Where the auth database and the audit log live unless told otherwise: beside the map store they
// guard, so that one store's accounts never open another's maps.
//   <store>                 villages.gpkg
//   <store>.auth.sqlite     accounts, sessions, login attempts (access/auth_db.hpp)
//   <store>.audit.jsonl     the audit log (access/audit_log.hpp)
// `minqing serve` and `minqing user|audit` use the same rule; both take --auth / --audit to
// override.

#include <filesystem>
#include <string>

namespace minqing::access {

inline std::filesystem::path default_auth_path(const std::filesystem::path& store) {
  return std::filesystem::path(store.string() + ".auth.sqlite");
}

// Beside the auth database: <x>.auth.sqlite → <x>.audit.jsonl, anything else → <file>.audit.jsonl.
inline std::filesystem::path default_audit_path(const std::filesystem::path& auth_db) {
  const std::string s = auth_db.string();
  const std::string suffix = ".auth.sqlite";
  if (s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return std::filesystem::path(s.substr(0, s.size() - suffix.size()) + ".audit.jsonl");
  }
  return std::filesystem::path(s + ".audit.jsonl");
}

}  // namespace minqing::access
