//! What both parts share: the building context over the model, the data
//! unit identifiers (DA → measurement points pn, DT → information classes
//! Fn) and the data formats of appendix A of Q/GDW 1376.1 (A.1, A.5, A.7,
//! A.9, A.11, A.14, A.15, A.16, A.20, A.21, A.25) with their units.

use core::fmt::Write as _;

use crate::model::{Frame, Id, Msg, NodeKind, NodeMut, NodeRef, Severity};
use crate::msg;
use crate::registry;
use crate::span::Span;
use crate::wire::Cursor;

/// The frame being built; offsets are absolute in the input.
pub struct Cx {
    pub f: Frame,
    /// Absolute offset of the frame's first byte.
    pub base: usize,
    /// What becomes of forwarded bytes: [`super::nested::forwarded`] dissects
    /// the frame they hold, [`super::nested::raw`] shows them as bytes (for
    /// callers that read values only, so that their builds carry no nested
    /// dissectors).
    pub nest: Nest,
}

/// How forwarded bytes are shown: parent, id of raw bytes, the bytes, their offset, what they should hold.
pub type Nest = fn(&mut Cx, NodeRef, &'static str, &[u8], usize, super::nested::Hint);

impl Cx {
    pub fn add(&mut self, parent: NodeRef, id: impl Into<Id>, at: usize, len: usize, kind: NodeKind) -> NodeRef {
        self.f.add(parent, id, Span::at(at, len), kind).index()
    }
    pub fn set(&mut self, n: NodeRef) -> NodeMut<'_> {
        self.f.node_mut(n)
    }
    pub fn diag(&mut self, severity: Severity, at: usize, len: usize, code: &'static str, message: Msg) {
        self.f.diag(severity, Span::at(at, len), code, message);
    }
    /// The bytes of an absolute span of this frame.
    pub fn bytes(&self, at: usize, len: usize) -> &[u8] {
        self.f.slice(Span::at(at, len))
    }
    /// A node over bytes the cursor still holds but no rule explains; `code`
    /// names the warning.
    pub fn rest(&mut self, parent: NodeRef, id: impl Into<Id>, cur: &mut Cursor, code: &'static str) {
        let (b, at) = cur.rest_at();
        if b.is_empty() {
            return;
        }
        let n = self.add(parent, id, at, b.len(), NodeKind::Unknown);
        self.set(n).value(Msg::hex(Span::at(at, b.len())));
        let msg = msg!("{} byte(s) not explained", "{} 个字节未解释", b.len());
        self.diag(Severity::Warning, at, b.len(), code, msg);
    }
    /// The rest of the cursor's bytes as data whose layout this dictionary
    /// does not give (no warning: the bytes are as they should be).
    pub fn raw(&mut self, parent: NodeRef, id: impl Into<Id>, cur: &mut Cursor) {
        let (b, at) = cur.rest_at();
        if !b.is_empty() {
            let n = self.add(parent, id, at, b.len(), NodeKind::Data);
            self.set(n).value(Msg::hex(Span::at(at, b.len())));
        }
    }
    /// The field ends before its bytes do: what is there as bytes and an error.
    pub fn short(&mut self, parent: NodeRef, id: impl Into<Id>, cur: &mut Cursor, needed: usize, code: &'static str) {
        let (b, at) = cur.rest_at();
        if !b.is_empty() {
            let n = self.add(parent, id, at, b.len(), NodeKind::Unknown);
            self.set(n).value(Msg::hex(Span::at(at, b.len())));
        }
        let end = at + b.len();
        registry::truncated_diag(&mut self.f, end, Some(needed.saturating_sub(b.len())), code);
    }
    /// A field of a format: its node with value, unit and text; `None` (and
    /// the bytes left as a truncated node) when the bytes end first.
    pub fn field(&mut self, parent: NodeRef, id: impl Into<Id>, cur: &mut Cursor, fmt: Fmt) -> Option<NodeRef> {
        let id = id.into();
        let len = fmt.len();
        let Some((b, at)) = cur.take_at(len) else {
            self.short(parent, id, cur, len, "qgdw1376.truncated");
            return None;
        };
        let (value, text, unit, bad) = fmt.read(b, at);
        let n = self.add(parent, id, at, len, NodeKind::Data);
        self.set(n).value(value).text(text);
        if !unit.is_empty() {
            self.set(n).unit(Msg::Str(unit));
        }
        if bad {
            let msg = msg!("not a valid BCD value: {}", "不是有效的 BCD 值：{}", Msg::hex(Span::at(at, len)));
            self.diag(Severity::Warning, at, len, "qgdw1376.bcd.invalid", msg);
        }
        Some(n)
    }
}

/// The information points of DA = DA1 DA2: p0 (both zero), every valid
/// point (DA1 = FF, DA2 = 0), or DA2's group of eight with DA1's bits.
pub fn points(da1: u8, da2: u8) -> Points {
    match (da1, da2) {
        (0, 0) => Points::List(vec![0]),
        (0xFF, 0) => Points::All,
        (_, 0) => Points::List(Vec::new()),
        (bits, group) => {
            let first = (u16::from(group) - 1) * 8 + 1;
            Points::List((0..8).filter(|i| bits & (1 << i) != 0).map(|i| first + i).collect())
        }
    }
}

