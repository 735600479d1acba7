//! Golden tests over the public vectors of the family
//! (`tests/data/new-public-vectors.json`, family `wmbus`): link, extended
//! link and transport layer fields, the decrypted bytes against the ones
//! worked out by hand, values and units against the public decoders'
//! output, keys missing and wrong, broken CRCs, labels and robustness.

use crate::lang::Lang;
use crate::model::Frame as Model;
use crate::registry::{Keys, Options, Registry};
use crate::testkit::{Rng, bytes, find, new_public_vectors, node};
use crate::view::{Frame, Node};

fn vectors() -> Vec<serde_json::Value> {
    new_public_vectors(|f| f == "wmbus")
}

fn vector(id: &str) -> serde_json::Value {
    vectors().into_iter().find(|v| v["id"] == id).unwrap_or_else(|| panic!("no vector {id}"))
}

fn key_of(v: &serde_json::Value) -> Option<[u8; 16]> {
    v["keys"]["aes"].as_str().map(|k| bytes(k).try_into().unwrap())
}

fn with_key(key: Option<[u8; 16]>) -> Options {
    Options { keys: Keys { cipher_key: key, ..Keys::default() }, ..Options::default() }
}

/// The one frame of an input, checked to be wireless M-Bus and to cover it.
fn only(hex: &str, opts: &Options) -> (Model, Frame) {
    let b = bytes(hex);
    let mut d = Registry::default().dissect(&b, &[], opts);
    assert!(d.junk.is_empty(), "junk {:?}", d.junk);
    assert_eq!(d.frames.len(), 1);
    let m = d.frames.remove(0);
    let f = m.render(Lang::En);
    assert_eq!(f.protocol, "wmbus");
    assert_eq!(f.span.len(), b.len());
    (m, f)
}

fn value<'a>(n: &'a Node, id: &str) -> &'a str {
    node(n, id).value.as_deref().unwrap_or("")
}

