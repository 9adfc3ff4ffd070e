//! One attempt's way through the redirects the runtime follows (never
//! `reqwest`): where each hop goes, and what it takes along. Headers,
//! cookies and credentials stay on the API's origin; `redirect.rs` decides
//! whether a hop is followed at all.

use std::borrow::Cow;

use reqwest::Url;

use super::authorize::AttemptCredentials;
use super::headers::Headers;
use super::prepare::Prepared;
use super::redirect::{self, Carrying, Next, RedirectRefusal, Sent};
use super::request::PendingRequest;

/// One attempt's way through the redirects: where its next request goes
/// and what that request takes along.
pub(super) struct Walk<'a> {
    pub(super) url: Cow<'a, Url>,
    method: Cow<'a, reqwest::Method>,
    /// Whether the body goes along (a 303, say, drops it).
    keep_body: bool,
    /// Whether every hop so far stayed on the API's origin: only then do
    /// the API's headers, cookies and credentials go along.
    same_origin: bool,
    /// Redirects followed.
    pub(super) hops: u32,
    /// What the attempt's credential providers gave, for the API's origin.
    asked: Option<&'a AttemptCredentials>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(
        method: &'a reqwest::Method,
        url: &'a Url,
        asked: Option<&'a AttemptCredentials>,
    ) -> Self {
        let url = match asked {
            Some(asked) => asked.url(url),
            None => Cow::Borrowed(url),
        };
        Walk {
            url,
            method: Cow::Borrowed(method),
            keep_body: true,
            same_origin: true,
            hops: 0,
            asked,
        }
    }

    /// The next hop's request. Out of line (like [`Self::follow`]): its
    /// temporaries stay out of the attempt's stack frame.
    #[inline(never)]
    pub(super) fn request(&self, pending: &PendingRequest, headers: &Headers) -> reqwest::Request {
        let mut request =
            reqwest::Request::new(self.method.as_ref().clone(), self.url.as_ref().clone());
        if self.same_origin {
            // Room for the two that `reqwest` may add (`accept`, and a
            // client's `user-agent`).
            *request.headers_mut() = headers.to_map(2);
            if let Some(asked) = self.asked {
                asked.add_headers(request.headers_mut());
            }
            if !self.keep_body {
                request.headers_mut().remove(reqwest::header::CONTENT_TYPE);
            }
        }
        if let (true, Some(body)) = (self.keep_body, pending.body()) {
            if !self.same_origin {
                if let Some(content_type) = headers.get(&reqwest::header::CONTENT_TYPE) {
                    request
                        .headers_mut()
                        .insert(reqwest::header::CONTENT_TYPE, content_type.clone());
                }
            }
            *request.body_mut() = Some(body.clone().into());
        }
        request
    }

    /// After a 3xx: `None` when the walk goes on to the next hop, or the
    /// answer's refusal (`Some(None)`: not a redirect to follow, and not
    /// refused either).
    #[inline(never)]
    pub(super) fn follow(
        &mut self,
        pending: &PendingRequest,
        prepared: &Prepared<'_>,
        response: &reqwest::Response,
    ) -> Option<Option<RedirectRefusal>> {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok());
        let carrying = Carrying {
            body: prepared.carrying.body && self.keep_body,
            ..prepared.carrying
        };
        let sent = Sent {
            url: &self.url,
            method: &self.method,
            requested: pending.method(),
            hops: self.hops,
        };
        let mut hop = match redirect::next(
            &prepared.config.redirects,
            response.status(),
            location,
            &sent,
            prepared.api,
            &carrying,
        ) {
            Next::Done => return Some(None),
            Next::Refuse(reason) => return Some(Some(reason)),
            Next::Follow(hop) => hop,
        };
        self.same_origin = self.same_origin && hop.same_origin;
        if !self.same_origin && hop_names_a_secret(&hop.url, pending, self.asked) {
            return Some(Some(RedirectRefusal::CrossOrigin));
        }
        // The API's own redirect may need its query keys again.
        if self.same_origin {
            pending.replace_query_keys(&mut hop.url);
        }
        if let (true, Some(asked)) = (self.same_origin, self.asked) {
            asked.replace_query(&mut hop.url);
        }
        (self.url, self.method, self.keep_body) =
            (Cow::Owned(hop.url), Cow::Owned(hop.method), hop.keep_body);
        self.hops += 1;
        None
    }
}

/// Whether a hop to another origin would carry one of the request's
/// secrets in its address: an open redirect on the API that copies the
/// request's query (an API key) or path (a secret path value) into its
/// `Location`. Such a hop is refused even when cross-origin redirects are
/// followed.
#[cold]
fn hop_names_a_secret(
    url: &Url,
    pending: &PendingRequest,
    asked: Option<&AttemptCredentials>,
) -> bool {
    // The request's secrets have the fixed credentials (query keys
    // included) and secret path values; a provider's keys join them only
    // after the attempt.
    let mut secrets = pending.secrets().clone();
    if let Some(asked) = asked {
        secrets.add_all(asked.query_secrets().cloned());
    }
    secrets.found_in(url.as_str())
}
