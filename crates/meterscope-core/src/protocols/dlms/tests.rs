//! Golden vectors (`/work/shared/vectors/public.json`, entries `dlms*`,
//! transcribed with their expectations), bad-input diagnostics pinned to
//! their byte, a seeded robustness run and an A-XDR round trip.

use super::axdr::{Data, TypeDesc};
use super::*;
use crate::registry::Registry;
use crate::span::Span;
use crate::testkit::{Rng, all, bytes, dump, value};
use crate::view::{Frame, Node};

pub(super) fn text(n: &Node, id: &str) -> String {
    let v = all(n, id);
    assert!(!v.is_empty(), "no node {id} in\n{}", dump(n));
    v[0].text.clone().unwrap_or_default()
}

pub(super) fn check_tree(root: &Node, outer: Span) {
    let mut ids = std::collections::BTreeSet::new();
    root.walk(&mut |n, _| assert!(ids.insert(n.id.clone()), "duplicate id {}", n.id));
    fn go(n: &Node, parent: Span, depth: usize) {
        assert!(parent.encloses(n.span), "{} {:?} outside {:?}", n.id, n.span, parent);
        assert!(crate::protocols::has_label(&n.id), "no label for {}", n.id);
        assert!(depth < 200, "tree too deep");
        for c in &n.children {
            go(c, n.span, depth + 1);
        }
    }
    go(root, outer, 0);
}

pub(super) fn check_frame(f: &Frame, input_len: usize) {
    check_tree(&f.tree, f.span);
    assert!(f.span.end <= input_len);
    for d in &f.diagnostics {
        assert!(d.span.end <= input_len && d.span.start <= d.span.end, "{d:?}");
    }
    for c in &f.checks {
        assert!(f.span.encloses(c.span), "{c:?}");
    }
}

/// Frames of an input through the default registry, all of `protocol`, no junk.
fn frames(hex: &str, protocol: &str, opts: &Options) -> Vec<Frame> {
    let b = bytes(hex);
    let d = Registry::default().dissect(&b, &[], opts).render(opts.lang);
    assert!(d.junk.is_empty(), "{:?}", d.junk);
    for f in &d.frames {
        assert_eq!(f.protocol, protocol, "{}", dump(&f.tree));
        check_frame(f, b.len());
    }
    d.frames
}

fn one(hex: &str, protocol: &str, opts: &Options) -> Frame {
    let mut v = frames(hex, protocol, opts);
    assert_eq!(v.len(), 1);
    v.remove(0)
}

/// `{OBIS, value, …}` structures of a tree: OBIS → (value, unit).
fn registers(n: &Node) -> std::collections::BTreeMap<String, (String, String)> {
    let mut out = std::collections::BTreeMap::new();
    n.walk(&mut |n, _| {
        if n.children.len() >= 2 && n.children[0].label.ends_with("(OBIS)") {
            let v = &n.children[1];
            out.insert(
                n.children[0].value.clone().unwrap_or_default(),
                (v.value.clone().unwrap_or_default(), v.unit.clone().unwrap_or_default()),
            );
        }
    });
    out
}

fn reg(m: &std::collections::BTreeMap<String, (String, String)>, obis: &str) -> (String, String) {
    m.get(obis).cloned().unwrap_or_else(|| panic!("no {obis} in {m:?}"))
}

pub(super) fn keys(ek: &str, ak: Option<&str>, st: Option<&str>) -> Options {
    let arr = |h: &str| bytes(h);
    let mut o = Options::default();
    o.keys.cipher_key = Some(arr(ek).try_into().unwrap());
    o.keys.auth_key = ak.map(|a| arr(a).try_into().unwrap());
    o.keys.system_title = st.map(|s| arr(s).try_into().unwrap());
    o
}

pub(super) const GB_EK: &str = "000102030405060708090A0B0C0D0E0F";
pub(super) const GB_AK: &str = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";
pub(super) const GB_ST: &str = "4D4D4D0000BC614E";

const SNRM: &str = "7ea00802232193bd647e";
const AARQ: &str = "7EA02C02232110AF9FE6E600601DA109060760857405080101BE10040E01000000065F1F0400001E1DFFFFC5E47E";
const AIDON: &str = "7ea2434108831385ebe6e7000f4000000000011b020209060000010000ff090c07e30c1001073b28ff8000ff020309060100010700ff060000046202020f00161b020309060100020700ff060000000002020f00161b020309060100030700ff06000005e302020f00161d020309060100040700ff060000000002020f00161d0203090601001f0700ff10000002020fff1621020309060100330700ff10004b02020fff1621020309060100470700ff10000002020fff1621020309060100200700ff12090302020fff1623020309060100340700ff1209c302020fff1623020309060100480700ff12090402020fff1623020309060100150700ff060000000002020f00161b020309060100160700ff060000000002020f00161b020309060100170700ff060000000002020f00161d020309060100180700ff060000000002020f00161d020309060100290700ff060000046202020f00161b0203090601002a0700ff060000000002020f00161b0203090601002b0700ff06000005e202020f00161d0203090601002c0700ff060000000002020f00161d0203090601003d0700ff060000000002020f00161b0203090601003e0700ff060000000002020f00161b0203090601003f0700ff060000000002020f00161d020309060100400700ff060000000002020f00161d020309060100010800ff060099598602020f00161e020309060100020800ff060000000802020f00161e020309060100030800ff060064ed4b02020f001620020309060100040800ff060000000502020f001620be407e";
pub(super) const ESCAPE_VECTOR: &str = ESCAPE;
const ESCAPE: &str = "7ea02a410883130413e6e7000f40000000000101020309060100010700ff060000067d02020f00161b1c057e";
const RR: &str = "7ea00a002254d361513f997e";
const SN_READ: &str = "7ea011034132e258e6e60005010260f8ba8d7e";
const NON_DLMS: &str = "7ea01b410002040196a089e6e7004e45584552524f524e4f2d31b8007e";
const LG: &str = "7ea11e41088313eeeee6e7000f4000000000010d020209060101000281ff0a0b454d425249515f56315f31020209060000600100ff0a1031333934333539370000000000000000020209060000600107ff0a045a464631020309060100010700ff06000024f402020f00161b020309060100020700ff060000000002020f00161b020309060100030700ff060000003102020f00161d020309060100040700ff060000000002020f00161d0203090601001f0700ff100c6c02020ffe1621020309060100330700ff10000002020ffe1621020309060100470700ff100d6802020ffe1621020309060100200700ff12092e02020fff1623020309060100340700ff12000002020fff1623020309060100480700ff12091002020fff16232faf7e";
const WRAP_FLOAT: &str = "000100100001000dc001c100030100000700ff0200 0001000100100009c401c1001742ca0000";
const WRAP_RL: &str = "00010010000100056203800100 00010001001000056303800100";
const GLO_GET: &str = "c81e3001234567411312ff935a47566827c467bc7d825c3be4a77c3fcc056b6b";
const UDP_GGLO: &str = "0001000100010046db082f192291991641033b30000001e5025ce9d2271fd78be8c204211a916a9d7f587e0a7a814cadea89e9593f01f92ea8c087b5bdfdefeab6becf282dfe49c08f5be6dc8400";

