//! `meterscope read --protocol dlms` and `meterscope simulate --protocol dlms`:
//! the core's DLMS/COSEM session and simulated meter over a native serial
//! port (HDLC), TCP (the wrapper) or in process (HDLC). The transports and
//! the driving loop are those of [`crate::transport`].
//!
//! Targets are `OBIS[:attr]` (`1-0:1.8.0.255`, `0-0:1.0.0.255:2`), or
//! `CLASS/OBIS[:attr]` when the class is not the usual one for the code.
//! Besides them: the clock, the object list, the load profile and the event
//! log (whole, by range or by entries), whole objects, firmware identifiers
//! and alarms. Each profile read is timed: its line time (first request to
//! last byte) is printed next to its theoretical wire time at the line's
//! speed (bytes × bits per character / baud).
//! The line defaults to 9600 8N1 (the DL/T 645 defaults of the shared
//! options, 2400 8E1, are taken as "not given"). The simulated meter keeps
//! two days of load profile.

use std::time::Instant;

use meterscope_core::obis;
use meterscope_core::protocols::dlms::assoc::SuiteKeys;
use meterscope_core::protocols::dlms::classes;
use meterscope_core::protocols::dlms::services::{Access, AttrRef};
use meterscope_core::protocols::dlms::session::{
    Config, DlmsEvent, DlmsSession, EVENT_LOG, LOAD_PROFILE, Notice, Transport as Link, data_text, octets, parse_target,
};
use meterscope_core::protocols::dlms::simulator::{DlmsMeter, MeterConfig};
use meterscope_core::quantity::{Family, Quantity};
use meterscope_core::session::{DateTime, LineSettings, LineTime, Millis, Parity};
use meterscope_core::{Lang, to_hex};
use serde_json::{Value, json};

use meterscope_core::client::dlms::{self, Association, hex_key};

use crate::args::{ReadArgs, SimulateArgs, serial_line};
use crate::quantity::{Collector, now_iso};
use crate::trace::Traced;
use crate::transport::{InProcess, Pace, drive, simulate};

/// Device ID 1 (0-0:96.1.0.255), the meter's serial number: what names the meter in quantity readings.
const DEVICE_ID: AttrRef = AttrRef::new(1, [0, 0, 96, 1, 0, 255], 2);

/// 9600 8N1 unless other settings than the shared defaults were given.
fn line(baud: u32, parity: &str, data_bits: u8, stop_bits: u8) -> Result<LineSettings, String> {
    let line = serial_line(baud, parity, data_bits, stop_bits)?;
    if line.baud == 2400 && line.parity == Parity::Even {
        return Ok(LineSettings::new(9600, 8, Parity::None, 1));
    }
    Ok(line)
}

/// The association of the options, checked by the core's client layer (as
/// the reader page's fields are), with the CLI's link and timing options.
fn config(a: &ReadArgs, line: LineSettings) -> Result<Config, String> {
    let keys = match (&a.cipher_key, &a.auth_key) {
        (Some(ek), Some(ak)) => Some(SuiteKeys { ek: hex_key(ek, "--cipher-key")?, ak: hex_key(ak, "--auth-key")? }),
        (None, None) => None,
        _ => return Err("give both --cipher-key and --auth-key".to_string()),
    };
    // The options by their names first; the association's own checks after.
    match a.auth.as_str() {
        "none" | "low" | "high" => {}
        other => return Err(format!("--auth is none, low or high, not '{other}'")),
    }
    if a.auth == "low" && a.password.is_none() {
        return Err("--auth low needs --password".to_string());
    }
    if a.auth == "high" && keys.is_none() {
        return Err("--auth high needs --cipher-key and --auth-key".to_string());
    }
    if a.dedicated_key.is_some() && keys.is_none() {
        return Err("--dedicated-key needs --cipher-key and --auth-key".to_string());
    }
    if a.client == 0 || a.client > 0x7F {
        return Err("--client is a SAP of 1 to 127".to_string());
    }
    if !(1..=7).contains(&a.window) {
        return Err("--window is 1 to 7".to_string());
    }
    let transport = match &a.transport {
        Some(t) => dlms::transport(t, Lang::En).map_err(|e| format!("--{e}"))?,
        None if a.link.tcp.is_some() => Link::Wrapper,
        None => Link::Hdlc,
    };
    if transport == Link::Wrapper && a.server_physical.is_some_and(|p| p != 0) {
        return Err("--server-physical is an HDLC address: give --transport hdlc".to_string());
    }
    let association = Association {
        client: a.client,
        server: a.server,
        physical: a.server_physical,
        transport,
        auth: a.auth.clone(),
        password: a.password.clone(),
        // Keys given on the command line cipher the association.
        cipher: keys.is_some(),
        keys,
        system_title: match &a.system_title {
            Some(t) => hex_key(t, "--system-title")?,
            None => dlms::CLIENT_TITLE,
        },
        invocation_counter: a.invocation_counter,
        dedicated_key: a.dedicated_key.as_deref().map(|k| hex_key(k, "--dedicated-key")).transpose()?,
    };
    Ok(Config {
        short_names: a.short_names,
        window: a.window,
        reply_timeout: a.timeout.unwrap_or(1000),
        retries: a.retries,
        ..association.config(line, a.lang.parse()?)?
    })
}

