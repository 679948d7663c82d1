#pragma once
// The file operations a backup and a restore are made of, each durable when it returns: a copy is
// fsync'ed, a directory created or renamed into is fsync'ed, so that a power cut after "backup
// done" never finds half a backup under a finished name.
//
// Every function names the file at fault in the StoreError it throws. Thread-safe (no shared
// state).

#include <cstdint>
#include <filesystem>
#include <string>

namespace minqing::backup {

// Owns a file descriptor (-1: none); closing it releases any flock taken through it.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : m_fd(fd) {}
  ~FileDescriptor();
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return m_fd; }

 private:
  int m_fd;
};

// Creates `dir` (and missing parents) with mode 0700 for the last component; an existing `dir` is
// left as it is. Backups hold personal data: nobody but the server's user may list them.
// @throws StoreError when it cannot be created or is not a directory.
void make_private_dir(const std::filesystem::path& dir);

// Copies `from` to a new file `to` (mode 0600; an existing `to` is an error) and fsyncs it.
// Copies at most `limit` bytes when given (UINT64_MAX: the whole file). Returns the bytes copied.
std::uint64_t copy_file_synced(const std::filesystem::path& from, const std::filesystem::path& to,
                               std::uint64_t limit = UINT64_MAX);

// Copies the bytes [0, limit) of the open file `fd` (read from offset 0, not its file position)
// to a new file `to` as copy_file_synced does; `from` names `fd` in messages.
std::uint64_t copy_fd_synced(int fd, const std::filesystem::path& from, const std::filesystem::path& to,
                             std::uint64_t limit = UINT64_MAX);

// fsync of a file or a directory (a directory: after creating or renaming entries in it).
void sync_path(const std::filesystem::path& path);

// SHA-256 of the file's bytes as 64 lowercase hex digits.
std::string sha256_file(const std::filesystem::path& path);

// rename(2) `from` over `to`, then fsync of both parent directories.
void rename_synced(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace minqing::backup
