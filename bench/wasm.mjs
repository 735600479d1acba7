// The benchmark corpus through the WebAssembly build of the core, in Node.
// Reads target/bench/corpus.bin and native.json written by bench-native, prints
// throughput and the WebAssembly/native ratio.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const embed = path.join(root, 'target/bench/site/embed');
const dir = path.join(embed, fs.readdirSync(embed).find((d) => d.startsWith('v')));
const wasm = await import(pathToFileURL(path.join(dir, 'meterscope_wasm.js')).href);
await wasm.default({ module_or_path: fs.readFileSync(path.join(dir, 'meterscope_wasm_bg.wasm')) });

const buf = fs.readFileSync(path.join(root, 'target/bench/corpus.bin'));
const samples = [];
for (let at = 0; at < buf.length;) {
  const n = buf.readUInt32LE(at);
  samples.push(new Uint8Array(buf.buffer, buf.byteOffset + at + 4, n));
  at += 4 + n;
}
const bytes = samples.reduce((a, s) => a + s.length, 0);
let sink = 0;
for (const s of samples) sink += wasm.dissectCount(s);
let passes = 0;
const t0 = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < 1.0 || passes < 3) {
  for (const s of samples) sink += wasm.dissectCount(s);
  passes++;
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
}
const inputsPerS = (samples.length * passes) / elapsed;
const mbPerS = (bytes * passes) / elapsed / 1e6;
console.log(`wasm    split+dissect: ${inputsPerS.toFixed(0).padStart(12)} inputs/s  ${mbPerS.toFixed(2).padStart(8)} MB/s  (${passes} passes, sink ${sink}, meterscope-wasm ${wasm.version()})`);
const native = JSON.parse(fs.readFileSync(path.join(root, 'target/bench/native.json'), 'utf8'));
console.log(`ratio   wasm/native throughput: ${(mbPerS / native.mb_per_s).toFixed(2)} (native ${native.mb_per_s.toFixed(2)} MB/s)`);
