#pragma once
// The encoded bytes of a cached tile: held as a string, or — where this machine allows, and for
// tiles at least TileBytesKeeper's min_size long — in a memory file (server/memory_file.hpp), from which the server sends them with sendfile(2)
// instead of copying them into each socket.
//
// A TileBytes is immutable once made and cannot be copied: when one held in a memory file is
// destroyed (the cache evicted or invalidated its tile and the last answer sending it is written),
// its pages are given back. Read the bytes with view(); file() says where they lie for sendfile.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "server/memory_file.hpp"

namespace minqing::server {

class TileBytes {
 public:
  TileBytes() = default;
  // Held as a string. Implicit, like a string: `tile->body = std::move(png)`.
  TileBytes(std::string bytes) noexcept : m_owned(std::move(bytes)) {}  // NOLINT
  // The `size` bytes after `lead` unwritten ones at `offset` of `file` (from
  // MemoryFile::append(bytes, lead)); the whole range is given back when destroyed.
  TileBytes(std::shared_ptr<MemoryFile> file, std::uint64_t offset, std::size_t size, std::size_t lead = 0) noexcept
      : m_file(std::move(file)), m_offset(offset), m_lead(lead), m_size(size) {}
  TileBytes(TileBytes&& other) noexcept { *this = std::move(other); }
  TileBytes& operator=(TileBytes&& other) noexcept;
  TileBytes(const TileBytes&) = delete;
  TileBytes& operator=(const TileBytes&) = delete;
  ~TileBytes() { reset(); }

  std::string_view view() const noexcept {
    return m_file ? std::string_view(m_file->data(m_offset + m_lead), m_size) : std::string_view(m_owned);
  }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: reads like a string
  std::size_t size() const noexcept { return m_file ? m_size : m_owned.size(); }
  bool empty() const noexcept { return size() == 0; }
  const char* data() const noexcept { return view().data(); }
  char operator[](std::size_t i) const noexcept { return view()[i]; }
  // Makes the bytes `n` copies of `c`, held as a string.
  void assign(std::size_t n, char c) { *this = TileBytes(std::string(n, c)); }

  // Where the bytes lie for sendfile; nullopt when they are held as a string.
  std::optional<FileRange> file() const noexcept {
    if (!m_file) return std::nullopt;
    return FileRange{m_file->fd(), m_offset + m_lead, m_size};
  }
  // The memory they take: the string's length, or the whole pages of their range.
  std::size_t memory() const noexcept { return m_file ? MemoryFile::pages_for(m_lead + m_size) : m_owned.size(); }

  // Room for a head in front of the bytes in their memory file (TileBytesKeeper::keep's
  // `head_room`); 0 when held as a string.
  std::size_t head_room() const noexcept { return m_file ? m_lead : 0; }
  // Writes `head` into that room, right before the bytes, so that with_head(head.size()) is the
  // head and the bytes as one run. Call it at most once per TileBytes (the room is written once,
  // never rewritten: server/memory_file.hpp). False when it does not fit or the write failed.
  bool write_head(std::string_view head) const noexcept {
    return m_file && head.size() <= m_lead && m_file->write_once(m_offset + m_lead - head.size(), head);
  }
  // The run of a head of `head_size` bytes written by write_head() and the bytes after it.
  FileRange with_head(std::size_t head_size) const noexcept {
    return FileRange{m_file ? m_file->fd() : -1, m_offset + m_lead - head_size, head_size + m_size};
  }

  friend bool operator==(const TileBytes& a, std::string_view b) noexcept { return a.view() == b; }

 private:
  void reset() noexcept;

  std::string m_owned;
  std::shared_ptr<MemoryFile> m_file;
  std::uint64_t m_offset = 0;  // the range's start in m_file; the bytes start m_lead after it
  std::size_t m_lead = 0;
  std::size_t m_size = 0;
};

// Makes TileBytes: in a memory file when the bytes are at least `min_size` long and this machine
// can keep one (MemoryFile::open), else as a string. Opens a new file of `file_capacity` bytes of
// address space when the current one is full; a full file closes once its last tile is gone.
// Thread-safe.
class TileBytesKeeper {
 public:
  // Every tile: a small one too is answered whole by one sendfile (server/tile_answer.hpp). With
  // 8 KiB (sessions 10–11) the 6 % of the race's terrain tiles below it took the general path,
  // and the server spent 8.1–8.7 µs of CPU a cached request against 7.2–7.6 with none (alternated,
  // wrk -c64, session 12). A tile then takes at least a page of the cache's memory (memory()
  // counts it, so the cache's budget holds): a nearly empty tile 4 KiB instead of ~100 bytes.
  static constexpr std::size_t kDefaultMinSize = 0;
  static constexpr std::size_t kDefaultFileCapacity = std::size_t{1} << 30;

  explicit TileBytesKeeper(std::size_t min_size = kDefaultMinSize, std::size_t file_capacity = kDefaultFileCapacity)
      : m_min_size(min_size), m_file_capacity(file_capacity) {}

  // `head_room`: bytes left free in front of a tile kept in a file, for TileBytes::write_head.
  TileBytes keep(std::string bytes, std::size_t head_room = 0);
  // How many memory files were opened so far (tests).
  std::size_t files_opened() const;

 private:
  std::size_t m_min_size;
  std::size_t m_file_capacity;
  mutable std::mutex m_mutex;
  std::shared_ptr<MemoryFile> m_current;
  std::size_t m_files_opened = 0;
  bool m_unavailable = false;  // no memory file on this machine: every tile as a string
};

}  // namespace minqing::server
