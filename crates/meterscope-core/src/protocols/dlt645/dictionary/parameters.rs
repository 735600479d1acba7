//! Parameters (table A.5) of DL/T 645-2007.

use super::*;

// ---------------------------------------------------------------- parameters (A.5)

/// `04 00 DI1 DI0` entries (table A.5). From the 2009 filing: 04000108/09,
/// 04000207, 04000306/07, 0400040E and the groups 0F, 11, 12, 13, 14.
pub(super) static PARAMETERS: &[(u8, u8, &str, &str, Format)] = &[
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
pub(super) const PARAMETER_BLOCKS: &[u8] =
    &[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0E, 0x0F, 0x12];

/// Numbered parameters `04 00 DI1 01..`: run status words, load intervals,
/// settlement days, passwords, line coefficients.
pub(super) fn numbered_parameter(nm: Naming, d1: u8, d0: u8) -> Option<(Name, Name, Format)> {
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

pub(super) fn parameter_entry(nm: Naming, d1: u8, d0: u8) -> Option<(Name, Name, Format)> {
    PARAMETERS
        .iter()
        .find(|p| p.0 == d1 && p.1 == d0)
        .map(|p| (p.2.into(), p.3.into(), p.4))
        .or_else(|| numbered_parameter(nm, d1, d0))
}

/// Parameters, table A.5: `04 DI2 DI1 DI0`.
pub(super) fn parameter(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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

pub(super) fn basic_parameter(nm: Naming, di: u32, d1: u8, d0: u8) -> Option<DiInfo> {
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
pub(super) fn tariff_tables(nm: Naming, di: u32, d2: u8, d1: u8, d0: u8) -> Option<DiInfo> {
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

pub(super) fn versions(di: u32, d0: u8) -> Option<DiInfo> {
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
