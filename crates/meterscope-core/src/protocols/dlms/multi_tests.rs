//! Across frames and around APDUs: reassembly of HDLC segments, GET data
//! blocks and general block transfer; general-ciphering and general-signing;
//! HLS-GMAC answers checked against the simulated meter's exchange.

use super::axdr;
use super::hdlc::Control;
use super::hls;
use super::link::{self, HdlcAddress, HdlcFrame, LLC_COMMAND, LLC_RESPONSE};
use super::reassembly::{self, Kind, Problem, Reassembled};
use super::security::gcm_apply;
use super::session::{Auth, Config, DlmsEvent, DlmsSession, Security};
use super::simulator::{DlmsMeter, MeterConfig, test_keys};
use super::tests::{GB_AK, GB_EK, check_frame, check_tree, keys, text};
use super::*;
use crate::registry::Registry;
use crate::session::{Action, Millis, Session, SimulatedMeter};
use crate::testkit::{Rng, all, bytes, dump, value};
use crate::view::{Dissection, Frame, Severity};

fn dissect(b: &[u8], opts: &Options) -> Dissection {
    let d = Registry::default().dissect(b, &[], opts).render(opts.lang);
    for f in &d.frames {
        check_frame(f, b.len());
    }
    d
}

/// Every reassembly of an input, with the invariants: part spans inside
/// the input, joined trees inside the joined bytes.
fn joined(input: &[u8], opts: &Options) -> Vec<Reassembled> {
    let d = dissect(input, opts);
    let r = reassembly::find(&d, input, opts);
    for x in &r {
        for p in &x.parts {
            assert!(p.span.end <= input.len() && p.frame < d.frames.len(), "{p:?}");
        }
        match (&x.bytes, &x.frame) {
            (Some(b), Some(f)) => {
                let f = f.render(Lang::En);
                check_tree(&f.tree, Span::new(0, b.len()));
                assert!(f.diagnostics.iter().all(|d| d.span.end <= b.len()));
            }
            (None, None) => assert!(x.problems.iter().any(Problem::fatal), "{x:?}"),
            _ => panic!("bytes and frame go together: {x:?}"),
        }
    }
    r
}

fn frame(dst: HdlcAddress, src: HdlcAddress, control: Control, segmented: bool, info: Vec<u8>) -> Vec<u8> {
    HdlcFrame { segmented, dst, src, control, info }.emit()
}

/// A client GET of the load profile buffer (1-0:99.1.0.255, attribute 2) and
/// the meter's answer, 8 rows of {clock, energy import, energy export}, in
/// three HDLC segments (information field at most 80 bytes) with the client's RR frames between them: the frames
/// of the decoder page's example (`src/examples.rs`, id `hdlc-segments`).
pub(super) fn segmented_profile() -> Vec<Vec<u8>> {
    let client = HdlcAddress::client(16);
    let server = HdlcAddress::server(1, Some(17));
    let mut frames = Vec::new();
    let mut info = LLC_COMMAND.to_vec();
    info.extend_from_slice(&[0xC0, 0x01, 0xC1, 0x00, 0x07, 1, 0, 99, 1, 0, 255, 0x02, 0x00]);
    frames.push(frame(server, client, Control::I { ns: 0, nr: 0, pf: true }, false, info));
    let mut apdu = vec![0xC4, 0x01, 0xC1, 0x00, 0x01, 8];
    for i in 0..8u32 {
        let (hour, minute) = (10 + (i * 15) / 60, (i * 15) % 60);
        let wd = axdr::weekday(2024, 5, 17);
        apdu.extend_from_slice(&[0x02, 0x03, 0x09, 0x0C, 0x07, 0xE8, 5, 17, wd, hour as u8, minute as u8, 0, 0]);
        apdu.extend_from_slice(&[0x80, 0x00, 0x00]);
        apdu.push(0x06);
        apdu.extend_from_slice(&(1_234_000 + i * 250).to_be_bytes());
        apdu.push(0x06);
        apdu.extend_from_slice(&(56_000 + i * 3).to_be_bytes());
    }
    let mut info = LLC_RESPONSE.to_vec();
    info.extend_from_slice(&apdu);
    let chunks: Vec<&[u8]> = info.chunks(80).collect();
    for (k, c) in chunks.iter().enumerate() {
        let last = k + 1 == chunks.len();
        frames.push(frame(client, server, Control::I { ns: k as u8, nr: 1, pf: true }, !last, c.to_vec()));
        if !last {
            frames.push(frame(server, client, Control::Rr { nr: k as u8 + 1, pf: true }, false, Vec::new()));
        }
    }
    frames
}

#[test]
fn example_frames_for_the_decoder_page() {
    // The example in crates/meterscope-ui/src/examples.rs is these frames; keep them in step.
    let text: Vec<String> = segmented_profile()
        .iter()
        .map(|f| f.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" "))
        .collect();
    // One frame a line, as the escaped string literal holds it.
    let joined = text.join("\\n");
    let page = include_str!("../../../../meterscope-ui/src/examples.rs");
    assert!(page.contains(&joined), "crates/meterscope-ui/src/examples.rs should hold:\n{joined}");
    // What the page's example test asks of a valid example: frames, all valid, none unknown.
    let d = crate::decode(&text.join("\n"), &Options::default()).unwrap();
    assert_eq!(d.dissection.frames.len(), 6);
    assert!(d.dissection.frames.iter().all(|f| f.valid && f.protocol == HDLC));
}

