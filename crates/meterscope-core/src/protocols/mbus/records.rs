//! The variable data structure of EN 13757-3: data records of DIF, DIFEs,
//! VIF, VIFEs and data, read into nodes with the value in its unit, the
//! data types of annex A (A BCD, B integer, F date and time, G date, H real,
//! I date and time with seconds, J time) and the special functions.

use super::dict::{self, Effect, Kind, Unit, VifRow};
use super::{Cx, hex, hex_as};
use crate::model::{Id, Msg, NodeKind, NodeRef, Severity};
use crate::msg;
use crate::span::Span;
use crate::wire::Cursor;

/// At most ten DIFEs and ten VIFEs per record.
const MAX_EXT: usize = 10;
/// `mbus.record` is this long: where a record's number goes.
const AT: usize = 11;

fn rid(key: &'static str, k: u32) -> Id {
    Id::Inner { key, at: AT as u16, index: k, last: u32::MAX }
}

fn rid2(key: &'static str, k: u32, j: u32) -> Id {
    Id::Inner { key, at: AT as u16, index: k, last: j }
}

/// How the data field of a DIF codes its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    None,
    /// Type B, signed, little endian, of n bytes.
    Int(usize),
    /// Type H, 32-bit IEEE 754.
    Real,
    /// Type A, n bytes of two digits.
    Bcd(usize),
    /// Variable length: the LVAR byte says.
    Var,
    /// Selection for readout (no data).
    Selection,
}

impl Coding {
    pub fn of(dif: u8) -> Coding {
        match dif & 0x0F {
            0x0 => Coding::None,
            0x1 => Coding::Int(1),
            0x2 => Coding::Int(2),
            0x3 => Coding::Int(3),
            0x4 => Coding::Int(4),
            0x5 => Coding::Real,
            0x6 => Coding::Int(6),
            0x7 => Coding::Int(8),
            0x8 => Coding::Selection,
            0x9 => Coding::Bcd(1),
            0xA => Coding::Bcd(2),
            0xB => Coding::Bcd(3),
            0xC => Coding::Bcd(4),
            0xD => Coding::Var,
            0xE => Coding::Bcd(6),
            _ => Coding::None,
        }
    }

    fn words(self) -> &'static (&'static str, &'static str) {
        match self {
            Coding::None => &("no data", "无数据"),
            Coding::Int(1) => &("8-bit integer", "8位整数"),
            Coding::Int(2) => &("16-bit integer", "16位整数"),
            Coding::Int(3) => &("24-bit integer", "24位整数"),
            Coding::Int(4) => &("32-bit integer", "32位整数"),
            Coding::Int(6) => &("48-bit integer", "48位整数"),
            Coding::Int(_) => &("64-bit integer", "64位整数"),
            Coding::Real => &("32-bit real", "32位实数"),
            Coding::Bcd(1) => &("2-digit BCD", "2位BCD"),
            Coding::Bcd(2) => &("4-digit BCD", "4位BCD"),
            Coding::Bcd(3) => &("6-digit BCD", "6位BCD"),
            Coding::Bcd(4) => &("8-digit BCD", "8位BCD"),
            Coding::Bcd(_) => &("12-digit BCD", "12位BCD"),
            Coding::Var => &("variable length", "可变长度"),
            Coding::Selection => &("selection for readout", "读出选择"),
        }
    }

    fn len(self) -> usize {
        match self {
            Coding::None | Coding::Selection | Coding::Var => 0,
            Coding::Int(n) | Coding::Bcd(n) => n,
            Coding::Real => 4,
        }
    }
}

static FUNCTIONS: [(&str, &str); 4] = [
    ("instantaneous value", "瞬时值"),
    ("maximum value", "最大值"),
    ("minimum value", "最小值"),
    ("value during error state", "错误状态期间的值"),
];

/// What the VIF and VIFEs make of the data.
struct Meaning {
    name: Msg,
    kind: Kind,
    /// Index into a duration's units, or the VIF's exponent offset.
    step: u8,
    exp: i32,
    per: Vec<&'static str>,
    duration: Option<&'static Unit>,
    date: bool,
    manufacturer: bool,
    plain_text: bool,
    /// FD 09h or 0Ah: a device type or a manufacturer code, as in the fixed header.
    header_code: Option<u8>,
}

