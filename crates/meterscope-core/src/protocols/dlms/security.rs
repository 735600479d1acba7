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

use super::{Cx, MAX_DEPTH, Rd, apdu, byte_msg, hex};
use crate::lang::Lang;
use crate::model::{Check, Id, Msg, NodeKind, NodeRef, ReadDerived, Severity};
use crate::msg;
use crate::registry::Keys;
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
            let h = rd.pos();
            take_octets(&mut rd)?;
            title = <[u8; 8]>::try_from(take_octets(&mut rd)?).ok();
            for _ in 0..3 {
                take_octets(&mut rd)?;
            }
            extra = &b[h..rd.pos()];
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
    let body_at = rd.pos();
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

/// The security control byte's text, written when rendered.
fn sc_text(sc: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    w.write_str(&security_control_text(sc as u8, lang))
}

/// Dissect a ciphered APDU at the reader under `parent`, decrypting it when the keys allow.
pub fn ciphered(cx: &mut Cx, parent: NodeRef, rd: &mut Rd) -> NodeRef {
    let start = rd.at();
    let root = cx.add(parent, "dlms.ciphered", Span::at(start, 0)).index();
    let _ = ciphered_into(cx, rd, root, start);
    cx.set(root).span(rd.since(start));
    root
}

/// An A-XDR octet-string field as a node, with its bytes.
fn octet_field<'a>(cx: &mut Cx, rd: &mut Rd<'a>, parent: NodeRef, id: &'static str) -> Option<(NodeRef, &'a [u8])> {
    let at = rd.at();
    let Some(n) = rd.axdr_len() else {
        cx.truncated(rd.at());
        return None;
    };
    let Some(b) = rd.take(n) else {
        let m = msg!("the length says {} bytes, {} are present", "长度为 {} 字节，实际只有 {} 字节", n, rd.left());
        cx.diag(Severity::Error, rd.since(at), "dlms.ciphered.length.mismatch", m);
        rd.rest();
        return None;
    };
    let v = cx.hex(Span::at(rd.at() - n, n));
    Some((cx.add(parent, id, rd.since(at)).value(v).index(), b))
}

/// A system title field: 8 bytes, the first three often a manufacturer id.
fn title_field(cx: &mut Cx, rd: &mut Rd, parent: NodeRef, id: &'static str) -> Option<Option<[u8; 8]>> {
    let (node, b) = octet_field(cx, rd, parent, id)?;
    cx.set(node).kind(NodeKind::Address);
    let title = <[u8; 8]>::try_from(b).ok();
    if title.is_none() {
        let span = cx.span_of(node);
        cx.warning(span, "dlms.ciphered.system-title.length", &("a system title is 8 bytes", "系统标题应为 8 字节"));
    }
    if b.len() == 8 && b[..3].iter().all(|c| c.is_ascii_uppercase()) {
        let a = cx.ascii(Span::at(rd.at() - 8, 3), &b[..3]);
        cx.set(node).text(msg!("manufacturer {}", "制造商 {}", a));
    }
    Some(title)
}

