// `minqing serve`: load the store and serve it over HTTP until SIGINT/SIGTERM.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/program_options.hpp>

#include "base/error.hpp"
#include "access/demo_accounts.hpp"
#include "backup/store_lock.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/layer_catalog.hpp"
#include "style/style.hpp"
#include "server/access_log.hpp"
#include "server/app.hpp"
#include "server/http_server.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

namespace {

struct ListenAddress {
  std::string host;  // as given, for messages
  boost::asio::ip::address address;
  unsigned short port = 0;
};

// "HOST:PORT" or "[IPv6]:PORT"; HOST may be a name, resolved here.
ListenAddress parse_listen(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return ConfigError("--listen \"" + text + "\": " + why +
                       " (expected HOST:PORT, e.g. 127.0.0.1:8080)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw bad("no host or port");
  ListenAddress out;
  out.host = text.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
    throw bad("the port must be a number from 0 to 65535");
  }
  out.port = static_cast<unsigned short>(std::stoul(port));
  boost::system::error_code ec;
  out.address = boost::asio::ip::make_address(out.host, ec);
  if (ec) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::resolver resolver(ioc);
    const auto results = resolver.resolve(out.host, port, ec);
    if (ec || results.empty()) throw bad("cannot resolve host \"" + out.host + "\"");
    out.address = results.begin()->endpoint().address();
  }
  return out;
}

// "24h", "30m", "90s", "7d" → seconds; anything else is a ConfigError naming the option.
std::chrono::seconds parse_period(const std::string& text) {
  const auto bad = [&] {
    return ConfigError("--backup-every \"" + text + "\": expected a number and a unit, e.g. 24h, 30m, 7d, 3600s");
  };
  if (text.size() < 2 || text.size() > 12) throw bad();
  const std::string digits = text.substr(0, text.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) throw bad();
  const long long n = std::stoll(digits);
  long long unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: throw bad();
  }
  if (n <= 0 || n > 366LL * 86400 / unit) throw bad();
  return std::chrono::seconds(n * unit);
}

std::string url_host(const boost::asio::ip::address& a) {
  return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
}

}  // namespace

// The largest MiB figure an option takes: 16 TiB, far past any machine, short of wrapping around.
constexpr std::size_t kMaxMegabytes = std::size_t{1} << 24;

