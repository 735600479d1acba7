//! The dictionary of EN 13757-3: value information (primary VIF table, the
//! extension tables FD and FB, the combinable VIFE table), the record
//! errors and object actions, CI fields, device types, and the link
//! layer's functions. Compact tables of `(code range, words)` rows; names
//! are written in a language only when a dissection is rendered.

use core::fmt;

use crate::lang::Lang;
use crate::model::Msg;

/// A unit: its symbol or words in English and in Chinese.
pub type Unit = (&'static str, &'static str);

pub static WH: Unit = ("Wh", "Wh");
pub static J: Unit = ("J", "J");
pub static M3: Unit = ("m³", "m³");
pub static KG: Unit = ("kg", "kg");
pub static W: Unit = ("W", "W");
pub static J_H: Unit = ("J/h", "J/h");
pub static M3_H: Unit = ("m³/h", "m³/h");
pub static M3_MIN: Unit = ("m³/min", "m³/min");
pub static M3_S: Unit = ("m³/s", "m³/s");
pub static KG_H: Unit = ("kg/h", "kg/h");
pub static CELSIUS: Unit = ("°C", "°C");
pub static FAHRENHEIT: Unit = ("°F", "°F");
pub static KELVIN: Unit = ("K", "K");
pub static BAR: Unit = ("bar", "bar");
pub static VOLT: Unit = ("V", "V");
pub static AMPERE: Unit = ("A", "A");
pub static BAUD: Unit = ("Bd", "波特");
pub static BIT_TIMES: Unit = ("bit times", "位时间");
pub static CURRENCY: Unit = ("currency units", "本地货币单位");
pub static FT3: Unit = ("ft³", "立方英尺");
pub static KVARH: Unit = ("kvarh", "kvarh");
pub static KVAR: Unit = ("kvar", "kvar");
pub static MCAL: Unit = ("MCal", "MCal");
pub static PERCENT: Unit = ("%", "%");
pub static DEGREE: Unit = ("°", "°");
pub static HERTZ: Unit = ("Hz", "Hz");
pub static DBM: Unit = ("dBm", "dBm");
pub static DAYS: [Unit; 1] = [("d", "天")];

/// Seconds, minutes, hours, days (the `nn` of durations).
pub static SMHD: [Unit; 4] = [("s", "秒"), ("min", "分"), ("h", "时"), ("d", "天")];
/// Minutes, hours, days (duration of tariff, nn = 1..3).
pub static MHD: [Unit; 3] = [("min", "分"), ("h", "时"), ("d", "天")];
/// Hours, days, months, years (the `pp` of FD 68–6F).
pub static HDMY: [Unit; 4] = [("h", "时"), ("d", "天"), ("months", "月"), ("years", "年")];
pub static MONTHS: [Unit; 1] = [("months", "月")];
pub static YEARS: [Unit; 1] = [("years", "年")];

