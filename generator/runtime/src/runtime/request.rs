//! Building a request: the generated operations fill in its path,
//! query, headers, cookies, credentials and body (`send.rs` sends it).
//!
//! The path every call takes is kept close to what a hand-written `reqwest`
//! call costs: the base URL is parsed once per client, headers (credentials
//! included) go into one short list, the body is shared between attempts
//! rather than copied, and what only errors need (the request's
//! description, the server's request id) is made only for errors.

use std::borrow::Cow;

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::credentials::{Asked, Place, base64};
use super::headers::{Headers, secret_header_value, static_header_value, valid_header_name};
use super::multipart::Multipart;
use super::params::{self, Style};
use super::path::{self, RequestPath};
use super::redirect::Carrying;
use super::{Delivery, Described, Error, Failure, RequestInfo, Secret, SentSecrets};

/// A request being put together by an operation, before it is sent. It can
/// be sent more than once (for retries), and copied whole (an event stream
/// keeps a copy to resume with).
#[derive(Clone)]
pub(crate) struct PendingRequest {
    /// The operation's id in the API description (empty for a request that
    /// is not an operation's), for tracing and hooks.
    operation: &'static str,
    method: Method,
    path: RequestPath,
    query: Vec<(String, String)>,
    /// API keys sent in the query; kept apart because a redirect within
    /// the API's origin needs them again.
    secret_query: Vec<(String, Secret)>,
    /// Every header for the API's origin: parameters, credentials and the
    /// body's content type. None of them go to another origin.
    headers: Headers,
    cookies: Vec<(String, String)>,
    /// Whether a credential was added (headers, query or cookies).
    credentials: bool,
    /// Every secret the request sends (credentials, secret path values,
    /// sensitive body fields, API keys in the query), to blank out of
    /// error text if a server echoes one.
    secrets: SentSecrets,
    /// Whether the body holds a secret ([`Self::remember_secret`]): such a
    /// body never follows a redirect to another origin.
    secret_body: bool,
    body: Option<Bytes>,
    /// Credentials asked of their providers before each attempt
    /// (`credentials.rs`).
    asked: Vec<Asked>,
    /// The operation declares a 3xx answer: it is the answer, not a
    /// redirect to follow.
    answers_redirects: bool,
}

impl PendingRequest {
    /// `path` is the template: the path itself, or, when it has
    /// parameters, built with [`Self::path_piece`] and [`Self::path_param`].
    pub fn new(method: Method, path: &'static str) -> Self {
        Self::for_operation("", method, path)
    }

    /// A request of the operation `operation` (its id in the API
    /// description), which tracing and hooks name.
    pub fn for_operation(operation: &'static str, method: Method, path: &'static str) -> Self {
        PendingRequest {
            operation,
            method,
            path: RequestPath::new(path),
            query: Vec::new(),
            secret_query: Vec::new(),
            headers: Headers::default(),
            cookies: Vec::new(),
            credentials: false,
            secrets: SentSecrets::NONE,
            secret_body: false,
            body: None,
            asked: Vec::new(),
            answers_redirects: false,
        }
    }

    /// The request as errors describe it: method and shown path.
    pub(super) fn info(&self) -> RequestInfo {
        RequestInfo::new(self.method.clone(), self.path.shown())
    }

    /// A request that cannot be sent as it is; nothing of it was sent.
    pub fn invalid(&self, message: String) -> Failure {
        Failure::new(Error::InvalidRequest {
            request: self.info().with_delivery(Delivery::NotSent),
            message,
        })
    }

    /// Appends literal text of the path template (`/items/`). A templated
    /// path is built from its pieces in order, with [`Self::path_param`]
    /// for each parameter: the first piece replaces the template, and
    /// nothing searches it.
    pub fn path_piece(&mut self, text: &'static str) {
        self.path.push(text);
    }

