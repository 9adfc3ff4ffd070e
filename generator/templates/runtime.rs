//! Runtime support shared by every operation: requests, responses, errors
//! and credentials. It is the same for every spec; only `client.rs` and
//! `types.rs` change with the spec.

// Not every API uses every helper (path parameters, text bodies, ...).
#![allow(dead_code)]

use std::convert::Infallible;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};

/// Largest buffered response body the client reads by default (16 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Default time allowed for connecting to the server.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, from sending to the last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How much of a response body an error message quotes.
const SNIPPET_BYTES: usize = 512;

/// A credential. Its value never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// Settings that apply to every request a client sends.
#[derive(Debug, Clone)]
pub struct Config {
    /// Whole-request timeout; `None` leaves it to the HTTP client.
    pub timeout: Option<Duration>,
    /// Buffered response bodies larger than this fail with
    /// [`Error::BodyTooLarge`] instead of filling memory.
    pub max_body_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Some(DEFAULT_TIMEOUT),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// The HTTP client a [`crate::Client`] uses unless given another: rustls,
/// a connect timeout and a user agent naming this crate.
pub fn default_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .user_agent(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// Which request an error or response belongs to: method and path, never
/// the query string or headers (they may carry credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    pub method: Method,
    pub path: String,
}

impl fmt::Display for RequestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
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
        ResponseValue { inner, status, headers }
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
        ResponseValue { inner: f(self.inner), status: self.status, headers: self.headers }
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

/// Why a call failed. `E` is the operation's declared error body (an enum
/// with one variant per declared error status).
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The request could not be built (an invalid base URL, a header value
    /// that is not valid in HTTP, a body that failed to serialise).
    InvalidRequest { request: RequestInfo, message: String },
    /// No response: connection refused, DNS, TLS, timeout, broken stream.
    Transport { request: RequestInfo, source: reqwest::Error },
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
            Error::InvalidRequest { .. } | Error::Transport { .. } => None,
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
pub(crate) struct Failure(Error<Infallible>);

impl<E> From<Failure> for Error<E> {
    fn from(Failure(error): Failure) -> Self {
        match error {
            Error::InvalidRequest { request, message } => Error::InvalidRequest { request, message },
            Error::Transport { request, source } => Error::Transport { request, source },
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
fn snippet(body: &[u8]) -> String {
    let cut = body.len().min(SNIPPET_BYTES);
    let text = String::from_utf8_lossy(&body[..cut]);
    let mut text = text.trim_end_matches('\u{FFFD}').to_owned();
    if body.len() > cut {
        text.push_str("...");
    }
    text
}

/// A request being put together by an operation, before it is sent.
pub(crate) struct PendingRequest {
    info: RequestInfo,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    cookies: Vec<(String, String)>,
    basic_auth: Option<(Secret, Option<Secret>)>,
    body: Option<(Vec<u8>, &'static str)>,
}

impl PendingRequest {
    /// `path` is the template; fill its `{params}` with [`Self::path_param`].
    pub fn new(method: Method, path: &str) -> Self {
        PendingRequest {
            info: RequestInfo { method, path: path.to_owned() },
            query: Vec::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            basic_auth: None,
            body: None,
        }
    }

    fn invalid(&self, message: String) -> Failure {
        Failure(Error::InvalidRequest { request: self.info.clone(), message })
    }

    /// Replaces `{name}` in the path with the percent-encoded value.
    pub fn path_param(&mut self, name: &str, value: &impl serde::Serialize) -> Result<(), Failure> {
        let text = match to_strings(value).map_err(|e| self.invalid(e))?.as_slice() {
            [one] => one.clone(),
            many => many.join(","),
        };
        if text.is_empty() {
            return Err(self.invalid(format!("path parameter `{name}` is empty")));
        }
        let placeholder = format!("{{{name}}}");
        self.info.path = self.info.path.replace(&placeholder, &encode_path_segment(&text));
        Ok(())
    }

    /// Adds a query parameter; `None` adds nothing. Arrays repeat the name
    /// (`explode`) or join the values with commas.
    pub fn query(&mut self, name: &str, value: &impl serde::Serialize, explode: bool) -> Result<(), Failure> {
        let values = to_strings(value).map_err(|e| self.invalid(e))?;
        if explode {
            self.query.extend(values.into_iter().map(|v| (name.to_owned(), v)));
        } else if !values.is_empty() {
            self.query.push((name.to_owned(), values.join(",")));
        }
        Ok(())
    }

    /// Adds a header parameter; `None` adds nothing.
    pub fn header(&mut self, name: &str, value: &impl serde::Serialize) -> Result<(), Failure> {
        let values = to_strings(value).map_err(|e| self.invalid(e))?;
        if values.is_empty() {
            return Ok(());
        }
        let value = HeaderValue::from_str(&values.join(","))
            .map_err(|_| self.invalid(format!("value of header `{name}` is not valid in HTTP")))?;
        self.insert_header(name, value)
    }

    fn insert_header(&mut self, name: &str, value: HeaderValue) -> Result<(), Failure> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| self.invalid(format!("`{name}` is not a valid header name")))?;
        self.headers.insert(name, value);
        Ok(())
    }

    /// Adds a cookie parameter; `None` adds nothing.
    pub fn cookie(&mut self, name: &str, value: &impl serde::Serialize) -> Result<(), Failure> {
        let values = to_strings(value).map_err(|e| self.invalid(e))?;
        if !values.is_empty() {
            self.cookies.push((name.to_owned(), values.join(",")));
        }
        Ok(())
    }

    /// Sends a credential in a header, marked sensitive so that HTTP
    /// tooling does not log it.
    pub fn secret_header(&mut self, name: &str, value: &Secret) -> Result<(), Failure> {
        let mut header = HeaderValue::from_str(value.expose())
            .map_err(|_| self.invalid(format!("credential for header `{name}` is not a valid header value")))?;
        header.set_sensitive(true);
        self.insert_header(name, header)
    }

    pub fn bearer_auth(&mut self, token: &Secret) -> Result<(), Failure> {
        self.secret_header("authorization", &Secret(format!("Bearer {}", token.expose())))
    }

    pub fn basic_auth(&mut self, username: &Secret, password: Option<&Secret>) {
        self.basic_auth = Some((username.clone(), password.cloned()));
    }

    pub fn secret_query(&mut self, name: &str, value: &Secret) {
        self.query.push((name.to_owned(), value.expose().to_owned()));
    }

    pub fn secret_cookie(&mut self, name: &str, value: &Secret) {
        self.cookies.push((name.to_owned(), value.expose().to_owned()));
    }

    pub fn json_body(&mut self, body: &impl serde::Serialize, content_type: &'static str) -> Result<(), Failure> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| self.invalid(format!("request body does not serialise: {e}")))?;
        self.body = Some((bytes, content_type));
        Ok(())
    }

    pub fn raw_body(&mut self, body: Vec<u8>, content_type: &'static str) {
        self.body = Some((body, content_type));
    }

    /// Sends the request and reads the whole response body, up to the
    /// configured limit.
    pub async fn send(self, http: &reqwest::Client, base_url: &str, config: &Config) -> Result<RawResponse, Failure> {
        let info = self.info;
        let invalid = |message: String| Failure(Error::InvalidRequest { request: info.clone(), message });
        let mut url = reqwest::Url::parse(&format!("{}{}", base_url.trim_end_matches('/'), info.path))
            .map_err(|e| invalid(format!("base URL `{base_url}` does not make a valid URL: {e}")))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let mut builder = http.request(info.method.clone(), url).headers(self.headers);
        if !self.cookies.is_empty() {
            let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let mut value = HeaderValue::from_str(&cookie)
                .map_err(|_| invalid("cookie value is not valid in HTTP".into()))?;
            value.set_sensitive(true);
            builder = builder.header(reqwest::header::COOKIE, value);
        }
        if let Some((user, password)) = &self.basic_auth {
            builder = builder.basic_auth(user.expose(), password.as_ref().map(Secret::expose));
        }
        if let Some((bytes, content_type)) = self.body {
            builder = builder.header(reqwest::header::CONTENT_TYPE, content_type).body(bytes);
        }
        if let Some(timeout) = config.timeout {
            builder = builder.timeout(timeout);
        }
        let transport = |e: reqwest::Error| Failure(Error::Transport { request: info.clone(), source: e.without_url() });
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        if response.content_length().is_some_and(|len| len > config.max_body_bytes as u64) {
            return Err(Failure(Error::BodyTooLarge { request: info.clone(), status, limit: config.max_body_bytes }));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > config.max_body_bytes {
                return Err(Failure(Error::BodyTooLarge { request: info.clone(), status, limit: config.max_body_bytes }));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { info, status, headers, body })
    }
}

/// A response whose body has been read but not yet decoded.
pub(crate) struct RawResponse {
    info: RequestInfo,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl RawResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Failure> {
        serde_json::from_slice(&self.body).map_err(|source| {
            Failure(Error::Decode {
                request: self.info.clone(),
                status: self.status,
                source,
                snippet: snippet(&self.body),
            })
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.body.clone()
    }

    pub fn success<T>(self, value: T) -> ResponseValue<T> {
        ResponseValue::new(value, self.status, self.headers)
    }

    pub fn api_error<E>(self, body: E) -> Error<E> {
        Error::Api { request: self.info, status: self.status, headers: Box::new(self.headers), body }
    }

    pub fn unexpected<E>(self) -> Error<E> {
        let body = String::from_utf8_lossy(&self.body).into_owned();
        Error::UnexpectedStatus { request: self.info, status: self.status, headers: Box::new(self.headers), body }
    }
}

/// Text forms of a parameter value: scalars as they read, arrays as their
/// items, `null` as nothing, and objects as compact JSON.
fn to_strings(value: &impl serde::Serialize) -> Result<Vec<String>, String> {
    fn scalar(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            other => Some(other.to_string()),
        }
    }
    let value = serde_json::to_value(value).map_err(|e| format!("parameter does not serialise: {e}"))?;
    Ok(match &value {
        serde_json::Value::Array(items) => items.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    })
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so a
/// value with `/`, `?`, `%` or spaces stays one path segment.
fn encode_path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_fully_encoded() {
        assert_eq!(encode_path_segment("a/b c%d?é"), "a%2Fb%20c%25d%3F%C3%A9");
        assert_eq!(encode_path_segment("plain-1.2_~"), "plain-1.2_~");
    }

    #[test]
    fn snippets_are_bounded() {
        let long = vec![b'x'; SNIPPET_BYTES * 2];
        assert_eq!(snippet(&long).len(), SNIPPET_BYTES + 3);
        assert_eq!(snippet(b"short"), "short");
        assert_eq!(snippet(&[0xff, 0xfe]), "");
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn parameter_text_forms() {
        assert_eq!(to_strings(&Some(3)).unwrap(), vec!["3"]);
        assert_eq!(to_strings(&None::<i32>).unwrap(), Vec::<String>::new());
        assert_eq!(to_strings(&vec!["a", "b"]).unwrap(), vec!["a", "b"]);
        assert_eq!(to_strings(&true).unwrap(), vec!["true"]);
    }
}
