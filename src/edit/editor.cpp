#include "edit/editor.hpp"

#include <cstdio>
#include <utility>

#include "access/audit_log.hpp"
#include "access/masking.hpp"
#include "base/error.hpp"
#include "edit/edit_error.hpp"
#include "edit/feature_record.hpp"
#include "edit/village_of.hpp"
#include "geo/geos_geometry.hpp"
#include "geo/projection.hpp"
#include "store/feature_store.hpp"
#include "store/serving_index.hpp"

namespace minqing::edit {

namespace {

using nlohmann::json;
using Kind = EditError::Kind;

constexpr const char* kVillages = "villages";

// PROJ transforms are not thread-safe and costly to make: one per thread and CRS pair.
const geo::Transform& transform(int from, int to) {
  thread_local std::map<std::pair<int, int>, std::unique_ptr<geo::Transform>> cache;
  auto& t = cache[{from, to}];
  if (!t) t = std::make_unique<geo::Transform>(geo::epsg(from), geo::epsg(to));
  return *t;
}

geo::Geometry reprojected(geo::Geometry g, int from, int to) {
  transform(from, to).apply(g.coords);
  return g;
}

std::string feature_name(const model::FeatureClassDef& def, std::int64_t fid) {
  return def.name + " " + std::to_string(fid);
}

EditError not_found(const model::FeatureClassDef& def, std::int64_t fid) {
  return EditError(Kind::not_found, "no feature '" + std::to_string(fid) + "' in collection '" + def.name + "'");
}

}  // namespace

store::ServedFeaturePtr served_state(const model::Feature& f, int store_epsg) {
  auto out = std::make_shared<store::ServedFeature>();
  out->feature = f;
  transform(store_epsg, 3857).apply(out->feature.geometry.coords);
  out->bbox = out->feature.geometry.bbox();
  return out;
}

bool IfMatch::matches(std::uint64_t v) const {
  if (any) return true;
  for (auto x : versions) {
    if (x == v) return true;
  }
  return false;
}

// A write's content, read from the request and checked on its own (before the write lock).
struct Editor::Input {
  std::vector<std::optional<model::Value>> sent;  // per field; nullopt: not in the request
  bool replace_all = false;                       // a field not sent becomes null (POST, PUT)
  std::optional<geo::Geometry> geometry;          // store CRS; nullopt: not in the request
  bool geometry_null = false;                     // "geometry": null
};

Editor::Editor(query::Dataset& data) : m_data(data), m_villages(std::make_unique<VillageOf>(data)) {
  for (const auto& c : data.catalog().classes()) m_validators.emplace(c.name, model::FeatureValidator(c));
  if (data.location().empty()) {
    m_epsg = store::kDefaultStoreEpsg;
    return;
  }
  m_store = std::make_unique<store::FeatureStore>(
      store::FeatureStore::open(data.location(), data.catalog(), store::FeatureStore::Mode::read_only));
  m_epsg = m_store->epsg();
  m_store->for_each_history([&](const store::HistoryRow& row) {
    const model::FeatureClassDef* def = data.catalog().find_class(row.class_name);
    if (!def) return;  // a class a later layers/ dropped: its history stays in the file
    auto c = std::make_shared<Change>();
    c->seq = row.seq;
    c->class_name = row.class_name;
    c->fid = row.fid;
    c->version = static_cast<std::uint64_t>(row.version);
    c->op = row.op;
    c->user = row.user;
    c->time = row.time;
    c->request_id = row.request_id;
    if (!row.before.empty()) c->before = std::make_shared<model::Feature>(parse_record(*def, row.before, row.fid));
    if (!row.after.empty()) c->after = std::make_shared<model::Feature>(parse_record(*def, row.after, row.fid));
    m_changes.add(std::move(c));
  });
}

Editor::~Editor() = default;

bool Editor::holds(std::string_view class_name, std::int64_t fid) const {
  return static_cast<bool>(m_data.unscoped_index().find(class_name, fid));
}

const model::FeatureClassDef& Editor::editable_class(const Author& who, std::string_view class_name) const {
  const model::FeatureClassDef* def = m_data.catalog().find_class(class_name);
  if (!def || !who.scope.may_see_class(class_name)) {
    throw EditError(Kind::not_found, "no collection '" + std::string(class_name) + "'");
  }
  if (!who.scope.may_edit_map(def->map)) {
    throw EditError(Kind::forbidden, "collection '" + def->name + "' belongs to map '" + def->map +
                                         "', which your role may not edit");
  }
  return *def;
}

Editor::Input Editor::read_input(const model::FeatureClassDef& def, const json& body, const query::Crs& crs,
                                 bool merge) const {
  if (!body.is_object()) throw EditError(Kind::bad_request, "the body must be a GeoJSON Feature object");
  for (const auto& [key, value] : body.items()) {
    if (key == "type") {
      if (value != "Feature") throw EditError(Kind::bad_request, "member type: must be \"Feature\"");
    } else if (key != "properties" && key != "geometry" && key != "id" && key != "links") {
      throw EditError(Kind::bad_request, "member " + key + ": not a member of a GeoJSON Feature");
    }
  }
  Input in;
  in.replace_all = !merge;
  in.sent.assign(def.fields.size(), std::nullopt);
  if (auto p = body.find("properties"); p != body.end() && !p->is_null()) {
    if (!p->is_object()) throw EditError(Kind::bad_request, "member properties: must be an object");
    for (const auto& [key, value] : p->items()) {
      const int i = def.field_index(key);
      if (i < 0) throw EditError(Kind::unprocessable, "property " + key + ": " + def.name + " has no such field");
      in.sent[static_cast<std::size_t>(i)] = value_from_json(def.fields[static_cast<std::size_t>(i)], value);
    }
  }
  if (auto g = body.find("geometry"); g != body.end()) {
    if (g->is_null()) {
      in.geometry_null = true;
    } else {
      geo::Geometry geometry = parse_geometry(*g, def.geometry, def.name);
      try {
        for (auto& c : geometry.coords) c = query::to_mercator(crs, c);
        transform(3857, m_epsg).apply(geometry.coords);
      } catch (const ProjError&) {
        throw EditError(Kind::unprocessable, "geometry: a position lies outside the domain of " + crs.uri +
                                                 " (check the Content-Crs header and the axis order)");
      }
      thread_local geo::GeosContext geos;
      if (auto why = geo::invalid_reason(geos, geometry)) throw EditError(Kind::unprocessable, "geometry: " + *why);
      in.geometry = std::move(geometry);
    }
  }
  return in;
}

void Editor::check_precondition(const model::FeatureClassDef& def, std::int64_t fid, const IfMatch& if_match) const {
  const std::uint64_t current = m_changes.version(def.name, fid);
  if (if_match.matches(current)) return;
  std::string last;
  if (auto changes = m_changes.of_feature(def.name, fid); !changes.empty()) {
    last = " (changed by " + changes.back()->user + " at " + changes.back()->time + ")";
  }
  throw EditError(Kind::precondition_failed, "feature " + feature_name(def, fid) + " has changed since you read it: it is at version " +
                                                 std::to_string(current) + last + "; read it again and redo your change");
}

void Editor::check_unique_key(const model::FeatureClassDef& def, const model::Feature& f) const {
  if (def.id_field.empty()) return;
  const auto k = static_cast<std::size_t>(def.field_index(def.id_field));
  if (model::is_null(f.values[k])) return;
  std::vector<store::ServedFeaturePtr> all;
  m_data.unscoped_index().query(def.name, {-1e300, -1e300, 1e300, 1e300}, all);
  for (const auto& other : all) {
    if (other->feature.fid != f.fid && other->feature.values[k] == f.values[k]) {
      throw EditError(Kind::unprocessable, "field " + def.id_field + ": \"" + model::to_display_string(f.values[k]) +
                                               "\" is already the key of feature " + std::to_string(other->feature.fid));
    }
  }
}

store::FeatureStore& Editor::writer() {
  if (m_writable) return *m_store;
  if (m_data.location().empty()) throw EditError(Kind::unavailable, "this server holds no store to write to");
  m_store.reset();  // the read-only connection goes first: the writer switches the file to WAL
  try {
    m_store = std::make_unique<store::FeatureStore>(
        store::FeatureStore::open(m_data.location(), m_data.catalog(), store::FeatureStore::Mode::update));
  } catch (const StoreError& e) {
    std::fprintf(stderr, "minqing: cannot open the store for writing: %s\n", e.what());
    throw EditError(Kind::unavailable, "the store cannot be written at the moment");
  }
  m_writable = true;
  return *m_store;
}

std::optional<model::Feature> Editor::stored(const model::FeatureClassDef& def, std::int64_t fid) {
  if (!m_store) {
    if (m_data.location().empty()) return std::nullopt;
    m_store = std::make_unique<store::FeatureStore>(
        store::FeatureStore::open(m_data.location(), m_data.catalog(), store::FeatureStore::Mode::read_only));
  }
  return m_store->read(def.name, fid);
}

std::optional<std::shared_ptr<const model::Feature>> Editor::state_at(std::string_view class_name, std::int64_t fid,
                                                                      std::uint64_t version) const {
  const auto changes = m_changes.of_feature(class_name, fid);
  for (const auto& c : changes) {
    if (c->version == version) return c->after;
  }
  if (version == kBaseVersion && !changes.empty() && changes.front()->version > kBaseVersion) return changes.front()->before;
  return std::nullopt;
}

EditResult Editor::write(const Author& who, const model::FeatureClassDef& def, std::int64_t fid, const Input& in,
                         const IfMatch* if_match, const char* op) {
  const access::Scope& scope = who.scope;
  const bool creating = fid == 0;
  std::lock_guard lock(m_write);
  const store::ServedFeaturePtr seen = creating ? nullptr : m_data.unscoped_index().find(def.name, fid);
  const access::FieldGrant* old_grant = seen ? scope.grant(def, seen->feature) : nullptr;
  if (seen && !old_grant) throw not_found(def, fid);
  const bool reviving = !creating && !seen;  // a revert of a deleted feature
  if (reviving && std::string_view(op) != "revert") throw not_found(def, fid);
  if (if_match) check_precondition(def, fid, *if_match);

  std::shared_ptr<const model::Feature> before;
  if (seen) {
    auto s = stored(def, fid);
    if (!s) throw not_found(def, fid);
    before = std::make_shared<model::Feature>(std::move(*s));
  }
  auto after = std::make_shared<model::Feature>();
  after->fid = fid;
  after->values = before ? before->values : std::vector<model::Value>(def.fields.size());
  after->geometry.kind = def.geometry;
  if (in.geometry) after->geometry = *in.geometry;
  else if (before && !in.geometry_null) after->geometry = before->geometry;

  const int village_key = def.village_key.empty() || def.name == kVillages ? -1 : def.field_index(def.village_key);
  for (std::size_t i = 0; i < def.fields.size(); ++i) {
    const model::FieldDef& field = def.fields[i];
    const std::optional<model::Value>& sent = in.sent[i];
    const model::Value shown_old = seen ? seen->feature.values[i] : model::Value{};
    if (field.derived) {
      if (sent && !model::is_null(*sent) && *sent != shown_old) {
        throw EditError(Kind::unprocessable, "field " + field.name + ": derived from " + field.derived->from +
                                                 " by the server; it cannot be written");
      }
      after->values[i] = shown_old;  // the value served now (the store's copy of it is ignored at load)
      continue;
    }
    if (old_grant && old_grant->fields[i] != access::FieldAccess::full) {
      // Echoing back what the caller was shown (the masked form, or nothing) keeps the value.
      const model::Value shown = old_grant->fields[i] == access::FieldAccess::masked ? access::mask_value(field, shown_old)
                                                                                     : model::Value{};
      if (sent && *sent != shown_old && *sent != shown) {
        throw EditError(Kind::forbidden, "field " + field.name + ": you see it " +
                                             std::string(access::to_string(old_grant->fields[i])) +
                                             ", so you may not change it");
      }
      continue;
    }
    if (static_cast<int>(i) == village_key) continue;  // by location, below
    if (sent) after->values[i] = *sent;
    else if (in.replace_all) after->values[i] = model::Value{};
  }

  if (after->geometry.empty()) throw EditError(Kind::unprocessable, "geometry: required (a " + def.name + " feature needs one)");
  if (village_key >= 0) {
    const auto k = static_cast<std::size_t>(village_key);
    std::optional<std::string> code;
    try {
      code = m_villages->locate(reprojected(after->geometry, m_epsg, 3857));
    } catch (const DataError& e) {
      throw EditError(Kind::unprocessable, std::string("geometry: ") + e.what());
    }
    if (!code) throw EditError(Kind::unprocessable, "geometry: lies outside every village");
    const auto& sent = in.sent[k];
    if (sent && !model::is_null(*sent) && model::to_display_string(*sent) != *code &&
        !(before && *sent == before->values[k])) {
      throw EditError(Kind::unprocessable, "field " + def.village_key + ": the geometry lies in village " + *code + ", not " +
                                               model::to_display_string(*sent));
    }
    after->values[k] = *code;
  }

  if (!old_grant) {
    // A new feature: what the caller may not see in full of it, it may not set either.
    const access::FieldGrant* grant = scope.grant(def, *after);
    if (!grant || !scope.in_area(def, *after)) {
      throw EditError(Kind::forbidden, "the feature would lie outside your area");
    }
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
      if (grant->fields[i] != access::FieldAccess::full && in.sent[i] && !model::is_null(*in.sent[i]) &&
          !def.fields[i].derived && static_cast<int>(i) != village_key) {
        throw EditError(Kind::forbidden, "field " + def.fields[i].name + ": you see it " +
                                             std::string(access::to_string(grant->fields[i])) + ", so you may not set it");
      }
    }
  }
  if (auto why = m_validators.at(def.name).check(*after)) throw EditError(Kind::unprocessable, *why);
  if (seen && !scope.in_area(def, seen->feature)) {
    throw EditError(Kind::forbidden, "feature " + feature_name(def, fid) + " lies outside your area");
  }
  if (!scope.in_area(def, *after)) throw EditError(Kind::forbidden, "the feature would lie outside your area");
  // The key's uniqueness costs a pass over the class: only when the key is new or changes.
  const int key = def.id_field.empty() ? -1 : def.field_index(def.id_field);
  if (key >= 0 && (!before || after->values[static_cast<std::size_t>(key)] != before->values[static_cast<std::size_t>(key)])) {
    check_unique_key(def, *after);
  }
  return commit(who, def, creating ? "insert" : op, before, after, fid);
}

