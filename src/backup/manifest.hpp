#pragma once
// manifest.json: what a backup holds, written last, so that a backup directory without one is
// incomplete by definition.
//
//   {"format": "minqing-backup/1", "id": "20261201T204512Z", "created": "2026-12-01T20:45:12.345Z",
//    "tool": "minqing 0.1.0", "duration_ms": 812,
//    "source": {"store": "/srv/villages.gpkg", "auth": "…", "audit": "…", "dem": "…/villages.dem"},
//    "files": [{"path": "store.gpkg", "role": "store", "bytes": 1234, "sha256": "…"}, …],
//    "store": {"integrity_check": "ok", "feature_counts": {"households": 412, …}, "features": 5120},
//    "auth":  {"integrity_check": "ok"},
//    "audit": {"entries": 321, "chain": "ok"}}
//
// `role` is one of store | auth | audit | dem; paths are relative to the backup directory, with
// '/' (audit/… and dem/… below their own directories). The parts the source did not have (no auth
// database yet, no DEMs) have no files and no section.
//
// Thread-safety: plain values.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace minqing::backup {

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kManifestFormat = "minqing-backup/1";

// Names inside a backup directory.
inline constexpr const char* kStoreFile = "store.gpkg";
inline constexpr const char* kAuthFile = "auth.sqlite";
inline constexpr const char* kAuditDir = "audit";
inline constexpr const char* kDemDir = "dem";

struct ManifestFile {
  std::string path;  // relative, '/'-separated
  std::string role;  // store | auth | audit | dem
  std::uint64_t bytes = 0;
  std::string sha256;
};

struct Manifest {
  std::string id;
  std::string created;  // ISO 8601 UTC with milliseconds
  std::string tool;
  std::int64_t duration_ms = 0;
  std::map<std::string, std::string> source;  // role → the path it was copied from
  std::vector<ManifestFile> files;
  std::map<std::string, std::int64_t> feature_counts;
  std::string store_integrity;
  std::string auth_integrity;  // "" when there is no auth database
  bool has_audit = false;
  std::uint64_t audit_entries = 0;
  std::string audit_chain;  // "ok", or where the chain breaks

  std::uint64_t total_bytes() const;
  bool has_role(const std::string& role) const;
  nlohmann::json to_json() const;
  // @throws DataError naming the member that is missing or of the wrong type.
  static Manifest from_json(const nlohmann::json& j);
};

// Reads <dir>/manifest.json. @throws DataError when it is missing ("incomplete backup") or not a
// manifest of this format.
Manifest read_manifest(const std::filesystem::path& dir);

// Writes <dir>/manifest.json durably (a temporary file renamed into place, then fsync'ed).
void write_manifest(const std::filesystem::path& dir, const Manifest& m);

}  // namespace minqing::backup
