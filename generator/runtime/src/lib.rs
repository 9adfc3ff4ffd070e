//! The runtime of every generated client, as a crate of its own: the files
//! under `src/runtime/` are what `render` copies, unchanged, into each
//! generated crate as its `runtime` module. Here they are built, formatted,
//! linted and unit-tested where they are written; edit them here, never in
//! a generated copy.
//!
//! In a generated crate the runtime reaches two things of the crate's own:
//! `crate::types::SENSITIVE_KEYS` and `crate::Client` (the mock server
//! hands one out; the docs link to it). This crate has small stand-ins for
//! both.

pub mod runtime;

pub use runtime::*;

/// For the benches and integration tests of this crate (not part of any
/// generated crate, which does not get this file, nor the dev-dependencies
/// these use): what the runtime keeps to the crate, reachable from outside.
#[doc(hidden)]
pub mod bench_support {
    use crate::runtime::{Config, EventStream, RequestInfo};

    /// See `runtime::tagged::serialize_tagged`.
    pub fn serialize_tagged<S, T>(
        inner: &T,
        tag: &'static str,
        value: &'static str,
        serializer: S,
    ) -> Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
        T: serde::Serialize + ?Sized,
    {
        crate::runtime::wire::serialize_tagged(inner, tag, value, serializer)
    }

    /// `response`'s body as Server-Sent Events whose `data` decodes as `T`,
    /// with the default limits.
    pub fn events<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> EventStream<T> {
        let config = Config::default();
        let status = response.status();
        crate::runtime::stream_parts(
            response,
            RequestInfo::new(reqwest::Method::GET, "/stream".into()),
            status,
            &config,
        )
        .events(crate::runtime::stream_json::<T>)
    }
}

/// Stand-in for a generated crate's `types` module.
pub mod types {
    /// The JSON keys whose values error snippets blank, normalised (see
    /// `runtime::redact::normalized_key`); a generated crate lists the
    /// spec's sensitive properties too.
    pub(crate) const SENSITIVE_KEYS: &[&str] = &[
        "access_token",
        "api_key",
        "authorization",
        "input",
        "password",
        "refresh_token",
        "secret",
        "token",
    ];
}

/// Stand-in for a generated crate's `Client`: the mock server hands one
/// out, and the runtime's docs link to its constructors.
#[derive(Debug, Clone)]
pub struct Client {
    base_url: String,
}

impl Client {
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        Client {
            base_url: base_url.into(),
        }
    }

    /// A generated client sends with the HTTP client `builder` makes (see
    /// [`http_client_builder`]); the stand-in sends nothing.
    pub fn with_http_client_builder(self, builder: reqwest::ClientBuilder) -> Self {
        drop(builder);
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}
