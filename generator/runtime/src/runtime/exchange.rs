//! One attempt on the wire: the request out, through the `on_request`
//! hooks, its redirects walked (`walk.rs`), and the head of its answer
//! back, shown to the `on_response` hooks; a transport error is told
//! apart by whether the request may have reached the server. `send.rs`
//! runs attempts within their time and retries them.

use std::borrow::Cow;
use std::time::Instant;

use super::attempt::{AttemptError, Reach};
use super::authorize::Asking;
use super::headers::Headers;
use super::hooks::{AttemptRequest, AttemptResponse, HookError};
use super::prepare::Prepared;
use super::request::PendingRequest;
use super::response::Answer;
use super::walk::Walk;
use super::{Delivery, Error, Failure};

impl PendingRequest {
    /// Sends the request and waits for the status and headers, walking the
    /// redirects that [`redirect::next`](super::redirect::next) allows. The hooks see the attempt
    /// before its first hop and its response after the last; credentials
    /// from a provider are added after the hooks ran. (What is not needed
    /// on every call is out of line, in [`Walk`] and the cold helpers
    /// below: the future stays small and the common path short.)
    pub(super) async fn attempt_head(
        &self,
        prepared: &Prepared<'_>,
        attempt: u32,
    ) -> Result<Answer<reqwest::Response>, AttemptError> {
        let hooks = &prepared.config.hooks;
        let sent_at = (!hooks.is_empty()).then(Instant::now);
        let headers = match hooks.is_empty() {
            true => Cow::Borrowed(&prepared.headers),
            false => Cow::Owned(self.hooked_headers(prepared, attempt)?),
        };
        let asked = prepared.asking.as_deref().map(Asking::current);
        let mut walk = Walk::new(self.method(), prepared.url.as_ref(), asked.as_ref());
        let (response, refused) = loop {
            let request = walk.request(self, &headers);
            let response = match prepared.client.execute(request).await {
                Ok(response) => response,
                Err(error) => return Err(self.not_sent(error, walk.hops, prepared)),
            };
            if !response.status().is_redirection() || !self.follows_redirects() {
                break (response, None);
            }
            match walk.follow(self, prepared, &response) {
                Some(refused) => break (response, refused),
                None => continue,
            }
        };
        // A client of the caller's may have followed redirects inside
        // `reqwest`: then the answer came from where the URL no longer is.
        let first_hop = walk.hops == 0
            && (prepared.follows_no_redirects || response.url() == walk.url.as_ref());
        let answer = Answer {
            first_hop,
            ..Answer::new(response, refused)
        };
        if let Some(sent_at) = sent_at {
            self.hooked_response(prepared, attempt, &answer, sent_at)?;
        }
        Ok(answer)
    }

    /// The headers after the `on_request` hooks changed them.
    #[cold]
    fn hooked_headers(
        &self,
        prepared: &Prepared<'_>,
        attempt: u32,
    ) -> Result<Headers, AttemptError> {
        let mut headers = prepared.headers.to_map(0);
        let mut view = AttemptRequest {
            operation: self.operation(),
            method: self.method(),
            template: self.template(),
            attempt,
            headers: &mut headers,
        };
        prepared
            .config
            .hooks
            .on_request(&mut view)
            .map_err(|source| self.stopped_by_hook(source, Delivery::NotSent))?;
        Ok(Headers::from_map(&headers))
    }

    /// The `on_response` hooks, shown the answer.
    #[cold]
    fn hooked_response(
        &self,
        prepared: &Prepared<'_>,
        attempt: u32,
        answer: &Answer<reqwest::Response>,
        sent_at: Instant,
    ) -> Result<(), AttemptError> {
        let view = AttemptResponse {
            operation: self.operation(),
            method: self.method(),
            template: self.template(),
            attempt,
            status: answer.status,
            headers: &answer.headers,
            latency: sent_at.elapsed(),
        };
        prepared
            .config
            .hooks
            .on_response(&view)
            .map_err(|source| self.stopped_by_hook(source, Delivery::Answered))
    }

    /// A request that failed in transport, and whether it may have been
    /// sent.
    #[cold]
    fn not_sent(&self, error: reqwest::Error, hops: u32, prepared: &Prepared<'_>) -> AttemptError {
        // Only the first connection, to the API itself, proves that nothing
        // was sent, and only when no redirect was followed inside `reqwest`
        // first (a client of the caller's may do that, and its errors do
        // not say).
        let never_sent = hops == 0 && error.is_connect() && prepared.follows_no_redirects;
        match never_sent {
            true => AttemptError {
                failure: self.transport(error).delivered(Delivery::NotSent),
                reach: Reach::NotSent,
            },
            false => AttemptError {
                failure: self.transport(error),
                reach: Reach::MaybeSent,
            },
        }
    }

    /// A hook's error ends the call; it is not retried. `delivery`: before
    /// the attempt went out, or after its answer came.
    fn stopped_by_hook(&self, source: HookError, delivery: Delivery) -> AttemptError {
        Failure::new(Error::Hook {
            request: self.info().with_delivery(delivery),
            source,
        })
        .into()
    }

    fn transport(&self, e: reqwest::Error) -> Failure {
        Failure::new(Error::from_transport(self.info(), e))
    }
}
