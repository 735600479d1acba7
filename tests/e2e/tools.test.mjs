// The decoder page's inspection tools: garbage not shown as valid, packet
// captures opened in the page, field filters, problem navigation, checksums.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** CRC-16/X-25 (DL/T 698.45 HCS and FCS), low byte first on the wire. */
function x25(bytes) {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  crc ^= 0xffff;
  return [crc & 0xff, crc >>> 8];
}

/** A DL/T 698.45 frame from the meter (C 0x81) with a six-byte server address, checksums right. */
function frame698(apdu) {
  const len = 2 + 1 + 1 + 6 + 1 + 2 + apdu.length + 2;
  const head = [len & 0xff, len >> 8, 0x81, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const withHcs = [...head, ...x25(head), ...apdu];
  return [0x68, ...withHcs, ...x25(withHcs), 0x16];
}

const hex = (bytes) => bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');

async function frameTabs(page) {
  const tabs = page.locator('[data-testid=frames] .frame-tab');
  await tabs.first().waitFor();
  return tabs.allTextContents();
}

test('garbage is not shown as a valid frame; a date-time out of range is an error; the best guess wins', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  // ACK, a reserved baud character and letters: no IEC 62056-21 option select.
  await page.getByTestId('input').fill('06 31 78 53');
  let tabs = await frameTabs(page);
  assert.equal(tabs.length, 1, tabs.join(' | '));
  assert.doesNotMatch(tabs[0], /iec62056/);
  assert.match(tabs[0], /not valid/);

  // A LINK-Request whose date-time says year 1543, day of week 10: checksums
  // right, so the framing holds, but the frame is flagged.
  const link = frame698([0x01, 0x00, 0x00, 0x00, 0x3c, 0x06, 0x07, 0x05, 0x0a, 0x0a, 0x0c, 0x00, 0x00, 0x00, 0x00]);
  await page.getByTestId('input').fill(hex(link));
  await page.waitForFunction(() => /dlt698/.test(document.querySelector('[data-testid=frames] .frame-tab')?.textContent));
  tabs = await frameTabs(page);
  assert.match(tabs[0], /dlt698\.45 .*not valid/);
  const diags = await page.locator('[data-testid=diagnostics] li.diag.error').allTextContents();
  assert.ok(diags.some((d) => /dlt698\.date_time\.range/.test(d) && /10 is out of range/.test(d)), diags.join(' | '));
  assert.ok(await page.locator('[data-testid=tree] .row.error').count() >= 1, 'the day of week is marked in the tree');

  // Auto-detection: guesses ranked by score, the decode takes the first.
  const guesses = await page.locator('[data-testid=guesses] .guess').allTextContents();
  assert.ok(guesses.length >= 1);
  const scores = guesses.map((g) => Number(/(\d+)%/.exec(g)[1]));
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), guesses.join(' | '));
  assert.match(tabs[0], new RegExp(`#1 ${guesses[0].split(' ')[0].replace('.', '\\.')} `));
  assert.deepEqual(problems, []);
  await close();
});

// ---- Packet captures ----

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kids = [];
const files = [];
after(() => {
  for (const k of kids) k.kill();
  for (const f of files) fs.rmSync(f, { force: true });
});

/** The command line, built when the test command has not built it yet. */
function cli() {
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  const bin = path.join(target, 'debug', 'meterscope');
  if (!fs.existsSync(bin)) execFileSync('cargo', ['build', '-q', '-p', 'meterscope-cli'], { cwd: ROOT, stdio: 'inherit' });
  return bin;
}

/** `meterscope simulate --tcp 0 …`: a simulated meter on a free port of 127.0.0.1. */
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

