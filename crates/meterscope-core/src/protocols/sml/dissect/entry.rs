//! SML_Tree, SML_ProcParValue and the list entries: object names, status
//! words, units and scaled values.

use super::{AT_ENTRY, MAX_DEPTH, Parser, Stop, Ty, Val, obis_text, pack_obis};
use crate::model::{Id, Msg, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::protocols::dlms::{obis_canonical, obis_name};
use crate::protocols::sml::names;
use crate::units;

/// What an element of a list entry is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum E {
    Obj,
    Status,
    ValTime,
    Unit,
    Scaler,
    Value,
    Signature,
    /// SML_ProfObjPeriodEntry's value list and others shown by their TL fields.
    Any,
}

/// SML_ListEntry.
pub(super) const LIST_ENTRY: &[E] = &[E::Obj, E::Status, E::ValTime, E::Unit, E::Scaler, E::Value, E::Signature];
/// SML_PeriodEntry.
pub(super) const PERIOD_ENTRY: &[E] = &[E::Obj, E::Unit, E::Scaler, E::Value, E::Signature];
/// SML_ProfObjHeaderEntry.
pub(super) const HEADER_ENTRY: &[E] = &[E::Obj, E::Unit, E::Scaler];
/// SML_ProfObjPeriodEntry.
pub(super) const PROFILE_PERIOD: &[E] = &[E::ValTime, E::Status, E::Any, E::Signature];

const ENTRY_KEYS: [&str; 8] = [
    "sml.entry.obj_name",
    "sml.entry.status",
    "sml.entry.val_time",
    "sml.entry.unit",
    "sml.entry.scaler",
    "sml.entry.value",
    "sml.entry.signature",
    "sml.entry.values",
];

fn entry_key(e: E) -> &'static str {
    ENTRY_KEYS[match e {
        E::Obj => 0,
        E::Status => 1,
        E::ValTime => 2,
        E::Unit => 3,
        E::Scaler => 4,
        E::Value => 5,
        E::Signature => 6,
        E::Any => 7,
    }]
}

