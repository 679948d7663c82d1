#!/usr/bin/python3
"""The Mapnik peer of bench/run-tile-bench.sh: renders the same tile list from the same GeoPackage
with a Mapnik style equivalent to the requested maps of styles/*.json (every class they draw, with
their labels, and the DEM hillshade), in N processes (one Map each), and prints tiles/s, median and
p95 per zoom (bench/lib/tile_stats.py).

    mapnik_peer.py STORE.gpkg TILES.txt [--maps terrain,industry,…] [--procs 2] [--mode tile,meta]
                   [--case NAME] [--format png32:z=4] [--srs 3857|store] [--work-dir DIR]
                   [--xml-out FILE]
                   [--save-list TILES.txt --save-dir DIR]

TILES.txt holds "z x y" lines (bench/tile_list.py writes it), walked in order by the processes
together: each takes the next job as soon as it is done. Two modes:
  tile  one 256×256 render per tile (what python-mapnik users do);
  meta  one 1024×1024 render per 4×4 metatile, cut into its tiles, each encoded (what
        renderd/mod_tile do). A job is a metatile holding list tiles, in the order its first tile
        comes in the list; only the tiles of the list are encoded (renderd encodes all 16: this
        favours Mapnik). Latency: a metatile's first tile counts render + its encoding, the others
        their encoding alone (a sibling is then served from the metatile cache).

Mapnik reads the features through its OGR plugin (the GeoPackage's SQLite R-tree) and the
hillshade through its GDAL plugin, from a VRT of `gdaldem hillshade` outputs of the same DEMs.
With --srs 3857 (the default, the stronger peer) the store is first copied to EPSG:3857 with
ogr2ogr and the DEMs warped to it with gdalwarp, as a tile server keeps its data in the tiles' CRS
(one measurement: the composite's CPU a tile 53 ms → 23 ms); with --srs store it reads the store
in EPSG:4549 and reprojects at every render. That preparation is done once, before the clock
(--work-dir keeps it for the next run). Each process builds its Map (opening the datasources)
before a barrier; only rendering and PNG encoding after the barrier are timed.

What is equivalent and what is not: see the header of bench/run-tile-bench.sh.
Run with Debian's python (/usr/bin/python3), which has python3-mapnik.
"""

import argparse
import glob
import math
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time

import mapnik

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import tile_stats  # noqa: E402

