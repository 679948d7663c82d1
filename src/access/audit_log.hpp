#pragma once
// The audit log: an append-only file of JSON lines, one entry per key-persons access, login,
// failed login, logout and account change (issue 4). Each entry is
//   {"action","address","detail","prev_hash","seq","time","user", …,"hash"}
// where `hash` = SHA-256 hex over prev_hash + the entry's canonical text (the line without its
// final ,"hash":"…" member), and prev_hash is the hash of the line before ("0"×64 for the first).
// Removing, editing, reordering or cutting off a line breaks the chain, and verify() names the
// first line where it breaks. (Cutting off whole lines at the end is only visible against a
// remembered last seq/hash — keep verify()'s `last_hash` somewhere else if that matters.)
//
// Never write passwords, tokens, cookies or hashes into an entry: append() replaces any detail
// member whose key names one ("password", "token", "cookie", "authorization", "secret", "hash")
// with "[removed]" as a second line of defence.
//
// Thread-safety: one AuditLog may be shared by all threads (a mutex serialises appends). Several
// processes may append to the same file: each append takes an exclusive flock and re-reads the
// last line, so the chain stays whole. Every line is flushed and, when `durable`, fdatasync'ed
// before append() returns.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace minqing::access {

// Actions the project writes; free text is allowed, these are the names to use.
namespace audit_action {
inline constexpr const char* login = "login";
inline constexpr const char* login_failed = "login_failed";
inline constexpr const char* logout = "logout";
inline constexpr const char* account_change = "account_change";
inline constexpr const char* key_persons_tile = "key_persons_tile";
inline constexpr const char* key_persons_query = "key_persons_query";
inline constexpr const char* key_persons_identify = "key_persons_identify";
inline constexpr const char* key_persons_sheet = "key_persons_sheet";
}  // namespace audit_action

struct AuditRecord {
  std::string user;     // username, "" when anonymous
  std::string address;  // client address, or "cli" for the command line
  std::string action;   // one of audit_action
  nlohmann::json detail = nlohmann::json::object();  // map, bbox, feature ids, z/x/y, …
};

struct AuditVerifyResult {
  bool ok = false;
  std::uint64_t entries = 0;         // entries read (all of them when ok)
  std::uint64_t first_bad_line = 0;  // 1-based; 0 when ok
  std::string reason;                // why that line is bad
  std::string last_hash;             // hash of the last good entry
};

struct AuditPage {
  std::uint64_t total = 0;              // entries in the log
  std::vector<nlohmann::json> entries;  // oldest first
};

class AuditLog {
 public:
  // Opens (creates with mode 0600) the log at `path`. @throws StoreError naming the file when it
  // cannot be created or opened.
  explicit AuditLog(std::filesystem::path path, bool durable = true);

  // Appends one entry stamped with `now`; returns its seq (1 for the first).
  // @throws StoreError when the file cannot be written or its last line is damaged (then nothing
  //         is appended: `minqing audit verify` says where).
  std::uint64_t append(const AuditRecord& record, std::chrono::system_clock::time_point now);

  // Entries [offset, offset + limit) as parsed JSON, oldest first, with the total.
  // @throws StoreError when the file cannot be read.
  AuditPage page(std::uint64_t offset, std::size_t limit) const;

  const std::filesystem::path& path() const noexcept { return m_path; }

  // Checks the whole chain of the log at `path`. Never throws for content; a missing file is
  // reported as not ok.
  static AuditVerifyResult verify(const std::filesystem::path& path);

 private:
  std::filesystem::path m_path;
  bool m_durable;
  mutable std::mutex m_mutex;
};

// "2024-05-01T08:00:00.123Z"
std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace minqing::access
