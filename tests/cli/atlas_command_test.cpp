// `minqing atlas` (issue 11): one PDF per sheet plus one per village, and resumable — a second run
// skips every file, a changed option makes the sheets it changes again.

#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/pdf_tools.hpp"
#include "support/run_command.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

constexpr const char* kVillage = "331124207202";

test::CommandResult atlas(const std::filesystem::path& dir, const std::string& extra) {
  const std::string cmd = test::minqing_bin().string() + " atlas --store '" + test::sample_store().string() +
                          "' --layers '" + test::layers_dir().string() + "' --styles '" + test::styles_dir().string() +
                          "' --villages " + kVillage + " --out '" + (dir / "atlas").string() + "' --auth '" +
                          (dir / "auth.sqlite").string() + "' --audit '" + (dir / "audit.jsonl").string() + "' --jobs 2 " +
                          extra + " 2>&1";
  return test::run_command(cmd);
}

std::filesystem::file_time_type mtime(const std::filesystem::path& p) { return std::filesystem::last_write_time(p); }

}  // namespace

TEST_CASE("the atlas writes a PDF per sheet and per village, and a second run skips them all", "[cli][atlas]") {
  const auto dir = test::scratch_dir("atlas");
  const auto out = dir / "atlas";
  const auto first = atlas(dir, "--maps terrain,disaster,key_persons --paper A4");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("3 sheets written, 0 skipped; 1 village PDFs written") != std::string::npos);
  const auto sheet = out / kVillage / (std::string(kVillage) + "-disaster.pdf");
  const auto village = out / (std::string(kVillage) + ".pdf");
  REQUIRE(std::filesystem::exists(sheet));
  REQUIRE(std::filesystem::exists(village));
  // The village's PDF is its sheets joined: every page, its text and its embedded fonts.
  CHECK(test::pdf_info(village).at("Pages") == "3");
  const std::string village_text = test::pdf_text(village);
  for (const char* title : {"小吊门村村情民情图", "小吊门村防灾避险图", "小吊门村重点人员图"}) {
    INFO(title);
    CHECK(village_text.find(title) != std::string::npos);
  }
  for (const auto& row : test::pdf_fonts(village)) {
    INFO(row);
    CHECK(row.find(" yes ") != std::string::npos);
  }
  CHECK(test::run_command("pdftoppm -r 20 -png -f 3 -l 3 '" + village.string() + "' '" + (dir / "p").string() +
                          "' 2>&1").output.empty());  // poppler reads the joined file without complaint
  CHECK(test::pdf_text(out / kVillage / (std::string(kVillage) + "-key_persons.pdf")).find("内部资料注意保密") !=
        std::string::npos);
  // Printing the confidential map is audited.
  CHECK(test::run_command("grep -c key_persons_sheet '" + (dir / "audit.jsonl").string() + "'").output.find("1") == 0);

  const auto sheet_time = mtime(sheet), village_time = mtime(village);
  const auto second = atlas(dir, "--maps terrain,disaster,key_persons --paper A4");
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(second.output.find("0 sheets written, 3 skipped; 0 village PDFs written, 1 skipped") != std::string::npos);
  CHECK(mtime(sheet) == sheet_time);
  CHECK(mtime(village) == village_time);

  // Another paper for one sheet: that sheet and its village's PDF are made again.
  const auto third = atlas(dir, "--maps disaster --paper A3");
  INFO(third.output);
  REQUIRE(third.exit_code == 0);
  CHECK(third.output.find("1 sheets written, 0 skipped; 1 village PDFs written") != std::string::npos);
  CHECK(test::pdf_info(sheet).at("Page size").find("(A3)") != std::string::npos);
}

TEST_CASE("the atlas refuses an unknown village, map or paper", "[cli][atlas]") {
  const auto dir = test::scratch_dir("atlas-bad");
  CHECK(atlas(dir, "--maps nosuchmap").exit_code == 2);
  CHECK(atlas(dir, "--paper B5").exit_code == 2);
  CHECK(test::run_command(test::minqing_bin().string() + " atlas --villages 331124207299 --out '" +
                          (dir / "x").string() + "' --store '" + test::sample_store().string() + "' 2>&1")
            .exit_code == 2);
}

TEST_CASE("the atlas redraws only the missing sheet and joins the village's PDF from the sheets' files", "[cli][atlas]") {
  // A village's PDF is the PDF its sheets were drawn on when all of them are drawn; when some are
  // current, only the others are drawn and the village's PDF is joined from the sheets' files.
  const auto dir = test::scratch_dir("atlas-join");
  const auto out = dir / "atlas";
  REQUIRE(atlas(dir, "--maps terrain,disaster,key_persons --paper A4").exit_code == 0);
  const auto terrain = out / kVillage / (std::string(kVillage) + "-terrain.pdf");
  const auto disaster = out / kVillage / (std::string(kVillage) + "-disaster.pdf");
  const auto village = out / (std::string(kVillage) + ".pdf");
  const auto terrain_time = mtime(terrain);
  std::filesystem::remove(disaster);
  std::filesystem::remove(village);
  const auto again = atlas(dir, "--maps terrain,disaster,key_persons --paper A4");
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(again.output.find("1 sheets written, 2 skipped; 1 village PDFs written, 0 skipped") != std::string::npos);
  CHECK(mtime(terrain) == terrain_time);
  REQUIRE(std::filesystem::exists(disaster));
  CHECK(test::pdf_info(disaster).at("Pages") == "1");
  CHECK(test::pdf_text(disaster).find("小吊门村防灾避险图") != std::string::npos);
  CHECK(test::pdf_info(village).at("Pages") == "3");
  const std::string text = test::pdf_text(village);
  std::size_t at = 0;
  for (const char* title : {"小吊门村村情民情图", "小吊门村防灾避险图", "小吊门村重点人员图"}) {  // in map order
    INFO(title);
    const auto found = text.find(title, at);
    CHECK(found != std::string::npos);
    if (found != std::string::npos) at = found;
  }
  CHECK(test::run_command("pdftoppm -r 20 -png '" + village.string() + "' '" + (dir / "p").string() + "' 2>&1")
            .output.empty());
}
