// End-to-end test of the web map in real headless Chromium (issue 9): starts `minqing serve --demo`
// on a free loopback port over a temporary copy of the sample store, drives Debian's chromium
// with playwright-core, and walks through what a visitor, a village cadre and the second village's
// cadre do. Each step writes a screenshot into the output folder (MINQING_E2E_OUT, else
// web/e2e-output/); a failing step says which. Expected values are read from the API, never
// written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', '..');
const bin = process.env.MINQING_BIN || join(source, 'build', 'minqing');
const sample = process.env.MINQING_SAMPLE || join(source, 'data-samples', 'songyang-sample.gpkg');
const dist = process.env.MINQING_WEB_DIST || join(source, 'web', 'dist');
const out = process.env.MINQING_E2E_OUT || join(here, '..', 'e2e-output');
const browserPath = process.env.MINQING_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'minqing-demo';
const STEP_MS = 30_000;

// --- the server ------------------------------------------------------------------------------
function startServer(dir) {
  const store = join(dir, 'songyang-sample.gpkg');
  cpSync(sample, store);
  const dem = sample.replace(/\.gpkg$/, '.dem');
  if (existsSync(dem)) cpSync(dem, store.replace(/\.gpkg$/, '.dem'), { recursive: true });
  const proc = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--store', store, '--demo', '--web', dist, '--threads', '2'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const ready = new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s; its log:\n${log}`)), 60_000);
    proc.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before serving; its log:\n${log}`)); });
  });
  return { proc, ready };
}

// --- the API, as the test's own client (expected values) ----------------------------------------
async function api(base, path, token) {
  const res = await fetch(base + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
  return res.json();
}
async function tokenOf(base, username) {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
  });
  assert.equal(res.status, 200, `login ${username}`);
  return (await res.json()).token;
}
function bboxOf(geometry) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
    } else c.forEach(walk);
  };
  walk(geometry.coordinates);
  return b;
}
function inside([lon, lat], b, margin = 0) {
  return lon >= b[0] - margin && lon <= b[2] + margin && lat >= b[1] - margin && lat <= b[3] + margin;
}
// A point inside a small polygon (a building): the mean of its outer ring's vertices.
function interiorPoint(geometry) {
  const ring = geometry.type === 'MultiPolygon' ? geometry.coordinates[0][0] : geometry.coordinates[0];
  const pts = ring.slice(0, -1);
  return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
}

// --- the page ------------------------------------------------------------------------------------
async function waitReady(page) {
  await page.waitForFunction(() => document.body.dataset.ready === '1' && window.minqing?.ready, null, { timeout: STEP_MS });
}
async function signIn(page, username) {
  await page.click('#login-open');
  await page.fill('#login-user', username);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#logout:not([hidden])', { timeout: STEP_MS });
  await page.waitForFunction((u) => document.getElementById('user-name').textContent.includes(u), username);
}
async function signOut(page) {
  await page.click('#logout');
  await page.waitForSelector('#login-open:not([hidden])', { timeout: STEP_MS });
}
async function clickAt(page, lon, lat) {
  await page.evaluate(([x, y]) => window.minqing.centerOn(x, y, 18), [lon, lat]);
  await page.waitForTimeout(300);
  const [px, py] = await page.evaluate(([x, y]) => window.minqing.pixelOf(x, y), [lon, lat]);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + px, box.y + py);
}

test('web map end to end in headless Chromium', { timeout: 300_000 }, async () => {
  assert.ok(existsSync(browserPath), `no Chromium at ${browserPath}: run scripts/install-deps.sh (Debian's chromium)`);
  assert.ok(existsSync(join(dist, 'index.html')), `the web map is not built in ${dist}: run scripts/build-web.sh`);
  assert.ok(existsSync(bin), `no server binary at ${bin}: build it first (cmake --build build)`);
  mkdirSync(out, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'minqing-e2e-'));
  const server = startServer(dir);
  let browser;
  let n = 0;
  let page;
  const step = async (name, fn) => {
    n += 1;
    const shot = join(out, `${String(n).padStart(2, '0')}-${name}.png`);
    try {
      await fn();
    } catch (err) {
      if (page) await page.screenshot({ path: shot.replace(/\.png$/, '-FAILED.png') }).catch(() => {});
      throw new Error(`step ${n} "${name}" failed: ${err.message}`, { cause: err });
    }
    if (page) await page.screenshot({ path: shot });
  };
  try {
    const base = await server.ready;
    browser = await chromium.launch({ executablePath: browserPath, headless: true, args: ['--no-sandbox'], timeout: 60_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    const cspErrors = [];
    page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspErrors.push(m.text()); });
    const tileRequests = [];
    page.on('request', (r) => { if (r.url().includes('/tiles/')) tileRequests.push(new URL(r.url()).pathname); });
    const tileUrls = []; // with the query: a tile asked for anew after an edit carries ?v=
    page.on('request', (r) => { if (r.url().includes('/tiles/')) tileUrls.push(r.url()); });

    const cadre = await tokenOf(base, 'cadre');
    const me = await api(base, '/api/me', cadre);
    const village = me.area.village_code;
    const villageFc = await api(base, `/collections/villages/items?village_code=${village}`, cadre);
    const villageBox = bboxOf(villageFc.features[0].geometry);
    const layers = await api(base, '/api/layers', cadre);
    const field = (cls, name) => layers.maps.flatMap((m) => m.classes).find((c) => c.name === cls).fields.find((f) => f.name === name);

    await step('anonymous-terrain', async () => {
      await page.goto(base + '/');
      await waitReady(page);
      assert.ok(await page.isChecked('#map-terrain'), 'the terrain map is shown');
      assert.equal(await page.locator('#map-key_persons').count(), 0, 'no key-persons map offered');
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/tiles/terrain/')));
      assert.ok(tileRequests.some((p) => p.startsWith('/tiles/terrain/')), 'terrain tiles requested');
    });

    await step('cadre-signed-in', async () => {
      await signIn(page, 'cadre');
      await page.waitForSelector('#map-key_persons');
      const shown = await page.textContent('#user-name');
      assert.ok(shown.includes(me.title), `role shown in Chinese (${me.title}): "${shown}"`);
    });

    await step('cadre-village', async () => {
      await page.waitForFunction((b) => window.minqing.inExtent(b), villageBox);
    });

    await step('statistics-households', async () => {
      const stats = await api(base, `/api/stats?village=${village}`, cadre);
      const expected = stats.maps.terrain.totals.villages.households;
      await page.waitForFunction((v) => document.getElementById('stat-households')?.textContent === v,
        expected.toLocaleString('zh-CN'));
    });

    await step('disaster-map-on', async () => {
      const before = tileRequests.length;
      await page.check('#map-disaster');
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/tiles/terrain,disaster/')));
      assert.ok(tileRequests.slice(before).some((p) => p.startsWith('/tiles/terrain,disaster/')), 'tiles of terrain+disaster requested');
      await page.waitForSelector('.legend[data-map="disaster"]');
    });

    await step('print-sheets', async () => {
      // 打印: the village's sheets for the maps shown (terrain, disaster), downloaded as one PDF.
      await page.waitForSelector('#print:not([disabled])');
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#print')]);
      assert.ok(download.suggestedFilename().endsWith('.pdf'), `a PDF: ${download.suggestedFilename()}`);
      const bytes = readFileSync(await download.path());
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'the download is a PDF');
      assert.equal((bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length, 2, 'a page per map shown');
    });

    await step('building-popup', async () => {
      const fc = await api(base, `/collections/buildings/items?village_code=${village}&limit=50`, cadre);
      const b = fc.features.find((f) => f.properties.use);
      assert.ok(b, 'a building with a use in the village');
      const use = field('buildings', 'use');
      const [lon, lat] = interiorPoint(b.geometry);
      await clickAt(page, lon, lat);
      const section = page.locator('#popup section[data-class="buildings"]').first();
      await section.waitFor();
      const text = await section.textContent();
      assert.ok(text.includes(use.title), `field title ${use.title} in "${text}"`);
      assert.ok(text.includes(use.value_titles[b.properties.use]), `value ${use.value_titles[b.properties.use]} in "${text}"`);
    });

    await step('evacuation-plan', async () => {
      // The village's plan drawn from the panel: its summary and shelters as the API answers them.
      const plan = await api(base, `/api/evacuation-plan?village=${village}`, cadre);
      await page.click('#popup-close');
      await page.evaluate((c) => { document.getElementById('village-picker').value = c; }, village);
      await page.click('#plan-draw');
      await page.waitForFunction((v) => document.getElementById('plan-summary').dataset.village === v, village);
      const text = await page.textContent('#plan-summary');
      assert.ok(text.includes(`已安置 ${plan.plan.optimal.households_placed} 户`), `placed households in "${text}"`);
      const shelters = plan.features.filter((f) => f.properties.kind === 'shelter');
      assert.equal(await page.locator('#plan-summary li').count(), shelters.length, 'one line per shelter');
      const lines = await page.evaluate(() => window.minqing.map.getLayers().getArray()
        .map((l) => l.getSource?.()).filter((src) => src?.getFeatures).reduce((n, src) => n + src.getFeatures()
          .filter((f) => f.get('kind') === 'household').length, 0));
      assert.equal(lines, plan.features.length - shelters.length, 'a line or point per household drawn');
    });

    await step('house-route', async () => {
      // Click a house: the popup offers the route to the nearest shelter, drawn with length and time.
      const fc = await api(base, `/collections/buildings/items?village_code=${village}&use=residential&limit=20`, cadre);
      const house = fc.features.find((f) => f.properties.use === 'residential');
      assert.ok(house, 'a residential building in the village');
      const [lon, lat] = interiorPoint(house.geometry);
      await clickAt(page, lon, lat);
      await page.locator('#route-nearest').click();
      await page.waitForFunction(() => document.querySelector('.route-result')?.dataset.lengthM);
      const text = await page.textContent('.route-result');
      assert.match(text, /步行 \d+ 米，约 [\d.]+ 分钟/, `length and time shown: "${text}"`);
      const route = await api(base, `/api/route?from=${lon},${lat}&to=nearest-shelter`, cadre);
      const shown = Number(await page.evaluate(() => document.querySelector('.route-result').dataset.lengthM));
      assert.ok(Math.abs(shown - route.properties.length_m) < 100, `route ${shown} m as the API's ${route.properties.length_m} m`);
      await page.click('#plan-clear');
    });

    await step('search-road', async () => {
      await page.click('#popup-close');
      const road = (await api(base, '/api/search?q=' + encodeURIComponent('松玉线'), cadre)).hits.find((h) => h.class === 'roads');
      assert.ok(road, 'the API finds the road 松玉线');
      const answer = page.waitForResponse((r) => r.url().includes('/api/search'));
      await page.fill('#search-input', road.text);
      const hits = (await (await answer).json()).hits;
      await page.locator('#search-hits li').first().click();
      await page.waitForFunction((b) => window.minqing.inExtent(b), hits[0].bbox);
      assert.ok(hits[0].text.includes('松玉线'));
    });

    await step('cadre2-no-key-persons-of-first-village', async () => {
      const kp = await api(base, `/collections/key_persons/items?village_code=${village}&limit=1`, cadre);
      assert.ok(kp.features.length, 'the first village has key persons');
      await signOut(page);
      await signIn(page, 'cadre2');
      await page.check('#map-key_persons');
      const seen = await page.evaluate(async (v) => {
        const r = await fetch(`/collections/key_persons/items?village_code=${v}`);
        return (await r.json()).numberMatched;
      }, village);
      assert.equal(seen, 0, 'cadre2 reads no key person of the first village');
      const [lon, lat] = kp.features[0].geometry.coordinates;
      const identify = page.waitForResponse((r) => r.url().includes('/api/identify'));
      await clickAt(page, lon, lat);
      const hits = (await (await identify).json()).features;
      assert.ok(!hits.some((f) => f.class === 'key_persons'), 'no key person under the click');
      assert.equal(await page.locator('#popup section[data-class="key_persons"]').count(), 0);
    });

    await step('signed-out-public', async () => {
      await signOut(page);
      await page.waitForFunction(() => !document.getElementById('map-key_persons'));
      assert.equal(await page.locator('#maps input').count(), 1, 'only the terrain map offered');
      assert.ok((await page.textContent('#user-name')).includes('游客'));
    });

    await step('township-first-view-and-statistics', async () => {
      const token = await tokenOf(base, 'township');
      const tme = await api(base, '/api/me', token);
      const township = tme.area.township;
      assert.ok(township, 'the township cadre has a township');
      await signIn(page, 'township');
      await page.waitForFunction((t) => document.getElementById('village-picker').value === `township:${t}`, township);
      const stats = await api(base, `/api/stats?township=${township}`, token);
      const expected = stats.maps.terrain.totals.villages.households;
      await page.waitForFunction((v) => document.getElementById('stat-households')?.textContent === v,
        expected.toLocaleString('zh-CN'));
      assert.ok(expected > (await api(base, `/api/stats?village=${village}`, token)).maps.terrain.totals.villages.households,
        'the township counts more households than one of its villages');
      const notes = await page.textContent('#stat-notes');
      assert.ok(/[亩人户]/.test(notes) && !/households|population_at_risk/.test(notes), `notes in Chinese: "${notes}"`);
      await page.waitForSelector('#stat-evacuation');
      await page.locator('#stat-households').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(out, 'statistics-township.png') });
      await page.locator('#stat-evacuation').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(out, 'statistics-evacuation.png') });
    });

    await step('township-masked-household-popup', async () => {
      const token = await tokenOf(base, 'township');
      const admin = await tokenOf(base, 'admin');
      await page.check('#map-industry');
      const masked = (await api(base, `/collections/households/items?village_code=${village}&limit=20`, token)).features
        .find((f) => typeof f.properties.head_name === 'string');
      assert.ok(masked, 'the township cadre reads households of the village');
      const full = await api(base, `/collections/households/items/${masked.id}`, admin);
      assert.ok(masked.properties.head_name.includes('*') && masked.properties.head_name !== full.properties.head_name,
        'the API masks the head of household for a township cadre');
      const [lon, lat] = masked.geometry.coordinates;
      const identify = page.waitForResponse((r) => r.url().includes('/api/identify'));
      await clickAt(page, lon, lat);
      await identify;
      const section = page.locator('#popup section[data-class="households"]').first();
      await section.waitFor();
      const text = await section.textContent();
      assert.ok(text.includes(field('households', 'head_name').title), `field title in "${text}"`);
      assert.ok(text.includes(masked.properties.head_name), `masked name ${masked.properties.head_name} in "${text}"`);
      assert.ok(!text.includes(full.properties.head_name), 'the full name is not in the popup');
    });

    await step('grid-worker-first-view', async () => {
      await page.click('#popup-close');
      await signOut(page);
      const token = await tokenOf(base, 'grid');
      const gme = await api(base, '/api/me', token);
      const gridVillage = gme.area.grid_ids[0].slice(0, 12);
      const fc = await api(base, `/collections/villages/items?village_code=${gridVillage}`, token);
      await signIn(page, 'grid');
      await page.waitForFunction((b) => window.minqing.inExtent(b), bboxOf(fc.features[0].geometry));
      assert.equal(await page.locator('#map-key_persons').count(), 0, 'no key-persons map for a grid worker');
      await signOut(page);
    });

    // --- 编辑 (issue 15): edit mode, conflicts in Chinese, 最近更新 ----------------------------------
    const householdsOf = async (token) => (await api(base, `/collections/households/items?village_code=${village}&limit=50`, token)).features;
    const house = (await householdsOf(cadre)).find((f) => Number.isInteger(f.properties.members));
    assert.ok(house, 'a household of the village with a number of members');
    const members = house.properties.members;
    const itemPath = `/collections/households/items/${house.id}`;
    const readItem = async (token) => {
      const res = await fetch(base + itemPath, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, `GET ${itemPath}`);
      return { etag: res.headers.get('etag'), feature: await res.json() };
    };
    // Opens the edit form of the household under the click (picking it when a building is there too).
    const openHouseForm = async () => {
      const [lon, lat] = house.geometry.coordinates;
      await clickAt(page, lon, lat);
      await page.waitForSelector('#edit-form[data-class="households"], .edit-pick');
      if (await page.locator('.edit-pick').count()) {
        await page.locator('.edit-pick button', { hasText: house.properties.household_id }).click();
      }
      await page.waitForSelector('#edit-form[data-class="households"]');
    };

    await step('edit-button-only-for-editors', async () => {
      assert.ok(await page.locator('#edit-toggle').isHidden(), 'no 编辑 for a visitor');
      const tme = await api(base, '/api/me', await tokenOf(base, 'township'));
      assert.deepEqual(tme.edit, [], 'the township cadre may edit no map');
      await signIn(page, 'township');
      assert.ok(await page.locator('#edit-toggle').isHidden(), 'no 编辑 for a role without edit rights');
      await signOut(page);
    });

    await step('edit-household-attribute', async () => {
      await signIn(page, 'cadre');
      assert.ok(me.edit.includes('industry'), 'the cadre may edit the industry map');
      await page.check('#map-industry');
      await page.click('#edit-toggle');
      await page.waitForSelector('#edit-bar:not([hidden])');
      await openHouseForm();
      const title = field('households', 'members').title;
      assert.ok((await page.textContent('#edit-form')).includes(title), `the field's Chinese title ${title} in the form`);
      const employment = field('households', 'employment');
      const options = await page.locator('#edit-form select[name="employment"] option').allTextContents();
      for (const t of Object.values(employment.value_titles)) assert.ok(options.includes(t), `enum title ${t} offered`);
      assert.equal(await page.locator('#edit-form input[name="vulnerable_members"]').count(), 0, 'a derived field is not an input');
      // An invalid value is refused naming the field in Chinese, and changes nothing.
      await page.fill('#edit-form input[name="members"]', '-1');
      await page.click('#edit-save');
      await page.waitForSelector('#edit-message[data-status="invalid"]');
      const refusal = await page.textContent('#edit-message');
      assert.ok(refusal.includes(title) && refusal.includes('不能小于 0'), `the field's title and the reason: "${refusal}"`);
      await page.screenshot({ path: join(out, 'edit-invalid-value.png') });
      assert.equal((await readItem(cadre)).feature.properties.members, members, 'the refused value was not saved');
      await page.fill('#edit-form input[name="members"]', String(members + 1));
      await page.click('#edit-save');
      await page.waitForSelector('#edit-message[data-status="saved"]');
      const { feature } = await readItem(cadre);
      assert.equal(feature.properties.members, members + 1, 'the API reads the saved value');
    });

    await step('edit-conflict-412', async () => {
      // A second session (the county administrator) changes the same household first.
      const admin = await tokenOf(base, 'admin');
      const { etag } = await readItem(admin);
      const res = await fetch(base + itemPath, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${admin}`, 'If-Match': etag, 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ properties: { members: members + 5 } }),
      });
      assert.equal(res.status, 200, `the second session's PATCH: ${res.status}`);
      await page.fill('#edit-form input[name="members"]', String(members + 2));
      await page.click('#edit-save');
      await page.waitForSelector('#edit-message[data-status="conflict"]');
      const text = await page.textContent('#edit-message');
      assert.ok(text.includes('这条记录刚被其他人修改过') && text.includes('请查看最新内容后再保存'), `conflict in Chinese: "${text}"`);
      assert.ok(text.includes('admin'), `who changed it: "${text}"`);
      await page.screenshot({ path: join(out, 'edit-conflict-message.png') });
      await page.click('#edit-reload');
      await page.waitForFunction((v) => document.querySelector('#edit-form input[name="members"]')?.value === v, String(members + 5));
      assert.equal((await readItem(cadre)).feature.properties.members, members + 5, 'the first session overwrote nothing');
    });

    await step('edit-move-house', async () => {
      const [lon, lat] = house.geometry.coordinates;
      const [px, py] = await page.evaluate(([x, y]) => window.minqing.pixelOf(x, y), [lon, lat]);
      const box = await page.locator('#map').boundingBox();
      await page.mouse.move(box.x + px, box.y + py);
      await page.mouse.down();
      for (let i = 1; i <= 5; i += 1) await page.mouse.move(box.x + px + 4 * i, box.y + py + 3 * i);
      await page.mouse.up();
      await page.waitForFunction(() => document.getElementById('edit-moved')?.textContent.includes('位置已改动'));
      await page.click('#edit-save');
      await page.waitForSelector('#edit-message[data-status="saved"]');
      const [lon2, lat2] = (await readItem(cadre)).feature.geometry.coordinates;
      assert.ok(lon2 > lon && lat2 < lat, `the house moved right and down: ${[lon, lat]} → ${[lon2, lat2]}`);
    });

    await step('edit-draw-hazard-zone', async () => {
      const zones = (await api(base, `/collections/hazard_zones/items?village_code=${village}`, cadre)).numberMatched;
      await page.click('#edit-cancel');
      await page.check('#map-disaster');
      await page.click('#edit-draw-zone');
      const box = await page.locator('#map').boundingBox();
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      for (const [dx, dy] of [[-90, -60], [-30, -60], [-30, 0], [-90, 0], [-90, -60]]) {
        await page.mouse.click(cx + dx, cy + dy);
        await page.waitForTimeout(150);
      }
      await page.waitForSelector('#edit-form[data-class="hazard_zones"]');
      const hazard = field('hazard_zones', 'hazard');
      const risk = field('hazard_zones', 'risk');
      await page.selectOption('#edit-form select[name="hazard"]', { label: hazard.value_titles.landslide });
      await page.selectOption('#edit-form select[name="risk"]', { label: risk.value_titles.high });
      const zoneId = await page.inputValue('#edit-form input[name="zone_id"]');
      assert.ok(zoneId.startsWith(village), `a zone id of the village suggested: ${zoneId}`);
      const asked = tileUrls.length;
      await page.click('#edit-save');
      await page.waitForSelector('#edit-message[data-status="saved"]');
      // Only the tiles near the new zone are asked for anew; the rest of the view stays cached.
      for (let t = 0; t < 100 && !tileUrls.slice(asked).some((u) => u.includes('?v=')); t += 1) await page.waitForTimeout(100);
      await page.waitForTimeout(500);
      const fresh = new Set(tileUrls.slice(asked).filter((u) => u.includes('?v=')));
      const inView = await page.evaluate(() => {
        const m = window.minqing.map;
        const src = m.getLayers().item(0).getSource();
        const grid = src.getTileGrid();
        const z = grid.getZForResolution(m.getView().getResolution());
        let n = 0;
        grid.forEachTileCoord(m.getView().calculateExtent(m.getSize()), z, () => { n += 1; });
        return n;
      });
      assert.ok(fresh.size >= 1 && fresh.size < inView, `${fresh.size} of ${inView} tiles in view asked for anew`);
      const after = await api(base, `/collections/hazard_zones/items?village_code=${village}&zone_id=${encodeURIComponent(zoneId)}`, cadre);
      assert.equal(after.numberMatched, 1, 'the new zone is served');
      assert.equal(after.features[0].properties.risk, 'high');
      assert.equal((await api(base, `/collections/hazard_zones/items?village_code=${village}`, cadre)).numberMatched, zones + 1);
    });

    await step('recent-changes', async () => {
      const feed = await api(base, `/api/changes?village=${village}`, cadre);
      assert.ok(feed.changes.some((c) => c.collection === 'households' && c.id === house.id), 'the feed holds the edit');
      const membersTitle = field('households', 'members').title;
      const item = page.locator(`#recent-list li[data-collection="households"][data-id="${house.id}"]`)
        .filter({ hasText: 'cadre 修改了' }).filter({ hasText: membersTitle }).first();
      await item.waitFor();
      const text = await item.textContent();
      assert.ok(text.includes('cadre 修改了 农户') && text.includes(house.properties.household_id), `who, what in Chinese: "${text}"`);
      assert.ok(await page.locator(`#recent-list li[data-id="${house.id}"]`, { hasText: '位置' }).count(), 'the move listed');
      assert.ok(await page.locator('#recent-list li[data-collection="hazard_zones"]', { hasText: '新增了' }).count(), 'the new zone listed');
      await item.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(out, 'recent-changes-list.png') });
      await page.click('#edit-toggle'); // 结束编辑
      await page.evaluate(() => window.minqing.map.getView().setZoom(14)); // the village stays at the centre
      await item.click();
      const [lon, lat] = (await readItem(cadre)).feature.geometry.coordinates;
      await page.waitForFunction((b) => window.minqing.inExtent(b), [lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002]);
      await signOut(page);
    });

    await step('desktop-screenshot', async () => {
      await signIn(page, 'cadre');
      await page.check('#map-disaster');
      await page.waitForFunction((b) => window.minqing.inExtent(b), villageBox);
      await page.evaluate(() => window.minqing.map.getView().setZoom(window.minqing.map.getView().getZoom() + 0.5));
      await page.waitForTimeout(1500);
      await page.screenshot({ path: join(out, 'desktop.png') });
    });

    await step('phone', async () => {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'zh-CN' });
      const p = await phone.newPage();
      p.setDefaultTimeout(STEP_MS);
      await p.goto(base + '/');
      await waitReady(p);
      assert.ok(await p.locator('#panel').isHidden(), 'the panel starts closed on a phone');
      await signIn(p, 'cadre');
      await p.waitForFunction((b) => window.minqing.inExtent(b), villageBox);
      await p.waitForTimeout(1500);
      await p.screenshot({ path: join(out, 'phone.png') });
      await p.click('#edit-toggle');
      await p.waitForSelector('#edit-bar:not([hidden])');
      assert.ok(await p.locator('#edit-toggle').isVisible(), 'the 编辑 button fits the phone bar');
      // The household's form as a sheet at the bottom, its 保存 within reach.
      await p.click('#panel-toggle');
      await p.check('#map-industry');
      await p.click('#panel-toggle');
      const [hlon, hlat] = (await readItem(cadre)).feature.geometry.coordinates;
      await clickAt(p, hlon, hlat);
      await p.waitForSelector('#edit-form[data-class="households"], .edit-pick');
      if (await p.locator('.edit-pick').count()) {
        await p.locator('.edit-pick button', { hasText: house.properties.household_id }).click();
      }
      await p.waitForSelector('#edit-form[data-class="households"]');
      await p.locator('#edit-save').scrollIntoViewIfNeeded();
      assert.ok(await p.locator('#edit-save').isVisible(), '保存 can be reached on a phone');
      await p.screenshot({ path: join(out, 'phone-edit.png') });
      await p.click('#edit-toggle');
      await p.click('#panel-toggle');
      assert.ok(await p.locator('#panel').isVisible(), 'the panel opens');
      await p.screenshot({ path: join(out, 'phone-panel.png') });
      await phone.close();
    });

    assert.deepEqual(cspErrors, [], 'no Content-Security-Policy violations');
  } finally {
    if (browser) await browser.close().catch(() => {});
    server.proc.kill('SIGTERM');
    await new Promise((r) => { if (server.proc.exitCode !== null) r(); else { server.proc.once('exit', r); setTimeout(r, 5000); } });
    rmSync(dir, { recursive: true, force: true });
  }
});
