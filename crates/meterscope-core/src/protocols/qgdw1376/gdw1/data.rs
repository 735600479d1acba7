//! The data of the classes users meet most (appendix A formats with units,
//! series by tariff, relayed frames).

use super::*;

/// A field of a format, with a unit when its bytes hold a value.
#[allow(clippy::too_many_arguments)]
pub(super) fn put(
    cx: &mut Cx,
    parent: NodeRef,
    key: &'static str,
    b: u32,
    cur: &mut Cursor,
    fmt: Fmt,
    unit: &'static str,
) -> Option<NodeRef> {
    let n = cx.field(parent, Id::inner(key, AT, b), cur, fmt)?;
    if !unit.is_empty() && !no_data(cx, n) {
        cx.set(n).unit(Msg::Str(unit));
    }
    Some(n)
}

/// Tariff series: total then tariffs 1..M.
#[allow(clippy::too_many_arguments)]
pub(super) fn series(
    cx: &mut Cx,
    parent: NodeRef,
    key: &'static str,
    b: u32,
    cur: &mut Cursor,
    m: u8,
    fmt: Fmt,
    unit: &'static str,
) -> bool {
    for k in 0..=u32::from(m) {
        let id = Id::Inner { key, at: AT as u16, index: b, last: k };
        let Some(n) = cx.field(parent, id, cur, fmt) else { return false };
        if !no_data(cx, n) {
            cx.set(n).unit(Msg::Str(unit));
        }
        let label = if k == 0 { crate::msg!("total", "总") } else { msg!("tariff {}", "费率{}", k) };
        let text = cx.f.node(n).map(|x| x.text.is_none()).unwrap_or(true);
        if text {
            cx.set(n).text(label);
        }
    }
    true
}

pub(super) fn tariffs(cx: &mut Cx, parent: NodeRef, b: u32, cur: &mut Cursor) -> Option<u8> {
    let m = cur.peek()?;
    cx.field(parent, Id::inner("qgdw13761.data.tariffs", AT, b), cur, Fmt::Bin(1))?;
    Some(m)
}