/// Read the records in `cur` under `parent`. `to_slave`: the direction
/// (object actions or record errors in VIFEs 00h–1Fh).
pub fn records(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor, to_slave: bool) {
    let mut k = cx.records;
    while let Some(dif) = cur.peek() {
        let start = cur.at();
        if dif == 0x2F {
            let run = cur.remaining().iter().take_while(|&&b| b == 0x2F).count();
            cur.seek(cur.pos() + run);
            let id = if cx.fillers == 0 { Id::Static("mbus.filler") } else { Id::Indexed("mbus.filler", cx.fillers) };
            cx.fillers += 1;
            let n = cx.add(parent, id, start, run, NodeKind::Delimiter);
            cx.f.node_mut(n).value(hex(cx.src, Span::at(start, run))).text(msg!(
                "{} idle filler byte(s)",
                "{} 个填充字节",
                run
            ));
            continue;
        }
        if dif & 0x0F == 0x0F {
            cur.seek(cur.pos() + 1);
            match dif {
                0x0F | 0x1F => {
                    let n = cx.add(parent, "mbus.special", start, 1, NodeKind::Control);
                    // Both start the manufacturer's data (to the end of the
                    // user data, possibly none); 1F also announces more records.
                    let text = if dif == 0x1F {
                        msg!(
                            "more records follow in the next telegram; any bytes after it are manufacturer specific",
                            "下一帧报文还有更多记录；其后的字节为制造商专用数据"
                        )
                    } else {
                        msg!("start of manufacturer-specific data", "制造商专用数据开始")
                    };
                    cx.f.node_mut(n).value(Msg::HexNum { value: dif.into(), digits: 2 }).text(text);
                    if dif == 0x1F {
                        let m = cx.add(n, "mbus.special.more", start, 1, NodeKind::Control);
                        cx.f.node_mut(m).value(Msg::Uint(1)).text(msg!("more records follow", "后续还有记录"));
                    }
                    let (b, at) = cur.rest_at();
                    if !b.is_empty() {
                        let m = cx.add(parent, "mbus.manufacturer_data", at, b.len(), NodeKind::Data);
                        cx.f.node_mut(m).value(hex(cx.src, Span::at(at, b.len())));
                    }
                }
                0x7F => {
                    let n = cx.add(parent, "mbus.special", start, 1, NodeKind::Control);
                    cx.f.node_mut(n).value(Msg::HexNum { value: 0x7F, digits: 2 }).text(msg!(
                        "global readout request (all storage numbers, units, tariffs and functions)",
                        "全局读出请求（所有存储号、子单元、费率和功能）"
                    ));
                    continue;
                }
                _ => {
                    let n = cx.add(parent, "mbus.special", start, 1, NodeKind::Unknown);
                    cx.f.node_mut(n).value(Msg::HexNum { value: dif.into(), digits: 2 });
                    let msg = msg!("DIF 0x{:02X} is a reserved special function", "DIF 0x{:02X} 是保留的特殊功能", dif);
                    cx.diag(Severity::Warning, start, 1, "mbus.dif.reserved", msg);
                    let (b, at) = cur.rest_at();
                    if !b.is_empty() {
                        let m = cx.add(parent, "mbus.rest", at, b.len(), NodeKind::Unknown);
                        cx.f.node_mut(m).value(hex(cx.src, Span::at(at, b.len())));
                    }
                }
            }
            return;
        }
        k += 1;
        cx.records = k;
        if !record(cx, parent, cur, k, to_slave) {
            return;
        }
    }
}

