#include "backup/file_ops.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/crypto.hpp"
#include "base/error.hpp"

namespace minqing::backup {

namespace {

constexpr std::size_t kBlock = 1 << 20;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw StoreError(what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

FileDescriptor::~FileDescriptor() {
  if (m_fd >= 0) ::close(m_fd);
}

void make_private_dir(const std::filesystem::path& dir) {
  if (std::filesystem::is_directory(dir)) return;
  if (dir.has_parent_path() && !dir.parent_path().empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create directory", dir);
  if (!std::filesystem::is_directory(dir)) throw StoreError(dir.string() + " is not a directory");
  ::chmod(dir.c_str(), 0700);  // mkdir's mode is narrowed by the umask; make it exactly 0700
}

std::uint64_t copy_fd_synced(int fd, const std::filesystem::path& from, const std::filesystem::path& to,
                             std::uint64_t limit) {
  const FileDescriptor out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) fail("cannot create", to);
  std::vector<char> buf(kBlock);
  std::uint64_t done = 0;
  while (done < limit) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), limit - done));
    const ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read", from);
    }
    if (n == 0) break;
    for (ssize_t written = 0; written < n;) {
      const ssize_t w = ::write(out.get(), buf.data() + written, static_cast<std::size_t>(n - written));
      if (w < 0) {
        if (errno == EINTR) continue;
        fail("cannot write", to);
      }
      written += w;
    }
    done += static_cast<std::uint64_t>(n);
  }
  if (::fsync(out.get()) != 0) fail("cannot sync", to);
  return done;
}

std::uint64_t copy_file_synced(const std::filesystem::path& from, const std::filesystem::path& to,
                               std::uint64_t limit) {
  const FileDescriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) fail("cannot open", from);
  return copy_fd_synced(in.get(), from, to, limit);
}

void sync_path(const std::filesystem::path& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", path);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) fail("cannot sync", path);
}

std::string sha256_file(const std::filesystem::path& path) {
  const FileDescriptor in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) fail("cannot open", path);
  access::Sha256 hash;
  std::vector<char> buf(kBlock);
  for (;;) {
    const ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read", path);
    }
    if (n == 0) break;
    hash.update({buf.data(), static_cast<std::size_t>(n)});
  }
  return hash.hex();
}

void rename_synced(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    throw StoreError("cannot move " + from.string() + " to " + to.string() + ": " + std::strerror(errno));
  }
  const auto dir_of = [](const std::filesystem::path& p) {
    return p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path();
  };
  sync_path(dir_of(to));
  if (dir_of(from) != dir_of(to)) sync_path(dir_of(from));
}

}  // namespace minqing::backup
