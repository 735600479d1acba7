//! `meterscope read --trace` and `--trace-file`: every byte on the line with
//! its time and direction.
//!
//! [`Traced`] sits between a session's driving loop and its transport. What
//! is sent is one entry per write; what arrives is gathered into one entry
//! per burst (pieces less than [`GAP_MS`] apart, up to the next write), so
//! that a reply read in pieces is shown once, with the time of its first
//! byte. Each entry's bytes are decoded by the core's registry and every
//! frame in them summarised on one line.
//!
//! `--trace` prints the entries on standard error as they happen (text, or
//! one JSON object per line with `--json`, so that standard output keeps the
//! results). `--trace-file F` writes the whole trace when the read ends,
//! failed or not, in the format the reader page opens for replay
//! (`{"format": "meterscope-trace", "version": 1, "protocol", "line",
//! "entries": [{"t", "dir", "hex", "note"?}]}`). `--capture-file F` writes
//! the same exchange of a read over TCP as a pcapng capture (one TCP packet
//! per entry between 127.0.0.1 and the meter's address, times of the read),
//! which Wireshark and the decoder page open.

use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use meterscope_core::session::{LineSettings, Millis};
use meterscope_core::{Lang, Options, Registry, to_hex};
use serde_json::{Value, json};

use crate::transport::Transport;

/// Received pieces closer than this belong to one entry.
pub const GAP_MS: f64 = 30.0;

/// The trace options every `read` takes.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TraceArgs {
    /// Print every byte sent and received, with time and direction, each
    /// frame decoded on one line (on standard error; JSON lines with --json).
    #[arg(long)]
    pub trace: bool,
    /// Write the trace to this file when the read ends, in the format the
    /// reader page opens for replay.
    #[arg(long, value_name = "FILE")]
    pub trace_file: Option<PathBuf>,
    /// Write the exchange of a read over TCP (--tcp) to this file as a
    /// pcapng capture when the read ends.
    #[arg(long, value_name = "FILE")]
    pub capture_file: Option<PathBuf>,
}

/// One entry of the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Milliseconds from the start of the read.
    pub at_ms: f64,
    pub tx: bool,
    pub bytes: Vec<u8>,
}

/// A transport that keeps (and prints) what crosses it.
pub struct Traced<'a> {
    inner: Box<dyn Transport + 'a>,
    args: TraceArgs,
    json: bool,
    lang: Lang,
    /// The reader page's protocol id (`dlt645`, `dlt698`, `dlms`, `iec62056`, `dsmr`).
    protocol: &'static str,
    line: String,
    start: Instant,
    /// The start as microseconds since the Unix epoch (capture times).
    start_us: u64,
    entries: Vec<Entry>,
    /// The burst being received: when its first and last pieces came, its bytes.
    rx: Option<(f64, f64, Vec<u8>)>,
    registry: Registry,
}

