//! Runtime support for the generated API client, copied verbatim into the generated crate by `cargo xtask codegen`.
//!
//! It provides the client and its builder, the transport with retries and response-size limits,
//! the error types and pagination. This file is hand-written and knows nothing about any
//! particular API: it becomes the generated crate's `src/runtime.rs`, and everything
//! API-specific (the default base URL, operation ids, paths, header names and client-wide
//! settings) is passed in by the generated code. Edit it here, not in the generated crate.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
};
use reqwest::{Method, StatusCode, Url};

pub use progenitor_client::ResponseValue;

/// The default timeout for establishing a connection.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default timeout for one attempt, including reading the response body.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default cap on the size of a response body.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// The maximum number of redirects followed for one attempt.
const MAX_REDIRECTS: usize = 5;
/// How many bytes of a response body are shown by `Display` and `Debug`.
const DISPLAY_BODY_LIMIT: usize = 512;
/// How many bytes of a rate-limited response body are kept in the error.
const RATE_LIMITED_BODY_LIMIT: usize = 64 * 1024;
/// The hard bound on the number of pages fetched by one pagination stream.
const MAX_PAGES: u32 = 100_000;
/// How many rounds of percent-decoding are applied when checking a path segment.
const MAX_DECODE_ROUNDS: usize = 16;
/// The characters that are percent-encoded in a path segment: everything except the RFC 3986
/// unreserved characters `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

// ---------------------------------------------------------------------------------------------
// Static API description.
// ---------------------------------------------------------------------------------------------

/// Static facts about the API, emitted by the generator.
#[doc(hidden)]
#[derive(Debug)]
pub struct ApiInfo {
    /// The base URL used when the caller does not set one; empty if the specification has none.
    pub default_base_url: &'static str,
    /// Whether the API requires a bearer token.
    pub requires_token: bool,
    /// The default `User-Agent` header value.
    pub user_agent: &'static str,
    /// The client-wide settings the API declares.
    pub settings: &'static [SettingInfo],
}

/// A header parameter that the specification marks as client-wide.
///
/// A setting is configured once on the builder, sent with every operation that takes the header,
/// and can be overridden per call.
#[doc(hidden)]
#[derive(Debug)]
pub struct SettingInfo {
    /// The key the generated builder setter uses.
    pub key: &'static str,
    /// The HTTP header the setting is sent as.
    pub header: &'static str,
}

// ---------------------------------------------------------------------------------------------
// Retry policy.
// ---------------------------------------------------------------------------------------------

/// How failed requests are retried.
///
/// Requests are retried on status 408, 429, 500, 502, 503 and 504 and on connection failures,
/// with exponential backoff and jitter. Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS and
/// TRACE) are also retried on timeouts and failures while reading the response body. POST and
/// PATCH requests are retried only when the request was never sent or the server answered 429.
///
/// A `Retry-After` header on a retryable response is honoured: the client waits exactly that long
/// if the wait is at most [`RetryPolicy::max_retry_after`]; a longer wait ends the call with
/// [`Error::RateLimited`] instead of sleeping. When no attempt is left, a retryable response is
/// returned as it is, so the caller sees the server's final answer.
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
    /// [`Error::RateLimited`].
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
    fn backoff(&self, retry: u32, permille: u32) -> Duration {
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
fn jitter_permille() -> u32 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let offset = u32::try_from(hasher.finish() % 501).unwrap_or(0);
    500 + offset
}

/// Reports whether a status is worth retrying.
fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Parses the `Retry-After` header of a response, relative to `now`.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
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

// ---------------------------------------------------------------------------------------------
// Client and builder.
// ---------------------------------------------------------------------------------------------

/// The API client.
///
/// Cloning is cheap: clones share the connection pool and configuration. Create one with the
/// generated `Client::builder()`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

/// The shared state of a [`Client`].
struct ClientInner {
    http: reqwest::Client,
    base_url: String,
    authorization: Option<HeaderValue>,
    settings: Vec<(&'static str, String)>,
    retry: RetryPolicy,
    timeout: Duration,
    max_response_bytes: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("token", &inner.authorization.as_ref().map(|_| Redacted))
            .field("settings", &SettingKeys(&inner.settings))
            .field("retry", &inner.retry)
            .field("timeout", &inner.timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a builder with the defaults described by `info`.
    pub(crate) fn from_builder_info(info: &'static ApiInfo) -> ClientBuilder {
        ClientBuilder {
            info,
            token: None,
            base_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
            user_agent: None,
            settings: Vec::new(),
        }
    }

    /// Returns the base URL requests are sent to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Returns the underlying HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Returns the value of a client-wide setting, if it was set on the builder.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.inner
            .settings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sends a request, retrying according to the retry policy, and reads the whole response
    /// body (up to the configured cap).
    ///
    /// Any status is returned as a [`Response`]; when retries are exhausted on a retryable
    /// status, the final response is returned too.
    pub(crate) async fn execute(&self, request: Request) -> Result<Response, Error> {
        let inner = &*self.inner;
        let Request {
            method,
            operation,
            path,
            query,
            mut headers,
            body,
        } = request;

        let mut url = Url::parse(&format!("{}{}", inner.base_url, path)).map_err(|e| {
            Error::InvalidRequest {
                operation,
                message: format!("cannot build the request url: {e}"),
            }
        })?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(name, value)| (*name, value.as_str())));
        }
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if let Some(authorization) = &inner.authorization {
            headers.insert(AUTHORIZATION, authorization.clone());
        }

        let policy = &inner.retry;
        let max_attempts = policy.max_attempts.max(1);
        let idempotent = method.is_idempotent();
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            let can_retry = attempt < max_attempts;

            let mut outgoing = reqwest::Request::new(method.clone(), url.clone());
            *outgoing.headers_mut() = headers.clone();
            *outgoing.timeout_mut() = Some(inner.timeout);
            if let Some(body) = &body {
                *outgoing.body_mut() = Some(reqwest::Body::from(body.clone()));
            }

            let failure = match inner.http.execute(outgoing).await {
                Ok(mut response) => {
                    let status = response.status();
                    let retryable = is_retryable_status(status)
                        && (idempotent || status == StatusCode::TOO_MANY_REQUESTS);
                    if can_retry && retryable {
                        let delay = match retry_after(response.headers(), SystemTime::now()) {
                            Some(wait) if wait > policy.max_retry_after => {
                                let headers = std::mem::take(response.headers_mut());
                                let limit = RATE_LIMITED_BODY_LIMIT.min(inner.max_response_bytes);
                                let body = read_prefix(&mut response, limit).await;
                                return Err(Error::RateLimited {
                                    retry_after: wait,
                                    response: ErrorResponse::new(
                                        operation, status, headers, body, None,
                                    ),
                                });
                            }
                            Some(wait) => wait,
                            None => policy.backoff(attempt, jitter_permille()),
                        };
                        drop(response);
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    let response_headers = std::mem::take(response.headers_mut());
                    match read_limited(&mut response, inner.max_response_bytes).await {
                        Ok(body) => {
                            return Ok(Response {
                                operation,
                                status,
                                headers: response_headers,
                                body,
                            });
                        }
                        Err(ReadError::TooLarge) => {
                            return Err(Error::BodyTooLarge {
                                operation,
                                status,
                                headers: response_headers,
                                limit: inner.max_response_bytes,
                            });
                        }
                        Err(ReadError::Transport { error, partial }) => {
                            if can_retry && idempotent {
                                tokio::time::sleep(policy.backoff(attempt, jitter_permille()))
                                    .await;
                                continue;
                            }
                            if !error.is_timeout() {
                                // The server answered but the body was cut short: keep the
                                // status, the headers and the bytes that did arrive.
                                return Err(Error::InvalidBody {
                                    kind: InvalidBodyKind::Incomplete(error),
                                    response: ErrorResponse::new(
                                        operation,
                                        status,
                                        response_headers,
                                        partial,
                                        None,
                                    ),
                                });
                            }
                            error
                        }
                    }
                }
                Err(error) => {
                    // A connect error means nothing was sent, so every method may retry.
                    let retryable = error.is_connect()
                        || (idempotent
                            && (error.is_timeout() || error.is_request() || error.is_body()));
                    if can_retry && retryable {
                        tokio::time::sleep(policy.backoff(attempt, jitter_permille())).await;
                        continue;
                    }
                    error
                }
            };
            return Err(transport_error(operation, attempt, failure));
        }
    }
}

/// Maps a transport failure after the last attempt to an [`Error`].
fn transport_error(operation: &'static str, attempts: u32, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout {
            operation,
            attempts,
            source,
        }
    } else {
        Error::Connection {
            operation,
            attempts,
            source,
        }
    }
}

/// Why reading a response body failed.
enum ReadError {
    /// The body is larger than the cap.
    TooLarge,
    /// The transport failed while reading, after `partial` had arrived.
    Transport {
        /// The transport error.
        error: reqwest::Error,
        /// The bytes received before the failure (never more than the cap).
        partial: Bytes,
    },
}

/// Reads a whole response body, refusing as soon as it exceeds `limit` bytes.
///
/// A body that fits in one chunk is returned without a copy. A longer one is gathered into a
/// buffer sized once from `Content-Length` (already checked against `limit`), so that it is
/// copied once and holds no spare capacity while it is decoded.
async fn read_limited(response: &mut reqwest::Response, limit: usize) -> Result<Bytes, ReadError> {
    let expected = response.content_length().unwrap_or(0);
    if expected > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(ReadError::TooLarge);
    }
    let expected = usize::try_from(expected).unwrap_or(0);
    let mut first: Option<Bytes> = None;
    let mut buffer = BytesMut::new();
    let mut total: usize = 0;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(error) => {
                let partial = match first.take() {
                    Some(first) => first,
                    None => buffer.freeze(),
                };
                return Err(ReadError::Transport { error, partial });
            }
        };
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(ReadError::TooLarge);
        }
        if first.is_none() && buffer.is_empty() {
            first = Some(chunk);
        } else {
            if let Some(first) = first.take() {
                buffer.reserve(expected.max(first.len() + chunk.len()));
                buffer.extend_from_slice(&first);
            }
            buffer.extend_from_slice(&chunk);
        }
    }
    Ok(first.unwrap_or_else(|| buffer.freeze()))
}

