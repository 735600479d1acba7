//! Table tests over the public vectors (`/work/shared/vectors/public.json`,
//! entries `698-*`, transcribed here with their expectations), and a seeded
//! robustness run over random, mutated and truncated inputs.

use super::link::{self, FrameRepr};
use super::*;
use crate::registry::Registry;
use crate::span::Span;
use crate::testkit::{Rng, all, bytes, check_frame, check_tree, dump, value};
use crate::view::{Frame, Node};
use crate::wire::crc16_x25;

fn values(n: &Node, id: &str) -> Vec<String> {
    all(n, id).iter().map(|n| n.value.clone().unwrap_or_default()).collect()
}

/// One whole frame through the default registry: exactly one dlt698 frame, no junk.
fn frame(hex: &str) -> Frame {
    let b = bytes(hex);
    let d = Registry::default().dissect(&b, &[], &Options::default()).render(Lang::En);
    assert_eq!(d.frames.len(), 1, "{hex}: {:?}", d.frames.iter().map(|f| &f.protocol).collect::<Vec<_>>());
    assert!(d.junk.is_empty(), "{:?}", d.junk);
    let f = d.frames.into_iter().next().unwrap();
    assert_eq!(f.protocol, NAME);
    assert_eq!(f.span, Span::at(0, b.len()));
    check_frame(&f, b.len());
    f
}

fn apdu_only(hex: &str) -> Node {
    let b = bytes(hex);
    let (n, diags) = dissect_apdu(&b, 0, &Options::default());
    assert!(diags.is_empty(), "{hex}: {diags:?}\n{}", dump(&n));
    assert_eq!(n.span, Span::at(0, b.len()), "{}", dump(&n));
    check_tree(&n, Span::at(0, b.len()));
    n
}

const GOLDEN: &str =
    "68 1f 00 43 05 08 00 00 00 00 00 10 b5 0b 06 01 04 40 00 02 00 1c 07 e0 09 0b 12 1e 00 00 05 69 16";

#[test]
fn golden_set_request_normal() {
    let f = frame(GOLDEN);
    assert!(f.valid, "{:?}", f.diagnostics);
    assert!(f.diagnostics.is_empty());
    let t = &f.tree;
    assert_eq!(t.value.as_deref(), Some("SET-Request-Normal"));
    assert_eq!(value(t, "dlt698.link.length"), "31");
    assert_eq!(value(t, "dlt698.link.control"), "0x43");
    assert_eq!(value(t, "dlt698.link.control.dir"), "0");
    assert_eq!(value(t, "dlt698.link.control.prm"), "1");
    assert_eq!(value(t, "dlt698.link.control.func"), "3");
    assert_eq!(value(t, "dlt698.address.sa"), "000000000008");
    assert_eq!(value(t, "dlt698.address.ca"), "0x10");
    assert_eq!((f.checks[0].id.as_str(), f.checks[0].stated.as_str(), f.checks[0].ok), ("dlt698.hcs", "0x0BB5", true));
    assert_eq!((f.checks[1].id.as_str(), f.checks[1].stated.as_str(), f.checks[1].ok), ("dlt698.fcs", "0x6905", true));
    assert_eq!(f.checks[0].span, Span::at(12, 2));
    assert_eq!(value(t, "dlt698.apdu.set.piid"), "4");
    assert_eq!(value(t, "dlt698.apdu.set.oad"), "40000200");
    let oad = all(t, "dlt698.apdu.set.oad")[0];
    assert_eq!(oad.span, Span::at(17, 4));
    assert!(oad.text.as_deref().unwrap().starts_with("date-time"));
    let dt = all(t, "dlt698.data.date_time_s")[0];
    assert_eq!(dt.value.as_deref(), Some("2016-09-11 18:30:00"));
    assert_eq!(dt.span, Span::at(21, 8));
    assert_eq!(value(t, "dlt698.apdu.time-tag.flag"), "0");
    assert!(all(t, "dlt698.apdu.time-tag.send-time").is_empty());
    // Chinese labels come from the same ids.
    let zh = Registry::default()
        .dissect(&bytes(GOLDEN), &[], &Options { lang: Lang::Zh, ..Options::default() })
        .render(Lang::Zh);
    assert_eq!(all(&zh.frames[0].tree, "dlt698.hcs")[0].label, "帧头校验 HCS");
}

