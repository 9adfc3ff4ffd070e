//! How one attempt failed: the error, and whether it may have reached the
//! server. Below both `send.rs`, which runs attempts, and `response.rs`,
//! which reads what they bring back.

use super::Failure;

/// Whether a failed attempt might have reached the server, which decides
/// whether a request that is not idempotent may be tried again.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Reach {
    /// The connection to the API could not be made: nothing was sent.
    NotSent,
    /// Sent, or perhaps sent (a timeout, a reset, a redirect followed).
    MaybeSent,
    /// Not worth repeating (the request is invalid).
    Final,
}

pub(super) struct AttemptError {
    pub(super) failure: Failure,
    pub(super) reach: Reach,
}

impl From<Failure> for AttemptError {
    fn from(failure: Failure) -> Self {
        AttemptError {
            failure,
            reach: Reach::Final,
        }
    }
}
