#include "query/search_index.hpp"

#include "query/dataset.hpp"
#include "store/serving_index.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>

#include "base/error.hpp"
#include "geo/geometry_ops.hpp"
#include "query/search_text.hpp"

namespace minqing::query {

namespace {

// Gram keys: a unigram is its code point (< 2^21); a bigram sets bit 42 above two code points.
constexpr std::uint64_t unigram_key(char32_t a) noexcept { return a; }
constexpr std::uint64_t bigram_key(char32_t a, char32_t b) noexcept {
  return (std::uint64_t{1} << 42) | (std::uint64_t{a} << 21) | std::uint64_t{b};
}

// Large enough to hold every EPSG:3857 bbox: "all features of the class".
constexpr geo::BBox kEverywhere{-1e300, -1e300, 1e300, 1e300};

const std::string* text_value(const model::Feature& f, int field) noexcept {
  const auto i = static_cast<std::size_t>(field);
  if (field < 0 || i >= f.values.size()) return nullptr;
  return std::get_if<std::string>(&f.values[i]);
}

bool has_personal_field(const model::FeatureClassDef& def) {
  return std::any_of(def.fields.begin(), def.fields.end(),
                     [](const model::FieldDef& f) { return f.personal; });
}

int geometry_rank(geo::GeometryKind k) noexcept {
  switch (k) {
    case geo::GeometryKind::polygon:
      return 0;
    case geo::GeometryKind::point:
      return 1;
    case geo::GeometryKind::line:
      return 2;
  }
  return 3;
}

template <class T>
std::size_t heap_bytes(const std::vector<T>& v) noexcept {
  return v.capacity() * sizeof(T);
}

}  // namespace

std::string_view to_string(MatchKind kind) noexcept {
  switch (kind) {
    case MatchKind::exact:
      return "exact";
    case MatchKind::prefix:
      return "prefix";
    case MatchKind::substring:
      return "substring";
  }
  return "?";
}

struct SearchIndex::Segment {
  struct Entry {
    std::int64_t fid;
    std::int32_t field;
  };
  std::uint64_t version = 0;            // the class's data_version the segment was built from
  std::vector<Entry> entries;           // (fid, field) ascending
  std::vector<std::uint64_t> keys;      // distinct gram keys, ascending
  std::vector<std::uint32_t> starts;    // keys.size() + 1 offsets into postings
  std::vector<std::uint32_t> postings;  // entry ids, ascending per key

  // The posting list of `key`; empty when the key does not occur.
  std::pair<const std::uint32_t*, const std::uint32_t*> list(std::uint64_t key) const noexcept {
    const auto it = std::lower_bound(keys.begin(), keys.end(), key);
    if (it == keys.end() || *it != key) return {nullptr, nullptr};
    const auto k = static_cast<std::size_t>(it - keys.begin());
    return {postings.data() + starts[k], postings.data() + starts[k + 1]};
  }

  std::size_t bytes() const noexcept {
    return heap_bytes(entries) + heap_bytes(keys) + heap_bytes(starts) + heap_bytes(postings);
  }

  // Entry ids holding every gram of `grams` (ascending). Empty when a gram is absent.
  std::vector<std::uint32_t> candidates(const std::vector<std::uint64_t>& grams) const;

  // Indexes `fields` of every feature of class `def` in `index`, as of now.
  static std::shared_ptr<const Segment> build(const store::ServingIndex& index,
                                              const model::FeatureClassDef& def,
                                              const std::vector<int>& fields);
};

struct SearchIndex::Changed {
  std::vector<std::int64_t> fids;  // ascending, unique
  std::uint64_t version = 0;       // the class's data_version once the last of them was applied
  bool holds(std::int64_t fid) const noexcept { return std::binary_search(fids.begin(), fids.end(), fid); }
};

struct SearchIndex::Slot {
  const model::FeatureClassDef* def = nullptr;
  std::vector<int> fields;  // the searchable fields, field order
  int village_key = -1;
  bool place = false;        // holds no personal field: merge same-named parts
  int rank = 0;              // place rank (see the header); unique per slot
  mutable std::mutex mutex;  // guards `current` and `changed`, and serialises a rebuild
  mutable std::shared_ptr<const Segment> current;
  mutable std::shared_ptr<const Changed> changed;  // since `current` was built; null: none
};

SearchIndex::SearchIndex(const store::ServingIndex& index) : m_index(index) {
  for (const auto& def : index.catalog().classes()) {
    auto slot = std::make_unique<Slot>();
    slot->def = &def;
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
      if (def.fields[i].search) slot->fields.push_back(static_cast<int>(i));
    }
    if (slot->fields.empty()) continue;
    slot->village_key = def.field_index(def.village_key);
    slot->place = !has_personal_field(def);
    m_slots.push_back(std::move(slot));  // its segment is built by warm_up() or the first search
  }
  // Place rank: places before records of people, polygons before points before lines, then
  // catalog order (stable_sort keeps it).
  std::vector<Slot*> order;
  for (auto& s : m_slots) order.push_back(s.get());
  std::stable_sort(order.begin(), order.end(), [](const Slot* a, const Slot* b) {
    return std::make_tuple(!a->place, geometry_rank(a->def->geometry)) <
           std::make_tuple(!b->place, geometry_rank(b->def->geometry));
  });
  for (std::size_t i = 0; i < order.size(); ++i) order[i]->rank = static_cast<int>(i);
}

