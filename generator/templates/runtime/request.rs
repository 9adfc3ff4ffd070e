//! Building a request, sending it (with redirects, timeouts and retries),
//! and reading the answer.

use std::time::Instant;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use super::error::DecodeError;
use super::multipart::Multipart;
use super::params::{self, Style};
use super::redact::{redacted_url, snippet};
use super::redirect::{self, Carrying, Next, RedirectRefusal, Sent};
use super::retry::Outcome;
use super::{Config, Error, Failure, HttpClient, RequestInfo, ResponseValue, Secret};

/// A request being put together by an operation, before it is sent. It can
/// be sent more than once (for retries).
pub(crate) struct PendingRequest {
    /// Method and the path as errors show it (secret path values as `***`).
    info: RequestInfo,
    /// The path that is sent.
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    cookies: Vec<(String, String)>,
    /// Credentials, kept apart so that they go to the API's origin only.
    credentials: Credentials,
    body: Option<(Vec<u8>, String)>,
}

#[derive(Default)]
struct Credentials {
    headers: HeaderMap,
    query: Vec<(String, Secret)>,
    cookies: Vec<(String, Secret)>,
}

impl Credentials {
    fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.query.is_empty() && self.cookies.is_empty()
    }
}

/// Whether a failed attempt might have reached the server, which decides
/// whether a request that is not idempotent may be tried again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The connection to the API could not be made: nothing was sent.
    NotSent,
    /// Sent, or perhaps sent (a timeout, a reset, a redirect followed).
    MaybeSent,
    /// Not worth repeating (the request is invalid).
    Final,
}

struct AttemptError {
    failure: Failure,
    reach: Reach,
}

impl From<Failure> for AttemptError {
    fn from(failure: Failure) -> Self {
        AttemptError { failure, reach: Reach::Final }
    }
}

/// Everything an attempt needs that does not change between attempts.
struct Prepared<'a> {
    http: &'a HttpClient,
    config: &'a Config,
    /// The API's base URL: its origin is the one credentials may go to.
    api: Url,
    url: Url,
    /// Headers for the API's origin: parameters, cookies, credentials and
    /// the body's content type.
    headers: HeaderMap,
    carrying: Carrying,
}

impl PendingRequest {
    /// `path` is the template; fill its `{params}` with [`Self::path_param`].
    pub fn new(method: Method, path: &str) -> Self {
        PendingRequest {
            info: RequestInfo { method, path: path.to_owned(), request_id: None },
            path: path.to_owned(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            credentials: Credentials::default(),
            body: None,
        }
    }

    pub fn invalid(&self, message: String) -> Failure {
        Failure(Error::InvalidRequest { request: self.info.clone(), message })
    }

    /// Replaces `{name}` in the path with the value, written in its style
    /// and percent-encoded.
    pub fn path_param(&mut self, name: &str, value: &impl serde::Serialize, style: Style, explode: bool) -> Result<(), Failure> {
        let text = self.path_text(name, value, style, explode)?;
        let placeholder = format!("{{{name}}}");
        self.path = self.path.replace(&placeholder, &text);
        self.info.path = self.info.path.replace(&placeholder, &text);
        Ok(())
    }

    /// A path parameter that holds a credential (an invite token, say):
    /// sent like any other, shown as `***` in errors.
    pub fn secret_path_param(&mut self, name: &str, value: &impl serde::Serialize, style: Style, explode: bool) -> Result<(), Failure> {
        let text = self.path_text(name, value, style, explode)?;
        let placeholder = format!("{{{name}}}");
        self.path = self.path.replace(&placeholder, &text);
        self.info.path = self.info.path.replace(&placeholder, "***");
        Ok(())
    }

    /// A path value that cannot move the request to another resource:
    /// empty, `.` and `..` values are refused, since the URL parser would
    /// drop or climb their segment (`%2e` is a dot to it too).
    fn path_text(&self, name: &str, value: &impl serde::Serialize, style: Style, explode: bool) -> Result<String, Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
        let text = params::path_text(name, &flat, style, explode);
        let value = text.strip_prefix(params::path_prefix(style)).unwrap_or(&text);
        if value.is_empty() || params::is_dot_segment(value) {
            let shown = if value.is_empty() { "empty" } else { "`.` or `..`" };
            return Err(self.invalid(format!("path parameter `{name}` is {shown}, which would change the path")));
        }
        Ok(text)
    }

