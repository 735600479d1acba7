//! Golden tests over the public vectors of both parts
//! (`tests/data/new-public-vectors.json`, families `qgdw1376-1` and
//! `qgdw1376-2`), detection against DL/T 645 and DL/T 698.45, nested
//! frames and their labels in both languages, robustness.
//!
//! Notes on the expectations:
//! - `q2-afn03-f1-vendor-version-up` gives the version as the raw bytes
//!   `1020`; 1376.2 sends its multi-byte fields low byte first, so the BCD
//!   version reads 2010 (both are checked: the bytes and the value).
//! - AFN 0A/04 F1 carries the response timeout (D11–D0, seconds) and the
//!   retries (D13–D12) in one little-endian word, as the standard defines it;
//!   a public master station reads `1E 03` as 30 s and 3 retries, which the
//!   word does not say (798 s, 0 retries). The dissector follows the standard.

use crate::lang::Lang;
use crate::registry::{Options, Registry};
use crate::testkit::{bytes, decode, dump, new_public_vectors, node};
use crate::view::{Frame, Node};

fn vectors() -> Vec<serde_json::Value> {
    new_public_vectors(|f| f.starts_with("qgdw"))
}

fn has(n: &Node, id: &str) -> bool {
    n.find_path(id).is_some()
}

fn value(n: &Node, id: &str) -> String {
    node(n, id).value.clone().unwrap_or_default()
}

fn text(n: &Node, id: &str) -> String {
    node(n, id).text.clone().unwrap_or_default()
}

fn hex_of(s: &str) -> String {
    s.trim_start_matches("0x").replace(' ', "").to_ascii_uppercase()
}

