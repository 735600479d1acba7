// Refresh docs/screenshot.png from the release build: node tests/e2e/screenshot.mjs [hex]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, openPage } from './harness.mjs';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshot.png');
const hex = process.argv[2] ?? 'FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16';
const server = await serve();
const browser = await launch();
const { page, close } = await openPage(browser);
await page.setViewportSize({ width: 1200, height: 640 });
await page.goto(server.url + '#l=en');
await page.getByTestId('input').fill(hex);
await page.locator('[data-testid=hexview] .hexbytes .b').first().waitFor();
const cells = page.locator('[data-testid=hexview] .hexbytes .b');
await cells.nth(Math.min(5, (await cells.count()) - 1)).hover();
await page.screenshot({ path: out });
await close();
await browser.close();
await server.close();
console.log(`wrote ${out}`);
