//! `meterscope read --protocol dlt645|dlt645-1997` and `meterscope simulate
//! --protocol dlt645`: the core's DL/T 645 session and simulated meter over a
//! native serial port, TCP or in process. The transports and the driving loop
//! are those of [`crate::transport`].

use std::time::Instant;

use meterscope_core::Lang;
use meterscope_core::protocols::dlt645::session::{Config, Dlt645Event, Dlt645Session, Failure, Notice};
use meterscope_core::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
use meterscope_core::protocols::dlt645::{Address, Variant};
use meterscope_core::quantity::{Family, Quantity};
use meterscope_core::session::{DateTime, LineSettings, Parity};
use serde_json::{Value, json};

use crate::quantity::{Collector, now_iso};
use crate::trace::Traced;
use crate::transport::{InProcess, Pace, Serial, Tcp, Transport, drive, line_text, millis, simulate};

fn line_name(target: &Target, line: LineSettings) -> String {
    match target {
        Target::Tcp(addr) => line_text(Some(addr), false, line),
        Target::Simulate => line_text(None, true, line),
        Target::Port { .. } => line_text(None, false, line),
    }
}

/// Where `read` talks to a meter.
pub enum Target {
    Port { path: String, line: LineSettings },
    Tcp(String),
    Simulate,
}

/// What `meterscope read` was asked to do.
pub struct ReadJob {
    pub variant: Variant,
    pub target: Target,
    pub address: Option<Address>,
    pub dis: Vec<u32>,
    pub clock: bool,
    pub sync_clock: bool,
    pub json: bool,
    pub verbose: bool,
    pub lang: Lang,
    pub timeout: u64,
    pub retries: u8,
    pub wake_up: usize,
    pub trace: crate::trace::TraceArgs,
    /// `--quantity`: named quantities, read instead of `dis` and reported by name.
    pub quantities: Vec<&'static Quantity>,
}

/// Parse identifiers of an edition: 8 hex digits (2007) or 4 (1997).
pub fn parse_dis(words: &[String], variant: Variant) -> Result<Vec<u32>, String> {
    let width = if variant == Variant::V2007 { 8 } else { 4 };
    words
        .iter()
        .map(|w| {
            let t = w.trim().trim_start_matches("0x").trim_start_matches("0X");
            if t.len() != width || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("'{w}' is not a data identifier of {width} hex digits"));
            }
            u32::from_str_radix(t, 16).map_err(|e| e.to_string())
        })
        .collect()
}

/// The system time as the meter's civil time (local time is the caller's
/// business: without a time zone database, UTC plus `offset_minutes`).
fn system_time(offset_minutes: i64) -> DateTime {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    DateTime::from_unix(secs + offset_minutes * 60)
}

fn failure_text(f: &Failure) -> String {
    match f {
        Failure::Timeout { attempts } => format!("no reply after {attempts} attempt(s)"),
        Failure::Abnormal { err, bits } => format!("abnormal reply, ERR 0x{err:02X}: {}", bits.join(", ")),
        Failure::NoMeter => "no meter address (finding the meter failed)".to_string(),
        Failure::TooManyFollowUps => "too many follow-up frames".to_string(),
    }
}

fn notice_text(n: &Notice) -> String {
    match n {
        Notice::Echo => "echo of our request ignored".into(),
        Notice::ForeignRequest => "a request we did not send, ignored".into(),
        Notice::WrongAddress(a) => format!("reply from another meter ({}) ignored", a.digits()),
        Notice::Unexpected { control } => format!("unexpected reply (C=0x{control:02X}) ignored"),
        Notice::Garbled(hex) => format!("damaged frame: {hex}"),
        Notice::Junk(n) => format!("{n} byte(s) of noise skipped"),
        Notice::Incomplete(n) => format!("{n} byte(s) of an unfinished frame dropped"),
        Notice::Retry { attempt } => format!("sending again (attempt {attempt})"),
    }
}

