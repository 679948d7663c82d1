// The server over real sockets on 127.0.0.1, an ephemeral port, in this process.

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "server/access_log.hpp"
#include "server/http_server.hpp"
#include "server/request_handler.hpp"
#include "server/response.hpp"
#include "server/router.hpp"
#include "server/would_block.hpp"
#include "server/stdio_text.hpp"

using namespace minqing::server;
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A server on 127.0.0.1:0 running in a background thread, with a stub application:
//   GET /healthz and GET /where (quick: answered on the io thread), GET /slow (slow by default:
//   on the blocking pool, where it holds the request until release() — or 5 s), POST /echo (slow),
//   GET /cold (quick, but throws WouldBlock on an io thread, as a tile on a cache miss).
class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}) : m_log_file(std::tmpfile()), m_log(m_log_file) {
    m_router.get("/healthz", [](const RequestContext&) {
      return json_response({{"status", "ok"}});
    }, Pace::quick);
    m_router.get("/slow", [this](const RequestContext&) {
      {
        std::lock_guard lock(m_mutex);
        m_slow_thread = std::hash<std::thread::id>{}(std::this_thread::get_id());
      }
      m_slow_entered.set_value();
      m_release.wait_for(5s);
      return json_response({{"slow", "done"}});
    });
    m_router.post("/echo", [](const RequestContext& c) {
      return json_response({{"bytes", c.request.body().size()}});
    });
    // The thread that answers, as a number (io threads: see io_threads()).
    m_router.get("/where", [this](const RequestContext&) {
      const auto id = std::hash<std::thread::id>{}(std::this_thread::get_id());
      std::lock_guard lock(m_mutex);
      m_io_threads.insert(id);
      return json_response({{"thread", id}});
    }, Pace::quick);
    // Slow work, as a cold tile draw: refused on an io thread (WouldBlock), then run on the
    // blocking pool, where it holds the request until release_cold() — or 5 s.
    m_router.get("/cold", [this](const RequestContext& c) {
      if (!c.may_block) throw WouldBlock{};
      {
        std::lock_guard lock(m_mutex);
        m_cold_thread = std::hash<std::thread::id>{}(std::this_thread::get_id());
      }
      m_cold_entered.set_value();
      m_cold_release.wait_for(5s);
      return json_response({{"cold", "drawn"}});
    }, Pace::quick);
    options.address = "127.0.0.1";
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    options.access_log = &m_log;
    m_server.emplace(options, m_handler);
    m_server->listen();
    m_thread = std::thread([this] {
      m_server->run();
      m_stopped = true;
    });
  }
  ~TestServer() {
    stop_and_join();
    std::fclose(m_log_file);
  }

  unsigned short port() const { return m_server->port(); }
  HttpServer& server() { return *m_server; }
  void wait_slow_entered() {
    REQUIRE(m_slow_entered_future.wait_for(5s) == std::future_status::ready);
  }
  void release() { m_release_promise.set_value(); }
  void wait_cold_entered() { REQUIRE(m_cold_entered_future.wait_for(5s) == std::future_status::ready); }
  void release_cold() { m_cold_release_promise.set_value(); }
  std::set<std::size_t> io_threads() {
    std::lock_guard lock(m_mutex);
    return m_io_threads;
  }
  std::size_t cold_thread() {
    std::lock_guard lock(m_mutex);
    return m_cold_thread;
  }
  std::size_t slow_thread() {
    std::lock_guard lock(m_mutex);
    return m_slow_thread;
  }
  bool stopped() const { return m_stopped; }

  void stop_and_join() {
    m_server->stop();
    if (m_thread.joinable()) m_thread.join();
  }

  // The access log written so far (call after stop_and_join for a complete log).
  std::string access_log() { return test::text_of(m_log_file); }

 private:
  std::FILE* m_log_file;
  AccessLog m_log;
  Router m_router;
  RequestHandler m_handler{m_router};
  std::optional<HttpServer> m_server;
  std::thread m_thread;
  std::atomic<bool> m_stopped{false};
  std::promise<void> m_slow_entered;
  std::future<void> m_slow_entered_future = m_slow_entered.get_future();
  std::promise<void> m_release_promise;
  std::shared_future<void> m_release = m_release_promise.get_future().share();
  std::mutex m_mutex;
  std::set<std::size_t> m_io_threads;
  std::size_t m_cold_thread = 0;
  std::size_t m_slow_thread = 0;
  std::promise<void> m_cold_entered;
  std::future<void> m_cold_entered_future = m_cold_entered.get_future();
  std::promise<void> m_cold_release_promise;
  std::shared_future<void> m_cold_release = m_cold_release_promise.get_future().share();
};

