//! Errors: what a call returns when it does not succeed.

use std::convert::Infallible;
use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::RequestInfo;
use super::redact::{escape_controls, redacted_url, snippet};
use super::redirect::RedirectRefusal;

/// Why a call failed. `E` is the operation's declared error body (an enum
/// with one variant per declared error status).
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The request could not be built (an invalid base URL, a header value
    /// that is not valid in HTTP, a body that failed to serialise).
    InvalidRequest { request: RequestInfo, message: String },
    /// No response: connection refused, DNS, TLS, reset, broken stream.
    Transport { request: RequestInfo, source: reqwest::Error },
    /// The response (for a streamed download, its head) did not come within
    /// the attempt's timeout ([`Config::timeout`](crate::Config::timeout))
    /// or the call's ([`Config::total_timeout`](crate::Config::total_timeout)).
    Timeout { request: RequestInfo, after: std::time::Duration },
    /// The server answered with an error status the spec declares; `body`
    /// is its decoded body.
    Api { request: RequestInfo, status: StatusCode, headers: Box<HeaderMap>, body: E },
    /// The server answered with a status the spec does not declare for this
    /// operation. `body` is the body as text (lossy UTF-8).
    UnexpectedStatus { request: RequestInfo, status: StatusCode, headers: Box<HeaderMap>, body: String },
    /// A declared status whose body does not decode as the spec says.
    /// `snippet` is the start of the body, with credential values blanked.
    Decode { request: RequestInfo, status: StatusCode, source: DecodeError, snippet: String },
    /// The body was larger than the client's limit and was not read.
    BodyTooLarge { request: RequestInfo, status: StatusCode, limit: usize },
    /// The server redirected the request and the client did not follow
    /// (see [`RedirectPolicy`](crate::RedirectPolicy)); `location` is
    /// where it pointed.
    Redirect {
        request: RequestInfo,
        status: StatusCode,
        location: String,
        refused: RedirectRefusal,
        headers: Box<HeaderMap>,
    },
}

impl<E> Error<E> {
    /// The request that failed.
    pub fn request(&self) -> &RequestInfo {
        match self {
            Error::InvalidRequest { request, .. }
            | Error::Transport { request, .. }
            | Error::Timeout { request, .. }
            | Error::Api { request, .. }
            | Error::UnexpectedStatus { request, .. }
            | Error::Decode { request, .. }
            | Error::BodyTooLarge { request, .. }
            | Error::Redirect { request, .. } => request,
        }
    }

    /// The response status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. }
            | Error::Redirect { status, .. } => Some(*status),
            Error::InvalidRequest { .. } | Error::Transport { .. } | Error::Timeout { .. } => None,
        }
    }

    /// The response headers, when the error carries a response.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. } | Error::UnexpectedStatus { headers, .. } | Error::Redirect { headers, .. } => {
                Some(headers)
            }
            _ => None,
        }
    }

    /// The declared error body, for [`Error::Api`].
    pub fn api_body(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { request, message } => f
                .debug_struct("InvalidRequest")
                .field("request", request)
                .field("message", message)
                .finish(),
            Error::Timeout { request, after } => {
                f.debug_struct("Timeout").field("request", request).field("after", after).finish()
            }
            Error::Transport { request, source } => f
                .debug_struct("Transport")
                .field("request", request)
                .field("source", source)
                .finish(),
            Error::Api { request, status, body, .. } => f
                .debug_struct("Api")
                .field("request", request)
                .field("status", status)
                .field("body", body)
                .finish_non_exhaustive(),
            Error::UnexpectedStatus { request, status, body, .. } => f
                .debug_struct("UnexpectedStatus")
                .field("request", request)
                .field("status", status)
                .field("body", &snippet(body.as_bytes(), crate::types::SENSITIVE_KEYS))
                .finish_non_exhaustive(),
            Error::Decode { request, status, source, snippet } => f
                .debug_struct("Decode")
                .field("request", request)
                .field("status", status)
                .field("source", source)
                .field("snippet", snippet)
                .finish(),
            Error::BodyTooLarge { request, status, limit } => f
                .debug_struct("BodyTooLarge")
                .field("request", request)
                .field("status", status)
                .field("limit", limit)
                .finish(),
            Error::Redirect { request, status, location, refused, .. } => f
                .debug_struct("Redirect")
                .field("request", request)
                .field("status", status)
                .field("location", &redacted_location(location))
                .field("refused", refused)
                .finish_non_exhaustive(),
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { request, message } => {
                write!(f, "{request}: invalid request: {message}")
            }
            Error::Transport { request, source } => write!(f, "{request}: request failed: {source}"),
            Error::Timeout { request, after } => write!(f, "{request}: no response within {after:?}"),
            Error::Api { request, status, .. } => {
                write!(f, "{request}: server returned error status {status}")
            }
            Error::UnexpectedStatus { request, status, body, .. } => write!(
                f,
                "{request}: server returned unexpected status {status}: {}",
                snippet(body.as_bytes(), crate::types::SENSITIVE_KEYS)
            ),
            Error::Decode { request, status, source, snippet } => write!(
                f,
                "{request}: could not decode the {status} response body ({source}); body starts with: {snippet}"
            ),
            Error::BodyTooLarge { request, status, limit } => write!(
                f,
                "{request}: {status} response body is larger than the {limit}-byte limit"
            ),
            Error::Redirect { request, status, location, refused, .. } => write!(
                f,
                "{request}: server redirected ({status}) to {}, not followed: {refused}",
                redacted_location(location)
            ),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An error that no operation's declared body is part of yet; `?` turns it
/// into the operation's [`Error`].
pub(crate) struct Failure(pub(crate) Error<Infallible>);

impl<E> From<Failure> for Error<E> {
    fn from(Failure(error): Failure) -> Self {
        match error {
            Error::InvalidRequest { request, message } => Error::InvalidRequest { request, message },
            Error::Transport { request, source } => Error::Transport { request, source },
            Error::Timeout { request, after } => Error::Timeout { request, after },
            Error::Api { body, .. } => match body {},
            Error::UnexpectedStatus { request, status, headers, body } => {
                Error::UnexpectedStatus { request, status, headers, body }
            }
            Error::Decode { request, status, source, snippet } => {
                Error::Decode { request, status, source, snippet }
            }
            Error::BodyTooLarge { request, status, limit } => {
                Error::BodyTooLarge { request, status, limit }
            }
            Error::Redirect { request, status, location, refused, headers } => {
                Error::Redirect { request, status, location, refused, headers }
            }
        }
    }
}

impl Error {
    /// A failure of the HTTP client, without the URL it names (its query
    /// string may hold a credential).
    pub(crate) fn from_transport(request: RequestInfo, source: reqwest::Error) -> Self {
        Error::Transport { request, source: source.without_url() }
    }
}

/// Where a redirect pointed, for error text: relative or absolute, with
/// any password and query string hidden.
fn redacted_location(location: &str) -> String {
    match reqwest::Url::parse(location) {
        Ok(_) => redacted_url(location),
        Err(_) => escape_controls(location.split(['?', '#']).next().unwrap_or_default()),
    }
}

/// Why a body did not decode: serde's message with the values it quotes
/// replaced by `***` (they may be credentials), and where in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<DecodeDetails>);

/// Boxed, so that every `Result` carrying an [`Error`] stays small.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DecodeDetails {
    message: String,
    line: usize,
    column: usize,
}

