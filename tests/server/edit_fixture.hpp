#pragma once
// An App over a private copy of the committed sample (demo accounts on), for the editing tests:
// every case writes to its own file, never to the sample, never to another case's copy. Plus the
// requests a client of server/edit_endpoint.hpp sends (JSON bodies, If-Match, Content-Crs) and a
// hash of the store's files, to check that a refused write changed nothing.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "access/crypto.hpp"
#include "support/demo_client.hpp"

namespace minqing::test {

struct EditFixture {
  std::filesystem::path store;
  std::unique_ptr<server::App> app;
  std::unique_ptr<DemoTokens> tokens;

  explicit EditFixture(const std::string& name) {
    store = scratch_dir(name) / "store.gpkg";
    std::filesystem::copy_file(sample_store(), store);
    server::AppOptions o = app_options(store, name);
    o.demo_accounts = true;
    o.auth_db = store.parent_path() / "auth.sqlite";
    o.audit_log = store.parent_path() / "audit.jsonl";
    app = std::make_unique<server::App>(o);
    tokens = std::make_unique<DemoTokens>(*app, kDemoPeer);
  }

  const std::string& token(const std::string& user) { return (*tokens)(user); }

  // A request with a JSON body (none when `body` is null) and optional If-Match.
  server::Response send_json(server::http::verb verb, const std::string& target, const nlohmann::json& body,
                             const Auth& auth, std::optional<std::string> if_match = std::nullopt,
                             const char* type = "application/geo+json") {
    server::Request req = request(verb, target);
    if (!body.is_null()) {
      req.set(server::http::field::content_type, type);
      req.body() = body.dump();
      req.prepare_payload();
    }
    if (if_match) req.set(server::http::field::if_match, *if_match);
    return send(*app, std::move(req), auth);
  }

  // The first feature of `cls` (as the admin reads it) matching `filter` (a CQL2 text, may be "").
  nlohmann::json first(const std::string& cls, const std::string& filter = "") {
    std::string target = "/collections/" + cls + "/items?limit=1";
    if (!filter.empty()) target += "&filter=" + enc(filter);
    const auto r = get(*app, target, token("admin"));
    REQUIRE(status(r) == 200);
    const auto body = json_body(r);
    REQUIRE(!body["features"].empty());
    return body["features"][0];
  }
};

inline std::string etag_of(const server::Response& r) { return std::string(r[server::http::field::etag]); }

// SHA-256 of the store file and its WAL (when there is one): equal before and after a refused
// write means the refusal changed nothing on disk.
inline std::string store_hash(const std::filesystem::path& store) {
  std::string all;
  for (const auto& p : {store, std::filesystem::path(store.string() + "-wal")}) {
    if (!std::filesystem::exists(p)) continue;
    std::ifstream in(p, std::ios::binary);
    all += std::string(std::istreambuf_iterator<char>(in), {});
  }
  return access::sha256_hex(all);
}

}  // namespace minqing::test
