//! Frames published by public projects from meters in the field (DLMS push
//! messages of Kaifa, Kamstrup, Aidon, Iskra and Landis+Gyr meters, short-name
//! associations, releases with user-information, general block transfer
//! across HDLC frames, profile reads by range, IEC 62056-21 enhanced
//! identifications and heat-meter readouts), each checked against the facts
//! its source states: the protocol, validity, no bytes left unexplained, the
//! date-time, the OBIS codes named, the values and the joined blocks.
//! `tests/data/conformance-vectors.json` names each frame's source.

use meterscope_core::view::{Dissection, Node, Severity};
use meterscope_core::{Keys, Options, decode};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    serde_json::from_str(include_str!("data/conformance-vectors.json")).unwrap()
}

fn hex16(s: &str) -> [u8; 16] {
    let b: Vec<u8> = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
    b.try_into().unwrap()
}

/// Every label, value, unit and text of a tree, one string per node.
fn texts(n: &Node, out: &mut Vec<String>) {
    let mut s = n.label.clone();
    for part in [&n.value, &n.unit, &n.text].into_iter().flatten() {
        s.push(' ');
        s.push_str(part);
    }
    out.push(s);
    for c in &n.children {
        texts(c, out);
    }
}

fn all_texts(d: &Dissection) -> Vec<String> {
    let mut out = Vec::new();
    for f in &d.frames {
        texts(&f.tree, &mut out);
    }
    for a in &d.analyses {
        if let Some(f) = &a.frame {
            texts(&f.tree, &mut out);
        }
    }
    out
}

fn has(texts: &[String], needle: &str) -> bool {
    texts.iter().any(|t| t.contains(needle))
}

/// `1-1:0.0.5.255` as the decoder writes it: `1-1:0.0.5*255`.
fn obis_shown(code: &str) -> String {
    match code.rfind('.') {
        Some(i) => format!("{}*{}", &code[..i], &code[i + 1..]),
        None => code.to_string(),
    }
}

