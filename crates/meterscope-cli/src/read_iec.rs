//! `meterscope read|simulate --protocol iec62056-21|dsmr`: the core's IEC
//! 62056-21 session (modes A–E) and DSMR P1 listener, and their simulated
//! meters, over a native serial port, TCP or in process. The transports and
//! the driving loop are those of [`crate::transport`]; a baud switch the session
//! asks for reconfigures the open native port (`Serial::reopen`).
//!
//! Their options are declared with the other protocols' in [`crate::args`]
//! (under the help heading "IEC 62056-21 and DSMR").

use std::io;
use std::time::{Duration, Instant};

use meterscope_core::Lang;
use meterscope_core::obis;
use meterscope_core::protocols::iec62056::p1::{DsmrLine, P1Config, P1Event, P1Notice, P1Session};
use meterscope_core::protocols::iec62056::session::{Config, Iec62056Session, IecEvent, Mode, Reading, line_7e1};
use meterscope_core::protocols::iec62056::simulator::{self, MeterConfig, OpticalMeter, P1Meter};
use meterscope_core::quantity::{Family, Quantity};
use meterscope_core::session::{LineSettings, Millis, SimulatedMeter};
use serde_json::{Value, json};

use crate::args::{ReadArgs, SimulateArgs};
use crate::quantity::{Collector, now_iso};
use crate::trace::Traced;
use crate::transport::{InProcess, Pace, Transport, drive, millis, simulate};

/// The IEC 62056-21 family.
pub const IEC: &str = "iec62056-21";
/// DSMR P1.
pub const DSMR: &str = "dsmr";

/// The protocol names `read` and `simulate` take for these families, if `name` is one.
pub fn family(name: &str) -> Option<&'static str> {
    match name {
        "iec62056-21" | "iec62056" | "iec" => Some(IEC),
        "dsmr" | "dsmr-p1" | "p1" => Some(DSMR),
        _ => None,
    }
}

/// Hand a reading to the collector when it is a point of a named quantity.
fn collect(c: &mut Collector, r: &Reading) {
    if let Some(v) = r.values.first() {
        c.reads_mut().take_code(&r.address, &v.value, &v.unit, &now_iso());
    }
}

/// A name for the meter from its readout or telegram: the electricity or
/// equipment identifier (as text when it is hex of text), else the device ID.
fn meter_name(r: &Reading, name: &mut Option<String>) {
    let Some(code) = obis::parse(&r.address) else { return };
    let first = matches!(code, [_, _, 0, 0, 0, _] | [0, 0, 96, 1, 1, _]);
    if (first || (name.is_none() && matches!(code, [_, _, 96, 1, 0, _])))
        && let Some(v) = r.values.first()
    {
        let text = v.text.as_deref().map(|t| t.trim_matches('"')).unwrap_or(&v.value);
        *name = Some(text.to_string());
    }
}

fn reading_line(r: &Reading) -> String {
    let values: Vec<String> = r.items().iter().map(meterscope_core::client::render::item_text).collect();
    let name = r.name.as_deref().map(|n| format!("  {n}")).unwrap_or_default();
    format!("{:<12}{name}: {}", r.address, values.join("; "))
}

