// Shared test harness: serve dist/ on 127.0.0.1 and launch Debian's Chromium.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DIST = path.resolve(here, '../../dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json',
};

/** Serve `root` on a free port of 127.0.0.1; resolves to { url, close }. */
export async function serve(root = DIST) {
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`${root}/index.html missing: run trunk build --release`);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, rel);
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records console errors, page errors and any request leaving 127.0.0.1. */
export async function openPage(browser, { init } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['127.0.0.1', ''].includes(u.hostname) && !u.protocol.startsWith('data')) problems.push(`network: ${r.url()}`);
  });
  if (init) await page.addInitScript(init);
  return { page, problems, close: () => context.close() };
}

/** Every <meter-frame> of the embedding page scrolled into view and rendered; returns them (at least seven). */
export async function renderedMeterFrames(page) {
  const frames = page.locator('meter-frame');
  const n = await frames.count();
  if (n < 7) throw new Error(`${n} examples on the embedding page`);
  for (let i = 0; i < n; i++) {
    await frames.nth(i).scrollIntoViewIfNeeded();
    await frames.nth(i).locator('section.frame').first().waitFor();
  }
  return frames;
}
