//! The session and the client against servers and networks that misbehave
//! (hand-written): a refresh redirected to another origin, a network that
//! is down for a moment, hooks and `on_rotate` that fail or panic once,
//! tokens echoed in a request id, heads and bodies of hostile sizes.
//!
//! Each test starts its servers on loopback; the refresh server counts
//! what it receives, so that "sent once" and "never sent" are measured.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use almanac_client::extra::{Session, SessionBuildError, SessionError, TokenPair};
use almanac_client::types::HostedLoginRefresh;
use almanac_client::{
    AttemptRequest, Client, Delivery, Error, Hook, HookError, RedirectPolicy, RedirectRefusal,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod support;
use support::REFRESH_PATH;

const REFRESH: &str = "refresh-SECRET-login";

/// The tokens a well-behaved server issues.
fn pair_body(tag: &str) -> serde_json::Value {
    json!({"access_token": format!("access-{tag}"), "refresh_token": format!("refresh-{tag}")})
}

/// A server answering each refresh with a new pair.
async fn issuing(tag: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(pair_body(tag)))
        .mount(&server)
        .await;
    server
}

async fn received(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// The pairs `on_rotate` was offered.
#[derive(Clone, Default)]
struct Stored(Arc<Mutex<Vec<String>>>);

impl Stored {
    fn access_tokens(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn store(
        &self,
    ) -> impl Fn(&TokenPair) -> Result<(), almanac_client::extra::RotationError> + use<> {
        let stored = self.clone();
        move |pair| {
            stored
                .0
                .lock()
                .unwrap()
                .push(pair.access_token.expose().to_owned());
            Ok(())
        }
    }
}

// 1. A redirected refresh: no token pair from another origin, no second
//    sending of the refresh token.

#[tokio::test]
async fn a_redirected_refresh_adopts_nothing_and_ends_the_session() {
    for status in [301u16, 302, 303, 307, 308] {
        let thief = issuing("FOREIGN").await;
        let api = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("location", format!("{}/steal", thief.uri())),
            )
            .mount(&api)
            .await;
        let stored = Stored::default();
        let session = Session::builder(Client::with_base_url(api.uri()), REFRESH)
            .on_rotate(stored.store())
            .build()
            .unwrap();

        let error = session.access_token().await.unwrap_err();

        assert!(
            matches!(error, SessionError::Redirected { status: s } if s == status),
            "{status}: {error:?}"
        );
        assert!(error.needs_login(), "{status}");
        assert_eq!(
            received(&thief).await,
            0,
            "{status}: the other origin was asked"
        );
        assert!(
            stored.access_tokens().is_empty(),
            "{status}: a foreign pair was stored"
        );
        assert_eq!(received(&api).await, 1, "{status}");
        // The session is over; nothing more is sent.
        assert!(session.access_token().await.is_err());
        assert_eq!(received(&api).await, 1, "{status}");
    }
}

#[tokio::test]
async fn a_same_origin_redirect_does_not_send_the_refresh_token_again() {
    for status in [307u16, 308] {
        let api = MockServer::start().await;
        Mock::given(path(REFRESH_PATH))
            .respond_with(ResponseTemplate::new(status).insert_header("location", "/v1/again"))
            .mount(&api)
            .await;
        Mock::given(path("/v1/again"))
            .respond_with(ResponseTemplate::new(200).set_body_json(pair_body("AGAIN")))
            .mount(&api)
            .await;
        let session = Session::builder(Client::with_base_url(api.uri()), REFRESH)
            .build()
            .unwrap();

        let error = session.access_token().await.unwrap_err();

        assert!(
            matches!(error, SessionError::Redirected { .. }),
            "{error:?}"
        );
        let requests = api.received_requests().await.unwrap();
        assert_eq!(
            requests.len(),
            1,
            "{status}: the refresh token went out twice"
        );
        assert_eq!(requests[0].url.path(), REFRESH_PATH);
    }
}

/// The plain client: a POST redirected to another origin is refused even
/// when the redirect makes it a GET with nothing to carry; the caller's
/// opt-in still follows it.
#[tokio::test]
async fn a_post_redirected_to_another_origin_is_not_answered_from_there() {
    let other = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(pair_body("OTHER")))
        .mount(&other)
        .await;
    let api = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(303).insert_header("location", format!("{}/page", other.uri())),
        )
        .mount(&api)
        .await;
    let body = HostedLoginRefresh {
        refresh_token: "plain".into(),
        organization_id: almanac_client::Nullable::Absent,
    };

    let error = Client::with_base_url(api.uri())
        .refresh_token(&body)
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::Redirect {
                refused: RedirectRefusal::CrossOrigin,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(received(&other).await, 0);

    let open = RedirectPolicy {
        follow_cross_origin: true,
        ..RedirectPolicy::default()
    };
    let answer = Client::with_base_url(api.uri())
        .with_redirect_policy(open)
        .refresh_token(&body)
        .await
        .unwrap();
    assert_eq!(answer.access_token, "access-OTHER");
    assert_eq!(received(&other).await, 1);
}

