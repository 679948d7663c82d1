#pragma once
// A sheet (专题图): one map of one village on one page — the map drawn by the tiles' renderer and
// styles, framed to the village at a round scale, with title, legend, scale, north arrow,
// CGCS2000 grid, date, data version and source, and for a confidential map the marking and the
// printer's watermark — as a vector PDF (cairo's PDF surface: fonts embedded as subsets, Chinese
// as real text) or a PNG of the same page.
//
// Everything on a sheet is read through the caller's query::ScopedReader: the village, the
// features drawn, the legend's "present on the sheet" and the data version, so that a sheet shows
// exactly what the caller may see, in the form the caller may see it.
//
// A SheetPrinter borrows the styles and the renderer (which must outlive it) and is thread-safe:
// any number of sheets may be planned and drawn at once on different threads.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cairo.h>

#include "geo/geometry.hpp"
#include "model/layer_catalog.hpp"
#include "print/map_view.hpp"
#include "print/paper.hpp"
#include "print/scale_choice.hpp"
#include "print/sheet_layout.hpp"
#include "query/scoped_reader.hpp"
#include "render/map_renderer.hpp"
#include "render/relief_cache.hpp"
#include "style/style.hpp"

namespace minqing::print {

class BaseMapShapes;

// What the requester fixed; anything empty is chosen to fit the village (scale_choice.hpp).
struct SheetOptions {
  std::optional<Paper> paper;
  std::optional<Orientation> orientation;
  std::optional<int> scale;  // a round scale (is_round_scale)

  // "paper=A3;orientation=;scale=" — what changes the sheet, for caches and the atlas manifest.
  std::string key() const;
};

// Who printed and when, for the footer and the watermark. Times are China Standard Time.
struct SheetStamp {
  std::string user;  // the account name ("" anonymous)
  std::string date;  // "2026-12-02"
  std::string time;  // "2026-12-02 09:30"

  // The stamp of `user` printing at `when`.
  static SheetStamp at(std::string user, std::chrono::system_clock::time_point when);
};

// A sheet worked out and ready to draw.
struct SheetPlan {
  std::string village_code;
  std::string village_name;  // 小吊门村
  std::string township;      // 四都乡
  std::string county;        // 松阳县
  const model::MapDef* map = nullptr;
  std::vector<std::string> draw_maps;  // the base map under a thematic one, then the map
  SheetFit fit;
  SheetLayout layout;
  MapView view;
  geo::Geometry village;  // EPSG:3857
  bool personal_data = false;  // a confidential map: marking, watermark, no-store, audit
  std::string data_version;    // 8 hex digits over the features the caller sees on the sheet

  std::string title() const;  // "小吊门村 防灾避险图"
};

class SheetPrinter {
 public:
  // Borrows all three; they must outlive the printer.
  SheetPrinter(const model::LayerCatalog& catalog, const style::StyleSet& styles, const render::MapRenderer& renderer);

  // Plans the sheet of `map` for `village_code` as `reader`'s caller sees it.
  // @throws RequestError when the map does not exist or has no style, the caller may not see it,
  // the village does not exist (or the caller sees no village polygon of it), or an option is
  // invalid (a scale that is not round).
  SheetPlan plan(const query::ScopedReader& reader, std::string_view village_code, std::string_view map,
                 const SheetOptions& options) const;

  // Draws the planned sheet onto `cr`, whose user space is the page in points.
  // `relief_cache` (may be null) keeps the shaded relief for the next sheet of the same extent;
  // `base_shapes` (may be null) the base map's shapes, drawn once and painted under each sheet
  // over the same extent (a PDF's pages then share them: base_map_shapes.hpp).
  // @throws RenderError on a cairo failure, ProjError when PROJ lacks EPSG:4549.
  void draw(cairo_t* cr, const query::ScopedReader& reader, const SheetPlan& plan, const SheetStamp& stamp,
            render::ReliefCache* relief_cache = nullptr, BaseMapShapes* base_shapes = nullptr) const;

  // The sheets as one PDF, a page each (each page its own size). @pre !plans.empty().
  // The relief is shaded once for all sheets of one extent: in `relief_cache` when given (the
  // atlas passes one per village, across its one-sheet PDFs), else in one of this call's own.
  // The base map's shapes are drawn once for all sheets of one extent and shared by their pages.
  std::string pdf(const query::ScopedReader& reader, const std::vector<SheetPlan>& plans, const SheetStamp& stamp,
                  render::ReliefCache* relief_cache = nullptr) const;

  // The sheet as a PNG at `dpi` (36…300). @throws RequestError for a dpi out of range.
  std::string png(const query::ScopedReader& reader, const SheetPlan& plan, const SheetStamp& stamp, int dpi) const;

  // The maps `reader`'s caller sees, in catalog order (the pages of a village's PDF).
  std::vector<std::string> visible_maps(const query::ScopedReader& reader) const;

 private:
  const model::LayerCatalog& m_catalog;
  const style::StyleSet& m_styles;
  const render::MapRenderer& m_renderer;
};

// Whether `reader`'s caller sees a village polygon with code `village_code`.
bool village_exists(const query::ScopedReader& reader, std::string_view village_code);

}  // namespace minqing::print
