//! Architecture invariants of the protocol core, checked on its sources.
//!
//! The core is sans-IO and runs unchanged natively and in the browser: it
//! reads no clock, opens no file, socket or port, starts no thread and knows
//! no web API. Transports, clocks and the page live in the crates around it
//! (the CLI, the app, the WebAssembly modules). Two checks keep it so:
//!
//! - **dependencies**: no crate of the web platform or of I/O among the
//!   core's library dependencies (`[dependencies]` and
//!   `[build-dependencies]`, target-specific tables included; the
//!   dev-dependencies of its tests are not the core), see [`FORBIDDEN_CRATES`];
//! - **standard library**: no module of the core's `src/` compiled outside
//!   tests names the parts of `std` that do I/O or read a clock, see
//!   [`FORBIDDEN_STD`]. The modules are found by walking the module tree from
//!   `lib.rs` (`mod x;` declarations), leaving out `#[cfg(test)]` modules and
//!   items; comments, strings and character literals are not code.
//!
//! The one platform service the core uses is `getrandom` (the operating
//! system's or the browser's cryptographic source, behind `session::Random`),
//! which is a dependency like any other and allowed here by name.

use std::fs;
use std::path::{Path, PathBuf};

mod source;

/// Crates the core must not depend on, with why. An entry ending in `*`
/// matches every crate whose name starts with what precedes it.
const FORBIDDEN_CRATES: &[(&str, &str)] = &[
    // The web platform: the app and the WebAssembly modules bind it, the core does not.
    ("wasm-bindgen", "JavaScript bindings"),
    ("wasm-bindgen-*", "JavaScript bindings"),
    ("js-sys", "JavaScript bindings"),
    ("web-sys", "browser APIs"),
    ("gloo*", "browser APIs"),
    ("serde-wasm-bindgen", "JavaScript values"),
    ("leptos*", "the page's UI framework"),
    // I/O: ports, sockets, files and the runtimes that drive them are the transports' job.
    ("serialport", "serial ports"),
    ("tokio*", "an I/O runtime"),
    ("async-std", "an I/O runtime"),
    ("smol", "an I/O runtime"),
    ("mio", "sockets and event loops"),
    ("socket2", "sockets"),
    ("hyper*", "HTTP"),
    ("reqwest", "HTTP"),
    ("ureq", "HTTP"),
    ("pcap*", "packet capture devices (the core reads capture files handed to it as bytes)"),
    // Direct operating-system calls.
    ("libc", "operating-system calls"),
    ("nix", "operating-system calls"),
    ("winapi", "operating-system calls"),
    ("windows-sys", "operating-system calls"),
    ("windows", "operating-system calls"),
];

/// Paths of `std` the core's code must not name, with why. `std::io` is not
/// here: its traits and error type carry no I/O of their own.
const FORBIDDEN_STD: &[(&str, &str)] = &[
    ("std::fs", "files"),
    ("std::net", "sockets"),
    ("std::thread", "threads (and sleeping)"),
    ("std::process", "processes"),
    ("std::env", "the environment"),
    ("std::time::Instant", "the clock (time is the caller's `Millis`)"),
    ("std::time::SystemTime", "the clock (time is the caller's `Millis`)"),
    ("std::time::UNIX_EPOCH", "the clock (time is the caller's `Millis`)"),
];

fn core_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ------------------------------------------------------------ dependencies

/// The names of the library dependencies in a Cargo manifest: the keys of
/// every `[dependencies]` and `[build-dependencies]` table (target-specific
/// ones too), and of `[dependencies.NAME]` tables, with `package = "…"`
/// renames resolved.
fn library_dependencies(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_table = false;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            let header = line.trim_matches(|c| c == '[' || c == ']').trim();
            let last = header.rsplit('.').next().unwrap_or("");
            in_table = last == "dependencies" || last == "build-dependencies";
            // `[dependencies.serde]`, `[target.'cfg(…)'.dependencies.serde]`
            if let Some(i) = header.find("dependencies.")
                && !header.contains("dev-dependencies")
            {
                out.push(header[i + "dependencies.".len()..].trim_matches('"').to_string());
            }
            continue;
        }
        if !in_table || line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let key = key.trim().trim_matches('"');
        let package = value.split("package").nth(1).and_then(|rest| rest.split('"').nth(1)).map(str::to_string);
        out.push(package.unwrap_or_else(|| key.to_string()));
    }
    out
}

fn forbidden_crate(name: &str) -> Option<&'static str> {
    FORBIDDEN_CRATES.iter().find_map(|&(pattern, why)| {
        let hit = match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == pattern,
        };
        hit.then_some(why)
    })
}

