//! Building a request, sending it (with retries), and reading the answer.

use std::time::Instant;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};

use super::error::snippet;
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
    body: Option<(Vec<u8>, &'static str)>,
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
            builder = builder.header(reqwest::header::CONTENT_TYPE, *content_type).body(bytes.clone());
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

    async fn attempt(&self, http: &reqwest::Client, base_url: &str, config: &Config) -> Result<RawResponse, Failure> {
        let builder = self.build(http, base_url, config)?;
        let transport = |e: reqwest::Error| Failure(Error::Transport { request: self.info.clone(), source: e.without_url() });
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let info = self.info.clone().with_request_id(&headers);
        let too_large = |info: RequestInfo| Failure(Error::BodyTooLarge { request: info, status, limit: config.max_body_bytes });
        if response.content_length().is_some_and(|len| len > config.max_body_bytes as u64) {
            return Err(too_large(info));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > config.max_body_bytes {
                return Err(too_large(info));
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
    fn parameter_text_forms() {
        assert_eq!(to_strings(&Some(3)).unwrap(), vec!["3"]);
        assert_eq!(to_strings(&None::<i32>).unwrap(), Vec::<String>::new());
        assert_eq!(to_strings(&vec!["a", "b"]).unwrap(), vec!["a", "b"]);
        assert_eq!(to_strings(&true).unwrap(), vec!["true"]);
    }
}
