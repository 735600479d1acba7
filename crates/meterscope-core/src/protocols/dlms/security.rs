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
use crate::registry::Keys;
use crate::span::Span;
use crate::view::{Check, Node, NodeKind};

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
    open_with(key, ak, system_title, sc, ic, ct, tag, &[])
}

/// [`open`] with more additional data after SC || AK: the transaction id,
/// system titles, date-time and other information of a general-ciphering
/// APDU, each with its length (Green Book, general-ciphering AAD).
#[allow(clippy::too_many_arguments)]
pub fn open_with(
    key: &[u8; 16],
    ak: Option<&[u8; 16]>,
    system_title: &[u8; 8],
    sc: u8,
    ic: u32,
    ct: &[u8],
    tag: Option<&[u8]>,
    extra: &[u8],
) -> (Vec<u8>, TagStatus) {
    let mut iv = [0u8; 12];
    iv[..8].copy_from_slice(system_title);
    iv[8..].copy_from_slice(&ic.to_be_bytes());
    let mut aad = vec![sc];
    if let Some(ak) = ak {
        aad.extend_from_slice(ak);
        aad.extend_from_slice(extra);
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

/// The protected parts of a ciphered APDU (service-specific, general-glo,
/// general-ded or general-ciphering), found without dissecting it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<'a> {
    /// The system title the APDU carries (general-glo/ded, or the originator of general-ciphering).
    pub title: Option<[u8; 8]>,
    pub sc: u8,
    pub ic: u32,
    pub ct: &'a [u8],
    /// Offset of `ct` in the APDU.
    pub ct_at: usize,
    pub tag: Option<&'a [u8]>,
    /// Additional data after SC || AK (general-ciphering header fields).
    pub extra: &'a [u8],
    /// False when the key is wrapped or agreed (general-ciphering key-info).
    pub key_usable: bool,
}

/// An A-XDR octet-string at the reader.
fn take_octets<'a>(rd: &mut Rd<'a>) -> Option<&'a [u8]> {
    let n = rd.axdr_len()?;
    rd.take(n)
}

/// Find the protected parts of a ciphered APDU; `None` when `b` is not one or is cut short.
pub fn locate(b: &[u8]) -> Option<Located<'_>> {
    let mut rd = Rd::new(b, 0);
    let t = rd.u8()?;
    let (mut title, mut extra, mut key_usable) = (None, &b[..0], true);
    match t {
        0xDB | 0xDC => title = <[u8; 8]>::try_from(take_octets(&mut rd)?).ok(),
        0xDD => {
            let h = rd.pos;
            take_octets(&mut rd)?;
            title = <[u8; 8]>::try_from(take_octets(&mut rd)?).ok();
            for _ in 0..3 {
                take_octets(&mut rd)?;
            }
            extra = &b[h..rd.pos];
            if rd.u8()? != 0 {
                match rd.u8()? {
                    0 => {
                        rd.u8()?;
                    }
                    1 => {
                        rd.u8()?;
                        take_octets(&mut rd)?;
                        key_usable = false;
                    }
                    2 => {
                        take_octets(&mut rd)?;
                        take_octets(&mut rd)?;
                        key_usable = false;
                    }
                    _ => return None,
                }
            }
        }
        _ if apdu::is_ciphered(t) => {}
        _ => return None,
    }
    let n = rd.axdr_len()?;
    let body_at = rd.pos;
    let body = rd.take(n)?;
    let tag_len = if body.first()? & 0x10 != 0 { TAG_LEN } else { 0 };
    if body.len() < 5 + tag_len {
        return None;
    }
    let (ct, tag) = body[5..].split_at(body.len() - 5 - tag_len);
    Some(Located {
        title,
        sc: body[0],
        ic: u32::from_be_bytes([body[1], body[2], body[3], body[4]]),
        ct,
        ct_at: body_at + 5,
        tag: (tag_len > 0).then_some(tag),
        extra,
        key_usable,
    })
}

