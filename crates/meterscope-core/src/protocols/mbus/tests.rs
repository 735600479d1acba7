//! Golden tests over the public vectors of the family
//! (`tests/data/new-public-vectors.json`, family `mbus`), detection against
//! the other 0x68 families, labels in both languages, robustness.
//!
//! The expectations of most vectors come from a public decoder's output,
//! which states values in base units (Wh, m³, s) and durations in seconds;
//! the test converts this family's values (in the unit the VIF gives) to
//! compare. Where that decoder reads bytes that are not BCD digits as
//! numbers, the test checks that the bytes are shown as they are, with a
//! warning, as EN 13757-3 gives no value to such digits.

use crate::lang::Lang;
use crate::registry::{Options, Registry};
use crate::testkit::{bytes, decode, find, new_public_vectors, node};
use crate::view::{Frame, Node};

fn vectors() -> Vec<serde_json::Value> {
    new_public_vectors(|f| f == "mbus")
}

fn value<'a>(n: &'a Node, id: &str) -> &'a str {
    node(n, id).value.as_deref().unwrap_or("")
}

/// The one frame of a vector, checked to be M-Bus and to cover the input.
fn only_frame(v: &serde_json::Value) -> Frame {
    let b = bytes(v["hex"].as_str().unwrap());
    let d = Registry::default().dissect(&b, &[], &Options::default());
    assert!(d.junk.is_empty(), "{}: junk {:?}", v["id"], d.junk);
    assert_eq!(d.frames.len(), 1, "{}", v["id"]);
    let f = d.frames[0].render(Lang::En);
    assert_eq!(f.protocol, "mbus", "{}", v["id"]);
    assert_eq!(f.span.len(), b.len(), "{}", v["id"]);
    f
}

fn function_code(s: &str) -> u64 {
    match s {
        "Instantaneous value" => 0,
        "Maximum value" => 1,
        "Minimum value" => 2,
        "Value during error state" => 3,
        other => panic!("function {other}"),
    }
}

/// The oracle's unit spelled as this family spells it.
fn unit_name(u: &str) -> String {
    u.replace("m^3", "m³").replace("Â°", "°")
}

/// A number as the family writes it: decimal, or `0x…` for bits.
fn number(s: &str) -> Option<f64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok().map(|v| v as f64),
        None => s.parse().ok(),
    }
}

/// One record against the oracle's entry: function, storage, tariff,
/// subunit, value in the oracle's unit.
fn check_record(id: &str, r: &Node, want: &serde_json::Value) -> Result<(), String> {
    let k = &r.id;
    let get = |leaf: &str| find(r, &format!("{k}.{leaf}")).and_then(|n| n.value.clone()).unwrap_or_default();
    // Nodes for function and storage are there when they are not 0.
    let get_or_0 = |leaf: &str| Some(get(leaf)).filter(|v| !v.is_empty()).unwrap_or_else(|| "0".into());
    let f = function_code(want["function"].as_str().unwrap());
    if get_or_0("function") != f.to_string() {
        return Err(format!("{id} {k}: function {} != {f}", get_or_0("function")));
    }
    if want["storage"].as_u64().map(|s| s.to_string()) != Some(get_or_0("storage")) {
        return Err(format!("{id} {k}: storage {} != {}", get_or_0("storage"), want["storage"]));
    }
    for (leaf, key) in [("tariff", "tariff"), ("subunit", "device")] {
        let w = want.get(key).and_then(|t| t.as_str()).unwrap_or("0");
        let ours = get(leaf);
        if ours != w && !(ours.is_empty() && w == "0") {
            return Err(format!("{id} {k}: {leaf} {ours} != {w}"));
        }
    }
    let ours = r.value.clone().unwrap_or_default();
    let our_unit = r.unit.clone().unwrap_or_default();
    let wv = want["value"].as_str().unwrap();
    let wu = unit_name(want["unit"].as_str().unwrap());
    let quantity = want["quantity"].as_str().unwrap();
    if quantity.starts_with("Time point") {
        let w = wv.trim_end_matches('Z').replace('T', " ");
        let w = w.strip_suffix(":00").filter(|_| w.len() > 10).unwrap_or(&w);
        return if ours == w { Ok(()) } else { Err(format!("{id} {k}: {ours} != {w}")) };
    }
    match (number(&ours), wv.parse::<f64>()) {
        (Some(x), Ok(w)) => {
            let factor = match (our_unit.as_str(), wu.as_str()) {
                ("d", "s") => 86_400.0,
                ("h", "s") => 3_600.0,
                ("min", "s") => 60.0,
                (a, b) if a == b => 1.0,
                (_, "" | "-") => 1.0,
                (a, b) => return Err(format!("{id} {k}: unit {a} against {b}")),
            };
            if (x * factor - w).abs() > 1e-6 * w.abs().max(1.0) {
                return Err(format!("{id} {k}: {x} {our_unit} != {w} {wu}"));
            }
            Ok(())
        }
        // Bytes that are not BCD digits: shown as they are (the oracle reads them as a number).
        (None, Ok(_)) => {
            let raw = want["raw_value"].as_str().unwrap_or("").replace(' ', "");
            if ours.replace(' ', "") == raw { Ok(()) } else { Err(format!("{id} {k}: {ours} != raw {raw}")) }
        }
        _ => {
            if ours == wv {
                Ok(())
            } else {
                Err(format!("{id} {k}: {ours} != {wv}"))
            }
        }
    }
}

