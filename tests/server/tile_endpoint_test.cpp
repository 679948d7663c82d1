// The tile endpoints over the sample villages: PNG tiles and their statuses, ETag/304, the
// confidential map refused, TileJSON, WMTS capabilities — and GDAL's own WMTS client reading them
// from a real server.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "geo/projection.hpp"
#include "geo/tile.hpp"
#include "render/png_encoder.hpp"
#include "server/app.hpp"
#include "store/serving_index.hpp"
#include "server/http_server.hpp"
#include "server/memory_file.hpp"
#include "server/response_head.hpp"
#include "server/tile_answer.hpp"
#include "server/tile_bytes.hpp"
#include "support/demo_client.hpp"
#include "support/loopback_server.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;
using nlohmann::json;

namespace {

const App& sample_app() {
  static const App app(test::sample_app_options("tile_endpoint"));
  return app;
}

Response get(const std::string& target, const std::string& if_none_match = {}) {
  Request req = test::request(http::verb::get, target);
  if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
  return test::send(sample_app(), std::move(req));
}

// The z tile over the centre of the sample's first village.
geo::TileId village_tile(int z) {
  std::vector<store::ServedFeaturePtr> villages;
  sample_app().index().query("villages", sample_app().index().extent(), villages);
  REQUIRE_FALSE(villages.empty());
  return geo::tile_at(villages.front()->bbox.center(), z);
}

std::string tile_path(const std::string& maps, geo::TileId t, const std::string& suffix = ".png") {
  return "/tiles/" + maps + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + suffix;
}

using test::status;

}  // namespace

TEST_CASE("a tile over a village is a 256 px PNG, @2x a 512 px one", "[server][tiles]") {
  const geo::TileId t = village_tile(16);
  const Response one = get(tile_path("terrain", t));
  REQUIRE(status(one) == 200);
  CHECK(one[http::field::content_type] == "image/png");
  const auto png = render::decode_png(std::string(one.body().bytes()));  // a tile is shared with the cache
  CHECK(png.width == 256);
  CHECK(png.height == 256);
  const Response two = get(tile_path("terrain", t, "@2x.png"));
  REQUIRE(status(two) == 200);
  CHECK(render::decode_png(std::string(two.body().bytes())).width == 512);
  CHECK(two[http::field::cache_control].find("public") != std::string::npos);
}

TEST_CASE("tiles carry an ETag and answer 304 to If-None-Match", "[server][tiles]") {
  const geo::TileId t = village_tile(15);
  const Response first = get(tile_path("terrain", t));
  REQUIRE(status(first) == 200);
  const std::string etag(first[http::field::etag]);
  REQUIRE(etag.size() > 2);
  const Response again = get(tile_path("terrain", t), etag);
  CHECK(status(again) == 304);
  CHECK(again.body().empty());
  CHECK(status(get(tile_path("terrain", t), "W/" + etag + ", \"other\"")) == 304);
  CHECK(status(get(tile_path("terrain", t), "\"stale\"")) == 200);
  const auto hits = sample_app().tile_cache().stats().hits;
  get(tile_path("terrain", t));
  CHECK(sample_app().tile_cache().stats().hits == hits + 1);
}

