//! When a failed attempt is tried again, and how long to wait first.
//!
//! A request is retried after a connection error, a timeout, or a 408, 429
//! or 5xx answer (but 501 and 505, which will not change). A request whose
//! method is not idempotent (POST, PATCH) may already have done its work on
//! the server, so it is retried only when it provably never reached it (the
//! connection could not be made), unless the caller said it is safe
//! ([`RetryPolicy::retry_non_idempotent`], or `Client::assume_idempotent`
//! for one call).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// How failed attempts are retried: exponential backoff with jitter,
/// bounded in count and in total time, honouring `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first; 0 turns retrying off.
    pub max_retries: u32,
    /// Wait before the first retry; it doubles with each retry.
    pub initial_backoff: Duration,
    /// Longest wait between two attempts; a longer `Retry-After` ends the
    /// retrying.
    pub max_backoff: Duration,
    /// No retry starts once this much time has passed since the first
    /// attempt began.
    pub max_elapsed: Duration,
    /// Also retry POST and PATCH after failures that may have reached the
    /// server. Only for operations that are safe to repeat.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }
}

/// Why an attempt might be worth repeating.
pub(crate) enum Outcome<'a> {
    /// The connection could not be made: the request was never sent.
    NotSent,
    /// Sent (or maybe sent) and then failed: timeout, reset, broken body.
    Failed,
    /// The server answered.
    Answered(StatusCode, &'a HeaderMap),
}

impl Outcome<'_> {
    /// An answer that no policy retries (a success, most client errors):
    /// the retry loop then asks nothing more, not even the clock.
    pub(crate) fn stands(&self) -> bool {
        matches!(self, Outcome::Answered(status, _) if !retryable_status(*status))
    }
}

fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

pub(crate) fn retryable_status(status: StatusCode) -> bool {
    let code = status.as_u16();
    code == 408 || code == 429 || ((500..600).contains(&code) && code != 501 && code != 505)
}

impl RetryPolicy {
    /// How long to wait before retry number `retry` (0-based), or `None`
    /// when the outcome stands.
    pub(crate) fn delay(
        &self,
        method: &Method,
        outcome: Outcome<'_>,
        retry: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        let may_repeat = idempotent(method) || self.retry_non_idempotent;
        let hint = match outcome {
            Outcome::NotSent => None,
            Outcome::Failed if may_repeat => None,
            Outcome::Answered(status, headers) if may_repeat && retryable_status(status) => {
                retry_after(headers, SystemTime::now())
            }
            _ => return None,
        };
        let delay = match hint {
            // The server asks for a longer pause than this client waits:
            // hand its answer back rather than retrying early.
            Some(hint) if hint > self.max_backoff => return None,
            Some(hint) => hint,
            None => self.backoff(retry),
        };
        // Checked: a policy without caps must not overflow.
        elapsed
            .checked_add(delay)
            .is_some_and(|at| at <= self.max_elapsed)
            .then_some(delay)
    }

    /// How long an event stream whose connection dropped waits before
    /// reconnection number `reconnect` (0-based), or `None` when it may not
    /// reconnect: the policy's retries are used up, the method is not safe
    /// to repeat, or the wait would end after `max_elapsed` (counted from
    /// the drop). The server's reconnection time (`retry:`) replaces the
    /// backoff; one longer than `max_backoff` ends the stream instead.
    pub(crate) fn reconnect_delay(
        &self,
        method: &Method,
        reconnect: u32,
        server_retry: Option<Duration>,
        elapsed: Duration,
    ) -> Option<Duration> {
        if reconnect >= self.max_retries || !(idempotent(method) || self.retry_non_idempotent) {
            return None;
        }
        let delay = match server_retry {
            Some(asked) if asked > self.max_backoff => return None,
            Some(asked) => asked,
            None => self.backoff(reconnect),
        };
        elapsed
            .checked_add(delay)
            .is_some_and(|at| at <= self.max_elapsed)
            .then_some(delay)
    }

    /// `initial_backoff * 2^retry`, capped, then scaled by a random factor
    /// in [0.5, 1) so that many clients do not retry in lockstep.
    fn backoff(&self, retry: u32) -> Duration {
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << retry.min(20))
            .min(self.max_backoff);
        // `mul_f64` panics when the product does not fit; this does not.
        Duration::try_from_secs_f64(base.as_secs_f64() * (0.5 + jitter() / 2.0)).unwrap_or(base)
    }
}

