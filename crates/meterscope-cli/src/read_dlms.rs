//! `meterscope read --protocol dlms` and `meterscope simulate --protocol dlms`:
//! the core's DLMS/COSEM session and simulated meter over a native serial
//! port (HDLC), TCP (the wrapper) or in process (HDLC). The transports and
//! the driving loop are those of [`crate::read`].
//!
//! Targets are `OBIS[:attr]` (`1-0:1.8.0.255`, `0-0:1.0.0.255:2`), or
//! `CLASS/OBIS[:attr]` when the class is not the usual one for the code.
//! The line defaults to 9600 8N1 (the DL/T 645 defaults of the shared
//! options, 2400 8E1, are taken as "not given").

use std::io;
use std::time::{Duration, Instant};

use meterscope_core::obis;
use meterscope_core::protocols::dlms::assoc::SuiteKeys;
use meterscope_core::protocols::dlms::session::{
    Auth, Config, DlmsEvent, DlmsSession, Notice, Security, Transport as Link, parse_target,
};
use meterscope_core::protocols::dlms::simulator::{DlmsMeter, MeterConfig};
use meterscope_core::session::{LineSettings, Millis, Parity, SimulatedMeter};
use meterscope_core::{Lang, to_hex};
use serde_json::{Value, json};

use crate::read::{Serial, Tcp, Transport, drive};

/// What `meterscope read --protocol dlms` was given.
pub struct Args {
    pub port: Option<String>,
    pub baud: u32,
    pub parity: String,
    pub data_bits: u8,
    pub stop_bits: u8,
    pub tcp: Option<String>,
    pub simulate: bool,
    pub client: u16,
    pub server: u16,
    pub auth: String,
    pub password: Option<String>,
    pub cipher_key: Option<String>,
    pub auth_key: Option<String>,
    pub system_title: Option<String>,
    pub clock: bool,
    pub json: bool,
    pub verbose: bool,
    pub timeout: u64,
    pub retries: u8,
    pub targets: Vec<String>,
}

/// The simulated DLMS meter in this process (HDLC), on the same clock.
struct InProcess {
    meter: DlmsMeter,
    pending: Vec<u8>,
}

impl Transport for InProcess {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        Ok(())
    }
    fn read(&mut self, buf: &mut [u8], timeout: Duration, now: Millis) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            self.meter.handle_input(now, &bytes);
        }
        let mut n = 0;
        while n < buf.len() {
            let Some(reply) = self.meter.poll_transmit() else { break };
            let take = reply.len().min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&reply[..take]);
            n += take;
        }
        if n == 0 {
            std::thread::sleep(timeout.min(Duration::from_millis(5)));
        }
        Ok(n)
    }
    fn reopen(&mut self, _: LineSettings) -> io::Result<()> {
        Ok(())
    }
    fn set_dtr_rts(&mut self, _: bool, _: bool) -> io::Result<()> {
        Ok(())
    }
}

/// 9600 8N1 unless other settings than the shared defaults were given.
fn line(baud: u32, parity: &str, data_bits: u8, stop_bits: u8) -> Result<LineSettings, String> {
    let parity_v = Parity::parse(parity).ok_or_else(|| format!("parity '{parity}' is not N, E or O"))?;
    if !(5..=8).contains(&data_bits) || !(1..=2).contains(&stop_bits) || baud == 0 {
        return Err("unusable line settings".to_string());
    }
    if baud == 2400 && parity_v == Parity::Even {
        return Ok(LineSettings::new(9600, 8, Parity::None, 1));
    }
    Ok(LineSettings::new(baud, data_bits, parity_v, stop_bits))
}

fn hex_bytes<const N: usize>(text: &str, what: &str) -> Result<[u8; N], String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
    let bad = || format!("{what} must be {} hex digits", 2 * N);
    if t.len() != 2 * N || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

