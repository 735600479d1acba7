//! `meterscope`: decode meter frames from the command line.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use meterscope_core::{Lang, Options, Registry};

mod args;
mod build;
mod quantity;
mod read;
mod read_dlms;
mod read_dlt698;
mod read_iec;
mod read_mbus;
mod read_qgdw1376;
mod trace;
mod transport;

#[derive(Parser)]
#[command(
    name = "meterscope",
    version,
    about = "Smart-meter protocol workbench: decode DL/T 645, DL/T 698.45, DLMS/COSEM, IEC 62056-21, DSMR, Q/GDW 1376, M-Bus, wireless M-Bus and SML frames"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the `read` options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Decode hex (any common shape), a hexdump, base64 or a text telegram.
    ///
    /// Exit code: 0 when every frame is valid, 1 when any frame is not, 2 for unusable input.
    Decode {
        /// Protocol: `auto` or a name from `meterscope protocols`.
        #[arg(long, short, default_value = "auto")]
        protocol: String,
        /// Print the dissection as JSON.
        #[arg(long)]
        json: bool,
        /// Language of labels and messages: en or zh, or several (`en,zh`): one
        /// decode shown in each (with --json, an object keyed by language).
        #[arg(long, default_value = "en")]
        lang: String,
        /// Strict policy: warnings make a frame invalid too.
        #[arg(long)]
        strict: bool,
        /// DLMS / encrypted P1: global (block cipher) key EK; wireless M-Bus: the
        /// meter's AES key (modes 5 and 7, ELL AES-CTR). 32 hex digits, or
        /// `env:NAME` to read it from an environment variable. Never printed.
        #[arg(long, value_name = "HEX")]
        cipher_key: Option<String>,
        /// DLMS / encrypted P1: authentication key AK, 32 hex digits or `env:NAME`;
        /// without it a ciphered APDU is decrypted but its tag not verified.
        #[arg(long, value_name = "HEX")]
        auth_key: Option<String>,
        /// DLMS: the sender's system title, 16 hex digits, for ciphered APDUs
        /// whose input carries no AARQ/AARE or general-ciphering that gives it.
        #[arg(long, value_name = "HEX")]
        system_title: Option<String>,
        /// Read the input from a file: text, a binary file, or a pcap/pcapng capture.
        #[arg(long, short, conflicts_with = "input")]
        file: Option<std::path::PathBuf>,
        /// Show only the frames that match: `dlt645`, `invalid`, `!dlms`,
        /// `ID=VALUE` (`dlt645.data.di=00010000`), or any word or "quoted text"
        /// found in a field's value or text (a DI, an OAD, an OBIS code).
        #[arg(long, value_name = "QUERY")]
        filter: Option<String>,
        /// The input; `-` or nothing reads standard input. Several words are joined with spaces.
        input: Vec<String>,
    },
    /// Fill in a frame's lengths, checksums and CRCs for its protocol (the frame builder).
    ///
    /// Prints the frame with every length and check written and what changed.
    /// Exit code: 0 when nothing had to change, 1 when a field was written, 2 when the
    /// bytes are not framed as the protocol needs (the byte is named).
    Build {
        /// Protocol (a name from `meterscope protocols` that has lengths or checks).
        #[arg(long, short)]
        protocol: String,
        /// Print the frame and the fields written as JSON.
        #[arg(long)]
        json: bool,
        /// Language of field names and messages: en or zh.
        #[arg(long, default_value = "en")]
        lang: String,
        /// The frame's bytes; `-` or nothing reads standard input.
        input: Vec<String>,
    },
    /// List the protocols the decoder knows.
    Protocols,
    /// Read a meter: identifiers, clock, time sync, over a serial port, TCP or the simulated meter.
    ///
    /// Exit code: 0 when everything was read, 1 when some read failed, 2 for unusable arguments or port.
    Read(args::ReadArgs),
    /// Serve a simulated meter on a serial or TCP port (until stopped).
    Simulate(args::SimulateArgs),
}

