// `minqing serve` as a user runs it: a subprocess, polled over HTTP, stopped by SIGTERM.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "backup/backup.hpp"
#include "server/scratch_store.hpp"
#include "support/backup_fixture.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

unsigned short free_port() {
  net::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// The whole answer to `GET target` with Connection: close, or "" when nothing answers.
std::string http_get(unsigned short port, const std::string& target) {
  try {
    net::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    const std::string req =
        "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    net::write(sock, net::buffer(req));
    std::string out;
    boost::system::error_code ec;
    net::read(sock, net::dynamic_buffer(out), ec);  // until the server closes
    return out;
  } catch (const std::exception&) {
    return "";
  }
}

struct Child {
  pid_t pid = -1;
  std::filesystem::path out;
  std::filesystem::path err;
};

Child spawn_minqing(const std::vector<std::string>& args, const std::filesystem::path& dir) {
  Child c;
  c.out = dir / "stdout.txt";
  c.err = dir / "stderr.txt";
  std::vector<std::string> argv_s = {minqing::test::minqing_bin().string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  c.pid = fork();
  REQUIRE(c.pid >= 0);
  if (c.pid == 0) {
    const int out = open(c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return c;
}

// The child's exit status once it exits within `timeout`; kills it and returns nullopt otherwise.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    std::this_thread::sleep_for(50ms);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return std::nullopt;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The committed sample when it exists, else a small store built for the test.
std::filesystem::path store_for_test() {
  const auto sample = minqing::test::sample_store();
  if (std::filesystem::exists(sample)) return sample;
  return minqing::test::make_scratch_store("serve_command_store", 2);
}

}  // namespace

TEST_CASE("minqing serve answers /healthz and exits 0 on SIGTERM", "[server][cli]") {
  const auto dir = minqing::test::scratch_dir("serve_command");
  const auto store = store_for_test();
  const unsigned short port = free_port();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  Child c = spawn_minqing({"serve", "--listen", listen, "--store", store.string(), "--layers",
                           minqing::test::layers_dir().string(), "--threads", "2", "--auth",
                           (dir / "auth.sqlite").string(), "--audit", (dir / "audit.jsonl").string(), "--demo"},
                          dir);

  std::string answer;
  const auto deadline =
      std::chrono::steady_clock::now() + 60s;  // loading the sample takes a moment
  while (std::chrono::steady_clock::now() < deadline) {
    answer = http_get(port, "/healthz");
    if (!answer.empty()) break;
    int status = 0;
    if (waitpid(c.pid, &status, WNOHANG) == c.pid)
      FAIL("minqing serve exited early:\n" << slurp(c.err));
    std::this_thread::sleep_for(100ms);
  }
  INFO("stderr:\n" << slurp(c.err));
  REQUIRE(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(answer.find("{\"status\":\"ok\"}") != std::string::npos);
  CHECK(answer.find("Server: minqing/") != std::string::npos);

  const std::string layers = http_get(port, "/api/layers");
  CHECK(layers.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(layers.find("\"villages\"") != std::string::npos);     // anonymous: the public scope,
  CHECK(layers.find("\"shelters\"") == std::string::npos);     // terrain only
  CHECK(layers.find("key_persons") == std::string::npos);
  // --demo lists the demo accounts and their roles at start-up.
  const std::string started = slurp(c.out);
  CHECK(started.find("cadre2") != std::string::npos);
  CHECK(started.find("disaster_planner") != std::string::npos);
  CHECK(std::filesystem::exists(dir / "auth.sqlite"));

  REQUIRE(kill(c.pid, SIGTERM) == 0);
  const auto status = wait_exit(c.pid, 15s);
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);

  const std::string out = slurp(c.out);
  CHECK(out.find("Minqing Map serving " + store.string() + " at http://" + listen + "/") !=
        std::string::npos);
  CHECK(out.find(" features") != std::string::npos);
  const std::string err = slurp(c.err);
  CHECK(err.find("GET \"/healthz\" 200") != std::string::npos);  // the access log
}

TEST_CASE("minqing serve refuses a non-loopback address without --public", "[server][cli]") {
  const auto dir = minqing::test::scratch_dir("serve_public");
  Child c = spawn_minqing({"serve", "--listen", "0.0.0.0:" + std::to_string(free_port()), "--store",
                           store_for_test().string()},
                          dir);
  const auto status = wait_exit(c.pid, 30s);
  REQUIRE(status);
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) != 0);
  CHECK(slurp(c.err).find("--public") != std::string::npos);
  CHECK(slurp(c.out).find("serving") == std::string::npos);
}

TEST_CASE("minqing serve reports a bad --listen value and a missing store", "[server][cli]") {
  const auto dir = minqing::test::scratch_dir("serve_bad_args");
  Child bad = spawn_minqing({"serve", "--listen", "127.0.0.1:99999"}, dir);
  auto status = wait_exit(bad.pid, 30s);
  REQUIRE(status);
  CHECK(WEXITSTATUS(*status) != 0);
  CHECK(slurp(bad.err).find("--listen") != std::string::npos);

  const auto missing = (dir / "missing.gpkg").string();
  Child none = spawn_minqing({"serve", "--listen", "127.0.0.1:0", "--store", missing}, dir);
  status = wait_exit(none.pid, 30s);
  REQUIRE(status);
  CHECK(WEXITSTATUS(*status) == 1);
  CHECK(slurp(none.err).find(missing) != std::string::npos);
}

TEST_CASE("minqing serve refuses a negative or absurd memory size with the option's name", "[server][cli][hostile]") {
  // boost reads "-1" as an unsigned number by wrapping it; the server must not take it as "all".
  const std::vector<std::vector<std::string>> lines = {
      {"--cache-mb", "-1"}, {"--relief-mb", "-5"}, {"--audit-max-mb", "-1"}, {"--backup-keep", "-2"},
      {"--threads", "-1"},  {"--cache-mb", "99999999999"}, {"--relief-mb", "17000000"}};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto dir = minqing::test::scratch_dir("serve_negative_" + std::to_string(i));
    std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0", "--store", (dir / "never-opened.gpkg").string()};
    args.insert(args.end(), lines[i].begin(), lines[i].end());
    Child c = spawn_minqing(args, dir);
    const auto status = wait_exit(c.pid, 30s);
    REQUIRE(status);
    INFO(lines[i][0] << " " << lines[i][1] << ": " << slurp(c.err));
    CHECK(WEXITSTATUS(*status) == 2);
    CHECK(slurp(c.err).find(lines[i][0]) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "never-opened.gpkg"));
  }
}

