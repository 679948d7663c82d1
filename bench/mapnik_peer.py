#!/usr/bin/python3
"""The Mapnik peer of bench/tile_bench.cpp: renders the same tile list from the same GeoPackage
with a Mapnik style equivalent to styles/terrain.json, N processes (one Map each), and prints
tiles/s, median and p95 ms.

    mapnik_peer.py STORE.gpkg TILES.txt [--procs 2[,1]] [--format png32:z=4] [--save-dir DIR]
                   [--save-every 97] [--xml-out FILE]

TILES.txt holds "z x y" lines (tile_bench --list-out writes it). Mapnik reads the store through its
OGR plugin (the GeoPackage's SQLite R-tree, EPSG:4549, reprojected to EPSG:3857 at every render)
and the DEM hillshade through its GDAL plugin from a VRT of `gdaldem hillshade` outputs computed
once at start (not timed). Each process builds its Map (opening the datasources) before a barrier;
only rendering and PNG encoding after the barrier are timed.

The last line(s) are machine-readable: "RESULT procs=N tiles=T tiles_per_s=… median_ms=… p95_ms=…".
Run with Debian's python (/usr/bin/python3), which has python3-mapnik.
"""

import argparse
import glob
import math
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time

import mapnik

HALF_WORLD = 20037508.342789244
FONT_DIR = "/usr/share/fonts/opentype/noto"
ZOOMS = range(14, 19)


# ---------------------------------------------------------------------------------------------
# Zoom expressions of terrain.json, evaluated per zoom (MapLibre semantics).

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


def style(name, rules, first=False):
    mode = ' filter-mode="first"' if first else ""
    return '<Style name="%s"%s>%s</Style>' % (name, mode, "".join(rules))


def dash(pattern, width):
    return ",".join("%.3f" % max(0.01, p * width) for p in pattern)


# ---------------------------------------------------------------------------------------------
# The Mapnik equivalent of styles/terrain.json, as Mapnik XML.