/** A read of the simulated meter over TCP, recorded as a trace and as a pcapng capture. */
async function recorded(name, simArgs, readArgs) {
  const port = await simulate(simArgs);
  const base = path.join(os.tmpdir(), `meterscope-${name}-${process.pid}`);
  execFileSync(cli(), ['read', ...readArgs, '--tcp', `127.0.0.1:${port}`,
    '--trace-file', `${base}.json`, '--capture-file', `${base}.pcapng`], { stdio: ['ignore', 'ignore', 'inherit'] });
  files.push(`${base}.json`, `${base}.pcapng`);
  const trace = JSON.parse(fs.readFileSync(`${base}.json`, 'utf8'));
  return { port, file: `${base}.pcapng`, entries: trace.entries };
}

const SESSIONS = [
  { name: 'dlms-wrapper', protocol: 'dlms-wrapper', apdu: /^dlms\.(apdu|aarq|aare|rlrq|rlre|acse|get|xdlms)/,
    sim: ['--protocol', 'dlms', '--transport', 'wrapper'],
    read: ['--protocol', 'dlms', '--transport', 'wrapper', '--clock', '1-0:1.8.0.255', '1-0:32.7.0.255'] },
  { name: 'dlt698-tcp', protocol: 'dlt698.45', apdu: /^dlt698\.apdu/,
    sim: ['--protocol', 'dlt698'],
    read: ['--protocol', 'dlt698', '00100200', '20000200', '40000200'] },
];

