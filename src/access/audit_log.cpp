#include "access/audit_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <system_error>

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


// An open file descriptor, closed (and its flock released) on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads [from, from + n) of `fd`. @throws StoreError naming `file` on a read error or a short file.
std::string read_range(int fd, std::uint64_t from, std::uint64_t n, const std::string& file) {
  std::string out(static_cast<std::size_t>(n), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t r = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(from + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw StoreError("audit log " + file + ": cannot read");
    done += static_cast<std::size_t>(r);
  }
  return out;
}

// "<stem>." and ".jsonl" around the number of a rotated file of `path` ("<name>." and "" when the
// name does not end in .jsonl).
std::pair<std::string, std::string> rotated_affixes(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  constexpr std::string_view ext = ".jsonl";
  if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
    return {name.substr(0, name.size() - ext.size()) + ".", std::string(ext)};
  return {name + ".", ""};
}

// The rotated files of `path` by number (any number ≥ 1 present; gaps are for verify to report).
std::map<std::uint64_t, std::filesystem::path> rotated_files(const std::filesystem::path& path) {
  std::map<std::uint64_t, std::filesystem::path> out;
  const auto [prefix, suffix] = rotated_affixes(path);
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.size() <= prefix.size() + suffix.size() || n.compare(0, prefix.size(), prefix) != 0 ||
        n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string digits = n.substr(prefix.size(), n.size() - prefix.size() - suffix.size());
    if (digits.empty() || digits.size() > 18 || digits[0] == '0' ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    out.emplace(std::stoull(digits), e.path());
  }
  return out;
}

// An exclusive flock on the kept active file, released when the batch's pass over it ends.
struct FlockHeld {
  int fd;
  explicit FlockHeld(int locked) : fd(locked) {}
  FlockHeld(const FlockHeld&) = delete;
  FlockHeld& operator=(const FlockHeld&) = delete;
  ~FlockHeld() {
    if (fd >= 0) ::flock(fd, LOCK_UN);
  }
};

// Appends `s` as a JSON string, the bytes nlohmann's dump() writes for it: verbatim between quotes
// when it is printable ASCII without quote or backslash (the usual user name, address, action),
// else through nlohmann itself (escapes, UTF-8 kept, invalid UTF-8 replaced).
void append_json_string(std::string& out, std::string_view s) {
  const bool plain = std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += dump(json(std::string(s)));
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

bool holds_secret_key(const json& j) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (is_secret_key(k) || holds_secret_key(v)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (holds_secret_key(v)) return true;
    }
  }
  return false;
}

// An entry's canonical text: the same bytes as dump() of the JSON object {"action","address",
// "detail","prev_hash","seq","time","user"} (nlohmann's objects keep their keys sorted, so this is
// their order), written directly: building and copying that object was most of an entry's CPU.
std::string canonical_entry(const AuditRecord& record, std::uint64_t seq, const std::string& time,
                            const std::string& prev) {
  std::string out;
  out.reserve(192 + record.user.size() + record.address.size() + record.action.size());
  out += "{\"action\":";
  append_json_string(out, record.action);
  out += ",\"address\":";
  append_json_string(out, record.address);
  out += ",\"detail\":";
  if (record.detail.is_null()) {
    out += "{}";
  } else {
    out += dump(holds_secret_key(record.detail) ? scrub(record.detail) : record.detail);
  }
  out += ",\"prev_hash\":";
  append_json_string(out, prev);
  out += ",\"seq\":";
  out += std::to_string(seq);
  out += ",\"time\":";
  append_json_string(out, time);
  out += ",\"user\":";
  append_json_string(out, record.user);
  out += '}';
  return out;
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void sync_directory(const std::filesystem::path& path, const std::string& file) {
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0 || ::fsync(d.fd) != 0) throw StoreError("audit log " + file + ": cannot sync its directory");
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
    : AuditLog(std::move(path), AuditOptions{durable, AuditOptions{}.max_bytes}) {}

AuditLog::AuditLog(std::filesystem::path path, AuditOptions options)
    : m_path(std::move(path)), m_options(options) {
  const int fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StoreError("audit log " + m_path.string() + ": cannot open for appending");
  ::close(fd);
}

std::filesystem::path AuditLog::rotated_path(const std::filesystem::path& path, std::uint64_t n) {
  const auto [prefix, suffix] = rotated_affixes(path);
  return path.parent_path() / (prefix + std::to_string(n) + suffix);
}

std::vector<std::filesystem::path> AuditLog::files(const std::filesystem::path& path) {
  std::vector<std::filesystem::path> out;
  struct stat last_rotated {};
  bool have_rotated = false;
  for (auto& [n, p] : rotated_files(path)) {
    have_rotated = ::stat(p.c_str(), &last_rotated) == 0;
    out.push_back(std::move(p));
  }
  struct stat active {};
  if (::stat(path.c_str(), &active) == 0) {
    // A rotation cut short between its link and its rename leaves the active file also under the
    // newest rotated name: it is one file, listed once.
    if (!(have_rotated && same_file(active, last_rotated))) out.push_back(path);
  }
  return out;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(m_queue_mutex);
    m_stopping = true;
  }
  m_queue_done.notify_all();
  if (m_writer.joinable()) m_writer.join();
  std::lock_guard lock(m_mutex);
  forget_tail();
}

