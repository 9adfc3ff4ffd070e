//! The Almanac session (`almanac_client::extra::Session`) against an
//! in-process server that really rotates: each refresh token works once,
//! its reuse is answered `401` (and counted), each refresh issues a new
//! pair and ends the previous access token. (Hand-written.)
//!
//! The API's one operation is the refresh itself, so the "calls" the
//! session authorises are `refresh_token` calls too: the server tells them
//! apart by their body's refresh token (`call-…`, not one it issued) and
//! answers them only for the current access token, `401` otherwise, like
//! any protected endpoint.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use almanac_client::extra::{Session, SessionError};
use almanac_client::types::HostedLoginRefresh;
use almanac_client::{Client, Error};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const FIRST_REFRESH: &str = "refresh-SECRET-0";
const OLD_ACCESS: &str = "access-SECRET-old";

#[derive(Default)]
struct Rotation {
    live_refresh: HashSet<String>,
    used_refresh: HashSet<String>,
    live_access: Option<String>,
    issued: usize,
    /// Refresh requests received, good or bad.
    refreshes: usize,
    /// Refresh requests with a refresh token that was already used.
    reuses: usize,
    /// Answer every refresh with this status instead.
    refuse_with: Option<u16>,
    /// The bearer refresh requests must carry, when set.
    refresh_key: Option<String>,
    refresh_bearers: Vec<Option<String>>,
    refresh_organizations: Vec<Option<String>>,
    /// The bearer of every call, in order.
    call_bearers: Vec<Option<String>>,
}

#[derive(Clone)]
struct Rotating(Arc<Mutex<Rotation>>);

impl Respond for Rotating {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap();
        let body: HostedLoginRefresh = serde_json::from_slice(&request.body).unwrap();
        let bearer = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let unauthorized =
            ResponseTemplate::new(401).set_body_json(json!({"detail": "Unauthorized"}));
        if body.refresh_token.starts_with("call-") {
            let allowed = bearer.is_some() && bearer == state.live_access;
            state.call_bearers.push(bearer);
            return if allowed {
                ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": "call-a", "refresh_token": "call-r"}))
            } else {
                unauthorized
            };
        }
        state.refreshes += 1;
        state.refresh_bearers.push(bearer.clone());
        state
            .refresh_organizations
            .push(body.organization_id.clone().into_value());
        if let Some(status) = state.refuse_with {
            return ResponseTemplate::new(status)
                .set_body_string(format!("no: {}", body.refresh_token));
        }
        if state.refresh_key.is_some() && bearer != state.refresh_key {
            return unauthorized;
        }
        if state.used_refresh.contains(&body.refresh_token) {
            state.reuses += 1;
            return unauthorized;
        }
        if !state.live_refresh.remove(&body.refresh_token) {
            return unauthorized;
        }
        state.used_refresh.insert(body.refresh_token);
        state.issued += 1;
        let (access, refresh) = (
            format!("access-SECRET-{}", state.issued),
            format!("refresh-SECRET-{}", state.issued),
        );
        state.live_access = Some(access.clone());
        state.live_refresh.insert(refresh.clone());
        // Slow enough that concurrent calls pile up behind the refresh.
        ResponseTemplate::new(200)
            .set_body_json(json!({"access_token": access, "refresh_token": refresh, "organization_id": "org-1"}))
            .set_delay(Duration::from_millis(50))
    }
}

struct Server {
    mock: MockServer,
    state: Arc<Mutex<Rotation>>,
}

impl Server {
    /// A server that issued `FIRST_REFRESH`; no access token is valid.
    async fn start() -> Self {
        let mock = MockServer::start().await;
        let state = Arc::new(Mutex::new(Rotation::default()));
        state
            .lock()
            .unwrap()
            .live_refresh
            .insert(FIRST_REFRESH.to_owned());
        Mock::given(method("POST"))
            .and(path("/v1/auth/token/refresh"))
            .respond_with(Rotating(state.clone()))
            .mount(&mock)
            .await;
        Server { mock, state }
    }

    fn client(&self) -> Client {
        Client::with_base_url(self.mock.uri())
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Rotation> {
        self.state.lock().unwrap()
    }

    /// Ends the current access token (it "expires").
    fn expire(&self) {
        self.state().live_access = None;
    }
}

fn call(n: usize) -> HostedLoginRefresh {
    HostedLoginRefresh {
        organization_id: almanac_client::Nullable::Absent,
        refresh_token: format!("call-{n}"),
    }
}

/// `n` calls at once, each from its own task and its own clone.
async fn concurrent_calls(
    client: &Client,
    n: usize,
) -> Vec<Result<(), Error<almanac_client::types::RefreshTokenError>>> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.refresh_token(&call(i)).await.map(drop) })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

