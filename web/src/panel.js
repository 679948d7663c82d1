// The side panel's legend of each shown map, and the small DOM helper the panel's parts share.

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