/// One data record; false when the bytes end inside it (or it cannot be
/// read further), which ends the records.
fn record(cx: &mut Cx, parent: NodeRef, cur: &mut Cursor, k: u32, to_slave: bool) -> bool {
    let start = cur.at();
    let r = cx.add(parent, Id::Indexed("mbus.record", k), start, 1, NodeKind::Data);
    let Ok(dif) = cur.u8() else { return false };
    let coding = Coding::of(dif);
    let function = (dif >> 4) & 3;
    let mut storage = u64::from(dif >> 6 & 1);
    let (mut tariff, mut subunit) = (0u64, 0u64);
    let n = cx.add(r, rid("mbus.record.dif", k), start, 1, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: dif.into(), digits: 2 }).text(Msg::Bi(coding.words()));

    // DIFEs.
    let mut ext = dif & 0x80 != 0;
    let mut difes = 0usize;
    while ext {
        let at = cur.at();
        let Ok(dife) = cur.u8() else {
            return truncated(
                cx,
                r,
                start,
                cur,
                msg!("the record ends after its DIF: a DIFE is announced", "记录在 DIF 后结束：DIF 声明了 DIFE"),
            );
        };
        if difes == MAX_EXT {
            let msg = msg!("more than 10 DIFEs in one record", "一个记录中 DIFE 超过10个");
            cx.diag(Severity::Error, at, 1, "mbus.dife.too_many", msg);
            span_to(cx, r, start, cur);
            return false;
        }
        let shift = difes as u32;
        storage |= u64::from(dife & 0x0F) << (1 + 4 * shift);
        tariff |= u64::from(dife >> 4 & 3) << (2 * shift);
        subunit |= u64::from(dife >> 6 & 1) << shift;
        difes += 1;
        let n = cx.add(r, rid2("mbus.record.dife", k, difes as u32), at, 1, NodeKind::Control);
        cx.f.node_mut(n)
            .value(Msg::HexNum { value: dife.into(), digits: 2 })
            .text(Msg::Code(dict::dife_words, dife.into()));
        ext = dife & 0x80 != 0;
    }
    // Function, storage, tariff and subunit as nodes where they differ from
    // the default (instantaneous, storage 0, no DIFE: tariff and subunit 0);
    // the record's text says the function in words.
    let dspan = cur.at() - start;
    if function != 0 {
        let n = cx.add(r, rid("mbus.record.function", k), start, 1, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::Uint(function.into())).text(Msg::Bi(&FUNCTIONS[usize::from(function)]));
    }
    if storage != 0 || difes > 0 {
        let n = cx.add(r, rid("mbus.record.storage", k), start, dspan, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::Uint(storage));
    }
    if difes > 0 {
        let n = cx.add(r, rid("mbus.record.tariff", k), start + 1, dspan - 1, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::Uint(tariff));
        let n = cx.add(r, rid("mbus.record.subunit", k), start + 1, dspan - 1, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::Uint(subunit));
    }

    // VIF and VIFEs: every record has a VIF.
    let m = match vif(cx, r, cur, k, to_slave) {
        Ok(m) => m,
        Err(Broken::Truncated) => {
            let msg = msg!("the record ends before its VIF is complete", "记录在 VIF 结束前终止");
            return truncated(cx, r, start, cur, msg);
        }
        Err(Broken::Reported) => {
            span_to(cx, r, start, cur);
            return false;
        }
    };

    // Data.
    let ok = data(cx, r, cur, k, coding, &m);
    let label = m.name.clone();
    cx.f.node_mut(r).label(label).text(Msg::Bi(&FUNCTIONS[usize::from(function)]));
    span_to(cx, r, start, cur);
    if !ok {
        return false;
    }
    true
}

fn span_to(cx: &mut Cx, r: NodeRef, start: usize, cur: &Cursor) {
    cx.f.node_mut(r).span(Span::new(start, cur.at().max(start + 1)));
}

/// The record ends with the bytes: an error pinned to the end, the record as far as it goes.
fn truncated(cx: &mut Cx, r: NodeRef, start: usize, cur: &Cursor, msg: Msg) -> bool {
    span_to(cx, r, start, cur);
    cx.f.node_mut(r).kind(NodeKind::Unknown);
    cx.diag(Severity::Error, cur.at(), 0, "mbus.record.truncated", msg);
    false
}

