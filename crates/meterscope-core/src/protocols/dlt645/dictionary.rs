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
    pub fields: Vec<Field>,
    pub items: Option<Items>,
    /// A block (`FF`): the data may stop early at a value boundary.
    pub block: bool,
}

impl DiInfo {
    fn new(di: u32, en: Name, zh: Name, class: DiClass, fields: Vec<Field>) -> Self {
        DiInfo { di, width: 4, en, zh, class, fields, items: None, block: false }
    }
    fn single(di: u32, en: Name, zh: Name, class: DiClass, format: Format) -> Self {
        let field = Field::new(en.clone(), zh.clone(), format);
        Self::new(di, en, zh, class, vec![field])
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

// ---------------------------------------------------------------- energy (A.1)

/// A metered quantity: names, energy and demand units, sign.
struct Quantity {
    en: &'static str,
    zh: &'static str,
    energy_unit: &'static str,
    demand_unit: &'static str,
    signed: bool,
}

const fn q(en: &'static str, zh: &'static str, eu: &'static str, du: &'static str, signed: bool) -> Quantity {
    Quantity { en, zh, energy_unit: eu, demand_unit: du, signed }
}

/// DI2 `00`–`0A` of energy and demand (table A.1, A.2).
static QUANTITIES: [Quantity; 11] = [
    q("Combined active", "组合有功", "kWh", "kW", true),
    q("Forward active", "正向有功", "kWh", "kW", false),
    q("Reverse active", "反向有功", "kWh", "kW", false),
    q("Combined reactive 1", "组合无功1", "kvarh", "kvar", true),
    q("Combined reactive 2", "组合无功2", "kvarh", "kvar", true),
    q("Quadrant I reactive", "第一象限无功", "kvarh", "kvar", false),
    q("Quadrant II reactive", "第二象限无功", "kvarh", "kvar", false),
    q("Quadrant III reactive", "第三象限无功", "kvarh", "kvar", false),
    q("Quadrant IV reactive", "第四象限无功", "kvarh", "kvar", false),
    q("Forward apparent", "正向视在", "kVAh", "kVA", false),
    q("Reverse apparent", "反向视在", "kVAh", "kVA", false),
];

/// DI2 `80`–`86` (table A.1): (English, Chinese for the total, Chinese for a phase).
static ENERGY_EXTRA: [(&str, &str, &str); 7] = [
    ("Associated energy", "关联总电能", "关联电能"),
    ("Forward active fundamental energy", "正向有功基波总电能", "正向有功基波电能"),
    ("Reverse active fundamental energy", "反向有功基波总电能", "反向有功基波电能"),
    ("Forward active harmonic energy", "正向有功谐波总电能", "正向有功谐波电能"),
    ("Reverse active harmonic energy", "反向有功谐波总电能", "反向有功谐波电能"),
    ("Copper-loss active energy compensation", "铜损有功总电能补偿量", "铜损有功电能补偿量"),
    ("Iron-loss active energy compensation", "铁损有功总电能补偿量", "铁损有功电能补偿量"),
];

/// What DI2 of the energy class selects.
#[derive(Clone, Copy)]
enum EnergyKind {
    /// `00`–`0A`: a quantity, by total and tariff.
    Tariffed(usize),
    /// Phase 1–3 of quantity `01`–`0A` (`15`–`1E`, `29`–`32`, `3D`–`46`).
    Phase(u8, usize),
    /// `80`–`86`: totals only.
    Extra(usize),
    /// Phase 1–3 of `80`–`86` (`94`–`9A`, `A8`–`AE`, `BC`–`C2`).
    PhaseExtra(u8, usize),
}

/// Phases repeat each block of quantities every 0x14 codes.
fn phase_split(d2: u8, base: u8, count: u8) -> Option<(u8, usize)> {
    (1..=3u8).find_map(|p| {
        let first = base + 0x14 * p;
        (first..first + count).contains(&d2).then(|| (p, usize::from(d2 - first)))
    })
}

fn energy_kind(d2: u8) -> Option<EnergyKind> {
    match d2 {
        0x00..=0x0A => Some(EnergyKind::Tariffed(usize::from(d2))),
        0x80..=0x86 => Some(EnergyKind::Extra(usize::from(d2 - 0x80))),
        0x15..=0x46 => phase_split(d2, 0x01, 10).map(|(p, k)| EnergyKind::Phase(p, k + 1)),
        0x94..=0xC2 => phase_split(d2, 0x80, 7).map(|(p, k)| EnergyKind::PhaseExtra(p, k)),
        _ => None,
    }
}

/// DI0: `00` current, `01`–`0C` the n-th last settlement day.
fn settlement(nm: Naming, d0: u8) -> Option<(Name, Name)> {
    match d0 {
        0x00 => Some(("current".into(), "当前".into())),
        0x01..=0x0C => Some((name!(nm, "settlement day −{d0}"), name!(nm, "上{d0}结算日"))),
        _ => None,
    }
}

/// DI1: `00` total, `01`–`3F` tariff n, `FF` block.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tariff {
    Total,
    Rate(u8),
    Block,
}

fn tariff(d1: u8) -> Option<Tariff> {
    match d1 {
        0x00 => Some(Tariff::Total),
        0x01..=0x3F => Some(Tariff::Rate(d1)),
        0xFF => Some(Tariff::Block),
        _ => None,
    }
}

fn energy_format(qty: &Quantity) -> Format {
    if qty.signed {
        Format::signed("XXXXXX.XX", 4, 2, qty.energy_unit)
    } else {
        Format::num("XXXXXX.XX", 4, 2, qty.energy_unit)
    }
}

/// Energy, table A.1: `00 DI2 DI1 DI0`, XXXXXX.XX kWh (kvarh, kVAh).
fn energy(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    let kind = energy_kind(d2)?;
    let (pe, pz) = settlement(nm, d0)?;
    let info = match kind {
        EnergyKind::Tariffed(k) => {
            let qty = &QUANTITIES[k];
            let t = tariff(d1)?;
            let (te, tz) = match t {
                Tariff::Total => ("total".into(), "总电能".into()),
                Tariff::Rate(n) => (name!(nm, "tariff {n}"), name!(nm, "费率{n}电能")),
                Tariff::Block => ("block (total, tariffs)".into(), "电能数据块".into()),
            };
            let en = name!(nm, "{} energy, {te}, {pe}", qty.en);
            let zh = name!(nm, "({pz}){}{tz}", qty.zh);
            let info = DiInfo::single(di, en, zh, DiClass::Energy, energy_format(qty));
            if t == Tariff::Block { info.repeated(Items::Tariffs) } else { info }
        }
        EnergyKind::Phase(p, k) if d1 == 0 => {
            let qty = &QUANTITIES[k];
            let en = name!(nm, "{} energy, {}, {pe}", qty.en, phase_en(nm, p));
            let zh = name!(nm, "({pz}){}{}电能", phase_zh(nm, p), qty.zh);
            DiInfo::single(di, en, zh, DiClass::Energy, energy_format(qty))
        }
        EnergyKind::Extra(k) if d1 == 0 => {
            let (e, z, _) = ENERGY_EXTRA[k];
            let f = Format::num("XXXXXX.XX", 4, 2, "kWh");
            DiInfo::single(di, name!(nm, "{e}, total, {pe}"), name!(nm, "({pz}){z}"), DiClass::Energy, f)
        }
        EnergyKind::PhaseExtra(p, k) if d1 == 0 => {
            let (e, _, z) = ENERGY_EXTRA[k];
            let f = Format::num("XXXXXX.XX", 4, 2, "kWh");
            let (en, zh) = (name!(nm, "{e}, {}, {pe}", phase_en(nm, p)), name!(nm, "({pz}){}{z}", phase_zh(nm, p)));
            DiInfo::single(di, en, zh, DiClass::Energy, f)
        }
        _ => return None,
    };
    Some(info)
}

// ---------------------------------------------------------------- demand (A.2)

fn demand_kind(d2: u8) -> Option<(Option<u8>, usize)> {
    match d2 {
        0x01..=0x0A => Some((None, usize::from(d2))),
        0x15..=0x46 => phase_split(d2, 0x01, 10).map(|(p, k)| (Some(p), k + 1)),
        _ => None,
    }
}

/// The two values of a demand: XX.XXXX and YYMMDDhhmm (table A.2).
fn demand_fields(qty: &Quantity) -> Vec<Field> {
    let value = if qty.signed {
        Format::signed("XX.XXXX", 3, 4, qty.demand_unit)
    } else {
        Format::num("XX.XXXX", 3, 4, qty.demand_unit)
    };
    vec![
        Field::new("maximum demand", "最大需量", value),
        Field::new("time of occurrence", "发生时间", Format::time("YYMMDDhhmm")),
    ]
}

/// Maximum demand and its time, table A.2: `01 DI2 DI1 DI0`.
fn demand(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    let (phase, k) = demand_kind(d2)?;
    let (pe, pz) = settlement(nm, d0)?;
    let qty = &QUANTITIES[k];
    let (te, tz, block) = match (phase, tariff(d1)?) {
        (Some(p), Tariff::Total) => (phase_en(nm, p), name!(nm, "{}{}", phase_zh(nm, p), qty.zh), false),
        (Some(_), _) => return None,
        (None, Tariff::Total) => ("total".into(), name!(nm, "{}总", qty.zh), false),
        (None, Tariff::Rate(n)) => (name!(nm, "tariff {n}"), name!(nm, "{}费率{n}", qty.zh), false),
        (None, Tariff::Block) => ("block (total, tariffs)".into(), qty.zh.into(), true),
    };
    let en = name!(nm, "{} maximum demand and time, {te}, {pe}", qty.en);
    let suffix = if block { "最大需量及发生时间数据块" } else { "最大需量及发生时间" };
    let zh = name!(nm, "({pz}){tz}{suffix}");
    let info = DiInfo::new(di, en, zh, DiClass::Demand, demand_fields(qty));
    Some(if block { info.repeated(Items::Tariffs) } else { info })
}

// ---------------------------------------------------------------- variables (A.3)

/// Which DI1 values a variable takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// `01`–`03` phases, `FF` block.
    Phases,
    /// `00` total, `01`–`03` phases, `FF` block.
    TotalAndPhases,
}