/// How the data of a value information is read.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `value × 10^(code − lo + exp)` in `unit`.
    Scaled(&'static Unit, i8),
    /// A duration in `units[code − lo]`.
    Duration(&'static [Unit]),
    /// A time point: types G, J, F or I by the length of the data.
    Date,
    /// A number, code or text without a unit.
    Plain,
    /// Bits (error flags, digital inputs and outputs).
    Bits,
    /// Not defined by the table.
    Reserved,
}

/// A row of a value information table: codes `lo..=hi` (extension bit
/// cleared) read as `kind`, and the quantity's name.
#[derive(Clone, Copy, Debug)]
pub struct Vif {
    pub lo: u8,
    pub hi: u8,
    pub kind: Kind,
}

pub type VifRow = (Vif, &'static str, &'static str);

const fn row(lo: u8, hi: u8, kind: Kind, en: &'static str, zh: &'static str) -> VifRow {
    (Vif { lo, hi, kind }, en, zh)
}

use Kind::*;

/// The primary VIF table (EN 13757-3, VIF codes 00h–7Ah and 7Eh, 7Fh).
pub static PRIMARY: &[VifRow] = &[
    row(0x00, 0x07, Scaled(&WH, -3), "Energy", "能量"),
    row(0x08, 0x0F, Scaled(&J, 0), "Energy", "能量"),
    row(0x10, 0x17, Scaled(&M3, -6), "Volume", "体积"),
    row(0x18, 0x1F, Scaled(&KG, -3), "Mass", "质量"),
    row(0x20, 0x23, Duration(&SMHD), "On time", "接通时间"),
    row(0x24, 0x27, Duration(&SMHD), "Operating time", "运行时间"),
    row(0x28, 0x2F, Scaled(&W, -3), "Power", "功率"),
    row(0x30, 0x37, Scaled(&J_H, 0), "Power", "功率"),
    row(0x38, 0x3F, Scaled(&M3_H, -6), "Volume flow", "体积流量"),
    row(0x40, 0x47, Scaled(&M3_MIN, -7), "Volume flow", "体积流量"),
    row(0x48, 0x4F, Scaled(&M3_S, -9), "Volume flow", "体积流量"),
    row(0x50, 0x57, Scaled(&KG_H, -3), "Mass flow", "质量流量"),
    row(0x58, 0x5B, Scaled(&CELSIUS, -3), "Flow temperature", "供水温度"),
    row(0x5C, 0x5F, Scaled(&CELSIUS, -3), "Return temperature", "回水温度"),
    row(0x60, 0x63, Scaled(&KELVIN, -3), "Temperature difference", "温差"),
    row(0x64, 0x67, Scaled(&CELSIUS, -3), "External temperature", "外部温度"),
    row(0x68, 0x6B, Scaled(&BAR, -3), "Pressure", "压力"),
    row(0x6C, 0x6C, Date, "Time point (date)", "时间点（日期）"),
    row(0x6D, 0x6D, Date, "Time point (date and time)", "时间点（日期和时间）"),
    row(0x6E, 0x6E, Plain, "Units for heat cost allocator", "热分配表读数单位"),
    row(0x70, 0x73, Duration(&SMHD), "Averaging duration", "平均时长"),
    row(0x74, 0x77, Duration(&SMHD), "Actuality duration", "实时时长"),
    row(0x78, 0x78, Plain, "Fabrication number", "出厂编号"),
    row(0x79, 0x79, Plain, "Enhanced identification", "增强标识"),
    row(0x7A, 0x7A, Plain, "Bus address", "总线地址"),
    row(0x7E, 0x7E, Plain, "Any VIF (readout selection)", "任意VIF（读出选择）"),
];

/// The VIF of plain text units (7Ch/FCh): its row, for the record's name.
pub static PLAIN_TEXT: VifRow = row(0x7C, 0x7C, Plain, "Plain-text unit", "明文单位");
/// The manufacturer-specific VIF (7Fh/FFh).
pub static MANUFACTURER: VifRow = row(0x7F, 0x7F, Plain, "Manufacturer-specific value", "制造商专用值");

/// The main extension table, VIF FDh (EN 13757-3).
pub static FD: &[VifRow] = &[
    row(0x00, 0x03, Scaled(&CURRENCY, -3), "Credit", "贷方金额"),
    row(0x04, 0x07, Scaled(&CURRENCY, -3), "Debit", "借方金额"),
    row(0x08, 0x08, Plain, "Unique telegram identification (access number)", "报文唯一标识（访问号）"),
    row(0x09, 0x09, Plain, "Medium (device type)", "介质（设备类型）"),
    row(0x0A, 0x0A, Plain, "Manufacturer", "制造商"),
    row(0x0B, 0x0B, Plain, "Parameter set identification", "参数集标识"),
    row(0x0C, 0x0C, Plain, "Model / version", "型号/版本"),
    row(0x0D, 0x0D, Plain, "Hardware version", "硬件版本号"),
    row(0x0E, 0x0E, Plain, "Metrology (firmware) version", "计量（固件）版本号"),
    row(0x0F, 0x0F, Plain, "Other software version", "其他软件版本号"),
    row(0x10, 0x10, Plain, "Customer location", "用户位置"),
    row(0x11, 0x11, Plain, "Customer", "用户"),
    row(0x12, 0x12, Plain, "Access code user", "用户访问码"),
    row(0x13, 0x13, Plain, "Access code operator", "操作员访问码"),
    row(0x14, 0x14, Plain, "Access code system operator", "系统操作员访问码"),
    row(0x15, 0x15, Plain, "Access code developer", "开发者访问码"),
    row(0x16, 0x16, Plain, "Password", "密码"),
    row(0x17, 0x17, Bits, "Error flags", "错误标志"),
    row(0x18, 0x18, Bits, "Error mask", "错误掩码"),
    row(0x1A, 0x1A, Bits, "Digital output", "数字输出"),
    row(0x1B, 0x1B, Bits, "Digital input", "数字输入"),
    row(0x1C, 0x1C, Scaled(&BAUD, 0), "Baud rate", "波特率"),
    row(0x1D, 0x1D, Scaled(&BIT_TIMES, 0), "Response delay time", "响应延迟时间"),
    row(0x1E, 0x1E, Plain, "Retry", "重试"),
    row(0x1F, 0x1F, Bits, "Remote control (device specific)", "远程控制（设备相关）"),
    row(0x20, 0x20, Plain, "First storage number for cyclic storage", "循环存储的首个存储号"),
    row(0x21, 0x21, Plain, "Last storage number for cyclic storage", "循环存储的末个存储号"),
    row(0x22, 0x22, Plain, "Size of storage block", "存储块大小"),
    row(0x24, 0x27, Duration(&SMHD), "Storage interval", "存储间隔"),
    row(0x28, 0x28, Duration(&MONTHS), "Storage interval", "存储间隔"),
    row(0x29, 0x29, Duration(&YEARS), "Storage interval", "存储间隔"),
    row(0x2A, 0x2A, Plain, "Operator specific data", "运营商专用数据"),
    row(0x2B, 0x2B, Duration(&SMHD), "Time point: second (0 to 59)", "时间点：秒（0–59）"),
    row(0x2C, 0x2F, Duration(&SMHD), "Duration since last readout", "距上次读出的时长"),
    row(0x30, 0x30, Date, "Start of tariff (date and time)", "费率起始（日期和时间）"),
    row(0x31, 0x33, Duration(&MHD), "Duration of tariff", "费率时长"),
    row(0x34, 0x37, Duration(&SMHD), "Period of tariff", "费率周期"),
    row(0x38, 0x38, Duration(&MONTHS), "Period of tariff", "费率周期"),
    row(0x39, 0x39, Duration(&YEARS), "Period of tariff", "费率周期"),
    row(0x3A, 0x3A, Plain, "Dimensionless", "无量纲"),
    row(0x3B, 0x3B, Plain, "Data container for the wireless M-Bus protocol", "无线 M-Bus 协议数据容器"),
    row(0x3C, 0x3F, Duration(&SMHD), "Period of nominal data transmissions", "标称数据发送周期"),
    row(0x40, 0x4F, Scaled(&VOLT, -9), "Voltage", "电压"),
    row(0x50, 0x5F, Scaled(&AMPERE, -12), "Current", "电流"),
    row(0x60, 0x60, Plain, "Reset counter", "复位计数"),
    row(0x61, 0x61, Plain, "Cumulation counter", "累计计数"),
    row(0x62, 0x62, Plain, "Control signal", "控制信号"),
    row(0x63, 0x63, Plain, "Day of week", "星期"),
    row(0x64, 0x64, Plain, "Week number", "周数"),
    row(0x65, 0x65, Plain, "Time point of day change", "日切换时间点"),
    row(0x66, 0x66, Plain, "State of parameter activation", "参数激活状态"),
    row(0x67, 0x67, Plain, "Special supplier information", "供应商特殊信息"),
    row(0x68, 0x6B, Duration(&HDMY), "Duration since last cumulation", "距上次累计的时长"),
    row(0x6C, 0x6F, Duration(&HDMY), "Operating time of the battery", "电池运行时间"),
    row(0x70, 0x70, Date, "Date and time of battery change", "电池更换日期和时间"),
    row(0x71, 0x71, Scaled(&DBM, 0), "RF level", "射频电平"),
    row(
        0x72,
        0x72,
        Plain,
        "Daylight saving (beginning, ending, deviation), type K",
        "夏令时（开始、结束、偏差），K 型",
    ),
    row(0x73, 0x73, Plain, "Listening window management, type L", "侦听窗口管理，L 型"),
    row(0x74, 0x74, Duration(&DAYS), "Remaining battery life time", "电池剩余寿命"),
    row(0x75, 0x75, Plain, "Number of times the meter was stopped", "表计停止次数"),
    row(0x76, 0x76, Plain, "Data container for a manufacturer-specific protocol", "制造商专用协议数据容器"),
];

/// The alternate extended table, VIF FBh (EN 13757-3). Exponents are
/// relative to the unit given (MWh as 10^6 Wh, GJ as 10^9 J, t as 10^3 kg).
pub static FB: &[VifRow] = &[
    row(0x00, 0x01, Scaled(&WH, 5), "Energy", "能量"),
    row(0x02, 0x03, Scaled(&KVARH, 0), "Reactive energy", "无功电能"),
    row(0x08, 0x09, Scaled(&J, 8), "Energy", "能量"),
    row(0x0C, 0x0F, Scaled(&MCAL, -1), "Energy", "能量"),
    row(0x10, 0x11, Scaled(&M3, 2), "Volume", "体积"),
    row(0x14, 0x17, Scaled(&KVAR, -3), "Reactive power", "无功功率"),
    row(0x18, 0x19, Scaled(&KG, 5), "Mass", "质量"),
    row(0x1A, 0x1B, Scaled(&PERCENT, -1), "Relative humidity", "相对湿度"),
    row(0x20, 0x20, Scaled(&FT3, 0), "Volume", "体积"),
    row(0x21, 0x21, Scaled(&FT3, -1), "Volume", "体积"),
    row(0x28, 0x29, Scaled(&W, 5), "Power", "功率"),
    row(0x2A, 0x2A, Scaled(&DEGREE, -1), "Phase U-U (voltage to voltage)", "相位 U-U（电压对电压）"),
    row(0x2B, 0x2B, Scaled(&DEGREE, -1), "Phase U-I (voltage to current)", "相位 U-I（电压对电流）"),
    row(0x2C, 0x2F, Scaled(&HERTZ, -3), "Frequency", "频率"),
    row(0x30, 0x31, Scaled(&J_H, 8), "Power", "功率"),
    row(0x74, 0x77, Scaled(&CELSIUS, -3), "Cold / warm temperature limit", "冷/热温度限值"),
    row(0x78, 0x7F, Scaled(&W, -3), "Cumulative count of maximum power", "最大功率累计计数"),
];

/// Which table a VIF code is read in, for [`vif_words`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Primary = 0,
    Fd = 1,
    Fb = 2,
}