#[test]
fn vector_hdlc_snrm_2byte_server() {
    let f = one(SNRM, HDLC, &Options::default());
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dlms.hdlc.format.type"), "0xA");
    assert_eq!(value(t, "dlms.hdlc.format.segmented"), "0");
    assert_eq!(value(t, "dlms.hdlc.format.length"), "8");
    assert_eq!(value(t, "dlms.hdlc.dst"), "0223");
    assert_eq!(value(t, "dlms.hdlc.dst.upper"), "1");
    assert_eq!(value(t, "dlms.hdlc.dst.lower"), "17");
    assert_eq!(value(t, "dlms.hdlc.src"), "21");
    assert_eq!(value(t, "dlms.hdlc.src.client"), "16");
    assert_eq!(value(t, "dlms.hdlc.control"), "0x93");
    assert_eq!(text(t, "dlms.hdlc.control"), "SNRM P/F=1");
    assert!(all(t, "dlms.hdlc.info").is_empty());
    assert_eq!(f.checks.len(), 1);
    assert_eq!(f.checks[0].id, "dlms.hdlc.fcs");
    assert_eq!(f.checks[0].stated, "0x64BD"); // bytes BD 64, low byte first
    assert!(f.checks[0].ok);
    assert_eq!(f.checks[0].span, Span::at(7, 2));
}

#[test]
fn vector_hdlc_iframe_aarq() {
    let f = one(AARQ, HDLC, &Options::default());
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(text(t, "dlms.hdlc.control"), "I N(S)=0 N(R)=0 P/F=1");
    assert_eq!(value(t, "dlms.hdlc.llc"), "E6E600");
    assert_eq!(value(t, "dlms.acse"), "AARQ");
    assert_eq!(value(t, "dlms.acse.length"), "29");
    assert_eq!(value(t, "dlms.acse.application-context"), "2.16.756.5.8.1.1");
    assert_eq!(text(t, "dlms.acse.application-context"), "logical names, no ciphering");
    assert!(all(t, "dlms.acse.authentication-value").is_empty());
    assert_eq!(value(t, "dlms.initiate"), "InitiateRequest");
    assert_eq!(value(t, "dlms.initiate.dedicated-key-flag"), "0");
    assert_eq!(value(t, "dlms.initiate.response-allowed"), "true");
    assert_eq!(value(t, "dlms.initiate.qos-flag"), "0");
    assert_eq!(value(t, "dlms.initiate.version"), "6");
    assert_eq!(value(t, "dlms.initiate.conformance"), "0x001E1D");
    assert_eq!(
        text(t, "dlms.initiate.conformance"),
        "block-transfer-with-get-or-read, block-transfer-with-set-or-write, block-transfer-with-action, \
         multiple-references, get, set, selective-access, action"
    );
    assert_eq!(value(t, "dlms.initiate.max-pdu"), "65535");
    assert_eq!(f.checks.iter().filter(|c| c.ok).count(), 2);
}

#[test]
fn vector_hdlc_ui_aidon_data_notification() {
    let f = one(AIDON, HDLC, &Options::default());
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dlms.hdlc.format.length"), "579");
    assert_eq!(value(t, "dlms.hdlc.dst"), "41");
    assert_eq!(value(t, "dlms.hdlc.dst.client"), "32");
    assert_eq!(value(t, "dlms.hdlc.src"), "0883");
    assert_eq!(value(t, "dlms.hdlc.src.upper"), "4");
    assert_eq!(value(t, "dlms.hdlc.src.lower"), "65");
    assert_eq!(text(t, "dlms.hdlc.control"), "UI P/F=1");
    assert_eq!(value(t, "dlms.hdlc.llc"), "E6E700");
    assert_eq!(value(t, "dlms.apdu"), "data-notification");
    assert_eq!(value(t, "dlms.apdu.long-invoke"), "0x40000000");
    assert_eq!(text(t, "dlms.apdu.notification.date-time"), "absent");
    let body = &all(t, "dlms.apdu.notification.body")[0];
    assert_eq!(body.label, "array");
    assert_eq!(body.children.len(), 27);
    let m = registers(t);
    assert_eq!(m.len(), 27);
    let clock = reg(&m, "0-0:1.0.0*255");
    assert_eq!(clock.0, "2019-12-16T07:59:40");
    let clock_node =
        all(t, "dlms.data").into_iter().find(|n| n.value.as_deref() == Some("2019-12-16T07:59:40")).unwrap();
    assert!(clock_node.text.as_deref().unwrap().starts_with("date-time Mon"), "{:?}", clock_node.text);
    assert_eq!(value(clock_node, "dlms.data.deviation"), "-32768");
    assert_eq!(text(clock_node, "dlms.data.deviation"), "not specified");
    assert_eq!(text(clock_node, "dlms.data.hundredths"), "not specified");
    assert_eq!(text(clock_node, "dlms.data.clock-status"), "not specified");
    assert_eq!(reg(&m, "1-0:1.7.0*255"), ("1122".into(), "W".into()));
    assert_eq!(reg(&m, "1-0:3.7.0*255"), ("1507".into(), "var".into()));
    assert_eq!(reg(&m, "1-0:31.7.0*255"), ("0.0".into(), "A".into()));
    assert_eq!(reg(&m, "1-0:51.7.0*255"), ("7.5".into(), "A".into()));
    assert_eq!(reg(&m, "1-0:32.7.0*255"), ("230.7".into(), "V".into()));
    assert_eq!(reg(&m, "1-0:52.7.0*255"), ("249.9".into(), "V".into()));
    assert_eq!(reg(&m, "1-0:1.8.0*255"), ("10049926".into(), "Wh".into()));
    assert_eq!(reg(&m, "1-0:3.8.0*255"), ("6614347".into(), "varh".into()));
    // The raw value is kept in the text.
    let v = all(t, "dlms.data").into_iter().find(|n| n.value.as_deref() == Some("230.7")).unwrap();
    assert_eq!(v.text.as_deref(), Some("raw 2307, scaler -1, unit 35"));
    // OBIS names in both languages.
    let zh = one(AIDON, HDLC, &Options { lang: Lang::Zh, ..Options::default() });
    let n = all(&zh.tree, "dlms.data").into_iter().find(|n| n.value.as_deref() == Some("1-0:32.7.0*255")).unwrap();
    assert!(n.text.as_deref().unwrap().starts_with("L1相电压，瞬时值"), "{:?}", n.text);
}

#[test]
fn vector_hdlc_0x7e_and_0x7d_inside_info() {
    let f = one(ESCAPE, HDLC, &Options::default());
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlms.hdlc.format.length"), "42");
    assert_eq!(value(&f.tree, "dlms.apdu.notification.body"), "1");
    assert_eq!(reg(&registers(&f.tree), "1-0:1.7.0*255"), ("1661".into(), "W".into()));
    // A 0x7E inside the information field does not end the frame.
    let mut b = bytes(ESCAPE);
    let at = b.iter().position(|&x| x == 0x7D).unwrap();
    b[at] = 0x7E;
    let d = Registry::default().dissect(&b, &[], &Options::default()).render(Lang::En);
    assert_eq!(d.frames.len(), 1);
    assert_eq!(d.frames[0].protocol, HDLC);
    assert_eq!(d.frames[0].span, Span::at(0, b.len()));
    assert!(d.frames[0].diagnostics.iter().any(|d| d.code == "dlms.hdlc.fcs.mismatch"));
}

