//! OBIS codes (IEC 62056-6-1): the six value groups A–F that name every COSEM
//! object, their text forms and their names.
//!
//! - [`canonical`]: the form `1-0:1.8.0*255`.
//! - [`parse`]: the usual written forms (`1-0:1.8.0*255`, `1-0:1.8.0.255`,
//!   `1.0.1.8.0.255`, `1.8.0`, `0-0:96.1.1`, letter codes `C.1.0`, `F.F`).
//! - [`describe`]: a name composed from the value groups: a table of abstract
//!   and general objects (groups may be ranges), then for electricity (A = 1)
//!   quantity (C, with phase offsets), processing (D), tariff (E) and billing
//!   period (F).

use crate::lang::Lang;

/// The canonical text form `A-B:C.D.E*F`.
pub fn canonical(code: [u8; 6]) -> String {
    let [a, b, c, d, e, f] = code;
    format!("{a}-{b}:{c}.{d}.{e}*{f}")
}

/// Read an OBIS code from its written forms.
///
/// Accepted: `A-B:C.D.E*F`, `A-B:C.D.E.F`, `A-B:C.D.E&F`, `A-B:C.D.E`,
/// `A.B.C.D.E.F`, `B:C.D.E`, `C.D.E`, `C.D.E*F`, `C.D`, and the letters of
/// IEC 62056-21 readouts for C and D (`C` 96, `F` 97, `L` 98, `P` 99).
/// A missing A is 0 for abstract objects (C = 93..98, or 99.98 event logs)
/// and 1 (electricity) otherwise; a missing B is 0, E is 0, F is 255.
pub fn parse(text: &str) -> Option<[u8; 6]> {
    let t = text.trim();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    // Split off A-B: / B: prefixes.
    let (a, b, rest) = match t.split_once(':') {
        Some((head, rest)) => match head.split_once('-') {
            Some((a, b)) => (Some(group(a)?), Some(group(b)?), rest),
            None => (None, Some(group(head)?), rest),
        },
        None => (None, None, t),
    };
    // F after '*' or '&'.
    let (body, f) = match rest.find(['*', '&']) {
        Some(i) => (&rest[..i], Some(group(&rest[i + 1..])?)),
        None => (rest, None),
    };
    // At most six dotted groups; more never form a code.
    let mut g = [0u8; 6];
    let mut n = 0;
    for p in body.split('.') {
        *g.get_mut(n)? = group(p)?;
        n += 1;
    }
    let (a, b, c, d, e, f) = match (a, b, &g[..n], f) {
        // Six dotted groups without a prefix: A.B.C.D.E.F.
        (None, None, &[a, b, c, d, e, f], None) => (Some(a), Some(b), c, d, e, f),
        (_, _, &[c, d, e, f], None) if b.is_some() => (a, b, c, d, e, f),
        (_, _, &[c, d, e], f) => (a, b, c, d, e, f.unwrap_or(255)),
        (_, _, &[c, d], f) => (a, b, c, d, 0, f.unwrap_or(255)),
        _ => return None,
    };
    let a = a.unwrap_or(if (93..=98).contains(&c) || (c == 99 && d == 98) { 0 } else { 1 });
    Some([a, b.unwrap_or(0), c, d, e, f])
}

/// One value group: decimal 0–255 or a letter code.
fn group(s: &str) -> Option<u8> {
    let s = s.trim();
    match s {
        "C" | "c" => Some(96),
        "F" | "f" => Some(97),
        "L" | "l" => Some(98),
        "P" | "p" => Some(99),
        _ if !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<u16>().ok()?.try_into().ok()
        }
        _ => None,
    }
}

/// An inclusive range of one value group.
type Sel = (u8, u8);
const ANY: Sel = (0, 255);
const fn is(v: u8) -> Sel {
    (v, v)
}

/// A named object: A, B, C, D, E selectors; English and Chinese names with
/// `{b}`, `{e}` and `{e1}` (E + 1) placeholders. First match wins.
type Named = (Sel, Sel, u8, Sel, Sel, &'static str, &'static str);

