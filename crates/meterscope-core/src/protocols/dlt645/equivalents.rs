//! DL/T 645 data identifiers and their DL/T 698.45 counterparts (OAD: object
//! identifier, attribute 2 "value", element index), where the two standards
//! describe the same quantity. Composed like the identifiers themselves:
//! the 645 kind maps to the 698 object, the tariff or phase to the element.
//!
//! Element indices follow DL/T 698.45: for energy and demand arrays 1 is the
//! total and 2.. are tariffs T1..; for per-phase variables 1..3 are phases
//! A..C; for power, 1 is the total and 2..4 are phases A..C; 0 is the whole array.

/// 698.45 object of a 645 energy kind (DI2 `00`–`0A`); per-phase kinds add the phase to the OI.
fn energy_oi(kind: u8) -> Option<u16> {
    // 0000 combined active, 0010 forward active, 0020 reverse active, 0030/0040 combined
    // reactive 1/2, 0050–0080 quadrants I–IV, 0090/00A0 forward/reverse apparent.
    (kind <= 0x0A).then(|| u16::from(kind) << 4)
}

/// The 698.45 OAD (`OI`, attribute, index as one `u32`) of a DL/T 645-2007 identifier.
pub fn oad_2007(di: u32) -> Option<u32> {
    let [d3, d2, d1, d0] = di.to_be_bytes();
    let oad = |oi: u16, index: u8| Some((u32::from(oi) << 16) | 0x0200 | u32::from(index));
    let element = |d1: u8| match d1 {
        0xFF => Some(0),
        0x00..=0x3F => Some(d1 + 1),
        _ => None,
    };
    match (d3, d2, d1, d0) {
        // Energy and demand, current values only (DI0 = 00); phase kinds 15–1E, 29–32, 3D–46.
        (0x00 | 0x01, _, _, 0x00) => {
            let (kind, phase) = match d2 {
                0x00..=0x0A => (d2, 0),
                0x15..=0x1E => (d2 - 0x14, 1),
                0x29..=0x32 => (d2 - 0x28, 2),
                0x3D..=0x46 => (d2 - 0x3C, 3),
                _ => return None,
            };
            // Demand objects start at 1010 (no "combined active" demand).
            let base = if d3 == 0x00 {
                energy_oi(kind)?
            } else if kind == 0 {
                return None;
            } else {
                0x1000 + energy_oi(kind)?
            };
            let index = if phase == 0 {
                element(d1)?
            } else if d1 == 0 {
                1
            } else {
                return None;
            };
            oad(base + phase, index)
        }
        // Variables: voltage, current (per phase), powers and power factor (total + phases).
        (0x02, 0x01, 0x01..=0x03 | 0xFF, 0x00) => oad(0x2000, if d1 == 0xFF { 0 } else { d1 }),
        (0x02, 0x02, 0x01..=0x03 | 0xFF, 0x00) => oad(0x2001, if d1 == 0xFF { 0 } else { d1 }),
        (0x02, 0x03..=0x06, 0x00..=0x03 | 0xFF, 0x00) => {
            let oi = match d2 {
                0x03 => 0x2004,
                0x04 => 0x2005,
                0x05 => 0x2006,
                _ => 0x200A,
            };
            oad(oi, if d1 == 0xFF { 0 } else { d1 + 1 })
        }
        (0x02, 0x80, 0x00, 0x02) => oad(0x200F, 0),
        // Parameters: date, time, communication address, meter number.
        (0x04, 0x00, 0x01, 0x01 | 0x02) => oad(0x4000, 0),
        (0x04, 0x00, 0x04, 0x01) => oad(0x4001, 0),
        (0x04, 0x00, 0x04, 0x02) => oad(0x4002, 0),
        _ => None,
    }
}

