//! Tests of IEC 62056-21 and DSMR P1: the public vectors (entries
//! `iec21-*`, `dsmr-*`, `p1-*` of `/work/shared/vectors/public.json`, with
//! their expectations transcribed), diagnostics, and a seeded robustness run.

use super::frame;
use super::*;
use crate::input::to_hex;
use crate::registry::Registry;
use crate::span::Span;
use crate::testkit::{Rng, all, check_frame, dump, value};
use crate::view::{Frame, Node, Severity};
use crate::wire::crc16_arc;

fn text(n: &Node, id: &str) -> String {
    all(n, id).first().and_then(|n| n.text.clone()).unwrap_or_default()
}

/// The data set whose address is `address` (a line of one set is that set).
fn set<'a>(n: &'a Node, address: &str) -> &'a Node {
    all(n, "dsmr.data.line.set")
        .into_iter()
        .chain(all(n, "iec62056-21.data.line.set"))
        .chain(all(n, "dsmr.data.line"))
        .chain(all(n, "iec62056-21.data.line"))
        .find(|s| s.children.first().and_then(|a| a.value.as_deref()) == Some(address))
        .unwrap_or_else(|| panic!("no data set {address} in\n{}", dump(n)))
}

fn vu(n: &Node, address: &str) -> (String, String) {
    let s = set(n, address);
    (s.value.clone().unwrap_or_default(), s.unit.clone().unwrap_or_default())
}

fn codes(f: &Frame) -> Vec<&str> {
    f.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

fn decode_with(input: &str, opts: &Options) -> (Vec<u8>, crate::Dissection) {
    let i = crate::parse_input(input).expect("input");
    let d = Registry::default().dissect(&i.bytes, &i.line_starts, opts).render(opts.lang);
    (i.bytes, d)
}

/// The whole input as one frame of `protocol`, no junk.
fn one(input: &str, protocol: &str) -> Frame {
    let (b, d) = decode_with(input, &Options::default());
    assert_eq!(d.frames.len(), 1, "{:?}", d.frames.iter().map(|f| (&f.protocol, f.span)).collect::<Vec<_>>());
    assert!(d.junk.is_empty(), "{:?}", d.junk);
    let f = d.frames.into_iter().next().unwrap();
    assert_eq!(f.protocol, protocol, "{}", dump(&f.tree));
    assert_eq!(f.span, Span::at(0, b.len()));
    check_frame(&f, b.len());
    f
}

// ------------------------------------------------------------ IEC 62056-21 vectors

#[test]
fn vector_iec21_signon_addressed() {
    let f = one("2f3f3435363738393033210d0a", "iec62056-21");
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(f.tree.text.as_deref(), Some("request (sign-on)"));
    assert_eq!(value(&f.tree, "iec62056-21.address"), "45678903");
    // Without an address, and as pasted text.
    let f = one("/?!<CR><LF>", "iec62056-21");
    assert!(f.valid);
    assert_eq!(value(&f.tree, "iec62056-21.address"), "");
}

#[test]
fn vector_iec21_ack_option_select_mode_e() {
    let f = one("063235320d0a", "iec62056-21");
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(text(&f.tree, "iec62056-21.protocol-control"), "2 HDLC protocol procedure");
    assert_eq!(text(&f.tree, "iec62056-21.baud"), "5 -> 9600");
    assert_eq!(text(&f.tree, "iec62056-21.mode-control"), "2 binary (HDLC) mode");
    assert!(f.tree.text.as_deref().unwrap().contains("switch to 9600 Bd 8N1 and start HDLC SNRM"));
}

#[test]
fn vector_iec21_w2_write() {
    let f = one("01573202433030332839313033323430393232333929031b", "iec62056-21");
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "iec62056-21.command"), "W2");
    assert_eq!(vu(&f.tree, "C003").0, "910324092239");
    assert_eq!(value(&f.tree, "iec62056-21.bcc"), "0x1B");
    let c = &f.checks[0];
    assert_eq!((c.stated.as_str(), c.computed.as_str(), c.ok), ("0x1B", "0x1B", true));
}

#[test]
fn vector_iec21_readout_two_datasets_one_line() {
    let f = one("02333a3134283331342a6b576829343a3135283431352a6b5768290d0a210d0a0322", "iec62056-21");
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(all(&f.tree, "iec62056-21.data.line").len(), 1);
    assert_eq!(vu(&f.tree, "3:14"), ("314".into(), "kWh".into()));
    assert_eq!(vu(&f.tree, "4:15"), ("415".into(), "kWh".into()));
    assert_eq!(value(&f.tree, "iec62056-21.end"), "!");
    assert_eq!(value(&f.tree, "iec62056-21.bcc"), "0x22");
}

#[test]
fn wrong_bcc_is_reported_with_the_expected_value() {
    let (b, d) =
        decode_with("02333a3134283331342a6b576829343a3135283431352a6b5768290d0a210d0a0323", &Options::default());
    let f = &d.frames[0];
    assert!(!f.valid);
    let diag = f.diagnostics.iter().find(|d| d.code == "iec62056-21.bcc.mismatch").unwrap();
    assert_eq!(diag.offset, b.len() - 1);
    assert_eq!(diag.message, "BCC 0x23 is incorrect, should be 0x22");
    assert_eq!((f.checks[0].stated.as_str(), f.checks[0].computed.as_str()), ("0x23", "0x22"));
    // The 7-bit form: BCC received with its parity bit set.
    let (_, d) =
        decode_with("02333a3134283331342a6b576829343a3135283431352a6b5768290d0a210d0a03a2", &Options::default());
    let f = &d.frames[0];
    assert!(f.valid);
    assert_eq!(codes(f), ["iec62056-21.bcc.seven-bit"]);
}

#[test]
fn identification_messages() {
    let f = one("/ISk5\\2MT382-1000<CR><LF>", "iec62056-21");
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "iec62056-21.manufacturer"), "ISk");
    assert!(text(&f.tree, "iec62056-21.manufacturer").contains("20 ms"));
    assert_eq!(text(&f.tree, "iec62056-21.baud"), "mode C/E: 9600 Bd");
    assert_eq!(text(&f.tree, "iec62056-21.capability"), "mode E (binary HDLC) available");
    assert_eq!(value(&f.tree, "iec62056-21.ident"), "MT382-1000");
    let f = one("/LGZC ZMD4104100<CR><LF>", "iec62056-21");
    assert_eq!(text(&f.tree, "iec62056-21.baud"), "mode B: 2400 Bd");
    let f = one("/ABC_x<CR><LF>", "iec62056-21");
    assert!(text(&f.tree, "iec62056-21.baud").starts_with("mode A"));
}

