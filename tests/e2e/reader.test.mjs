// The reader's flows: the DL/T 645 demo meter in the page, and the same flow
// over a fake Web Serial port that answers like a meter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('demo meter: find, read a selection with units, read the clock, sync, export', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').check();
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => /123456789012/.test(document.querySelector('[data-testid=meter-address]').textContent));

  await page.getByTestId('dis').fill('00010000 0201FF00 02800002 00900200');
  await page.getByTestId('flow-read').click();
  const results = page.getByTestId('results');
  await page.waitForFunction(() => /Hz/.test(document.querySelector('[data-testid=results]').textContent) && /no requested data|abnormal/i.test(document.querySelector('[data-testid=results]').textContent));
  const rows = await results.locator('tr').allTextContents();
  assert.ok(rows.some((r) => /00010000.*kWh/.test(r)), rows.join('\n'));
  assert.equal(rows.filter((r) => /0201FF00.*V$/.test(r)).length, 3, 'three phase voltages');
  assert.ok(rows.some((r) => /00900200.*abnormal/i.test(r)), 'an unknown identifier is reported, not dropped');
  assert.equal(await results.locator('tr.error').count(), 1);

  await page.getByTestId('flow-clock').click();
  await page.waitForFunction(() => /clock.*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(document.querySelector('[data-testid=results]').textContent));
  await page.getByTestId('flow-sync').click();
  await page.waitForFunction(() => /Time broadcast sent/.test(document.querySelector('[data-testid=flow-status]').textContent));

  // The trace holds requests and replies; one click sends a reply to the decoder.
  const trace = page.getByTestId('trace');
  assert.ok(await trace.locator('li.tx').count() >= 6);
  const rx = trace.locator('li.rx').first();
  await rx.locator('.to-decoder').click();
  await page.locator('[data-testid=frames] .frame-tab').first().waitFor();
  assert.match(await page.locator('[data-testid=frames] .frame-tab').first().textContent(), /dlt645-2007.*valid/);

  // CSV export of the readings.
  await page.getByTestId('tab-reader').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('results-csv').click()]);
  const csv = await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString());
  assert.match(csv, /^id,name,value,unit\n/);
  assert.match(csv, /"00010000",".*","\d+\.\d\d","kWh"/);
  assert.deepEqual(problems, []);
  await close();
});

test('the decoder page fetches no reader code until the reader is opened, then the reader follows the page', async () => {
  const { page, problems, close } = await openPage(browser);
  // A permalink decode: the first decode needs the app's module only.
  await page.goto(server.url + '#i=68+AA+AA+AA+AA+AA+AA+68+13+00+DF+16&l=en');
  await page.locator('[data-testid=tree] .row').first().waitFor();
  const fetched = () => page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname));
  const lazy = (paths) => paths.filter((p) => p.startsWith('/reader/') || p.startsWith('/sim/'));
  assert.deepEqual(lazy(await fetched()), [], 'no reader or simulator code before the reader is opened');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').waitFor();
  assert.ok((await fetched()).includes('/reader/meterscope_reader_bg.wasm'), 'the reader module is fetched when opened');
  assert.deepEqual(lazy(await fetched()).filter((p) => p.startsWith('/sim/')), [], 'the demo meters wait for a demo read');
  // Loaded once: back to the decoder and again to the reader fetches nothing more.
  const n = (await fetched()).length;
  await page.getByTestId('tab-decoder').click();
  await page.getByTestId('tab-reader').click();
  assert.equal((await fetched()).length, n);
  // The page's language reaches the reader.
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tab-reader]').textContent === '抄表');
  await page.waitForFunction(() => /演示|连接/.test(document.querySelector('#page-reader').textContent));
  assert.deepEqual(problems, []);
  await close();
});