/// Both registry entries build frames in no language: one decode renders in
/// either, as a decode in that language would.
#[test]
fn frames_are_language_neutral() {
    let b = bytes(GOLDEN);
    let f = Dlt698.dissect(&b, 0, &Options::default());
    let (en, zh) = (f.render(Lang::En), f.render(Lang::Zh));
    assert_eq!(en.tree.children[2].text.as_deref(), Some("from client, user data"));
    assert_eq!(zh.tree.children[2].text.as_deref(), Some("客户机发出, 用户数据"));
    assert_eq!(all(&zh.tree, "dlt698.address.sa")[0].text.as_deref(), Some("报文顺序 080000000000"));
    assert_eq!(all(&zh.tree, "dlt698.apdu.set.oad")[0].text.as_deref(), Some("日期时间，参数值"));
    let opts = Options { lang: Lang::Zh, ..Options::default() };
    assert_eq!(zh, Dlt698.dissect(&b, 0, &opts).render(Lang::Zh));
    let a = Dlt698Apdu.dissect(&b[14..30], 14, &opts);
    assert_eq!(a.span, Span::new(14, 30));
    assert_eq!(a.render(Lang::En).tree.value.as_deref(), Some("SET-Request-Normal"));
    assert_eq!(all(&a.render(Lang::Zh).tree, "dlt698.apdu.tag")[0].text.as_deref(), Some("设置请求"));
}

#[test]
fn vector_698_03_get_request_normal_list() {
    let n = apdu_only("05 02 02 02 20 00 02 00 20 01 02 00 00");
    assert_eq!(n.value.as_deref(), Some("GET-Request-NormalList"));
    assert_eq!(value(&n, "dlt698.apdu.get.piid"), "2");
    assert_eq!(values(&n, "dlt698.apdu.get.oad"), ["20000200", "20010200"]);
    let texts: Vec<_> = all(&n, "dlt698.apdu.get.oad").iter().map(|o| o.text.clone().unwrap()).collect();
    assert!(texts[0].starts_with("voltage") && texts[1].starts_with("current"));
    assert_eq!(value(&n, "dlt698.apdu.time-tag.flag"), "0");
}

#[test]
fn vector_698_06_connect_response() {
    let n = apdu_only(
        "82 00 54 4F 50 53 30 31 30 32 31 36 30 37 33 31 30 31 30 32 31 36 30 37 33 31 00 00 00 00 00 00 00 00 00 10 \
         FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 04 00 04 00 01 04 00 00 00 00 64 00 00 00 00",
    );
    assert_eq!(n.value.as_deref(), Some("CONNECT-Response"));
    assert_eq!(value(&n, "dlt698.apdu.connect.piid"), "0");
    assert_eq!(value(&n, "dlt698.apdu.connect.vendor"), "TOPS");
    assert_eq!(value(&n, "dlt698.apdu.connect.software-date"), "160731");
    assert_eq!(value(&n, "dlt698.apdu.connect.version"), "16");
    assert_eq!(value(&n, "dlt698.apdu.connect.apdu-max"), "1024");
    assert_eq!(value(&n, "dlt698.apdu.connect.timeout"), "100");
    assert_eq!(value(&n, "dlt698.apdu.connect.result"), "0");
    assert_eq!(all(&n, "dlt698.apdu.connect.result")[0].text.as_deref(), Some("allowed"));
    assert_eq!(value(&n, "dlt698.apdu.connect.security"), "0");
}

#[test]
fn vector_698_09_set_request_normal_list() {
    let n = apdu_only("06 02 03 02 40 01 02 00 09 06 00 00 00 00 00 01 40 00 02 00 1C 07 E0 01 14 10 1B 0B 00");
    assert_eq!(n.value.as_deref(), Some("SET-Request-NormalList"));
    assert_eq!(value(&n, "dlt698.apdu.set.piid"), "3");
    assert_eq!(values(&n, "dlt698.apdu.item.oad"), ["40010200", "40000200"]);
    assert_eq!(value(&n, "dlt698.data.octet-string"), "000000000001");
    assert_eq!(value(&n, "dlt698.data.date_time_s"), "2016-01-20 16:27:11");
}

#[test]
fn vector_698_12_action_response_normal() {
    let n = apdu_only("87 01 05 00 10 01 00 00 00 00 00");
    assert_eq!(n.value.as_deref(), Some("ACTION-Response-Normal"));
    assert_eq!(value(&n, "dlt698.apdu.action.piid"), "5");
    assert_eq!(value(&n, "dlt698.apdu.action.omd"), "00100100");
    assert_eq!(value(&n, "dlt698.apdu.dar"), "0");
    assert_eq!(value(&n, "dlt698.apdu.action.return"), "0");
}

#[test]
fn vector_698_15_get_request_normal() {
    let f = frame("68 17 00 43 05 00 00 00 00 00 00 00 72 79 05 01 00 00 10 02 01 00 0D 04 16");
    assert!(f.valid);
    let t = &f.tree;
    assert_eq!(value(t, "dlt698.address.sa"), "000000000000");
    assert_eq!(value(t, "dlt698.address.ca"), "0x00");
    assert_eq!(value(t, "dlt698.hcs"), "0x7972");
    assert_eq!(t.value.as_deref(), Some("GET-Request-Normal"));
    assert_eq!(value(t, "dlt698.apdu.get.piid"), "0");
    assert_eq!(value(t, "dlt698.apdu.get.oad"), "00100201");
    let text = all(t, "dlt698.apdu.get.oad")[0].text.clone().unwrap();
    assert_eq!(text, "forward active energy, total and tariff energies, total");
}

