//! Putting credentials on a request: a fixed one is set once, as it always
//! was; a provided one is asked of its provider before every attempt (the
//! first, each retry, and the one repeat after a `401` it renewed). Above
//! `request.rs` (the request) and `credentials.rs` (what a credential is).

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::credentials::{Asked, Credential, CredentialProvider, Place, base64};
use super::headers::{Headers, secret_header_value, valid_header_name};
use super::params;
use super::request::PendingRequest;
use super::{Error, Failure, Secret, SentSecrets};

/// The entry points the generated operations call: a fixed credential goes
/// the way it always went; a provided one is noted, to be asked for.
impl PendingRequest {
    pub fn bearer_credential(&mut self, credential: &Credential) -> Result<(), Failure> {
        match credential {
            Credential::Fixed(token, header) => {
                let built = header.get_or_build(|| {
                    let name = reqwest::header::AUTHORIZATION;
                    let value = secret_header_value(
                        &name,
                        Bytes::from(format!("Bearer {}", token.expose())),
                    )?;
                    Ok((name, value))
                });
                self.fixed_header(token, built)
            }
            Credential::Provided(provider) => {
                self.ask(Place::Bearer, provider);
                Ok(())
            }
        }
    }

    pub fn basic_credential(
        &mut self,
        username: &Secret,
        password: &Credential,
    ) -> Result<(), Failure> {
        match password {
            Credential::Fixed(password, _) => self.basic_auth(username, Some(password)),
            Credential::Provided(provider) => {
                self.ask(
                    Place::Basic {
                        username: username.clone(),
                    },
                    provider,
                );
                Ok(())
            }
        }
    }

    pub fn header_credential(
        &mut self,
        name: &str,
        credential: &Credential,
    ) -> Result<(), Failure> {
        match credential {
            Credential::Fixed(value, header) => {
                let built = header.get_or_build(|| {
                    let name = valid_header_name(name)?;
                    let value = secret_header_value(
                        &name,
                        Bytes::copy_from_slice(value.expose().as_bytes()),
                    )?;
                    Ok((name, value))
                });
                self.fixed_header(value, built)
            }
            Credential::Provided(provider) => {
                let name = self.header_name(name)?;
                self.ask(Place::Header(name), provider);
                Ok(())
            }
        }
    }

    pub fn query_credential(&mut self, name: &str, credential: &Credential) {
        match credential {
            Credential::Fixed(value, _) => self.secret_query(name, value),
            Credential::Provided(provider) => self.ask(Place::Query(name.to_owned()), provider),
        }
    }

    pub fn cookie_credential(
        &mut self,
        name: &str,
        credential: &Credential,
    ) -> Result<(), Failure> {
        match credential {
            Credential::Fixed(value, _) => self.secret_cookie(name, value),
            Credential::Provided(provider) => {
                if !params::cookie_safe(name) {
                    return Err(self.invalid(format!(
                        "cookie name `{name}` contains a character a cookie cannot carry"
                    )));
                }
                self.ask(Place::Cookie(name.to_owned()), provider);
                Ok(())
            }
        }
    }

    /// A fixed credential's header, as [`FixedHeader`](super::credentials::FixedHeader) keeps it.
    fn fixed_header(
        &mut self,
        secret: &Secret,
        built: &Result<(HeaderName, HeaderValue), String>,
    ) -> Result<(), Failure> {
        let (name, value) = built
            .as_ref()
            .map_err(|reason| self.invalid(reason.clone()))?;
        self.set_credential_header(secret, name.clone(), value.clone());
        Ok(())
    }

    fn ask(&mut self, place: Place, provider: &Arc<dyn CredentialProvider>) {
        self.ask_provider(Asked {
            place,
            provider: provider.clone(),
        });
    }
}

/// The provided credentials of a request being sent: what to ask for,
/// what the current attempt carries, and every secret any attempt sent.
pub(super) struct Asking {
    asked: Vec<Asked>,
    state: Mutex<AskState>,
}

#[derive(Default)]
struct AskState {
    /// This attempt's credential headers (a cookie header includes the
    /// request's other cookies) and query pairs.
    current: AttemptCredentials,
    /// The credential each provider gave for this attempt, in order.
    given: Vec<Secret>,
    /// Every secret sent so far, to blank out of error text.
    sent: SentSecrets,
}

/// What one attempt adds to the request.
#[derive(Clone, Default)]
pub(super) struct AttemptCredentials {
    headers: HeaderMap,
    query: Vec<(String, Secret)>,
}

impl AttemptCredentials {
    /// The query credentials' values.
    pub(super) fn query_secrets(&self) -> impl Iterator<Item = &Secret> {
        self.query.iter().map(|(_, secret)| secret)
    }

