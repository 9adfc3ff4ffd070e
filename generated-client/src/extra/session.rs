//! An Almanac session: the access token every call needs, kept valid by
//! the API's one operation, `POST /v1/auth/token/refresh`, which answers a
//! refresh token with a new access token *and a new refresh token* and
//! revokes the old one (rotation: using it again is answered `401`).
//!
//! What makes this hard by hand, and how the session handles it:
//! - Two tasks hit a `401` at once and both refresh; the second sends the
//!   already-rotated token and the user is logged out. Here every refresh
//!   happens under one lock (single flight): a call that waited compares the
//!   token it was refused with the current one and, when another call has
//!   already refreshed, simply uses the new one.
//! - A refresh token is sent at most once: it is taken out of the session
//!   before the request goes, so a refresh that fails after it may have
//!   been sent (a lost connection, a timeout, another status) is never
//!   repeated with it: the server may have rotated it already, and sending
//!   a rotated token again is what rotation reads as theft (it revokes the
//!   whole login). The session then ends with a [`SessionError`] that says
//!   to log in again. A refresh the client can prove it never sent (the
//!   connection could not be made, a hook stopped it; see
//!   [`Error::delivery`]) keeps its token, and a later call tries again.
//!   The refresh runs in a task of its own, so a call that gives up while
//!   it is under way (a timeout, a dropped request handler) does not cut it
//!   short: the new pair is still stored for the other calls.
//! - The refresh follows no redirect: a redirect would send the refresh
//!   token again (a `307`), or hand the session a token pair from wherever
//!   it leads (a `303` to another host that answers with tokens of its
//!   own). Its HTTP client must be one whose redirects the runtime decides
//!   ([`Client::redirects_are_checked`]), or [`SessionBuilder::build`]
//!   refuses it.
//! - The app crashes after a refresh without having stored the new refresh
//!   token. Here the app is told about each new pair before any call uses
//!   it ([`SessionBuilder::on_rotate`]); while it cannot store the pair, the
//!   calls fail and the pair stays unused (it is offered again on the next
//!   call).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::types::{HostedLoginRefresh, RefreshTokenError};
use crate::{
    Client, CredentialError, CredentialFuture, CredentialProvider, Delivery, Error, RedirectPolicy,
    RetryPolicy, Secret,
};

/// By default, a `401` to an access token the session got less than this
/// long ago is the answer, not a reason to refresh again (see
/// [`SessionBuilder::min_token_age`]).
const MIN_TOKEN_AGE: Duration = Duration::from_secs(5);

/// Why the app could not store a new token pair.
pub type RotationError = Box<dyn std::error::Error + Send + Sync>;

type OnRotate = dyn Fn(&TokenPair) -> Result<(), RotationError> + Send + Sync;

/// A new access token and refresh token, as the refresh call returned them.
/// `Debug` shows neither token.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenPair {
    pub access_token: Secret,
    /// Store this one: it is what logs the app in next time.
    pub refresh_token: Secret,
    /// The organisation the tokens are bound to, when the API says.
    pub organization_id: Option<String>,
}

/// Why a session has no access token to give. Calls that fail for it
/// return [`Error::Credential`], whose `source` downcasts to this type:
/// `source.downcast_ref::<SessionError>()`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SessionError {
    /// The API refused the refresh token (`401` or `422`): it was revoked,
    /// expired or already used. Log in again.
    Expired { status: u16 },
    /// The refresh call failed after its refresh token may have reached
    /// the server (no answer in time, a broken connection, another
    /// status). The server may have used it up, and it is never sent
    /// twice, so the session is over: log in again.
    RefreshFailed { message: String },
    /// The refresh was answered with a redirect (`status`), which a
    /// refresh never follows; its refresh token reached the server, so for
    /// the same reason the session is over.
    Redirected { status: u16 },
    /// The refresh call could not be sent (the network is down, a hook
    /// stopped it); its refresh token was not used, and the next call
    /// tries again.
    NotSent { message: String },
    /// A refresh did not finish (its task panicked, or the runtime shut
    /// down) and its refresh token may have been sent; for the same reason
    /// the session is over.
    Interrupted,
    /// The application could not store the new pair
    /// ([`SessionBuilder::on_rotate`] failed). No call uses it; the next
    /// call offers it to the application again.
    NotStored {
        source: Arc<dyn std::error::Error + Send + Sync>,
    },
}