#[test]
fn vector_698_18_get_response_normal_long64() {
    let f = frame(
        "68 22 00 C3 05 00 00 00 00 00 00 00 AE 25 85 01 00 00 10 04 01 01 15 00 00 00 00 00 BC 61 4E 00 00 62 BB 16",
    );
    assert!(f.valid);
    assert_eq!(f.tree.value.as_deref(), Some("GET-Response-Normal"));
    assert_eq!(value(&f.tree, "dlt698.apdu.result.oad"), "00100401");
    let v = all(&f.tree, "dlt698.data.long64-unsigned")[0];
    assert_eq!((v.value.as_deref(), v.unit.as_deref()), (Some("1234.5678"), Some("kWh")));
    assert!(v.text.as_deref().unwrap().contains("raw 12345678"));
}

#[test]
fn vector_698_21_get_response_normal_list() {
    let f = frame(
        "68 47 00 C3 05 00 00 00 00 00 00 00 E5 01 85 02 00 05 20 00 02 00 01 01 03 12 09 6D 12 09 6E 12 09 6F 20 01 02 01 \
         01 05 00 00 13 88 20 04 02 01 01 05 00 00 EA 60 20 0A 02 01 01 10 03 7E 20 0F 02 00 00 04 00 00 D9 07 16",
    );
    assert!(f.valid);
    let t = &f.tree;
    assert_eq!(value(t, "dlt698.link.length"), "71");
    assert_eq!(t.value.as_deref(), Some("GET-Response-NormalList"));
    assert_eq!(values(t, "dlt698.apdu.result"), ["20000200", "20010201", "20040201", "200A0201", "200F0200"]);
    assert_eq!(values(t, "dlt698.data.long-unsigned"), ["241.3", "241.4", "241.5"]);
    assert_eq!(all(t, "dlt698.data.long-unsigned")[0].unit.as_deref(), Some("V"));
    assert_eq!(values(t, "dlt698.data.double-long"), ["5.000", "6000.0"]);
    assert_eq!(all(t, "dlt698.data.double-long")[1].unit.as_deref(), Some("W"));
    assert_eq!(value(t, "dlt698.data.long"), "0.894");
    let dar = all(t, "dlt698.apdu.dar")[0];
    assert_eq!((dar.value.as_deref(), dar.text.as_deref()), (Some("4"), Some("object undefined")));
}

#[test]
fn vector_698_24_set_request_clock() {
    let f = frame("68 1F 00 43 05 00 00 00 00 00 00 00 D8 C5 06 01 00 40 00 02 00 1C 07 EA 0A 07 0F 00 00 00 06 D5 16");
    assert!(f.valid);
    assert_eq!(f.tree.value.as_deref(), Some("SET-Request-Normal"));
    assert_eq!(value(&f.tree, "dlt698.apdu.set.piid"), "0");
    assert_eq!(value(&f.tree, "dlt698.data.date_time_s"), "2026-10-07 15:00:00");
}

#[test]
fn vector_698_27_get_response_record_day_freeze() {
    let f = frame(
        "68 44 00 C3 05 00 00 00 00 00 00 00 56 FF 85 03 00 50 04 02 00 03 00 00 10 02 01 00 20 00 02 01 00 20 01 02 01 01 \
         02 06 00 01 E0 78 12 09 65 05 00 00 13 74 06 00 01 E2 40 12 09 6D 05 00 00 13 88 00 00 D0 E0 16",
    );
    assert!(f.valid);
    let t = &f.tree;
    assert_eq!(value(t, "dlt698.link.length"), "68");
    assert_eq!(t.value.as_deref(), Some("GET-Response-Record"));
    assert_eq!(value(t, "dlt698.apdu.record"), "50040200");
    assert!(all(t, "dlt698.apdu.record")[0].text.as_deref().unwrap().starts_with("day freeze"));
    assert_eq!(values(t, "dlt698.data.csd"), ["00100201", "20000201", "20010201"]);
    let rows = all(t, "dlt698.apdu.record.row");
    assert_eq!(rows.len(), 2);
    let row = |i: usize| rows[i].children.iter().map(|c| c.value.clone().unwrap()).collect::<Vec<_>>();
    assert_eq!(row(0), ["1230.00", "240.5", "4.980"]);
    assert_eq!(row(1), ["1234.56", "241.3", "5.000"]);
}