/// Output piped into `head` and the like ends quietly when the reader goes away,
/// as Unix tools do, instead of panicking on a broken pipe.
fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    default_sigpipe();
    let cli = Cli::parse();
    match cli.command {
        Command::Build { protocol, json, lang, input } => {
            let text = match input.as_slice() {
                [] => read_stdin(),
                [one] if one == "-" => read_stdin(),
                words => Ok(words.join(" ")),
            };
            exit(text.and_then(|t| build::run(&protocol, &lang, json, &t)))
        }
        Command::Protocols => {
            let reg = Registry::default();
            for p in reg.protocols() {
                println!("{:<16} {}", p.name(), p.title(Lang::En));
            }
            if reg.names().is_empty() {
                println!("(no protocol dissectors yet: every input decodes as unknown bytes)");
            }
            ExitCode::SUCCESS
        }
        Command::Decode { protocol, json, lang, strict, cipher_key, auth_key, system_title, file, filter, input } => {
            let keys = match decode_keys(cipher_key, auth_key, system_title) {
                Ok(k) => k,
                Err(e) => return exit(Err(e)),
            };
            let filter = match meterscope_core::filter::Filter::parse(filter.as_deref().unwrap_or("")) {
                Ok(f) => f,
                Err(e) => return exit(Err(e.to_string())),
            };
            let how = Show { json, strict, filter };
            exit(decode(&protocol, &lang, keys, file.as_deref(), &input, &how))
        }
        Command::Read(a) => exit(args::read(a)),
        Command::Simulate(a) => exit(args::simulate(a)),
    }
}

fn exit(result: Result<u8, String>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("meterscope: {message}");
            ExitCode::from(2)
        }
    }
}

