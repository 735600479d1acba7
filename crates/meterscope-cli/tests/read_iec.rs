//! `meterscope read|simulate --protocol iec62056-21|dsmr`: the IEC 62056-21
//! session and the DSMR P1 listener over the in-process simulated meters and
//! over a real pseudo-terminal pair (ptys accept the baud changes).

mod common;
use common::{json, ok, pty_bench, run};

fn value(readings: &serde_json::Value, address: &str) -> f64 {
    let r = readings.as_array().unwrap().iter().find(|r| r["address"] == address).unwrap();
    r["values"][0]["value"].as_str().unwrap().parse().unwrap()
}

fn check_readout(v: &serde_json::Value, mode: &str) {
    assert_eq!(v["identification"]["manufacturer"], "MSC");
    assert_eq!(v["identification"]["mode"], mode);
    let r = &v["readings"];
    assert_eq!(r.as_array().unwrap().len(), 25);
    assert!((value(r, "1.8.0") - value(r, "1.8.1") - value(r, "1.8.2")).abs() < 0.0005);
    let voltage = r.as_array().unwrap().iter().find(|x| x["address"] == "32.7.0").unwrap();
    assert_eq!(voltage["obis"], "1-0:32.7.0*255");
    assert_eq!(voltage["values"][0]["unit"], "V");
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn readouts_in_modes_a_b_c_from_the_simulated_meter() {
    for mode in ["A", "B", "C"] {
        let out = run(&["read", "--protocol", "iec62056-21", "--mode", mode, "--simulate", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{mode}: {}", String::from_utf8_lossy(&out.stderr));
        let v = json(&out);
        check_readout(&v, mode);
        let line = if mode == "A" { "300 7E1" } else { "9600 7E1" };
        assert_eq!(v["line"], line, "the line the readout came on");
    }
}

#[test]
fn programming_mode_and_mode_e() {
    let out = run(&["read", "-p", "iec62056-21", "--simulate", "--password", "00000000", "1.8.0", "72.7.0", "9.9.9"]);
    assert_eq!(out.status.code(), Some(1), "a missing register fails");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("password accepted"), "{text}");
    assert!(text.contains("Active energy import (+A), total: ") && text.contains(" kWh"), "{text}");
    assert!(text.contains("9.9.9       error: ERR-NO-DATA"), "{text}");
    let out = run(&["read", "-p", "iec62056-21", "--simulate", "--password", "wrong", "1.8.0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error: password refused (ERR-PASSWORD)"));
    let out = run(&["read", "-p", "iec62056-21", "--simulate", "--mode", "E", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["handover"], "9600 8N1");
}

#[test]
fn dsmr_telegrams_from_the_simulated_port() {
    let out = run(&["read", "--protocol", "dsmr", "--simulate", "--count", "2", "--json"]);
    let v = ok(&out);
    assert_eq!(v["line"], "115200 8N1");
    let t = v["telegrams"].as_array().unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0]["crc_ok"], true);
    assert_eq!(t[0]["version"], "50");
    assert_ne!(t[0]["timestamp"], t[1]["timestamp"], "one telegram per second");
}

/// Encrypted P1 (Luxembourg/Austria style): the simulated port seals its telegrams with the
/// cipher key; the reader opens them with the same key and checks the tag (default AK).
#[test]
fn encrypted_dsmr_telegrams_opened_with_the_cipher_key() {
    let ek = "00112233445566778899AABBCCDDEEFF";
    let out = run(&["read", "--protocol", "dsmr", "--simulate", "--count", "1", "--json", "--cipher-key", ek]);
    let v = ok(&out);
    let t = &v["telegrams"][0];
    assert_eq!(t["encryption"]["tag"], "verified-default-key", "{t}");
    assert_eq!(t["version"], "50");
    // With an authentication key of its own the tag is checked with that key.
    let ak = "000102030405060708090A0B0C0D0E0F";
    let out = run(&[
        "read",
        "--protocol",
        "dsmr",
        "--simulate",
        "--count",
        "1",
        "--json",
        "--cipher-key",
        ek,
        "--auth-key",
        ak,
    ]);
    assert_eq!(ok(&out)["telegrams"][0]["encryption"]["tag"], "verified");
    let bad = run(&["read", "--protocol", "dsmr", "--simulate", "--cipher-key", "0011"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--cipher-key: 16 bytes"));
}

#[test]
fn unusable_arguments_exit_2() {
    for args in [
        &["read", "--protocol", "iec62056-21", "--mode", "Q", "--simulate"][..],
        &["read", "--protocol", "iec62056-21"],
        &["read", "--protocol", "iec62056-21", "--simulate", "1.8.0"],
        &["read", "--protocol", "dsmr", "--simulate", "--dsmr-version", "9"],
        &["read", "--protocol", "dsmr", "--port", "/dev/meterscope-no-such-port"],
        &["simulate", "--protocol", "iec62056-21", "--port", "/dev/null", "--mode", "E"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(!out.stderr.is_empty());
    }
}

/// Children killed when the test ends, however it ends.
#[test]
fn mode_c_readout_across_a_pty_pair() {
    let Some(bench) = pty_bench("mode_c_readout_across_a_pty_pair", &["--protocol", "iec62056-21", "--mode", "C"])
    else {
        return;
    };
    let out = run(&["read", "--protocol", "iec62056-21", "--mode", "C", "--port", bench.port(), "--json", "-v"]);
    let programming = run(&["read", "-p", "iec62056-21", "--port", bench.port(), "--password", "00000000", "1.8.1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout: {}\nstderr: {stderr}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    check_readout(&v, "C");
    assert_eq!(v["line"], "9600 7E1");
    assert!(stderr.contains("line now 9600 7E1"), "the port was reconfigured: {stderr}");
    assert_eq!(programming.status.code(), Some(0), "{}", String::from_utf8_lossy(&programming.stdout));
    assert!(String::from_utf8_lossy(&programming.stdout).contains("1.8.1"));
}

#[test]
fn dsmr_telegrams_across_a_pty_pair() {
    let Some(bench) = pty_bench("dsmr_telegrams_across_a_pty_pair", &["--protocol", "dsmr"]) else {
        return;
    };
    let out = run(&["read", "--protocol", "dsmr", "--port", bench.port(), "--count", "2", "--json"]);
    let v = ok(&out);
    let t = v["telegrams"].as_array().unwrap();
    assert_eq!(t.len(), 2);
    assert!(t.iter().all(|x| x["crc_ok"] == true));
}