#[test]
fn vector_hdlc_rr_4byte_physical() {
    let f = one(RR, HDLC, &Options::default());
    assert!(f.valid, "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(value(t, "dlms.hdlc.format.length"), "10");
    assert_eq!(value(t, "dlms.hdlc.dst"), "002254D3");
    assert_eq!(value(t, "dlms.hdlc.dst.upper"), "17");
    assert_eq!(value(t, "dlms.hdlc.dst.lower"), "5481");
    assert_eq!(value(t, "dlms.hdlc.src.client"), "48");
    assert_eq!(text(t, "dlms.hdlc.control"), "RR N(R)=2 P/F=1");
    assert!(f.checks.iter().all(|c| c.ok));
}

#[test]
fn vector_hdlc_sn_read_request() {
    let f = one(SN_READ, HDLC, &Options::default());
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let t = &f.tree;
    assert_eq!(text(t, "dlms.hdlc.control"), "I N(S)=1 N(R)=1 P/F=1");
    assert_eq!(value(t, "dlms.apdu"), "readRequest");
    assert_eq!(value(t, "dlms.apdu.sn.count"), "1");
    assert_eq!(text(t, "dlms.apdu.sn.variable.kind"), "variable-name");
    assert_eq!(value(t, "dlms.apdu.sn.variable.name"), "0x60F8");
}

#[test]
fn vector_hdlc_valid_frame_non_dlms_payload() {
    let f = one(NON_DLMS, HDLC, &Options::default());
    assert!(f.valid, "the HDLC frame itself is valid: {:?}", f.diagnostics);
    assert!(f.checks.iter().all(|c| c.ok));
    let t = &f.tree;
    assert_eq!(value(t, "dlms.hdlc.dst.client"), "32");
    assert_eq!(value(t, "dlms.hdlc.src"), "00020401");
    assert_eq!(value(t, "dlms.hdlc.control"), "0x96");
    assert_eq!(value(t, "dlms.hdlc.llc"), "E6E700");
    let d = f.diagnostics.iter().find(|d| d.code == "dlms.apdu.tag.unknown").expect("unknown tag reported");
    assert_eq!(d.offset, 14);
    assert_eq!(text(t, "dlms.apdu.rest"), "XERRORNO-1");
}

#[test]
fn vector_hdlc_lg_e350() {
    let f = one(LG, HDLC, &Options::default());
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlms.hdlc.format.length"), "286");
    assert_eq!(value(&f.tree, "dlms.apdu.notification.body"), "13");
    let m = registers(&f.tree);
    assert_eq!(reg(&m, "1-1:0.2.129*255").0, "EMBRIQ_V1_1");
    let id = all(&f.tree, "dlms.data").into_iter().find(|n| n.value.as_deref() == Some("13943597")).unwrap();
    assert_eq!(id.text.as_deref(), Some("followed by 8 NUL byte(s)"));
    assert_eq!(reg(&m, "0-0:96.1.7*255").0, "ZFF1");
    assert_eq!(reg(&m, "1-0:1.7.0*255"), ("9460".into(), "W".into()));
    assert_eq!(reg(&m, "1-0:3.7.0*255"), ("49".into(), "var".into()));
    assert_eq!(reg(&m, "1-0:31.7.0*255"), ("31.80".into(), "A".into()));
    assert_eq!(reg(&m, "1-0:71.7.0*255"), ("34.32".into(), "A".into()));
    assert_eq!(reg(&m, "1-0:32.7.0*255"), ("235.0".into(), "V".into()));
    assert_eq!(reg(&m, "1-0:52.7.0*255"), ("0.0".into(), "V".into()));
    assert_eq!(reg(&m, "1-0:72.7.0*255"), ("232.0".into(), "V".into()));
}

#[test]
fn vector_wrapper_get_float32() {
    let v = frames(WRAP_FLOAT, WRAPPER, &Options::default());
    assert_eq!(v.len(), 2);
    assert!(v.iter().all(|f| f.valid && f.diagnostics.is_empty()));
    let req = &v[0].tree;
    assert_eq!(value(req, "dlms.wrapper.source"), "16");
    assert_eq!(value(req, "dlms.wrapper.destination"), "1");
    assert_eq!(value(req, "dlms.apdu"), "get-request-normal");
    assert_eq!(value(req, "dlms.apdu.get.descriptor.class"), "3");
    assert_eq!(text(req, "dlms.apdu.get.descriptor.class"), "Register");
    assert_eq!(value(req, "dlms.apdu.get.descriptor.obis"), "1-0:0.7.0*255");
    assert_eq!(value(req, "dlms.apdu.get.descriptor.attribute"), "2");
    assert_eq!(text(req, "dlms.apdu.get.descriptor.attribute"), "value");
    let resp = &v[1].tree;
    assert_eq!(value(resp, "dlms.apdu"), "get-response-normal");
    let d = &all(resp, "dlms.apdu.get.data")[0];
    assert_eq!(d.label, "float32");
    assert_eq!(d.value.as_deref(), Some("101.0"));
}

#[test]
fn vector_wrapper_rlrq_rlre() {
    let v = frames(WRAP_RL, WRAPPER, &Options::default());
    assert_eq!(v.len(), 2);
    assert!(v.iter().all(|f| f.valid && f.diagnostics.is_empty()));
    assert_eq!(value(&v[0].tree, "dlms.acse"), "RLRQ");
    assert_eq!(value(&v[0].tree, "dlms.acse.reason"), "0");
    assert_eq!(text(&v[0].tree, "dlms.acse.reason"), "normal");
    assert_eq!(value(&v[1].tree, "dlms.acse"), "RLRE");
    assert_eq!(text(&v[1].tree, "dlms.acse.reason"), "normal");
}

#[test]
fn vector_glo_get_request_green_book() {
    let opts = keys(GB_EK, Some(GB_AK), Some(GB_ST));
    let f = one(GLO_GET, APDU, &opts);
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}\n{}", f.diagnostics, dump(&f.tree));
    let t = &f.tree;
    assert_eq!(t.id, "dlms.ciphered");
    assert_eq!(value(t, "dlms.ciphered.tag"), "0xC8");
    assert_eq!(value(t, "dlms.ciphered.length"), "30");
    assert_eq!(value(t, "dlms.ciphered.security-control"), "0x30");
    assert_eq!(text(t, "dlms.ciphered.security-control"), "suite 0, authenticated, encrypted, unicast key");
    assert_eq!(text(t, "dlms.ciphered.invocation-counter"), "0x01234567");
    assert_eq!(value(t, "dlms.ciphered.tag-value"), "7D825C3BE4A77C3FCC056B6B");
    assert_eq!(text(t, "dlms.ciphered.tag-value"), "authenticated");
    assert_eq!(f.checks.len(), 1);
    assert!(f.checks[0].ok);
    assert!(text(t, "dlms.ciphered.ciphertext").ends_with("C0010000080000010000FF0200"));
    // The decrypted APDU, spanned on the ciphertext bytes.
    assert_eq!(value(t, "dlms.apdu"), "get-request-normal");
    assert_eq!(text(t, "dlms.apdu.get.descriptor.class"), "Clock");
    assert_eq!(value(t, "dlms.apdu.get.descriptor.obis"), "0-0:1.0.0*255");
    assert_eq!(text(t, "dlms.apdu.get.descriptor.obis"), "Clock");
    assert_eq!(text(t, "dlms.apdu.get.descriptor.attribute"), "time");
    assert_eq!(all(t, "dlms.apdu")[0].span, Span::at(7, 13));

    // Without the authentication key: decrypted, tag not verified.
    let f = one(GLO_GET, APDU, &keys(GB_EK, None, Some(GB_ST)));
    assert!(f.valid, "{:?}", f.diagnostics);
    assert_eq!(text(&f.tree, "dlms.ciphered.tag-value"), "tag not verified: no authentication key");
    assert!(f.checks.is_empty());
    assert_eq!(value(&f.tree, "dlms.apdu"), "get-request-normal");

    // A wrong authentication key: tag mismatch, at the tag bytes.
    let f = one(GLO_GET, APDU, &keys(GB_EK, Some(GB_EK), Some(GB_ST)));
    assert!(!f.valid);
    let d = f.diagnostics.iter().find(|d| d.code == "dlms.ciphered.tag.mismatch").unwrap();
    assert_eq!(d.span, Span::at(20, 12));
    assert!(!f.checks[0].ok);
    assert_eq!(text(&f.tree, "dlms.ciphered.tag-value"), "tag mismatch");

    // No keys at all: the ciphertext is shown, and the frame is still valid.
    let f = one(GLO_GET, APDU, &Options::default());
    assert!(f.valid);
    assert!(f.diagnostics.iter().any(|d| d.code == "dlms.ciphered.no-key"));
    assert!(all(&f.tree, "dlms.apdu").is_empty());
}