TEST_CASE("a cached tile is answered from the cache's own bytes, not a copy", "[server][tiles]") {
  const geo::TileId t = village_tile(17);
  const Response first = get(tile_path("terrain", t));
  REQUIRE(status(first) == 200);
  const auto hits = sample_app().tile_cache().stats().hits;
  const Response hit = get(tile_path("terrain", t));
  REQUIRE(sample_app().tile_cache().stats().hits == hits + 1);
  REQUIRE(hit.body().shared() != nullptr);
  // Both answers hold the one cached tile (server/response_body.hpp); what they send is the PNG.
  CHECK(hit.body().shared().get() == first.body().shared().get());
  CHECK(hit.body() == first.body());
  CHECK(hit[http::field::content_length] == std::to_string(hit.body().byte_size()));
  CHECK(render::decode_png(std::string(hit.body().bytes())).width == 256);
  // A cached tile lies in the cache's memory file, which the server sends with sendfile
  // (server/tile_bytes.hpp) — where this machine's shared memory allows one.
  INFO("tile of " << hit.body().byte_size() << " bytes");
  if (memory_file_pages_stay_whole()) {
    REQUIRE(hit.body().file());
    CHECK(hit.body().file()->size == hit.body().byte_size());
  }
  // HEAD: the same head, no body.
  const Response head = test::send(sample_app(), test::request(http::verb::head, tile_path("terrain", t)));
  CHECK(status(head) == 200);
  CHECK(head.body().byte_size() == 0);
  CHECK_FALSE(head.body().file());
  CHECK(head[http::field::content_length] == hit[http::field::content_length]);
  CHECK(head[http::field::etag] == hit[http::field::etag]);
}

TEST_CASE("on an io thread a cold tile is not drawn but handed on, a cached one is answered there", "[server][tiles]") {
  const geo::TileId t = village_tile(18);
  const Request req = test::request(http::verb::get, tile_path("terrain", t, "@2x.png"));
  const auto misses = sample_app().tile_cache().stats().misses;
  bool would_block = false;
  const RequestHandler::Later later = [](Response) { FAIL("nothing is deferred for terrain"); };
  CHECK_FALSE(sample_app().handler().handle(req, "127.0.0.1", later, false, &would_block).has_value());
  CHECK(would_block);
  CHECK(sample_app().tile_cache().stats().misses == misses + 1);  // looked up, not drawn
  // Where it may block (the server's blocking pool) it is drawn; then an io thread answers it.
  const auto drawn = sample_app().handler().handle(req, "127.0.0.1", later);
  REQUIRE(drawn.has_value());
  REQUIRE(status(*drawn) == 200);
  const auto hit = sample_app().handler().handle(req, "127.0.0.1", later, false, &would_block);
  CHECK_FALSE(would_block);
  REQUIRE(hit.has_value());
  CHECK(status(*hit) == 200);
  CHECK(hit->body() == drawn->body());
  CHECK((*hit)[http::field::etag] == (*drawn)[http::field::etag]);
}

// What a server session asks of the handler (http_server.cpp): may block (the blocking pool), and
// takes whole answers.
std::optional<Response> session_answer(const Request& req) {
  const RequestHandler::Later later = [](Response) { FAIL("nothing is deferred for terrain"); };
  return sample_app().handler().handle(req, "127.0.0.1", later, true, nullptr, true);
}

// The bytes of a file range, read back from the file.
std::string read_range(const FileRange& r) {
  std::string out(r.size, '\0');
  REQUIRE(::pread(r.fd, out.data(), r.size, static_cast<off_t>(r.offset)) == static_cast<ssize_t>(r.size));
  return out;
}

