//! The transport layer (TPL): CI field, short or long header, the
//! configuration field, security modes 5 and 7, and the application data
//! read by the wired family's code.

use super::{Sec, bit16, bytes_node, layer_truncated, no_key, yes_no};
use crate::model::{Check, Msg, NodeKind, NodeRef, ReadDerived, Severity};
use crate::msg;
use crate::protocols::mbus::link::{self, bit};
use crate::protocols::mbus::wireless::crypto::{self, Derived};
use crate::protocols::mbus::{Cx, dict};
use crate::registry::Keys;
use crate::span::Span;
use crate::wire::Cursor;

/// Whether records in this CI go to the device (object actions in VIFEs).
fn to_device(ci: u8) -> bool {
    matches!(ci, 0x50..=0x65 | 0x6C | 0x6D)
}

/// The transport layer (CI field and header) and the application data.
pub(super) fn tpl(cx: &mut Cx, root: NodeRef, cur: &mut Cursor, sec: &mut Sec, keys: &Keys) {
    let start = cur.at();
    let Ok(ci) = cur.u8() else { return };
    let long = dict::header(ci);
    let hlen = match long {
        Some(true) => 12,
        Some(false) => 4,
        None => 0,
    };
    let node = cx.add(root, "wmbus.tpl", start, 1 + hlen.min(cur.left()), NodeKind::Data);
    let n = cx.add(node, "wmbus.tpl.ci", start, 1, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: ci.into(), digits: 2 }).text(dict::ci(ci));
    cx.f.node_mut(node).text(dict::ci(ci));
    if !dict::ci_known(ci) {
        let msg = msg!("CI 0x{:02X} is reserved", "CI 0x{:02X} 为保留值", ci);
        cx.diag(Severity::Warning, start, 1, "wmbus.ci.reserved", msg);
    }
    let data = cx.add(root, "mbus.data", cur.at(), cur.left(), NodeKind::Data);
    let Some(long) = long else {
        body(cx, data, cur, ci);
        return;
    };
    let Some((h, at)) = cur.take_at(hlen) else {
        layer_truncated(cx, node, cur, hlen, "wmbus.tpl.truncated");
        return;
    };
    let mut p = at;
    // The meter's address for the initialisation vector: the long header's, or the link layer's.
    let (mut m, mut a) = (sec.m, sec.a);
    if long {
        link::identification(cx, node, "mbus.header.id", p, &h[..4]);
        let code = u16::from_le_bytes([h[4], h[5]]);
        let n = cx.add(node, "mbus.header.manufacturer", p + 4, 2, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::Code(dict::manufacturer_words, code.into())).text(msg!(
            "code 0x{:04X}",
            "代码 0x{:04X}",
            code
        ));
        let n = cx.add(node, "mbus.header.version", p + 6, 1, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::HexNum { value: h[6].into(), digits: 2 });
        let n = cx.add(node, "mbus.header.medium", p + 7, 1, NodeKind::Data);
        cx.f.node_mut(n).value(Msg::HexNum { value: h[7].into(), digits: 2 }).text(dict::medium(h[7]));
        m.copy_from_slice(&h[4..6]);
        a[..4].copy_from_slice(&h[..4]);
        a[4..].copy_from_slice(&h[6..8]);
        p += 8;
    }
    let o = hlen - 4;
    let acc = h[o];
    let n = cx.add(node, "mbus.header.access", p, 1, NodeKind::Data);
    cx.f.node_mut(n).value(Msg::Uint(acc.into()));
    link::status(cx, node, p + 1, h[o + 1]);
    let cfg = u16::from_le_bytes([h[o + 2], h[o + 3]]);
    let mode = (cfg >> 8 & 0x1F) as u8;
    config(cx, node, p + 2, cfg, mode);
    let mut ext = None;
    let mut counter = None;
    if mode == 7 {
        let e_at = cur.at();
        let Ok(e) = cur.u8() else {
            layer_truncated(cx, node, cur, 1, "wmbus.tpl.truncated");
            return;
        };
        ext = Some(e);
        let n = cx.add(node, "wmbus.tpl.config_ext", e_at, 1, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::HexNum { value: e.into(), digits: 2 });
        bit(cx, n, "wmbus.tpl.config_ext.version", e_at, (e, 0x40), yes_no(e & 0x40 != 0));
        let kdf = match e >> 4 & 3 {
            0 => msg!("persistent key, no key derivation", "固定密钥，不派生"),
            1 => msg!("key derivation function A (AES-CMAC)", "密钥派生函数 A（AES-CMAC）"),
            _ => msg!("reserved", "保留"),
        };
        bit(cx, n, "wmbus.tpl.config_ext.kdf", e_at, (e, 0x30), kdf);
        bit(cx, n, "wmbus.tpl.config_ext.key_id", e_at, (e, 0x0F), Msg::None);
        if cfg & 0x2000 != 0 {
            let c_at = cur.at();
            let Ok(c) = cur.array::<4>() else {
                layer_truncated(cx, node, cur, 4, "wmbus.tpl.truncated");
                return;
            };
            counter = Some(c);
            let n = cx.add(node, "wmbus.tpl.counter", c_at, 4, NodeKind::Data);
            cx.f.node_mut(n).value(Msg::Uint(u32::from_le_bytes(c).into()));
        }
        if e & 0x40 != 0 {
            let v_at = cur.at();
            let Ok(v) = cur.u8() else {
                layer_truncated(cx, node, cur, 1, "wmbus.tpl.truncated");
                return;
            };
            let n = cx.add(node, "wmbus.tpl.key_version", v_at, 1, NodeKind::Data);
            cx.f.node_mut(n).value(Msg::Uint(v.into()));
        }
        cx.f.node_mut(node).span(Span::new(start, cur.at()));
    }
    cx.f.node_mut(data).span(Span::at(cur.at(), cur.left()));
    let blocks = usize::from(cfg >> 4 & 0x0F);
    match mode {
        0 => body(cx, data, cur, ci),
        5 | 7 => {
            let (rest, ct_at) = cur.rest_at();
            let enc_len = if blocks == 0 { rest.len() / 16 * 16 } else { (16 * blocks).min(rest.len() / 16 * 16) };
            if 16 * blocks > rest.len() {
                let msg = msg!(
                    "{} encrypted block(s) announced, {} byte(s) remain",
                    "声明 {} 个加密块，只剩 {} 个字节",
                    blocks,
                    rest.len()
                );
                cx.diag(Severity::Error, ct_at, rest.len(), "wmbus.tpl.blocks", msg);
            }
            let (ct, tail) = rest.split_at(enc_len);
            let Some(key) = keys.cipher_key else {
                let n = bytes_node(cx, data, "wmbus.encrypted", ct_at, ct.len(), NodeKind::Data);
                cx.f.node_mut(n).text(mode_words(mode));
                no_key(cx, ct_at, ct.len());
                unencrypted_tail(cx, data, tail, ct_at + enc_len, ci);
                return;
            };
            let (plain, what) = if mode == 5 {
                let mut iv = [acc; 16];
                iv[..2].copy_from_slice(&m);
                iv[2..8].copy_from_slice(&a);
                (crypto::cbc_decrypt(&key, &iv, ct), None)
            } else {
                match mode7(cx, node, sec, &key, [a[0], a[1], a[2], a[3]], (ext, counter)) {
                    Some(kenc) => (crypto::cbc_decrypt(&kenc, &[0; 16], ct), None),
                    None => (Vec::new(), Some(())),
                }
            };
            if what.is_some() {
                let n = bytes_node(cx, data, "wmbus.encrypted", ct_at, ct.len(), NodeKind::Data);
                cx.f.node_mut(n).text(mode_words(mode));
                return;
            }
            let ok = plain.starts_with(&[0x2F, 0x2F]);
            let stated = Msg::Str("2F 2F");
            let computed = Msg::owned(crate::wire::hex_spaced(&plain[..plain.len().min(2)]));
            cx.f.check(Check {
                id: "wmbus.tpl.decrypted".into(),
                label: Msg::Label,
                stated,
                computed,
                ok,
                span: Span::at(ct_at, 2.min(ct.len())),
            });
            if !ok {
                let n = bytes_node(cx, data, "wmbus.encrypted", ct_at, ct.len(), NodeKind::Data);
                cx.f.node_mut(n).text(mode_words(mode));
                let msg = msg!(
                    "wrong key: the decrypted data do not start with 2F 2F",
                    "密钥错误：解密后的数据不以 2F 2F 开头"
                );
                cx.diag(Severity::Error, ct_at, ct.len(), "wmbus.key.wrong", msg);
                unencrypted_tail(cx, data, tail, ct_at + enc_len, ci);
                return;
            }
            cx.f.node_mut(data).text(msg!(
                "decrypted ({} of {} byte(s) were encrypted)",
                "已解密（{} 个字节中 {} 个为密文）",
                enc_len,
                rest.len()
            ));
            cx.derived(&plain, ct_at, |cx| {
                let mut t = Cursor::new(&plain, ct_at);
                body(cx, data, &mut t, ci);
            });
            unencrypted_tail(cx, data, tail, ct_at + enc_len, ci);
        }
        _ => {
            let (rest, at) = cur.rest_at();
            if !rest.is_empty() {
                let n = bytes_node(cx, data, "wmbus.encrypted", at, rest.len(), NodeKind::Data);
                cx.f.node_mut(n).text(mode_words(mode));
            }
            let msg = msg!(
                "security mode {} is not supported here: the data are shown as bytes",
                "此处不支持安全模式 {}：数据以字节显示",
                mode
            );
            cx.diag(Severity::Warning, at, rest.len(), "wmbus.security.unsupported", msg);
        }
    }
}

