//! Hooks: the caller's own code on every attempt of every call, to add a
//! header (`traceparent`, an idempotency key, a signature), to record
//! metrics, or to stop a request.
//!
//! A small object-safe trait with plain methods, rather than `tower` or
//! `reqwest-middleware`: those would add their crates to every build of
//! every generated client, and they wrap the HTTP client, which here does
//! not follow redirects or retry by itself (the runtime walks both, to keep
//! credentials on the API's origin), so a middleware stack would see
//! redirect hops as separate requests and could send headers where the
//! runtime would not. A hook runs inside the runtime, where those rules
//! already hold.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// The error a hook stops a request with; the call fails with
/// [`Error::Hook`](crate::Error::Hook), which carries it as its `source`.
pub type HookError = Box<dyn std::error::Error + Send + Sync>;

/// Code run on every attempt of every call of a client, retries included
/// (register it with `Client::with_hook`). Both methods do nothing by
/// default. They are not `async`: they run on the request's path, and a
/// hook that needs to wait (for a signing key, say) can prepare it before
/// the call.
pub trait Hook: Send + Sync + 'static {
    /// Before an attempt is sent: may change its headers. An error stops
    /// the call before anything is sent; it is not retried.
    fn on_request(&self, request: &mut AttemptRequest<'_>) -> Result<(), HookError> {
        let _ = request;
        Ok(())
    }

    /// When an attempt's response head has arrived (after the redirects
    /// the runtime follows): read-only. An error ends the call with it;
    /// it is not retried.
    fn on_response(&self, response: &AttemptResponse<'_>) -> Result<(), HookError> {
        let _ = response;
        Ok(())
    }
}

/// An attempt about to be sent, as a hook sees it: which operation, and
/// its headers to change. Not its URL (the query string may hold an API
/// key) and not its body.
///
/// The headers are the ones for the API's origin, fixed credentials
/// included; those are marked sensitive, so `Debug` shows them as
/// `Sensitive`. Credentials from a provider are added after the hooks ran,
/// so a hook neither sees nor changes them. They
/// go with redirects within the API's origin, never to another origin,
/// and so do the headers a hook adds: a hook runs once per attempt, before
/// the first hop.
pub struct AttemptRequest<'a> {
    pub(super) operation: &'static str,
    pub(super) method: &'a Method,
    pub(super) template: &'static str,
    pub(super) attempt: u32,
    pub(super) headers: &'a mut HeaderMap,
}

impl AttemptRequest<'_> {
    /// The operation: the client method's name, e.g. `refresh_token`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    pub fn method(&self) -> &Method {
        self.method
    }

    /// The path template of the operation, e.g. `/items/{id}` (not the
    /// filled-in path).
    pub fn path_template(&self) -> &'static str {
        self.template
    }

    /// 1 for the first attempt, 2 for the first retry, and so on.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// The headers to send; a value set with
    /// `HeaderValue::set_sensitive(true)` stays out of `Debug` output.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.headers
    }
}

impl fmt::Debug for AttemptRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptRequest")
            .field("operation", &self.operation)
            .field("method", self.method)
            .field("path_template", &self.template)
            .field("attempt", &self.attempt)
            .field("headers", self.headers)
            .finish()
    }
}

/// An attempt's response head, as a hook sees it. `Debug` names its
/// headers without their values (a `Set-Cookie` may hold a session).
pub struct AttemptResponse<'a> {
    pub(super) operation: &'static str,
    pub(super) method: &'a Method,
    pub(super) template: &'static str,
    pub(super) attempt: u32,
    pub(super) status: StatusCode,
    pub(super) headers: &'a HeaderMap,
    pub(super) latency: Duration,
}

impl fmt::Debug for AttemptResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptResponse")
            .field("operation", &self.operation)
            .field("method", self.method)
            .field("path_template", &self.template)
            .field("attempt", &self.attempt)
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("latency", &self.latency)
            .finish()
    }
}

impl AttemptResponse<'_> {
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    pub fn method(&self) -> &Method {
        self.method
    }

    pub fn path_template(&self) -> &'static str {
        self.template
    }

    /// 1 for the first attempt, 2 for the first retry, and so on.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// From sending the attempt to its response head (redirects included).
    pub fn latency(&self) -> Duration {
        self.latency
    }
}

/// The hooks of a client, run in the order they were added. Cloning
/// shares them.
#[derive(Clone, Default)]
pub struct Hooks(Vec<Arc<dyn Hook>>);

impl Hooks {
    pub fn push(&mut self, hook: impl Hook) {
        self.0.push(Arc::new(hook));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Runs every `on_request`. A hook that panics stops the call like one
    /// that returns an error, so the call can say that nothing was sent
    /// (the panic is still reported by the panic hook, as any other).
    pub(super) fn on_request(&self, request: &mut AttemptRequest<'_>) -> Result<(), HookError> {
        self.0
            .iter()
            .try_for_each(|hook| unpanicked(|| hook.on_request(request)))
    }

    /// Runs every `on_response`; a panic is an error, as for `on_request`.
    pub(super) fn on_response(&self, response: &AttemptResponse<'_>) -> Result<(), HookError> {
        self.0
            .iter()
            .try_for_each(|hook| unpanicked(|| hook.on_response(response)))
    }
}

/// `run`, with a panic turned into an error that says so. Its values are
/// left to the caller's code (the call ends), so unwind safety holds.
fn unpanicked(run: impl FnOnce() -> Result<(), HookError>) -> Result<(), HookError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        let message: String = message.chars().take(256).collect();
        Err(format!(
            "the hook panicked: {}",
            super::redact::escape_controls(&message)
        )
        .into())
    })
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hooks({})", self.0.len())
    }
}
