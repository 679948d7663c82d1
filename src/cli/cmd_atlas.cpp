// `minqing atlas --store FILE --villages all|CODE,… --maps all|… [--paper A3] --out DIR [--as USER]
// [--jobs N]` — the village atlas: every sheet as a PDF plus one PDF per village, on all cores,
// resumable (print/atlas.hpp).

#include <unistd.h>

#include <chrono>
#include <future>
#include <cstdio>
#include <iostream>
#include <set>
#include <thread>

#include <boost/program_options.hpp>

#include "access/audit_log.hpp"
#include "access/auth_db.hpp"
#include "access/locations.hpp"
#include "access/policy.hpp"
#include "access/scope.hpp"
#include "base/error.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/layer_catalog.hpp"
#include "print/atlas.hpp"
#include "query/dataset.hpp"
#include "render/map_renderer.hpp"
#include "render/relief_source.hpp"
#include "style/style.hpp"

namespace minqing::cli {

namespace po = boost::program_options;

namespace {

// The codes of every village `reader` sees, sorted.
std::vector<std::string> all_villages(const query::ScopedReader& reader) {
  std::set<std::string> codes;
  const query::ClassView* view = reader.view("villages");
  if (!view) return {};
  const int field = view->def->field_index("village_code");
  for (const auto& f : reader.all("villages")) {
    if (field < 0) break;
    if (const auto* s = std::get_if<std::string>(&f->feature.values[static_cast<std::size_t>(field)])) codes.insert(*s);
  }
  return {codes.begin(), codes.end()};
}

// A progress bar on a terminal, plain lines (every 5%) otherwise.
class ProgressPrinter {
 public:
  ProgressPrinter() : m_tty(isatty(STDERR_FILENO) != 0), m_start(std::chrono::steady_clock::now()) {}

  void operator()(const print::AtlasProgress& p) {
    const double s = seconds();
    if (m_tty) {
      constexpr int kWidth = 32;
      const int filled = static_cast<int>(kWidth * p.done / std::max<std::size_t>(p.total, 1));
      std::fprintf(stderr, "\r[%s%s] %zu/%zu (%zu skipped) %.1f s  ", std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, '.').c_str(), p.done, p.total, p.skipped, s);
      if (p.done == p.total) std::fputc('\n', stderr);
    } else {
      const std::size_t step = std::max<std::size_t>(p.total / 20, 1);
      if (p.done % step == 0 || p.done == p.total) {
        std::fprintf(stderr, "atlas: %zu/%zu files (%zu skipped), %.1f s, last %s\n", p.done, p.total, p.skipped, s,
                     p.last.c_str());
      }
    }
    std::fflush(stderr);
  }

  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  }

 private:
  bool m_tty;
  std::chrono::steady_clock::time_point m_start;
};

}  // namespace

