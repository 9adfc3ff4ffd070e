//! Hand-written tests of the generated Almanac client against an in-process
//! HTTP mock server. (Not generated: `cargo xtask codegen` leaves this file
//! alone.)

use almanac_client::types::{HostedLoginRefresh, RefreshTokenError, ValidationErrorLocItem};
use almanac_client::{Client, Config, Error};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const REFRESH_PATH: &str = "/v1/auth/token/refresh";

fn refresh(token: &str, organization_id: Option<&str>) -> HostedLoginRefresh {
    HostedLoginRefresh {
        refresh_token: token.to_owned(),
        organization_id: organization_id.map(str::to_owned).into(),
    }
}

async fn server_answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(REFRESH_PATH))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

#[tokio::test]
async fn refresh_sends_the_exact_request_and_decodes_the_tokens() {
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "new-access",
        "refresh_token": "new-refresh",
        "organization_id": "org-1"
    })))
    .await;
    let client = Client::with_base_url(server.uri()).with_bearer_token("api-key-123");

    let tokens = client
        .refresh_token(&refresh("old-refresh", None))
        .await
        .expect("200 decodes");

    assert_eq!(tokens.status(), 200);
    assert_eq!(tokens.access_token, "new-access");
    assert_eq!(tokens.refresh_token, "new-refresh");
    assert_eq!(tokens.organization_id.as_deref(), Some("org-1"));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), REFRESH_PATH);
    assert_eq!(request.url.query(), None);
    // An absent optional field is left out, not sent as null.
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        r#"{"refresh_token":"old-refresh"}"#
    );
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["authorization"], "Bearer api-key-123");
}