SearchIndex::~SearchIndex() = default;

void SearchIndex::warm_up(std::stop_token stop) const {
  for (const auto& slot : m_slots) {
    if (stop.stop_requested()) return;
    segment(*slot);
  }
}

std::shared_ptr<const SearchIndex::Segment> SearchIndex::Segment::build(
    const store::ServingIndex& index, const model::FeatureClassDef& def,
    const std::vector<int>& fields) {
  auto seg = std::make_shared<Segment>();
  // The version first: an edit made while the features are read bumps it past this one, and the
  // next search rebuilds.
  seg->version = index.data_version(def.name);
  std::vector<store::ServedFeaturePtr> features;
  index.query(def.name, kEverywhere, features);
  std::sort(features.begin(), features.end(),
            [](const auto& a, const auto& b) { return a->feature.fid < b->feature.fid; });

  std::vector<std::pair<std::uint64_t, std::uint32_t>> grams;  // (key, entry id)
  for (const auto& f : features) {
    for (int field : fields) {
      const std::string* value = text_value(f->feature, field);
      if (!value || value->empty()) continue;
      const auto entry = static_cast<std::uint32_t>(seg->entries.size());
      seg->entries.push_back({f->feature.fid, field});
      const std::vector<char32_t> cps = code_points(fold_search_text(*value));
      for (std::size_t i = 0; i < cps.size(); ++i) {
        grams.emplace_back(unigram_key(cps[i]), entry);
        if (i + 1 < cps.size()) grams.emplace_back(bigram_key(cps[i], cps[i + 1]), entry);
      }
    }
  }
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  seg->postings.reserve(grams.size());
  for (std::size_t i = 0; i < grams.size(); ++i) {
    if (i == 0 || grams[i].first != grams[i - 1].first) {
      seg->keys.push_back(grams[i].first);
      seg->starts.push_back(static_cast<std::uint32_t>(i));
    }
    seg->postings.push_back(grams[i].second);
  }
  seg->starts.push_back(static_cast<std::uint32_t>(grams.size()));
  seg->entries.shrink_to_fit();
  seg->keys.shrink_to_fit();
  seg->starts.shrink_to_fit();
  return seg;
}

std::vector<std::uint32_t> SearchIndex::Segment::candidates(
    const std::vector<std::uint64_t>& grams) const {
  using List = std::pair<const std::uint32_t*, const std::uint32_t*>;
  std::vector<List> lists;
  for (std::uint64_t k : grams) {
    const List l = list(k);
    if (l.first == l.second) return {};
    lists.push_back(l);
  }
  std::sort(lists.begin(), lists.end(),
            [](const List& a, const List& b) { return a.second - a.first < b.second - b.first; });
  std::vector<std::uint32_t> out(lists.front().first, lists.front().second);
  for (std::size_t i = 1; i < lists.size() && !out.empty(); ++i) {
    // `out` is the shortest list so far: look each id up in the longer one, moving forward.
    const std::uint32_t* pos = lists[i].first;
    std::size_t kept = 0;
    for (std::uint32_t id : out) {
      pos = std::lower_bound(pos, lists[i].second, id);
      if (pos == lists[i].second) break;
      if (*pos == id) out[kept++] = id;
    }
    out.resize(kept);
  }
  return out;
}

namespace {
double length(geo::Coord a, geo::Coord b) noexcept { return std::hypot(b.x - a.x, b.y - a.y); }
}  // namespace

SearchIndex::Snapshot SearchIndex::segment(const Slot& slot) const {
  std::lock_guard lock(slot.mutex);
  // Built under the slot's lock: a search arriving meanwhile waits for the whole segment.
  if (!slot.current) {
    slot.current = Segment::build(m_index, *slot.def, slot.fields);
    return {slot.current, nullptr};
  }
  const std::uint64_t version = m_index.data_version(slot.def->name);
  const std::uint64_t covered = slot.changed ? slot.changed->version : slot.current->version;
  // A change the segment and the changed list do not account for (an index edited without
  // changed(), or one whose changed() call is still on its way): rebuild from the index as it is.
  if (covered != version) {
    slot.current = Segment::build(m_index, *slot.def, slot.fields);
    slot.changed.reset();
  }
  return {slot.current, slot.changed};
}

