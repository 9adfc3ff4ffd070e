//! Tracing: every call runs in a `tracing` span, silent and nearly free
//! when no subscriber listens.
//!
//! One span callsite for all operations, here, rather than one per
//! operation in the generated code: each `tracing` macro expands to a
//! static callsite and its metadata, which for hundreds of operations is
//! build time and binary size for nothing. The span is named `request`;
//! the operation is its `otel.name` (the name OpenTelemetry exporters give
//! the span) and its `operation` field. Field names follow OpenTelemetry's
//! HTTP client conventions where there is one.
//!
//! What a span holds is chosen to be safe to log: the path template, never
//! the filled-in path (ids can be personal data), the host, never the URL
//! (its query may hold an API key), and no header value or body.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tracing::Span;
use tracing::field::Empty;

use super::Error;
use super::base_url::BaseUrl;
use super::request::PendingRequest;

/// The span of one call, with the fields known before it is sent; the
/// others are recorded as the call goes. Disabled (and no field computed)
/// unless a subscriber wants it.
pub(super) fn call_span(request: &PendingRequest, base: &BaseUrl) -> Span {
    tracing::info_span!(
        "request",
        otel.name = request.operation(),
        otel.kind = "client",
        operation = request.operation(),
        http.request.method = request.method().as_str(),
        url.template = request.template(),
        server.address = base.parsed.as_ref().ok().and_then(|url| url.host_str()),
        http.response.status_code = Empty,
        attempts = Empty,
        elapsed_ms = Empty,
        "error.type" = Empty,
        stream.items = Empty,
    )
}

/// A streamed response has ended (its body ended, an error ended it, or
/// the caller dropped it): how many items it gave, and the error that
/// ended it. The call's span lives as long as the stream, so it closes
/// now.
#[cold]
pub(super) fn stream_ended(span: &Span, items: u64, error: Option<&Error<Infallible>>) {
    if span.is_disabled() {
        return;
    }
    span.record("stream.items", items);
    if let Some(error) = error {
        span.record("error.type", error_kind(error));
    }
}

/// An event stream dropped and reconnects (number `reconnect` in a row)
/// after `delay`.
#[cold]
pub(super) fn reconnecting(span: &Span, reconnect: u32, delay: Duration) {
    if span.is_disabled() {
        return;
    }
    let delay_ms = delay.as_millis() as u64;
    tracing::debug!(parent: span, reconnect, delay_ms, "reconnecting the event stream");
}

/// A retry is coming: why, and after how long.
#[cold]
pub(super) fn retrying(span: &Span, attempt: u32, status: Option<StatusCode>, delay: Duration) {
    if span.is_disabled() {
        return;
    }
    let delay_ms = delay.as_millis() as u64;
    match status {
        Some(status) => {
            tracing::debug!(parent: span, attempt, http.response.status_code = status.as_u16(), delay_ms, "retrying")
        }
        None => tracing::debug!(parent: span, attempt, delay_ms, "retrying after a failed attempt"),
    }
}

/// The request is sent again at once: it was answered `401` and its
/// credential's provider renewed the credential.
#[cold]
pub(super) fn repeating(span: &Span, attempt: u32) {
    if span.is_disabled() {
        return;
    }
    tracing::debug!(parent: span, attempt, "repeating with a renewed credential after 401");
}

/// The call's outcome: status or error kind, attempts and time taken.
/// (Out of line, like the two above: what a span needs when it records
/// stays out of the request path's own code and stack frames.)
#[inline(never)]
pub(super) fn finished(
    span: &Span,
    outcome: Result<StatusCode, &Error<Infallible>>,
    attempts: u32,
    started: Instant,
) {
    if span.is_disabled() {
        return;
    }
    match outcome {
        Ok(status) => {
            span.record("http.response.status_code", status.as_u16());
            if status.is_client_error() || status.is_server_error() {
                span.record("error.type", status.as_str());
            }
        }
        Err(error) => {
            span.record("error.type", error_kind(error));
        }
    }
    if attempts > 0 {
        span.record("attempts", attempts);
    }
    span.record("elapsed_ms", started.elapsed().as_millis() as u64);
}

