// The audit log's hash chain: an intact log verifies; a deleted, edited, reordered or cut-off line
// is found and named, in the active file or a rotated one. Pages span rotated files. Secrets never
// reach the file.

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string_view>
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

// Rotation (issue 14): the active file is renamed <stem>.N.jsonl past max_bytes, the chain runs on
// across files, pages span them and verify checks them all.

namespace {

constexpr std::uint64_t kSmallFile = 1500;  // a few entries a file

AuditOptions small_files() {
  AuditOptions o;
  o.durable = false;
  o.max_bytes = kSmallFile;
  return o;
}

std::filesystem::path write_rotated_log(const std::string& name, int entries) {
  const auto path = test::scratch_dir("access-audit-" + name) / "audit.jsonl";
  AuditLog log(path, small_files());
  for (int i = 0; i < entries; ++i) {
    log.append({"cadre", "10.0.0." + std::to_string(i), audit_action::key_persons_tile,
                {{"map", "key_persons"}, {"z", 16}, {"x", 54321 + i}, {"y", 27012}}},
               t0 + std::chrono::seconds(i));
  }
  return path;
}

std::vector<std::uint64_t> seqs(const AuditPage& page) {
  std::vector<std::uint64_t> out;
  for (const auto& e : page.entries) out.push_back(e.at("seq").get<std::uint64_t>());
  return out;
}

}  // namespace

TEST_CASE("the audit log rotates by size and the chain runs on across its files", "[access][audit]") {
  const auto path = write_rotated_log("rotate", 30);
  const auto files = AuditLog::files(path);
  REQUIRE(files.size() >= 4);
  CHECK(files.front() == AuditLog::rotated_path(path, 1));
  CHECK(files.front().filename() == "audit.1.jsonl");
  CHECK(files.back() == path);
  std::uint64_t seq = 0;
  std::string prev(64, '0');
  for (const auto& f : files) {
    INFO(f);
    CHECK(std::filesystem::file_size(f) <= kSmallFile);
    const auto lines = lines_of(f);
    REQUIRE_FALSE(lines.empty());
    for (const auto& l : lines) {
      const auto j = nlohmann::json::parse(l);
      CHECK(j["seq"] == ++seq);
      CHECK(j["prev_hash"] == prev);  // the first entry of a file chains to the file before
      prev = j["hash"];
    }
  }
  CHECK(seq == 30);
  const auto r = AuditLog::verify(path);
  CHECK(r.ok);
  CHECK(r.entries == 30);
  CHECK(r.files == files.size());
  CHECK(r.last_hash == prev);
}

TEST_CASE("audit pages read newest first across a rotation boundary", "[access][audit]") {
  const auto path = write_rotated_log("pages", 30);
  const AuditLog log(path, small_files());
  const auto first_file = lines_of(AuditLog::rotated_path(path, 1)).size();
  REQUIRE(first_file >= 2);
  REQUIRE(first_file < 30);
  // Every window, including those straddling a file boundary, in log order.
  for (std::uint64_t offset = 0; offset < 32; ++offset) {
    const auto page = log.page(offset, 4);
    CHECK(page.total == 30);
    std::vector<std::uint64_t> expected;
    for (std::uint64_t s = offset + 1; s <= std::min<std::uint64_t>(offset + 4, 30); ++s) expected.push_back(s);
    CHECK(seqs(page) == expected);
  }
  // Newest first, as GET /api/audit asks: the window [total - offset - limit, total - offset).
  auto newest = log.page(30 - 5, 5);
  std::reverse(newest.entries.begin(), newest.entries.end());
  CHECK(seqs(newest) == std::vector<std::uint64_t>{30, 29, 28, 27, 26});
  const auto boundary = log.page(first_file - 1, 2);  // last of .1, first of .2
  CHECK(seqs(boundary) == std::vector<std::uint64_t>{first_file, first_file + 1});

  // Appends and rotations by another writer (another process, say) show in the next page.
  AuditLog other(path, small_files());
  for (int i = 0; i < 10; ++i) other.append({"admin", "cli", audit_action::account_change, {}}, t0);
  const auto after = log.page(38, 10);
  CHECK(after.total == 40);
  CHECK(seqs(after) == std::vector<std::uint64_t>{39, 40});
  std::vector<std::uint64_t> scanned;
  log.scan(25, 10, [&](std::uint64_t i, std::string_view line) {
    CHECK(nlohmann::json::parse(line)["seq"] == i + 1);
    scanned.push_back(i);
  });
  REQUIRE(scanned.size() == 10);
  CHECK(scanned.front() == 25);
  CHECK(scanned.back() == 34);
}