/// The VIF and its VIFEs: nodes, and the meaning they give the data.
fn vif(cx: &mut Cx, r: NodeRef, cur: &mut Cursor, k: u32, to_slave: bool) -> Result<Meaning, Broken> {
    let at = cur.at();
    let v = cur.u8().map_err(|_| Broken::Truncated)?;
    let code = v & 0x7F;
    let mut m = Meaning {
        name: Msg::None,
        kind: Kind::Plain,
        step: 0,
        exp: 0,
        per: Vec::new(),
        duration: None,
        date: false,
        manufacturer: false,
        plain_text: false,
        header_code: None,
    };
    let n = cx.add(r, rid("mbus.record.vif", k), at, 1, NodeKind::Control);
    cx.f.node_mut(n).value(Msg::HexNum { value: v.into(), digits: 2 });
    let mut ext = v & 0x80 != 0;
    let mut vifes = 0u32;
    // The table the first VIFE belongs to, for FB and FD.
    let table: Option<&'static [VifRow]> = match code {
        0x7B => Some(dict::FB),
        0x7D => Some(dict::FD),
        _ => None,
    };
    match code {
        0x7B | 0x7D => {
            let which = if code == 0x7B {
                msg!("extension table FB: the next byte gives the quantity", "扩展表 FB：下一字节给出物理量")
            } else {
                msg!("extension table FD: the next byte gives the quantity", "扩展表 FD：下一字节给出物理量")
            };
            cx.f.node_mut(n).text(which);
            if !ext {
                let msg = msg!("VIF 0x{:02X} needs a VIFE from its table", "VIF 0x{:02X} 需要其扩展表中的 VIFE", v);
                cx.diag(Severity::Error, at, 1, "mbus.vif.no_extension", msg);
                m.kind = Kind::Reserved;
                m.name = msg!("extension table without its code", "缺少代码的扩展表");
            }
        }
        0x7C => {
            m.name = Msg::Bi(&dict::PLAIN_TEXT);
            cx.f.node_mut(n).text(Msg::Bi(&dict::PLAIN_TEXT));
            // The length and the text follow the VIF (the text written last character first).
            let lat = cur.at();
            let len = usize::from(cur.u8().map_err(|_| Broken::Truncated)?);
            let (_, tat) = cur.take_at(len).ok_or(Broken::Truncated)?;
            let l = cx.add(r, rid("mbus.record.text_length", k), lat, 1, NodeKind::Length);
            cx.f.node_mut(l).value(Msg::Uint(len as u64));
            let t = cx.add(r, rid("mbus.record.text", k), tat, len, NodeKind::Data);
            let text = reversed_text(cx.bytes(tat, len));
            cx.f.node_mut(t).value(Msg::owned(text.clone()));
            m.plain_text = true;
            m.name = Msg::owned(text);
        }
        0x7F => {
            m.manufacturer = true;
            m.name = Msg::Bi(&dict::MANUFACTURER);
            cx.f.node_mut(n).text(msg!(
                "manufacturer specific: the VIFEs and the meaning are the manufacturer's",
                "制造商专用：VIFE 及含义由制造商定义"
            ));
        }
        _ => match dict::find(dict::PRIMARY, code) {
            Some(row) => {
                apply_row(&mut m, row, code);
                cx.f.node_mut(n).text(Msg::Code(dict::vif_words, dict::vif_key(dict::Table::Primary, code)));
            }
            None => {
                m.kind = Kind::Reserved;
                m.name = msg!("reserved VIF", "保留的VIF");
                cx.f.node_mut(n).text(m.name.clone());
                let msg = msg!("VIF 0x{:02X} is reserved", "VIF 0x{:02X} 为保留值", v);
                cx.diag(Severity::Warning, at, 1, "mbus.vif.reserved", msg);
            }
        },
    }
    let mut first = true;
    // The previous VIFE was FCh/7Ch: this one is from the extension table.
    let mut extension = false;
    while ext {
        let at = cur.at();
        let e = cur.u8().map_err(|_| Broken::Truncated)?;
        vifes += 1;
        if vifes as usize > MAX_EXT {
            let msg = msg!("more than 10 VIFEs in one record", "一个记录中 VIFE 超过10个");
            cx.diag(Severity::Error, at, 1, "mbus.vife.too_many", msg);
            return Err(Broken::Reported);
        }
        ext = e & 0x80 != 0;
        let n = cx.add(r, rid2("mbus.record.vife", k, vifes), at, 1, NodeKind::Control);
        cx.f.node_mut(n).value(Msg::HexNum { value: e.into(), digits: 2 });
        let ec = e & 0x7F;
        if first && let Some(t) = table {
            first = false;
            match dict::find(t, ec) {
                Some(row) => {
                    apply_row(&mut m, row, ec);
                    let t = if code == 0x7D { dict::Table::Fd } else { dict::Table::Fb };
                    cx.f.node_mut(n).text(Msg::Code(dict::vif_words, dict::vif_key(t, ec)));
                    if code == 0x7D && matches!(ec, 0x09 | 0x0A) {
                        m.header_code = Some(ec);
                    }
                }
                None => {
                    m.kind = Kind::Reserved;
                    m.name = msg!("reserved extension code", "保留的扩展代码");
                    cx.f.node_mut(n).text(m.name.clone());
                    let msg = msg!(
                        "code 0x{:02X} is reserved in this extension table",
                        "代码 0x{:02X} 在此扩展表中为保留值",
                        e
                    );
                    cx.diag(Severity::Warning, at, 1, "mbus.vife.reserved", msg);
                }
            }
            continue;
        }
        first = false;
        if m.manufacturer {
            cx.f.node_mut(n).text(msg!("manufacturer specific", "制造商专用"));
            continue;
        }
        if extension {
            extension = false;
            let text = dict::lookup(dict::VIFE_EXT, ec).unwrap_or(msg!("reserved extension code", "保留的扩展代码"));
            cx.f.node_mut(n).text(text);
            continue;
        }
        if ec < 0x10 || (!to_slave && dict::lookup(dict::ERRORS, ec).is_some()) {
            let (table, words) = if to_slave {
                (dict::ACTIONS, msg!("object action: reserved", "对象操作：保留"))
            } else {
                (dict::ERRORS, msg!("record error: reserved", "记录错误：保留"))
            };
            let text = dict::lookup(table, ec).unwrap_or(words);
            cx.f.node_mut(n).text(text.clone());
            if !to_slave && ec != 0 {
                let msg = msg!("the meter reports a record error: {}", "表计报告记录错误：{}", text);
                cx.diag(Severity::Warning, at, 1, "mbus.record.error", msg);
            }
            continue;
        }
        match dict::find_vife(ec) {
            Some(row) => {
                cx.f.node_mut(n).text(Msg::Bi(row));
                match row.0.2 {
                    Effect::None => {
                        if let Some(u) = dict::vife_duration(ec) {
                            m.duration = Some(u);
                        }
                    }
                    Effect::Exp(x) => m.exp += i32::from(x),
                    Effect::Per(p) => m.per.push(p),
                    Effect::Date => m.date = true,
                    Effect::Duration(u) => m.duration = Some(u),
                    Effect::Manufacturer => m.manufacturer = true,
                    Effect::Extension => extension = true,
                }
            }
            None => {
                cx.f.node_mut(n).text(msg!("reserved VIFE", "保留的VIFE"));
                let msg = msg!("VIFE 0x{:02X} is reserved", "VIFE 0x{:02X} 为保留值", e);
                cx.diag(Severity::Warning, at, 1, "mbus.vife.reserved", msg);
            }
        }
    }
    Ok(m)
}

