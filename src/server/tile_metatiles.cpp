#include "server/tile_metatiles.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <thread>

namespace minqing::server {

class MetatileRenders::Slot {
 public:
  explicit Slot(MetatileRenders& owner) : m_owner(&owner) {}
  Slot(Slot&& other) noexcept : m_owner(other.m_owner) { other.m_owner = nullptr; }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  Slot& operator=(Slot&&) = delete;
  ~Slot() {
    if (!m_owner) return;
    {
      std::lock_guard lock(m_owner->m_mutex);
      --m_owner->m_slots_used;
    }
    m_owner->m_slot_freed.notify_one();
  }

 private:
  MetatileRenders* m_owner;
};

MetatileRenders::MetatileRenders(std::size_t max_draws)
    : m_max_draws(max_draws ? max_draws : std::max(1u, std::thread::hardware_concurrency())) {}

MetatileRenders::Slot MetatileRenders::acquire() {
  std::unique_lock lock(m_mutex);
  m_slot_freed.wait(lock, [this] { return m_slots_used < m_max_draws; });
  ++m_slots_used;
  return Slot(*this);
}

CachedTilePtr MetatileRenders::tile(TileCache& cache, const Request& request) {
  const std::string key = request.key_of(render::metatile_origin(request.tile));
  const TilePlace place{request.tile, request.classes};
  auto pick = [&](const Tiles& tiles) -> CachedTilePtr {
    for (const auto& [id, t] : tiles) {
      if (id == request.tile) return t;
    }
    return nullptr;
  };
  std::shared_ptr<Flight> flight;
  {
    std::unique_lock lock(m_mutex);
    if (auto it = m_in_flight.find(key); it != m_in_flight.end()) {
      // A draw that read the data before a change touching this tile would show the tile as it was
      // before a change the caller may already have been told about: draw afresh instead.
      const std::shared_ptr<Flight> other = it->second;
      if (!(other->drawn_at < request.now && cache.changed_since(place, other->drawn_at))) {
        ++m_joined;
        lock.unlock();
        if (CachedTilePtr t = pick(*other->result.get())) return t;  // get() rethrows the draw's error
      }
    }
    if (!lock.owns_lock()) lock.lock();
    flight = std::make_shared<Flight>();
    flight->drawn_at = request.now;
    flight->result = flight->promise.get_future().share();
    m_in_flight[key] = flight;  // replaces a stale draw's entry: later requests join this one
  }
  auto leave = [&] {
    std::lock_guard lock(m_mutex);
    if (auto it = m_in_flight.find(key); it != m_in_flight.end() && it->second == flight) m_in_flight.erase(it);
  };
  std::shared_ptr<Tiles> tiles;
  try {
    const Slot slot = acquire();
    std::vector<render::TilePng> pngs = request.draw();
    tiles = std::make_shared<Tiles>();
    tiles->reserve(pngs.size());
    for (auto& p : pngs) {
      auto t = std::make_shared<CachedTile>();
      t->body = cache.keep(std::move(p.png));
      t->etag = make_etag(t->body);
      tiles->emplace_back(p.tile, std::move(t));
    }
    {
      std::lock_guard lock(m_mutex);
      ++m_draws;
    }
  } catch (...) {
    leave();
    flight->promise.set_exception(std::current_exception());
    throw;
  }
  // Into the cache before the entry leaves the table: a request arriving in between finds one or
  // the other. Each tile under its own key and place; put() refuses those a change has touched since.
  for (const auto& [id, t] : *tiles) cache.put(request.key_of(id), TilePlace{id, request.classes}, t, request.now);
  leave();
  flight->promise.set_value(tiles);
  if (CachedTilePtr t = pick(*tiles)) return t;
  throw std::logic_error("a metatile's draw did not hold the tile asked for");
}

MetatileRenders::Stats MetatileRenders::stats() const {
  std::lock_guard lock(m_mutex);
  return {m_draws, m_joined, m_in_flight.size()};
}

}  // namespace minqing::server
