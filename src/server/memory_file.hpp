#pragma once
// A file in memory (memfd) holding immutable byte runs, so that the server can send them with
// sendfile(2) instead of copying them into each socket.
//
// Why: a cached tile (~25 KB) written with sendmsg is copied into the socket's buffers, a sixth of
// the server's CPU for a cached tile (issue 12, session 10: `_copy_from_iter` 16 % of samples).
// sendfile hands the file's pages to the socket by reference instead, as nginx does for static
// files.
//
// The one rule that makes this safe: a range is written once and never again. The socket holds
// references to the pages it still has to deliver, so the file must never change them:
//   - append() takes a fresh, page-aligned range from the end (a bump allocator): an offset is
//     never reused within a file;
//   - release() punches the range's whole pages out of the file (fallocate PUNCH_HOLE), which
//     returns their memory but does not touch a page a socket still holds: the page leaves the
//     file and lives on, unchanged, until its last reference goes;
//   - when the file is full, its owner opens another; the full one is closed when its last
//     range is released.
// Punching a hole zeroes pages in place only where the hole cuts a large folio; so a file is
// opened only where shared memory uses small pages (memory_file_pages_stay_whole()), and
// otherwise the server falls back to copying.
//
// Thread safety: append() and release() may be called concurrently.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace minqing::server {

// A run of bytes in a file, as sendfile(2) takes it.
struct FileRange {
  int fd = -1;
  std::uint64_t offset = 0;
  std::size_t size = 0;
};

class MemoryFile {
 public:
  static constexpr std::size_t kPage = 4096;

  // A new memory file of `capacity` bytes of address space (rounded up to whole pages; memory is
  // used only by what is appended). Null when memfd is unavailable, when mapping fails, or when
  // shared memory may use large pages (see above).
  static std::shared_ptr<MemoryFile> open(std::size_t capacity);
  ~MemoryFile();
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Copies `bytes` to a fresh range starting on a page boundary, after `lead` bytes left unwritten
  // (room for what goes in front of them later, see write_once); the range's offset, or nullopt
  // when the file has no room left (or the write failed). Never reuses an offset.
  std::optional<std::uint64_t> append(std::string_view bytes, std::size_t lead = 0) noexcept;
  // Writes `bytes` at `offset`, which must lie in a range's lead: bytes never written before and
  // never sent. The rule above holds — nothing already sent changes; a socket sending other bytes
  // of the same page reads only its own. False when the write failed.
  bool write_once(std::uint64_t offset, std::string_view bytes) noexcept;
  // Gives back the pages of the range at `offset` (from append()) of `size` bytes. The range must
  // not be read afterwards; a socket still sending it keeps what it has.
  void release(std::uint64_t offset, std::size_t size) noexcept;

  // The bytes of a range, read through the file's read-only mapping.
  const char* data(std::uint64_t offset) const noexcept { return m_map + offset; }
  int fd() const noexcept { return m_fd; }
  std::size_t capacity() const noexcept { return m_capacity; }
  // Memory the file holds: whole pages of the ranges appended and not released.
  std::size_t resident_bytes() const noexcept { return m_resident.load(std::memory_order_relaxed); }

  // The bytes a range of `size` occupies: whole pages.
  static std::size_t pages_for(std::size_t size) noexcept { return (size + kPage - 1) / kPage * kPage; }

 private:
  MemoryFile(int fd, const char* map, std::size_t capacity) noexcept : m_fd(fd), m_map(map), m_capacity(capacity) {}

  int m_fd;
  const char* m_map;
  std::size_t m_capacity;
  std::atomic<std::uint64_t> m_end{0};  // the next range's offset
  std::atomic<std::size_t> m_resident{0};
};

// Whether shared memory (tmpfs, memfd) on this machine allocates small pages only: then punching
// whole pages never rewrites a page in place. Read from /sys/kernel/mm/transparent_hugepage; true
// on a kernel without transparent huge pages.
bool memory_file_pages_stay_whole();

}  // namespace minqing::server
