// meterscope decoder module: the DL/T 645, DL/T 698.45, Q/GDW 1376, DLMS/COSEM,
// IEC 62056-21, DSMR P1, M-Bus, wireless M-Bus/OMS and SML decoder compiled to
// WebAssembly. Works in browsers and in Node 20 from the same files; makes no
// network requests beyond loading its own files next to this one.
//
//   import { init, load, decode, detect, version } from './meterscope.js';
//   await init();                                  // every family (the full decoder)
//   const { dissection } = decode('68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16', { lang: 'zh' });
//
//   await load(hex, { protocol: 'dlt645-2007' });  // only what this input needs
//   decode(hex, { protocol: 'dlt645-2007' });
import wbgInit, * as wasm from './meterscope_wasm.js';

// The family modules, smallest first: each dissects these families and frames
// every other, and decodes an input whose frames are all of its families
// exactly as the full decoder does (family/<name>/meterscope_<name>.js).
const FAMILY_MODULES = [
  ['sml', ['sml']],
  ['iec62056', ['iec62056']],
  ['dlt645', ['dlt645']],
  ['dlt698', ['dlt698']],
  ['dlms', ['iec62056', 'dlms']],
  ['qgdw1376', ['dlt645', 'dlt698', 'qgdw1376']],
  ['mbus', ['sml', 'mbus']],
];

let ready;
let fullLoaded = false;
// Family modules by name: loading (promises) and loaded (their exports).
const loading = new Map();
const loaded = new Map();

/** `source` as wasm-bindgen takes it: a file URL read in Node, else the URL. */
async function modulePath(url) {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return readFile(url);
  }
  return url;
}

/** Load the full decoder (every family) once. `source` (optional): URL, Response, bytes or WebAssembly.Module. */
export function init(source) {
  if (!ready) {
    ready = (async () => {
      const module_or_path = source ?? (await modulePath(new URL('./meterscope_wasm_bg.wasm', import.meta.url)));
      await wbgInit({ module_or_path });
      fullLoaded = true;
    })();
  }
  return ready;
}

function loadFamily(name) {
  if (!loading.has(name)) {
    loading.set(name, (async () => {
      const mod = await import(new URL(`./family/${name}/meterscope_${name}.js`, import.meta.url).href);
      await mod.default({ module_or_path: await modulePath(new URL(`./family/${name}/meterscope_${name}_bg.wasm`, import.meta.url)) });
      loaded.set(name, mod);
    })().catch((e) => {
      // Tried again by the next load.
      loading.delete(name);
      throw e;
    }));
  }
  return loading.get(name);
}

/** The family of a protocol name (`dlt645-2007` → `dlt645`), as the decoder names it. */
function familyOf(protocol) {
  const p = protocol.toLowerCase();
  const prefixes = [['dlt645', 'dlt645'], ['dlt698', 'dlt698'], ['iec62056', 'iec62056'], ['dsmr', 'iec62056'],
    ['dlms', 'dlms'], ['qgdw1376', 'qgdw1376'], ['sml', 'sml'], ['mbus', 'mbus'], ['wmbus', 'mbus']];
  return prefixes.find(([prefix]) => p.startsWith(prefix))?.[1];
}

class NeedsError extends Error {
  constructor(families) {
    super(`meterscope: this input needs the ${families.join(', ')} decoder: await load(input) or init() first`);
    this.families = families;
  }
}

/** The families `input`'s dissection takes, as family module `mod` finds them (input errors throw). */
function needs(mod, input, protocol) {
  const list = typeof input === 'string' ? mod.needsInput(input, protocol) : mod.needsBytes(toBytes(input), protocol);
  return list ? list.split(',') : [];
}

/** The loaded module that decodes `input` as the full decoder does: a family module that covers it, else the full one. */
function pick(input, protocol) {
  let wanted;
  for (const [name, families] of FAMILY_MODULES) {
    const mod = loaded.get(name);
    if (!mod) continue;
    const need = needs(mod, input, protocol);
    if (need.every((f) => families.includes(f))) return mod;
    wanted ??= need;
  }
  if (fullLoaded) return wasm;
  if (wanted) throw new NeedsError(wanted);
  throw new Error('meterscope: call and await init() or load() first');
}