#[test]
fn vector_698_30_link_request_heartbeat() {
    let f = frame("68 1C 00 81 03 43 47 46 14 00 CF A4 01 00 01 00 00 07 E0 0B 09 03 10 28 01 00 00 DC FA 16");
    assert!(f.valid);
    let t = &f.tree;
    assert_eq!(value(t, "dlt698.link.control"), "0x81");
    assert_eq!(value(t, "dlt698.link.control.dir"), "1");
    assert_eq!(value(t, "dlt698.link.control.prm"), "0");
    assert_eq!(value(t, "dlt698.link.control.func"), "1");
    assert_eq!(value(t, "dlt698.link.af.len"), "4");
    assert_eq!(value(t, "dlt698.address.sa"), "14464743");
    assert_eq!(value(t, "dlt698.address.ca"), "0x00");
    assert_eq!(t.value.as_deref(), Some("LINK-Request"));
    assert_eq!(value(t, "dlt698.apdu.link.piid"), "0");
    assert_eq!(value(t, "dlt698.apdu.link.type"), "1");
    assert_eq!(all(t, "dlt698.apdu.link.type")[0].text.as_deref(), Some("heartbeat"));
    assert_eq!(value(t, "dlt698.apdu.link.heartbeat"), "0");
    assert_eq!(value(t, "dlt698.apdu.link.time"), "2016-11-09 16:40:01.000");
}

#[test]
fn vector_698_33_security_response_plaintext() {
    let f = frame(
        "68 2B 00 C3 05 03 00 00 00 00 00 10 7A 74 90 00 12 85 01 06 43 00 04 00 01 1C 07 E0 02 01 00 07 03 00 00 01 00 04 \
         37 58 35 91 A8 E0 16",
    );
    assert!(f.valid, "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(t.value.as_deref(), Some("SECURITY-Response"));
    assert_eq!(value(t, "dlt698.apdu.security.choice"), "0");
    let inner = all(t, "dlt698.apdu")[1];
    assert_eq!(inner.value.as_deref(), Some("GET-Response-Normal"));
    assert_eq!(inner.span, Span::at(17, 18));
    assert_eq!(value(inner, "dlt698.apdu.get.piid"), "6");
    assert_eq!(value(inner, "dlt698.apdu.result.oad"), "43000400");
    assert_eq!(value(inner, "dlt698.data.date_time_s"), "2016-02-01 00:07:03");
    assert_eq!(value(t, "dlt698.apdu.security.verify"), "1");
    assert_eq!(value(t, "dlt698.data.mac"), "37583591");
}

#[test]
fn vector_698_36_get_response_record_terminal_task() {
    let f = frame(
        "68 A1 00 C3 05 76 98 78 56 34 12 00 7C F4 85 03 00 60 12 03 00 05 00 40 01 02 00 00 60 40 02 00 00 60 41 02 00 00 \
         60 42 02 00 01 50 04 02 00 03 20 21 02 00 00 10 02 00 00 20 02 00 01 01 09 06 00 00 01 05 88 92 1C 07 E0 0A 11 00 \
         00 00 1C 07 E0 0A 11 00 00 00 1C 07 E0 0A 11 00 00 00 01 03 1C 07 E0 0A 0C 00 16 00 01 05 06 00 00 EC 55 06 00 64 \
         2D 50 06 03 00 12 90 06 00 B7 1C 32 06 06 F9 49 F2 01 05 06 00 00 EC 55 06 00 64 2D 50 06 03 00 12 90 06 00 B7 1C \
         32 06 06 F9 49 F2 00 00 05 16 16",
    );
    assert!(f.valid, "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dlt698.link.length"), "161");
    assert_eq!(value(t, "dlt698.address.sa"), "123456789876");
    assert_eq!(t.value.as_deref(), Some("GET-Response-Record"));
    assert_eq!(value(t, "dlt698.apdu.record"), "60120300");
    assert_eq!(values(t, "dlt698.data.csd"), ["40010200", "60400200", "60410200", "60420200", "50040200"]);
    assert_eq!(values(t, "dlt698.road.related"), ["20210200", "00100200", "00200200"]);
    assert_eq!(all(t, "dlt698.apdu.record.row").len(), 1);
    assert_eq!(value(t, "dlt698.data.octet-string"), "000001058892");
    assert_eq!(
        values(t, "dlt698.data.date_time_s")[..4],
        ["2016-10-17 00:00:00"; 3]
            .iter()
            .chain(["2016-10-12 00:22:00"].iter())
            .map(|s| s.to_string())
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(
        values(t, "dlt698.data.double-long-unsigned")[..5],
        ["60501", "6565200", "50336400", "12000306", "117000690"]
    );
}

#[test]
fn vector_698_39_action_request_clear() {
    let f = frame("68 18 00 43 05 03 00 00 00 00 00 10 D1 DD 07 01 07 60 12 81 00 00 00 3D B4 16");
    assert!(f.valid);
    assert_eq!(f.tree.value.as_deref(), Some("ACTION-Request-Normal"));
    assert_eq!(value(&f.tree, "dlt698.apdu.action.piid"), "7");
    assert_eq!(value(&f.tree, "dlt698.apdu.action.omd"), "60128100");
    assert_eq!(value(&f.tree, "dlt698.omd.method"), "129");
    assert_eq!(value(&f.tree, "dlt698.data.null"), "NULL");
}

#[test]
fn vector_698_42_both_crcs_bad_but_parsed() {
    let f = frame(
        "68 4B 00 43 05 76 98 78 56 34 12 00 7D 94 05 03 00 60 12 03 00 05 07 E0 0A 1A 00 00 00 01 05 00 40 01 02 00 00 60 \
         40 02 00 00 60 41 02 00 00 60 42 02 00 01 50 04 02 00 04 20 21 02 00 00 00 02 00 00 10 02 00 00 20 02 00 00 71 1E 16",
    );
    assert!(!f.valid);
    let codes: Vec<_> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"dlt698.hcs.mismatch") && codes.contains(&"dlt698.fcs.mismatch"), "{codes:?}");
    assert_eq!((f.checks[0].stated.as_str(), f.checks[0].computed.as_str()), ("0x947D", "0x9AB7"));
    assert_eq!((f.checks[1].stated.as_str(), f.checks[1].computed.as_str()), ("0x1E71", "0x4286"));
    let hcs = f.diagnostics.iter().find(|d| d.code == "dlt698.hcs.mismatch").unwrap();
    assert_eq!(hcs.span, Span::at(12, 2));
    assert_eq!(f.tree.value.as_deref(), Some("GET-Request-Record"));
    assert_eq!(value(&f.tree, "dlt698.apdu.get.oad"), "60120300");
    assert_eq!(value(&f.tree, "dlt698.rsd.selector"), "5");
    assert_eq!(value(&f.tree, "dlt698.rsd.time"), "2016-10-26 00:00:00");
    assert_eq!(value(&f.tree, "dlt698.ms.choice"), "1");
    assert_eq!(values(&f.tree, "dlt698.road.related"), ["20210200", "00000200", "00100200", "00200200"]);
}

