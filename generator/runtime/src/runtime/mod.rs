//! Runtime support shared by every operation: requests, responses, errors,
//! retries and credentials. It is the same for every spec; only `client.rs`
//! and `types.rs` change with the spec.

// Not every API uses every helper (path parameters, text bodies, ...).
#![allow(dead_code)]

mod attempt;
mod authorize;
mod base_url;
mod credentials;
mod decode;
mod error;
mod events;
mod exchange;
mod headers;
mod hooks;
mod lines;
#[cfg(feature = "mock")]
mod mock;
mod multipart;
mod nullable;
mod paginate;
mod params;
mod path;
mod prepare;
mod redact;
mod redirect;
mod request;
mod response;
mod resume;
mod retry;
mod secrets;
mod send;
mod stream;
mod tagged;
mod trace;
mod walk;
// The written-out `Serialize`/`Deserialize` impls of `types.rs`.
pub(crate) mod wire;

#[allow(unused_imports)] // an API without security schemes has no credentials
pub(crate) use credentials::Credential;
pub use credentials::{CredentialError, CredentialFuture, CredentialProvider};
pub use decode::DecodeError;
pub use error::Error;
pub(crate) use error::Failure;
pub use hooks::{AttemptRequest, AttemptResponse, Hook, HookError, Hooks};
#[cfg(feature = "mock")]
pub use mock::{MockCall, MockServer};
// An API without operations has no mock builder to use it.
#[cfg(feature = "mock")]
#[allow(unused_imports)]
pub(crate) use mock::shared_mock_methods;
pub use multipart::FilePart;
pub use nullable::Nullable;
pub use paginate::{PageStop, Paginated};
// Used by the page helpers of operations `codegen.toml` paginates.
#[allow(unused_imports)]
pub(crate) use paginate::{Page, PagePosition, PageStyle, next_link_param};
// Used by the operations of APIs that have multipart bodies or path and
// query parameters.
#[allow(unused_imports)] // an API without operations has no requests
pub(crate) use base_url::BaseUrl;
pub use events::{EventStream, ServerEvent};
#[allow(unused_imports)]
pub(crate) use multipart::Multipart;
#[allow(unused_imports)]
pub(crate) use params::Style;
pub use redirect::{RedirectPolicy, RedirectRefusal};
#[allow(unused_imports)] // an API without operations has no requests
pub(crate) use request::PendingRequest;
pub use response::ByteStream;
pub use retry::RetryPolicy;
pub use secrets::Secret;
pub(crate) use secrets::SentSecrets;
pub use stream::JsonLines;
#[allow(unused_imports)] // an API without streams has no stream to decode
pub(crate) use stream::{json as stream_json, parts as stream_parts, text as stream_text};

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// Largest buffered response body the client reads by default (16 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Largest event or record a streamed response may send by default (1 MiB).
pub const DEFAULT_MAX_EVENT_BYTES: usize = 1024 * 1024;
/// Default time a streamed response may send nothing.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Default time allowed for connecting to the server.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt, from sending to the last byte of
/// the response (redirects included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Response headers that carry a server's id for a request, in the order
/// they are looked for.
const REQUEST_ID_HEADERS: [&str; 5] = [
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-correlation-id",
    "cf-ray",
];

/// A response header read as `T`: its text as JSON when that parses
/// (numbers, booleans), otherwise as a JSON string (strings, enums, dates).
/// `None` when the header is absent or its value does not fit `T`.
pub(crate) fn header_value<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    name: &str,
) -> Option<T> {
    let text = headers.get(name)?.to_str().ok()?;
    serde_json::from_str(text)
        .ok()
        .or_else(|| serde_json::from_value(serde_json::Value::String(text.to_owned())).ok())
}

