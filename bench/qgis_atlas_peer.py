#!/usr/bin/python3
"""The QGIS peer of bench/atlas_bench.sh: a headless QgsLayoutExporter atlas of the same villages.

    /usr/bin/python3 bench/qgis_atlas_peer.py STORE.gpkg LAYERS_DIR OUT_DIR WORKER WORKERS

Worker WORKER of WORKERS prints the sheets of every WORKERS-th village (by code), for each of the
six maps: an A3 landscape layout, the map item driven by the villages layer (atlas, auto scale),
the map's layers over the terrain base with simple single symbols and name labels (Noto Sans CJK),
title, legend, scale bar and north arrow; one PDF per sheet via QgsLayoutExporter.exportToPdf.
Prints one JSON line: {"worker", "sheets", "seconds"} (seconds: the export loop, after start-up).
"""
import glob
import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication, QgsLayerTree, QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend,
    QgsLayoutItemMap, QgsLayoutItemPage, QgsLayoutItemPicture, QgsLayoutItemScaleBar, QgsLayoutPoint,
    QgsLayoutSize, QgsPalLayerSettings, QgsPrintLayout, QgsProject, QgsSymbol, QgsTextFormat,
    QgsUnitTypes, QgsVectorLayer, QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtGui import QColor, QFont  # noqa: E402

store, layers_dir, out, worker, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
os.makedirs(out, exist_ok=True)
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()

maps = []
for path in sorted(glob.glob(os.path.join(layers_dir, "*.json"))):
    d = json.load(open(path, encoding="utf-8"))
    maps.append((d["map"], d["title"]["zh"], [c["name"] for c in d["classes"]]))
order = ["terrain", "industry", "organization", "key_persons", "assistance", "disaster"]
maps.sort(key=lambda m: order.index(m[0]) if m[0] in order else 99)

palette = ["#8fbf7f", "#f0e6a0", "#7aa6d6", "#d9a066", "#c96f5a", "#9b7fc0", "#e0c040", "#5aa0a0", "#d04040",
           "#60a060", "#a0a0a0", "#e08030"]
layers = {}
for i, (_, _, classes) in enumerate(maps):
    for cls in classes:
        if cls in layers:
            continue
        lyr = QgsVectorLayer(f"{store}|layername={cls}", cls, "ogr")
        if not lyr.isValid():
            continue
        sym = QgsSymbol.defaultSymbol(lyr.geometryType())
        sym.setColor(QColor(palette[len(layers) % len(palette)]))
        lyr.renderer().setSymbol(sym)
        if lyr.fields().indexOf("name") >= 0:
            s = QgsPalLayerSettings()
            s.fieldName = "name"
            s.enabled = True
            fmt = QgsTextFormat()
            fmt.setFont(QFont("Noto Sans CJK SC"))
            fmt.setSize(8)
            s.setFormat(fmt)
            lyr.setLabeling(QgsVectorLayerSimpleLabeling(s))
            lyr.setLabelsEnabled(True)
        project.addMapLayer(lyr)
        layers[cls] = lyr
villages = layers["villages"]
project.setCrs(villages.crs())
codes = sorted(f["village_code"] for f in villages.getFeatures())
mine = codes[worker::workers]


def mm(x, y):
    return QgsLayoutPoint(x, y, QgsUnitTypes.LayoutMillimeters)


def size(w, h):
    return QgsLayoutSize(w, h, QgsUnitTypes.LayoutMillimeters)


keep = []


def layout_for(name, title, classes):
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.pageCollection().page(0).setPageSize("A3", QgsLayoutItemPage.Landscape)
    # QGIS draws the first layer on top: the map's own over the terrain base, each map's classes in
    # reverse drawing order.
    shown = [layers[c] for c in reversed(classes) if c in layers]
    if name != "terrain":
        shown += [layers[c] for c in reversed(maps[0][2]) if c in layers]
    m = QgsLayoutItemMap(layout)
    m.attemptMove(mm(12, 30))
    m.attemptResize(size(310, 255))
    m.setLayers(shown)
    m.setCrs(villages.crs())
    m.setFrameEnabled(True)
    layout.addLayoutItem(m)
    atlas = layout.atlas()
    atlas.setCoverageLayer(villages)
    atlas.setEnabled(True)
    atlas.setFilterFeatures(True)
    atlas.setFilterExpression("village_code IN (" + ",".join(f"'{c}'" for c in mine) + ")")
    m.setAtlasDriven(True)
    m.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    t = QgsLayoutItemLabel(layout)
    t.setText('[% "name" %] ' + title)
    t.setFont(QFont("Noto Serif CJK SC", 24))
    t.attemptMove(mm(12, 8))
    t.attemptResize(size(396, 16))
    layout.addLayoutItem(t)
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("图例")
    legend.setAutoUpdateModel(False)
    root = QgsLayerTree()
    for lyr in shown:
        root.addLayer(lyr)
    legend.model().setRootGroup(root)
    keep.append(root)  # the legend model does not own its root: keep it alive
    legend.setLinkedMap(m)
    legend.attemptMove(mm(330, 30))
    layout.addLayoutItem(legend)
    sb = QgsLayoutItemScaleBar(layout)
    sb.setStyle("Single Box")
    sb.setLinkedMap(m)
    sb.applyDefaultSize()
    sb.setUnits(QgsUnitTypes.DistanceMeters)
    sb.setUnitLabel("米")
    sb.setNumberOfSegments(4)
    sb.setUnitsPerSegment(250)
    sb.attemptMove(mm(330, 250))
    layout.addLayoutItem(sb)
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath("/usr/share/qgis/svg/arrows/NorthArrow_02.svg")
    arrow.attemptMove(mm(395, 240))
    arrow.attemptResize(size(12, 18))
    layout.addLayoutItem(arrow)
    return layout


start = time.monotonic()
sheets = 0
for name, title, classes in maps:
    layout = layout_for(name, title, classes)
    atlas = layout.atlas()
    exporter = QgsLayoutExporter(layout)
    atlas.beginRender()
    ok = atlas.first()
    while ok:
        code = layout.reportContext().feature()["village_code"]
        path = os.path.join(out, f"{code}-{name}.pdf")
        result = exporter.exportToPdf(path, QgsLayoutExporter.PdfExportSettings())
        if result != QgsLayoutExporter.Success:
            raise SystemExit(f"QGIS could not export {path}: {result}")
        sheets += 1
        ok = atlas.next()
    atlas.endRender()
print(json.dumps({"worker": worker, "sheets": sheets, "seconds": round(time.monotonic() - start, 3)}))
app.exitQgis()
