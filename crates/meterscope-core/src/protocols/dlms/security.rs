//! Security suite 0 (IEC 62056-5-3 clause 5.3.4, the Green Book): ciphered
//! APDUs with AES-128-GCM.
//!
//! ```text
//! tag | [system title (general-glo/ded)] | length | SC | IC (4) | ciphertext | [tag (12)]
//! ```
//! IV = system title (8) || invocation counter (4). Additional data is
//! SC || AK, and for authentication only SC || AK || plaintext. The security
//! control byte holds the suite id (bits 0–3), authentication (bit 4),
//! encryption (bit 5), broadcast key (bit 6) and compression (bit 7).
//!
//! GCM encryption is a counter mode, so ciphertext byte i is plaintext byte i:
//! the decrypted APDU is dissected with spans on the ciphertext bytes.

use aes_gcm::aead::AeadInPlace;
use aes_gcm::aead::KeyInit;
use aes_gcm::aead::consts::U12;

use super::{Cx, MAX_DEPTH, Rd, apdu, hex};
use crate::lang::Lang;
use crate::model::{Check, Node, NodeKind};
use crate::span::Span;

/// AES-128-GCM with a 12-byte IV and a 12-byte tag.
type Gcm = aes_gcm::AesGcm<aes_gcm::aes::Aes128, U12, U12>;

/// Length of the authentication tag of suite 0.
pub const TAG_LEN: usize = 12;

/// Encrypt (or, the same operation, decrypt without checking) `data` in
/// counter mode and return the tag GCM computes for it with `aad`.
pub fn gcm_apply(key: &[u8; 16], iv: &[u8; 12], aad: &[u8], data: &mut [u8]) -> [u8; TAG_LEN] {
    let gcm = Gcm::new(key.into());
    let tag = gcm.encrypt_in_place_detached(iv.into(), aad, data).unwrap_or_default();
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(&tag);
    out
}

/// Decrypt `data` in place and check `tag`; `false` (and `data` unchanged) when the tag is wrong.
pub fn gcm_open(key: &[u8; 16], iv: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> bool {
    if tag.len() != TAG_LEN {
        return false;
    }
    let gcm = Gcm::new(key.into());
    gcm.decrypt_in_place_detached(iv.into(), aad, data, tag.into()).is_ok()
}

/// Encrypt and authenticate a plaintext APDU as suite 0 does (for tests and simulators):
/// returns `SC || IC || ciphertext || tag` for SC 0x30.
pub fn seal(key: &[u8; 16], ak: &[u8; 16], system_title: &[u8; 8], ic: u32, plain: &[u8]) -> Vec<u8> {
    let sc = 0x30u8;
    let mut iv = [0u8; 12];
    iv[..8].copy_from_slice(system_title);
    iv[8..].copy_from_slice(&ic.to_be_bytes());
    let mut aad = vec![sc];
    aad.extend_from_slice(ak);
    let mut data = plain.to_vec();
    let tag = gcm_apply(key, &iv, &aad, &mut data);
    let mut out = vec![sc];
    out.extend_from_slice(&ic.to_be_bytes());
    out.extend_from_slice(&data);
    out.extend_from_slice(&tag);
    out
}

/// How the authentication tag of a suite-0 ciphered body fared in [`open`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagStatus {
    /// The tag matches: keys, system title and bytes are right.
    Verified,
    /// The tag does not match; the tag computed over the received bytes.
    Mismatch([u8; TAG_LEN]),
    /// Not checked: no authentication key, or no tag present.
    Unverified,
    /// The security control byte asks for no authentication: there is no tag.
    NotAuthenticated,
}

