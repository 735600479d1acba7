//! The object dictionary of DL/T 698.45 (clause 7 and Appendix A), kept small
//! and compositional.
//!
//! An object identifier (OI) is two bytes. Its first nibble is the class of
//! object (0 energy, 1 demand, 2 variable, 3 event, 4 parameter, 5 freeze,
//! 6 collection…). Energy and demand OIs compose further: the third nibble is
//! the kind of quantity and the fourth the phase (0 total, 1 A, 2 B, 3 C),
//! so `0012` is "forward active energy, phase B". The other classes are short
//! tables. Attribute names follow the interface class of the object.

use core::fmt;

use crate::lang::Lang;

/// How the elements of an array attribute are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elements {
    /// No element names.
    None,
    /// total, T1, T2… (energies and demands by tariff).
    Tariff,
    /// phase A, B, C (class 3 phase variables).
    Phase,
    /// total, phase A, B, C (class 4 power variables).
    TotalPhase,
}

impl Elements {
    /// Whether element `index` (1-based, as in an OAD element index) has a name.
    pub fn has_name(self, index: usize) -> bool {
        match (self, index) {
            (_, 0) | (Elements::None, _) => false,
            (Elements::Tariff, _) => true,
            (Elements::Phase, i) => i <= 3,
            (Elements::TotalPhase, i) => i <= 4,
        }
    }

    /// Write the name of element `index` in a language (nothing when it has none).
    pub fn write_name(self, index: usize, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
        if !self.has_name(index) {
            return Ok(());
        }
        match (self, index) {
            (Elements::Tariff, 1) | (Elements::TotalPhase, 1) => w.write_str(lang.pick("total", "总")),
            (Elements::Tariff, i) => write!(w, "{}{}", lang.pick("T", "费率"), i - 1),
            (Elements::Phase, i) => write_phase(i, lang, w),
            (_, i) => write_phase(i - 1, lang, w),
        }
    }

    /// The name of element `index` (1-based, as in an OAD element index).
    pub fn name(self, index: usize, lang: Lang) -> Option<String> {
        self.has_name(index).then(|| text(|w| self.write_name(index, lang, w)))
    }
}

/// What a writer writes, as a string.
fn text(f: impl FnOnce(&mut String) -> fmt::Result) -> String {
    let mut s = String::new();
    let _ = f(&mut s);
    s
}

/// `phase A` / `A相` for 1, 2, 3.
fn write_phase(i: usize, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let p = ["A", "B", "C"][i.clamp(1, 3) - 1];
    match lang {
        Lang::En => write!(w, "phase {p}"),
        Lang::Zh => write!(w, "{p}相"),
    }
}

/// What the dictionary knows of one attribute: the scaler and unit of its
/// numbers and how its array elements are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    pub scaler: i8,
    /// A unit code of the Scaler_Unit enumeration (Appendix, table of units).
    pub unit: u8,
    pub elements: Elements,
}

/// Quantity kinds of energy and demand OIs (third nibble): en, zh, unit code.
const QUANTITY: &[(&str, &str, u8)] = &[
    ("combined active", "组合有功", 33),
    ("forward active", "正向有功", 33),
    ("reverse active", "反向有功", 33),
    ("combined reactive 1", "组合无功1", 35),
    ("combined reactive 2", "组合无功2", 35),
    ("quadrant I reactive", "第一象限无功", 35),
    ("quadrant II reactive", "第二象限无功", 35),
    ("quadrant III reactive", "第三象限无功", 35),
    ("quadrant IV reactive", "第四象限无功", 35),
    ("forward apparent", "正向视在", 34),
    ("reverse apparent", "反向视在", 34),
];

