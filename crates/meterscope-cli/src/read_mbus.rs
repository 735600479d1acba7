//! `meterscope read|simulate --protocol mbus|wmbus|sml`: the wired M-Bus
//! master (scan by primary or secondary address, read), the wireless M-Bus
//! and SML listeners, and their simulated devices, over a native serial
//! port, TCP or in process. The transports and the driving loop are those
//! of [`crate::transport`].

use std::time::{Duration, Instant};

use meterscope_core::Lang;
use meterscope_core::protocols::mbus::readings::{Header, Record};
use meterscope_core::protocols::mbus::session::{self as mbus, MbusConfig, MbusEvent, MbusSession, Secondary, Target};
use meterscope_core::protocols::mbus::simulator::{BusConfig, MbusBus};
use meterscope_core::protocols::mbus::wireless::session::{self as wmbus, Opened, WmbusEvent, WmbusTelegram};
use meterscope_core::protocols::mbus::wireless::simulator::{AirConfig, WmbusAir};
use meterscope_core::protocols::sml::session::{self as sml, SmlEvent, SmlFile};
use meterscope_core::protocols::sml::simulator::{SmlConfig, SmlMeter};
use meterscope_core::session::listen::ListenEvent;
use meterscope_core::session::{LineSettings, SimulatedMeter};
use serde_json::{Value, json};

use crate::args::{ReadArgs, SimulateArgs};
use crate::trace::Traced;
use crate::transport::{InProcess, Pace, Transport, drive, millis, simulate};

/// The protocols of this module, by the names `--protocol` takes.
pub fn family(p: &str) -> Option<&'static str> {
    match p {
        "mbus" | "m-bus" => Some("mbus"),
        "wmbus" | "wm-bus" | "oms" => Some("wmbus"),
        "sml" => Some("sml"),
        _ => None,
    }
}

fn line_of(default: LineSettings, baud: Option<u32>) -> LineSettings {
    LineSettings { baud: baud.unwrap_or(default.baud), ..default }
}

fn in_process<M: SimulatedMeter + 'static>(meter: M) -> impl FnOnce() -> Box<dyn Transport> {
    move || Box::new(InProcess::new(meter).ticking())
}

/// Run `meterscope read` for one of this module's protocols.
pub fn run_read(protocol: &str, a: &ReadArgs) -> Result<u8, String> {
    let lang: Lang = a.lang.parse()?;
    match protocol {
        "mbus" => read_mbus(a, lang),
        "wmbus" => read_wmbus(a, lang),
        _ => read_sml(a, lang),
    }
}

fn header_json(h: &Header) -> Value {
    json!({
        "id": h.id,
        "manufacturer": h.manufacturer,
        "version": h.version,
        "medium": h.medium,
        "access": h.access,
        "status": h.status,
    })
}

fn record_json(r: &Record) -> Value {
    json!({
        "name": r.name,
        "value": r.value,
        "unit": r.unit,
        "function": r.function,
        "storage": r.storage,
        "tariff": r.tariff,
        "subunit": r.subunit,
    })
}

fn record_line(r: &Record, lang: Lang) -> String {
    let unit = if r.unit.is_empty() { String::new() } else { format!(" {}", r.unit) };
    format!("  {}: {}{unit}", r.title(lang), r.value)
}

fn header_line(h: &Header) -> String {
    format!("{} {} version {} · {}", h.manufacturer, h.id, h.version, h.medium)
}

fn parse_range(text: &str) -> Result<(u8, u8), String> {
    meterscope_core::client::targets::primary_range(text)
        .ok_or_else(|| format!("--range '{text}' is not FIRST-LAST within 0-250"))
}

