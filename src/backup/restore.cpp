#include "backup/restore.hpp"

#include <optional>
#include <utility>

#include "access/audit_log.hpp"
#include "backup/file_ops.hpp"
#include "backup/sqlite_snapshot.hpp"
#include "backup/store_lock.hpp"

namespace minqing::backup {

namespace {

namespace fs = std::filesystem;

// A manifest path that stays inside the backup directory.
bool safe_relative(const std::string& p) {
  const fs::path path(p);
  if (p.empty() || path.is_absolute()) return false;
  for (const auto& part : path) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

// One file (or the DEM directory) to put in place.
struct Placement {
  fs::path source;  // in the backup
  std::string sha256;
  fs::path target;
  fs::path staged;  // <target>.restoring
};

// The renames done so far, undone in reverse order when a later one fails.
class Journal {
 public:
  void move(const fs::path& from, const fs::path& to) {
    rename_synced(from, to);
    m_done.emplace_back(from, to);
  }
  void undo() noexcept {
    for (auto it = m_done.rbegin(); it != m_done.rend(); ++it) {
      std::error_code ec;
      fs::rename(it->second, it->first, ec);
    }
    m_done.clear();
  }

 private:
  std::vector<std::pair<fs::path, fs::path>> m_done;
};

// The SQLite files that belong with database `db` (its journal, WAL and shared memory).
std::vector<fs::path> with_companions(const fs::path& db) {
  return {db, db.string() + "-wal", db.string() + "-shm", db.string() + "-journal"};
}

// Where the backup's audit file `name` goes: the active file to `target`, rotated file N (of at most
// `files`) to target's rotated name N.
fs::path audit_target(const std::string& name, const fs::path& source_active, const fs::path& target,
                      std::size_t files) {
  if (name == source_active.filename().string()) return target;
  for (std::uint64_t n = 1; n <= files; ++n) {
    if (access::AuditLog::rotated_path(source_active, n).filename().string() == name) {
      return access::AuditLog::rotated_path(target, n);
    }
  }
  return target.parent_path() / name;
}

}  // namespace

Manifest verify_backup(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw RestoreRefused("no backup at " + dir.string() + ": not a directory");
  Manifest m;
  try {
    m = read_manifest(dir);
  } catch (const DataError& e) {
    throw RestoreRefused(std::string("refusing to restore: ") + e.what());
  }
  std::size_t stores = 0;
  for (const auto& f : m.files) {
    if (!safe_relative(f.path)) {
      throw RestoreRefused("refusing to restore: the manifest names a file outside the backup: " + f.path);
    }
    if (f.role == "store") ++stores;
    const fs::path p = dir / f.path;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      throw RestoreRefused("refusing to restore: the backup is incomplete: " + f.path + " is missing");
    }
    if (fs::file_size(p, ec) != f.bytes) {
      throw RestoreRefused("refusing to restore: " + f.path + " is corrupted: " +
                           std::to_string(fs::file_size(p, ec)) + " bytes, the manifest says " +
                           std::to_string(f.bytes));
    }
    if (const std::string sum = sha256_file(p); sum != f.sha256) {
      throw RestoreRefused("refusing to restore: " + f.path + " is corrupted: its SHA-256 is " + sum +
                           ", the manifest says " + f.sha256);
    }
  }
  if (stores != 1 || !m.has_role("store")) {
    throw RestoreRefused("refusing to restore: the manifest lists no store file (" + std::string(kStoreFile) + ")");
  }
  for (const auto& f : m.files) {
    if (f.role != "store" && f.role != "auth") continue;
    if (const std::string check = integrity_check(dir / f.path); check != "ok") {
      throw RestoreRefused("refusing to restore: " + f.path + " fails PRAGMA integrity_check: " + check);
    }
  }
  return m;
}

RestoreResult restore_backup(const fs::path& dir, const StoreFiles& targets, const RestoreOptions& options,
                             std::chrono::system_clock::time_point now) {
  RestoreResult result;
  result.manifest = verify_backup(dir);
  const Manifest& m = result.manifest;

  // Nobody may be using the store while its files are swapped.
  if (fs::exists(targets.store) && !options.force) {
    throw RestoreRefused("refusing to restore: " + targets.store.string() +
                         " exists; pass --force to replace it (its files are moved aside, not deleted)");
  }
  if (!targets.store.parent_path().empty()) fs::create_directories(targets.store.parent_path());
  std::optional<StoreLock> lock = StoreLock::try_exclusive(targets.store);
  if (!lock) {
    throw RestoreRefused("refusing to restore: a server (minqing serve) has " + targets.store.string() +
                         " open (" + lock_path(targets.store).string() + " is locked); stop it first");
  }
  for (const auto& db : {targets.store, targets.auth_db}) {
    if (open_elsewhere_in_wal_mode(db)) {
      throw RestoreRefused("refusing to restore: another process has " + db.string() + " open; stop it first");
    }
  }

  // What goes where.
  std::vector<Placement> files;
  bool has_dem = false;
  const fs::path source_audit = m.source.count("audit") ? fs::path(m.source.at("audit")) : targets.audit_log;
  std::size_t audit_files = 0;
  for (const auto& f : m.files) audit_files += f.role == "audit" ? 1 : 0;
  for (const auto& f : m.files) {
    const fs::path from = dir / f.path;
    fs::path to;
    if (f.role == "store") to = targets.store;
    else if (f.role == "auth") to = targets.auth_db;
    else if (f.role == "audit") to = audit_target(from.filename().string(), source_audit, targets.audit_log, audit_files);
    else if (f.role == "dem") { has_dem = true; continue; }
    else continue;
    files.push_back({from, f.sha256, to, to.string() + ".restoring"});
  }
  const fs::path dem_staged = targets.dem_dir.string() + ".restoring";

  // Stage every file beside its target (same file system: the swap is renames), checked again.
  const auto unstage = [&] {
    std::error_code ec;
    for (const auto& p : files) fs::remove(p.staged, ec);
    fs::remove_all(dem_staged, ec);
  };
  try {
    unstage();  // left by a restore cut short
    for (const auto& p : files) {
      if (!p.target.parent_path().empty()) fs::create_directories(p.target.parent_path());
      copy_file_synced(p.source, p.staged);
      if (sha256_file(p.staged) != p.sha256) throw StoreError("the copy " + p.staged.string() + " differs from " + p.source.string());
    }
    if (has_dem) {
      make_private_dir(dem_staged);
      for (const auto& f : m.files) {
        if (f.role != "dem") continue;
        const fs::path rel = fs::relative(dir / f.path, dir / kDemDir);
        const fs::path to = dem_staged / rel;
        make_private_dir(to.parent_path());
        copy_file_synced(dir / f.path, to);
        if (sha256_file(to) != f.sha256) throw StoreError("the copy " + to.string() + " differs from " + f.path);
      }
      sync_path(dem_staged);
    }
  } catch (...) {
    unstage();
    throw;
  }

  // Swap: the current files aside, the staged ones in.
  const fs::path aside = targets.store.parent_path() / (targets.store.filename().string() + ".before-restore-" + utc_stamp(now));
  Journal journal;
  try {
    std::vector<fs::path> current;
    for (const auto& p : with_companions(targets.store)) current.push_back(p);
    if (m.has_role("auth")) {
      for (const auto& p : with_companions(targets.auth_db)) current.push_back(p);
    }
    if (m.has_role("audit")) {
      for (const auto& p : access::AuditLog::files(targets.audit_log)) current.push_back(p);
      current.push_back(targets.audit_log);
    }
    if (has_dem) current.push_back(targets.dem_dir);
    bool made_aside = false;
    for (const auto& p : current) {
      std::error_code ec;
      if (!fs::exists(fs::symlink_status(p, ec))) continue;
      if (!made_aside) {
        make_private_dir(aside);
        made_aside = true;
      }
      fs::path to = aside / p.filename();
      for (int n = 2; fs::exists(to); ++n) to = aside / (p.filename().string() + "." + std::to_string(n));
      journal.move(p, to);
    }
    if (made_aside) result.moved_aside = aside;
    for (const auto& p : files) journal.move(p.staged, p.target);
    if (has_dem) journal.move(dem_staged, targets.dem_dir);
  } catch (...) {
    journal.undo();
    unstage();
    throw;
  }
  for (const char* role : {"store", "auth", "audit", "dem"}) {
    if (m.has_role(role)) result.replaced.emplace_back(role);
  }

  if (const std::string check = integrity_check(targets.store); check != "ok") {
    throw StoreError("the restored store " + targets.store.string() + " fails PRAGMA integrity_check: " + check +
                     "; the files it replaced are in " + aside.string());
  }
  // The restore itself goes into the (restored) audit log, continuing its chain.
  nlohmann::json detail = {{"backup", m.id}, {"from", fs::absolute(dir).string()}, {"replaced", result.replaced}};
  if (!result.moved_aside.empty()) detail["moved_aside"] = result.moved_aside.string();
  try {
    access::AuditLog audit(targets.audit_log);
    audit.append({options.actor, "cli", "backup_restored", detail}, now);
  } catch (const StoreError& e) {
    result.warning = std::string("the restore could not be written to the audit log: ") + e.what();
  }
  return result;
}

}  // namespace minqing::backup