EditResult Editor::commit(const Author& who, const model::FeatureClassDef& def, const std::string& op,
                          const std::shared_ptr<const model::Feature>& before, const std::shared_ptr<model::Feature>& after,
                          std::int64_t fid) {
  store::FeatureStore& st = writer();
  store::HistoryRow row;
  row.class_name = def.name;
  row.version = static_cast<std::int64_t>(fid == 0 ? kBaseVersion : m_changes.version(def.name, fid) + 1);
  row.op = op;
  row.user = who.scope.user();
  row.time = access::iso8601_utc(who.now);
  row.request_id = who.request_id;
  st.begin();
  try {
    if (!after) {
      st.remove(def.name, fid);
    } else if (!before) {
      after->fid = st.insert(def.name, *after);  // fid 0: a new one; set: a deleted feature back
    } else {
      st.update(def.name, *after);
    }
    row.fid = after ? after->fid : fid;
    if (before) row.before = record_json(def, *before);
    if (after) row.after = record_json(def, *after);
    row.seq = st.append_history(row);
    st.commit();
  } catch (...) {
    st.rollback();
    throw;
  }
  // Committed: durable from here on, whatever happens next.
  try {
    m_data.apply_committed(def.name, row.fid, after.get());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minqing: change %lld (%s) is stored but not served until a restart: %s\n",
                 static_cast<long long>(row.seq), feature_name(def, row.fid).c_str(), e.what());
  }
  auto c = std::make_shared<Change>();
  c->seq = row.seq;
  c->class_name = def.name;
  c->fid = row.fid;
  c->version = static_cast<std::uint64_t>(row.version);
  c->op = op;
  c->user = row.user;
  c->time = row.time;
  c->request_id = row.request_id;
  c->before = before;
  c->after = after;
  m_changes.add(c);
  return {row.fid, c->version, row.seq, after == nullptr};
}

