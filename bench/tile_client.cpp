// The browser side of bench/run-tile-bench.sh, in C++: asks an HTTP server for every tile of a
// list once, over N keep-alive connections (a browser's few connections to one host), and records
// each tile's latency. The list is walked in its order (zoom by zoom, row by row within a zoom, as
// a map being panned): each connection takes the next tile as soon as its previous answer is read.
//
//   tile_client BASE TILES.txt --maps terrain[,disaster…] [--connections 2] [--token-file F]
//               [--save-dir DIR] [--latency-out FILE] [--case NAME]
//
// The same command line, requests and report as bench/tile_client.py (which it replaces in the
// cold race): BASE is e.g. http://127.0.0.1:8080; each "z x y" line of TILES.txt becomes GET
// BASE/tiles/MAPS/z/x/y.png, with "Authorization: Bearer <token>" when --token-file is given.
// --save-dir keeps every 200 answer at DIR/tiles/MAPS/z/x/y.png (the tree nginx then serves),
// written after the last answer (up to 512 MiB of them), outside the client CPU it reports.
// It prints per-zoom tiles/s, median and p95 computed as bench/lib/tile_stats.py does, the answers
// that were not 200, and the client's own CPU time. Exit status 1 when an answer was not 200.
//
// Why C++: on the 2-core bench machine the Python client burns 140–700 µs of CPU a tile, taken
// from the server it measures, and its median answer (a cache hit) takes 0.17 ms or more. This
// one costs 17 µs a tile (35–43 µs with --save-dir) and 0.03–0.05 ms (session 11, cold terrain):
// one send() of a request prepared per connection, and the answer read straight into its body
// buffer once its Content-Length is known.
//
// Plain POSIX sockets rather than Boost.Beast: one blocking socket per thread is all the client
// needs, and it keeps the program free of minqing_core and Boost (it builds in seconds).
// Bounded: 10 s to connect, 120 s for any read or write (as the Python client's timeout), so a
// stuck server makes a failure, never a hang.

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

namespace {

constexpr int kConnectTimeoutS = 10;
constexpr int kIoTimeoutS = 120;  // a cold composite tile on a loaded machine can take seconds

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// Seconds on the monotonic clock, as Python's time.perf_counter() (CLOCK_MONOTONIC on Linux), so
// the statistics below are computed from the same kind of numbers as tile_stats.py's.
double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

struct Options {
  std::string base;
  std::string tiles;
  std::string maps;
  int connections = 0;
  std::string token_file;
  std::string save_dir;
  std::string latency_out;
  std::string case_name = "ours";
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "tile_client: %s\nusage: tile_client BASE TILES.txt --maps M [--connections N] "
               "[--token-file F] [--save-dir DIR] [--latency-out FILE] [--case NAME]\n",
               why.c_str());
  std::exit(2);
}

// The same options as tile_client.py's argparse, also in the "--name=value" spelling.
Options parse_args(int argc, char** argv) {
  Options o;
  const unsigned hc = std::thread::hardware_concurrency();
  o.connections = hc ? static_cast<int>(hc) : 2;
  std::vector<std::string> positional;
  bool maps_seen = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      positional.push_back(a);
      continue;
    }
    std::string name = a, value;
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else {
      if (i + 1 >= argc) usage(a + " needs a value");
      value = argv[++i];
    }
    if (name == "--maps") {
      o.maps = value;
      maps_seen = true;
    } else if (name == "--connections") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || n < 1 || n > 1024)
        usage("--connections: not a number from 1 to 1024: " + value);
      o.connections = static_cast<int>(n);
    } else if (name == "--token-file") {
      o.token_file = value;
    } else if (name == "--save-dir") {
      o.save_dir = value;
    } else if (name == "--latency-out") {
      o.latency_out = value;
    } else if (name == "--case") {
      o.case_name = value;
    } else {
      usage("unknown option " + name);
    }
  }
  if (positional.size() != 2) usage("BASE and TILES.txt are required");
  if (!maps_seen) usage("--maps is required");
  o.base = positional[0];
  o.tiles = positional[1];
  return o;
}

// Host and port of "http://host[:port][/…]" (the path is not used: tiles are asked at /tiles/…,
// as by the Python client).
struct Endpoint {
  std::string host;
  std::string port;
  std::string host_header;  // "host:port" as in the URL, what http.client sends
};

