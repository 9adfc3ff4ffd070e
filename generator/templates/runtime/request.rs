//! Building a request and sending it, with redirects, timeouts and
//! retries (`response.rs` reads what comes back).
//!
//! The path every call takes is kept close to what a hand-written `reqwest`
//! call costs: the base URL is parsed once per client, headers (credentials
//! included) go into one map, the body is shared between attempts rather
//! than copied, and what only errors need (the request's description, the
//! server's request id) is made only for errors.

use std::borrow::Cow;
use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::multipart::Multipart;
use super::params::{self, Style};
use super::redact::redacted_url;
use super::redirect::{self, Carrying, Next, Sent};
use super::response::{Answer, Described, RawResponse, StreamingResponse};
use super::retry::Outcome;
use super::{Config, Error, Failure, HttpClient, RequestInfo, Secret};

/// The API's base URL, parsed once when the client is made.
#[derive(Clone)]
pub(crate) struct BaseUrl {
    text: String,
    /// The parsed URL, or why it is not one (reported by the first call).
    parsed: Result<Url, String>,
}

impl BaseUrl {
    pub fn new(text: String) -> Self {
        let parsed = match Url::parse(&text) {
            Ok(url) if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() => {
                Err("not an http(s) URL".to_owned())
            }
            // Paths are appended to the base URL's text: a query or a
            // fragment there would swallow them.
            Ok(url) if url.query().is_some() || url.fragment().is_some() => {
                Err("a base URL cannot have a query string or a fragment".to_owned())
            }
            Ok(url) => Ok(url),
            Err(e) => Err(e.to_string()),
        };
        BaseUrl { text, parsed }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redacted_url(&self.text))
    }
}

/// A request being put together by an operation, before it is sent. It can
/// be sent more than once (for retries).
pub(crate) struct PendingRequest {
    method: Method,
    /// The path that is sent: the template, until a parameter fills it.
    path: Cow<'static, str>,
    /// The path errors show, when it differs (a secret value as `***`).
    shown_path: Option<String>,
    query: Vec<(String, String)>,
    /// API keys sent in the query; kept apart because a redirect within
    /// the API's origin needs them again.
    secret_query: Vec<(String, Secret)>,
    /// Every header for the API's origin: parameters, credentials and the
    /// body's content type. None of them go to another origin.
    headers: HeaderMap,
    cookies: Vec<(String, String)>,
    /// Whether a credential was added (headers, query or cookies).
    credentials: bool,
    /// Every secret the request sends (credentials, secret path values,
    /// sensitive body fields), to blank out of error text if a server
    /// echoes one.
    sent: Vec<Secret>,
    body: Option<Bytes>,
}

/// Whether a failed attempt might have reached the server, which decides
/// whether a request that is not idempotent may be tried again.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    /// The connection to the API could not be made: nothing was sent.
    NotSent,
    /// Sent, or perhaps sent (a timeout, a reset, a redirect followed).
    MaybeSent,
    /// Not worth repeating (the request is invalid).
    Final,
}

pub(super) struct AttemptError {
    pub(super) failure: Failure,
    pub(super) reach: Reach,
}

impl From<Failure> for AttemptError {
    fn from(failure: Failure) -> Self {
        AttemptError { failure, reach: Reach::Final }
    }
}

/// Everything an attempt needs that does not change between attempts.
struct Prepared<'a> {
    client: &'a reqwest::Client,
    /// See [`HttpClient`]: only the runtime's own client proves, by a
    /// connection error, that nothing was sent.
    follows_no_redirects: bool,
    config: &'a Config,
    /// The API's base URL: its origin is the one credentials may go to.
    api: &'a Url,
    url: Url,
    headers: HeaderMap,
    carrying: Carrying,
}

/// A content type from the generated code as a header value, without
/// copying it; `None` for one that is not valid in HTTP (it came from the
/// spec, so it is checked rather than trusted).
fn static_header_value(text: &'static str) -> Option<HeaderValue> {
    text.bytes().all(|b| (32..127).contains(&b) || b == b'\t').then(|| HeaderValue::from_static(text))
}

impl PendingRequest {
    /// `path` is the template; fill its `{params}` with [`Self::path_param`].
    pub fn new(method: Method, path: &'static str) -> Self {
        PendingRequest {
            method,
            path: Cow::Borrowed(path),
            shown_path: None,
            query: Vec::new(),
            secret_query: Vec::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            credentials: false,
            sent: Vec::new(),
            body: None,
        }
    }

