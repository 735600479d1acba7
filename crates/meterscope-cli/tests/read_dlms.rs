//! `meterscope read --protocol dlms` and `meterscope simulate --protocol dlms`:
//! the DLMS/COSEM session over the in-process simulated meter and over a real
//! pseudo-terminal pair made by socat.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_meterscope");
const EK: &str = "000102030405060708090A0B0C0D0E0F";
const AK: &str = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run meterscope")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

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
struct Kill(Vec<Child>);

impl Drop for Kill {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn find_socat() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("socat")).find(|p| p.is_file())
}

fn wait_for(paths: &[&Path], limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if paths.iter().all(|p| p.exists()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn reads_registers_and_the_clock_across_a_pty_pair() {
    let Some(socat) = find_socat() else {
        println!("SKIPPED reads_registers_and_the_clock_across_a_pty_pair: socat not found");
        return;
    };
    let dir = std::env::temp_dir().join(format!("meterscope-dlms-pty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("client"), dir.join("meter"));
    let link = |p: &Path| format!("pty,raw,echo=0,link={}", p.display());
    let mut kids = Kill(Vec::new());
    kids.0.push(
        Command::new(socat)
            .args(["-d", "-d", &link(&a), &link(&b)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start socat"),
    );
    assert!(wait_for(&[&a, &b], Duration::from_secs(10)), "socat made no ptys");
    kids.0.push(
        Command::new(BIN)
            .args(["simulate", "--protocol", "dlms", "--port", b.to_str().unwrap(), "--seconds", "60"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the simulated meter"),
    );
    std::thread::sleep(Duration::from_millis(300));
    let out = run(&[
        "read",
        "--protocol",
        "dlms",
        "--port",
        a.to_str().unwrap(),
        "--json",
        "--clock",
        "1-0:1.8.0.255",
        "1-0:2.8.0.255",
        "1-0:31.7.0.255",
        "0-0:96.1.0.255",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
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
