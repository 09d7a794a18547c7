//! The one place a call's life is sequenced: build the URL and headers, make attempts (each
//! following redirects within the policy), retry what is safe to retry, read the body within the
//! cap, and trace it all in one span per call.
//!
//! A POST or PATCH is retried only when the server cannot have acted on it: a connection refused
//! before anything was sent (never once a redirect was followed, since the first server already
//! had the request), or a `429`.

use std::time::{Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
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

/// Sends `request` with retries and redirects; see [`crate::Client::execute`].
pub(crate) async fn execute(inner: &ClientInner, request: Request) -> Result<Response, Error> {
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
    let result = attempts(inner, request, &span)
        .instrument(span.clone())
        .await;
    if !span.is_disabled() {
        let status = match &result {
            Ok(response) => Some(response.status.as_u16()),
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
) -> Result<Response, Error> {
    let Request {
        method,
        operation,
        path,
        query,
        headers: own_headers,
        body,
        options,
        ..
    } = request;
    if let Some(reason) = options.invalid() {
        return Err(Error::InvalidRequest {
            operation,
            message: reason.to_owned(),
        });
    }
    let url = request_url(&inner.base_url, operation, &path, &query)?;
    let headers = assemble_headers(inner, own_headers, &options);
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
                match read_limited(&mut response, inner.max_response_bytes).await {
                    Ok(body) => {
                        return Ok(Response {
                            operation,
                            status,
                            headers: response_headers,
                            body,
                            secrets: inner.secrets.clone(),
                            report: inner.report.clone(),
                        });
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

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The request URL: base URL, encoded path and query, refused before sending when it is longer
/// than the HTTP stack can send.
fn request_url(
    base: &str,
    operation: &'static str,
    path: &str,
    query: &[(&'static str, String)],
) -> Result<Url, Error> {
    let invalid = |message: String| Error::InvalidRequest { operation, message };
    let mut text = String::with_capacity(base.len() + path.len());
    text.push_str(base);
    text.push_str(path);
    let mut url =
        Url::parse(&text).map_err(|e| invalid(format!("cannot build the request url: {e}")))?;
    if !query.is_empty() {
        url.query_pairs_mut()
            .extend_pairs(query.iter().map(|(name, value)| (*name, value.as_str())));
    }
    let length = url.as_str().len();
    if length > MAX_URL_BYTES {
        return Err(invalid(format!(
            "the request url would be {length} bytes long; at most {MAX_URL_BYTES} can be sent"
        )));
    }
    Ok(url)
}

/// The headers of a request to the API's origin, later ones overriding earlier ones: the
/// client's default headers, the operation's own headers, `Accept`, the token, then the headers
/// set for this call.
fn assemble_headers(inner: &ClientInner, own: HeaderMap, options: &CallOptions) -> HeaderMap {
    let mut headers = inner.default_headers.clone();
    let mut last = None;
    for (name, value) in own {
        // `None` repeats the previous name, for headers with several values.
        let name = match name {
            Some(name) => {
                headers.remove(&name);
                last = Some(name.clone());
                name
            }
            None => match &last {
                Some(name) => name.clone(),
                None => continue,
            },
        };
        headers.append(name, value);
    }
    if !headers.contains_key(ACCEPT) {
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    }
    if let Some(authorization) = &inner.authorization {
        headers.insert(AUTHORIZATION, authorization.clone());
    }
    for (name, _) in options.headers() {
        headers.remove(name);
    }
    for (name, value) in options.headers() {
        headers.append(name.clone(), value.clone());
    }
    headers
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
