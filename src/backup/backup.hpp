#pragma once
// A backup (备用) of everything a county's maps need to come back after a lost disk: the feature
// store (GeoPackage), the auth database, the audit log and the village DEMs, copied while a server
// keeps serving and writing, into a new directory <out>/<id> with a manifest (backup/manifest.hpp)
// holding each file's size and SHA-256.
//
//   <out>/20261201T204512Z/           mode 0700, the id is the UTC time it was started
//     manifest.json                   written last: a directory without one is not a backup
//     store.gpkg                      snapshot as of one commit (backup/sqlite_snapshot.hpp)
//     auth.sqlite                     the same, for the auth database
//     audit/<name>.jsonl …            the audit log and its rotated files (backup/audit_copy.hpp)
//     dem/<village_code>.tif …        the DEM rasters (written only by import: copied as files)
//
// A backup is built in <out>/.<id>.partial and renamed to <out>/<id> once its manifest is on disk,
// so a crash leaves at worst a .partial directory, which is never listed, rotated or restored.
//
// Thread-safety: the functions share no state; two backups into one directory get different ids
// (reserve_backup creates the directory that claims the id).

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "backup/manifest.hpp"

namespace minqing::backup {

// Where the parts of one store live: what a backup copies and a restore puts back.
struct StoreFiles {
  std::filesystem::path store;      // the GeoPackage
  std::filesystem::path auth_db;    // may not exist yet (no account made)
  std::filesystem::path audit_log;  // the active file; may not exist yet
  std::filesystem::path dem_dir;    // may not exist (a store without DEMs)

  // The parts of `store` where `minqing serve` keeps them: <store>.auth.sqlite,
  // <store>.audit.jsonl (access/locations.hpp) and <dir>/<stem>.dem; `auth_db` / `audit_log`
  // override them as serve's --auth / --audit do.
  static StoreFiles for_store(const std::filesystem::path& store, const std::filesystem::path& auth_db = {},
                                 const std::filesystem::path& audit_log = {});
};

// Where `minqing serve` keeps backups unless told: <dir>/<stem>.backups beside the store (as its
// DEMs are in <dir>/<stem>.dem).
std::filesystem::path default_backup_dir(const std::filesystem::path& store);

// "20261201T204512Z": `now` in UTC to the second, as backup ids and restore's aside directory use it.
std::string utc_stamp(std::chrono::system_clock::time_point now);

// Claims a new id for a backup started at `now` by creating <out>/.<id>.partial (mode 0700; <out>
// is created 0700 when missing). The id is the time (20261201T204512Z), with -2, -3 … when a
// backup of the same second exists. @throws StoreError when <out> cannot be written.
std::string reserve_backup(const std::filesystem::path& out, std::chrono::system_clock::time_point now);

// Fills the reserved backup `id` from `sources` and renames it to <out>/<id>; returns its manifest.
// On failure removes <out>/.<id>.partial and throws StoreError naming the part that failed (a
// store that cannot be read is an error; a missing auth database, audit log or DEM directory is
// left out of the backup).
Manifest create_backup(const StoreFiles& sources, const std::filesystem::path& out, const std::string& id,
                       std::chrono::system_clock::time_point now);

// reserve_backup then create_backup.
Manifest make_backup(const StoreFiles& sources, const std::filesystem::path& out,
                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// True for a name a backup directory may have (20261201T204512Z or 20261201T204512Z-2).
bool is_backup_id(const std::string& name);

struct BackupEntry {
  std::filesystem::path dir;
  Manifest manifest;
};

// The complete backups in `out` (directories named by an id, holding a manifest of this format),
// oldest first. Anything else in `out` is ignored. A missing `out` has none.
std::vector<BackupEntry> list_backups(const std::filesystem::path& out);

// Removes the oldest complete backups of `out` until `keep` remain, never the backup `protect`
// (the one just made) nor anything list_backups does not list. keep 0: removes nothing.
// Returns the ids removed. @throws StoreError when one cannot be removed.
std::vector<std::string> rotate_backups(const std::filesystem::path& out, std::size_t keep,
                                        const std::string& protect);

}  // namespace minqing::backup
