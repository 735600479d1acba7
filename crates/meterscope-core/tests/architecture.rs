//! Architecture invariants of the repository, checked on its files: what
//! ARCHITECTURE.md says about the decoder page, the protocol families, the
//! sessions, the dependencies and the size of source files. Each test names
//! the file and line that breaks its rule; ARCHITECTURE.md ("Invariants,
//! checked") lists them.

use std::fs;
use std::path::{Path, PathBuf};

mod source;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn rel(p: &Path) -> String {
    p.strip_prefix(repo()).unwrap_or(p).display().to_string()
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

// ------------------------------------------------------------ reading Rust

/// The line ranges (first, last) of the items marked `#[cfg(test)]` in `code`.
fn test_items(code: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("#[cfg(test)]") {
        let item = &code[at..];
        let (mut depth, mut end) = (0usize, item.len());
        for (k, c) in item.char_indices() {
            match c {
                ';' if depth == 0 => {
                    end = k;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let first = code[..at].matches('\n').count() + 1;
        out.push((first, first + item[..end].matches('\n').count()));
    }
    out
}

fn is_test_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs"
        || name.ends_with("_tests.rs")
        || p.components().any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "benches")))
}

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

// ------------------------------------------------------------ 1. the decoder knows no protocol

/// The decoder page's files: the app's `src/` outside the reader's modules,
/// and the page's pure modules, except the examples gallery (the one place
/// of the page holding protocol data: example frames with their titles).
fn decoder_page_files() -> Vec<PathBuf> {
    let root = repo();
    let mut files: Vec<PathBuf> =
        rust_files(&root.join("src")).into_iter().filter(|p| !p.starts_with(root.join("src/reader"))).collect();
    files.extend(
        rust_files(&root.join("crates/meterscope-ui/src"))
            .into_iter()
            .filter(|p| !p.ends_with("examples.rs") && !is_test_file(p)),
    );
    files
}

/// The words that name a protocol: every registry name, and each name's
/// family (its leading letters and digits: `dlt645`, `dlms`, `qgdw1376`).
fn protocol_words() -> (Vec<String>, Vec<String>) {
    let names: Vec<String> = meterscope_core::Registry::default().names().iter().map(|n| n.to_string()).collect();
    let mut families: Vec<String> = names
        .iter()
        .map(|n| n.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase())
        .collect();
    families.sort();
    families.dedup();
    (names, families)
}

/// Whether a string literal names a protocol: a registry name, a family, or
/// something under a family (`dlt645-1997`, `dlms.apdu.get`, `sml_file`).
fn names_protocol(lit: &str, names: &[String], families: &[String]) -> bool {
    let lit = lit.to_ascii_lowercase();
    names.iter().any(|n| n.eq_ignore_ascii_case(&lit))
        || families.iter().any(|f| {
            lit.strip_prefix(f.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '.', '_', '*']))
        })
}