/// Run `meterscope read`; the exit code (0 all read, 1 some failed) or a message for exit code 2.
pub fn run_read(job: ReadJob) -> Result<u8, String> {
    let line = match &job.target {
        Target::Port { line, .. } => *line,
        _ => LineSettings::new(2400, 8, Parity::Even, 1),
    };
    let cfg = Config {
        variant: job.variant,
        line,
        wake_up: job.wake_up,
        reply_timeout: job.timeout,
        retries: job.retries,
        lang: job.lang,
        ..Config::default()
    };
    let inner: Box<dyn Transport> = match &job.target {
        Target::Port { path, line } => Box::new(Serial::open(path, *line)?),
        Target::Tcp(addr) => Box::new(Tcp::connect(addr)?),
        Target::Simulate => Box::new(InProcess::new(Dlt645Meter::new(MeterConfig::default()))),
    };
    let mut transport = Traced::new(inner, &job.trace, job.json, job.lang, "dlt645", line_name(&job.target, line));
    let start = Instant::now();
    let mut session = Dlt645Session::new(cfg, job.address);
    let now = millis(start);
    if job.address.is_none() {
        session.find_meter(now);
    }
    if job.sync_clock {
        session.sync_clock(now, system_time(0));
    }
    if job.clock {
        session.read_clock(now);
    }
    // Named quantities: their identifiers, each read once; every point of every quantity.
    let family = if job.variant == Variant::V2007 { Family::Dlt645 } else { Family::Dlt645v1997 };
    let mut collector = (!job.quantities.is_empty())
        .then(|| Collector::new(family, "dlt645", job.quantities.clone(), job.lang, job.json));
    let dis = collector.as_ref().map_or_else(|| job.dis.clone(), |c| c.reads().dlt645_dis());
    session.read(now, &dis);

    let mut failed = false;
    let mut values = Vec::<Value>::new();
    let mut errors = Vec::<Value>::new();
    let mut meter: Option<String> = job.address.map(|a| a.digits());
    let mut clock: Option<String> = None;
    let (json_out, verbose) = (job.json, job.verbose);
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
                c.reads_mut().fail_dlt645(di, &failure_text(&failure));
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
            match items.as_slice() {
                [one] if one.label == name || name.is_empty() => {
                    let unit = if one.unit.is_empty() { String::new() } else { format!(" {}", one.unit) };
                    let text = one.text.as_ref().map(|t| format!("  ({t})")).unwrap_or_default();
                    println!("{canonical}  {name}: {}{unit}{text}{mark}", one.value);
                }
                _ => {
                    println!("{canonical}  {name}{mark}");
                    for i in &items {
                        let unit = if i.unit.is_empty() { String::new() } else { format!(" {}", i.unit) };
                        let text = i.text.as_ref().map(|t| format!("  ({t})")).unwrap_or_default();
                        println!("    {}: {}{unit}{text}", i.label, i.value);
                    }
                }
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
            let di = di.map(|d| if job.variant == Variant::V2007 { format!("{d:08X}") } else { format!("{d:04X}") });
            if json_out {
                errors.push(json!({ "di": di, "error": failure_text(&failure) }));
            } else {
                println!("{}  error: {}", di.as_deref().unwrap_or("--------"), failure_text(&failure));
            }
        }
        Dlt645Event::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", notice_text(&n));
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

/// Serve the simulated meter on a serial port until the process is stopped
/// (or for `seconds` when given).
pub fn run_simulate(
    port: Option<&str>,
    tcp: Option<&str>,
    line: LineSettings,
    meter: MeterConfig,
    seconds: Option<u64>,
) -> Result<u8, String> {
    simulate(port, tcp, line, seconds, Pace::ANSWER, || {
        let meter = Dlt645Meter::new(meter);
        let name = format!("simulated DL/T 645 meter {}", meter.address().digits());
        Ok((meter, name))
    })
}
