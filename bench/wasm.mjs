// The benchmark corpus through the WebAssembly build of the core, in Node, per
// group: framing only (splitCountEach) and full dissection (dissectCountEach). Reads
// target/bench/corpus.bin and native.json written by bench-native, prints the
// figures with the WebAssembly/native ratio and writes target/bench/wasm.json.
// Each input is dissected on its own, as natively; a pass hands the inputs to the module laid
// end to end in one call (dissectCountEach), and the per-call rate (dissectCount once per
// input from JavaScript) is printed beside it.
// With --native BIN, each group's native figures are taken again round by round between the
// WebAssembly rounds (bench-native --group G --rounds 1), so that each ratio compares figures
// taken in the same moments of a shared machine; without it, native.json's are used.
// Usage: node bench/wasm.mjs [--secs S] [--native BIN --seed N]   (each measurement: whole passes, at least S s in all)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'target/bench');
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const minSecs = Number(arg('--secs') ?? 1.0);
const nativeBin = arg('--native');
const seed = arg('--seed') ?? '1';

// The log worker's module: the decoder with the benchmark's entry points, its core built for speed.
const dir = path.join(out, 'site/worker');
const wasm = await import(pathToFileURL(path.join(dir, 'meterscope_worker.js')).href);
await wasm.default({ module_or_path: fs.readFileSync(path.join(dir, 'meterscope_worker_bg.wasm')) });

// Records: u8 group length, group, u32 LE length, bytes.
const buf = fs.readFileSync(path.join(out, 'corpus.bin'));
const samples = [];
for (let at = 0; at < buf.length;) {
  const g = buf.toString('latin1', at + 1, at + 1 + buf[at]);
  at += 1 + buf[at];
  const n = buf.readUInt32LE(at);
  samples.push({ group: g, bytes: new Uint8Array(buf.buffer, buf.byteOffset + at + 4, n) });
  at += 4 + n;
}
const native = JSON.parse(fs.readFileSync(path.join(out, 'native.json'), 'utf8'));

