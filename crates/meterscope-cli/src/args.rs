//! The options of `meterscope read` and `meterscope simulate` (clap), one
//! set for every protocol family: each family's runner takes them whole and
//! picks what it uses. Here too: which runner a protocol goes to, the way to
//! the meter (`--port`, `--tcp`, `--simulate`) and the serial line.

use meterscope_core::Lang;
use meterscope_core::quantity::Family;
use meterscope_core::session::{LineSettings, Parity};

use crate::trace::TraceArgs;
use crate::transport::{Serial, Tcp, Transport};
use crate::{quantity, read, read_dlms, read_dlt698, read_iec, read_mbus, read_qgdw1376};

/// What `meterscope read` was given.
#[derive(clap::Args)]
pub struct ReadArgs {
    /// Protocol: dlt645 (DL/T 645-2007), dlt645-1997, dlt698, dlms, qgdw1376.2 (a
    /// concentrator's local communication module), qgdw1376.1 (a terminal),
    /// iec62056-21 (an optical port), dsmr (a P1 port), mbus (wired M-Bus through a
    /// level converter), wmbus (a wireless M-Bus receiver), sml (an SML optical head).
    #[arg(long, short)]
    pub protocol: String,
    #[command(flatten)]
    pub link: LinkArgs,
    /// Meter address (12 digits); found with a read-address request when omitted.
    /// IEC 62056-21: the device address of the sign-on (none: any meter).
    /// Q/GDW 1376.1: the terminal address RRRR-TTTT.
    #[arg(long)]
    pub address: Option<String>,
    /// Also read the meter's date and time.
    #[arg(long)]
    pub clock: bool,
    /// Broadcast the system time (UTC) to every meter first.
    #[arg(long)]
    pub sync_clock: bool,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Report line notices (echo, noise, retries) on standard error.
    #[arg(long, short)]
    pub verbose: bool,
    /// Language of names: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Reply timeout in milliseconds [default: 1000; IEC 62056-21: 1500].
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Retransmissions after the first attempt.
    #[arg(long, default_value_t = 2)]
    pub retries: u8,
    /// FE wake-up bytes before each request (0-4).
    #[arg(long, default_value_t = 4)]
    pub wake_up: usize,
    #[command(flatten)]
    pub trace: TraceArgs,
    /// DL/T 698.45: client address CA, 0-255 (`0x10`, `16`).
    #[arg(long, default_value = "0x10", help_heading = "DL/T 698.45")]
    pub client_address: String,
    /// DL/T 698.45: open an application connection (CONNECT) before reading:
    /// `auto` when the meter asks for one, `always` (`--connect` alone, or
    /// followed by an OAD, which is read), `never`.
    #[arg(long, default_value = "auto", default_missing_value = "always", num_args = 0..=1, help_heading = "DL/T 698.45")]
    pub connect: String,
    /// DLMS: client SAP (16 public client, 1 management).
    #[arg(long, default_value_t = 16, help_heading = "DLMS")]
    pub client: u16,
    /// DLMS: server logical address.
    #[arg(long, default_value_t = 1, help_heading = "DLMS")]
    pub server: u16,
    /// DLMS: server physical HDLC address (0 leaves it out: one-byte addressing).
    #[arg(long, help_heading = "DLMS")]
    pub server_physical: Option<u16>,
    /// DLMS: the link, `hdlc` or `wrapper` (default: HDLC on a serial port, the wrapper over TCP).
    #[arg(long, help_heading = "DLMS")]
    pub transport: Option<String>,
    /// DLMS: authentication none, low (password) or high (HLS-GMAC).
    #[arg(long, default_value = "none", help_heading = "DLMS")]
    pub auth: String,
    /// DLMS: password of low level security; DL/T 698.45: password of the
    /// application connection (PasswordSecurity); IEC 62056-21: programming
    /// mode (mode C) with this password (P1), the registers read with R1.
    #[arg(long, help_heading = "DLMS")]
    pub password: Option<String>,
    /// DLMS: global cipher key, 32 hex digits (turns on ciphering). DSMR: the key (EK) of
    /// encrypted telegrams (with --simulate the simulated port encrypts with it).
    #[arg(long, help_heading = "DLMS")]
    pub cipher_key: Option<String>,
    /// DLMS: authentication key, 32 hex digits. DSMR: the key (AK) that checks the tag of
    /// encrypted telegrams.
    #[arg(long, help_heading = "DLMS")]
    pub auth_key: Option<String>,
    /// DLMS: client system title, 16 hex digits.
    #[arg(long, help_heading = "DLMS")]
    pub system_title: Option<String>,
    /// DLMS: invocation counter to start from (ciphering; carry it from the last run).
    #[arg(long, default_value_t = 1, help_heading = "DLMS")]
    pub invocation_counter: u32,
    /// DLMS: dedicated key, 32 hex digits (ded-ciphering; needs the cipher and authentication keys).
    #[arg(long, help_heading = "DLMS")]
    pub dedicated_key: Option<String>,
    /// DLMS: short-name referencing (for meters that offer short names).
    #[arg(long, help_heading = "DLMS")]
    pub short_names: bool,
    /// DLMS: HDLC window proposed to the meter (1-7).
    #[arg(long, default_value_t = 1, help_heading = "DLMS")]
    pub window: u8,
    /// DLMS: read the object list of the association.
    #[arg(long, help_heading = "DLMS")]
    pub objects: bool,
    /// DLMS: read the load profile 1-0:99.1.0.255 (whole, or --from/--to, or --entries); its line
    /// time is printed next to its wire time.
    #[arg(long, help_heading = "DLMS")]
    pub profile: bool,
    /// DLMS: read the event log 0-0:99.98.0.255 (whole, or --from/--to, or --entries).
    #[arg(long, help_heading = "DLMS")]
    pub events: bool,
    /// DLMS: start of the profile range, `YYYY-MM-DD hh:mm`.
    #[arg(long, requires = "to", help_heading = "DLMS")]
    pub from: Option<String>,
    /// DLMS: end of the profile range, `YYYY-MM-DD hh:mm`.
    #[arg(long, requires = "from", help_heading = "DLMS")]
    pub to: Option<String>,
    /// DLMS: profile entries `FIRST:LAST` (1 the oldest, LAST 0 the newest).
    #[arg(long, conflicts_with = "from", help_heading = "DLMS")]
    pub entries: Option<String>,
    /// DLMS: read every attribute of an object, `[CLASS/]OBIS` (repeatable).
    #[arg(long, help_heading = "DLMS")]
    pub object: Vec<String>,
    /// DLMS: read the firmware identifiers.
    #[arg(long, help_heading = "DLMS")]
    pub firmware: bool,
    /// DLMS: read the alarm register and the alarm filter.
    #[arg(long, help_heading = "DLMS")]
    pub alarms: bool,
    /// Q/GDW 1376.2: add the meters named to the module's route (AFN 11 F1) first.
    #[arg(long, help_heading = "Q/GDW 1376")]
    pub add_nodes: bool,
    /// Q/GDW 1376.2: stay on the line this many milliseconds at the end for the module's reports.
    #[arg(long, default_value_t = 0, help_heading = "Q/GDW 1376")]
    pub listen: u64,
    /// Q/GDW 1376.1: the explicit confirmation that set and control commands (set-clock) need.
    #[arg(long, help_heading = "Q/GDW 1376")]
    pub confirm: bool,
    /// IEC 62056-21 mode: A, B, C (readout; programming with --password), D (listen) or E
    /// (hand over to DLMS).
    #[arg(long, default_value = "C", help_heading = "IEC 62056-21 and DSMR")]
    pub mode: String,
    /// IEC 62056-21: the highest rate to switch to.
    #[arg(long, help_heading = "IEC 62056-21 and DSMR")]
    pub max_baud: Option<u32>,
    /// IEC 62056-21: settle time t2 before the baud switch, ms (200-1500).
    #[arg(long, default_value_t = 300, help_heading = "IEC 62056-21 and DSMR")]
    pub settle: u64,
    /// DSMR, wireless M-Bus, SML: telegrams to receive.
    #[arg(long, default_value_t = 1, help_heading = "IEC 62056-21 and DSMR")]
    pub count: usize,
    /// M-Bus: find the meters on the bus by `primary` address (over --range)
    /// or by `secondary` address (wildcard search from the --address mask, or all).
    #[arg(long, default_missing_value = "primary", num_args = 0..=1, help_heading = "M-Bus")]
    pub scan: Option<String>,
    /// M-Bus: the primary addresses a scan asks, FIRST-LAST.
    #[arg(long, default_value = "0-250", help_heading = "M-Bus")]
    pub range: String,
    /// DSMR version: 5, 4 (115200 8N1) or 3, 2.2 (9600 7E1).
    #[arg(long, default_value = "5", help_heading = "IEC 62056-21 and DSMR")]
    pub dsmr_version: String,
    /// A named quantity, read from whatever protocol the meter speaks (repeatable):
    /// active-energy-import, active-energy-export, reactive-energy-import,
    /// reactive-energy-export, voltage, current, active-power, reactive-power, power-factor,
    /// frequency, clock, daily-freezes. With --json: DTU-style readings (meter, quantity,
    /// value, unit, timestamp).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["dis", "clock", "sync_clock", "objects", "profile", "events", "object", "firmware", "alarms"])]
    pub quantity: Vec<String>,
    /// Data identifiers: 8 hex digits (2007, `00010000`) or 4 (1997, `9010`); DL/T 698.45:
    /// OADs; DLMS: OBIS[:attr]; Q/GDW 1376: targets (see the docs); IEC 62056-21: registers
    /// to read in programming mode (`1.8.0`, `1-0:32.7.0`).
    pub dis: Vec<String>,
}

