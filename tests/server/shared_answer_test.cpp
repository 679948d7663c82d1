// Answers whose body is shared with a cache (server/response_body.hpp), over real sockets: the
// bytes on the wire are those of the same answer with the body copied, HEAD sends none, the bytes
// outlive their eviction while being written, and pipelined requests are answered in order.

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "server/http_server.hpp"
#include "server/request_handler.hpp"
#include "server/response.hpp"
#include "server/router.hpp"

using namespace minqing::server;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Bytes no compressor would shorten, as a tile's: a simple LCG.
std::string noise(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1103515245u + 12345u;
    c = static_cast<char>(seed >> 16);
  }
  return s;
}

// A server with a stand-in tile cache of one entry: GET /shared answers its bytes shared, GET
// /copied the same bytes copied, with the same headers. evict() drops the cache's reference.
class SharedServer {
 public:
  explicit SharedServer(std::size_t size) : m_bytes(std::make_shared<const std::string>(noise(size, 7))), m_expected(*m_bytes) {
    m_router.get("/shared", [this](const RequestContext&) {
      Response res = headed();
      std::lock_guard lock(m_mutex);
      res.body().share(m_bytes);
      return res;
    });
    m_router.get("/copied", [this](const RequestContext&) {
      Response res = headed();
      res.body() = m_expected;
      return res;
    });
    ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    m_server.emplace(options, m_handler);
    m_server->listen();
    m_thread = std::thread([this] { m_server->run(); });
  }
  ~SharedServer() {
    m_server->stop();
    if (m_thread.joinable()) m_thread.join();
  }

  unsigned short port() const { return m_server->port(); }
  const std::string& expected() const { return m_expected; }
  // The cache lets the tile go; returns whether anyone else (an answer being written) holds it.
  bool evict() {
    std::lock_guard lock(m_mutex);
    const std::weak_ptr<const std::string> watch = m_bytes;
    m_bytes = std::make_shared<const std::string>("replaced");
    return !watch.expired();
  }

 private:
  static Response headed() {
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "image/png");
    res.set(http::field::etag, "\"0123456789abcdef\"");
    res.set(http::field::cache_control, "private, no-store");
    return res;
  }

  std::mutex m_mutex;
  std::shared_ptr<const std::string> m_bytes;
  const std::string m_expected;
  Router m_router;
  RequestHandler m_handler{m_router};
  std::optional<HttpServer> m_server;
  std::thread m_thread;
};

// A blocking client that reads answers as raw bytes (5 s receive timeout: a broken server fails
// the test instead of hanging it).
class RawClient {
 public:
  explicit RawClient(unsigned short port) {
    m_socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    const timeval timeout{5, 0};
    ::setsockopt(m_socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  void send(const std::string& raw) { net::write(m_socket, net::buffer(raw)); }

  // The next answer's head, up to and including the empty line.
  std::string read_head() {
    const std::size_t n = net::read_until(m_socket, net::dynamic_buffer(m_pending), "\r\n\r\n");
    std::string head = m_pending.substr(0, n);
    m_pending.erase(0, n);
    return head;
  }
  // `n` body bytes.
  std::string read_body(std::size_t n) {
    if (m_pending.size() < n) net::read(m_socket, net::dynamic_buffer(m_pending), net::transfer_exactly(n - m_pending.size()));
    std::string body = m_pending.substr(0, n);
    m_pending.erase(0, n);
    return body;
  }
  // A whole answer with a Content-Length body (none when `head_only`).
  std::string read_answer(bool head_only = false) {
    std::string head = read_head();
    return head + (head_only ? std::string() : read_body(content_length(head)));
  }

  static std::size_t content_length(const std::string& head) {
    const auto at = head.find("Content-Length: ");
    REQUIRE(at != std::string::npos);
    return std::stoul(head.substr(at + 16));
  }

 private:
  net::io_context m_ioc;
  tcp::socket m_socket{m_ioc};
  std::string m_pending;
};

std::string get(const std::string& target, const char* method = "GET") {
  return std::string(method) + " " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

}  // namespace

TEST_CASE("a shared answer is byte for byte the copied one, and HEAD sends its head alone", "[server][socket][http]") {
  SharedServer s(40'000);
  RawClient c(s.port());
  c.send(get("/copied"));
  const std::string copied = c.read_answer();
  c.send(get("/shared"));
  const std::string shared = c.read_answer();
  CHECK(shared == copied);
  CHECK(shared.ends_with(s.expected()));
  CHECK(shared.find("Content-Length: 40000\r\n") != std::string::npos);

  c.send(get("/shared", "HEAD"));
  const std::string head = c.read_answer(true);
  CHECK(head == copied.substr(0, copied.size() - s.expected().size()));
  // Nothing followed the head: the next answer starts right after it.
  c.send(get("/copied"));
  CHECK(c.read_answer() == copied);
}

TEST_CASE("pipelined requests for shared and copied answers are answered in order", "[server][socket][http]") {
  SharedServer s(100'000);
  RawClient c(s.port());
  c.send(get("/shared") + get("/copied") + get("/shared", "HEAD") + get("/nowhere") + get("/shared"));
  const std::string first = c.read_answer();
  CHECK(first.ends_with(s.expected()));
  CHECK(c.read_answer() == first);
  CHECK(c.read_answer(true) == first.substr(0, first.size() - s.expected().size()));
  const std::string missing = c.read_head();
  CHECK(missing.starts_with("HTTP/1.1 404 "));
  c.read_body(RawClient::content_length(missing));
  CHECK(c.read_answer() == first);
}

TEST_CASE("a shared body evicted while its answer is being written is still written whole", "[server][socket][http]") {
  // 32 MB: more than the loopback socket buffers hold, so the server is still writing when the
  // client has read the head and the cache lets the bytes go.
  SharedServer s(32u << 20);
  RawClient c(s.port());
  c.send(get("/shared"));
  const std::string head = c.read_head();
  CHECK(s.evict());  // only the answer in flight still holds the bytes
  const std::string body = c.read_body(RawClient::content_length(head));
  CHECK(body.size() == s.expected().size());
  CHECK(body == s.expected());
  // The next answer shares what the cache now holds.
  c.send(get("/shared"));
  CHECK(c.read_answer().ends_with("\r\n\r\nreplaced"));
}
