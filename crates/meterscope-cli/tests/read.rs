//! `meterscope read` and `meterscope simulate`: the DL/T 645 session over the
//! in-process simulated meter and over a real pseudo-terminal pair.

mod common;
use std::time::{Duration, Instant};

use common::{ok, pty_bench, run};

/// Ten identifiers: energies, a tariff block, variables, parameters, the clock.
const TEN: [&str; 10] = [
    "00010000", "0001FF00", "00020000", "0201FF00", "02020100", "02030000", "02800002", "04000401", "04000402",
    "04000102",
];

#[test]
fn reads_the_simulated_meter() {
    let mut args = vec!["read", "--protocol", "dlt645", "--simulate", "--json", "--clock"];
    args.extend(TEN);
    let out = run(&args);
    let v = ok(&out);
    assert_eq!(v["meter"], "123456789012");
    assert!(v["clock"].as_str().is_some_and(|c| c.starts_with("2024-05-17 10:30")), "{}", v["clock"]);
    let values = v["values"].as_array().unwrap();
    // The clock adds two values (date, time) before the ten.
    assert_eq!(values.len(), 12);
    let energy = &values[2];
    assert_eq!(energy["di"], "00010000");
    assert_eq!(energy["items"][0]["unit"], "kWh");
    let block = &values[3]["items"];
    let total: f64 = block[0]["value"].as_str().unwrap().parse().unwrap();
    let tariffs: f64 = (1..5).map(|i| block[i]["value"].as_str().unwrap().parse::<f64>().unwrap()).sum();
    assert!((total - tariffs).abs() < 0.005, "{total} vs {tariffs}");
    assert_eq!(values[9]["items"][0]["value"], "123456789012");
}

#[test]
fn text_output_and_failed_reads() {
    let out = run(&["read", "--protocol", "dlt645", "--simulate", "--address", "123456789012", "00010000", "77777777"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("00010000  Forward active energy, total, current:"), "{text}");
    assert!(text.contains(" kWh"), "{text}");
    assert!(text.contains("77777777  error: abnormal reply, ERR 0x02: no requested data"), "{text}");
    let zh = run(&["read", "--protocol", "dlt645", "--simulate", "--lang", "zh", "02010100"]);
    assert_eq!(zh.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&zh.stdout).contains("A相电压"));
    // A meter at another address does not answer: timeouts, exit 1.
    let none = run(&[
        "read",
        "--protocol",
        "dlt645",
        "--simulate",
        "--address",
        "000000000001",
        "--timeout",
        "100",
        "00010000",
    ]);
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stdout).contains("no reply after 3 attempt(s)"));
}

#[test]
fn dlt645_1997_from_the_simulated_meter() {
    let out = run(&["read", "--protocol", "dlt645-1997", "--simulate", "--json", "9010", "901F", "B611", "C032"]);
    let v = ok(&out);
    assert_eq!(v["values"].as_array().unwrap().len(), 4);
    assert_eq!(v["values"][2]["items"][0]["unit"], "V");
}

#[test]
fn unusable_arguments_exit_2() {
    for args in [
        &["read", "--protocol", "dlt645", "00010000"][..],
        &["read", "--protocol", "dlms", "--simulate", "00010000"],
        &["read", "--protocol", "dlt645", "--simulate", "0001000"],
        &["read", "--protocol", "dlt645", "--simulate", "--address", "12345", "00010000"],
        &["read", "--protocol", "dlt645", "--simulate"],
        &["read", "--protocol", "dlt645", "--port", "/dev/meterscope-no-such-port", "00010000"],
        &["read", "--protocol", "dlt645", "--port", "/dev/null", "--parity", "X", "00010000"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn reads_ten_identifiers_across_a_pty_pair() {
    let Some(bench) =
        pty_bench("reads_ten_identifiers_across_a_pty_pair", &["--protocol", "dlt645", "--max-data", "12"])
    else {
        return;
    };
    let mut args = vec!["read", "--protocol", "dlt645", "--port", bench.port(), "--json"];
    args.extend(TEN);
    let out = run(&args);
    let v = ok(&out);
    let values = v["values"].as_array().unwrap();
    assert_eq!(values.len(), 10);
    let dis: Vec<&str> = values.iter().map(|x| x["di"].as_str().unwrap()).collect();
    assert_eq!(dis, TEN);
    // With 12 data bytes per frame the tariff block needs follow-up frames.
    assert_eq!(values[1]["frames"], 2);
    assert_eq!(v["meter"], "123456789012");
}

#[test]
fn reads_over_tcp() {
    use meterscope_core::protocols::dlt645::simulator::{Dlt645Meter, MeterConfig};
    use meterscope_core::session::{Millis, SimulatedMeter};
    use std::io::{Read, Write};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut meter = Dlt645Meter::new(MeterConfig::default());
        let start = Instant::now();
        let mut buf = [0u8; 256];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            meter.handle_input(Millis(start.elapsed().as_millis() as u64), &buf[..n]);
            while let Some(reply) = meter.poll_transmit() {
                // In two pieces, as a serial server may forward them.
                let (a, b) = reply.split_at(reply.len() / 2);
                stream.write_all(a).unwrap();
                std::thread::sleep(Duration::from_millis(5));
                stream.write_all(b).unwrap();
            }
        }
    });
    let out = run(&["read", "--protocol", "dlt645", "--tcp", &addr, "--json", "00010000", "04000402"]);
    assert_eq!(ok(&out)["values"].as_array().unwrap().len(), 2);
    server.join().unwrap();
}
