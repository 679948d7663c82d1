// Printable sheets (issue 11) of the committed sample, checked as a reader of the PDF would:
// page size, text that pdftotext finds (title, every legend entry present, scale, date), embedded
// fonts, a map that renders and is not blank, and the confidential map's marking and watermark
// without a name the caller sees only masked.

#include <algorithm>
#include <set>

#include <cairo-pdf.h>
#include <catch2/catch.hpp>
#include <zlib.h>

#include "access/policy.hpp"
#include "base/error.hpp"
#include "access/scope.hpp"
#include "model/layer_catalog.hpp"
#include "model/value.hpp"
#include "print/base_map_shapes.hpp"
#include "print/pdf_compression.hpp"
#include "print/pdf_merge.hpp"
#include "print/pdf_split.hpp"
#include "print/map_frame.hpp"
#include "print/scale_bar.hpp"
#include "print/sheet_legend.hpp"
#include "print/scale_choice.hpp"
#include "print/sheet.hpp"
#include "print/sheet_marks.hpp"
#include "query/dataset.hpp"
#include "render/cairo_context.hpp"
#include "render/map_renderer.hpp"
#include "render/relief_source.hpp"
#include "store/serving_index.hpp"
#include "style/legend.hpp"
#include "style/style.hpp"
#include "support/pdf_tools.hpp"
#include "support/test_env.hpp"

using namespace minqing;

namespace {

constexpr const char* kVillage = "331124207202";  // 小吊门村

struct Sample {
  model::LayerCatalog catalog = model::LayerCatalog::load_directory(test::layers_dir());
  style::StyleSet styles = style::StyleSet::load_directory(test::styles_dir(), catalog);
  access::Policy policy = access::Policy::load(access::Policy::default_path(), catalog);
  std::unique_ptr<query::Dataset> data = query::Dataset::open(test::sample_store().string(), catalog);
  std::unique_ptr<render::ReliefSource> relief = render::ReliefSource::load_directory(data->relief_directory());
  render::MapRenderer renderer{styles, relief.get()};
  print::SheetPrinter printer{catalog, styles, renderer};
  access::Scope admin = access::Scope::for_user(policy, "admin", access::kRoleCountyAdmin, {});
  access::Scope cadre2 = access::Scope::for_user(policy, "cadre2", access::kRoleVillageCadre, {"", kVillage, {}});
};

const Sample& sample() {
  static const Sample s;
  return s;
}

const print::SheetStamp kStamp{"cadre2", "2026-12-02", "2026-12-02 09:30"};

std::filesystem::path sheet_pdf(const std::filesystem::path& dir, const query::ScopedReader& reader,
                                const print::SheetPlan& plan, const std::string& name) {
  return test::write_file(dir / (name + ".pdf"), sample().printer.pdf(reader, {plan}, kStamp));
}

}  // namespace

TEST_CASE("the scale is the largest round scale the village fits, on the smaller paper at a tie", "[print]") {
  // 400 m × 200 m fits A4 landscape at 1:2,000 (not portrait); a fixed paper and orientation are kept.
  const print::SheetFit small = print::choose_fit({400, 200, {}, {}, {}});
  CHECK(small.scale == 2000);
  CHECK(small.paper == print::Paper::a4);
  CHECK(small.orientation == print::Orientation::landscape);
  const print::SheetFit fixed = print::choose_fit({2600, 2300, print::Paper::a3, print::Orientation::portrait, {}});
  CHECK(fixed.paper == print::Paper::a3);
  CHECK(fixed.orientation == print::Orientation::portrait);
  CHECK(print::is_round_scale(fixed.scale));
  CHECK(print::choose_fit({2600, 2300, {}, {}, 5000}).scale == 5000);  // a fixed scale is kept
  CHECK(print::scale_text(5000) == "1:5000");
}

