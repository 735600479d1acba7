//! `meterscope read --protocol dlt698` and `meterscope simulate --protocol dlt698`:
//! the DL/T 698.45 session over the in-process simulated meter and over a real
//! pseudo-terminal pair made by `socat`.

mod common;
use common::{json, ok, pty_bench, run};

/// Energies, voltage, current, power, clock, address, a day freeze and an event record.
const OADS: [&str; 8] =
    ["00100200", "00200200", "20000200", "20010200", "20040200", "40000200", "40010200", "50040200@1"];

fn check(v: &serde_json::Value) {
    assert_eq!(v["meter"], "123456789012");
    let values = v["values"].as_array().unwrap();
    assert_eq!(values.len(), 7, "{v}");
    let energy = &values[0]["items"];
    assert_eq!(energy[0]["unit"], "kWh");
    let total: f64 = energy[0]["value"].as_str().unwrap().parse().unwrap();
    let tariffs: f64 = (1..5).map(|i| energy[i]["value"].as_str().unwrap().parse::<f64>().unwrap()).sum();
    assert!((total - tariffs).abs() < 0.005, "{total} vs {tariffs}");
    assert_eq!(values[2]["items"][0]["unit"], "V");
    assert_eq!(values[6]["items"][0]["value"], "123456789012");
    let records = v["records"].as_array().unwrap();
    assert_eq!(records[0]["oad"], "50040200");
    assert_eq!(records[0]["rows"].as_array().unwrap().len(), 1);
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn reads_the_simulated_meter() {
    let mut args = vec!["read", "--protocol", "dlt698", "--simulate", "--json"];
    args.extend(OADS);
    let out = run(&args);
    check(&ok(&out));
    // Text, a DAR, an unusable OAD.
    let out = run(&["read", "--protocol", "dlt698", "--simulate", "--address", "123456789012", "20000201", "99990200"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("20000201  voltage, value, phase A: 2"), "{text}");
    assert!(text.contains("99990200  error: DAR 6: object does not exist"), "{text}");
    for bad in
        [&["read", "--protocol", "dlt698", "--simulate", "0010020"][..], &["read", "--protocol", "dlt698", "00100200"]]
    {
        assert_eq!(run(bad).status.code(), Some(2), "{bad:?}");
    }
}

/// Children killed when the test ends, however it ends.
#[test]
fn reads_oads_across_a_pty_pair_with_link_fragments() {
    // Frames of at most 48 bytes: the energy and freeze replies go in link fragments.
    let simulate = ["--protocol", "dlt698", "--baud", "9600", "--max-data", "48"];
    let Some(bench) = pty_bench("reads_oads_across_a_pty_pair_with_link_fragments", &simulate) else {
        return;
    };
    let mut args = vec!["read", "--protocol", "dlt698", "--port", bench.port(), "--baud", "9600", "--json", "-v"];
    args.extend(OADS);
    let out = run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout: {}\nstderr: {stderr}", String::from_utf8_lossy(&out.stdout));
    check(&json(&out));
    assert!(stderr.contains("link fragment 0 confirmed"), "{stderr}");
}
