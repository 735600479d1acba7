// Accessibility: axe-core's checks on the decoder page (a frame decoded, with
// its problems, the filter, the selection inspector and its checksums, the frame
// builder and two frames compared) and on
// the reader page, in both themes and both languages, and on the embedding page
// with its custom elements (shadow roots included): no serious or critical
// violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage, renderedMeterFrames } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const AXE = fs.readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
// A DL/T 698.45 frame with a wrong FCS and a DL/T 645 frame: errors, checks and a frame list.
const INPUT = '68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 68 16\n'
  + '68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Serious and critical violations on the page as it is, one line each. */
async function violations(page) {
  await page.addScriptTag({ content: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const theme of ['light', 'dark']) {
  for (const lang of ['en', 'zh']) {
    test(`axe: the decoder and reader pages, ${theme} theme, ${lang}: no serious or critical violation`, async () => {
      const { page, problems, close } = await openPage(browser);
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(server.url + `#l=${lang}`);
      await page.getByTestId('input').fill(INPUT);
      await page.locator('[data-testid=frames] .frame-tab').nth(1).waitFor();
      await page.getByTestId('problem-next').click();
      await page.locator('[data-testid=hexview] [data-off="1"]').click();
      await page.locator('[data-testid=hexview] [data-off="11"]').click({ modifiers: ['Shift'] });
      await page.getByTestId('sums').waitFor();
      await page.getByTestId('filter').fill('dlt698 "');
      await page.getByTestId('filter-error').waitFor();
      // The frame builder (a length and a checksum filled in) and two frames compared.
      await page.getByTestId('builder-toggle').click();
      await page.getByTestId('builder-protocol').selectOption('auto');
      await page.getByTestId('builder-input').fill('68 AA AA AA AA AA AA 68 11 04 33 33 34 33 35 00 16');
      await page.getByTestId('builder-fixes').waitFor();
      await page.getByTestId('compare-toggle').click();
      await page.getByTestId('compare-fields').waitFor();
      assert.deepEqual(await violations(page), [], 'decoder page');

      await page.getByTestId('tab-reader').click();
      await page.getByTestId('reader-protocol').waitFor();
      assert.deepEqual(await violations(page), [], 'reader page');
      assert.deepEqual(problems, []);
      await close();
    });
  }
}

for (const theme of ['light', 'dark']) {
  test(`axe: the embedding page with every <meter-frame> rendered, ${theme} theme: no serious or critical violation`, async () => {
    const { page, problems, close } = await openPage(browser);
    await page.emulateMedia({ colorScheme: theme });
    await page.goto(server.url + 'embed/');
    const frames = await renderedMeterFrames(page);
    // One element in Chinese too, and a byte hovered (the highlight colours).
    await frames.nth(1).evaluate((e) => e.setAttribute('lang', 'zh'));
    await page.waitForFunction(() => /有效|无效/.test(document.querySelectorAll('meter-frame')[1].shadowRoot.querySelector('.state')?.textContent ?? ''));
    await frames.first().scrollIntoViewIfNeeded();
    await frames.first().locator('.b[data-off="15"]').hover();
    await frames.first().locator('.row.hl').waitFor();
    assert.deepEqual(await violations(page), [], 'embedding page');
    assert.deepEqual(problems, []);
    await close();
  });
}
