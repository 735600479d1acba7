//! Native throughput of the core on the seeded corpus.
//!
//! Usage: `bench-native [--seed N] [--out DIR]`. Prints one line per group and
//! writes `corpus.bin` and `native.json` to DIR for the WebAssembly run.

use std::time::{Duration, Instant};

use meterscope_bench::{corpus, encode};
use meterscope_core::{Options, Registry};

fn main() {
    let mut seed = 1u64;
    let mut out_dir = std::path::PathBuf::from("target/bench");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            "--out" => out_dir = args.next().expect("--out DIR").into(),
            other => panic!("unknown argument {other}"),
        }
    }
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    let samples = corpus(seed);
    std::fs::write(out_dir.join("corpus.bin"), encode(&samples)).expect("write corpus");

    let registry = Registry::default();
    let opts = Options::default();
    let total_bytes: usize = samples.iter().map(|s| s.bytes.len()).sum();

    // Warm up, then run whole passes for at least one second.
    let mut sink = 0usize;
    for s in &samples {
        sink += registry.dissect(&s.bytes, &[], &opts).frames.len();
    }
    let mut passes = 0u32;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) || passes < 3 {
        for s in &samples {
            sink += registry.dissect(&s.bytes, &[], &opts).frames.len();
        }
        passes += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let frames_per_s = (samples.len() as f64 * passes as f64) / secs;
    let mb_per_s = (total_bytes as f64 * passes as f64) / secs / 1e6;
    println!("native  corpus seed {seed}: {} inputs, {} bytes", samples.len(), total_bytes);
    println!(
        "native  split+dissect: {frames_per_s:>12.0} inputs/s  {mb_per_s:>8.2} MB/s  ({passes} passes, sink {sink})"
    );
    // Per group: the same measure on each group's inputs alone.
    let mut groups: Vec<&str> = samples.iter().map(|s| s.group).collect();
    groups.dedup();
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        let set: Vec<&[u8]> = samples.iter().filter(|s| s.group == g).map(|s| s.bytes.as_slice()).collect();
        let bytes: usize = set.iter().map(|b| b.len()).sum();
        let mut passes = 0u32;
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(300) || passes < 2 {
            for b in &set {
                sink += registry.dissect(b, &[], &opts).frames.len();
            }
            passes += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "native  {g:<12} {:>12.0} inputs/s  {:>8.2} MB/s  ({} inputs, {} bytes)",
            set.len() as f64 * passes as f64 / secs,
            bytes as f64 * passes as f64 / secs / 1e6,
            set.len(),
            bytes
        );
    }
    // Keep the dissections from being optimised away.
    std::hint::black_box(sink);
    let json = format!(
        "{{\"seed\":{seed},\"inputs\":{},\"bytes\":{total_bytes},\"inputs_per_s\":{frames_per_s:.1},\"mb_per_s\":{mb_per_s:.3}}}\n",
        samples.len()
    );
    std::fs::write(out_dir.join("native.json"), json).expect("write native.json");
}
