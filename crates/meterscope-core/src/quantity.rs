//! Named quantities across protocols: one table that says, for each quantity
//! a user (or a data concentrator) asks for by name, what it is in every
//! protocol family the reader speaks.
//!
//! A name is kebab-case (`active-energy-import`, `voltage`, `clock`). For
//! each family the table lists the points to read: DL/T 645-2007 and -1997
//! data identifiers (Appendix A), DL/T 698.45 OADs with the element of the
//! value (class 1 energy arrays: 1 total, 2.. tariffs; class 3 per-phase
//! variables: 1..3 phases A..C; class 4 powers: 1 total, 2..4 phases) and the
//! day freeze 5004 by its columns, COSEM attributes (interface class, OBIS
//! code, attribute) for DLMS, and the codes of IEC 62056-21 readouts and
//! DSMR P1 telegrams. Each point says which part of the quantity it gives (a
//! phase, the date or the time of a clock read in two halves, a tariff
//! register summed into the total where a telegram has no total).
//!
//! Reactive energy import and export are the combined reactive 1 and 2
//! registers of DL/T 645-2007 and DL/T 698.45 (QI+QII and QIII+QIV by the
//! meters' default combination words), forward and reverse reactive in
//! DL/T 645-1997, and +R / −R (1.8 / 4.8 of C = 3, 4) in OBIS terms.
//! Active power is the total instantaneous active power (OBIS +P, 1.7.0).
//!
//! [`Reads`] is a read in progress: the points to queue on a session, what
//! came back for each, and the outcome per quantity.
//! [`assemble`] turns what a session read for the points into values in
//! the quantity's unit (W to kW, Wh to kWh…) and date-times in ISO 8601, so
//! every family yields the same names and units. Lookups: [`all`],
//! [`by_name`] (a typed error with the names close to a mistyped one).

use core::fmt;

use crate::lang::Lang;
use crate::protocols::dlms::services::AttrRef;
use crate::protocols::dlt645::session::Item as Dlt645Item;
use crate::protocols::dlt698::session::{Reading as Dlt698Reading, Record as Dlt698Record};

/// A phase of a three-phase quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    L1,
    L2,
    L3,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::L1 => "L1",
            Phase::L2 => "L2",
            Phase::L3 => "L3",
        }
    }
}

/// A part of a day-freeze record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FreezePart {
    /// When the freeze was taken.
    Time,
    /// Forward (import) active energy, total.
    Import,
    /// Reverse (export) active energy, total.
    Export,
}

/// What one point gives of its quantity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// The value itself.
    Whole,
    /// The value of one phase.
    Phase(Phase),
    /// The date of a clock read as date and time apart.
    Date,
    /// The time of a clock read as date and time apart.
    Time,
    /// One tariff register; the quantity is their sum (a telegram without a total).
    Tariff,
    /// A field of the latest day freeze.
    Freeze(FreezePart),
}

impl Part {
    /// The element a value of this part is reported as (`L1`, `time`), none for the whole.
    pub fn element(self) -> Option<&'static str> {
        match self {
            Part::Phase(p) => Some(p.name()),
            Part::Freeze(FreezePart::Time) => Some("time"),
            Part::Freeze(FreezePart::Import) => Some("active-energy-import"),
            Part::Freeze(FreezePart::Export) => Some("active-energy-export"),
            Part::Whole | Part::Date | Part::Time | Part::Tariff => None,
        }
    }
}

/// Items in first-asked order, each once.
pub fn unique<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// A DL/T 645 data identifier and the item of its data (1 the first; a
/// block's items in order: total, tariff 1, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Di {
    pub di: u32,
    pub item: u8,
    pub part: Part,
}

/// A DL/T 698.45 attribute: the OAD read, the element of its value (1 the
/// first; 0 the value itself), and for a record object the column read from
/// its latest record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Oad {
    pub oad: u32,
    pub element: u8,
    /// A record object (5004 day freeze): the column OAD of its latest record.
    pub column: Option<u32>,
    pub part: Part,
}

/// A COSEM attribute: interface class, OBIS code (A–F), attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cosem {
    pub class: u16,
    pub obis: [u8; 6],
    pub attribute: i8,
    pub part: Part,
}

/// A data set of an IEC 62056-21 readout or a DSMR telegram, by its code as
/// written (`1.8.0`, `1-0:32.7.0`); compared as OBIS codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub code: &'static str,
    pub part: Part,
}

/// The kind of value a quantity has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A number in the quantity's unit.
    Number,
    /// A civil date-time (ISO 8601, the meter's local time).
    DateTime,
    /// Fields of a record (a day freeze), each with its own unit.
    Record,
}

/// A protocol family the table maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Dlt645,
    Dlt645v1997,
    Dlt698,
    Dlms,
    Iec62056,
    Dsmr,
}

impl Family {
    pub const ALL: [Family; 6] =
        [Family::Dlt645, Family::Dlt645v1997, Family::Dlt698, Family::Dlms, Family::Iec62056, Family::Dsmr];

    pub fn name(self) -> &'static str {
        match self {
            Family::Dlt645 => "DL/T 645-2007",
            Family::Dlt645v1997 => "DL/T 645-1997",
            Family::Dlt698 => "DL/T 698.45",
            Family::Dlms => "DLMS/COSEM",
            Family::Iec62056 => "IEC 62056-21",
            Family::Dsmr => "DSMR P1",
        }
    }
}

/// One named quantity and what it is in every family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    /// Kebab-case name (`active-energy-import`).
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub kind: Kind,
    /// The unit values are given in (empty: none, or per field for a record).
    pub unit: &'static str,
    pub dlt645: &'static [Di],
    pub dlt645_1997: &'static [Di],
    pub dlt698: &'static [Oad],
    pub dlms: &'static [Cosem],
    pub iec62056: &'static [Code],
    pub dsmr: &'static [Code],
}

impl Quantity {
    /// The quantity's name for people in `lang`.
    pub fn title(&self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.zh)
    }

    /// Whether `family` has this quantity.
    pub fn in_family(&self, family: Family) -> bool {
        match family {
            Family::Dlt645 => !self.dlt645.is_empty(),
            Family::Dlt645v1997 => !self.dlt645_1997.is_empty(),
            Family::Dlt698 => !self.dlt698.is_empty(),
            Family::Dlms => !self.dlms.is_empty(),
            Family::Iec62056 => !self.iec62056.is_empty(),
            Family::Dsmr => !self.dsmr.is_empty(),
        }
    }

    /// The parts of the family's points, in order.
    pub fn parts(&self, family: Family) -> Vec<Part> {
        match family {
            Family::Dlt645 => self.dlt645.iter().map(|p| p.part).collect(),
            Family::Dlt645v1997 => self.dlt645_1997.iter().map(|p| p.part).collect(),
            Family::Dlt698 => self.dlt698.iter().map(|p| p.part).collect(),
            Family::Dlms => self.dlms.iter().map(|p| p.part).collect(),
            Family::Iec62056 => self.iec62056.iter().map(|p| p.part).collect(),
            Family::Dsmr => self.dsmr.iter().map(|p| p.part).collect(),
        }
    }

    /// The identifiers of the family's points as written in that family
    /// (`00010000`, `00100200`, `1-0:1.8.0*255:2`, `1.8.0`), for messages.
    pub fn sources(&self, family: Family) -> Vec<String> {
        match family {
            Family::Dlt645 => self.dlt645.iter().map(|d| format!("{:08X}", d.di)).collect(),
            Family::Dlt645v1997 => self.dlt645_1997.iter().map(|d| format!("{:04X}", d.di)).collect(),
            Family::Dlt698 => self
                .dlt698
                .iter()
                .map(|o| match o.column {
                    Some(c) => format!("{:08X}/{c:08X}", o.oad),
                    None => format!("{:08X}", o.oad),
                })
                .collect(),
            Family::Dlms => self
                .dlms
                .iter()
                .map(|c| format!("{}/{}:{}", c.class, crate::obis::canonical(c.obis), c.attribute))
                .collect(),
            Family::Iec62056 => self.iec62056.iter().map(|c| c.code.to_string()).collect(),
            Family::Dsmr => self.dsmr.iter().map(|c| c.code.to_string()).collect(),
        }
    }
}