    /// The request as errors describe it: method and shown path.
    pub(super) fn info(&self) -> RequestInfo {
        let path = self.shown_path.clone().unwrap_or_else(|| self.path.to_string());
        RequestInfo { method: self.method.clone(), path, request_id: None }
    }

    pub fn invalid(&self, message: String) -> Failure {
        Failure::new(Error::InvalidRequest { request: self.info(), message })
    }

    /// Replaces `{name}` in the path with the value, written in its style
    /// and percent-encoded.
    pub fn path_param(&mut self, name: &str, value: &impl serde::Serialize, style: Style, explode: bool) -> Result<(), Failure> {
        let text = self.path_text(name, value, style, explode)?;
        let placeholder = format!("{{{name}}}");
        if let Some(shown) = &mut self.shown_path {
            *shown = shown.replace(&placeholder, &text);
        }
        self.path = Cow::Owned(self.path.replace(&placeholder, &text));
        Ok(())
    }

    /// A path parameter that holds a credential (an invite token, say):
    /// sent like any other, shown as `***` in errors.
    pub fn secret_path_param(&mut self, name: &str, value: &impl serde::Serialize, style: Style, explode: bool) -> Result<(), Failure> {
        let text = self.path_text(name, value, style, explode)?;
        if let Ok(flat) = params::flatten(value) {
            self.sent.extend(flat.pieces().map(Secret::from));
        }
        let placeholder = format!("{{{name}}}");
        let shown = self.shown_path.take().unwrap_or_else(|| self.path.to_string());
        self.shown_path = Some(shown.replace(&placeholder, "***"));
        self.path = Cow::Owned(self.path.replace(&placeholder, &text));
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
        let name = self.header_name(name)?;
        self.sent.push(value.clone());
        self.insert_secret_header(name, Bytes::copy_from_slice(value.expose().as_bytes()))
    }

    /// A value from the request body that is a credential (a refresh
    /// token, a password): sent as part of the body, and blanked out of
    /// error text like the credentials.
    pub fn remember_secret(&mut self, value: &str) {
        self.sent.push(Secret::from(value));
    }

    fn insert_secret_header(&mut self, name: HeaderName, value: Bytes) -> Result<(), Failure> {
        let mut header = HeaderValue::from_maybe_shared(value)
            .map_err(|_| self.invalid(format!("credential for header `{name}` is not a valid header value")))?;
        header.set_sensitive(true);
        self.headers.insert(name, header);
        self.credentials = true;
        Ok(())
    }

    pub fn bearer_auth(&mut self, token: &Secret) -> Result<(), Failure> {
        self.sent.push(token.clone());
        let value = format!("Bearer {}", token.expose());
        self.insert_secret_header(reqwest::header::AUTHORIZATION, Bytes::from(value))
    }

    pub fn basic_auth(&mut self, username: &Secret, password: Option<&Secret>) -> Result<(), Failure> {
        let pair = format!("{}:{}", username.expose(), password.map(Secret::expose).unwrap_or_default());
        let encoded = base64(pair.as_bytes());
        self.sent.extend([username.clone(), Secret::new(encoded.clone())]);
        self.sent.extend(password.cloned());
        self.insert_secret_header(reqwest::header::AUTHORIZATION, Bytes::from(format!("Basic {encoded}")))
    }

    pub fn secret_query(&mut self, name: &str, value: &Secret) {
        self.secret_query.push((name.to_owned(), value.clone()));
        self.sent.push(value.clone());
        self.credentials = true;
    }

    pub fn secret_cookie(&mut self, name: &str, value: &Secret) -> Result<(), Failure> {
        if !params::cookie_safe(name) || !params::cookie_safe(value.expose()) {
            return Err(self.invalid(format!("credential for cookie `{name}` contains a character a cookie cannot carry")));
        }
        self.cookies.push((name.to_owned(), value.expose().to_owned()));
        self.sent.push(value.clone());
        self.credentials = true;
        Ok(())
    }

    fn set_body(&mut self, bytes: Bytes, content_type: HeaderValue) {
        self.headers.insert(reqwest::header::CONTENT_TYPE, content_type);
        self.body = Some(bytes);
    }