Endpoint parse_base(const std::string& base) {
  const std::string scheme = "http://";
  if (base.rfind(scheme, 0) != 0) fail("BASE must start with http://: " + base);
  std::string netloc = base.substr(scheme.size());
  netloc = netloc.substr(0, netloc.find('/'));
  Endpoint e;
  e.host_header = netloc;
  const auto colon = netloc.rfind(':');
  if (colon == std::string::npos) {
    e.host = netloc;
    e.port = "80";
  } else {
    e.host = netloc.substr(0, colon);
    e.port = netloc.substr(colon + 1);
  }
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']')
    e.host = e.host.substr(1, e.host.size() - 2);
  if (e.host.empty() || e.port.empty()) fail("BASE has no host or port: " + base);
  return e;
}

struct Tile {
  int z, x, y;
};

std::vector<Tile> read_tiles(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path + ": cannot open");
  std::vector<Tile> tiles;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream ss(line);
    Tile t{};
    std::string rest;
    if (!(ss >> t.z >> t.x >> t.y) || (ss >> rest))
      fail(path + ":" + std::to_string(line_no) + ": not \"z x y\": " + line);
    tiles.push_back(t);
  }
  return tiles;
}

// One answer as read off the wire.
struct Answer {
  int status = 0;          // HTTP status; 0 when no answer came (see error)
  std::string error;       // why there is no answer: "error: …", as the Python client prints it
  std::vector<char> body;  // the whole body (Content-Length bytes, or de-chunked)
};