impl SessionError {
    /// Whether the user has to log in again (every case but
    /// [`SessionError::NotStored`] and [`SessionError::NotSent`]).
    pub fn needs_login(&self) -> bool {
        !matches!(
            self,
            SessionError::NotStored { .. } | SessionError::NotSent { .. }
        )
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Expired { status } => {
                write!(f, "session expired: log in again (the refresh token was refused with status {status})")
            }
            SessionError::RefreshFailed { message } => write!(
                f,
                "session expired: log in again (the token refresh failed, and a refresh token is never sent twice: {message})"
            ),
            SessionError::Redirected { status } => write!(
                f,
                "session expired: log in again (the token refresh was answered with a redirect ({status}), which a refresh never follows, and a refresh token is never sent twice)"
            ),
            SessionError::NotSent { message } => write!(
                f,
                "the token refresh could not be sent, so its refresh token is unused and the next call tries again: {message}"
            ),
            SessionError::Interrupted => f.write_str(
                "session expired: log in again (a token refresh did not finish, and its refresh token may have been sent)",
            ),
            SessionError::NotStored { source } => {
                write!(f, "the new session tokens could not be stored, so no call uses them: {source}")
            }
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::NotStored { source } => Some(&**source),
            _ => None,
        }
    }
}

/// Why [`SessionBuilder::build`] refused to build a session.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SessionBuildError {
    /// The client's HTTP client was given to [`Client::with_http_client`]
    /// and may follow redirects before the runtime sees them, which would
    /// carry the refresh token wherever a server points. Give its builder
    /// to [`Client::with_http_client_builder`] instead.
    UncheckedRedirects,
    /// The base URL is plain `http` to a host other than this machine:
    /// anyone on the network path could read the tokens, or answer the
    /// refresh with a pair of its own choosing and pick the account the
    /// client acts as.
    InsecureBaseUrl,
}

impl fmt::Display for SessionBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionBuildError::UncheckedRedirects => f.write_str(
                "the session's client uses a reqwest::Client given to `with_http_client`, which may follow redirects and carry the refresh token elsewhere; give its builder to `with_http_client_builder` instead",
            ),
            SessionBuildError::InsecureBaseUrl => f.write_str(
                "the session's base URL is plain http to another machine, where the network could read the tokens or replace them; use https",
            ),
        }
    }
}

impl std::error::Error for SessionBuildError {}

/// Keeps a client logged in: the bearer token provider for
/// [`Client::with_bearer_token_provider`]. Cheap to clone; clones (and
/// every client they are given to) share one session.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use almanac_client::Client;
/// use almanac_client::extra::Session;
///
/// let client = Client::new();
/// let session = Session::builder(client.clone(), "stored-refresh-token")
///     .on_rotate(|pair| {
///         // Persist `pair.refresh_token.expose()` before it is used.
///         Ok(())
///     })
///     .build()?;
/// let client = session.authorize(client);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

type StateGuard = OwnedMutexGuard<State>;

struct Inner {
    /// Sends the refresh calls: no credential provider, no retries.
    client: Client,
    /// The bearer the refresh call carries; `None`: the current access token.
    refresh_bearer: Option<Secret>,
    organization_id: Option<String>,
    on_rotate: Box<OnRotate>,
    min_token_age: Duration,
    /// Shared with the refresh task, which holds it while it runs.
    state: Arc<Mutex<State>>,
    /// `State::round`, readable without the lock: a call notes it before
    /// waiting, to tell whether a refresh failed while it waited.
    rounds: AtomicU64,
}