/// Class 3, 4 and 6 variables: OI, en, zh, scaler, unit code, elements.
const VARIABLES: &[(u16, &str, &str, i8, u8, Elements)] = &[
    (0x2000, "voltage", "电压", -1, 38, Elements::Phase),
    (0x2001, "current", "电流", -3, 36, Elements::Phase),
    (0x2002, "voltage phase angle", "电压相角", -1, 8, Elements::Phase),
    (0x2003, "voltage-current phase angle", "电压电流相角", -1, 8, Elements::Phase),
    (0x2004, "active power", "有功功率", -1, 27, Elements::TotalPhase),
    (0x2005, "reactive power", "无功功率", -1, 31, Elements::TotalPhase),
    (0x2006, "apparent power", "视在功率", -1, 29, Elements::TotalPhase),
    (0x200A, "power factor", "功率因数", -3, 255, Elements::TotalPhase),
    (0x200F, "grid frequency", "电网频率", -2, 47, Elements::None),
    (0x2010, "meter temperature", "表内温度", -1, 9, Elements::None),
    (0x2011, "clock battery voltage", "时钟电池电压", -2, 38, Elements::None),
    (0x2014, "meter running status words", "电能表运行状态字", 0, 255, Elements::None),
    (0x2015, "meter follow-report status word", "电能表跟随上报状态字", 0, 255, Elements::None),
    (0x2017, "current active demand", "当前有功需量", -4, 28, Elements::None),
    (0x2018, "current reactive demand", "当前无功需量", -4, 32, Elements::None),
    (0x201E, "event start time", "事件发生时间", 0, 255, Elements::None),
    (0x2020, "event end time", "事件结束时间", 0, 255, Elements::None),
    (0x2021, "data freeze time", "数据冻结时间", 0, 255, Elements::None),
    (0x2022, "event record number", "事件记录序号", 0, 255, Elements::None),
    (0x2026, "voltage unbalance rate", "电压不平衡率", -2, 51, Elements::None),
    (0x2027, "current unbalance rate", "电流不平衡率", -2, 51, Elements::None),
];

/// Named objects of the other classes: OI, en, zh.
const OBJECTS: &[(u16, &str, &str)] = &[
    (0x3000, "loss-of-voltage event", "失压事件"),
    (0x3001, "under-voltage event", "欠压事件"),
    (0x3002, "over-voltage event", "过压事件"),
    (0x3003, "phase-break event", "断相事件"),
    (0x3004, "loss-of-current event", "失流事件"),
    (0x3005, "over-current event", "过流事件"),
    (0x3006, "current-break event", "断流事件"),
    (0x3007, "power reversal event", "功率反向事件"),
    (0x3008, "overload event", "过载事件"),
    (0x3009, "forward active demand exceeded event", "正向有功需量超限事件"),
    (0x300A, "reverse active demand exceeded event", "反向有功需量超限事件"),
    (0x300B, "reactive demand exceeded event", "无功需量超限事件"),
    (0x300C, "power factor below limit event", "功率因数超下限事件"),
    (0x300D, "all-phase loss-of-voltage event", "全失压事件"),
    (0x300E, "auxiliary power loss event", "辅助电源掉电事件"),
    (0x300F, "voltage reverse phase sequence event", "电压逆相序事件"),
    (0x3010, "current reverse phase sequence event", "电流逆相序事件"),
    (0x3011, "power-down event", "掉电事件"),
    (0x3012, "programming event", "编程事件"),
    (0x3013, "meter clear event", "电能表清零事件"),
    (0x3014, "demand clear event", "需量清零事件"),
    (0x3015, "event clear event", "事件清零事件"),
    (0x3016, "clock setting event", "校时事件"),
    (0x301B, "cover opening event", "开盖事件"),
    (0x301C, "terminal cover opening event", "开端钮盒事件"),
    (0x301D, "voltage unbalance event", "电压不平衡事件"),
    (0x301E, "current unbalance event", "电流不平衡事件"),
    (0x301F, "relay trip event", "跳闸事件"),
    (0x3020, "relay close event", "合闸事件"),
    (0x3320, "new event list", "新增事件列表"),
    (0x4000, "date-time", "日期时间"),
    (0x4001, "communication address", "通信地址"),
    (0x4002, "meter number", "表号"),
    (0x4003, "customer number", "客户编号"),
    (0x4004, "device location", "设备地理位置"),
    (0x4005, "group address", "组地址"),
    (0x4006, "clock source", "时钟源"),
    (0x4007, "LCD parameters", "液晶参数"),
    (0x4100, "maximum demand period", "最大需量周期"),
    (0x4101, "slip time", "滑差时间"),
    (0x4300, "electrical device", "电气设备"),
    (0x4400, "application connection", "应用连接"),
    (0x4500, "public network communication module 1", "公网通信模块1"),
    (0x4510, "Ethernet communication module 1", "以太网通信模块1"),
    (0x5000, "instant freeze", "瞬时冻结"),
    (0x5001, "second freeze", "秒冻结"),
    (0x5002, "minute freeze", "分钟冻结"),
    (0x5003, "hour freeze", "小时冻结"),
    (0x5004, "day freeze", "日冻结"),
    (0x5005, "settlement-day freeze", "结算日冻结"),
    (0x5006, "month freeze", "月冻结"),
    (0x5007, "year freeze", "年冻结"),
    (0x6000, "meter file configuration table", "采集档案配置表"),
    (0x6012, "task configuration table", "任务配置表"),
    (0x6014, "normal collection scheme", "普通采集方案"),
    (0x6040, "collection start time", "采集启动时标"),
    (0x6041, "collection success time", "采集成功时标"),
    (0x6042, "collection storage time", "采集存储时标"),
    (0xF100, "ESAM", "ESAM"),
    (0xF101, "security mode parameters", "安全模式参数"),
    (0xF200, "RS232", "RS232"),
    (0xF201, "RS485", "RS485"),
    (0xF202, "infrared", "红外"),
    (0xF203, "switch input", "开关量输入"),
    (0xF204, "DC analogue input", "直流模拟量"),
    (0xF205, "relay output", "继电器输出"),
    (0xF206, "alarm output", "告警输出"),
    (0xF207, "multi-function terminal", "多功能端子"),
    (0xF208, "AC sampling interface", "交采接口"),
    (0xF209, "carrier/micro-power wireless interface", "载波/微功率无线接口"),
    (0xF20A, "pulse input device", "脉冲输入设备"),
    (0xF20B, "Bluetooth", "蓝牙"),
];

