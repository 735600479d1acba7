// Q/GDW 1376 in the page: the gallery's nested frames with a broken checksum
// pinned inside the meter frame, and the reader's carrier-module and
// concentrator flows against the demo devices, in both languages, with the
// targets typed as the CLI takes them (a word that is none is refused in words).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const idle = (page) => page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]')?.disabled, null, { timeout: 30_000 });
const rows = (page) => page.locator('[data-testid=results] tr').allTextContents();

test('gallery: a DL/T 645 frame relayed in a 1376.1 frame, its checksum wrong, pinned at its byte', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('examples').selectOption('1376.1-relay-bad-cs');
  // The outer frame's checksum is right, the nested 645 frame's is not: the
  // bad mark is on the nested checksum (byte 39), nowhere else.
  const bad = page.locator('[data-testid=tree] .row.bad');
  await bad.first().waitFor();
  const texts = await bad.allTextContents();
  assert.equal(texts.length, 1, texts.join('\n'));
  assert.match(texts[0], /Checksum CS.*0x4A/);
  // In the bytes pane: the one byte, in the hex column and the text column.
  const hexBad = await page.locator('[data-testid=hexview] .b.bad').allTextContents();
  assert.deepEqual(hexBad, ['4A', 'J']);
  const checks = await page.locator('[data-testid=checks] tr.bad').allTextContents();
  assert.equal(checks.length, 1, checks.join('\n'));
  assert.match(checks[0], /0x49/);
  // The nested frame's own fields are in the tree: its DI and energy.
  const tree = await page.getByTestId('tree').textContent();
  assert.match(tree, /DL\/T 645/);
  assert.match(tree, /kWh/);
  // Each 1376 example decodes as its part, in Chinese too.
  await page.goto(server.url + '#l=zh');
  await page.getByTestId('examples').selectOption('1376.2-route-698');
  await page.waitForFunction(() => /Q\/GDW 1376\.2/.test(document.querySelector('[data-testid=tree]')?.textContent ?? ''));
  const zh = await page.getByTestId('tree').textContent();
  assert.match(zh, /路由数据转发/);
  assert.match(zh, /DL\/T 698\.45/);
  assert.deepEqual(problems, []);
  await close();
});

test('reader: meters read through the demo carrier module, a report confirmed; in Chinese', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=zh');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('qgdw1376.2');
  await page.getByTestId('source-demo').check();
  assert.match(await page.getByTestId('dis').inputValue(), /^info 645:240517000001:00010000/);
  await page.getByTestId('flow-read').click();
  await idle(page);
  const r = await rows(page);
  // The module; a DL/T 645 meter's energy, voltage and clock; a DL/T 698.45 meter's energy and clock.
  assert.ok(r.some((x) => /^03 F1通信模块/.test(x)), r.join('\n'));
  assert.ok(r.some((x) => /^00010000240517000001 · .*[\d.]+kWh$/.test(x)), r.join('\n'));
  assert.ok(r.some((x) => /^02010100240517000001 · .*[\d.]+V$/.test(x)), r.join('\n'));
  assert.ok(r.some((x) => /^00100200240517000002 · .*kWh$/.test(x)), r.join('\n'));
  for (const meter of ['240517000001', '240517000002']) {
    assert.ok(r.some((x) => new RegExp(`^clock${meter} · 电表时钟\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d`).test(x)), r.join('\n'));
  }
  assert.ok(!(await page.locator('[data-testid=results] tr.error').count()), r.join('\n'));
  // The module reported a meter event after the second forward: listed, and confirmed on the line.
  const reports = await page.locator('[data-testid=reports] li').allTextContents();
  assert.ok(reports.some((x) => /AFN 06 F\d/.test(x)), reports.join('\n'));
  assert.ok(await page.locator('[data-testid=trace] li', { hasText: /已确认上报/ }).count() > 0);
  // Module and route: the slave nodes after adding the meters read.
  await page.getByTestId('add-nodes').check();
  await page.getByTestId('flow-read').click();
  await idle(page);
  await page.getByTestId('flow-find').click();
  await idle(page);
  assert.equal(await page.locator('[data-testid=records] tbody tr').count(), 2);
  // A word that is no target is refused, in the page's language.
  await page.getByTestId('dis').fill('info 646:240517000001:00010000');
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => /规约应为 645 或 698/.test(document.querySelector('[data-testid=flow-status]').textContent));
  assert.deepEqual(problems, []);
  await close();
});

test('reader: the demo concentrator read by a master station: clock, class 1 data, a relayed read, events, clock set', async () => {
  const { page, problems, close } = await openPage(browser);
  page.on('dialog', (d) => d.accept());
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('qgdw1376.1');
  await page.getByTestId('source-demo').check();
  await page.getByTestId('flow-read').click();
  await idle(page);
  const r = await rows(page);
  assert.ok(r.some((x) => /^0C F2Terminal clock\d{4}-\d\d-\d\d/.test(x)), r.join('\n'));
  assert.ok(r.some((x) => /^0C p1 F25.*kW$/.test(x)), r.join('\n'));
  assert.ok(r.some((x) => /^0C p1 F129.*kWh$/.test(x)), r.join('\n'));
  assert.ok(r.some((x) => /^00010000240517000001 · .*kWh$/.test(x)), r.join('\n'));
  // The login the terminal sent first was confirmed.
  assert.ok(await page.locator('[data-testid=trace] li', { hasText: /login, confirmed/ }).count() > 0);
  await page.getByTestId('flow-records').click();
  await idle(page);
  assert.ok(await page.locator('[data-testid=records] tbody tr').count() > 0);
  // Set the clock (asked first): the time sent is noted, the terminal confirms, the clock is read back.
  await page.getByTestId('results').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();
  await page.getByTestId('flow-sync').click();
  await idle(page);
  assert.ok(await page.locator('[data-testid=trace] li', { hasText: /Time sent: \d{4}-/ }).count() > 0);
  assert.ok(await page.locator('[data-testid=trace] li', { hasText: /AFN 05 F31: confirmed/ }).count() > 0);
  assert.ok((await rows(page)).some((x) => /Terminal clock/.test(x)));
  // A wrong terminal address is refused before anything is sent.
  await page.getByTestId('terminal-address').fill('12345');
  await page.getByTestId('flow-clock').click();
  await page.waitForFunction(() => /RRRR-TTTT/.test(document.querySelector('[data-testid=flow-status]').textContent));
  assert.deepEqual(problems, []);
  await close();
});
