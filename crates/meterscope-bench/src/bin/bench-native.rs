//! Native throughput of the core on the seeded corpus, per group: framing only
//! (`Registry::split`) and full dissection (`Registry::dissect`).
//!
//! Usage: `bench-native [--seed N] [--out DIR] [--secs S] [--rounds R] [--group G [--what W] [--json]] [--passes P]`.
//! Prints a table and writes `corpus.bin` (for the WebAssembly run) and
//! `native.json` (figures per group) to DIR. Each measurement runs a warm-up
//! pass, then whole passes over its inputs for at least S seconds (default 1)
//! in R rounds (default 3) of at least S/R seconds and 3 passes each, and keeps
//! the fastest round. The table takes its groups round by round in turn (one
//! round of every group's framing and dissection, then the next round), so
//! that a slow spell of a shared machine spoils a round of a few groups rather
//! than every round of one.
//!
//! `--group G` measures that group only (no whole-corpus line, no files
//! written); `--what split` or `--what dissect` one of its two measurements,
//! and `--json` prints the group's figures as one line of `native.json`'s
//! `groups` instead of the table. The peers' and the WebAssembly benchmarks
//! run it that way, one round at a time between their own rounds, so that
//! each ratio compares figures taken in the same moments of a shared machine.
//! `--passes P` runs exactly P passes per measurement instead of a timed run,
//! so an instruction counter sees the same work every time (the passes are
//! `split_pass` and `dissect_pass`, e.g. for callgrind's `--toggle-collect`).
//!
//! On glibc, freed memory is kept by the process (no heap trimming): without
//! it, a group measured alone and a group measured after others differ by up
//! to 2.5x, as the first returns its heap to the system after every pass and
//! faults it back in on the next.

use std::time::Instant;

use meterscope_bench::json::Json;
use meterscope_bench::{GROUPS, Sample, corpus, encode};
use meterscope_core::registry::Piece;
use meterscope_core::{Options, Registry};

/// How long a measurement runs.
#[derive(Clone, Copy)]
enum Run {
    /// Whole passes for at least this many seconds (and at least 3 passes).
    Secs(f64),
    /// Exactly this many passes, without a warm-up pass.
    Passes(u32),
}

/// Passes of `pass` over `inputs` as `run` says, in `rounds` timed rounds:
/// (passes, seconds, sink); for a timed run, those of its fastest round.
fn measure(inputs: &[&[u8]], run: Run, rounds: u32, pass: impl Fn(&[&[u8]]) -> usize) -> (u32, f64, usize) {
    let mut sink = 0usize;
    // Passes until `done(passes, seconds)`: (passes, seconds).
    let mut round = |done: &dyn Fn(u32, f64) -> bool| {
        let (mut n, start) = (0u32, Instant::now());
        while !done(n, start.elapsed().as_secs_f64()) {
            sink += pass(inputs);
            n += 1;
        }
        (n, start.elapsed().as_secs_f64())
    };
    let (passes, secs) = match run {
        Run::Secs(secs) => {
            // A warm-up pass, then the best of the rounds, each a share of the
            // time: a burst of other work on the machine spoils one round, not
            // the figure.
            round(&|n, _| n >= 1);
            let least = secs / f64::from(rounds);
            (0..rounds)
                .map(|_| round(&|n, t| n >= 3 && t >= least))
                .max_by(|a, b| (f64::from(a.0) / a.1).total_cmp(&(f64::from(b.0) / b.1)))
                .unwrap_or((0, 1.0))
        }
        Run::Passes(n) => round(&|done, _| done >= n),
    };
    (passes, secs, std::hint::black_box(sink))
}

/// One framing pass over `inputs`.
#[inline(never)]
fn split_pass(registry: &Registry, opts: &Options, inputs: &[&[u8]]) -> usize {
    inputs.iter().map(|b| registry.split(b, &[], opts).len()).sum()
}

/// One full-dissection pass over `inputs` (the results dropped included).
#[inline(never)]
fn dissect_pass(registry: &Registry, opts: &Options, inputs: &[&[u8]]) -> usize {
    inputs
        .iter()
        .map(|b| {
            let d = registry.dissect(b, &[], opts);
            d.frames.len() + d.junk.len()
        })
        .sum()
}

fn num(v: f64) -> Json {
    Json::Num((v * 1000.0).round() / 1000.0)
}