/// Attributes of the device management class (19) that object 4300, the
/// electrical device, carries: attribute, en, zh.
const DEVICE_ATTRIBUTES: &[(u8, &str, &str)] = &[
    (2, "device descriptor", "设备描述符"),
    (3, "version information", "版本信息"),
    (4, "production date", "生产日期"),
    (5, "sub-device list", "子设备列表"),
    (6, "supported protocols", "支持规约列表"),
    (7, "follow report allowed", "允许跟随上报"),
    (8, "active report allowed", "允许主动上报"),
    (9, "talking to the master station allowed", "允许与主站通话"),
    (10, "report channels", "上报通道"),
];

/// An English and a Chinese text.
type Text = (&'static str, &'static str);

/// The report switches of the electrical device (4300): attribute, and the
/// meaning of true and of false.
const REPORT_SWITCHES: &[(u8, Text, Text)] = &[
    (7, ("follow reports allowed", "允许跟随上报"), ("follow reports forbidden", "禁止跟随上报")),
    (8, ("active reports allowed", "允许主动上报"), ("active reports forbidden", "禁止主动上报")),
    (
        9,
        ("talking to the master station allowed", "允许与主站通话"),
        ("talking to the master station forbidden", "禁止与主站通话"),
    ),
];

/// The meaning of a bool value of a switch attribute (4300 attributes 7, 8, 9), in English and Chinese.
pub fn switch_texts(oi: u16, attr: u8, on: bool) -> Option<&'static (&'static str, &'static str)> {
    let attr = attr & 0x1F;
    let s = REPORT_SWITCHES.iter().find(|s| oi == 0x4300 && s.0 == attr)?;
    Some(if on { &s.1 } else { &s.2 })
}

