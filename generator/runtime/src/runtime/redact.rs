//! Keeping secrets and terminal tricks out of error text: body snippets
//! with credential values blanked, control characters escaped, and URLs
//! without their passwords.
//!
//! A server may echo what it was sent (FastAPI's validation errors repeat
//! the caller's input) or answer with tokens that fail to decode; either
//! way the text ends up in logs, so nothing quoted from a response is
//! trusted.

use std::fmt::{self, Write as _};

use super::SentSecrets;

/// How much of a response body an error message quotes.
pub(crate) const SNIPPET_BYTES: usize = 512;

/// How much of a body is scanned for keys to redact before it is cut to
/// [`SNIPPET_BYTES`]: a value that starts inside the snippet is blanked
/// even when it runs past the cut.
const SCAN_BYTES: usize = 8 * SNIPPET_BYTES;

/// The start of a body as text for an error message: the values of
/// `sensitive_keys` replaced by `"***"` (JSON object keys, compared as
/// [`normalized_key`]s, which the list must already be), every occurrence
/// of a secret the request sent replaced by `***`, cut to
/// [`SNIPPET_BYTES`] at a character boundary, and control characters
/// escaped. Works on truncated and malformed JSON too: a value still open
/// at the end of the text is blanked to the end.
pub(crate) fn snippet(body: &[u8], sensitive_keys: &[&str], sent: &SentSecrets) -> String {
    let scanned = &body[..body.len().min(SCAN_BYTES)];
    let text = String::from_utf8_lossy(scanned);
    let redacted = sent.blank(&redact_json_values(&text, sensitive_keys));
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

/// Controls, and the invisible characters that reorder or break text
/// (bidi overrides and marks, line and paragraph separators).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

/// How much of a server's request id errors show, in characters.
const REQUEST_ID_CHARS: usize = 128;

/// A server's id for a request, for error text: without any secret the
/// request sent (a hostile server or proxy may echo a token there), then
/// cut to [`REQUEST_ID_CHARS`] (after the blanking, so that no cut leaves
/// part of a secret behind), with controls escaped.
pub(crate) fn request_id(id: &str, sent: &SentSecrets) -> String {
    let clean = sent.blank(id);
    escape_controls(&clean.chars().take(REQUEST_ID_CHARS).collect::<String>())
}

/// Whether `key` is one of `sensitive_keys` in any case style (runs only
/// while an error message is made).
fn is_sensitive_key(key: &str, sensitive_keys: &[&str]) -> bool {
    let key = normalized_key(key);
    sensitive_keys.iter().any(|k| normalized_key(k) == key)
}

/// A JSON key with case and separators made uniform: lower case, words
/// joined by `_` (`accessToken`, `Access-Token` and `access_token` are one
/// key).
pub(crate) fn normalized_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous_lower = false;
    for c in key.chars() {
        if c == '-' || c == ' ' || c == '.' {
            out.push('_');
            previous_lower = false;
        } else if c.is_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
        }
    }
    out
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
        if after < bytes.len() && bytes[after] == b':' && is_sensitive_key(key, sensitive_keys) {
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

/// A URL for `Debug` output: its userinfo (a token may stand there as a
/// user name) and its query string (where API keys travel) shown as `***`. Text that is not a URL
/// is shown only by its length.
pub(crate) fn redacted_url(text: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(text) else {
        return format!("<{} bytes, not a URL>", text.len());
    };
    if !url.username().is_empty() {
        let _ = url.set_username("***");
    }
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    if url.query().is_some() {
        url.set_query(Some("***"));
    }
    url.set_fragment(None);
    escape_controls(url.as_str())
}

/// How much of a declared error body `Debug` shows: a server decides its
/// size (a `422` that lists every item of a large request runs to
/// megabytes), and the text ends up in logs.
pub(crate) const DEBUG_BODY_BYTES: usize = 4 * 1024;

/// A value's `Debug`, cut after [`DEBUG_BODY_BYTES`] with `...`, without
/// formatting the rest, and without the request's secrets (a server may
/// quote a token in any field of an error body, a validation message say).
pub(crate) struct Bounded<'a, T> {
    pub(crate) value: &'a T,
    pub(crate) secrets: &'a SentSecrets,
}