/// Why a VIF could not be read to its end.
enum Broken {
    /// The bytes end first.
    Truncated,
    /// A fault already reported (too many VIFEs).
    Reported,
}

fn apply_row(m: &mut Meaning, row: &'static VifRow, code: u8) {
    m.name = Msg::Bi(row);
    m.kind = row.0.kind;
    m.step = code - row.0.lo;
    if let Kind::Scaled(_, e) = row.0.kind {
        m.exp = i32::from(e) + i32::from(m.step);
    }
}

/// Text written last character first (plain-text units, LVAR strings).
fn reversed_text(b: &[u8]) -> String {
    b.iter().rev().map(|&x| if (0x20..0x7F).contains(&x) || x >= 0xA0 { x as char } else { '.' }).collect()
}

/// The data of a record, read by the DIF's coding and the VIF's meaning.
fn data(cx: &mut Cx, r: NodeRef, cur: &mut Cursor, k: u32, coding: Coding, m: &Meaning) -> bool {
    let mut coding = coding;
    let mut len = coding.len();
    // Variable length: the LVAR byte.
    let mut var: Option<Var> = None;
    if coding == Coding::Var {
        let at = cur.at();
        let Ok(lvar) = cur.u8() else {
            cx.diag(
                Severity::Error,
                at,
                0,
                "mbus.record.truncated",
                msg!("the record ends before its LVAR byte", "记录在 LVAR 字节前结束"),
            );
            return false;
        };
        let (v, n, words) = match lvar {
            0x00..=0xBF => (Var::Text, usize::from(lvar), msg!("text of {} character(s)", "{} 个字符的文本", lvar)),
            0xC0..=0xC9 => (
                Var::Bcd(false),
                usize::from(lvar - 0xC0),
                msg!("positive BCD number of {} digits", "{} 位正 BCD 数", 2 * (lvar - 0xC0)),
            ),
            0xD0..=0xD9 => (
                Var::Bcd(true),
                usize::from(lvar - 0xD0),
                msg!("negative BCD number of {} digits", "{} 位负 BCD 数", 2 * (lvar - 0xD0)),
            ),
            0xE0..=0xEF => (
                Var::Binary,
                usize::from(lvar - 0xE0),
                msg!("binary number of {} byte(s)", "{} 字节的二进制数", lvar - 0xE0),
            ),
            0xF0..=0xF4 => (
                Var::Binary,
                4 * usize::from(lvar - 0xEC),
                msg!("binary number of {} bytes", "{} 字节的二进制数", 4 * (u32::from(lvar) - 0xEC)),
            ),
            0xF5 => (Var::Binary, 48, msg!("binary number of 48 bytes", "48 字节的二进制数")),
            0xF6 => (Var::Binary, 64, msg!("binary number of 64 bytes", "64 字节的二进制数")),
            _ => (Var::Reserved, 0, msg!("reserved LVAR value", "保留的 LVAR 值")),
        };
        let n_ = cx.add(r, rid("mbus.record.lvar", k), at, 1, NodeKind::Length);
        cx.f.node_mut(n_).value(Msg::HexNum { value: lvar.into(), digits: 2 }).text(words);
        if v == Var::Reserved {
            let msg = msg!(
                "LVAR 0x{:02X} is reserved: the rest cannot be read",
                "LVAR 0x{:02X} 为保留值：其后无法解析",
                lvar
            );
            cx.diag(Severity::Error, at, 1, "mbus.lvar.reserved", msg);
            return false;
        }
        var = Some(v);
        len = n;
        if let Var::Bcd(_) = v {
            coding = Coding::Bcd(n);
        }
    }
    let at = cur.at();
    let Some((b, _)) = cur.take_at(len) else {
        let left = cur.left();
        if left > 0 {
            let (_, at) = cur.rest_at();
            let n = cx.add(r, rid("mbus.record.data", k), at, left, NodeKind::Unknown);
            cx.f.node_mut(n).value(hex(cx.src, Span::at(at, left)));
        }
        let msg = msg!("the record's data need {} byte(s); {} remain", "记录数据需要 {} 个字节，只剩 {} 个", len, left);
        cx.diag(Severity::Error, cur.at(), 0, "mbus.record.truncated", msg);
        cx.f.node_mut(r).kind(NodeKind::Unknown);
        return false;
    };
    let span = Span::at(at, len);
    let unit = unit_of(m);
    let (value, text, unit) = match (coding, var) {
        (Coding::None, _) | (Coding::Selection, _) => (Msg::None, Msg::Bi(coding.words()), Msg::None),
        (_, Some(Var::Text)) => (Msg::owned(reversed_text(b)), Msg::Bi(&("text", "文本")), Msg::None),
        (_, Some(Var::Binary)) => (hex_as(cx.src, span, true, true), Msg::Bi(&("binary", "二进制")), Msg::None),
        _ if m.manufacturer && !matches!(coding, Coding::Int(_) | Coding::Bcd(_)) => {
            (hex_as(cx.src, span, true, true), Msg::Bi(&("manufacturer specific", "制造商专用")), Msg::None)
        }
        _ if (m.date || matches!(m.kind, Kind::Date)) && m.duration.is_none() => match time_point(b) {
            Some((v, t)) => (v, t, Msg::None),
            None => (hex_as(cx.src, span, true, true), Msg::Bi(coding.words()), Msg::None),
        },
        (Coding::Real, _) => {
            let x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64 * 10f64.powi(m.exp);
            (Msg::owned(format!("{x}")), msg!("type H (real)", "H 型（实数）"), unit)
        }
        (Coding::Int(1), _) if m.header_code == Some(0x09) => {
            (Msg::HexNum { value: b[0].into(), digits: 2 }, dict::medium(b[0]), Msg::None)
        }
        (Coding::Int(2), _) if m.header_code == Some(0x0A) => {
            let code = u16::from_le_bytes([b[0], b[1]]);
            (Msg::Code(dict::manufacturer_words, code.into()), msg!("code 0x{:04X}", "代码 0x{:04X}", code), Msg::None)
        }
        // Identifiers, counters and versions: type C (unsigned).
        (Coding::Int(_), _) if matches!(m.kind, Kind::Plain) && m.exp == 0 && !m.manufacturer && !m.plain_text => {
            let v = b.iter().rev().fold(0u64, |a, &x| a << 8 | u64::from(x));
            (Msg::Uint(v), msg!("type C (unsigned integer)", "C 型（无符号整数）"), unit)
        }
        (Coding::Int(_), _) => {
            let v = int_le(b);
            if matches!(m.kind, Kind::Bits) {
                (
                    Msg::HexNum { value: v as u64 & mask(len), digits: (2 * len) as u8 },
                    msg!("type D (bits)", "D 型（位串）"),
                    unit,
                )
            } else {
                (scaled(v.into(), m.exp), msg!("type B (integer)", "B 型（整数）"), unit)
            }
        }
        (Coding::Bcd(_), _) => match bcd(b, matches!(var, Some(Var::Bcd(true)))) {
            Some(v) => (scaled(v, m.exp), msg!("type A (BCD)", "A 型（BCD）"), unit),
            None => {
                let msg = msg!("not BCD digits: {}", "不是 BCD 数字：{}", hex_as(cx.src, span, false, true));
                cx.diag(Severity::Warning, at, len, "mbus.bcd.invalid", msg);
                (hex_as(cx.src, span, false, true), msg!("not BCD digits", "非 BCD 数字"), Msg::None)
            }
        },
        _ => (hex(cx.src, span), Msg::None, Msg::None),
    };
    if len > 0 {
        let n = cx.add(r, rid("mbus.record.data", k), at, len, NodeKind::Data);
        cx.f.node_mut(n).value(hex(cx.src, span)).text(text);
    }
    let value_unit = if value.is_none() { Msg::None } else { unit };
    cx.f.node_mut(r).value(value);
    if !value_unit.is_none() {
        cx.f.node_mut(r).unit(value_unit);
    }
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    Text,
    Bcd(bool),
    Binary,
    Reserved,
}