fn dependency_violations(manifest: &str) -> Vec<String> {
    library_dependencies(manifest)
        .into_iter()
        .filter_map(|d| forbidden_crate(&d).map(|why| format!("depends on `{d}` ({why})")))
        .collect()
}

#[test]
fn the_core_depends_on_no_web_or_io_crate() {
    let manifest = fs::read_to_string(core_dir().join("Cargo.toml")).unwrap();
    let deps = library_dependencies(&manifest);
    assert!(deps.iter().any(|d| d == "crc"), "the manifest was read: {deps:?}");
    let violations = dependency_violations(&manifest);
    assert!(violations.is_empty(), "the core must stay sans-IO and web-free:\n{}", violations.join("\n"));
}

// ------------------------------------------------------------ sources

/// `code` without the items that carry `#[cfg(test)]` (an inline module, a
/// function, an impl, a `mod x;` declaration), and the names of the test
/// modules declared with `mod x;`.
fn without_test_items(code: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(code.len());
    let mut test_mods = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its `;` or at the brace that closes its first `{`.
        let (mut depth, mut end) = (0usize, item.len());
        for (k, c) in item.char_indices() {
            match c {
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        let text = &item[..end];
        if text.ends_with(';')
            && let Some(name) = text.split_whitespace().skip_while(|w| *w != "mod").nth(1)
        {
            test_mods.push(name.trim_end_matches(';').to_string());
        }
        out.extend(text.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        rest = &item[end..];
    }
    out.push_str(rest);
    (out, test_mods)
}

/// The modules declared with `mod x;` in `code` (inline modules have no file).
fn declared_modules(code: &str) -> Vec<String> {
    let words: Vec<&str> = code.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect();
    words
        .windows(2)
        .filter(|w| w[0] == "mod" && w[1].ends_with(';'))
        .map(|w| w[1].trim_end_matches(';').to_string())
        .collect()
}

/// The file of module `name` declared in `file`.
fn module_file(file: &Path, name: &str) -> PathBuf {
    let dir = file.parent().unwrap();
    let stem = file.file_stem().unwrap().to_str().unwrap();
    let base = if stem == "lib" || stem == "mod" || stem == "main" { dir.to_path_buf() } else { dir.join(stem) };
    let flat = base.join(format!("{name}.rs"));
    if flat.exists() { flat } else { base.join(name).join("mod.rs") }
}

/// Forbidden `std` paths named in `code`: written out (`std::fs::read`), or
/// in a `use` group (`use std::{fs, io}`, `use std::time::{Duration, Instant}`,
/// groups in groups, over several lines).
fn std_violations(code: &str) -> Vec<(usize, &'static str, &'static str)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for &(path, why) in FORBIDDEN_STD {
            if names_path(line, path) {
                found.push((n + 1, path, why));
            }
        }
    }
    for (at, _) in code.match_indices("std::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let tail = &code[at..];
        let prefix_len = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
        let Some(group) = braced(&tail[prefix_len..]) else { continue };
        let line = code[..at].matches('\n').count() + 1;
        for full in expand(&tail[..prefix_len], group) {
            for &(path, why) in FORBIDDEN_STD {
                if names_path(&full, path) && !found.iter().any(|f| f.0 == line && f.1 == path) {
                    found.push((line, path, why));
                }
            }
        }
    }
    found
}

