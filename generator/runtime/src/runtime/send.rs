//! Sending a built request: the URL and headers checked once
//! (`prepare.rs`), then each attempt within its timeout, redirects walked
//! by the runtime (never by `reqwest`), and retries as the policy allows
//! (`response.rs` reads what comes back; `exchange.rs` is one attempt on
//! the wire).

use std::pin::Pin;
use std::time::Instant;

use bytes::Bytes;

use reqwest::header::HeaderMap;

use tracing::{Instrument, Span};

use super::attempt::{AttemptError, Reach};
use super::authorize::Asking;
use super::base_url::BaseUrl;
use super::prepare::Prepared;
use super::request::PendingRequest;
use super::response::{Answer, RawResponse, ReadError, StreamingResponse, read_pieces};
use super::resume::Replay;
use super::retry::Outcome;
use super::trace;
use super::{Config, Delivery, Error, Failure, HttpClient};

impl PendingRequest {
    /// Sends the request, retrying as `config.retry` allows, and reads the
    /// whole response body, up to the configured limit. An attempt includes
    /// reading the body, so its timeout covers it and a body cut off
    /// half-way is retried like any other failure.
    ///
    /// (An `async` block rather than an `async fn`: the future then holds
    /// the request once, where an `async fn` keeps the argument apart from
    /// its `mut` binding, 360 bytes more to move on every call.)
    #[allow(clippy::manual_async_fn)]
    pub fn send(
        mut self,
        http: &HttpClient,
        base: &BaseUrl,
        config: &Config,
    ) -> impl Future<Output = Result<RawResponse, Failure>> {
        async move {
            let span = trace::call_span(&self, base);
            let prepared = self.prepare_traced(http, base, config, &span)?;
            let (request, prepared) = (&self, &prepared);
            let answer = {
                let attempts = std::pin::pin!(self.with_retries(prepared, &span, |attempt| {
                    request.reading_attempt(prepared, attempt)
                }));
                in_span(&span, attempts).await
            }?;
            let provided = prepared.provided_secrets();
            let Answer {
                status,
                headers,
                refused,
                body,
                ..
            } = answer;
            Ok(RawResponse {
                request: self.into_described(&provided),
                status,
                headers,
                refused,
                body,
            })
        }
    }

    /// Like [`Self::send`], but the response body is left unread, for a
    /// caller that streams it. The timeout covers the response head only:
    /// a long download is not cut off.
    #[allow(clippy::manual_async_fn)] // as `send`
    pub fn send_streaming(
        mut self,
        http: &HttpClient,
        base: &BaseUrl,
        config: &Config,
    ) -> impl Future<Output = Result<StreamingResponse, Failure>> {
        async move {
            let span = trace::call_span(&self, base);
            let replay = Replay::of(&self, http, base, config);
            let prepared = self.prepare_traced(http, base, config, &span)?;
            let (request, prepared) = (&self, &prepared);
            let answer = {
                let attempts = std::pin::pin!(self.with_retries(prepared, &span, |attempt| {
                    request.head_attempt(prepared, attempt)
                }));
                in_span(&span, attempts).await
            }?;
            let provided = prepared.provided_secrets();
            // The span goes on with the body: a stream keeps it open.
            Ok(StreamingResponse {
                request: self.into_described(&provided),
                answer,
                span,
                replay,
            })
        }
    }