def build_xml(store, hillshade_vrt, store_srs="epsg:4549"):
    styles, layers = [], []

    def ogr_layer(name, cls, style_names, cache=False):
        layers.append(
            '<Layer name="%s" srs="%s"%s>%s<Datasource><Parameter name="type">ogr</Parameter>'
            '<Parameter name="file">%s</Parameter><Parameter name="layer">%s</Parameter></Datasource></Layer>'
            % (name, store_srs, ' cache-features="true"' if cache else "",
               "".join("<StyleName>%s</StyleName>" % s for s in style_names), esc(store), cls))

    # landcover (not water)
    lc_colours = [("forest", "#a3c49a"), ("tea", "#b6dc78"), ("orchard", "#f1d29e"), ("farmland", "#f5efc4"),
                  ("construction", "#e9e1d6")]
    rules = []
    for z in ZOOMS:
        for cls, col in lc_colours:
            rules.append(rule(z, "[class] = '%s'" % cls, '<PolygonSymbolizer fill="%s"/>' % col))
        rules.append(rule(z, "not ([class] = 'water' or [class] = 'pond')", '<PolygonSymbolizer fill="#ebe8de"/>'))
    styles.append(style("landcover", rules, first=True))
    ogr_layer("landcover", "landcover", ["landcover"])

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
        rules = []
        for z in ZOOMS:
            op = interp(z, [(10, 0.55), (14, 0.45), (17, 0.35), (19, 0.3)])
            rules.append(rule(z, None, '<RasterSymbolizer opacity="%.3f" scaling="bilinear">%s</RasterSymbolizer>'
                                       % (op, colorizer)))
        styles.append(style("hillshade", rules))
        layers.append('<Layer name="hillshade" srs="%s"><StyleName>hillshade</StyleName><Datasource>'
                      '<Parameter name="type">gdal</Parameter><Parameter name="file">%s</Parameter>'
                      '<Parameter name="band">1</Parameter><Parameter name="nodata">0</Parameter></Datasource></Layer>'
                      % (store_srs, esc(hillshade_vrt)))

    # water areas
    rules = [rule(z, "[class] = 'water' or [class] = 'pond'",
                  '<PolygonSymbolizer fill="#a8cfe8"/><LineSymbolizer stroke="#7fb2d6" stroke-width="1"/>') for z in ZOOMS]
    styles.append(style("water-area", rules))
    ogr_layer("water-area", "landcover", ["water-area"])

    # village boundaries: white under-line, violet dash-dot
    r1, r2 = [], []
    for z in ZOOMS:
        w1 = interp(z, [(10, 3), (16, 7)])
        r1.append(rule(z, None, '<LineSymbolizer stroke="#ffffff" stroke-opacity="0.7" stroke-width="%.3f"/>' % w1))
        w2 = interp(z, [(10, 1), (16, 2.2)])
        r2.append(rule(z, None, '<LineSymbolizer stroke="#8a5a9e" stroke-width="%.3f" stroke-linejoin="round" '
                                'stroke-dasharray="%s"/>' % (w2, dash([4, 1.5, 1, 1.5], w2))))
    styles += [style("villages-fill", r1), style("villages-boundary", r2)]
    ogr_layer("villages", "villages", ["villages-fill", "villages-boundary"], cache=True)

    # rivers
    rules = []
    for z in ZOOMS:
        for filt, v10, v19 in (("[class] = 'river'", 1.5, 22), ("[class] = 'canal'", 0.6, 6), (None, 0.6, 4)):
            w = interp(z, [(10, v10), (19, v19)], 1.6)
            rules.append(rule(z, filt, '<LineSymbolizer stroke="#6fa8d6" stroke-width="%.3f" stroke-linecap="round" '
                                       'stroke-linejoin="round"/>' % w))
    styles.append(style("rivers", rules, first=True))
    ogr_layer("rivers", "rivers", ["rivers"])

    # roads: casings sorted minor → county, paths, fills sorted minor → county (line-sort-key)
    classes = [("minor", "[class] != 'county' and [class] != 'township' and [class] != 'path'"),
               ("township", "[class] = 'township'"), ("county", "[class] = 'county'")]
    casing = {"county": (3.2, 30, "#c88a2c"), "township": (2.4, 24, "#9d9584"), "minor": (1.6, 17, "#9d9584")}
    fill = {"county": (2, 26, "#f6c35b"), "township": (1.4, 20, "#fdf0bf"), "minor": (0.8, 14, "#ffffff")}
    road_styles = []
    for key, filt in classes:
        a, b, col = casing[key]
        rules = [rule(z, filt, '<LineSymbolizer stroke="%s" stroke-width="%.3f" stroke-linecap="round" '
                               'stroke-linejoin="round"/>' % (col, interp(z, [(12, a), (19, b)], 1.5))) for z in ZOOMS]
        styles.append(style("roads-casing-" + key, rules))
        road_styles.append("roads-casing-" + key)
    rules = []
    for z in ZOOMS:
        w = interp(z, [(14, 0.8), (19, 2.2)])
        rules.append(rule(z, "[class] = 'path'", '<LineSymbolizer stroke="#9b7b5c" stroke-width="%.3f" stroke-linecap="butt" '
                                                 'stroke-linejoin="round" stroke-dasharray="%s"/>' % (w, dash([3, 1.6], w))))
    styles.append(style("roads-path", rules))
    road_styles.append("roads-path")
    for key, filt in classes:
        a, b, col = fill[key]
        rules = [rule(z, filt, '<LineSymbolizer stroke="%s" stroke-width="%.3f" stroke-linecap="round" '
                               'stroke-linejoin="round"/>' % (col, interp(z, [(12, a), (19, b)], 1.5))) for z in ZOOMS]
        styles.append(style("roads-" + key, rules))
        road_styles.append("roads-" + key)
    ogr_layer("roads", "roads", road_styles, cache=True)

    # buildings: by use, else by structure; outline from z15
    uses = [("ancestral_hall", "#c0735a"), ("public", "#d7a98c"), ("industrial", "#b9b4c4")]
    structures = [("brick_concrete", "#d4bfa6"), ("steel_concrete", "#bdb6ad"), ("wood", "#c9996b"), ("earth_wood", "#ad8a66")]
    rules, outline = [], []
    for z in ZOOMS:
        op = interp(z, [(14, 0.7), (15.5, 1)])
        for u, col in uses:
            rules.append(rule(z, "[use] = '%s'" % u, '<PolygonSymbolizer fill="%s" fill-opacity="%.3f"/>' % (col, op)))
        for s, col in structures:
            rules.append(rule(z, "[structure] = '%s'" % s, '<PolygonSymbolizer fill="%s" fill-opacity="%.3f"/>' % (col, op)))
        rules.append(rule(z, None, '<PolygonSymbolizer fill="#cfc3b5" fill-opacity="%.3f"/>' % op))
        if z >= 15:
            outline.append(rule(z, None, '<LineSymbolizer stroke="#7d6a58" stroke-width="%.3f" stroke-linejoin="miter"/>'
                                         % interp(z, [(15, 0.4), (19, 1.2)])))
    styles += [style("buildings", rules, first=True), style("buildings-outline", outline)]
    ogr_layer("buildings", "buildings", ["buildings", "buildings-outline"], cache=True)

    # POIs: circles coloured by class with a white ring outside the radius
    poi_colours = [("ancient_tree", "#2e7d32"), ("ancestral_hall", "#8d3b2a"), ("temple", "#8d3b2a"),
                   ("scenic", "#7b4fa0"), ("school", "#1f6fb2"), ("clinic", "#d63a3a"), ("culture_hall", "#e07b1a")]
    rules = []
    for z in ZOOMS:
        r = interp(z, [(14, 3), (18, 6)])
        d = 2 * r + 1.5  # stroke centred on the marker edge: half inside, half outside
        for cls, col in poi_colours + [(None, "#555555")]:
            rules.append(rule(z, "[class] = '%s'" % cls if cls else None,
                              '<MarkersSymbolizer marker-type="ellipse" width="%.3f" height="%.3f" fill="%s" '
                              'stroke="#ffffff" stroke-width="1.5" allow-overlap="true" ignore-placement="true"/>'
                              % (d, d, col)))
    styles.append(style("pois", rules, first=True))
    ogr_layer("pois", "pois", ["pois"])

    # Labels, placed with one collision detector per render in layer order: villages first (the
    # highest symbol layer in terrain.json), then POIs, roads (county, township, minor), rivers.
    def text(face, size, fill, halo, halo_r, extra=""):
        return ('<TextSymbolizer face-name="%s" size="%.2f" fill="%s" halo-fill="%s" halo-radius="%.2f"%s>[name]</TextSymbolizer>'
                % (face, size, fill, halo, halo_r, extra))

    rules = []
    for z in ZOOMS:
        if z < 17:
            size = interp(z, [(10, 12), (14, 18), (16, 22)])
            rules.append(rule(z, None, text("Noto Sans CJK SC Bold", size, "#5b3b6e", "rgba(255,255,255,0.9)", 2,
                                            ' placement="interior" character-spacing="%.2f"' % (0.15 * size))))
    styles.append(style("villages-label", rules))
    ogr_layer("villages-label", "villages", ["villages-label"])

    poi_text = [("ancient_tree", "#1f5a23"), ("school", "#174f80"), ("clinic", "#9c2525")]
    rules = []
    for z in ZOOMS:
        if z >= 15:
            extra = ' dy="7.2" vertical-alignment="bottom" wrap-width="84"'
            for cls, col in poi_text + [(None, "#5a2f22")]:
                rules.append(rule(z, "[class] = '%s'" % cls if cls else None,
                                  text("Noto Sans CJK SC Regular", 12, col, "#ffffff", 1.5, extra)))
    styles.append(style("pois-label", rules, first=True))
    ogr_layer("pois-label", "pois", ["pois-label"])

    label_styles = []
    for key, filt in (("county", "[class] = 'county'"), ("township", "[class] = 'township'"),
                      ("minor", "[class] != 'county' and [class] != 'township' and [class] != 'path'")):
        rules = []
        for z in ZOOMS:
            if z >= 15:
                size = interp(z, [(15, 11), (19, 15)])
                rules.append(rule(z, "[name] != null and [name] != '' and (%s)" % filt,
                                  text("Noto Sans CJK SC Regular", size, "#4a4036", "#ffffff", 1.6,
                                       ' placement="line" spacing="350" max-char-angle-delta="40"')))
        styles.append(style("roads-label-" + key, rules))
        label_styles.append("roads-label-" + key)
    ogr_layer("roads-label", "roads", label_styles, cache=True)

    rules = []
    for z in ZOOMS:
        size = interp(z, [(14, 11), (18, 14)])
        rules.append(rule(z, "[name] != null and [name] != ''",
                          text("Noto Sans CJK SC Regular", size, "#2f6c9f", "rgba(255,255,255,0.85)", 1.5,
                               ' placement="line" spacing="400" max-char-angle-delta="35" character-spacing="%.2f"'
                               % (0.3 * size))))
    styles.append(style("rivers-label", rules))
    ogr_layer("rivers-label", "rivers", ["rivers-label"])

    return ('<?xml version="1.0" encoding="utf-8"?>\n<Map srs="epsg:3857" background-color="#f2efe6" buffer-size="64">'
            + "".join(styles) + "".join(layers) + "</Map>")


