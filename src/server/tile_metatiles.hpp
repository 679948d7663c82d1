#pragma once
// Cold tiles drawn by metatile, as renderd does for mod_tile: a request that misses the tile cache
// draws the tile's whole metatile (render/metatile.hpp) once, and every tile of it goes into the
// cache under its own key — so its siblings, asked for next as the map fills the screen, are hits.
//
// Requests for tiles of a metatile already being drawn (same maps, styles, scope and scale: the same
// cache key but for the tile) wait for that draw and take their tile from it instead of drawing it
// again: an in-flight table keyed by the metatile. A request does not join a draw that started
// before a change touching its tile (it draws afresh), and the draw's tiles enter the cache under
// the cache's own rule (TileCache::put's drawn_at): a change landing during the draw drops, or
// keeps out, exactly the siblings it touches.
//
// Concurrent draws are bounded (each holds a surface of up to 2048 × 2048 × 4 bytes = 16 MB at
// @2x): by default one per hardware thread, whatever the server's thread count; further draws wait
// for a slot.
//
// Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "geo/tile.hpp"
#include "render/metatile.hpp"
#include "server/tile_cache.hpp"

namespace minqing::server {

class MetatileRenders {
 public:
  // At most `max_draws` metatiles drawn at once; 0: one per hardware thread.
  explicit MetatileRenders(std::size_t max_draws = 0);

  // What one cold tile request asks for.
  struct Request {
    geo::TileId tile;             // the tile asked for
    std::uint64_t classes = ~std::uint64_t{0};  // the classes the tile draws (TilePlace::classes)
    std::uint64_t now = 0;        // the data's change sequence, read before anything else
    // The cache key of any tile of the metatile (the same maps, styles, scope and scale).
    std::function<std::string(geo::TileId)> key_of;
    // Draws the metatile: render::render_metatile_pngs for the request's reader and maps. Called at
    // most once per call, on this thread; what it throws reaches every request waiting on it.
    std::function<std::vector<render::TilePng>()> draw;
  };

  // The tile `request.tile`: from a draw of its metatile already under way when one may serve it,
  // else from a new draw, whose tiles are put in `cache` (each with TilePlace{its tile,
  // request.classes} and drawn_at = request.now). Never null.
  // @throws what request.draw throws (also to the requests that waited on it).
  CachedTilePtr tile(TileCache& cache, const Request& request);

  struct Stats {
    std::uint64_t draws = 0;   // metatiles drawn
    std::uint64_t joined = 0;  // requests served by a draw another request started
    std::size_t in_flight = 0; // metatiles being drawn (or waiting for a slot) now
  };
  Stats stats() const;
  std::size_t max_draws() const noexcept { return m_max_draws; }

 private:
  using Tiles = std::vector<std::pair<geo::TileId, CachedTilePtr>>;
  struct Flight {
    std::uint64_t drawn_at = 0;
    std::promise<std::shared_ptr<const Tiles>> promise;
    std::shared_future<std::shared_ptr<const Tiles>> result;
  };

  // Takes one of m_max_draws slots, waiting while all are in use; the returned guard gives it back.
  class Slot;
  Slot acquire();

  std::size_t m_max_draws;
  mutable std::mutex m_mutex;
  std::condition_variable m_slot_freed;
  std::size_t m_slots_used = 0;
  std::unordered_map<std::string, std::shared_ptr<Flight>> m_in_flight;
  std::uint64_t m_draws = 0;
  std::uint64_t m_joined = 0;
};

}  // namespace minqing::server