int run_serve(const Args& args) {
  std::string listen = "127.0.0.1:8080";
  std::string store = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  std::string layers = model::LayerCatalog::default_directory().string();
  std::string styles = style::StyleSet::default_directory().string();
  std::string web = server::default_web_dist().string();
  std::size_t cache_mb = 256;
  std::size_t relief_mb = server::AppOptions{}.relief_cache_bytes >> 20;
  unsigned threads = 0;
  std::string auth_db;
  std::string audit_log;
  std::uint64_t audit_max_mb = access::AuditOptions{}.max_bytes >> 20;
  std::string backup_dir;
  std::string backup_every;
  std::size_t backup_keep = server::AppOptions{}.backup_keep;

  po::options_description desc("minqing serve [options]");
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("listen", po::value(&listen)->value_name("HOST:PORT")->default_value(listen),
       "address and port to listen on (port 0: any free port)")
      ("store", po::value(&store)->value_name("FILE")->default_value(store), "the feature store (GeoPackage)")
      ("layers", po::value(&layers)->value_name("DIR")->default_value(layers),
       "the layer definitions (layers/*.json)")
      ("styles", po::value(&styles)->value_name("DIR")->default_value(styles), "the map styles (styles/*.json)")
      ("web", po::value(&web)->value_name("DIR")->default_value(web),
       "the built web map answered at / to browsers (web/dist: npm ci && npm run build in web/)")
      ("cache-mb", po::value(&cache_mb)->value_name("MB")->default_value(cache_mb),
       "memory for rendered tiles, in MiB (0: no cache)")
      ("relief-mb", po::value(&relief_mb)->value_name("MB")->default_value(relief_mb),
       "memory for shaded relief kept across tile draws, in MiB (0: shade every draw anew)")
      ("threads", po::value(&threads)->value_name("N"), "io threads, each with its own connections (default: one per core, at least 2); as many more answer the slow requests (sheets, plans, edits, logins, backups, cold tile draws: every route not registered quick)")
      ("auth", po::value(&auth_db)->value_name("FILE"),
       "the auth database (default: <store>.auth.sqlite)")
      ("audit", po::value(&audit_log)->value_name("FILE"),
       "the audit log (default: <store>.audit.jsonl beside the auth database)")
      ("audit-max-mb", po::value(&audit_max_mb)->value_name("MB")->default_value(audit_max_mb),
       "rotate the audit log to <name>.N.jsonl past this size, in MiB (0: never)")
      ("backup-dir", po::value(&backup_dir)->value_name("DIR"),
       "where POST /api/backups and --backup-every put backups (default: <store dir>/<store stem>.backups)")
      ("backup-every", po::value(&backup_every)->value_name("PERIOD"),
       "take a backup every PERIOD (24h, 30m, 7d …), the first one PERIOD after start")
      ("backup-keep", po::value(&backup_keep)->value_name("N")->default_value(backup_keep),
       "after each backup keep only the newest N in the backup directory (0: keep all)")
      ("demo", "create the demo accounts (password minqing-demo) for the store's first villages; "
               "for serving the committed sample only")
      ("public", "allow a non-loopback --listen address (the maps become reachable from the network)");
  // clang-format on
  po::variables_map vm;
  try {
    const po::parsed_options parsed = po::command_line_parser(args).options(desc).run();
    refuse_negative_counts(parsed, desc);
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "minqing serve: %s\n\n", e.what());
    std::cerr << desc;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "Serve the map store over HTTP until SIGINT or SIGTERM.\n\n" << desc;
    return 0;
  }

  for (const auto& [name, mb] : {std::pair{"cache-mb", cache_mb}, std::pair{"relief-mb", relief_mb},
                                  std::pair{"audit-max-mb", static_cast<std::size_t>(audit_max_mb)}}) {
    if (mb > kMaxMegabytes) {  // past this, MiB << 20 would wrap around to a small number
      std::fprintf(stderr, "minqing serve: --%s %zu: expected at most %zu MiB\n", name, mb, kMaxMegabytes);
      return 2;
    }
  }
  if (threads > 256) {
    std::fprintf(stderr, "minqing serve: --threads %u: expected a number from 1 to 256\n", threads);
    return 2;
  }
  const ListenAddress where = parse_listen(listen);
  const std::chrono::seconds every = backup_every.empty() ? std::chrono::seconds(0) : parse_period(backup_every);
  if (!where.address.is_loopback() && !vm.count("public")) {
    std::fprintf(stderr,
                 "minqing serve: refusing to listen on %s: it is not a loopback address, so the maps "
                 "would be reachable from the network. Pass --public to do so deliberately, or listen "
                 "on 127.0.0.1.\n",
                 where.address.to_string().c_str());
    return 2;
  }

  server::AppOptions app_options{store, layers};
  app_options.styles_dir = styles;
  app_options.web_dist = web;
  app_options.tile_cache_bytes = cache_mb << 20;
  app_options.relief_cache_bytes = relief_mb << 20;
  app_options.auth_db = auth_db;
  app_options.audit_log = audit_log;
  app_options.audit_max_bytes = audit_max_mb << 20;
  app_options.demo_accounts = vm.count("demo") > 0;
  app_options.backup_dir = backup_dir;
  app_options.backup_keep = backup_keep;
  app_options.backup_every = every;
  // Held while serving: `minqing restore` refuses to swap the files of a store being served.
  std::optional<backup::StoreLock> serving;
  if (std::filesystem::is_regular_file(store)) {
    serving = backup::StoreLock::shared(store);
    if (!serving) {
      std::fprintf(stderr, "minqing serve: warning: cannot create %s; `minqing restore` will not see that this "
                           "store is being served\n", backup::lock_path(store).c_str());
    }
  }
  const server::App app(app_options);
  const server::AccessLog access_log(stderr);
  server::ServerOptions options;
  options.address = where.address.to_string();
  options.port = where.port;
  options.threads = threads;
  options.access_log = &access_log;
  server::HttpServer http(options, app.handler());
  http.listen();
  http.stop_on_signals();
  std::printf(
      "Minqing Map serving %s at http://%s:%u/ (%zu features in %zu classes, loaded in %lld ms)\n",
      app.store_location().c_str(), url_host(where.address).c_str(),
      static_cast<unsigned>(http.port()), app.feature_count(), app.catalog().classes().size(),
      static_cast<long long>(app.load_time().count()));
  if (!app.web().available()) {
    std::printf("The web map is not built (no %s/index.html): browsers get a page saying how to build "
                "it. Build it with: cd web && npm ci && npm run build\n",
                app.web().directory().string().c_str());
  }
  if (!app.demo_accounts().empty()) {
    std::printf("Demo accounts (password \"%s\"; sign in with POST /api/login):\n", access::kDemoPassword);
    for (const auto& a : app.demo_accounts()) {
      std::string area_text;
      if (!a.assignment.township.empty()) area_text += " township " + a.assignment.township;
      if (!a.assignment.village_code.empty()) area_text += " village " + a.assignment.village_code;
      for (const auto& g : a.assignment.grid_ids) area_text += " grid " + g;
      std::printf("  %-9s %s%s\n", a.username.c_str(), a.role.c_str(), area_text.c_str());
    }
  }
  std::fflush(stdout);
  http.run();
  std::fprintf(stderr, "minqing serve: stopped\n");
  return 0;
}

}  // namespace minqing::cli