/// Reads at most `limit` bytes of a response body, ignoring the rest and any read failure.
async fn read_prefix(response: &mut reqwest::Response, limit: usize) -> Bytes {
    let mut buffer = BytesMut::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit.saturating_sub(buffer.len());
        if chunk.len() >= room {
            buffer.extend_from_slice(&chunk[..room]);
            break;
        }
        buffer.extend_from_slice(&chunk);
    }
    buffer.freeze()
}

/// Builds the `Authorization` header value for a bearer token, marked sensitive.
fn bearer_header(token: &str) -> Result<HeaderValue, BuildError> {
    let token = token.trim();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(BuildError::InvalidToken);
    }
    let mut value =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| BuildError::InvalidToken)?;
    value.set_sensitive(true);
    Ok(value)
}

/// Validates a base URL and returns it without a trailing slash.
fn validate_base_url(raw: &str, allow_insecure_http: bool) -> Result<String, BuildError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(BuildError::MissingBaseUrl);
    }
    let invalid = |url: String, reason: &str| BuildError::InvalidBaseUrl {
        url,
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw).map_err(|e| invalid(redact_userinfo(raw), &e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        let mut shown = url.clone();
        // Clearing credentials cannot fail for URLs with a host, which are the only ones that
        // can carry credentials.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(invalid(shown.into(), "must not contain credentials"));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http => {}
        "http" => return Err(BuildError::InsecureBaseUrl { url: url.into() }),
        other => {
            let reason = format!("unsupported scheme `{other}`, expected https");
            return Err(invalid(redact_userinfo(raw), &reason));
        }
    }
    if url.host().is_none() {
        return Err(invalid(redact_userinfo(raw), "must have a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(url.into(), "must not contain a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Replaces the user information (`user:password@`) of a URL that may not parse with a marker.
///
/// A URL with a host is redacted exactly. In text that does not parse, or parses without a host
/// (`user:password@host` reads as a URL with the scheme `user`), the end of the user information
/// cannot be found reliably (a password may contain `/`, `?` or `#`), so everything after the
/// scheme up to the last `@` is hidden: this may hide more than the credentials, never less.
fn redact_userinfo(raw: &str) -> String {
    let (text, last_at) = match Url::parse(raw) {
        Ok(url) if url.has_host() && url.username().is_empty() && url.password().is_none() => {
            return raw.to_owned();
        }
        // Serialized, the user information is percent-encoded and ends at the authority's `@`.
        Ok(url) if url.has_host() => {
            let text = String::from(url);
            let start = text.find("://").map_or(0, |i| i + 3);
            let rest = &text[start..];
            let authority = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let at = rest[..authority].rfind('@').map(|at| start + at);
            (text, at)
        }
        _ => {
            let start = raw.find("://").map_or(0, |i| i + 3);
            (raw.to_owned(), raw[start..].rfind('@').map(|at| start + at))
        }
    };
    match last_at {
        Some(at) => {
            let start = text.find("://").map_or(0, |i| i + 3).min(at);
            format!("{}<redacted>{}", &text[..start], &text[at..])
        }
        None => text,
    }
}

/// Configures and builds a [`Client`].
///
/// Create one with the generated `Client::builder()`.
pub struct ClientBuilder {
    info: &'static ApiInfo,
    token: Option<String>,
    base_url: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    allow_insecure_http: bool,
    user_agent: Option<String>,
    settings: Vec<(&'static str, String)>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .field("base_url", &self.base_url.as_deref().map(redact_userinfo))
            .field("default_base_url", &self.info.default_base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("user_agent", &self.user_agent)
            .field("settings", &SettingKeys(&self.settings))
            .finish()
    }
}

impl ClientBuilder {
    /// Sets the bearer token sent in the `Authorization` header.
    ///
    /// Surrounding whitespace is ignored; pass the token without the `Bearer ` prefix.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Overrides the base URL, for example to target another environment or a test server.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the timeout for one attempt, covering the whole request including reading the
    /// response body (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::new`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the largest response body the client accepts, in bytes (default 32 MiB).
    ///
    /// Larger bodies end the call with [`Error::BodyTooLarge`] without being buffered.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Allows a plain `http` base URL and redirects to `http` URLs (default `false`).
    ///
    /// Only use this for local testing: the token would be sent in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Overrides the `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets a client-wide setting; the generated setters call this.
    #[allow(
        dead_code,
        reason = "whether generated code uses it depends on the spec"
    )]
    pub(crate) fn setting(mut self, key: &'static str, value: String) -> Self {
        match self.settings.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.settings.push((key, value)),
        }
        self
    }

    /// Validates the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// Fails when a required token or base URL is missing, when the token, base URL or a
    /// setting is invalid, when the base URL is not https and insecure HTTP is not allowed, or
    /// when the HTTP client cannot be created.
    pub fn build(self) -> Result<Client, BuildError> {
        let authorization = match self.token.as_deref() {
            Some(token) => Some(bearer_header(token)?),
            None if self.info.requires_token => return Err(BuildError::MissingToken),
            None => None,
        };
        let raw_base_url = self
            .base_url
            .as_deref()
            .unwrap_or(self.info.default_base_url);
        let base_url = validate_base_url(raw_base_url, self.allow_insecure_http)?;

        for (key, value) in &self.settings {
            let invalid = |reason: &str| BuildError::InvalidSetting {
                key,
                reason: reason.to_owned(),
            };
            let Some(info) = self.info.settings.iter().find(|s| s.key == *key) else {
                return Err(invalid("unknown setting"));
            };
            if value.is_empty() {
                return Err(invalid(&format!(
                    "the value for the `{}` header must not be empty",
                    info.header
                )));
            }
            if HeaderValue::from_str(value).is_err() {
                return Err(invalid(&format!(
                    "the value for the `{}` header must not contain control characters such as \
                     CR, LF or NUL",
                    info.header
                )));
            }
        }

        let user_agent = self.user_agent.as_deref().unwrap_or(self.info.user_agent);
        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .https_only(!self.allow_insecure_http)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .referer(false);
        if !user_agent.is_empty() {
            http = http.user_agent(user_agent);
        }
        let http = http.build().map_err(BuildError::Http)?;

        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                authorization,
                settings: self.settings,
                retry: self.retry,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

/// Prints `"<redacted>"` in place of a secret.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

/// Prints the keys of the configured settings but not their values, which may be secret.
struct SettingKeys<'a>(&'a [(&'static str, String)]);

impl fmt::Debug for SettingKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(key, _)| key))
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------------

/// Why building a [`Client`] failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum BuildError {
    /// The API requires a bearer token but none was set.
    MissingToken,
    /// The token is empty or contains whitespace, control or non-ASCII characters.
    InvalidToken,
    /// No base URL was set and the API has no default.
    MissingBaseUrl,
    /// The base URL cannot be parsed or cannot serve as a base URL.
    InvalidBaseUrl {
        /// The offending URL, without credentials when it could be parsed.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The base URL uses plain HTTP and insecure HTTP was not allowed.
    InsecureBaseUrl {
        /// The offending URL.
        url: String,
    },
    /// A client-wide setting has an invalid value.
    InvalidSetting {
        /// The setting's key.
        key: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The underlying HTTP client could not be created.
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingToken => f.write_str("missing bearer token: set one with `token()`"),
            Self::InvalidToken => f.write_str(
                "invalid bearer token: it must be non-empty visible ascii without spaces \
                 (pass it without the `Bearer ` prefix)",
            ),
            Self::MissingBaseUrl => f.write_str("missing base url: set one with `base_url()`"),
            Self::InvalidBaseUrl { url, reason } => write!(f, "invalid base url `{url}`: {reason}"),
            Self::InsecureBaseUrl { url } => write!(
                f,
                "insecure base url `{url}`: use https or call `allow_insecure_http(true)`"
            ),
            Self::InvalidSetting { key, reason } => {
                write!(f, "invalid value for setting `{key}`: {reason}")
            }
            Self::Http(_) => f.write_str("cannot create the http client"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(source) => Some(source),
            _ => None,
        }
    }
}

/// Why a response body could not be decoded, or could not be read completely.
#[non_exhaustive]
#[derive(Debug)]
pub enum InvalidBodyKind {
    /// The body is not valid JSON for the expected type.
    Json(serde_json::Error),
    /// The `Content-Type` header names a type that is not JSON.
    ContentType(String),
    /// The body is empty.
    Empty,
    /// A text body is not valid UTF-8.
    Utf8(std::str::Utf8Error),
    /// The connection failed after the status and headers arrived but before the whole body
    /// did (for example a body shorter than its `Content-Length`, or a chunked body cut
    /// short); the error response holds the bytes that arrived.
    Incomplete(reqwest::Error),
}

impl fmt::Display for InvalidBodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(_) => f.write_str("malformed json"),
            Self::ContentType(content_type) => {
                write!(f, "unexpected content type `{}`", Escaped(content_type))
            }
            Self::Empty => f.write_str("empty body"),
            Self::Utf8(_) => f.write_str("invalid utf-8"),
            Self::Incomplete(_) => f.write_str("incomplete body: the connection failed mid-body"),
        }
    }
}

impl std::error::Error for InvalidBodyKind {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(source) => Some(source),
            Self::Utf8(source) => Some(source),
            Self::Incomplete(source) => Some(source),
            Self::ContentType(_) | Self::Empty => None,
        }
    }
}

/// A response the client did not turn into a value: its status, headers and body.
#[derive(Clone)]
pub struct ErrorResponse {
    // Boxed so that `Error` stays small.
    inner: Box<ErrorResponseInner>,
}

/// The fields of an [`ErrorResponse`].
#[derive(Clone)]
struct ErrorResponseInner {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    description: Option<&'static str>,
}

impl ErrorResponse {
    /// Creates an error response; an empty description counts as none.
    fn new(
        operation: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        description: Option<&'static str>,
    ) -> Self {
        Self {
            inner: Box::new(ErrorResponseInner {
                operation,
                status,
                headers,
                body,
                description: description.filter(|d| !d.is_empty()),
            }),
        }
    }

