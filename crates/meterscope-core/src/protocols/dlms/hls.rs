//! HLS-GMAC (authentication mechanism 5) checked across the frames of one
//! input (IEC 62056-5-3, the four-pass exchange):
//!
//! 1. AARQ: the client's challenge CtoS (calling authentication value) and its
//!    system title (calling AP title);
//! 2. AARE: the server's challenge StoC and its system title;
//! 3. ACTION request, method 1 (`reply_to_HLS_authentication`) of the
//!    Association LN object (class 15): `f(StoC)` made by the client;
//! 4. ACTION response: `f(CtoS)` made by the server.
//!
//! `f(challenge) = SC (0x10) || IC || GMAC`, the GMAC computed with the cipher
//! key, the IV `system title of the prover || IC` and the additional data
//! `SC || AK || challenge`. Each answer found is recomputed with the user's
//! keys and shown as a check with the stated and the computed value.

use super::acse::{self, Peer};
use super::assoc::{self, SuiteKeys};
use super::reassembly::{self, Apdu, Seen};
use super::{Rd, hex};
use crate::registry::Options;
use crate::span::Span;
use crate::view::{Check, Diagnostic, Dissection};

/// Check id of the client's answer f(StoC).
pub const F_STOC: &str = "dlms.hls.f-stoc";
/// Check id of the server's answer f(CtoS).
pub const F_CTOS: &str = "dlms.hls.f-ctos";

/// One HLS-GMAC answer checked: in frame `frame` of the dissection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    pub frame: usize,
    pub check: Check,
}

/// The HLS-GMAC answers of the input, each recomputed with the cipher and
/// authentication keys of `opts` and the system titles of the AARQ and AARE
/// (the user's system title stands in for a missing calling AP title).
/// Empty without both keys, or when no such exchange is in the input.
pub fn checks(d: &Dissection, bytes: &[u8], opts: &Options) -> Vec<Proof> {
    if opts.keys.cipher_key.is_none() || opts.keys.auth_key.is_none() {
        return Vec::new();
    }
    let seen = reassembly::seen(d);
    proofs(&seen, &reassembly::scan(&seen, bytes, opts).apdus, opts)
}

/// [`checks`] over the APDUs of a scan.
pub(super) fn proofs(d: &[Seen], apdus: &[Apdu], opts: &Options) -> Vec<Proof> {
    let (Some(ek), Some(ak)) = (opts.keys.cipher_key, opts.keys.auth_key) else { return Vec::new() };
    let keys = SuiteKeys { ek, ak };
    let mut out = Vec::new();
    let (mut aarq, mut aare): (Option<Peer>, Option<Peer>) = (None, None);
    let mut pending: Option<u8> = None;
    let title = |p: &Option<Peer>| p.as_ref()?.title.as_deref().and_then(|t| <[u8; 8]>::try_from(t).ok());
    for a in apdus {
        match &a.bytes[..] {
            [0x60, ..] => {
                aarq = acse::peer(&a.bytes).filter(|q| q.mechanism == Some(5));
                (aare, pending) = (None, None);
            }
            [0x61, ..] => aare = acse::peer(&a.bytes),
            // ACTION-Request-Normal, class 15 (Association LN), method 1, an octet-string.
            [0xC3, 0x01, invoke, 0x00, 0x0F, _, _, _, _, _, _, 0x01, 0x01, 0x09, rest @ ..] => {
                let Some(p) = octets(rest) else { continue };
                pending = Some(*invoke);
                let prover = title(&aarq).or(opts.keys.system_title);
                if let (Some(t), Some(c)) = (prover, aare.as_ref().and_then(|r| r.auth.as_deref())) {
                    out.extend(proof(d, a, p, &keys, &t, c, F_STOC, opts));
                }
            }
            // ACTION-Response-Normal: success, return data, an octet-string.
            [0xC7, 0x01, invoke, 0x00, 0x01, 0x00, 0x09, rest @ ..] if pending == Some(*invoke) => {
                let Some(p) = octets(rest) else { continue };
                pending = None;
                if let (Some(t), Some(c)) = (title(&aare), aarq.as_ref().and_then(|q| q.auth.as_deref())) {
                    out.extend(proof(d, a, p, &keys, &t, c, F_CTOS, opts));
                }
            }
            _ => {}
        }
    }
    out
}

/// An A-XDR octet-string's bytes that end the APDU.
fn octets(b: &[u8]) -> Option<&[u8]> {
    let mut rd = Rd::new(b, 0);
    let n = rd.axdr_len()?;
    let p = rd.take(n)?;
    (rd.left() == 0).then_some(p)
}

/// Recompute one answer `p` found in APDU `a`.
#[allow(clippy::too_many_arguments)]
fn proof(
    d: &[Seen],
    a: &Apdu,
    p: &[u8],
    keys: &SuiteKeys,
    title: &[u8; 8],
    challenge: &[u8],
    id: &str,
    opts: &Options,
) -> Option<Proof> {
    if p.len() < 5 {
        return None;
    }
    let ic = u32::from_be_bytes([p[1], p[2], p[3], p[4]]);
    let computed = assoc::hls_gmac(keys, title, ic, challenge);
    let at = a.bytes.len() - p.len();
    let span = a.span(at, p.len());
    let frame = reassembly::frame_at(d, span.start)?;
    let fs = d[frame].span;
    let span = Span::new(span.start, span.end.min(fs.end));
    let check = Check {
        id: id.into(),
        label: opts.lang.label(super::LABELS, id),
        stated: hex(p),
        computed: hex(&computed),
        ok: computed == p,
        span,
    };
    Some(Proof { frame, check })
}

/// Add the HLS-GMAC checks of [`checks`] to the frames that hold the answers
/// (a mismatch is an error there too).
pub fn annotate(d: &mut Dissection, bytes: &[u8], opts: &Options) {
    for Proof { frame, check } in checks(d, bytes, opts) {
        let f = &mut d.frames[frame];
        if !check.ok {
            let msg = opts.lang.pick(
                "HLS-GMAC answer does not match: wrong keys, system title or challenge",
                "HLS-GMAC 应答不匹配：密钥、系统标题或挑战值错误",
            );
            f.diagnostics.push(Diagnostic::error(check.span, "dlms.hls.mismatch", msg));
            f.valid = false;
        }
        f.checks.push(check);
    }
}
