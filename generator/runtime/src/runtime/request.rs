//! Building a request: the generated operations fill in its path,
//! query, headers, cookies, credentials and body (`send.rs` sends it).
//!
//! The path every call takes is kept close to what a hand-written `reqwest`
//! call costs: the base URL is parsed once per client, headers (credentials
//! included) go into one short list, the body is shared between attempts
//! rather than copied, and what only errors need (the request's
//! description, the server's request id) is made only for errors.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::credentials::Asked;
use super::multipart::Multipart;
use super::params::{self, Style};
use super::redact::redacted_url;
use super::{Delivery, Error, Failure, RequestInfo, Secret};

/// The API's base URL, parsed once when the client is made.
#[derive(Clone)]
pub(crate) struct BaseUrl {
    pub(super) text: String,
    /// The parsed URL, or why it is not one (reported by the first call).
    pub(super) parsed: Result<Url, String>,
    /// Whether the URL holds a user name or password (sent as basic auth).
    pub(super) has_userinfo: bool,
    /// The URLs of paths without parameters, shared by the client's clones.
    static_urls: Arc<StaticUrls>,
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
        let has_userinfo = parsed
            .as_ref()
            .is_ok_and(|url| !url.username().is_empty() || url.password().is_some());
        BaseUrl {
            text,
            parsed,
            has_userinfo,
            static_urls: Arc::default(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The URL of `path`, a path template without parameters, made by
    /// `make` at its first call and kept; `None` when it finds no free
    /// slot (the caller then makes it each time).
    pub(super) fn static_url(
        &self,
        path: &'static str,
        make: impl FnOnce() -> Url,
    ) -> Option<&Url> {
        self.static_urls.get_or_make(path, make)
    }
}

/// The URLs of a client's paths without parameters (a collection's list,
/// create and search endpoints; login and token refresh), each made once:
/// setting a URL's path parses it again, which costs more than all the
/// rest of preparing a call. A fixed table (about 7 KB, made at the first
/// such call) in which a template takes the first free slot from where its
/// address points, within a few probes: reading it takes no lock and it
/// never grows; a template that finds no free slot is not kept.
#[derive(Default)]
struct StaticUrls(OnceLock<Box<[StaticUrl]>>);

/// A slot of [`StaticUrls`]: a template and its URL, once filled.
type StaticUrl = OnceLock<(&'static str, Url)>;

impl StaticUrls {
    const SLOTS: usize = 64;
    const PROBES: usize = 8;

    /// Where `path`'s probes start. Templates are string literals: one
    /// address each, for the life of the program.
    fn first_slot(path: &'static str) -> usize {
        let address = path.as_ptr() as usize as u64;
        (address.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize % Self::SLOTS
    }

    fn get_or_make(&self, path: &'static str, make: impl FnOnce() -> Url) -> Option<&Url> {
        let slots = self
            .0
            .get_or_init(|| (0..Self::SLOTS).map(|_| OnceLock::new()).collect());
        let start = Self::first_slot(path);
        let mut make = Some(make);
        for probe in 0..Self::PROBES {
            let slot = &slots[(start + probe) % Self::SLOTS];
            if slot.get().is_none() {
                if let Some(make) = make.take() {
                    // Another call may fill the slot first; then this URL
                    // is dropped, and the slot holds whichever template won.
                    let _ = slot.set((path, make()));
                }
            }
            // The same template: address and length (a fat pointer).
            match slot.get() {
                Some((key, url)) if std::ptr::eq(*key, path) => return Some(url),
                _ => continue,
            }
        }
        None
    }
}

impl std::fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redacted_url(&self.text))
    }
}

/// A request being put together by an operation, before it is sent. It can
/// be sent more than once (for retries), and copied whole (an event stream
/// keeps a copy to resume with).
#[derive(Clone)]
pub(crate) struct PendingRequest {
    /// The operation's id in the API description (empty for a request that
    /// is not an operation's), for tracing and hooks.
    pub(super) operation: &'static str,
    /// The path template, as tracing and hooks show it: the filled path
    /// may hold ids that are personal data.
    pub(super) template: &'static str,
    pub(super) method: Method,
    /// The path that is sent: the template, until a parameter fills it.
    pub(super) path: Cow<'static, str>,
    /// The path errors show, when it differs (a secret value as `***`).
    pub(super) shown_path: Option<String>,
    pub(super) query: Vec<(String, String)>,
    /// API keys sent in the query; kept apart because a redirect within
    /// the API's origin needs them again.
    pub(super) secret_query: Vec<(String, Secret)>,
    /// Every header for the API's origin: parameters, credentials and the
    /// body's content type. None of them go to another origin.
    pub(super) headers: Headers,
    pub(super) cookies: Vec<(String, String)>,
    /// Whether a credential was added (headers, query or cookies).
    pub(super) credentials: bool,
    /// Every secret the request sends (credentials, secret path values,
    /// sensitive body fields), to blank out of error text if a server
    /// echoes one.
    pub(super) sent: Vec<Secret>,
    /// Whether the body holds a secret ([`Self::remember_secret`]): such a
    /// body never follows a redirect to another origin.
    pub(super) secret_body: bool,
    pub(super) body: Option<Bytes>,
    /// Credentials asked of their providers before each attempt
    /// (`credentials.rs`).
    pub(super) asked: Vec<Asked>,
    /// The operation declares a 3xx answer: it is the answer, not a
    /// redirect to follow.
    pub(super) answers_redirects: bool,
}

/// A request's own headers, in the order they were set. A list rather than
/// a `HeaderMap`: a request has a few, each attempt copies them into the
/// `HeaderMap` that `reqwest` sends, and setting and copying a short list
/// is less code on every call than the map's hashing and probing.
#[derive(Clone, Default)]
pub(super) struct Headers(Vec<(HeaderName, HeaderValue)>);

impl Headers {
    /// Sets `name` to `value`, in place of the value it had.
    pub(super) fn insert(&mut self, name: HeaderName, value: HeaderValue) {
        match self.0.iter_mut().find(|(set, _)| *set == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    pub(super) fn get(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.0
            .iter()
            .find(|(set, _)| set == name)
            .map(|(_, value)| value)
    }

    /// The headers as a `HeaderMap` with room for `room` more (`reqwest`
    /// adds `accept`, and a map that has to grow reallocates). More values
    /// than a map reserves room for (a hook may append any number to one
    /// name) start from an empty map rather than panic.
    pub(super) fn to_map(&self, room: usize) -> HeaderMap {
        let mut map =
            HeaderMap::try_with_capacity(self.0.len().saturating_add(room)).unwrap_or_default();
        for (name, value) in &self.0 {
            map.append(name.clone(), value.clone());
        }
        map
    }

    /// Every value of `map` (a hook may have appended more than one per
    /// name).
    pub(super) fn from_map(map: &HeaderMap) -> Self {
        Headers(
            map.iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
        )
    }
}

/// A header name from the generated code, checked (it came from the spec),
/// or why it is not one.
pub(super) fn valid_header_name(name: &str) -> Result<HeaderName, String> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a valid header name"))
}

/// A credential's header value, marked sensitive so that HTTP tooling does
/// not log it, or why it is not one.
pub(super) fn secret_header_value(name: &HeaderName, value: Bytes) -> Result<HeaderValue, String> {
    let mut header = HeaderValue::from_maybe_shared(value)
        .map_err(|_| format!("credential for header `{name}` is not a valid header value"))?;
    header.set_sensitive(true);
    Ok(header)
}

/// A content type from the generated code as a header value, without
/// copying it; `None` for one that is not valid in HTTP (it came from the
/// spec, so it is checked rather than trusted).
fn static_header_value(text: &'static str) -> Option<HeaderValue> {
    /// The usual one, checked when this is compiled rather than per call.
    const JSON: HeaderValue = HeaderValue::from_static("application/json");
    if text == "application/json" {
        return Some(JSON);
    }
    text.bytes()
        .all(|b| (32..127).contains(&b) || b == b'\t')
        .then(|| HeaderValue::from_static(text))
}

impl PendingRequest {
    /// `path` is the template; fill its `{params}` with [`Self::path_param`].
    pub fn new(method: Method, path: &'static str) -> Self {
        Self::for_operation("", method, path)
    }

