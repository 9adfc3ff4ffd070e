//! Why a body did not decode, said without quoting it: serde's message
//! with the values it quotes blanked, and where in the body decoding
//! stopped, as a JSON path (`detail[2].created_at`) read off the body
//! itself, so that no decoder is compiled twice to track it.

use std::fmt;

use super::SentSecrets;
use super::redact::{SNIPPET_BYTES, escape_controls};

/// Why a body did not decode: serde's message with the values it quotes
/// replaced by `***` (they may be credentials), and where in the body: as
/// line and column, and as the path of the value decoding stopped in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<DecodeDetails>);

/// Boxed, so that every `Result` carrying an [`Error`](super::Error) stays
/// small.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DecodeDetails {
    message: String,
    path: String,
    line: usize,
    column: usize,
}

impl DecodeError {
    /// serde's message without the values it quotes and without any
    /// secret the request `sent`, and the path in `body` where it stopped.
    pub(crate) fn new(error: &serde_json::Error, body: &[u8], sent: &SentSecrets) -> Self {
        let message = sent.blank(&without_quoted_values(&error.to_string()));
        // A missing field is missing from the object, not from the field
        // read last.
        let missing = error.to_string().starts_with("missing field");
        let path = json_path_at(body, error.line(), error.column(), missing);
        let path = escape_controls(&sent.blank(&path));
        DecodeError(Box::new(DecodeDetails {
            message,
            path,
            line: error.line(),
            column: error.column(),
        }))
    }

    /// serde's description, values replaced by `***`.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where in the body decoding stopped, as a JSON path from the top:
    /// `detail[2].created_at`, `["odd key"]`; empty at the top itself.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// Line of the body (1-based) where decoding stopped.
    pub fn line(&self) -> usize {
        self.0.line
    }

    /// Column (1-based) where decoding stopped.
    pub fn column(&self) -> usize {
        self.0.column
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.path.is_empty() {
            true => f.write_str(&self.0.message),
            false => write!(f, "at `{}`: {}", self.0.path, self.0.message),
        }
    }
}

/// How much of a path errors show, and of each key in it.
const PATH_CHARS: usize = 256;
const KEY_CHARS: usize = 64;