#[test]
fn commands_errors_ack_nak() {
    for (hex, cmd, name) in [
        ("01 42 30 03 71", "B0", "break: complete sign-off"),
        ("01 50 31 02 28 31 32 33 34 35 36 37 38 29 03", "P1", "password: comparison password"),
        ("01 52 31 02 31 2E 38 2E 30 28 29 03", "R1", "read ASCII-coded data"),
        ("01 52 35 02 31 2E 38 2E 30 28 29 03", "R5", ""),
        ("01 45 32 02 43 30 30 33 28 29 03", "E2", "execute, formatted communication coding"),
    ] {
        let mut b = crate::parse_input(hex).unwrap().bytes;
        if b[b.len() - 1] == frame::ETX {
            b.push(frame::bcc(&b[1..]));
        }
        let d = Registry::default().dissect(&b, &[], &Options::default()).render(Lang::En);
        assert_eq!(d.frames.len(), 1);
        let f = &d.frames[0];
        check_frame(f, b.len());
        assert!(f.valid, "{hex}: {:?}", f.diagnostics);
        assert_eq!(value(&f.tree, "iec62056-21.command"), cmd);
        if !name.is_empty() {
            assert_eq!(text(&f.tree, "iec62056-21.command"), name);
        }
    }
    let f = one("<STX>(ERR04)<ETX>v", "iec62056-21");
    assert_eq!(value(&f.tree, "iec62056-21.error"), "ERR04");
    assert_eq!(f.tree.value.as_deref(), Some("error"));
    let f = one("<ACK>", "iec62056-21");
    assert_eq!(f.tree.value.as_deref(), Some("ack"));
    let f = one("<NAK>", "iec62056-21");
    assert_eq!(f.tree.value.as_deref(), Some("nak"));
}

#[test]
fn readout_with_history_and_timestamps() {
    let body = "\u{2}F.F(00)\r\n0.0.0(12345678)\r\n1.8.1(001234.5*kWh)\r\n1.8.1*04(001000.0*kWh)\r\n1.8.1&04(001000.0*kWh)\r\n0.9.1(170102192002W)\r\n1.6.1(0.12*kW)(1701021920)\r\n2.8.0,2(5*imp/kWh)\r\n!\r\n\u{3}";
    let mut b = body.as_bytes().to_vec();
    b.push(frame::bcc(&b[1..]));
    let d = Registry::default().dissect(&b, &[], &Options::default()).render(Lang::En);
    let f = &d.frames[0];
    check_frame(f, b.len());
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(vu(&f.tree, "1.8.1"), ("001234.5".into(), "kWh".into()));
    let h = set(&f.tree, "1.8.1*04");
    assert!(h.children[0].text.as_deref().unwrap().starts_with("1-0:1.8.1*4"), "{}", dump(h));
    assert_eq!(vu(&f.tree, "2.8.0,2").1, "imp/kWh");
    assert_eq!(text(set(&f.tree, "0.9.1"), "iec62056-21.data.line.set.value"), "2017-01-02 19:20:02 winter time");
    assert!(text(set(&f.tree, "1.8.1"), "iec62056-21.data.line.set.address").contains("1-0:1.8.1*255"));
}

// ------------------------------------------------------------ DSMR vectors

const V5: &str = "/ISk5\\2MT382-1000\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(170102192002W)\r\n0-0:96.1.1(4B384547303034303436333935353037)\r\n1-0:1.8.1(000004.426*kWh)\r\n1-0:1.8.2(000002.399*kWh)\r\n1-0:2.8.1(000002.444*kWh)\r\n1-0:2.8.2(000000.000*kWh)\r\n0-0:96.14.0(0002)\r\n1-0:1.7.0(00.244*kW)\r\n1-0:2.7.0(00.000*kW)\r\n0-0:96.7.21(00013)\r\n0-0:96.7.9(00000)\r\n1-0:99.97.0(0)(0-0:96.7.19)\r\n1-0:32.32.0(00000)\r\n1-0:52.32.0(00000)\r\n1-0:72.32.0(00000)\r\n1-0:32.36.0(00000)\r\n1-0:52.36.0(00000)\r\n1-0:72.36.0(00000)\r\n0-0:96.13.0()\r\n1-0:32.7.0(0230.0*V)\r\n1-0:52.7.0(0230.0*V)\r\n1-0:72.7.0(0229.0*V)\r\n1-0:31.7.0(0.48*A)\r\n1-0:51.7.0(0.44*A)\r\n1-0:71.7.0(0.86*A)\r\n1-0:21.7.0(00.070*kW)\r\n1-0:41.7.0(00.032*kW)\r\n1-0:61.7.0(00.142*kW)\r\n1-0:22.7.0(00.000*kW)\r\n1-0:42.7.0(00.000*kW)\r\n1-0:62.7.0(00.000*kW)\r\n0-1:24.1.0(003)\r\n0-1:96.1.0(3232323241424344313233343536373839)\r\n0-1:24.2.1(170102161005W)(00000.107*m3)\r\n0-2:24.1.0(003)\r\n0-2:96.1.0()\r\n!6EEE\r\n";

#[test]
fn vector_dsmr_v5_iskra() {
    let f = one(V5, "dsmr-p1");
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dsmr.header"), "/ISk5\\2MT382-1000");
    assert_eq!(value(t, "dsmr.crc"), "6EEE");
    assert_eq!(f.checks[0].computed, "0x6EEE");
    assert_eq!(vu(t, "1-3:0.2.8").0, "50");
    assert!(set(t, "1-3:0.2.8").text.as_deref().unwrap().contains("DSMR 5.0"));
    assert_eq!(text(set(t, "0-0:1.0.0"), "dsmr.data.line.set.value"), "2017-01-02 19:20:02 winter time");
    for (id, v, u) in [
        ("1-0:1.8.1", "000004.426", "kWh"),
        ("1-0:1.8.2", "000002.399", "kWh"),
        ("1-0:2.8.1", "000002.444", "kWh"),
        ("1-0:1.7.0", "00.244", "kW"),
        ("1-0:32.7.0", "0230.0", "V"),
        ("1-0:31.7.0", "0.48", "A"),
        ("0-1:24.2.1", "00000.107", "m3"),
    ] {
        assert_eq!(vu(t, id), (v.to_string(), u.to_string()), "{id}");
    }
    let gas = set(t, "0-1:24.2.1");
    assert_eq!(gas.children.len(), 3);
    assert_eq!(gas.children[1].text.as_deref(), Some("2017-01-02 16:10:05 winter time"));
    assert_eq!(text(set(t, "0-2:96.1.0"), "dsmr.data.line.set.value"), "empty");
    let log = set(t, "1-0:99.97.0");
    assert_eq!(log.children.len(), 3);
    assert_eq!(log.children[2].value.as_deref(), Some("0-0:96.7.19"));
    assert_eq!(text(set(t, "0-0:96.1.1"), "dsmr.data.line.set.value"), "\"K8EG004046395507\"");
    assert!(text(set(t, "0-1:24.1.0"), "dsmr.data.line.set.value").contains("gas"));
    assert_eq!(value(t, "dsmr.country"), "NL");
    assert_eq!(value(t, "dsmr.header.manufacturer"), "ISk");
    assert_eq!(value(t, "dsmr.header.capability"), "\\2");
}

