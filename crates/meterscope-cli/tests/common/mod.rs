//! Shared by the CLI's test files: running the binary, and a test bench of a
//! real pseudo-terminal pair (`socat`) with the simulated meter on one end.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_meterscope");

pub fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run meterscope")
}

/// The JSON of a run that must exit 0 (its output shown when it did not).
pub fn ok(out: &Output) -> serde_json::Value {
    ok_with(out, "")
}

/// [`ok`], with `what` (the case a loop is at) before the output shown.
pub fn ok_with(out: &Output, what: &str) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json(out)
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// A pty pair with `meterscope simulate` on one end. The processes are killed
/// and the directory removed when it is dropped, however the test ends.
pub struct Bench {
    kids: Vec<Child>,
    dir: PathBuf,
    /// The end the reader opens.
    pub port: PathBuf,
}

impl Bench {
    pub fn port(&self) -> &str {
        self.port.to_str().expect("UTF-8 temp path")
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        for c in &mut self.kids {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
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

/// Start socat and `meterscope simulate --port <meter end> --seconds 60 <simulate_args>`.
/// Without socat the test fails (scripts/setup.sh installs it), unless
/// `METERSCOPE_SKIP_PTY=1` asks to skip: then `None`, with a SKIPPED line naming `test`.
pub fn pty_bench(test: &str, simulate_args: &[&str]) -> Option<Bench> {
    let Some(socat) = find_socat() else {
        let why = "socat not found (apt-get install -y socat; scripts/setup.sh installs it)";
        if std::env::var_os("METERSCOPE_SKIP_PTY").is_some_and(|v| v == "1") {
            println!("SKIPPED {test}: {why}");
            return None;
        }
        panic!("{test}: {why}; METERSCOPE_SKIP_PTY=1 skips the pseudo-terminal tests");
    };
    let dir = std::env::temp_dir().join(format!("meterscope-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (reader, meter) = (dir.join("reader"), dir.join("meter"));
    let link = |p: &Path| format!("pty,raw,echo=0,link={}", p.display());
    let mut bench = Bench { kids: Vec::new(), dir, port: reader.clone() };
    bench.kids.push(
        Command::new(socat)
            .args(["-d", "-d", &link(&reader), &link(&meter)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start socat"),
    );
    assert!(wait_for(&[&reader, &meter], Duration::from_secs(10)), "socat made no ptys");
    bench.kids.push(
        Command::new(BIN)
            .args(["simulate", "--port", meter.to_str().unwrap(), "--seconds", "60"])
            .args(simulate_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the simulated meter"),
    );
    std::thread::sleep(Duration::from_millis(300));
    Some(bench)
}

/// `meterscope simulate --tcp 0 <simulate_args>` running; killed when dropped.
pub struct TcpBench {
    kid: Child,
    /// `127.0.0.1:PORT` as the simulator reported it.
    pub addr: String,
}

impl Drop for TcpBench {
    fn drop(&mut self) {
        let _ = self.kid.kill();
        let _ = self.kid.wait();
    }
}

/// Start a simulated meter on a TCP port the system chooses, and wait until it listens.
pub fn tcp_bench(simulate_args: &[&str]) -> TcpBench {
    use std::io::{BufRead, BufReader};
    let mut kid = Command::new(BIN)
        .args(["simulate", "--tcp", "0", "--seconds", "60"])
        .args(simulate_args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the simulated meter");
    let mut lines = BufReader::new(kid.stderr.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let addr = first.rsplit("on tcp ").next().unwrap_or_default().trim().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "simulate said: {first}");
    // Keep draining what it says so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    TcpBench { kid, addr }
}
