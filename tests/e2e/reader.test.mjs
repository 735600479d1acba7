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
  assert.deepEqual(problems, []);
  await close();
});