fn int(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Spans inside their parents and the frame, ids unique and labelled.
fn check_tree(f: &Frame) {
    let mut seen = std::collections::BTreeSet::new();
    fn go(n: &Node, outer: crate::span::Span, seen: &mut std::collections::BTreeSet<String>) {
        assert!(outer.encloses(n.span), "{} {:?} outside {:?}", n.id, n.span, outer);
        assert!(seen.insert(n.id.clone()), "duplicate id {}", n.id);
        assert!(crate::protocols::has_label(&n.id), "no label for {}", n.id);
        for c in &n.children {
            go(c, n.span, seen);
        }
    }
    go(&f.tree, f.span, &mut seen);
}

/// One vector: detected as its family, valid as expected, and the fields
/// its `expect` gives.
fn check_vector(v: &serde_json::Value) -> Result<(), String> {
    let id = v["id"].as_str().unwrap();
    let hex = v["hex"].as_str().unwrap();
    let e = &v["expect"];
    let want = match v["family"].as_str().unwrap() {
        "qgdw1376-1" => "qgdw1376.1",
        _ => "qgdw1376.2",
    };
    let b = bytes(hex);
    let d = Registry::default().dissect(&b, &[], &Options::default());
    let r = d.render(Lang::En);
    let frames: Vec<&Frame> = r.frames.iter().filter(|f| f.protocol != "unknown").collect();
    if frames.len() != 1 || frames[0].protocol != want {
        return Err(format!("{id}: detected {:?}", r.frames.iter().map(|f| &f.protocol).collect::<Vec<_>>()));
    }
    // Auto-detection ranks the family first (a frame cut short after a stray
    // byte is found by the walk, not ranked: detection ranks only what
    // starts at the first byte or is complete).
    let guess = Registry::default().detect(&b, Lang::En);
    let broken = e.get("valid").and_then(|x| x.as_bool()) == Some(false);
    if !broken && guess.first().map(|g| g.protocol) != Some(want) {
        return Err(format!("{id}: ranked {guess:?}"));
    }
    let f = frames[0];
    check_tree(f);
    // Both languages from one decode, every label in both.
    let zh = d.frames.iter().find(|x| x.protocol == want).unwrap().render(Lang::Zh);
    assert_eq!(zh.tree.count(), f.tree.count());
    let want_valid = e.get("valid").and_then(|x| x.as_bool()).unwrap_or(true);
    if f.valid != want_valid {
        return Err(format!("{id}: valid {} {:?}", f.valid, f.diagnostics));
    }
    if !want_valid {
        return Ok(());
    }
    let t = &f.tree;
    let ctl = &e["c"];
    if want == "qgdw1376.1" {
        let l = &e["l_field"];
        assert_eq!(value(t, "qgdw13761.length.user"), int(&l["user_data_len"]).to_string(), "{id}");
        assert_eq!(value(t, "qgdw13761.length.protocol"), int(&l["protocol_id_bits"]).to_string(), "{id}");
        assert_eq!(hex_of(&value(t, "qgdw13761.control")), hex_of(ctl["raw"].as_str().unwrap()), "{id}");
        let up = ctl["dir"].as_str().unwrap().starts_with("up");
        assert_eq!(value(t, "qgdw13761.control.dir"), if up { "1" } else { "0" }, "{id}");
        assert_eq!(value(t, "qgdw13761.control.prm"), int(&ctl["prm"]).to_string(), "{id}");
        let fcb_acd = if up { "qgdw13761.control.acd" } else { "qgdw13761.control.fcb" };
        assert_eq!(value(t, fcb_acd), int(&ctl["fcb_acd"]).to_string(), "{id}");
        if !up {
            assert_eq!(value(t, "qgdw13761.control.fcv"), int(&ctl["fcv"]).to_string(), "{id}");
        }
        assert_eq!(value(t, "qgdw13761.control.function"), int(&ctl["func"]).to_string(), "{id}");
        let a = &e["a"];
        assert_eq!(value(t, "qgdw13761.address.a1"), a["a1_area"].as_str().unwrap(), "{id}");
        assert_eq!(value(t, "qgdw13761.address.a2"), a["a2_terminal"].as_str().unwrap(), "{id}");
        assert!(text(t, "qgdw13761.address.a2").starts_with(&format!("{} ", int(&a["a2_dec"]))), "{id}");
        assert_eq!(hex_of(&value(t, "qgdw13761.address.a3")), hex_of(a["a3"].as_str().unwrap()), "{id}");
        assert_eq!(value(t, "qgdw13761.address.msa"), int(&a["msa"]).to_string(), "{id}");
        assert_eq!(value(t, "qgdw13761.address.group"), int(&a["group"]).to_string(), "{id}");
        assert_eq!(hex_of(&value(t, "qgdw13761.afn")), e["afn"].as_str().unwrap(), "{id}");
        let seq = &e["seq"];
        assert_eq!(hex_of(&value(t, "qgdw13761.seq")), hex_of(seq["raw"].as_str().unwrap()), "{id}");
        for (k, nid) in [("tpv", "tpv"), ("fir", "fir"), ("fin", "fin"), ("con", "con"), ("pseq_rseq", "pseq")] {
            assert_eq!(value(t, &format!("qgdw13761.seq.{nid}")), int(&seq[k]).to_string(), "{id} {k}");
        }
        let u = &e["first_unit"];
        assert_eq!(hex_of(&value(t, "qgdw13761.unit.1.da")), u["da"].as_str().unwrap(), "{id}");
        assert_eq!(hex_of(&value(t, "qgdw13761.unit.1.dt")), u["dt"].as_str().unwrap(), "{id}");
        let pn: Vec<String> = u["pn"].as_array().unwrap().iter().map(|p| format!("p{}", int(p))).collect();
        assert_eq!(text(t, "qgdw13761.unit.1.da"), pn.join(", "), "{id}");
        let fns: Vec<String> = u["fn"].as_array().unwrap().iter().map(|p| format!("F{}", int(p))).collect();
        assert_eq!(text(t, "qgdw13761.unit.1.dt"), fns.join(", "), "{id}");
        if let Some(aux) = e.get("aux") {
            for (k, nid) in [("tp", "qgdw13761.tp"), ("pw", "qgdw13761.pw"), ("ec", "qgdw13761.ec")] {
                if let Some(x) = aux.get(k) {
                    assert_eq!(hex_of(&value(t, nid)), x.as_str().unwrap(), "{id} {k}");
                }
            }
        } else {
            assert!(!has(t, "qgdw13761.tp") && !has(t, "qgdw13761.ec") && !has(t, "qgdw13761.pw"), "{id}");
        }
        if let Some(relay) = e.get("relay") {
            assert_eq!(value(t, "qgdw13761.data.1.port"), int(&relay["port"]).to_string(), "{id}");
            assert_eq!(value(t, "qgdw13761.data.1.length"), int(&relay["length"]).to_string(), "{id}");
            let inner = &relay["embedded_645"];
            let n = node(t, "dlt645");
            assert_eq!(value(n, "dlt645.address"), inner["address"].as_str().unwrap(), "{id}");
            assert_eq!(hex_of(&value(n, "dlt645.control")), hex_of(inner["control"].as_str().unwrap()), "{id}");
            assert_eq!(value(n, "dlt645.length"), int(&inner["len"]).to_string(), "{id}");
            let frame = inner["frame"].as_str().unwrap();
            let at = hex.find(frame).unwrap() / 2;
            assert_eq!(n.span, crate::span::Span::at(at, frame.len() / 2), "{id}: inner spans are absolute");
            let cs = f.checks.iter().find(|c| c.id == "dlt645.cs").expect("inner checksum");
            assert!(cs.ok && cs.label == "Checksum CS", "{id}");
            let minus33 = inner["data_minus_33"].as_str().unwrap();
            if !minus33.is_empty() {
                assert_eq!(hex_of(&value(n, "dlt645.data")), minus33, "{id}");
            }
        }
    } else {
        assert_eq!(value(t, "qgdw13762.length"), int(&e["l"]).to_string(), "{id}");
        assert_eq!(hex_of(&value(t, "qgdw13762.control")), hex_of(ctl["raw"].as_str().unwrap()), "{id}");
        let up = ctl["dir"].as_str().unwrap().starts_with("up");
        assert_eq!(value(t, "qgdw13762.control.dir"), if up { "1" } else { "0" }, "{id}");
        assert_eq!(value(t, "qgdw13762.control.prm"), int(&ctl["prm"]).to_string(), "{id}");
        assert_eq!(value(t, "qgdw13762.control.mode"), int(&ctl["comm_mode"]).to_string(), "{id}");
        assert_eq!(hex_of(&value(t, "qgdw13762.r")), e["r"].as_str().unwrap(), "{id}");
        let rf = &e["r_fields"];
        for (k, nid) in [
            ("r1_route_flag", "route"),
            ("r1_comm_module_flag", "module"),
            ("r1_relay_level", "relay"),
            ("r2_channel", "channel"),
            ("r6_frame_seq", "seq"),
        ] {
            if let Some(x) = rf.get(k) {
                assert_eq!(value(t, &format!("qgdw13762.r.{nid}")), int(x).to_string(), "{id} {k}");
            }
        }
        assert_eq!(hex_of(&value(t, "qgdw13762.afn")), e["afn"].as_str().unwrap(), "{id}");
        assert_eq!(hex_of(&value(t, "qgdw13762.dt")), e["dt"].as_str().unwrap(), "{id}");
        let f0 = int(&e["fn"][0]);
        assert!(text(t, "qgdw13762.dt").starts_with(&format!("F{f0} ")), "{id}");
        let data = e["data"].as_str().unwrap();
        match t.find_path("qgdw13762.data") {
            Some(_) => {
                let n = node(t, "qgdw13762.data");
                assert_eq!(crate::input::to_hex(&b[n.span.range()]).replace(' ', ""), data, "{id}");
            }
            None => assert!(data.is_empty(), "{id}"),
        }
        assert!(!has(t, "qgdw13762.data.bytes"), "{id}: unexplained data bytes");
        assert!(f.diagnostics.is_empty(), "{id}: {:?}", f.diagnostics);
    }
    Ok(())
}

#[test]
fn every_public_vector_decodes_as_expected() {
    let all = vectors();
    assert_eq!(all.len(), 26);
    let failures: Vec<String> = all.iter().filter_map(|v| check_vector(v).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn vector(id: &str) -> (Vec<u8>, Frame, Frame) {
    let v = vectors().into_iter().find(|v| v["id"] == id).unwrap();
    let d = decode(v["hex"].as_str().unwrap());
    let f = d.frames.iter().find(|f| f.protocol.starts_with("qgdw")).unwrap();
    (bytes(v["hex"].as_str().unwrap()), f.render(Lang::En), f.render(Lang::Zh))
}

/// Values the sources state or the hand decodes give, one vector each.
#[test]
fn values_of_the_public_vectors() {
    let (_, en, zh) = vector("q1-afn0e-f1-erc14-power-off-on");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13761.data.1.ec1"), "1");
    assert_eq!(value(t, "qgdw13761.data.1.ec2"), "0");
    assert_eq!(value(t, "qgdw13761.data.1.pm"), "0");
    assert_eq!(value(t, "qgdw13761.data.1.pn"), "1");
    assert_eq!(value(t, "qgdw13761.erc.1.code"), "14");
    assert_eq!(text(t, "qgdw13761.erc.1.code"), "ERC14 terminal power off/on");
    assert_eq!(text(&zh.tree, "qgdw13761.erc.1.code"), "ERC14 终端停∕上电事件");
    assert_eq!(value(t, "qgdw13761.erc.1.length"), "10");
    assert_eq!(value(t, "qgdw13761.erc.1.off"), "2010-07-31 14:40");
    assert_eq!(value(t, "qgdw13761.erc.1.on"), "2010-08-03 11:31");
    assert_eq!(node(&zh.tree, "qgdw13761.afn").text.as_deref(), Some("请求3类数据（事件数据）"));

    // The expected map of the source: 192.168.0.1:8080, 192.168.0.2:8080, APN ZJDL.ZJ.
    let (_, en, _) = vector("q1-afn0a-f3-resp-ip-apn");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13761.data.1.ip1"), "192.168.0.1");
    assert_eq!(value(t, "qgdw13761.data.1.port1"), "8080");
    assert_eq!(value(t, "qgdw13761.data.1.ip2"), "192.168.0.2");
    assert_eq!(value(t, "qgdw13761.data.1.port2"), "8080");
    assert_eq!(value(t, "qgdw13761.data.1.apn"), "ZJDL.ZJ");

    let (_, en, _) = vector("q1-afn05-f25-keep-power-on");
    assert_eq!(value(&en.tree, "qgdw13761.data.1.duration"), "0");
    assert_eq!(value(&en.tree, "qgdw13761.tp.pfc"), "12");
    assert_eq!(value(&en.tree, "qgdw13761.tp.time"), "04 17:36:25");
    assert_eq!(value(&en.tree, "qgdw13761.tp.delay"), "5");

    // JUnit assertions: F10 for one device, serial 0x0016.
    let (_, en, _) = vector("q1-afn0a-f10-query-down");
    assert_eq!(value(&en.tree, "qgdw13761.data.1.count"), "1");
    assert_eq!(value(&en.tree, "qgdw13761.data.1.serial.1"), "22");

    // Two units of F170, points 1 and 2, read status as the source tabulates it.
    let (_, en, _) = vector("q1-2013-afn0c-f170-req-two-points");
    assert_eq!(text(&en.tree, "qgdw13761.unit.2.da"), "p2");
    assert_eq!(text(&en.tree, "qgdw13761.unit.2.dt"), "F170");
    let (_, en, _) = vector("q1-2013-afn0c-f170-resp-read-status");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13761.data.1.port"), "1");
    assert_eq!(value(t, "qgdw13761.data.1.read_ok"), "1");
    assert_eq!(value(t, "qgdw13761.data.1.last_ok"), "2017-01-22 00:00:33");
    assert_eq!(value(t, "qgdw13761.data.2.port"), "31");
    assert_eq!(value(t, "qgdw13761.data.2.quality"), "FF");
    assert_eq!(value(t, "qgdw13761.data.2.read_ok"), "0");
    assert_eq!(text(t, "qgdw13761.data.2.last_ok"), "no data (EE)");
    assert_eq!(value(t, "qgdw13761.data.2.last_fail"), "2017-01-22 00:00:34");
    assert_eq!(value(t, "qgdw13761.data.2.failures"), "1");

    let (_, en, _) = vector("q1-afn0e-erc1-init-version");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13761.erc.1.time"), "2014-01-16 10:35");
    assert_eq!(value(t, "qgdw13761.erc.1.flags"), "02");
    assert_eq!(value(t, "qgdw13761.erc.1.old_version"), "2.01");
    assert_eq!(value(t, "qgdw13761.erc.1.new_version"), "2.02");

    // The 85 value bytes are filler that does not align with the fields.
    let (_, en, _) = vector("q1-afn0d-f1-p1-energy-day");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13761.data.1.td_d"), "2014-01-15");
    assert_eq!(value(t, "qgdw13761.data.1.read_time"), "2014-01-15 15:20");
    assert_eq!(value(t, "qgdw13761.data.1.tariffs"), "4");
    assert_eq!(value(t, "qgdw13761.data.1.fwd_active.0"), "888888.8888");
    assert_eq!(node(t, "qgdw13761.data.1.fwd_active.0").unit.as_deref(), Some("kWh"));
    assert!(has(t, "qgdw13761.data.1.q4.4"));

    // The source's result table: 000006.78 kWh from meter 151230011061.
    let (_, en, zh) = vector("q1-log-afn10-relay-read-energy-up");
    let inner = node(&en.tree, "dlt645");
    assert_eq!(value(inner, "dlt645.data.di"), "00010000");
    assert!(inner.label.contains("645-2007"));
    let zh_inner = node(&zh.tree, "dlt645");
    assert_eq!(zh_inner.label, "DL/T 645-2007 帧");
    assert_eq!(node(zh_inner, "dlt645.cs").label, "校验码CS");
    assert_eq!(node(inner, "dlt645.cs").label, "Checksum CS");
    let found = format!("{inner:?}");
    assert!(found.contains("6.78"), "{found}");

    let (_, en, _) = vector("q1-afn10-f1-relay-645-1997");
    let inner = node(&en.tree, "dlt645");
    assert!(inner.label.contains("645-1997"));
    assert_eq!(value(inner, "dlt645.data.di"), "C04F");

    // 1376.2.
    let (_, en, zh) = vector("q2-afn13-f1-route-forward-698");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13762.data.protocol"), "3");
    assert_eq!(text(t, "qgdw13762.data.protocol"), "DL/T 698.45");
    assert_eq!(value(t, "qgdw13762.data.delay_flag"), "0");
    assert_eq!(value(t, "qgdw13762.data.attached"), "0");
    assert_eq!(value(t, "qgdw13762.data.length"), "26");
    let inner = node(t, "dlt698");
    assert_eq!(inner.span, crate::span::Span::at(17, 26));
    assert!(en.checks.iter().any(|c| c.id == "dlt698.hcs" && c.ok));
    assert!(en.checks.iter().any(|c| c.id == "dlt698.fcs" && c.ok));
    assert_eq!(node(&zh.tree, "dlt698").label, "DL/T 698.45 帧");
    assert!(format!("{inner:?}").contains("000000000009"));
    assert_eq!(node(&zh.tree, "qgdw13762.r").label, "信息域R");

    let (_, en, _) = vector("q2-afn02-f1-forward-645-down");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13762.data.protocol"), "2");
    assert_eq!(value(t, "qgdw13762.data.length"), "17");
    let inner = node(t, "dlt645");
    assert_eq!(value(inner, "dlt645.preamble"), "FE");
    assert_eq!(value(inner, "dlt645.address"), "000000000006");
    assert_eq!(value(inner, "dlt645.data.di"), "0201FF00");
    assert!(en.checks.iter().any(|c| c.id == "dlt645.cs" && c.ok));

    let (_, en, _) = vector("q2-afn03-f1-vendor-version-up");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13762.data.vendor"), "ZW");
    assert_eq!(value(t, "qgdw13762.data.chip"), "10");
    assert_eq!(value(t, "qgdw13762.data.version_date"), "2016-10-20");
    // Two BCD bytes, low byte first: 10 20 is version 2010.
    assert_eq!(value(t, "qgdw13762.data.version"), "2010");
    assert_eq!(value(t, "qgdw13762.r.event"), "0");

    let (_, en, _) = vector("q2-afn11-f5-activate-register");
    let t = &en.tree;
    assert_eq!(value(t, "qgdw13762.data.start_time"), "2017-07-29 11:13:30");
    assert_eq!(value(t, "qgdw13762.data.duration"), "16");
    assert_eq!(value(t, "qgdw13762.data.retries"), "6");
    assert_eq!(value(t, "qgdw13762.data.slices"), "6");
    assert_eq!(value(t, "qgdw13762.r.rate"), "1200");

    let (_, en, _) = vector("q2-afn05-f1-set-main-node-address");
    assert_eq!(value(&en.tree, "qgdw13762.data.master_address"), "020101010000");
    let (_, en, _) = vector("q2-afn10-f21-topology-query");
    assert_eq!(value(&en.tree, "qgdw13762.data.start"), "1");
    assert_eq!(value(&en.tree, "qgdw13762.data.count"), "16");
    let (_, en, zh) = vector("q2-afn01-f1-hw-init");
    assert_eq!(text(&en.tree, "qgdw13762.dt"), "F1 hardware initialisation");
    assert_eq!(text(&zh.tree, "qgdw13762.control.mode"), "宽带载波通信");
}

/// Every prefix of every vector, and random bytes after 0x68, through both
/// framers and dissectors (forced), rendered in both languages: no panic,
/// spans inside the frame.
#[test]
fn no_panic_on_any_input() {
    use crate::registry::Protocol;
    let protocols: [&dyn Protocol; 2] = [&super::Qgdw13761, &super::Qgdw13762];
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for v in vectors() {
        let b = bytes(v["hex"].as_str().unwrap());
        for n in 0..=b.len() {
            inputs.push(b[..n].to_vec());
        }
        let mut flipped = b.clone();
        for i in (0..flipped.len()).step_by(3) {
            flipped[i] ^= 0x5A;
        }
        inputs.push(flipped);
    }
    // A fuzzer's find: slave nodes announced past the end of the bytes.
    inputs.push(bytes(
        "6800fbff0a001c68d40010020000003172a67700ec050068d400100200000000006d00000000000000000000000000000000000000800000000000",
    ));
    let mut rng = crate::session::Rng::new(1376);
    for _ in 0..3000 {
        let n = rng.range(0, 80) as usize;
        let mut b: Vec<u8> = (0..n).map(|_| rng.range(0, 255) as u8).collect();
        if let Some(x) = b.first_mut() {
            *x = 0x68;
        }
        if b.len() > 5 && rng.chance(50) {
            b[5] = 0x68;
            b[3] = b[1];
            b[4] = b[2];
        }
        inputs.push(b);
    }
    for b in &inputs {
        for p in protocols {
            let _ = p.frame(b);
            let _ = p.score(b);
            let f = p.dissect(b, 7, &Options::default());
            for n in &f.nodes {
                assert!(f.span.encloses(n.span), "{} {b:02X?}", p.name());
            }
            let _ = (f.render(Lang::En), f.render(Lang::Zh));
        }
    }
}

/// DA and DT: points and classes.
#[test]
fn points_and_classes() {
    use super::common::{Points, classes, points};
    assert_eq!(points(0, 0), Points::List(vec![0]));
    assert_eq!(points(0xFF, 0), Points::All);
    assert_eq!(points(0x01, 0x01), Points::List(vec![1]));
    assert_eq!(points(0x81, 0x02), Points::List(vec![9, 16]));
    assert_eq!(classes(0x02, 0x15), vec![170]);
    assert_eq!(classes(0x01, 0x03), vec![25]);
    assert_eq!(classes(0x40, 0x0D), vec![111]);
    assert_eq!(classes(0x05, 0x00), vec![1, 3]);
}

/// Two 1376.2 frames, a 1376.1 frame and a DL/T 645 frame back to back: each found as its own.
#[test]
fn mixed_stream_is_split_by_structure() {
    let hex = "680F0043000000B00400010100F916 683200320068C91403326300027300000100EB16 68611001301215689C003516 680F0043000000B00400010200FA16";
    let d = decode(hex);
    let names: Vec<&str> = d.frames.iter().map(|f| f.protocol).collect();
    assert_eq!(names, ["qgdw1376.2", "qgdw1376.1", "dlt645-2007", "qgdw1376.2"]);
    assert!(d.junk.is_empty() && d.all_valid());
}

/// Q/GDW 130-2005 shares the frame; the protocol identifier of L (01) tells it.
#[test]
fn q_gdw_130_frames_are_read_as_the_older_edition() {
    let d = decode("683100310068C91403326300027300000100EB16");
    assert_eq!(d.frames.len(), 1);
    let f = d.frames[0].render(Lang::En);
    assert_eq!(f.protocol, "qgdw1376.1");
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "qgdw13761.length.protocol"), "1");
    assert!(text(&f.tree, "qgdw13761.length").contains("Q/GDW 130-2005"));
    let zh = d.frames[0].render(Lang::Zh);
    assert_eq!(node(&zh.tree, "qgdw13761.afn").text.as_deref(), Some("链路接口检测"));
    assert_eq!(text(&zh.tree, "qgdw13761.unit.1"), "F1 登录");
}

/// The simulated terminal's three-frame event answer (one record a frame).
fn three_frame_answer() -> Vec<Vec<u8>> {
    use super::codec::Frame1;
    use super::master::{Config, MasterSession};
    use super::terminal::{Terminal, TerminalConfig};
    use crate::session::{Action, Millis, Session, SimulatedMeter};
    let mut t = Terminal::new(TerminalConfig { max_data: 30, ..TerminalConfig::default() });
    let mut s = MasterSession::new(Config::default());
    s.events(Millis(0), true, 0, 0xFF);
    let Some(Action::Transmit(req)) = s.poll_action() else { panic!("no request") };
    t.handle_input(Millis(0), &req);
    let out: Vec<Vec<u8>> = std::iter::from_fn(|| t.poll_transmit()).collect();
    assert!(out.iter().all(|f| Frame1::parse(f).is_ok_and(|f| f.afn == 0x0E)));
    out
}

#[test]
fn multi_frame_answers_are_joined_across_frames() {
    let frames = three_frame_answer();
    assert_eq!(frames.len(), 3);
    let hex = |fs: &[&Vec<u8>]| fs.iter().map(|f| crate::input::to_hex(f)).collect::<Vec<_>>().join(" ");
    let d = decode(&hex(&frames.iter().collect::<Vec<_>>()));
    assert_eq!(d.frames.len(), 3);
    assert_eq!(d.analyses.len(), 1);
    let a = &d.analyses[0].render(Lang::En);
    assert_eq!(a.id, "qgdw1376.multiframe");
    assert!(a.ok, "{}", a.status);
    assert_eq!(a.status, "3 frames, 64 bytes of data units");
    assert_eq!(a.parts.len(), 3);
    assert_eq!(a.parts[0].label, "RSEQ 0 first");
    assert_eq!(a.parts[1].label, "RSEQ 1 middle");
    // The joined answer: one frame, three event records.
    let joined = a.frame.as_ref().expect("joined frame");
    let text = dump(&joined.tree);
    let codes: Vec<&str> =
        text.lines().filter(|l| l.trim_start().starts_with("qgdw13761.erc.") && l.contains(".code ")).collect();
    assert_eq!(codes.len(), 3, "{text}");
    assert!(codes[0].contains("ERC1 ") && codes[1].contains("ERC14") && codes[2].contains("ERC14"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.trim_start().starts_with("qgdw13761.unit.") && l.contains("[Data unit]")).count(),
        3
    );
    // Without the middle frame: the gap is named.
    let d = decode(&hex(&[&frames[0], &frames[2]]));
    let a = &d.analyses[0].render(Lang::Zh);
    assert!(!a.ok);
    assert_eq!(a.status, "缺少分帧：RSEQ 1");
    let a = &decode(&hex(&[&frames[0], &frames[1]])).analyses[0].render(Lang::En);
    assert_eq!(a.status, "the last frame is missing");
    // A single frame (FIR and FIN) is no multi-frame answer.
    assert!(decode("68 32 00 32 00 68 0B 00 02 34 12 00 00 61 00 00 01 00 B5 16").analyses.is_empty());
}

#[test]
fn event_answers_carry_the_records_of_their_pointers_counted_modulo_256() {
    use super::codec::{Address1, Frame1, unit_id};
    // Pm 255, Pn 1: records 255 and 0; then a second data unit (F2, one record).
    let record = |erc: u8| [vec![erc, 3], vec![0x11, 0x22, 0x33]].concat();
    let mut data = unit_id(0, 1).to_vec();
    data.extend_from_slice(&[2, 0, 0xFF, 0x01]);
    data.extend(record(9));
    data.extend(record(10));
    data.extend_from_slice(&unit_id(0, 2));
    data.extend_from_slice(&[2, 1, 0x05, 0x06]);
    data.extend(record(11));
    let f =
        Frame1 { control: 0x88, address: Address1 { region: 0x1234, terminal: 1, a3: 2 }, afn: 0x0E, seq: 0x60, data }
            .emit();
    let d = decode(&crate::input::to_hex(&f));
    let frame = d.frames[0].render(Lang::En);
    let text = dump(&frame.tree);
    let codes: Vec<&str> = text.lines().filter(|l| l.contains(".code [")).collect();
    assert_eq!(codes.len(), 3, "{text}");
    assert!(codes[2].contains("ERC11"), "{text}");
    assert_eq!(text.lines().filter(|l| l.contains("[Data unit]")).count(), 2, "{text}");
    assert!(!text.contains("data.bytes") && !text.contains("data.rest"), "{text}");
}
