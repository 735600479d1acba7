//! The wireless M-Bus listener against the simulated receiver on the shared
//! test pair: telegrams of two meters, one opened with its key.

use super::session::{self, Opened, WmbusEvent, WmbusTelegram};
use super::simulator::{AirConfig, DEMO_KEY, WmbusAir};
use crate::lang::Lang;
use crate::registry::Keys;
use crate::session::SimulatedMeter;
use crate::session::testing::{Faults, Pair};

fn run(keys: Keys, count: usize, faults: Faults) -> Vec<WmbusEvent> {
    let mut pair =
        Pair::new(5, session::session(Lang::En, keys, Some(count)), WmbusAir::new(AirConfig::default()), faults);
    pair.session.listen(pair.now);
    pair.meter.handle_input(pair.now, &[]);
    pair.run();
    pair.events
}

fn telegrams(events: &[WmbusEvent]) -> Vec<&WmbusTelegram> {
    events.iter().filter_map(|e| if let WmbusEvent::Telegram(t) = e { Some(t) } else { None }).collect()
}

fn value(t: &WmbusTelegram, name: &str) -> (f64, String) {
    let r = t.records.iter().find(|r| r.name == name && r.storage == 0).unwrap_or_else(|| panic!("{name}: {t:?}"));
    (r.value.parse().unwrap(), r.unit.clone())
}

#[test]
fn hears_both_meters_and_opens_the_water_meter_with_its_key() {
    let keys = Keys { cipher_key: Some(DEMO_KEY), ..Keys::default() };
    let events = run(keys, 4, Faults::default());
    let got = telegrams(&events);
    assert_eq!(got.len(), 4, "{events:?}");
    assert!(got.iter().all(|t| t.valid), "{events:?}");
    let water: Vec<_> = got.iter().filter(|t| t.meter.id == "12345678").collect();
    let heat: Vec<_> = got.iter().filter(|t| t.meter.id == "87654321").collect();
    assert!(!water.is_empty() && !heat.is_empty(), "{events:?}");
    for w in &water {
        assert_eq!(w.meter.manufacturer, "MSC");
        assert_eq!(w.mode, Some(5));
        assert_eq!(w.opened, Opened::Decrypted);
        let (v, unit) = value(w, "Volume");
        assert!((123.456..130.0).contains(&v), "{v}");
        assert_eq!(unit, "m³");
    }
    for h in &heat {
        assert_eq!(h.opened, Opened::Plain);
        let (wh, unit) = value(h, "Energy");
        assert_eq!(unit, "Wh");
        assert!(wh >= 12_000_000.0, "{wh}");
        assert_eq!(value(h, "Flow temperature").1, "°C");
    }
    // Access numbers count up per meter.
    let acc: Vec<_> = water.iter().map(|t| t.meter.access).collect();
    assert!(acc.windows(2).all(|w| w[1] > w[0]), "{acc:?}");
}

#[test]
fn without_the_key_or_with_a_wrong_one_it_says_so() {
    let events = run(Keys::default(), 3, Faults::default());
    let water = telegrams(&events).into_iter().find(|t| t.meter.id == "12345678").unwrap().clone();
    assert_eq!(water.opened, Opened::NoKey);
    assert!(water.records.is_empty());
    let wrong = Keys { cipher_key: Some([0x55; 16]), ..Keys::default() };
    let events = run(wrong, 3, Faults::default());
    let water = telegrams(&events).into_iter().find(|t| t.meter.id == "12345678").unwrap().clone();
    assert!(matches!(water.opened, Opened::WrongKey(_)), "{water:?}");
    assert!(!water.valid);
}

#[test]
fn noise_between_telegrams_and_a_changed_byte_are_reported() {
    let keys = Keys { cipher_key: Some(DEMO_KEY), ..Keys::default() };
    let faults = Faults { noise: true, corrupt: vec![1], ..Faults::default() };
    let events = run(keys, 3, faults);
    assert!(events.iter().any(|e| matches!(e, WmbusEvent::Junk(_) | WmbusEvent::Incomplete(_))), "{events:?}");
    let got = telegrams(&events);
    assert_eq!(got.len(), 3, "{events:?}");
    // A changed byte fails its block's CRC: the telegram is heard, and invalid.
    assert_eq!(got.iter().filter(|t| !t.valid).count(), 1, "{events:?}");
}
