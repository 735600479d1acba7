//! The table of quantities.

use super::{Code, Cosem, Di, FreezePart, Kind, Oad, Part, Phase, Quantity};

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

pub(super) const W: Part = Part::Whole;
pub(super) const L1: Part = Part::Phase(Phase::L1);
pub(super) const L2: Part = Part::Phase(Phase::L2);
pub(super) const L3: Part = Part::Phase(Phase::L3);

/// The table. DL/T 645-2007 Appendix A (A.1 energy, A.3 variables, A.5
/// parameters, A.6 freezes), DL/T 645-1997 Appendix A, DL/T 698.45 appendix
/// object lists (energy 0010–0040, variables 2000–200F, 4000 date-time, 5004
/// day freeze with 2021 its freeze time), IEC 62056-6-1 OBIS codes, and the
/// P1 companion standard (DSMR 5) for telegrams.
pub(super) static QUANTITIES: &[Quantity] = &[
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
