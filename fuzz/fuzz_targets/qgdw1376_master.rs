//! Q/GDW 1376.1 master station session input path: the session caught in
//! the middle of its work with the simulated terminal (clock, configuration,
//! class 1 and 2 data, events in one or several frames, relayed 645 and
//! 698.45 reads), then fed arbitrary bytes in arbitrary pieces, mixed with
//! what the terminal says and with timeouts in between; the terminal gets the
//! same bytes. Nothing may panic, and the session must come to rest once the
//! bytes stop and its deadlines pass.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::dlt645::frame::Address;
use meterscope_core::protocols::qgdw1376::master::{Config, MasterSession};
use meterscope_core::protocols::qgdw1376::terminal::{Terminal, TerminalConfig};
use meterscope_core::session::{DateTime, Millis};

mod qgdw1376_common;
use qgdw1376_common::run;

fuzz_target!(|data: &[u8]| {
    let Some((&first, data)) = data.split_first() else { return };
    let steps = first & 0x0F;
    // Small frames (bit 6): event answers in several frames (FIR/FIN).
    let max_data = if first & 0x40 != 0 { 30 } else { 1024 };
    let login = first & 0x20 != 0;
    let mut terminal =
        Terminal::new(TerminalConfig { login, heartbeat_every: 2, max_data, ..TerminalConfig::default() });
    let mut m = MasterSession::new(Config::default());
    m.read_clock(Millis(0));
    m.read_config(Millis(0));
    m.class1(Millis(0), 1, 129);
    let day = DateTime { year: 2024, month: 5, day: 16, hour: 0, minute: 0, second: 0 };
    m.class2_day(Millis(0), 1, 161, day);
    m.events(Millis(0), true, 0, 2);
    m.relay_read(Millis(0), 2, Address([0x01, 0x00, 0x00, 0x17, 0x05, 0x24]), 0x0001_0000);
    m.relay_get_698(Millis(0), 2, [0x03, 0x00, 0x00, 0x17, 0x05, 0x24], 0x0010_0200);
    run(&mut m, &mut terminal, steps, data);
});
