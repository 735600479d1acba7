//! Tests of the DL/T 645 family: golden vectors, round trips of every frame
//! type, scoring, and a seeded fuzzer over framing and dissection.

use super::frame::{self, Address, DataId, Frame645, OperatorCode, Password, Payload, Payload1997, function};
use super::{Dlt645, dictionary};
use crate::input::parse_input;
use crate::lang::Lang;
use crate::registry::{FrameStatus, Options, Protocol, Registry};
use crate::testkit::Rng;
use crate::view::{Frame, Node, Severity};
use crate::{Dissection, dissect_bytes};

fn bytes(hex: &str) -> Vec<u8> {
    parse_input(hex).expect("test hex").bytes
}

fn decode(hex: &str, lang: Lang) -> Dissection {
    dissect_bytes(&bytes(hex), &Options { lang, ..Options::default() })
}

/// The only DL/T 645 frame of a dissection.
fn only_frame(d: &Dissection) -> &Frame {
    let frames: Vec<&Frame> = d.frames.iter().filter(|f| f.protocol.starts_with("dlt645")).collect();
    assert_eq!(frames.len(), 1, "{d:#?}");
    frames[0]
}

fn find<'a>(n: &'a Node, id: &str) -> &'a Node {
    let path = n.find_path(id).unwrap_or_else(|| panic!("no node {id} in {n:#?}"));
    n.at_path(&path).unwrap()
}

fn value<'a>(n: &'a Node, id: &str) -> &'a str {
    find(n, id).value.as_deref().unwrap_or("")
}

fn text<'a>(n: &'a Node, id: &str) -> &'a str {
    find(n, id).text.as_deref().unwrap_or("")
}

fn codes(f: &Frame) -> Vec<&str> {
    f.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn check<'a>(f: &'a Frame, id: &str) -> &'a crate::view::Check {
    f.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}"))
}

// ------------------------------------------------------------ golden vectors
// From /work/shared/vectors/public.json, entries whose protocol starts with dlt645.

/// 645-01: read 00010000 on the wildcard address.
#[test]
fn vector_645_01_read_energy_wildcard() {
    let d = decode("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16", Lang::Zh);
    let f = only_frame(&d);
    assert_eq!(f.protocol, "dlt645-2007");
    assert!(f.valid, "{:#?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlt645.address"), "AAAAAAAAAAAA");
    assert_eq!(text(&f.tree, "dlt645.address"), "通配地址");
    assert_eq!(value(&f.tree, "dlt645.control"), "0x11");
    assert_eq!(text(&f.tree, "dlt645.control.function"), "读数据");
    assert_eq!(value(&f.tree, "dlt645.control.dir"), "主站->从站");
    assert_eq!(value(&f.tree, "dlt645.data.di"), "00010000");
    assert_eq!(text(&f.tree, "dlt645.data.di"), "(当前)正向有功总电能 · DL/T 698.45 00100201");
    assert_eq!(check(f, "dlt645.cs").computed, "0xAE");
    let en = decode("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16", Lang::En);
    let f = only_frame(&en);
    assert_eq!(text(&f.tree, "dlt645.control.function"), "read data");
    assert_eq!(text(&f.tree, "dlt645.address"), "wildcard address");
    assert_eq!(text(&f.tree, "dlt645.data.di"), "Forward active energy, total, current · DL/T 698.45 00100201");
}

/// 645-04: four wake-up bytes, then a read of 00010000 from 123456789012.
#[test]
fn vector_645_04_preamble_and_address() {
    let d = decode("FE FE FE FE 68 12 90 78 56 34 12 68 11 04 33 33 34 33 68 16", Lang::En);
    assert_eq!(d.junk.len(), 1);
    assert_eq!((d.junk[0].span.start, d.junk[0].span.end, d.junk[0].reason.as_str()), (0, 4, "preamble"));
    let f = only_frame(&d);
    assert!(f.valid);
    assert_eq!((f.span.start, f.span.end), (4, 20));
    assert_eq!(value(&f.tree, "dlt645.address"), "123456789012");
    assert_eq!(value(&f.tree, "dlt645.control"), "0x11");
    assert_eq!(value(&f.tree, "dlt645.data.di"), "00010000");
    assert_eq!(check(f, "dlt645.cs").stated, "0x68");
    assert_eq!(check(f, "dlt645.cs").computed, "0x68");
}

