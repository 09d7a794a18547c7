//! Requests as generated code builds them: the path from literals and parameters (each
//! parameter exactly one segment), query pairs, validated headers, client-wide settings and a
//! JSON body, then handed to the transport.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::binary::{Binary, Multipart};
use crate::client::Client;
use crate::encode::{self, Style};
use crate::error::Error;
use crate::options::CallOptions;
use crate::redact::{Escaped, HeadersDebug, Secrets};

/// How many rounds of percent-decoding are applied when checking a path segment.
const MAX_DECODE_ROUNDS: usize = 16;
/// The characters that are percent-encoded in a path segment: everything except the RFC 3986
/// unreserved characters `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
pub(crate) const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Converts a parameter value to the text sent in a path, query string or header.
///
/// Generated enums implement it too.
pub trait ParamValue {
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
pub struct Request {
    pub(crate) method: Method,
    pub(crate) operation: &'static str,
    pub(crate) template: &'static str,
    pub(crate) path: String,
    /// Query pairs, each `name=value` already percent-encoded.
    pub(crate) query: Vec<String>,
    pub(crate) headers: HeaderMap,
    /// Cookie pairs, each `name=value`.
    pub(crate) cookies: Vec<String>,
    pub(crate) body: Option<Bytes>,
    pub(crate) options: CallOptions,
    /// The credentials the operation takes (indices into the API's schemes); `None` when the
    /// generated code states none, and then the client's token, if any, is sent.
    pub(crate) security: Option<&'static [&'static [u16]]>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .query
            .iter()
            .map(|pair| pair.split('=').next().unwrap_or_default())
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("operation", &self.operation)
            .field("template", &self.template)
            .field("query", &names)
            .field("headers", &HeadersDebug(&self.headers, &Secrets::default()))
            .field("body_bytes", &self.body.as_ref().map(Bytes::len))
            .field("options", &self.options)
            .finish()
    }
}

impl Request {
    /// Starts a request for an operation; `template` is the spec's path template, named in
    /// traces.
    pub fn new(method: Method, operation_id: &'static str, template: &'static str) -> Self {
        Self {
            method,
            operation: operation_id,
            template,
            // Room for the literals and a parameter or two, so encoding does not reallocate.
            path: String::with_capacity(template.len() + 32),
            query: Vec::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            body: None,
            options: CallOptions::default(),
            security: None,
        }
    }

    fn invalid(&self, message: String) -> Error {
        Error::InvalidRequest {
            operation: self.operation,
            message,
        }
    }