// 2. A refresh that never left the client keeps the refresh token.

/// An address where nothing listens (yet).
fn free_address() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test]
async fn a_refresh_refused_by_the_network_keeps_the_session() {
    let address = free_address();
    let session = Session::builder(Client::with_base_url(format!("http://{address}")), REFRESH)
        .build()
        .unwrap();

    let error = session.access_token().await.unwrap_err();

    assert!(matches!(error, SessionError::NotSent { .. }), "{error:?}");
    assert!(!error.needs_login(), "{error}");
    assert!(!error.to_string().contains("SECRET"), "{error}");

    // The network is back: the same session refreshes once, and succeeds.
    let listener = std::net::TcpListener::bind(address).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(pair_body("BACK")))
        .mount(&server)
        .await;
    let token = session.access_token().await.unwrap();
    assert_eq!(token.expose(), "access-BACK");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let sent: HostedLoginRefresh = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(sent.refresh_token, REFRESH);
}

/// A hook that fails (or panics) on its first call only.
struct FailsOnce {
    calls: AtomicUsize,
    panics: bool,
}

impl Hook for FailsOnce {
    fn on_request(&self, _: &mut AttemptRequest<'_>) -> Result<(), HookError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) > 0 {
            return Ok(());
        }
        if self.panics {
            panic!("hook failed on purpose");
        }
        Err("signing key not loaded yet".into())
    }
}

#[tokio::test]
async fn a_refresh_stopped_by_a_hook_keeps_the_session() {
    for panics in [false, true] {
        let server = issuing("HOOKED").await;
        let hook = FailsOnce {
            calls: AtomicUsize::new(0),
            panics,
        };
        let client = Client::with_base_url(server.uri()).with_hook(hook);
        let session = Session::builder(client, REFRESH).build().unwrap();

        let error = session.access_token().await.unwrap_err();

        assert!(
            matches!(&error, SessionError::NotSent { message } if message.contains("hook")),
            "panics {panics}: {error:?}"
        );
        assert_eq!(received(&server).await, 0);
        let token = session.access_token().await.unwrap();
        assert_eq!(token.expose(), "access-HOOKED");
        assert_eq!(received(&server).await, 1, "panics {panics}");
    }
}

/// What the client itself says about delivery, for the cases the session
/// relies on, and for an answer.
#[tokio::test]
async fn errors_tell_unsent_requests_from_sent_ones() {
    let body = support::refresh_body();
    let refused = Client::with_base_url(format!("http://{}", free_address()))
        .refresh_token(&body)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Transport { .. }), "{refused:?}");
    assert_eq!(refused.delivery(), Delivery::NotSent);

    // A client of the caller's cannot prove it: it may have followed a
    // redirect first.
    let theirs = Client::with_base_url(format!("http://{}", free_address()))
        .with_http_client(reqwest::Client::new())
        .refresh_token(&body)
        .await
        .unwrap_err();
    assert_eq!(theirs.delivery(), Delivery::MaybeSent);

    let answered = support::answering(ResponseTemplate::new(500)).await;
    let error = Client::with_base_url(answered.uri())
        .with_retry_policy(almanac_client::RetryPolicy::disabled())
        .refresh_token(&body)
        .await
        .unwrap_err();
    assert_eq!(error.delivery(), Delivery::Answered);

    // A timeout after the request went out may have reached the server.
    let slow =
        support::answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(5))).await;
    let error = Client::with_base_url(slow.uri())
        .with_retry_policy(almanac_client::RetryPolicy::disabled())
        .with_timeout(Duration::from_millis(200))
        .refresh_token(&body)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(error.delivery(), Delivery::MaybeSent);
}

