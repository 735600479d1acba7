//! Nodes for data lines, shared by the IEC 62056-21 data message, command
//! messages and DSMR P1 telegrams, and the names written for them when a
//! frame is rendered (OBIS codes, dates, DSMR enumerations).

use core::fmt;
use core::ops::Range;
use std::sync::OnceLock;

use super::data::{self, SetAt};
use super::dissect::{Ctx, pid};
use crate::lang::Lang;
use crate::model::{Id, Msg, NodeKind, NodeRef, Severity};
use crate::msg;

/// Text of a byte range, lossily.
pub fn text(b: &[u8], r: Range<usize>) -> String {
    String::from_utf8_lossy(b.get(r).unwrap_or_default()).into_owned()
}

/// What a telegram's data sets tell beyond their nodes.
#[derive(Default)]
pub(super) struct Telegram {
    /// The DSMR version line's value (`1-3:0.2.8`).
    pub version: Option<u32>,
    /// Each identified data set: code, offset and whether its first value is in `Wh`.
    pub sets: Vec<([u8; 6], usize, bool)>,
}

// ------------------------------------------------------------------ ids

/// Lines and data sets per line whose ids are made once and kept.
const TABLE_LINES: usize = 256;
const TABLE_SETS: usize = 2;

/// The ids of data set `m` of line `i`: `{p}.data.line.{i}.set.{m}`, its
/// `.address` and the base of its `.value.{k}`.
type SetIdTexts = [Box<str>; 3];

/// The ids of the first lines' data sets, per prefix, made on first use:
/// ids with two indexes are static strings like the others.
static SET_IDS: [OnceLock<Box<[SetIdTexts]>>; 2] = [OnceLock::new(), OnceLock::new()];

fn prefix(dsmr: bool) -> &'static str {
    if dsmr { "dsmr" } else { "iec62056-21" }
}

fn set_id_texts(dsmr: bool, i: usize, m: usize) -> SetIdTexts {
    let set = format!("{}.data.line.{i}.set.{m}", prefix(dsmr));
    [format!("{set}.address").into(), format!("{set}.value").into(), set.into()]
}

/// The ids of one data set.
enum SetIds {
    Kept(&'static SetIdTexts),
    /// Beyond the kept lines: `{p}.data.line.{i}.set.{m}`.
    Made(String),
}

impl SetIds {
    fn new(dsmr: bool, i: usize, m: usize) -> SetIds {
        if i < TABLE_LINES && m < TABLE_SETS {
            let table = SET_IDS[usize::from(dsmr)].get_or_init(|| {
                (0..TABLE_LINES * TABLE_SETS).map(|k| set_id_texts(dsmr, k / TABLE_SETS, k % TABLE_SETS)).collect()
            });
            SetIds::Kept(&table[i * TABLE_SETS + m])
        } else {
            SetIds::Made(format!("{}.data.line.{i}.set.{m}", prefix(dsmr)))
        }
    }
    fn set(&self) -> Id {
        match self {
            SetIds::Kept(t) => Id::Static(&t[2]),
            SetIds::Made(s) => Id::Owned(s.as_str().into()),
        }
    }
    fn address(&self) -> Id {
        match self {
            SetIds::Kept(t) => Id::Static(&t[0]),
            SetIds::Made(s) => Id::Owned(format!("{s}.address").into()),
        }
    }
    fn value(&self, k: usize) -> Id {
        match self {
            SetIds::Kept(t) => Id::Indexed(&t[1], k as u32),
            SetIds::Made(s) => Id::Owned(format!("{s}.value.{k}").into()),
        }
    }
}

// ------------------------------------------------------------------ names written at render time

/// An OBIS code as a dictionary code (the low 48 bits).
fn pack(code: [u8; 6]) -> u64 {
    let [a, b, c, d, e, f] = code;
    u64::from_be_bytes([0, 0, a, b, c, d, e, f])
}

fn unpack(code: u64) -> [u8; 6] {
    let b = code.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// The name of an OBIS code.
fn obis_name(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    match crate::obis::describe(unpack(code), lang) {
        Some(name) => w.write_str(&name),
        None => Ok(()),
    }
}

/// An identifier's code and `,N` suffix (its digits as written, up to three).
fn pack_address(code: [u8; 6], sub: Option<&str>) -> u64 {
    let (len, n) = match sub {
        Some(s) => (s.len() as u64, s.parse::<u64>().unwrap_or(0)),
        None => (0, 0),
    };
    pack(code) | len << 48 | n << 50
}

/// The name of an identifier: canonical OBIS code, `#N` suffix and description.
fn address_text(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let obis = unpack(code);
    w.write_str(&crate::obis::canonical(obis))?;
    let (len, n) = (((code >> 48) & 3) as usize, code >> 50);
    if len > 0 {
        write!(w, " #{n:0len$}")?;
    }
    match crate::obis::describe(obis, lang) {
        Some(name) => write!(w, " {name}"),
        None => Ok(()),
    }
}

fn line_count(n: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "{n} {}", lang.pick("line(s)", "行"))
}

fn set_count(n: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "{n} {}", lang.pick("data set(s)", "个数据集"))
}

