//! Snapshots of whole dissections: the JSON of every public vector, every
//! example of the decoder's gallery and a seeded sample of the benchmark
//! corpus, in English and in Chinese, and the text tree of a few inputs.
//!
//! They guard changes to the dissection model: a change to any label, value,
//! span, check or diagnostic shows as a diff. Refresh them on purpose with
//! `UPDATE_EXPECT=1 cargo test -p meterscope-cli --test snapshots`.

use std::fmt::Write;
use std::process::Command;

use expect_test::expect_file;
use meterscope_core::{Keys, Lang, Options, Registry, parse_input};

#[path = "../../meterscope-ui/src/examples.rs"]
#[allow(dead_code)]
mod examples;

/// The JSON of both languages for one input, as the CLI's `--json` writes it.
fn dissect_json(input: &str, keys: &Keys) -> String {
    let parsed = match parse_input(input) {
        Ok(p) => p,
        Err(e) => return format!("input error: {e}\n"),
    };
    let mut out = String::new();
    let decode = |lang| {
        let opts = Options { lang, keys: keys.clone(), ..Options::default() };
        Registry::default().dissect(&parsed.bytes, &parsed.line_starts, &opts)
    };
    let english = decode(Lang::En);
    for lang in [Lang::En, Lang::Zh] {
        let rendered = decode(lang).render(lang);
        // A language-neutral frame decoded once renders as a decode in that language does.
        for (once, own) in english.frames.iter().zip(&rendered.frames) {
            assert_eq!(
                &once.render(lang),
                own,
                "{input}: frame at {} renders apart from its own decode",
                own.span.start
            );
        }
        let json = serde_json::to_string_pretty(&rendered).unwrap();
        let _ = writeln!(out, "=== {lang}\n{}", compact_pairs(&json));
    }
    out
}

/// Pretty JSON with two-number arrays (spans) on one line: `[4, 20]`.
fn compact_pairs(pretty: &str) -> String {
    let lines: Vec<&str> = pretty.lines().collect();
    let mut out = String::with_capacity(pretty.len());
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.ends_with('[') && i + 3 < lines.len() {
            let (a, b, end) = (lines[i + 1].trim(), lines[i + 2].trim(), lines[i + 3].trim());
            let num = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
            if a.ends_with(',') && num(&a[..a.len() - 1]) && num(b) && (end == "]" || end == "],") {
                let _ = writeln!(out, "{l}{a} {b}{}", &end);
                i += 4;
                continue;
            }
        }
        out.push_str(l);
        out.push('\n');
        i += 1;
    }
    out
}

fn file_name(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect()
}

fn check(dir: &str, id: &str, input: &str, keys: &Keys) {
    let mut text = format!("input: {}\n", input.escape_debug());
    text.push_str(&dissect_json(input, keys));
    expect_file![format!("snapshots/{dir}/{}.txt", file_name(id))].assert_eq(&text);
}

fn key16(hex: &str) -> [u8; 16] {
    let b = parse_input(hex).unwrap().bytes;
    b.try_into().unwrap()
}

