#pragma once
// Metatiles, as mod_tile/renderd draw them: the m × m tiles of a metatile (render/tile_footprint.hpp
// metatile_size(): 4 × 4, fewer at zooms 0 and 1) drawn on one surface and cut into m² PNGs, so that
// one fetch of the features, one shaping and placement of the labels (already placed over the whole
// metatile for every tile) and one pass over the relief serve every tile of it.
//
// A tile cut from its metatile shows what render_tile_png() draws for it alone: both draw the
// metatile's features with the metatile's pixel transform and clip box (a tile drawn alone is a
// whole-pixel window of its metatile: render/map_renderer.cpp), the same labels at the same device
// pixels (both place them in the metatile's label space), the same hillshade grid (the relief's
// 16 px transform grid starts on a tile corner either way). What may differ is cairo's
// antialiasing of an edge that enters the tile's own surface at its border: a subsample here and
// there. tests/render/metatile_test.cpp bounds it.
//
// With a DrawPool the metatile is drawn in bands of whole rows of tiles (one per thread that may
// draw: the caller and the pool's workers, at most one per row), each band a whole-pixel window of
// the metatile (as a tile drawn alone is) drawn and encoded as one task, on the calling thread and
// the pool's idle workers: so one metatile keeps every core busy. The labels are placed
// once over the metatile and shared by the bands (RenderRequest::labels); each band shades the
// relief of its own rows only and converts only the features that meet its rows and their draw
// buffer (the others draw no pixel of it; the fill batches stay the metatile's: fill_symbolizer.cpp). What may differ from the one-surface draw is the same antialiasing
// at the bands' edges, bounded by the same test.

#include <string>
#include <vector>

#include "geo/tile.hpp"
#include "render/draw_pool.hpp"
#include "render/map_renderer.hpp"
#include "render/png_encoder.hpp"
#include "store/feature_source.hpp"

namespace minqing::render {

// The first (north-west) tile of the metatile holding `tile`. @pre geo::is_valid(tile)
geo::TileId metatile_origin(geo::TileId tile) noexcept;

// One tile of a rendered metatile.
struct TilePng {
  geo::TileId tile;
  std::string png;
};

// Renders the metatile holding `tile` (256 px tiles, or 512 px when scale == 2; a 4 × 4 metatile at
// @2x is a 2048 × 2048 surface, 16 MB while it is drawn) and returns its tiles row by row from
// metatile_origin(tile), each encoded as render_tile_png() would encode it. With `pool`, drawn in
// bands on the calling thread and the pool's idle workers (above); `features` must then be safe to
// query from several threads at once (a ScopedReader, a ServingIndex are). Thread-safe as
// MapRenderer::draw is.
// @throws RequestError for an invalid tile, scale or unknown map; RenderError on failure.
std::vector<TilePng> render_metatile_pngs(const MapRenderer& renderer, const store::FeatureSource& features,
                                          const std::vector<std::string>& maps, geo::TileId tile, int scale,
                                          const PngOptions& png = {}, DrawPool* pool = nullptr);

}  // namespace minqing::render
