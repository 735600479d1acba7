//! IEC 62056-21 flows (readout in modes A, B and C, the mode E hand-over,
//! programming mode with R1 reads) and the DSMR P1 live view.
//!
//! The baud switch is the session's `Wait` (settle time t2) then `Reopen`:
//! the transport closes the Web Serial port and opens it again at the new rate.

use meterscope_core::protocols::iec62056::p1::{DsmrLine, P1Config, P1Event, P1Notice, P1Session};
use meterscope_core::protocols::iec62056::session::{
    Config, Iec62056Session, IecEvent, Mode, Notice, Reading as IecReading,
};
use meterscope_core::session::{Millis, Parity};

use leptos::prelude::*;

use std::cell::RefCell;
use std::rc::Rc;

use meterscope_core::quantity::Family;

use super::{Ctx, Flow, Params, Reading, now_iso, picked, show_quantities};
use crate::reader::strings::t;

/// Registers read in programming mode by default.
pub const DEFAULT_REGISTERS: &str = "1.8.0 2.8.0 32.7.0 14.7.0";

/// The rows of one data set.
fn readings(r: &IecReading) -> Vec<Reading> {
    meterscope_core::client::item_rows(&r.address, r.name.as_deref().unwrap_or_default(), &r.items(), false)
}

pub(super) fn mode(p: &Params) -> Mode {
    p.opts.iec.mode()
}

pub(super) async fn run(flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let mode = mode(p);
    let registers: Vec<String> = p.selection.split_whitespace().map(str::to_string).collect();
    if flow == Flow::Program && registers.is_empty() {
        return Err("give the registers to read (1.8.0 32.7.0 …)".into());
    }
    let (settle, max_baud) = (p.opts.iec.settle(lang)?, p.opts.iec.max_baud(lang)?);
    let cfg = Config {
        mode: if flow == Flow::Program { Mode::C } else { mode },
        address: p.address.clone().unwrap_or_default(),
        initial: p.line,
        settle,
        max_baud,
        lang,
        ..Config::default()
    };
    let mut session = Iec62056Session::new(cfg);
    let now = Millis(0);
    // Named quantities: picked from the readout.
    let reads = match flow {
        Flow::Quantities => Some(Rc::new(RefCell::new(picked(p, Family::Iec62056)?))),
        _ => None,
    };
    match (flow, mode) {
        (Flow::Program, _) => session.program(now, &p.opts.iec.password, &registers),
        (_, Mode::E) => session.hand_over(now),
        (_, Mode::D) => session.listen(now, 1),
        _ => session.readout(now),
    }
    let s = cx.sigs;
    let taken = reads.clone();
    cx.drive(&mut session, false, move |e| match e {
        IecEvent::Reading(r) if taken.is_some() => {
            if let (Some(q), Some(v)) = (&taken, r.values.first()) {
                q.borrow_mut().take_code(&r.address, &v.value, &v.unit, &now_iso());
            }
        }
        IecEvent::Error(f) if taken.is_some() => {
            if let Some(q) = &taken {
                q.borrow_mut().fail_rest(&f.text(lang));
            }
        }
        IecEvent::Identified(i) => {
            let rate = i.max_baud.map(|r| format!(", ≤ {r} Bd")).unwrap_or_default();
            let e = if i.mode_e { ", mode E" } else { "" };
            s.push(Reading::new(
                "ident",
                t(lang, "reader.identification"),
                format!("{} {} (mode {}{rate}{e})", i.manufacturer, i.ident, i.mode.letter()),
                "",
            ));
        }
        IecEvent::BaudSwitch(l) => s.note(format!("{} {l}", t(lang, "reader.baud_switch"))),
        IecEvent::Reading(r) => readings(&r).into_iter().for_each(|x| s.push(x)),
        IecEvent::ReadoutEnd { sets, bcc_ok } => s.progress.set(format!(
            "{sets} {}, BCC {}",
            t(lang, "reader.data_sets"),
            if bcc_ok { t(lang, "ok") } else { t(lang, "invalid") }
        )),
        IecEvent::Operand(op) => s.note(format!("operand P0 ({op})")),
        IecEvent::LoggedIn => s.note(t(lang, "reader.logged_in").to_string()),
        IecEvent::RegisterError { address, text } => s.push_error(&address, text),
        IecEvent::HandOver(l) => {
            s.push(Reading::new(
                "mode E",
                t(lang, "reader.handover"),
                format!("{} {l}", t(lang, "reader.handover_text")),
                "",
            ));
        }
        IecEvent::Error(f) => s.push_error("", f.text(lang)),
        IecEvent::Notice(n) => {
            if matches!(n, Notice::Echo) {
                s.echo();
                s.note(n.text(lang))
            } else {
                s.warn(n.text(lang))
            }
        }
        IecEvent::Done => {}
    })
    .await;
    if let Some(r) = reads {
        r.borrow_mut().fail_rest("not in the readout");
        show_quantities(&r.borrow(), cx, "iec62056");
    }
    Ok(())
}

