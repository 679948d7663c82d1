// 最近更新: the latest changes in the village at the map's centre, from the change feed
// (GET /api/changes?village=…, oldest first, paged by `next` links; scoped and masked by the
// server as reads are), newest first: who, when, what — "cadre 修改了 农户 331124207202-H0003
// （人口）". A click zooms to the feature as it is now (or was, when deleted) and outlines it.
// main.js calls initRecent once, then refresh() when the signed-in caller, the village or the data
// changed.
import { el } from './panel.js';
import { get } from './api.js';
import { OP_WORDS, shortTime } from './edit_words.js';

const SHOWN = 12;
const MAX_PAGES = 20; // 20 000 changes of one village at most are read to find its newest

export function initRecent({ state, geojson, classInfo, fit, highlight }) {
  const list = el('ul', { id: 'recent-list', class: 'recent' });
  const place = el('span', { id: 'recent-place' });
  const section = el('section', { id: 'recent' }, el('h2', {}, '最近更新 ', place), list);
  section.hidden = true;
  document.getElementById('panel').append(section);
  let shownFor = null;
  let seq = 0;

  const fieldTitle = (cls, name) => classInfo(cls)?.fields.find((f) => f.name === name)?.title || name;

  // The field titles a change touched, and 位置 when the geometry moved.
  function what(c) {
    const before = c.before?.properties || {};
    const after = c.after?.properties || {};
    if (c.op === 'insert' || c.op === 'delete' || !c.before || !c.after) return [];
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    const out = names.map((k) => fieldTitle(c.collection, k));
    if (JSON.stringify(c.before.geometry) !== JSON.stringify(c.after.geometry)) out.push('位置');
    return out;
  }

  function label(c) {
    const p = (c.after || c.before)?.properties || {};
    if (p.name) return p.name;
    const first = classInfo(c.collection)?.fields[0];
    return first && p[first.name] ? String(p[first.name]) : `#${c.id}`;
  }

  function item(c) {
    const fields = what(c);
    const text = `${c.user || '有人'} ${OP_WORDS[c.op] || '修改了'} ${classInfo(c.collection)?.title.zh || c.collection} ${label(c)}`;
    const li = el('li', { tabindex: '0', 'data-seq': String(c.seq), 'data-collection': c.collection, 'data-id': String(c.id) },
      el('span', { text }), fields.length ? el('span', { class: 'muted', text: `（${fields.slice(0, 3).join('、')}${fields.length > 3 ? '等' : ''}）` }) : null,
      el('small', { text: shortTime(c.time) }));
    const go = () => {
      const state = c.after || c.before;
      if (!state?.geometry) return;
      const f = geojson.readFeature(state);
      fit(f.getGeometry().getExtent(), 18);
      highlight.clear();
      highlight.addFeature(f);
    };
    li.addEventListener('click', go);
    li.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
    return li;
  }

  async function load(code) {
    let newest = [];
    let since = 0;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const answer = await get('/api/changes', { village: code, since: String(since), limit: '1000' });
      newest = [...newest, ...answer.changes].slice(-SHOWN);
      if (!answer.links.some((l) => l.rel === 'next')) break;
      since = answer.last_seq;
    }
    return newest.reverse();
  }

  return {
    // `village`: {code, name} at the map's centre, or null. `force` after a write.
    async refresh(village, force = false) {
      const signedIn = state.me && !state.me.public;
      section.hidden = !signedIn;
      const key = signedIn && village ? `${state.me.user}:${village.code}` : null;
      if (key === shownFor && !force) return;
      shownFor = key;
      const mine = ++seq;
      if (!key) {
        place.textContent = '';
        list.replaceChildren(el('li', { class: 'muted', text: '移动地图到一个村，即显示该村的最近更新。' }));
        return;
      }
      place.textContent = `· ${village.name}`;
      try {
        const changes = await load(village.code);
        if (mine !== seq) return;
        list.replaceChildren(...(changes.length ? changes.map(item) : [el('li', { class: 'muted', text: '暂无更新。' })]));
        list.dataset.village = village.code;
      } catch (err) {
        if (mine === seq) list.replaceChildren(el('li', { class: 'error', text: `最近更新暂不可用：${err.message}` }));
      }
    },
  };
}