fn check(v: &Value, failures: &mut Vec<String>) {
    let id = v["id"].as_str().unwrap();
    let e = &v["expect"];
    let input = v.get("hex").or_else(|| v.get("text")).and_then(Value::as_str).unwrap();
    let mut keys = Keys::default();
    if let (Some(ek), Some(ak)) = (e["encryption_key"].as_str(), e["authentication_key"].as_str()) {
        keys.cipher_key = Some(hex16(ek));
        keys.auth_key = Some(hex16(ak));
    }
    let opts = Options { keys, ..Options::default() };
    let d = match decode(input, &opts) {
        Ok(d) => d.dissection,
        Err(err) => return failures.push(format!("{id}: input error {err}")),
    };
    let mut fail = |m: String| failures.push(format!("{id}: {m}"));
    let want = v["protocol"].as_str().unwrap();
    let protocols: Vec<&str> = d.frames.iter().map(|f| f.protocol.as_str()).collect();
    if protocols.is_empty() || protocols.iter().any(|p| *p != want) {
        fail(format!("detected {protocols:?}, expected {want}"));
    }
    if !d.junk.is_empty() {
        fail(format!("bytes left unexplained: {:?}", d.junk));
    }
    let partial = e["valid"].is_string();
    for f in &d.frames {
        if !partial && !f.valid {
            fail(format!("frame at {} not valid: {:?}", f.span.start, f.diagnostics));
        }
        for g in &f.diagnostics {
            // The only notes allowed: keys not given, data lines logged without STX.
            let expected = g.severity == Severity::Info
                && (g.code.ends_with("no-key") || g.code.contains("cipher") || g.code == "iec62056-21.unframed");
            let cut = partial && g.code.ends_with("truncated");
            if !expected && !cut {
                fail(format!("{} {}: {}", g.severity.as_str(), g.code, g.message));
            }
        }
    }
    let t = all_texts(&d);
    // The date-time, in the APDU or in the decrypted or joined one.
    let date_time = e["date_time"].as_str().or_else(|| e["decrypted"]["date_time"].as_str());
    let date_time = date_time.or_else(|| e["reassembled"]["date_time"].as_str());
    if let Some(dt) = date_time {
        let shown = dt.replacen(' ', "T", 1);
        if !has(&t, &shown) {
            fail(format!("date-time {shown} not shown"));
        }
    }
    for key in ["obis", "obis_first"] {
        for code in e[key].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let shown = obis_shown(code.split(' ').next().unwrap());
            // In push bodies the code is an octet-string; elsewhere an instance id.
            let push = v["kind"].as_str().unwrap().starts_with("push");
            let named = |s: &&String| s.contains(&shown) && (!push || s.starts_with("octet-string (OBIS)"));
            if !t.iter().any(|s| named(&s)) {
                fail(format!("OBIS {shown} not named"));
            }
        }
    }
    for s in e["visible_strings"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !has(&t, s) {
            fail(format!("string {s} not shown"));
        }
    }
    if let Some(n) = e["decrypted"]["apdu"].as_str()
        && !has(&t, n)
    {
        fail(format!("decrypted {n} not shown"));
    }
    if e.get("reassembled").is_some() {
        let joined = d.analyses.iter().any(|a| a.id == "dlms.reassembly" && a.ok && a.frame.is_some());
        if !joined {
            fail("blocks not joined".into());
        }
    }
    // Profile reads by range: both ends named as date-times.
    if let Some(r) = e.get("range_descriptor") {
        for end in ["from", "to"] {
            let date = r[end].as_str().unwrap().split(' ').next().unwrap();
            if !t.iter().any(|s| s.contains(date) && s.contains('T')) {
                fail(format!("range {end} {date} not shown as a date-time"));
            }
        }
    }
    // Associations and releases: the InitiateResponse/Request read whole.
    if let Some(vaa) = e["user_information"]["initiate_response"]["vaa_name"].as_str() {
        let vaa = vaa.trim_start_matches("0x");
        if !t.iter().any(|s| s.to_ascii_uppercase().contains(vaa)) {
            fail(format!("VAA name {vaa} not shown"));
        }
    }
    // IEC 62056-21: manufacturer, identification, enhanced identification.
    if v["kind"] == "iec-enhanced-ident" {
        let ident = e["identification"].as_str().unwrap();
        if !has(&t, ident) {
            fail(format!("identification {ident} not shown"));
        }
        let flag = e["manufacturer"].as_str().unwrap();
        let letters = &flag[..3];
        if !has(&t, letters) {
            fail(format!("manufacturer {letters} not shown"));
        }
        if letters.as_bytes()[2].is_ascii_lowercase() && !has(&t, "20 ms") {
            fail("the lowercase third letter's 20 ms reaction time not said".into());
        }
        if e.get("enhanced_identification").is_some() && !has(&t, "\\2") {
            fail("enhanced identification \\2 not shown".into());
        }
    }
    // Heat-meter readouts: each value read, no code named as electricity.
    if v["kind"] == "iec-heat-meter-readout" {
        for (code, value) in e["values"].as_object().into_iter().flatten() {
            let value = value.as_str().unwrap().split(' ').next().unwrap();
            if !t.iter().any(|s| s.starts_with(&format!("{code} ")) && s.contains(value)) {
                fail(format!("{code} = {value} not read"));
            }
        }
        if let Some(s) = t.iter().find(|s| s.contains("1-0:")) {
            fail(format!("a heat meter's code named as electricity: {s}"));
        }
    }
}

#[test]
fn field_frames_decode_as_their_sources_say() {
    let vectors = vectors();
    assert!(vectors.len() >= 29);
    let mut failures = Vec::new();
    for v in &vectors {
        check(v, &mut failures);
    }
    assert!(failures.is_empty(), "{} finding(s):\n{}", failures.len(), failures.join("\n"));
}