// A fake port answering the read-address request like a meter (and echoing, as RS-485 adapters do).
function fakeMeterPort() {
  const writes = [];
  const reply = [0xFE, 0xFE, 0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, 0x93, 0x06, 0x45, 0xC3, 0xAB, 0x89, 0x67, 0x45, 0x07, 0x16];
  class FakeSerialPort extends EventTarget {
    async open(opts) {
      window.__serialOpenOptions = { ...opts };
      let ctrl;
      this.readable = new ReadableStream({ start: (c) => { ctrl = c; } });
      this.writable = new WritableStream({ write: (chunk) => {
        writes.push(...chunk);
        setTimeout(() => ctrl.enqueue(new Uint8Array(chunk)), 2);           // echo
        setTimeout(() => ctrl.enqueue(new Uint8Array(reply.slice(0, 9))), 30);
        setTimeout(() => ctrl.enqueue(new Uint8Array(reply.slice(9))), 45);
      } });
    }
    async close() { window.__serialClosed = true; }
    getInfo() { return { usbVendorId: 0x1a86, usbProductId: 0x7523 }; }
  }
  const port = new FakeSerialPort();
  const serial = Object.assign(new EventTarget(), { requestPort: async () => port, getPorts: async () => [port] });
  Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
  window.__serialWrites = writes;
}

test('serial: find the meter through a port that echoes', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeMeterPort });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-serial').check();
  await page.getByTestId('connect').click();
  await page.waitForFunction(() => window.__serialOpenOptions);
  const opts = await page.evaluate(() => window.__serialOpenOptions);
  assert.deepEqual([opts.baudRate, opts.dataBits, opts.parity, opts.stopBits], [2400, 8, 'even', 1]);
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => /123456789012/.test(document.querySelector('[data-testid=meter-address]').textContent));
  const writes = await page.evaluate(() => window.__serialWrites);
  assert.deepEqual(writes, [0xFE, 0xFE, 0xFE, 0xFE, 0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x13, 0x00, 0xDF, 0x16]);
  assert.match(await page.getByTestId('trace').textContent(), /echo/);
  // The echo the session dropped is counted in the status line (the 16-byte request).
  await waitText(page, 'flow-status', /echoes dropped: 1 \(16 bytes\)/);
  assert.deepEqual(problems, []);
  await close();
});

// Select a protocol and the demo meter in the page.
async function demoPage(protocol) {
  const opened = await openPage(browser);
  const { page } = opened;
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption(protocol);
  await page.getByTestId('source-demo').check();
  return opened;
}

const text = (page, id) => page.getByTestId(id).textContent();
const waitText = (page, id, re) => page.waitForFunction(([id, src, flags]) =>
  new RegExp(src, flags).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ''), [id, re.source, re.flags]);

test('DL/T 698.45 demo: presets, find, OADs with units, clock, day-freeze records, event monitor', async () => {
  const { page, problems, close } = await demoPage('dlt698');
  assert.equal(await page.getByTestId('preset').inputValue(), '9600 8E1');
  await page.getByTestId('preset').selectOption('2400 8E1');
  assert.equal(await page.getByTestId('baud').inputValue(), '2400');
  await page.getByTestId('flow-find').click();
  await waitText(page, 'meter-address', /123456789012/);

  await page.getByTestId('dis').fill('00100200 20000200 200F0200');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /Hz/);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /00100200.*kWh$/.test(r)), rows.join('\n'));
  assert.equal(rows.filter((r) => /20000200.*V$/.test(r)).length, 3, 'three phase voltages');

  await page.getByTestId('flow-clock').click();
  await waitText(page, 'results', /40000200.*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);

  await page.getByTestId('records-n').fill('3');
  await page.getByTestId('flow-records').click();
  await page.getByTestId('records').waitFor();
  assert.equal(await page.getByTestId('records').locator('tbody tr').count(), 3);
  assert.match(await page.getByTestId('records').locator('thead').textContent(), /kWh/);

  await page.getByTestId('flow-monitor').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=reports] li').length >= 2, null, { timeout: 10000 });
  await page.getByTestId('flow-cancel').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  const reports = await page.getByTestId('reports').locator('li').allTextContents();
  assert.ok(reports.some((r) => /33200200/.test(r)), reports.join('\n'));
  assert.ok(reports.some((r) => /30110200.*row/.test(r)), reports.join('\n'));
  assert.deepEqual(problems, []);
  await close();
});