struct State {
    access: Option<Secret>,
    /// When the session itself got `access` (`None`: the app gave it).
    minted: Option<Instant>,
    /// The refresh token to send next; taken out before it is sent, so it
    /// goes out at most once.
    refresh: Option<Secret>,
    /// A pair the application could not store yet: not used until it can.
    unstored: Option<TokenPair>,
    /// Why the session is over, for good.
    ended: Option<SessionError>,
    /// How many refreshes (attempts to get a new pair) have finished.
    round: u64,
    /// How the last one failed, for the calls that waited for it.
    last_failure: Option<SessionError>,
}

/// How a [`Session`] is set up; from [`Session::builder`].
pub struct SessionBuilder {
    client: Client,
    refresh_token: Secret,
    access_token: Option<Secret>,
    refresh_bearer: Option<Secret>,
    organization_id: Option<String>,
    on_rotate: Box<OnRotate>,
    min_token_age: Duration,
}

impl Session {
    /// A session that logs in with `refresh_token`. `client` sends the
    /// refresh calls (its base URL, HTTP client, timeouts and hooks are
    /// used; its credentials, retry policy and redirect policy are not: a
    /// refresh is never retried and follows no redirect).
    pub fn builder(client: Client, refresh_token: impl Into<Secret>) -> SessionBuilder {
        SessionBuilder {
            client,
            refresh_token: refresh_token.into(),
            access_token: None,
            refresh_bearer: None,
            organization_id: None,
            on_rotate: Box::new(|_| Ok(())),
            min_token_age: MIN_TOKEN_AGE,
        }
    }

    /// `client`, sending this session's access token on every call.
    pub fn authorize(&self, client: Client) -> Client {
        client.with_bearer_token_provider(self.clone())
    }

    /// The access token calls send now; refreshes first when there is none
    /// (a session built without one, or after a refused token).
    pub async fn access_token(&self) -> Result<Secret, SessionError> {
        self.inner.access_token().await
    }
}

impl SessionBuilder {
    /// The access token the app already holds, used until it is refused;
    /// without one the first call refreshes first.
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The bearer the refresh call itself carries (the spec's `bearerAuth`
    /// covers it), e.g. an API key. Without it, the current access token,
    /// and none when the session has none yet (built without one): set this
    /// when the server asks for a bearer on every refresh.
    pub fn refresh_bearer(mut self, token: impl Into<Secret>) -> Self {
        self.refresh_bearer = Some(token.into());
        self
    }

    /// The organisation to refresh into. Without it the API uses the
    /// organisation bound to the refresh token.
    pub fn organization_id(mut self, id: impl Into<String>) -> Self {
        self.organization_id = Some(id.into());
        self
    }

    /// Called with every new pair before any call uses it, so that the app
    /// can store the new refresh token (the old one is revoked). An error,
    /// or a panic, fails the calls that waited for the pair, and the pair
    /// stays unused until a later call offers it again and this succeeds.
    /// It runs while the session is locked: keep it short (a file or
    /// keychain write).
    pub fn on_rotate(
        mut self,
        store: impl Fn(&TokenPair) -> Result<(), RotationError> + Send + Sync + 'static,
    ) -> Self {
        self.on_rotate = Box::new(store);
        self
    }

    /// How old an access token the session got must be before a `401` to
    /// it makes the session refresh (5 s by default). A `401` to a younger
    /// one is the call's answer: an operation that refuses every token (a
    /// missing scope, another organisation) would otherwise rotate the
    /// tokens on every call.
    pub fn min_token_age(mut self, age: Duration) -> Self {
        self.min_token_age = age;
        self
    }

    /// The session; refused when `client`'s HTTP client may follow
    /// redirects on its own, or its base URL is plain `http` to another
    /// machine (see [`SessionBuildError`]).
    pub fn build(self) -> Result<Session, SessionBuildError> {
        if !self.client.redirects_are_checked() {
            return Err(SessionBuildError::UncheckedRedirects);
        }
        if !secure_enough(self.client.base_url()) {
            return Err(SessionBuildError::InsecureBaseUrl);
        }
        let client = self
            .client
            .without_credentials()
            .with_retry_policy(RetryPolicy::disabled())
            .with_redirect_policy(RedirectPolicy::none());
        let state = State {
            access: self.access_token,
            minted: None,
            refresh: Some(self.refresh_token),
            unstored: None,
            ended: None,
            round: 0,
            last_failure: None,
        };
        Ok(Session {
            inner: Arc::new(Inner {
                client,
                refresh_bearer: self.refresh_bearer,
                organization_id: self.organization_id,
                on_rotate: self.on_rotate,
                min_token_age: self.min_token_age,
                state: Arc::new(Mutex::new(state)),
                rounds: AtomicU64::new(0),
            }),
        })
    }
}

impl Inner {
    async fn access_token(self: &Arc<Self>) -> Result<Secret, SessionError> {
        let seen = self.rounds.load(Ordering::Acquire);
        let state = self.state.clone().lock_owned().await;
        if let Some(ended) = &state.ended {
            return Err(ended.clone());
        }
        if let (Some(access), None) = (&state.access, &state.unstored) {
            return Ok(access.clone());
        }
        if let (true, Some(failure)) = (state.round != seen, &state.last_failure) {
            return Err(failure.clone());
        }
        self.renew(state).await
    }

