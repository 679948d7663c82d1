#pragma once
// The search index behind GET /api/search: finds the features whose searchable text fields
// (`"search": true` in layers/*.json) contain a text, for one caller.
//
// Why an n-gram index of our own: Chinese names are mostly two or three characters (张三, 松阳),
// and SQLite FTS5's trigram tokenizer cannot answer a query shorter than three characters from
// its index. Here every searchable value is cut into code-point bigrams and unigrams; a query
// of n >= 2 code points looks up its n-1 bigrams and intersects their posting lists, a query of
// one code point reads its unigram list; every candidate is then verified with a real substring
// test on the live value, so the index can only narrow, never invent, a hit. Matching folds ASCII
// case only (query/search_text.hpp).
//
// Layout: one segment per searchable feature class — entries (fid, field) in fid order, and the
// grams in CSR form (sorted keys, offsets, one array of entry ids ascending per key).
//
// Scope: the index itself holds every feature; search() is given the caller's ClassViews and
// answers only (a) classes the caller sees, (b) fields the caller reads in full (ClassView::
// queryable — a masked or hidden field is never matched: matching 张三 against a masked head_name
// would tell which household is his), (c) features ClassView::visible() admits.
//
// Edits: each segment remembers the ServingIndex data_version of its class when it was built.
// Dataset::apply_committed tells the index which feature changed (changed()); the fids changed
// since the segment was built are kept in a short sorted list, and a search skips their segment
// entries and tests their live values one by one instead — so an edit costs a search microseconds,
// not a rebuild of the class (~70,000 households in a county). Past kMaxChanged features the list is
// folded into a new segment. A data version that neither the segment nor the list accounts for (an
// index edited without changed()) makes the next search rebuild the class first. Because every hit
// is re-verified on the feature the ServingIndex holds now, a search never answers a value that is
// no longer there.
//
// Ranking (best first): exact match, then prefix, then substring; hits inside the optional view
// box before those outside it; shorter values; the class's place rank (below); the lowest fid.
// Place rank is derived from the layer definitions, not from class names: classes that hold no
// personal field are places (villages, land cover, pois, shelters, enterprises, roads, rivers)
// and come before records of people (households, key persons, org units, grids…); within each,
// polygons, then points, then lines; then catalog order.
//
// Merging: a place drawn in several features — a road noded into segments, a farmland in
// patches — would otherwise fill the answer with one hit per part. Hits of a place class with
// the same value of the same field in the same village are one hit whose bbox covers all parts.
// Records of people are never merged (two households whose heads share a name are two).
//
// Thread-safe: search() may be called concurrently, and concurrently with edits of the
// ServingIndex. The ServingIndex must outlive the SearchIndex.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "geo/coord.hpp"
#include "query/class_view.hpp"
#include "query/scoped_reader.hpp"
#include "store/served_feature.hpp"

namespace minqing::store {
class ServingIndex;
}

namespace minqing::query {

enum class MatchKind { exact = 0, prefix = 1, substring = 2 };

std::string_view to_string(MatchKind kind) noexcept;

struct SearchRequest {
  std::string text;                    // parse_search_text()'d: trimmed, valid, 1..64 code points
  std::size_t limit = 20;              // hits answered (the best `limit`)
  std::optional<geo::BBox> view_bbox;  // EPSG:3857; hits intersecting it rank first
};

struct SearchHit {
  const ClassView* view = nullptr;  // the caller's view of the hit's class (one of search()'s)
  int field = -1;                   // index of the matched field in view->def->fields
  std::string text;                 // the matched value, in full (the field is queryable)
  MatchKind match = MatchKind::substring;
  std::vector<store::ServedFeaturePtr>
      features;              // the feature, or a merged place's parts; fid order
  std::string village_code;  // the village key's value ("" when absent)
  geo::BBox bbox;            // EPSG:3857, over all parts
  geo::Coord point;          // EPSG:3857: where to zoom to — on the feature (see zoom_point)
  bool in_view = false;      // bbox intersects the request's view_bbox
};

struct SearchAnswer {
  std::vector<SearchHit> hits;                // ranked, at most request.limit
  std::size_t matched = 0;                    // all hits (after merging), before the limit
  std::vector<std::size_t> matched_per_view;  // parallel to search()'s views: hits per class
};

// Sizes, for the load log and the benchmark.
struct SearchIndexStats {
  std::size_t classes = 0;   // searchable feature classes
  std::size_t entries = 0;   // (feature, field) values indexed
  std::size_t keys = 0;      // distinct grams
  std::size_t postings = 0;  // (gram, entry) pairs
  std::size_t bytes = 0;     // heap held by the segments (capacity, not counting allocator slack)
};

class SearchIndex {
 public:
  // The index of every searchable field of every class of `index` (its catalog's `search` flags).
  // Cheap: a class's segment is built by warm_up() or, failing that, by the first search that
  // reads it — under the class's lock, so a search never sees a segment half built.
  explicit SearchIndex(const store::ServingIndex& index);
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // The hits for `request` among what `reader` gives its caller (classes of reader.views(), fields
  // queryable there, features in the caller's form; the answer points into the reader's views, so
  // the reader must outlive it). Never throws but std::bad_alloc.
  SearchAnswer search(const SearchRequest& request, const ScopedReader& reader) const;

  SearchIndexStats stats() const;

  // Builds every class's segment not built yet, class by class, until `stop` is requested (the
  // dataset's background warm-up). Thread-safe with search() and changed().
  void warm_up(std::stop_token stop = {}) const;

  // Feature `fid` of `class_name` was inserted, replaced or removed in the serving index (call it
  // after the index holds the change). Thread-safe with search(); one writer at a time.
  void changed(std::string_view class_name, std::int64_t fid);

 private:
  struct Segment;
  struct Changed;
  struct Slot;
  struct Snapshot {
    std::shared_ptr<const Segment> segment;
    std::shared_ptr<const Changed> changed;  // null: none since the segment
  };
  static constexpr std::size_t kMaxChanged = 512;
  Snapshot segment(const Slot& slot) const;

  const store::ServingIndex& m_index;
  std::vector<std::unique_ptr<Slot>> m_slots;  // searchable classes, catalog order
};

// The hits for `request` among what `reader` gives its caller, from the dataset's search index.
SearchAnswer search(const ScopedReader& reader, const SearchRequest& request);

// A point on `g` to centre a map on: the point itself, the middle (by length) of a line's
// longest part, a point inside a polygon (GEOS PointOnSurface; its bbox centre if GEOS fails).
geo::Coord zoom_point(const geo::Geometry& g);

}  // namespace minqing::query