#[test]
fn hdlc_segments_join_into_one_get_response() {
    let frames = segmented_profile();
    assert_eq!(frames.len(), 6, "request, three segments, two RR");
    let input = frames.concat();
    // Frame by frame: segments are named, the last one (no LLC header) is no error.
    let d = dissect(&input, &Options::default());
    let codes = |i: usize| d.frames[i].diagnostics.iter().map(|x| x.code.as_str()).collect::<Vec<_>>();
    assert_eq!(
        (codes(1), codes(3), codes(5)),
        (vec!["dlms.hdlc.segmented"], vec!["dlms.hdlc.segmented"], vec!["dlms.hdlc.last-segment"])
    );
    assert!(d.frames.iter().all(|f| f.valid));
    let r = joined(&input, &Options::default());
    assert_eq!(r.len(), 1, "{r:#?}");
    let s = &r[0];
    assert_eq!(s.kind, Kind::Segments);
    assert_eq!(s.problems, vec![]);
    assert_eq!(
        s.parts.iter().map(|p| (p.frame, p.number, p.last)).collect::<Vec<_>>(),
        [(1, 0, false), (3, 1, false), (5, 2, true)]
    );
    assert_eq!(&input[s.parts[0].span.range()][..3], &LLC_RESPONSE, "a part's span is its information field");
    assert_eq!(s.parts.iter().map(|p| p.len).sum::<usize>(), s.bytes.as_ref().unwrap().len());
    let f = &s.frame.as_ref().unwrap().render(Lang::En);
    assert!(f.valid, "{:?}\n{}", f.diagnostics, dump(&f.tree));
    assert_eq!(value(&f.tree, "dlms.hdlc.llc"), "E6E700");
    assert_eq!(value(&f.tree, "dlms.apdu"), "get-response-normal");
    let rows = &all(&f.tree, "dlms.apdu.get.data")[0];
    assert_eq!(rows.value.as_deref(), Some("8"));
    assert_eq!(rows.children.len(), 8);
    assert!(dump(rows).contains("2024-05-17T11:45:00"), "{}", dump(rows));

    // The middle segment lost: named by its N(S).
    let mut v = frames.clone();
    v.remove(3);
    let r = joined(&v.concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::Missing { from: 1, to: 1 }]);
    assert_eq!(r[0].bytes, None);
    assert_eq!(r[0].problems[0].text(Lang::En), "missing: part 1");
    assert_eq!(r[0].problems[0].text(Lang::Zh), "缺少部分 1");
    // Sent again after the RR: a duplicate, left out, and the APDU still whole.
    let mut v = frames.clone();
    v.insert(5, frames[3].clone());
    let r = joined(&v.concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::Duplicate { number: 1, frame: 5 }]);
    assert_eq!(r[0].bytes, s.bytes);
    // No last segment; no first segment.
    let r = joined(&frames[..5].concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::NoLast]);
    let mut v = frames.clone();
    v.remove(1);
    let r = joined(&v.concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::NoFirst]);
    // A segment with a broken FCS is left out, so the next one finds a gap.
    let mut v = frames.clone();
    let n = v[3].len();
    v[3][n - 2] ^= 0xFF;
    let r = joined(&v.concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::BadFrame { frame: 3 }, Problem::Missing { from: 1, to: 1 }]);
}

/// One GET-Response-With-Datablock in a wrapper frame from the server.
fn block(n: u32, last: bool, raw: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0xC4, 0x02, 0xC1, u8::from(last)];
    apdu.extend_from_slice(&n.to_be_bytes());
    apdu.push(0);
    crate::wire::put_axdr_length(&mut apdu, raw.len());
    apdu.extend_from_slice(raw);
    link::wrap(1, 16, &apdu)
}

#[test]
fn get_data_blocks_join_into_one_value() {
    // An array of 40 long-unsigned in three blocks, each asked for with GET-Request-Next.
    let mut value_bytes = vec![0x01, 40];
    for i in 0..40u16 {
        value_bytes.push(0x12);
        value_bytes.extend_from_slice(&(i * 7).to_be_bytes());
    }
    let pieces: Vec<&[u8]> = value_bytes.chunks(50).collect();
    let next = |n: u32| {
        let mut a = vec![0xC0, 0x02, 0xC1];
        a.extend_from_slice(&n.to_be_bytes());
        link::wrap(16, 1, &a)
    };
    let frames = [block(1, false, pieces[0]), next(1), block(2, false, pieces[1]), next(2), block(3, true, pieces[2])];
    let r = joined(&frames.concat(), &Options::default());
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].kind, Kind::DataBlocks);
    assert_eq!(r[0].problems, vec![]);
    assert_eq!(
        r[0].parts.iter().map(|p| (p.frame, p.number, p.last)).collect::<Vec<_>>(),
        [(0, 1, false), (2, 2, false), (4, 3, true)]
    );
    assert_eq!(r[0].bytes.as_deref(), Some(&value_bytes[..]));
    let f = &r[0].frame.as_ref().unwrap().render(Lang::En);
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlms.reassembled.data"), "40");
    assert_eq!(f.tree.children[0].children.len(), 40);

    // Out of order: joined in block order, and said.
    let swapped = [block(1, false, pieces[0]), block(3, true, pieces[2]), block(2, false, pieces[1])];
    let r = joined(&swapped.concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::OutOfOrder { number: 2, frame: 2 }]);
    assert_eq!(r[0].bytes.as_deref(), Some(&value_bytes[..]));
    // Block 1 missing; the meter aborting with a data-access-result.
    let r = joined(&[block(2, false, pieces[1]), block(3, true, pieces[2])].concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::Missing { from: 1, to: 1 }]);
    let mut abort = vec![0xC4, 0x02, 0xC1, 0x01, 0, 0, 0, 2, 0x01, 14];
    abort = link::wrap(1, 16, &abort);
    let r = joined(&[block(1, false, pieces[0]), abort].concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::Aborted { frame: 1, result: 14 }]);
    assert_eq!(r[0].problems[0].text(Lang::En), "transfer ended, data-access-result 14 #2");
}

