//! The words of a DL/T 698.45 dissection, written at render time.
//!
//! The dissector never writes text: it stores what a text needs packed into
//! one number and a [`CodeFn`] that writes it for a language when the frame is
//! rendered (`Msg::Code(f, packed)`). Nothing here allocates while dissecting.
//!
//! Texts of array elements (`total: …`, `phase A: …`) carry the element's name
//! in the top bits of the number ([`elements`]); the writers that know these
//! bits are marked *prefixable*.

use core::fmt;

use super::dictionary::{self, Elements};
use super::{apdu, data};
use crate::lang::{self, Lang};
use crate::model::{CodeFn, Msg};

type W<'a> = &'a mut dyn fmt::Write;

/// A message written by `f` from `packed`.
pub fn code(f: CodeFn, packed: u64) -> Msg {
    Msg::Code(f, packed)
}

// ---- element names ---------------------------------------------------------

/// Element names packed in the top 19 bits: kind (2 bits) and 1-based index (17 bits).
pub mod elements {
    use super::*;

    pub const SHIFT: u32 = 45;
    const INDEX_BITS: u32 = 17;

    /// The packed name of element `index` of `e`, if it has one and fits.
    pub fn pack(e: Elements, index: usize) -> Option<u64> {
        let kind = match e {
            Elements::None => return None,
            Elements::Tariff => 1,
            Elements::Phase => 2,
            Elements::TotalPhase => 3,
        };
        (e.has_name(index) && index < 1 << INDEX_BITS).then_some((kind << INDEX_BITS | index as u64) << SHIFT)
    }

    /// Write the element name of a packed code, followed by `: ` when `more` follows.
    pub fn write(packed: u64, lang: Lang, w: W, more: bool) -> fmt::Result {
        let p = packed >> SHIFT;
        let e = match p >> INDEX_BITS {
            1 => Elements::Tariff,
            2 => Elements::Phase,
            3 => Elements::TotalPhase,
            _ => return Ok(()),
        };
        e.write_name((p & ((1 << INDEX_BITS) - 1)) as usize, lang, w)?;
        if more { w.write_str(": ") } else { Ok(()) }
    }

    /// The packed code with its element name removed.
    pub fn strip(packed: u64) -> u64 {
        packed & ((1 << SHIFT) - 1)
    }
}

/// The name of an element alone (`total`, `phase A`).
pub fn element(packed: u64, lang: Lang, w: W) -> fmt::Result {
    elements::write(packed, lang, w, false)
}

/// The name of element `index` of `e` (which has one) as a message.
pub fn element_name(e: Elements, index: usize) -> Msg {
    match elements::pack(e, index) {
        Some(p) => Msg::Code(element, p),
        None => Msg::Code(element_wide, (e as u64) << 62 | (index as u64 & ((1 << 62) - 1))),
    }
}

/// The name of an element whose index is too large to pack with a text.
fn element_wide(v: u64, lang: Lang, w: W) -> fmt::Result {
    let e = match v >> 62 {
        1 => Elements::Tariff,
        2 => Elements::Phase,
        3 => Elements::TotalPhase,
        _ => Elements::None,
    };
    e.write_name((v & ((1 << 62) - 1)) as usize, lang, w)
}

// ---- numbers and codes -----------------------------------------------------

/// `0x68`.
pub fn hex2(v: u64, _: Lang, w: W) -> fmt::Result {
    write!(w, "0x{:02X}", v as u8)
}

/// `0x0BB5`.
pub fn hex4(v: u64, _: Lang, w: W) -> fmt::Result {
    write!(w, "0x{:04X}", v as u16)
}

/// `40000200`.
pub fn hex8(v: u64, _: Lang, w: W) -> fmt::Result {
    write!(w, "{:08X}", v as u32)
}

/// The name of an object identifier.
pub fn object(oi: u64, lang: Lang, w: W) -> fmt::Result {
    dictionary::write_object_name(oi as u16, lang, w)
}

