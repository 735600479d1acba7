//! Golden tests over the public vectors (`tests/data/new-public-vectors.json`,
//! family `sml`), the transport's faults pinned to their bytes, labels in
//! both languages, robustness.

use crate::lang::Lang;
use crate::registry::{Options, Registry};
use crate::testkit::{bytes, decode, new_public_vectors, node};
use crate::view::Node;

fn vectors() -> Vec<serde_json::Value> {
    new_public_vectors(|f| f == "sml")
}

fn only_frame(hex: &str) -> crate::view::Frame {
    let d = decode(hex).render(Lang::En);
    assert!(d.junk.is_empty(), "{:?}", d.junk);
    assert_eq!(d.frames.len(), 1);
    d.frames.into_iter().next().unwrap()
}

fn opt_str(v: &serde_json::Value) -> Option<String> {
    v.as_str().map(|s| s.to_uppercase())
}

/// Every public vector: transport, every message and every list entry as the
/// vector's `expect` states them.
#[test]
fn public_vectors_decode_as_expected() {
    let all = vectors();
    assert_eq!(all.len(), 7);
    for v in &all {
        let id = v["id"].as_str().unwrap();
        let hex = v["hex"].as_str().unwrap();
        let f = only_frame(hex);
        assert_eq!(f.protocol, "sml", "{id}");
        assert!(f.valid, "{id}: {:?}", f.diagnostics);
        assert!(f.diagnostics.is_empty(), "{id}: {:?}", f.diagnostics);
        let t = &v["expect"]["transport"];
        let pad = t["padding_bytes"].as_u64().unwrap();
        assert_eq!(node(&f.tree, "sml.end.padding").value.as_deref(), Some(pad.to_string().as_str()), "{id}");
        let crc = node(&f.tree, "sml.crc").value.clone().unwrap();
        let crc = u16::from_str_radix(crc.trim_start_matches("0x"), 16).unwrap();
        let wire = format!("{:02x}{:02x}", crc & 0xFF, crc >> 8);
        assert_eq!(wire, t["crc16_x25"].as_str().unwrap(), "{id}");
        assert!(f.checks.iter().all(|c| c.ok), "{id}");

        let mut entry = 0;
        for (k, m) in v["expect"]["messages"].as_array().unwrap().iter().enumerate() {
            let k = k + 1;
            let at = |field: &str| format!("sml.message.{k}.{field}");
            let msg_node = node(&f.tree, &format!("sml.message.{k}"));
            assert_eq!(
                node(msg_node, &at("transaction_id")).value.as_deref().map(str::to_lowercase).as_deref(),
                m["transaction_id"].as_str(),
                "{id} #{k}"
            );
            let tag = m["tag"].as_str().unwrap().to_uppercase().replace("0X", "0x");
            assert_eq!(node(msg_node, &at("body.tag")).value.as_deref(), Some(tag.as_str()), "{id} #{k}");
            let ty = m["type"].as_str().unwrap();
            assert!(msg_node.text.as_deref().unwrap().contains(&format!("({ty})")), "{id} #{k} {ty}");
            let stated = node(msg_node, &at("crc")).value.clone().unwrap();
            assert_eq!(stated.trim_start_matches("0x").to_lowercase(), m["msg_crc"].as_str().unwrap(), "{id} #{k}");
            if let Some(s) = m.get("server_id") {
                assert_eq!(node(msg_node, &at("body.server_id")).value, opt_str(s), "{id} #{k}");
            }
            for key in ["client_id", "req_file_id", "codepage"] {
                if let Some(s) = m.get(key) {
                    assert_eq!(node(msg_node, &at(&format!("body.{key}"))).value, opt_str(s), "{id} #{k} {key}");
                }
            }
            if let Some(s) = m.get("sml_version") {
                let want = s.as_u64().map(|x| x.to_string());
                assert_eq!(node(msg_node, &at("body.sml_version")).value, want, "{id} #{k}");
            }
            for (key, field) in [("ref_time", "body.ref_time"), ("act_sensor_time", "body.act_sensor_time")] {
                if let Some(s) = m.get(key) {
                    let want = s.as_array().map(|a| {
                        assert_eq!(a[0], 1, "{id}: secIndex");
                        a[1].as_u64().unwrap().to_string()
                    });
                    assert_eq!(node(msg_node, &at(field)).value, want, "{id} #{k} {key}");
                }
            }
            if let Some(s) = m.get("list_name") {
                let n = node(msg_node, &at("body.list_name"));
                assert_eq!(n.value.as_deref(), s.as_str(), "{id} #{k}");
            }
            let Some(entries) = m.get("entries").and_then(|e| e.as_array()) else { continue };
            for e in entries {
                entry += 1;
                let en = |field: &str| format!("sml.entry.{entry}.{field}");
                let n = node(msg_node, &format!("sml.entry.{entry}"));
                let obis = e["obis"].as_str().unwrap();
                assert_eq!(n.value.as_deref(), Some(obis), "{id} entry {entry}");
                assert_eq!(node(n, &en("obj_name")).value.as_deref(), Some(obis), "{id} entry {entry}");
                let status = node(n, &en("status")).value.clone();
                assert_eq!(status, e.get("status").map(|s| s.as_u64().unwrap().to_string()), "{id} {obis} status");
                if let Some(u) = e.get("unit") {
                    assert_eq!(node(n, &en("unit")).value, Some(u.as_u64().unwrap().to_string()), "{id} {obis}");
                    assert_eq!(node(n, &en("value")).unit.as_deref(), e["unit_name"].as_str(), "{id} {obis}");
                }
                if let Some(s) = e.get("scaler") {
                    assert_eq!(node(n, &en("scaler")).value, Some(s.as_i64().unwrap().to_string()), "{id} {obis}");
                }
                let value = node(n, &en("value"));
                if let Some(h) = e.get("value_hex") {
                    assert_eq!(value.value, opt_str(h), "{id} {obis}");
                }
                if let Some(t) = e.get("value_text") {
                    assert_eq!(value.text.as_deref(), t.as_str(), "{id} {obis}");
                }
                if let Some(raw) = e.get("value") {
                    match raw.as_i64() {
                        None => assert_eq!(value.value, None, "{id} {obis} not set"),
                        Some(raw) => {
                            let text = value.text.clone().unwrap();
                            assert!(text.starts_with(&format!("{raw} × 10^")), "{id} {obis}: {text}");
                            let ty = e["value_type"].as_str().unwrap();
                            let (word, bits) = if let Some(b) = ty.strip_prefix('u') {
                                ("Unsigned", b)
                            } else {
                                ("Integer", &ty[1..])
                            };
                            assert!(text.contains(&format!("({word}{bits})")), "{id} {obis}: {text} {ty}");
                            let want = e.get("scaled").and_then(|s| s.as_f64()).unwrap_or(raw as f64);
                            let got: f64 = value.value.as_deref().unwrap().parse().unwrap();
                            assert!((got - want).abs() < 1e-6, "{id} {obis}: {got} {want}");
                        }
                    }
                }
            }
        }
    }
}