/// Decrypt a suite-0 ciphered body (`ct` is what follows SC and IC, without
/// the tag) and check its tag, the shared entry point of ciphered APDUs and
/// encrypted P1 telegrams. The plaintext is always returned (counter mode:
/// byte i of it is byte i of `ct`); the tag is checked when `sc` asks for
/// authentication and both `ak` and `tag` are given. Additional data is
/// SC || AK (SC || AK || plaintext when only authenticated).
pub fn open(
    key: &[u8; 16],
    ak: Option<&[u8; 16]>,
    system_title: &[u8; 8],
    sc: u8,
    ic: u32,
    ct: &[u8],
    tag: Option<&[u8]>,
) -> (Vec<u8>, TagStatus) {
    let mut iv = [0u8; 12];
    iv[..8].copy_from_slice(system_title);
    iv[8..].copy_from_slice(&ic.to_be_bytes());
    let mut aad = vec![sc];
    if let Some(ak) = ak {
        aad.extend_from_slice(ak);
    }
    let auth = sc & 0x10 != 0;
    let enc = sc & 0x20 != 0;
    let mut data = ct.to_vec();
    let tag = match (auth, ak, tag) {
        (true, Some(_), Some(tag)) => tag,
        _ => {
            if enc {
                gcm_apply(key, &iv, &aad, &mut data);
            }
            return (data, if auth { TagStatus::Unverified } else { TagStatus::NotAuthenticated });
        }
    };
    if !enc {
        aad.extend_from_slice(ct);
        let computed = gcm_apply(key, &iv, &aad, &mut []);
        let status = if computed[..] == *tag { TagStatus::Verified } else { TagStatus::Mismatch(computed) };
        return (data, status);
    }
    if gcm_open(key, &iv, &aad, &mut data, tag) {
        return (data, TagStatus::Verified);
    }
    // Wrong tag: the counter-mode plaintext anyway, and the tag of the received ciphertext.
    gcm_apply(key, &iv, &aad, &mut data);
    let mut again = data.clone();
    let computed = gcm_apply(key, &iv, &aad, &mut again);
    (data, TagStatus::Mismatch(computed))
}

/// Text of a security control byte.
pub fn security_control_text(sc: u8, lang: Lang) -> String {
    let mut parts = vec![match lang {
        Lang::En => format!("suite {}", sc & 0x0F),
        Lang::Zh => format!("安全套件 {}", sc & 0x0F),
    }];
    if sc & 0x10 != 0 {
        parts.push(lang.pick("authenticated", "认证").into());
    }
    if sc & 0x20 != 0 {
        parts.push(lang.pick("encrypted", "加密").into());
    }
    parts.push(
        if sc & 0x40 != 0 {
            lang.pick("broadcast key", "广播密钥")
        } else {
            lang.pick("unicast key", "单播密钥")
        }
        .into(),
    );
    if sc & 0x80 != 0 {
        parts.push(lang.pick("compressed", "压缩").into());
    }
    parts.join(", ")
}

/// Dissect a ciphered APDU at the reader, decrypting it when the keys allow.
pub fn ciphered(cx: &mut Cx, rd: &mut Rd) -> Node {
    let start = rd.at();
    let mut root = cx.node("dlms.ciphered", Span::at(start, 0));
    let _ = ciphered_into(cx, rd, &mut root, start);
    root.span = rd.since(start);
    root
}

