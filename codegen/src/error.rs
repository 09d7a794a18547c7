//! Diagnostics: every problem names the spec file, a JSON pointer into it and what is wrong.

use std::fmt;

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec file as given in [`crate::Spec::path`].
    pub file: String,
    /// RFC 6901 JSON pointer to the offending value, e.g. `/paths/~1badges/get/responses/200`.
    /// Empty for the document root.
    pub pointer: String,
    /// Line and column (1-based) when the parser knows them.
    pub location: Option<(usize, usize)>,
    /// What is wrong, in lowercase words.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.location {
            write!(f, ":{line}:{column}")?;
        }
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, " at {pointer}: {}", self.message)
    }
}

/// Every problem found in one run, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<Diagnostic>);

impl Errors {
    /// The problems, in the order they were found (spec order).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.0
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(f, "{count} {noun} in the OpenAPI document")?;
        for diagnostic in &self.0 {
            write!(f, "\n  {diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// A JSON pointer under construction, with RFC 6901 escaping in one place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pointer(String);

impl Pointer {
    /// The document root.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Parses the fragment of a local `$ref` (`#/components/schemas/x`) into a pointer.
    pub fn from_fragment(fragment: &str) -> Self {
        Self(fragment.trim_start_matches('#').to_owned())
    }

    /// A new pointer one token deeper.
    pub fn join(&self, token: impl fmt::Display) -> Self {
        let token = token.to_string().replace('~', "~0").replace('/', "~1");
        Self(format!("{}/{token}", self.0))
    }

    /// The pointer text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Collects diagnostics for one spec file.
#[derive(Debug)]
pub(crate) struct Sink {
    file: String,
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    pub(crate) fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            diagnostics: Vec::new(),
        }
    }

    pub(crate) fn report(&mut self, pointer: &Pointer, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.clone(),
            pointer: pointer.as_str().to_owned(),
            location: None,
            message: message.into(),
        });
    }

    /// `Ok(value)` when nothing was reported, otherwise every diagnostic.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, Errors> {
        if self.diagnostics.is_empty() {
            Ok(value)
        } else {
            Err(Errors(self.diagnostics))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_slash_and_tilde() {
        let pointer = Pointer::root()
            .join("paths")
            .join("/badges/{id}")
            .join("a~b");
        assert_eq!(pointer.as_str(), "/paths/~1badges~1{id}/a~0b");
    }

    #[test]
    fn diagnostic_display_names_file_location_and_pointer() {
        let diagnostic = Diagnostic {
            file: "spec/x.yaml".into(),
            pointer: "/paths".into(),
            location: Some((3, 7)),
            message: "bad".into(),
        };
        assert_eq!(diagnostic.to_string(), "spec/x.yaml:3:7 at /paths: bad");
    }
}