#[test]
fn public_vectors_decode_as_their_sources_say() {
    let all = vectors();
    assert_eq!(all.len(), 14);
    let mut failures = Vec::new();
    let mut records = 0;
    for v in &all {
        let id = v["id"].as_str().unwrap();
        let e = &v["expect"];
        let f = only_frame(v);
        let t = &f.tree;
        let broken = v["broken"].as_bool().unwrap_or(false);
        let want_valid = e.get("valid").and_then(|b| b.as_bool()).unwrap_or(!broken);
        if f.valid != want_valid {
            failures.push(format!("{id}: valid {} {:?}", f.valid, f.diagnostics));
        }
        if e.get("link_layer_valid").is_some() {
            assert!(f.checks.iter().all(|c| c.ok), "{id}: link layer");
            assert!(f.diagnostics.iter().any(|d| d.code == "mbus.record.truncated"), "{id}");
        }
        if let Some(c) = e["c"].as_str() {
            assert_eq!(value(t, "mbus.control"), c.to_uppercase().replace("0X", "0x"), "{id}");
        }
        match &e["a"] {
            serde_json::Value::String(a) => {
                assert_eq!(value(t, "mbus.address"), u8::from_str_radix(&a[2..], 16).unwrap().to_string(), "{id}")
            }
            serde_json::Value::Number(a) => assert_eq!(value(t, "mbus.address"), a.to_string(), "{id}"),
            _ => {}
        }
        if let Some(ci) = e["ci"].as_str() {
            assert_eq!(value(t, "mbus.ci"), ci.to_uppercase().replace("0X", "0x"), "{id}");
        }
        if let Some(l) = e["l"].as_u64() {
            assert_eq!(value(t, "mbus.length"), l.to_string(), "{id}");
        }
        if let Some(s) = e.get("slave") {
            let ours_id = value(t, "mbus.header.id").trim_start_matches('0');
            assert_eq!(ours_id, s["id"].as_str().unwrap().trim_start_matches('0'), "{id}");
            assert_eq!(value(t, "mbus.header.manufacturer"), s["manufacturer"], "{id}");
            assert_eq!(value(t, "mbus.header.version"), s["version"], "{id}");
            assert_eq!(value(t, "mbus.header.access"), s["access_number"], "{id}");
            assert_eq!(value(t, "mbus.header.status"), format!("0x{}", s["status"].as_str().unwrap()), "{id}");
            assert_eq!(value(t, "mbus.header.signature"), format!("0x{}", s["signature"].as_str().unwrap()), "{id}");
            let words = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
            let medium = node(t, "mbus.header.medium").text.clone().unwrap_or_default();
            assert_eq!(words(&medium), words(s["medium"].as_str().unwrap()), "{id}");
        }
        if let Some(s) = e.get("tpl") {
            assert_eq!(value(t, "mbus.header.id"), s["id"], "{id}");
            assert_eq!(value(t, "mbus.header.manufacturer"), s["manufacturer"], "{id}");
            assert_eq!(value(t, "mbus.header.version"), s["version"].to_string(), "{id}");
            assert_eq!(value(t, "mbus.header.medium"), s["medium"], "{id}");
            assert_eq!(value(t, "mbus.header.access"), s["access_number"].to_string(), "{id}");
            assert_eq!(value(t, "mbus.header.status"), s["status"], "{id}");
            assert_eq!(
                value(t, "mbus.header.signature"),
                s["signature"].as_str().unwrap().to_uppercase().replace("0X", "0x"),
                "{id}"
            );
        }
        if let Some(m) = e.get("c_meaning") {
            assert!(m.as_str().unwrap().starts_with("REQ_UD2"), "{id}");
            assert!(node(t, "mbus.control").text.as_deref().unwrap_or("").starts_with("REQ_UD2"), "{id}");
            assert_eq!(value(t, "mbus.control.fcb"), "1", "{id}");
            assert_eq!(value(t, "mbus.control.fcv"), "1", "{id}");
        }
        let Some(want) = e["records"].as_array() else { continue };
        // This family's entries in the order of the oracle's: records, the
        // manufacturer's data and "more records follow".
        let data = node(t, "mbus.data");
        let ours: Vec<&Node> = data
            .children
            .iter()
            .filter(|n| {
                n.id.starts_with("mbus.record.")
                    || n.id == "mbus.manufacturer_data"
                    || (n.id == "mbus.special" && n.value.as_deref() == Some("0x1F"))
            })
            .collect();
        if ours.len() != want.len() {
            failures.push(format!("{id}: {} entries, the source has {}", ours.len(), want.len()));
            continue;
        }
        for (o, w) in ours.iter().zip(want) {
            let result = match w["function"].as_str().unwrap() {
                "More records follow" => {
                    if o.id == "mbus.special" {
                        Ok(())
                    } else {
                        Err(format!("{id}: {} is not DIF 1F", o.id))
                    }
                }
                "Manufacturer specific" => {
                    if o.id == "mbus.manufacturer_data" && o.value.as_deref() == w["value"].as_str() {
                        Ok(())
                    } else {
                        Err(format!("{id}: {} {:?} against the manufacturer's data", o.id, o.value))
                    }
                }
                _ => check_record(id, o, w),
            };
            if let Err(e) = result {
                failures.push(e);
            }
            records += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(records > 100, "{records}");
}

/// Every node has a label in both languages (no id shown as its own label).
#[test]
fn every_node_is_labelled_in_both_languages() {
    fn walk(n: &Node, lang: Lang, id: &str) {
        assert_ne!(n.label, n.id, "{id}: {lang:?} label of {}", n.id);
        assert!(!n.label.is_empty(), "{id}: {}", n.id);
        for c in &n.children {
            walk(c, lang, id);
        }
    }
    let mut inputs: Vec<String> = vectors().iter().map(|v| v["hex"].as_str().unwrap().to_string()).collect();
    inputs.extend(EXTRA.iter().map(|(_, h)| h.to_string()));
    for hex in &inputs {
        let d = decode(hex);
        for lang in [Lang::En, Lang::Zh] {
            for f in d.render(lang).frames {
                walk(&f.tree, lang, hex);
                for g in &f.diagnostics {
                    assert!(!g.message.is_empty());
                }
            }
        }
    }
}

/// Frames beyond the public vectors: requests, management and special cases.
static EXTRA: &[(&str, &str)] = &[
    // SND_NKE to address 254.
    ("snd-nke", "10 40 FE 3E 16"),
    // Select a slave by secondary address 12345678, any manufacturer, version, medium.
    ("select", "68 0B 0B 68 53 FD 52 78 56 34 12 FF FF FF FF B2 16"),
    // Set the baud rate to 9600 (control frame).
    ("baud", "68 03 03 68 53 01 BD 11 16"),
    // Application error: too many records.
    ("app-error", "68 04 04 68 08 01 70 03 7C 16"),
    // Data send: global readout request.
    ("readout", "68 04 04 68 53 01 51 7F 24 16"),
    // Short header response: energy −1234 kWh (negative BCD), type I date and time.
    ("short-header", "68 15 15 68 08 02 7A 2A 00 00 00 0C 06 34 12 00 F0 06 6D 1E 1F 0F 8C 2C 00 6D 16"),
    // Volume per hour and a 3-digit VIFE chain with a correction factor.
    ("per-hour", "68 0B 0B 68 08 03 78 04 93 A2 75 10 00 00 00 41 16"),
    // A manufacturer code in a record (FD 0A), a voltage at phase L1 (VIFE FC 01).
    ("phase", "68 11 11 68 08 04 78 02 FD 0A 93 15 04 FD C8 FC 01 E6 08 00 00 E9 16"),
];

#[test]
fn extra_frames() {
    let frame = |hex: &str| {
        let d = decode(hex);
        assert_eq!(d.frames.len(), 1, "{hex}");
        assert!(d.junk.is_empty(), "{hex}");
        d.frames[0].render(Lang::En)
    };
    let f = frame(EXTRA[0].1);
    assert_eq!(f.protocol, "mbus");
    assert!(f.valid);
    assert!(value(&f.tree, "mbus.control").starts_with("0x40"));
    assert!(node(&f.tree, "mbus.control").text.as_deref().unwrap().starts_with("SND_NKE"));
    assert!(node(&f.tree, "mbus.address").text.as_deref().unwrap().contains("every slave replies"));

    let f = frame(EXTRA[1].1);
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "mbus.address"), "253");
    assert_eq!(value(&f.tree, "mbus.selection.id"), "12345678");
    assert_eq!(value(&f.tree, "mbus.selection.manufacturer"), "FFFF");

    let f = frame(EXTRA[2].1);
    assert!(f.valid);
    assert!(f.tree.text.as_deref().unwrap().starts_with("control frame"));
    assert_eq!(node(&f.tree, "mbus.ci").text.as_deref(), Some("set baud rate to 9600"));

    let f = frame(EXTRA[3].1);
    assert!(f.valid);
    assert_eq!(node(&f.tree, "mbus.app_error").text.as_deref(), Some("too many records"));

    let f = frame(EXTRA[4].1);
    assert!(f.valid);
    assert_eq!(value(&f.tree, "mbus.special"), "0x7F");

    let f = frame(EXTRA[5].1);
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "mbus.header.access"), "42");
    let r1 = node(&f.tree, "mbus.record.1");
    assert_eq!((r1.value.as_deref(), r1.unit.as_deref()), (Some("-1234000"), Some("Wh")));
    assert_eq!(value(&f.tree, "mbus.record.2"), "2020-12-12 15:31:30");

    let f = frame(EXTRA[6].1);
    assert!(f.valid, "{:?}", f.diagnostics);
    let r1 = node(&f.tree, "mbus.record.1");
    // 16 × 10⁻³ m³ (VIF 93) × 10⁻¹ (VIFE 75), per hour (VIFE A2).
    assert_eq!((r1.value.as_deref(), r1.unit.as_deref()), (Some("0.0016"), Some("m³/h")));

    let f = frame(EXTRA[7].1);
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "mbus.record.1"), "ELS");
    let r2 = node(&f.tree, "mbus.record.2");
    assert_eq!((r2.value.as_deref(), r2.unit.as_deref()), (Some("227.8"), Some("V")));
    assert_eq!(node(&f.tree, "mbus.record.2.vife.3").text.as_deref(), Some("at phase L1"));
}

