//! Strict association codecs for programs: AARQ, AARE, RLRQ and RLRE (BER,
//! IEC 62056-5-3 clause 9.4.2 and ISO 8650), the xDLMS InitiateRequest and
//! InitiateResponse they carry, and the security suite 0 pieces an
//! association needs: glo-ciphering of APDUs (global key), ded-ciphering
//! (the dedicated key the glo-ciphered InitiateRequest carries) and the
//! HLS-GMAC proof `f(challenge) = SC || IC || GMAC(SC || AK || challenge)`.
//!
//! ```text
//! AARQ 60 len | A1 09 06 07 60 85 74 05 08 01 cc   application context (1 LN, 2 SN, 3 LN ciphered, 4 SN ciphered)
//!             | [A6 0A 04 08 system-title]          calling AP title
//!             | [8A 02 07 80]                       ACSE requirements: authentication
//!             | [8B 07 60 85 74 05 08 02 mm]         mechanism (1 low, 5 HLS-GMAC)
//!             | [AC len 80 len value]                calling authentication value
//!             | BE len 04 len InitiateRequest        user information
//! AARE 61 len | A1 .. | A2 03 02 01 result | A3 05 (A1|A2) 03 02 01 diag | [A4 0A 04 08 title]
//!             | [88 02 07 80] [89 07 .. mm] [AA len 80 len StoC] | BE len 04 len InitiateResponse
//! ```

use super::security::{TAG_LEN, gcm_apply, gcm_open};
use crate::error::{ErrorKind, ParseError};

/// The object identifier prefix `2.16.756.5.8` of DLMS UA names.
const OID_PREFIX: [u8; 5] = [0x60, 0x85, 0x74, 0x05, 0x08];

/// Authentication mechanism (mechanism name `2.16.756.5.8.2.x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// Lowest level security: no authentication (0).
    None,
    /// Low level security: a password (1).
    Low,
    /// High level security with GMAC (5).
    HighGmac,
}

impl Mechanism {
    pub const fn id(self) -> u8 {
        match self {
            Mechanism::None => 0,
            Mechanism::Low => 1,
            Mechanism::HighGmac => 5,
        }
    }
    pub fn from_id(id: u8) -> Option<Mechanism> {
        match id {
            0 => Some(Mechanism::None),
            1 => Some(Mechanism::Low),
            5 => Some(Mechanism::HighGmac),
            _ => None,
        }
    }
}

/// Application context name `2.16.756.5.8.1.x`: referencing and ciphering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppContext {
    pub logical_names: bool,
    pub ciphered: bool,
}

impl AppContext {
    pub const fn id(self) -> u8 {
        match (self.logical_names, self.ciphered) {
            (true, false) => 1,
            (false, false) => 2,
            (true, true) => 3,
            (false, true) => 4,
        }
    }
    pub fn from_id(id: u8) -> Option<AppContext> {
        Some(match id {
            1 => AppContext { logical_names: true, ciphered: false },
            2 => AppContext { logical_names: false, ciphered: false },
            3 => AppContext { logical_names: true, ciphered: true },
            4 => AppContext { logical_names: false, ciphered: true },
            _ => return None,
        })
    }
}

/// Conformance bits (bit 0 is the first, most significant, of the 24).
pub mod conformance {
    pub const fn bit(n: u32) -> u32 {
        1 << (23 - n)
    }
    pub const BLOCK_TRANSFER_WITH_GET: u32 = bit(11);
    pub const BLOCK_TRANSFER_WITH_SET: u32 = bit(12);
    pub const BLOCK_TRANSFER_WITH_ACTION: u32 = bit(13);
    pub const MULTIPLE_REFERENCES: u32 = bit(14);
    pub const GET: u32 = bit(19);
    pub const SET: u32 = bit(20);
    pub const SELECTIVE_ACCESS: u32 = bit(21);
    pub const EVENT_NOTIFICATION: u32 = bit(22);
    pub const ACTION: u32 = bit(23);
    /// General block transfer (GBT): long APDUs in `E0` blocks, streamed in windows.
    pub const GENERAL_BLOCK_TRANSFER: u32 = bit(2);
    /// Short-name read and write.
    pub const READ: u32 = bit(3);
    pub const WRITE: u32 = bit(4);
    /// Parameterized access (short-name selective access).
    pub const PARAMETERIZED_ACCESS: u32 = bit(18);
    /// What a short-name client usually proposes.
    pub const CLIENT_SN: u32 = READ
        | WRITE
        | BLOCK_TRANSFER_WITH_GET
        | BLOCK_TRANSFER_WITH_SET
        | MULTIPLE_REFERENCES
        | PARAMETERIZED_ACCESS
        | bit(5)
        | bit(15);
    /// What a logical-name client usually proposes.
    pub const CLIENT_LN: u32 = BLOCK_TRANSFER_WITH_GET
        | BLOCK_TRANSFER_WITH_SET
        | BLOCK_TRANSFER_WITH_ACTION
        | MULTIPLE_REFERENCES
        | GET
        | SET
        | SELECTIVE_ACCESS
        | EVENT_NOTIFICATION
        | ACTION
        | bit(9)
        | bit(10);
}

