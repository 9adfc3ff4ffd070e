//! Retries of the generated Almanac client against an in-process mock
//! server. (Hand-written.) Refreshing a token is a POST: retrying one that
//! reached the server could burn a rotated refresh token, so by default it
//! is retried only when it was never sent.

use std::time::{Duration, Instant};

use almanac_client::types::HostedLoginRefresh;
use almanac_client::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REFRESH_PATH: &str = "/v1/auth/token/refresh";

fn body() -> HostedLoginRefresh {
    HostedLoginRefresh {
        refresh_token: "r".into(),
        organization_id: almanac_client::Nullable::Absent,
    }
}

fn tokens() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"access_token": "a", "refresh_token": "r2"}))
}

/// Fast retries, so the tests do not wait long.
fn quick() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_secs(2),
        ..RetryPolicy::default()
    }
}

/// `failures` answers with `status`, then tokens.
async fn flaky_server(status: u16, failures: u64, retry_after: Option<&str>) -> MockServer {
    let server = MockServer::start().await;
    let mut failing = ResponseTemplate::new(status).set_body_string("try again");
    if let Some(value) = retry_after {
        failing = failing.insert_header("retry-after", value);
    }
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(failing)
        .up_to_n_times(failures)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(tokens())
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_post_that_reached_the_server_is_not_retried() {
    let server = flaky_server(503, 1, None).await;
    let client = Client::with_base_url(server.uri()).with_retry_policy(quick());

    let error = client.refresh_token(&body()).await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_caller_can_declare_one_call_safe_to_repeat() {
    let server = flaky_server(503, 2, None).await;
    let client = Client::with_base_url(server.uri()).with_retry_policy(quick());

    let tokens = client
        .assume_idempotent()
        .refresh_token(&body())
        .await
        .expect("third attempt succeeds");

    assert_eq!(tokens.refresh_token, "r2");
    assert_eq!(requests(&server).await, 3);
    // The opt-in was for that call only: the client itself still does not
    // repeat a POST.
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    assert!(client.refresh_token(&body()).await.is_err());
    assert_eq!(requests(&server).await, 4);
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = flaky_server(500, 100, None).await;
    let client = Client::with_base_url(server.uri())
        .with_retry_policy(quick())
        .assume_idempotent();

    let error = client.refresh_token(&body()).await.unwrap_err();

    assert!(matches!(error, Error::UnexpectedStatus { .. }), "{error:?}");
    assert_eq!(requests(&server).await, 3, "one attempt and two retries");
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = flaky_server(503, 1, None).await;
    let client = Client::with_base_url(server.uri())
        .with_retry_policy(RetryPolicy::disabled())
        .assume_idempotent();
    assert!(client.refresh_token(&body()).await.is_err());
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = flaky_server(429, 1, Some("1")).await;
    let client = Client::with_base_url(server.uri())
        .with_retry_policy(quick())
        .assume_idempotent();

    let started = Instant::now();
    client
        .refresh_token(&body())
        .await
        .expect("second attempt succeeds");

    assert_eq!(requests(&server).await, 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_returns_the_answer() {
    let server = flaky_server(429, 1, Some("3600")).await;
    let client = Client::with_base_url(server.uri())
        .with_retry_policy(quick())
        .assume_idempotent();
    let error = client.refresh_token(&body()).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_post_that_could_not_connect_is_retried() {
    // Reserve a port with nothing listening on it yet.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = probe.local_addr().unwrap();
    drop(probe);
    let client =
        Client::with_base_url(format!("http://{address}")).with_retry_policy(RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(400),
            ..quick()
        });

    // The first attempt goes out at once and finds nothing; the server
    // comes up before the first retry.
    let call = tokio::spawn(async move { client.refresh_token(&body()).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let listener = std::net::TcpListener::bind(address).expect("port still free");
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(tokens())
        .mount(&server)
        .await;

    let tokens = call.await.unwrap().expect("a retry reaches the server");
    assert_eq!(tokens.refresh_token, "r2");
    assert_eq!(
        requests(&server).await,
        1,
        "the first attempt never arrived"
    );
}
