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

// Two granted ports (an FTDI and a CH34x adapter) that can be unplugged and
// plugged back in. The FTDI one answers DL/T 645 like a meter: the read-address
// request, and the first read of 00010000; other reads go unanswered.
function fakePluggablePorts() {
  const writes = [], signals = [], opens = [], forgotten = [];
  const frame = (ctrl, data) => {
    const f = [0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, ctrl, data.length, ...data.map((b) => (b + 0x33) & 0xff)];
    return [...f, f.reduce((a, b) => (a + b) & 0xff, 0), 0x16];
  };
  let reads = 0;
  const answer = (req) => {
    const f = req.slice(req.indexOf(0x68));
    if (f[8] === 0x13) return frame(0x93, [0x12, 0x90, 0x78, 0x56, 0x34, 0x12]);
    const di = f.slice(10, 14).map((b) => (b - 0x33) & 0xff);
    if (f[8] === 0x11 && di.join() === '0,0,1,0' && reads++ === 0) return frame(0x91, [0, 0, 1, 0, 0x67, 0x45, 0x23, 0x01]);
    return null;
  };
  class FakeSerialPort extends EventTarget {
    constructor(vendor, product) { super(); this.ids = { usbVendorId: vendor, usbProductId: product }; }
    async open(opts) {
      opens.push({ ...opts });
      window.__serialOpenOptions = { ...opts };
      this.readable = new ReadableStream({ start: (c) => { this.ctrl = c; } });
      this.writable = new WritableStream({ write: (chunk) => {
        writes.push(...chunk);
        const reply = answer([...chunk]);
        if (reply) setTimeout(() => this.ctrl.enqueue(new Uint8Array(reply)), 10);
      } });
    }
    async close() { window.__serialClosed = true; }
    async setSignals(s) { signals.push({ ...s }); }
    async forget() { forgotten.push(this.ids); ports.splice(ports.indexOf(this), 1); }
    getInfo() { return this.ids; }
  }
  const ports = [new FakeSerialPort(0x0403, 0x6001), new FakeSerialPort(0x1a86, 0x7523)];
  const serial = Object.assign(new EventTarget(), {
    requestPort: async () => ports[0], getPorts: async () => [...ports],
  });
  // Chrome fires the event at the port and lets it bubble to navigator.serial.
  const fire = (kind, port) => {
    const ev = new Event(kind);
    Object.defineProperty(ev, 'target', { value: port });
    serial.dispatchEvent(ev);
  };
  window.__unplug = () => {
    const port = ports.shift();
    port.ctrl?.error(new DOMException('The device has been lost.', 'NetworkError'));
    port.readable = null;
    fire('disconnect', port);
  };
  // A re-plugged device is a new SerialPort object with the same USB ids.
  window.__plug = () => {
    const port = new FakeSerialPort(0x0403, 0x6001);
    ports.unshift(port);
    fire('connect', port);
  };
  Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
  Object.assign(window, { __serialWrites: writes, __signals: signals, __opens: opens, __forgotten: forgotten });
}

const waitText = (page, id, re) => page.waitForFunction(([id, src, flags]) =>
  new RegExp(src, flags).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ''), [id, re.source, re.flags]);

