// The decoder page, end to end: type hex, see the tree and the hex view, follow the pointer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

const FRAME_698 = '68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16';
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('typing hex shows the tree, the hex view and a highlight that follows the pointer', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url);
  const input = page.getByTestId('input');
  await input.click();
  await input.pressSequentially(FRAME_698.slice(0, 20));
  await input.fill(FRAME_698);
  const cells = page.locator('[data-testid=hexview] .hexbytes .b');
  await assert.doesNotReject(cells.nth(32).waitFor());
  assert.equal(await cells.count(), 33);
  assert.ok(await page.locator('[data-testid=tree] .node').count() > 0);

  // Hover byte 20: exactly one tree row lights up, and it contains byte 20.
  await cells.nth(20).hover();
  const hl = page.locator('[data-testid=tree] .row.hl');
  await hl.first().waitFor();
  assert.equal(await hl.count(), 1);
  const [s, e] = (await hl.locator('.span').textContent()).split('..').map(Number);
  assert.ok(s <= 20 && 20 < e, `highlighted node ${s}..${e} contains byte 20`);
  assert.match(await cells.nth(20).getAttribute('class'), /\bhl\b/);

  // The highlight follows the pointer to another byte.
  await cells.nth(3).hover();
  await page.waitForFunction(() => document.querySelector('[data-testid=hexview] [data-off="3"]').classList.contains('hl'));
  const [s2, e2] = (await page.locator('[data-testid=tree] .row.hl .span').textContent()).split('..').map(Number);
  assert.ok(s2 <= 3 && 3 < e2);

  // Hovering a tree row highlights its bytes; its ancestors are marked.
  await page.locator('[data-testid=tree] .row').nth(2).hover();
  await page.locator('[data-testid=hexview] .hexbytes .b.hl').first().waitFor();
  assert.ok(await page.locator('[data-testid=tree] .row.anc').count() >= 1, 'ancestor rows marked');

  // Bit fields show their bits before the label (control 0x43: function 3, from the client).
  const bits = (id) => page.locator(`[data-testid=tree] .node[data-id="${id}"] .bits`).first().textContent();
  assert.equal(await bits('dlt698.link.control.func'), '.... .011 =');
  assert.equal(await bits('dlt698.link.control.dir'), '0... .... =');
  assert.deepEqual(problems, []);
  await close();
});

test('bad hex is reported at its line and column, with the character marked', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url);
  await page.getByTestId('input').fill('68 AA\n68 1G');
  const err = page.getByTestId('input-error');
  await err.waitFor();
  assert.match(await err.textContent(), /line 2, column 5/);
  assert.equal(await err.locator('mark').textContent(), 'G');
  assert.deepEqual(problems, []);
  await close();
});

test('the permalink restores input and selection; no network is used', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url);
  await page.getByTestId('input').fill(FRAME_698);
  await page.locator('[data-testid=hexview] .hexbytes .b').nth(17).click();
  await page.waitForFunction(() => location.hash.includes('&s='));
  const url = page.url();
  assert.match(url, /#i=68\+1f\+00/);

  const second = await openPage(browser);
  await second.page.goto(url);
  assert.equal(await second.page.getByTestId('input').inputValue(), FRAME_698);
  await second.page.locator('[data-testid=tree] .row.hl').waitFor();
  assert.match(await second.page.locator('[data-testid=hexview] [data-off="17"]').getAttribute('class'), /\bhl\b/);
  assert.deepEqual(second.problems, []);
  await second.close();
  assert.deepEqual(problems, []);
  await close();
});

test('a permalink\'s tree is painted and timed; the service worker is registered after that, not at load', async () => {
  // When the page asks for the worker, and when the tree's root label is painted (element timing).
  const init = () => {
    const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
    navigator.serviceWorker.register = (...args) => { window.registeredAt = performance.now(); return register(...args); };
    window.treePainted = new Promise((resolve) => new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.identifier === 'tree') resolve(e.renderTime || e.loadTime);
    }).observe({ type: 'element', buffered: true }));
  };
  const { page, problems, close } = await openPage(browser, { init });
  await page.goto(`${server.url}#i=${encodeURIComponent(FRAME_698)}&l=en`);
  assert.ok(await page.evaluate(() => window.treePainted) > 0, 'the tree\'s paint is timed');
  // One timed element: the root node's own label.
  assert.equal(await page.locator('[elementtiming]').count(), 1);
  assert.equal(await page.locator('[data-testid=tree] > ul.root > li > .row > .label').getAttribute('elementtiming'), 'tree');
  await page.evaluate(() => navigator.serviceWorker.ready);
  const { registered, loaded, rendered } = await page.evaluate(() => ({
    registered: window.registeredAt,
    loaded: performance.getEntriesByType('navigation')[0].loadEventEnd,
    rendered: performance.getEntriesByName('meterscope:rendered')[0].startTime,
  }));
  assert.ok(registered > rendered, `registered at ${registered} ms, after the first frame's animation frame at ${rendered} ms`);
  assert.ok(registered < loaded + 10000, 'registered when the app said so, not by the fallback');
  assert.deepEqual(problems, []);
  await close();
});