/// "OI name, attribute name, element name" of `oi << 16 | attr << 8 | index`.
pub fn oad(v: u64, lang: Lang, w: W) -> fmt::Result {
    dictionary::write_oad((v >> 16) as u16, (v >> 8) as u8, v as u8, lang, w)
}

/// "OI name, method name" of `oi << 8 | method`.
pub fn omd(v: u64, lang: Lang, w: W) -> fmt::Result {
    dictionary::write_omd((v >> 8) as u16, v as u8, lang, w)
}

/// The name of attribute `oi << 8 | attr`, then its feature bits when set.
pub fn attribute(v: u64, lang: Lang, w: W) -> fmt::Result {
    let (oi, attr) = ((v >> 8) as u16, v as u8);
    let name = dictionary::attribute_name(oi, attr, lang);
    if let Some(n) = name {
        w.write_str(n)?;
    }
    if attr >> 5 != 0 {
        if name.is_some() {
            w.write_str(" ")?;
        }
        write!(w, "({} {})", lang.pick("feature", "属性特征"), attr >> 5)?;
    }
    Ok(())
}

/// The name of method `oi << 8 | method`.
pub fn method(v: u64, lang: Lang, w: W) -> fmt::Result {
    w.write_str(dictionary::method_name((v >> 8) as u16, v as u8, lang).unwrap_or(""))
}

/// The meaning of a DAR code.
pub fn dar(v: u64, lang: Lang, w: W) -> fmt::Result {
    w.write_str(dictionary::dar_name(v as u8, lang).unwrap_or(""))
}

/// A report channel by its OAD: the interface's name and port (`RS485 1`).
pub fn channel(o: u64, lang: Lang, w: W) -> fmt::Result {
    let (oi, index) = ((o >> 16) as u16, o & 0xFF);
    if !dictionary::has_object_name(oi) {
        return write!(w, "{:08X}", o as u32);
    }
    dictionary::write_object_name(oi, lang, w)?;
    if index > 0 { write!(w, " {index}") } else { Ok(()) }
}

// ---- data values -----------------------------------------------------------

/// Integer types a scaled number may have, by index.
const INTEGERS: [u8; 8] = [
    data::tag::DOUBLE_LONG,
    data::tag::DOUBLE_LONG_UNSIGNED,
    data::tag::INTEGER,
    data::tag::LONG,
    data::tag::UNSIGNED,
    data::tag::LONG_UNSIGNED,
    data::tag::LONG64,
    data::tag::LONG64_UNSIGNED,
];

const RAW_BITS: u32 = 33;

/// The packed text of a scaled number (raw value, type, scaler), when it fits:
/// prefixable.
pub fn pack_scaled(t: u8, raw: i128, scaler: i8) -> Option<u64> {
    let kind = INTEGERS.iter().position(|&x| x == t)? as u64;
    let limit = 1i128 << (RAW_BITS - 1);
    if !(-limit..limit).contains(&raw) {
        return None;
    }
    let raw = (raw as i64 as u64) & ((1 << RAW_BITS) - 1);
    Some(raw | kind << RAW_BITS | u64::from(scaler as u8) << (RAW_BITS + 4))
}

/// `long-unsigned, raw 2413, scaler -1` (after an element name, if any).
pub fn scaled(v: u64, lang: Lang, w: W) -> fmt::Result {
    elements::write(v, lang, w, true)?;
    let raw = ((v << (64 - RAW_BITS)) as i64) >> (64 - RAW_BITS);
    let t = INTEGERS[((v >> RAW_BITS) & 7) as usize];
    let scaler = (v >> (RAW_BITS + 4)) as u8 as i8;
    let name = data::type_name(t).unwrap_or("?");
    match lang {
        Lang::En => write!(w, "{name}, raw {raw}, scaler {scaler}"),
        Lang::Zh => write!(w, "{name}，原始值 {raw}，换算 {scaler}"),
    }
}