/// `YYYY-MM-DD hh:mm[:ss]` (or with `T`).
fn parse_time(text: &str, what: &str) -> Result<DateTime, String> {
    meterscope_core::client::targets::date_time(text).ok_or_else(|| format!("{what} '{text}' is not YYYY-MM-DD hh:mm"))
}

/// Selective access of `--from/--to` or `--entries`.
fn profile_access(a: &ReadArgs) -> Result<Option<Access>, String> {
    if let (Some(from), Some(to)) = (&a.from, &a.to) {
        let (from, to) = (parse_time(from, "--from")?, parse_time(to, "--to")?);
        return Ok(Some(Access::range(octets(from), octets(to), Vec::new())));
    }
    if let Some(e) = &a.entries {
        let bad = || format!("--entries '{e}' is not FIRST:LAST (e.g. 1:96)");
        let (f, l) = e.split_once(':').ok_or_else(bad)?;
        let (f, l) = (f.trim().parse::<u32>().map_err(|_| bad())?, l.trim().parse::<u32>().map_err(|_| bad())?);
        return Ok(Some(Access::entries(f, l)));
    }
    Ok(None)
}

fn attr_text(a: &AttrRef) -> String {
    format!("{}:{}", obis::canonical(a.obis), a.index)
}

fn line_time_json(t: &LineTime) -> Value {
    json!({
        "line_ms": t.line_ms(), "wire_ms": t.wire_ms(), "idle_ms": t.idle_ms(),
        "bytes_sent": t.bytes_sent, "bytes_received": t.bytes_received, "frames_sent": t.frames_sent,
        "line": t.line.to_string(),
    })
}