void SearchIndex::changed(std::string_view class_name, std::int64_t fid) {
  for (const auto& slot : m_slots) {
    if (slot->def->name != class_name) continue;
    std::lock_guard lock(slot->mutex);
    if (!slot->current) return;  // not built yet: it will be built from the index as it is then
    const std::uint64_t version = m_index.data_version(class_name);
    const std::uint64_t covered = slot->changed ? slot->changed->version : slot->current->version;
    // Listed only when the segment and the list account for every change before this one; if not
    // (or a search already rebuilt with it), segment() sees to it.
    if (covered + 1 != version) return;
    auto next = std::make_shared<Changed>(slot->changed ? *slot->changed : Changed{});
    const auto at = std::lower_bound(next->fids.begin(), next->fids.end(), fid);
    if (at == next->fids.end() || *at != fid) next->fids.insert(at, fid);
    next->version = version;
    if (next->fids.size() > kMaxChanged) {
      // Folded into a new segment: searching the list costs a lookup per feature.
      slot->current = Segment::build(m_index, *slot->def, slot->fields);
      slot->changed.reset();
    } else {
      slot->changed = std::move(next);
    }
    return;
  }
}

SearchAnswer SearchIndex::search(const SearchRequest& request, const ScopedReader& reader) const {
  const std::vector<ClassView>& views = reader.views();
  SearchAnswer answer;
  answer.matched_per_view.assign(views.size(), 0);
  const std::string q = fold_search_text(request.text);
  const std::vector<char32_t> cps = code_points(q);
  if (cps.empty()) return answer;
  std::vector<std::uint64_t> keys;
  if (cps.size() == 1) {
    keys.push_back(unigram_key(cps[0]));
  } else {
    for (std::size_t i = 0; i + 1 < cps.size(); ++i) keys.push_back(bigram_key(cps[i], cps[i + 1]));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }

  struct Ranked {
    SearchHit hit;
    int rank = 0;
    std::size_t chars = 0;
  };
  std::vector<Ranked> hits;
  for (const auto& slot : m_slots) {
    const auto view = std::find_if(views.begin(), views.end(), [&](const ClassView& v) {
      return v.def && v.def->name == slot->def->name;
    });
    if (view == views.end()) continue;
    // Only fields the caller reads in full are matched.
    std::vector<int> allowed;
    for (int f : slot->fields) {
      if (view->is_queryable(f)) allowed.push_back(f);
    }
    if (allowed.empty()) continue;
    const bool show_village = slot->village_key >= 0 && view->is_queryable(slot->village_key);
    const Snapshot snap = segment(*slot);

    // A matching field of one feature. Candidates come in (fid, field) order, so the fields of a
    // feature are adjacent; a feature matched on two fields is answered once, by the better match.
    struct Match {
      store::ServedFeaturePtr feature;
      int field = -1;
      MatchKind kind = MatchKind::substring;
      std::size_t chars = 0;
    };
    std::optional<Match> best;
    std::unordered_map<std::string, std::size_t> places;  // merge key → index in hits
    const auto flush = [&] {
      if (!best) return;
      SearchHit hit;
      hit.view = &*view;
      hit.field = best->field;
      hit.text = *text_value(best->feature->feature, best->field);
      hit.match = best->kind;
      if (show_village) {
        if (const std::string* v = text_value(best->feature->feature, slot->village_key))
          hit.village_code = *v;
      }
      hit.bbox = best->feature->bbox;
      if (slot->place) {
        std::string key = std::to_string(hit.field) + '\x1f' + hit.village_code + '\x1f' + hit.text;
        const auto [it, added] = places.emplace(std::move(key), hits.size());
        if (!added) {
          SearchHit& merged = hits[it->second].hit;
          merged.bbox.expand(hit.bbox);
          merged.features.push_back(std::move(best->feature));
          best.reset();
          return;
        }
      }
      hit.features.push_back(std::move(best->feature));
      hits.push_back({std::move(hit), slot->rank, best->chars});
      ++answer.matched_per_view[static_cast<std::size_t>(view - views.begin())];
      best.reset();
    };
    // The live value, in the caller's form, decides: the segment may predate an edit, and a field
    // hidden from this caller for this feature (outside its area) is null here.
    const auto consider = [&](store::ServedFeaturePtr f, int field) {
      const std::string* value = text_value(f->feature, field);
      if (!value) return;
      const std::string folded = fold_search_text(*value);
      const std::size_t pos = folded.find(q);
      if (pos == std::string::npos) return;
      const MatchKind kind = pos != 0                    ? MatchKind::substring
                             : folded.size() == q.size() ? MatchKind::exact
                                                         : MatchKind::prefix;
      const std::size_t chars = code_point_count(*value);
      if (!best || std::make_tuple(kind, chars) < std::make_tuple(best->kind, best->chars)) {
        best = Match{std::move(f), field, kind, chars};
      }
    };
    for (std::uint32_t id : snap.segment->candidates(keys)) {
      const Segment::Entry& e = snap.segment->entries[id];
      if (std::find(allowed.begin(), allowed.end(), e.field) == allowed.end()) continue;
      if (snap.changed && snap.changed->holds(e.fid)) continue;  // searched below, as it is now
      if (best && best->feature->feature.fid != e.fid) flush();
      store::ServedFeaturePtr f = best ? best->feature : reader.admit(*view, m_index.find(slot->def->name, e.fid));
      if (!f) continue;
      consider(std::move(f), e.field);
    }
    flush();
    // Features changed since the segment was built: a handful, tested one by one.
    if (snap.changed) {
      for (std::int64_t fid : snap.changed->fids) {
        store::ServedFeaturePtr f = reader.admit(*view, m_index.find(slot->def->name, fid));
        if (!f) continue;
        for (int field : allowed) consider(f, field);
        flush();
      }
    }
  }

  for (auto& r : hits) {
    if (!request.view_bbox) break;
    for (const auto& f : r.hit.features) {
      if (f->bbox.intersects(*request.view_bbox)) r.hit.in_view = true;
    }
  }
  const auto better = [](const Ranked& a, const Ranked& b) {
    return std::make_tuple(a.hit.match, !a.hit.in_view, a.chars, a.rank,
                           a.hit.features.front()->feature.fid) <
           std::make_tuple(b.hit.match, !b.hit.in_view, b.chars, b.rank,
                           b.hit.features.front()->feature.fid);
  };
  answer.matched = hits.size();
  const std::size_t n = std::min(request.limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                    better);
  hits.resize(n);
  for (auto& r : hits) {
    SearchHit& hit = r.hit;
    // Zoom to the part nearest the middle of the whole (a road's middle segment).
    const geo::Coord mid = hit.bbox.center();
    const auto nearest = std::min_element(
        hit.features.begin(), hit.features.end(), [&](const auto& a, const auto& b) {
          return length(a->bbox.center(), mid) < length(b->bbox.center(), mid);
        });
    hit.point = zoom_point((*nearest)->feature.geometry);
    answer.hits.push_back(std::move(hit));
  }
  return answer;
}

