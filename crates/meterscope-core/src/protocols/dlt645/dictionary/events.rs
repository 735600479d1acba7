//! Event records (table A.4) of DL/T 645-2007 and the event classes 10–1F of
//! the 2009 filing amendment.

use super::*;

// ---------------------------------------------------------------- events (A.4)

pub(super) const TIME6: Format = Format::time("YYMMDDhhmmss");
pub(super) const COUNT: Format = Format::num("XXXXXX", 3, 0, "");
pub(super) const MINUTES: Format = Format::num("XXXXXX", 3, 0, "min");
pub(super) const OPERATOR: Format = Format::bits("C3C2C1C0", 4);
pub(super) const DATA_ID: Format = Format::bits("DI3DI2DI1DI0", 4);

pub(super) fn start_time() -> Field {
    Field::new("start time", "发生时刻", TIME6)
}
pub(super) fn end_time() -> Field {
    Field::new("end time", "结束时刻", TIME6)
}
pub(super) fn rest() -> Field {
    Field::new("record data", "记录数据", Format::REST)
}

/// Events per phase (DI2), table A.4: counts `03 DI2 00 00`, records `03 DI2 phase n`.
pub(super) static EVENTS_PHASED: [(u8, &str, &str); 9] = [
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
pub(super) static EVENTS_SINGLE: [(u8, &str, &str); 6] = [
    (0x05, "Total loss of voltage", "全失压"),
    (0x06, "Auxiliary power loss", "辅助电源失电"),
    (0x07, "Voltage reverse phase sequence", "电压逆相序"),
    (0x08, "Current reverse phase sequence", "电流逆相序"),
    (0x09, "Voltage imbalance", "电压不平衡"),
    (0x0A, "Current imbalance", "电流不平衡"),
];

/// Programming-type records `03 30 DI1 DI0` (table A.4).
pub(super) static EVENTS_30: [(&str, &str); 15] = [
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
pub(super) fn nth(nm: Naming, d0: u8) -> Option<(Name, Name)> {
    (0x01..=0x0A).contains(&d0).then(|| (name!(nm, "last {d0}"), name!(nm, "上{d0}次")))
}

/// Event records, table A.4: `03 DI2 DI1 DI0`.
pub(super) fn event(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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

pub(super) fn event_phased(nm: Naming, di: u32, en: &str, zh: &str, d1: u8, d0: u8) -> Option<DiInfo> {
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

pub(super) fn event_single(nm: Naming, di: u32, code: u8, en: &str, zh: &str, d0: u8) -> Option<DiInfo> {
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
pub(super) fn voltage_statistics(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
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

pub(super) fn power_down(nm: Naming, di: u32, d0: u8) -> Option<DiInfo> {
    if d0 == 0 {
        return Some(DiInfo::single(di, "Power-down count".into(), "掉电总次数".into(), DiClass::Event, COUNT));
    }
    let (ne, nz) = nth(nm, d0)?;
    let (e, z) = (name!(nm, "Power-down record, {ne}"), name!(nm, "({nz})掉电发生时刻，结束时刻"));
    Some(DiInfo::new(di, e, z, DiClass::Event, vec![start_time(), end_time()]))
}

/// The six demand kinds of the over-limit records `03 12 01`–`06`.
pub(super) static OVER_LIMIT: [(&str, &str, &str); 6] = [
    ("forward active", "正向有功", "kW"),
    ("reverse active", "反向有功", "kW"),
    ("quadrant I reactive", "第一象限无功", "kvar"),
    ("quadrant II reactive", "第二象限无功", "kvar"),
    ("quadrant III reactive", "第三象限无功", "kvar"),
    ("quadrant IV reactive", "第四象限无功", "kvar"),
];

pub(super) fn demand_over_limit(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
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
pub(super) fn programming_fields(nm: Naming, d1: u8) -> Vec<Field> {
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

pub(super) fn programming(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
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
pub(super) enum Schema {
    /// Voltage events (失压/欠压/过压/断相): phase values and ampere-hours.
    Voltage,
    /// Current events (失流/过流/断流): phase values, no ampere-hours.
    Current,
    /// Reverse phase sequence: phase energies only.
    Sequence,
    /// Power factor below its limit: totals only.
    PowerFactor,
}

pub(super) struct Family {
    en: &'static str,
    zh: &'static str,
    /// DI2 values: `00` for the whole meter, `01`–`03` per phase.
    pub(super) phases: &'static [u8],
    schema: Schema,
}

pub(super) const ABC: &[u8] = &[1, 2, 3];
pub(super) const TOTAL: &[u8] = &[0];
pub(super) const TOTAL_ABC: &[u8] = &[0, 1, 2, 3];

pub(super) fn event_2009_family(d3: u8) -> Option<Family> {
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
pub(super) fn totals(nm: Naming, at_en: &str, at_zh: &str) -> Vec<Field> {
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
pub(super) fn phase_energies(nm: Naming, p: u8, at_en: &str, at_zh: &str) -> Vec<Field> {
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
pub(super) fn phase_values(nm: Naming, p: u8) -> Vec<Field> {
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
pub(super) fn schema_items(nm: Naming, schema: Schema) -> Vec<Field> {
    if nm.0 { make_schema_items(nm, schema) } else { schema_layout(schema).to_vec() }
}

/// The `d1`-th item (from 1) of a schema.
pub(super) fn schema_item(nm: Naming, schema: Schema, d1: u8) -> Option<Field> {
    let i = usize::from(d1).checked_sub(1)?;
    if nm.0 { make_schema_items(nm, schema).into_iter().nth(i) } else { schema_layout(schema).get(i).cloned() }
}

/// The items of a schema without names, made on first use.
pub(super) fn schema_layout(schema: Schema) -> &'static [Field] {
    static MADE: [std::sync::OnceLock<Vec<Field>>; 4] = [const { std::sync::OnceLock::new() }; 4];
    MADE[schema as usize].get_or_init(|| make_schema_items(Naming(false), schema))
}

pub(super) fn make_schema_items(nm: Naming, schema: Schema) -> Vec<Field> {
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
pub(super) fn schema_len(schema: Schema) -> u8 {
    match schema {
        Schema::Voltage => 0x35,
        Schema::Current => 0x31,
        Schema::Sequence => 0x22,
        Schema::PowerFactor => 0x0A,
    }
}

/// Event classes `10`–`1F`: `DI3 phase item n` (2009 filing of DL/T 645-2007).
pub(super) fn event_2009(nm: Naming, di: u32, d3: u8, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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
pub(super) fn event_summary(nm: Naming, di: u32, en: &str, zh: &str, d0: u8) -> Option<DiInfo> {
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
pub(super) fn loss_of_voltage_total(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
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