/// A number that differs between calls (no dependency on `rand`: the
/// standard library's hash seeds are random per process).
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    hasher.finish()
}

/// A number in [0, 1).
fn jitter() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = UNIX_EPOCH + Duration::from_secs(parse_http_date(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Seconds since the epoch of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
/// Every field is range-checked (years 1970 to 9999), so the arithmetic
/// below cannot overflow whatever a server sends.
fn parse_http_date(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_weekday, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let (day, year): (i64, i64) = (day.parse().ok()?, year.parse().ok()?);
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    let in_range = (1970..=9999).contains(&year)
        && (1..=31).contains(&day)
        && (0..=23).contains(h)
        && (0..=59).contains(m)
        && (0..=60).contains(s);
    if !in_range {
        return None;
    }
    // Days from civil date (proleptic Gregorian), as in Howard Hinnant's
    // algorithms.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + m * 60 + s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, retry_after.parse().unwrap());
        h
    }

    /// An answer that `stands` is one the policy would never retry, so
    /// the retry loop may skip asking it; every other status is asked.
    #[test]
    fn an_answer_that_stands_is_never_retried() {
        let policy = RetryPolicy {
            retry_non_idempotent: true,
            ..RetryPolicy::default()
        };
        let none = HeaderMap::new();
        for code in 100..600 {
            let Ok(status) = StatusCode::from_u16(code) else {
                continue;
            };
            let outcome = Outcome::Answered(status, &none);
            let retried = policy
                .delay(
                    &Method::GET,
                    Outcome::Answered(status, &none),
                    0,
                    Duration::ZERO,
                )
                .is_some();
            assert_eq!(outcome.stands(), !retried, "status {code}");
        }
        assert!(!Outcome::Failed.stands() && !Outcome::NotSent.stands());
    }

    #[test]
    fn http_dates_parse() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:60 GMT"),
            Some(253_402_300_800)
        );
    }

    #[test]
    fn hostile_dates_are_refused_not_overflowed() {
        for date in [
            "Sun, 06 Nov 300000000000 08:49:37 GMT",
            "Sun, 06 Nov -300000000000 08:49:37 GMT",
            "Sun, 06 Nov 1994 -08:49:37 GMT",
            "Sun, 06 Nov 1994 08:-49:37 GMT",
            "Sun, 06 Nov 1994 08:49:-37 GMT",
            "Sun, -06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 10000 08:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 99999999999999999999 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 99999999999999999999:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(date), None, "{date}");
        }
        let now = UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(retry_after(&headers("99999999999999999999"), now), None);
        assert_eq!(
            retry_after(&headers("18446744073709551615"), now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn uncapped_policies_do_not_overflow() {
        let uncapped = RetryPolicy {
            max_retries: u32::MAX,
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            max_elapsed: Duration::MAX,
            retry_non_idempotent: true,
        };
        for retry in [0, 1, 30, u32::MAX - 1] {
            let _ = uncapped.backoff(retry);
            let _ = uncapped.delay(&Method::GET, Outcome::Failed, retry, Duration::MAX);
            let long = headers("18446744073709551615");
            let answered = || Outcome::Answered(StatusCode::SERVICE_UNAVAILABLE, &long);
            assert_eq!(
                uncapped.delay(&Method::GET, answered(), retry, Duration::ZERO),
                Some(Duration::from_secs(u64::MAX))
            );
            // Past the end of time: no retry rather than an overflow.
            assert_eq!(
                uncapped.delay(&Method::GET, answered(), retry, Duration::from_secs(1)),
                None
            );
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(
            retry_after(&headers("3"), now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:49:37 GMT"), now),
            Some(Duration::from_secs(7))
        );
        // A date in the past means "now".
        assert_eq!(
            retry_after(&headers("Thu, 01 Jan 1970 00:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
    }

    #[test]
    fn only_safe_failures_are_retried() {
        let policy = RetryPolicy::default();
        let none = HeaderMap::new();
        let elapsed = Duration::ZERO;
        let answered = |code: u16| Outcome::Answered(StatusCode::from_u16(code).unwrap(), &none);
        assert!(
            policy
                .delay(&Method::GET, answered(503), 0, elapsed)
                .is_some()
        );
        assert!(
            policy
                .delay(&Method::GET, answered(429), 0, elapsed)
                .is_some()
        );
        assert!(
            policy
                .delay(&Method::GET, answered(404), 0, elapsed)
                .is_none()
        );
        assert!(
            policy
                .delay(&Method::GET, answered(501), 0, elapsed)
                .is_none()
        );
        assert!(
            policy
                .delay(&Method::GET, Outcome::Failed, 0, elapsed)
                .is_some()
        );
        // POST: only when the request was never sent.
        assert!(
            policy
                .delay(&Method::POST, answered(503), 0, elapsed)
                .is_none()
        );
        assert!(
            policy
                .delay(&Method::POST, Outcome::Failed, 0, elapsed)
                .is_none()
        );
        assert!(
            policy
                .delay(&Method::POST, Outcome::NotSent, 0, elapsed)
                .is_some()
        );
        let opted_in = RetryPolicy {
            retry_non_idempotent: true,
            ..policy.clone()
        };
        assert!(
            opted_in
                .delay(&Method::POST, answered(503), 0, elapsed)
                .is_some()
        );
    }

    #[test]
    fn retries_are_bounded_in_count_and_time() {
        let policy = RetryPolicy::default();
        assert!(
            policy
                .delay(&Method::GET, Outcome::NotSent, 2, Duration::ZERO)
                .is_none()
        );
        assert!(
            policy
                .delay(&Method::GET, Outcome::NotSent, 0, Duration::from_secs(30))
                .is_none()
        );
        assert!(
            RetryPolicy::disabled()
                .delay(&Method::GET, Outcome::NotSent, 0, Duration::ZERO)
                .is_none()
        );
        // A Retry-After longer than the client waits ends the retrying.
        let long = headers("3600");
        let delay = policy.delay(
            &Method::GET,
            Outcome::Answered(StatusCode::SERVICE_UNAVAILABLE, &long),
            0,
            Duration::ZERO,
        );
        assert_eq!(delay, None);
        let short = headers("1");
        let delay = policy.delay(
            &Method::GET,
            Outcome::Answered(StatusCode::SERVICE_UNAVAILABLE, &short),
            0,
            Duration::ZERO,
        );
        assert_eq!(delay, Some(Duration::from_secs(1)));
    }

    #[test]
    fn backoff_grows_and_stays_in_bounds() {
        let policy = RetryPolicy::default();
        for retry in 0..30 {
            let expected = policy
                .initial_backoff
                .saturating_mul(1 << retry.min(20))
                .min(policy.max_backoff);
            let delay = policy.backoff(retry);
            assert!(
                delay >= expected / 2 && delay <= expected,
                "{retry}: {delay:?}"
            );
        }
    }

    #[test]
    fn event_streams_reconnect_only_when_safe_and_within_the_policy() {
        let policy = RetryPolicy::default();
        let asked = Some(Duration::from_secs(3));
        let reconnect = |method: &Method, n, retry, elapsed| {
            policy.reconnect_delay(method, n, retry, Duration::from_secs(elapsed))
        };
        assert_eq!(reconnect(&Method::GET, 0, asked, 0), asked);
        assert!(reconnect(&Method::GET, 0, None, 0).is_some());
        // Not safe to repeat, unless the caller says so.
        assert_eq!(reconnect(&Method::POST, 0, asked, 0), None);
        let repeatable = RetryPolicy {
            retry_non_idempotent: true,
            ..RetryPolicy::default()
        };
        assert_eq!(
            repeatable.reconnect_delay(&Method::POST, 0, asked, Duration::ZERO),
            asked
        );
        // Bounded in count and time; a longer pause than the policy waits
        // ends the stream.
        assert_eq!(reconnect(&Method::GET, 2, asked, 0), None);
        assert_eq!(reconnect(&Method::GET, 0, asked, 28), None);
        assert_eq!(
            reconnect(&Method::GET, 0, Some(Duration::from_secs(60)), 0),
            None
        );
        assert_eq!(
            RetryPolicy::disabled().reconnect_delay(&Method::GET, 0, asked, Duration::ZERO),
            None
        );
    }
}