/// How `read` reaches the meter: a serial port and its line, TCP or the simulated meter.
#[derive(clap::Args, Clone, Debug)]
pub struct LinkArgs {
    /// Serial device (`/dev/ttyUSB0`, `COM3`).
    #[arg(long, conflicts_with_all = ["tcp", "simulate"])]
    pub port: Option<String>,
    /// Baud rate of the serial port [default: 2400; IEC 62056-21: 300, the rate to sign on at;
    /// DSMR: set by --dsmr-version].
    #[arg(long)]
    pub baud: Option<u32>,
    /// Parity of the serial port: N, E or O.
    #[arg(long, default_value = "E")]
    pub parity: String,
    /// Data bits of the serial port.
    #[arg(long, default_value_t = 8)]
    pub data_bits: u8,
    /// Stop bits of the serial port.
    #[arg(long, default_value_t = 1)]
    pub stop_bits: u8,
    /// A TCP serial server or meter: HOST:PORT.
    #[arg(long, conflicts_with = "simulate")]
    pub tcp: Option<String>,
    /// Talk to the built-in simulated meter.
    #[arg(long)]
    pub simulate: bool,
}

/// What `meterscope simulate` was given.
#[derive(clap::Args)]
pub struct SimulateArgs {
    /// Protocol: dlt645, dlt698, dlms, qgdw1376.2 (a local communication module with
    /// meters behind it), qgdw1376.1 (a terminal), iec62056-21 (an optical port), dsmr (a
    /// P1 port).
    #[arg(long, short)]
    pub protocol: String,
    /// Serial device to serve on.
    #[arg(long, required_unless_present = "tcp", conflicts_with = "tcp")]
    pub port: Option<String>,
    /// TCP port to serve on: PORT (127.0.0.1) or HOST:PORT; one client at a time.
    #[arg(long)]
    pub tcp: Option<String>,
    #[arg(long, default_value_t = 2400)]
    pub baud: u32,
    #[arg(long, default_value = "E")]
    pub parity: String,
    /// The simulated meter's address (12 digits).
    #[arg(long, default_value = "123456789012")]
    pub address: String,
    /// Seed of the simulated meter's values.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Most data bytes per reply; smaller values force follow-up frames.
    #[arg(long, default_value_t = 200)]
    pub max_data: usize,
    /// Stop after this many seconds.
    #[arg(long)]
    pub seconds: Option<u64>,
    /// DLMS: largest HDLC window the simulated meter accepts (1-7).
    #[arg(long, default_value_t = 1, help_heading = "DLMS")]
    pub window: u8,
    /// DLMS: offer general block transfer with this window of blocks.
    #[arg(long, help_heading = "DLMS")]
    pub gbt_window: Option<u8>,
    /// DLMS: short-name referencing (Association SN) instead of logical names.
    #[arg(long, help_heading = "DLMS")]
    pub short_names: bool,
    /// DLMS: days of 15-minute entries in the load profile.
    #[arg(long, default_value_t = 2, help_heading = "DLMS")]
    pub profile_days: u32,
    /// DLMS: the link, `hdlc` or `wrapper` (default: HDLC on a serial port, the wrapper on TCP).
    #[arg(long, help_heading = "DLMS")]
    pub transport: Option<String>,
    /// DL/T 698.45: answer only inside an application connection (CONNECT).
    #[arg(long, help_heading = "DL/T 698.45")]
    pub require_connect: bool,
    /// DL/T 698.45: the connection password the meter checks (implies --require-connect).
    /// IEC 62056-21: the password of programming mode [default: 00000000].
    #[arg(long, help_heading = "DL/T 698.45")]
    pub password: Option<String>,
    /// Q/GDW 1376.2: the module raises a meter event report after this many route forwards (0: never).
    #[arg(long, default_value_t = 0, help_heading = "Q/GDW 1376")]
    pub report_after: u32,
    /// Q/GDW 1376.1: the simulated terminal's address, RRRR-TTTT.
    #[arg(long, help_heading = "Q/GDW 1376")]
    pub terminal: Option<String>,
    /// IEC 62056-21: the optical meter's mode, A, B or C (C also answers mode E).
    #[arg(long, default_value = "C", help_heading = "IEC 62056-21")]
    pub mode: String,
    /// IEC 62056-21: the highest baud rate the optical meter offers.
    #[arg(long, default_value_t = 9600, help_heading = "IEC 62056-21")]
    pub max_baud: u32,
    /// IEC 62056-21: reaction time before each reply, ms (longer than the reader's settle time).
    #[arg(long, default_value_t = 400, help_heading = "IEC 62056-21")]
    pub reaction: u64,
}