/// The packed text of an array or structure of `count` elements: prefixable.
pub fn pack_aggregate(t: u8, count: usize) -> Option<u64> {
    let count = u32::try_from(count).ok()?;
    Some(u64::from(count) | u64::from(t == data::tag::STRUCTURE) << 32)
}

/// `array[3]`, `structure[2]` (after an element name, if any).
pub fn aggregate(v: u64, lang: Lang, w: W) -> fmt::Result {
    elements::write(v, lang, w, true)?;
    let name = if v >> 32 & 1 != 0 { "structure" } else { "array" };
    write!(w, "{name}[{}]", v as u32)
}

/// A float32 from its bits.
pub fn float32(v: u64, _: Lang, w: W) -> fmt::Result {
    write!(w, "{}", f32::from_bits(v as u32))
}

/// A float64 from its bits.
pub fn float64(v: u64, _: Lang, w: W) -> fmt::Result {
    write!(w, "{}", f64::from_bits(v))
}

/// The bits of a bit-string of at most [`MAX_PACKED_BITS`] bits: the count in the top
/// 7 bits, the bits (first bit highest) below.
pub const MAX_PACKED_BITS: usize = 57;

pub fn bits(v: u64, _: Lang, w: W) -> fmt::Result {
    let n = (v >> 57) as usize;
    for i in (0..n).rev() {
        w.write_char(if v >> i & 1 != 0 { '1' } else { '0' })?;
    }
    Ok(())
}

/// `bit-string(16) ` (the hex follows).
pub fn bit_string_head(n: u64, _: Lang, w: W) -> fmt::Result {
    write!(w, "bit-string({n}) ")
}

fn two(w: W, x: u8) -> fmt::Result {
    if x == 0xFF { w.write_str("--") } else { write!(w, "{x:02}") }
}

fn year(w: W, y: u16) -> fmt::Result {
    if y == 0xFFFF { w.write_str("----") } else { write!(w, "{y:04}") }
}

/// Pack a date and time: year, month, day, hour, minute, second.
pub fn pack_date_time(year: u16, rest: [u8; 5]) -> u64 {
    rest.iter().fold(u64::from(year), |a, &b| a << 8 | u64::from(b))
}

/// `2016-09-11 18:30:00` from [`pack_date_time`].
pub fn date_time(v: u64, _: Lang, w: W) -> fmt::Result {
    let b = |i: u32| (v >> (8 * (4 - i))) as u8;
    year(w, (v >> 40) as u16)?;
    w.write_char('-')?;
    two(w, b(0))?;
    w.write_char('-')?;
    two(w, b(1))?;
    w.write_char(' ')?;
    two(w, b(2))?;
    w.write_char(':')?;
    two(w, b(3))?;
    w.write_char(':')?;
    two(w, b(4))
}

/// `.123` or `.---`: the milliseconds of a date_time.
pub fn millis(v: u64, _: Lang, w: W) -> fmt::Result {
    match v as u16 {
        0xFFFF => w.write_str(".---"),
        ms => write!(w, ".{ms:03}"),
    }
}

/// `2016-11-09` from year << 16 | month << 8 | day.
pub fn date(v: u64, _: Lang, w: W) -> fmt::Result {
    year(w, (v >> 16) as u16)?;
    w.write_char('-')?;
    two(w, (v >> 8) as u8)?;
    w.write_char('-')?;
    two(w, v as u8)
}

/// `16:40:01` from hour << 16 | minute << 8 | second.
pub fn time(v: u64, _: Lang, w: W) -> fmt::Result {
    two(w, (v >> 16) as u8)?;
    w.write_char(':')?;
    two(w, (v >> 8) as u8)?;
    w.write_char(':')?;
    two(w, v as u8)
}

/// `day of week 3`.
pub fn week(v: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "day of week {v}"),
        Lang::Zh => write!(w, "星期{v}"),
    }
}