/// Faults pinned to their bytes: checksum, stop character, L bytes, DIFE
/// chains, reserved codes, truncated records.
#[test]
fn faults_are_pinned_to_their_byte() {
    let diag = |hex: &str, code: &str| {
        let d = Registry::default().dissect(
            &bytes(hex),
            &[],
            &Options { protocol: Some("mbus".into()), ..Options::default() },
        );
        let f = d.frames[0].render(Lang::En);
        let g = f
            .diagnostics
            .iter()
            .find(|g| g.code == code)
            .unwrap_or_else(|| panic!("{hex}: no {code} in {:?}", f.diagnostics));
        (f.valid, g.span.start, g.span.len())
    };
    assert_eq!(diag("10 7B 00 7C 16", "mbus.cs.mismatch"), (false, 3, 1));
    assert_eq!(diag("68 03 03 68 53 01 BD 12 16", "mbus.cs.mismatch"), (false, 7, 1));
    assert_eq!(diag("68 03 04 68 53 01 BD 11 16", "mbus.length.mismatch"), (false, 2, 1));
    assert_eq!(diag("68 03 03 68 53 01 BD 11 17", "mbus.end.missing"), (false, 8, 1));
    // Eleven DIFEs: the eleventh is the fault.
    let difes = "84 80 80 80 80 80 80 80 80 80 80 00 13 00 00 00 00";
    let body = format!("08 01 78 {difes}");
    let b = bytes(&body);
    let cs = super::frame::checksum(&b);
    let hex = format!("68 {0:02X} {0:02X} 68 {body} {cs:02X} 16", b.len());
    assert_eq!(diag(&hex, "mbus.dife.too_many"), (false, 4 + 3 + 11, 1));
    // Eleven VIFEs: the eleventh is the fault.
    let body = "08 01 78 04 93 80 80 80 80 80 80 80 80 80 80 00 00 00 00 00";
    let b = bytes(body);
    let cs = super::frame::checksum(&b);
    let hex = format!("68 {0:02X} {0:02X} 68 {body} {cs:02X} 16", b.len());
    assert_eq!(diag(&hex, "mbus.vife.too_many"), (false, 4 + 3 + 2 + 10, 1));
    // A reserved CI and a reserved address are warnings.
    assert_eq!(diag("68 03 03 68 08 01 20 29 16", "mbus.ci.reserved"), (true, 6, 1));
    assert_eq!(diag("10 7B FB 76 16", "mbus.address.reserved"), (true, 2, 1));
    // A reserved VIF (6F) is a warning; the frame stays valid.
    assert_eq!(diag("68 06 06 68 08 01 78 01 6F 00 F1 16", "mbus.vif.reserved"), (true, 8, 1));
    // A record cut short: pinned to where the bytes end.
    assert_eq!(diag("68 06 06 68 08 01 78 04 13 00 98 16", "mbus.record.truncated"), (false, 10, 0));
    // L below 3.
    assert_eq!(diag("68 00 00 68 08 16", "mbus.length.short"), (false, 1, 1));
}