    /// A call carrying `rejected` was answered `401`: whether it may be
    /// repeated with a new token.
    async fn renew_rejected(self: &Arc<Self>, rejected: &Secret) -> Result<bool, SessionError> {
        let seen = self.rounds.load(Ordering::Acquire);
        let state = self.state.clone().lock_owned().await;
        if let Some(ended) = &state.ended {
            return Err(ended.clone());
        }
        if state.unstored.is_none() {
            match &state.access {
                // Another call has refreshed since this one got its token.
                Some(access) if access != rejected => return Ok(true),
                // Refused although just issued: the operation refuses it,
                // not because it expired; the 401 is the answer.
                Some(_)
                    if state
                        .minted
                        .is_some_and(|at| at.elapsed() < self.min_token_age) =>
                {
                    return Ok(false);
                }
                _ => {}
            }
        }
        if let (true, Some(failure)) = (state.round != seen, &state.last_failure) {
            return Err(failure.clone());
        }
        self.renew(state).await.map(|_| true)
    }

    /// One refresh, with the lock held: every other call waits for it. It
    /// runs in a task of its own that owns the lock, so the call that
    /// started it may give up without cutting it short.
    async fn renew(self: &Arc<Self>, mut state: StateGuard) -> Result<Secret, SessionError> {
        let inner = self.clone();
        let task = tokio::spawn(async move {
            let result = inner.new_pair(&mut state).await;
            state.round += 1;
            inner.rounds.store(state.round, Ordering::Release);
            state.last_failure = result.as_ref().err().cloned();
            result
        });
        // A task that did not finish (it panicked) has dropped the lock
        // with the refresh token taken: the next call sees the session over.
        task.await.unwrap_or(Err(SessionError::Interrupted))
    }

    async fn new_pair(&self, state: &mut State) -> Result<Secret, SessionError> {
        let pair = match state.unstored.take() {
            // Received earlier, never used: the app gets another chance.
            Some(pair) => pair,
            None => {
                let Some(refresh_token) = state.refresh.take() else {
                    // Taken by a refresh that never finished.
                    state.ended = Some(SessionError::Interrupted);
                    return Err(SessionError::Interrupted);
                };
                let bearer = self.refresh_bearer.clone().or_else(|| state.access.clone());
                match self.refresh(&refresh_token, bearer).await {
                    Ok(pair) => pair,
                    // Provably never sent: the refresh token is still unused.
                    Err(failure @ SessionError::NotSent { .. }) => {
                        state.refresh = Some(refresh_token);
                        return Err(failure);
                    }
                    Err(ended) => {
                        state.ended = Some(ended.clone());
                        return Err(ended);
                    }
                }
            }
        };
        if let Err(source) = self.store(&pair) {
            state.unstored = Some(pair);
            return Err(SessionError::NotStored {
                source: Arc::from(source),
            });
        }
        state.access = Some(pair.access_token.clone());
        state.minted = Some(Instant::now());
        state.refresh = Some(pair.refresh_token);
        Ok(pair.access_token)
    }