/// Abstract and general-purpose objects (IEC 62056-6-2 and the DSMR and IDIS
/// companion specifications).
static NAMED: &[Named] = &[
    (is(0), ANY, 0, is(1), is(0), "Billing period counter", "结算周期计数器"),
    (is(0), ANY, 1, is(0), ANY, "Clock", "时钟"),
    (is(0), ANY, 10, is(0), ANY, "Script table", "脚本表"),
    (is(0), ANY, 11, is(0), ANY, "Special days table", "特殊日表"),
    (is(0), ANY, 12, is(0), ANY, "Schedule", "时间表"),
    (is(0), ANY, 13, is(0), ANY, "Activity calendar", "活动日历"),
    (is(0), ANY, 14, is(0), ANY, "Register activation", "寄存器激活"),
    (is(0), ANY, 15, is(0), ANY, "Single action schedule", "单动作时间表"),
    (is(0), ANY, 16, is(0), ANY, "Register monitor", "寄存器监视器"),
    (is(0), ANY, 17, is(0), ANY, "Limiter", "限值器"),
    (is(0), ANY, 20, is(0), ANY, "IEC local port setup", "IEC 本地端口设置"),
    (is(0), ANY, 22, is(0), ANY, "IEC HDLC setup", "IEC HDLC 设置"),
    (is(0), (1, 255), 24, is(1), ANY, "M-Bus client (channel {b})", "M-Bus 客户端(通道 {b})"),
    (is(0), (1, 255), 24, is(2), ANY, "M-Bus value (channel {b}, value {e})", "M-Bus 读数(通道 {b}，值 {e})"),
    (is(0), (1, 255), 24, is(3), ANY, "M-Bus profile (channel {b})", "M-Bus 负荷曲线(通道 {b})"),
    (is(0), (1, 255), 24, is(4), ANY, "M-Bus disconnect control (channel {b})", "M-Bus 通断控制(通道 {b})"),
    (is(0), (1, 255), 24, is(5), ANY, "M-Bus control log (channel {b})", "M-Bus 控制日志(通道 {b})"),
    (is(0), ANY, 24, is(6), ANY, "M-Bus master port setup", "M-Bus 主端口设置"),
    (is(0), ANY, 25, is(0), ANY, "TCP-UDP setup", "TCP-UDP 设置"),
    (is(0), ANY, 25, is(1), ANY, "IPv4 setup", "IPv4 设置"),
    (is(0), ANY, 25, is(4), ANY, "GPRS modem setup", "GPRS 调制解调器设置"),
    (is(0), ANY, 25, is(9), ANY, "Push setup {e1}", "推送设置 {e1}"),
    (is(0), ANY, 40, is(0), is(0), "Current association (Association LN)", "当前应用关联(逻辑名关联)"),
    (is(0), ANY, 40, is(0), ANY, "Association {e}", "应用关联 {e}"),
    (is(0), ANY, 41, is(0), ANY, "SAP assignment", "SAP 分配"),
    (is(0), ANY, 42, is(0), is(0), "COSEM logical device name", "COSEM 逻辑设备名"),
    (is(0), ANY, 43, is(0), ANY, "Security setup {e}", "安全设置 {e}"),
    (is(0), ANY, 43, is(1), ANY, "Invocation counter {e}", "调用计数器 {e}"),
    (is(0), ANY, 44, is(0), ANY, "Image transfer", "固件映像传输"),
    (is(0), is(0), 96, is(1), (0, 9), "Device ID {e1}", "设备标识 {e1}"),
    (is(0), ANY, 96, is(1), is(255), "Complete device ID", "完整设备标识"),
    (is(0), ANY, 96, is(2), ANY, "Parameter change counter / time stamp {e}", "参数变更计数/时间 {e}"),
    (is(0), ANY, 96, is(3), is(10), "Disconnect control", "通断控制"),
    (is(0), ANY, 96, is(3), ANY, "Input/output control signals {e}", "输入输出控制信号 {e}"),
    (is(0), ANY, 96, is(7), is(9), "Number of long power failures in any phase", "任一相长时停电次数"),
    (is(0), ANY, 96, is(7), is(21), "Number of power failures in any phase", "任一相停电次数"),
    (is(0), ANY, 96, is(7), ANY, "Power failure monitoring {e}", "停电监测 {e}"),
    (is(0), ANY, 96, is(10), ANY, "Status register {e}", "状态寄存器 {e}"),
    (is(0), ANY, 96, is(11), ANY, "Event code {e}", "事件代码 {e}"),
    (is(0), ANY, 96, is(13), is(0), "Text message", "文本消息"),
    (is(0), ANY, 96, is(13), is(1), "Message code", "消息代码"),
    (is(0), ANY, 96, is(14), is(0), "Current tariff indicator", "当前费率指示"),
    (is(0), ANY, 97, is(97), ANY, "Error register {e}", "错误寄存器 {e}"),
    (is(0), ANY, 97, is(98), (0, 9), "Alarm register {e1}", "告警寄存器 {e1}"),
    (is(0), ANY, 97, is(98), (10, 19), "Alarm filter", "告警过滤器"),
    (is(0), ANY, 97, is(98), ANY, "Alarm object {e}", "告警对象 {e}"),
    (ANY, ANY, 98, is(1), ANY, "Data of billing period (profile {e})", "结算周期数据(曲线 {e})"),
    (is(0), ANY, 99, is(98), ANY, "Event log {e}", "事件日志 {e}"),
    (ANY, ANY, 99, is(1), ANY, "Load profile 1", "负荷曲线 1"),
    (ANY, ANY, 99, is(2), ANY, "Load profile 2", "负荷曲线 2"),
    (ANY, ANY, 99, is(97), ANY, "Power failure event log", "停电事件日志"),
    (is(1), ANY, 0, is(0), (0, 9), "Electricity ID {e1}", "电能表标识 {e1}"),
    (is(1), ANY, 0, is(1), is(0), "Billing period counter", "结算周期计数器"),
    (is(1), is(3), 0, is(2), is(8), "DSMR version", "DSMR 版本"),
    (is(1), ANY, 0, is(2), is(0), "Active firmware identifier", "当前固件标识"),
    (is(1), ANY, 0, is(2), is(8), "Active firmware signature", "当前固件签名"),
    (is(1), ANY, 0, is(9), is(1), "Local time", "本地时间"),
    (is(1), ANY, 0, is(9), is(2), "Local date", "本地日期"),
    (is(0), (1, 255), 96, is(1), ANY, "M-Bus equipment identifier (channel {b})", "M-Bus 设备标识(通道 {b})"),
    // Objects of German meters' SML lists (FNN and BSI TR-03109 companion documents).
    (is(1), ANY, 96, is(1), is(0), "Device ID (server ID)", "设备标识（服务器标识）"),
    (is(1), ANY, 96, is(5), is(0), "Operating status word", "运行状态字"),
    (is(1), ANY, 96, is(50), is(1), "Manufacturer ID", "制造商标识"),
    (is(129), is(129), 199, is(130), is(3), "Manufacturer ID", "制造商标识"),
    (is(129), is(129), 199, is(130), is(5), "Public key", "公钥"),
];