/// A VIF code of a table as the argument of [`vif_words`].
pub fn vif_key(table: Table, code: u8) -> u64 {
    (table as u64) << 8 | u64::from(code & 0x7F)
}

/// `Energy, 10^3 Wh`, `Operating time, in d`: a VIF code's words, written
/// when rendered (`Msg::Code`).
pub fn vif_words(key: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let table = match key >> 8 {
        1 => FD,
        2 => FB,
        _ => PRIMARY,
    };
    let code = (key & 0x7F) as u8;
    let Some(row) = find(table, code) else { return Ok(()) };
    let step = code - row.0.lo;
    let name = lang.pick(row.1, row.2);
    match row.0.kind {
        Kind::Scaled(unit, e) => {
            let exp = i32::from(e) + i32::from(step);
            write!(w, "{name}{}10^{exp} {}", lang.pick(", ", "，"), lang.pick(unit.0, unit.1))
        }
        Kind::Duration(units) => match units.get(usize::from(step)) {
            Some(u) => write!(w, "{name}{}{}", lang.pick(", in ", "，单位 "), lang.pick(u.0, u.1)),
            None => w.write_str(name),
        },
        _ => w.write_str(name),
    }
}

/// A DIFE's bits in words, written when rendered (`Msg::Code`).
pub fn dife_words(dife: u64, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (s, t, u) = (dife & 0x0F, dife >> 4 & 3, dife >> 6 & 1);
    match lang {
        Lang::En => write!(w, "storage bits {s}, tariff bits {t}, subunit bit {u}"),
        Lang::Zh => write!(w, "存储号位 {s}，费率位 {t}，子单元位 {u}"),
    }
}