#[test]
fn vector_dsmr_crc_without_leading_zero() {
    let f = one(
        "/NWA-WARMTELINK\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(260215200523W)\r\n0-0:96.1.1(ADC3100000158491)\r\n0-0:96.13.1()\r\n0-0:96.13.0()\r\n0-1:24.1.0(004)\r\n0-1:96.1.0(621848012D2C0B0C)\r\n0-1:24.2.1(260215200523W)(240.860*GJ)\r\n!B9F\r\n",
        "dsmr-p1",
    );
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dsmr.header"), "/NWA-WARMTELINK");
    assert_eq!(value(&f.tree, "dsmr.crc"), "B9F");
    assert_eq!(text(&f.tree, "dsmr.crc"), "0x0B9F");
    assert_eq!(codes(&f), ["dsmr.crc.short"]);
    assert_eq!(vu(&f.tree, "0-1:24.2.1"), ("240.860".into(), "GJ".into()));
}

const HU: &str = "/SAG5SAG-METER\r\n\r\n0-0:1.0.0(230724150730S)\r\n0-0:42.0.0(53414733303832323030303032313630)\r\n0-0:96.1.0(383930303832323030303032313630)\r\n0-0:96.14.0(0001)\r\n0-0:96.3.10(1)\r\n0-0:17.0.0(90.000*kW)\r\n1-0:1.8.0(000173.640*kWh)\r\n1-0:1.8.1(000047.719*kWh)\r\n1-0:1.8.2(000125.921*kWh)\r\n1-0:1.8.3(000000.000*kWh)\r\n1-0:1.8.4(000000.000*kWh)\r\n1-0:2.8.0(000627.177*kWh)\r\n1-0:2.8.1(000401.829*kWh)\r\n1-0:2.8.2(000225.348*kWh)\r\n1-0:2.8.3(000000.000*kWh)\r\n1-0:2.8.4(000000.000*kWh)\r\n1-0:3.8.0(000000.123*kvarh)\r\n1-0:4.8.0(000303.131*kvarh)\r\n1-0:5.8.0(000000.668*kvarh)\r\n1-0:6.8.0(000000.071*kvarh)\r\n1-0:7.8.0(000160.487*kvarh)\r\n1-0:8.8.0(000143.346*kvarh)\r\n1-0:15.8.0(000800.817*kWh)\r\n1-0:32.7.0(240.4*V)\r\n1-0:52.7.0(239.1*V)\r\n1-0:72.7.0(241.2*V)\r\n1-0:31.7.0(003*A)\r\n1-0:51.7.0(004*A)\r\n1-0:71.7.0(003*A)\r\n1-0:13.7.0(4.556)\r\n1-0:33.7.0(4.591)\r\n1-0:53.7.0(4.542)\r\n1-0:73.7.0(4.552)\r\n1-0:14.7.0(50.00*Hz)\r\n1-0:1.7.0(00.000*kW)\r\n1-0:2.7.0(02.601*kW)\r\n1-0:5.7.0(00.000*kvar)\r\n1-0:6.7.0(00.000*kvar)\r\n1-0:7.7.0(00.504*kvar)\r\n1-0:8.7.0(00.000*kvar)\r\n1-0:31.4.0(200.00*A)\r\n1-0:51.4.0(200.00*A)\r\n1-0:71.4.0(200.00*A)\r\n0-0:98.1.0(230701000000S)(000040.777*kWh)(000008.950*kWh)(000031.827*kWh)(000142.250*kWh)(000111.164*kWh)(000031.086*kWh)(000000.030*kvarh)(000073.988*kvarh)(000000.205*kvarh)(000000.048*kvarh)(000039.199*kvarh)(000035.020*kvarh)(000183.027*kWh)(03.564*kW)(02.156*kW)(03.564*kW)(04.104*kW)(04.104*kW)(03.400*kW)\r\n0-0:96.13.0()\r\n!99DA\r\n";

#[test]
fn vector_dsmr_eon_hu() {
    let f = one(HU, "dsmr-p1");
    assert!(f.valid, "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dsmr.header"), "/SAG5SAG-METER");
    assert_eq!(value(t, "dsmr.crc"), "99DA");
    assert_eq!(vu(t, "1-0:1.8.3"), ("000000.000".into(), "kWh".into()));
    assert_eq!(vu(t, "1-0:13.7.0"), ("4.556".into(), "".into()));
    assert_eq!(vu(t, "1-0:14.7.0"), ("50.00".into(), "Hz".into()));
    assert_eq!(vu(t, "1-0:31.4.0"), ("200.00".into(), "A".into()));
    let m = set(t, "0-0:98.1.0");
    assert_eq!(m.children.len(), 21);
    assert_eq!(m.children[1].text.as_deref(), Some("2023-07-01 00:00:00 summer time"));
    assert_eq!(value(t, "dsmr.country"), "HU");
    assert!(f.diagnostics.iter().all(|d| d.severity == Severity::Info), "{:?}", f.diagnostics);
}

#[test]
fn vector_p1_lg_e360_no_trailing_crlf() {
    let input = "/LGF5E360\r\n\r\n0-0:1.0.0(210222161900W)\r\n1-0:1.8.0(00000896.020*kWh)\r\n1-0:2.8.0(00000048.792*kWh)\r\n1-0:3.8.0(00000518.309*kVArh)\r\n1-0:4.8.0(00000023.732*kVArh)\r\n1-0:1.7.0(0000.000*kW)\r\n1-0:2.7.0(0000.020*kW)\r\n1-0:3.7.0(0000.000*kVAr)\r\n1-0:4.7.0(0000.308*kVAr)\r\n1-0:21.7.0(0000.000*kW)\r\n1-0:22.7.0(0000.012*kW)\r\n1-0:41.7.0(0000.000*kW)\r\n1-0:42.7.0(0000.071*kW)\r\n1-0:61.7.0(0000.063*kW)\r\n1-0:62.7.0(0000.000*kW)\r\n1-0:23.7.0(0000.000*kVAr)\r\n1-0:24.7.0(0000.146*kVAr)\r\n1-0:43.7.0(0000.000*kVAr)\r\n1-0:44.7.0(0000.135*kVAr)\r\n1-0:63.7.0(0000.000*kVAr)\r\n1-0:64.7.0(0000.026*kVAr)\r\n1-0:32.7.0(230.1*V)\r\n1-0:52.7.0(232.2*V)\r\n1-0:72.7.0(230.4*V)\r\n1-0:31.7.0(000.6*A)\r\n1-0:51.7.0(000.6*A)\r\n1-0:71.7.0(000.3*A)\r\n!A077";
    let f = one(input, "dsmr-p1");
    assert!(f.valid, "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dsmr.header"), "/LGF5E360");
    assert_eq!(value(t, "dsmr.crc"), "A077");
    assert!(all(t, "dsmr.eol").len() == 1, "only the header's line end");
    assert_eq!(vu(t, "1-0:1.8.0"), ("00000896.020".into(), "kWh".into()));
    assert_eq!(vu(t, "1-0:3.8.0"), ("00000518.309".into(), "kVArh".into()));
    assert_eq!(vu(t, "1-0:22.7.0"), ("0000.012".into(), "kW".into()));
    assert_eq!(vu(t, "1-0:71.7.0"), ("000.3".into(), "A".into()));
    assert_eq!(value(t, "dsmr.country"), "SE");
}