const NO_WAY: &str = "give one of --port DEVICE, --tcp HOST:PORT or --simulate";

/// `--parity` as typed: N, E or O.
pub fn parity(text: &str) -> Result<Parity, String> {
    Parity::parse(text).ok_or_else(|| format!("parity '{text}' is not N, E or O"))
}

/// Serial line settings as given, checked.
pub fn serial_line(baud: u32, parity_text: &str, data_bits: u8, stop_bits: u8) -> Result<LineSettings, String> {
    let parity = parity(parity_text)?;
    if !(5..=8).contains(&data_bits) || !(1..=2).contains(&stop_bits) || baud == 0 {
        return Err("unusable line settings".to_string());
    }
    Ok(LineSettings::new(baud, data_bits, parity, stop_bits))
}

impl LinkArgs {
    /// The serial line of `--baud` (`baud` when not given), `--parity`, `--data-bits` and `--stop-bits`.
    pub fn serial_line(&self, baud: u32) -> Result<LineSettings, String> {
        serial_line(self.baud.unwrap_or(baud), &self.parity, self.data_bits, self.stop_bits)
    }

    /// The line of a read: the serial line on a port (`baud` when `--baud` is
    /// not given), `other` over TCP or in process.
    pub fn line_or(&self, baud: u32, other: LineSettings) -> Result<LineSettings, String> {
        match (&self.port, &self.tcp, self.simulate) {
            (Some(_), None, false) => self.serial_line(baud),
            (None, Some(_), false) | (None, None, true) => Ok(other),
            _ => Err(NO_WAY.to_string()),
        }
    }