/// 645-07: a DL/T 645-1997 read of 9010 is detected as 1997.
#[test]
fn vector_645_07_read_1997() {
    let d = decode("68 12 90 78 56 34 12 68 01 02 43 C3 8F 16", Lang::Zh);
    let f = only_frame(&d);
    assert_eq!(f.protocol, "dlt645-1997");
    assert!(f.valid, "{:#?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlt645.address"), "123456789012");
    assert_eq!(value(&f.tree, "dlt645.control"), "0x01");
    assert_eq!(value(&f.tree, "dlt645.data.di"), "9010");
    assert!(text(&f.tree, "dlt645.data.di").contains("正向有功总电能"));
    let en = decode("68 12 90 78 56 34 12 68 01 02 43 C3 8F 16", Lang::En);
    assert_eq!(text(&only_frame(&en).tree, "dlt645.control.function"), "read data (1997)");
}

/// 645-10: L says 9 but 8 data bytes come before CS and 0x16; CS should be 0xD4.
#[test]
fn vector_645_10_length_disagrees() {
    let d = decode("FE FE FE FE 68 66 55 44 33 22 11 68 91 09 33 33 34 33 97 3C 33 33 0B 16", Lang::En);
    let f = only_frame(&d);
    assert!(!f.valid);
    assert_eq!((f.span.start, f.span.end), (4, 24));
    let c = codes(f);
    assert!(c.contains(&"dlt645.length.mismatch") && c.contains(&"dlt645.cs.mismatch"), "{c:?}");
    let l = check(f, "dlt645.length");
    assert_eq!((l.stated.as_str(), l.computed.as_str(), l.ok), ("9", "8", false));
    let cs = check(f, "dlt645.cs");
    assert_eq!((cs.stated.as_str(), cs.computed.as_str(), cs.ok), ("0x0B", "0xD4", false));
    let msg = &f.diagnostics.iter().find(|d| d.code == "dlt645.cs.mismatch").unwrap().message;
    assert!(msg.starts_with("checksum 0x0B is incorrect, should be 0xD4"), "{msg}");
    // The bytes before CS are still decoded.
    assert_eq!(value(&f.tree, "dlt645.data.value"), "9.64");
    assert_eq!(value(&f.tree, "dlt645.end"), "16");
    // Every byte is accounted for (the registry shows the wake-up bytes separately).
    let covered: usize =
        d.frames.iter().map(|f| f.span.len()).sum::<usize>() + d.junk.iter().map(|j| j.span.len()).sum::<usize>();
    assert_eq!(covered, 24);

    // The corrected frame decodes fully.
    let d = decode("FE FE FE FE 68 66 55 44 33 22 11 68 91 08 33 33 34 33 97 3C 33 33 D4 16", Lang::En);
    let f = only_frame(&d);
    assert!(f.valid && f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlt645.address"), "112233445566");
    assert_eq!(value(&f.tree, "dlt645.control"), "0x91");
    assert_eq!(value(&f.tree, "dlt645.data.di"), "00010000");
    let v = find(&f.tree, "dlt645.data.value");
    assert_eq!((v.value.as_deref(), v.unit.as_deref()), (Some("9.64"), Some("kWh")));
    assert_eq!(check(f, "dlt645.cs").computed, "0xD4");
}

/// 645-13: reply 00010000 = 0.02 kWh.
#[test]
fn vector_645_13_energy_reply() {
    let d = decode("68 76 02 02 47 02 02 68 91 08 33 33 34 33 35 33 33 33 C9 16", Lang::En);
    let f = only_frame(&d);
    assert!(f.valid);
    assert_eq!(value(&f.tree, "dlt645.address"), "020247020276");
    assert_eq!(value(&f.tree, "dlt645.control"), "0x91");
    assert_eq!(value(&f.tree, "dlt645.data.di"), "00010000");
    let v = find(&f.tree, "dlt645.data.value");
    assert_eq!((v.value.as_deref(), v.unit.as_deref()), (Some("0.02"), Some("kWh")));
}

/// 645-16: phase A voltage 0.0 V.
#[test]
fn vector_645_16_voltage() {
    let d = decode("68 AA AA AA AA AA AA 68 91 06 33 34 34 35 33 33 99 16", Lang::En);
    let f = only_frame(&d);
    assert!(f.valid);
    assert_eq!(value(&f.tree, "dlt645.data.di"), "02010100");
    let v = find(&f.tree, "dlt645.data.value");
    assert_eq!((v.value.as_deref(), v.unit.as_deref()), (Some("0.0"), Some("V")));
    assert_eq!(dictionary::lookup(0x0201_0100).unwrap().format(), "XXX.X");
}

/// 645-19: read of the meter temperature.
#[test]
fn vector_645_19_temperature() {
    let d = decode("68 01 72 00 72 00 00 68 11 04 3A 33 B3 35 1F 16", Lang::Zh);
    let f = only_frame(&d);
    assert!(f.valid);
    assert_eq!(value(&f.tree, "dlt645.address"), "000072007201");
    assert_eq!(value(&f.tree, "dlt645.data.di"), "02800007");
    assert_eq!(text(&f.tree, "dlt645.data.di"), "表内温度");
    assert_eq!(dictionary::lookup(0x0280_0007).unwrap().format(), "XXX.X");
}

/// 645-22: broadcast time synchronisation to 2017-06-05 10:22:51.
#[test]
fn vector_645_22_broadcast_time() {
    let d = decode("68 99 99 99 99 99 99 68 08 06 84 55 43 38 39 4A 4B 16", Lang::En);
    let f = only_frame(&d);
    assert_eq!(f.protocol, "dlt645-2007");
    assert!(f.valid);
    assert_eq!(value(&f.tree, "dlt645.address"), "999999999999");
    assert_eq!(text(&f.tree, "dlt645.address"), "broadcast address");
    assert_eq!(value(&f.tree, "dlt645.control"), "0x08");
    assert_eq!(text(&f.tree, "dlt645.control.function"), "broadcast time synchronisation");
    assert_eq!(value(&f.tree, "dlt645.data"), "51 22 10 05 06 17");
    assert_eq!(value(&f.tree, "dlt645.data.time"), "2017-06-05 10:22:51");
}

/// 645-25: voltage block 0201FF00: 225.6 V and two phases without data.
#[test]
fn vector_645_25_voltage_block() {
    let d = decode("68 12 00 00 00 10 20 68 91 0A 33 32 34 35 89 55 32 32 32 32 21 16", Lang::En);
    let f = only_frame(&d);
    assert!(f.valid, "{:#?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlt645.address"), "201000000012");
    assert_eq!(value(&f.tree, "dlt645.data.di"), "0201FF00");
    assert!(text(&f.tree, "dlt645.data.di").contains("block"));
    let items = &find(&f.tree, "dlt645.data.value").children;
    let got: Vec<(&str, Option<&str>, Option<&str>)> =
        items.iter().map(|n| (n.value.as_deref().unwrap(), n.unit.as_deref(), n.text.as_deref())).collect();
    assert_eq!(got, vec![("225.6", Some("V"), None), ("FFFF", None, Some("no data")), ("FFFF", None, Some("no data"))]);
    assert_eq!(items[0].label, "phase A");
}