/// A transport frame around an SML file: escaped, padded, with its CRC.
fn wrap(file: &[u8]) -> Vec<u8> {
    super::codec::emit_transport(file)
}

/// An SML_Message with its CRC.
fn message(tid: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![0x76, 0x02, tid, 0x62, 0x00, 0x62, 0x00];
    m.extend_from_slice(body);
    let crc = crate::wire::crc16_x25(&m).to_le_bytes();
    m.extend_from_slice(&[0x63, crc[0], crc[1], 0x00]);
    m
}

const SERVER: [u8; 11] = [0x0B, 0x0A, 0x01, 0x45, 0x4D, 0x48, 0x00, 0x00, 0xA1, 0xBD, 0x34];

fn hexs(b: &[u8]) -> String {
    crate::wire::hex(b)
}

fn codes(f: &crate::view::Frame) -> Vec<&str> {
    f.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn attention_response_names_the_attention_number() {
    let mut body = vec![0x72, 0x63, 0xFF, 0x01, 0x74];
    body.extend_from_slice(&SERVER);
    body.extend_from_slice(&[0x07, 0x81, 0x81, 0xC7, 0xC7, 0xFE, 0x03, 0x01, 0x01]);
    let f = only_frame(&hexs(&wrap(&message(1, &body))));
    assert!(f.valid, "{:?}", f.diagnostics);
    let n = node(&f.tree, "sml.message.1.body.attention_no");
    assert_eq!(n.value.as_deref(), Some("8181C7C7FE03"));
    assert_eq!(n.text.as_deref(), Some("Error: serverId not available"));
    let zh = decode(&hexs(&wrap(&message(1, &body)))).render(Lang::Zh);
    let n = node(&zh.frames[0].tree, "sml.message.1.body.attention_no");
    assert_eq!(n.text.as_deref(), Some("错误：serverId 不可用"));
    assert!(node(&f.tree, "sml.message.1").text.as_deref().unwrap().contains("AttentionResponse"));
}

#[test]
fn proc_parameter_trees_and_paths() {
    let mut body = vec![0x72, 0x63, 0x05, 0x01, 0x73];
    body.extend_from_slice(&SERVER);
    body.extend_from_slice(&[0x71, 0x07, 0x01, 0x00, 0x01, 0x08, 0x00, 0xFF]);
    // Tree: name 1.8.0, value (choice 1: Unsigned16 1234), one child with choice 4: secIndex.
    body.extend_from_slice(&[0x73, 0x07, 0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x72, 0x62, 0x01, 0x63, 0x04, 0xD2]);
    body.extend_from_slice(&[0x71, 0x73, 0x07, 0x01, 0x00, 0x00, 0x09, 0x0B, 0x00, 0x72, 0x62, 0x04]);
    body.extend_from_slice(&[0x72, 0x62, 0x01, 0x65, 0x00, 0x00, 0x00, 0x2A, 0x01]);
    let f = only_frame(&hexs(&wrap(&message(7, &body))));
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(node(&f.tree, "sml.path.name.1").value.as_deref(), Some("1-0:1.8.0*255"));
    assert_eq!(node(&f.tree, "sml.tree.name.1").value.as_deref(), Some("1-0:1.8.0*255"));
    assert_eq!(node(&f.tree, "sml.tree.value.value.1").value.as_deref(), Some("1234"));
    assert_eq!(node(&f.tree, "sml.tree.value.time.1").value.as_deref(), Some("42"));
}

#[test]
fn transport_crc_mismatch_is_pinned_with_the_expected_value() {
    let v = &vectors()[0];
    let mut b = bytes(v["hex"].as_str().unwrap());
    let n = b.len();
    b[n - 1] ^= 0xFF;
    let f = only_frame(&hexs(&b));
    assert!(!f.valid);
    let d = f.diagnostics.iter().find(|d| d.code == "sml.crc.mismatch").unwrap();
    assert_eq!((d.span.start, d.span.end), (n - 2, n));
    assert!(d.message.contains("should be 0x0AB1"), "{}", d.message);
    let c = f.checks.iter().find(|c| c.id == "sml.crc").unwrap();
    assert_eq!((c.stated.as_str(), c.computed.as_str(), c.ok), ("0xF5B1", "0x0AB1", false));
}

#[test]
fn message_crc_mismatch_is_pinned_to_the_message() {
    // A value changed inside the GetList response, the transport CRC made good again.
    let mut file = message(1, &[0x72, 0x63, 0x02, 0x01, 0x71, 0x01]);
    let at = file.len() - 3;
    file[at] ^= 0x01;
    let f = only_frame(&hexs(&wrap(&file)));
    assert!(!f.valid);
    let d = f.diagnostics.iter().find(|d| d.code == "sml.message.crc.mismatch").unwrap();
    assert_eq!((d.span.start, d.span.end), (8 + at - 1, 8 + at + 2));
    assert!(f.checks.iter().any(|c| c.id == "sml.message.1.crc" && !c.ok));
}

#[test]
fn bad_tl_fields_and_unknown_tags_are_pinned() {
    // Type 010 is not defined.
    let f = only_frame(&hexs(&wrap(&message(1, &[0x72, 0x63, 0x02, 0x01, 0x21, 0x00]))));
    let d = f.diagnostics.iter().find(|d| d.code == "sml.tl.invalid").unwrap();
    assert_eq!(d.span.start, 8 + 11);
    assert!(!f.valid);
    // A continuation byte with type bits.
    let f = only_frame(&hexs(&wrap(&[0x76, 0x85, 0x30, 0x00])));
    assert!(codes(&f).contains(&"sml.tl.invalid"), "{:?}", f.diagnostics);
    // An unknown message body tag.
    let f = only_frame(&hexs(&wrap(&message(1, &[0x72, 0x63, 0x0B, 0x00, 0x01]))));
    let d = f.diagnostics.iter().find(|d| d.code == "sml.message.body.unknown").unwrap();
    assert_eq!((d.span.start, d.span.end), (8 + 8, 8 + 11));
    assert!(d.message.contains("0x00000B00"), "{}", d.message);
    assert!(!f.valid);
    // A list that is not there.
    let f = only_frame(&hexs(&wrap(&[0x62, 0x05])));
    assert!(codes(&f).contains(&"sml.list.expected"), "{:?}", f.diagnostics);
}

#[test]
fn truncated_frames_and_lists() {
    let v = &vectors()[1];
    let b = bytes(v["hex"].as_str().unwrap());
    let half = hexs(&b[..b.len() / 2]);
    let d = decode(&half).render(Lang::En);
    assert_eq!(d.frames.len(), 1);
    let f = &d.frames[0];
    assert_eq!(f.protocol, "sml");
    assert!(!f.valid);
    assert!(codes(f).contains(&"sml.end.missing"), "{:?}", f.diagnostics);
    // A list announcing more elements than the file holds.
    let f = only_frame(&hexs(&wrap(&[0x7F, 0x62, 0x01])));
    assert!(codes(&f).contains(&"sml.truncated"), "{:?}", f.diagnostics);
    assert!(!f.valid);
}

#[test]
fn misaligned_end_and_bad_padding_are_errors() {
    let mut b = super::frame::START.to_vec();
    b.extend_from_slice(&[0x01, 0x1B, 0x1B, 0x1B, 0x1B, 0x1A, 0x00]);
    let crc = crate::wire::crc16_x25(&b).to_le_bytes();
    b.extend_from_slice(&crc);
    let f = only_frame(&hexs(&b));
    let d = f.diagnostics.iter().find(|d| d.code == "sml.end.misaligned").unwrap();
    assert_eq!(d.span.start, 9);
    assert!(!f.valid);
    let mut b = super::frame::START.to_vec();
    b.extend_from_slice(&[0x01, 0x00, 0x00, 0x00, 0x1B, 0x1B, 0x1B, 0x1B, 0x1A, 0x07]);
    let crc = crate::wire::crc16_x25(&b).to_le_bytes();
    b.extend_from_slice(&crc);
    let f = only_frame(&hexs(&b));
    assert!(codes(&f).contains(&"sml.padding.count"), "{:?}", f.diagnostics);
}

#[test]
fn escaped_escape_sequences_in_values() {
    let body = [0x72, 0x63, 0x02, 0x01, 0x71, 0x06, 0x1B, 0x1B, 0x1B, 0x1B, 0x42];
    let b = wrap(&message(1, &body));
    let f = only_frame(&hexs(&b));
    assert!(f.valid, "{:?}", f.diagnostics);
    let n = node(&f.tree, "sml.message.1.body.global_signature");
    assert_eq!(n.value.as_deref(), Some("1B1B1B1B42"));
    // The span covers the doubled escape sequence on the wire.
    assert_eq!(n.span.len(), 10);
}

#[test]
fn power_sign_from_the_status_word() {
    let v = vectors().into_iter().find(|v| v["id"] == "sml-emh-ed300l-delivery").unwrap();
    let f = only_frame(v["hex"].as_str().unwrap());
    let status = f.tree.children.iter().flat_map(|m| m.children.iter()).count();
    assert!(status > 0);
    let mut texts = Vec::new();
    fn walk<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
        out.push(n);
        n.children.iter().for_each(|c| walk(c, out));
    }
    walk(&f.tree, &mut texts);
    let st = texts.iter().find(|n| n.id.ends_with(".status") && n.value.is_some()).unwrap();
    assert!(st.text.as_deref().unwrap().contains("−A"), "{:?}", st.text);
    let power = texts.iter().find(|n| n.id.ends_with(".value") && n.unit.as_deref() == Some("W")).unwrap();
    assert!(power.text.as_deref().unwrap().contains("delivered"), "{:?}", power.text);
}

