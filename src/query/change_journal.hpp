#pragma once
// The change journal: every change applied to the served data (Dataset::apply_committed, and the
// re-derivations it causes), numbered by one monotonically increasing sequence, with where it
// happened — the feature's extent before and after, in EPSG:3857. What is cached by place (tiles)
// is invalidated from it: a cache remembers the sequence it drew at and drops what a later change
// touches, instead of keying on a class's data version (which a one-house edit moves for the whole
// county).
//
// The journal keeps the last `capacity` changes; older ones are forgotten (since() says so).
// Thread-safe: one writer appends, any number of threads read.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/coord.hpp"

namespace minqing::query {

struct Change {
  std::uint64_t sequence = 0;  // 1, 2, 3…: the order in which readers saw the changes
  std::string class_name;
  std::int64_t fid = 0;
  geo::BBox old_extent;  // EPSG:3857; empty when the feature was inserted
  geo::BBox new_extent;  // EPSG:3857; empty when the feature was deleted
};

class ChangeJournal {
 public:
  explicit ChangeJournal(std::size_t capacity = 4096) : m_capacity(capacity ? capacity : 1) {}

  // Numbers `change` with the next sequence, keeps it and returns it numbered.
  Change append(Change change);

  // The sequence of the last change appended; 0 before any. Read it before reading the data a
  // cached answer is made from: every change the answer may have missed has a larger sequence.
  std::uint64_t sequence() const noexcept { return m_sequence.load(std::memory_order_acquire); }

  // The changes numbered after `sequence`, oldest first; nullopt when some of them are no longer
  // kept (the caller must assume they touched everything).
  std::optional<std::vector<Change>> since(std::uint64_t sequence) const;

 private:
  const std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::deque<Change> m_changes;  // ascending sequence, at most m_capacity
  std::atomic<std::uint64_t> m_sequence{0};
};

}  // namespace minqing::query
