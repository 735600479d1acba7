// Every reader flow of every protocol, twice: against the in-page demo meter,
// and through a fake navigator.serial (injected before the page loads) whose
// port is answered by the same simulated meters (www/sim/port.js over the
// meterscope-sim module), so that the real Web Serial transport code runs.
// Both runs must end the same way with the same readings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// A fake navigator.serial: requestPort gives a simulated port of window.__sim = [kind, option].
function fakeSerial() {
  const ports = [];
  const serial = Object.assign(new EventTarget(), {
    requestPort: async () => {
      const { simulatedPort } = await import('/sim/port.js');
      const port = await simulatedPort(...(window.__sim ?? ['dlt645']));
      ports.push(port);
      window.__port = port;
      return port;
    },
    getPorts: async () => ports,
  });
  Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
  window.__serial = serial;
}

// Per protocol: [flow, iec mode, listens (runs until cancelled)].
const FLOWS = {
  dlt645: [['find'], ['read'], ['clock'], ['sync']],
  dlt698: [['find'], ['read'], ['clock'], ['sync'], ['records'], ['monitor', null, 'reports']],
  dlms: [['read'], ['clock'], ['sync'], ['browse'], ['profile']],
  iec62056: [['read', 'A'], ['read', 'B'], ['read', 'C'], ['program', 'C'], ['read', 'E']],
  dsmr: [['live', null, 'telegram']],
  'qgdw1376.2': [['find'], ['read']],
  'qgdw1376.1': [['read'], ['clock'], ['sync'], ['records']],
  mbus: [['find'], ['read']],
  wmbus: [['live', null, 'telegram']],
  sml: [['live', null, 'telegram']],
};

const idle = (page) => page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]')?.disabled, null, { timeout: 30_000 });

async function runAll(proto, source) {
  const opened = await openPage(browser, { init: fakeSerial });
  const { page } = opened;
  // Setting a meter's clock asks first: the test says yes.
  page.on('dialog', (d) => d.accept());
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption(proto);
  await page.getByTestId(`source-${source}`).check();
  if (source === 'serial') {
    await page.evaluate((p) => { window.__sim = [p, p === 'iec62056' ? 'A' : undefined]; }, proto);
    await page.getByTestId('connect').click();
    await page.waitForFunction(() => /Connected/.test(document.querySelector('[data-testid=serial-status]').textContent));
  }
  // The demo bus has its meters at primary addresses 1 and 5: scan a few, not all 251.
  if (proto === 'mbus') await page.getByTestId('mbus-scan').fill('0-6');
  const outcomes = [];
  for (const [flow, mode, listens] of FLOWS[proto]) {
    if (mode) await page.getByTestId('iec-mode').selectOption(mode);
    // One meter answers in one mode: the serial run plugs in a meter of the mode read (E: C offering E).
    if (mode && source === 'serial' && await page.evaluate((m) => window.__sim[1] !== m, mode)) {
      await page.getByTestId('disconnect').click();
      await page.evaluate((m) => { window.__sim = ['iec62056', m]; }, mode);
      await page.getByTestId('connect').click();
      await page.waitForFunction(() => /Connected/.test(document.querySelector('[data-testid=serial-status]').textContent));
    }
    await page.getByTestId('results').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();
    await page.getByTestId(`flow-${flow}`).click();
    if (listens) {
      // A listener: wait for two pushes from the meter, then cancel. Through the
      // serial port the test makes the simulated meter raise the active reports.
      const id = listens;
      if (source === 'serial' && id === 'reports') {
        await page.evaluate(() => { window.__reports = setInterval(() => window.__port.report(window.__n = !window.__n), 1500); });
      }
      await page.waitForFunction((id) => {
        const el = document.querySelector(`[data-testid=${id}]`);
        return id === 'reports' ? el.querySelectorAll('li').length >= 2 : /#2 /.test(el.textContent);
      }, id, { timeout: 30_000 });
      await page.getByTestId('flow-cancel').click();
      await page.evaluate(() => clearInterval(window.__reports));
    }
    await idle(page);
    const keys = await page.locator('[data-testid=results] tr td:first-child').allTextContents();
    const records = await page.locator('[data-testid=records] tbody tr').count();
    // Timings differ between runs; so does the echo count of the mode E hand-over (the in-page
    // demo meter's reply on the line it switches to reaches the session, a port still at the
    // old rate hears nothing).
    const status = (await page.getByTestId('flow-status').textContent())
      .replace(/ · echoes dropped: \d+ \(\d+ bytes\)/, '').replace(/\d+(\.\d+)?/g, '#').trim();
    outcomes.push({ flow: `${flow}${mode ? ' ' + mode : ''}`, keys: [...new Set(keys)].sort(), records, status });
  }
  return { outcomes, ...opened };
}

