// Answers whose body lies in a memory file (a large cached tile), which the server sends with
// sendfile: over real sockets on 127.0.0.1, to clients that read fast, slowly, not at all, or
// reset the connection mid-body.

#include <sys/socket.h>

#include <cerrno>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>

#include "server/http_server.hpp"
#include "server/request_handler.hpp"
#include "server/response.hpp"
#include "server/router.hpp"
#include "server/tile_bytes.hpp"

using namespace minqing::server;
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kBodySize = 1024 * 1024;  // far more than a small socket buffer holds

std::string pattern(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed * 101 + i / 977) & 0xff);
  return s;
}

// A server whose GET /big/{i} answers 1 MiB bodies kept in a memory file, as cached tiles are
// (i in 0..3; 4 is a 16 MiB body, more than a socket's send buffer ever holds), and GET /small a
// short text body.
class FileBodyServer {
 public:
  explicit FileBodyServer(ServerOptions options = {}) {
    for (unsigned i = 0; i < 5; ++i) {
      expected.push_back(pattern(i < 4 ? kBodySize : 16 * kBodySize, i));
      m_bodies.push_back(std::make_shared<const TileBytes>(m_keeper.keep(expected.back())));
    }
    m_router.get("/big/{i}", [this](const RequestContext& c) {
      const auto& bytes = m_bodies.at(std::stoul(std::string(c.param("i"))));
      Response res(http::status::ok, 11);
      res.set(http::field::content_type, "application/octet-stream");
      res.body().share(bytes, bytes->view(), bytes->file());
      return res;
    });
    m_router.get("/small", [](const RequestContext&) {
      Response res(http::status::ok, 11);
      res.body() = "small";
      return res;
    });
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 1;  // every connection on one io thread: a stuck one would stall the others
    m_server.emplace(options, m_handler);
    m_server->listen();
    m_thread = std::thread([this] { m_server->run(); });
  }
  ~FileBodyServer() {
    m_server->stop();
    if (m_thread.joinable()) m_thread.join();
  }
  unsigned short port() const { return m_server->port(); }
  bool in_file() const { return m_bodies.front()->file().has_value(); }

  std::vector<std::string> expected;

 private:
  TileBytesKeeper m_keeper{1, 64 * kBodySize};
  std::vector<std::shared_ptr<const TileBytes>> m_bodies;
  Router m_router;
  RequestHandler m_handler{m_router};
  std::optional<HttpServer> m_server;
  std::thread m_thread;
};

