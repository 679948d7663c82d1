// Where the server puts a new connection (server/connection_placement.hpp, issue 12 session 13):
// on the io thread of the CPU its packets arrive on, within a bound of balance; round-robin when
// the CPU is unknown.

#include <sched.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "server/connection_placement.hpp"

using namespace minqing::server;

TEST_CASE("a connection goes to the io thread of the CPU it arrives on", "[server][placement]") {
  ConnectionPlacement p(2, 16);
  CHECK(p.place(0) == 0);
  CHECK(p.place(1) == 1);
  CHECK(p.place(3) == 1);  // CPUs beyond the threads wrap
  CHECK(p.place(2) == 0);
  CHECK(p.live(0) == 2);
  CHECK(p.live(1) == 2);
  p.closed(1);
  CHECK(p.live(1) == 1);
}

TEST_CASE("connections that all arrive on one CPU still spread, within the slack", "[server][placement]") {
  ConnectionPlacement p(3, 4);
  for (int i = 0; i < 300; ++i) p.place(0);
  const std::size_t a = p.live(0), b = p.live(1), c = p.live(2);
  CHECK(a + b + c == 300);
  CHECK(std::max({a, b, c}) - std::min({a, b, c}) <= 4);
  CHECK(a > b);  // the arrival CPU's thread keeps the most it may
  // With no slack, the least loaded always.
  ConnectionPlacement even(2, 0);
  for (int i = 0; i < 10; ++i) even.place(1);
  CHECK(even.live(0) == 5);
  CHECK(even.live(1) == 5);
}

TEST_CASE("a connection whose CPU is unknown is dealt round-robin", "[server][placement]") {
  ConnectionPlacement p(3, 16);
  CHECK(p.place(-1) == 0);
  CHECK(p.place(-1) == 1);
  CHECK(p.place(-1) == 2);
  CHECK(p.place(-1) == 0);
}

TEST_CASE("the system tells the CPU a loopback connection's packets arrived on: the client's",
          "[server][placement][socket]") {
  namespace net = boost::asio;
  using tcp = net::ip::tcp;
  cpu_set_t allowed;
  REQUIRE(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c) {
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  }
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  for (const int cpu : cpus) {
    // A client thread held on `cpu` connects and sends; its packets are processed there.
    tcp::socket accepted(io);
    bool pinned = false;
    std::thread client([&, cpu] {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      pinned = sched_setaffinity(0, sizeof one, &one) == 0;
      net::io_context client_io;
      tcp::socket s(client_io);
      s.connect(acceptor.local_endpoint());
      net::write(s, net::buffer("x", 1));
      char c;
      net::read(s, net::buffer(&c, 1));  // held open until the server has looked
    });
    acceptor.accept(accepted);
    char c;
    net::read(accepted, net::buffer(&c, 1));
    const int seen = incoming_cpu(accepted.native_handle());
    net::write(accepted, net::buffer("y", 1));
    client.join();
    INFO("client on CPU " << cpu);
    REQUIRE(pinned);
    CHECK(seen == cpu);
  }
}
