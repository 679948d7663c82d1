#include "access/audit_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>

#include "access/crypto.hpp"
#include "base/error.hpp"

namespace minqing::access {

using nlohmann::json;

namespace {

const std::string kGenesis(64, '0');
constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kSuffixLength = 9 + 64 + 2;  // ,"hash":" + 64 hex + "}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// One line split into its canonical text and its stated hash; nullopt when not of that shape.
struct SplitLine {
  std::string canonical;
  std::string hash;
};

std::optional<SplitLine> split_line(std::string_view line) {
  if (line.size() < kSuffixLength + 2 || line.back() != '}') return std::nullopt;
  const std::size_t at = line.size() - kSuffixLength;
  if (line.substr(at, kHashKey.size()) != kHashKey || line.substr(line.size() - 2) != "\"}")
    return std::nullopt;
  SplitLine out;
  out.hash = std::string(line.substr(at + kHashKey.size(), 64));
  if (!is_hex64(out.hash)) return std::nullopt;
  out.canonical = std::string(line.substr(0, at)) + "}";
  return out;
}

bool is_secret_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word :
       {"password", "passwd", "token", "cookie", "authorization", "secret", "hash"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

json scrub(const json& j) {
  if (j.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : j.items()) out[k] = is_secret_key(k) ? json("[removed]") : scrub(v);
    return out;
  }
  if (j.is_array()) {
    json out = json::array();
    for (const auto& v : j) out.push_back(scrub(v));
    return out;
  }
  return j;
}

// Reads the last line of an open file (without its newline); "" for an empty file.
// @throws StoreError when the file does not end in a newline (a cut-off write).
std::string last_line(int fd, const std::string& file) {
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) throw StoreError("audit log " + file + ": cannot seek");
  if (size == 0) return {};
  std::string tail;
  off_t pos = size;
  constexpr off_t kChunk = 4096;
  while (pos > 0) {
    const off_t from = std::max<off_t>(0, pos - kChunk);
    std::string chunk(static_cast<std::size_t>(pos - from), '\0');
    if (::pread(fd, chunk.data(), chunk.size(), from) != static_cast<ssize_t>(chunk.size())) {
      throw StoreError("audit log " + file + ": cannot read");
    }
    tail.insert(0, chunk);
    pos = from;
    if (tail.back() != '\n')
      throw StoreError("audit log " + file +
                       ": the last line is cut off; run `minqing audit verify`");
    const auto nl = tail.rfind('\n', tail.size() - 2);
    if (nl != std::string::npos) return tail.substr(nl + 1, tail.size() - nl - 2);
  }
  return tail.substr(0, tail.size() - 1);
}

}  // namespace

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

AuditLog::AuditLog(std::filesystem::path path, bool durable)
    : m_path(std::move(path)), m_durable(durable) {
  const int fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StoreError("audit log " + m_path.string() + ": cannot open for appending");
  ::close(fd);
}

std::uint64_t AuditLog::append(const AuditRecord& record,
                               std::chrono::system_clock::time_point now) {
  ensure_sodium();
  const std::string file = m_path.string();
  std::lock_guard lock(m_mutex);
  const int fd = ::open(m_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StoreError("audit log " + file + ": cannot open for appending");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }  // also releases the flock
  } closer{fd};
  if (::flock(fd, LOCK_EX) != 0) throw StoreError("audit log " + file + ": cannot lock");

  std::uint64_t seq = 1;
  std::string prev = kGenesis;
  if (const std::string last = last_line(fd, file); !last.empty()) {
    const auto split = split_line(last);
    json j;
    if (split) j = json::parse(split->canonical, nullptr, false);
    if (!split || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned()) {
      throw StoreError("audit log " + file +
                       ": the last line is damaged; run `minqing audit verify`");
    }
    seq = j["seq"].get<std::uint64_t>() + 1;
    prev = split->hash;
  }

  json entry = json::object();
  entry["seq"] = seq;
  entry["time"] = iso8601_utc(now);
  entry["user"] = record.user;
  entry["address"] = record.address;
  entry["action"] = record.action;
  entry["detail"] = scrub(record.detail.is_null() ? json::object() : record.detail);
  entry["prev_hash"] = prev;
  const std::string canonical = dump(entry);
  const std::string hash = sha256_hex(prev + canonical);
  std::string line = canonical.substr(0, canonical.size() - 1);
  line.append(kHashKey).append(hash).append("\"}\n");

  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw StoreError("audit log " + file + ": cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (m_durable && ::fdatasync(fd) != 0) throw StoreError("audit log " + file + ": cannot sync");
  return seq;
}

AuditPage AuditLog::page(std::uint64_t offset, std::size_t limit) const {
  std::lock_guard lock(m_mutex);
  std::ifstream in(m_path, std::ios::binary);
  if (!in) throw StoreError("audit log " + m_path.string() + ": cannot read");
  AuditPage out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (out.total >= offset && out.entries.size() < limit) {
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded()) j = json{{"damaged_line", out.total + 1}};
      out.entries.push_back(std::move(j));
    }
    ++out.total;
  }
  return out;
}

AuditVerifyResult AuditLog::verify(const std::filesystem::path& path) {
  AuditVerifyResult r;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    r.first_bad_line = 1;
    r.reason = "cannot read " + path.string();
    return r;
  }
  std::string prev = kGenesis;
  std::uint64_t line_no = 0;
  auto bad = [&](const std::string& why) {
    r.first_bad_line = line_no;
    r.reason = why;
    r.last_hash = prev;
    return r;
  };
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (in.eof()) return bad("the line is cut off (no newline at the end of the file)");
    const auto split = split_line(line);
    if (!split) return bad("not an audit entry (no hash at the end of the line)");
    const json j = json::parse(split->canonical, nullptr, false);
    if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() ||
        !j.contains("prev_hash") || !j["prev_hash"].is_string()) {
      return bad("not an audit entry (no seq or prev_hash)");
    }
    const auto seq = j["seq"].get<std::uint64_t>();
    if (seq != r.entries + 1) {
      return bad("seq " + std::to_string(seq) + " where " + std::to_string(r.entries + 1) +
                 " was expected: a line was removed, inserted or moved");
    }
    if (j["prev_hash"].get<std::string>() != prev)
      return bad("prev_hash does not match the line before: a line was removed or moved");
    if (!constant_time_equal(sha256_hex(prev + split->canonical), split->hash)) {
      return bad("the hash does not match the entry: the line was edited");
    }
    prev = split->hash;
    ++r.entries;
  }
  r.ok = true;
  r.last_hash = prev;
  return r;
}

}  // namespace minqing::access
