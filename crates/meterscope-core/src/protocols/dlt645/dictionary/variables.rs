//! Variables (table A.3) of DL/T 645-2007: voltages, currents, powers, harmonics.

use super::*;

// ---------------------------------------------------------------- variables (A.3)

/// Which DI1 values a variable takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// `01`–`03` phases, `FF` block.
    Phases,
    /// `00` total, `01`–`03` phases, `FF` block.
    TotalAndPhases,
}

/// DI2 `01`–`09` of the variables (table A.3).
pub(super) static VARIABLES: [(&str, &str, Scope, Format); 9] = [
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
pub(super) static VARIABLES_80: [(&str, &str, Format); 10] = [
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
pub(super) fn variable(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
    match d2 {
        0x01..=0x09 if d0 == 0 => basic_variable(nm, di, d2, d1),
        0x0A | 0x0B => harmonic(nm, di, d2, d1, d0),
        0x80 if d1 == 0 => variable_80(di, d0),
        _ => None,
    }
}

pub(super) fn basic_variable(nm: Naming, di: u32, d2: u8, d1: u8) -> Option<DiInfo> {
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
pub(super) fn harmonic(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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

pub(super) fn variable_80(di: u32, d0: u8) -> Option<DiInfo> {
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
