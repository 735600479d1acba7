//! Energy (table A.1) and demand (table A.2) of DL/T 645-2007.

use super::*;

// ---------------------------------------------------------------- energy (A.1)

/// A metered quantity: names, energy and demand units, sign.
pub(super) struct Quantity {
    en: &'static str,
    zh: &'static str,
    energy_unit: &'static str,
    demand_unit: &'static str,
    signed: bool,
}

pub(super) const fn q(
    en: &'static str,
    zh: &'static str,
    eu: &'static str,
    du: &'static str,
    signed: bool,
) -> Quantity {
    Quantity { en, zh, energy_unit: eu, demand_unit: du, signed }
}

/// DI2 `00`–`0A` of energy and demand (table A.1, A.2).
pub(super) static QUANTITIES: [Quantity; 11] = [
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
pub(super) static ENERGY_EXTRA: [(&str, &str, &str); 7] = [
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
pub(super) enum EnergyKind {
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
pub(super) fn phase_split(d2: u8, base: u8, count: u8) -> Option<(u8, usize)> {
    (1..=3u8).find_map(|p| {
        let first = base + 0x14 * p;
        (first..first + count).contains(&d2).then(|| (p, usize::from(d2 - first)))
    })
}

pub(super) fn energy_kind(d2: u8) -> Option<EnergyKind> {
    match d2 {
        0x00..=0x0A => Some(EnergyKind::Tariffed(usize::from(d2))),
        0x80..=0x86 => Some(EnergyKind::Extra(usize::from(d2 - 0x80))),
        0x15..=0x46 => phase_split(d2, 0x01, 10).map(|(p, k)| EnergyKind::Phase(p, k + 1)),
        0x94..=0xC2 => phase_split(d2, 0x80, 7).map(|(p, k)| EnergyKind::PhaseExtra(p, k)),
        _ => None,
    }
}

/// DI0: `00` current, `01`–`0C` the n-th last settlement day.
pub(super) fn settlement(nm: Naming, d0: u8) -> Option<(Name, Name)> {
    match d0 {
        0x00 => Some(("current".into(), "当前".into())),
        0x01..=0x0C => Some((name!(nm, "settlement day −{d0}"), name!(nm, "上{d0}结算日"))),
        _ => None,
    }
}

/// DI1: `00` total, `01`–`3F` tariff n, `FF` block.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Tariff {
    Total,
    Rate(u8),
    Block,
}

pub(super) fn tariff(d1: u8) -> Option<Tariff> {
    match d1 {
        0x00 => Some(Tariff::Total),
        0x01..=0x3F => Some(Tariff::Rate(d1)),
        0xFF => Some(Tariff::Block),
        _ => None,
    }
}

pub(super) fn energy_format(qty: &Quantity) -> Format {
    if qty.signed {
        Format::signed("XXXXXX.XX", 4, 2, qty.energy_unit)
    } else {
        Format::num("XXXXXX.XX", 4, 2, qty.energy_unit)
    }
}

/// Energy, table A.1: `00 DI2 DI1 DI0`, XXXXXX.XX kWh (kvarh, kVAh).
pub(super) fn energy(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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

pub(super) fn demand_kind(d2: u8) -> Option<(Option<u8>, usize)> {
    match d2 {
        0x01..=0x0A => Some((None, usize::from(d2))),
        0x15..=0x46 => phase_split(d2, 0x01, 10).map(|(p, k)| (Some(p), k + 1)),
        _ => None,
    }
}

/// The two values of a demand: XX.XXXX and YYMMDDhhmm (table A.2).
pub(super) fn demand_fields(qty: &Quantity) -> Vec<Field> {
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
pub(super) fn demand(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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
