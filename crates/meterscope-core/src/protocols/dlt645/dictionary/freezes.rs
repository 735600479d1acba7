//! Freezes (table A.6) and load records (table A.7) of DL/T 645-2007.

use super::*;

// ---------------------------------------------------------------- freezes (A.6)

/// DI2 of the freeze class: names and how many past freezes DI0 reaches.
pub(super) fn freeze_kind(d2: u8) -> Option<(&'static str, &'static str, u8)> {
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

pub(super) fn freeze_energy(en: &'static str, zh: &'static str, k: usize) -> Field {
    Field::new(en, zh, energy_format(&QUANTITIES[k]))
}

/// The item DI1 of a freeze (table A.6): its fields and whether they repeat per tariff.
pub(super) fn freeze_item(
    nm: Naming,
    d2: u8,
    d1: u8,
) -> Option<(&'static str, &'static str, Vec<Field>, Option<Items>)> {
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
pub(super) fn freeze_variables(nm: Naming) -> Vec<Field> {
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
pub(super) fn freeze(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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
    let zh = if nm.0 {
        let kz = kz.trim_end_matches("冻结").trim_end_matches("切换");
        if d2 == 0x02 || d2 == 0x03 { name!(nm, "({nz}){kz}切换{iz}") } else { name!(nm, "({nz}){kz}冻结{iz}") }
    } else {
        Name::Borrowed("")
    };
    let info = DiInfo::new(di, name!(nm, "{ke}: {ie}, {ne}"), zh, DiClass::Freeze, fields);
    Some(match items {
        Some(i) => info.repeated(i),
        None => info,
    })
}

// ---------------------------------------------------------------- load records (A.7)

/// Load records, table A.7: `06 class 00 which` (class 0 = all, 1–6).
pub(super) fn load_record(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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
