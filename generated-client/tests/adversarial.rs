//! Attacks from an adversarial review of the runtime, kept as regression
//! tests (hand-written). Each asserts the behaviour the README's Security
//! section promises; the ones that failed at review time are fixed, the
//! others held then and must keep holding. Every server is on 127.0.0.1.

mod support;

use support::{ACCESS, BEARER, REFRESH, answering, refresh_body, texts};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use almanac_client::{Client, Error, RetryPolicy};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The secrets found in any text of the error.
fn leaked(error: &Error<almanac_client::types::RefreshTokenError>) -> Vec<&'static str> {
    let texts = texts(error);
    [ACCESS, REFRESH, BEARER]
        .into_iter()
        .filter(|s| texts.iter().any(|t| t.contains(s)))
        .collect()
}

async fn error_for(response: ResponseTemplate) -> Error<almanac_client::types::RefreshTokenError> {
    let server = answering(response).await;
    let client = Client::with_base_url(server.uri())
        .with_bearer_token(BEARER)
        .with_retry_policy(RetryPolicy::disabled())
        .with_timeout(Duration::from_secs(5));
    client.refresh_token(&refresh_body()).await.unwrap_err()
}

// ---------------------------------------------------------------------
// (d) Secrets in error text.
// ---------------------------------------------------------------------

/// A server (or a proxy/gateway in front of it) that echoes the request's
/// headers in an error body, as debugging endpoints and some gateways do.
/// `authorization` is a credential name by the README's own naming rule,
/// but it is not in `SENSITIVE_KEYS`, and the bearer token the client itself
/// sent is not scrubbed from error text.
#[tokio::test]
async fn echoed_authorization_header_is_not_in_error_text() {
    let body = json!({
        "error": "upstream failed",
        "request": {"headers": {"authorization": format!("Bearer {BEARER}")}}
    });
    let error = error_for(ResponseTemplate::new(500).set_body_json(body)).await;
    assert!(
        leaked(&error).is_empty(),
        "leaked {:?} in: {}",
        leaked(&error),
        error
    );
}

/// A 200 whose tokens are camelCase (an API that changed its casing, or a
/// JS backend) fails to decode; the snippet quotes the fresh tokens because
/// only exact snake_case keys are blanked, although the README's naming rule
/// ("a word of its name is `token`") covers `accessToken`/`refreshToken`.
#[tokio::test]
async fn camel_case_tokens_in_an_undecodable_200_are_not_in_error_text() {
    let body = json!({"accessToken": ACCESS, "refreshToken": REFRESH});
    let error = error_for(ResponseTemplate::new(200).set_body_json(body)).await;
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(
        leaked(&error).is_empty(),
        "leaked {:?} in: {}",
        leaked(&error),
        error
    );
}

