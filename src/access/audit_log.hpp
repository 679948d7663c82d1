#pragma once
// The audit log: an append-only sequence of JSON lines, one entry per key-persons access, login,
// failed login, logout and account change (issue 4). Each entry is
//   {"action","address","detail","prev_hash","seq","time","user", …,"hash"}
// where `hash` = SHA-256 hex over prev_hash + the entry's canonical text (the line without its
// final ,"hash":"…" member), and prev_hash is the hash of the entry before ("0"×64 for the first).
// Removing, editing, reordering or cutting off a line breaks the chain, and verify() names the
// file and the first line where it breaks. (Cutting off whole lines at the end is only visible
// against a remembered last seq/hash — keep verify()'s `last_hash` somewhere else if that matters.)
//
// Files and rotation: entries are appended to `path` (the active file). When an append would take
// it past AuditOptions::max_bytes, the active file is first renamed to the next rotated name —
// `<stem>.1.jsonl`, `<stem>.2.jsonl`, … for `<stem>.jsonl` (`<path>.1`, … for any other name), .1
// the oldest — and a new, empty active file takes its place (link, then rename of an empty file
// over the path: the path never goes missing). The chain runs on across files: the first entry of
// a new file has the next seq and chains to the last hash of the file before, so the rotated files
// in order followed by the active one read as one log. verify() checks them all and reports a
// rotated file that is missing (a gap in the numbers, or a first file not starting at seq 1),
// edited or cut. Archive old files by copying them; removing one makes verify() report it.
//
// Reading: page() finds entries through an index of where each line starts in each file (8 bytes
// per entry in memory), built by one scan of the files at the first read and extended from the
// files' new bytes at each later read, so a page costs the lines it returns, not the log's size.
// Writes by other processes (`minqing user` while the server runs) and their rotations are picked
// up the same way: by the active file's size and inode.
//
// Never write passwords, tokens, cookies or hashes into an entry: append() replaces any detail
// member whose key names one ("password", "token", "cookie", "authorization", "secret", "hash")
// with "[removed]" as a second line of defence.
//
// Thread-safety: one AuditLog may be shared by all threads (a mutex serialises appends and reads).
// Several processes may append to the same log: each append takes an exclusive flock on the
// active file, checks that the path still names that file (else another process rotated it and
// the append starts over) and re-reads the last line, so the chain stays whole across processes
// and rotations. Every line is flushed and, when `durable`, fdatasync'ed before append() returns;
// a rotation then also syncs the directory.
//
// Group commit: appends from concurrent threads share one write and one fdatasync. An append
// queues its entry and waits; whichever waiting thread finds no batch in flight takes every entry
// queued so far, writes them as consecutive lines in one write(), syncs once, and wakes their
// appenders; entries queued meanwhile go in the next batch. So under load a sync covers many
// entries (throughput follows the disk's sync rate times the batch, not the sync rate alone), and
// still no append returns before the sync that covers its own entry: an answer sent after
// append() returned never outlives its audit entry in a crash.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/arrival_rate.hpp"

