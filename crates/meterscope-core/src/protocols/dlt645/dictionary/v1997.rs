//! The data identifiers of DL/T 645-1997 (Appendix A).

use super::*;

// ======================================================== DL/T 645-1997 (Appendix A)

/// Look up a DL/T 645-1997 identifier (`0x9010`).
pub fn lookup_1997(di: u16) -> Option<DiInfo> {
    lookup_1997_with(Naming(true), di)
}

/// What [`lookup_1997`] gives, without composing names (for the dissector).
pub fn layout_1997(di: u16) -> Option<DiInfo> {
    lookup_1997_with(Naming(false), di)
}

pub(super) fn lookup_1997_with(nm: Naming, di: u16) -> Option<DiInfo> {
    let [d1, d0] = di.to_be_bytes();
    let mut info = match d1 >> 4 {
        0x9 => energy_1997(nm, d1, d0, false),
        0xA => energy_1997(nm, d1, d0, true),
        0xB if matches!(d1 & 0x0F, 0x0 | 0x1 | 0x4 | 0x5 | 0x8 | 0x9) => demand_time_1997(nm, d1, d0),
        0xB | 0xC => table_1997(nm, di),
        _ => None,
    };
    // Set in place: a new value built from the old was a copy of all of it.
    if let Some(info) = &mut info {
        info.di = u32::from(di);
        info.width = 2;
    }
    info
}

/// Every DL/T 645-1997 identifier the dictionary names, ascending.
pub fn enumerate_1997() -> impl Iterator<Item = u16> {
    (0u16..=0xFFFF).filter(|&di| lookup_1997(di).is_some())
}

/// DI1 low nibble of classes 9/A/B: bit 0 reactive, bits 2–3 the month.
pub(super) fn month_1997(d1: u8) -> Option<(&'static str, &'static str, bool)> {
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
pub(super) fn quantity_1997(reactive: bool, k: u8) -> Option<(&'static str, &'static str)> {
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
pub(super) fn energy_1997(nm: Naming, d1: u8, d0: u8, demand: bool) -> Option<DiInfo> {
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
pub(super) fn demand_time_1997(nm: Naming, d1: u8, d0: u8) -> Option<DiInfo> {
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
pub(super) static TABLE_1997: &[(u16, &str, &str, Format)] = &[
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
pub(super) fn phase_variable_1997(nm: Naming, di: u16) -> Option<(Name, Name, Format)> {
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
    Some((name!(nm, "{} {e}", phase_en(nm, p)), name!(nm, "{}{z}", phase_zh(nm, p)), f))
}

/// Numbered 1997 parameters: time zones `C321`–`C32E`, day slots `C3q1`–`C3qA`
/// (table q = 1–8 at `C33x`–`C3Ax`), public holidays `C411`–`C41D`.
pub(super) fn numbered_1997(nm: Naming, di: u16) -> Option<(Name, Name, Format)> {
    let (hi, lo) = (((di >> 4) & 0xFF) as u8, (di & 0x0F) as u8);
    match (hi, lo) {
        (0x32, 1..=0x0E) => Some((
            name!(nm, "Time zone {lo}: start date and day-slot table"),
            name!(nm, "第{lo}时区起始日期及日时段表号"),
            Format::time("MMDDNN"),
        )),
        (0x33..=0x3A, 1..=0x0A) => {
            let q = hi - 0x32;
            Some((
                name!(nm, "Day-slot table {q}, slot {lo}: start time and tariff"),
                name!(nm, "第{q}日时段表第{lo}时段起始时间及费率号"),
                Format::time("hhmmNN"),
            ))
        }
        (0x41, 1..=0x0D) => Some((
            name!(nm, "Public holiday {lo}: date and day-slot table"),
            name!(nm, "第{lo}公共假日日期及日时段表号"),
            Format::time("MMDDNN"),
        )),
        _ => None,
    }
}

/// A single 1997 entry (not a block): from the table, per phase, or
/// numbered; its names composed only when `nm` asks for them.
pub(super) fn entry_1997(nm: Naming, di: u16) -> Option<(Name, Name, Format)> {
    // The table is sorted by identifier.
    match TABLE_1997.binary_search_by_key(&di, |e| e.0) {
        Ok(i) => {
            let e = &TABLE_1997[i];
            Some((e.1.into(), e.2.into(), e.3))
        }
        Err(_) => phase_variable_1997(nm, di).or_else(|| numbered_1997(nm, di & 0x0FFF).filter(|_| di >> 12 == 0xC)),
    }
}

/// Single 1997 entries and their `xxxF` blocks (all members `xxx0`–`xxxE` in order).
pub(super) fn table_1997(nm: Naming, di: u16) -> Option<DiInfo> {
    let class = if di >> 12 == 0xB { DiClass::Variable } else { DiClass::Parameter };
    if di & 0x0F != 0x0F {
        let (en, zh, f) = entry_1997(nm, di)?;
        return Some(DiInfo::single(0, en, zh, class, f));
    }
    let fields: Vec<Field> =
        (0..0x0F).filter_map(|i| entry_1997(nm, (di & 0xFFF0) | i)).map(|(e, z, f)| Field::new(e, z, f)).collect();
    if fields.len() < 2 {
        return None;
    }
    let (en, zh) = (name!(nm, "Block {:04X}", di), name!(nm, "{:04X}数据块", di));
    Some(DiInfo::new(0, en, zh, class, fields).into_block())
}