#[test]
fn vector_698_45_fragment() {
    let f = frame("68 14 00 A3 05 02 00 00 00 00 00 10 76 75 06 F1 F1 01 02 5A 30 16");
    assert!(f.valid);
    let t = &f.tree;
    assert_eq!(value(t, "dlt698.link.control.frag"), "1");
    assert_eq!(value(t, "dlt698.link.fragment"), "0xF106");
    assert_eq!(value(t, "dlt698.link.fragment.seq"), "262");
    assert_eq!(value(t, "dlt698.link.fragment.type"), "3");
    assert_eq!(all(t, "dlt698.link.fragment.type")[0].text.as_deref(), Some("middle fragment"));
    assert_eq!(value(t, "dlt698.link.fragment.data"), "F10102");
}

#[test]
fn vector_698_51_wrong_address_length() {
    let f = frame("68 1C 00 81 07 78 56 34 12 10 75 89 01 00 00 01 2C 07 E8 06 03 01 0F 15 32 01 99 DC 3E 16");
    assert!(!f.valid);
    assert!(!f.checks[0].ok && f.checks[1].ok);
    assert_eq!(value(&f.tree, "dlt698.link.af.len"), "8");
}

#[test]
fn vector_698_54_hcs_changed() {
    let f = frame("68 17 00 43 45 01 23 45 67 89 0A 00 8A 4E 05 01 00 40 01 02 00 00 ED 03 16");
    assert!(!f.valid);
    assert!(!f.checks[0].ok && !f.checks[1].ok);
    assert_eq!(f.checks[0].computed, "0x4E7A");
    assert_eq!(value(&f.tree, "dlt698.link.af.logical"), "0");
    assert_eq!(value(&f.tree, "dlt698.link.af.type"), "1");
}

#[test]
fn vector_698_57_crcs_high_byte_first() {
    let f = frame("68 17 00 43 05 02 00 00 00 00 00 10 5E 48 05 01 00 40 01 02 00 00 62 E6 16");
    assert!(!f.valid);
    let codes: Vec<_> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"dlt698.hcs.byte-order") && codes.contains(&"dlt698.fcs.byte-order"), "{codes:?}");
    assert_eq!(f.tree.value.as_deref(), Some("GET-Request-Normal"));
    assert_eq!(value(&f.tree, "dlt698.apdu.get.oad"), "40010200");
    // The corrected frame is valid.
    assert!(frame("68 17 00 43 05 02 00 00 00 00 00 10 48 5E 05 01 00 40 01 02 00 00 ED 03 16").valid);
}

