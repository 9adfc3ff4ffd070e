//! Which redirects a request follows, decided here rather than inside
//! `reqwest`, because only the request knows what it carries.
//!
//! `reqwest` follows redirects on its own, keeps custom headers such as
//! `x-api-key` when the next hop is another origin, re-sends a body on a
//! 307 and follows https → http. The default HTTP client therefore follows
//! no redirects, and the runtime walks them itself:
//!
//! - redirects within the API's origin are followed, up to
//!   [`RedirectPolicy::max_redirects`];
//! - a redirect to another origin is not followed when the request carries
//!   a credential or a body that would be sent there, or the method the
//!   caller asked for acts (anything but GET, HEAD and OPTIONS: a POST
//!   answered `303` is still a POST, whose answer must come from the API);
//!   its 3xx comes back as [`Error::Redirect`](crate::Error::Redirect). A
//!   plain read (a download redirected to a CDN) follows it, without the
//!   API's headers, cookies or credentials;
//! - a hop to another origin whose address holds one of the request's
//!   secrets is refused whatever the policy;
//! - https → http is never followed;
//! - credentials are only ever sent to the API's own origin, whatever the
//!   policy.

use reqwest::{Method, StatusCode, Url};

/// How a client treats redirects. See the module docs for the rules that
/// hold whatever the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectPolicy {
    /// Redirects followed for one attempt; 0 follows none.
    pub max_redirects: u32,
    /// Also follow redirects to another origin when the request carries a
    /// credential or a body, or the method the caller asked for acts (a
    /// POST answered by a 303 or a 307, say). The credential still stays behind (it is never sent to another
    /// origin); a 307 or 308 re-sends the body there, unless the body holds
    /// a secret (a refresh token, a password), which is never sent to
    /// another origin either.
    pub follow_cross_origin: bool,
}

impl Default for RedirectPolicy {
    fn default() -> Self {
        RedirectPolicy {
            max_redirects: 5,
            follow_cross_origin: false,
        }
    }
}

impl RedirectPolicy {
    /// Follow no redirect: every 3xx is returned to the caller.
    pub fn none() -> Self {
        RedirectPolicy {
            max_redirects: 0,
            ..RedirectPolicy::default()
        }
    }
}

/// Why a redirect was not followed; part of [`Error::Redirect`](crate::Error::Redirect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectRefusal {
    /// The target is another origin and the request carries a credential
    /// or a body, or the caller asked for a method that acts (other than
    /// GET, HEAD or OPTIONS), or the target's address holds one of the
    /// request's secrets (an API key or secret path value the server copied
    /// there).
    CrossOrigin,
    /// The target is plain `http` and the request was sent over `https`.
    Downgrade,
    /// [`RedirectPolicy::max_redirects`] were already followed.
    TooMany,
    /// The client follows no redirects ([`RedirectPolicy::none`]).
    Disabled,
}

impl std::fmt::Display for RedirectRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RedirectRefusal::CrossOrigin => {
                "it leads to another origin, and the request carries a credential, a body or a secret, or acts (not a GET, HEAD or OPTIONS)"
            }
            RedirectRefusal::Downgrade => "it leads from https to plain http",
            RedirectRefusal::TooMany => "too many redirects",
            RedirectRefusal::Disabled => "this client follows no redirects",
        })
    }
}

/// The next request after a 3xx answer.
pub(crate) struct Hop {
    pub url: Url,
    pub method: Method,
    /// Whether the body goes along (307 and 308 keep it).
    pub keep_body: bool,
    /// Whether the target is the API's own origin, where credentials and
    /// the request's parameters may go.
    pub same_origin: bool,
}

/// What to do with a response: use it, follow it, or return it as refused.
pub(crate) enum Next {
    Done,
    Follow(Hop),
    Refuse(RedirectRefusal),
}

/// What the request carries that must not leave the API's origin.
#[derive(Clone, Copy)]
pub(crate) struct Carrying {
    pub credentials: bool,
    pub body: bool,
    /// The body holds a secret (a sensitive field the operation
    /// registered): it never goes to another origin, whatever the policy.
    pub secret_body: bool,
}

/// The request a response answers.
pub(crate) struct Sent<'a> {
    pub url: &'a Url,
    /// This hop's method (a 303 made it a GET, say).
    pub method: &'a Method,
    /// The method the caller asked for, which decides whether the request
    /// acts: a POST redirected as a GET still asked the API to act.
    pub requested: &'a Method,
    /// Redirects followed before it.
    pub hops: u32,
}