    /// A request of the operation `operation` (its id in the API
    /// description), which tracing and hooks name.
    pub fn for_operation(operation: &'static str, method: Method, path: &'static str) -> Self {
        PendingRequest {
            operation,
            template: path,
            method,
            path: Cow::Borrowed(path),
            shown_path: None,
            query: Vec::new(),
            secret_query: Vec::new(),
            headers: Headers::default(),
            cookies: Vec::new(),
            credentials: false,
            sent: Vec::new(),
            secret_body: false,
            body: None,
            asked: Vec::new(),
            answers_redirects: false,
        }
    }

    /// The request as errors describe it: method and shown path.
    pub(super) fn info(&self) -> RequestInfo {
        let path = self
            .shown_path
            .clone()
            .unwrap_or_else(|| self.path.to_string());
        RequestInfo::new(self.method.clone(), path)
    }

    /// A request that cannot be sent as it is; nothing of it was sent.
    pub fn invalid(&self, message: String) -> Failure {
        Failure::new(Error::InvalidRequest {
            request: self.info().with_delivery(Delivery::NotSent),
            message,
        })
    }

    /// Replaces `{name}` in the path with the value, written in its style
    /// and percent-encoded.
    pub fn path_param(
        &mut self,
        name: &str,
        value: &impl serde::Serialize,
        style: Style,
        explode: bool,
    ) -> Result<(), Failure> {
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
    pub fn secret_path_param(
        &mut self,
        name: &str,
        value: &impl serde::Serialize,
        style: Style,
        explode: bool,
    ) -> Result<(), Failure> {
        let text = self.path_text(name, value, style, explode)?;
        if let Ok(flat) = params::flatten(value) {
            self.sent.extend(flat.pieces().map(Secret::from));
        }
        let placeholder = format!("{{{name}}}");
        let shown = self
            .shown_path
            .take()
            .unwrap_or_else(|| self.path.to_string());
        self.shown_path = Some(shown.replace(&placeholder, "***"));
        self.path = Cow::Owned(self.path.replace(&placeholder, &text));
        Ok(())
    }

    /// A path value that cannot move the request to another resource:
    /// empty, `.` and `..` values are refused, since the URL parser would
    /// drop or climb their segment (`%2e` is a dot to it too).
    fn path_text(
        &self,
        name: &str,
        value: &impl serde::Serialize,
        style: Style,
        explode: bool,
    ) -> Result<String, Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
        let text = params::path_text(name, &flat, style, explode);
        let value = text
            .strip_prefix(params::path_prefix(style))
            .unwrap_or(&text);
        if value.is_empty() || params::is_dot_segment(value) {
            let shown = if value.is_empty() {
                "empty"
            } else {
                "`.` or `..`"
            };
            return Err(self.invalid(format!(
                "path parameter `{name}` is {shown}, which would change the path"
            )));
        }
        Ok(text)
    }