void AuditLog::forget_tail() {
  if (m_tail.fd >= 0) ::close(m_tail.fd);
  m_tail = WrittenTail{};
}

std::uint64_t AuditLog::append(const AuditRecord& record,
                               std::chrono::system_clock::time_point now) {
  ensure_sodium();
  Pending mine;
  mine.record = &record;
  mine.now = now;
  std::unique_lock lock(m_queue_mutex);
  m_queue.push_back(&mine);
  while (!mine.done) {
    if (m_writing) {  // a batch is in flight: ours is in it, or goes in the next one
      m_queue_done.wait(lock);
      continue;
    }
    lead_batch(lock);  // everything queued so far, ours included
  }
  if (mine.seq == 0) throw StoreError(mine.error);
  return mine.seq;
}

void AuditLog::append_async(AuditRecord record, std::chrono::system_clock::time_point now, AppendDone done) {
  ensure_sodium();
  auto mine = std::make_unique<Pending>();
  mine->owned = std::move(record);
  mine->record = &*mine->owned;
  mine->now = now;
  mine->done_callback = std::move(done);
  bool wake = true;
  {
    std::lock_guard lock(m_queue_mutex);
    if (!m_writer.joinable()) m_writer = std::thread([this] { writer_loop(); });
    m_queue.push_back(mine.release());  // lead_batch deletes it once its callback has run
    m_async_rate.add(std::chrono::steady_clock::now());
    // A writer gathering a batch is woken when the batch is full, not for every entry.
    wake = !m_gathering || m_queue.size() >= m_options.commit_batch;
  }
  if (wake) m_queue_done.notify_all();
}

void AuditLog::writer_loop() {
  std::unique_lock lock(m_queue_mutex);
  for (;;) {
    m_queue_done.wait(lock, [this] { return (!m_writing && !m_queue.empty()) || (m_stopping && m_queue.empty()); });
    if (m_queue.empty()) return;  // stopping, and nothing is left to write
    gather_more(lock);
    if (m_writing || m_queue.empty()) continue;  // a blocking append took them meanwhile
    lead_batch(lock);
    m_writer_done = std::chrono::steady_clock::now();
  }
}

void AuditLog::gather_more(std::unique_lock<std::mutex>& lock) {
  const auto delay = m_options.commit_delay;
  if (delay.count() <= 0 || m_stopping || m_queue.size() >= m_options.commit_batch) return;
  const auto now = std::chrono::steady_clock::now();
  if (!m_writer_done || now - *m_writer_done > 4 * delay) return;  // after a quiet spell: write at once
  if (m_async_rate.at(now) < m_options.commit_min_rate) return;    // too few to gather: write at once
  m_gathering = true;
  m_queue_done.wait_until(lock, now + delay,
                          [this] { return m_stopping || m_queue.size() >= m_options.commit_batch; });
  m_gathering = false;
}