#[test]
fn wrong_crc_missing_crc_and_lf_only() {
    let bad = V5.replace("!6EEE", "!6EEF");
    let (b, d) = decode_with(&bad, &Options::default());
    let f = &d.frames[0];
    assert!(!f.valid);
    let diag = f.diagnostics.iter().find(|d| d.code == "dsmr.crc.mismatch").unwrap();
    assert_eq!(diag.message, "CRC 0x6EEF is incorrect, should be 0x6EEE");
    assert_eq!(&b[diag.offset..diag.offset + 4], b"6EEF");
    // LF-only line ends (pasted text): the CRC matches with CR LF.
    let lf = V5.replace("\r\n", "\n");
    let f = one(&lf, "dsmr-p1");
    assert!(f.valid, "{:?}", f.diagnostics);
    let info = f.diagnostics.iter().find(|d| d.code == "dsmr.crc.crlf").unwrap();
    assert_eq!(info.message, "CRC matches with CR LF line endings as sent by the meter");
    // No CRC at all: DSMR 5 says there should be one.
    let none = V5.replace("!6EEE\r\n", "!");
    let f = one(&none, "dsmr-p1");
    assert!(f.valid);
    assert_eq!(codes(&f), ["dsmr.crc.missing"]);
    assert_eq!(f.diagnostics[0].severity, Severity::Warning);
    // DSMR 2.2: no version line, no CRC, an info only.
    let old = "/KMP5 KA6U001585575011\r\n\r\n0-0:96.1.1(204B413655303031353835353735303131)\r\n1-0:1.8.1(00185.000*kWh)\r\n1-0:1.8.2(00084.000*kWh)\r\n0-1:24.3.0(121030140000)(00)(60)(1)(0-1:24.2.1)(m3)\r\n(00000.000)\r\n!\r\n";
    let f = one(old, "dsmr-p1");
    assert!(f.valid);
    assert_eq!(f.diagnostics[0].severity, Severity::Info);
    assert_eq!(value(&f.tree, "dsmr.country"), "NL");
}

#[test]
fn belgian_and_encrypted() {
    let body = "/FLU5\\253769484_A\r\n\r\n0-0:96.1.4(50217)\r\n1-0:1.4.0(02.351*kW)\r\n1-0:1.6.0(200509134558S)(02.589*kW)\r\n0-0:96.13.0(48656C6C6F)\r\n!";
    let crc = crc16_arc(body.as_bytes());
    let f = one(&format!("{body}{crc:04X}\r\n"), "dsmr-p1");
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dsmr.country"), "BE");
    assert_eq!(text(set(&f.tree, "0-0:96.13.0"), "dsmr.data.line.set.value"), "\"Hello\"");
    assert_eq!(vu(&f.tree, "1-0:1.6.0"), ("02.589".into(), "kW".into()));
    // Encrypted: DB 08 system title, length, security control, counter, ciphertext, tag.
    let mut e = vec![0xDB, 0x08, b'S', b'A', b'G', 0x67, 0x00, 0x6A, 0x11, 0x22, 0x82, 0x00, 0x1A, 0x30];
    e.extend([0, 0, 0, 5]);
    e.extend([0xAA; 9]);
    e.extend([0xBB; 12]);
    let d = Registry::default().dissect(&e, &[], &Options::default()).render(Lang::En);
    assert_eq!(d.frames.len(), 1);
    let f = &d.frames[0];
    check_frame(f, e.len());
    assert_eq!(f.protocol, "dsmr-p1");
    assert_eq!(value(&f.tree, "dsmr.encrypted.invocation-counter"), "5");
    assert_eq!(value(&f.tree, "dsmr.encrypted.length"), "26");
}

/// Austrian telegrams (Sagemcom T210-D, `/EST5…`): the public examples of
/// openHAB's DSMR binding (`dsmr_50_austria.telegram`) and dsmr_parser
/// (`TELEGRAM_SAGEMCOM_T210_D_R`) write registers in Wh, W, varh and var,
/// with a version line and a CRC.
#[test]
fn austrian_telegram() {
    let body = "/EST5\\253740976_A\r\n\r\n1-3:0.2.8(50)\r\n0-0:1.0.0(210902215713S)\r\n1-0:1.8.0(000326641*Wh)\r\n\
                1-0:1.8.1(000230515*Wh)\r\n1-0:1.8.2(000096126*Wh)\r\n1-0:1.7.0(000000621*W)\r\n\
                1-0:2.8.0(000004998*Wh)\r\n1-0:2.8.1(000001350*Wh)\r\n1-0:2.8.2(000003648*Wh)\r\n\
                1-0:2.7.0(000000000*W)\r\n1-0:3.8.0(000005672*varh)\r\n1-0:3.8.1(000001954*varh)\r\n\
                1-0:3.8.2(000003718*varh)\r\n1-0:3.7.0(000000000*var)\r\n1-0:4.8.0(000253220*varh)\r\n\
                1-0:4.8.1(000168985*varh)\r\n1-0:4.8.2(000084235*varh)\r\n1-0:4.7.0(000000510*var)\r\n!";
    let f = one(&format!("text:{body}6744\r\n"), "dsmr-p1");
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dsmr.crc"), "6744");
    assert_eq!(value(&f.tree, "dsmr.country"), "AT");
    assert_eq!(vu(&f.tree, "1-0:1.8.0"), ("000326641".into(), "Wh".into()));
    assert_eq!(vu(&f.tree, "1-0:4.7.0"), ("000000510".into(), "var".into()));
    assert_eq!(value(&f.tree, "dsmr.header.manufacturer"), "EST");
    // The same registers in kWh stay Luxembourg.
    let lu = "/Lux5\\253663629_D\r\n\r\n1-3:0.2.8(42)\r\n1-0:1.8.0(000006.695*kWh)\r\n1-0:3.8.0(000000.818*kvarh)\r\n!";
    let f = one(&format!("text:{lu}{:04X}\r\n", crc16_arc(lu.as_bytes())), "dsmr-p1");
    assert_eq!(value(&f.tree, "dsmr.country"), "LU");
}

#[test]
fn identification_alone_is_iec_and_telegrams_in_a_log_split() {
    // Two telegrams and a sign-on in one input.
    let s = format!("/?!\r\n{V5}{V5}");
    let (_, d) = decode_with(&format!("text:{s}"), &Options::default());
    let names: Vec<&str> = d.frames.iter().map(|f| f.protocol.as_str()).collect();
    assert_eq!(names, ["iec62056-21", "dsmr-p1", "dsmr-p1"]);
    assert!(d.frames.iter().all(|f| f.valid));
    // A cut telegram is reported, not dropped (forced: in auto mode another
    // protocol's framer may claim bytes inside the cut text).
    let cut = &V5[..200];
    let (b, d) = decode_with(cut, &Options { protocol: Some("dsmr-p1".into()), ..Options::default() });
    let f = &d.frames[0];
    assert_eq!(f.protocol, "dsmr-p1");
    assert!(!f.valid);
    check_frame(f, b.len());
    // Chinese labels and messages.
    let (_, d) = decode_with(&V5.replace("!6EEE", "!6EEF"), &Options { lang: Lang::Zh, ..Options::default() });
    assert!(d.frames[0].diagnostics.iter().any(|d| d.message == "CRC 0x6EEF 错误,应为 0x6EEE"));
    assert_eq!(d.frames[0].tree.label, "DSMR P1 报文");
}