fn ciphered_into(cx: &mut Cx, rd: &mut Rd, root: &mut Node, start: usize) -> Option<()> {
    let lang = cx.lang;
    let t = rd.u8()?;
    let name = apdu::tag_name(t).unwrap_or("?");
    root.push(
        cx.node("dlms.ciphered.tag", rd.since(start)).kind(NodeKind::Control).value(format!("0x{t:02X}")).text(name),
    );
    root.value = Some(name.to_string());
    let general = matches!(t, 0xDB | 0xDC);
    let mut carried_title: Option<[u8; 8]> = None;
    if general {
        let at = rd.at();
        let Some(n) = rd.axdr_len() else {
            cx.truncated(rd.at());
            return None;
        };
        let Some(b) = rd.take(n) else {
            cx.truncated(rd.at());
            rd.rest();
            return None;
        };
        let mut node = cx.node("dlms.ciphered.system-title", rd.since(at)).kind(NodeKind::Address).value(hex(b));
        if b.len() == 8 {
            let mut st = [0u8; 8];
            st.copy_from_slice(b);
            carried_title = Some(st);
            if b[..3].iter().all(|c| c.is_ascii_uppercase()) {
                node = node.text(format!("{} {}", lang.pick("manufacturer", "制造商"), super::ascii(&b[..3])));
            }
        } else {
            cx.warning(
                node.span,
                "dlms.ciphered.system-title.length",
                "a system title is 8 bytes",
                "系统标题应为 8 字节",
            );
        }
        root.push(node);
    }
    let lat = rd.at();
    let Some(len) = rd.axdr_len() else {
        cx.truncated(rd.at());
        return None;
    };
    root.push(cx.node("dlms.ciphered.length", rd.since(lat)).kind(NodeKind::Length).value(len.to_string()));
    if len > rd.left() {
        // A first byte that merely looks like a ciphered tag: the security control byte
        // that would follow names no suite 0–2 protection.
        let implausible_sc = rd.peek().is_none_or(|sc| sc & 0x0F > 2 || sc & 0x30 == 0);
        if !general && start == rd.base && implausible_sc {
            let en = format!(
                "0x{t:02X} would be {name}, but its length {len} exceeds the {} byte(s) present: not an xDLMS APDU",
                rd.left()
            );
            let zh = format!("0x{t:02X} 应为 {name}，但其长度 {len} 超过现有的 {} 字节：不是 xDLMS APDU", rd.left());
            cx.warning(Span::at(start, 1), "dlms.apdu.tag.unknown", &en, &zh);
        } else {
            let en = format!("the length says {len} bytes, {} are present", rd.left());
            let zh = format!("长度为 {len} 字节，实际只有 {} 字节", rd.left());
            cx.error(rd.since(lat), "dlms.ciphered.length.mismatch", &en, &zh);
        }
        let rest = rd.rest();
        root.push(
            cx.node("dlms.apdu.rest", Span::at(rd.at() - rest.len(), rest.len()))
                .kind(NodeKind::Unknown)
                .value(hex(rest))
                .text(super::ascii(rest)),
        );
        return None;
    }
    let body_at = rd.at();
    let body = rd.take(len)?;
    if body.len() < 5 {
        cx.error(
            Span::at(body_at, body.len()),
            "dlms.ciphered.short",
            "a ciphered APDU holds at least SC and IC (5 bytes)",
            "密文 APDU 至少包含安全控制字节和调用计数器(5 字节)",
        );
        return None;
    }
    let sc = body[0];
    root.push(
        cx.node("dlms.ciphered.security-control", Span::at(body_at, 1))
            .kind(NodeKind::Control)
            .value(format!("0x{sc:02X}"))
            .text(security_control_text(sc, lang)),
    );
    let ic = u32::from_be_bytes([body[1], body[2], body[3], body[4]]);
    root.push(
        cx.node("dlms.ciphered.invocation-counter", Span::at(body_at + 1, 4))
            .value(ic.to_string())
            .text(format!("0x{ic:08X}")),
    );
    if sc & 0x0F != 0 {
        cx.info(Span::at(body_at, 1), "dlms.ciphered.suite", "only security suite 0 is decrypted", "只解密安全套件 0");
    }
    let auth = sc & 0x10 != 0;
    let enc = sc & 0x20 != 0;
    let payload = &body[5..];
    let pay_at = body_at + 5;
    let tag_len = if auth { TAG_LEN } else { 0 };
    if payload.len() < tag_len {
        cx.error(
            Span::at(pay_at, payload.len()),
            "dlms.ciphered.short",
            "no room for the 12-byte authentication tag",
            "放不下 12 字节认证标签",
        );
        return None;
    }
    let (ct, tag) = payload.split_at(payload.len() - tag_len);
    let tag_at = pay_at + ct.len();
    let title = carried_title.or(cx.keys.system_title);
    let key = cx.keys.cipher_key;
    let ak = cx.keys.auth_key;
    let mut iv = [0u8; 12];
    if let Some(st) = title {
        iv[..8].copy_from_slice(&st);
        iv[8..].copy_from_slice(&ic.to_be_bytes());
    }
    let mut aad = vec![sc];
    if let Some(ak) = ak {
        aad.extend_from_slice(&ak);
    }
    // Plaintext and the tag state.
    let mut plain: Option<Vec<u8>> = None;
    let mut tag_state: Option<(bool, String, String)> = None; // (ok, stated, computed)
    let missing = |what_en: &str, what_zh: &str, cx: &mut Cx| {
        let en = format!("not decrypted: no {what_en}");
        let zh = format!("未解密：缺少{what_zh}");
        cx.info(Span::at(pay_at, ct.len()), "dlms.ciphered.no-key", &en, &zh);
    };
    match (enc, key, title) {
        (false, _, _) => {
            // Authentication only: the payload is the plaintext.
            plain = Some(ct.to_vec());
            if auth {
                match (key, title, ak) {
                    (Some(k), Some(_), Some(_)) => {
                        let mut a = aad.clone();
                        a.extend_from_slice(ct);
                        let computed = gcm_apply(&k, &iv, &a, &mut []);
                        tag_state = Some((computed[..] == *tag, hex(tag), hex(&computed)));
                    }
                    _ => tag_state = None,
                }
            }
        }
        (true, Some(k), Some(_)) => {
            let mut data = ct.to_vec();
            if auth && ak.is_some() {
                if gcm_open(&k, &iv, &aad, &mut data, tag) {
                    tag_state = Some((true, hex(tag), hex(tag)));
                } else {
                    gcm_apply(&k, &iv, &aad, &mut data);
                    let mut again = data.clone();
                    let computed = gcm_apply(&k, &iv, &aad, &mut again);
                    tag_state = Some((false, hex(tag), hex(&computed)));
                }
            } else {
                gcm_apply(&k, &iv, &aad, &mut data);
            }
            plain = Some(data);
        }
        (true, None, _) => missing("cipher key", "加密密钥", cx),
        (true, Some(_), None) => missing("system title", "系统标题", cx),
    }
    let mut ctn =
        cx.node(if enc { "dlms.ciphered.ciphertext" } else { "dlms.ciphered.plaintext" }, Span::at(pay_at, ct.len()));
    if plain.is_none() {
        ctn = ctn.value(hex(ct));
    }
    if let Some(p) = plain.as_ref().filter(|p| !p.is_empty()) {
        if cx.depth >= MAX_DEPTH {
            cx.error(Span::at(pay_at, 1), "dlms.data.depth", "ciphered APDUs nested too deeply", "密文 APDU 嵌套过深");
        } else {
            cx.depth += 1;
            let inner = apdu::apdu(cx, p, pay_at);
            cx.depth -= 1;
            ctn = ctn.text(format!("{} {}", lang.pick("plaintext", "明文"), hex(p)));
            ctn.push(inner);
        }
    }
    root.push(ctn);
    if auth {
        let span = Span::at(tag_at, tag.len());
        let mut tn = cx.node("dlms.ciphered.tag-value", span).kind(NodeKind::Check).value(hex(tag));
        let label = cx.lang.label("dlms.ciphered.tag-value");
        match tag_state {
            Some((ok, stated, computed)) => {
                cx.checks.push(Check { id: "dlms.ciphered.tag-value".into(), label, stated, computed, ok, span });
                if ok {
                    tn = tn.text(lang.pick("authenticated", "已认证"));
                } else {
                    tn = tn.text(lang.pick("tag mismatch", "标签不匹配"));
                    cx.error(
                        span,
                        "dlms.ciphered.tag.mismatch",
                        "tag mismatch: wrong keys, system title or altered bytes",
                        "标签不匹配：密钥、系统标题错误或字节被改动",
                    );
                }
            }
            None if plain.is_some() && ak.is_none() => {
                tn = tn.text(lang.pick("tag not verified: no authentication key", "标签未验证：缺少认证密钥"));
                cx.info(
                    span,
                    "dlms.ciphered.tag.unverified",
                    "tag not verified: no authentication key",
                    "标签未验证：缺少认证密钥",
                );
            }
            None => {
                tn = tn.text(lang.pick("tag not verified", "标签未验证"));
            }
        }
        root.push(tn);
    }
    Some(())
}

