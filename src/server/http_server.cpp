#include "server/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "base/error.hpp"
#include "server/access_log.hpp"
#include "server/json_error.hpp"
#include "server/request_handler.hpp"
#include "server/response.hpp"
#include "server/response_head.hpp"

namespace minqing::server {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

// After a response that closes the connection, read and discard what the client still sends, for
// up to this long, before closing: closing a socket with unread input makes the kernel send a
// reset, which can destroy the response before the client has read it (an error answer to an
// oversized request, a pipelined request after "Connection: close").
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr std::size_t kLingerBytes = 1024 * 1024;

std::string endpoint_string(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
         std::to_string(ep.port());
}

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category();
}

}  // namespace

class Session;

struct detail::ServerState {
  ServerState(ServerOptions opts, const RequestHandler& h)
      : options(std::move(opts)),
        handler(h),
        strand(net::make_strand(ioc)),
        acceptor(strand),
        signals(strand),
        grace_timer(strand),
        retry_timer(strand) {}

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void begin_shutdown();
  void session_closed(Session* s) noexcept;
  void cancel_grace_if_idle();

  ServerOptions options;
  const RequestHandler& handler;

  // Declared before the io_context so that they outlive it: pending handlers destroyed with the
  // io_context destroy their sessions, which deregister here.
  std::mutex sessions_mutex;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  std::atomic<bool> stopping{false};
  std::atomic<bool> forced{false};

  net::io_context ioc;
  net::strand<net::io_context::executor_type> strand;  // acceptor, signals, timers
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer grace_timer;
  net::steady_timer retry_timer;
  tcp::endpoint bound;
};

// One connection: read a request, answer it, repeat while keep-alive. All of its work runs on
// its own strand, so it needs no locks.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(detail::ServerState& server, tcp::socket&& socket)
      : m_server(server), m_stream(std::move(socket)) {
    beast::error_code ec;
    const auto ep = m_stream.socket().remote_endpoint(ec);
    m_remote = ec ? "-" : endpoint_string(ep);
    if (!ec) m_peer = ep.address().to_string();
  }

  ~Session() { m_server.session_closed(this); }

  void start() {
    net::dispatch(m_stream.get_executor(),
                  beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  // Graceful stop: an idle connection (waiting for a request) is closed now; a busy one after
  // its answer is written.
  void shutdown() {
    net::post(m_stream.get_executor(), [self = shared_from_this()] {
      if (self->m_reading || self->m_lingering) self->m_stream.cancel();
    });
  }

 private:
  const ServerOptions& options() const { return m_server.options; }
  bool stopping() const { return m_server.stopping; }

  void do_read() {
    if (stopping()) return close_now();
    m_parser.emplace();
    m_parser->header_limit(options().header_limit);
    m_parser->body_limit(options().body_limit);
    m_stream.expires_after(options().read_timeout);
    m_reading = true;
    http::async_read(m_stream, m_buffer, *m_parser,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    m_reading = false;
    m_started = std::chrono::steady_clock::now();
    if (!ec) {
      const Request& req = m_parser->get();
      // Assigned, not constructed: the connection's buffers are reused from request to request.
      m_method.assign(req.method_string().data(), req.method_string().size());
      m_target.assign(req.target().data(), req.target().size());
      // A confidential read's answer comes once its audit entries are durable; until then the
      // connection waits and the thread serves others (server/deferred_audit.hpp).
      std::optional<Response> answer =
          m_server.handler.handle(req, m_peer, [self = shared_from_this()](Response later) {
            net::post(self->m_stream.get_executor(), [self, later = std::move(later)]() mutable {
              self->m_response = std::move(later);
              self->do_write(!self->m_response.keep_alive());
            });
          });
      if (!answer) return;
      m_response = std::move(*answer);
      return do_write(!m_response.keep_alive());
    }
    // End of stream before a request, a timeout, a cancel by shutdown, a reset, or a connection
    // that closed mid-request: nobody is waiting for an answer.
    if (!is_http_error(ec) || ec == http::error::end_of_stream ||
        ec == http::error::partial_message) {
      return close_now();
    }
    http::status status = http::status::bad_request;
    std::string detail = "malformed HTTP request: " + ec.message();
    if (ec == http::error::header_limit) {
      status = http::status::request_header_fields_too_large;
      detail =
          "request line and headers exceed " + std::to_string(options().header_limit) + " bytes";
    } else if (ec == http::error::body_limit) {
      status = http::status::payload_too_large;
      detail = "request body exceeds " + std::to_string(options().body_limit) + " bytes";
    }
    if (m_parser->is_header_done()) {
      m_method.assign(m_parser->get().method_string().data(), m_parser->get().method_string().size());
      m_target.assign(m_parser->get().target().data(), m_parser->get().target().size());
    } else {
      m_method = "-";
      m_target = "-";
    }
    m_response = json_error(status, detail);
    finalize_response(m_response, 11, false, false);
    do_write(true);
  }

  void do_write(bool close) {
    // Checked here, not in shutdown(): that post cannot run on this strand while a handler is
    // busy, yet the answer to the request in flight must already say "Connection: close".
    if (stopping()) {
      m_response.keep_alive(false);
      close = true;
    }
    m_stream.expires_after(options().write_timeout);
    // The head formatted into the connection's reused buffer, the body sent from where it lives
    // (a cached tile: the cache's own bytes), both in one gathered write (server/response_head.hpp).
    m_head.clear();
    append_response_head(m_head, m_response);
    const std::string_view body = m_response.body().bytes();
    const std::array<net::const_buffer, 2> buffers{net::buffer(m_head), net::buffer(body.data(), body.size())};
    net::async_write(m_stream, buffers,
                     beast::bind_front_handler(&Session::on_write, shared_from_this(), close));
  }

  void on_write(bool close, beast::error_code ec, std::size_t) {
    if (const AccessLog* log = options().access_log) {
      AccessEntry e;
      e.time = std::chrono::system_clock::now();
      e.remote = m_remote;
      e.method = m_method;
      e.target = m_target;
      e.status = m_response.result_int();
      e.bytes = ec ? 0 : m_response.body().byte_size();
      e.duration = std::chrono::steady_clock::now() - m_started;
      log->write(e);
    }
    m_response = {};
    if (ec) return close_now();
    if (close || stopping()) return linger_close();
    do_read();
  }

  // Half-closes, then discards input until the client closes, kLingerTime passes or kLingerBytes
  // arrived; the socket closes when the last reference to the session goes.
  void linger_close() {
    beast::error_code ec;
    m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    m_lingering = true;
    m_stream.expires_after(
        std::min<std::chrono::steady_clock::duration>(kLingerTime, options().read_timeout));
    linger_read();
  }

  void linger_read() {
    m_stream.async_read_some(net::buffer(m_discard),
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->m_lingered += n;
                               if (ec || self->m_lingered > kLingerBytes) {
                                 self->m_lingering = false;
                                 return self->close_now();
                               }
                               self->linger_read();
                             });
  }

  void close_now() {
    beast::error_code ec;
    m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    m_stream.close();
  }

  detail::ServerState& m_server;
  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  Response m_response;
  std::string m_head;  // the answer's status line and fields, formatted for the write
  std::string m_remote;
  std::string m_peer;  // the client's IP address without the port: for sessions, lockout, audit
  std::string m_method;
  std::string m_target;
  std::chrono::steady_clock::time_point m_started;
  bool m_reading = false;
  bool m_lingering = false;
  std::size_t m_lingered = 0;
  std::array<char, 4096> m_discard{};
};

void detail::ServerState::do_accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        beast::bind_front_handler(&ServerState::on_accept, this));
}