const fn di(di: u32, part: Part) -> Di {
    Di { di, item: 1, part }
}
const fn oad(oad: u32, element: u8, part: Part) -> Oad {
    Oad { oad, element, column: None, part }
}
const fn freeze(column: u32, element: u8, part: FreezePart) -> Oad {
    Oad { oad: 0x5004_0200, element, column: Some(column), part: Part::Freeze(part) }
}
const fn register(c: u8, d: u8, part: Part) -> Cosem {
    Cosem { class: 3, obis: [1, 0, c, d, 0, 255], attribute: 2, part }
}
const fn code(code: &'static str, part: Part) -> Code {
    Code { code, part }
}

const W: Part = Part::Whole;
const L1: Part = Part::Phase(Phase::L1);
const L2: Part = Part::Phase(Phase::L2);
const L3: Part = Part::Phase(Phase::L3);

/// The table. DL/T 645-2007 Appendix A (A.1 energy, A.3 variables, A.5
/// parameters, A.6 freezes), DL/T 645-1997 Appendix A, DL/T 698.45 appendix
/// object lists (energy 0010–0040, variables 2000–200F, 4000 date-time, 5004
/// day freeze with 2021 its freeze time), IEC 62056-6-1 OBIS codes, and the
/// P1 companion standard (DSMR 5) for telegrams.
static QUANTITIES: &[Quantity] = &[
    Quantity {
        name: "active-energy-import",
        en: "Active energy import (forward), total",
        zh: "正向有功总电能",
        kind: Kind::Number,
        unit: "kWh",
        dlt645: &[di(0x0001_0000, W)],
        dlt645_1997: &[di(0x9010, W)],
        dlt698: &[oad(0x0010_0200, 1, W)],
        dlms: &[register(1, 8, W)],
        iec62056: &[code("1.8.0", W)],
        dsmr: &[code("1-0:1.8.1", Part::Tariff), code("1-0:1.8.2", Part::Tariff)],
    },
    Quantity {
        name: "active-energy-export",
        en: "Active energy export (reverse), total",
        zh: "反向有功总电能",
        kind: Kind::Number,
        unit: "kWh",
        dlt645: &[di(0x0002_0000, W)],
        dlt645_1997: &[di(0x9020, W)],
        dlt698: &[oad(0x0020_0200, 1, W)],
        dlms: &[register(2, 8, W)],
        iec62056: &[code("2.8.0", W)],
        dsmr: &[code("1-0:2.8.1", Part::Tariff), code("1-0:2.8.2", Part::Tariff)],
    },
    Quantity {
        name: "reactive-energy-import",
        en: "Reactive energy import (combined reactive 1), total",
        zh: "组合无功1总电能",
        kind: Kind::Number,
        unit: "kvarh",
        dlt645: &[di(0x0003_0000, W)],
        dlt645_1997: &[di(0x9110, W)],
        dlt698: &[oad(0x0030_0200, 1, W)],
        dlms: &[register(3, 8, W)],
        iec62056: &[code("3.8.0", W)],
        dsmr: &[],
    },
    Quantity {
        name: "reactive-energy-export",
        en: "Reactive energy export (combined reactive 2), total",
        zh: "组合无功2总电能",
        kind: Kind::Number,
        unit: "kvarh",
        dlt645: &[di(0x0004_0000, W)],
        dlt645_1997: &[di(0x9120, W)],
        dlt698: &[oad(0x0040_0200, 1, W)],
        dlms: &[register(4, 8, W)],
        iec62056: &[code("4.8.0", W)],
        dsmr: &[],
    },
    Quantity {
        name: "voltage",
        en: "Phase voltages",
        zh: "相电压",
        kind: Kind::Number,
        unit: "V",
        dlt645: &[di(0x0201_0100, L1), di(0x0201_0200, L2), di(0x0201_0300, L3)],
        dlt645_1997: &[di(0xB611, L1), di(0xB612, L2), di(0xB613, L3)],
        dlt698: &[oad(0x2000_0200, 1, L1), oad(0x2000_0200, 2, L2), oad(0x2000_0200, 3, L3)],
        dlms: &[register(32, 7, L1), register(52, 7, L2), register(72, 7, L3)],
        iec62056: &[code("32.7.0", L1), code("52.7.0", L2), code("72.7.0", L3)],
        dsmr: &[code("1-0:32.7.0", L1), code("1-0:52.7.0", L2), code("1-0:72.7.0", L3)],
    },
    Quantity {
        name: "current",
        en: "Phase currents",
        zh: "相电流",
        kind: Kind::Number,
        unit: "A",
        dlt645: &[di(0x0202_0100, L1), di(0x0202_0200, L2), di(0x0202_0300, L3)],
        dlt645_1997: &[di(0xB621, L1), di(0xB622, L2), di(0xB623, L3)],
        dlt698: &[oad(0x2001_0200, 1, L1), oad(0x2001_0200, 2, L2), oad(0x2001_0200, 3, L3)],
        dlms: &[register(31, 7, L1), register(51, 7, L2), register(71, 7, L3)],
        iec62056: &[code("31.7.0", L1), code("51.7.0", L2), code("71.7.0", L3)],
        dsmr: &[code("1-0:31.7.0", L1), code("1-0:51.7.0", L2), code("1-0:71.7.0", L3)],
    },
    Quantity {
        name: "active-power",
        en: "Active power, total",
        zh: "总有功功率",
        kind: Kind::Number,
        unit: "kW",
        dlt645: &[di(0x0203_0000, W)],
        dlt645_1997: &[di(0xB630, W)],
        dlt698: &[oad(0x2004_0200, 1, W)],
        dlms: &[register(1, 7, W)],
        iec62056: &[code("1.7.0", W)],
        dsmr: &[code("1-0:1.7.0", W)],
    },
    Quantity {
        name: "reactive-power",
        en: "Reactive power, total",
        zh: "总无功功率",
        kind: Kind::Number,
        unit: "kvar",
        dlt645: &[di(0x0204_0000, W)],
        dlt645_1997: &[di(0xB640, W)],
        dlt698: &[oad(0x2005_0200, 1, W)],
        dlms: &[register(3, 7, W)],
        iec62056: &[code("3.7.0", W)],
        dsmr: &[],
    },
    Quantity {
        name: "power-factor",
        en: "Power factor, total",
        zh: "总功率因数",
        kind: Kind::Number,
        unit: "",
        dlt645: &[di(0x0206_0000, W)],
        dlt645_1997: &[di(0xB650, W)],
        dlt698: &[oad(0x200A_0200, 1, W)],
        dlms: &[register(13, 7, W)],
        iec62056: &[code("13.7.0", W)],
        dsmr: &[],
    },
    Quantity {
        name: "frequency",
        en: "Grid frequency",
        zh: "电网频率",
        kind: Kind::Number,
        unit: "Hz",
        dlt645: &[di(0x0280_0002, W)],
        dlt645_1997: &[],
        dlt698: &[oad(0x200F_0200, 0, W)],
        dlms: &[register(14, 7, W)],
        iec62056: &[code("14.7.0", W)],
        dsmr: &[],
    },
    Quantity {
        name: "clock",
        en: "Meter date and time",
        zh: "电能表日期时间",
        kind: Kind::DateTime,
        unit: "",
        dlt645: &[di(0x0400_0101, Part::Date), di(0x0400_0102, Part::Time)],
        dlt645_1997: &[di(0xC010, Part::Date), di(0xC011, Part::Time)],
        dlt698: &[oad(0x4000_0200, 0, W)],
        dlms: &[Cosem { class: 8, obis: [0, 0, 1, 0, 0, 255], attribute: 2, part: W }],
        iec62056: &[code("0.9.2", Part::Date), code("0.9.1", Part::Time)],
        dsmr: &[code("0-0:1.0.0", W)],
    },
    Quantity {
        name: "daily-freezes",
        en: "Latest day freeze: time, active energy import and export",
        zh: "上一次日冻结：冻结时间、正反向有功总电能",
        kind: Kind::Record,
        unit: "",
        dlt645: &[
            di(0x0506_0001, Part::Freeze(FreezePart::Time)),
            di(0x0506_0101, Part::Freeze(FreezePart::Import)),
            di(0x0506_0201, Part::Freeze(FreezePart::Export)),
        ],
        dlt645_1997: &[],
        dlt698: &[
            freeze(0x2021_0200, 0, FreezePart::Time),
            freeze(0x0010_0200, 1, FreezePart::Import),
            freeze(0x0020_0200, 1, FreezePart::Export),
        ],
        dlms: &[],
        iec62056: &[],
        dsmr: &[],
    },
];