/// Run `meterscope read` for IEC 62056-21 (`protocol` [`IEC`]) or DSMR.
pub fn run_read(protocol: &str, a: &ReadArgs, quantities: Vec<&'static Quantity>) -> Result<u8, String> {
    let lang: Lang = a.lang.parse()?;
    if protocol == DSMR {
        return read_dsmr(a, quantities, lang);
    }
    let mode = Mode::parse(&a.mode).ok_or_else(|| format!("mode '{}' is not A, B, C, D or E", a.mode))?;
    // The device address of the sign-on (empty: any meter) and the rate to sign on at.
    let (address, baud) = (a.address.clone().unwrap_or_default(), a.link.baud.unwrap_or(300));
    if baud == 0 || address.len() > 32 {
        return Err("unusable initial baud rate or address".to_string());
    }
    let mut collector =
        (!quantities.is_empty()).then(|| Collector::new(Family::Iec62056, IEC, quantities.clone(), lang, a.json));
    let mut meter_id: Option<String> = None;
    // In programming mode the quantities' registers are read one by one; otherwise picked from the readout.
    let registers: Vec<String> =
        collector.as_ref().map_or_else(|| a.dis.clone(), |c| c.reads().codes().iter().map(|c| c.to_string()).collect());
    if a.password.is_none() && !a.dis.is_empty() {
        return Err("registers are read in programming mode: give --password".to_string());
    }
    let cfg = Config {
        mode,
        address,
        initial: line_7e1(baud),
        settle: a.settle,
        reply_timeout: a.timeout.unwrap_or(1500),
        retries: a.retries,
        max_baud: a.max_baud,
        listen_timeout: Some(60_000),
        lang,
        ..Config::default()
    };
    let mut session = Iec62056Session::new(cfg);
    let meter_mode = if matches!(mode, Mode::A | Mode::B) { mode } else { Mode::C };
    let first_line = session.line();
    let inner = a.link.open(first_line, || {
        let meter = OpticalMeter::new(MeterConfig { mode: meter_mode, ..MeterConfig::default() });
        if mode == Mode::D {
            // The in-process meter has no push button: it pushes one readout at once.
            let mut push = b"/MSC4MS-Sim-1\r\n".to_vec();
            push.extend(meter.readout(Millis(0)));
            return Box::new(Pushed(Some(push)));
        }
        Box::new(InProcess::new(meter).ticking())
    })?;
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "iec62056", a.link.line_name(first_line));
    let start = Instant::now();
    let now = millis(start);
    match (mode, &a.password) {
        (Mode::D, _) => session.listen(now, 1),
        (Mode::E, _) => session.hand_over(now),
        (_, Some(password)) => session.program(now, password, &registers),
        _ => session.readout(now),
    }
    let (json_out, verbose) = (a.json, a.verbose);
    let mut failed = false;
    let mut ident = Value::Null;
    let mut readings = Vec::<Value>::new();
    let mut errors = Vec::<Value>::new();
    let mut handover = Value::Null;
    let mut line = session.line().to_string();
    let driven = drive(&mut session, &mut transport, start, |e| match e {
        IecEvent::Reading(r) if collector.is_some() => {
            meter_name(&r, &mut meter_id);
            if let Some(c) = collector.as_mut() {
                collect(c, &r);
            }
        }
        IecEvent::RegisterError { address, text } if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().fail_code(&address, &text);
            }
        }
        IecEvent::ReadoutEnd { bcc_ok, .. } if collector.is_some() => {
            if let Some(c) = collector.as_mut().filter(|_| !bcc_ok) {
                c.general_error("the readout's BCC is wrong");
            }
        }
        IecEvent::Error(f) if collector.is_some() => {
            if let Some(c) = collector.as_mut() {
                c.reads_mut().fail_rest(&f.text(lang));
            }
        }
        IecEvent::Identified(i) if collector.is_some() => {
            if !json_out {
                println!("meter {} {}", i.manufacturer, i.ident);
            }
            meter_id.get_or_insert_with(|| format!("{} {}", i.manufacturer, i.ident));
        }
        IecEvent::Identified(i) => {
            if !json_out {
                let rate = i.max_baud.map(|r| format!(", up to {r} Bd")).unwrap_or_default();
                let e = if i.mode_e { ", mode E capable" } else { "" };
                println!("meter {} {} (mode {}{rate}{e})", i.manufacturer, i.ident, i.mode.letter());
            }
            ident = serde_json::to_value(&i).unwrap_or(Value::Null);
        }
        IecEvent::BaudSwitch(l) => {
            if verbose {
                eprintln!("meterscope: line now {l}");
            }
            line = l.to_string();
        }
        IecEvent::Reading(r) => {
            if json_out {
                readings.push(serde_json::to_value(&r).unwrap_or(Value::Null));
            } else {
                println!("{}", reading_line(&r));
            }
        }
        IecEvent::ReadoutEnd { sets, bcc_ok } => {
            if !bcc_ok {
                failed = true;
            }
            if !json_out {
                println!("readout: {sets} data set(s), BCC {}", if bcc_ok { "correct" } else { "WRONG" });
            }
        }
        IecEvent::Operand(op) => {
            if verbose {
                eprintln!("meterscope: operand P0 ({op})");
            }
        }
        IecEvent::LoggedIn => {
            if !json_out {
                println!("password accepted");
            }
        }
        IecEvent::RegisterError { address, text } => {
            failed = true;
            if json_out {
                errors.push(json!({ "register": address, "error": text }));
            } else {
                println!("{address:<12}error: {text}");
            }
        }
        IecEvent::HandOver(l) => {
            if !json_out {
                println!("mode E: start the DLMS HDLC session at {l}");
            }
            handover = json!(l.to_string());
        }
        IecEvent::Error(f) => {
            failed = true;
            if json_out {
                errors.push(json!({ "error": f.text(lang) }));
            } else {
                println!("error: {}", f.text(lang));
            }
        }
        IecEvent::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", n.text(lang));
            }
        }
        IecEvent::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if let Some(mut c) = collector {
        c.reads_mut().fail_rest("not in the readout");
        return c.finish(meter_id);
    }
    if json_out {
        let out = json!({
            "identification": ident, "line": line, "readings": readings, "errors": errors, "handover": handover,
        });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

/// A transport that delivers one prepared push (mode D without a meter).
struct Pushed(Option<Vec<u8>>);

impl Transport for Pushed {
    fn write(&mut self, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, _: Millis) -> io::Result<usize> {
        match self.0.take() {
            Some(mut bytes) => {
                let n = bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                let rest = bytes.split_off(n);
                if !rest.is_empty() {
                    self.0 = Some(rest);
                }
                Ok(n)
            }
            None => {
                std::thread::sleep(timeout.min(Duration::from_millis(5)));
                Ok(0)
            }
        }
    }
}

/// A port whose modem lines may not be settable (ptys, some adapters): the
/// P1 request line is raised where it can be, and the read goes on where not.
struct ModemOptional(Box<dyn Transport>);

impl Transport for ModemOptional {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write(bytes)
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, now: Millis) -> io::Result<usize> {
        self.0.read(buf, timeout, now)
    }
    fn reopen(&mut self, line: LineSettings) -> io::Result<()> {
        self.0.reopen(line)
    }
    fn set_dtr_rts(&mut self, dtr: bool, rts: bool) -> io::Result<()> {
        if let Err(e) = self.0.set_dtr_rts(dtr, rts) {
            eprintln!("meterscope: cannot set DTR/RTS ({e}); going on");
        }
        Ok(())
    }
}