    fn static_content_type(&self, content_type: &'static str) -> Result<HeaderValue, Failure> {
        static_header_value(content_type).ok_or_else(|| self.invalid("the body's content type is not valid in HTTP".into()))
    }

    pub fn json_body(&mut self, body: &impl serde::Serialize, content_type: &'static str) -> Result<(), Failure> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| self.invalid(format!("request body does not serialise: {e}")))?;
        let content_type = self.static_content_type(content_type)?;
        self.set_body(Bytes::from(bytes), content_type);
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body: fields from the body's
    /// properties, arrays repeated, nested objects as `a[b]=c`.
    pub fn form_body(&mut self, body: &impl serde::Serialize, content_type: &'static str) -> Result<(), Failure> {
        let value = serde_json::to_value(body)
            .map_err(|e| self.invalid(format!("request body does not serialise: {e}")))?;
        let mut url = Url::parse("form:").map_err(|e| self.invalid(e.to_string()))?;
        url.query_pairs_mut().extend_pairs(params::form_pairs(&value));
        let encoded = url.query().unwrap_or_default().as_bytes().to_vec();
        let content_type = self.static_content_type(content_type)?;
        self.set_body(Bytes::from(encoded), content_type);
        Ok(())
    }

    pub fn multipart_body(&mut self, form: Multipart) -> Result<(), Failure> {
        let (bytes, content_type) = form.finish();
        let content_type = HeaderValue::from_str(&content_type)
            .map_err(|_| self.invalid("the multipart content type is not valid in HTTP".into()))?;
        self.set_body(Bytes::from(bytes), content_type);
        Ok(())
    }

    pub fn raw_body(&mut self, body: Vec<u8>, content_type: &'static str) -> Result<(), Failure> {
        let content_type = self.static_content_type(content_type)?;
        self.set_body(Bytes::from(body), content_type);
        Ok(())
    }

    /// The URL and headers, checked once for all attempts.
    fn prepare<'a>(&mut self, http: &'a HttpClient, base: &'a BaseUrl, config: &'a Config) -> Result<Prepared<'a>, Failure> {
        let bad_base = |e: &str| self.invalid(format!("base URL `{}` does not make a valid URL: {e}", redacted_url(&base.text)));
        let api = base.parsed.as_ref().map_err(|e| bad_base(e))?;
        let client = http.client.as_ref().map_err(|reason| self.invalid(reason.clone()))?;
        let mut url = Url::parse(&format!("{}{}", base.text.trim_end_matches('/'), self.path)).map_err(|e| bad_base(&e.to_string()))?;
        // Credentials in the base URL (`https://user:password@host`) are
        // sent as basic auth, to the API's origin only, unless a security
        // scheme already set one; they never stay in the URL.
        if !api.username().is_empty() || api.password().is_some() {
            let decode = |text: &str| percent_decoded(text);
            let (user, password) = (Secret::new(decode(api.username())), api.password().map(|p| Secret::new(decode(p))));
            if self.headers.contains_key(reqwest::header::AUTHORIZATION) {
                self.sent.extend([user].into_iter().chain(password));
            } else {
                self.basic_auth(&user, password.as_ref())?;
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        // The URL parser drops `.` and `..` segments; a path that lost
        // segments on the way is not the one the operation built.
        let built = api.path().trim_end_matches('/').split('/').count() + self.path.split('/').count() - 1;
        let parsed = url.path_segments().map_or(0, |s| s.count()) + 1;
        if self.path.split('/').any(params::is_dot_segment) || parsed != built {
            return Err(self.invalid("the path has `.` or `..` segments, which would change the resource it names".into()));
        }
        if !self.query.is_empty() || !self.secret_query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            pairs.extend_pairs(&self.query);
            pairs.extend_pairs(self.secret_query.iter().map(|(k, v)| (k, v.expose())));
        }
        if !self.cookies.is_empty() {
            let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let mut value = HeaderValue::from_str(&cookie).map_err(|_| self.invalid("cookie value is not valid in HTTP".into()))?;
            value.set_sensitive(true);
            self.headers.insert(reqwest::header::COOKIE, value);
        }
        let carrying = Carrying { credentials: self.credentials, body: self.body.is_some() };
        let headers = std::mem::take(&mut self.headers);
        Ok(Prepared { client, follows_no_redirects: http.follows_no_redirects, config, api, url, headers, carrying })
    }