/// Every quantity, in the table's order.
pub fn all() -> &'static [Quantity] {
    QUANTITIES
}

/// Every quantity's name, in the table's order.
pub fn names() -> impl Iterator<Item = &'static str> {
    QUANTITIES.iter().map(|q| q.name)
}

/// A name as typed, made kebab-case: `Active_Energy_Import` is `active-energy-import`.
fn normalise_name(name: &str) -> String {
    name.trim().chars().map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() }).collect()
}

/// The quantity named `name` (kebab-case; case and `_` forgiven).
pub fn by_name(name: &str) -> Result<&'static Quantity, UnknownQuantity> {
    let wanted = normalise_name(name);
    QUANTITIES
        .iter()
        .find(|q| q.name == wanted)
        .ok_or_else(|| UnknownQuantity { name: name.to_string(), close: close_names(&wanted) })
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The names close to a mistyped one: a few edits away, or sharing a word
/// of at least three letters (`energy` finds the four energies); those
/// sharing most words first, then the fewest edits away, then in the table's order.
fn close_names(wanted: &str) -> Vec<&'static str> {
    let limit = (wanted.chars().count() / 3).max(2);
    let words: Vec<&str> = wanted.split('-').filter(|w| w.len() >= 3).collect();
    let mut found: Vec<(core::cmp::Reverse<usize>, usize, usize)> = QUANTITIES
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let d = distance(wanted, q.name);
            let shared = q.name.split('-').filter(|n| words.iter().any(|w| alike(n, w))).count();
            (d <= limit || shared > 0).then_some((core::cmp::Reverse(shared), d, i))
        })
        .collect();
    found.sort();
    found.into_iter().filter_map(|(_, _, i)| QUANTITIES.get(i).map(|q| q.name)).collect()
}

/// Two words alike: one starts the other, or they share their first four
/// letters (`volts` and `voltage`, `freq` and `frequency`).
fn alike(a: &str, b: &str) -> bool {
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    a.starts_with(b) || b.starts_with(a) || common >= 4
}

/// A name that is no quantity, with the names close to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownQuantity {
    /// The name as typed.
    pub name: String,
    /// Names close to it, closest first (may be empty).
    pub close: Vec<&'static str>,
}

impl UnknownQuantity {
    /// The message in `lang`: the close names, or every name when none is close.
    pub fn text(&self, lang: Lang) -> String {
        let n = &self.name;
        let all: Vec<&str> = names().collect();
        match (lang, self.close.is_empty()) {
            (Lang::En, false) => format!("unknown quantity '{n}'; did you mean {}?", self.close.join(", ")),
            (Lang::En, true) => format!("unknown quantity '{n}'; the quantities are {}", all.join(", ")),
            (Lang::Zh, false) => format!("未知的量“{n}”；是否要找：{}？", self.close.join("、")),
            (Lang::Zh, true) => format!("未知的量“{n}”；可用的量：{}", all.join("、")),
        }
    }

    /// The message in `lang` as something to format.
    pub fn display(&self, lang: Lang) -> impl fmt::Display + '_ {
        Localised(self, lang)
    }
}

struct Localised<'a>(&'a UnknownQuantity, Lang);

impl fmt::Display for Localised<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text(self.1))
    }
}

/// In English; [`UnknownQuantity::display`] for another language.
impl fmt::Display for UnknownQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for UnknownQuantity {}

/// What a session read for one point: its part, the value as the session
/// wrote it (`230.1`, `006872.455`, `2024-05-17 W5`) and its unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub part: Part,
    pub value: String,
    pub unit: String,
}

/// One value of a quantity, ready to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// `L1`, `time`…; none for the quantity's one value.
    pub element: Option<&'static str>,
    /// A decimal number without leading zeros (`6872.455`), an ISO 8601
    /// date-time (`2024-05-17T10:30:00`), or the text read when it is neither.
    pub value: String,
    /// Whether `value` is a decimal number.
    pub numeric: bool,
    pub unit: String,
}