/// Names of the quantities C = 1..20, as (power, energy) in English and Chinese.
static QUANTITIES: [(&str, &str, &str, &str); 20] = [
    ("active power import (+P)", "active energy import (+A)", "正向有功功率", "正向有功电能"),
    ("active power export (−P)", "active energy export (−A)", "反向有功功率", "反向有功电能"),
    ("reactive power import (+Q)", "reactive energy import (+R)", "正向无功功率", "正向无功电能"),
    ("reactive power export (−Q)", "reactive energy export (−R)", "反向无功功率", "反向无功电能"),
    ("reactive power QI", "reactive energy QI", "第一象限无功功率", "第一象限无功电能"),
    ("reactive power QII", "reactive energy QII", "第二象限无功功率", "第二象限无功电能"),
    ("reactive power QIII", "reactive energy QIII", "第三象限无功功率", "第三象限无功电能"),
    ("reactive power QIV", "reactive energy QIV", "第四象限无功功率", "第四象限无功电能"),
    ("apparent power import (+S)", "apparent energy import", "正向视在功率", "正向视在电能"),
    ("apparent power export (−S)", "apparent energy export", "反向视在功率", "反向视在电能"),
    ("current", "current", "电流", "电流"),
    ("voltage", "voltage", "电压", "电压"),
    ("power factor", "power factor", "功率因数", "功率因数"),
    ("supply frequency", "supply frequency", "电网频率", "电网频率"),
    ("active power |+P|+|−P|", "active energy |+A|+|−A|", "有功功率绝对值和", "有功电能绝对值和"),
    ("active power (+P)−(−P)", "active energy (+A)−(−A)", "有功功率净值", "有功电能净值"),
    ("active power QI", "active energy QI", "第一象限有功功率", "第一象限有功电能"),
    ("active power QII", "active energy QII", "第二象限有功功率", "第二象限有功电能"),
    ("active power QIII", "active energy QIII", "第三象限有功功率", "第三象限有功电能"),
    ("active power QIV", "active energy QIV", "第四象限有功功率", "第四象限有功电能"),
];

