//! Per-call control: extra headers, a timeout and a retry policy for one call, set on any
//! request builder through the [`RequestOptions`] trait, one mechanism for every operation.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::redact::{Redacted, is_secret_header};
use crate::retry::RetryPolicy;

/// Headers a caller may not set: the transport owns message framing and the connection.
const RESERVED_HEADERS: &[&str] = &[
    "connection",
    "content-length",
    "host",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// What one call adds to or overrides in the client's configuration.
///
/// Build it through the [`RequestOptions`] methods of a request builder. Headers are validated
/// as they are added; a bad one fails the call with `Error::InvalidRequest` when it is sent,
/// without echoing the value.
#[derive(Clone, Default)]
pub struct CallOptions {
    headers: Vec<(HeaderName, HeaderValue)>,
    invalid: Option<String>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl CallOptions {
    /// Adds a header (kept beside any other value of the same name the call sends).
    pub fn header(&mut self, name: &str, value: &str) {
        match validate(name, value) {
            Ok(header) => self.headers.push(header),
            Err(reason) => {
                self.invalid.get_or_insert(reason);
            }
        }
    }

    /// Sets the timeout of each attempt of this call.
    pub fn timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// Sets the retry policy of this call.
    pub fn retry_policy(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    pub(crate) fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    pub(crate) fn invalid(&self) -> Option<&str> {
        self.invalid.as_deref()
    }

    pub(crate) fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    pub(crate) fn get_retry(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials: only the names are shown.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("CallOptions")
            .field("headers", &names)
            .field("invalid", &self.invalid.as_ref().map(|_| Redacted))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Checks a caller's header, never echoing its value in the reason.
fn validate(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("invalid header name `{}`", name.escape_default()))?;
    if RESERVED_HEADERS.contains(&header_name.as_str()) {
        return Err(format!(
            "the `{}` header is managed by the transport and cannot be set per call",
            header_name.as_str()
        ));
    }
    let valid = !value.contains(['\r', '\n', '\0']);
    let Some(mut header_value) = valid.then(|| HeaderValue::from_str(value).ok()).flatten() else {
        return Err(format!(
            "invalid value for header `{}`: it must not contain control characters such as CR, \
             LF or NUL",
            header_name.as_str()
        ));
    };
    if is_secret_header(header_name.as_str()) {
        header_value.set_sensitive(true);
    }
    Ok((header_name, header_value))
}

/// Per-call control on every request builder: extra headers (a correlation id,
/// `traceparent`, `Prefer`), a timeout and a retry policy for this call only.
///
/// ```ignore
/// use my_api::RequestOptions as _;
/// let badge = client
///     .get_badge("b1")
///     .header("traceparent", traceparent)
///     .timeout(std::time::Duration::from_secs(5))
///     .retry_policy(my_api::RetryPolicy::disabled())
///     .send()
///     .await?;
/// ```
///
/// Headers set here go to the API's origin only, like the client's credentials: a redirect to
/// another origin does not carry them.
pub trait RequestOptions: Sized {
    /// The builder's options; generated builders implement this, callers use the other methods.
    #[doc(hidden)]
    fn call_options(&mut self) -> &mut CallOptions;

    /// Adds a header to this call. An invalid name or value (CR, LF, NUL), or a header the
    /// transport manages (`Content-Length`, `Host`, …), fails the call with
    /// `Error::InvalidRequest` when it is sent.
    fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.call_options().header(name.as_ref(), value.as_ref());
        self
    }

    /// Sets the timeout of each attempt of this call, instead of the client's.
    fn timeout(mut self, timeout: Duration) -> Self {
        self.call_options().timeout(timeout);
        self
    }

    /// Sets the retry policy of this call, instead of the client's.
    fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.call_options().retry_policy(policy);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Builder(CallOptions);

    impl RequestOptions for Builder {
        fn call_options(&mut self) -> &mut CallOptions {
            &mut self.0
        }
    }

    #[test]
    fn options_collect_headers_a_timeout_and_a_policy() {
        let built = Builder::default()
            .header("traceparent", "00-abc-def-01")
            .header("Prefer", "return=minimal")
            .timeout(Duration::from_secs(2))
            .retry_policy(RetryPolicy::disabled());
        let options = built.0;
        assert!(options.invalid().is_none());
        let names: Vec<&str> = options.headers().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["traceparent", "prefer"]);
        assert_eq!(options.get_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(options.get_retry(), Some(&RetryPolicy::disabled()));
    }

    #[test]
    fn bad_headers_are_refused_without_echoing_the_value() {
        for (name, value) in [
            ("x-custom", "a\r\nAuthorization: Bearer evil"),
            ("x-nul", "a\0b"),
            ("bad name", "v"),
            ("Content-Length", "5"),
            ("transfer-encoding", "chunked"),
            ("host", "elsewhere.test"),
        ] {
            let options = Builder::default().header(name, value).0;
            let reason = options.invalid().expect(name);
            assert!(!reason.contains("evil"), "{reason}");
            assert!(options.headers().is_empty());
        }
    }

    #[test]
    fn debug_shows_header_names_only() {
        let options = Builder::default()
            .header("authorization", "Bearer per-call-secret")
            .header("x-correlation-id", "corr-42")
            .0;
        let shown = format!("{options:?}");
        assert!(
            !shown.contains("per-call-secret") && !shown.contains("corr-42"),
            "{shown}"
        );
        assert!(shown.contains("x-correlation-id"), "{shown}");
        assert!(options.headers()[0].1.is_sensitive());
    }
}