fn codes(f: &Frame) -> Vec<&str> {
    f.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

/// `0x44` as the family writes a byte (`0x44`), case aside.
fn same(ours: &str, theirs: &str) -> bool {
    ours.eq_ignore_ascii_case(theirs)
}

#[test]
fn every_vector_decodes_to_its_link_and_transport_fields() {
    let vs = vectors();
    assert_eq!(vs.len(), 10);
    for v in vs.iter().filter(|v| v.get("broken").is_none()) {
        let id = v["id"].as_str().unwrap();
        let (_, f) = only(v["hex"].as_str().unwrap(), &with_key(key_of(v)));
        let t = &f.tree;
        assert!(f.valid, "{id}: {:?}\n{}", f.diagnostics, crate::testkit::dump(t));
        let dll = &v["expect"]["dll"];
        assert_eq!(value(t, "wmbus.length"), dll["l"].to_string(), "{id}");
        assert!(same(value(t, "wmbus.control"), dll["c"].as_str().unwrap()), "{id}");
        assert_eq!(value(t, "wmbus.manufacturer"), dll["mfct"].as_str().unwrap(), "{id}");
        assert!(same(value(t, "wmbus.address.id"), dll["id"].as_str().unwrap()), "{id}");
        assert!(same(value(t, "wmbus.address.version"), dll["version"].as_str().unwrap()), "{id}");
        assert!(same(value(t, "wmbus.address.medium"), dll["device_type"].as_str().unwrap()), "{id}");
        if let Some(ell) = v["expect"].get("ell") {
            assert!(same(value(t, "wmbus.ell.ci"), ell["ci"].as_str().unwrap()), "{id}");
            assert!(same(value(t, "wmbus.ell.cc"), ell["cc"].as_str().unwrap()), "{id}");
            let acc = match &ell["acc"] {
                serde_json::Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
                n => n.as_u64().unwrap(),
            };
            assert_eq!(value(t, "wmbus.ell.access"), acc.to_string(), "{id}");
            if let Some(sn) = ell["sn"].as_str() {
                // Written as on the wire; the family shows the number.
                let wire = bytes(sn);
                let n = u32::from_le_bytes(wire.try_into().unwrap());
                assert_eq!(value(t, "wmbus.ell.sn"), format!("0x{n:08X}"), "{id}");
                assert_eq!(value(t, "wmbus.ell.sn.encryption"), "1", "{id}");
            }
        }
        let Some(tpl) = v["expect"].get("tpl") else { continue };
        let ci = value(t, "wmbus.tpl.ci");
        assert!(same(ci, tpl["ci"].as_str().unwrap()), "{id}: CI {ci}");
        if tpl.get("acc").is_none() {
            continue;
        }
        assert_eq!(value(t, "mbus.header.access"), tpl["acc"].to_string(), "{id}");
        assert!(same(value(t, "mbus.header.status"), tpl["status"].as_str().unwrap()), "{id}");
        assert!(same(value(t, "wmbus.tpl.config"), tpl["cfg"].as_str().unwrap()), "{id}");
        assert_eq!(value(t, "wmbus.tpl.config.mode"), tpl["security_mode"].to_string(), "{id}");
        if let Some(b) = tpl.get("blocks") {
            assert_eq!(value(t, "wmbus.tpl.config.blocks"), b.to_string(), "{id}");
        }
        if tpl.get("syncrony").is_some() {
            assert_eq!(value(t, "wmbus.tpl.config.synchronous"), "1", "{id}");
        }
        if tpl.get("low_power").is_some() {
            assert_eq!(value(t, "mbus.header.status.power_low"), "1", "{id}");
        }
        if tpl["header"] == "long" {
            assert!(same(value(t, "mbus.header.id"), tpl["id"].as_str().unwrap()), "{id}");
            assert_eq!(value(t, "mbus.header.manufacturer"), tpl["mfct"].as_str().unwrap(), "{id}");
            assert!(same(value(t, "mbus.header.version"), tpl["version"].as_str().unwrap()), "{id}");
            assert!(same(value(t, "mbus.header.medium"), tpl["device_type"].as_str().unwrap()), "{id}");
        }
    }
}

/// Each encrypted vector with its key: the bytes decrypted (derived bytes
/// of the frame, followed by what was sent in the clear) are the ones
/// worked out by hand, and the check of the decryption passed.
#[test]
fn encrypted_vectors_decrypt_to_the_bytes_worked_out_by_hand() {
    let mut seen = 0;
    for v in vectors() {
        let Some(want) = v["expect"]["decrypted_hex_by_hand"].as_str() else { continue };
        let id = v["id"].as_str().unwrap();
        let want = bytes(want);
        let input = bytes(v["hex"].as_str().unwrap());
        let (m, f) = only(v["hex"].as_str().unwrap(), &with_key(key_of(&v)));
        assert!(f.valid, "{id}: {:?}", f.diagnostics);
        assert!(f.checks.iter().any(|c| c.id == "wmbus.tpl.decrypted" || c.id == "wmbus.ell.payload_crc"), "{id}");
        // The decrypted part is derived; a tail sent in the clear is the input's end.
        let found = (16..=want.len())
            .rev()
            .any(|k| m.derived.windows(k).any(|w| w == &want[..k]) && input.ends_with(&want[k..]));
        assert!(found, "{id}: derived {:02X?}", m.derived);
        seen += 1;
    }
    assert_eq!(seen, 5);
}

/// A number as the family writes it, in the unit the oracle uses.
fn numbers(t: &Node) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    t.walk(&mut |n, _| {
        if !n.id.starts_with("mbus.record.") || n.id.matches('.').count() != 2 {
            return;
        }
        let (Some(v), unit) = (n.value.as_deref(), n.unit.clone().unwrap_or_default()) else { return };
        if let Ok(x) = v.parse::<f64>() {
            let (x, unit) = match unit.as_str() {
                "Wh" => (x / 1000.0, "kWh".to_string()),
                "W" => (x / 1000.0, "kW".to_string()),
                _ => (x, unit),
            };
            out.push((x, unit));
        }
    });
    out
}