EditResult Editor::create(const Author& who, std::string_view class_name, const json& feature, const query::Crs& crs) {
  const model::FeatureClassDef& def = editable_class(who, class_name);
  const Input in = read_input(def, feature, crs, false);
  return write(who, def, 0, in, nullptr, "insert");
}

EditResult Editor::replace(const Author& who, std::string_view class_name, std::int64_t fid, const json& feature,
                           const query::Crs& crs, const IfMatch& if_match) {
  const model::FeatureClassDef& def = editable_class(who, class_name);
  const Input in = read_input(def, feature, crs, false);
  return write(who, def, fid, in, &if_match, "update");
}

EditResult Editor::patch(const Author& who, std::string_view class_name, std::int64_t fid, const json& patch,
                         const query::Crs& crs, const IfMatch& if_match) {
  const model::FeatureClassDef& def = editable_class(who, class_name);
  const Input in = read_input(def, patch, crs, true);
  return write(who, def, fid, in, &if_match, "update");
}

EditResult Editor::remove(const Author& who, std::string_view class_name, std::int64_t fid, const IfMatch& if_match) {
  return erase(who, editable_class(who, class_name), fid, if_match, "delete");
}

EditResult Editor::erase(const Author& who, const model::FeatureClassDef& def, std::int64_t fid, const IfMatch& if_match,
                         const char* op) {
  std::lock_guard lock(m_write);
  const store::ServedFeaturePtr seen = m_data.unscoped_index().find(def.name, fid);
  if (!seen || !who.scope.visible(def, seen->feature)) throw not_found(def, fid);
  check_precondition(def, fid, if_match);
  if (!who.scope.in_area(def, seen->feature)) {
    throw EditError(Kind::forbidden, "feature " + feature_name(def, fid) + " lies outside your area");
  }
  auto s = stored(def, fid);
  if (!s) throw not_found(def, fid);
  return commit(who, def, op, std::make_shared<model::Feature>(std::move(*s)), nullptr, fid);
}

EditResult Editor::revert(const Author& who, std::string_view class_name, std::int64_t fid, std::uint64_t version,
                          const IfMatch& if_match) {
  const model::FeatureClassDef& def = editable_class(who, class_name);
  const auto state = state_at(def.name, fid, version);
  if (!state) {
    throw EditError(Kind::not_found, "feature " + feature_name(def, fid) + " has no version " + std::to_string(version));
  }
  // The feature did not exist at that version: reverting to it deletes it.
  if (!*state) return erase(who, def, fid, if_match, "revert");
  Input in;
  in.replace_all = true;
  in.sent.assign(def.fields.size(), std::nullopt);
  for (std::size_t i = 0; i < def.fields.size() && i < (*state)->values.size(); ++i) {
    if (!def.fields[i].derived) in.sent[i] = (*state)->values[i];
  }
  in.geometry = (*state)->geometry;
  return write(who, def, fid, in, &if_match, "revert");
}

}  // namespace minqing::edit
