//! Before the first attempt: the request's URL (the base URL's, with the
//! operation's path, query and API keys in the query) and its headers
//! (cookies, credentials from the base URL), checked once for all
//! attempts.

use std::borrow::Cow;

use reqwest::Url;
use reqwest::header::HeaderValue;

use super::authorize::Asking;
use super::credentials::Asked;
use super::params;
use super::redact::redacted_url;
use super::redirect::Carrying;
use super::request::{BaseUrl, Headers, PendingRequest};
use super::{Config, Failure, HttpClient, Secret};

/// Everything an attempt needs that does not change between attempts.
pub(super) struct Prepared<'a> {
    pub(super) client: &'a reqwest::Client,
    /// See [`HttpClient`]: only the runtime's own client proves, by a
    /// connection error, that nothing was sent.
    pub(super) follows_no_redirects: bool,
    pub(super) config: &'a Config,
    /// The API's base URL: its origin is the one credentials may go to.
    pub(super) api: &'a Url,
    /// The first hop's URL (one the client keeps, for a path without
    /// parameters).
    pub(super) url: Cow<'a, Url>,
    pub(super) headers: Headers,
    pub(super) carrying: Carrying,
    /// Credentials from providers, asked before each attempt; `None` when
    /// all are fixed (they are in `headers` then).
    pub(super) asking: Option<Box<Asking>>,
}

impl PendingRequest {
    /// The URL and headers, checked once for all attempts.
    pub(super) fn prepare<'a>(
        &mut self,
        http: &'a HttpClient,
        base: &'a BaseUrl,
        config: &'a Config,
    ) -> Result<Prepared<'a>, Failure> {
        let bad_base = |e: &str| {
            self.invalid(format!(
                "base URL `{}` does not make a valid URL: {e}",
                redacted_url(&base.text)
            ))
        };
        let api = base.parsed.as_ref().map_err(|e| bad_base(e))?;
        let client = http
            .client
            .as_ref()
            .map_err(|reason| self.invalid(reason.clone()))?;
        // The base URL was parsed when the client was made: a call sets
        // only the path (scheme, host and port are not parsed again, which
        // is most of what parsing a URL costs), and a path without
        // parameters is set once per client.
        let base_path = api.path().trim_end_matches('/');
        let make = |path: &str| {
            let mut url = api.clone();
            match base_path.is_empty() {
                true => url.set_path(path),
                false => url.set_path(&[base_path, path].concat()),
            }
            url
        };
        let mut url = match self.path {
            Cow::Borrowed(path) if !base.has_userinfo => match base.static_url(path, || make(path))
            {
                Some(url) => Cow::Borrowed(url),
                None => Cow::Owned(make(path)),
            },
            _ => Cow::Owned(make(&self.path)),
        };
        if base.has_userinfo {
            self.base_url_credentials(api, url.to_mut())?;
        }
        // The URL parser drops `.` and `..` segments; a path that lost
        // segments on the way is not the one the operation built.
        if may_change_segments(&self.path) && lost_segments(base_path, &self.path, &url) {
            return Err(self.invalid(
                "the path has `.` or `..` segments, which would change the resource it names"
                    .into(),
            ));
        }
        if !self.query.is_empty() && (!self.secret_query.is_empty() || !self.asked.is_empty()) {
            if let Some(name) = self.query_shadowing_a_credential() {
                return Err(self.invalid(format!(
                    "query parameter `{name}` has the name of a credential sent in the query"
                )));
            }
        }
        if !self.query.is_empty() || !self.secret_query.is_empty() {
            self.add_query(url.to_mut());
        }
        if !self.cookies.is_empty() {
            self.add_cookies()?;
        }
        let carrying = Carrying {
            credentials: self.credentials,
            body: self.body.is_some(),
            secret_body: self.secret_body,
        };
        let headers = std::mem::take(&mut self.headers);
        let asking = Asking::take(self);
        Ok(Prepared {
            client,
            follows_no_redirects: http.follows_no_redirects,
            config,
            api,
            url,
            headers,
            carrying,
            asking,
        })
    }

    /// Credentials in the base URL (`https://user:password@host`) are sent
    /// as basic auth, to the API's origin only, unless a security scheme
    /// already set one; they never stay in the URL. (This and the two
    /// below are out of line: most calls need none of them, and
    /// [`Self::prepare`] stays short.)
    #[cold]
    fn base_url_credentials(&mut self, api: &Url, url: &mut Url) -> Result<(), Failure> {
        let decode = |text: &str| percent_decoded(text);
        let (user, password) = (
            Secret::new(decode(api.username())),
            api.password().map(|p| Secret::new(decode(p))),
        );
        if self.headers.get(&reqwest::header::AUTHORIZATION).is_some() {
            self.sent.extend([user].into_iter().chain(password));
        } else {
            self.basic_auth(&user, password.as_ref())?;
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(())
    }

    /// A query parameter named like a credential sent in the query (an
    /// untrusted map argument can name its keys freely): a server that
    /// reads the first of two values would take it for the API key.
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

    /// The query parameters, and the API keys sent in the query.
    #[inline(never)]
    fn add_query(&self, url: &mut Url) {
        let mut pairs = url.query_pairs_mut();
        pairs.extend_pairs(&self.query);
        pairs.extend_pairs(self.secret_query.iter().map(|(k, v)| (k, v.expose())));
    }

    /// The cookies, in one `Cookie` header marked sensitive.
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
}

