// The edit form's fields (edit.js): one row per field of the layer as /api/layers describes it —
// an input of the field's type under its Chinese title (a category as a list of its Chinese value
// titles, a date as a date picker), or, for a field the caller may not change (derived by the
// server, the village code that follows the location, a field shown masked), the value read-only
// with why; and the value a row holds, as the API takes it.
import { el } from './panel.js';

const VILLAGE_KEY = 'village_code'; // every class's village key (layers/*.json): set by location

// One field: an input of its type, or its value read-only with why.
export function fieldRow(f, value, creating) {
  const locked = f.derived ? '自动计算' : f.name === VILLAGE_KEY ? '按位置自动填写'
    : f.access !== 'full' ? '已隐去部分内容，不能修改' : null;
  const label = el('span', { class: 'edit-title', text: f.title + (f.required && !locked ? ' *' : '') });
  if (locked) {
    const shown = value === null || value === undefined ? '' : f.value_titles?.[value] || String(value);
    return el('div', { class: 'edit-row locked', 'data-field': f.name }, label,
      el('span', { class: 'edit-value', text: shown || '—' }), el('small', { text: `（${locked}）` }));
  }
  let input;
  if (f.value_titles) {
    input = el('select', { name: f.name });
    input.append(el('option', { value: '', text: '（未填）' }));
    for (const [code, title] of Object.entries(f.value_titles)) input.append(el('option', { value: code, text: title }));
  } else if (f.type === 'integer' || f.type === 'real') {
    input = el('input', { name: f.name, type: 'number', step: f.type === 'integer' ? '1' : 'any', inputmode: 'decimal' });
  } else if (f.type === 'date') {
    input = el('input', { name: f.name, type: 'date' });
  } else if (f.type === 'datetime') {
    input = el('input', { name: f.name, type: 'datetime-local', step: '1' });
  } else {
    input = el('input', { name: f.name, type: 'text' });
  }
  input.value = value === null || value === undefined ? '' : String(value);
  if (f.required && creating) input.required = true;
  return el('label', { class: 'edit-row', 'data-field': f.name }, label, input);
}

// What the form holds for field `f`, as the API takes it (null for empty).
export function formValue(form, f) {
  const input = form.elements.namedItem(f.name);
  if (!input) return undefined;
  const raw = input.value.trim();
  if (raw === '') return null;
  if (f.type === 'integer' && /^-?\d+$/.test(raw)) return Number(raw);
  if (f.type === 'real' && !Number.isNaN(Number(raw))) return Number(raw);
  if (f.type === 'datetime' && /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(raw)) return `${raw}:00`;
  return raw;
}