/// The values of `q` from the pieces read for its points, in the table's
/// order: numbers in the quantity's unit (W as kW, Wh as kWh, var as kvar),
/// a clock read in halves joined, tariff registers summed, date-times in
/// ISO 8601. A piece that cannot be converted is kept as read, with its unit.
pub fn assemble(q: &Quantity, pieces: &[Piece]) -> Vec<Value> {
    let mut out = Vec::new();
    let date = pieces.iter().find(|p| p.part == Part::Date);
    let time = pieces.iter().find(|p| p.part == Part::Time);
    if let (Some(d), Some(t)) = (date, time) {
        out.push(match join_date_time(&d.value, &t.value) {
            Some(iso) => Value { element: None, value: iso, numeric: false, unit: String::new() },
            None => {
                Value { element: None, value: format!("{} {}", d.value, t.value), numeric: false, unit: String::new() }
            }
        });
    }
    let tariffs: Vec<&Piece> = pieces.iter().filter(|p| p.part == Part::Tariff).collect();
    if !tariffs.is_empty() {
        let converted: Option<Vec<String>> = tariffs.iter().map(|p| convert(&p.value, &p.unit, q.unit)).collect();
        if let Some(sum) = converted.and_then(|v| sum_decimals(&v)) {
            out.push(Value { element: None, value: sum, numeric: true, unit: q.unit.to_string() });
        } else {
            out.extend(tariffs.iter().map(|p| as_read(p, None)));
        }
    }
    for p in pieces.iter().filter(|p| !matches!(p.part, Part::Date | Part::Time | Part::Tariff)) {
        let element = p.part.element();
        let (kind, unit) = match p.part {
            Part::Freeze(FreezePart::Time) => (Kind::DateTime, ""),
            Part::Freeze(_) => (Kind::Number, "kWh"),
            _ => (q.kind, q.unit),
        };
        let value = match kind {
            Kind::DateTime => {
                iso_date_time(&p.value).map(|iso| Value { element, value: iso, numeric: false, unit: String::new() })
            }
            _ => convert(&p.value, &p.unit, unit).map(|v| Value {
                element,
                value: v,
                numeric: true,
                unit: unit.to_string(),
            }),
        };
        out.push(value.unwrap_or_else(|| as_read(p, element)));
    }
    out
}

fn as_read(p: &Piece, element: Option<&'static str>) -> Value {
    match plain_decimal(&p.value) {
        Some(v) => Value { element, value: v, numeric: true, unit: p.unit.clone() },
        None => Value { element, value: p.value.clone(), numeric: false, unit: p.unit.clone() },
    }
}

/// A decimal number as written (`006872.455`, `-01.50`, `+5`), without
/// leading zeros: `6872.455`, `-1.50`, `5`. None when it is no plain decimal.
pub fn plain_decimal(text: &str) -> Option<String> {
    let t = text.trim();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !ok(int) || (int.is_empty() && frac.is_none_or(str::is_empty)) || !frac.is_none_or(|f| ok(f) && !f.is_empty()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    Some(match frac {
        Some(f) => format!("{sign}{int}.{f}"),
        None => format!("{sign}{int}"),
    })
}

/// Move the decimal point of a plain decimal `shift` places right (negative: left).
fn shift_decimal(plain: &str, shift: i32) -> String {
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut all: String = format!("{int}{frac}");
    let mut point = int.len() as i32 + shift;
    if point < 1 {
        all.insert_str(0, &"0".repeat((1 - point) as usize));
        point = 1;
    }
    if point as usize > all.len() {
        all.push_str(&"0".repeat(point as usize - all.len()));
    }
    let (i, f) = all.split_at(point as usize);
    let text = if f.is_empty() { format!("{sign}{i}") } else { format!("{sign}{i}.{f}") };
    plain_decimal(&text).unwrap_or(text)
}

/// A value in unit `from` in unit `to`: the same unit, or one a thousand
/// times larger or smaller (`W` and `kW`, `Wh` and `kWh`, `var` and `kvar`).
/// None when `value` is no number or the units do not convert.
pub fn convert(value: &str, from: &str, to: &str) -> Option<String> {
    let plain = plain_decimal(value)?;
    if from == to {
        return Some(plain);
    }
    let kilo = |u: &str| u.strip_prefix('k').map(str::to_string);
    if kilo(to).as_deref() == Some(from) {
        return Some(shift_decimal(&plain, -3));
    }
    if kilo(from).as_deref() == Some(to) {
        return Some(shift_decimal(&plain, 3));
    }
    None
}

/// The sum of plain decimals, with as many decimals as the longest.
fn sum_decimals(values: &[String]) -> Option<String> {
    let decimals = values.iter().map(|v| v.split_once('.').map_or(0, |(_, f)| f.len())).max()?;
    let mut total: i128 = 0;
    for v in values {
        let (int, frac) = v.split_once('.').unwrap_or((v, ""));
        let (neg, int) = match int.strip_prefix('-') {
            Some(i) => (true, i),
            None => (false, int),
        };
        let scaled: i128 = format!("{int}{frac:0<decimals$}").parse().ok()?;
        total += if neg { -scaled } else { scaled };
    }
    let (neg, abs) = (total < 0, total.unsigned_abs());
    let digits = format!("{abs:0>width$}", width = decimals + 1);
    let (i, f) = digits.split_at(digits.len() - decimals);
    let sign = if neg { "-" } else { "" };
    Some(if decimals == 0 { format!("{sign}{i}") } else { format!("{sign}{i}.{f}") })
}

fn two(s: &str) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// A date as `(year, month, day)` from `YYYY-MM-DD…` or six digits `YYMMDD`.
fn date_of(text: &str) -> Option<(u32, u32, u32)> {
    let t = text.trim();
    let (y, m, d) = if t.len() >= 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        (t.get(0..4)?.parse().ok()?, two(t.get(5..7)?)?, two(t.get(8..10)?)?)
    } else if t.len() >= 6 && t.bytes().take(6).all(|b| b.is_ascii_digit()) {
        (2000 + two(t.get(0..2)?)?, two(t.get(2..4)?)?, two(t.get(4..6)?)?)
    } else {
        return None;
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// A time as `(hour, minute, second)` from `hh:mm[:ss]` or six digits `hhmmss`.
fn time_of(text: &str) -> Option<(u32, u32, u32)> {
    let t = text.trim();
    let (h, m, s) = if t.len() >= 5 && t.as_bytes()[2] == b':' {
        let s = if t.len() >= 8 && t.as_bytes()[5] == b':' { two(t.get(6..8)?)? } else { 0 };
        (two(t.get(0..2)?)?, two(t.get(3..5)?)?, s)
    } else if t.len() >= 6 && t.bytes().take(6).all(|b| b.is_ascii_digit()) {
        (two(t.get(0..2)?)?, two(t.get(2..4)?)?, two(t.get(4..6)?)?)
    } else {
        return None;
    };
    (h < 24 && m < 60 && s < 60).then_some((h, m, s))
}

fn iso((y, mo, d): (u32, u32, u32), (h, mi, s): (u32, u32, u32)) -> String {
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
}

/// A date and a time read apart (`2024-05-17 W5` and `10:30:00`, `240517`
/// and `103000`) as one ISO 8601 date-time.
pub fn join_date_time(date: &str, time: &str) -> Option<String> {
    Some(iso(date_of(date)?, time_of(time)?))
}

/// A date-time as the sessions write it (`2024-05-17 10:30:00`,
/// `2024-05-17 00:00`, a DSMR `240517103000S`) in ISO 8601
/// (`2024-05-17T10:30:00`, the meter's local time).
pub fn iso_date_time(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some((d, rest)) = t.split_once([' ', 'T']) {
        return Some(iso(date_of(d)?, time_of(rest.split_whitespace().next()?)?));
    }
    // YYMMDDhhmmss with an optional DST flag (S summer, W winter).
    let digits = t.strip_suffix(['S', 'W']).unwrap_or(t);
    if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(iso(date_of(&digits[..6])?, time_of(&digits[6..])?));
    }
    None
}

/// A read of named quantities in one family: the points to read, what came
/// back for each (a value or why not), and the quantities' values made from
/// them. Every surface that reads quantities (the CLI, the reader page)
/// queues the points on its session and hands this the session's answers.
#[derive(Clone, Debug)]
pub struct Reads {
    family: Family,
    quantities: Vec<&'static Quantity>,
    /// Per quantity, per point: what was read, or why not.
    got: Vec<Vec<Option<Result<Got, String>>>>,
}

#[derive(Clone, Debug)]
struct Got {
    piece: Piece,
    source: String,
    at: String,
}

/// One line of a read's outcome: a value of a quantity, or a point that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub quantity: &'static Quantity,
    /// The value, or why a point could not be read.
    pub result: Result<Value, String>,
    /// The identifier it came from (`02010100`, several joined with `+`).
    pub source: String,
    /// When the value arrived, as the caller gave it (empty for a failure).
    pub at: String,
}

