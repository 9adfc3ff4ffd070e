//! Keeping secrets and terminal tricks out of error text: body snippets
//! with credential values blanked, control characters escaped, and URLs
//! without their passwords.
//!
//! A server may echo what it was sent (FastAPI's validation errors repeat
//! the caller's input) or answer with tokens that fail to decode; either
//! way the text ends up in logs, so nothing quoted from a response is
//! trusted.

use std::fmt::Write as _;

/// How much of a response body an error message quotes.
pub(crate) const SNIPPET_BYTES: usize = 512;

/// How much of a body is scanned for keys to redact before it is cut to
/// [`SNIPPET_BYTES`]: a value that starts inside the snippet is blanked
/// even when it runs past the cut.
const SCAN_BYTES: usize = 8 * SNIPPET_BYTES;

/// The start of a body as text for an error message: the values of
/// `sensitive_keys` (JSON object keys, compared exactly) replaced by
/// `"***"`, cut to [`SNIPPET_BYTES`] at a character boundary, and control
/// characters escaped. Works on truncated and malformed JSON too: a value
/// still open at the end of the text is blanked to the end.
pub(crate) fn snippet(body: &[u8], sensitive_keys: &[&str]) -> String {
    let scanned = &body[..body.len().min(SCAN_BYTES)];
    let text = String::from_utf8_lossy(scanned);
    let redacted = redact_json_values(&text, sensitive_keys);
    let mut cut = redacted.len().min(SNIPPET_BYTES);
    while !redacted.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = escape_controls(redacted[..cut].trim_end_matches('\u{FFFD}'));
    if redacted.len() > cut || body.len() > scanned.len() {
        out.push_str("...");
    }
    out
}

/// Writes control characters (newlines, escape sequences) and bidi
/// overrides as visible escapes, so quoted text cannot rewrite a log line
/// or a terminal.
pub(crate) fn escape_controls(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Replaces the value after every `"key":` whose key is sensitive by
/// `"***"`. A small scanner rather than a parser, because the text may be
/// cut anywhere or not be JSON at all; strings are skipped as units so a
/// key inside a string value is not mistaken for one.
fn redact_json_values(text: &str, sensitive_keys: &[&str]) -> String {
    if sensitive_keys.is_empty() || !text.contains('"') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let (end, closed) = string_end(bytes, i);
        if !closed {
            break;
        }
        let key = &text[i + 1..end - 1];
        let mut after = end;
        while after < bytes.len() && bytes[after].is_ascii_whitespace() {
            after += 1;
        }
        if after < bytes.len() && bytes[after] == b':' && sensitive_keys.contains(&key) {
            let mut value_start = after + 1;
            while value_start < bytes.len() && bytes[value_start].is_ascii_whitespace() {
                value_start += 1;
            }
            let value_end = value_end(bytes, value_start);
            out.push_str(&text[copied..value_start]);
            out.push_str("\"***\"");
            copied = value_end;
            i = value_end;
        } else {
            i = end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The index just past the string starting at `start` (a `"`) and whether
/// it was closed; an unclosed string runs to the end of the text.
fn string_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return (i + 1, true),
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// The index just past the JSON value starting at `start`: a string, a
/// bracketed structure (strings inside skipped), or a bare scalar up to the
/// next `,`, `}` or `]`. Unclosed values run to the end of the text.
fn value_end(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start) {
        None => start,
        Some(b'"') => string_end(bytes, start).0,
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i).0;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            bytes.len()
        }
        Some(_) => {
            let mut i = start;
            while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']') {
                i += 1;
            }
            i
        }
    }
}

/// A URL for `Debug` output: a password in its userinfo and its query
/// string (where API keys travel) shown as `***`. Text that is not a URL
/// is shown only by its length.
pub(crate) fn redacted_url(text: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(text) else {
        return format!("<{} bytes, not a URL>", text.len());
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    if url.query().is_some() {
        url.set_query(Some("***"));
    }
    url.set_fragment(None);
    escape_controls(url.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["access_token", "refresh_token", "input"];

    #[test]
    fn snippets_are_bounded() {
        let long = vec![b'x'; SNIPPET_BYTES * 2];
        assert_eq!(snippet(&long, KEYS).len(), SNIPPET_BYTES + 3);
        assert_eq!(snippet(b"short", KEYS), "short");
        assert_eq!(snippet(&[0xff, 0xfe], KEYS), "");
        let multibyte = "é".repeat(SNIPPET_BYTES);
        assert!(snippet(multibyte.as_bytes(), KEYS).ends_with("é..."));
    }

    #[test]
    fn sensitive_values_are_blanked_by_key() {
        let body = br#"{"access_token": "AAA", "organization_id": "org", "refresh_token":"BBB"}"#;
        assert_eq!(
            snippet(body, KEYS),
            r#"{"access_token": "***", "organization_id": "org", "refresh_token":"***"}"#
        );
        // Echoed input of any shape, nested anywhere.
        let body = br#"{"detail":[{"loc":["body"],"input":{"refresh_token":"BBB","x":[1,"]"]},"msg":"m"}]}"#;
        assert_eq!(snippet(body, KEYS), r#"{"detail":[{"loc":["body"],"input":"***","msg":"m"}]}"#);
        let body = br#"{"input": 12345, "n": 1}"#;
        assert_eq!(snippet(body, KEYS), r#"{"input": "***", "n": 1}"#);
        // A key that only appears inside a string value is not a key.
        let body = br#"{"msg": "\"access_token\": AAA"}"#;
        assert_eq!(snippet(body, KEYS), r#"{"msg": "\"access_token\": AAA"}"#);
    }

    #[test]
    fn values_cut_off_or_past_the_snippet_are_blanked() {
        let body = br#"{"access_token": "AAAAAAAA"#;
        assert_eq!(snippet(body, KEYS), r#"{"access_token": "***""#);
        let mut long = br#"{"pad": ""#.to_vec();
        long.extend(vec![b'p'; SNIPPET_BYTES - 30]);
        long.extend(br#"", "access_token": ""#);
        long.extend(vec![b'S'; 200]);
        long.extend(br#""}"#);
        let text = snippet(&long, KEYS);
        assert!(!text.contains('S'), "{text}");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_controls("a\nb\u{1b}[2J\u{202e}c"), "a\\nb\\u{1b}[2J\\u{202e}c");
        assert_eq!(snippet(b"line\r\nnext", KEYS), "line\\r\\nnext");
    }

    #[test]
    fn urls_lose_passwords_and_queries() {
        assert_eq!(redacted_url("https://user:hunter2@api.example.com/v1?api_key=k#f"), "https://user:***@api.example.com/v1?***");
        assert_eq!(redacted_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
        assert_eq!(redacted_url("not a url hunter2"), "<17 bytes, not a URL>");
    }
}