void detail::ServerState::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping || !acceptor.is_open()) return;
  if (ec) {
    // Out of file descriptors or a connection reset before accept: try again shortly rather than
    // spinning.
    std::fprintf(stderr, "minqing serve: accept failed: %s\n", ec.message().c_str());
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping) do_accept();
    });
    return;
  }
  auto session = std::make_shared<Session>(*this, std::move(socket));
  {
    std::lock_guard lock(sessions_mutex);
    sessions.emplace(session.get(), session);
  }
  session->start();
  do_accept();
}

// Runs on the strand.
void detail::ServerState::begin_shutdown() {
  beast::error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  retry_timer.cancel();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mutex);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->shutdown();
  live.clear();
  grace_timer.expires_after(options.shutdown_grace);
  grace_timer.async_wait([this](beast::error_code wait_ec) {
    if (wait_ec) return;  // every connection finished in time
    std::fprintf(stderr, "minqing serve: connections still busy after %lld ms; dropping them\n",
                 static_cast<long long>(options.shutdown_grace.count()));
    forced = true;
    ioc.stop();
  });
  cancel_grace_if_idle();
}

// Runs on the strand.
void detail::ServerState::cancel_grace_if_idle() {
  std::lock_guard lock(sessions_mutex);
  if (sessions.empty()) grace_timer.cancel();
}

void detail::ServerState::session_closed(Session* s) noexcept {
  bool last = false;
  {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(s);
    last = sessions.empty();
  }
  if (last && stopping && !forced) {
    try {
      net::post(strand, [this] { cancel_grace_if_idle(); });
    } catch (...) {
      // Cannot happen short of bad_alloc; the grace timer then ends the shutdown.
    }
  }
}

HttpServer::HttpServer(ServerOptions options, const RequestHandler& handler)
    : m_impl(std::make_unique<detail::ServerState>(std::move(options), handler)) {}

HttpServer::~HttpServer() {
  m_impl->forced = true;  // sessions destroyed with the io_context must not post to it
}

void HttpServer::listen() {
  detail::ServerState& im = *m_impl;
  beast::error_code ec;
  const auto addr = net::ip::make_address(im.options.address, ec);
  if (ec) throw ConfigError("listen address \"" + im.options.address + "\" is not an IP address");
  const tcp::endpoint ep(addr, im.options.port);
  const std::string where = endpoint_string(ep);
  im.acceptor.open(ep.protocol(), ec);
  if (!ec) im.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(ep, ec);
  if (!ec) im.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw Error("cannot listen on " + where + ": " + ec.message());
  im.bound = im.acceptor.local_endpoint();
  im.do_accept();
}

unsigned short HttpServer::port() const { return m_impl->bound.port(); }

std::string HttpServer::address() const { return m_impl->bound.address().to_string(); }

void HttpServer::stop_on_signals() {
  detail::ServerState& im = *m_impl;
  im.signals.add(SIGINT);
  im.signals.add(SIGTERM);
  im.signals.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    std::fprintf(stderr, "minqing serve: %s received; finishing requests in flight\n",
                 signal == SIGINT ? "SIGINT" : "SIGTERM");
    stop();
  });
}

void HttpServer::run() {
  detail::ServerState& im = *m_impl;
  unsigned n = im.options.threads;
  if (n == 0) n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (unsigned i = 1; i < n; ++i) pool.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : pool) t.join();
  if (im.options.access_log) im.options.access_log->flush();  // every answered request is logged
}

void HttpServer::stop() noexcept {
  detail::ServerState& im = *m_impl;
  if (im.stopping.exchange(true)) return;
  try {
    net::post(im.strand, [&im] { im.begin_shutdown(); });
  } catch (...) {
    im.ioc.stop();  // bad_alloc: stop hard rather than not at all
  }
}

}  // namespace minqing::server
