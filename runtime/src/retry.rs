//! When a failed attempt is tried again, and how long the client waits first: the
//! [`RetryPolicy`], exponential backoff with jitter, and `Retry-After`.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How failed requests are retried.
///
/// Requests are retried on status 408, 429, 500, 502, 503 and 504 and on connection failures,
/// with exponential backoff and jitter. Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS and
/// TRACE) are also retried on timeouts and failures while reading the response body. POST and
/// PATCH requests are retried only when the request was never sent or the server answered 429,
/// and never once a redirect was followed (the first server may already have acted on them).
///
/// A `Retry-After` header on a retryable response is honoured: the client waits exactly that long
/// if the wait is at most [`RetryPolicy::max_retry_after`]; a longer wait ends the call with
/// [`Error::RateLimited`](crate::Error::RateLimited) instead of sleeping. When no attempt is
/// left, a retryable response is returned as it is, so the caller sees the server's final answer.
///
/// The default is 3 attempts in total, an initial backoff of 200 ms, a maximum backoff of 5 s and
/// a maximum `Retry-After` wait of 30 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl RetryPolicy {
    /// Creates the default policy: 3 attempts, 200 ms initial backoff, 5 s maximum backoff and a
    /// maximum `Retry-After` wait of 30 s.
    pub const fn new() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }

    /// Creates a policy that makes exactly one attempt and never retries.
    pub const fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::new()
        }
    }

    /// Sets the total number of attempts, including the first one; zero is treated as one.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the backoff before the first retry; each further retry doubles it.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the upper bound of the backoff between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` wait the client accepts before giving up with
    /// [`Error::RateLimited`](crate::Error::RateLimited).
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Returns the total number of attempts, including the first one.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Returns the backoff before the first retry.
    pub fn get_initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// Returns the upper bound of the backoff between two attempts.
    pub fn get_max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Returns the longest `Retry-After` wait the client accepts.
    pub fn get_max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Computes the backoff before retry number `retry` (starting at 1), scaled by a jitter
    /// factor of `permille / 1000`, which callers keep in `[500, 1000]`.
    pub(crate) fn backoff(&self, retry: u32, permille: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let base = self
            .initial_backoff
            .saturating_mul(1_u32 << exponent)
            .min(self.max_backoff);
        scale_duration(base, permille.min(1000))
    }
}

/// Multiplies `duration` by `permille / 1000` without overflow or panics.
fn scale_duration(duration: Duration, permille: u32) -> Duration {
    let nanos = duration.as_nanos().saturating_mul(u128::from(permille)) / 1000;
    let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    let subsec = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
    Duration::new(secs, subsec)
}

/// Returns a pseudo-random jitter factor in `[500, 1000]` permille, using only the standard
/// library's randomly keyed hasher.
pub(crate) fn jitter_permille() -> u32 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let offset = u32::try_from(hasher.finish() % 501).unwrap_or(0);
    500 + offset
}

/// Reports whether a status is worth retrying.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Parses the `Retry-After` header of a response, relative to `now`.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, now)
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP-date relative to `now`.
///
/// A date in the past means no wait. Delta-seconds too large for a `u64` saturate. Anything else
/// yields `None`, so the regular backoff applies.
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );

        let future = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&future, now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));

        for garbage in ["", "soon", "-5", "1.5", "12 seconds", "Wed, 99 Foo 2024"] {
            assert_eq!(parse_retry_after(garbage, now), None, "{garbage:?}");
        }

        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(3)));
    }

    #[test]
    fn backoff_grows_exponentially_and_is_capped() {
        let policy = RetryPolicy::new();
        assert_eq!(policy.backoff(1, 1000), Duration::from_millis(200));
        assert_eq!(policy.backoff(2, 1000), Duration::from_millis(400));
        assert_eq!(policy.backoff(3, 1000), Duration::from_millis(800));
        assert_eq!(policy.backoff(10, 1000), Duration::from_secs(5));
        assert_eq!(policy.backoff(u32::MAX, 1000), Duration::from_secs(5));
        assert_eq!(policy.backoff(1, 500), Duration::from_millis(100));
        assert_eq!(policy.backoff(10, 500), Duration::from_millis(2500));
        for retry in 1..40 {
            let permille = jitter_permille();
            let delay = policy.backoff(retry, permille);
            let full = policy.backoff(retry, 1000);
            assert!(delay <= full && delay >= full / 2, "{delay:?} vs {full:?}");
        }
        let huge = RetryPolicy::new()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        assert!(huge.backoff(64, 1000) >= Duration::from_secs(u64::MAX / 2));
        assert!(huge.backoff(64, 500) >= Duration::from_secs(u64::MAX / 4));
    }

    #[test]
    fn jitter_stays_within_half_to_one() {
        let samples: Vec<u32> = (0..2000).map(|_| jitter_permille()).collect();
        assert!(samples.iter().all(|p| (500..=1000).contains(p)));
        assert!(samples.iter().any(|p| *p < 750));
        assert!(samples.iter().any(|p| *p > 750));
    }

    #[test]
    fn retry_policy_defaults_and_setters() {
        let policy = RetryPolicy::default();
        assert_eq!(policy, RetryPolicy::new());
        assert_eq!(policy.get_max_attempts(), 3);
        assert_eq!(policy.get_initial_backoff(), Duration::from_millis(200));
        assert_eq!(policy.get_max_backoff(), Duration::from_secs(5));
        assert_eq!(policy.get_max_retry_after(), Duration::from_secs(30));
        assert_eq!(RetryPolicy::disabled().get_max_attempts(), 1);
        assert_eq!(RetryPolicy::new().max_attempts(0).get_max_attempts(), 1);
        let custom = RetryPolicy::new()
            .max_attempts(5)
            .initial_backoff(Duration::from_millis(10))
            .max_backoff(Duration::from_millis(20))
            .max_retry_after(Duration::from_secs(1));
        assert_eq!(custom.get_max_attempts(), 5);
        assert_eq!(custom.get_initial_backoff(), Duration::from_millis(10));
        assert_eq!(custom.get_max_backoff(), Duration::from_millis(20));
        assert_eq!(custom.get_max_retry_after(), Duration::from_secs(1));
    }
}
