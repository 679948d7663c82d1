// A confidential read's answer waits for its audit entry without holding a server thread
// (server/deferred_audit.hpp): RequestHandler::handle(req, peer, later) hands the answer on only
// once the entry is in the log, answers everything else at once, and gives a 500 in place of the
// confidential answer when the log cannot be written.

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "access/audit_log.hpp"
#include "geo/tile.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "support/demo_client.hpp"

using namespace minqing;
using namespace std::chrono_literals;

namespace {

// A tile over the sample's first village, at zoom z.
std::string tile_path(const server::App& app, const std::string& map, int z) {
  const geo::TileId t = geo::tile_at(app.index().extent().center(), z);
  return "/tiles/" + map + "/" + std::to_string(z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".png";
}

server::Request signed_get(const std::string& target, const std::string& token) {
  server::Request req = test::request(server::http::verb::get, target);
  if (!token.empty()) req.set(server::http::field::authorization, "Bearer " + token);
  return req;
}

// What `later` received, and how many entries the log held at that moment.
struct Later {
  std::promise<std::pair<server::Response, std::uint64_t>> promise;
  std::future<std::pair<server::Response, std::uint64_t>> future = promise.get_future();

  server::RequestHandler::Later callback(const std::filesystem::path& log) {
    return [this, log](server::Response r) { promise.set_value({std::move(r), access::AuditLog::verify(log).entries}); };
  }
  std::pair<server::Response, std::uint64_t> get() {
    REQUIRE(future.wait_for(30s) == std::future_status::ready);
    return future.get();
  }
};

}  // namespace

TEST_CASE("a key_persons tile is handed on only once its audit entry is in the log, a public one at once",
          "[server][audit][durable]") {
  server::AppOptions options = test::demo_app_options("deferred-audit-ok");
  options.durable_audit = true;  // as minqing serve runs
  const server::App app(options);
  const std::string token = test::sign_in(app, "admin");
  const std::uint64_t before = access::AuditLog::verify(options.audit_log).entries;

  Later later;
  const std::optional<server::Response> now =
      app.handler().handle(signed_get(tile_path(app, "key_persons", 16), token), test::kDemoPeer,
                           later.callback(options.audit_log));
  CHECK_FALSE(now);  // not answered by the handler's thread
  const auto [answer, entries_then] = later.get();
  CHECK(test::status(answer) == 200);
  CHECK(answer[server::http::field::content_type] == "image/png");
  CHECK(answer[server::http::field::cache_control].find("no-store") != std::string::npos);
  CHECK(entries_then == before + 1);  // the entry was in the file before the answer left
  const auto last = app.audit_log().page(entries_then - 1, 1).entries.at(0);
  CHECK(last.at("action") == access::audit_action::key_persons_tile);
  CHECK(last.at("user") == "admin");

  // A composite with the key persons: one entry, one wait. The same tile again (a cache hit): again.
  Later composite;
  CHECK_FALSE(app.handler().handle(signed_get(tile_path(app, "terrain,key_persons", 16), token), test::kDemoPeer,
                                   composite.callback(options.audit_log)));
  CHECK(test::status(composite.get().first) == 200);
  Later hit;
  CHECK_FALSE(app.handler().handle(signed_get(tile_path(app, "key_persons", 16), token), test::kDemoPeer,
                                   hit.callback(options.audit_log)));
  const auto [hit_answer, hit_entries] = hit.get();
  CHECK(test::status(hit_answer) == 200);
  CHECK(hit_entries == before + 3);

  // Nothing confidential: answered at once, `later` never called.
  bool called = false;
  const auto terrain = app.handler().handle(signed_get(tile_path(app, "terrain", 16), token), test::kDemoPeer,
                                            [&called](server::Response) { called = true; });
  REQUIRE(terrain);
  CHECK(test::status(*terrain) == 200);
  const auto refused = app.handler().handle(signed_get(tile_path(app, "key_persons", 16), ""), test::kDemoPeer,
                                            [&called](server::Response) { called = true; });
  REQUIRE(refused);
  CHECK(test::status(*refused) == 404);  // anonymous: the map is not confirmed to exist, nothing audited
  CHECK_FALSE(called);
  CHECK(access::AuditLog::verify(options.audit_log).entries == before + 3);
}

TEST_CASE("when the audit log cannot be written, a waiting key_persons answer becomes a 500",
          "[server][audit][durable]") {
  server::AppOptions options = test::demo_app_options("deferred-audit-broken");
  const server::App app(options);
  const std::string token = test::sign_in(app, "admin");
  // A damaged last line: the log refuses every append until an administrator looks at it.
  {
    std::ofstream out(options.audit_log, std::ios::app | std::ios::binary);
    out << "{\"seq\":";
  }
  Later later;
  CHECK_FALSE(app.handler().handle(signed_get(tile_path(app, "key_persons", 16), token), test::kDemoPeer,
                                   later.callback(options.audit_log)));
  const server::Response answer = later.get().first;
  CHECK(test::status(answer) == 500);
  CHECK(answer[server::http::field::content_type] == "application/json; charset=utf-8");
  CHECK(test::json_body(answer).at("detail").get<std::string>().find("audit log") != std::string::npos);
  CHECK(answer.body().find("PNG") == std::string::npos);  // not the tile
  CHECK(answer[server::http::field::content_length] == std::to_string(answer.body().size()));
}
