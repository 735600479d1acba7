// The reader as a field tool: a long poll run kept with its times and
// charted with axes, the first-run hint, the Send field's line ending,
// and the language and theme remembered between visits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const idle = (page, timeout = 30_000) =>
  page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]')?.disabled, null, { timeout });
const download = async (page, testid) => {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const text = Buffer.concat(await (await d.createReadStream()).toArray());
  return { name: d.suggestedFilename(), bytes: text };
};

test('60 polls of a demo meter: 60 rows with their times exported; the chart has axes with units and times, a second value, windows, CSV and PNG', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').check();
  await page.getByTestId('dis').fill('02030000 02010100');
  await page.getByTestId('poll-seconds').fill('1');
  await page.getByTestId('poll').click();
  await page.waitForFunction(() => /Polls kept: 60 ·/.test(document.querySelector('[data-testid=polls]').textContent), null, { timeout: 120_000 });
  await page.getByTestId('poll').click();
  await idle(page);
  const csv = (await download(page, 'polls-csv')).bytes.toString();
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^time,/);
  const times = new Set(lines.slice(1).map((l) => l.split(',')[0].replaceAll('"', '')));
  assert.ok(times.size >= 60, `${times.size} poll times`);
  assert.ok([...times].every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(t)), [...times].slice(0, 3).join(' '));
  // Axes: the value's unit and three ticks; the times of the samples below.
  const keys = await page.getByTestId('chart-value').locator('option').allTextContents();
  await page.getByTestId('chart-value').selectOption({ label: keys.find((k) => /02030000/.test(k)) });
  assert.equal(await page.getByTestId('chart-unit').textContent(), 'kW');
  assert.equal(await page.locator('[data-testid=chart] text.axis-y.tick').count(), 3);
  const stamps = await page.locator('[data-testid=chart] text.axis-x').allTextContents();
  assert.equal(stamps.length, 3);
  assert.ok(stamps.every((s) => /^\d\d:\d\d:\d\d$/.test(s)), stamps.join(' '));
  // A second value on its own axis, in its unit.
  await page.getByTestId('chart-value-2').selectOption({ label: keys.find((k) => /02010100/.test(k)) });
  assert.equal(await page.getByTestId('chart-unit-2').textContent(), 'V');
  assert.equal(await page.locator('[data-testid=chart] polyline.s2').count(), 1);
  // Windows: the last minute holds at most the polls of a minute.
  const all = Number((await page.getByTestId('chart-last').textContent()).match(/\((\d+) /)[1]);
  assert.ok(all >= 60, `${all} points`);
  await page.getByTestId('chart-zoom-1m').click();
  const minute = Number((await page.getByTestId('chart-last').textContent()).match(/\((\d+) /)[1]);
  assert.ok(minute < all && minute >= 50, `${minute} of ${all} points in the last minute`);
  await page.getByTestId('chart-zoom-all').click();
  const chartCsv = (await download(page, 'chart-csv')).bytes.toString().trim().split('\n');
  assert.equal(chartCsv[0], 'time,value,number,unit');
  assert.ok(chartCsv.length > 2 * 60, `${chartCsv.length} chart rows`);
  assert.ok(chartCsv.some((l) => /,kW$/.test(l)) && chartCsv.some((l) => /,V$/.test(l)));
  // The PNG is drawn from the SVG alone (no page styles): its lines carry their own colours.
  const bare = await page.locator('[data-testid=chart] polyline').evaluateAll((ls) => ls.map((l) => [l.getAttribute('stroke'), l.getAttribute('fill')]));
  assert.ok(bare.length === 2 && bare.every(([stroke, fill]) => stroke && stroke !== 'none' && fill === 'none'), JSON.stringify(bare));
  assert.equal(await page.locator('[data-testid=chart] rect.plot').getAttribute('fill'), 'none');
  const png = await download(page, 'chart-png');
  assert.equal(png.name, 'meterscope-chart.png');
  assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual(problems, []);
  await close();
});

// A fake navigator.serial with the simulated DL/T 645 meter behind it.
function fakeSerial() {
  const ports = [];
  const serial = Object.assign(new EventTarget(), {
    requestPort: async () => {
      const { simulatedPort } = await import('/sim/port.js');
      const port = await simulatedPort('dlt645');
      ports.push(port);
      window.__port = port;
      return port;
    },
    getPorts: async () => ports,
  });
  Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
}

test('first run: a hint offers the demo meter; the Send field appends the line ending chosen', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeSerial });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  assert.equal(await page.getByTestId('source-serial').isChecked(), true);
  assert.match(await page.getByTestId('first-run').textContent(), /No meter at hand/);
  await page.getByTestId('try-demo').click();
  assert.equal(await page.getByTestId('source-demo').isChecked(), true);
  await page.getByTestId('source-serial').check();
  await page.getByTestId('connect').click();
  await page.waitForFunction(() => /Connected/.test(document.querySelector('[data-testid=serial-status]').textContent));
  assert.equal(await page.getByTestId('first-run').isHidden(), true);
  await page.getByTestId('tx-input').fill('/?!');
  await page.getByTestId('tx-ending').selectOption('crlf');
  await page.getByTestId('send').click();
  await page.waitForFunction(() => window.__port.writes.length > 0);
  assert.deepEqual(await page.evaluate(() => window.__port.writes.at(-1)), [0x2f, 0x3f, 0x21, 0x0d, 0x0a]);
  assert.deepEqual(problems, []);
  await close();
});