test('DLMS demo: low-level association, registers with scaler and unit, clock, object list, load profile', async () => {
  const { page, problems, close } = await demoPage('dlms');
  assert.equal(await page.getByTestId('preset').inputValue(), '9600 8N1');
  await page.getByTestId('dlms-auth').selectOption('low');
  assert.equal(await page.getByTestId('dlms-client').inputValue(), '1');
  await page.getByTestId('dlms-password').fill('12345678');
  await page.getByTestId('dis').fill('1-0:1.8.0.255 1-0:32.7.0.255 1-0:14.7.0.255');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /Hz/);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /AARE.*accepted/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /1-0:1\.8\.0\*255:2.*\d+(\.\d+)?k?Wh$/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /1-0:32\.7\.0\*255:2.*\d+\.\d+V$/.test(r)), rows.join('\n'));

  await page.getByTestId('flow-clock').click();
  await waitText(page, 'results', /0-0:1\.0\.0\*255.*\d{4}-\d{2}-\d{2}/);

  await page.getByTestId('flow-browse').click();
  await waitText(page, 'records', /0-0:1\.0\.0\*255/);
  assert.ok(await page.getByTestId('records').locator('tbody tr').count() >= 5);

  await page.getByTestId('profile-from').fill('2024-05-17 08:00');
  await page.getByTestId('profile-to').fill('2024-05-17 10:00');
  await page.getByTestId('flow-profile').click();
  await waitText(page, 'records', /2024-05-17 09:00:00/);
  assert.equal(await page.getByTestId('records').locator('tbody tr').count(), 9, 'every 15 minutes from 08:00 to 10:00');
  assert.match(await page.getByTestId('trace').textContent(), /released/);
  // Four flows, four associations: one association row, the last one's.
  assert.equal((await page.getByTestId('results').locator('tr').allTextContents()).filter((r) => /^AARE/.test(r)).length, 1);

  // High level security (HLS-GMAC) with ciphered APDUs: the demo meter's test keys.
  await page.getByTestId('dlms-auth').selectOption('high');
  await page.getByTestId('dlms-cipher').check();
  await page.getByTestId('results').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();
  await page.getByTestId('flow-clock').click();
  await waitText(page, 'results', /0-0:1\.0\.0\*255.*\d{4}-\d{2}-\d{2}/);
  assert.match(await page.getByTestId('trace').textContent(), /f\(CtoS\) checked/);
  assert.deepEqual(problems, []);
  await close();
});

test('IEC 62056-21 demo: mode C readout with the baud switch as a reopen, programming mode, mode E hand-over', async () => {
  const { page, problems, close } = await demoPage('iec62056');
  assert.equal(await page.getByTestId('preset').inputValue(), '300 7E1');
  await page.getByTestId('iec-mode').selectOption('C');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'flow-status', /data set/);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /ident.*MSC.*mode C/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /^1\.8\.0.*\d+\.\d{3}kWh$/.test(r)), rows.join('\n'));
  const notes = await page.locator('[data-testid=trace] li.note').allTextContents();
  assert.ok(notes.some((n) => /reopen at 9600 7E1/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => /reopen at 300 7E1/.test(n)), 'back to the initial rate after the readout');

  await page.getByTestId('dis').fill('1.8.0 32.7.0');
  await page.getByTestId('flow-program').click();
  await waitText(page, 'trace', /Password accepted/);
  await page.waitForFunction(() => !document.querySelector('[data-testid=flow-cancel]') || document.querySelector('[data-testid=flow-cancel]').disabled);

  await page.getByTestId('iec-mode').selectOption('E');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /start the DLMS HDLC session at 9600 8N1/);
  assert.deepEqual(problems, []);
  await close();
});

test('DSMR demo: live telegrams replace the readings, then cancel', async () => {
  const { page, problems, close } = await demoPage('dsmr');
  assert.equal(await page.getByTestId('preset').inputValue(), '115200 8N1');
  await page.getByTestId('flow-live').click();
  await waitText(page, 'telegram', /#2 \/MSC5.*DSMR 50.*CRC ok/);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /1-0:1\.7\.0.*kW$/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /1-0:32\.7\.0.*V$/.test(r)), rows.join('\n'));
  await page.getByTestId('flow-cancel').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  assert.deepEqual(problems, []);
  await close();
});

test('M-Bus demo: the bus scanned by primary address, then both meters read with all their telegrams', async () => {
  const { page, problems, close } = await demoPage('mbus');
  assert.equal(await page.getByTestId('preset').inputValue(), '2400 8E1');
  assert.equal(await page.getByTestId('flow-find').textContent(), 'Scan bus');
  await page.getByTestId('mbus-scan').fill('0-6');
  await page.getByTestId('flow-find').click();
  await waitText(page, 'flow-status', /7\s*\/\s*7/);
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  let rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /^1Meter found.*12345678.*heat/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /^5Meter found.*12345699.*water/.test(r)), rows.join('\n'));
  await page.getByTestId('dis').fill('1 5');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /12345699.*Volume/);
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /^12345678Energy[\d.]+Wh$/.test(r)), rows.join('\n'));
  // The heat meter's second telegram (after DIF 1F): the last due day's energy at storage 1.
  assert.ok(rows.some((r) => /^12345678Energy \(storage 1\)24000000Wh$/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /^12345699Volume[\d.]+m³$/.test(r)), rows.join('\n'));
  // Secondary addressing: the wildcard search narrows the collision and finds both.
  await page.getByTestId('mbus-scan').fill('123456FF');
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled, null, { timeout: 60_000 });
  rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /^12345678Meter found/.test(r)) && rows.some((r) => /^12345699Meter found/.test(r)), rows.join('\n'));
  const trace = await page.getByTestId('trace').textContent();
  assert.match(trace, /several meters answered/);
  assert.deepEqual(problems, []);
  await close();
});

