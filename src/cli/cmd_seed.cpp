// `minqing seed` — pre-renders a zoom range of a village or the whole county by asking the
// running server for every tile once, so that its tile cache answers the first visitors at once.
// The server renders on all its cores; this command keeps them busy with parallel connections.
// Seeding over HTTP fills exactly the cache entries (same key, same scope) that visitors hit.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/program_options.hpp>

#include "base/error.hpp"
#include "cli/commands.hpp"
#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "model/layer_catalog.hpp"
#include "store/feature_store.hpp"

namespace minqing::cli {

namespace po = boost::program_options;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct ServerAddress {
  std::string host;
  std::string port;
};

ServerAddress parse_server(const std::string& url) {
  static const std::regex re(R"(^http://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):([0-9]{1,5})/?$)");
  std::smatch m;
  if (!std::regex_match(url, m, re)) throw RequestError("--server must look like http://127.0.0.1:8080, got \"" + url + "\"");
  return {m[1], m[2]};
}

std::pair<int, int> parse_zoom_range(const std::string& text) {
  static const std::regex re(R"(^([0-9]{1,2})(?:-([0-9]{1,2}))?$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) throw RequestError("--zoom must be Z or Z1-Z2, got \"" + text + "\"");
  const int lo = std::stoi(m[1]);
  const int hi = m[2].matched ? std::stoi(m[2]) : lo;
  if (lo > hi || hi > geo::kMaxZoom) throw RequestError("--zoom " + text + ": expected 0 ≤ Z1 ≤ Z2 ≤ 24");
  return {lo, hi};
}

// The 3857 extents of the chosen villages (all when `village` is empty).
std::vector<geo::BBox> village_extents(const std::string& store_path, const std::string& village) {
  const auto catalog = model::LayerCatalog::load_directory(model::LayerCatalog::default_directory());
  auto store = store::FeatureStore::open(store_path, catalog, store::FeatureStore::Mode::read_only);
  const auto* def = catalog.find_class("villages");
  const auto key = static_cast<std::size_t>(def->field_index(def->village_key));
  const geo::Transform to_3857(geo::epsg(store.epsg()), "EPSG:3857");
  std::vector<geo::BBox> out;
  store.for_each("villages", [&](model::Feature& f) {
    if (!village.empty() && model::to_display_string(f.values[key]) != village) return;
    to_3857.apply(f.geometry.coords);
    out.push_back(f.geometry.bbox());
  });
  if (out.empty()) throw RequestError(village.empty() ? "the store holds no village" : "no village " + village + " in the store");
  return out;
}

// One keep-alive connection; reconnects after the server closes it.
class TileFetcher {
 public:
  explicit TileFetcher(ServerAddress addr) : m_addr(std::move(addr)) {}

  // The HTTP status of GET `target` (0 on a network failure).
  unsigned get(const std::string& target) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      try {
        if (!m_stream) connect();
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, m_addr.host + ":" + m_addr.port);
        req.set(http::field::user_agent, "minqing-seed");
        m_stream->expires_after(std::chrono::seconds(60));
        http::write(*m_stream, req);
        http::response<http::string_body> res;
        http::read(*m_stream, m_buffer, res);
        if (!res.keep_alive()) m_stream.reset();
        return res.result_int();
      } catch (const std::exception&) {
        m_stream.reset();
      }
    }
    return 0;
  }

 private:
  void connect() {
    tcp::resolver resolver(m_ioc);
    m_stream = std::make_unique<beast::tcp_stream>(m_ioc);
    m_stream->expires_after(std::chrono::seconds(10));
    m_stream->connect(resolver.resolve(m_addr.host, m_addr.port));
  }

  ServerAddress m_addr;
  net::io_context m_ioc;
  std::unique_ptr<beast::tcp_stream> m_stream;
  beast::flat_buffer m_buffer;
};

void draw_progress(std::size_t done, std::size_t total, std::size_t failed, double seconds) {
  constexpr int kWidth = 30;
  const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1;
  const int filled = static_cast<int>(frac * kWidth);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu tiles  %.0f tiles/s  ETA %.0fs%s", filled,
               "##############################", kWidth - filled, "", done, total, rate, eta,
               failed ? ("  failed " + std::to_string(failed)).c_str() : "");
  std::fflush(stderr);
}

}  // namespace