fn ciphered_into(cx: &mut Cx, rd: &mut Rd, root: NodeRef, start: usize) -> Option<()> {
    let t = rd.u8()?;
    let name = apdu::tag_name(t).unwrap_or("?");
    cx.add(root, "dlms.ciphered.tag", rd.since(start)).kind(NodeKind::Control).value(byte_msg(t)).text(Msg::Str(name));
    cx.set(root).value(Msg::Str(name));
    let general = matches!(t, 0xDB | 0xDC);
    let mut carried_title: Option<[u8; 8]> = None;
    if general {
        carried_title = title_field(cx, rd, root, "dlms.ciphered.system-title")?;
    }
    let lat = rd.at();
    let Some(len) = rd.axdr_len() else {
        cx.truncated(rd.at());
        return None;
    };
    cx.add(root, "dlms.ciphered.length", rd.since(lat)).kind(NodeKind::Length).value(Msg::Uint(len as u64));
    if len > rd.left() {
        // A first byte that merely looks like a ciphered tag: the security control byte
        // that would follow names no suite 0–2 protection.
        let implausible_sc = rd.peek().is_none_or(|sc| sc & 0x0F > 2 || sc & 0x30 == 0);
        if !general && start == rd.base() && implausible_sc {
            let m = msg!(
                "0x{:02X} would be {}, but its length {} exceeds the {} byte(s) present: not an xDLMS APDU",
                "0x{:02X} 应为 {}，但其长度 {} 超过现有的 {} 字节：不是 xDLMS APDU",
                t,
                name,
                len,
                rd.left()
            );
            cx.diag(Severity::Warning, Span::at(start, 1), "dlms.apdu.tag.unknown", m);
        } else {
            let m =
                msg!("the length says {} bytes, {} are present", "长度为 {} 字节，实际只有 {} 字节", len, rd.left());
            cx.diag(Severity::Error, rd.since(lat), "dlms.ciphered.length.mismatch", m);
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
pub fn general(cx: &mut Cx, parent: NodeRef, rd: &mut Rd) -> NodeRef {
    let start = rd.at();
    let signing = rd.peek() == Some(0xDF);
    let root = cx.add(parent, if signing { "dlms.signing" } else { "dlms.ciphered" }, Span::at(start, 0)).index();
    let _ = general_into(cx, rd, root, start, signing);
    cx.set(root).span(rd.since(start));
    root
}

/// A one-byte field with a name for its value.
fn enum_field(
    cx: &mut Cx,
    rd: &mut Rd,
    parent: NodeRef,
    id: &'static str,
    names: &'static [(&'static str, &'static str)],
) -> Option<(NodeRef, u8)> {
    let at = rd.at();
    let Some(v) = rd.u8() else {
        cx.truncated(at);
        return None;
    };
    let n = cx.add(parent, id, rd.since(at)).kind(NodeKind::Control).value(Msg::Uint(v.into()));
    let n = match names.get(v as usize) {
        Some(words) => n.text(Msg::Bi(words)),
        None => n,
    };
    Some((n.index(), v))
}

fn general_into(cx: &mut Cx, rd: &mut Rd, root: NodeRef, start: usize, signing: bool) -> Option<()> {
    let t = rd.u8()?;
    let name = apdu::tag_name(t).unwrap_or("?");
    let tag_id = if signing { "dlms.apdu.tag" } else { "dlms.ciphered.tag" };
    cx.add(root, tag_id, rd.since(start)).kind(NodeKind::Control).value(byte_msg(t)).text(Msg::Str(name));
    cx.set(root).value(Msg::Str(name));
    let header = rd.pos();
    octet_field(cx, rd, root, "dlms.general.transaction-id")?;
    let originator = title_field(cx, rd, root, "dlms.general.originator-system-title")?;
    title_field(cx, rd, root, "dlms.general.recipient-system-title")?;
    apdu::date_time_octets(cx, rd, root, "dlms.general.date-time")?;
    octet_field(cx, rd, root, "dlms.general.other-information")?;
    let b = rd.bytes();
    let extra = &b[header..rd.pos()];
    if signing {
        let (content, c) = octet_field(cx, rd, root, "dlms.signing.content")?;
        cx.set(content).value(Msg::None).text(msg!("{} byte(s)", "{} 字节", c.len()));
        if !c.is_empty() {
            let end = cx.span_of(content).end;
            nested(cx, content, c, end - c.len());
        }
        let (sig, s) = octet_field(cx, rd, root, "dlms.signing.signature")?;
        let span = cx.span_of(sig);
        cx.info(
            span,
            "dlms.signing.unverified",
            &("signature not verified: ECDSA is not checked by this decoder", "签名未验证：本解码器不校验 ECDSA"),
        );
        let text = msg!("{}-byte signature, not verified (ECDSA)", "{} 字节签名，未验证(ECDSA)", s.len());
        cx.set(sig).kind(NodeKind::Check).text(text);
        return Some(());
    }
    let (_, present) = enum_field(cx, rd, root, "dlms.general.key-info-flag", &[("absent", "无"), ("present", "有")])?;
    let mut key = cx.keys.cipher_key;
    let mut no_key = None;
    if present != 0 {
        let go_on = cx.atomic(root, |cx| {
            let kstart = rd.at();
            let ki = cx.add(root, "dlms.general.key-info", Span::at(kstart, 0)).index();
            static KINDS: [(&str, &str); 3] =
                [("identified-key", "标识密钥"), ("wrapped-key", "包装密钥"), ("agreed-key", "协商密钥")];
            let (c, choice) = enum_field(cx, rd, ki, "dlms.general.key-info.choice", &KINDS)?;
            let text = cx.f.node(c).map_or(Msg::None, |n| n.text.clone());
            cx.set(ki).value(text);
            match choice {
                0 => {
                    static IDS: [(&str, &str); 2] = [
                        ("global-unicast-encryption-key", "全局单播加密密钥"),
                        ("global-broadcast-encryption-key", "全局广播加密密钥"),
                    ];
                    enum_field(cx, rd, ki, "dlms.general.key-info.key-id", &IDS)?;
                }
                1 => {
                    enum_field(cx, rd, ki, "dlms.general.key-info.kek-id", &[("master-key", "主密钥")])?;
                    octet_field(cx, rd, ki, "dlms.general.key-info.key-ciphered-data")?;
                    key = None;
                    no_key = Some(&("the key is wrapped with the master key (KEK)", "密钥由主密钥(KEK)包装"));
                }
                2 => {
                    let (p, v) = octet_field(cx, rd, ki, "dlms.general.key-info.key-parameters")?;
                    match v {
                        [1] => {
                            cx.set(p).text(Msg::Str("C(1e, 1s, ECC CDH)"));
                        }
                        [2] => {
                            cx.set(p).text(Msg::Str("C(0e, 2s, ECC CDH)"));
                        }
                        _ => {}
                    }
                    octet_field(cx, rd, ki, "dlms.general.key-info.key-ciphered-data")?;
                    key = None;
                    no_key = Some(&("the key is agreed (ECC CDH)", "密钥由 ECC CDH 协商"));
                }
                _ => {
                    cx.set(ki).span(rd.since(kstart));
                    let span = rd.since(kstart);
                    cx.error(
                        span,
                        "dlms.apdu.choice.unknown",
                        &(
                            "key-info is 0 (identified), 1 (wrapped) or 2 (agreed key)",
                            "密钥信息应为 0(标识)、1(包装)或 2(协商密钥)",
                        ),
                    );
                    return Some(false);
                }
            }
            cx.set(ki).span(rd.since(kstart));
            Some(true)
        })?;
        if !go_on {
            return None;
        }
    }
    let lat = rd.at();
    let Some(len) = rd.axdr_len() else {
        cx.truncated(rd.at());
        return None;
    };
    cx.add(root, "dlms.ciphered.length", rd.since(lat)).kind(NodeKind::Length).value(Msg::Uint(len as u64));
    if len > rd.left() {
        let m = msg!("the length says {} bytes, {} are present", "长度为 {} 字节，实际只有 {} 字节", len, rd.left());
        cx.diag(Severity::Error, rd.since(lat), "dlms.ciphered.length.mismatch", m);
        rest(cx, rd, root);
        return None;
    }
    let body_at = rd.at();
    let body = rd.take(len)?;
    protected(cx, root, body, body_at, originator, key, extra, no_key)
}

/// Whatever is left, as undecoded bytes.
fn rest(cx: &mut Cx, rd: &mut Rd, root: NodeRef) {
    let rest = rd.rest();
    let span = Span::at(rd.at() - rest.len(), rest.len());
    let (v, t) = (cx.hex(span), cx.ascii(span, rest));
    cx.add(root, "dlms.apdu.rest", span).kind(NodeKind::Unknown).value(v).text(t);
}

/// The protected body `SC | IC | ciphertext | [tag]` at `body_at`: decrypted
/// and dissected when `key` and a system title are known, its tag checked
/// with the additional data SC || AK || `extra`. `no_key` names why there
/// is no usable key when `key` is `None` for a reason other than the user's.
/// The plaintext is kept in the frame's derived bytes.
#[allow(clippy::too_many_arguments)]
fn protected(
    cx: &mut Cx,
    root: NodeRef,
    body: &[u8],
    body_at: usize,
    title: Option<[u8; 8]>,
    key: Option<[u8; 16]>,
    extra: &[u8],
    no_key: Option<&'static (&'static str, &'static str)>,
) -> Option<()> {
    if body.len() < 5 {
        cx.error(
            Span::at(body_at, body.len()),
            "dlms.ciphered.short",
            &(
                "a ciphered APDU holds at least SC and IC (5 bytes)",
                "密文 APDU 至少包含安全控制字节和调用计数器(5 字节)",
            ),
        );
        return None;
    }
    let sc = body[0];
    cx.add(root, "dlms.ciphered.security-control", Span::at(body_at, 1))
        .kind(NodeKind::Control)
        .value(byte_msg(sc))
        .text(Msg::Code(sc_text, sc.into()));
    let ic = u32::from_be_bytes([body[1], body[2], body[3], body[4]]);
    cx.add(root, "dlms.ciphered.invocation-counter", Span::at(body_at + 1, 4))
        .value(Msg::Uint(ic.into()))
        .text(Msg::HexNum { value: ic.into(), digits: 8 });
    if sc & 0x0F != 0 {
        cx.info(
            Span::at(body_at, 1),
            "dlms.ciphered.suite",
            &("only security suite 0 is decrypted", "只解密安全套件 0"),
        );
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
            &("no room for the 12-byte authentication tag", "放不下 12 字节认证标签"),
        );
        return None;
    }
    let (ct, tag) = payload.split_at(payload.len() - tag_len);
    let tag_at = pay_at + ct.len();
    let tag_span = Span::at(tag_at, tag.len());
    let title = title.or(cx.keys.system_title);
    let ak = cx.keys.auth_key;
    // Plaintext (decrypted, or the bytes as sent) and the tag state (ok, computed).
    let mut plain: Option<Vec<u8>> = None;
    let mut decrypted = false;
    let mut tag_state: Option<(bool, Msg)> = None;
    match (key, title) {
        (Some(k), Some(st)) => {
            let (p, status) = open_with(&k, ak.as_ref(), &st, sc, ic, ct, auth.then_some(tag), extra);
            tag_state = match status {
                TagStatus::Verified => Some((true, cx.hex(tag_span))),
                TagStatus::Mismatch(c) => Some((false, Msg::owned(hex(&c)))),
                _ => None,
            };
            plain = Some(p);
            decrypted = true;
        }
        _ if !enc => plain = Some(Vec::new()),
        (None, _) => {
            let words = no_key.unwrap_or(&("no cipher key", "缺少加密密钥"));
            let m = msg!("not decrypted: {}", "未解密：{}", Msg::Bi(words));
            cx.diag(Severity::Info, Span::at(pay_at, ct.len()), "dlms.ciphered.no-key", m);
        }
        (Some(_), None) => cx.info(
            Span::at(pay_at, ct.len()),
            "dlms.ciphered.no-key",
            &("not decrypted: no system title", "未解密：缺少系统标题"),
        ),
    }
    let ct_span = Span::at(pay_at, ct.len());
    let ctn = cx.add(root, if enc { "dlms.ciphered.ciphertext" } else { "dlms.ciphered.plaintext" }, ct_span).index();
    if plain.is_none() {
        let v = cx.hex(ct_span);
        cx.set(ctn).value(v);
    }
    let dissect = |cx: &mut Cx, p: &[u8]| {
        if nested(cx, ctn, p, pay_at) {
            let h = cx.hex(Span::at(pay_at, p.len()));
            cx.set(ctn).text(msg!("plaintext {}", "明文 {}", h));
        }
    };
    let authentic = !matches!(tag_state, Some((false, _)));
    match plain {
        // A tag that does not match: the "plaintext" is noise from a wrong key; not read as an APDU.
        Some(_) if decrypted && !authentic => {
            let v = cx.hex(ct_span);
            cx.set(ctn)
                .value(v)
                .text(crate::msg!("not opened: the authentication tag does not match", "未打开：认证标签不匹配"));
        }
        Some(p) if decrypted && !p.is_empty() => cx.derived(&p, pay_at, |cx| dissect(cx, &p)),
        Some(_) if !decrypted && !ct.is_empty() => dissect(cx, ct),
        _ => {}
    }
    if auth {
        let tn = cx.add(root, "dlms.ciphered.tag-value", tag_span).kind(NodeKind::Check).index();
        let stated = cx.hex(tag_span);
        cx.set(tn).value(stated.clone());
        match tag_state {
            Some((ok, computed)) => {
                cx.check(Check {
                    id: Id::Static("dlms.ciphered.tag-value"),
                    label: Msg::Label,
                    stated,
                    computed,
                    ok,
                    span: tag_span,
                });
                if ok {
                    cx.set(tn).text(crate::msg!("authenticated", "已认证"));
                } else {
                    cx.set(tn).text(crate::msg!("tag mismatch", "标签不匹配"));
                    cx.error(
                        tag_span,
                        "dlms.ciphered.tag.mismatch",
                        &(
                            "tag mismatch: wrong keys, system title or altered bytes",
                            "标签不匹配：密钥、系统标题错误或字节被改动",
                        ),
                    );
                }
            }
            None if (decrypted || !enc) && ak.is_none() => {
                cx.set(tn).text(crate::msg!("tag not verified: no authentication key", "标签未验证：缺少认证密钥"));
                cx.info(
                    tag_span,
                    "dlms.ciphered.tag.unverified",
                    &("tag not verified: no authentication key", "标签未验证：缺少认证密钥"),
                );
            }
            None => {
                cx.set(tn).text(crate::msg!("tag not verified", "标签未验证"));
            }
        }
    }
    Some(())
}

/// An APDU carried inside another (plaintext of a ciphered APDU, content of
/// a signed one), dissected at `at` under `parent` unless the nesting is too
/// deep; false then.
fn nested(cx: &mut Cx, parent: NodeRef, b: &[u8], at: usize) -> bool {
    if cx.depth >= MAX_DEPTH {
        cx.error(Span::at(at, 1), "dlms.data.depth", &("ciphered APDUs nested too deeply", "密文 APDU 嵌套过深"));
        return false;
    }
    cx.depth += 1;
    apdu::apdu(cx, parent, b, at);
    cx.depth -= 1;
    true
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