#[test]
fn mixed_input_splits_without_taking_other_frames() {
    let all = vectors();
    let a = all[0]["hex"].as_str().unwrap();
    let b = all[1]["hex"].as_str().unwrap();
    let dlt645 = "68129078563412681104333334331B16";
    let input = format!("DEADBEEF{a}0000{dlt645}55{b}1B1B");
    let d = decode(&input).render(Lang::En);
    let protocols: Vec<&str> = d.frames.iter().map(|f| f.protocol.as_str()).collect();
    assert_eq!(protocols.iter().filter(|p| **p == "sml").count(), 2, "{protocols:?}");
    assert!(protocols.contains(&"dlt645-2007"), "{protocols:?}");
    let n = bytes(&input).len();
    let covered: usize =
        d.frames.iter().map(|f| f.span.len()).sum::<usize>() + d.junk.iter().map(|j| j.span.len()).sum::<usize>();
    assert_eq!(covered, n);
    assert!(d.frames.iter().filter(|f| f.protocol == "sml").all(|f| f.valid));
}

#[test]
fn every_node_is_labelled_in_both_languages_with_unique_ids() {
    let mut inputs: Vec<String> = vectors().iter().map(|v| v["hex"].as_str().unwrap().to_string()).collect();
    let mut body = vec![0x72, 0x63, 0xFF, 0x01, 0x74];
    body.extend_from_slice(&SERVER);
    body.extend_from_slice(&[0x07, 0x81, 0x81, 0xC7, 0xC7, 0xFD, 0x00, 0x01, 0x01]);
    inputs.push(hexs(&wrap(&message(1, &body))));
    for hex in &inputs {
        let d = decode(hex);
        for lang in [Lang::En, Lang::Zh] {
            for f in &d.render(lang).frames {
                let mut seen = std::collections::HashSet::new();
                fn walk(n: &Node, seen: &mut std::collections::HashSet<String>) {
                    assert!(seen.insert(n.id.clone()), "duplicate id {}", n.id);
                    assert_ne!(n.label, n.id, "no label for {}", n.id);
                    n.children.iter().for_each(|c| walk(c, seen));
                }
                walk(&f.tree, &mut seen);
                for c in &f.checks {
                    assert_ne!(c.label, c.id);
                }
            }
        }
    }
}