/// A key or system title as typed: hex of `N` bytes (any separators), or
/// `env:NAME`. The message names the option, never the value.
fn key_bytes<const N: usize>(text: &str, option: &str) -> Result<[u8; N], String> {
    let value = match text.strip_prefix("env:") {
        Some(name) => {
            std::env::var(name).map_err(|_| format!("{option}: the environment variable {name} is not set"))?
        }
        None => text.to_string(),
    };
    let hex: String = value.chars().filter(|c| !c.is_whitespace() && !matches!(c, ':' | '-' | ',')).collect();
    let hex = hex.strip_prefix("0x").or_else(|| hex.strip_prefix("0X")).unwrap_or(&hex);
    if hex.len() != 2 * N || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{option}: {} hex digits expected", 2 * N));
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn decode_keys(
    cipher: Option<String>,
    auth: Option<String>,
    title: Option<String>,
) -> Result<meterscope_core::Keys, String> {
    Ok(meterscope_core::Keys {
        cipher_key: cipher.map(|k| key_bytes::<16>(&k, "--cipher-key")).transpose()?,
        auth_key: auth.map(|k| key_bytes::<16>(&k, "--auth-key")).transpose()?,
        system_title: title.map(|k| key_bytes::<8>(&k, "--system-title")).transpose()?,
    })
}

/// How `decode` shows its result.
struct Show {
    json: bool,
    strict: bool,
    filter: meterscope_core::filter::Filter,
}

fn decode(
    protocol: &str,
    lang: &str,
    keys: meterscope_core::Keys,
    file: Option<&std::path::Path>,
    input: &[String],
    how: &Show,
) -> Result<u8, String> {
    let langs: Vec<Lang> = lang.split(',').map(|l| l.trim().parse()).collect::<Result<_, _>>()?;
    let registry = Registry::default();
    if protocol != "auto" && registry.get(protocol).is_none() {
        let mut names = registry.names();
        names.insert(0, "auto");
        return Err(format!("unknown protocol '{protocol}' (known: {})", names.join(", ")));
    }
    let text = match (file, input) {
        (Some(path), _) => {
            let raw = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            // A packet capture: the TCP and UDP payloads, stream by stream.
            if let Some(cap) = meterscope_core::capture::read(&raw) {
                let cap = cap.map_err(|e| format!("{}: {e}", path.display()))?;
                capture_summary(&cap);
                if cap.bytes.is_empty() {
                    return Err(format!("{}: the capture holds no TCP or UDP payload", path.display()));
                }
                let input = meterscope_core::Input {
                    bytes: cap.bytes,
                    kind: meterscope_core::InputKind::Hex,
                    line_starts: cap.line_starts,
                };
                return show(&registry, input, protocol, keys, &langs, how);
            }
            match String::from_utf8(raw) {
                Ok(text) => text,
                // Not text: the file's bytes as they are.
                Err(e) => {
                    let input = meterscope_core::Input {
                        bytes: e.into_bytes(),
                        kind: meterscope_core::InputKind::Hex,
                        line_starts: Vec::new(),
                    };
                    return show(&registry, input, protocol, keys, &langs, how);
                }
            }
        }
        (None, []) => read_stdin()?,
        (None, [one]) if one == "-" => read_stdin()?,
        (None, words) => words.join(" "),
    };
    let input = meterscope_core::parse_input(&text).map_err(|e| e.to_string())?;
    show(&registry, input, protocol, keys, &langs, how)
}

/// What a capture held, on standard error (standard output keeps the decode).
fn capture_summary(cap: &meterscope_core::capture::Capture) {
    eprintln!("capture: {} packet(s), {} stream(s) with payload", cap.packets, cap.streams.len());
    for (i, s) in cap.streams.iter().enumerate() {
        let chunks = cap.chunks.iter().filter(|c| c.stream == i).count();
        eprintln!(
            "  stream {} {} {} <-> {}: {} byte(s) in {} chunk(s), input [{}..{})",
            i + 1,
            s.transport.as_str(),
            s.a,
            s.b,
            s.len,
            chunks,
            s.offset,
            s.offset + s.len
        );
    }
    for n in &cap.notes {
        eprintln!("  note: {n}");
    }
}

/// Dissect an input and print it in each language asked for.
fn show(
    registry: &Registry,
    input: meterscope_core::Input,
    protocol: &str,
    keys: meterscope_core::Keys,
    langs: &[Lang],
    how: &Show,
) -> Result<u8, String> {
    let Show { json, strict, filter } = how;
    let (json, strict) = (*json, *strict);
    let lang = langs[0];
    if input.bytes.is_empty() {
        return Err("the input holds no bytes".to_string());
    }
    let opts = Options { lang, protocol: Some(protocol.to_string()), strict, keys };
    let mut each = meterscope_core::render_each(registry, &input.bytes, &input.line_starts, &opts, langs);
    if !filter.is_empty() {
        // The same frames in every language: chosen by the first's fields.
        let keep: Vec<bool> = each[0].1.frames.iter().map(|f| filter.matches(f)).collect();
        let total = keep.len();
        let all = keep.iter().all(|&k| k);
        for (_, d) in &mut each {
            let mut k = keep.iter();
            d.frames.retain(|_| *k.next().unwrap_or(&false));
            d.junk.clear();
            // Findings across frames name frames by their place in the whole input.
            if !all {
                d.analyses.clear();
            }
        }
        eprintln!("filter: {} of {total} frame(s) match", keep.iter().filter(|&&k| k).count());
    }
    let [(_, dissection)] = each.as_slice() else {
        // Several languages: one decode, shown in each.
        if json {
            println!("{}", serde_json::to_string_pretty(&ByLang(&each)).map_err(|e| e.to_string())?);
        } else {
            for (l, d) in &each {
                println!("=== {l}");
                print!("{}", meterscope_core::text::dissection(d, &input.bytes, *l));
            }
        }
        return Ok(if each.iter().all(|(_, d)| d.all_valid()) { 0 } else { 1 });
    };
    if json {
        let v = serde_json::to_string_pretty(dissection).map_err(|e| e.to_string())?;
        println!("{v}");
    } else {
        print!("{}", meterscope_core::text::dissection(dissection, &input.bytes, lang));
    }
    Ok(if dissection.all_valid() { 0 } else { 1 })
}

/// Dissections keyed by language, in the order asked for.
struct ByLang<'a>(&'a [(Lang, meterscope_core::Dissection)]);

impl serde::Serialize for ByLang<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (lang, d) in self.0 {
            map.serialize_entry(lang.code(), d)?;
        }
        map.end()
    }
}

fn read_stdin() -> Result<String, String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(s)
}
