//! Following redirects, decided as the most careful SDKs do: credentials, client-wide settings,
//! default and per-call headers go to the API's own origin only, and once a chain has left that
//! origin they are never sent again, whatever the number of hops; a request body is never
//! re-sent to another origin (a `307`/`308` that would do so is not followed); nothing is sent
//! over plain http unless insecure http is allowed; at most [`MAX_REDIRECTS`] hops are followed.
//!
//! reqwest's own redirect handling is switched off for this: it compares each hop only with the
//! one before and copies the original headers again, so a second hop on a foreign host would
//! receive the token.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, HeaderMap, LOCATION};
use reqwest::{Method, StatusCode, Url};

use crate::body::read_prefix;
use crate::client::ClientInner;

/// The maximum number of redirects followed for one attempt.
pub(crate) const MAX_REDIRECTS: usize = 5;
/// How much of the body of a redirect that is not followed is kept in the error.
const REFUSED_BODY_LIMIT: usize = 64 * 1024;

/// The final response of a chain of redirects.
pub(crate) struct Followed {
    pub(crate) response: reqwest::Response,
    /// Whether at least one redirect was followed (so the first server already saw the request).
    pub(crate) redirected: bool,
}

/// Why a chain of redirects ended without a final response.
pub(crate) enum HopError {
    /// The transport failed; `after_redirect` says whether an earlier hop had already been
    /// answered (so the request reached a server).
    Transport {
        error: reqwest::Error,
        after_redirect: bool,
    },
    /// A redirect the policy refuses to follow, with the redirect response.
    Refused {
        reason: String,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
}

/// Sends one attempt, following redirects within the policy, until a response that is not a
/// redirect arrives (or a redirect without a usable `Location`, which is the answer itself).
pub(crate) async fn follow(
    inner: &ClientInner,
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: Option<&Bytes>,
    deadline: Instant,
) -> Result<Followed, HopError> {
    let mut method = method.clone();
    let mut url = url.clone();
    let mut body = body.cloned();
    // Whether every hop so far stayed on the API's origin; once lost, never regained.
    let mut trusted = inner.is_own_origin(&url);
    let mut hops = 0;
    loop {
        let mut outgoing = reqwest::Request::new(method.clone(), url.clone());
        *outgoing.headers_mut() = if trusted {
            headers.clone()
        } else {
            untrusted_headers(headers)
        };
        if body.is_none() {
            outgoing.headers_mut().remove(reqwest::header::CONTENT_TYPE);
        }
        // The attempt's timeout covers every hop and the final body.
        let remaining = deadline.saturating_duration_since(Instant::now());
        *outgoing.timeout_mut() = Some(remaining.max(Duration::from_millis(1)));
        if let Some(body) = &body {
            *outgoing.body_mut() = Some(reqwest::Body::from(body.clone()));
        }
        let response = inner
            .http
            .execute(outgoing)
            .await
            .map_err(|error| HopError::Transport {
                error: error.without_url(),
                after_redirect: hops > 0,
            })?;
        let status = response.status();
        let redirected = hops > 0;
        if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            return Ok(Followed {
                response,
                redirected,
            });
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|location| url.join(location).ok());
        let Some(mut next) = location else {
            return Ok(Followed {
                response,
                redirected,
            });
        };
        if hops >= MAX_REDIRECTS {
            return Err(refuse(
                response,
                format!("more than {MAX_REDIRECTS} redirects in a row"),
            )
            .await);
        }
        match next.scheme() {
            "https" => {}
            "http" if inner.allow_insecure_http => {}
            other => {
                let reason =
                    format!("the redirect leads to a `{other}` url; only https is followed");
                return Err(refuse(response, reason).await);
            }
        }
        // Credentials in a Location would be sent as basic auth: never take them from a server.
        let _ = next.set_username("");
        let _ = next.set_password(None);
        let (next_method, keeps_body) = match status.as_u16() {
            303 if method == Method::HEAD => (Method::HEAD, false),
            303 => (Method::GET, false),
            301 | 302 if method == Method::POST => (Method::GET, false),
            _ => (method.clone(), true),
        };
        let leaves_origin = !inner.is_own_origin(&next);
        if leaves_origin && keeps_body && body.is_some() {
            let reason = format!(
                "a `{}` redirect to another origin would re-send the request body there",
                status.as_u16()
            );
            return Err(refuse(response, reason).await);
        }
        tracing::debug!(
            status = status.as_u16(),
            hop = hops + 1,
            cross_origin = leaves_origin || !trusted,
            "following redirect"
        );
        trusted &= !leaves_origin;
        if !keeps_body {
            body = None;
        }
        method = next_method;
        url = next;
        hops += 1;
    }
}

/// What a hop to another origin carries: content negotiation, nothing that identifies the
/// caller. (The HTTP client adds its `User-Agent`.)
fn untrusted_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for value in headers.get_all(ACCEPT) {
        kept.append(ACCEPT, value.clone());
    }
    kept
}

/// A redirect that is not followed, with its status, headers and (bounded) body.
async fn refuse(mut response: reqwest::Response, reason: String) -> HopError {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = read_prefix(&mut response, REFUSED_BODY_LIMIT).await;
    HopError::Refused {
        reason,
        status,
        headers,
        body,
    }
}
