//! Diagnostics: every problem names the spec file, a JSON pointer into it (and its line where it
//! can be found) and what is wrong. Errors stop generation; warnings never do.

use std::fmt;

/// Whether a diagnostic stops generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The document cannot be generated as it is.
    Error,
    /// Generation goes on; the output is still correct, but the document could say more (a
    /// positional name that a `title` would improve, a keyword that means nothing to a client).
    Warning,
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops generation.
    pub severity: Severity,
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

impl Diagnostic {
    /// An error at `pointer`.
    pub fn error(file: &str, pointer: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.to_owned(),
            pointer: pointer.to_owned(),
            location: None,
            message: message.into(),
        }
    }

    /// A warning at `pointer`.
    pub fn warning(file: &str, pointer: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, pointer, message)
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
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
    /// The problems, in the order they were found (spec order): errors, then any warnings.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.0
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self
            .0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
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

    /// A pointer from its text (`/components/schemas/x`), as found after the `#` of a local
    /// `$ref`.
    pub fn from_text(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// A new pointer one token deeper.
    pub fn join(&self, token: impl fmt::Display) -> Self {
        /// Writes a token escaped as RFC 6901 says (`~` → `~0`, `/` → `~1`).
        struct Escaped<'a>(&'a mut String);
        impl fmt::Write for Escaped<'_> {
            fn write_str(&mut self, text: &str) -> fmt::Result {
                for c in text.chars() {
                    match c {
                        '~' => self.0.push_str("~0"),
                        '/' => self.0.push_str("~1"),
                        c => self.0.push(c),
                    }
                }
                Ok(())
            }
        }
        // One allocation: lowering joins a pointer for every schema, property and parameter.
        let mut pointer = String::with_capacity(self.0.len() + 24);
        pointer.push_str(&self.0);
        pointer.push('/');
        let _ = fmt::Write::write_fmt(&mut Escaped(&mut pointer), format_args!("{token}"));
        Self(pointer)
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

/// Collects diagnostics for one spec file. A problem reported twice at the same place (a shared
/// component met through several uses) is kept once.
#[derive(Debug)]
pub(crate) struct Sink {
    file: String,
    diagnostics: Vec<Diagnostic>,
    seen: std::collections::HashSet<(Severity, String, String)>,
}

impl Sink {
    pub(crate) fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            diagnostics: Vec::new(),
            seen: std::collections::HashSet::new(),
        }
    }

    fn push(&mut self, severity: Severity, pointer: &Pointer, message: String) {
        let key = (severity, pointer.as_str().to_owned(), message);
        if self.seen.insert(key.clone()) {
            self.diagnostics.push(Diagnostic {
                severity,
                file: self.file.clone(),
                pointer: key.1,
                location: None,
                message: key.2,
            });
        }
    }

    /// Reports an error: generation stops after lowering.
    pub(crate) fn report(&mut self, pointer: &Pointer, message: impl Into<String>) {
        self.push(Severity::Error, pointer, message.into());
    }

    /// Reports a warning: generation goes on.
    pub(crate) fn warn(&mut self, pointer: &Pointer, message: impl Into<String>) {
        self.push(Severity::Warning, pointer, message.into());
    }

    /// `Ok((value, warnings))` when no error was reported, otherwise every error (the warnings
    /// too, after them).
    pub(crate) fn finish<T>(self, value: T) -> Result<(T, Vec<Diagnostic>), Errors> {
        let (mut errors, warnings): (Vec<_>, Vec<_>) = self
            .diagnostics
            .into_iter()
            .partition(|d| d.severity == Severity::Error);
        if errors.is_empty() {
            Ok((value, warnings))
        } else {
            errors.extend(warnings);
            Err(Errors(errors))
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
            location: Some((3, 7)),
            ..Diagnostic::error("spec/x.yaml", "/paths", "bad")
        };
        assert_eq!(diagnostic.to_string(), "spec/x.yaml:3:7 at /paths: bad");
        let warning = Diagnostic::warning("spec/x.yaml", "/a", "hm");
        assert_eq!(warning.to_string(), "warning: spec/x.yaml at /a: hm");
    }
}
