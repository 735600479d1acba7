// The reader against meters it did not make itself: a fake navigator.serial
// whose bytes cross a real TCP socket to a meter simulator process
// (`meterscope simulate --tcp`), and a trace recorded by the command line
// replayed in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let server, browser;
const kids = [];
before(async () => { server = await serve(); browser = await launch(); });
after(async () => {
  for (const k of kids) k.kill();
  await browser?.close(); await server?.close();
});

/** The command line, built when the test command has not built it yet. */
function cli() {
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  const bin = path.join(target, 'debug', 'meterscope');
  if (!fs.existsSync(bin)) execFileSync('cargo', ['build', '-q', '-p', 'meterscope-cli'], { cwd: ROOT, stdio: 'inherit' });
  return bin;
}

/** `meterscope simulate --tcp 0 …`; resolves to the port it listens on. */
async function simulate(args) {
  const kid = spawn(cli(), ['simulate', '--tcp', '0', '--seconds', '120', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  kids.push(kid);
  const lines = readline.createInterface({ input: kid.stderr });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    kid.once('exit', (code) => reject(new Error(`simulate exited (${code})`)));
  });
  const m = /on tcp 127\.0\.0\.1:(\d+)/.exec(first);
  assert.ok(m, first);
  return Number(m[1]);
}

// In the page: a serial port whose writes go to window.__toMeter and whose
// readable stream is fed by window.__fromMeter.
function bridgedSerial() {
  class BridgedPort extends EventTarget {
    async open(opts) {
      window.__serialOpenOptions = { ...opts };
      this.readable = new ReadableStream({ start: (c) => { window.__fromMeter = (bytes) => c.enqueue(new Uint8Array(bytes)); } });
      this.writable = new WritableStream({ write: (chunk) => window.__toMeter(Array.from(chunk)) });
    }
    async close() {}
    getInfo() { return { usbVendorId: 0x1a86, usbProductId: 0x7523 }; }
  }
  const port = new BridgedPort();
  const serial = Object.assign(new EventTarget(), { requestPort: async () => port, getPorts: async () => [port] });
  Object.defineProperty(Navigator.prototype, 'serial', { get: () => serial, configurable: true });
}

/** A page whose serial port is a TCP connection to `port`; `sent` collects what the page wrote. */
async function bridgedPage(port) {
  const opened = await openPage(browser, { init: bridgedSerial });
  const { page } = opened;
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r, j) => { socket.once('connect', r); socket.once('error', j); });
  const sent = [];
  await page.exposeFunction('__toMeter', (bytes) => { sent.push(...bytes); socket.write(Buffer.from(bytes)); });
  socket.on('data', (d) => { page.evaluate((b) => window.__fromMeter?.(b), [...d]).catch(() => {}); });
  return { ...opened, sent, close: async () => { socket.destroy(); await opened.close(); } };
}

const waitText = (page, id, re) => page.waitForFunction(([id, src, flags]) =>
  new RegExp(src, flags).test(document.querySelector(`[data-testid=${id}]`)?.textContent ?? ''), [id, re.source, re.flags], { timeout: 20000 });

/** The DL/T 698.45 frames in `bytes` (wake-up bytes skipped): [control, CA, first APDU byte]. */
function frames698(bytes) {
  const out = [];
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0x68) { i++; continue; }
    const len = bytes[i + 1] | ((bytes[i + 2] & 0x3f) << 8);
    const sa = (bytes[i + 4] & 0x0f) + 1;
    const ca = bytes[i + 5 + sa];
    out.push([bytes[i + 3], ca, bytes[i + 8 + sa]]);
    i += len + 2;
  }
  return out;
}

test('reader: a DL/T 698.45 meter that requires an application connection, client address 20H', async () => {
  const port = await simulate(['--protocol', 'dlt698', '--require-connect']);
  const { page, problems, sent, close } = await bridgedPage(port);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('dlt698');
  await page.getByTestId('source-serial').check();
  await page.getByTestId('connect').click();
  await page.waitForFunction(() => window.__serialOpenOptions);
  // Written as the CLI takes it too: 0x20, 20H or 32.
  await page.getByTestId('client-address').fill('20H');
  assert.equal(await page.getByTestId('connect-mode').inputValue(), 'auto');
  await page.getByTestId('dis').fill('00100200 20000200');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /V$/m);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.equal(rows.filter((r) => /20000200.*V$/.test(r)).length, 3, rows.join('\n'));
  assert.ok(rows.some((r) => /00100200.*kWh$/.test(r)), rows.join('\n'));
  // On the line: find (refused), CONNECT, find, GET (a list of both), RELEASE; every request from CA 0x20.
  const tx = frames698(sent);
  assert.deepEqual(tx.map((f) => f[2]), [0x05, 0x02, 0x05, 0x05, 0x03]);
  assert.ok(tx.every((f) => f[1] === 0x20));
  assert.match(await page.getByTestId('trace').textContent(), /opening an application connection/);

  // Never: the meter's refusal in words, with the hint.
  await page.getByTestId('connect-mode').selectOption('never');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /service not supported.*application connection/);
  assert.deepEqual(problems, []);
  await close();
});

test('reader: a trace recorded by the command line replays in the page', async () => {
  const port = await simulate(['--protocol', 'dlt698', '--require-connect']);
  const file = path.join(os.tmpdir(), `meterscope-cli-trace-${process.pid}.json`);
  execFileSync(cli(), ['read', '--protocol', 'dlt698', '--tcp', `127.0.0.1:${port}`, '--trace-file', file, '20000200']);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(doc.format, 'meterscope-trace');
  assert.equal(doc.protocol, 'dlt698');

  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('dlt698');
  await page.getByTestId('source-replay').check();
  await page.getByTestId('replay-file').setInputFiles(file);
  await waitText(page, 'replay-info', /5 /);
  await page.getByTestId('dis').fill('20000200');
  await page.getByTestId('flow-read').click();
  await waitText(page, 'results', /V$/m);
  const rows = await page.getByTestId('results').locator('tr').allTextContents();
  assert.equal(rows.filter((r) => /20000200.*V$/.test(r)).length, 3, rows.join('\n'));
  fs.rmSync(file, { force: true });
  assert.deepEqual(problems, []);
  await close();
});