namespace minqing::access {

// Actions the project writes; free text is allowed, these are the names to use.
namespace audit_action {
inline constexpr const char* login = "login";
inline constexpr const char* login_failed = "login_failed";
inline constexpr const char* logout = "logout";
inline constexpr const char* account_change = "account_change";
inline constexpr const char* key_persons_tile = "key_persons_tile";
inline constexpr const char* key_persons_query = "key_persons_query";
inline constexpr const char* key_persons_identify = "key_persons_identify";
inline constexpr const char* key_persons_sheet = "key_persons_sheet";
inline constexpr const char* key_persons_edit = "key_persons_edit";  // a write to a confidential class
inline constexpr const char* edit_refused = "edit_refused";          // a write refused as not allowed (403)
}  // namespace audit_action

struct AuditRecord {
  std::string user;     // username, "" when anonymous
  std::string address;  // client address, or "cli" for the command line
  std::string action;   // one of audit_action
  nlohmann::json detail = nlohmann::json::object();  // map, bbox, feature ids, z/x/y, …
};

struct AuditVerifyResult {
  bool ok = false;
  std::uint64_t entries = 0;         // entries read, across files (all of them when ok)
  std::uint64_t files = 0;           // files read, rotated ones and the active one
  std::filesystem::path file;        // the file holding the bad line (or missing); "" when ok
  std::uint64_t first_bad_line = 0;  // 1-based, within `file`; 0 when ok
  std::string reason;                // why that line (or file) is bad
  std::string last_hash;             // hash of the last good entry
};

struct AuditPage {
  std::uint64_t total = 0;              // entries in the log, across files
  std::vector<nlohmann::json> entries;  // oldest first
};

struct AuditOptions {
  bool durable = true;  // fdatasync every entry (and the directory at a rotation)
  // Rotate before an append would take the active file past this many bytes; 0: never. A file
  // holds at least one entry, however long.
  std::uint64_t max_bytes = std::uint64_t{64} << 20;
  // Group commit under load, for append_async's entries (a blocking append never waits): when the
  // log's writer finished its previous batch less than 4 × commit_delay ago, it waits up to
  // commit_delay — or until commit_batch entries are queued — before writing, so that one
  // fdatasync covers more entries. An fdatasync costs about 100–160 µs of CPU on a virtual disk
  // whatever it carries (bench/audit_bench prints it), which at 8 entries a sync was a third of a
  // confidential tile's CPU. An entry arriving after a quiet spell is written at once. 0: never wait.
  std::chrono::microseconds commit_delay{1000};
  std::size_t commit_batch = 64;
  // ... but only while entries arrive at least this fast (a second, averaged over 100 ms:
  // access/arrival_rate.hpp). Below it the wait gathers next to nothing and only delays answers:
  // the county administrator's cold map (about 300 confidential tiles a second, in bursts of
  // sixteen from one drawn metatile, over two connections that each wait for their answer) lost a
  // fifth of its tiles a second to 1 ms waits that caught no other entry. At 2,000 a second a
  // batch without the wait already holds what a sync's own time gathers, and the syncs cost less
  // than a fifth of a core. 0: gather whenever the last batch was recent (as before).
  double commit_min_rate = 2000.0;
};

class AuditLog {
 public:
  // Opens (creates with mode 0600) the log at `path`. @throws StoreError naming the file when it
  // cannot be created or opened.
  explicit AuditLog(std::filesystem::path path, bool durable = true);
  AuditLog(std::filesystem::path path, AuditOptions options);

  // Appends one entry stamped with `now`; returns its seq (1 for the first).
  // @throws StoreError when the file cannot be written or its last line is damaged (then nothing
  //         is appended: `minqing audit verify` says where).
  std::uint64_t append(const AuditRecord& record, std::chrono::system_clock::time_point now);

  // The same without waiting for the disk: queues the entry and returns at once. `done(seq, error)`
  // is called once the entry is written (and synced, when durable) with its seq and error "", or
  // with seq 0 and why it could not be. The server answers a key_persons read from `done`, so a
  // thread never blocks on fdatasync and one sync covers every connection waiting, however few the
  // threads. `done` runs on the log's writer thread (started at the first call), or on the thread
  // of an `append` whose batch carried the entry, and must be quick: hand the answer to its
  // connection, nothing more (never `append`, which could wait for it). Entries are written, and
  // the `done`s called one after another, in the order append and append_async were called. @throws std::bad_alloc only (nothing is queued then).
  using AppendDone = std::function<void(std::uint64_t seq, const std::string& error)>;
  void append_async(AuditRecord record, std::chrono::system_clock::time_point now, AppendDone done);

  // Waits for the queued entries to be written, then stops the writer thread.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Entries [offset, offset + limit) as parsed JSON, oldest first, across rotated files, with the
  // total. Entry i is the log's (i+1)-th non-empty line; a line that is not JSON comes back as
  // {"damaged_line": i+1}, and a cut-off last line (no newline yet) counts as an entry.
  // Reads only the page's lines (and whatever was appended since the last read).
  // @throws StoreError when a file cannot be read.
  AuditPage page(std::uint64_t offset, std::size_t limit) const;

  // Calls `visit(i, line)` for the complete entries i in [first, first + count) in log order,
  // `line` without its newline; stops early at the log's end. For filters that must look at every
  // line; the mutex is held only while the files are opened, not while they are read.
  // @throws StoreError when a file cannot be read.
  void scan(std::uint64_t first, std::uint64_t count,
            const std::function<void(std::uint64_t, std::string_view)>& visit) const;

  const std::filesystem::path& path() const noexcept { return m_path; }

  // The log's files in order: the rotated ones, oldest first, then the active one (when it exists).
  static std::vector<std::filesystem::path> files(const std::filesystem::path& path);
  // The n-th rotated file (n ≥ 1) of the log at `path`.
  static std::filesystem::path rotated_path(const std::filesystem::path& path, std::uint64_t n);