/// The data of one class, as far as this dictionary reads it; false when
/// the dictionary does not give its layout.
pub(super) fn data(cx: &mut Cx, node: NodeRef, cur: &mut Cursor, st: &mut State, b: u32, f: u16) -> bool {
    let h = st.head;
    macro_rules! p {
        ($key:literal, $fmt:expr) => {
            p!($key, $fmt, "")
        };
        ($key:literal, $fmt:expr, $unit:literal) => {
            if put(cx, node, $key, b, cur, $fmt, $unit).is_none() {
                return true;
            }
        };
    }
    match (h.afn, h.up, f) {
        (0x0A | 0x04, _, 1) => {
            p!("qgdw13761.data.rts", Fmt::Bin(1), "×20 ms");
            p!("qgdw13761.data.delay", Fmt::Bin(1), "min");
            if let Some((w, at)) = cur.take_at(2) {
                let v = u16::from_le_bytes([w[0], w[1]]);
                let n = cx.add(node, Id::inner("qgdw13761.data.timeout", AT, b), at, 2, NodeKind::Data);
                cx.set(n).value(Msg::Uint((v & 0x0FFF).into())).unit(Msg::Str("s")).text(msg!(
                    "{} retransmission(s) (D13–D12)",
                    "重发 {} 次（D13–D12）",
                    (v >> 12) & 3
                ));
            } else {
                return true;
            }
            p!("qgdw13761.data.con", Fmt::Hex(1));
            p!("qgdw13761.data.heartbeat", Fmt::Bin(1), "min");
        }
        (0x0A | 0x04, _, 3) => {
            p!("qgdw13761.data.ip1", Fmt::Ip);
            p!("qgdw13761.data.port1", Fmt::Bin(2));
            p!("qgdw13761.data.ip2", Fmt::Ip);
            p!("qgdw13761.data.port2", Fmt::Bin(2));
            p!("qgdw13761.data.apn", Fmt::Ascii(16));
        }
        (0x0A, false, 10) => {
            let count = cur.remaining().first().copied().unwrap_or(0);
            p!("qgdw13761.data.count", Fmt::Bin(2));
            for k in 1..=u32::from(count) {
                let id = Id::Inner { key: "qgdw13761.data.serial", at: AT as u16, index: b, last: k };
                if cx.field(node, id, cur, Fmt::Bin(2)).is_none() {
                    return true;
                }
            }
        }
        (0x05, false, 25) => p!("qgdw13761.data.duration", Fmt::Bin(1), "×0.5 h"),
        (0x05, false, 31) => p!("qgdw13761.data.clock", Fmt::A1),
        (0x05, false, 49..=51) => p!("qgdw13761.data.port", Fmt::Bin(1)),
        (0x09, true, 1) => {
            p!("qgdw13761.data.vendor", Fmt::Ascii(4));
            p!("qgdw13761.data.device", Fmt::Ascii(8));
            p!("qgdw13761.data.sw_version", Fmt::Ascii(4));
            p!("qgdw13761.data.sw_date", Fmt::A20);
            p!("qgdw13761.data.capacity", Fmt::Ascii(11));
            p!("qgdw13761.data.protocol_version", Fmt::Ascii(4));
            p!("qgdw13761.data.hw_version", Fmt::Ascii(4));
            p!("qgdw13761.data.hw_date", Fmt::A20);
        }
        (0x0C, true, 2) => p!("qgdw13761.data.clock", Fmt::A1),
        (0x0C, true, 25) => {
            p!("qgdw13761.data.read_time", Fmt::A15);
            p!("qgdw13761.data.p", Fmt::A9, "kW");
            p!("qgdw13761.data.pa", Fmt::A9, "kW");
            p!("qgdw13761.data.pb", Fmt::A9, "kW");
            p!("qgdw13761.data.pc", Fmt::A9, "kW");
            p!("qgdw13761.data.q", Fmt::A9, "kvar");
            p!("qgdw13761.data.qa", Fmt::A9, "kvar");
            p!("qgdw13761.data.qb", Fmt::A9, "kvar");
            p!("qgdw13761.data.qc", Fmt::A9, "kvar");
            p!("qgdw13761.data.pf", Fmt::A5);
            p!("qgdw13761.data.pfa", Fmt::A5);
            p!("qgdw13761.data.pfb", Fmt::A5);
            p!("qgdw13761.data.pfc", Fmt::A5);
            p!("qgdw13761.data.ua", Fmt::A7);
            p!("qgdw13761.data.ub", Fmt::A7);
            p!("qgdw13761.data.uc", Fmt::A7);
            p!("qgdw13761.data.ia", Fmt::A25);
            p!("qgdw13761.data.ib", Fmt::A25);
            p!("qgdw13761.data.ic", Fmt::A25);
            p!("qgdw13761.data.i0", Fmt::A25);
            p!("qgdw13761.data.s", Fmt::A9, "kVA");
            p!("qgdw13761.data.sa", Fmt::A9, "kVA");
            p!("qgdw13761.data.sb", Fmt::A9, "kVA");
            p!("qgdw13761.data.sc", Fmt::A9, "kVA");
        }
        (0x0C, true, 33 | 34 | 129..=132) | (0x0D, true, 1 | 2 | 17 | 18 | 161..=164 | 177..=180) => {
            match (h.afn, f) {
                (0x0D, 1 | 2 | 161..=164) => p!("qgdw13761.data.td_d", Fmt::A20),
                (0x0D, _) => p!("qgdw13761.data.td_m", Fmt::A21),
                _ => {}
            }
            p!("qgdw13761.data.read_time", Fmt::A15);
            let Some(m) = tariffs(cx, node, b, cur) else { return true };
            let reverse = matches!(f, 2 | 18 | 34 | 131 | 132 | 163 | 164 | 179 | 180);
            let (active, reactive, qa, qb) = if reverse {
                ("qgdw13761.data.rev_active", "qgdw13761.data.rev_reactive", "qgdw13761.data.q2", "qgdw13761.data.q3")
            } else {
                ("qgdw13761.data.fwd_active", "qgdw13761.data.fwd_reactive", "qgdw13761.data.q1", "qgdw13761.data.q4")
            };
            let all = matches!(f, 1 | 2 | 17 | 18 | 33 | 34);
            let reactive_only = matches!(f, 130 | 132 | 162 | 164 | 178 | 180);
            if !reactive_only && !series(cx, node, active, b, cur, m, Fmt::A14, "kWh") {
                return true;
            }
            if (all || reactive_only) && !series(cx, node, reactive, b, cur, m, Fmt::A11, "kvarh") {
                return true;
            }
            if all {
                if !series(cx, node, qa, b, cur, m, Fmt::A11, "kvarh") {
                    return true;
                }
                if !series(cx, node, qb, b, cur, m, Fmt::A11, "kvarh") {
                    return true;
                }
            }
        }
        (0x0C, true, 170) => {
            p!("qgdw13761.data.port", Fmt::Bin(1));
            p!("qgdw13761.data.relay_depth", Fmt::Bin(1));
            p!("qgdw13761.data.phase", Fmt::Hex(1));
            p!("qgdw13761.data.quality", Fmt::Hex(1));
            p!("qgdw13761.data.read_ok", Fmt::Bin(1));
            p!("qgdw13761.data.last_ok", Fmt::A1);
            p!("qgdw13761.data.last_fail", Fmt::A1);
            p!("qgdw13761.data.failures", Fmt::Bin(1));
        }
        (0x0D, false, _) => match td_len(f) {
            Some(3) => p!("qgdw13761.data.td_d", Fmt::A20),
            Some(2) => p!("qgdw13761.data.td_m", Fmt::A21),
            Some(_) => {
                p!("qgdw13761.data.td_start", Fmt::A15);
                p!("qgdw13761.data.td_density", Fmt::Bin(1));
                p!("qgdw13761.data.td_points", Fmt::Bin(1));
            }
            None => {}
        },
        (0x0E, false, 1 | 2) => {
            p!("qgdw13761.data.pm", Fmt::Bin(1));
            p!("qgdw13761.data.pn", Fmt::Bin(1));
        }
        (0x0E, true, 1 | 2) => events(cx, node, cur, st, b),
        (0x10, false, 1) => {
            p!("qgdw13761.data.port", Fmt::Bin(1));
            if let Some((w, at)) = cur.take_at(1) {
                let n = cx.add(node, Id::inner("qgdw13761.data.line", AT, b), at, 1, NodeKind::Data);
                cx.set(n).value(Msg::HexNum { value: w[0].into(), digits: 2 }).text(line_text(w[0]));
            } else {
                return true;
            }
            if let Some((w, at)) = cur.take_at(1) {
                let n = cx.add(node, Id::inner("qgdw13761.data.msg_timeout", AT, b), at, 1, NodeKind::Data);
                let unit = if w[0] & 0x80 != 0 { "s" } else { "×10 ms" };
                cx.set(n).value(Msg::Uint((w[0] & 0x7F).into())).unit(Msg::Str(unit));
            } else {
                return true;
            }
            p!("qgdw13761.data.byte_timeout", Fmt::Bin(1), "×10 ms");
            forward(cx, node, cur, b);
        }
        (0x10, true, 1) => {
            p!("qgdw13761.data.port", Fmt::Bin(1));
            forward(cx, node, cur, b);
        }
        _ => return false,
    }
    true
}