/// The meaning of a bool value of a switch attribute (4300 attributes 7, 8, 9).
pub fn switch_meaning(oi: u16, attr: u8, on: bool, lang: Lang) -> Option<&'static str> {
    switch_texts(oi, attr, on).map(|&(en, zh)| lang.pick(en, zh))
}

/// True for the report channels attribute (4300 attribute 10): an array of the
/// OADs of the interfaces active reports go out on.
pub fn is_report_channels(oi: u16, attr: u8) -> bool {
    oi == 0x4300 && attr & 0x1F == 10
}

/// How an object identifier is named: composed for energies and demands, or from a table.
#[derive(Clone, Copy)]
enum ObjectName {
    Energy(usize, usize),
    Demand(usize, usize),
    Fixed(&'static str, &'static str),
}

fn object(oi: u16) -> Option<ObjectName> {
    let (hi, kind, ph) = (oi >> 8, ((oi >> 4) & 0xF) as usize, (oi & 0xF) as usize);
    match hi {
        0x00 if kind < QUANTITY.len() => (ph <= 3).then_some(ObjectName::Energy(kind, ph)),
        0x10 if (1..QUANTITY.len()).contains(&kind) => (ph <= 3).then_some(ObjectName::Demand(kind, ph)),
        _ => VARIABLES
            .iter()
            .find(|v| v.0 == oi)
            .map(|v| ObjectName::Fixed(v.1, v.2))
            .or_else(|| OBJECTS.iter().find(|o| o.0 == oi).map(|o| ObjectName::Fixed(o.1, o.2))),
    }
}

/// Whether the dictionary names an object identifier.
pub fn has_object_name(oi: u16) -> bool {
    object(oi).is_some()
}

/// Write the name of an object identifier in a language (nothing when unnamed).
pub fn write_object_name(oi: u16, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    let (q, ph, what) = match object(oi) {
        None => return Ok(()),
        Some(ObjectName::Fixed(en, zh)) => return w.write_str(lang.pick(en, zh)),
        Some(ObjectName::Energy(q, ph)) => (QUANTITY[q], ph, lang.pick(" energy", "电能")),
        Some(ObjectName::Demand(q, ph)) => (QUANTITY[q], ph, lang.pick(" maximum demand", "最大需量")),
    };
    w.write_str(lang.pick(q.0, q.1))?;
    w.write_str(what)?;
    if ph > 0 {
        w.write_str(lang.pick(", ", "，"))?;
        write_phase(ph, lang, w)?;
    }
    Ok(())
}

/// The name of an object identifier, composed for energies and demands.
pub fn object_name(oi: u16, lang: Lang) -> Option<String> {
    has_object_name(oi).then(|| text(|w| write_object_name(oi, lang, w)))
}

/// The English and Chinese names of attribute `attr` of object `oi`.
pub fn attribute_names(oi: u16, attr: u8) -> Option<(&'static str, &'static str)> {
    let attr = attr & 0x1F; // bits 7..5 are the attribute feature
    if let Some(a) = DEVICE_ATTRIBUTES.iter().find(|a| oi == 0x4300 && a.0 == attr) {
        return Some((a.1, a.2));
    }
    Some(match (oi >> 12, attr) {
        (_, 1) => ("logical name", "逻辑名"),
        (0xF, 2) if oi >> 8 == 0xF2 => ("device object list", "设备对象列表"),
        (0, 2) => ("total and tariff energies", "总及费率电能量"),
        (0, 3) => ("scaler and unit", "换算及单位"),
        (0, 4) => ("high-precision total and tariff energies", "高精度总及费率电能量"),
        (0, 5) => ("high-precision scaler and unit", "高精度换算及单位"),
        (1, 2) => ("total and tariff maximum demands", "总及费率最大需量"),
        (1, 3) => ("scaler and unit", "换算及单位"),
        (2, 2) => ("value", "数值"),
        (2, 3) => ("scaler and unit", "换算及单位"),
        (2, 4) if oi == 0x2001 => ("neutral current", "零线电流"),
        (3, 2) => ("event record table", "事件记录表"),
        (4, 2) => ("value", "参数值"),
        (5, 2) => ("frozen data table", "冻结数据表"),
        (5, 3) => ("associated object attribute table", "关联对象属性表"),
        _ => return None,
    })
}

