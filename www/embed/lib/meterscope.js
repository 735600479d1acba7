// meterscope decoder module: the DL/T 645, DL/T 698.45, DLMS/COSEM, IEC 62056-21
// and DSMR P1 decoder compiled to WebAssembly. Works in browsers and in Node 20
// from the same files; makes no network requests beyond loading its own .wasm
// next to this file.
//
//   import { init, decode, detect, version } from './meterscope.js';
//   await init();
//   const { dissection } = decode('68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16', { lang: 'zh' });
import wbgInit, * as wasm from './meterscope_wasm.js';

let ready;

/** Load the WebAssembly module once. `source` (optional): URL, Response, bytes or WebAssembly.Module. */
export function init(source) {
  if (!ready) {
    ready = (async () => {
      let module_or_path = source;
      if (module_or_path === undefined) {
        const url = new URL('./meterscope_wasm_bg.wasm', import.meta.url);
        if (url.protocol === 'file:') {
          const { readFile } = await import('node:fs/promises');
          module_or_path = await readFile(url);
        } else {
          module_or_path = url;
        }
      }
      await wbgInit({ module_or_path });
    })();
  }
  return ready;
}

function assertReady() {
  if (!ready) throw new Error('meterscope: call and await init() first');
}

/**
 * Decode a frame, several frames or a whole log.
 * @param {string | Uint8Array | ArrayBuffer | number[]} input hex in any common shape, base64, a text telegram, or raw bytes
 * @param {{protocol?: string, lang?: 'en'|'zh', languages?: ('en'|'zh')[], keys?: {cipherKey?: string, authKey?: string, systemTitle?: string}}} [options]
 *   `languages`: render the same decode in each of these too, into `rendered`
 * @returns {{bytes: string, kind: string, dissection: {frames: object[], junk: object[]}, rendered?: Record<string, {frames: object[], junk: object[]}>}}
 */
export function decode(input, options = {}) {
  assertReady();
  const protocol = options.protocol ?? 'auto';
  const lang = options.lang ?? 'en';
  // Several languages: one decode, rendered in each (`rendered.en`, `rendered.zh`).
  const langs = [lang, ...(options.languages ?? []).filter((l) => l !== lang)].join(',');
  const k = options.keys ?? {};
  const json = typeof input === 'string'
    ? wasm.decodeInput(input, protocol, langs, k.cipherKey, k.authKey, k.systemTitle)
    : wasm.decodeBytes(toBytes(input), protocol, langs, k.cipherKey, k.authKey, k.systemTitle);
  return JSON.parse(json);
}

/**
 * Ranked protocol guesses, best first.
 * @param {string | Uint8Array | ArrayBuffer | number[]} input
 * @returns {{protocol: string, title: string, score: number, offset: number}[]}
 */
export function detect(input, options = {}) {
  assertReady();
  const bytes = typeof input === 'string' ? hexBytes(decode(input, options).bytes) : toBytes(input);
  return JSON.parse(wasm.detectBytes(bytes, options.lang ?? 'en'));
}

/**
 * The decoder page's link to `input`: `app` plus the page's permalink
 * fragment (`#i=…&p=…&l=…`), written by the same code as the page's own links.
 * @param {string} app the decoder page's URL
 * @param {string} input hex or text, as `decode` takes it
 * @param {{protocol?: string, lang?: 'en'|'zh'}} [options]
 */
export function permalink(app, input, options = {}) {
  assertReady();
  return `${app}#${wasm.permalink(input, options.protocol ?? 'auto', options.lang ?? '')}`;
}

/** `auto` and the protocol names `decode` accepts. */
export function protocols() {
  assertReady();
  return JSON.parse(wasm.protocolNames());
}

/** The decoder's version (available after init). */
export function version() {
  assertReady();
  return wasm.version();
}

function toBytes(input) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (Array.isArray(input)) return Uint8Array.from(input);
  throw new TypeError('meterscope: input must be a string, Uint8Array, ArrayBuffer or array of bytes');
}

function hexBytes(hex) {
  return hex ? Uint8Array.from(hex.split(' '), (h) => parseInt(h, 16)) : new Uint8Array();
}