/// Decides about a response to `sent`, for an API whose origin is that of
/// `api`.
pub(crate) fn next(
    policy: &RedirectPolicy,
    status: StatusCode,
    location: Option<&str>,
    sent: &Sent<'_>,
    api: &Url,
    carrying: &Carrying,
) -> Next {
    let Sent {
        url: current,
        method,
        requested,
        hops,
    } = *sent;
    // 307 and 308 keep method and body; 303 makes a GET (but of a HEAD);
    // 301 and 302 make a POST a GET, as browsers and `reqwest` do, and
    // keep any other method with its body, as RFC 9110 says.
    let keep_body = match status.as_u16() {
        307 | 308 => true,
        303 => false,
        301 | 302 => *sent.method != Method::POST,
        _ => return Next::Done,
    };
    // A 3xx without a usable Location is an answer like any other.
    let Some(target) = location.and_then(|l| current.join(l).ok()) else {
        return Next::Done;
    };
    if !matches!(target.scheme(), "http" | "https") {
        return Next::Done;
    }
    if policy.max_redirects == 0 {
        return Next::Refuse(RedirectRefusal::Disabled);
    }
    if hops >= policy.max_redirects {
        return Next::Refuse(RedirectRefusal::TooMany);
    }
    if current.scheme() == "https" && target.scheme() == "http" {
        return Next::Refuse(RedirectRefusal::Downgrade);
    }
    let method = match status.as_u16() {
        303 if *method != Method::HEAD => Method::GET,
        301 | 302 if *method == Method::POST => Method::GET,
        _ => method.clone(),
    };
    let keep_body = keep_body && carrying.body;
    let same_origin = target.origin() == api.origin();
    // A method that acts (POST, PUT, PATCH, DELETE, ...) acts at the API
    // only: another origin gets it only when the caller opted in, even
    // without a body or credential to carry, and even when the redirect
    // made it a GET (another origin's page is not the POST's answer).
    let acts = !matches!(*requested, Method::GET | Method::HEAD | Method::OPTIONS);
    if !same_origin && (carrying.credentials || keep_body || acts) && !policy.follow_cross_origin {
        return Next::Refuse(RedirectRefusal::CrossOrigin);
    }
    if !same_origin && keep_body && carrying.secret_body {
        return Next::Refuse(RedirectRefusal::CrossOrigin);
    }
    Next::Follow(Hop {
        url: target,
        method,
        keep_body,
        same_origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(
        status: u16,
        location: &str,
        method: Method,
        credentials: bool,
        body: bool,
        policy: &RedirectPolicy,
    ) -> Next {
        let api = Url::parse("https://api.example.com/v1/").unwrap();
        let current = api.join("items/1").unwrap();
        let carrying = Carrying {
            credentials,
            body,
            secret_body: false,
        };
        let sent = Sent {
            url: &current,
            method: &method,
            requested: &method,
            hops: 0,
        };
        next(
            policy,
            StatusCode::from_u16(status).unwrap(),
            Some(location),
            &sent,
            &api,
            &carrying,
        )
    }

    #[test]
    fn same_origin_redirects_are_followed_and_303_becomes_get() {
        let policy = RedirectPolicy::default();
        let Next::Follow(hop) = decide(303, "/v1/items/2", Method::POST, true, true, &policy)
        else {
            panic!()
        };
        assert_eq!(
            (hop.url.as_str(), hop.method, hop.keep_body, hop.same_origin),
            (
                "https://api.example.com/v1/items/2",
                Method::GET,
                false,
                true
            )
        );
        let Next::Follow(hop) = decide(307, "2", Method::POST, true, true, &policy) else {
            panic!()
        };
        assert_eq!((hop.method, hop.keep_body), (Method::POST, true));
    }

    #[test]
    fn only_a_post_changes_method_on_301_and_302() {
        let policy = RedirectPolicy::default();
        for status in [301, 302] {
            let Next::Follow(hop) = decide(status, "/v1/x/", Method::POST, false, true, &policy)
            else {
                panic!()
            };
            assert_eq!((hop.method, hop.keep_body), (Method::GET, false));
            for method in [Method::PUT, Method::PATCH, Method::DELETE] {
                let Next::Follow(hop) =
                    decide(status, "/v1/x/", method.clone(), false, true, &policy)
                else {
                    panic!()
                };
                assert_eq!((hop.method, hop.keep_body), (method, true), "{status}");
            }
        }
    }

    #[test]
    fn other_origins_get_nothing_the_request_carries() {
        let policy = RedirectPolicy::default();
        for (credentials, body, status) in
            [(true, false, 302), (false, true, 307), (true, true, 308)]
        {
            let refused = decide(
                status,
                "https://elsewhere.example/x",
                Method::POST,
                credentials,
                body,
                &policy,
            );
            assert!(
                matches!(refused, Next::Refuse(RedirectRefusal::CrossOrigin)),
                "{credentials} {body} {status}"
            );
        }
        // A method that acts does not go there either, with nothing to
        // carry, even when the redirect makes it a GET (303, or 301 and 302
        // for a POST): the caller asked the API to act.
        for (status, method) in [
            (307, Method::POST),
            (308, Method::DELETE),
            (301, Method::PUT),
            (302, Method::PATCH),
            (302, Method::POST),
            (303, Method::POST),
            (303, Method::DELETE),
        ] {
            let refused = decide(
                status,
                "https://elsewhere.example/x",
                method.clone(),
                false,
                false,
                &policy,
            );
            assert!(
                matches!(refused, Next::Refuse(RedirectRefusal::CrossOrigin)),
                "{status} {method}"
            );
        }
        // Also on a later hop, after the API's own 303 made the POST a GET.
        let api = Url::parse("https://api.example.com/v1/").unwrap();
        let nothing = Carrying {
            credentials: false,
            body: false,
            secret_body: false,
        };
        let later = Sent {
            url: &api,
            method: &Method::GET,
            requested: &Method::POST,
            hops: 1,
        };
        let refused = next(
            &policy,
            StatusCode::FOUND,
            Some("https://elsewhere.example/x"),
            &later,
            &api,
            &nothing,
        );
        assert!(matches!(
            refused,
            Next::Refuse(RedirectRefusal::CrossOrigin)
        ));
        // Another port is another origin.
        assert!(matches!(
            decide(
                302,
                "https://api.example.com:8443/x",
                Method::GET,
                true,
                false,
                &policy
            ),
            Next::Refuse(_)
        ));
        // Nothing to leak: a plain GET follows, as a download to a CDN does.
        let Next::Follow(hop) = decide(
            302,
            "https://cdn.example/f",
            Method::GET,
            false,
            false,
            &policy,
        ) else {
            panic!()
        };
        assert!(!hop.same_origin);
        // Opted in: followed, marked as another origin so credentials stay.
        let open = RedirectPolicy {
            follow_cross_origin: true,
            ..policy
        };
        let Next::Follow(hop) = decide(
            307,
            "https://elsewhere.example/x",
            Method::POST,
            true,
            true,
            &open,
        ) else {
            panic!()
        };
        assert!(!hop.same_origin && hop.keep_body);
        // Except a body that holds a secret: never to another origin. A 303
        // drops the body, so that one may go.
        let sent = Sent {
            url: &Url::parse("https://api.example.com/v1/auth").unwrap(),
            method: &Method::POST,
            requested: &Method::POST,
            hops: 0,
        };
        let api = Url::parse("https://api.example.com/v1/").unwrap();
        let secret = Carrying {
            credentials: false,
            body: true,
            secret_body: true,
        };
        for status in [307, 308] {
            let decided = next(
                &open,
                StatusCode::from_u16(status).unwrap(),
                Some("https://elsewhere.example/x"),
                &sent,
                &api,
                &secret,
            );
            assert!(
                matches!(decided, Next::Refuse(RedirectRefusal::CrossOrigin)),
                "{status}"
            );
        }
        let decided = next(
            &open,
            StatusCode::SEE_OTHER,
            Some("https://elsewhere.example/x"),
            &sent,
            &api,
            &secret,
        );
        assert!(matches!(
            decided,
            Next::Follow(Hop {
                keep_body: false,
                ..
            })
        ));
        // Within the API's origin it goes along.
        let decided = next(
            &open,
            StatusCode::TEMPORARY_REDIRECT,
            Some("/v1/auth2"),
            &sent,
            &api,
            &secret,
        );
        assert!(matches!(
            decided,
            Next::Follow(Hop {
                keep_body: true,
                same_origin: true,
                ..
            })
        ));
    }

    #[test]
    fn downgrades_and_loops_are_refused() {
        let open = RedirectPolicy {
            follow_cross_origin: true,
            ..RedirectPolicy::default()
        };
        assert!(matches!(
            decide(
                302,
                "http://api.example.com/v1/x",
                Method::GET,
                false,
                false,
                &open
            ),
            Next::Refuse(RedirectRefusal::Downgrade)
        ));
        assert!(matches!(
            decide(
                302,
                "/x",
                Method::GET,
                false,
                false,
                &RedirectPolicy::none()
            ),
            Next::Refuse(RedirectRefusal::Disabled)
        ));
        let two = RedirectPolicy {
            max_redirects: 2,
            ..RedirectPolicy::default()
        };
        let api = Url::parse("https://api.example.com/").unwrap();
        let carrying = Carrying {
            credentials: false,
            body: false,
            secret_body: false,
        };
        let third = Sent {
            url: &api,
            method: &Method::GET,
            requested: &Method::GET,
            hops: 2,
        };
        assert!(matches!(
            next(&two, StatusCode::FOUND, Some("/x"), &third, &api, &carrying),
            Next::Refuse(RedirectRefusal::TooMany)
        ));
    }

    #[test]
    fn other_answers_are_answers() {
        let policy = RedirectPolicy::default();
        assert!(matches!(
            decide(200, "/x", Method::GET, false, false, &policy),
            Next::Done
        ));
        assert!(matches!(
            decide(304, "/x", Method::GET, false, false, &policy),
            Next::Done
        ));
        assert!(matches!(
            decide(
                302,
                "javascript:alert(1)",
                Method::GET,
                false,
                false,
                &policy
            ),
            Next::Done
        ));
        let api = Url::parse("https://api.example.com/").unwrap();
        let carrying = Carrying {
            credentials: false,
            body: false,
            secret_body: false,
        };
        let sent = Sent {
            url: &api,
            method: &Method::GET,
            requested: &Method::GET,
            hops: 0,
        };
        assert!(matches!(
            next(&policy, StatusCode::FOUND, None, &sent, &api, &carrying),
            Next::Done
        ));
    }
}
