//! The simulated meters of the core as a WebAssembly module, loaded by the
//! reader page when a demo meter is first used (so the app itself carries no
//! simulator), and by the end-to-end tests behind a fake Web Serial port
//! (`www/sim/port.js`), so that the real serial code talks to the same meters.
//!
//! A [`Meter`] is sans-IO like the core's: bytes in at a time, bytes out, the
//! line settings it listens with. The caller keeps the clock.

use meterscope_core::protocols::dlt698::simulator::{Dlt698Meter, ReportKind};
use meterscope_core::protocols::iec62056::session::Mode;
use meterscope_core::protocols::{dlms, dlt645, dlt698, iec62056, mbus, qgdw1376, sml};
use meterscope_core::session::{LineSettings, Millis, Parity, SimulatedMeter};
use wasm_bindgen::prelude::*;

enum Inner {
    Dlt698(Box<Dlt698Meter>),
    Other(Box<dyn SimulatedMeter>),
}

fn wire_ms(line: &LineSettings, bytes: u32) -> f64 {
    f64::from(bytes) * f64::from(line.bits_per_char()) * 1000.0 / f64::from(line.baud.max(1))
}

/// Milliseconds `bytes` bytes take on a line of `baud` with `data_bits`,
/// `parity` (`none`, `odd`, `even`: Web Serial's names) and `stop_bits`: the
/// core's line model, for a port whose settings are not a meter's.
#[wasm_bindgen(js_name = lineMs)]
pub fn line_ms(bytes: u32, baud: u32, data_bits: u8, parity: &str, stop_bits: u8) -> f64 {
    let parity = match parity {
        "odd" => Parity::Odd,
        "even" => Parity::Even,
        _ => Parity::None,
    };
    wire_ms(&LineSettings::new(baud, data_bits, parity, stop_bits), bytes)
}

/// One simulated meter.
#[wasm_bindgen]
pub struct Meter {
    inner: Inner,
}

fn mode(letter: &str) -> Result<Mode, JsError> {
    match letter {
        "A" => Ok(Mode::A),
        "B" => Ok(Mode::B),
        "" | "C" | "E" => Ok(Mode::C),
        other => Err(JsError::new(&format!("IEC 62056-21 demo meter: mode {other} (A, B, C or E)"))),
    }
}

#[wasm_bindgen]
impl Meter {
    /// A meter of `kind`: `dlt645`, `dlt698`, `dlms`, `iec62056` (optical port;
    /// `option` is the mode A, B or C, E offered by C), `dsmr` (a P1 port),
    /// `qgdw1376.2` (a carrier module with meters behind it) or `qgdw1376.1`
    /// (a concentrator), `mbus` (two meters on a wired M-Bus), `wmbus` (a
    /// wireless M-Bus receiver) or `sml` (an SML optical interface).
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, option: Option<String>) -> Result<Meter, JsError> {
        let option = option.unwrap_or_default();
        let inner = match kind {
            "dlt645" => Inner::Other(Box::new(dlt645::simulator::Dlt645Meter::new(Default::default()))),
            "dlt698" => Inner::Dlt698(Box::new(Dlt698Meter::new(dlt698::simulator::MeterConfig::default()))),
            "dlms" => Inner::Other(Box::new(dlms::simulator::DlmsMeter::new(Default::default()))),
            "iec62056" => {
                let cfg = iec62056::simulator::MeterConfig {
                    mode: mode(&option)?,
                    ..iec62056::simulator::MeterConfig::default()
                };
                Inner::Other(Box::new(iec62056::simulator::OpticalMeter::new(cfg)))
            }
            "dsmr" => Inner::Other(Box::new(iec62056::simulator::P1Meter::new(Default::default()))),
            // A carrier module with a DL/T 645 and a DL/T 698.45 meter behind
            // it; it reports a meter event after two route forwards.
            "qgdw1376.2" => Inner::Other(Box::new(qgdw1376::module::Module::new(qgdw1376::module::ModuleConfig {
                report_after: Some(2),
                ..Default::default()
            }))),
            // A concentrator (terminal) that logs in when the line opens.
            "qgdw1376.1" => {
                Inner::Other(Box::new(qgdw1376::terminal::Terminal::new(qgdw1376::terminal::TerminalConfig {
                    login: true,
                    ..Default::default()
                })))
            }
            // Two M-Bus meters (a heat meter at primary address 1, a water meter at 5).
            "mbus" => Inner::Other(Box::new(mbus::simulator::MbusBus::new(Default::default()))),
            // A wireless M-Bus receiver hearing a mode 5 water meter and a plain heat meter.
            "wmbus" => Inner::Other(Box::new(mbus::wireless::simulator::WmbusAir::new(Default::default()))),
            // An SML meter's optical interface: a file every second.
            "sml" => Inner::Other(Box::new(sml::simulator::SmlMeter::new(Default::default()))),
            other => return Err(JsError::new(&format!("no simulated meter of kind {other}"))),
        };
        Ok(Meter { inner })
    }

    fn meter(&mut self) -> &mut dyn SimulatedMeter {
        match &mut self.inner {
            Inner::Dlt698(m) => m.as_mut(),
            Inner::Other(m) => m.as_mut(),
        }
    }

    /// Bytes the meter receives at `now_ms` of its clock (none: time passes).
    pub fn input(&mut self, now_ms: f64, bytes: &[u8]) {
        self.meter().handle_input(Millis(now_ms.max(0.0) as u64), bytes);
    }

    /// The next bytes the meter sends, if any.
    pub fn transmit(&mut self) -> Option<Vec<u8>> {
        self.meter().poll_transmit()
    }

    /// The line the meter listens with: `[baud, data bits, parity (0 none, 1 odd, 2 even), stop bits]`.
    pub fn line(&mut self) -> Vec<u32> {
        let l = self.meter().line();
        let parity = match l.parity.letter() {
            'O' => 1,
            'E' => 2,
            _ => 0,
        };
        vec![l.baud, u32::from(l.data_bits), parity, u32::from(l.stop_bits)]
    }

    /// DL/T 698.45: raise an active report (a list of values, or an event record) at `now_ms`.
    pub fn report(&mut self, now_ms: f64, record: bool) -> Result<(), JsError> {
        match &mut self.inner {
            Inner::Dlt698(m) => {
                m.raise_report(
                    Millis(now_ms.max(0.0) as u64),
                    if record { ReportKind::Record } else { ReportKind::List },
                );
                Ok(())
            }
            Inner::Other(_) => Err(JsError::new("only the DL/T 698.45 meter raises active reports")),
        }
    }
}
