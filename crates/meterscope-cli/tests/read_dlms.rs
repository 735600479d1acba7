//! `meterscope read --protocol dlms` and `meterscope simulate --protocol dlms`:
//! the DLMS/COSEM session over the in-process simulated meter and over a real
//! pseudo-terminal pair made by socat.

mod common;
use common::{json, ok, ok_with, pty_bench, run};
const EK: &str = "000102030405060708090A0B0C0D0E0F";
const AK: &str = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";

#[test]
fn reads_the_simulated_meter_with_each_authentication() {
    for extra in [
        &[][..],
        &["--client", "32", "--auth", "low", "--password", "12345678"],
        &["--client", "1", "--auth", "high", "--cipher-key", EK, "--auth-key", AK],
    ] {
        let mut args = vec!["read", "--protocol", "dlms", "--simulate", "--json", "--clock"];
        args.extend_from_slice(extra);
        args.extend(["1-0:1.8.0.255", "1-0:32.7.0.255", "1-0:32.7.0.255:3"]);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", String::from_utf8_lossy(&out.stdout));
        let v = json(&out);
        assert!(v["clock"].as_str().is_some_and(|c| c.starts_with("2024-05-17 10:3")), "{}", v["clock"]);
        let values = v["values"].as_array().unwrap();
        assert_eq!(values.len(), 3);
        assert_eq!(values[0]["obis"], "1-0:1.8.0*255");
        assert_eq!(values[0]["unit"], "Wh");
        assert_eq!(values[1]["unit"], "V");
        assert_eq!(values[2]["value"], "[-1, 35]");
    }
}

#[test]
fn rejections_and_unusable_arguments() {
    let out = run(&["read", "--protocol", "dlms", "--simulate", "--client", "32", "--auth", "low", "--password", "x"]);
    assert_eq!(out.status.code(), Some(2), "nothing to read");
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--simulate",
        "--client",
        "32",
        "--auth",
        "low",
        "--password",
        "x",
        "1.8.0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("rejected (permanent), authentication failure"));
    for args in [
        &["read", "--protocol", "dlms", "--simulate", "00010000"][..],
        &["read", "--protocol", "dlms", "--simulate", "--auth", "high", "1.8.0"],
        &["read", "--protocol", "dlms", "--simulate", "--auth", "low", "1.8.0"],
        &["read", "--protocol", "dlms", "--simulate", "--cipher-key", "00", "--auth-key", AK, "1.8.0"],
        &["read", "--protocol", "dlms", "1.8.0"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

/// Children killed when the test ends, however it ends.
#[test]
fn reads_registers_and_the_clock_across_a_pty_pair() {
    let Some(bench) = pty_bench("reads_registers_and_the_clock_across_a_pty_pair", &["--protocol", "dlms"]) else {
        return;
    };
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--port",
        bench.port(),
        "--json",
        "--clock",
        "1-0:1.8.0.255",
        "1-0:2.8.0.255",
        "1-0:31.7.0.255",
        "0-0:96.1.0.255",
    ]);
    let v = ok(&out);
    assert!(v["clock"].as_str().is_some_and(|c| c.starts_with("2024-05-17 10:3")), "{}", v["clock"]);
    let values = v["values"].as_array().unwrap();
    let obis: Vec<&str> = values.iter().map(|x| x["obis"].as_str().unwrap()).collect();
    assert_eq!(obis, ["1-0:1.8.0*255", "1-0:2.8.0*255", "1-0:31.7.0*255", "0-0:96.1.0*255"]);
    assert_eq!(values[2]["unit"], "A");
    assert_eq!(values[3]["value"], "00000001");
}

/// The arguments of each authentication mode of the simulated meter.
fn auth_modes() -> [Vec<&'static str>; 3] {
    [
        vec![],
        vec!["--client", "32", "--auth", "low", "--password", "12345678"],
        vec!["--client", "1", "--auth", "high", "--cipher-key", EK, "--auth-key", AK],
    ]
}

/// Theoretical wire time at 9600 8N1: bytes × 10 bits / 9600 bit/s, in ms rounded up.
fn wire_ms(bytes: u64) -> u64 {
    (bytes * 10 * 1000).div_ceil(9600)
}

/// What every full read returns: clock, object list, a register with
/// scaler and unit, two days of load profile with its line time, the event log.
fn check_full_read(v: &serde_json::Value, what: &str) {
    assert!(v["clock"].as_str().is_some_and(|c| c.starts_with("2024-05-17 10:3")), "{what}: {}", v["clock"]);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(0), "{what}: {}", v["errors"]);
    let objects = v["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 22, "{what}");
    assert!(objects.iter().any(|o| o["obis"] == "1-0:99.1.0*255" && o["class"] == 7));
    let values = v["values"].as_array().unwrap();
    assert_eq!(values[0]["obis"], "1-0:1.8.0*255");
    assert_eq!(values[0]["unit"], "Wh");
    assert_eq!(values[1]["unit"], "V");
    assert!(values[1]["value"].as_str().unwrap().contains('.'), "{what}: scaler -1 applied");
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2, "{what}");
    let load = &profiles[0];
    assert_eq!(load["obis"], "1-0:99.1.0*255");
    assert_eq!(load["columns"][0], "0-0:1.0.0*255:2");
    assert_eq!(load["rows"].as_array().unwrap().len(), 192, "{what}: two days of quarter hours");
    let t = &load["line_time"];
    let bytes = t["bytes_sent"].as_u64().unwrap() + t["bytes_received"].as_u64().unwrap();
    assert!(bytes > 5000, "{what}: {t}");
    assert_eq!(t["wire_ms"].as_u64(), Some(wire_ms(bytes)), "{what}: {t}");
    assert!(t["line_ms"].is_u64() && t["line"] == "9600 8N1", "{what}: {t}");
    let events = &profiles[1];
    assert_eq!(events["obis"], "0-0:99.98.0*255");
    assert_eq!(events["columns"][1], "0-0:96.11.0*255:2");
    assert!(!events["rows"].as_array().unwrap().is_empty(), "{what}");
    assert!(events["line_time"]["wire_ms"].as_u64().is_some_and(|w| w > 0));
}