// A raw HTTP client: sends bytes as given, reads responses with a deadline. A deadline only
// cancels the pending read; the connection stays open, so "not closed yet" can be checked.
class Client {
 public:
  explicit Client(unsigned short port) {
    m_socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  // Writes `raw`; returns false if the server had closed the connection.
  bool send(const std::string& raw) {
    beast::error_code ec;
    net::write(m_socket, net::buffer(raw), ec);
    return !ec;
  }

  // The next response, or nullopt (with last_error()) on timeout, close or parse error.
  std::optional<http::response<http::string_body>> read(bool head = false,
                                                        std::chrono::milliseconds timeout = 5s) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(16 * 1024 * 1024);
    run_with_deadline(timeout, [&](auto handler) {
      http::async_read(m_socket, m_buffer, parser, std::move(handler));
    });
    if (m_error) return std::nullopt;
    return parser.release();
  }

  // Whether the server closes the connection (EOF or reset) within `timeout`, sending nothing.
  bool closed_by_server(std::chrono::milliseconds timeout) {
    char byte;
    run_with_deadline(timeout, [&](auto handler) {
      m_socket.async_read_some(net::buffer(&byte, 1), std::move(handler));
    });
    return m_error && !m_timed_out;
  }

  beast::error_code last_error() const { return m_error; }

 private:
  template <class Start>
  void run_with_deadline(std::chrono::milliseconds timeout, Start start) {
    m_error = {};
    m_timed_out = false;
    net::steady_timer timer(m_ioc, timeout);
    timer.async_wait([this](beast::error_code ec) {
      if (ec) return;
      m_timed_out = true;
      m_socket.cancel();
    });
    start([this, &timer](beast::error_code ec, std::size_t) {
      m_error = ec;
      timer.cancel();
    });
    m_ioc.restart();
    m_ioc.run();
  }

  net::io_context m_ioc;
  tcp::socket m_socket{m_ioc};
  beast::flat_buffer m_buffer;
  beast::error_code m_error;
  bool m_timed_out = false;
};

std::string get_request(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

json body_json(const http::response<http::string_body>& res) { return json::parse(res.body()); }

void check_error(const std::optional<http::response<http::string_body>>& res, unsigned status,
                 const std::string& code) {
  REQUIRE(res);
  CHECK(res->result_int() == status);
  CHECK((*res)[http::field::content_type] == "application/json; charset=utf-8");
  CHECK(body_json(*res).at("error") == code);
}

bool healthz_answers(unsigned short port) {
  Client c(port);
  c.send(get_request("/healthz"));
  const auto res = c.read();
  return res && res->result() == http::status::ok && body_json(*res) == json{{"status", "ok"}};
}

}  // namespace

TEST_CASE("server binds an ephemeral port and keeps connections alive", "[server][socket]") {
  TestServer s;
  REQUIRE(s.port() != 0);
  CHECK(s.server().address() == "127.0.0.1");

  Client c(s.port());
  for (int i = 0; i < 2; ++i) {
    INFO("request " << i << " on the same connection");
    REQUIRE(c.send(get_request("/healthz")));
    const auto res = c.read();
    REQUIRE(res);
    CHECK(res->result() == http::status::ok);
    CHECK(res->keep_alive());
    CHECK(body_json(*res) == json{{"status", "ok"}});
    CHECK((*res)[http::field::content_length] == std::to_string(res->body().size()));
    CHECK((*res)[http::field::server] == std::string("minqing/") + MINQING_VERSION);
    CHECK((*res)["X-Content-Type-Options"] == "nosniff");
  }
}