/// The row of `code` (extension bit cleared) in a table.
pub fn find(table: &'static [VifRow], code: u8) -> Option<&'static VifRow> {
    let code = code & 0x7F;
    table.iter().find(|r| (r.0.lo..=r.0.hi).contains(&code))
}

/// What a combinable VIFE does to the record's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Words only.
    None,
    /// The value is multiplied by 10^n.
    Exp(i8),
    /// The unit is divided by (or multiplied with) this.
    Per(&'static str),
    /// The value is a time point (types G, F… by the data length).
    Date,
    /// The value is a duration in this unit.
    Duration(&'static Unit),
    /// The following VIFEs (and the data) are the manufacturer's.
    Manufacturer,
    /// The next VIFE is read from the extension of this table.
    Extension,
}

/// A row of the combinable (orthogonal) VIFE table: codes `lo..=hi`.
pub type VifeRow = ((u8, u8, Effect), &'static str, &'static str);

/// The combinable VIFE table, codes 10h–7Fh (00h–0Fh are object actions
/// or record errors: [`ACTIONS`], [`ERRORS`]).
pub static VIFE: &[VifeRow] = &[
    ((0x1C, 0x1C, Effect::None), "standard conform data content", "符合标准的数据内容"),
    ((0x1E, 0x1E, Effect::None), "compact profile with registers", "带寄存器的紧凑曲线"),
    ((0x1F, 0x1F, Effect::None), "compact profile without registers", "不带寄存器的紧凑曲线"),
    ((0x20, 0x20, Effect::Per("/s")), "per second", "每秒"),
    ((0x21, 0x21, Effect::Per("/min")), "per minute", "每分钟"),
    ((0x22, 0x22, Effect::Per("/h")), "per hour", "每小时"),
    ((0x23, 0x23, Effect::Per("/d")), "per day", "每天"),
    ((0x24, 0x24, Effect::Per("/week")), "per week", "每周"),
    ((0x25, 0x25, Effect::Per("/month")), "per month", "每月"),
    ((0x26, 0x26, Effect::Per("/year")), "per year", "每年"),
    ((0x27, 0x27, Effect::None), "per revolution / measurement", "每转/每次测量"),
    ((0x28, 0x28, Effect::None), "increment per input pulse on input channel 0", "输入通道0每个输入脉冲的增量"),
    ((0x29, 0x29, Effect::None), "increment per input pulse on input channel 1", "输入通道1每个输入脉冲的增量"),
    ((0x2A, 0x2A, Effect::None), "increment per output pulse on output channel 0", "输出通道0每个输出脉冲的增量"),
    ((0x2B, 0x2B, Effect::None), "increment per output pulse on output channel 1", "输出通道1每个输出脉冲的增量"),
    ((0x2C, 0x2C, Effect::Per("/l")), "per litre", "每升"),
    ((0x2D, 0x2D, Effect::Per("/m³")), "per m³", "每立方米"),
    ((0x2E, 0x2E, Effect::Per("/kg")), "per kg", "每千克"),
    ((0x2F, 0x2F, Effect::Per("/K")), "per kelvin", "每开尔文"),
    ((0x30, 0x30, Effect::Per("/kWh")), "per kWh", "每千瓦时"),
    ((0x31, 0x31, Effect::Per("/GJ")), "per GJ", "每吉焦"),
    ((0x32, 0x32, Effect::Per("/kW")), "per kW", "每千瓦"),
    ((0x33, 0x33, Effect::Per("/(K·l)")), "per kelvin · litre", "每开尔文·升"),
    ((0x34, 0x34, Effect::Per("/V")), "per volt", "每伏"),
    ((0x35, 0x35, Effect::Per("/A")), "per ampere", "每安"),
    ((0x36, 0x36, Effect::Per("·s")), "multiplied by s", "乘以秒"),
    ((0x37, 0x37, Effect::Per("·s/V")), "multiplied by s / V", "乘以秒/伏"),
    ((0x38, 0x38, Effect::Per("·s/A")), "multiplied by s / A", "乘以秒/安"),
    ((0x39, 0x39, Effect::Date), "start date (and time) of", "起始日期（时间）"),
    ((0x3A, 0x3A, Effect::None), "uncorrected unit or value at metering conditions", "未修正单位或计量条件下的值"),
    (
        (0x3B, 0x3B, Effect::None),
        "accumulation only of positive contributions (forward flow)",
        "仅累计正向值（正向流量）",
    ),
    (
        (0x3C, 0x3C, Effect::None),
        "accumulation of absolute values of negative contributions only (backward flow)",
        "仅累计负向值的绝对值（反向流量）",
    ),
    ((0x3D, 0x3D, Effect::None), "reserved for an alternate non-metric unit system", "保留给非公制单位系统"),
    ((0x3E, 0x3E, Effect::None), "value at base conditions", "基准条件下的值"),
    ((0x3F, 0x3F, Effect::None), "OBIS declaration", "OBIS 声明"),
    ((0x40, 0x40, Effect::None), "lower limit value", "下限值"),
    ((0x41, 0x41, Effect::None), "number of exceeds of the lower limit", "超下限次数"),
    (
        (0x42, 0x42, Effect::Date),
        "date (and time) of the begin of the first lower limit exceed",
        "首次超下限开始日期（时间）",
    ),
    (
        (0x43, 0x43, Effect::Date),
        "date (and time) of the end of the first lower limit exceed",
        "首次超下限结束日期（时间）",
    ),
    (
        (0x46, 0x46, Effect::Date),
        "date (and time) of the begin of the last lower limit exceed",
        "最近一次超下限开始日期（时间）",
    ),
    (
        (0x47, 0x47, Effect::Date),
        "date (and time) of the end of the last lower limit exceed",
        "最近一次超下限结束日期（时间）",
    ),
    ((0x48, 0x48, Effect::None), "upper limit value", "上限值"),
    ((0x49, 0x49, Effect::None), "number of exceeds of the upper limit", "超上限次数"),
    (
        (0x4A, 0x4A, Effect::Date),
        "date (and time) of the begin of the first upper limit exceed",
        "首次超上限开始日期（时间）",
    ),
    (
        (0x4B, 0x4B, Effect::Date),
        "date (and time) of the end of the first upper limit exceed",
        "首次超上限结束日期（时间）",
    ),
    (
        (0x4E, 0x4E, Effect::Date),
        "date (and time) of the begin of the last upper limit exceed",
        "最近一次超上限开始日期（时间）",
    ),
    (
        (0x4F, 0x4F, Effect::Date),
        "date (and time) of the end of the last upper limit exceed",
        "最近一次超上限结束日期（时间）",
    ),
    ((0x50, 0x53, Effect::None), "duration of the first lower limit exceed", "首次超下限持续时间"),
    ((0x54, 0x57, Effect::None), "duration of the last lower limit exceed", "最近一次超下限持续时间"),
    ((0x58, 0x5B, Effect::None), "duration of the first upper limit exceed", "首次超上限持续时间"),
    ((0x5C, 0x5F, Effect::None), "duration of the last upper limit exceed", "最近一次超上限持续时间"),
    ((0x60, 0x63, Effect::None), "duration of the first", "首次持续时间"),
    ((0x64, 0x67, Effect::None), "duration of the last", "最近一次持续时间"),
    ((0x68, 0x68, Effect::None), "value during a lower limit exceed", "超下限期间的值"),
    ((0x69, 0x69, Effect::None), "leakage values", "泄漏值"),
    ((0x6A, 0x6A, Effect::Date), "date (and time) of the begin of the first", "首次开始日期（时间）"),
    ((0x6B, 0x6B, Effect::Date), "date (and time) of the end of the first", "首次结束日期（时间）"),
    ((0x6C, 0x6C, Effect::None), "value during an upper limit exceed", "超上限期间的值"),
    ((0x6D, 0x6D, Effect::None), "overflow values", "溢出值"),
    ((0x6E, 0x6E, Effect::Date), "date (and time) of the begin of the last", "最近一次开始日期（时间）"),
    ((0x6F, 0x6F, Effect::Date), "date (and time) of the end of the last", "最近一次结束日期（时间）"),
    ((0x70, 0x70, Effect::Exp(-6)), "multiplicative correction factor 10⁻⁶", "乘法修正因子 10⁻⁶"),
    ((0x71, 0x71, Effect::Exp(-5)), "multiplicative correction factor 10⁻⁵", "乘法修正因子 10⁻⁵"),
    ((0x72, 0x72, Effect::Exp(-4)), "multiplicative correction factor 10⁻⁴", "乘法修正因子 10⁻⁴"),
    ((0x73, 0x73, Effect::Exp(-3)), "multiplicative correction factor 10⁻³", "乘法修正因子 10⁻³"),
    ((0x74, 0x74, Effect::Exp(-2)), "multiplicative correction factor 10⁻²", "乘法修正因子 10⁻²"),
    ((0x75, 0x75, Effect::Exp(-1)), "multiplicative correction factor 10⁻¹", "乘法修正因子 10⁻¹"),
    ((0x76, 0x76, Effect::Exp(0)), "multiplicative correction factor 10⁰", "乘法修正因子 10⁰"),
    ((0x77, 0x77, Effect::Exp(1)), "multiplicative correction factor 10¹", "乘法修正因子 10¹"),
    (
        (0x78, 0x78, Effect::None),
        "additive correction constant 10⁻³ × unit of the VIF (offset)",
        "加法修正常数 10⁻³ × VIF 单位（偏移）",
    ),
    (
        (0x79, 0x79, Effect::None),
        "additive correction constant 10⁻² × unit of the VIF (offset)",
        "加法修正常数 10⁻² × VIF 单位（偏移）",
    ),
    (
        (0x7A, 0x7A, Effect::None),
        "additive correction constant 10⁻¹ × unit of the VIF (offset)",
        "加法修正常数 10⁻¹ × VIF 单位（偏移）",
    ),
    (
        (0x7B, 0x7B, Effect::None),
        "additive correction constant 10⁰ × unit of the VIF (offset)",
        "加法修正常数 10⁰ × VIF 单位（偏移）",
    ),
    (
        (0x7C, 0x7C, Effect::Extension),
        "extension of the combinable VIFE codes: the next VIFE",
        "组合 VIFE 扩展：见下一个 VIFE",
    ),
    (
        (0x7D, 0x7D, Effect::Exp(3)),
        "multiplicative correction factor for the value (not the unit) 10³",
        "数值（非单位）乘法修正因子 10³",
    ),
    ((0x7E, 0x7E, Effect::None), "future value", "未来值"),
    (
        (0x7F, 0x7F, Effect::Manufacturer),
        "next VIFEs and data of this block are manufacturer specific",
        "后续 VIFE 及本块数据为制造商专用",
    ),
];

/// The extension of the combinable VIFE table (after VIFE FCh/7Ch).
pub static VIFE_EXT: &[(u8, &str, &str)] = &[
    (0x01, "at phase L1", "L1 相"),
    (0x02, "at phase L2", "L2 相"),
    (0x03, "at phase L3", "L3 相"),
    (0x04, "at neutral (N)", "中性线（N）"),
    (0x05, "between phases L1 and L2", "L1 与 L2 相之间"),
    (0x06, "between phases L2 and L3", "L2 与 L3 相之间"),
    (0x07, "between phases L3 and L1", "L3 与 L1 相之间"),
    (0x10, "accumulation of absolute values of both positive and negative contributions", "正负贡献的绝对值累计"),
];

/// The duration VIFEs (50h–67h) give their unit in the low two bits.
pub fn vife_duration(code: u8) -> Option<&'static Unit> {
    matches!(code & 0x7F, 0x50..=0x67).then(|| &SMHD[usize::from(code & 3)])
}

/// The row of a combinable VIFE (20h–7Fh).
pub fn find_vife(code: u8) -> Option<&'static VifeRow> {
    let code = code & 0x7F;
    VIFE.iter().find(|r| (r.0.0..=r.0.1).contains(&code))
}