/// The bytes after the encrypted blocks of a partly encrypted telegram:
/// data records sent in the clear, not covered by the encryption. What
/// does not read as whole records there is reported as a warning (the
/// encrypted part, which the key vouches for, stays valid).
fn unencrypted_tail(cx: &mut Cx, data: NodeRef, tail: &[u8], at: usize, ci: u8) {
    if tail.is_empty() {
        return;
    }
    let n = cx.add(data, "wmbus.unencrypted", at, tail.len(), NodeKind::Data);
    cx.f.node_mut(n).text(msg!("after the encrypted blocks, sent in the clear", "位于加密块之后，明文发送"));
    let marks = cx.f.diagnostics.len();
    let mut t = Cursor::new(tail, at);
    body(cx, n, &mut t, ci);
    let mut demoted = false;
    for d in &mut cx.f.diagnostics[marks..] {
        if d.severity == Severity::Error {
            d.severity = Severity::Warning;
            demoted = true;
        }
    }
    if demoted {
        let msg = msg!(
            "the {} unencrypted byte(s) after the encrypted blocks are not whole data records",
            "加密块之后的 {} 个明文字节不构成完整的数据记录",
            tail.len()
        );
        cx.diag(Severity::Warning, at, tail.len(), "wmbus.unencrypted", msg);
    }
}