#[cfg(test)]
mod open_tests {
    use super::*;

    #[test]
    fn open_verifies_reports_mismatch_and_decrypts_anyway() {
        let (ek, ak, st) = ([0x11u8; 16], [0x22u8; 16], *b"ABC12345");
        let plain = b"/ABC5 plaintext\r\n".to_vec();
        let sealed = seal(&ek, &ak, &st, 7, &plain);
        let (ct, tag) = sealed[5..].split_at(sealed.len() - 5 - TAG_LEN);
        assert_eq!(open(&ek, Some(&ak), &st, 0x30, 7, ct, Some(tag)), (plain.clone(), TagStatus::Verified));
        let (p, status) = open(&ek, Some(&[0u8; 16]), &st, 0x30, 7, ct, Some(tag));
        assert_eq!(p, plain);
        assert!(matches!(status, TagStatus::Mismatch(c) if c[..] != *tag));
        assert_eq!(open(&ek, None, &st, 0x30, 7, ct, Some(tag)), (plain.clone(), TagStatus::Unverified));
        assert_eq!(open(&ek, Some(&ak), &st, 0x30, 7, ct, None).1, TagStatus::Unverified);
        // Encrypted only: no tag.
        assert_eq!(open(&ek, Some(&ak), &st, 0x20, 7, ct, None), (plain, TagStatus::NotAuthenticated));
        // Authenticated only: the tag covers SC || AK || plaintext.
        let mut iv = [0u8; 12];
        iv[..8].copy_from_slice(&st);
        iv[8..].copy_from_slice(&9u32.to_be_bytes());
        let mut aad = vec![0x10];
        aad.extend_from_slice(&ak);
        aad.extend_from_slice(b"hello");
        let t = gcm_apply(&ek, &iv, &aad, &mut []);
        assert_eq!(open(&ek, Some(&ak), &st, 0x10, 9, b"hello", Some(&t)).1, TagStatus::Verified);
    }
}