fn session_error<E: std::fmt::Debug>(error: &Error<E>) -> &SessionError {
    match error {
        Error::Credential { source, .. } => source
            .downcast_ref::<SessionError>()
            .expect("a session error"),
        other => panic!("not a credential error: {other:?}"),
    }
}

/// Every refresh token the app stored, in order.
type Stored = Arc<Mutex<Vec<String>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_calls_on_an_expired_token_make_one_refresh() {
    let server = Server::start().await;
    let stored = Stored::default();
    let seen_by_server = server.state.clone();
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .access_token(OLD_ACCESS)
        .on_rotate({
            let stored = stored.clone();
            move |pair| {
                // Told before any call used the new token.
                let new = Some(pair.access_token.expose().to_owned());
                assert!(!seen_by_server.lock().unwrap().call_bearers.contains(&new));
                stored
                    .lock()
                    .unwrap()
                    .push(pair.refresh_token.expose().to_owned());
                Ok(())
            }
        })
        .build()
        .unwrap();
    let client = session.authorize(server.client());

    let results = concurrent_calls(&client, 50).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let state = server.state();
    assert_eq!(state.refreshes, 1);
    assert_eq!(state.reuses, 0);
    let new = Some("access-SECRET-1".to_owned());
    assert_eq!(state.call_bearers.iter().filter(|b| **b == new).count(), 50);
    assert_eq!(
        state.refresh_bearers,
        [Some(OLD_ACCESS.to_owned())],
        "the refresh carries the current access token"
    );
    assert_eq!(*stored.lock().unwrap(), ["refresh-SECRET-1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_refresh_fails_every_waiting_call_once() {
    let server = Server::start().await;
    server.state().refuse_with = Some(401);
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .access_token(OLD_ACCESS)
        .build()
        .unwrap();
    let client = session.authorize(server.client());

    let results = concurrent_calls(&client, 20).await;

    for result in &results {
        let error = result.as_ref().unwrap_err();
        assert!(
            matches!(session_error(error), SessionError::Expired { status: 401 }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("session expired: log in again"),
            "{error}"
        );
    }
    // A later call gets the same answer, without another refresh.
    let later = client.refresh_token(&call(99)).await.unwrap_err();
    assert!(session_error(&later).needs_login());
    assert_eq!(server.state().refreshes, 1);
    // 422 (the API's validation error) means the same.
    let server = Server::start().await;
    server.state().refuse_with = Some(422);
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .build()
        .unwrap();
    let error = session
        .authorize(server.client())
        .refresh_token(&call(0))
        .await
        .unwrap_err();
    assert!(
        matches!(session_error(&error), SessionError::Expired { status: 422 }),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_refresh_is_never_repeated_with_the_same_token() {
    let server = Server::start().await;
    // 503 is what the retry policy would retry; the refresh is not.
    server.state().refuse_with = Some(503);
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .access_token(OLD_ACCESS)
        .build()
        .unwrap();
    let client = session.authorize(server.client());

    let first = client.refresh_token(&call(0)).await.unwrap_err();
    server.state().refuse_with = None;
    let second = client.refresh_token(&call(1)).await.unwrap_err();

    for error in [&first, &second] {
        assert!(
            matches!(session_error(error), SessionError::RefreshFailed { .. }),
            "{error:?}"
        );
        // The server echoed the refresh token; the error does not.
        assert!(
            !error.to_string().contains("SECRET") && !format!("{error:?}").contains("SECRET"),
            "{error}"
        );
    }
    let state = server.state();
    assert_eq!((state.refreshes, state.reuses), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_the_app_cannot_store_the_pair_no_call_uses_it() {
    let server = Server::start().await;
    let storable = Arc::new(Mutex::new(false));
    let stored = Stored::default();
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .access_token(OLD_ACCESS)
        .on_rotate({
            let (storable, stored) = (storable.clone(), stored.clone());
            move |pair| {
                if !*storable.lock().unwrap() {
                    return Err("disk full".into());
                }
                stored
                    .lock()
                    .unwrap()
                    .push(pair.refresh_token.expose().to_owned());
                Ok(())
            }
        })
        .build()
        .unwrap();
    let client = session.authorize(server.client());

    let results = concurrent_calls(&client, 10).await;

    for result in &results {
        let error = result.as_ref().unwrap_err();
        let session_error = session_error(error);
        assert!(
            matches!(session_error, SessionError::NotStored { .. }) && !session_error.needs_login(),
            "{error:?}"
        );
        assert!(error.to_string().contains("disk full"), "{error}");
    }
    let new = Some("access-SECRET-1".to_owned());
    assert!(!server.state().call_bearers.contains(&new));

    // Once the app can store it, the same pair is offered again and used:
    // nothing is lost and nothing is refreshed twice.
    *storable.lock().unwrap() = true;
    client.refresh_token(&call(10)).await.unwrap();
    assert_eq!(*stored.lock().unwrap(), ["refresh-SECRET-1"]);
    let state = server.state();
    assert_eq!((state.refreshes, state.reuses), (1, 0));
    assert_eq!(state.call_bearers.last(), Some(&new));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clones_and_other_clients_use_the_new_token() {
    let server = Server::start().await;
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .access_token(OLD_ACCESS)
        .build()
        .unwrap();
    let client = session.authorize(server.client());
    let clone = client.clone();
    let other = session
        .clone()
        .authorize(server.client().with_timeout(Duration::from_secs(5)));

    client.refresh_token(&call(0)).await.unwrap();
    clone.refresh_token(&call(1)).await.unwrap();
    other.refresh_token(&call(2)).await.unwrap();

    let state = server.state();
    assert_eq!(state.refreshes, 1);
    let new = Some("access-SECRET-1".to_owned());
    assert_eq!(state.call_bearers[1..], [new.clone(), new.clone(), new]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotated_refresh_tokens_are_never_sent_again() {
    let server = Server::start().await;
    let stored = Stored::default();
    let session = Session::builder(server.client(), FIRST_REFRESH)
        // Tokens here "expire" within milliseconds.
        .min_token_age(Duration::ZERO)
        .on_rotate({
            let stored = stored.clone();
            move |pair| {
                stored
                    .lock()
                    .unwrap()
                    .push(pair.refresh_token.expose().to_owned());
                Ok(())
            }
        })
        .build()
        .unwrap();
    let client = session.authorize(server.client());

    for _ in 0..5 {
        let results = concurrent_calls(&client, 10).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        server.expire();
    }

    let state = server.state();
    assert_eq!((state.refreshes, state.reuses), (5, 0));
    assert_eq!(stored.lock().unwrap().len(), 5);
    assert_eq!(
        stored.lock().unwrap().last().map(String::as_str),
        Some("refresh-SECRET-5")
    );
}

#[tokio::test]
async fn the_refresh_carries_its_own_bearer_and_the_organization() {
    let server = Server::start().await;
    server.state().refresh_key = Some("api-key-SECRET".into());
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .refresh_bearer("api-key-SECRET")
        .organization_id("org-7")
        .build()
        .unwrap();
    let client = session.authorize(server.client());

    client.refresh_token(&call(0)).await.unwrap();

    let state = server.state();
    assert_eq!(state.refresh_bearers, [Some("api-key-SECRET".to_owned())]);
    assert_eq!(state.refresh_organizations, [Some("org-7".to_owned())]);
    // Built without an access token, the session refreshed before the call.
    assert_eq!(state.call_bearers, [Some("access-SECRET-1".to_owned())]);
}

#[tokio::test]
async fn no_token_shows_in_debug_output_or_errors() {
    let server = Server::start().await;
    server.state().refuse_with = Some(401);
    let builder = Session::builder(server.client(), FIRST_REFRESH)
        .access_token(OLD_ACCESS)
        .refresh_bearer("api-key-SECRET");
    let builder_text = format!("{builder:?}");
    let session = builder.build().unwrap();
    let client = session.authorize(server.client());
    let error = client.refresh_token(&call(0)).await.unwrap_err();
    for text in [
        builder_text,
        format!("{session:?}"),
        format!("{client:?}"),
        format!("{error:?}"),
        error.to_string(),
    ] {
        assert!(!text.contains("SECRET"), "{text}");
    }
}

#[tokio::test]
async fn a_caller_giving_up_does_not_cut_the_refresh_short() {
    let server = Server::start().await;
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .build()
        .unwrap();

    // The server takes 50 ms to answer a refresh; the caller gives up sooner.
    let gave_up = tokio::time::timeout(Duration::from_millis(10), session.access_token()).await;
    assert!(gave_up.is_err(), "the refresh finished first");
    // The refresh went on without it: the next call gets its token.
    let token = session.access_token().await.unwrap();

    assert_eq!(token.expose(), "access-SECRET-1");
    let state = server.state();
    assert!(
        state.refreshes == 1 && state.reuses == 0,
        "{} refreshes, {} reuses",
        state.refreshes,
        state.reuses
    );
}

/// An operation that refuses every token (a missing scope) gets its 401
/// back; the session does not rotate the tokens on every such call.
#[tokio::test]
async fn a_401_to_a_fresh_token_is_the_answer() {
    let server = Server::start().await;
    let session = Session::builder(server.client(), FIRST_REFRESH)
        .build()
        .unwrap();
    let client = session.authorize(server.client());
    client.refresh_token(&call(0)).await.unwrap();
    server.expire(); // from now on every call is refused

    for n in 1..4 {
        let error = client.refresh_token(&call(n)).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    }

    let state = server.state();
    assert_eq!((state.refreshes, state.reuses), (1, 0));
    // Each refused call was sent once: no repeat with the same token.
    assert_eq!(state.call_bearers.len(), 4);
}
