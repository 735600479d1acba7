// The decoder page's usability: offline pages, pasted dumps, failed checks,
// values and tooltips, permalinks, bytes that follow the tree, contrast, copy
// feedback, keyboard and screen readers, phones, and smaller defects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

const FRAME_698 = '68 1F 00 43 05 08 00 00 00 00 00 10 B5 0B 06 01 04 40 00 02 00 1C 07 E0 09 0B 12 1E 00 00 05 69 16';
const BAD_645 = '68 76 02 02 47 02 02 68 91 08 33 33 34 33 35 33 33 33 C8 16';
const GOOD_645 = '68 76 02 02 47 02 02 68 91 08 33 33 34 33 35 33 33 33 C9 16';
const DSMR = '/NWA-WARMTELINK\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(260215200523W)\r\n0-0:96.1.1(ADC3100000158491)\r\n'
  + '0-0:96.13.1()\r\n0-0:96.13.0()\r\n0-1:24.1.0(004)\r\n0-1:96.1.0(621848012D2C0B0C)\r\n'
  + '0-1:24.2.1(260215200523W)(240.860*GJ)\r\n!B9F\r\n';
const SERIAL_LOG = '00 FF 3F FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16 0D 0A 55 68 76 02 02 47 02 02 68 91 08 33 33 34 33 35 33 33 33 C9 16';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const link = (input, extra = '&l=en') => `${server.url}#i=${encodeURIComponent(input).replace(/%20/g, '+')}${extra}`;

async function decoded(page) {
  await page.locator('[data-testid=tree] .row').first().waitFor();
}

/** CRC-16/ARC, as DSMR computes it. */
function crc16arc(bytes) {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
  }
  return crc;
}

test('1 offline: the app shell and the embed page are each cached under their own URL', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.url);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // Online visits: the embed page last.
  await page.goto(server.url + 'embed/');
  await page.goto(server.url);
  await page.getByTestId('input').waitFor();
  await page.goto(server.url + 'embed/');
  const embedTitle = await page.title();
  assert.match(embedTitle, /embedding/);
  // Offline, with the HTTP cache gone as after its expiry.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await context.setOffline(true);
  await page.goto(server.url);
  await page.getByTestId('input').waitFor();
  assert.match(await page.title(), /workbench/);
  await page.reload();
  await page.getByTestId('input').waitFor();
  await page.goto(server.url + 'embed/');
  assert.equal(await page.title(), embedTitle);
  assert.equal(await page.locator('[data-testid=input]').count(), 0);
  await page.reload();
  assert.equal(await page.title(), embedTitle);
  await context.setOffline(false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('2 pasted dumps: hexdump -C and od with their closing offset line, Python bytes literals', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  const input = page.getByTestId('input');
  const cells = page.locator('[data-testid=hexview] .hexbytes .b');
  const hexdumpC = '00000000  68 1f 00 43 05 08 00 00  00 00 00 10 b5 0b 06 01  |h..C............|\n'
    + '00000010  04 40 00 02 00 1c 07 e0  09 0b 12 1e 00 00 05 69  |.@.............i|\n'
    + '00000020  16                                                |.|\n'
    + '00000021\n';
  const od = '000000 68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01  >h..C............<\n'
    + '000010 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69  >.@.............i<\n'
    + '000020 16                                               >.<\n'
    + '000021\n';
  const py = "b'h\\x1f\\x00C\\x05\\x08\\x00\\x00\\x00\\x00\\x00\\x10\\xb5\\x0b\\x06\\x01\\x04@\\x00\\x02\\x00\\x1c\\x07\\xe0\\t\\x0b\\x12\\x1e\\x00\\x00\\x05i\\x16'";
  for (const text of [hexdumpC, od, py]) {
    await input.fill(text);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=hexview] .hexbytes .b').length === 33
      || document.querySelector('[data-testid=input-error]'));
    assert.equal(await page.getByTestId('input-error').count(), 0, `rejected: ${text}`);
    assert.equal(await cells.count(), 33);
    assert.match(await page.locator('[data-testid=frames] .frame-tab').first().textContent(), /dlt698.*valid/);
    await input.fill('');
  }
  assert.deepEqual(problems, []);
  await close();
});