impl<'a> Traced<'a> {
    pub fn new(
        inner: Box<dyn Transport + 'a>,
        args: &TraceArgs,
        json: bool,
        lang: Lang,
        protocol: &'static str,
        line: String,
    ) -> Self {
        Traced {
            inner,
            args: args.clone(),
            json,
            lang,
            protocol,
            line,
            start: Instant::now(),
            start_us: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as u64),
            entries: Vec::new(),
            rx: None,
            registry: Registry::default(),
        }
    }

    fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    /// Close the burst under way as an entry.
    fn flush_rx(&mut self) {
        if let Some((at, _, bytes)) = self.rx.take() {
            self.push(Entry { at_ms: at, tx: false, bytes });
        }
    }

    fn push(&mut self, e: Entry) {
        if self.args.trace {
            self.print(&e);
        }
        self.entries.push(e);
    }

    /// One line per frame the bytes hold: `protocol: what it is`, and why not valid.
    pub fn summaries(&self, bytes: &[u8]) -> Vec<String> {
        let opts = Options { lang: self.lang, ..Options::default() };
        let d = self.registry.dissect(bytes, &[], &opts).render(self.lang);
        d.frames
            .iter()
            .map(|f| {
                let n = &f.tree;
                let what = match &n.value {
                    Some(v) => format!("{}: {v}", n.label),
                    None => n.label.clone(),
                };
                let mut s = what;
                if !f.valid {
                    let why = f.diagnostics.first().map(|d| d.message.as_str()).unwrap_or("invalid");
                    s.push_str(&format!(" [invalid: {why}]"));
                }
                s
            })
            .collect()
    }

    fn print(&self, e: &Entry) {
        let summaries = self.summaries(&e.bytes);
        let dir = if e.tx { "TX" } else { "RX" };
        if self.json {
            let v =
                json!({ "t": round(e.at_ms), "dir": dir.to_lowercase(), "hex": to_hex(&e.bytes), "frames": summaries });
            eprintln!("{v}");
        } else {
            eprintln!("{:>10.1} ms  {dir}  {}", e.at_ms, to_hex(&e.bytes));
            for s in summaries {
                eprintln!("{:>16}  = {s}", "");
            }
        }
    }

    /// The trace in the reader page's replay format.
    pub fn file_json(&mut self) -> Value {
        self.flush_rx();
        let entries: Vec<Value> = self
            .entries
            .iter()
            .map(|e| json!({ "t": round(e.at_ms), "dir": if e.tx { "tx" } else { "rx" }, "hex": to_hex(&e.bytes) }))
            .collect();
        json!({
            "format": "meterscope-trace",
            "version": 1,
            "protocol": self.protocol,
            "line": self.line,
            "entries": entries,
        })
    }

    /// End of the read: the last burst printed, the file written.
    pub fn finish(&mut self) -> Result<(), String> {
        self.flush_rx();
        if let Some(path) = self.args.trace_file.clone() {
            let text = serde_json::to_string_pretty(&self.file_json()).map_err(|e| e.to_string())?;
            std::fs::write(&path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        if let Some(path) = self.args.capture_file.clone() {
            let file = self.capture()?;
            std::fs::write(&path, file).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }

    /// The exchange as a pcapng capture: each entry one TCP packet (push,
    /// ack) between 127.0.0.1 and the meter's address of a read over TCP,
    /// sequence numbers counted per direction from a handshake.
    pub fn capture(&self) -> Result<Vec<u8>, String> {
        use meterscope_core::capture::write;
        let meter = self
            .line
            .strip_prefix("tcp ")
            .and_then(|a| std::net::ToSocketAddrs::to_socket_addrs(a).ok()?.find(|a| a.is_ipv4()))
            .ok_or("--capture-file records a read over TCP: give --tcp HOST:PORT")?;
        let std::net::IpAddr::V4(ip) = meter.ip() else { unreachable!("an IPv4 address was chosen") };
        let meter = (ip.octets(), meter.port());
        let client = ([127, 0, 0, 1], 50000);
        let (syn, ack, push) = (0x02, 0x10, 0x18);
        let (mut seq_client, mut seq_meter) = (1000u32, 5000u32);
        let t0 = self.start_us;
        let mut packets = vec![
            (t0, write::tcp(client, meter, seq_client, syn, &[], false)),
            (t0, write::tcp(meter, client, seq_meter, syn | ack, &[], false)),
        ];
        seq_client += 1;
        seq_meter += 1;
        for e in &self.entries {
            let t = t0 + (e.at_ms * 1000.0) as u64;
            let (from, to, seq) = if e.tx { (client, meter, &mut seq_client) } else { (meter, client, &mut seq_meter) };
            packets.push((t, write::tcp(from, to, *seq, push, &e.bytes, false)));
            *seq = seq.wrapping_add(e.bytes.len() as u32);
        }
        Ok(write::pcapng(&packets))
    }
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

impl Transport for Traced<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.flush_rx();
        let at_ms = self.elapsed();
        self.push(Entry { at_ms, tx: true, bytes: bytes.to_vec() });
        self.inner.write(bytes)
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration, now: Millis) -> io::Result<usize> {
        let n = self.inner.read(buf, timeout, now)?;
        let t = self.elapsed();
        // A pause longer than the gap ends the burst, whether or not bytes follow it.
        if self.rx.as_ref().is_some_and(|(_, last, _)| t - last > GAP_MS) {
            self.flush_rx();
        }
        if n > 0 {
            match &mut self.rx {
                Some((_, last, bytes)) => {
                    *last = t;
                    bytes.extend_from_slice(&buf[..n]);
                }
                None => self.rx = Some((t, t, buf[..n].to_vec())),
            }
        }
        Ok(n)
    }

    fn reopen(&mut self, line: LineSettings) -> io::Result<()> {
        self.flush_rx();
        self.line = line.to_string();
        self.inner.reopen(line)
    }

    fn set_dtr_rts(&mut self, dtr: bool, rts: bool) -> io::Result<()> {
        self.inner.set_dtr_rts(dtr, rts)
    }
}