for (const s of SESSIONS) {
  test(`a pcapng of a ${s.name} session opens in the page: every APDU dissected in order, with stream and time`, async () => {
    const { port, file, entries } = await recorded(s.name, s.sim, s.read);
    assert.ok(entries.length >= 6, `a whole session: ${entries.length} entries`);
    const { page, problems, close } = await openPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
    await page.goto(server.url + '#l=en');
    await page.getByTestId('file').setInputFiles(file);
    await page.getByTestId('capture-info').waitFor();
    // One line of input per packet payload, in the order they crossed the wire.
    const lines = (await page.getByTestId('input').inputValue()).trimEnd().split('\n');
    assert.deepEqual(lines, entries.map((e) => e.hex));
    const info = await page.getByTestId('capture-info').textContent();
    assert.match(info, new RegExp(`packets: ${entries.length + 2} · streams with payload: 1`));
    assert.match(info, new RegExp(`TCP 127\\.0\\.0\\.1:50000 ⇄ 127\\.0\\.0\\.1:${port}`));

    // Every payload is one valid frame of the protocol, with its APDU dissected.
    await page.getByTestId('copy-json').click();
    const d = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    assert.equal(d.frames.length, entries.length);
    let at = 0;
    d.frames.forEach((f, i) => {
      const len = entries[i].hex.split(' ').length;
      assert.equal(f.protocol, s.protocol, `frame ${i + 1}`);
      assert.ok(f.valid, `frame ${i + 1} valid: ${JSON.stringify(f.diagnostics)}`);
      // The frame ends its payload; wake-up bytes before it (FE FE FE FE) are a preamble.
      assert.ok(f.span[0] >= at && f.span[1] === at + len, `frame ${i + 1} in order: ${f.span} in [${at}, ${at + len})`);
      at += len;
      const ids = [];
      const walk = (n) => { ids.push(n.id); n.children.forEach(walk); };
      walk(f.tree);
      assert.ok(ids.some((id) => s.apdu.test(id)), `frame ${i + 1} has its APDU dissected: ${ids.slice(0, 12).join(' ')}`);
    });
    // Each frame names its stream, direction and time.
    const metas = await page.getByTestId('frame-meta').allTextContents();
    assert.equal(metas.length, entries.length);
    metas.forEach((m, i) => {
      const [from, to] = entries[i].dir === 'tx' ? ['50000', String(port)] : [String(port), '50000'];
      assert.match(m, new RegExp(`^stream 1 · 127\\.0\\.0\\.1:${from} → 127\\.0\\.0\\.1:${to} · \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`), m);
    });
    assert.match(await page.getByTestId('frame-meta').first().getAttribute('title'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC$/);
    // In Chinese too.
    await page.getByTestId('lang').click();
    await page.waitForFunction(() => /抓包/.test(document.querySelector('[data-testid=capture-info]').textContent));
    assert.match(await page.getByTestId('frame-meta').first().textContent(), /^流 1 · /);
    assert.deepEqual(problems, []);
    await close();
  });
}

test('a capture dropped on the input opens like one opened from the menu', async () => {
  const { file, entries } = await recorded('drop', SESSIONS[0].sim, SESSIONS[0].read);
  const bytes = [...fs.readFileSync(file)];
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').waitFor();
  await page.evaluate((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'dropped.pcapng', { type: 'application/octet-stream' }));
    document.querySelector('[data-testid=input]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, bytes);
  await page.getByTestId('capture-info').waitFor();
  assert.match(await page.getByTestId('capture-info').textContent(), /dropped\.pcapng · packets: /);
  assert.equal(await page.getByTestId('frame-meta').count(), entries.length);
  assert.deepEqual(problems, []);
  await close();
});

test('a capture cut short is refused with the reason and the offset of the bad block', async () => {
  const { file } = await recorded('cut', SESSIONS[1].sim, SESSIONS[1].read);
  const whole = fs.readFileSync(file);
  // The last block's start: walk the pcapng blocks by their lengths.
  let last = 0;
  for (let at = 0; at < whole.length; at += whole.readUInt32LE(at + 4)) last = at;
  const cut = whole.subarray(0, whole.length - 6);
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('file').setInputFiles({ name: 'cut.pcapng', mimeType: 'application/octet-stream', buffer: cut });
  const err = page.getByTestId('capture-error');
  await err.waitFor();
  assert.match(await err.textContent(), new RegExp(`cut\\.pcapng: a block of \\d+ bytes runs past the end of the file · at byte ${last} \\(0x`));
  assert.equal(await page.getByTestId('input').inputValue(), '', 'nothing of a bad capture is decoded');
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /无法读取此抓包文件/.test(document.querySelector('[data-testid=capture-error]').textContent));
  // Typing again clears the message.
  await page.getByTestId('input').fill('68 AA AA AA AA AA AA 68 13 00 DF 16');
  await page.getByTestId('capture-error').waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await close();
});

// ---- Field filters ----

const LOG = '68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16\n'
  + '68 12 90 78 56 34 12 68 11 04 33 34 34 35 6B 16\n'
  + '68 12 90 78 56 34 12 68 11 04 33 33 34 33 69 16\n'
  + '00 01 00 10 00 01 00 0D C0 01 C1 00 03 01 00 00 07 00 FF 02 00';

const tabNumbers = async (page) =>
  (await page.locator('[data-testid=frames] .frame-tab').allTextContents()).map((s) => Number(/^#(\d+)/.exec(s)[1]));

async function filterTo(page, query, want) {
  await page.getByTestId('filter').fill(query);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=frames] .frame-tab').length === n, want.length);
  assert.deepEqual(await tabNumbers(page), want, query);
}

test('the frame filter keeps frames by protocol, validity and field; a bad query is pinned; filter on a value', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').fill(LOG);
  await page.locator('[data-testid=frames] .frame-tab').nth(3).waitFor();
  await filterTo(page, 'dlt645', [1, 2, 3]);
  assert.equal(await page.getByTestId('filter-count').textContent(), '3 / 4 frames kept');
  await filterTo(page, 'invalid', [3]);
  await filterTo(page, '!dlt645', [4]);
  await filterTo(page, 'dlt645.data.di=02010100', [2]);
  await filterTo(page, '1-0:0.7.0', [4]);
  await filterTo(page, '"voltage"', [2]);
  await filterTo(page, '', [1, 2, 3, 4]);
  assert.equal(await page.getByTestId('filter-count').textContent(), '');

  // A query that cannot be read: the reason, the character marked, nothing filtered away.
  await page.getByTestId('filter').fill('dlt645 "forward');
  const err = page.getByTestId('filter-error');
  await err.waitFor();
  assert.match(await err.textContent(), /Filter error: a quote is not closed · at character 8/);
  assert.equal(await err.locator('mark').textContent(), '"');
  assert.equal(await page.getByTestId('filter').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await tabNumbers(page), [1, 2, 3, 4]);
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /引号未闭合/.test(document.querySelector('[data-testid=filter-error]')?.textContent));
  await page.getByTestId('lang').click();

  // "Filter on this value": the selected field's term keeps the frames with the same DI.
  await page.getByTestId('filter').fill('');
  await page.getByTestId('filter-error').waitFor({ state: 'detached' });
  await page.locator('[data-testid=frames] .frame-tab').first().click();
  await page.locator('[data-testid=tree] li[data-id="dlt645.data.di"] > .row').click();
  await page.getByTestId('filter-value').click();
  assert.equal(await page.getByTestId('filter').inputValue(), 'dlt645.data.di=00010000');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=frames] .frame-tab').length === 2);
  assert.deepEqual(await tabNumbers(page), [1, 3]);
  assert.equal(await page.getByTestId('filter-count').textContent(), '2 / 4 frames kept');
  // A filter that hides the frame shown moves to the first frame it keeps.
  await filterTo(page, 'dlms', [4]);
  assert.match(await page.locator('[data-testid=frames] .frame-tab.active').textContent(), /^#4 /);
  assert.deepEqual(problems, []);
  await close();
});