// One HTTP/1.1 keep-alive connection, used by one thread only. Opens lazily (the first request's
// latency includes the connect, as with http.client) and again after the server closed it.
class Connection {
 public:
  Connection(const addrinfo* addr, std::string request_head, std::string request_tail)
      : m_addr(addr), m_head(std::move(request_head)), m_tail(std::move(request_tail)) {
    m_buf.resize(64 * 1024);
  }
  ~Connection() { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // GET path: the answer, or status 0 and an error. A request on a reused connection that the
  // server had closed (closed or reset before a byte of the answer) is sent once more on a new
  // connection: a GET may be repeated, and an idle keep-alive connection closed by the server is
  // not a failure. A timeout is not retried (it would double the bound).
  Answer get(const std::string& path) {
    const bool reused = m_fd >= 0;
    Answer a = attempt(path);
    if (a.status == 0 && reused && m_nothing_read && m_peer_closed) {
      close();
      a = attempt(path);
    }
    if (a.status == 0) close();
    return a;
  }

 private:
  Answer attempt(const std::string& path) {
    Answer a;
    m_nothing_read = true;
    m_peer_closed = false;
    try {
      if (m_fd < 0) open();
      m_req.clear();
      m_req.append(m_head).append(path).append(m_tail);
      send_all(m_req);
      read_answer(a);
    } catch (const std::exception& e) {
      a = Answer{};
      a.error = std::string("error: ") + e.what();
    }
    return a;
  }

  void open() {
    const int fd =
        ::socket(m_addr->ai_family, m_addr->ai_socktype | SOCK_CLOEXEC, m_addr->ai_protocol);
    if (fd < 0) fail(std::string("socket: ") + std::strerror(errno));
    m_fd = fd;
    m_have = m_used = 0;
    // Linux bounds a blocking connect() by SO_SNDTIMEO; the longer I/O bound is set after it.
    set_timeout(SO_SNDTIMEO, kConnectTimeoutS);
    if (::connect(fd, m_addr->ai_addr, m_addr->ai_addrlen) != 0) {
      const int err = errno;
      close();
      fail(std::string("connect: ") + std::strerror(err));
    }
    set_timeout(SO_SNDTIMEO, kIoTimeoutS);
    set_timeout(SO_RCVTIMEO, kIoTimeoutS);
    // The request goes out in one send(); no reason to let Nagle hold anything back.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }

  void close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
    m_have = m_used = 0;
  }

  void set_timeout(int which, int seconds) {
    timeval tv{};
    tv.tv_sec = seconds;
    ::setsockopt(m_fd, SOL_SOCKET, which, &tv, sizeof tv);
  }

  void send_all(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(m_fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EPIPE || errno == ECONNRESET) m_peer_closed = true;
        fail(errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : std::strerror(errno));
      }
      off += static_cast<size_t>(n);
    }
  }

  // Reads at most `len` bytes into `dst`; throws on a timeout, an error or the server's close.
  size_t recv_some(char* dst, size_t len) {
    for (;;) {
      const ssize_t n = ::recv(m_fd, dst, len, 0);
      if (n > 0) {
        m_nothing_read = false;
        return static_cast<size_t>(n);
      }
      if (n == 0) {
        m_peer_closed = true;
        fail("the server closed the connection");
      }
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) m_peer_closed = true;
      fail(errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : std::strerror(errno));
    }
  }

  // More bytes into m_buf after what is unread (compacting it, growing it for a long head).
  void fill() {
    if (m_used > 0) {
      std::memmove(m_buf.data(), m_buf.data() + m_used, m_have - m_used);
      m_have -= m_used;
      m_used = 0;
    }
    if (m_have == m_buf.size()) {
      if (m_buf.size() >= 1024 * 1024) fail("answer head over 1 MiB");
      m_buf.resize(m_buf.size() * 2);
    }
    m_have += recv_some(m_buf.data() + m_have, m_buf.size() - m_have);
  }

  // One line ending in CRLF from the buffer (without it).
  std::string_view line() {
    for (;;) {
      const std::string_view unread(m_buf.data() + m_used, m_have - m_used);
      const auto eol = unread.find("\r\n");
      if (eol != std::string_view::npos) {
        m_used += eol + 2;
        return unread.substr(0, eol);
      }
      fill();
    }
  }

  // `n` body bytes appended to `out`: first what is already buffered, then straight from the
  // socket into the body (no copy through m_buf for a PNG of tens of KiB).
  void body_bytes(std::vector<char>& out, size_t n) {
    const size_t from_buf = std::min(n, m_have - m_used);
    out.insert(out.end(), m_buf.data() + m_used, m_buf.data() + m_used + from_buf);
    m_used += from_buf;
    size_t got = from_buf;
    const size_t start = out.size() - from_buf;
    out.resize(start + n);
    while (got < n) got += recv_some(out.data() + start + got, n - got);
  }

  static bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }

  void read_answer(Answer& a) {
    std::string_view status_line = line();
    // "HTTP/1.1 200 OK"
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
      fail("bad status line: " + std::string(status_line.substr(0, 80)));
    const int status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    std::optional<size_t> length;
    bool chunked = false, close_after = status_line.rfind("HTTP/1.0", 0) == 0;
    for (;;) {
      const std::string_view h = line();
      if (h.empty()) break;
      const auto colon = h.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string_view name = h.substr(0, colon), value = trim(h.substr(colon + 1));
      if (iequals(name, "Content-Length")) {
        length = std::strtoull(std::string(value).c_str(), nullptr, 10);
      } else if (iequals(name, "Transfer-Encoding")) {
        chunked = value.find("chunked") != std::string_view::npos;
      } else if (iequals(name, "Connection")) {
        if (iequals(value, "close")) close_after = true;
        if (iequals(value, "keep-alive")) close_after = false;
      }
    }
    a.body.clear();
    const bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
    if (no_body) {
    } else if (chunked) {
      for (;;) {
        const size_t n = std::strtoull(std::string(line()).c_str(), nullptr, 16);
        if (n == 0) {
          while (!line().empty()) {  // trailers
          }
          break;
        }
        body_bytes(a.body, n);
        line();  // the CRLF after the chunk
      }
    } else if (length) {
      body_bytes(a.body, *length);
    } else {
      // Neither: the body ends when the server closes the connection.
      close_after = true;
      for (;;) {
        if (m_have > m_used) {
          a.body.insert(a.body.end(), m_buf.data() + m_used, m_buf.data() + m_have);
          m_used = m_have;
        }
        const ssize_t n = ::recv(m_fd, m_buf.data(), m_buf.size(), 0);
        if (n == 0) break;
        if (n < 0) {
          if (errno == EINTR) continue;
          fail(errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : std::strerror(errno));
        }
        m_used = 0;
        m_have = static_cast<size_t>(n);
      }
    }
    a.status = status;
    if (close_after) close();
  }

  const addrinfo* m_addr;
  std::string m_head;  // "GET "
  std::string m_tail;  // " HTTP/1.1\r\nHost: …\r\n\r\n"
  std::string m_req;
  int m_fd = -1;
  std::vector<char> m_buf;  // bytes read but not yet consumed: [m_used, m_have)
  size_t m_have = 0;
  size_t m_used = 0;
  bool m_nothing_read = true;  // no byte of the current attempt's answer has arrived
  bool m_peer_closed = false;  // the current attempt failed on the server's close or reset
};

