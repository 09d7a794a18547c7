//! Binary data in requests and responses: [`Binary`] (bytes with an optional file name and
//! content type, for uploads and `format: binary` fields), the multipart encoder, and
//! [`ByteStream`] for downloads read as they arrive, within the body cap.

use std::fmt;
use std::hash::{BuildHasher, Hasher, RandomState};

use bytes::Bytes;
use serde_json::Value;

use crate::error::Error;

/// Binary data: the bytes, and for a file part the file name and content type sent with it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Binary {
    data: Bytes,
    file_name: Option<String>,
    content_type: Option<String>,
}

impl Binary {
    /// Binary data from bytes.
    pub fn new(data: impl Into<Bytes>) -> Self {
        Self {
            data: data.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// Sets the file name sent with a multipart part.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the content type sent with a multipart part or as the body's `Content-Type`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The bytes.
    pub fn data(&self) -> &Bytes {
        &self.data
    }

    /// The file name, if set.
    pub fn get_file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type, if set.
    pub fn get_content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Binary")
            .field("bytes", &self.data.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Bytes> for Binary {
    fn from(data: Bytes) -> Self {
        Self::new(data)
    }
}

impl From<Vec<u8>> for Binary {
    fn from(data: Vec<u8>) -> Self {
        Self::new(data)
    }
}

impl From<&'static [u8]> for Binary {
    fn from(data: &'static [u8]) -> Self {
        Self::new(data)
    }
}

impl From<String> for Binary {
    fn from(data: String) -> Self {
        Self::new(data)
    }
}

impl From<&'static str> for Binary {
    fn from(data: &'static str) -> Self {
        Self::new(data.as_bytes())
    }
}

/// In JSON (where a schema puts `format: binary` in a JSON body, rarely), the bytes as text.
impl serde::Serialize for Binary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.data))
    }
}

impl<'de> serde::Deserialize<'de> for Binary {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Self::new(text))
    }
}

/// A `multipart/form-data` body under construction.
#[derive(Debug)]
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
    /// The first value that could not be serialized, reported when the body is sent.
    error: Option<String>,
}

impl Default for Multipart {
    fn default() -> Self {
        Self::new()
    }
}

impl Multipart {
    /// An empty body with a fresh boundary.
    pub fn new() -> Self {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(0x6d75_6c74_6970_6172);
        let boundary = format!("codegen-runtime-{:016x}{:016x}", hasher.finish(), {
            let mut second = RandomState::new().build_hasher();
            second.write_u8(1);
            second.finish()
        });
        Self {
            boundary,
            body: Vec::new(),
            error: None,
        }
    }

    fn head(&mut self, name: &str, file_name: Option<&str>, content_type: Option<&str>) {
        self.body.extend_from_slice(b"--");
        self.body.extend_from_slice(self.boundary.as_bytes());
        self.body
            .extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        self.body.extend_from_slice(escape(name).as_bytes());
        self.body.push(b'"');
        if let Some(file_name) = file_name {
            self.body.extend_from_slice(b"; filename=\"");
            self.body.extend_from_slice(escape(file_name).as_bytes());
            self.body.push(b'"');
        }
        if let Some(content_type) = content_type {
            self.body.extend_from_slice(b"\r\nContent-Type: ");
            self.body
                .extend_from_slice(content_type.replace(['\r', '\n'], " ").as_bytes());
        }
        self.body.extend_from_slice(b"\r\n\r\n");
    }

    /// Adds a part holding `value`: strings as they are, numbers and booleans as text, other
    /// values as JSON; `null` is left out. A value that cannot be serialized fails the request
    /// when it is sent.
    pub fn value(&mut self, name: &str, value: &impl serde::Serialize) {
        match serde_json::to_value(value) {
            Ok(value) => self.json_value(name, &value),
            Err(error) => {
                self.error
                    .get_or_insert_with(|| format!("cannot serialize part `{name}`: {error}"));
            }
        }
    }

    fn json_value(&mut self, name: &str, value: &Value) {
        let (text, content_type) = match value {
            Value::Null => return,
            Value::String(s) => (s.clone(), None),
            Value::Bool(_) | Value::Number(_) => (value.to_string(), None),
            _ => (value.to_string(), Some("application/json")),
        };
        self.head(name, None, content_type);
        self.body.extend_from_slice(text.as_bytes());
        self.body.extend_from_slice(b"\r\n");
    }

    /// Adds a file part.
    pub fn file(&mut self, name: &str, file: &Binary) {
        let file_name = file.file_name.as_deref().unwrap_or(name);
        let content_type = file
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        self.head(name, Some(file_name), Some(content_type));
        self.body.extend_from_slice(&file.data);
        self.body.extend_from_slice(b"\r\n");
    }

    /// Adds one part per entry of a JSON object (for a body without a declared schema).
    pub fn entries(&mut self, value: &impl serde::Serialize) {
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => {
                for (name, inner) in &map {
                    self.json_value(name, inner);
                }
            }
            Ok(_) => {}
            Err(error) => {
                self.error
                    .get_or_insert_with(|| format!("cannot serialize the multipart body: {error}"));
            }
        }
    }

    /// The `Content-Type` header value and the encoded body, or why a part could not be made.
    pub(crate) fn finish(mut self) -> Result<(String, Bytes), String> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.body.extend_from_slice(b"--");
        self.body.extend_from_slice(self.boundary.as_bytes());
        self.body.extend_from_slice(b"--\r\n");
        Ok((
            format!("multipart/form-data; boundary={}", self.boundary),
            Bytes::from(self.body),
        ))
    }
}

/// A name in a `Content-Disposition` header, escaped as the HTML standard escapes form data.
fn escape(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A response body read as it arrives, chunk by chunk, ending in [`Error::BodyTooLarge`] once
/// it passes the client's cap.
pub struct ByteStream {
    pub(crate) inner:
        std::pin::Pin<Box<dyn futures_core::Stream<Item = Result<Bytes, Error>> + Send>>,
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByteStream")
    }
}

impl futures_core::Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_have_text_json_and_file_parts() {
        let mut form = Multipart::new();
        form.value("title", &"a \"quoted\" name");
        form.value("count", &3);
        form.value("meta", &serde_json::json!({"a": 1}));
        form.value("none", &serde_json::Value::Null);
        form.file(
            "upload",
            &Binary::new(&b"\x00\x01"[..])
                .file_name("x\"y.png")
                .content_type("image/png"),
        );
        let boundary = form.boundary.clone();
        let (content_type, body) = form.finish().unwrap();
        assert_eq!(
            content_type,
            format!("multipart/form-data; boundary={boundary}")
        );
        let expected = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\na \"quoted\" name\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n3\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{{\"a\":1}}\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"x%22y.png\"\r\nContent-Type: image/png\r\n\r\n\u{0}\u{1}\r\n\
             --{b}--\r\n",
            b = boundary
        );
        assert_eq!(String::from_utf8_lossy(&body), expected);
    }

    #[test]
    fn boundaries_differ_and_binary_debug_shows_no_bytes() {
        assert_ne!(Multipart::new().boundary, Multipart::new().boundary);
        let shown = format!("{:?}", Binary::from("secret bytes".to_owned()));
        assert!(!shown.contains("secret"), "{shown}");
    }
}