/// After an ambiguous failure the session stays rotation-safe: it ends,
/// and the refresh token is not sent again.
#[tokio::test]
async fn a_refresh_that_timed_out_after_sending_ends_the_session() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(pair_body("LATE"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = Client::with_base_url(server.uri()).with_timeout(Duration::from_millis(200));
    let session = Session::builder(client, REFRESH).build().unwrap();

    let error = session.access_token().await.unwrap_err();
    assert!(
        matches!(error, SessionError::RefreshFailed { .. }),
        "{error:?}"
    );
    assert!(error.needs_login());
    assert!(session.access_token().await.is_err());
    assert_eq!(received(&server).await, 1);
}

// 3. `on_rotate` panicking keeps the pair for the next call.

#[tokio::test]
async fn a_panicking_on_rotate_keeps_the_new_pair() {
    let server = issuing("KEPT").await;
    let offers = Arc::new(AtomicUsize::new(0));
    let session = Session::builder(Client::with_base_url(server.uri()), REFRESH)
        .on_rotate({
            let offers = offers.clone();
            move |pair| {
                assert_eq!(pair.access_token.expose(), "access-KEPT");
                if offers.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("disk full");
                }
                Ok(())
            }
        })
        .build()
        .unwrap();

    let error = session.access_token().await.unwrap_err();
    assert!(
        matches!(error, SessionError::NotStored { .. }) && !error.needs_login(),
        "{error:?}"
    );
    let token = session.access_token().await.unwrap();
    assert_eq!(token.expose(), "access-KEPT");
    assert_eq!(offers.load(Ordering::SeqCst), 2);
    assert_eq!(received(&server).await, 1, "a second refresh was sent");
}

// 4. Secrets echoed in a request id.

#[tokio::test]
async fn a_request_id_never_shows_a_secret() {
    for header in ["x-request-id", "request-id"] {
        // The session's refresh: the refresh token echoed.
        let server = support::answering(
            ResponseTemplate::new(500).insert_header(header, format!("id-{REFRESH}-end")),
        )
        .await;
        let session = Session::builder(Client::with_base_url(server.uri()), REFRESH)
            .refresh_bearer(support::BEARER)
            .build()
            .unwrap();
        let error = session.access_token().await.unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(text.contains("id-***-end"), "{text}");
        assert!(!text.contains("SECRET"), "{text}");

        // Any call: the bearer echoed, in a 500 and in a body cut short.
        let server =
            support::answering(ResponseTemplate::new(500).insert_header(header, support::BEARER))
                .await;
        let error = Client::with_base_url(server.uri())
            .with_bearer_token(support::BEARER)
            .with_retry_policy(almanac_client::RetryPolicy::disabled())
            .refresh_token(&support::refresh_body())
            .await
            .unwrap_err();
        for text in support::texts(&error) {
            assert!(!text.contains("SECRET"), "{text}");
        }
    }
}

/// A server writing `response` to every connection, then closing it.
async fn raw_server(response: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let response = Arc::new(response);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_body_cut_short_does_not_show_a_provided_secret_in_its_request_id() {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\nx-request-id: {}\r\n\r\n{{\"access",
        support::BEARER
    );
    let base = raw_server(head.into_bytes()).await;
    let session_like = StaticToken(support::BEARER);
    let error = Client::with_base_url(base)
        .with_bearer_token_provider(session_like)
        .with_retry_policy(almanac_client::RetryPolicy::disabled())
        .refresh_token(&support::refresh_body())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Body { .. }), "{error:?}");
    for text in support::texts(&error) {
        assert!(!text.contains("SECRET"), "{text}");
    }
}

