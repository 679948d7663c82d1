// The side panel's contents: the legend of each shown map, and the statistics of one place.

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function swatch(item) {
  const s = el('span', { class: `swatch ${item.kind}` });
  if (item.kind === 'line') s.style.borderTopColor = item.color;
  else s.style.backgroundColor = item.color;
  if (item.stroke && item.kind !== 'line') s.style.borderColor = item.stroke;
  return s;
}

// legends: [{map, title, items}], as /api/legend/{map} answers.
export function renderLegend(box, legends) {
  box.replaceChildren();
  for (const lg of legends) {
    const list = el('ul', { class: 'legend-items' });
    let lastClass = null;
    for (const item of lg.items) {
      if (item.field && item.class !== lastClass) list.append(el('li', { class: 'legend-class', text: item.class_title }));
      lastClass = item.class;
      list.append(el('li', {}, swatch(item), el('span', { text: item.title })));
    }
    box.append(el('div', { class: 'legend', 'data-map': lg.map }, el('h3', { text: lg.title }), list));
  }
}

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

function measureTitle(k) { return MEASURE_TITLES[k] || k; }

function table(headers, rows) {
  return el('table', {},
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { text: fmt(c) }))))));
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
  if (hh !== null) {
    box.append(el('p', { class: 'headline' }, '户数 ', el('strong', { id: 'stat-households', text: fmt(hh) }), ' 户'));
  }
  for (const [, section] of Object.entries(stats.maps || {})) {
    const details = el('details', { open: '' }, el('summary', { text: section.title }));
    const totals = Object.values(section.totals || {});
    if (totals.length) {
      const keys = [...new Set(totals.flatMap((t) => Object.keys(t).filter((k) => k !== 'title')))];
      details.append(table(['类别', ...keys.map(measureTitle)], totals.map((t) => [t.title, ...keys.map((k) => t[k])])));
    }
    for (const t of Object.values(section.tables || {})) {
      if (!t.rows.length) continue;
      const keys = [...new Set(t.rows.flatMap((r) => Object.keys(r).filter((k) => k !== 'value' && k !== 'title')))];
      details.append(el('h4', { text: t.title }));
      details.append(table(['分类', ...keys.map(measureTitle)],
        t.rows.map((r) => [r.title || (r.value === null ? '未填写' : r.value), ...keys.map((k) => r[k])])));
    }
    box.append(details);
  }
  if (stats.notes?.length) {
    box.append(el('details', { class: 'notes' }, el('summary', { text: '计算说明' }),
      el('ul', {}, ...stats.notes.map((n) => el('li', { text: typeof n === 'string' ? n : JSON.stringify(n) })))));
  }
}