impl Parser<'_> {
    /// SML_Tree: `[parameterName, parameterValue, child_List]`, nested.
    pub(super) fn tree(&mut self, parent: NodeRef, id: Id, q: usize, end: usize, depth: u32) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (_, _, next) = self.element(parent, id, q, end, depth)?;
            return Ok(next);
        }
        if depth >= MAX_DEPTH {
            let msg = msg!("lists nest deeper than {} levels", "列表嵌套超过 {} 层", MAX_DEPTH);
            self.diag(Severity::Error, q, 0, "sml.tl.depth", msg);
            return Err(Stop(q));
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            for i in 0..el.len {
                match i {
                    0 => {
                        let nid = self.counted("sml.tree.name");
                        at = self.name(n, nid, at, end)?;
                    }
                    1 => at = self.proc_value(n, at, end, depth + 1)?,
                    2 => {
                        let cel = self.el(at, end)?;
                        if cel.ty == Ty::List {
                            let c = self.add_counted(n, "sml.tree.children", at, cel.tl, NodeKind::Data);
                            let start = at;
                            at = cel.data();
                            for _ in 0..cel.len {
                                let tid = self.counted("sml.tree");
                                at = self.tree(c, tid, at, end, depth + 2)?;
                            }
                            let span = self.span(start, at - start);
                            self.f.node_mut(c).span(span);
                        } else {
                            let cid = self.counted("sml.tree.children");
                            let (_, _, next) = self.element(n, cid, at, end, depth + 1)?;
                            at = next;
                        }
                    }
                    _ => {
                        let (_, _, next) = self.item(n, at, end, depth + 1)?;
                        at = next;
                    }
                }
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// SML_ProcParValue: `[tag, value]`: 1 value, 2 period entry, 3 tuple
    /// entry, 4 time, 5 list entry.
    fn proc_value(&mut self, parent: NodeRef, q: usize, end: usize, depth: u32) -> Result<usize, Stop> {
        let id = self.counted("sml.tree.value");
        let el = self.el(q, end)?;
        if el.ty != Ty::List || el.len != 2 {
            let (_, _, next) = self.element(parent, id, q, end, depth)?;
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            let tid = self.counted("sml.tree.value.tag");
            let (t, tv, next) = self.element(n, tid, at, end, depth + 1)?;
            self.f.node_mut(t).kind(NodeKind::Control);
            at = next;
            let tag = if let Val::Uint(x) = tv { x } else { 0 };
            let words = match tag {
                1 => msg!("value", "数值"),
                2 => msg!("period entry", "周期条目"),
                3 => msg!("tuple entry", "元组条目"),
                4 => msg!("time", "时间"),
                5 => msg!("list entry", "列表条目"),
                _ => msg!("undefined choice", "未定义的选择"),
            };
            self.f.node_mut(t).text(words);
            at = match tag {
                2 => self.entry(n, at, end, PERIOD_ENTRY)?,
                4 => {
                    let vid = self.counted("sml.tree.value.time");
                    self.time(n, vid, at, end)?
                }
                5 => self.entry(n, at, end, LIST_ENTRY)?,
                _ => {
                    let vid = self.counted("sml.tree.value.value");
                    self.element(n, vid, at, end, depth + 1)?.2
                }
            };
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// A list of entries of one layout.
    pub(super) fn entries(
        &mut self,
        parent: NodeRef,
        id: Id,
        q: usize,
        end: usize,
        layout: &'static [E],
    ) -> Result<usize, Stop> {
        let el = self.el(q, end)?;
        if el.ty != Ty::List {
            let (_, _, next) = self.element(parent, id, q, end, 3)?;
            return Ok(next);
        }
        let n = self.add(parent, id, q, el.tl, NodeKind::Data);
        self.f.node_mut(n).value(Msg::Uint(el.len as u64)).text(msg!("{} entries", "{} 个条目", el.len));
        let mut at = el.data();
        let result = (|| -> Result<(), Stop> {
            for _ in 0..el.len {
                at = self.entry(n, at, end, layout)?;
            }
            Ok(())
        })();
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }

    /// One entry (SML_ListEntry, SML_PeriodEntry, …): OBIS name, status,
    /// time, unit, scaler, value scaled with its unit, signature.
    fn entry(&mut self, parent: NodeRef, q: usize, end: usize, layout: &'static [E]) -> Result<usize, Stop> {
        let el = self.list(q, end, "the entry", &[layout.len()])?;
        self.entries += 1;
        let e = self.entries;
        let n = self.add(parent, Id::Indexed("sml.entry", e), q, el.tl, NodeKind::Data);
        let mut at = el.data();
        let (mut obis, mut unit, mut scaler): (Option<[u8; 6]>, Option<u8>, i32) = (None, None, 0);
        let mut summary: Option<Msg> = None;
        let result = (|| -> Result<(), Stop> {
            for i in 0..el.len {
                let kind = layout.get(i).copied();
                let id = match kind {
                    Some(k) => Id::inner(entry_key(k), AT_ENTRY, e),
                    None => self.counted("sml.item"),
                };
                if kind == Some(E::ValTime) {
                    at = self.time(n, id, at, end)?;
                    continue;
                }
                let (x, v, next) = self.element(n, id, at, end, 4)?;
                match (kind, v) {
                    (Some(E::Obj), Val::Oct(o, 6)) => {
                        let mut c = [0u8; 6];
                        c.copy_from_slice(&self.bytes()[o..o + 6]);
                        obis = Some(c);
                        let code = pack_obis(&c);
                        self.f.node_mut(x).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
                        self.f.node_mut(n).value(Msg::Code(obis_canonical, code)).text(obis_text(code));
                    }
                    (Some(E::Status), Val::Uint(s)) => {
                        let minus = s & names::DIRECTION_BIT != 0;
                        let text = if minus {
                            msg!(
                                "0x{:X}; bit 5 set: energy flows −A (delivery)",
                                "0x{:X}；第 5 位置位：能量方向 −A（送出）",
                                s
                            )
                        } else {
                            msg!(
                                "0x{:X}; bit 5 clear: energy flows +A (consumption)",
                                "0x{:X}；第 5 位为 0：能量方向 +A（消耗）",
                                s
                            )
                        };
                        self.f.node_mut(x).text(text);
                        if obis.is_some_and(|o| o[0] == 1 && matches!(o[2], 1 | 2) && o[3] == 8) {
                            self.export = Some(minus);
                        }
                    }
                    (Some(E::Unit), Val::Uint(u)) => {
                        let u8v = u8::try_from(u).unwrap_or(0);
                        unit = Some(u8v);
                        let text = match units::dlms_symbol(u8v) {
                            Some("") => msg!("count (no unit)", "计数（无单位）"),
                            Some(s) => Msg::Str(s),
                            None => msg!("unknown unit code", "未知的单位代码"),
                        };
                        self.f.node_mut(x).text(text);
                    }
                    (Some(E::Scaler), Val::Int(s)) => {
                        scaler = s as i32;
                        self.f.node_mut(x).text(msg!("× 10^{}", "× 10^{}", s));
                    }
                    (Some(E::Value), Val::Int(_) | Val::Uint(_)) => {
                        let (value, raw) = match v {
                            Val::Int(i) => (scaled(i128::from(i), scaler), Msg::Int(i)),
                            Val::Uint(u) => (scaled(i128::from(u), scaler), Msg::Uint(u)),
                            _ => (None, Msg::None),
                        };
                        let symbol = unit.and_then(units::dlms_symbol).filter(|s| !s.is_empty());
                        let bits = 8 * (next - at - 1);
                        let signed = matches!(v, Val::Int(_));
                        let text = if signed {
                            msg!("{} × 10^{} (Integer{})", "{} × 10^{}（有符号整数，{} 位）", raw, scaler as i64, bits)
                        } else {
                            msg!("{} × 10^{} (Unsigned{})", "{} × 10^{}（无符号整数，{} 位）", raw, scaler as i64, bits)
                        };
                        let nonneg = match v {
                            Val::Int(i) => i >= 0,
                            _ => true,
                        };
                        let power = unit == Some(27);
                        let note = match v {
                            // Some DZG meters' firmware puts an unsigned power into a
                            // signed 16-bit field; others send true negatives there.
                            Val::Int(i)
                                if power
                                    && i < 0
                                    && next - at == 3
                                    && self.flag == Some(*b"DZG")
                                    && self.export != Some(true) =>
                            {
                                let unsigned = i128::from(i) + (1 << 16);
                                let shown = scaled(unsigned, scaler).unwrap_or(Msg::None);
                                Some(msg!(
                                    "; negative: the power flows out (delivery, −A); some DZG meters' firmware sends an unsigned power in this signed 16-bit field instead: read unsigned, {} W",
                                    "；负值：功率送出（−A）；部分固件的 DZG 电能表在此 16 位有符号字段中传送的是无符号功率：按无符号读为 {} W",
                                    shown
                                ))
                            }
                            _ if power && !nonneg => {
                                Some(msg!("; negative: the power flows out (delivery, −A)", "；负值：功率送出（−A）"))
                            }
                            _ if power && self.export == Some(true) => Some(msg!(
                                "; sent without a sign: the energy register's status word says −A (delivery), so this power is delivered",
                                "；传送时不带符号：电能寄存器的状态字为 −A（送出），此功率为送出功率"
                            )),
                            _ => None,
                        };
                        let text = match note {
                            Some(note) => Msg::Concat(Box::new([text, note])),
                            None => text,
                        };
                        let mut node = self.f.node_mut(x).text(text);
                        if let Some(v) = value {
                            node = node.value(v);
                        }
                        if let Some(s) = symbol {
                            node.unit(Msg::Str(s));
                        }
                        let shown = match v {
                            Val::Int(i) => scaled(i128::from(i), scaler).unwrap_or(Msg::Int(i)),
                            Val::Uint(u) => scaled(i128::from(u), scaler).unwrap_or(Msg::Uint(u)),
                            _ => Msg::None,
                        };
                        summary = Some(match symbol {
                            Some(s) => Msg::Concat(Box::new([shown, Msg::Str(" "), Msg::Str(s)])),
                            None => shown,
                        });
                    }
                    (Some(E::Value), Val::Oct(o, len)) if len > 0 => {
                        summary = Some(self.hex(o, len.min(16)));
                    }
                    _ => {}
                }
                at = next;
            }
            Ok(())
        })();
        if let (Some(c), Some(s)) = (obis, summary) {
            let code = pack_obis(&c);
            self.f.node_mut(n).text(Msg::Concat(Box::new([Msg::Code(obis_name_or_code, code), Msg::Str(" = "), s])));
        }
        let span = self.span(q, at - q);
        self.f.node_mut(n).span(span);
        result.map(|()| at)
    }
}

/// `raw × 10^scaler` as a decimal message, when it fits.
fn scaled(raw: i128, scaler: i32) -> Option<Msg> {
    if scaler < 0 {
        let scale = u8::try_from(-scaler).ok().filter(|&s| s <= 18)?;
        let m = i64::try_from(raw).ok()?;
        Some(Msg::Decimal { mantissa: m, scale })
    } else {
        let p = 10i128.checked_pow(u32::try_from(scaler).ok()?)?;
        let v = raw.checked_mul(p)?;
        i64::try_from(v).ok().map(Msg::Int)
    }
}

/// An OBIS code's name, else its canonical form.
fn obis_name_or_code(code: u64, lang: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let mut s = String::new();
    obis_name(code, lang, &mut s)?;
    if s.is_empty() { obis_canonical(code, lang, w) } else { w.write_str(&s) }
}
