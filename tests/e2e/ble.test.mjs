// The Bluetooth transport against a fake navigator.bluetooth (injected before
// the page loads): a BLE UART probe (Nordic UART service) whose optical side
// is a simulated meter (www/sim/port.js), writes accepted 20 bytes at most,
// replies notified in pieces of at most 20 bytes, as a probe with the default
// MTU sends them. The real Web Bluetooth code of the reader runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

function fakeBluetooth() {
  const NUS = '6e400001-b5a3-f393-e0a9-e50e24dcca9e';
  const RX = '6e400002-b5a3-f393-e0a9-e50e24dcca9e';
  const TX = '6e400003-b5a3-f393-e0a9-e50e24dcca9e';
  const log = { writes: [], notes: [], options: null, disconnects: 0 };
  window.__ble = log;
  const bluetooth = {
    requestDevice: async (options) => {
      log.options = options;
      const [kind, option, line] = window.__sim ?? ['dlt645', undefined, { baudRate: 2400, parity: 'even' }];
      const { simulatedPort } = await import('/sim/port.js');
      const port = await simulatedPort(kind, option);
      // The probe's optical side, set to the meter's line in the probe.
      await port.open({ dataBits: 8, stopBits: 1, ...line });
      const writer = port.writable.getWriter();
      const reader = port.readable.getReader();
      const tx = new EventTarget();
      Object.assign(tx, { uuid: TX, properties: { notify: true }, value: null });
      tx.startNotifications = async () => {
        (async () => {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            for (let i = 0; i < value.length; i += 20) {
              const piece = value.slice(i, i + 20);
              log.notes.push(piece.length);
              tx.value = new DataView(piece.buffer, piece.byteOffset, piece.byteLength);
              tx.dispatchEvent(new Event('characteristicvaluechanged'));
              await new Promise((r) => setTimeout(r, 3));
            }
          }
        })();
        return tx;
      };
      const rx = {
        uuid: RX,
        properties: { write: true, writeWithoutResponse: true },
        writeValue: async (data) => {
          const bytes = new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength);
          if (bytes.length > 20) throw new DOMException('Value is longer than the MTU allows', 'InvalidModificationError');
          log.writes.push(bytes.length);
          await writer.write(bytes.slice());
        },
      };
      const service = {
        uuid: NUS,
        getCharacteristic: async (u) => {
          if (u === RX) return rx;
          if (u === TX) return tx;
          throw new DOMException('No characteristic', 'NotFoundError');
        },
      };
      const device = new EventTarget();
      const server = {
        connected: true,
        getPrimaryService: async (u) => {
          if (u !== NUS) throw new DOMException('No service', 'NotFoundError');
          return service;
        },
      };
      device.name = 'Optical probe BLE';
      device.gatt = {
        connect: async () => server,
        disconnect: () => { log.disconnects++; device.dispatchEvent(new Event('gattserverdisconnected')); },
      };
      window.__probe = device;
      return device;
    },
  };
  Object.defineProperty(Navigator.prototype, 'bluetooth', { get: () => bluetooth, configurable: true });
}

test('a BLE UART probe: find and read a DL/T 645 meter with writes and notifications of 20 bytes', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeBluetooth });
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-ble').check();
  // No flow before a probe is connected.
  assert.equal(await page.getByTestId('flow-find').isDisabled(), true);
  await page.getByTestId('ble-connect').click();
  await page.waitForFunction(() => /Optical probe BLE · Nordic UART/.test(document.querySelector('[data-testid=ble-status]').textContent));
  const filters = await page.evaluate(() => window.__ble.options.filters.map((f) => f.services[0]));
  assert.ok(filters.includes('6e400001-b5a3-f393-e0a9-e50e24dcca9e'), JSON.stringify(filters));
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => /123456789012/.test(document.querySelector('[data-testid=meter-address]').textContent), null, { timeout: 20_000 });
  await page.getByTestId('dis').fill('00010000 0201FF00 02800002');
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => /Hz/.test(document.querySelector('[data-testid=results]').textContent), null, { timeout: 20_000 });
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.ok(rows.some((r) => /00010000.*kWh$/.test(r)), rows.join('\n'));
  assert.equal(rows.filter((r) => /0201FF00.*V$/.test(r)).length, 3, rows.join('\n'));
  const log = await page.evaluate(() => window.__ble);
  assert.ok(log.writes.length > 0 && log.writes.every((n) => n <= 20), JSON.stringify(log.writes));
  // Requests longer than 20 bytes went out in pieces; replies came in pieces of at most 20.
  assert.ok(log.writes.some((n) => n === 20), JSON.stringify(log.writes));
  assert.ok(log.notes.length > 3 && log.notes.every((n) => n <= 20) && log.notes.some((n) => n === 20), JSON.stringify(log.notes));
  // The probe goes away: the page says so and the flows wait for a probe again.
  await page.evaluate(() => window.__probe.gatt.disconnect());
  await page.waitForFunction(() => /disconnected/.test(document.querySelector('[data-testid=flow-status]').textContent));
  assert.equal(await page.getByTestId('flow-read').isDisabled(), true);
  assert.deepEqual(problems, []);
  await close();
});

test('a BLE probe cannot follow an IEC 62056-21 baud switch: the read says why, in both languages', async () => {
  const { page, problems, close } = await openPage(browser, { init: fakeBluetooth });
  await page.goto(server.url + '#l=zh');
  await page.evaluate(() => { window.__sim = ['iec62056', 'C', { baudRate: 300, dataBits: 7, parity: 'even' }]; });
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('iec62056');
  await page.getByTestId('source-ble').check();
  await page.getByTestId('ble-connect').click();
  await page.waitForFunction(() => /Nordic UART/.test(document.querySelector('[data-testid=ble-status]').textContent));
  await page.getByTestId('iec-mode').selectOption('C');
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => /蓝牙光电头使用其自身的线路参数/.test(document.querySelector('[data-testid=trace]').textContent), null, { timeout: 20_000 });
  await page.getByTestId('flow-cancel').click();
  assert.deepEqual(problems, []);
  await close();
});