test('diagnostics jump to their byte, and several lines become several frames', async () => {
  const { page, close } = await openPage(browser);
  await page.goto(server.url);
  await page.getByTestId('input').fill('C1 C2 C3\nC4 C5');
  const tabs = page.locator('[data-testid=frames] .frame-tab');
  await tabs.nth(1).waitFor();
  assert.equal(await tabs.count(), 2);
  await tabs.nth(1).click();
  await page.locator('[data-testid=diagnostics] .jump').first().click();
  await page.waitForFunction(() => document.querySelector('[data-testid=hexview] [data-off="3"]')?.classList.contains('hl'));
  await close();
});

test('language switch relabels the tree', async () => {
  const { page, close } = await openPage(browser);
  await page.goto(server.url + '#i=C1+C2&l=en');
  await page.locator('[data-testid=tree] .label').first().waitFor();
  const en = await page.locator('[data-testid=tree] .label').first().textContent();
  await page.getByTestId('lang').click();
  await page.waitForFunction((en) => document.querySelector('[data-testid=tree] .label').textContent !== en, en);
  assert.match(await page.locator('[data-testid=tree] .label').first().textContent(), /[\u4e00-\u9fff]/);
  await close();
});

test('a language switch renders the same decode again: no new decode', async () => {
  const { page, problems, close } = await openPage(browser);
  // DL/T 645 is dissected language-neutrally: one decode serves both languages.
  await page.goto(server.url + '#i=68+AA+AA+AA+AA+AA+AA+68+11+04+33+33+34+33+AE+16&l=en');
  const label = page.locator('[data-testid=tree] .label').first();
  await label.waitFor();
  const decodes = () => page.locator('section.decoder').getAttribute('data-decodes');
  const before = await decodes();
  assert.equal(await label.textContent(), 'DL/T 645-2007 frame');
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.querySelector('[data-testid=tree] .label').textContent));
  assert.equal(await label.textContent(), 'DL/T 645-2007 帧');
  assert.equal(await decodes(), before, 'the language switch decoded the input again');
  await page.getByTestId('lang').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=tree] .label').textContent === 'DL/T 645-2007 frame');
  assert.equal(await decodes(), before);
  // A new input is a new decode.
  await page.getByTestId('input').fill('68 AA AA AA AA AA AA 68 13 00 DF 16');
  await page.waitForFunction((b) => document.querySelector('section.decoder').dataset.decodes !== b, before);
  assert.deepEqual(problems, []);
  await close();
});

test('a binary file opens as hex; keys typed in the key panel stay out of the permalink', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url);
  await page.getByTestId('file').setInputFiles({ name: 'frame.bin', mimeType: 'application/octet-stream',
    buffer: Buffer.from([0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x13, 0x00, 0xDF, 0x16]) });
  await page.waitForFunction(() => document.querySelector('[data-testid=input]').value === '68 AA AA AA AA AA AA 68 13 00 DF 16');
  await page.locator('[data-testid=keys] summary').click();
  await page.getByTestId('key-test').click();
  assert.equal(await page.getByTestId('key-cipher').inputValue(), '000102030405060708090A0B0C0D0E0F');
  await page.getByTestId('key-title').fill('4D4D4D0000BC614E');
  await page.getByTestId('input').fill('68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16');
  await page.waitForFunction(() => location.hash.includes('68+AA'));
  const url = decodeURIComponent(page.url()).toUpperCase();
  for (const secret of ['000102030405060708090A0B0C0D0E0F', 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF', '4D4D4D0000BC614E']) {
    assert.ok(!url.includes(secret), `the permalink carries a key: ${url}`);
  }
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.toUpperCase().includes('000102030405060708090A0B0C0D0E0F'));
  await page.getByTestId('key-cipher').fill('0011');
  assert.match(await page.getByTestId('key-error').textContent(), /16 expected/);
  assert.deepEqual(problems, []);
  await close();
});

