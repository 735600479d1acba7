// A ciphered DLMS APDU in the page: not decrypted without keys; decrypted and
// authenticated once the keys are typed into the key panel; keys never in the URL.
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
