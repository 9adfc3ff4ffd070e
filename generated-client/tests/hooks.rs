//! Hooks of the generated Almanac client against an in-process mock
//! server. (Hand-written.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use almanac_client::types::HostedLoginRefresh;
use almanac_client::{
    AttemptRequest, AttemptResponse, Client, Error, Hook, HookError, RetryPolicy,
};
use reqwest::header::HeaderValue;
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

fn quick() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// Answers 503 once, then tokens.
async fn flaky_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "a", "refresh_token": "r2"})),
        )
        .mount(&server)
        .await;
    server
}

/// Adds a header naming the attempt, and notes what it sees.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
}

impl Hook for Recorder {
    fn on_request(&self, request: &mut AttemptRequest<'_>) -> Result<(), HookError> {
        let value = HeaderValue::from_str(&format!("key-{}", request.attempt()))?;
        request.headers_mut().insert("idempotency-key", value);
        let line = format!(
            "request {} {} {} {}",
            request.operation(),
            request.method(),
            request.path_template(),
            request.attempt()
        );
        self.seen.lock().unwrap().push(line);
        Ok(())
    }

    fn on_response(&self, response: &AttemptResponse<'_>) -> Result<(), HookError> {
        assert!(response.latency() < Duration::from_secs(10));
        let line = format!(
            "response {} {} {}",
            response.operation(),
            response.status().as_u16(),
            response.attempt()
        );
        self.seen.lock().unwrap().push(line);
        Ok(())
    }
}

#[tokio::test]
async fn hooks_run_on_every_attempt_including_retries() {
    let server = flaky_server().await;
    let recorder = Recorder::default();
    let client = Client::with_base_url(server.uri())
        .with_retry_policy(quick())
        .with_hook(recorder.clone())
        .assume_idempotent();

    let tokens = client.refresh_token(&body()).await.unwrap();

    assert_eq!(tokens.access_token, "a");
    let received = server.received_requests().await.unwrap();
    let keys: Vec<_> = received
        .iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .map(|v| v.to_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(keys, [Some("key-1".to_owned()), Some("key-2".to_owned())]);
    assert_eq!(
        *recorder.seen.lock().unwrap(),
        [
            "request refresh_token POST /v1/auth/token/refresh 1",
            "response refresh_token 503 1",
            "request refresh_token POST /v1/auth/token/refresh 2",
            "response refresh_token 200 2",
        ]
    );
}

/// Refuses every request.
struct Refuse;

impl Hook for Refuse {
    fn on_request(&self, _: &mut AttemptRequest<'_>) -> Result<(), HookError> {
        Err("no signing key".into())
    }
}

#[tokio::test]
async fn a_failing_hook_stops_the_call_before_anything_is_sent() {
    let server = flaky_server().await;
    let client = Client::with_base_url(server.uri())
        .with_hook(Refuse)
        .assume_idempotent();

    let error = client.refresh_token(&body()).await.unwrap_err();

    match &error {
        Error::Hook { request, source } => {
            assert_eq!(request.path, REFRESH_PATH);
            assert_eq!(source.to_string(), "no signing key");
        }
        other => panic!("expected Error::Hook, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("stopped by a hook: no signing key"),
        "{error}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// Fails on an error status: the call ends with the hook's error, not
/// retried.
struct RejectErrors;

impl Hook for RejectErrors {
    fn on_response(&self, response: &AttemptResponse<'_>) -> Result<(), HookError> {
        if response.status().is_server_error() {
            return Err(format!("circuit open after {}", response.status().as_u16()).into());
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_response_hook_can_end_the_call() {
    let server = flaky_server().await;
    let client = Client::with_base_url(server.uri())
        .with_retry_policy(quick())
        .with_hook(RejectErrors)
        .assume_idempotent();

    let error = client.refresh_token(&body()).await.unwrap_err();

    assert!(
        matches!(&error, Error::Hook { source, .. } if source.to_string() == "circuit open after 503"),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// The credential a hook sees is marked sensitive: `Debug` of the request
/// view does not show it.
#[tokio::test]
async fn a_hook_sees_credentials_only_as_sensitive() {
    #[derive(Clone, Default)]
    struct Printer(Arc<Mutex<String>>);
    impl Hook for Printer {
        fn on_request(&self, request: &mut AttemptRequest<'_>) -> Result<(), HookError> {
            *self.0.lock().unwrap() = format!("{request:?}");
            Ok(())
        }
    }
    let server = flaky_server().await;
    let printer = Printer::default();
    let client = Client::with_base_url(server.uri())
        .with_bearer_token("tok-SECRET")
        .with_retry_policy(RetryPolicy::disabled())
        .with_hook(printer.clone());

    let _ = client.refresh_token(&body()).await;

    let text = printer.0.lock().unwrap().clone();
    assert!(
        text.contains("authorization") && text.contains("Sensitive"),
        "{text}"
    );
    assert!(!text.contains("tok-SECRET"), "{text}");
}

/// Adds a signature header to every attempt.
struct Sign;

impl Hook for Sign {
    fn on_request(&self, request: &mut AttemptRequest<'_>) -> Result<(), HookError> {
        request
            .headers_mut()
            .insert("x-signature", HeaderValue::from_static("sig-SECRET"));
        Ok(())
    }
}

/// A hook's headers follow a redirect within the API's origin and, like
/// the credentials, stay behind when a redirect leads to another origin.
#[tokio::test]
async fn hook_headers_never_follow_a_redirect_to_another_origin() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(path(REFRESH_PATH))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", "/v1/auth/token/refresh/again"),
        )
        .mount(&api)
        .await;
    // A 303 (a 307 would re-send the body, whose refresh token never
    // leaves the API's origin).
    let cross = format!("{}/collect", elsewhere.uri());
    Mock::given(path("/v1/auth/token/refresh/again"))
        .respond_with(ResponseTemplate::new(303).insert_header("location", cross.as_str()))
        .mount(&api)
        .await;
    Mock::given(path("/collect"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "a", "refresh_token": "r2"})),
        )
        .mount(&elsewhere)
        .await;
    let client = Client::with_base_url(api.uri())
        .with_bearer_token("tok-SECRET")
        .with_redirect_policy(almanac_client::RedirectPolicy {
            follow_cross_origin: true,
            ..Default::default()
        })
        .with_retry_policy(RetryPolicy::disabled())
        .with_hook(Sign);

    client.refresh_token(&body()).await.unwrap();

    let at_api = api.received_requests().await.unwrap();
    assert_eq!(at_api.len(), 2);
    assert!(
        at_api
            .iter()
            .all(|r| r.headers.get("x-signature").is_some()),
        "the API's own hops carry the hook's header"
    );
    let at_elsewhere = elsewhere.received_requests().await.unwrap();
    assert_eq!(at_elsewhere.len(), 1);
    assert!(at_elsewhere[0].headers.get("x-signature").is_none());
    assert!(at_elsewhere[0].headers.get("authorization").is_none());
}