#[test]
fn reads_everything_in_process_with_each_authentication() {
    for extra in auth_modes() {
        let mut args = vec!["read", "--protocol", "dlms", "--simulate", "--json", "--clock", "--objects"];
        args.extend(["--profile", "--events"]);
        args.extend_from_slice(&extra);
        args.extend(["1-0:1.8.0.255", "1-0:32.7.0.255"]);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", String::from_utf8_lossy(&out.stdout));
        check_full_read(&json(&out), &format!("{extra:?}"));
    }
}

#[test]
fn meter_operations_and_selective_access_in_process() {
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--simulate",
        "--json",
        "--client",
        "1",
        "--auth",
        "high",
        "--cipher-key",
        EK,
        "--auth-key",
        AK,
        "--dedicated-key",
        "00112233445566778899AABBCCDDEEFF",
        "--firmware",
        "--alarms",
        "--object",
        "0-0:96.3.10.255",
        "--object",
        "0-1:24.1.0.255",
        "--profile",
        "--entries",
        "1:4",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    let values = v["values"].as_array().unwrap();
    let obis: Vec<&str> = values.iter().map(|x| x["obis"].as_str().unwrap()).collect();
    assert_eq!(obis.iter().filter(|o| **o == "0-0:96.3.10*255").count(), 4);
    assert_eq!(obis.iter().filter(|o| **o == "0-1:24.1.0*255").count(), 12);
    assert!(obis.contains(&"1-0:0.2.0*255") && obis.contains(&"0-0:97.98.0*255"));
    assert_eq!(v["profiles"][0]["rows"].as_array().unwrap().len(), 4);
    assert!(v["invocation_counter"].as_u64().is_some_and(|ic| ic > 1));
    // By range: 08:00 to 09:00, five quarter hours.
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--simulate",
        "--json",
        "--profile",
        "--from",
        "2024-05-17 08:00",
        "--to",
        "2024-05-17 09:00",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["profiles"][0]["rows"].as_array().unwrap().len(), 5);
    let out = run(&["read", "--protocol", "dlms", "--simulate", "--profile", "--from", "yesterday", "--to", "now"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not YYYY-MM-DD hh:mm"));
}

/// The same reads as the session tests, across a real pseudo-terminal pair,
/// in each authentication mode.
#[test]
fn reads_everything_across_a_pty_pair_with_each_authentication() {
    let Some(bench) = pty_bench("reads_everything_across_a_pty_pair", &["--protocol", "dlms"]) else {
        return;
    };
    for extra in auth_modes() {
        let mut args = vec!["read", "--protocol", "dlms", "--port", bench.port(), "--json", "--clock"];
        args.extend(["--objects", "--profile", "--events"]);
        args.extend_from_slice(&extra);
        args.extend(["1-0:1.8.0.255", "1-0:32.7.0.255"]);
        let out = run(&args);
        check_full_read(&ok_with(&out, &format!("{extra:?}\n")), &format!("pty {extra:?}"));
    }
}

#[test]
fn profile_line_time_is_printed_next_to_wire_time_across_a_pty_pair() {
    let Some(bench) = pty_bench("profile_line_time_is_printed", &["--protocol", "dlms"]) else {
        return;
    };
    let out = run(&["read", "--protocol", "dlms", "--port", bench.port(), "--profile"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("profile 1-0:99.1.0*255 Load profile 1: 192 rows"), "{text}");
    let line = text.lines().find(|l| l.starts_with("1-0:99.1.0*255: line time ")).expect("a line-time line");
    // `line time N ms, wire time M ms (S bytes sent, R received, F frames sent, at 9600 8N1)`
    let num = |after: &str| -> u64 {
        let rest = &line[line.find(after).unwrap() + after.len()..];
        rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    let (wire, sent, received) = (num("wire time "), num("ms ("), num("sent, "));
    assert_eq!(wire, wire_ms(sent + received), "{line}");
    assert!(line.ends_with("at 9600 8N1)"), "{line}");
}

#[test]
fn rejections_in_words_across_a_pty_pair() {
    let Some(bench) = pty_bench("rejections_in_words_across_a_pty_pair", &["--protocol", "dlms"]) else {
        return;
    };
    let port = bench.port();
    let wrong = ["read", "--protocol", "dlms", "--port", port, "--client", "32", "--auth", "low", "--password", "x"];
    let out = run(&[&wrong[..], &["--clock"]].concat());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("association  error: association rejected: rejected (permanent), authentication failure"),
        "{text}"
    );
    let out = run(&["read", "--protocol", "dlms", "--port", port, "--client", "1", "--clock"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rejected (permanent), authentication required"), "{text}");
}

/// A meter with a window of 4 and general block transfer, and one with
/// short names, across the pty pair.
#[test]
fn windows_gbt_and_short_names_across_a_pty_pair() {
    let gbt = ["--protocol", "dlms", "--window", "4", "--gbt-window", "3"];
    let Some(bench) = pty_bench("windows_gbt_across_a_pty_pair", &gbt) else {
        return;
    };
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--port",
        bench.port(),
        "--json",
        "--window",
        "4",
        "--client",
        "32",
        "--auth",
        "low",
        "--password",
        "12345678",
        "--clock",
        "--objects",
        "--profile",
        "--events",
        "1-0:1.8.0.255",
        "1-0:32.7.0.255",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    check_full_read(&json(&out), "window 4, GBT");
    drop(bench);
    let Some(bench) = pty_bench("short_names_across_a_pty_pair", &["--protocol", "dlms", "--short-names"]) else {
        return;
    };
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--port",
        bench.port(),
        "--json",
        "--short-names",
        "--clock",
        "--objects",
        "--profile",
        "--events",
        "1-0:1.8.0.255",
        "1-0:32.7.0.255",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    check_full_read(&json(&out), "short names");
}
