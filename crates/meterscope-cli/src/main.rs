//! `meterscope`: decode meter frames from the command line.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use meterscope_core::protocols::dlt645::simulator::MeterConfig;
use meterscope_core::protocols::dlt645::{Address, Variant};
use meterscope_core::session::{LineSettings, Parity};
use meterscope_core::{Lang, Options, Registry};

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
    Read {
        /// Protocol: dlt645 (DL/T 645-2007), dlt645-1997, dlt698, dlms, qgdw1376.2 (a
        /// concentrator's local communication module), qgdw1376.1 (a terminal),
        /// iec62056-21 (an optical port), dsmr (a P1 port), mbus (wired M-Bus through a
        /// level converter), wmbus (a wireless M-Bus receiver), sml (an SML optical head).
        #[arg(long, short)]
        protocol: String,
        /// Serial device (`/dev/ttyUSB0`, `COM3`).
        #[arg(long, conflicts_with_all = ["tcp", "simulate"])]
        port: Option<String>,
        /// Baud rate of the serial port [default: 2400; IEC 62056-21: 300, the rate to sign on at;
        /// DSMR: set by --dsmr-version].
        #[arg(long)]
        baud: Option<u32>,
        /// Parity of the serial port: N, E or O.
        #[arg(long, default_value = "E")]
        parity: String,
        /// Data bits of the serial port.
        #[arg(long, default_value_t = 8)]
        data_bits: u8,
        /// Stop bits of the serial port.
        #[arg(long, default_value_t = 1)]
        stop_bits: u8,
        /// A TCP serial server or meter: HOST:PORT.
        #[arg(long, conflicts_with = "simulate")]
        tcp: Option<String>,
        /// Talk to the built-in simulated meter.
        #[arg(long)]
        simulate: bool,
        /// Meter address (12 digits); found with a read-address request when omitted.
        /// IEC 62056-21: the device address of the sign-on (none: any meter).
        /// Q/GDW 1376.1: the terminal address RRRR-TTTT.
        #[arg(long)]
        address: Option<String>,
        /// Also read the meter's date and time.
        #[arg(long)]
        clock: bool,
        /// Broadcast the system time (UTC) to every meter first.
        #[arg(long)]
        sync_clock: bool,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Report line notices (echo, noise, retries) on standard error.
        #[arg(long, short)]
        verbose: bool,
        /// Language of names: en or zh.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Reply timeout in milliseconds [default: 1000; IEC 62056-21: 1500].
        #[arg(long)]
        timeout: Option<u64>,
        /// Retransmissions after the first attempt.
        #[arg(long, default_value_t = 2)]
        retries: u8,
        /// FE wake-up bytes before each request (0-4).
        #[arg(long, default_value_t = 4)]
        wake_up: usize,
        #[command(flatten)]
        trace: trace::TraceArgs,
        /// DL/T 698.45: client address CA, 0-255 (`0x10`, `16`).
        #[arg(long, default_value = "0x10", help_heading = "DL/T 698.45")]
        client_address: String,
        /// DL/T 698.45: open an application connection (CONNECT) before reading:
        /// `auto` when the meter asks for one, `always` (`--connect` alone, or
        /// followed by an OAD, which is read), `never`.
        #[arg(long, default_value = "auto", default_missing_value = "always", num_args = 0..=1, help_heading = "DL/T 698.45")]
        connect: String,
        /// DLMS: client SAP (16 public client, 1 management).
        #[arg(long, default_value_t = 16, help_heading = "DLMS")]
        client: u16,
        /// DLMS: server logical address.
        #[arg(long, default_value_t = 1, help_heading = "DLMS")]
        server: u16,
        /// DLMS: server physical HDLC address (0 leaves it out: one-byte addressing).
        #[arg(long, help_heading = "DLMS")]
        server_physical: Option<u16>,
        /// DLMS: the link, `hdlc` or `wrapper` (default: HDLC on a serial port, the wrapper over TCP).
        #[arg(long, help_heading = "DLMS")]
        transport: Option<String>,
        /// DLMS: authentication none, low (password) or high (HLS-GMAC).
        #[arg(long, default_value = "none", help_heading = "DLMS")]
        auth: String,
        /// DLMS: password of low level security; DL/T 698.45: password of the
        /// application connection (PasswordSecurity); IEC 62056-21: programming
        /// mode (mode C) with this password (P1), the registers read with R1.
        #[arg(long, help_heading = "DLMS")]
        password: Option<String>,
        /// DLMS: global cipher key, 32 hex digits (turns on ciphering). DSMR: the key (EK) of
        /// encrypted telegrams (with --simulate the simulated port encrypts with it).
        #[arg(long, help_heading = "DLMS")]
        cipher_key: Option<String>,
        /// DLMS: authentication key, 32 hex digits. DSMR: the key (AK) that checks the tag of
        /// encrypted telegrams.
        #[arg(long, help_heading = "DLMS")]
        auth_key: Option<String>,
        /// DLMS: client system title, 16 hex digits.
        #[arg(long, help_heading = "DLMS")]
        system_title: Option<String>,
        /// DLMS: invocation counter to start from (ciphering; carry it from the last run).
        #[arg(long, default_value_t = 1, help_heading = "DLMS")]
        invocation_counter: u32,
        /// DLMS: dedicated key, 32 hex digits (ded-ciphering; needs the cipher and authentication keys).
        #[arg(long, help_heading = "DLMS")]
        dedicated_key: Option<String>,
        /// DLMS: short-name referencing (for meters that offer short names).
        #[arg(long, help_heading = "DLMS")]
        short_names: bool,
        /// DLMS: HDLC window proposed to the meter (1-7).
        #[arg(long, default_value_t = 1, help_heading = "DLMS")]
        window: u8,
        /// DLMS: read the object list of the association.
        #[arg(long, help_heading = "DLMS")]
        objects: bool,
        /// DLMS: read the load profile 1-0:99.1.0.255 (whole, or --from/--to, or --entries); its line
        /// time is printed next to its wire time.
        #[arg(long, help_heading = "DLMS")]
        profile: bool,
        /// DLMS: read the event log 0-0:99.98.0.255 (whole, or --from/--to, or --entries).
        #[arg(long, help_heading = "DLMS")]
        events: bool,
        /// DLMS: start of the profile range, `YYYY-MM-DD hh:mm`.
        #[arg(long, requires = "to", help_heading = "DLMS")]
        from: Option<String>,
        /// DLMS: end of the profile range, `YYYY-MM-DD hh:mm`.
        #[arg(long, requires = "from", help_heading = "DLMS")]
        to: Option<String>,
        /// DLMS: profile entries `FIRST:LAST` (1 the oldest, LAST 0 the newest).
        #[arg(long, conflicts_with = "from", help_heading = "DLMS")]
        entries: Option<String>,
        /// DLMS: read every attribute of an object, `[CLASS/]OBIS` (repeatable).
        #[arg(long, help_heading = "DLMS")]
        object: Vec<String>,
        /// DLMS: read the firmware identifiers.
        #[arg(long, help_heading = "DLMS")]
        firmware: bool,
        /// DLMS: read the alarm register and the alarm filter.
        #[arg(long, help_heading = "DLMS")]
        alarms: bool,
        /// Q/GDW 1376.2: add the meters named to the module's route (AFN 11 F1) first.
        #[arg(long, help_heading = "Q/GDW 1376")]
        add_nodes: bool,
        /// Q/GDW 1376.2: stay on the line this many milliseconds at the end for the module's reports.
        #[arg(long, default_value_t = 0, help_heading = "Q/GDW 1376")]
        listen: u64,
        /// Q/GDW 1376.1: the explicit confirmation that set and control commands (set-clock) need.
        #[arg(long, help_heading = "Q/GDW 1376")]
        confirm: bool,
        /// IEC 62056-21 mode: A, B, C (readout; programming with --password), D (listen) or E
        /// (hand over to DLMS).
        #[arg(long, default_value = "C", help_heading = "IEC 62056-21 and DSMR")]
        mode: String,
        /// IEC 62056-21: the highest rate to switch to.
        #[arg(long, help_heading = "IEC 62056-21 and DSMR")]
        max_baud: Option<u32>,
        /// IEC 62056-21: settle time t2 before the baud switch, ms (200-1500).
        #[arg(long, default_value_t = 300, help_heading = "IEC 62056-21 and DSMR")]
        settle: u64,
        /// DSMR, wireless M-Bus, SML: telegrams to receive.
        #[arg(long, default_value_t = 1, help_heading = "IEC 62056-21 and DSMR")]
        count: usize,
        /// M-Bus: find the meters on the bus by `primary` address (over --range)
        /// or by `secondary` address (wildcard search from the --address mask, or all).
        #[arg(long, default_missing_value = "primary", num_args = 0..=1, help_heading = "M-Bus")]
        scan: Option<String>,
        /// M-Bus: the primary addresses a scan asks, FIRST-LAST.
        #[arg(long, default_value = "0-250", help_heading = "M-Bus")]
        range: String,
        /// DSMR version: 5, 4 (115200 8N1) or 3, 2.2 (9600 7E1).
        #[arg(long, default_value = "5", help_heading = "IEC 62056-21 and DSMR")]
        dsmr_version: String,
        /// A named quantity, read from whatever protocol the meter speaks (repeatable):
        /// active-energy-import, active-energy-export, reactive-energy-import,
        /// reactive-energy-export, voltage, current, active-power, reactive-power, power-factor,
        /// frequency, clock, daily-freezes. With --json: DTU-style readings (meter, quantity,
        /// value, unit, timestamp).
        #[arg(long, value_name = "NAME", conflicts_with_all = ["dis", "clock", "sync_clock", "objects", "profile", "events", "object", "firmware", "alarms"])]
        quantity: Vec<String>,
        /// Data identifiers: 8 hex digits (2007, `00010000`) or 4 (1997, `9010`); DL/T 698.45:
        /// OADs; DLMS: OBIS[:attr]; Q/GDW 1376: targets (see the docs); IEC 62056-21: registers
        /// to read in programming mode (`1.8.0`, `1-0:32.7.0`).
        dis: Vec<String>,
    },
    /// Serve a simulated meter on a serial or TCP port (until stopped).
    Simulate {
        /// Protocol: dlt645, dlt698, dlms, qgdw1376.2 (a local communication module with
        /// meters behind it), qgdw1376.1 (a terminal), iec62056-21 (an optical port), dsmr (a
        /// P1 port).
        #[arg(long, short)]
        protocol: String,
        /// Serial device to serve on.
        #[arg(long, required_unless_present = "tcp", conflicts_with = "tcp")]
        port: Option<String>,
        /// TCP port to serve on: PORT (127.0.0.1) or HOST:PORT; one client at a time.
        #[arg(long)]
        tcp: Option<String>,
        #[arg(long, default_value_t = 2400)]
        baud: u32,
        #[arg(long, default_value = "E")]
        parity: String,
        /// The simulated meter's address (12 digits).
        #[arg(long, default_value = "123456789012")]
        address: String,
        /// Seed of the simulated meter's values.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Most data bytes per reply; smaller values force follow-up frames.
        #[arg(long, default_value_t = 200)]
        max_data: usize,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<u64>,
        /// DLMS: largest HDLC window the simulated meter accepts (1-7).
        #[arg(long, default_value_t = 1, help_heading = "DLMS")]
        window: u8,
        /// DLMS: offer general block transfer with this window of blocks.
        #[arg(long, help_heading = "DLMS")]
        gbt_window: Option<u8>,
        /// DLMS: short-name referencing (Association SN) instead of logical names.
        #[arg(long, help_heading = "DLMS")]
        short_names: bool,
        /// DLMS: days of 15-minute entries in the load profile.
        #[arg(long, default_value_t = 2, help_heading = "DLMS")]
        profile_days: u32,
        /// DLMS: the link, `hdlc` or `wrapper` (default: HDLC on a serial port, the wrapper on TCP).
        #[arg(long, help_heading = "DLMS")]
        transport: Option<String>,
        /// DL/T 698.45: answer only inside an application connection (CONNECT).
        #[arg(long, help_heading = "DL/T 698.45")]
        require_connect: bool,
        /// DL/T 698.45: the connection password the meter checks (implies --require-connect).
        /// IEC 62056-21: the password of programming mode [default: 00000000].
        #[arg(long, help_heading = "DL/T 698.45")]
        password: Option<String>,
        /// Q/GDW 1376.2: the module raises a meter event report after this many route forwards (0: never).
        #[arg(long, default_value_t = 0, help_heading = "Q/GDW 1376")]
        report_after: u32,
        /// Q/GDW 1376.1: the simulated terminal's address, RRRR-TTTT.
        #[arg(long, help_heading = "Q/GDW 1376")]
        terminal: Option<String>,
        /// IEC 62056-21: the optical meter's mode, A, B or C (C also answers mode E).
        #[arg(long, default_value = "C", help_heading = "IEC 62056-21")]
        mode: String,
        /// IEC 62056-21: the highest baud rate the optical meter offers.
        #[arg(long, default_value_t = 9600, help_heading = "IEC 62056-21")]
        max_baud: u32,
        /// IEC 62056-21: reaction time before each reply, ms (longer than the reader's settle time).
        #[arg(long, default_value_t = 400, help_heading = "IEC 62056-21")]
        reaction: u64,
    },
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
        Command::Read {
            protocol,
            port,
            baud,
            parity,
            data_bits,
            stop_bits,
            tcp,
            simulate,
            address,
            clock,
            sync_clock,
            json,
            verbose,
            lang,
            timeout,
            retries,
            wake_up,
            trace,
            client_address,
            connect,
            client,
            server,
            server_physical,
            transport,
            auth,
            password,
            cipher_key,
            auth_key,
            system_title,
            invocation_counter,
            dedicated_key,
            short_names,
            window,
            objects,
            profile,
            events,
            from,
            to,
            entries,
            object,
            firmware,
            alarms,
            add_nodes,
            listen,
            confirm,
            mode,
            max_baud,
            settle,
            count,
            dsmr_version,
            scan,
            range,
            quantity,
            dis,
        } => {
            if let Some(family) = read_mbus::family(&protocol) {
                if !quantity.is_empty() {
                    return exit(Err(format!("--quantity does not read {family} meters")));
                }
                return exit(read_mbus::run_read(
                    family,
                    read_mbus::ReadArgs {
                        port,
                        tcp,
                        simulate,
                        baud,
                        address,
                        scan,
                        range,
                        count,
                        cipher_key,
                        retries,
                        timeout,
                        json,
                        verbose,
                        lang,
                        trace,
                    },
                ));
            }
            let lang_of = |l: &str| l.parse::<Lang>().unwrap_or_default();
            // Named quantities, checked against the protocol's family before any port is opened.
            let family = match protocol.as_str() {
                "dlt645" | "dlt645-2007" => Some(meterscope_core::quantity::Family::Dlt645),
                "dlt645-1997" => Some(meterscope_core::quantity::Family::Dlt645v1997),
                "dlt698" => Some(meterscope_core::quantity::Family::Dlt698),
                "dlms" => Some(meterscope_core::quantity::Family::Dlms),
                p => match read_iec::family(p) {
                    Some(read_iec::IEC) => Some(meterscope_core::quantity::Family::Iec62056),
                    Some(_) => Some(meterscope_core::quantity::Family::Dsmr),
                    None => None,
                },
            };
            let quantities = match (family, quantity.is_empty()) {
                (_, true) => Vec::new(),
                (Some(f), false) => match quantity::parse(&quantity, f, lang_of(&lang)) {
                    Ok(q) => q,
                    Err(e) => return exit(Err(e)),
                },
                (None, false) => {
                    return exit(Err(format!(
                        "--quantity reads dlt645, dlt645-1997, dlt698, dlms, iec62056-21 and dsmr meters, not '{protocol}'"
                    )));
                }
            };
            if let Some(family) = read_iec::family(&protocol) {
                return exit(read_iec::run_read(
                    family,
                    read_iec::ReadArgs {
                        mode,
                        port,
                        tcp,
                        simulate,
                        address: address.unwrap_or_default(),
                        baud: baud.unwrap_or(300),
                        max_baud,
                        settle,
                        timeout: timeout.unwrap_or(1500),
                        retries,
                        password,
                        count,
                        dsmr_version,
                        cipher_key,
                        auth_key,
                        json,
                        verbose,
                        lang,
                        trace,
                        registers: dis,
                        quantities,
                    },
                ));
            }
            let (baud, timeout) = (baud.unwrap_or(2400), timeout.unwrap_or(1000));
            if protocol == "qgdw1376.2" || protocol == "qgdw1376.1" {
                let args = read_qgdw1376::Args {
                    port,
                    baud,
                    parity,
                    data_bits,
                    stop_bits,
                    tcp,
                    simulate,
                    address,
                    json,
                    verbose,
                    lang,
                    timeout,
                    retries,
                    add_nodes,
                    listen,
                    confirm,
                    trace,
                    targets: dis,
                };
                return exit(if protocol == "qgdw1376.2" {
                    read_qgdw1376::run_read_2(args)
                } else {
                    read_qgdw1376::run_read_1(args)
                });
            }
            if protocol == "dlms" {
                return exit(read_dlms::run_read(read_dlms::Args {
                    port,
                    baud,
                    parity,
                    data_bits,
                    stop_bits,
                    tcp,
                    simulate,
                    client,
                    server,
                    server_physical,
                    transport,
                    auth,
                    password,
                    cipher_key,
                    auth_key,
                    system_title,
                    invocation_counter,
                    dedicated_key,
                    short_names,
                    window,
                    clock,
                    objects,
                    profile,
                    events,
                    from,
                    to,
                    entries,
                    object,
                    firmware,
                    alarms,
                    json,
                    verbose,
                    lang,
                    timeout,
                    retries,
                    trace,
                    targets: dis,
                    quantities,
                }));
            }
            if protocol == "dlt698" {
                return exit(read_dlt698::run_read(read_dlt698::Args {
                    port,
                    baud,
                    parity,
                    data_bits,
                    stop_bits,
                    tcp,
                    simulate,
                    address,
                    json,
                    verbose,
                    lang,
                    timeout,
                    retries,
                    wake_up,
                    client_address,
                    connect,
                    password,
                    trace,
                    oads: dis,
                    quantities,
                }));
            }
            let job = (|| {
                let variant = variant(&protocol)?;
                let target = match (port, tcp, simulate) {
                    (Some(path), None, false) => {
                        let parity =
                            Parity::parse(&parity).ok_or_else(|| format!("parity '{parity}' is not N, E or O"))?;
                        if !(5..=8).contains(&data_bits) || !(1..=2).contains(&stop_bits) || baud == 0 {
                            return Err("unusable line settings".to_string());
                        }
                        read::Target::Port { path, line: LineSettings::new(baud, data_bits, parity, stop_bits) }
                    }
                    (None, Some(addr), false) => read::Target::Tcp(addr),
                    (None, None, true) => read::Target::Simulate,
                    _ => return Err("give one of --port DEVICE, --tcp HOST:PORT or --simulate".to_string()),
                };
                let address = match address {
                    Some(a) => Some(Address::parse(&a).ok_or_else(|| format!("'{a}' is not a 12-digit address"))?),
                    None => None,
                };
                let dis = read::parse_dis(&dis, variant)?;
                if dis.is_empty() && !clock && !sync_clock && quantities.is_empty() {
                    return Err("nothing to read: give data identifiers, --clock or --sync-clock".to_string());
                }
                let lang: Lang = lang.parse()?;
                Ok(read::ReadJob {
                    variant,
                    target,
                    address,
                    dis,
                    clock,
                    sync_clock,
                    json,
                    verbose,
                    lang,
                    timeout,
                    retries,
                    wake_up: wake_up.min(4),
                    trace,
                    quantities,
                })
            })();
            exit(job.and_then(read::run_read))
        }
        Command::Simulate {
            protocol,
            port,
            tcp,
            baud,
            parity,
            address,
            seed,
            max_data,
            seconds,
            window,
            gbt_window,
            short_names,
            profile_days,
            transport,
            require_connect,
            password,
            report_after,
            terminal,
            mode,
            max_baud,
            reaction,
        } => {
            if let Some(family) = read_mbus::family(&protocol) {
                return exit(read_mbus::run_simulate(family, port.as_deref(), tcp.as_deref(), seconds));
            }
            if let Some(family) = read_iec::family(&protocol) {
                return exit(read_iec::run_simulate(
                    family,
                    read_iec::SimulateArgs {
                        port,
                        tcp,
                        mode,
                        max_baud,
                        password: password.unwrap_or_else(|| "00000000".to_string()),
                        seed,
                        reaction,
                        seconds,
                    },
                ));
            }
            if protocol == "qgdw1376.2" || protocol == "qgdw1376.1" {
                return exit(read_qgdw1376::run_simulate(read_qgdw1376::SimulateArgs {
                    part: if protocol == "qgdw1376.2" { 2 } else { 1 },
                    port,
                    tcp,
                    baud,
                    parity,
                    seed,
                    address: terminal,
                    report_after,
                    seconds,
                }));
            }
            if protocol == "dlms" {
                let meter = read_dlms::SimulateArgs { seed, window, gbt_window, short_names, profile_days, transport };
                return exit(read_dlms::run_simulate(port.as_deref(), tcp.as_deref(), baud, &parity, meter, seconds));
            }
            if protocol == "dlt698" {
                return exit(read_dlt698::run_simulate(read_dlt698::SimulateArgs {
                    port,
                    tcp,
                    baud,
                    parity,
                    address,
                    seed,
                    max_frame: max_data,
                    seconds,
                    require_connect,
                    password,
                }));
            }
            let run = (|| {
                if variant(&protocol)? != Variant::V2007 && protocol != "dlt645" {
                    return Err("the simulated meter answers both editions: use --protocol dlt645".to_string());
                }
                let parity = Parity::parse(&parity).ok_or_else(|| format!("parity '{parity}' is not N, E or O"))?;
                let address =
                    Address::parse(&address).ok_or_else(|| format!("'{address}' is not a 12-digit address"))?;
                let meter = MeterConfig { address, seed, max_data: max_data.clamp(1, 200), ..MeterConfig::default() };
                read::run_simulate(
                    port.as_deref(),
                    tcp.as_deref(),
                    LineSettings::new(baud, 8, parity, 1),
                    meter,
                    seconds,
                )
            })();
            exit(run)
        }
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

/// The DL/T 645 edition a protocol name asks for.
fn variant(protocol: &str) -> Result<Variant, String> {
    match protocol {
        "dlt645" | "dlt645-2007" => Ok(Variant::V2007),
        "dlt645-1997" => Ok(Variant::V1997),
        other => Err(format!("reading is available for dlt645 and dlt645-1997, not '{other}'")),
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
