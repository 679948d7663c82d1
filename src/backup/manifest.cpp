#include "backup/manifest.hpp"

#include <fstream>
#include <sstream>

#include "backup/file_ops.hpp"
#include "base/error.hpp"

namespace minqing::backup {

using nlohmann::json;

std::uint64_t Manifest::total_bytes() const {
  std::uint64_t n = 0;
  for (const auto& f : files) n += f.bytes;
  return n;
}

bool Manifest::has_role(const std::string& role) const {
  for (const auto& f : files) {
    if (f.role == role) return true;
  }
  return false;
}

json Manifest::to_json() const {
  json files_json = json::array();
  for (const auto& f : files) {
    files_json.push_back({{"path", f.path}, {"role", f.role}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  }
  std::int64_t features = 0;
  for (const auto& [_, n] : feature_counts) features += n;
  json j = {{"format", kManifestFormat},
            {"id", id},
            {"created", created},
            {"tool", tool},
            {"duration_ms", duration_ms},
            {"source", source},
            {"files", std::move(files_json)},
            {"bytes", total_bytes()},
            {"store", {{"integrity_check", store_integrity}, {"feature_counts", feature_counts}, {"features", features}}}};
  if (!auth_integrity.empty()) j["auth"] = {{"integrity_check", auth_integrity}};
  if (has_audit) j["audit"] = {{"entries", audit_entries}, {"chain", audit_chain}};
  return j;
}

Manifest Manifest::from_json(const json& j) {
  const auto need = [&](const json& obj, const char* key, const char* where) -> const json& {
    if (!obj.is_object() || !obj.contains(key)) {
      throw DataError(std::string(kManifestName) + ": " + where + " has no \"" + key + "\"");
    }
    return obj.at(key);
  };
  try {
    if (need(j, "format", "the manifest").get<std::string>() != kManifestFormat) {
      throw DataError(std::string(kManifestName) + ": format is not " + kManifestFormat);
    }
    Manifest m;
    m.id = need(j, "id", "the manifest").get<std::string>();
    m.created = need(j, "created", "the manifest").get<std::string>();
    m.tool = j.value("tool", "");
    m.duration_ms = j.value("duration_ms", std::int64_t{0});
    if (j.contains("source")) m.source = j.at("source").get<std::map<std::string, std::string>>();
    for (const auto& f : need(j, "files", "the manifest")) {
      m.files.push_back({need(f, "path", "a file").get<std::string>(), need(f, "role", "a file").get<std::string>(),
                         need(f, "bytes", "a file").get<std::uint64_t>(), need(f, "sha256", "a file").get<std::string>()});
    }
    const json& store = need(j, "store", "the manifest");
    m.store_integrity = store.value("integrity_check", "");
    if (store.contains("feature_counts")) {
      m.feature_counts = store.at("feature_counts").get<std::map<std::string, std::int64_t>>();
    }
    if (j.contains("auth")) m.auth_integrity = j.at("auth").value("integrity_check", "");
    if (j.contains("audit")) {
      m.has_audit = true;
      m.audit_entries = j.at("audit").value("entries", std::uint64_t{0});
      m.audit_chain = j.at("audit").value("chain", "");
    }
    return m;
  } catch (const json::exception& e) {
    throw DataError(std::string(kManifestName) + ": " + e.what());
  }
}

Manifest read_manifest(const std::filesystem::path& dir) {
  const auto path = dir / kManifestName;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw DataError("incomplete backup " + dir.string() + ": " + kManifestName +
                    " is missing (a backup cut short, or not a backup directory)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  const json j = json::parse(text.str(), nullptr, false);
  if (j.is_discarded()) throw DataError(path.string() + " is not JSON");
  return Manifest::from_json(j);
}

void write_manifest(const std::filesystem::path& dir, const Manifest& m) {
  const auto tmp = dir / (std::string(kManifestName) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << m.to_json().dump(2) << '\n';
    if (!out.flush()) throw StoreError("cannot write " + tmp.string());
  }
  sync_path(tmp);
  rename_synced(tmp, dir / kManifestName);
}

}  // namespace minqing::backup
