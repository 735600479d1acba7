//! DLMS/COSEM reassembly as the core's analyses, and which inputs are worth
//! the scan.

use super::scan::{ALONE, ARRAY_VALUE, PROFILE_READ, hdlc_parts, llc_len, role};
use super::{Kind, Problem, analyse_seen, seen_model};
use crate::model;
use crate::protocols::dlms::hdlc::Control;
use crate::protocols::dlms::{APDU, HDLC, LABELS, WRAPPER, obis_canonical, pack_obis};
use crate::registry::Options;

/// What a frame can do in an analysis (see [`role`]): an HDLC segment makes
/// one alone; an APDU has its role (the frames of most inputs have none, and
/// are told apart here without building anything).
fn frame_role(f: &model::Frame, bytes: &[u8], opts: &Options) -> u8 {
    let Some(raw) = bytes.get(f.span.range()) else { return 0 };
    match f.protocol {
        HDLC => match hdlc_parts(raw) {
            Some((_, seg, Control::I { .. } | Control::Ui { .. }, info, _)) if !info.is_empty() => {
                if seg {
                    ALONE
                } else {
                    role(&info[llc_len(info)..], opts)
                }
            }
            _ => 0,
        },
        WRAPPER if raw.len() > 8 => role(&raw[8..], opts),
        APDU => role(raw, opts),
        _ => 0,
    }
}

/// Whether the frames of an input can make any analysis: one frame alone,
/// or a profile read and an array value (a read or a value alone makes no table).
fn worth_scanning(d: &model::Dissection, bytes: &[u8], opts: &Options) -> bool {
    let mut roles = 0;
    for f in &d.frames {
        roles |= frame_role(f, bytes, opts);
        if roles & ALONE != 0 || roles & (PROFILE_READ | ARRAY_VALUE) == PROFILE_READ | ARRAY_VALUE {
            return true;
        }
    }
    false
}

/// DLMS/COSEM across the frames of a language-neutral dissection, as the
/// core's analyses: each reassembly (parts, problems, the joined bytes
/// dissected), the HLS-GMAC answers checked, each profile buffer as a table.
pub fn analyses(d: &model::Dissection, bytes: &[u8], opts: &Options) -> Vec<model::Analysis> {
    use crate::model::{Analysis, Id, Msg, Part as ModelPart};
    use crate::msg;
    if !worth_scanning(d, bytes, opts) {
        return Vec::new();
    }
    let seen = seen_model(d);
    let a = analyse_seen(&seen, bytes, opts);
    let join = |parts: Vec<Msg>| Msg::joined(parts, " · ");
    let mut out = Vec::new();
    for r in a.joined {
        let names = r.kind.names();
        let mut status: Vec<Msg> = r.bytes.iter().map(|b| msg!("{} bytes", "{} 字节", b.len())).collect();
        status.extend(r.problems.iter().map(Problem::msg));
        let parts = r
            .parts
            .iter()
            .map(|p| {
                let number = match r.kind {
                    Kind::Segments => msg!("N(S) {}", "N(S) {}", p.number),
                    _ => msg!("block {}", "块 {}", p.number),
                };
                let label =
                    if p.last { Msg::Concat(Box::new([number, crate::msg!(", last", "，末块")])) } else { number };
                ModelPart { frame: p.frame, label, span: p.span, len: p.len }
            })
            .collect();
        let frame = r.frame.filter(|_| r.bytes.is_some());
        out.push(Analysis {
            id: Id::Static("dlms.reassembly"),
            title: Msg::Concat(Box::new([Msg::Label, Msg::Str(" · "), Msg::Bi(names)])),
            status: join(status),
            ok: r.bytes.is_some(),
            parts,
            checks: Vec::new(),
            frame,
            labels: LABELS,
        });
    }
    if !a.proofs.is_empty() {
        let ok = a.proofs.iter().all(|p| p.check.ok);
        let checks = a
            .proofs
            .into_iter()
            .map(|p| {
                let c = p.check;
                let check = model::Check {
                    id: Id::Owned(c.id.into_boxed_str()),
                    label: Msg::Label,
                    stated: Msg::owned(c.stated),
                    computed: Msg::owned(c.computed),
                    ok: c.ok,
                    span: c.span,
                };
                (p.frame, check)
            })
            .collect();
        out.push(Analysis {
            id: Id::Static("dlms.hls"),
            title: Msg::Label,
            status: if ok {
                crate::msg!("challenge response verified", "挑战应答已验证")
            } else {
                crate::msg!("mismatch", "不匹配")
            },
            ok,
            parts: Vec::new(),
            checks,
            frame: None,
            labels: LABELS,
        });
    }
    for t in a.tables {
        let title = Msg::Concat(Box::new([
            msg!("#{} ", "#{} ", t.frame + 1),
            Msg::Label,
            Msg::Str(" "),
            Msg::Code(obis_canonical, pack_obis(t.obis)),
        ]));
        let status = t.node.nodes.first().map_or(Msg::None, |n| n.text.clone());
        out.push(Analysis {
            id: Id::Static("dlms.profile"),
            title,
            status,
            ok: true,
            parts: Vec::new(),
            checks: Vec::new(),
            frame: Some(t.node),
            labels: LABELS,
        });
    }
    out
}

/// The `protocol` of a profile buffer shown as a table.
pub const PROFILE: &str = "dlms-profile";