test('wireless M-Bus demo: telegrams listed per meter; the encrypted one opens with the key panel\'s key', async () => {
  const { page, problems, close } = await demoPage('wmbus');
  assert.equal(await page.getByTestId('preset').inputValue(), '9600 8N1');
  await page.getByTestId('flow-live').click();
  await waitText(page, 'telegram', /#2 /);
  let rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /^12345678.*give the meter's key/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /^87654321Flow temperature\d+°C$/.test(r)), rows.join('\n'));
  await page.getByTestId('flow-cancel').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  // The key goes in the key panel (on the decoder's page), and stays in the page.
  await page.getByTestId('tab-decoder').click();
  await page.locator('[data-testid=keys] summary').click();
  await page.getByTestId('key-cipher').fill('000102030405060708090A0B0C0D0E0F');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('results').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();
  await page.getByTestId('flow-live').click();
  await waitText(page, 'results', /12345678Volume/);
  rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /^12345678Meter.*decrypted with the key/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /^12345678Volume1\d\d\.\d{3}m³$/.test(r)), rows.join('\n'));
  assert.match(await page.getByTestId('telegram').textContent(), /security mode 5/);
  await page.getByTestId('flow-cancel').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  assert.deepEqual(problems, []);
  await close();
});

test('SML demo: values live every second with the energy direction and a chart of the power', async () => {
  const { page, problems, close } = await demoPage('sml');
  await page.getByTestId('flow-live').click();
  await waitText(page, 'telegram', /#4 .*MSC.*CRC ok/);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /^1-0:1\.8\.0\*255Active energy import.*\+A.*[\d.]+Wh$/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /^1-0:16\.7\.0\*255Active power.*-?\d+W$/.test(r)), rows.join('\n'));
  const keys = await page.getByTestId('chart-value').locator('option').allTextContents();
  const power = keys.find((k) => /16\.7\.0/.test(k));
  assert.ok(power, keys.join('\n'));
  await page.getByTestId('chart-value').selectOption({ label: power });
  await page.waitForFunction(() => (document.querySelector('[data-testid=chart] polyline')?.getAttribute('points') ?? '').split(' ').length >= 3,
    null, { timeout: 10000 });
  await page.getByTestId('flow-cancel').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  assert.deepEqual(problems, []);
  await close();
});

test('poll a selection every second with a live chart, export JSON', async () => {
  const { page, problems, close } = await demoPage('dlt645');
  await page.getByTestId('dis').fill('02030000 02800002');
  await page.getByTestId('poll-seconds').fill('1');
  await page.getByTestId('poll').click();
  await page.waitForFunction(() => (document.querySelector('[data-testid=chart] polyline')?.getAttribute('points') ?? '').split(' ').length >= 3,
    null, { timeout: 10000 });
  const keys = await page.getByTestId('chart-value').locator('option').allTextContents();
  assert.ok(keys.some((k) => /02800002/.test(k)), keys.join('\n'));
  await page.getByTestId('chart-value').selectOption({ label: keys.find((k) => /02800002/.test(k)) });
  await page.getByTestId('poll').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('results-json').click()]);
  const json = JSON.parse(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString()));
  assert.ok(json.readings.some((r) => r.id === '02800002' && r.unit === 'Hz'), JSON.stringify(json));
  assert.deepEqual(problems, []);
  await close();
});