    /// Returns the id of the operation that produced the response.
    pub fn operation_id(&self) -> &'static str {
        self.inner.operation
    }

    /// Returns the response status.
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// Returns the response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// Returns the raw response body.
    pub fn body(&self) -> &Bytes {
        &self.inner.body
    }

    /// Returns the response body as text, replacing invalid UTF-8.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.inner.body)
    }

    /// Returns the specification's description of the status, if the status is documented.
    pub fn description(&self) -> Option<&'static str> {
        self.inner.description
    }

    /// Parses the response body as JSON.
    ///
    /// # Errors
    ///
    /// Fails when the body is not valid JSON for `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.inner.body)
    }
}

impl fmt::Debug for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("ErrorResponse")
            .field("operation", &inner.operation)
            .field("status", &inner.status)
            .field("description", &inner.description)
            .field("headers", &HeadersDebug(&inner.headers))
            .field("body", &BodyPreview(&inner.body))
            .finish()
    }
}

/// An error returned by an operation.
#[non_exhaustive]
pub enum Error {
    /// The request was rejected before it was sent: an invalid path segment or header value, a
    /// missing required setting, or a body that could not be serialized.
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The request timed out on its last attempt.
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The transport error.
        source: reqwest::Error,
    },
    /// The request failed at the transport level (connection, TLS, redirects) on its last
    /// attempt.
    Connection {
        /// The operation id.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The transport error.
        source: reqwest::Error,
    },
    /// The server asked, with `Retry-After`, for a wait longer than
    /// [`RetryPolicy::max_retry_after`].
    RateLimited {
        /// The wait the server asked for.
        retry_after: Duration,
        /// The response, with a body truncated to 64 KiB.
        response: ErrorResponse,
    },
    /// The server answered with a non-success status, documented or not, after any retries.
    Response(ErrorResponse),
    /// The server answered with a success status but the body could not be decoded, or it
    /// answered with any status but the body was cut short ([`InvalidBodyKind::Incomplete`]) on
    /// the last attempt.
    InvalidBody {
        /// What was wrong with the body.
        kind: InvalidBodyKind,
        /// The response.
        response: ErrorResponse,
    },
    /// The response body exceeded [`ClientBuilder::max_response_bytes`].
    BodyTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The response status.
        status: StatusCode,
        /// The response headers.
        headers: HeaderMap,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// Walking the pages of a paginated operation failed.
    Pagination {
        /// The operation id.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// Returns the id of the operation that failed.
    pub fn operation_id(&self) -> &'static str {
        match self {
            Self::InvalidRequest { operation, .. }
            | Self::Timeout { operation, .. }
            | Self::Connection { operation, .. }
            | Self::BodyTooLarge { operation, .. }
            | Self::Pagination { operation, .. } => operation,
            Self::RateLimited { response, .. }
            | Self::Response(response)
            | Self::InvalidBody { response, .. } => response.operation_id(),
        }
    }

    /// Returns the response status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::BodyTooLarge { status, .. } => Some(*status),
            _ => self.response().map(ErrorResponse::status),
        }
    }

    /// Returns the response, if the server answered and its body was read.
    pub fn response(&self) -> Option<&ErrorResponse> {
        match self {
            Self::RateLimited { response, .. }
            | Self::Response(response)
            | Self::InvalidBody { response, .. } => Some(response),
            _ => None,
        }
    }

    /// Reports whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Reports whether trying again later may succeed: statuses 408, 429, 500, 502, 503 and
    /// 504, timeouts, connection failures and bodies cut short.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Connection { .. } | Self::RateLimited { .. } => true,
            Self::Response(response) => is_retryable_status(response.status()),
            Self::InvalidBody {
                kind: InvalidBodyKind::Incomplete(_),
                ..
            } => true,
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operation = self.operation_id();
        match self {
            Self::InvalidRequest { message, .. } => {
                write!(f, "{operation}: invalid request: {message}")
            }
            Self::Timeout { attempts, .. } => {
                write!(f, "{operation}: timed out after {}", Attempts(*attempts))
            }
            Self::Connection { attempts, .. } => {
                write!(
                    f,
                    "{operation}: request failed after {}",
                    Attempts(*attempts)
                )
            }
            Self::RateLimited {
                retry_after,
                response,
            } => {
                write!(
                    f,
                    "{operation}: rate limited with status {}: the server asked to wait {}s, \
                     longer than the retry policy allows",
                    response.status(),
                    retry_after.as_secs()
                )?;
                write_body(f, response.body())
            }
            Self::Response(response) => {
                match response.description() {
                    Some(description) => write!(
                        f,
                        "{operation}: status {} ({})",
                        response.status(),
                        Escaped(description)
                    )?,
                    None => write!(f, "{operation}: unexpected status {}", response.status())?,
                }
                write_body(f, response.body())
            }
            Self::InvalidBody { kind, response } => {
                write!(
                    f,
                    "{operation}: invalid response body with status {}: {kind}",
                    response.status()
                )?;
                write_body(f, response.body())
            }
            Self::BodyTooLarge { status, limit, .. } => write!(
                f,
                "{operation}: response body with status {status} exceeds the limit of {limit} bytes"
            ),
            Self::Pagination { message, .. } => {
                write!(f, "{operation}: pagination failed: {message}")
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRequest { operation, message } => f
                .debug_struct("InvalidRequest")
                .field("operation", operation)
                .field("message", message)
                .finish(),
            Self::Timeout {
                operation,
                attempts,
                source,
            } => f
                .debug_struct("Timeout")
                .field("operation", operation)
                .field("attempts", attempts)
                .field("source", source)
                .finish(),
            Self::Connection {
                operation,
                attempts,
                source,
            } => f
                .debug_struct("Connection")
                .field("operation", operation)
                .field("attempts", attempts)
                .field("source", source)
                .finish(),
            Self::RateLimited {
                retry_after,
                response,
            } => f
                .debug_struct("RateLimited")
                .field("retry_after", retry_after)
                .field("response", response)
                .finish(),
            Self::Response(response) => f.debug_tuple("Response").field(response).finish(),
            Self::InvalidBody { kind, response } => f
                .debug_struct("InvalidBody")
                .field("kind", kind)
                .field("response", response)
                .finish(),
            Self::BodyTooLarge {
                operation,
                status,
                headers,
                limit,
            } => f
                .debug_struct("BodyTooLarge")
                .field("operation", operation)
                .field("status", status)
                .field("headers", &HeadersDebug(headers))
                .field("limit", limit)
                .finish(),
            Self::Pagination { operation, message } => f
                .debug_struct("Pagination")
                .field("operation", operation)
                .field("message", message)
                .finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout { source, .. } | Self::Connection { source, .. } => Some(source),
            Self::InvalidBody { kind, .. } => match kind {
                InvalidBodyKind::Json(source) => Some(source),
                InvalidBodyKind::Utf8(source) => Some(source),
                InvalidBodyKind::Incomplete(source) => Some(source),
                InvalidBodyKind::ContentType(_) | InvalidBodyKind::Empty => None,
            },
            _ => None,
        }
    }
}

/// Prints "1 attempt" or "N attempts".
struct Attempts(u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 attempt"),
            n => write!(f, "{n} attempts"),
        }
    }
}

/// Prints server-controlled text with control characters escaped, so that it cannot forge log
/// lines or terminal escape sequences.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// Returns at most [`DISPLAY_BODY_LIMIT`] bytes of `body` as lossy UTF-8 without splitting a
/// character, and whether the body was truncated.
fn body_prefix(body: &[u8]) -> (Cow<'_, str>, bool) {
    if body.len() <= DISPLAY_BODY_LIMIT {
        return (String::from_utf8_lossy(body), false);
    }
    let mut end = DISPLAY_BODY_LIMIT;
    // Back off over UTF-8 continuation bytes, which take the form 0b10xx_xxxx.
    while end > DISPLAY_BODY_LIMIT - 3 && body.get(end).is_some_and(|b| b & 0xC0 == 0x80) {
        end -= 1;
    }
    (String::from_utf8_lossy(&body[..end]), true)
}

/// Appends a bounded, escaped view of a response body to an error message.
fn write_body(f: &mut fmt::Formatter<'_>, body: &[u8]) -> fmt::Result {
    let (text, truncated) = body_prefix(body);
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    write!(f, ": {}", Escaped(text))?;
    if truncated {
        write!(f, "... ({} bytes in total)", body.len())?;
    }
    Ok(())
}

/// Prints a bounded view of a response body for `Debug`.
struct BodyPreview<'a>(&'a [u8]);

impl fmt::Debug for BodyPreview<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (text, truncated) = body_prefix(self.0);
        write!(f, "{text:?}")?;
        if truncated {
            write!(f, " (truncated, {} bytes in total)", self.0.len())?;
        }
        Ok(())
    }
}

/// Prints headers for `Debug`, hiding credentials and cookies.
struct HeadersDebug<'a>(&'a HeaderMap);

impl fmt::Debug for HeadersDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            let secret = value.is_sensitive()
                || matches!(
                    name.as_str(),
                    "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
                );
            if secret {
                map.entry(&name.as_str(), &Redacted);
            } else {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
        }
        map.finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Requests.
// ---------------------------------------------------------------------------------------------

/// Converts a parameter value to the text sent in a query string or header.
///
/// Generated enums implement it too.
#[allow(
    dead_code,
    reason = "whether generated code uses it depends on the spec"
)]
pub(crate) trait ParamValue {
    /// Returns the value as text.
    fn to_param(&self) -> Cow<'_, str>;
}

impl ParamValue for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
}

impl ParamValue for bool {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn to_param(&self) -> Cow<'_, str> {
        (**self).to_param()
    }
}

/// Implements [`ParamValue`] through `Display` for numeric types.
macro_rules! param_value_via_display {
    ($($ty:ty),*) => {
        $(
            impl ParamValue for $ty {
                fn to_param(&self) -> Cow<'_, str> {
                    Cow::Owned(self.to_string())
                }
            }
        )*
    };
}

param_value_via_display!(i32, i64, u32, u64, f32, f64);

/// A request under construction by generated code, sent with [`Client::execute`].
pub(crate) struct Request {
    method: Method,
    operation: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: HeaderMap,
    body: Option<Bytes>,
}

#[allow(
    dead_code,
    reason = "whether generated code uses it depends on the spec"
)]
impl Request {
    /// Starts a request for an operation.
    pub(crate) fn new(method: Method, operation_id: &'static str) -> Self {
        Self {
            method,
            operation: operation_id,
            path: String::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
        }
    }