test('3 a failed check is marked in the tree and the bytes, with text as well as colour', async () => {
  const { page, close } = await openPage(browser);
  await page.goto(link(GOOD_645));
  await decoded(page);
  const goodCs = page.locator('[data-testid=hexview] [data-off="18"]');
  const goodColour = await goodCs.evaluate((e) => getComputedStyle(e).color);
  assert.equal(await page.locator('[data-testid=tree] .row.bad').count(), 0);

  await page.getByTestId('input').fill(BAD_645);
  const badRow = page.locator('[data-testid=tree] .row.bad');
  await badRow.first().waitFor();
  const csRow = page.locator('[data-testid=tree] .row.bad', { hasText: 'Checksum' });
  assert.equal(await csRow.count(), 1);
  assert.match(await csRow.locator('.flag').textContent(), /✗/);
  assert.match(await csRow.getAttribute('title'), /check failed/);
  const cs = page.locator('[data-testid=hexview] [data-off="18"]');
  assert.match(await cs.getAttribute('class'), /\bbad\b/);
  const style = await cs.evaluate((e) => ({ color: getComputedStyle(e).color, line: getComputedStyle(e).textDecorationLine }));
  assert.notEqual(style.color, goodColour, 'a failed check byte looks like a good one');
  assert.match(style.line, /underline/, 'not colour alone');
  assert.match(await cs.getAttribute('title'), /check failed/);
  await close();
});

test('4 values take the room they need; every row has a tooltip with value, offset and length', async () => {
  const { page, close } = await openPage(browser);
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.goto(link(DSMR));
  await decoded(page);
  const cut = await page.locator('[data-testid=tree] .row .value').evaluateAll((els) =>
    els.filter((e) => e.scrollWidth > e.clientWidth + 1 || /…$/.test(e.textContent)).map((e) => e.textContent));
  assert.deepEqual(cut, [], 'values cut');
  const rows = await page.locator('[data-testid=tree] .row').evaluateAll((els) => els.map((e) => ({
    title: e.getAttribute('title') ?? '', value: e.querySelector('.value')?.textContent ?? '', span: e.querySelector('.span').textContent,
  })));
  assert.ok(rows.length > 10);
  for (const r of rows) {
    assert.ok(r.title.includes(r.value), `${r.title} has ${r.value}`);
    const [s, e] = r.span.split('..').map(Number);
    assert.ok(r.title.includes(`offset ${s}`) && r.title.includes(`length ${e - s}`), r.title);
  }
  await close();
});