TEST_CASE("server answers pipelined requests in order", "[server][socket]") {
  TestServer s;
  Client c(s.port());
  REQUIRE(c.send(get_request("/healthz") + get_request("/nowhere") +
                 "HEAD /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" +
                 "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello" +
                 get_request("/healthz")));
  const auto first = c.read();
  REQUIRE(first);
  CHECK(first->result() == http::status::ok);
  check_error(c.read(), 404, "not_found");
  const auto head = c.read(true);
  REQUIRE(head);
  CHECK(head->result() == http::status::ok);
  CHECK(head->body().empty());
  CHECK((*head)[http::field::content_length] == std::to_string(first->body().size()));
  const auto echo = c.read();
  REQUIRE(echo);
  CHECK(body_json(*echo) == json{{"bytes", 5}});
  const auto last = c.read();
  REQUIRE(last);
  CHECK(last->result() == http::status::ok);
}

// A plain request is read without Beast's parser when its head came whole (server/simple_request.hpp);
// one whose head comes in pieces goes on to Beast's parser with what came, on the same deadline.
TEST_CASE("a request head that arrives in pieces is read whole, and the next one too", "[server][socket]") {
  TestServer s;
  Client c(s.port());
  REQUIRE(c.send("GET /heal"));
  std::this_thread::sleep_for(30ms);
  REQUIRE(c.send("thz HTTP/1.1\r\nHost: local"));
  std::this_thread::sleep_for(30ms);
  REQUIRE(c.send("host\r\n\r"));
  std::this_thread::sleep_for(30ms);
  REQUIRE(c.send("\n"));
  const auto first = c.read();
  REQUIRE(first);
  CHECK(first->result() == http::status::ok);
  CHECK(body_json(*first) == json{{"status", "ok"}});
  REQUIRE(c.send(get_request("/nowhere")));
  check_error(c.read(), 404, "not_found");
  REQUIRE(c.send(get_request("/healthz")));
  const auto third = c.read();
  REQUIRE(third);
  CHECK(third->result() == http::status::ok);
}

TEST_CASE("server answers an oversized header with 431 and keeps serving", "[server][socket]") {
  TestServer s;
  {
    Client c(s.port());
    c.send(get_request("/healthz", "X-Big: " + std::string(64 * 1024, 'a') + "\r\n"));
    const auto res = c.read();
    check_error(res, 431, "request_header_fields_too_large");
    CHECK_FALSE(res->keep_alive());
    CHECK(c.closed_by_server(3s));
  }
  {
    // Many small headers that add up past the limit, too.
    std::string headers;
    for (int i = 0; i < 1000; ++i) headers += "X-H" + std::to_string(i) + ": 0123456789\r\n";
    Client c(s.port());
    c.send(get_request("/healthz", headers));
    check_error(c.read(), 431, "request_header_fields_too_large");
  }
  CHECK(healthz_answers(s.port()));
}

TEST_CASE("server answers a body over the limit with 413", "[server][socket]") {
  ServerOptions o;
  o.body_limit = 1024;
  TestServer s(o);
  Client c(s.port());
  c.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2048\r\n\r\n" +
         std::string(2048, 'x'));
  check_error(c.read(), 413, "payload_too_large");
  Client ok(s.port());
  ok.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n" +
          std::string(1000, 'x'));
  const auto res = ok.read();
  REQUIRE(res);
  CHECK(body_json(*res) == json{{"bytes", 1000}});
}

TEST_CASE("server answers malformed requests and unsafe targets with 400", "[server][socket]") {
  TestServer s;
  for (const std::string& raw :
       {std::string("THIS IS NOT HTTP\r\n\r\n"), std::string("GET /healthz HTTP/9\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nBad Header Without Colon\r\n\r\n")}) {
    INFO(raw);
    Client c(s.port());
    c.send(raw);
    const auto res = c.read();
    check_error(res, 400, "bad_request");
    CHECK(c.closed_by_server(3s));
  }
  for (const char* target : {"/../healthz", "/api/%2E%2E/healthz", "/healthz%00"}) {
    INFO(target);
    Client c(s.port());
    c.send(get_request(target));
    check_error(c.read(), 400, "bad_request");
  }
  CHECK(healthz_answers(s.port()));
}

