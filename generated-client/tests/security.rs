//! The Almanac client against servers that misbehave on purpose: redirects
//! that would repeat a token refresh or carry it elsewhere, responses that
//! echo secrets or carry terminal escapes, servers that never answer.
//! (Hand-written.) Every server is in-process, on 127.0.0.1.

mod support;

use support::{ACCESS, BEARER, REFRESH, REFRESH_PATH, answering, refresh_body, texts};

use std::time::{Duration, Instant};

use almanac_client::{Client, Error, RedirectPolicy, RedirectRefusal, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Retries that would happen at once, so a test sees any repeat.
fn eager_retries() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

/// A URL nothing listens on.
fn closed_port_url() -> String {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = probe.local_addr().unwrap();
    drop(probe);
    format!("http://{address}")
}

async fn received(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn assert_no_secret(text: &str) {
    for secret in [ACCESS, REFRESH, BEARER] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

// 1. A POST that reached the server is never repeated because a redirect
//    target could not be reached.

#[tokio::test]
async fn a_post_redirected_to_an_unreachable_host_is_sent_once() {
    for status in [303, 307] {
        let origin = answering(
            ResponseTemplate::new(status)
                .insert_header("location", format!("{}/next", closed_port_url())),
        )
        .await;
        // No credential: the 303 (a GET without the body) may follow.
        let client = Client::with_base_url(origin.uri()).with_retry_policy(eager_retries());

        let error = client.refresh_token(&refresh_body()).await.unwrap_err();

        assert_eq!(received(&origin).await, 1, "{status}: {error:?}");
    }
}

#[tokio::test]
async fn a_caller_supplied_client_that_follows_redirects_does_not_cause_repeats() {
    // reqwest's own default policy follows the 307 inside `send`; the
    // connection error then names the redirect target, not the API.
    let origin = answering(
        ResponseTemplate::new(307).insert_header("location", format!("{}/next", closed_port_url())),
    )
    .await;
    let client = Client::with_base_url(origin.uri())
        .with_http_client(reqwest::Client::new())
        .with_retry_policy(eager_retries());

    let error = client.refresh_token(&refresh_body()).await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(received(&origin).await, 1);

    // Connections the caller's client could not make are still retried
    // for idempotent requests; only the proof that nothing was sent is
    // missing.
    let client = Client::with_base_url(closed_port_url())
        .with_http_client(reqwest::Client::new())
        .with_retry_policy(eager_retries())
        .assume_idempotent();
    assert!(matches!(
        client.refresh_token(&refresh_body()).await,
        Err(Error::Transport { .. })
    ));
}

// 3. Credentials and bodies stay on the API's origin.

#[tokio::test]
async fn redirects_to_another_origin_take_no_token_along() {
    for status in [302, 303, 307, 308] {
        let elsewhere = answering(ResponseTemplate::new(200)).await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&elsewhere)
            .await;
        let origin = answering(
            ResponseTemplate::new(status)
                .insert_header("location", format!("{}{REFRESH_PATH}?x=1", elsewhere.uri())),
        )
        .await;
        let client = Client::with_base_url(origin.uri()).with_bearer_token(BEARER);

        let error = client.refresh_token(&refresh_body()).await.unwrap_err();

        assert_eq!(
            received(&elsewhere).await,
            0,
            "{status}: the other origin was contacted"
        );
        match &error {
            Error::Redirect {
                status: got,
                location,
                refused,
                ..
            } => {
                assert_eq!(got.as_u16(), status);
                assert!(location.starts_with(&elsewhere.uri()), "{location}");
                assert_eq!(*refused, RedirectRefusal::CrossOrigin);
            }
            other => panic!("{status}: expected a refused redirect, got {other:?}"),
        }
        for text in texts(&error) {
            assert_no_secret(&text);
            assert!(
                !text.contains("x=1"),
                "the location's query is shown: {text}"
            );
        }
    }
}

#[tokio::test]
async fn opting_in_follows_other_origins_without_credentials_or_secret_bodies() {
    let elsewhere = MockServer::start().await;
    Mock::given(path(REFRESH_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "a", "refresh_token": "b"})),
        )
        .mount(&elsewhere)
        .await;
    let redirecting = |status: u16| {
        answering(
            ResponseTemplate::new(status)
                .insert_header("location", format!("{}{REFRESH_PATH}", elsewhere.uri())),
        )
    };
    let client = |origin: &MockServer| {
        Client::with_base_url(origin.uri())
            .with_bearer_token(BEARER)
            .with_redirect_policy(RedirectPolicy {
                follow_cross_origin: true,
                ..RedirectPolicy::default()
            })
    };

    // A 307 would re-send the body, and this one holds the refresh token:
    // refused whatever the policy.
    let origin = redirecting(307).await;
    let error = client(&origin)
        .refresh_token(&refresh_body())
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
    assert_eq!(received(&elsewhere).await, 0);

    // A 303 drops the body (a GET follows): the caller opted in to that.
    let origin = redirecting(303).await;
    let tokens = client(&origin)
        .refresh_token(&refresh_body())
        .await
        .unwrap();

    assert_eq!(tokens.refresh_token, "b");
    let requests = elsewhere.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let forwarded = &requests[0];
    assert_eq!(forwarded.method.as_str(), "GET");
    assert!(
        forwarded.headers.get("authorization").is_none(),
        "{forwarded:?}"
    );
    assert!(forwarded.headers.get("referer").is_none(), "{forwarded:?}");
    assert!(forwarded.body.is_empty(), "{forwarded:?}");
}

