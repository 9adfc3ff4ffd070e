//! Building a request, sending it (with retries), and reading the answer.

use std::time::Instant;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};

use super::error::snippet;
use super::multipart::Multipart;
use super::params::{self, Style};
use super::retry::Outcome;
use super::{Config, Error, Failure, RequestInfo, ResponseValue, Secret};

/// A request being put together by an operation, before it is sent. It can
/// be sent more than once (for retries).
pub(crate) struct PendingRequest {
    info: RequestInfo,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    cookies: Vec<(String, String)>,
    basic_auth: Option<(Secret, Option<Secret>)>,
    body: Option<(Vec<u8>, String)>,
}

impl PendingRequest {
    /// `path` is the template; fill its `{params}` with [`Self::path_param`].
    pub fn new(method: Method, path: &str) -> Self {
        PendingRequest {
            info: RequestInfo { method, path: path.to_owned(), request_id: None },
            query: Vec::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            basic_auth: None,
            body: None,
        }
    }

    pub fn invalid(&self, message: String) -> Failure {
        Failure(Error::InvalidRequest { request: self.info.clone(), message })
    }

    /// Replaces `{name}` in the path with the value, written in its style
    /// and percent-encoded.
    pub fn path_param(&mut self, name: &str, value: &impl serde::Serialize, style: Style, explode: bool) -> Result<(), Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
        let text = params::path_text(name, &flat, style, explode);
        if text.is_empty() {
            return Err(self.invalid(format!("path parameter `{name}` is empty")));
        }
        let placeholder = format!("{{{name}}}");
        self.info.path = self.info.path.replace(&placeholder, &text);
        Ok(())
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
        self.insert_header(name, value)
    }

    fn insert_header(&mut self, name: &str, value: HeaderValue) -> Result<(), Failure> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| self.invalid(format!("`{name}` is not a valid header name")))?;
        self.headers.insert(name, value);
        Ok(())
    }

    /// Adds a cookie parameter; `None` adds nothing.
    pub fn cookie(&mut self, name: &str, value: &impl serde::Serialize, explode: bool) -> Result<(), Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
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
        let mut url = reqwest::Url::parse("form:").map_err(|e| self.invalid(e.to_string()))?;
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

    fn build(&self, http: &reqwest::Client, base_url: &str, config: &Config) -> Result<reqwest::RequestBuilder, Failure> {
        let mut url = reqwest::Url::parse(&format!("{}{}", base_url.trim_end_matches('/'), self.info.path))
            .map_err(|e| self.invalid(format!("base URL `{base_url}` does not make a valid URL: {e}")))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let mut builder = http.request(self.info.method.clone(), url).headers(self.headers.clone());
        if !self.cookies.is_empty() {
            let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            let mut value = HeaderValue::from_str(&cookie).map_err(|_| self.invalid("cookie value is not valid in HTTP".into()))?;
            value.set_sensitive(true);
            builder = builder.header(reqwest::header::COOKIE, value);
        }
        if let Some((user, password)) = &self.basic_auth {
            builder = builder.basic_auth(user.expose(), password.as_ref().map(Secret::expose));
        }
        if let Some((bytes, content_type)) = &self.body {
            builder = builder.header(reqwest::header::CONTENT_TYPE, content_type.as_str()).body(bytes.clone());
        }
        if let Some(timeout) = config.timeout {
            builder = builder.timeout(timeout);
        }
        Ok(builder)
    }

    /// Sends the request, retrying as `config.retry` allows, and reads the
    /// whole response body, up to the configured limit.
    pub async fn send(self, http: &reqwest::Client, base_url: &str, config: &Config) -> Result<RawResponse, Failure> {
        let started = Instant::now();
        let mut retry = 0;
        loop {
            let result = self.attempt(http, base_url, config).await;
            let outcome = match &result {
                Ok(response) => Outcome::Answered(response.status, &response.headers),
                Err(Failure(Error::Transport { source, .. })) if source.is_connect() => Outcome::NotSent,
                Err(Failure(Error::Transport { .. })) => Outcome::Failed,
                Err(_) => return result,
            };
            match config.retry.delay(&self.info.method, outcome, retry, started.elapsed()) {
                Some(delay) => {
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
                None => return result,
            }
        }
    }

    /// One attempt, body included; reqwest's timeout covers all of it.
    async fn attempt(&self, http: &reqwest::Client, base_url: &str, config: &Config) -> Result<RawResponse, Failure> {
        self.attempt_head(http, base_url, config).await?.read_body(config.max_body_bytes).await
    }

    /// Sends the request and waits for the status and headers only.
    async fn attempt_head(&self, http: &reqwest::Client, base_url: &str, config: &Config) -> Result<StreamingResponse, Failure> {
        let builder = self.build(http, base_url, config)?;
        let mut response = builder.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let info = self.info.clone().with_request_id(&headers);
        Ok(StreamingResponse { info, status, headers, response })
    }

    fn transport(&self, e: reqwest::Error) -> Failure {
        Failure(Error::Transport { request: self.info.clone(), source: e.without_url() })
    }

    /// Like [`Self::send`], but the response body is left unread, for a
    /// caller that streams it. The timeout covers the response head only:
    /// a long download is not cut off.
    pub async fn send_streaming(self, http: &reqwest::Client, base_url: &str, config: &Config) -> Result<StreamingResponse, Failure> {
        let started = Instant::now();
        let untimed = Config { timeout: None, ..config.clone() };
        let mut retry = 0;
        loop {
            let head = match config.timeout {
                Some(timeout) => match tokio::time::timeout(timeout, self.attempt_head(http, base_url, &untimed)).await {
                    Ok(head) => head,
                    Err(_) => Err(Failure(Error::Timeout { request: self.info.clone(), after: timeout })),
                },
                None => self.attempt_head(http, base_url, &untimed).await,
            };
            let outcome = match &head {
                Ok(response) => Outcome::Answered(response.status, &response.headers),
                Err(Failure(Error::Transport { source, .. })) if source.is_connect() => Outcome::NotSent,
                Err(Failure(Error::Transport { .. })) => Outcome::Failed,
                Err(_) => return head,
            };
            match config.retry.delay(&self.info.method, outcome, retry, started.elapsed()) {
                Some(delay) => {
                    drop(head);
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
                None => return head,
            }
        }
    }
}

/// A response whose head has arrived and whose body has not been read.
pub(crate) struct StreamingResponse {
    info: RequestInfo,
    status: StatusCode,
    headers: HeaderMap,
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

    async fn read_body(mut self, limit: usize) -> Result<RawResponse, Failure> {
        let status = self.status;
        let too_large = |info: RequestInfo| Failure(Error::BodyTooLarge { request: info, status, limit });
        if self.response.content_length().is_some_and(|len| len > limit as u64) {
            return Err(too_large(self.info));
        }
        let mut body = Vec::new();
        while let Some(chunk) = self
            .response
            .chunk()
            .await
            .map_err(|e| Failure(Error::Transport { request: self.info.clone(), source: e.without_url() }))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large(self.info));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { info: self.info, status, headers: self.headers, body })
    }

    pub fn into_stream(self) -> ResponseValue<ByteStream> {
        let stream = ByteStream { info: self.info, response: self.response };
        ResponseValue::new(stream, self.status, self.headers)
    }
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
            Err(e) => Err(Error::Transport { request: self.info.clone(), source: e.without_url() }),
        }
    }

    /// The rest of the body in memory, refusing more than `limit` bytes.
    pub async fn collect(mut self, limit: usize) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        while let Some(chunk) = self.next_chunk().await? {
            if body.len() + chunk.len() > limit {
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
    body: Vec<u8>,
}

impl RawResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Failure> {
        serde_json::from_slice(&self.body).map_err(|source| {
            Failure(Error::Decode { request: self.info.clone(), status: self.status, source, snippet: snippet(&self.body) })
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