fn read_mbus(a: &ReadArgs, lang: Lang) -> Result<u8, String> {
    enum Job {
        Primary(u8, u8),
        Secondary(Secondary),
        Read(Target),
    }
    let job = match (a.scan.as_deref(), a.address.as_deref()) {
        (Some("primary"), _) => {
            let (first, last) = parse_range(&a.range)?;
            Job::Primary(first, last)
        }
        (Some("secondary"), mask) => Job::Secondary(match mask {
            Some(m) => Secondary::parse(m).ok_or_else(|| format!("--address '{m}' is not a secondary address mask"))?,
            None => Secondary::ANY,
        }),
        (Some(other), _) => return Err(format!("--scan '{other}' is not primary or secondary")),
        (None, Some(t)) => Job::Read(Target::parse(t).ok_or_else(|| {
            format!("--address '{t}' is no M-Bus address: a primary address 0-250 or 8 digits of a secondary one")
        })?),
        (None, None) => return Err("M-Bus: give --address (primary or secondary) or --scan primary|secondary".into()),
    };
    let line = line_of(mbus::LINE, a.link.baud);
    let inner = a.link.open(line, in_process(MbusBus::new(BusConfig::default())))?;
    let line_name = a.link.line_name(line);
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "mbus", line_name);
    let cfg =
        MbusConfig { line, retries: a.retries, extra_wait: a.timeout.unwrap_or(0), lang, ..MbusConfig::default() };
    let mut session = MbusSession::new(cfg);
    let start = Instant::now();
    match &job {
        Job::Primary(first, last) => session.scan_primary(millis(start), *first, *last),
        Job::Secondary(mask) => session.scan_secondary(millis(start), *mask),
        Job::Read(target) => session.read(millis(start), *target),
    }
    let (json_out, verbose) = (a.json, a.verbose);
    let (mut found, mut telegrams, mut errors) = (Vec::<Value>::new(), Vec::<Value>::new(), Vec::<String>::new());
    let mut invalid = 0usize;
    let driven = drive(&mut session, &mut transport, start, |e| match e {
        MbusEvent::Progress { done, total } => {
            if verbose {
                eprintln!("meterscope: {done} of {total}");
            }
        }
        MbusEvent::Found(f) => {
            let secondary = f.secondary.map(|s| s.text());
            if json_out {
                found.push(json!({ "address": f.address, "secondary": secondary, "meter": header_json(&f.meter) }));
            } else {
                let at =
                    if f.address == mbus::SELECTED { "selected".to_string() } else { format!("address {}", f.address) };
                println!("found at {at}: {}", header_line(&f.meter));
            }
        }
        MbusEvent::Telegram(t) => {
            invalid += usize::from(!t.valid);
            if json_out {
                telegrams.push(json!({
                    "address": t.address,
                    "index": t.index,
                    "meter": header_json(&t.meter),
                    "records": t.records.iter().map(record_json).collect::<Vec<_>>(),
                    "more": t.more,
                    "valid": t.valid,
                    "problems": t.problems,
                }));
            } else {
                println!(
                    "telegram {} from {}{}",
                    t.index,
                    header_line(&t.meter),
                    if t.more { " (more follow)" } else { "" }
                );
                t.records.iter().for_each(|r| println!("{}", record_line(r, lang)));
                t.problems.iter().for_each(|p| println!("  problem: {p}"));
            }
        }
        MbusEvent::Notice(n) => {
            if verbose {
                eprintln!("meterscope: {}", n.text(lang));
            }
        }
        MbusEvent::Error(err) => {
            let text = err.text(lang);
            if !json_out {
                println!("error: {text}");
            }
            errors.push(text);
        }
        MbusEvent::Done => {}
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if json_out {
        let mut out = json!({ "line": line.to_string(), "errors": errors });
        match job {
            Job::Read(_) => out["telegrams"] = Value::Array(telegrams),
            _ => out["meters"] = Value::Array(found),
        }
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    // Exit 1 when a read failed or a telegram is not valid.
    Ok(u8::from(!errors.is_empty() || invalid > 0))
}

fn key(text: &Option<String>) -> Result<Option<[u8; 16]>, String> {
    let Some(t) = text else { return Ok(None) };
    let bytes = meterscope_core::parse_input(t).map_err(|e| format!("--cipher-key: {e}"))?.bytes;
    <[u8; 16]>::try_from(bytes.as_slice())
        .map(Some)
        .map_err(|_| "--cipher-key: 16 bytes (32 hex digits) expected".into())
}

fn opened_text(o: &Opened, lang: Lang) -> String {
    let en = lang == Lang::En;
    match o {
        Opened::Plain => (if en { "not encrypted" } else { "未加密" }).into(),
        Opened::Decrypted => (if en { "decrypted" } else { "已解密" }).into(),
        Opened::NoKey => (if en { "encrypted: no key given" } else { "已加密：未提供密钥" }).into(),
        Opened::WrongKey(m) | Opened::Unsupported(m) => m.clone(),
    }
}

fn opened_code(o: &Opened) -> &'static str {
    match o {
        Opened::Plain => "plain",
        Opened::Decrypted => "decrypted",
        Opened::NoKey => "no-key",
        Opened::WrongKey(_) => "wrong-key",
        Opened::Unsupported(_) => "unsupported",
    }
}

fn wmbus_json(t: &WmbusTelegram, lang: Lang) -> Value {
    json!({
        "meter": header_json(&t.meter),
        "mode": t.mode,
        "opened": opened_code(&t.opened),
        "opened_text": opened_text(&t.opened, lang),
        "records": t.records.iter().map(record_json).collect::<Vec<_>>(),
        "valid": t.valid,
        "problems": t.problems,
        "len": t.len,
    })
}

fn sml_json(f: &SmlFile) -> Value {
    json!({
        "server_id": f.server_id,
        "readings": f.readings.iter().map(|r| json!({
            "obis": r.obis, "name": r.name, "value": r.value, "unit": r.unit, "status": r.status,
        })).collect::<Vec<_>>(),
        "valid": f.valid,
        "problems": f.problems,
        "len": f.len,
    })
}

/// Print a listener's notice; true when it ends the read without its telegrams.
fn listen_notice<T>(e: &ListenEvent<T>, verbose: bool, lang: Lang) -> bool {
    let en = lang == Lang::En;
    let text = match e {
        ListenEvent::Junk(n) => format!("{n} {}", if en { "byte(s) of noise skipped" } else { "个噪声字节已跳过" }),
        ListenEvent::Incomplete(n) => {
            format!("{n} {}", if en { "byte(s) of a cut telegram dropped" } else { "个字节的不完整报文已丢弃" })
        }
        ListenEvent::Silence => return true,
        _ => return false,
    };
    if verbose {
        eprintln!("meterscope: {text}");
    }
    false
}

fn read_wmbus(a: &ReadArgs, lang: Lang) -> Result<u8, String> {
    if a.count == 0 {
        return Err("--count must be at least 1".into());
    }
    let keys = meterscope_core::Keys { cipher_key: key(&a.cipher_key)?, ..Default::default() };
    let line = line_of(wmbus::LINE, a.link.baud);
    let inner = a.link.open(line, in_process(WmbusAir::new(AirConfig::default())))?;
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "wmbus", a.link.line_name(line));
    let mut cfg = wmbus::config(Some(a.count));
    cfg.line = line;
    // A receiver that hears nothing for this long is reported (meters send every few seconds to minutes).
    cfg.silence = Some(a.timeout.unwrap_or(120_000));
    let mut session = meterscope_core::session::listen::Listener::new(
        wmbus::WmbusReader { lang, keys, dissect: wmbus::dissect_wmbus },
        cfg,
    );
    let start = Instant::now();
    session.listen(millis(start));
    let (json_out, verbose) = (a.json, a.verbose);
    let (mut out, mut silent, mut bad) = (Vec::<Value>::new(), false, 0usize);
    let driven = drive(&mut session, &mut transport, start, |e| match &e {
        WmbusEvent::Telegram(t) => {
            bad += usize::from(!t.valid);
            if json_out {
                out.push(wmbus_json(t, lang));
            } else {
                let mode = t.mode.filter(|&m| m > 0).map(|m| format!(", mode {m}")).unwrap_or_default();
                println!("{} ({}{mode})", header_line(&t.meter), opened_text(&t.opened, lang));
                t.records.iter().for_each(|r| println!("{}", record_line(r, lang)));
                t.problems.iter().for_each(|p| println!("  problem: {p}"));
            }
        }
        _ => silent |= listen_notice(&e, verbose, lang),
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if silent && !json_out {
        println!("error: no telegram arrived");
    }
    if json_out {
        let o = json!({ "line": line.to_string(), "telegrams": out, "complete": !silent });
        println!("{}", serde_json::to_string_pretty(&o).map_err(|e| e.to_string())?);
    }
    Ok(u8::from(silent || bad > 0))
}

fn read_sml(a: &ReadArgs, lang: Lang) -> Result<u8, String> {
    if a.count == 0 {
        return Err("--count must be at least 1".into());
    }
    let line = line_of(sml::LINE, a.link.baud);
    let inner = a.link.open(line, in_process(SmlMeter::new(SmlConfig::default())))?;
    let mut transport = Traced::new(inner, &a.trace, a.json, lang, "sml", a.link.line_name(line));
    let mut cfg = sml::config(Some(a.count));
    cfg.line = line;
    if let Some(t) = a.timeout {
        cfg.silence = Some(t);
    }
    let mut session =
        meterscope_core::session::listen::Listener::new(sml::SmlReader { lang, dissect: sml::dissect_sml }, cfg);
    let start = Instant::now();
    session.listen(millis(start));
    let (json_out, verbose) = (a.json, a.verbose);
    let (mut out, mut silent, mut bad) = (Vec::<Value>::new(), false, 0usize);
    let driven = drive(&mut session, &mut transport, start, |e| match &e {
        SmlEvent::Telegram(f) => {
            bad += usize::from(!f.valid);
            if json_out {
                out.push(sml_json(f));
            } else {
                println!(
                    "SML file from {} ({} bytes{})",
                    f.server_id.as_deref().unwrap_or("?"),
                    f.len,
                    if f.valid { "" } else { ", INVALID" }
                );
                for r in &f.readings {
                    let unit = if r.unit.is_empty() { String::new() } else { format!(" {}", r.unit) };
                    println!("  {} {}: {}{unit}", r.obis, r.name, r.value);
                }
                f.problems.iter().for_each(|p| println!("  problem: {p}"));
            }
        }
        _ => silent |= listen_notice(&e, verbose, lang),
    });
    transport.finish()?;
    driven.map_err(|e| format!("line error: {e}"))?;
    if silent && !json_out {
        println!("error: no SML file arrived");
    }
    if json_out {
        let o = json!({ "line": line.to_string(), "files": out, "complete": !silent });
        println!("{}", serde_json::to_string_pretty(&o).map_err(|e| e.to_string())?);
    }
    Ok(u8::from(silent || bad > 0))
}

/// Serve a simulated device, which sends on its own clock, until the time is up.
fn serve(meter: impl SimulatedMeter, name: &str, a: &SimulateArgs) -> Result<u8, String> {
    let pace = Pace { read: Duration::from_millis(10), tick: true, ..Pace::ANSWER };
    simulate(a, meter.line(), pace, || Ok((meter, name.to_string())))
}

/// Run `meterscope simulate` for one of this module's protocols.
pub fn run_simulate(protocol: &str, a: &SimulateArgs) -> Result<u8, String> {
    match protocol {
        "mbus" => serve(MbusBus::new(BusConfig::default()), "simulated M-Bus (meters at primary addresses 1 and 5)", a),
        "wmbus" => serve(
            WmbusAir::new(AirConfig::default()),
            "simulated wireless M-Bus receiver (water meter 12345678 in mode 5 with key 000102030405060708090A0B0C0D0E0F, heat meter 87654321 unencrypted)",
            a,
        ),
        _ => serve(SmlMeter::new(SmlConfig::default()), "simulated SML meter (a file every second)", a),
    }
}