TEST_CASE("minqing restore refuses a store that minqing serve is serving, and restores it once stopped",
          "[server][cli][backup]") {
  auto f = minqing::test::make_backup_fixture("serve_restore");
  const auto backup_dir = f.out / minqing::backup::make_backup(f.files, f.out).id;
  const unsigned short port = free_port();
  Child c = spawn_minqing({"serve", "--listen", "127.0.0.1:" + std::to_string(port), "--store", f.files.store.string(),
                           "--layers", minqing::test::layers_dir().string(), "--threads", "2"},
                          f.dir);
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline && answer.empty()) {
    answer = http_get(port, "/healthz");
    int status = 0;
    if (answer.empty() && waitpid(c.pid, &status, WNOHANG) == c.pid)
      FAIL("minqing serve exited early:\n" << slurp(c.err));
    if (answer.empty()) std::this_thread::sleep_for(100ms);
  }
  REQUIRE_FALSE(answer.empty());

  const std::string restore = minqing::test::minqing_bin().string() + " restore --force --backup '" +
                              backup_dir.string() + "' --store '" + f.files.store.string() + "'";
  const auto refused = minqing::test::run_command(restore);
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("stop it first") != std::string::npos);

  REQUIRE(kill(c.pid, SIGTERM) == 0);
  REQUIRE(wait_exit(c.pid, 15s));
  const auto restored = minqing::test::run_command(restore);
  INFO(restored.output);
  CHECK(restored.exit_code == 0);
}