/// A TI from unit << 16 | interval: `15 min`.
pub fn interval(v: u64, lang: Lang, w: W) -> fmt::Result {
    const UNITS: [(&str, &str); 6] =
        [("s", "秒"), ("min", "分"), ("h", "时"), ("day", "日"), ("month", "月"), ("year", "年")];
    let (unit, n) = ((v >> 16) as u8, v as u16);
    match UNITS.get(usize::from(unit)) {
        Some(u) => write!(w, "{n} {}", lang.pick(u.0, u.1)),
        None => write!(w, "{n} ({} {unit})", lang.pick("unit", "单位")),
    }
}

/// A Scaler_Unit from scaler << 8 | unit: `10^-2 kWh`.
pub fn scaler_unit(v: u64, _: Lang, w: W) -> fmt::Result {
    let scaler = (v >> 8) as u8 as i8;
    match crate::units::dlt698_symbol(v as u8) {
        Some(u) if !u.is_empty() => write!(w, "10^{scaler} {u}"),
        _ => write!(w, "10^{scaler}"),
    }
}

/// A COMDCB's settings from its five bytes: `9600 8E1`.
pub fn comdcb(v: u64, _: Lang, w: W) -> fmt::Result {
    const BAUD: [&str; 11] =
        ["300", "600", "1200", "2400", "4800", "7200", "9600", "19200", "38400", "57600", "115200"];
    let b = |i: u32| (v >> (8 * (4 - i))) as u8;
    let baud = BAUD.get(usize::from(b(0))).copied().unwrap_or(if b(0) == 255 { "auto" } else { "?" });
    let parity = ["N", "O", "E"].get(usize::from(b(1))).copied().unwrap_or("?");
    write!(w, "{baud} {}{parity}{}", b(2), b(3))
}

/// `2 column(s)` (the same words in both languages).
pub fn columns(n: u64, _: Lang, w: W) -> fmt::Result {
    write!(w, "{n} column(s)")
}

/// `selector 5`.
pub fn selector(s: u64, lang: Lang, w: W) -> fmt::Result {
    write!(w, "{} {s}", lang.pick("selector", "方法"))
}

// ---- link layer ------------------------------------------------------------

/// The control field's meaning: `from server, user data`.
pub fn control(c: u64, lang: Lang, w: W) -> fmt::Result {
    let dir = if c & 0x80 != 0 {
        lang.pick("from server", "服务器发出")
    } else {
        lang.pick("from client", "客户机发出")
    };
    let func = match c & 0x07 {
        1 => lang.pick("link management", "链路管理"),
        3 => lang.pick("user data", "用户数据"),
        _ => lang.pick("reserved", "保留"),
    };
    write!(w, "{dir}, {func}")
}

/// Up to 7 bytes packed with their count in the top byte.
pub fn pack_bytes(b: &[u8]) -> Option<u64> {
    (b.len() <= 7).then(|| b.iter().fold(b.len() as u64, |a, &x| a << 8 | u64::from(x)) << (8 * (7 - b.len())))
}

/// The server address in wire order, from [`pack_bytes`]: `wire order 129078563412`.
pub fn wire_order(v: u64, lang: Lang, w: W) -> fmt::Result {
    w.write_str(lang.pick("wire order ", "报文顺序 "))?;
    let n = (v >> 56) as usize;
    let bytes = v.to_be_bytes();
    crate::model::write_hex(w, &bytes[1..1 + n.min(7)], false, false)
}

// ---- APDUs -----------------------------------------------------------------

/// `GET-Request-Normal` from tag << 8 | choice.
pub fn service(v: u64, _: Lang, w: W) -> fmt::Result {
    let (t, k) = ((v >> 8) as u8, v as u8);
    w.write_str(apdu::service_name(t).unwrap_or("?"))?;
    if let Some(c) = apdu::choice_name(t, k) {
        write!(w, "-{c}")?;
    }
    Ok(())
}