/// xDLMS InitiateRequest (tag 0x01).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateRequest {
    pub dedicated_key: Option<Vec<u8>>,
    pub version: u8,
    pub conformance: u32,
    pub max_pdu: u16,
}

/// xDLMS InitiateResponse (tag 0x08).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitiateResponse {
    pub version: u8,
    pub conformance: u32,
    pub max_pdu: u16,
    /// 0x0007 for logical names, 0xFA00 for short names.
    pub vaa_name: u16,
}

fn err(at: usize, what: &'static str) -> ParseError {
    ParseError::new(at, ErrorKind::BadValue { what })
}

fn short(b: &[u8], n: usize) -> ParseError {
    ParseError::new(b.len(), ErrorKind::Truncated { needed: n.saturating_sub(b.len()).max(1) })
}

fn conformance_block(bits: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(&[0x5F, 0x1F, 0x04, 0x00]);
    out.extend_from_slice(&bits.to_be_bytes()[1..]);
}

fn read_conformance(b: &[u8], at: usize) -> Result<u32, ParseError> {
    let c = b.get(at..at + 7).ok_or_else(|| short(b, at + 7))?;
    if c[..3] != [0x5F, 0x1F, 0x04] {
        return Err(err(at, "conformance block"));
    }
    Ok(u32::from_be_bytes([0, c[4], c[5], c[6]]))
}

impl InitiateRequest {
    pub fn emit(&self) -> Vec<u8> {
        let mut out = vec![0x01];
        match &self.dedicated_key {
            Some(k) => {
                out.push(1);
                out.push(k.len() as u8);
                out.extend_from_slice(k);
            }
            None => out.push(0),
        }
        // response-allowed left at its default (TRUE), no quality of service.
        out.extend_from_slice(&[0x00, 0x00, self.version]);
        conformance_block(self.conformance, &mut out);
        out.extend_from_slice(&self.max_pdu.to_be_bytes());
        out
    }

    pub fn parse(b: &[u8]) -> Result<InitiateRequest, ParseError> {
        let at = |i: usize| b.get(i).copied().ok_or_else(|| short(b, i + 1));
        if at(0)? != 0x01 {
            return Err(err(0, "InitiateRequest tag"));
        }
        let mut i = 1;
        let dedicated_key = if at(i)? != 0 {
            let n = at(i + 1)? as usize;
            let k = b.get(i + 2..i + 2 + n).ok_or_else(|| short(b, i + 2 + n))?.to_vec();
            i += 2 + n;
            Some(k)
        } else {
            i += 1;
            None
        };
        i += if at(i)? != 0 { 2 } else { 1 };
        i += if at(i)? != 0 { 2 } else { 1 };
        let version = at(i)?;
        let conformance = read_conformance(b, i + 1)?;
        let m = b.get(i + 8..i + 10).ok_or_else(|| short(b, i + 10))?;
        if b.len() != i + 10 {
            return Err(ParseError::new(i + 10, ErrorKind::TrailingBytes { count: b.len() - i - 10 }));
        }
        Ok(InitiateRequest { dedicated_key, version, conformance, max_pdu: u16::from_be_bytes([m[0], m[1]]) })
    }
}

impl InitiateResponse {
    pub fn emit(&self) -> Vec<u8> {
        let mut out = vec![0x08, 0x00, self.version];
        conformance_block(self.conformance, &mut out);
        out.extend_from_slice(&self.max_pdu.to_be_bytes());
        out.extend_from_slice(&self.vaa_name.to_be_bytes());
        out
    }