void AuditLog::lead_batch(std::unique_lock<std::mutex>& lock) {
  m_writing = true;
  std::vector<Pending*> batch;
  batch.swap(m_queue);
  // Batches that carry callbacks take a ticket in log order; their callbacks run in that order.
  const bool calls_back = std::any_of(batch.begin(), batch.end(),
                                      [](const Pending* p) { return bool(p->done_callback); });
  const std::uint64_t ticket = calls_back ? m_batches_led++ : 0;
  lock.unlock();
  std::string error;
  try {
    write_batch(batch);
  } catch (const std::exception& e) {
    error = e.what();
  }
  lock.lock();
  std::vector<Pending*> answered;  // append_async's, whose callbacks run outside the lock
  for (Pending* p : batch) {
    if (p->seq == 0) p->error = error.empty() ? "audit log " + m_path.string() + ": not written" : error;
    p->done = true;
    if (p->done_callback) answered.push_back(p);
  }
  m_writing = false;
  m_queue_done.notify_all();  // append's waiters (theirs is done, or they lead next) and the writer
  if (!calls_back) return;
  // The next batch may be written meanwhile, but its callbacks wait for these: a batch led by an
  // append and the next one led by the writer thread would otherwise answer out of log order.
  m_queue_done.wait(lock, [&] { return m_callbacks_turn == ticket; });
  lock.unlock();
  for (Pending* p : answered) {
    std::unique_ptr<Pending> owned(p);
    try {
      owned->done_callback(owned->seq, owned->error);
    } catch (...) {
      // A callback must not throw; if one does, the other entries' callbacks still run.
    }
  }
  lock.lock();
  ++m_callbacks_turn;
  m_queue_done.notify_all();  // the next batch's leader may be waiting for its turn
}