/// The kind of a failure, as a fixed name (the error's text may quote the
/// server).
fn error_kind(error: &Error<Infallible>) -> &'static str {
    match error {
        Error::InvalidRequest { .. } => "invalid_request",
        Error::Transport { .. } => "transport",
        Error::ResponseHead { .. } => "response_head",
        Error::Body { .. } => "body",
        Error::Timeout { .. } => "timeout",
        Error::Api { .. } => "api",
        Error::UnexpectedStatus { .. } => "unexpected_status",
        Error::Decode { .. } => "decode",
        Error::BodyTooLarge { .. } => "body_too_large",
        Error::Redirect { .. } => "redirect",
        Error::Hook { .. } => "hook",
        Error::Credential { .. } => "credential",
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use reqwest::Method;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::super::credentials::Credential;
    use super::super::{Config, HttpClient, RetryPolicy, Secret};
    use super::*;

    /// Everything a subscriber is given, as text: span names, fields,
    /// recorded values and event messages.
    #[derive(Clone, Default)]
    struct Capture {
        text: Arc<Mutex<String>>,
        next_id: Arc<AtomicU64>,
    }

    struct Writer<'a>(&'a mut String);

    impl Visit for Writer<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    impl Subscriber for Capture {
        /// Asked on every use, so that threads without this subscriber
        /// see their callsites disabled.
        fn register_callsite(
            &self,
            _: &'static Metadata<'static>,
        ) -> tracing::subscriber::Interest {
            tracing::subscriber::Interest::sometimes()
        }
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut text = self.text.lock().unwrap();
            let _ = write!(text, "\nspan {}:", span.metadata().name());
            span.record(&mut Writer(&mut text));
            Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            let mut text = self.text.lock().unwrap();
            text.push_str("\nrecord:");
            values.record(&mut Writer(&mut text));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut text = self.text.lock().unwrap();
            text.push_str("\nevent:");
            event.record(&mut Writer(&mut text));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    /// `capture` as this thread's subscriber, with the call span's
    /// callsite enabled for it. (A test on another thread may be
    /// registering that callsite, with no subscriber of its own, just as
    /// this one sets its subscriber: `tracing` may then cache the callsite
    /// as disabled for every thread. Rebuilding the cache once that
    /// registration is done mends it.)
    fn listen(capture: &Capture) -> tracing::subscriber::DefaultGuard {
        let guard = tracing::subscriber::set_default(capture.clone());
        let probe = PendingRequest::for_operation("probe", Method::GET, "/");
        let base = BaseUrl::new("http://127.0.0.1:1".into());
        for _ in 0..1000 {
            if !call_span(&probe, &base).is_disabled() {
                break;
            }
            tracing::callsite::rebuild_interest_cache();
            std::thread::sleep(Duration::from_millis(1));
        }
        capture.text.lock().unwrap().clear();
        guard
    }

    const SECRETS: [&str; 5] = [
        "tok-SECRET-B",
        "key-SECRET-H",
        "key-SECRET-Q",
        "pw-SECRET-P",
        "personal-42",
    ];

    /// A streamed call's span lasts until the stream ends, and records how
    /// many items it gave then (and only then).
    #[tokio::test]
    async fn a_stream_keeps_its_span_until_it_ends() {
        let capture = Capture::default();
        let _guard = listen(&capture);
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                b"data: a\n\ndata: b\n\ndata: c\n\n".to_vec(),
                "text/event-stream",
            ))
            .mount(&server)
            .await;
        let config = Config::default();
        let request = PendingRequest::for_operation("tail", Method::GET, "/logs");
        let response = request
            .send_streaming(&HttpClient::default(), &BaseUrl::new(server.uri()), &config)
            .await
            .unwrap_or_else(|_| panic!("a stream"));
        let mut stream = response
            .into_events(&config, super::super::stream_text)
            .into_inner();
        let mut items = 0;
        while let Some(item) = stream.next().await {
            item.unwrap_or_else(|e| panic!("{e}"));
            items += 1;
            let text = capture.text.lock().unwrap().clone();
            assert!(
                !text.contains("stream.items"),
                "recorded before the end: {text}"
            );
        }
        assert_eq!(items, 3);
        let text = capture.text.lock().unwrap().clone();
        assert!(text.contains("stream.items=3"), "{text}");
    }

    /// A call that sends a credential every way there is (bearer, API key
    /// header and query, basic password, a password in the body) and a
    /// personal id in its path, answered 503 then 200.
    #[tokio::test]
    async fn spans_have_the_fields_and_none_of_the_secrets() {
        let capture = Capture::default();
        let _guard = listen(&capture);
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;

        let mut request = PendingRequest::for_operation("update_item", Method::PUT, "/items/{id}");
        request.path_piece("/items/");
        request
            .path_param("id", &"personal-42", super::super::Style::Simple, false)
            .unwrap_or_else(|_| panic!());
        request
            .bearer_credential(&Credential::fixed(Secret::new("tok-SECRET-B")))
            .unwrap_or_else(|_| panic!());
        request
            .header_credential("x-api-key", &Credential::fixed(Secret::new("key-SECRET-H")))
            .unwrap_or_else(|_| panic!());
        request.secret_query("api_key", &Secret::new("key-SECRET-Q"));
        request
            .json_body(
                &serde_json::json!({"user": "ann", "password": "pw-SECRET-P"}),
                "application/json",
            )
            .unwrap_or_else(|_| panic!());
        request.remember_secret("pw-SECRET-P");
        let retry = RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let config = Config {
            retry,
            ..Config::default()
        };
        let response = request
            .send(&HttpClient::default(), &BaseUrl::new(server.uri()), &config)
            .await;
        assert!(response.is_ok_and(|r| r.status == StatusCode::OK));

        let text = capture.text.lock().unwrap().clone();
        for expected in [
            "span request:",
            "otel.name=\"update_item\"",
            "operation=\"update_item\"",
            "http.request.method=\"PUT\"",
            "url.template=\"/items/{id}\"",
            "server.address=\"127.0.0.1\"",
            "http.response.status_code=503",
            "delay_ms=",
            "http.response.status_code=200",
            "attempts=2",
            "elapsed_ms=",
        ] {
            assert!(text.contains(expected), "{expected} missing from:{text}");
        }
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} in the trace:{text}");
        }
    }

    /// A call that fails records its kind, and still no secret.
    #[tokio::test]
    async fn a_failed_call_records_its_error_kind() {
        let capture = Capture::default();
        let _guard = listen(&capture);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let mut request = PendingRequest::for_operation("get_item", Method::GET, "/items/{id}");
        request.secret_query("api_key", &Secret::new("key-SECRET-Q"));
        let config = Config {
            retry: RetryPolicy::disabled(),
            ..Config::default()
        };
        let result = request
            .send(
                &HttpClient::default(),
                &BaseUrl::new(format!("http://{address}")),
                &config,
            )
            .await;
        assert!(result.is_err());
        let text = capture.text.lock().unwrap().clone();
        assert!(text.contains("error.type=\"transport\""), "{text}");
        assert!(!text.contains("key-SECRET-Q"), "{text}");
    }

    /// With no subscriber the span is disabled, and the recording helpers
    /// return before they compute anything.
    #[test]
    fn without_a_subscriber_the_span_is_disabled() {
        let request = PendingRequest::for_operation("get_item", Method::GET, "/items/{id}");
        let span = call_span(&request, &BaseUrl::new("http://127.0.0.1:1".into()));
        assert!(span.is_disabled());
    }
}