/// DI2 `01`–`09` of the variables (table A.3).
static VARIABLES: [(&str, &str, Scope, Format); 9] = [
    ("Voltage", "电压", Scope::Phases, Format::num("XXX.X", 2, 1, "V")),
    ("Current", "电流", Scope::Phases, Format::signed("XXX.XXX", 3, 3, "A")),
    ("Instantaneous active power", "瞬时有功功率", Scope::TotalAndPhases, Format::signed("XX.XXXX", 3, 4, "kW")),
    ("Instantaneous reactive power", "瞬时无功功率", Scope::TotalAndPhases, Format::signed("XX.XXXX", 3, 4, "kvar")),
    ("Instantaneous apparent power", "瞬时视在功率", Scope::TotalAndPhases, Format::signed("XX.XXXX", 3, 4, "kVA")),
    ("Power factor", "功率因数", Scope::TotalAndPhases, Format::signed("X.XXX", 2, 3, "")),
    ("Phase angle", "相角", Scope::Phases, Format::num("XXX.X", 2, 1, "°")),
    ("Voltage waveform distortion", "电压波形失真度", Scope::Phases, Format::num("XX.XX", 2, 2, "%")),
    ("Current waveform distortion", "电流波形失真度", Scope::Phases, Format::num("XX.XX", 2, 2, "%")),
];

/// `02 80 00 xx` (table A.3).
static VARIABLES_80: [(&str, &str, Format); 10] = [
    ("Neutral current", "零线电流", Format::signed("XXX.XXX", 3, 3, "A")),
    ("Grid frequency", "电网频率", Format::num("XX.XX", 2, 2, "Hz")),
    ("One-minute average total active power", "一分钟有功总平均功率", Format::num("XX.XXXX", 3, 4, "kW")),
    ("Current active demand", "当前有功需量", Format::num("XX.XXXX", 3, 4, "kW")),
    ("Current reactive demand", "当前无功需量", Format::num("XX.XXXX", 3, 4, "kvar")),
    ("Current apparent demand", "当前视在需量", Format::num("XX.XXXX", 3, 4, "kVA")),
    ("Meter temperature", "表内温度", Format::signed("XXX.X", 2, 1, "°C")),
    ("Clock battery voltage (internal)", "时钟电池电压(内部)", Format::num("XX.XX", 2, 2, "V")),
    ("Meter-reading battery voltage (external)", "停电抄表电池电压(外部)", Format::num("XX.XX", 2, 2, "V")),
    ("Internal battery working time", "内部电池工作时间", Format::num("XXXXXXXX", 4, 0, "min")),
];

/// Variables, table A.3: `02 DI2 DI1 DI0`.
fn variable(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    match d2 {
        0x01..=0x09 if d0 == 0 => basic_variable(nm, di, d2, d1),
        0x0A | 0x0B => harmonic(nm, di, d2, d1, d0),
        0x80 if d1 == 0 => variable_80(di, d0),
        _ => None,
    }
}

fn basic_variable(nm: Naming, di: u32, d2: u8, d1: u8) -> Option<DiInfo> {
    let (en, zh, scope, format) = VARIABLES[usize::from(d2 - 1)];
    let info = |e: Name, z: Name| DiInfo::single(di, e, z, DiClass::Variable, format);
    // The standard writes 瞬时总有功功率 and 瞬时A相有功功率: the qualifier goes after 瞬时.
    let qualified = |q: &str| match zh.strip_prefix("瞬时") {
        Some(rest) => name!(nm, "瞬时{q}{rest}"),
        None => name!(nm, "{q}{zh}"),
    };
    match (scope, d1) {
        (Scope::TotalAndPhases, 0x00) => Some(info(name!(nm, "{en}, total"), qualified("总"))),
        (_, 0x01..=0x03) => Some(info(name!(nm, "{en}, {}", phase_en(nm, d1)), qualified(&phase_zh(nm, d1)))),
        (Scope::Phases, 0xFF) => Some(info(name!(nm, "{en}, block"), name!(nm, "{zh}数据块")).repeated(Items::Phases)),
        (Scope::TotalAndPhases, 0xFF) => {
            Some(info(name!(nm, "{en}, block"), name!(nm, "{zh}数据块")).repeated(Items::TotalAndPhases))
        }
        _ => None,
    }
}

/// Harmonic content `02 0A/0B phase order`, XX.XX % (table A.3).
fn harmonic(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    if !(0x01..=0x03).contains(&d1) {
        return None;
    }
    let (qe, qz) = if d2 == 0x0A { ("voltage", "电压") } else { ("current", "电流") };
    let f = Format::num("XX.XX", 2, 2, "%");
    let (pe, pz) = (phase_en(nm, d1), phase_zh(nm, d1));
    match d0 {
        0x01..=0x15 => Some(DiInfo::single(
            di,
            name!(nm, "{qe} harmonic content, {pe}, order {d0}", d0 = d0),
            name!(nm, "{pz}{qz}{d0}次谐波含量"),
            DiClass::Variable,
            f,
        )),
        0xFF => Some(
            DiInfo::single(
                di,
                name!(nm, "{qe} harmonic content, {pe}, block"),
                name!(nm, "{pz}{qz}谐波含量数据块"),
                DiClass::Variable,
                f,
            )
            .repeated(Items::Harmonics),
        ),
        _ => None,
    }
}