/// Other electricity quantities (C above 80).
static OTHER_QUANTITIES: &[(u8, &str, &str)] = &[
    (81, "phase angle", "相角"),
    (82, "unitless quantity (pulses)", "无单位量(脉冲)"),
    (83, "transformer and line losses", "变压器及线路损耗"),
    (90, "sum of phase currents", "各相电流和"),
    (91, "neutral current", "零线电流"),
    (92, "neutral voltage", "零线电压"),
];

/// Processing of a value (group D for electricity quantities).
static PROCESSING: &[(u8, &str, &str)] = &[
    (0, "billing period average", "结算周期平均值"),
    (1, "cumulative minimum 1", "累计最小值1"),
    (2, "cumulative maximum 1", "累计最大值1"),
    (3, "minimum 1", "最小值1"),
    (4, "current average 1 (demand)", "当前平均值1(当前需量)"),
    (5, "last average 1 (last demand)", "上一平均值1(上一需量)"),
    (6, "maximum 1 (maximum demand)", "最大值1(最大需量)"),
    (7, "instantaneous", "瞬时值"),
    (8, "time integral 1", "时间积分1"),
    (9, "time integral 2", "时间积分2"),
    (10, "time integral 3", "时间积分3"),
    (11, "cumulative minimum 2", "累计最小值2"),
    (12, "cumulative maximum 2", "累计最大值2"),
    (13, "minimum 2", "最小值2"),
    (14, "current average 2", "当前平均值2"),
    (15, "last average 2", "上一平均值2"),
    (16, "maximum 2", "最大值2"),
    (17, "time integral 7", "时间积分7"),
    (18, "time integral 8", "时间积分8"),
    (19, "time integral 9", "时间积分9"),
    (20, "time integral 10", "时间积分10"),
    (21, "cumulative minimum 3", "累计最小值3"),
    (22, "cumulative maximum 3", "累计最大值3"),
    (23, "minimum 3", "最小值3"),
    (24, "current average 3", "当前平均值3"),
    (25, "last average 3", "上一平均值3"),
    (26, "maximum 3", "最大值3"),
    (27, "current average 5", "当前平均值5"),
    (28, "current average 6", "当前平均值6"),
    (29, "time integral 5", "时间积分5"),
    (30, "time integral 6", "时间积分6"),
    (31, "under-limit threshold", "越下限阈值"),
    (32, "under-limit occurrence counter", "越下限次数"),
    (33, "under-limit duration", "越下限持续时间"),
    (34, "under-limit magnitude", "越下限幅值"),
    (35, "over-limit threshold", "越上限阈值"),
    (36, "over-limit occurrence counter", "越上限次数"),
    (37, "over-limit duration", "越上限持续时间"),
    (38, "over-limit magnitude", "越上限幅值"),
    (39, "missing threshold", "缺失阈值"),
    (40, "missing occurrence counter", "缺失次数"),
    (41, "missing duration", "缺失持续时间"),
    (42, "missing magnitude", "缺失幅值"),
    (55, "test average", "测试平均值"),
    (58, "time integral 4", "时间积分4"),
];

/// D values that integrate over time: a power quantity becomes an energy.
const TIME_INTEGRALS: [u8; 10] = [8, 9, 10, 17, 18, 19, 20, 29, 30, 58];