/// Settings that apply to every request a client sends.
///
/// How long a call can take: each attempt is bounded by `timeout` (from
/// sending until the last byte of the body; for a streamed download until
/// its head); retries add attempts and their backoff, and none starts after
/// [`RetryPolicy::max_elapsed`]. So by default a call ends within about
/// 30 s + 60 s. `total_timeout` bounds the whole call, retries included.
#[derive(Debug, Clone)]
pub struct Config {
    /// Timeout for each attempt; `None` leaves it to the HTTP client.
    pub timeout: Option<Duration>,
    /// Deadline for the whole call: every attempt, redirect and retry
    /// wait. `None` (the default) leaves the bound to `timeout` and the
    /// retry policy.
    pub total_timeout: Option<Duration>,
    /// Buffered response bodies larger than this fail with
    /// [`Error::BodyTooLarge`] instead of filling memory.
    pub max_body_bytes: usize,
    /// When and how often failed attempts are retried.
    pub retry: RetryPolicy,
    /// Which redirects are followed.
    pub redirects: RedirectPolicy,
    /// The caller's code run on every attempt (see [`Hook`]).
    pub hooks: Hooks,
    /// The largest event or record a streamed response may send (1 MiB by
    /// default); a larger one ends the stream with
    /// [`Error::BodyTooLarge`], so a hostile stream cannot fill memory.
    pub max_event_bytes: usize,
    /// How long a streamed response may send nothing (5 minutes by
    /// default) before it ends with [`Error::Timeout`]; `None` waits for
    /// ever. Separate from `timeout`, which ends at a stream's head so
    /// that a long, healthy stream is never cut.
    pub stream_idle_timeout: Option<Duration>,
    /// Resume an event stream whose connection drops (off by default): the
    /// request is sent again with `Last-Event-ID` set to the last event's
    /// id, after the server's `retry:` time or the retry policy's backoff,
    /// as often in a row as the policy retries. Only for streams whose
    /// events carry ids, and methods the retry policy repeats.
    pub resume_event_streams: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Some(DEFAULT_TIMEOUT),
            total_timeout: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            retry: RetryPolicy::default(),
            redirects: RedirectPolicy::default(),
            hooks: Hooks::default(),
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            stream_idle_timeout: Some(DEFAULT_STREAM_IDLE_TIMEOUT),
            resume_event_streams: false,
        }
    }
}

/// The settings of the default HTTP client, to add your own to (proxies,
/// TLS roots, pool sizes) and give to
/// [`Client::with_http_client_builder`](crate::Client::with_http_client_builder):
/// rustls, a connect timeout, a user agent naming this crate, and no
/// redirects, retries or `Referer` of `reqwest`'s own. The runtime follows
/// redirects itself and keeps credentials and bodies from other origins
/// (see [`RedirectPolicy`]).
///
/// `reqwest` adds a builder's `default_headers` (and a cookie store's
/// cookies) to every request it sends, to whatever origin: put no
/// credential there. Credentials belong to the client's setters or
/// providers, and other headers meant for the API alone to a
/// [`Hook`]; both stay on the API's origin.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .user_agent(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ))
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
}

/// The HTTP client requests go through, and whether it is the runtime's
/// own. A client of the caller's may follow redirects inside `reqwest`,
/// and its connection errors then cannot prove that the API never received
/// the request, so a POST is not retried after one.
#[derive(Clone)]
pub(crate) struct HttpClient {
    /// The client, or why it could not be built (TLS could not be set up);
    /// every call then fails with that reason instead of panicking.
    pub(crate) client: Result<reqwest::Client, String>,
    pub(crate) follows_no_redirects: bool,
}

impl HttpClient {
    /// A client the caller built.
    pub fn supplied(client: reqwest::Client) -> Self {
        HttpClient {
            client: Ok(client),
            follows_no_redirects: false,
        }
    }

    /// A client built from the caller's settings, without `reqwest`'s own
    /// redirects, retries and `Referer`: a retry inside `reqwest` would
    /// send a request the runtime counts as sent once (a refresh token)
    /// again, and could make a connection error after it look unsent.
    pub fn from_builder(builder: reqwest::ClientBuilder) -> Self {
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .referer(false)
            .build()
            .map_err(|e| format!("the HTTP client could not be built: {e}"));
        HttpClient {
            client,
            follows_no_redirects: true,
        }
    }
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::from_builder(http_client_builder())
    }
}

/// Method and shown path of a sent request, and the secrets it sent: what
/// its responses need to describe it in errors (`request.rs` makes it,
/// `response.rs` and the streams keep it).
pub(crate) struct Described {
    method: Method,
    path: std::borrow::Cow<'static, str>,
    secrets: SentSecrets,
}

impl Described {
    /// The full description, with the server's request id when the
    /// response carried one; the server answered, and errors made from
    /// here on say so.
    pub(crate) fn info(&self, headers: &HeaderMap) -> RequestInfo {
        RequestInfo::new(self.method.clone(), self.path.to_string())
            .with_request_id(headers, &self.secrets)
            .with_secrets(&self.secrets)
            .with_delivery(Delivery::Answered)
    }
}

