#include "backup/backup.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <sys/stat.h>

#include "access/audit_log.hpp"
#include "access/locations.hpp"
#include "backup/audit_copy.hpp"
#include "backup/file_ops.hpp"
#include "backup/sqlite_snapshot.hpp"
#include "base/error.hpp"
#include "store/feature_store.hpp"

namespace minqing::backup {

namespace {

std::filesystem::path partial_dir(const std::filesystem::path& out, const std::string& id) {
  return out / ("." + id + ".partial");
}

ManifestFile describe(const std::filesystem::path& root, const std::filesystem::path& file, const std::string& role) {
  return {std::filesystem::relative(file, root).generic_string(), role,
          static_cast<std::uint64_t>(std::filesystem::file_size(file)), sha256_file(file)};
}

// Every regular file under `from`, copied to the same relative path under `to`.
std::vector<std::filesystem::path> copy_tree(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::vector<std::filesystem::path> out;
  make_private_dir(to);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(from)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const auto target = to / std::filesystem::relative(f, from);
    make_private_dir(target.parent_path());
    copy_file_synced(f, target);
    out.push_back(target);
  }
  sync_path(to);
  return out;
}

// (created, the id's -N suffix): oldest first, the order backups were made in.
bool older(const BackupEntry& a, const BackupEntry& b) {
  const auto suffix = [](const std::string& id) {
    const auto dash = id.find('-');
    return dash == std::string::npos ? 1L : std::stol(id.substr(dash + 1));
  };
  if (a.manifest.created != b.manifest.created) return a.manifest.created < b.manifest.created;
  return suffix(a.manifest.id) < suffix(b.manifest.id);
}

}  // namespace

StoreFiles StoreFiles::for_store(const std::filesystem::path& store, const std::filesystem::path& auth_db,
                                       const std::filesystem::path& audit_log) {
  StoreFiles s;
  s.store = store;
  s.auth_db = auth_db.empty() ? access::default_auth_path(store) : auth_db;
  s.audit_log = audit_log.empty() ? access::default_audit_path(s.auth_db) : audit_log;
  s.dem_dir = store::relief_directory_of(store.string());
  return s;
}

std::string utc_stamp(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::filesystem::path default_backup_dir(const std::filesystem::path& store) {
  return store.parent_path() / (store.stem().string() + ".backups");
}

bool is_backup_id(const std::string& name) {
  // YYYYMMDDTHHMMSSZ, optionally -N
  if (name.size() < 16) return false;
  for (std::size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    const bool ok = i == 8 ? c == 'T' : i == 15 ? c == 'Z' : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  if (name.size() == 16) return true;
  if (name[16] != '-' || name.size() == 17 || name.size() > 22) return false;
  return std::all_of(name.begin() + 17, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string reserve_backup(const std::filesystem::path& out, std::chrono::system_clock::time_point now) {
  make_private_dir(out);
  const std::string base = utc_stamp(now);
  for (int n = 1; n < 100000; ++n) {
    const std::string id = n == 1 ? base : base + "-" + std::to_string(n);
    if (std::filesystem::exists(out / id)) continue;
    if (::mkdir(partial_dir(out, id).c_str(), 0700) == 0) {
      ::chmod(partial_dir(out, id).c_str(), 0700);
      return id;
    }
    if (errno != EEXIST) {
      throw StoreError("cannot create a backup in " + out.string() + ": " + std::strerror(errno));
    }
  }
  throw StoreError("cannot create a backup in " + out.string() + ": no free name");
}

Manifest create_backup(const StoreFiles& sources, const std::filesystem::path& out, const std::string& id,
                       std::chrono::system_clock::time_point now) {
  const auto started = std::chrono::steady_clock::now();
  const auto work = partial_dir(out, id);
  try {
    if (!std::filesystem::is_regular_file(sources.store)) {
      throw StoreError("the store " + sources.store.string() + " does not exist");
    }
    Manifest m;
    m.id = id;
    m.created = access::iso8601_utc(now);
    m.tool = std::string("minqing ") + MINQING_VERSION;

    // The store first: the moment it is read is the moment the backup stands for.
    snapshot_database(sources.store, work / kStoreFile);
    m.source["store"] = std::filesystem::absolute(sources.store).string();
    m.store_integrity = "ok";  // snapshot_database checked it
    m.feature_counts = feature_counts(work / kStoreFile);
    m.files.push_back(describe(work, work / kStoreFile, "store"));

    if (std::filesystem::is_regular_file(sources.auth_db)) {
      snapshot_database(sources.auth_db, work / kAuthFile);
      m.source["auth"] = std::filesystem::absolute(sources.auth_db).string();
      m.auth_integrity = "ok";
      m.files.push_back(describe(work, work / kAuthFile, "auth"));
    }

    if (!access::AuditLog::files(sources.audit_log).empty()) {
      make_private_dir(work / kAuditDir);
      const AuditCopy audit = copy_audit_log(sources.audit_log, work / kAuditDir);
      m.source["audit"] = std::filesystem::absolute(sources.audit_log).string();
      m.has_audit = true;
      m.audit_entries = audit.entries;
      m.audit_chain = audit.chain_ok ? "ok" : audit.chain_problem;
      for (const auto& name : audit.files) m.files.push_back(describe(work, work / kAuditDir / name, "audit"));
    }

    if (std::filesystem::is_directory(sources.dem_dir)) {
      m.source["dem"] = std::filesystem::absolute(sources.dem_dir).string();
      for (const auto& f : copy_tree(sources.dem_dir, work / kDemDir)) m.files.push_back(describe(work, f, "dem"));
    }

    m.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    write_manifest(work, m);
    sync_path(work);
    rename_synced(work, out / id);
    return m;
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
    throw;
  }
}

Manifest make_backup(const StoreFiles& sources, const std::filesystem::path& out,
                     std::chrono::system_clock::time_point now) {
  return create_backup(sources, out, reserve_backup(out, now), now);
}

std::vector<BackupEntry> list_backups(const std::filesystem::path& out) {
  std::vector<BackupEntry> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(out, ec)) {
    const std::string name = e.path().filename().string();
    if (!is_backup_id(name) || !e.is_directory()) continue;
    try {
      Manifest m = read_manifest(e.path());
      if (m.id != name) continue;  // a copy renamed by hand: not ours to rotate
      found.push_back({e.path(), std::move(m)});
    } catch (const Error&) {
      // no manifest, or not ours: not a backup
    }
  }
  std::sort(found.begin(), found.end(), older);
  return found;
}

std::vector<std::string> rotate_backups(const std::filesystem::path& out, std::size_t keep,
                                        const std::string& protect) {
  std::vector<std::string> removed;
  if (keep == 0) return removed;
  std::vector<BackupEntry> all = list_backups(out);
  std::size_t remaining = all.size();
  for (const auto& b : all) {  // oldest first
    if (remaining <= keep) break;
    if (b.manifest.id == protect) continue;
    std::error_code ec;
    std::filesystem::remove_all(b.dir, ec);
    if (ec) throw StoreError("cannot remove the old backup " + b.dir.string() + ": " + ec.message());
    removed.push_back(b.manifest.id);
    --remaining;
  }
  if (!removed.empty()) sync_path(out);
  return removed;
}

}  // namespace minqing::backup