TEST_CASE("a sheet's PDF has the page size asked for: A4 and A3, portrait and landscape", "[print]") {
  const auto dir = test::scratch_dir("sheet-sizes");
  const query::ScopedReader reader = sample().data->reader(sample().admin);
  struct Case {
    print::Paper paper;
    print::Orientation orientation;
    const char* size;
  };
  for (const Case c : {Case{print::Paper::a4, print::Orientation::portrait, "595.276 x 841.89 pts (A4)"},
                       Case{print::Paper::a4, print::Orientation::landscape, "841.89 x 595.276 pts (A4)"},
                       Case{print::Paper::a3, print::Orientation::portrait, "841.89 x 1190.55 pts (A3)"},
                       Case{print::Paper::a3, print::Orientation::landscape, "1190.55 x 841.89 pts (A3)"}}) {
    const auto plan = sample().printer.plan(reader, kVillage, "terrain", {c.paper, c.orientation, {}});
    const auto pdf = sheet_pdf(dir, reader, plan, std::string(print::to_string(c.paper)) + "-" +
                                                      std::string(print::to_string(c.orientation)));
    CHECK(test::pdf_info(pdf).at("Page size") == c.size);
  }
}

TEST_CASE("a disaster sheet holds its title, legend, scale and date as text, embeds its fonts and renders a map",
          "[print]") {
  const auto dir = test::scratch_dir("sheet-disaster");
  const query::ScopedReader reader = sample().data->reader(sample().admin);
  const auto plan = sample().printer.plan(reader, kVillage, "disaster", {print::Paper::a3, {}, {}});
  CHECK(plan.title() == "小吊门村 防灾避险图");
  const auto pdf = sheet_pdf(dir, reader, plan, "disaster");
  const std::string text = test::pdf_text(pdf);
  CHECK(text.find("小吊门村防灾避险图") != std::string::npos);
  CHECK(text.find(print::scale_text(plan.fit.scale)) != std::string::npos);
  CHECK(text.find("2026-12-02") != std::string::npos);
  CHECK(text.find(plan.data_version) != std::string::npos);
  CHECK(text.find("CGCS2000") != std::string::npos);
  CHECK(text.find(print::kConfidentialMarking) == std::string::npos);  // not a confidential map

  // Every legend entry of the disaster map with a feature on the sheet, by its Chinese title —
  // found here from the data, not from the printer's own selection.
  std::size_t present = 0;
  for (const style::LegendEntry& e : style::legend(*sample().styles.find("disaster"))) {
    std::vector<store::ServedFeaturePtr> features;
    reader.query(e.cls->name, plan.view.extent, features);
    const int field = e.field.empty() ? -1 : e.cls->field_index(e.field);
    const bool on_sheet = std::any_of(features.begin(), features.end(), [&](const auto& f) {
      return field < 0 || model::to_display_string(f->feature.values[static_cast<std::size_t>(field)]) == e.value;
    });
    if (!on_sheet) continue;
    ++present;
    INFO(e.cls->name << " " << e.field << "=" << e.value << " " << e.title);
    CHECK(text.find(e.title) != std::string::npos);
  }
  CHECK(present >= 4);

  const auto fonts = test::pdf_fonts(pdf);
  REQUIRE_FALSE(fonts.empty());
  for (const auto& row : fonts) {
    INFO(row);
    CHECK(row.find(" yes ") != std::string::npos);  // emb (and sub, uni): no font left to the viewer
  }
  bool cjk = false;
  for (const auto& row : fonts) cjk = cjk || row.find("CJK") != std::string::npos;
  CHECK(cjk);

  // Rendered by poppler: the map frame holds a map (many pixels inked, many colours), not a blank.
  constexpr int kDpi = 40;
  const auto png = test::pdf_page_png(pdf, kDpi);
  const double k = kDpi / 72.0;
  const print::Rect& m = plan.layout.map;
  const auto inked = test::ink(png, int(m.x * k) + 2, int(m.y * k) + 2, int(m.right() * k) - 2, int(m.bottom() * k) - 2);
  CHECK(inked.inked > inked.total * 9 / 10);
  CHECK(inked.colours > 40);
}

