//! Application layer: every APDU of DL/T 698.45 clause 6.3 (LINK, CONNECT,
//! RELEASE, GET, SET, ACTION, REPORT, PROXY, SECURITY, ERROR) with PIID,
//! FollowReport and TimeTag where the grammar allows them.
//!
//! Client APDUs (tags 0x01–0x10) end with `TimeTag OPTIONAL`; server APDUs
//! (0x81–0x90, 0xEE) with `FollowReport OPTIONAL, TimeTag OPTIONAL`. LINK and
//! SECURITY APDUs have neither.

use super::data::{Column, Dec, tag};
use super::dictionary::{self, Hint};
use super::text;
use crate::model::{Frame, Msg, NONE, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::registry::Options;
use crate::span::Span;
use crate::view;

/// APDU tags: tag, English name, Chinese name (clause 6.3.4).
const SERVICES: &[(u8, &str, &str)] = &[
    (0x01, "LINK-Request", "预连接请求"),
    (0x02, "CONNECT-Request", "建立应用连接请求"),
    (0x03, "RELEASE-Request", "断开应用连接请求"),
    (0x05, "GET-Request", "读取请求"),
    (0x06, "SET-Request", "设置请求"),
    (0x07, "ACTION-Request", "操作请求"),
    (0x08, "REPORT-Response", "上报应答"),
    (0x09, "PROXY-Request", "代理请求"),
    (0x10, "SECURITY-Request", "安全请求"),
    (0x81, "LINK-Response", "预连接响应"),
    (0x82, "CONNECT-Response", "建立应用连接响应"),
    (0x83, "RELEASE-Response", "断开应用连接响应"),
    (0x84, "RELEASE-Notification", "断开应用连接通知"),
    (0x85, "GET-Response", "读取响应"),
    (0x86, "SET-Response", "设置响应"),
    (0x87, "ACTION-Response", "操作响应"),
    (0x88, "REPORT-Notification", "上报通知"),
    (0x89, "PROXY-Response", "代理响应"),
    (0x90, "SECURITY-Response", "安全响应"),
    (0xEE, "ERROR-Response", "异常响应"),
];

/// The English name of an APDU tag (`GET-Response`).
pub fn service_name(t: u8) -> Option<&'static str> {
    service_names(t).map(|s| s.0)
}

/// The English and Chinese names of an APDU tag.
pub fn service_names(t: u8) -> Option<(&'static str, &'static str)> {
    SERVICES.iter().find(|s| s.0 == t).map(|s| (s.1, s.2))
}

/// Variant names by service group and choice: (group tag & 0x7F, choice, name).
const CHOICES: &[(u8, u8, &str)] = &[
    (0x05, 1, "Normal"),
    (0x05, 2, "NormalList"),
    (0x05, 3, "Record"),
    (0x05, 4, "RecordList"),
    (0x05, 5, "Next"),
    (0x05, 6, "MD5"),
    (0x06, 1, "Normal"),
    (0x06, 2, "NormalList"),
    (0x06, 3, "ThenGetNormalList"),
    (0x07, 1, "Normal"),
    (0x07, 2, "NormalList"),
    (0x07, 3, "ThenGetNormalList"),
    (0x08, 1, "List"),
    (0x08, 2, "RecordList"),
    (0x08, 3, "TransData"),
    (0x09, 1, "GetList"),
    (0x09, 2, "GetRecord"),
    (0x09, 3, "SetList"),
    (0x09, 4, "SetThenGetList"),
    (0x09, 5, "ActionList"),
    (0x09, 6, "ActionThenGetList"),
    (0x09, 7, "TransCommand"),
];

/// The name of choice `k` of the service of tag `t` (`Normal`), if it has one.
pub fn choice_name(t: u8, k: u8) -> Option<&'static str> {
    let group = t & 0x7F;
    CHOICES.iter().find(|x| x.0 == group && x.1 == k).map(|x| x.2)
}

/// Ids of the fields of one service family.
struct Svc {
    piid: &'static str,
    oad: &'static str,
}

const GET: Svc = Svc { piid: "dlt698.apdu.get.piid", oad: "dlt698.apdu.get.oad" };
const SET: Svc = Svc { piid: "dlt698.apdu.set.piid", oad: "dlt698.apdu.set.oad" };
const ACTION: Svc = Svc { piid: "dlt698.apdu.action.piid", oad: "dlt698.apdu.action.oad" };
const REPORT: Svc = Svc { piid: "dlt698.apdu.report.piid", oad: "dlt698.apdu.report.oad" };
const PROXY: Svc = Svc { piid: "dlt698.apdu.proxy.piid", oad: "dlt698.apdu.proxy.oad" };
const LINK: Svc = Svc { piid: "dlt698.apdu.link.piid", oad: "dlt698.apdu.link.oad" };
const CONNECT: Svc = Svc { piid: "dlt698.apdu.connect.piid", oad: "dlt698.apdu.connect.oad" };
const RELEASE: Svc = Svc { piid: "dlt698.apdu.release.piid", oad: "dlt698.apdu.release.oad" };
const ERROR: Svc = Svc { piid: "dlt698.apdu.error.piid", oad: "dlt698.apdu.error.oad" };

