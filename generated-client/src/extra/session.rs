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
//!   before the request goes, so a refresh that fails in any way (even a
//!   lost connection, or a cancelled task) is never repeated with it. The
//!   session then ends with a [`SessionError`] that says to log in again.
//! - The app crashes after a refresh without having stored the new refresh
//!   token. Here the app is told about each new pair before any call uses
//!   it ([`SessionBuilder::on_rotate`]); while it cannot store the pair, the
//!   calls fail and the pair stays unused (it is offered again on the next
//!   call).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Mutex;

use crate::types::{HostedLoginRefresh, RefreshTokenError};
use crate::{
    Client, CredentialError, CredentialFuture, CredentialProvider, Error, RetryPolicy, Secret,
};

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
    /// The refresh call failed another way (no answer, another status).
    /// Its refresh token may have been used up on the server, and it is
    /// never sent twice, so the session is over: log in again.
    RefreshFailed { message: String },
    /// A refresh was cancelled (its task dropped) after its refresh token
    /// went out; for the same reason the session is over.
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
    /// [`SessionError::NotStored`]).
    pub fn needs_login(&self) -> bool {
        !matches!(self, SessionError::NotStored { .. })
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
            SessionError::Interrupted => f.write_str(
                "session expired: log in again (a token refresh was cancelled after its refresh token was sent)",
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
///     .build();
/// let client = session.authorize(client);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    /// Sends the refresh calls: no credential provider, no retries.
    client: Client,
    /// The bearer the refresh call carries; `None`: the current access token.
    refresh_bearer: Option<Secret>,
    organization_id: Option<String>,
    on_rotate: Box<OnRotate>,
    state: Mutex<State>,
    /// `State::round`, readable without the lock: a call notes it before
    /// waiting, to tell whether a refresh failed while it waited.
    rounds: AtomicU64,
}

struct State {
    access: Option<Secret>,
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
}

impl Session {
    /// A session that logs in with `refresh_token`. `client` sends the
    /// refresh calls (its base URL, HTTP client and timeouts are used; its
    /// credentials and retry policy are not: a refresh is never retried).
    pub fn builder(client: Client, refresh_token: impl Into<Secret>) -> SessionBuilder {
        SessionBuilder {
            client,
            refresh_token: refresh_token.into(),
            access_token: None,
            refresh_bearer: None,
            organization_id: None,
            on_rotate: Box::new(|_| Ok(())),
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
    /// covers it), e.g. an API key. Without it, the current access token.
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
    /// can store the new refresh token (the old one is revoked). An error
    /// fails the calls that waited for the pair, and the pair stays unused
    /// until a later call offers it again and this succeeds. It runs while
    /// the session is locked: keep it short (a file or keychain write).
    pub fn on_rotate(
        mut self,
        store: impl Fn(&TokenPair) -> Result<(), RotationError> + Send + Sync + 'static,
    ) -> Self {
        self.on_rotate = Box::new(store);
        self
    }

    pub fn build(self) -> Session {
        let client = self
            .client
            .without_credentials()
            .with_retry_policy(RetryPolicy::disabled());
        let state = State {
            access: self.access_token,
            refresh: Some(self.refresh_token),
            unstored: None,
            ended: None,
            round: 0,
            last_failure: None,
        };
        Session {
            inner: Arc::new(Inner {
                client,
                refresh_bearer: self.refresh_bearer,
                organization_id: self.organization_id,
                on_rotate: self.on_rotate,
                state: Mutex::new(state),
                rounds: AtomicU64::new(0),
            }),
        }
    }
}

impl Inner {
    async fn access_token(&self) -> Result<Secret, SessionError> {
        let seen = self.rounds.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if let Some(ended) = &state.ended {
            return Err(ended.clone());
        }
        if let (Some(access), None) = (&state.access, &state.unstored) {
            return Ok(access.clone());
        }
        if let (true, Some(failure)) = (state.round != seen, &state.last_failure) {
            return Err(failure.clone());
        }
        self.renew(&mut state).await
    }

    /// A call carrying `rejected` was answered `401`.
    async fn renew_rejected(&self, rejected: &Secret) -> Result<bool, SessionError> {
        let seen = self.rounds.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if let Some(ended) = &state.ended {
            return Err(ended.clone());
        }
        // Another call has refreshed since this one got its token.
        if state
            .access
            .as_ref()
            .is_some_and(|access| access != rejected)
            && state.unstored.is_none()
        {
            return Ok(true);
        }
        if let (true, Some(failure)) = (state.round != seen, &state.last_failure) {
            return Err(failure.clone());
        }
        self.renew(&mut state).await.map(|_| true)
    }

    /// One refresh, with the lock held: every other call waits for it.
    async fn renew(&self, state: &mut State) -> Result<Secret, SessionError> {
        let result = self.new_pair(state).await;
        state.round += 1;
        self.rounds.store(state.round, Ordering::Release);
        state.last_failure = result.as_ref().err().cloned();
        result
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
                    Err(ended) => {
                        state.ended = Some(ended.clone());
                        return Err(ended);
                    }
                }
            }
        };
        if let Err(source) = (self.on_rotate)(&pair) {
            state.unstored = Some(pair);
            return Err(SessionError::NotStored {
                source: Arc::from(source),
            });
        }
        state.access = Some(pair.access_token.clone());
        state.refresh = Some(pair.refresh_token);
        Ok(pair.access_token)
    }

    /// The refresh call, through the generated `refresh_token` operation of
    /// a client without this session as its provider.
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
            organization_id: self.organization_id.clone(),
            refresh_token: refresh_token.expose().to_owned(),
        };
        match client.refresh_token(&body).await {
            Ok(answer) => {
                let answer = answer.into_inner();
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

/// What a failed refresh means for the session. Error text of the
/// generated client never holds the tokens it sent.
fn refresh_failure(error: &Error<RefreshTokenError>) -> SessionError {
    match error.status().map(|status| status.as_u16()) {
        Some(status @ (401 | 422)) => SessionError::Expired { status },
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