# ---------------------------------------------------------------------------------------------

def tile_bbox(z, x, y):
    span = 2 * HALF_WORLD / (1 << z)
    min_x = -HALF_WORLD + x * span
    max_y = HALF_WORLD - y * span
    return min_x, max_y - span, min_x + span, max_y


def make_hillshade(store, workdir):
    """gdaldem hillshade of every village DEM (in its own CRS), mosaicked in a VRT. Not timed."""
    dem_dir = os.path.splitext(store)[0] + ".dem"
    dems = sorted(glob.glob(os.path.join(dem_dir, "*.tif")))
    if not dems:
        return None
    outs = []
    for d in dems:
        out = os.path.join(workdir, "hs-" + os.path.basename(d))
        subprocess.run(["gdaldem", "hillshade", "-q", "-multidirectional", "-alt", "45", "-compute_edges", d, out],
                       check=True)
        outs.append(out)
    vrt = os.path.join(workdir, "hillshade.vrt")
    subprocess.run(["gdalbuildvrt", "-q", "-srcnodata", "0", "-vrtnodata", "0", vrt] + outs, check=True)
    return vrt


def worker(wid, xml, tiles, fmt, counter, lock, barrier, results):
    mapnik.register_fonts(FONT_DIR)
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, xml)  # opens every datasource (OGR, GDAL) once per process
    im = mapnik.Image(256, 256)
    barrier.wait()
    start = time.perf_counter()
    lat, sizes = [], []
    while True:
        with lock:
            i = counter.value
            counter.value += 1
        if i >= len(tiles):
            break
        z, x, y = tiles[i]
        t0 = time.perf_counter()
        m.zoom_to_box(mapnik.Box2d(*tile_bbox(z, x, y)))
        im.clear()
        mapnik.render(m, im)
        png = im.tostring(fmt)
        lat.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(png))
    end = time.perf_counter()
    results.put((wid, start, end, lat, sizes))