for (const proto of Object.keys(FLOWS)) {
  test(`${proto}: every flow against the demo meter and through Web Serial to the simulated meter`, async () => {
    const demo = await runAll(proto, 'demo');
    const serial = await runAll(proto, 'serial');
    for (const [i, d] of demo.outcomes.entries()) {
      const s = serial.outcomes[i];
      assert.ok(d.keys.length > 0 || d.records > 0 || /sent/.test(d.status), `${proto} ${d.flow}: the demo run did something: ${JSON.stringify(d)}`);
      assert.deepEqual(s, d, `${proto} ${d.flow}: serial and demo runs agree`);
    }
    const port = await serial.page.evaluate(() => ({ opens: window.__port.opens.length, writes: window.__port.writes.length }));
    const listensOnly = ['dsmr', 'wmbus', 'sml'].includes(proto);
    assert.ok(port.opens > 0 && (listensOnly || port.writes > 0), `the serial run used the port: ${JSON.stringify(port)}`);
    assert.deepEqual(demo.problems, []);
    assert.deepEqual(serial.problems, []);
    await demo.close();
    await serial.close();
  });
}

const waitText = (page, id, re, timeout = 30_000) => page.waitForFunction(([id, src, flags]) =>
  new RegExp(src, flags).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ''), [id, re.source, re.flags], { timeout });
// The readings of a run; the clock's drift from this computer's clock is left
// out (a replay reads the recorded clock later, so its drift is larger).
const readingRows = async (page) => (await page.locator('[data-testid=results] tr').allTextContents())
  .filter((r) => !/Clock drift/.test(r));
const clearResults = (page) => page.getByTestId('results').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();

test('a trace exported as JSON from one run replays into the same results', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeSerial });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('dlt698');
  await page.getByTestId('source-demo').check();
  for (const flow of ['find', 'read', 'clock']) {
    await page.getByTestId(`flow-${flow}`).click();
    await idle(page);
  }
  const first = await readingRows(page);
  assert.ok(first.length > 5, first.join('\n'));
  // Trace filters: by direction, and by hex (separators and case ignored).
  const all = await page.locator('[data-testid=trace] li').count();
  await page.getByTestId('trace-dir').selectOption('tx');
  const tx = await page.locator('[data-testid=trace] li').evaluateAll((els) => els.map((e) => e.className));
  assert.ok(tx.length > 0 && tx.length < all && tx.every((c) => /\btx\b/.test(c)), tx.join(' '));
  await page.getByTestId('trace-find').fill('40 00 02 00');
  const found = await page.locator('[data-testid=trace] li code').allTextContents();
  assert.ok(found.length > 0 && found.length < tx.length && found.every((h) => /40 00 02 00/.test(h)), found.join('\n'));
  await page.getByTestId('trace-dir').selectOption('all');
  await page.getByTestId('trace-find').fill('');
  assert.equal(await page.locator('[data-testid=trace] li').count(), all);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('trace-json').click()]);
  const saved = await json.path();
  const doc = JSON.parse(fs.readFileSync(saved, 'utf8'));
  assert.equal(doc.format, 'meterscope-trace');
  assert.ok(doc.entries.some((e) => e.dir === 'tx') && doc.entries.some((e) => e.dir === 'rx'));
  const [txt] = await Promise.all([page.waitForEvent('download'), page.getByTestId('trace-text').click()]);
  assert.match(fs.readFileSync(await txt.path(), 'utf8'), /^\s+\d+ ms {2}TX {2}(FE )*68 /m);

  // A fresh page, no meter: the saved trace answers the same flows.
  const other = await openPage(browser);
  await other.page.goto(server.url + '#l=en');
  await other.page.getByTestId('tab-reader').click();
  await other.page.getByTestId('reader-protocol').selectOption('dlt698');
  await other.page.getByTestId('source-replay').check();
  await other.page.getByTestId('replay-file').setInputFiles(saved);
  await waitText(other.page, 'replay-info', /^3 .*meterscope-trace|^\d+ /);
  for (const flow of ['find', 'read', 'clock']) {
    await other.page.getByTestId(`flow-${flow}`).click();
    await idle(other.page);
  }
  assert.deepEqual(await readingRows(other.page), first);
  // A file that is not a trace is refused with the reason.
  const bad = path.join(os.tmpdir(), 'not-a-trace.json');
  fs.writeFileSync(bad, '{"entries": []}');
  await other.page.getByTestId('replay-file').setInputFiles(bad);
  await waitText(other.page, 'replay-info', /not a meterscope trace/);
  assert.deepEqual(problems, []);
  assert.deepEqual(other.problems, []);
  await other.close();
  await close();
});

test('unplugged in the middle of a DLMS load-profile read: the parts read stay, the failure is shown', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeSerial });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('dlms');
  await page.getByTestId('source-serial').check();
  await page.evaluate(() => { window.__sim = ['dlms']; });
  await page.getByTestId('connect').click();
  await waitText(page, 'serial-status', /Connected/);
  await page.getByTestId('profile-from').fill('2024-05-17 00:00');
  await page.getByTestId('profile-to').fill('2024-05-18 00:00');
  await page.getByTestId('flow-profile').click();
  // The first 6-hour part (24 rows of 15 minutes) arrives, then the adapter is pulled.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=records] tbody tr').length > 0, null, { timeout: 30_000 });
  await page.evaluate(() => window.__port.unplug(window.__serial));
  await idle(page);
  const rows = await page.locator('[data-testid=records] tbody tr').count();
  assert.ok(rows > 0 && rows < 96, `${rows} rows kept of the 96 asked for`);
  await waitText(page, 'flow-status', /unplugged/i);
  assert.deepEqual(problems.filter((p) => !/device has been lost/i.test(p)), []);
  await close();
});