#[test]
fn vector_udp_wrapper_general_glo_ciphering() {
    let k = hex(b"MYDUMMYGLOBALKEY");
    let f = one(UDP_GGLO, WRAPPER, &keys(&k, Some(&k), None));
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}\n{}", f.diagnostics, dump(&f.tree));
    let t = &f.tree;
    assert_eq!(value(t, "dlms.wrapper.version"), "1");
    assert_eq!(value(t, "dlms.wrapper.source"), "1");
    assert_eq!(value(t, "dlms.wrapper.destination"), "1");
    assert_eq!(value(t, "dlms.wrapper.length"), "70");
    assert_eq!(value(t, "dlms.ciphered"), "general-glo-ciphering");
    assert_eq!(value(t, "dlms.ciphered.system-title"), "2F19229199164103");
    assert_eq!(value(t, "dlms.ciphered.length"), "59");
    assert_eq!(value(t, "dlms.ciphered.security-control"), "0x30");
    assert_eq!(value(t, "dlms.ciphered.invocation-counter"), "485");
    assert_eq!(text(t, "dlms.ciphered.tag-value"), "authenticated");
    assert!(
        text(t, "dlms.ciphered.ciphertext")
            .ends_with("0F000001DB000922125A8591360000000049000000110000000A5A8513D014800000000D0000000A0100")
    );
    assert_eq!(value(t, "dlms.apdu"), "data-notification");
    assert_eq!(value(t, "dlms.apdu.long-invoke"), "0x000001DB");
    assert_eq!(text(t, "dlms.apdu.notification.date-time"), "absent");
    let body = &all(t, "dlms.apdu.notification.body")[0];
    assert_eq!(body.label, "octet-string");
    assert_eq!(body.value.as_deref().map(|v| v.len()), Some(68));
}

#[test]
fn vector_wrapper_ciphered_block_transfer() {
    let hex_all = "0001003000010020c81e300000000230ca3ff2c2e065a0fe7f093fe21d015274e1797ce469669f23";
    let client = keys(GB_EK, Some(GB_AK), Some(GB_ST));
    let f1 = one(hex_all, WRAPPER, &client);
    assert!(f1.valid && f1.diagnostics.is_empty(), "{:?}", f1.diagnostics);
    assert_eq!(value(&f1.tree, "dlms.ciphered.invocation-counter"), "2");
    assert_eq!(value(&f1.tree, "dlms.apdu"), "get-request-normal");
    assert_eq!(text(&f1.tree, "dlms.apdu.get.descriptor.class"), "Association LN");
    assert_eq!(value(&f1.tree, "dlms.apdu.get.descriptor.obis"), "0-0:40.0.0*255");
    assert_eq!(text(&f1.tree, "dlms.apdu.get.descriptor.attribute"), "object_list");
    let f3 = one("000100300001001ac8183000000003bbc19bb99a74624b8277f59affa7e5e1ed1008", WRAPPER, &client);
    assert!(f3.valid, "{:?}", f3.diagnostics);
    assert_eq!(value(&f3.tree, "dlms.apdu"), "get-request-next");
    assert_eq!(value(&f3.tree, "dlms.apdu.get.block-number"), "1");
}

#[test]
fn bare_apdus_only_win_alone() {
    // A bare APDU input is dlms-apdu; the same bytes in a wrapper are dlms-wrapper.
    let f = one("C001C100030100000700FF0200", APDU, &Options::default());
    assert!(f.valid);
    assert_eq!(value(&f.tree, "dlms.apdu"), "get-request-normal");
    assert_eq!(DlmsApdu.score(&bytes("C001C100030100000700FF0200")), 30);
    assert!(DlmsApdu.score(&bytes("C001C10003")) < 30);
    assert_eq!(DlmsHdlc.score(&bytes(SNRM)), 100);
}

/// One APDU through `dlms-apdu` directly.
fn bare(hex: &str) -> Frame {
    let b = bytes(hex);
    let f = DlmsApdu.dissect(&b, 0, &Options::default()).render(Lang::En);
    check_frame(&f, b.len());
    f
}