/// `unknown APDU tag 0x42`.
pub fn unknown_tag(t: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "unknown APDU tag 0x{:02X}", t as u8),
        Lang::Zh => write!(w, "未知的 APDU 类型 0x{:02X}", t as u8),
    }
}

/// `unknown GET-Request choice 9` from tag << 8 | choice.
pub fn unknown_choice(v: u64, lang: Lang, w: W) -> fmt::Result {
    let (t, k) = ((v >> 8) as u8, v as u8);
    let (en, zh) = apdu::service_names(t).unwrap_or(("?", "?"));
    match lang {
        Lang::En => write!(w, "unknown {en} choice {k}"),
        Lang::Zh => write!(w, "未知的{zh}选择 {k}"),
    }
}

/// `unknown data type 7`.
pub fn unknown_type(t: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "unknown data type {t}"),
        Lang::Zh => write!(w, "未知的数据类型 {t}"),
    }
}

/// A PIID's meaning from acd << 8 | piid: `high priority, sequence 4`.
pub fn piid(v: u64, lang: Lang, w: W) -> fmt::Result {
    let b = v as u8;
    let prio = if b & 0x80 != 0 {
        lang.pick("high priority", "高优先级")
    } else {
        lang.pick("normal priority", "一般优先级")
    };
    write!(w, "{prio}, {} {}", lang.pick("sequence", "序号"), b & 0x3F)?;
    if v >> 8 != 0 && b & 0x40 != 0 {
        w.write_str(lang.pick(", access requested", "，请求访问"))?;
    }
    Ok(())
}

/// The result of a LINK-Response: `success, clock trusted`.
pub fn link_result(v: u64, lang: Lang, w: W) -> fmt::Result {
    const NAMES: [(&str, &str); 4] = [
        ("success", "成功"),
        ("duplicate address", "地址重复"),
        ("illegal device", "非法设备"),
        ("capacity insufficient", "容量不足"),
    ];
    let v = v as u8;
    let res = NAMES.get(usize::from(v & 0x07)).map_or("?", |n| lang.pick(n.0, n.1));
    let clock = if v & 0x80 != 0 {
        lang.pick("clock trusted", "时钟可信")
    } else {
        lang.pick("clock not trusted", "时钟不可信")
    };
    write!(w, "{res}, {clock}")
}

// ---- diagnostics -----------------------------------------------------------

/// `the data ends here; 3 more byte(s) expected`.
pub fn data_ends(n: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "the data ends here; {n} more byte(s) expected"),
        Lang::Zh => write!(w, "数据在此结束，还缺 {n} 个字节"),
    }
}

/// `2 more item(s) announced but the data ends`.
pub fn items_missing(n: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "{n} more item(s) announced but the data ends"),
        Lang::Zh => write!(w, "声明的还有 {n} 项，但数据已结束"),
    }
}

/// `1 byte(s) after the end of the APDU`.
pub fn apdu_trailing(n: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "{n} byte(s) after the end of the APDU"),
        Lang::Zh => write!(w, "APDU 结束后还有 {n} 个字节"),
    }
}

/// `1 byte(s) after the end of the inner APDU`.
pub fn inner_trailing(n: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "{n} byte(s) after the end of the inner APDU"),
        Lang::Zh => write!(w, "内层 APDU 结束后还有 {n} 个字节"),
    }
}

/// `the input ends here; 3 more byte(s) expected`.
pub fn input_ends(n: u64, lang: Lang, w: W) -> fmt::Result {
    match lang {
        Lang::En => write!(w, "the input ends here; {n} more byte(s) expected"),
        Lang::Zh => write!(w, "输入在此结束，还缺 {n} 个字节"),
    }
}