void AuditLog::write_batch(const std::vector<Pending*>& batch) {
  const std::string file = m_path.string();
  std::lock_guard lock(m_mutex);  // readers never see a run half written
  std::size_t next = 0;           // the first entry of `batch` not yet written
  while (next < batch.size()) {
    if (m_tail.fd < 0) {
      m_tail.fd = ::open(m_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (m_tail.fd < 0) throw StoreError("audit log " + file + ": cannot open for appending");
    }
    const int fd = m_tail.fd;
    if (::flock(fd, LOCK_EX) != 0) throw StoreError("audit log " + file + ": cannot lock");
    FlockHeld held{fd};  // released at the end of this pass; forget_tail() closes it first
    struct stat mine {}, named {};
    if (::fstat(fd, &mine) != 0) throw StoreError("audit log " + file + ": cannot stat");
    if (::stat(m_path.c_str(), &named) != 0 || !same_file(mine, named)) {
      held.fd = -1;
      forget_tail();  // another process rotated the file: open the one the path names now
      continue;
    }

    // The last entry: what this log wrote last when the file is still as it left it; else this
    // file's last line, or for a new file the last line of the newest rotated one (the chain runs
    // on across files). The rotated files are listed only when they matter: for a new file, or
    // when the file has a second name (a rotation cut short between its link and its rename
    // leaves the active file also under the newest rotated name).
    std::uint64_t seq = 1;
    std::string prev = kGenesis;
    std::map<std::uint64_t, std::filesystem::path> rotated;
    bool listed = false;
    bool half_rotated = false;  // the newest rotated name is this very file
    const bool as_left = m_tail.seq > 0 && m_tail.dev == mine.st_dev && m_tail.ino == mine.st_ino &&
                         m_tail.end == static_cast<std::uint64_t>(mine.st_size) && mine.st_nlink == 1;
    if (as_left) {
      seq = m_tail.seq + 1;
      prev = m_tail.hash;
    } else {
      std::string last = last_line(fd, file);
      if (last.empty() || mine.st_nlink > 1) {
        rotated = rotated_files(m_path);
        listed = true;
      }
      if (!rotated.empty()) {
        struct stat r {};
        const auto& newest = rotated.rbegin()->second;
        if (::stat(newest.c_str(), &r) == 0 && same_file(r, mine)) {
          half_rotated = true;
        } else if (last.empty()) {
          const Fd in(::open(newest.c_str(), O_RDONLY | O_CLOEXEC));
          if (in.fd < 0) throw StoreError("audit log " + newest.string() + ": cannot read");
          last = last_line(in.fd, newest.string());
        }
      }
      if (!last.empty()) {
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
    }

    // As many of the remaining entries as fit before the file must rotate (at least one in an
    // empty file), chained one after the other.
    const auto size = static_cast<std::uint64_t>(mine.st_size);
    std::string run;
    std::size_t taken = 0;
    const std::uint64_t first_seq = seq;
    while (!half_rotated && next + taken < batch.size()) {
      const Pending& p = *batch[next + taken];
      const std::string canonical = canonical_entry(*p.record, seq, iso8601_utc(p.now), prev);
      Sha256 chained;
      chained.update(prev);
      chained.update(canonical);
      const std::string hash = chained.hex();
      const std::size_t line_size = canonical.size() - 1 + kSuffixLength + 1;
      const std::uint64_t would_be = size + run.size() + line_size;
      if (m_options.max_bytes > 0 && size + run.size() > 0 && would_be > m_options.max_bytes) break;
      run.append(canonical, 0, canonical.size() - 1).append(kHashKey).append(hash).append("\"}\n");
      prev = hash;
      ++seq;
      ++taken;
    }

    if (taken > 0) {
      m_tail.seq = 0;  // unknown until the run is written whole and synced
      std::size_t written = 0;
      while (written < run.size()) {
        const ssize_t n = ::write(fd, run.data() + written, run.size() - written);
        if (n < 0) {
          if (errno == EINTR) continue;
          throw StoreError("audit log " + file + ": cannot write");
        }
        written += static_cast<std::size_t>(n);
      }
      if (m_options.durable && ::fdatasync(fd) != 0)
        throw StoreError("audit log " + file + ": cannot sync");
      m_tail.dev = static_cast<std::uint64_t>(mine.st_dev);
      m_tail.ino = static_cast<std::uint64_t>(mine.st_ino);
      m_tail.end = static_cast<std::uint64_t>(mine.st_size) + run.size();
      m_tail.seq = seq - 1;
      m_tail.hash = prev;
      for (std::size_t i = 0; i < taken; ++i) batch[next + i]->seq = first_seq + i;
      next += taken;
      if (next == batch.size()) return;
    }

    // Rotate: the full file gets the next rotated name, an empty file takes the path (rename
    // replaces atomically, so readers always find an active file), and the rest of the batch
    // starts over on the new file under its own lock.
    if (!half_rotated) {
      if (!listed) rotated = rotated_files(m_path);
      const std::uint64_t n = rotated.empty() ? 1 : rotated.rbegin()->first + 1;
      const auto to = rotated_path(m_path, n);
      if (::link(m_path.c_str(), to.c_str()) != 0)
        throw StoreError("audit log " + file + ": cannot rotate to " + to.string() + ": " + std::strerror(errno));
    }
    const std::filesystem::path fresh = m_path.string() + ".new";
    {
      const Fd f(::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (f.fd < 0) throw StoreError("audit log " + file + ": cannot create " + fresh.string());
    }
    if (::rename(fresh.c_str(), m_path.c_str()) != 0)
      throw StoreError("audit log " + file + ": cannot rotate: " + std::strerror(errno));
    if (m_options.durable) sync_directory(m_path, file);
    held.fd = -1;
    forget_tail();  // the kept file is now a rotated one
  }
}

namespace {

// A shared lock on the log's active file, for as long as a reader brings its index up to date
// and reads by it. A writer rotates the log only under its exclusive lock on that same file, so
// while this is held no file of the log changes its name: without it a reader could list the
// files, see the active one renamed by another writer, and open the new active file at the old
// one's offsets (`cannot read`, or a page missing the entries of the file just rotated).
Fd hold_unrotated(const std::filesystem::path& path) {
  for (;;) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.fd < 0) throw StoreError("audit log " + path.string() + ": cannot read");
    if (::flock(fd.fd, LOCK_SH) != 0) throw StoreError("audit log " + path.string() + ": cannot lock");
    struct stat mine {}, named {};
    if (::fstat(fd.fd, &mine) != 0) throw StoreError("audit log " + path.string() + ": cannot read");
    if (::stat(path.c_str(), &named) == 0 && same_file(mine, named)) return fd;
    // Rotated while this waited for the lock: lock the new active file instead.
  }
}

}  // namespace

void AuditLog::refresh() const {
  struct stat active {};
  if (::stat(m_path.c_str(), &active) != 0)
    throw StoreError("audit log " + m_path.string() + ": cannot read");
  const bool rotated_meanwhile = m_files.empty() || m_files.back().ino != active.st_ino ||
                                 m_files.back().dev != active.st_dev;
  if (!m_indexed || rotated_meanwhile) {
    // Which files there are now; the index of a file already seen (by inode) is kept.
    std::vector<FileIndex> next;
    for (const auto& p : files(m_path)) {
      struct stat st {};
      if (::stat(p.c_str(), &st) != 0) throw StoreError("audit log " + p.string() + ": cannot read");
      FileIndex fi;
      for (auto& old : m_files) {
        if (old.dev == st.st_dev && old.ino == st.st_ino) fi = std::move(old);
      }
      fi.path = p;
      fi.dev = st.st_dev;
      fi.ino = st.st_ino;
      fi.size = static_cast<std::uint64_t>(st.st_size);
      next.push_back(std::move(fi));
    }
    m_files = std::move(next);
    m_indexed = true;
  } else {
    m_files.back().size = static_cast<std::uint64_t>(active.st_size);
  }
  // Scan what is new in each file (normally: the lines appended to the active file since).
  constexpr std::uint64_t kChunk = 1 << 20;
  for (auto& f : m_files) {
    if (f.size <= f.indexed_end) continue;
    const Fd fd(::open(f.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.fd < 0) throw StoreError("audit log " + f.path.string() + ": cannot read");
    std::uint64_t line_start = f.indexed_end;
    for (std::uint64_t pos = f.indexed_end; pos < f.size;) {
      const std::uint64_t n = std::min(kChunk, f.size - pos);
      const std::string chunk = read_range(fd.fd, pos, n, f.path.string());
      for (const char* p = chunk.data(); (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(chunk.data() + chunk.size() - p))));) {
        const std::uint64_t nl = pos + static_cast<std::uint64_t>(p - chunk.data());
        if (nl > line_start) f.starts.push_back(line_start);  // empty lines are no entries
        line_start = nl + 1;
        ++p;
      }
      pos += n;
    }
    f.indexed_end = line_start;
  }
}