/// Name an OBIS code by composing its value groups; `None` when no rule applies.
pub fn describe(code: [u8; 6], lang: Lang) -> Option<String> {
    let [a, b, c, d, e, f] = code;
    if let Some(&(.., en, zh)) = named(code) {
        let name = lang
            .pick(en, zh)
            .replace("{b}", &b.to_string())
            .replace("{e1}", &(e as u16 + 1).to_string())
            .replace("{e}", &e.to_string());
        return Some(with_billing(name, f, lang));
    }
    if a != 1 {
        return None;
    }
    let quantity = quantity(c, TIME_INTEGRALS.contains(&d), lang)?;
    let mut name = quantity;
    let processing = PROCESSING.iter().find(|p| p.0 == d).map(|p| lang.pick(p.1, p.2));
    // D = 8 on a power quantity is plain energy: the quantity says it all.
    let plain_energy = d == 8 && matches!(c, 1..=80) && !matches!((c - 1) % 20 + 1, 11..=14);
    match processing {
        Some(_) if plain_energy => {}
        Some(p) => {
            name.push_str(lang.pick(", ", "，"));
            name.push_str(p);
        }
        None => name.push_str(&match lang {
            Lang::En => format!(", processing {d}"),
            Lang::Zh => format!("，处理方式 {d}"),
        }),
    }
    // Voltage sags and swells (DSMR names for the limit counters of voltages).
    if matches!(c, 12 | 32 | 52 | 72) {
        match d {
            32 => name.push_str(lang.pick(" (voltage sags)", "(电压暂降)")),
            36 => name.push_str(lang.pick(" (voltage swells)", "(电压暂升)")),
            _ => {}
        }
    }
    let tariff_like = TIME_INTEGRALS.contains(&d) || matches!(d, 0..=6 | 11..=16 | 21..=28);
    if tariff_like {
        name.push_str(&match (e, lang) {
            (0, Lang::En) => ", total".to_string(),
            (0, Lang::Zh) => "，总".to_string(),
            (t, Lang::En) => format!(", tariff {t}"),
            (t, Lang::Zh) => format!("，费率{t}"),
        });
    } else if e != 0 {
        name.push_str(&match lang {
            Lang::En => format!(" (E={e})"),
            Lang::Zh => format!("(E={e})"),
        });
    }
    if (1..=64).contains(&b) {
        name.push_str(&match lang {
            Lang::En => format!(", channel {b}"),
            Lang::Zh => format!("，通道{b}"),
        });
    }
    Some(with_billing(name, f, lang))
}

/// The entry of [`NAMED`] that names a code, if any.
fn named(code: [u8; 6]) -> Option<&'static Named> {
    let [a, b, c, d, e, _] = code;
    let within = |s: Sel, v: u8| s.0 <= v && v <= s.1;
    NAMED.iter().find(|(sa, sb, sc, sd, se, ..)| {
        within(*sa, a) && within(*sb, b) && *sc == c && within(*sd, d) && within(*se, e)
    })
}

/// Whether [`describe`] names a code (it does in every language or in none),
/// without composing the name.
pub fn is_named(code: [u8; 6]) -> bool {
    let [a, _, c, ..] = code;
    // The electricity quantities first: most codes read are one, and the table is long.
    (a == 1 && matches!(c, 1..=80)) || named(code).is_some() || (a == 1 && OTHER_QUANTITIES.iter().any(|q| q.0 == c))
}

