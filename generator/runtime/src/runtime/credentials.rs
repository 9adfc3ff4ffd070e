//! Credentials that may change while the client runs. A security scheme's
//! credential is either fixed when the client is made (sent as it always
//! was, with nothing asked or allocated per attempt) or taken from a
//! [`CredentialProvider`], asked before every attempt: the first, each
//! retry, and the one repeat after a `401` that the provider renewed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use reqwest::header::{HeaderName, HeaderValue};

use super::Secret;

/// What a [`CredentialProvider`] hands back: a boxed future, so that the
/// trait stays object-safe (clients keep `Arc<dyn CredentialProvider>`)
/// and a provider may wait (for a token refresh, say).
pub type CredentialFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, CredentialError>> + Send + 'a>>;

/// Where a scheme's credential comes from when it can change while the
/// client runs (a short-lived access token, a rotated API key). The client
/// asks for it before every attempt of every call, retries included, so
/// the client and all its clones follow the provider.
///
/// A closure `Fn() -> Result<Secret, CredentialError>` is a provider.
pub trait CredentialProvider: Send + Sync {
    /// The credential to send now.
    fn credential(&self) -> CredentialFuture<'_, Secret>;

    /// The server answered `401 Unauthorized` to a request that carried
    /// `rejected`. Return `true` when a call made now would carry another
    /// credential (the provider renewed it, or already had): the client
    /// then repeats the request once with it. That repeat is safe even for
    /// a POST: a `401` says the server refused the request before acting on
    /// it. The default keeps the `401`.
    fn on_unauthorized<'a>(&'a self, rejected: &'a Secret) -> CredentialFuture<'a, bool> {
        let _ = rejected;
        Box::pin(std::future::ready(Ok(false)))
    }
}

impl<F> CredentialProvider for F
where
    F: Fn() -> Result<Secret, CredentialError> + Send + Sync,
{
    fn credential(&self) -> CredentialFuture<'_, Secret> {
        Box::pin(std::future::ready(self()))
    }
}

/// Why a provider had no credential to give. It carries the provider's own
/// error, for [`Self::downcast_ref`]; cheap to clone, so that one failure
/// can be handed to every call that waited for it.
#[derive(Clone)]
pub struct CredentialError(Arc<dyn std::error::Error + Send + Sync>);

impl CredentialError {
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        CredentialError(Arc::from(error.into()))
    }

    /// The provider's error.
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }

    /// The provider's error, if it is a `T`.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.get_ref().downcast_ref()
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CredentialError").field(&self.0).finish()
    }
}

impl std::error::Error for CredentialError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// A scheme's credential as the client holds it.
#[derive(Clone)]
pub(crate) enum Credential {
    /// Fixed when the client was made; a credential sent in a header keeps
    /// the header it makes.
    Fixed(Secret, FixedHeader),
    Provided(Arc<dyn CredentialProvider>),
}

impl Credential {
    pub fn fixed(secret: Secret) -> Self {
        Credential::Fixed(secret, FixedHeader::default())
    }

    pub fn provided(provider: impl CredentialProvider + 'static) -> Self {
        Credential::Provided(Arc::new(provider))
    }
}

impl From<Secret> for Credential {
    fn from(secret: Secret) -> Self {
        Credential::fixed(secret)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Fixed(..) => f.write_str("Fixed(***)"),
            Credential::Provided(_) => f.write_str("Provided(..)"),
        }
    }
}

/// The header a fixed credential makes (`Authorization: Bearer <token>`,
/// an API key's header), built and checked at its first call and kept,
/// marked sensitive: a call then adds a shared copy of it, which is not
/// formatted, checked or allocated again. A credential that makes no
/// valid header keeps why, for each call to report. (A client's credential
/// belongs to one security scheme, so it always makes the same header; a
/// new credential starts with nothing kept.)
#[derive(Clone, Default)]
pub(crate) struct FixedHeader(Arc<OnceLock<Result<(HeaderName, HeaderValue), String>>>);

impl FixedHeader {
    pub(super) fn get_or_build(
        &self,
        build: impl FnOnce() -> Result<(HeaderName, HeaderValue), String>,
    ) -> &Result<(HeaderName, HeaderValue), String> {
        self.0.get_or_init(build)
    }
}

/// Where a provided credential goes in the request.
#[derive(Clone)]
pub(super) enum Place {
    Bearer,
    Basic { username: Secret },
    Header(HeaderName),
    Query(String),
    Cookie(String),
}

/// A credential the request asks its provider for, before each attempt.
#[derive(Clone)]
pub(super) struct Asked {
    pub(super) place: Place,
    pub(super) provider: Arc<dyn CredentialProvider>,
}

impl Asked {
    /// The query parameter's name, for a credential sent in the query.
    pub(super) fn query_name(&self) -> Option<&str> {
        match &self.place {
            Place::Query(name) => Some(name),
            _ => None,
        }
    }
}

/// Standard base64, for the `Basic` credential.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_do_not_print() {
        let fixed = Credential::fixed(Secret::new("tok-SECRET"));
        let provided = Credential::provided(|| Ok(Secret::new("tok-SECRET")));
        assert_eq!(format!("{fixed:?} {provided:?}"), "Fixed(***) Provided(..)");
    }

    #[test]
    fn provider_errors_keep_their_type() {
        #[derive(Debug)]
        struct Expired;
        impl fmt::Display for Expired {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("expired")
            }
        }
        impl std::error::Error for Expired {}
        let error = CredentialError::new(Expired);
        assert!(error.clone().downcast_ref::<Expired>().is_some());
        assert_eq!(error.to_string(), "expired");
    }

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b""), "");
    }
}