test('5 DSMR pasted with LF line ends and a wrong CRC: the suggested CRC is the one of the CR LF telegram', async () => {
  const { page, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  const lf = DSMR.replace(/\r\n/g, '\n').replace('!B9F', '!1234');
  await page.getByTestId('input').fill(lf);
  const check = page.locator('[data-testid=checks] tr.bad');
  await check.waitFor();
  const sent = Buffer.from(DSMR.slice(0, DSMR.indexOf('!') + 1), 'latin1');
  const want = crc16arc(sent).toString(16).toUpperCase().padStart(4, '0');
  assert.equal(want, '0B9F');
  assert.match(await check.textContent(), new RegExp(`should be 0x${want}`));
  // The suggestion, written in, is accepted.
  await page.getByTestId('input').fill(lf.replace('!1234', `!${want}`));
  await page.locator('[data-testid=checks] tr:not(.bad)').waitFor();
  assert.equal(await page.locator('[data-testid=checks] tr.bad').count(), 0);
  await close();
});

test('6 permalinks load in an open tab, carry the theme and the selected frame', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(link(GOOD_645));
  await decoded(page);
  // Another link in the same tab.
  await page.evaluate((h) => { location.hash = h; }, new URL(link(FRAME_698, '&l=zh&t=dark')).hash);
  await page.waitForFunction(() => document.querySelector('[data-testid=input]').value.startsWith('68 1F 00 43'));
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.match(await page.locator('[data-testid=frames] .frame-tab').first().textContent(), /dlt698/);
  // The theme goes into the link.
  await page.getByTestId('theme').click();
  await page.waitForFunction(() => /[#&]t=light/.test(location.hash));
  // The selected frame goes into the link, and comes back from it.
  await page.getByTestId('input').fill(`${GOOD_645}\n${FRAME_698}`);
  const tabs = page.locator('[data-testid=frames] .frame-tab');
  await tabs.nth(1).waitFor();
  await tabs.nth(1).click();
  await page.waitForFunction(() => /[#&]f=2(&|$)/.test(location.hash));
  const url = page.url();
  const second = await openPage(browser);
  await second.page.goto(url);
  const tab2 = second.page.locator('[data-testid=frames] .frame-tab').nth(1);
  await tab2.waitFor();
  await second.page.waitForFunction(() => document.querySelectorAll('[data-testid=frames] .frame-tab')[1].classList.contains('active'));
  assert.equal(await second.page.evaluate(() => document.documentElement.dataset.theme), 'light');
  assert.equal(await second.page.locator('[data-testid=hexview] .hexbytes .b').count(), 33);
  // A frame and a node from a link opened in the same tab.
  await second.page.evaluate(() => { location.hash = location.hash.replace(/&f=2/, '&f=1'); });
  await second.page.waitForFunction(() => document.querySelectorAll('[data-testid=frames] .frame-tab')[0].classList.contains('active'));
  assert.deepEqual(second.problems, []);
  await second.close();
  assert.deepEqual(problems, []);
  await close();
});

test('7 the bytes follow the tree: a field low in a long tree brings its bytes into view', async () => {
  const { page, close } = await openPage(browser);
  await page.setViewportSize({ width: 1280, height: 600 });
  await page.goto(link(DSMR));
  await decoded(page);
  const rows = page.locator('[data-testid=tree] .row');
  const last = rows.nth((await rows.count()) - 3);
  await last.scrollIntoViewIfNeeded();
  await last.hover();
  // (A P1 telegram's bytes show as text lines: a cell per byte, as in hex.)
  assert.equal(await page.getByTestId('hex-mode-text').getAttribute('aria-pressed'), 'true');
  const hl = page.locator('[data-testid=hexview] .b[data-off].hl').first();
  await hl.waitFor();
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-testid=hexview] .b[data-off].hl').getBoundingClientRect();
    const v = document.querySelector('[data-testid=hexview]').getBoundingClientRect();
    return b.top >= Math.max(0, v.top) - 1 && b.bottom <= Math.min(innerHeight, v.bottom) + 1;
  }, null, { timeout: 3000 });
  // Bytes in view: hovering another row does not move the page.
  const y = await page.evaluate(() => scrollY);
  await rows.nth((await rows.count()) - 4).hover();
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => scrollY), y);
  await close();
});

/** Contrast ratio of every marked element's text against the background it is drawn on. */
async function contrasts(page, selectors) {
  return page.evaluate((selectors) => {
    const parse = (c) => {
      let m = c.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
      if (m) return [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
      m = c.match(/color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.e-]+))?\)/);
      if (m) return [m[1] * 255, m[2] * 255, m[3] * 255, m[4] === undefined ? 1 : +m[4]];
      throw new Error(`colour ${c}`);
    };
    const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] === 1) break;
      }
      let bg = [255, 255, 255, 1];
      for (const l of layers.reverse()) bg = over(l, bg);
      return bg;
    };
    const lum = (c) => {
      const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const out = [];
    for (const sel of selectors) {
      const els = document.querySelectorAll(sel);
      if (!els.length) out.push({ sel, ratio: 0, missing: true });
      for (const el of els) {
        const bg = background(el);
        const fg = over(parse(getComputedStyle(el).color), bg);
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        out.push({ sel, ratio: (a + 0.05) / (b + 0.05) });
      }
    }
    return out;
  }, selectors);
}

test('8 error and warning colours have at least 4.5:1 contrast in both themes', async () => {
  const { page, close } = await openPage(browser);
  // A failed check and an invalid frame; an error and a warning diagnostic.
  const selectors = {
    [BAD_645]: ['.checks tr.bad .verdict', '.frame-tab.invalid .state', '[data-testid=tree] .row.bad .flag', '[data-testid=hexview] .b.bad'],
    '68 AA AA': ['.diag.error .sev'],
    [DSMR.replace('\r\n\r\n', '\r\n')]: ['.diag.warning .sev'],
  };
  for (const [input, want] of Object.entries(selectors)) {
    await page.goto(link(input));
    await page.reload();
    await page.locator('[data-testid=frames] .frame-tab').first().waitFor();
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
      for (const r of await contrasts(page, want)) {
        assert.ok(r.ratio >= 4.5, `${theme} ${r.sel}: ${r.ratio.toFixed(2)}:1${r.missing ? ' (missing)' : ''}`);
      }
    }
  }
  // The input error mark too.
  await page.getByTestId('input').fill('68 1G');
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
    for (const r of await contrasts(page, ['.input-error mark'])) assert.ok(r.ratio >= 4.5, `${theme} ${r.sel}: ${r.ratio.toFixed(2)}`);
  }
  await close();
});