    /// Sends the request, retrying as `config.retry` allows, and reads the
    /// whole response body, up to the configured limit. An attempt includes
    /// reading the body, so its timeout covers it and a body cut off
    /// half-way is retried like any other failure.
    pub async fn send(mut self, http: &HttpClient, base: &BaseUrl, config: &Config) -> Result<RawResponse, Failure> {
        let prepared = self.prepare(http, base, config)?;
        let request = &self;
        let answer = self
            .with_retries(&prepared, || async {
                let head = request.attempt_head(&prepared).await?;
                head.read(config.max_body_bytes, request).await
            })
            .await?;
        let Answer { status, headers, refused, body, .. } = answer;
        Ok(RawResponse { request: self.into_described(), status, headers, refused, body })
    }

    /// Like [`Self::send`], but the response body is left unread, for a
    /// caller that streams it. The timeout covers the response head only:
    /// a long download is not cut off.
    pub async fn send_streaming(mut self, http: &HttpClient, base: &BaseUrl, config: &Config) -> Result<StreamingResponse, Failure> {
        let prepared = self.prepare(http, base, config)?;
        let request = &self;
        let answer = self.with_retries(&prepared, || request.attempt_head(&prepared)).await?;
        Ok(StreamingResponse { request: self.into_described(), answer })
    }

    /// What responses keep of the request, to describe it in errors.
    fn into_described(self) -> Described {
        let path = match self.shown_path {
            Some(shown) => Cow::Owned(shown),
            None => self.path,
        };
        Described { method: self.method, path, sent: self.sent }
    }

