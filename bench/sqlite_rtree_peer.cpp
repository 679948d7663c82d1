// The SQL peer of bench/run-query-bench.sh: the same bbox queries as the server's
// /collections/{class}/items?bbox=…, asked of the GeoPackage itself through the sqlite3 C API and
// the GeoPackage's R-tree (rtree_<class>_geom), as a hand-written SQL client would.
//
//   sqlite_rtree_peer STORE.gpkg boxes N SEED BOXES_OUT POINTS_OUT [--class C]
//       N boxes the size of a z16 tile, each centred near a randomly chosen feature of the class
//       (so the boxes fall where the features are), written as "minlon,minlat,maxlon,maxlat"
//       (CRS84) one a line; and N points, each the centre of a random feature, "lon,lat".
//   sqlite_rtree_peer STORE.gpkg query BOXES [--class C] [--threads 1,2] [--passes P]
//       Runs every box (P passes, after one untimed warm-up pass) on T threads, each thread with
//       its own read-only connection: the box is transformed to the store CRS with PROJ (the
//       envelope of its densified edges), the R-tree join selects the candidates and every column
//       of every row is read. Prints "RESULT threads=T queries=… queries_per_s=… p50_ms=…
//       p99_ms=… rows=… cpu_us_per_query=…" per thread count.
//   sqlite_rtree_peer STORE.gpkg count BOXES K [--class C]
//       For the first K boxes: the R-tree candidates and how many of them intersect the box
//       exactly (GEOS, the box's edges densified into the store CRS). Prints
//       "COUNT i=… candidates=… exact=…" per box.
//
// The peer does less than the server: no exact geometry test in `query` (R-tree envelopes only),
// no reprojection of the answer and no GeoJSON; the comparison favours the peer.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>
#include <sys/resource.h>

#include "geo/geometry.hpp"
#include "geo/geos.hpp"
#include "geo/projection.hpp"
#include "geo/tile.hpp"

using namespace minqing;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// A read-only connection; one per thread (opened NOMUTEX, never shared).
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      const std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
      sqlite3_close(m_db);
      fail(path + ": " + msg);
    }
  }
  ~Db() { sqlite3_close(m_db); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3_stmt* prepare(const std::string& sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      fail("cannot prepare \"" + sql + "\": " + sqlite3_errmsg(m_db));
    }
    return s;
  }

 private:
  sqlite3* m_db = nullptr;
};

// A prepared statement, finalized on scope exit.
struct Stmt {
  sqlite3_stmt* s;
  ~Stmt() { sqlite3_finalize(s); }
};

struct Schema {
  std::string table;
  std::string rtree;
  int srs = 0;
  std::vector<std::string> columns;  // every column, the geometry column among them
  std::string geom_column;
};

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

Schema read_schema(const Db& db, const std::string& cls) {
  Schema s;
  s.table = cls;
  {
    Stmt st{db.prepare("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?")};
    sqlite3_bind_text(st.s, 1, cls.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_ROW) fail("no feature table " + cls + " in gpkg_geometry_columns");
    s.geom_column = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    s.srs = sqlite3_column_int(st.s, 1);
  }
  s.rtree = "rtree_" + cls + "_" + s.geom_column;
  Stmt st{db.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")};
  sqlite3_bind_text(st.s, 1, cls.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(st.s) == SQLITE_ROW) s.columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)));
  if (s.columns.empty()) fail("table " + cls + " has no columns");
  return s;
}

// SELECT <every column> FROM <class> JOIN <rtree> ON fid = id WHERE the envelopes overlap.
std::string bbox_sql(const Schema& s) {
  std::string cols;
  for (const auto& c : s.columns) cols += (cols.empty() ? "t." : ", t.") + quoted(c);
  return "SELECT " + cols + " FROM " + quoted(s.table) + " t JOIN " + quoted(s.rtree) +
         " r ON t.fid = r.id WHERE r.minx <= ?1 AND r.maxx >= ?2 AND r.miny <= ?3 AND r.maxy >= ?4";
}

std::vector<geo::BBox> read_boxes(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot read " + path);
  std::vector<geo::BBox> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    geo::BBox b;
    if (std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf", &b.min_x, &b.min_y, &b.max_x, &b.max_y) != 4) {
      fail(path + ": not a box: " + line);
    }
    out.push_back(b);
  }
  if (out.empty()) fail(path + ": no boxes");
  return out;
}

