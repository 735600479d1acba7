// A ciphered DLMS APDU in the page: not decrypted without keys; decrypted and
// authenticated once the keys are typed into the key panel; keys never in the URL.
// HDLC segments joined into one GET response, a missing segment named; the
// profile buffer inside as a table; HLS-GMAC answers checked with the keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const GLO = 'c81e3001234567411312ff935a47566827c467bc7d825c3be4a77c3fcc056b6b';

test('a glo-get-request is decrypted with the keys from the key panel', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').fill(GLO);
  const tree = page.getByTestId('tree');
  await tree.locator('.node').first().waitFor();
  assert.doesNotMatch(await tree.textContent(), /0\.0\.1\.0\.0\.255|0-0:1\.0\.0/);
  assert.match(await page.getByTestId('diagnostics').textContent(), /no cipher key/);

  await page.locator('[data-testid=keys] summary').click();
  await page.getByTestId('key-test').click();
  await page.getByTestId('key-title').fill('4D4D4D0000BC614E');
  await page.waitForFunction(() => /0-0:1\.0\.0/.test(document.querySelector('[data-testid=tree]').textContent));
  const text = await tree.textContent();
  assert.match(text, /authenticated/i);
  assert.match(text, /Clock/);

  // A wrong authentication key: decrypted, but the tag does not match.
  await page.getByTestId('key-auth').fill('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDE');
  await page.waitForFunction(() => /mismatch/i.test(document.querySelector('[data-testid=tree]').textContent + document.querySelector('[data-testid=diagnostics]').textContent));

  const url = decodeURIComponent(page.url()).toUpperCase();
  for (const secret of ['000102030405060708090A0B0C0D0E0F', 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDE', '4D4D4D0000BC614E']) {
    assert.ok(!url.includes(secret), 'no key in the permalink');
  }
  assert.deepEqual(problems, []);
  await close();
});

test('HDLC segments are joined into one GET response; a missing segment is named', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('examples').selectOption('hdlc-segments');
  const pane = page.getByTestId('dlms-reassembly');
  await pane.waitFor();
  assert.equal(await pane.locator('[data-testid=dlms-reassembly-parts] li').count(), 3);
  assert.match(await pane.locator('[data-testid=dlms-reassembly-parts] li').first().textContent(), /^#2 N\(S\) 0 /);
  assert.equal(await pane.getByTestId('dlms-reassembly-status').textContent(), '217 bytes');
  assert.match(await pane.getByTestId('dlms-reassembly-tree').textContent(), /get-response-normal/);
  // The rows of the load profile, one line each.
  assert.match(await page.getByTestId('dlms-profile').textContent(), /2024-05-17T10:15:00\.00 \| 1234250 \| 56003/);

  // The second segment (fourth line) taken out: the gap is named, nothing is joined.
  const lines = (await page.getByTestId('input').inputValue()).split('\n');
  assert.equal(lines.length, 6);
  await page.getByTestId('input').fill([...lines.slice(0, 3), ...lines.slice(4)].join('\n'));
  await page.waitForFunction(() => /missing: part 1/.test(document.querySelector('[data-testid=dlms-reassembly-status]')?.textContent ?? ''));
  assert.equal(await page.locator('[data-testid=dlms-reassembly-tree]').count(), 0);
  assert.equal(await page.locator('[data-testid=dlms-profile]').count(), 0);
  assert.deepEqual(problems, []);
  await close();
});

// An HLS-GMAC association with the simulated meter (keys of the Green Book
// examples): SNRM, UA, AARQ and AARE in two segments each, f(StoC), f(CtoS), a GET.
const HLS = [
  '7EA01E0303934E2B818012050140060140070400000001080400000001B72C7E',
  '7EA01E03037340CC818012050140060140070400000001080400000001B72C7E',
  '7EA849030310CA45E6E6006042A109060760857405080101A60A04084D545300000000078A0207808B0760857405080205AC0A80086D65746572736370BE10040E01000000065F1F3D897E',
  '7EA00703033194977E',
  '7EA0100303128D100400207E1F040035E27E',
  '7EA849030350CE07E6E7006156A109060760857405080101A203020100A305A10302010EA40A04084D5343000000000188020780890760857405080205AA128010555E6B4F21642CFF527E',
  '7EA00703033194977E',
  '7EA024030352976C217E7B5B6E7D4F5762BE10040E0800065F1F0400007E1F020000071D337E',
  '7EA02C03035479ECE6E600C301C3000F0000280000FF01010911100000006435DC0120A770843886C1A47658C07E',
  '7EA0250303741834E6E700C701C3000100091110000000014C28DA06D612E1765BC5857C54727E',
  '7EA019030376CCCCE6E600C001C400080000010000FF0200A4117E',
  '7EA01D0303962E59E6E700C401C4001907E80511050A1E0100800000627A7E',
].join('\n');

test('HLS-GMAC answers are checked once the keys are given', async () => {
  const { page, problems, close } = await openPage(browser);
  await page.goto(server.url + '#l=en');
  await page.getByTestId('input').fill(HLS);
  await page.locator('[data-testid=dlms-reassembly]').first().waitFor();
  assert.equal(await page.locator('[data-testid=dlms-reassembly]').count(), 2, 'the AARQ and the AARE, each in two segments');
  assert.equal(await page.locator('[data-testid=dlms-hls]').count(), 0, 'nothing to check without keys');

  await page.locator('[data-testid=keys] summary').click();
  await page.getByTestId('key-test').click();
  const checks = page.getByTestId('analysis-check');
  await checks.nth(1).waitFor();
  assert.equal(await checks.count(), 2);
  for (const i of [0, 1]) assert.match(await checks.nth(i).textContent(), /: correct · /);
  assert.equal(await page.getByTestId('dlms-hls-status').textContent(), 'challenge response verified');
  assert.match(await checks.nth(0).textContent(), /^#9 HLS-GMAC f\(StoC\)/);
  assert.match(await checks.nth(1).textContent(), /^#10 HLS-GMAC f\(CtoS\)/);

  // Another authentication key: both answers mismatch, the value they should have shown.
  await page.getByTestId('key-auth').fill('D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDE');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=analysis-check]')].every((e) => /mismatch/.test(e.textContent)));
  const [, stated, computed] = (await checks.nth(0).textContent()).match(/stated (\w+) · computed (\w+)/);
  assert.match(stated, /^1000000064[0-9A-F]{24}$/, 'SC, IC 100, the tag sent');
  assert.ok(computed.startsWith('1000000064') && computed !== stated);
  assert.deepEqual(problems, []);
  await close();
});
