// The server's refusals of a write in a cadre's words (web/src/edit_words.js), without a browser:
// each refusal names the field by its Chinese title and says why in Chinese; an unknown reason is
// still shown; the conflict names who changed the record and when.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusal, conflictText, shortTime } from '../src/edit_words.js';

const titles = { members: '人口', since: '结对日期', employment: '就业', zone_id: '隐患点编号', vulnerable_members: '需协助转移人数' };
const titleOf = (name) => titles[name] || name;

test('a refused field value: its Chinese title and the reason', () => {
  assert.deepEqual(refusal(422, 'field members: -1 is below the minimum 0', titleOf), { field: 'members', text: '人口：不能小于 0。' });
  assert.equal(refusal(422, 'field members: "2.5" has a fraction an integer field cannot hold', titleOf).text, '人口：必须是整数。');
  assert.equal(refusal(422, 'field since: "2026-13-01" is not a date (YYYY-MM-DD)', titleOf).text, '结对日期：不是有效的日期。');
  assert.equal(refusal(422, 'field employment: "x" is not one of farming, local_work', titleOf).text, '就业：不是可选的值。');
  assert.equal(refusal(422, 'field zone_id: "A" is already the key of feature 3', titleOf).text, '隐患点编号：这个编号已经有了，请换一个。');
  assert.equal(refusal(422, 'field vulnerable_members: derived from key_persons by the server; it cannot be written', titleOf).text,
    '需协助转移人数：由系统自动计算，不能修改。');
  assert.equal(refusal(422, 'field members: something new', titleOf).text, '人口：something new。', 'an unknown reason is shown as sent');
});

test('geometry faults and refusals of place or map', () => {
  assert.deepEqual(refusal(422, 'geometry: lies outside every village', titleOf), { field: null, text: '位置/形状：位置不在任何一个村内。' });
  assert.match(refusal(422, 'geometry: Self-intersection at 119.1 28.2', titleOf).text, /相互交叉/);
  assert.match(refusal(403, 'the feature would lie outside your area', titleOf).text, /没有权限.*负责的区域/);
  assert.match(refusal(403, "collection 'households' belongs to map 'industry', which you may not edit", titleOf).text, /有编辑权限的地图/);
  assert.equal(refusal(403, 'field members: you see it masked, so you may not change it', titleOf).field, 'members');
});

test('a conflict says who changed the record and when', () => {
  const text = conflictText({ user: 'admin', time: '2026-12-01T13:05:00.000Z' });
  assert.ok(text.startsWith('这条记录刚被其他人修改过（admin，'), text);
  assert.ok(text.includes(shortTime('2026-12-01T13:05:00.000Z')) && text.endsWith('请查看最新内容后再保存。'), text);
  assert.equal(conflictText(null), '这条记录刚被其他人修改过（其他人）。请查看最新内容后再保存。');
});