// Binds the box (in the store CRS) and steps through every row, reading every column as its
// storage type. Returns the rows; `bytes` accumulates what was read so nothing is optimised away.
std::size_t run_box(sqlite3_stmt* st, const geo::BBox& b, std::size_t ncols, std::size_t& bytes) {
  sqlite3_reset(st);
  sqlite3_bind_double(st, 1, b.max_x);
  sqlite3_bind_double(st, 2, b.min_x);
  sqlite3_bind_double(st, 3, b.max_y);
  sqlite3_bind_double(st, 4, b.min_y);
  std::size_t rows = 0;
  int rc = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ++rows;
    for (int c = 0; c < static_cast<int>(ncols); ++c) {
      switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER: bytes += static_cast<std::size_t>(sqlite3_column_int64(st, c) & 1); break;
        case SQLITE_FLOAT: bytes += sqlite3_column_double(st, c) > 0; break;
        case SQLITE_TEXT:
          bytes += sqlite3_column_text(st, c) ? static_cast<std::size_t>(sqlite3_column_bytes(st, c)) : 0;
          break;
        case SQLITE_BLOB:
          bytes += sqlite3_column_blob(st, c) ? static_cast<std::size_t>(sqlite3_column_bytes(st, c)) : 0;
          break;
        default: break;
      }
    }
  }
  if (rc != SQLITE_DONE) fail(std::string("query failed: ") + sqlite3_errstr(rc));
  return rows;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time (user + system) of the whole process, every thread, in milliseconds: on a machine
// shared with other work, CPU per query is the figure that does not depend on the others.
double process_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return tv(u.ru_utime) + tv(u.ru_stime);
}

// ---- boxes -------------------------------------------------------------------------------

int make_boxes(const std::string& store, const std::string& cls, int n, std::uint64_t seed, const std::string& boxes_out,
               const std::string& points_out) {
  const Db db(store);
  const Schema s = read_schema(db, cls);
  Stmt range{db.prepare("SELECT min(id), max(id) FROM " + quoted(s.rtree))};
  if (sqlite3_step(range.s) != SQLITE_ROW || sqlite3_column_type(range.s, 0) == SQLITE_NULL) fail(s.rtree + " is empty");
  const std::int64_t lo = sqlite3_column_int64(range.s, 0), hi = sqlite3_column_int64(range.s, 1);
  Stmt env{db.prepare("SELECT minx, maxx, miny, maxy FROM " + quoted(s.rtree) + " WHERE id = ?")};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> pick(lo, hi);
  // A random feature's envelope centre, in the store CRS (ids missing from the R-tree are skipped).
  auto random_centre = [&] {
    for (;;) {
      sqlite3_reset(env.s);
      sqlite3_bind_int64(env.s, 1, pick(rng));
      if (sqlite3_step(env.s) != SQLITE_ROW) continue;
      return geo::Coord{(sqlite3_column_double(env.s, 0) + sqlite3_column_double(env.s, 1)) / 2,
                        (sqlite3_column_double(env.s, 2) + sqlite3_column_double(env.s, 3)) / 2};
    }
  };
  const geo::Transform to_mercator(geo::epsg(s.srs), "EPSG:3857");
  const geo::Transform to_lonlat("EPSG:3857", "EPSG:4326");
  const double half = geo::tile_span(16) / 2;  // a z16 tile, in EPSG:3857 metres
  std::uniform_real_distribution<double> jitter(-half * 0.8, half * 0.8);
  std::FILE* bf = std::fopen(boxes_out.c_str(), "w");
  std::FILE* pf = std::fopen(points_out.c_str(), "w");
  if (!bf || !pf) fail("cannot write " + boxes_out + " or " + points_out);
  for (int i = 0; i < n; ++i) {
    // The box is a rectangle in 3857 and so also in CRS84 (the projection is separable).
    const geo::Coord c = to_mercator.apply(random_centre());
    const geo::Coord m{c.x + jitter(rng), c.y + jitter(rng)};
    const geo::Coord a = to_lonlat.apply(geo::Coord{m.x - half, m.y - half});
    const geo::Coord b = to_lonlat.apply(geo::Coord{m.x + half, m.y + half});
    std::fprintf(bf, "%.7f,%.7f,%.7f,%.7f\n", a.x, a.y, b.x, b.y);
    const geo::Coord p = to_lonlat.apply(to_mercator.apply(random_centre()));
    std::fprintf(pf, "%.7f,%.7f\n", p.x, p.y);
  }
  std::fclose(bf);
  std::fclose(pf);
  std::printf("wrote %d boxes (z16 size, %.0f m in EPSG:3857, centred near random %s) to %s and %d points to %s\n", n,
              2 * half, cls.c_str(), boxes_out.c_str(), n, points_out.c_str());
  return 0;
}