/// A provider that always gives the same token.
struct StaticToken(&'static str);

impl almanac_client::CredentialProvider for StaticToken {
    fn credential(&self) -> almanac_client::CredentialFuture<'_, almanac_client::Secret> {
        Box::pin(async move { Ok(almanac_client::Secret::new(self.0)) })
    }
}

// Rough edges: bounded `Debug`, a head too large, a caller's client.

#[tokio::test]
async fn debug_of_a_huge_validation_error_is_bounded() {
    let item = json!({"loc": ["body", "refresh_token"], "msg": "x".repeat(100), "type": "value_error", "input": "y"});
    let detail: Vec<_> = (0..50_000).map(|_| item.clone()).collect();
    let body = serde_json::to_vec(&json!({ "detail": detail })).unwrap();
    assert!(body.len() > 8 * 1024 * 1024);
    let server =
        support::answering(ResponseTemplate::new(422).set_body_raw(body, "application/json")).await;
    let error = Client::with_base_url(server.uri())
        .refresh_token(&support::refresh_body())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    let [display, debug, pretty] = support::texts(&error);
    for text in [&display, &debug, &pretty] {
        assert!(text.len() < 16 * 1024, "{} bytes", text.len());
    }
    assert!(
        debug.contains("value_error") && debug.ends_with("..., .. }"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_response_head_too_large_is_its_own_error() {
    let huge = format!(
        "HTTP/1.1 200 OK\r\nx-padding: {}\r\ncontent-length: 0\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let many: String = (0..2_000).map(|i| format!("x-h{i}: v\r\n")).collect();
    let many = format!("HTTP/1.1 200 OK\r\n{many}content-length: 0\r\n\r\n");
    for response in [huge, many] {
        let base = raw_server(response.into_bytes()).await;
        let error = Client::with_base_url(base)
            .with_retry_policy(almanac_client::RetryPolicy::disabled())
            .refresh_token(&support::refresh_body())
            .await
            .unwrap_err();
        assert!(matches!(error, Error::ResponseHead { .. }), "{error:?}");
        assert_eq!(error.delivery(), Delivery::Answered);
        assert!(error.to_string().contains("response head"), "{error}");
    }
}

#[tokio::test]
async fn a_session_refuses_a_client_that_may_follow_redirects_itself() {
    let api = MockServer::start().await;
    let thief = issuing("FOREIGN").await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/steal", thief.uri())),
        )
        .mount(&api)
        .await;

    let theirs = Client::with_base_url(api.uri()).with_http_client(reqwest::Client::new());
    assert!(!theirs.redirects_are_checked());
    let refused = Session::builder(theirs, REFRESH).build().unwrap_err();
    assert!(matches!(refused, SessionBuildError::UncheckedRedirects));
    assert!(
        refused.to_string().contains("with_http_client_builder"),
        "{refused}"
    );

    // The same settings as a builder: reqwest's redirects are off, the
    // runtime's rules hold.
    let built = Client::with_base_url(api.uri()).with_http_client_builder(
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10)),
    );
    assert!(built.redirects_are_checked());
    let session = Session::builder(built, REFRESH).build().unwrap();
    let error = session.access_token().await.unwrap_err();
    assert!(
        matches!(error, SessionError::Redirected { status: 307 }),
        "{error:?}"
    );
    assert_eq!(received(&thief).await, 0);
}

// From the security review of the changes above.

/// A validation error may quote a token in any field (a custom validator's
/// `msg`, its `ctx`), not only in `input`: `Debug` blanks it everywhere.
#[tokio::test]
async fn a_validation_error_quoting_the_token_anywhere_does_not_print_it() {
    let quoted = format!("malformed token: {}", support::REFRESH);
    let body = json!({"detail": [{
        "loc": ["body", "refresh_token"],
        "msg": format!("Value error, {quoted}"),
        "type": "value_error",
        "input": support::REFRESH,
        "ctx": {"error": quoted},
    }]});
    let server = support::answering(ResponseTemplate::new(422).set_body_json(body)).await;
    let error = Client::with_base_url(server.uri())
        .refresh_token(&support::refresh_body())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    for text in support::texts(&error) {
        assert!(!text.contains("SECRET"), "{text}");
    }
    assert!(format!("{error:?}").contains("malformed token: ***"));
}

/// A retry policy set on the caller's builder would send the refresh
/// token again inside `reqwest`; the runtime turns it off.
#[tokio::test]
async fn a_builder_retry_policy_does_not_send_the_refresh_token_twice() {
    let server = support::answering(ResponseTemplate::new(503)).await;
    let retrying = reqwest::retry::for_host("127.0.0.1")
        .no_budget()
        .classify_fn(|attempt| match attempt.status() {
            Some(status) if status.as_u16() == 503 => attempt.retryable(),
            _ => attempt.success(),
        });
    let client = Client::with_base_url(server.uri())
        .with_http_client_builder(reqwest::Client::builder().retry(retrying));
    let session = Session::builder(client, REFRESH).build().unwrap();

    let error = session.access_token().await.unwrap_err();

    assert!(
        matches!(error, SessionError::RefreshFailed { .. }),
        "{error:?}"
    );
    assert_eq!(received(&server).await, 1);
}

/// A provider that counts the `401`s it is asked to renew after.
struct CountingProvider(Arc<AtomicUsize>);

impl almanac_client::CredentialProvider for CountingProvider {
    fn credential(&self) -> almanac_client::CredentialFuture<'_, almanac_client::Secret> {
        Box::pin(async { Ok(almanac_client::Secret::new("provided-SECRET")) })
    }

    fn on_unauthorized<'a>(
        &'a self,
        _: &'a almanac_client::Secret,
    ) -> almanac_client::CredentialFuture<'a, bool> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(true) })
    }
}