    /// One attempt, the whole body read (refusing more than the
    /// configured limit), as a boxed future. Attempts are boxed so that the
    /// futures of the calls above them stay small (a call then moves and
    /// touches less memory), and boxed out of line so that the future is
    /// built in this function's stack frame, not in the retry loop's. The
    /// answer is taken apart and its body read here, in one block rather
    /// than through helpers, each of which would keep its own copy of what
    /// it is given: the future stays under 1 KiB, a size the allocator's
    /// per-thread cache serves.
    #[inline(never)]
    fn reading_attempt<'a>(
        &'a self,
        prepared: &'a Prepared<'a>,
        attempt: u32,
    ) -> Pin<Box<impl Future<Output = Result<Answer<Bytes>, AttemptError>> + 'a>> {
        Box::pin(async move {
            let Answer {
                status,
                headers,
                refused,
                body: response,
                deadline,
                first_hop,
            } = self.attempt_head(prepared, attempt).await?;
            let limit = prepared.config.max_body_bytes;
            // A declared length is checked first and then trusted (the HTTP
            // layer reads no more than it says): the body arrives without a
            // copy. One without is read piece by piece, up to the limit.
            let read = match response.content_length() {
                Some(length) if length > limit as u64 => Err(ReadError::TooLarge { limit }),
                Some(_) => response.bytes().await.map_err(ReadError::Transport),
                None => read_pieces(response, limit).await,
            };
            let body = read.map_err(|e| self.unread(e, status, &headers, prepared))?;
            Ok(Answer {
                status,
                headers,
                refused,
                body,
                deadline,
                first_hop,
            })
        })
    }

    /// A body that could not be read, as the attempt's error.
    #[cold]
    fn unread(
        &self,
        error: ReadError,
        status: reqwest::StatusCode,
        headers: &HeaderMap,
        prepared: &Prepared<'_>,
    ) -> AttemptError {
        // The secrets this attempt sent: the request's own and, not yet
        // among them, what its providers gave.
        let mut sent = self.secrets().clone();
        if let Some(asking) = &prepared.asking {
            sent.join(&asking.sent_so_far());
        }
        error.describe(
            self.info()
                .with_request_id(headers, &sent)
                .with_delivery(Delivery::Answered),
            status,
        )
    }

    /// One attempt up to the response's head, boxed like
    /// [`Self::reading_attempt`].
    #[inline(never)]
    fn head_attempt<'a>(
        &'a self,
        prepared: &'a Prepared<'a>,
        attempt: u32,
    ) -> Pin<Box<impl Future<Output = Result<Answer<reqwest::Response>, AttemptError>> + 'a>> {
        Box::pin(self.attempt_head(prepared, attempt))
    }

    /// [`Self::prepare`], its failure recorded in the call's span.
    fn prepare_traced<'a>(
        &mut self,
        http: &'a HttpClient,
        base: &'a BaseUrl,
        config: &'a Config,
        span: &Span,
    ) -> Result<Prepared<'a>, Failure> {
        self.prepare(http, base, config)
            .inspect_err(|failure| trace::finished(span, Err(&failure.0), 0, Instant::now()))
    }

    /// Attempts until one stands, each within the attempt's timeout and
    /// what is left of the whole call's. `attempt` is given the attempt's
    /// number, from 1. Provided credentials are asked for before each
    /// attempt; a `401` to one is repeated once, at once, when its provider
    /// renewed it and the `401` answered the request as sent (then the
    /// server refused it before acting on it, so this holds for any
    /// method; after a redirect it may have acted already, or the `401`
    /// came from another origin, and it is the answer).
    async fn with_retries<B, A>(
        &self,
        prepared: &Prepared<'_>,
        span: &Span,
        attempt: impl Fn(u32) -> A,
    ) -> Result<Answer<B>, Failure>
    where
        A: std::future::Future<Output = Result<Answer<B>, AttemptError>>,
    {
        let config = prepared.config;
        let started = Instant::now();
        // Retries the policy granted, and attempts sent (the repeat after
        // a renewed credential is one, but not a retry).
        let (mut retry, mut attempts) = (0, 0);
        let mut renewed = false;
        // The furthest any attempt got (see `Error::delivery`).
        let mut reached = Delivery::NotSent;
        loop {
            if let Some(asking) = &prepared.asking {
                if let Err(failure) = self.asking_in_time(asking, prepared, started).await {
                    let failure = failure.delivered(reached);
                    trace::finished(span, Err(&failure.0), attempts, started);
                    return Err(failure);
                }
            }
            attempts += 1;
            // The attempt (boxed by `attempt`) is awaited here, not in a
            // helper of its own: one future less to build and move.
            let result = match attempt_deadline(config, started) {
                Some((deadline, after)) => {
                    match tokio::time::timeout_at(deadline, attempt(attempts)).await {
                        Ok(result) => result.map(|answer| Answer {
                            deadline: Some((deadline, after)),
                            ..answer
                        }),
                        Err(_) => Err(self.timed_out(after)),
                    }
                }
                None => attempt(attempts).await,
            };
            reached = reached.max(match &result {
                Ok(_) => Delivery::Answered,
                Err(e) => e.failure.delivery(),
            });
            if let (Some(asking), Ok(answer), false) = (&prepared.asking, &result, renewed) {
                if answer.status == reqwest::StatusCode::UNAUTHORIZED && answer.first_hop {
                    renewed = true;
                    match self.renewing_in_time(asking, config, started).await {
                        Ok(true) => {
                            trace::repeating(span, attempts);
                            continue;
                        }
                        Ok(false) => {}
                        Err(failure) => {
                            let failure = failure.delivered(reached);
                            trace::finished(span, Err(&failure.0), attempts, started);
                            return Err(failure);
                        }
                    }
                }
            }
            let outcome = match &result {
                Ok(answer) => Some(Outcome::Answered(answer.status, &answer.headers)),
                Err(e) if e.reach == Reach::NotSent => Some(Outcome::NotSent),
                Err(e) if e.reach == Reach::MaybeSent => Some(Outcome::Failed),
                Err(_) => None,
            };
            let outcome = outcome.filter(|outcome| !outcome.stands());
            let delay = outcome.and_then(|outcome| {
                config
                    .retry
                    .delay(self.method(), outcome, retry, started.elapsed())
            });
            // No retry that would start after the whole call's deadline.
            let delay = delay.filter(|delay| match config.total_timeout {
                Some(total) => started
                    .elapsed()
                    .checked_add(*delay)
                    .is_some_and(|at| at < total),
                None => true,
            });
            match delay {
                Some(delay) => {
                    trace::retrying(
                        span,
                        attempts,
                        result.as_ref().ok().map(|answer| answer.status),
                        delay,
                    );
                    drop(result);
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
                None => {
                    let result = result.map_err(|e| e.failure.delivered(reached));
                    let outcome = result
                        .as_ref()
                        .map(|answer| answer.status)
                        .map_err(|failure| &*failure.0);
                    trace::finished(span, outcome, attempts, started);
                    return result;
                }
            }
        }
    }

    /// An attempt that ran out of time.
    #[cold]
    fn timed_out(&self, after: std::time::Duration) -> AttemptError {
        AttemptError {
            failure: Failure::new(Error::Timeout {
                request: self.info(),
                after,
            }),
            reach: Reach::MaybeSent,
        }
    }

    /// Credentials asked of their providers, within what is left of the
    /// whole call's time; boxed out of line like an attempt, and as a
    /// `dyn` future, so that its polling is not inlined into the retry
    /// loop's (a call without providers never runs it).
    #[inline(never)]
    fn asking_in_time<'a>(
        &'a self,
        asking: &'a Asking,
        prepared: &'a Prepared<'a>,
        started: Instant,
    ) -> Pin<Box<dyn Future<Output = Result<(), Failure>> + Send + 'a>> {
        Box::pin(self.within_total(
            prepared.config,
            started,
            asking.ask(self, &prepared.headers),
        ))
    }

    /// A credential renewed after a `401`, like [`Self::asking_in_time`].
    #[inline(never)]
    fn renewing_in_time<'a>(
        &'a self,
        asking: &'a Asking,
        config: &'a Config,
        started: Instant,
    ) -> Pin<Box<dyn Future<Output = Result<bool, Failure>> + Send + 'a>> {
        Box::pin(self.within_total(config, started, asking.renew(self)))
    }

    /// Work outside an attempt (asking a credential provider) within what
    /// is left of the whole call's time.
    async fn within_total<T>(
        &self,
        config: &Config,
        started: Instant,
        work: impl std::future::Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        let Some(total) = config.total_timeout else {
            return work.await;
        };
        let Some(deadline) =
            tokio::time::Instant::now().checked_add(total.saturating_sub(started.elapsed()))
        else {
            return work.await;
        };
        match tokio::time::timeout_at(deadline, work).await {
            Ok(result) => result,
            Err(_) => Err(Failure::new(Error::Timeout {
                request: self.info(),
                after: total,
            })),
        }
    }
}