fn mask(len: usize) -> u64 {
    if len >= 8 { u64::MAX } else { (1u64 << (8 * len)) - 1 }
}

/// The unit of the value: the VIF's (a duration's from the VIF or a VIFE),
/// the plain text, with the VIFEs' "per" units after it.
fn unit_of(m: &Meaning) -> Msg {
    let base: Msg = if let Some(u) = m.duration {
        Msg::Bi(u)
    } else if m.plain_text {
        m.name.clone()
    } else {
        match m.kind {
            Kind::Scaled(u, _) => Msg::Bi(u),
            Kind::Duration(units) => units.get(usize::from(m.step)).map_or(Msg::None, |u| Msg::Bi(u)),
            _ => Msg::None,
        }
    };
    if base.is_none() && m.per.is_empty() {
        return Msg::None;
    }
    with_per(base, &m.per)
}

fn with_per(base: Msg, per: &[&'static str]) -> Msg {
    if per.is_empty() {
        return base;
    }
    let mut parts = vec![base];
    parts.extend(per.iter().map(|p| Msg::Str(p)));
    Msg::Concat(parts.into_boxed_slice())
}

/// A signed little-endian integer of 1 to 8 bytes (type B).
fn int_le(b: &[u8]) -> i64 {
    let n = b.len().min(8);
    if n == 0 {
        return 0;
    }
    let mut v = 0u64;
    for &x in b[..n].iter().rev() {
        v = v << 8 | u64::from(x);
    }
    let shift = 64 - 8 * n as u32;
    ((v << shift) as i64) >> shift
}

/// BCD digits, low byte first (type A); a most significant digit Fh makes
/// the value negative. `None` when another digit is not decimal.
pub fn bcd(b: &[u8], negative: bool) -> Option<i128> {
    let mut v: i128 = 0;
    let mut neg = negative;
    for (i, &x) in b.iter().rev().enumerate() {
        let (hi, lo) = (x >> 4, x & 15);
        let hi = if i == 0 && hi == 0xF {
            neg = true;
            0
        } else {
            hi
        };
        if hi > 9 || lo > 9 {
            return None;
        }
        v = v * 100 + i128::from(hi) * 10 + i128::from(lo);
    }
    Some(if neg { -v } else { v })
}

/// `value × 10^exp` as an exact decimal.
fn scaled(v: i128, exp: i32) -> Msg {
    if exp >= 0 {
        let p = 10i128.checked_pow(exp as u32);
        match p.and_then(|p| v.checked_mul(p)).and_then(|x| i64::try_from(x).ok()) {
            Some(m) => Msg::Decimal { mantissa: m, scale: 0 },
            None => msg!("{} × 10^{}", "{} × 10^{}", Msg::owned(v.to_string()), i64::from(exp)),
        }
    } else {
        match i64::try_from(v) {
            Ok(m) if exp >= -30 => Msg::Decimal { mantissa: m, scale: (-exp) as u8 },
            _ => msg!("{} × 10^{}", "{} × 10^{}", Msg::owned(v.to_string()), i64::from(exp)),
        }
    }
}

/// A time point by its length: type G (2 bytes, date), J (3, time), F (4,
/// date and time), I (6, date and time with seconds), packed for
/// [`time_words`]. Years below 81 are read in 2000–2080, the others in
/// 1981–1999.
fn time_point(b: &[u8]) -> Option<(Msg, Msg)> {
    let year = |lo: u8, hi: u8| {
        let y = u64::from(lo >> 5 & 7) | u64::from(hi >> 4) << 3;
        if y < 81 { 2000 + y } else { 1900 + y }
    };
    // kind (2 bits) | year (12) | month (4) | day (5) | hour (5) | minute (6) | second (6)
    let pack = |kind: u64, y: u64, mo: u8, d: u8, h: u8, mi: u8, s: u8| {
        kind << 38
            | y << 26
            | u64::from(mo & 0x0F) << 22
            | u64::from(d & 0x1F) << 17
            | u64::from(h & 0x1F) << 12
            | u64::from(mi & 0x3F) << 6
            | u64::from(s & 0x3F)
    };
    let (packed, text) = match *b {
        [d0, d1] => (pack(0, year(d0, d1), d1, d0, 0, 0, 0), msg!("type G (date)", "G 型（日期）")),
        [s, mi, h] => (pack(1, 0, 0, 0, h, mi, s), msg!("type J (time)", "J 型（时间）")),
        [mi, h, d, mo] => {
            let t = match (mi & 0x80 != 0, h & 0x80 != 0) {
                (true, _) => msg!("type F (date and time): marked invalid", "F 型（日期和时间）：标记为无效"),
                (false, true) => msg!("type F (date and time), summer time", "F 型（日期和时间），夏令时"),
                (false, false) => msg!("type F (date and time)", "F 型（日期和时间）"),
            };
            (pack(2, year(d, mo), mo, d, h, mi, 0), t)
        }
        [s, mi, h, d, mo, _] => (
            pack(3, year(d, mo), mo, d, h, mi, s),
            msg!("type I (date and time with seconds)", "I 型（带秒的日期和时间）"),
        ),
        _ => return None,
    };
    Some((Msg::Code(time_words, packed), text))
}

/// A packed time point (see [`time_point`]) as `2014-03-13 13:09`.
fn time_words(p: u64, _: crate::lang::Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let (y, mo, d) = (p >> 26 & 0xFFF, p >> 22 & 0x0F, p >> 17 & 0x1F);
    let (h, mi, s) = (p >> 12 & 0x1F, p >> 6 & 0x3F, p & 0x3F);
    match p >> 38 {
        0 => write!(w, "{y}-{mo:02}-{d:02}"),
        1 => write!(w, "{h:02}:{mi:02}:{s:02}"),
        2 => write!(w, "{y}-{mo:02}-{d:02} {h:02}:{mi:02}"),
        _ => write!(w, "{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_bcd() {
        assert_eq!(int_le(&[0xFF]), -1);
        assert_eq!(int_le(&[0x0A, 0x00, 0x01, 0x00, 0xFA, 0x01]), 2_173_253_517_322);
        assert_eq!(int_le(&[0x00, 0x00, 0x80]), -8_388_608);
        assert_eq!(bcd(&[0x01, 0x01, 0x00, 0x00], false), Some(101));
        assert_eq!(bcd(&[0x34, 0x12, 0xF0], false), Some(-1234));
        assert_eq!(bcd(&[0xBD, 0xEB, 0xDD, 0xDD], false), None);
    }
}