// ---- Problem navigation, expand and collapse, copy as a C array ----

test('problems counted; next and previous problem (buttons and keys) open and select them; expand and collapse all; copy as C array', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  await page.goto(server.url + '#l=en');
  // The LINK-Request with a day of week out of range, and a wrong FCS.
  const link = frame698([0x01, 0x00, 0x00, 0x00, 0x3c, 0x06, 0x07, 0x05, 0x0a, 0x0a, 0x0c, 0x00, 0x00, 0x00, 0x00]);
  link[link.length - 2] ^= 0xff;
  await page.getByTestId('input').fill(hex(link));
  const count = page.getByTestId('problem-count');
  await page.waitForFunction(() => /errors: [1-9]/.test(document.querySelector('[data-testid=problem-count]')?.textContent));
  const [, errors] = /errors: (\d+) · warnings: (\d+)/.exec(await count.textContent());
  assert.ok(Number(errors) >= 2, await count.textContent());

  const selected = () => page.locator('[data-testid=tree] li[aria-selected=true]').getAttribute('data-id');
  // The day of week sits below rows closed by default: next problem opens them.
  await page.getByTestId('problem-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tree] li[aria-selected=true]'));
  assert.equal(await selected(), 'dlt698.date_time.week');
  assert.ok(await page.locator('[data-testid=tree] li[aria-selected=true] > .row').isVisible());
  await page.getByTestId('problem-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tree] li[aria-selected=true]')?.dataset.id !== 'dlt698.date_time.week');
  assert.equal(await selected(), 'dlt698.fcs');
  // Round the end, and back with the keys.
  await page.getByTestId('problem-next').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tree] li[aria-selected=true]')?.dataset.id === 'dlt698.date_time.week');
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('p');
  await page.waitForFunction(() => document.querySelector('[data-testid=tree] li[aria-selected=true]')?.dataset.id === 'dlt698.fcs');
  await page.keyboard.press('n');
  await page.waitForFunction(() => document.querySelector('[data-testid=tree] li[aria-selected=true]')?.dataset.id === 'dlt698.date_time.week');

  // Expand all opens every row; collapse all leaves the root's children.
  await page.getByTestId('expand-all').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=tree] ul.children.collapsed'));
  const all = await page.locator('[data-testid=tree] .row').count();
  await page.getByTestId('collapse-all').click();
  const rootChildren = await page.locator('[data-testid=tree] ul.root > li > ul > li').count();
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid=tree] .row')].filter((r) => r.offsetParent).length === n, rootChildren + 1);
  assert.ok(all > rootChildren + 1);

  // Copy a field as a C array and its id, beside the other copy actions.
  await page.locator('[data-testid=tree] li[data-id="dlt698.hcs"] > .row').click();
  await page.getByTestId('copy-c').click();
  const hcs = x25(link.slice(1, 12));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()),
    `{${hcs.map((b) => '0x' + b.toString(16).padStart(2, '0').toUpperCase()).join(', ')}}`);
  // And its id (what a filter or a permalink names it by).
  await page.getByTestId('copy-id').click();
  await page.waitForFunction(async () => (await navigator.clipboard.readText()) === 'dlt698.hcs');

  // A valid frame: nothing to go to.
  await page.getByTestId('input').fill('68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16');
  await page.waitForFunction(() => /no errors or warnings/.test(document.querySelector('[data-testid=problem-count]')?.textContent));
  assert.ok(await page.getByTestId('problem-next').isDisabled());
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /没有错误或警告/.test(document.querySelector('[data-testid=problem-count]')?.textContent));
  assert.equal(await page.getByTestId('expand-all').textContent(), '全部展开');
  assert.deepEqual(problems, []);
  await close();
});

