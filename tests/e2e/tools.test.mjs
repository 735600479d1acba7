// The decoder page's inspection tools: garbage not shown as valid, packet
// captures opened in the page, field filters, problem navigation, checksums.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