    /// Adds a query parameter in its style; `None` adds nothing.
    pub fn query(
        &mut self,
        name: &str,
        value: &impl serde::Serialize,
        style: Style,
        explode: bool,
    ) -> Result<(), Failure> {
        let flat = params::flatten(value).map_err(|e| self.invalid(e))?;
        self.query
            .extend(params::query_pairs(name, flat, style, explode));
        Ok(())
    }

    /// Takes a 3xx answer as the answer (the operation declares one, a
    /// login that sends the browser on, say) rather than following it.
    pub fn answers_redirects(&mut self) {
        self.answers_redirects = true;
    }

    /// Asks for a streamed response's media type (`text/event-stream`).
    pub fn accept(&mut self, media_type: &'static str) {
        if let Some(value) = static_header_value(media_type) {
            self.headers.insert(reqwest::header::ACCEPT, value);
        }
    }

    /// Adds a header parameter; `None` adds nothing.
    pub fn header(
        &mut self,
        name: &str,
        value: &impl serde::Serialize,
        explode: bool,
    ) -> Result<(), Failure> {
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

    pub(super) fn header_name(&self, name: &str) -> Result<HeaderName, Failure> {
        valid_header_name(name).map_err(|reason| self.invalid(reason))
    }

    /// Adds a cookie parameter; `None` adds nothing. Values that could end
    /// the cookie and start another (`;`, `,`, whitespace, quotes) are
    /// refused rather than sent.
    pub fn cookie(
        &mut self,
        name: &str,
        value: &impl serde::Serialize,
        explode: bool,
    ) -> Result<(), Failure> {
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

    /// A value from the request body that is a credential (a refresh
    /// token, a password): sent as part of the body, and blanked out of
    /// error text like the credentials.
    pub fn remember_secret(&mut self, value: &str) {
        self.sent.push(Secret::from(value));
        self.secret_body = true;
    }

    fn insert_secret_header(&mut self, name: HeaderName, value: Bytes) -> Result<(), Failure> {
        let header = secret_header_value(&name, value).map_err(|reason| self.invalid(reason))?;
        self.headers.insert(name, header);
        self.credentials = true;
        Ok(())
    }

    pub fn basic_auth(
        &mut self,
        username: &Secret,
        password: Option<&Secret>,
    ) -> Result<(), Failure> {
        let pair = format!(
            "{}:{}",
            username.expose(),
            password.map(Secret::expose).unwrap_or_default()
        );
        let encoded = base64(pair.as_bytes());
        self.sent
            .extend([username.clone(), Secret::new(encoded.clone())]);
        self.sent.extend(password.cloned());
        self.insert_secret_header(
            reqwest::header::AUTHORIZATION,
            Bytes::from(format!("Basic {encoded}")),
        )
    }

    pub fn secret_query(&mut self, name: &str, value: &Secret) {
        self.secret_query.push((name.to_owned(), value.clone()));
        self.sent.push(value.clone());
        self.credentials = true;
    }

    pub fn secret_cookie(&mut self, name: &str, value: &Secret) -> Result<(), Failure> {
        if !params::cookie_safe(name) || !params::cookie_safe(value.expose()) {
            return Err(self.invalid(format!(
                "credential for cookie `{name}` contains a character a cookie cannot carry"
            )));
        }
        self.cookies
            .push((name.to_owned(), value.expose().to_owned()));
        self.sent.push(value.clone());
        self.credentials = true;
        Ok(())
    }

    fn set_body(&mut self, bytes: Bytes, content_type: HeaderValue) {
        self.headers
            .insert(reqwest::header::CONTENT_TYPE, content_type);
        self.body = Some(bytes);
    }

    fn static_content_type(&self, content_type: &'static str) -> Result<HeaderValue, Failure> {
        static_header_value(content_type)
            .ok_or_else(|| self.invalid("the body's content type is not valid in HTTP".into()))
    }

    pub fn json_body(
        &mut self,
        body: &impl serde::Serialize,
        content_type: &'static str,
    ) -> Result<(), Failure> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| self.invalid(format!("request body does not serialise: {e}")))?;
        let content_type = self.static_content_type(content_type)?;
        self.set_body(Bytes::from(bytes), content_type);
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body: fields from the body's
    /// properties, arrays repeated, nested objects as `a[b]=c`.
    pub fn form_body(
        &mut self,
        body: &impl serde::Serialize,
        content_type: &'static str,
    ) -> Result<(), Failure> {
        let value = serde_json::to_value(body)
            .map_err(|e| self.invalid(format!("request body does not serialise: {e}")))?;
        let mut url = Url::parse("form:").map_err(|e| self.invalid(e.to_string()))?;
        url.query_pairs_mut()
            .extend_pairs(params::form_pairs(&value));
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
}

/// Standard base64, for the `Basic` credential.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
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
    use crate::runtime::{Config, HttpClient};

    /// A header set again keeps its place and takes the new value, as
    /// `HeaderMap::insert` did; the map an attempt sends has every header
    /// in order, each value a hook appended, sensitive values still marked,
    /// and room for the two headers `reqwest` adds without growing.
    #[test]
    fn headers_set_again_are_replaced_and_every_value_is_sent() {
        use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
        let value = HeaderValue::from_static;
        let mut headers = Headers::default();
        headers.insert(CONTENT_TYPE, value("text/plain"));
        let mut token = value("Bearer a");
        token.set_sensitive(true);
        headers.insert(AUTHORIZATION, token);
        for name in ["x-a", "x-b", "x-c", "x-d"] {
            headers.insert(HeaderName::from_static(name), value("1"));
        }
        headers.insert(CONTENT_TYPE, value("application/json"));
        assert_eq!(headers.get(&CONTENT_TYPE), Some(&value("application/json")));
        assert_eq!(headers.get(&ACCEPT), None);
        let mut map = headers.to_map(2);
        let names: Vec<&str> = map.keys().map(HeaderName::as_str).collect();
        assert_eq!(
            names,
            ["content-type", "authorization", "x-a", "x-b", "x-c", "x-d"]
        );
        assert_eq!(
            map.get_all(CONTENT_TYPE).iter().collect::<Vec<_>>(),
            [&value("application/json")]
        );
        let capacity = map.capacity();
        map.insert(ACCEPT, value("*/*"));
        map.insert(USER_AGENT, value("x"));
        assert_eq!(
            map.capacity(),
            capacity,
            "the map grew for reqwest's headers"
        );
        let mut hooked = headers.to_map(0);
        hooked.append(ACCEPT, value("a/b"));
        hooked.append(ACCEPT, value("c/d"));
        let sent = Headers::from_map(&hooked).to_map(0);
        assert_eq!(
            sent.get_all(ACCEPT).iter().collect::<Vec<_>>(),
            [&value("a/b"), &value("c/d")]
        );
        assert!(
            sent.get(AUTHORIZATION)
                .is_some_and(HeaderValue::is_sensitive),
            "the token lost its sensitive mark"
        );
    }

    /// Two templates whose probes start at the same slot are both kept
    /// (the second in the next free slot): asked again, neither is made
    /// again, and each is served its own URL.
    #[test]
    fn templates_that_share_a_first_slot_are_both_kept() {
        let templates: Vec<&'static str> = (0..1000)
            .map(|i| &*Box::leak(format!("/v1/t{i}").into_boxed_str()))
            .collect();
        let mut by_slot = std::collections::HashMap::new();
        let (a, b) = templates
            .iter()
            .find_map(|t| {
                by_slot
                    .insert(StaticUrls::first_slot(t), *t)
                    .map(|earlier| (earlier, *t))
            })
            .expect("1,000 templates share a first slot among 64");
        let urls = StaticUrls::default();
        let make = |path: &str| Url::parse(&format!("https://api.example.com{path}")).unwrap();
        for (round, template) in [(0, a), (0, b), (1, a), (1, b)] {
            let url = urls.get_or_make(template, || match round {
                0 => make(template),
                _ => panic!("{template} was not kept"),
            });
            assert_eq!(
                url.map(Url::as_str),
                Some(&*format!("https://api.example.com{template}"))
            );
        }
    }

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b""), "");
    }