#[test]
fn general_block_transfer_joins_into_an_apdu() {
    let mut apdu = vec![0xC4, 0x01, 0xC1, 0x00, 0x01, 30];
    for i in 0..30u16 {
        apdu.push(0x12);
        apdu.extend_from_slice(&(1000 + i).to_be_bytes());
    }
    let pieces: Vec<&[u8]> = apdu.chunks(40).collect();
    let gbt = |n: u16, last: bool, data: &[u8]| {
        let mut g = vec![0xE0, if last { 0x81 } else { 0x01 }];
        g.extend_from_slice(&n.to_be_bytes());
        g.extend_from_slice(&0u16.to_be_bytes());
        crate::wire::put_axdr_length(&mut g, data.len());
        g.extend_from_slice(data);
        link::wrap(1, 16, &g)
    };
    // The client's acknowledgements carry no block data.
    let ack = |n: u16| link::wrap(16, 1, &[0xE0, 0x81, 0x00, 0x02, (n >> 8) as u8, n as u8, 0x00]);
    let frames = [gbt(1, false, pieces[0]), ack(1), gbt(2, false, pieces[1]), ack(2), gbt(3, true, pieces[2]), ack(3)];
    let r = joined(&frames.concat(), &Options::default());
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(r[0].kind, Kind::BlockTransfer);
    assert_eq!(r[0].problems, vec![]);
    assert_eq!(r[0].parts.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(r[0].bytes.as_deref(), Some(&apdu[..]));
    let f = &r[0].frame.as_ref().unwrap().render(Lang::En);
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlms.apdu"), "get-response-normal");
    // A block missing; a block sent twice.
    let r = joined(&[gbt(1, false, pieces[0]), gbt(3, true, pieces[2])].concat(), &Options::default());
    assert_eq!(r[0].problems, vec![Problem::Missing { from: 2, to: 2 }]);
    let twice = [gbt(1, false, pieces[0]), gbt(1, false, pieces[0]), gbt(2, false, pieces[1]), gbt(3, true, pieces[2])];
    let r = joined(&twice.concat(), &Options::default());
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(r[0].problems, vec![Problem::Duplicate { number: 1, frame: 1 }]);
    assert!(r[0].bytes.is_some());
}

/// The `hex_or_text` of a public vector.
fn vector_hex(id: &str) -> String {
    let json = include_str!("../../../tests/data/public-vectors.json");
    let at = json.find(&format!("\"id\": \"{id}\"")).expect("vector");
    let rest = &json[at..];
    let h = rest.find("\"hex_or_text\": \"").unwrap() + 16;
    rest[h..h + rest[h..].find('"').unwrap()].to_string()
}

#[test]
fn public_vector_ciphered_data_blocks_join_into_the_object_list() {
    // Four glo-ciphered wrapper frames (Gurux keys); the server's system title is "ABCDEFGH".
    let input = bytes(&vector_hex("wrapper-ciphered-get-block-transfer-object-list"));
    let opts = keys(GB_EK, Some(GB_AK), Some("4142434445464748"));
    let r = joined(&input, &opts);
    let blocks: Vec<&Reassembled> = r.iter().filter(|x| x.kind == Kind::DataBlocks).collect();
    assert_eq!(blocks.len(), 1, "{r:#?}");
    let b = blocks[0];
    assert_eq!(b.problems, vec![]);
    assert_eq!(
        b.parts.iter().map(|p| (p.frame, p.number, p.last, p.len)).collect::<Vec<_>>(),
        [(1, 1, false, 990), (3, 2, true, 611)]
    );
    assert_eq!(b.bytes.as_ref().map(Vec::len), Some(1601));
    let f = &b.frame.as_ref().unwrap().render(Lang::En);
    assert!(f.valid, "{:?}", f.diagnostics);
    let list = &f.tree.children[0];
    assert_eq!(list.value.as_deref(), Some("24"));
    let first = &list.children[0];
    assert_eq!(first.children[0].value.as_deref(), Some("15"), "{}", dump(first));
    assert!(dump(first).contains("0-0:40.0.0*255"), "{}", dump(first));
    // The part spans are ciphertext bytes of frames 2 and 4 (counter mode).
    let d = dissect(&input, &opts);
    assert!(d.frames[1].span.encloses(b.parts[0].span) && d.frames[3].span.encloses(b.parts[1].span));
    // Without keys the blocks stay hidden in the ciphertext.
    assert!(joined(&input, &Options::default()).is_empty());
}

/// Run a client session against the simulated meter and return every byte on the
/// line, both directions, in order.
fn exchange(cfg: Config, meter: MeterConfig, start: impl FnOnce(&mut DlmsSession, Millis)) -> Vec<u8> {
    exchange_events(cfg, meter, start).0
}

/// [`exchange`] and the session's events.
fn exchange_events(
    cfg: Config,
    meter: MeterConfig,
    start: impl FnOnce(&mut DlmsSession, Millis),
) -> (Vec<u8>, Vec<DlmsEvent>) {
    let mut s = DlmsSession::new(cfg);
    let mut m = DlmsMeter::new(meter);
    let mut now = Millis(1000);
    start(&mut s, now);
    let (mut wire, mut events) = (Vec::new(), Vec::new());
    for _ in 0..10_000 {
        let mut moved = false;
        while let Some(a) = s.poll_action() {
            if let Action::Transmit(b) = a {
                wire.extend_from_slice(&b);
                m.handle_input(now, &b);
                moved = true;
            }
        }
        while let Some(r) = m.poll_transmit() {
            wire.extend_from_slice(&r);
            s.handle_input(now, &r);
            moved = true;
        }
        events.extend(std::iter::from_fn(|| s.poll_event()));
        if moved {
            now = now.after(20);
            continue;
        }
        if s.is_idle() {
            return (wire, events);
        }
        match s.poll_timeout() {
            Some(t) => {
                now = now.max(t);
                s.handle_timeout(now);
            }
            None => return (wire, events),
        }
    }
    panic!("the session did not finish");
}

fn hls_config(cipher: bool) -> Config {
    let security =
        Security { keys: test_keys(), system_title: *b"MTS\x00\x00\x00\x00\x07", invocation_counter: 100, cipher };
    Config { client: 1, auth: Auth::HighGmac, security: Some(security), max_info: 64, ..Config::default() }
}

fn test_opts() -> Options {
    let mut o = Options::default();
    o.keys.cipher_key = Some(test_keys().ek);
    o.keys.auth_key = Some(test_keys().ak);
    o
}

#[test]
fn simulator_blocks_and_segments_are_joined_and_hls_answers_verified() {
    for cipher in [false, true] {
        let meter = MeterConfig { max_pdu: 128, max_info: 64, ..MeterConfig::default() };
        let (wire, events) = exchange_events(hls_config(cipher), meter, |s, now| s.browse(now));
        let listed = events.iter().find_map(|e| match e {
            DlmsEvent::ObjectList(l) => Some(l.len()),
            _ => None,
        });
        let opts = test_opts();
        let r = joined(&wire, &opts);
        assert!(r.iter().all(|x| x.problems.is_empty()), "cipher {cipher}: {r:#?}");
        assert!(r.iter().filter(|x| x.kind == Kind::Segments).count() >= 3, "cipher {cipher}");
        let blocks: Vec<&Reassembled> = r.iter().filter(|x| x.kind == Kind::DataBlocks).collect();
        assert_eq!(blocks.len(), 1, "cipher {cipher}");
        let numbers: Vec<u32> = blocks[0].parts.iter().map(|p| p.number).collect();
        assert!(numbers.len() >= 3 && numbers.iter().copied().eq(1..=numbers.len() as u32), "{numbers:?}");
        let f = &blocks[0].frame.as_ref().unwrap().render(Lang::En);
        assert!(f.valid, "{:?}", f.diagnostics);
        let entries = f.tree.children[0].value.as_deref().and_then(|v| v.parse::<usize>().ok());
        assert_eq!(entries, listed, "the joined value is the object list the session read");

        let d = dissect(&wire, &opts);
        let proofs = hls::checks(&d, &wire, &opts);
        assert_eq!(
            proofs.iter().map(|p| (p.check.id.as_str(), p.check.ok)).collect::<Vec<_>>(),
            [(hls::F_STOC, true), (hls::F_CTOS, true)]
        );
        for p in &proofs {
            assert!(d.frames[p.frame].span.encloses(p.check.span));
            assert_eq!(p.check.stated, p.check.computed);
            assert!(p.check.stated.starts_with("10"), "SC 0x10: {}", p.check.stated);
        }
        // The client's answer is in a client frame, the server's in a later one.
        assert!(proofs[0].frame < proofs[1].frame);
        // The analysis names its checks from the family's labels.
        let shown = d.analyses.iter().find(|a| a.id == "dlms.hls").expect("the HLS analysis");
        let labels: Vec<&str> = shown.checks.iter().map(|c| c.check.label.as_str()).collect();
        assert!(labels.iter().all(|l| l.starts_with("HLS-GMAC f(")), "{labels:?}");

        // A wrong authentication key: both answers mismatch, with the value they should have.
        let mut wrong = opts.clone();
        wrong.keys.auth_key = Some([7; 16]);
        let d = dissect(&wire, &wrong);
        let bad = hls::checks(&d, &wire, &wrong);
        if !cipher {
            assert_eq!(bad.len(), 2);
            assert!(bad.iter().all(|p| !p.check.ok && p.check.stated != p.check.computed));
            let mut d = d;
            hls::annotate(&mut d, &wire, &wrong);
            let f = &d.frames[bad[0].frame];
            assert!(!f.valid && f.checks.iter().any(|c| c.id == hls::F_STOC && !c.ok));
            assert!(f.diagnostics.iter().any(|x| x.code == "dlms.hls.mismatch" && x.severity == Severity::Error));
        }
        // Without the authentication key there is nothing to check.
        let mut none = opts.clone();
        none.keys.auth_key = None;
        assert!(hls::checks(&dissect(&wire, &none), &wire, &none).is_empty());
    }
}

/// A general-ciphering APDU protecting `plain` for suite 0 with an identified key.
fn general_ciphering(sc: u8, key_info: &[u8], plain: &[u8], ek: &[u8; 16], ak: &[u8; 16]) -> Vec<u8> {
    let orig = *b"MMM\x00\x00\xBC\x61\x4E";
    let mut header = vec![8, 1, 2, 3, 4, 5, 6, 7, 8, 8];
    header.extend_from_slice(&orig);
    header.extend_from_slice(&[8, b'M', b'M', b'M', 0, 0, 0, 0, 1, 0, 0]);
    let ic = 0x0000_0102u32;
    let mut iv = [0u8; 12];
    iv[..8].copy_from_slice(&orig);
    iv[8..].copy_from_slice(&ic.to_be_bytes());
    let mut aad = vec![sc];
    aad.extend_from_slice(ak);
    aad.extend_from_slice(&header);
    let mut data = plain.to_vec();
    let mut body = vec![sc];
    body.extend_from_slice(&ic.to_be_bytes());
    if sc & 0x20 != 0 {
        let tag = gcm_apply(ek, &iv, &aad, &mut data);
        body.extend_from_slice(&data);
        body.extend_from_slice(&tag);
    } else {
        body.extend_from_slice(&data);
        if sc & 0x10 != 0 {
            aad.extend_from_slice(plain);
            body.extend_from_slice(&gcm_apply(ek, &iv, &aad, &mut []));
        }
    }
    let mut out = vec![0xDD];
    out.extend_from_slice(&header);
    out.extend_from_slice(key_info);
    crate::wire::put_axdr_length(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

fn bare_with(b: &[u8], opts: &Options) -> Frame {
    let f = DlmsApdu.dissect(b, 0, opts).render(opts.lang);
    check_frame(&f, b.len());
    f
}

const GET_CLOCK: &str = "C001C100080000010000FF0200";

#[test]
fn general_ciphering_is_decrypted_and_its_header_authenticated() {
    let (ek, ak) = (test_keys().ek, test_keys().ak);
    let plain = bytes(GET_CLOCK);
    let apdu = general_ciphering(0x30, &[0x01, 0x00, 0x00], &plain, &ek, &ak);
    let opts = test_opts();
    let f = bare_with(&apdu, &opts);
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}\n{}", f.diagnostics, dump(&f.tree));
    assert_eq!(f.tree.value.as_deref(), Some("general-ciphering"));
    assert_eq!(value(&f.tree, "dlms.general.transaction-id"), "0102030405060708");
    assert_eq!(text(&f.tree, "dlms.general.originator-system-title"), "manufacturer MMM");
    assert_eq!(value(&f.tree, "dlms.general.recipient-system-title"), "4D4D4D0000000001");
    assert_eq!(text(&f.tree, "dlms.general.date-time"), "absent");
    assert_eq!(text(&f.tree, "dlms.general.key-info.choice"), "identified-key");
    assert_eq!(text(&f.tree, "dlms.general.key-info.key-id"), "global-unicast-encryption-key");
    assert_eq!(value(&f.tree, "dlms.apdu"), "get-request-normal");
    assert!(f.checks.iter().any(|c| c.id == "dlms.ciphered.tag-value" && c.ok));
    // Through the registry too, in a wrapper frame.
    let framed = link::wrap(16, 1, &apdu);
    let d = dissect(&framed, &opts);
    assert_eq!(d.frames.len(), 1);
    assert_eq!(d.frames[0].protocol, WRAPPER);
    assert!(d.frames[0].valid);

    // The recipient title is not in the IV but in the additional data: altered, the tag fails.
    let mut altered = apdu.clone();
    altered[20] ^= 1;
    let f = bare_with(&altered, &opts);
    assert!(f.checks.iter().any(|c| c.id == "dlms.ciphered.tag-value" && !c.ok));
    assert!(f.diagnostics.iter().any(|d| d.code == "dlms.ciphered.tag.mismatch"));
    // No authentication key: decrypted, tag not verified.
    let mut no_ak = opts.clone();
    no_ak.keys.auth_key = None;
    let f = bare_with(&apdu, &no_ak);
    assert_eq!(value(&f.tree, "dlms.apdu"), "get-request-normal");
    assert!(f.diagnostics.iter().any(|d| d.code == "dlms.ciphered.tag.unverified"));
    // Authentication only, and no protection at all (SC 0x00, legal in general-ciphering).
    for sc in [0x10, 0x00] {
        let a = general_ciphering(sc, &[0x00], &plain, &ek, &ak);
        let f = bare_with(&a, &opts);
        assert!(f.valid, "SC {sc:#x}: {:?}\n{}", f.diagnostics, dump(&f.tree));
        assert_eq!(value(&f.tree, "dlms.apdu"), "get-request-normal");
        assert_eq!(f.checks.len(), usize::from(sc == 0x10));
    }
    // The reassembly's decipher opens it too (the originator title is carried).
    let (p, at, title) = security::decipher(&apdu, &opts.keys, &[]).unwrap();
    assert_eq!((p, &title), (plain.clone(), b"MMM\x00\x00\xBC\x61\x4E"));
    assert_eq!(apdu.len() - at, plain.len() + security::TAG_LEN);
}

#[test]
fn general_ciphering_with_wrapped_or_agreed_keys_is_shown_not_decrypted() {
    let (ek, ak) = (test_keys().ek, test_keys().ak);
    let plain = bytes(GET_CLOCK);
    let mut wrapped = vec![0x01, 0x01, 0x00, 0x18];
    wrapped.extend_from_slice(&[0xA5; 24]);
    let mut agreed = vec![0x01, 0x02, 0x01, 0x01, 0x81, 0x80];
    agreed.extend_from_slice(&[0x5A; 128]);
    for (info, choice, why) in [(wrapped, "wrapped-key", "wrapped"), (agreed, "agreed-key", "agreed")] {
        let a = general_ciphering(0x30, &info, &plain, &ek, &ak);
        let f = bare_with(&a, &test_opts());
        assert!(f.valid, "{:?}", f.diagnostics);
        assert_eq!(text(&f.tree, "dlms.general.key-info.choice"), choice);
        let d = f.diagnostics.iter().find(|d| d.code == "dlms.ciphered.no-key").expect("not decrypted");
        assert!(d.message.contains(why), "{}", d.message);
        assert!(all(&f.tree, "dlms.apdu").is_empty());
        assert!(security::decipher(&a, &test_opts().keys, &[]).is_none());
        if choice == "agreed-key" {
            assert_eq!(text(&f.tree, "dlms.general.key-info.key-parameters"), "C(1e, 1s, ECC CDH)");
        }
    }
    // Key-info choice out of range, pinned to its byte.
    let a = general_ciphering(0x30, &[0x01, 0x07], &plain, &ek, &ak);
    let f = bare_with(&a, &test_opts());
    let d = f.diagnostics.iter().find(|d| d.code == "dlms.apdu.choice.unknown").unwrap();
    assert_eq!(d.offset, 31);
}

#[test]
fn general_signing_shows_the_content_and_an_unverified_signature() {
    let mut a = vec![0xDF, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x08];
    a.extend_from_slice(b"TTT\x00\x00\x00\x00\x01");
    a.push(0x08);
    a.extend_from_slice(b"MMM\x00\x00\x00\x00\x42");
    a.push(0x0C);
    a.extend_from_slice(&[0x07, 0xE8, 0x05, 0x11, 0x05, 0x0A, 0x1E, 0x00, 0x00, 0x80, 0x00, 0x00]);
    a.push(0x00);
    let content = bytes(GET_CLOCK);
    a.push(content.len() as u8);
    a.extend_from_slice(&content);
    a.push(0x40);
    a.extend_from_slice(&[0x33; 64]);
    let f = bare_with(&a, &Options::default());
    assert!(f.valid, "{:?}\n{}", f.diagnostics, dump(&f.tree));
    assert_eq!(f.tree.id, "dlms.signing");
    assert_eq!(f.tree.value.as_deref(), Some("general-signing"));
    assert_eq!(value(&f.tree, "dlms.general.date-time"), "2024-05-17T10:30:00.00");
    assert_eq!(value(&f.tree, "dlms.apdu"), "get-request-normal");
    assert!(text(&f.tree, "dlms.signing.signature").contains("not verified"));
    let d = f.diagnostics.iter().find(|d| d.code == "dlms.signing.unverified").unwrap();
    assert_eq!((d.severity, d.span.len()), (Severity::Info, 65));
    // Every cut is a diagnostic at the end, never a panic.
    for n in 1..a.len() {
        let f = bare_with(&a[..n], &Options::default());
        assert!(!f.valid, "cut at {n}");
    }
}

#[test]
fn cross_frame_code_never_panics() {
    let mut inputs = vec![segmented_profile().concat()];
    inputs.push(bytes(&vector_hex("wrapper-ciphered-get-block-transfer-object-list")));
    let meter = MeterConfig { max_pdu: 128, max_info: 64, ..MeterConfig::default() };
    inputs.push(exchange(hls_config(true), meter, |s, now| s.browse(now)));
    let mut ga = general_ciphering(0x30, &[0x01, 0x00, 0x00], &bytes(GET_CLOCK), &test_keys().ek, &test_keys().ak);
    inputs.push(link::wrap(16, 1, &ga));
    ga.truncate(30);
    inputs.push(ga);
    let opts = test_opts();
    let mut rng = Rng::new(0xC0FF_EE11);
    for round in 0..300 {
        let mut b = inputs[round % inputs.len()].clone();
        for _ in 0..1 + rng.below(6) {
            if b.len() < 2 {
                break;
            }
            let i = rng.below(b.len());
            match rng.below(3) {
                0 => b[i] = rng.byte(),
                1 => {
                    b.remove(i);
                }
                _ => b.truncate(i.max(1)),
            }
        }
        let r = joined(&b, &opts);
        let d = dissect(&b, &opts);
        for p in hls::checks(&d, &b, &opts) {
            assert!(d.frames[p.frame].span.encloses(p.check.span));
        }
        let _ = r;
    }
}

#[test]
fn profile_buffers_are_tables_named_from_capture_objects() {
    // The segmented example: the buffer without its capture objects.
    let input = segmented_profile().concat();
    let a = reassembly::analyse(&dissect(&input, &Options::default()), &input, &Options::default());
    assert_eq!(a.tables.len(), 1);
    let t = &a.tables[0];
    assert_eq!((t.frame, t.obis, t.columns.len()), (1, [1, 0, 99, 1, 0, 255], 0));
    let tree = t.node.render(Lang::En).tree;
    check_tree(&tree, tree.span);
    assert_eq!(tree.children.len(), 8);
    assert_eq!(tree.children[1].id, "dlms.profile.row.2");
    assert_eq!(tree.children[1].value.as_deref(), Some("2024-05-17T10:15:00.00 | 1234250 | 56003"));
    // Rendered in Chinese from the same table.
    assert_eq!(t.node.render(Lang::Zh).tree.children[1].label, "行 2");

    // The simulated meter: capture objects, then the buffer in data blocks.
    let meter = MeterConfig { max_pdu: 128, ..MeterConfig::default() };
    let cfg = Config { max_pdu: 1024, ..Config::default() };
    let wire = exchange(cfg, meter, |s, now| s.read_profile(now, [1, 0, 99, 1, 0, 255], None));
    let d = dissect(&wire, &Options::default());
    let a = reassembly::analyse(&d, &wire, &Options::default());
    assert!(a.joined.iter().any(|r| r.kind == Kind::DataBlocks && r.bytes.is_some()), "{:#?}", a.joined);
    assert_eq!(a.tables.len(), 1, "{:#?}", a.tables);
    let t = &a.tables[0];
    let columns: Vec<String> = t.columns.iter().map(|c| c.to_string(Lang::En)).collect();
    let tree = t.node.render(Lang::En).tree;
    assert_eq!(columns.len(), 3, "{columns:?}");
    assert!(columns[0].contains("0-0:1.0.0*255") || columns[0].to_lowercase().contains("clock"), "{columns:?}");
    assert!(tree.children.len() > 10, "{}", dump(&tree));
    check_tree(&tree, tree.span);
    for row in &tree.children {
        assert_eq!(row.children.iter().map(|c| c.label.clone()).collect::<Vec<_>>(), columns);
        assert_eq!(row.value.as_deref().unwrap().split(" | ").count(), 3);
    }
    assert_eq!(tree.value.as_deref(), Some(columns.join(" | ").as_str()));
    assert_eq!(a.tables, super::profile::tables(&d, &wire, &Options::default()));
}

#[test]
fn simulator_general_block_transfer_is_joined() {
    // The meter answers in GBT blocks, a window of three; the client acknowledges.
    for cipher in [false, true] {
        let meter = MeterConfig { gbt_window: Some(3), profile_entries: 48, ..MeterConfig::default() };
        let wire = exchange(hls_config(cipher), meter, |s, now| s.read_profile(now, [1, 0, 99, 1, 0, 255], None));
        let opts = test_opts();
        let d = dissect(&wire, &opts);
        let a = reassembly::analyse(&d, &wire, &opts);
        let gbt: Vec<&Reassembled> = a.joined.iter().filter(|r| r.kind == Kind::BlockTransfer).collect();
        assert!(!gbt.is_empty(), "cipher {cipher}: {:#?}", a.joined);
        for r in &gbt {
            assert!(r.problems.is_empty(), "cipher {cipher}: {:?}", r.problems);
            let numbers: Vec<u32> = r.parts.iter().map(|p| p.number).collect();
            assert_eq!(r.parts.last().map(|p| p.last), Some(true));
            assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "{numbers:?}");
            let f = &r.frame.as_ref().unwrap().render(Lang::En);
            assert!(f.valid, "cipher {cipher}: {:?}\n{}", f.diagnostics, dump(&f.tree));
        }
        assert!(gbt.iter().any(|r| r.parts.len() >= 3), "cipher {cipher}");
        // The profile inside the blocks is a table of 48 rows.
        assert_eq!(
            a.tables.iter().map(|t| t.node.render(Lang::En).tree.children.len()).max(),
            Some(48),
            "cipher {cipher}"
        );
    }
}

/// An HLS-GMAC association recorded from the simulated meter (the input of
/// the page's end-to-end test): AARQ and AARE in two segments each.
const HLS_WIRE: &str = "7EA01E0303934E2B818012050140060140070400000001080400000001B72C7E
7EA01E03037340CC818012050140060140070400000001080400000001B72C7E
7EA849030310CA45E6E6006042A109060760857405080101A60A04084D545300000000078A0207808B0760857405080205AC0A80086D65746572736370BE10040E01000000065F1F3D897E
7EA00703033194977E
7EA0100303128D100400207E1F040035E27E
7EA849030350CE07E6E7006156A109060760857405080101A203020100A305A10302010EA40A04084D5343000000000188020780890760857405080205AA128010555E6B4F21642CFF527E
7EA00703033194977E
7EA024030352976C217E7B5B6E7D4F5762BE10040E0800065F1F0400007E1F020000071D337E
7EA02C03035479ECE6E600C301C3000F0000280000FF01010911100000006435DC0120A770843886C1A47658C07E
7EA0250303741834E6E700C701C3000100091110000000014C28DA06D612E1765BC5857C54727E
7EA019030376CCCCE6E600C001C400080000010000FF0200A4117E
7EA01D0303962E59E6E700C401C4001907E80511050A1E0100800000627A7E";

#[test]
fn recorded_hls_exchange_is_verified_with_the_panel_keys() {
    let wire = bytes(HLS_WIRE);
    // The key panel's test keys: Green Book EK and AK, and a system title of its own.
    let opts = keys(GB_EK, Some(GB_AK), Some("4D4D4D0000BC614E"));
    let d = dissect(&wire, &opts);
    assert_eq!(d.frames.len(), 12);
    let a = reassembly::analyse(&d, &wire, &opts);
    assert_eq!(a.joined.iter().filter(|r| r.kind == Kind::Segments && r.bytes.is_some()).count(), 2);
    assert_eq!(a.proofs.iter().map(|p| (p.frame, p.check.ok)).collect::<Vec<_>>(), [(8, true), (9, true)]);
    assert_eq!(a.proofs[0].check.stated, "100000006435DC0120A770843886C1A476");
    assert_eq!(a.proofs[0].check.label, "HLS-GMAC f(StoC): the client's answer to the server challenge");
    // The check's bytes are the proof in frame 9.
    assert_eq!(hex(&wire[a.proofs[0].check.span.range()]), a.proofs[0].check.stated);
    let zh = Options { lang: Lang::Zh, ..opts.clone() };
    assert!(reassembly::analyse(&d, &wire, &zh).proofs[1].check.label.contains("服务器"));
}

/// Stuff a frame as the customer-port variant sends it.
fn stuff(frame: &[u8]) -> Vec<u8> {
    let n = frame.len();
    let mut out = vec![frame[0]];
    for &b in &frame[1..n - 1] {
        match b {
            0x7E | 0x7D => out.extend_from_slice(&[0x7D, b ^ 0x20]),
            _ => out.push(b),
        }
    }
    out.push(frame[n - 1]);
    out
}

#[test]
fn a_bit_field_sent_escaped_shows_no_bits() {
    // I-frame control 0x7E (N(R)=3, P/F=1, N(S)=7) sent as 7D 5E: its fields
    // span two bytes on the wire, so no bit pattern of one byte is shown;
    // the format field, sent plainly, keeps its bits.
    let forced = Options { protocol: Some(stuffed::STUFFED.into()), ..Options::default() };
    let d = dissect(&bytes("7EA00703217D5EE43D7E"), &forced);
    let f = &d.frames[0];
    assert!(f.valid, "{:?}\n{}", f.diagnostics, dump(&f.tree));
    for id in ["dlms.hdlc.control.nr", "dlms.hdlc.control.ns", "dlms.hdlc.control.pf"] {
        let n = &all(&f.tree, id)[0];
        assert_eq!((n.span.len(), n.bits.as_deref()), (2, None), "{id}");
    }
    assert_eq!(value(&f.tree, "dlms.hdlc.control.nr"), "3");
    assert_eq!(all(&f.tree, "dlms.hdlc.format.type")[0].bits.as_deref(), Some("1010 ...."));
}

#[test]
fn byte_stuffed_hdlc_is_recognised_and_spans_stay_on_the_bytes_sent() {
    // A data notification whose value holds 0x7E and 0x7D, plus an FCS that may.
    let client = HdlcAddress::client(16);
    let server = HdlcAddress::server(1, Some(17));
    let mut info = LLC_RESPONSE.to_vec();
    info.extend_from_slice(&[0x0F, 0x00, 0x00, 0x00, 0x01, 0x00, 0x09, 0x04, 0x7E, 0x7D, 0x7E, 0x41]);
    let plain = frame(client, server, Control::Ui { pf: true }, false, info);
    let sent = stuff(&plain);
    assert!(sent.len() >= plain.len() + 3);
    let input = [sent.clone(), segmented_profile()[2].clone()].concat();
    let d = dissect(&input, &Options::default());
    assert_eq!(d.frames.iter().map(|f| f.protocol.as_str()).collect::<Vec<_>>(), [stuffed::STUFFED, HDLC]);
    assert!(d.junk.is_empty());
    let f = &d.frames[0];
    assert_eq!(f.span, Span::at(0, sent.len()));
    assert!(f.valid, "{:?}\n{}", f.diagnostics, dump(&f.tree));
    assert!(f.checks.len() == 2 && f.checks.iter().all(|c| c.ok));
    assert_eq!(value(&f.tree, "dlms.apdu.notification.body"), "7E7D7E41");
    // The octet-string's bytes as sent: 09 04 7D5E 7D5D 7D5E 41.
    let body = &all(&f.tree, "dlms.apdu.notification.body")[0];
    assert_eq!(hex(&input[body.span.range()]), "09047D5E7D5D7D5E41");
    let note = f.diagnostics.iter().find(|d| d.code == "dlms.hdlc.stuffed").unwrap();
    assert!(note.message.contains(&format!("{} escape", sent.len() - plain.len())));
    // Plain frames with 0x7D in them stay plain; a stuffed frame with a bad FCS is not taken.
    for h in [super::tests::ESCAPE_VECTOR, "7EA00802232193BD647E"] {
        let b = bytes(h);
        assert_eq!(dissect(&b, &Options::default()).frames[0].protocol, HDLC);
        assert_eq!(stuffed::frame(&b), FrameStatus::NoMatch);
    }
    let mut bad = sent.clone();
    let n = bad.len();
    bad[n - 2] ^= 0x01;
    assert_eq!(stuffed::frame(&bad), FrameStatus::NoMatch);
    // Forced, any bytes give a tree inside them.
    let forced = Options { protocol: Some(stuffed::STUFFED.into()), ..Options::default() };
    for cut in 1..sent.len() {
        for f in dissect(&sent[..cut], &forced).frames {
            check_frame(&f, cut);
        }
    }
}
