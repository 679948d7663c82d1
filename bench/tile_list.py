#!/usr/bin/python3
"""The tile list of bench/run-tile-bench.sh: every tile at z14–z18 that covers a village (its extent
intersects a village polygon, projected to EPSG:3857), ordered as a map being panned: zoom by zoom
from z14, row by row (y, then x) within a zoom.

    tile_list.py STORE.gpkg OUT.txt [--max-tiles 1500] [--zooms 14-18]

OUT.txt gets "z x y" lines. When the list is longer than --max-tiles, z17 and z18 are thinned,
deterministically, by whole 4×4 metatiles (the metatile `metatile_bbox` places labels over, and the
unit renderd/mod_tile render): every k-th metatile of each zoom in row order is kept with all of
its covering tiles, so what is kept is still panned ground, spread over every village, and a
metatile renderer (ours or Mapnik's) gets whole metatiles. z14–z16 are always complete. Prints
how many tiles each zoom has and keeps.
"""

import argparse
import sys

from osgeo import ogr, osr

HALF_WORLD = 20037508.342789244
META = 4  # render/tile_footprint metatile_size(z) for z >= 2


def tile_bbox(z, x, y):
    span = 2 * HALF_WORLD / (1 << z)
    min_x = -HALF_WORLD + x * span
    max_y = HALF_WORLD - y * span
    return min_x, max_y - span, min_x + span, max_y


def tile_at(px, py, z):
    n = 1 << z
    x = int((px + HALF_WORLD) / (2 * HALF_WORLD) * n)
    y = int((HALF_WORLD - py) / (2 * HALF_WORLD) * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def villages_3857(store):
    ds = ogr.Open(store)
    if ds is None:
        sys.exit("tile_list: cannot open %s" % store)
    layer = ds.GetLayerByName("villages")
    if layer is None:
        sys.exit("tile_list: %s has no villages layer" % store)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(3857)
    dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    src = layer.GetSpatialRef()
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    union = ogr.Geometry(ogr.wkbMultiPolygon)
    for f in layer:
        g = f.GetGeometryRef().Clone()
        g.Transform(ct)
        union = union.Union(g)
    return union


def covering(union, z):
    min_x, max_x, min_y, max_y = union.GetEnvelope()
    x0, y0 = tile_at(min_x, max_y, z)
    x1, y1 = tile_at(max_x, min_y, z)
    out = []
    for y in range(y0, y1 + 1):
        for x in range(x0, x1 + 1):
            a, b, c, d = tile_bbox(z, x, y)
            ring = ogr.Geometry(ogr.wkbLinearRing)
            for px, py in ((a, b), (c, b), (c, d), (a, d), (a, b)):
                ring.AddPoint_2D(px, py)
            box = ogr.Geometry(ogr.wkbPolygon)
            box.AddGeometry(ring)
            if union.Intersects(box):
                out.append((z, x, y))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store")
    ap.add_argument("out")
    ap.add_argument("--max-tiles", type=int, default=1500)
    ap.add_argument("--zooms", default="14-18")
    args = ap.parse_args()
    z0, z1 = (int(v) for v in args.zooms.split("-"))

    union = villages_3857(args.store)
    per_zoom = {z: covering(union, z) for z in range(z0, z1 + 1)}
    full = sum(len(t) for t in per_zoom.values())
    thin = [z for z in per_zoom if z >= 17]
    fixed = sum(len(per_zoom[z]) for z in per_zoom if z not in thin)
    kept = dict(per_zoom)
    if full > args.max_tiles and thin:
        room = max(0, args.max_tiles - fixed)
        thin_total = sum(len(per_zoom[z]) for z in thin)
        for z in thin:
            share = room * len(per_zoom[z]) / thin_total  # each thinned zoom keeps its share of the room
            metas = sorted({(y // META, x // META) for (_, x, y) in per_zoom[z]})
            tiles_per_meta = len(per_zoom[z]) / len(metas)
            n_keep = min(len(metas), max(1, round(share / tiles_per_meta)))
            step = len(metas) / n_keep  # every step-th metatile, evenly over the zoom's rows
            keep = {metas[int(j * step)] for j in range(n_keep)}
            kept[z] = [t for t in per_zoom[z] if (t[2] // META, t[1] // META) in keep]
    tiles = [t for z in sorted(kept) for t in kept[z]]
    with open(args.out, "w") as f:
        for z, x, y in tiles:
            f.write("%d %d %d\n" % (z, x, y))
    print("tile list: %d tiles covering the villages at z%d-z%d (%s); %s"
          % (full, z0, z1, ", ".join("z%d %d" % (z, len(per_zoom[z])) for z in sorted(per_zoom)),
             "all kept" if len(tiles) == full else
             "capped at --max-tiles %d by whole 4x4 metatiles at z17/z18: kept %d (%s)"
             % (args.max_tiles, len(tiles), ", ".join("z%d %d" % (z, len(kept[z])) for z in sorted(kept)))))


if __name__ == "__main__":
    main()