/// Decrypt a ciphered APDU with the user's keys, trying the system title it
/// carries, then the user's, then `titles` (those of the association, from
/// an AARQ and an AARE). The title whose tag verifies wins; without an
/// authentication key, the first whose plaintext starts with a known APDU
/// tag. Returns the plaintext, the offset of the ciphertext in `b` and the title used.
pub fn decipher(b: &[u8], keys: &Keys, titles: &[[u8; 8]]) -> Option<(Vec<u8>, usize, [u8; 8])> {
    let p = locate(b)?;
    let key = keys.cipher_key.filter(|_| p.key_usable)?;
    let mut tried: Vec<[u8; 8]> = Vec::new();
    let mut best = None;
    for t in p.title.iter().chain(keys.system_title.iter()).chain(titles) {
        if tried.contains(t) {
            continue;
        }
        tried.push(*t);
        let (plain, status) = open_with(&key, keys.auth_key.as_ref(), t, p.sc, p.ic, p.ct, p.tag, p.extra);
        if status == TagStatus::Verified {
            return Some((plain, p.ct_at, *t));
        }
        let plausible = p.sc & 0x20 == 0 || plain.first().is_some_and(|&x| apdu::is_known_tag(x));
        if best.is_none() && plausible {
            best = Some((plain, p.ct_at, *t));
        }
    }
    best
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

/// An A-XDR octet-string field as a node, with its bytes.
fn octet_field<'a>(cx: &mut Cx, rd: &mut Rd<'a>, id: &str) -> Option<(Node, &'a [u8])> {
    let at = rd.at();
    let Some(n) = rd.axdr_len() else {
        cx.truncated(rd.at());
        return None;
    };
    let Some(b) = rd.take(n) else {
        let en = format!("the length says {n} bytes, {} are present", rd.left());
        let zh = format!("长度为 {n} 字节，实际只有 {} 字节", rd.left());
        cx.error(rd.since(at), "dlms.ciphered.length.mismatch", &en, &zh);
        rd.rest();
        return None;
    };
    Some((cx.node(id, rd.since(at)).value(hex(b)), b))
}

/// A system title field: 8 bytes, the first three often a manufacturer id.
fn title_field(cx: &mut Cx, rd: &mut Rd, id: &str) -> Option<(Node, Option<[u8; 8]>)> {
    let (mut node, b) = octet_field(cx, rd, id)?;
    node.kind = NodeKind::Address;
    let title = <[u8; 8]>::try_from(b).ok();
    if title.is_none() {
        cx.warning(node.span, "dlms.ciphered.system-title.length", "a system title is 8 bytes", "系统标题应为 8 字节");
    }
    if b.len() == 8 && b[..3].iter().all(|c| c.is_ascii_uppercase()) {
        node = node.text(format!("{} {}", cx.lang.pick("manufacturer", "制造商"), super::ascii(&b[..3])));
    }
    Some((node, title))
}

fn ciphered_into(cx: &mut Cx, rd: &mut Rd, root: &mut Node, start: usize) -> Option<()> {
    let t = rd.u8()?;
    let name = apdu::tag_name(t).unwrap_or("?");
    root.push(
        cx.node("dlms.ciphered.tag", rd.since(start)).kind(NodeKind::Control).value(format!("0x{t:02X}")).text(name),
    );
    root.value = Some(name.to_string());
    let general = matches!(t, 0xDB | 0xDC);
    let mut carried_title: Option<[u8; 8]> = None;
    if general {
        let (node, title) = title_field(cx, rd, "dlms.ciphered.system-title")?;
        root.push(node);
        carried_title = title;
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
        rest(cx, rd, root);
        return None;
    }
    let body_at = rd.at();
    let body = rd.take(len)?;
    let key = cx.keys.cipher_key;
    protected(cx, root, body, body_at, carried_title, key, &[], None)
}

/// Dissect a general-ciphering (0xDD) or general-signing (0xDF) APDU at the
/// reader (Green Book 9.5): transaction id, originator and recipient system
/// titles, date-time and other information, then the key information and the
/// ciphered content (decrypted like the other ciphered APDUs when the key is
/// identified and known; those five fields, with their lengths, are part of
/// the additional data), or the signed content and its signature (ECDSA is
/// not verified).
pub fn general(cx: &mut Cx, rd: &mut Rd) -> Node {
    let start = rd.at();
    let signing = rd.peek() == Some(0xDF);
    let mut root = cx.node(if signing { "dlms.signing" } else { "dlms.ciphered" }, Span::at(start, 0));
    let _ = general_into(cx, rd, &mut root, start, signing);
    root.span = rd.since(start);
    root
}

/// A one-byte field with a name for its value.
fn enum_field(cx: &mut Cx, rd: &mut Rd, id: &str, names: &[(&str, &str)]) -> Option<(Node, u8)> {
    let at = rd.at();
    let Some(v) = rd.u8() else {
        cx.truncated(at);
        return None;
    };
    let mut n = cx.node(id, rd.since(at)).kind(NodeKind::Control).value(v.to_string());
    if let Some((en, zh)) = names.get(v as usize) {
        n = n.text(cx.lang.pick(en, zh));
    }
    Some((n, v))
}