#[test]
fn the_decoder_page_names_no_protocol() {
    let (names, families) = protocol_words();
    assert!(names.len() >= 10 && families.contains(&"dlt645".to_string()), "registry names: {names:?}");
    let files = decoder_page_files();
    assert!(files.iter().any(|f| f.ends_with("src/decoder.rs")) && files.iter().any(|f| f.ends_with("permalink.rs")));
    let mut found = Vec::new();
    for file in &files {
        let mut strings = Vec::new();
        let code = source::walk(&read(file), |line, lit| strings.push((line, lit.to_string())));
        let tests = test_items(&code);
        for (line, lit) in &strings {
            if tests.iter().any(|&(a, b)| (a..=b).contains(line)) {
                continue;
            }
            if names_protocol(lit, &names, &families) {
                found.push(format!("{}:{line}: \"{lit}\"", rel(file)));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the decoder page matches on no protocol name (ARCHITECTURE.md: \"The decoder renders; it does not know \
         protocols\"); ask the core instead (e.g. `Protocol::text`):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_protocol_name_check_catches_names_and_families() {
    let (names, families) = protocol_words();
    for hit in [
        "dlt645-2007",
        "iec62056-21",
        "dsmr-p1",
        "DLMS-HDLC",
        "dlt645",
        "dlt698.apdu.get",
        "mbus",
        "sml",
        "qgdw1376.1",
        "wmbus",
    ] {
        assert!(names_protocol(hit, &names, &families), "{hit}");
    }
    for miss in ["small", "smlx", "auto", "mbusy", "data-protocol", "text", "DL/T 645"] {
        assert!(!names_protocol(miss, &names, &families), "{miss}");
    }
    let mut lits = Vec::new();
    let code = source::walk(
        "let a = \"dlms\"; // \"mbus\"\nlet b = r#\"sml\"#; let c = '\"';\n#[cfg(test)]\nmod tests {\n    \"mbus\"\n}\n",
        |line, lit| lits.push((line, lit.to_string())),
    );
    let lits: Vec<_> = lits.iter().map(|(l, s)| (*l, s.as_str())).collect();
    assert_eq!(lits, [(1, "dlms"), (2, "sml"), (5, "mbus")]);
    assert_eq!(test_items(&code), [(3, 6)]);
}

// ------------------------------------------------------------ 2. every family's file set

/// The families' table of ARCHITECTURE.md (between the markers of the
/// section "The file set of each family"): per family directory, per role,
/// the files and directories that fill it.
fn family_table(doc: &str) -> Vec<(usize, Vec<Vec<String>>)> {
    let start = doc.find("<!-- families -->").expect("ARCHITECTURE.md has the families table (<!-- families -->)");
    let end = doc[start..].find("<!-- /families -->").expect("the families table ends (<!-- /families -->)") + start;
    let mut rows = Vec::new();
    for (k, row) in doc[start..end].lines().enumerate() {
        if !row.starts_with("| `") {
            continue;
        }
        let cells = row
            .trim_matches('|')
            .split('|')
            .map(|cell| cell.split('`').skip(1).step_by(2).map(str::to_string).collect::<Vec<_>>())
            .collect();
        rows.push((line_of(doc, start) + k, cells));
    }
    rows
}

const ROLES: [&str; 6] = ["framing", "dissection", "names", "session", "simulated device", "tests"];

#[test]
fn every_family_has_the_file_set_architecture_md_lists() {
    let root = repo();
    let protocols = root.join("crates/meterscope-core/src/protocols");
    let doc = read(&root.join("ARCHITECTURE.md"));
    let table = family_table(&doc);
    let mut problems = Vec::new();
    let mut listed = Vec::new();
    for (line, cells) in &table {
        let [family, roles @ ..] = cells.as_slice() else { continue };
        let Some(dir) = family.first() else { continue };
        listed.push(dir.trim_end_matches('/').to_string());
        let base = protocols.join(dir);
        if roles.len() != ROLES.len() {
            problems.push(format!("ARCHITECTURE.md:{line}: `{dir}` has {} roles, not {}", roles.len(), ROLES.len()));
            continue;
        }
        for (role, files) in ROLES.iter().zip(roles) {
            if files.is_empty() {
                problems.push(format!("ARCHITECTURE.md:{line}: `{dir}` names no file for its {role}"));
            }
            for f in files {
                if !base.join(f).exists() {
                    problems.push(format!("ARCHITECTURE.md:{line}: `{dir}{f}` ({role}) does not exist"));
                }
            }
        }
        if !roles[5].iter().any(|f| f == "tests.rs") {
            problems.push(format!("ARCHITECTURE.md:{line}: `{dir}` lists no `tests.rs`"));
        }
        if !base.join("mod.rs").exists() {
            problems.push(format!("{}: missing", rel(&base.join("mod.rs"))));
        }
    }
    // Every family (a directory whose `mod.rs` implements `Protocol`) is in the table.
    for file in rust_files(&protocols) {
        if file.ends_with("mod.rs") && source::code(&read(&file)).contains("impl Protocol for") {
            let dir = file.parent().unwrap().strip_prefix(&protocols).unwrap().display().to_string();
            if !listed.contains(&dir) {
                problems.push(format!("{}: family `{dir}/` is not in ARCHITECTURE.md's families table", rel(&file)));
            }
        }
    }
    assert!(listed.len() >= 8, "the table was read: {listed:?}");
    assert!(problems.is_empty(), "each family's file set as ARCHITECTURE.md lists it:\n{}", problems.join("\n"));
}

// ------------------------------------------------------------ 3. sessions: the kernel and the pair

/// `Session` implemented directly, not through the kernel's `Machine`:
/// the exceptions ARCHITECTURE.md names (file, type).
const OWN_LOOPS: &[(&str, &str)] = &[
    // The kernel's one implementation over every `Machine`.
    ("session/kernel.rs", "T"),
    // The receive-only listener (SML, wireless M-Bus).
    ("session/listen.rs", "Listener<R>"),
    // The wired M-Bus master: one operation at a time, no byte gap.
    ("protocols/mbus/session.rs", "MbusSession"),
    // The DSMR P1 listener.
    ("protocols/iec62056/p1.rs", "P1Session"),
];

/// `impl … TRAIT for TYPE` in `code`: (line, type).
fn impls<'a>(code: &'a str, tr: &str) -> Vec<(usize, &'a str)> {
    let needle = format!("{tr} for ");
    code.match_indices(&needle)
        .filter(|(at, _)| {
            let head = code[..*at].rsplit('\n').next().unwrap_or("");
            head.trim_start().starts_with("impl") && !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            let rest = &code[at + needle.len()..];
            let ty = rest[..rest.find(['{', '\n']).unwrap_or(rest.len())].trim();
            (line_of(code, at), ty)
        })
        .collect()
}

/// A session's test files: `session/tests.rs` or `session_tests.rs` of its family.
fn session_test_files(src: &Path) -> Vec<PathBuf> {
    rust_files(&src.join("protocols"))
        .into_iter()
        .filter(|p| p.ends_with("session_tests.rs") || p.ends_with("session/tests.rs"))
        .collect()
}

#[test]
fn request_reply_sessions_run_on_the_kernel_and_are_tested_on_the_pair() {
    let src = repo().join("crates/meterscope-core/src");
    let mut problems = Vec::new();
    let mut machines = Vec::new();
    let mut own = Vec::new();
    for file in rust_files(&src) {
        if is_test_file(&file) {
            continue;
        }
        let code = source::code(&read(&file));
        let tests = test_items(&code);
        let at = file.strip_prefix(&src).unwrap().display().to_string();
        for (_, ty) in impls(&code, "Machine") {
            machines.push((at.clone(), ty.to_string()));
        }
        for (line, ty) in impls(&code, "Session") {
            if tests.iter().any(|&(a, b)| (a..=b).contains(&line)) {
                continue;
            }
            if OWN_LOOPS.contains(&(at.as_str(), ty)) {
                own.push((at.clone(), ty.to_string()));
            } else {
                problems.push(format!(
                    "{}:{line}: `impl Session for {ty}`: a request/reply session implements the kernel's \
                     `Machine` (session/kernel.rs); ARCHITECTURE.md names the only exceptions",
                    rel(&file)
                ));
            }
        }
    }
    for &(file, ty) in OWN_LOOPS {
        if !own.iter().any(|(f, t)| f == file && t == ty) {
            problems.push(format!("an exception that no longer exists: `impl Session for {ty}` in {file}"));
        }
    }
    assert!(machines.len() >= 6, "the kernel's clients were found: {machines:?}");

    // Every session test file runs on the shared pair and keeps no clock of its own.
    let test_files = session_test_files(&src);
    for file in &test_files {
        let text = read(file);
        let code = source::code(&text);
        if !code.contains("Pair") {
            problems.push(format!("{}: session tests not on `session::testing::Pair`", rel(file)));
        }
    }
    for file in rust_files(&src.join("protocols")) {
        let code = source::code(&read(&file));
        let tests = test_items(&code);
        for (at, _) in code.match_indices("struct ") {
            let line = line_of(&code, at);
            let in_tests = is_test_file(&file) || tests.iter().any(|&(a, b)| (a..=b).contains(&line));
            let rest = &code[at + 7..];
            let name = &rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())];
            let body = rest.find(['{', ';']).map(|k| &rest[k..]).unwrap_or("");
            let body = &body[..body.find('}').map_or(0, |k| k + 1)];
            // A test's own struct keeping time is a pair of its own.
            if name.ends_with("Pair") || (in_tests && body.contains("Millis")) {
                problems.push(format!(
                    "{}:{line}: `struct {name}`: a private virtual-clock pair; use `session::testing::Pair`",
                    rel(&file)
                ));
            }
        }
    }
    // Each of the kernel's clients is exercised by a session test file of its family.
    for (file, ty) in &machines {
        let family = Path::new(file).iter().take(2).collect::<PathBuf>();
        let tested = test_files.iter().any(|t| t.starts_with(src.join(&family)) && read(t).contains(ty.as_str()));
        if !tested {
            problems.push(format!("{file}: `{ty}` is not exercised by its family's session tests on the pair"));
        }
    }
    assert!(problems.is_empty(), "sessions (ARCHITECTURE.md, session/ and the invariants):\n{}", problems.join("\n"));
}

// ------------------------------------------------------------ 4. dependencies

/// The dependencies of a manifest: (line, table is dev-dependencies, name, the entry).
fn dependencies(manifest: &str) -> Vec<(usize, bool, String, String)> {
    let mut out = Vec::new();
    let mut table: Option<bool> = None;
    for (n, raw) in manifest.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            let header = line.trim_matches(|c| c == '[' || c == ']').trim();
            let last = header.rsplit('.').next().unwrap_or("");
            table = match last {
                "dependencies" | "build-dependencies" => Some(false),
                "dev-dependencies" => Some(true),
                _ => None,
            };
            continue;
        }
        let (Some(dev), Some((key, _))) = (table, line.split_once('=')) else { continue };
        out.push((n + 1, dev, key.trim().trim_matches('"').to_string(), line.to_string()));
    }
    out
}