fn mode_words(mode: u8) -> Msg {
    match mode {
        5 => msg!("encrypted, security mode 5 (AES-128-CBC)", "已加密，安全模式 5（AES-128-CBC）"),
        7 => {
            msg!("encrypted, security mode 7 (AES-128-CBC, derived key)", "已加密，安全模式 7（AES-128-CBC，派生密钥）")
        }
        _ => msg!("encrypted, security mode {}", "已加密，安全模式 {}", mode),
    }
}

/// Mode 7: the encryption key derived from the AFL's message counter and
/// the meter's identification number, and the AFL's MAC checked with the
/// derived MAC key. `None` when there is no message counter.
fn mode7(
    cx: &mut Cx,
    node: NodeRef,
    sec: &Sec,
    key: &[u8; 16],
    id: [u8; 4],
    (ext, tpl_counter): (Option<u8>, Option<[u8; 4]>),
) -> Option<[u8; 16]> {
    let at = cx.f.nodes[node as usize].span.start;
    let afl = sec.afl.as_ref();
    let Some(counter) = tpl_counter.or(afl.and_then(|a| a.mcr)) else {
        let msg = msg!(
            "security mode 7 needs a message counter (in the header, or in an AFL before the transport layer)",
            "安全模式 7 需要消息计数器（在报头中，或在传输层之前的 AFL 中）"
        );
        cx.diag(Severity::Error, at, 1, "wmbus.security.counter", msg);
        return None;
    };
    // DD = 00: the key as it is; 01: function A; 10 and 11 are reserved.
    let kdf = ext.map_or(1, |e| e >> 4 & 3);
    if kdf > 1 {
        let msg = msg!("key derivation {} is reserved; function A tried", "密钥派生 {} 为保留值，按函数 A 尝试", kdf);
        cx.diag(Severity::Warning, at, 1, "wmbus.security.kdf", msg);
    }
    let derive = |dc| if kdf == 0 { *key } else { crypto::derive(key, dc, counter, id) };
    let (enc_dc, mac_dc) =
        if sec.to_meter { (Derived::PartnerEnc, Derived::PartnerMac) } else { (Derived::Enc, Derived::Mac) };
    let kenc = derive(enc_dc);
    let Some(afl) = afl else { return Some(kenc) };
    if let (Some((mac, mac_at)), Some(mcl)) = (afl.mac.as_ref(), afl.mcl) {
        if mcl & 0x0F >= 8 {
            return Some(kenc);
        }
        // AFL.MCL || AFL.KI || AFL.MCR || AFL.ML (those present) || the TPDU from its CI on.
        let mut input = vec![mcl];
        input.extend(afl.ki.iter().flatten());
        input.extend(afl.mcr.iter().flatten());
        input.extend(afl.ml.iter().flatten());
        input.extend_from_slice(&afl.after);
        let full = crypto::cmac(&derive(mac_dc), &input);
        let computed = &full[..mac.len().min(16)];
        let ok = computed == mac.as_slice();
        cx.f.check(Check {
            id: "wmbus.afl.mac".into(),
            label: Msg::Label,
            stated: Msg::owned(crate::wire::hex_spaced(mac)),
            computed: Msg::owned(crate::wire::hex_spaced(computed)),
            ok,
            span: Span::at(*mac_at, mac.len()),
        });
        if !ok {
            let msg = msg!(
                "the AFL's MAC does not match: wrong key, or the message was altered",
                "AFL 的 MAC 不符：密钥错误或消息被篡改"
            );
            cx.diag(Severity::Error, *mac_at, mac.len(), "wmbus.afl.mac", msg);
        }
    }
    Some(kenc)
}