// ------------------------------------------------------------ scoring and framing

#[test]
fn both_framers_agree_and_the_score_decides() {
    let cases: [(&str, &str); 5] = [
        ("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16", "dlt645-2007"),
        ("68 12 90 78 56 34 12 68 01 02 43 C3 8F 16", "dlt645-1997"),
        ("68 99 99 99 99 99 99 68 08 06 84 55 43 38 39 4A 4B 16", "dlt645-2007"),
        // 1997 reply of 9010 (C = 81, 2-byte identifier).
        ("68 12 90 78 56 34 12 68 81 06 43 C3 33 33 34 33 8F 16", "dlt645-1997"),
        // 2007 abnormal reply D1 with ERR 02.
        ("68 12 90 78 56 34 12 68 D1 01 35 00 16", "dlt645-2007"),
    ];
    for (hex, want) in cases {
        let mut b = bytes(hex);
        let n = b.len();
        b[n - 2] = frame::checksum(&b[..n - 2]);
        let (p7, p97) = (Dlt645::V2007, Dlt645::V1997);
        assert_eq!(p7.frame(&b), p97.frame(&b));
        let winner = if p7.score(&b) >= p97.score(&b) { p7.name() } else { p97.name() };
        assert_eq!(winner, want, "{hex}");
        let d = dissect_bytes(&b, &Options::default());
        assert_eq!(only_frame(&d).protocol, want);
        let guesses = Registry::default().detect(&b, Lang::En);
        assert_eq!(guesses[0].protocol, want);
    }
}