    /// Open the port (at `line`), connect, or make the simulated meter.
    pub fn open<'a>(
        &self,
        line: LineSettings,
        meter: impl FnOnce() -> Box<dyn Transport + 'a>,
    ) -> Result<Box<dyn Transport + 'a>, String> {
        Ok(match (&self.port, &self.tcp, self.simulate) {
            (Some(path), None, false) => Box::new(Serial::open(path, line)?),
            (None, Some(addr), false) => Box::new(Tcp::connect(addr)?),
            (None, None, true) => meter(),
            _ => return Err(NO_WAY.to_string()),
        })
    }

    /// How the trace names the line: `9600 8E1`, `tcp HOST:PORT`, `simulated meter, 9600 8E1`.
    pub fn line_name(&self, line: LineSettings) -> String {
        match (&self.tcp, self.simulate) {
            (Some(addr), _) => format!("tcp {addr}"),
            (None, true) => format!("simulated meter, {line}"),
            (None, false) => line.to_string(),
        }
    }
}

impl SimulateArgs {
    /// `--baud` and `--parity`, 8 data bits, 1 stop bit.
    pub fn line(&self) -> Result<LineSettings, String> {
        Ok(LineSettings::new(self.baud, 8, parity(&self.parity)?, 1))
    }
}

/// Run `meterscope read` with the runner of the protocol's family.
pub fn read(a: ReadArgs) -> Result<u8, String> {
    if let Some(family) = read_mbus::family(&a.protocol) {
        if !a.quantity.is_empty() {
            return Err(format!("--quantity does not read {family} meters"));
        }
        return read_mbus::run_read(family, &a);
    }
    // Named quantities, checked against the protocol's family before any port is opened.
    let family = match a.protocol.as_str() {
        "dlt645" | "dlt645-2007" => Some(Family::Dlt645),
        "dlt645-1997" => Some(Family::Dlt645v1997),
        "dlt698" => Some(Family::Dlt698),
        "dlms" => Some(Family::Dlms),
        p => match read_iec::family(p) {
            Some(read_iec::IEC) => Some(Family::Iec62056),
            Some(_) => Some(Family::Dsmr),
            None => None,
        },
    };
    let quantities = match (family, a.quantity.is_empty()) {
        (_, true) => Vec::new(),
        (Some(f), false) => quantity::parse(&a.quantity, f, a.lang.parse::<Lang>().unwrap_or_default())?,
        (None, false) => {
            return Err(format!(
                "--quantity reads dlt645, dlt645-1997, dlt698, dlms, iec62056-21 and dsmr meters, not '{}'",
                a.protocol
            ));
        }
    };
    if let Some(family) = read_iec::family(&a.protocol) {
        return read_iec::run_read(family, &a, quantities);
    }
    match a.protocol.as_str() {
        "qgdw1376.2" => read_qgdw1376::run_read_2(&a),
        "qgdw1376.1" => read_qgdw1376::run_read_1(&a),
        "dlms" => read_dlms::run_read(&a, quantities),
        "dlt698" => read_dlt698::run_read(&a, quantities),
        p => read::run_read(&a, read::variant(p)?, quantities),
    }
}

/// Run `meterscope simulate` with the runner of the protocol's family.
pub fn simulate(a: SimulateArgs) -> Result<u8, String> {
    if let Some(family) = read_mbus::family(&a.protocol) {
        return read_mbus::run_simulate(family, &a);
    }
    if let Some(family) = read_iec::family(&a.protocol) {
        return read_iec::run_simulate(family, &a);
    }
    match a.protocol.as_str() {
        "qgdw1376.2" => read_qgdw1376::run_simulate(2, &a),
        "qgdw1376.1" => read_qgdw1376::run_simulate(1, &a),
        "dlms" => read_dlms::run_simulate(&a),
        "dlt698" => read_dlt698::run_simulate(&a),
        _ => read::run_simulate(&a),
    }
}
