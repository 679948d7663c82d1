#include "backup/audit_copy.hpp"

#include <cerrno>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/audit_log.hpp"
#include "backup/file_ops.hpp"
#include "base/error.hpp"

namespace minqing::backup {

namespace {

bool same_inode(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// Bytes of `fd` up to and including its last '\n' (0 when it has none).
std::uint64_t complete_lines_size(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw StoreError("cannot stat " + path.string());
  std::uint64_t end = static_cast<std::uint64_t>(st.st_size);
  char buf[4096];
  while (end > 0) {
    const std::uint64_t start = end > sizeof buf ? end - sizeof buf : 0;
    const auto want = static_cast<std::size_t>(end - start);
    const ssize_t n = ::pread(fd, buf, want, static_cast<off_t>(start));
    if (n != static_cast<ssize_t>(want)) throw StoreError("cannot read " + path.string());
    for (std::size_t i = want; i > 0; --i) {
      if (buf[i - 1] == '\n') return start + i;
    }
    end = start;
  }
  return 0;
}

}  // namespace

AuditCopy copy_audit_log(const std::filesystem::path& active, const std::filesystem::path& dest_dir) {
  AuditCopy out;
  std::set<std::string> copied;
  const auto copy_rotated = [&](const std::filesystem::path& f) {
    const std::string name = f.filename().string();
    if (copied.count(name)) return;
    copy_file_synced(f, dest_dir / name);
    copied.insert(name);
    out.files.push_back(name);
  };
  // Rotated files first, without holding up appends: they never change.
  for (const auto& f : access::AuditLog::files(active)) {
    if (f != active) copy_rotated(f);
  }
  for (;;) {
    const FileDescriptor file(::open(active.c_str(), O_RDONLY | O_CLOEXEC));  // flocked below
    if (file.get() < 0) {
      if (errno == ENOENT) break;  // no active file (a log never written to): nothing more
      throw StoreError("cannot open the audit log " + active.string() + ": " + std::strerror(errno));
    }
    if (::flock(file.get(), LOCK_SH) != 0) throw StoreError("cannot lock the audit log " + active.string());
    struct stat locked {}, named {};
    if (::fstat(file.get(), &locked) != 0 || ::stat(active.c_str(), &named) != 0 || !same_inode(locked, named)) {
      continue;  // rotated while we waited for the lock: the path names a new file now
    }
    // Rotated since the first pass (a rotation cannot happen while the lock is held).
    bool active_is_rotated = false;
    for (const auto& f : access::AuditLog::files(active)) {
      if (f == active) continue;
      struct stat r {};
      if (::stat(f.c_str(), &r) == 0 && same_inode(r, locked)) active_is_rotated = true;  // rotation cut short
      copy_rotated(f);
    }
    if (!active_is_rotated) {
      copy_fd_synced(file.get(), active, dest_dir / active.filename(), complete_lines_size(file.get(), active));
      out.files.push_back(active.filename().string());
    }
    break;
  }
  if (!out.files.empty()) {
    sync_path(dest_dir);
    const auto verified = access::AuditLog::verify(dest_dir / active.filename());
    out.entries = verified.entries;
    out.chain_ok = verified.ok;
    if (!verified.ok) out.chain_problem = verified.file.filename().string() + " line " +
                                          std::to_string(verified.first_bad_line) + ": " + verified.reason;
  }
  return out;
}

}  // namespace minqing::backup