test('trace replay: a recorded exchange answers the same flow without a meter', async () => {
  const { page, problems, close } = await demoPage('dlt645');
  await page.getByTestId('flow-find').click();
  await waitText(page, 'meter-address', /123456789012/);
  await page.getByTestId('source-replay').check();
  await page.getByTestId('replay-load').click();
  await waitText(page, 'replay-info', /^1 /);
  await page.getByTestId('results').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();
  await page.getByTestId('flow-find').click();
  await waitText(page, 'results', /address.*123456789012/);
  assert.deepEqual(problems, []);
  await close();
});

// A fake optical head on an IEC 62056-21 meter (mode C): it answers the
// sign-on at 300 Bd and sends the readout on the port reopened at 9600 Bd.
function fakeIecPort() {
  const opens = [];
  const writes = [];
  const enc = (s) => Array.from(s, (c) => c.charCodeAt(0));
  const body = enc('\x021.8.0(001234.567*kWh)\r\n32.7.0(230.1*V)\r\n!\r\n\x03');
  let bcc = 0;
  for (const b of body.slice(1)) bcc ^= b;
  const readout = [...body, bcc];
  let pending = null;
  class FakeSerialPort extends EventTarget {
    async open(opts) {
      opens.push({ ...opts });
      let ctrl;
      this.readable = new ReadableStream({ start: (c) => { ctrl = c; } });
      if (pending) { const p = pending; pending = null; setTimeout(() => ctrl.enqueue(new Uint8Array(p)), 100); }
      this.writable = new WritableStream({ write: (chunk) => {
        writes.push(Array.from(chunk));
        if (chunk[0] === 0x2f) setTimeout(() => ctrl.enqueue(new Uint8Array(enc('/MSC5MS-Fake\r\n'))), 50);
        else if (chunk[0] === 0x06) pending = readout;
      } });
    }
    async close() { window.__serialCloses = (window.__serialCloses ?? 0) + 1; }
    getInfo() { return { usbVendorId: 0x0403, usbProductId: 0x6001 }; }
  }
  const port = new FakeSerialPort();
  const serial = Object.assign(new EventTarget(), { requestPort: async () => port, getPorts: async () => [port] });
  Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
  window.__serialOpens = opens;
  window.__serialWrites = writes;
}

test('serial: the IEC mode C readout reopens the port at the negotiated baud', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeIecPort });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('iec62056');
  await page.getByTestId('source-serial').check();
  await page.getByTestId('connect').click();
  await waitText(page, 'serial-status', /Connected/);
  await page.getByTestId('flow-read').click();
  await waitText(page, 'flow-status', /data set/);
  const opens = await page.evaluate(() => window.__serialOpens);
  const line = (o) => `${o.baudRate} ${o.dataBits}${o.parity[0].toUpperCase()}${o.stopBits}`;
  assert.deepEqual(opens.map(line), ['300 7E1', '9600 7E1', '300 7E1']);
  assert.equal(await page.evaluate(() => window.__serialCloses), 2);
  const writes = await page.evaluate(() => window.__serialWrites.map((w) => String.fromCharCode(...w)));
  assert.deepEqual(writes, ['/?!\r\n', '\x06050\r\n']);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /^1\.8\.0.*001234\.567kWh$/.test(r)), rows.join('\n'));
  assert.ok(rows.some((r) => /^32\.7\.0.*230\.1V$/.test(r)), rows.join('\n'));
  assert.deepEqual(problems, []);
  await close();
});