// ---- query -------------------------------------------------------------------------------

struct ThreadOut {
  std::vector<double> latency_ms;
  std::size_t rows = 0;
  std::size_t bytes = 0;
};

void query_thread(const std::string& store, const Schema& s, const std::vector<geo::BBox>& boxes, std::size_t total,
                  std::atomic<std::size_t>& next, bool timed, ThreadOut& out) {
  const Db db(store);
  Stmt st{db.prepare(bbox_sql(s))};
  const geo::Transform to_store("EPSG:4326", geo::epsg(s.srs));
  for (;;) {
    const std::size_t i = next.fetch_add(1);
    if (i >= total) break;
    const auto t0 = Clock::now();
    const geo::BBox b = to_store.apply(boxes[i % boxes.size()]);
    out.rows += run_box(st.s, b, s.columns.size(), out.bytes);
    if (timed) out.latency_ms.push_back(ms(Clock::now() - t0));
  }
}

int run_queries(const std::string& store, const std::string& cls, const std::string& boxes_path,
                const std::vector<int>& thread_counts, int passes) {
  const auto boxes = read_boxes(boxes_path);
  Schema s;
  {
    const Db db(store);
    s = read_schema(db, cls);
  }
  std::printf("SQL: %s\n", bbox_sql(s).c_str());
  for (int threads : thread_counts) {
    // One untimed pass first: the pages come into the OS cache and each connection's cache.
    for (int warm = 1; warm >= 0; --warm) {
      const std::size_t total = warm ? boxes.size() : boxes.size() * static_cast<std::size_t>(passes);
      std::atomic<std::size_t> next{0};
      std::vector<ThreadOut> outs(static_cast<std::size_t>(threads));
      std::vector<std::thread> pool;
      const double cpu0 = process_cpu_ms();
      const auto t0 = Clock::now();
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back(query_thread, std::cref(store), std::cref(s), std::cref(boxes), total, std::ref(next), !warm,
                          std::ref(outs[static_cast<std::size_t>(t)]));
      }
      for (auto& th : pool) th.join();
      const double wall_ms = ms(Clock::now() - t0);
      const double cpu_ms = process_cpu_ms() - cpu0;
      if (warm) continue;
      std::vector<double> lat;
      std::size_t rows = 0, bytes = 0;
      for (auto& o : outs) {
        lat.insert(lat.end(), o.latency_ms.begin(), o.latency_ms.end());
        rows += o.rows;
        bytes += o.bytes;
      }
      std::sort(lat.begin(), lat.end());
      std::printf(
          "RESULT threads=%d queries=%zu queries_per_s=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f rows=%zu "
          "rows_per_query=%.1f cpu_us_per_query=%.0f bytes_read=%zu\n",
          threads, lat.size(), static_cast<double>(lat.size()) / (wall_ms / 1000), lat[lat.size() / 2],
          lat[lat.size() * 9 / 10], lat[lat.size() * 99 / 100], rows,
          static_cast<double>(rows) / static_cast<double>(lat.size()), cpu_ms * 1000 / static_cast<double>(lat.size()),
          bytes);
    }
  }
  return 0;
}

// ---- count -------------------------------------------------------------------------------

// The GeoPackage geometry blob's WKB: after the 8-byte header and the envelope its flags announce.
bool gpkg_wkb(const unsigned char* blob, int size, const unsigned char*& wkb, std::size_t& len) {
  if (size < 8 || blob[0] != 'G' || blob[1] != 'P') return false;
  static constexpr int kEnvelopeBytes[] = {0, 32, 48, 48, 64, 0, 0, 0};
  const int env = kEnvelopeBytes[(blob[3] >> 1) & 7];
  if ((blob[3] & 0x10) || size <= 8 + env) return false;  // empty geometry
  wkb = blob + 8 + env;
  len = static_cast<std::size_t>(size - 8 - env);
  return true;
}