TEST_CASE("a client that stops mid-request blocks no one and is cut off after the read timeout",
          "[server][socket]") {
  ServerOptions o;
  o.read_timeout = 1s;
  o.threads = 2;
  TestServer s(o);
  std::vector<std::unique_ptr<Client>> stalled;
  for (int i = 0; i < 4; ++i) {  // more stalled connections than threads
    stalled.push_back(std::make_unique<Client>(s.port()));
    stalled.back()->send("GET /healthz HTTP/1.1\r\nHost: local");
  }
  const auto start = std::chrono::steady_clock::now();
  CHECK(healthz_answers(s.port()));
  CHECK(std::chrono::steady_clock::now() - start < 500ms);
  for (auto& c : stalled) CHECK(c->closed_by_server(4s));
  CHECK(std::chrono::steady_clock::now() - start < 5s);

  // A client that trickles bytes also gets cut off: the timeout is for the whole request.
  Client trickle(s.port());
  const auto t0 = std::chrono::steady_clock::now();
  bool cut = false;
  for (int i = 0; i < 40 && !cut; ++i) {
    cut = !trickle.send("X");
    std::this_thread::sleep_for(100ms);
  }
  CHECK(trickle.closed_by_server(3s));
  CHECK(std::chrono::steady_clock::now() - t0 < 6s);
}

TEST_CASE("an idle keep-alive connection is closed after the read timeout", "[server][socket]") {
  ServerOptions o;
  o.read_timeout = 1s;
  TestServer s(o);
  Client c(s.port());
  c.send(get_request("/healthz"));
  REQUIRE(c.read());
  CHECK_FALSE(c.closed_by_server(500ms));  // still open well within the timeout
  CHECK(c.closed_by_server(3s));
}

TEST_CASE("stop() lets a request in flight finish, closes idle connections and returns",
          "[server][socket]") {
  TestServer s;  // read timeout 30 s: idle connections must be closed by the stop, not by it
  Client idle(s.port());
  idle.send(get_request("/healthz"));
  REQUIRE(idle.read());

  Client busy(s.port());
  busy.send(get_request("/slow"));
  s.wait_slow_entered();

  const auto start = std::chrono::steady_clock::now();
  s.server().stop();
  CHECK(idle.closed_by_server(2s));
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(s.stopped());  // still finishing /slow
  s.release();
  const auto res = busy.read();
  REQUIRE(res);
  CHECK(res->result() == http::status::ok);
  CHECK(body_json(*res) == json{{"slow", "done"}});
  CHECK_FALSE(res->keep_alive());
  s.stop_and_join();
  CHECK(s.stopped());
  CHECK(std::chrono::steady_clock::now() - start < 3s);

  // No longer accepting.
  CHECK_THROWS(Client(s.port()));
}

TEST_CASE("the access log has one line per answer and never headers or secrets",
          "[server][socket]") {
  TestServer s;
  {
    Client c(s.port());
    c.send(get_request("/healthz?token=TOK789&x=1",
                       "Authorization: Bearer SECRET123\r\nCookie: sid=COOKIE456\r\n"));
    REQUIRE(c.read());
    c.send(get_request("/nowhere"));
    REQUIRE(c.read());
  }
  {
    Client c(s.port());
    c.send(get_request("/x", "X-Big: " + std::string(16 * 1024, 'a') + "\r\n"));
    REQUIRE(c.read());
  }
  s.stop_and_join();
  const std::string log = s.access_log();
  INFO(log);
  CHECK(std::count(log.begin(), log.end(), '\n') == 3);
  CHECK(log.find(" 127.0.0.1:") != std::string::npos);
  CHECK(log.find("GET \"/healthz?token=***&x=***\" 200 15 ") != std::string::npos);
  CHECK(log.find("GET \"/nowhere\" 404 ") != std::string::npos);
  CHECK(log.find("- \"-\" 431 ") != std::string::npos);
  CHECK(log.find("SECRET123") == std::string::npos);
  CHECK(log.find("COOKIE456") == std::string::npos);
  CHECK(log.find("TOK789") == std::string::npos);
  CHECK(log.find("ms\n") != std::string::npos);
}

