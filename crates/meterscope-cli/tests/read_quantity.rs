//! `meterscope read --quantity NAME`: named quantities read from the
//! simulated meters of every family the CLI reads (in process and over TCP),
//! reported with the same names and units whatever the protocol.

mod common;
use common::{json, run, tcp_bench};
use serde_json::Value;

/// The quantities the DL/T 645, DL/T 698.45 and DLMS demo meters all have.
const SHARED: [&str; 6] =
    ["active-energy-import", "active-energy-export", "voltage", "active-power", "frequency", "clock"];

fn quantity_args(names: &[&str]) -> Vec<String> {
    names.iter().flat_map(|n| ["--quantity".to_string(), n.to_string()]).collect()
}

fn read(protocol: &str, extra: &[&str], names: &[&str]) -> (Option<i32>, Value) {
    let mut args: Vec<String> = ["read", "--protocol", protocol, "--json"].iter().map(|s| s.to_string()).collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(quantity_args(names));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    (out.status.code(), json(&out))
}

/// The reading of `quantity` (and element), which must be there once.
fn reading<'a>(v: &'a Value, quantity: &str, element: Option<&str>) -> &'a Value {
    let found: Vec<&Value> = v["readings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["quantity"] == quantity && r["element"].as_str() == element)
        .collect();
    assert_eq!(found.len(), 1, "{quantity} {element:?} in {v}");
    found[0]
}

fn number(r: &Value) -> f64 {
    r["value"].as_f64().unwrap_or_else(|| panic!("not a number: {r}"))
}

fn is_iso_utc(t: &str) -> bool {
    let b = t.as_bytes();
    t.len() == 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':' && b[19] == b'Z'
}

/// Name, unit and form of the shared quantities, the same for every family.
fn check_shared(v: &Value, protocol: &str) {
    assert_eq!(v["protocol"], protocol);
    for (q, unit) in [("active-energy-import", "kWh"), ("active-energy-export", "kWh"), ("active-power", "kW")] {
        let r = reading(v, q, None);
        assert_eq!(r["unit"], unit, "{protocol}: {r}");
        assert!(number(r) >= 0.0, "{protocol}: {r}");
        assert!(is_iso_utc(r["timestamp"].as_str().unwrap()), "{r}");
    }
    let l1 = reading(v, "voltage", Some("L1"));
    assert_eq!(l1["unit"], "V");
    assert!((200.0..260.0).contains(&number(l1)), "{protocol}: {l1}");
    let f = reading(v, "frequency", None);
    assert_eq!(f["unit"], "Hz");
    assert!((49.5..50.5).contains(&number(f)), "{protocol}: {f}");
    let power = number(reading(v, "active-power", None));
    assert!((0.01..100.0).contains(&power), "{protocol}: {power} kW is a power in kW");
    // The demo meters' clocks stand at the same civil time.
    assert_eq!(reading(v, "clock", None)["value"], "2024-05-17T10:30:00", "{protocol}");
}

