//! Responses as generated code consumes them: a status, headers and a body read whole (within
//! the cap), decoded as JSON, text or bytes, or turned into an [`Error`] that keeps all three.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

use crate::ResponseValue;
use crate::error::{Error, ErrorResponse, InvalidBodyKind, JsonError};
use crate::redact::{BodyPreview, HeadersDebug, Secrets};
use crate::report::{Report, Shape};

/// A response whose body has been read completely (up to the configured cap).
pub struct Response {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) secrets: Secrets,
    pub(crate) report: Option<Arc<Report>>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &HeadersDebug(&self.headers, &self.secrets))
            .field("body", &BodyPreview(&self.body, &self.secrets))
            .finish()
    }
}

impl Response {
    /// Returns the status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// Returns the headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Decodes a JSON body.
    ///
    /// # Errors
    ///
    /// A `Content-Type` that is present but not JSON, an empty body and JSON that is malformed
    /// or of another shape all end in [`Error::InvalidBody`], which keeps the status, headers
    /// and body; a shape error names the path of the value that did not fit.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> Result<ResponseValue<T>, Error> {
        if let Some(content_type) = self.headers.get(CONTENT_TYPE) {
            // Visible ASCII is checked faster than UTF-8; anything else is shown lossily.
            let content_type = match content_type.to_str() {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(content_type.as_bytes()),
            };
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
            Err(error) => {
                let json = self.explain::<T>(&error);
                Err(self.invalid(InvalidBodyKind::Json(json)))
            }
        }
    }

    /// Decodes a JSON body described by `shape`: as [`Response::json`], and, when the client
    /// records spec mismatches, notes what the body has that the description does not say.
    ///
    /// # Errors
    ///
    /// As [`Response::json`].
    pub fn checked_json<T: serde::de::DeserializeOwned>(
        mut self,
        shape: Shape,
    ) -> Result<ResponseValue<T>, Error> {
        let Some(report) = self.report.take() else {
            return self.json();
        };
        let (operation, body) = (self.operation, self.body.clone());
        let value = self.json()?;
        report.check(operation, &shape, &body);
        Ok(value)
    }

    /// Decodes the body again, tracking the path, to say where a decoding failure happened.
    /// Only failures pay for the tracking.
    fn explain<T: serde::de::DeserializeOwned>(&self, error: &serde_json::Error) -> JsonError {
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Err(tracked) => {
                let path = tracked.path().to_string();
                JsonError::new(path, tracked.inner(), &self.secrets)
            }
            Ok(_) => JsonError::new(String::new(), error, &self.secrets),
        }
    }

    /// Decodes a text body.
    ///
    /// # Errors
    ///
    /// Invalid UTF-8 ends in [`Error::InvalidBody`].
    pub fn text(self) -> Result<ResponseValue<String>, Error> {
        match std::str::from_utf8(&self.body) {
            Ok(text) => {
                let text = text.to_owned();
                Ok(ResponseValue::new(text, self.status, self.headers))
            }
            Err(e) => Err(self.invalid(InvalidBodyKind::Utf8(e))),
        }
    }

    /// Returns the raw body.
    pub fn bytes(self) -> ResponseValue<Bytes> {
        ResponseValue::new(self.body, self.status, self.headers)
    }

    /// Discards the body.
    pub fn empty(self) -> ResponseValue<()> {
        ResponseValue::new((), self.status, self.headers)
    }

    /// Turns a documented non-success status into [`Error::Response`], with the specification's
    /// description of the status.
    pub fn error(self, description: &'static str) -> Error {
        Error::Response(self.into_error_response().with_description(description))
    }

    /// Turns an undocumented status into [`Error::Response`].
    pub fn unexpected(self) -> Error {
        Error::Response(self.into_error_response())
    }

    /// Wraps the response into an [`Error::InvalidBody`].
    fn invalid(self, kind: InvalidBodyKind) -> Error {
        Error::InvalidBody {
            kind,
            response: self.into_error_response(),
        }
    }

    /// Converts the response into an [`ErrorResponse`] that scrubs the client's secrets.
    pub(crate) fn into_error_response(self) -> ErrorResponse {
        ErrorResponse::new(self.operation, self.status, self.headers, self.body)
            .with_secrets(&self.secrets)
    }
}

/// Reports whether a `Content-Type` value denotes JSON: `application/json` or any `+json` type.
pub(crate) fn is_json_content_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") {
        return true;
    }
    const SUFFIX: &str = "+json";
    match essence.split_once('/') {
        Some((kind, subtype)) => {
            !kind.is_empty()
                && subtype.len() > SUFFIX.len()
                && subtype
                    .get(subtype.len() - SUFFIX.len()..)
                    .is_some_and(|end| end.eq_ignore_ascii_case(SUFFIX))
        }
        None => false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    pub(crate) fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        }
        Response {
            operation: "getThing",
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::copy_from_slice(body),
            secrets: Secrets::default(),
            report: None,
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Thing {
        id: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        tags: Vec<Tag>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "camelCase")]
    struct Tag {
        is_active: Option<Flag>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Flag {
        value: bool,
    }

    #[test]
    fn json_responses_are_checked() {
        for content_type in [
            None,
            Some("application/json"),
            Some("application/json; charset=utf-8"),
            Some("Application/JSON"),
            Some("application/problem+json"),
            Some("Application/Problem+JSON"),
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
    fn a_body_of_the_wrong_shape_says_where_and_what() {
        let body =
            br#"{"items":[{"tags":[{"isActive":{"value":true}},{"isActive":"IsActiveFlag"}]}]}"#;
        let error = response(200, None, body).json::<Page>().unwrap_err();
        let Error::InvalidBody {
            kind: InvalidBodyKind::Json(json),
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(json.path(), "items[0].tags[1].isActive");
        assert!(!json.is_syntax());
        assert!(
            json.message()
                .starts_with("invalid type: string \"IsActiveFlag\", expected struct Flag"),
            "{json}"
        );
        let text = error.to_string();
        assert!(
            text.contains("json of the wrong shape at items[0].tags[1].isActive: invalid type"),
            "{text}"
        );

        let error = response(200, None, b"{\"id\": 1,")
            .json::<Thing>()
            .unwrap_err();
        assert!(error.to_string().contains("malformed json"), "{error}");
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
    fn documented_and_undocumented_statuses_become_errors() {
        let error = response(404, None, b"{}").error("not found");
        assert_eq!(error.response().unwrap().description(), Some("not found"));
        let error = response(418, None, b"").unexpected();
        assert_eq!(error.response().unwrap().description(), None);
        assert_eq!(
            error.to_string(),
            "getThing: unexpected status 418 I'm a teapot"
        );
    }
}
