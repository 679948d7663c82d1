// Crash safety of edits (issue 15): the real `minqing serve` on a copy of the sample, two clients
// creating households in a loop, the server killed with SIGKILL at random moments 20 times. After
// each kill: SQLite's integrity check is ok, every acknowledged write is in the store, every
// household a client created is whole and has its history row (no half-write), and the restarted
// server serves exactly what the store holds.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <regex>
#include <set>
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
#include <nlohmann/json.hpp>

#include "support/sqlite_probe.hpp"
#include "support/test_env.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using namespace std::chrono_literals;
namespace test = minqing::test;

namespace {

struct Answer {
  int status = 0;  // 0: no complete answer (the server died or was not there)
  std::string body;
};

Answer http(unsigned short port, const std::string& method, const std::string& target, const std::string& token = {},
            const std::string& body = {}) {
  try {
    net::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST") {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    net::write(sock, net::buffer(req));
    std::string out;
    boost::system::error_code ec;
    net::read(sock, net::dynamic_buffer(out), ec);
    const auto head_end = out.find("\r\n\r\n");
    if (out.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return {};
    const auto length_at = out.find("Content-Length: ");
    Answer a{std::stoi(out.substr(9, 3)), out.substr(head_end + 4)};
    if (length_at != std::string::npos && length_at < head_end &&
        a.body.size() != std::stoul(out.substr(length_at + 16, out.find("\r\n", length_at) - length_at - 16))) {
      return {};  // cut off mid-answer
    }
    return a;
  } catch (const std::exception&) {
    return {};
  }
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Server {
  pid_t pid = -1;
  unsigned short port = 0;
};

Server start(const std::filesystem::path& dir, const std::filesystem::path& store, int round) {
  const auto out = dir / ("stdout-" + std::to_string(round) + ".txt");
  const auto err = dir / ("stderr-" + std::to_string(round) + ".txt");
  std::vector<std::string> args = {test::minqing_bin().string(), "serve", "--listen", "127.0.0.1:0", "--store", store.string(),
                                   "--layers", test::layers_dir().string(), "--threads", "4", "--auth",
                                   (dir / "auth.sqlite").string(), "--audit", (dir / "audit.jsonl").string(), "--demo",
                                   "--cache-mb", "0"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Server s;
  s.pid = fork();
  REQUIRE(s.pid >= 0);
  if (s.pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const std::regex serving(R"(at http://127\.0\.0\.1:(\d+)/)");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string text = slurp(out);
    if (std::regex_search(text, m, serving)) {
      s.port = static_cast<unsigned short>(std::stoi(m[1]));
      return s;
    }
    int status = 0;
    if (waitpid(s.pid, &status, WNOHANG) == s.pid) FAIL("minqing serve exited early:\n" << slurp(err));
    std::this_thread::sleep_for(20ms);
  }
  kill(s.pid, SIGKILL);
  waitpid(s.pid, nullptr, 0);
  FAIL("minqing serve did not start:\n" << slurp(err));
  return s;
}

void crash(Server& s) {
  kill(s.pid, SIGKILL);
  int status = 0;
  waitpid(s.pid, &status, 0);
  s.pid = -1;
}

std::set<std::string> split_lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

}  // namespace

TEST_CASE("edits: acknowledged writes survive SIGKILL of the server at random moments, and nothing half-written does", "[edits][crash]") {
  const auto dir = test::scratch_dir("edit-crash");
  const auto store = dir / "store.gpkg";
  std::filesystem::copy_file(test::sample_store(), store);
  std::mt19937 random(20261201);
  std::set<std::string> acknowledged;
  std::string token;
  json place;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    Server s = start(dir, store, round);
    if (token.empty()) {
      const Answer login = http(s.port, "POST", "/api/login", {}, R"({"username":"admin","password":"minqing-demo"})");
      REQUIRE(login.status == 200);
      token = json::parse(login.body).at("token");
      const Answer h = http(s.port, "GET", "/collections/households/items?limit=1", token);
      REQUIRE(h.status == 200);
      place = json::parse(h.body)["features"][0]["geometry"];
    }
    // After the restart: the server serves what the store holds, with every acknowledged write.
    const Answer served = http(s.port, "GET", "/collections/households/items?limit=10000&filter=" +
                                                  std::string("household_id%20LIKE%20%27C%25%27"), token);
    REQUIRE(served.status == 200);
    std::set<std::string> served_ids;
    const json page = json::parse(served.body);
    for (const auto& f : page["features"]) served_ids.insert(f["properties"]["household_id"].get<std::string>());
    const std::set<std::string> stored_ids =
        split_lines(test::sqlite_text(store, "SELECT group_concat(household_id, char(10)) FROM households WHERE household_id LIKE 'C%'"));
    CHECK(served_ids == stored_ids);
    for (const auto& id : acknowledged) {
      INFO("round " << round << ": acknowledged write " << id);
      CHECK(stored_ids.count(id) == 1);
    }

    // Two clients write until the server is killed under them.
    std::atomic<bool> stop{false};
    std::mutex m;
    std::string refused;  // Catch's assertions are for the test's thread: the clients report here
    auto client = [&](int who) {
      for (int n = 0; !stop; ++n) {
        const std::string id = "C" + std::to_string(round) + "-" + std::to_string(who) + "-" + std::to_string(n);
        json g = place;
        g["coordinates"][0] = g["coordinates"][0].get<double>() + 0.000001 * (n % 50);
        const json body = {{"type", "Feature"}, {"geometry", g},
                           {"properties", {{"household_id", id}, {"head_name", "测试"}, {"members", 4}, {"employment", "farming"}}}};
        const Answer a = http(s.port, "POST", "/collections/households/items", token, body.dump());
        if (a.status == 201) {
          std::lock_guard lock(m);
          acknowledged.insert(id);
        } else if (a.status == 0) {
          return;  // the server is gone
        } else {
          std::lock_guard lock(m);
          refused = std::to_string(a.status) + " " + a.body;
          return;
        }
      }
    };
    const std::size_t before = acknowledged.size();
    std::thread a(client, 1), b(client, 2);
    // Killed at a random moment once writes are flowing (the first write of a round opens the
    // store for writing, which takes a while on a loaded machine).
    for (int waited = 0; waited < 1000; ++waited) {
      {
        std::lock_guard lock(m);
        if (acknowledged.size() > before || !refused.empty()) break;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 150)(random)));
    crash(s);
    stop = true;
    a.join();
    b.join();

    INFO("round " << round);
    CHECK(refused.empty());
    CHECK(test::sqlite_text(store, "PRAGMA integrity_check") == "ok");
    if (test::sqlite_text(store, "SELECT count(*) FROM sqlite_master WHERE name = 'minqing_history'") == "0") {
      // Killed before the first write reached the store: nothing may have been acknowledged.
      CHECK(acknowledged.empty());
      continue;
    }
    // Whole features only: each created household has all its values and its history row, and
    // each history row its feature (none was deleted).
    CHECK(test::sqlite_text(store, "SELECT count(*) FROM households WHERE household_id LIKE 'C%' AND "
                                   "(members IS NOT 4 OR head_name IS NOT '测试' OR geom IS NULL)") == "0");
    CHECK(test::sqlite_text(store, "SELECT count(*) FROM households h WHERE household_id LIKE 'C%' AND NOT EXISTS "
                                   "(SELECT 1 FROM minqing_history m WHERE m.class = 'households' AND m.fid = h.fid)") == "0");
    CHECK(test::sqlite_text(store, "SELECT count(*) FROM minqing_history m WHERE NOT EXISTS "
                                   "(SELECT 1 FROM households h WHERE h.fid = m.fid)") == "0");
  }
  CHECK(acknowledged.size() > 0);
}