/// M-Bus frames among other families' frames: each framed by its own
/// family, nothing stolen, nothing dropped.
#[test]
fn mixed_input_splits_by_family() {
    let input = "FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 B1 16 \
                 10 7B 00 7B 16 E5 \
                 68 03 03 68 53 01 BD 11 16 \
                 68 17 00 43 05 08 00 00 00 00 00 10 DA 5F 05 01 00 40 01 02 00 00 ED 03 16";
    let d = decode(input);
    let found: Vec<&str> = d.frames.iter().map(|f| f.protocol).collect();
    assert_eq!(found, ["dlt645-2007", "mbus", "mbus", "mbus", "dlt698.45"]);
    // A DL/T 645 address whose first bytes read like `68 L L 68` (A0 = A1,
    // A2 = 68) stays DL/T 645, even where an M-Bus reading of L would end
    // on a 16.
    let d = decode("68 11 11 68 33 33 33 68 11 04 33 33 34 33 D5 16 E5 10 7B 05 80 16 16");
    let found: Vec<&str> = d.frames.iter().map(|f| f.protocol).collect();
    assert_eq!(found[0], "dlt645-2007", "{found:?}");
    // A lone E5 after unrecognised bytes stays with them.
    let d = decode("01 02 E5 03");
    assert!(d.frames.iter().all(|f| f.protocol != "mbus"));
}