// A blocking client with a receive buffer of `receive_buffer` bytes (set before connecting, so
// that the window stays small) and reads that give up after 5 s.
class SlowClient {
 public:
  SlowClient(unsigned short port, int receive_buffer) {
    m_socket.open(tcp::v4());
    m_socket.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    timeval tv{5, 0};
    ::setsockopt(m_socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    m_socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  void send(const std::string& raw) { net::write(m_socket, net::buffer(raw)); }
  http::response<http::string_body> read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(4 * kBodySize);
    http::read(m_socket, m_buffer, parser);
    return parser.release();
  }
  // Reads everything until the server closes or 5 s pass without a byte. Plain recv, whose wait
  // SO_RCVTIMEO bounds (asio's read would wait on without it).
  struct Drained {
    std::size_t bytes = 0;
    bool closed_by_server = false;  // end of stream or reset, not the 5 s
  };
  Drained drain() {
    Drained d{m_buffer.size(), false};
    std::vector<char> chunk(64 * 1024);
    for (;;) {
      const ssize_t n = ::recv(m_socket.native_handle(), chunk.data(), chunk.size(), 0);
      if (n > 0) {
        d.bytes += static_cast<std::size_t>(n);
        continue;
      }
      d.closed_by_server = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
      return d;
    }
  }
  // Reads `n` bytes at most, whatever has arrived (after waiting up to 5 s for the first).
  std::size_t read_some(std::size_t n) {
    std::vector<char> chunk(n);
    const ssize_t got = ::recv(m_socket.native_handle(), chunk.data(), n, 0);
    return got > 0 ? static_cast<std::size_t>(got) : 0;
  }
  // Closes with a reset instead of a FIN, as a client that crashed.
  void reset() {
    m_socket.set_option(net::socket_base::linger(true, 0));
    m_socket.close();
  }

 private:
  net::io_context m_ioc;
  tcp::socket m_socket{m_ioc};
  beast::flat_buffer m_buffer;
};

std::string get(const std::string& target, const char* method = "GET") {
  return std::string(method) + " " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

}  // namespace

TEST_CASE("a body in a memory file arrives whole, to a fast reader and to one that reads slowly", "[server][sendfile]") {
  FileBodyServer s;
  if (!s.in_file()) WARN("no memory file on this machine: the bodies are copied, not sent by sendfile");

  SlowClient fast(s.port(), 4 * 1024 * 1024);
  for (unsigned i = 0; i < 4; ++i) {
    fast.send(get("/big/" + std::to_string(i)));
    const auto res = fast.read();
    CHECK(res.result() == http::status::ok);
    CHECK(res[http::field::content_length] == std::to_string(kBodySize));
    CHECK(res.body() == s.expected[i]);
  }

  // Four bodies and a HEAD pipelined to a client with a 4 KiB window that waits before reading:
  // the server's socket fills, and it must wait and go on where it stopped, in order.
  SlowClient slow(s.port(), 4096);
  slow.send(get("/big/2") + get("/big/0") + get("/big/1", "HEAD") + get("/big/3") + get("/small"));
  std::this_thread::sleep_for(200ms);  // not for correctness: lets the server find its socket full
  CHECK(slow.read().body() == s.expected[2]);
  CHECK(slow.read().body() == s.expected[0]);
  const auto head = slow.read(true);
  CHECK(head[http::field::content_length] == std::to_string(kBodySize));
  CHECK(head.body().empty());
  CHECK(slow.read().body() == s.expected[3]);  // parsed right after the HEAD: it sent no body
  CHECK(slow.read().body() == "small");
}

TEST_CASE("a client that stops reading a file body is cut off after the write timeout, and one that resets harms no one",
          "[server][sendfile]") {
  ServerOptions options;
  options.write_timeout = 300ms;
  FileBodyServer s(options);

  // Never reads: the server gives up after the write timeout and closes, short of the body.
  SlowClient stuck(s.port(), 4096);
  stuck.send(get("/big/4"));
  // Meanwhile another connection on the same (only) io thread is served.
  SlowClient other(s.port(), 4 * 1024 * 1024);
  other.send(get("/big/1"));
  CHECK(other.read().body() == s.expected[1]);
  std::this_thread::sleep_for(1s);  // past the write timeout
  const auto drained = stuck.drain();
  CHECK(drained.closed_by_server);
  CHECK(drained.bytes < s.expected[4].size());

  // Resets mid-body: the server's next sendfile fails (EPIPE/ECONNRESET), which must end that
  // connection only — never the process (sendfile cannot be told MSG_NOSIGNAL).
  for (int i = 0; i < 3; ++i) {
    SlowClient crash(s.port(), 4096);
    crash.send(get("/big/2"));
    std::this_thread::sleep_for(50ms);
    crash.reset();
  }
  other.send(get("/big/3") + get("/small"));
  CHECK(other.read().body() == s.expected[3]);
  CHECK(other.read().body() == "small");
}

TEST_CASE("a client that reads a file body a trickle at a time gets one write timeout for the whole answer",
          "[server][sendfile]") {
  ServerOptions options;
  options.write_timeout = 500ms;
  FileBodyServer s(options);
  SlowClient trickle(s.port(), 4096);
  trickle.send(get("/big/4"));
  // Up to 512 KiB every 200 ms for 3 s: the socket drains enough for the server to send more
  // well within each 500 ms, which must not restart the timeout (slowloris, in reverse).
  for (int i = 0; i < 15; ++i) {
    std::size_t got = 0;
    while (got < 512 * 1024) {
      const std::size_t n = trickle.read_some(512 * 1024 - got);
      if (n == 0) break;
      got += n;
    }
    std::this_thread::sleep_for(200ms);
  }
  const auto drained = trickle.drain();
  CHECK(drained.closed_by_server);
  CHECK(drained.bytes < s.expected[4].size());
}