#[test]
fn apdu_variants() {
    let cases: &[(&str, &str)] = &[
        ("C002C100000001", "get-request-next"),
        ("C003C102000800000100 00FF0200 00030100000700FF0300", "get-request-with-list"),
        (
            "C001C1 0007 0100630100FF 02 01 01 0204 0204 120008 09060000010000FF 0F02 120000 090C07E30101FF00000000 8000FF 090C07E30102FF00000000 8000FF 0100",
            "get-request-normal",
        ),
        ("C402C10000000001000A0102030405060708090A", "get-response-with-datablock"),
        ("C403C102000600000001 0104", "get-response-with-list"),
        ("C401C10104", "get-response-normal"),
        ("C101C100080000010000FF0200090C07E30C1001073B28FF8000FF", "set-request-normal"),
        ("C501C100", "set-response-normal"),
        ("C502C100000002", "set-response-datablock"),
        ("C301C10046 0000600300FF 01 01 0F00", "action-request-normal"),
        ("C701C10000", "action-response-normal"),
        ("C701C100010006000000FF", "action-response-normal"),
        ("C2000001 0000010000FF 02 090C07E30C1001073B28FF8000FF", "event-notification-request"),
        ("D80101", "exception-response service-not-allowed/operation-not-possible"),
        ("D8020600000010", "exception-response service-unknown/invocation-counter-error"),
        ("0E010601", "confirmedServiceError"),
        ("E08000010000 03C40100", "general-block-transfer"),
        ("0C0100 1200FF", "readResponse"),
        ("060102 6010 01 1200FF", "writeRequest"),
        ("0D0100", "writeResponse"),
        ("0800065F1F040000101D04000007", "InitiateResponse"),
        ("6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000101D00EF0007", "AARE"),
    ];
    for (hex, name) in cases {
        let f = bare(hex);
        assert!(f.valid && f.diagnostics.is_empty(), "{hex}: {:?}\n{}", f.diagnostics, dump(&f.tree));
        assert_eq!(f.tree.value.as_deref(), Some(*name), "{hex}\n{}", dump(&f.tree));
    }
    let f = bare("C002C100000001");
    assert_eq!(value(&f.tree, "dlms.apdu.get.block-number"), "1");
    let f = bare("C003C102000800000100 00FF0200 00030100000700FF0300");
    assert_eq!(all(&f.tree, "dlms.apdu.get.descriptor").len(), 2);
    assert_eq!(text(all(&f.tree, "dlms.apdu.get.descriptor")[1], "dlms.apdu.get.descriptor.attribute"), "scaler_unit");
    // Selective access by range: restricting object named as an OBIS code.
    let f = bare(
        "C001C1 0007 0100630100FF 02 01 01 0204 0204 120008 09060000010000FF 0F02 120000 090C07E30101FF00000000 8000FF 090C07E30102FF00000000 8000FF 0100",
    );
    assert_eq!(text(&f.tree, "dlms.apdu.get.selection.selector"), "range descriptor");
    assert!(all(&f.tree, "dlms.data").iter().any(|n| n.value.as_deref() == Some("0-0:1.0.0*255")));
    assert!(all(&f.tree, "dlms.data").iter().any(|n| n.value.as_deref() == Some("2019-01-01T00:00:00.00")));
    let f = bare("C402C10000000001000A0102030405060708090A");
    assert_eq!(value(&f.tree, "dlms.apdu.block.last"), "false");
    assert_eq!(value(&f.tree, "dlms.apdu.block.data"), "0102030405060708090A");
    let f = bare("C301C10046 0000600300FF 01 01 0F00");
    assert_eq!(text(&f.tree, "dlms.apdu.action.descriptor.class"), "Disconnect control");
    assert_eq!(text(&f.tree, "dlms.apdu.action.descriptor.method"), "remote_disconnect");
    let f = bare("C401C10104");
    assert_eq!(text(&f.tree, "dlms.apdu.get.result"), "object-undefined");
    let f = bare("0E010601");
    assert_eq!(text(&f.tree, "dlms.apdu.error.value"), "dlms-version-too-low");
    let f = bare("6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000101D00EF0007");
    assert_eq!(text(&f.tree, "dlms.acse.result"), "accepted");
    assert_eq!(text(&f.tree, "dlms.acse.diagnostic"), "acse-service-user: null");
    assert_eq!(value(&f.tree, "dlms.initiate.max-pdu"), "239");
    assert_eq!(text(&f.tree, "dlms.initiate.vaa-name"), "logical names");
}

#[test]
fn aarq_with_low_level_security() {
    // AARQ: LN, calling AP title, requirements, mechanism 'low', password "12345678".
    let hex = "6036A1090607608574050801018A0207808B0760857405080201AC0A80083132333435363738BE10040E01000000065F1F0400001E1DFFFF";
    let f = bare(hex);
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}\n{}", f.diagnostics, dump(&f.tree));
    assert_eq!(value(&f.tree, "dlms.acse.mechanism-name"), "2.16.756.5.8.2.1");
    assert_eq!(text(&f.tree, "dlms.acse.mechanism-name"), "low level security (password)");
    assert_eq!(text(&f.tree, "dlms.acse.authentication-value"), "\"12345678\"");
    assert_eq!(text(&f.tree, "dlms.acse.requirements"), "authentication");
}

#[test]
fn date_time_rules() {
    // Weekday 1 (Mon) for 2019-12-17, a Tuesday.
    let f = bare("C401C100 19 07E30C11 0100000000 0000 00".replace(' ', "").as_str());
    let d = f.diagnostics.iter().find(|d| d.code == "dlms.data.date-time.weekday").expect("weekday warning");
    assert_eq!(d.offset, 9);
    assert!(d.message.contains("Tuesday") || d.message.contains("Tue"), "{}", d.message);
    assert!(f.valid, "a warning keeps the frame valid");
    // 31 February: impossible date, pinned to the day byte.
    let f = bare("C401C1001907E3021FFF000000FF80 00FF");
    let d = f.diagnostics.iter().find(|d| d.code == "dlms.data.date-time.invalid").expect("invalid date");
    assert_eq!(d.offset, 4 + 4);
    // Not-specified fields and clock status bits.
    let f = bare("C401C10019FFFFFFFFFF0C00FFFF003C81");
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(value(&f.tree, "dlms.apdu.get.data"), "****-**-**T12:00:**");
    assert_eq!(text(&f.tree, "dlms.data.clock-status"), "invalid value, daylight saving active");
    assert_eq!(text(&f.tree, "dlms.data.deviation"), "60 min");
    assert_eq!(axdr::weekday(2019, 12, 16), 1);
    assert_eq!(axdr::weekday(2000, 2, 29), 2);
    assert_eq!(axdr::weekday(2024, 1, 7), 7);
}

#[test]
fn every_data_type_dissects() {
    let cases: &[(&str, &str, &str)] = &[
        ("00", "null-data", "null"),
        ("0301", "boolean", "true"),
        ("040A C040", "bit-string", "1100000001"),
        ("05FFFFFFFE", "double-long", "-2"),
        ("06FFFFFFFF", "double-long-unsigned", "4294967295"),
        ("0903010203", "octet-string", "010203"),
        ("0A03414243", "visible-string", "ABC"),
        ("0C03E4B8AD", "utf8-string", "中"),
        ("0D12", "bcd", "12"),
        ("0F80", "integer", "-128"),
        ("10FF38", "long", "-200"),
        ("11FF", "unsigned", "255"),
        ("12FFFF", "long-unsigned", "65535"),
        ("14FFFFFFFFFFFFFFFF", "long64", "-1"),
        ("15FFFFFFFFFFFFFFFF", "long64-unsigned", "18446744073709551615"),
        ("1603", "enum", "3"),
        ("17BF800000", "float32", "-1.0"),
        ("183FF8000000000000", "float64", "1.5"),
        ("1A07E4021DFF", "date", "2020-02-29"),
        ("1B0C1E00FF", "time", "12:30:00"),
        ("FF", "dont-care", "dont-care"),
        ("0102 1101 1102", "array", "2"),
        ("13 02 02 12 11 06 0001 05 0002 06", "compact-array", "2"),
    ];
    for (hex, label, v) in cases {
        let f = bare(&format!("C401C100{}", hex.replace(' ', "")));
        assert!(f.diagnostics.is_empty(), "{hex}: {:?}\n{}", f.diagnostics, dump(&f.tree));
        let n = &all(&f.tree, "dlms.apdu.get.data")[0];
        assert_eq!(n.label, *label, "{hex}");
        assert_eq!(n.value.as_deref(), Some(*v), "{hex}\n{}", dump(&f.tree));
    }
    // Compact array elements: structure{long-unsigned, unsigned} × 2.
    let f = bare("C401C10013020212110600010500 0206".replace(' ', "").as_str());
    assert_eq!(all(&f.tree, "dlms.data").len(), 2 + 4, "{}", dump(&f.tree));
}

