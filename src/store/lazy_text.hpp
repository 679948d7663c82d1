#pragma once
// Text derived from an immutable value on first use and kept with it: the GeoJSON of a served
// feature's geometry in CRS84 (query/geojson_writer.cpp), which every feature query and identify
// answer would otherwise convert and format again, vertex by vertex, on every request (issue 12:
// that was most of an identify's CPU). The owner is immutable once published, so the text never
// goes stale; a copy of the owner (a masked copy, an edited version) starts without it.
//
// Thread-safe: concurrent first users may each make the text; the first to publish wins and the
// others use its text.

#include <atomic>
#include <string>

namespace minqing::store {

class LazyText {
 public:
  LazyText() noexcept = default;
  LazyText(const LazyText&) noexcept {}
  // Only before the owner is published (no reader yet): the text is of the old value.
  LazyText& operator=(const LazyText&) noexcept {
    reset();
    return *this;
  }
  ~LazyText() { reset(); }

  // The kept text, or make()'s (then kept). An exception from make() keeps nothing.
  template <class Make>
  const std::string& get(Make&& make) const {
    if (const std::string* kept = m_text.load(std::memory_order_acquire)) return *kept;
    auto* made = new std::string(make());
    const std::string* expected = nullptr;
    if (m_text.compare_exchange_strong(expected, made, std::memory_order_acq_rel)) return *made;
    delete made;
    return *expected;
  }

 private:
  void reset() noexcept { delete m_text.exchange(nullptr); }

  mutable std::atomic<const std::string*> m_text{nullptr};
};

}  // namespace minqing::store