static MODE_WORDS: [(&str, &str); 2] = [("no encryption", "未加密"), ("AES-128-CBC", "AES-128-CBC")];

/// The configuration field (two bytes, low byte first) and its bits, as
/// EN 13757-7 lays them out for modes 0 and 5 (B, A, S; blocks; content,
/// repeater access, hop count) and for mode 7 (content, counter present Z;
/// blocks, padding, content index).
fn config(cx: &mut Cx, node: NodeRef, at: usize, cfg: u16, mode: u8) {
    let n = cx.add(node, "wmbus.tpl.config", at, 2, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: cfg.into(), digits: 4 });
    let content = |cc: u16| match cc {
        0 => msg!("standard data", "标准数据"),
        2 => msg!("static data", "静态数据"),
        _ => msg!("reserved", "保留"),
    };
    if mode == 7 {
        bit16(cx, n, "wmbus.tpl.config.content7", at, (cfg, 0xC000), content(cfg >> 14 & 3));
        let z = if cfg & 0x2000 != 0 {
            msg!("a message counter follows in the header", "报头中带消息计数器")
        } else {
            msg!("no counter in the header (the AFL's is used)", "报头中无计数器（使用 AFL 的）")
        };
        bit16(cx, n, "wmbus.tpl.config.counter", at, (cfg, 0x2000), z);
    } else {
        bit16(cx, n, "wmbus.tpl.config.bidirectional", at, (cfg, 0x8000), yes_no(cfg & 0x8000 != 0));
        let access = if cfg & 0x4000 != 0 {
            msg!("the meter listens after sending", "表计发送后侦听")
        } else {
            msg!("no access after sending", "发送后不可访问")
        };
        bit16(cx, n, "wmbus.tpl.config.accessibility", at, (cfg, 0x4000), access);
        let sync = if cfg & 0x2000 != 0 {
            msg!("synchronous (sent on a schedule)", "同步（按时间表发送）")
        } else {
            msg!("asynchronous", "异步")
        };
        bit16(cx, n, "wmbus.tpl.config.synchronous", at, (cfg, 0x2000), sync);
    }
    let words = match mode {
        0 => Msg::Bi(&MODE_WORDS[0]),
        5 => msg!(
            "mode 5: AES-128-CBC, IV from M, A and the access number",
            "模式 5：AES-128-CBC，IV 由 M、A 和访问号组成"
        ),
        7 => msg!("mode 7: AES-128-CBC, zero IV, derived key", "模式 7：AES-128-CBC，零 IV，派生密钥"),
        _ => msg!("mode {}", "模式 {}", mode),
    };
    bit16(cx, n, "wmbus.tpl.config.mode", at, (cfg, 0x1F00), words);
    match mode {
        5 | 7 => bit16(cx, n, "wmbus.tpl.config.blocks", at, (cfg, 0x00F0), Msg::None),
        0 => bit16(cx, n, "wmbus.tpl.config.reserved", at, (cfg, 0x00F0), Msg::None),
        _ => {}
    }
    match mode {
        0 | 5 => {
            bit16(cx, n, "wmbus.tpl.config.content", at, (cfg, 0x000C), content(cfg >> 2 & 3));
            bit16(cx, n, "wmbus.tpl.config.repeater", at, (cfg, 0x0002), Msg::None);
            bit16(cx, n, "wmbus.tpl.config.hop", at, (cfg, 0x0001), Msg::None);
        }
        7 => {
            bit16(cx, n, "wmbus.tpl.config.padding", at, (cfg, 0x0008), yes_no(cfg & 0x0008 != 0));
            bit16(cx, n, "wmbus.tpl.config.index", at, (cfg, 0x0007), Msg::None);
        }
        _ => bit16(cx, n, "wmbus.tpl.config.other", at, (cfg, 0x00FF), Msg::None),
    }
}

/// The application data by CI field: the wired family's reading, with
/// DLMS/COSEM and OBIS-type payloads named and shown as bytes.
fn body(cx: &mut Cx, data: NodeRef, cur: &mut Cursor, ci: u8) {
    if matches!(ci, 0x60 | 0x61 | 0x64 | 0x65 | 0x7C..=0x7F) && !cur.is_empty() {
        let (b, at) = cur.rest_at();
        bytes_node(cx, data, "mbus.raw", at, b.len(), NodeKind::Data);
        let msg = msg!("{}: shown as bytes (not dissected here)", "{}：以字节显示（此处不解析）", dict::ci(ci));
        cx.diag(Severity::Info, at, b.len(), "wmbus.payload.other", msg);
        return;
    }
    link::body(cx, data, cur, ci, to_device(ci));
}