TEST_CASE("the key persons sheet carries the marking and the printer's watermark, and no masked name", "[print]") {
  const auto dir = test::scratch_dir("sheet-key-persons");
  const query::ScopedReader reader = sample().data->reader(sample().cadre2);
  const auto plan = sample().printer.plan(reader, kVillage, "key_persons", {});
  CHECK(plan.personal_data);
  const std::string text = test::pdf_text(sheet_pdf(dir, reader, plan, "key_persons"));
  CHECK(text.find("小吊门村重点人员图") != std::string::npos);
  CHECK(text.find("内部资料注意保密") != std::string::npos);
  // The watermark repeats who printed it and when, over the map.
  std::size_t marks = 0;
  for (auto at = text.find("cadre22026-12-0209:30"); at != std::string::npos;
       at = text.find("cadre22026-12-0209:30", at + 1)) {
    ++marks;
  }
  CHECK(marks >= 4);

  // The names of the key persons, as the county administrator reads them: the cadre sees the
  // name field masked (or not at all), and none of them is on the sheet.
  const query::ScopedReader full = sample().data->reader(sample().admin);
  const query::ClassView* view = full.view("key_persons");
  REQUIRE(view);
  const int name = view->def->field_index("name");
  std::size_t names = 0;
  for (const auto& f : full.all("key_persons")) {
    const std::string n = model::to_display_string(f->feature.values[static_cast<std::size_t>(name)]);
    if (n.size() < 4) continue;
    ++names;
    INFO(n);
    CHECK(text.find(n) == std::string::npos);
  }
  CHECK(names > 0);
}

TEST_CASE("a sheet of a map the caller may not see is refused", "[print]") {
  const access::Scope planner = access::Scope::for_user(sample().policy, "planner", access::kRoleDisasterPlanner, {});
  const query::ScopedReader reader = sample().data->reader(planner);
  CHECK_THROWS_AS(sample().printer.plan(reader, kVillage, "key_persons", {}), RequestError);
  CHECK_THROWS_AS(sample().printer.plan(reader, "331124207299", "terrain", {}), RequestError);
  CHECK_THROWS_AS(sample().printer.plan(reader, kVillage, "terrain", {{}, {}, 1234}), RequestError);
  const auto visible = sample().printer.visible_maps(reader);
  CHECK(std::set<std::string>(visible.begin(), visible.end()) == std::set<std::string>{"terrain", "disaster"});
}

TEST_CASE("a sheet as PNG has the page's size at the dpi asked for", "[print]") {
  const query::ScopedReader reader = sample().data->reader(sample().admin);
  const auto plan = sample().printer.plan(reader, kVillage, "terrain", {print::Paper::a4, print::Orientation::portrait, {}});
  const auto png = render::decode_png(sample().printer.png(reader, plan, kStamp, 50));
  CHECK(png.width == 413);   // 210 mm at 50 dpi
  CHECK(png.height == 585);  // 297 mm
  CHECK_THROWS_AS(sample().printer.png(reader, plan, kStamp, 301), RequestError);
}

