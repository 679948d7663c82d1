// 民情地图 web map: one composite tile layer of the checked maps over the terrain base, legend and
// statistics in a side panel, click to identify, search with suggestions, sign in and out; for
// callers who may edit, an edit mode (edit.js) and the village's 最近更新 (recent.js).
import 'ol/ol.css';
import './style.css';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Overlay from 'ol/Overlay.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorLayer from 'ol/layer/Vector.js';
import XYZ from 'ol/source/XYZ.js';
import VectorSource from 'ol/source/Vector.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import Zoom from 'ol/control/Zoom.js';
import { fromLonLat, toLonLat, transformExtent } from 'ol/proj.js';
import { createEmpty, extend, isEmpty, containsCoordinate } from 'ol/extent.js';
import { Style, Stroke, Fill, Circle } from 'ol/style.js';
import { get, post, ApiError } from './api.js';
import { el, renderLegend } from './panel.js';
import { renderStats } from './stats.js';
import { setupPrint } from './print.js';
import { initEvacuation } from './evacuation.js';
import { placeAwareTiles } from './tile_refresh.js';
import { initEdit } from './edit.js';
import { initRecent } from './recent.js';

const ORDER = ['terrain', 'industry', 'organization', 'key_persons', 'assistance', 'disaster']; // DOMAIN.md
const $ = (id) => document.getElementById(id);
const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

const state = {
  me: null,         // /api/me
  layers: null,     // /api/layers: field titles and value titles
  checked: new Set(['terrain']),
  villages: [],     // [{code, name, township, feature}]
  statsPlace: null, // 'village:CODE' or 'township:CODE' the statistics panel shows
};

// --- the map ---------------------------------------------------------------------------------
const tiles = new XYZ({ url: tileUrl(), maxZoom: 19, transition: 0 });
const tileUrls = placeAwareTiles(tiles);
tileUrls.setTemplate(tileUrl());
const highlight = new VectorSource();
const map = new Map({
  target: 'map',
  layers: [
    new TileLayer({ source: tiles }),
    new VectorLayer({
      source: highlight,
      style: new Style({
        stroke: new Stroke({ color: '#e8400c', width: 3 }),
        fill: new Fill({ color: 'rgba(232,64,12,0.12)' }),
        image: new Circle({ radius: 8, stroke: new Stroke({ color: '#e8400c', width: 3 }) }),
      }),
    }),
  ],
  controls: [new Zoom({ zoomInTipLabel: '放大', zoomOutTipLabel: '缩小' }), new ScaleLine()],
  view: new View({ center: fromLonLat([119.48, 28.45]), zoom: 12, maxZoom: 19, minZoom: 8 }),
});
const evacuation = initEvacuation({ map, state, geojson });
const mapOf = (cls) => state.layers?.maps.find((m) => m.classes.some((c) => c.name === cls))?.name;
const shownMaps = () => ORDER.filter((m) => state.checked.has(m));
const edit = initEdit({ map, state, geojson, classInfo, mapOf, shownMaps, tiles: tileUrls, onWrite: afterWrite });
const recent = initRecent({ state, geojson, classInfo, fit, highlight });
const popup = new Overlay({ element: $('popup'), autoPan: { animation: { duration: 200 } }, positioning: 'bottom-center', offset: [0, -8] });
map.addOverlay(popup);

function tileUrl() {
  const maps = ORDER.filter((m) => state?.checked?.has(m) ?? m === 'terrain');
  return `/tiles/${maps.join(',')}/{z}/{x}/{y}.png`;
}

function fit(extent, maxZoom = 17) {
  if (!extent || isEmpty(extent)) return;
  map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom, duration: 0 });
}

// --- who is signed in --------------------------------------------------------------------------
async function loadSession() {
  state.me = await get('/api/me');
  state.layers = await get('/api/layers');
  const visible = new Set(state.me.maps);
  for (const m of [...state.checked]) if (!visible.has(m)) state.checked.delete(m);
  state.checked.add('terrain');
  $('user-name').textContent = state.me.public ? '游客（公开地图）' : `${state.me.user} · ${state.me.title || state.me.role}`;
  $('login-open').hidden = !state.me.public;
  $('logout').hidden = state.me.public;
  renderMapList();
  evacuation.refresh();
  edit.refresh();
  tileUrls.setTemplate(tileUrl());
  await Promise.all([loadVillages().then(zoomToArea), refreshLegend()]);
  recent.refresh(villageAtCenter(), true);
}