    fn sent_path(
        path: &'static str,
        fill: impl FnOnce(&mut PendingRequest) -> Result<(), Failure>,
    ) -> Result<String, String> {
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
        assert_eq!(
            page("a/../b", Style::Simple).unwrap(),
            "/v1/wikis/w1/pages/a%2F..%2Fb"
        );
        assert_eq!(
            page("..x", Style::Simple).unwrap(),
            "/v1/wikis/w1/pages/..x"
        );
        for (value, style) in [
            ("..", Style::Simple),
            (".", Style::Simple),
            ("", Style::Simple),
            (".", Style::Label),
            ("", Style::Label),
        ] {
            let error = page(value, style).unwrap_err();
            assert!(
                error.contains("path parameter `page`"),
                "{value:?} {style:?}: {error}"
            );
        }
        // Lists whose pieces make a dot segment together.
        let error = sent_path("/pages/{ids}", |r| {
            r.path_param("ids", &["", ""], Style::Label, true)
        })
        .unwrap_err();
        assert!(error.contains("`ids`"), "{error}");
        // The template itself.
        let error = sent_path("/a/%2e%2E/b", |_| Ok(())).unwrap_err();
        assert!(error.contains("segments"), "{error}");
    }

    #[test]
    fn secret_path_values_do_not_show_in_errors() {
        let mut request = PendingRequest::new(Method::GET, "/invites/{token}/{n}");
        request
            .secret_path_param("token", &"inv-SECRET", Style::Simple, false)
            .unwrap_or_else(|_| panic!());
        request
            .path_param("n", &7, Style::Simple, false)
            .unwrap_or_else(|_| panic!());
        assert_eq!(request.info().path, "/invites/***/7");
        assert_eq!(request.path, "/invites/inv-SECRET/7");
        request
            .path_param("n", &8, Style::Simple, false)
            .unwrap_or_else(|_| panic!());
    }

