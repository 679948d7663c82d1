#pragma once
// A real HTTP server on 127.0.0.1 and an ephemeral port, running in a background thread for the
// lifetime of the object: the test talks to it over a socket (GDAL, `minqing seed`, raw clients).
// Stopped and joined on destruction, also when a REQUIRE ends the test early.

#include <optional>
#include <string>
#include <thread>

#include "server/http_server.hpp"
#include "server/request_handler.hpp"

namespace minqing::test {

class LoopbackServer {
 public:
  explicit LoopbackServer(const server::RequestHandler& handler) {
    server::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    m_http.emplace(options, handler);
    m_http->listen();
    m_thread = std::thread([this] { m_http->run(); });
  }
  ~LoopbackServer() {
    m_http->stop();
    if (m_thread.joinable()) m_thread.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // "http://127.0.0.1:PORT", no trailing slash.
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_http->port()); }

 private:
  std::optional<server::HttpServer> m_http;
  std::thread m_thread;
};

}  // namespace minqing::test
