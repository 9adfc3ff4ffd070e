//! Contract tests: the Almanac client against Stoplight Prism mocking
//! `spec/openapi.yaml`. Prism checks every request against the spec (a
//! request the client built wrongly is answered with an error) and answers
//! with responses generated from it (a shape the client cannot decode fails
//! the call). (Hand-written.)
//!
//! Needs the `contract-tests` feature and Prism:
//! `npm ci --prefix generated-client/tests/contract` then
//! `cargo test -p almanac-client --features contract-tests --test contract`.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use almanac_client::types::{HostedLoginRefresh, HttpValidationError, RefreshTokenError};
use almanac_client::{Client, Error, RetryPolicy};

/// Prism, started once for all tests. Statics are never dropped, so it is
/// started under a small shell that stops it when its stdin closes, which
/// happens when this test process exits, however it exits.
struct Prism {
    _guard: Child,
    url: String,
}

fn prism_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PRISM_BIN") {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "PRISM_BIN points at {}, which does not exist",
            path.display()
        );
        return path;
    }
    let local =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/contract/node_modules/.bin/prism");
    assert!(
        local.exists(),
        "Prism is not installed. Install it with `npm ci --prefix generated-client/tests/contract` \
         (Node.js 18 or newer), or point PRISM_BIN at a prism binary."
    );
    local
}

fn prism() -> &'static str {
    static PRISM: OnceLock<Prism> = OnceLock::new();
    &PRISM.get_or_init(start_prism).url
}

fn start_prism() -> Prism {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/openapi.yaml");
    let child = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" "$@" & prism=$!; read _; kill $prism"#)
        .arg(prism_binary())
        .args([
            "mock",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--errors",
        ])
        .arg(&spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prism starts");
    let prism = Prism {
        _guard: child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "Prism did not start listening on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    prism
}

fn client() -> Client {
    Client::with_base_url(prism())
        .with_bearer_token("contract-test-token")
        .with_retry_policy(RetryPolicy::disabled())
}

fn refresh(organization_id: Option<&str>) -> HostedLoginRefresh {
    HostedLoginRefresh {
        refresh_token: "refresh-me".into(),
        organization_id: organization_id.map(str::to_owned).into(),
    }
}

/// A client that asks Prism for a particular response (`Prefer` header).
fn client_preferring(preference: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("prefer", preference.parse().unwrap());
    client().with_http_client_builder(reqwest::Client::builder().default_headers(headers))
}

#[tokio::test]
async fn a_valid_refresh_passes_validation_and_decodes() {
    let tokens = client()
        .refresh_token(&refresh(None))
        .await
        .expect("Prism accepts the request");
    assert_eq!(tokens.status(), 200);
    assert!(!tokens.access_token.is_empty());
    let tokens = client()
        .refresh_token(&refresh(Some("org-1")))
        .await
        .expect("with an organization too");
    assert_eq!(tokens.status(), 200);
}

#[tokio::test]
async fn generated_responses_of_every_shape_decode() {
    // Dynamic mode makes Prism invent a new response from the schema for
    // each call: nulls, present and absent optional fields.
    let client = client_preferring("dynamic=true");
    for _ in 0..25 {
        client
            .refresh_token(&refresh(None))
            .await
            .expect("every generated 200 decodes");
    }
}

#[tokio::test]
async fn the_declared_422_decodes_into_the_typed_error() {
    let error = client_preferring("code=422")
        .refresh_token(&refresh(None))
        .await
        .unwrap_err();
    match error {
        Error::Api {
            status,
            body: RefreshTokenError::UnprocessableEntity(validation),
            ..
        } => {
            assert_eq!(status.as_u16(), 422);
            assert!(validation.detail.is_some());
        }
        other => panic!("expected the typed 422, got {other:?}"),
    }
}

#[tokio::test]
async fn the_bearer_token_is_required_by_the_spec() {
    let anonymous = Client::with_base_url(prism()).with_retry_policy(RetryPolicy::disabled());
    let error = anonymous.refresh_token(&refresh(None)).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error:?}");
}

#[tokio::test]
async fn prism_rejects_a_request_that_breaks_the_schema() {
    // Sent around the typed client, the way a hand-built request would go:
    // a misspelt property (additionalProperties is false) and no
    // refresh_token. This shows the suite notices a wrong request.
    let response = reqwest::Client::new()
        .post(format!("{}/v1/auth/token/refresh", prism()))
        .bearer_auth("contract-test-token")
        .header("content-type", "application/json")
        .body(r#"{"refresh_tokn": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let violations = response
        .headers()
        .get("sl-violations")
        .expect("Prism lists the violations")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(violations.contains("refresh_token"), "{violations}");
    let bytes = response.bytes().await.unwrap();
    let body: HttpValidationError =
        serde_json::from_slice(&bytes).expect("the 422 body has the spec's shape");
    assert!(body.detail.is_some());
}