/// `DSMR 5.0` for the version line's `50`.
pub(super) fn dsmr_version(v: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "DSMR {}.{}", v / 10, v % 10)
}

/// The medium of an M-Bus device type that has a name.
fn mbus_medium(v: u64) -> Option<(&'static str, &'static str)> {
    Some(match v {
        2 => ("electricity", "电"),
        3 => ("gas", "燃气"),
        4 => ("heat", "热量"),
        6 => ("warm water", "热水"),
        7 => ("water", "水"),
        10 | 11 => ("cooling", "冷量"),
        12 => ("heat (inlet)", "热量(进口)"),
        13 => ("heat / cooling", "热量/冷量"),
        _ => return None,
    })
}

fn mbus_type(v: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (en, zh) = mbus_medium(v).unwrap_or_default();
    write!(w, "{} {}", lang.pick("M-Bus device type:", "M-Bus 设备类型:"), lang.pick(en, zh))
}

fn tariff(t: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    write!(w, "{} {t}", lang.pick("tariff", "费率"))
}

fn timestamp(code: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    data::write_timestamp(code, lang, w)
}

/// A value read as a decimal number, as `str::parse` reads it.
fn number<T: core::str::FromStr>(v: &[u8]) -> Option<T> {
    core::str::from_utf8(v).ok()?.parse().ok()
}

/// Meaning of one value of a data set, given its identifier and position.
fn value_text(code: Option<[u8; 6]>, index: usize, value: &[u8]) -> Option<Msg> {
    if let Some(t) = data::timestamp_code(value) {
        return Some(Msg::Code(timestamp, t));
    }
    let code = code?;
    let (c, d, e) = data::cde(code);
    match (code[0], c, d, e) {
        (1, 0, 2, 8) => number::<u32>(value).map(|v| Msg::Code(dsmr_version, v.into())),
        (0, 96, 1, _) | (0, 42, 0, 0) | (0, 96, 13, 0) => {
            data::hex_text(core::str::from_utf8(value).ok()?).map(|t| Msg::owned(format!("\"{t}\"")))
        }
        (0, 24, 1, 0) => {
            let v = number::<u32>(value)?;
            mbus_medium(v.into()).map(|_| Msg::Code(mbus_type, v.into()))
        }
        (0, 96, 14, 0) => number::<u32>(value).map(|t| Msg::Code(tariff, t.into())),
        (0, 96, 3, 10) | (0, 24, 4, 0) => match number::<u32>(value)? {
            0 => Some(crate::msg!("disconnected", "断开")),
            1 => Some(crate::msg!("connected", "接通")),
            2 => Some(crate::msg!("ready for reconnection", "准备重新接通")),
            _ => None,
        },
        (1, 99, 97, 0) => Some(match index {
            0 => crate::msg!("number of power failures in the log", "日志中的停电次数"),
            1 => crate::msg!("event log object", "事件日志对象"),
            i if i % 2 == 0 => crate::msg!("end of power failure", "停电结束时间"),
            _ => crate::msg!("duration of power failure", "停电持续时间"),
        }),
        _ => None,
    }
}

// ------------------------------------------------------------------ nodes