/// Record errors a slave reports in a VIFE 00h–0Fh (EN 13757-3), and the
/// data errors 15h–18h of its earlier edition.
pub static ERRORS: &[(u8, &str, &str)] = &[
    (0x00, "no error", "无错误"),
    (0x01, "too many DIFEs", "DIFE 过多"),
    (0x02, "storage number not implemented", "存储号未实现"),
    (0x03, "unit number not implemented", "子单元号未实现"),
    (0x04, "tariff number not implemented", "费率号未实现"),
    (0x05, "function not implemented", "功能未实现"),
    (0x06, "data class not implemented", "数据类未实现"),
    (0x07, "data size not implemented", "数据长度未实现"),
    (0x0B, "too many VIFEs", "VIFE 过多"),
    (0x0C, "illegal VIF group", "非法的VIF组"),
    (0x0D, "illegal VIF exponent", "非法的VIF指数"),
    (0x0E, "VIF/DIF mismatch", "VIF与DIF不匹配"),
    (0x0F, "unimplemented action", "未实现的操作"),
    (0x15, "no data available (undefined value)", "无可用数据（未定义值）"),
    (0x16, "data overflow", "数据上溢"),
    (0x17, "data underflow", "数据下溢"),
    (0x18, "data error", "数据错误"),
];