TEST_CASE("a village's sheets drawn as one PDF and cut into one file per page keep each page whole", "[print]") {
  // The atlas draws a village's sheets on one PDF surface (fonts and relief written once) and cuts
  // the sheets' files from it: each file must be a sheet a reader can use on its own.
  const auto dir = test::scratch_dir("sheet-split");
  const query::ScopedReader reader = sample().data->reader(sample().admin);
  const auto terrain = sample().printer.plan(reader, kVillage, "terrain", {print::Paper::a4, print::Orientation::portrait, {}});
  const auto disaster = sample().printer.plan(reader, kVillage, "disaster", {print::Paper::a3, print::Orientation::landscape, {}});
  const std::string both = sample().printer.pdf(reader, {terrain, disaster}, kStamp);
  const auto both_file = test::write_file(dir / "both.pdf", both);
  const auto files = print::split_pdf(both, {{terrain.title(), "cadre2", "terrain:" + terrain.data_version},
                                             {disaster.title(), "cadre2", "disaster:" + disaster.data_version}});
  REQUIRE(files.size() == 2);
  struct Expect {
    const print::SheetPlan& plan;
    const char* size;
    const char* title;
  };
  const Expect expect[] = {{terrain, "595.276 x 841.89 pts (A4)", "小吊门村村情民情图"},
                           {disaster, "1190.55 x 841.89 pts (A3)", "小吊门村防灾避险图"}};
  for (std::size_t i = 0; i < files.size(); ++i) {
    INFO(expect[i].title);
    const auto pdf = test::write_file(dir / ("page" + std::to_string(i) + ".pdf"), files[i]);
    const auto info = test::pdf_info(pdf);
    CHECK(info.at("Pages") == "1");
    CHECK(info.at("Page size") == expect[i].size);
    CHECK(info.at("Title") == expect[i].plan.title());
    const std::string text = test::pdf_text(pdf);
    CHECK(text.find(expect[i].title) != std::string::npos);
    CHECK(text.find(expect[i].plan.data_version) != std::string::npos);
    for (const auto& row : test::pdf_fonts(pdf)) {
      INFO(row);
      CHECK(row.find(" yes ") != std::string::npos);
    }
    // Rendered, the page's file is the page of the document, pixel for pixel, map and relief too.
    const auto png = test::pdf_page_png(pdf, 30);
    CHECK(png.rgba == test::pdf_page_png(both_file, 30, static_cast<int>(i) + 1).rgba);
    const double k = 30 / 72.0;
    const print::Rect& m = expect[i].plan.layout.map;
    const auto inked = test::ink(png, int(m.x * k) + 2, int(m.y * k) + 2, int(m.right() * k) - 2, int(m.bottom() * k) - 2);
    CHECK(inked.inked > inked.total / 2);
  }
  // The other page's title is not in the first file; joined again, the two files are the document.
  CHECK(test::pdf_text(dir / "page0.pdf").find("防灾避险图") == std::string::npos);
  const auto joined = test::write_file(dir / "joined.pdf", print::merge_pdfs(files, "小吊门村 村级专题图集"));
  CHECK(test::pdf_info(joined).at("Pages") == "2");
  CHECK_THROWS_AS(print::split_pdf(both, {{terrain.title(), "", ""}}), RenderError);
  CHECK_THROWS_AS(print::split_pdf("not a pdf", {}), RenderError);
}

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// How far two renderings of a page are apart: the pixels that differ, and the largest difference
// of a channel.
struct PixelDifference {
  std::size_t pixels = 0;
  int most = 0;
};
PixelDifference difference(const render::DecodedPng& a, const render::DecodedPng& b) {
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  PixelDifference d;
  for (std::size_t i = 0; i < a.rgba.size(); i += 4) {
    int most = 0;
    for (std::size_t c = 0; c < 4; ++c) {
      most = std::max(most, std::abs(int(static_cast<unsigned char>(a.rgba[i + c])) -
                                     int(static_cast<unsigned char>(b.rgba[i + c]))));
    }
    d.pixels += most > 0;
    d.most = std::max(d.most, most);
  }
  return d;
}

// The sheets as one PDF, each page drawn whole (its base map's shapes its own), as before the
// atlas shared them.
std::string pdf_drawn_whole(const query::ScopedReader& reader, const std::vector<print::SheetPlan>& plans) {
  std::string out;
  const render::SurfacePtr surface(cairo_pdf_surface_create_for_stream(
      append_bytes, &out, plans.front().layout.page.width_pt, plans.front().layout.page.height_pt));
  {
    const render::CairoPtr cr = render::make_context(surface.get());
    for (const print::SheetPlan& p : plans) {
      cairo_pdf_surface_set_size(surface.get(), p.layout.page.width_pt, p.layout.page.height_pt);
      sample().printer.draw(cr.get(), reader, p, kStamp);
      cairo_show_page(cr.get());
    }
  }
  cairo_surface_finish(surface.get());
  REQUIRE(cairo_surface_status(surface.get()) == CAIRO_STATUS_SUCCESS);
  return out;
}

}  // namespace