/// The serial line settings of a forwarding request (baud, stop bits, parity, data bits).
pub(super) fn line_text(w: u8) -> Msg {
    const BAUD: [u32; 8] = [300, 600, 1200, 2400, 4800, 7200, 9600, 19200];
    let baud = BAUD[usize::from(w >> 5)];
    let stop = if w & 0x10 != 0 { 2u8 } else { 1 };
    let parity = match (w & 0x08 != 0, w & 0x04 != 0) {
        (false, _) => crate::msg!("no parity", "无校验"),
        (true, false) => crate::msg!("even parity", "偶校验"),
        (true, true) => crate::msg!("odd parity", "奇校验"),
    };
    msg!(
        "{} bit/s, {} data bits, {} stop bit(s), {}",
        "{} bit/s，{} 位数据位，{} 位停止位，{}",
        baud,
        5 + (w & 3),
        stop,
        parity
    )
}

/// Length (2 bytes) and the forwarded frame.
pub(super) fn forward(cx: &mut Cx, node: NodeRef, cur: &mut Cursor, b: u32) {
    let n = match cur.remaining() {
        [l0, l1, ..] => usize::from(u16::from_le_bytes([*l0, *l1])),
        _ => 0,
    };
    if cx.field(node, Id::inner("qgdw13761.data.length", AT, b), cur, Fmt::Bin(2)).is_none() {
        return;
    }
    let take = n.min(cur.left());
    let Some((fb, fat)) = cur.take_at(take) else { return };
    (cx.nest)(cx, node, "qgdw13761.data.frame", fb, fat, Hint::Any);
    if take < n {
        registry::truncated_diag(&mut cx.f, fat + take, Some(n - take), "qgdw13761.truncated");
    }
}