test('examples, selection inspector, keyboard and copy as text', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  await page.goto(server.url + '#l=en');
  // "/" focuses the input from anywhere on the page.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'hex-input');
  assert.equal(await page.getByTestId('input').inputValue(), '');

  // The examples menu fills the input; the serial log shows its junk.
  await page.getByTestId('examples').selectOption('serial-log');
  await page.locator('[data-testid=frames] .frame-tab').nth(2).waitFor();
  assert.ok(await page.getByTestId('junk').count() >= 3);
  assert.match(await page.getByTestId('input').inputValue(), /^00 FF 3F FE/);

  // Click a byte, shift-click another: the inspector reads the range.
  await page.getByTestId('examples').selectOption('645-reply');
  await page.locator('[data-testid=hexview] [data-off="14"]').waitFor();
  await page.locator('[data-testid=hexview] [data-off="10"]').click();
  await page.locator('[data-testid=hexview] [data-off="13"]').click({ modifiers: ['Shift'] });
  assert.equal(await page.locator('[data-testid=hexview] .hexbytes .b.sel').count(), 4);
  const bcd = page.locator('[data-testid=inspector] tr[data-name="-0x33 BCD LE"] td');
  assert.equal(await bcd.textContent(), '00010000');
  await page.getByTestId('copy-bytes').click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), '33 33 34 33');

  // Keyboard: arrows move the cursor in the tree, Enter selects, Escape clears.
  await page.getByTestId('tree').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('&s='));
  await page.getByTestId('copy-subtree').click();
  const sub = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(sub, /\[\d+\.\.\d+\)/);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('[data-testid=tree] .row.hl'));
  assert.equal(await page.locator('[data-testid=inspector] tr').count(), 0);

  // The whole decode as text, like the CLI.
  await page.getByTestId('copy-text').click();
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^#1 dlt645-2007  \[0\.\.20\)  valid\n/);
  assert.deepEqual(problems, []);
  await close();
});

test('a 698.45 fragment sequence is reassembled; a missing part is named', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('examples').selectOption('698-fragments');
  await page.getByTestId('dlt698-reassembly').waitFor();
  assert.equal(await page.locator('[data-testid=dlt698-reassembly-parts] li').count(), 4);
  assert.match(await page.getByTestId('dlt698-reassembly-status').textContent(), /^37 bytes/);
  assert.ok(await page.locator('[data-testid=dlt698-reassembly-tree] li.node').count() > 5);
  await page.getByTestId('examples').selectOption('698-fragment-missing');
  await page.waitForFunction(() => /missing part: fragment sequence 2/.test(document.querySelector('[data-testid=dlt698-reassembly-status]')?.textContent ?? ''));
  assert.deepEqual(problems, []);
  await close();
});

test('large inputs: counted, shown on demand, and linked compressed', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  const many = Array.from({ length: 100 }, () => '68 AA AA AA AA AA AA 68 13 00 DF 16').join('\n');
  await page.getByTestId('input').fill(many);
  await page.getByTestId('more-frames').waitFor();
  assert.match(await page.getByTestId('more-frames').textContent(), /36 more frames not shown/);
  assert.equal(await page.locator('[data-testid=frames] .frame-tab').count(), 64);
  await page.getByTestId('more-frames').locator('button').click();
  await page.locator('[data-testid=frames] .frame-tab').nth(99).waitFor();
  // The link is compressed, and opens the same input.
  await page.waitForFunction(() => location.hash.startsWith('#z='));
  const url = page.url();
  assert.ok(url.length < many.length / 4, `link length ${url.length}`);
  const second = await openPage(browser);
  await second.page.goto(url);
  await second.page.locator('[data-testid=frames] .frame-tab').first().waitFor();
  assert.equal(await second.page.getByTestId('input').inputValue(), many);
  await second.close();
  assert.deepEqual(problems, []);
  await close();
});

test('offline: a manifest, and a service worker that serves the page without the server', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url);
  const manifest = await page.evaluate(async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json());
  assert.equal(manifest.short_name, 'meterscope');
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cached = await page.evaluate(async () => {
    const keys = await caches.keys();
    const c = await caches.open(keys.find((k) => k.startsWith('meterscope-')));
    return (await c.keys()).map((r) => new URL(r.url).pathname);
  });
  assert.ok(cached.some((p) => /_bg\.wasm$/.test(p)), cached.join(' '));
  assert.ok(cached.some((p) => /\.css$/.test(p)), cached.join(' '));
  // With the network gone, the page still opens and decodes.
  await page.context().setOffline(true);
  await page.goto(server.url + '?offline#i=68+AA+AA+AA+AA+AA+AA+68+13+00+DF+16&l=en');
  await page.locator('[data-testid=frames] .frame-tab').first().waitFor();
  assert.match(await page.locator('[data-testid=frames] .frame-tab').first().textContent(), /dlt645-2007.*valid/);
  await page.context().setOffline(false);
  assert.deepEqual(problems, []);
  await close();
});