// ---- The checksum tool ----

test('the checksums of a selection: sum, BCC, CRC-16/X-25 in wire order, CRC-16/ARC', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').fill('68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16');
  const cell = (off) => page.locator(`[data-testid=hexview] [data-off="${off}"]`);
  await cell(13).click();
  await cell(0).click({ modifiers: ['Shift'] });
  const sums = page.getByTestId('sums');
  await sums.waitFor();
  const row = (name) => sums.locator(`tr[data-name="${name}"]`);
  // DL/T 645's CS is the sum of bytes 0..13.
  assert.equal(await row('sum mod 256').locator('.sum-value').textContent(), '0xAE');
  assert.match(await page.locator('.inspector h3').textContent(), /Checksums of the selection · 14 bytes/);
  const xor = [0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33].reduce((a, b) => a ^ b, 0);
  assert.equal(await row('XOR (BCC)').locator('.sum-value').textContent(), '0x' + xor.toString(16).padStart(2, '0').toUpperCase());

  // DL/T 698.45's HCS over bytes 1..11: CRC-16/X-25, low byte first on the wire.
  await page.getByTestId('input').fill('68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16');
  await cell(1).waitFor();
  await cell(1).click();
  await cell(11).click({ modifiers: ['Shift'] });
  await page.waitForFunction(() => /11 bytes/.test(document.querySelector('.inspector h3')?.textContent));
  assert.equal(await row('CRC-16/X-25').locator('.sum-wire').textContent(), 'on the wire: B5 0B');
  assert.equal(await row('CRC-16/X-25').locator('.sum-value').textContent(), '0x0BB5');
  assert.match(await row('CRC-16/ARC').locator('.sum-value').textContent(), /^0x[0-9A-F]{4}$/);
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /选区的校验和 · 11 字节/.test(document.querySelector('.inspector h3')?.textContent));
  assert.equal(await row('CRC-16/X-25').locator('.sum-wire').textContent(), '线上字节：B5 0B');
  assert.deepEqual(problems, []);
  await close();
});