    /// Appends a path parameter's value, written in its style and
    /// percent-encoded.
    pub fn path_param(
        &mut self,
        name: &str,
        value: &impl serde::Serialize,
        style: Style,
        explode: bool,
    ) -> Result<(), Failure> {
        let text = self.path_text(name, value, style, explode)?;
        self.path.push(&text);
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
            self.secrets.add_all(flat.pieces().map(Secret::from));
        }
        self.path.push_secret(&text);
        Ok(())
    }

    /// A path value as it is sent, or why it cannot be: the error shows
    /// the template, as the path is only partly built.
    fn path_text(
        &self,
        name: &str,
        value: &impl serde::Serialize,
        style: Style,
        explode: bool,
    ) -> Result<String, Failure> {
        path::value_text(name, value, style, explode).map_err(|message| {
            Failure::new(Error::InvalidRequest {
                request: RequestInfo::new(self.method.clone(), self.path.template().to_owned())
                    .with_delivery(Delivery::NotSent),
                message,
            })
        })
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
        self.secrets.add(Secret::from(value));
        self.secret_body = true;
    }

    /// Also blanks, from what this request's errors show, the secrets an
    /// earlier request sent (a resumed stream's first connection): a
    /// server may echo them on the next.
    pub(super) fn remember_sent(&mut self, sent: &SentSecrets) {
        self.secrets.join(sent);
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
        self.secrets
            .add_all([username.clone(), Secret::new(encoded.clone())]);
        self.secrets.add_all(password.cloned());
        self.insert_secret_header(
            reqwest::header::AUTHORIZATION,
            Bytes::from(format!("Basic {encoded}")),
        )
    }

    pub fn secret_query(&mut self, name: &str, value: &Secret) {
        self.secret_query.push((name.to_owned(), value.clone()));
        self.secrets.add(value.clone());
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
        self.secrets.add(value.clone());
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

/// What the rest of the runtime reads of a request, and what it takes
/// from it: the credentials `authorize.rs` puts on it, what `prepare.rs`
/// turns into the URL and headers of every attempt, and what `send.rs`,
/// `resume.rs` and `trace.rs` name or send again.
impl PendingRequest {
    /// The operation's id in the API description, for tracing and hooks.
    pub(super) fn operation(&self) -> &'static str {
        self.operation
    }

    /// The path template (never the filled path), for tracing and hooks.
    pub(super) fn template(&self) -> &'static str {
        self.path.template()
    }

    pub(super) fn method(&self) -> &Method {
        &self.method
    }

    /// The path that is sent: the template itself (borrowed, so the
    /// client may keep its URL), or the path built from its pieces.
    pub(super) fn path(&self) -> &Cow<'static, str> {
        self.path.sent()
    }

    /// The body, shared by every attempt and hop that sends it.
    pub(super) fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }

    /// Whether a 3xx is a redirect to follow, rather than the answer the
    /// operation declares.
    pub(super) fn follows_redirects(&self) -> bool {
        !self.answers_redirects
    }

    /// Whether the request asks for `media_type` (its `Accept` is that).
    pub(super) fn accepts(&self, media_type: &str) -> bool {
        self.headers
            .get(&reqwest::header::ACCEPT)
            .is_some_and(|accept| accept.as_bytes() == media_type.as_bytes())
    }

    /// Sets a header the runtime adds itself (`Last-Event-ID`).
    pub(super) fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.insert(name, value);
    }

    /// Every secret the request sends, so far.
    pub(super) fn secrets(&self) -> &SentSecrets {
        &self.secrets
    }

    /// A fixed credential's header, made once per credential: sent, and
    /// `secret` blanked out of error text.
    pub(super) fn set_credential_header(
        &mut self,
        secret: &Secret,
        name: HeaderName,
        value: HeaderValue,
    ) {
        self.secrets.add(secret.clone());
        self.headers.insert(name, value);
        self.credentials = true;
    }

    /// A credential its provider gives before each attempt. A basic
    /// credential's user name is known now, and joins the secrets at once.
    pub(super) fn ask_provider(&mut self, asked: Asked) {
        if let Place::Basic { username } = &asked.place {
            self.secrets.add(username.clone());
        }
        self.asked.push(asked);
        self.credentials = true;
    }

    /// The credentials from providers, moved out before the first attempt
    /// (`authorize.rs` asks for them before each one).
    pub(super) fn take_provided(&mut self) -> Vec<Asked> {
        std::mem::take(&mut self.asked)
    }

    /// The user name and password of the base URL (`https://user:pw@host`)
    /// are sent as basic auth, unless a security scheme already set an
    /// `Authorization`; either way they are blanked out of error text.
    #[cold]
    pub(super) fn userinfo_credentials(
        &mut self,
        user: Secret,
        password: Option<Secret>,
    ) -> Result<(), Failure> {
        if self.headers.get(&reqwest::header::AUTHORIZATION).is_some() {
            self.secrets.add_all([user].into_iter().chain(password));
            Ok(())
        } else {
            self.basic_auth(&user, password.as_ref())
        }
    }

    /// Adds the query parameters, and the API keys sent in the query, to
    /// `url`. A parameter named like a query credential is refused (an
    /// untrusted map argument can name its keys freely): a server that
    /// reads the first of two values would take it for the API key.
    pub(super) fn add_query(&self, url: &mut Cow<'_, Url>) -> Result<(), Failure> {
        if !self.query.is_empty() && (!self.secret_query.is_empty() || !self.asked.is_empty()) {
            if let Some(name) = self.query_shadowing_a_credential() {
                return Err(self.invalid(format!(
                    "query parameter `{name}` has the name of a credential sent in the query"
                )));
            }
        }
        if !self.query.is_empty() || !self.secret_query.is_empty() {
            self.append_query(url.to_mut());
        }
        Ok(())
    }

    /// A query parameter named like a credential sent in the query. (Out
    /// of line, like the query's and the cookies' own: most calls need
    /// none of them, and the common path stays short.)
    #[cold]
    fn query_shadowing_a_credential(&self) -> Option<&str> {
        let credentials = || {
            self.secret_query
                .iter()
                .map(|(name, _)| name.as_str())
                .chain(self.asked.iter().filter_map(Asked::query_name))
        };
        self.query
            .iter()
            .map(|(name, _)| name.as_str())
            .find(|name| credentials().any(|credential| credential == *name))
    }

    #[inline(never)]
    fn append_query(&self, url: &mut Url) {
        let mut pairs = url.query_pairs_mut();
        pairs.extend_pairs(&self.query);
        pairs.extend_pairs(self.secret_query.iter().map(|(k, v)| (k, v.expose())));
    }

    /// Puts the API keys sent in the query into a redirect's target within
    /// the API's origin, once each even when its `Location` echoes them.
    pub(super) fn replace_query_keys(&self, url: &mut Url) {
        if self.secret_query.is_empty() {
            return;
        }
        let keys: Vec<(&str, &str)> = self
            .secret_query
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        params::replace_query_pairs(url, &keys);
    }

    /// The headers every attempt sends, the cookies joined into one
    /// `Cookie` header marked sensitive, moved out before the first one.
    pub(super) fn take_headers(&mut self) -> Result<Headers, Failure> {
        if !self.cookies.is_empty() {
            self.add_cookies()?;
        }
        Ok(std::mem::take(&mut self.headers))
    }

    #[inline(never)]
    fn add_cookies(&mut self) -> Result<(), Failure> {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut value = HeaderValue::from_str(&cookie)
            .map_err(|_| self.invalid("cookie value is not valid in HTTP".into()))?;
        value.set_sensitive(true);
        self.headers.insert(reqwest::header::COOKIE, value);
        Ok(())
    }

    /// What the request carries that must not leave the API's origin.
    pub(super) fn carrying(&self) -> Carrying {
        Carrying {
            credentials: self.credentials,
            body: self.body.is_some(),
            secret_body: self.secret_body,
        }
    }

    /// What responses keep of the request, to describe it in errors: its
    /// method, shown path, and every secret it sent, its providers'
    /// (`provided`) included.
    pub(super) fn into_described(self, provided: &SentSecrets) -> Described {
        let mut secrets = self.secrets;
        secrets.join(provided);
        Described {
            method: self.method,
            path: self.path.into_shown(),
            secrets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_path_values_do_not_show_in_errors() {
        let mut request = PendingRequest::new(Method::GET, "/invites/{token}/{n}");
        request.path_piece("/invites/");
        request
            .secret_path_param("token", &"inv-SECRET", Style::Simple, false)
            .unwrap_or_else(|_| panic!());
        request.path_piece("/");
        request
            .path_param("n", &7, Style::Simple, false)
            .unwrap_or_else(|_| panic!());
        assert_eq!(request.info().path, "/invites/***/7");
        assert_eq!(request.path(), "/invites/inv-SECRET/7");
        // A value that cannot be sent is reported against the template.
        let Failure(error) = request
            .path_param("n", &"..", Style::Simple, false)
            .err()
            .unwrap_or_else(|| panic!());
        assert_eq!(error.request().path, "/invites/{token}/{n}");
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