TEST_CASE("a village's sheets share one drawing of the base map's shapes and look as if each drew its own",
          "[print]") {
  // Every thematic sheet of a village lies over the same terrain base map at the same extent as the
  // terrain sheet. The atlas records the base map's shapes once (print/base_map_shapes) and paints
  // them under each page: cairo writes them once, as a Form XObject the pages share, instead of
  // once per page — while the labels of both maps are still placed together on each page.
  const auto dir = test::scratch_dir("sheet-shared-base");
  const query::ScopedReader reader = sample().data->reader(sample().admin);
  const print::SheetOptions a3{print::Paper::a3, print::Orientation::landscape, {}};
  const std::vector<print::SheetPlan> plans = {sample().printer.plan(reader, kVillage, "terrain", a3),
                                               sample().printer.plan(reader, kVillage, "disaster", a3),
                                               sample().printer.plan(reader, kVillage, "industry", a3)};
  const std::string shared = sample().printer.pdf(reader, plans, kStamp);
  const std::string whole = pdf_drawn_whole(reader, plans);
  CHECK(occurrences(shared, "/Subtype /Form") == 1);
  CHECK(occurrences(whole, "/Subtype /Form") == 0);
  const auto shared_file = test::write_file(dir / "shared.pdf", shared);
  const auto whole_file = test::write_file(dir / "whole.pdf", whole);
  CHECK(test::pdf_text(shared_file) == test::pdf_text(whole_file));
  // Rendered, each page is the page drawn whole — relief, shapes and labels — but for poppler
  // compositing the shared drawing as a group: a few pixels a level or two apart.
  const auto same_page = [](const render::DecodedPng& a, const render::DecodedPng& b) {
    const PixelDifference d = difference(a, b);
    INFO(d.pixels << " pixels differ, by up to " << d.most);
    CHECK(d.most <= 4);
    CHECK(d.pixels * 2000 <= a.rgba.size() / 4);
  };
  for (int page = 1; page <= static_cast<int>(plans.size()); ++page) {
    INFO("page " << page);
    same_page(test::pdf_page_png(shared_file, 40, page), test::pdf_page_png(whole_file, 40, page));
  }
  // Each sheet's own file, cut from the village's, holds the drawing it needs.
  const auto files = print::split_pdf(shared, std::vector<print::pdf::Info>(plans.size()));
  const auto disaster = test::write_file(dir / "disaster.pdf", files[1]);
  CHECK(occurrences(files[1], "/Subtype /Form") == 1);
  same_page(test::pdf_page_png(disaster, 40), test::pdf_page_png(whole_file, 40, 2));

  // One recording per map and view: asked again, the same one.
  print::BaseMapShapes shapes;
  const render::RenderRequest request = print::map_request(plans[0].view, {"terrain"}, reader);
  cairo_surface_t* first = shapes.get(sample().renderer, request);
  CHECK(shapes.get(sample().renderer, request) == first);
  CHECK(shapes.size() == 1);
  const auto a4 = sample().printer.plan(reader, kVillage, "terrain", {print::Paper::a4, print::Orientation::portrait, {}});
  CHECK(shapes.get(sample().renderer, print::map_request(a4.view, {"terrain"}, reader)) != first);
  CHECK(shapes.size() == 2);
}