TEST_CASE("a plain request for a cached tile is answered whole: the first answer's head kept before its bytes",
          "[server][tiles]") {
  if (!memory_file_pages_stay_whole()) {
    WARN("no memory file on this machine: tiles are copied, never answered whole");
    return;
  }
  const geo::TileId t = village_tile(16);
  const Request req = test::request(http::verb::get, tile_path("terrain", t));
  const auto first = session_answer(req);
  REQUIRE(first.has_value());
  REQUIRE(status(*first) == 200);
  CHECK_FALSE(first->body().whole());  // the general path: fields, then the head formatted from them
  std::string wire;
  append_response_head(wire, *first);
  wire += first->body().bytes();

  for (int i = 0; i < 2; ++i) {
    const auto again = session_answer(req);
    REQUIRE(again.has_value());
    REQUIRE(again->body().whole());
    CHECK(status(*again) == 200);
    CHECK(again->begin() == again->end());  // no fields: the head is in the file
    CHECK(again->body().bytes() == first->body().bytes());
    REQUIRE(again->body().file());
    // What sendfile sends is exactly what the general path sent.
    CHECK(read_range(*again->body().file()) == wire);
  }

  // Any other request for it takes the general path, fields and all.
  const auto not_whole = [&](Request r, const char* what) {
    INFO(what);
    const auto res = session_answer(r);
    REQUIRE(res.has_value());
    CHECK_FALSE(res->body().whole());
    CHECK((*res)[http::field::etag] == (*first)[http::field::etag]);
    return *res;
  };
  CHECK(status(not_whole(test::request(http::verb::head, tile_path("terrain", t)), "HEAD")) == 200);
  Request conditional = req;
  conditional.set(http::field::if_none_match, (*first)[http::field::etag]);
  CHECK(status(not_whole(conditional, "If-None-Match")) == 304);
  Request closing = req;
  closing.keep_alive(false);
  CHECK(not_whole(closing, "Connection: close")[http::field::connection] == "close");
  Request old = req;
  old.version(10);
  CHECK(not_whole(old, "HTTP/1.0").version() == 10);
  // A caller that reads fields (handle() without whole answers) always gets them.
  const Response plain = get(tile_path("terrain", t));
  CHECK_FALSE(plain.body().whole());
  CHECK(plain[http::field::content_type] == "image/png");
}

TEST_CASE("a nearly empty cached tile is answered whole too", "[server][tiles]") {
  if (!memory_file_pages_stay_whole()) {
    WARN("no memory file on this machine: tiles are copied, never answered whole");
    return;
  }
  geo::TileId t = village_tile(16);
  t.x += 40;  // ~24 km east of the sample's villages: no feature, no relief
  const Request req = test::request(http::verb::get, tile_path("terrain", t));
  const auto first = session_answer(req);
  REQUIRE(first.has_value());
  REQUIRE(status(*first) == 200);
  CHECK(first->body().byte_size() < 1024);
  std::string wire;
  append_response_head(wire, *first);
  wire += first->body().bytes();
  const auto again = session_answer(req);
  REQUIRE(again.has_value());
  REQUIRE(again->body().whole());
  REQUIRE(again->body().file());
  CHECK(read_range(*again->body().file()) == wire);
}

TEST_CASE("a tile's whole answer is kept for one answer variant and never sent for another", "[server][tiles]") {
  TileBytesKeeper keeper(1);
  const TileBytes body = keeper.keep(std::string(20000, 'p'), kTileHeadRoom);
  if (!body.file()) {
    WARN("no memory file on this machine");
    return;
  }
  REQUIRE(body.head_room() == kTileHeadRoom);
  TileAnswer answer;
  const unsigned anonymous = TileAnswer::variant(true, false);
  const unsigned signed_in = TileAnswer::variant(false, false);
  REQUIRE(anonymous != signed_in);
  CHECK_FALSE(answer.get(body, anonymous));
  answer.prepare(body, anonymous, "HTTP/1.1 200 OK\r\nCache-Control: public\r\n\r\n");
  REQUIRE(answer.get(body, anonymous));
  CHECK_FALSE(answer.get(body, signed_in));
  CHECK_FALSE(answer.get(body, TileAnswer::variant(false, true)));
  // Prepared once: a later head (another variant, or the same again) does not overwrite it.
  answer.prepare(body, signed_in, "HTTP/1.1 200 OK\r\nCache-Control: private\r\n\r\n");
  CHECK_FALSE(answer.get(body, signed_in));
  const std::string whole = read_range(*answer.get(body, anonymous));
  CHECK(whole == "HTTP/1.1 200 OK\r\nCache-Control: public\r\n\r\n" + std::string(20000, 'p'));
  // The body itself is unchanged by the head before it.
  CHECK(body.view() == std::string(20000, 'p'));
  // A head larger than the room is not kept.
  TileAnswer other;
  other.prepare(body, anonymous, std::string(kTileHeadRoom + 1, 'h'));
  CHECK_FALSE(other.get(body, anonymous));
}