    /// Adds a query parameter in its style; `None` adds nothing.
    pub fn query(&mut self, name: &str, value: &impl serde::Serialize, style: Style, explode: bool) -> Result<(), Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
        self.query.extend(params::query_pairs(name, flat, style, explode));
        Ok(())
    }

    /// Adds a header parameter; `None` adds nothing.
    pub fn header(&mut self, name: &str, value: &impl serde::Serialize, explode: bool) -> Result<(), Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
        let Some(text) = params::simple_text(flat, explode) else {
            return Ok(());
        };
        let value = HeaderValue::from_str(&text)
            .map_err(|_| self.invalid(format!("value of header `{name}` is not valid in HTTP")))?;
        let name = self.header_name(name)?;
        self.headers.insert(name, value);
        Ok(())
    }

    fn header_name(&self, name: &str) -> Result<HeaderName, Failure> {
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| self.invalid(format!("`{name}` is not a valid header name")))
    }

    /// Adds a cookie parameter; `None` adds nothing. Values that could end
    /// the cookie and start another (`;`, `,`, whitespace, quotes) are
    /// refused rather than sent.
    pub fn cookie(&mut self, name: &str, value: &impl serde::Serialize, explode: bool) -> Result<(), Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
        if !params::cookie_safe(name) || !flat.pieces().all(params::cookie_safe) {
            return Err(self.invalid(format!(
                "cookie `{name}` contains a character a cookie cannot carry (whitespace, `\"`, `,`, `;`, `\\`, a control or non-ASCII character)"
            )));
        }
        if let Some(text) = params::simple_text(flat, explode) {
            self.cookies.push((name.to_owned(), text));
        }
        Ok(())
    }

    /// Sends a credential in a header, marked sensitive so that HTTP
    /// tooling does not log it.
    pub fn secret_header(&mut self, name: &str, value: &Secret) -> Result<(), Failure> {
        let mut header = HeaderValue::from_str(value.expose())
            .map_err(|_| self.invalid(format!("credential for header `{name}` is not a valid header value")))?;
        header.set_sensitive(true);
        let name = self.header_name(name)?;
        self.credentials.headers.insert(name, header);
        Ok(())
    }

    pub fn bearer_auth(&mut self, token: &Secret) -> Result<(), Failure> {
        self.secret_header("authorization", &Secret(format!("Bearer {}", token.expose())))
    }

    pub fn basic_auth(&mut self, username: &Secret, password: Option<&Secret>) -> Result<(), Failure> {
        let pair = format!("{}:{}", username.expose(), password.map(Secret::expose).unwrap_or_default());
        self.secret_header("authorization", &Secret(format!("Basic {}", base64(pair.as_bytes()))))
    }

    pub fn secret_query(&mut self, name: &str, value: &Secret) {
        self.credentials.query.push((name.to_owned(), value.clone()));
    }

    pub fn secret_cookie(&mut self, name: &str, value: &Secret) -> Result<(), Failure> {
        if !params::cookie_safe(name) || !params::cookie_safe(value.expose()) {
            return Err(self.invalid(format!("credential for cookie `{name}` contains a character a cookie cannot carry")));
        }
        self.credentials.cookies.push((name.to_owned(), value.clone()));
        Ok(())
    }

    pub fn json_body(&mut self, body: &impl serde::Serialize, content_type: &str) -> Result<(), Failure> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| self.invalid(format!("request body does not serialise: {e}")))?;
        self.body = Some((bytes, content_type.to_owned()));
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body: fields from the body's
    /// properties, arrays repeated, nested objects as `a[b]=c`.
    pub fn form_body(&mut self, body: &impl serde::Serialize, content_type: &str) -> Result<(), Failure> {
        let value = serde_json::to_value(body)
            .map_err(|e| self.invalid(format!("request body does not serialise: {e}")))?;
        let mut url = Url::parse("form:").map_err(|e| self.invalid(e.to_string()))?;
        url.query_pairs_mut().extend_pairs(params::form_pairs(&value));
        let encoded = url.query().unwrap_or_default().as_bytes().to_vec();
        self.body = Some((encoded, content_type.to_owned()));
        Ok(())
    }

    pub fn multipart_body(&mut self, form: Multipart) {
        let (bytes, content_type) = form.finish();
        self.body = Some((bytes, content_type));
    }

    pub fn raw_body(&mut self, body: Vec<u8>, content_type: &str) {
        self.body = Some((body, content_type.to_owned()));
    }

    /// The URL, headers and what the request carries, checked once for
    /// all attempts.
    fn prepare<'a>(&self, http: &'a HttpClient, base_url: &str, config: &'a Config) -> Result<Prepared<'a>, Failure> {
        let bad_base = |e: String| self.invalid(format!("base URL `{}` does not make a valid URL: {e}", redacted_url(base_url)));
        let api = Url::parse(base_url).map_err(|e| bad_base(e.to_string()))?;
        if !matches!(api.scheme(), "http" | "https") || api.cannot_be_a_base() {
            return Err(bad_base("not an http(s) URL".into()));
        }
        let mut url = Url::parse(&format!("{}{}", base_url.trim_end_matches('/'), self.path))
            .map_err(|e| bad_base(e.to_string()))?;
        // The URL parser drops `.` and `..` segments; a path that lost
        // segments on the way is not the one the operation built.
        let built = api.path().trim_end_matches('/').split('/').count() + self.path.split('/').count() - 1;
        let parsed = url.path_segments().map_or(0, |s| s.count()) + 1;
        if self.path.split('/').any(params::is_dot_segment) || parsed != built {
            return Err(self.invalid("the path has `.` or `..` segments, which would change the resource it names".into()));
        }
        if !self.query.is_empty() || !self.credentials.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            pairs.extend_pairs(&self.query);
            pairs.extend_pairs(self.credentials.query.iter().map(|(k, v)| (k, v.expose())));
        }
        let mut headers = self.headers.clone();
        for (name, value) in &self.credentials.headers {
            headers.insert(name, value.clone());
        }
        if !self.cookies.is_empty() || !self.credentials.cookies.is_empty() {
            let pairs = self.cookies.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let secret_pairs = self.credentials.cookies.iter().map(|(k, v)| (k.as_str(), v.expose()));
            let cookie = pairs.chain(secret_pairs).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let mut value = HeaderValue::from_str(&cookie).map_err(|_| self.invalid("cookie value is not valid in HTTP".into()))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::COOKIE, value);
        }
        if let Some((_, content_type)) = &self.body {
            let value = HeaderValue::from_str(content_type)
                .map_err(|_| self.invalid("the body's content type is not valid in HTTP".into()))?;
            headers.insert(reqwest::header::CONTENT_TYPE, value);
        }
        let credentials = !self.credentials.is_empty() || !api.username().is_empty() || api.password().is_some();
        let carrying = Carrying { credentials, body: self.body.is_some() };
        Ok(Prepared { http, config, api, url, headers, carrying })
    }

    /// Sends the request, retrying as `config.retry` allows, and reads the
    /// whole response body, up to the configured limit.
    pub async fn send(self, http: &HttpClient, base_url: &str, config: &Config) -> Result<RawResponse, Failure> {
        let prepared = self.prepare(http, base_url, config)?;
        self.with_retries(&prepared, true).await?.read_body(config.max_body_bytes).await
    }

    /// Like [`Self::send`], but the response body is left unread, for a
    /// caller that streams it. The timeout covers the response head only:
    /// a long download is not cut off.
    pub async fn send_streaming(self, http: &HttpClient, base_url: &str, config: &Config) -> Result<StreamingResponse, Failure> {
        let prepared = self.prepare(http, base_url, config)?;
        self.with_retries(&prepared, false).await
    }

    /// Attempts until one stands. With `buffered`, an attempt includes
    /// reading the body (so its timeout covers it, and a body cut off
    /// half-way is retried like any other failure); the body is read into
    /// the returned response.
    async fn with_retries(&self, prepared: &Prepared<'_>, buffered: bool) -> Result<StreamingResponse, Failure> {
        let config = prepared.config;
        let started = Instant::now();
        let mut retry = 0;
        loop {
            let result = self.timed_attempt(prepared, started, buffered).await;
            let outcome = match &result {
                Ok(response) => Outcome::Answered(response.status, &response.headers),
                Err(e) if e.reach == Reach::NotSent => Outcome::NotSent,
                Err(e) if e.reach == Reach::MaybeSent => Outcome::Failed,
                Err(_) => return result.map_err(|e| e.failure),
            };
            let delay = config.retry.delay(&self.info.method, outcome, retry, started.elapsed());
            // No retry that would start after the whole call's deadline.
            let delay = delay.filter(|delay| match config.total_timeout {
                Some(total) => started.elapsed().checked_add(*delay).is_some_and(|at| at < total),
                None => true,
            });
            match delay {
                Some(delay) => {
                    drop(result);
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
                None => return result.map_err(|e| e.failure),
            }
        }
    }

    /// One attempt, within the attempt's timeout and what is left of the
    /// whole call's.
    async fn timed_attempt(&self, prepared: &Prepared<'_>, started: Instant, buffered: bool) -> Result<StreamingResponse, AttemptError> {
        let config = prepared.config;
        let remaining = config.total_timeout.map(|total| total.saturating_sub(started.elapsed()));
        let limit = match (config.timeout, remaining) {
            (Some(attempt), Some(remaining)) => Some(attempt.min(remaining)),
            (attempt, remaining) => attempt.or(remaining),
        };
        let attempt = async {
            let head = self.attempt_head(prepared).await?;
            if buffered { head.fill_body(config.max_body_bytes).await } else { Ok(head) }
        };
        let Some(limit) = limit else {
            return attempt.await;
        };
        match tokio::time::timeout(limit, attempt).await {
            Ok(result) => result,
            Err(_) => {
                let after = match config.total_timeout {
                    Some(total) if Some(limit) == remaining => total,
                    _ => limit,
                };
                Err(AttemptError { failure: Failure(Error::Timeout { request: self.info.clone(), after }), reach: Reach::MaybeSent })
            }
        }
    }

    /// Sends the request and waits for the status and headers, walking the
    /// redirects that [`redirect::next`] allows.
    async fn attempt_head(&self, prepared: &Prepared<'_>) -> Result<StreamingResponse, AttemptError> {
        let mut url = prepared.url.clone();
        let mut method = self.info.method.clone();
        let mut keep_body = true;
        let mut same_origin = true;
        let mut hops = 0;
        loop {
            let mut builder = prepared.http.client.request(method.clone(), url.clone());
            if same_origin {
                builder = builder.headers(prepared.headers.clone());
            }
            if let (true, Some((bytes, content_type))) = (keep_body, &self.body) {
                if !same_origin {
                    builder = builder.header(reqwest::header::CONTENT_TYPE, content_type.as_str());
                }
                builder = builder.body(bytes.clone());
            }
            let mut response = match builder.send().await {
                Ok(response) => response,
                Err(error) => {
                    // Only the first connection, to the API itself, proves
                    // that nothing was sent, and only when no redirect was
                    // followed inside `reqwest` first (a client of the
                    // caller's may do that, and its errors do not say).
                    let never_sent = hops == 0 && error.is_connect() && prepared.http.follows_no_redirects;
                    let reach = if never_sent { Reach::NotSent } else { Reach::MaybeSent };
                    return Err(AttemptError { failure: self.transport(error), reach });
                }
            };
            let status = response.status();
            let location = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok());
            let carrying = Carrying { credentials: prepared.carrying.credentials, body: prepared.carrying.body && keep_body };
            let sent = Sent { url: &url, method: &method, hops };
            let refused = match redirect::next(&prepared.config.redirects, status, location, &sent, &prepared.api, &carrying) {
                Next::Done => None,
                Next::Refuse(reason) => Some(reason),
                Next::Follow(hop) => {
                    (url, method, keep_body) = (hop.url, hop.method, hop.keep_body);
                    same_origin = same_origin && hop.same_origin;
                    hops += 1;
                    continue;
                }
            };
            let headers = std::mem::take(response.headers_mut());
            let info = self.info.clone().with_request_id(&headers);
            return Ok(StreamingResponse { info, status, headers, refused, body: None, response });
        }
    }

    fn transport(&self, e: reqwest::Error) -> Failure {
        Failure(Error::from_transport(self.info.clone(), e))
    }
}

