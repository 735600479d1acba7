//! Application layer: every APDU of DL/T 698.45 clause 6.3 (LINK, CONNECT,
//! RELEASE, GET, SET, ACTION, REPORT, PROXY, SECURITY, ERROR) with PIID,
//! FollowReport and TimeTag where the grammar allows them.
//!
//! Client APDUs (tags 0x01–0x10) end with `TimeTag OPTIONAL`; server APDUs
//! (0x81–0x90, 0xEE) with `FollowReport OPTIONAL, TimeTag OPTIONAL`. LINK and
//! SECURITY APDUs have neither.

use super::data::{Column, Dec, tag};
use super::dictionary::{self, Hint};
use crate::lang::Lang;
use crate::registry::Options;
use crate::span::Span;
use crate::view::{Diagnostic, Node, NodeKind};

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
    SERVICES.iter().find(|s| s.0 == t).map(|s| s.1)
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

/// Dissect an APDU on its own (no link layer). `base` is the absolute offset of
/// `bytes[0]`. Returns the APDU node and the diagnostics found.
pub fn dissect_apdu(bytes: &[u8], base: usize, opts: &Options) -> (Node, Vec<Diagnostic>) {
    let mut d = Dec::new(bytes, base, opts.lang);
    let node = apdu(&mut d);
    let mut node = node;
    if !d.at_end() {
        let start = d.pos();
        let rest_len = d.remaining();
        if !d.failed {
            let msg = match d.lang {
                Lang::En => format!("{rest_len} byte(s) after the end of the APDU"),
                Lang::Zh => format!("APDU 结束后还有 {rest_len} 个字节"),
            };
            let at = d.abs();
            d.diags.push(Diagnostic::warning(Span::at(at, rest_len), "dlt698.apdu.trailing", msg));
        }
        let (mut rest, _) = d.raw("dlt698.apdu.rest", rest_len);
        rest.kind = NodeKind::Unknown;
        node.push(rest);
        node.span = node.span.cover(d.span_from(start));
    }
    (node, d.diags)
}