/// The frame of an APDU on its own (no link layer): its root is the APDU.
/// `base` is the absolute offset of `bytes[0]`.
pub fn dissect_frame(bytes: &[u8], base: usize) -> Frame {
    let mut f = Frame::new(super::APDU_NAME, bytes, base).with_labels(super::LABELS);
    // About one node per byte: room for them at once, not by doubling.
    f.reserve_nodes(bytes.len().clamp(24, 512));
    let root = dissect_into(&mut f, NONE, bytes, base);
    // The frame is the APDU as far as it was read.
    if let Some(n) = f.node(root) {
        f.span = n.span;
    }
    f.finish()
}

/// Dissect an APDU on its own (no link layer), rendered in the language of
/// `opts`. `base` is the absolute offset of `bytes[0]`. Returns the APDU node
/// and the diagnostics found.
pub fn dissect_apdu(bytes: &[u8], base: usize, opts: &Options) -> (view::Node, Vec<view::Diagnostic>) {
    let f = dissect_frame(bytes, base).render(opts.lang);
    (f.tree, f.diagnostics)
}

/// Dissect the APDU in `bytes` (at absolute offset `base`, held by `f`'s bytes
/// at the same offsets) into `f` under `parent`; returns the APDU node.
/// Bytes after the APDU are kept as an undecoded node.
pub fn dissect_into(f: &mut Frame, parent: NodeRef, bytes: &[u8], base: usize) -> NodeRef {
    let mut d = Dec::new(f, bytes, base);
    let node = apdu(&mut d, parent);
    if !d.at_end() {
        let start = d.pos();
        let rest_len = d.remaining();
        if !d.failed {
            let at = d.abs();
            let m = Msg::Code(text::apdu_trailing, rest_len as u64);
            d.diag(Severity::Warning, Span::at(at, rest_len), "dlt698.apdu.trailing", m);
        }
        let (rest, _) = d.raw(node, "dlt698.apdu.rest", rest_len);
        d.set_kind(rest, NodeKind::Unknown);
        let span = d.span_from(start);
        d.cover(node, span);
    }
    node
}

