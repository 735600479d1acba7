//! `meterscope read --protocol qgdw1376.2 | qgdw1376.1` and `meterscope
//! simulate` for both: the concentrator session against the simulated
//! communication module (meters behind it) and the master station session
//! against the simulated terminal, in process and across a pty pair.

mod common;
use common::{json, ok, pty_bench, run};

const METER_645: &str = "240517000001";
const METER_698: &str = "240517000002";

fn module_targets() -> Vec<String> {
    vec![
        "info".into(),
        "nodes".into(),
        format!("645:{METER_645}:00010000"),
        format!("645:{METER_645}:clock"),
        format!("698:{METER_698}:00100200"),
        format!("698:{METER_698}:clock"),
    ]
}

fn check_module(v: &serde_json::Value) {
    assert_eq!(v["module"]["vendor"], "MS", "{v}");
    assert_eq!(v["master"], "000000000001");
    assert_eq!(v["nodes"]["total"], 2);
    let values = v["values"].as_array().unwrap();
    let energy = values.iter().find(|x| x["id"] == "00010000").expect("645 energy");
    assert_eq!(energy["meter"], METER_645);
    assert_eq!(energy["items"][0]["unit"], "kWh");
    let e698 = values.iter().find(|x| x["id"] == "00100200").expect("698.45 energy");
    assert_eq!(e698["items"].as_array().unwrap().len(), 5);
    let clocks = v["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 2, "{v}");
    // The module's event report arrived and was confirmed.
    let reports = v["reports"].as_array().unwrap();
    assert!(!reports.is_empty(), "{v}");
    assert_eq!(reports[0]["fn_"], 5);
    assert!(v["errors"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn reads_meters_through_the_simulated_module() {
    let mut args: Vec<String> =
        ["read", "--protocol", "qgdw1376.2", "--simulate", "--json", "--add-nodes", "--listen", "300"]
            .map(String::from)
            .to_vec();
    args.extend(module_targets());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&refs);
    check_module(&ok(&out));
    // Text; a meter that is not on the line is denied by the module.
    let out = run(&["read", "--protocol", "qgdw1376.2", "--simulate", "645:999999999999:00010000", "info"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error: denied by the module, reason 11: slave node does not reply"), "{text}");
    assert!(text.contains("module MS chip 01 version 0101 (2024-05-17)"), "{text}");
    for bad in [
        &["read", "--protocol", "qgdw1376.2", "--simulate", "647:240517000001:00010000"][..],
        &["read", "--protocol", "qgdw1376.2", "--simulate", "645:24051700000:00010000"][..],
    ] {
        assert_eq!(run(bad).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn reads_a_simulated_terminal() {
    let out = run(&[
        "read",
        "--protocol",
        "qgdw1376.1",
        "--simulate",
        "--json",
        "clock",
        "c1:1:25",
        "c1:1:129",
        "c2:1:161:2024-05-16",
        "events",
        "relay:2:240517000001:00010000",
    ]);
    let v = ok(&out);
    assert!(v["clock"].as_str().unwrap().starts_with("2024-05-17 10:30"), "{v}");
    assert_eq!(v["link_tests"][0], "login");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 5, "{v}");
    let f25 = &data[1];
    assert_eq!(f25["fn_"], 25);
    let ua =
        f25["items"].as_array().unwrap().iter().find(|i| i["label"].as_str().unwrap().starts_with("Phase A voltage"));
    assert_eq!(ua.unwrap()["unit"], "V");
    assert_eq!(v["relays"][0]["value"]["id"], "00010000");
    // Setting the clock needs the explicit confirmation.
    let out = run(&["read", "--protocol", "qgdw1376.1", "--simulate", "set-clock"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("need the explicit confirmation"));
    let out = run(&["read", "--protocol", "qgdw1376.1", "--simulate", "--confirm", "set-clock", "clock"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("AFN 05 F31 confirmed"));
    assert_eq!(run(&["read", "--protocol", "qgdw1376.1", "--simulate", "c1:x:25"]).status.code(), Some(2));
}

#[test]
fn reads_meters_through_a_module_across_a_pty_pair() {
    let simulate = ["--protocol", "qgdw1376.2", "--baud", "9600", "--report-after", "2"];
    let Some(bench) = pty_bench("reads_meters_through_a_module_across_a_pty_pair", &simulate) else {
        return;
    };
    let mut args: Vec<String> =
        ["read", "--protocol", "qgdw1376.2", "--baud", "9600", "--json", "-v", "--listen", "500", "--add-nodes"]
            .map(String::from)
            .to_vec();
    args.extend(["--port".to_string(), bench.port().to_string()]);
    args.extend(module_targets());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&refs);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout: {}\nstderr: {stderr}", String::from_utf8_lossy(&out.stdout));
    check_module(&json(&out));
    assert!(stderr.contains("report AFN 06 F5"), "{stderr}");
}

#[test]
fn reads_a_terminal_across_a_pty_pair() {
    let simulate = ["--protocol", "qgdw1376.1", "--baud", "9600", "--terminal", "3501-0002"];
    let Some(bench) = pty_bench("reads_a_terminal_across_a_pty_pair", &simulate) else {
        return;
    };
    let out = run(&[
        "read",
        "--protocol",
        "qgdw1376.1",
        "--port",
        bench.port(),
        "--baud",
        "9600",
        "--address",
        "3501-0002",
        "--json",
        "c1:1:129",
        "relay:2:240517000001:00010000",
    ]);
    let v = ok(&out);
    assert_eq!(v["terminal"], "3501-0002");
    let items = v["data"][0]["items"].as_array().unwrap();
    let total: f64 = items.iter().find(|i| i["unit"] == "kWh").unwrap()["value"].as_str().unwrap().parse().unwrap();
    let relayed: f64 = v["relays"][0]["value"]["items"][0]["value"].as_str().unwrap().parse().unwrap();
    assert!((total - relayed).abs() < 0.011, "{total} vs {relayed}");
}
