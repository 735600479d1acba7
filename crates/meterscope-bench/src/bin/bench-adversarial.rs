//! The adversarial benchmark: inputs built to make framing or dissection
//! slower than linear (runs of each special byte, repeated headers that
//! announce long frames of every family, M-Bus, wireless M-Bus and SML included, nested
//! A-XDR headers, unterminated text messages),
//! each timed whole (`Registry::dissect`, auto-detection) at two sizes, n and
//! 3n. A linear cost grows about 3×; the report flags any class whose time
//! grows more than 3.5× and exits 1, and times 1 MB of `7E` and of `FE`.
//!
//! `bench-adversarial [n]` (default 1000000 bytes: both sizes well beyond the
//! processor's caches, so that the growth measured is the algorithm's).

use std::time::Instant;

use meterscope_core::{Options, Registry};

/// `unit` repeated to `n` bytes, after `head`.
fn repeated(head: &[u8], unit: &[u8], n: usize) -> Vec<u8> {
    let mut out = head.to_vec();
    while out.len() < n {
        out.extend_from_slice(unit);
    }
    out.truncate(n.max(head.len()));
    out
}

fn classes(n: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut rng = meterscope_core::session::Rng::new(n as u64);
    let mut nested = vec![0x00, 0x01, 0x00, 0x10, 0x00, 0x01];
    let body = repeated(&[0xC4, 0x01, 0xC1, 0x00], &[0x01, 0x82, 0xFF, 0xFF], n.saturating_sub(8));
    nested.extend_from_slice(&(body.len().min(0xFFFF) as u16).to_be_bytes());
    nested.extend_from_slice(&body);
    vec![
        ("run of 7E (HDLC flags)", vec![0x7E; n]),
        ("run of FE (wake-up)", vec![0xFE; n]),
        ("run of 68 (DL/T start)", vec![0x68; n]),
        ("run of 00", vec![0x00; n]),
        ("run of 0D 0A", repeated(&[], b"\r\n", n)),
        ("run of / (IEC start)", vec![b'/'; n]),
        ("run of 02 (STX)", vec![0x02; n]),
        (
            "DL/T 645 headers, long data",
            repeated(&[], &[0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x91, 0xC8], n),
        ),
        ("DL/T 698.45 headers, long frames", repeated(&[], &[0x68, 0xFF, 0x3F, 0x43, 0x05, 1, 2, 3, 4, 5, 6, 0x10], n)),
        ("HDLC headers, long frames", repeated(&[], &[0x7E, 0xA7, 0xFF, 0x03, 0x21, 0x10], n)),
        ("wrapper headers, long payloads", repeated(&[], &[0x00, 0x01, 0x00, 0x10, 0x00, 0x01, 0xFF, 0xFF], n)),
        ("nested A-XDR array headers", nested),
        ("IEC identification, no CR LF", repeated(b"/ABC5", b"X", n)),
        ("IEC data block, no ETX", repeated(&[0x02], b"1.8.0(0001234.5*kWh)", n)),
        ("DSMR telegram, no end", repeated(b"/ISK5\\2M550E-1011\r\n\r\n", b"1-0:1.8.1(000123.456*kWh)\r\n", n)),
        (
            "IEC identification, data lines, no !",
            repeated(b"/LUGCUH50\r\n", b"6.8(0328.871*GJ)6.26(03329.67*m3)\r\n", n),
        ),
        ("IEC identifications and data lines", repeated(&[], b"/ABC5X\r\n1.8.0(1)2.8.0(2)\r\n", n)),
        ("Q/GDW 1376.1 headers, long frames", repeated(&[], &[0x68, 0xFE, 0xFF, 0xFE, 0xFF, 0x68, 0x4B, 0x01], n)),
        ("Q/GDW 1376.2 headers, long frames", repeated(&[], &[0x68, 0xFF, 0xFF, 0x41, 0x04, 0x00], n)),
        ("M-Bus headers, long frames", repeated(&[], &[0x68, 0xFF, 0xFF, 0x68, 0x08, 0x01, 0x72], n)),
        ("M-Bus short frames, no end", repeated(&[], &[0x10, 0x5B, 0x01, 0x5C], n)),
        (
            "wireless M-Bus link headers",
            repeated(&[], &[0xFF, 0x44, 0x93, 0x15, 0x78, 0x56, 0x34, 0x12, 0x33, 0x03, 0x7A], n),
        ),
        ("SML start escapes, no end", repeated(&[], &[0x1B, 0x1B, 0x1B, 0x1B, 0x01, 0x01, 0x01, 0x01, 0x76], n)),
        ("SML escapes in data", repeated(&[0x1B, 0x1B, 0x1B, 0x1B, 0x01, 0x01, 0x01, 0x01], &[0x1B; 8], n)),
        ("random bytes", (0..n).map(|_| rng.range(0, 255) as u8).collect()),
    ]
}

/// Best of at least three runs, more while they add up to under 0.1 s (short
/// times vary most): seconds to dissect `bytes`.
fn time(reg: &Registry, bytes: &[u8]) -> f64 {
    let opts = Options::default();
    let (mut best, mut total, mut runs) = (f64::INFINITY, 0.0, 0);
    while runs < 3 || (total < 0.1 && runs < 100) {
        let t = Instant::now();
        let d = reg.dissect(bytes, &[], &opts);
        std::hint::black_box(d.frames.len());
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        total += s;
        runs += 1;
    }
    best
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let reg = Registry::default();
    let (small, large) = (classes(n), classes(3 * n));
    println!("{:<36} {:>12} {:>12} {:>7}", "class", format!("{n} B ms"), format!("{} B ms", 3 * n), "growth");
    let mut worst = 0f64;
    for ((name, a), (_, b)) in small.iter().zip(&large) {
        let (ta, tb) = (time(&reg, a), time(&reg, b));
        // Below 0.2 ms the clock says little: count such times as 0.2 ms.
        let growth = tb.max(2e-4) / ta.max(2e-4);
        worst = worst.max(growth);
        let flag = if growth > 3.5 { "  FASTER THAN LINEAR" } else { "" };
        println!("{name:<36} {:>12.2} {:>12.2} {growth:>6.2}x{flag}", ta * 1e3, tb * 1e3);
    }
    for (name, byte) in [("1 MB of 7E", 0x7E), ("1 MB of FE", 0xFE)] {
        println!("{name:<36} {:>12.2} ms", time(&reg, &vec![byte; 1 << 20]) * 1e3);
    }
    println!("worst growth for 3x the input: {worst:.2}x (linear: 3x; limit 3.5x)");
    std::process::exit(if worst > 3.5 { 1 } else { 0 });
}
