//! The data identifier dictionary, by composition.
//!
//! DL/T 645-2007 clause 6 and Appendix A (tables A.1–A.7) build a 4-byte data
//! identifier `DI3 DI2 DI1 DI0` from parts: DI3 is the class (energy, demand,
//! variables, events, parameters, freezes, load records), DI2 the quantity,
//! DI1 the tariff or phase or item, DI0 the settlement period or the n-th last
//! record; `FF` in a byte asks for a block of the values it ranges over. The
//! event classes `10`–`1F` and a few parameters follow the 2009 filing
//! amendment of DL/T 645-2007 (备案文件). DL/T 645-1997 Appendix A composes a
//! 2-byte identifier the same way (`DI1` high nibble: 9 energy, A demand,
//! B demand time and variables, C parameters).
//!
//! Nothing here is a list of identifiers: small tables of quantities, phases,
//! items and ranges are combined by rules, and [`enumerate`] walks the rules.

use std::borrow::Cow;

use super::value::Format;
use crate::lang::Lang;

/// A name: static text, or text composed from the rules.
pub type Name = Cow<'static, str>;

/// Whether a lookup composes names (for people) or only the layout of the
/// data (for the dissector, which names things when a frame is rendered).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Naming(pub bool);

/// A composed name, or nothing when names are not wanted.
macro_rules! name {
    ($n:expr, $($arg:tt)*) => {
        if $n.0 { Cow::Owned(format!($($arg)*)) } else { Cow::Borrowed("") }
    };
}

/// The class of an identifier (DI3 in DL/T 645-2007).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiClass {
    Energy,
    Demand,
    Variable,
    Event,
    Parameter,
    Freeze,
    LoadRecord,
}

impl DiClass {
    pub fn name(self, lang: Lang) -> &'static str {
        match self {
            DiClass::Energy => lang.pick("energy", "电能量"),
            DiClass::Demand => lang.pick("maximum demand", "最大需量"),
            DiClass::Variable => lang.pick("variables", "变量"),
            DiClass::Event => lang.pick("event records", "事件记录"),
            DiClass::Parameter => lang.pick("parameters", "参变量"),
            DiClass::Freeze => lang.pick("freeze data", "冻结数据"),
            DiClass::LoadRecord => lang.pick("load records", "负荷记录"),
        }
    }
}

/// One value of an identifier's data, named in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub en: Name,
    pub zh: Name,
    pub format: Format,
}

impl Field {
    pub fn new(en: impl Into<Name>, zh: impl Into<Name>, format: Format) -> Self {
        Field { en: en.into(), zh: zh.into(), format }
    }
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.en, &self.zh)
    }
}

/// How the items of a block (`FF`) are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Items {
    /// Total, then tariff 1, 2, … (DI1 = FF).
    Tariffs,
    /// Phases A, B, C.
    Phases,
    /// Total, then phases A, B, C.
    TotalAndPhases,
    /// Harmonic orders 1, 2, … 21.
    Harmonics,
    /// Numbered entries (`time zone 3`), at most `max`.
    Numbered { en: &'static str, zh: &'static str, max: u8 },
}

impl Items {
    /// The label of item `i` (from 0).
    pub fn label(self, i: usize, lang: Lang) -> String {
        match self {
            Items::Tariffs if i == 0 => lang.pick("total", "总").into(),
            Items::Tariffs => format!("{}{i}", lang.pick("tariff ", "费率")),
            Items::Phases => Self::phase(i, lang),
            Items::TotalAndPhases if i == 0 => lang.pick("total", "总").into(),
            Items::TotalAndPhases => Self::phase(i - 1, lang),
            Items::Harmonics => match lang {
                Lang::En => format!("order {}", i + 1),
                Lang::Zh => format!("{}次", i + 1),
            },
            Items::Numbered { en, zh, .. } => match lang {
                Lang::En => format!("{en} {}", i + 1),
                Lang::Zh => format!("第{}{zh}", i + 1),
            },
        }
    }
    fn phase(i: usize, lang: Lang) -> String {
        let p = PHASES[i.min(2)];
        match lang {
            Lang::En => format!("phase {p}"),
            Lang::Zh => format!("{p}相"),
        }
    }
    /// The most items a block holds, when the standard fixes it.
    pub fn max(self) -> Option<usize> {
        match self {
            Items::Tariffs => Some(64),
            Items::Phases => Some(3),
            Items::TotalAndPhases => Some(4),
            Items::Harmonics => Some(21),
            Items::Numbered { max, .. } => Some(max as usize),
        }
    }
}

/// The values of an identifier: most have one, kept without an allocation
/// (a lookup per dissected frame).
#[derive(Clone, Debug)]
pub enum Fields {
    One(Field),
    Many(Vec<Field>),
}

impl core::ops::Deref for Fields {
    type Target = [Field];
    fn deref(&self) -> &[Field] {
        match self {
            Fields::One(f) => core::slice::from_ref(f),
            Fields::Many(v) => v,
        }
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Fields) -> bool {
        **self == **other
    }
}

impl Eq for Fields {}

impl<'a> IntoIterator for &'a Fields {
    type Item = &'a Field;
    type IntoIter = core::slice::Iter<'a, Field>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// What the dictionary knows about one identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiInfo {
    /// The identifier: `DI3DI2DI1DI0` (2007) or `DI1DI0` (1997).
    pub di: u32,
    /// 4 (DL/T 645-2007) or 2 (DL/T 645-1997).
    pub width: u8,
    pub en: Name,
    pub zh: Name,
    pub class: DiClass,
    /// The values, in wire order. With `items`, they repeat per item.
    pub fields: Fields,
    pub items: Option<Items>,
    /// A block (`FF`): the data may stop early at a value boundary.
    pub block: bool,
}

