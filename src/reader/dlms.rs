//! DLMS/COSEM (HDLC) flows: association with the chosen client, server and
//! authentication; registers with scaler and unit; the clock; the object
//! list; the load profile by range.

use meterscope_core::obis;
use meterscope_core::protocols::dlms::assoc::SuiteKeys;
use meterscope_core::protocols::dlms::services::Access;
use meterscope_core::protocols::dlms::session::{
    Config, Confirm, DlmsEvent, DlmsSession, Transport as Link, data_text, octets, parse_target,
};
use meterscope_core::protocols::dlms::simulator::test_keys;
use meterscope_core::session::Millis;

use leptos::prelude::*;

use std::cell::RefCell;
use std::rc::Rc;

use meterscope_core::quantity::Family;

use super::{Ctx, Flow, Params, Reading, Table, now_iso, picked, show_quantities};
use crate::reader::strings::t;

/// Registers read by default.
pub const DEFAULT_OBIS: &str =
    "1-0:1.8.0.255 1-0:2.8.0.255 1-0:1.7.0.255 1-0:32.7.0.255 1-0:31.7.0.255 1-0:14.7.0.255 0-0:96.1.0.255";
/// The load profile.
const LOAD_PROFILE: [u8; 6] = [1, 0, 99, 1, 0, 255];
/// Seconds of load profile asked for in one request.
const PROFILE_PART: i64 = 6 * 3600;

pub use meterscope_core::client::targets::date_time as parse_time;

/// The association of the page's fields (checked in `meterscope_ui` and
/// the core's client layer, as the CLI's options are); the demo meter's
/// keys when reading it.
fn config(p: &Params, ic: u32, lang: meterscope_core::Lang) -> Result<Config, String> {
    let keys = match (p.keys.cipher_key, p.keys.auth_key) {
        (Some(ek), Some(ak)) => Some(SuiteKeys { ek, ak }),
        _ if p.demo => Some(test_keys()),
        _ => None,
    };
    let association = p.opts.dlms.association(keys, ic, lang)?;
    if association.transport == Link::Wrapper && p.demo {
        return Err(lang.pick("the demo meter speaks HDLC", "演示电能表只支持 HDLC").into());
    }
    association.config(p.line, lang).map_err(|e| match (e.contains("keys") || e.contains("密钥")) && !p.demo {
        true => format!("{e}{}", lang.pick(" (the key panel of the decoder page)", "（解析页的密钥面板）")),
        false => e,
    })
}

fn name(code: [u8; 6], lang: meterscope_core::Lang) -> String {
    obis::describe(code, lang).unwrap_or_default()
}