fn apdu(d: &mut Dec, parent: NodeRef) -> NodeRef {
    let (root, start) = d.open(parent, "dlt698.apdu");
    let (tag_node, t) = d.byte(root, "dlt698.apdu.tag", NodeKind::Control);
    let Some(t) = t else {
        d.close(root, start);
        return root;
    };
    d.set_value(tag_node, Msg::Code(text::hex2, t.into()));
    let Some((en, zh)) = service_names(t) else {
        d.fail_at(start, "dlt698.apdu.unknown", Msg::Code(text::unknown_tag, t.into()));
        d.set_text(tag_node, Msg::Code(text::unknown_tag, t.into()));
        d.close(root, start);
        d.set_kind(root, NodeKind::Unknown);
        return root;
    };
    d.set_text(tag_node, Msg::Bi(en, zh));
    let mut service = Msg::Str(en);
    let server = t & 0x80 != 0;

    match t {
        0x01 => {
            piid(d, root, &LINK, true);
            enum_field(
                d,
                root,
                "dlt698.apdu.link.type",
                &[(0, "login", "登录"), (1, "heartbeat", "心跳"), (2, "logout", "退出登录")],
            );
            let (n, _) = uint(d, root, "dlt698.apdu.link.heartbeat", 2);
            d.set_unit(n, Msg::Str("s"));
            d.date_time(root, "dlt698.apdu.link.time", 10);
        }
        0x81 => {
            piid(d, root, &LINK, false);
            let (r, v) = d.byte(root, "dlt698.apdu.link.result", NodeKind::Data);
            if let Some(v) = v {
                d.set_text(r, Msg::Code(text::link_result, v.into()));
            }
            for id in
                ["dlt698.apdu.link.request-time", "dlt698.apdu.link.receive-time", "dlt698.apdu.link.response-time"]
            {
                d.date_time(root, id, 10);
            }
        }
        0x02 => {
            piid(d, root, &CONNECT, false);
            connect_params(d, root);
            let (c, k) = d.byte(root, "dlt698.apdu.connect.mechanism", NodeKind::Control);
            const NAMES: [(&str, &str); 4] = [
                ("null security", "公共连接"),
                ("password", "一般密码"),
                ("symmetric", "对称加密"),
                ("signature", "数字签名"),
            ];
            if let Some(k) = k {
                if let Some(&(en, zh)) = NAMES.get(k as usize) {
                    d.set_text(c, Msg::Bi(en, zh));
                }
                match k {
                    0 => {}
                    1 => {
                        d.typed(root, tag::VISIBLE_STRING, "dlt698.apdu.connect.password");
                    }
                    2 | 3 => {
                        d.octets(root, "dlt698.apdu.connect.ciphertext");
                        d.octets(root, "dlt698.apdu.connect.signature");
                    }
                    _ => bad_choice(d, msg!("unknown connect mechanism", "未知的认证机制")),
                }
            }
        }
        0x82 => {
            piid(d, root, &CONNECT, true);
            let (fv, fv_start) = d.open(root, "dlt698.apdu.connect.factory");
            for (id, n) in [
                ("dlt698.apdu.connect.vendor", 4),
                ("dlt698.apdu.connect.software-version", 4),
                ("dlt698.apdu.connect.software-date", 6),
                ("dlt698.apdu.connect.hardware-version", 4),
                ("dlt698.apdu.connect.hardware-date", 6),
                ("dlt698.apdu.connect.extension", 8),
            ] {
                let s = d.pos();
                let b = d.take(n);
                let field = d.node(fv, id, s);
                if let Some(b) = b {
                    let value = if b.iter().all(|c| (0x20..0x7F).contains(c)) {
                        Msg::Ascii(d.span_from(s))
                    } else {
                        Msg::owned(String::from_utf8_lossy(b))
                    };
                    d.set_value(field, value);
                }
            }
            d.close(fv, fv_start);
            connect_params(d, root);
            enum_field(
                d,
                root,
                "dlt698.apdu.connect.result",
                &[
                    (0, "allowed", "允许建立应用连接"),
                    (1, "password error", "密码错误"),
                    (2, "symmetric decryption error", "对称解密错误"),
                    (3, "asymmetric decryption error", "非对称解密错误"),
                    (4, "signature error", "签名错误"),
                    (5, "protocol version mismatch", "协议版本不匹配"),
                    (255, "other error", "其他错误"),
                ],
            );
            if optional(d, root, "dlt698.apdu.connect.security") {
                d.octets(root, "dlt698.apdu.connect.server-rn");
                d.octets(root, "dlt698.apdu.connect.server-signature");
            }
        }
        0x03 => piid(d, root, &RELEASE, false),
        0x83 => {
            piid(d, root, &RELEASE, true);
            enum_field(d, root, "dlt698.apdu.release.result", &[(0, "success", "成功")]);
        }
        0x84 => {
            piid(d, root, &RELEASE, true);
            d.date_time(root, "dlt698.apdu.release.connect-time", 7);
            d.date_time(root, "dlt698.apdu.release.server-time", 7);
        }
        0x05 | 0x85 | 0x06 | 0x86 | 0x07 | 0x87 | 0x08 | 0x88 | 0x09 | 0x89 => {
            let (c, k) = d.byte(root, "dlt698.apdu.choice", NodeKind::Control);
            let name = k.and_then(|k| choice_name(t, k));
            if let (Some(n), Some(k)) = (name, k) {
                d.set_text(c, Msg::Str(n));
                service = Msg::Code(text::service, u64::from(t) << 8 | u64::from(k));
            }
            match (k, name) {
                (None, _) => {}
                (Some(k), None) => {
                    let at = d.pos() - 1;
                    d.fail_at(
                        at,
                        "dlt698.apdu.unknown",
                        Msg::Code(text::unknown_choice, u64::from(t) << 8 | u64::from(k)),
                    );
                }
                (Some(k), Some(_)) => service_body(d, root, t, k),
            }
        }
        0x10 => {
            let (c, k) = d.byte(root, "dlt698.apdu.security.choice", NodeKind::Control);
            d.set_text(
                c,
                match k {
                    Some(0) => Msg::Bi("plaintext APDU", "明文应用数据单元"),
                    Some(1) => Msg::Bi("ciphertext APDU", "密文应用数据单元"),
                    _ => Msg::Str(""),
                },
            );
            match k {
                Some(0) => inner_apdu(d, root),
                Some(1) => {
                    d.octets(root, "dlt698.apdu.security.ciphertext");
                }
                Some(_) => bad_choice(d, msg!("unknown security data", "未知的安全数据")),
                None => {}
            }
            let (v, k) = d.byte(root, "dlt698.apdu.security.verify", NodeKind::Control);
            const NAMES: [(&str, &str); 4] =
                [("SID_MAC", "数据验证码"), ("RN", "随机数"), ("RN_MAC", "随机数+数据MAC"), ("SID", "安全标识")];
            if let Some(&(en, zh)) = k.and_then(|k| NAMES.get(k as usize)) {
                d.set_text(v, Msg::Bi(en, zh));
            }
            match k {
                Some(0) => {
                    d.typed(root, tag::SID_MAC, "dlt698.data.sid_mac");
                }
                Some(1) => {
                    d.octets(root, "dlt698.data.rn");
                }
                Some(2) => {
                    d.octets(root, "dlt698.data.rn");
                    d.octets(root, "dlt698.data.mac");
                }
                Some(3) => {
                    d.typed(root, tag::SID, "dlt698.data.sid");
                }
                Some(_) => bad_choice(d, msg!("unknown verification", "未知的数据验证信息")),
                None => {}
            }
            return finish(d, root, start, service);
        }
        0x90 => {
            let (c, k) = d.byte(root, "dlt698.apdu.security.choice", NodeKind::Control);
            d.set_text(
                c,
                match k {
                    Some(0) => Msg::Bi("plaintext APDU", "明文应用数据单元"),
                    Some(1) => Msg::Bi("ciphertext APDU", "密文应用数据单元"),
                    Some(2) => Msg::Bi("error", "异常错误"),
                    _ => Msg::Str(""),
                },
            );
            match k {
                Some(0) => inner_apdu(d, root),
                Some(1) => {
                    d.octets(root, "dlt698.apdu.security.ciphertext");
                }
                Some(2) => {
                    dar(d, root);
                }
                Some(_) => bad_choice(d, msg!("unknown security data", "未知的安全数据")),
                None => {}
            }
            if optional(d, root, "dlt698.apdu.security.verify") {
                let (_, k) = d.byte(root, "dlt698.apdu.security.mac-choice", NodeKind::Control);
                match k {
                    Some(0) => {
                        d.octets(root, "dlt698.data.mac");
                    }
                    Some(_) => bad_choice(d, msg!("unknown verification", "未知的数据验证信息")),
                    None => {}
                }
            }
            return finish(d, root, start, service);
        }
        0xEE => {
            piid(d, root, &ERROR, true);
            enum_field(
                d,
                root,
                "dlt698.apdu.error.type",
                &[
                    (1, "APDU cannot be decoded", "APDU无法解析"),
                    (2, "service not supported", "服务不支持"),
                    (255, "other", "其他"),
                ],
            );
            // Some servers stop here; the optional fields are read when present.
            if d.at_end() {
                return finish(d, root, start, service);
            }
        }
        _ => {}
    }
    if t != 0x01 && t != 0x81 {
        if server {
            follow_report(d, root);
        }
        time_tag(d, root);
    }
    finish(d, root, start, service)
}