    pub fn parse(b: &[u8]) -> Result<InitiateResponse, ParseError> {
        let at = |i: usize| b.get(i).copied().ok_or_else(|| short(b, i + 1));
        if at(0)? != 0x08 {
            return Err(err(0, "InitiateResponse tag"));
        }
        let i = if at(1)? != 0 { 3 } else { 2 };
        let version = at(i)?;
        let conformance = read_conformance(b, i + 1)?;
        let m = b.get(i + 8..i + 12).ok_or_else(|| short(b, i + 12))?;
        Ok(InitiateResponse {
            version,
            conformance,
            max_pdu: u16::from_be_bytes([m[0], m[1]]),
            vaa_name: u16::from_be_bytes([m[2], m[3]]),
        })
    }
}

// ---------------------------------------------------------------------------
// BER helpers
// ---------------------------------------------------------------------------

fn ber_len(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
}

fn tlv(tag: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    ber_len(content.len(), out);
    out.extend_from_slice(content);
}

/// A BER TLV: tag, content and the content's offset.
type Tlv<'a> = (u8, &'a [u8], usize);

/// Split BER TLVs.
fn tlvs(b: &[u8], base: usize) -> Result<Vec<Tlv<'_>>, ParseError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let tag = b[i];
        let (n, hdr) = match b.get(i + 1) {
            None => return Err(ParseError::new(base + b.len(), ErrorKind::Truncated { needed: 1 })),
            Some(&l) if l < 0x80 => (l as usize, 2),
            Some(0x81) => (*b.get(i + 2).ok_or_else(|| short(b, i + 3))? as usize, 3),
            Some(0x82) => {
                let s = b.get(i + 2..i + 4).ok_or_else(|| short(b, i + 4))?;
                (u16::from_be_bytes([s[0], s[1]]) as usize, 4)
            }
            Some(_) => return Err(err(base + i + 1, "BER length")),
        };
        let content = b
            .get(i + hdr..i + hdr + n)
            .ok_or_else(|| ParseError::new(base + b.len(), ErrorKind::Truncated { needed: i + hdr + n - b.len() }))?;
        out.push((tag, content, base + i + hdr));
        i += hdr + n;
    }
    Ok(out)
}

/// The whole APDU `tag len content`, content returned.
fn outer(b: &[u8], tag: u8) -> Result<&[u8], ParseError> {
    let v = tlvs(b, 0)?;
    match v.as_slice() {
        [(t, content, _)] if *t == tag => Ok(content),
        [(t, ..), ..] if *t != tag => {
            Err(ParseError::new(0, ErrorKind::UnexpectedByte { found: *t, expected: "an ACSE tag" }))
        }
        _ => Err(err(0, "ACSE APDU")),
    }
}

/// The last byte of an `06 07 60 85 74 05 08 kk xx` OID inside a context tag.
fn oid_last(content: &[u8], kind: u8, at: usize) -> Result<u8, ParseError> {
    // Either wrapped in 06 07 (application context) or bare (mechanism name).
    let oid = if content.first() == Some(&0x06) && content.len() == 9 { &content[2..] } else { content };
    if oid.len() != 7 || oid[..5] != OID_PREFIX || oid[5] != kind {
        return Err(err(at, "DLMS object identifier"));
    }
    Ok(oid[6])
}

fn oid(kind: u8, last: u8) -> Vec<u8> {
    let mut v = OID_PREFIX.to_vec();
    v.extend_from_slice(&[kind, last]);
    v
}

/// AARQ (tag 0x60).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aarq {
    pub context: AppContext,
    /// Calling AP title: the client system title (ciphering, HLS).
    pub calling_title: Option<Vec<u8>>,
    /// `None`: no mechanism name, which means lowest level security.
    pub mechanism: Option<Mechanism>,
    /// Password (low) or client challenge CtoS (high).
    pub auth_value: Option<Vec<u8>>,
    /// The InitiateRequest, plain (0x01) or glo-ciphered (0x21).
    pub user_info: Vec<u8>,
}