test('a long log split in the worker is filtered by protocol and validity; field terms are said not to apply there', async () => {
  const repeats = 1500;
  const text = Array(repeats).fill(LOG).join('\n') + '\n';
  assert.ok(text.length > 256 * 1024);
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').waitFor();
  await page.getByTestId('file').setInputFiles({ name: 'long.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.getByTestId('big-summary').waitFor({ timeout: 60_000 });
  const kept = (n) => page.waitForFunction((n) => document.querySelector('[data-testid=big-filter-count]')?.textContent === `${n} frames kept`, n);
  await page.getByTestId('big-filter').fill('dlms');
  await kept(repeats);
  assert.match(await page.locator('[data-testid=vlist] .vrow').first().textContent(), /^#4 dlms-wrapper /);
  await page.getByTestId('big-filter').fill('dlt645 valid');
  await kept(2 * repeats);
  await page.getByTestId('big-filter').fill('invalid');
  await kept(repeats);
  assert.equal(await page.getByTestId('big-filter-note').textContent(), '');
  // A field term: every frame stays, and the note says why.
  await page.getByTestId('big-filter').fill('dlt645.data.di=00010000');
  await kept(4 * repeats);
  assert.match(await page.getByTestId('big-filter-note').textContent(), /protocol and validity only/);
  await page.getByTestId('big-filter').fill('"open');
  await page.waitForFunction(() => /Filter error: a quote is not closed · at character 1/.test(document.querySelector('[data-testid=big-filter-note]')?.textContent));
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /引号未闭合/.test(document.querySelector('[data-testid=big-filter-note]')?.textContent));
  assert.deepEqual(problems, []);
  await close();
});

/** A DL/T 645 frame with its checksum, as spaced hex. */
function frame645(body) {
  const cs = body.reduce((a, b) => (a + b) & 0xff, 0);
  return [...body, cs, 0x16].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

test('a serial assistant log opens with each frame\'s direction and time, and a bad byte in it is pinned', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  const req = frame645([0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33]);
  const rep = frame645([0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x91, 0x08, 0x33, 0x33, 0x34, 0x33, 0xa4, 0x56, 0x33, 0x33]);
  const log = `[10:13:10.000]打开串口 COM3\n[10:13:11.326]发→◇${req} □\n[10:13:11.483]收←◆FE FE ${rep} \n`;
  await page.getByTestId('input').fill(log);
  const metas = page.locator('[data-testid=frames] [data-testid=frame-meta]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=frames] [data-testid=frame-meta]').length === 2);
  assert.deepEqual(await metas.allTextContents(), ['TX · 10:13:11.326', 'RX · 10:13:11.483']);
  assert.equal(await metas.nth(1).getAttribute('title'), 'RX · 10:13:11.483 · line 3');
  const tabs = await page.locator('[data-testid=frames] .frame-tab').allTextContents();
  assert.ok(tabs.every((t) => /dlt645-2007/.test(t) && !/not valid/i.test(t)), tabs.join(' | '));
  // The same log in Chinese names the directions in Chinese.
  await page.goto(server.url + '#l=zh');
  await page.getByTestId('input').fill(log);
  await page.waitForFunction(() => /接收 · 10:13:11.483/.test(document.querySelector('[data-testid=frames]')?.textContent));
  // A bad byte inside a write is pinned to its line and column.
  await page.getByTestId('input').fill(`[10:13:11.326]发→◇68 11 1G 16\n`);
  await page.getByTestId('input-error').waitFor();
  assert.equal(await page.locator('[data-testid=input-error] mark').textContent(), 'G');
  assert.match(await page.getByTestId('input-error').textContent(), /column 25/);
  assert.deepEqual(problems, []);
  await close();
});

test('the frame builder starts from the frame on screen, takes an edited field and fills in the length and checksum', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  // DL/T 645-2007 read of 00010000 (total active energy) from meter 111111111111.
  const req = frame645([0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33]);
  await page.getByTestId('input').fill(req);
  await frameTabs(page);
  await page.getByTestId('builder-toggle').click();
  assert.equal(await page.getByTestId('builder-toggle').getAttribute('aria-expanded'), 'true');
  assert.equal(await page.getByTestId('builder-protocol').inputValue(), 'dlt645-2007');
  assert.equal(await page.getByTestId('builder-input').inputValue(), req);
  await page.waitForFunction(() => /valid frame/.test(document.querySelector('[data-testid=builder-verdict]')?.textContent));
  // Nothing to change: every filled field is already right.
  assert.match(await page.getByTestId('builder-fixes').textContent(), /already right/);
  assert.equal(await page.locator('[data-testid=builder-output] .fixed').count(), 0);

  // The address edited in its field: the checksum follows.
  const addr = page.locator('[data-testid=builder-field][data-id="dlt645.address"]');
  await addr.fill('01 00 00 00 00 00');
  await addr.press('Tab');
  await page.waitForFunction(() => /checksum CS @14: 18 → B3/.test(document.querySelector('[data-testid=builder-fixes]')?.textContent));
  assert.match(await page.getByTestId('builder-verdict').textContent(), /✓ valid frame/);
  assert.equal(await page.locator('[data-testid=builder-output] .fixed').allTextContents().then((t) => t.join(' ')), 'B3');

  // Bytes typed with data added and a wrong length and checksum: both filled in.
  await page.getByTestId('builder-input').fill('68 11 11 11 11 11 11 68 11 04 33 33 34 33 35 00 16');
  await page.waitForFunction(() => /length @9: 04 → 05/.test(document.querySelector('[data-testid=builder-fixes]')?.textContent));
  assert.equal(await page.locator('[data-testid=builder-output] .fixed').count(), 2);
  // A frame whose second 68 is missing is refused at that byte.
  await page.getByTestId('builder-input').fill('68 11 11 11 11 11 11 69 11 04 33 33 34 33 35 00 16');
  await page.waitForFunction(() => /^dlt645-2007: byte 7: the second 68/.test(document.querySelector('[data-testid=builder-error]')?.textContent));
  // Detected: a Q/GDW 1376.2 frame typed with the protocol left to the builder.
  await page.getByTestId('builder-protocol').selectOption('auto');
  await page.getByTestId('builder-input').fill('68 0F 00 41 00 00 00 00 00 00 03 01 00 00 16');
  await page.waitForFunction(() => /valid frame · qgdw1376.2/.test(document.querySelector('[data-testid=builder-verdict]')?.textContent));
  assert.match(await page.getByTestId('builder-fixes').textContent(), /checksum CS @13: 00 → 45/);
  // Another protocol: an HDLC frame with a wrong length, HCS and FCS.
  await page.getByTestId('builder-protocol').selectOption('dlms-hdlc');
  await page.getByTestId('builder-input').fill('7E A0 00 03 21 10 00 00 E6 E6 00 C0 01 C1 00 03 01 00 01 08 00 FF 02 00 00 00 7E');
  await page.waitForFunction(() => /✓ valid frame · dlms-hdlc/.test(document.querySelector('[data-testid=builder-verdict]')?.textContent));
  assert.match(await page.getByTestId('builder-fixes').textContent(), /frame format and length @1: A0 00 → A0 19.*header check HCS @6: 00 00 →.*frame check FCS @24: 00 00 →/);
  // Decoded in the page: the input becomes the built frame.
  await page.getByTestId('builder-decode').click();
  await page.waitForFunction(() => /dlms-hdlc/.test(document.querySelector('[data-testid=frames] .frame-tab')?.textContent));
  assert.doesNotMatch((await frameTabs(page))[0], /not valid/);
  // In Chinese.
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /有效帧/.test(document.querySelector('[data-testid=builder-verdict]')?.textContent));
  assert.match(await page.getByTestId('builder-fixes').textContent(), /帧格式与长度 @1/);
  assert.deepEqual(problems, []);
  await close();
});