// ------------------------------------------------------------ encrypted P1

/// AES-128-GCM as suite 0 uses it (12-byte IV and tag), written here apart
/// from `dlms::security` so the test does not check the code with itself.
fn gcm_encrypt(ek: &[u8; 16], ak: &[u8; 16], title: &[u8; 8], ic: u32, plain: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use aes_gcm::aead::consts::U12;
    use aes_gcm::aead::{AeadInPlace, KeyInit};
    let gcm = aes_gcm::AesGcm::<aes_gcm::aes::Aes128, U12, U12>::new(ek.into());
    let mut iv = title.to_vec();
    iv.extend(ic.to_be_bytes());
    let mut aad = vec![0x30];
    aad.extend(ak);
    let mut data = plain.to_vec();
    let tag = gcm.encrypt_in_place_detached(iv.as_slice().into(), &aad, &mut data).unwrap();
    (data, tag.to_vec())
}

/// `DB 08 title 82 hh ll 30 IC ciphertext tag`.
fn encrypted_frame(ek: &[u8; 16], ak: &[u8; 16], title: &[u8; 8], ic: u32, plain: &[u8]) -> Vec<u8> {
    let (ct, tag) = gcm_encrypt(ek, ak, title, ic, plain);
    let len = 5 + ct.len() + tag.len();
    let mut f = vec![0xDB, 0x08];
    f.extend(title);
    f.extend([0x82, (len >> 8) as u8, len as u8, 0x30]);
    f.extend(ic.to_be_bytes());
    f.extend(ct);
    f.extend(tag);
    f
}

fn keys(ek: [u8; 16], ak: Option<[u8; 16]>) -> Options {
    Options {
        keys: crate::registry::Keys { cipher_key: Some(ek), auth_key: ak, system_title: None },
        ..Options::default()
    }
}

fn check<'a>(f: &'a Frame, id: &str) -> &'a crate::view::Check {
    f.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no check {id}: {:?}", f.checks))
}

const EK: [u8; 16] = *b"0123456789ABCDEF";
const AK: [u8; 16] = *b"auth-key-16bytes";
const TITLE: [u8; 8] = *b"SAG\x10\x20\x30\x40\x50";

#[test]
fn encrypted_telegram_decrypts_in_place() {
    let plain = simulator::P1Meter::new(simulator::P1Config::default()).telegram(crate::session::Millis(0));
    let e = encrypted_frame(&EK, &AK, &TITLE, 0x0001_0203, &plain);
    assert_eq!(e.len(), 18 + plain.len() + 12);
    let (_, d) = decode_with(&to_hex(&e), &keys(EK, Some(AK)));
    assert_eq!(d.frames.len(), 1);
    assert!(d.junk.is_empty());
    let f = &d.frames[0];
    assert_eq!(f.protocol, "dsmr-p1");
    check_frame(f, e.len());
    assert!(f.valid, "{:?}", f.diagnostics);
    assert!(f.diagnostics.iter().all(|d| d.severity == Severity::Info), "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dsmr.encrypted.system-title"), "5341471020304050");
    assert_eq!(value(&f.tree, "dsmr.encrypted.invocation-counter"), "66051");
    assert_eq!(value(&f.tree, "dsmr.encrypted.security-control"), "0x30");
    assert_eq!(text(&f.tree, "dsmr.encrypted.tag-value"), "authenticated");
    assert!(check(f, "dsmr.encrypted.tag-value").ok);
    assert!(check(f, "dsmr.crc").ok);
    assert_eq!(f.tree.value.as_deref(), Some("50"));
    assert!(f.tree.text.as_deref().unwrap().contains("DSMR 5.0"), "{:?}", f.tree.text);
    // The plaintext telegram under the ciphertext, its spans on the ciphertext bytes.
    let p = all(&f.tree, "dsmr.encrypted.plaintext");
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].span, Span::at(18, plain.len()));
    assert_eq!(value(&f.tree, "dsmr.header.ident"), "MS-P1-Sim");
    let s = std::str::from_utf8(&plain).unwrap();
    let at = s.find("1-0:1.8.1(").unwrap();
    let want = s[at + 10..at + 20].to_string();
    assert_eq!(vu(&f.tree, "1-0:1.8.1"), (want, "kWh".into()));
    assert_eq!(set(&f.tree, "1-0:1.8.1").span.start, 18 + at);
    assert_eq!(vu(&f.tree, "1-0:32.7.0").1, "V");
    assert_eq!(value(&f.tree, "dsmr.country"), "NL");
    // The same frame, the authentication key left out: the default key does not match it.
    let (_, d) = decode_with(&to_hex(&e), &keys(EK, None));
    let f = &d.frames[0];
    check_frame(f, e.len());
    assert!(!check(f, "dsmr.encrypted.tag-value").ok);
    assert!(check(f, "dsmr.crc").ok);
    let mismatch = f.diagnostics.iter().find(|d| d.code == "dsmr.encrypted.tag.mismatch").unwrap();
    assert_eq!(mismatch.severity, Severity::Warning);
    assert!(mismatch.message.contains("default authentication key"));
    // Sealed with the default key, which is then used without being given.
    let e2 = encrypted_frame(&EK, &dissect::DEFAULT_AK, &TITLE, 7, &plain);
    let (_, d) = decode_with(&to_hex(&e2), &keys(EK, None));
    assert!(d.frames[0].valid);
    assert_eq!(text(&d.frames[0].tree, "dsmr.encrypted.tag-value"), "authenticated (default authentication key)");
}