int run_seed(const Args& args) {
  std::string server = "http://127.0.0.1:8080";
  std::string maps = "terrain";
  std::string village;
  std::string zoom = "14-17";
  std::string store = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  int scale = 1;
  unsigned concurrency = 2 * std::max(1u, std::thread::hardware_concurrency());
  po::options_description desc(
      "minqing seed (--village CODE | --county) [options]\n\n"
      "Asks a running `minqing serve` for every tile of a zoom range over one village or the whole\n"
      "county, so that its tile cache is warm.\n\noptions");
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("server", po::value(&server)->default_value(server), "the server to warm")
      ("maps", po::value(&maps)->default_value(maps), "maps as in the tile URL, e.g. terrain,disaster")
      ("village", po::value(&village), "12-digit village code")
      ("county", "every village of the store")
      ("zoom", po::value(&zoom)->default_value(zoom), "zoom or zoom range, e.g. 14-18")
      ("scale", po::value(&scale)->default_value(scale), "1 (256 px) or 2 (@2x, 512 px)")
      ("store", po::value(&store)->default_value(store), "the store the server serves (village extents)")
      ("concurrency", po::value(&concurrency)->default_value(concurrency), "parallel connections");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "minqing seed: %s\n\n", e.what());
    std::cerr << desc << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (vm.count("county") == (vm.count("village") ? 1u : 0u)) {
    std::fprintf(stderr, "minqing seed: name exactly one of --village CODE or --county\n");
    return 2;
  }
  if (scale != 1 && scale != 2) throw RequestError("--scale must be 1 or 2");
  if (concurrency < 1 || concurrency > 64) throw RequestError("--concurrency must be 1 to 64");
  const ServerAddress addr = parse_server(server);
  const auto [zmin, zmax] = parse_zoom_range(zoom);

  std::vector<geo::TileId> tiles;
  for (int z = zmin; z <= zmax; ++z) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
    for (const auto& extent : village_extents(store, village)) {
      for (const auto& t : geo::tiles_covering(extent, z)) {
        if (seen.insert({t.x, t.y}).second) tiles.push_back(t);
      }
    }
  }
  const std::string suffix = scale == 2 ? "@2x.png" : ".png";
  std::printf("seeding %zu tiles of %s, zoom %d-%d, from %s with %u connections\n", tiles.size(), maps.c_str(), zmin,
              zmax, server.c_str(), concurrency);

  std::atomic<std::size_t> next{0}, done{0}, failed{0};
  std::mutex first_failure_mutex;
  std::string first_failure;
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < concurrency; ++w) {
    workers.emplace_back([&] {
      TileFetcher fetcher(addr);
      for (std::size_t i = next++; i < tiles.size(); i = next++) {
        const auto& t = tiles[i];
        const std::string target = "/tiles/" + maps + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
                                   std::to_string(t.y) + suffix;
        const unsigned status = fetcher.get(target);
        if (status != 200) {
          ++failed;
          std::lock_guard lock(first_failure_mutex);
          if (first_failure.empty()) first_failure = target + " → " + (status ? std::to_string(status) : "no answer");
        }
        ++done;
      }
    });
  }
  while (done < tiles.size()) {
    draw_progress(done, tiles.size(), failed, seconds());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (failed > 0 && failed == done && done >= concurrency) break;  // the server refuses everything
  }
  for (auto& w : workers) w.join();
  draw_progress(done, tiles.size(), failed, seconds());
  std::fprintf(stderr, "\n");
  std::printf("seeded %zu tiles in %.1f s (%.0f tiles/s), %zu failed\n", done.load(), seconds(),
              static_cast<double>(done) / std::max(seconds(), 1e-9), failed.load());
  if (failed) {
    std::fprintf(stderr, "minqing seed: first failure: %s\n", first_failure.c_str());
    return 1;
  }
  return 0;
}

}  // namespace minqing::cli