/// `the length field states 31 bytes, the frame has 32` from stated << 32 | actual.
pub fn length_mismatch(v: u64, lang: Lang, w: W) -> fmt::Result {
    let (stated, actual) = (v >> 32, v & 0xFFFF_FFFF);
    match lang {
        Lang::En => write!(w, "the length field states {stated} bytes, the frame has {actual}"),
        Lang::Zh => write!(w, "长度域为 {stated} 字节，帧实际有 {actual} 字节"),
    }
}

/// A CRC that disagrees, from fcs << 32 | stated << 16 | computed:
/// `Header check sequence (HCS) is 0x0BB4, computed 0x0BB5`.
pub fn crc_mismatch(v: u64, lang: Lang, w: W) -> fmt::Result {
    let id = if v >> 32 != 0 { "dlt698.fcs" } else { "dlt698.hcs" };
    let label = lang::lookup(super::LABELS, id).map_or(id, |(en, zh)| lang.pick(en, zh));
    let (stated, computed) = ((v >> 16) as u16, v as u16);
    match lang {
        Lang::En => write!(w, "{label} is 0x{stated:04X}, computed 0x{computed:04X}"),
        Lang::Zh => write!(w, "{label}为 0x{stated:04X}，计算值为 0x{computed:04X}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(f: CodeFn, v: u64) -> String {
        Msg::Code(f, v).to_string(Lang::En)
    }

    #[test]
    fn packed_texts() {
        let v = pack_scaled(data::tag::DOUBLE_LONG, -5, -3).unwrap();
        assert_eq!(en(scaled, v), "double-long, raw -5, scaler -3");
        let p = elements::pack(Elements::Tariff, 3).unwrap();
        assert_eq!(en(scaled, v | p), "T2: double-long, raw -5, scaler -3");
        assert_eq!(Msg::Code(scaled, v | p).to_string(Lang::Zh), "费率2: double-long，原始值 -5，换算 -3");
        assert!(pack_scaled(data::tag::LONG64, 1 << 40, 0).is_none());
        assert_eq!(
            en(scaled, pack_scaled(data::tag::DOUBLE_LONG_UNSIGNED, 0xFFFF_FFFF, 0).unwrap()),
            "double-long-unsigned, raw 4294967295, scaler 0"
        );
        assert_eq!(en(aggregate, pack_aggregate(data::tag::ARRAY, 3).unwrap()), "array[3]");
        assert_eq!(en(element, elements::pack(Elements::TotalPhase, 4).unwrap()), "phase C");
        assert_eq!(elements::pack(Elements::Phase, 4), None);
        assert_eq!(en(date_time, pack_date_time(2016, [9, 11, 18, 30, 0])), "2016-09-11 18:30:00");
        assert_eq!(en(date_time, pack_date_time(0xFFFF, [0xFF, 1, 2, 3, 0xFF])), "--------01 02:03:--");
        assert_eq!(en(bits, 4 << 57 | 0b1010), "1010");
        assert_eq!(en(interval, 1 << 16 | 15), "15 min");
        assert_eq!(en(scaler_unit, 0xFE21), "10^-2 kWh");
        assert_eq!(en(scaler_unit, 0x00FF), "10^0");
        assert_eq!(en(comdcb, 0x06_02_08_01_00), "9600 8E1");
        assert_eq!(en(wire_order, pack_bytes(&[0x12, 0x90, 0x78]).unwrap()), "wire order 129078");
        assert_eq!(en(wire_order, pack_bytes(&[]).unwrap()), "wire order ");
        assert_eq!(pack_bytes(&[0; 8]), None);
        assert_eq!(en(service, 0x0501), "GET-Request-Normal");
        assert_eq!(en(service, 0x0100), "LINK-Request");
        assert_eq!(en(attribute, 0x0040_0022), "value (feature 1)");
        assert_eq!(en(attribute, 0x0099_9922), "(feature 1)");
        assert_eq!(en(crc_mismatch, 1 << 32 | 0x1234_5678), "Frame check sequence (FCS) is 0x1234, computed 0x5678");
    }
}