#[test]
fn encrypted_telegram_diagnostics() {
    let plain = simulator::P1Meter::new(simulator::P1Config::default()).telegram(crate::session::Millis(0));
    let e = encrypted_frame(&EK, &AK, &TITLE, 9, &plain);
    let codes_of = |bytes: &[u8], opts: &Options| {
        let f = DsmrP1.dissect(bytes, 0, opts).render(opts.lang);
        check_frame(&f, bytes.len());
        (f.valid, f.diagnostics.iter().map(|d| (d.code.clone(), d.severity)).collect::<Vec<_>>(), f)
    };
    // No key: the header only, the tag not checked.
    let (valid, diags, f) = codes_of(&e, &Options::default());
    assert!(valid);
    assert_eq!(diags, [("dsmr.encrypted.no-key".to_string(), Severity::Info)]);
    assert_eq!(text(&f.tree, "dsmr.encrypted.tag-value"), "not checked: no cipher key");
    assert!(all(&f.tree, "dsmr.encrypted.plaintext").is_empty());
    // Wrong cipher key: tag mismatch, the plaintext is no telegram.
    let (valid, diags, _) = codes_of(&e, &keys(*b"FEDCBA9876543210", Some(AK)));
    assert!(!valid);
    assert!(diags.contains(&("dsmr.encrypted.tag.mismatch".to_string(), Severity::Error)), "{diags:?}");
    assert!(diags.iter().any(|d| d.0 == "dsmr.encrypted.plaintext"));
    // One ciphertext byte altered: tag mismatch (an error with the user's AK) and a wrong CRC.
    let mut bad = e.clone();
    bad[18 + 40] ^= 0x01;
    let (valid, diags, f) = codes_of(&bad, &keys(EK, Some(AK)));
    assert!(!valid);
    assert!(diags.contains(&("dsmr.encrypted.tag.mismatch".to_string(), Severity::Error)), "{diags:?}");
    assert!(diags.iter().any(|d| d.0 == "dsmr.crc.mismatch"));
    assert_eq!(text(&f.tree, "dsmr.encrypted.tag-value"), "tag mismatch");
    // Cut short: the length says more than is present; what is there still decrypts.
    let cut = &e[..300];
    let (valid, diags, f) = codes_of(cut, &keys(EK, Some(AK)));
    assert!(!valid);
    assert!(diags.iter().any(|d| d.0 == "dsmr.encrypted.length.mismatch"), "{diags:?}");
    assert_eq!(value(&f.tree, "dsmr.header.manufacturer"), "MSC");
    assert!(all(&f.tree, "dsmr.encrypted.tag-value").is_empty());
    // The header itself cut: truncated.
    let (valid, diags, _) = codes_of(&e[..15], &keys(EK, Some(AK)));
    assert!(!valid);
    assert_eq!(diags[0].0, "dsmr.truncated");
    // Bytes after the stated length.
    let mut long = e.clone();
    long.extend(b"xy");
    let (_, diags, f) = codes_of(&long, &keys(EK, Some(AK)));
    assert!(diags.iter().any(|d| d.0 == "dsmr.trailing"));
    assert_eq!(value(&f.tree, "dsmr.encrypted.trailing"), "78 79");
    // Chinese.
    let zh = Options { lang: Lang::Zh, ..keys(EK, Some(AK)) };
    let f = DsmrP1.dissect(&e, 0, &zh).render(zh.lang);
    assert_eq!(text(&f.tree, "dsmr.encrypted.tag-value"), "已认证");
}

#[test]
fn simulator_encrypted_stream_decodes() {
    let e = simulator::P1Encryption::default();
    let m =
        simulator::P1Meter::new(simulator::P1Config { encryption: Some(e.clone()), ..simulator::P1Config::default() });
    let mut stream = m.frame(crate::session::Millis(0));
    stream.extend(m.frame(crate::session::Millis(1000)));
    let (_, d) = decode_with(&to_hex(&stream), &keys(e.cipher_key, None));
    assert_eq!(d.frames.len(), 2);
    assert!(d.junk.is_empty());
    for (k, f) in d.frames.iter().enumerate() {
        check_frame(f, stream.len());
        assert!(f.valid, "{:?}", f.diagnostics);
        assert_eq!(value(&f.tree, "dsmr.encrypted.invocation-counter"), (1 + k).to_string());
        assert_eq!(text(&f.tree, "dsmr.encrypted.tag-value"), "authenticated (default authentication key)");
    }
}

/// The encrypted Luxembourg "Smarty" telegram of openHAB's DSMR binding tests
/// (SmartyDecrypterTest: key D491470F47126332B07D1923B3504188; plaintext
/// smarty_long.telegram). Its tag verifies with the default authentication key;
/// the CRC written in its plaintext (CFDE) does not match the plaintext (99BD).
const SMARTY: &[&str] = &[
    "DB08534147677001BD548202BA300005A8E3806EE6E639274C7BC57095F872B08DDE621FB74EE81E5EBE342C93D8E737",
    "81FB2A1EB8710074A54FC57AA7D1D99236C42E2EC01A0324EFC7F02E3BA2FA43196CA603838AB8322DFFA83F7E83932E",
    "6007406B112B41745F38805646D53FEA7A029FA79C36D9D777DA8B463DD33EDFE38CDEDDC1907E48C0BE1058228B1FF1",
    "6EDF9F6F14DB9C3DEC320C898B30C764118DA83A77BEFF44437AE2561676B0090A652409419AA01DB78D95A1013AD52D",
    "3A46529B2C1AA9D5AAB8AE54FD86456F23FEB279DE068810AF56BE1E9DE056937329181356B5A0F2BFE0FD19D685C8C2",
    "D89692315DCDA8E531C8A60F5BA1D48C0CFC85A9ADB2EECA0E7956513583CBA756B65A8EC6809BD5A8C9E0C5F89FC902",
    "B12EADD8CE3B93ACE45C36C0D13981658E29C242E558A5CBE8BD33BB688A93E54C0303AB6FFCFBD5DC46AAED53AC3DF6",
    "7AA4C406ABA6A341EF8EA152AACD7E10982D0D438FBF085E48B0D4F80B1F2A3FE95BE1CE880062EDA7AD9425C6050756",
    "0CFF4578798ED765D32785B4E8F5D2A9434D9993B151CBF874783E644AB7306070608D68D26D2BAE8495A703FAD40B24",
    "69B2E4A66912A6272D3B0AFC60A1FE38944AEADF754BC6F22F2B9C32D3D21E34D8F782048303BC71536F0E542C9951CC",
    "75E3AAAB955AA367E1090E40566F561FEA2474DE5D13F21316744106D1E102010F16D5F2A663410BBE4A858A5C320BEC",
    "4CA4286CC53C555A57E6843357148E93B57C1286DDBB07DBDD3A381CD6BC39A9A9F512DFF65EBD6EB54BD554EAA346B4",
    "96D6AD58451BB29B71D7BD5EE1F10699AF0B754D41056E4376C22114374E84CC08AD2B04F6F5C49D6BF7F92C6E6C265B",
    "4B55B704D36821DC192F3A901C3E7C0716055370CE9AD14578393B43F5598024E37D2B8C0AE1ECCFEA99B9E357CDDAF1",
    "988DCD6EE957DE506C8A15B8E872C41DD3B29F0B8E4015D4CCAD9CE68AEC23211C876078AE3F03",
];