AuditPage AuditLog::page(std::uint64_t offset, std::size_t limit) const {
  std::lock_guard lock(m_mutex);
  const Fd unrotated = hold_unrotated(m_path);  // until the page is read
  refresh();
  AuditPage out;
  for (const auto& f : m_files) out.total += f.entries();
  std::uint64_t base = 0;  // entries in the files before f
  const std::uint64_t end = limit > UINT64_MAX - offset ? UINT64_MAX : offset + limit;
  for (const auto& f : m_files) {
    const std::uint64_t n = f.entries();
    if (base + n > offset && base < end && n > 0) {
      const std::uint64_t from = std::max(offset, base) - base;  // within f, [from, to)
      const std::uint64_t to = std::min(end, base + n) - base;
      const auto start_of = [&](std::uint64_t i) { return i < f.starts.size() ? f.starts[i] : f.indexed_end; };
      const std::uint64_t first_byte = start_of(from);
      const std::uint64_t last_byte = to < f.starts.size() ? f.starts[to] : f.size;
      const Fd fd(::open(f.path.c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.fd < 0) throw StoreError("audit log " + f.path.string() + ": cannot read");
      const std::string bytes = read_range(fd.fd, first_byte, last_byte - first_byte, f.path.string());
      for (std::uint64_t i = from; i < to; ++i) {
        const std::string_view rest = std::string_view(bytes).substr(static_cast<std::size_t>(start_of(i) - first_byte));
        const std::string_view line = rest.substr(0, rest.find('\n'));
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded()) j = json{{"damaged_line", base + i + 1}};
        out.entries.push_back(std::move(j));
      }
    }
    base += n;
  }
  return out;
}