/// Which request an error or response belongs to: method and path, never
/// the query string or headers (they may carry credentials), and the
/// server's request id when the response had one.
#[derive(Clone)]
pub struct RequestInfo {
    pub method: Method,
    pub path: String,
    pub request_id: Option<String>,
    /// How far the request got; see [`Error::delivery`].
    pub(crate) delivery: Delivery,
    /// The secrets the request sent, when a response came: `Debug` of a
    /// decoded error body blanks them (a server may quote them anywhere).
    /// Never printed, and no part of a description's equality.
    pub(crate) secrets: SentSecrets,
}

impl PartialEq for RequestInfo {
    fn eq(&self, other: &Self) -> bool {
        let RequestInfo {
            method,
            path,
            request_id,
            delivery,
            secrets: _,
        } = self;
        *method == other.method
            && *path == other.path
            && *request_id == other.request_id
            && *delivery == other.delivery
    }
}

impl Eq for RequestInfo {}

impl fmt::Debug for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestInfo")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("request_id", &self.request_id)
            .field("delivery", &self.delivery)
            .finish()
    }
}

/// How far a failed call's request got, which tells whether sending it
/// again could make the server act twice; from [`Error::delivery`].
/// Ordered: a later variant got further.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Delivery {
    /// Provably never sent: the request was invalid, a hook or credential
    /// provider stopped it, or the connection to the API could not be made
    /// (a proof only the runtime's own HTTP client gives: one given to
    /// `with_http_client` may have followed a redirect first). The server
    /// cannot have seen it; sending it again is safe.
    NotSent,
    /// It may have reached the server: it went out and then the
    /// connection broke or the time ran out, or the error came before a
    /// retry of an attempt that went out.
    MaybeSent,
    /// The server answered it (the error carries the status, or a hook or
    /// credential provider refused the answer).
    Answered,
}

impl RequestInfo {
    /// A request that may have been sent, until the runtime knows better.
    pub(crate) fn new(method: Method, path: String) -> Self {
        RequestInfo {
            method,
            path,
            request_id: None,
            delivery: Delivery::MaybeSent,
            secrets: SentSecrets::default(),
        }
    }

    /// The server's id for the request, from `headers`, bounded, without
    /// control characters and without any secret the request `sent` (a
    /// hostile server or proxy may echo a token there).
    pub(super) fn with_request_id(mut self, headers: &HeaderMap, sent: &SentSecrets) -> Self {
        self.request_id = REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| headers.get(*name)?.to_str().ok())
            .map(|id| redact::request_id(id, sent));
        self
    }

    /// Keeps the secrets the request sent, for `Debug` of what came back.
    pub(crate) fn with_secrets(mut self, sent: &SentSecrets) -> Self {
        self.secrets = sent.clone();
        self
    }

    pub(crate) fn with_delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }
}

impl fmt::Display for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// A successful response: the decoded body, with the status and headers.
/// It dereferences to the body.
#[derive(Clone)]
pub struct ResponseValue<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
}

impl<T> ResponseValue<T> {
    pub fn new(inner: T, status: StatusCode, headers: HeaderMap) -> Self {
        ResponseValue {
            inner,
            status,
            headers,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U> {
        ResponseValue {
            inner: f(self.inner),
            status: self.status,
            headers: self.headers,
        }
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for ResponseValue<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for ResponseValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers are left out: `Set-Cookie` and friends may carry secrets.
        f.debug_struct("ResponseValue")
            .field("status", &self.status)
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_parse_into_their_types() {
        let mut headers = HeaderMap::new();
        headers.insert("x-count", "42".parse().unwrap());
        headers.insert("x-name", "42".parse().unwrap());
        headers.insert("x-flag", "true".parse().unwrap());
        headers.insert("x-bad", "many".parse().unwrap());
        assert_eq!(header_value::<i64>(&headers, "x-count"), Some(42));
        assert_eq!(
            header_value::<String>(&headers, "x-name").as_deref(),
            Some("42")
        );
        assert_eq!(header_value::<bool>(&headers, "x-flag"), Some(true));
        assert_eq!(header_value::<i64>(&headers, "x-bad"), None);
        assert_eq!(header_value::<i64>(&headers, "x-missing"), None);
    }

    #[test]
    fn request_ids_are_picked_up_and_bounded() {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", "abc".parse().unwrap());
        let info = RequestInfo::new(Method::GET, "/x".into())
            .with_request_id(&headers, &SentSecrets::NONE);
        assert_eq!(info.to_string(), "GET /x (request id abc)");
        headers.insert("x-request-id", "z".repeat(500).parse().unwrap());
        let info = info.with_request_id(&headers, &SentSecrets::NONE);
        assert_eq!(info.request_id.unwrap().len(), 128);
    }
}