/// Standard base64, for the `Basic` credential.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A response whose head has arrived and whose body has not been read
/// (or, inside an attempt, has been read into `body`).
pub(crate) struct StreamingResponse {
    info: RequestInfo,
    status: StatusCode,
    headers: HeaderMap,
    /// A redirect that was not followed, and why.
    refused: Option<RedirectRefusal>,
    body: Option<Vec<u8>>,
    response: reqwest::Response,
}

impl StreamingResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Reads the whole body (within the client's timeout), refusing one
    /// over the configured limit.
    pub async fn buffer(self, config: &Config) -> Result<RawResponse, Failure> {
        let info = self.info.clone();
        match config.timeout {
            Some(timeout) => tokio::time::timeout(timeout, self.read_body(config.max_body_bytes))
                .await
                .unwrap_or_else(|_| Err(Failure(Error::Timeout { request: info, after: timeout }))),
            None => self.read_body(config.max_body_bytes).await,
        }
    }

    /// Reads the body into the response, inside an attempt.
    async fn fill_body(mut self, limit: usize) -> Result<Self, AttemptError> {
        let body = read_capped(&mut self.response, &self.info, self.status, limit).await?;
        self.body = Some(body);
        Ok(self)
    }

    async fn read_body(mut self, limit: usize) -> Result<RawResponse, Failure> {
        let body = match self.body.take() {
            Some(body) => body,
            None => read_capped(&mut self.response, &self.info, self.status, limit).await.map_err(|e| e.failure)?,
        };
        let StreamingResponse { info, status, headers, refused, .. } = self;
        Ok(RawResponse { info, status, headers, refused, body })
    }

    pub fn into_stream(self) -> ResponseValue<ByteStream> {
        let stream = ByteStream { info: self.info, response: self.response };
        ResponseValue::new(stream, self.status, self.headers)
    }
}