/// Object actions a master asks for in a VIFE 00h–0Fh (EN 13757-3).
pub static ACTIONS: &[(u8, &str, &str)] = &[
    (0x00, "write (replace)", "写（替换）"),
    (0x01, "add value", "加值"),
    (0x02, "subtract value", "减值"),
    (0x03, "OR (set bits)", "或（置位）"),
    (0x04, "AND", "与"),
    (0x05, "XOR (toggle bits)", "异或（翻转位）"),
    (0x06, "AND NOT (clear bits)", "与非（清位）"),
    (0x07, "clear", "清除"),
    (0x08, "add entry", "添加条目"),
    (0x09, "delete entry", "删除条目"),
    (0x0B, "freeze data", "冻结数据"),
    (0x0C, "add to readout list", "加入读出列表"),
    (0x0D, "delete from readout list", "从读出列表删除"),
];

/// A code's words in a `(code, en, zh)` table.
pub fn lookup(table: &'static [(u8, &'static str, &'static str)], code: u8) -> Option<Msg> {
    table.iter().find(|r| r.0 == code).map(|r| Msg::Bi(r))
}

/// CI fields (EN 13757-7:2018 table 2: those of the application protocols of
/// EN 13757-3; 52h is the wired network layer's selection of EN 13757-2;
/// 73h, 76h and 77h are also given their meaning of the earlier edition).
pub static CI: &[(u8, &str, &str)] = &[
    (0x50, "application reset or select to the device", "应用复位或选择（到设备）"),
    (0x51, "command to the device (M-Bus data, no header)", "到设备的命令（M-Bus 数据，无报头）"),
    (0x52, "selection of a slave by secondary address (network layer)", "按二次地址选择从站（网络层）"),
    (0x53, "application reset or select to the device, long header", "应用复位或选择（到设备），长报头"),
    (0x54, "request of the selected application to the device", "请求所选应用（到设备）"),
    (0x55, "request of the selected application to the device, long header", "请求所选应用（到设备），长报头"),
    (0x5A, "command to the device (M-Bus data), short header", "到设备的命令（M-Bus 数据），短报头"),
    (0x5B, "command to the device (M-Bus data), long header", "到设备的命令（M-Bus 数据），长报头"),
    (0x5C, "synchronise action", "同步操作"),
    (0x60, "command to the device (DLMS/COSEM), long header", "到设备的命令（DLMS/COSEM），长报头"),
    (0x61, "command to the device (DLMS/COSEM), short header", "到设备的命令（DLMS/COSEM），短报头"),
    (0x64, "command to the device (OBIS-type value descriptors), long header", "到设备的命令（OBIS 类值描述），长报头"),
    (
        0x65,
        "command to the device (OBIS-type value descriptors), short header",
        "到设备的命令（OBIS 类值描述），短报头",
    ),
    (0x66, "response of the selected application from the device", "所选应用的响应（来自设备）"),
    (0x67, "response of the selected application from the device, short header", "所选应用的响应（来自设备），短报头"),
    (0x68, "response of the selected application from the device, long header", "所选应用的响应（来自设备），长报头"),
    (0x69, "response from the device (M-Bus format frame)", "设备响应（M-Bus 格式帧）"),
    (0x6A, "response from the device (M-Bus format frame), short header", "设备响应（M-Bus 格式帧），短报头"),
    (0x6B, "response from the device (M-Bus format frame), long header", "设备响应（M-Bus 格式帧），长报头"),
    (0x6C, "time synchronisation to the device, long header", "到设备的时间同步，长报头"),
    (0x6D, "time synchronisation to the device, long header", "到设备的时间同步，长报头"),
    (0x6E, "application error from the device, short header", "设备应用错误，短报头"),
    (0x6F, "application error from the device, long header", "设备应用错误，长报头"),
    (0x70, "application error from the device", "设备应用错误"),
    (0x71, "alarm from the device", "设备报警"),
    (0x72, "response from the device (M-Bus data), long header", "设备响应（M-Bus 数据），长报头"),
    (
        0x73,
        "response from the device (M-Bus compact frame), long header; earlier: fixed data structure",
        "设备响应（M-Bus 紧凑帧），长报头；旧版：固定数据结构",
    ),
    (0x74, "alarm from the device, short header", "设备报警，短报头"),
    (0x75, "alarm from the device, long header", "设备报警，长报头"),
    (
        0x76,
        "reserved; earlier: variable data response, mode 2 (high byte first)",
        "保留；旧版：可变数据响应，模式2（高字节在前）",
    ),
    (
        0x77,
        "reserved; earlier: fixed data response, mode 2 (high byte first)",
        "保留；旧版：固定数据响应，模式2（高字节在前）",
    ),
    (0x78, "response from the device (M-Bus data), no header", "设备响应（M-Bus 数据），无报头"),
    (0x79, "response from the device (M-Bus compact frame), no header", "设备响应（M-Bus 紧凑帧），无报头"),
    (0x7A, "response from the device (M-Bus data), short header", "设备响应（M-Bus 数据），短报头"),
    (0x7B, "response from the device (M-Bus compact frame), short header", "设备响应（M-Bus 紧凑帧），短报头"),
    (0x7C, "response from the device (DLMS/COSEM), long header", "设备响应（DLMS/COSEM），长报头"),
    (0x7D, "response from the device (DLMS/COSEM), short header", "设备响应（DLMS/COSEM），短报头"),
    (0x7E, "response from the device (OBIS-type value descriptors), long header", "设备响应（OBIS 类值描述），长报头"),
    (0x7F, "response from the device (OBIS-type value descriptors), short header", "设备响应（OBIS 类值描述），短报头"),
    (0xB8, "set baud rate to 300", "设置波特率为 300"),
    (0xB9, "set baud rate to 600", "设置波特率为 600"),
    (0xBA, "set baud rate to 1200", "设置波特率为 1200"),
    (0xBB, "set baud rate to 2400", "设置波特率为 2400"),
    (0xBC, "set baud rate to 4800", "设置波特率为 4800"),
    (0xBD, "set baud rate to 9600", "设置波特率为 9600"),
    (0xBE, "set baud rate to 19200", "设置波特率为 19200"),
    (0xBF, "set baud rate to 38400", "设置波特率为 38400"),
];