/// Random bytes and every cut of every vector, forced as M-Bus: no panic,
/// every node inside its frame, linear in the input.
#[test]
fn bad_input_never_panics() {
    let reg = Registry::default();
    let p = reg.get("mbus").unwrap();
    let opts = Options::default();
    let mut rng = crate::testkit::Rng::new(0x6d62_7573);
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for v in vectors() {
        let b = bytes(v["hex"].as_str().unwrap());
        for cut in 0..b.len() {
            inputs.push(b[..cut].to_vec());
        }
        for _ in 0..50 {
            let mut m = b.clone();
            let i = (rng.next_u64() % m.len() as u64) as usize;
            m[i] = rng.next_u64() as u8;
            inputs.push(m);
        }
    }
    for _ in 0..2000 {
        let n = (rng.next_u64() % 300) as usize;
        let mut b: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        if n > 7 {
            b[0] = 0x68;
            b[1] = (n - 6).min(255) as u8;
            b[2] = b[1];
            b[3] = 0x68;
        }
        inputs.push(b);
    }
    for b in &inputs {
        let f = p.dissect(b, 10, &opts);
        for n in &f.nodes {
            assert!(f.span.encloses(n.span), "{b:02X?}: {:?} {:?} outside {:?}", n.id, n.span, f.span);
        }
        let _ = f.render(Lang::Zh);
        let _ = p.score(b);
        let _ = p.frame(b);
    }
}