test('a wireless M-Bus telegram in security mode 5 opens with the key typed in the key panel; a wrong key is said to be wrong', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('examples').selectOption('wmbus-mode5');
  await page.waitForFunction(() => /wmbus/.test(document.querySelector('[data-testid=frames] .frame-tab')?.textContent));
  // Without a key: the records are shown encrypted, with the reason.
  await page.waitForFunction(() => /wmbus\.key\.missing/.test(document.querySelector('[data-testid=diagnostics]')?.textContent));
  await page.locator('[data-testid=keys] summary').click();
  assert.match(await page.locator('[data-testid=keys] summary').textContent(), /wireless M-Bus/);
  await page.getByTestId('key-cipher').fill('0102030405060708090A0B0C0D0E0F11');
  // The published OMS example: 28504.27 m³ once decrypted.
  await page.waitForFunction(() => /28504\.27/.test(document.querySelector('[data-testid=tree]')?.textContent));
  assert.doesNotMatch(await page.locator('[data-testid=frames] .frame-tab').first().textContent(), /not valid/);
  await page.getByTestId('key-cipher').fill('0102030405060708090A0B0C0D0E0F12');
  await page.waitForFunction(() => /wmbus\.key\.wrong/.test(document.querySelector('[data-testid=diagnostics]')?.textContent));
  assert.match(await page.locator('[data-testid=frames] .frame-tab').first().textContent(), /not valid/);
  assert.doesNotMatch(await page.getByTestId('tree').textContent(), /28504\.27/);
  assert.deepEqual(problems, []);
  await close();
});

test('the decoder module: the app carries no dissector; input typed while the module loads is decoded when it comes; a module that fails is said so', async () => {
  // The app's own module holds no dictionary: a label only the decoder module carries is not in it.
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { DIST } = await import('./harness.mjs');
  const app = fs.readdirSync(DIST).find((f) => /^meterscope-app-.*_bg\.wasm$/.test(f));
  const decoder = fs.readFileSync(path.join(DIST, 'embed/v0.1.0/meterscope_wasm_bg.wasm'));
  const label = Buffer.from('Server address length');
  assert.ok(decoder.includes(label), 'the decoder module carries the labels');
  assert.ok(!fs.readFileSync(path.join(DIST, app)).includes(label), 'the app module carries none');

  // Slow: the page is drawn, says the decoder is loading, then decodes what was typed.
  {
    const { page, problems, close } = await openPage(browser);
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/embed/v0.1.0/meterscope_wasm_bg.wasm', async (route) => { await held; await route.continue(); });
    await page.goto(server.url);
    await page.getByTestId('input').fill(FRAME_698);
    await page.getByTestId('decoder-loading').waitFor();
    assert.equal(await page.locator('[data-testid=tree] .node').count(), 0);
    release();
    await page.locator('[data-testid=tree] .node').first().waitFor();
    assert.equal(await page.locator('[data-testid=hexview] .hexbytes .b').count(), 33);
    assert.match(await page.getByTestId('guesses').textContent(), /dlt698\.45 100%/);
    assert.equal(await page.getByTestId('decoder-loading').count(), 0);
    assert.deepEqual(problems, []);
    await close();
  }
  // Failed: a link with an input still opens, with the input and the reason in an alert.
  {
    const { page, problems, close } = await openPage(browser);
    await page.route('**/embed/v0.1.0/meterscope_wasm_bg.wasm', (route) => route.abort());
    await page.goto(`${server.url}#i=${encodeURIComponent(FRAME_698)}&l=en`);
    const alert = page.getByTestId('decoder-failed');
    await alert.waitFor();
    assert.match(await alert.textContent(), /The decoder could not be loaded: /);
    assert.equal(await page.getByTestId('input').inputValue(), FRAME_698);
    assert.ok(problems.every((p) => /meterscope_wasm_bg\.wasm|Failed to load resource|WebAssembly|fetch/i.test(p)), problems.join('\n'));
    await close();
  }
});
