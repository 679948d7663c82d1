// GET /api/sheets/… (issue 11) through the App, as the demo accounts: a sheet for what the caller
// may see, refused as tiles refuse a map, 403 outside the role's area for a map the public does
// not see, 404 for an unknown village, 400 naming a bad parameter; the key persons sheet audited,
// marked and "private, no-store".

#include <set>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "print/sheet_marks.hpp"
#include "server/app.hpp"
#include "support/demo_client.hpp"
#include "support/pdf_tools.hpp"
#include "support/test_env.hpp"

using namespace minqing;
using namespace minqing::server;

namespace {

constexpr const char* kVillage = "331124207202";  // 小吊门村: cadre2's village; cadre's is …201

const App& demo_app() {
  static const App app(test::demo_app_options("sheet_endpoint"));
  return app;
}

Response get(const std::string& target, const std::string& user = {}) {
  static test::DemoTokens tokens(demo_app(), "192.0.2.9");
  return test::get(demo_app(), target, tokens(user), "192.0.2.9");
}

std::string cache_control(const Response& r) { return std::string(r[http::field::cache_control]); }

}  // namespace

TEST_CASE("a sheet is a PDF of the size asked for, for a caller who may see the map", "[server][sheets]") {
  const auto dir = test::scratch_dir("sheet-endpoint-pdf");
  const Response r = get(std::string("/api/sheets/") + kVillage + "/disaster.pdf?paper=A4&orientation=landscape", "planner");
  INFO(r.body().substr(0, 300));
  REQUIRE(test::status(r) == 200);
  CHECK(r[http::field::content_type] == "application/pdf");
  CHECK(cache_control(r).find("no-store") == std::string::npos);
  const auto pdf = test::write_file(dir / "disaster.pdf", r.body());
  CHECK(test::pdf_info(pdf).at("Page size") == "841.89 x 595.276 pts (A4)");
  CHECK(test::pdf_text(pdf).find("小吊门村防灾避险图") != std::string::npos);
}

TEST_CASE("a map the caller may not see answers as its tiles do", "[server][sheets]") {
  const std::string base = std::string("/api/sheets/") + kVillage;
  CHECK(test::status(get(base + "/disaster.pdf")) == 403);          // anonymous: terrain only
  CHECK(test::status(get(base + "/key_persons.pdf")) == 404);       // confidential: as unknown
  CHECK(test::status(get(base + "/key_persons.pdf", "planner")) == 404);
  CHECK(test::status(get(base + "/key_persons.png", "planner")) == 404);
  CHECK(test::status(get(base + "/nosuchmap.pdf", "admin")) == 404);
  // The public's map is printed for anyone, anywhere.
  CHECK(test::status(get(base + "/terrain.png?dpi=36")) == 200);
  // A map only the role sees, for a village outside the role's area: 403, as statistics.
  const Response outside = get(base + "/key_persons.pdf", "cadre");
  CHECK(test::status(outside) == 403);
  CHECK(test::status(get(base + "/terrain.pdf?paper=A4", "cadre")) == 200);
}

TEST_CASE("the key persons sheet is audited, marked, watermarked and never cached", "[server][sheets]") {
  const auto dir = test::scratch_dir("sheet-endpoint-kp");
  const auto before = test::audit_entries(demo_app()).size();
  const Response r = get(std::string("/api/sheets/") + kVillage + "/key_persons.pdf", "cadre2");
  REQUIRE(test::status(r) == 200);
  CHECK(cache_control(r).find("no-store") != std::string::npos);
  std::vector<nlohmann::json> sheets;  // (signing in is audited too)
  const auto entries = test::audit_entries(demo_app());
  for (std::size_t i = before; i < entries.size(); ++i) {
    if (entries[i].at("action") == "key_persons_sheet") sheets.push_back(entries[i]);
  }
  REQUIRE(sheets.size() == 1);
  CHECK(sheets[0].at("user") == "cadre2");
  CHECK(sheets[0].at("detail").at("village") == kVillage);
  CHECK(sheets[0].at("detail").at("map") == "key_persons");
  const std::string text = test::pdf_text(test::write_file(dir / "kp.pdf", r.body()));
  CHECK(text.find("内部资料注意保密") != std::string::npos);
  CHECK(text.find("cadre2") != std::string::npos);
}

TEST_CASE("a village's sheets come as one PDF, a page per map the caller may see there", "[server][sheets]") {
  const auto dir = test::scratch_dir("sheet-endpoint-village");
  const Response all = get(std::string("/api/sheets/") + kVillage + ".pdf?paper=A4", "planner");
  REQUIRE(test::status(all) == 200);
  CHECK(test::pdf_info(test::write_file(dir / "all.pdf", all.body())).at("Pages") == "2");  // terrain, disaster
  const Response two = get(std::string("/api/sheets/") + kVillage + ".pdf?paper=A4&maps=disaster", "planner");
  REQUIRE(test::status(two) == 200);
  CHECK(test::pdf_info(test::write_file(dir / "one.pdf", two.body())).at("Pages") == "1");
  CHECK(test::status(get(std::string("/api/sheets/") + kVillage + ".pdf?maps=key_persons", "planner")) == 404);
  CHECK(test::status(get(std::string("/api/sheets/") + kVillage + ".pdf?maps=key_persons", "cadre")) == 403);
}

TEST_CASE("bad sheet parameters are 400 naming them, an unknown village 404", "[server][sheets]") {
  const std::string base = std::string("/api/sheets/") + kVillage;
  const auto bad = [](const std::string& target, const std::string& names) {
    const Response r = get(target, "admin");
    INFO(target << " → " << r.body());
    CHECK(test::status(r) == 400);
    CHECK(r.body().find(names) != std::string::npos);
  };
  bad(base + "/terrain.pdf?paper=B5", "paper");
  bad(base + "/terrain.pdf?orientation=sideways", "orientation");
  bad(base + "/terrain.pdf?scale=1234", "scale");
  bad(base + "/terrain.png?dpi=600", "dpi");
  bad(base + "/terrain.png?dpi=abc", "dpi");
  bad(base + "/terrain.pdf?colour=red", "colour");
  bad(base + ".pdf?maps=Terrain", "maps");
  bad("/api/sheets/33112420/terrain.pdf", "village");
  CHECK(test::status(get("/api/sheets/331124207299/terrain.pdf", "admin")) == 404);
  CHECK(test::status(get("/api/sheets/331124207299.pdf", "admin")) == 404);
}

TEST_CASE("a sheet as PNG is the page at the dpi asked for", "[server][sheets]") {
  const Response r = get(std::string("/api/sheets/") + kVillage + "/terrain.png?dpi=60&paper=A3&orientation=portrait");
  REQUIRE(test::status(r) == 200);
  CHECK(r[http::field::content_type] == "image/png");
  const auto png = render::decode_png(r.body());
  CHECK(png.width == 702);   // 297 mm at 60 dpi
  CHECK(png.height == 992);  // 420 mm
}