fn main() {
    let mut seed = 1u64;
    let mut out_dir = std::path::PathBuf::from("target/bench");
    let mut secs = 1.0f64;
    let mut only: Option<String> = None;
    let mut passes: Option<u32> = None;
    let mut rounds = 3u32;
    let mut what: Option<String> = None;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            "--out" => out_dir = args.next().expect("--out DIR").into(),
            "--secs" => secs = args.next().and_then(|s| s.parse().ok()).expect("--secs S"),
            "--group" => only = Some(args.next().expect("--group G")),
            "--passes" => passes = Some(args.next().and_then(|s| s.parse().ok()).expect("--passes P")),
            "--rounds" => {
                rounds = args.next().and_then(|s| s.parse().ok()).filter(|&r| r > 0).expect("--rounds R (1 or more)")
            }
            "--what" => {
                what = Some(args.next().filter(|w| w == "split" || w == "dissect").expect("--what split|dissect"))
            }
            "--json" => json = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let run = passes.map_or(Run::Secs(secs), Run::Passes);
    if let Some(g) = &only {
        assert!(GROUPS.contains(&g.as_str()), "unknown group {g}; groups: {}", GROUPS.join(", "));
    }
    assert!(only.is_some() || (what.is_none() && !json), "--what and --json go with --group");
    keep_freed_memory();
    let samples = corpus(seed);
    let registry = Registry::default();
    let opts = Options::default();
    let all: Vec<&[u8]> = samples.iter().map(|s| s.bytes.as_slice()).collect();
    let total_bytes: usize = all.iter().map(|b| b.len()).sum();

    let m = Measure { registry: &registry, opts: &opts, run, rounds };
    if let Some(g) = &only {
        let (line, figures) = m.group(&samples, g, what.as_deref());
        if json {
            let mut text = String::new();
            figures.write(&mut text);
            println!("{text}");
        } else {
            println!("native  corpus seed {seed}: {} inputs, {} bytes", samples.len(), total_bytes);
            println!();
            println!("{}", header());
            println!("{line}");
        }
        return;
    }
    println!("native  corpus seed {seed}: {} inputs, {} bytes", samples.len(), total_bytes);
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    std::fs::write(out_dir.join("corpus.bin"), encode(&samples)).expect("write corpus");
    let (passes, t, sink) =
        measure(&all, run, rounds, |set| set.iter().map(|b| registry.dissect(b, &[], &opts).frames.len()).sum());
    let inputs_per_s = all.len() as f64 * passes as f64 / t;
    let mb_per_s = total_bytes as f64 * passes as f64 / t / 1e6;
    println!(
        "native  whole corpus split+dissect: {inputs_per_s:>10.0} inputs/s {mb_per_s:>8.2} MB/s  ({passes} passes, sink {sink})"
    );
    println!();
    println!("{}", header());

    let mut groups = Vec::new();
    for (line, o) in m.groups(&samples) {
        println!("{line}");
        groups.push(o);
    }
    let json = Json::Obj(vec![
        ("seed".into(), Json::Num(seed as f64)),
        ("inputs".into(), Json::Num(samples.len() as f64)),
        ("bytes".into(), Json::Num(total_bytes as f64)),
        ("inputs_per_s".into(), num(inputs_per_s)),
        ("mb_per_s".into(), num(mb_per_s)),
        ("groups".into(), Json::Arr(groups)),
    ]);
    let mut text = String::new();
    json.write(&mut text);
    text.push('\n');
    std::fs::write(out_dir.join("native.json"), text).expect("write native.json");
}

fn header() -> String {
    format!(
        "native  {:<13} {:>6} {:>6} {:>8}  {:>12} {:>9}  {:>12} {:>9}",
        "group", "inputs", "frames", "bytes", "split fr/s", "MB/s", "dissect fr/s", "MB/s"
    )
}

/// How each group is measured.
struct Measure<'a> {
    registry: &'a Registry,
    opts: &'a Options,
    run: Run,
    rounds: u32,
}

/// A group's inputs, with their bytes and the frames the registry finds in
/// them (unknown ones included) per pass.
struct GroupSet<'a> {
    name: &'a str,
    set: Vec<&'a [u8]>,
    bytes: usize,
    frames: usize,
}

/// The best figures of one measurement: frames/s, MB/s, passes.
#[derive(Clone, Copy, Default)]
struct Best(Option<(f64, f64, u32)>);

impl Best {
    fn keep(&mut self, gs: &GroupSet, (passes, t): (u32, f64)) {
        let fps = gs.frames as f64 * f64::from(passes) / t;
        let mbs = gs.bytes as f64 * f64::from(passes) / t / 1e6;
        if self.0.is_none_or(|(f, _, _)| fps > f) {
            self.0 = Some((fps, mbs, passes));
        }
    }
}