impl Aarq {
    pub fn emit(&self) -> Vec<u8> {
        let mut c = Vec::new();
        let mut ctx = vec![0x06, 0x07];
        ctx.extend_from_slice(&oid(1, self.context.id()));
        tlv(0xA1, &ctx, &mut c);
        if let Some(t) = &self.calling_title {
            let mut inner = Vec::new();
            tlv(0x04, t, &mut inner);
            tlv(0xA6, &inner, &mut c);
        }
        if let Some(m) = self.mechanism.filter(|m| *m != Mechanism::None) {
            tlv(0x8A, &[0x07, 0x80], &mut c);
            tlv(0x8B, &oid(2, m.id()), &mut c);
        }
        if let Some(v) = &self.auth_value {
            let mut inner = Vec::new();
            tlv(0x80, v, &mut inner);
            tlv(0xAC, &inner, &mut c);
        }
        let mut inner = Vec::new();
        tlv(0x04, &self.user_info, &mut inner);
        tlv(0xBE, &inner, &mut c);
        let mut out = Vec::new();
        tlv(0x60, &c, &mut out);
        out
    }

    pub fn parse(b: &[u8]) -> Result<Aarq, ParseError> {
        let body = outer(b, 0x60)?;
        let base = b.len() - body.len();
        let mut a = Aarq {
            context: AppContext { logical_names: true, ciphered: false },
            calling_title: None,
            mechanism: None,
            auth_value: None,
            user_info: Vec::new(),
        };
        let mut have_context = false;
        for (tag, content, at) in tlvs(body, base)? {
            match tag {
                0xA1 => {
                    a.context = AppContext::from_id(oid_last(content, 1, at)?).ok_or(err(at, "application context"))?;
                    have_context = true;
                }
                0xA6 => a.calling_title = Some(inner_value(content, 0x04, at)?),
                0x8B => a.mechanism = Some(Mechanism::from_id(oid_last(content, 2, at)?).ok_or(err(at, "mechanism"))?),
                0xAC => a.auth_value = Some(inner_value(content, 0x80, at)?),
                0xBE => a.user_info = inner_value(content, 0x04, at)?,
                _ => {}
            }
        }
        if !have_context {
            return Err(err(base, "application context name (missing)"));
        }
        Ok(a)
    }
}

fn inner_value(content: &[u8], tag: u8, at: usize) -> Result<Vec<u8>, ParseError> {
    match tlvs(content, at)?.as_slice() {
        [(t, v, _)] if *t == tag => Ok(v.to_vec()),
        _ => Err(err(at, "ACSE component")),
    }
}

/// Association result (`A2`): accepted, rejected permanently or transiently.
pub mod result {
    pub const ACCEPTED: u8 = 0;
    pub const REJECTED_PERMANENT: u8 = 1;
    pub const REJECTED_TRANSIENT: u8 = 2;
}

/// Result source diagnostic (`A3`): who gave it and the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diagnostic {
    /// acse-service-user (A1): 0 null, 1 no reason given, 2 application
    /// context name not supported, 11 mechanism name not recognised,
    /// 12 mechanism name required, 13 authentication failure, 14 authentication required.
    User(u8),
    /// acse-service-provider (A2): 0 null, 1 no reason given, 2 no common ACSE version.
    Provider(u8),
}

impl Diagnostic {
    /// The diagnostic in words.
    pub fn text(self) -> &'static str {
        match self {
            Diagnostic::User(0) | Diagnostic::Provider(0) => "null",
            Diagnostic::User(1) | Diagnostic::Provider(1) => "no reason given",
            Diagnostic::User(2) => "application context name not supported",
            Diagnostic::User(3) => "calling AP title not recognised",
            Diagnostic::User(11) => "authentication mechanism name not recognised",
            Diagnostic::User(12) => "authentication mechanism name required",
            Diagnostic::User(13) => "authentication failure",
            Diagnostic::User(14) => "authentication required",
            Diagnostic::Provider(2) => "no common ACSE version",
            _ => "unknown diagnostic",
        }
    }
}

/// The association result in words.
pub fn result_text(r: u8) -> &'static str {
    match r {
        result::ACCEPTED => "accepted",
        result::REJECTED_PERMANENT => "rejected (permanent)",
        result::REJECTED_TRANSIENT => "rejected (transient)",
        _ => "unknown result",
    }
}