fn read_dsmr(a: &ReadArgs, quantities: Vec<&'static Quantity>, lang: Lang) -> Result<u8, String> {
    let version = match a.dsmr_version.as_str() {
        "5" | "5.0" | "4" | "4.0" | "4.2" => DsmrLine::V4V5,
        "3" | "3.0" | "2" | "2.2" => DsmrLine::V2V3,
        other => return Err(format!("DSMR version '{other}' is not 5, 4, 3 or 2.2")),
    };
    if a.count == 0 {
        return Err("--count must be at least 1".to_string());
    }
    let key = |text: &Option<String>, what: &str| -> Result<Option<[u8; 16]>, String> {
        let Some(t) = text else { return Ok(None) };
        let bytes = meterscope_core::parse_input(t).map_err(|e| format!("{what}: {e}"))?.bytes;
        <[u8; 16]>::try_from(bytes.as_slice())
            .map(Some)
            .map_err(|_| format!("{what}: 16 bytes (32 hex digits) expected"))
    };
    let keys = meterscope_core::Keys {
        cipher_key: key(&a.cipher_key, "--cipher-key")?,
        auth_key: key(&a.auth_key, "--auth-key")?,
        system_title: None,
    };
    // The simulated port encrypts when given keys (the default authentication key without --auth-key).
    let encryption = keys.cipher_key.map(|ek| simulator::P1Encryption {
        cipher_key: ek,
        auth_key: keys.auth_key.unwrap_or(simulator::P1Encryption::default().auth_key),
        ..simulator::P1Encryption::default()
    });
    let cfg = P1Config { version, count: Some(a.count), lang, keys, ..P1Config::default() };
    let line = cfg.line();
    let inner = ModemOptional(a.link.open(line, || {
        let meter = P1Meter::new(simulator::P1Config { encryption, ..simulator::P1Config::default() });
        Box::new(InProcess::new(meter).ticking())
    })?);
    let mut transport = Traced::new(Box::new(inner), &a.trace, a.json, lang, "dsmr", a.link.line_name(line));
    let mut session = P1Session::new(cfg);
    let start = Instant::now();
    session.listen(millis(start));
    let (json_out, verbose) = (a.json, a.verbose);
    let mut failed = false;
    let mut telegrams = Vec::<Value>::new();
    let mut collector =
        (!quantities.is_empty()).then(|| Collector::new(Family::Dsmr, DSMR, quantities.clone(), lang, a.json));
    let mut meter_id: Option<String> = None;
    let driven = drive(&mut session, &mut transport, start, |e| match e {
        P1Event::Telegram(t) if collector.is_some() => {
            let Some(c) = collector.as_mut() else { return };
            for r in &t.readings {
                meter_name(r, &mut meter_id);
                collect(c, r);
            }
        }
        P1Event::Telegram(t) => {
            if json_out {
                telegrams.push(serde_json::to_value(&t).unwrap_or(Value::Null));
                return;
            }
            let crc = match t.crc_ok {
                Some(true) => "CRC correct",
                Some(false) => "CRC WRONG",
                None => "no CRC",
            };
            println!("telegram /{} ({} bytes, {crc})", t.header, t.len);
            for r in &t.readings {
                println!("  {}", reading_line(r));
            }
        }
        P1Event::Notice(n) => {
            if verbose {
                let text = match n {
                    P1Notice::Junk(k) => format!("{k} byte(s) of noise skipped"),
                    P1Notice::BadCrc { stated, computed } => {
                        format!("telegram dropped: CRC {stated:04X}, should be {computed:04X}")
                    }
                    P1Notice::Incomplete(k) => format!("{k} byte(s) of a cut telegram dropped"),
                };
                eprintln!("meterscope: {text}");
            }
        }
        P1Event::Silence => {
            failed = true;
            if !json_out {
                println!("error: no telegram arrived");
            }
        }
        P1Event::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if let Some(mut c) = collector {
        c.reads_mut().fail_rest(if failed { "no telegram arrived" } else { "not in the telegram" });
        return c.finish(meter_id);
    }
    if json_out {
        let out = json!({ "line": line.to_string(), "telegrams": telegrams, "complete": !failed });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

/// Serve the simulated optical meter (`protocol` [`IEC`]) or P1 port until stopped.
pub fn run_simulate(protocol: &str, a: &SimulateArgs) -> Result<u8, String> {
    let pace = Pace { read: Duration::from_millis(20), ..Pace::ANSWER };
    if protocol == DSMR {
        // Whatever comes in is ignored; the read paces the loop.
        let meter = P1Meter::new(simulator::P1Config { seed: a.seed, ..simulator::P1Config::default() });
        let pace = Pace { tick: true, ..pace };
        return simulate(a, meter.line(), pace, || Ok((meter, "simulated DSMR 5 P1 port".into())));
    }
    let mode = match Mode::parse(&a.mode) {
        Some(m @ (Mode::A | Mode::B | Mode::C)) => m,
        _ => return Err(format!("the simulated meter runs mode A, B or C, not '{}'", a.mode)),
    };
    // The password of programming mode [default: 00000000].
    let password = a.password.clone().unwrap_or_else(|| "00000000".to_string());
    let cfg = MeterConfig { mode, max_baud: a.max_baud, password, seed: a.seed, ..MeterConfig::default() };
    let meter = OpticalMeter::new(cfg);
    let pace = Pace { reaction: Duration::from_millis(a.reaction), ..pace };
    let name = format!("simulated IEC 62056-21 meter (mode {})", mode.letter());
    simulate(a, meter.line(), pace, || Ok((meter, name)))
}