    /// Says which credentials the operation takes: alternatives of scheme indices sent
    /// together; an empty alternative means none is needed.
    pub fn security(&mut self, alternatives: &'static [&'static [u16]]) {
        self.security = Some(alternatives);
    }

    /// Sets the `Accept` header to the media types the operation's success responses come in.
    pub fn accept(&mut self, media_types: &'static str) {
        self.headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static(media_types),
        );
    }

    /// Takes the per-call options the caller set on the request builder.
    pub fn options(&mut self, options: CallOptions) {
        self.options = options;
    }

    /// Appends a literal part of the path template, such as `/items/`.
    pub fn push_path(&mut self, literal: &'static str) {
        self.path.push_str(literal);
    }

    /// Appends a path parameter, percent-encoded as exactly one path segment.
    ///
    /// Values that are empty or that decode (repeatedly) to `.` or `..`, or that contain such a
    /// component between slashes or backslashes, are rejected so that no value can reach
    /// another endpoint.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] naming the parameter.
    pub fn push_path_param(&mut self, name: &'static str, value: &str) -> Result<(), Error> {
        if let Err(reason) = check_path_segment(value) {
            return Err(Error::InvalidRequest {
                operation: self.operation,
                message: format!("invalid value for path parameter `{name}`: {reason}"),
            });
        }
        self.path.extend(utf8_percent_encode(value, PATH_SEGMENT));
        Ok(())
    }

    /// Adds a query parameter (a scalar, percent-encoded).
    pub fn query<V: ParamValue + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query.push(format!(
            "{}={}",
            utf8_percent_encode(name, PATH_SEGMENT),
            utf8_percent_encode(&value.to_param(), PATH_SEGMENT)
        ));
    }

    fn to_json<T: serde::Serialize + ?Sized>(
        &self,
        name: &str,
        value: &T,
    ) -> Result<serde_json::Value, Error> {
        serde_json::to_value(value)
            .map_err(|e| self.invalid(format!("cannot serialize parameter `{name}`: {e}")))
    }

    /// Adds a query parameter of any type in an OpenAPI style (`form`, `spaceDelimited`,
    /// `pipeDelimited`, `deepObject`, or JSON for `content`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the value cannot be serialized.
    pub fn query_value<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        style: Style,
        explode: bool,
        allow_reserved: bool,
    ) -> Result<(), Error> {
        let value = self.to_json(name, value)?;
        self.query
            .extend(encode::query(name, &value, style, explode, allow_reserved));
        Ok(())
    }

    /// Appends a path parameter of any type in an OpenAPI style (`simple`, `label`, `matrix`),
    /// each value percent-encoded within its segment and checked like [`Request::push_path_param`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when a value would leave its segment or cannot be serialized.
    pub fn path_value<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        style: Style,
        explode: bool,
    ) -> Result<(), Error> {
        let value = self.to_json(name, value)?;
        let segment = |text: &str| -> Result<String, &'static str> {
            check_path_segment(text)?;
            Ok(utf8_percent_encode(text, PATH_SEGMENT).to_string())
        };
        let text = encode::path(name, &value, style, explode, &segment).map_err(|reason| {
            self.invalid(format!(
                "invalid value for path parameter `{name}`: {reason}"
            ))
        })?;
        self.path.push_str(&text);
        Ok(())
    }

    /// Sets a header parameter of any type (`simple` style).
    ///
    /// # Errors
    ///
    /// As [`Request::header`], or when the value cannot be serialized.
    pub fn header_value<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        style: Style,
        explode: bool,
    ) -> Result<(), Error> {
        let value = self.to_json(name, value)?;
        let text = encode::header(&value, style, explode);
        self.header(name, text.as_str())
    }

    /// Adds a cookie parameter (`form` style).
    ///
    /// # Errors
    ///
    /// When the value cannot be serialized.
    pub fn cookie<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        explode: bool,
    ) -> Result<(), Error> {
        let value = self.to_json(name, value)?;
        self.cookies.extend(encode::cookie(name, &value, explode));
        Ok(())
    }

    /// Adds an array query parameter in the form/explode style: `name=a&name=b`.
    pub fn query_each<V: ParamValue>(&mut self, name: &'static str, values: &[V]) {
        for value in values {
            self.query(name, value);
        }
    }

    /// Sets a header, rejecting values with CR, LF, NUL or other characters invalid in a header.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] naming the header; the value is never echoed, since it may be
    /// a credential.
    pub fn header<V: ParamValue + ?Sized>(
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
    /// # Errors
    ///
    /// When neither is present, a `required` header fails with [`Error::InvalidRequest`]
    /// naming the header and the builder setter; an optional one is left out. An empty per-call
    /// value is refused, as the builder refuses an empty setting.
    pub fn setting_header(
        &mut self,
        client: &Client,
        name: &'static str,
        key: &'static str,
        value: Option<&str>,
        required: bool,
    ) -> Result<(), Error> {
        if value == Some("") {
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
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the value cannot be serialized (a map with non-string
    /// keys, say).
    pub fn json_body<T: serde::Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
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

impl Request {
    fn set_body(&mut self, content_type: &str, body: Bytes) -> Result<(), Error> {
        let value = HeaderValue::from_str(content_type).map_err(|_| {
            self.invalid(format!("invalid content type `{}`", Escaped(content_type)))
        })?;
        self.headers.insert(CONTENT_TYPE, value);
        self.body = Some(body);
        Ok(())
    }

    /// Sends `body` as an `application/x-www-form-urlencoded` form, each property in its
    /// encoding (`encodings`: property, style, explode; by default `form`, exploded).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the value cannot be serialized.
    pub fn form_body<T: serde::Serialize + ?Sized>(
        &mut self,
        body: &T,
        encodings: &[(&str, Style, bool)],
    ) -> Result<(), Error> {
        let value = serde_json::to_value(body)
            .map_err(|e| self.invalid(format!("cannot serialize the request body: {e}")))?;
        let text = encode::form(&value, encodings);
        self.set_body("application/x-www-form-urlencoded", Bytes::from(text))
    }

    /// Sends a multipart body.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when a part's value could not be serialized.
    pub fn multipart_body(&mut self, body: Multipart) -> Result<(), Error> {
        let (content_type, bytes) = body.finish().map_err(|message| self.invalid(message))?;
        self.set_body(&content_type, bytes)
    }

    /// Replaces the body's `Content-Type` (a JSON body sent as `application/merge-patch+json`,
    /// say).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for a content type with control characters.
    pub fn content_type(&mut self, media: &str) -> Result<(), Error> {
        let value = HeaderValue::from_str(media)
            .map_err(|_| self.invalid(format!("invalid content type `{}`", Escaped(media))))?;
        self.headers.insert(CONTENT_TYPE, value);
        Ok(())
    }

    /// Sends bytes as they are, as `media` (or the content type set on the [`Binary`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for a content type with control characters.
    pub fn binary_body(&mut self, media: &'static str, body: &Binary) -> Result<(), Error> {
        let content_type = body.get_content_type().unwrap_or(media).to_owned();
        self.set_body(&content_type, body.data().clone())
    }

    /// Sends text as `media`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for a content type with control characters.
    pub fn text_body(&mut self, media: &'static str, body: &str) -> Result<(), Error> {
        self.set_body(media, Bytes::copy_from_slice(body.as_bytes()))
    }
}

/// Checks that a path parameter value stays within one path segment.
fn check_path_segment(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("it must not be empty");
    }
    let mut decoded = Cow::Borrowed(value);
    // Without a `%` the value decodes to itself: there is no round to make.
    if value.contains('%') {
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
    }
    if decoded.is_empty() {
        return Err("it must not decode to an empty string");
    }
    if decoded.contains('.')
        && decoded
            .split(['/', '\\'])
            .any(|part| part == "." || part == "..")
    {
        return Err("it must not be or contain a `.` or `..` path segment");
    }
    Ok(())
}

/// Converts a setting key such as `accountId` to the snake case of its builder setter.
pub(crate) fn snake_case(key: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{builder, client};

    fn encoded(value: &str) -> Result<String, Error> {
        let mut request = Request::new(Method::GET, "getThing", "/things/{id}");
        request.push_path_param("id", value)?;
        Ok(request.path)
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
        let mut request = Request::new(Method::GET, "getThing", "/things/{id}/parts");
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
            let mut request = Request::new(Method::GET, "getThing", "/");
            let error = request.header("X-Custom", value).unwrap_err();
            let message = error.to_string();
            assert!(message.starts_with("getThing: "), "{message}");
            assert!(message.contains("`x-custom`"), "{message}");
            assert!(!message.contains(value), "{message}");
            assert!(!message.contains("evil"), "{message}");
            assert!(request.headers.is_empty());
        }
        let mut request = Request::new(Method::GET, "getThing", "/");
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
        let mut request = Request::new(Method::GET, "getThing", "/");
        request.query("q", "x y");
        request.query_each("fields", &["a", "b"]);
        request.query("skip", &10_u64);
        request.query("ratio", &0.5_f64);
        assert_eq!(
            request.query,
            ["q=x%20y", "fields=a", "fields=b", "skip=10", "ratio=0.5"]
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

        let mut request = Request::new(Method::GET, "getThing", "/");
        request
            .setting_header(&configured, "x-tenant-id", "tenantId", None, true)
            .unwrap();
        assert_eq!(request.headers["x-tenant-id"], "tenant-1");

        let mut request = Request::new(Method::GET, "getThing", "/");
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
        let mut request = Request::new(Method::GET, "getThing", "/");
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

        let mut request = Request::new(Method::GET, "getThing", "/");
        assert!(
            request
                .setting_header(&configured, "x-tenant-id", "tenantId", Some("a\nb"), true)
                .is_err()
        );

        let mut request = Request::new(Method::GET, "getThing", "/");
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
        let mut request = Request::new(Method::POST, "createThing", "/things");
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
}