/// The refresh token the client sent, echoed back inside a string (the raw
/// request body quoted in an error message, a very common server habit).
/// The snippet scanner skips strings as units, so keys inside them are not
/// seen.
#[tokio::test]
async fn refresh_token_echoed_inside_a_string_is_not_in_error_text() {
    let raw = serde_json::to_string(&json!({"refresh_token": REFRESH})).unwrap();
    let mut failures = Vec::new();
    for (status, body) in [
        (
            400,
            json!({"detail": format!("could not process body {raw}")}).to_string(),
        ),
        (
            400,
            format!("<html><body>bad request body: {raw}</body></html>"),
        ),
        // Python's repr of the parsed body, and the form-encoded spelling.
        (
            400,
            json!({"detail": format!("invalid payload {{'refresh_token': '{REFRESH}'}}")})
                .to_string(),
        ),
        (400, format!("refresh_token={REFRESH}&organization_id=")),
    ] {
        let error = error_for(ResponseTemplate::new(status).set_body_string(body.clone())).await;
        if !leaked(&error).is_empty() {
            failures.push(error.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 4 echoes leaked:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `https://<token>@host` (token as the userinfo *username*, e.g. GitHub-
/// or Sentry-style URLs): the client's Debug hides the password only.
#[test]
fn client_debug_hides_a_username_only_credential_in_the_base_url() {
    let client = Client::with_base_url("http://tok-SECRET-USER@127.0.0.1:1/v1");
    let text = format!("{client:?}");
    assert!(!text.contains("tok-SECRET-USER"), "{text}");
}

/// Control characters and bidi overrides inside a declared error body
/// (FastAPI's `msg`, `ctx`) reach `Debug` of `Error::Api`: Rust's string
/// Debug escapes them. (Expected to hold.)
#[tokio::test]
async fn control_characters_in_a_declared_error_body_are_escaped() {
    let body = json!({"detail": [{
        "type": "value_error", "loc": ["body", "x\u{1b}[2J"], "msg": "bad\u{1b}]0;pwn\u{7}\u{202e}txt\nFORGED",
        "input": {"refresh_token": REFRESH}, "ctx": {"error": "e\u{1b}[31m\u{2066}"}
    }]});
    let error = error_for(ResponseTemplate::new(422).set_body_json(body)).await;
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    for text in texts(&error) {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{text:?}"
        );
        assert!(!text.contains("\nFORGED"), "{text}");
    }
    assert!(leaked(&error).is_empty(), "{error:?}");
}

// ---------------------------------------------------------------------
// (a) Credentials to other origins.
// ---------------------------------------------------------------------

/// Spellings of another origin in `Location` (protocol-relative, backslash,
/// userinfo trick, `localhost` for 127.0.0.1, trailing-dot host): none may
/// receive anything when the request carries a bearer token and a body.
/// (Expected to hold.)
#[tokio::test]
async fn tricky_locations_to_other_origins_receive_nothing() {
    let evil = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&evil)
        .await;
    let evil_port = evil.address().port();
    let api = MockServer::start().await;
    let api_port = api.address().port();
    let locations = [
        format!("//127.0.0.1:{evil_port}/x"),
        format!("/\\127.0.0.1:{evil_port}/x"),
        format!("\\\\127.0.0.1:{evil_port}/x"),
        format!("http://127.0.0.1:{api_port}@127.0.0.1:{evil_port}/x"),
        format!("http://localhost:{evil_port}/x"),
        format!("http://127.0.0.1.:{evil_port}/x"),
        format!("http:127.0.0.1:{evil_port}/x"),
        format!("HTTP://127.0.0.1:{evil_port}/x"),
        format!(" http://127.0.0.1:{evil_port}/x"),
    ];
    for status in [301, 302, 303, 307, 308] {
        for location in &locations {
            api.reset().await;
            Mock::given(wiremock::matchers::any())
                .respond_with(
                    ResponseTemplate::new(status).insert_header("location", location.as_str()),
                )
                .mount(&api)
                .await;
            let client = Client::with_base_url(api.uri())
                .with_bearer_token(BEARER)
                .with_retry_policy(RetryPolicy::disabled())
                .with_timeout(Duration::from_secs(5));
            let _ = client.refresh_token(&refresh_body()).await;
            let got = evil.received_requests().await.unwrap();
            assert!(
                got.is_empty(),
                "{status} {location:?}: other origin got {:?}",
                got[0]
            );
        }
    }
}

/// The base URL's userinfo is a credential: sent as basic auth to the API
/// (never left in the URL), and blanked from error text.
#[tokio::test]
async fn base_url_userinfo_is_basic_auth_for_the_api_only() {
    let server =
        answering(ResponseTemplate::new(500).set_body_string("echo: user pw-SECRET")).await;
    let base = server.uri().replace("http://", "http://user:pw-SECRET@");
    let client = Client::with_base_url(base).with_retry_policy(RetryPolicy::disabled());
    let error = client.refresh_token(&refresh_body()).await.unwrap_err();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    // base64("user:pw-SECRET")
    assert_eq!(
        requests[0].headers["authorization"],
        "Basic dXNlcjpwdy1TRUNSRVQ="
    );
    assert!(
        !requests[0].url.as_str().contains("SECRET"),
        "{}",
        requests[0].url
    );
    for text in texts(&error) {
        assert!(!text.contains("pw-SECRET"), "{text}");
    }
    // A bearer token set on the client wins over the userinfo.
    let base = server.uri().replace("http://", "http://user:pw-SECRET@");
    let client = Client::with_base_url(base)
        .with_bearer_token(BEARER)
        .with_retry_policy(RetryPolicy::disabled());
    let _ = client.refresh_token(&refresh_body()).await;
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[1].headers["authorization"],
        format!("Bearer {BEARER}")
    );
}

// ---------------------------------------------------------------------
// (b) Repeats of a POST.
// ---------------------------------------------------------------------

/// A server that accepts the connection, reads the request and resets the
/// connection without answering: the POST may have been processed, so it
/// must not be repeated. (Expected to hold.)
#[tokio::test]
async fn a_post_cut_off_after_sending_is_not_repeated() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            #[allow(deprecated)] // RST on close is the point here
            let _ = socket.set_linger(Some(Duration::ZERO));
            drop(socket);
        }
    });
    let client =
        Client::with_base_url(format!("http://{address}")).with_retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            ..RetryPolicy::default()
        });
    let error = client.refresh_token(&refresh_body()).await.unwrap_err();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(connections.load(Ordering::SeqCst), 1, "{error:?}");
}