test('two frames compared: a request and its reply field by field and byte by byte; the builder\'s frame against the one on screen', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  const req = frame645([0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33]);
  const rep = frame645([0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x91, 0x08, 0x33, 0x33, 0x34, 0x33, 0xa4, 0x56, 0x33, 0x33]);
  await page.getByTestId('input').fill(`${req}\n${rep}`);
  assert.equal((await frameTabs(page)).length, 2);
  await page.getByTestId('compare-toggle').click();
  assert.equal(await page.getByTestId('compare-pick-a').inputValue(), '0');
  assert.equal(await page.getByTestId('compare-pick-b').inputValue(), '1');
  const row = (id) => page.locator(`[data-testid=compare-fields] tr[data-id="${id}"]`);
  await row('dlt645.control').waitFor();
  assert.equal(await row('dlt645.address').getAttribute('class'), 'same');
  assert.equal(await row('dlt645.control').getAttribute('class'), 'changed');
  assert.equal(await row('dlt645.length').getAttribute('class'), 'changed');
  assert.ok(await page.locator('[data-testid=compare-fields] tr.only-b').count() >= 1);
  // Bytes: the reply's four data bytes are extra; control, length and CS differ.
  const differs = async (side) => page.locator(`[data-testid=compare-${side}] .differs`).count();
  assert.equal(await differs('a'), 3);
  assert.equal(await differs('b'), 7);
  assert.match(await page.getByTestId('compare-summary').textContent(), /fields differ · 10 bytes differ/);
  // Only the differences: the address row goes.
  await page.getByTestId('compare-only').check();
  await page.waitForFunction(() => !document.querySelector('[data-testid=compare-fields] tr[data-id="dlt645.address"]'));
  assert.equal(await row('dlt645.control').count(), 1);
  // The builder's frame (the request to another meter) against the request.
  await page.getByTestId('builder-toggle').click();
  await page.getByTestId('builder-input').fill('68 22 11 11 11 11 11 68 11 04 33 33 34 33 00 16');
  await page.getByTestId('compare-pick-b').selectOption('builder');
  await page.waitForFunction(() => document.querySelector('[data-testid=compare-fields] tr[data-id="dlt645.address"]')?.className === 'changed');
  assert.equal(await differs('a'), 2);
  assert.equal(await differs('b'), 2);
  assert.deepEqual(problems, []);
  await close();
});