#[test]
fn hostile_input_is_bounded() {
    // Deep nesting: lists of one list each.
    let mut file = vec![0x71; 20_000];
    file.push(0x01);
    let f = only_frame(&hexs(&wrap(&file)));
    assert!(codes(&f).contains(&"sml.tl.depth"), "{:?}", &f.diagnostics[..1]);
    // Random bytes after a start escape, and random bytes with start escapes inside.
    let mut rng = crate::session::Rng::new(42);
    for round in 0..300 {
        let mut b = Vec::new();
        for _ in 0..rng.range(1, 6) {
            if rng.chance(50) {
                b.extend_from_slice(&super::frame::START);
            }
            for _ in 0..rng.range(0, 80) {
                b.push(if rng.chance(20) { 0x1B } else { rng.range(0, 255) as u8 });
            }
            if rng.chance(30) {
                let n = b.len();
                let good = wrap(&b[n.saturating_sub(20)..]);
                b.extend_from_slice(&good);
            }
        }
        let d = Registry::default().dissect(&b, &[], &Options::default());
        let covered: usize =
            d.frames.iter().map(|f| f.span.len()).sum::<usize>() + d.junk.iter().map(|j| j.span.len()).sum::<usize>();
        assert_eq!(covered, b.len(), "round {round}");
        for f in d.frames.iter().chain([&super::dissect::dissect(&b, 5)]) {
            assert!(f.nodes.iter().all(|n| f.span.encloses(n.span)), "round {round}");
        }
        let _ = d.render(Lang::Zh);
    }
}