#[test]
fn vector_698_60_connect_response_with_security() {
    let f = frame(
        "68 CC 00 C3 05 03 00 00 00 00 00 10 08 69 82 04 53 58 44 51 30 31 30 32 31 36 31 31 30 39 30 31 30 31 31 36 31 31 \
         30 33 30 30 30 30 30 30 30 30 00 16 FF FF FF FF C0 00 00 00 00 01 FF FE 00 00 00 00 00 00 00 00 00 00 00 00 08 00 \
         08 00 01 1F 40 00 00 1C 20 00 01 30 99 3E 50 AE E4 2D 99 C0 FD 02 D4 FC 1C E9 52 5C E6 7A D4 73 02 F8 02 09 B5 8D \
         E1 21 B3 D3 35 17 B8 03 F8 DE 1B F1 DC 58 E7 01 E9 34 04 16 0E 89 40 CF AC EB E5 8A 93 4B F8 12 DD 50 66 A1 0C E5 \
         BC 8B 6E 38 64 08 54 38 51 43 32 33 FA F0 73 C7 CB 33 10 2A 1F 81 39 0C 06 97 85 09 FD A0 D0 88 21 CE 2E 50 14 6C \
         7B 35 BE 31 A0 E7 77 C9 B8 0E 6E 00 00 A9 CB 16",
    );
    assert!(f.valid, "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dlt698.link.length"), "204");
    assert_eq!(t.value.as_deref(), Some("CONNECT-Response"));
    assert_eq!(value(t, "dlt698.apdu.connect.piid"), "4");
    assert_eq!(value(t, "dlt698.apdu.connect.vendor"), "SXDQ");
    assert_eq!(value(t, "dlt698.apdu.connect.version"), "22");
    assert_eq!(value(t, "dlt698.apdu.connect.apdu-max"), "8000");
    assert_eq!(value(t, "dlt698.apdu.connect.timeout"), "7200");
    assert_eq!(value(t, "dlt698.apdu.connect.result"), "0");
    assert_eq!(value(t, "dlt698.apdu.connect.security"), "1");
    assert_eq!(value(t, "dlt698.apdu.connect.server-rn").len(), 96);
    assert_eq!(value(t, "dlt698.apdu.connect.server-signature").len(), 128);
}

#[test]
fn vector_698_63_security_request_plaintext_rn() {
    let n = apdu_only(
        "10 00 11 05 02 00 03 00 10 02 00 20 00 02 00 20 04 02 00 00 01 10 48 2F 84 CF 40 1C 9D 15 85 6A D5 72 2D 05 0E 6E",
    );
    assert_eq!(n.value.as_deref(), Some("SECURITY-Request"));
    let inner = all(&n, "dlt698.apdu")[1];
    assert_eq!(inner.value.as_deref(), Some("GET-Request-NormalList"));
    assert_eq!(values(inner, "dlt698.apdu.get.oad"), ["00100200", "20000200", "20040200"]);
    assert_eq!(value(&n, "dlt698.apdu.security.verify"), "1");
    assert_eq!(value(&n, "dlt698.data.rn"), "482F84CF401C9D15856AD5722D050E6E");
}

#[test]
fn diagnostics_are_pinned() {
    // Cut short: truncated at the end of the input.
    let b = bytes(GOLDEN);
    let d = Registry::default().dissect(&b[..20], &[], &Options::default()).render(Lang::En);
    let f = d.frames.iter().find(|f| f.protocol == NAME).expect("a truncated dlt698 frame");
    assert!(f.diagnostics.iter().any(|d| d.code == "dlt698.truncated" && d.offset == 20));
    check_frame(f, 20);
    // Unknown APDU tag, unknown data type.
    let (_, diags) = dissect_apdu(&[0x42, 0x00], 7, &Options::default());
    assert_eq!((diags[0].code.as_str(), diags[0].offset), ("dlt698.apdu.unknown", 7));
    let (_, diags) = dissect_apdu(&[0x06, 0x01, 0x04, 0x40, 0x00, 0x02, 0x00, 0x63, 0x00], 0, &Options::default());
    assert_eq!((diags[0].code.as_str(), diags[0].offset), ("dlt698.data.unknown-type", 7));
    // Bytes after the APDU.
    let (n, diags) = dissect_apdu(&[0x03, 0x01, 0x00, 0xAA], 0, &Options::default());
    assert_eq!(diags[0].code, "dlt698.apdu.trailing");
    assert_eq!(value(&n, "dlt698.apdu.rest"), "AA");
    // Wrong end byte through a forced decode; a length field that disagrees.
    let mut bad = b.clone();
    bad[32] = 0x17;
    let f = Dlt698.dissect(&bad, 0, &Options::default()).render(Lang::En);
    assert!(f.diagnostics.iter().any(|d| d.code == "dlt698.end.missing" && d.offset == 32));
    let mut long = b.clone();
    long.push(0x00);
    let f = Dlt698.dissect(&long, 0, &Options::default()).render(Lang::En);
    assert!(f.diagnostics.iter().any(|d| d.code == "dlt698.length.mismatch"));
    check_frame(&f, long.len());
}

