//! Errors: what a call returns when it does not succeed.

use std::convert::Infallible;
use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::RequestInfo;

/// How much of a response body an error message quotes.
const SNIPPET_BYTES: usize = 512;

/// Why a call failed. `E` is the operation's declared error body (an enum
/// with one variant per declared error status).
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The request could not be built (an invalid base URL, a header value
    /// that is not valid in HTTP, a body that failed to serialise).
    InvalidRequest { request: RequestInfo, message: String },
    /// No response: connection refused, DNS, TLS, timeout, broken stream.
    Transport { request: RequestInfo, source: reqwest::Error },
    /// The response (or, for a streamed download, its head) did not come
    /// within the client's timeout.
    Timeout { request: RequestInfo, after: std::time::Duration },
    /// The server answered with an error status the spec declares; `body`
    /// is its decoded body.
    Api { request: RequestInfo, status: StatusCode, headers: Box<HeaderMap>, body: E },
    /// The server answered with a status the spec does not declare for this
    /// operation. `body` is the body as text (lossy UTF-8).
    UnexpectedStatus { request: RequestInfo, status: StatusCode, headers: Box<HeaderMap>, body: String },
    /// A declared status whose body does not decode as the spec says.
    /// `snippet` is the start of the body.
    Decode { request: RequestInfo, status: StatusCode, source: serde_json::Error, snippet: String },
    /// The body was larger than the client's limit and was not read.
    BodyTooLarge { request: RequestInfo, status: StatusCode, limit: usize },
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
            | Error::BodyTooLarge { request, .. } => request,
        }
    }

    /// The response status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::InvalidRequest { .. } | Error::Transport { .. } | Error::Timeout { .. } => None,
        }
    }

    /// The response headers, when the error carries a response.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. } | Error::UnexpectedStatus { headers, .. } => Some(headers),
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
                .field("body", &snippet(body.as_bytes()))
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
                snippet(body.as_bytes())
            ),
            Error::Decode { request, status, source, snippet } => write!(
                f,
                "{request}: could not decode the {status} response body ({source}); body starts with: {snippet}"
            ),
            Error::BodyTooLarge { request, status, limit } => write!(
                f,
                "{request}: {status} response body is larger than the {limit}-byte limit"
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
        }
    }
}

/// The start of a body, as text, cut at a character boundary.
pub(crate) fn snippet(body: &[u8]) -> String {
    let cut = body.len().min(SNIPPET_BYTES);
    let text = String::from_utf8_lossy(&body[..cut]);
    let mut text = text.trim_end_matches('\u{FFFD}').to_owned();
    if body.len() > cut {
        text.push_str("...");
    }
    text
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded() {
        let long = vec![b'x'; SNIPPET_BYTES * 2];
        assert_eq!(snippet(&long).len(), SNIPPET_BYTES + 3);
        assert_eq!(snippet(b"short"), "short");
        assert_eq!(snippet(&[0xff, 0xfe]), "");
    }
}