fn apdu(d: &mut Dec) -> Node {
    let start = d.pos();
    let lang = d.lang;
    let (mut tag_node, t) = d.byte("dlt698.apdu.tag", NodeKind::Control);
    let mut root = d.node("dlt698.apdu", start);
    let Some(t) = t else {
        root.push(tag_node);
        return d.close(root, start);
    };
    tag_node.value = Some(format!("0x{t:02X}"));
    let Some(&(_, en, zh)) = SERVICES.iter().find(|s| s.0 == t) else {
        let (m_en, m_zh) = (format!("unknown APDU tag 0x{t:02X}"), format!("未知的 APDU 类型 0x{t:02X}"));
        d.fail_at(start, "dlt698.apdu.unknown", &m_en, &m_zh);
        root.push(tag_node.text(lang.pick(&m_en, &m_zh).to_string()));
        return d.close(root, start).kind(NodeKind::Unknown);
    };
    root.push(tag_node.text(lang.pick(en, zh)));
    let mut service = en.to_string();
    let server = t & 0x80 != 0;

    match t {
        0x01 => {
            piid(d, &mut root, &LINK, true);
            enum_field(
                d,
                &mut root,
                "dlt698.apdu.link.type",
                &[(0, "login", "登录"), (1, "heartbeat", "心跳"), (2, "logout", "退出登录")],
            );
            let (n, _) = uint(d, "dlt698.apdu.link.heartbeat", 2);
            root.push(n.unit("s"));
            root.push(d.date_time("dlt698.apdu.link.time", 10));
        }
        0x81 => {
            piid(d, &mut root, &LINK, false);
            let (mut r, v) = d.byte("dlt698.apdu.link.result", NodeKind::Data);
            if let Some(v) = v {
                let names = [
                    ("success", "成功"),
                    ("duplicate address", "地址重复"),
                    ("illegal device", "非法设备"),
                    ("capacity insufficient", "容量不足"),
                ];
                let res = names.get((v & 0x07) as usize).map(|n| lang.pick(n.0, n.1)).unwrap_or("?");
                let clock = if v & 0x80 != 0 {
                    lang.pick("clock trusted", "时钟可信")
                } else {
                    lang.pick("clock not trusted", "时钟不可信")
                };
                r = r.text(format!("{res}, {clock}"));
            }
            root.push(r);
            for id in
                ["dlt698.apdu.link.request-time", "dlt698.apdu.link.receive-time", "dlt698.apdu.link.response-time"]
            {
                root.push(d.date_time(id, 10));
            }
        }
        0x02 => {
            piid(d, &mut root, &CONNECT, false);
            connect_params(d, &mut root, false);
            let (mut c, k) = d.byte("dlt698.apdu.connect.mechanism", NodeKind::Control);
            let names = [
                ("null security", "公共连接"),
                ("password", "一般密码"),
                ("symmetric", "对称加密"),
                ("signature", "数字签名"),
            ];
            if let Some(k) = k {
                if let Some(n) = names.get(k as usize) {
                    c = c.text(lang.pick(n.0, n.1));
                }
                root.push(c);
                match k {
                    0 => {}
                    1 => root.push(d.typed(tag::VISIBLE_STRING, "dlt698.apdu.connect.password")),
                    2 | 3 => {
                        root.push(d.octets("dlt698.apdu.connect.ciphertext"));
                        root.push(d.octets("dlt698.apdu.connect.signature"));
                    }
                    _ => {
                        d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown connect mechanism", "未知的认证机制")
                    }
                }
            } else {
                root.push(c);
            }
        }
        0x82 => {
            piid(d, &mut root, &CONNECT, true);
            let fv_start = d.pos();
            let mut fv = d.node("dlt698.apdu.connect.factory", fv_start);
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
                let mut f = d.node(id, s);
                if let Some(b) = b {
                    f = f.value(String::from_utf8_lossy(b).into_owned());
                }
                fv.push(f);
            }
            root.push(d.close(fv, fv_start));
            connect_params(d, &mut root, true);
            enum_field(
                d,
                &mut root,
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
            if optional(d, &mut root, "dlt698.apdu.connect.security") {
                root.push(d.octets("dlt698.apdu.connect.server-rn"));
                root.push(d.octets("dlt698.apdu.connect.server-signature"));
            }
        }
        0x03 => piid(d, &mut root, &RELEASE, false),
        0x83 => {
            piid(d, &mut root, &RELEASE, true);
            enum_field(d, &mut root, "dlt698.apdu.release.result", &[(0, "success", "成功")]);
        }
        0x84 => {
            piid(d, &mut root, &RELEASE, true);
            root.push(d.date_time("dlt698.apdu.release.connect-time", 7));
            root.push(d.date_time("dlt698.apdu.release.server-time", 7));
        }
        0x05 | 0x85 | 0x06 | 0x86 | 0x07 | 0x87 | 0x08 | 0x88 | 0x09 | 0x89 => {
            let group = t & 0x7F;
            let (mut c, k) = d.byte("dlt698.apdu.choice", NodeKind::Control);
            let name = k.and_then(|k| CHOICES.iter().find(|x| x.0 == group && x.1 == k)).map(|x| x.2);
            if let Some(n) = name {
                c = c.text(n);
                service = format!("{en}-{n}");
            }
            root.push(c);
            match (t, k, name) {
                (_, None, _) => {}
                (_, Some(k), None) => {
                    let at = d.pos() - 1;
                    let (m_en, m_zh) = (format!("unknown {en} choice {k}"), format!("未知的{zh}选择 {k}"));
                    d.fail_at(at, "dlt698.apdu.unknown", &m_en, &m_zh);
                }
                (_, Some(k), Some(_)) => service_body(d, &mut root, t, k),
            }
        }
        0x10 => {
            let (mut c, k) = d.byte("dlt698.apdu.security.choice", NodeKind::Control);
            c = c.text(match k {
                Some(0) => lang.pick("plaintext APDU", "明文应用数据单元"),
                Some(1) => lang.pick("ciphertext APDU", "密文应用数据单元"),
                _ => "",
            });
            root.push(c);
            match k {
                Some(0) => inner_apdu(d, &mut root),
                Some(1) => root.push(d.octets("dlt698.apdu.security.ciphertext")),
                Some(_) => d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown security data", "未知的安全数据"),
                None => {}
            }
            let (mut v, k) = d.byte("dlt698.apdu.security.verify", NodeKind::Control);
            let names =
                [("SID_MAC", "数据验证码"), ("RN", "随机数"), ("RN_MAC", "随机数+数据MAC"), ("SID", "安全标识")];
            if let Some(n) = k.and_then(|k| names.get(k as usize)) {
                v = v.text(lang.pick(n.0, n.1));
            }
            root.push(v);
            match k {
                Some(0) => root.push(d.typed(tag::SID_MAC, "dlt698.data.sid_mac")),
                Some(1) => root.push(d.octets("dlt698.data.rn")),
                Some(2) => {
                    root.push(d.octets("dlt698.data.rn"));
                    root.push(d.octets("dlt698.data.mac"));
                }
                Some(3) => root.push(d.typed(tag::SID, "dlt698.data.sid")),
                Some(_) => {
                    d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown verification", "未知的数据验证信息")
                }
                None => {}
            }
            return finish(d, root, start, service);
        }
        0x90 => {
            let (mut c, k) = d.byte("dlt698.apdu.security.choice", NodeKind::Control);
            c = c.text(match k {
                Some(0) => lang.pick("plaintext APDU", "明文应用数据单元"),
                Some(1) => lang.pick("ciphertext APDU", "密文应用数据单元"),
                Some(2) => lang.pick("error", "异常错误"),
                _ => "",
            });
            root.push(c);
            match k {
                Some(0) => inner_apdu(d, &mut root),
                Some(1) => root.push(d.octets("dlt698.apdu.security.ciphertext")),
                Some(2) => root.push(dar(d)),
                Some(_) => d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown security data", "未知的安全数据"),
                None => {}
            }
            if optional(d, &mut root, "dlt698.apdu.security.verify") {
                let (c, k) = d.byte("dlt698.apdu.security.mac-choice", NodeKind::Control);
                root.push(c);
                match k {
                    Some(0) => root.push(d.octets("dlt698.data.mac")),
                    Some(_) => {
                        d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown verification", "未知的数据验证信息")
                    }
                    None => {}
                }
            }
            return finish(d, root, start, service);
        }
        0xEE => {
            piid(d, &mut root, &ERROR, true);
            enum_field(
                d,
                &mut root,
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
            follow_report(d, &mut root);
        }
        time_tag(d, &mut root);
    }
    finish(d, root, start, service)
}

fn rest_span(d: &Dec, len: usize) -> Span {
    Span::new(d.abs() - len, d.abs())
}

fn finish(d: &mut Dec, root: Node, start: usize, service: String) -> Node {
    let root = d.close(root, start);
    root.value(service)
}

/// The inner APDU of a plaintext SECURITY APDU: octet-string holding an APDU.
fn inner_apdu(d: &mut Dec, root: &mut Node) {
    let (len, n) = d.count("dlt698.data.length");
    root.push(len);
    let Some(n) = n else { return };
    if n > d.remaining() {
        d.take(n);
        return;
    }
    let inner = d.window(n, |d| {
        let mut node = apdu(d);
        if !d.failed && !d.at_end() {
            let rest_len = d.remaining();
            let (en, zh) = (
                format!("{rest_len} byte(s) after the end of the inner APDU"),
                format!("内层 APDU 结束后还有 {rest_len} 个字节"),
            );
            let at = d.abs();
            d.diags.push(Diagnostic::warning(Span::at(at, rest_len), "dlt698.apdu.trailing", d.lang.pick(&en, &zh)));
            let (mut rest, _) = d.raw("dlt698.apdu.rest", rest_len);
            rest.kind = NodeKind::Unknown;
            node.push(rest);
            node.span = node.span.cover(rest_span(d, rest_len));
        }
        node
    });
    root.children.extend(inner);
}

/// The body of GET, SET, ACTION, REPORT and PROXY by choice.
fn service_body(d: &mut Dec, root: &mut Node, t: u8, k: u8) {
    match (t, k) {
        // GET-Request
        (0x05, 1) | (0x05, 6) => {
            piid(d, root, &GET, false);
            root.push(d.oad(GET.oad).0);
        }
        (0x05, 2) => {
            piid(d, root, &GET, false);
            seq(d, root, |d, _| d.oad(GET.oad).0);
        }
        (0x05, 3) => {
            piid(d, root, &GET, false);
            get_record(d, root);
        }
        (0x05, 4) => {
            piid(d, root, &GET, false);
            seq(d, root, |d, _| {
                let s = d.pos();
                let mut n = d.node("dlt698.apdu.get.record", s);
                get_record(d, &mut n);
                d.close(n, s)
            });
        }
        (0x05, 5) => {
            piid(d, root, &GET, false);
            root.push(uint(d, "dlt698.apdu.get.last-block", 2).0);
        }
        // GET-Response
        (0x85, 1) => {
            piid(d, root, &GET, true);
            root.push(result_normal(d));
        }
        (0x85, 2) => {
            piid(d, root, &GET, true);
            seq(d, root, |d, _| result_normal(d));
        }
        (0x85, 3) => {
            piid(d, root, &GET, true);
            root.push(result_record(d));
        }
        (0x85, 4) => {
            piid(d, root, &GET, true);
            seq(d, root, |d, _| result_record(d));
        }
        (0x85, 5) => {
            piid(d, root, &GET, true);
            let (mut last, v) = d.byte("dlt698.apdu.get.last-frame", NodeKind::Data);
            if let Some(v) = v {
                last = last.text(if v != 0 {
                    d.lang.pick("last block", "末帧")
                } else {
                    d.lang.pick("more blocks follow", "还有后续帧")
                });
            }
            root.push(last);
            root.push(uint(d, "dlt698.apdu.get.block", 2).0);
            let (c, k) = d.byte("dlt698.apdu.get.answer", NodeKind::Control);
            root.push(c);
            match k {
                Some(0) => root.push(dar(d)),
                Some(1) => seq(d, root, |d, _| result_normal(d)),
                Some(2) => seq(d, root, |d, _| result_record(d)),
                Some(_) => {
                    d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown answer choice", "未知的响应数据选择")
                }
                None => {}
            }
        }
        (0x85, 6) => {
            piid(d, root, &GET, true);
            root.push(d.oad(GET.oad).0);
            let (c, k) = d.byte("dlt698.apdu.result.choice", NodeKind::Control);
            root.push(c);
            match k {
                Some(0) => root.push(dar(d)),
                Some(1) => root.push(d.octets("dlt698.apdu.get.md5")),
                Some(_) => d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown result choice", "未知的结果选择"),
                None => {}
            }
        }
        // SET-Request
        (0x06, 1) => {
            piid(d, root, &SET, false);
            let (o, v) = d.oad(SET.oad);
            root.push(o);
            root.push(attribute_data(d, v));
        }
        (0x06, 2) => {
            piid(d, root, &SET, false);
            seq(d, root, |d, _| oad_data(d, "dlt698.apdu.set.item"));
        }
        (0x06, 3) => {
            piid(d, root, &SET, false);
            seq(d, root, |d, _| {
                let s = d.pos();
                let mut n = oad_data(d, "dlt698.apdu.set.item");
                n.push(d.oad("dlt698.apdu.set.get-oad").0);
                n.push(d.byte("dlt698.apdu.set.delay", NodeKind::Data).0.unit("s"));
                d.close(n, s)
            });
        }
        // SET-Response
        (0x86, 1) => {
            piid(d, root, &SET, true);
            root.push(d.oad(SET.oad).0);
            root.push(dar(d));
        }
        (0x86, 2) => {
            piid(d, root, &SET, true);
            seq(d, root, |d, _| oad_dar(d, "dlt698.apdu.set.item"));
        }
        (0x86, 3) => {
            piid(d, root, &SET, true);
            seq(d, root, |d, _| {
                let s = d.pos();
                let mut n = oad_dar(d, "dlt698.apdu.set.item");
                let r = result_normal(d);
                n.push(r);
                d.close(n, s)
            });
        }
        // ACTION-Request
        (0x07, 1) => {
            piid(d, root, &ACTION, false);
            root.push(d.omd("dlt698.apdu.action.omd"));
            root.push(d.data(None));
        }
        (0x07, 2) | (0x07, 3) => {
            piid(d, root, &ACTION, false);
            let then_get = k == 3;
            seq(d, root, |d, _| {
                let s = d.pos();
                let mut n = d.node("dlt698.apdu.action.item", s);
                n.push(d.omd("dlt698.apdu.action.omd"));
                n.push(d.data(None));
                if then_get {
                    n.push(d.oad(ACTION.oad).0);
                    n.push(d.byte("dlt698.apdu.action.delay", NodeKind::Data).0.unit("s"));
                }
                d.close(n, s)
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
            seq(d, root, |d, _| {
                let s = d.pos();
                let mut n = d.node("dlt698.apdu.action.item", s);
                action_result(d, &mut n);
                if then_get {
                    n.push(result_normal(d));
                }
                d.close(n, s)
            });
        }
        // REPORT-Response
        (0x08, 1) | (0x08, 2) => {
            piid(d, root, &REPORT, false);
            seq(d, root, |d, _| d.oad(REPORT.oad).0);
        }
        (0x08, 3) => piid(d, root, &REPORT, false),
        // REPORT-Notification
        (0x88, 1) => {
            piid(d, root, &REPORT, true);
            seq(d, root, |d, _| result_normal(d));
        }
        (0x88, 2) => {
            piid(d, root, &REPORT, true);
            seq(d, root, |d, _| result_record(d));
        }
        (0x88, 3) => {
            piid(d, root, &REPORT, true);
            root.push(d.oad(REPORT.oad).0);
            seq(d, root, |d, _| d.octets("dlt698.apdu.report.trans-data"));
        }
        // PROXY-Request
        (0x09, 1) | (0x09, 3) | (0x09, 4) | (0x09, 5) | (0x09, 6) => {
            piid(d, root, &PROXY, false);
            root.push(uint(d, "dlt698.apdu.proxy.timeout", 2).0.unit("s"));
            seq(d, root, |d, _| {
                let s = d.pos();
                let mut n = d.node("dlt698.apdu.proxy.server", s);
                n.push(d.tsa("dlt698.data.tsa"));
                n.push(uint(d, "dlt698.apdu.proxy.timeout", 2).0.unit("s"));
                seq(d, &mut n, |d, _| match k {
                    1 => d.oad(PROXY.oad).0,
                    3 => oad_data(d, "dlt698.apdu.proxy.item"),
                    4 => {
                        let s = d.pos();
                        let mut n = oad_data(d, "dlt698.apdu.proxy.item");
                        n.push(d.oad(PROXY.oad).0);
                        n.push(d.byte("dlt698.apdu.proxy.delay", NodeKind::Data).0.unit("s"));
                        d.close(n, s)
                    }
                    _ => {
                        let s = d.pos();
                        let mut n = d.node("dlt698.apdu.proxy.item", s);
                        n.push(d.omd("dlt698.apdu.action.omd"));
                        n.push(d.data(None));
                        if k == 6 {
                            n.push(d.oad(PROXY.oad).0);
                            n.push(d.byte("dlt698.apdu.proxy.delay", NodeKind::Data).0.unit("s"));
                        }
                        d.close(n, s)
                    }
                });
                d.close(n, s)
            });
        }
        (0x09, 2) => {
            piid(d, root, &PROXY, false);
            root.push(uint(d, "dlt698.apdu.proxy.timeout", 2).0.unit("s"));
            root.push(d.tsa("dlt698.data.tsa"));
            get_record(d, root);
        }
        (0x09, 7) => {
            piid(d, root, &PROXY, false);
            root.push(d.oad("dlt698.apdu.proxy.port").0);
            root.push(d.comdcb("dlt698.data.comdcb"));
            root.push(uint(d, "dlt698.apdu.proxy.frame-timeout", 2).0.unit("s"));
            root.push(uint(d, "dlt698.apdu.proxy.byte-timeout", 2).0.unit("ms"));
            root.push(d.octets("dlt698.apdu.proxy.command"));
        }
        // PROXY-Response
        (0x89, 2) => {
            piid(d, root, &PROXY, true);
            root.push(d.tsa("dlt698.data.tsa"));
            root.push(result_record(d));
        }
        (0x89, 7) => {
            piid(d, root, &PROXY, true);
            root.push(d.oad("dlt698.apdu.proxy.port").0);
            let (c, k) = d.byte("dlt698.apdu.result.choice", NodeKind::Control);
            root.push(c);
            match k {
                Some(0) => root.push(dar(d)),
                Some(1) => root.push(d.octets("dlt698.apdu.proxy.response")),
                Some(_) => d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown result choice", "未知的结果选择"),
                None => {}
            }
        }
        (0x89, _) => {
            piid(d, root, &PROXY, true);
            seq(d, root, |d, _| {
                let s = d.pos();
                let mut n = d.node("dlt698.apdu.proxy.server", s);
                n.push(d.tsa("dlt698.data.tsa"));
                seq(d, &mut n, |d, _| match k {
                    1 => result_normal(d),
                    3 => oad_dar(d, "dlt698.apdu.proxy.item"),
                    4 => {
                        let s = d.pos();
                        let mut n = oad_dar(d, "dlt698.apdu.proxy.item");
                        n.push(result_normal(d));
                        d.close(n, s)
                    }
                    _ => {
                        let s = d.pos();
                        let mut n = d.node("dlt698.apdu.proxy.item", s);
                        action_result(d, &mut n);
                        if k == 6 {
                            n.push(result_normal(d));
                        }
                        d.close(n, s)
                    }
                });
                d.close(n, s)
            });
        }
        _ => {}
    }
}

/// PIID (client) or PIID-ACD (server): priority bit 7, ACD bit 6, sequence 5..0.
fn piid(d: &mut Dec, root: &mut Node, svc: &Svc, acd: bool) {
    let lang = d.lang;
    let (mut n, b) = d.byte(svc.piid, NodeKind::Control);
    if let Some(b) = b {
        let span = n.span;
        let prio = if b & 0x80 != 0 {
            lang.pick("high priority", "高优先级")
        } else {
            lang.pick("normal priority", "一般优先级")
        };
        let mut text = format!("{prio}, {} {}", lang.pick("sequence", "序号"), b & 0x3F);
        n.push(
            Node::new(d.id("dlt698.piid.priority"), lang.label("dlt698.piid.priority"), span)
                .value((b >> 7).to_string())
                .text(prio),
        );
        if acd {
            n.push(
                Node::new(d.id("dlt698.piid.acd"), lang.label("dlt698.piid.acd"), span)
                    .value(((b >> 6) & 1).to_string()),
            );
            if b & 0x40 != 0 {
                text.push_str(lang.pick(", access requested", "，请求访问"));
            }
        }
        n.push(Node::new(d.id("dlt698.piid.seq"), lang.label("dlt698.piid.seq"), span).value((b & 0x3F).to_string()));
        n = n.text(text);
    }
    root.push(n);
}

/// An unsigned big-endian number of `n` bytes.
fn uint(d: &mut Dec, id: &'static str, n: usize) -> (Node, Option<u64>) {
    let s = d.pos();
    let b = d.take(n);
    let node = d.node(id, s);
    match b {
        Some(b) => {
            let v = b.iter().fold(0u64, |a, &x| (a << 8) | x as u64);
            (node.value(v.to_string()), Some(v))
        }
        None => (node, None),
    }
}

/// An enumerated byte with named values.
fn enum_field(d: &mut Dec, root: &mut Node, id: &'static str, names: &[(u8, &str, &str)]) -> Option<u8> {
    let (mut n, v) = d.byte(id, NodeKind::Data);
    if let Some(x) = v.and_then(|v| names.iter().find(|e| e.0 == v)) {
        n = n.text(d.lang.pick(x.1, x.2));
    }
    root.push(n);
    v
}

/// An OPTIONAL flag byte; true when the value follows.
fn optional(d: &mut Dec, root: &mut Node, id: &'static str) -> bool {
    let at = d.pos();
    let (mut n, v) = d.byte(id, NodeKind::Control);
    let present = match v {
        Some(0) => {
            n = n.text(d.lang.pick("absent", "无"));
            false
        }
        Some(1) => {
            n = n.text(d.lang.pick("present", "有"));
            true
        }
        Some(_) => {
            d.fail_at(at, "dlt698.apdu.bad-optional", "an OPTIONAL flag is 0 or 1", "OPTIONAL 标志应为 0 或 1");
            false
        }
        None => false,
    };
    root.push(n);
    present
}

/// SEQUENCE OF: count, then items.
fn seq(d: &mut Dec, root: &mut Node, item: impl FnMut(&mut Dec, usize) -> Node) {
    let (len, n) = d.count("dlt698.apdu.count");
    root.push(len);
    d.items(root, n.unwrap_or(0), item);
}

fn hint_of(oad: Option<(u16, u8, u8)>) -> Option<Hint> {
    oad.and_then(|(oi, attr, _)| dictionary::hint(oi, attr))
}

/// The Data value of attribute `oad`: numbers scaled with the dictionary's
/// scaler and unit; the report switches of the electrical device (4300
/// attributes 7, 8, 9) and its report channels (attribute 10) named.
fn attribute_data(d: &mut Dec, oad: Option<(u16, u8, u8)>) -> Node {
    let mut n = d.data(hint_of(oad));
    let Some((oi, attr, index)) = oad else { return n };
    let lang = d.lang;
    let data_tag = n.children.first().and_then(|c| c.value.as_deref()).and_then(|v| v.parse::<u8>().ok());
    if data_tag == Some(tag::BOOL) {
        let on = n.value.as_deref() == Some("true");
        if let Some(m) = dictionary::switch_meaning(oi, attr, on, lang) {
            n.text = Some(m.to_string());
        }
    } else if dictionary::is_report_channels(oi, attr) && index == 0 && data_tag == Some(tag::ARRAY) {
        let names: Vec<String> = n
            .children
            .iter()
            .filter_map(|c| c.value.as_deref())
            .filter(|v| v.len() == 8)
            .filter_map(|v| u32::from_str_radix(v, 16).ok())
            .map(|o| channel_name(o, lang))
            .collect();
        let head = lang.pick("report channels", "上报通道");
        n.text = Some(if names.is_empty() {
            format!("{head}: {}", lang.pick("none", "无"))
        } else {
            format!("{head}: {}", names.join(lang.pick(", ", "、")))
        });
    }
    n
}

/// A report channel by its OAD: the interface's name and port number (`RS485 1`).
fn channel_name(o: u32, lang: Lang) -> String {
    let (oi, index) = ((o >> 16) as u16, o & 0xFF);
    match dictionary::object_name(oi, lang) {
        Some(name) if index > 0 => format!("{name} {index}"),
        Some(name) => name,
        None => format!("{o:08X}"),
    }
}

/// A DAR (data access result).
fn dar(d: &mut Dec) -> Node {
    let (n, v) = d.byte("dlt698.apdu.dar", NodeKind::Data);
    match v.and_then(|v| dictionary::dar_name(v, d.lang)) {
        Some(t) => n.text(t),
        None => n,
    }
}

/// A-ResultNormal: OAD and Get-Result (DAR [0] or Data [1]).
fn result_normal(d: &mut Dec) -> Node {
    let s = d.pos();
    let mut n = d.node("dlt698.apdu.result", s);
    let (o, v) = d.oad("dlt698.apdu.result.oad");
    let text = o.text.clone();
    n.push(o);
    get_result(d, &mut n, v);
    let n = d.close(n, s);
    let n = match v {
        Some((oi, a, i)) => n.value(format!("{oi:04X}{a:02X}{i:02X}")),
        None => n,
    };
    match text {
        Some(t) => n.text(t),
        None => n,
    }
}

fn get_result(d: &mut Dec, n: &mut Node, oad: Option<(u16, u8, u8)>) {
    let (mut c, k) = d.byte("dlt698.apdu.result.choice", NodeKind::Control);
    c = c.text(match k {
        Some(0) => d.lang.pick("error (DAR)", "错误信息 DAR"),
        Some(1) => d.lang.pick("data", "数据"),
        _ => "",
    });
    n.push(c);
    match k {
        Some(0) => n.push(dar(d)),
        Some(1) => n.push(attribute_data(d, oad)),
        Some(_) => d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown result choice", "未知的结果选择"),
        None => {}
    }
}

/// GetRecord: OAD, RSD, RCSD.
fn get_record(d: &mut Dec, n: &mut Node) {
    n.push(d.oad(GET.oad).0);
    n.push(d.rsd("dlt698.data.rsd"));
    n.push(d.rcsd("dlt698.data.rcsd").0);
}

/// A-ResultRecord: OAD, RCSD, then DAR [0] or rows of one Data per column [1].
fn result_record(d: &mut Dec) -> Node {
    let s = d.pos();
    let mut n = d.node("dlt698.apdu.record", s);
    let (o, v) = d.oad("dlt698.apdu.result.oad");
    let text = o.text.clone();
    n.push(o);
    let (rcsd, cols) = d.rcsd("dlt698.data.rcsd");
    n.push(rcsd);
    let (c, k) = d.byte("dlt698.apdu.result.choice", NodeKind::Control);
    n.push(c);
    match k {
        Some(0) => n.push(dar(d)),
        Some(1) => {
            let (len, rows) = d.count("dlt698.apdu.record.rows");
            n.push(len);
            if cols.is_empty() && rows.unwrap_or(0) > 0 {
                let at = d.pos();
                d.fail_at(at, "dlt698.apdu.bad-record", "record rows without columns", "记录行没有列");
            }
            d.items(&mut n, rows.unwrap_or(0), |d, _| row(d, &cols));
        }
        Some(_) => d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown record choice", "未知的记录响应选择"),
        None => {}
    }
    let n = d.close(n, s);
    let n = match v {
        Some((oi, a, i)) => n.value(format!("{oi:04X}{a:02X}{i:02X}")),
        None => n,
    };
    match text {
        Some(t) => n.text(t),
        None => n,
    }
}

fn row(d: &mut Dec, cols: &[Column]) -> Node {
    let s = d.pos();
    let mut n = d.node("dlt698.apdu.record.row", s);
    for c in cols {
        if d.failed {
            break;
        }
        let hint = if c.road { None } else { dictionary::hint(c.oi, c.attr) };
        let mut v = d.data(hint);
        let col = format!("{:04X}{:02X}{:02X}", c.oi, c.attr, c.index);
        v.text = Some(match v.text.take() {
            Some(t) => format!("{col}: {t}"),
            None => col,
        });
        n.push(v);
    }
    d.close(n, s)
}

/// An item of OAD and Data.
fn oad_data(d: &mut Dec, id: &'static str) -> Node {
    let s = d.pos();
    let mut n = d.node(id, s);
    let (o, v) = d.oad("dlt698.apdu.item.oad");
    let text = o.text.clone();
    n.push(o);
    n.push(attribute_data(d, v));
    let n = d.close(n, s);
    match text {
        Some(t) => n.text(t),
        None => n,
    }
}

/// An item of OAD and DAR.
fn oad_dar(d: &mut Dec, id: &'static str) -> Node {
    let s = d.pos();
    let mut n = d.node(id, s);
    n.push(d.oad("dlt698.apdu.item.oad").0);
    n.push(dar(d));
    d.close(n, s)
}

/// OMD, DAR, Data OPTIONAL.
fn action_result(d: &mut Dec, n: &mut Node) {
    n.push(d.omd("dlt698.apdu.action.omd"));
    n.push(dar(d));
    if optional(d, n, "dlt698.apdu.action.return") {
        n.push(d.data(None));
    }
}

/// Negotiated parameters shared by CONNECT-Request and CONNECT-Response.
fn connect_params(d: &mut Dec, root: &mut Node, response: bool) {
    root.push(uint(d, "dlt698.apdu.connect.version", 2).0);
    root.push(d.raw("dlt698.apdu.connect.protocol-conformance", 8).0);
    root.push(d.raw("dlt698.apdu.connect.function-conformance", 16).0);
    root.push(uint(d, "dlt698.apdu.connect.send-max", 2).0);
    root.push(uint(d, "dlt698.apdu.connect.receive-max", 2).0);
    root.push(uint(d, "dlt698.apdu.connect.window", 1).0);
    root.push(uint(d, "dlt698.apdu.connect.apdu-max", 2).0);
    root.push(uint(d, "dlt698.apdu.connect.timeout", 4).0.unit("s"));
    let _ = response;
}

/// FollowReport OPTIONAL: SEQUENCE OF A-ResultNormal [1] or A-ResultRecord [2].
fn follow_report(d: &mut Dec, root: &mut Node) {
    if d.failed {
        return;
    }
    if d.at_end() {
        missing_optional(d);
        return;
    }
    let s = d.pos();
    let mut n = d.node("dlt698.apdu.follow-report", s);
    if optional(d, &mut n, "dlt698.apdu.follow-report.flag") {
        let (c, k) = d.byte("dlt698.apdu.follow-report.choice", NodeKind::Control);
        n.push(c);
        match k {
            Some(1) => seq(d, &mut n, |d, _| result_normal(d)),
            Some(2) => seq(d, &mut n, |d, _| result_record(d)),
            Some(_) => d.fail_at(d.pos() - 1, "dlt698.apdu.bad-choice", "unknown follow report", "未知的跟随上报信息"),
            None => {}
        }
    }
    root.push(d.close(n, s));
}

/// TimeTag OPTIONAL: send time (date_time_s) and allowed delay (TI).
fn time_tag(d: &mut Dec, root: &mut Node) {
    if d.failed {
        return;
    }
    if d.at_end() {
        missing_optional(d);
        return;
    }
    let s = d.pos();
    let mut n = d.node("dlt698.apdu.time-tag", s);
    if optional(d, &mut n, "dlt698.apdu.time-tag.flag") {
        n.push(d.date_time("dlt698.apdu.time-tag.send-time", 7));
        n.push(d.ti("dlt698.apdu.time-tag.delay"));
    }
    root.push(d.close(n, s));
}

fn missing_optional(d: &mut Dec) {
    let at = d.abs();
    let msg = d
        .lang
        .pick("the APDU ends where an OPTIONAL field's flag byte is expected", "APDU 在应有 OPTIONAL 标志字节处结束");
    d.diags.push(Diagnostic::warning(Span::at(at, 0), "dlt698.apdu.optional-missing", msg));
}