test('text protocols show their bytes as text lines, each character linked to its field; hex on request', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').fill('/ISk5\\2MT382-1000\r\n\r\n1-3:0.2.8(50)\r\n1-0:1.8.1(000123.456*kWh)\r\n!0000\r\n');
  await page.waitForFunction(() => /dsmr-p1/.test(document.querySelector('[data-testid=frames] .frame-tab')?.textContent));
  const view = page.getByTestId('hexview');
  assert.match(await view.getAttribute('class'), /textview/);
  assert.equal(await page.getByTestId('hex-mode-text').getAttribute('aria-pressed'), 'true');
  const rows = await page.locator('[data-testid=hexview] .textrow').allTextContents();
  // (The text area keeps line ends as LF.)
  assert.deepEqual(rows.slice(0, 4), ['/ISk5\\2MT382-1000<LF>', '<LF>', '1-3:0.2.8(50)<LF>', '1-0:1.8.1(000123.456*kWh)<LF>']);
  // A character of the energy value selects its field in the tree.
  const off = rows.slice(0, 3).join('').replaceAll('<LF>', '\n').length + '1-0:1.8.1(0001'.length;
  await page.locator(`[data-testid=hexview] [data-off="${off}"]`).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tree] [aria-selected=true]'));
  assert.match(await page.locator('[data-testid=tree] [aria-selected=true]').first().textContent(), /123\.456/);
  // Hex on request, and kept for the next frame.
  await page.getByTestId('hex-mode-hex').click();
  await page.locator('[data-testid=hexview] .hexrow').first().waitFor();
  assert.doesNotMatch(await view.getAttribute('class'), /textview/);
  await page.getByTestId('input').fill('68 11 11 11 11 11 11 68 11 04 33 33 34 33 18 16');
  await page.locator('[data-testid=hexview] .hexrow').first().waitFor();
  assert.equal(await page.getByTestId('hex-mode-text').getAttribute('aria-pressed'), 'false');
  assert.deepEqual(problems, []);
  await close();
});
