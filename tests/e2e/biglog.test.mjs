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

/** Start watching the page's thread: a timer every 10 ms, how late each one runs recorded. */
const watch = (page) => page.evaluate(() => {
  window.lateness = [];
  let last = performance.now();
  window.watcher = setInterval(() => { const t = performance.now(); window.lateness.push(Math.max(0, t - last - 10)); last = t; }, 10);
});
/** Stop watching: how late each tick ran, ms. */
const watched = (page) => page.evaluate(() => { clearInterval(window.watcher); return window.lateness; });

test('a 10 MB log splits in the worker while the page answers, every frame is checked, and any frame opens', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url);
  await page.getByTestId('input').waitFor();
  await watch(page);
  await page.getByTestId('file').setInputFiles(file);
  const progress = page.getByTestId('big-progress');
  const summary = page.getByTestId('big-summary');
  const checked = page.locator('[data-testid=big-summary][data-state=checked]');
  await progress.or(summary).first().waitFor({ timeout: 30_000 });

  // While the worker splits the log and then dissects every frame, the page answers: timers
  // run on time and the language switches.
  const working = await progress.or(page.locator('[data-testid=big-summary][data-state=checking]')).first().isVisible();
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh' || /分帧/.test(document.body.innerText), null, { timeout: 2000 });
  await page.getByTestId('lang').click();
  await checked.waitFor({ timeout: 180_000 });
  const lags = await watched(page);
  assert.ok(working, 'the language switched while the log was being worked on');
  assert.ok(lags.length >= 10, `${lags.length} timer ticks while working`);
  // The page never freezes: its longest pause (the split taken in, the first time) stays short.
  assert.ok(Math.max(...lags) < 1000, `timer lag while working: max ${Math.max(...lags).toFixed(0)} ms`);

  const text = await summary.textContent();
  const frames = Number(/(\d+) frames/.exec(text)[1]);
  assert.ok(frames >= expected, `${frames} frames found, ${expected} written: ${text}`);
  assert.match(text, /dlt645-2007 \d+/);
  // Junk bytes (C3) glued to frames make some not valid; most are.
  const invalid = Number(/\((\d+) not valid; every frame dissected in [\d.]+ s\)/.exec(text)?.[1]);
  assert.ok(invalid >= 0 && invalid < frames, `verdicts counted: ${text}`);
  assert.equal(await page.locator('[data-testid=vlist] .vrow.unchecked').count(), 0, 'every row shows its verdict');

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
  // Skipped bytes are listed with their reason, in the page's language.
  const junkRow = page.locator('[data-testid=vlist] .vrow.junk').first();
  await junkRow.waitFor();
  assert.match(await junkRow.textContent(), /^unrecognised \[\d+\.\.\d+\) C3/);
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /^无法识别 /.test(document.querySelector('[data-testid=vlist] .vrow.junk')?.textContent ?? ''));
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /^unrecognised /.test(document.querySelector('[data-testid=vlist] .vrow.junk')?.textContent ?? ''));

  // Stopping the check keeps the split: frames listed, their verdicts unknown.
  await page.getByTestId('big-close').click();
  await page.locator('.empty').waitFor();
  // Stop is pressed the moment it shows (the check of 10 MB can be over before a click from
  // outside the page lands).
  await page.evaluate(() => {
    const seen = new MutationObserver(() => {
      const stop = document.querySelector('[data-testid=big-check-stop]');
      if (stop) { seen.disconnect(); stop.click(); }
    });
    seen.observe(document.body, { subtree: true, childList: true });
  });
  await page.getByTestId('file').setInputFiles(file);
  await page.locator('[data-testid=big-summary][data-state=stopped]').waitFor({ timeout: 60_000 });
  assert.match(await summary.textContent(), /dissection stopped; frames checked: \d+/);
  assert.ok(await page.locator('[data-testid=vlist] .vrow.unchecked').count() > 0, 'rows without a verdict');

  // Closing returns to an empty page.
  await page.getByTestId('big-close').click();
  await page.locator('.empty').waitFor();
  assert.deepEqual(problems, []);
  await close();
});