/// A point of a quantity: the quantity's index in the read, the point's index
/// in the family's list, and the point.
pub type Slot<P> = (usize, usize, P);

impl Reads {
    pub fn new(family: Family, quantities: Vec<&'static Quantity>) -> Reads {
        let got = quantities.iter().map(|q| vec![None; q.parts(family).len()]).collect();
        Reads { family, quantities, got }
    }

    pub fn family(&self) -> Family {
        self.family
    }

    pub fn quantities(&self) -> &[&'static Quantity] {
        &self.quantities
    }

    fn slots<P: Copy + 'static>(&self, list: impl Fn(&Quantity) -> &'static [P]) -> Vec<Slot<P>> {
        let mut out = Vec::new();
        for (q, quantity) in self.quantities.iter().enumerate() {
            out.extend(list(quantity).iter().enumerate().map(|(i, p)| (q, i, *p)));
        }
        out
    }

    /// The DL/T 645 points (of the 2007 or the 1997 edition, by the family).
    pub fn dlt645_points(&self) -> Vec<Slot<Di>> {
        if self.family == Family::Dlt645v1997 { self.slots(|q| q.dlt645_1997) } else { self.slots(|q| q.dlt645) }
    }

    pub fn dlt698_points(&self) -> Vec<Slot<Oad>> {
        self.slots(|q| q.dlt698)
    }

    pub fn dlms_points(&self) -> Vec<Slot<Cosem>> {
        self.slots(|q| q.dlms)
    }

    /// The IEC 62056-21 or DSMR codes (by the family).
    pub fn code_points(&self) -> Vec<Slot<Code>> {
        if self.family == Family::Dsmr { self.slots(|q| q.dsmr) } else { self.slots(|q| q.iec62056) }
    }

    /// A value read for point `point` of quantity `q`, as the session wrote
    /// it, the identifier it came from and when it arrived (any text the
    /// caller chooses: the core has no clock).
    #[allow(clippy::too_many_arguments)]
    pub fn piece(&mut self, q: usize, point: usize, part: Part, value: &str, unit: &str, source: &str, at: &str) {
        if let Some(slot) = self.got.get_mut(q).and_then(|g| g.get_mut(point)) {
            let piece = Piece { part, value: value.to_string(), unit: unit.to_string() };
            *slot = Some(Ok(Got { piece, source: source.to_string(), at: at.to_string() }));
        }
    }

    /// Point `point` of quantity `q` failed (a value already read stays).
    pub fn error(&mut self, q: usize, point: usize, text: &str) {
        if let Some(slot) = self.got.get_mut(q).and_then(|g| g.get_mut(point))
            && slot.is_none()
        {
            *slot = Some(Err(text.to_string()));
        }
    }

    /// Every point that has nothing yet failed with `text` (no association, not in the readout).
    pub fn fail_rest(&mut self, text: &str) {
        for g in &mut self.got {
            for slot in g.iter_mut().filter(|s| s.is_none()) {
                *slot = Some(Err(text.to_string()));
            }
        }
    }

    /// The DL/T 645 identifiers to read, each once, in the order asked.
    pub fn dlt645_dis(&self) -> Vec<u32> {
        unique(self.dlt645_points().iter().map(|p| p.2.di))
    }

    /// A DL/T 645 session's value for `di` (its items as the session wrote
    /// them); false when no point asked for it.
    pub fn take_dlt645(&mut self, di: u32, items: &[Dlt645Item], at: &str) -> bool {
        let source = if self.family == Family::Dlt645v1997 { format!("{di:04X}") } else { format!("{di:08X}") };
        let points: Vec<Slot<Di>> = self.dlt645_points().into_iter().filter(|p| p.2.di == di).collect();
        for &(q, i, p) in &points {
            match items.get(usize::from(p.item.max(1)) - 1) {
                Some(it) => self.piece(q, i, p.part, &it.value, &it.unit, &source, at),
                None => self.error(q, i, "the reply has no such item"),
            }
        }
        !points.is_empty()
    }

    /// A DL/T 645 failure: of one identifier, or (none) of the whole read.
    pub fn fail_dlt645(&mut self, di: Option<u32>, text: &str) {
        match di {
            Some(di) => {
                for (q, i, _) in self.dlt645_points().into_iter().filter(|p| p.2.di == di) {
                    self.error(q, i, text);
                }
            }
            None => self.fail_rest(text),
        }
    }

    /// The DL/T 698.45 OADs to GET, each once, and the record objects to read
    /// (their latest record) with their columns.
    pub fn dlt698_targets(&self) -> (Vec<u32>, Vec<(u32, Vec<u32>)>) {
        let points = self.dlt698_points();
        let oads = unique(points.iter().filter(|p| p.2.column.is_none()).map(|p| p.2.oad));
        let records = unique(points.iter().filter(|p| p.2.column.is_some()).map(|p| p.2.oad))
            .into_iter()
            .map(|r| (r, unique(points.iter().filter(|p| p.2.oad == r).filter_map(|p| p.2.column))))
            .collect();
        (oads, records)
    }

    /// A DL/T 698.45 GET result; false when no point asked for it.
    pub fn take_dlt698(&mut self, r: &Dlt698Reading, at: &str) -> bool {
        let points: Vec<Slot<Oad>> =
            self.dlt698_points().into_iter().filter(|p| p.2.oad == r.oad && p.2.column.is_none()).collect();
        for &(q, i, p) in &points {
            match r.items.get(usize::from(p.element.max(1)) - 1) {
                Some(it) => self.piece(q, i, p.part, &it.value, &it.unit, &r.canonical, at),
                None => self.error(q, i, "the reply has no such element"),
            }
        }
        !points.is_empty()
    }

    /// A DL/T 698.45 record read (the latest record first); false when no point asked for it.
    pub fn take_dlt698_record(&mut self, r: &Dlt698Record, at: &str) -> bool {
        let points: Vec<Slot<Oad>> =
            self.dlt698_points().into_iter().filter(|p| p.2.oad == r.oad && p.2.column.is_some()).collect();
        let latest = r.rows.first();
        for &(q, i, p) in &points {
            let Some(column) = p.column else { continue };
            // The items of a record are labelled with their column's OAD first.
            let prefix = format!("{column:08X}");
            let item = latest.and_then(|row| {
                row.iter().filter(|it| it.label.starts_with(&prefix)).nth(usize::from(p.element.max(1)) - 1)
            });
            match item {
                Some(it) => self.piece(q, i, p.part, &it.value, &it.unit, &format!("{}/{prefix}", r.canonical), at),
                None => self.error(q, i, "the latest record has no such column"),
            }
        }
        !points.is_empty()
    }

    /// A DL/T 698.45 failure: of one OAD, or (none) of the whole read.
    pub fn fail_dlt698(&mut self, oad: Option<u32>, text: &str) {
        match oad {
            Some(o) => {
                for (q, i, _) in self.dlt698_points().into_iter().filter(|p| p.2.oad == o) {
                    self.error(q, i, text);
                }
            }
            None => self.fail_rest(text),
        }
    }

    /// The COSEM attributes to GET, each once.
    pub fn dlms_attrs(&self) -> Vec<AttrRef> {
        unique(self.dlms_points().iter().map(|p| AttrRef::new(p.2.class, p.2.obis, p.2.attribute)))
    }

    /// A DLMS value of `attr` (text and unit as the session wrote them); false when no point asked for it.
    pub fn take_dlms(&mut self, attr: &AttrRef, text: &str, unit: &str, at: &str) -> bool {
        let source = format!("{}:{}", crate::obis::canonical(attr.obis), attr.index);
        let points: Vec<Slot<Cosem>> =
            self.dlms_points().into_iter().filter(|p| p.2.obis == attr.obis && p.2.attribute == attr.index).collect();
        for &(q, i, p) in &points {
            self.piece(q, i, p.part, text, unit, &source, at);
        }
        !points.is_empty()
    }

    /// A DLMS failure: of one attribute, or (none) of the whole read (the association).
    pub fn fail_dlms(&mut self, attr: Option<&AttrRef>, text: &str) {
        match attr {
            Some(a) => {
                let points = self.dlms_points();
                for &(q, i, _) in points.iter().filter(|p| p.2.obis == a.obis && p.2.attribute == a.index) {
                    self.error(q, i, text);
                }
            }
            None => self.fail_rest(text),
        }
    }

    /// The IEC 62056-21 or DSMR codes, each once (registers to read in programming mode).
    pub fn codes(&self) -> Vec<&'static str> {
        unique(self.code_points().iter().map(|p| p.2.code))
    }

    /// A data set of a readout or telegram (`1.8.0`, `1-0:32.7.0`) with its
    /// first value; compared as OBIS codes. False when no point asked for it.
    pub fn take_code(&mut self, address: &str, value: &str, unit: &str, at: &str) -> bool {
        let Some(code) = crate::obis::parse(address) else { return false };
        let points: Vec<Slot<Code>> =
            self.code_points().into_iter().filter(|p| crate::obis::parse(p.2.code) == Some(code)).collect();
        for &(q, i, p) in &points {
            self.piece(q, i, p.part, value, unit, address, at);
        }
        !points.is_empty()
    }

    /// A register that could not be read (programming mode).
    pub fn fail_code(&mut self, address: &str, text: &str) {
        let Some(code) = crate::obis::parse(address) else { return };
        let points = self.code_points();
        for &(q, i, _) in points.iter().filter(|p| crate::obis::parse(p.2.code) == Some(code)) {
            self.error(q, i, text);
        }
    }

    /// Whether every point has a value.
    pub fn complete(&self) -> bool {
        self.got.iter().flatten().all(|s| matches!(s, Some(Ok(_))))
    }

    /// Per quantity in the order asked: its values (see [`assemble`]), then
    /// its points that failed (a point never answered: "not read").
    pub fn outcomes(&self) -> Vec<Outcome> {
        let mut out = Vec::new();
        for (quantity, got) in self.quantities.iter().zip(&self.got) {
            let sources = quantity.sources(self.family);
            let parts = quantity.parts(self.family);
            let mut pieces = Vec::new();
            let mut from: Vec<&str> = Vec::new();
            let mut at = "";
            let mut failures = Vec::new();
            for (i, slot) in got.iter().enumerate() {
                match slot {
                    Some(Ok(g)) => {
                        pieces.push(g.piece.clone());
                        at = &g.at;
                        if !from.contains(&g.source.as_str()) {
                            from.push(&g.source);
                        }
                    }
                    other => {
                        let why = match other {
                            Some(Err(e)) => e.clone(),
                            _ => "not read".to_string(),
                        };
                        let source = sources.get(i).cloned().unwrap_or_default();
                        failures.push(Outcome { quantity, result: Err(why), source, at: String::new() });
                    }
                }
            }
            for v in assemble(quantity, &pieces) {
                // A phase or field: its own point; the whole: every identifier read for it.
                let own = v.element.and_then(|e| parts.iter().position(|p| p.element() == Some(e)));
                let source = match own {
                    Some(i) => sources.get(i).cloned().unwrap_or_default(),
                    None => from.join("+"),
                };
                out.push(Outcome { quantity, result: Ok(v), source, at: at.to_string() });
            }
            out.extend(failures);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocols::dlt645::dictionary;

    #[test]
    fn names_are_kebab_case_unique_and_bilingual() {
        let mut seen = std::collections::HashSet::new();
        for q in all() {
            assert!(q.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", q.name);
            assert!(!q.name.starts_with('-') && !q.name.ends_with('-') && !q.name.contains("--"));
            assert!(seen.insert(q.name), "{} twice", q.name);
            assert!(!q.en.is_empty());
            assert!(q.zh.chars().any(|c| c as u32 > 0x2E80), "{}: {}", q.name, q.zh);
        }
        for name in [
            "active-energy-import",
            "active-energy-export",
            "reactive-energy-import",
            "reactive-energy-export",
            "voltage",
            "current",
            "active-power",
            "reactive-power",
            "power-factor",
            "frequency",
            "clock",
            "daily-freezes",
        ] {
            assert_eq!(by_name(name).map(|q| q.name), Ok(name));
        }
        assert_eq!(names().count(), all().len());
    }

    /// Every DL/T 645 identifier is one the dictionaries name, with the
    /// quantity's unit where it has one.
    #[test]
    fn dlt645_points_are_in_the_dictionaries() {
        for q in all() {
            for p in q.dlt645 {
                let info = dictionary::lookup(p.di).unwrap_or_else(|| panic!("{}: {:08X}", q.name, p.di));
                if q.kind == Kind::Number && !q.unit.is_empty() {
                    assert_eq!(info.unit(), q.unit, "{}: {:08X}", q.name, p.di);
                }
            }
            for p in q.dlt645_1997 {
                let info = dictionary::lookup_1997(p.di as u16).unwrap_or_else(|| panic!("{}: {:04X}", q.name, p.di));
                if q.kind == Kind::Number && !q.unit.is_empty() {
                    assert_eq!(info.unit(), q.unit, "{}: {:04X}", q.name, p.di);
                }
            }
        }
        let name = |di| dictionary::lookup(di).map(|i| i.en.to_string()).unwrap_or_default();
        assert_eq!(name(0x0001_0000), "Forward active energy, total, current");
        assert_eq!(name(0x0280_0002), "Grid frequency");
        assert!(name(0x0506_0101).contains("Daily freeze"), "{}", name(0x0506_0101));
    }

    /// The DL/T 645-2007 points and the DL/T 698.45 points are the same
    /// quantities (the project's equivalence of the two standards).
    #[test]
    fn dlt645_and_dlt698_points_agree() {
        use crate::protocols::dlt645::equivalents::oad_2007;
        for q in all() {
            for (p645, p698) in q.dlt645.iter().zip(q.dlt698) {
                let Some(oad) = oad_2007(p645.di) else { continue };
                let element = (oad & 0xFF) as u8;
                assert_eq!(oad & !0xFF, p698.oad, "{}: {:08X}", q.name, p645.di);
                assert_eq!(element, p698.element, "{}: {:08X}", q.name, p645.di);
            }
        }
        // Those with a counterpart in the equivalence table: all the numbers and the clock.
        assert_eq!(oad_2007(0x0201_0300), Some(0x2000_0203));
        assert_eq!(oad_2007(0x0400_0101), Some(0x4000_0200));
    }

    #[test]
    fn dlt698_objects_are_named() {
        use crate::protocols::dlt698::dictionary::object_name;
        for q in all() {
            for p in q.dlt698 {
                let oi = (p.oad >> 16) as u16;
                assert!(object_name(oi, Lang::En).is_some(), "{}: {:08X}", q.name, p.oad);
                if let Some(c) = p.column {
                    assert!(object_name((c >> 16) as u16, Lang::Zh).is_some(), "{c:08X}");
                }
            }
        }
        assert_eq!(object_name(0x200F, Lang::Zh).as_deref(), Some("电网频率"));
        assert_eq!(object_name(0x5004, Lang::En).as_deref(), Some("day freeze"));
    }

    /// Every OBIS code, and every readout or telegram code, is named by the
    /// OBIS module, and the phases are L1, L2, L3 in that order.
    #[test]
    fn obis_codes_are_named() {
        for q in all() {
            for p in q.dlms {
                assert!(crate::obis::describe(p.obis, Lang::En).is_some(), "{}", crate::obis::canonical(p.obis));
            }
            for p in q.iec62056.iter().chain(q.dsmr) {
                let code = crate::obis::parse(p.code).unwrap_or_else(|| panic!("{}", p.code));
                assert!(crate::obis::describe(code, Lang::En).is_some(), "{}", p.code);
            }
            // IEC 62056-21 and DLMS name the same objects.
            for (iec, dlms) in q.iec62056.iter().zip(q.dlms) {
                let code = crate::obis::parse(iec.code).unwrap_or_default();
                if q.kind == Kind::Number {
                    assert_eq!(code[2..5], dlms.obis[2..5], "{}", iec.code);
                }
            }
        }
        let describe = |code| crate::obis::describe(code, Lang::En).unwrap_or_default();
        assert_eq!(describe([1, 0, 52, 7, 0, 255]), "L2 voltage, instantaneous");
        assert_eq!(describe([1, 0, 71, 7, 0, 255]), "L3 current, instantaneous");
        assert_eq!(describe([1, 0, 14, 7, 0, 255]), "Supply frequency, instantaneous");
        let voltage = by_name("voltage").unwrap();
        let phases: Vec<Part> = voltage.dlms.iter().map(|p| p.part).collect();
        assert_eq!(phases, [L1, L2, L3]);
    }

    #[test]
    fn every_quantity_is_in_most_families() {
        for q in all() {
            let n = Family::ALL.iter().filter(|&&f| q.in_family(f)).count();
            assert!(n >= 2, "{}: {n}", q.name);
            assert!(q.in_family(Family::Dlt645), "{}", q.name);
        }
        let freezes = by_name("daily-freezes").unwrap();
        assert!(!freezes.in_family(Family::Dlms));
        assert_eq!(by_name("voltage").unwrap().sources(Family::Dlt645), ["02010100", "02010200", "02010300"]);
        assert_eq!(by_name("active-energy-import").unwrap().sources(Family::Dlms), ["3/1-0:1.8.0*255:2"]);
        assert_eq!(freezes.sources(Family::Dlt698)[0], "50040200/20210200");
    }

    #[test]
    fn unknown_names_suggest_close_ones() {
        assert_eq!(by_name("Active_Energy_Import").map(|q| q.name), Ok("active-energy-import"));
        let e = by_name("voltge").unwrap_err();
        assert_eq!(e.close, ["voltage"]);
        assert_eq!(e.to_string(), "unknown quantity 'voltge'; did you mean voltage?");
        assert_eq!(e.display(Lang::Zh).to_string(), "未知的量“voltge”；是否要找：voltage？");
        let e = by_name("energy").unwrap_err();
        assert_eq!(e.close.len(), 4, "{:?}", e.close);
        let e = by_name("active-energy").unwrap_err();
        assert!(e.close.starts_with(&["active-energy-import", "active-energy-export"]), "{:?}", e.close);
        assert_eq!(by_name("volts").unwrap_err().close, ["voltage"]);
        assert_eq!(by_name("freq").unwrap_err().close, ["frequency"]);
        let e = by_name("xyzzy").unwrap_err();
        assert!(e.close.is_empty());
        assert!(e.text(Lang::En).contains("voltage, current"), "{}", e.text(Lang::En));
        assert!(e.text(Lang::Zh).contains("可用的量"));
    }

    #[test]
    fn decimals_and_units() {
        assert_eq!(plain_decimal("006872.455").as_deref(), Some("6872.455"));
        assert_eq!(plain_decimal("-01.50").as_deref(), Some("-1.50"));
        assert_eq!(plain_decimal("0.940").as_deref(), Some("0.940"));
        assert_eq!(plain_decimal("+5").as_deref(), Some("5"));
        assert_eq!(plain_decimal("12.").as_deref(), None);
        assert_eq!(plain_decimal("2024-05-17").as_deref(), None);
        assert_eq!(plain_decimal(""), None);
        assert_eq!(convert("29847123", "Wh", "kWh").as_deref(), Some("29847.123"));
        assert_eq!(convert("1492", "W", "kW").as_deref(), Some("1.492"));
        assert_eq!(convert("2918.3", "W", "kW").as_deref(), Some("2.9183"));
        assert_eq!(convert("5", "W", "kW").as_deref(), Some("0.005"));
        assert_eq!(convert("-888.2", "var", "kvar").as_deref(), Some("-0.8882"));
        assert_eq!(convert("1.5", "kW", "W").as_deref(), Some("1500"));
        assert_eq!(convert("02.206", "kW", "kW").as_deref(), Some("2.206"));
        assert_eq!(convert("230.2", "V", "kWh"), None);
        assert_eq!(sum_decimals(&["4443.936".into(), "2428.519".into()]).as_deref(), Some("6872.455"));
        assert_eq!(sum_decimals(&["1.5".into(), "-2".into()]).as_deref(), Some("-0.5"));
    }

    #[test]
    fn reads_collect_pieces_and_failures_in_order() {
        let qs = vec![by_name("voltage").unwrap(), by_name("clock").unwrap()];
        let mut r = Reads::new(Family::Dlt645, qs);
        let points = r.dlt645_points();
        assert_eq!(points.len(), 5);
        assert_eq!((points[3].0, points[3].1, points[3].2.di), (1, 0, 0x0400_0101));
        r.piece(0, 0, L1, "221.5", "V", "02010100", "t1");
        r.error(0, 1, "no reply");
        r.piece(1, 1, Part::Time, "10:30:00", "", "04000102", "t2");
        r.piece(1, 0, Part::Date, "2024-05-17 W5", "", "04000101", "t3");
        assert!(!r.complete());
        r.fail_rest("cancelled");
        r.error(0, 0, "too late"); // a value read stays
        let o = r.outcomes();
        let lines: Vec<(&str, Result<String, String>, &str)> =
            o.iter().map(|o| (o.quantity.name, o.result.clone().map(|v| v.value), o.source.as_str())).collect();
        assert_eq!(
            lines,
            [
                ("voltage", Ok("221.5".to_string()), "02010100"),
                ("voltage", Err("no reply".to_string()), "02010200"),
                ("voltage", Err("cancelled".to_string()), "02010300"),
                ("clock", Ok("2024-05-17T10:30:00".to_string()), "04000101+04000102"),
            ]
        );
        assert_eq!(o[0].at, "t1");
        let mut dsmr = Reads::new(Family::Dsmr, vec![by_name("active-energy-import").unwrap()]);
        assert_eq!(dsmr.code_points().iter().map(|p| p.2.code).collect::<Vec<_>>(), ["1-0:1.8.1", "1-0:1.8.2"]);
        dsmr.piece(0, 0, Part::Tariff, "1.5", "kWh", "1-0:1.8.1", "");
        dsmr.piece(0, 1, Part::Tariff, "2.25", "kWh", "1-0:1.8.2", "");
        assert!(dsmr.complete());
        assert_eq!(dsmr.outcomes()[0].result.as_ref().map(|v| v.value.as_str()), Ok("3.75"));
    }

    #[test]
    fn reads_take_the_sessions_answers() {
        let mut iec = Reads::new(Family::Iec62056, vec![by_name("active-energy-import").unwrap()]);
        assert_eq!(iec.codes(), ["1.8.0"]);
        assert!(!iec.take_code("1.8.0*01", "000001.000", "kWh", "")); // a billing period, not the value
        assert!(!iec.take_code("2.8.0", "000002.000", "kWh", ""));
        assert!(iec.take_code("1-0:1.8.0", "006872.455", "kWh", "t"));
        assert_eq!(iec.outcomes()[0].result.as_ref().map(|v| v.value.as_str()), Ok("6872.455"));

        let freezes = by_name("daily-freezes").unwrap();
        let mut r698 = Reads::new(Family::Dlt698, vec![freezes, by_name("voltage").unwrap()]);
        let (oads, records) = r698.dlt698_targets();
        assert_eq!(oads, [0x2000_0200]);
        assert_eq!(records, [(0x5004_0200, vec![0x2021_0200, 0x0010_0200, 0x0020_0200])]);
        let item = |label: &str, value: &str, unit: &str| crate::protocols::dlt698::session::Item {
            label: label.into(),
            value: value.into(),
            unit: unit.into(),
        };
        let record = Dlt698Record {
            oad: 0x5004_0200,
            canonical: "50040200".into(),
            name: String::new(),
            columns: vec![],
            rows: vec![vec![
                item("20210200 data freeze time", "2024-05-17 00:00:00", ""),
                item("00100200 total", "73040.45", "kWh"),
                item("00100200 T1", "13131.88", "kWh"),
            ]],
            data: vec![],
        };
        assert!(r698.take_dlt698_record(&record, "t"));
        r698.fail_dlt698(Some(0x2000_0200), "DAR 6");
        let o = r698.outcomes();
        assert_eq!(o[0].result.as_ref().map(|v| v.value.as_str()), Ok("2024-05-17T00:00:00"));
        assert_eq!(
            o[1].result.as_ref().map(|v| (v.value.as_str(), v.element)),
            Ok(("73040.45", Some("active-energy-import")))
        );
        assert_eq!(o[1].source, "50040200/00100200");
        assert_eq!(o[2].result, Err("the latest record has no such column".to_string()));
        assert_eq!(o.iter().filter(|o| o.result == Err("DAR 6".to_string())).count(), 3);
    }

    #[test]
    fn date_times() {
        assert_eq!(join_date_time("2024-05-17 W5", "10:30:00").as_deref(), Some("2024-05-17T10:30:00"));
        assert_eq!(join_date_time("240517", "103000").as_deref(), Some("2024-05-17T10:30:00"));
        assert_eq!(iso_date_time("2024-05-17 10:30:00").as_deref(), Some("2024-05-17T10:30:00"));
        assert_eq!(iso_date_time("2024-05-16 00:00").as_deref(), Some("2024-05-16T00:00:00"));
        assert_eq!(iso_date_time("240517103000S").as_deref(), Some("2024-05-17T10:30:00"));
        assert_eq!(iso_date_time("2024-13-17 10:30:00"), None);
        assert_eq!(iso_date_time("not a time"), None);
    }

    fn piece(part: Part, value: &str, unit: &str) -> Piece {
        Piece { part, value: value.into(), unit: unit.into() }
    }

    #[test]
    fn assembled_values_share_names_and_units() {
        let power = by_name("active-power").unwrap();
        let from_698 = assemble(power, &[piece(W, "2918.3", "W")]);
        let from_645 = assemble(power, &[piece(W, "5.1929", "kW")]);
        assert_eq!(from_698[0].unit, "kW");
        assert_eq!(from_698[0].value, "2.9183");
        assert_eq!(from_645[0].unit, "kW");
        assert!(from_698[0].numeric && from_645[0].numeric);

        let voltage = by_name("voltage").unwrap();
        let v = assemble(voltage, &[piece(L1, "221.5", "V"), piece(L2, "227.4", "V")]);
        assert_eq!(v.iter().map(|v| v.element).collect::<Vec<_>>(), [Some("L1"), Some("L2")]);

        let clock = by_name("clock").unwrap();
        let c = assemble(clock, &[piece(Part::Time, "103000", ""), piece(Part::Date, "240517", "")]);
        assert_eq!(c, [Value { element: None, value: "2024-05-17T10:30:00".into(), numeric: false, unit: "".into() }]);
        assert_eq!(assemble(clock, &[piece(W, "2024-05-17 10:30:00", "")])[0].value, "2024-05-17T10:30:00");

        let import = by_name("active-energy-import").unwrap();
        let dsmr =
            assemble(import, &[piece(Part::Tariff, "004443.936", "kWh"), piece(Part::Tariff, "002428.519", "kWh")]);
        assert_eq!(dsmr, [Value { element: None, value: "6872.455".into(), numeric: true, unit: "kWh".into() }]);

        let freezes = by_name("daily-freezes").unwrap();
        let f = assemble(
            freezes,
            &[
                piece(Part::Freeze(FreezePart::Time), "2024-05-16 00:00", ""),
                piece(Part::Freeze(FreezePart::Import), "18132.45", "kWh"),
            ],
        );
        assert_eq!(f[0].value, "2024-05-16T00:00:00");
        assert_eq!((f[1].element, f[1].unit.as_str()), (Some("active-energy-import"), "kWh"));

        // What does not convert is kept as read.
        let odd = assemble(power, &[piece(W, "12.5", "kVA")]);
        assert_eq!((odd[0].value.as_str(), odd[0].unit.as_str(), odd[0].numeric), ("12.5", "kVA", true));
        let text = assemble(power, &[piece(W, "no data", "")]);
        assert!(!text[0].numeric);
    }
}
