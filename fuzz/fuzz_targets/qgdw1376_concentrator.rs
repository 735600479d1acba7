//! Q/GDW 1376.2 concentrator session input path: the session caught in the
//! middle of its work with the simulated module (module queried, nodes added,
//! 645 and 698.45 meters read, a report raised), then fed arbitrary bytes in
//! arbitrary pieces, mixed with what the module says and with timeouts in
//! between; the module gets the same bytes. Nothing may panic, and the session
//! must come to rest once the bytes stop and its deadlines pass (no stall).
#![no_main]
use libfuzzer_sys::fuzz_target;
use meterscope_core::protocols::qgdw1376::concentrator::{ConcentratorSession, Config};
use meterscope_core::protocols::qgdw1376::module::{Module, ModuleConfig, Report, protocol};
use meterscope_core::session::Millis;

mod qgdw1376_common;
use qgdw1376_common::run;

fuzz_target!(|data: &[u8]| {
    let Some((&first, data)) = data.split_first() else { return };
    let steps = first & 0x0F;

    let mut module = Module::new(ModuleConfig { report_after: Some(1), ..ModuleConfig::default() });
    let meters = module.meters();
    let (m645, m698) = (meters[0].0, meters[1].0);
    let mut c = ConcentratorSession::new(Config::default());
    c.query_module(Millis(0));
    c.add_nodes(Millis(0), &meters);
    c.read_nodes(Millis(0), 8);
    c.read_645(Millis(0), m645, &[0x0001_0000]);
    c.read_698(Millis(0), m698, &[0x0010_0200]);
    c.read_clock(Millis(0), m645, protocol::DLT645_2007);
    c.read_clock(Millis(0), m698, protocol::DLT698);
    c.listen(Millis(0), 3000);
    if first & 0x10 != 0 {
        module.raise(Millis(0), Report::Event(usize::from(first >> 5) % 2));
    }
    run(&mut c, &mut module, steps, data);
});
