//! The `mock` feature: an in-process mock server for the tests of code that
//! uses this client, on `wiremock`. The generated `mock` module adds one
//! typed builder per operation; what they share is here, not generic, so
//! each operation adds little code.

use serde::Serialize;
use wiremock::matchers::{body_json, header, method, path_regex};
use wiremock::{Mock, ResponseTemplate};

use super::params::{self, Style};

/// The methods every operation's builder (a tuple struct around a
/// [`MockCall`]) has, written once here rather than in each builder.
// An API without operations has no builder to use it.
#[allow(unused_macros)]
macro_rules! shared_mock_methods {
    () => {
        /// Checks that the mock is called exactly `n` times (when the
        /// server is dropped or verified).
        pub fn expect(self, n: u64) -> Self {
            Self(self.0.expect(n))
        }

        /// Answers at most `n` calls, then lets mocks mounted later answer.
        pub fn times(self, n: u64) -> Self {
            Self(self.0.times(n))
        }

        /// Answers with this status and no body.
        pub async fn respond_status(self, status: u16) {
            self.0.respond_status(status).await
        }

        /// The untyped mock, to answer with a `wiremock` response of
        /// your own ([`MockCall::respond_with`](crate::mock::MockCall::respond_with)).
        pub fn into_call(self) -> crate::runtime::MockCall<'a> {
            self.0
        }
    };
}
#[allow(unused_imports)]
pub(crate) use shared_mock_methods;

/// An in-process HTTP server that answers as the mocks mounted on it say,
/// with one method per operation to mount them. Mocks that were given an
/// [`expect`](MockCall::expect)ed count are checked when it is dropped.
pub struct MockServer {
    server: wiremock::MockServer,
}

impl MockServer {
    /// Starts a server on a free local port.
    pub async fn start() -> Self {
        MockServer {
            server: wiremock::MockServer::start().await,
        }
    }

    /// A client for this server, with the default settings (retries
    /// included, as in production).
    pub fn client(&self) -> crate::Client {
        crate::Client::with_base_url(self.uri())
    }

    /// The server's base URL, e.g. `http://127.0.0.1:40123`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The `wiremock` server, for what the typed builders do not cover
    /// (inspecting received requests, custom matchers).
    pub fn inner(&self) -> &wiremock::MockServer {
        &self.server
    }

    /// Checks now that every mock got its expected number of calls (which
    /// dropping the server does too, by panicking).
    pub async fn verify(&self) {
        self.server.verify().await;
    }

    /// A mock of the operation `method template`, for the generated builders.
    pub(crate) fn call(&self, method: &'static str, template: &'static str) -> MockCall<'_> {
        MockCall {
            server: &self.server,
            method,
            template,
            path_values: Vec::new(),
            body: None,
            accept: None,
            expect: None,
            times: None,
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.uri())
            .finish()
    }
}

/// One expected call of an operation and its answer, before it is mounted:
/// what the typed builders wrap.
#[derive(Debug)]
pub struct MockCall<'a> {
    server: &'a wiremock::MockServer,
    method: &'static str,
    template: &'static str,
    /// Path parameters to match, written as the client writes them; the
    /// others match any value.
    path_values: Vec<(&'static str, String)>,
    body: Option<serde_json::Value>,
    /// The `Accept` a streaming operation sends: its mock answers only
    /// those calls, before the mocks of the same request's buffered form.
    accept: Option<&'static str>,
    expect: Option<u64>,
    times: Option<u64>,
}