impl DiInfo {
    fn new(di: u32, en: Name, zh: Name, class: DiClass, fields: Vec<Field>) -> Self {
        DiInfo { di, width: 4, en, zh, class, fields: Fields::Many(fields), items: None, block: false }
    }
    fn single(di: u32, en: Name, zh: Name, class: DiClass, format: Format) -> Self {
        let field = Field::new(en.clone(), zh.clone(), format);
        DiInfo { di, width: 4, en, zh, class, fields: Fields::One(field), items: None, block: false }
    }
    fn repeated(mut self, items: Items) -> Self {
        self.items = Some(items);
        self.block = true;
        self
    }
    fn into_block(mut self) -> Self {
        self.block = true;
        self
    }

    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.en, &self.zh)
    }

    /// Canonical form: `00010000` or `9010`.
    pub fn canonical(&self) -> String {
        format!("{:0width$X}", self.di, width = usize::from(self.width) * 2)
    }

    /// The format string: patterns joined by `+`, `×n` for repeated blocks.
    pub fn format(&self) -> String {
        let joined = self.fields.iter().map(|f| f.format.pattern).collect::<Vec<_>>().join("+");
        match self.items.and_then(Items::max) {
            Some(n) if self.fields.len() > 1 => format!("({joined})×{n}"),
            Some(n) => format!("{joined}×{n}"),
            None => joined,
        }
    }

    /// Length in bytes, when fixed (a record that ends in free bytes has none).
    pub fn len(&self) -> Option<usize> {
        let one = self
            .fields
            .iter()
            .map(|f| (f.format.len > 0).then_some(usize::from(f.format.len)))
            .sum::<Option<usize>>()?;
        match self.items {
            Some(Items::Tariffs) => None,
            Some(items) => items.max().map(|n| n * one),
            None => Some(one),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The unit of the first value that has one.
    pub fn unit(&self) -> &'static str {
        self.fields.iter().map(|f| f.format.unit).find(|u| !u.is_empty()).unwrap_or("")
    }
}

const PHASES: [&str; 3] = ["A", "B", "C"];

fn phase_en(nm: Naming, p: u8) -> Name {
    name!(nm, "phase {}", PHASES[usize::from(p.clamp(1, 3)) - 1])
}
fn phase_zh(nm: Naming, p: u8) -> Name {
    name!(nm, "{}相", PHASES[usize::from(p.clamp(1, 3)) - 1])
}

/// Look up a DL/T 645-2007 identifier (`0x00010000`), names included.
pub fn lookup(di: u32) -> Option<DiInfo> {
    lookup_with(Naming(true), di)
}

/// The layout of a DL/T 645-2007 identifier's data (class, values and their
/// formats, items, block), without composing names: what a dissector needs.
pub fn layout(di: u32) -> Option<DiInfo> {
    lookup_with(Naming(false), di)
}

/// Look up a DL/T 645-2007 identifier, composing names when `n` says so.
pub fn lookup_with(nm: Naming, di: u32) -> Option<DiInfo> {
    let [d3, d2, d1, d0] = di.to_be_bytes();
    match d3 {
        0x00 => energy(nm, di, d2, d1, d0),
        0x01 => demand(nm, di, d2, d1, d0),
        0x02 => variable(nm, di, d2, d1, d0),
        0x03 => event(nm, di, d2, d1, d0),
        0x04 => parameter(nm, di, d2, d1, d0),
        0x05 => freeze(nm, di, d2, d1, d0),
        0x06 => load_record(nm, di, d2, d1, d0),
        0x10..=0x1F => event_2009(nm, di, d3, d2, d1, d0),
        _ => None,
    }
}

/// Every DL/T 645-2007 identifier the dictionary names, ascending. It walks
/// the rules (about 12 million cheap probes, pruned by DI2), so collect it once.
pub fn enumerate() -> impl Iterator<Item = u32> {
    let classes = (0x00u8..=0x06).chain(0x10..=0x1F);
    classes.flat_map(|d3| {
        (0u8..=255).filter(move |&d2| d2_known(d3, d2)).flat_map(move |d2| {
            (0u32..=0xFFFF).map(move |low| u32::from_be_bytes([d3, d2, 0, 0]) | low).filter(|&di| layout(di).is_some())
        })
    })
}

/// Whether any identifier `d3 d2 xx xx` can be named; keeps [`enumerate`] quick.
fn d2_known(d3: u8, d2: u8) -> bool {
    match d3 {
        0x00 => energy_kind(d2).is_some(),
        0x01 => demand_kind(d2).is_some(),
        0x02 => matches!(d2, 0x01..=0x0B | 0x80),
        0x03 => matches!(d2, 0x01..=0x12 | 0x30),
        0x04 => matches!(d2, 0x00..=0x04 | 0x80),
        0x05 => freeze_kind(d2).is_some(),
        0x06 => d2 <= 0x06,
        _ => event_2009_family(d3).is_some_and(|f| f.phases.contains(&d2)),
    }
}

// The rules of each class, after the macro above, which they use.
mod energy;
mod events;
mod freezes;
mod parameters;
#[cfg(test)]
mod tests;
mod v1997;
mod variables;

use energy::*;
use events::*;
use freezes::*;
use parameters::*;
pub use v1997::{enumerate_1997, layout_1997, lookup_1997};
use variables::*;
