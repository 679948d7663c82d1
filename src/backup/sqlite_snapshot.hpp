#pragma once
// SQLite files (the GeoPackage, the auth database) copied while a server keeps reading and writing
// them, and checked. The one place in backup/ that speaks to SQLite.
//
// A snapshot is SQLite's online backup API run in a single step: every page is copied inside one
// read transaction, so the copy is the database as of one commit — every transaction committed
// before the snapshot began is in it, none that commits during it is, and none is ever half in.
// In WAL mode (the server's writing mode) the reader does not block writers, nor they it; in
// rollback-journal mode a writer's commit waits for the copy (and the copy for a commit) through
// the busy timeouts. The copy is then made self-contained (journal_mode=DELETE: no -wal file
// belongs to it), checked with PRAGMA integrity_check and fsync'ed.
//
// Thread-safety: every function opens its own connections; any thread may call them.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace minqing::backup {

// Copies the database `source` to the new file `dest` (which must not exist) as of one commit.
// Waits up to `busy` for a writer's lock (rollback-journal mode only).
// @throws StoreError naming `source` when it cannot be read or `dest` written, or when the copy
//         fails its integrity check.
void snapshot_database(const std::filesystem::path& source, const std::filesystem::path& dest,
                       std::chrono::milliseconds busy = std::chrono::seconds(60));

// "ok", or what PRAGMA integrity_check found first (or why the file cannot be opened as a
// database). Opens `db` read-only; never throws.
std::string integrity_check(const std::filesystem::path& db);

// Rows in each feature table of the GeoPackage `gpkg` (gpkg_contents with data_type 'features').
// @throws StoreError when it is not a GeoPackage.
std::map<std::string, std::int64_t> feature_counts(const std::filesystem::path& gpkg);

}  // namespace minqing::backup