impl<T: fmt::Debug> fmt::Debug for Bounded<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Formatted a little past the cut, so that a secret the cut would
        // split is blanked whole first.
        let mut capped = Capped {
            text: String::new(),
            left: DEBUG_BODY_BYTES + 1024,
        };
        // The value's own formatting stops at the first refused write.
        let whole = match f.alternate() {
            true => write!(capped, "{:#?}", self.value),
            false => write!(capped, "{:?}", self.value),
        }
        .is_ok();
        let text = self.secrets.blank(&capped.text);
        let mut cut = text.len().min(DEBUG_BODY_BYTES);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        f.write_str(&text[..cut])?;
        if !whole || cut < text.len() {
            f.write_str("...")?;
        }
        Ok(())
    }
}

/// Text up to a number of bytes; a write past it keeps what fits (whole
/// characters) and fails.
struct Capped {
    text: String,
    left: usize,
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() <= self.left {
            self.left -= s.len();
            self.text.push_str(s);
            return Ok(());
        }
        let mut cut = self.left;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.left = 0;
        Err(fmt::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["access_token", "refresh_token", "input", "authorization"];
    const NONE: SentSecrets = SentSecrets::NONE;

    #[test]
    fn snippets_are_bounded() {
        let long = vec![b'x'; SNIPPET_BYTES * 2];
        assert_eq!(snippet(&long, KEYS, &NONE).len(), SNIPPET_BYTES + 3);
        assert_eq!(snippet(b"short", KEYS, &NONE), "short");
        assert_eq!(snippet(&[0xff, 0xfe], KEYS, &NONE), "");
        let multibyte = "é".repeat(SNIPPET_BYTES);
        assert!(snippet(multibyte.as_bytes(), KEYS, &NONE).ends_with("é..."));
    }

    #[test]
    fn sensitive_values_are_blanked_by_key() {
        let body = br#"{"access_token": "AAA", "organization_id": "org", "refresh_token":"BBB"}"#;
        assert_eq!(
            snippet(body, KEYS, &NONE),
            r#"{"access_token": "***", "organization_id": "org", "refresh_token":"***"}"#
        );
        // Echoed input of any shape, nested anywhere.
        let body = br#"{"detail":[{"loc":["body"],"input":{"refresh_token":"BBB","x":[1,"]"]},"msg":"m"}]}"#;
        assert_eq!(
            snippet(body, KEYS, &NONE),
            r#"{"detail":[{"loc":["body"],"input":"***","msg":"m"}]}"#
        );
        let body = br#"{"input": 12345, "n": 1}"#;
        assert_eq!(snippet(body, KEYS, &NONE), r#"{"input": "***", "n": 1}"#);
        // A key that only appears inside a string value is not a key.
        let body = br#"{"msg": "\"access_token\": AAA"}"#;
        assert_eq!(
            snippet(body, KEYS, &NONE),
            r#"{"msg": "\"access_token\": AAA"}"#
        );
    }

    #[test]
    fn values_cut_off_or_past_the_snippet_are_blanked() {
        let body = br#"{"access_token": "AAAAAAAA"#;
        assert_eq!(snippet(body, KEYS, &NONE), r#"{"access_token": "***""#);
        let mut long = br#"{"pad": ""#.to_vec();
        long.extend(vec![b'p'; SNIPPET_BYTES - 30]);
        long.extend(br#"", "access_token": ""#);
        long.extend(vec![b'S'; 200]);
        long.extend(br#""}"#);
        let text = snippet(&long, KEYS, &NONE);
        assert!(!text.contains('S'), "{text}");
    }

    #[test]
    fn keys_match_in_any_case_style() {
        for key in [
            "accessToken",
            "AccessToken",
            "access-token",
            "ACCESS_TOKEN",
            "Authorization",
        ] {
            let body = format!(r#"{{"{key}": "AAA"}}"#);
            assert_eq!(
                snippet(body.as_bytes(), KEYS, &NONE),
                format!(r#"{{"{key}": "***"}}"#)
            );
        }
        assert_eq!(normalized_key("refreshToken2"), "refresh_token2");
        assert_eq!(normalized_key("X-API-Key"), "x_api_key");
    }

    #[test]
    fn secrets_the_request_sent_are_blanked_wherever_they_appear() {
        let sent: SentSecrets = ["tok/SECRET+1", "ab"]
            .map(super::super::Secret::from)
            .into_iter()
            .collect();
        let body = br#"{"detail": "got {'refresh_token': 'tok/SECRET+1'} and tok%2FSECRET%2B1", "n": "ab"}"#;
        let text = snippet(body, KEYS, &sent);
        assert!(!text.contains("SECRET"), "{text}");
        // Secrets shorter than four characters would blank ordinary text.
        assert!(text.contains(r#""n": "ab""#), "{text}");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            escape_controls("a\nb\u{1b}[2J\u{202e}c"),
            "a\\nb\\u{1b}[2J\\u{202e}c"
        );
        assert_eq!(
            escape_controls("a\u{2028}b\u{200f}"),
            "a\\u{2028}b\\u{200f}"
        );
        assert_eq!(snippet(b"line\r\nnext", KEYS, &NONE), "line\\r\\nnext");
    }

    #[test]
    fn urls_lose_passwords_and_queries() {
        assert_eq!(
            redacted_url("https://user:hunter2@api.example.com/v1?api_key=k#f"),
            "https://***:***@api.example.com/v1?***"
        );
        assert_eq!(
            redacted_url("https://tok-SECRET@api.example.com/"),
            "https://***@api.example.com/"
        );
        assert_eq!(
            redacted_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(redacted_url("not a url hunter2"), "<17 bytes, not a URL>");
    }

    // From the adversarial review: the redactor on arbitrary bytes.
    #[test]
    fn snippet_never_panics_and_stays_bounded() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let pieces: [&[u8]; 14] = [
            b"\"",
            b"\\",
            b"{",
            b"}",
            b"[",
            b"]",
            b":",
            b",",
            b"\"access_token\"",
            b"\"input\":",
            "é".as_bytes(),
            b"\xff",
            b"\xe2\x80",
            b"\x1b",
        ];
        for _ in 0..20_000 {
            let mut body = Vec::new();
            let len = state % 64;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                body.extend_from_slice(pieces[(state % pieces.len() as u64) as usize]);
            }
            let text = snippet(&body, KEYS, &NONE);
            assert!(text.len() <= SNIPPET_BYTES * 12 + 3, "{}", text.len());
            assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        }
        // Random bytes of every value, around the scan and snippet limits.
        for round in 0..3_000u64 {
            let len = match round % 3 {
                0 => SCAN_BYTES - 8 + (state % 16) as usize,
                1 => SNIPPET_BYTES - 8 + (state % 16) as usize,
                _ => (state % 6000) as usize,
            };
            let mut body = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let byte = (state >> 24) as u8;
                // Mostly JSON punctuation, so the scanner's branches are hit.
                body.push(if byte < 128 {
                    b"\"{}[]:,\\ a"[(byte % 10) as usize]
                } else {
                    byte
                });
            }
            let text = snippet(&body, KEYS, &NONE);
            assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        }
        // A long run of escapes right at the scan limit.
        let mut body = br#"{"access_token": ""#.to_vec();
        body.extend(vec![b'\\'; SCAN_BYTES * 2]);
        let _ = snippet(&body, KEYS, &NONE);
    }
}