/// The transport header a CI field announces: `Some(true)` long (12
/// bytes), `Some(false)` short (4 bytes), `None` none.
pub fn header(ci: u8) -> Option<bool> {
    match ci {
        0x53 | 0x55 | 0x5B | 0x60 | 0x64 | 0x68 | 0x6B | 0x6C | 0x6D | 0x6F | 0x72 | 0x73 | 0x75 | 0x76 | 0x7C
        | 0x7E | 0x80 | 0x82 | 0x84 | 0x85 | 0x87 | 0x8B | 0xC0 | 0xC2 | 0xC3 | 0xC5 => Some(true),
        0x5A | 0x61 | 0x65 | 0x67 | 0x6A | 0x6E | 0x74 | 0x7A | 0x7B | 0x7D | 0x7F | 0x88 | 0x8A | 0xC1 | 0xC4 => {
            Some(false)
        }
        _ => None,
    }
}

/// Words for a CI field: the table, then the ranges the wired M-Bus only
/// names (the wireless layers of EN 13757-4/-5/-7, the manufacturer's
/// range, image and security information transfer).
pub fn ci(code: u8) -> Msg {
    match lookup(CI, code) {
        Some(m) => m,
        None if (0x80..=0x90).contains(&code) => crate::msg!(
            "wireless M-Bus transport, network, link or authentication layer (EN 13757-4, -5, -7)",
            "无线 M-Bus 传输层、网络层、链路层或认证层（EN 13757-4、-5、-7）"
        ),
        None if (0xA0..=0xB7).contains(&code) => crate::msg!("manufacturer specific", "制造商专用"),
        None if (0xC0..=0xC5).contains(&code) => {
            crate::msg!("image transfer or security information transfer", "映像传输或安全信息传输")
        }
        None => crate::msg!("reserved CI field", "保留的 CI 字段"),
    }
}

/// Whether a CI field is defined (in the table or the manufacturer's range).
pub fn ci_known(code: u8) -> bool {
    lookup(CI, code).is_some() || matches!(code, 0x80..=0x90 | 0xA0..=0xB7 | 0xC0..=0xC5)
}