int run_atlas(const Args& args) {
  std::string store_path = std::string(MINQING_SOURCE_DIR) + "/data-samples/songyang-sample.gpkg";
  std::string layers_dir = model::LayerCatalog::default_directory().string();
  std::string styles_dir = style::StyleSet::default_directory().string();
  std::string policy_path = access::Policy::default_path().string();
  std::string villages_arg = "all", maps_arg = "all", paper, orientation, out, as_user, auth_path, audit_path;
  int scale = 0;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  po::options_description desc(
      "minqing atlas --store FILE [--villages all|CODE,…] [--maps all|MAP,…] [--paper A3] --out DIR [--as USER]\n\n"
      "Prints the village atlas: one PDF per sheet (DIR/<code>/<code>-<map>.pdf) and one per village\n"
      "(DIR/<code>.pdf), on --jobs threads. A sheet whose data, options and styles did not change since\n"
      "the last run into DIR is skipped (DIR/atlas-manifest.json). Printed as the county administrator,\n"
      "or as what account --as may see (its role and area from the auth database).\n\noptions");
  desc.add_options()("help,h", "show this help")                                                          //
      ("store", po::value(&store_path)->default_value(store_path), "the feature store")                  //
      ("villages", po::value(&villages_arg)->default_value(villages_arg), "all, or village codes joined by commas")  //
      ("maps", po::value(&maps_arg)->default_value(maps_arg), "all (every map the printer may see), or map names")  //
      ("paper", po::value(&paper), "A4 or A3 (default: chosen per village)")                               //
      ("orientation", po::value(&orientation), "portrait or landscape (default: chosen per village)")      //
      ("scale", po::value(&scale), "a round scale denominator, e.g. 5000 (default: chosen per village)")   //
      ("out", po::value(&out)->required(), "output directory")                                            //
      ("as", po::value(&as_user), "print what this account may see")                                      //
      ("jobs,j", po::value(&jobs)->default_value(jobs), "threads")                                        //
      ("auth", po::value(&auth_path), "the auth database (default: <store>.auth.sqlite)")                 //
      ("audit", po::value(&audit_path), "the audit log (default: beside the auth database)")              //
      ("layers", po::value(&layers_dir)->default_value(layers_dir), "layer definition directory")        //
      ("styles", po::value(&styles_dir)->default_value(styles_dir), "style directory")                   //
      ("policy", po::value(&policy_path)->default_value(policy_path), "access policy file");
  po::variables_map vm;
  if (const auto stop = parse_options("atlas", desc, args, vm)) return *stop;
  print::AtlasRequest request;
  request.out = out;
  request.jobs = jobs;
  if (jobs < 1 || jobs > 256) {
    std::fprintf(stderr, "minqing atlas: --jobs must be in [1, 256]\n");
    return 2;
  }
  if (vm.count("paper") && !(request.options.paper = print::parse_paper(paper))) {
    std::fprintf(stderr, "minqing atlas: --paper must be A4 or A3, not \"%s\"\n", paper.c_str());
    return 2;
  }
  if (vm.count("orientation") && !(request.options.orientation = print::parse_orientation(orientation))) {
    std::fprintf(stderr, "minqing atlas: --orientation must be portrait or landscape\n");
    return 2;
  }
  if (vm.count("scale")) {
    if (!print::is_round_scale(scale)) {
      std::fprintf(stderr, "minqing atlas: --scale %d is not a round scale (2000, 5000, 10000 …)\n", scale);
      return 2;
    }
    request.options.scale = scale;
  }

  const auto catalog = model::LayerCatalog::load_directory(layers_dir);
  const auto styles = style::StyleSet::load_directory(styles_dir, catalog);
  const auto policy = access::Policy::load(policy_path, catalog);
  // The DEMs' headers are read while the store loads (both on a few threads); the heights, when a
  // sheet first needs them. The atlas neither searches nor counts: no search index or statistics.
  auto relief_loading = std::async(std::launch::async, render::ReliefSource::load_directory,
                                   query::Dataset::relief_directory_of(store_path));
  query::DatasetOptions data_options;
  data_options.engines = query::EngineWarmUp::on_first_use;
  const auto data = query::Dataset::open(store_path, catalog, data_options);
  const auto relief = relief_loading.get();
  if (auth_path.empty()) auth_path = access::default_auth_path(store_path).string();
  if (audit_path.empty()) audit_path = access::default_audit_path(auth_path).string();

  std::optional<access::Scope> scope;
  if (as_user.empty()) {
    scope = access::Scope::for_user(policy, "atlas", access::kRoleCountyAdmin, {});
  } else {
    const auto db = access::AuthDb::open(auth_path);
    const auto user = db->find_user(as_user);
    if (!user || user->disabled) {
      std::fprintf(stderr, "minqing atlas: --as: no active account \"%s\" in %s\n", as_user.c_str(), auth_path.c_str());
      return 2;
    }
    scope = access::Scope::for_user(policy, user->username, user->role, user->assignment);
  }
  const query::ScopedReader reader = data->reader(*scope);
  const render::MapRenderer renderer(styles, relief.get());
  const print::SheetPrinter printer(catalog, styles, renderer);

  request.villages = villages_arg == "all" ? all_villages(reader) : split_list(villages_arg);
  for (const auto& v : request.villages) {
    if (!print::village_exists(reader, v)) {
      std::fprintf(stderr, "minqing atlas: --villages: no village %s in %s\n", v.c_str(), store_path.c_str());
      return 2;
    }
  }
  request.maps = maps_arg == "all" ? printer.visible_maps(reader) : split_list(maps_arg);
  for (const auto& m : request.maps) {
    if (!catalog.find_map(m) || !styles.find(m) || !scope->may_see_map(m)) {
      std::fprintf(stderr, "minqing atlas: --maps: no map \"%s\" that %s may see\n", m.c_str(),
                   as_user.empty() ? "the county administrator" : as_user.c_str());
      return 2;
    }
  }
  if (request.villages.empty() || request.maps.empty()) {
    std::fprintf(stderr, "minqing atlas: nothing to print (no village or no map)\n");
    return 2;
  }
  // Printing the confidential map is recorded like reading it over HTTP: once per run and map.
  for (const auto& m : request.maps) {
    if (!catalog.find_map(m)->confidential) continue;
    access::AuditLog audit(audit_path);
    audit.append(access::AuditRecord{scope->user(), "cli", access::audit_action::key_persons_sheet,
                                     {{"map", m}, {"villages", request.villages}, {"out", out}}},
                 std::chrono::system_clock::now());
  }

  ProgressPrinter progress;
  const auto stamp = print::SheetStamp::at(scope->user(), std::chrono::system_clock::now());
  const print::AtlasResult r =
      print::run_atlas(printer, reader, request, stamp, [&](const print::AtlasProgress& p) { progress(p); });
  const double s = progress.seconds();
  std::printf("atlas: %zu villages × %zu maps into %s: %zu sheets written, %zu skipped; %zu village PDFs written, "
              "%zu skipped; %zu pages in %.1f s (%.1f pages/s, %d threads)\n",
              request.villages.size(), request.maps.size(), out.c_str(), r.sheets_written, r.sheets_skipped,
              r.villages_written, r.villages_skipped, r.pages, s, s > 0 ? r.pages / s : 0.0, jobs);
  return 0;
}

}  // namespace minqing::cli