impl MockCall<'_> {
    /// Matches only calls that ask for `media_type` (a streaming twin's
    /// calls), ahead of other mocks of the same path.
    pub(crate) fn accepting(mut self, media_type: &'static str) -> Self {
        self.accept = Some(media_type);
        self
    }

    /// Matches only calls whose path parameter `name` has this value.
    pub(crate) fn path_param(
        mut self,
        name: &'static str,
        value: &impl Serialize,
        style: Style,
        explode: bool,
    ) -> Self {
        // A value that does not serialise matches nothing, like a request
        // the client would refuse to send.
        let text = match params::flatten(value) {
            Ok(flat) => params::path_text(name, &flat, style, explode),
            Err(_) => "\u{0}".to_owned(),
        };
        self.path_values.push((name, text));
        self
    }

    /// Matches only calls whose JSON body equals `body`.
    pub(crate) fn json_body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Checks that the mock is called exactly `n` times (when the server
    /// is dropped or verified).
    pub fn expect(mut self, n: u64) -> Self {
        self.expect = Some(n);
        self
    }

    /// Answers at most `n` calls, then lets the mocks mounted after it
    /// answer: `times(1)` with a success, then an error, is "200 then 422".
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Answers with this status and no body.
    pub async fn respond_status(self, status: u16) {
        self.respond_with(ResponseTemplate::new(status)).await;
    }

    /// Answers with this status and JSON body.
    pub(crate) async fn respond_json(
        self,
        status: u16,
        body: Result<serde_json::Value, serde_json::Error>,
    ) {
        // A body that does not serialise is answered as `null`, which the
        // client then fails to decode: the test sees it.
        let body = body.unwrap_or(serde_json::Value::Null);
        self.respond_with(ResponseTemplate::new(status).set_body_json(body))
            .await;
    }

    /// Answers with this status and text body.
    pub(crate) async fn respond_text(self, status: u16, body: &str) {
        self.respond_with(
            ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), "text/plain"),
        )
        .await;
    }

    /// Answers with this status and raw body.
    pub(crate) async fn respond_bytes(self, status: u16, body: &[u8]) {
        self.respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_vec(), "application/octet-stream"),
        )
        .await;
    }

    /// Answers with Server-Sent Events, one per item: each item's JSON
    /// (or, for an untyped stream, its text) as `data`.
    pub(crate) async fn respond_events(
        self,
        status: u16,
        items: Vec<Result<String, serde_json::Error>>,
    ) {
        let mut body = String::new();
        for item in items {
            // An item that does not serialise is sent as `null`.
            let data = item.unwrap_or_else(|_| "null".to_owned());
            for line in data.split('\n') {
                body.push_str("data: ");
                body.push_str(line);
                body.push('\n');
            }
            body.push('\n');
        }
        self.respond_with(
            ResponseTemplate::new(status).set_body_raw(body.into_bytes(), "text/event-stream"),
        )
        .await;
    }

    /// Answers with JSON records, one per line.
    pub(crate) async fn respond_json_lines(
        self,
        status: u16,
        items: Vec<Result<serde_json::Value, serde_json::Error>>,
    ) {
        let mut body = String::new();
        for item in items {
            body.push_str(&item.unwrap_or(serde_json::Value::Null).to_string());
            body.push('\n');
        }
        self.respond_with(
            ResponseTemplate::new(status).set_body_raw(body.into_bytes(), "application/jsonl"),
        )
        .await;
    }

    /// Answers with a `wiremock` response of your own (headers, delays).
    pub async fn respond_with(self, response: ResponseTemplate) {
        let mut mock = Mock::given(method(self.method)).and(path_regex(self.path_pattern()));
        if let Some(body) = self.body {
            mock = mock.and(body_json(body));
        }
        if let Some(accept) = self.accept {
            mock = mock.and(header("accept", accept));
        }
        let mut mock = mock.respond_with(response);
        if self.accept.is_some() {
            // wiremock's default is 5; lower is tried first.
            mock = mock.with_priority(4);
        }
        if let Some(n) = self.expect {
            mock = mock.expect(n);
        }
        if let Some(n) = self.times {
            mock = mock.up_to_n_times(n);
        }
        mock.mount(self.server).await;
    }

    /// The template as a regular expression: the given path values as they
    /// are, the others as any one segment.
    fn path_pattern(&self) -> String {
        let mut pattern = String::from("^");
        let mut rest = self.template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|i| open + i) else {
                break;
            };
            pattern.push_str(&escaped(&rest[..open]));
            let name = &rest[open + 1..close];
            match self.path_values.iter().find(|(given, _)| *given == name) {
                Some((_, value)) => pattern.push_str(&escaped(value)),
                None => pattern.push_str("[^/]+"),
            }
            rest = &rest[close + 1..];
        }
        pattern.push_str(&escaped(rest));
        pattern.push('$');
        pattern
    }
}

/// `text` matched literally in a regular expression.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn path_patterns_match_given_values_and_any_segment() {
        let server = MockServer::start().await;
        let call = server.call("GET", "/items/{id}/parts/{part}.json");
        assert_eq!(call.path_pattern(), r"^/items/[^/]+/parts/[^/]+\.json$");
        let call = call.path_param("id", &"a b", Style::Simple, false);
        assert_eq!(call.path_pattern(), r"^/items/a%20b/parts/[^/]+\.json$");
    }
}