fn finish(d: &mut Dec, root: NodeRef, start: usize, service: Msg) -> NodeRef {
    d.close(root, start);
    d.set_value(root, service);
    root
}

/// Stop on an unknown choice: the byte just read.
fn bad_choice(d: &mut Dec, message: Msg) {
    let at = d.pos() - 1;
    d.fail_at(at, "dlt698.apdu.bad-choice", message);
}

/// The inner APDU of a plaintext SECURITY APDU: octet-string holding an APDU.
fn inner_apdu(d: &mut Dec, root: NodeRef) {
    let (_, n) = d.count(root, "dlt698.data.length");
    let Some(n) = n else { return };
    if n > d.remaining() {
        d.take(n);
        return;
    }
    d.window(n, |d| {
        let node = apdu(d, root);
        if !d.failed && !d.at_end() {
            let rest_len = d.remaining();
            let at = d.abs();
            let m = Msg::Code(text::inner_trailing, rest_len as u64);
            d.diag(Severity::Warning, Span::at(at, rest_len), "dlt698.apdu.trailing", m);
            let (rest, _) = d.raw(node, "dlt698.apdu.rest", rest_len);
            d.set_kind(rest, NodeKind::Unknown);
            let span = Span::new(d.abs() - rest_len, d.abs());
            d.cover(node, span);
        }
    });
}