#[test]
fn the_same_quantities_from_dlt645_dlt698_and_dlms() {
    let (code, v645) = read("dlt645", &["--simulate"], &SHARED);
    assert_eq!(code, Some(0), "{v645}");
    check_shared(&v645, "dlt645");
    assert_eq!(v645["meter"], "123456789012");
    assert!(v645["errors"].as_array().unwrap().is_empty());
    assert_eq!(reading(&v645, "voltage", Some("L3"))["source"], "02010300");
    // The same value as the identifier read itself.
    let raw = json(&run(&["read", "--protocol", "dlt645", "--simulate", "--json", "00010000"]));
    let energy: f64 = raw["values"][0]["items"][0]["value"].as_str().unwrap().parse().unwrap();
    assert_eq!(number(reading(&v645, "active-energy-import", None)), energy);

    let (code, v698) = read("dlt698", &["--simulate"], &SHARED);
    assert_eq!(code, Some(0), "{v698}");
    check_shared(&v698, "dlt698");
    assert_eq!(v698["meter"], "123456789012");
    for phase in ["L1", "L2", "L3"] {
        assert_eq!(reading(&v698, "voltage", Some(phase))["source"], "20000200");
    }
    // The total of the energy array, and the power in kW where the meter gives W.
    let raw = json(&run(&["read", "--protocol", "dlt698", "--simulate", "--json", "00100200", "20040200"]));
    let total: f64 = raw["values"][0]["items"][0]["value"].as_str().unwrap().parse().unwrap();
    assert_eq!(number(reading(&v698, "active-energy-import", None)), total);
    assert_eq!(raw["values"][1]["items"][0]["unit"], "W");

    // The DLMS demo meter is single-phase: L2 and L3 are refused, named, and the exit code says so.
    let (code, vdlms) = read("dlms", &["--simulate"], &SHARED);
    assert_eq!(code, Some(1), "{vdlms}");
    check_shared(&vdlms, "dlms");
    let errors = vdlms["errors"].as_array().unwrap();
    let sources: Vec<&str> = errors.iter().map(|e| e["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["3/1-0:52.7.0*255:2", "3/1-0:72.7.0*255:2"], "{vdlms}");
    assert!(errors.iter().all(|e| e["quantity"] == "voltage" && e["error"].as_str().unwrap().contains("undefined")));
    // Wh read, kWh reported.
    let raw = json(&run(&["read", "--protocol", "dlms", "--simulate", "--json", "1-0:1.8.0.255"]));
    assert_eq!(raw["values"][0]["unit"], "Wh");
    let wh: f64 = raw["values"][0]["value"].as_str().unwrap().parse().unwrap();
    assert!((number(reading(&vdlms, "active-energy-import", None)) - wh / 1000.0).abs() < 1e-9);
    let (code, ok) = read("dlms", &["--simulate"], &["active-energy-import", "active-power", "frequency", "clock"]);
    assert_eq!(code, Some(0), "{ok}");

    // The same names and units from all three.
    let names = |v: &Value| -> Vec<(String, String)> {
        let mut n: Vec<(String, String)> = v["readings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["element"].is_null() || r["element"] == "L1")
            .map(|r| (r["quantity"].as_str().unwrap().to_string(), r["unit"].as_str().unwrap().to_string()))
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&v645), names(&v698));
    assert_eq!(names(&v645), names(&vdlms));
    assert_eq!(names(&v645).len(), SHARED.len());
}

#[test]
fn every_dlt645_and_dlt698_quantity_including_the_day_freeze() {
    let all = [
        "active-energy-import",
        "active-energy-export",
        "reactive-energy-import",
        "reactive-energy-export",
        "voltage",
        "current",
        "active-power",
        "reactive-power",
        "power-factor",
        "frequency",
        "clock",
        "daily-freezes",
    ];
    for protocol in ["dlt645", "dlt698"] {
        let (code, v) = read(protocol, &["--simulate"], &all);
        assert_eq!(code, Some(0), "{v}");
        assert_eq!(v["readings"].as_array().unwrap().len(), 4 + 3 + 3 + 4 + 1 + 3, "{v}");
        for (q, unit) in
            [("reactive-energy-import", "kvarh"), ("reactive-energy-export", "kvarh"), ("reactive-power", "kvar")]
        {
            assert_eq!(reading(&v, q, None)["unit"], unit, "{protocol}");
        }
        for phase in ["L1", "L2", "L3"] {
            let i = reading(&v, "current", Some(phase));
            assert_eq!(i["unit"], "A");
            assert!((0.0..100.0).contains(&number(i)), "{i}");
        }
        let pf = reading(&v, "power-factor", None);
        assert_eq!(pf["unit"], "");
        assert!((0.5..=1.0).contains(&number(pf)), "{pf}");
        // The latest day freeze: the midnight before now, and energies below the current ones.
        let time = reading(&v, "daily-freezes", Some("time"))["value"].as_str().unwrap().to_string();
        assert!(time.starts_with("2024-05-1") && time.ends_with("T00:00:00"), "{protocol}: {time}");
        let frozen = reading(&v, "daily-freezes", Some("active-energy-import"));
        assert_eq!(frozen["unit"], "kWh");
        let now = number(reading(&v, "active-energy-import", None));
        assert!(number(frozen) > 0.0 && number(frozen) <= now, "{protocol}: {frozen} vs {now}");
    }
}

#[test]
fn dlt645_1997_iec62056_and_dsmr() {
    let (code, v) = read("dlt645-1997", &["--simulate"], &["active-energy-import", "voltage", "power-factor", "clock"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(reading(&v, "active-energy-import", None)["source"], "9010");
    assert_eq!(reading(&v, "voltage", Some("L2"))["unit"], "V");
    assert_eq!(reading(&v, "clock", None)["value"], "2024-05-17T10:30:00");

    // IEC 62056-21: picked from the readout; the demo meter has no total power factor.
    let (code, v) = read("iec62056-21", &["--simulate"], &["active-energy-import", "current", "power-factor", "clock"]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(number(reading(&v, "active-energy-import", None)), 6872.455);
    assert_eq!(reading(&v, "current", Some("L3"))["source"], "71.7.0");
    assert_eq!(reading(&v, "clock", None)["value"], "2024-05-17T10:30:00");
    assert_eq!(v["errors"][0]["quantity"], "power-factor");
    assert_eq!(v["errors"][0]["error"], "not in the readout");

    // DSMR: the import is the sum of the two tariff registers of the telegram.
    let (code, v) =
        read("dsmr", &["--simulate"], &["active-energy-import", "active-energy-export", "voltage", "clock"]);
    assert_eq!(code, Some(0), "{v}");
    let import = reading(&v, "active-energy-import", None);
    assert_eq!(import["source"], "1-0:1.8.1+1-0:1.8.2");
    assert!((number(import) - (4443.936 + 2428.519)).abs() < 1e-9, "{import}");
    assert!((number(reading(&v, "active-energy-export", None)) - (317.001 + 180.235)).abs() < 1e-9);
    assert_eq!(v["meter"], "E0099001234567824");
    assert_eq!(reading(&v, "clock", None)["value"], "2024-05-17T10:30:00");
}

#[test]
fn over_tcp_and_as_text() {
    let bench = tcp_bench(&["--protocol", "dlt645"]);
    let mut args = vec!["read", "--protocol", "dlt645", "--tcp", &bench.addr, "--quantity", "voltage"];
    args.extend(["--quantity", "active-power", "--quantity", "clock"]);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "meter 123456789012", "{text}");
    assert!(lines[1].starts_with("voltage L1  Phase voltages: ") && lines[1].ends_with(" V"), "{text}");
    assert!(lines[4].starts_with("active-power  Active power, total: ") && lines[4].ends_with(" kW"), "{text}");
    assert_eq!(lines[5], "clock  Meter date and time: 2024-05-17T10:30:00", "{text}");
    assert_eq!(lines.len(), 6, "{text}");
    // Chinese names.
    let out = run(&["read", "--protocol", "dlt698", "--simulate", "--lang", "zh", "--quantity", "frequency"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("frequency  电网频率: ") && text.contains(" Hz"), "{text}");
    let out = run(&["read", "--protocol", "dlms", "--simulate", "--lang", "zh", "--quantity", "active-power"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("active-power  总有功功率: ") && text.trim_end().ends_with(" kW"), "{text}");
    // The readout's lines are not repeated: only the quantities.
    let out = run(&["read", "--protocol", "iec62056-21", "--simulate", "--quantity", "frequency"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().collect::<Vec<_>>(), ["meter MSC MS-Sim-1", "frequency  Grid frequency: 50.00 Hz"]);
}

#[test]
fn unknown_and_unavailable_quantities_are_refused() {
    let out = run(&["read", "--protocol", "dlt645", "--simulate", "--quantity", "voltge"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown quantity 'voltge'; did you mean voltage?"), "{err}");
    assert!(out.stdout.is_empty());

    let out = run(&["read", "--protocol", "dlms", "--simulate", "--quantity", "energy", "--lang", "zh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("未知的量“energy”") && err.contains("active-energy-import"), "{err}");

    let out = run(&["read", "--protocol", "dlms", "--simulate", "--quantity", "daily-freezes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DLMS/COSEM defines no 'daily-freezes'"));

    let out = run(&["read", "--protocol", "qgdw1376.2", "--simulate", "--quantity", "voltage"]);
    assert_eq!(out.status.code(), Some(2));

    // Identifiers and quantities are not mixed.
    let out = run(&["read", "--protocol", "dlt645", "--simulate", "--quantity", "voltage", "00010000"]);
    assert_eq!(out.status.code(), Some(2));
}
