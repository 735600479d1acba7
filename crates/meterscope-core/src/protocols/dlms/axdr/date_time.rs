//! COSEM date-time, date and time (IEC 62056-6-2 clause 4.1.6.1): plausibility,
//! weekdays, the fields as nodes and the value as text.

use super::*;

/// Whether 12 octets read as a date-time with every field in range or "not specified".
pub fn plausible_date_time(b: &[u8]) -> bool {
    b.len() == 12
        && matches!(b[2], 1..=12 | 0xFD..=0xFF)
        && matches!(b[3], 1..=31 | 0xFD..=0xFF)
        && matches!(b[4], 1..=7 | 0xFF)
        && (b[5] < 24 || b[5] == 0xFF)
        && (b[6] < 60 || b[6] == 0xFF)
        && (b[7] < 60 || b[7] == 0xFF)
        && (b[8] < 100 || b[8] == 0xFF)
}

/// Days in a month (Gregorian).
pub(super) fn days_in(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO weekday (1 = Monday) of a Gregorian date.
pub fn weekday(year: u16, month: u8, day: u8) -> u8 {
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = year as i32 - i32::from(month < 3);
    let d = (y + y / 4 - y / 100 + y / 400 + T[(month as usize - 1) % 12] + day as i32) % 7; // 0 = Sunday
    if d == 0 { 7 } else { d as u8 }
}

static WEEKDAYS: [(&str, &str); 7] = [
    ("Mon", "星期一"),
    ("Tue", "星期二"),
    ("Wed", "星期三"),
    ("Thu", "星期四"),
    ("Fri", "星期五"),
    ("Sat", "星期六"),
    ("Sun", "星期日"),
];

/// Field ids of a date-time under `dlms.data.N`.
const DT_FIELDS: [&str; 4] = ["dlms.data.hour", "dlms.data.minute", "dlms.data.second", "dlms.data.hundredths"];

/// The machine value of a date-time, date or time packed by [`date_time_fields`]
/// (year, month, day, hour, minute, second, hundredths): `2019-12-16T07:59:40`,
/// `*` for what is not specified.
pub(super) fn write_date_time(v: u64, date: bool, time: bool, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let b = v.to_be_bytes();
    let year = u16::from_be_bytes([b[0], b[1]]);
    let two = |w: &mut dyn core::fmt::Write, x: u8, ok: bool| if ok { write!(w, "{x:02}") } else { w.write_str("**") };
    if date {
        if year == 0xFFFF {
            w.write_str("****")?
        } else {
            write!(w, "{year:04}")?
        }
        w.write_char('-')?;
        two(w, b[2], (1..=12).contains(&b[2]))?;
        w.write_char('-')?;
        two(w, b[3], (1..=31).contains(&b[3]))?;
    }
    if date && time {
        w.write_char('T')?;
    }
    if time {
        let (h, m, s, c) = (b[4], b[5], b[6], b[7]);
        two(w, h, h < 24)?;
        w.write_char(':')?;
        two(w, m, m < 60)?;
        w.write_char(':')?;
        two(w, s, s < 60)?;
        if c != 0xFF {
            w.write_char('.')?;
            two(w, c, c < 100)?;
        }
    }
    Ok(())
}

pub(super) fn date_time_value(v: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write_date_time(v, true, true, w)
}

pub(super) fn date_value(v: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write_date_time(v, true, false, w)
}

pub(super) fn time_value(v: u64, _: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    write_date_time(v, false, true, w)
}

/// Clock status bits named (`ok` when none is set).
pub(super) fn clock_status_text(st: u64, lang: Lang, w: &mut dyn core::fmt::Write) -> core::fmt::Result {
    let bits: [(u64, &str, &str); 5] = [
        (0x01, "invalid value", "无效值"),
        (0x02, "doubtful value", "可疑值"),
        (0x04, "different clock base", "不同时钟基准"),
        (0x08, "invalid clock status", "时钟状态无效"),
        (0x80, "daylight saving active", "夏令时生效"),
    ];
    let mut first = true;
    for (bit, en, zh) in bits {
        if st & bit != 0 {
            if !first {
                w.write_str(", ")?;
            }
            first = false;
            w.write_str(lang.pick(en, zh))?;
        }
    }
    if first {
        w.write_str(lang.pick("ok", "正常"))?;
    }
    Ok(())
}

/// Decode date-time (12), date (5) or time (4) octets at absolute `at` into
/// field nodes under `node`: the machine value (`2019-12-16T07:59:40`, `*`
/// for unspecified) and a summary (the day of week).
pub(super) fn date_time_fields(cx: &mut Cx, node: NodeRef, b: &[u8], at: usize, t: u8) -> (Msg, Msg) {
    let k = cx.fresh();
    let field = |cx: &mut Cx, name: &'static str, off: usize, len: usize, value: Msg, text: Msg| {
        cx.add(node, Id::inner(name, 9, k), Span::at(at + off, len)).value(value).text(text);
    };
    let ns = || crate::msg!("not specified", "未指定");
    let (date, time) = match t {
        tag::DATE_TIME => (Some(0), Some(5)),
        tag::DATE => (Some(0), None),
        _ => (None, Some(0)),
    };
    let write: model::CodeFn = match t {
        tag::DATE_TIME => date_time_value,
        tag::DATE => date_value,
        _ => time_value,
    };
    let mut packed = [0xFFu8; 8];
    let mut summary = Msg::Str("");
    let mut ymd: (Option<u16>, Option<u8>, Option<u8>, Option<u8>) = (None, None, None, None);
    let mut problems: [(usize, &(&str, &str)); 12] = [(0, &("", "")); 12];
    let mut np = 0;
    let mut problem = |p: (usize, &'static (&'static str, &'static str))| {
        if np < problems.len() {
            problems[np] = p;
            np += 1;
        }
    };
    if let Some(o) = date {
        let year = u16::from_be_bytes([b[o], b[o + 1]]);
        let (month, day, wd) = (b[o + 2], b[o + 3], b[o + 4]);
        packed[0] = b[o];
        packed[1] = b[o + 1];
        packed[2] = month;
        packed[3] = day;
        field(cx, "dlms.data.year", o, 2, Msg::Uint(year.into()), if year == 0xFFFF { ns() } else { Msg::None });
        let mtext = match month {
            0xFD => crate::msg!("daylight savings end", "夏令时结束"),
            0xFE => crate::msg!("daylight savings begin", "夏令时开始"),
            0xFF => ns(),
            1..=12 => Msg::None,
            _ => {
                problem((o + 2, &("month out of range", "月份超出范围")));
                Msg::None
            }
        };
        field(cx, "dlms.data.month", o + 2, 1, Msg::Uint(month.into()), mtext);
        let dtext = match day {
            0xFD => crate::msg!("second last day of month", "月倒数第二天"),
            0xFE => crate::msg!("last day of month", "月末最后一天"),
            0xFF => ns(),
            1..=31 => Msg::None,
            _ => {
                problem((o + 3, &("day of month out of range", "日超出范围")));
                Msg::None
            }
        };
        field(cx, "dlms.data.day", o + 3, 1, Msg::Uint(day.into()), dtext);
        let wtext = match wd {
            1..=7 => {
                let words = &WEEKDAYS[wd as usize - 1];
                summary = Msg::Bi(words);
                Msg::Bi(words)
            }
            0xFF => ns(),
            _ => {
                problem((o + 4, &("day of week out of range", "星期超出范围")));
                Msg::None
            }
        };
        field(cx, "dlms.data.weekday", o + 4, 1, Msg::Uint(wd.into()), wtext);
        ymd = (
            (year != 0xFFFF).then_some(year),
            (1..=12).contains(&month).then_some(month),
            (1..=31).contains(&day).then_some(day),
            (1..=7).contains(&wd).then_some(wd),
        );
    }
    if let Some(o) = time {
        let limits = [24u8, 60, 60, 100];
        for (i, (name, limit)) in DT_FIELDS.iter().zip(limits).enumerate() {
            let v = b[o + i];
            let text = if v == 0xFF {
                ns()
            } else {
                if v >= limit {
                    problem((o + i, &("time field out of range", "时间字段超出范围")));
                }
                Msg::None
            };
            field(cx, name, o + i, 1, Msg::Uint(v.into()), text);
            packed[4 + i] = v;
        }
    }
    if t == tag::DATE_TIME {
        let dev = i16::from_be_bytes([b[9], b[10]]);
        let dtext = if dev as u16 == 0x8000 {
            ns()
        } else {
            if !(-720..=720).contains(&dev) {
                problem((9, &("deviation outside ±720 minutes", "时差超出 ±720 分钟")));
            }
            msg!("{} min", "{} 分钟", i64::from(dev))
        };
        field(cx, "dlms.data.deviation", 9, 2, Msg::Int(dev.into()), dtext);
        let st = b[11];
        let stext = if st == 0xFF { ns() } else { Msg::Code(clock_status_text, st.into()) };
        field(cx, "dlms.data.clock-status", 11, 1, byte_msg(st), stext);
    }
    // Impossible dates and a weekday that contradicts the date.
    if let (Some(y), Some(m), Some(d)) = (ymd.0, ymd.1, ymd.2) {
        if d > days_in(y, m) {
            problem((3, &("no such day in this month", "该月没有这一天")));
        } else if let Some(w) = ymd.3
            && weekday(y, m, d) != w
        {
            let real = weekday(y, m, d);
            let words = &WEEKDAYS[real as usize - 1];
            let m = msg!(
                "the day of week contradicts the date, which is a {}",
                "星期与日期不符，该日期是{}",
                Msg::Bi(words)
            );
            cx.diag(Severity::Warning, Span::at(at + 4, 1), "dlms.data.date-time.weekday", m);
        }
    }
    for &(off, words) in &problems[..np] {
        cx.warning(Span::at(at + off, 1), "dlms.data.date-time.invalid", words);
    }
    (Msg::Code(write, u64::from_be_bytes(packed)), summary)
}