/// A read in two telegrams: the first ends with DIF 1F, the second with
/// the last records; the requests between them do not break the read.
#[test]
fn telegrams_are_joined() {
    let first = vectors().into_iter().find(|v| v["id"] == "mbus-elv-temp-humid").unwrap();
    let first = first["hex"].as_str().unwrap().to_string();
    let second = "68 13 13 68 08 05 72 34 08 00 54 96 15 32 00 F3 00 00 00 02 65 D0 08 1E 16";
    let input = format!("{first}\n10 7B 05 80 16\n{second}");
    let d = decode(&input);
    assert_eq!(d.frames.len(), 3);
    let r = d.render(Lang::En);
    assert_eq!(r.analyses.len(), 1, "{:?}", r.analyses);
    let a = &r.analyses[0];
    assert_eq!(a.id, "mbus.telegrams");
    assert!(a.ok, "{}", a.status);
    assert_eq!(a.parts.iter().map(|p| p.frame).collect::<Vec<_>>(), [0, 2]);
    assert_eq!(a.parts[0].len, 86 - 19);
    let joined = a.frame.as_ref().unwrap();
    assert!(find(&joined.tree, "mbus.record.13").is_some(), "the second telegram's record follows the first's twelve");
    assert_eq!(value(&joined.tree, "mbus.record.13"), "22.56");
    // The next telegram still announces more and none follows: not complete.
    let d = decode(&format!("{first}\n68 14 14 68 08 05 72 34 08 00 54 96 15 32 00 F3 00 00 00 02 65 D0 08 1F 3D 16"));
    let r = d.render(Lang::Zh);
    assert_eq!(r.analyses.len(), 1);
    assert!(!r.analyses[0].ok);
    // One telegram alone, or telegrams of two meters: nothing joined.
    assert!(decode(&first).analyses.is_empty());
    let other = first.replacen("685353680805", "685353680806", 1);
    assert!(decode(&format!("{other}\n{second}")).analyses.is_empty());
}

