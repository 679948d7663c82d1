// The audit log's hash chain: an intact log verifies; a deleted, edited, reordered or cut-off line
// is found and named. Secrets never reach the file.

#include <fstream>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "access/audit_log.hpp"
#include "access/crypto.hpp"
#include "base/error.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::access;

namespace {

const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

std::filesystem::path write_log(const std::string& name, int entries) {
  const auto path = test::scratch_dir("access-audit-" + name) / "audit.jsonl";
  AuditLog log(path, false);
  for (int i = 0; i < entries; ++i) {
    log.append({"cadre",
                "10.0.0." + std::to_string(i),
                audit_action::key_persons_tile,
                {{"map", "key_persons"},
                 {"z", 16},
                 {"x", 54321 + i},
                 {"y", 27012},
                 {"bbox", {119.1, 28.2, 119.3, 28.4}}}},
               t0 + std::chrono::seconds(i));
  }
  return path;
}

std::vector<std::string> lines_of(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void write_lines(const std::filesystem::path& p, const std::vector<std::string>& lines,
                 bool final_newline = true) {
  std::ofstream out(p, std::ios::trunc);
  for (std::size_t i = 0; i < lines.size(); ++i)
    out << lines[i] << (i + 1 < lines.size() || final_newline ? "\n" : "");
}

}  // namespace

TEST_CASE("an intact audit log verifies, entries are chained JSON lines", "[access][audit]") {
  const auto path = write_log("intact", 5);
  const auto r = AuditLog::verify(path);
  CHECK(r.ok);
  CHECK(r.entries == 5);
  CHECK(r.first_bad_line == 0);
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 5);
  const auto first = nlohmann::json::parse(lines[0]);
  CHECK(first["seq"] == 1);
  CHECK(first["time"] == "2023-11-14T22:13:20.000Z");
  CHECK(first["user"] == "cadre");
  CHECK(first["action"] == "key_persons_tile");
  CHECK(first["prev_hash"] == std::string(64, '0'));
  CHECK(nlohmann::json::parse(lines[1])["prev_hash"] == first["hash"]);
  CHECK(r.last_hash == nlohmann::json::parse(lines[4])["hash"]);
  CHECK(AuditLog::verify(test::scratch_dir("access-audit-empty") / "none.jsonl").ok == false);
}

TEST_CASE("audit verify detects a deleted line", "[access][audit]") {
  const auto path = write_log("deleted", 5);
  auto lines = lines_of(path);
  lines.erase(lines.begin() + 2);
  write_lines(path, lines);
  const auto r = AuditLog::verify(path);
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_line == 3);
  CHECK(r.entries == 2);
}

TEST_CASE("audit verify detects an edited line, even with its own hash recomputed",
          "[access][audit]") {
  const auto path = write_log("edited", 5);
  auto lines = lines_of(path);
  const auto at = lines[1].find("\"user\":\"cadre\"");
  REQUIRE(at != std::string::npos);
  lines[1].replace(at, 14, "\"user\":\"other\"");
  write_lines(path, lines);
  auto r = AuditLog::verify(path);
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_line == 2);
  CHECK(r.reason.find("edited") != std::string::npos);

  // Re-hashing the edited line itself only moves the break to the next line.
  auto j = nlohmann::json::parse(lines[1]);
  j.erase("hash");
  const std::string canonical = j.dump();
  const std::string prev = nlohmann::json::parse(lines[0])["hash"];
  lines[1] = canonical.substr(0, canonical.size() - 1) + ",\"hash\":\"" +
             sha256_hex(prev + canonical) + "\"}";
  write_lines(path, lines);
  r = AuditLog::verify(path);
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_line == 3);
}

TEST_CASE("audit verify detects a reordered pair of lines", "[access][audit]") {
  const auto path = write_log("reordered", 5);
  auto lines = lines_of(path);
  std::swap(lines[2], lines[3]);
  write_lines(path, lines);
  const auto r = AuditLog::verify(path);
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_line == 3);
}

TEST_CASE("audit verify detects a cut-off end and appending refuses a damaged tail",
          "[access][audit]") {
  const auto path = write_log("truncated", 3);
  auto lines = lines_of(path);
  lines.back() = lines.back().substr(0, lines.back().size() / 2);
  write_lines(path, lines, false);
  const auto r = AuditLog::verify(path);
  CHECK_FALSE(r.ok);
  CHECK(r.first_bad_line == 3);
  AuditLog log(path, false);
  CHECK_THROWS_AS(log.append({"admin", "cli", "account_change", {}}, t0), StoreError);
}

TEST_CASE("appends continue the chain across reopenings and threads", "[access][audit]") {
  const auto path = write_log("continue", 2);
  AuditLog log(path, false);
  CHECK(log.append({"admin", "cli", audit_action::account_change, {{"username", "cadre"}}}, t0) ==
        3);
  AuditLog other(path, false);  // a second writer (another process, say) on the same file
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 10; ++k)
        (i % 2 ? log : other).append({"u" + std::to_string(i), "a", audit_action::login, {}}, t0);
    });
  }
  for (auto& t : threads) t.join();
  const auto r = AuditLog::verify(path);
  CHECK(r.ok);
  CHECK(r.entries == 43);
  const auto page = log.page(40, 10);
  CHECK(page.total == 43);
  REQUIRE(page.entries.size() == 3);
  CHECK(page.entries[0]["seq"] == 41);
  CHECK(log.page(0, 2).entries.size() == 2);
}

TEST_CASE("secrets in an entry's detail never reach the file", "[access][audit][hostile]") {
  const auto path = test::scratch_dir("access-audit-secrets") / "audit.jsonl";
  AuditLog log(path, false);
  log.append({"cadre",
              "10.0.0.1",
              audit_action::login_failed,
              {{"password", "hunter2-secret"},
               {"nested", {{"Authorization", "Bearer abcdefg"}, {"session_token", "tok123"}}}}},
             t0);
  log.append({"\xFF\xFE bad utf8", "x", audit_action::login_failed, {}}, t0);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("abcdefg") == std::string::npos);
  CHECK(text.find("tok123") == std::string::npos);
  CHECK(AuditLog::verify(path).ok);
}