    /// Appends a literal part of the path template, such as `/items/`.
    pub(crate) fn push_path(&mut self, literal: &'static str) {
        self.path.push_str(literal);
    }

    /// Appends a path parameter, percent-encoded as exactly one path segment.
    ///
    /// Values that are empty or that decode (repeatedly) to `.` or `..`, or that contain such a
    /// component between slashes or backslashes, are rejected so that no value can reach
    /// another endpoint.
    pub(crate) fn push_path_param(&mut self, name: &'static str, value: &str) -> Result<(), Error> {
        if let Err(reason) = check_path_segment(value) {
            return Err(Error::InvalidRequest {
                operation: self.operation,
                message: format!("invalid value for path parameter `{name}`: {reason}"),
            });
        }
        self.path.extend(utf8_percent_encode(value, PATH_SEGMENT));
        Ok(())
    }

    /// Adds a query parameter.
    pub(crate) fn query<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query.push((name, value.to_param().into_owned()));
    }

    /// Adds an array query parameter in the form/explode style: `name=a&name=b`.
    pub(crate) fn query_each<V: ParamValue>(&mut self, name: &'static str, values: &[V]) {
        for value in values {
            self.query(name, value);
        }
    }

    /// Sets a header, rejecting values with CR, LF, NUL or other characters invalid in a header.
    ///
    /// The value is never echoed in the error, since it may be a credential.
    pub(crate) fn header<V: ParamValue + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Error> {
        let header_name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::InvalidRequest {
                operation: self.operation,
                message: format!("invalid header name `{}`", Escaped(name)),
            })?;
        let value = value.to_param();
        let header_value = if value.contains(['\r', '\n', '\0']) {
            None
        } else {
            HeaderValue::from_str(&value).ok()
        };
        let Some(header_value) = header_value else {
            return Err(Error::InvalidRequest {
                operation: self.operation,
                message: format!(
                    "invalid value for header `{}`: it must not contain control characters \
                     such as CR, LF or NUL",
                    header_name.as_str()
                ),
            });
        };
        self.headers.insert(header_name, header_value);
        Ok(())
    }

    /// Sets the header of a client-wide setting: the per-call `value` if given, else the
    /// client's setting `key`.
    ///
    /// When neither is present, a `required` header fails with [`Error::InvalidRequest`]
    /// naming the header and the builder setter; an optional one is left out.
    pub(crate) fn setting_header(
        &mut self,
        client: &Client,
        name: &'static str,
        key: &'static str,
        value: Option<&str>,
        required: bool,
    ) -> Result<(), Error> {
        if value == Some("") {
            // The builder refuses an empty setting; a per-call override follows the same rule.
            return Err(Error::InvalidRequest {
                operation: self.operation,
                message: format!("header `{name}` must not be empty"),
            });
        }
        match value.or_else(|| client.setting(key)) {
            Some(value) => self.header(name, value),
            None if required => Err(Error::InvalidRequest {
                operation: self.operation,
                message: format!(
                    "missing required header `{name}`: pass it to this call or set it for the \
                     whole client with `ClientBuilder::{}()`",
                    snake_case(key)
                ),
            }),
            None => Ok(()),
        }
    }

    /// Serializes `body` as JSON, once, and sets `Content-Type: application/json`.
    pub(crate) fn json_body<T: serde::Serialize + ?Sized>(
        &mut self,
        body: &T,
    ) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest {
            operation: self.operation,
            message: format!("cannot serialize the request body: {e}"),
        })?;
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.body = Some(Bytes::from(bytes));
        Ok(())
    }
}

/// Checks that a path parameter value stays within one path segment.
fn check_path_segment(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("it must not be empty");
    }
    let mut decoded = Cow::Borrowed(value);
    let mut stable = false;
    for _ in 0..MAX_DECODE_ROUNDS {
        let next = percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .into_owned();
        if next == decoded {
            stable = true;
            break;
        }
        decoded = Cow::Owned(next);
    }
    if !stable {
        return Err("it is percent-encoded too many times");
    }
    if decoded.is_empty() {
        return Err("it must not decode to an empty string");
    }
    if decoded
        .split(['/', '\\'])
        .any(|part| part == "." || part == "..")
    {
        return Err("it must not be or contain a `.` or `..` path segment");
    }
    Ok(())
}

/// Converts a setting key such as `accountId` to the snake case of its builder setter.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for word in key.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = word.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let previous = i.checked_sub(1).and_then(|j| chars.get(j));
            let next = chars.get(i + 1);
            let boundary = c.is_uppercase()
                && previous.is_some_and(|p| {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
                });
            if (boundary || i == 0) && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Responses.
// ---------------------------------------------------------------------------------------------

/// A response whose body has been read completely (up to the configured cap).
pub(crate) struct Response {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &HeadersDebug(&self.headers))
            .field("body", &BodyPreview(&self.body))
            .finish()
    }
}

#[allow(
    dead_code,
    reason = "whether generated code uses it depends on the spec"
)]
impl Response {
    /// Returns the status code.
    pub(crate) fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// Returns the headers.
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Decodes a JSON body.
    ///
    /// A `Content-Type` that is present but not JSON, an empty body and malformed JSON all end in
    /// [`Error::InvalidBody`], which keeps the status, headers and body.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(self) -> Result<ResponseValue<T>, Error> {
        if let Some(content_type) = self.headers.get(CONTENT_TYPE) {
            let content_type = String::from_utf8_lossy(content_type.as_bytes());
            if !is_json_content_type(&content_type) {
                let content_type = content_type.into_owned();
                return Err(self.invalid(InvalidBodyKind::ContentType(content_type)));
            }
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.invalid(InvalidBodyKind::Empty));
        }
        match serde_json::from_slice(&self.body) {
            Ok(value) => Ok(ResponseValue::new(value, self.status, self.headers)),
            Err(e) => Err(self.invalid(InvalidBodyKind::Json(e))),
        }
    }

    /// Decodes a text body; invalid UTF-8 ends in [`Error::InvalidBody`].
    pub(crate) fn text(self) -> Result<ResponseValue<String>, Error> {
        match std::str::from_utf8(&self.body) {
            Ok(text) => {
                let text = text.to_owned();
                Ok(ResponseValue::new(text, self.status, self.headers))
            }
            Err(e) => Err(self.invalid(InvalidBodyKind::Utf8(e))),
        }
    }

    /// Returns the raw body.
    pub(crate) fn bytes(self) -> ResponseValue<Bytes> {
        ResponseValue::new(self.body, self.status, self.headers)
    }

    /// Discards the body.
    pub(crate) fn empty(self) -> ResponseValue<()> {
        ResponseValue::new((), self.status, self.headers)
    }

    /// Turns a documented non-success status into [`Error::Response`], with the specification's
    /// description of the status.
    pub(crate) fn error(self, description: &'static str) -> Error {
        Error::Response(self.into_error_response(Some(description)))
    }

    /// Turns an undocumented status into [`Error::Response`].
    pub(crate) fn unexpected(self) -> Error {
        Error::Response(self.into_error_response(None))
    }

    /// Wraps the response into an [`Error::InvalidBody`].
    fn invalid(self, kind: InvalidBodyKind) -> Error {
        Error::InvalidBody {
            kind,
            response: self.into_error_response(None),
        }
    }

    /// Converts the response into an [`ErrorResponse`].
    fn into_error_response(self, description: Option<&'static str>) -> ErrorResponse {
        ErrorResponse::new(
            self.operation,
            self.status,
            self.headers,
            self.body,
            description,
        )
    }
}

/// Reports whether a `Content-Type` value denotes JSON: `application/json` or any `+json` type.
fn is_json_content_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" {
        return true;
    }
    match essence.split_once('/') {
        Some((kind, subtype)) => {
            !kind.is_empty() && subtype.len() > "+json".len() && subtype.ends_with("+json")
        }
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Pagination.
// ---------------------------------------------------------------------------------------------

/// One page of a paginated operation.
#[allow(
    dead_code,
    reason = "whether generated code uses it depends on the spec"
)]
pub(crate) struct Page<T> {
    /// The items on the page.
    pub(crate) items: Vec<T>,
    /// The total number of items, if the server reported it.
    pub(crate) total: Option<u64>,
}

/// Converts a total count reported by the server to a `u64`.
#[allow(
    dead_code,
    reason = "whether generated code uses it depends on the spec"
)]
pub(crate) trait Count {
    /// Returns the count, or `None` if it is negative, not a number or infinite.
    fn to_count(&self) -> Option<u64>;
}

impl Count for f64 {
    fn to_count(&self) -> Option<u64> {
        // The cast truncates fractions and saturates at `u64::MAX`.
        (self.is_finite() && *self >= 0.0).then_some(*self as u64)
    }
}

impl Count for f32 {
    fn to_count(&self) -> Option<u64> {
        f64::from(*self).to_count()
    }
}

impl Count for i64 {
    fn to_count(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}

impl Count for i32 {
    fn to_count(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
}

impl Count for u64 {
    fn to_count(&self) -> Option<u64> {
        Some(*self)
    }
}

impl Count for u32 {
    fn to_count(&self) -> Option<u64> {
        Some(u64::from(*self))
    }
}

impl<T: Count> Count for Option<T> {
    fn to_count(&self) -> Option<u64> {
        self.as_ref().and_then(Count::to_count)
    }
}

impl<T: Count + ?Sized> Count for &T {
    fn to_count(&self) -> Option<u64> {
        (**self).to_count()
    }
}

/// Walks a skip/limit paginated operation and yields its items one by one.
///
/// `fetch` is called with skip = `start`, then `start` plus the length of each page so far. The
/// stream stops after a page that reaches the reported total, after an empty page, or, when the
/// server reports no total, after a page shorter than `limit`. A reported total is trusted over
/// a short page, because servers may cap the page size below the requested `limit`. A page that starts with the same item as the previous page (the
/// server ignored skip and sent the same page again) yields [`Error::Pagination`]; a fetch error
/// is yielded as is; both end the stream. At most 100 000 pages are fetched.
///
/// Pages are fetched only when the previous page's items are used up, so the first item arrives
/// after one request and stopping early never costs an extra request. To detect a repeated page
/// the stream keeps a copy of each page's first item. The stream is `Unpin`, and `Send` when
/// `fetch`, its future and `T` are.
#[allow(
    dead_code,
    reason = "whether generated code uses it depends on the spec"
)]
pub(crate) fn paginate<T, F, Fut>(
    operation: &'static str,
    start: u64,
    limit: Option<u64>,
    fetch: F,
) -> impl futures_core::Stream<Item = Result<T, Error>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
    T: PartialEq + Clone,
{
    paginate_bounded(operation, start, limit, MAX_PAGES, fetch)
}

