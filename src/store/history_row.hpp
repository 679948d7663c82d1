#pragma once
// One row of a store's history table (minqing_history): a change to one feature, as it was
// committed together with the change itself. The before/after states are JSON text (edit/
// feature_record.hpp writes and reads them); the store keeps them as they come.

#include <cstdint>
#include <string>

namespace minqing::store {

// The name of the history table in a GeoPackage.
inline constexpr const char* kHistoryTable = "minqing_history";

struct HistoryRow {
  std::int64_t seq = 0;       // the table's fid: increases with every change, never reused
  std::string class_name;
  std::int64_t fid = 0;       // the changed feature's store id
  std::int64_t version = 0;   // the feature's version after the change (its first is 1)
  std::string op;             // "insert", "update", "delete" or "revert"
  std::string user;           // who made it
  std::string time;           // ISO 8601 UTC, "2026-12-01T20:45:00.123Z"
  std::string request_id;     // the request that made it (X-Request-Id, or one the server made)
  std::string before;         // JSON of the feature before; "" for an insert
  std::string after;          // JSON of the feature after; "" for a delete
};

}  // namespace minqing::store