/// The name of attribute `attr` of object `oi`.
pub fn attribute_name(oi: u16, attr: u8, lang: Lang) -> Option<&'static str> {
    attribute_names(oi, attr).map(|(en, zh)| lang.pick(en, zh))
}

/// The English and Chinese names of method `method` of object `oi`.
pub fn method_names(oi: u16, method: u8) -> Option<(&'static str, &'static str)> {
    Some(match (oi >> 12, method) {
        (_, 1) => ("reset", "复位"),
        (_, 2) if oi >> 12 != 0 => ("execute", "执行"),
        (3, 4) | (5, 4) => ("add an associated attribute", "添加一个关联对象属性"),
        (3, 5) | (5, 5) => ("delete an associated attribute", "删除一个关联对象属性"),
        (6, 127) | (0x4, 127) => ("add or update", "添加或更新"),
        (6, 128) => ("delete", "删除"),
        (6, 129) => ("clear", "清空"),
        _ => return None,
    })
}

/// The name of method `method` of object `oi`.
pub fn method_name(oi: u16, method: u8, lang: Lang) -> Option<&'static str> {
    method_names(oi, method).map(|(en, zh)| lang.pick(en, zh))
}

/// Scaler, unit and element names of the numbers of attribute `attr` of `oi`.
pub fn hint(oi: u16, attr: u8) -> Option<Hint> {
    let attr = attr & 0x1F;
    let (hi, kind) = (oi >> 8, ((oi >> 4) & 0xF) as usize);
    match (hi, attr) {
        (0x00, 2 | 4) if kind < QUANTITY.len() => {
            Some(Hint { scaler: if attr == 2 { -2 } else { -4 }, unit: QUANTITY[kind].2, elements: Elements::Tariff })
        }
        (0x10, 2) if (1..QUANTITY.len()).contains(&kind) => {
            let unit = match QUANTITY[kind].2 {
                33 => 28,
                34 => 30,
                _ => 32,
            };
            Some(Hint { scaler: -4, unit, elements: Elements::Tariff })
        }
        (_, 2) => VARIABLES.iter().find(|v| v.0 == oi).map(|v| Hint { scaler: v.3, unit: v.4, elements: v.5 }),
        (_, 4) if oi == 0x2001 => Some(Hint { scaler: -3, unit: 36, elements: Elements::None }),
        _ => None,
    }
}

/// Data access result codes (DAR, clause 7.3.x): code, en, zh.
const DAR: &[(u8, &str, &str)] = &[
    (0, "success", "成功"),
    (1, "hardware failure", "硬件失效"),
    (2, "temporary failure", "暂时失效"),
    (3, "read-write denied", "拒绝读写"),
    (4, "object undefined", "对象未定义"),
    (5, "interface class mismatch", "对象接口类不符"),
    (6, "object does not exist", "对象不存在"),
    (7, "type mismatch", "类型不匹配"),
    (8, "out of range", "越界"),
    (9, "data block unavailable", "数据块不可用"),
    (10, "fragmented transfer cancelled", "分帧传输已取消"),
    (11, "not in fragmented transfer", "不处于分帧传输状态"),
    (12, "block write cancelled", "块写取消"),
    (13, "not in block write", "不存在块写状态"),
    (14, "data block number invalid", "数据块序号无效"),
    (15, "password error or unauthorised", "密码错/未授权"),
    (16, "baud rate cannot be changed", "通信速率不能更改"),
    (17, "too many year time zones", "年时区数超"),
    (18, "too many day periods", "日时段数超"),
    (19, "too many tariffs", "费率数超"),
    (20, "security authentication mismatch", "安全认证不匹配"),
    (21, "duplicate recharge", "重复充值"),
    (22, "ESAM verification failed", "ESAM验证失败"),
    (23, "security authentication failed", "安全认证失败"),
    (24, "customer number mismatch", "客户编号不匹配"),
    (25, "recharge count error", "充值次数错误"),
    (26, "purchase exceeds hoarding limit", "购电超囤积"),
    (27, "address abnormal", "地址异常"),
    (28, "symmetric decryption error", "对称解密错误"),
    (29, "asymmetric decryption error", "非对称解密错误"),
    (30, "signature error", "签名错误"),
    (31, "meter suspended", "电能表挂起"),
    (32, "time tag invalid", "时间标签无效"),
    (33, "request timed out", "请求超时"),
    (34, "ESAM P1P2 incorrect", "ESAM的P1P2不正确"),
    (35, "ESAM LC error", "ESAM的LC错误"),
    (255, "other", "其它"),
];