/// The workspace's manifests: the root package and every crate.
fn manifests() -> Vec<(String, PathBuf)> {
    let root = repo();
    let mut out = vec![("meterscope".to_string(), root.join("Cargo.toml"))];
    let mut crates: Vec<_> = fs::read_dir(root.join("crates")).unwrap().map(|e| e.unwrap().path()).collect();
    crates.sort();
    for dir in crates {
        let m = dir.join("Cargo.toml");
        if m.exists() {
            out.push((dir.file_name().unwrap().to_str().unwrap().to_string(), m));
        }
    }
    out
}

/// Where serde_json may be a dependency (ARCHITECTURE.md, "JSON belongs at the edges").
const SERDE_JSON_LIBRARY: &[&str] = &["meterscope-cli", "meterscope"];
const SERDE_JSON_DEV: &[&str] = &["meterscope-core", "meterscope-wasm"];
/// Crates whose library builds must not turn on the core's `serde` feature.
const NO_CORE_SERDE: &[&str] =
    &["meterscope", "meterscope-wasm", "meterscope-reader", "meterscope-sim", "meterscope-ui", "meterscope-bench"];

#[test]
fn serde_json_and_the_cores_serde_stay_at_the_edges() {
    let mut problems = Vec::new();
    let found = manifests();
    assert!(found.len() >= 7, "{found:?}");
    for (name, path) in &found {
        for (line, dev, dep, entry) in dependencies(&read(path)) {
            let at = format!("{}:{line}", rel(path));
            if dep == "serde_json" {
                let allowed = if dev { SERDE_JSON_DEV } else { SERDE_JSON_LIBRARY };
                if !allowed.contains(&name.as_str()) {
                    let kind = if dev { "dev-dependency" } else { "dependency" };
                    problems.push(format!("{at}: serde_json as a {kind} of {name} (allowed in {allowed:?})"));
                }
            }
            if dep == "meterscope-core" && !dev && NO_CORE_SERDE.contains(&name.as_str()) && entry.contains("serde") {
                problems.push(format!("{at}: {name} turns on meterscope-core's `serde` feature"));
            }
        }
    }
    // In the app package, only the reader's modules use serde_json.
    let root = repo();
    for file in rust_files(&root.join("src")) {
        if file.starts_with(root.join("src/reader")) {
            continue;
        }
        let code = source::code(&read(&file));
        if let Some(at) = code.find("serde_json") {
            problems.push(format!("{}:{}: serde_json outside the reader", rel(&file), line_of(&code, at)));
        }
    }
    assert!(problems.is_empty(), "JSON belongs at the edges (ARCHITECTURE.md):\n{}", problems.join("\n"));
}