// One tile's outcome, as tile_client.py's record (zoom, start, end, bytes, status).
struct Record {
  int z = 0;
  double t0 = 0, t1 = 0;
  size_t size = 0;
  int status = 0;
  std::string error;
  bool keep = false;       // --save-dir writes `kept` once the clock has stopped
  std::vector<char> kept;  // the body, while it waits to be written
};

// ---- Statistics: bench/lib/tile_stats.py, line by line, so both clients report alike. ----

struct StatRec {
  int z;
  double s, e;
  size_t bytes;
};

// statistics.median: the middle value, or the mean of the two middle values.
double median_of(const std::vector<double>& sorted) {
  const size_t n = sorted.size();
  if (n % 2 == 1) return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

void report_line(const std::string& name, const std::string& label, const std::string& zoom,
                 const std::vector<StatRec>& recs) {
  std::vector<double> lat;
  lat.reserve(recs.size());
  double first = recs.front().s, last = recs.front().e, bytes = 0;
  for (const auto& r : recs) {
    lat.push_back((r.e - r.s) * 1000);
    first = std::min(first, r.s);
    last = std::max(last, r.e);
    bytes += static_cast<double>(r.bytes);
  }
  std::sort(lat.begin(), lat.end());
  const double span = last - first;
  const size_t n = recs.size();
  const double tps = span > 0 ? static_cast<double>(n) / span : 0.0;
  const double median = median_of(lat);
  const double p95 = lat[std::min(n - 1, n * 95 / 100)];
  const double mean_bytes = bytes / static_cast<double>(n);
  const std::string zoom_label = zoom == "all" ? "all" : "z" + zoom;
  std::printf(
      "%-44s %-4s %5zu tiles  %8.1f tiles/s   median %7.2f ms   p95 %7.2f ms   mean PNG %6.0f B\n",
      label.c_str(), zoom_label.c_str(), n, tps, median, p95, mean_bytes);
  std::printf(
      "RESULT case=%s zoom=%s tiles=%zu tiles_per_s=%.2f median_ms=%.3f p95_ms=%.3f "
      "mean_png_bytes=%.0f\n",
      name.c_str(), zoom.c_str(), n, tps, median, p95, mean_bytes);
}

void report(const std::string& name, const std::string& label, const std::vector<StatRec>& recs) {
  if (recs.empty()) {
    std::printf("%s: no tiles\n", label.c_str());
    return;
  }
  report_line(name, label, "all", recs);
  std::map<int, std::vector<StatRec>> by_zoom;  // ascending zoom, each in the list's order
  for (const auto& r : recs) by_zoom[r.z].push_back(r);
  for (const auto& [z, sub] : by_zoom) report_line(name, label, std::to_string(z), sub);
  std::fflush(stdout);
}

std::string status_text(const Record& r) { return r.status ? std::to_string(r.status) : r.error; }

// Writes `body` to `dest`, making its folders; false (and a line on stderr) when it cannot.
bool save_file(const std::filesystem::path& dest, const std::vector<char>& body) {
  std::error_code ec;
  std::filesystem::create_directories(dest.parent_path(), ec);
  std::FILE* f = std::fopen(dest.c_str(), "wb");
  bool ok = f && std::fwrite(body.data(), 1, body.size(), f) == body.size();
  if (f && std::fclose(f) != 0) ok = false;
  if (!ok) std::fprintf(stderr, "tile_client: cannot write %s\n", dest.c_str());
  return ok;
}

int run(const Options& o) {
  const Endpoint ep = parse_base(o.base);
  std::string auth;
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file);
    if (!in) fail(o.token_file + ": cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string token = ss.str();
    const auto b = token.find_first_not_of(" \t\r\n");
    const auto e = token.find_last_not_of(" \t\r\n");
    token = b == std::string::npos ? "" : token.substr(b, e - b + 1);
    auth = "Authorization: Bearer " + token + "\r\n";
  }
  const std::vector<Tile> tiles = read_tiles(o.tiles);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addrs = nullptr;
  if (const int rc = ::getaddrinfo(ep.host.c_str(), ep.port.c_str(), &hints, &addrs); rc != 0)
    fail(ep.host + ":" + ep.port + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addrs_owner(addrs, &::freeaddrinfo);

  // The headers http.client sends for tile_client.py's request, in its order.
  const std::string tail = " HTTP/1.1\r\nHost: " + ep.host_header +
                           "\r\nAccept-Encoding: identity\r\nAccept: image/png,image/*;q=0.8\r\n"
                           "Connection: keep-alive\r\n" +
                           auth + "\r\n";
  const std::string prefix = "/tiles/" + o.maps + "/";

  std::atomic<size_t> next{0};
  std::vector<Record> recs(tiles.size());
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  std::atomic<size_t> unsaved{0};  // 200 answers --save-dir could not keep
  // --save-dir: bodies are kept in memory and written after the run, so that creating 1,158 files
  // (~60 µs of the client's CPU a tile, measured) does not take CPU from the server during the
  // race; past kKeepLimit bytes a body is written at once instead, bounding the client's memory.
  constexpr size_t kKeepLimit = size_t{512} << 20;
  std::atomic<size_t> kept_bytes{0};

  auto worker = [&] {
    Connection conn(addrs, "GET ", tail);
    std::string path;
    for (;;) {
      const size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= tiles.size()) break;
      const Tile& t = tiles[i];
      path = prefix + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) +
             ".png";
      const double t0 = now_s();
      Answer a = conn.get(path);
      const double t1 = now_s();
      Record& r = recs[i];
      r.z = t.z;
      r.t0 = t0;
      r.t1 = t1;
      r.size = a.body.size();
      r.status = a.status;
      r.error = a.error;
      if (a.status != 200) {
        const std::lock_guard<std::mutex> lock(failures_mutex);
        failures.push_back(path + " → " + status_text(r));
      } else if (!o.save_dir.empty()) {
        if (kept_bytes.fetch_add(a.body.size()) + a.body.size() <= kKeepLimit) {
          r.kept = std::move(a.body);
          r.keep = true;
        } else if (!save_file(std::filesystem::path(o.save_dir) / path.substr(1), a.body)) {
          ++unsaved;
        }
      }
    }
  };

  const double cpu0 = cpu_s();
  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double cpu = cpu_s() - cpu0;

  if (!o.save_dir.empty()) {
    for (size_t i = 0; i < tiles.size(); ++i) {
      if (!recs[i].keep) continue;
      const Tile& t = tiles[i];
      const std::string rel = "tiles/" + o.maps + "/" + std::to_string(t.z) + "/" +
                              std::to_string(t.x) + "/" + std::to_string(t.y) + ".png";
      if (!save_file(std::filesystem::path(o.save_dir) / rel, recs[i].kept)) ++unsaved;
      std::vector<char>().swap(recs[i].kept);
    }
  }

  if (!o.latency_out.empty()) {
    std::FILE* f = std::fopen(o.latency_out.c_str(), "w");
    if (!f) fail(o.latency_out + ": cannot write");
    for (size_t i = 0; i < tiles.size(); ++i)
      std::fprintf(f, "%d %d %d %s %zu %.3f\n", tiles[i].z, tiles[i].x, tiles[i].y,
                   status_text(recs[i]).c_str(), recs[i].size, (recs[i].t1 - recs[i].t0) * 1000);
    std::fclose(f);
  }
  std::vector<StatRec> ok;
  for (const auto& r : recs)
    if (r.status == 200) ok.push_back({r.z, r.t0, r.t1, r.size});
  report(o.case_name, o.case_name + ", " + std::to_string(o.connections) + " conn", ok);
  std::printf(
      "client: %zu tiles asked, %zu answered 200, %zu not; client CPU %.2f s (%.0f µs a tile)\n",
      tiles.size(), ok.size(), failures.size(), cpu,
      cpu * 1e6 / static_cast<double>(std::max<size_t>(1, tiles.size())));
  for (size_t i = 0; i < failures.size() && i < 10; ++i)
    std::printf("  not 200: %s\n", failures[i].c_str());
  std::printf("RESULT case=%s client_cpu_s=%.2f failures=%zu\n", o.case_name.c_str(), cpu,
              failures.size());
  // A tile --save-dir lost would be missing from nginx's tree: as wrong as an answer not 200.
  return failures.empty() && unsaved == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tile_client: %s\n", e.what());
    return 2;
  }
}
