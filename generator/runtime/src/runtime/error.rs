//! Errors: what a call returns when it does not succeed.

use std::convert::Infallible;
use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::decode::DecodeError;
use super::hooks::HookError;
use super::redact::{Bounded, escape_controls, redacted_url};
use super::redirect::RedirectRefusal;
use super::{CredentialError, Delivery, RequestInfo};

/// Why a call failed. `E` is the operation's declared error body (an enum
/// with one variant per declared error status).
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The request could not be built (an invalid base URL, a header value
    /// that is not valid in HTTP, a body that failed to serialise).
    InvalidRequest {
        request: RequestInfo,
        message: String,
    },
    /// No response: connection refused, DNS, TLS, reset, broken stream.
    Transport {
        request: RequestInfo,
        source: reqwest::Error,
    },
    /// A response came but its head could not be read: larger than the
    /// HTTP client's limits (too many headers, a huge one) or not valid
    /// HTTP. The server received the request.
    ResponseHead {
        request: RequestInfo,
        source: reqwest::Error,
    },
    /// The response's head came, with `status`, but its body broke off
    /// (the connection closed or failed before the body was whole).
    Body {
        request: RequestInfo,
        status: StatusCode,
        source: reqwest::Error,
    },
    /// The response (for a streamed download, its head) did not come within
    /// the attempt's timeout ([`Config::timeout`](crate::Config::timeout))
    /// or the call's ([`Config::total_timeout`](crate::Config::total_timeout)).
    Timeout {
        request: RequestInfo,
        after: std::time::Duration,
    },
    /// A [`CredentialProvider`](crate::CredentialProvider) had no
    /// credential for the request; `source` is its error. Before the first
    /// attempt this means nothing was sent; before a retry, or when it was
    /// asked to renew a credential the server answered `401` to, an
    /// earlier attempt was.
    Credential {
        request: RequestInfo,
        source: CredentialError,
    },
    /// The server answered with an error status the spec declares; `body`
    /// is its decoded body.
    Api {
        request: RequestInfo,
        status: StatusCode,
        headers: Box<HeaderMap>,
        body: E,
    },
    /// The server answered with a status the spec does not declare for this
    /// operation. `body` is the body as text (lossy UTF-8), for code that
    /// needs it; `snippet`, its start with credential values blanked, is
    /// what `Display` and `Debug` show.
    UnexpectedStatus {
        request: RequestInfo,
        status: StatusCode,
        headers: Box<HeaderMap>,
        body: String,
        snippet: String,
    },
    /// A declared status whose body does not decode as the spec says.
    /// `snippet` is the start of the body, with credential values blanked.
    Decode {
        request: RequestInfo,
        status: StatusCode,
        source: DecodeError,
        snippet: String,
    },
    /// The body was larger than the client's limit and was not read.
    BodyTooLarge {
        request: RequestInfo,
        status: StatusCode,
        limit: usize,
    },
    /// The server redirected the request and the client did not follow
    /// (see [`RedirectPolicy`](crate::RedirectPolicy)); `location` is
    /// where it pointed, with every secret the request sent (a secret path
    /// value a server copied into it) as `***`; `headers` has it as sent.
    Redirect {
        request: RequestInfo,
        status: StatusCode,
        location: String,
        refused: RedirectRefusal,
        headers: Box<HeaderMap>,
    },
    /// A [`Hook`](crate::Hook) stopped the call with `source`, its own
    /// error or its panic (before an attempt was sent, or when its
    /// response came: [`Error::delivery`] tells which).
    Hook {
        request: RequestInfo,
        source: HookError,
    },
}

impl<E> Error<E> {
    /// The request that failed.
    pub fn request(&self) -> &RequestInfo {
        match self {
            Error::InvalidRequest { request, .. }
            | Error::Transport { request, .. }
            | Error::ResponseHead { request, .. }
            | Error::Body { request, .. }
            | Error::Timeout { request, .. }
            | Error::Credential { request, .. }
            | Error::Api { request, .. }
            | Error::UnexpectedStatus { request, .. }
            | Error::Decode { request, .. }
            | Error::BodyTooLarge { request, .. }
            | Error::Redirect { request, .. }
            | Error::Hook { request, .. } => request,
        }
    }

    /// How far the request got: whether the server may have seen it, which
    /// tells whether sending it again could make the server act twice (a
    /// POST that creates something, a refresh whose token works once).
    /// An error with a status, or one a hook raised on the response, was
    /// [`Delivery::Answered`]; [`Delivery::NotSent`] is a proof, never a
    /// guess. Over retries it is the furthest any attempt got.
    pub fn delivery(&self) -> Delivery {
        match self.status() {
            Some(_) => Delivery::Answered,
            None => self.request().delivery,
        }
    }

