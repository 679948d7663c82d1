// Evacuation on the web map (issue 10), for callers who see the disaster map: a panel button that
// draws the current village's evacuation plan (GET /api/evacuation-plan: each household's route to
// its shelter, coloured by shelter; shelters with their load, marked when sending everyone to the
// nearest shelter would overload them) with a short summary, and a "route to the nearest shelter"
// button under a clicked house (GET /api/route) that draws the way with its length and time.
// Self-contained: main.js calls initEvacuation once, refresh() after a sign-in or out, and
// routeBlock() when it fills the identify popup.
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Style, Stroke, Fill, Circle, Text } from 'ol/style.js';
import { get } from './api.js';
import { el } from './panel.js';

const PALETTE = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#bcbd22'];
const minutes = (s) => (s / 60).toFixed(1);

export function initEvacuation({ map, state, geojson }) {
  const source = new VectorSource();
  const colourOf = new Map(); // shelter fid → colour
  const style = (f) => {
    const p = f.getProperties();
    if (p.kind === 'shelter') {
      const warn = p.overloaded_if_nearest || p.load > p.capacity;
      return new Style({
        image: new Circle({ radius: 9, fill: new Fill({ color: colourOf.get(p.fid) || '#555' }),
          stroke: new Stroke({ color: warn ? '#d62728' : '#fff', width: warn ? 4 : 2 }) }),
        text: new Text({ text: `${p.load}/${p.capacity}${warn ? ' !' : ''}`, offsetY: -18, font: 'bold 12px sans-serif',
          fill: new Fill({ color: warn ? '#d62728' : '#222' }), stroke: new Stroke({ color: '#fff', width: 3 }) }),
      });
    }
    if (p.kind === 'route') {
      return new Style({ stroke: new Stroke({ color: '#d62728', width: 5 }) });
    }
    if (p.shelter_fid === null) {
      return new Style({ image: new Circle({ radius: 5, fill: new Fill({ color: '#d62728' }), stroke: new Stroke({ color: '#fff', width: 1 }) }) });
    }
    return new Style({ stroke: new Stroke({ color: colourOf.get(p.shelter_fid) || '#555', width: p.beyond_max_minutes ? 3 : 2,
      lineDash: p.beyond_max_minutes ? [6, 4] : undefined }) });
  };
  map.addLayer(new VectorLayer({ source, style, zIndex: 10 }));

  const button = el('button', { id: 'plan-draw', type: 'button', text: '本村转移方案' });
  const clear = el('button', { id: 'plan-clear', type: 'button', text: '清除' });
  const summary = el('div', { id: 'plan-summary', class: 'muted' });
  const section = el('section', { id: 'evacuation' }, el('h2', { text: '避灾转移' }), el('div', {}, button, ' ', clear), summary);
  section.hidden = true;
  document.getElementById('panel').append(section);

  const village = () => state.statsVillage || document.getElementById('village-picker').value || null;

  button.addEventListener('click', async () => {
    const code = village();
    if (!code) {
      summary.replaceChildren(el('p', { text: '请先选择或移动到一个村。' }));
      return;
    }
    summary.replaceChildren(el('p', { text: '计算中…' }));
    let fc;
    try {
      fc = await get('/api/evacuation-plan', { village: code });
    } catch (err) {
      summary.replaceChildren(el('p', { class: 'error', text: `无法生成方案：${err.message}` }));
      return;
    }
    source.clear();
    colourOf.clear();
    const shelters = fc.features.filter((f) => f.properties.kind === 'shelter');
    shelters.forEach((f, i) => colourOf.set(f.properties.fid, PALETTE[i % PALETTE.length]));
    // Households first, shelters on top.
    source.addFeatures(geojson.readFeatures({ type: 'FeatureCollection',
      features: [...fc.features.filter((f) => f.properties.kind !== 'shelter'), ...shelters] }));
    const p = fc.plan;
    const np = p.not_placed;
    const lines = [
      `${p.households} 户（${p.people} 人）需转移，已安置 ${p.optimal.households_placed} 户 ${p.optimal.people_placed} 人`,
      `未安置 ${np.households} 户${np.households ? `（无可达避灾点 ${np.no_reachable_shelter + np.no_road}，容量不足 ${np.capacity_exhausted}）` : ''}`,
      `超过 ${p.max_minutes} 分钟 ${p.beyond_max_minutes} 户`,
      `平均步行 ${p.optimal.mean_minutes} 分钟（就近分配 ${p.greedy.mean_minutes} 分钟）`,
    ];
    const list = el('ul', { class: 'plan-shelters' }, ...shelters.map((f) => {
      const s = f.properties;
      const warn = s.overloaded_if_nearest;
      const dot = el('span', { text: '● ' });
      dot.style.color = colourOf.get(s.fid);
      return el('li', { 'data-overloaded': String(warn) }, dot, `${s.name || s.shelter_id || s.fid}：${s.load}/${s.capacity} 人`,
        warn ? el('strong', { class: 'error', text: `（就近将超载：${s.demand} 人）` }) : null);
    }));
    summary.replaceChildren(...lines.map((t) => el('p', { text: t })), list);
    summary.dataset.village = code;
  });
  clear.addEventListener('click', () => {
    source.clear();
    summary.replaceChildren();
    delete summary.dataset.village;
  });

  return {
    // Shows the section to callers who see the disaster map; forgets what the last caller drew.
    refresh() {
      source.clear();
      summary.replaceChildren();
      delete summary.dataset.village;
      section.hidden = !state.me?.maps.includes('disaster');
    },
    // A "route to the nearest shelter" block for the popup when a house was clicked, else null.
    routeBlock(hits, [lon, lat]) {
      if (!state.me?.maps.includes('disaster')) return null;
      if (!hits.some((f) => f.class === 'households' || (f.class === 'buildings' && f.properties.use === 'residential'))) return null;
      const out = el('p', { class: 'route-result' });
      const go = el('button', { id: 'route-nearest', type: 'button', text: '到最近避灾点的路线' });
      go.addEventListener('click', async () => {
        out.textContent = '计算中…';
        try {
          const r = await get('/api/route', { from: `${lon.toFixed(7)},${lat.toFixed(7)}`, to: 'nearest-shelter' });
          for (const f of source.getFeatures()) if (f.get('kind') === 'route') source.removeFeature(f);
          const line = geojson.readFeature(r);
          line.set('kind', 'route');
          source.addFeature(line);
          const p = r.properties;
          out.textContent = `步行 ${Math.round(p.length_m)} 米，约 ${minutes(p.time_s)} 分钟，到 ${p.shelter?.name || '避灾点'}`;
          out.dataset.lengthM = String(p.length_m);
        } catch (err) {
          out.textContent = `没有路线：${err.message}`;
        }
      });
      return el('section', { class: 'hit', 'data-class': 'evacuation-route' }, go, out);
    },
  };
}
