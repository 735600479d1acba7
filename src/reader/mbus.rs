//! M-Bus flows (scan the bus by primary or secondary address, read meters
//! by either), the wireless M-Bus receiver's live list (telegrams opened
//! with the key panel's key) and the SML optical head's live values.

use meterscope_core::Lang;
use meterscope_core::client::targets::MbusScan;
use meterscope_core::protocols::mbus::readings::{Header, Record};
use meterscope_core::protocols::mbus::session::{MbusConfig, MbusEvent, MbusSession, SELECTED, Target};
use meterscope_core::protocols::mbus::wireless::session::{self as wmbus, Opened, WmbusEvent};
use meterscope_core::protocols::sml::session::{self as sml, SmlEvent};
use meterscope_core::session::Millis;
use meterscope_core::session::listen::{ListenEvent, Listener};

use leptos::prelude::*;

use super::{Ctx, Flow, Params, Reading, Sigs, host};
use crate::reader::strings::t;

pub use meterscope_ui::reader_options::DEFAULT_SCAN;
/// The meters read by default (the demo bus has meters at 1 and 5).
pub const DEFAULT_METERS: &str = "1";

fn meter_name(h: &Header) -> String {
    format!("{} {} · {}", h.manufacturer, h.id, h.medium)
}

fn record_reading(id: &str, r: &Record, lang: Lang) -> Reading {
    Reading::new(id, &r.title(lang), r.typed(), &r.unit)
}

pub(super) async fn run(flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let s = cx.sigs;
    let cfg = MbusConfig { line: p.line, lang, ..MbusConfig::default() };
    if flow == Flow::Find {
        let mut session = MbusSession::with_dissector(cfg, host::mbus);
        match p.opts.mbus.scan(lang)? {
            MbusScan::Primary(a, b) => {
                s.expect(usize::from(b - a) + 1);
                session.scan_primary(Millis(0), a, b);
            }
            MbusScan::Secondary(m) => session.scan_secondary(Millis(0), m),
        }
        let mut found = 0usize;
        cx.drive(&mut session, false, move |e| match e {
            MbusEvent::Progress { done, total } => s.steps.set((done, total)),
            MbusEvent::Found(f) => {
                found += 1;
                let at = if f.address == SELECTED {
                    f.secondary.map(|s| s.id_text()).unwrap_or_default()
                } else {
                    f.address.to_string()
                };
                s.push(Reading::new(&at, t(lang, "reader.mbus_found"), meter_name(&f.meter), ""));
                s.progress.set(format!("{found} {}", t(lang, "reader.mbus_meters")));
            }
            MbusEvent::Notice(n) => s.warn(n.text(lang)),
            MbusEvent::Error(e) => s.push_error("", e.text(lang)),
            MbusEvent::Telegram(_) | MbusEvent::Done => {}
        })
        .await;
        return Ok(());
    }
    let targets: Vec<Target> = p
        .selection
        .split([' ', ',', ';'])
        .filter(|w| !w.is_empty())
        .map(|w| Target::parse(w).ok_or_else(|| format!("{w}: {}", t(lang, "reader.mbus_bad_address"))))
        .collect::<Result<_, _>>()?;
    if targets.is_empty() {
        return Err(t(lang, "reader.mbus_bad_address").to_string());
    }
    s.expect(targets.len());
    for target in targets {
        if cx.cancel.get() {
            break;
        }
        let mut session = MbusSession::with_dissector(cfg.clone(), host::mbus);
        session.read(Millis(0), target);
        cx.drive(&mut session, false, move |e| match e {
            MbusEvent::Telegram(tg) => {
                let id = tg.meter.id.clone();
                if tg.index == 1 {
                    s.push(Reading::new(&id, t(lang, "reader.mbus_meter"), meter_name(&tg.meter), ""));
                }
                tg.records.iter().for_each(|r| s.push(record_reading(&id, r, lang)));
                tg.problems.iter().for_each(|p| s.push_error(&id, p.clone()));
            }
            MbusEvent::Notice(n) => s.warn(n.text(lang)),
            MbusEvent::Error(e) => s.push_error("", e.text(lang)),
            // One meter's read ended (all its telegrams, an error, or the most telegrams read).
            MbusEvent::Done => s.step(),
            MbusEvent::Progress { .. } | MbusEvent::Found(_) => {}
        })
        .await;
    }
    Ok(())
}

