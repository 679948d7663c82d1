#include "server/app.hpp"

#include "server/features_endpoint.hpp"
#include "server/health_endpoint.hpp"
#include "server/layers_endpoint.hpp"
#include "server/tile_endpoint.hpp"

namespace minqing::server {

App::App(const AppOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  m_catalog = std::make_unique<model::LayerCatalog>(
      model::LayerCatalog::load_directory(options.layers_dir));
  m_store = std::make_unique<store::FeatureStore>(
      store::FeatureStore::open(options.store, *m_catalog, store::FeatureStore::Mode::read_only));
  m_index = store::ServingIndex::load(*m_store);
  m_styles = std::make_unique<style::StyleSet>(style::StyleSet::load_directory(options.styles_dir, *m_catalog));
  m_relief = render::ReliefSource::load_directory(m_store->relief_directory());
  m_renderer = std::make_unique<render::MapRenderer>(*m_index, *m_styles, m_relief.get());
  m_tile_cache = std::make_unique<TileCache>(options.tile_cache_bytes);
  m_tiles = std::make_unique<TileService>(TileService{*m_catalog, *m_index, *m_styles, *m_renderer, *m_tile_cache, {}});
  m_load_time = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  register_routes();
}

App::~App() = default;

void App::register_routes() {
  add_health_routes(m_router);
  add_layers_routes(m_router, *m_catalog, *m_index);
  add_tile_routes(m_router, *m_tiles);
  add_feature_routes(m_router, *m_catalog, *m_index);
}

std::size_t App::feature_count() const {
  std::size_t n = 0;
  for (const auto& c : m_catalog->classes()) n += m_index->size(c.name);
  return n;
}

}  // namespace minqing::server