/// The English and Chinese meanings of a DAR code.
pub fn dar_names(code: u8) -> Option<(&'static str, &'static str)> {
    DAR.iter().find(|d| d.0 == code).map(|d| (d.1, d.2))
}

/// The meaning of a DAR code.
pub fn dar_name(code: u8, lang: Lang) -> Option<&'static str> {
    dar_names(code).map(|(en, zh)| lang.pick(en, zh))
}

/// Write "OI name, attribute name, element name" for an OAD whose object is
/// named (nothing otherwise).
pub fn write_oad(oi: u16, attr: u8, index: u8, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    if !has_object_name(oi) {
        return Ok(());
    }
    write_object_name(oi, lang, w)?;
    let sep = lang.pick(", ", "，");
    w.write_str(sep)?;
    match attribute_name(oi, attr, lang) {
        Some(a) => w.write_str(a)?,
        None => write!(w, "{} {}", lang.pick("attribute", "属性"), attr & 0x1F)?,
    }
    if index > 0 {
        w.write_str(sep)?;
        match hint(oi, attr).map(|h| h.elements).filter(|e| e.has_name(index as usize)) {
            Some(e) => e.write_name(index as usize, lang, w)?,
            None => write!(w, "{} {index}", lang.pick("element", "元素"))?,
        }
    }
    Ok(())
}

/// "OI name, attribute name, element name" for an OAD, as far as known.
pub fn describe_oad(oi: u16, attr: u8, index: u8, lang: Lang) -> Option<String> {
    has_object_name(oi).then(|| text(|w| write_oad(oi, attr, index, lang, w)))
}

/// Write "OI name, method name" for an OMD whose object is named (nothing otherwise).
pub fn write_omd(oi: u16, method: u8, lang: Lang, w: &mut dyn fmt::Write) -> fmt::Result {
    if !has_object_name(oi) {
        return Ok(());
    }
    write_object_name(oi, lang, w)?;
    w.write_str(lang.pick(", ", "，"))?;
    match method_name(oi, method, lang) {
        Some(m) => w.write_str(m),
        None => write!(w, "{} {method}", lang.pick("method", "方法")),
    }
}

