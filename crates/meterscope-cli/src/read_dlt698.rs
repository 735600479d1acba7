//! `meterscope read --protocol dlt698` and `meterscope simulate --protocol dlt698`:
//! the core's DL/T 698.45 session and simulated meter over a native serial
//! port, TCP or in process. The transports and the driving loop are those of
//! [`crate::transport`].
//!
//! OADs are 8 hex digits (`00100200`); `OAD@N` reads the N-th last record of
//! a record object with GET-Request-Record, RSD selector 9 (`50040200@1`, the
//! latest day freeze), with the meter's default columns.

use std::time::Instant;

use meterscope_core::Lang;
use meterscope_core::protocols::dlt698::codec::Rsd;
use meterscope_core::protocols::dlt698::session::{Config, Connect, Dlt698Event, Dlt698Session, Reading, Record};
use meterscope_core::protocols::dlt698::simulator::{Dlt698Meter, MeterConfig};
use meterscope_core::quantity::{Family, Quantity};
use meterscope_core::session::{LineSettings, Millis, Parity};
use serde_json::{Value, json};

use meterscope_core::client::render::{item_text, value_lines};
use meterscope_core::client::targets::{self, Dlt698Target, dlt698_targets};

use crate::args::{ReadArgs, SimulateArgs};
use crate::quantity::{Collector, now_iso};
use crate::trace::Traced;
use crate::transport::{InProcess, Pace, drive, simulate};

/// `--connect` and the things to read. The option's value is optional, so
/// `--connect 20000200` hands it the OAD: a value that is no mode but a
/// target is read, with the connection asked for.
fn connect_and_targets(connect: &str, oads: &[String], lang: Lang) -> Result<(Connect, Vec<Dlt698Target>), String> {
    let mut targets = dlt698_targets(&oads.join(" "), lang)?;
    match targets::connect(connect, Lang::En).map_err(|e| format!("--{e}")) {
        Ok(mode) => Ok((mode, targets)),
        Err(e) => match dlt698_targets(connect, lang) {
            Ok(first) => {
                targets.splice(0..0, first);
                Ok((Connect::Always, targets))
            }
            Err(_) => Err(e),
        },
    }
}

fn reading_json(r: &Reading) -> Value {
    json!({ "oad": r.canonical, "name": r.name, "items": r.items })
}

fn record_json(r: &Record) -> Value {
    json!({ "oad": r.canonical, "name": r.name, "columns": r.columns, "rows": r.rows })
}

fn print_reading(r: &Reading) {
    for line in value_lines(&r.canonical, &r.name, &r.items, "", false) {
        println!("{line}");
    }
}

fn print_record(r: &Record) {
    println!("{}  {} ({} row(s))", r.canonical, r.name, r.rows.len());
    for (n, row) in r.rows.iter().enumerate() {
        println!("  row {}", n + 1);
        for i in row {
            println!("    {}: {}", i.label, item_text(i));
        }
    }
}