/// What DA names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Points {
    List(Vec<u16>),
    /// Every valid measurement point (p0 excluded).
    All,
}

/// The information classes of DT = DT1 DT2: Fn = DT2 × 8 + bit + 1.
pub fn classes(dt1: u8, dt2: u8) -> Vec<u16> {
    (0..8u16).filter(|i| dt1 & (1 << i) != 0).map(|i| u16::from(dt2) * 8 + i + 1).collect()
}

/// `p1, p2` / `p0` / every valid point.
pub fn points_text(p: &Points) -> Msg {
    match p {
        Points::All => crate::msg!("every valid measurement point", "所有有效测量点"),
        Points::List(v) if v.is_empty() => crate::msg!("no point (DA1 = 0)", "无信息点（DA1 = 0）"),
        Points::List(v) => Msg::owned(list("p", v)),
    }
}

/// `F1, F3`.
pub fn classes_text(v: &[u16]) -> Msg {
    if v.is_empty() { crate::msg!("no class (DT1 = 0)", "无信息类（DT1 = 0）") } else { Msg::owned(list("F", v)) }
}

fn list(prefix: &str, v: &[u16]) -> String {
    let mut s = String::new();
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{prefix}{x}");
    }
    s
}

/// A data format of appendix A (or a plain one) and its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    /// ss mm hh DD (week | month) YY.
    A1,
    /// ±XXX.X (sign in D7 of the high byte).
    A5,
    /// XXX.X.
    A7,
    /// ±XX.XXXX.
    A9,
    /// XXXXXX.XX.
    A11,
    /// XXXXXX.XXXX.
    A14,
    /// mm hh DD MM YY.
    A15,
    /// ss mm hh DD.
    A16,
    /// DD MM YY.
    A20,
    /// MM YY.
    A21,
    /// ±XXX.XXX.
    A25,
    /// BCD digits, low byte first, with decimals.
    Bcd(u8, u8),
    /// An unsigned binary number, low byte first.
    Bin(u8),
    /// ASCII text (NULs at the end dropped).
    Ascii(u8),
    /// Bytes as hex.
    Hex(u8),
    /// A 6-byte address, shown most significant byte first.
    Addr,
    /// An IPv4 address.
    Ip,
    /// ss mm hh DD MM YY (BCD, no week).
    DateTime6,
    /// DD MM YY BCD, as 1376.2 writes dates.
    Date3,
}