/// DSMR P1: named quantities picked from the next telegram.
pub(super) async fn telegram_quantities(p: &Params, cx: &Ctx) -> Result<(), String> {
    let reads = Rc::new(RefCell::new(picked(p, Family::Dsmr)?));
    let version = if p.line.data_bits == 7 && p.line.parity == Parity::Even { DsmrLine::V2V3 } else { DsmrLine::V4V5 };
    let cfg = P1Config { version, count: Some(1), lang: cx.lang, keys: p.keys.clone(), ..P1Config::default() };
    let mut session = P1Session::new(cfg);
    session.listen(Millis(0));
    let (s, lang, taken) = (cx.sigs, cx.lang, reads.clone());
    // The session listens until stopped: the first telegram stops it (not a cancel by the user).
    let (cancel, got) = (cx.cancel.clone(), Rc::new(std::cell::Cell::new(false)));
    let got_it = got.clone();
    cx.drive(&mut session, true, move |e| match e {
        P1Event::Telegram(tg) => {
            got_it.set(true);
            cancel.set(true);
            for r in &tg.readings {
                if let Some(v) = r.values.first() {
                    taken.borrow_mut().take_code(&r.address, &v.value, &v.unit, &now_iso());
                }
                // The equipment identifier names the meter.
                if r.address == "0-0:96.1.1" {
                    let id = r.values.first().map(|v| v.text.clone().unwrap_or_else(|| v.value.clone()));
                    s.address.set(id.map(|t| t.trim_matches('"').to_string()));
                }
            }
        }
        P1Event::Silence => {
            s.status.set(t(lang, "reader.silence").to_string());
            cancel.set(true);
        }
        _ => {}
    })
    .await;
    if got.get() {
        cx.cancel.set(false);
    }
    reads.borrow_mut().fail_rest(if got.get() { "not in the telegram" } else { "no telegram arrived" });
    show_quantities(&reads.borrow(), cx, "dsmr");
    Ok(())
}

/// DSMR P1 live view: every telegram replaces the readings.
pub(super) async fn live(p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let version = if p.line.data_bits == 7 && p.line.parity == Parity::Even { DsmrLine::V2V3 } else { DsmrLine::V4V5 };
    // Encrypted telegrams are opened with the key panel's keys.
    let cfg = P1Config { version, count: None, lang, keys: p.keys.clone(), ..P1Config::default() };
    let mut session = P1Session::new(cfg);
    session.listen(Millis(0));
    let s = cx.sigs;
    let cancel = cx.cancel.clone();
    let mut n = 0usize;
    cx.drive(&mut session, true, move |e| match e {
        P1Event::Telegram(tg) => {
            n += 1;
            s.results.set(Vec::new());
            for r in &tg.readings {
                readings(r).into_iter().for_each(|x| s.push(x));
            }
            let crc = match tg.crc_ok {
                Some(true) => "CRC ok",
                Some(false) => "CRC WRONG",
                None => "no CRC",
            };
            s.telegram.set(format!(
                "#{n} /{} · DSMR {} · {} · {} {} · {crc}",
                tg.header,
                tg.version.as_deref().unwrap_or("?"),
                tg.timestamp.as_deref().unwrap_or(""),
                tg.readings.len(),
                t(lang, "reader.data_sets"),
            ));
        }
        P1Event::Notice(n) => s.warn(match n {
            P1Notice::Junk(k) => meterscope_core::session::words::junk(k, lang),
            P1Notice::BadCrc { stated, computed } => match lang {
                meterscope_core::Lang::En => {
                    format!("telegram with a wrong CRC {stated:04X} (computed {computed:04X}) dropped")
                }
                meterscope_core::Lang::Zh => format!("丢弃 CRC 错误的报文：{stated:04X}（计算值 {computed:04X}）"),
            },
            P1Notice::Incomplete(k) => format!("{k} {}", t(lang, "reader.cut_dropped")),
        }),
        P1Event::Silence => {
            s.status.set(t(lang, "reader.silence").to_string());
            cancel.set(true);
        }
        P1Event::Done => {}
    })
    .await;
    Ok(())
}