def run(xml, tiles, procs, fmt):
    ctx = mp.get_context("fork")
    counter, lock = ctx.Value("l", 0, lock=False), ctx.Lock()
    barrier, results = ctx.Barrier(procs), ctx.Queue()
    ps = [ctx.Process(target=worker, args=(w, xml, tiles, fmt, counter, lock, barrier, results)) for w in range(procs)]
    for p in ps:
        p.start()
    got = [results.get() for _ in ps]
    for p in ps:
        p.join()
    wall = max(g[2] for g in got) - min(g[1] for g in got)
    lat = sorted(l for g in got for l in g[3])
    sizes = [s for g in got for s in g[4]]
    tps = len(lat) / wall
    median = statistics.median(lat)
    p95 = lat[min(len(lat) - 1, len(lat) * 95 // 100)]
    print("%-26s %2d proc(s):   %5d tiles in %8.0f ms = %7.1f tiles/s   median %6.2f ms   p95 %6.2f ms   max %7.2f ms   mean PNG %6.0f B"
          % ("Mapnik %s" % mapnik.mapnik_version(), procs, len(lat), wall * 1000, tps, median, p95, lat[-1],
             sum(sizes) / len(sizes)))
    print("RESULT procs=%d tiles=%d tiles_per_s=%.2f median_ms=%.3f p95_ms=%.3f mean_png_bytes=%.0f"
          % (procs, len(lat), tps, median, p95, sum(sizes) / len(sizes)))
    sys.stdout.flush()


def save_samples(xml, tiles, fmt, out_dir, every):
    os.makedirs(out_dir, exist_ok=True)
    mapnik.register_fonts(FONT_DIR)
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, xml)
    im = mapnik.Image(256, 256)
    for i in range(0, len(tiles), every):
        z, x, y = tiles[i]
        m.zoom_to_box(mapnik.Box2d(*tile_bbox(z, x, y)))
        im.clear()
        mapnik.render(m, im)
        with open(os.path.join(out_dir, "%d-%d-%d.png" % (z, x, y)), "wb") as f:
            f.write(im.tostring(fmt))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("tiles")
    ap.add_argument("--procs", default="2", help="comma-separated process counts to run, e.g. 2,1")
    # 32-bit RGBA at zlib level 4, like our encoder (RGB, level 4); Mapnik's plain "png" would be a
    # quantised 8-bit palette, a different product.
    ap.add_argument("--format", default="png32:z=4")
    ap.add_argument("--save-dir")
    ap.add_argument("--save-every", type=int, default=97)
    ap.add_argument("--xml-out")
    args = ap.parse_args()

    tiles = []
    with open(args.tiles) as f:
        for line in f:
            if line.strip():
                z, x, y = (int(v) for v in line.split())
                tiles.append((z, x, y))
    store = os.path.abspath(args.store)
    with tempfile.TemporaryDirectory(prefix="mapnik-peer-") as tmp:
        t0 = time.perf_counter()
        vrt = make_hillshade(store, tmp)
        xml = build_xml(store, vrt)
        if args.xml_out:
            with open(args.xml_out, "w") as f:
                f.write(xml)
        print("Mapnik %s, plugins %s; %d tiles from %s; hillshade precomputed by gdaldem in %.0f ms (not timed)"
              % (mapnik.mapnik_version(), ",".join(sorted(mapnik.DatasourceCache.plugin_names())), len(tiles),
                 args.tiles, (time.perf_counter() - t0) * 1000))
        sys.stdout.flush()
        for procs in (int(p) for p in args.procs.split(",")):
            run(xml, tiles, procs, args.format)
        if args.save_dir:
            save_samples(xml, tiles, args.format, args.save_dir, args.save_every)


if __name__ == "__main__":
    main()