/// "OI name, method name" for an OMD, as far as known.
pub fn describe_omd(oi: u16, method: u8, lang: Lang) -> Option<String> {
    has_object_name(oi).then(|| text(|w| write_omd(oi, method, lang, w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composed_names() {
        assert_eq!(object_name(0x0010, Lang::En).as_deref(), Some("forward active energy"));
        assert_eq!(object_name(0x0012, Lang::En).as_deref(), Some("forward active energy, phase B"));
        assert_eq!(object_name(0x0010, Lang::Zh).as_deref(), Some("正向有功电能"));
        assert_eq!(object_name(0x0031, Lang::Zh).as_deref(), Some("组合无功1电能，A相"));
        assert_eq!(object_name(0x1010, Lang::En).as_deref(), Some("forward active maximum demand"));
        assert_eq!(object_name(0x2000, Lang::Zh).as_deref(), Some("电压"));
        assert_eq!(object_name(0x5004, Lang::En).as_deref(), Some("day freeze"));
        assert_eq!(object_name(0x00B0, Lang::En), None);
        assert_eq!(object_name(0x0015, Lang::En), None);
        assert_eq!(object_name(0x9999, Lang::En), None);
    }

    #[test]
    fn oad_descriptions() {
        assert_eq!(
            describe_oad(0x0010, 2, 1, Lang::En).as_deref(),
            Some("forward active energy, total and tariff energies, total")
        );
        assert_eq!(describe_oad(0x2000, 2, 2, Lang::En).as_deref(), Some("voltage, value, phase B"));
        assert_eq!(describe_oad(0x4000, 2, 0, Lang::Zh).as_deref(), Some("日期时间，参数值"));
        assert_eq!(describe_omd(0x0010, 1, Lang::En).as_deref(), Some("forward active energy, reset"));
        assert_eq!(describe_omd(0x6012, 129, Lang::Zh).as_deref(), Some("任务配置表，清空"));
    }

    #[test]
    fn hints_and_units() {
        assert_eq!(hint(0x0010, 2), Some(Hint { scaler: -2, unit: 33, elements: Elements::Tariff }));
        assert_eq!(hint(0x0010, 4).map(|h| h.scaler), Some(-4));
        assert_eq!(hint(0x2001, 2).map(|h| (h.scaler, crate::units::dlt698_symbol(h.unit))), Some((-3, Some("A"))));
        assert_eq!(hint(0x1010, 2).map(|h| crate::units::dlt698_symbol(h.unit)), Some(Some("kW")));
        assert_eq!(crate::units::dlt698_symbol(255), None);
        assert_eq!(dar_name(4, Lang::En), Some("object undefined"));
        assert_eq!(dar_name(32, Lang::Zh), Some("时间标签无效"));
        assert_eq!(dar_name(200, Lang::En), None);
        assert_eq!(Elements::Tariff.name(3, Lang::En).as_deref(), Some("T2"));
        assert_eq!(Elements::TotalPhase.name(4, Lang::Zh).as_deref(), Some("C相"));
        assert_eq!(Elements::Phase.name(4, Lang::En), None);
    }

    #[test]
    fn names_without_a_language() {
        assert!(has_object_name(0x0012) && !has_object_name(0x0015) && !has_object_name(0x9999));
        let mut s = String::new();
        write_object_name(0x0012, Lang::Zh, &mut s).unwrap();
        write_object_name(0x9999, Lang::Zh, &mut s).unwrap();
        assert_eq!(s, "正向有功电能，B相");
        assert_eq!(attribute_names(0x4300, 0x27), Some(("follow report allowed", "允许跟随上报")));
        assert_eq!(method_names(0x6012, 129), Some(("clear", "清空")));
        assert_eq!(dar_names(3), Some(("read-write denied", "拒绝读写")));
        assert_eq!(switch_texts(0x4300, 9, true).map(|t| t.0), Some("talking to the master station allowed"));
        assert!(Elements::Tariff.has_name(9) && !Elements::Phase.has_name(4) && !Elements::TotalPhase.has_name(0));
        let mut s = String::new();
        write_oad(0x2000, 2, 9, Lang::En, &mut s).unwrap();
        assert_eq!(s, "voltage, value, element 9");
        s.clear();
        write_omd(0x9999, 1, Lang::En, &mut s).unwrap();
        assert_eq!(s, "");
    }

    /// Lists what the dictionary covers (run with `--nocapture` to read it) and
    /// spot-checks entries against the standard (Appendix A object tables,
    /// interface classes 1–4, 19, 22, DAR codes).
    #[test]
    fn coverage() {
        const CLASSES: [&str; 16] = [
            "energy",
            "demand",
            "variable",
            "event",
            "parameter",
            "freeze",
            "collection",
            "set",
            "control",
            "?",
            "?",
            "?",
            "?",
            "?",
            "?",
            "interface and file",
        ];
        let mut named = [0usize; 16];
        let (mut attributes, mut scaled, mut with_unit) = (0usize, 0usize, 0usize);
        for oi in 0..=u16::MAX {
            if object_name(oi, Lang::En).is_none() {
                continue;
            }
            assert!(object_name(oi, Lang::Zh).is_some(), "{oi:04X} has no Chinese name");
            named[usize::from(oi >> 12)] += 1;
            for attr in 1..=31 {
                attributes += usize::from(attribute_name(oi, attr, Lang::En).is_some());
                if let Some(h) = hint(oi, attr) {
                    scaled += 1;
                    with_unit += usize::from(h.unit != 255);
                    assert!(
                        h.unit == 255 || crate::units::dlt698_symbol(h.unit).is_some(),
                        "{oi:04X} attribute {attr}: unit {}",
                        h.unit
                    );
                }
            }
        }
        eprintln!("DL/T 698.45 dictionary coverage:");
        for (class, n) in named.iter().enumerate().filter(|x| *x.1 > 0) {
            eprintln!("  class {class:X} ({}): {n} objects named", CLASSES[class]);
        }
        eprintln!(
            "  {} objects, {attributes} named attributes, {scaled} attributes with scaler and unit ({with_unit} with a physical unit)",
            named.iter().sum::<usize>()
        );
        eprintln!("  {} DAR codes", DAR.len());
        // Every energy kind by phase and every demand kind by phase.
        assert_eq!(named[0], QUANTITY.len() * 4);
        assert_eq!(named[1], (QUANTITY.len() - 1) * 4);
        assert!(named[2] >= 20 && named[3] >= 25 && named[4] >= 10 && named[5] == 8 && named[0xF] >= 10);
        assert!(scaled >= 150, "{scaled}");

        // Spot checks (value, scaler, unit as the standard gives them).
        let h = |oi, attr| hint(oi, attr).map(|h| (h.scaler, crate::units::dlt698_symbol(h.unit)));
        // 0010 forward active energy: double-long-unsigned, kWh, scaler -2; high precision -4.
        assert_eq!(h(0x0010, 2), Some((-2, Some("kWh"))));
        assert_eq!(h(0x0010, 4), Some((-4, Some("kWh"))));
        // 0030 combined reactive 1 energy: kvarh, -2.
        assert_eq!(h(0x0030, 2), Some((-2, Some("kvarh"))));
        // 1010 forward active maximum demand: kW, -4.
        assert_eq!(h(0x1010, 2), Some((-4, Some("kW"))));
        // 2000 voltage: long-unsigned, V, -1; 2001 current: double-long, A, -3.
        assert_eq!(h(0x2000, 2), Some((-1, Some("V"))));
        assert_eq!(h(0x2001, 2), Some((-3, Some("A"))));
        // 2004 active power: W, -1; 2005 reactive power: var, -1; 200A power factor: -3, no unit.
        assert_eq!(h(0x2004, 2), Some((-1, Some("W"))));
        assert_eq!(h(0x2005, 2), Some((-1, Some("var"))));
        assert_eq!(h(0x200A, 2), Some((-3, None)));
        // 200F grid frequency: Hz, -2.
        assert_eq!(h(0x200F, 2), Some((-2, Some("Hz"))));
        // Names of objects and attributes.
        assert_eq!(object_name(0x3011, Lang::Zh).as_deref(), Some("掉电事件"));
        assert_eq!(object_name(0x4001, Lang::Zh).as_deref(), Some("通信地址"));
        assert_eq!(object_name(0x5006, Lang::Zh).as_deref(), Some("月冻结"));
        assert_eq!(object_name(0xF201, Lang::En).as_deref(), Some("RS485"));
        assert_eq!(attribute_name(0x4300, 7, Lang::Zh), Some("允许跟随上报"));
        assert_eq!(attribute_name(0x4300, 10, Lang::Zh), Some("上报通道"));
        assert_eq!(switch_meaning(0x4300, 8, false, Lang::En), Some("active reports forbidden"));
        assert_eq!(switch_meaning(0x4000, 8, false, Lang::En), None);
        // DAR 3 is "read-write denied", 6 "object does not exist".
        assert_eq!(dar_name(3, Lang::Zh), Some("拒绝读写"));
        assert_eq!(dar_name(6, Lang::Zh), Some("对象不存在"));
    }
}