/// What is inside the braces `s` starts with, up to the matching one.
fn braced(s: &str) -> Option<&str> {
    if !s.starts_with('{') {
        return None;
    }
    let mut depth = 0;
    for (k, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&s[1..k]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The paths a `use` group names: `expand("std::", "fs, time::{Instant}")`
/// is `std::fs`, `std::time::Instant`.
fn expand(prefix: &str, group: &str) -> Vec<String> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (k, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    let mut out = Vec::new();
    for item in items {
        match item.find('{') {
            Some(open) => {
                let inner = braced(&item[open..]).unwrap_or("");
                let head: String = item[..open].split_whitespace().collect();
                out.extend(expand(&format!("{prefix}{head}"), inner));
            }
            None => {
                // `SystemTime as Clock` names `SystemTime`.
                let leaf: String = item.split(" as ").next().unwrap_or("").split_whitespace().collect();
                if !leaf.is_empty() {
                    out.push(format!("{prefix}{leaf}"));
                }
            }
        }
    }
    out
}

/// `text` names `path` itself or a path under it (`std::fs`, `std::fs::File`, not `std::fsx`).
fn names_path(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(i, _)| {
        let before_ok = !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let after = &text[i + path.len()..];
        before_ok && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
    })
}

/// Every module file of the core compiled outside tests, from `lib.rs` down,
/// with its code (test items removed), and the test module files left out.
fn library_modules(src: &Path) -> (Vec<(PathBuf, String)>, Vec<PathBuf>) {
    let (mut library, mut tests) = (Vec::new(), Vec::new());
    let mut todo = vec![src.join("lib.rs")];
    while let Some(file) = todo.pop() {
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let (code, test_mods) = without_test_items(&source::code(&text));
        for name in declared_modules(&code) {
            todo.push(module_file(&file, &name));
        }
        tests.extend(test_mods.iter().map(|name| module_file(&file, name)));
        library.push((file, code));
    }
    (library, tests)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_uses_no_io_clock_or_threads_of_std() {
    let src = core_dir().join("src");
    let (library, tests) = library_modules(&src);
    // The walk saw every file: each is a library module or inside a test module.
    let mut all = Vec::new();
    rust_files(&src, &mut all);
    let unreached: Vec<_> = all
        .iter()
        .filter(|f| !library.iter().any(|(l, _)| l == *f))
        .filter(|f| {
            !tests.iter().any(|t| {
                // The test module's file, or a file of its own submodules.
                let dir =
                    if t.ends_with("mod.rs") { t.parent().map(Path::to_path_buf) } else { Some(t.with_extension("")) };
                f.starts_with(t) || dir.is_some_and(|d| f.starts_with(d))
            })
        })
        .collect();
    assert!(unreached.is_empty(), "files the module walk did not reach: {unreached:?}");
    assert!(library.len() > 50, "the walk found the modules: {}", library.len());

    let mut violations = Vec::new();
    for (file, code) in &library {
        for (line, path, why) in std_violations(code) {
            let file = file.strip_prefix(core_dir()).unwrap_or(file).display();
            violations.push(format!("{file}:{line}: `{path}` ({why})"));
        }
    }
    assert!(violations.is_empty(), "the core is sans-IO:\n{}", violations.join("\n"));
}

// ------------------------------------------------------------ the checks themselves

#[test]
fn the_dependency_check_catches_web_and_io_crates() {
    let manifest = r#"
[dependencies]
crc = "3"
# tokio = "1" (a comment is no dependency)
my-port = { package = "serialport", version = "4" }

[dependencies.web-sys]
version = "0.3"

[target.'cfg(target_arch = "wasm32")'.dependencies]
wasm-bindgen-futures = "0.4"

[build-dependencies]
tokio-util = "0.7"

[dev-dependencies]
tokio = "1"
"#;
    let v = dependency_violations(manifest);
    assert_eq!(
        v,
        [
            "depends on `serialport` (serial ports)",
            "depends on `web-sys` (browser APIs)",
            "depends on `wasm-bindgen-futures` (JavaScript bindings)",
            "depends on `tokio-util` (an I/O runtime)",
        ],
        "{v:?}"
    );
}

#[test]
fn the_source_check_catches_std_io_and_clocks() {
    let check = |src: &str| -> Vec<&'static str> {
        let (code, _) = without_test_items(&source::code(src));
        std_violations(&code).into_iter().map(|v| v.1).collect()
    };
    assert_eq!(check("use std::fs;\n"), ["std::fs"]);
    assert_eq!(check("let f = std::fs::read(p);"), ["std::fs"]);
    assert_eq!(check("use std::{\n    collections::BTreeMap,\n    net::TcpStream,\n};"), ["std::net"]);
    assert_eq!(check("use std::time::{Duration, Instant};"), ["std::time::Instant"]);
    assert_eq!(check("let t = std::time::SystemTime::now();"), ["std::time::SystemTime"]);
    assert_eq!(check("std::thread::sleep(d);"), ["std::thread"]);
    // Not code, not these paths, or test-only: no finding.
    assert!(check("// std::fs in a comment\n/* std::net /* nested */ */").is_empty());
    assert!(check(r#"let s = "std::thread"; let r = r"std::fs"; let c = '{';"#).is_empty());
    assert!(check("use std::time::Duration; use std::io::Write; use std::fsx;").is_empty());
    assert!(check("#[cfg(test)]\nmod tests {\n    use std::fs;\n    fn f() { let _ = '}'; }\n}\n").is_empty());
    assert!(check("#[cfg(test)]\nfn helper() { std::thread::spawn(|| {}); }\nfn g<'a>(x: &'a u8) {}").is_empty());
    assert_eq!(check("#[cfg(test)]\nmod tests;\nuse std::net::UdpSocket;"), ["std::net"]);
    assert_eq!(check("use std::{\n    io,\n    time::{Duration, SystemTime as Clock},\n};"), ["std::time::SystemTime"]);
    assert_eq!(check("let c = '\\''; let t = ::std::thread::current();"), ["std::thread"]);
}
