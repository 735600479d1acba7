//! `meterscope read --protocol qgdw1376.2 | qgdw1376.1` and `meterscope
//! simulate` for both: the core's concentrator session (talking to a local
//! communication module) and master station session (talking to a
//! terminal), over a native serial port, TCP or the simulated device in
//! process. The transports and the driving loop are those of [`crate::transport`].
//!
//! Targets, 1376.2: `info` (vendor, version, master node address), `nodes`
//! (the route's slave nodes), `645:ADDRESS:DI`, `698:ADDRESS:OAD`,
//! `645:ADDRESS:clock`, `698:ADDRESS:clock` (a meter read through the
//! module). With `--add-nodes` the meters named are added to the route
//! first; `--listen MS` stays on the line for the module's reports.
//!
//! Targets, 1376.1: `clock`, `config`, `c1:PN:FN` (class 1 data),
//! `c2:PN:FN:YYYY-MM-DD` (class 2 data of a day), `events[:PM:PN]`,
//! `relay:PORT:ADDRESS:DI` (a DL/T 645 read relayed to a meter),
//! `relay698:PORT:ADDRESS:OAD` (a DL/T 698.45 GET relayed to a meter),
//! `set-clock` (the system time, UTC; only with `--confirm`).

use std::time::Instant;

use meterscope_core::Lang;
use meterscope_core::protocols::qgdw1376::client::{self, ModuleTarget, TerminalTarget};
use meterscope_core::protocols::qgdw1376::codec::Address1;
use meterscope_core::protocols::qgdw1376::concentrator::{self, ConcentratorEvent, ConcentratorSession, MeterValue};
use meterscope_core::protocols::qgdw1376::master::{self, MasterEvent, MasterSession};
use meterscope_core::protocols::qgdw1376::module::{Module, ModuleConfig, protocol};
use meterscope_core::protocols::qgdw1376::terminal::{Terminal, TerminalConfig};
use meterscope_core::session::{DateTime, LineSettings, Millis, Parity};
use serde_json::{Value, json};

use meterscope_core::client::render::{item_text, value_lines};

use crate::args::{ReadArgs, SimulateArgs};
use crate::trace::Traced;
use crate::transport::{InProcess, Pace, drive, simulate};

fn print_value(v: &MeterValue) {
    for line in value_lines(&format!("{}  {}", v.meter, v.id), &v.name, &v.items, "", false) {
        println!("{line}");
    }
}

/// Run `meterscope read --protocol qgdw1376.2`.
pub fn run_read_2(a: &ReadArgs) -> Result<u8, String> {
    let mut targets = client::module_targets(a.dis.iter().map(String::as_str)).map_err(|e| e.to_string())?;
    if targets.is_empty() {
        targets.push(ModuleTarget::Info);
    }
    let lang: Lang = a.lang.parse()?;
    let line = a.link.line_or(2400, LineSettings::new(9600, 8, Parity::Even, 1))?;
    let inner = a.link.open(line, || {
        let module = Module::new(ModuleConfig { report_after: Some(2), line, ..ModuleConfig::default() });
        Box::new(InProcess::new(module).frame_by_frame())
    })?;
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "qgdw1376.2", a.link.line_name(line));
    let cfg = concentrator::Config {
        line,
        reply_timeout: a.timeout.unwrap_or(1000).max(1000),
        retries: a.retries,
        lang,
        ..concentrator::Config::default()
    };
    let start = Instant::now();
    let mut s = ConcentratorSession::new(cfg);
    let now = Millis(0);
    if a.add_nodes {
        s.add_nodes(now, &client::route_nodes(&targets));
    }
    for t in &targets {
        t.queue(&mut s, now);
    }
    if a.listen > 0 {
        s.listen(now, a.listen);
    }
    let mut failed = false;
    let (json_out, verbose) = (a.json, a.verbose);
    let mut out = json!({ "module": null, "master": null, "nodes": null, "values": [], "clocks": [], "reports": [], "errors": [] });
    let driven = drive(&mut s, &mut transport, start, |e| match e {
        ConcentratorEvent::ModuleInfo(i) => {
            if !json_out {
                println!("module {} chip {} version {} ({})", i.vendor, i.chip, i.version, i.date);
            }
            out["module"] = json!(i);
        }
        ConcentratorEvent::MasterAddress(m) => {
            if !json_out {
                println!("master node {m}");
            }
            out["master"] = json!(m);
        }
        ConcentratorEvent::NodeCount { count, max } => {
            if !json_out {
                println!("slave nodes {count} (at most {max})");
            }
        }
        ConcentratorEvent::Nodes { total, nodes } => {
            if !json_out {
                for n in &nodes {
                    println!("  node {}  protocol type {}", n.address, n.protocol);
                }
            }
            out["nodes"] = json!({ "total": total, "nodes": nodes });
        }
        ConcentratorEvent::Confirmed { afn, fn_ } => {
            if !json_out {
                println!("AFN {afn:02X} F{fn_} confirmed");
            }
        }
        ConcentratorEvent::Value(v) => {
            if json_out {
                push(&mut out["values"], json!(v));
            } else {
                print_value(&v);
            }
        }
        ConcentratorEvent::Clock { meter, time } => {
            if !json_out {
                println!("{meter}  clock {time}");
            }
            push(&mut out["clocks"], json!({ "meter": meter, "clock": time.to_string() }));
        }
        ConcentratorEvent::Report(r) => {
            if json_out {
                push(&mut out["reports"], json!(r));
            } else {
                println!("report AFN 06 F{} ({}), confirmed", r.fn_, r.name);
                r.values.iter().for_each(print_value);
            }
        }
        ConcentratorEvent::Error { what, failure } => {
            failed = true;
            if json_out {
                push(&mut out["errors"], json!({ "what": what, "error": failure.text(lang) }));
            } else {
                println!("{what}  error: {}", failure.text(lang));
            }
        }
        ConcentratorEvent::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", n.text(lang));
            }
        }
        ConcentratorEvent::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