/// A listener's line notices; true on silence (the listener stopped).
fn listen_notice<T>(s: Sigs, e: &ListenEvent<T>, lang: Lang) -> bool {
    match e {
        ListenEvent::Junk(n) => s.warn(format!("{n} {}", t(lang, "reader.noise_skipped"))),
        ListenEvent::Incomplete(n) => s.warn(format!("{n} {}", t(lang, "reader.cut_dropped"))),
        ListenEvent::Silence => {
            s.status.set(t(lang, "reader.silence").to_string());
            return true;
        }
        _ => {}
    }
    false
}

fn opened_text(o: &Opened, lang: Lang) -> String {
    match o {
        Opened::Plain => t(lang, "reader.wmbus_plain").to_string(),
        Opened::Decrypted => t(lang, "reader.wmbus_decrypted").to_string(),
        Opened::NoKey => t(lang, "reader.wmbus_no_key").to_string(),
        Opened::WrongKey(m) | Opened::Unsupported(m) => m.clone(),
    }
}

/// Wireless M-Bus: every telegram replaces its meter's rows.
pub(super) async fn live_wmbus(p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let mut cfg = wmbus::config(None);
    cfg.line = p.line;
    let mut session = Listener::new(wmbus::WmbusReader { lang, keys: p.keys.clone(), dissect: host::wmbus }, cfg);
    session.listen(Millis(0));
    let s = cx.sigs;
    let cancel = cx.cancel.clone();
    let mut n = 0usize;
    cx.drive(&mut session, true, move |e| match &e {
        WmbusEvent::Telegram(tg) => {
            n += 1;
            let id = tg.meter.id.clone();
            s.results.update(|v| v.retain(|r| r.id != id));
            let state = opened_text(&tg.opened, lang);
            let head = format!("{} · {state}", meter_name(&tg.meter));
            s.push(Reading::new(&id, t(lang, "reader.mbus_meter"), head, ""));
            match &tg.opened {
                Opened::NoKey | Opened::WrongKey(_) | Opened::Unsupported(_) => s.push_error(&id, state.clone()),
                _ => tg.records.iter().for_each(|r| s.push(record_reading(&id, r, lang))),
            }
            let mode = tg
                .mode
                .filter(|&m| m > 0)
                .map(|m| format!(" · {} {m}", t(lang, "reader.wmbus_mode")))
                .unwrap_or_default();
            let crc = if tg.valid { t(lang, "ok") } else { t(lang, "invalid") };
            s.telegram.set(format!("#{n} · {} {}{mode} · {state} · CRC {crc}", tg.meter.manufacturer, tg.meter.id));
        }
        _ => {
            if listen_notice(s, &e, lang) {
                cancel.set(true);
            }
        }
    })
    .await;
    Ok(())
}

/// SML: every file replaces the readings; numbers go to the chart.
pub(super) async fn live_sml(p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let mut cfg = sml::config(None);
    cfg.line = p.line;
    let mut session = Listener::new(sml::SmlReader { lang, dissect: host::sml }, cfg);
    session.listen(Millis(0));
    let s = cx.sigs;
    let cancel = cx.cancel.clone();
    let mut n = 0usize;
    cx.drive(&mut session, true, move |e| match &e {
        SmlEvent::Telegram(f) => {
            n += 1;
            s.results.set(Vec::new());
            for r in &f.readings {
                // The status word's meaning (the energy direction) follows the name.
                let name = match r.status.as_deref().map(|st| st.rsplit(['；', ';']).next().unwrap_or(st).trim()) {
                    Some(st) => format!("{} · {st}", r.name),
                    None => r.name.clone(),
                };
                s.push(Reading::new(&r.obis, &name, r.typed(), &r.unit));
            }
            f.problems.iter().for_each(|p| s.push_error("", p.clone()));
            let crc = if f.valid { t(lang, "ok") } else { t(lang, "invalid") };
            s.telegram.set(format!(
                "#{n} · {} · {} {} · CRC {crc}",
                f.server_id.as_deref().unwrap_or("?"),
                f.readings.len(),
                t(lang, "reader.values")
            ));
        }
        _ => {
            if listen_notice(s, &e, lang) {
                cancel.set(true);
            }
        }
    })
    .await;
    Ok(())
}