/// The 698.45 OAD of a DL/T 645-1997 identifier.
pub fn oad_1997(di: u16) -> Option<u32> {
    let [hi, lo] = di.to_be_bytes();
    let oad = |oi: u16, index: u8| Some((u32::from(oi) << 16) | 0x0200 | u32::from(index));
    let tariff = |n: u8| match n {
        0x0 => Some(1),
        0x1..=0xE => Some(n + 1),
        0xF => Some(0),
        _ => None,
    };
    match (hi, lo >> 4, lo & 0x0F) {
        // 901x forward active, 902x reverse active, 911x forward reactive, 912x reverse reactive.
        (0x90, 0x1, n) => oad(0x0010, tariff(n)?),
        (0x90, 0x2, n) => oad(0x0020, tariff(n)?),
        (0x91, 0x1, n) => oad(0x0030, tariff(n)?),
        (0x91, 0x2, n) => oad(0x0040, tariff(n)?),
        (0xB6, 0x1, p @ 1..=3) => oad(0x2000, p),
        (0xB6, 0x1, 0xF) => oad(0x2000, 0),
        (0xB6, 0x2, p @ 1..=3) => oad(0x2001, p),
        (0xB6, 0x2, 0xF) => oad(0x2001, 0),
        (0xB6, 0x3, p @ 0..=3) => oad(0x2004, p + 1),
        (0xB6, 0x4, p @ 0..=3) => oad(0x2005, p + 1),
        (0xB6, 0x5, p @ 0..=3) => oad(0x200A, p + 1),
        (0xC0, 0x1, 0 | 1) => oad(0x4000, 0),
        (0xC0, 0x3, 2) => oad(0x4002, 0),
        _ => None,
    }
}

/// `00100201` as written in both standards' tools.
pub fn canonical(oad: u32) -> String {
    format!("{oad:08X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_demand_and_variables_map_by_composition() {
        let t = |di: u32| oad_2007(di).map(canonical);
        assert_eq!(t(0x0001_0000).as_deref(), Some("00100201")); // forward active, total
        assert_eq!(t(0x0001_0200).as_deref(), Some("00100203")); // forward active, T2
        assert_eq!(t(0x0001_FF00).as_deref(), Some("00100200")); // block: whole array
        assert_eq!(t(0x0002_0000).as_deref(), Some("00200201")); // reverse active
        assert_eq!(t(0x0015_0000).as_deref(), Some("00110201")); // forward active, phase A
        assert_eq!(t(0x003D_0000).as_deref(), Some("00130201")); // forward active, phase C
        assert_eq!(t(0x0101_0000).as_deref(), Some("10100201")); // forward active max demand
        assert_eq!(t(0x0100_0000), None); // no combined active demand in 698
        assert_eq!(t(0x0001_0001), None); // settlement history: freeze records, not the value
        assert_eq!(t(0x0201_0200).as_deref(), Some("20000202")); // voltage phase B
        assert_eq!(t(0x0202_FF00).as_deref(), Some("20010200"));
        assert_eq!(t(0x0203_0000).as_deref(), Some("20040201")); // active power total
        assert_eq!(t(0x0203_0300).as_deref(), Some("20040204")); // active power phase C
        assert_eq!(t(0x0206_0000).as_deref(), Some("200A0201")); // power factor total
        assert_eq!(t(0x0280_0002).as_deref(), Some("200F0200")); // frequency
        assert_eq!(t(0x0400_0101).as_deref(), Some("40000200"));
        assert_eq!(t(0x0400_0401).as_deref(), Some("40010200"));
        assert_eq!(t(0x0300_0000), None);
    }

    #[test]
    fn dl645_1997_identifiers() {
        let t = |di: u16| oad_1997(di).map(canonical);
        assert_eq!(t(0x9010).as_deref(), Some("00100201"));
        assert_eq!(t(0x9011).as_deref(), Some("00100202"));
        assert_eq!(t(0x901F).as_deref(), Some("00100200"));
        assert_eq!(t(0x9020).as_deref(), Some("00200201"));
        assert_eq!(t(0xB611).as_deref(), Some("20000201"));
        assert_eq!(t(0xB630).as_deref(), Some("20040201"));
        assert_eq!(t(0xC032).as_deref(), Some("40020200"));
        assert_eq!(t(0xD000), None);
    }

    #[test]
    fn every_mapped_2007_identifier_is_named_by_the_dictionary() {
        let mut mapped = 0;
        for di in super::super::dictionary::enumerate() {
            if oad_2007(di).is_some() {
                mapped += 1;
            }
        }
        assert!(mapped > 700, "{mapped} identifiers have a 698.45 counterpart");
    }
}