fn general_into(cx: &mut Cx, rd: &mut Rd, root: &mut Node, start: usize, signing: bool) -> Option<()> {
    let lang = cx.lang;
    let t = rd.u8()?;
    let name = apdu::tag_name(t).unwrap_or("?");
    let tag_id = if signing { "dlms.apdu.tag" } else { "dlms.ciphered.tag" };
    root.push(cx.node(tag_id, rd.since(start)).kind(NodeKind::Control).value(format!("0x{t:02X}")).text(name));
    root.value = Some(name.to_string());
    let header = rd.pos;
    root.push(octet_field(cx, rd, "dlms.general.transaction-id")?.0);
    let (node, originator) = title_field(cx, rd, "dlms.general.originator-system-title")?;
    root.push(node);
    root.push(title_field(cx, rd, "dlms.general.recipient-system-title")?.0);
    root.push(apdu::date_time_octets(cx, rd, "dlms.general.date-time")?);
    root.push(octet_field(cx, rd, "dlms.general.other-information")?.0);
    let b = rd.b;
    let extra = &b[header..rd.pos];
    if signing {
        let (mut content, c) = octet_field(cx, rd, "dlms.signing.content")?;
        content.value = None;
        content.text = Some(match lang {
            Lang::En => format!("{} byte(s)", c.len()),
            Lang::Zh => format!("{} 字节", c.len()),
        });
        if !c.is_empty()
            && let Some(inner) = nested(cx, c, content.span.end - c.len())
        {
            content.push(inner);
        }
        root.push(content);
        let (sig, s) = octet_field(cx, rd, "dlms.signing.signature")?;
        let text = match lang {
            Lang::En => format!("{}-byte signature, not verified (ECDSA)", s.len()),
            Lang::Zh => format!("{} 字节签名，未验证(ECDSA)", s.len()),
        };
        cx.info(
            sig.span,
            "dlms.signing.unverified",
            "signature not verified: ECDSA is not checked by this decoder",
            "签名未验证：本解码器不校验 ECDSA",
        );
        root.push(sig.kind(NodeKind::Check).text(text));
        return Some(());
    }
    let (flag, present) = enum_field(cx, rd, "dlms.general.key-info-flag", &[("absent", "无"), ("present", "有")])?;
    root.push(flag);
    let mut key = cx.keys.cipher_key;
    let mut no_key = None;
    if present != 0 {
        let kstart = rd.at();
        let mut ki = cx.node("dlms.general.key-info", Span::at(kstart, 0));
        let kinds = [("identified-key", "标识密钥"), ("wrapped-key", "包装密钥"), ("agreed-key", "协商密钥")];
        let (c, choice) = enum_field(cx, rd, "dlms.general.key-info.choice", &kinds)?;
        ki.value = c.text.clone();
        ki.push(c);
        match choice {
            0 => {
                let ids = [
                    ("global-unicast-encryption-key", "全局单播加密密钥"),
                    ("global-broadcast-encryption-key", "全局广播加密密钥"),
                ];
                ki.push(enum_field(cx, rd, "dlms.general.key-info.key-id", &ids)?.0);
            }
            1 => {
                ki.push(enum_field(cx, rd, "dlms.general.key-info.kek-id", &[("master-key", "主密钥")])?.0);
                ki.push(octet_field(cx, rd, "dlms.general.key-info.key-ciphered-data")?.0);
                key = None;
                no_key = Some(("the key is wrapped with the master key (KEK)", "密钥由主密钥(KEK)包装"));
            }
            2 => {
                let (mut p, v) = octet_field(cx, rd, "dlms.general.key-info.key-parameters")?;
                match v {
                    [1] => p = p.text("C(1e, 1s, ECC CDH)"),
                    [2] => p = p.text("C(0e, 2s, ECC CDH)"),
                    _ => {}
                }
                ki.push(p);
                ki.push(octet_field(cx, rd, "dlms.general.key-info.key-ciphered-data")?.0);
                key = None;
                no_key = Some(("the key is agreed (ECC CDH)", "密钥由 ECC CDH 协商"));
            }
            _ => {
                ki.span = rd.since(kstart);
                let span = ki.span;
                root.push(ki);
                cx.error(
                    span,
                    "dlms.apdu.choice.unknown",
                    "key-info is 0 (identified), 1 (wrapped) or 2 (agreed key)",
                    "密钥信息应为 0(标识)、1(包装)或 2(协商密钥)",
                );
                return None;
            }
        }
        ki.span = rd.since(kstart);
        root.push(ki);
    }
    let lat = rd.at();
    let Some(len) = rd.axdr_len() else {
        cx.truncated(rd.at());
        return None;
    };
    root.push(cx.node("dlms.ciphered.length", rd.since(lat)).kind(NodeKind::Length).value(len.to_string()));
    if len > rd.left() {
        let en = format!("the length says {len} bytes, {} are present", rd.left());
        let zh = format!("长度为 {len} 字节，实际只有 {} 字节", rd.left());
        cx.error(rd.since(lat), "dlms.ciphered.length.mismatch", &en, &zh);
        rest(cx, rd, root);
        return None;
    }
    let body_at = rd.at();
    let body = rd.take(len)?;
    protected(cx, root, body, body_at, originator, key, extra, no_key)
}

