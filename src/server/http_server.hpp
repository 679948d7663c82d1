#pragma once
// The HTTP/1.1 server: a Boost.Beast listener and one session per connection. Each io thread runs
// an io_context of its own, and a connection lives on one of them (round-robin at accept), so its
// work needs neither a strand nor a shared scheduler. Sessions read a request, pass it to a
// RequestHandler (which knows nothing of sockets), write the answer, and keep the connection alive.
// An io thread never blocks: only routes registered Pace::quick (server/router.hpp) run there;
// every other request, and a quick route's request that turns out to need slow work (a cold tile
// draw), is handed to a blocking pool of as many threads and its answer written back from the
// connection's own thread (server/would_block.hpp), so a PDF, an edit or a draw never stalls the
// other connections of its thread.
//
// Protection built in, per connection:
//   - the whole request (headers + body) must arrive within read_timeout, which is also the
//     keep-alive idle time: a client that trickles or stalls (slowloris) is cut off, and it never
//     blocks other connections;
//   - headers over header_limit → 431, a body over body_limit → 413, an unparsable request → 400
//     (JSON bodies, then the connection is closed); nothing a client sends can crash the server;
//   - pipelined requests are answered one by one, in order;
//   - a write that does not finish within write_timeout drops the connection.
// Shutdown (stop(), or SIGINT/SIGTERM after stop_on_signals()): stop accepting, close idle
// connections, let requests being handled finish and their answers be written, then run()
// returns. Connections still busy after shutdown_grace are dropped.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace minqing::server {

class AccessLog;
class RequestHandler;
namespace detail {
struct ServerState;  // the io_context, acceptor and live sessions (http_server.cpp)
}

struct ServerOptions {
  std::string address = "127.0.0.1";  // an IP literal (v4 or v6); name resolution is the caller's
  unsigned short port = 8080;         // 0: an ephemeral port, see HttpServer::port()
  unsigned threads = 0;               // io threads (and blocking-pool threads); 0: one per core, at least 2
  // How many more connections an io thread may hold than the least loaded one, to keep the
  // connections arriving on its CPU (server/connection_placement.hpp); 0: the least loaded always.
  std::size_t locality_slack = 16;
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  std::uint32_t header_limit = 8 * 1024;  // bytes of request line + headers
  std::uint64_t body_limit = 1024 * 1024;
  const AccessLog* access_log = nullptr;  // borrowed; null: no access log
};

// Not copyable or movable. listen(), stop_on_signals() and run() are called from one thread
// (run() blocks); stop() may be called from any thread, any number of times.
class HttpServer {
 public:
  // `handler` is borrowed and must outlive the server; it is called concurrently.
  HttpServer(ServerOptions options, const RequestHandler& handler);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Drops any connection still open; does not wait for run() (stop() and join first).
  ~HttpServer();

  // Binds and listens on options.address:options.port. Connections queue until run().
  // @throws ConfigError when the address is not an IP literal; Error naming the address when
  // binding fails (port in use, no permission).
  void listen();

  // The bound port (useful with port 0) and address; valid after listen().
  unsigned short port() const;
  std::string address() const;

  // Makes SIGINT and SIGTERM call stop(). Call once, before run().
  void stop_on_signals();

  // Serves on options.threads threads (this one included) until stopped and every connection
  // has finished. @pre listen() was called.
  void run();

  // Starts a graceful shutdown (see above) and returns at once; run() returns when it is done.
  void stop() noexcept;

 private:
  std::unique_ptr<detail::ServerState> m_impl;
};

}  // namespace minqing::server