/// The body, refusing more than `limit` bytes (by `Content-Length` first,
/// then as it arrives: a server may lie about the length).
async fn read_capped(response: &mut reqwest::Response, info: &RequestInfo, status: StatusCode, limit: usize) -> Result<Vec<u8>, AttemptError> {
    let too_large = || Failure(Error::BodyTooLarge { request: info.clone(), status, limit });
    if response.content_length().is_some_and(|len| len > limit as u64) {
        return Err(too_large().into());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| AttemptError { failure: Failure(Error::from_transport(info.clone(), e)), reach: Reach::MaybeSent })?
    {
        if body.len().saturating_add(chunk.len()) > limit {
            return Err(too_large().into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A response body read piece by piece, for downloads too large to hold in
/// memory. Not subject to the client's body size limit.
pub struct ByteStream {
    info: RequestInfo,
    response: reqwest::Response,
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the response's own Debug: its URL may hold a query-string key.
        f.debug_struct("ByteStream")
            .field("request", &self.info)
            .field("status", &self.response.status())
            .finish_non_exhaustive()
    }
}

impl ByteStream {
    /// The next piece of the body, or `None` at its end.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        match self.response.chunk().await {
            Ok(chunk) => Ok(chunk.map(|c| c.to_vec())),
            Err(e) => Err(Error::from_transport(self.info.clone(), e)),
        }
    }

    /// The rest of the body in memory, refusing more than `limit` bytes.
    pub async fn collect(mut self, limit: usize) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        while let Some(chunk) = self.next_chunk().await? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(Error::BodyTooLarge { request: self.info, status: self.response.status(), limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The underlying `reqwest::Response`, to adapt into another stream type.
    pub fn into_inner(self) -> reqwest::Response {
        self.response
    }
}

/// A response whose body has been read but not yet decoded.
pub(crate) struct RawResponse {
    info: RequestInfo,
    status: StatusCode,
    headers: HeaderMap,
    refused: Option<RedirectRefusal>,
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
                source: DecodeError::new(&source),
                snippet: snippet(&self.body, crate::types::SENSITIVE_KEYS),
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

    /// A status the operation does not declare; a redirect that was not
    /// followed says where it led and why it stopped.
    pub fn unexpected<E>(self) -> Error<E> {
        let location = self.headers.get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok());
        if let (Some(refused), Some(location)) = (self.refused, location) {
            let location = location.to_owned();
            return Error::Redirect { request: self.info, status: self.status, location, refused, headers: Box::new(self.headers) };
        }
        let body = String::from_utf8_lossy(&self.body).into_owned();
        Error::UnexpectedStatus { request: self.info, status: self.status, headers: Box::new(self.headers), body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b""), "");
    }

    fn sent_path(path: &str, fill: impl FnOnce(&mut PendingRequest) -> Result<(), Failure>) -> Result<String, String> {
        let mut request = PendingRequest::new(Method::DELETE, path);
        let http = HttpClient::default();
        let config = Config::default();
        fill(&mut request)
            .and_then(|()| request.prepare(&http, "http://127.0.0.1:1/v1/", &config))
            .map(|p| p.url.path().to_owned())
            .map_err(|Failure(e)| e.to_string())
    }

    #[test]
    fn path_values_cannot_leave_their_segment() {
        let page = |value: &'static str, style: Style| {
            sent_path("/wikis/{wiki}/pages/{page}", move |r| {
                r.path_param("wiki", &"w1", Style::Simple, false)?;
                r.path_param("page", &value, style, false)
            })
        };
        assert_eq!(page("a/../b", Style::Simple).unwrap(), "/v1/wikis/w1/pages/a%2F..%2Fb");
        assert_eq!(page("..x", Style::Simple).unwrap(), "/v1/wikis/w1/pages/..x");
        for (value, style) in [("..", Style::Simple), (".", Style::Simple), ("", Style::Simple), (".", Style::Label), ("", Style::Label)] {
            let error = page(value, style).unwrap_err();
            assert!(error.contains("path parameter `page`"), "{value:?} {style:?}: {error}");
        }
        // Lists whose pieces make a dot segment together.
        let error = sent_path("/pages/{ids}", |r| r.path_param("ids", &["", ""], Style::Label, true)).unwrap_err();
        assert!(error.contains("`ids`"), "{error}");
        // The template itself.
        let error = sent_path("/a/%2e%2E/b", |_| Ok(())).unwrap_err();
        assert!(error.contains("segments"), "{error}");
    }

    #[test]
    fn secret_path_values_do_not_show_in_errors() {
        let mut request = PendingRequest::new(Method::GET, "/invites/{token}/{n}");
        request.secret_path_param("token", &"inv-SECRET", Style::Simple, false).unwrap_or_else(|_| panic!());
        request.path_param("n", &7, Style::Simple, false).unwrap_or_else(|_| panic!());
        assert_eq!(request.info.path, "/invites/***/7");
        assert_eq!(request.path, "/invites/inv-SECRET/7");
    }

    #[test]
    fn cookie_values_cannot_add_cookies() {
        for value in ["en; session=ATTACKER", "a b", "a,b", "a\"b", "a\\b", "a\rb", "é"] {
            let mut request = PendingRequest::new(Method::GET, "/");
            assert!(request.cookie("lang", &value, false).is_err(), "{value:?}");
            assert!(request.secret_cookie("session", &Secret::new(value)).is_err(), "{value:?}");
        }
        let mut request = PendingRequest::new(Method::GET, "/");
        assert!(request.cookie("tags", &["a", "b=c"], false).is_ok());
        assert_eq!(request.cookies, [("tags".to_owned(), "a,b=c".to_owned())]);
    }
}
