#pragma once
// The body of every answer the server sends: either text the response owns (JSON, XML, an error)
// or bytes shared with the tile cache, sent without being copied.
//
// A cached tile is immutable and already held by a shared pointer (server/tile_cache.hpp); copying
// its ~25 KB into each answer was a tenth of a cached tile's server CPU. share() makes the answer
// hold a reference instead: the socket is written straight from the cached bytes, and the
// reference keeps them alive until the write is done even when the cache evicts or invalidates the
// tile meanwhile.
//
// value_type IS the owned text (a std::string), so that handlers and tests keep writing and
// reading `res.body()` as before. When shared bytes are set, the owned text is empty and unused:
// read what is sent with bytes() / byte_size(). clear() drops both.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include "server/memory_file.hpp"

namespace minqing::server {

struct ResponseBody {
  class value_type : public std::string {
   public:
    value_type() = default;
    value_type(std::string text) : std::string(std::move(text)) {}  // NOLINT: implicit like a string
    // Assigning text (a string, a literal, a character…) makes the body that text.
    template <class T>
      requires(!std::is_same_v<std::remove_cvref_t<T>, value_type> && std::is_assignable_v<std::string&, T>)
    value_type& operator=(T&& text) {
      std::string::operator=(std::forward<T>(text));
      m_shared.reset();
      m_view = {};
      m_file.reset();
      m_whole = false;
      return *this;
    }

    // Sends `bytes` instead of the owned text, which is cleared. Null: back to the owned text.
    void share(std::shared_ptr<const std::string> bytes) noexcept {
      const std::string_view view = bytes ? std::string_view(*bytes) : std::string_view();
      share(std::move(bytes), view);
    }
    // Sends `bytes`, kept alive by `owner` (a cached tile), instead of the owned text, which is
    // cleared. `file`: where the same bytes lie in a file, so that the server may send them with
    // sendfile (server/tile_bytes.hpp). A null owner: back to the owned text.
    void share(std::shared_ptr<const void> owner, std::string_view bytes, std::optional<FileRange> file = std::nullopt) noexcept {
      std::string::clear();
      m_shared = std::move(owner);
      m_view = m_shared ? bytes : std::string_view();
      m_file = m_shared ? file : std::nullopt;
      m_whole = false;
    }
    // A cached tile's whole answer (server/tile_answer.hpp): `whole` is its head and `bytes` as
    // one run of a file, kept alive by `owner`. The response then has no fields: the head is
    // final and the server sends the run as it is.
    void share_whole(std::shared_ptr<const void> owner, std::string_view bytes, FileRange whole) noexcept {
      share(std::move(owner), bytes, whole);
      m_whole = m_shared != nullptr;
    }
    // Whether file() is a whole answer, head included (share_whole), rather than the body alone.
    bool whole() const noexcept { return m_whole; }
    // The owner of the shared bytes, null when the body is the owned text.
    const std::shared_ptr<const void>& shared() const noexcept { return m_shared; }
    // Where the shared bytes lie in a file, when they do.
    const std::optional<FileRange>& file() const noexcept { return m_file; }

    // What is sent: the shared bytes when set, else the owned text.
    std::string_view bytes() const noexcept { return m_shared ? m_view : std::string_view(*this); }
    std::size_t byte_size() const noexcept { return m_shared ? m_view.size() : std::string::size(); }

    // Bodies are equal when they send the same bytes, wherever those live (a cached tile against
    // the same tile drawn again, in tests).
    friend bool operator==(const value_type& a, const value_type& b) noexcept { return a.bytes() == b.bytes(); }

    // Empties the body: the owned text and the shared bytes.
    void clear() noexcept {
      std::string::clear();
      m_shared.reset();
      m_view = {};
      m_file.reset();
      m_whole = false;
    }

   private:
    std::shared_ptr<const void> m_shared;
    std::string_view m_view;
    std::optional<FileRange> m_file;
    bool m_whole = false;
  };

  static std::uint64_t size(const value_type& body) noexcept { return body.byte_size(); }

  // Serialises the body as one buffer, like Beast's string_body, from wherever it lives.
  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) noexcept
        : m_body(body) {}

    void init(boost::beast::error_code& ec) noexcept { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) noexcept {
      ec = {};
      const std::string_view b = m_body.bytes();
      return {{const_buffers_type(b.data(), b.size()), false}};
    }

   private:
    const value_type& m_body;
  };
};

}  // namespace minqing::server