#[test]
fn diagnostics_are_pinned() {
    let opts = Options::default();
    let dis = |b: &[u8]| Registry::default().dissect(b, &[], &opts).render(opts.lang);
    // Wrong FCS: the check and the error sit on the FCS bytes.
    let mut b = bytes(SNRM);
    b[7] ^= 0xFF;
    let d = dis(&b);
    let f = &d.frames[0];
    assert_eq!(f.protocol, HDLC);
    assert!(!f.valid);
    let e = f.diagnostics.iter().find(|d| d.code == "dlms.hdlc.fcs.mismatch").unwrap();
    assert_eq!(e.span, Span::at(7, 2));
    // FCS sent high byte first: a hint.
    let mut b = bytes(SNRM);
    b.swap(7, 8);
    let d = dis(&b);
    assert!(d.frames[0].diagnostics.iter().any(|d| d.code == "dlms.hdlc.fcs.byte-order"));
    // Wrong HCS.
    let mut b = bytes(AARQ);
    b[7] ^= 0x01;
    let f = &dis(&b).frames[0];
    let e = f.diagnostics.iter().find(|d| d.code == "dlms.hdlc.hcs.mismatch").unwrap();
    assert_eq!(e.span, Span::at(7, 2));
    // Truncated frame: dissected as far as it goes, with the truncation at the end.
    let b = bytes(AARQ);
    let cut = &b[..30];
    let d = dis(cut);
    assert_eq!(d.frames.len(), 1);
    let f = &d.frames[0];
    assert_eq!(f.protocol, HDLC);
    assert!(!f.valid);
    assert!(f.diagnostics.iter().any(|d| d.code == "dlms.hdlc.truncated" && d.offset == 1));
    assert!(
        f.diagnostics.iter().any(|d| d.code == "dlms.acse.length.mismatch" && d.offset == 13),
        "{:?}",
        f.diagnostics
    );
    check_frame(f, cut.len());
    // Unknown A-XDR tag, at its byte.
    let f = bare("C401C10007");
    let e = f.diagnostics.iter().find(|d| d.code == "dlms.data.tag.unknown").unwrap();
    assert_eq!(e.offset, 4);
    // Unknown APDU tag.
    let f = DlmsApdu.dissect(&bytes("7F0102"), 0, &opts).render(opts.lang);
    assert!(f.diagnostics.iter().any(|d| d.code == "dlms.apdu.tag.unknown" && d.offset == 0));
    // Trailing bytes after an APDU.
    let f = bare("C501C10000AA");
    let e = f.diagnostics.iter().find(|d| d.code == "dlms.trailing").unwrap();
    assert_eq!(e.span, Span::at(4, 2));
    // Length mismatch: a string longer than the bytes present; a wrapper length too long.
    let f = bare("C401C100090A0102");
    let e = f.diagnostics.iter().find(|d| d.code == "dlms.data.length.mismatch").unwrap();
    assert_eq!(e.offset, 5);
    let forced = Options { protocol: Some(WRAPPER.into()), ..Options::default() };
    let d = Registry::default()
        .dissect(&bytes("0001001000010010C001C100030100000700FF0200"), &[], &forced)
        .render(forced.lang);
    assert!(d.frames[0].diagnostics.iter().any(|d| d.code == "dlms.wrapper.truncated" && d.offset == 6));
    // Ciphered length mismatch inside a wrapper.
    let d = dis(&bytes("0001001000010005C81E300000"));
    assert!(d.frames[0].diagnostics.iter().any(|d| d.code == "dlms.ciphered.length.mismatch" && d.offset == 9));
    // HDLC frame whose length field disagrees with the closing flag: not framed as HDLC.
    let mut b = bytes(SNRM);
    b[2] = 0x09;
    b.push(0x00);
    let d = dis(&b);
    assert!(d.frames.iter().all(|f| f.protocol != HDLC) || !d.frames[0].valid);
}

#[test]
fn snrm_ua_parameters() {
    // UA with negotiated parameters (max info 128 tx/rx, window 1/1).
    let mut info = bytes("818012050180060180070400000001080400000001");
    let mut f = vec![0xA0, 0x00, 0x21, 0x02, 0x23, 0x73];
    let hcs = crate::wire::crc16_x25(&f);
    f.extend_from_slice(&hcs.to_le_bytes());
    f.append(&mut info);
    let len = f.len() + 2;
    f[1] = len as u8;
    let hcs = crate::wire::crc16_x25(&f[..6]);
    f[6..8].copy_from_slice(&hcs.to_le_bytes());
    let fcs = crate::wire::crc16_x25(&f);
    f.extend_from_slice(&fcs.to_le_bytes());
    let mut b = vec![0x7E];
    b.extend_from_slice(&f);
    b.push(0x7E);
    let d = Registry::default().dissect(&b, &[], &Options::default()).render(Lang::En);
    let fr = &d.frames[0];
    assert!(fr.valid, "{:?}\n{}", fr.diagnostics, dump(&fr.tree));
    assert_eq!(fr.tree.value.as_deref(), Some("UA"));
    let params = all(&fr.tree, "dlms.hdlc.params.group.param");
    let vals: Vec<_> = params.iter().map(|p| p.value.clone().unwrap()).collect();
    assert_eq!(vals, ["128", "128", "1", "1"]);
    assert!(params[0].text.as_deref().unwrap().contains("transmit"));
}

/// gurux_dlms 1.0.203's server answers SNRM with a group length of 00 and
/// the receive window 0x00020001: the decode names both at their bytes and
/// still shows the four parameters.
#[test]
fn ua_with_a_wrong_group_length() {
    let b = bytes("7EA01F21022373E6C781800005018006018007040000000108040002000161DC7E");
    let d = Registry::default().dissect(&b, &[], &Options::default()).render(Lang::En);
    let fr = &d.frames[0];
    assert!(!fr.valid);
    let e = fr.diagnostics.iter().find(|d| d.code == "dlms.hdlc.params.group-length").unwrap();
    assert_eq!(e.span, Span::at(11, 1));
    assert!(e.message.contains("says 0 bytes, but 18 bytes"), "{}", e.message);
    let w = fr.diagnostics.iter().find(|d| d.code == "dlms.hdlc.params.window").unwrap();
    assert_eq!(w.span, Span::at(24, 6));
    let params = all(&fr.tree, "dlms.hdlc.params.group.param");
    let vals: Vec<_> = params.iter().map(|p| p.value.clone().unwrap()).collect();
    assert_eq!(vals, ["128", "128", "1", "131073"]);
    check_frame(fr, b.len());
}

#[test]
fn ciphered_roundtrip_with_seal() {
    // Seal a GET-request, wrap it as glo-get-request, and read it back.
    let ek: [u8; 16] = bytes(GB_EK).try_into().unwrap();
    let ak: [u8; 16] = bytes(GB_AK).try_into().unwrap();
    let st: [u8; 8] = bytes(GB_ST).try_into().unwrap();
    let sealed = security::seal(&ek, &ak, &st, 0x01234567, &bytes("C0010000080000010000FF0200"));
    let mut apdu = vec![0xC8, sealed.len() as u8];
    apdu.extend_from_slice(&sealed);
    assert_eq!(hex(&apdu), GLO_GET.to_uppercase());
}

#[test]
fn labels_cover_every_id() {
    for h in [SNRM, AARQ, AIDON, RR, SN_READ, NON_DLMS, LG, ESCAPE] {
        for lang in [Lang::En, Lang::Zh] {
            let f = one(h, HDLC, &Options { lang, ..Options::default() });
            check_frame(&f, bytes(h).len());
        }
    }
}

// ---------------------------------------------------------------------------
// Robustness and round trips
// ---------------------------------------------------------------------------