function mapTitle(name) {
  return state.layers.maps.find((m) => m.name === name)?.title.zh || name;
}

function renderMapList() {
  const list = $('maps');
  list.replaceChildren();
  for (const name of ORDER.filter((m) => state.me.maps.includes(m))) {
    const box = el('input', { type: 'checkbox', id: `map-${name}`, value: name });
    box.checked = state.checked.has(name);
    if (name === 'terrain') box.disabled = true; // the base map is always on
    box.addEventListener('change', () => {
      if (box.checked) state.checked.add(name);
      else state.checked.delete(name);
      tileUrls.setTemplate(tileUrl());
      popup.setPosition(undefined);
      refreshLegend();
      edit.mapsChanged();
    });
    list.append(el('li', {}, el('label', {}, box, ` ${mapTitle(name)}`, name === 'terrain' ? el('small', { text: '（底图）' }) : null)));
  }
}

async function refreshLegend() {
  const maps = ORDER.filter((m) => state.checked.has(m));
  const legends = await Promise.all(maps.map((m) => get(`/api/legend/${m}`).catch(() => null)));
  renderLegend($('legend'), legends.filter(Boolean));
}

// The villages the caller sees (public: all, with their outlines), for the picker and the extent.
async function loadVillages() {
  const fc = await get('/collections/villages/items', { limit: '10000' });
  state.villages = fc.features.map((f) => ({
    code: f.properties.village_code, name: f.properties.name, township: f.properties.township,
    feature: geojson.readFeature(f),
  })).sort((a, b) => a.code.localeCompare(b.code));
  const picker = $('village-picker');
  picker.replaceChildren(el('option', { value: '', text: '全县' }));
  let township = null;
  let group = null;
  for (const v of state.villages) {
    if (v.township !== township) {
      township = v.township;
      group = el('optgroup', { label: township || '乡镇' });
      group.append(el('option', { value: `township:${townshipOf(v.code)}`, text: `${township || '乡镇'}（全乡镇）` }));
      picker.append(group);
    }
    group.append(el('option', { value: v.code, text: v.name }));
  }
}

// A township's code is the first nine digits of its villages' codes.
const townshipOf = (villageCode) => villageCode.slice(0, 9);
const villagesOfTownship = (code) => state.villages.filter((v) => townshipOf(v.code) === code);

function extentOf(villages) {
  const e = createEmpty();
  for (const v of villages) extend(e, v.feature.getGeometry().getExtent());
  return e;
}

// Open on the caller's own area: a village, a township, a grid's village; else the county.
function zoomToArea() {
  const area = state.me.area || {};
  let code = area.village_code || (area.grid_ids && area.grid_ids[0] && area.grid_ids[0].slice(0, 12));
  if (area.kind === 'county' || state.me.public) code = null;
  if (code) {
    fit(extentOf(state.villages.filter((v) => v.code === code)));
    $('village-picker').value = code;
  } else if (area.kind === 'township' && area.township) {
    fit(extentOf(villagesOfTownship(area.township)));
    $('village-picker').value = `township:${area.township}`;
  } else {
    fit(extentOf(state.villages), 14);
    $('village-picker').value = '';
  }
}

$('village-picker').addEventListener('change', (e) => {
  const value = e.target.value;
  if (value.startsWith('township:')) fit(extentOf(villagesOfTownship(value.slice(9))), 15);
  else fit(extentOf(value ? state.villages.filter((v) => v.code === value) : state.villages), value ? 17 : 14);
  refreshStats();
});

// --- statistics: the township picked, else the village at the map's centre ----------------------
function statsPlace() {
  const picked = $('village-picker').value;
  if (picked.startsWith('township:')) {
    const code = picked.slice(9);
    const first = villagesOfTownship(code)[0];
    return { key: picked, param: { township: code }, name: first ? `${first.township || code}（全乡镇）` : code };
  }
  const v = villageAtCenter();
  return v ? { key: `village:${v.code}`, param: { village: v.code }, name: v.name } : null;
}

// The village at the map's centre ({code, name, …}), or undefined.
function villageAtCenter() {
  const center = map.getView().getCenter();
  return state.villages.find((x) => x.feature.getGeometry().intersectsCoordinate(center));
}