    /// The application's `on_rotate`, a panic in it taken as its error (the
    /// pair then stays unused, as after an error, rather than being lost
    /// with the refresh task).
    fn store(&self, pair: &TokenPair) -> Result<(), RotationError> {
        let stored =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.on_rotate)(pair)));
        stored.unwrap_or_else(|_| Err("`on_rotate` panicked".into()))
    }

    /// The refresh call, through the generated `refresh_token` operation of
    /// a client without this session as its provider. A failure is
    /// [`SessionError::NotSent`] only when the refresh token provably never
    /// left the client.
    async fn refresh(
        &self,
        refresh_token: &Secret,
        bearer: Option<Secret>,
    ) -> Result<TokenPair, SessionError> {
        let client = match bearer {
            Some(bearer) => self.client.clone().with_bearer_token(bearer),
            None => self.client.clone(),
        };
        let body = HostedLoginRefresh {
            organization_id: self.organization_id.clone().into(),
            refresh_token: refresh_token.expose().to_owned(),
        };
        match client.refresh_token(&body).await {
            Ok(answer) => {
                let answer = answer.into_inner();
                // A token no call could send would leave the session stuck
                // (every call refused before it is sent, no 401 to renew
                // it); the refresh token it came with may be the only one.
                if reqwest::header::HeaderValue::from_str(&answer.access_token).is_err() {
                    return Err(SessionError::RefreshFailed {
                        message:
                            "the server issued an access token that is not valid in an HTTP header"
                                .into(),
                    });
                }
                Ok(TokenPair {
                    access_token: Secret::new(answer.access_token),
                    refresh_token: Secret::new(answer.refresh_token),
                    organization_id: answer.organization_id,
                })
            }
            Err(error) => Err(refresh_failure(&error)),
        }
    }
}

/// Whether tokens may travel to `base_url`: over https, or plain http to
/// this machine (a local server, a test). A URL that does not parse is left
/// to the calls, which refuse it.
fn secure_enough(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return true;
    };
    let host = url.host_str().unwrap_or_default();
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

/// What a failed refresh means for the session. Error text of the
/// generated client never holds the tokens it sent.
fn refresh_failure(error: &Error<RefreshTokenError>) -> SessionError {
    if error.delivery() == Delivery::NotSent {
        return SessionError::NotSent {
            message: error.to_string(),
        };
    }
    match (error, error.status().map(|status| status.as_u16())) {
        (Error::Redirect { .. }, Some(status)) => SessionError::Redirected { status },
        (_, Some(status @ (401 | 422))) => SessionError::Expired { status },
        _ => SessionError::RefreshFailed {
            message: error.to_string(),
        },
    }
}

impl CredentialProvider for Session {
    fn credential(&self) -> CredentialFuture<'_, Secret> {
        Box::pin(async move {
            self.inner
                .access_token()
                .await
                .map_err(CredentialError::new)
        })
    }

    fn on_unauthorized<'a>(&'a self, rejected: &'a Secret) -> CredentialFuture<'a, bool> {
        Box::pin(async move {
            self.inner
                .renew_rejected(rejected)
                .await
                .map_err(CredentialError::new)
        })
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("organization_id", &self.inner.organization_id)
            .field(
                "refresh_bearer",
                &self.inner.refresh_bearer.as_ref().map(|_| "***"),
            )
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("organization_id", &self.organization_id)
            .finish_non_exhaustive()
    }
}