impl DecodeError {
    pub(crate) fn new(error: &serde_json::Error) -> Self {
        let message = without_quoted_values(&error.to_string());
        DecodeError(Box::new(DecodeDetails { message, line: error.line(), column: error.column() }))
    }

    /// serde's description, values replaced by `***`.
    pub fn message(&self) -> &str {
        &self.0.message
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
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for DecodeError {}

/// serde quotes the values it rejects (`invalid type: string "…"`,
/// `integer `…``, `unknown variant `…``). Every quoted value before
/// ", expected" is replaced; field names (`missing field `x``) and the
/// expectations after it stay, they come from the schema.
fn without_quoted_values(message: &str) -> String {
    let (head, expected) = message.split_at(message.find(", expected").unwrap_or(message.len()));
    let mut out = String::with_capacity(message.len());
    let mut rest = head;
    while let Some(at) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[at];
        let keep = quote == b'`' && rest[..at].ends_with("field ");
        out.push_str(&rest[..=at]);
        let tail = &rest[at + 1..];
        let bytes = tail.as_bytes();
        let mut i = 0;
        while i < bytes.len() && bytes[i] != quote {
            i += if quote == b'"' && bytes[i] == b'\\' { 2 } else { 1 };
        }
        out.push_str(if keep { tail.get(..i).unwrap_or(tail) } else { "***" });
        out.push(quote as char);
        rest = tail.get(i + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out.push_str(expected);
    escape_controls(&out)
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
        DecodeError::new(&serde_json::from_str::<Tokens>(json).unwrap_err()).to_string()
    }

    #[test]
    fn decode_errors_do_not_quote_values() {
        let message = decode_message(r#"{"expires_in": "tok-SECRET"}"#);
        assert!(message.starts_with(r#"invalid type: string "***", expected u32"#), "{message}");
        let message = decode_message(r#"{"expires_in": 1, "kind": "tok-SECRET"}"#);
        assert!(message.starts_with("unknown variant `***`, expected `Bearer`"), "{message}");
        let message = decode_message(r#"{"expires_in": 1}"#);
        assert!(message.starts_with("missing field `kind`"), "{message}");
        assert_eq!(without_quoted_values(r#"a "x\"y" b "z"#), r#"a "***" b "***""#);
    }

    #[test]
    fn redirect_locations_hide_queries() {
        assert_eq!(redacted_location("/next?code=SECRET"), "/next");
        assert_eq!(redacted_location("https://u:pw@cdn.example/f?sig=SECRET"), "https://u:***@cdn.example/f?***");
    }
}