#[test]
fn published_smarty_example() {
    let hex: String = SMARTY.concat();
    let ek: [u8; 16] = crate::parse_input("D491470F47126332B07D1923B3504188").unwrap().bytes.try_into().unwrap();
    let (b, d) = decode_with(&hex, &keys(ek, None));
    assert_eq!(b.len(), 711);
    assert_eq!(d.frames.len(), 1);
    let f = &d.frames[0];
    check_frame(f, b.len());
    assert_eq!(value(&f.tree, "dsmr.encrypted.length"), "698");
    assert_eq!(value(&f.tree, "dsmr.encrypted.invocation-counter"), "370915");
    assert!(check(f, "dsmr.encrypted.tag-value").ok);
    assert_eq!(text(&f.tree, "dsmr.encrypted.tag-value"), "authenticated (default authentication key)");
    // The sample's stated CRC does not match its (authenticated) contents: reported, not hidden.
    let crc = check(f, "dsmr.crc");
    assert_eq!((crc.stated.as_str(), crc.computed.as_str(), crc.ok), ("0xCFDE", "0x99BD", false));
    assert_eq!(codes(f), ["dsmr.crc.mismatch"]);
    assert_eq!(value(&f.tree, "dsmr.header.manufacturer"), "Lux");
    assert_eq!(f.tree.value.as_deref(), Some("42"));
    assert_eq!(vu(&f.tree, "1-0:1.8.0"), ("000006.695".into(), "kWh".into()));
    assert_eq!(vu(&f.tree, "1-0:4.8.0"), ("000002.745".into(), "kvarh".into()));
    assert_eq!(value(&f.tree, "dsmr.country"), "LU");
    assert_eq!(set(&f.tree, "1-0:1.8.0").span.start, 18 + 172);
    // Without the key: framed, not decrypted.
    let (_, d) = decode_with(&hex, &Options::default());
    assert_eq!(d.frames[0].diagnostics[0].code, "dsmr.encrypted.no-key");
}

// ------------------------------------------------------------ robustness

/// A byte of a text message more often than any byte.
fn text_byte(rng: &mut Rng) -> u8 {
    const ALPHABET: &[u8] = b"/?!()*:-.,&\\\r\n\x01\x02\x03\x04\x06\x150123456789ABCDEFkWhWS";
    if rng.below(3) == 0 { rng.byte() } else { rng.pick(ALPHABET) }
}

/// Thousands of random, mutated and truncated inputs through framing, scoring
/// and dissection: no panic, every span inside its frame, every byte accounted for.
#[test]
fn seeded_robustness() {
    let mut rng = Rng::new(0x6205_6021);
    let registry = Registry::default();
    let plain_opts = Options::default();
    let seeds: Vec<Vec<u8>> = [
        V5.as_bytes().to_vec(),
        HU.as_bytes()[..600].to_vec(),
        b"/?12345678!\r\n".to_vec(),
        b"\x06050\r\n".to_vec(),
        b"\x01W2\x02C003(910324092239)\x03\x1b".to_vec(),
        b"\x023:14(314*kWh)4:15(415*kWh)\r\n!\r\n\x03\"".to_vec(),
        b"/ISk5\\2MT382-1000\r\n".to_vec(),
        vec![0xDB, 0x08, b'S', b'A', b'G', 1, 2, 3, 4, 5, 0x20, 0x30, 0, 0, 0, 1],
        encrypted_frame(&EK, &AK, &TITLE, 1, &V5.as_bytes()[..300]),
    ]
    .to_vec();
    let with_keys = keys(EK, Some(AK));
    let protos = protocols();
    for round in 0..3000 {
        let opts = if round % 2 == 1 { &with_keys } else { &plain_opts };
        let mut input: Vec<u8> = match round % 4 {
            0 => (0..rng.below(120)).map(|_| text_byte(&mut rng)).collect(),
            _ => seeds[rng.below(seeds.len())].clone(),
        };
        rng.mutate(&mut input, text_byte);
        let d = registry.dissect(&input, &[], opts).render(opts.lang);
        // Other protocols' frames are their own tests' business.
        for f in d.frames.iter().filter(|f| f.protocol == "iec62056-21" || f.protocol == "dsmr-p1") {
            check_frame(f, input.len());
        }
        let covered: usize =
            d.frames.iter().map(|f| f.span.len()).sum::<usize>() + d.junk.iter().map(|j| j.span.len()).sum::<usize>();
        assert_eq!(covered, input.len(), "round {round}: bytes dropped");
        for p in &protos {
            for start in 0..input.len().min(6) {
                match p.frame(&input[start..]) {
                    FrameStatus::Complete { preamble, len } => {
                        assert!(len > 0 && start + preamble + len <= input.len());
                        let f = &input[start + preamble..start + preamble + len];
                        let _ = p.score(f);
                        check_frame(&p.dissect(f, start + preamble, opts).render(opts.lang), input.len());
                    }
                    FrameStatus::Incomplete { preamble, .. } => {
                        check_frame(
                            &p.dissect(&input[start + preamble..], start + preamble, opts).render(opts.lang),
                            input.len(),
                        );
                    }
                    FrameStatus::NoMatch => {}
                }
            }
            check_frame(&p.dissect(&input, 0, opts).render(opts.lang), input.len());
        }
    }
}

/// Both dissectors build language-neutral frames: decoded once, a frame renders
/// in Chinese as a decode in Chinese does, the decrypted telegram included.
#[test]
fn one_decode_renders_every_language() {
    let plain = simulator::P1Meter::new(simulator::P1Config::default()).telegram(crate::session::Millis(0));
    let sealed = encrypted_frame(&EK, &AK, &TITLE, 5, &plain);
    let mut cut = sealed.clone();
    cut.truncate(200);
    let not_a_telegram = encrypted_frame(&EK, &AK, &TITLE, 5, b"\xE9t\xE9 (1*kWh)");
    let inputs: [(&[u8], Options); 9] = [
        (V5.as_bytes(), Options::default()),
        (HU.as_bytes(), Options::default()),
        (b"\x023:14(314*kWh)4:15(415*kWh)\r\n()\r\n!\r\n\x03\"", Options::default()),
        (b"\x01R1\x021.8.0()\x03\x00", Options::default()),
        (b"\x06259\r\n", Options::default()),
        (&sealed, keys(EK, Some(AK))),
        (&sealed, keys(EK, None)),
        (&cut, keys(*b"wrong-key-16byte", None)),
        (&not_a_telegram, keys(EK, Some(AK))),
    ];
    for (bytes, opts) in inputs {
        for p in protocols() {
            let once = p.dissect(bytes, 3, &opts);
            let zh = Options { lang: Lang::Zh, ..opts.clone() };
            assert_eq!(once.render(Lang::Zh), p.dissect(bytes, 3, &zh).render(Lang::Zh), "{}", p.name());
            assert_eq!(once.render(Lang::En), p.dissect(bytes, 3, &opts).render(Lang::En), "{}", p.name());
        }
    }
}

#[test]
fn labels_and_names() {
    assert!(Registry::default().get("iec62056-21").is_some());
    assert!(Registry::default().get("dsmr-p1").is_some());
    for (id, ..) in LABELS {
        assert!(crate::protocols::has_label(id));
    }
}

