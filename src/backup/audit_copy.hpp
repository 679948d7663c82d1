#pragma once
// The audit log copied into a backup while the server keeps appending to it.
//
// The log is hash-chained JSON lines in an active file and its rotated files (access/audit_log.hpp).
// Rotated files never change, so they are copied as they are; the active file is copied under a
// shared flock — AuditLog::append holds the exclusive one while it writes a line and while it
// rotates — after checking that the path still names the locked file (else a rotation happened:
// start over). The copy stops at the last complete line, so a line being written by a process that
// does not lock is never half in the backup. The set copied is then the log as of one moment, and
// its chain is verified on the copy (AuditLog::verify).
//
// Thread-safety: any thread may call it; it blocks appends only while it copies the active file.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace minqing::backup {

struct AuditCopy {
  std::vector<std::string> files;  // names copied into the destination, rotated oldest first, active last
  std::uint64_t entries = 0;       // entries in the copy
  bool chain_ok = false;           // AuditLog::verify of the copy
  std::string chain_problem;       // why not, naming the file and line; "" when ok
};

// Copies the log whose active file is `active` into `dest_dir` (existing), under the same names.
// @throws StoreError naming the file that cannot be read or written.
AuditCopy copy_audit_log(const std::filesystem::path& active, const std::filesystem::path& dest_dir);

}  // namespace minqing::backup
