//! `meterscope read --protocol dlms` and `meterscope simulate --protocol dlms`:
//! the DLMS/COSEM session over the in-process simulated meter and over a real
//! pseudo-terminal pair made by socat.

mod common;
use common::{json, pty_bench, run};
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
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert!(v["clock"].as_str().is_some_and(|c| c.starts_with("2024-05-17 10:3")), "{}", v["clock"]);
    let values = v["values"].as_array().unwrap();
    let obis: Vec<&str> = values.iter().map(|x| x["obis"].as_str().unwrap()).collect();
    assert_eq!(obis, ["1-0:1.8.0*255", "1-0:2.8.0*255", "1-0:31.7.0*255", "0-0:96.1.0*255"]);
    assert_eq!(values[2]["unit"], "A");
    assert_eq!(values[3]["value"], "00000001");
}