impl Fmt {
    /// Bytes the format takes.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(self) -> usize {
        match self {
            Fmt::A1 | Fmt::Addr | Fmt::DateTime6 => 6,
            Fmt::A5 | Fmt::A7 | Fmt::A21 => 2,
            Fmt::A9 | Fmt::A25 | Fmt::A20 | Fmt::Date3 => 3,
            Fmt::A11 | Fmt::A16 | Fmt::Ip => 4,
            Fmt::A14 | Fmt::A15 => 5,
            Fmt::Bcd(n, _) | Fmt::Bin(n) | Fmt::Ascii(n) | Fmt::Hex(n) => usize::from(n),
        }
    }

    /// The unit a format carries by itself.
    fn unit(self) -> &'static str {
        match self {
            Fmt::A5 => "%",
            Fmt::A7 => "V",
            Fmt::A25 => "A",
            _ => "",
        }
    }

    /// Value, text, unit and whether the bytes broke the format.
    pub fn read(self, b: &[u8], at: usize) -> (Msg, Msg, &'static str, bool) {
        let span = Span::at(at, b.len());
        let unit = self.unit();
        if !b.is_empty() && b.iter().all(|&x| x == 0xEE) && !matches!(self, Fmt::Hex(_) | Fmt::Bin(_)) {
            return (Msg::hex(span), crate::msg!("no data (EE)", "无数据（EE）"), "", false);
        }
        let hex = || Msg::hex(span);
        match self {
            Fmt::A5 | Fmt::A9 | Fmt::A25 => {
                let scale = match self {
                    Fmt::A5 => 1,
                    Fmt::A9 => 4,
                    _ => 3,
                };
                let mut digits = b.to_vec();
                let negative = digits.last().is_some_and(|x| x & 0x80 != 0);
                if let Some(x) = digits.last_mut() {
                    *x &= 0x7F;
                }
                match bcd(&digits) {
                    Some(v) => {
                        let m = if negative { -(v as i64) } else { v as i64 };
                        (Msg::Decimal { mantissa: m, scale }, Msg::None, unit, false)
                    }
                    None => (hex(), Msg::None, "", true),
                }
            }
            Fmt::A7 | Fmt::A11 | Fmt::A14 | Fmt::Bcd(..) => {
                let scale = match self {
                    Fmt::A7 => 1,
                    Fmt::A11 => 2,
                    Fmt::A14 => 4,
                    Fmt::Bcd(_, s) => s,
                    _ => 0,
                };
                match bcd(b) {
                    Some(v) => (Msg::Decimal { mantissa: v as i64, scale }, Msg::None, unit, false),
                    None => (hex(), Msg::None, "", true),
                }
            }
            Fmt::A1 => {
                let week = b[4] >> 5;
                let d = [b[0], b[1], b[2], b[3], b[4] & 0x1F, b[5]];
                match time_text(&[Some(d[5]), Some(d[4]), Some(d[3]), Some(d[2]), Some(d[1]), Some(d[0])]) {
                    Some(t) => (Msg::owned(t), weekday(week), "", false),
                    None => (hex(), Msg::None, "", true),
                }
            }
            Fmt::A15 => date_value(&[Some(b[4]), Some(b[3]), Some(b[2]), Some(b[1]), Some(b[0]), None], hex),
            Fmt::A16 => match (0..4).all(|i| is_bcd(b[i])) {
                true => {
                    let t = format!("{:02X} {:02X}:{:02X}:{:02X}", b[3], b[2], b[1], b[0]);
                    (Msg::owned(t), crate::msg!("day hh:mm:ss", "日 时:分:秒"), "", false)
                }
                false => (hex(), Msg::None, "", true),
            },
            Fmt::A20 | Fmt::Date3 => date_value(&[Some(b[2]), Some(b[1]), Some(b[0]), None, None, None], hex),
            Fmt::A21 => match is_bcd(b[0]) && is_bcd(b[1]) {
                true => (Msg::owned(format!("20{:02X}-{:02X}", b[1], b[0])), Msg::None, "", false),
                false => (hex(), Msg::None, "", true),
            },
            Fmt::DateTime6 => {
                date_value(&[Some(b[5]), Some(b[4]), Some(b[3]), Some(b[2]), Some(b[1]), Some(b[0])], hex)
            }
            Fmt::Bin(_) => {
                let v = b.iter().rev().fold(0u64, |a, &x| a << 8 | u64::from(x));
                (Msg::Uint(v), Msg::None, "", false)
            }
            Fmt::Ascii(_) => {
                let text: String = b
                    .iter()
                    .take_while(|&&x| x != 0)
                    .map(|&x| if (0x20..0x7F).contains(&x) { x as char } else { '.' })
                    .collect();
                (Msg::owned(text), hex(), "", false)
            }
            Fmt::Hex(_) => (hex(), Msg::None, "", false),
            Fmt::Addr => (Msg::Hex { span, spaced: false, reversed: true }, Msg::None, "", false),
            Fmt::Ip => (Msg::owned(format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])), Msg::None, "", false),
        }
    }
}

/// `YYYY-MM-DD[ hh:mm[:ss]]` from BCD bytes year, month, day, hour, minute, second.
fn date_value(parts: &[Option<u8>; 6], hex: impl Fn() -> Msg) -> (Msg, Msg, &'static str, bool) {
    match time_text(parts) {
        Some(t) => (Msg::owned(t), Msg::None, "", false),
        None => (hex(), Msg::None, "", true),
    }
}

fn time_text(p: &[Option<u8>; 6]) -> Option<String> {
    if p.iter().flatten().any(|&x| !is_bcd(x)) {
        return None;
    }
    let mut s = String::new();
    if let (Some(y), Some(m), Some(d)) = (p[0], p[1], p[2]) {
        let _ = write!(s, "20{y:02X}-{m:02X}-{d:02X}");
    }
    if let (Some(h), Some(mi)) = (p[3], p[4]) {
        let _ = write!(s, " {h:02X}:{mi:02X}");
        if let Some(sec) = p[5] {
            let _ = write!(s, ":{sec:02X}");
        }
    }
    Some(s)
}

fn weekday(w: u8) -> Msg {
    static DAYS: [(&str, &str); 8] = [
        ("weekday not set", "星期无效"),
        ("Monday", "星期一"),
        ("Tuesday", "星期二"),
        ("Wednesday", "星期三"),
        ("Thursday", "星期四"),
        ("Friday", "星期五"),
        ("Saturday", "星期六"),
        ("Sunday", "星期日"),
    ];
    Msg::Bi(&DAYS[usize::from(w & 7)])
}

pub fn is_bcd(x: u8) -> bool {
    x >> 4 <= 9 && x & 15 <= 9
}

/// BCD digits, low byte first.
pub fn bcd(b: &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for &x in b.iter().rev() {
        if !is_bcd(x) {
            return None;
        }
        v = v.checked_mul(100)?.checked_add(u64::from(x >> 4) * 10 + u64::from(x & 15))?;
    }
    Some(v)
}

/// A field of a data unit: its id, format and unit.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub id: &'static str,
    pub fmt: Fmt,
    pub unit: &'static str,
}

pub const fn spec(id: &'static str, fmt: Fmt, unit: &'static str) -> Spec {
    Spec { id, fmt, unit }
}
