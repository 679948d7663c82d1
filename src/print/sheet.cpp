#include "print/sheet.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <cairo-pdf.h>

#include "base/error.hpp"
#include "print/base_map_shapes.hpp"
#include "print/coordinate_grid.hpp"
#include "print/data_version.hpp"
#include "print/map_frame.hpp"
#include "print/pdf_compression.hpp"
#include "print/pdf_numbers.hpp"
#include "print/scale_bar.hpp"
#include "print/sheet_legend.hpp"
#include "print/sheet_marks.hpp"
#include "print/sheet_text.hpp"
#include "render/cairo_context.hpp"
#include "render/png_encoder.hpp"

namespace minqing::print {

namespace {

// The map every thematic map is drawn over (DOMAIN.md: the terrain map is the base map).
constexpr const char* kBaseMap = "terrain";
// Room around the village on the sheet, as a fraction of its extent.
constexpr double kVillageMargin = 0.01;

std::string text_field(const model::FeatureClassDef& def, const model::Feature& f, std::string_view field) {
  const int i = def.field_index(field);
  if (i < 0 || static_cast<std::size_t>(i) >= f.values.size()) return {};
  const auto* s = std::get_if<std::string>(&f.values[static_cast<std::size_t>(i)]);
  return s ? *s : std::string{};
}

// The village polygons of `code` the caller sees (a village may have several parts).
std::vector<store::ServedFeaturePtr> village_features(const query::ScopedReader& reader, std::string_view code) {
  std::vector<store::ServedFeaturePtr> out;
  const query::ClassView* view = reader.view("villages");
  if (!view) return out;
  for (auto& f : reader.all("villages")) {
    if (text_field(*view->def, f->feature, "village_code") == code) out.push_back(std::move(f));
  }
  return out;
}

void stroke_rect(cairo_t* cr, const Rect& r, double width) {
  cairo_rectangle(cr, r.x, r.y, r.w, r.h);
  cairo_set_line_width(cr, width);
  cairo_stroke(cr);
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string SheetOptions::key() const {
  return "paper=" + (paper ? std::string(to_string(*paper)) : std::string()) +
         ";orientation=" + (orientation ? std::string(to_string(*orientation)) : std::string()) +
         ";scale=" + (scale ? std::to_string(*scale) : std::string());
}

SheetStamp SheetStamp::at(std::string user, std::chrono::system_clock::time_point when) {
  // China Standard Time (UTC+8, no daylight saving): the county's clock, whatever the server's.
  const std::time_t t = std::chrono::system_clock::to_time_t(when) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16], time[32];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  std::strftime(time, sizeof time, "%Y-%m-%d %H:%M", &tm);
  return SheetStamp{std::move(user), date, time};
}

std::string SheetPlan::title() const { return village_name + " " + (map ? map->title.zh : std::string()); }

bool village_exists(const query::ScopedReader& reader, std::string_view village_code) {
  return !village_features(reader, village_code).empty();
}

SheetPrinter::SheetPrinter(const model::LayerCatalog& catalog, const style::StyleSet& styles,
                           const render::MapRenderer& renderer)
    : m_catalog(catalog), m_styles(styles), m_renderer(renderer) {}

std::vector<std::string> SheetPrinter::visible_maps(const query::ScopedReader& reader) const {
  std::vector<std::string> out;
  for (const model::MapDef* m : reader.maps()) {
    if (m_styles.find(m->name)) out.push_back(m->name);
  }
  return out;
}

SheetPlan SheetPrinter::plan(const query::ScopedReader& reader, std::string_view village_code, std::string_view map,
                             const SheetOptions& options) const {
  SheetPlan p;
  p.map = m_catalog.find_map(map);
  if (!p.map || !m_styles.find(map) || !reader.scope().may_see_map(map)) {
    throw RequestError("no map named \"" + std::string(map.substr(0, 64)) + "\"");
  }
  if (options.scale && !is_round_scale(*options.scale)) {
    throw RequestError("scale " + std::to_string(*options.scale) + " is not one of the round scales");
  }
  const auto parts = village_features(reader, village_code);
  if (parts.empty()) throw RequestError("no village " + std::string(village_code.substr(0, 64)));
  const model::FeatureClassDef& vdef = *reader.view("villages")->def;
  p.village_code = std::string(village_code);
  p.village_name = text_field(vdef, parts.front()->feature, "name");
  p.township = text_field(vdef, parts.front()->feature, "township");
  p.county = text_field(vdef, parts.front()->feature, "county");
  geo::BBox box;
  for (const auto& f : parts) {
    box.expand(f->bbox);
    if (f->feature.geometry.kind == geo::GeometryKind::polygon) {
      if (p.village.empty()) {
        p.village = f->feature.geometry;
      } else {
        p.village.append(f->feature.geometry);
      }
    }
  }
  if (map != kBaseMap && reader.scope().may_see_map(kBaseMap) && m_styles.find(kBaseMap)) p.draw_maps.push_back(kBaseMap);
  p.draw_maps.emplace_back(map);
  const geo::Coord center = box.center();
  const double gf = ground_factor_at(center);
  FitRequest fr;
  fr.ground_width_m = box.width() * gf * (1 + 2 * kVillageMargin);
  fr.ground_height_m = box.height() * gf * (1 + 2 * kVillageMargin);
  fr.paper = options.paper;
  fr.orientation = options.orientation;
  fr.scale = options.scale;
  p.fit = choose_fit(fr);
  p.layout = layout_for(p.fit.paper, p.fit.orientation);
  p.view = make_view(p.layout.map, center, p.fit.scale);
  p.personal_data = p.map->confidential;
  p.data_version = data_version(reader, m_catalog, p.draw_maps, p.view.extent);
  return p;
}

void SheetPrinter::draw(cairo_t* cr, const query::ScopedReader& reader, const SheetPlan& p, const SheetStamp& stamp,
                        render::ReliefCache* relief_cache, BaseMapShapes* base_shapes) const {
  const SheetLayout& l = p.layout;
  const double u = l.unit;
  render::CairoSave save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  // The map, its grid, and (confidential maps) the watermark over it.
  render::RenderRequest request = map_request(p.view, p.draw_maps, reader);
  request.relief_cache = relief_cache;
  cairo_surface_t* shared_base = nullptr;
  if (base_shapes && p.draw_maps.front() == kBaseMap) shared_base = base_shapes->get(m_renderer, request);
  draw_map_frame(cr, m_renderer, request, p.view, p.village, shared_base);
  draw_coordinate_grid(cr, p.view, 6 * kPointsPerMm, u);
  if (p.personal_data) {
    draw_watermark(cr, l.map, (stamp.user.empty() ? std::string("匿名") : stamp.user) + " " + stamp.time, u);
  }
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  stroke_rect(cr, l.map, 0.8);
  // Neat lines: a heavy outer border with a fine inner one.
  stroke_rect(cr, l.border, 1.6);
  const double in = 1.6 * kPointsPerMm;
  stroke_rect(cr, Rect{l.border.x + in, l.border.y + in, l.border.w - 2 * in, l.border.h - 2 * in}, 0.4);

  // Title band.
  TextStyle title;
  title.size_pt = 24 * u;
  title.bold = true;
  title.letter_spacing_pt = 2 * u;
  const TextSize ts = draw_text(cr, p.title(), title, l.title.x + l.title.w / 2, l.title.y + 5 * u, {0.5, 0});
  TextStyle sub;
  sub.size_pt = 9 * u;
  sub.r = sub.g = sub.b = 0.3;
  draw_text(cr, p.county + " " + p.township + " · 行政区划代码 " + p.village_code, sub, l.title.x + l.title.w / 2,
            l.title.y + 5 * u + ts.h + 1, {0.5, 0});
  if (p.personal_data) draw_confidential_marking(cr, Rect{l.title.x, l.title.y, l.title.w - in, l.title.h}, u);

  // Legend: the map's own entries present on the sheet, then the base map's while room remains.
  std::vector<LegendSection> sections;
  sections.push_back({"", entries_present(*m_styles.find(p.map->name), request.zoom, reader, p.view.extent)});
  if (p.draw_maps.size() > 1) {
    const model::MapDef* base = m_catalog.find_map(p.draw_maps.front());
    sections.push_back({"底图 · " + (base ? base->title.zh : p.draw_maps.front()),
                        entries_present(*m_styles.find(p.draw_maps.front()), request.zoom, reader, p.view.extent)});
  }
  draw_legend(cr, l.legend, sections, u);

  // Scale, north arrow and notes.
  const Rect& info = l.info;
  const double arrow_w = 26 * u;
  const double scale_h = draw_scale(cr, p.fit.scale, info.x + (info.w - arrow_w) / 2, info.y, info.w - arrow_w, u);
  draw_north_arrow(cr, info.right() - arrow_w / 2, info.y, 40 * u, u);
  TextStyle note;
  note.size_pt = 7.2 * u;
  note.r = note.g = note.b = 0.25;
  const std::string spacing = std::to_string(static_cast<long long>(grid_spacing_m(p.fit.scale)));
  const std::string notes[] = {
      "坐标系：2000国家大地坐标系（CGCS2000）",
      "投影：高斯-克吕格 3°带，中央经线 120°E（EPSG:4549）",
      "格网：" + spacing + " 米，注记为千米",
      "地形晕渲：村级数字高程模型",
      "邻村以淡色表示",
  };
  double y = info.y + std::max(scale_h, 44 * u) + 6 * u;
  for (const std::string& line : notes) {
    if (y + 10 * u > info.bottom()) break;
    y += draw_text(cr, line, note, info.x, y).h + 1.5 * u;
  }

  // Footer: date, data version, source, printer.
  TextStyle foot;
  foot.size_pt = 7.5 * u;
  foot.r = foot.g = foot.b = 0.2;
  const double fy = l.footer.y + l.footer.h / 2;
  draw_text(cr,
            "制图日期：" + stamp.date + "　　数据版本：" + p.data_version + "　　数据来源：民情地图 " + p.county +
                "村级数据库",
            foot, l.footer.x + 4 * kPointsPerMm, fy, {0, 0.5});
  draw_text(cr,
            std::string("民情地图 Minqing Map ") + MINQING_VERSION + "　" + std::string(to_string(l.paper)) + " " +
                (l.orientation == Orientation::landscape ? "横版" : "竖版") +
                (stamp.user.empty() ? std::string() : "　打印：" + stamp.user + " " + stamp.time),
            foot, l.footer.right() - 4 * kPointsPerMm, fy, {1, 0.5});
  render::check(cr, "drawing the sheet");
}

std::string SheetPrinter::pdf(const query::ScopedReader& reader, const std::vector<SheetPlan>& plans,
                              const SheetStamp& stamp, render::ReliefCache* relief_cache) const {
  if (plans.empty()) throw RequestError("a PDF needs at least one sheet");
  render::ReliefCache own_cache;
  if (!relief_cache) relief_cache = &own_cache;
  const FastPdfDeflate fast_deflate;  // cairo has no setting for its streams' zlib level
  const FastPdfNumbers fast_numbers;  // nor for how it prints its numbers
  std::string out;
  const PageSize first = plans.front().layout.page;
  render::SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(append_to_string, &out, first.width_pt, first.height_pt));
  render::check(surface.get(), "creating the PDF surface");
  const SheetPlan& p0 = plans.front();
  const std::string title = plans.size() == 1 ? p0.title() : p0.village_name + " 村级专题图集";
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, stamp.user.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Minqing Map " MINQING_VERSION);
  std::string versions;
  for (const SheetPlan& p : plans) versions += (versions.empty() ? "" : " ") + p.map->name + ":" + p.data_version;
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_KEYWORDS, versions.c_str());
  BaseMapShapes base_shapes;
  {
    render::CairoPtr cr = render::make_context(surface.get());
    for (const SheetPlan& p : plans) {
      cairo_pdf_surface_set_size(surface.get(), p.layout.page.width_pt, p.layout.page.height_pt);
      draw(cr.get(), reader, p, stamp, relief_cache, &base_shapes);
      cairo_show_page(cr.get());
    }
  }
  cairo_surface_finish(surface.get());
  render::check(surface.get(), "writing the PDF");
  return out;
}

std::string SheetPrinter::png(const query::ScopedReader& reader, const SheetPlan& plan, const SheetStamp& stamp,
                              int dpi) const {
  if (dpi < 36 || dpi > 300) throw RequestError("dpi must be in [36, 300], got " + std::to_string(dpi));
  const double k = dpi / 72.0;
  const int w = static_cast<int>(std::lround(plan.layout.page.width_pt * k));
  const int h = static_cast<int>(std::lround(plan.layout.page.height_pt * k));
  render::SurfacePtr surface = render::make_image_surface(w, h);
  {
    render::CairoPtr cr = render::make_context(surface.get());
    cairo_scale(cr.get(), k, k);
    draw(cr.get(), reader, plan, stamp);
  }
  cairo_surface_flush(surface.get());
  render::PngOptions png;
  png.compression_level = 6;
  return render::encode_png(cairo_image_surface_get_data(surface.get()), w, h,
                            cairo_image_surface_get_stride(surface.get()), png);
}

}  // namespace minqing::print
