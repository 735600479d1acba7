//! `meterscope read|simulate --protocol mbus|wmbus|sml`: in process and
//! across a real pseudo-terminal pair with the simulated device on the other end.

mod common;

use common::{json, ok, pty_bench, run};

const KEY: &str = "000102030405060708090A0B0C0D0E0F";

fn check_scan(v: &serde_json::Value) {
    let meters = v["meters"].as_array().unwrap();
    let found: Vec<(u64, &str)> =
        meters.iter().map(|m| (m["address"].as_u64().unwrap(), m["meter"]["id"].as_str().unwrap())).collect();
    assert_eq!(found, vec![(1, "12345678"), (5, "12345699")], "{v}");
    assert_eq!(meters[1]["meter"]["medium"], "water");
}

fn check_read(v: &serde_json::Value) {
    let t = v["telegrams"].as_array().unwrap();
    assert_eq!(t.len(), 2, "{v}");
    assert_eq!(t[0]["more"], true);
    assert!(t.iter().all(|t| t["valid"] == true));
    let energy = &t[0]["records"][0];
    assert_eq!((energy["name"].as_str(), energy["unit"].as_str()), (Some("Energy"), Some("Wh")));
    let due = t[1]["records"].as_array().unwrap().iter().find(|r| r["storage"] == 1).unwrap();
    assert_eq!(due["value"], "24000000");
}

fn check_wmbus(v: &serde_json::Value, count: usize) {
    let t = v["telegrams"].as_array().unwrap();
    assert_eq!(t.len(), count, "{v}");
    let water = t.iter().find(|t| t["meter"]["id"] == "12345678").expect("the water meter");
    assert_eq!(water["mode"], 5);
    assert_eq!(water["opened"], "decrypted");
    let volume = water["records"].as_array().unwrap().iter().find(|r| r["name"] == "Volume").unwrap();
    assert_eq!(volume["unit"], "m³");
    assert!(volume["value"].as_str().unwrap().parse::<f64>().unwrap() >= 123.456);
    assert!(t.iter().any(|t| t["opened"] == "plain"));
}

fn check_sml(v: &serde_json::Value, count: usize) {
    let f = v["files"].as_array().unwrap();
    assert_eq!(f.len(), count, "{v}");
    for file in f {
        assert_eq!(file["valid"], true);
        let r = file["readings"].as_array().unwrap();
        let import = r.iter().find(|r| r["obis"] == "1-0:1.8.0*255").unwrap();
        assert_eq!(import["unit"], "Wh");
        assert!(import["status"].as_str().unwrap().contains("+A"));
        assert!(r.iter().any(|r| r["obis"] == "1-0:16.7.0*255" && r["unit"] == "W"));
    }
}

#[test]
fn reads_the_simulated_devices_in_process() {
    check_scan(&ok(&run(&["read", "-p", "mbus", "--simulate", "--scan", "--range", "0-6", "--json"])));
    check_read(&ok(&run(&["read", "-p", "mbus", "--simulate", "--address", "1", "--json"])));
    // By secondary address, and the wildcard search.
    let v = ok(&run(&["read", "-p", "mbus", "--simulate", "--address", "12345699", "--json"]));
    assert_eq!(v["telegrams"][0]["meter"]["id"], "12345699");
    let v = ok(&run(&["read", "-p", "mbus", "--simulate", "--scan", "secondary", "--json"]));
    let ids: Vec<&str> = v["meters"].as_array().unwrap().iter().map(|m| m["meter"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["12345678", "12345699"]);
    check_wmbus(&ok(&run(&["read", "-p", "wmbus", "--simulate", "--count", "3", "--cipher-key", KEY, "--json"])), 3);
    check_sml(&ok(&run(&["read", "-p", "sml", "--simulate", "--count", "2", "--json"])), 2);
}

#[test]
fn says_what_is_wrong() {
    // No meter at the address: exit 1 and the reason.
    let out = run(&["read", "-p", "mbus", "--simulate", "--address", "9"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no reply from address 9"));
    // The wrong key: the telegram is reported, its data not.
    let out = run(&[
        "read",
        "-p",
        "wmbus",
        "--simulate",
        "--count",
        "1",
        "--cipher-key",
        "55555555555555555555555555555555",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["telegrams"][0]["opened"], "wrong-key");
    assert!(v["telegrams"][0]["records"].as_array().unwrap().is_empty());
    // Unusable arguments exit 2.
    for args in [
        &["read", "-p", "mbus", "--simulate"][..],
        &["read", "-p", "mbus", "--simulate", "--address", "1234"],
        &["read", "-p", "mbus", "--simulate", "--scan", "--range", "9-3"],
        &["read", "-p", "wmbus", "--simulate", "--cipher-key", "0011"],
        &["read", "-p", "sml", "--simulate", "--count", "0"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn reads_m_bus_across_a_pty_pair() {
    let Some(bench) = pty_bench("reads_m_bus_across_a_pty_pair", &["--protocol", "mbus"]) else { return };
    check_scan(&ok(&run(&["read", "-p", "mbus", "--port", bench.port(), "--scan", "--range", "0-6", "--json"])));
    check_read(&ok(&run(&["read", "-p", "mbus", "--port", bench.port(), "--address", "1", "--json"])));
}

#[test]
fn listens_to_wireless_m_bus_across_a_pty_pair() {
    let Some(bench) = pty_bench("listens_to_wireless_m_bus_across_a_pty_pair", &["--protocol", "wmbus"]) else {
        return;
    };
    let v = ok(&run(&["read", "-p", "wmbus", "--port", bench.port(), "--count", "3", "--cipher-key", KEY, "--json"]));
    check_wmbus(&v, 3);
}

#[test]
fn listens_to_sml_across_a_pty_pair() {
    let Some(bench) = pty_bench("listens_to_sml_across_a_pty_pair", &["--protocol", "sml"]) else { return };
    check_sml(&ok(&run(&["read", "-p", "sml", "--port", bench.port(), "--count", "2", "--json"])), 2);
}