/// The lines of `b[range]` as nodes under `{prefix}.data` below `parent`
/// (nothing when the range holds no line). For a telegram, `found` collects
/// what its data sets tell and the power failure log is checked.
pub(super) fn data_lines(
    ctx: &mut Ctx,
    parent: NodeRef,
    b: &[u8],
    range: Range<usize>,
    mut found: Option<&mut Telegram>,
) {
    if range.start >= range.end.min(b.len()) {
        return;
    }
    let data = ctx.node(parent, pid!(ctx, "data"), range.start, range.end - range.start, NodeKind::Data);
    let reduced = reduced_are_electricity(b, range.clone());
    let (mut lines, mut sets) = (0u64, 0u64);
    for (i, line) in data::line_iter(b, range).enumerate() {
        let ln = ctx.node(
            data,
            Id::Indexed(pid!(ctx, "data.line"), i as u32),
            line.span.start,
            line.eol.end - line.span.start,
            NodeKind::Data,
        );
        // A line of one data set is that set: its address and values go right
        // under the line, so the line is shown once. Lines of several sets
        // keep a node per set.
        let mut iter = data::set_iter(b, line.span.clone());
        let first = iter.next();
        let second = iter.next();
        let mut count = 0;
        match (first, second) {
            (Some(set), None) => {
                set_node(
                    ctx,
                    ln,
                    b,
                    &set,
                    SetIds::new(ctx.dsmr, i, 0),
                    found.as_deref_mut(),
                    How { inline: true, reduced },
                );
                if set.address.is_empty() {
                    // A set without an address keeps the label of a data set.
                    let label = crate::lang::lookup_row(super::LABELS, pid!(ctx, "data.line.set"))
                        .map_or(Msg::Label, |r| Msg::Bi(r));
                    ctx.set(ln).label(label);
                }
                count = 1;
            }
            (first, second) => {
                for (m, set) in first.into_iter().chain(second).chain(iter).enumerate() {
                    set_node(
                        ctx,
                        ln,
                        b,
                        &set,
                        SetIds::new(ctx.dsmr, i, m),
                        found.as_deref_mut(),
                        How { inline: false, reduced },
                    );
                    count += 1;
                }
            }
        }
        sets += count;
        lines += 1;
    }
    ctx.set(data).value(Msg::Code(line_count, lines)).text(Msg::Code(set_count, sets));
}

/// Whether the reduced codes of a message (`C.D`, `C.D.E` without `A-B:`)
/// can be read as electricity codes: not when one of them carries a unit of
/// another quantity (a heat meter's `6.8(0328.871*GJ)`), for then the meter
/// numbers its data in its own scheme and `9.21` is no apparent power.
fn reduced_are_electricity(b: &[u8], range: Range<usize>) -> bool {
    data::line_iter(b, range).all(|line| {
        data::set_iter(b, line.span).all(|set| {
            let address = b.get(set.address.clone()).unwrap_or_default();
            if address.iter().any(|&c| c == b'-' || c == b':') {
                return true;
            }
            let unit = set.groups(b).find_map(|g| g.unit).and_then(|u| b.get(u));
            let code = core::str::from_utf8(address).ok().and_then(data::identifier);
            match (code, unit) {
                (Some((code, _)), Some(unit)) => unit_fits(code, unit),
                _ => true,
            }
        })
    })
}

/// Whether `unit` can be the unit of the electricity quantity of `code`
/// (value group A = 1; other media and abstract codes always fit).
fn unit_fits(code: [u8; 6], unit: &[u8]) -> bool {
    if code[0] != 1 || !(1..=80).contains(&code[2]) {
        return true;
    }
    let u = String::from_utf8_lossy(unit).to_ascii_lowercase();
    let var = u.contains("var");
    match (code[2] - 1) % 20 + 1 {
        // Active power and energy.
        1 | 2 | 15 | 16 => !var && (u.ends_with('w') || u.ends_with("wh")),
        // Reactive.
        3..=8 => var,
        // Apparent.
        9 | 10 => !var && (u.ends_with("va") || u.ends_with("vah")),
        11 => u.ends_with('a') && !u.ends_with("va"),
        12 => u.ends_with('v') && !var,
        14 => u == "hz",
        _ => true,
    }
}

/// How a data set is written.
#[derive(Clone, Copy)]
struct How {
    /// Into its parent node (the line of one set) instead of a node of its own.
    inline: bool,
    /// Reduced codes are read as electricity codes (see [`reduced_are_electricity`]).
    reduced: bool,
}