/// Run `meterscope read --protocol dlms`; exit code 0 all read, 1 some failed, or a message for 2.
pub fn run_read(a: &ReadArgs, quantities: Vec<&'static Quantity>) -> Result<u8, String> {
    let targets = a
        .dis
        .iter()
        .map(|t| parse_target(t).ok_or_else(|| format!("'{t}' is not OBIS[:attr] (e.g. 1-0:1.8.0.255:2)")))
        .collect::<Result<Vec<_>, _>>()?;
    let objects_to_read = a
        .object
        .iter()
        .map(|t| parse_target(t).ok_or_else(|| format!("--object '{t}' is not [CLASS/]OBIS (e.g. 70/0-0:96.3.10.255)")))
        .collect::<Result<Vec<_>, _>>()?;
    let nothing = targets.is_empty() && objects_to_read.is_empty() && quantities.is_empty();
    if nothing && !(a.clock || a.objects || a.profile || a.events || a.firmware || a.alarms) {
        return Err(
            "nothing to read: give OBIS codes, --clock, --objects, --profile, --events, --object, --firmware or --alarms"
                .to_string(),
        );
    }
    let lang: Lang = a.lang.parse()?;
    let access = profile_access(a)?;
    let link = &a.link;
    let line = line(link.baud.unwrap_or(2400), &link.parity, link.data_bits, link.stop_bits)?;
    let cfg = config(a, line)?;
    let inner = link.open(line, || {
        let meter = MeterConfig { profile_entries: 2 * 96, ..MeterConfig::default() };
        Box::new(InProcess::new(DlmsMeter::new(meter)))
    })?;
    let mut transport = Traced::new(inner, &a.trace, a.json, Lang::En, "dlms", link.line_name(line));
    let start = Instant::now();
    let mut session = DlmsSession::new(cfg);
    let now = Millis(0);
    if a.clock {
        session.read_clock(now);
    }
    if a.objects {
        session.browse(now);
    }
    session.read(now, &targets);
    // Named quantities: each attribute once.
    let mut collector =
        (!quantities.is_empty()).then(|| Collector::new(Family::Dlms, "dlms", quantities.clone(), lang, a.json));
    let mut attrs = collector.as_ref().map(|c| c.reads().dlms_attrs()).unwrap_or_default();
    if collector.is_some() {
        // The meter's serial number names it in the readings (when it has one).
        attrs.push(DEVICE_ID);
    }
    session.read(now, &attrs);
    let mut device: Option<String> = None;
    for o in &objects_to_read {
        session.read_object(now, o.class, o.obis);
    }
    if a.firmware {
        session.read_firmware(now);
    }
    if a.alarms {
        session.read_alarms(now);
    }
    if a.profile {
        session.read_profile(now, LOAD_PROFILE, access.clone());
    }
    if a.events {
        session.read_event_log(now, EVENT_LOG, access);
    }
    session.close(now);

    let (json_out, verbose) = (a.json, a.verbose);
    let mut failed = false;
    let mut values = Vec::<Value>::new();
    let mut errors = Vec::<Value>::new();
    let mut objects = Vec::<Value>::new();
    let mut profiles = Vec::<Value>::new();
    let mut clock: Option<String> = None;
    let mut counter: Option<u32> = None;
    let driven = drive(&mut session, &mut transport, start, |e| match e {
        DlmsEvent::Value { attr, text, unit, .. } if collector.is_some() => {
            if attr == DEVICE_ID {
                device = Some(text.clone());
            }
            if let Some(c) = collector.as_mut() {
                c.reads_mut().take_dlms(&attr, &text, unit.as_deref().unwrap_or(""), &now_iso());
            }
        }
        DlmsEvent::Error { attr, failure } if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().fail_dlms(attr.as_ref(), &failure.text(lang));
            }
        }
        DlmsEvent::Value { attr, data, text, unit, .. } => {
            let code = obis::canonical(attr.obis);
            let name = obis::describe(attr.obis, Lang::En).unwrap_or_default();
            if json_out {
                let mut raw = Vec::new();
                data.emit(&mut raw);
                values.push(json!({
                    "obis": code, "class": attr.class, "attribute": attr.index, "name": name,
                    "value": text, "unit": unit, "data": to_hex(&raw),
                }));
            } else {
                let unit = unit.map(|u| format!(" {u}")).unwrap_or_default();
                println!("{code}:{}  {name}: {text}{unit}", attr.index);
            }
        }
        DlmsEvent::Clock { time, raw } => {
            let t = time.map_or_else(|| to_hex(&raw), |t| t.to_string());
            if !json_out {
                println!("clock {t}");
            }
            clock = Some(t);
        }
        DlmsEvent::ObjectList(list) => {
            if !json_out {
                println!("objects: {}", list.len());
            }
            for o in list {
                let name = obis::describe(o.obis, Lang::En).unwrap_or_default();
                let class = classes::class_name(o.class, Lang::En).unwrap_or("");
                if json_out {
                    objects.push(json!({
                        "class": o.class, "class_name": class, "version": o.version,
                        "obis": obis::canonical(o.obis), "name": name,
                    }));
                } else {
                    println!("  {:>3} v{} {:<16} {:<22} {name}", o.class, o.version, obis::canonical(o.obis), class);
                }
            }
        }
        DlmsEvent::Profile { obis: code, columns, rows } => {
            let name = obis::describe(code, Lang::En).unwrap_or_default();
            let cols: Vec<String> = columns.iter().map(attr_text).collect();
            if json_out {
                let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(data_text).collect()).collect();
                profiles.push(json!({
                    "obis": obis::canonical(code), "name": name, "columns": cols, "rows": rows,
                }));
            } else {
                println!("profile {} {name}: {} rows", obis::canonical(code), rows.len());
                println!("  {}", cols.join(" | "));
                for r in &rows {
                    println!("  {}", r.iter().map(data_text).collect::<Vec<_>>().join(" | "));
                }
            }
        }
        DlmsEvent::Written { attr, .. } if !json_out => println!("{} written", attr_text(&attr)),
        DlmsEvent::Invoked { method, .. } if !json_out => println!("{} invoked", attr_text(&method)),
        DlmsEvent::Progress { block, bytes } if verbose => eprintln!("meterscope: block {block}, {bytes} bytes"),
        DlmsEvent::Error { attr, failure } => {
            failed = true;
            let what = attr.map(|a| format!("{}:{}", obis::canonical(a.obis), a.index));
            if json_out {
                errors.push(json!({ "obis": what, "error": failure.text(lang) }));
            } else {
                println!("{}  error: {}", what.as_deref().unwrap_or("association"), failure.text(lang));
            }
        }
        DlmsEvent::Notice(n) if verbose => {
            let text = match n {
                Notice::Retry { attempt } => format!("sending again (attempt {attempt})"),
                other => format!("{other:?}"),
            };
            eprintln!("meterscope: {text}");
        }
        DlmsEvent::Associated { conformance, max_pdu, .. } if verbose => {
            eprintln!("meterscope: associated, conformance 0x{conformance:06X}, max PDU {max_pdu}");
        }
        DlmsEvent::InvocationCounter(ic) => {
            counter = Some(ic);
            if verbose {
                eprintln!("meterscope: next invocation counter {ic}");
            }
        }
        _ => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if let Some(c) = collector {
        return c.finish(device);
    }
    // Each timed profile read beside its profile (in the order read).
    let times = session.line_times();
    let mut used = vec![false; times.len()];
    for p in &mut profiles {
        let code = p["obis"].as_str().unwrap_or_default().to_string();
        if let Some(i) = (0..times.len()).find(|&i| !used[i] && obis::canonical(times[i].0) == code) {
            used[i] = true;
            p["line_time"] = line_time_json(&times[i].1);
        }
    }
    if json_out {
        let out = json!({
            "clock": clock, "values": values, "errors": errors, "objects": objects, "profiles": profiles,
            "invocation_counter": counter,
        });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    } else {
        for (code, t) in times {
            println!("{}: {t}", obis::canonical(*code));
        }
        if let Some(ic) = counter {
            println!("next invocation counter {ic}");
        }
    }
    Ok(if failed { 1 } else { 0 })
}