test('granted ports with adapter names, DTR/RTS, unplug mid-flow keeps readings, re-plug reconnects', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakePluggablePorts });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-serial').check();
  const ports = page.getByTestId('granted-ports');
  await waitText(page, 'granted-ports', /CH34x 1A86:7523/);
  assert.match(await ports.textContent(), /FTDI 0403:6001/);

  // Forget the CH34x port; the list follows.
  await ports.locator('li', { hasText: 'CH34x' }).getByTestId('port-forget').click();
  await page.waitForFunction(() => window.__forgotten.length === 1);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=granted-ports] li').length === 1);
  assert.deepEqual(await page.evaluate(() => window.__forgotten), [{ usbVendorId: 0x1a86, usbProductId: 0x7523 }]);

  // Reconnect to a granted port without the chooser, RTS off: applied on connect.
  await page.getByTestId('baud').selectOption('9600');
  await page.getByTestId('rts').uncheck();
  await ports.locator('li', { hasText: 'FTDI' }).getByTestId('port-use').click();
  await page.waitForFunction(() => window.__signals.length === 1);
  assert.equal((await page.evaluate(() => window.__serialOpenOptions)).baudRate, 9600);
  assert.deepEqual(await page.evaluate(() => window.__signals[0]), { dataTerminalReady: true, requestToSend: false });
  // And when changed.
  await page.getByTestId('rts').check();
  await page.waitForFunction(() => window.__signals.length === 2);
  assert.deepEqual(await page.evaluate(() => window.__signals[1]), { dataTerminalReady: true, requestToSend: true });
  await page.getByTestId('dtr').uncheck();
  await page.waitForFunction(() => window.__signals.length === 3);
  assert.deepEqual(await page.evaluate(() => window.__signals[2]), { dataTerminalReady: false, requestToSend: true });
  await page.getByTestId('dtr').check();
  await page.waitForFunction(() => window.__signals.length === 4);

  await page.getByTestId('flow-find').click();
  await waitText(page, 'meter-address', /123456789012/);

  // Read three identifiers: the first is answered, then the meter goes silent and the port is unplugged.
  await page.getByTestId('dis').fill('00010000 00020000 00030000');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /00010000.*12345\.67.*kWh/);
  assert.equal(await page.getByTestId('flow-cancel').isDisabled(), false, 'the flow is still running');
  await page.evaluate(() => window.__unplug());
  await waitText(page, 'flow-status', /unplugged: session lost/i);
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]').disabled);
  await page.waitForFunction(() => window.__serialClosed === true);
  assert.match(await page.getByTestId('serial-status').textContent(), /Unplugged/);
  assert.match(await page.getByTestId('results').textContent(), /00010000.*12345\.67/, 'readings taken stay');
  assert.equal(await page.getByTestId('reconnect').isVisible(), true);
  // Nothing may still be going on: no flow may be started while the port is gone.
  assert.equal(await page.getByTestId('flow-read').isDisabled(), true);

  // Re-plug: the same adapter (new object, same USB ids) is reopened at the same line settings.
  await page.evaluate(() => window.__plug());
  await waitText(page, 'flow-status', /reconnected at 9600 8E1/);
  await waitText(page, 'serial-status', /^\s*Connected\s*$/);
  const opens = await page.evaluate(() => window.__opens);
  assert.equal(opens.length, 2);
  assert.deepEqual([opens[1].baudRate, opens[1].dataBits, opens[1].parity, opens[1].stopBits], [9600, 8, 'even', 1]);
  assert.deepEqual(await page.evaluate(() => window.__signals.at(-1)), { dataTerminalReady: true, requestToSend: true });
  // The reopened port works.
  const before = await page.evaluate(() => window.__serialWrites.length);
  await page.getByTestId('flow-find').click();
  await page.waitForFunction((n) => window.__serialWrites.length > n, before);
  await waitText(page, 'flow-status', /Done in/);
  assert.deepEqual(problems, []);
  await close();
});

test('help for ports that do not show up, in English and Chinese', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakePluggablePorts });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  const dialog = page.getByTestId('port-help-dialog');
  assert.equal(await dialog.isVisible(), false);
  await page.getByTestId('port-help').click();
  await dialog.waitFor();
  const en = await dialog.textContent();
  for (const re of [/FTDI/, /CP210x/, /CH34x/, /Prolific/, /sudo usermod -aG dialout \$USER/, /log out/, /another program/, /Chrome and Edge/, /https or on localhost/]) {
    assert.match(en, re);
  }
  await page.getByTestId('port-help-close').click();
  await dialog.waitFor({ state: 'hidden' });

  await page.goto(server.url + '#l=zh');
  await page.reload();
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('port-help').click();
  await dialog.waitFor();
  const zh = await dialog.textContent();
  for (const re of [/驱动/, /CH340/, /dialout 组/, /sudo usermod -aG dialout \$USER/, /其他程序占用/, /Chrome 和 Edge/, /https 或 localhost/]) {
    assert.match(zh, re);
  }
  assert.deepEqual(problems, []);
  await close();
});