/// Device types (medium) of the fixed header (EN 13757-3).
pub static MEDIUM: &[(u8, &str, &str)] = &[
    (0x00, "other", "其他"),
    (0x01, "oil", "油"),
    (0x02, "electricity", "电"),
    (0x03, "gas", "燃气"),
    (0x04, "heat (outlet)", "热量（出口）"),
    (0x05, "steam", "蒸汽"),
    (0x06, "warm water (30–90 °C)", "温水（30–90 °C）"),
    (0x07, "water", "水"),
    (0x08, "heat cost allocator", "热分配表"),
    (0x09, "compressed air", "压缩空气"),
    (0x0A, "cooling load meter (outlet)", "冷量表（出口）"),
    (0x0B, "cooling load meter (inlet)", "冷量表（入口）"),
    (0x0C, "heat (inlet)", "热量（入口）"),
    (0x0D, "heat / cooling load meter", "冷热量表"),
    (0x0E, "bus / system component", "总线/系统组件"),
    (0x0F, "unknown medium", "未知介质"),
    (0x14, "calorific value", "热值"),
    (0x15, "hot water (≥ 90 °C)", "热水（≥ 90 °C）"),
    (0x16, "cold water", "冷水"),
    (0x17, "dual register (hot/cold) water meter", "冷热双计水表"),
    (0x18, "pressure", "压力"),
    (0x19, "A/D converter", "模数转换器"),
    (0x1A, "smoke detector", "烟雾探测器"),
    (0x1B, "room sensor (temperature, humidity)", "室内传感器（温度、湿度）"),
    (0x1C, "gas detector", "燃气探测器"),
    (0x20, "breaker (electricity)", "断路器（电）"),
    (0x21, "valve (gas or water)", "阀门（燃气或水）"),
    (0x25, "customer unit (display device)", "用户单元（显示设备）"),
    (0x28, "waste water", "废水"),
    (0x29, "garbage", "垃圾"),
    (0x31, "communication controller", "通信控制器"),
    (0x32, "unidirectional repeater", "单向中继器"),
    (0x33, "bidirectional repeater", "双向中继器"),
    (0x36, "radio converter (system side)", "无线转换器（系统侧）"),
    (0x37, "radio converter (meter side)", "无线转换器（表计侧）"),
];

pub fn medium(code: u8) -> Msg {
    lookup(MEDIUM, code).unwrap_or(crate::msg!("reserved device type", "保留的设备类型"))
}

/// Application errors of CI 70h (EN 13757-3).
pub static APP_ERRORS: &[(u8, &str, &str)] = &[
    (0x00, "unspecified error", "未指定的错误"),
    (0x01, "unimplemented CI field", "未实现的CI字段"),
    (0x02, "buffer too long, truncated", "缓冲区过长，已截断"),
    (0x03, "too many records", "记录过多"),
    (0x04, "premature end of record", "记录提前结束"),
    (0x05, "more than 10 DIFEs", "DIFE 超过10个"),
    (0x06, "more than 10 VIFEs", "VIFE 超过10个"),
    (0x08, "application too busy to handle the readout request", "应用忙，无法处理读出请求"),
    (0x09, "too many readouts", "读出次数过多"),
];

/// Link-layer functions (C field D3–D0) by direction: PRM = 1 (master to
/// slave) and PRM = 0 (slave to master), EN 13757-2.
pub static FUNCTIONS: &[(u8, &str, &str)] = &[
    (0x00, "ACK (acknowledgement)", "ACK（确认）"),
    (0x01, "NACK (not acknowledged)", "NACK（否认）"),
    (0x08, "RSP_UD (user data response)", "RSP_UD（用户数据响应）"),
    (0x09, "RSP_NACK (no data)", "RSP_NACK（无数据）"),
    (0x0B, "RSP_SKE (link status)", "RSP_SKE（链路状态）"),
    (0x10, "SND_NKE (link reset)", "SND_NKE（链路复位）"),
    (0x13, "SND_UD (send user data)", "SND_UD（发送用户数据）"),
    (0x14, "SND_UD2 (send user data, no reply)", "SND_UD2（发送用户数据，无应答）"),
    (0x19, "REQ_SKE (request link status)", "REQ_SKE（请求链路状态）"),
    (0x1A, "REQ_UD1 (request class 1 data: alarms)", "REQ_UD1（请求1类数据：报警）"),
    (0x1B, "REQ_UD2 (request class 2 data: user data)", "REQ_UD2（请求2类数据：用户数据）"),
];

fn function_key(c: u8) -> u8 {
    (if c & 0x40 != 0 { 0x10 } else { 0 }) | (c & 0x0F)
}

/// The function of a C field, with its direction.
pub fn function(c: u8) -> Msg {
    lookup(FUNCTIONS, function_key(c)).unwrap_or(crate::msg!("function not used by the M-Bus", "M-Bus 未使用的功能"))
}

/// Whether the function of a C field is one the M-Bus uses.
pub fn function_known(c: u8) -> bool {
    FUNCTIONS.iter().any(|r| r.0 == function_key(c))
}

/// Manufacturer code: three letters from the 15-bit code (the FLAG
/// association's ids), `A` = 1.
pub fn manufacturer(code: u16) -> [u8; 3] {
    let letter = |v: u16| {
        let v = (v & 0x1F) as u8;
        if (1..=26).contains(&v) { b'@' + v } else { b'?' }
    };
    [letter(code >> 10), letter(code >> 5), letter(code)]
}

/// A manufacturer code as its three letters, written when rendered (`Msg::Code`).
pub fn manufacturer_words(code: u64, _: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    manufacturer(code as u16).iter().try_for_each(|&c| w.write_char(char::from(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_ordered_and_disjoint() {
        for t in [PRIMARY, FD, FB] {
            for w in t.windows(2) {
                assert!(w[0].0.lo <= w[0].0.hi && w[0].0.hi < w[1].0.lo, "{:?}", w[1].0);
            }
        }
        for w in VIFE.windows(2) {
            assert!(w[0].0.1 < w[1].0.0, "{:02X}", w[1].0.0);
        }
        for t in [ERRORS, ACTIONS, CI, MEDIUM, APP_ERRORS, FUNCTIONS, VIFE_EXT] {
            for w in t.windows(2) {
                assert!(w[0].0 < w[1].0);
            }
        }
    }

    #[test]
    fn manufacturer_letters() {
        assert_eq!(&manufacturer(0x1593), b"ELS");
        assert_eq!(&manufacturer(0x4CAE), b"SEN");
        assert_eq!(&manufacturer(0x0442), b"ABB");
        assert_eq!(&manufacturer(0x2C2D), b"KAM");
    }
}