/// Serve the simulated DLMS meter on a serial or TCP port until stopped (or for `--seconds`).
pub fn run_simulate(m: &SimulateArgs) -> Result<u8, String> {
    let line = line(m.baud, &m.parity, 8, 1)?;
    if !(1..=7).contains(&m.window) || m.gbt_window.is_some_and(|w| !(1..=63).contains(&w)) {
        return Err("--window is 1 to 7, --gbt-window 1 to 63".to_string());
    }
    let transport = match m.transport.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None if m.tcp.is_some() => Link::Wrapper,
        None | Some("hdlc") => Link::Hdlc,
        Some("wrapper" | "tcp" | "udp") => Link::Wrapper,
        Some(other) => return Err(format!("--transport '{other}': give hdlc or wrapper")),
    };
    simulate(m, line, Pace::ANSWER, || {
        let meter = DlmsMeter::new(MeterConfig {
            transport,
            seed: m.seed,
            line,
            window: m.window,
            gbt_window: m.gbt_window,
            short_names: m.short_names,
            profile_entries: m.profile_days.clamp(1, 62) * 96,
            ..MeterConfig::default()
        });
        let refs = if m.short_names { "short names" } else { "logical names" };
        let link = if transport == Link::Wrapper { "wrapper" } else { "HDLC" };
        Ok((meter, format!("simulated DLMS/COSEM meter ({link}, server 1, {refs})")))
    })
}
