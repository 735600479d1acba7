//! Physical units of the `Scaler_Unit` structures: one table for both
//! families that carry a unit code. DLMS/COSEM uses the enumeration of
//! IEC 62056-62 (Blue Book, class 3 "Register", `scaler_unit`); DL/T 698.45
//! (annex on data types, "物理单位") follows it up to code 27 and then
//! numbers its own list (kW, kVA, kvar, kWh … from 28), so each row gives
//! the symbol under each standard.

/// Code, IEC 62056-62 symbol, DL/T 698.45 symbol. Sorted by code.
static UNITS: &[(u8, Option<&str>, Option<&str>)] = &[
    (1, Some("a"), Some("a")),
    (2, Some("mo"), Some("mo")),
    (3, Some("wk"), Some("wk")),
    (4, Some("d"), Some("d")),
    (5, Some("h"), Some("h")),
    (6, Some("min"), Some("min")),
    (7, Some("s"), Some("s")),
    (8, Some("°"), Some("°")),
    (9, Some("°C"), Some("°C")),
    (10, Some("currency"), Some("currency")),
    (11, Some("m"), Some("m")),
    (12, Some("m/s"), Some("m/s")),
    (13, Some("m³"), Some("m³")),
    (14, Some("m³"), None),
    (15, Some("m³/h"), None),
    (16, Some("m³/h"), None),
    (17, Some("m³/d"), None),
    (18, Some("m³/d"), None),
    (19, Some("l"), Some("l")),
    (20, Some("kg"), Some("kg")),
    (21, Some("N"), Some("N")),
    (22, Some("Nm"), Some("Nm")),
    (23, Some("Pa"), Some("Pa")),
    (24, Some("bar"), Some("bar")),
    (25, Some("J"), Some("J")),
    (26, Some("J/h"), Some("J/h")),
    (27, Some("W"), Some("W")),
    (28, Some("VA"), Some("kW")),
    (29, Some("var"), Some("VA")),
    (30, Some("Wh"), Some("kVA")),
    (31, Some("VAh"), Some("var")),
    (32, Some("varh"), Some("kvar")),
    (33, Some("A"), Some("kWh")),
    (34, Some("C"), Some("kVAh")),
    (35, Some("V"), Some("kvarh")),
    (36, Some("V/m"), Some("A")),
    (37, Some("F"), Some("C")),
    (38, Some("Ω"), Some("V")),
    (39, Some("Ωm²/m"), Some("V/m")),
    (40, Some("Wb"), Some("F")),
    (41, Some("T"), Some("Ω")),
    (42, Some("A/m"), None),
    (43, Some("H"), Some("Wb")),
    (44, Some("Hz"), Some("T")),
    (45, Some("1/(Wh)"), Some("A/m")),
    (46, Some("1/(varh)"), Some("H")),
    (47, Some("1/(VAh)"), Some("Hz")),
    (48, Some("V²h"), None),
    (49, Some("A²h"), None),
    (50, Some("kg/s"), None),
    (51, Some("S"), Some("%")),
    (52, Some("K"), Some("byte")),
    (53, Some("1/(V²h)"), Some("dBm")),
    (54, Some("1/(A²h)"), Some("currency/kWh")),
    (55, Some("1/m³"), Some("Ah")),
    (56, Some("%"), Some("ms")),
    (57, Some("Ah"), None),
    (60, Some("Wh/m³"), None),
    (61, Some("J/m³"), None),
    (62, Some("mol %"), None),
    (63, Some("g/m³"), None),
    (64, Some("Pa s"), None),
    (65, Some("J/kg"), None),
    (70, Some("dBm"), None),
    (71, Some("dBµV"), None),
    (72, Some("dB"), None),
    (255, Some(""), None),
];

fn row(code: u8) -> Option<&'static (u8, Option<&'static str>, Option<&'static str>)> {
    UNITS.binary_search_by_key(&code, |r| r.0).ok().map(|i| &UNITS[i])
}

/// The IEC 62056-62 symbol of a unit code (`27` → `W`); 255 ("count", no
/// unit) gives an empty symbol, unknown codes `None`.
pub fn dlms_symbol(code: u8) -> Option<&'static str> {
    row(code).and_then(|r| r.1)
}

/// The DL/T 698.45 symbol of a unit code (`33` → `kWh`); `None` for "no
/// unit" (255) and unknown codes.
pub fn dlt698_symbol(code: u8) -> Option<&'static str> {
    row(code).and_then(|r| r.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_the_standards_part_at_28() {
        assert!(UNITS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(dlms_symbol(27), Some("W"));
        assert_eq!(dlt698_symbol(27), Some("W"));
        assert_eq!(dlms_symbol(30), Some("Wh"));
        assert_eq!(dlms_symbol(35), Some("V"));
        assert_eq!(dlt698_symbol(33), Some("kWh"));
        assert_eq!(dlms_symbol(255), Some(""));
        assert_eq!(dlt698_symbol(255), None);
        assert_eq!(dlms_symbol(0), None);
    }
}
