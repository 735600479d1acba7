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
//!
//! The table is in `table`, the lookup by name in `lookup`, the values made
//! from what was read in `values`, and a read in progress in `reads`.

use crate::lang::Lang;

mod lookup;
mod reads;
mod table;
mod values;

#[cfg(test)]
mod tests;

pub use lookup::{UnknownQuantity, by_name};
pub use reads::{Outcome, Reads, Slot};
pub use table::{all, names};
pub use values::{Piece, Value, assemble, convert, iso_date_time, join_date_time, plain_decimal};

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