fn push(v: &mut Value, x: Value) {
    if let Some(a) = v.as_array_mut() {
        a.push(x);
    }
}

/// Run `meterscope read --protocol qgdw1376.1`.
pub fn run_read_1(a: &ReadArgs) -> Result<u8, String> {
    let mut targets = client::terminal_targets(a.dis.iter().map(String::as_str)).map_err(|e| e.to_string())?;
    if targets.is_empty() {
        targets.push(TerminalTarget::Clock);
    }
    let lang: Lang = a.lang.parse()?;
    let line = a.link.line_or(2400, LineSettings::new(9600, 8, Parity::Even, 1))?;
    let terminal = match &a.address {
        Some(t) => Address1::parse(t).ok_or_else(|| format!("'{t}' is not a terminal address RRRR-TTTT"))?,
        None => TerminalConfig::default().address,
    };
    let inner = a.link.open(line, || {
        let terminal =
            Terminal::new(TerminalConfig { address: terminal, login: true, line, ..TerminalConfig::default() });
        Box::new(InProcess::new(terminal).frame_by_frame())
    })?;
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "qgdw1376.1", a.link.line_name(line));
    let cfg = master::Config {
        line,
        terminal,
        reply_timeout: a.timeout.unwrap_or(1000).max(1000),
        retries: a.retries,
        allow_control: a.confirm,
        lang,
        ..master::Config::default()
    };
    let start = Instant::now();
    let mut s = MasterSession::new(cfg);
    let now = Millis(0);
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    for t in &targets {
        t.queue(&mut s, now, DateTime::from_unix(secs));
    }
    let mut failed = false;
    let (json_out, verbose) = (a.json, a.verbose);
    let mut out =
        json!({ "terminal": terminal.text(), "clock": null, "data": [], "relays": [], "link_tests": [], "errors": [] });
    let driven = drive(&mut s, &mut transport, start, |e| match e {
        MasterEvent::Clock(t) => {
            if !json_out {
                println!("terminal clock {t}");
            }
            out["clock"] = json!(t.to_string());
        }
        MasterEvent::Data(d) => {
            if json_out {
                push(&mut out["data"], json!(d));
            } else if !(d.afn == 0x0C && d.fn_ == 2) {
                println!("AFN {:02X} p{} F{}  {}", d.afn, d.pn, d.fn_, d.name);
                for i in &d.items {
                    println!("    {}: {}", i.label, item_text(i));
                }
            }
        }
        MasterEvent::Relay { port, frame, value } => {
            if json_out {
                push(&mut out["relays"], json!({ "port": port, "frame": frame, "value": value }));
            } else {
                println!("relay port {port}: {frame}");
                if let Some(v) = &value {
                    print_value(v);
                }
            }
        }
        MasterEvent::Confirmed { afn, fn_ } => {
            if !json_out {
                println!("AFN {afn:02X} F{fn_} confirmed");
            }
        }
        MasterEvent::LinkTest { fn_, terminal } => {
            let kind = match fn_ {
                1 => "login",
                2 => "logout",
                _ => "heartbeat",
            };
            if verbose || !json_out {
                eprintln!("meterscope: terminal {terminal} {kind}, confirmed");
            }
            push(&mut out["link_tests"], json!(kind));
        }
        MasterEvent::Error { what, failure } => {
            failed = true;
            if json_out {
                push(&mut out["errors"], json!({ "what": what, "error": failure.text(lang) }));
            } else {
                println!("{what}  error: {}", failure.text(lang));
            }
        }
        MasterEvent::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", n.text(lang));
            }
        }
        MasterEvent::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

/// Serve the simulated module (1376.2, `part` 2) or terminal (1376.1) until stopped.
pub fn run_simulate(part: u8, a: &SimulateArgs) -> Result<u8, String> {
    let line = a.line()?;
    if part == 2 {
        return simulate(a, line, Pace::ANSWER, || {
            let mut cfg = ModuleConfig {
                line,
                report_after: (a.report_after > 0).then_some(a.report_after),
                ..ModuleConfig::default()
            };
            for m in cfg.meters_645.iter_mut() {
                m.seed = a.seed;
            }
            let module = Module::new(cfg);
            let meters: Vec<String> = module
                .meters()
                .iter()
                .map(|(m, p)| {
                    format!(
                        "{} ({})",
                        meterscope_core::protocols::qgdw1376::codec::node_text(m),
                        if *p == protocol::DLT698 { "698.45" } else { "645" }
                    )
                })
                .collect();
            Ok((module, format!("simulated Q/GDW 1376.2 module with meters {}", meters.join(", "))))
        });
    }
    simulate(a, line, Pace::ANSWER, || {
        let address = match &a.terminal {
            Some(t) => Address1::parse(t).ok_or_else(|| format!("'{t}' is not a terminal address RRRR-TTTT"))?,
            None => TerminalConfig::default().address,
        };
        let terminal = Terminal::new(TerminalConfig { address, line, login: true, ..TerminalConfig::default() });
        Ok((terminal, format!("simulated Q/GDW 1376.1 terminal {}", address.text())))
    })
}
