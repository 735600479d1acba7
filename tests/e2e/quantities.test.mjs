// The reader's quantity picker: the same named quantities read from the
// DL/T 645, DL/T 698.45 and DLMS demo meters (and IEC 62056-21, DSMR), with
// the same names and units in the rows and in the DTU-style JSON export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const idle = (page) => page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]')?.disabled, null, { timeout: 30_000 });

async function readQuantities(page, proto) {
  await page.getByTestId('reader-protocol').selectOption(proto);
  await page.getByTestId('results').locator('xpath=..').getByRole('button', { name: 'Clear' }).first().click();
  await page.getByTestId('flow-quantities').click();
  await idle(page);
  const rows = await page.locator('[data-testid=results] tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('quantities-json').click()]);
  const json = JSON.parse(Buffer.concat(await (await download.createReadStream()).toArray()).toString());
  return { rows, json };
}

test('the same quantities from the DL/T 645, DL/T 698.45 and DLMS demo meters', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').check();
  // The picker offers the protocol's quantities; five are picked at first, one more here.
  assert.equal(await page.getByTestId('quantity-voltage').isChecked(), true);
  await page.getByTestId('quantity-active-energy-export').check();
  const seen = {};
  for (const proto of ['dlt645', 'dlt698', 'dlms']) {
    const { rows, json } = await readQuantities(page, proto);
    assert.equal(json.protocol, proto);
    const ok = json.readings;
    for (const r of ok) {
      assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, JSON.stringify(r));
    }
    const by = (q, e) => ok.find((r) => r.quantity === q && (r.element ?? null) === (e ?? null));
    for (const [q, unit] of [['active-energy-import', 'kWh'], ['active-energy-export', 'kWh'], ['active-power', 'kW'], ['frequency', 'Hz']]) {
      assert.equal(by(q)?.unit, unit, `${proto} ${q}: ${JSON.stringify(json)}`);
      assert.equal(typeof by(q).value, 'number', `${proto} ${q}`);
    }
    assert.ok(by('active-power').value > 0.01 && by('active-power').value < 100, `${proto}: kW, not W`);
    assert.equal(by('voltage', 'L1')?.unit, 'V', proto);
    assert.match(by('clock')?.value ?? '', /^2024-05-17T10:3\d:\d\d$/, proto);
    // The rows name the quantities too.
    const ids = rows.map((r) => r[0]);
    assert.ok(ids.includes('voltage L1') && ids.includes('active-power') && ids.includes('clock'), `${proto}: ${ids}`);
    seen[proto] = ok.filter((r) => !r.element || r.element === 'L1').map((r) => `${r.quantity} ${r.unit}`).sort();
  }
  assert.deepEqual(seen.dlt698, seen.dlt645);
  assert.deepEqual(seen.dlms, seen.dlt645);
  assert.equal(seen.dlt645.length, 6);
  assert.deepEqual(problems, []);
  await close();
});

test('IEC 62056-21 and DSMR pick the quantities from the readout and the telegram; the picker follows the protocol', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').check();
  const iec = await readQuantities(page, 'iec62056');
  assert.equal(iec.json.readings.find((r) => r.quantity === 'active-energy-import').value, 6872.455);
  assert.equal(iec.json.readings.filter((r) => r.quantity === 'voltage').length, 3);
  // DSMR has no frequency: not offered, and not read.
  await page.getByTestId('reader-protocol').selectOption('dsmr');
  assert.equal(await page.getByTestId('quantity-frequency').isVisible(), false);
  const dsmr = await readQuantities(page, 'dsmr');
  const energy = dsmr.json.readings.find((r) => r.quantity === 'active-energy-import');
  assert.ok(energy, JSON.stringify(dsmr));
  assert.ok(Math.abs(energy.value - (4443.936 + 2428.519)) < 1e-6, JSON.stringify(energy));
  assert.equal(energy.source, '1-0:1.8.1+1-0:1.8.2');
  assert.ok(!dsmr.json.readings.some((r) => r.quantity === 'frequency'));
  // Q/GDW 1376 reads through a concentrator: no picker.
  await page.getByTestId('reader-protocol').selectOption('qgdw1376.2');
  assert.equal(await page.getByTestId('quantities').isVisible(), false);
  assert.deepEqual(problems, []);
  await close();
});
