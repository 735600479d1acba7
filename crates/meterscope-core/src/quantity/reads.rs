//! A read of named quantities in progress.

use super::{Code, Cosem, Di, Family, Oad, Part, Piece, Quantity, Value, assemble, unique};
use crate::protocols::dlms::services::AttrRef;
use crate::protocols::dlt645::session::Item as Dlt645Item;
use crate::protocols::dlt698::session::{Reading as Dlt698Reading, Record as Dlt698Record};

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
                Some(it) => self.piece(q, i, p.part, &it.value.to_string(), &it.unit, &source, at),
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
                Some(it) => self.piece(q, i, p.part, &it.value.to_string(), &it.unit, &r.canonical, at),
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
                Some(it) => {
                    self.piece(q, i, p.part, &it.value.to_string(), &it.unit, &format!("{}/{prefix}", r.canonical), at)
                }
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
