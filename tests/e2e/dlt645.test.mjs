// A DL/T 645 frame in the page: detection, the preamble as junk, the field tree
// linked to the hex view, the checksum as a check, a bad frame pinned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const span = async (row) => (await row.locator(':scope > .row .span').first().textContent()).split('..').map(Number);

test('a 645 read request decodes with linked highlighting', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').fill('FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16');
  const tab = page.locator('[data-testid=frames] .frame-tab').first();
  await tab.waitFor();
  assert.match(await tab.textContent(), /dlt645-2007 \[4\.\.20\) valid/);
  assert.match(await page.getByTestId('junk').first().textContent(), /preamble \[0\.\.4\) FE FE FE FE/);

  // The data identifier node: value 00010000, and its bytes are 14..18.
  const di = page.locator('[data-testid=tree] li.node[data-id="dlt645.data.di"]');
  assert.equal(await di.locator(':scope > .row .value').first().textContent(), '00010000');
  assert.deepEqual(await span(di), [14, 18]);

  // Pointer on byte 15 lights the DI row; pointer on the DI row lights bytes 14..17 only.
  await page.locator('[data-testid=hexview] [data-off="15"]').hover();
  await page.waitForFunction(() => document.querySelector('li.node[data-id="dlt645.data.di"] > .row').classList.contains('hl'));
  await di.locator(':scope > .row').first().hover();
  const lit = await page.locator('[data-testid=hexview] .hexbytes .b.hl').evaluateAll((els) => els.map((e) => Number(e.dataset.off)));
  assert.deepEqual(lit, [14, 15, 16, 17]);

  // The address node is the meter address read in reverse BCD.
  const addr = page.locator('[data-testid=tree] li.node[data-id="dlt645.address"]');
  assert.match(await addr.locator(':scope > .row .value').first().textContent(), /123456789012/);

  // The checksum is a check with stated and computed values.
  assert.match(await page.getByTestId('checks').textContent(), /0x68.*0x68/);
  assert.deepEqual(problems, []);
  await close();
});

test('a bad 645 frame is invalid, with the checksum and length pinned', async () => {
  const { page, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').fill('FE FE FE FE 68 66 55 44 33 22 11 68 91 09 33 33 34 33 97 3C 33 33 0B 16');
  const tab = page.locator('[data-testid=frames] .frame-tab').first();
  await tab.waitFor();
  assert.match(await tab.textContent(), /dlt645-2007.*not valid/);
  const checks = await page.getByTestId('checks').textContent();
  assert.match(checks, /incorrect, should be 0xD4/);
  const diags = await page.getByTestId('diagnostics').textContent();
  assert.match(diags, /dlt645\.cs\.mismatch/);
  assert.match(diags, /dlt645\.length\.mismatch/);
  await close();
});
