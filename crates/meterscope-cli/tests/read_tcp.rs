//! `meterscope simulate --tcp` for every protocol, and `meterscope read` over
//! TCP with the choices a third-party meter needs: the DL/T 698.45 application
//! connection and client address, DLMS over HDLC or the wrapper, and the wire
//! trace (`--trace`, `--trace-file`).

mod common;
use common::{json, ok, run, tcp_bench};

#[test]
fn dlt698_with_connect_password_and_client_address_over_tcp() {
    let bench = tcp_bench(&["--protocol", "dlt698", "--password", "123456"]);
    let file = std::env::temp_dir().join(format!("meterscope-trace-{}.json", std::process::id()));
    let file_arg = file.to_str().unwrap();
    let out = run(&[
        "read",
        "--protocol",
        "dlt698",
        "--tcp",
        &bench.addr,
        "--connect",
        "--password",
        "123456",
        "--client-address",
        "0x20",
        "--json",
        "--trace",
        "--trace-file",
        file_arg,
        "00100200",
        "20000200",
        "40000200",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v = json(&out);
    assert_eq!(v["values"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(v["values"][1]["items"][0]["unit"], "V");
    // The trace on standard error: JSON lines, both directions, each frame named.
    let lines: Vec<serde_json::Value> =
        stderr.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|l| l["dir"] == "tx" && l["frames"][0].as_str().unwrap().contains("CONNECT-Request")));
    assert!(lines.iter().any(|l| l["dir"] == "rx" && l["frames"][0].as_str().unwrap().contains("CONNECT-Response")));
    assert!(lines.iter().any(|l| l["frames"][0].as_str().unwrap().contains("RELEASE-Response")));
    // The file: the reader page's replay format, every frame sent with client address 0x20.
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let _ = std::fs::remove_file(&file);
    assert_eq!(
        (doc["format"].as_str(), doc["version"].as_i64(), doc["protocol"].as_str()),
        (Some("meterscope-trace"), Some(1), Some("dlt698"))
    );
    let entries = doc["entries"].as_array().unwrap();
    let tx: Vec<&str> = entries.iter().filter(|e| e["dir"] == "tx").map(|e| e["hex"].as_str().unwrap()).collect();
    assert_eq!(tx.len(), 6, "find, CONNECT, three GETs, RELEASE: {tx:?}");
    assert!(tx.iter().all(|h| h.split(' ').nth(15) == Some("20")), "CA 0x20 in every request: {tx:?}");
    assert_eq!(entries.iter().filter(|e| e["dir"] == "rx").count(), 6);
}

#[test]
fn a_failed_read_shows_the_bytes_and_the_reason() {
    let bench = tcp_bench(&["--protocol", "dlt698", "--require-connect"]);
    let out = run(&["read", "--protocol", "dlt698", "--tcp", &bench.addr, "--connect", "never", "--trace", "20000200"]);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("service not supported") && stdout.contains("application connection"), "{stdout}");
    let tx = stderr.lines().find(|l| l.contains(" TX ")).expect("a TX line");
    let rx = stderr.lines().find(|l| l.contains(" RX ")).expect("an RX line");
    assert!(tx.contains("68 17 00 43 45 AA AA AA AA AA AA 10"), "{stderr}");
    assert!(rx.contains("EE") && stderr.contains("ERROR-Response"), "{stderr}");
    // Auto (the default): the same meter reads, the connection opened because it asked.
    let out = run(&["read", "--protocol", "dlt698", "--tcp", &bench.addr, "-v", "20000200"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("opening an application connection"), "{stderr}");
}

#[test]
fn dlms_over_hdlc_and_the_wrapper_on_tcp() {
    for transport in ["hdlc", "wrapper"] {
        let bench = tcp_bench(&["--protocol", "dlms", "--transport", transport]);
        let out = run(&[
            "read",
            "--protocol",
            "dlms",
            "--tcp",
            &bench.addr,
            "--transport",
            transport,
            "--json",
            "--clock",
            "1-0:1.8.0.255",
            "1-0:32.7.0.255",
        ]);
        assert_eq!(out.status.code(), Some(0), "{transport}: {}", String::from_utf8_lossy(&out.stderr));
        let v = json(&out);
        assert_eq!(v["values"].as_array().unwrap().len(), 2, "{transport}: {v}");
        assert!(v["clock"].is_string(), "{transport}: {v}");
        // The wrong link is refused in words, not hung on.
        let other = if transport == "hdlc" { "wrapper" } else { "hdlc" };
        let out = run(&[
            "read",
            "--protocol",
            "dlms",
            "--tcp",
            &bench.addr,
            "--transport",
            other,
            "--timeout",
            "300",
            "--retries",
            "0",
            "1-0:1.8.0.255",
        ]);
        assert_eq!(out.status.code(), Some(1), "{transport} read as {other}");
    }
    // An HDLC server address with a physical part.
    let bench = tcp_bench(&["--protocol", "dlms", "--transport", "hdlc"]);
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--tcp",
        &bench.addr,
        "--transport",
        "hdlc",
        "--server-physical",
        "17",
        "--trace",
        "--timeout",
        "300",
        "--retries",
        "0",
        "1-0:1.8.0.255",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(" TX  7E A0"), "{stderr}");
    for bad in [
        &["read", "--protocol", "dlms", "--tcp", &bench.addr, "--transport", "x25", "1-0:1.8.0.255"][..],
        &["read", "--protocol", "dlms", "--tcp", &bench.addr, "--server-physical", "17", "1-0:1.8.0.255"],
    ] {
        assert_eq!(run(bad).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn every_simulated_meter_serves_on_tcp() {
    let bench = tcp_bench(&["--protocol", "dlt645"]);
    let out = run(&["read", "--protocol", "dlt645", "--tcp", &bench.addr, "--json", "--clock", "00010000"]);
    assert!(ok(&out)["values"].as_array().unwrap().iter().any(|v| v["di"] == "00010000"));

    let bench = tcp_bench(&["--protocol", "iec62056-21"]);
    let out = run(&["read", "--protocol", "iec62056-21", "--tcp", &bench.addr, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn qgdw1376_2_reads_meters_through_a_module_over_tcp() {
    let bench = tcp_bench(&["--protocol", "qgdw1376.2", "--report-after", "2"]);
    let out = run(&[
        "read",
        "--protocol",
        "qgdw1376.2",
        "--tcp",
        &bench.addr,
        "--json",
        "-v",
        "--add-nodes",
        "--listen",
        "500",
        "info",
        "nodes",
        "645:240517000001:00010000",
        "698:240517000002:00100200",
        "698:240517000002:clock",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout: {}\nstderr: {stderr}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert_eq!(v["module"]["vendor"], "MS", "{v}");
    assert_eq!(v["nodes"]["total"], 2);
    let values = v["values"].as_array().unwrap();
    assert!(values.iter().any(|x| x["id"] == "00010000" && x["items"][0]["unit"] == "kWh"), "{v}");
    assert!(values.iter().any(|x| x["id"] == "00100200" && x["items"].as_array().unwrap().len() == 5), "{v}");
    assert_eq!(v["clocks"].as_array().unwrap().len(), 1, "{v}");
    // The module's report after the second forward (the 698.45 meter's
    // REPORT-Notification), confirmed and answered with a REPORT-Response.
    assert!(!v["reports"].as_array().unwrap().is_empty(), "{v}");
    assert!(stderr.contains("report AFN 06 F5"), "{stderr}");
    assert!(stderr.contains("REPORT-Response sent to meter 240517000002"), "{stderr}");
    assert!(v["errors"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn qgdw1376_1_reads_a_terminal_over_tcp() {
    let bench = tcp_bench(&["--protocol", "qgdw1376.1", "--terminal", "3501-0002"]);
    let out = run(&[
        "read",
        "--protocol",
        "qgdw1376.1",
        "--tcp",
        &bench.addr,
        "--address",
        "3501-0002",
        "--json",
        "clock",
        "c1:1:129",
        "events",
        "relay:2:240517000001:00010000",
        "relay698:2:240517000003:00100200",
    ]);
    let v = ok(&out);
    assert_eq!(v["terminal"], "3501-0002");
    // The DL/T 698.45 measurement point behind the terminal, by relay.
    assert_eq!(v["relays"][1]["value"]["id"], "00100200", "{v}");
    assert_eq!(v["relays"][1]["value"]["meter"], "240517000003");
    assert_eq!(v["relays"][1]["value"]["items"].as_array().unwrap().len(), 5);
    assert!(v["clock"].as_str().is_some(), "{v}");
    assert_eq!(v["link_tests"][0], "login");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 3, "{v}");
    let items = data[1]["items"].as_array().unwrap();
    let total: f64 = items.iter().find(|i| i["unit"] == "kWh").unwrap()["value"].as_str().unwrap().parse().unwrap();
    let relayed: f64 = v["relays"][0]["value"]["items"][0]["value"].as_str().unwrap().parse().unwrap();
    assert!((total - relayed).abs() < 0.011, "{total} vs {relayed}");
    // The three event records.
    let events = data[2]["items"].as_array().unwrap();
    assert_eq!(events.iter().filter(|i| i["label"].as_str().unwrap().starts_with("Event code")).count(), 3, "{v}");
}

/// `--capture-file`: the exchange of a read over TCP as a pcapng capture that
/// the core's capture reader gives back in order, every payload one valid frame.
#[test]
fn a_read_over_tcp_recorded_as_a_capture() {
    use meterscope_core::{Options, Registry, capture};
    let bench = tcp_bench(&["--protocol", "dlms", "--transport", "wrapper"]);
    let dir = std::env::temp_dir();
    let (cap_file, trace_file) = (
        dir.join(format!("meterscope-capture-{}.pcapng", std::process::id())),
        dir.join(format!("meterscope-capture-{}.json", std::process::id())),
    );
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--tcp",
        &bench.addr,
        "--transport",
        "wrapper",
        "--capture-file",
        cap_file.to_str().unwrap(),
        "--trace-file",
        trace_file.to_str().unwrap(),
        "1-0:1.8.0.255",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let file = std::fs::read(&cap_file).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&trace_file).unwrap()).unwrap();
    let _ = (std::fs::remove_file(&cap_file), std::fs::remove_file(&trace_file));
    let entries = doc["entries"].as_array().unwrap();
    let cap = capture::read(&file).expect("a capture").expect("readable");
    assert_eq!(cap.packets, entries.len() + 2, "handshake and one packet per entry");
    assert_eq!(cap.streams.len(), 1);
    assert_eq!(cap.streams[0].b.port, bench.addr.rsplit(':').next().unwrap().parse::<u16>().unwrap());
    assert_eq!(cap.chunks.len(), entries.len());
    for (c, e) in cap.chunks.iter().zip(entries) {
        assert_eq!(meterscope_core::to_hex(&cap.bytes[c.offset..c.offset + c.len]), e["hex"].as_str().unwrap());
        assert_eq!(c.from.port == 50000, e["dir"] == "tx");
    }
    let d = Registry::default().dissect(&cap.bytes, &cap.line_starts, &Options::default());
    let d = d.render(meterscope_core::Lang::En);
    assert_eq!(d.frames.len(), entries.len());
    assert!(d.frames.iter().all(|f| f.valid && f.protocol == "dlms-wrapper"), "{:?}", d.frames);
    // A read that is not over TCP has no network to record.
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--simulate",
        "--capture-file",
        cap_file.to_str().unwrap(),
        "1-0:1.8.0.255",
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--capture-file records a read over TCP"));
}