fn config(a: &Args, line: LineSettings) -> Result<Config, String> {
    let auth = match a.auth.as_str() {
        "none" => Auth::None,
        "low" => Auth::Low(a.password.clone().ok_or("--auth low needs --password")?.into_bytes()),
        "high" => Auth::HighGmac,
        other => return Err(format!("--auth is none, low or high, not '{other}'")),
    };
    let security = match (&a.cipher_key, &a.auth_key) {
        (Some(ek), Some(ak)) => Some(Security {
            keys: SuiteKeys { ek: hex_bytes(ek, "--cipher-key")?, ak: hex_bytes(ak, "--auth-key")? },
            system_title: match &a.system_title {
                Some(t) => hex_bytes(t, "--system-title")?,
                None => *b"MSC\x00\x00\x00\x00\x10",
            },
            invocation_counter: 1,
            cipher: true,
        }),
        (None, None) => None,
        _ => return Err("give both --cipher-key and --auth-key".to_string()),
    };
    if auth == Auth::HighGmac && security.is_none() {
        return Err("--auth high needs --cipher-key and --auth-key".to_string());
    }
    if a.client == 0 || a.client > 0x7F {
        return Err("--client is a SAP of 1 to 127".to_string());
    }
    Ok(Config {
        transport: if a.tcp.is_some() { Link::Wrapper } else { Link::Hdlc },
        client: a.client,
        server: a.server,
        auth,
        security,
        line,
        reply_timeout: a.timeout,
        retries: a.retries,
        ..Config::default()
    })
}

/// Run `meterscope read --protocol dlms`; exit code 0 all read, 1 some failed, or a message for 2.
pub fn run_read(a: Args) -> Result<u8, String> {
    let targets = a
        .targets
        .iter()
        .map(|t| parse_target(t).ok_or_else(|| format!("'{t}' is not OBIS[:attr] (e.g. 1-0:1.8.0.255:2)")))
        .collect::<Result<Vec<_>, _>>()?;
    if targets.is_empty() && !a.clock {
        return Err("nothing to read: give OBIS codes or --clock".to_string());
    }
    let line = line(a.baud, &a.parity, a.data_bits, a.stop_bits)?;
    let cfg = config(&a, line)?;
    let mut transport: Box<dyn Transport> = match (&a.port, &a.tcp, a.simulate) {
        (Some(path), None, false) => Box::new(Serial::open(path, line)?),
        (None, Some(addr), false) => Box::new(Tcp::connect(addr)?),
        (None, None, true) => {
            Box::new(InProcess { meter: DlmsMeter::new(MeterConfig::default()), pending: Vec::new() })
        }
        _ => return Err("give one of --port DEVICE, --tcp HOST:PORT or --simulate".to_string()),
    };
    let start = Instant::now();
    let mut session = DlmsSession::new(cfg);
    let now = Millis(0);
    if a.clock {
        session.read_clock(now);
    }
    session.read(now, &targets);
    session.close(now);

    let (json_out, verbose) = (a.json, a.verbose);
    let mut failed = false;
    let mut values = Vec::<Value>::new();
    let mut errors = Vec::<Value>::new();
    let mut clock: Option<String> = None;
    drive(&mut session, transport.as_mut(), start, |e| match e {
        DlmsEvent::Value { attr, data, text, unit } => {
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
        DlmsEvent::Error { attr, failure } => {
            failed = true;
            let what = attr.map(|a| format!("{}:{}", obis::canonical(a.obis), a.index));
            if json_out {
                errors.push(json!({ "obis": what, "error": failure.text() }));
            } else {
                println!("{}  error: {}", what.as_deref().unwrap_or("association"), failure.text());
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
        DlmsEvent::InvocationCounter(ic) if verbose => eprintln!("meterscope: next invocation counter {ic}"),
        _ => {}
    })
    .map_err(|e| format!("line error: {e}"))?;
    if json_out {
        let out = json!({ "clock": clock, "values": values, "errors": errors });
        println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    }
    Ok(if failed { 1 } else { 0 })
}

/// Serve the simulated DLMS meter (HDLC) on a serial port until stopped (or for `seconds`).
pub fn run_simulate(path: &str, baud: u32, parity: &str, seed: u64, seconds: Option<u64>) -> Result<u8, String> {
    let line = line(baud, parity, 8, 1)?;
    let mut port = Serial::open(path, line)?;
    let mut meter = DlmsMeter::new(MeterConfig { seed, line, ..MeterConfig::default() });
    eprintln!("meterscope: simulated DLMS/COSEM meter (HDLC, server 1) on {path} at {line}");
    let start = Instant::now();
    let mut buf = [0u8; 512];
    loop {
        if seconds.is_some_and(|s| start.elapsed().as_secs() >= s) {
            return Ok(0);
        }
        let now = Millis(start.elapsed().as_millis() as u64);
        let n = port.read(&mut buf, Duration::from_millis(50), now).map_err(|e| format!("line error: {e}"))?;
        if n > 0 {
            meter.handle_input(Millis(start.elapsed().as_millis() as u64), &buf[..n]);
        }
        while let Some(reply) = meter.poll_transmit() {
            port.write(&reply).map_err(|e| format!("line error: {e}"))?;
        }
    }
}
