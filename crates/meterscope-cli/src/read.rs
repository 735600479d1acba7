//! `meterscope read --protocol dlt645|dlt645-1997` and `meterscope simulate
//! --protocol dlt645`: the core's DL/T 645 session and simulated meter over a
//! native serial port, TCP or in process. The transports and the driving loop
//! are those of [`crate::transport`].

use std::time::Instant;

use meterscope_core::Lang;
use meterscope_core::protocols::dlt645::session::{Config, Dlt645Event, Dlt645Session};
use meterscope_core::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
use meterscope_core::protocols::dlt645::{Address, Variant};
use meterscope_core::quantity::{Family, Quantity};
use meterscope_core::session::{DateTime, LineSettings, Parity};
use serde_json::{Value, json};

use meterscope_core::client::render::value_lines;

use crate::args::{ReadArgs, SimulateArgs};
use crate::quantity::{Collector, now_iso};
use crate::trace::Traced;
use crate::transport::{InProcess, Pace, drive, millis, simulate};

/// The DL/T 645 edition a protocol name asks for.
pub fn variant(protocol: &str) -> Result<Variant, String> {
    match protocol {
        "dlt645" | "dlt645-2007" => Ok(Variant::V2007),
        "dlt645-1997" => Ok(Variant::V1997),
        other => Err(format!("reading is available for dlt645 and dlt645-1997, not '{other}'")),
    }
}

/// The system time as the meter's civil time (local time is the caller's
/// business: without a time zone database, UTC plus `offset_minutes`).
fn system_time(offset_minutes: i64) -> DateTime {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    DateTime::from_unix(secs + offset_minutes * 60)
}

/// Run `meterscope read`; the exit code (0 all read, 1 some failed) or a message for exit code 2.
pub fn run_read(a: &ReadArgs, variant: Variant, quantities: Vec<&'static Quantity>) -> Result<u8, String> {
    let line = a.link.line_or(2400, LineSettings::new(2400, 8, Parity::Even, 1))?;
    let address = match &a.address {
        Some(t) => Some(Address::parse(t).ok_or_else(|| format!("'{t}' is not a 12-digit address"))?),
        None => None,
    };
    let dis = meterscope_core::client::targets::dlt645_dis(&a.dis.join(" "), variant, a.lang.parse()?)?;
    if dis.is_empty() && !a.clock && !a.sync_clock && quantities.is_empty() {
        return Err("nothing to read: give data identifiers, --clock or --sync-clock".to_string());
    }
    let lang: Lang = a.lang.parse()?;
    let cfg = Config {
        variant,
        line,
        wake_up: a.wake_up.min(4),
        reply_timeout: a.timeout.unwrap_or(1000),
        retries: a.retries,
        lang,
        ..Config::default()
    };
    let inner = a.link.open(line, || Box::new(InProcess::new(Dlt645Meter::new(MeterConfig::default()))))?;
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "dlt645", a.link.line_name(line));
    let start = Instant::now();
    let mut session = Dlt645Session::new(cfg, address);
    let now = millis(start);
    if address.is_none() {
        session.find_meter(now);
    }
    if a.sync_clock {
        session.sync_clock(now, system_time(0));
    }
    if a.clock {
        session.read_clock(now);
    }
    // Named quantities: their identifiers, each read once; every point of every quantity.
    let family = if variant == Variant::V2007 { Family::Dlt645 } else { Family::Dlt645v1997 };
    let mut collector =
        (!quantities.is_empty()).then(|| Collector::new(family, "dlt645", quantities.clone(), lang, a.json));
    let dis = collector.as_ref().map_or_else(|| dis.clone(), |c| c.reads().dlt645_dis());
    session.read(now, &dis);

    let mut failed = false;
    let mut values = Vec::<Value>::new();
    let mut errors = Vec::<Value>::new();
    let mut meter: Option<String> = address.map(|a| a.digits());
    let mut clock: Option<String> = None;
    let (json_out, verbose) = (a.json, a.verbose);
    let driven = drive(&mut session, &mut transport, start, |e| match e {
        Dlt645Event::MeterFound(a) => {
            if !json_out {
                println!("meter {}", a.digits());
            }
            meter = Some(a.digits());
        }
        Dlt645Event::Value { di, items, .. } if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().take_dlt645(di, &items, &now_iso());
            }
        }
        Dlt645Event::Error { di, failure } if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().fail_dlt645(di, &failure.text(lang));
            }
        }
        Dlt645Event::Value { canonical, name, data, items, frames, complete, .. } => {
            if !complete {
                failed = true;
            }
            if json_out {
                values.push(json!({
                    "di": canonical, "name": name, "data": meterscope_core::to_hex(&data),
                    "items": items, "frames": frames, "complete": complete,
                }));
                return;
            }
            let mark = if complete { "" } else { "  (incomplete)" };
            for line in value_lines(&canonical, &name, &items, mark, true) {
                println!("{line}");
            }
        }
        Dlt645Event::Clock(t) => {
            if !json_out {
                println!("clock {t}");
            }
            clock = Some(t.to_string());
        }
        Dlt645Event::TimeBroadcast(t) => {
            if !json_out {
                println!("time broadcast {t}");
            }
        }
        Dlt645Event::Error { di, failure } => {
            failed = true;
            let di = di.map(|d| meterscope_core::client::targets::dlt645_di_text(d, variant));
            if json_out {
                errors.push(json!({ "di": di, "error": failure.text(lang) }));
            } else {
                println!("{}  error: {}", di.as_deref().unwrap_or("--------"), failure.text(lang));
            }
        }
        Dlt645Event::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", n.text(lang));
            }
        }
        Dlt645Event::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if let Some(c) = collector {
        return c.finish(meter);
    }
    if json_out {
        let out = json!({ "meter": meter, "clock": clock, "values": values, "errors": errors });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

/// Serve the simulated meter on a serial or TCP port until stopped (or for `--seconds`).
pub fn run_simulate(a: &SimulateArgs) -> Result<u8, String> {
    if variant(&a.protocol)? != Variant::V2007 && a.protocol != "dlt645" {
        return Err("the simulated meter answers both editions: use --protocol dlt645".to_string());
    }
    let line = a.line()?;
    let address = Address::parse(&a.address).ok_or_else(|| format!("'{}' is not a 12-digit address", a.address))?;
    let meter = MeterConfig { address, seed: a.seed, max_data: a.max_data.clamp(1, 200), ..MeterConfig::default() };
    simulate(a, line, Pace::ANSWER, || {
        let meter = Dlt645Meter::new(meter);
        let name = format!("simulated DL/T 645 meter {}", meter.address().digits());
        Ok((meter, name))
    })
}