/**
 * Load what decoding `input` takes, and nothing already loaded: with a protocol
 * named, or with a family module already loaded, the smallest family module
 * whose families the input's frames are all of; otherwise, or where none is,
 * the full decoder. Input that cannot be read loads what its protocol names
 * (`decode` then throws its message).
 * @param {string | Uint8Array | ArrayBuffer | number[]} input
 * @param {{protocol?: string}} [options]
 */
export async function load(input, options = {}) {
  const protocol = options.protocol ?? 'auto';
  let want;
  try {
    pick(input, protocol);
    return;
  } catch (e) {
    if (e instanceof NeedsError) want = e.families;
    else if (loaded.size > 0 || fullLoaded) return;
  }
  want ??= protocol !== 'auto' && familyOf(protocol) ? [familyOf(protocol)] : undefined;
  // The module guessed from the name may find the input needs more: then the one it names.
  for (let tries = 0; tries < 2; tries++) {
    const spec = want && FAMILY_MODULES.find(([, families]) => want.every((f) => families.includes(f)));
    if (!spec) return init();
    try {
      await loadFamily(spec[0]);
    } catch {
      return init();
    }
    try {
      pick(input, protocol);
      return;
    } catch (e) {
      if (!(e instanceof NeedsError)) return;
      want = e.families;
    }
  }
  return init();
}

/** The modules loaded so far: `full` and the family modules' names. */
export function modules() {
  return [...(fullLoaded ? ['full'] : []), ...FAMILY_MODULES.map(([name]) => name).filter((n) => loaded.has(n))];
}

/** A loaded module for what every module answers alike (names, links, version). */
function any() {
  if (fullLoaded) return wasm;
  const first = loaded.values().next();
  if (first.done) throw new Error('meterscope: call and await init() or load() first');
  return first.value;
}

/**
 * Decode a frame, several frames or a whole log.
 * @param {string | Uint8Array | ArrayBuffer | number[]} input hex in any common shape, base64, a text telegram, or raw bytes
 * @param {{protocol?: string, lang?: 'en'|'zh', languages?: ('en'|'zh')[], keys?: {cipherKey?: string, authKey?: string, systemTitle?: string}}} [options]
 *   `languages`: render the same decode in each of these too, into `rendered`
 * @returns {{bytes: string, kind: string, dissection: {frames: object[], junk: object[]}, rendered?: Record<string, {frames: object[], junk: object[]}>}}
 */
export function decode(input, options = {}) {
  const protocol = options.protocol ?? 'auto';
  const mod = pick(input, protocol);
  const lang = options.lang ?? 'en';
  // Several languages: one decode, rendered in each (`rendered.en`, `rendered.zh`).
  const langs = [lang, ...(options.languages ?? []).filter((l) => l !== lang)].join(',');
  const k = options.keys ?? {};
  const json = typeof input === 'string'
    ? mod.decodeInput(input, protocol, langs, k.cipherKey, k.authKey, k.systemTitle)
    : mod.decodeBytes(toBytes(input), protocol, langs, k.cipherKey, k.authKey, k.systemTitle);
  return JSON.parse(json);
}

/**
 * Ranked protocol guesses, best first.
 * @param {string | Uint8Array | ArrayBuffer | number[]} input
 * @returns {{protocol: string, title: string, score: number, offset: number}[]}
 */
export function detect(input, options = {}) {
  const bytes = typeof input === 'string' ? hexBytes(decode(input, options).bytes) : toBytes(input);
  return JSON.parse(pick(bytes, 'auto').detectBytes(bytes, options.lang ?? 'en'));
}

/**
 * The decoder page's link to `input`: `app` plus the page's permalink
 * fragment (`#i=…&p=…&l=…`), written by the same code as the page's own links.
 * @param {string} app the decoder page's URL
 * @param {string} input hex or text, as `decode` takes it
 * @param {{protocol?: string, lang?: 'en'|'zh'}} [options]
 */
export function permalink(app, input, options = {}) {
  return `${app}#${any().permalink(input, options.protocol ?? 'auto', options.lang ?? '')}`;
}

/** `auto` and the protocol names `decode` accepts. */
export function protocols() {
  return JSON.parse(any().protocolNames());
}

/** The decoder's version (available after init). */
export function version() {
  return any().version();
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