/// Run `meterscope read --protocol dlt698`: exit code 0 (all read) or 1, or a message for exit code 2.
pub fn run_read(a: &ReadArgs, quantities: Vec<&'static Quantity>) -> Result<u8, String> {
    let lang: Lang = a.lang.parse()?;
    let (connect, targets) = connect_and_targets(&a.connect, &a.dis, lang)?;
    if targets.is_empty() && quantities.is_empty() {
        return Err("nothing to read: give OADs (00100200) or records (50040200@1)".to_string());
    }
    let address = a.address.as_deref().map(|t| targets::dlt698_address(t, lang)).transpose()?;
    let line = a.link.line_or(2400, LineSettings::new(9600, 8, Parity::Even, 1))?;
    let client_address = targets::client_address(&a.client_address, lang)?;
    let inner =
        a.link.open(line, || Box::new(InProcess::new(Dlt698Meter::new(MeterConfig::default())).frame_by_frame()))?;
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "dlt698", a.link.line_name(line));
    let cfg = Config {
        line,
        wake_up: a.wake_up.min(4),
        reply_timeout: a.timeout.unwrap_or(1000),
        retries: a.retries,
        lang,
        client_address,
        connect,
        password: a.password.as_ref().map(|p| p.as_bytes().to_vec()),
        ..Config::default()
    };
    let start = Instant::now();
    let mut session = Dlt698Session::new(cfg, address.as_deref());
    let now = Millis(0);
    if address.is_none() {
        session.find_meter(now);
    }
    for t in &targets {
        match *t {
            Dlt698Target::Oad(o) => session.get(now, &[o]),
            Dlt698Target::Record(o, n) => session.get_record(now, o, Rsd::S9(n), &[]),
        }
    }
    // Named quantities: each OAD once; a record object's columns in one read of its latest record.
    let mut collector =
        (!quantities.is_empty()).then(|| Collector::new(Family::Dlt698, "dlt698", quantities.clone(), lang, a.json));
    let (oads, records) = collector.as_ref().map(|c| c.reads().dlt698_targets()).unwrap_or_default();
    for oad in oads {
        session.get(now, &[oad]);
    }
    for (record, columns) in records {
        session.get_record(now, record, Rsd::S9(1), &columns);
    }

    let mut failed = false;
    let (mut values, mut records, mut errors, mut reports) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut meter: Option<String> = address.as_ref().map(|a| meterscope_core::to_hex(a).replace(' ', ""));
    let (json_out, verbose) = (a.json, a.verbose);
    let driven = drive(&mut session, &mut transport, start, |e| match e {
        Dlt698Event::Value(r) if collector.as_mut().is_some_and(|c| c.reads_mut().take_dlt698(&r, &now_iso())) => {}
        Dlt698Event::Record(r)
            if collector.as_mut().is_some_and(|c| c.reads_mut().take_dlt698_record(&r, &now_iso())) => {}
        Dlt698Event::Error { oad, failure } if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().fail_dlt698(oad, &failure.text(lang));
            }
        }
        Dlt698Event::MeterFound(addr) => {
            if !json_out {
                println!("meter {addr}");
            }
            meter = Some(addr);
        }
        Dlt698Event::Value(r) => {
            if json_out {
                values.push(reading_json(&r));
            } else {
                print_reading(&r);
            }
        }
        Dlt698Event::Record(r) => {
            if json_out {
                records.push(record_json(&r));
            } else {
                print_record(&r);
            }
        }
        Dlt698Event::Written { oad, dar } => {
            if !json_out {
                println!("{oad:08X}  written, DAR {dar}");
            }
        }
        Dlt698Event::Report { values: v, records: r } | Dlt698Event::FollowReport { values: v, records: r } => {
            if json_out {
                reports.push(json!({
                    "values": v.iter().map(reading_json).collect::<Vec<_>>(),
                    "records": r.iter().map(record_json).collect::<Vec<_>>(),
                }));
            } else {
                println!("report from the meter:");
                v.iter().for_each(print_reading);
                r.iter().for_each(print_record);
            }
        }
        Dlt698Event::Error { oad, failure } => {
            failed = true;
            let oad = oad.map(|o| format!("{o:08X}"));
            if json_out {
                errors.push(json!({ "oad": oad, "error": failure.text(lang) }));
            } else {
                println!("{}  error: {}", oad.as_deref().unwrap_or("--------"), failure.text(lang));
            }
        }
        Dlt698Event::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", n.text(lang));
            }
        }
        Dlt698Event::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if let Some(c) = collector {
        return c.finish(meter);
    }
    if json_out {
        let out = json!({ "meter": meter, "values": values, "records": records, "reports": reports, "errors": errors });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

/// Serve the simulated DL/T 698.45 meter on a serial or TCP port until
/// stopped (or for `--seconds`). `--max-data` is the largest frame it sends;
/// longer replies go out as link fragments.
pub fn run_simulate(a: &SimulateArgs) -> Result<u8, String> {
    let line = a.line()?;
    let addr = targets::dlt698_address(&a.address, Lang::En)?;
    let address: [u8; 6] = addr.try_into().map_err(|_| format!("'{}' is not a 12-digit address", a.address))?;
    let cfg = MeterConfig {
        address,
        seed: a.seed,
        max_frame: a.max_data.max(40),
        line,
        require_connect: a.require_connect || a.password.is_some(),
        password: a.password.clone().map(String::into_bytes),
        ..MeterConfig::default()
    };
    simulate(a, line, Pace::ANSWER, || {
        let meter = Dlt698Meter::new(cfg);
        let connect = if meter.config().require_connect { ", application connection required" } else { "" };
        let name = format!("simulated DL/T 698.45 meter {}{connect}", meter.address_text());
        Ok((meter, name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--connect 20000200`: the OAD is read, with the connection asked for;
    /// a word that is neither a mode nor a target stays an error.
    #[test]
    fn connect_takes_a_target_as_its_value() {
        let oads = vec!["00100200".to_string()];
        let (mode, targets) = connect_and_targets("20000200", &oads, Lang::En).unwrap();
        assert_eq!(mode, Connect::Always);
        assert_eq!(targets, vec![Dlt698Target::Oad(0x2000_0200), Dlt698Target::Oad(0x0010_0200)]);
        assert_eq!(connect_and_targets("never", &oads, Lang::En).unwrap().0, Connect::Never);
        assert_eq!(connect_and_targets("always", &[], Lang::En).unwrap(), (Connect::Always, vec![]));
        assert!(connect_and_targets("sometimes", &oads, Lang::En).unwrap_err().contains("auto, always or never"));
    }
}