/// `work` inside the call's span, wrapped only when a subscriber listens
/// (the wrapper enters and leaves the span at every poll). `work` is pinned
/// by the caller, so it is not moved into the wrapper.
async fn in_span<T>(span: &Span, work: Pin<&mut impl Future<Output = T>>) -> T {
    match span.is_disabled() {
        true => work.await,
        false => work.instrument(span.clone()).await,
    }
}

/// When an attempt starting now must end, and the limit to report then: the
/// attempt's timeout or what is left of the whole call's, whichever ends
/// first (`None`: no limit). An answer keeps its deadline, for reading a
/// body later in the same attempt.
fn attempt_deadline(
    config: &Config,
    started: Instant,
) -> Option<(tokio::time::Instant, std::time::Duration)> {
    let remaining = config
        .total_timeout
        .map(|total| total.saturating_sub(started.elapsed()));
    let (limit, after) = match (config.timeout, remaining, config.total_timeout) {
        (Some(attempt), Some(remaining), Some(total)) if remaining < attempt => (remaining, total),
        (Some(attempt), _, _) => (attempt, attempt),
        (None, Some(remaining), Some(total)) => (remaining, total),
        _ => return None,
    };
    Some((tokio::time::Instant::now().checked_add(limit)?, after))
}

#[cfg(test)]
mod tests {
    use super::super::Secret;
    use super::*;
    use reqwest::Method;