/// The quantity of an electricity C group, with its phase.
fn quantity(c: u8, energy: bool, lang: Lang) -> Option<String> {
    match c {
        1..=80 => {
            let (phase_en, phase_zh) = match (c - 1) / 20 {
                0 => ("", ""),
                1 => ("L1 ", "L1相"),
                2 => ("L2 ", "L2相"),
                _ => ("L3 ", "L3相"),
            };
            let (pw_en, en_en, pw_zh, en_zh) = QUANTITIES[((c - 1) % 20) as usize];
            let (q_en, q_zh) = if energy { (en_en, en_zh) } else { (pw_en, pw_zh) };
            Some(match lang {
                Lang::En => capitalise(&format!("{phase_en}{q_en}")),
                Lang::Zh => format!("{phase_zh}{q_zh}"),
            })
        }
        _ => OTHER_QUANTITIES.iter().find(|q| q.0 == c).map(|q| capitalise(lang.pick(q.1, q.2))),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Append the billing period of group F (255: the current value).
fn with_billing(mut name: String, f: u8, lang: Lang) -> String {
    let suffix = match (f, lang) {
        (255, _) => return name,
        (0..=99, Lang::En) => format!(", billing period {f}"),
        (0..=99, Lang::Zh) => format!("，结算周期 {f}"),
        (101, Lang::En) => ", most recent billing period".to_string(),
        (101, Lang::Zh) => "，最近一次结算".to_string(),
        (102..=125, Lang::En) => format!(", {} most recent billing periods", f - 100),
        (102..=125, Lang::Zh) => format!("，最近 {} 次结算", f - 100),
        (_, Lang::En) => format!(" (F={f})"),
        (_, Lang::Zh) => format!("(F={f})"),
    };
    name.push_str(&suffix);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form() {
        assert_eq!(canonical([1, 0, 1, 8, 0, 255]), "1-0:1.8.0*255");
        assert_eq!(canonical([0, 0, 96, 1, 1, 255]), "0-0:96.1.1*255");
    }

    #[test]
    fn parse_forms() {
        let cases: &[(&str, Option<[u8; 6]>)] = &[
            ("1-0:1.8.0*255", Some([1, 0, 1, 8, 0, 255])),
            ("1-0:1.8.0.255", Some([1, 0, 1, 8, 0, 255])),
            ("1-0:1.8.0&01", Some([1, 0, 1, 8, 0, 1])),
            ("1-0:1.8.0", Some([1, 0, 1, 8, 0, 255])),
            ("1.8.0", Some([1, 0, 1, 8, 0, 255])),
            ("1.8.1*03", Some([1, 0, 1, 8, 1, 3])),
            ("0-0:96.1.1", Some([0, 0, 96, 1, 1, 255])),
            ("96.1.1", Some([0, 0, 96, 1, 1, 255])),
            ("C.1.0", Some([0, 0, 96, 1, 0, 255])),
            ("F.F", Some([0, 0, 97, 97, 0, 255])),
            ("99.98.0", Some([0, 0, 99, 98, 0, 255])),
            ("99.1.0", Some([1, 0, 99, 1, 0, 255])),
            ("1.0.1.7.0.255", Some([1, 0, 1, 7, 0, 255])),
            ("0-1:24.2.1", Some([0, 1, 24, 2, 1, 255])),
            (" 1-0:32.7.0 ", Some([1, 0, 32, 7, 0, 255])),
            ("1-0:1.8.256", None),
            ("1-0:1.8", Some([1, 0, 1, 8, 0, 255])),
            ("1", None),
            ("", None),
            ("a.b.c", None),
            ("1-0:1.8.0.255.3", None),
            ("1.2.3.4.5.6.7", None),
            ("1-0:1.8.0*", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), *want, "{text}");
        }
        // Canonical text parses back.
        for code in [[1, 0, 1, 8, 0, 255], [0, 0, 96, 1, 1, 255], [7, 3, 0, 0, 0, 0]] {
            assert_eq!(parse(&canonical(code)), Some(code));
        }
    }

    fn en(code: &str) -> String {
        describe(parse(code).unwrap(), Lang::En).unwrap_or_default()
    }
    fn zh(code: &str) -> String {
        describe(parse(code).unwrap(), Lang::Zh).unwrap_or_default()
    }

    #[test]
    fn composed_electricity_names() {
        let cases = [
            ("1-0:1.8.0", "Active energy import (+A), total", "正向有功电能，总"),
            ("1-0:2.8.2", "Active energy export (−A), tariff 2", "反向有功电能，费率2"),
            ("1-0:1.7.0", "Active power import (+P), instantaneous", "正向有功功率，瞬时值"),
            ("1-0:3.8.0", "Reactive energy import (+R), total", "正向无功电能，总"),
            ("1-0:31.7.0", "L1 current, instantaneous", "L1相电流，瞬时值"),
            ("1-0:52.7.0", "L2 voltage, instantaneous", "L2相电压，瞬时值"),
            ("1-0:72.7.0", "L3 voltage, instantaneous", "L3相电压，瞬时值"),
            ("1-0:21.7.0", "L1 active power import (+P), instantaneous", "L1相正向有功功率，瞬时值"),
            ("1-0:13.7.0", "Power factor, instantaneous", "功率因数，瞬时值"),
            ("1-0:14.7.0", "Supply frequency, instantaneous", "电网频率，瞬时值"),
            ("1-0:91.7.0", "Neutral current, instantaneous", "零线电流，瞬时值"),
            (
                "1-0:1.6.0",
                "Active power import (+P), maximum 1 (maximum demand), total",
                "正向有功功率，最大值1(最大需量)，总",
            ),
            (
                "1-0:1.4.0",
                "Active power import (+P), current average 1 (demand), total",
                "正向有功功率，当前平均值1(当前需量)，总",
            ),
            (
                "1-0:32.32.0",
                "L1 voltage, under-limit occurrence counter (voltage sags)",
                "L1相电压，越下限次数(电压暂降)",
            ),
            (
                "1-0:52.36.0",
                "L2 voltage, over-limit occurrence counter (voltage swells)",
                "L2相电压，越上限次数(电压暂升)",
            ),
            (
                "1-0:1.8.0*101",
                "Active energy import (+A), total, most recent billing period",
                "正向有功电能，总，最近一次结算",
            ),
            ("1-0:1.8.1*3", "Active energy import (+A), tariff 1, billing period 3", "正向有功电能，费率1，结算周期 3"),
            ("1-1:1.8.0", "Active energy import (+A), total, channel 1", "正向有功电能，总，通道1"),
        ];
        for (code, e, z) in cases {
            assert_eq!(en(code), e, "{code}");
            assert_eq!(zh(code), z, "{code}");
        }
    }

    #[test]
    fn abstract_objects() {
        let cases = [
            ("0-0:1.0.0", "Clock", "时钟"),
            ("0-0:96.1.0", "Device ID 1", "设备标识 1"),
            ("0-0:96.1.1", "Device ID 2", "设备标识 2"),
            ("0-0:96.7.21", "Number of power failures in any phase", "任一相停电次数"),
            ("0-0:96.7.9", "Number of long power failures in any phase", "任一相长时停电次数"),
            ("0-0:96.13.0", "Text message", "文本消息"),
            ("0-0:42.0.0", "COSEM logical device name", "COSEM 逻辑设备名"),
            ("0-0:99.98.0", "Event log 0", "事件日志 0"),
            ("0-0:99.98.2", "Event log 2", "事件日志 2"),
            ("1-0:99.1.0", "Load profile 1", "负荷曲线 1"),
            ("0-0:96.3.10", "Disconnect control", "通断控制"),
            ("0-0:25.9.0", "Push setup 1", "推送设置 1"),
            ("0-0:44.0.0", "Image transfer", "固件映像传输"),
            ("0-0:43.0.0", "Security setup 0", "安全设置 0"),
            ("0-0:40.0.0", "Current association (Association LN)", "当前应用关联(逻辑名关联)"),
            ("0-1:24.2.1", "M-Bus value (channel 1, value 1)", "M-Bus 读数(通道 1，值 1)"),
            ("0-2:96.1.0", "M-Bus equipment identifier (channel 2)", "M-Bus 设备标识(通道 2)"),
            ("1-3:0.2.8", "DSMR version", "DSMR 版本"),
            ("0-0:96.14.0", "Current tariff indicator", "当前费率指示"),
            ("0-0:97.97.0", "Error register 0", "错误寄存器 0"),
        ];
        for (code, e, z) in cases {
            assert_eq!(en(code), e, "{code}");
            assert_eq!(zh(code), z, "{code}");
        }
    }

    #[test]
    fn unknown_codes_have_no_name() {
        assert_eq!(describe([0, 0, 200, 0, 0, 255], Lang::En), None);
        assert_eq!(describe([7, 0, 3, 0, 0, 255], Lang::En), None);
        assert_eq!(describe([1, 0, 150, 7, 0, 255], Lang::En), None);
        // Every code names without panicking.
        for a in [0u8, 1, 7, 255] {
            for c in 0..=255u8 {
                for d in [0u8, 7, 8, 32, 98, 255] {
                    let _ = describe([a, 0, c, d, 0, 255], Lang::En);
                    let _ = describe([a, 1, c, d, 255, 0], Lang::Zh);
                    for code in [[a, 0, c, d, 0, 255], [a, 1, c, d, 255, 0], [0, 2, c, d, 1, 255]] {
                        assert_eq!(is_named(code), describe(code, Lang::En).is_some(), "{code:?}");
                        assert_eq!(is_named(code), describe(code, Lang::Zh).is_some(), "{code:?}");
                    }
                }
            }
        }
    }
}