HALF_WORLD = 20037508.342789244
FONT_DIR = "/usr/share/fonts/opentype/noto"
ZOOMS = range(14, 19)
META = 4
REGULAR, BOLD = "Noto Sans CJK SC Regular", "Noto Sans CJK SC Bold"
VERSION = "%d.%d.%d" % (mapnik.mapnik_version() // 100000, mapnik.mapnik_version() // 100 % 1000, mapnik.mapnik_version() % 100)


# ---------------------------------------------------------------------------------------------
# Zoom expressions of styles/*.json, evaluated per zoom (MapLibre semantics).

def interp(z, stops, base=1.0):
    """["interpolate", ["linear"|["exponential", base]], ["zoom"], z0, v0, z1, v1, ...]"""
    if z <= stops[0][0]:
        return stops[0][1]
    if z >= stops[-1][0]:
        return stops[-1][1]
    for (z0, v0), (z1, v1) in zip(stops, stops[1:]):
        if z0 <= z <= z1:
            if base == 1.0:
                t = (z - z0) / (z1 - z0)
            else:
                t = (base ** (z - z0) - 1) / (base ** (z1 - z0) - 1)
            return v0 + (v1 - v0) * t
    return stops[-1][1]


def scale_denominators(z):
    """Mapnik (min, max) scale denominators selecting exactly zoom z for 256 px EPSG:3857 tiles."""
    d = 559082264.0287178
    return d / 2 ** (z + 0.5), d / 2 ** (z - 0.5)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&apos;")


def rule(z, filt, body):
    lo, hi = scale_denominators(z)
    f = "<Filter>%s</Filter>" % esc(filt) if filt is not None else ""
    return ("<Rule><MinScaleDenominator>%.4f</MinScaleDenominator><MaxScaleDenominator>%.4f</MaxScaleDenominator>"
            "%s%s</Rule>" % (lo, hi, f, body))


def dash(pattern, width):
    return ",".join("%.3f" % max(0.01, p * width) for p in pattern)


def eq(field, value):
    return "[%s] = '%s'" % (field, value)


def matched(field, values):
    """The filter of a `match` fallback: none of `values`."""
    return "not (%s)" % " or ".join(eq(field, v) for v in values)


def line(colour, width, opacity=1.0, cap=None, join=None, dasharray=None):
    a = '<LineSymbolizer stroke="%s" stroke-width="%.3f"' % (colour, width)
    if opacity != 1.0:
        a += ' stroke-opacity="%.3f"' % opacity
    if cap:
        a += ' stroke-linecap="%s"' % cap
    if join:
        a += ' stroke-linejoin="%s"' % join
    if dasharray:
        a += ' stroke-dasharray="%s"' % dash(dasharray, width)
    return a + "/>"


def fill(colour, opacity=1.0):
    return '<PolygonSymbolizer fill="%s"%s/>' % (colour, ' fill-opacity="%.3f"' % opacity if opacity != 1.0 else "")


def circle(radius, colour, stroke, stroke_width):
    """A MapLibre circle: the stroke lies outside the radius, so Mapnik's centred stroke goes on an
    ellipse `stroke_width` wider (its inner half covers the fill's edge)."""
    d = 2 * radius + stroke_width
    return ('<MarkersSymbolizer marker-type="ellipse" width="%.3f" height="%.3f" fill="%s" stroke="%s" '
            'stroke-width="%.3f" allow-overlap="true" ignore-placement="true"/>' % (d, d, colour, stroke, stroke_width))


def text(expr, face, size, colour, halo, halo_r, extra=""):
    return ('<TextSymbolizer face-name="%s" size="%.2f" fill="%s" halo-fill="%s" halo-radius="%.2f"%s>%s</TextSymbolizer>'
            % (face, size, colour, halo, halo_r, extra, esc(expr)))


def below(size, offset_em, max_width_em):
    """text-anchor top + text-offset [0, offset] + text-max-width: below the point."""
    return (' placement="point" dy="%.2f" vertical-alignment="bottom" wrap-width="%.0f"'
            % (offset_em * size, max_width_em * size))


def right_of(size, offset_em, max_width_em=10):
    """text-anchor left + text-offset [offset, 0]: right of the point."""
    return (' placement="point" dx="%.2f" horizontal-alignment="right" wrap-width="%.0f"'
            % (offset_em * size, max_width_em * size))


def zooms(minzoom=0, maxzoom=99):
    return [z for z in ZOOMS if minzoom <= z < maxzoom]


class MapXml:
    """Collects the Mapnik styles and layers of one map: its drawn layers (in file order) and its
    label layers (in file order; composed in reverse, see compose())."""

    def __init__(self, store, srs):
        self.store, self.srs = store, srs
        self.styles, self.draw, self.labels = [], [], []

    def style(self, name, rules, first=False):
        mode = ' filter-mode="first"' if first else ""
        self.styles.append('<Style name="%s"%s>%s</Style>' % (name, mode, "".join(rules)))
        return name

    def layer(self, name, cls, style_names, label=False):
        cache = ' cache-features="true"' if len(style_names) > 1 else ""
        (self.labels if label else self.draw).append(
            '<Layer name="%s" srs="%s"%s>%s<Datasource><Parameter name="type">ogr</Parameter>'
            '<Parameter name="file">%s</Parameter><Parameter name="layer">%s</Parameter></Datasource></Layer>'
            % (name, self.srs, cache, "".join("<StyleName>%s</StyleName>" % s for s in style_names), esc(self.store), cls))


# ---------------------------------------------------------------------------------------------
# One function per map of styles/: the Mapnik equivalent of its layers, in file order.

def terrain(x, hillshade_vrt):
    x.style("landcover", [r for z in zooms() for r in
                          [rule(z, eq("class", c), fill(col)) for c, col in
                           (("forest", "#a3c49a"), ("tea", "#b6dc78"), ("orchard", "#f1d29e"),
                            ("farmland", "#f5efc4"), ("construction", "#e9e1d6"))]
                          + [rule(z, "not ([class] = 'water' or [class] = 'pond')", fill("#ebe8de"))]], first=True)
    x.layer("landcover", "landcover", ["landcover"])

    # hillshade: `gdaldem hillshade -multidirectional` (flat ground = 180 at 45° altitude) coloured
    # like ours: darker than flat → shadow colour, brighter → highlight colour, alpha growing with
    # the difference, layer opacity = hillshade-exaggeration at the zoom
    if hillshade_vrt:
        colorizer = ('<RasterColorizer default-mode="linear" default-color="transparent">'
                     '<stop value="0" color="transparent" mode="exact"/>'
                     '<stop value="1" color="rgba(59,74,58,1)"/><stop value="36" color="rgba(59,74,58,1)"/>'
                     '<stop value="180" color="rgba(59,74,58,0)"/><stop value="181" color="rgba(255,253,242,0)"/>'
                     '<stop value="240" color="rgba(255,253,242,1)"/><stop value="255" color="rgba(255,253,242,1)"/>'
                     '</RasterColorizer>')
        x.style("hillshade", [rule(z, None, '<RasterSymbolizer opacity="%.3f" scaling="bilinear">%s</RasterSymbolizer>'
                                   % (interp(z, [(10, 0.55), (14, 0.45), (17, 0.35), (19, 0.3)]), colorizer)) for z in zooms()])
        x.draw.append('<Layer name="hillshade" srs="%s"><StyleName>hillshade</StyleName><Datasource>'
                      '<Parameter name="type">gdal</Parameter><Parameter name="file">%s</Parameter>'
                      '<Parameter name="band">1</Parameter><Parameter name="nodata">0</Parameter></Datasource></Layer>'
                      % (x.srs, esc(hillshade_vrt)))

    x.style("water-area", [rule(z, "[class] = 'water' or [class] = 'pond'", fill("#a8cfe8") + line("#7fb2d6", 1))
                           for z in zooms()])
    x.layer("water-area", "landcover", ["water-area"])

    # village boundaries: white under-line, violet dash-dot
    x.style("villages-fill", [rule(z, None, line("#ffffff", interp(z, [(10, 3), (16, 7)]), 0.7)) for z in zooms()])
    x.style("villages-boundary", [rule(z, None, line("#8a5a9e", interp(z, [(10, 1), (16, 2.2)]), join="round",
                                                      dasharray=[4, 1.5, 1, 1.5])) for z in zooms()])
    x.layer("villages", "villages", ["villages-fill", "villages-boundary"])

    x.style("rivers", [rule(z, filt, line("#6fa8d6", interp(z, [(10, v10), (19, v19)], 1.6), cap="round", join="round"))
                       for z in zooms() for filt, v10, v19 in
                       ((eq("class", "river"), 1.5, 22), (eq("class", "canal"), 0.6, 6), (None, 0.6, 4))], first=True)
    x.layer("rivers", "rivers", ["rivers"])

    # roads: casings sorted minor → county (line-sort-key), paths, fills sorted minor → county
    classes = [("minor", "[class] != 'county' and [class] != 'township' and [class] != 'path'"),
               ("township", eq("class", "township")), ("county", eq("class", "county"))]
    casing = {"county": (3.2, 30, "#c88a2c"), "township": (2.4, 24, "#9d9584"), "minor": (1.6, 17, "#9d9584")}
    road_fill = {"county": (2, 26, "#f6c35b"), "township": (1.4, 20, "#fdf0bf"), "minor": (0.8, 14, "#ffffff")}
    names = []
    for key, filt in classes:
        a, b, col = casing[key]
        names.append(x.style("roads-casing-" + key, [rule(z, filt, line(col, interp(z, [(12, a), (19, b)], 1.5), cap="round",
                                                                         join="round")) for z in zooms(12)]))
    names.append(x.style("roads-path", [rule(z, eq("class", "path"), line("#9b7b5c", interp(z, [(14, 0.8), (19, 2.2)]), cap="butt",
                                                                         join="round", dasharray=[3, 1.6])) for z in zooms(14)]))
    for key, filt in classes:
        a, b, col = road_fill[key]
        names.append(x.style("roads-" + key, [rule(z, filt, line(col, interp(z, [(12, a), (19, b)], 1.5), cap="round",
                                                                 join="round")) for z in zooms()]))
    x.layer("roads", "roads", names)

    # buildings: by use, else by structure; outline from z15
    uses = [("ancestral_hall", "#c0735a"), ("public", "#d7a98c"), ("industrial", "#b9b4c4")]
    structures = [("brick_concrete", "#d4bfa6"), ("steel_concrete", "#bdb6ad"), ("wood", "#c9996b"), ("earth_wood", "#ad8a66")]
    rules = []
    for z in zooms(14):
        op = interp(z, [(14, 0.7), (15.5, 1)])
        rules += [rule(z, eq("use", u), fill(col, op)) for u, col in uses]
        rules += [rule(z, eq("structure", s), fill(col, op)) for s, col in structures]
        rules.append(rule(z, None, fill("#cfc3b5", op)))
    x.style("buildings", rules, first=True)
    x.style("buildings-outline", [rule(z, None, line("#7d6a58", interp(z, [(15, 0.4), (19, 1.2)]), join="miter"))
                                  for z in zooms(15)])
    x.layer("buildings", "buildings", ["buildings", "buildings-outline"])

    poi_colours = [("ancient_tree", "#2e7d32"), ("ancestral_hall", "#8d3b2a"), ("temple", "#8d3b2a"),
                   ("scenic", "#7b4fa0"), ("school", "#1f6fb2"), ("clinic", "#d63a3a"), ("culture_hall", "#e07b1a")]
    x.style("pois", [rule(z, eq("class", c) if c else None, circle(interp(z, [(14, 3), (18, 6)]), col, "#ffffff", 1.5))
                     for z in zooms(14) for c, col in poi_colours + [(None, "#555555")]], first=True)
    x.layer("pois", "pois", ["pois"])

    # labels, in file order: rivers, roads (sorted county → minor), POIs, villages
    x.style("rivers-label", [rule(z, "[name] != null and [name] != ''",
                                  text("[name]", REGULAR, interp(z, [(14, 11), (18, 14)]), "#2f6c9f", "rgba(255,255,255,0.85)", 1.5,
                                       ' placement="line" spacing="400" max-char-angle-delta="35" character-spacing="%.2f"'
                                       % (0.3 * interp(z, [(14, 11), (18, 14)])))) for z in zooms(14)])
    x.layer("rivers-label", "rivers", ["rivers-label"], label=True)
    names = []
    for key, filt in classes[::-1]:
        names.append(x.style("roads-label-" + key, [rule(z, "[name] != null and [name] != '' and (%s)" % filt,
                                                         text("[name]", REGULAR, interp(z, [(15, 11), (19, 15)]), "#4a4036", "#ffffff", 1.6,
                                                              ' placement="line" spacing="350" max-char-angle-delta="40"'))
                                                    for z in zooms(15)]))
    x.layer("roads-label", "roads", names, label=True)
    poi_text = [("ancient_tree", "#1f5a23"), ("school", "#174f80"), ("clinic", "#9c2525")]
    x.style("pois-label", [rule(z, eq("class", c) if c else None, text("[name]", REGULAR, 12, col, "#ffffff", 1.5, below(12, 0.6, 7)))
                           for z in zooms(15) for c, col in poi_text + [(None, "#5a2f22")]], first=True)
    x.layer("pois-label", "pois", ["pois-label"], label=True)
    x.style("villages-label", [rule(z, None, text("[name]", BOLD, interp(z, [(10, 12), (14, 18), (16, 22)]), "#5b3b6e",
                                                  "rgba(255,255,255,0.9)", 2, ' placement="interior" character-spacing="%.2f"'
                                                  % (0.15 * interp(z, [(10, 12), (14, 18), (16, 22)]))))
                               for z in zooms(10, 17)])
    x.layer("villages-label", "villages", ["villages-label"], label=True)


def industry(x):
    land_use = [("tea", "#7cc05a"), ("orchard", "#f3a53c"), ("farmland", "#e9d45c"), ("forest", "#4f9a5a"), ("pond", "#5fa8d8")]
    x.style("parcels", [rule(z, eq("land_use", u) if u else None, fill(col, 0.45))
                        for z in zooms(13) for u, col in land_use + [(None, "#bdb6a6")]], first=True)
    x.style("parcels-outline", [rule(z, None, line("#6d6a4e", 0.6, 0.6)) for z in zooms(15)])
    x.layer("parcels", "parcels", ["parcels", "parcels-outline"])

    # households by employment; migrant households drawn last (circle-sort-key)
    colours = [("farming", "#4caf50"), ("local_work", "#2f80c8"), ("business", "#8e5bb5")]
    rules = []
    for z in zooms(15):
        r = interp(z, [(15, 2.5), (18, 5)])
        rules += [rule(z, eq("employment", e), circle(r, col, "#ffffff", 1)) for e, col in colours]
        rules.append(rule(z, "[employment] != 'migrant'", circle(r, "#999999", "#ffffff", 1)))
    x.style("households", rules, first=True)
    x.style("households-migrant", [rule(z, eq("employment", "migrant"), circle(interp(z, [(15, 3.5), (18, 7)]), "#e4572e", "#8a1f00", 1.6))
                                   for z in zooms(15)])
    x.layer("households", "households", ["households", "households-migrant"])

    types = [("farm", "#3d8b37"), ("processing", "#b5651d"), ("homestay", "#d63384"), ("shop", "#2b7bb9"), ("cooperative", "#c9a227")]
    x.style("enterprises", [rule(z, eq("type", t) if t else None, circle(interp(z, [(13, 4), (18, 9)]), col, "#ffffff", 2))
                            for z in zooms(13) for t, col in types + [(None, "#666666")]], first=True)
    x.layer("enterprises", "enterprises", ["enterprises"])

    # parcels-label: "<crop in Chinese> <area_mu to 2 decimals>亩" (the regex cuts the decimals;
    # ours rounds them)
    crops = [("tea", "茶叶"), ("citrus", "柑橘"), ("mushroom", "香菇"), ("rice", "水稻"), ("bamboo", "毛竹"), ("vegetables", "蔬菜")]
    area = "[area_mu].replace('^(-?[0-9]+(\\.[0-9]{1,2})?)[0-9]*$', '$1')"
    halo = ("rgba(255,255,255,0.8)", 1.2)
    x.style("parcels-label", [rule(z, ("[crop] = '%s'" % c) if c else "[crop] != null and [crop] != ''",
                                   text("'%s ' + %s + '亩'" % (zh, area) if c else "[crop] + ' ' + %s + '亩'" % area,
                                        REGULAR, 10, "#3d4a2a", *halo, ' placement="interior"'))
                              for z in zooms(17) for c, zh in crops + [(None, None)]], first=True)
    x.layer("parcels-label", "parcels", ["parcels-label"], label=True)
    x.style("enterprises-label", [rule(z, "[name] != null and [name] != ''",
                                       text("[name]", REGULAR, 12, "#3a2a1a", "#ffffff", 1.5, below(12, 0.8, 8)))
                                  for z in zooms(15)])
    x.layer("enterprises-label", "enterprises", ["enterprises-label"], label=True)


def organization(x):
    x.style("grids-fill", [rule(z, None, fill("#5c6bc0", 0.08)) for z in zooms(12)])
    x.style("grids-halo", [rule(z, None, line("#ffffff", interp(z, [(12, 2.5), (18, 6)]), 0.8)) for z in zooms(12)])
    x.style("grids-boundary", [rule(z, None, line("#3949ab", interp(z, [(12, 1.2), (18, 3)]), join="round", dasharray=[5, 2]))
                               for z in zooms(12)])
    x.layer("grids", "grids", ["grids-fill", "grids-halo", "grids-boundary"])
    types = [("party_branch", "#d32f2f"), ("village_committee", "#1565c0"), ("supervision_committee", "#6a1b9a"),
             ("villager_group", "#2e7d32"), ("service_team", "#ef6c00")]
    x.style("org-units", [rule(z, eq("type", t) if t else None, circle(interp(z, [(12, 4), (18, 10)]), col, "#ffffff", 2))
                          for z in zooms(12) for t, col in types + [(None, "#616161")]], first=True)
    x.layer("org-units", "org_units", ["org-units"])

    def size(z):
        return interp(z, [(14, 12), (18, 16)])
    x.style("grids-label", [rule(z, "[name] != null and [name] != ''",
                                 text("[name]", BOLD, size(z), "#283593", "rgba(255,255,255,0.9)", 2,
                                      ' placement="interior" wrap-width="%.0f"' % (8 * size(z)))) for z in zooms(14)])
    x.layer("grids-label", "grids", ["grids-label"], label=True)
    # symbol-sort-key by type: party branch, village committee, supervision committee, the rest
    names = []
    for i, filt in enumerate([eq("type", "party_branch"), eq("type", "village_committee"), eq("type", "supervision_committee"),
                              matched("type", ["party_branch", "village_committee", "supervision_committee"])]):
        names.append(x.style("org-units-label-%d" % i, [rule(z, "[name] != null and [name] != '' and %s" % filt,
                                                             text("[name]", REGULAR, 12, "#263238", "#ffffff", 1.5, right_of(12, 0.9, 9)))
                                                        for z in zooms(14)]))
    x.layer("org-units-label", "org_units", names, label=True)


def assistance(x):
    x.style("pairings", [rule(z, None, line("#7b3fa0", interp(z, [(13, 1), (18, 2.5)]), 0.75, cap="round", dasharray=[2, 1.5]))
                         for z in zooms(13)])
    x.layer("pairings", "pairings", ["pairings"])
    types = [("low_income", "#e53935", "低保"), ("extreme_poverty", "#8e0000", "特困"), ("disabled", "#6d4c41", "残疾"),
             ("veteran", "#1e88e5", "优抚"), ("unstable_income", "#fb8c00", "易返贫")]
    x.style("assisted-households", [rule(z, eq("type", t) if t else None, circle(interp(z, [(13, 3), (18, 8)]), col, "#ffffff", 1.5))
                                    for z in zooms(13) for t, col, _ in types + [(None, "#757575", None)]], first=True)
    x.layer("assisted-households", "assisted_households", ["assisted-households"])
    x.style("assisted-households-label", [rule(z, eq("type", t), text("'%s'" % zh, REGULAR, 11, "#4a148c", "#ffffff", 1.4,
                                                                       right_of(11, 0.9)))
                                          for z in zooms(16) for t, _, zh in types])
    x.layer("assisted-households-label", "assisted_households", ["assisted-households-label"], label=True)
    # line-center: one label at the middle of the line (Mapnik: placement line, spacing 0)
    x.style("pairings-label", [rule(z, "[cadre_unit] != null and [cadre_unit] != ''",
                                    text("[cadre_unit]", REGULAR, 10, "#5e2a82", "#ffffff", 1.2, ' placement="line" spacing="0"'))
                               for z in zooms(17)])
    x.layer("pairings-label", "pairings", ["pairings-label"], label=True)


def disaster(x):
    risks = [("low", "not ([risk] = 'high' or [risk] = 'medium')", "#f2c81f", 0.26, "#b89400", "#7d6500", "（低风险）"),
             ("medium", eq("risk", "medium"), "#f08a1c", 0.32, "#c76a0a", "#a65406", "（中风险）"),
             ("high", eq("risk", "high"), "#e0301e", 0.38, "#b3200f", "#a01c0c", "（高风险）")]
    # fill-sort-key by risk: low, medium, high (one style each: Mapnik draws a layer's styles in turn)
    names = [x.style("hazard-fill-" + k, [rule(z, filt, fill(col, op)) for z in zooms()]) for k, filt, col, op, *_ in risks]
    rules = []
    for z in zooms():
        w = interp(z, [(12, 1), (18, 2.5)])
        for _, filt, _, _, col, _, _ in risks:
            rules.append(rule(z, "(%s) and [hazard] = 'flood'" % filt, line(col, w, join="round")))
            rules.append(rule(z, "(%s) and [hazard] != 'flood'" % filt, line(col, w, join="round", dasharray=[3, 1.5])))
    names.append(x.style("hazard-outline", rules))
    x.layer("hazard-zones", "hazard_zones", names)

    x.style("evacuation-casing", [rule(z, None, line("#ffffff", interp(z, [(12, 3.5), (18, 8)]), 0.85, cap="round", join="round"))
                                  for z in zooms(12)])
    x.style("evacuation-routes", [rule(z, None, line("#1b8a3a", interp(z, [(12, 2), (18, 4.5)]), cap="butt", join="round",
                                                     dasharray=[2.5, 1.2])) for z in zooms(12)])
    x.layer("evacuation-routes", "evacuation_routes", ["evacuation-casing", "evacuation-routes"])

    x.style("monitoring-points", [rule(z, eq("type", t) if t else None, circle(interp(z, [(13, 2.5), (18, 5)]), col, "#ffffff", 1.2))
                                  for z in zooms(13) for t, col in (("rain_gauge", "#2a7fd4"), ("displacement", "#8e44ad"), (None, "#0097a7"))],
            first=True)
    x.layer("monitoring-points", "monitoring_points", ["monitoring-points"])
    x.style("shelters", [rule(z, None, circle(interp(z, [(11, 4), (15, 8), (18, 11)]), "#1e9e4a", "#ffffff", interp(z, [(11, 1), (16, 2)])))
                         for z in zooms(11)])
    x.layer("shelters", "shelters", ["shelters"])

    # labels, in file order: the 避 glyph, shelter names, hazard names (sorted high → low)
    x.style("shelters-glyph", [rule(z, None, text("'避'", BOLD, interp(z, [(14, 8), (15, 10), (18, 14)]), "#ffffff", "transparent", 0,
                                                  ' placement="point" allow-overlap="true"')) for z in zooms(14)])
    x.layer("shelters-glyph", "shelters", ["shelters-glyph"], label=True)
    x.style("shelters-label", [rule(z, "[name] != null and [name] != ''",
                                    text("[name]" if z < 17 else "[name] + '（' + [capacity] + '人）'", BOLD, 12, "#146b32", "#ffffff", 1.8,
                                         below(12, 1.0, 8))) for z in zooms(14)])
    x.layer("shelters-label", "shelters", ["shelters-label"], label=True)
    hazards = "[hazard].replace('^landslide$', '滑坡').replace('^debris_flow$', '泥石流').replace('^flood$', '洪涝').replace('^collapse$', '崩塌')"
    names = [x.style("hazard-label-" + k, [rule(z, filt, text("%s + '%s'" % (hazards, zh), REGULAR, 12, col, "rgba(255,255,255,0.9)", 1.5,
                                                              ' placement="interior"')) for z in zooms(14)])
             for k, filt, _, _, _, col, zh in risks[::-1]]
    x.layer("hazard-label", "hazard_zones", names, label=True)


def key_persons(x):
    categories = [("community_correction", "#c62828", "矫"), ("mental_illness", "#6a1b9a", "精"), ("petition", "#ef6c00", "访"),
                  ("left_behind_elderly", "#2e7d32", "老"), ("left_behind_child", "#0277bd", "童"),
                  ("solitary_elderly", "#558b2f", "独"), ("disabled", "#5d4037", "残")]
    # circle-sort-key by risk level: 1 (or none), 2, 3 drawn in that order, larger and ringed yellow at 3
    levels = [("1", "not ([risk_level] >= 2)", 1.0, "#ffffff", 1.5), ("2", "[risk_level] >= 2 and [risk_level] < 3", 1.2, "#ffffff", 1.5),
              ("3", "[risk_level] >= 3", 1.4, "#ffeb3b", 2.5)]
    names = []
    for k, filt, factor, stroke, sw in levels:
        names.append(x.style("key-persons-" + k, [rule(z, "(%s) and %s" % (filt, eq("category", c)) if c else filt,
                                                       circle(interp(z, [(13, 3), (18, 8)]) * factor, col, stroke, sw))
                                                  for z in zooms(13) for c, col, _ in categories + [(None, "#616161", None)]], first=True))
    x.layer("key-persons", "key_persons", names)
    x.style("key-persons-glyph", [rule(z, eq("category", c), text("'%s'" % g, BOLD, interp(z, [(16, 8), (18, 11)]), "#ffffff",
                                                                  "transparent", 0, ' placement="point" allow-overlap="true"'))
                                  for z in zooms(16) for c, _, g in categories])
    x.layer("key-persons-glyph", "key_persons", ["key-persons-glyph"], label=True)


MAPS = {"terrain": terrain, "industry": industry, "organization": organization, "assistance": assistance,
        "disaster": disaster, "key_persons": key_persons}


def build_xml(store, maps, hillshade_vrt, store_srs="epsg:4549"):
    """The Map: the background, every map's drawn layers in the order requested, then every label
    layer in reverse (ours places labels of layers higher in the stack first; Mapnik places them in
    layer order, first come first placed)."""
    parts = []
    for m in maps:
        x = MapXml(store, store_srs)
        if m == "terrain":
            terrain(x, hillshade_vrt)
        else:
            MAPS[m](x)
        parts.append(x)
    styles = "".join(s for x in parts for s in x.styles)
    draw = "".join(layer for x in parts for layer in x.draw)
    labels = "".join(layer for x in parts[::-1] for layer in x.labels[::-1])
    background = ' background-color="#f2efe6"' if "terrain" in maps else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<Map srs="epsg:3857"%s buffer-size="64">' % background
            + styles + draw + labels + "</Map>")