// ---------------------------------------------------------------------
// (e) Hostile timing and sizes.
// ---------------------------------------------------------------------

/// Serves `head` then drips `drip` one byte per 100 ms, forever.
async fn dripping_server(head: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(head.as_bytes()).await;
                for _ in 0..600 {
                    if socket.write_all(b" ").await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
        }
    });
    format!("http://{address}")
}

/// A body dripped slower than the timeout allows ends in `Timeout` on time,
/// with and without a declared length. (Expected to hold.)
#[tokio::test]
async fn a_dripping_body_ends_within_the_attempt_timeout() {
    for head in [
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n",
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
    ] {
        let base = dripping_server(head).await;
        let client = Client::with_base_url(base)
            .with_timeout(Duration::from_millis(500))
            .with_retry_policy(RetryPolicy::disabled());
        let started = Instant::now();
        let result = tokio::time::timeout(
            Duration::from_secs(5),
            client.refresh_token(&refresh_body()),
        )
        .await;
        let error = result.expect("the call hung").unwrap_err();
        // The spaces are not a valid chunk-size line: the chunked body may
        // break off before the timeout, with its status.
        assert!(
            matches!(error, Error::Timeout { .. } | Error::Body { .. }),
            "{error:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{:?}",
            started.elapsed()
        );
    }
}

/// Retry-After values built to overflow, on a call that opted in to
/// retries: no panic, and the call ends promptly. (Expected to hold.)
#[tokio::test]
async fn hostile_retry_after_values_do_not_panic_or_stall() {
    for value in [
        "18446744073709551615",
        "99999999999999999999999",
        "-1",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT\u{0}",
        " 0 ",
    ] {
        let Ok(header) = reqwest::header::HeaderValue::from_str(value) else {
            continue;
        };
        let server =
            answering(ResponseTemplate::new(503).insert_header("retry-after", header)).await;
        let client = Client::with_base_url(server.uri())
            .with_retry_policy(RetryPolicy {
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(50),
                ..RetryPolicy::default()
            })
            .with_total_timeout(Duration::from_secs(3));
        let started = Instant::now();
        let error = client
            .assume_idempotent()
            .refresh_token(&refresh_body())
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{value}: {:?} {error:?}",
            started.elapsed()
        );
    }
}

/// A huge response head (many large headers) and a redirect chain within
/// the limit: bounded, typed errors. (Expected to hold.)
#[tokio::test]
async fn huge_headers_end_in_a_typed_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n").await;
                let line = format!("x-big: {}\r\n", "a".repeat(8000));
                for _ in 0..2000 {
                    if socket.write_all(line.as_bytes()).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let client = Client::with_base_url(format!("http://{address}"))
        .with_timeout(Duration::from_secs(5))
        .with_retry_policy(RetryPolicy::disabled());
    let error = client.refresh_token(&refresh_body()).await.unwrap_err();
    // A head came: not `Transport`, which says no response came.
    assert!(matches!(error, Error::ResponseHead { .. }), "{error:?}");
}

/// A body that breaks off after its head (fewer bytes than its declared
/// length, then the connection closes) is an error that keeps the status
/// and the server's request id, for a declared status and an undeclared
/// one alike: not a transport error, which means no response came.
#[tokio::test]
async fn a_body_cut_short_keeps_its_status() {
    for status in [200u16, 500] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 {status} Whatever\r\ncontent-type: application/json\r\n\
                     content-length: 1000\r\nx-request-id: req-7\r\n\r\n{{\"access_"
                );
                let _ = socket.write_all(head.as_bytes()).await;
                drop(socket);
            }
        });
        let client = Client::with_base_url(format!("http://{address}"))
            .with_bearer_token(BEARER)
            .with_retry_policy(RetryPolicy::disabled())
            .with_timeout(Duration::from_secs(5));

        let error = client.refresh_token(&refresh_body()).await.unwrap_err();

        assert!(matches!(error, Error::Body { .. }), "{status}: {error:?}");
        assert_eq!(
            error.status().map(|s| s.as_u16()),
            Some(status),
            "{error:?}"
        );
        assert_eq!(
            error.request().request_id.as_deref(),
            Some("req-7"),
            "{error:?}"
        );
        assert!(leaked(&error).is_empty(), "{error:?}");
    }
}

/// A base URL with a query string fails every call before sending, and
/// says why.
#[tokio::test]
async fn base_url_with_a_query_is_refused_before_sending() {
    let server = answering(ResponseTemplate::new(200)).await;
    let client = Client::with_base_url(format!("{}/?key=base-SECRET", server.uri()));
    let error = client.refresh_token(&refresh_body()).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(!error.to_string().contains("base-SECRET"), "{error}");
    assert!(error.to_string().contains("query string"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}
