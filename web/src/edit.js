// 编辑 (issue 15): the edit mode of the web map, for callers whose /api/me lists maps they may
// edit. In edit mode a click on a feature of such a map opens a form of its fields under their
// Chinese titles (edit_fields.js: categories as a list of their Chinese titles, dates as date
// inputs; fields the server derives, fills in by location or shows masked are read-only); it is
// drawn on top and can be moved or reshaped by dragging (ol/interaction/Modify). 保存 sends a
// merge patch with If-Match (the ETag the feature was read with), 删除 a DELETE after asking;
// 画隐患区 draws a new hazard zone (ol/interaction/Draw) and POSTs it with its form. A refusal is
// said in Chinese (edit_words.js): 412 who changed the record and when, with a button to load the
// latest version; 400/422 the field's title and the reason; 403 that the place or map is not
// theirs. After a write only the tiles near the change are fetched anew (tile_refresh.js).
// Self-contained: main.js calls initEdit once, refresh() after a sign-in or out, and hands it
// the map's clicks while active().
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Modify from 'ol/interaction/Modify.js';
import Draw from 'ol/interaction/Draw.js';
import { Style, Stroke, Fill, Circle } from 'ol/style.js';
import { toLonLat } from 'ol/proj.js';
import { getCenter } from 'ol/extent.js';
import { get, send, ApiError } from './api.js';
import { el } from './panel.js';
import { refusal, conflictText } from './edit_words.js';
import { fieldRow, formValue } from './edit_fields.js';

const ZONES = 'hazard_zones';