# ---------------------------------------------------------------------------------------------

def tile_bbox(z, x, y, n=1):
    """EPSG:3857 extent of the n×n tiles whose top-left tile is z/x/y."""
    span = 2 * HALF_WORLD / (1 << z)
    min_x = -HALF_WORLD + x * span
    max_y = HALF_WORLD - y * span
    return min_x, max_y - n * span, min_x + n * span, max_y


def prepare(store, workdir, srs):
    """What a Mapnik user sets up once, before the clock: with srs "3857", the store copied to
    EPSG:3857 (ogr2ogr) and each village DEM warped to it (gdalwarp, bilinear), as a tile server's
    data is kept in the tiles' CRS; with "store", the store as it is (EPSG:4549, reprojected by
    Mapnik at every render). Then `gdaldem hillshade` of every DEM, mosaicked in a VRT. Kept in
    `workdir` and reused when already there. Returns (store path, its srs, VRT or None, DEM count)."""
    os.makedirs(workdir, exist_ok=True)
    dem_dir = os.path.splitext(store)[0] + ".dem"
    dems = sorted(glob.glob(os.path.join(dem_dir, "*.tif")))
    if srs == "3857":
        copy = os.path.join(workdir, "store-3857.gpkg")
        if not os.path.exists(copy):
            subprocess.run(["ogr2ogr", "-q", "-f", "GPKG", "-t_srs", "EPSG:3857", copy + ".part.gpkg", store], check=True)
            os.rename(copy + ".part.gpkg", copy)
        warped = []
        for d in dems:
            w = os.path.join(workdir, "dem-3857-" + os.path.basename(d))
            if not os.path.exists(w):
                subprocess.run(["gdalwarp", "-q", "-t_srs", "EPSG:3857", "-r", "bilinear", "-dstnodata", "-9999", d, w + ".part.tif"], check=True)
                os.rename(w + ".part.tif", w)
            warped.append(w)
        store, map_srs, dems = copy, "epsg:3857", warped
    else:
        map_srs = "epsg:4549"
    if not dems:
        return store, map_srs, None, 0
    vrt = os.path.join(workdir, "hillshade-%s.vrt" % srs)
    if not os.path.exists(vrt):
        outs = []
        for d in dems:
            out = os.path.join(workdir, "hs-%s-%s" % (srs, os.path.basename(d)))
            subprocess.run(["gdaldem", "hillshade", "-q", "-multidirectional", "-alt", "45", "-compute_edges", d, out],
                           check=True)
            outs.append(out)
        subprocess.run(["gdalbuildvrt", "-q", "-srcnodata", "0", "-vrtnodata", "0", vrt] + outs, check=True)
    return store, map_srs, vrt, len(dems)


