//! The errors a call or a client build can end in: [`Error`], the [`ErrorResponse`] it keeps
//! when the server answered, [`InvalidBodyKind`] and [`JsonError`] for bodies that do not
//! decode, and [`BuildError`]. Nothing here prints a secret: bodies, headers and decoder
//! messages are scrubbed of the client's secrets before they are shown.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::redact::{BodyPreview, Escaped, HeadersDebug, Secrets, write_body};
use crate::retry::is_retryable_status;

/// Why building a client failed.
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
        /// The offending URL, without credentials, query or fragment.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The base URL uses plain HTTP and insecure HTTP was not allowed.
    InsecureBaseUrl {
        /// The offending URL, without credentials, query or fragment.
        url: String,
    },
    /// A client-wide setting has an invalid value.
    InvalidSetting {
        /// The setting's key.
        key: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A security scheme's credential is unusable (or names a scheme the API lacks).
    InvalidCredential {
        /// The scheme's name.
        scheme: &'static str,
        /// Why it was rejected (the credential itself is never shown).
        reason: String,
    },
    /// A default header has a name or value the client cannot send.
    InvalidHeader {
        /// The header name.
        name: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The underlying HTTP client could not be created.
    Http(reqwest::Error),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingToken => f.write_str(
                "missing credentials: every operation needs them; set a bearer token with \
                 `token()` or the credential of one of the API's security schemes",
            ),
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
            Self::InvalidCredential { scheme, reason } => {
                write!(
                    f,
                    "invalid credential for security scheme `{scheme}`: {reason}"
                )
            }
            Self::InvalidHeader { name, reason } => {
                write!(f, "invalid default header `{}`: {reason}", Escaped(name))
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

/// Why a JSON body did not decode: where (a path such as `items[0].roles[0].isActive`, a line
/// and a column) and what (the decoder's message, with the client's secrets scrubbed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    // Boxed so that `Error` stays small.
    inner: Box<JsonErrorInner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct JsonErrorInner {
    path: String,
    message: String,
    line: usize,
    column: usize,
    syntax: bool,
}

impl JsonError {
    /// Describes a decoding failure at `path` (empty or `.` for the whole body).
    pub(crate) fn new(path: String, error: &serde_json::Error, secrets: &Secrets) -> Self {
        use serde_json::error::Category;
        let syntax = matches!(error.classify(), Category::Syntax | Category::Eof);
        // serde_json appends " at line L column C"; the position is kept separately.
        let full = error.to_string();
        let message = match full.rfind(" at line ") {
            Some(index) if error.line() > 0 => &full[..index],
            _ => full.as_str(),
        };
        let path = if path == "." { String::new() } else { path };
        Self {
            inner: Box::new(JsonErrorInner {
                path: secrets.scrub(&path).into_owned(),
                message: secrets.scrub(message).into_owned(),
                line: error.line(),
                column: error.column(),
                syntax,
            }),
        }
    }

    /// Where in the document the value that did not fit sits, e.g. `items[0].name`; empty for
    /// the document itself or for a syntax error.
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// What was wrong, e.g. `invalid type: string "x", expected i64`.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The 1-based line of the failure (0 when unknown).
    pub fn line(&self) -> usize {
        self.inner.line
    }

    /// The 1-based column of the failure (0 when unknown).
    pub fn column(&self) -> usize {
        self.inner.column
    }

    /// Whether the body is not JSON at all (rather than JSON of another shape).
    pub fn is_syntax(&self) -> bool {
        self.inner.syntax
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = &*self.inner;
        if this.syntax {
            write!(f, "malformed json: {}", Escaped(&this.message))?;
        } else if this.path.is_empty() {
            write!(f, "json of the wrong shape: {}", Escaped(&this.message))?;
        } else {
            write!(
                f,
                "json of the wrong shape at {}: {}",
                Escaped(&this.path),
                Escaped(&this.message)
            )?;
        }
        if this.line > 0 {
            write!(f, " (line {}, column {})", this.line, this.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for JsonError {}

/// Why a response body could not be decoded, or could not be read completely.
#[non_exhaustive]
#[derive(Debug)]
pub enum InvalidBodyKind {
    /// The body is not valid JSON, or JSON of another shape than the expected type.
    Json(JsonError),
    /// The `Content-Type` header names a type that is not the one expected.
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
            Self::Json(error) => fmt::Display::fmt(error, f),
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
///
/// `Display` and `Debug` show a bounded, escaped view of the body and hide credentials, cookies
/// and the client's own secrets, even when the server echoes them.
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
    secrets: Secrets,
}

impl ErrorResponse {
    /// Creates an error response, for example to unit-test the error paths of code that calls
    /// the client.
    pub fn new(
        operation_id: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: impl Into<Bytes>,
    ) -> Self {
        Self {
            inner: Box::new(ErrorResponseInner {
                operation: operation_id,
                status,
                headers,
                body: body.into(),
                description: None,
                secrets: Secrets::default(),
            }),
        }
    }

    /// Sets the API description's words for the status (an empty text counts as none).
    pub fn with_description(mut self, description: &'static str) -> Self {
        self.inner.description = Some(description).filter(|d| !d.is_empty());
        self
    }

    /// Scrubs these secrets from everything the response shows.
    pub(crate) fn with_secrets(mut self, secrets: &Secrets) -> Self {
        self.inner.secrets = secrets.clone();
        self
    }

    pub(crate) fn secrets(&self) -> &Secrets {
        &self.inner.secrets
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

    /// Returns the raw response body, exactly as received.
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
            .field("headers", &HeadersDebug(&inner.headers, &inner.secrets))
            .field("body", &BodyPreview(&inner.body, &inner.secrets))
            .finish()
    }
}

/// An error returned by an operation.
#[non_exhaustive]
pub enum Error {
    /// The request was rejected before it was sent: an invalid path segment or header value, a
    /// missing required setting, a body that could not be serialized, or a URL too long to send.
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
    /// The request failed at the transport level (connection, TLS, protocol) on its last
    /// attempt.
    Connection {
        /// The operation id.
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The transport error.
        source: reqwest::Error,
    },
    /// The server answered with a redirect the client does not follow: to a scheme other than
    /// https (unless insecure http is allowed), a `307`/`308` that would re-send the request
    /// body to another origin, or more redirects in a row than the client follows.
    Redirect {
        /// Why the redirect was not followed.
        reason: String,
        /// The redirect response.
        response: ErrorResponse,
    },
    /// The server asked, with `Retry-After`, for a wait longer than the retry policy's
    /// [`max_retry_after`](crate::RetryPolicy::max_retry_after).
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
    /// The response body exceeded the client's `max_response_bytes`.
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
        /// The response's status and headers, with an empty body (none of it was kept).
        response: ErrorResponse,
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
            | Self::Pagination { operation, .. } => operation,
            Self::Redirect { response, .. }
            | Self::RateLimited { response, .. }
            | Self::Response(response)
            | Self::InvalidBody { response, .. }
            | Self::BodyTooLarge { response, .. } => response.operation_id(),
        }
    }

    /// Returns the response status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.response().map(ErrorResponse::status)
    }

    /// Returns the response, if the server answered (for [`Error::BodyTooLarge`], its status
    /// and headers without the body).
    pub fn response(&self) -> Option<&ErrorResponse> {
        match self {
            Self::Redirect { response, .. }
            | Self::RateLimited { response, .. }
            | Self::Response(response)
            | Self::InvalidBody { response, .. }
            | Self::BodyTooLarge { response, .. } => Some(response),
            _ => None,
        }
    }

    /// Reports whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Reports whether trying again later may succeed: statuses 408, 429, 500, 502, 503 and
    /// 504, timeouts, connection failures and bodies cut short. Requests the client refused to
    /// send, redirects it refused to follow and bodies that do not decode are not.
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
            Self::Redirect { reason, response } => write!(
                f,
                "{operation}: redirect with status {} not followed: {reason}",
                response.status()
            ),
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
                write_body(f, response.body(), response.secrets())
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
                write_body(f, response.body(), response.secrets())
            }
            Self::InvalidBody { kind, response } => {
                // The kind may quote the body (a decoder message, a content type).
                let kind = kind.to_string();
                write!(
                    f,
                    "{operation}: invalid response body with status {}: {}",
                    response.status(),
                    response.secrets().scrub(&kind)
                )?;
                write_body(f, response.body(), response.secrets())
            }
            Self::BodyTooLarge { limit, response } => write!(
                f,
                "{operation}: response body with status {} exceeds the limit of {limit} bytes",
                response.status()
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
            Self::Redirect { reason, response } => f
                .debug_struct("Redirect")
                .field("reason", reason)
                .field("response", response)
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
            Self::InvalidBody { kind, response } => {
                let kind = format!("{kind:?}");
                f.debug_struct("InvalidBody")
                    .field("kind", &format_args!("{}", response.secrets().scrub(&kind)))
                    .field("response", response)
                    .finish()
            }
            Self::BodyTooLarge { limit, response } => f
                .debug_struct("BodyTooLarge")
                .field("limit", limit)
                .field("response", response)
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

#[cfg(test)]
mod tests {
    use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

    use super::*;

    fn response(status: u16, body: &[u8]) -> ErrorResponse {
        ErrorResponse::new(
            "getThing",
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            Bytes::copy_from_slice(body),
        )
    }

    #[test]
    fn display_starts_with_the_operation_and_truncates_the_body() {
        let long = "x".repeat(10_000);
        let error = Error::Response(response(404, long.as_bytes()).with_description("not found"));
        let text = error.to_string();
        assert!(
            text.starts_with("getThing: status 404 Not Found (not found): xxx"),
            "{text}"
        );
        assert!(text.len() < 700, "{} bytes", text.len());
        assert!(text.contains("10000 bytes"), "{text}");
        let debug = format!("{error:?}");
        assert!(debug.len() < 1200, "{} bytes", debug.len());

        let hostile = b"line1\nline2\x1b[31m\xff";
        let text = Error::Response(response(400, hostile)).to_string();
        assert!(!text.contains('\n') && !text.contains('\u{1b}'), "{text}");
        assert!(text.contains("line1\\nline2"), "{text}");

        let empty = Error::Response(response(503, b"")).to_string();
        assert_eq!(empty, "getThing: unexpected status 503 Service Unavailable");
    }

    #[test]
    fn accessors_and_redacted_debug() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        headers.insert("set-cookie", HeaderValue::from_static("session=abc123"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer leaked"));
        let error = Error::Response(
            ErrorResponse::new("getThing", StatusCode::SERVICE_UNAVAILABLE, headers, "busy")
                .with_description("service unavailable"),
        );
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

        let not_found = Error::Response(response(404, br#"{"code":7}"#).with_description(""));
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
            limit: 10,
            response: response(200, b""),
        };
        assert_eq!(too_large.status(), Some(StatusCode::OK));
        assert!(!too_large.is_retryable());
        assert!(too_large.to_string().starts_with("getThing: "));

        let redirect = Error::Redirect {
            reason: "too many redirects".to_owned(),
            response: response(302, b""),
        };
        assert!(!redirect.is_retryable());
        assert_eq!(redirect.status(), Some(StatusCode::FOUND));
        assert_eq!(
            redirect.to_string(),
            "getThing: redirect with status 302 Found not followed: too many redirects"
        );
    }

    #[test]
    fn an_echoed_secret_never_shows() {
        let secrets = Secrets::new(["tok3n-S3CRET".to_owned()]);
        let mut headers = HeaderMap::new();
        headers.insert("x-echo", HeaderValue::from_static("Bearer tok3n-S3CRET"));
        let body = br#"{"error":"bad token tok3n-S3CRET"}"#;
        let echoed = ErrorResponse::new("getThing", StatusCode::UNAUTHORIZED, headers, &body[..])
            .with_secrets(&secrets);
        let error = Error::Response(echoed.clone());
        for shown in [
            error.to_string(),
            format!("{error:?}"),
            format!("{error:#?}"),
        ] {
            assert!(!shown.contains("S3CRET"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
        // The raw body is still there for whoever asks for it.
        assert_eq!(echoed.body().as_ref(), body);

        let bad: serde_json::Error = serde_json::from_str::<u8>("\"tok3n-S3CRET\"").unwrap_err();
        let kind = InvalidBodyKind::Json(JsonError::new(".".to_owned(), &bad, &secrets));
        let error = Error::InvalidBody {
            kind,
            response: echoed,
        };
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains("S3CRET"), "{shown}");
        }
        let source = std::error::Error::source(&error).unwrap();
        assert!(!source.to_string().contains("S3CRET"), "{source}");
    }

    #[test]
    fn json_errors_say_where_and_what() {
        let error: serde_json::Error = serde_json::from_str::<Vec<u8>>("[1, \"x\"]").unwrap_err();
        let json = JsonError::new("[1]".to_owned(), &error, &Secrets::default());
        assert!(!json.is_syntax());
        assert_eq!(json.path(), "[1]");
        assert_eq!(json.line(), 1);
        assert_eq!(
            json.to_string(),
            "json of the wrong shape at [1]: invalid type: string \"x\", expected u8 (line 1, column 7)"
        );
        let error: serde_json::Error = serde_json::from_str::<Vec<u8>>("[1,").unwrap_err();
        let json = JsonError::new(String::new(), &error, &Secrets::default());
        assert!(json.is_syntax());
        assert!(json.to_string().starts_with("malformed json: "), "{json}");
        assert_eq!(json.message(), "EOF while parsing a value");
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
}