/// Throughput of the whole decode of M-Bus telegrams, one input per
/// telegram as the project's benchmark measures (run with `--release
/// --ignored`).
#[test]
#[ignore]
fn throughput() {
    let text = include_str!("../../../tests/data/new-public-vectors.json");
    let all: serde_json::Value = serde_json::from_str(text).unwrap();
    for family in ["mbus"] {
        let frames: Vec<Vec<u8>> = all["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["family"] == family)
            .map(|v| bytes(v["hex"].as_str().unwrap()))
            .collect();
        let reg = Registry::default();
        let opts = Options::default();
        let (mut total, mut n) = (0usize, 0usize);
        let t = std::time::Instant::now();
        while total < 16 << 20 {
            for f in &frames {
                n += reg.dissect(f, &[], &opts).frames.len();
                total += f.len();
            }
        }
        let s = t.elapsed().as_secs_f64();
        println!("{family}: {n} frames, {:.1} MB/s", total as f64 / s / 1e6);
    }
}

/// The other families' public frames: the M-Bus framer takes none of them
/// at their start, or scores below their own family.
#[test]
fn other_families_frames_are_not_taken() {
    use crate::registry::FrameStatus;
    let reg = Registry::default();
    let mbus = reg.get("mbus").unwrap();
    let older: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../../tests/data/public-vectors.json")).unwrap();
    let newer: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/data/new-public-vectors.json")).unwrap();
    let mut checked = 0;
    for v in older.iter().chain(newer["vectors"].as_array().unwrap()) {
        if v["family"] == "mbus" {
            continue;
        }
        let Some(hex) = v.get("hex").and_then(|h| h.as_str()) else { continue };
        let Ok(parsed) = crate::input::parse_input(hex) else { continue };
        let b = parsed.bytes;
        let d = reg.dissect(&b, &parsed.line_starts, &Options::default());
        assert!(d.frames.iter().all(|f| f.protocol != "mbus"), "{}: an M-Bus frame found", v["id"]);
        if let FrameStatus::Complete { len, .. } = mbus.frame(&b) {
            let theirs = d.frames.first().map(|f| f.protocol).unwrap_or("unknown");
            if let Some(p) = reg.get(theirs) {
                assert!(mbus.score(&b[..len]) < p.score(&b[..d.frames[0].span.len()]), "{}", v["id"]);
            }
        }
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
}

/// DLMS/COSEM data (CI 7Ch, long header) and an SML file carried in M-Bus
/// frames are shown by their own dissectors, in place, on the frame's bytes.
#[test]
fn dlms_and_sml_carried_in_m_bus_are_dissected_in_place() {
    use crate::protocols::mbus::session::long_frame;
    let header = [0x78, 0x56, 0x34, 0x12, 0x63, 0x36, 0x01, 0x02, 0x07, 0x00, 0x00, 0x00];
    // GET.response-normal, invoke-id C1, data: double-long-unsigned 1234h.
    let apdu = [0xC4, 0x01, 0xC1, 0x00, 0x06, 0x00, 0x00, 0x12, 0x34];
    let frame = long_frame(0x08, 0x01, 0x7C, &[header.as_slice(), &apdu].concat());
    for lang in [Lang::En, Lang::Zh] {
        let d = Registry::default().dissect(&frame, &[], &Options { lang, ..Options::default() }).render(lang);
        assert_eq!(d.frames.len(), 1);
        let f = &d.frames[0];
        assert_eq!(f.protocol, "mbus");
        assert!(f.valid, "{:?}", f.diagnostics);
        let mut ids = Vec::new();
        f.tree.walk(&mut |n, _| ids.push((n.id.clone(), n.span, n.value.clone())));
        let get = ids.iter().find(|(id, ..)| id.starts_with("dlms.")).unwrap_or_else(|| panic!("{ids:?}"));
        // The APDU starts after the header, at byte 7 + 12.
        assert_eq!(get.1.start, 19, "{ids:?}");
        assert!(ids.iter().any(|(_, _, v)| v.as_deref() == Some("4660")), "{ids:?}");
    }
    let sml = small_sml_file();
    // Two bytes after the SML frame stay in the tree as bytes.
    let frame = long_frame(0x08, 0x01, 0x7E, &[header.as_slice(), &sml, &[0xAB, 0xCD]].concat());
    let d = decode(&crate::wire::hex(&frame)).render(Lang::En);
    let f = &d.frames[0];
    assert_eq!(f.protocol, "mbus");
    assert!(f.valid, "{:?}", f.diagnostics);
    let close = find(&f.tree, "sml.message.1").expect("the SML message");
    assert_eq!(close.span.start, 19 + 8);
    assert!(find(&f.tree, "sml.crc").is_some());
    let rest = find(&f.tree, "mbus.raw").expect("the bytes after the SML frame");
    assert_eq!(rest.value.as_deref(), Some("AB CD"));
}

/// A small SML file (a PublicClose response) in its transport frame.
fn small_sml_file() -> Vec<u8> {
    use crate::protocols::sml::codec::{Message, Value, emit};
    let body = Value::List(vec![Value::Uint(0x0201, 2), Value::List(vec![Value::NOT_SET])]);
    emit(&[Message { transaction_id: vec![0x01, 0x02], group_no: 0, abort_on_error: 0, body }])
}