def new_map(xml, size):
    mapnik.register_fonts(FONT_DIR)
    m = mapnik.Map(size, size)
    mapnik.load_map_from_string(m, xml)  # opens every datasource (OGR, GDAL) once per process
    return m, mapnik.Image(size, size)


def jobs_of(tiles, mode):
    """tile mode: one job per tile. meta mode: one job per metatile, in the order its first tile
    comes, holding its list tiles in list order."""
    if mode == "tile":
        return [((z, x, y), [(z, x, y)]) for z, x, y in tiles]
    jobs, where = [], {}
    for z, x, y in tiles:
        key = (z, x // META * META, y // META * META)
        if key not in where:
            where[key] = len(jobs)
            jobs.append((key, []))
        jobs[where[key]][1].append((z, x, y))
    return jobs


def worker(xml, jobs, mode, fmt, counter, lock, barrier, results):
    size = 256 if mode == "tile" else 256 * META
    m, im = new_map(xml, size)
    barrier.wait()
    recs = []
    while True:
        with lock:
            i = counter.value
            counter.value += 1
        if i >= len(jobs):
            break
        (z, x0, y0), members = jobs[i]
        start = time.perf_counter()
        m.zoom_to_box(mapnik.Box2d(*tile_bbox(z, x0, y0, 1 if mode == "tile" else META)))
        im.clear()
        mapnik.render(m, im)
        for _, x, y in members:
            if mode == "tile":
                png = im.tostring(fmt)
            else:
                png = im.view((x - x0) * 256, (y - y0) * 256, 256, 256).tostring(fmt)
            end = time.perf_counter()
            recs.append((z, start, end, len(png)))
            start = end
    results.put(recs)


def run(xml, tiles, procs, mode, fmt, case):
    jobs = jobs_of(tiles, mode)
    ctx = mp.get_context("fork")
    counter, lock = ctx.Value("l", 0, lock=False), ctx.Lock()
    barrier, results = ctx.Barrier(procs), ctx.Queue()
    cpu0 = os.times()
    ps = [ctx.Process(target=worker, args=(xml, jobs, mode, fmt, counter, lock, barrier, results)) for _ in range(procs)]
    for p in ps:
        p.start()
    recs = [r for _ in ps for r in results.get()]
    for p in ps:
        p.join()
    cpu1 = os.times()
    what = "per tile" if mode == "tile" else "4x4 metatiles, %d renders" % len(jobs)
    tile_stats.report(case, "Mapnik %s, %s, %d proc" % (VERSION, what, procs), recs)
    # children's CPU (user + system), set-up (loading the style, opening datasources) included
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    print("RESULT case=%s cpu_s=%.2f renders=%d" % (case, cpu, len(jobs)))
    sys.stdout.flush()


def save_tiles(xml, tiles, fmt, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    m, im = new_map(xml, 256)
    for z, x, y in tiles:
        m.zoom_to_box(mapnik.Box2d(*tile_bbox(z, x, y)))
        im.clear()
        mapnik.render(m, im)
        with open(os.path.join(out_dir, "%d-%d-%d.png" % (z, x, y)), "wb") as f:
            f.write(im.tostring(fmt))


def read_tiles(path):
    with open(path) as f:
        return [tuple(int(v) for v in line.split()) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("tiles")
    ap.add_argument("--maps", default="terrain")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--mode", default="tile,meta", help="tile, meta or both (comma-separated, run in that order)")
    ap.add_argument("--case", default="mapnik")
    # 32-bit RGBA at zlib level 4, like our encoder (RGB, level 4); Mapnik's plain "png" would be a
    # quantised 8-bit palette, a different product.
    ap.add_argument("--format", default="png32:z=4")
    ap.add_argument("--save-list", help="tiles to render one by one after the timed runs and save in --save-dir")
    ap.add_argument("--save-dir")
    ap.add_argument("--srs", choices=["3857", "store"], default="3857",
                    help="3857: read a copy of the store and DEMs in EPSG:3857 made before the clock (default); "
                         "store: read the store in its own CRS, reprojected at every render")
    ap.add_argument("--work-dir", help="keep the prepared copies there, reused by later runs (default: a temporary directory)")
    ap.add_argument("--xml-out")
    args = ap.parse_args()

    maps = args.maps.split(",")
    unknown = [m for m in maps if m not in MAPS]
    if unknown:
        sys.exit("mapnik_peer: unknown map(s) %s" % ",".join(unknown))
    tiles = read_tiles(args.tiles)
    with tempfile.TemporaryDirectory(prefix="mapnik-peer-") as tmp:
        t0 = time.perf_counter()
        store, srs, vrt, dems = prepare(os.path.abspath(args.store), os.path.abspath(args.work_dir or tmp), args.srs)
        xml = build_xml(store, maps, vrt if "terrain" in maps else None, srs)
        if args.xml_out:
            with open(args.xml_out, "w") as f:
                f.write(xml)
        print("Mapnik %s, maps %s: %d tiles from %s; data read in %s%s; hillshade of %d DEMs by gdaldem; "
              "prepared in %.0f ms (not timed)"
              % (VERSION, args.maps, len(tiles), args.tiles, srs.upper(),
                 " (copied and warped before the clock)" if args.srs == "3857" else " (reprojected at every render)",
                 dems, (time.perf_counter() - t0) * 1000))
        sys.stdout.flush()
        for mode in args.mode.split(","):
            run(xml, tiles, args.procs, mode, args.format, "%s-%s" % (args.case, mode))
        if args.save_list and args.save_dir:
            save_tiles(xml, read_tiles(args.save_list), args.format, args.save_dir)


if __name__ == "__main__":
    main()
