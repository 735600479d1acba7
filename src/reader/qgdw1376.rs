//! Q/GDW 1376 flows. Through a local communication module (1376.2, the
//! concentrator's side of a carrier / HPLC module): the module's information
//! and route, meters read through it (DL/T 645 and 698.45 values and clocks
//! decoded by their own families), its reports confirmed and listed, a
//! monitor that stays on the line for them. With a concentrator (1376.1, the
//! master station's side): its clock read and set, class 1 data, class 2
//! data of a day, important events, frames relayed to the meters behind it.
//!
//! The targets are the words the CLI takes, parsed by the core
//! ([`meterscope_core::protocols::qgdw1376::client`]).

use meterscope_core::Lang;
use meterscope_core::protocols::qgdw1376::client::{self, ModuleTarget, TerminalTarget};
use meterscope_core::protocols::qgdw1376::codec::Address1;
use meterscope_core::protocols::qgdw1376::concentrator::{
    self, ConcentratorEvent, ConcentratorSession, MeterValue, Notice as Notice2,
};
use meterscope_core::protocols::qgdw1376::master::{self, MasterEvent, MasterSession, Notice as Notice1};
use meterscope_core::protocols::qgdw1376::terminal::TerminalConfig;
use meterscope_core::session::Millis;

use leptos::prelude::*;

use super::{Ctx, Flow, Params, Reading, Sigs, Table};
use crate::reader::strings::t;
use crate::transport::now_ms;

/// 1376.2 targets by default: the module, then the demo's two meters (a
/// DL/T 645 energy, voltage and clock, a DL/T 698.45 energy and clock).
pub const DEFAULT_MODULE_TARGETS: &str = "info 645:240517000001:00010000 645:240517000001:02010100 645:240517000001:clock 698:240517000002:00100200 698:240517000002:clock";
/// 1376.1 targets by default: clock, class 1 power and energy, a relayed DL/T 645 read.
pub const DEFAULT_TERMINAL_TARGETS: &str = "clock c1:1:25 c1:1:129 relay:2:240517000001:00010000";
/// How long the report monitor stays on the line, ms (it stops on cancel).
const MONITOR_MS: u64 = 24 * 3600 * 1000;

/// The rows of a meter's value: id the DI or OAD, named with the meter's address.
fn value_rows(s: Sigs, v: &MeterValue) {
    for mut r in meterscope_core::client::item_rows(&v.id, &v.name, &v.items, false) {
        r.name = format!("{} · {}", v.meter, r.name);
        s.push(r);
    }
}

fn report_text(r: &concentrator::Report) -> String {
    let mut parts = vec![format!("AFN 06 F{} {}", r.fn_, r.name)];
    for v in &r.values {
        let items: Vec<String> = v.items.iter().map(|i| i.with_unit()).collect();
        parts.push(format!("{} {} {}: {}", v.meter, v.id, v.name, items.join(", ")));
    }
    parts.join("; ")
}

/// Through a communication module (Q/GDW 1376.2).
pub(super) async fn run_module(flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let targets = match flow {
        Flow::Read => client::module_targets(client::words(&p.selection)).map_err(|e| e.text(lang))?,
        Flow::Find => vec![ModuleTarget::Info, ModuleTarget::Nodes],
        _ => Vec::new(),
    };
    let cfg = concentrator::Config { line: p.line, lang, ..concentrator::Config::default() };
    let mut session = ConcentratorSession::new(cfg);
    let now = Millis(0);
    if flow == Flow::Read && p.opts.qgdw1376.add_nodes {
        session.add_nodes(now, &client::route_nodes(&targets));
    }
    for target in &targets {
        target.queue(&mut session, now);
    }
    let keep_alive = flow == Flow::Monitor;
    if keep_alive {
        session.listen(now, MONITOR_MS);
    }
    let s = cx.sigs;
    s.expect(targets.len());
    let step = move || s.step();
    cx.drive(&mut session, keep_alive, move |e| match e {
        ConcentratorEvent::ModuleInfo(i) => {
            step();
            let text = format!("{} · {} · {} ({})", i.vendor, i.chip, i.version, i.date);
            s.push(Reading::new("03 F1", t(lang, "reader.module"), text, ""));
        }
        ConcentratorEvent::MasterAddress(m) => {
            s.push(Reading::new("03 F4", t(lang, "reader.master_node"), m, ""));
        }
        ConcentratorEvent::NodeCount { count, max } => {
            step();
            let text = format!("{count} / {max}");
            s.push(Reading::new("10 F1", t(lang, "reader.node_count"), text, ""));
        }
        ConcentratorEvent::Nodes { total, nodes } => {
            s.status.set(format!("{}: {total}", t(lang, "reader.node_count")));
            s.table.set(Some(Table {
                title: format!("10 F2 {}", t(lang, "reader.route")),
                columns: vec![
                    t(lang, "reader.meter").to_string(),
                    t(lang, "reader.protocol").to_string(),
                    t(lang, "reader.node_info").to_string(),
                ],
                rows: nodes
                    .iter()
                    .map(|n| vec![n.address.clone(), n.protocol.to_string(), format!("{:04X}", n.info)])
                    .collect(),
            }));
        }
        ConcentratorEvent::Confirmed { afn, fn_ } => {
            s.note(format!("AFN {afn:02X} F{fn_}: {}", t(lang, "reader.confirmed")))
        }
        ConcentratorEvent::Value(v) => {
            step();
            value_rows(s, &v);
        }
        ConcentratorEvent::Clock { meter, time } => {
            step();
            s.push(Reading::new("clock", &format!("{meter} · {}", t(lang, "reader.clock")), time.to_string(), ""));
        }
        ConcentratorEvent::Report(r) => {
            s.reports.update(|l| l.push((now_ms(), report_text(&r))));
            r.values.iter().for_each(|v| value_rows(s, v));
        }
        ConcentratorEvent::Error { what, failure } => {
            step();
            s.push_error(&what, failure.text(lang))
        }
        ConcentratorEvent::Notice(n) => {
            if matches!(n, Notice2::Echo) {
                s.echo();
                s.note(n.text(lang))
            } else {
                s.warn(n.text(lang))
            }
        }
        ConcentratorEvent::Done => {}
    })
    .await;
    Ok(())
}

