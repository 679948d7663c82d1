#pragma once
// A cached tile's whole answer: the head of its usual answer (status line and fields, as the
// server would format them) written once into the room kept in front of the tile's bytes in their
// memory file, so that the next plain requests for it are answered with ONE sendfile of head and
// body, without building the head's fields or formatting them again — as a reverse proxy cache
// (Varnish) keeps an object with its headers.
//
// Why: after sendfile (server/tile_bytes.hpp), a cached tile still cost ~10 µs of server CPU
// against nginx's ~7.8 for the same file, and building the answer's eight fields (one allocation
// each), finalising, formatting and sending the head by its own syscall was a tenth of it (issue
// 12, session 11).
//
// Which requests get it: a plain GET — HTTP/1.1, keep-alive, no If-None-Match — on a server
// session (RequestContext::whole_answers). Everything else (HEAD, 304s, HTTP/1.0, Connection:
// close, tests reading fields) is answered as before. The head is the one the general path
// produced for the first plain request, so the bytes on the wire are the same.
//
// What may differ between two plain answers of one cached tile: nothing but the answer variant —
// the cache policy, which follows from the caller's scope being public and from the tile holding
// personal data. A cache key already holds the scope, but a head prepared for one variant is
// never sent for another (get() compares it).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "server/memory_file.hpp"
#include "server/tile_bytes.hpp"

namespace minqing::server {

// Room kept in front of a cached tile for its head: heads are ~300 bytes.
inline constexpr std::size_t kTileHeadRoom = 512;

class TileAnswer {
 public:
  // Which head a plain answer of a tile carries (see above): a small number, < 256.
  static unsigned variant(bool public_scope, bool personal_data) noexcept {
    return (public_scope ? 1u : 0u) | (personal_data ? 2u : 0u);
  }

  // Head and body as one run of `body`'s memory file, when a head for `variant` was prepared.
  std::optional<FileRange> get(const TileBytes& body, unsigned variant) const noexcept {
    const std::uint32_t s = m_state.load(std::memory_order_acquire);
    if ((s & kReady) == 0 || ((s >> 16) & 0xff) != variant) return std::nullopt;
    return body.with_head(s & 0xffff);
  }

  // Writes `head`, the formatted head of a plain answer for `variant`, in front of `body`, unless
  // one was written (or is being written) already or it does not fit. Thread-safe: one caller
  // writes, the others return at once.
  void prepare(const TileBytes& body, unsigned variant, std::string_view head) const noexcept {
    if (head.size() > body.head_room() || head.empty() || variant > 0xff) return;
    std::uint32_t expected = 0;
    if (!m_state.compare_exchange_strong(expected, kWriting, std::memory_order_relaxed)) return;
    // A failed write leaves kWriting: that tile keeps the general path.
    if (body.write_head(head)) {
      m_state.store(kReady | (variant << 16) | static_cast<std::uint32_t>(head.size()), std::memory_order_release);
    }
  }

 private:
  static constexpr std::uint32_t kReady = 1u << 31;
  static constexpr std::uint32_t kWriting = 1u << 30;
  // 0: none; kWriting; kReady | variant << 16 | head size.
  mutable std::atomic<std::uint32_t> m_state{0};
};

}  // namespace minqing::server