    #[test]
    fn bad_base_urls_fail_the_call_not_the_client() {
        for base in ["not a url", "mailto:x@example.com", "file:///etc"] {
            let mut request = PendingRequest::new(Method::GET, "/x");
            let Err(Failure(error)) = request.prepare(
                &HttpClient::default(),
                &BaseUrl::new(base.to_owned()),
                &Config::default(),
            ) else {
                panic!("{base}")
            };
            assert!(
                matches!(*error, Error::InvalidRequest { .. }),
                "{base}: {error:?}"
            );
        }
    }

    #[test]
    fn cookie_values_cannot_add_cookies() {
        for value in [
            "en; session=ATTACKER",
            "a b",
            "a,b",
            "a\"b",
            "a\\b",
            "a\rb",
            "é",
        ] {
            let mut request = PendingRequest::new(Method::GET, "/");
            assert!(request.cookie("lang", &value, false).is_err(), "{value:?}");
            assert!(
                request
                    .secret_cookie("session", &Secret::new(value))
                    .is_err(),
                "{value:?}"
            );
        }
        let mut request = PendingRequest::new(Method::GET, "/");
        assert!(request.cookie("tags", &["a", "b=c"], false).is_ok());
        assert_eq!(request.cookies, [("tags".to_owned(), "a,b=c".to_owned())]);
    }
}