#[test]
fn scrambled_user_data() {
    let r = FrameRepr::parse(&bytes(GOLDEN)).unwrap();
    let s = FrameRepr {
        control: r.control | 0x08,
        user_data: r.user_data.iter().map(|b| b.wrapping_add(0x33)).collect(),
        ..r
    };
    let f = frame(&crate::to_hex(&s.emit()));
    assert!(f.valid);
    assert_eq!(value(&f.tree, "dlt698.link.control.sc"), "1");
    assert_eq!(value(&f.tree, "dlt698.data.date_time_s"), "2016-09-11 18:30:00");
}

const SEEDS: &[&str] = &[
    GOLDEN,
    "68 47 00 C3 05 00 00 00 00 00 00 00 E5 01 85 02 00 05 20 00 02 00 01 01 03 12 09 6D 12 09 6E 12 09 6F 20 01 02 01 \
     01 05 00 00 13 88 20 04 02 01 01 05 00 00 EA 60 20 0A 02 01 01 10 03 7E 20 0F 02 00 00 04 00 00 D9 07 16",
    "68 2B 00 C3 05 03 00 00 00 00 00 10 7A 74 90 00 12 85 01 06 43 00 04 00 01 1C 07 E0 02 01 00 07 03 00 00 01 00 04 \
     37 58 35 91 A8 E0 16",
    "68 4B 00 43 05 76 98 78 56 34 12 00 7D 94 05 03 00 60 12 03 00 05 07 E0 0A 1A 00 00 00 01 05 00 40 01 02 00 00 60 \
     40 02 00 00 60 41 02 00 00 60 42 02 00 01 50 04 02 00 04 20 21 02 00 00 00 02 00 00 10 02 00 00 20 02 00 00 71 1E 16",
    "68 14 00 A3 05 02 00 00 00 00 00 10 76 75 06 F1 F1 01 02 5A 30 16",
    "68 1C 00 81 03 43 47 46 14 00 CF A4 01 00 01 00 00 07 E0 0B 09 03 10 28 01 00 00 DC FA 16",
];

/// The header and user data of a frame-like input, whatever its CRCs say.
fn repairable(input: &[u8]) -> Option<FrameRepr> {
    let sa = link::sa_len(input[4]);
    let end = input.len().saturating_sub(3);
    (end > 8 + sa).then(|| FrameRepr {
        control: input[3],
        af: input[4],
        sa: input[5..5 + sa].to_vec(),
        ca: input[5 + sa],
        user_data: input[8 + sa..end].to_vec(),
    })
}

/// Feed thousands of random, mutated and truncated inputs through framing,
/// scoring, dissection and APDU-only dissection: no panic, spans inside.
#[test]
fn seeded_robustness() {
    let mut rng = Rng::new(0x0006_9845);
    let registry = Registry::default();
    let opts = Options::default();
    let seeds: Vec<Vec<u8>> = SEEDS.iter().map(|s| bytes(s)).collect();
    for round in 0..4000 {
        let mut input: Vec<u8> = match round % 4 {
            0 => (0..rng.below(80)).map(|_| rng.byte()).collect(),
            _ => seeds[rng.below(seeds.len())].clone(),
        };
        // Mutate: flip, insert, delete bytes; sometimes truncate.
        rng.mutate(&mut input, Rng::byte);
        // Repair the CRCs half the time so the APDU decoder sees "valid" frames.
        if round % 2 == 1
            && input.len() > 12
            && input[0] == 0x68
            && let Some(mut r) = repairable(&input)
        {
            r.control = (r.control & !0x07) | 0x03;
            input = r.emit();
            assert!(FrameRepr::parse(&input).is_ok());
        }
        let d = registry.dissect(&input, &[], &opts).render(opts.lang);
        for f in &d.frames {
            check_frame(f, input.len());
        }
        let covered: usize =
            d.frames.iter().map(|f| f.span.len()).sum::<usize>() + d.junk.iter().map(|j| j.span.len()).sum::<usize>();
        assert_eq!(covered, input.len(), "round {round}: bytes dropped");
        // The protocol directly, at every offset.
        for start in 0..input.len().min(8) {
            match Dlt698.frame(&input[start..]) {
                FrameStatus::Complete { preamble, len } => {
                    let f = &input[start + preamble..start + preamble + len];
                    let _ = Dlt698.score(f);
                    check_frame(&Dlt698.dissect(f, start + preamble, &opts).render(opts.lang), input.len());
                }
                FrameStatus::Incomplete { preamble, .. } => {
                    check_frame(
                        &Dlt698.dissect(&input[start + preamble..], start + preamble, &opts).render(opts.lang),
                        input.len(),
                    );
                }
                FrameStatus::NoMatch => {}
            }
        }
        check_frame(&Dlt698.dissect(&input, 0, &opts).render(opts.lang), input.len());
        // The APDU decoder on its own, from a few offsets.
        for start in [0usize, 12, 14, 16] {
            if start <= input.len() {
                let (n, diags) = dissect_apdu(&input[start..], start, &opts);
                check_tree(&n, Span::new(start, input.len()));
                assert!(diags.iter().all(|d| d.span.end <= input.len()));
            }
        }
        // And on APDU-shaped random bytes: a real tag and choice first.
        let tags = [
            0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
            0x90, 0xEE,
        ];
        let mut a = vec![tags[rng.below(tags.len())], 1 + rng.below(7) as u8];
        a.extend((0..rng.below(60)).map(|_| if rng.below(3) == 0 { rng.below(4) as u8 } else { rng.byte() }));
        let (n, _) = dissect_apdu(&a, 3, &opts);
        check_tree(&n, Span::at(3, a.len()));
    }
}

