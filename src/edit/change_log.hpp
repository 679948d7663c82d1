#pragma once
// Every change committed to the store's features, in memory: what the history endpoint, the
// change feed and the ETags read, without touching the file (reads never wait on the writer). It
// is loaded from the store's history table at start-up and appended to after each commit, so it
// always equals the table.
//
// A feature's version is the version of its last change; a feature never changed since import is
// at version 1 (kBaseVersion). Versions count changes, nothing about the content: an ETag built
// from them confirms no guess about a masked or hidden value.
//
// Thread-safe: any number of readers, one writer at a time (the Editor).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/feature.hpp"

namespace minqing::edit {

inline constexpr std::uint64_t kBaseVersion = 1;

// One committed change. States are in the store CRS; null: the feature did not exist (before an
// insert) or no longer does (after a delete).
struct Change {
  std::int64_t seq = 0;
  std::string class_name;
  std::int64_t fid = 0;
  std::uint64_t version = 0;
  std::string op;  // insert | update | delete | revert
  std::string user;
  std::string time;  // ISO 8601 UTC with milliseconds
  std::string request_id;
  std::shared_ptr<const model::Feature> before;
  std::shared_ptr<const model::Feature> after;
};
using ChangePtr = std::shared_ptr<const Change>;

class ChangeLog {
 public:
  // Appends a change (seq increasing). Called by the Editor after the commit.
  void add(ChangePtr change);

  // The feature's current version: that of its last change, or kBaseVersion.
  std::uint64_t version(std::string_view class_name, std::int64_t fid) const;
  // The feature's changes, oldest first.
  std::vector<ChangePtr> of_feature(std::string_view class_name, std::int64_t fid) const;
  // Calls `visit` for every change with seq > `after_seq`, in seq order, until it returns false.
  // The changes visited are those held when the call began.
  void scan(std::int64_t after_seq, const std::function<bool(const ChangePtr&)>& visit) const;
  // The first seq of a change made at or after `iso_time` (same form as Change::time), or the
  // next seq to come when there is none.
  std::int64_t first_seq_at(std::string_view iso_time) const;
  std::int64_t last_seq() const;
  std::size_t size() const;

 private:
  mutable std::shared_mutex m_mutex;
  std::vector<ChangePtr> m_changes;  // seq order
  std::map<std::pair<std::string, std::int64_t>, std::vector<ChangePtr>, std::less<>> m_by_feature;
};

}  // namespace minqing::edit