/// The body of GET, SET, ACTION, REPORT and PROXY by choice.
fn service_body(d: &mut Dec, root: NodeRef, t: u8, k: u8) {
    match (t, k) {
        // GET-Request
        (0x05, 1) | (0x05, 6) => {
            piid(d, root, &GET, false);
            d.oad(root, GET.oad);
        }
        (0x05, 2) => {
            piid(d, root, &GET, false);
            seq(d, root, |d, p| {
                d.oad(p, GET.oad);
            });
        }
        (0x05, 3) => {
            piid(d, root, &GET, false);
            get_record(d, root);
        }
        (0x05, 4) => {
            piid(d, root, &GET, false);
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.get.record");
                get_record(d, n);
                d.close(n, s);
            });
        }
        (0x05, 5) => {
            piid(d, root, &GET, false);
            uint(d, root, "dlt698.apdu.get.last-block", 2);
        }
        // GET-Response
        (0x85, 1) => {
            piid(d, root, &GET, true);
            result_normal(d, root);
        }
        (0x85, 2) => {
            piid(d, root, &GET, true);
            seq(d, root, |d, p| {
                result_normal(d, p);
            });
        }
        (0x85, 3) => {
            piid(d, root, &GET, true);
            result_record(d, root);
        }
        (0x85, 4) => {
            piid(d, root, &GET, true);
            seq(d, root, |d, p| {
                result_record(d, p);
            });
        }
        (0x85, 5) => {
            piid(d, root, &GET, true);
            let (last, v) = d.byte(root, "dlt698.apdu.get.last-frame", NodeKind::Data);
            if let Some(v) = v {
                let text = if v != 0 {
                    Msg::Bi("last block", "末帧")
                } else {
                    Msg::Bi("more blocks follow", "还有后续帧")
                };
                d.set_text(last, text);
            }
            uint(d, root, "dlt698.apdu.get.block", 2);
            let (_, k) = d.byte(root, "dlt698.apdu.get.answer", NodeKind::Control);
            match k {
                Some(0) => {
                    dar(d, root);
                }
                Some(1) => seq(d, root, |d, p| {
                    result_normal(d, p);
                }),
                Some(2) => seq(d, root, |d, p| {
                    result_record(d, p);
                }),
                Some(_) => bad_choice(d, msg!("unknown answer choice", "未知的响应数据选择")),
                None => {}
            }
        }
        (0x85, 6) => {
            piid(d, root, &GET, true);
            d.oad(root, GET.oad);
            let (_, k) = d.byte(root, "dlt698.apdu.result.choice", NodeKind::Control);
            match k {
                Some(0) => {
                    dar(d, root);
                }
                Some(1) => {
                    d.octets(root, "dlt698.apdu.get.md5");
                }
                Some(_) => bad_choice(d, msg!("unknown result choice", "未知的结果选择")),
                None => {}
            }
        }
        // SET-Request
        (0x06, 1) => {
            piid(d, root, &SET, false);
            let (_, v) = d.oad(root, SET.oad);
            attribute_data(d, root, v);
        }
        (0x06, 2) => {
            piid(d, root, &SET, false);
            seq(d, root, |d, p| {
                oad_data(d, p, "dlt698.apdu.set.item");
            });
        }
        (0x06, 3) => {
            piid(d, root, &SET, false);
            seq(d, root, |d, p| {
                let s = d.pos();
                let n = oad_data(d, p, "dlt698.apdu.set.item");
                d.oad(n, "dlt698.apdu.set.get-oad");
                let (delay, _) = d.byte(n, "dlt698.apdu.set.delay", NodeKind::Data);
                d.set_unit(delay, Msg::Str("s"));
                d.close(n, s);
            });
        }
        // SET-Response
        (0x86, 1) => {
            piid(d, root, &SET, true);
            d.oad(root, SET.oad);
            dar(d, root);
        }
        (0x86, 2) => {
            piid(d, root, &SET, true);
            seq(d, root, |d, p| {
                oad_dar(d, p, "dlt698.apdu.set.item");
            });
        }
        (0x86, 3) => {
            piid(d, root, &SET, true);
            seq(d, root, |d, p| {
                let s = d.pos();
                let n = oad_dar(d, p, "dlt698.apdu.set.item");
                result_normal(d, n);
                d.close(n, s);
            });
        }
        // ACTION-Request
        (0x07, 1) => {
            piid(d, root, &ACTION, false);
            d.omd(root, "dlt698.apdu.action.omd");
            d.data(root, None);
        }
        (0x07, 2) | (0x07, 3) => {
            piid(d, root, &ACTION, false);
            let then_get = k == 3;
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.action.item");
                d.omd(n, "dlt698.apdu.action.omd");
                d.data(n, None);
                if then_get {
                    d.oad(n, ACTION.oad);
                    let (delay, _) = d.byte(n, "dlt698.apdu.action.delay", NodeKind::Data);
                    d.set_unit(delay, Msg::Str("s"));
                }
                d.close(n, s);
            });
        }
        // ACTION-Response
        (0x87, 1) => {
            piid(d, root, &ACTION, true);
            action_result(d, root);
        }
        (0x87, 2) | (0x87, 3) => {
            piid(d, root, &ACTION, true);
            let then_get = k == 3;
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.action.item");
                action_result(d, n);
                if then_get {
                    result_normal(d, n);
                }
                d.close(n, s);
            });
        }
        // REPORT-Response
        (0x08, 1) | (0x08, 2) => {
            piid(d, root, &REPORT, false);
            seq(d, root, |d, p| {
                d.oad(p, REPORT.oad);
            });
        }
        (0x08, 3) => piid(d, root, &REPORT, false),
        // REPORT-Notification
        (0x88, 1) => {
            piid(d, root, &REPORT, true);
            seq(d, root, |d, p| {
                result_normal(d, p);
            });
        }
        (0x88, 2) => {
            piid(d, root, &REPORT, true);
            seq(d, root, |d, p| {
                result_record(d, p);
            });
        }
        (0x88, 3) => {
            piid(d, root, &REPORT, true);
            d.oad(root, REPORT.oad);
            seq(d, root, |d, p| {
                d.octets(p, "dlt698.apdu.report.trans-data");
            });
        }
        // PROXY-Request
        (0x09, 1) | (0x09, 3) | (0x09, 4) | (0x09, 5) | (0x09, 6) => {
            piid(d, root, &PROXY, false);
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.timeout", 2);
            d.set_unit(n, Msg::Str("s"));
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.proxy.server");
                d.tsa(n, "dlt698.data.tsa");
                let (timeout, _) = uint(d, n, "dlt698.apdu.proxy.timeout", 2);
                d.set_unit(timeout, Msg::Str("s"));
                seq(d, n, |d, p| match k {
                    1 => {
                        d.oad(p, PROXY.oad);
                    }
                    3 => {
                        oad_data(d, p, "dlt698.apdu.proxy.item");
                    }
                    4 => {
                        let s = d.pos();
                        let n = oad_data(d, p, "dlt698.apdu.proxy.item");
                        d.oad(n, PROXY.oad);
                        let (delay, _) = d.byte(n, "dlt698.apdu.proxy.delay", NodeKind::Data);
                        d.set_unit(delay, Msg::Str("s"));
                        d.close(n, s);
                    }
                    _ => {
                        let (n, s) = d.open(p, "dlt698.apdu.proxy.item");
                        d.omd(n, "dlt698.apdu.action.omd");
                        d.data(n, None);
                        if k == 6 {
                            d.oad(n, PROXY.oad);
                            let (delay, _) = d.byte(n, "dlt698.apdu.proxy.delay", NodeKind::Data);
                            d.set_unit(delay, Msg::Str("s"));
                        }
                        d.close(n, s);
                    }
                });
                d.close(n, s);
            });
        }
        (0x09, 2) => {
            piid(d, root, &PROXY, false);
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.timeout", 2);
            d.set_unit(n, Msg::Str("s"));
            d.tsa(root, "dlt698.data.tsa");
            get_record(d, root);
        }
        (0x09, 7) => {
            piid(d, root, &PROXY, false);
            d.oad(root, "dlt698.apdu.proxy.port");
            d.comdcb(root, "dlt698.data.comdcb");
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.frame-timeout", 2);
            d.set_unit(n, Msg::Str("s"));
            let (n, _) = uint(d, root, "dlt698.apdu.proxy.byte-timeout", 2);
            d.set_unit(n, Msg::Str("ms"));
            d.octets(root, "dlt698.apdu.proxy.command");
        }
        // PROXY-Response
        (0x89, 2) => {
            piid(d, root, &PROXY, true);
            d.tsa(root, "dlt698.data.tsa");
            result_record(d, root);
        }
        (0x89, 7) => {
            piid(d, root, &PROXY, true);
            d.oad(root, "dlt698.apdu.proxy.port");
            let (_, k) = d.byte(root, "dlt698.apdu.result.choice", NodeKind::Control);
            match k {
                Some(0) => {
                    dar(d, root);
                }
                Some(1) => {
                    d.octets(root, "dlt698.apdu.proxy.response");
                }
                Some(_) => bad_choice(d, msg!("unknown result choice", "未知的结果选择")),
                None => {}
            }
        }
        (0x89, _) => {
            piid(d, root, &PROXY, true);
            seq(d, root, |d, p| {
                let (n, s) = d.open(p, "dlt698.apdu.proxy.server");
                d.tsa(n, "dlt698.data.tsa");
                seq(d, n, |d, p| match k {
                    1 => {
                        result_normal(d, p);
                    }
                    3 => {
                        oad_dar(d, p, "dlt698.apdu.proxy.item");
                    }
                    4 => {
                        let s = d.pos();
                        let n = oad_dar(d, p, "dlt698.apdu.proxy.item");
                        result_normal(d, n);
                        d.close(n, s);
                    }
                    _ => {
                        let (n, s) = d.open(p, "dlt698.apdu.proxy.item");
                        action_result(d, n);
                        if k == 6 {
                            result_normal(d, n);
                        }
                        d.close(n, s);
                    }
                });
                d.close(n, s);
            });
        }
        _ => {}
    }
}

