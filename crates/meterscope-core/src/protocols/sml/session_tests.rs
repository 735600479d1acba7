//! The SML listener against the simulated meter on the shared test pair.

use super::session::{self, SmlEvent};
use super::simulator::{SmlConfig, SmlMeter};
use crate::lang::Lang;
use crate::session::SimulatedMeter;
use crate::session::testing::{Faults, Pair};

fn files(events: &[SmlEvent]) -> Vec<&super::session::SmlFile> {
    events.iter().filter_map(|e| if let SmlEvent::Telegram(f) = e { Some(f) } else { None }).collect()
}

#[test]
fn reads_three_files_with_values_units_and_direction() {
    let mut pair =
        Pair::new(1, session::session(Lang::En, Some(3)), SmlMeter::new(SmlConfig::default()), Faults::default());
    pair.session.listen(pair.now);
    pair.meter.handle_input(pair.now, &[]);
    pair.run();
    let got = files(&pair.events);
    assert_eq!(got.len(), 3, "{:?}", pair.events);
    assert!(matches!(pair.events.last(), Some(SmlEvent::Done)));
    for f in &got {
        assert!(f.valid, "{:?}", f.problems);
        assert!(f.server_id.as_deref().unwrap_or("").contains("MSC"), "{:?}", f.server_id);
        let r = |obis: &str| f.readings.iter().find(|r| r.obis == obis).unwrap_or_else(|| panic!("{obis}"));
        let import = r("1-0:1.8.0*255");
        assert_eq!(import.unit, "Wh");
        assert!(import.value.starts_with("123456") || import.value.starts_with("12345"), "{import:?}");
        assert!(import.status.as_deref().unwrap_or("").contains("+A"), "{import:?}");
        assert!(r("1-0:2.8.0*255").status.as_deref().unwrap_or("").contains("−A"), "{:?}", r("1-0:2.8.0*255"));
        assert_eq!(r("1-0:16.7.0*255").unit, "W");
        let v: f64 = r("1-0:32.7.0*255").value.parse().unwrap();
        assert!((228.0..=232.0).contains(&v), "{v}");
        assert_eq!(r("1-0:14.7.0*255").unit, "Hz");
    }
    // One file a second.
    let at: Vec<_> = pair.meter_frames().map(|s| s.at.0).collect();
    assert!(at.windows(2).all(|w| (900..=1100).contains(&(w[1] - w[0]))), "{at:?}");
}

#[test]
fn noise_and_a_corrupted_file_are_reported() {
    let faults = Faults { noise: true, corrupt: vec![1], ..Faults::default() };
    let mut pair = Pair::new(2, session::session(Lang::Zh, Some(3)), SmlMeter::new(SmlConfig::default()), faults);
    pair.session.listen(pair.now);
    pair.meter.handle_input(pair.now, &[]);
    pair.run();
    assert!(pair.events.iter().any(|e| matches!(e, SmlEvent::Junk(_))), "{:?}", pair.events);
    let got = files(&pair.events);
    // The changed byte is inside the file: its CRC fails, and it says so.
    let bad: Vec<_> = got.iter().filter(|f| !f.valid).collect();
    assert_eq!(bad.len(), 1, "{:?}", pair.events);
    assert!(!bad[0].problems.is_empty());
    // Chinese names.
    let ok = got.iter().find(|f| f.valid).unwrap();
    assert!(
        ok.readings.iter().any(|r| r.name.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        "{:?}",
        ok.readings
    );
}

#[test]
fn power_turns_negative_and_export_grows() {
    let mut m = SmlMeter::new(SmlConfig::default());
    let mut lows = 0;
    let mut last_export = None;
    for s in 0..120 {
        let f = m.file(s);
        let d = crate::protocols::sml::dissect::dissect(&f, 0).render(Lang::En);
        assert!(d.valid, "{s}: {:?}", d.problems());
        let file = session::file(&d, f.len());
        let p: i64 = file.readings.iter().find(|r| r.obis == "1-0:16.7.0*255").unwrap().value.parse().unwrap();
        lows += usize::from(p < 0);
        let e: f64 = file.readings.iter().find(|r| r.obis == "1-0:2.8.0*255").unwrap().value.parse().unwrap();
        if let Some(l) = last_export {
            assert!(e >= l);
        }
        last_export = Some(e);
    }
    assert!(lows > 10, "{lows}");
    assert!(last_export.unwrap() > 987_654.3);
}

#[test]
fn silence_stops_the_listener() {
    let mut s = session::session(Lang::En, None);
    use crate::session::{Millis, Session};
    s.listen(Millis(0));
    assert_eq!(s.poll_timeout(), Some(Millis(10_000)));
    s.handle_timeout(Millis(10_000));
    assert_eq!(s.poll_event(), Some(SmlEvent::Silence));
}
