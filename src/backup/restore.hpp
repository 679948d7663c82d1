#pragma once
// Putting a backup (backup/backup.hpp) back in place of a store's files.
//
// Nothing is touched before the whole backup has been checked: every file the manifest lists is
// present with its size and SHA-256, the store and the auth database pass PRAGMA integrity_check.
// A backup that fails is refused (RestoreRefused) with a message naming the file. Then:
//   1. the store must not be in use: the exclusive store lock (backup/store_lock.hpp), which
//      `minqing serve` holds shared, and no other process with it open in WAL mode;
//   2. the backup's files are copied beside their targets (<target>.restoring) and checked again;
//   3. the current files — the store with its -wal/-shm/-journal, the auth database likewise, the
//      audit log with its rotated files, the DEM directory — are moved into
//      <store dir>/<store name>.before-restore-<time>/ (never deleted), and the copies renamed
//      into place. Each rename is atomic; if one fails, what was moved is moved back.
//   4. the restored store is checked once more, and the restore is written to the restored audit
//      log ("backup_restored": which backup, where the replaced files went), continuing its chain.
// Only the parts the backup holds are replaced: a backup without DEMs leaves the DEMs as they are.
//
// Thread-safety: not for concurrent use on one store (the store lock keeps two restores apart).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "backup/backup.hpp"
#include "backup/manifest.hpp"
#include "base/error.hpp"

namespace minqing::backup {

// A backup that may not be restored (corrupted, incomplete) or a store that may not be replaced
// now (in use, exists without --force). The message names the file.
class RestoreRefused : public Error {
 public:
  using Error::Error;
};

// Checks the backup in `dir` without changing anything; returns its manifest.
// @throws RestoreRefused naming the first file that is missing, of the wrong size, whose SHA-256
//         differs from the manifest's, or that fails PRAGMA integrity_check.
Manifest verify_backup(const std::filesystem::path& dir);

struct RestoreOptions {
  bool force = false;        // replace a store that exists (else: refused, saying what would happen)
  std::string actor = "cli";  // who restores, for the audit entry
};

struct RestoreResult {
  Manifest manifest;
  std::filesystem::path moved_aside;    // where the replaced files are now; "" when there were none
  std::vector<std::string> replaced;    // the parts put back: store, auth, audit, dem
  std::string warning;                  // the restore is done, but its audit entry is not ("" when it is)
};

// Verifies the backup in `dir` and puts it in place of `targets`.
// @throws RestoreRefused (nothing changed) as above; StoreError when a file operation fails midway
//         (then what had been moved aside is moved back).
RestoreResult restore_backup(const std::filesystem::path& dir, const StoreFiles& targets, const RestoreOptions& options,
                             std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace minqing::backup