    /// Attempts until one stands, each within the attempt's timeout and
    /// what is left of the whole call's.
    async fn with_retries<B, A>(&self, prepared: &Prepared<'_>, attempt: impl Fn() -> A) -> Result<Answer<B>, Failure>
    where
        A: std::future::Future<Output = Result<Answer<B>, AttemptError>>,
    {
        let config = prepared.config;
        let started = Instant::now();
        let mut retry = 0;
        loop {
            let result = self.timed(config, started, attempt()).await;
            let outcome = match &result {
                Ok(answer) => Outcome::Answered(answer.status, &answer.headers),
                Err(e) if e.reach == Reach::NotSent => Outcome::NotSent,
                Err(e) if e.reach == Reach::MaybeSent => Outcome::Failed,
                Err(_) => return result.map_err(|e| e.failure),
            };
            let delay = config.retry.delay(&self.method, outcome, retry, started.elapsed());
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

    /// Runs one attempt within its time limit: the attempt's timeout or
    /// what is left of the whole call's, whichever ends first. The answer
    /// keeps that deadline, for reading a body later in the same attempt.
    async fn timed<B>(
        &self,
        config: &Config,
        started: Instant,
        attempt: impl std::future::Future<Output = Result<Answer<B>, AttemptError>>,
    ) -> Result<Answer<B>, AttemptError> {
        let remaining = config.total_timeout.map(|total| total.saturating_sub(started.elapsed()));
        let (limit, after) = match (config.timeout, remaining, config.total_timeout) {
            (Some(attempt), Some(remaining), Some(total)) if remaining < attempt => (remaining, total),
            (Some(attempt), _, _) => (attempt, attempt),
            (None, Some(remaining), Some(total)) => (remaining, total),
            _ => return attempt.await,
        };
        let Some(deadline) = tokio::time::Instant::now().checked_add(limit) else {
            return attempt.await;
        };
        match tokio::time::timeout_at(deadline, attempt).await {
            Ok(result) => result.map(|answer| Answer { deadline: Some((deadline, after)), ..answer }),
            Err(_) => Err(AttemptError { failure: Failure::new(Error::Timeout { request: self.info(), after }), reach: Reach::MaybeSent }),
        }
    }

    /// Sends the request and waits for the status and headers, walking the
    /// redirects that [`redirect::next`] allows.
    async fn attempt_head(&self, prepared: &Prepared<'_>) -> Result<Answer<reqwest::Response>, AttemptError> {
        let mut url = Cow::Borrowed(&prepared.url);
        let mut method = Cow::Borrowed(&self.method);
        let mut keep_body = true;
        let mut same_origin = true;
        let mut hops = 0;
        loop {
            let mut request = reqwest::Request::new(method.as_ref().clone(), url.as_ref().clone());
            if same_origin {
                *request.headers_mut() = prepared.headers.clone();
                if !keep_body {
                    request.headers_mut().remove(reqwest::header::CONTENT_TYPE);
                }
            }
            if let (true, Some(body)) = (keep_body, &self.body) {
                if !same_origin {
                    if let Some(content_type) = prepared.headers.get(reqwest::header::CONTENT_TYPE) {
                        request.headers_mut().insert(reqwest::header::CONTENT_TYPE, content_type.clone());
                    }
                }
                *request.body_mut() = Some(body.clone().into());
            }
            let response = match prepared.client.execute(request).await {
                Ok(response) => response,
                Err(error) => {
                    // Only the first connection, to the API itself, proves
                    // that nothing was sent, and only when no redirect was
                    // followed inside `reqwest` first (a client of the
                    // caller's may do that, and its errors do not say).
                    let never_sent = hops == 0 && error.is_connect() && prepared.follows_no_redirects;
                    let reach = if never_sent { Reach::NotSent } else { Reach::MaybeSent };
                    return Err(AttemptError { failure: self.transport(error), reach });
                }
            };
            let status = response.status();
            if !status.is_redirection() {
                return Ok(Answer::new(response, None));
            }
            let location = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok());
            let carrying = Carrying { credentials: prepared.carrying.credentials, body: prepared.carrying.body && keep_body };
            let sent = Sent { url: &url, method: &method, hops };
            let refused = match redirect::next(&prepared.config.redirects, status, location, &sent, prepared.api, &carrying) {
                Next::Done => None,
                Next::Refuse(reason) => Some(reason),
                Next::Follow(mut hop) => {
                    same_origin = same_origin && hop.same_origin;
                    // The API's own redirect may need its query keys again.
                    if same_origin && !self.secret_query.is_empty() {
                        hop.url.query_pairs_mut().extend_pairs(self.secret_query.iter().map(|(k, v)| (k, v.expose())));
                    }
                    (url, method, keep_body) = (Cow::Owned(hop.url), Cow::Owned(hop.method), hop.keep_body);
                    hops += 1;
                    continue;
                }
            };
            return Ok(Answer::new(response, refused));
        }
    }

    fn transport(&self, e: reqwest::Error) -> Failure {
        Failure::new(Error::from_transport(self.info(), e))
    }
}

/// `%XX` sequences decoded (userinfo in a URL is percent-encoded).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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

    fn sent_path(path: &'static str, fill: impl FnOnce(&mut PendingRequest) -> Result<(), Failure>) -> Result<String, String> {
        let mut request = PendingRequest::new(Method::DELETE, path);
        let http = HttpClient::default();
        let config = Config::default();
        let base = BaseUrl::new("http://127.0.0.1:1/v1/".to_owned());
        fill(&mut request)
            .and_then(|()| request.prepare(&http, &base, &config))
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
        assert_eq!(request.info().path, "/invites/***/7");
        assert_eq!(request.path, "/invites/inv-SECRET/7");
        request.path_param("n", &8, Style::Simple, false).unwrap_or_else(|_| panic!());
    }

    #[test]
    fn bad_base_urls_fail_the_call_not_the_client() {
        for base in ["not a url", "mailto:x@example.com", "file:///etc"] {
            let mut request = PendingRequest::new(Method::GET, "/x");
            let Err(Failure(error)) = request.prepare(&HttpClient::default(), &BaseUrl::new(base.to_owned()), &Config::default()) else {
                panic!("{base}")
            };
            assert!(matches!(*error, Error::InvalidRequest { .. }), "{base}: {error:?}");
        }
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

    // Attacks from the adversarial review (see generated-client/tests/adversarial.rs).

    /// A server that answers `head` and then keeps the connection open,
    /// sending nothing more, for `stall`.
    async fn stalling_server(head: &'static str, delay: std::time::Duration) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    tokio::time::sleep(delay).await;
                    let _ = socket.write_all(head.as_bytes()).await;
                    tokio::time::sleep(std::time::Duration::from_secs(20)).await;
                });
            }
        });
        format!("http://{address}")
    }

    /// A download operation (`send_streaming`) whose answer is an error
    /// status reads the error body within the call's `total_timeout`.
    #[tokio::test]
    async fn download_error_body_obeys_the_total_timeout() {
        use std::time::Duration;
        let base = BaseUrl::new(stalling_server("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 100\r\n\r\nx", Duration::ZERO).await);
        let config = Config {
            timeout: None,
            total_timeout: Some(Duration::from_millis(500)),
            retry: super::super::RetryPolicy::disabled(),
            ..Config::default()
        };
        let http = HttpClient::default();
        let request = PendingRequest::new(Method::GET, "/files/a");
        let started = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(3), async {
            let response = request.send_streaming(&http, &base, &config).await?;
            assert_eq!(response.status().as_u16(), 500);
            response.buffer(&config).await.map(|_| ())
        })
        .await;
        assert!(outcome.is_ok(), "total_timeout of 500 ms ignored: still reading the error body after {:?}", started.elapsed());
    }

    /// Same path, per-attempt timeout: the error body shares the attempt's
    /// timeout with the head, it does not get a fresh one.
    #[tokio::test]
    async fn download_error_body_shares_the_attempt_timeout() {
        use std::time::Duration;
        let base = BaseUrl::new(
            stalling_server("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 100\r\n\r\nx", Duration::from_millis(500)).await,
        );
        let config = Config {
            timeout: Some(Duration::from_millis(700)),
            retry: super::super::RetryPolicy::disabled(),
            ..Config::default()
        };
        let http = HttpClient::default();
        let request = PendingRequest::new(Method::GET, "/files/a");
        let started = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(5), async {
            let response = request.send_streaming(&http, &base, &config).await?;
            response.buffer(&config).await.map(|_| ())
        })
        .await;
        let elapsed = started.elapsed();
        assert!(matches!(&outcome, Ok(Err(Failure(e))) if matches!(**e, Error::Timeout { .. })), "expected a timeout");
        assert!(elapsed < Duration::from_millis(1000), "a 700 ms attempt timeout ended only after {elapsed:?}");
    }

    /// A PUT or PATCH answered with 301/302 (a trailing-slash or
    /// canonical-path redirect, say) is re-sent with its method and body,
    /// never as an empty request with a stale Content-Type.
    #[tokio::test]
    async fn redirects_301_302_do_not_resend_put_or_patch_without_their_body() {
        use wiremock::matchers::{any, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        for status in [301u16, 302] {
            for method in [Method::PUT, Method::PATCH] {
                let server = MockServer::start().await;
                Mock::given(path("/files/a"))
                    .respond_with(ResponseTemplate::new(status).insert_header("location", "/files/a/"))
                    .mount(&server)
                    .await;
                Mock::given(any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
                let config = Config { retry: super::super::RetryPolicy::disabled(), ..Config::default() };
                let mut request = PendingRequest::new(method.clone(), "/files/a");
                request.raw_body(b"IMPORTANT CONTENTS".to_vec(), "application/octet-stream").unwrap_or_else(|_| panic!());
                let _ = request.send(&HttpClient::default(), &BaseUrl::new(server.uri()), &config).await;
                let requests = server.received_requests().await.unwrap();
                assert_eq!(requests.len(), 2, "{status} {method}");
                let second = &requests[1];
                let resent_whole = second.method.as_str() == method.as_str() && second.body == b"IMPORTANT CONTENTS";
                let became_get = second.method.as_str() == "GET" && second.body.is_empty() && second.headers.get("content-type").is_none();
                assert!(
                    resent_whole || became_get,
                    "{status} to {method}: followed with {} {} body {:?}, content-type {:?}",
                    second.method,
                    second.url.path(),
                    String::from_utf8_lossy(&second.body),
                    second.headers.get("content-type")
                );
            }
        }
    }

    /// `ByteStream::into_inner` hands out a `reqwest::Response` without the
    /// URL, whose query string may hold an API key.
    #[tokio::test]
    async fn byte_stream_into_inner_does_not_expose_a_query_key() {
        use wiremock::matchers::any;
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_bytes(b"file".to_vec())).mount(&server).await;
        let mut request = PendingRequest::new(Method::GET, "/files/a");
        request.secret_query("api_key", &Secret::new("key-SECRET-Q"));
        let response = request.send_streaming(&HttpClient::default(), &BaseUrl::new(server.uri()), &Config::default()).await.unwrap_or_else(|_| panic!());
        let inner = response.into_stream().into_inner().into_inner();
        let text = format!("{inner:?}");
        assert!(!text.contains("key-SECRET-Q"), "{text}");
    }
}