TEST_CASE("the legend lists every class present on the sheet, the base map's too, however many", "[print]") {
  // Issue 11: the A3 disaster sheet of the sample has more entries (its own and the terrain base
  // map's) than its legend box holds at the normal size; the base map's last ones (the terrain
  // points) used to be dropped. The legend now shrinks or adds columns until all fit.
  const query::ScopedReader reader = sample().data->reader(sample().admin);
  for (const print::Paper paper : {print::Paper::a3, print::Paper::a4}) {
    for (const print::Orientation orientation : {print::Orientation::landscape, print::Orientation::portrait}) {
      const auto plan = sample().printer.plan(reader, kVillage, "disaster", {paper, orientation, {}});
      const double zoom = print::map_request(plan.view, plan.draw_maps, reader).zoom;
      std::vector<print::LegendSection> sections;
      std::size_t entries = 0;
      for (const std::string& m : plan.draw_maps) {
        sections.push_back({m == "disaster" ? "" : "底图",
                            print::entries_present(*sample().styles.find(m), zoom, reader, plan.view.extent)});
        entries += sections.back().entries.size();
      }
      REQUIRE(sections.size() == 2);  // the disaster map over the terrain base map
      CHECK(entries >= 12);
      const render::SurfacePtr surface(cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr));
      const render::CairoPtr cr = render::make_context(surface.get());
      const auto drawn = print::draw_legend(cr.get(), plan.layout.legend, sections, plan.layout.unit);
      INFO(print::to_string(paper) << " " << print::to_string(orientation));
      for (const auto& s : sections) {
        for (const style::LegendEntry& e : s.entries) {
          INFO(e.cls->name << " " << e.title);
          CHECK(std::find(drawn.begin(), drawn.end(), e.title) != drawn.end());
        }
      }
      // Inside the box: nothing drawn beyond it.
      double x0, y0, w, h;
      cairo_recording_surface_ink_extents(surface.get(), &x0, &y0, &w, &h);
      const print::Rect& box = plan.layout.legend;
      CHECK(x0 >= box.x - 3);  // ink extents are whole points; the boundary swatch's band is 4 pt wide
      CHECK(y0 >= box.y - 3);
      CHECK(x0 + w <= box.right() + 3);
      CHECK(y0 + h <= box.bottom() + 3);
    }
  }
}

TEST_CASE("a sheet's PDF streams are deflated at zlib's fastest level", "[print]") {
  // cairo deflates at zlib's default level and has no setting; print/pdf_compression makes its
  // streams level 1 (a third of the atlas's CPU was deflate). A zlib stream says its level in its
  // second byte: 0x01 for the fastest, 0x9C for the default.
  const query::ScopedReader reader = sample().data->reader(sample().admin);
  const auto plan = sample().printer.plan(reader, kVillage, "terrain", {print::Paper::a4, {}, {}});
  const std::string pdf = sample().printer.pdf(reader, {plan}, kStamp);
  std::size_t streams = 0;
  for (auto at = pdf.find("/FlateDecode"); at != std::string::npos; at = pdf.find("/FlateDecode", at + 1)) {
    const auto data = pdf.find("stream\n", at);
    REQUIRE(data != std::string::npos);
    const auto* z = reinterpret_cast<const unsigned char*>(pdf.data() + data + 7);
    INFO("stream at " << data);
    CHECK(z[0] == 0x78);
    CHECK(z[1] == 0x01);
    ++streams;
  }
  CHECK(streams >= 4);  // content, relief image and mask, font subsets
}

TEST_CASE("outside a PDF being written, zlib's default level is left alone", "[print]") {
  // The interposed deflateInit_ is process-wide; only a thread inside print::FastPdfDeflate may get
  // the fast level, so tiles, GDAL and everything else keep what they asked for.
  const std::string text(4096, 'a');
  const auto deflated_header = [&] {
    uLongf size = compressBound(text.size());
    std::string out(size, '\0');
    REQUIRE(compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(text.data()),
                     text.size()) == Z_OK);
    return std::pair<unsigned char, unsigned char>(out[0], out[1]);
  };
  CHECK(deflated_header() == std::pair<unsigned char, unsigned char>(0x78, 0x9C));
  {
    const print::FastPdfDeflate fast;
    CHECK(deflated_header() == std::pair<unsigned char, unsigned char>(0x78, 0x01));
  }
  CHECK(deflated_header() == std::pair<unsigned char, unsigned char>(0x78, 0x9C));
}
