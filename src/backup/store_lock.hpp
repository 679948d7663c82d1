#pragma once
// Whether a store is in use, so that a restore never swaps files under a running server.
//
// `minqing serve` holds a shared flock on <store>.lock for as long as it serves the store; a
// restore takes the exclusive one without waiting and refuses when it cannot. The lock file is
// never removed (removing a lock file races with the next taker); it holds nothing.
// A second, independent sign: a process with the SQLite file open in WAL mode holds a shared POSIX
// lock on the "DMS" byte of its -shm file for as long as the connection lives (SQLite's unix VFS),
// which any other process can see with F_GETLK — this finds a writer that is not `minqing serve`.
// (F_GETLK never reports the calling process's own locks: inside one process, only the flock
// counts.)
//
// flock and the POSIX locks SQLite uses are independent on Linux, and the lock is taken on a file
// of its own, never on the database (closing any descriptor of a database would drop SQLite's
// POSIX locks on it).
//
// Thread-safety: a StoreLock is owned by one thread; the functions may be called from any.

#include <filesystem>
#include <optional>

namespace minqing::backup {

class StoreLock {
 public:
  // The shared lock `minqing serve` holds; nullopt when the lock file cannot be created (a store in
  // a read-only directory, which no restore can replace either).
  // @throws StoreError when a restore holds the exclusive lock.
  static std::optional<StoreLock> shared(const std::filesystem::path& store);
  // The exclusive lock a restore holds; nullopt when someone (a server) holds the lock.
  // @throws StoreError when the lock file cannot be created.
  static std::optional<StoreLock> try_exclusive(const std::filesystem::path& store);

  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&& other) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) noexcept : m_fd(fd) {}
  int m_fd = -1;
};

// <store>.lock
std::filesystem::path lock_path(const std::filesystem::path& store);

// True when another process has the SQLite database `db` open in WAL mode (see above).
bool open_elsewhere_in_wal_mode(const std::filesystem::path& db);

}  // namespace minqing::backup
