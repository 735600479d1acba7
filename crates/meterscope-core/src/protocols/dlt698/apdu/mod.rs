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

mod fields;
mod services;

use fields::*;
use services::*;

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
    service_row(t).map(|s| (s.1, s.2))
}

/// The row of a service tag's names.
fn service_row(t: u8) -> Option<&'static (u8, &'static str, &'static str)> {
    SERVICES.iter().find(|s| s.0 == t)
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
    let Some(names) = service_row(t) else {
        d.fail_at(start, "dlt698.apdu.unknown", Msg::Code(text::unknown_tag, t.into()));
        d.set_text(tag_node, Msg::Code(text::unknown_tag, t.into()));
        d.close(root, start);
        d.set_kind(root, NodeKind::Unknown);
        return root;
    };
    d.set_text(tag_node, Msg::Bi(names));
    let mut service = Msg::Str(names.1);
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
            static NAMES: [(&str, &str); 4] = [
                ("null security", "公共连接"),
                ("password", "一般密码"),
                ("symmetric", "对称加密"),
                ("signature", "数字签名"),
            ];
            if let Some(k) = k {
                if let Some(words) = NAMES.get(k as usize) {
                    d.set_text(c, Msg::Bi(words));
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
                    Some(0) => crate::msg!("plaintext APDU", "明文应用数据单元"),
                    Some(1) => crate::msg!("ciphertext APDU", "密文应用数据单元"),
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
            static NAMES: [(&str, &str); 4] =
                [("SID_MAC", "数据验证码"), ("RN", "随机数"), ("RN_MAC", "随机数+数据MAC"), ("SID", "安全标识")];
            if let Some(words) = k.and_then(|k| NAMES.get(k as usize)) {
                d.set_text(v, Msg::Bi(words));
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
                    Some(0) => crate::msg!("plaintext APDU", "明文应用数据单元"),
                    Some(1) => crate::msg!("ciphertext APDU", "密文应用数据单元"),
                    Some(2) => crate::msg!("error", "异常错误"),
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
