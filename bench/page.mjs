// Page-level figures in headless Chromium, on the release build in dist/:
// time from navigation to the first decode painted (a frame in the
// permalink), a documentation page's <meter-frame> shown with the full decoder
// and with its family module, and a 10 MB serial log in the page's worker: the time to its
// split on screen and to every frame's verdict, with the page's timer lag and
// JavaScript heap peak (CDP Performance metrics).
// Usage: node bench/page.mjs   (after trunk build --release)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { serve, launch, openPage } from '../tests/e2e/harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The log: public frames of the binary protocols with 0-3 junk bytes between them (seeded).
const frames = JSON.parse(fs.readFileSync(path.join(root, 'crates/meterscope-core/tests/data/public-vectors.json'), 'utf8'))
  .filter((v) => /^(dlt645|dlt698\.45$|dlms-hdlc$|dlms-hdlc\+)/.test(v.protocol))
  .map((v) => (v.hex ?? v.hex_or_text ?? '').replace(/[^0-9a-fA-F]/g, ''))
  .filter((h) => h.length >= 10 && h.length % 2 === 0)
  .map((h) => Buffer.from(h, 'hex'));
let seed = 7;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const parts = [];
let size = 0;
while (size < 10 * 1024 * 1024) {
  const f = frames[rnd(frames.length)];
  const junk = Buffer.alloc(rnd(4), 0xc3);
  parts.push(f, junk);
  size += f.length + junk.length;
}
const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-bench-')), 'serial-log.bin');
fs.writeFileSync(log, Buffer.concat(parts));

const server = await serve();
const browser = await launch();
const hex = '68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16';

// First decode: a fresh context per run (cold caches). The figure is the browser's own: from
// the navigation's start (performance.timeOrigin) to the paint of the tree's root label
// (element timing, `elementtiming="tree"`), median of 5; where the time goes from the page's
// performance marks (src/perf.rs) and the module's resource timing. Then a second visit in the
// same context (HTTP and service-worker caches warm), once the service worker is active.
// Beside them, the time the test waited from asking for the page to learning of the paint,
// which adds the test's own and a new renderer's overhead before navigation starts.
const watchPaint = () => {
  window.meterscopeTreePaint = new Promise((resolve) => new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.identifier === 'tree') resolve(e.renderTime || e.loadTime);
  }).observe({ type: 'element', buffered: true }));
};
const painted = (page) => page.evaluate(() => Promise.race([window.meterscopeTreePaint, new Promise((r) => setTimeout(() => r(NaN), 5000))]));
const phases = async (page) => page.evaluate(() => {
  const at = (n) => performance.getEntriesByName(`meterscope:${n}`)[0]?.startTime ?? NaN;
  const resources = performance.getEntriesByType('resource');
  const wasm = resources.find((r) => /meterscope-app-.*_bg\.wasm$/.test(r.name));
  const decoderWasm = resources.find((r) => /meterscope_wasm_bg\.wasm$/.test(r.name));
  return {
    origin: performance.timeOrigin, fetched: wasm?.responseEnd ?? NaN, main: at('main'), mounted: at('mounted'),
    decoderFetched: decoderWasm?.responseEnd ?? NaN, decoder: at('decoder'), decoded: at('decoded'), rendered: at('rendered'),
  };
});
const cold = [];
const warm = [];
const waited = [];
const warmWaited = [];
const marks = [];
const warmMarks = [];
for (let i = 0; i < 5; i++) {
  const { page, close } = await openPage(browser, { init: watchPaint });
  const url = `${server.url}#i=${encodeURIComponent(hex)}&l=en`;
  // Nothing of the test runs in the page before the paint (a locator would inject the test's
  // own script, which takes its share of the page's thread).
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  cold.push(Math.round(await painted(page)));
  waited.push(Date.now() - t0);
  await page.locator('[data-testid=tree] .node').first().waitFor();
  await page.waitForFunction(() => performance.getEntriesByName('meterscope:rendered').length > 0);
  const p = await phases(page);
  // From the call to navigate to the navigation's start (new renderer, request sent).
  p.before = p.origin - t0;
  marks.push(p);
  // The service worker is registered once the first screen is painted; the second visit is served by it.
  await page.evaluate(() => navigator.serviceWorker?.ready);
  const again = await page.context().newPage();
  await again.addInitScript(watchPaint);
  const t1 = Date.now();
  await again.goto(url, { waitUntil: 'commit' });
  warm.push(Math.round(await painted(again)));
  warmWaited.push(Date.now() - t1);
  await again.locator('[data-testid=tree] .node').first().waitFor();
  await again.waitForFunction(() => performance.getEntriesByName('meterscope:rendered').length > 0);
  warmMarks.push(await phases(again));
  await close();
}
const m = (xs, k) => median(xs.map((x) => x[k])).toFixed(0);
const where = (xs) => `app module fetched ${m(xs, 'fetched')}, compiled and running ${m(xs, 'main')}, app mounted ${m(xs, 'mounted')}, `
  + `decoder module fetched ${m(xs, 'decoderFetched')}, ready ${m(xs, 'decoder')}, `
  + `first frame dissected ${m(xs, 'decoded')}, in the document ${m(xs, 'rendered')}`;