    fn request_mut(&mut self) -> &mut RequestInfo {
        match self {
            Error::InvalidRequest { request, .. }
            | Error::Transport { request, .. }
            | Error::ResponseHead { request, .. }
            | Error::Body { request, .. }
            | Error::Timeout { request, .. }
            | Error::Credential { request, .. }
            | Error::Api { request, .. }
            | Error::UnexpectedStatus { request, .. }
            | Error::Decode { request, .. }
            | Error::BodyTooLarge { request, .. }
            | Error::Redirect { request, .. }
            | Error::Hook { request, .. } => request,
        }
    }

    /// The response status, when there was a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. }
            | Error::Body { status, .. }
            | Error::Redirect { status, .. } => Some(*status),
            Error::InvalidRequest { .. }
            | Error::Transport { .. }
            | Error::ResponseHead { .. }
            | Error::Timeout { .. }
            | Error::Hook { .. }
            | Error::Credential { .. } => None,
        }
    }

    /// The response headers, when the error carries a response.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. }
            | Error::UnexpectedStatus { headers, .. }
            | Error::Redirect { headers, .. } => Some(headers),
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
            Error::Timeout { request, after } => f
                .debug_struct("Timeout")
                .field("request", request)
                .field("after", after)
                .finish(),
            Error::Credential { request, source } => f
                .debug_struct("Credential")
                .field("request", request)
                .field("source", source)
                .finish(),
            Error::Transport { request, source } => f
                .debug_struct("Transport")
                .field("request", request)
                .field("source", source)
                .finish(),
            Error::ResponseHead { request, source } => f
                .debug_struct("ResponseHead")
                .field("request", request)
                .field("source", source)
                .finish(),
            Error::Body {
                request,
                status,
                source,
            } => f
                .debug_struct("Body")
                .field("request", request)
                .field("status", status)
                .field("source", source)
                .finish(),
            Error::Api {
                request,
                status,
                body,
                ..
            } => f
                .debug_struct("Api")
                .field("request", request)
                .field("status", status)
                .field(
                    "body",
                    &Bounded {
                        value: body,
                        secrets: &request.secrets,
                    },
                )
                .finish_non_exhaustive(),
            Error::UnexpectedStatus {
                request,
                status,
                snippet,
                ..
            } => f
                .debug_struct("UnexpectedStatus")
                .field("request", request)
                .field("status", status)
                .field("snippet", snippet)
                .finish_non_exhaustive(),
            Error::Decode {
                request,
                status,
                source,
                snippet,
            } => f
                .debug_struct("Decode")
                .field("request", request)
                .field("status", status)
                .field("source", source)
                .field("snippet", snippet)
                .finish(),
            Error::BodyTooLarge {
                request,
                status,
                limit,
            } => f
                .debug_struct("BodyTooLarge")
                .field("request", request)
                .field("status", status)
                .field("limit", limit)
                .finish(),
            Error::Redirect {
                request,
                status,
                location,
                refused,
                ..
            } => f
                .debug_struct("Redirect")
                .field("request", request)
                .field("status", status)
                .field("location", &redacted_location(location))
                .field("refused", refused)
                .finish_non_exhaustive(),
            Error::Hook { request, source } => f
                .debug_struct("Hook")
                .field("request", request)
                .field("source", source)
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
            Error::Transport { request, source } => {
                write!(f, "{request}: request failed: {source}")
            }
            Error::ResponseHead { request, source } => {
                write!(
                    f,
                    "{request}: the response head could not be read (too large, or not HTTP): {source}"
                )
            }
            Error::Body {
                request,
                status,
                source,
            } => {
                write!(
                    f,
                    "{request}: the {status} response body broke off: {source}"
                )
            }
            Error::Timeout { request, after } => {
                write!(f, "{request}: no response within {after:?}")
            }
            Error::Credential { request, source } => {
                write!(f, "{request}: no credential to send: {source}")
            }
            Error::Api {
                request, status, ..
            } => {
                write!(f, "{request}: server returned error status {status}")
            }
            Error::UnexpectedStatus {
                request,
                status,
                snippet,
                ..
            } => {
                write!(
                    f,
                    "{request}: server returned unexpected status {status}: {snippet}"
                )
            }
            Error::Decode {
                request,
                status,
                source,
                snippet,
            } => write!(
                f,
                "{request}: could not decode the {status} response body ({source}); body starts with: {snippet}"
            ),
            Error::BodyTooLarge {
                request,
                status,
                limit,
            } => write!(
                f,
                "{request}: {status} response body is larger than the {limit}-byte limit"
            ),
            Error::Redirect {
                request,
                status,
                location,
                refused,
                ..
            } => write!(
                f,
                "{request}: server redirected ({status}) to {}, not followed: {refused}",
                redacted_location(location)
            ),
            Error::Hook { request, source } => write!(f, "{request}: stopped by a hook: {source}"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. }
            | Error::ResponseHead { source, .. }
            | Error::Body { source, .. } => Some(source),
            Error::Credential { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            Error::Hook { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

/// An error that no operation's declared body is part of yet; `?` turns it
/// into the operation's [`Error`]. Boxed, so that the `Result`s of the
/// request-building steps stay one pointer wide.
pub(crate) struct Failure(pub(crate) Box<Error<Infallible>>);

impl Failure {
    pub(crate) fn new(error: Error<Infallible>) -> Self {
        Failure(Box::new(error))
    }

    /// How far the request got, for the failure's own attempt.
    pub(crate) fn delivery(&self) -> Delivery {
        self.0.delivery()
    }

    /// The failure of a call whose attempts got as far as `delivery` (the
    /// furthest of them: a retry that was never sent does not make the
    /// call unsent).
    pub(crate) fn delivered(mut self, delivery: Delivery) -> Self {
        self.0.request_mut().delivery = delivery;
        self
    }
}

impl<E> From<Failure> for Error<E> {
    fn from(Failure(error): Failure) -> Self {
        match *error {
            Error::InvalidRequest { request, message } => {
                Error::InvalidRequest { request, message }
            }
            Error::Transport { request, source } => Error::Transport { request, source },
            Error::ResponseHead { request, source } => Error::ResponseHead { request, source },
            Error::Body {
                request,
                status,
                source,
            } => Error::Body {
                request,
                status,
                source,
            },
            Error::Timeout { request, after } => Error::Timeout { request, after },
            Error::Credential { request, source } => Error::Credential { request, source },
            Error::Api { body, .. } => match body {},
            Error::UnexpectedStatus {
                request,
                status,
                headers,
                body,
                snippet,
            } => Error::UnexpectedStatus {
                request,
                status,
                headers,
                body,
                snippet,
            },
            Error::Decode {
                request,
                status,
                source,
                snippet,
            } => Error::Decode {
                request,
                status,
                source,
                snippet,
            },
            Error::BodyTooLarge {
                request,
                status,
                limit,
            } => Error::BodyTooLarge {
                request,
                status,
                limit,
            },
            Error::Redirect {
                request,
                status,
                location,
                refused,
                headers,
            } => Error::Redirect {
                request,
                status,
                location,
                refused,
                headers,
            },
            Error::Hook { request, source } => Error::Hook { request, source },
        }
    }
}

impl Error {
    /// A failure of the HTTP client, without the URL it names (its query
    /// string may hold a credential).
    pub(crate) fn from_transport(request: RequestInfo, source: reqwest::Error) -> Self {
        let source = source.without_url();
        match unreadable_head(&source) {
            true => Error::ResponseHead {
                request: request.with_delivery(Delivery::Answered),
                source,
            },
            false => Error::Transport { request, source },
        }
    }
}

/// Whether the HTTP layer failed on the response's head (it came, but was
/// too large or not HTTP) rather than on the connection.
fn unreadable_head(error: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(hyper) = error.downcast_ref::<hyper::Error>() {
            return hyper.is_parse() || hyper.is_parse_status();
        }
        cause = error.source();
    }
    false
}

/// Where a redirect pointed, for error text: relative or absolute, with
/// any password and query string hidden.
fn redacted_location(location: &str) -> String {
    match reqwest::Url::parse(location) {
        Ok(_) => redacted_url(location),
        Err(_) => escape_controls(location.split(['?', '#']).next().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::redact::DEBUG_BODY_BYTES;
    use super::*;

    #[test]
    fn debug_of_a_huge_declared_body_is_bounded() {
        let error: Error<Vec<String>> = Error::Api {
            request: RequestInfo::new(reqwest::Method::POST, "/items".into()),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            headers: Box::default(),
            body: vec!["é".repeat(1000); 10_000],
        };
        for text in [format!("{error:?}"), format!("{error:#?}")] {
            assert!(text.len() < DEBUG_BODY_BYTES + 512, "{} bytes", text.len());
            assert!(text.contains("...") && text.contains("Api"), "{text}");
        }
        let small: Error<Vec<u8>> = Error::Api {
            request: RequestInfo::new(reqwest::Method::POST, "/items".into()),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            headers: Box::default(),
            body: vec![1, 2],
        };
        assert!(
            format!("{small:?}").contains("body: [1, 2] }")
                || format!("{small:?}").contains("body: [1, 2], ..")
        );
    }

    #[test]
    fn redirect_locations_hide_queries_and_never_panic() {
        for text in ["", "?", "\u{1b}[2J?x", "http://", "//h/\u{202e}?q"] {
            let _ = redacted_location(text);
        }
        assert_eq!(redacted_location("/next?code=SECRET"), "/next");
        assert_eq!(
            redacted_location("https://u:pw@cdn.example/f?sig=SECRET"),
            "https://***:***@cdn.example/f?***"
        );
    }
}