void AuditLog::scan(std::uint64_t first, std::uint64_t count,
                    const std::function<void(std::uint64_t, std::string_view)>& visit) const {
  struct Part {
    Fd fd;
    std::string file;
    std::uint64_t index = 0;  // the log index of the part's first entry
    std::vector<std::uint64_t> starts;
    std::uint64_t end = 0;  // end of the part's last line
  };
  std::vector<Part> parts;
  {
    // Open the files while the index is current: a rotation afterwards renames them, but the
    // open descriptors still read the same bytes, and complete lines never change.
    std::lock_guard lock(m_mutex);
    const Fd unrotated = hold_unrotated(m_path);  // until the files are opened
    refresh();
    const std::uint64_t end = count > UINT64_MAX - first ? UINT64_MAX : first + count;
    std::uint64_t base = 0;
    for (const auto& f : m_files) {
      const std::uint64_t n = f.starts.size();
      if (base + n > first && base < end && n > 0) {
        const std::uint64_t from = std::max(first, base) - base;
        const std::uint64_t to = std::min(end, base + n) - base;
        Part p{Fd(::open(f.path.c_str(), O_RDONLY | O_CLOEXEC)), f.path.string(), base + from,
               {f.starts.begin() + static_cast<std::ptrdiff_t>(from), f.starts.begin() + static_cast<std::ptrdiff_t>(to)},
               to < n ? f.starts[to] : f.indexed_end};
        if (p.fd.fd < 0) throw StoreError("audit log " + p.file + ": cannot read");
        parts.push_back(std::move(p));
      }
      base += f.entries();
    }
  }
  constexpr std::uint64_t kChunk = 1 << 20;
  for (const auto& p : parts) {
    std::size_t k = 0;
    while (k < p.starts.size()) {
      // As many whole lines as fit in a chunk (at least one).
      std::size_t upto = k + 1;
      while (upto < p.starts.size() && p.starts[upto] - p.starts[k] < kChunk) ++upto;
      const std::uint64_t stop = upto < p.starts.size() ? p.starts[upto] : p.end;
      const std::string bytes = read_range(p.fd.fd, p.starts[k], stop - p.starts[k], p.file);
      for (std::size_t i = k; i < upto; ++i) {
        const std::string_view rest = std::string_view(bytes).substr(static_cast<std::size_t>(p.starts[i] - p.starts[k]));
        visit(p.index + i, rest.substr(0, rest.find('\n')));
      }
      k = upto;
    }
  }
}

AuditVerifyResult AuditLog::verify(const std::filesystem::path& path) {
  AuditVerifyResult r;
  std::string prev = kGenesis;
  std::uint64_t line_no = 0;
  auto bad = [&](const std::filesystem::path& file, const std::string& why) {
    r.file = file;
    r.first_bad_line = line_no;
    r.reason = why;
    r.last_hash = prev;
    return r;
  };
  if (!std::filesystem::exists(path)) {
    line_no = 1;
    return bad(path, "cannot read " + path.string());
  }
  const auto rotated = rotated_files(path);
  std::uint64_t expected_n = 1;
  for (const auto& [n, p] : rotated) {
    if (n != expected_n) {
      line_no = 0;
      return bad(rotated_path(path, expected_n),
                 "rotated file " + rotated_path(path, expected_n).filename().string() +
                     " is missing: entries were removed");
    }
    ++expected_n;
  }
  for (const auto& file : files(path)) {
    std::ifstream in(file, std::ios::binary);
    line_no = 0;
    if (!in) return bad(file, "cannot read " + file.string());
    ++r.files;
    std::string line;
    while (std::getline(in, line)) {
      ++line_no;
      if (in.eof()) return bad(file, "the line is cut off (no newline at the end of the file)");
      const auto split = split_line(line);
      if (!split) return bad(file, "not an audit entry (no hash at the end of the line)");
      const json j = json::parse(split->canonical, nullptr, false);
      if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() ||
          !j.contains("prev_hash") || !j["prev_hash"].is_string()) {
        return bad(file, "not an audit entry (no seq or prev_hash)");
      }
      const auto seq = j["seq"].get<std::uint64_t>();
      if (seq != r.entries + 1) {
        return bad(file, "seq " + std::to_string(seq) + " where " + std::to_string(r.entries + 1) +
                             " was expected: a line (or a file) was removed, inserted or moved");
      }
      if (j["prev_hash"].get<std::string>() != prev)
        return bad(file, "prev_hash does not match the line before: a line was removed or moved");
      if (!constant_time_equal(sha256_hex(prev + split->canonical), split->hash)) {
        return bad(file, "the hash does not match the entry: the line was edited");
      }
      prev = split->hash;
      ++r.entries;
    }
  }
  r.ok = true;
  r.last_hash = prev;
  return r;
}

}  // namespace minqing::access
