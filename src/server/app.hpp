#pragma once
// The application behind `minqing serve`: the layer catalog, the map data (query::Dataset: the
// store and everything loaded from it, read only through a caller's query::ScopedReader), and the
// router with every endpoint registered.
// An endpoint lives in its own server/<name>_endpoint.{hpp,cpp} as
//   void add_<name>_routes(Router&, <what it needs from the app, by reference>);
// and is registered by one line in App::register_routes().

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "access/audit_log.hpp"
#include "access/auth_db.hpp"
#include "access/demo_accounts.hpp"
#include "access/policy.hpp"
#include "backup/backup_jobs.hpp"
#include "edit/editor.hpp"
#include "model/layer_catalog.hpp"
#include "query/dataset.hpp"
#include "server/http_types.hpp"
#include "server/request_handler.hpp"
#include "render/map_renderer.hpp"
#include "render/relief_source.hpp"
#include "render/shaded_relief_cache.hpp"
#include "server/auth_endpoint.hpp"
#include "server/edit_endpoint.hpp"
#include "route/network_cache.hpp"
#include "server/query_service.hpp"
#include "server/router.hpp"
#include "server/sheet_endpoint.hpp"
#include "server/tile_cache.hpp"
#include "server/tile_endpoint.hpp"
#include "server/web_assets.hpp"
#include "style/style.hpp"

namespace minqing::server {

struct AppOptions {
  std::string store;                 // a GeoPackage path, or a later "PG:…" connection string
  std::filesystem::path layers_dir;  // the layers/*.json directory
  std::filesystem::path styles_dir = style::StyleSet::default_directory();
  // The built web map (web/dist: `npm run build` in web/); answered at / to browsers and under
  // /assets/. Missing: browsers get a page saying how to build it.
  std::filesystem::path web_dist = default_web_dist();
  std::size_t tile_cache_bytes = std::size_t{256} << 20;
  // The shaded relief kept across tile draws, whatever the maps or the caller
  // (render/shaded_relief_cache.hpp): a metatile at @1x keeps up to 4 MB (less where it is not all
  // over a DEM); the 1,158 tiles z14–z18 of the 20-village race keep 279 MB; 0: none kept.
  std::size_t relief_cache_bytes = std::size_t{512} << 20;
  // A cold metatile drawn in bands on every core (render/draw_pool.hpp, TileService::draw_pool);
  // false: on the requesting thread alone (benchmarks compare the two).
  bool parallel_tile_draw = true;
  std::filesystem::path policy = access::Policy::default_path();
  std::filesystem::path auth_db{};    // empty: access::default_auth_path(store)
  std::filesystem::path audit_log{};  // empty: access::default_audit_path(auth_db)
  access::AuthOptions auth{};         // password cost, lockout, session lifetime
  bool durable_audit = true;        // fdatasync every audit entry
  std::uint64_t audit_max_bytes = access::AuditOptions{}.max_bytes;  // rotate past this; 0: never
  // Backups (POST/GET /api/backups, server/backup_endpoint.hpp): where they go (empty:
  // backup::default_backup_dir(store)), how many to keep after each (0: all), and how often to
  // take one unasked (0: never).
  std::filesystem::path backup_dir{};
  std::size_t backup_keep = 7;
  std::chrono::seconds backup_every{0};
  // Demo mode (serving the committed sample only): creates the demo accounts of
  // access/demo_accounts.hpp for the store's first two villages and a grid of the first.
  bool demo_accounts = false;
  // The wall clock for session expiry, login lockout and audit stamps, read once per request.
  // Tests substitute a clock they move forward and back; production keeps system_clock::now.
  WallClock clock = [] { return std::chrono::system_clock::now(); };
};

// Not copyable or movable (the routes refer to its members). handle() and the accessors are
// thread-safe once constructed.
class App {
 public:
  // Loads the catalog and styles, reads the store (the serving index, the village DEMs and the
  // history of changes; the store is opened for writing at the first write); loads the access policy, opens the auth database and the audit log.
  // @throws ConfigError for a bad layers or styles directory or policy, or demo mode over a store
  // with fewer than two villages; StoreError when the store, the auth database or the audit log
  // cannot be opened or read, ProjError when its CRS cannot be transformed to EPSG:3857.
  explicit App(const AppOptions& options);
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  ~App();