#[test]
fn framing_resynchronises_past_junk_and_duplicate_start() {
    let hex = "00 68 68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16 FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16";
    let d = decode(hex, Lang::En);
    let frames: Vec<_> = d.frames.iter().filter(|f| f.protocol.starts_with("dlt645")).collect();
    assert_eq!(frames.len(), 2);
    assert_eq!((frames[0].span.start, frames[0].span.end), (2, 18));
    assert_eq!((frames[1].span.start, frames[1].span.end), (20, 32));
    assert!(frames.iter().all(|f| f.valid));
    // A checksum byte equal to 0x16 is not an end: L delimits.
    let p = Payload::ReadRequest { di: DataId(0x0400_0101), blocks: None, time: None };
    let mut addr = Address::parse("000000000001").unwrap();
    while Frame645::from_payload(addr, &p).emit()[14] != 0x16 {
        addr.0[0] = addr.0[0].wrapping_add(1);
    }
    let b = Frame645::from_payload(addr, &p).emit();
    assert_eq!(Dlt645::V2007.frame(&b), FrameStatus::Complete { preamble: 0, len: 16 });
}

#[test]
fn incomplete_frames_ask_for_more() {
    let b = bytes("FE FE 68 AA AA AA AA AA AA 68 11 04 33 33");
    assert_eq!(Dlt645::V2007.frame(&b), FrameStatus::Incomplete { preamble: 2, needed: Some(4) });
    let d = dissect_bytes(&b, &Options::default());
    let f = only_frame(&d);
    assert!(!f.valid);
    assert!(codes(f).contains(&"dlt645.truncated"));
    // Two data bytes of four for the identifier: shown, not decoded.
    assert_eq!(value(&f.tree, "dlt645.data"), "00 00");
    assert!(f.tree.find_path("dlt645.data.di").is_none());
}

#[test]
fn end_byte_missing_and_bad_checksum() {
    let d = decode("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AF 17", Lang::En);
    let f = only_frame(&d);
    assert!(!f.valid);
    assert_eq!(codes(f), vec!["dlt645.cs.mismatch", "dlt645.end.missing"]);
    assert_eq!(f.diagnostics[0].message, "checksum 0xAF is incorrect, should be 0xAE");
    assert_eq!(f.diagnostics[0].offset, 14);
}

// ------------------------------------------------------------ frame types

fn pw() -> Password {
    Password { level: 0x02, code: [0x56, 0x34, 0x12] }
}
fn op() -> OperatorCode {
    OperatorCode([0x78, 0x56, 0x34, 0x12])
}

fn dissect_payload(p: &Payload, lang: Lang) -> Frame {
    let b = Frame645::from_payload(Address::parse("123456789012").unwrap(), p).emit();
    Dlt645::V2007.dissect(&b, 0, &Options { lang, ..Options::default() }).render(lang)
}