/// What field meters send beyond the textbook: the enhanced identification
/// `\2` (mode E) with a lower-case third manufacturer letter, and a heat
/// meter's readout with several data sets per line, `)!` ending the last
/// line, and quantities that are not electricity.
#[test]
fn enhanced_identification_and_heat_meter_readouts() {
    for (input, maker) in [("/LGZ4\\2ZMD3104407.B32\r\n", "LGZ"), ("/ISk5\\2MT382-1000\r\n", "ISk")] {
        let f = one(input, "iec62056-21");
        assert!(f.valid && codes(&f).is_empty(), "{input:?}: {:?}", codes(&f));
        assert_eq!(value(&f.tree, "iec62056-21.manufacturer"), maker);
        assert!(dump(&f.tree).contains("mode E"), "{}", dump(&f.tree));
    }
    assert!(text(&one("/ISk5\\2MT382-1000\r\n", "iec62056-21").tree, "iec62056-21.manufacturer").contains("20 ms"));

    let body = b"6.8(0328.872*MWh)6.26(03329.68*m3)9.21(66153690)\r\n6.26*01(03188.46*m3)6.8*01(0313.964*MWh)F(0)9.20(66153690)6.35(60*m)!\r\n\x03";
    let mut frame = b"\x02".to_vec();
    frame.extend_from_slice(body);
    frame.push(body.iter().fold(0, |a, b| a ^ b));
    let f = one(&to_hex(&frame), "iec62056-21");
    assert!(f.valid && codes(&f).is_empty(), "{:?}\n{}", codes(&f), dump(&f.tree));
    assert_eq!(value(&f.tree, "iec62056-21.end"), "!");
    let sets = all(&f.tree, "iec62056-21.data.line.set");
    assert_eq!(sets.len(), 8, "{}", dump(&f.tree));
    // 6.8 in MWh and 6.26 in m3 are the heat meter's own codes, not electricity's reactive energy.
    assert_eq!((sets[0].value.as_deref(), sets[0].unit.as_deref()), (Some("0328.872"), Some("MWh")));
    assert_eq!(sets[0].text, None, "{:?}", sets[0]);
    assert_eq!(sets[1].text, None, "{:?}", sets[1]);
    // Electricity codes with their own units are still named.
    let body = b"1.8.0(001234.5*kWh)32.7.0(230.1*V)31.7.0(1.2*A)\r\n!\r\n\x03";
    let mut frame = b"\x02".to_vec();
    frame.extend_from_slice(body);
    frame.push(body.iter().fold(0, |a, b| a ^ b));
    let f = one(&to_hex(&frame), "iec62056-21");
    let sets = all(&f.tree, "iec62056-21.data.line.set");
    assert_eq!(sets.len(), 3);
    assert!(sets.iter().all(|s| s.text.is_some()), "{}", dump(&f.tree));
}

/// A heat meter's readout as read-out programs log it: the identification,
/// then the data lines without STX, ETX and BCC. Not a DSMR telegram (no
/// blank line, no `A-B:` codes); the meter's own codes are not named as
/// electricity (`9.21` is no apparent power where `6.8` is in GJ).
#[test]
fn heat_meter_readout_logged_without_block_characters() {
    let text = "/LUGCUH50\r\n6.8(0328.871*GJ)6.26(03329.67*m3)9.21(66153690)\r\nF(0)9.20(66153690)\r\n!\r\n";
    let (_, d) = decode_with(text, &Options::default());
    let got: Vec<_> = d.frames.iter().map(|f| (f.protocol.as_str(), f.span.start, f.span.end, f.valid)).collect();
    assert_eq!(got, [("iec62056-21", 0, text.len(), true)]);
    assert!(d.junk.is_empty());
    let f = &d.frames[0];
    assert_eq!(codes(f), ["iec62056-21.unframed"]);
    assert_eq!(value(&f.tree, "iec62056-21.manufacturer"), "LUG");
    let sets = all(&f.tree, "iec62056-21.data.line.set");
    assert_eq!(sets.len(), 5, "{}", dump(&f.tree));
    assert!(sets.iter().all(|s| s.text.is_none()), "{}", dump(&f.tree));
    assert_eq!(value(&f.tree, "iec62056-21.end"), "!");
    // The same short codes from an electricity meter (units that fit) are named.
    let text = "/ISK5MT174\r\n1.8.0(001234.5*kWh)32.7.0(230.1*V)\r\n!\r\n";
    let f = one(text, "iec62056-21");
    assert!(all(&f.tree, "iec62056-21.data.line.set").iter().all(|s| s.text.is_some()));
    // A DSMR telegram without its blank line stays a telegram.
    let f = one("/ISk5\\2MT382-1000\r\n1-0:1.8.1(000001.000*kWh)\r\n!\r\n", "dsmr-p1");
    assert!(f.valid);
    // Without an identification, or with text that only looks like a data
    // set at first, data lines are no message; the identification stands alone.
    assert_eq!(frame::frame_iec(b"6.8(1)\r\n!\r\n"), crate::registry::FrameStatus::NoMatch);
    for tail in ["6.8(1)\x01!\r\n", "abcdefghijklmnopqrs(1)\r\n!\r\n", "6.8(1)\r\nno end", "6.8(1)\r\n/ABC5X\r\n!\r\n"]
    {
        let b = format!("/ABC5X\r\n{tail}");
        assert_eq!(frame::kind(b.as_bytes()).map(|k| k.0), Some(frame::Kind::Identification), "{tail:?}");
    }
}

/// 7E1 text read at 8N1: the bytes stay unknown, and the analysis says why
/// and shows the message with the parity bits removed.
#[test]
fn parity_bits_of_7e1_read_as_8n1_are_explained() {
    let text = b"/ISK5\\2MT382-1000\r\n";
    let with_parity: Vec<u8> = text.iter().map(|&b| if b.count_ones() % 2 == 1 { b | 0x80 } else { b }).collect();
    let d = Registry::default().dissect(&with_parity, &[], &Options::default()).render(Lang::En);
    assert_eq!(d.frames[0].protocol, "unknown");
    let a = d.analyses.iter().find(|a| a.id == "iec62056-21.parity").expect("the parity analysis");
    assert!(a.status.contains("7 data bits, even parity"), "{}", a.status);
    let f = a.frame.as_ref().unwrap();
    assert_eq!(f.protocol, "iec62056-21");
    assert!(f.valid);
    // Plain 8-bit binary that is no text: no such analysis.
    let d = Registry::default().dissect(&[0x81, 0x82, 0x83, 0x84, 0x85], &[], &Options::default()).render(Lang::En);
    assert!(d.analyses.is_empty());
}

/// An option select is four digits after ACK; reserved digits are errors,
/// and letters are no option select at all (random bytes looked like one).
#[test]
fn option_select_plausibility() {
    let d = Registry::default().dissect(&[0x06, 0x31, 0x78, 0x53], &[], &Options::default()).render(Lang::En);
    assert_eq!(d.frames[0].protocol, "unknown");
    let f = one(&to_hex(b"\x06050\r\n"), "iec62056-21");
    assert!(f.valid && codes(&f).is_empty(), "{:?}", codes(&f));
    let f = one(&to_hex(b"\x06393\r\n"), "iec62056-21");
    assert!(!f.valid);
    assert_eq!(codes(&f), ["iec62056-21.option.reserved"; 3]);
}

#[test]
fn only_the_text_families_say_they_are_text() {
    let r = Registry::default();
    let text: Vec<&str> = r.protocols().filter(|p| p.text()).map(|p| p.name()).collect();
    assert_eq!(text, [dissect::IEC, dissect::DSMR]);
}