/// One data set as a node under `parent` (or, `how.inline`, written into
/// `parent` itself): address, then each parenthesised value.
fn set_node(
    ctx: &mut Ctx,
    parent: NodeRef,
    b: &[u8],
    set: &SetAt,
    ids: SetIds,
    found: Option<&mut Telegram>,
    how: How,
) -> NodeRef {
    let How { inline, reduced } = how;
    let address = b.get(set.address.clone()).unwrap_or_default();
    let named = reduced || address.iter().any(|&c| c == b'-' || c == b':');
    // An electricity code whose unit says another quantity (heat meters'
    // `6.8(…*MWh)`, `6.26(…*m3)`) is the meter's own identifier: not named.
    let unit = set.groups(b).find_map(|g| g.unit).and_then(|u| b.get(u));
    let ident = core::str::from_utf8(address)
        .ok()
        .and_then(data::identifier)
        .filter(|(c, _)| named && unit.is_none_or(|u| unit_fits(*c, u)));
    let code = ident.map(|c| c.0);
    let node =
        if inline { parent } else { ctx.node(parent, ids.set(), set.span.start, set.span.len(), NodeKind::Data) };
    if !set.address.is_empty() {
        let a = ctx.node(node, ids.address(), set.address.start, set.address.len(), NodeKind::Data);
        let v = ctx.text(b, set.address.clone());
        ctx.set(a).value(v.clone());
        if let Some((code, sub)) = ident {
            ctx.set(a).text(Msg::Code(address_text, pack_address(code, sub)));
        }
        ctx.set(node).label(v);
    }
    // The first value, its text, and the set's value: the first value with a unit, else the first one.
    let (mut count, mut first, mut first_text, mut main) = (0usize, None, None, None);
    for (k, g) in set.groups(b).enumerate() {
        let value = b.get(g.value.clone()).unwrap_or_default();
        let n = ctx.node(node, ids.value(k), g.span.start, g.span.len(), NodeKind::Data);
        let v = ctx.text(b, g.value.clone());
        ctx.set(n).value(v);
        if let Some(u) = &g.unit {
            let u = ctx.text(b, u.clone());
            ctx.set(n).unit(u);
        }
        match value_text(code, k, value) {
            Some(t) => {
                if k == 0 {
                    first_text = Some(t.clone());
                }
                ctx.set(n).text(t);
            }
            None if value.is_empty() => {
                ctx.set(n).text(crate::msg!("empty", "空"));
            }
            None => {}
        }
        if main.is_none() && g.unit.is_some() {
            main = Some(g.clone());
        }
        if k == 0 {
            first = Some(g);
        }
        count += 1;
    }
    if let Some(g) = main.as_ref().or(first.as_ref()) {
        let v = ctx.text(b, g.value.clone());
        let u = g.unit.clone().map_or(Msg::None, |u| ctx.text(b, u));
        ctx.set(node).value(v).unit(u);
    }
    let name = code.filter(|&c| crate::obis::is_named(c)).map(|c| Msg::Code(obis_name, pack(c)));
    let text = match (name, first_text.filter(|_| count == 1)) {
        (Some(name), Some(t)) => Msg::Concat(Box::new([name, Msg::Str(" · "), t])),
        (Some(name), None) => name,
        (None, Some(t)) => t,
        (None, None) => Msg::None,
    };
    ctx.set(node).text(text);
    if let (Some(found), Some(code)) = (found, code) {
        let first_value = first.as_ref().and_then(|g| b.get(g.value.clone()));
        if code[0] == 1 && code[1] == 3 && data::cde(code) == (0, 2, 8) {
            found.version = first_value.and_then(number::<u32>);
        }
        if code[0] == 1 && data::cde(code) == (99, 97, 0) {
            event_log(ctx, set, count, first_value);
        }
        let wh = first.as_ref().and_then(|g| g.unit.clone()).and_then(|u| b.get(u)) == Some(b"Wh".as_slice());
        found.sets.push((code, set.span.start, wh));
    }
    node
}

/// The power failure event log `1-0:99.97.0(count)(0-0:96.7.19)(ts)(dur*s)…`:
/// the count agrees with the pairs.
fn event_log(ctx: &mut Ctx, set: &SetAt, groups: usize, first: Option<&[u8]>) {
    let Some(count) = first.and_then(number::<usize>) else {
        return;
    };
    let pairs = groups.saturating_sub(2) / 2;
    if count != pairs || !groups.is_multiple_of(2) {
        let msg = msg!(
            "the power failure log says {} event(s) but holds {}",
            "停电事件日志声明 {} 条,实际 {} 条",
            count,
            pairs
        );
        ctx.diag(Severity::Warning, set.span.start, set.span.len(), "dsmr.event-log.count", msg);
    }
}
