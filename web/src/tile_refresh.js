// Tiles after an edit: only the tiles near what changed are fetched anew. The server drops its
// cached tiles by place (the metatiles touching the feature's old and new extent); the browser
// keeps each tile for its max-age, so a tile whose picture may have changed needs a new URL. Each
// edit's extent is kept with the change's number, and a tile's URL carries `?v=` of the newest
// edit within reach of it (its own extent widened by half a tile, for labels and symbols that
// spill over); every other tile keeps its URL and comes from the browser's cache.
import { buffer, getWidth, intersects } from 'ol/extent.js';

export function placeAwareTiles(source) {
  const edits = []; // [{extent (EPSG:3857), n}], n counting the writes of this page
  // Unique to this page load, so that a later visit's first edit does not reuse a cached URL.
  const page = Date.now().toString(36);
  let template = '';
  const urlOf = (tileCoord) => {
    const [z, x, y] = tileCoord;
    const url = template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
    if (!edits.length) return url;
    const own = source.getTileGrid().getTileCoordExtent(tileCoord);
    const reach = buffer(own, getWidth(own) / 2);
    let n = 0;
    for (const e of edits) if (e.n > n && intersects(e.extent, reach)) n = e.n;
    return n ? `${url}?v=${page}.${n}` : url;
  };
  // A new key makes the layer ask for its tiles again; unchanged URLs are browser-cache hits.
  let writes = 0;
  const apply = () => source.setTileUrlFunction(urlOf, `${template}#${writes}`);
  return {
    // The maps shown changed: `/tiles/{maps}/{z}/{x}/{y}.png`.
    setTemplate(t) {
      template = t;
      apply();
    },
    // A write changed what lies in these extents (EPSG:3857; the feature before and after).
    changed(extents) {
      writes += 1;
      for (const extent of extents) if (extent) edits.push({ extent, n: writes });
      apply();
    },
  };
}
