#include "server/http_server.hpp"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
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
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "base/error.hpp"
#include "server/access_log.hpp"
#include "server/connection_placement.hpp"
#include "server/json_error.hpp"
#include "server/request_handler.hpp"
#include "server/response.hpp"
#include "server/response_head.hpp"
#include "server/simple_request.hpp"

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
// A request's first read: a tile request's head is ~200 bytes; a longer head goes on to Beast's
// parser with what came.
constexpr std::size_t kFirstRead = 4096;

std::string endpoint_string(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  return (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
         std::to_string(ep.port());
}

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category();
}

unsigned thread_count(const ServerOptions& o) {
  return o.threads != 0 ? o.threads : std::max(2u, std::thread::hardware_concurrency());
}

// One io_context per io thread. The hint 1 tells asio that one thread runs it (handlers it posts
// to itself skip the shared queue's lock); other threads still post to it safely.
std::vector<std::unique_ptr<net::io_context>> make_contexts(unsigned n) {
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (unsigned i = 0; i < n; ++i) contexts.push_back(std::make_unique<net::io_context>(1));
  return contexts;
}

using IoExecutor = net::io_context::executor_type;
// A connection's socket, bound to its thread's io_context: the concrete executor rather than
// asio's type-erased any_io_executor, and no strand — one thread runs the context, so the
// connection's handlers never run concurrently. A bare socket, not beast::basic_stream: the
// session keeps its own deadline (Session::set_deadline), and the stream's layer did nothing else.
using Socket = net::basic_stream_socket<tcp, IoExecutor>;

}  // namespace

class Session;

struct detail::ServerState {
  ServerState(ServerOptions opts, const RequestHandler& h)
      : options(std::move(opts)),
        handler(h),
        contexts(make_contexts(thread_count(options))),
        strand(net::make_strand(*contexts.front())),
        acceptor(strand),
        signals(strand),
        grace_timer(strand),
        retry_timer(strand),
        blocking(contexts.size()) {
    // sendfile(2) cannot be told MSG_NOSIGNAL: a client that resets its connection mid-tile must
    // be an EPIPE for its session, not a SIGPIPE that ends the server.
    std::signal(SIGPIPE, SIG_IGN);
    for (auto& c : contexts) keep_running.emplace_back(c->get_executor());
  }

  void do_accept();
  void on_accept(beast::error_code ec, Socket socket);
  void begin_shutdown();
  void session_closed(Session* s) noexcept;
  void finish_if_idle();
  void stop_contexts() noexcept {
    for (auto& c : contexts) c->stop();
  }

  ServerOptions options;
  const RequestHandler& handler;

  // Declared before the io_contexts so that they outlive them: pending handlers destroyed with an
  // io_context destroy their sessions, which deregister here.
  std::mutex sessions_mutex;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  ConnectionPlacement placement{thread_count(options), options.locality_slack};  // which io thread a connection lives on
  std::atomic<bool> stopping{false};
  std::atomic<bool> forced{false};

  // One per io thread, each run by its thread alone: a connection lives on one of them, chosen at
  // accept by `placement`. Against two threads sharing one context this saved a third of a cached
  // tile's user CPU — the shared scheduler's lock and wake-ups and each connection's strand (issue
  // 12, session 9). The price, a connection pinned to a thread, is paid by never blocking an io
  // thread: only Pace::quick routes run here, everything else on `blocking` (server/router.hpp,
  // server/would_block.hpp).
  std::vector<std::unique_ptr<net::io_context>> contexts;
  net::strand<IoExecutor> strand;  // on contexts[0]: acceptor, signals, timers
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer grace_timer;
  net::steady_timer retry_timer;
  tcp::endpoint bound;
  // Keep every context's run() going while it has no connection; released (on the strand) when a
  // shutdown has no connection left.
  std::vector<net::executor_work_guard<IoExecutor>> keep_running;
  // Where requests that would block an io thread run: every route not registered quick (sheets,
  // plans, edits, logins, backups, history, search, stats…) and a quick route's slow case (a cold
  // tile draw). As many threads as io threads, the concurrency these had when the io threads ran
  // them. Declared last, so destroyed first: it joins its running requests while the contexts they
  // answer on still exist.
  net::thread_pool blocking;
};