/// Whether the URL parser could read `path` as other segments than its
/// `/`s separate: only a dot (`.`, `%2e`), a backslash (a `/` to it) or a
/// tab or newline (which it removes) can do that. Most paths have none, and
/// are not split and compared.
fn may_change_segments(path: &str) -> bool {
    path.bytes()
        .any(|b| matches!(b, b'.' | b'%' | b'\\' | b'\t' | b'\n' | b'\r'))
}

/// Whether `url`, made from the base path and `path`, lost or gained a
/// segment, or `path` has a dot segment.
fn lost_segments(base_path: &str, path: &str, url: &Url) -> bool {
    let built = base_path.split('/').count() + path.split('/').count() - 1;
    let parsed = url.path_segments().map_or(0, |s| s.count()) + 1;
    path.split('/').any(params::is_dot_segment) || parsed != built
}

/// `%XX` sequences decoded (userinfo in a URL is percent-encoded).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::credentials::Credential;
    use reqwest::Method;

    /// A call's URL is the base URL with the operation's path set: the
    /// base's own path kept, and a path that the URL parser would read as
    /// other segments than its `/`s separate refused. A `?` or `#` in a
    /// path is encoded, so it cannot start a query or a fragment.
    #[test]
    fn the_url_keeps_the_base_path_and_refuses_a_path_that_changes_segments() {
        let (http, config) = (HttpClient::default(), Config::default());
        let url = |base: &str, path: &'static str| {
            let mut request = PendingRequest::new(Method::GET, path);
            request
                .prepare(&http, &BaseUrl::new(base.to_owned()), &config)
                .map(|prepared| prepared.url.to_string())
                .ok()
        };
        assert_eq!(
            url("https://api.example.com", "/v1/items").as_deref(),
            Some("https://api.example.com/v1/items")
        );
        assert_eq!(
            url("https://api.example.com/", "/v1/items").as_deref(),
            Some("https://api.example.com/v1/items")
        );
        assert_eq!(
            url("https://api.example.com/base/", "/v1/items").as_deref(),
            Some("https://api.example.com/base/v1/items")
        );
        assert_eq!(
            url("https://api.example.com/base", "/v1/a?b#c").as_deref(),
            Some("https://api.example.com/base/v1/a%3Fb%23c")
        );
        assert_eq!(
            url("https://api.example.com/base", "/v1/a.b").as_deref(),
            Some("https://api.example.com/base/v1/a.b")
        );
        for path in [
            "/v1/a\\b",
            "/v1/./x",
            "/v1/../x",
            "/v1/%2e%2E/x",
            "/v1/a\tb/.\n./x",
        ] {
            assert_eq!(
                url("https://api.example.com/base", path),
                None,
                "{path:?} was sent"
            );
        }
    }

    /// A query argument may not take the name of an API key sent in the
    /// query, fixed or provided; other names go along with the key.
    #[test]
    fn a_query_parameter_cannot_take_a_query_credentials_name() {
        let (http, config) = (HttpClient::default(), Config::default());
        let base = BaseUrl::new("https://api.example.com".to_owned());
        let fixed = Credential::fixed(Secret::from("key-SECRET"));
        let provided = Credential::provided(|| Ok(Secret::from("key-SECRET")));
        for credential in [&fixed, &provided] {
            for (name, sent) in [("api_key", false), ("page", true)] {
                let mut request = PendingRequest::new(Method::GET, "/v1/items");
                // Another parameter first: each name is checked against every credential.
                request.query.push(("sort".into(), "asc".into()));
                request.query.push((name.into(), "attacker".into()));
                request.query_credential("api_key", credential);
                let prepared = request.prepare(&http, &base, &config);
                assert_eq!(prepared.is_ok(), sent, "{name}");
            }
        }
    }

    /// The URLs of paths without parameters are kept per client: each
    /// call of each template gets its own path, whether its URL was made,
    /// kept or not kept (more templates than the client keeps), and one
    /// with parameters or a query is never served a kept one.
    #[test]
    fn kept_urls_belong_to_their_own_template() {
        let (http, config) = (HttpClient::default(), Config::default());
        let base = BaseUrl::new("https://api.example.com/base/".to_owned());
        let templates: Vec<&'static str> = (0..200)
            .map(|i| &*Box::leak(format!("/v1/items{i}").into_boxed_str()))
            .collect();
        let url = |request: &mut PendingRequest| {
            request
                .prepare(&http, &base, &config)
                .map(|prepared| prepared.url.to_string())
                .ok()
        };
        for round in 0..3 {
            for (i, template) in templates.iter().enumerate() {
                let expected = format!("https://api.example.com/base/v1/items{i}");
                assert_eq!(
                    url(&mut PendingRequest::new(Method::GET, template)).as_deref(),
                    Some(&*expected),
                    "round {round}"
                );
                let mut with_query = PendingRequest::new(Method::GET, template);
                with_query.query.push(("q".into(), "1".into()));
                assert_eq!(
                    url(&mut with_query),
                    Some(format!("{expected}?q=1")),
                    "round {round}"
                );
            }
            let mut filled = PendingRequest::new(Method::GET, templates[0]);
            filled.path = Cow::Owned("/v1/items0/x".into());
            assert_eq!(
                url(&mut filled).as_deref(),
                Some("https://api.example.com/base/v1/items0/x")
            );
        }
    }
}