/// PIID (client) or PIID-ACD (server): priority bit 7, ACD bit 6, sequence 5..0.
fn piid(d: &mut Dec, root: NodeRef, svc: &Svc, acd: bool) {
    let (n, b) = d.byte(root, svc.piid, NodeKind::Control);
    let Some(b) = b else { return };
    let span = d.span_from(d.pos() - 1);
    let prio = if b & 0x80 != 0 {
        Msg::Bi("high priority", "高优先级")
    } else {
        Msg::Bi("normal priority", "一般优先级")
    };
    let id = d.id("dlt698.piid.priority");
    let p = d.node_at(n, id, span, NodeKind::Data);
    d.set_value(p, Msg::Uint(u64::from(b >> 7)));
    d.set_text(p, prio);
    if acd {
        let id = d.id("dlt698.piid.acd");
        let a = d.node_at(n, id, span, NodeKind::Data);
        d.set_value(a, Msg::Uint(u64::from((b >> 6) & 1)));
    }
    let id = d.id("dlt698.piid.seq");
    let q = d.node_at(n, id, span, NodeKind::Data);
    d.set_value(q, Msg::Uint(u64::from(b & 0x3F)));
    d.set_text(n, Msg::Code(text::piid, u64::from(acd) << 8 | u64::from(b)));
}

/// An unsigned big-endian number of `n` bytes.
fn uint(d: &mut Dec, parent: NodeRef, id: &'static str, n: usize) -> (NodeRef, Option<u64>) {
    let s = d.pos();
    let b = d.take(n);
    let node = d.node(parent, id, s);
    let v = b.map(|b| b.iter().fold(0u64, |a, &x| (a << 8) | x as u64));
    if let Some(v) = v {
        d.set_value(node, Msg::Uint(v));
    }
    (node, v)
}

/// An enumerated byte with named values.
fn enum_field(d: &mut Dec, parent: NodeRef, id: &'static str, names: &[(u8, &'static str, &'static str)]) {
    let at = d.abs();
    let (n, v) = d.byte(parent, id, NodeKind::Data);
    match v.map(|v| (v, names.iter().find(|e| e.0 == v))) {
        Some((_, Some(&(_, en, zh)))) => {
            d.set_text(n, Msg::Bi(en, zh));
        }
        Some((v, None)) => {
            let m = msg!("{} is not a value the standard defines here", "{} 不是标准在此定义的值", v);
            let span = Span::at(at, 1);
            d.diag(Severity::Error, span, "dlt698.apdu.undefined", m);
        }
        None => {}
    }
}