    /// The first URL of the attempt, with the query credentials.
    pub(super) fn url<'a>(&self, url: &'a Url) -> Cow<'a, Url> {
        if self.query.is_empty() {
            return Cow::Borrowed(url);
        }
        let mut url = url.clone();
        self.add_query(&mut url);
        Cow::Owned(url)
    }

    /// Adds the query credentials to the URL as the request built it.
    pub(super) fn add_query(&self, url: &mut Url) {
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(k, v)| (k, v.expose())));
        }
    }

    /// Puts the query credentials into a redirect's target within the API,
    /// once each even when its `Location` echoes them.
    pub(super) fn replace_query(&self, url: &mut Url) {
        let keys: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose()))
            .collect();
        super::params::replace_query_pairs(url, &keys);
    }

    /// Adds the credential headers to a request for the API's origin.
    pub(super) fn add_headers(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.headers {
            headers.insert(name, value.clone());
        }
    }
}

impl Asking {
    /// The request's provided credentials (moved out of it); `None` when
    /// every credential is fixed (nothing to do per attempt).
    /// Boxed, so that a request with fixed credentials carries one word.
    pub(super) fn of(asked: Vec<Asked>) -> Option<Box<Self>> {
        if asked.is_empty() {
            return None;
        }
        Some(Box::new(Asking {
            asked,
            state: Mutex::default(),
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AskState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks every provider, before an attempt. `headers` are the request's
    /// own (for the cookies a provided cookie joins).
    pub(super) async fn ask(
        &self,
        request: &PendingRequest,
        headers: &Headers,
    ) -> Result<(), Failure> {
        let mut current = AttemptCredentials::default();
        let mut given = Vec::with_capacity(self.asked.len());
        let mut sent = Vec::new();
        for asked in &self.asked {
            let secret = asked.provider.credential().await.map_err(|source| {
                Failure::new(Error::Credential {
                    request: request.info(),
                    source,
                })
            })?;
            let invalid = |what: &str| {
                request.invalid(format!(
                    "the provided credential for {what} is not valid in HTTP"
                ))
            };
            let header = |text: &str| {
                let mut value =
                    HeaderValue::from_maybe_shared(Bytes::copy_from_slice(text.as_bytes())).ok()?;
                value.set_sensitive(true);
                Some(value)
            };
            sent.push(secret.clone());
            match &asked.place {
                Place::Bearer => {
                    let value = header(&format!("Bearer {}", secret.expose()))
                        .ok_or_else(|| invalid("the bearer token"))?;
                    current
                        .headers
                        .insert(reqwest::header::AUTHORIZATION, value);
                }
                Place::Basic { username } => {
                    let encoded =
                        base64(format!("{}:{}", username.expose(), secret.expose()).as_bytes());
                    let value =
                        header(&format!("Basic {encoded}")).ok_or_else(|| invalid("basic auth"))?;
                    current
                        .headers
                        .insert(reqwest::header::AUTHORIZATION, value);
                    sent.push(Secret::new(encoded));
                }
                Place::Header(name) => {
                    let value = header(secret.expose())
                        .ok_or_else(|| invalid(&format!("header `{name}`")))?;
                    current.headers.insert(name.clone(), value);
                }
                Place::Query(name) => current.query.push((name.clone(), secret.clone())),
                Place::Cookie(name) => {
                    if !params::cookie_safe(secret.expose()) {
                        return Err(invalid(&format!("cookie `{name}`")));
                    }
                    let joined = current
                        .headers
                        .get(reqwest::header::COOKIE)
                        .or(headers.get(&reqwest::header::COOKIE));
                    let text = match joined.and_then(|c| c.to_str().ok()) {
                        Some(others) => format!("{others}; {name}={}", secret.expose()),
                        None => format!("{name}={}", secret.expose()),
                    };
                    let value =
                        header(&text).ok_or_else(|| invalid(&format!("cookie `{name}`")))?;
                    current.headers.insert(reqwest::header::COOKIE, value);
                }
            }
            given.push(secret);
        }
        let mut state = self.lock();
        state.current = current;
        state.given = given;
        state.sent.add_all(sent);
        Ok(())
    }

    /// What the current attempt carries.
    pub(super) fn current(&self) -> AttemptCredentials {
        self.lock().current.clone()
    }

    /// After a `401`: whether any provider has another credential now.
    pub(super) async fn renew(&self, request: &PendingRequest) -> Result<bool, Failure> {
        let given = self.lock().given.clone();
        let mut renewed = false;
        for (asked, rejected) in self.asked.iter().zip(&given) {
            renewed |= asked
                .provider
                .on_unauthorized(rejected)
                .await
                .map_err(|source| {
                    Failure::new(Error::Credential {
                        request: request.info(),
                        source,
                    })
                })?;
        }
        Ok(renewed)
    }

    /// Every secret the attempts sent so far, kept for the end of the call.
    pub(super) fn sent_so_far(&self) -> SentSecrets {
        self.lock().sent.clone()
    }

    /// Every secret the attempts sent.
    pub(super) fn sent(&self) -> SentSecrets {
        std::mem::take(&mut self.lock().sent)
    }
}