/// AARE (tag 0x61).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aare {
    pub context: AppContext,
    pub result: u8,
    pub diagnostic: Diagnostic,
    /// Responding AP title: the server system title.
    pub responding_title: Option<Vec<u8>>,
    pub mechanism: Option<Mechanism>,
    /// Server challenge StoC (high level security).
    pub auth_value: Option<Vec<u8>>,
    /// InitiateResponse (0x08), glo-ciphered (0x28), or a confirmedServiceError (0x0E).
    pub user_info: Option<Vec<u8>>,
}

impl Aare {
    pub fn emit(&self) -> Vec<u8> {
        let mut c = Vec::new();
        let mut ctx = vec![0x06, 0x07];
        ctx.extend_from_slice(&oid(1, self.context.id()));
        tlv(0xA1, &ctx, &mut c);
        tlv(0xA2, &[0x02, 0x01, self.result], &mut c);
        let (src, v) = match self.diagnostic {
            Diagnostic::User(v) => (0xA1, v),
            Diagnostic::Provider(v) => (0xA2, v),
        };
        let mut d = Vec::new();
        tlv(src, &[0x02, 0x01, v], &mut d);
        tlv(0xA3, &d, &mut c);
        if let Some(t) = &self.responding_title {
            let mut inner = Vec::new();
            tlv(0x04, t, &mut inner);
            tlv(0xA4, &inner, &mut c);
        }
        if let Some(m) = self.mechanism.filter(|m| *m != Mechanism::None) {
            tlv(0x88, &[0x07, 0x80], &mut c);
            tlv(0x89, &oid(2, m.id()), &mut c);
        }
        if let Some(v) = &self.auth_value {
            let mut inner = Vec::new();
            tlv(0x80, v, &mut inner);
            tlv(0xAA, &inner, &mut c);
        }
        if let Some(u) = &self.user_info {
            let mut inner = Vec::new();
            tlv(0x04, u, &mut inner);
            tlv(0xBE, &inner, &mut c);
        }
        let mut out = Vec::new();
        tlv(0x61, &c, &mut out);
        out
    }

    pub fn parse(b: &[u8]) -> Result<Aare, ParseError> {
        let body = outer(b, 0x61)?;
        let base = b.len() - body.len();
        let mut a = Aare {
            context: AppContext { logical_names: true, ciphered: false },
            result: 0xFF,
            diagnostic: Diagnostic::User(0),
            responding_title: None,
            mechanism: None,
            auth_value: None,
            user_info: None,
        };
        for (tag, content, at) in tlvs(body, base)? {
            match tag {
                0xA1 => {
                    a.context = AppContext::from_id(oid_last(content, 1, at)?).ok_or(err(at, "application context"))?
                }
                0xA2 => a.result = *inner_value(content, 0x02, at)?.first().ok_or(err(at, "result"))?,
                0xA3 => {
                    let v = tlvs(content, at)?;
                    let [(src, d, dat)] = v.as_slice() else { return Err(err(at, "result source diagnostic")) };
                    let value = *inner_value(d, 0x02, *dat)?.first().ok_or(err(at, "diagnostic"))?;
                    a.diagnostic = match src {
                        0xA1 => Diagnostic::User(value),
                        0xA2 => Diagnostic::Provider(value),
                        _ => return Err(err(at, "diagnostic source")),
                    };
                }
                0xA4 => a.responding_title = Some(inner_value(content, 0x04, at)?),
                0x89 => a.mechanism = Some(Mechanism::from_id(oid_last(content, 2, at)?).ok_or(err(at, "mechanism"))?),
                0xAA => a.auth_value = Some(inner_value(content, 0x80, at)?),
                0xBE => a.user_info = Some(inner_value(content, 0x04, at)?),
                _ => {}
            }
        }
        if a.result == 0xFF {
            return Err(err(base, "association result (missing)"));
        }
        Ok(a)
    }
}

/// RLRQ with reason normal (0): `62 03 80 01 00`.
pub fn rlrq() -> Vec<u8> {
    vec![0x62, 0x03, 0x80, 0x01, 0x00]
}

/// RLRE with reason normal (0): `63 03 80 01 00`.
pub fn rlre() -> Vec<u8> {
    vec![0x63, 0x03, 0x80, 0x01, 0x00]
}

