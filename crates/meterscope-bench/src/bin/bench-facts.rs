//! The frames the peer libraries are measured on, with what our decoder says
//! about each: the protocol frames of the seeded corpus and every frame of the
//! public vectors (`crates/meterscope-core/tests/data/public-vectors.json` and
//! `new-public-vectors.json`).
//!
//! Usage: `bench-facts [--seed N] [--out DIR] [--vectors FILE]…`. Writes
//! `DIR/frames.json`: `{seed, protocols: {name: [{src, ref, hex, ours}]}}`
//! where `src` is `corpus` (ref: index of the sample in its group) or `vector`
//! (ref: vector id, `#k` for its k-th frame when it holds several), `hex` is
//! the frame without wake-up bytes, and `ours` the facts of
//! `meterscope_bench::facts` (plus `expect_valid` for vectors that state it).
//! The `mixed-log` entry is the whole serial log, with the DL/T 645 frames we
//! find in it, in order.

use std::collections::BTreeMap;

use meterscope_bench::json::Json;
use meterscope_bench::{GROUPS, corpus, facts};
use meterscope_core::{Options, Registry, parse_input, to_hex, unknown};

fn main() {
    let mut seed = 1u64;
    let mut out_dir = std::path::PathBuf::from("target/bench");
    let mut vectors: Vec<std::path::PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            "--out" => out_dir = args.next().expect("--out DIR").into(),
            "--vectors" => vectors.push(args.next().expect("--vectors FILE").into()),
            other => panic!("unknown argument {other}"),
        }
    }
    if vectors.is_empty() {
        vectors = ["public-vectors.json", "new-public-vectors.json"]
            .iter()
            .map(|f| std::path::Path::new("crates/meterscope-core/tests/data").join(f))
            .collect();
    }
    let registry = Registry::default();
    let opts = Options::default();
    let mut by_protocol: BTreeMap<String, Vec<Json>> = BTreeMap::new();
    let item = |src: &str, r: String, hex: String, ours: Json| {
        Json::Obj(vec![
            ("src".into(), Json::Str(src.into())),
            ("ref".into(), Json::Str(r)),
            ("hex".into(), Json::Str(hex)),
            ("ours".into(), ours),
        ])
    };

    let samples = corpus(seed);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &samples {
        let i = counts.entry(s.group).or_default();
        let index = *i;
        *i += 1;
        if s.group == "mixed-log" {
            // The whole log, for stream framers: how many DL/T 645 frames, in which order.
            let d = registry.dissect(&s.bytes, &[], &opts);
            let frames: Vec<Json> = d
                .frames
                .iter()
                .filter(|f| f.protocol.starts_with("dlt645"))
                .map(|f| Json::Str(to_hex(&s.bytes[f.span.range()])))
                .collect();
            let ours = Json::Obj(vec![
                ("valid".into(), Json::Bool(d.frames.iter().all(|f| f.valid))),
                ("frames".into(), Json::Arr(frames)),
            ]);
            by_protocol.entry(s.group.to_string()).or_default().push(item(
                "corpus",
                index.to_string(),
                to_hex(&s.bytes),
                ours,
            ));
            continue;
        }
        if !GROUPS.contains(&s.group) || matches!(s.group, "random") {
            continue;
        }
        for f in
            registry.dissect(&s.bytes, &[], &opts).render(opts.lang).frames.iter().filter(|f| f.protocol == s.group)
        {
            let hex = to_hex(&s.bytes[f.span.range()]);
            by_protocol.entry(f.protocol.clone()).or_default().push(item("corpus", index.to_string(), hex, facts(f)));
        }
    }
    let corpus_frames: usize = by_protocol.values().map(Vec::len).sum();

    let mut vector_frames = 0;
    for file in &vectors {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let list = Json::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // A list of vectors, or an object with one (`{"vectors": […]}`).
        let list = list.get("vectors").unwrap_or(&list);
        for v in list.as_array().expect("a list of vectors") {
            let id = v.get("id").and_then(Json::as_str).unwrap_or("?");
            let Some(input) = v.get("hex").or_else(|| v.get("hex_or_text")).and_then(Json::as_str) else { continue };
            let expect_valid = v.get("expect").and_then(|e| e.get("valid")).and_then(Json::as_bool);
            let parsed = match parse_input(input) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("bench-facts: vector {id}: {e}");
                    continue;
                }
            };
            let d = registry.dissect(&parsed.bytes, &parsed.line_starts, &opts).render(opts.lang);
            let frames: Vec<_> = d.frames.iter().filter(|f| f.protocol != unknown::NAME).collect();
            for (k, f) in frames.iter().enumerate() {
                let r = if frames.len() > 1 { format!("{id}#{k}") } else { id.to_string() };
                let mut ours = facts(f);
                if let (Json::Obj(m), Some(e)) = (&mut ours, expect_valid) {
                    m.push(("expect_valid".into(), Json::Bool(e)));
                }
                let hex = to_hex(&parsed.bytes[f.span.range()]);
                by_protocol.entry(f.protocol.clone()).or_default().push(item("vector", r, hex, ours));
                vector_frames += 1;
            }
        }
    }

    let json = Json::Obj(vec![
        ("seed".into(), Json::Num(seed as f64)),
        ("protocols".into(), Json::Obj(by_protocol.into_iter().map(|(k, v)| (k, Json::Arr(v))).collect())),
    ]);
    let mut out = String::new();
    json.write(&mut out);
    out.push('\n');
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    let path = out_dir.join("frames.json");
    std::fs::write(&path, out).expect("write frames.json");
    println!("facts   {corpus_frames} corpus frames and {vector_frames} public-vector frames -> {}", path.display());
}
