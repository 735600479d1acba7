// The embedding forms in Chromium: the documentation page, the custom element
// inside its shadow root, the iframe form, and the copied folder on its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, openPage, renderedMeterFrames, DIST } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const versionDir = () => fs.readdirSync(path.join(DIST, 'embed')).find((d) => /^v\d/.test(d));

test('every <meter-frame> on the documentation page renders; hover links bytes and fields', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + 'embed/');
  const frames = await renderedMeterFrames(page);
  const protos = await page.locator('meter-frame .proto').allTextContents();
  for (const p of ['dlt645-2007', 'dlt698.45', 'dlms-hdlc', 'dlms-wrapper', 'iec62056-21', 'dsmr-p1']) {
    assert.ok(protos.includes(p), `an example of ${p}: ${protos}`);
  }
  // Hover a byte inside the first element's shadow root: its field lights up.
  const first = frames.first();
  await first.scrollIntoViewIfNeeded();
  await first.locator('.b[data-off="15"]').hover();
  const row = first.locator('.row.hl');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-id'), 'dlt645.data.di');
  assert.match(await first.locator('.b[data-off="15"]').getAttribute('class'), /\bhl\b/);
  // Hover a field: its bytes light up.
  await first.locator('.row[data-id="dlt645.address"]').hover();
  const lit = await first.locator('.b.hl').evaluateAll((els) => els.map((e) => Number(e.dataset.off)));
  assert.deepEqual(lit, [5, 6, 7, 8, 9, 10]);
  // A bit field shows its bits (control 0x11: read data, from the master).
  assert.equal(await first.locator('.row[data-id="dlt645.control.function"] .bits').textContent(), '...1 0001 =');
  // "open in meterscope" carries the permalink.
  assert.match(await first.locator('a.link').getAttribute('href'), /index\.html#i=FE\+FE\+FE\+FE\+68/);
  // The module demo on the page ran.
  assert.match(await page.locator('#module-out').textContent(), /dlt645-2007, valid: true/);
  assert.deepEqual(problems, []);
  await close();
});

test('attribute changes re-render the element', async () => {
  const { page, close } = await openPage(browser);
  await page.goto(server.url + 'embed/');
  const first = page.locator('meter-frame').first();
  await first.locator('section.frame').waitFor();
  await first.evaluate((e) => e.setAttribute('hex', '68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16'));
  await page.waitForFunction(() => document.querySelector('meter-frame').shadowRoot.querySelector('.proto')?.textContent === 'dlt698.45');
  await first.evaluate((e) => e.setAttribute('lang', 'zh'));
  await page.waitForFunction(() => /有效/.test(document.querySelector('meter-frame').shadowRoot.querySelector('.state').textContent));
  await close();
});

test('the iframe form renders from its fragment and reports its height', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + 'embed/');
  const iframe = page.getByTestId('embed-iframe');
  await iframe.scrollIntoViewIfNeeded();
  const inner = page.frameLocator('[data-testid=embed-iframe]');
  assert.equal(await inner.locator('meter-frame .proto').textContent(), 'dlt645-2007');
  await page.waitForFunction(() => document.querySelector('[data-testid=embed-iframe]').getBoundingClientRect().height > 120);
  assert.deepEqual(problems, []);
  await close();
});

test('the copied output folder works on its own from another directory, loading lazily', async () => {
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-site-'));
  fs.cpSync(path.join(DIST, 'embed', versionDir()), path.join(site, 'vendor', 'meterscope'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="vendor/meterscope/meter-frame.js"></script></head>
<body><div style="height: 3000px">spacer</div>
<meter-frame id="f" hex="68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16">68 AA AA …</meter-frame></body></html>`);
  const other = await serve(site);
  const { page, problems, close } = await openPage(browser);
  await page.goto(other.url);
  await page.waitForFunction(() => customElements.get('meter-frame'));
  // Off screen: only the readable fallback, no WebAssembly fetched yet.
  assert.match(await page.locator('#f .fallback').textContent(), /68 AA AA AA/);
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('.wasm'))), false);
  await page.locator('#f').scrollIntoViewIfNeeded();
  await page.locator('#f section.frame').waitFor();
  assert.equal(await page.locator('#f .proto').textContent(), 'dlt645-2007');
  assert.deepEqual(problems, []);
  await close();
  await other.close();
  fs.rmSync(site, { recursive: true, force: true });
});

test('elements that name their protocol fetch their family modules alone, and so does an auto one after them', async () => {
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-site-'));
  fs.cpSync(path.join(DIST, 'embed', versionDir()), path.join(site, 'm'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="m/meter-frame.js"></script></head><body>
<meter-frame id="a" protocol="dlt645-2007" hex="68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16"></meter-frame>
<meter-frame id="b" protocol="dlt698.45" lang="zh" hex="68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16"></meter-frame>
<div style="height: 3000px">spacer</div>
<meter-frame id="c" hex="7ea00802232193bd647e"></meter-frame></body></html>`);
  const other = await serve(site);
  const { page, problems, close } = await openPage(browser);
  await page.goto(other.url);
  await page.locator('#a section.frame').waitFor();
  await page.locator('#b section.frame').waitFor();
  const wasm = () => page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.endsWith('.wasm')).sort());
  assert.deepEqual(await wasm(), ['/m/family/dlt645/meterscope_dlt645_bg.wasm', '/m/family/dlt698/meterscope_dlt698_bg.wasm']);
  assert.equal(await page.locator('#a .proto').textContent(), 'dlt645-2007');
  assert.equal(await page.locator('#b .proto').textContent(), 'dlt698.45');
  assert.match(await page.locator('#b .state').textContent(), /有效/);
  // The auto element, once visible: its frames found by a loaded module, then
  // their family's module (not the full decoder, which a page alone fetches).
  await page.locator('#c').scrollIntoViewIfNeeded();
  await page.locator('#c section.frame').waitFor();
  assert.equal(await page.locator('#c .proto').textContent(), 'dlms-hdlc');
  assert.deepEqual((await wasm()).slice(0, 1), ['/m/family/dlms/meterscope_dlms_bg.wasm']);
  assert.equal((await wasm()).length, 3);
  assert.deepEqual(problems, []);
  await close();
  await other.close();
  fs.rmSync(site, { recursive: true, force: true });
});
