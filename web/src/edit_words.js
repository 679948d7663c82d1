// The server's refusals of a write (server/edit_endpoint.hpp) in words a village cadre
// understands. The server names the field or fault in English ("field members: -1 is below the
// minimum 0", "geometry: lies outside every village"); here the field gets its Chinese title
// and the common reasons a Chinese sentence. A reason not known here is shown as sent, after the
// Chinese title, rather than hidden.

const REASONS = [
  [/^is required$/, () => '必须填写'],
  [/^(.*) is below the minimum (.*)$/, (m) => `不能小于 ${m[2]}`],
  [/^(.*) is above the maximum (.*)$/, (m) => `不能大于 ${m[2]}`],
  [/is not a date \(/, () => '不是有效的日期'],
  [/is not a date-time/, () => '不是有效的日期时间'],
  [/is not one of/, () => '不是可选的值'],
  [/does not match/, () => '格式不对'],
  [/^must be (integer|real)/, () => '必须是数字'],
  [/^must be (text|date|datetime)/, () => '必须是文字'],
  [/has a fraction an integer field cannot hold/, () => '必须是整数'],
  [/is not a number/, () => '必须是数字'],
  [/is a number, not a date|has a time of day/, () => '不是有效的日期'],
  [/derived from .* by the server/, () => '由系统自动计算，不能修改'],
  [/^you see it (masked|hidden)/, () => '您看到的是隐去的内容，不能修改'],
  [/has no such field/, () => '不是这一图层的字段'],
  [/^the geometry lies in village (\d+)/, (m) => `位置在另一个村（${m[1]}），与填写的不符`],
  [/is already the key of feature/, () => '这个编号已经有了，请换一个'],
];

const GEOMETRY = [
  [/lies outside every village/, '位置不在任何一个村内'],
  [/required/, '还没有位置或形状'],
  [/[Ss]elf-intersection|self-intersect/, '形状的边线相互交叉，请重新画'],
  [/[Tt]oo few points|too few/, '形状的点太少'],
  [/outside the domain/, '位置超出了范围'],
];

function reasonOf(text) {
  for (const [re, say] of REASONS) {
    const m = text.match(re);
    if (m) return say(m);
  }
  return text;
}

// What went wrong with a write refused with 400/403/422: {field (a name, or null), text}.
// `titleOf(name)` gives a field's Chinese title.
export function refusal(status, detail, titleOf) {
  const m = /^(?:field|property) ([A-Za-z0-9_]+): (.*)$/.exec(detail || '');
  if (m) {
    const [, field, why] = m;
    if (status === 403) return { field, text: `${titleOf(field)}：您看到的是隐去的内容，不能修改。` };
    return { field, text: `${titleOf(field)}：${reasonOf(why)}。` };
  }
  const g = /^geometry: (.*)$/.exec(detail || '');
  if (g) {
    const known = GEOMETRY.find(([re]) => re.test(g[1]));
    return { field: null, text: `位置/形状：${known ? known[1] : g[1]}。` };
  }
  if (status === 403) {
    return { field: null, text: '您没有权限修改这里的这条记录：只能编辑您负责的区域、有编辑权限的地图。' };
  }
  return { field: null, text: `无法保存：${detail}` };
}

// "刚被其他人修改过" needs who and when: the newest version of the feature's history.
export function conflictText(latest) {
  const who = latest?.user || '其他人';
  const when = latest?.time ? shortTime(latest.time) : '';
  return `这条记录刚被其他人修改过（${who}${when ? `，${when}` : ''}）。请查看最新内容后再保存。`;
}

// 12月1日 21:05 in the browser's time zone.
export function shortTime(iso) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, '0');
  return `${t.getMonth() + 1}月${t.getDate()}日 ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

export const OP_WORDS = { insert: '新增了', update: '修改了', delete: '删除了', revert: '恢复了' };