#[tokio::test]
async fn a_set_optional_field_is_sent() {
    let server = server_answering(
        ResponseTemplate::new(200)
            .set_body_json(json!({"access_token": "a", "refresh_token": "r"})),
    )
    .await;
    let client = Client::with_base_url(server.uri());

    let tokens = client
        .refresh_token(&refresh("r0", Some("org-9")))
        .await
        .unwrap();
    // Absent in the response, so `None`.
    assert_eq!(tokens.organization_id, None);

    let request = only_request(&server).await;
    let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        sent,
        json!({"refresh_token": "r0", "organization_id": "org-9"})
    );
    // No credential configured: no Authorization header at all.
    assert!(request.headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_fastapi_422_becomes_the_typed_validation_error() {
    let server = server_answering(ResponseTemplate::new(422).set_body_json(json!({
        "detail": [{
            "loc": ["body", "refresh_token", 0],
            "msg": "Field required",
            "type": "missing",
            "input": {"organization_id": null},
            "ctx": {"limit": 3}
        }]
    })))
    .await;
    let client = Client::with_base_url(server.uri());

    let error = client.refresh_token(&refresh("", None)).await.unwrap_err();

    assert_eq!(error.status().map(|s| s.as_u16()), Some(422));
    let Error::Api {
        body: RefreshTokenError::UnprocessableEntity(validation),
        ..
    } = &error
    else {
        panic!("expected the declared 422 body, got {error:?}");
    };
    let detail = &validation.detail.as_ref().expect("detail present")[0];
    assert_eq!(
        detail.loc,
        vec![
            ValidationErrorLocItem::String("body".into()),
            ValidationErrorLocItem::String("refresh_token".into()),
            ValidationErrorLocItem::Integer(0),
        ]
    );
    assert_eq!(detail.msg, "Field required");
    assert_eq!(detail.type_, "missing");
    assert_eq!(detail.input, Some(json!({"organization_id": null})));
    assert_eq!(detail.ctx.as_ref().unwrap()["limit"], json!(3));
    assert!(error.to_string().contains("422"), "{error}");
}

#[tokio::test]
async fn an_undeclared_status_keeps_status_headers_and_body() {
    let server = server_answering(
        ResponseTemplate::new(500)
            .insert_header("x-request-id", "req-42")
            .set_body_string("upstream exploded"),
    )
    .await;
    let client = Client::with_base_url(server.uri());

    let error = client.refresh_token(&refresh("r", None)).await.unwrap_err();

    match &error {
        Error::UnexpectedStatus {
            status,
            headers,
            body,
            request,
            snippet,
        } => {
            assert_eq!(snippet, "upstream exploded");
            assert_eq!(status.as_u16(), 500);
            assert_eq!(headers["x-request-id"], "req-42");
            assert_eq!(body, "upstream exploded");
            assert_eq!(request.request_id.as_deref(), Some("req-42"));
            assert_eq!(
                request.to_string(),
                format!("POST {REFRESH_PATH} (request id req-42)")
            );
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("500") && message.contains("upstream exploded"),
        "{message}"
    );
}

#[tokio::test]
async fn a_malformed_success_body_is_a_decode_error_with_a_snippet() {
    let server = server_answering(
        ResponseTemplate::new(200)
            .set_body_raw(r#"{"access_token": "a", "refresh_tok"#, "application/json"),
    )
    .await;
    let client = Client::with_base_url(server.uri());

    let error = client.refresh_token(&refresh("r", None)).await.unwrap_err();

    match &error {
        Error::Decode {
            status, snippet, ..
        } => {
            assert_eq!(status.as_u16(), 200);
            assert!(snippet.starts_with(r#"{"access_token""#), "{snippet}");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn a_wrongly_typed_success_body_is_a_decode_error() {
    let server = server_answering(
        ResponseTemplate::new(200).set_body_json(json!({"access_token": 5, "refresh_token": "r"})),
    )
    .await;
    let client = Client::with_base_url(server.uri());
    let error = client.refresh_token(&refresh("r", None)).await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn fields_the_server_adds_later_are_ignored() {
    let server = server_answering(ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "a",
        "refresh_token": "r",
        "expires_in": 3600
    })))
    .await;
    let client = Client::with_base_url(server.uri());
    let tokens = client
        .refresh_token(&refresh("r", None))
        .await
        .expect("unknown fields are ignored");
    assert_eq!(tokens.access_token, "a");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_without_buffering_them() {
    let server =
        server_answering(ResponseTemplate::new(200).set_body_string("x".repeat(4096))).await;
    let client = Client::with_base_url(server.uri()).with_config(Config {
        max_body_bytes: 1024,
        ..Config::default()
    });
    let error = client.refresh_token(&refresh("r", None)).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind a port, then free it: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client =
        Client::with_base_url(format!("http://{address}")).with_bearer_token("secret-token");

    let error = client.refresh_token(&refresh("r", None)).await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(error.status(), None);
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("secret-token"), "{text}");
    }
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/prefix{REFRESH_PATH}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "a", "refresh_token": "r"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::with_base_url(format!("{}/prefix/", server.uri()));
    client
        .refresh_token(&refresh("r", None))
        .await
        .expect("prefix kept, slash not doubled");
}

#[tokio::test]
async fn an_invalid_base_url_is_an_error_not_a_panic() {
    let client = Client::with_base_url("not a url");
    let error = client.refresh_token(&refresh("r", None)).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
}

#[test]
fn credentials_never_show_in_debug_output() {
    let client = Client::new().with_bearer_token("tok-SECRET");
    let debug = format!("{client:?}");
    assert!(!debug.contains("tok-SECRET"), "{debug}");
    assert!(debug.contains("bearer_token"), "{debug}");

    let request = refresh("refresh-SECRET", Some("org"));
    let debug = format!("{request:?}");
    assert!(!debug.contains("refresh-SECRET"), "{debug}");
    assert!(debug.contains("org"), "{debug}");

    let tokens: almanac_client::types::HostedLoginToken = serde_json::from_value(
        json!({"access_token": "access-SECRET", "refresh_token": "refresh-SECRET"}),
    )
    .unwrap();
    let debug = format!("{tokens:?}");
    assert!(!debug.contains("SECRET"), "{debug}");
}

#[test]
fn the_default_base_url_comes_from_the_spec() {
    assert_eq!(Client::new().base_url(), Client::DEFAULT_BASE_URL);
    assert!(Client::DEFAULT_BASE_URL.starts_with("https://"));
}