test('the language and theme chosen are remembered for the next visit; a permalink still says its own', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByTestId('lang').click();
  await page.getByTestId('theme').click();
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  const lang = await page.evaluate(() => document.documentElement.lang);
  const again = await context.newPage();
  await again.goto(server.url);
  await again.getByTestId('input').waitFor();
  assert.equal(await again.evaluate(() => document.documentElement.lang), lang);
  assert.equal(await again.evaluate(() => document.documentElement.dataset.theme), theme);
  const link = await context.newPage();
  await link.goto(server.url + (lang === 'zh-CN' ? '#l=en' : '#l=zh'));
  await link.getByTestId('input').waitFor();
  assert.notEqual(await link.evaluate(() => document.documentElement.lang), lang);
  await context.close();
});

test('the reader has a URL of its own: protocol and identifiers kept in it as they change, and opened again from it', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#/reader?l=en&p=dlt698&q=00100200%2020000200');
  await page.getByTestId('reader-protocol').waitFor();
  assert.equal(await page.getByTestId('reader-protocol').inputValue(), 'dlt698');
  assert.equal(await page.getByTestId('dis').inputValue(), '00100200 20000200');
  assert.equal(await page.getByTestId('preset').inputValue(), '9600 8E1');
  await page.getByTestId('reader-protocol').selectOption('dlms');
  await page.getByTestId('dis').fill('1-0:1.8.0 0-0:1.0.0');
  await page.waitForFunction(() => /^#\/reader\?l=en&p=dlms&q=1-0%3A1\.8\.0%200-0%3A1\.0\.0$/.test(location.hash));
  const url = await page.evaluate(() => location.href);
  const { page: again, problems: p2, close: c2 } = await openPage(browser);
  await again.goto(url);
  await again.getByTestId('reader-protocol').waitFor();
  assert.equal(await again.getByTestId('reader-protocol').inputValue(), 'dlms');
  assert.equal(await again.getByTestId('dis').inputValue(), '1-0:1.8.0 0-0:1.0.0');
  // A reader URL followed while the reader is open goes to its protocol and identifiers.
  await again.evaluate(() => { location.hash = '#/reader?l=en&p=dlt645&q=00010000'; });
  await again.waitForFunction(() => document.querySelector('[data-testid=reader-protocol]').value === 'dlt645');
  await again.waitForFunction(() => document.querySelector('[data-testid=dis]').value === '00010000');
    // The decoder tab puts the decoder's permalink back.
  await again.getByTestId('tab-decoder').click();
  await again.waitForFunction(() => !location.hash.startsWith('#/reader'));
  assert.deepEqual(problems, []);
  assert.deepEqual(p2, []);
  await close();
  await c2();
});

// A fake File System Access API: the file chosen keeps what each writable
// stream wrote once that stream is closed, as the real one does.
function fakeFilePicker() {
  let content = '';
  window.__file = () => content;
  window.__commits = 0;
  window.showSaveFilePicker = async (options) => ({
    name: options.suggestedName,
    createWritable: async (opts) => {
      let buf = opts?.keepExistingData ? content : '';
      let pos = 0;
      return {
        seek: async (p) => { pos = p; },
        write: async (text) => { buf = buf.slice(0, pos) + text + buf.slice(pos + text.length); pos += text.length; },
        close: async () => { content = buf; window.__commits++; },
      };
    },
  });
}

test('the trace streams to a file as it grows: requests, each piece received and notes, until stopped', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeFilePicker });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').check();
  await page.getByTestId('trace-stream').click();
  await page.waitForFunction(() => /meterscope-trace\.txt: 0 entries written/.test(document.querySelector('[data-testid=trace-stream-status]').textContent));
  assert.equal(await page.getByTestId('trace-stream').textContent(), 'Stop streaming');
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => /123456789012/.test(document.querySelector('[data-testid=meter-address]').textContent));
  await idle(page);
  // Written to the file within a second, before any stop: a closed tab keeps it.
  await page.waitForFunction(() => /RX/.test(window.__file()), null, { timeout: 5000 });
  await page.waitForTimeout(1500);
  const lines = await page.evaluate(() => window.__file());
  assert.match(lines, /^\s+\d+ ms  TX  (FE )*68 AA AA AA AA AA AA 68 13 00 DF 16$/m);
  assert.match(lines, /^\s+\d+ ms  RX  (FE )*68 /m);
  const n = lines.trim().split('\n').length;
  assert.match(await page.getByTestId('trace-stream-status').textContent(), new RegExp(`: ${n} entries written`));
  await page.getByTestId('trace-stream').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=trace-stream]').textContent === 'Stream to a file…');
  const commits = await page.evaluate(() => window.__commits);
  assert.ok(commits >= 2, `${commits} writes`);
  await page.getByTestId('flow-clock').click();
  await idle(page);
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => window.__file().trim().split('\n').length), n);
  assert.deepEqual(problems, []);
  await close();
});

test('a trace entry opens in place with its full dissection, in the page\'s language', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=zh');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').check();
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => /123456789012/.test(document.querySelector('[data-testid=meter-address]').textContent));
  await idle(page);
  const entry = page.locator('[data-testid=trace] li.rx').first();
  await entry.locator('[data-testid=trace-dissect] summary').click();
  const text = await entry.getByTestId('trace-dissection').textContent();
  assert.match(text, /dlt645-2007/);
  assert.match(text, /123456789012/);
  assert.match(text, /[\u4e00-\u9fff]/, 'Chinese labels');
  assert.deepEqual(problems, []);
  await close();
});
