//! The one place a call's life is sequenced: build the URL and headers, make attempts (each
//! following redirects within the policy), retry what is safe to retry, read the body within the
//! cap, and trace it all in one span per call.
//!
//! A POST or PATCH is retried only when the server cannot have acted on it: a connection refused
//! before anything was sent (never once a redirect was followed, since the first server already
//! had the request), or a `429`.

use std::time::{Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{ACCEPT, COOKIE, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};
use tracing::Instrument as _;
use tracing::field::Empty;

use crate::body::{ReadError, read_limited, read_prefix};
use crate::client::ClientInner;
use crate::error::{Error, ErrorResponse, InvalidBodyKind};
use crate::options::CallOptions;
use crate::redirect::{Followed, HopError, follow};
use crate::request::Request;
use crate::response::Response;
use crate::retry::{is_retryable_status, jitter_permille, retry_after};

/// How many bytes of a rate-limited response body are kept in the error.
const RATE_LIMITED_BODY_LIMIT: usize = 64 * 1024;
/// The longest URL the HTTP stack can send (`http::Uri` refuses longer ones).
const MAX_URL_BYTES: usize = 65_534;

/// What a call ends with: the body read whole, or the response opened for streaming.
pub(crate) enum Answer {
    Read(Response),
    Open(StreamingResponse),
}

impl Answer {
    fn status(&self) -> u16 {
        match self {
            Answer::Read(response) => response.status.as_u16(),
            Answer::Open(response) => response.status.as_u16(),
        }
    }
}

/// Sends `request` with retries and redirects, then reads the body (`streaming: false`) or
/// hands it over unread; see [`crate::Client::execute`].
pub(crate) async fn execute(
    inner: &ClientInner,
    request: Request,
    streaming: bool,
) -> Result<Answer, Error> {
    let span = tracing::info_span!(
        "request",
        operation = request.operation,
        method = request.method.as_str(),
        path = request.template,
        status = Empty,
        attempts = Empty,
        duration_ms = Empty,
    );
    let started = Instant::now();
    let result = attempts(inner, request, &span, streaming)
        .instrument(span.clone())
        .await;
    if !span.is_disabled() {
        let status = match &result {
            Ok(answer) => Some(answer.status()),
            Err(error) => error.status().map(|s| s.as_u16()),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
        let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("duration_ms", elapsed);
    }
    result
}

async fn attempts(
    inner: &ClientInner,
    request: Request,
    span: &tracing::Span,
    streaming: bool,
) -> Result<Answer, Error> {
    let Request {
        method,
        operation,
        path,
        mut query,
        headers: own_headers,
        mut cookies,
        body,
        options,
        security,
        ..
    } = request;
    if let Some(reason) = options.invalid() {
        return Err(Error::InvalidRequest {
            operation,
            message: reason.to_owned(),
        });
    }
    let mut headers = with_defaults(inner, own_headers);
    let credentials = inner
        .credentials
        .apply(security, &mut headers)
        .map_err(|message| Error::InvalidRequest { operation, message })?;
    for (name, key) in &credentials.query {
        query.push(format!(
            "{}={}",
            percent_encoding::utf8_percent_encode(name, crate::request::PATH_SEGMENT),
            percent_encoding::utf8_percent_encode(key, crate::request::PATH_SEGMENT)
        ));
    }
    cookies.extend(credentials.cookies);
    let url = request_url(&inner.base, operation, &path, &query)?;
    finish_headers(&mut headers, &cookies, &options);
    let policy = options.get_retry().unwrap_or(&inner.retry);
    let timeout = options.get_timeout().unwrap_or(inner.timeout);
    let max_attempts = policy.get_max_attempts().max(1);
    let idempotent = method.is_idempotent();
    let mut attempt: u32 = 0;
    loop {
        attempt = attempt.saturating_add(1);
        span.record("attempts", attempt);
        let can_retry = attempt < max_attempts;
        let deadline = Instant::now() + timeout;
        let failure = match follow(inner, &method, &url, &headers, body.as_ref(), deadline).await {
            Err(HopError::Refused {
                reason,
                status,
                headers,
                body,
            }) => {
                let response = ErrorResponse::new(operation, status, headers, body)
                    .with_secrets(&inner.secrets);
                return Err(Error::Redirect { reason, response });
            }
            Err(HopError::Transport {
                error,
                after_redirect,
            }) => {
                // A refused connection on the first hop means nothing was sent, so any method
                // may try again; after a redirect the first server already had the request.
                let unsent = error.is_connect() && !after_redirect;
                let transient = error.is_timeout()
                    || error.is_connect()
                    || error.is_request()
                    || error.is_body();
                let retryable = !error.is_builder() && (unsent || (idempotent && transient));
                if can_retry && retryable {
                    let wait = policy.backoff(attempt, jitter_permille());
                    tracing::warn!(
                        attempt,
                        wait_ms = millis(wait),
                        reason = if error.is_timeout() {
                            "timeout"
                        } else {
                            "connection"
                        },
                        "retrying after a transport failure"
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
                error
            }
            Ok(Followed {
                mut response,
                redirected,
            }) => {
                let status = response.status();
                let retryable = is_retryable_status(status)
                    && (idempotent || (status == StatusCode::TOO_MANY_REQUESTS && !redirected));
                if can_retry && retryable {
                    let wait = match retry_after(response.headers(), SystemTime::now()) {
                        Some(wait) if wait > policy.get_max_retry_after() => {
                            tracing::warn!(
                                status = status.as_u16(),
                                retry_after_s = wait.as_secs(),
                                "rate limited for longer than the retry policy allows"
                            );
                            let headers = std::mem::take(response.headers_mut());
                            let limit = RATE_LIMITED_BODY_LIMIT.min(inner.max_response_bytes);
                            let body = read_prefix(&mut response, limit).await;
                            let response = ErrorResponse::new(operation, status, headers, body)
                                .with_secrets(&inner.secrets);
                            return Err(Error::RateLimited {
                                retry_after: wait,
                                response,
                            });
                        }
                        Some(wait) => wait,
                        None => policy.backoff(attempt, jitter_permille()),
                    };
                    tracing::warn!(
                        attempt,
                        status = status.as_u16(),
                        wait_ms = millis(wait),
                        "retrying after a retryable status"
                    );
                    drop(response);
                    tokio::time::sleep(wait).await;
                    continue;
                }
                let response_headers = std::mem::take(response.headers_mut());
                let declared_too_large = response.content_length().is_some_and(|length| {
                    length > u64::try_from(inner.max_response_bytes).unwrap_or(u64::MAX)
                });
                if streaming && !declared_too_large {
                    return Ok(Answer::Open(StreamingResponse {
                        operation,
                        status,
                        headers: response_headers,
                        response,
                        limit: inner.max_response_bytes,
                        secrets: inner.secrets.clone(),
                    }));
                }
                match read_limited(&mut response, inner.max_response_bytes).await {
                    Ok(body) => {
                        return Ok(Answer::Read(Response {
                            operation,
                            status,
                            headers: response_headers,
                            body,
                            secrets: inner.secrets.clone(),
                            report: inner.report.clone(),
                        }));
                    }
                    Err(ReadError::TooLarge) => {
                        let response =
                            ErrorResponse::new(operation, status, response_headers, Bytes::new())
                                .with_secrets(&inner.secrets);
                        return Err(Error::BodyTooLarge {
                            limit: inner.max_response_bytes,
                            response,
                        });
                    }
                    Err(ReadError::Transport { error, partial }) => {
                        let error = error.without_url();
                        if can_retry && idempotent {
                            let wait = policy.backoff(attempt, jitter_permille());
                            tracing::warn!(
                                attempt,
                                wait_ms = millis(wait),
                                reason = "body cut short",
                                "retrying after a transport failure"
                            );
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        if !error.is_timeout() {
                            // The server answered but the body was cut short: keep the
                            // status, the headers and the bytes that did arrive.
                            let response =
                                ErrorResponse::new(operation, status, response_headers, partial)
                                    .with_secrets(&inner.secrets);
                            return Err(Error::InvalidBody {
                                kind: InvalidBodyKind::Incomplete(error),
                                response,
                            });
                        }
                        error
                    }
                }
            }
        };
        return Err(transport_error(operation, attempt, failure));
    }
}

/// A success (or any) response whose body has not been read: the status and headers, and the
/// body as a [`ByteStream`](crate::ByteStream) that keeps to the client's cap.
pub struct StreamingResponse {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    response: reqwest::Response,
    limit: usize,
    secrets: crate::redact::Secrets,
}

impl std::fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field(
                "headers",
                &crate::redact::HeadersDebug(&self.headers, &self.secrets),
            )
            .finish_non_exhaustive()
    }
}

impl StreamingResponse {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The body as a stream of chunks, with the status and headers.
    pub fn into_stream(self) -> crate::ResponseValue<crate::ByteStream> {
        let Self {
            operation,
            status,
            headers,
            response,
            limit,
            secrets,
        } = self;
        let state = (response, 0_usize, false, headers.clone(), secrets);
        let stream = futures_util::stream::unfold(
            state,
            move |(mut response, read, done, headers, secrets)| async move {
                if done {
                    return None;
                }
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        let read = read.saturating_add(chunk.len());
                        if read > limit {
                            let error = Error::BodyTooLarge {
                                limit,
                                response: ErrorResponse::new(
                                    operation,
                                    status,
                                    headers.clone(),
                                    Bytes::new(),
                                )
                                .with_secrets(&secrets),
                            };
                            return Some((Err(error), (response, read, true, headers, secrets)));
                        }
                        Some((Ok(chunk), (response, read, false, headers, secrets)))
                    }
                    Ok(None) => None,
                    Err(error) => {
                        let error = transport_error(operation, 1, error.without_url());
                        Some((Err(error), (response, read, true, headers, secrets)))
                    }
                }
            },
        );
        let body = crate::ByteStream {
            inner: Box::pin(stream),
        };
        crate::ResponseValue::new(body, status, headers)
    }

    async fn into_error_response(mut self) -> ErrorResponse {
        let body = read_prefix(&mut self.response, self.limit.min(RATE_LIMITED_BODY_LIMIT)).await;
        ErrorResponse::new(self.operation, self.status, self.headers, body)
            .with_secrets(&self.secrets)
    }

    /// Turns a documented non-success status into [`Error::Response`], reading at most 64 KiB
    /// of the body.
    pub async fn error(self, description: &'static str) -> Error {
        Error::Response(
            self.into_error_response()
                .await
                .with_description(description),
        )
    }

    /// Turns an undocumented status into [`Error::Response`], reading at most 64 KiB of the
    /// body.
    pub async fn unexpected(self) -> Error {
        Error::Response(self.into_error_response().await)
    }
}

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The request URL: the base URL with the encoded path appended and the query set, refused
/// before sending when it is longer than the HTTP stack can send.
///
/// The base URL was parsed once when the client was built; only the path and the query are
/// parsed here, so no call pays again for the scheme, the host and its IDNA mapping. It is the
/// URL that parsing the whole text would give: parameter values arrive percent-encoded, `?` and
/// `#` included (a `?` in a literal of the template, which OpenAPI does not allow, stays in the
/// path, encoded, instead of starting the query).
fn request_url(
    base: &Url,
    operation: &'static str,
    path: &str,
    query: &[String],
) -> Result<Url, Error> {
    let base_path = base.path().trim_end_matches('/');
    let mut url = base.clone();
    let mut full_path = String::with_capacity(base_path.len() + path.len());
    full_path.push_str(base_path);
    full_path.push_str(path);
    url.set_path(&full_path);
    if !query.is_empty() {
        url.set_query(Some(&query.join("&")));
    }
    let length = url.as_str().len();
    if length > MAX_URL_BYTES {
        return Err(Error::InvalidRequest {
            operation,
            message: format!(
                "the request url would be {length} bytes long; at most {MAX_URL_BYTES} can be sent"
            ),
        });
    }
    Ok(url)
}

/// The operation's own headers with the client's default headers under them (a default is
/// sent only when the operation sets no header of that name) and `Accept: application/json`
/// unless the operation accepts something else. The operation's map is kept, so a call builds
/// one header map; [`Credentials::apply`](crate::auth::Credentials::apply) and
/// [`finish_headers`] add the rest to it.
fn with_defaults(inner: &ClientInner, mut own: HeaderMap) -> HeaderMap {
    for name in inner.default_headers.keys() {
        if !own.contains_key(name) {
            for value in inner.default_headers.get_all(name) {
                own.append(name.clone(), value.clone());
            }
        }
    }
    if !own.contains_key(ACCEPT) {
        own.insert(ACCEPT, HeaderValue::from_static("application/json"));
    }
    own
}

/// Adds what comes after the credentials, later ones overriding earlier ones: the cookies
/// (merged into one `Cookie` header with any already there), then the headers set for this call,
/// which replace every value of their name.
fn finish_headers(headers: &mut HeaderMap, cookies: &[String], options: &CallOptions) {
    if !cookies.is_empty() {
        let mut all: Vec<String> = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        all.extend(cookies.iter().cloned());
        if let Ok(mut value) = HeaderValue::from_str(&all.join("; ")) {
            value.set_sensitive(true);
            headers.insert(COOKIE, value);
        }
    }
    for (name, _) in options.headers() {
        headers.remove(name);
    }
    for (name, value) in options.headers() {
        headers.append(name.clone(), value.clone());
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
    } else if source.is_builder() {
        Error::InvalidRequest {
            operation,
            message: format!("the http client refused the request: {source}"),
        }
    } else {
        Error::Connection {
            operation,
            attempts,
            source,
        }
    }
}

#[cfg(test)]
mod tests;
