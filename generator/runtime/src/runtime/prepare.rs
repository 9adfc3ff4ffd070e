//! Before the first attempt: the request's URL (the base URL's, with the
//! operation's path, query and API keys in the query) and its headers
//! (cookies, credentials from the base URL), checked once for all
//! attempts.

use std::borrow::Cow;

use reqwest::Url;

use super::authorize::Asking;
use super::base_url::BaseUrl;
use super::headers::Headers;
use super::params;
use super::redact::redacted_url;
use super::redirect::Carrying;
use super::request::PendingRequest;
use super::{Config, Failure, HttpClient, Secret, SentSecrets};

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
        let mut url = match self.path() {
            Cow::Borrowed(path) if !base.has_userinfo => match base.static_url(path, || make(path))
            {
                Some(url) => Cow::Borrowed(url),
                None => Cow::Owned(make(path)),
            },
            path => Cow::Owned(make(path)),
        };
        if base.has_userinfo {
            self.base_url_credentials(api, url.to_mut())?;
        }
        // The URL parser drops `.` and `..` segments; a path that lost
        // segments on the way is not the one the operation built.
        let path = self.path();
        if may_change_segments(path) && lost_segments(base_path, path, &url) {
            return Err(self.invalid(
                "the path has `.` or `..` segments, which would change the resource it names"
                    .into(),
            ));
        }
        self.add_query(&mut url)?;
        let carrying = self.carrying();
        let headers = self.take_headers()?;
        let asking = Asking::of(self.take_provided());
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
    /// already set one; they never stay in the URL. (Out of line: most
    /// calls have none, and [`Self::prepare`] stays short.)
    #[cold]
    fn base_url_credentials(&mut self, api: &Url, url: &mut Url) -> Result<(), Failure> {
        let decode = |text: &str| Secret::new(percent_decoded(text));
        self.userinfo_credentials(decode(api.username()), api.password().map(decode))?;
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(())
    }
}

impl Prepared<'_> {
    /// Every secret the request's credential providers gave, over all its
    /// attempts (none when every credential is fixed).
    pub(super) fn provided_secrets(&self) -> SentSecrets {
        self.asking
            .as_ref()
            .map(|asking| asking.sent())
            .unwrap_or_default()
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
    use crate::runtime::Error;
    use crate::runtime::credentials::Credential;
    use crate::runtime::params::Style;
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
                let query = |r: &mut PendingRequest, name, value| {
                    r.query(name, &value, params::Style::Form, true)
                        .unwrap_or_else(|_| panic!("{name}"));
                };
                query(&mut request, "sort", "asc");
                query(&mut request, name, "attacker");
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
                with_query
                    .query("q", &1, params::Style::Form, true)
                    .unwrap_or_else(|_| panic!("q"));
                assert_eq!(
                    url(&mut with_query),
                    Some(format!("{expected}?q=1")),
                    "round {round}"
                );
            }
            // A template kept unfilled is not served once a parameter fills it.
            let with_param = "/v1/items0/{x}";
            assert_eq!(
                url(&mut PendingRequest::new(Method::GET, with_param)).as_deref(),
                Some("https://api.example.com/base/v1/items0/%7Bx%7D")
            );
            let mut filled = PendingRequest::new(Method::GET, with_param);
            filled.path_piece("/v1/items0/");
            filled
                .path_param("x", &"x", params::Style::Simple, false)
                .unwrap_or_else(|_| panic!("x"));
            assert_eq!(
                url(&mut filled).as_deref(),
                Some("https://api.example.com/base/v1/items0/x")
            );
        }
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
                r.path_piece("/wikis/");
                r.path_param("wiki", &"w1", Style::Simple, false)?;
                r.path_piece("/pages/");
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
            r.path_piece("/pages/");
            r.path_param("ids", &["", ""], Style::Label, true)
        })
        .unwrap_err();
        assert!(error.contains("`ids`"), "{error}");
        // The template itself.
        let error = sent_path("/a/%2e%2E/b", |_| Ok(())).unwrap_err();
        assert!(error.contains("segments"), "{error}");
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
}
