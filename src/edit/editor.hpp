#pragma once
// Validated, versioned writes to the map data (OGC API – Features Part 4 behind
// server/edit_endpoint.cpp): create, replace, merge-patch, delete and revert one feature for one
// caller, each committed to the store together with its history row in one durable transaction
// (store/feature_store.hpp), then made visible through query::Dataset::apply_committed.
//
// What a write must pass, in order — the first failure refuses it and changes nothing:
//   the class exists and the caller sees it (404), its map is among the caller's edit maps (403);
//   the feature exists and the caller sees it (404); If-Match names its current version (412);
//   every property is a field of the class and converts losslessly (422, naming the field); a
//   derived field keeps its value (422); a field the caller sees masked or hidden keeps its value —
//   echoing back the masked form it was shown counts as keeping it (403, naming the field);
//   the geometry is of the class's kind and valid in GEOS's sense (422, naming the fault); the
//   village code is the village the geometry lies in (422 when it lies in none, or a code sent
//   names another); the values pass the layer definition as at import (422); the key is unique
//   (422); the old and the new feature are in the caller's area (403).
//
// One writer at a time: a mutex serialises writes (validation included), never reads — readers
// go on reading the index, which changes only once a write is committed. The store is opened for
// writing at the first write that passes validation, so a server that never writes never touches
// the file.
//
// Thread-safe. Borrows the Dataset, which must outlive it.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/scope.hpp"
#include "edit/change_log.hpp"
#include "model/validation.hpp"
#include "query/crs.hpp"
#include "query/dataset.hpp"

namespace minqing::store {
class FeatureStore;
}

namespace minqing::edit {

class VillageOf;

// Who writes, and as part of which request.
struct Author {
  const access::Scope& scope;
  std::string request_id;
  std::chrono::system_clock::time_point now;
};

// The versions an If-Match header names: any (`*`) or a list. Absent → the server answers 428
// before asking the Editor.
struct IfMatch {
  bool any = false;
  std::vector<std::uint64_t> versions;
  bool matches(std::uint64_t v) const;
};

struct EditResult {
  std::int64_t fid = 0;
  std::uint64_t version = 0;  // the feature's new version (its ETag)
  std::int64_t seq = 0;       // the history row's seq
  bool deleted = false;       // the change left no feature (a delete, or a revert to before one)
};

// A state from the history (store CRS) as the index would serve it (EPSG:3857), for a
// ScopedReader to admit in the caller's form (query::ScopedReader::admit).
// @throws ProjError when it cannot be projected.
store::ServedFeaturePtr served_state(const model::Feature& f, int store_epsg);

class Editor {
 public:
  // Reads the history of the dataset's store (an older store without a history table has none).
  // A dataset served from an index alone (tests, benchmarks) has no store: every write then
  // answers 503.
  // @throws StoreError when the store cannot be read, DataError for a damaged history row.
  explicit Editor(query::Dataset& data);
  ~Editor();
  Editor(const Editor&) = delete;
  Editor& operator=(const Editor&) = delete;

  // POST: a GeoJSON Feature whose coordinates are in `crs`. @throws EditError.
  EditResult create(const Author& who, std::string_view class_name, const nlohmann::json& feature, const query::Crs& crs);
  // PUT: the feature's whole new state; a property left out becomes null (except fields the
  // caller cannot change, which keep their value). @throws EditError.
  EditResult replace(const Author& who, std::string_view class_name, std::int64_t fid, const nlohmann::json& feature,
                     const query::Crs& crs, const IfMatch& if_match);
  // PATCH: an RFC 7396 merge patch of the GeoJSON feature — "properties" merged member by member
  // (null clears a field), "geometry" replaced whole when present. @throws EditError.
  EditResult patch(const Author& who, std::string_view class_name, std::int64_t fid, const nlohmann::json& patch,
                   const query::Crs& crs, const IfMatch& if_match);
  // DELETE. @throws EditError.
  EditResult remove(const Author& who, std::string_view class_name, std::int64_t fid, const IfMatch& if_match);
  // Restores the state the feature had at `version` (itself a new change; a version at which the
  // feature did not exist deletes it). `if_match` must name the current version. @throws EditError.
  EditResult revert(const Author& who, std::string_view class_name, std::int64_t fid, std::uint64_t version,
                    const IfMatch& if_match);

  const ChangeLog& changes() const noexcept { return m_changes; }
  // The feature's current version (its strong ETag).
  std::uint64_t version(std::string_view class_name, std::int64_t fid) const { return m_changes.version(class_name, fid); }
  // Whether the served data holds feature `fid` of the class (visible or not to anyone).
  bool holds(std::string_view class_name, std::int64_t fid) const;
  // The store CRS, in which Change::before/after are held.
  int store_epsg() const noexcept { return m_epsg; }
  // The state of the feature at `version`: found (and null when it did not exist then), or
  // nullopt when the feature has no such version.
  std::optional<std::shared_ptr<const model::Feature>> state_at(std::string_view class_name, std::int64_t fid,
                                                                std::uint64_t version) const;

 private:
  struct Input;
  struct Target;

  Input read_input(const model::FeatureClassDef& def, const nlohmann::json& feature, const query::Crs& crs,
                   bool merge) const;
  const model::FeatureClassDef& editable_class(const Author& who, std::string_view class_name) const;
  EditResult write(const Author& who, const model::FeatureClassDef& def, std::int64_t fid, const Input& in,
                   const IfMatch* if_match, const char* op);
  EditResult commit(const Author& who, const model::FeatureClassDef& def, const std::string& op,
                    const std::shared_ptr<const model::Feature>& before, const std::shared_ptr<model::Feature>& after,
                    std::int64_t fid);
  EditResult erase(const Author& who, const model::FeatureClassDef& def, std::int64_t fid, const IfMatch& if_match,
                   const char* op);
  void check_precondition(const model::FeatureClassDef& def, std::int64_t fid, const IfMatch& if_match) const;
  void check_unique_key(const model::FeatureClassDef& def, const model::Feature& f) const;
  store::FeatureStore& writer();
  std::optional<model::Feature> stored(const model::FeatureClassDef& def, std::int64_t fid);

  query::Dataset& m_data;
  int m_epsg = 0;
  ChangeLog m_changes;
  std::map<std::string, model::FeatureValidator, std::less<>> m_validators;
  std::mutex m_write;  // one writer at a time; guards everything below
  std::unique_ptr<store::FeatureStore> m_store;  // read-only until the first write, then the writer
  bool m_writable = false;
  std::unique_ptr<VillageOf> m_villages;
};

}  // namespace minqing::edit