// One connection: read a request, answer it, repeat while keep-alive. All of its work runs on
// its own strand, so it needs no locks.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(detail::ServerState& server, Socket&& socket, std::size_t thread)
      : m_server(server), m_thread(thread), m_socket(std::move(socket)) {
    beast::error_code ec;
    const auto ep = m_socket.remote_endpoint(ec);
    m_remote = ec ? "-" : endpoint_string(ep);
    if (!ec) m_peer = ep.address().to_string();
  }

  ~Session() {
    m_server.placement.closed(m_thread);
    m_server.session_closed(this);
  }

  void start() {
    net::dispatch(m_socket.get_executor(),
                  beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  // Graceful stop: an idle connection (waiting for a request) is closed now; a busy one after
  // its answer is written.
  void shutdown() {
    net::post(m_socket.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      if (self->m_reading || self->m_lingering) self->m_socket.cancel(ignored);
    });
  }

 private:
  const ServerOptions& options() const { return m_server.options; }
  bool stopping() const { return m_server.stopping; }

  // Reads the next request. A simple one (a plain GET or HEAD with ordinary fields, no body:
  // server/simple_request.hpp) is taken from the bytes as they arrive; anything else, or a head
  // that is not complete in them, goes to Beast's parser, which reads on from the same bytes.
  // One read deadline either way.
  void do_read() {
    if (stopping()) return close_now();
    set_deadline(options().read_timeout);
    m_reading = true;
    if (m_buffer.size() == 0) {
      return m_socket.async_read_some(m_buffer.prepare(kFirstRead),
                                      beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
    }
    // Bytes left from a pipelining client: answered after what this thread has waiting.
    if (take_simple_request()) {
      return net::post(m_socket.get_executor(),
                       [self = shared_from_this()] { self->on_read({}, 0); });
    }
    read_with_parser();
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    if (ec) return on_read(ec, 0);  // end of stream, timeout, reset, cancel: not an HTTP error
    m_buffer.commit(n);
    if (take_simple_request()) return on_read({}, 0);
    read_with_parser();
  }

  bool take_simple_request() {
    const auto bytes = m_buffer.data();
    const std::size_t head = parse_simple_request(
        std::string_view(static_cast<const char*>(bytes.data()), bytes.size()), options().header_limit, m_request);
    if (head == 0) return false;
    m_buffer.consume(head);
    m_simple = true;
    return true;
  }

  void read_with_parser() {
    m_simple = false;
    m_parser.emplace();
    m_parser->header_limit(options().header_limit);
    m_parser->body_limit(options().body_limit);
    http::async_read(m_socket, m_buffer, *m_parser,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  // The request being answered: read by either way above. It stays until the next do_read.
  const Request& request() const { return m_simple ? m_request : m_parser->get(); }

  // What hands an answer that comes later (RequestHandler::Later) back to this connection, which
  // it keeps alive until then.
  RequestHandler::Later later_answer() {
    return [self = shared_from_this()](Response answer) {
      net::post(self->m_socket.get_executor(), [self, answer = std::move(answer)]() mutable {
        self->m_response = std::move(answer);
        self->do_write(!self->m_response.keep_alive());
      });
    };
  }

  void on_read(beast::error_code ec, std::size_t) {
    m_reading = false;
    clear_deadline();
    m_started = std::chrono::steady_clock::now();
    if (!ec) {
      const Request& req = request();
      m_method = to_std(req.method_string());
      m_target = to_std(req.target());
      // A confidential read's answer comes once its audit entries are durable, and the answer of a
      // route not registered quick, or of a quick one that needs slow work (a cold tile), comes
      // from the blocking pool; until then the connection waits and this thread serves its others.
      // Either way the answer is written from this thread.
      // Made only when an answer waits (RequestHandler::MakeLater): it holds this connection.
      const RequestHandler::MakeLater make_later = [this] { return later_answer(); };
      bool would_block = false;
      std::optional<Response> answer = m_server.handler.handle(req, m_peer, make_later, false, &would_block, true);
      if (would_block) {
        // Nothing of the request was answered or written here (server/would_block.hpp). The
        // request and the peer stay as they are until the answer is written: the connection reads
        // nothing more meanwhile.
        net::post(m_server.blocking, [self = shared_from_this(), later = later_answer()] {
          std::optional<Response> slow =
              self->m_server.handler.handle(self->request(), self->m_peer, later, true, nullptr, true);
          if (slow) later(std::move(*slow));
        });
        return;
      }
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
      m_method = to_std(m_parser->get().method_string());
      m_target = to_std(m_parser->get().target());
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
    // The head formatted into the connection's reused buffer, the body sent from where it lives
    // (a cached tile: the cache's own bytes), both in one gathered write (server/response_head.hpp).
    // A cached tile's whole answer has its head in the file already (server/tile_answer.hpp); when
    // stopping, it still says nothing of closing, which HTTP/1.1 allows: the connection then
    // closes after it, as an idle keep-alive connection may.
    m_head.clear();
    if (!m_response.body().whole()) append_response_head(m_head, m_response);
    if (m_response.body().file()) {
      m_head_sent = 0;
      m_body_sent = 0;
      // One deadline for the whole answer, as async_write's below: a client that reads a little
      // now and then does not earn a new write timeout with each wait.
      m_send_deadline = std::chrono::steady_clock::now() + options().write_timeout;
      return send_from_file(close);
    }
    set_deadline(options().write_timeout);
    const std::string_view body = m_response.body().bytes();
    const std::array<net::const_buffer, 2> buffers{net::buffer(m_head), net::buffer(body.data(), body.size())};
    net::async_write(m_socket, buffers,
                     beast::bind_front_handler(&Session::on_write, shared_from_this(), close));
  }

  // A body that lies in a memory file (a large cached tile, server/tile_bytes.hpp): the head with
  // MSG_MORE, so that it leaves with the body's first bytes, then the body by sendfile — the socket
  // takes the file's pages by reference instead of a copy of the bytes. Both calls never block (the
  // socket is non-blocking); when the socket is full, wait until it drains and go on, until the
  // answer's write deadline. The response keeps the tile, and so its pages in the file, until on_write.
  void send_from_file(bool close) {
    const int sock = m_socket.native_handle();
    const FileRange& file = *m_response.body().file();
    auto failed = [&](int err) {
      on_write(close, beast::error_code(err, boost::system::system_category()), 0);
    };
    while (m_head_sent < m_head.size()) {
      const ssize_t n = ::send(sock, m_head.data() + m_head_sent, m_head.size() - m_head_sent,
                               MSG_MORE | MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable(close);
      if (n < 0) return failed(errno);
      m_head_sent += static_cast<std::size_t>(n);
    }
    if (!m_nonblocking) {
      // sendfile has no MSG_DONTWAIT: the socket itself must not block (asio sets this only for
      // its own operations, and not always before the first).
      beast::error_code ec;
      m_socket.native_non_blocking(true, ec);
      if (ec) return on_write(close, ec, 0);
      m_nonblocking = true;
    }
    while (m_body_sent < file.size) {
      off_t offset = static_cast<off_t>(file.offset + m_body_sent);
      const ssize_t n = ::sendfile(sock, file.fd, &offset, file.size - m_body_sent);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_writable(close);
      if (n < 0) return failed(errno);
      if (n == 0) return failed(EIO);  // the file ended early: never, as its ranges are written once
      m_body_sent += static_cast<std::size_t>(n);
    }
    on_write(close, {}, m_head.size() + file.size);
  }

  void wait_writable(bool close) {
    m_send_timer.expires_at(m_send_deadline);
    m_waiting_writable = true;
    m_send_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->m_waiting_writable) {
        beast::error_code ignored;
        self->m_socket.cancel(ignored);  // a client that stopped reading: give up
      }
    });
    m_socket.async_wait(tcp::socket::wait_write, [self = shared_from_this(), close](beast::error_code ec) {
      self->m_waiting_writable = false;
      self->m_send_timer.cancel();
      if (ec) return self->on_write(close, ec, 0);
      self->send_from_file(close);
    });
  }

  void on_write(bool close, beast::error_code ec, std::size_t) {
    clear_deadline();
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
    m_socket.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    m_lingering = true;
    set_deadline(std::min<std::chrono::steady_clock::duration>(kLingerTime, options().read_timeout));
    linger_read();
  }

  void linger_read() {
    m_socket.async_read_some(net::buffer(m_discard),
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->m_lingered += n;
                               if (ec || self->m_lingered > kLingerBytes) {
                                 self->m_lingering = false;
                                 return self->close_now();
                               }
                               self->linger_read();
                             });
  }

  // The connection's deadline for the read, write or linger in flight: when it passes, the
  // operation is cancelled and its handler closes the connection. One timer a connection, armed
  // again only when it fires before the deadline, which moves on with each request — where
  // beast::basic_stream's timeouts armed and cancelled a timer with every read and write, ~860 of a
  // cached tile's ~13,100 user-space instructions (issue 12, session 13).
  void set_deadline(std::chrono::steady_clock::duration within) {
    m_deadline = std::chrono::steady_clock::now() + within;
    if (!m_deadline_armed || m_deadline < m_armed_until) arm_deadline();
  }
  void clear_deadline() { m_deadline = std::chrono::steady_clock::time_point::max(); }
  void arm_deadline() {
    m_deadline_armed = true;
    m_armed_until = m_deadline;
    m_deadline_timer.expires_at(m_deadline);  // a wait for a later time ends with operation_aborted
    m_deadline_timer.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_deadline(ec); });
  }
  void on_deadline(beast::error_code ec) {
    if (ec) return;  // armed again for an earlier time, or cancelled by close_now
    m_deadline_armed = false;
    if (m_deadline == std::chrono::steady_clock::time_point::max()) return;  // nothing in flight
    if (std::chrono::steady_clock::now() < m_deadline) return arm_deadline();
    beast::error_code ignored;
    m_socket.cancel(ignored);  // the operation's handler closes the connection
  }

  void close_now() {
    clear_deadline();
    m_deadline_timer.cancel();  // its handler holds the session
    beast::error_code ec;
    m_socket.shutdown(tcp::socket::shutdown_both, ec);
    m_socket.close(ec);
  }

  detail::ServerState& m_server;
  std::size_t m_thread;  // the io thread (context) it lives on, for ConnectionPlacement
  Socket m_socket;
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  Request m_request;      // a simple request's, when m_simple
  bool m_simple = false;  // the request being answered is m_request, not m_parser's
  Response m_response;
  std::string m_head;  // the answer's status line and fields, formatted for the write
  std::size_t m_head_sent = 0;  // send_from_file's progress through the head
  std::size_t m_body_sent = 0;  // …and through the body
  bool m_nonblocking = false;   // the socket was set non-blocking for sendfile
  bool m_waiting_writable = false;
  std::chrono::steady_clock::time_point m_send_deadline;  // send_from_file gives up then
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, IoExecutor>
      m_deadline_timer{m_socket.get_executor()};  // set_deadline's
  std::chrono::steady_clock::time_point m_deadline = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point m_armed_until;  // when the timer's wait ends
  bool m_deadline_armed = false;
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, IoExecutor>
      m_send_timer{m_socket.get_executor()};  // bounds send_from_file's waits for a full socket
  std::string m_remote;
  std::string m_peer;  // the client's IP address without the port: for sessions, lockout, audit
  // The request's method and target for its access log line: views into the request held by
  // request() (or "-"), which stays until the next do_read, after the line is written (copies were
  // ~150 instructions a request, issue 12).
  std::string_view m_method;
  std::string_view m_target;
  std::chrono::steady_clock::time_point m_started;
  bool m_reading = false;
  bool m_lingering = false;
  std::size_t m_lingered = 0;
  std::array<char, 4096> m_discard{};
};

