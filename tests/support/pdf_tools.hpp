#pragma once
// What a reader does with a printed sheet, through poppler-utils (scripts/install-deps.sh):
// pdftotext (is the text really text?), pdffonts (are the fonts embedded?), pdfinfo (page size,
// pages), pdftoppm (does it render, and what?). Files go to the caller's scratch directory.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "render/png_encoder.hpp"
#include "support/run_command.hpp"

namespace minqing::test {

inline std::filesystem::path write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f.good());
  return path;
}

inline std::string shell_quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// The PDF's text as pdftotext extracts it, with all white space removed (a title or a legend
// entry is searched for as a whole, wherever the extraction breaks lines).
inline std::string pdf_text(const std::filesystem::path& pdf) {
  const CommandResult r = run_command("pdftotext -enc UTF-8 " + shell_quote(pdf) + " - 2>&1");
  REQUIRE(r.exit_code == 0);
  std::string out;
  for (const char c : r.output) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\f' && c != '\r') out += c;
  }
  return out;
}

// pdfinfo's "Key: value" lines.
inline std::map<std::string, std::string> pdf_info(const std::filesystem::path& pdf) {
  const CommandResult r = run_command("pdfinfo " + shell_quote(pdf) + " 2>&1");
  REQUIRE(r.exit_code == 0);
  std::map<std::string, std::string> out;
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto start = line.find_first_not_of(' ', colon + 1);
    out[line.substr(0, colon)] = start == std::string::npos ? "" : line.substr(start);
  }
  return out;
}

// pdffonts' rows (after the two header lines): one per font.
inline std::vector<std::string> pdf_fonts(const std::filesystem::path& pdf) {
  const CommandResult r = run_command("pdffonts " + shell_quote(pdf) + " 2>&1");
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> rows;
  std::istringstream in(r.output);
  std::string line;
  for (int n = 0; std::getline(in, line); ++n) {
    if (n >= 2 && !line.empty()) rows.push_back(line);
  }
  return rows;
}

// Page `page` (1-based) rendered by pdftoppm at `dpi`.
inline render::DecodedPng pdf_page_png(const std::filesystem::path& pdf, int dpi, int page = 1) {
  const auto stem = pdf.parent_path() / (pdf.stem().string() + "-page" + std::to_string(page));
  const std::string n = std::to_string(page);
  const CommandResult r = run_command("pdftoppm -r " + std::to_string(dpi) + " -png -f " + n + " -l " + n +
                                      " -singlefile " + shell_quote(pdf) + " " + shell_quote(stem) + " 2>&1");
  REQUIRE(r.exit_code == 0);
  std::ifstream f(stem.string() + ".png", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return render::decode_png(ss.str());
}

// How many pixels of `png` in the box (pixels) differ from white, and how many distinct colours
// (quantised to 4 bits a channel) they have.
struct InkCount {
  std::size_t inked = 0;
  std::size_t total = 0;
  std::size_t colours = 0;
};
inline InkCount ink(const render::DecodedPng& png, int x0, int y0, int x1, int y1) {
  InkCount c;
  std::vector<bool> seen(4096, false);
  for (int y = std::max(0, y0); y < std::min(png.height, y1); ++y) {
    for (int x = std::max(0, x0); x < std::min(png.width, x1); ++x) {
      const auto* p = reinterpret_cast<const unsigned char*>(png.rgba.data()) + (static_cast<std::size_t>(y) * png.width + x) * 4;
      ++c.total;
      if (p[0] < 245 || p[1] < 245 || p[2] < 245) ++c.inked;
      const int q = (p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4);
      if (!seen[static_cast<std::size_t>(q)]) {
        seen[static_cast<std::size_t>(q)] = true;
        ++c.colours;
      }
    }
  }
  return c;
}

}  // namespace minqing::test