TEST_CASE("listen() on a port in use throws an error naming the address", "[server][socket]") {
  TestServer s;
  Router r;
  const RequestHandler h(r);
  ServerOptions o;
  o.port = s.port();
  HttpServer second(o, h);
  try {
    second.listen();
    FAIL("a second server listened on the same port");
  } catch (const minqing::Error& e) {
    CHECK(std::string(e.what()).find("127.0.0.1:" + std::to_string(s.port())) != std::string::npos);
  }
  ServerOptions bad;
  bad.address = "not-an-ip";
  HttpServer third(bad, h);
  CHECK_THROWS_AS(third.listen(), minqing::ConfigError);
}

TEST_CASE("connections are spread over every io thread and each is served", "[server][socket]") {
  ServerOptions o;
  o.threads = 3;
  o.locality_slack = 0;  // the least loaded thread, whatever CPU the connections arrive on
  TestServer s(o);
  // Three connections, three threads; a fourth shares the first's.
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(std::make_unique<Client>(s.port()));
  std::vector<std::size_t> answered_by;
  for (int round = 0; round < 2; ++round) {  // keep-alive on each
    for (auto& c : clients) {
      REQUIRE(c->send(get_request("/where")));
      const auto res = c->read();
      REQUIRE(res);
      REQUIRE(res->result() == http::status::ok);
      answered_by.push_back(body_json(*res).at("thread").get<std::size_t>());
    }
  }
  CHECK(s.io_threads().size() == 3);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("connection " << i);
    CHECK(answered_by[i] == answered_by[i + 4]);  // a connection stays on its thread
  }
  CHECK(answered_by[0] == answered_by[3]);
  s.stop_and_join();
  CHECK(s.stopped());
}

// Connections are placed on the io thread of the CPU their packets arrive on (on loopback, the
// client's; server/connection_placement.hpp): a client's connections share a thread, which the
// scheduler keeps beside it, and another CPU's connections get another thread.
TEST_CASE("connections from one CPU share an io thread, another CPU's get another", "[server][socket][placement]") {
  cpu_set_t allowed;
  REQUIRE(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c) {
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  }
  if (cpus.size() < 2) {
    WARN("one CPU only: nothing to place apart");
    return;
  }
  ServerOptions o;
  o.threads = 2;
  TestServer s(o);
  // Each client thread, held on its CPU, opens three connections and asks each where it is served.
  std::vector<std::vector<std::size_t>> served_by(2);
  std::vector<bool> pinned(2, false);
  std::vector<std::thread> clients;
  for (std::size_t k = 0; k < 2; ++k) {
    clients.emplace_back([&, k] {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpus[k], &one);
      pinned[k] = sched_setaffinity(0, sizeof one, &one) == 0;
      std::vector<std::unique_ptr<Client>> conns;
      for (int i = 0; i < 3; ++i) conns.push_back(std::make_unique<Client>(s.port()));
      for (auto& c : conns) {
        if (!c->send(get_request("/where"))) return;
        const auto res = c->read();
        if (!res || res->result() != http::status::ok) return;
        served_by[k].push_back(body_json(*res).at("thread").get<std::size_t>());
      }
    });
    clients.back().join();  // one CPU's connections, then the other's
  }
  for (std::size_t k = 0; k < 2; ++k) {
    INFO("client on CPU " << cpus[k]);
    REQUIRE(pinned[k]);
    REQUIRE(served_by[k].size() == 3);
    CHECK(std::set<std::size_t>(served_by[k].begin(), served_by[k].end()).size() == 1);
  }
  CHECK(served_by[0].front() != served_by[1].front());
}