TEST_CASE("audit verify detects an edited, emptied or removed rotated file", "[access][audit]") {
  const auto path = write_rotated_log("tamper", 30);
  REQUIRE(AuditLog::files(path).size() >= 4);
  const auto second = AuditLog::rotated_path(path, 2);
  const auto original = lines_of(second);

  SECTION("a line edited in the middle file") {
    auto lines = original;
    const auto at = lines[1].find("\"user\":\"cadre\"");
    REQUIRE(at != std::string::npos);
    lines[1].replace(at, 14, "\"user\":\"other\"");
    write_lines(second, lines);
    const auto r = AuditLog::verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.file == second);
    CHECK(r.first_bad_line == 2);
    CHECK(r.reason.find("edited") != std::string::npos);
  }
  SECTION("the middle file emptied") {
    write_lines(second, {});
    const auto r = AuditLog::verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.file == AuditLog::rotated_path(path, 3));
    CHECK(r.first_bad_line == 1);
    CHECK(r.reason.find("was expected") != std::string::npos);
  }
  SECTION("the middle file removed") {
    std::filesystem::remove(second);
    const auto r = AuditLog::verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.file == second);
    CHECK(r.reason.find("missing") != std::string::npos);
  }
  SECTION("the middle file removed and the later ones renumbered") {
    std::filesystem::remove(second);
    for (std::uint64_t n = 3; std::filesystem::exists(AuditLog::rotated_path(path, n)); ++n)
      std::filesystem::rename(AuditLog::rotated_path(path, n), AuditLog::rotated_path(path, n - 1));
    const auto r = AuditLog::verify(path);
    CHECK_FALSE(r.ok);
    CHECK(r.file == second);
    CHECK(r.first_bad_line == 1);
  }
  SECTION("the oldest file removed") {
    std::filesystem::remove(AuditLog::rotated_path(path, 1));
    CHECK_FALSE(AuditLog::verify(path).ok);
  }
}

TEST_CASE("a cut-off last line after a rotation is read, verified and refused as before",
          "[access][audit]") {
  const auto path = write_rotated_log("rotated-truncated", 20);
  auto lines = lines_of(path);
  REQUIRE(lines.size() >= 2);
  REQUIRE(AuditLog::files(path).size() >= 2);
  lines.back() = lines.back().substr(0, lines.back().size() / 2);
  write_lines(path, lines, false);
  const auto r = AuditLog::verify(path);
  CHECK_FALSE(r.ok);
  CHECK(r.file == path);
  CHECK(r.first_bad_line == lines.size());
  CHECK(r.entries == 19);
  AuditLog log(path, small_files());
  const auto page = log.page(18, 5);
  CHECK(page.total == 20);  // the cut-off line still counts, shown as damaged
  REQUIRE(page.entries.size() == 2);
  CHECK(page.entries[0]["seq"] == 19);
  CHECK(page.entries[1] == nlohmann::json{{"damaged_line", 20}});
  CHECK_THROWS_AS(log.append({"admin", "cli", "account_change", {}}, t0), StoreError);
  std::uint64_t scanned = 0;
  log.scan(0, 100, [&](std::uint64_t, std::string_view) { ++scanned; });
  CHECK(scanned == 19);  // only complete lines
}