// `classInfo(cls)` → the class of /api/layers; `mapOf(cls)` → its map's name; `shownMaps()` the
// maps checked, in drawing order; `tiles` a placeAwareTiles; `onWrite()` after every write.
export function initEdit({ map, state, geojson, classInfo, mapOf, shownMaps, tiles, onWrite }) {
  const source = new VectorSource();
  const orange = '#f08c00';
  map.addLayer(new VectorLayer({
    source,
    zIndex: 20,
    style: new Style({
      stroke: new Stroke({ color: orange, width: 3, lineDash: [8, 4] }),
      fill: new Fill({ color: 'rgba(240,140,0,0.15)' }),
      image: new Circle({ radius: 9, fill: new Fill({ color: 'rgba(240,140,0,0.6)' }), stroke: new Stroke({ color: '#fff', width: 2 }) }),
    }),
  }));
  const modify = new Modify({ source, pixelTolerance: 14 });
  const draw = new Draw({ source, type: 'Polygon' });
  let on = false;
  let drawing = false;
  // When the last drawing ended (performance.now(), the time base of events' timeStamp): the map
  // sends a click as 'singleclick' only 250 ms after it happened, so the click that closed a
  // polygon can arrive after its form was already saved — it must not open what lies under it.
  let drawEndedAt = -Infinity;
  let current = null; // {cls, id (null: new), etag, feature (GeoJSON as read), ol (the OL feature), moved}

  // --- the toggle, the bar over the map, the form's sheet ---------------------------------------
  const toggle = el('button', { id: 'edit-toggle', type: 'button', text: '编辑', hidden: '' });
  document.getElementById('user').insertBefore(toggle, document.getElementById('logout'));
  const drawButton = el('button', { id: 'edit-draw-zone', type: 'button', text: '画隐患区' });
  const hint = el('span', { id: 'edit-hint' });
  const bar = el('div', { id: 'edit-bar', class: 'edit-bar', hidden: '' }, hint, drawButton);
  const sheet = el('div', { id: 'edit-sheet', class: 'edit-sheet', hidden: '' });
  document.body.append(bar, sheet);

  const editableMaps = () => (state.me && !state.me.public ? state.me.edit || [] : []);
  const mayEdit = (cls) => editableMaps().includes(mapOf(cls));
  const fieldsOf = (cls) => classInfo(cls)?.fields || [];
  const titleOf = (cls) => (name) => fieldsOf(cls).find((f) => f.name === name)?.title || name;

  function setHint() {
    const maps = shownMaps().filter((m) => editableMaps().includes(m) && m !== 'terrain');
    hint.textContent = maps.length || editableMaps().includes('terrain')
      ? '编辑模式：点击地图上的要素修改；拖动橙色的点或边可移动位置。'
      : '编辑模式：请先在左侧勾选要编辑的地图。';
    drawButton.hidden = !(editableMaps().includes('disaster') && classInfo(ZONES));
  }

  function setOn(value) {
    on = value && editableMaps().length > 0;
    toggle.textContent = on ? '结束编辑' : '编辑';
    toggle.classList.toggle('active', on);
    toggle.setAttribute('aria-pressed', String(on));
    bar.hidden = !on;
    document.body.classList.toggle('editing', on);
    if (on) setHint();
    else close();
  }
  toggle.addEventListener('click', () => setOn(!on));

  function close() {
    current = null;
    source.clear();
    map.removeInteraction(modify);
    map.removeInteraction(draw);
    drawing = false;
    sheet.hidden = true;
    sheet.replaceChildren();
  }

  // --- opening a feature --------------------------------------------------------------------------
  async function click(evt) {
    // While a zone is drawn, or a new one's form is open, the map's clicks belong to the drawing.
    if (drawing || current?.id === null) return;
    if (evt.originalEvent && evt.originalEvent.timeStamp <= drawEndedAt) return;
    const [lon, lat] = toLonLat(evt.coordinate);
    const maps = shownMaps().filter((m) => editableMaps().includes(m));
    if (!maps.length) return showNote('请先在左侧勾选要编辑的地图。');
    let fc;
    try {
      fc = await get('/api/identify', { lon: lon.toFixed(7), lat: lat.toFixed(7), zoom: map.getView().getZoom().toFixed(2),
        maps: maps.join(','), limit: '5' });
    } catch (err) {
      return showNote(`查询失败：${err.message}`);
    }
    const hits = fc.features.filter((f) => mayEdit(f.class) && f.class !== 'villages');
    if (!hits.length) return showNote('这里没有可编辑的要素。');
    if (hits.length === 1) return open(hits[0].class, hits[0].id);
    // Several under the click: let the cadre pick one.
    sheet.replaceChildren(el('h3', { text: '要修改哪一个？' }), el('ul', { class: 'edit-pick' }, ...hits.map((f) => {
      const b = el('button', { type: 'button', text: `${f.title} ${labelOf(f.class, f.properties)}` });
      b.addEventListener('click', () => open(f.class, f.id));
      return el('li', {}, b);
    })), buttons(cancelButton()));
    sheet.hidden = false;
  }

  async function open(cls, id) {
    let answer;
    try {
      answer = await send('GET', `/collections/${encodeURIComponent(cls)}/items/${id}`);
    } catch (err) {
      return showNote(err.status === 404 ? '这条记录已不存在（可能刚被删除）。' : `读取失败：${err.message}`);
    }
    show({ cls, id, etag: answer.etag, feature: answer.body });
  }

  // The form of `current` (a feature read with its ETag, or a new one without an id).
  function show(next) {
    close();
    current = { ...next, moved: false };
    current.ol = geojson.readFeature(next.feature);
    source.addFeature(current.ol);
    map.addInteraction(modify);
    const info = classInfo(next.cls);
    const props = next.feature.properties || {};
    const rows = fieldsOf(next.cls).map((f) => fieldRow(f, props[f.name], next.id === null));
    const message = el('p', { id: 'edit-message', role: 'alert' });
    const moved = el('p', { id: 'edit-moved', class: 'muted', text: geometryHint(info) });
    const save = el('button', { id: 'edit-save', type: 'submit', text: next.id === null ? '新增' : '保存' });
    const form = el('form', { id: 'edit-form', 'data-class': next.cls }, ...rows, moved, message,
      buttons(save, next.id === null ? null : deleteButton(), cancelButton()));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit(form, message);
    });
    const heading = next.id === null ? `新增${info?.title.zh || next.cls}` : `修改${info?.title.zh || next.cls} ${labelOf(next.cls, props)}`;
    sheet.replaceChildren(el('h3', { text: heading }), form);
    sheet.hidden = false;
    keepInSight();
  }

  // On a phone the form is a sheet over the lower half of the map: move the feature above it.
  function keepInSight() {
    if (!window.matchMedia('(max-width: 700px)').matches || !current) return;
    const size = map.getSize();
    const free = sheet.getBoundingClientRect().top - map.getTargetElement().getBoundingClientRect().top;
    if (!size || free < 60) return;
    const center = getCenter(current.ol.getGeometry().getExtent());
    const px = map.getPixelFromCoordinate(center);
    if (px && px[1] > 30 && px[1] < free - 30) return;
    map.getView().centerOn(center, size, [size[0] / 2, free / 2]);
  }

  modify.on('modifyend', () => {
    if (!current) return;
    current.moved = true;
    const p = document.getElementById('edit-moved');
    if (p) p.textContent = '位置已改动，保存后生效。';
  });

  function geometryHint(info) {
    if (info?.geometry === 'point') return '拖动橙色的点可移动位置。';
    return '拖动橙色边线上的点可修改形状。';
  }

  const geometryJson = () => geojson.writeGeometryObject(current.ol.getGeometry(), { decimals: 7 });

  async function submit(form, message) {
    const { cls, id } = current;
    const props = current.feature.properties || {};
    const changed = {};
    for (const f of fieldsOf(cls)) {
      const v = formValue(form, f);
      if (v === undefined) continue;
      // A new feature sends every value filled in; an old one only what changed (a merge patch).
      const old = id === null || props[f.name] === undefined ? null : props[f.name];
      if (v !== old) changed[f.name] = v;
    }
    clearInvalid(form);
    const before = current.feature.geometry ? geojson.readGeometry(current.feature.geometry).getExtent() : null;
    try {
      let answer;
      if (id === null) {
        answer = await send('POST', `/collections/${encodeURIComponent(cls)}/items`,
          { body: { type: 'Feature', geometry: geometryJson(), properties: changed } });
      } else {
        if (!Object.keys(changed).length && !current.moved) return say(message, 'muted', 'unchanged', '没有改动。');
        const patch = { properties: changed };
        if (current.moved) patch.geometry = geometryJson();
        answer = await send('PATCH', `/collections/${encodeURIComponent(cls)}/items/${id}`,
          { body: patch, headers: { 'If-Match': current.etag, 'Content-Type': 'application/merge-patch+json' } });
      }
      const after = geojson.readGeometry(answer.body.geometry).getExtent();
      show({ cls, id: answer.body.id, etag: answer.etag, feature: answer.body });
      const saved = document.getElementById('edit-message');
      say(saved, 'ok', 'saved', `已保存（${new Date().toLocaleTimeString('zh-CN', { hour12: false })}）。`);
      written([before, after]);
    } catch (err) {
      refused(err, form, message);
    }
  }

  async function remove(message) {
    const { cls, id } = current;
    const extent = current.ol.getGeometry().getExtent();
    try {
      await send('DELETE', `/collections/${encodeURIComponent(cls)}/items/${id}`, { headers: { 'If-Match': current.etag } });
      close();
      showNote('已删除。');
      written([extent]);
    } catch (err) {
      refused(err, null, message);
    }
  }

  function written(extents) {
    tiles.changed(extents);
    onWrite();
  }

  async function refused(err, form, message) {
    if (!(err instanceof ApiError)) return say(message, 'error', 'error', `无法保存：${err.message}`);
    const { cls, id } = current;
    if (err.status === 412) {
      let latest = null;
      try {
        const h = await get(`/collections/${encodeURIComponent(cls)}/items/${id}/history`);
        latest = h.versions[h.versions.length - 1];
      } catch {
        // who and when stay unsaid; the reload button still helps
      }
      const reload = el('button', { id: 'edit-reload', type: 'button', text: '查看最新内容' });
      reload.addEventListener('click', () => open(cls, id));
      say(message, 'error', 'conflict', conflictText(latest));
      message.append(' ', reload);
      return;
    }
    if (err.status === 401) return say(message, 'error', 'error', '登录已过期，请重新登录后再保存。');
    if (err.status === 404) return say(message, 'error', 'error', '这条记录已不存在（可能刚被别人删除）。');
    if (err.status === 503) return say(message, 'error', 'error', '服务器暂时不能保存，请稍后再试。');
    const r = refusal(err.status, err.message, titleOf(cls));
    say(message, 'error', err.status === 403 ? 'forbidden' : 'invalid', r.text);
    const input = r.field && form?.elements.namedItem(r.field);
    if (input) {
      input.closest('.edit-row')?.classList.add('invalid');
      input.focus();
    }
  }

  function say(p, cls, status, text) {
    p.className = cls;
    p.dataset.status = status;
    p.textContent = text;
  }
  function clearInvalid(form) {
    for (const row of form.querySelectorAll('.invalid')) row.classList.remove('invalid');
  }
  function buttons(...children) {
    return el('div', { class: 'buttons' }, ...children);
  }
  function cancelButton() {
    const b = el('button', { id: 'edit-cancel', type: 'button', text: '取消' });
    b.addEventListener('click', close);
    return b;
  }
  // 删除 asks first, in the sheet (a phone's confirm dialog hides the record it asks about).
  function deleteButton() {
    const b = el('button', { id: 'edit-delete', type: 'button', class: 'danger', text: '删除' });
    b.addEventListener('click', () => {
      const message = document.getElementById('edit-message');
      const yes = el('button', { id: 'edit-delete-confirm', type: 'button', class: 'danger', text: '确认删除' });
      const no = el('button', { type: 'button', text: '不删除' });
      yes.addEventListener('click', () => remove(message));
      no.addEventListener('click', () => message.replaceChildren());
      say(message, 'error', 'confirm', '确定删除这条记录吗？删除后可由管理员从历史中恢复。');
      message.append(' ', yes, ' ', no);
    });
    return b;
  }
  function showNote(text) {
    close();
    sheet.replaceChildren(el('p', { class: 'muted', text }), buttons(cancelButton()));
    sheet.hidden = false;
  }

  // --- 画隐患区: draw a polygon, then its form ------------------------------------------------------
  drawButton.addEventListener('click', () => {
    close();
    map.addInteraction(draw);
    drawing = true;
    sheet.replaceChildren(el('p', { text: '在地图上依次点击隐患区的边界，双击结束。' }), buttons(cancelButton()));
    sheet.hidden = false;
  });
  draw.on('drawend', (e) => {
    map.removeInteraction(draw);
    drawing = false;
    drawEndedAt = performance.now();
    const geometry = geojson.writeGeometryObject(e.feature.getGeometry(), { decimals: 7 });
    const center = getCenter(e.feature.getGeometry().getExtent());
    const village = state.villages.find((v) => v.feature.getGeometry().intersectsCoordinate(center));
    const stamp = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    const properties = {};
    if (village) properties.zone_id = `${village.code}-Z${pad(stamp.getMonth() + 1)}${pad(stamp.getDate())}${pad(stamp.getHours())}${pad(stamp.getMinutes())}`;
    // Draw adds the feature to the source after this event: show the form once it has.
    setTimeout(() => show({ cls: ZONES, id: null, etag: null, feature: { type: 'Feature', geometry, properties } }), 0);
  });

  function labelOf(cls, props) {
    if (!props) return '';
    if (props.name) return props.name;
    const first = fieldsOf(cls)[0];
    return first && props[first.name] ? String(props[first.name]) : '';
  }

  return {
    active: () => on,
    click,
    // After a sign-in or out: the toggle only for callers who may edit some map.
    refresh() {
      setOn(false);
      toggle.hidden = editableMaps().length === 0;
    },
    // The maps shown changed.
    mapsChanged() {
      if (on) setHint();
    },
  };
}
