#include "backup/store_lock.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/error.hpp"

namespace minqing::backup {

namespace {

// SQLite's unix VFS: every connection to a WAL database holds a shared lock on this byte of the
// -shm file (UNIX_SHM_DMS = (22 + SQLITE_SHM_NLOCK) * 4 + SQLITE_SHM_NLOCK, NLOCK = 8).
constexpr off_t kShmDmsByte = 128;

int open_lock_file(const std::filesystem::path& store) {
  const auto path = lock_path(store);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StoreError("cannot open the lock file " + path.string() + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

std::filesystem::path lock_path(const std::filesystem::path& store) { return store.string() + ".lock"; }

std::optional<StoreLock> StoreLock::shared(const std::filesystem::path& store) {
  const int fd = ::open(lock_path(store).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::nullopt;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    ::close(fd);
    throw StoreError("the store " + store.string() + " is being restored (" + lock_path(store).string() +
                     " is locked); start the server when the restore has finished");
  }
  return StoreLock(fd);
}

std::optional<StoreLock> StoreLock::try_exclusive(const std::filesystem::path& store) {
  const int fd = open_lock_file(store);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  return StoreLock(fd);
}

StoreLock::StoreLock(StoreLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
  }
  return *this;
}

StoreLock::~StoreLock() {
  if (m_fd >= 0) ::close(m_fd);
}

bool open_elsewhere_in_wal_mode(const std::filesystem::path& db) {
  const std::string shm = db.string() + "-shm";
  const int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // no -shm file: nobody has it open in WAL mode
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  probe.l_start = kShmDmsByte;
  probe.l_len = 1;
  const bool held = ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

}  // namespace minqing::backup