    /// A body without a declared length (chunked) is read piece by piece:
    /// whole when it is within the limit, refused once it passes it.
    #[tokio::test]
    async fn a_chunked_body_is_read_up_to_the_limit() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = BaseUrl::new(format!("http://{}", listener.local_addr().unwrap()));
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let chunk = "x".repeat(600);
                    let body = format!("258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n");
                    let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
                    let _ = socket.write_all(format!("{head}{body}").as_bytes()).await;
                });
            }
        });
        let http = HttpClient::default();
        let config = |limit| Config {
            max_body_bytes: limit,
            retry: super::super::RetryPolicy::disabled(),
            ..Config::default()
        };
        let whole = PendingRequest::new(Method::GET, "/files/a")
            .send(&http, &base, &config(1200))
            .await
            .unwrap_or_else(|_| panic!("within the limit"));
        assert_eq!(whole.body.len(), 1200);
        let refused = PendingRequest::new(Method::GET, "/files/a")
            .send(&http, &base, &config(1000))
            .await;
        assert!(
            matches!(&refused, Err(Failure(e)) if matches!(**e, Error::BodyTooLarge { limit: 1000, .. })),
            "a 1,200-byte chunked body passed a limit of 1,000"
        );
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
        let base = BaseUrl::new(
            stalling_server(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 100\r\n\r\nx",
                Duration::ZERO,
            )
            .await,
        );
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
        assert!(
            outcome.is_ok(),
            "total_timeout of 500 ms ignored: still reading the error body after {:?}",
            started.elapsed()
        );
    }

    /// Same path, per-attempt timeout: the error body shares the attempt's
    /// timeout with the head, it does not get a fresh one.
    #[tokio::test]
    async fn download_error_body_shares_the_attempt_timeout() {
        use std::time::Duration;
        let base = BaseUrl::new(
            stalling_server(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 100\r\n\r\nx",
                Duration::from_millis(500),
            )
            .await,
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
        assert!(
            matches!(&outcome, Ok(Err(Failure(e))) if matches!(**e, Error::Timeout { .. })),
            "expected a timeout"
        );
        assert!(
            elapsed < Duration::from_millis(1000),
            "a 700 ms attempt timeout ended only after {elapsed:?}"
        );
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
                    .respond_with(
                        ResponseTemplate::new(status).insert_header("location", "/files/a/"),
                    )
                    .mount(&server)
                    .await;
                Mock::given(any())
                    .respond_with(ResponseTemplate::new(204))
                    .mount(&server)
                    .await;
                let config = Config {
                    retry: super::super::RetryPolicy::disabled(),
                    ..Config::default()
                };
                let mut request = PendingRequest::new(method.clone(), "/files/a");
                request
                    .raw_body(b"IMPORTANT CONTENTS".to_vec(), "application/octet-stream")
                    .unwrap_or_else(|_| panic!());
                let _ = request
                    .send(&HttpClient::default(), &BaseUrl::new(server.uri()), &config)
                    .await;
                let requests = server.received_requests().await.unwrap();
                assert_eq!(requests.len(), 2, "{status} {method}");
                let second = &requests[1];
                let resent_whole = second.method.as_str() == method.as_str()
                    && second.body == b"IMPORTANT CONTENTS";
                let became_get = second.method.as_str() == "GET"
                    && second.body.is_empty()
                    && second.headers.get("content-type").is_none();
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
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_bytes(b"file".to_vec()))
            .mount(&server)
            .await;
        let mut request = PendingRequest::new(Method::GET, "/files/a");
        request.secret_query("api_key", &Secret::new("key-SECRET-Q"));
        let response = request
            .send_streaming(
                &HttpClient::default(),
                &BaseUrl::new(server.uri()),
                &Config::default(),
            )
            .await
            .unwrap_or_else(|_| panic!());
        let inner = response.into_stream().into_inner().into_inner();
        let text = format!("{inner:?}");
        assert!(!text.contains("key-SECRET-Q"), "{text}");
    }
}