fn vectors(file: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(format!("{}/../meterscope-core/tests/data/{file}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    match v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(mut o) => o.remove("vectors").and_then(|v| v.as_array().cloned()).unwrap(),
        _ => panic!("{file}: not a list of vectors"),
    }
}

fn vector_input(v: &serde_json::Value) -> &str {
    v.get("hex").or_else(|| v.get("hex_or_text")).and_then(|h| h.as_str()).unwrap()
}

#[test]
fn public_vectors() {
    for v in vectors("public-vectors.json") {
        let id = v["id"].as_str().unwrap();
        check("vectors", id, vector_input(&v), &Keys::default());
    }
}

/// The ciphered vectors again, opened with the keys their sources give.
#[test]
fn public_vectors_with_keys() {
    let gurux = Keys {
        cipher_key: Some(key16("000102030405060708090A0B0C0D0E0F")),
        auth_key: Some(key16("D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF")),
        system_title: None,
    };
    let dummy =
        Keys { cipher_key: Some(*b"MYDUMMYGLOBALKEY"), auth_key: Some(*b"MYDUMMYGLOBALKEY"), system_title: None };
    let keyed = [
        ("glo-get-request-greenbook", Keys { system_title: Some(*b"MMM\0\0\xBCaN"), ..gurux.clone() }),
        ("udp-wrapper-general-glo-ciphering-datanotification", dummy),
        ("wrapper-ciphered-get-block-transfer-object-list", gurux),
    ];
    let all = vectors("public-vectors.json");
    for (id, keys) in keyed {
        let v = all.iter().find(|v| v["id"] == id).unwrap_or_else(|| panic!("no vector {id}"));
        check("vectors-keys", id, vector_input(v), &keys);
    }
}

/// Vectors of the newer families: Q/GDW 1376.1 and 1376.2 dissected, the
/// families the core does not dissect yet guarding how unrecognised bytes
/// are shown.
#[test]
fn new_family_vectors() {
    for v in vectors("new-public-vectors.json") {
        let id = v["id"].as_str().unwrap();
        check("new-vectors", id, vector_input(&v), &Keys::default());
    }
}

/// Frames from meters in the field (push messages, SN associations,
/// releases, block transfer, range reads, IEC enhanced identifications and
/// heat-meter readouts), ciphered ones with the keys their sources publish.
#[test]
fn conformance_vectors() {
    for v in vectors("conformance-vectors.json") {
        let id = v["id"].as_str().unwrap();
        let e = &v["expect"];
        let keys = match (e["encryption_key"].as_str(), e["authentication_key"].as_str()) {
            (Some(ek), Some(ak)) => Keys { cipher_key: Some(key16(ek)), auth_key: Some(key16(ak)), system_title: None },
            _ => Keys::default(),
        };
        let input = v.get("hex").or_else(|| v.get("text")).and_then(|h| h.as_str()).unwrap();
        check("conformance", id, input, &keys);
    }
}

#[test]
fn gallery_examples() {
    for e in examples::EXAMPLES {
        check("gallery", e.id, e.input, &Keys::default());
    }
}

/// The first samples of every group of the benchmark corpus (seed 7).
#[test]
fn corpus_sample() {
    let corpus = meterscope_bench::corpus(7);
    for group in meterscope_bench::GROUPS {
        for (i, s) in corpus.iter().filter(|s| s.group == group).take(4).enumerate() {
            let hex = meterscope_core::to_hex(&s.bytes);
            check("corpus", &format!("{group}-{i}"), &hex, &Keys::default());
        }
    }
}

/// The CLI's text tree for a few inputs, in both languages.
#[test]
fn cli_text_trees() {
    let inputs = [
        ("645-read", "FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16"),
        (
            "698-get",
            "68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16",
        ),
        (
            "dlms-wrapper",
            "00 01 00 10 00 01 00 0D C0 01 C1 00 03 01 00 00 07 00 FF 02 00\n00 01 00 01 00 10 00 09 C4 01 C1 00 17 42 CA 00 00",
        ),
        ("iec21-signon", "2F 3F 34 35 36 37 38 39 30 33 21 0D 0A"),
        (
            "698-fragments",
            "68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 00 00 85 01 01 00 10 02 00 01 01 05 F4 1B 16\n68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 01 C0 06 00 00 12 34 06 00 00 01 00 BD EC 16\n68 1B 00 E3 05 12 90 78 56 34 12 10 33 EF 02 C0 06 00 00 02 00 06 00 00 03 00 56 3A 16\n68 18 00 E3 05 12 90 78 56 34 12 10 80 11 03 40 06 00 00 04 00 00 00 03 96 16",
        ),
        ("645-bad", "68 12 90 78 56 34 12 68 11 04 33 33 34 33 69 16 00"),
    ];
    for (id, input) in inputs {
        let mut text = format!("input: {input}\n");
        for lang in ["en", "zh"] {
            let out = Command::new(env!("CARGO_BIN_EXE_meterscope"))
                .args(["decode", "--lang", lang, input])
                .output()
                .expect("run meterscope");
            let _ = write!(
                text,
                "=== {lang} (exit {})\n{}",
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout)
            );
        }
        expect_file![format!("snapshots/text/{id}.txt")].assert_eq(&text);
    }
}

/// A Q/GDW 1376.1 event answer in three frames (FIR, middle, FIN; RSEQ 0, 1,
/// 2), as the simulated terminal sends it when a frame holds one record: the
/// cross-frame analysis joins their data units into one answer; without its
/// middle frame it names the missing RSEQ.
#[test]
fn qgdw1376_multi_frame_answers() {
    const FIRST: &str = "68 82 00 82 00 68 88 34 12 01 00 02 0E 40 00 00 01 00 03 00 00 01 01 0E 30 10 07 05 24 02 31 2E 30 30 31 2E 30 31 24 16";
    const MIDDLE: &str =
        "68 72 00 72 00 68 88 34 12 01 00 02 0E 01 00 00 01 00 03 00 01 02 0E 0A 30 08 14 05 24 10 09 14 05 24 CA 16";
    const LAST: &str =
        "68 72 00 72 00 68 88 34 12 01 00 02 0E 22 00 00 01 00 03 00 02 03 0E 0A 30 11 16 05 24 35 11 16 05 24 27 16";
    check("multiframe", "qgdw1376-1-events-3-frames", &format!("{FIRST} {MIDDLE} {LAST}"), &Keys::default());
    check("multiframe", "qgdw1376-1-events-middle-missing", &format!("{FIRST} {LAST}"), &Keys::default());
}