async function refreshStats() {
  const place = statsPlace();
  const key = place ? place.key : null;
  if (key === state.statsPlace) return;
  state.statsPlace = key;
  if (!place) {
    $('stats-place').textContent = '';
    $('stats').replaceChildren(el('p', { class: 'muted', text: '移动地图到一个村，或在上方选择乡镇，即显示统计。' }));
    return;
  }
  $('stats-place').textContent = `· ${place.name}`;
  try {
    const stats = await get('/api/stats', place.param);
    if (state.statsPlace === key) renderStats($('stats'), stats);
  } catch (err) {
    $('stats').replaceChildren(el('p', { class: 'error', text: `统计暂不可用：${err.message}` }));
  }
}
map.on('moveend', refreshStats);

// --- 打印: the sheets of the village at the centre, for the maps shown (print.js) ----------------
const refreshPrint = setupPrint($('print'), $('print-status'), () => {
  const v = villageAtCenter();
  return { code: v ? v.code : null, name: v ? v.name : null, maps: ORDER.filter((m) => state.checked.has(m)) };
});
map.on('moveend', refreshPrint);

// --- after an edit: the village's statistics and its 最近更新 are read again ----------------------
map.on('moveend', () => recent.refresh(villageAtCenter()));
function afterWrite() {
  state.statsPlace = undefined;
  refreshStats();
  recent.refresh(villageAtCenter(), true);
}

// --- click: what is here -----------------------------------------------------------------------
function classInfo(cls) {
  for (const m of state.layers.maps) {
    const c = m.classes.find((x) => x.name === cls);
    if (c) return c;
  }
  return undefined;
}
const fieldInfo = (cls, name) => classInfo(cls)?.fields.find((f) => f.name === name);

// A feature's properties in the order its layer defines them (户编号, 户主, 人口 …), not the
// answer's alphabetical order; properties the layer does not list go last.
function orderedProperties(cls, properties) {
  const order = (classInfo(cls)?.fields || []).map((f) => f.name);
  const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.entries(properties || {}).sort(([a], [b]) => rank(a) - rank(b));
}

function displayValue(info, v) {
  if (info?.value_titles && typeof v === 'string' && info.value_titles[v]) return info.value_titles[v];
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Math.round(v * 100) / 100);
  return String(v); // integers as recorded: a year reads 2004, not 2,004
}

map.on('singleclick', async (evt) => {
  if (edit.active()) {
    popup.setPosition(undefined);
    edit.click(evt);
    return;
  }
  const [lon, lat] = toLonLat(evt.coordinate);
  const maps = ORDER.filter((m) => state.checked.has(m)).join(',');
  let fc;
  try {
    fc = await get('/api/identify', { lon: lon.toFixed(7), lat: lat.toFixed(7), zoom: map.getView().getZoom().toFixed(2), maps, limit: '5' });
  } catch (err) {
    showPopup(evt.coordinate, [el('p', { class: 'error', text: `查询失败：${err.message}` })]);
    return;
  }
  if (!fc.features.length) {
    popup.setPosition(undefined);
    return;
  }
  const blocks = fc.features.map((f) => {
    const rows = orderedProperties(f.class, f.properties)
      .filter(([, v]) => v !== null && v !== '')
      .map(([k, v]) => {
        const info = fieldInfo(f.class, k);
        return el('tr', {}, el('th', { text: info?.title || k }), el('td', { text: displayValue(info, v) }));
      });
    return el('section', { class: 'hit', 'data-class': f.class }, el('h3', { text: f.title }), el('table', {}, el('tbody', {}, ...rows)));
  });
  const route = evacuation.routeBlock(fc.features, [lon, lat]);
  showPopup(evt.coordinate, route ? [...blocks, route] : blocks);
});

function showPopup(coord, children) {
  $('popup-body').replaceChildren(...children);
  $('popup').hidden = false;
  popup.setPosition(coord);
}
$('popup-close').addEventListener('click', () => popup.setPosition(undefined));

// --- search ------------------------------------------------------------------------------------
let searchTimer = 0;
let searchSeq = 0;
$('search-input').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(suggest, 250);
});
$('search-input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    clearTimeout(searchTimer);
    suggest().then((hits) => { if (hits && hits.length) goTo(hits[0]); });
  } else if (e.key === 'Escape') {
    $('search-hits').hidden = true;
  }
});