/// The reason of an RLRQ or RLRE (`tag` 0x62 or 0x63); `None` when absent.
pub fn release_reason(b: &[u8], tag: u8) -> Result<Option<u8>, ParseError> {
    let body = outer(b, tag)?;
    let base = b.len() - body.len();
    Ok(tlvs(body, base)?.iter().find(|t| t.0 == 0x80).and_then(|t| t.1.first().copied()))
}

// ---------------------------------------------------------------------------
// Security suite 0
// ---------------------------------------------------------------------------

/// Keys and titles of security suite 0.
#[derive(Clone, PartialEq, Eq)]
pub struct SuiteKeys {
    /// Global unicast encryption key (block cipher key).
    pub ek: [u8; 16],
    /// Authentication key.
    pub ak: [u8; 16],
}

impl core::fmt::Debug for SuiteKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SuiteKeys { .. }")
    }
}

/// Security control byte: authentication and encryption, suite 0.
pub const SC_AUTH_ENC: u8 = 0x30;
/// Security control byte: authentication only (HLS-GMAC proofs).
pub const SC_AUTH: u8 = 0x10;

/// The glo-ciphering tag of a plaintext APDU tag.
pub fn glo_tag(plain: u8) -> Option<u8> {
    Some(match plain {
        0x01 => 0x21,
        0x05 => 0x25,
        0x06 => 0x26,
        0x08 => 0x28,
        0x0C => 0x2C,
        0x0D => 0x2D,
        0x0E => 0x2E,
        0xC0 => 0xC8,
        0xC1 => 0xC9,
        0xC2 => 0xCA,
        0xC3 => 0xCB,
        0xC4 => 0xCC,
        0xC5 => 0xCD,
        0xC7 => 0xCF,
        _ => return None,
    })
}

/// The dedicated-ciphering tag of a plaintext APDU tag (xDLMS services only:
/// the InitiateRequest that carries the dedicated key is glo-ciphered).
pub fn ded_tag(plain: u8) -> Option<u8> {
    Some(match plain {
        0x05 => 0x45,
        0x06 => 0x46,
        0x0C => 0x4C,
        0x0D => 0x4D,
        0x0E => 0x4E,
        0xC0..=0xC5 | 0xC7 => plain + 0x10,
        _ => return None,
    })
}

/// Whether `tag` is a dedicated-ciphered APDU (opened with the dedicated key).
pub fn is_ded(tag: u8) -> bool {
    matches!(tag, 0x41..=0x58 | 0xD0..=0xD7)
}

fn iv(title: &[u8; 8], ic: u32) -> [u8; 12] {
    let mut iv = [0u8; 12];
    iv[..8].copy_from_slice(title);
    iv[8..].copy_from_slice(&ic.to_be_bytes());
    iv
}

/// Cipher a plaintext APDU with glo-ciphering (authenticated and encrypted):
/// `tag' len SC IC ciphertext T`.
pub fn glo_seal(keys: &SuiteKeys, title: &[u8; 8], ic: u32, plain: &[u8]) -> Vec<u8> {
    let tag = plain.first().and_then(|&t| glo_tag(t)).unwrap_or(0xDB);
    seal_tagged(tag, keys, title, ic, plain)
}

/// Cipher a plaintext APDU with ded-ciphering: as [`glo_seal`], with the
/// dedicated key of the association (`keys.ek`) and the `ded-` tag.
pub fn ded_seal(keys: &SuiteKeys, title: &[u8; 8], ic: u32, plain: &[u8]) -> Vec<u8> {
    let tag = plain.first().and_then(|&t| ded_tag(t)).unwrap_or(0xDC);
    seal_tagged(tag, keys, title, ic, plain)
}