SearchIndexStats SearchIndex::stats() const {
  SearchIndexStats s;
  for (const auto& slot : m_slots) {
    const std::shared_ptr<const Segment> seg = segment(*slot).segment;
    ++s.classes;
    s.entries += seg->entries.size();
    s.keys += seg->keys.size();
    s.postings += seg->postings.size();
    s.bytes += seg->bytes();
  }
  return s;
}

geo::Coord zoom_point(const geo::Geometry& g) {
  if (g.empty()) return {};
  switch (g.kind) {
    case geo::GeometryKind::point:
      return g.coords.front();
    case geo::GeometryKind::line: {
      // The longest part, walked to half its length.
      std::size_t best_begin = 0, best_end = g.coords.size();
      double best_len = -1;
      std::size_t begin = 0;
      const std::vector<std::uint32_t> single{static_cast<std::uint32_t>(g.coords.size())};
      for (std::uint32_t end : g.part_ends.empty() ? single : g.part_ends) {
        double len = 0;
        for (std::size_t i = begin + 1; i < end; ++i) len += length(g.coords[i - 1], g.coords[i]);
        if (len > best_len) {
          best_len = len;
          best_begin = begin;
          best_end = end;
        }
        begin = end;
      }
      double left = best_len / 2;
      for (std::size_t i = best_begin + 1; i < best_end; ++i) {
        const double step = length(g.coords[i - 1], g.coords[i]);
        if (step >= left && step > 0) {
          const double t = left / step;
          return {g.coords[i - 1].x + t * (g.coords[i].x - g.coords[i - 1].x),
                  g.coords[i - 1].y + t * (g.coords[i].y - g.coords[i - 1].y)};
        }
        left -= step;
      }
      return g.coords[best_begin];
    }
    case geo::GeometryKind::polygon: {
      thread_local geo::GeosContext ctx;
      try {
        if (const auto p = geo::point_on_surface(ctx, g)) return *p;
      } catch (const DataError&) {
        // GEOS refused the geometry: fall back to the bbox centre below.
      }
      return g.bbox().center();
    }
  }
  return g.bbox().center();
}

SearchAnswer search(const ScopedReader& reader, const SearchRequest& request) {
  return reader.dataset().search_index().search(request, reader);
}

}  // namespace minqing::query