  // The complete answer to `req` (see RequestHandler::handle). Never throws.
  Response handle(const Request& req, std::string_view peer = {}) const noexcept {
    return m_handler.handle(req, peer);
  }
  const RequestHandler& handler() const noexcept { return m_handler; }
  // Every route registered, with its pace (tests: each route is quick or slow deliberately).
  const Router& router() const noexcept { return m_router; }

  const model::LayerCatalog& catalog() const noexcept { return *m_catalog; }
  const query::Dataset& data() const noexcept { return *m_data; }
  // The same, for applying committed changes (Dataset::apply_committed): the write path and tests.
  query::Dataset& data_for_edits() noexcept { return *m_data; }
  // The raw index, unscoped: for tests and the command line only (never for a request).
  const store::ServingIndex& index() const noexcept { return m_data->unscoped_index(); }
  const std::string& store_location() const noexcept { return m_data->location(); }
  const style::StyleSet& styles() const noexcept { return *m_styles; }
  const WebAssets& web() const noexcept { return *m_web; }
  TileCache& tile_cache() const noexcept { return *m_tile_cache; }
  // The shaded relief kept across tile draws; null when AppOptions::relief_cache_bytes is 0.
  const render::ShadedReliefCache* shaded_relief() const noexcept { return m_shaded_relief.get(); }
  const access::Policy& policy() const noexcept { return *m_policy; }
  access::AuthDb& auth_db() const noexcept { return *m_auth_db; }
  access::AuditLog& audit_log() const noexcept { return *m_audit; }
  // The road network behind /api/route (tests: it is built at load and on data changes only).
  const route::NetworkCache& networks() const noexcept { return *m_networks; }
  // The backups this server takes (on request and on schedule).
  backup::BackupJobs& backups() const noexcept { return *m_backups; }
  // Writes to the map data (server/edit_endpoint.hpp) and their history.
  edit::Editor& editor() const noexcept { return *m_editor; }
  // Demo mode: the demo accounts (created now or before); empty otherwise.
  const std::vector<access::DemoAccount>& demo_accounts() const noexcept { return m_demo; }

  // Features held in the serving index, over all classes.
  std::size_t feature_count() const;
  // Time the constructor spent loading the catalog, store and index.
  std::chrono::milliseconds load_time() const noexcept { return m_load_time; }

 private:
  void register_routes();

  // Declaration order matters: the dataset refers to the catalog.
  std::unique_ptr<model::LayerCatalog> m_catalog;
  std::unique_ptr<query::Dataset> m_data;
  std::unique_ptr<edit::Editor> m_editor;
  std::unique_ptr<style::StyleSet> m_styles;
  std::unique_ptr<render::ReliefSource> m_relief;
  std::unique_ptr<render::ShadedReliefCache> m_shaded_relief;  // of m_relief only: made and dropped with it
  std::unique_ptr<render::MapRenderer> m_renderer;
  std::unique_ptr<TileCache> m_tile_cache;
  std::unique_ptr<access::Policy> m_policy;
  std::unique_ptr<access::AuthDb> m_auth_db;
  std::unique_ptr<access::AuditLog> m_audit;
  std::unique_ptr<backup::BackupJobs> m_backups;  // after m_audit: stopped before the log closes
  std::chrono::seconds m_backup_every{0};
  std::vector<access::DemoAccount> m_demo;
  std::unique_ptr<AuthService> m_auth;
  std::unique_ptr<TileService> m_tiles;
  std::unique_ptr<print::SheetPrinter> m_printer;
  std::unique_ptr<SheetService> m_sheets;
  std::unique_ptr<QueryService> m_queries;
  std::unique_ptr<EditService> m_edits;
  std::unique_ptr<route::NetworkCache> m_networks;
  std::unique_ptr<WebAssets> m_web;
  Router m_router;
  RequestHandler m_handler{m_router};
  std::chrono::milliseconds m_load_time{0};
};

}  // namespace minqing::server