#[test]
fn write_with_password_and_operator() {
    let data = vec![0x00, 0x21, 0x08, 0x16]; // 2016-08-21, Sunday
    let p = Payload::WriteRequest { di: DataId(0x0400_0101), password: pw(), operator: op(), data };
    let f = dissect_payload(&p, Lang::En);
    assert!(f.valid && f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlt645.data.password.level"), "02");
    assert_eq!(value(&f.tree, "dlt645.data.password.code"), "123456");
    assert_eq!(value(&f.tree, "dlt645.data.operator"), "12345678");
    assert_eq!(value(&f.tree, "dlt645.data.value"), "2016-08-21 W0");
    assert_eq!(text(&f.tree, "dlt645.data.value"), "Sunday");
}

#[test]
fn abnormal_reply_names_error_bits() {
    let f = dissect_payload(&Payload::AbnormalReply { function: function::READ, err: 0x06 }, Lang::En);
    assert!(f.valid);
    assert_eq!(value(&f.tree, "dlt645.data.err"), "0x06");
    assert_eq!(text(&f.tree, "dlt645.data.err"), "no requested data, password error / unauthorised");
    assert_eq!(find(&f.tree, "dlt645.data.err").children.len(), 2);
    let zh = dissect_payload(&Payload::AbnormalReply { function: function::WRITE, err: 0x40 }, Lang::Zh);
    assert_eq!(text(&zh.tree, "dlt645.data.err"), "费率数超");
}

#[test]
fn remote_control_clear_events_freeze_baud_password() {
    let rc = Payload::RemoteControlRequest {
        password: pw(),
        operator: op(),
        command: 0x1A,
        reserved: 0,
        valid_until: [0x00, 0x30, 0x12, 0x31, 0x12, 0x25],
    };
    let f = dissect_payload(&rc, Lang::En);
    assert!(f.valid, "{:#?}", f.diagnostics);
    assert_eq!(text(&f.tree, "dlt645.data.control_type"), "trip");
    assert_eq!(value(&f.tree, "dlt645.data.valid_until"), "2025-12-31 12:30:00");

    let ce = Payload::ClearEventsRequest { password: pw(), operator: op(), di: DataId(0xFFFF_FFFF) };
    assert_eq!(text(&dissect_payload(&ce, Lang::En).tree, "dlt645.data.di"), "all events");

    let fr = dissect_payload(&Payload::FreezeRequest { time: [0x00, 0x00, 0x99, 0x99] }, Lang::En);
    assert_eq!(text(&fr.tree, "dlt645.data.freeze_time"), "daily freeze at 00:00");
    let bad = dissect_payload(&Payload::FreezeRequest { time: [0x61, 0x00, 0x01, 0x01] }, Lang::En);
    assert!(codes(&bad).contains(&"dlt645.date.invalid"));

    let baud = dissect_payload(&Payload::ChangeBaudRequest { z: 0x20 }, Lang::En);
    assert_eq!(text(&baud.tree, "dlt645.data.baud"), "9600 bps");

    let cp = Payload::ChangePasswordRequest {
        di: DataId(0x0400_0C03),
        old: pw(),
        new: Password { level: 2, code: [1, 2, 3] },
    };
    let f = dissect_payload(&cp, Lang::Zh);
    assert!(f.valid);
    assert_eq!(text(&f.tree, "dlt645.data.di"), "2级密码");
    assert_eq!(find(&f.tree, "dlt645.data.new_password").children[1].value.as_deref(), Some("030201"));
}

#[test]
fn follow_up_reply_and_load_record_request() {
    let data = vec![0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00];
    let p = Payload::ReadFollowUpReply { di: DataId(0x0001_FF00), data, seq: 1, follow: true };
    let f = dissect_payload(&p, Lang::En);
    assert!(f.valid, "{:#?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlt645.control.follow"), "1");
    assert_eq!(value(&f.tree, "dlt645.data.seq"), "1");
    let items = &find(&f.tree, "dlt645.data.value").children;
    assert_eq!(items.iter().map(|n| n.label.as_str()).collect::<Vec<_>>(), vec!["total", "tariff 1"]);
    assert_eq!(items[1].value.as_deref(), Some("34.12"));

    let lr = Payload::ReadRequest {
        di: DataId(0x0601_0001),
        blocks: Some(0x10),
        time: Some([0x00, 0x08, 0x21, 0x08, 0x16]),
    };
    let f = dissect_payload(&lr, Lang::En);
    assert!(f.valid && f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlt645.data.count"), "10");
    assert_eq!(value(&f.tree, "dlt645.data.time"), "2016-08-21 08:00");
}

#[test]
fn value_problems_become_diagnostics() {
    // Demand 01010000 with a month 13 time and a non-BCD nibble in the value.
    let data = vec![0x00, 0x0A, 0x00, 0x00, 0x00, 0x01, 0x13, 0x16];
    let f = dissect_payload(&Payload::ReadReply { di: DataId(0x0101_0000), data, follow: false }, Lang::En);
    let c = codes(&f);
    assert!(c.contains(&"dlt645.bcd.invalid") && c.contains(&"dlt645.date.invalid"), "{c:?}");
    assert!(f.valid, "value problems are warnings");
    let bcd = f.diagnostics.iter().find(|d| d.code == "dlt645.bcd.invalid").unwrap();
    assert_eq!(bcd.offset, 14 + 1);
    // Unknown identifier: raw bytes and a warning.
    let f = dissect_payload(&Payload::ReadReply { di: DataId(0x0777_0000), data: vec![1, 2], follow: false }, Lang::En);
    assert_eq!(codes(&f), vec!["dlt645.di.unknown"]);
    assert_eq!(value(&f.tree, "dlt645.data.raw"), "01 02");
    // Fewer bytes than the format: a diagnostic, no panic.
    let f = dissect_payload(&Payload::ReadReply { di: DataId(0x0001_0000), data: vec![1, 2], follow: false }, Lang::En);
    assert_eq!(codes(&f), vec!["dlt645.data.short"]);
}

// ------------------------------------------------------------ property tests

fn random_payload(r: &mut Rng) -> Payload {
    let di = DataId(r.next_u64() as u32);
    let pw = Password { level: r.byte(), code: r.array() };
    let op = OperatorCode(r.array());
    let acknowledged = [0x14, 0x15, 0x16, 0x19, 0x1A, 0x1B, 0x1C];
    match r.below(22) {
        0 => Payload::ReadRequest { di, blocks: None, time: None },
        1 => Payload::ReadRequest { di, blocks: Some(r.byte()), time: None },
        2 => Payload::ReadRequest { di, blocks: Some(r.byte()), time: Some(r.array()) },
        3 => Payload::ReadReply { di, data: r.bytes(180), follow: r.flag() },
        4 => Payload::ReadFollowUpRequest { di, seq: r.byte() },
        5 => Payload::ReadFollowUpReply { di, data: r.bytes(180), seq: r.byte(), follow: r.flag() },
        6 => Payload::ReadAddressRequest,
        7 => Payload::ReadAddressReply { address: Address(r.array()) },
        8 => Payload::WriteRequest { di, password: pw, operator: op, data: r.bytes(50) },
        9 => Payload::WriteAddressRequest { address: Address(r.array()) },
        10 => Payload::BroadcastTime { time: r.array() },
        11 => Payload::FreezeRequest { time: r.array() },
        12 => Payload::ChangeBaudRequest { z: r.byte() },
        13 => Payload::ChangeBaudReply { z: r.byte() },
        14 => Payload::ChangePasswordRequest { di, old: pw, new: Password { level: r.byte(), code: r.array() } },
        15 => Payload::ChangePasswordReply { new: pw },
        16 => Payload::ClearDemandRequest { password: pw, operator: op },
        17 => Payload::ClearMeterRequest { password: pw, operator: op },
        18 => Payload::ClearEventsRequest { password: pw, operator: op, di },
        19 => Payload::RemoteControlRequest {
            password: pw,
            operator: op,
            command: r.byte(),
            reserved: r.byte(),
            valid_until: r.array(),
        },
        20 => Payload::Acknowledge { function: acknowledged[r.below(acknowledged.len())] },
        _ => match r.below(3) {
            0 => Payload::SecurityRequest { di, data: r.bytes(60) },
            1 => Payload::SecurityReply { di, data: r.bytes(60) },
            _ => Payload::AbnormalReply { function: 0x11 + r.below(12) as u8, err: r.byte() },
        },
    }
}

fn random_payload_1997(r: &mut Rng) -> Payload1997 {
    let di = r.next_u64() as u16;
    let pw = Password { level: r.byte(), code: r.array() };
    match r.below(15) {
        0 => Payload1997::ReadRequest { di },
        1 => Payload1997::ReadReply { di, data: r.bytes(100), follow: r.flag() },
        2 => Payload1997::ReadFollowUpRequest { di },
        3 => Payload1997::ReadFollowUpReply { di, data: r.bytes(100), follow: r.flag() },
        4 => Payload1997::RereadRequest,
        5 => Payload1997::WriteRequest { di, password: pw, data: r.bytes(40) },
        6 => Payload1997::BroadcastTime { time: r.array() },
        7 => Payload1997::WriteAddressRequest { address: Address(r.array()) },
        8 => Payload1997::ChangeBaudRequest { z: r.byte() },
        9 => Payload1997::ChangeBaudReply { z: r.byte() },
        10 => Payload1997::ChangePasswordRequest { old: pw, new: Password { level: 1, code: r.array() } },
        11 => Payload1997::ChangePasswordReply { new: pw },
        12 => Payload1997::ClearDemandRequest { password: pw },
        13 => Payload1997::Acknowledge { function: [0x04, 0x0A, 0x10][r.below(3)] },
        _ => Payload1997::AbnormalReply { function: [0x01, 0x02, 0x04][r.below(3)], err: r.byte() },
    }
}

/// `parse(emit(x)) == x` for every frame type of both editions, and the
/// dissector reads every emitted frame as valid.
#[test]
fn round_trip_every_frame_type() {
    let mut r = Rng::new(0x645_2007);
    let mut kinds = std::collections::BTreeSet::new();
    for _ in 0..4000 {
        let address = Address(r.array());
        let p = random_payload(&mut r);
        kinds.insert(format!("{p:?}").split([' ', '{']).next().unwrap().to_string());
        let f = Frame645::from_payload(address, &p);
        let wire = f.emit();
        assert_eq!(wire.len(), f.buffer_len());
        assert_eq!(Frame645::parse(&wire).as_ref(), Ok(&f));
        assert_eq!(f.payload().as_ref(), Ok(&p), "{wire:02X?}");
        let d = Dlt645::V2007.dissect(&wire, 0, &Options::default()).render(Lang::En);
        assert!(d.valid, "{p:?}: {:#?}", d.diagnostics);
        assert!(leaves_cover(&d), "{p:?}");

        let p97 = random_payload_1997(&mut r);
        let f97 = Frame645::from_payload_1997(address, &p97);
        let wire = f97.emit();
        assert_eq!(Frame645::parse(&wire).as_ref(), Ok(&f97));
        assert_eq!(f97.payload_1997().as_ref(), Ok(&p97));
        let d = Dlt645::V1997.dissect(&wire, 0, &Options::default()).render(Lang::En);
        assert!(d.valid, "{p97:?}: {:#?}", d.diagnostics);
        assert!(leaves_cover(&d));
    }
    assert_eq!(kinds.len(), 22, "{kinds:?}");
}

/// Every byte of the frame lies in a leaf node.
fn leaves_cover(f: &Frame) -> bool {
    let mut covered = vec![false; f.span.len()];
    f.tree.walk(&mut |n, _| {
        if n.children.is_empty() {
            for o in n.span.range().filter(|&o| f.span.contains(o)) {
                covered[o - f.span.start] = true;
            }
        }
    });
    covered.iter().all(|&c| c)
}

fn spans_inside(f: &Frame) -> bool {
    let mut ok = true;
    f.tree.walk(&mut |n, _| ok &= f.span.encloses(n.span));
    ok && f.checks.iter().all(|c| f.span.encloses(c.span))
        && f.diagnostics.iter().all(|d| d.span.start >= f.span.start && d.span.end <= f.span.end)
}

fn labelled(f: &Frame) -> bool {
    let mut ok = true;
    f.tree.walk(&mut |n, _| ok &= crate::protocols::has_label(&n.id));
    ok
}

/// A frame, then damaged: bytes flipped, cut, inserted, duplicated.
fn mutated(r: &mut Rng) -> Vec<u8> {
    let p = random_payload(r);
    let mut b = vec![0xFE; r.below(3)];
    b.extend(Frame645::from_payload(Address(r.array()), &p).emit());
    for _ in 0..r.below(4) {
        let i = r.below(b.len());
        match r.below(5) {
            0 => b[i] = r.byte(),
            1 => b.truncate(i),
            2 => b.insert(i, [0x68, 0x16, 0xFE, r.byte()][r.below(4)]),
            3 => b[i] ^= 1 << r.below(8),
            _ => {
                let tail = b[i..].to_vec();
                b.extend(tail);
            }
        }
        if b.is_empty() {
            break;
        }
    }
    b
}

/// Thousands of random and damaged inputs: no panic, every span inside its
/// frame, every byte of a complete frame in a leaf, every id labelled.
#[test]
fn fuzz_framing_and_dissection() {
    let mut r = Rng::new(0x0DEA_DBEE_F645);
    let protocols = [Dlt645::V2007, Dlt645::V1997];
    for round in 0..6000 {
        let input = if round % 3 == 0 { r.bytes(80) } else { mutated(&mut r) };
        for p in protocols {
            for pos in 0..input.len() {
                let rest = &input[pos..];
                match p.frame(rest) {
                    FrameStatus::Complete { preamble, len } => {
                        assert!(preamble + len <= rest.len());
                        let fr = &rest[preamble..preamble + len];
                        let _ = p.score(fr);
                        let d = p.dissect(fr, pos + preamble, &Options::default()).render(Lang::En);
                        assert_eq!((d.span.start, d.span.len()), (pos + preamble, len));
                        assert!(spans_inside(&d) && leaves_cover(&d) && labelled(&d), "{fr:02X?}");
                    }
                    FrameStatus::Incomplete { preamble, needed } => {
                        assert!(preamble <= rest.len());
                        assert!(needed.is_none_or(|n| n > 0));
                        let d = p
                            .dissect(
                                &rest[preamble..],
                                pos + preamble,
                                &Options { lang: Lang::Zh, ..Options::default() },
                            )
                            .render(Lang::Zh);
                        assert!(spans_inside(&d) && labelled(&d));
                        assert!(!d.valid);
                    }
                    FrameStatus::NoMatch => {}
                }
            }
            // Whatever the bytes, a forced reading of all of them stays in bounds.
            let d = p.dissect(&input, 3, &Options::default()).render(Lang::En);
            assert!(spans_inside(&d) && leaves_cover(&d) && labelled(&d), "{input:02X?}");
        }
        let d = dissect_bytes(&input, &Options::default());
        for f in &d.frames {
            assert!(spans_inside(f));
            assert!(f.span.end <= input.len());
        }
    }
}

#[test]
fn messages_and_labels_are_bilingual() {
    let d = decode("68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AF 17", Lang::Zh);
    let f = only_frame(&d);
    assert_eq!(f.tree.label, "DL/T 645-2007 帧");
    assert_eq!(find(&f.tree, "dlt645.cs").label, "校验码CS");
    assert!(f.diagnostics.iter().all(|d| d.message.chars().any(|c| c as u32 > 0x2E80)), "{:#?}", f.diagnostics);
    assert!(f.diagnostics.iter().any(|d| d.severity == Severity::Error));
}