TEST_CASE("concurrent writers rotating one log keep one unbroken chain", "[access][audit]") {
  const auto path = test::scratch_dir("access-audit-rotate-threads") / "audit.jsonl";
  AuditLog a(path, small_files());
  AuditLog b(path, small_files());  // another writer with its own lock, as another process
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 25; ++k) {
        (i % 2 ? a : b).append({"u" + std::to_string(i), "a", audit_action::login, {{"k", k}}}, t0);
        if (k % 5 == 0) (i % 2 ? b : a).page(0, 3);  // readers between the writes
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto r = AuditLog::verify(path);
  INFO(r.file << ":" << r.first_bad_line << " " << r.reason);
  CHECK(r.ok);
  CHECK(r.entries == 100);
  CHECK(r.files > 10);
  CHECK(a.page(0, 0).total == 100);
  CHECK(seqs(b.page(97, 10)) == std::vector<std::uint64_t>{98, 99, 100});
}

// A log keeps its active file open between batches and remembers the last entry it wrote, so a
// batch need not reread the file's last line. That memory must give way to anything another
// writer did meanwhile: entries appended, the file rotated, its end cut off.
TEST_CASE("a writer's remembered last entry gives way to other writers and to damage", "[access][audit]") {
  const auto path = test::scratch_dir("access-audit-remembered") / "audit.jsonl";
  AuditLog a(path, small_files());
  AuditLog b(path, small_files());  // another process, say
  auto entry = [](int k) { return AuditRecord{"u", "a", audit_action::login, {{"k", k}}}; };
  CHECK(a.append(entry(1), t0) == 1);
  CHECK(a.append(entry(2), t0) == 2);
  CHECK(b.append(entry(3), t0) == 3);  // appended behind a's back
  CHECK(a.append(entry(4), t0) == 4);
  CHECK(a.append(entry(5), t0) == 5);
  // b rotates the file a keeps open (small files: a few entries each), then a writes on.
  std::uint64_t seq = 5;
  const auto files_before = AuditLog::files(path).size();
  while (AuditLog::files(path).size() == files_before) CHECK(b.append(entry(0), t0) == ++seq);
  CHECK(a.append(entry(6), t0) == ++seq);
  CHECK(a.append(entry(7), t0) == ++seq);
  const auto r = AuditLog::verify(path);
  INFO(r.file << ":" << r.first_bad_line << " " << r.reason);
  CHECK(r.ok);
  CHECK(r.entries == seq);
  // The active file's last line cut off behind a's back: a refuses, as a fresh writer would.
  auto lines = lines_of(path);
  REQUIRE_FALSE(lines.empty());
  lines.back() = lines.back().substr(0, lines.back().size() / 2);
  write_lines(path, lines, false);
  CHECK_THROWS_AS(a.append(entry(8), t0), StoreError);
}

// Entries are written as text directly, not through a JSON object: each line must still be
// exactly the compact JSON of itself (what verify and every reader rely on), whatever the strings.
TEST_CASE("each audit line is the canonical JSON of itself, whatever its strings hold", "[access][audit][hostile]") {
  const auto path = test::scratch_dir("access-audit-canonical") / "audit.jsonl";
  AuditLog log(path, false);
  const std::vector<std::string> strings = {
      "cadre", "", "quote \" and backslash \\", "tab\tnewline\n", std::string("nul\0byte", 8), "\x7f del",
      "张三 民情", "\xFF\xFE bad utf8", "\xE4\xB8", "emoji \xF0\x9F\x97\xBA", "</script>", "a/b"};
  for (std::size_t i = 0; i < strings.size(); ++i) {
    const std::string& s = strings[i];
    log.append({s, s, s, {{"map", s}, {s.empty() ? "k" : s, {1, s, nullptr, 2.5}}, {"password", s}}}, t0);
  }
  log.append({"admin", "cli", audit_action::account_change, nullptr}, t0);
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == strings.size() + 1);
  for (const auto& line : lines) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    // The line is the canonical text with ,"hash":"<64 hex>" before its closing brace.
    const std::string hash = j.at("hash").get<std::string>();
    const std::string suffix = ",\"hash\":\"" + hash + "\"}";
    REQUIRE(line.size() > suffix.size());
    REQUIRE(line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0);
    j.erase("hash");
    CHECK(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) ==
          line.substr(0, line.size() - suffix.size()) + "}");
    CHECK(j.at("detail").is_object());
    if (j.at("detail").contains("password")) CHECK(j.at("detail").at("password") == "[removed]");
  }
  CHECK(AuditLog::verify(path).ok);
}