test('10 copy says it copied or why it failed; copy and export wait for input', async () => {
  const { page, close } = await openPage(browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  await page.goto(server.url + '#l=en');
  for (const id of ['copy-text', 'copy-json', 'download-json', 'download-text']) {
    assert.equal(await page.getByTestId(id).isDisabled(), true, `${id} enabled on empty input`);
  }
  await page.getByTestId('input').fill(GOOD_645);
  await decoded(page);
  await page.getByTestId('copy-text').click();
  const status = page.getByTestId('copy-status');
  await page.waitForFunction(() => /Copied/.test(document.querySelector('[data-testid=copy-status]')?.textContent ?? ''));
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /dlt645-2007/);
  assert.equal(await status.getAttribute('role'), 'status');
  await page.getByTestId('lang').click();
  await page.getByTestId('copy-json').click();
  await page.waitForFunction(() => /已复制/.test(document.querySelector('[data-testid=copy-status]')?.textContent ?? ''));
  await close();

  // A refused clipboard is reported.
  const refused = await openPage(browser, {
    init: () => {
      Object.defineProperty(Navigator.prototype, 'clipboard', { configurable: true,
        get: () => ({ writeText: () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')) }) });
    },
  });
  await refused.page.goto(link(GOOD_645));
  await decoded(refused.page);
  await refused.page.getByTestId('copy-text').click();
  await refused.page.waitForFunction(() => /Copy failed/.test(document.querySelector('[data-testid=copy-status]')?.textContent ?? ''));
  assert.match(await refused.page.getByTestId('copy-status').getAttribute('class'), /error/);
  await refused.close();
});

test('11 keyboard and screen readers: reachable controls, tree roles and states, names, the help dialog', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(link(FRAME_698));
  await decoded(page);
  // Tab order reaches "Open file…" and the byte view.
  await page.getByTestId('input').focus();
  await page.getByTestId('protocol').focus();
  const reached = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName));
  }
  assert.ok(reached.includes('file-open'), reached.join(' '));
  assert.ok(reached.includes('hexview'), reached.join(' '));
  // The byte view moves its byte with the arrow keys and selects its field.
  await page.getByTestId('hexview').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('[data-testid=hexview] [data-off="1"]').classList.contains('sel'));
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('[data-testid=hexview] [data-off="17"]').classList.contains('sel'));
  assert.equal(await page.getByTestId('hexview').getAttribute('aria-activedescendant'), await page.locator('[data-testid=hexview] [data-off="17"]').getAttribute('id'));
  // Tree roles and states.
  assert.equal(await page.getByTestId('tree').getAttribute('role'), 'tree');
  const items = page.locator('[data-testid=tree] [role=treeitem]');
  assert.ok(await items.count() > 5);
  assert.equal(await items.first().getAttribute('aria-expanded'), 'true');
  const leaf = page.locator('[data-testid=tree] [role=treeitem]:not([aria-expanded])').first();
  await leaf.locator('> .row').click();
  assert.equal(await leaf.getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('[data-testid=tree] [aria-selected=true]').count(), 1);
  const twisty = page.locator('[data-testid=tree] .twisty').first();
  assert.match(await twisty.getAttribute('aria-label'), /Collapse/);
  await twisty.click();
  assert.equal(await items.first().getAttribute('aria-expanded'), 'false');
  assert.match(await twisty.getAttribute('aria-label'), /Expand/);
  // Tabs and names.
  assert.equal(await page.getByTestId('tab-decoder').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('tab-reader').getAttribute('aria-selected'), 'false');
  assert.ok((await page.getByTestId('examples').getAttribute('aria-label'))?.length > 3);
  assert.match(await page.getByTestId('theme').getAttribute('aria-label'), /Theme/);
  // The help dialog takes focus and closes with Escape.
  await page.getByTestId('tab-reader').click();
  assert.equal(await page.getByTestId('tab-reader').getAttribute('aria-selected'), 'true');
  await page.getByTestId('port-help').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=port-help-dialog]').contains(document.activeElement));
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid=port-help-dialog]').hidden);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'port-help');
  assert.deepEqual(problems, []);
  await close();
});