#[test]
fn fcs_and_registry_name() {
    assert_eq!(crc16_x25(&[]), 0x0000);
    assert_eq!(Dlt698.name(), "dlt698.45");
    assert_eq!(Dlt698.title(Lang::Zh), "DL/T 698.45");
    assert!(Registry::default().get("dlt698.45").is_some());
}

/// The report switches of the electrical device (4300 attributes 7, 8, 10)
/// are named in GET and SET, in both languages.
#[test]
fn report_switches_of_the_electrical_device() {
    // GET-Response-Normal: 43000700 (follow report allowed) = true.
    let n = apdu_only("85 01 01 43 00 07 00 01 03 01 00 00");
    let oad = all(&n, "dlt698.apdu.result.oad")[0];
    assert_eq!(oad.text.as_deref(), Some("electrical device, follow report allowed"));
    assert_eq!(all(&n, "dlt698.data.bool")[0].text.as_deref(), Some("follow reports allowed"));
    // SET-Request-Normal: 43000800 (active report allowed) = false.
    let n = apdu_only("06 01 02 43 00 08 00 03 00 00");
    assert_eq!(all(&n, "dlt698.apdu.set.oad")[0].text.as_deref(), Some("electrical device, active report allowed"));
    assert_eq!(all(&n, "dlt698.data.bool")[0].text.as_deref(), Some("active reports forbidden"));
    // The same in Chinese.
    let b = bytes("06 01 02 43 00 08 00 03 00 00");
    let opts = crate::registry::Options { lang: crate::lang::Lang::Zh, ..Default::default() };
    let (n, diags) = dissect_apdu(&b, 0, &opts);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(all(&n, "dlt698.data.bool")[0].text.as_deref(), Some("禁止主动上报"));
    // GET-Response-Normal: 43000A00 (report channels) = [RS485 port 1, carrier port 1].
    let n = apdu_only("85 01 03 43 00 0A 00 01 01 02 51 F2 01 02 01 51 F2 09 02 01 00 00");
    assert_eq!(all(&n, "dlt698.apdu.result.oad")[0].text.as_deref(), Some("electrical device, report channels"));
    assert_eq!(
        all(&n, "dlt698.data.array")[0].text.as_deref(),
        Some("report channels: RS485 1, carrier/micro-power wireless interface 1")
    );
    assert_eq!(values(&n, "dlt698.data.oad"), ["F2010201", "F2090201"]);
    // SET-Request-NormalList of all three, built with the strict emitter.
    let a = emit::Apdu::SetNormalList {
        piid: 4,
        items: vec![
            (emit::oad(0x4300_0700), codec::Data::Bool(false)),
            (emit::oad(0x4300_0800), codec::Data::Bool(true)),
            (
                emit::oad(0x4300_0A00),
                codec::Data::Array(vec![codec::Data::Fixed { tag: data::tag::OAD, bytes: vec![0x45, 0, 2, 0] }]),
            ),
        ],
        time_tag: None,
    };
    let n = apdu_only(&data::hex(&a.emit()));
    let texts: Vec<_> = all(&n, "dlt698.data.bool").iter().map(|b| b.text.clone().unwrap_or_default()).collect();
    assert_eq!(texts, ["follow reports forbidden", "active reports allowed"]);
    assert_eq!(
        all(&n, "dlt698.data.array")[0].text.as_deref(),
        Some("report channels: public network communication module 1")
    );
}