  // Checks the whole chain of the log at `path`, through its rotated files. Never throws for
  // content; a missing active file is reported as not ok.
  static AuditVerifyResult verify(const std::filesystem::path& path);

 private:
  // Where each entry of one file starts. Complete lines only: bytes past `indexed_end` are a line
  // not yet ended (one more entry, read as damaged) or not yet scanned.
  struct FileIndex {
    std::filesystem::path path;
    std::uint64_t dev = 0, ino = 0;  // which file, whatever its name now
    std::uint64_t size = 0;          // its size when last looked at
    std::uint64_t indexed_end = 0;   // bytes scanned, up to the end of the last complete line
    std::vector<std::uint64_t> starts;  // byte offset of each non-empty complete line
    std::uint64_t entries() const noexcept { return starts.size() + (size > indexed_end ? 1 : 0); }
  };

  // Brings m_files up to date with the files; m_mutex and a shared lock on the active file held
  // (no rotation meanwhile: audit_log.cpp, hold_unrotated).
  void refresh() const;

  // One queued append (group commit): lives on its appender's stack until it is done.
  struct Pending {
    const AuditRecord* record = nullptr;
    std::optional<AuditRecord> owned;  // append_async's copy (record points at it)
    AppendDone done_callback;          // append_async's; such a Pending is owned by the queue
    std::chrono::system_clock::time_point now;
    std::uint64_t seq = 0;  // set once its line is written (and synced, when durable)
    std::string error;      // why it was not written, when the batch failed before it
    bool done = false;      // guarded by m_queue_mutex
  };
  // Writes `batch` in order as one or more chained runs of lines (more than one only across a
  // rotation), each run in one write() and one fdatasync; sets each entry's seq when its run is
  // durable. Takes m_mutex and the file's flock. @throws StoreError (entries before the failure
  // keep their seq).
  void write_batch(const std::vector<Pending*>& batch);
  // Takes everything queued, writes it as one batch and marks it done (calling append_async's
  // callbacks outside the lock). `lock` holds m_queue_mutex, and holds it again on return.
  void lead_batch(std::unique_lock<std::mutex>& lock);
  // append_async's writer: leads a batch whenever entries wait and nobody else is writing.
  void writer_loop();
  // The writer's wait for more entries under load (AuditOptions::commit_delay); `lock` holds
  // m_queue_mutex throughout, except while waiting.
  void gather_more(std::unique_lock<std::mutex>& lock);

  // The active file as this log's last batch left it, so that the next batch — in the usual case,
  // nobody else wrote meanwhile — neither reopens the file nor reads and parses its last line.
  // Trusted only while the path still names that file and its size is what we left.
  struct WrittenTail {
    int fd = -1;  // the active file, kept open; its flock is taken per batch
    std::uint64_t dev = 0, ino = 0;
    std::uint64_t end = 0;  // the file's size after our last write
    std::uint64_t seq = 0;  // the last entry written, its seq and hash; 0: not known
    std::string hash;
  };
  // Closes the kept file and forgets what it held. m_mutex held.
  void forget_tail();

  std::filesystem::path m_path;
  AuditOptions m_options;
  mutable std::mutex m_mutex;
  WrittenTail m_tail;  // guarded by m_mutex
  mutable std::vector<FileIndex> m_files;  // rotated oldest first, then the active file
  mutable bool m_indexed = false;

  std::mutex m_queue_mutex;  // guards m_queue, m_writing and each Pending::done
  std::condition_variable m_queue_done;
  std::vector<Pending*> m_queue;  // appends waiting for the next batch
  bool m_writing = false;         // a batch is being written and synced
  std::uint64_t m_batches_led = 0;     // batches with callbacks started: the next one's ticket
  std::uint64_t m_callbacks_turn = 0;  // the ticket whose callbacks may run now
  bool m_stopping = false;        // the destructor runs: the writer drains the queue and ends
  bool m_gathering = false;       // the writer waits for more entries: append_async wakes it only for a full batch
  // When the writer's last batch ended; none before its first, which always follows a quiet spell
  // (not the clock's epoch: steady_clock counts from boot, so an epoch "last batch" was recent on a
  // machine up for less than 4 × commit_delay).
  std::optional<std::chrono::steady_clock::time_point> m_writer_done;
  ArrivalRate m_async_rate;       // append_async's entries a second (commit_min_rate)
  std::thread m_writer;           // started by the first append_async
};

// "2024-05-01T08:00:00.123Z"
std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace minqing::access