test('12 a 390 px phone: no sideways scrolling, the whole hex view visible', async () => {
  const { page, close } = await openPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const input of [FRAME_698, DSMR, SERIAL_LOG]) {
    await page.goto(link(input));
    await decoded(page);
    for (const lang of ['en', 'zh']) {
      const m = await page.evaluate(() => {
        const hv = document.querySelector('[data-testid=hexview]');
        const cells = [...hv.querySelectorAll('.b')].map((b) => b.getBoundingClientRect());
        const box = hv.getBoundingClientRect();
        return { page: document.documentElement.scrollWidth, hex: [hv.scrollWidth, hv.clientWidth],
          outside: cells.filter((c) => c.right > box.right + 1 || c.right > innerWidth).length };
      });
      assert.ok(m.page <= 390, `${lang}: the page is ${m.page} px wide`);
      assert.ok(m.hex[0] <= m.hex[1], `${lang}: the hex view is clipped (${m.hex})`);
      assert.equal(m.outside, 0, `${lang}: bytes outside the view`);
      await page.getByTestId('lang').click();
    }
  }
  await close();
});

test('13 smaller: no layout jump, labelled offsets, Chinese everywhere, DSMR lines once, debounced large input, 698 date-time fields', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').waitFor();
  const top = () => page.evaluate(() => document.querySelector('.panes').getBoundingClientRect().top);
  const before = await top();
  await page.getByTestId('input').fill(FRAME_698);
  await decoded(page);
  assert.equal(await top(), before, 'the panes moved at the first decode');

  // Offsets: decimal like the spans, labelled.
  const off = page.locator('[data-testid=hexview] .hexrow .off').nth(1);
  assert.equal(await off.textContent(), '16');
  assert.match(await off.getAttribute('title'), /offset 16/);
  assert.match(await page.locator('[data-testid=tree] .row .span').first().getAttribute('title'), /offset 0/);

  // 698 date-time fields.
  const year = page.locator('[data-testid=tree] li[data-id*="date_time.year"] > .row .value').first();
  assert.equal(await year.textContent(), '2016');
  assert.equal(await page.locator('[data-testid=tree] li[data-id*="date_time.minute"] > .row .value').first().textContent(), '30');

  // Chinese: junk reasons, severities, the 645 direction, the title.
  await page.goto(link(SERIAL_LOG, '&l=zh'));
  await decoded(page);
  const junk = await page.locator('[data-testid=junk]').allTextContents();
  assert.ok(junk.length >= 2);
  for (const j of junk) assert.doesNotMatch(j, /preamble|unrecognised/, j);
  assert.match(await page.title(), /[\u4e00-\u9fff]/);
  await page.locator('[data-testid=frames] .frame-tab').nth(1).click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=tree] .value')].some((v) => v.textContent === '从站->主站'));
  await page.goto(link('68 AA 11', '&l=zh'));
  const sev = page.locator('.diag .sev').first();
  await sev.waitFor();
  assert.match(await sev.textContent(), /[\u4e00-\u9fff]/);

  // DSMR: each line once, no empty node.
  await page.goto(link(DSMR));
  await decoded(page);
  const labels = await page.locator('[data-testid=tree] .row .label').allTextContents();
  assert.equal(labels.filter((l) => l === '1-3:0.2.8').length, 1, labels.join(' | '));
  const spans = await page.locator('[data-testid=tree] .row .span').allTextContents();
  assert.deepEqual(spans.filter((s) => { const [a, b] = s.split('..'); return a === b; }), []);

  // A 200 KB paste is not decoded again at every keystroke.
  const big = Array.from({ length: 200 * 1024 / 48 }, () => GOOD_645).join('\n');
  // Pasted at once (the browser's own typing of 200 KB into a text area is slow, not the page).
  await page.evaluate((text) => {
    const ta = document.querySelector('[data-testid=input]');
    ta.value = text;
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }, big);
  await page.locator('[data-testid=frames] .frame-tab').first().waitFor();
  await page.waitForTimeout(600);
  const decodes = () => page.locator('section.decoder').getAttribute('data-decodes').then(Number);
  const d0 = await decodes();
  await page.getByTestId('input').press('End');
  await page.getByTestId('input').pressSequentially(' 68 16 68', { delay: 10 });
  await page.waitForFunction((d0) => Number(document.querySelector('section.decoder').dataset.decodes) > d0, d0);
  await page.waitForTimeout(800);
  assert.ok(await decodes() - d0 <= 2, `${await decodes() - d0} decodes for 9 keystrokes`);
  assert.deepEqual(problems, []);
  await close();
});