/// The path of the value that `body` is in just before `line` and `column`
/// (serde's position, 1-based, in bytes: the byte it stopped at): the keys
/// and indices of the objects and arrays open there. `object`: the path of
/// the innermost object itself, not of its key read last (for a missing
/// field). A best effort on any input: the body may be malformed or cut
/// short.
fn json_path_at(body: &[u8], line: usize, column: usize, object: bool) -> String {
    let mut offset = 0;
    for _ in 1..line {
        match body[offset..].iter().position(|b| *b == b'\n') {
            Some(end) => offset += end + 1,
            None => break,
        }
    }
    let mut end = (offset + column.saturating_sub(1)).min(body.len());
    // A value of the wrong kind is reported just inside it: the path is
    // that of the array or object, not of its first item.
    if end > 0 && matches!(body[end - 1], b'[' | b'{') && !object {
        end -= 1;
    }
    // Each open container: an object's current key, or an array's index.
    enum Open {
        Object(Option<String>),
        Array(usize),
    }
    let mut open: Vec<Open> = Vec::new();
    let mut expecting_key = false;
    let mut i = 0;
    while i < end {
        match body[i] {
            b'{' => {
                open.push(Open::Object(None));
                expecting_key = true;
            }
            b'[' => open.push(Open::Array(0)),
            b'}' | b']' => {
                open.pop();
                expecting_key = false;
            }
            b',' => match open.last_mut() {
                Some(Open::Array(index)) => *index += 1,
                Some(Open::Object(_)) => expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < end && body[i] != b'"' {
                    i += if body[i] == b'\\' { 2 } else { 1 };
                }
                if expecting_key {
                    if let Some(Open::Object(key)) = open.last_mut() {
                        let raw = &body[start..i.min(end).max(start)];
                        *key = Some(
                            String::from_utf8_lossy(raw)
                                .chars()
                                .take(KEY_CHARS)
                                .collect(),
                        );
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if let (true, Some(Open::Object(key))) = (object, open.last_mut()) {
        *key = None;
    }
    let mut path = String::new();
    for step in &open {
        match step {
            Open::Object(Some(key)) if is_plain_key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Open::Object(Some(key)) => path.push_str(&format!("[{key:?}]")),
            Open::Object(None) => {}
            Open::Array(index) => path.push_str(&format!("[{index}]")),
        }
        if path.len() > PATH_CHARS {
            let cut = path
                .char_indices()
                .nth(PATH_CHARS)
                .map_or(path.len(), |(i, _)| i);
            path.truncate(cut);
            path.push_str("...");
            break;
        }
    }
    path
}

/// A key a path shows after a dot: letters, digits, `_` and `-`.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

impl std::error::Error for DecodeError {}

/// serde quotes the values it rejects (`invalid type: string "…"`,
/// `integer `…``, `unknown variant `…``), before its last ", expected …",
/// which comes from the schema. In that head, everything from the first
/// quote to the last one of the same kind is replaced, so a value holding
/// quotes or ", expected" itself cannot end the blanking early; a field
/// name (`missing field `x``) stays. The result is bounded.
fn without_quoted_values(message: &str) -> String {
    let (head, expected) = message.split_at(message.rfind(", expected").unwrap_or(message.len()));
    let mut out = String::with_capacity(message.len().min(SNIPPET_BYTES));
    match head.find(['"', '`']) {
        Some(first) if !head[..first].ends_with("field ") => {
            let quote = &head[first..=first];
            let last = head.rfind(quote).filter(|last| *last > first);
            out.push_str(&head[..first]);
            out.push_str(quote);
            out.push_str("***");
            out.push_str(quote);
            if let Some(last) = last {
                out.push_str(&head[last + 1..]);
            }
        }
        _ => out.push_str(head),
    }
    out.push_str(expected);
    let mut cut = out.len().min(SNIPPET_BYTES);
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    escape_controls(&out[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_message(json: &str) -> String {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Tokens {
            expires_in: u32,
            kind: Kind,
        }
        #[derive(Debug, serde::Deserialize)]
        enum Kind {
            Bearer,
        }
        let error = serde_json::from_str::<Tokens>(json).unwrap_err();
        DecodeError::new(&error, json.as_bytes(), &SentSecrets::NONE)
            .message()
            .to_owned()
    }

    #[test]
    fn decode_errors_do_not_quote_values() {
        let message = decode_message(r#"{"expires_in": "tok-SECRET"}"#);
        assert!(
            message.starts_with(r#"invalid type: string "***", expected u32"#),
            "{message}"
        );
        let message = decode_message(r#"{"expires_in": 1, "kind": "tok-SECRET"}"#);
        assert!(
            message.starts_with("unknown variant `***`, expected `Bearer`"),
            "{message}"
        );
        let message = decode_message(r#"{"expires_in": 1}"#);
        assert!(message.starts_with("missing field `kind`"), "{message}");
        assert_eq!(without_quoted_values(r#"a "x\"y" b "z"#), r#"a "***"z"#);
    }

    #[test]
    fn values_holding_quotes_or_expected_cannot_escape() {
        let first = decode_message(r#"{"expires_in": "x, expected tok-SECRET-A"}"#);
        let second = decode_message(r#"{"expires_in": 1, "kind": "a`tok-SECRET-B"}"#);
        let third = decode_message(r#"{"expires_in": 1, "kind": "a`, expected `tok-SECRET-C"}"#);
        for message in [first, second, third] {
            assert!(!message.contains("SECRET"), "{message}");
        }
        let secret: SentSecrets = [super::super::Secret::new("tok-SECRET-D")]
            .into_iter()
            .collect();
        let error = serde_json::from_str::<u32>("\"tok-SECRET-D\"").unwrap_err();
        assert!(
            !DecodeError::new(&error, b"\"tok-SECRET-D\"", &secret)
                .to_string()
                .contains("SECRET")
        );
        assert!(without_quoted_values(&"x".repeat(5000)).len() <= SNIPPET_BYTES);
    }

    #[test]
    fn the_sanitiser_never_panics() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet = [
            "\"",
            "`",
            "\\",
            ", expected",
            "field ",
            "é",
            "\u{1b}",
            "a",
            " ",
            "\u{202e}",
            "𝄞",
        ];
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = without_quoted_values(&text);
        }
    }

    /// The path where a typed decoder stopped, read off the body.
    #[test]
    fn decode_errors_say_where() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: u32,
            created_at: u32,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Page {
            detail: Vec<Item>,
        }
        let path = |json: &str| {
            let error = serde_json::from_str::<Page>(json).unwrap_err();
            DecodeError::new(&error, json.as_bytes(), &SentSecrets::NONE)
        };
        let body = "{\"detail\": [{\"id\": 1, \"created_at\": 2},\n {\"id\": 2, \"created_at\": \"2024-05-06T07:08:09.123000\"}]}";
        let error = path(body);
        assert_eq!(error.path(), "detail[1].created_at");
        assert!(
            error
                .to_string()
                .starts_with("at `detail[1].created_at`: invalid type"),
            "{error}"
        );
        // A missing field: the object it is missing from.
        assert_eq!(path("{\"detail\": [{\"id\": 1}]}").path(), "detail[0]");
        assert_eq!(path("[]").path(), "");
        // Odd keys are quoted; a key that is a secret the request sent is not shown.
        let odd = "{\"detail\": [{\"id\": 1, \"created_at\": 2, \"x y\": {\"a\": [1,";
        let _ = path(odd);
        assert_eq!(
            json_path_at(b"{\"a b\": [0, {\"c\": ", 1, 19, false),
            "[\"a b\"][1].c"
        );
        let secret: SentSecrets = [super::super::Secret::new("tok-SECRET-K")]
            .into_iter()
            .collect();
        let body = b"{\"tok-SECRET-K\": \"x\"}";
        let error =
            serde_json::from_slice::<std::collections::HashMap<String, u32>>(body).unwrap_err();
        assert!(
            !DecodeError::new(&error, body, &secret)
                .to_string()
                .contains("SECRET")
        );
    }

    #[test]
    fn the_path_finder_never_panics() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let alphabet: &[&[u8]] = &[
            b"{",
            b"}",
            b"[",
            b"]",
            b",",
            b":",
            b"\"",
            b"\\",
            b"a",
            b"\n",
            b" ",
            b"\xff",
            "\u{e9}".as_bytes(),
        ];
        for _ in 0..20_000 {
            let mut body = Vec::new();
            for _ in 0..(state % 32) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                body.extend_from_slice(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = json_path_at(
                &body,
                (state % 4) as usize,
                (state % 40) as usize,
                state % 2 == 0,
            );
        }
    }
}
