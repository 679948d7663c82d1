#pragma once
// Values derived from an immutable owner on first use and kept with it: the GeoJSON of a served
// feature's geometry in CRS84 (query/geojson_writer.cpp), which every feature query and identify
// answer would otherwise convert and format again, vertex by vertex, on every request (issue 12:
// that was most of an identify's CPU), and the edge slabs of its geometry (geo/edge_slabs.hpp).
// The owner is immutable once published, so the value never goes stale; a copy of the owner (a
// masked copy, an edited version) starts without it.
//
// Thread-safe: concurrent first users may each make the value; the first to publish wins and the
// others use its value.

#include <atomic>
#include <string>
#include <string_view>

namespace minqing::store {

template <class T>
class LazyValue {
 public:
  LazyValue() noexcept = default;
  LazyValue(const LazyValue&) noexcept {}
  // Only before the owner is published (no reader yet): the value is of the old owner.
  LazyValue& operator=(const LazyValue&) noexcept {
    reset();
    return *this;
  }
  ~LazyValue() { reset(); }

  // The kept value, or make()'s (then kept). An exception from make() keeps nothing.
  template <class Make>
  const T& get(Make&& make) const {
    if (const T* kept = m_value.load(std::memory_order_acquire)) return *kept;
    auto* made = new T(make());
    const T* expected = nullptr;
    if (m_value.compare_exchange_strong(expected, made, std::memory_order_acq_rel)) return *made;
    delete made;
    return *expected;
  }

 private:
  void reset() noexcept { delete m_value.exchange(nullptr); }

  mutable std::atomic<const T*> m_value{nullptr};
};
using LazyText = LazyValue<std::string>;

// The same for text that also depends on a key given by the user (the field list a caller's view
// writes: the properties object of a feature, query/geojson_writer.cpp). One text is kept, for the
// first key asked; other keys are made every time (callers of one access grant mostly share one
// field list, so one slot serves nearly every read).
class KeyedLazyText {
 public:
  KeyedLazyText() noexcept = default;
  KeyedLazyText(const KeyedLazyText&) noexcept {}
  KeyedLazyText& operator=(const KeyedLazyText&) noexcept {
    reset();
    return *this;
  }
  ~KeyedLazyText() { reset(); }

  // Appends the text for `key` to `out`: the kept one when its key is `key`, else make()'s (kept
  // when nothing is kept yet).
  template <class Make>
  void append(std::string& out, std::string_view key, Make&& make) const {
    const Kept* kept = m_kept.load(std::memory_order_acquire);
    if (kept != nullptr && kept->key == key) {
      out += kept->text;
      return;
    }
    auto* made = new Kept{std::string(key), make()};
    out += made->text;
    const Kept* expected = nullptr;
    if (kept != nullptr || !m_kept.compare_exchange_strong(expected, made, std::memory_order_acq_rel)) delete made;
  }

 private:
  struct Kept {
    std::string key, text;
  };
  void reset() noexcept { delete m_kept.exchange(nullptr); }

  mutable std::atomic<const Kept*> m_kept{nullptr};
};

}  // namespace minqing::store