/// Implements [`paginate`] with a configurable bound on the number of pages.
fn paginate_bounded<T, F, Fut>(
    operation: &'static str,
    start: u64,
    limit: Option<u64>,
    max_pages: u32,
    fetch: F,
) -> impl futures_core::Stream<Item = Result<T, Error>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
    T: PartialEq + Clone,
{
    let pager = Pager {
        fetch,
        operation,
        limit,
        next_skip: start,
        pages: 0,
        max_pages,
        current: Vec::new().into_iter(),
        previous_first: None,
        done: false,
    };
    // Boxing makes the stream `Unpin`, so callers can poll it without pinning it first.
    Box::pin(futures_util::stream::unfold(
        pager,
        |mut pager| async move {
            let item = pager.next_item().await?;
            Some((item, pager))
        },
    ))
}

/// The state of a pagination stream.
struct Pager<T, F> {
    fetch: F,
    operation: &'static str,
    limit: Option<u64>,
    next_skip: u64,
    pages: u32,
    max_pages: u32,
    /// The items of the current page not yielded yet.
    current: std::vec::IntoIter<T>,
    /// The first item of the previous page, to recognise a server that ignores skip.
    previous_first: Option<T>,
    /// Whether no more pages will be fetched.
    done: bool,
}

impl<T, F, Fut> Pager<T, F>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
    T: PartialEq + Clone,
{
    /// Returns the next item or error, or `None` at the end.
    async fn next_item(&mut self) -> Option<Result<T, Error>> {
        loop {
            if let Some(item) = self.current.next() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            match self.next_page().await {
                Ok(items) => self.current = items.into_iter(),
                Err(error) => {
                    self.done = true;
                    return error.map(Err);
                }
            }
        }
    }

    /// Fetches the page at `next_skip`. `Err(None)` is the end of the stream; `Err(Some(_))` an
    /// error that ends it.
    async fn next_page(&mut self) -> Result<Vec<T>, Option<Error>> {
        if self.pages >= self.max_pages {
            return Err(Some(Error::Pagination {
                operation: self.operation,
                message: format!(
                    "stopped after {} pages without reaching the end",
                    self.max_pages
                ),
            }));
        }
        self.pages = self.pages.saturating_add(1);
        let skip = self.next_skip;
        let Page { items, total } = (self.fetch)(skip).await.map_err(Some)?;
        let Some(first) = items.first() else {
            return Err(None);
        };
        if self.previous_first.as_ref() == Some(first) {
            return Err(Some(Error::Pagination {
                operation: self.operation,
                message: format!(
                    "the page at skip {skip} starts with the same item as the previous page; \
                     the server seems to ignore the skip parameter"
                ),
            }));
        }
        self.previous_first = Some(first.clone());
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        self.next_skip = skip.saturating_add(len);
        self.done = match total {
            // A short page does not end the walk while the total says more items follow: the
            // server may cap the page size below the limit asked for.
            Some(total) => self.next_skip >= total,
            None => self.limit.is_some_and(|limit| len < limit),
        };
        Ok(items)
    }
}

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Mutex;
    use std::time::UNIX_EPOCH;

    use futures_util::StreamExt;

    static TEST_INFO: ApiInfo = ApiInfo {
        default_base_url: "https://api.example.test/v1/",
        requires_token: true,
        user_agent: "runtime-tests/1.0",
        settings: &[SettingInfo {
            key: "tenantId",
            header: "x-tenant-id",
        }],
    };

    static OPEN_INFO: ApiInfo = ApiInfo {
        default_base_url: "",
        requires_token: false,
        user_agent: "",
        settings: &[],
    };

    const TOKEN: &str = "s3cr3t-T0KEN.value";

    fn builder() -> ClientBuilder {
        Client::from_builder_info(&TEST_INFO).token(TOKEN)
    }

    fn client() -> Client {
        builder().build().unwrap()
    }

    fn fast_retries() -> RetryPolicy {
        RetryPolicy::new()
            .initial_backoff(Duration::from_millis(1))
            .max_backoff(Duration::from_millis(2))
    }

    fn encoded(value: &str) -> Result<String, Error> {
        let mut request = Request::new(Method::GET, "getThing");
        request.push_path_param("id", value)?;
        Ok(request.path)
    }

    fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        }
        Response {
            operation: "getThing",
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::copy_from_slice(body),
        }
    }

    #[test]
    fn path_param_encodes_exactly_one_segment() {
        let cases = [
            ("abc-._~XYZ09", "abc-._~XYZ09"),
            ("a/b", "a%2Fb"),
            ("a b", "a%20b"),
            ("a?b#c&d=e", "a%3Fb%23c%26d%3De"),
            ("100%", "100%25"),
            ("%41", "%2541"),
            ("a\\b", "a%5Cb"),
            ("é", "%C3%A9"),
            ("日本", "%E6%97%A5%E6%9C%AC"),
            ("...", "..."),
            (".hidden", ".hidden"),
        ];
        for (value, expected) in cases {
            assert_eq!(encoded(value).unwrap(), expected, "value {value:?}");
        }
        let mut request = Request::new(Method::GET, "getThing");
        request.push_path("/things/");
        request.push_path_param("id", "a/b").unwrap();
        request.push_path("/parts");
        assert_eq!(request.path, "/things/a%2Fb/parts");
    }

    #[test]
    fn path_param_rejects_values_that_leave_the_segment() {
        // Twenty rounds of encoding, more than the checker is willing to peel off.
        let deep = format!("%{}2e", "25".repeat(19));
        let cases = [
            "",
            ".",
            "..",
            "%2e",
            "%2E",
            "%2E%2e",
            ".%2e",
            "%252e%252E",
            "%25252e",
            "../admin",
            "a/..",
            "..\\admin",
            "%2e%2e%2fadmin",
            "%2E%2E%5Cadmin",
            deep.as_str(),
        ];
        for value in cases {
            match encoded(value) {
                Err(Error::InvalidRequest { operation, message }) => {
                    assert_eq!(operation, "getThing");
                    assert!(message.contains("`id`"), "{message}");
                }
                other => panic!("{value:?} was accepted: {other:?}"),
            }
        }
    }

    #[test]
    fn header_rejects_control_characters_without_echoing_them() {
        let values = [
            "a\r\nb",
            "a\nb",
            "a\rb",
            "a\0b",
            "x\r\nAuthorization: Bearer evil",
            "bell\u{7}",
        ];
        for value in values {
            let mut request = Request::new(Method::GET, "getThing");
            let error = request.header("X-Custom", value).unwrap_err();
            let message = error.to_string();
            assert!(message.starts_with("getThing: "), "{message}");
            assert!(message.contains("`x-custom`"), "{message}");
            assert!(!message.contains(value), "{message}");
            assert!(!message.contains("evil"), "{message}");
            assert!(request.headers.is_empty());
        }
        let mut request = Request::new(Method::GET, "getThing");
        assert!(request.header("bad header", "v").is_err());
        request.header("X-Custom", "ok value\twith tab").unwrap();
        request.header("x-count", &42_i64).unwrap();
        request.header("x-flag", &true).unwrap();
        assert_eq!(request.headers["x-custom"], "ok value\twith tab");
        assert_eq!(request.headers["x-count"], "42");
        assert_eq!(request.headers["x-flag"], "true");
    }

    #[test]
    fn query_parameters_keep_order_and_repeat() {
        let mut request = Request::new(Method::GET, "getThing");
        request.query("q", "x y");
        request.query_each("fields", &["a", "b"]);
        request.query("skip", &10_u64);
        request.query("ratio", &0.5_f64);
        let names: Vec<_> = request
            .query
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("q", "x y"),
                ("fields", "a"),
                ("fields", "b"),
                ("skip", "10"),
                ("ratio", "0.5")
            ]
        );
    }

    #[test]
    fn setting_header_prefers_the_call_then_the_client() {
        let configured = builder()
            .setting("tenantId", "tenant-1".to_owned())
            .build()
            .unwrap();
        assert_eq!(configured.setting("tenantId"), Some("tenant-1"));
        assert_eq!(configured.setting("other"), None);

        let mut request = Request::new(Method::GET, "getThing");
        request
            .setting_header(&configured, "x-tenant-id", "tenantId", None, true)
            .unwrap();
        assert_eq!(request.headers["x-tenant-id"], "tenant-1");

        let mut request = Request::new(Method::GET, "getThing");
        request
            .setting_header(
                &configured,
                "x-tenant-id",
                "tenantId",
                Some("tenant-2"),
                true,
            )
            .unwrap();
        assert_eq!(request.headers["x-tenant-id"], "tenant-2");

        let bare = client();
        let mut request = Request::new(Method::GET, "getThing");
        request
            .setting_header(&bare, "x-tenant-id", "tenantId", None, false)
            .unwrap();
        assert!(request.headers.is_empty());

        let error = request
            .setting_header(&bare, "x-tenant-id", "tenantId", None, true)
            .unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, Error::InvalidRequest { .. }));
        assert!(message.contains("x-tenant-id"), "{message}");
        assert!(message.contains("tenant_id()"), "{message}");

        let mut request = Request::new(Method::GET, "getThing");
        assert!(
            request
                .setting_header(&configured, "x-tenant-id", "tenantId", Some("a\nb"), true)
                .is_err()
        );

        // An empty per-call value is refused, as the builder refuses an empty setting.
        let mut request = Request::new(Method::GET, "getThing");
        let error = request
            .setting_header(&configured, "x-tenant-id", "tenantId", Some(""), false)
            .unwrap_err();
        assert!(error.to_string().contains("must not be empty"), "{error}");
        assert!(request.headers.is_empty());
    }

    #[test]
    fn snake_case_matches_setter_names() {
        let cases = [
            ("accountId", "account_id"),
            ("tenantId", "tenant_id"),
            ("userID", "user_id"),
            ("HTTPServer", "http_server"),
            ("x-api-key", "x_api_key"),
            ("already_snake", "already_snake"),
            ("v2Id", "v2_id"),
        ];
        for (key, expected) in cases {
            assert_eq!(snake_case(key), expected, "key {key}");
        }
    }

    #[test]
    fn json_body_is_serialized_once_with_content_type() {
        let mut request = Request::new(Method::POST, "createThing");
        request
            .json_body(&serde_json::json!({"name": "a"}))
            .unwrap();
        assert_eq!(request.headers[CONTENT_TYPE], "application/json");
        assert_eq!(request.body.as_deref(), Some(&b"{\"name\":\"a\"}"[..]));

        let mut bad = std::collections::HashMap::new();
        bad.insert((1, 2), 3);
        let error = request.json_body(&bad).unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    }

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

    #[test]
    fn debug_output_never_contains_the_token() {
        let builder = builder().setting("tenantId", "secret-tenant".to_owned());
        for text in [format!("{builder:?}"), format!("{builder:#?}")] {
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains("secret-tenant"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
            assert!(text.contains("tenantId"), "{text}");
        }
        let client = builder.build().unwrap();
        for text in [format!("{client:?}"), format!("{client:#?}")] {
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains("secret-tenant"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        let open = Client::from_builder_info(&OPEN_INFO)
            .base_url("https://open.example.test")
            .build()
            .unwrap();
        assert!(!format!("{open:?}").contains("<redacted>"));
    }

    #[test]
    fn build_validates_the_token() {
        assert!(matches!(
            Client::from_builder_info(&TEST_INFO).build(),
            Err(BuildError::MissingToken)
        ));
        for token in [
            "",
            "   ",
            "two words",
            "tok\r\nen",
            "t\u{f6}ken",
            "Bearer abc",
        ] {
            let error = Client::from_builder_info(&TEST_INFO)
                .token(token)
                .build()
                .unwrap_err();
            assert!(matches!(error, BuildError::InvalidToken), "{token:?}");
            let text = format!("{error} {error:?}");
            assert!(token.trim().is_empty() || !text.contains(token), "{text}");
        }
        let client = Client::from_builder_info(&TEST_INFO)
            .token(format!("{TOKEN}\n"))
            .build()
            .unwrap();
        let authorization = client.inner.authorization.as_ref().unwrap();
        assert!(authorization.is_sensitive());
        assert_eq!(authorization, &format!("Bearer {TOKEN}"));
        let open = Client::from_builder_info(&OPEN_INFO)
            .base_url("https://open.example.test")
            .build()
            .unwrap();
        assert!(open.inner.authorization.is_none());
    }

    #[test]
    fn build_validates_the_base_url() {
        assert_eq!(client().base_url(), "https://api.example.test/v1");
        let custom = builder()
            .base_url(" https://other.example.test/api// ")
            .build()
            .unwrap();
        assert_eq!(custom.base_url(), "https://other.example.test/api");
        assert_eq!(
            builder()
                .base_url("https://other.example.test")
                .build()
                .unwrap()
                .base_url(),
            "https://other.example.test"
        );

        assert!(matches!(
            Client::from_builder_info(&OPEN_INFO).build(),
            Err(BuildError::MissingBaseUrl)
        ));
        assert!(matches!(
            builder().base_url("http://plain.example.test").build(),
            Err(BuildError::InsecureBaseUrl { .. })
        ));
        assert!(
            builder()
                .base_url("http://127.0.0.1:8080")
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
        for url in [
            "not a url",
            "ftp://files.example.test",
            "mailto:someone@example.test",
            "https://api.example.test/?q=1",
            "https://api.example.test/#frag",
        ] {
            let error = builder().base_url(url).build().unwrap_err();
            assert!(
                matches!(error, BuildError::InvalidBaseUrl { .. }),
                "{url}: {error:?}"
            );
        }
        let error = builder()
            .base_url("https://user:hunter2@api.example.test/")
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::InvalidBaseUrl { .. }));
        assert!(!format!("{error} {error:?}").contains("hunter2"));
    }

    #[test]
    fn build_validates_settings() {
        for (key, value) in [
            ("tenantId", "a\r\nb"),
            ("tenantId", ""),
            ("unknownKey", "x"),
        ] {
            let error = builder()
                .setting(key, value.to_owned())
                .build()
                .unwrap_err();
            match &error {
                BuildError::InvalidSetting { key: k, .. } => assert_eq!(*k, key),
                other => panic!("unexpected {other:?}"),
            }
            assert!(error.to_string().contains(key));
        }
        let client = builder()
            .setting("tenantId", "first".to_owned())
            .setting("tenantId", "second".to_owned())
            .build()
            .unwrap();
        assert_eq!(client.setting("tenantId"), Some("second"));
    }

    #[test]
    fn build_error_messages_are_lowercase() {
        let errors = [
            BuildError::MissingToken,
            BuildError::InvalidToken,
            BuildError::MissingBaseUrl,
            BuildError::InsecureBaseUrl {
                url: "http://x".to_owned(),
            },
        ];
        for error in errors {
            let text = error.to_string();
            assert!(text.starts_with(|c: char| c.is_lowercase()), "{text}");
            assert!(std::error::Error::source(&error).is_none());
        }
    }

    #[test]
    fn public_types_and_futures_are_thread_safe() {
        fn assert_traits<T: Send + Sync + 'static>() {}
        fn assert_send<T: Send>(_: &T) {}
        fn assert_unpin<T: Unpin>(_: &T) {}
        assert_traits::<Error>();
        assert_traits::<BuildError>();
        assert_traits::<ErrorResponse>();
        assert_traits::<Client>();
        assert_traits::<ClientBuilder>();
        assert_traits::<RetryPolicy>();
        // Clippy's `result_large_err` lint fires from 128 bytes up.
        assert!(std::mem::size_of::<Error>() <= 128);

        let client = client();
        let execute = client.execute(get("x"));
        assert_send(&execute);
        let stream = paginate("listThings", 0, None, |skip| {
            let client = client.clone();
            async move {
                let response = client.execute(get(&skip.to_string())).await?;
                let items: Vec<u64> = response.json::<Vec<u64>>()?.into_inner();
                Ok(Page { items, total: None })
            }
        });
        assert_send(&stream);
        assert_unpin(&stream);
    }

    #[test]
    fn credentials_in_urls_are_redacted() {
        // Text that does not parse is hidden up to its last `@`: more than needed, never less.
        assert_eq!(
            redact_userinfo("https://user:pw@exa mple.test/a@b"),
            "https://<redacted>@b"
        );
        assert_eq!(
            redact_userinfo("https://user:pw/with/slashes@exa mple.test/a"),
            "https://<redacted>@exa mple.test/a"
        );
        assert_eq!(
            redact_userinfo("https://user:pw?#x@host:99999/a"),
            "https://<redacted>@host:99999/a"
        );
        assert_eq!(redact_userinfo("user@host"), "<redacted>@host");
        assert_eq!(redact_userinfo("user:pw@host/a"), "<redacted>@host/a");
        assert_eq!(redact_userinfo("file:///etc/hosts"), "file:///etc/hosts");
        // A URL that parses is redacted exactly.
        assert_eq!(
            redact_userinfo("https://user:p@ss@host.test/a@b"),
            "https://<redacted>@host.test/a@b"
        );
        assert_eq!(
            redact_userinfo("https://host.test/a"),
            "https://host.test/a"
        );
        assert_eq!(
            redact_userinfo("https://host/path@x"),
            "https://host/path@x"
        );
        let error = builder()
            .base_url("https://user:hunter2@exa mple.test")
            .build()
            .unwrap_err();
        assert!(!format!("{error} {error:?}").contains("hunter2"), "{error}");
        let debug = format!("{:?}", builder().base_url("https://u:hunter2@host.test"));
        assert!(!debug.contains("hunter2"), "{debug}");
        // Without a scheme, `user:password@host` parses with the scheme `user` and no host.
        let error = builder()
            .base_url("u:hunter2@host.test")
            .build()
            .unwrap_err();
        assert!(!format!("{error} {error:?}").contains("hunter2"), "{error}");
    }

    #[test]
    fn error_display_starts_with_operation_and_truncates_the_body() {
        let long = "x".repeat(10_000);
        let error = response(404, Some("application/json"), long.as_bytes()).error("not found");
        let text = error.to_string();
        assert!(
            text.starts_with("getThing: status 404 Not Found (not found): xxx"),
            "{text}"
        );
        assert!(text.len() < 700, "{} bytes", text.len());
        assert!(text.contains("10000 bytes"), "{text}");
        let debug = format!("{error:?}");
        assert!(debug.len() < 1200, "{} bytes", debug.len());

        let accents = "é".repeat(400);
        let text = response(500, None, accents.as_bytes())
            .unexpected()
            .to_string();
        assert!(
            text.starts_with("getThing: unexpected status 500"),
            "{text}"
        );
        assert!(!text.contains('\u{fffd}'), "{text}");

        let hostile = b"line1\nline2\x1b[31m\xff";
        let text = response(400, None, hostile).unexpected().to_string();
        assert!(!text.contains('\n') && !text.contains('\u{1b}'), "{text}");
        assert!(text.contains("line1\\nline2"), "{text}");

        let empty = response(503, None, b"").unexpected().to_string();
        assert_eq!(empty, "getThing: unexpected status 503 Service Unavailable");
    }

    #[test]
    fn error_accessors_and_redacted_debug() {
        let mut server_error = response(503, Some("text/plain"), b"busy");
        server_error
            .headers
            .insert("set-cookie", HeaderValue::from_static("session=abc123"));
        server_error
            .headers
            .insert(AUTHORIZATION, HeaderValue::from_static("Bearer leaked"));
        let error = server_error.error("service unavailable");
        assert_eq!(error.operation_id(), "getThing");
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert!(error.is_retryable());
        assert!(!error.is_timeout());
        let inner = error.response().unwrap();
        assert_eq!(inner.description(), Some("service unavailable"));
        assert_eq!(inner.body_text(), "busy");
        assert_eq!(inner.body().as_ref(), b"busy");
        assert_eq!(inner.headers()[CONTENT_TYPE], "text/plain");
        let debug = format!("{error:?}");
        assert!(
            !debug.contains("abc123") && !debug.contains("leaked"),
            "{debug}"
        );
        assert!(debug.contains("busy"), "{debug}");

        let not_found = response(404, None, br#"{"code":7}"#).error("");
        assert!(!not_found.is_retryable());
        assert_eq!(not_found.response().unwrap().description(), None);
        let value: serde_json::Value = not_found.response().unwrap().json().unwrap();
        assert_eq!(value["code"], 7);

        let pagination = Error::Pagination {
            operation: "listThings",
            message: "boom".to_owned(),
        };
        assert_eq!(pagination.operation_id(), "listThings");
        assert_eq!(pagination.status(), None);
        assert!(pagination.response().is_none());
        assert_eq!(
            pagination.to_string(),
            "listThings: pagination failed: boom"
        );

        let too_large = Error::BodyTooLarge {
            operation: "getThing",
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            limit: 10,
        };
        assert_eq!(too_large.status(), Some(StatusCode::OK));
        assert!(!too_large.is_retryable());
        assert!(too_large.to_string().starts_with("getThing: "));
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Thing {
        id: u32,
    }

    #[test]
    fn json_responses_are_checked() {
        for content_type in [
            None,
            Some("application/json"),
            Some("application/json; charset=utf-8"),
            Some("Application/JSON"),
            Some("application/problem+json"),
            Some("application/vnd.api+json;v=1"),
        ] {
            let value = response(200, content_type, br#"{"id": 3}"#)
                .json::<Thing>()
                .unwrap();
            assert_eq!(value.status(), StatusCode::OK);
            assert_eq!(value.into_inner(), Thing { id: 3 });
        }

        for content_type in [
            "text/html",
            "application/jsonx",
            "+json",
            "application/+json",
        ] {
            match response(200, Some(content_type), br#"{"id": 3}"#).json::<Thing>() {
                Err(Error::InvalidBody {
                    kind: InvalidBodyKind::ContentType(found),
                    response,
                }) => {
                    assert_eq!(found, content_type);
                    assert_eq!(response.status(), StatusCode::OK);
                    assert_eq!(response.body().as_ref(), br#"{"id": 3}"#);
                }
                other => panic!("{content_type}: {other:?}"),
            }
        }

        for body in [&b""[..], b"  \n"] {
            let error = response(200, Some("application/json"), body)
                .json::<Thing>()
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::InvalidBody {
                        kind: InvalidBodyKind::Empty,
                        ..
                    }
                ),
                "{error:?}"
            );
        }

        let error = response(201, Some("application/json"), b"{\"id\": \"three\"}")
            .json::<Thing>()
            .unwrap_err();
        assert!(matches!(
            &error,
            Error::InvalidBody {
                kind: InvalidBodyKind::Json(_),
                ..
            }
        ));
        assert_eq!(error.status(), Some(StatusCode::CREATED));
        assert!(std::error::Error::source(&error).is_some());
        let text = error.to_string();
        assert!(
            text.starts_with("getThing: invalid response body with status 201 Created"),
            "{text}"
        );
    }

    #[test]
    fn text_bytes_and_empty_responses() {
        let text = response(200, Some("text/plain"), "héllo".as_bytes())
            .text()
            .unwrap();
        assert_eq!(text.into_inner(), "héllo");
        let error = response(200, Some("text/plain"), b"\xff\xfe")
            .text()
            .unwrap_err();
        assert!(matches!(
            error,
            Error::InvalidBody {
                kind: InvalidBodyKind::Utf8(_),
                ..
            }
        ));
        let bytes = response(200, None, b"\x00\x01").bytes();
        assert_eq!(bytes.into_inner().as_ref(), b"\x00\x01");
        let empty = response(204, None, b"ignored").empty();
        assert_eq!(empty.status(), StatusCode::NO_CONTENT);
    }

    #[test]
    fn counts_convert_safely() {
        assert_eq!(12.0_f64.to_count(), Some(12));
        assert_eq!(12.9_f64.to_count(), Some(12));
        assert_eq!(0.0_f64.to_count(), Some(0));
        assert_eq!((-1.0_f64).to_count(), None);
        assert_eq!(f64::NAN.to_count(), None);
        assert_eq!(f64::INFINITY.to_count(), None);
        assert_eq!(f64::NEG_INFINITY.to_count(), None);
        assert_eq!(1e30_f64.to_count(), Some(u64::MAX));
        assert_eq!(3.0_f32.to_count(), Some(3));
        assert_eq!(f32::NAN.to_count(), None);
        assert_eq!((-3_i64).to_count(), None);
        assert_eq!(3_i64.to_count(), Some(3));
        assert_eq!((-3_i32).to_count(), None);
        assert_eq!(3_i32.to_count(), Some(3));
        assert_eq!(u64::MAX.to_count(), Some(u64::MAX));
        assert_eq!(7_u32.to_count(), Some(7));
        assert_eq!(Some(5.0_f64).to_count(), Some(5));
        assert_eq!(None::<f64>.to_count(), None);
    }

    /// Runs a pagination stream to the end, collecting items, errors and requested skips.
    async fn drive<F>(
        start: u64,
        limit: Option<u64>,
        max_pages: u32,
        mut page_at: F,
    ) -> (Vec<Result<u64, String>>, Vec<u64>)
    where
        F: FnMut(u64) -> Result<Page<u64>, Error>,
    {
        let skips = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&skips);
        let mut stream = paginate_bounded("listThings", start, limit, max_pages, move |skip| {
            seen.lock().unwrap().push(skip);
            std::future::ready(page_at(skip))
        });
        let mut out = Vec::new();
        while let Some(item) = stream.next().await {
            out.push(item.map_err(|e| e.to_string()));
            assert!(out.len() < 1000, "runaway stream");
        }
        let skips = skips.lock().unwrap().clone();
        (out, skips)
    }

    fn page(skip: u64, len: u64, total: Option<u64>) -> Result<Page<u64>, Error> {
        Ok(Page {
            items: (skip..skip + len).collect(),
            total,
        })
    }

    fn oks(range: std::ops::Range<u64>) -> Vec<Result<u64, String>> {
        range.map(Ok).collect()
    }

    #[tokio::test]
    async fn paginate_stops_at_the_total() {
        let (items, skips) = drive(0, Some(2), MAX_PAGES, |skip| {
            page(skip, 2.min(5_u64.saturating_sub(skip)), Some(5))
        })
        .await;
        assert_eq!(items, oks(0..5));
        assert_eq!(skips, [0, 2, 4]);
    }

    #[tokio::test]
    async fn paginate_stops_on_a_short_page() {
        let (items, skips) = drive(0, Some(3), MAX_PAGES, |skip| {
            page(skip, if skip < 6 { 3 } else { 1 }, None)
        })
        .await;
        assert_eq!(items, oks(0..7));
        assert_eq!(skips, [0, 3, 6]);
    }

    #[tokio::test]
    async fn paginate_trusts_the_total_over_a_short_page() {
        // The server caps pages at 3 items although 5 were asked for.
        let (items, skips) = drive(0, Some(5), MAX_PAGES, |skip| {
            page(skip, 3.min(8_u64.saturating_sub(skip)), Some(8))
        })
        .await;
        assert_eq!(items, oks(0..8));
        assert_eq!(skips, [0, 3, 6]);

        // A total larger than what the server has: an empty page still ends the walk.
        let (items, skips) = drive(0, Some(5), MAX_PAGES, |skip| {
            page(skip, 3.min(4_u64.saturating_sub(skip)), Some(100))
        })
        .await;
        assert_eq!(items, oks(0..4));
        assert_eq!(skips, [0, 3, 4]);
    }

    #[tokio::test]
    async fn paginate_stops_on_an_empty_page_and_honours_start() {
        let (items, skips) = drive(10, None, MAX_PAGES, |skip| {
            page(skip, if skip < 14 { 2 } else { 0 }, None)
        })
        .await;
        assert_eq!(items, oks(10..14));
        assert_eq!(skips, [10, 12, 14]);

        let (items, skips) = drive(0, Some(5), MAX_PAGES, |_| page(0, 0, Some(0))).await;
        assert!(items.is_empty());
        assert_eq!(skips, [0]);
    }

    #[tokio::test]
    async fn paginate_detects_a_server_that_ignores_skip() {
        let (items, skips) = drive(0, Some(2), MAX_PAGES, |_| page(0, 2, Some(100))).await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[..2], oks(0..2));
        let error = items[2].as_ref().unwrap_err();
        assert!(
            error.starts_with("listThings: pagination failed"),
            "{error}"
        );
        assert_eq!(skips, [0, 2]);
    }

    #[tokio::test]
    async fn paginate_fetches_lazily() {
        let fetched = Arc::new(Mutex::new(0_u32));
        let counter = Arc::clone(&fetched);
        let mut stream = paginate_bounded("listThings", 0, Some(2), MAX_PAGES, move |skip| {
            *counter.lock().unwrap() += 1;
            std::future::ready(page(skip, 2, Some(100)))
        });
        assert_eq!(
            stream.next().await.map(|r| r.map_err(|e| e.to_string())),
            Some(Ok(0))
        );
        assert_eq!(
            *fetched.lock().unwrap(),
            1,
            "the first item needs exactly one request"
        );
        assert_eq!(
            stream.next().await.map(|r| r.map_err(|e| e.to_string())),
            Some(Ok(1))
        );
        assert_eq!(
            *fetched.lock().unwrap(),
            1,
            "no request before the page is used up"
        );
    }

    #[tokio::test]
    async fn paginate_yields_a_fetch_error_and_stops() {
        let (items, skips) = drive(0, Some(2), MAX_PAGES, |skip| {
            if skip == 0 {
                page(0, 2, None)
            } else {
                Err(Error::InvalidRequest {
                    operation: "listThings",
                    message: "nope".to_owned(),
                })
            }
        })
        .await;
        assert_eq!(
            items,
            [
                Ok(0),
                Ok(1),
                Err("listThings: invalid request: nope".to_owned())
            ]
        );
        assert_eq!(skips, [0, 2]);

        let (items, skips) = drive(0, None, MAX_PAGES, |_| {
            Err(Error::InvalidRequest {
                operation: "listThings",
                message: "first".to_owned(),
            })
        })
        .await;
        assert_eq!(items.len(), 1);
        assert_eq!(skips, [0]);
    }

    #[tokio::test]
    async fn paginate_has_a_hard_page_bound() {
        let (items, skips) = drive(0, None, 3, |skip| page(skip, 1, None)).await;
        assert_eq!(items[..3], oks(0..3));
        assert_eq!(items.len(), 4);
        assert!(items[3].as_ref().unwrap_err().contains("3 pages"));
        assert_eq!(skips, [0, 1, 2]);
    }

    // ---- Tests against a scripted HTTP server on 127.0.0.1. ----

    /// What the scripted server does with one connection.
    enum Reply {
        /// Writes these bytes and closes the connection.
        Send(Vec<u8>),
        /// Reads the request and then waits without answering.
        Hang(Duration),
    }

    fn reply(status: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut text = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
        Reply::Send(text.into_bytes())
    }

    /// A server that answers one connection per scripted reply and records the requests.
    struct TestServer {
        base_url: String,
        requests: Arc<Mutex<Vec<String>>>,
    }

    impl TestServer {
        fn start(replies: Vec<Reply>) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
            let requests = Arc::new(Mutex::new(Vec::new()));
            let seen = Arc::clone(&requests);
            std::thread::spawn(move || {
                for reply in replies {
                    let Ok((mut stream, _)) = listener.accept() else {
                        return;
                    };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let request = read_request(&mut stream);
                    seen.lock().unwrap().push(request);
                    match reply {
                        Reply::Send(bytes) => {
                            let _ = stream.write_all(&bytes);
                            let _ = stream.flush();
                        }
                        Reply::Hang(wait) => std::thread::sleep(wait),
                    }
                }
            });
            Self { base_url, requests }
        }

        fn requests(&self) -> Vec<String> {
            self.requests.lock().unwrap().clone()
        }

        fn client(&self, policy: RetryPolicy) -> Client {
            builder()
                .base_url(&self.base_url)
                .allow_insecure_http(true)
                .retry_policy(policy)
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap()
        }
    }

    fn read_request(stream: &mut TcpStream) -> String {
        let mut data = Vec::new();
        let mut buffer = [0_u8; 4096];
        loop {
            if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + length {
                    break;
                }
            }
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => data.extend_from_slice(&buffer[..n]),
            }
        }
        String::from_utf8_lossy(&data).into_owned()
    }

    fn get(path_param: &str) -> Request {
        let mut request = Request::new(Method::GET, "getThing");
        request.push_path("/things/");
        request.push_path_param("id", path_param).unwrap();
        request
    }

    #[tokio::test]
    async fn execute_sends_the_expected_request() {
        let server = TestServer::start(vec![reply(
            "200 OK",
            &[("content-type", "application/json")],
            r#"{"id":1}"#,
        )]);
        let client = builder()
            .base_url(&server.base_url)
            .allow_insecure_http(true)
            .setting("tenantId", "tenant-7".to_owned())
            .build()
            .unwrap();
        let mut request = Request::new(Method::PUT, "putThing");
        request.push_path("/things/");
        request.push_path_param("id", "a/b c").unwrap();
        request.query("q", "x y&z");
        request.query_each("fields", &["a", "b"]);
        request
            .setting_header(&client, "x-tenant-id", "tenantId", None, true)
            .unwrap();
        request.json_body(&serde_json::json!({"n": 1})).unwrap();
        let value = client
            .execute(request)
            .await
            .unwrap()
            .json::<Thing>()
            .unwrap();
        assert_eq!(value.into_inner(), Thing { id: 1 });

        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let sent = &requests[0];
        assert!(
            sent.starts_with("PUT /v1/things/a%2Fb%20c?q=x+y%26z&fields=a&fields=b HTTP/1.1\r\n"),
            "{sent}"
        );
        let lower = sent.to_ascii_lowercase();
        assert!(
            sent.contains(&format!("authorization: Bearer {TOKEN}\r\n")),
            "{sent}"
        );
        assert!(lower.contains("accept: application/json\r\n"), "{sent}");
        assert!(
            lower.contains("content-type: application/json\r\n"),
            "{sent}"
        );
        assert!(lower.contains("x-tenant-id: tenant-7\r\n"), "{sent}");
        assert!(
            lower.contains("user-agent: runtime-tests/1.0\r\n"),
            "{sent}"
        );
        assert!(sent.ends_with("\r\n\r\n{\"n\":1}"), "{sent}");
    }

    #[tokio::test]
    async fn execute_retries_idempotent_requests_then_succeeds() {
        let server = TestServer::start(vec![
            reply("503 Service Unavailable", &[], "busy"),
            reply("500 Internal Server Error", &[("retry-after", "0")], ""),
            reply(
                "200 OK",
                &[("content-type", "application/json")],
                r#"{"id":2}"#,
            ),
        ]);
        let response = server
            .client(fast_retries())
            .execute(get("2"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(server.requests().len(), 3);
    }

    #[tokio::test]
    async fn execute_returns_the_final_response_when_retries_are_exhausted() {
        let server = TestServer::start(vec![
            reply("503 Service Unavailable", &[], "busy"),
            reply("503 Service Unavailable", &[], "still busy"),
        ]);
        let policy = fast_retries().max_attempts(2);
        let response = server.client(policy).execute(get("3")).await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(server.requests().len(), 2);
        let error = response.unexpected();
        assert!(error.is_retryable());
        assert!(error.to_string().ends_with(": still busy"), "{error}");
    }

    #[tokio::test]
    async fn execute_does_not_retry_post_on_server_errors() {
        let server = TestServer::start(vec![
            reply("503 Service Unavailable", &[], ""),
            reply("200 OK", &[], ""),
        ]);
        let mut request = Request::new(Method::POST, "createThing");
        request.push_path("/things");
        request.json_body(&serde_json::json!({})).unwrap();
        let response = server
            .client(fast_retries())
            .execute(request)
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn execute_retries_post_on_429() {
        let server = TestServer::start(vec![
            reply("429 Too Many Requests", &[("retry-after", "0")], ""),
            reply("201 Created", &[], ""),
        ]);
        let mut request = Request::new(Method::POST, "createThing");
        request.push_path("/things");
        request.json_body(&serde_json::json!({"a": 1})).unwrap();
        let response = server
            .client(fast_retries())
            .execute(request)
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert!(requests.iter().all(|r| r.ends_with("{\"a\":1}")));
    }

    #[tokio::test]
    async fn execute_gives_up_on_long_retry_after() {
        let server = TestServer::start(vec![
            reply(
                "429 Too Many Requests",
                &[("retry-after", "120")],
                "slow down",
            ),
            reply("200 OK", &[], ""),
        ]);
        let error = server
            .client(fast_retries())
            .execute(get("4"))
            .await
            .unwrap_err();
        match &error {
            Error::RateLimited {
                retry_after,
                response,
            } => {
                assert_eq!(*retry_after, Duration::from_secs(120));
                assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
                assert_eq!(response.body_text(), "slow down");
                assert_eq!(response.headers()[RETRY_AFTER], "120");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(error.is_retryable());
        assert_eq!(error.operation_id(), "getThing");
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn execute_refuses_bodies_over_the_limit() {
        let server = TestServer::start(vec![reply("200 OK", &[], &"x".repeat(100))]);
        let client = builder()
            .base_url(&server.base_url)
            .allow_insecure_http(true)
            .max_response_bytes(16)
            .build()
            .unwrap();
        let error = client.execute(get("5")).await.unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { limit: 16, .. }),
            "{error:?}"
        );

        let mut chunked = String::from(
            "HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n",
        );
        for _ in 0..10 {
            chunked.push_str("a\r\n0123456789\r\n");
        }
        chunked.push_str("0\r\n\r\n");
        let server = TestServer::start(vec![Reply::Send(chunked.into_bytes())]);
        let client = builder()
            .base_url(&server.base_url)
            .allow_insecure_http(true)
            .max_response_bytes(50)
            .build()
            .unwrap();
        let error = client.execute(get("6")).await.unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { limit: 50, .. }),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn execute_keeps_status_and_bytes_of_a_body_cut_short() {
        let cut = "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 50\r\n\r\n{\"id\"";
        let server = TestServer::start(vec![Reply::Send(cut.as_bytes().to_vec())]);
        let error = server
            .client(RetryPolicy::disabled())
            .execute(get("9"))
            .await
            .unwrap_err();
        match &error {
            Error::InvalidBody {
                kind: InvalidBodyKind::Incomplete(_),
                response,
            } => {
                assert_eq!(response.status(), StatusCode::OK);
                assert_eq!(response.body().as_ref(), b"{\"id\"");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(error.is_retryable());
        assert!(error.to_string().contains("incomplete body"), "{error}");
    }

    #[tokio::test]
    async fn execute_reports_connection_failures_with_attempts() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .allow_insecure_http(true)
            .retry_policy(fast_retries().max_attempts(2))
            .build()
            .unwrap();
        let error = client.execute(get("7")).await.unwrap_err();
        assert!(
            matches!(error, Error::Connection { attempts: 2, .. }),
            "{error:?}"
        );
        assert!(error.is_retryable());
        assert!(std::error::Error::source(&error).is_some());
        assert_eq!(
            error.to_string(),
            "getThing: request failed after 2 attempts"
        );
    }

    #[tokio::test]
    async fn execute_reports_timeouts() {
        let server = TestServer::start(vec![Reply::Hang(Duration::from_millis(500))]);
        let client = builder()
            .base_url(&server.base_url)
            .allow_insecure_http(true)
            .retry_policy(RetryPolicy::disabled())
            .timeout(Duration::from_millis(50))
            .build()
            .unwrap();
        let error = client.execute(get("8")).await.unwrap_err();
        assert!(
            matches!(error, Error::Timeout { attempts: 1, .. }),
            "{error:?}"
        );
        assert!(error.is_timeout() && error.is_retryable());
        assert_eq!(error.to_string(), "getThing: timed out after 1 attempt");
    }

    #[tokio::test]
    async fn execute_refuses_plain_http_unless_allowed() {
        let error = builder()
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::InsecureBaseUrl { .. }));
        assert!(error.to_string().contains("allow_insecure_http"));
    }
}