#[test]
fn strict_codec_round_trips_the_public_vectors() {
    use super::codec;
    use crate::error::ErrorKind;
    for v in vectors() {
        let id = v["id"].as_str().unwrap();
        let b = bytes(v["hex"].as_str().unwrap());
        let messages = codec::parse(&b).unwrap_or_else(|e| panic!("{id}: {e}"));
        let tags: Vec<u32> = messages.iter().map(|m| m.tag().unwrap()).collect();
        let want: Vec<u32> = v["expect"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| u32::from_str_radix(m["tag"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap())
            .collect();
        assert_eq!(tags, want, "{id}");
        assert_eq!(codec::emit(&messages), b, "{id}");
        // The same frame with its CRC broken: the strict parse says where and what.
        let mut bad = b.clone();
        let n = bad.len();
        bad[n - 2] ^= 0x40;
        let e = codec::parse(&bad).unwrap_err();
        assert_eq!(e.offset, n - 2, "{id}");
        assert!(matches!(e.kind, ErrorKind::ChecksumMismatch { .. }), "{id}");
    }
    // Escape sequences in the data survive the round trip.
    let m = codec::Message {
        transaction_id: vec![1],
        group_no: 0,
        abort_on_error: 0,
        body: codec::Value::List(vec![
            codec::Value::Uint(0x0201, 2),
            codec::Value::List(vec![codec::Value::Octets(vec![0x1B, 0x1B, 0x1B, 0x1B, 0x1B])]),
        ]),
    };
    let b = codec::emit(std::slice::from_ref(&m));
    assert_eq!(codec::parse(&b).unwrap(), vec![m]);
    let f = only_frame(&hexs(&b));
    assert!(f.valid, "{:?}", f.diagnostics);
}

#[test]
fn power_signs_are_explained() {
    // A DZG meter's power in a signed field: the unsigned reading is named.
    let mut body = vec![0x72, 0x63, 0x07, 0x01, 0x77, 0x01];
    body.extend_from_slice(&[0x0B, 0x0A, 0x01, 0x44, 0x5A, 0x47, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x71]);
    body.extend_from_slice(&[0x77, 0x07, 0x01, 0x00, 0x10, 0x07, 0x00, 0xFF, 0x01, 0x01, 0x62, 0x1B, 0x52, 0xFE]);
    body.extend_from_slice(&[0x53, 0x8B, 0x28, 0x01, 0x01, 0x01]);
    let f = only_frame(&hexs(&wrap(&message(1, &body))));
    assert!(f.valid, "{:?}", f.diagnostics);
    let v = node(&f.tree, "sml.entry.1.value");
    assert_eq!(v.value.as_deref(), Some("-299.12"));
    assert!(v.text.as_deref().unwrap().contains("read unsigned, 356.24 W"), "{:?}", v.text);
    // A negative power says which way it flows.
    let v = vectors().into_iter().find(|v| v["id"] == "sml-iskra-mt175").unwrap();
    let f = only_frame(v["hex"].as_str().unwrap());
    let p = node(&f.tree, "sml.entry.9.value");
    assert_eq!(p.value.as_deref(), Some("-4308"));
    assert!(p.text.as_deref().unwrap().contains("negative"), "{:?}", p.text);
}

/// Bodies of every kind the public vectors do not hold, built by hand.
fn other_bodies() -> Vec<Vec<u8>> {
    let path = [0x71, 0x07, 0x81, 0x81, 0xC7, 0x86, 0x20, 0xFF];
    let tree = [0x73, 0x07, 0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x72, 0x62, 0x01, 0x62, 0x05, 0x01];
    let mut out = Vec::new();
    // OpenRequest, CloseRequest, GetListRequest.
    out.push(
        [
            &[0x72, 0x63, 0x01, 0x00, 0x77, 0x01][..],
            &[0x07, 1, 2, 3, 4, 5, 6, 0x02, 0x31, 0x01, 0x01, 0x01, 0x62, 0x01],
        ]
        .concat(),
    );
    out.push(vec![0x72, 0x63, 0x02, 0x00, 0x71, 0x01]);
    out.push(
        [
            &[0x72, 0x63, 0x07, 0x00, 0x75, 0x07, 1, 2, 3, 4, 5, 6, 0x01, 0x01, 0x01][..],
            &[0x07, 0x01, 0x00, 0x62, 0x0A, 0xFF, 0xFF],
        ]
        .concat(),
    );
    // GetProfileListRequest and GetProfilePackRequest.
    for tag in [0x03, 0x04] {
        out.push(
            [&[0x72, 0x63, tag, 0x00, 0x79, 0x01, 0x01, 0x01, 0x42, 0x00, 0x01, 0x01][..], &path, &[0x01, 0x01]]
                .concat(),
        );
    }
    // GetProfileListResponse: localTimestamp, period entries.
    out.push(
        [
            &[0x72, 0x63, 0x04, 0x01, 0x79][..],
            &SERVER,
            &[0x72, 0x62, 0x02, 0x65, 0x5F, 0x5E, 0x10, 0x00, 0x65, 0x00, 0x00, 0x03, 0x84],
            &path,
            &[0x72, 0x62, 0x03, 0x73, 0x65, 0x5F, 0x5E, 0x10, 0x00, 0x53, 0x00, 0x3C, 0x53, 0x00, 0x3C, 0x62, 0x00],
            &[
                0x71, 0x75, 0x07, 0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x62, 0x1E, 0x52, 0xFF, 0x56, 0x00, 0x00, 0x00,
                0x27, 0x10, 0x01,
            ],
            &[0x01, 0x01],
        ]
        .concat(),
    );
    // GetProfilePackResponse: header and period lists.
    out.push(
        [
            &[0x72, 0x63, 0x03, 0x01, 0x78][..],
            &SERVER,
            &[0x01, 0x62, 0x0F],
            &path,
            &[0x71, 0x73, 0x07, 0x01, 0x00, 0x01, 0x08, 0x00, 0xFF, 0x62, 0x1E, 0x52, 0xFF],
            &[0x71, 0x74, 0x72, 0x62, 0x01, 0x62, 0x05, 0x62, 0x00, 0x71, 0x72, 0x62, 0x07, 0x01, 0x01],
            &[0x01, 0x01],
        ]
        .concat(),
    );
    // GetProcParameterRequest, SetProcParameterRequest.
    out.push([&[0x72, 0x63, 0x05, 0x00, 0x75, 0x01, 0x01, 0x01][..], &path, &[0x01]].concat());
    out.push([&[0x72, 0x63, 0x06, 0x00, 0x75, 0x01, 0x01, 0x01][..], &path, &tree].concat());
    out
}

#[test]
fn every_body_kind_is_dissected_and_labelled() {
    for (k, body) in other_bodies().iter().enumerate() {
        let hex = hexs(&wrap(&message(k as u8, body)));
        let f = only_frame(&hex);
        assert!(f.valid, "body {k}: {:?}", f.diagnostics);
        assert!(f.diagnostics.is_empty(), "body {k}: {:?}", f.diagnostics);
        for lang in [Lang::En, Lang::Zh] {
            let r = decode(&hex).render(lang);
            fn walk(n: &Node) {
                assert_ne!(n.label, n.id, "no label for {}", n.id);
                n.children.iter().for_each(walk);
            }
            walk(&r.frames[0].tree);
        }
    }
    let f = only_frame(&hexs(&wrap(&message(1, &other_bodies()[5]))));
    assert_eq!(node(&f.tree, "sml.message.1.body.val_time").value.as_deref(), Some("2020-09-13 12:26:40 UTC"));
    assert_eq!(node(&f.tree, "sml.time.local_offset.1").unit.as_deref(), Some("min"));
    assert_eq!(node(&f.tree, "sml.entry.1.value").value.as_deref(), Some("1000.0"));
    assert_eq!(node(&f.tree, "sml.entry.1.value").unit.as_deref(), Some("Wh"));
    let f = only_frame(&hexs(&wrap(&message(1, &other_bodies()[2]))));
    assert_eq!(node(&f.tree, "sml.message.1.body.list_name").value.as_deref(), Some("1-0:98.10.255*255"));
}

#[test]
fn a_cut_frame_ends_where_the_next_one_starts() {
    let a = vectors()[0]["hex"].as_str().unwrap().to_string();
    let b = vectors()[1]["hex"].as_str().unwrap().to_string();
    let d = decode(&format!("{}{b}", &a[..200])).render(Lang::En);
    assert_eq!(d.frames.len(), 2);
    assert_eq!(d.frames[0].span.len(), 100);
    assert!(!d.frames[0].valid);
    assert!(d.frames[0].diagnostics.iter().any(|g| g.code == "sml.end.missing"));
    assert!(d.frames[1].valid);
}

#[test]
fn server_ids_of_the_ten_byte_forms() {
    use super::names::server_id;
    assert_eq!(
        server_id(&[0x0A, 0x01, b'E', b'M', b'H', 0x00, 0x00, 0xA1, 0xBD, 0x34]),
        Some((1, *b"EMH", 0, 10_599_732))
    );
    assert_eq!(
        server_id(&[0x09, 0x01, b'E', b'B', b'Z', 0x01, 0x00, 0x02, 0xEC, 0x3B]),
        Some((1, *b"EBZ", 1, 191_547))
    );
    assert_eq!(server_id(&[0x06, b'E', b'M', b'H', 0x01, 0x07, 0x19, 0x7C, 0x24, 0x56]), None);
    assert_eq!(server_id(&[0x0A, 0x01, b'e', b'M', b'H', 0x00, 0x00, 0xA1, 0xBD, 0x34]), None);
}

#[test]
fn random_sml_files_never_break_the_dissector() {
    // Bytes shaped like TL fields, wrapped or not, as the dissector and the codec see them.
    let mut rng = crate::session::Rng::new(1376);
    let shapes = [0x00, 0x01, 0x02, 0x52, 0x62, 0x63, 0x65, 0x71, 0x72, 0x76, 0x77, 0x07, 0x0B, 0x83, 0x1B];
    for round in 0..3000 {
        let n = rng.range(0, 160) as usize;
        let file: Vec<u8> = (0..n)
            .map(|_| {
                if rng.chance(60) {
                    shapes[rng.range(0, shapes.len() as u64 - 1) as usize]
                } else {
                    rng.range(0, 255) as u8
                }
            })
            .collect();
        let framed = wrap(&file);
        let raw = [super::frame::START.as_slice(), &file].concat();
        for b in [&framed, &raw] {
            let f = super::dissect::dissect(b, 2);
            assert!(f.nodes.iter().all(|x| f.span.encloses(x.span)), "round {round}");
            let _ = (f.render(Lang::En), f.render(Lang::Zh));
            let _ = super::codec::parse(b);
        }
    }
}