/// An OPTIONAL flag byte; true when the value follows.
fn optional(d: &mut Dec, parent: NodeRef, id: &'static str) -> bool {
    let at = d.pos();
    let (n, v) = d.byte(parent, id, NodeKind::Control);
    match v {
        Some(0) => {
            d.set_text(n, Msg::Bi("absent", "无"));
            false
        }
        Some(1) => {
            d.set_text(n, Msg::Bi("present", "有"));
            true
        }
        Some(_) => {
            let m = msg!("an OPTIONAL flag is 0 or 1", "OPTIONAL 标志应为 0 或 1");
            d.fail_at(at, "dlt698.apdu.bad-optional", m);
            false
        }
        None => false,
    }
}

/// SEQUENCE OF: count, then items.
fn seq(d: &mut Dec, parent: NodeRef, mut item: impl FnMut(&mut Dec, NodeRef)) {
    let (_, n) = d.count(parent, "dlt698.apdu.count");
    d.items(parent, n.unwrap_or(0), |d, p, _| item(d, p));
}

fn hint_of(oad: Option<(u16, u8, u8)>) -> Option<Hint> {
    oad.and_then(|(oi, attr, _)| dictionary::hint(oi, attr))
}

/// The Data value of attribute `oad`: numbers scaled with the dictionary's
/// scaler and unit; the report switches of the electrical device (4300
/// attributes 7, 8, 9) and its report channels (attribute 10) named.
fn attribute_data(d: &mut Dec, parent: NodeRef, oad: Option<(u16, u8, u8)>) -> NodeRef {
    let (n, data_tag) = d.data_tagged(parent, hint_of(oad));
    let Some((oi, attr, index)) = oad else { return n };
    if data_tag == Some(tag::BOOL) {
        let on = matches!(d.value_of(n), Msg::Str("true"));
        if let Some((en, zh)) = dictionary::switch_texts(oi, attr, on) {
            d.set_text(n, Msg::Bi(en, zh));
        }
    } else if dictionary::is_report_channels(oi, attr) && index == 0 && data_tag == Some(tag::ARRAY) {
        // Elements whose value reads as an OAD (eight hex digits).
        let channels: Vec<u32> = d
            .children(n)
            .map(|c| d.value_text(c))
            .filter(|v| v.len() == 8)
            .filter_map(|v| u32::from_str_radix(&v, 16).ok())
            .collect();
        let mut parts = vec![Msg::Bi("report channels", "上报通道"), Msg::Str(": ")];
        if channels.is_empty() {
            parts.push(Msg::Bi("none", "无"));
        }
        for (i, o) in channels.into_iter().enumerate() {
            if i > 0 {
                parts.push(Msg::Bi(", ", "、"));
            }
            parts.push(Msg::Code(text::channel, o.into()));
        }
        d.set_text(n, Msg::Concat(parts.into_boxed_slice()));
    }
    n
}

/// A DAR (data access result).
fn dar(d: &mut Dec, parent: NodeRef) -> NodeRef {
    let (n, v) = d.byte(parent, "dlt698.apdu.dar", NodeKind::Data);
    if let Some(v) = v.filter(|&v| dictionary::dar_names(v).is_some()) {
        d.set_text(n, Msg::Code(text::dar, v.into()));
    }
    n
}

/// An item that starts with an OAD read at `s`: its value is the OAD and its
/// text the OAD's.
fn name_by_oad(d: &mut Dec, n: NodeRef, s: usize, oad: NodeRef, v: Option<(u16, u8, u8)>) {
    if v.is_some() {
        let hex = d.hex(s, 4);
        d.set_value(n, hex);
    }
    let text = d.text_of(oad);
    if !text.is_none() {
        d.set_text(n, text);
    }
}

/// A-ResultNormal: OAD and Get-Result (DAR [0] or Data [1]).
fn result_normal(d: &mut Dec, parent: NodeRef) -> NodeRef {
    let (n, s) = d.open(parent, "dlt698.apdu.result");
    let (o, v) = d.oad(n, "dlt698.apdu.result.oad");
    get_result(d, n, v);
    d.close(n, s);
    name_by_oad(d, n, s, o, v);
    n
}

fn get_result(d: &mut Dec, n: NodeRef, oad: Option<(u16, u8, u8)>) {
    let (c, k) = d.byte(n, "dlt698.apdu.result.choice", NodeKind::Control);
    let text = match k {
        Some(0) => Msg::Bi("error (DAR)", "错误信息 DAR"),
        Some(1) => Msg::Bi("data", "数据"),
        _ => Msg::Str(""),
    };
    d.set_text(c, text);
    match k {
        Some(0) => {
            dar(d, n);
        }
        Some(1) => {
            attribute_data(d, n, oad);
        }
        Some(_) => bad_choice(d, msg!("unknown result choice", "未知的结果选择")),
        None => {}
    }
}

/// GetRecord: OAD, RSD, RCSD.
fn get_record(d: &mut Dec, n: NodeRef) {
    d.oad(n, GET.oad);
    d.rsd(n, "dlt698.data.rsd");
    d.rcsd(n, "dlt698.data.rcsd");
}