impl Measure<'_> {
    fn prepare<'a>(&self, samples: &'a [Sample], g: &'a str) -> GroupSet<'a> {
        let set: Vec<&[u8]> = samples.iter().filter(|s| s.group == g).map(|s| s.bytes.as_slice()).collect();
        let bytes = set.iter().map(|b| b.len()).sum();
        let frames = set
            .iter()
            .map(|b| self.registry.split(b, &[], self.opts).iter().filter(|p| matches!(p, Piece::Frame { .. })).count())
            .sum();
        GroupSet { name: g, set, bytes, frames }
    }

    /// Framing (`split`) or full dissection of a group as `run` says, in
    /// `rounds` rounds: (passes, seconds) of the fastest.
    fn time(&self, gs: &GroupSet, split: bool, run: Run, rounds: u32) -> (u32, f64) {
        let (registry, opts) = (self.registry, self.opts);
        let (passes, t, _) = measure(&gs.set, run, rounds, |set| {
            if split { split_pass(registry, opts, set) } else { dissect_pass(registry, opts, set) }
        });
        (passes, t)
    }

    /// Framing and full dissection of group `g` (or the one `what` names),
    /// all rounds in a row: the table line and its figures.
    fn group(&self, samples: &[Sample], g: &str, what: Option<&str>) -> (String, Json) {
        let gs = self.prepare(samples, g);
        let mut best = [Best::default(); 2];
        for (k, name) in ["split", "dissect"].into_iter().enumerate() {
            if what.is_none_or(|w| w == name) {
                best[k].keep(&gs, self.time(&gs, k == 0, self.run, self.rounds));
            }
        }
        line(&gs, &best)
    }

    /// Every group, measured round by round in turn (a round of each group's
    /// framing and dissection, then the next round), so that each group's
    /// rounds are spread over the whole run and a slow spell of a shared
    /// machine spoils one round of a few groups, not every round of one.
    fn groups(&self, samples: &[Sample]) -> Vec<(String, Json)> {
        let sets: Vec<GroupSet> = GROUPS.iter().map(|g| self.prepare(samples, g)).collect();
        let mut best = vec![[Best::default(); 2]; sets.len()];
        let (run, rounds) = match self.run {
            Run::Secs(s) => (Run::Secs(s / f64::from(self.rounds)), self.rounds),
            passes => (passes, 1),
        };
        for _ in 0..rounds {
            for (gs, b) in sets.iter().zip(&mut best) {
                for (k, slot) in b.iter_mut().enumerate() {
                    slot.keep(gs, self.time(gs, k == 0, run, 1));
                }
            }
        }
        sets.iter().zip(&best).map(|(gs, b)| line(gs, b)).collect()
    }
}

/// A group's table line and its figures (`native.json`).
fn line(gs: &GroupSet, best: &[Best; 2]) -> (String, Json) {
    let mut line = format!("native  {:<13} {:>6} {:>6} {:>8}", gs.name, gs.set.len(), gs.frames, gs.bytes);
    let mut figures = Vec::new();
    for (name, b) in ["split", "dissect"].into_iter().zip(best) {
        let Some((fps, mbs, passes)) = b.0 else {
            line.push_str(&format!("  {:>12} {:>9}", "-", "-"));
            continue;
        };
        line.push_str(&format!("  {fps:>12.0} {mbs:>9.2}"));
        figures.push((
            name.to_string(),
            Json::Obj(vec![
                ("frames_per_s".into(), num(fps)),
                ("mb_per_s".into(), num(mbs)),
                ("passes".into(), Json::Num(f64::from(passes))),
            ]),
        ));
    }
    let mut o = vec![
        ("group".to_string(), Json::Str(gs.name.to_string())),
        ("inputs".into(), Json::Num(gs.set.len() as f64)),
        ("frames".into(), Json::Num(gs.frames as f64)),
        ("bytes".into(), Json::Num(gs.bytes as f64)),
    ];
    o.extend(figures);
    (line, Json::Obj(o))
}

/// glibc returns the free memory at the top of the heap to the system when it
/// exceeds a threshold (128 KiB until a large block raises it): a pass that
/// frees more than that pays page faults on the next. Keep it, so that every
/// group is measured alike whatever ran before it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    const M_TRIM_THRESHOLD: i32 = -1;
    // SAFETY: mallopt only sets an allocator parameter; it is called before
    // this process allocates from any other thread.
    unsafe {
        mallopt(M_TRIM_THRESHOLD, i32::MAX);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