fn terminal_address(p: &Params, lang: Lang) -> Result<Address1, String> {
    match p.address.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(TerminalConfig::default().address),
        Some(a) => Address1::parse(a).ok_or_else(|| {
            format!(
                "'{a}': {}",
                lang.pick("a terminal address is RRRR-TTTT (hex)", "终端地址应为 RRRR-TTTT（十六进制）")
            )
        }),
    }
}

/// With a concentrator (Q/GDW 1376.1).
pub(super) async fn run_terminal(flow: Flow, p: &Params, cx: &Ctx) -> Result<(), String> {
    let lang = cx.lang;
    let targets = match flow {
        Flow::Read => client::terminal_targets(client::words(&p.selection)).map_err(|e| e.text(lang))?,
        Flow::Clock => vec![TerminalTarget::Clock],
        // Set, then read back.
        Flow::Sync => vec![TerminalTarget::SetClock, TerminalTarget::Clock],
        Flow::Records => vec![TerminalTarget::Events { pm: 0, pn: 0xFF }],
        _ => Vec::new(),
    };
    let terminal = terminal_address(p, lang)?;
    // A flow that sets the clock runs only after the page asked the user.
    let allow_control = flow == Flow::Sync;
    let cfg = master::Config { line: p.line, terminal, allow_control, lang, ..master::Config::default() };
    let mut session = MasterSession::new(cfg);
    let now = Millis(0);
    let wall = super::local_now();
    for target in &targets {
        target.queue(&mut session, now, wall);
    }
    if flow == Flow::Sync {
        cx.sigs.note(format!("{}: {wall}", t(lang, "reader.time_sent")));
    }
    let s = cx.sigs;
    s.expect(targets.len());
    let step = move || s.step();
    let events = flow == Flow::Records;
    cx.drive(&mut session, false, move |e| match e {
        MasterEvent::Clock(time) => {
            step();
            s.push(Reading::new("0C F2", t(lang, "reader.terminal_clock"), time.to_string(), ""));
        }
        MasterEvent::Data(d) => {
            step();
            let id = format!("{:02X} p{} F{}", d.afn, d.pn, d.fn_);
            if events {
                s.table.set(Some(Table {
                    title: format!("{id} {}", d.name),
                    columns: vec![t(lang, "reader.field").to_string(), t(lang, "reader.value").to_string()],
                    rows: d
                        .items
                        .iter()
                        .map(|i| {
                            let v = i.with_unit();
                            vec![i.label.clone(), v]
                        })
                        .collect(),
                }));
                s.status.set(format!("{id} {}: {} {}", d.name, d.items.len(), t(lang, "reader.rows")));
            } else {
                meterscope_core::client::item_rows(&id, &d.name, &d.items, false).into_iter().for_each(|r| s.push(r));
            }
        }
        MasterEvent::Relay { port, frame, value } => {
            step();
            s.note(format!("{} {port}: {frame}", t(lang, "reader.relay_port")));
            match value {
                Some(v) => value_rows(s, &v),
                None => s.push_error("10 F1", t(lang, "reader.relay_unread").to_string()),
            }
        }
        MasterEvent::Confirmed { afn, fn_ } => {
            step();
            s.note(format!("AFN {afn:02X} F{fn_}: {}", t(lang, "reader.confirmed")))
        }
        MasterEvent::LinkTest { fn_, terminal } => {
            let kind = match fn_ {
                1 => t(lang, "reader.login"),
                2 => t(lang, "reader.logout"),
                _ => t(lang, "reader.heartbeat"),
            };
            s.note(format!("{terminal}: {kind}, {}", t(lang, "reader.confirmed")))
        }
        MasterEvent::Error { what, failure } => {
            step();
            s.push_error(&what, failure.text(lang))
        }
        MasterEvent::Notice(n) => {
            if matches!(n, Notice1::Echo) {
                s.echo();
                s.note(n.text(lang))
            } else {
                s.warn(n.text(lang))
            }
        }
        MasterEvent::Done => {}
    })
    .await;
    Ok(())
}