/// With a built client of the caller's, `reqwest` may follow a redirect
/// the runtime never sees: a `401` from where it led is not the API's
/// answer to the credential, so the provider is not asked to renew and
/// the POST is not repeated.
#[tokio::test]
async fn a_401_from_a_redirect_inside_reqwest_renews_nothing() {
    let elsewhere = support::answering(ResponseTemplate::new(401)).await;
    let api = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}{REFRESH_PATH}", elsewhere.uri())),
        )
        .mount(&api)
        .await;
    let renewals = Arc::new(AtomicUsize::new(0));
    let error = Client::with_base_url(api.uri())
        .with_http_client(reqwest::Client::new())
        .with_bearer_token_provider(CountingProvider(renewals.clone()))
        .refresh_token(&support::refresh_body())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error:?}");
    assert_eq!(renewals.load(Ordering::SeqCst), 0);
    assert_eq!(received(&api).await, 1, "the POST was repeated");
}

#[tokio::test]
async fn a_session_refuses_plain_http_to_another_machine() {
    for base in ["http://api.example.com", "http://10.1.2.3:8080"] {
        let refused = Session::builder(Client::with_base_url(base), REFRESH)
            .build()
            .unwrap_err();
        assert!(
            matches!(refused, SessionBuildError::InsecureBaseUrl),
            "{base}"
        );
    }
    for base in [
        "https://api.example.com",
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "http://localhost:3000",
    ] {
        assert!(
            Session::builder(Client::with_base_url(base), REFRESH)
                .build()
                .is_ok(),
            "{base}"
        );
    }
}

/// An access token no header can carry would leave the session stuck with
/// calls that are never sent; the refresh fails instead, and the pair is
/// not offered to the application.
#[tokio::test]
async fn an_access_token_no_header_can_carry_is_refused() {
    let server = support::answering(
        ResponseTemplate::new(200)
            .set_body_json(json!({"access_token": "a\r\nx-admin: 1", "refresh_token": "r-next"})),
    )
    .await;
    let stored = Stored::default();
    let session = Session::builder(Client::with_base_url(server.uri()), REFRESH)
        .on_rotate(stored.store())
        .build()
        .unwrap();
    let error = session.access_token().await.unwrap_err();
    assert!(
        matches!(error, SessionError::RefreshFailed { .. }) && error.needs_login(),
        "{error:?}"
    );
    assert!(stored.access_tokens().is_empty());
}
