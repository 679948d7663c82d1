#include "server/app.hpp"

#include <algorithm>
#include <future>
#include <set>
#include <thread>
#include <variant>

#include "access/locations.hpp"
#include "access/scope.hpp"
#include "base/error.hpp"
#include "server/audit_endpoint.hpp"
#include "server/auth_endpoint.hpp"
#include "server/backup_endpoint.hpp"
#include "server/evacuation_plan_endpoint.hpp"
#include "server/features_endpoint.hpp"
#include "server/health_endpoint.hpp"
#include "server/identify_endpoint.hpp"
#include "server/layers_endpoint.hpp"
#include "server/legend_endpoint.hpp"
#include "server/nearby_endpoint.hpp"
#include "server/route_endpoint.hpp"
#include "server/search_endpoint.hpp"
#include "server/stats_endpoint.hpp"
#include "server/tile_endpoint.hpp"
#include "server/tile_invalidation.hpp"

namespace minqing::server {

namespace {

std::string text_of(const query::ClassView& view, const store::ServedFeature& f, std::string_view field) {
  const int i = view.def->field_index(field);
  if (i < 0 || static_cast<std::size_t>(i) >= f.feature.values.size()) return {};
  const auto* s = std::get_if<std::string>(&f.feature.values[static_cast<std::size_t>(i)]);
  return s ? *s : std::string{};
}

// The demo area from the store itself, read as the policy's county administrator would: its first
// two villages by code, and the first grid of the first village.
access::DemoArea demo_area(const query::Dataset& data, const access::Policy& policy) {
  const access::Scope admin = access::Scope::for_user(policy, "demo-setup", access::kRoleCountyAdmin, {});
  const query::ScopedReader reader = data.reader(admin);
  std::set<std::string> villages;
  if (const query::ClassView* v = reader.view("villages")) {
    for (const auto& f : reader.all("villages")) {
      if (auto code = text_of(*v, *f, "village_code"); !code.empty()) villages.insert(code);
    }
  }
  if (villages.size() < 2) {
    throw ConfigError("demo accounts need a store with at least two villages; this one has " +
                      std::to_string(villages.size()));
  }
  access::DemoArea area;
  area.first_village = *villages.begin();
  area.second_village = *std::next(villages.begin());
  std::set<std::string> grids;
  if (const query::ClassView* g = reader.view("grids")) {
    for (const auto& f : reader.all("grids")) {
      if (text_of(*g, *f, "village_code") == area.first_village) {
        if (auto id = text_of(*g, *f, "grid_id"); !id.empty()) grids.insert(id);
      }
    }
  }
  if (grids.empty()) throw ConfigError("demo accounts need a grid in village " + area.first_village);
  area.first_grid = *grids.begin();
  return area;
}

}  // namespace

App::App(const AppOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  m_catalog = std::make_unique<model::LayerCatalog>(
      model::LayerCatalog::load_directory(options.layers_dir));
  // Search segments and statistics groupings are built behind the first answers (a request that
  // needs one first builds it or waits for it): tiles and feature queries do not wait for them.
  query::DatasetOptions data_options;
  data_options.engines = query::EngineWarmUp::in_background;
  // The DEMs' headers are read while the store loads (their heights when a tile first needs them).
  auto relief_loading = std::async(std::launch::async, render::ReliefSource::load_directory,
                                   query::Dataset::relief_directory_of(options.store));
  m_data = query::Dataset::open(options.store, *m_catalog, data_options);
  m_editor = std::make_unique<edit::Editor>(*m_data);
  m_styles = std::make_unique<style::StyleSet>(style::StyleSet::load_directory(options.styles_dir, *m_catalog));
  m_relief = relief_loading.get();
  if (options.relief_cache_bytes > 0) m_shaded_relief = std::make_unique<render::ShadedReliefCache>(options.relief_cache_bytes);
  m_renderer = std::make_unique<render::MapRenderer>(*m_styles, m_relief.get(), m_shaded_relief.get());
  m_tile_cache = std::make_unique<TileCache>(options.tile_cache_bytes);
  invalidate_tiles_on_change(*m_data, *m_tile_cache);
  m_policy = std::make_unique<access::Policy>(access::Policy::load(options.policy, *m_catalog));
  const std::filesystem::path auth_path =
      options.auth_db.empty() ? access::default_auth_path(options.store) : options.auth_db;
  const std::filesystem::path audit_path =
      options.audit_log.empty() ? access::default_audit_path(auth_path) : options.audit_log;
  m_auth_db = access::AuthDb::open(auth_path, options.auth);
  m_audit = std::make_unique<access::AuditLog>(
      audit_path, access::AuditOptions{options.durable_audit, options.audit_max_bytes});
  {
    backup::BackupJobOptions b;
    b.sources = backup::StoreFiles::for_store(options.store, auth_path, audit_path);
    b.out = options.backup_dir.empty() ? backup::default_backup_dir(options.store) : options.backup_dir;
    b.keep = options.backup_keep;
    b.every = options.backup_every;
    b.audit = m_audit.get();
    m_backups = std::make_unique<backup::BackupJobs>(std::move(b));
    m_backup_every = options.backup_every;
  }
  if (options.demo_accounts) {
    const access::DemoArea area = demo_area(*m_data, *m_policy);
    access::ensure_demo_accounts(*m_auth_db, area, m_audit.get());
    m_demo = access::demo_accounts(area);
  }
  m_auth = std::make_unique<AuthService>(AuthService{
      *m_policy, *m_catalog, *m_auth_db, *m_audit,
      std::make_shared<const access::Scope>(access::Scope::anonymous(*m_policy)),
      std::make_shared<access::UserScopes>(*m_policy)});
  m_tiles = std::make_unique<TileService>(
      TileService{*m_catalog, *m_data, *m_styles, *m_renderer, *m_tile_cache, {}, m_audit.get()});
  // One core: nothing to share a metatile with, and the bands would only cost their extra work.
  if (options.parallel_tile_draw && std::thread::hardware_concurrency() > 1) {
    m_tiles->draw_pool = std::make_shared<render::DrawPool>();
  }
  m_printer = std::make_unique<print::SheetPrinter>(*m_catalog, *m_styles, *m_renderer);
  m_sheets = std::make_unique<SheetService>(SheetService{*m_catalog, *m_data, *m_printer, m_audit.get()});
  m_queries = std::make_unique<QueryService>(QueryService{*m_catalog, *m_data, m_audit.get(), &m_editor->changes()});
  m_edits = std::make_unique<EditService>(EditService{*m_queries, *m_editor});
  // The DEM's heights make steep roads slower (route/terrain_slope.hpp).
  m_networks = std::make_unique<route::NetworkCache>(*m_data, m_relief ? m_relief->heights() : route::ElevationAt{});
  // A road or hazard zone edited: the next network is built in the background and swapped in.
  m_data->on_change([networks = m_networks.get()](const query::Change& c) {
    if (c.class_name == "roads" || c.class_name == "hazard_zones") networks->rebuild_in_background();
  });
  // The road graph is built at load, in the background (the first route waits for it), then only
  // when roads or hazard zones change.
  m_networks->rebuild_in_background();
  m_web = std::make_unique<WebAssets>(options.web_dist);
  m_load_time = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  register_routes();
  m_handler = RequestHandler(m_router, make_caller_resolver(*m_auth), options.clock);
}

App::~App() = default;

void App::register_routes() {
  add_health_routes(m_router);
  add_auth_routes(m_router, *m_auth);
  add_audit_routes(m_router, *m_audit);
  add_backup_routes(m_router, *m_backups, *m_audit, m_backup_every);
  add_layers_routes(m_router, *m_data);
  add_tile_routes(m_router, *m_tiles);
  add_web_routes(m_router, *m_web);
  add_legend_routes(m_router, *m_queries, *m_styles);
  add_edit_routes(m_router, *m_edits);
  add_feature_routes(m_router, *m_queries, [this](const RequestContext& ctx) { return web_page(ctx, *m_web); });
  add_identify_routes(m_router, *m_queries);
  add_nearby_routes(m_router, *m_queries);
  add_search_routes(m_router, *m_queries);
  add_stats_routes(m_router, *m_queries);
  add_route_routes(m_router, *m_queries, *m_networks);
  add_sheet_routes(m_router, *m_sheets);
  add_evacuation_plan_routes(m_router, *m_queries, *m_networks);
}

std::size_t App::feature_count() const { return m_data->feature_count(); }

}  // namespace minqing::server
