// 打印: downloads the printable sheets (专题图) of the village at the map's centre, one page per
// map shown, as one PDF — GET /api/sheets/{village}.pdf?maps=…, answered for the caller's scope
// exactly as the API answers it (a map the caller may not print there is refused with a message).

import { apiError } from './api.js';

// `current()` → {code, name, maps}: the village at the map's centre (code null when none) and the
// maps shown, in drawing order.
export function setupPrint(button, status, current) {
  const refresh = () => {
    const { code, name } = current();
    button.disabled = !code;
    button.title = code ? `下载 ${name} 所选地图的专题图（PDF）` : '移动地图到一个村，即可打印该村的专题图';
  };
  button.addEventListener('click', async () => {
    const { code, name, maps } = current();
    if (!code) return;
    button.disabled = true;
    status.textContent = '正在生成专题图…';
    try {
      const res = await fetch(`/api/sheets/${code}.pdf?${new URLSearchParams({ maps: maps.join(',') })}`,
        { credentials: 'same-origin' });
      if (!res.ok) throw await apiError(res);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${name || code}-专题图.pdf`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = '';
    } catch (err) {
      status.textContent = `无法打印：${err.message}`;
    } finally {
      refresh();
    }
  });
  return refresh;
}
