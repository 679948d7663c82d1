#include "server/memory_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

namespace minqing::server {

namespace {

// The selected value of a sysfs choice file ("always [never] deny" → "never"); "" when unreadable.
std::string selected_choice(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto open = text.find('[');
  const auto close = text.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  return text.substr(open + 1, close - open - 1);
}

}  // namespace

bool memory_file_pages_stay_whole() {
  namespace fs = std::filesystem;
  const fs::path thp = "/sys/kernel/mm/transparent_hugepage";
  std::error_code ec;
  if (!fs::exists(thp / "shmem_enabled", ec)) return true;  // no transparent huge pages at all
  // "advise" gives large pages only to a mapping that asks (MADV_HUGEPAGE); the file's is told
  // not to, and its pages are written with pwrite, outside any mapping.
  const std::string global = selected_choice(thp / "shmem_enabled");
  if (global != "never" && global != "deny" && global != "advise") return false;
  // Per-size settings (kernel 6.10+) may enable a size on their own.
  for (const auto& entry : fs::directory_iterator(thp, ec)) {
    const fs::path file = entry.path() / "shmem_enabled";
    if (entry.path().filename().string().rfind("hugepages-", 0) != 0 || !fs::exists(file, ec)) continue;
    const std::string size = selected_choice(file);
    if (size != "never" && size != "inherit" && size != "advise") return false;
  }
  return !ec;
}

std::shared_ptr<MemoryFile> MemoryFile::open(std::size_t capacity) {
  if (capacity == 0 || !memory_file_pages_stay_whole()) return nullptr;
  capacity = pages_for(capacity);
  const int fd = ::memfd_create("minqing-tiles", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  // The size is address space only: a memory file's pages exist once written.
  if (::ftruncate(fd, static_cast<off_t>(capacity)) != 0) {
    ::close(fd);
    return nullptr;
  }
  void* map = ::mmap(nullptr, capacity, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    ::close(fd);
    return nullptr;
  }
  ::madvise(map, capacity, MADV_NOHUGEPAGE);
  return std::shared_ptr<MemoryFile>(new MemoryFile(fd, static_cast<const char*>(map), capacity));
}

MemoryFile::~MemoryFile() {
  ::munmap(const_cast<char*>(m_map), m_capacity);
  ::close(m_fd);
}

std::optional<std::uint64_t> MemoryFile::append(std::string_view bytes, std::size_t lead) noexcept {
  const std::size_t pages = pages_for(lead + bytes.size() == 0 ? 1 : lead + bytes.size());
  if (pages > m_capacity) return std::nullopt;
  // Claimed before written and never handed out again, whatever happens below; a range that does
  // not fit is not claimed, so a smaller one still may be.
  std::uint64_t offset = m_end.load(std::memory_order_relaxed);
  do {
    if (offset > m_capacity - pages) return std::nullopt;
  } while (!m_end.compare_exchange_weak(offset, offset + pages, std::memory_order_relaxed));
  if (!write_once(offset + lead, bytes)) {  // out of memory for the file: give back what was written
    ::fallocate(m_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset), static_cast<off_t>(pages));
    return std::nullopt;
  }
  m_resident.fetch_add(pages, std::memory_order_relaxed);
  return offset;
}

bool MemoryFile::write_once(std::uint64_t offset, std::string_view bytes) noexcept {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(m_fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void MemoryFile::release(std::uint64_t offset, std::size_t size) noexcept {
  const std::size_t pages = pages_for(size == 0 ? 1 : size);
  // Whole pages only, never rewritten: a socket holding one of them keeps it as it was.
  ::fallocate(m_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset), static_cast<off_t>(pages));
  m_resident.fetch_sub(pages, std::memory_order_relaxed);
}

}  // namespace minqing::server