test('honest status: progress to 10/10, failures counted, cancel says cancelled, polls kept with their times, notes by kind', async () => {
  const { page, problems, close } = await demoPage('dlt645');
  // Ten identifiers, one the meter does not know: progress to 10 of 10, the failure counted in words.
  await page.getByTestId('dis').fill('00010000 00020000 0201FF00 0202FF00 02030000 02060000 02800002 04000401 00900200 04000101');
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  assert.equal(await page.getByTestId('flow-count').textContent(), ' 10 / 10');
  assert.equal(await page.getByTestId('flow-progress').evaluate((p) => [p.value, p.max].join('/')), '10/10');
  assert.match(await page.getByTestId('flow-status').textContent(), /Done in \d+ ms · 1 failed/);
  // A long DLMS profile read, cancelled: says so, not "Done".
  await page.getByTestId('reader-protocol').selectOption('dlms');
  await page.getByTestId('profile-from').fill('2024-05-16 00:00');
  await page.getByTestId('profile-to').fill('2024-05-17 10:00');
  await page.getByTestId('flow-profile').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=flow-cancel]').disabled);
  await page.getByTestId('flow-cancel').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  assert.match(await page.getByTestId('flow-status').textContent(), /^Cancelled after \d+ ms/);
  // The poll interval is 1 s to an hour.
  await page.getByTestId('reader-protocol').selectOption('dlt645');
  await page.getByTestId('poll-seconds').fill('0');
  await page.getByTestId('poll-seconds').press('Tab');
  assert.equal(await page.getByTestId('poll-seconds').inputValue(), '1');
  // Three polls kept with their times, exported with a time column (the first poll
  // found the meter's address); stopping says how many.
  await page.getByTestId('dis').fill('02030000 02800002');
  await page.getByTestId('poll').click();
  await page.waitForFunction(() => /Polls kept: 3 ·/.test(document.querySelector('[data-testid=polls]').textContent), null, { timeout: 15000 });
  await page.getByTestId('poll').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  assert.match(await page.getByTestId('flow-status').textContent(), /Polling stopped; polls: [34]/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('polls-csv').click()]);
  const csv = Buffer.concat(await (await download.createReadStream()).toArray()).toString().trim().split('\n');
  assert.equal(csv[0], 'time,id,name,value,unit');
  const times = new Set(csv.slice(1).map((l) => l.split(',')[0]));
  assert.ok(times.size >= 3, csv.join('\n'));
  assert.ok(csv.slice(1).every((l) => /^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","(address|02030000|02800002)",/.test(l)), csv.join('\n'));
  // Notes: information in muted text, the session's notices about the line as warnings.
  const colors = await page.evaluate(() => {
    const css = getComputedStyle(document.documentElement);
    const li = document.createElement('li');
    li.className = 't note warn';
    li.innerHTML = '<span class="note">x</span>';
    document.querySelector('[data-testid=trace]').append(li);
    const warn = getComputedStyle(li.querySelector('.note')).color;
    li.className = 't note';
    const info = getComputedStyle(li.querySelector('.note')).color;
    li.remove();
    return { warn, info };
  });
  assert.notEqual(colors.warn, colors.info);
  assert.deepEqual(problems, []);
  await close();
});

test('a trace engineers can read: each frame named by the decoder with its values, search over summaries and text, a text view', async () => {
  const { page, problems, close } = await demoPage('dlt645');
  await page.getByTestId('dis').fill('00010000 02800002');
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  const sums = await page.locator('[data-testid=trace] li.rx [data-testid=trace-summary]').allTextContents();
  assert.ok(sums.some((x) => /^dlt645-2007 read data \(normal reply\) · 00010000 .* = [\d.]+ kWh$/.test(x)), sums.join('\n'));
  assert.ok(sums.some((x) => /02800002 .* = [\d.]+ Hz$/.test(x)), sums.join('\n'));
  // Search finds words of the summaries (case ignored), not only hex.
  await page.getByTestId('trace-find').fill('grid FREQUENCY');
  const found = await page.locator('[data-testid=trace] li [data-testid=trace-summary]').allTextContents();
  assert.ok(found.length === 2 && found.every((x) => /02800002/.test(x)), found.join('\n'));
  await page.getByTestId('trace-find').fill('');
  // In Chinese the same frames are named in Chinese.
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /读数据/.test(document.querySelector('[data-testid=trace]').textContent));
  await page.getByTestId('lang').click();
  // IEC 62056-21: the text view shows the telegram as written, control characters named.
  await page.getByTestId('reader-protocol').selectOption('iec62056');
  await page.getByTestId('trace').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled, null, { timeout: 30000 });
  await page.getByTestId('trace-as-text').check();
  const codes = await page.locator('[data-testid=trace] li code').allTextContents();
  assert.ok(codes.some((c) => /^\/\?!<CR><LF>$/.test(c)), codes.join('\n'));
  assert.ok(codes.some((c) => /<STX>.*\(.*\)<CR><LF>.*!<CR><LF><ETX>/.test(c)), codes.join('\n'));
  // Text search finds the readout's words.
  await page.getByTestId('trace-find').fill('MS-Sim');
  assert.ok(await page.locator('[data-testid=trace] li').count() >= 1);
  assert.deepEqual(problems, []);
  await close();
});