fn texts(t: &Node) -> Vec<String> {
    let mut out = Vec::new();
    t.walk(&mut |n, _| {
        if n.id.starts_with("mbus.record.") && n.id.matches('.').count() == 2 {
            out.extend(n.value.clone());
        }
    });
    out
}

/// A vector, the numbers (value, unit) and the texts its records must show.
type Expected = (&'static str, &'static [(f64, &'static str)], &'static [&'static str]);

/// Values and units of the records against the public decoders' output
/// (kWh and kW from the family's Wh and W).
#[test]
fn record_values_match_the_public_decoders() {
    let table: &[Expected] = &[
        (
            "wmb-qundis-qheatv2-ci72-plain",
            &[(390.4, "kWh"), (75.1, "kWh"), (0.0, "kWh")],
            &["2021-09-30", "2020-12-31", "2021-10-22 13:40"],
        ),
        (
            "wmb-aventies-water-ci72-mode5",
            &[
                (466.472, "m³"),
                (465.96, "m³"),
                (458.88, "m³"),
                (449.65, "m³"),
                (442.35, "m³"),
                (431.07, "m³"),
                (423.98, "m³"),
                (415.23, "m³"),
                (409.03, "m³"),
                (400.79, "m³"),
                (393.2, "m³"),
                (388.63, "m³"),
                (379.26, "m³"),
                (371.26, "m³"),
                (357.84, "m³"),
            ],
            &["0x0000"],
        ),
        ("wmb-oms-vol2-annexN-n21-gas-mode5", &[(28504.27, "m³")], &["2008-05-31 23:50", "0x0000"]),
        ("wmb-kamstrup-mc21-c1-ell-ctr", &[(6.408, "m³"), (127.0, "°C"), (19.0, "°C")], &[]),
        (
            "wmb-oms-vol2-annexN-n53-hca-partial-encryption",
            &[(1234.0, ""), (23456.0, ""), (12345678.0, "")],
            &["2007-04-30"],
        ),
        (
            "wmb-amx-unismart-gas-mode5",
            &[(917.0, "m³"), (911.32, "m³"), (3162296.0, "")],
            &["2021-09-15 13:18", "2021-09-01 06:00"],
        ),
        (
            "wmb-landisgyr-ultraheat-plain",
            &[(24277.0, "kWh"), (5699.39, "m³"), (-0.2, "kW"), (1.83, "m³/h"), (35.1, "°C"), (35.2, "°C")],
            &["2023-05-20 10:08:12"],
        ),
    ];
    for (id, nums, dates) in table {
        let v = vector(id);
        let (_, f) = only(v["hex"].as_str().unwrap(), &with_key(key_of(&v)));
        let got = numbers(&f.tree);
        for (x, unit) in *nums {
            assert!(
                got.iter().any(|(y, u)| u == unit && (x - y).abs() <= 1e-9 * x.abs().max(1.0)),
                "{id}: no {x} {unit} in {got:?}"
            );
        }
        let got = texts(&f.tree);
        for d in *dates {
            assert!(got.iter().any(|t| t == d), "{id}: no {d} in {got:?}");
        }
    }
}

/// Without a key the encrypted bytes are shown as such (and the frame is
/// valid); with a wrong key the frame is not valid and says so.
#[test]
fn missing_and_wrong_keys_are_reported() {
    let mut seen = 0;
    for v in vectors() {
        let Some(key) = key_of(&v) else { continue };
        let id = v["id"].as_str().unwrap();
        let hex = v["hex"].as_str().unwrap();
        let (_, f) = only(hex, &Options::default());
        assert!(f.valid, "{id}");
        assert!(codes(&f).contains(&"wmbus.key.missing"), "{id}: {:?}", codes(&f));
        assert!(find(&f.tree, "wmbus.encrypted").is_some(), "{id}");
        let mut wrong = key;
        wrong[0] ^= 0x5A;
        let (_, f) = only(hex, &with_key(Some(wrong)));
        assert!(!f.valid, "{id}");
        assert!(codes(&f).contains(&"wmbus.key.wrong"), "{id}: {:?}", codes(&f));
        assert!(f.checks.iter().any(|c| !c.ok), "{id}");
        seen += 1;
    }
    assert_eq!(seen, 5);
}

/// Format A: every block's CRC is a check; a wrong one pins its two bytes.
#[test]
fn format_a_crcs_are_checks_and_a_wrong_one_is_pinned() {
    let v = vector("wmb-sontex868-hca-formatA-dll-crc");
    let hex = v["hex"].as_str().unwrap();
    let (_, f) = only(hex, &Options::default());
    let crcs: Vec<_> = f.checks.iter().filter(|c| c.id.starts_with("wmbus.crc")).collect();
    assert_eq!(crcs.len(), 4);
    assert!(crcs.iter().all(|c| c.ok));
    // Fields after the first block stand where they are on the wire.
    assert_eq!(node(&f.tree, "wmbus.tpl.ci").span.start, 12);
    // The records read as with the CRCs taken out by hand.
    let stripped = v["expect"]["stripped_hex_by_hand"].as_str().unwrap();
    let (_, plain) = only(stripped, &Options::default());
    assert_eq!(texts(&plain.tree), texts(&f.tree));
    // One byte of block 2 changed: its CRC is wrong, the others right.
    let mut b = bytes(hex);
    b[20] ^= 0x01;
    let (_, f) = only(&crate::wire::hex(&b), &Options::default());
    assert!(!f.valid);
    let bad: Vec<_> = f.checks.iter().filter(|c| !c.ok).collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!((bad[0].span.start, bad[0].span.end), (28, 30));
    assert!(codes(&f).contains(&"wmbus.crc.mismatch"));
}

/// Format B: one CRC over the first two blocks, L counting it.
#[test]
fn format_b_is_framed_and_checked() {
    // The N.2.1 telegram (no CRCs) with L counting one CRC and the CRC appended.
    let mut b = bytes(vector("wmb-oms-vol2-annexN-n21-gas-mode5")["hex"].as_str().unwrap());
    b[0] += 2;
    let crc = crate::wire::crc16_en13757(&b);
    b.extend_from_slice(&crc.to_be_bytes());
    let key = key_of(&vector("wmb-oms-vol2-annexN-n21-gas-mode5"));
    let (_, f) = only(&crate::wire::hex(&b), &with_key(key));
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(f.checks.iter().filter(|c| c.id.starts_with("wmbus.crc")).count(), 1);
    assert!(numbers(&f.tree).iter().any(|(x, u)| *x == 28504.27 && u == "m³"));
    assert!(node(&f.tree, "wmbus.length").text.as_deref().unwrap().contains("format B"));
}

/// Format B with a third block: the first CRC over blocks 1 and 2 (126
/// bytes), the second over block 3 alone.
#[test]
fn format_b_with_three_blocks() {
    let mut t = bytes(vector("wmb-qundis-qheatv2-ci72-plain")["hex"].as_str().unwrap());
    t.extend_from_slice(&[0x2F; 80]);
    let mut b = t[..126].to_vec();
    b.extend_from_slice(&crate::wire::crc16_en13757(&t[..126]).to_be_bytes());
    b.extend_from_slice(&t[126..]);
    b.extend_from_slice(&crate::wire::crc16_en13757(&t[126..]).to_be_bytes());
    b[0] = (b.len() - 1) as u8;
    // L is part of block 1: the first CRC again.
    let crc = crate::wire::crc16_en13757(&b[..126]).to_be_bytes();
    b[126..128].copy_from_slice(&crc);
    let (_, f) = only(&crate::wire::hex(&b), &Options::default());
    assert!(f.valid, "{:?}", f.diagnostics);
    let crcs: Vec<_> = f.checks.iter().filter(|c| c.id.starts_with("wmbus.crc")).map(|c| c.span.start).collect();
    assert_eq!(crcs, [126, b.len() - 2]);
    assert!(numbers(&f.tree).iter().any(|(x, u)| *x == 390.4 && u == "kWh"));
    assert!(find(&f.tree, "wmbus.trailing").is_none());
}

/// The receiver's CRC-error telegram (device type and CI corrupted) is
/// not taken for a valid telegram.
#[test]
fn the_broken_receiver_telegram_is_not_valid() {
    for v in vectors().iter().filter(|v| v.get("broken").is_some()) {
        let d = Registry::default().dissect(&bytes(v["hex"].as_str().unwrap()), &[], &Options::default());
        assert!(d.frames.iter().all(|f| !f.valid), "{}", v["id"]);
        assert!(d.frames.iter().all(|f| f.protocol != "wmbus"), "{}", v["id"]);
    }
}

/// Mode 7 (OMS Vol. 2 9.2.4): a telegram built here with an AFL (message
/// counter and MAC) and a derived key opens with the key and checks its
/// MAC; a wrong key fails both. (No public mode 7 telegram is among the
/// vectors; this checks the pieces fit as the text describes them.)
#[test]
fn mode_7_with_afl_opens_and_checks_its_mac() {
    use super::crypto::{Derived, cmac, derive};
    use aes::Aes128;
    use aes::cipher::{BlockEncrypt, KeyInit, generic_array::GenericArray};
    let key = [0x11u8; 16];
    let id = [0x78, 0x56, 0x34, 0x12];
    let mcr = [0x05, 0x00, 0x00, 0x00];
    let mut plain = bytes("2F2F0C1427048502046D32371F1502FD1700002F");
    plain.resize(32, 0x2F);
    let kenc = derive(&key, Derived::Enc, mcr, id);
    let aes = Aes128::new(GenericArray::from_slice(&kenc));
    let mut prev = [0u8; 16];
    let mut ct = Vec::new();
    for block in plain.chunks(16) {
        let mut b = GenericArray::clone_from_slice(block);
        b.iter_mut().zip(prev.iter()).for_each(|(x, p)| *x ^= p);
        aes.encrypt_block(&mut b);
        prev.copy_from_slice(&b);
        ct.extend_from_slice(&b);
    }
    // TPL: CI 7A, ACC, status, CFG (mode 7, 2 blocks), CFG extension (KDF 1).
    let mut tpl = vec![0x7A, 0x2A, 0x00, 0x20, 0x07, 0x10];
    tpl.extend_from_slice(&ct);
    let mcl = 0x25; // message counter in the message, AES-CMAC of 8 bytes
    let mut input = vec![mcl];
    input.extend_from_slice(&mcr);
    input.extend_from_slice(&tpl);
    let mac = cmac(&derive(&key, Derived::Mac, mcr, id), &input);
    // AFL: CI 90, AFLL, FCL (MCL, MCR and MAC present), MCL, MCR, MAC.
    let fcl: u16 = 0x2000 | 0x0800 | 0x0400;
    let mut afl = vec![0x90, 15];
    afl.extend_from_slice(&fcl.to_le_bytes());
    afl.push(mcl);
    afl.extend_from_slice(&mcr);
    afl.extend_from_slice(&mac[..8]);
    let mut t = bytes("00 44 93 15 78 56 34 12 33 03");
    t.extend_from_slice(&afl);
    t.extend_from_slice(&tpl);
    t[0] = (t.len() - 1) as u8;
    let hex = crate::wire::hex(&t);
    let (_, f) = only(&hex, &with_key(Some(key)));
    assert!(f.valid, "{:?}\n{}", f.diagnostics, crate::testkit::dump(&f.tree));
    assert!(f.checks.iter().any(|c| c.id == "wmbus.afl.mac" && c.ok));
    assert_eq!(value(&f.tree, "wmbus.afl.mcr"), "5");
    assert!(numbers(&f.tree).iter().any(|(x, u)| *x == 28504.27 && u == "m³"));
    let (_, f) = only(&hex, &with_key(Some([0x12; 16])));
    assert!(!f.valid);
    assert!(codes(&f).contains(&"wmbus.afl.mac") && codes(&f).contains(&"wmbus.key.wrong"), "{:?}", codes(&f));
}

/// Every node of every vector, decrypted or not, has a label in both
/// languages, a span inside its parent's and an id of its own.
#[test]
fn labels_spans_and_ids_hold_in_both_languages() {
    for v in vectors() {
        for opts in [Options::default(), with_key(key_of(&v))] {
            let b = bytes(v["hex"].as_str().unwrap());
            let d = Registry::default().dissect(&b, &[], &opts);
            for m in d.frames.iter().filter(|f| f.protocol == "wmbus") {
                for lang in [Lang::En, Lang::Zh] {
                    let f = m.render(lang);
                    check_tree(&f.tree, f.span);
                }
            }
        }
    }
}

fn check_tree(root: &Node, outer: crate::span::Span) {
    let mut ids = std::collections::BTreeSet::new();
    root.walk(&mut |n, _| {
        assert!(ids.insert(n.id.clone()), "duplicate id {}", n.id);
        assert!(crate::protocols::has_label(&n.id), "no label for {}", n.id);
        assert!(!n.label.is_empty(), "empty label for {}", n.id);
    });
    fn go(n: &Node, parent: crate::span::Span) {
        assert!(parent.encloses(n.span), "{} {:?} outside {:?}", n.id, n.span, parent);
        for c in &n.children {
            go(c, n.span);
        }
    }
    go(root, outer);
}

/// Mutated vectors (bytes changed, cut, with and without keys) never make
/// the dissector panic, and their trees hold together.
#[test]
fn mutated_vectors_never_break_the_tree() {
    let mut rng = Rng::new(0x13757);
    let vs = vectors();
    for _ in 0..3000 {
        let v = &vs[rng.below(vs.len())];
        let mut b = bytes(v["hex"].as_str().unwrap());
        for _ in 0..rng.below(4) {
            let at = rng.below(b.len());
            b[at] = rng.byte();
        }
        b.truncate(rng.below(b.len() + 1).max(b.len() / 3));
        let opts = if rng.flag() { with_key(key_of(v)) } else { Options::default() };
        let forced = Options { protocol: Some("wmbus".into()), ..opts.clone() };
        for o in [opts, forced] {
            let d = Registry::default().dissect(&b, &[], &o);
            for m in d.frames.iter().filter(|f| f.protocol == "wmbus") {
                let f = m.render(Lang::En);
                check_tree(&f.tree, f.span);
            }
        }
    }
}

/// A telegram without CRCs is weak: taken at the start of a line, not
/// right after unrecognised bytes on the same line (where it would swallow
/// the frames of other families that follow).
#[test]
fn a_telegram_without_crcs_stands_only_at_a_line_start_or_after_a_frame() {
    let t = vector("wmb-landisgyr-ultraheat-plain")["hex"].as_str().unwrap().to_string();
    let protocols = |input: &str| {
        let p = crate::input::parse_input(input).unwrap();
        let d = Registry::default().dissect(&p.bytes, &p.line_starts, &Options::default());
        d.frames.iter().map(|f| f.protocol).collect::<Vec<_>>()
    };
    assert!(!protocols(&format!("A5 C3 {t}")).contains(&"wmbus"));
    assert!(protocols(&format!("A5 C3\n{t}")).contains(&"wmbus"));
    assert_eq!(protocols(&format!("{t}{t}")), ["wmbus", "wmbus"]);
}