#[test]
fn seeded_robustness() {
    let seeds: Vec<Vec<u8>> =
        [SNRM, AARQ, AIDON, ESCAPE, RR, SN_READ, NON_DLMS, LG, WRAP_FLOAT, WRAP_RL, GLO_GET, UDP_GGLO]
            .iter()
            .map(|s| bytes(s))
            .chain([
                // general-signing and general-ciphering (identified key).
                bytes("DF080102030405060708085454540000000001084D4D4D000000004200000DC001C100080000010000FF02004033333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333"),
                bytes("DD080102030405060708084D4D4D0000BC614E084D4D4D000000000100000100001E3000000102A1A1A1A1A1A1A1A1A1A1A1A1A1B2B2B2B2B2B2B2B2B2B2B2B2"),
                bytes("C401C10013020212110600010500 0206"),
                bytes("6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000101D00EF0007"),
            ])
            .collect();
    // AES in an unoptimised build is slow: keys in one round of eight.
    let with_keys = keys(GB_EK, Some(GB_AK), Some(GB_ST));
    let without = Options::default();
    let protocols = protocols();
    let registry = Registry::default();
    let mut rng = Rng::new(0x5EED_D1A5);
    for round in 0..4000 {
        let opts = if round % 8 == 0 { &with_keys } else { &without };
        let mut b = match round % 4 {
            0 => (0..rng.below(64)).map(|_| rng.byte()).collect(),
            _ => seeds[rng.below(seeds.len())].clone(),
        };
        match round % 4 {
            1 => {
                for _ in 0..1 + rng.below(4) {
                    if !b.is_empty() {
                        let i = rng.below(b.len());
                        b[i] = rng.byte();
                    }
                }
            }
            2 => {
                let n = rng.below(b.len() + 1);
                b.truncate(n);
            }
            3 => {
                // Nested structures and arrays: depth must stay bounded.
                let depth = rng.below(4 * MAX_DEPTH);
                let mut v = vec![0xC4, 0x01, 0xC1, 0x00];
                for _ in 0..depth {
                    v.extend_from_slice(&[if rng.below(2) == 0 { 0x01 } else { 0x02 }, 0x01]);
                }
                v.push(0x00);
                b = v;
            }
            _ => {}
        }
        for p in &protocols {
            let _ = p.frame(&b);
            match p.frame(&b) {
                FrameStatus::Complete { preamble, len } => {
                    assert!(preamble + len <= b.len());
                    let fr = &b[preamble..preamble + len];
                    let _ = p.score(fr);
                    let f = p.dissect(fr, preamble, opts).render(opts.lang);
                    check_frame(&f, b.len());
                    assert!(f.span.start >= preamble);
                }
                FrameStatus::Incomplete { preamble, .. } => {
                    assert!(preamble <= b.len());
                }
                FrameStatus::NoMatch => {}
            }
            let f = p.dissect(&b, 0, opts).render(opts.lang);
            check_frame(&f, b.len());
        }
        let d = registry.dissect(&b, &[], opts).render(opts.lang);
        for f in &d.frames {
            check_frame(f, b.len());
        }
    }
}

fn random_desc(rng: &mut Rng, depth: usize) -> TypeDesc {
    let simple = [3u8, 5, 6, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 27, 9, 10];
    match rng.below(if depth > 2 { 1 } else { 4 }) {
        0 | 1 => TypeDesc::Simple(simple[rng.below(simple.len())]),
        2 => TypeDesc::Array(rng.below(3) as u16 + 1, Box::new(random_desc(rng, depth + 1))),
        _ => TypeDesc::Structure((0..1 + rng.below(3)).map(|_| random_desc(rng, depth + 1)).collect()),
    }
}

fn random_for(rng: &mut Rng, d: &TypeDesc) -> Data {
    match d {
        TypeDesc::Simple(t) => {
            let mut v;
            loop {
                v = random_data(rng, 5);
                if v.tag() == *t {
                    break;
                }
            }
            v
        }
        TypeDesc::Array(n, e) => Data::Array((0..*n).map(|_| random_for(rng, e)).collect()),
        TypeDesc::Structure(l) => Data::Structure(l.iter().map(|e| random_for(rng, e)).collect()),
    }
}

fn random_data(rng: &mut Rng, depth: usize) -> Data {
    let bytes = |rng: &mut Rng, n: usize| (0..n).map(|_| rng.byte()).collect::<Vec<u8>>();
    let pick = rng.below(if depth > 3 { 22 } else { 25 });
    match pick {
        0 => Data::Null,
        1 => Data::Boolean(rng.below(2) == 1),
        2 => {
            let bits = rng.below(40);
            let mut b = bytes(rng, bits.div_ceil(8));
            if !bits.is_multiple_of(8) {
                let last = b.len() - 1;
                b[last] &= 0xFF << (8 - bits % 8);
            }
            Data::BitString(bits, b)
        }
        3 => Data::DoubleLong(rng.next_u64() as i32),
        4 => Data::DoubleLongUnsigned(rng.next_u64() as u32),
        5 => Data::OctetString({
            let n = rng.below(200);
            bytes(rng, n)
        }),
        6 => Data::VisibleString(b"meter".to_vec()),
        7 => Data::Utf8String("电表".as_bytes().to_vec()),
        8 => Data::Bcd(rng.byte()),
        9 => Data::Integer(rng.byte() as i8),
        10 => Data::Long(rng.next_u64() as i16),
        11 => Data::Unsigned(rng.byte()),
        12 => Data::LongUnsigned(rng.next_u64() as u16),
        13 => Data::Long64(rng.next_u64() as i64),
        14 => Data::Long64Unsigned(rng.next_u64()),
        15 => Data::Enum(rng.byte()),
        16 => Data::Float32(rng.next_u64() as u32),
        17 => Data::Float64(rng.next_u64()),
        18 => Data::DateTime(bytes(rng, 12).try_into().unwrap()),
        19 => Data::Date(bytes(rng, 5).try_into().unwrap()),
        20 => Data::Time(bytes(rng, 4).try_into().unwrap()),
        21 => Data::DontCare,
        22 => Data::Array((0..rng.below(4)).map(|_| random_data(rng, depth + 1)).collect()),
        23 => Data::Structure((0..rng.below(4)).map(|_| random_data(rng, depth + 1)).collect()),
        _ => {
            let d = random_desc(rng, 0);
            let n = 1 + rng.below(3);
            Data::CompactArray(d.clone(), (0..n).map(|_| random_for(rng, &d)).collect())
        }
    }
}