TEST_CASE("over a real connection, repeated plain requests for a tile get the same bytes", "[server][tiles]") {
  const geo::TileId t = village_tile(15);
  test::LoopbackServer http(sample_app().handler());
  const std::string url = http.url() + tile_path("terrain", t);
  // One curl, one keep-alive connection, three requests: the first is drawn (general path), the
  // others are answered whole. curl writes the three heads, as received, one after the other.
  const auto dir = test::scratch_dir("whole_answer_wire");
  const auto file = [&](const std::string& name) { return (dir / name).string(); };
  const auto out = test::run_command("curl -s -D '" + file("heads") + "' -o '" + file("1.png") + "' -o '" +
                                     file("2.png") + "' -o '" + file("3.png") + "' '" + url + "' '" + url + "' '" +
                                     url + "' 2>&1");
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  const auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string heads = slurp(file("heads"));
  REQUIRE(heads.size() % 3 == 0);
  const std::string one = heads.substr(0, heads.size() / 3);
  INFO(one);
  CHECK(one.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(one.find("Content-Type: image/png\r\n") != std::string::npos);
  CHECK(heads == one + one + one);
  const std::string png = slurp(file("1.png"));
  CHECK(one.find("Content-Length: " + std::to_string(png.size()) + "\r\n") != std::string::npos);
  CHECK(render::decode_png(png).width == 256);
  CHECK(slurp(file("2.png")) == png);
  CHECK(slurp(file("3.png")) == png);
}

TEST_CASE("anonymous callers see the public scope: terrain only, key_persons not even named", "[server][tiles]") {
  const geo::TileId t = village_tile(16);
  // policy/README.md: a confidential map answers as an unknown one (404), any other refused map 403.
  CHECK(status(get(tile_path("key_persons", t))) == 404);
  CHECK(json::parse(get(tile_path("key_persons", t)).body()).at("detail") == "no map named \"key_persons\"");
  CHECK(status(get(tile_path("terrain,key_persons", t))) == 404);
  CHECK(status(get("/tiles/key_persons.json")) == 404);
  CHECK(status(get(tile_path("disaster", t))) == 403);
  CHECK(status(get("/tiles/terrain,disaster.json")) == 403);
  const Response caps = get("/wmts?SERVICE=WMTS&REQUEST=GetCapabilities");
  REQUIRE(status(caps) == 200);
  CHECK(caps.body().find("<ows:Identifier>terrain</ows:Identifier>") != std::string::npos);
  CHECK(caps.body().find("key_persons") == std::string::npos);
  CHECK(caps.body().find("<ows:Identifier>disaster</ows:Identifier>") == std::string::npos);
}

TEST_CASE("bad tile requests get a clear JSON error", "[server][tiles]") {
  const std::vector<std::pair<std::string, int>> cases = {
      {"/tiles/terrain/a/1/1.png", 400},
      {"/tiles/terrain/16/-1/1.png", 400},
      {"/tiles/terrain/16/1/99999999.png", 400},
      {"/tiles/terrain/2/4/0.png", 400},
      {"/tiles/terrain/30/0/0.png", 400},
      {"/tiles/terrain/22/0/0.png", 404},  // above the map's maxzoom
      {"/tiles/roads/16/1/1.png", 404},
      {"/tiles/terrain,,industry/16/1/1.png", 400},
      {"/tiles/terrain/16/1/1.jpg", 404},
      {"/tiles/terrain/16/1.png", 404},
      {"/tiles/../etc/passwd", 400},
      {"/tiles/terrain/%2e%2e/1/1.png", 400},
      {"/wmts?SERVICE=WMS&REQUEST=GetCapabilities", 400},
      {"/wmts?SERVICE=WMTS&REQUEST=GetFeatureInfo", 400},
  };
  for (const auto& [target, expected] : cases) {
    INFO(target);
    const Response r = get(target);
    CHECK(status(r) == expected);
    const json body = json::parse(r.body(), nullptr, false);
    REQUIRE_FALSE(body.is_discarded());
    CHECK(body.contains("error"));
    CHECK(body.contains("detail"));
  }
}

TEST_CASE("TileJSON describes the map and where its data lies", "[server][tiles]") {
  const Response r = get("/tiles/terrain.json");
  REQUIRE(status(r) == 200);
  const json doc = json::parse(r.body());
  CHECK(doc.at("tilejson") == "3.0.0");
  CHECK(doc.at("tiles").at(0) == "http://127.0.0.1:8080/tiles/terrain/{z}/{x}/{y}.png");
  const auto& b = doc.at("bounds");
  const geo::BBox m = sample_app().index().extent();
  const geo::Coord centre = geo::mercator_to_lonlat(m.center());
  CHECK(b.at(0).get<double>() < centre.x);
  CHECK(b.at(2).get<double>() > centre.x);
  CHECK(b.at(1).get<double>() < centre.y);
  CHECK(b.at(3).get<double>() > centre.y);
  CHECK(doc.at("minzoom").get<int>() <= doc.at("maxzoom").get<int>());
  CHECK_FALSE(doc.at("attribution").get<std::string>().empty());
}

namespace {
std::string run(const std::string& cmd, int& exit_code) {
  auto result = test::run_command(cmd);
  exit_code = result.exit_code;
  return result.output;
}
}  // namespace

TEST_CASE("GDAL's WMTS driver opens the capabilities and fetches tiles from a real server", "[server][tiles][gdal]") {
  test::LoopbackServer http(sample_app().handler());
  const std::string url = http.url() + "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities";

  // GDAL keeps fetched tiles in ./gdalwmscache by default: a cache shared by every run from this
  // folder (which once ended up committed). Keep this case's cache in its own scratch folder.
  const auto scratch = test::scratch_dir("wmts");
  const std::string own_cache = " --config GDAL_DEFAULT_WMS_CACHE_PATH '" + (scratch / "gdalwmscache").string() + "' ";
  int code = 0;
  const std::string info = run("gdalinfo" + own_cache + "'WMTS:" + url + "'", code);
  INFO(info);
  CHECK(code == 0);
  CHECK(info.find("Driver: WMTS") != std::string::npos);  // one layer: GDAL opens it directly
  CHECK(info.find("layer=disaster") == std::string::npos);  // anonymous: the public scope only
  CHECK(info.find("key_persons") == std::string::npos);

  // Fetch the sample's extent through GDAL at 512 px: GDAL picks a zoom and reads real tiles.
  const geo::BBox m = sample_app().index().extent();
  const auto out = scratch / "terrain.png";
  char projwin[256];
  std::snprintf(projwin, sizeof projwin, "-projwin %.3f %.3f %.3f %.3f", m.min_x, m.max_y, m.max_x, m.min_y);
  const std::string translated = run("gdal_translate" + own_cache + "-q -of PNG -outsize 512 0 " + std::string(projwin) + " 'WMTS:" + url +
                                         ",layer=terrain' " + out.string(), code);
  INFO(translated);
  CHECK(code == 0);
  REQUIRE(std::filesystem::exists(out));
  std::ifstream in(out, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto png = render::decode_png(bytes);
  CHECK(png.width == 512);
  // The map is drawn: many distinct colours, not one flat fill.
  std::set<std::uint32_t> colours;
  for (std::size_t i = 0; i + 3 < png.rgba.size(); i += 4 * 97) {
    colours.insert(static_cast<std::uint32_t>(static_cast<unsigned char>(png.rgba[i])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(png.rgba[i + 1])) << 8 |
                   static_cast<unsigned char>(png.rgba[i + 2]));
  }
  CHECK(colours.size() > 20);

}