async function suggest() {
  const q = $('search-input').value.trim();
  const list = $('search-hits');
  if (!q) {
    list.hidden = true;
    return [];
  }
  const seq = ++searchSeq;
  const bbox = transformExtent(map.getView().calculateExtent(map.getSize()), 'EPSG:3857', 'EPSG:4326');
  let answer;
  try {
    answer = await get('/api/search', { q, limit: '8', bbox: bbox.map((x) => x.toFixed(6)).join(',') });
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) answer = { hits: [] };
    else throw err;
  }
  if (seq !== searchSeq) return null;
  list.replaceChildren(...answer.hits.map((h) => {
    const li = el('li', { role: 'option', tabindex: '0' }, el('span', { text: h.text }), el('small', { text: h.title }));
    li.addEventListener('click', () => goTo(h));
    li.addEventListener('keydown', (e) => { if (e.key === 'Enter') goTo(h); });
    return li;
  }));
  if (!answer.hits.length) list.append(el('li', { class: 'muted', text: '没有找到' }));
  list.hidden = false;
  return answer.hits;
}

async function goTo(hit) {
  $('search-hits').hidden = true;
  $('search-input').value = hit.text;
  fit(transformExtent(hit.bbox, 'EPSG:4326', 'EPSG:3857'), 18);
  highlight.clear();
  try {
    const f = await get(new URL(hit.href, location.href).pathname);
    highlight.addFeature(geojson.readFeature(f));
  } catch {
    highlight.addFeature(geojson.readFeature({ type: 'Feature', geometry: { type: 'Point', coordinates: hit.point }, properties: {} }));
  }
}

// --- sign in / out -----------------------------------------------------------------------------
$('login-open').addEventListener('click', () => {
  $('login').hidden = false;
  $('login-error').hidden = true;
  $('login-user').focus();
});
$('login-cancel').addEventListener('click', () => { $('login').hidden = true; });
$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    // The answer's token is not kept: the HttpOnly cookie carries the session.
    await post('/api/login', { username: $('login-user').value, password: $('login-password').value });
  } catch (err) {
    $('login-error').textContent = err.status === 429 ? '尝试次数过多，请稍后再试。' : '用户名或密码不正确。';
    $('login-error').hidden = false;
    return;
  }
  $('login-password').value = '';
  $('login').hidden = true;
  await afterSessionChange();
});
$('logout').addEventListener('click', async () => {
  await post('/api/logout').catch(() => null);
  await afterSessionChange();
});

async function afterSessionChange() {
  state.checked = new Set(['terrain']);
  state.statsPlace = undefined;
  popup.setPosition(undefined);
  highlight.clear();
  $('search-input').value = '';
  $('search-hits').hidden = true;
  await loadSession();
  refreshStats();
}

// --- phone: collapsible panel, my location; cursor position -------------------------------------
$('panel-toggle').addEventListener('click', () => {
  const open = document.body.classList.toggle('panel-closed') === false;
  $('panel-toggle').setAttribute('aria-expanded', String(open));
  setTimeout(() => map.updateSize(), 0);
});
if (window.matchMedia('(max-width: 700px)').matches) {
  document.body.classList.add('panel-closed');
  $('panel-toggle').setAttribute('aria-expanded', 'false');
}
$('locate').addEventListener('click', () => {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((p) => {
    const c = fromLonLat([p.coords.longitude, p.coords.latitude]);
    map.getView().animate({ center: c, zoom: Math.max(map.getView().getZoom(), 17) });
  }, () => { $('coords').textContent = '无法获取位置'; });
});
map.on('pointermove', (e) => {
  if (e.dragging) return;
  const [lon, lat] = toLonLat(e.coordinate);
  $('coords').textContent = `CGCS2000 经度 ${lon.toFixed(5)}° 纬度 ${lat.toFixed(5)}°`;
});

// For the end-to-end test and the console: where a place is on screen, where the map looks.
window.minqing = {
  map,
  pixelOf: (lon, lat) => map.getPixelFromCoordinate(fromLonLat([lon, lat])),
  centerLonLat: () => toLonLat(map.getView().getCenter()),
  centerOn: (lon, lat, zoom) => {
    if (zoom) map.getView().setZoom(zoom);
    map.getView().setCenter(fromLonLat([lon, lat]));
    map.renderSync();
  },
  inExtent: (lonlatExtent) => containsCoordinate(transformExtent(lonlatExtent, 'EPSG:4326', 'EPSG:3857'), map.getView().getCenter()),
  ready: false,
};

loadSession().then(refreshStats).then(() => { window.minqing.ready = true; document.body.dataset.ready = '1'; })
  .catch((err) => { $('user-name').textContent = `加载失败：${err.message}`; });