#[test]
fn axdr_round_trip() {
    let mut rng = Rng::new(0xA5D2_0001);
    for _ in 0..3000 {
        let d = random_data(&mut rng, 0);
        let mut out = Vec::new();
        d.emit(&mut out);
        assert_eq!(Data::parse(&out), Ok(d.clone()), "{}", hex(&out));
        // The tolerant dissector reads the same bytes without complaint.
        let mut apdu = vec![0xC4, 0x01, 0xC1, 0x00];
        apdu.extend_from_slice(&out);
        let f = bare(&hex(&apdu));
        assert!(
            f.diagnostics.iter().all(|x| x.code.starts_with("dlms.data.date-time")),
            "{}: {:?}",
            hex(&out),
            f.diagnostics
        );
        // Every strict prefix is rejected, never accepted or panicking.
        if out.len() > 1 {
            let cut = rng.below(out.len() - 1) + 1;
            assert!(Data::parse(&out[..cut]).is_err());
        }
    }
    // Known encodings.
    let v = Data::Structure(vec![Data::LongUnsigned(3), Data::OctetString(vec![1, 0, 1, 8, 0, 255])]);
    let mut out = Vec::new();
    v.emit(&mut out);
    assert_eq!(hex(&out), "0202120003090601000108 00FF".replace(' ', ""));
    let long = Data::OctetString(vec![0; 300]);
    let mut out = Vec::new();
    long.emit(&mut out);
    assert_eq!(&out[..4], &[0x09, 0x82, 0x01, 0x2C]);
    assert_eq!(Data::parse(&[0x12, 0x00]).unwrap_err().kind, crate::error::ErrorKind::Truncated { needed: 1 });
    assert!(matches!(
        Data::parse(&[0x11, 0x01, 0x02]).unwrap_err().kind,
        crate::error::ErrorKind::TrailingBytes { count: 1 }
    ));
}

/// Every DLMS registry entry builds language-neutral frames: decoded once, a
/// frame renders in Chinese as a decode in Chinese does, the decrypted APDUs
/// (kept in the frame's derived bytes) and unstuffed HDLC frames included;
/// and so do the analyses across frames (joined segments, profile tables).
#[test]
fn one_decode_renders_every_language() {
    let k = hex(b"MYDUMMYGLOBALKEY");
    let stuffed = {
        let mut b = bytes(ESCAPE);
        let inner: Vec<u8> = b[1..b.len() - 1]
            .iter()
            .flat_map(|&x| if x == 0x7E || x == 0x7D { vec![0x7D, x ^ 0x20] } else { vec![x] })
            .collect();
        b.splice(1..b.len() - 1, inner);
        b
    };
    let inputs: Vec<(Vec<u8>, Options)> = vec![
        (bytes(SNRM), Options::default()),
        (bytes(AARQ), Options::default()),
        (bytes(AIDON), Options::default()),
        (bytes(LG), Options::default()),
        (bytes(SN_READ), Options::default()),
        (bytes(WRAP_FLOAT), Options::default()),
        (bytes(WRAP_RL), Options::default()),
        (bytes(UDP_GGLO), keys(&k, Some(&k), None)),
        (bytes(UDP_GGLO), keys(&k, None, None)),
        (bytes(UDP_GGLO), Options::default()),
        (bytes(GLO_GET), keys(GB_EK, Some(GB_AK), Some(GB_ST))),
        (bytes(GLO_GET), keys(GB_EK, Some(GB_EK), Some(GB_ST))),
        (stuffed, Options::default()),
        (super::multi_tests::segmented_profile().concat(), Options::default()),
    ];
    let mut derived = 0;
    for (b, opts) in inputs {
        let once = Registry::default().dissect(&b, &[], &opts);
        derived += once.frames.iter().filter(|f| !f.derived.is_empty()).count();
        let zh = Options { lang: Lang::Zh, ..opts.clone() };
        let own = Registry::default().dissect(&b, &[], &zh).render(Lang::Zh);
        assert_eq!(once.render(Lang::Zh), own, "{}", hex(&b));
        assert_eq!(once.render(Lang::En), Registry::default().dissect(&b, &[], &opts).render(Lang::En));
    }
    assert!(derived >= 3, "decrypted and unstuffed bytes are kept as derived bytes");
    // The Chinese rendering of a decrypted APDU names its parts in Chinese.
    let f = Registry::default().dissect(&bytes(GLO_GET), &[], &keys(GB_EK, Some(GB_AK), Some(GB_ST)));
    let zh = f.frames[0].render(Lang::Zh);
    assert_eq!(all(&zh.tree, "dlms.ciphered.tag-value")[0].text.as_deref(), Some("已认证"));
    assert_eq!(text(&zh.tree, "dlms.apdu.get.descriptor.class"), "时钟");
    assert!(text(&zh.tree, "dlms.ciphered.ciphertext").starts_with("明文 C0010000080000010000FF0200"));
}

/// A Kaifa KFM_001 HAN push (public sample of a Norwegian HAN-port
/// project): data-notification in an HDLC I frame whose date-time is sent as
/// tagged data, `09 0C` + 12 bytes, then one double-long-unsigned.
#[test]
fn kaifa_push_with_a_tagged_date_time() {
    let kaifa = "7E A0 27 01 02 01 10 5A 87 E6 E7 00 0F 40 00 00 00 09 0C 07 E1 09 0C 02 17 12 2A FF 80 00 00 02 01 06 00 00 05 28 B8 0C 7E";
    let f = one(kaifa, HDLC, &Options::default());
    assert!(f.valid && f.diagnostics.is_empty(), "{:?}\n{}", f.diagnostics, dump(&f.tree));
    let t = &f.tree;
    assert_eq!(value(t, "dlms.apdu"), "data-notification");
    let dt = &all(t, "dlms.apdu.notification.date-time")[0];
    assert_eq!(dt.value.as_deref(), Some("2017-09-12T23:18:42"));
    assert_eq!((dt.span.start, dt.span.end), (17, 31), "the tag, the length and 12 bytes");
    let body = &all(t, "dlms.apdu.notification.body")[0];
    assert_eq!(body.children.len(), 1, "{}", dump(t));
    assert!(dump(t).contains("1320"), "the value 0x0528 = 1320 W: {}", dump(t));
    // The same APDU with the date-time untagged (newer firmware) and absent.
    for (dt, want) in [("0C 07 E1 09 0C 02 17 12 2A FF 80 00 00", Some("2017-09-12T23:18:42")), ("00", None)] {
        let apdu = format!("0F 40 00 00 00 {dt} 02 01 06 00 00 05 28");
        let f = one(&apdu, APDU, &Options::default());
        assert!(f.valid && f.diagnostics.is_empty(), "{dt}: {:?}", f.diagnostics);
        let got = all(&f.tree, "dlms.apdu.notification.date-time")[0].value.clone().filter(|v| !v.is_empty());
        assert_eq!(got.as_deref(), want, "{dt}");
    }
}

/// Profile reads: the range descriptor's restricting object and its from/to
/// date-times (octet-strings shown as date-times), and the entry descriptor, named.
#[test]
fn selective_access_parameters_are_named() {
    let range = "C0 01 C1 00 07 01 00 63 01 00 FF 02 01 01 02 04 02 04 12 00 08 09 06 00 00 01 00 00 FF 0F 02 12 00 00 09 0C 07 E8 05 11 FF 00 00 00 FF 80 00 00 09 0C 07 E8 05 12 FF 00 00 00 FF 80 00 00 01 00";
    let f = one(range, APDU, &Options::default());
    assert!(f.valid, "{:?}", f.diagnostics);
    let d = dump(&f.tree);
    for want in
        ["restricting object", "logical name", "from value", "to value", "2024-05-17T00:00:00", "2024-05-18T00:00:00"]
    {
        assert!(d.contains(want), "{want} in\n{d}");
    }
    let entry = "C0 01 C1 00 07 01 00 63 01 00 FF 02 01 02 02 04 06 00 00 00 01 06 00 00 00 00 12 00 01 12 00 00";
    let zh = one(entry, APDU, &Options { lang: Lang::Zh, ..Options::default() });
    assert!(dump(&zh.tree).contains("起始条目"), "{}", dump(&zh.tree));
}