// ------------------------------------------------------------ 5. file size

const MAX_LINES: usize = 900;

/// Files allowed above the limit for now (none).
const TOO_LONG_FOR_NOW: &[&str] = &[];

#[test]
fn no_source_file_outside_tests_exceeds_900_lines() {
    let root = repo();
    let mut dirs = vec![root.join("src"), root.join("fuzz/fuzz_targets")];
    for (_, manifest) in manifests().into_iter().skip(1) {
        dirs.push(manifest.parent().unwrap().join("src"));
    }
    let mut long = Vec::new();
    let mut seen = 0;
    for dir in dirs.iter().filter(|d| d.exists()) {
        for file in rust_files(dir) {
            let text = read(&file);
            let generated = text.lines().take(5).any(|l| l.contains("@generated"));
            if is_test_file(&file) || generated {
                continue;
            }
            seen += 1;
            let lines = text.lines().count();
            let name = rel(&file);
            if lines > MAX_LINES && !TOO_LONG_FOR_NOW.contains(&name.as_str()) {
                long.push(format!("{name}: {lines} lines"));
            }
        }
    }
    assert!(seen > 100, "the walk found the sources: {seen}");
    assert!(long.is_empty(), "source files above {MAX_LINES} lines (split them into modules):\n{}", long.join("\n"));
}