fn variable_80(di: u32, d0: u8) -> Option<DiInfo> {
    match d0 {
        0x01..=0x0A => {
            let (en, zh, f) = VARIABLES_80[usize::from(d0 - 1)];
            Some(DiInfo::single(di, en.into(), zh.into(), DiClass::Variable, f))
        }
        0xFF => {
            let fields = VARIABLES_80.iter().map(|(e, z, f)| Field::new(*e, *z, *f)).collect();
            Some(
                DiInfo::new(di, "Variables 02800001–0A, block".into(), "变量数据块".into(), DiClass::Variable, fields)
                    .into_block(),
            )
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- events (A.4)

const TIME6: Format = Format::time("YYMMDDhhmmss");
const COUNT: Format = Format::num("XXXXXX", 3, 0, "");
const MINUTES: Format = Format::num("XXXXXX", 3, 0, "min");
const OPERATOR: Format = Format::bits("C3C2C1C0", 4);
const DATA_ID: Format = Format::bits("DI3DI2DI1DI0", 4);

fn start_time() -> Field {
    Field::new("start time", "发生时刻", TIME6)
}
fn end_time() -> Field {
    Field::new("end time", "结束时刻", TIME6)
}
fn rest() -> Field {
    Field::new("record data", "记录数据", Format::REST)
}

/// Events per phase (DI2), table A.4: counts `03 DI2 00 00`, records `03 DI2 phase n`.
static EVENTS_PHASED: [(u8, &str, &str); 9] = [
    (0x01, "Loss of voltage", "失压"),
    (0x02, "Under-voltage", "欠压"),
    (0x03, "Over-voltage", "过压"),
    (0x04, "Phase break", "断相"),
    (0x0B, "Loss of current", "失流"),
    (0x0C, "Over-current", "过流"),
    (0x0D, "Current break", "断流"),
    (0x0E, "Power flow reversal", "潮流反向"),
    (0x0F, "Overload", "过载"),
];

/// Events of the whole meter, table A.4: count `03 DI2 00 00`, records `03 DI2 00 n`.
static EVENTS_SINGLE: [(u8, &str, &str); 6] = [
    (0x05, "Total loss of voltage", "全失压"),
    (0x06, "Auxiliary power loss", "辅助电源失电"),
    (0x07, "Voltage reverse phase sequence", "电压逆相序"),
    (0x08, "Current reverse phase sequence", "电流逆相序"),
    (0x09, "Voltage imbalance", "电压不平衡"),
    (0x0A, "Current imbalance", "电流不平衡"),
];

/// Programming-type records `03 30 DI1 DI0` (table A.4).
static EVENTS_30: [(&str, &str); 15] = [
    ("Programming", "编程"),
    ("Meter clear", "电表清零"),
    ("Demand clear", "需量清零"),
    ("Event clear", "事件清零"),
    ("Time setting", "校时"),
    ("Day-slot table programming", "时段表编程"),
    ("Time-zone table programming", "时区表编程"),
    ("Weekly rest day programming", "周休日编程"),
    ("Holiday programming", "节假日编程"),
    ("Active combination programming", "有功组合方式编程"),
    ("Reactive combination 1 programming", "无功组合方式1编程"),
    ("Reactive combination 2 programming", "无功组合方式2编程"),
    ("Settlement day programming", "结算日编程"),
    ("Meter cover opening", "开表盖"),
    ("Terminal cover opening", "开端钮盒"),
];

/// The n-th last record, `01`–`0A`.
fn nth(nm: Naming, d0: u8) -> Option<(Name, Name)> {
    (0x01..=0x0A).contains(&d0).then(|| (name!(nm, "last {d0}"), name!(nm, "上{d0}次")))
}

/// Event records, table A.4: `03 DI2 DI1 DI0`.
fn event(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    if let Some(&(_, en, zh)) = EVENTS_PHASED.iter().find(|e| e.0 == d2) {
        return event_phased(nm, di, en, zh, d1, d0);
    }
    if let Some(&(code, en, zh)) = EVENTS_SINGLE.iter().find(|e| e.0 == d2) {
        return (d1 == 0).then(|| event_single(nm, di, code, en, zh, d0)).flatten();
    }
    match d2 {
        0x10 => voltage_statistics(nm, di, d1, d0),
        0x11 if d1 == 0 => power_down(nm, di, d0),
        0x12 => demand_over_limit(nm, di, d1, d0),
        0x30 => programming(nm, di, d1, d0),
        _ => None,
    }
}

fn event_phased(nm: Naming, di: u32, en: &str, zh: &str, d1: u8, d0: u8) -> Option<DiInfo> {
    match (d1, d0) {
        (0x00, 0x00) => {
            let fields = (1..=3u8)
                .flat_map(|p| {
                    [
                        Field::new(
                            name!(nm, "{} count", phase_en(nm, p)),
                            name!(nm, "{}{zh}总次数", phase_zh(nm, p)),
                            COUNT,
                        ),
                        Field::new(
                            name!(nm, "{} total time", phase_en(nm, p)),
                            name!(nm, "{}{zh}总累计时间", phase_zh(nm, p)),
                            MINUTES,
                        ),
                    ]
                })
                .collect();
            let (e, z) =
                (name!(nm, "{en}, phases A/B/C: counts and total times"), name!(nm, "A、B、C相{zh}总次数，总累计时间"));
            Some(DiInfo::new(di, e, z, DiClass::Event, fields))
        }
        (0x01..=0x03, _) => {
            let (ne, nz) = nth(nm, d0)?;
            let (e, z) =
                (name!(nm, "{en} record, {}, {ne}", phase_en(nm, d1)), name!(nm, "({nz}){}{zh}记录", phase_zh(nm, d1)));
            Some(DiInfo::new(di, e, z, DiClass::Event, vec![start_time(), end_time(), rest()]))
        }
        _ => None,
    }
}

fn event_single(nm: Naming, di: u32, code: u8, en: &str, zh: &str, d0: u8) -> Option<DiInfo> {
    if d0 == 0 {
        let fields = vec![
            Field::new("count", name!(nm, "{zh}总次数"), COUNT),
            Field::new("total time", name!(nm, "{zh}总累计时间"), MINUTES),
        ];
        let (e, z) = (name!(nm, "{en}: count and total time"), name!(nm, "{zh}总次数，总累计时间"));
        return Some(DiInfo::new(di, e, z, DiClass::Event, fields));
    }
    let (ne, nz) = nth(nm, d0)?;
    let fields = match code {
        0x05 => vec![start_time(), Field::new("current", "电流值", Format::signed("XXX.XXX", 3, 3, "A")), end_time()],
        0x06 => vec![start_time(), end_time()],
        _ => vec![start_time(), end_time(), rest()],
    };
    Some(DiInfo::new(di, name!(nm, "{en} record, {ne}"), name!(nm, "({nz}){zh}记录"), DiClass::Event, fields))
}

/// Monthly voltage qualification statistics `03 10 DI1 DI0`: DI1 `00` all, `01`–`03`
/// phases; DI0 `00` this month, `01`–`0C` the n-th last month.
fn voltage_statistics(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
    if d1 > 3 || d0 > 0x0C {
        return None;
    }
    let (me, mz) = if d0 == 0 {
        ("this month".into(), "当月".into())
    } else {
        (name!(nm, "month −{d0}"), name!(nm, "上{d0}月"))
    };
    let (pe, pz) = if d1 == 0 {
        (Name::Borrowed(""), Name::Borrowed(""))
    } else {
        (name!(nm, ", {}", phase_en(nm, d1)), phase_zh(nm, d1))
    };
    let en = name!(nm, "Voltage qualification statistics{pe}, {me}");
    let zh = name!(nm, "({mz}){pz}电压合格率统计数据");
    Some(DiInfo::new(di, en, zh, DiClass::Event, vec![rest()]))
}

fn power_down(nm: Naming, di: u32, d0: u8) -> Option<DiInfo> {
    if d0 == 0 {
        return Some(DiInfo::single(di, "Power-down count".into(), "掉电总次数".into(), DiClass::Event, COUNT));
    }
    let (ne, nz) = nth(nm, d0)?;
    let (e, z) = (name!(nm, "Power-down record, {ne}"), name!(nm, "({nz})掉电发生时刻，结束时刻"));
    Some(DiInfo::new(di, e, z, DiClass::Event, vec![start_time(), end_time()]))
}

/// The six demand kinds of the over-limit records `03 12 01`–`06`.
static OVER_LIMIT: [(&str, &str, &str); 6] = [
    ("forward active", "正向有功", "kW"),
    ("reverse active", "反向有功", "kW"),
    ("quadrant I reactive", "第一象限无功", "kvar"),
    ("quadrant II reactive", "第二象限无功", "kvar"),
    ("quadrant III reactive", "第三象限无功", "kvar"),
    ("quadrant IV reactive", "第四象限无功", "kvar"),
];

fn demand_over_limit(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
    if (d1, d0) == (0, 0) {
        let fields = OVER_LIMIT
            .iter()
            .map(|(e, z, _)| Field::new(name!(nm, "{e} count"), name!(nm, "{z}需量超限总次数"), COUNT))
            .collect();
        return Some(DiInfo::new(
            di,
            "Demand over-limit counts".into(),
            "需量超限总次数记录".into(),
            DiClass::Event,
            fields,
        ));
    }
    let &(e, z, unit) = OVER_LIMIT.get(usize::from(d1).checked_sub(1)?)?;
    let (ne, nz) = nth(nm, d0)?;
    let fields = vec![
        start_time(),
        end_time(),
        Field::new("maximum demand", "最大需量", Format::num("XX.XXXX", 3, 4, unit)),
        Field::new("time of maximum demand", "最大需量发生时间", Format::time("YYMMDDhhmm")),
    ];
    let (en, zh) = (name!(nm, "Demand over-limit record, {e}, {ne}"), name!(nm, "({nz}){z}需量超限记录"));
    Some(DiInfo::new(di, en, zh, DiClass::Event, fields))
}

/// The fields of a programming-type record (`03 30 DI1 01`–`0A`).
fn programming_fields(nm: Naming, d1: u8) -> Vec<Field> {
    let time = || Field::new("time", "发生时刻", TIME6);
    let operator = || Field::new("operator code", "操作者代码", OPERATOR);
    match d1 {
        0x00 => {
            let mut v = vec![time(), operator()];
            v.extend((1..=10).map(|i| Field::new(name!(nm, "data identifier {i}"), name!(nm, "数据标识{i}"), DATA_ID)));
            v
        }
        0x03 => vec![time(), operator(), Field::new("cleared event", "事件清零数据标识", DATA_ID)],
        0x04 => vec![
            operator(),
            Field::new("time before", "校时前时间", TIME6),
            Field::new("time after", "校时后时间", TIME6),
        ],
        0x07 => vec![
            time(),
            operator(),
            Field::new("rest-day table number", "周休日采用的日时段表号", Format::num("NN", 1, 0, "")),
        ],
        0x09..=0x0B => {
            vec![time(), operator(), Field::new("combination word", "组合方式特征字", Format::bits("NN", 1))]
        }
        0x0C => {
            let mut v = vec![time(), operator()];
            v.extend((1..=3).map(|i| {
                Field::new(name!(nm, "settlement day {i}"), name!(nm, "每月第{i}结算日"), Format::time("DDhh"))
            }));
            v
        }
        0x0D | 0x0E => vec![start_time(), end_time(), rest()],
        _ => vec![time(), operator(), rest()],
    }
}

fn programming(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
    let &(en, zh) = EVENTS_30.get(usize::from(d1))?;
    if d0 == 0 {
        return Some(DiInfo::single(di, name!(nm, "{en} count"), name!(nm, "{zh}总次数"), DiClass::Event, COUNT));
    }
    let (ne, nz) = nth(nm, d0)?;
    let (e, z) = (name!(nm, "{en} record, {ne}"), name!(nm, "({nz}){zh}记录"));
    Some(DiInfo::new(di, e, z, DiClass::Event, programming_fields(nm, d1)))
}

// ------------------------------------------------- event classes 10–1F (2009 filing)

/// The layout of an event record in the classes `10`–`1F`: which DI1 means what.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Schema {
    /// Voltage events (失压/欠压/过压/断相): phase values and ampere-hours.
    Voltage,
    /// Current events (失流/过流/断流): phase values, no ampere-hours.
    Current,
    /// Reverse phase sequence: phase energies only.
    Sequence,
    /// Power factor below its limit: totals only.
    PowerFactor,
}

struct Family {
    en: &'static str,
    zh: &'static str,
    /// DI2 values: `00` for the whole meter, `01`–`03` per phase.
    phases: &'static [u8],
    schema: Schema,
}

const ABC: &[u8] = &[1, 2, 3];
const TOTAL: &[u8] = &[0];
const TOTAL_ABC: &[u8] = &[0, 1, 2, 3];

fn event_2009_family(d3: u8) -> Option<Family> {
    let f = |en, zh, phases, schema| Some(Family { en, zh, phases, schema });
    match d3 {
        0x10 => f("Loss of voltage", "失压", TOTAL_ABC, Schema::Voltage),
        0x11 => f("Under-voltage", "欠压", ABC, Schema::Voltage),
        0x12 => f("Over-voltage", "过压", ABC, Schema::Voltage),
        0x13 => f("Phase break", "断相", ABC, Schema::Voltage),
        0x14 => f("Voltage reverse phase sequence", "电压逆相序", TOTAL, Schema::Sequence),
        0x15 => f("Current reverse phase sequence", "电流逆相序", TOTAL, Schema::Sequence),
        0x18 => f("Loss of current", "失流", ABC, Schema::Current),
        0x19 => f("Over-current", "过流", ABC, Schema::Current),
        0x1A => f("Current break", "断流", ABC, Schema::Current),
        0x1F => f("Total power factor below limit", "总功率因数超下限", TOTAL, Schema::PowerFactor),
        _ => None,
    }
}

/// The four total energies of a record (at the start or end of the event).
fn totals(nm: Naming, at_en: &str, at_zh: &str) -> Vec<Field> {
    [
        ("forward active energy", "正向有功总电能", Format::num("XXXXXX.XX", 4, 2, "kWh")),
        ("reverse active energy", "反向有功总电能", Format::num("XXXXXX.XX", 4, 2, "kWh")),
        ("combined reactive 1 energy", "组合无功1总电能", Format::signed("XXXXXX.XX", 4, 2, "kvarh")),
        ("combined reactive 2 energy", "组合无功2总电能", Format::signed("XXXXXX.XX", 4, 2, "kvarh")),
    ]
    .into_iter()
    .map(|(e, z, f)| Field::new(name!(nm, "{e} {at_en}"), name!(nm, "{at_zh}{z}"), f))
    .collect()
}

/// The four energies of one phase.
fn phase_energies(nm: Naming, p: u8, at_en: &str, at_zh: &str) -> Vec<Field> {
    [
        ("forward active energy", "正向有功电能", Format::num("XXXXXX.XX", 4, 2, "kWh")),
        ("reverse active energy", "反向有功电能", Format::num("XXXXXX.XX", 4, 2, "kWh")),
        ("combined reactive 1 energy", "组合无功1电能", Format::signed("XXXXXX.XX", 4, 2, "kvarh")),
        ("combined reactive 2 energy", "组合无功2电能", Format::signed("XXXXXX.XX", 4, 2, "kvarh")),
    ]
    .into_iter()
    .map(|(e, z, f)| {
        Field::new(name!(nm, "{} {e} {at_en}", phase_en(nm, p)), name!(nm, "{at_zh}{}{z}", phase_zh(nm, p)), f)
    })
    .collect()
}

/// The nine values of one phase at the start of an event: energies and instantaneous values.
fn phase_values(nm: Naming, p: u8) -> Vec<Field> {
    let mut v = phase_energies(nm, p, "at start", "发生时刻");
    let inst = [
        ("voltage", "电压", Format::num("XXX.X", 2, 1, "V")),
        ("current", "电流", Format::signed("XXX.XXX", 3, 3, "A")),
        ("active power", "有功功率", Format::signed("XX.XXXX", 3, 4, "kW")),
        ("reactive power", "无功功率", Format::signed("XX.XXXX", 3, 4, "kvar")),
        ("power factor", "功率因数", Format::signed("X.XXX", 2, 3, "")),
    ];
    v.extend(inst.into_iter().map(|(e, z, f)| {
        Field::new(name!(nm, "{} {e} at start", phase_en(nm, p)), name!(nm, "发生时刻{}{z}", phase_zh(nm, p)), f)
    }));
    v
}

/// The items of a record, in DI1 order from `01` (2009 filing of DL/T 645-2007).
/// The items of a schema: composed once without names (what dissection
/// asks for, every frame of the kind), or anew with names.
fn schema_items(nm: Naming, schema: Schema) -> Vec<Field> {
    if nm.0 { make_schema_items(nm, schema) } else { schema_layout(schema).to_vec() }
}

/// The `d1`-th item (from 1) of a schema.
fn schema_item(nm: Naming, schema: Schema, d1: u8) -> Option<Field> {
    let i = usize::from(d1).checked_sub(1)?;
    if nm.0 { make_schema_items(nm, schema).into_iter().nth(i) } else { schema_layout(schema).get(i).cloned() }
}

/// The items of a schema without names, made on first use.
fn schema_layout(schema: Schema) -> &'static [Field] {
    static MADE: [std::sync::OnceLock<Vec<Field>>; 4] = [const { std::sync::OnceLock::new() }; 4];
    MADE[schema as usize].get_or_init(|| make_schema_items(Naming(false), schema))
}

fn make_schema_items(nm: Naming, schema: Schema) -> Vec<Field> {
    let mut v = vec![start_time()];
    v.extend(totals(nm, "at start", "发生时刻"));
    match schema {
        Schema::Voltage | Schema::Current => (1..=3).for_each(|p| v.extend(phase_values(nm, p))),
        Schema::Sequence => (1..=3).for_each(|p| v.extend(phase_energies(nm, p, "at start", "发生时刻"))),
        Schema::PowerFactor => {}
    }
    if schema == Schema::Voltage {
        v.push(Field::new("ampere-hours, total", "总安时数", Format::num("XXXXXX.XX", 4, 2, "Ah")));
        v.extend((1..=3).map(|p| {
            Field::new(
                name!(nm, "ampere-hours, {}", phase_en(nm, p)),
                name!(nm, "{}安时数", phase_zh(nm, p)),
                Format::num("XXXXXX.XX", 4, 2, "Ah"),
            )
        }));
    }
    v.push(end_time());
    v.extend(totals(nm, "at end", "结束时刻"));
    if schema != Schema::PowerFactor {
        (1..=3).for_each(|p| v.extend(phase_energies(nm, p, "at end", "结束时刻")));
    }
    v
}

/// Number of items of a schema (DI1 `01`..=this).
fn schema_len(schema: Schema) -> u8 {
    match schema {
        Schema::Voltage => 0x35,
        Schema::Current => 0x31,
        Schema::Sequence => 0x22,
        Schema::PowerFactor => 0x0A,
    }
}

/// Event classes `10`–`1F`: `DI3 phase item n` (2009 filing of DL/T 645-2007).
fn event_2009(nm: Naming, di: u32, d3: u8, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    let fam = event_2009_family(d3)?;
    let known = match d1 {
        0x00 => matches!(d0, 0x01 | 0x02 | 0xFF),
        _ if d3 == 0x10 && d2 == 0 => matches!((d1, d0), (0x01 | 0x02 | 0xFF, 0x01)),
        0xFF => nth(nm, d0).is_some(),
        _ => d1 <= schema_len(fam.schema) && nth(nm, d0).is_some(),
    };
    if !known || !fam.phases.contains(&d2) {
        return None;
    }
    let (pe, pz) = if d2 == 0 {
        (Name::Borrowed(""), Name::Borrowed(""))
    } else {
        (name!(nm, ", {}", phase_en(nm, d2)), phase_zh(nm, d2))
    };
    let (en, zh) = (name!(nm, "{}{pe}", fam.en), name!(nm, "{pz}{}", fam.zh));
    if d3 == 0x10 && d2 == 0 {
        return loss_of_voltage_total(nm, di, d1, d0);
    }
    match d1 {
        0x00 => event_summary(nm, di, &en, &zh, d0),
        0xFF => {
            let (ne, nz) = nth(nm, d0)?;
            let (e, z) = (name!(nm, "{en} record, {ne}"), name!(nm, "({nz}){zh}记录"));
            Some(DiInfo::new(di, e, z, DiClass::Event, schema_items(nm, fam.schema)).into_block())
        }
        _ if d1 <= schema_len(fam.schema) => {
            let (ne, nz) = nth(nm, d0)?;
            let item = schema_item(nm, fam.schema, d1)?;
            let (e, z) = (name!(nm, "{en} record, {}, {ne}", item.en), name!(nm, "({nz}){zh}{}", item.zh));
            Some(DiInfo::single(di, e, z, DiClass::Event, item.format))
        }
        _ => None,
    }
}

/// `DI3 DI2 00 01` count, `02` total time, `FF` both.
fn event_summary(nm: Naming, di: u32, en: &str, zh: &str, d0: u8) -> Option<DiInfo> {
    let count = || Field::new(name!(nm, "{en}: count"), name!(nm, "{zh}总次数"), COUNT);
    let time = || Field::new(name!(nm, "{en}: total time"), name!(nm, "{zh}总累计时间"), MINUTES);
    let one = |f: Field| DiInfo::single(di, f.en, f.zh, DiClass::Event, f.format);
    match d0 {
        0x01 => Some(one(count())),
        0x02 => Some(one(time())),
        0xFF => Some(
            DiInfo::new(
                di,
                name!(nm, "{en}: count and total time"),
                name!(nm, "{zh}总次数及总累计时间"),
                DiClass::Event,
                vec![count(), time()],
            )
            .into_block(),
        ),
        _ => None,
    }
}

/// `10 00 …`: loss of voltage of the whole meter, with the latest start and end.
fn loss_of_voltage_total(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
    let latest = |en: &'static str, zh: &'static str| Field::new(en, zh, TIME6);
    match (d1, d0) {
        (0x00, _) => event_summary(nm, di, "Loss of voltage", "失压", d0),
        (0x01, 0x01) => Some(DiInfo::single(
            di,
            "Loss of voltage, latest start time".into(),
            "最近1次失压发生时刻".into(),
            DiClass::Event,
            TIME6,
        )),
        (0x02, 0x01) => Some(DiInfo::single(
            di,
            "Loss of voltage, latest end time".into(),
            "最近1次失压结束时刻".into(),
            DiClass::Event,
            TIME6,
        )),
        (0xFF, 0x01) => {
            let fields = vec![
                latest("latest start time", "最近1次失压发生时刻"),
                latest("latest end time", "最近1次失压结束时刻"),
            ];
            Some(
                DiInfo::new(
                    di,
                    "Loss of voltage, latest start and end".into(),
                    "最近1次失压发生及结束时刻".into(),
                    DiClass::Event,
                    fields,
                )
                .into_block(),
            )
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- parameters (A.5)

/// `04 00 DI1 DI0` entries (table A.5). From the 2009 filing: 04000108/09,
/// 04000207, 04000306/07, 0400040E and the groups 0F, 11, 12, 13, 14.
static PARAMETERS: &[(u8, u8, &str, &str, Format)] = &[
    (0x01, 0x01, "Date and weekday (0 = Sunday)", "日期及星期(其中0代表星期天)", Format::time("YYMMDDWW")),
    (0x01, 0x02, "Time", "时间", Format::time("hhmmss")),
    (0x01, 0x03, "Maximum demand period", "最大需量周期", Format::num("NN", 1, 0, "min")),
    (0x01, 0x04, "Slip time", "滑差时间", Format::num("NN", 1, 0, "min")),
    (0x01, 0x05, "Calibration pulse width", "校表脉冲宽度", Format::num("XXXX", 2, 0, "ms")),
    (0x01, 0x06, "Switch time of the two time-zone tables", "两套时区表切换时间", Format::time("YYMMDDhhmm")),
    (0x01, 0x07, "Switch time of the two day-slot tables", "两套日时段表切换时间", Format::time("YYMMDDhhmm")),
    (0x01, 0x08, "Switch time of the two tariff price sets", "两套费率电价切换时间", Format::time("YYMMDDhhmm")),
    (0x01, 0x09, "Switch time of the two step tables", "两套梯度切换时间", Format::time("YYMMDDhhmm")),
    (0x02, 0x01, "Number of annual time zones (p ≤ 14)", "年时区数p", Format::num("NN", 1, 0, "")),
    (0x02, 0x02, "Number of day-slot tables (q ≤ 8)", "日时段表数q", Format::num("NN", 1, 0, "")),
    (0x02, 0x03, "Number of day slots (m ≤ 14)", "日时段数(每日切换数)m", Format::num("NN", 1, 0, "")),
    (0x02, 0x04, "Number of tariffs (k ≤ 63)", "费率数k", Format::num("NN", 1, 0, "")),
    (0x02, 0x05, "Number of public holidays (n ≤ 254)", "公共假日数n", Format::num("NNNN", 2, 0, "")),
    (0x02, 0x06, "Harmonic analysis order", "谐波分析次数", Format::num("NN", 1, 0, "")),
    (0x02, 0x07, "Number of steps", "阶梯数", Format::num("NN", 1, 0, "")),
    (0x03, 0x01, "Auto-cycle display screens", "自动循环显示屏数", Format::num("NN", 1, 0, "")),
    (0x03, 0x02, "Display time per screen", "每屏显示时间", Format::num("NN", 1, 0, "s")),
    (0x03, 0x03, "Energy display decimals", "显示电能小数位数", Format::num("NN", 1, 0, "")),
    (0x03, 0x04, "Power (demand) display decimals", "显示功率(最大需量)小数位数", Format::num("NN", 1, 0, "")),
    (0x03, 0x05, "Key-cycle display screens", "按键循环显示屏数", Format::num("NN", 1, 0, "")),
    (0x03, 0x06, "Current transformer ratio", "电流互感器变比", Format::num("NNNNNN", 3, 0, "")),
    (0x03, 0x07, "Voltage transformer ratio", "电压互感器变比", Format::num("NNNNNN", 3, 0, "")),
    (0x04, 0x01, "Communication address", "通信地址", Format::digits("NNNNNNNNNNNN", 6)),
    (0x04, 0x02, "Meter number", "表号", Format::digits("NNNNNNNNNNNN", 6)),
    (0x04, 0x03, "Asset management code", "资产管理编码(ASCII码)", Format::ascii("ASCII(32)", 32)),
    (0x04, 0x04, "Rated voltage", "额定电压(ASCII码)", Format::ascii("ASCII(6)", 6)),
    (0x04, 0x05, "Rated current / basic current", "额定电流/基本电流(ASCII码)", Format::ascii("ASCII(6)", 6)),
    (0x04, 0x06, "Maximum current", "最大电流(ASCII码)", Format::ascii("ASCII(6)", 6)),
    (0x04, 0x07, "Active accuracy class", "有功准确度等级(ASCII码)", Format::ascii("ASCII(4)", 4)),
    (0x04, 0x08, "Reactive accuracy class", "无功准确度等级(ASCII码)", Format::ascii("ASCII(4)", 4)),
    (0x04, 0x09, "Meter active constant", "电表有功常数", Format::num("XXXXXX", 3, 0, "imp/kWh")),
    (0x04, 0x0A, "Meter reactive constant", "电表无功常数", Format::num("XXXXXX", 3, 0, "imp/kvarh")),
    (0x04, 0x0B, "Meter model", "电表型号(ASCII码)", Format::ascii("ASCII(10)", 10)),
    (0x04, 0x0C, "Production date", "生产日期(ASCII码)", Format::ascii("ASCII(10)", 10)),
    (0x04, 0x0D, "Protocol version", "协议版本号(ASCII码)", Format::ascii("ASCII(16)", 16)),
    (0x04, 0x0E, "Customer number", "客户编号", Format::digits("NNNNNNNNNNNN", 6)),
    (0x06, 0x01, "Active combination mode word", "有功组合方式特征字", Format::bits("NN", 1)),
    (0x06, 0x02, "Reactive combination mode word 1", "无功组合方式1特征字", Format::bits("NN", 1)),
    (0x06, 0x03, "Reactive combination mode word 2", "无功组合方式2特征字", Format::bits("NN", 1)),
    (0x07, 0x01, "Modulated infrared port rate word", "调制型红外光口通信速率特征字", Format::BAUD),
    (0x07, 0x02, "Contact infrared port rate word", "接触式红外光口通信速率特征字", Format::BAUD),
    (0x07, 0x03, "Port 1 communication rate word", "通信口1通信速率特征字", Format::BAUD),
    (0x07, 0x04, "Port 2 communication rate word", "通信口2通信速率特征字", Format::BAUD),
    (0x07, 0x05, "Port 3 communication rate word", "通信口3通信速率特征字", Format::BAUD),
    (0x08, 0x01, "Weekly rest day word", "周休日特征字", Format::bits("NN", 1)),
    (0x08, 0x02, "Day-slot table used on rest days", "周休日采用的日时段表号", Format::num("NN", 1, 0, "")),
    (0x09, 0x01, "Load record mode word", "负荷记录模式字", Format::bits("NN", 1)),
    (0x09, 0x02, "Timed freeze mode word", "定时冻结数据模式字", Format::bits("NN", 1)),
    (0x09, 0x03, "Instantaneous freeze mode word", "瞬时冻结数据模式字", Format::bits("NN", 1)),
    (0x09, 0x04, "Agreed freeze mode word", "约定冻结数据模式字", Format::bits("NN", 1)),
    (0x09, 0x05, "Hourly freeze mode word", "整点冻结数据模式字", Format::bits("NN", 1)),
    (0x09, 0x06, "Daily freeze mode word", "日冻结数据模式字", Format::bits("NN", 1)),
    (0x0A, 0x01, "Load record start time", "负荷记录起始时间", Format::time("MMDDhhmm")),
    (0x0E, 0x01, "Forward active power upper limit", "正向有功功率上限值", Format::num("XX.XXXX", 3, 4, "kW")),
    (0x0E, 0x02, "Reverse active power upper limit", "反向有功功率上限值", Format::num("XX.XXXX", 3, 4, "kW")),
    (0x0E, 0x03, "Voltage upper limit", "电压上限值", Format::num("XXX.X", 2, 1, "V")),
    (0x0E, 0x04, "Voltage lower limit", "电压下限值", Format::num("XXX.X", 2, 1, "V")),
    (0x0F, 0x01, "Alarm amount 1 limit", "报警金额1限值", Format::num("XXXXXX.XX", 4, 2, "yuan")),
    (0x0F, 0x02, "Alarm amount 2 limit", "报警金额2限值", Format::num("XXXXXX.XX", 4, 2, "yuan")),
    (0x0F, 0x03, "Hoarding amount limit", "囤积金额限值", Format::num("XXXXXX.XX", 4, 2, "yuan")),
    (0x0F, 0x04, "Overdraft amount limit", "透支金额限值", Format::num("XXXXXX.XX", 4, 2, "yuan")),
    (0x11, 0x01, "Meter running feature word 1", "电表运行特征字1", Format::bits("NN", 1)),
    (0x12, 0x01, "Hourly freeze start time", "整点冻结起始时间", Format::time("YYMMDDhhmm")),
    (0x12, 0x02, "Hourly freeze interval", "整点冻结时间间隔", Format::num("NN", 1, 0, "min")),
    (0x12, 0x03, "Daily freeze time", "日冻结时间", Format::time("hhmm")),
    (0x13, 0x01, "Wireless signal strength indication", "无线通信在线及信号强弱指示", Format::num("NN", 1, 0, "")),
    (0x14, 0x01, "Trip delay time", "跳闸延时时间", Format::num("NNNN", 2, 0, "min")),
];

/// Parameter groups `04 00 DI1` whose `FF` block the standard defines.
const PARAMETER_BLOCKS: &[u8] = &[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0E, 0x0F, 0x12];

/// Numbered parameters `04 00 DI1 01..`: run status words, load intervals,
/// settlement days, passwords, line coefficients.
fn numbered_parameter(nm: Naming, d1: u8, d0: u8) -> Option<(Name, Name, Format)> {
    match (d1, d0) {
        (0x05, 1..=7) => {
            Some((name!(nm, "Meter run status word {d0}"), name!(nm, "电表运行状态字{d0}"), Format::bits("XXXX", 2)))
        }
        (0x0A, 2..=7) => Some((
            name!(nm, "Class {} load record interval", d0 - 1),
            name!(nm, "第{}类负荷记录间隔时间", d0 - 1),
            Format::num("NNNN", 2, 0, "min"),
        )),
        (0x0B, 1..=3) => {
            Some((name!(nm, "Settlement day {d0} of the month"), name!(nm, "每月第{d0}结算日"), Format::time("DDhh")))
        }
        (0x0C, 1..=10) => {
            Some((name!(nm, "Level {} password", d0 - 1), name!(nm, "{}级密码", d0 - 1), Format::bits("NNNNNNNN", 4)))
        }
        (0x0D, 1..=12) => {
            const COEF: [(&str, &str); 4] =
                [("conductance", "电导"), ("susceptance", "电纳"), ("resistance", "电阻"), ("reactance", "电抗")];
            let (p, (e, z)) = ((d0 - 1) / 4 + 1, COEF[usize::from((d0 - 1) % 4)]);
            Some((
                name!(nm, "{} {e} coefficient", phase_en(nm, p)),
                name!(nm, "{}{z}系数", phase_zh(nm, p)),
                Format::digits("NNNN", 2),
            ))
        }
        _ => None,
    }
}

fn parameter_entry(nm: Naming, d1: u8, d0: u8) -> Option<(Name, Name, Format)> {
    PARAMETERS
        .iter()
        .find(|p| p.0 == d1 && p.1 == d0)
        .map(|p| (p.2.into(), p.3.into(), p.4))
        .or_else(|| numbered_parameter(nm, d1, d0))
}

/// Parameters, table A.5: `04 DI2 DI1 DI0`.
fn parameter(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    match d2 {
        0x00 => basic_parameter(nm, di, d1, d0),
        0x01 | 0x02 => tariff_tables(nm, di, d2, d1, d0),
        0x03 if d1 == 0 && (0x01..=0xFE).contains(&d0) => Some(DiInfo::single(
            di,
            name!(nm, "Public holiday {d0}: date and day-slot table"),
            name!(nm, "第{d0}公共假日日期及日时段表号"),
            DiClass::Parameter,
            Format::time("YYMMDDNN"),
        )),
        0x04 if (0x01..=0x02).contains(&d1) && (0x01..=0xFE).contains(&d0) => {
            let (e, z) = if d1 == 1 {
                ("Auto-cycle display", "自动循环显示")
            } else {
                ("Key-cycle display", "按键循环显示")
            };
            let f = Format::raw("NNNNNNNNNN", 5);
            Some(DiInfo::single(
                di,
                name!(nm, "{e}, screen {d0}: item"),
                name!(nm, "{z}第{d0}屏显示数据项"),
                DiClass::Parameter,
                f,
            ))
        }
        0x80 if d1 == 0 => versions(di, d0),
        _ => None,
    }
}

fn basic_parameter(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
    if d0 == 0xFF {
        if !PARAMETER_BLOCKS.contains(&d1) {
            return None;
        }
        let fields: Vec<Field> =
            (1..=0x0Eu8).filter_map(|i| parameter_entry(nm, d1, i)).map(|(e, z, f)| Field::new(e, z, f)).collect();
        let (en, zh) = (name!(nm, "Parameters 0400{d1:02X}xx, block"), name!(nm, "参变量0400{d1:02X}xx数据块"));
        return Some(DiInfo::new(di, en, zh, DiClass::Parameter, fields).into_block());
    }
    let (en, zh, f) = parameter_entry(nm, d1, d0)?;
    Some(DiInfo::single(di, en, zh, DiClass::Parameter, f))
}

/// Time-zone and day-slot tables of the first (`04 01`) and second (`04 02`) set.
fn tariff_tables(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    if d1 != 0 || d0 > 8 {
        return None;
    }
    let (se, sz) = if d2 == 1 { ("First", "第一套") } else { ("Second", "第二套") };
    let info = if d0 == 0 {
        let f =
            Field::new("time zone: start date and day-slot table", "时区起始日期及日时段表号", Format::time("MMDDNN"));
        DiInfo::new(
            di,
            name!(nm, "{se} set: time-zone table"),
            name!(nm, "{sz}时区表数据"),
            DiClass::Parameter,
            vec![f],
        )
        .repeated(Items::Numbered { en: "time zone", zh: "时区", max: 14 })
    } else {
        let f = Field::new("day slot: start time and tariff", "时段起始时间及费率号", Format::time("hhmmNN"));
        let (en, zh) = (name!(nm, "{se} set: day-slot table {d0}"), name!(nm, "{sz}第{d0}日时段表数据"));
        DiInfo::new(di, en, zh, DiClass::Parameter, vec![f]).repeated(Items::Numbered {
            en: "slot",
            zh: "时段",
            max: 14,
        })
    };
    Some(info)
}

fn versions(di: u32, d0: u8) -> Option<DiInfo> {
    const V: [(&str, &str); 3] = [
        ("Manufacturer software version", "厂家软件版本号(ASCII码)"),
        ("Manufacturer hardware version", "厂家硬件版本号(ASCII码)"),
        ("Manufacturer number", "厂家编号(ASCII码)"),
    ];
    let f = Format::ascii("ASCII(32)", 32);
    match d0 {
        0x01..=0x03 => {
            let (e, z) = V[usize::from(d0 - 1)];
            Some(DiInfo::single(di, e.into(), z.into(), DiClass::Parameter, f))
        }
        0xFF => {
            let fields = V.iter().map(|(e, z)| Field::new(*e, *z, f)).collect();
            Some(
                DiInfo::new(
                    di,
                    "Manufacturer versions, block".into(),
                    "厂家版本信息数据块".into(),
                    DiClass::Parameter,
                    fields,
                )
                .into_block(),
            )
        }
        _ => None,
    }
}

// ---------------------------------------------------------------- freezes (A.6)

/// DI2 of the freeze class: names and how many past freezes DI0 reaches.
fn freeze_kind(d2: u8) -> Option<(&'static str, &'static str, u8)> {
    match d2 {
        0x00 => Some(("Timed freeze", "定时冻结", 12)),
        0x01 => Some(("Instantaneous freeze", "瞬时冻结", 3)),
        0x02 => Some(("Time-zone table switch freeze", "两套时区表切换冻结", 2)),
        0x03 => Some(("Day-slot table switch freeze", "两套日时段表切换冻结", 2)),
        0x04 => Some(("Hourly freeze", "整点冻结", 254)),
        0x06 => Some(("Daily freeze", "日冻结", 62)),
        _ => None,
    }
}

fn freeze_energy(en: &'static str, zh: &'static str, k: usize) -> Field {
    Field::new(en, zh, energy_format(&QUANTITIES[k]))
}

/// The item DI1 of a freeze (table A.6): its fields and whether they repeat per tariff.
fn freeze_item(nm: Naming, d2: u8, d1: u8) -> Option<(&'static str, &'static str, Vec<Field>, Option<Items>)> {
    if d2 == 0x04 {
        return match d1 {
            0x00 => {
                Some(("time", "时间", vec![Field::new("freeze time", "冻结时间", Format::time("YYMMDDhhmm"))], None))
            }
            0x01 => Some((
                "forward active energy, total",
                "正向有功总电能",
                vec![freeze_energy("forward active energy", "正向有功总电能", 1)],
                None,
            )),
            0x02 => Some((
                "reverse active energy, total",
                "反向有功总电能",
                vec![freeze_energy("reverse active energy", "反向有功总电能", 2)],
                None,
            )),
            _ => None,
        };
    }
    const ENERGIES: [(&str, &str); 8] = [
        ("forward active energy data", "正向有功电能数据"),
        ("reverse active energy data", "反向有功电能数据"),
        ("combined reactive 1 energy data", "组合无功1电能数据"),
        ("combined reactive 2 energy data", "组合无功2电能数据"),
        ("quadrant I reactive energy data", "第一象限无功电能数据"),
        ("quadrant II reactive energy data", "第二象限无功电能数据"),
        ("quadrant III reactive energy data", "第三象限无功电能数据"),
        ("quadrant IV reactive energy data", "第四象限无功电能数据"),
    ];
    match d1 {
        0x00 => Some(("time", "时间", vec![Field::new("freeze time", "冻结时间", Format::time("YYMMDDhhmm"))], None)),
        0x01..=0x08 => {
            let (e, z) = ENERGIES[usize::from(d1 - 1)];
            Some((e, z, vec![freeze_energy(e, z, usize::from(d1))], Some(Items::Tariffs)))
        }
        0x09 | 0x0A => {
            let (e, z) = if d1 == 9 {
                ("forward active maximum demand and time data", "正向有功最大需量及发生时间数据")
            } else {
                ("reverse active maximum demand and time data", "反向有功最大需量及发生时间数据")
            };
            Some((e, z, demand_fields(&QUANTITIES[usize::from(d1 - 8)]), Some(Items::Tariffs)))
        }
        0x10 => Some(("variable data", "变量数据", freeze_variables(nm), None)),
        _ => None,
    }
}

/// `05 xx 10 n`: active power total/A/B/C then reactive power total/A/B/C.
fn freeze_variables(nm: Naming) -> Vec<Field> {
    let names = [("total", "总"), ("phase A", "A相"), ("phase B", "B相"), ("phase C", "C相")];
    let mut v = Vec::new();
    for (e, z, unit) in [("active power", "有功功率", "kW"), ("reactive power", "无功功率", "kvar")] {
        for (pe, pz) in names {
            v.push(Field::new(name!(nm, "{e}, {pe}"), name!(nm, "{pz}{z}"), Format::signed("XX.XXXX", 3, 4, unit)));
        }
    }
    v
}

/// Freezes, table A.6: `05 kind item n`.
fn freeze(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    let (ke, kz, count) = freeze_kind(d2)?;
    if d0 == 0 || d0 > count {
        return None;
    }
    let (ne, nz) = (name!(nm, "last {d0}"), name!(nm, "上{d0}次"));
    if d1 == 0xFF {
        let (e, z) = (name!(nm, "{ke}: data block, {ne}"), name!(nm, "({nz}){kz}数据块"));
        return Some(DiInfo::new(di, e, z, DiClass::Freeze, vec![rest()]).into_block());
    }
    let (ie, iz, fields, items) = freeze_item(nm, d2, d1)?;
    let kz = kz.trim_end_matches("冻结").trim_end_matches("切换");
    let zh =
        if d2 == 0x02 || d2 == 0x03 { name!(nm, "({nz}){kz}切换{iz}") } else { name!(nm, "({nz}){kz}冻结{iz}") };
    let info = DiInfo::new(di, name!(nm, "{ke}: {ie}, {ne}"), zh, DiClass::Freeze, fields);
    Some(match items {
        Some(i) => info.repeated(i),
        None => info,
    })
}

// ---------------------------------------------------------------- load records (A.7)

/// Load records, table A.7: `06 class 00 which` (class 0 = all, 1–6).
fn load_record(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    if d2 > 6 || d1 != 0 || d0 > 2 {
        return None;
    }
    const WHICH: [(&str, &str); 3] = [
        ("earliest record block", "最早记录块"),
        ("record block at a given time", "给定时间记录块"),
        ("latest record block", "最近一个记录块"),
    ];
    let (we, wz) = WHICH[usize::from(d0)];
    let (ce, cz) = if d2 == 0 {
        ("all classes".into(), Name::Borrowed(""))
    } else {
        (name!(nm, "class {d2}"), name!(nm, "第{d2}类负荷"))
    };
    let f = Field::new("load record (Appendix B)", "负荷记录(附录B)", Format::REST);
    Some(DiInfo::new(di, name!(nm, "Load record, {ce}, {we}"), name!(nm, "{cz}{wz}"), DiClass::LoadRecord, vec![f]))
}

// ======================================================== DL/T 645-1997 (Appendix A)

/// Look up a DL/T 645-1997 identifier (`0x9010`).
pub fn lookup_1997(di: u16) -> Option<DiInfo> {
    lookup_1997_with(Naming(true), di)
}

/// What [`lookup_1997`] gives, without composing names (for the dissector).
pub fn layout_1997(di: u16) -> Option<DiInfo> {
    lookup_1997_with(Naming(false), di)
}

fn lookup_1997_with(nm: Naming, di: u16) -> Option<DiInfo> {
    let [d1, d0] = di.to_be_bytes();
    let info = match d1 >> 4 {
        0x9 => energy_1997(nm, d1, d0, false),
        0xA => energy_1997(nm, d1, d0, true),
        0xB if matches!(d1 & 0x0F, 0x0 | 0x1 | 0x4 | 0x5 | 0x8 | 0x9) => demand_time_1997(nm, d1, d0),
        0xB | 0xC => table_1997(nm, di),
        _ => None,
    }?;
    Some(DiInfo { di: u32::from(di), width: 2, ..info })
}

/// Every DL/T 645-1997 identifier the dictionary names, ascending.
pub fn enumerate_1997() -> impl Iterator<Item = u16> {
    (0u16..=0xFFFF).filter(|&di| lookup_1997(di).is_some())
}

/// DI1 low nibble of classes 9/A/B: bit 0 reactive, bits 2–3 the month.
fn month_1997(d1: u8) -> Option<(&'static str, &'static str, bool)> {
    let reactive = d1 & 0x01 != 0;
    if d1 & 0x02 != 0 {
        return None;
    }
    match (d1 >> 2) & 0x03 {
        0 => Some(("current", "当前", reactive)),
        1 => Some(("last month", "上月", reactive)),
        2 => Some(("month before last", "上上月", reactive)),
        _ => None,
    }
}

/// DI0 high nibble: the quantity (active: 1 forward, 2 reverse; reactive: 1
/// forward, 2 reverse, 3 quadrant I, 4 quadrant IV, 5 quadrant II, 6 quadrant III).
fn quantity_1997(reactive: bool, k: u8) -> Option<(&'static str, &'static str)> {
    const ACTIVE: [(&str, &str); 2] = [("Forward active", "正向有功"), ("Reverse active", "反向有功")];
    const REACTIVE: [(&str, &str); 6] = [
        ("Forward reactive", "正向无功"),
        ("Reverse reactive", "反向无功"),
        ("Quadrant I reactive", "一象限无功"),
        ("Quadrant IV reactive", "四象限无功"),
        ("Quadrant II reactive", "二象限无功"),
        ("Quadrant III reactive", "三象限无功"),
    ];
    let table: &[(&str, &str)] = if reactive { &REACTIVE } else { &ACTIVE };
    table.get(usize::from(k).checked_sub(1)?).copied()
}

/// Energy (`9xxx`) and maximum demand (`Axxx`) of DL/T 645-1997.
fn energy_1997(nm: Naming, d1: u8, d0: u8, demand: bool) -> Option<DiInfo> {
    let (me, mz, reactive) = month_1997(d1)?;
    let (qe, qz) = quantity_1997(reactive, d0 >> 4)?;
    let t = d0 & 0x0F;
    let (te, tz) = match t {
        0 => ("total".into(), "总".into()),
        0xF => ("block".into(), Name::Borrowed("")),
        n => (name!(nm, "tariff {n}"), name!(nm, "费率{n}")),
    };
    let (what_en, what_zh, format) = if demand {
        let unit = if reactive { "kvar" } else { "kW" };
        ("maximum demand", "最大需量", Format::num("XX.XXXX", 3, 4, unit))
    } else {
        let unit = if reactive { "kvarh" } else { "kWh" };
        ("energy", "电能", Format::num("XXXXXX.XX", 4, 2, unit))
    };
    let block = if t == 0xF { "数据块" } else { "" };
    let en = name!(nm, "{qe} {what_en}, {te}, {me}");
    let zh = name!(nm, "({mz}){qz}{tz}{what_zh}{block}");
    let class = if demand { DiClass::Demand } else { DiClass::Energy };
    let info = DiInfo::single(0, en, zh, class, format);
    Some(if t == 0xF { info.repeated(Items::Tariffs) } else { info })
}

/// Time of maximum demand (`B0`, `B1`, `B4`, `B5`, `B8`, `B9`), MMDDhhmm.
fn demand_time_1997(nm: Naming, d1: u8, d0: u8) -> Option<DiInfo> {
    let (me, mz, reactive) = month_1997(d1)?;
    let (qe, qz) = quantity_1997(reactive, d0 >> 4)?;
    let t = d0 & 0x0F;
    let (te, tz) = match t {
        0 => ("total".into(), "总".into()),
        0xF => ("block".into(), Name::Borrowed("")),
        n => (name!(nm, "tariff {n}"), name!(nm, "费率{n}")),
    };
    let block = if t == 0xF { "数据块" } else { "" };
    let en = name!(nm, "{qe} maximum demand time, {te}, {me}");
    let zh = name!(nm, "({mz}){qz}{tz}最大需量发生时间{block}");
    let info = DiInfo::single(0, en, zh, DiClass::Demand, Format::time("MMDDhhmm"));
    Some(if t == 0xF { info.repeated(Items::Tariffs) } else { info })
}

/// Variables and parameters of DL/T 645-1997 (`B2`, `B3`, `B6`, `C0`–`C5`).
static TABLE_1997: &[(u16, &str, &str, Format)] = &[
    (0xB210, "Latest programming time", "最近一次编程时间", Format::time("MMDDhhmm")),
    (0xB211, "Latest maximum demand clear time", "最近一次最大需量清零时间", Format::time("MMDDhhmm")),
    (0xB212, "Programming count", "编程次数", Format::num("NNNN", 2, 0, "")),
    (0xB213, "Maximum demand clear count", "最大需量清零次数", Format::num("NNNN", 2, 0, "")),
    (0xB214, "Battery working time", "电池工作时间", Format::num("NNNNNN", 3, 0, "min")),
    (0xB310, "Phase break count, total", "总断相次数", Format::num("NNNN", 2, 0, "")),
    (0xB320, "Phase break time, total", "断相时间累计值", Format::num("NNNNNN", 3, 0, "min")),
    (0xB330, "Latest phase break start", "最近一次断相起始时刻", Format::time("MMDDhhmm")),
    (0xB340, "Latest phase break end", "最近一次断相结束时刻", Format::time("MMDDhhmm")),
    (0xB630, "Instantaneous active power, total", "瞬时有功功率", Format::num("XX.XXXX", 3, 4, "kW")),
    (0xB634, "Forward active power upper limit", "正向有功功率上限值", Format::num("XX.XXXX", 3, 4, "kW")),
    (0xB635, "Reverse active power upper limit", "反向有功功率上限值", Format::num("XX.XXXX", 3, 4, "kW")),
    (0xB640, "Instantaneous reactive power, total", "瞬时无功功率", Format::num("XX.XX", 2, 2, "kvar")),
    (0xB650, "Power factor, total", "总功率因数", Format::num("X.XXX", 2, 3, "")),
    (0xC010, "Date and weekday", "日期及周次", Format::time("YYMMDDWW")),
    (0xC011, "Time", "时间", Format::time("hhmmss")),
    (0xC020, "Meter run status word", "电表运行状态字", Format::bits("NN", 1)),
    (0xC021, "Grid status word", "电网状态字", Format::bits("NN", 1)),
    (0xC022, "Weekly rest day status word", "周休日状态字", Format::bits("NN", 1)),
    (0xC030, "Meter constant (active)", "电表常数(有功)", Format::num("NNNNNN", 3, 0, "imp/kWh")),
    (0xC031, "Meter constant (reactive)", "电表常数(无功)", Format::num("NNNNNN", 3, 0, "imp/kvarh")),
    (0xC032, "Meter number", "表号", Format::digits("NNNNNNNNNNNN", 6)),
    (0xC033, "User number", "用户号", Format::digits("NNNNNNNNNNNN", 6)),
    (0xC034, "Device code", "设备码", Format::digits("NNNNNNNNNNNN", 6)),
    (0xC111, "Maximum demand period", "最大需量周期", Format::num("NN", 1, 0, "min")),
    (0xC112, "Slip time", "滑差时间", Format::num("NN", 1, 0, "min")),
    (0xC113, "Cyclic display time", "循显时间", Format::num("NN", 1, 0, "s")),
    (0xC114, "Hold display time", "停显时间", Format::num("NN", 1, 0, "s")),
    (0xC115, "Energy display decimals", "显示电能小数位数", Format::num("NN", 1, 0, "")),
    (0xC116, "Power (demand) display decimals", "显示功率(最大需量)小数位数", Format::num("NN", 1, 0, "")),
    (0xC117, "Automatic reading day", "自动抄表日期", Format::time("DDhh")),
    (0xC118, "Load representative day", "负荷代表日", Format::num("NN", 1, 0, "")),
    (0xC119, "Active energy start reading", "有功电能起始读数", Format::num("NNNNNN.N", 4, 1, "kWh")),
    (0xC11A, "Reactive energy start reading", "无功电能起始读数", Format::num("NNNNNN.N", 4, 1, "kvarh")),
    (0xC211, "Output pulse width", "输出脉冲宽度", Format::num("NNNN", 2, 0, "ms")),
    (0xC212, "Password level and password", "密码权限及密码", Format::bits("NNNNNNNN", 4)),
    (0xC310, "Number of annual time zones P", "年时区数P", Format::num("NN", 1, 0, "")),
    (0xC311, "Number of day-slot tables q", "日时段表数q", Format::num("NN", 1, 0, "")),
    (0xC312, "Number of day slots m", "日时段(每日切换数)m", Format::num("NN", 1, 0, "")),
    (0xC313, "Number of tariffs k", "费率数k", Format::num("NN", 1, 0, "")),
    (0xC314, "Number of public holidays n", "公共假日数n", Format::num("NN", 1, 0, "")),
    (0xC41E, "Day-slot table used on rest days", "周休日采用的日时段表号", Format::num("NN", 1, 0, "")),
    (0xC510, "Load record start time", "负荷记录起始时间", Format::time("MMDDhhmm")),
    (0xC511, "Load record interval", "负荷记录间隔时间", Format::num("NNNN", 2, 0, "min")),
];

/// Per-phase 1997 variables `Bxx1`–`Bxx3` (A, B, C).
fn phase_variable_1997(di: u16) -> Option<(Name, Name, Format)> {
    let p = (di & 0x0F) as u8;
    if !(1..=3).contains(&p) {
        return None;
    }
    let (e, z, f) = match di & 0xFFF0 {
        0xB310 => ("phase break count", "断相次数", Format::num("NNNN", 2, 0, "")),
        0xB320 => ("phase break time", "断相时间累计值", Format::num("NNNNNN", 3, 0, "min")),
        0xB330 => ("latest phase break start", "最近一次断相起始时刻", Format::time("MMDDhhmm")),
        0xB340 => ("latest phase break end", "最近一次断相结束时刻", Format::time("MMDDhhmm")),
        0xB610 => ("voltage", "电压", Format::num("XXX", 2, 0, "V")),
        0xB620 => ("current", "电流", Format::num("XX.XX", 2, 2, "A")),
        0xB630 => ("active power", "有功功率", Format::num("XX.XXXX", 3, 4, "kW")),
        0xB640 => ("reactive power", "无功功率", Format::num("XX.XX", 2, 2, "kvar")),
        0xB650 => ("power factor", "功率因数", Format::num("X.XXX", 2, 3, "")),
        _ => return None,
    };
    Some((
        name!(Naming(true), "{} {e}", phase_en(Naming(true), p)),
        name!(Naming(true), "{}{z}", phase_zh(Naming(true), p)),
        f,
    ))
}

/// Numbered 1997 parameters: time zones `C321`–`C32E`, day slots `C3q1`–`C3qA`
/// (table q = 1–8 at `C33x`–`C3Ax`), public holidays `C411`–`C41D`.
fn numbered_1997(di: u16) -> Option<(Name, Name, Format)> {
    let (hi, lo) = (((di >> 4) & 0xFF) as u8, (di & 0x0F) as u8);
    match (hi, lo) {
        (0x32, 1..=0x0E) => Some((
            name!(Naming(true), "Time zone {lo}: start date and day-slot table"),
            name!(Naming(true), "第{lo}时区起始日期及日时段表号"),
            Format::time("MMDDNN"),
        )),
        (0x33..=0x3A, 1..=0x0A) => {
            let q = hi - 0x32;
            Some((
                name!(Naming(true), "Day-slot table {q}, slot {lo}: start time and tariff"),
                name!(Naming(true), "第{q}日时段表第{lo}时段起始时间及费率号"),
                Format::time("hhmmNN"),
            ))
        }
        (0x41, 1..=0x0D) => Some((
            name!(Naming(true), "Public holiday {lo}: date and day-slot table"),
            name!(Naming(true), "第{lo}公共假日日期及日时段表号"),
            Format::time("MMDDNN"),
        )),
        _ => None,
    }
}

fn entry_1997(di: u16) -> Option<(Name, Name, Format)> {
    TABLE_1997
        .iter()
        .find(|e| e.0 == di)
        .map(|e| (e.1.into(), e.2.into(), e.3))
        .or_else(|| phase_variable_1997(di))
        .or_else(|| numbered_1997(di & 0x0FFF).filter(|_| di >> 12 == 0xC))
}

/// Single 1997 entries and their `xxxF` blocks (all members `xxx0`–`xxxE` in order).
fn table_1997(nm: Naming, di: u16) -> Option<DiInfo> {
    let class = if di >> 12 == 0xB { DiClass::Variable } else { DiClass::Parameter };
    if di & 0x0F != 0x0F {
        let (en, zh, f) = entry_1997(di)?;
        return Some(DiInfo::single(0, en, zh, class, f));
    }
    let fields: Vec<Field> =
        (0..0x0F).filter_map(|i| entry_1997((di & 0xFFF0) | i)).map(|(e, z, f)| Field::new(e, z, f)).collect();
    if fields.len() < 2 {
        return None;
    }
    let (en, zh) = (name!(nm, "Block {:04X}", di), name!(nm, "{:04X}数据块", di));
    Some(DiInfo::new(0, en, zh, class, fields).into_block())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn composed_names() {
        let e = lookup(0x0001_0000).unwrap();
        assert_eq!((&*e.zh, &*e.en), ("(当前)正向有功总电能", "Forward active energy, total, current"));
        assert_eq!((e.format(), e.len(), e.unit()), ("XXXXXX.XX".to_string(), Some(4), "kWh"));
        assert_eq!(lookup(0x0002_0301).unwrap().zh, "(上1结算日)反向有功费率3电能");
        assert_eq!(lookup(0x0015_0000).unwrap().zh, "(当前)A相正向有功电能");
        assert_eq!(lookup(0x0003_0000).unwrap().unit(), "kvarh");
        assert_eq!(lookup(0x0101_0000).unwrap().format(), "XX.XXXX+YYMMDDhhmm");
        assert_eq!(lookup(0x0201_0100).unwrap().zh, "A相电压");
        assert_eq!(lookup(0x0201_FF00).unwrap().format(), "XXX.X×3");
        assert_eq!(lookup(0x0280_0007).unwrap().zh, "表内温度");
        assert_eq!(lookup(0x0280_0002).unwrap().unit(), "Hz");
        assert_eq!(lookup(0x0330_0000).unwrap().zh, "编程总次数");
        assert_eq!(lookup(0x0330_0001).unwrap().zh, "(上1次)编程记录");
        assert_eq!(lookup(0x0311_0000).unwrap().zh, "掉电总次数");
        assert_eq!(lookup(0x0400_0401).unwrap().len(), Some(6));
        assert_eq!(lookup(0x0400_0403).unwrap().len(), Some(32));
        assert_eq!(lookup(0x0500_0001).unwrap().zh, "(上1次)定时冻结时间");
        assert_eq!(lookup(0x0502_0101).unwrap().zh, "(上1次)两套时区表切换正向有功电能数据");
        assert_eq!(lookup(0x1001_2501).unwrap().zh, "(上1次)A相失压结束时刻");
        assert_eq!(lookup(0x1001_0201).unwrap().zh, "(上1次)A相失压发生时刻正向有功总电能");
        assert!(lookup(0x0000_4000).is_none() && lookup(0x0016_0100).is_none() && lookup(0x0700_0000).is_none());
        assert!(lookup(0x0500_000D).is_none() && lookup(0x0501_0004).is_none());
    }

    #[test]
    fn composed_names_1997() {
        let e = lookup_1997(0x9010).unwrap();
        assert_eq!((&*e.zh, e.canonical().as_str(), e.unit()), ("(当前)正向有功总电能", "9010", "kWh"));
        assert_eq!(lookup_1997(0x9020).unwrap().zh, "(当前)反向有功总电能");
        assert!(lookup_1997(0x901F).unwrap().block);
        assert_eq!(lookup_1997(0x9110).unwrap().unit(), "kvarh");
        assert_eq!(lookup_1997(0xB611).unwrap().format(), "XXX");
        assert_eq!(lookup_1997(0xB621).unwrap().format(), "XX.XX");
        assert_eq!(lookup_1997(0xB630).unwrap().format(), "XX.XXXX");
        assert_eq!(lookup_1997(0xC032).unwrap().zh, "表号");
        assert_eq!(lookup_1997(0xC010).unwrap().format(), "YYMMDDWW");
        assert!(lookup_1997(0x9030).is_none() && lookup_1997(0x9210).is_none() && lookup_1997(0xD000).is_none());
    }

    /// The dictionary names at least 2,500 identifiers, spread over every class.
    #[test]
    fn enumerated_counts_per_class() {
        let mut per_class: BTreeMap<(u8, DiClass), usize> = BTreeMap::new();
        let mut total = 0usize;
        let mut last = None;
        for di in enumerate() {
            assert!(last < Some(di), "ascending and distinct");
            last = Some(di);
            let info = lookup(di).expect("enumerated ids resolve");
            let d3 = (di >> 24) as u8;
            *per_class.entry((if d3 >= 0x10 { 0x10 } else { d3 }, info.class)).or_default() += 1;
            total += 1;
            assert!(!info.en.is_empty() && info.zh.chars().any(|c| c as u32 > 0x2E80), "{di:08X}");
            // The layout a dissector reads is the named lookup without its names.
            let bare = layout(di).expect("enumerated ids have a layout");
            let formats = |i: &DiInfo| i.fields.iter().map(|f| f.format).collect::<Vec<_>>();
            assert_eq!(
                (bare.class, bare.items, bare.block, bare.width, formats(&bare)),
                (info.class, info.items, info.block, info.width, formats(&info)),
                "{di:08X}"
            );
        }
        eprintln!("DL/T 645-2007 identifiers: {total} {per_class:?}");
        assert!(total >= 2500);
        for class in [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10] {
            assert!(per_class.keys().any(|k| k.0 == class), "class {class:02X} is empty");
        }
        let mut per_class_97: BTreeMap<DiClass, usize> = BTreeMap::new();
        for di in enumerate_1997() {
            *per_class_97.entry(lookup_1997(di).expect("enumerated ids resolve").class).or_default() += 1;
        }
        let n97: usize = per_class_97.values().sum();
        eprintln!("DL/T 645-1997 identifiers: {n97} {per_class_97:?}");
        assert!(n97 > 1000 && per_class_97.len() == 4);
    }

    /// Random identifiers the dictionary names are all in the enumeration
    /// (the pruning by DI2 loses nothing).
    #[test]
    fn enumeration_prunes_nothing() {
        let mut rng = crate::testkit::Rng::new(0x2545_F491_4F6C_DD1D);
        for _ in 0..200_000 {
            let di = rng.next_u64() as u32 & 0x1FFF_FFFF;
            if lookup(di).is_some() {
                let [d3, d2, ..] = di.to_be_bytes();
                assert!(d2_known(d3, d2), "{di:08X}");
            }
        }
        for d3 in (0x00u8..=0x06).chain(0x10..=0x1F) {
            for d2 in 0..=255u8 {
                let named =
                    [0x00, 0x01, 0xFF].iter().any(|&d1| lookup(u32::from_be_bytes([d3, d2, d1, 0x01])).is_some());
                assert!(!named || d2_known(d3, d2), "{d3:02X}{d2:02X}");
            }
        }
    }
}