pub(super) async fn run(flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let cfg = config(p, cx.sigs.dlms_ic.get_untracked(), cx.lang)?;
    let mut session = DlmsSession::new(cfg);
    let now = Millis(0);
    // Named quantities: their COSEM attributes, each read once.
    let reads = match flow {
        Flow::Quantities => Some(Rc::new(RefCell::new(picked(p, Family::Dlms)?))),
        _ => None,
    };
    match flow {
        Flow::Quantities => {
            let attrs = reads.as_ref().map(|r| r.borrow().dlms_attrs()).unwrap_or_default();
            cx.sigs.expect(attrs.len());
            session.open(now);
            session.read(now, &attrs);
        }
        Flow::Read => {
            let targets = p
                .selection
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|w| !w.is_empty())
                .map(|w| parse_target(w).ok_or_else(|| format!("'{w}' is not OBIS[:attr] (e.g. 1-0:1.8.0.255)")))
                .collect::<Result<Vec<_>, _>>()?;
            cx.sigs.expect(targets.len());
            session.open(now);
            session.read(now, &targets);
        }
        Flow::Clock => session.read_clock(now),
        // Set the clock to the computer's time (the user confirmed), then read it back.
        Flow::Sync => {
            session.sync_clock(now, super::local_now(), Confirm::write_to_meter());
            session.read_clock(now);
        }
        Flow::Browse => session.browse(now),
        Flow::Profile => {
            let (from, to) = p.opts.dlms.range(lang)?;
            // In parts of PROFILE_PART: each part's rows join the table as it arrives, so a
            // read cut short (unplugged, cancelled) keeps what came before.
            let mut start = from;
            loop {
                let end = start.plus_seconds(PROFILE_PART).min(to);
                session.read_profile(now, LOAD_PROFILE, Some(Access::range(octets(start), octets(end), Vec::new())));
                if end >= to {
                    break;
                }
                // Ranges include both ends: the next part starts a second later.
                start = end.plus_seconds(1);
            }
        }
        _ => return Ok(()),
    }
    session.close(now);
    let s = cx.sigs;
    let profile_parts = flow == Flow::Profile;
    if profile_parts {
        s.table.set(None);
    }
    let taken = reads.clone();
    cx.drive(&mut session, false, move |e| match e {
        DlmsEvent::Value { attr, text, unit, .. }
            if taken
                .as_ref()
                .is_some_and(|r| r.borrow_mut().take_dlms(&attr, &text, unit.as_deref().unwrap_or(""), &now_iso())) =>
        {
            s.step()
        }
        DlmsEvent::Error { attr, failure } if taken.is_some() => {
            s.step();
            if let Some(r) = &taken {
                r.borrow_mut().fail_dlms(attr.as_ref(), &failure.text(lang));
            }
        }
        DlmsEvent::Connected { max_info_tx, max_info_rx, window } => {
            s.note(format!("HDLC connected: information field {max_info_tx}/{max_info_rx}, window {window}"))
        }
        DlmsEvent::Associated { conformance, max_pdu, .. } => {
            // One association row: the last flow's replaces the one before.
            s.results.update(|v| v.retain(|r| r.id != "AARE"));
            s.push(Reading::new(
                "AARE",
                t(lang, "reader.association"),
                format!("{} (conformance 0x{conformance:06X}, max PDU {max_pdu})", t(lang, "reader.accepted")),
                "",
            ))
        }
        DlmsEvent::Authenticated => s.note("HLS: the meter's f(CtoS) checked".into()),
        DlmsEvent::Value { attr, value, unit, .. } => {
            s.step();
            s.push(Reading::new(
                &format!("{}:{}", obis::canonical(attr.obis), attr.index),
                &name(attr.obis, lang),
                value,
                unit.as_deref().unwrap_or(""),
            ))
        }
        DlmsEvent::Clock { time, raw } => s.clock(
            &obis::canonical(meterscope_core::protocols::dlms::session::CLOCK),
            lang,
            time.map_or_else(|| meterscope_core::to_hex(&raw), |t| t.to_string()),
        ),
        DlmsEvent::ClockSet(tm) => s.status.set(format!("{} {tm}", t(lang, "reader.clock_set"))),
        DlmsEvent::ObjectList(list) => {
            s.status.set(format!("{} {}", list.len(), t(lang, "reader.objects")));
            s.table.set(Some(Table {
                title: t(lang, "reader.object_list").to_string(),
                columns: vec!["class".into(), "version".into(), "OBIS".into(), t(lang, "reader.name").into()],
                rows: list
                    .iter()
                    .map(|o| {
                        vec![o.class.to_string(), o.version.to_string(), obis::canonical(o.obis), name(o.obis, lang)]
                    })
                    .collect(),
            }));
        }
        DlmsEvent::Profile { obis: code, columns, rows } => {
            let title = format!("{} {}", obis::canonical(code), name(code, lang));
            let mut rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(data_text).collect()).collect();
            // A later part of the same read: its rows follow the earlier ones.
            if let Some(mut tb) = s.table.get_untracked().filter(|tb| tb.title == title && profile_parts) {
                tb.rows.append(&mut rows);
                rows = tb.rows;
            }
            s.status.set(format!("{}: {} {}", obis::canonical(code), rows.len(), t(lang, "reader.rows")));
            s.table.set(Some(Table {
                title,
                columns: columns
                    .iter()
                    .map(|c| {
                        let n = name(c.obis, lang);
                        if n.is_empty() { obis::canonical(c.obis) } else { n }
                    })
                    .collect(),
                rows,
            }));
        }
        DlmsEvent::Written { attr, result } => {
            s.note(format!("{}:{} written, result {result}", obis::canonical(attr.obis), attr.index))
        }
        DlmsEvent::Invoked { method, result, .. } => {
            s.note(format!("{}:{} invoked, result {result}", obis::canonical(method.obis), method.index))
        }
        DlmsEvent::Progress { block, bytes } => {
            s.progress.set(format!("{} {block}, {bytes} {}", t(lang, "reader.block"), t(lang, "bytes")))
        }
        DlmsEvent::Error { attr, failure } => {
            s.step();
            s.push_error(
                &attr
                    .map(|a| format!("{}:{}", obis::canonical(a.obis), a.index))
                    .unwrap_or_else(|| "association".into()),
                failure.text(lang),
            )
        }
        DlmsEvent::Notice(n) => s.warn(n.text(lang)),
        DlmsEvent::Released => s.note("association released (RLRE)".into()),
        DlmsEvent::Disconnected => s.note("link disconnected".into()),
        DlmsEvent::InvocationCounter(ic) => {
            s.dlms_ic.set(ic);
            s.note(format!("next invocation counter {ic}"));
        }
        DlmsEvent::Done => {}
    })
    .await;
    if let Some(r) = reads {
        show_quantities(&r.borrow(), cx, "dlms");
    }
    Ok(())
}
