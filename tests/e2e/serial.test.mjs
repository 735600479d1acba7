// The serial path with a fake navigator.serial injected before the page loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

// A fake port that answers every write with a canned DL/T 645 reply, in two chunks.
function fakeSerial() {
  const writes = [];
  const reply = [0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, 0x93, 0x06, 0x45, 0xC3, 0xAB, 0x89, 0x67, 0x45, 0x07, 0x16];
  class FakeSerialPort extends EventTarget {
    async open(opts) {
      window.__serialOpenOptions = { ...opts };
      let ctrl;
      this.readable = new ReadableStream({ start: (c) => { ctrl = c; } });
      this.writable = new WritableStream({ write: (chunk) => {
        writes.push(...chunk);
        setTimeout(() => ctrl.enqueue(new Uint8Array(reply.slice(0, 7))), 5);
        setTimeout(() => ctrl.enqueue(new Uint8Array(reply.slice(7))), 10);
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

test('connect at the chosen line settings, send, receive, decode, disconnect', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeSerial });
  await page.goto(server.url);
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-serial').check();
  await page.getByTestId('baud').selectOption('9600');
  await page.getByTestId('parity').selectOption('E');
  await page.getByTestId('connect').click();
  await page.waitForFunction(() => window.__serialOpenOptions);
  const opts = await page.evaluate(() => window.__serialOpenOptions);
  assert.equal(opts.baudRate, 9600);
  assert.equal(opts.parity, 'even');
  assert.equal(opts.dataBits, 8);
  assert.equal(opts.stopBits, 1);

  await page.getByTestId('tx-input').fill('68 AA AA AA AA AA AA 68 13 00 DF 16');
  await page.getByTestId('send').click();
  await page.waitForFunction(() => window.__serialWrites.length === 12);
  assert.deepEqual(await page.evaluate(() => window.__serialWrites),
    [0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x13, 0x00, 0xDF, 0x16]);

  // The two reply chunks arrive 5 ms apart and form one trace entry.
  const rx = page.locator('[data-testid=trace] li.rx');
  await page.waitForFunction(() => document.querySelector('[data-testid=trace] li.rx .bytes')?.textContent.endsWith('07 16'));
  assert.equal(await rx.count(), 1);
  assert.equal(await rx.locator('.bytes').textContent(), '68 12 90 78 56 34 12 68 93 06 45 C3 AB 89 67 45 07 16');
  assert.equal(await page.locator('[data-testid=trace] li.tx').count(), 1);

  // One click from the trace to the decoder.
  await rx.locator('.to-decoder').click();
  assert.equal(await page.getByTestId('input').inputValue(), '68 12 90 78 56 34 12 68 93 06 45 C3 AB 89 67 45 07 16');
  await page.locator('[data-testid=hexview] .hexbytes .b').nth(17).waitFor();

  await page.getByTestId('tab-reader').click();
  await page.getByTestId('disconnect').click();
  await page.waitForFunction(() => window.__serialClosed === true);
  assert.deepEqual(problems, []);
  await close();
});

test('without Web Serial the reader explains why instead of showing dead buttons', async () => {
  const { page, close } = await openPage(browser, {
    init: () => { delete Navigator.prototype.serial; },
  });
  await page.goto(server.url);
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('serial-unsupported').waitFor();
  assert.equal(await page.getByTestId('connect').count(), 0);
  // The demo meter still works without Web Serial.
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => /123456789012/.test(document.querySelector('[data-testid=meter-address]').textContent));
  await close();
});