// Whole passes over `inputs`, timed in rounds of at least minSecs/3 (and 3 passes) each;
// `result()` gives [passes, seconds, sink] of the fastest round, as natively. Before the first
// round, passes for a quarter of minSecs (at least one): V8 first runs WebAssembly through its
// baseline compiler and moves hot functions to its optimising one as they run, so a cold start
// would measure the baseline code.
function timer(inputs, work) {
  let sink = 0;
  let best = null;
  let warm = false;
  const run = (done) => {
    let passes = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (!done(passes, elapsed)) {
      for (const s of inputs) sink += work(s);
      passes++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    return [passes, elapsed];
  };
  return {
    round() {
      if (!warm) run((n, t) => n >= 1 && t >= minSecs / 4);
      warm = true;
      const [n, t] = run((n, t) => n >= 3 && t >= minSecs / 3);
      if (!best || n / t > best[0] / best[1]) best = [n, t];
    },
    result: () => [best[0], best[1], sink],
  };
}

// The fastest of three rounds.
function measure(inputs, work) {
  const t = timer(inputs, work);
  for (let r = 0; r < 3; r++) t.round();
  return t.result();
}

// One round of the native figures of `group` (split and dissect, after a warm-up pass each).
function nativeRound(group) {
  const args = ['--seed', seed, '--group', group, '--rounds', '1', '--secs', String(minSecs / 3), '--json'];
  const r = spawnSync(nativeBin, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${nativeBin} ${args.join(' ')}: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout);
}

const all = samples.map((s) => s.bytes);
const totalBytes = all.reduce((a, s) => a + s.length, 0);
const allJoined = new Uint8Array(totalBytes);
const allEnds = new Uint32Array(all.length);
all.reduce((at, s, i) => { allJoined.set(s, at); allEnds[i] = at + s.length; return allEnds[i]; }, 0);
const [wp, wt, wsink] = measure([allJoined], () => wasm.dissectCountEach(allJoined, allEnds));
const wholeMb = (totalBytes * wp) / wt / 1e6;
console.log(`wasm    whole corpus split+dissect: ${((all.length * wp) / wt).toFixed(0).padStart(10)} inputs/s ${wholeMb.toFixed(2).padStart(8)} MB/s  (${wp} passes, sink ${wsink}, meterscope-wasm ${wasm.version()}, Node ${process.version})`);
console.log(`ratio   whole corpus wasm/native: ${(wholeMb / native.mb_per_s).toFixed(2)} (native ${native.mb_per_s.toFixed(2)} MB/s)`);
console.log('');
const pad = (s, n) => String(s).padStart(n);
// Per group, each input dissected on its own as the native benchmark does, two ways: the
// inputs laid end to end and walked inside the module (one call per pass, the native loop's
// equivalent and the ratio reported), and one call per input from JavaScript (each input
// copied into the module's memory by the bindings: the boundary's cost shows as the gap).
// With --native, the ratios divide by the native figures timed between these rounds (shown
// under "native"), the fastest of three rounds each, alternating.
console.log(`wasm    ${'group'.padEnd(13)} ${pad('split fr/s', 12)} ${pad('MB/s', 9)} ${pad('/native', 7)}  ${pad('dissect fr/s', 12)} ${pad('MB/s', 9)} ${pad('native', 9)} ${pad('/native', 7)}  ${pad('per call', 12)} ${pad('/native', 7)}`);
const groups = [];
for (const g of native.groups) {
  const inputs = samples.filter((s) => s.group === g.group).map((s) => s.bytes);
  const joined = new Uint8Array(inputs.reduce((a, s) => a + s.length, 0));
  const ends = new Uint32Array(inputs.length);
  inputs.reduce((at, s, i) => { joined.set(s, at); ends[i] = at + s.length; return ends[i]; }, 0);
  const row = { group: g.group, inputs: inputs.length, frames: g.frames, bytes: g.bytes };
  const timers = {
    split: timer([joined], () => wasm.splitCountEach(joined, ends)),
    dissect: timer([joined], () => wasm.dissectCountEach(joined, ends)),
  };
  // The native figures to divide by: native.json's, or the fastest of the rounds taken here.
  const nat = { split: g.split.frames_per_s, dissect: g.dissect.frames_per_s };
  const adjacent = { split: 0, dissect: 0 };
  for (let r = 0; r < 3; r++) {
    if (nativeBin) {
      const n = nativeRound(g.group);
      for (const name of ['split', 'dissect']) adjacent[name] = Math.max(adjacent[name], n[name].frames_per_s);
    }
    timers.split.round();
    timers.dissect.round();
  }
  if (nativeBin) Object.assign(nat, adjacent);
  row.native = { split: Math.round(nat.split), dissect: Math.round(nat.dissect), adjacent: Boolean(nativeBin) };
  const rate = (name, passes, t) => {
    const fps = (g.frames * passes) / t;
    const ratio = fps / nat[name];
    return { frames_per_s: Math.round(fps), mb_per_s: Number(((g.bytes * passes) / t / 1e6).toFixed(3)), passes, ratio: Number(ratio.toFixed(3)) };
  };
  let line = `wasm    ${g.group.padEnd(13)}`;
  for (const name of ['split', 'dissect']) {
    const [passes, t] = timers[name].result();
    row[name] = rate(name, passes, t);
    line += ` ${pad(row[name].frames_per_s, 12)} ${pad(row[name].mb_per_s.toFixed(2), 9)}`;
    if (name === 'dissect') line += ` ${pad(row.native.dissect, 9)}`;
    line += ` ${pad(row[name].ratio.toFixed(2), 7)} `;
  }
  const [passes, t] = measure(inputs, (s) => wasm.dissectCount(s));
  row.dissect_per_call = rate('dissect', passes, t);
  line += ` ${pad(row.dissect_per_call.frames_per_s, 12)} ${pad(row.dissect_per_call.ratio.toFixed(2), 7)}`;
  console.log(line.trimEnd());
  groups.push(row);
}
fs.writeFileSync(path.join(out, 'wasm.json'), JSON.stringify({ version: wasm.version(), node: process.version, mb_per_s: wholeMb, groups }) + '\n');
