#include "server/tile_bytes.hpp"

namespace minqing::server {

TileBytes& TileBytes::operator=(TileBytes&& other) noexcept {
  if (this == &other) return *this;
  reset();
  m_owned = std::move(other.m_owned);
  m_file = std::move(other.m_file);
  m_offset = other.m_offset;
  m_lead = other.m_lead;
  m_size = other.m_size;
  other.m_file.reset();
  other.m_owned.clear();
  other.m_size = 0;
  return *this;
}

void TileBytes::reset() noexcept {
  if (m_file) m_file->release(m_offset, m_lead + m_size);
  m_file.reset();
  m_owned.clear();
  m_size = 0;
}

TileBytes TileBytesKeeper::keep(std::string bytes, std::size_t head_room) {
  if (bytes.size() < m_min_size || bytes.size() > m_file_capacity) return TileBytes(std::move(bytes));
  // Twice at most: in the current file, then — when that one is full — in a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::shared_ptr<MemoryFile> file;
    {
      std::lock_guard lock(m_mutex);
      if (m_unavailable) break;
      if (!m_current) {
        m_current = MemoryFile::open(m_file_capacity);
        if (!m_current) {
          m_unavailable = true;
          break;
        }
        ++m_files_opened;
      }
      file = m_current;
    }
    // The copy into the file runs outside the lock: append() claims its range atomically.
    if (auto offset = file->append(bytes, head_room)) return TileBytes(std::move(file), *offset, bytes.size(), head_room);
    std::lock_guard lock(m_mutex);
    if (m_current == file) m_current.reset();  // full (or out of memory): the next file takes it
  }
  return TileBytes(std::move(bytes));
}

std::size_t TileBytesKeeper::files_opened() const {
  std::lock_guard lock(m_mutex);
  return m_files_opened;
}

}  // namespace minqing::server