/// Whatever is left, as undecoded bytes.
fn rest(cx: &mut Cx, rd: &mut Rd, root: &mut Node) {
    let rest = rd.rest();
    root.push(
        cx.node("dlms.apdu.rest", Span::at(rd.at() - rest.len(), rest.len()))
            .kind(NodeKind::Unknown)
            .value(hex(rest))
            .text(super::ascii(rest)),
    );
}

/// The protected body `SC | IC | ciphertext | [tag]` at `body_at`: decrypted
/// and dissected when `key` and a system title are known, its tag checked
/// with the additional data SC || AK || `extra`. `no_key` names why there
/// is no usable key when `key` is `None` for a reason other than the user's.
#[allow(clippy::too_many_arguments)]
fn protected(
    cx: &mut Cx,
    root: &mut Node,
    body: &[u8],
    body_at: usize,
    title: Option<[u8; 8]>,
    key: Option<[u8; 16]>,
    extra: &[u8],
    no_key: Option<(&str, &str)>,
) -> Option<()> {
    let lang = cx.lang;
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
    let title = title.or(cx.keys.system_title);
    let ak = cx.keys.auth_key;
    // Plaintext and the tag state (ok, stated, computed).
    let mut plain: Option<Vec<u8>> = None;
    let mut tag_state: Option<(bool, String, String)> = None;
    match (key, title) {
        (Some(k), Some(st)) => {
            let (p, status) = open_with(&k, ak.as_ref(), &st, sc, ic, ct, auth.then_some(tag), extra);
            tag_state = match status {
                TagStatus::Verified => Some((true, hex(tag), hex(tag))),
                TagStatus::Mismatch(c) => Some((false, hex(tag), hex(&c))),
                _ => None,
            };
            plain = Some(p);
        }
        _ if !enc => plain = Some(ct.to_vec()),
        (None, _) => {
            let (en, zh) = no_key.unwrap_or(("no cipher key", "缺少加密密钥"));
            let en = format!("not decrypted: {en}");
            let zh = format!("未解密：{zh}");
            cx.info(Span::at(pay_at, ct.len()), "dlms.ciphered.no-key", &en, &zh);
        }
        (Some(_), None) => cx.info(
            Span::at(pay_at, ct.len()),
            "dlms.ciphered.no-key",
            "not decrypted: no system title",
            "未解密：缺少系统标题",
        ),
    }
    let mut ctn =
        cx.node(if enc { "dlms.ciphered.ciphertext" } else { "dlms.ciphered.plaintext" }, Span::at(pay_at, ct.len()));
    if plain.is_none() {
        ctn = ctn.value(hex(ct));
    }
    if let Some(p) = plain.as_ref().filter(|p| !p.is_empty())
        && let Some(inner) = nested(cx, p, pay_at)
    {
        ctn = ctn.text(format!("{} {}", lang.pick("plaintext", "明文"), hex(p)));
        ctn.push(inner);
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

/// An APDU carried inside another (plaintext of a ciphered APDU, content of
/// a signed one), dissected at `at` unless the nesting is too deep.
fn nested(cx: &mut Cx, b: &[u8], at: usize) -> Option<Node> {
    if cx.depth >= MAX_DEPTH {
        cx.error(Span::at(at, 1), "dlms.data.depth", "ciphered APDUs nested too deeply", "密文 APDU 嵌套过深");
        return None;
    }
    cx.depth += 1;
    let inner = apdu::apdu(cx, b, at);
    cx.depth -= 1;
    Some(inner)
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