void detail::ServerState::do_accept() {
  // Accepted on the first thread's context; on_accept moves the connection to its thread.
  acceptor.async_accept(contexts.front()->get_executor(), beast::bind_front_handler(&ServerState::on_accept, this));
}

void detail::ServerState::on_accept(beast::error_code ec, Socket socket) {
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
  // Every answer leaves in full at once (one gathered write, or a head sent with MSG_MORE and its
  // body by sendfile): Nagle's wait for an ack would only hold back an answer's last segment.
  beast::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  // On the io thread of the CPU its packets arrive on (server/connection_placement.hpp).
  const std::size_t thread = placement.place(incoming_cpu(socket.native_handle()));
  net::io_context& home = *contexts[thread];
  std::optional<Socket> moved;
  if (&socket.get_executor().context() != &home) {
    beast::error_code move_ec;
    const int fd = socket.release(move_ec);
    if (!move_ec) {
      moved.emplace(home.get_executor());
      moved->assign(bound.protocol(), fd, move_ec);
      if (move_ec) ::close(fd);
    }
    if (move_ec) {  // never seen: the connection is dropped, the server goes on
      std::fprintf(stderr, "minqing serve: could not hand a connection to its thread: %s\n", move_ec.message().c_str());
      placement.closed(thread);
      do_accept();
      return;
    }
  }
  auto session = std::make_shared<Session>(*this, moved ? std::move(*moved) : std::move(socket), thread);
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
    stop_contexts();
  });
  finish_if_idle();
}

// Runs on the strand. Once a shutdown has no connection left, nothing more will come: the grace
// timer is cancelled and the contexts may run out of work, so that every io thread's run() returns.
void detail::ServerState::finish_if_idle() {
  {
    std::lock_guard lock(sessions_mutex);
    if (!sessions.empty()) return;
  }
  grace_timer.cancel();
  for (auto& guard : keep_running) guard.reset();
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
      net::post(strand, [this] { finish_if_idle(); });
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
  std::vector<std::thread> pool;
  pool.reserve(im.contexts.size() - 1);
  for (std::size_t i = 1; i < im.contexts.size(); ++i) pool.emplace_back([&im, i] { im.contexts[i]->run(); });
  im.contexts.front()->run();
  for (auto& t : pool) t.join();
  if (im.options.access_log) im.options.access_log->flush();  // every answered request is logged
}

void HttpServer::stop() noexcept {
  detail::ServerState& im = *m_impl;
  if (im.stopping.exchange(true)) return;
  try {
    net::post(im.strand, [&im] { im.begin_shutdown(); });
  } catch (...) {
    im.stop_contexts();  // bad_alloc: stop hard rather than not at all
  }
}

}  // namespace minqing::server
