// A 10 MB serial log in the decoder page: split in the log worker with a
// progress bar while the page keeps answering, listed in a virtualised frame
// list, a frame from the middle opened in full.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const VECTORS = path.resolve(here, '../../crates/meterscope-core/tests/data/public-vectors.json');
let server, browser, file, expected;
before(async () => {
  server = await serve();
  browser = await launch();
  // Public frames of the binary protocols, in a seeded order, with 0-3 junk bytes between them.
  const frames = JSON.parse(fs.readFileSync(VECTORS, 'utf8'))
    .filter((v) => /^(dlt645|dlt698\.45$|dlms-hdlc$|dlms-hdlc\+)/.test(v.protocol))
    .map((v) => (v.hex ?? v.hex_or_text ?? '').replace(/[^0-9a-fA-F]/g, ''))
    .filter((h) => h.length >= 10 && h.length % 2 === 0)
    .map((h) => Buffer.from(h, 'hex'));
  assert.ok(frames.length > 20, `${frames.length} frames`);
  let seed = 0x5eed;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const parts = [];
  let size = 0;
  expected = 0;
  while (size < 10 * 1024 * 1024) {
    const f = frames[rnd(frames.length)];
    parts.push(f); size += f.length; expected++;
    const junk = Buffer.alloc(rnd(4), 0xc3);
    parts.push(junk); size += junk.length;
  }
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'meterscope-')), 'serial-log.bin');
  fs.writeFileSync(file, Buffer.concat(parts));
});
after(async () => { await browser?.close(); await server?.close(); });

/** How long the page's thread takes to run a timer set now, ms. */
const lag = (page) => page.evaluate(() => new Promise((r) => { const t = performance.now(); setTimeout(() => r(performance.now() - t), 0); }));

test('a 10 MB log splits in the worker while the page answers, and any frame opens', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url);
  await page.getByTestId('input').waitFor();
  await page.getByTestId('file').setInputFiles(file);
  const progress = page.getByTestId('big-progress');
  await progress.waitFor({ timeout: 30_000 });

  // While the worker splits, the page answers: timers run at once and the language switches.
  const lags = [];
  let switched = false;
  while (await progress.isVisible()) {
    lags.push(await lag(page));
    if (!switched) {
      await page.getByTestId('lang').click();
      await page.waitForFunction(() => document.documentElement.lang === 'zh' || /分帧/.test(document.body.innerText), null, { timeout: 2000 });
      await page.getByTestId('lang').click();
      switched = true;
    }
    await page.waitForTimeout(100);
  }
  assert.ok(switched, 'the language switched while the log was being split');
  assert.ok(lags.length >= 3, `sampled ${lags.length} times while splitting`);
  assert.ok(Math.max(...lags) < 250, `timer lag while splitting: ${lags.map((l) => l.toFixed(0)).join(', ')} ms`);

  const summary = page.getByTestId('big-summary');
  await summary.waitFor({ timeout: 180_000 });
  const text = await summary.textContent();
  const frames = Number(/(\d+) frames/.exec(text)[1]);
  assert.ok(frames >= expected, `${frames} frames found, ${expected} written: ${text}`);
  assert.match(text, /dlt645-2007 \d+/);

  // Virtualised: a few dozen rows in the page, not hundreds of thousands.
  const rows = page.locator('[data-testid=vlist] .vrow');
  assert.ok(await rows.count() < 100, `${await rows.count()} rows rendered`);
  // Scroll to the middle and open a frame there.
  await page.getByTestId('vlist').evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
  // The rows in view follow the scroll position.
  await page.waitForFunction(() => Number(/#(\d+)/.exec(document.querySelector('[data-testid=vlist] .vrow.frame-tab')?.textContent ?? '')?.[1] ?? 0) > 1000);
  const row = page.locator('[data-testid=vlist] .vrow.frame-tab').nth(5);
  await row.waitFor();
  const label = await row.textContent();
  const [, n, start, end] = /#(\d+) \S+ \[(\d+)\.\.(\d+)\)/.exec(label).map(Number);
  assert.ok(n > 1000, `a frame from the middle: ${label}`);
  await row.click();
  await page.waitForFunction((s) => document.querySelector(`[data-testid=hexview] [data-off="${s}"]`), start);
  assert.equal(await page.locator('[data-testid=hexview] .hexbytes .b').count(), Math.min(end - start, 4096));
  assert.ok(await page.locator('[data-testid=tree] .node').count() > 3);
  const bytes = fs.readFileSync(file);
  assert.equal(await page.locator(`[data-testid=hexview] [data-off="${start}"]`).textContent(), bytes[start].toString(16).toUpperCase().padStart(2, '0'));

  // Only problems: every listed frame is not valid.
  await page.getByTestId('problems-only').check();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=vlist] .vrow').length > 0);
  const states = await page.locator('[data-testid=vlist] .vrow.frame-tab').evaluateAll((els) => els.map((e) => e.classList.contains('invalid')));
  assert.ok(states.every(Boolean), 'only frames that are not valid');

  // Closing returns to an empty page.
  await page.getByTestId('big-close').click();
  await page.locator('.empty').waitFor();
  assert.deepEqual(problems, []);
  await close();
});