/// A-ResultRecord: OAD, RCSD, then DAR [0] or rows of one Data per column [1].
fn result_record(d: &mut Dec, parent: NodeRef) -> NodeRef {
    let (n, s) = d.open(parent, "dlt698.apdu.record");
    let (o, v) = d.oad(n, "dlt698.apdu.result.oad");
    let (_, cols) = d.rcsd(n, "dlt698.data.rcsd");
    let (_, k) = d.byte(n, "dlt698.apdu.result.choice", NodeKind::Control);
    match k {
        Some(0) => {
            dar(d, n);
        }
        Some(1) => {
            let (_, rows) = d.count(n, "dlt698.apdu.record.rows");
            if cols.is_empty() && rows.unwrap_or(0) > 0 {
                let at = d.pos();
                d.fail_at(at, "dlt698.apdu.bad-record", msg!("record rows without columns", "记录行没有列"));
            }
            d.items(n, rows.unwrap_or(0), |d, p, _| row(d, p, &cols));
        }
        Some(_) => bad_choice(d, msg!("unknown record choice", "未知的记录响应选择")),
        None => {}
    }
    d.close(n, s);
    name_by_oad(d, n, s, o, v);
    n
}

fn row(d: &mut Dec, parent: NodeRef, cols: &[Column]) {
    let (n, s) = d.open(parent, "dlt698.apdu.record.row");
    for c in cols {
        if d.failed {
            break;
        }
        let hint = if c.road { None } else { dictionary::hint(c.oi, c.attr) };
        let v = d.data(n, hint);
        d.prepend(v, Msg::Code(text::hex8, c.oad().into()), ": ");
    }
    d.close(n, s);
}

/// An item of OAD and Data.
fn oad_data(d: &mut Dec, parent: NodeRef, id: &'static str) -> NodeRef {
    let (n, s) = d.open(parent, id);
    let (o, v) = d.oad(n, "dlt698.apdu.item.oad");
    attribute_data(d, n, v);
    d.close(n, s);
    let text = d.text_of(o);
    if !text.is_none() {
        d.set_text(n, text);
    }
    n
}

/// An item of OAD and DAR.
fn oad_dar(d: &mut Dec, parent: NodeRef, id: &'static str) -> NodeRef {
    let (n, s) = d.open(parent, id);
    d.oad(n, "dlt698.apdu.item.oad");
    dar(d, n);
    d.close(n, s);
    n
}

/// OMD, DAR, Data OPTIONAL.
fn action_result(d: &mut Dec, n: NodeRef) {
    d.omd(n, "dlt698.apdu.action.omd");
    dar(d, n);
    if optional(d, n, "dlt698.apdu.action.return") {
        d.data(n, None);
    }
}

/// Negotiated parameters shared by CONNECT-Request and CONNECT-Response.
fn connect_params(d: &mut Dec, root: NodeRef) {
    uint(d, root, "dlt698.apdu.connect.version", 2);
    d.raw(root, "dlt698.apdu.connect.protocol-conformance", 8);
    d.raw(root, "dlt698.apdu.connect.function-conformance", 16);
    uint(d, root, "dlt698.apdu.connect.send-max", 2);
    uint(d, root, "dlt698.apdu.connect.receive-max", 2);
    uint(d, root, "dlt698.apdu.connect.window", 1);
    uint(d, root, "dlt698.apdu.connect.apdu-max", 2);
    let (n, _) = uint(d, root, "dlt698.apdu.connect.timeout", 4);
    d.set_unit(n, Msg::Str("s"));
}

/// FollowReport OPTIONAL: SEQUENCE OF A-ResultNormal [1] or A-ResultRecord [2].
fn follow_report(d: &mut Dec, root: NodeRef) {
    if d.failed {
        return;
    }
    if d.at_end() {
        missing_optional(d);
        return;
    }
    let (n, s) = d.open(root, "dlt698.apdu.follow-report");
    if optional(d, n, "dlt698.apdu.follow-report.flag") {
        let (_, k) = d.byte(n, "dlt698.apdu.follow-report.choice", NodeKind::Control);
        match k {
            Some(1) => seq(d, n, |d, p| {
                result_normal(d, p);
            }),
            Some(2) => seq(d, n, |d, p| {
                result_record(d, p);
            }),
            Some(_) => bad_choice(d, msg!("unknown follow report", "未知的跟随上报信息")),
            None => {}
        }
    }
    d.close(n, s);
}

/// TimeTag OPTIONAL: send time (date_time_s) and allowed delay (TI).
fn time_tag(d: &mut Dec, root: NodeRef) {
    if d.failed {
        return;
    }
    if d.at_end() {
        missing_optional(d);
        return;
    }
    let (n, s) = d.open(root, "dlt698.apdu.time-tag");
    if optional(d, n, "dlt698.apdu.time-tag.flag") {
        d.date_time(n, "dlt698.apdu.time-tag.send-time", 7);
        d.ti(n, "dlt698.apdu.time-tag.delay");
    }
    d.close(n, s);
}

fn missing_optional(d: &mut Dec) {
    let at = d.abs();
    let m =
        msg!("the APDU ends where an OPTIONAL field's flag byte is expected", "APDU 在应有 OPTIONAL 标志字节处结束");
    d.diag(Severity::Warning, Span::at(at, 0), "dlt698.apdu.optional-missing", m);
}
