//! Reading Rust source, for the tests that check the repository's files:
//! one walk over a file tells code from comments (`//` and nested `/* */`),
//! string literals (raw, byte and plain) and character literals. A test
//! file takes it with `mod source;` (a directory module, so it is no test
//! target of its own).

/// Walk `src` once: hand each string literal to `string` (the line it
/// starts on, 1-based, and its body as written, escapes not undone) and
/// return the code, that is `src` with every comment, string and character
/// literal turned into spaces (newlines kept, so lines keep their numbers).
pub fn walk(src: &str, mut string: impl FnMut(usize, &str)) -> String {
    let b = src.as_bytes();
    let mut code = String::with_capacity(src.len());
    let mut line = 1;
    let mut i = 0;
    let blank = |code: &mut String, s: &str, line: &mut usize| {
        for c in s.chars() {
            if c == '\n' {
                *line += 1;
                code.push('\n');
            } else {
                code.push(' ');
            }
        }
    };
    while i < b.len() {
        let rest = &src[i..];
        let rb = rest.as_bytes();
        let len = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (0usize, 0);
            while j < rb.len() {
                if rb[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if rb[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            j
        } else if let Some((len, body)) = raw_string(rest) {
            string(line, body);
            len
        } else if rb[0] == b'"' || rest.starts_with("b\"") {
            let start = usize::from(rb[0] == b'b') + 1;
            let mut j = start;
            while j < rb.len() && rb[j] != b'"' {
                j += if rb[j] == b'\\' { 2 } else { 1 };
            }
            string(line, &rest[start..j.min(rest.len())]);
            (j + 1).min(rest.len())
        } else if let Some(len) = char_literal(rest) {
            len
        } else if rb[0].is_ascii_alphanumeric() || rb[0] == b'_' {
            // A whole identifier, so `br` or `r` inside one is no raw string.
            let n = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            code.push_str(&rest[..n]);
            i += n;
            continue;
        } else {
            // One whole character.
            let ch = rest.chars().next().unwrap();
            if ch == '\n' {
                line += 1;
            }
            code.push(ch);
            i += ch.len_utf8();
            continue;
        };
        blank(&mut code, &rest[..len], &mut line);
        i += len;
    }
    code
}

/// The code of `src` alone (see [`walk`]).
pub fn code(src: &str) -> String {
    walk(src, |_, _| {})
}

/// A raw string literal at the start of `s`: its length and its body.
fn raw_string(s: &str) -> Option<(usize, &str)> {
    let start = if s.starts_with("br") {
        2
    } else if s.starts_with('r') {
        1
    } else {
        return None;
    };
    let hashes = s[start..].bytes().take_while(|&c| c == b'#').count();
    if s.as_bytes().get(start + hashes) != Some(&b'"') {
        return None;
    }
    let close = format!("\"{}", "#".repeat(hashes));
    let body = start + hashes + 1;
    let end = s[body..].find(&close)?;
    Some((body + end + close.len(), &s[body..body + end]))
}

/// The length of a character or byte literal at the start of `s` (not a lifetime).
fn char_literal(s: &str) -> Option<usize> {
    let q = if s.starts_with("b'") {
        1
    } else if s.starts_with('\'') {
        0
    } else {
        return None;
    };
    let body = &s[q + 1..];
    let len = if body.starts_with('\\') {
        // The backslash, the escaped character, then up to the closing quote.
        body.get(2..)?.find('\'')? + 2
    } else {
        // One character, then the closing quote; otherwise a lifetime.
        let n = body.chars().next()?.len_utf8();
        if !body[n..].starts_with('\'') {
            return None;
        }
        n
    };
    Some(q + 1 + len + 1)
}
