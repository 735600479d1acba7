// The embeddable module in Node 20: decode every public example frame and
// compare with the CLI's JSON for the same input (same shape, same values).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const embed = path.join(root, 'dist/embed');
const versionDir = fs.readdirSync(embed).find((d) => /^v\d/.test(d));
const cli = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target'), 'debug/meterscope');
const vectors = JSON.parse(fs.readFileSync(path.join(root, 'crates/meterscope-core/tests/data/public-vectors.json'), 'utf8'));
let ms;

before(async () => {
  assert.ok(versionDir, 'dist/embed/v<version> exists (trunk build --release runs scripts/build-embed.sh)');
  assert.ok(fs.existsSync(cli), 'the CLI is built (cargo test builds target/debug/meterscope)');
  ms = await import(pathToFileURL(path.join(embed, versionDir, 'meterscope.js')).href);
  await ms.init();
});

function cliJson(input, lang) {
  const r = spawnSync(cli, ['decode', '--json', '--lang', lang, '-'], { input, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, `CLI exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('every public vector decodes in Node exactly as the CLI decodes it', () => {
  const families = new Set();
  for (const v of vectors) {
    const input = v.hex ?? v.hex_or_text;
    for (const lang of ['en', 'zh']) {
      const fromModule = ms.decode(input, { lang });
      assert.deepEqual(fromModule.dissection, cliJson(input, lang), `${v.id} (${lang})`);
    }
    for (const f of ms.decode(input).dissection.frames) families.add(f.protocol);
  }
  for (const p of ['dlt645-2007', 'dlt645-1997', 'dlt698.45', 'dlt698.45-apdu', 'dlms-hdlc', 'dlms-wrapper', 'dlms-apdu', 'iec62056-21', 'dsmr-p1']) {
    assert.ok(families.has(p), `a vector of ${p} decoded`);
  }
});

test('one decode rendered in both languages equals a decode in each', () => {
  for (const v of vectors) {
    const input = v.hex ?? v.hex_or_text;
    const both = ms.decode(input, { lang: 'en', languages: ['zh'] });
    assert.deepEqual(Object.keys(both.rendered), ['en', 'zh'], v.id);
    assert.deepEqual(both.rendered.en, both.dissection, v.id);
    assert.deepEqual(both.rendered.zh, ms.decode(input, { lang: 'zh' }).dissection, `${v.id} (zh)`);
  }
  assert.equal(ms.decode('68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16').rendered, undefined);
});

test('link fragments joined across frames, as the CLI shows them', () => {
  const fragments = [
    '68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 00 00 85 01 01 00 10 02 00 01 01 05 F4 1B 16',
    '68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 01 C0 06 00 00 12 34 06 00 00 01 00 BD EC 16',
    '68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 02 C0 06 00 00 02 00 06 00 00 03 00 56 3A 16',
    '68 18 00 E3 05 12 90 78 56 34 12 10 80 11 03 40 06 00 00 04 00 00 00 03 96 16',
  ].join('\n');
  const { dissection } = ms.decode(fragments);
  const [a] = dissection.analyses;
  assert.equal(a.id, 'dlt698.reassembly');
  assert.equal(a.status, '37 bytes');
  assert.deepEqual(a.parts.map((p) => p.frame), [0, 1, 2, 3]);
  assert.equal(a.frame.protocol, 'dlt698.45-apdu');
  assert.deepEqual(dissection, cliJson(fragments, 'en'));
});

test('bytes, detection, protocols, version and errors', () => {
  const bytes = [0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0xAE, 0x16];
  const a = ms.decode(Uint8Array.from(bytes));
  const b = ms.decode(bytes.map((x) => x.toString(16).padStart(2, '0')).join(' '));
  assert.deepEqual(a.dissection, b.dissection);
  assert.equal(a.dissection.frames[0].protocol, 'dlt645-2007');
  assert.equal(ms.detect(Uint8Array.from(bytes))[0].protocol, 'dlt645-2007');
  assert.ok(ms.protocols().includes('dlms-hdlc'));
  assert.match(ms.version(), /^\d+\.\d+\.\d+$/);
  assert.throws(() => ms.decode('68 1G'), /line 1, column 5/);
  assert.throws(() => ms.decode('68', { keys: { cipherKey: '0011' } }), /cipherKey: 2 bytes, 16 expected/);
});

test('keys decrypt a ciphered APDU', () => {
  const v = vectors.find((x) => x.protocol.includes('ciphered') && x.id.startsWith('glo'));
  const input = v.hex ?? v.hex_or_text;
  const plain = ms.decode(input);
  const keyed = ms.decode(input, { keys: { cipherKey: '000102030405060708090A0B0C0D0E0F', authKey: 'D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF' } });
  assert.notDeepEqual(plain.dissection, keyed.dissection);
  assert.match(JSON.stringify(keyed.dissection), /authenticated/i);
});

test('links to the decoder page are written by the page\'s own permalink code', () => {
  assert.equal(ms.permalink('https://example.org/meterscope/', '68 AA', { protocol: 'dlt645', lang: 'zh' }),
    'https://example.org/meterscope/#i=68+AA&p=dlt645&l=zh');
  assert.equal(ms.permalink('app', "(a)!*'~"), 'app#i=%28a%29%21%2A%27~');
  // Long inputs stay readable (the module carries no compressor); the page opens both forms.
  const long = '68 AA '.repeat(1000);
  assert.ok(ms.permalink('app', long, { protocol: 'auto' }).startsWith('app#i=68+AA+68+AA'));
});

// The family modules. Each test takes fresh instances of the wrapper (its own
// state: which modules it has loaded); the full decoder's instance is `ms`.
const FAMILY_MODULES = {
  sml: 'sml', iec62056: 'iec62056', dlt645: 'dlt645', dlt698: 'dlt698', dlms: 'iec62056,dlms',
  qgdw1376: 'dlt645,dlt698,qgdw1376', mbus: 'sml,mbus',
};
let instances = 0;
const fresh = () => import(`${pathToFileURL(path.join(embed, versionDir, 'meterscope.js')).href}?${++instances}`);
const allVectors = [
  ...vectors,
  ...JSON.parse(fs.readFileSync(path.join(root, 'crates/meterscope-core/tests/data/new-public-vectors.json'), 'utf8')).vectors,
];

test('the family modules are built, and each says which families it dissects', async () => {
  for (const [name, families] of Object.entries(FAMILY_MODULES)) {
    const dir = path.join(embed, versionDir, 'family', name);
    const glue = await import(pathToFileURL(path.join(dir, `meterscope_${name}.js`)).href);
    await glue.default({ module_or_path: fs.readFileSync(path.join(dir, `meterscope_${name}_bg.wasm`)) });
    assert.equal(glue.families(), families, name);
    // Every protocol keeps its name, dissected here or not.
    assert.deepEqual(JSON.parse(glue.protocolNames()), ms.protocols(), name);
  }
});

test('a protocol named loads its family module alone, which decodes every vector as the full decoder', async () => {
  const byProtocol = new Map();
  const used = new Set();
  let alone = 0;
  for (const v of allVectors) {
    const input = v.hex ?? v.hex_or_text;
    const protocol = ms.decode(input).dissection.frames[0]?.protocol;
    if (!protocol || protocol === 'unknown') continue;
    if (!byProtocol.has(protocol)) byProtocol.set(protocol, await fresh());
    const m = byProtocol.get(protocol);
    await m.load(input, { protocol });
    const options = { protocol, lang: 'zh', languages: ['en'] };
    assert.deepEqual(m.decode(input, options), ms.decode(input, options), `${v.id} (${protocol})`);
    if (!m.modules().includes('full')) {
      alone += 1;
      m.modules().forEach((n) => used.add(n));
    }
  }
  assert.deepEqual([...used].sort(), Object.keys(FAMILY_MODULES).sort(), 'every family module decoded a vector');
  console.log(`${alone} of ${allVectors.length} vectors without the full decoder`);
  assert.ok(alone > allVectors.length * 0.8, `${alone} of ${allVectors.length} vectors without the full decoder`);
});

test('a loaded family module decodes what it covers; for the rest decode names the families and load fetches them', async () => {
  const dlt645 = '68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16';
  const dlt698 = '68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16';
  const hdlc = '7ea00802232193bd647e';
  const apdu = 'C0 01 C1 00 03 01 01 01 08 00 FF 02 00';
  const m = await fresh();
  assert.throws(() => m.decode(dlt645), /await init\(\) or load\(\) first/);
  await m.load(dlt645, { protocol: 'dlt645-2007' });
  assert.deepEqual(m.modules(), ['dlt645']);
  assert.deepEqual(m.decode(dlt645), ms.decode(dlt645));
  assert.equal(m.detect(dlt645)[0].protocol, 'dlt645-2007');
  // A bare DLMS APDU: framed only by its dissector, found where it could start.
  assert.throws(() => m.decode(apdu), /needs the dlms decoder/);
  await m.load(apdu);
  assert.deepEqual(m.modules(), ['dlt645', 'dlms']);
  assert.deepEqual(m.decode(apdu), ms.decode(apdu));
  // DL/T 645 and 698.45 together: the module that has both.
  const both = `${dlt645}\n${dlt698}`;
  assert.throws(() => m.decode(both), /needs the dlt645, dlt698 decoder/);
  await m.load(both);
  assert.deepEqual(m.modules(), ['dlt645', 'dlms', 'qgdw1376']);
  assert.deepEqual(m.decode(both, { lang: 'zh' }), ms.decode(both, { lang: 'zh' }));
  // DL/T 645 and DLMS over HDLC: no family module has both, the full decoder does.
  const mixed = `${dlt645}\n${hdlc}`;
  await m.load(mixed);
  assert.deepEqual(m.modules(), ['full', 'dlt645', 'dlms', 'qgdw1376']);
  assert.deepEqual(m.decode(mixed), ms.decode(mixed));
  // Unreadable input loads what its protocol names; decode says where it fails.
  const bad = await fresh();
  await bad.load('68 1G', { protocol: 'dlt645-2007' });
  assert.deepEqual(bad.modules(), ['dlt645']);
  assert.throws(() => bad.decode('68 1G'), /line 1, column 5/);
  // A name that is no protocol's (decoded as detected): its family's module, then, as that
  // one finds the input needs more, the module that has it all.
  const named = await fresh();
  await named.load(both, { protocol: 'dlt645' });
  assert.deepEqual(named.modules(), ['dlt645', 'qgdw1376']);
  assert.deepEqual(named.decode(both, { protocol: 'dlt645' }), ms.decode(both));
  // Nothing named and nothing loaded: the full decoder.
  const auto = await fresh();
  await auto.load(dlt645);
  assert.deepEqual(auto.modules(), ['full']);
});