console.log(`page    first decode, navigation start to the tree painted: median ${median(cold)} ms (runs: ${cold.join(', ')} ms); `
  + `second visit (cached): median ${median(warm)} ms (runs: ${warm.join(', ')} ms)`);
console.log(`page    the test's wait, from asking for the page to learning of the paint: median ${median(waited)} ms cold, ${median(warmWaited)} ms cached; `
  + `navigation started ${m(marks, 'before')} ms after the test asked`);
console.log(`page    where the first load goes (median ms from navigation start): ${where(marks)}, painted ${median(cold)}`);
console.log(`page    where the second visit goes (median ms): ${where(warmMarks)}, painted ${median(warm)}`);

// The embed: a documentation page with one <meter-frame> (a DL/T 698.45 frame), cold, five
// loads each alternated: detected (the full decoder) against the protocol named (its family
// module). The figure is from the navigation's start to the frame's tree in the element's
// shadow root, seen by a MutationObserver the page itself sets up.
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-embed-'));
const versionDir = fs.readdirSync(path.join(root, 'dist/embed')).find((d) => /^v\d/.test(d));
fs.cpSync(path.join(root, 'dist/embed', versionDir), path.join(site, 'm'), { recursive: true });
const doc = (attrs) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">
  import './m/meter-frame.js';
  const el = document.querySelector('meter-frame');
  window.shown = new Promise((resolve) => new MutationObserver(() => {
    if (el.shadowRoot.querySelector('section.frame')) resolve(performance.now());
  }).observe(el.shadowRoot, { childList: true, subtree: true }));
</script></head><body><meter-frame ${attrs} hex="${hex}"></meter-frame></body></html>`;
fs.writeFileSync(path.join(site, 'detected.html'), doc(''));
fs.writeFileSync(path.join(site, 'named.html'), doc('protocol="dlt698.45"'));
fs.writeFileSync(path.join(site, 'index.html'), doc(''));
const embedServer = await serve(site);
const shown = { 'detected.html': [], 'named.html': [] };
const fetched = {};
for (let i = 0; i < 5; i++) {
  for (const name of Object.keys(shown)) {
    const { page, close } = await openPage(browser);
    await page.goto(embedServer.url + name);
    shown[name].push(Math.round(await page.evaluate(() => Promise.race([window.shown, new Promise((r) => setTimeout(() => r(NaN), 5000))]))));
    fetched[name] = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.endsWith('.wasm')));
    await close();
  }
}
// Gzipped as scripts/size-report.sh measures them.
const gz = (files) => files.reduce((sum, f) => sum + spawnSync('gzip', ['-9', '-c', path.join(site, f)]).stdout.length, 0);
console.log(`embed   a <meter-frame> shown, cold (median of 5): protocol detected ${median(shown['detected.html'])} ms `
  + `(runs: ${shown['detected.html'].join(', ')}; ${fetched['detected.html'].join(', ')}, ${gz(fetched['detected.html'])} B gz), `
  + `protocol named ${median(shown['named.html'])} ms (runs: ${shown['named.html'].join(', ')}; ${fetched['named.html'].join(', ')}, `
  + `${gz(fetched['named.html'])} B gz)`);
await embedServer.close();
fs.rmSync(site, { recursive: true, force: true });

// The 10 MB log in the worker.
const { page, close } = await openPage(browser);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
await page.goto(`${server.url}#l=en`);
await page.getByTestId('input').waitFor();
let heap = 0;
const sample = async () => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  heap = Math.max(heap, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
};
// The page's thread is watched from inside: a timer every 10 ms, how late each one ran.
await page.evaluate(() => {
  window.lateness = [];
  let last = performance.now();
  window.watcher = setInterval(() => { const t = performance.now(); window.lateness.push(Math.max(0, t - last - 10)); last = t; }, 10);
});
const t0 = Date.now();
await page.getByTestId('file').setInputFiles(log);
// Two passes in the worker: the split (framing only; the list shows when it is in), then every
// frame dissected in full, its tree built and dropped, its verdict counted.
let split = null;
const summary = page.getByTestId('big-summary');
const checked = page.locator('[data-testid=big-summary][data-state=checked]');
while (!(await checked.isVisible())) {
  if (split === null && (await summary.isVisible())) split = Date.now() - t0;
  await sample();
  await page.waitForTimeout(20);
}
const full = Date.now() - t0;
split ??= full;
const lags = await page.evaluate(() => { clearInterval(window.watcher); return window.lateness; });
await sample();
const text = await summary.textContent();
const n = /(\d+) frames/.exec(text)?.[1];
const invalid = /\((\d+) not valid/.exec(text)?.[1];
const mbs = (ms) => (size / 1e6 / (ms / 1000)).toFixed(2);
console.log(`page    10 MB log (${size} bytes, ${n} frames) in the worker: split in ${split} ms (${mbs(split)} MB/s), `
  + `every frame dissected and its verdict counted (${invalid} not valid) by ${full} ms (${mbs(full)} MB/s); `
  + `page timer lag meanwhile (10 ms ticks): max ${Math.max(...lags).toFixed(0)} ms, `
  + `ticks over 50 ms late ${lags.filter((l) => l > 50).length} of ${lags.length}; page JS heap peak ${(heap / 1e6).toFixed(1)} MB`);
await close();
await browser.close();
await server.close();
