//! Native throughput of the core on the seeded corpus, per group: framing only
//! (`Registry::split`) and full dissection (`Registry::dissect`).
//!
//! Usage: `bench-native [--seed N] [--out DIR] [--secs S]`. Prints a table and
//! writes `corpus.bin` (for the WebAssembly run) and `native.json` (figures
//! per group) to DIR. Each measurement runs whole passes over its inputs for
//! at least S seconds (default 1) and at least 3 passes.

use std::time::Instant;

use meterscope_bench::json::Json;
use meterscope_bench::{GROUPS, corpus, encode};
use meterscope_core::registry::Piece;
use meterscope_core::{Options, Registry};

/// Passes over `inputs` for at least `secs` seconds: (passes, seconds, sink).
fn measure(inputs: &[&[u8]], secs: f64, mut work: impl FnMut(&[u8]) -> usize) -> (u32, f64, usize) {
    let mut sink = 0usize;
    for b in inputs {
        sink += work(b);
    }
    let mut passes = 0u32;
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < secs || passes < 3 {
        for b in inputs {
            sink += work(b);
        }
        passes += 1;
    }
    (passes, start.elapsed().as_secs_f64(), std::hint::black_box(sink))
}

fn num(v: f64) -> Json {
    Json::Num((v * 1000.0).round() / 1000.0)
}

fn main() {
    let mut seed = 1u64;
    let mut out_dir = std::path::PathBuf::from("target/bench");
    let mut secs = 1.0f64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            "--out" => out_dir = args.next().expect("--out DIR").into(),
            "--secs" => secs = args.next().and_then(|s| s.parse().ok()).expect("--secs S"),
            other => panic!("unknown argument {other}"),
        }
    }
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    let samples = corpus(seed);
    std::fs::write(out_dir.join("corpus.bin"), encode(&samples)).expect("write corpus");

    let registry = Registry::default();
    let opts = Options::default();
    let all: Vec<&[u8]> = samples.iter().map(|s| s.bytes.as_slice()).collect();
    let total_bytes: usize = all.iter().map(|b| b.len()).sum();

    println!("native  corpus seed {seed}: {} inputs, {} bytes", samples.len(), total_bytes);
    let (passes, t, sink) = measure(&all, secs, |b| registry.dissect(b, &[], &opts).frames.len());
    let inputs_per_s = all.len() as f64 * passes as f64 / t;
    let mb_per_s = total_bytes as f64 * passes as f64 / t / 1e6;
    println!(
        "native  whole corpus split+dissect: {inputs_per_s:>10.0} inputs/s {mb_per_s:>8.2} MB/s  ({passes} passes, sink {sink})"
    );
    println!();
    println!(
        "native  {:<13} {:>6} {:>6} {:>8}  {:>12} {:>9}  {:>12} {:>9}",
        "group", "inputs", "frames", "bytes", "split fr/s", "MB/s", "dissect fr/s", "MB/s"
    );

    let mut groups = Vec::new();
    for g in GROUPS {
        let set: Vec<&[u8]> = samples.iter().filter(|s| s.group == g).map(|s| s.bytes.as_slice()).collect();
        let bytes: usize = set.iter().map(|b| b.len()).sum();
        // Frames as the registry finds them (unknown ones included), per pass.
        let frames: usize = set
            .iter()
            .map(|b| registry.split(b, &[], &opts).iter().filter(|p| matches!(p, Piece::Frame { .. })).count())
            .sum();
        let mut figures = Vec::new();
        let mut line = format!("native  {g:<13} {:>6} {frames:>6} {bytes:>8}", set.len());
        for (name, split) in [("split", true), ("dissect", false)] {
            let (passes, t, _) = measure(&set, secs, |b| {
                if split {
                    registry.split(b, &[], &opts).len()
                } else {
                    let d = registry.dissect(b, &[], &opts);
                    d.frames.len() + d.junk.len()
                }
            });
            let fps = frames as f64 * passes as f64 / t;
            let mbs = bytes as f64 * passes as f64 / t / 1e6;
            line.push_str(&format!("  {fps:>12.0} {mbs:>9.2}"));
            figures.push((
                name.to_string(),
                Json::Obj(vec![
                    ("frames_per_s".into(), num(fps)),
                    ("mb_per_s".into(), num(mbs)),
                    ("passes".into(), Json::Num(passes as f64)),
                ]),
            ));
        }
        println!("{line}");
        let mut o = vec![
            ("group".to_string(), Json::Str(g.to_string())),
            ("inputs".into(), Json::Num(set.len() as f64)),
            ("frames".into(), Json::Num(frames as f64)),
            ("bytes".into(), Json::Num(bytes as f64)),
        ];
        o.extend(figures);
        groups.push(Json::Obj(o));
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