fn seal_tagged(tag: u8, keys: &SuiteKeys, title: &[u8; 8], ic: u32, plain: &[u8]) -> Vec<u8> {
    let mut aad = vec![SC_AUTH_ENC];
    aad.extend_from_slice(&keys.ak);
    let mut data = plain.to_vec();
    let t = gcm_apply(&keys.ek, &iv(title, ic), &aad, &mut data);
    let mut body = vec![SC_AUTH_ENC];
    body.extend_from_slice(&ic.to_be_bytes());
    body.extend_from_slice(&data);
    body.extend_from_slice(&t);
    let mut out = vec![tag];
    crate::wire::put_axdr_length(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Open a glo-ciphered APDU sent by the holder of `title`: the plaintext
/// APDU and the invocation counter. Fails on a wrong tag (wrong keys).
pub fn glo_open(keys: &SuiteKeys, title: &[u8; 8], b: &[u8]) -> Result<(Vec<u8>, u32), ParseError> {
    let mut rd = super::Rd::new(b, 0);
    rd.u8().ok_or_else(|| short(b, 1))?;
    let n = rd.axdr_len().ok_or_else(|| err(1, "A-XDR length"))?;
    let at = rd.pos();
    let body = rd.take(n).ok_or_else(|| short(b, at + n))?;
    if rd.left() != 0 {
        return Err(ParseError::new(at + n, ErrorKind::TrailingBytes { count: rd.left() }));
    }
    if body.len() < 5 + TAG_LEN {
        return Err(ParseError::new(at, ErrorKind::BadLength { stated: n, actual: 5 + TAG_LEN }));
    }
    let sc = body[0];
    if sc & 0x0F != 0 || sc & 0x30 != 0x30 {
        return Err(err(at, "security control (suite 0, authenticated and encrypted expected)"));
    }
    let ic = u32::from_be_bytes([body[1], body[2], body[3], body[4]]);
    let (ct, tag) = body[5..].split_at(body.len() - 5 - TAG_LEN);
    let mut aad = vec![sc];
    aad.extend_from_slice(&keys.ak);
    let mut data = ct.to_vec();
    if !gcm_open(&keys.ek, &iv(title, ic), &aad, &mut data, tag) {
        return Err(err(at + body.len() - TAG_LEN, "authentication tag (wrong keys or system title)"));
    }
    Ok((data, ic))
}

/// The HLS-GMAC proof of a challenge: `SC(0x10) || IC || GMAC(SC || AK || challenge)`,
/// computed with the prover's system title and invocation counter.
pub fn hls_gmac(keys: &SuiteKeys, title: &[u8; 8], ic: u32, challenge: &[u8]) -> Vec<u8> {
    let mut aad = vec![SC_AUTH];
    aad.extend_from_slice(&keys.ak);
    aad.extend_from_slice(challenge);
    let t = gcm_apply(&keys.ek, &iv(title, ic), &aad, &mut []);
    let mut out = vec![SC_AUTH];
    out.extend_from_slice(&ic.to_be_bytes());
    out.extend_from_slice(&t);
    out
}

/// Check an HLS-GMAC proof of `challenge` made by the holder of `title`.
pub fn hls_gmac_check(keys: &SuiteKeys, title: &[u8; 8], challenge: &[u8], proof: &[u8]) -> bool {
    if proof.len() != 5 + TAG_LEN || proof[0] != SC_AUTH {
        return false;
    }
    let ic = u32::from_be_bytes([proof[1], proof[2], proof[3], proof[4]]);
    hls_gmac(keys, title, ic, challenge) == proof
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use crate::protocols::dlms::DlmsApdu;
    use crate::registry::Protocol;

    fn keys() -> SuiteKeys {
        SuiteKeys {
            ek: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
            ak: core::array::from_fn(|i| 0xD0 + i as u8),
        }
    }

    #[test]
    fn aarq_public_client_bytes() {
        let init = InitiateRequest { dedicated_key: None, version: 6, conformance: 0x00_7E1F, max_pdu: 0xFFFF };
        let a = Aarq {
            context: AppContext { logical_names: true, ciphered: false },
            calling_title: None,
            mechanism: None,
            auth_value: None,
            user_info: init.emit(),
        };
        let b = a.emit();
        // The AARQ of a public client, as found in every meter log.
        let expected = [
            0x60, 0x1D, 0xA1, 0x09, 0x06, 0x07, 0x60, 0x85, 0x74, 0x05, 0x08, 0x01, 0x01, 0xBE, 0x10, 0x04, 0x0E, 0x01,
            0x00, 0x00, 0x00, 0x06, 0x5F, 0x1F, 0x04, 0x00, 0x00, 0x7E, 0x1F, 0xFF, 0xFF,
        ];
        assert_eq!(b, expected);
        assert_eq!(Aarq::parse(&b).unwrap(), a);
        assert_eq!(InitiateRequest::parse(&a.user_info).unwrap(), init);
        assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid);
    }

    #[test]
    fn aarq_and_aare_round_trip_with_authentication() {
        for (m, v) in [(Mechanism::Low, b"12345678".to_vec()), (Mechanism::HighGmac, b"K56iVagY".to_vec())] {
            let a = Aarq {
                context: AppContext { logical_names: true, ciphered: m == Mechanism::HighGmac },
                calling_title: Some(b"MMM\x00\x00\xBCaN".to_vec()),
                mechanism: Some(m),
                auth_value: Some(v),
                user_info: InitiateRequest {
                    dedicated_key: Some(vec![7; 16]),
                    version: 6,
                    conformance: conformance::CLIENT_LN,
                    max_pdu: 512,
                }
                .emit(),
            };
            let b = a.emit();
            assert_eq!(Aarq::parse(&b).unwrap(), a);
            assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid);
        }
        let resp = InitiateResponse { version: 6, conformance: 0x00_501F, max_pdu: 0x01F4, vaa_name: 7 };
        let aare = Aare {
            context: AppContext { logical_names: true, ciphered: false },
            result: result::ACCEPTED,
            diagnostic: Diagnostic::User(14),
            responding_title: Some(vec![1; 8]),
            mechanism: Some(Mechanism::HighGmac),
            auth_value: Some(b"P6wRJ21F".to_vec()),
            user_info: Some(resp.emit()),
        };
        let b = aare.emit();
        assert_eq!(Aare::parse(&b).unwrap(), aare);
        assert_eq!(InitiateResponse::parse(&resp.emit()).unwrap(), resp);
        assert!(DlmsApdu.dissect(&b, 0, &Options::default()).valid);
        assert_eq!(Diagnostic::User(13).text(), "authentication failure");
        assert_eq!(release_reason(&rlrq(), 0x62).unwrap(), Some(0));
        assert_eq!(release_reason(&rlre(), 0x63).unwrap(), Some(0));
        assert!(Aare::parse(&rlre()).is_err());
        assert!(Aarq::parse(&b[..b.len() - 1]).is_err());
    }

    #[test]
    fn glo_ciphering_and_gmac() {
        let k = keys();
        let title = *b"MMM\x00\x00\xBCaN";
        let plain = [0xC0, 0x01, 0xC1, 0x00, 0x08, 0, 0, 1, 0, 0, 0xFF, 0x02, 0x00];
        let c = glo_seal(&k, &title, 0x0123_4567, &plain);
        assert_eq!(c[0], 0xC8);
        assert_eq!(glo_open(&k, &title, &c).unwrap(), (plain.to_vec(), 0x0123_4567));
        // The dissector decrypts it with the same keys.
        let mut opts = Options::default();
        opts.keys.cipher_key = Some(k.ek);
        opts.keys.auth_key = Some(k.ak);
        opts.keys.system_title = Some(title);
        let frame = DlmsApdu.dissect(&c, 0, &opts);
        assert!(frame.checks.iter().all(|c| c.ok), "{:?}", frame.checks);
        let mut bad = c.clone();
        bad[10] ^= 1;
        assert!(glo_open(&k, &title, &bad).is_err());
        assert!(glo_open(&k, &[0; 8], &c).is_err());
        // Ded-ciphering: the dedicated key and the ded- tag; the global key does not open it.
        let ded = SuiteKeys { ek: [0x5A; 16], ak: k.ak };
        let d = ded_seal(&ded, &title, 7, &plain);
        assert_eq!(d[0], 0xD0);
        assert!(is_ded(d[0]) && !is_ded(c[0]));
        assert_eq!(glo_open(&ded, &title, &d).unwrap(), (plain.to_vec(), 7));
        assert!(glo_open(&k, &title, &d).is_err());
        assert_eq!(ded_tag(0xC7), Some(0xD7));
        assert_eq!(glo_tag(0x0C), Some(0x2C));
        let proof = hls_gmac(&k, &title, 0x0123_4567, b"P6wRJ21F");
        assert_eq!(proof.len(), 17);
        assert!(hls_gmac_check(&k, &title, b"P6wRJ21F", &proof));
        assert!(!hls_gmac_check(&k, &title, b"K56iVagY", &proof));
    }
}