#[tokio::test]
async fn same_origin_redirects_keep_the_credential_and_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/moved"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "a", "refresh_token": "b"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(308).insert_header("location", "/moved"))
        .mount(&server)
        .await;
    let client = Client::with_base_url(server.uri()).with_bearer_token(BEARER);

    client.refresh_token(&refresh_body()).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].url.path(), "/moved");
    assert_eq!(
        requests[1].headers["authorization"],
        format!("Bearer {BEARER}")
    );

    // A redirect loop ends after the policy's limit.
    let looping =
        answering(ResponseTemplate::new(307).insert_header("location", REFRESH_PATH)).await;
    let client = Client::with_base_url(looping.uri()).with_bearer_token(BEARER);
    let error = client.refresh_token(&refresh_body()).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Redirect {
                refused: RedirectRefusal::TooMany,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        received(&looping).await,
        RedirectPolicy::default().max_redirects as usize + 1
    );
}

// 5. No secret in any error text.

#[tokio::test]
async fn tokens_in_an_undecodable_body_stay_out_of_errors() {
    let bodies = [
        format!(
            r#"{{"access_token": "{ACCESS}", "refresh_token": "{REFRESH}", "organization_id": 5}}"#
        ),
        format!(r#"{{"access_token": "{ACCESS}", "refresh_to"#),
        format!(r#"{{"access_token": 1, "refresh_token": "{REFRESH}"}}"#),
    ];
    for body in bodies {
        let server =
            answering(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
                .await;
        let client = Client::with_base_url(server.uri()).with_bearer_token(BEARER);

        let error = client.refresh_token(&refresh_body()).await.unwrap_err();

        assert!(matches!(error, Error::Decode { .. }), "{error:?}");
        for text in texts(&error) {
            assert_no_secret(&text);
        }
        if let Error::Decode { snippet, .. } = &error {
            assert!(snippet.contains(r#""access_token""#), "{snippet}");
        }
        // anyhow-style chains print the source too.
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            assert_no_secret(&cause.to_string());
            source = cause.source();
        }
    }
}

#[tokio::test]
async fn tokens_in_an_undeclared_status_stay_out_of_errors() {
    let server = answering(ResponseTemplate::new(500).set_body_json(json!({
        "error": "boom", "access_token": ACCESS, "nested": {"refresh_token": REFRESH}
    })))
    .await;
    let client = Client::with_base_url(server.uri()).with_bearer_token(BEARER);

    let error = client.refresh_token(&refresh_body()).await.unwrap_err();

    for text in texts(&error) {
        assert_no_secret(&text);
        assert!(text.contains("boom"), "{text}");
    }
    // The body itself stays available to code that asks for it.
    if let Error::UnexpectedStatus { body, .. } = &error {
        assert!(body.contains(ACCESS));
    }
}

#[tokio::test]
async fn an_echoed_refresh_token_in_a_validation_error_is_not_printed() {
    // FastAPI repeats the offending input, here the caller's refresh token.
    let server = answering(ResponseTemplate::new(422).set_body_json(json!({"detail": [
        {"loc": ["body", "refresh_token"], "msg": "expired", "type": "value_error", "input": REFRESH},
        {"loc": ["body"], "msg": "bad", "type": "value_error", "input": {"refresh_token": REFRESH}}
    ]})))
    .await;
    let client = Client::with_base_url(server.uri()).with_bearer_token(BEARER);

    let error = client.refresh_token(&refresh_body()).await.unwrap_err();

    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    for text in texts(&error) {
        assert_no_secret(&text);
    }
    assert!(format!("{error:?}").contains("expired"), "{error:?}");
}

#[test]
fn a_password_in_the_base_url_is_not_shown() {
    let client = Client::with_base_url("https://user:hunter2@almanac.example/api?key=k1")
        .with_bearer_token(BEARER);
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("hunter2") && !debug.contains("k1"),
        "{debug}"
    );
    assert!(debug.contains("almanac.example"), "{debug}");
    assert_no_secret(&debug);
}

// 8. Quoted server text cannot rewrite a log line or a terminal.

#[tokio::test]
async fn control_characters_from_the_server_are_escaped() {
    let server = answering(
        ResponseTemplate::new(500)
            .insert_header("x-request-id", "id\tforged")
            .set_body_string("fine\nERROR forged line\u{1b}[2J\u{202e}"),
    )
    .await;
    let client = Client::with_base_url(server.uri());

    let error = client.refresh_token(&refresh_body()).await.unwrap_err();

    for text in [error.to_string(), format!("{error:?}")] {
        assert!(
            !text.contains('\n') && !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
    }
    assert!(
        error
            .to_string()
            .contains("fine\\nERROR forged line\\u{1b}[2J"),
        "{error}"
    );
}

// 9. Timeouts are timeouts, per attempt and per call.

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(30))).await;
    let client = Client::with_base_url(server.uri()).with_timeout(Duration::from_millis(200));

    let error = client.refresh_token(&refresh_body()).await.unwrap_err();

    match error {
        Error::Timeout { after, .. } => assert_eq!(after, Duration::from_millis(200)),
        other => panic!("expected a timeout, got {other:?}"),
    }
    // Not repeated: the POST may have been processed.
    assert_eq!(received(&server).await, 1);
}

#[tokio::test]
async fn a_total_timeout_bounds_the_retries() {
    let server = answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(30))).await;
    let client = Client::with_base_url(server.uri())
        .with_timeout(Duration::from_millis(150))
        .with_total_timeout(Duration::from_millis(400))
        .with_retry_policy(RetryPolicy {
            max_retries: 100,
            ..eager_retries()
        })
        .assume_idempotent();

    let started = Instant::now();
    let error = client.refresh_token(&refresh_body()).await.unwrap_err();

    match error {
        Error::Timeout { after, .. } => assert_eq!(after, Duration::from_millis(400)),
        other => panic!("expected a timeout, got {other:?}"),
    }
    let attempts = received(&server).await;
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
    // Generous: the point is that 100 retries did not all run.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