int count_exact(const std::string& store, const std::string& cls, const std::string& boxes_path, std::size_t k) {
  const auto boxes = read_boxes(boxes_path);
  const Db db(store);
  const Schema s = read_schema(db, cls);
  const auto geom_col = static_cast<int>(std::find(s.columns.begin(), s.columns.end(), s.geom_column) - s.columns.begin());
  Stmt st{db.prepare(bbox_sql(s))};
  const geo::Transform to_store("EPSG:4326", geo::epsg(s.srs));
  geo::GeosContext ctx;
  GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx.handle());
  for (std::size_t i = 0; i < std::min(k, boxes.size()); ++i) {
    const geo::BBox& lonlat = boxes[i];
    // The box as the server sees it, its edges densified (16 steps, as the server does), in the
    // store CRS.
    std::vector<geo::Coord> ring;
    const geo::Coord p[4] = {{lonlat.min_x, lonlat.min_y}, {lonlat.max_x, lonlat.min_y}, {lonlat.max_x, lonlat.max_y},
                             {lonlat.min_x, lonlat.max_y}};
    for (int e = 0; e < 4; ++e) {
      const geo::Coord a = p[e], b = p[(e + 1) % 4];
      for (int j = 0; j < 16; ++j) {
        const double t = j / 16.0;
        ring.push_back(to_store.apply(geo::Coord{a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}));
      }
    }
    const geo::Geometry poly = geo::Geometry::polygon(ring);
    const geo::GeosGeometry box = geo::to_geos(ctx, poly);
    const GEOSPreparedGeometry* prepared = GEOSPrepare_r(ctx.handle(), box.get());

    sqlite3_reset(st.s);
    const geo::BBox b = poly.bbox();
    sqlite3_bind_double(st.s, 1, b.max_x);
    sqlite3_bind_double(st.s, 2, b.min_x);
    sqlite3_bind_double(st.s, 3, b.max_y);
    sqlite3_bind_double(st.s, 4, b.min_y);
    std::size_t candidates = 0, exact = 0;
    while (sqlite3_step(st.s) == SQLITE_ROW) {
      ++candidates;
      const unsigned char* wkb = nullptr;
      std::size_t len = 0;
      const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(st.s, geom_col));
      if (!blob || !gpkg_wkb(blob, sqlite3_column_bytes(st.s, geom_col), wkb, len)) continue;
      const geo::GeosGeometry g(ctx, GEOSWKBReader_read_r(ctx.handle(), reader, wkb, len));
      if (g && GEOSPreparedIntersects_r(ctx.handle(), prepared, g.get()) == 1) ++exact;
    }
    GEOSPreparedGeom_destroy_r(ctx.handle(), prepared);
    std::printf("COUNT i=%zu candidates=%zu exact=%zu\n", i, candidates, exact);
  }
  GEOSWKBReader_destroy_r(ctx.handle(), reader);
  return 0;
}

std::vector<int> parse_threads(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    const int t = std::atoi(part.c_str());
    if (t < 1 || t > 64) fail("--threads: expected numbers from 1 to 64, got " + text);
    out.push_back(t);
  }
  return out;
}

constexpr const char* kUsage =
    "usage: sqlite_rtree_peer STORE.gpkg boxes N SEED BOXES_OUT POINTS_OUT [--class C]\n"
    "       sqlite_rtree_peer STORE.gpkg query BOXES [--class C] [--threads 1,2] [--passes P]\n"
    "       sqlite_rtree_peer STORE.gpkg count BOXES K [--class C]\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  std::string cls = "buildings";
  std::string threads = "1,2";
  int passes = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--class" || a == "--threads" || a == "--passes") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--class") cls = v;
      else if (a == "--threads") threads = v;
      else passes = std::max(1, std::atoi(v.c_str()));
    } else {
      pos.push_back(a);
    }
  }
  try {
    if (pos.size() == 6 && pos[1] == "boxes") {
      return make_boxes(pos[0], cls, std::atoi(pos[2].c_str()), std::strtoull(pos[3].c_str(), nullptr, 10), pos[4],
                        pos[5]);
    }
    if (pos.size() == 3 && pos[1] == "query") return run_queries(pos[0], cls, pos[2], parse_threads(threads), passes);
    if (pos.size() == 4 && pos[1] == "count") {
      return count_exact(pos[0], cls, pos[2], static_cast<std::size_t>(std::atoi(pos[3].c_str())));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sqlite_rtree_peer: %s\n", e.what());
    return 1;
  }
  std::fputs(kUsage, stderr);
  return 2;
}
