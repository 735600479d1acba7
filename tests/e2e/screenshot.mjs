// Refresh the screenshots under docs/ from the release build (trunk build --release first):
//   node tests/e2e/screenshot.mjs            (all of them)
//   SHOTS=mbus,sml node tests/e2e/screenshot.mjs   (those whose names start so)
// The decoder in English and Chinese, light and dark; the reader in English and Chinese;
// a nested Q/GDW 1376.1 decode and meters read through a carrier module in both; the
// decoder at a phone's width in both.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage } from './harness.mjs';

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs');
// A DL/T 698.45 SET request: address, control, APDU, date-time, checks.
const HEX = '68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16';
const server = await serve();
const browser = await launch();

const only = process.env.SHOTS?.split(',').filter(Boolean);

async function shot(name, lang, theme, act, width = 1200, height = 720) {
  if (only && !only.some((o) => name.startsWith(o))) return;
  const { page, problems, close } = await openPage(browser);
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme: theme });
  await page.goto(`${server.url}#l=${lang}`);
  await page.getByTestId('input').waitFor();
  // The theme button cycles auto → dark → light.
  for (let i = 0; i < (theme === 'dark' ? 1 : 2); i++) await page.getByTestId('theme').click();
  await act(page);
  const out = path.join(docs, `${name}.png`);
  await page.screenshot({ path: out });
  if (problems.length) throw new Error(problems.join('\n'));
  await close();
  console.log(`wrote ${out}`);
}

async function decoder(page) {
  await page.getByTestId('input').fill(HEX);
  const cells = page.locator('[data-testid=hexview] .hexbytes .b');
  await cells.nth(20).waitFor();
  await cells.nth(20).hover();
}

async function reader(page) {
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('source-demo').check();
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => /123456789012/.test(document.querySelector('[data-testid=meter-address]').textContent));
  await page.getByTestId('dis').fill('00010000 0201FF00 02020100 02030000 02800002');
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => /Hz/.test(document.querySelector('[data-testid=results]').textContent));
}

// A DL/T 645 reply relayed in a Q/GDW 1376.1 frame (AFN 10 F1), its own
// checksum wrong: the nested frame dissected in place, the fault pinned.
async function nested(page) {
  await page.getByTestId('examples').selectOption('1376.1-relay-bad-cs');
  const bad = page.locator('[data-testid=tree] .row.bad').first();
  await bad.waitFor();
  await bad.hover();
}

// Meters read through the demo carrier module (Q/GDW 1376.2).
async function carrier(page) {
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('qgdw1376.2');
  await page.getByTestId('source-demo').check();
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]')?.disabled
    && /kWh/.test(document.querySelector('[data-testid=results]').textContent));
}

// The frame builder (a read request with a data byte added: length and
// checksum filled in) beside the comparison of a request and its reply.
async function tools(page) {
  await page.getByTestId('input').fill('68 11 11 11 11 11 11 68 11 04 33 33 34 33 18 16\n'
    + '68 11 11 11 11 11 11 68 91 08 33 33 34 33 A4 56 33 33 3C 16');
  await page.locator('[data-testid=frames] .frame-tab').nth(1).waitFor();
  await page.getByTestId('compare-toggle').click();
  await page.getByTestId('compare-only').check();
  await page.getByTestId('builder-toggle').click();
  await page.getByTestId('builder-input').fill('68 11 11 11 11 11 11 68 11 04 33 33 34 33 35 00 16');
  await page.getByTestId('builder-fixes').waitFor();
  await page.getByTestId('builder').evaluate((e) => e.scrollIntoView({ block: 'start' }));
}

// A wireless M-Bus telegram (OMS example, security mode 5) opened with its key.
async function wmbus(page) {
  await page.getByTestId('examples').selectOption('wmbus-mode5');
  await page.locator('[data-testid=keys] summary').click();
  await page.getByTestId('key-cipher').fill('0102030405060708090A0B0C0D0E0F11');
  await page.waitForFunction(() => /28504\.27/.test(document.querySelector('[data-testid=tree]')?.textContent));
  await page.locator('[data-testid=tree] .row', { hasText: '28504.27' }).first().hover();
}

// Two meters on the demo M-Bus: the bus scanned, then both read (the heat
// meter's second telegram after "more records follow").
async function mbus(page) {
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('mbus');
  await page.getByTestId('source-demo').check();
  await page.getByTestId('mbus-scan').fill('0-6');
  await page.getByTestId('flow-find').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]')?.disabled
    && /12345699/.test(document.querySelector('[data-testid=results]').textContent), null, { timeout: 30_000 });
  await page.getByTestId('dis').fill('1 5');
  await page.getByTestId('flow-read').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=flow-cancel]')?.disabled
    && /m³/.test(document.querySelector('[data-testid=results]').textContent), null, { timeout: 30_000 });
}

// The demo SML meter's optical interface, live, with the power charted.
async function sml(page) {
  await page.getByTestId('tab-reader').click();
  await page.getByTestId('reader-protocol').selectOption('sml');
  await page.getByTestId('source-demo').check();
  await page.getByTestId('flow-live').click();
  await page.waitForFunction(() => /#6 /.test(document.querySelector('[data-testid=telegram]')?.textContent), null, { timeout: 30_000 });
  const keys = await page.getByTestId('chart-value').locator('option').allTextContents();
  await page.getByTestId('chart-value').selectOption({ label: keys.find((k) => /16\.7\.0/.test(k)) });
  await page.waitForTimeout(2500);
  await page.getByTestId('flow-cancel').click();
}

for (const lang of ['en', 'zh']) {
  for (const theme of ['light', 'dark']) await shot(`decoder-${lang}-${theme}`, lang, theme, decoder);
  await shot(`reader-${lang}`, lang, 'light', reader);
  await shot(`nested-${lang}`, lang, 'light', nested);
  await shot(`carrier-${lang}`, lang, 'light', carrier);
  await shot(`tools-${lang}`, lang, lang === 'en' ? 'light' : 'dark', tools, 1200, 900);
  await shot(`wmbus-${lang}`, lang, 'light', wmbus);
  await shot(`mbus-${lang}`, lang, 'light', mbus, 1200, 900);
  await shot(`sml-${lang}`, lang, lang === 'en' ? 'light' : 'dark', sml, 1200, 900);
  // At a phone's width (390 px).
  await shot(`phone-${lang}`, lang, 'light', decoder, 390, 844);
}
await browser.close();
await server.close();
