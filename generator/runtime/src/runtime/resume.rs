//! Resuming an event stream whose connection dropped: the request sent
//! again with `Last-Event-ID`, so the server goes on after the last event
//! the stream gave.
//!
//! Opt-in ([`Config::resume_event_streams`]), and only where repeating the
//! request is safe: a method the retry policy repeats (GET, or any method
//! under [`RetryPolicy::retry_non_idempotent`](super::RetryPolicy)), a
//! stream whose events carry ids, and a drop rather than an end (a broken
//! body or the idle timeout; a body the server ends is the stream's end).
//! Reconnections in a row are bounded by the retry policy: its count, its
//! backoff (or the server's `retry:` time) and its `max_elapsed` from the
//! drop; an event that arrives starts the count again. Each reconnection
//! is a call of its own (credentials asked again, hooks run, a span inside
//! the stream's), sent without retries of its own: the stream counts them.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderName, HeaderValue};
use tracing::Instrument;

use super::base_url::BaseUrl;
use super::request::PendingRequest;
use super::retry::{RetryPolicy, retryable_status};
use super::{Config, Error, HttpClient, RequestInfo, SentSecrets};

/// The `Last-Event-ID` request header.
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// What an event stream needs to send its request again.
pub(crate) struct Replay {
    /// The request as the operation built it, before any attempt.
    request: PendingRequest,
    http: HttpClient,
    base: BaseUrl,
    /// The call's settings, retries off (the stream counts reconnections).
    config: Config,
    /// The caller's retry policy, which bounds the reconnections.
    policy: RetryPolicy,
    /// Reconnections since the last event arrived, and when the first of
    /// them began.
    reconnects: u32,
    dropped_at: Option<Instant>,
}

/// A reconnected stream: its new body, and what later errors name (the
/// reconnection's request id and status; the secrets it and the requests
/// before it sent).
pub(crate) struct Reconnected {
    pub(crate) response: reqwest::Response,
    pub(crate) info: RequestInfo,
    pub(crate) status: reqwest::StatusCode,
}

impl Replay {
    /// What resuming `request` needs, if the caller asked for it and the
    /// request is an event stream's that is safe to repeat. Taken before
    /// the first attempt, so each reconnection is prepared afresh.
    pub(crate) fn of(
        request: &PendingRequest,
        http: &HttpClient,
        base: &BaseUrl,
        config: &Config,
    ) -> Option<Box<Replay>> {
        if !config.resume_event_streams || !request.accepts("text/event-stream") {
            return None;
        }
        // The policy says whether the method may be repeated at all.
        config
            .retry
            .reconnect_delay(request.method(), 0, None, Duration::ZERO)?;
        Some(Box::new(Replay {
            request: request.clone(),
            http: http.clone(),
            base: base.clone(),
            config: Config {
                retry: RetryPolicy::disabled(),
                resume_event_streams: false,
                ..config.clone()
            },
            policy: config.retry.clone(),
            reconnects: 0,
            dropped_at: None,
        }))
    }

    /// An event arrived: the next drop may reconnect as often again.
    pub(crate) fn event_arrived(&mut self) {
        self.reconnects = 0;
        self.dropped_at = None;
    }

    /// Sends the request again after the stream dropped, waiting first as
    /// the policy (or the server's `retry`) says. `Ok(None)`: the stream
    /// may not reconnect (again), and ends with the error that dropped it;
    /// `Err`: the last reconnection failed, and the stream ends with why.
    pub(crate) async fn reconnect(
        &mut self,
        last_event_id: &str,
        server_retry: Option<Duration>,
        sent: &SentSecrets,
        span: &tracing::Span,
    ) -> Result<Option<Reconnected>, Error> {
        // An id that cannot be a header value cannot be resumed from.
        let Ok(id) = HeaderValue::from_str(last_event_id) else {
            return Ok(None);
        };
        let dropped_at = *self.dropped_at.get_or_insert_with(Instant::now);
        let mut last_error = None;
        loop {
            let elapsed = dropped_at.elapsed();
            let Some(delay) = self.policy.reconnect_delay(
                self.request.method(),
                self.reconnects,
                server_retry,
                elapsed,
            ) else {
                return last_error.map_or(Ok(None), Err);
            };
            self.reconnects += 1;
            super::trace::reconnecting(span, self.reconnects, delay);
            tokio::time::sleep(delay).await;
            let mut request = self.request.clone();
            // What the stream sent before stays blank in what this one shows.
            request.remember_sent(sent);
            request.set_header(LAST_EVENT_ID, id.clone());
            let sent = request
                .send_streaming(&self.http, &self.base, &self.config)
                .instrument(span.clone())
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(failure) => {
                    last_error = Some(*failure.0);
                    continue;
                }
            };
            let status = response.status();
            if status.is_success() {
                let (response, info) = response.into_body();
                return Ok(Some(Reconnected {
                    response,
                    info,
                    status,
                }));
            }
            let error = match response.buffer(&self.config).await {
                Ok(answered) => answered.unexpected(),
                Err(failure) => *failure.0,
            };
            // An answer that will not change ends the stream at once.
            if !retryable_status(status) {
                return Err(error);
            }
            last_error = Some(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BaseUrl, Secret};
    use super::*;
    use reqwest::Method;
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// What a resuming stream of `path` would replay, reconnecting at once.
    fn replay_of(path: &'static str) -> Box<Replay> {
        let mut request = PendingRequest::for_operation("tail", Method::GET, path);
        request.accept("text/event-stream");
        let config = Config {
            resume_event_streams: true,
            retry: RetryPolicy {
                max_retries: 1,
                initial_backoff: Duration::from_millis(1),
                ..RetryPolicy::default()
            },
            ..Config::default()
        };
        let (http, base) = (HttpClient::default(), BaseUrl::new(String::new()));
        Replay::of(&request, &http, &base, &config).unwrap_or_else(|| panic!("resumable"))
    }

    /// A server may echo what the stream's first request sent (a token a
    /// provider has since replaced) on the reconnection, in its request id
    /// or in an error body: neither shows it.
    #[tokio::test]
    async fn a_reconnection_blanks_what_the_stream_sent_before() {
        let server = MockServer::start().await;
        Mock::given(path("/logs"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-request-id", "req-tok-FIRST-S")
                    .set_body_raw(b"data: a\n\n".to_vec(), "text/event-stream"),
            )
            .mount(&server)
            .await;
        Mock::given(path("/gone"))
            .respond_with(ResponseTemplate::new(404).set_body_string("no stream for tok-FIRST-S"))
            .mount(&server)
            .await;
        let sent: SentSecrets = [Secret::new("tok-FIRST-S")].into_iter().collect();
        let span = tracing::Span::none();

        let mut replay = replay_of("/logs");
        replay.base = BaseUrl::new(server.uri());
        let reconnected = replay.reconnect("7", None, &sent, &span).await;
        let Ok(Some(reconnected)) = reconnected else {
            panic!("a reconnection")
        };
        let id = reconnected.info.request_id.clone().unwrap_or_default();
        assert!(id.starts_with("req-") && !id.contains("FIRST"), "{id}");

        let mut replay = replay_of("/gone");
        replay.base = BaseUrl::new(server.uri());
        let Err(error) = replay.reconnect("7", None, &sent, &span).await else {
            panic!("a refused reconnection")
        };
        let shown = format!("{error} {error:?}");
        assert!(shown.contains("404") && !shown.contains("FIRST"), "{shown}");
    }
}
