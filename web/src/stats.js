// 分类统计: /api/stats of a village or township as a cadre reads it — the headline counts, the
// evacuation balance of the disaster map, each classification as a small bar chart with its
// numbers, and the server's notes (计算说明) in plain view. Only what the answer holds is drawn: a
// map or field the caller may not see is simply absent from it.
import { el } from './panel.js';

function fmt(v) {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' ? v.toLocaleString('zh-CN') : String(v);
}

const MEASURE_TITLES = {
  count: '数量', households: '户数', population: '人口', residents: '人口', migrant_members: '外出务工人数',
  area_mu: '面积（亩）', measured_area_mu: '实测面积（亩）', footprint_m2: '占地（㎡）', length_km: '长度（公里）',
  employees: '从业人数', capacity: '容纳人数', households_at_risk: '受威胁户数', households_inside: '区内户数',
  residents_inside: '区内人口', buildings_inside: '区内房屋', members: '人数',
};
const measureTitle = (k) => MEASURE_TITLES[k] || k;

// The measure a classification's bars are drawn by: land by its area, roads and rivers by their
// length, everything else by how many there are.
function barMeasure(keys) {
  for (const k of ['area_mu', 'length_km', 'count']) if (keys.includes(k)) return k;
  return keys[0];
}

// The other measures of a row as one short line: "面积（亩） 126.81 · 区内户数 1 · …" (a 300 px
// panel has no room for a column per measure).
function measureLine(row, keys) {
  return keys.filter((k) => row[k] !== null && row[k] !== undefined)
    .map((k) => `${measureTitle(k)} ${fmt(row[k])}`).join(' · ');
}

// A map's totals: one line per class with its count and its other measures.
function totalsList(totals) {
  return el('ul', { class: 'totals' }, ...totals.map((t) => {
    const keys = Object.keys(t).filter((k) => k !== 'title' && k !== 'count');
    const rest = measureLine(t, keys);
    return el('li', {}, el('span', { class: 'what', text: t.title }), el('strong', { text: fmt(t.count) }),
      rest ? el('small', { text: rest }) : null);
  }));
}

// One classification (e.g. 房屋 · 结构) as bars: the category's Chinese title, a bar scaled to the
// largest category, its value, and the other measures in a line beneath.
function chart(t) {
  const keys = [...new Set(t.rows.flatMap((r) => Object.keys(r).filter((k) => k !== 'value' && k !== 'title')))];
  const by = barMeasure(keys);
  const others = keys.filter((k) => k !== by);
  const max = Math.max(0, ...t.rows.map((r) => (typeof r[by] === 'number' ? r[by] : 0)));
  const rows = t.rows.flatMap((r) => {
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${max > 0 ? Math.round((100 * (r[by] || 0)) / max) : 0}%`;
    const line = measureLine(r, others);
    return [
      el('tr', {},
        el('td', { class: 'what', text: r.title || (r.value === null ? '未填写' : r.value) }),
        el('td', { class: 'bar-cell' }, bar),
        el('td', { text: fmt(r[by]) })),
      line ? el('tr', { class: 'sub' }, el('td', { colspan: '3', text: line })) : null,
    ].filter(Boolean);
  });
  return el('div', { class: 'chart', 'data-table': t.class ? `${t.class}.${t.field}` : '' },
    el('h4', {}, t.title, el('small', { text: ` 按${measureTitle(by)}` })),
    el('table', {}, el('tbody', {}, ...rows)));
}

// The disaster map's balance of people at risk against shelter places, in words a cadre uses.
function evacuation(e) {
  const items = [
    ['隐患区', e.hazard_zones, '个'], ['登记受威胁户数', e.households_at_risk_field, '户'],
    ['区内农户', e.households_in_zones, '户'], ['受威胁人口', e.population_at_risk, '人'],
    ['避灾安置场所', e.shelters, '处'], ['可容纳', e.shelter_capacity, '人'],
  ].filter(([, v]) => v !== null && v !== undefined);
  const box = el('div', { class: 'evacuation', id: 'stat-evacuation' },
    el('h4', { text: '转移安置' }),
    el('dl', {}, ...items.flatMap(([k, v, unit]) => [el('dt', { text: k }), el('dd', { text: `${fmt(v)} ${unit}` })])));
  if (typeof e.sufficient === 'boolean') {
    box.append(e.sufficient
      ? el('p', { class: 'ok', text: `安置容量充足（人均 ${fmt(e.capacity_per_person_at_risk)} 个安置位）` })
      : el('p', { class: 'warn', text: `安置缺口 ${fmt(e.shortfall)} 人` }));
  }
  return box;
}

// The household count of a place in a /api/stats answer: the villages' recorded households, else
// the household points counted.
export function householdCount(stats) {
  const v = stats?.maps?.terrain?.totals?.villages;
  if (v && typeof v.households === 'number') return v.households;
  const h = stats?.maps?.industry?.totals?.households;
  return h ? h.count : null;
}

export function renderStats(box, stats) {
  box.replaceChildren();
  const hh = householdCount(stats);
  const pop = stats?.maps?.terrain?.totals?.villages?.population;
  if (hh !== null) {
    box.append(el('p', { class: 'headline' }, '户数 ', el('strong', { id: 'stat-households', text: fmt(hh) }), ' 户',
      typeof pop === 'number' ? el('span', {}, ' · 人口 ', el('strong', { text: fmt(pop) }), ' 人') : null));
  }
  for (const [name, section] of Object.entries(stats.maps || {})) {
    const details = el('details', { open: '', 'data-map': name }, el('summary', { text: section.title }));
    const totals = Object.values(section.totals || {});
    if (totals.length) details.append(totalsList(totals));
    if (section.evacuation) details.append(evacuation(section.evacuation));
    for (const t of Object.values(section.tables || {})) if (t.rows.length) details.append(chart(t));
    box.append(details);
  }
  if (stats.notes?.length) {
    box.append(el('div', { class: 'notes', id: 'stat-notes' }, el('h4', { text: '计算说明' }),
      el('ul', {}, ...stats.notes.map((n) => el('li', { text: typeof n === 'string' ? n : JSON.stringify(n) })))));
  }
}