TEST_CASE("slow work runs off the io threads: it stalls no connection, its answer keeps its order",
          "[server][socket]") {
  ServerOptions o;
  o.threads = 2;
  o.locality_slack = 0;  // connections on every io thread, whatever CPU they arrive on
  TestServer s(o);
  // The slow request, then another pipelined behind it on the same connection.
  Client slow(s.port());
  REQUIRE(slow.send(get_request("/cold") + get_request("/where")));
  s.wait_cold_entered();
  // While it is held, connections on every io thread — the slow one's thread included — are
  // answered, again and again.
  std::vector<std::unique_ptr<Client>> others;
  for (int i = 0; i < 3; ++i) others.push_back(std::make_unique<Client>(s.port()));
  for (int round = 0; round < 3; ++round) {
    for (auto& c : others) {
      REQUIRE(c->send(get_request("/where")));
      const auto res = c->read();
      REQUIRE(res);
      CHECK(res->result() == http::status::ok);
    }
  }
  CHECK(s.io_threads().size() == 2);
  CHECK(s.io_threads().count(s.cold_thread()) == 0);  // not drawn on an io thread
  CHECK_FALSE(slow.read(false, 100ms));  // still held: nothing overtook it
  s.release_cold();
  const auto cold = slow.read();
  REQUIRE(cold);
  CHECK(cold->result() == http::status::ok);
  CHECK(body_json(*cold) == json{{"cold", "drawn"}});
  CHECK(cold->keep_alive());
  const auto next = slow.read();  // the pipelined request, after it
  REQUIRE(next);
  CHECK(next->result() == http::status::ok);
  CHECK(s.io_threads().count(body_json(*next).at("thread").get<std::size_t>()) == 1);
}

TEST_CASE("stop() waits for slow work on the blocking pool, closes idle connections on every thread",
          "[server][socket]") {
  ServerOptions o;
  o.threads = 2;
  o.locality_slack = 0;  // connections on every io thread, whatever CPU they arrive on
  TestServer s(o);
  Client busy(s.port());
  REQUIRE(busy.send(get_request("/cold")));
  s.wait_cold_entered();
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 3; ++i) {  // on both threads
    idle.push_back(std::make_unique<Client>(s.port()));
    REQUIRE(idle.back()->send(get_request("/healthz")));
    REQUIRE(idle.back()->read());
  }
  s.server().stop();
  for (auto& c : idle) CHECK(c->closed_by_server(2s));
  CHECK_FALSE(s.stopped());  // the slow request is still being answered
  s.release_cold();
  const auto res = busy.read();
  REQUIRE(res);
  CHECK(res->result() == http::status::ok);
  CHECK(body_json(*res) == json{{"cold", "drawn"}});
  CHECK_FALSE(res->keep_alive());  // the server is stopping
  s.stop_and_join();
  CHECK(s.stopped());
  CHECK_THROWS(Client(s.port()));
}

TEST_CASE("a request on a route not registered quick stalls no quick request on its io thread (issue 12)",
          "[server][socket][io-threads]") {
  ServerOptions o;
  o.threads = 1;  // every connection on the one io thread: a slow handler there would stall them all
  TestServer s(o);
  // A slow request (its handler held until release()), then another pipelined behind it.
  Client slow(s.port());
  REQUIRE(slow.send(get_request("/slow") + get_request("/where")));
  s.wait_slow_entered();
  // While it is held, quick requests on other connections — on the same io thread — are answered.
  // (Were /slow run on the io thread, nothing would be read until release(): these reads would
  // end at their deadline, the /slow handler's 5 s fallback still far away.)
  std::vector<std::unique_ptr<Client>> others;
  for (int i = 0; i < 2; ++i) others.push_back(std::make_unique<Client>(s.port()));
  for (int round = 0; round < 2; ++round) {
    for (auto& c : others) {
      REQUIRE(c->send(get_request("/where")));
      const auto res = c->read(false, 3s);
      REQUIRE(res);
      CHECK(res->result() == http::status::ok);
    }
    CHECK(healthz_answers(s.port()));
  }
  REQUIRE(s.io_threads().size() == 1);
  CHECK(s.io_threads().count(s.slow_thread()) == 0);  // the slow handler ran off the io thread
  CHECK_FALSE(slow.read(false, 100ms));               // still held: nothing overtook it
  s.release();
  const auto done = slow.read();
  REQUIRE(done);
  CHECK(done->result() == http::status::ok);
  CHECK(body_json(*done) == json{{"slow", "done"}});
  CHECK(done->keep_alive());
  const auto next = slow.read();  // the pipelined quick request, after it, on the io thread
  REQUIRE(next);
  CHECK(s.io_threads().count(body_json(*next).at("thread").get<std::size_t>()) == 1);
}
