//! Loading: spec text → `openapiv3::OpenAPI`, with errors that name the file, pointer and line.

use crate::Spec;
use crate::error::{Diagnostic, Errors};

/// Parses the document. Syntax errors and shape errors (a field of the wrong type, a missing
/// required field) come back as one diagnostic naming where the parser stopped.
pub(crate) fn load(spec: Spec<'_>) -> Result<openapiv3::OpenAPI, Errors> {
    // Fast path: most documents parse, and tracking the path costs time on every value. Only a
    // document that fails is parsed again, with tracking, to say where it failed.
    if let Ok(document) = serde_yaml::from_str::<openapiv3::OpenAPI>(spec.text) {
        return check_version(spec, &document.openapi).map(|()| document);
    }
    let deserializer = serde_yaml::Deserializer::from_str(spec.text);
    match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(deserializer) {
        Ok(document) => check_version(spec, &document.openapi).map(|()| document),
        Err(error) => {
            // A 3.1 or 2.0 document usually fails to parse as 3.0; say so rather than
            // reporting the first field that happens not to fit.
            if let Some(version) = declared_version(spec.text) {
                check_version(spec, &version)?;
            }
            let mut pointer = pointer_from_path(error.path());
            if let Some(refined) = refine(spec.text, &pointer) {
                pointer = refined;
            }
            let inner = error.into_inner();
            let location = inner.location().map(|l| (l.line(), l.column()));
            Err(Errors(vec![Diagnostic {
                file: spec.path.to_owned(),
                pointer,
                location,
                message: format!(
                    "not a valid OpenAPI 3.0 document: {}",
                    strip_location(&inner)
                ),
            }]))
        }
    }
}

fn check_version(spec: Spec<'_>, version: &str) -> Result<(), Errors> {
    if version.starts_with("3.0.") {
        return Ok(());
    }
    Err(Errors(vec![Diagnostic {
        file: spec.path.to_owned(),
        pointer: "/openapi".to_owned(),
        location: None,
        message: format!("unsupported OpenAPI version `{version}`: this generator reads 3.0.x"),
    }]))
}

/// The `openapi` (or Swagger 2 `swagger`) version of a document that did not parse as 3.0.
fn declared_version(text: &str) -> Option<String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    let mapping = value.as_mapping()?;
    ["openapi", "swagger"]
        .iter()
        .find_map(|key| match mapping.get(*key)? {
            serde_yaml::Value::String(s) => Some(s.clone()),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

/// serde_yaml appends " at line X column Y" to messages; the diagnostic carries it separately.
fn strip_location(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(index) if error.location().is_some() => message[..index].to_owned(),
        _ => message,
    }
}

/// `openapiv3` flattens the maps under `paths` and `components`, which hides the position of
/// an error inside them. Re-parse each entry on its own to find which one fails, and where.
fn refine(text: &str, pointer: &str) -> Option<String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    let first_failure = |section: &serde_yaml::Value,
                         base: crate::error::Pointer,
                         check: &Checker|
     -> Option<String> {
        section.as_mapping()?.iter().find_map(|(key, entry)| {
            let key = key.as_str()?;
            let inner = check(entry.clone())?;
            Some(format!("{}{inner}", base.join(key).as_str()))
        })
    };
    type Checker = dyn Fn(serde_yaml::Value) -> Option<String>;
    fn check<T: serde::de::DeserializeOwned>(entry: serde_yaml::Value) -> Option<String> {
        // References are checked where they are resolved; here only inline entries matter.
        if entry.get("$ref").is_some() {
            return None;
        }
        match serde_path_to_error::deserialize::<_, T>(entry) {
            Ok(_) => None,
            Err(error) => Some(pointer_from_path(error.path())),
        }
    }
    let root = crate::error::Pointer::root();
    if pointer == "/paths" {
        return first_failure(
            value.get("paths")?,
            root.join("paths"),
            &check::<openapiv3::PathItem>,
        );
    }
    if pointer.starts_with("/components") {
        let components = value.get("components")?;
        let base = root.join("components");
        let sections: [(&str, &Checker); 5] = [
            ("schemas", &check::<openapiv3::Schema>),
            ("parameters", &check::<openapiv3::Parameter>),
            ("requestBodies", &check::<openapiv3::RequestBody>),
            ("responses", &check::<openapiv3::Response>),
            ("securitySchemes", &check::<openapiv3::SecurityScheme>),
        ];
        return sections.iter().find_map(|(name, checker)| {
            first_failure(components.get(*name)?, base.join(name), checker)
        });
    }
    None
}

fn pointer_from_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = crate::error::Pointer::root();
    for segment in path.iter() {
        pointer = match segment {
            Segment::Seq { index } => pointer.join(index),
            Segment::Map { key } => pointer.join(key),
            Segment::Enum { variant } => pointer.join(variant),
            Segment::Unknown => break,
        };
    }
    pointer.as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec<'_> {
        Spec {
            path: "t.yaml",
            text,
        }
    }

    #[test]
    fn rejects_openapi_31_with_a_clear_message() {
        let errors = load(spec(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
        ))
        .unwrap_err();
        assert_eq!(errors.0[0].pointer, "/openapi");
        assert!(errors.0[0].message.contains("3.1.0"), "{errors}");
    }

    #[test]
    fn rejects_swagger_2() {
        let errors = load(spec(
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
        ))
        .unwrap_err();
        assert!(errors.0[0].message.contains("`2.0`"), "{errors}");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let errors = load(spec("openapi: 3.0.3\ninfo: [\n")).unwrap_err();
        assert!(errors.0[0].location.is_some(), "{errors}");
    }

    #[test]
    fn shape_error_names_the_pointer() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n";
        let errors = load(spec(text)).unwrap_err();
        assert_eq!(errors.0[0].pointer, "/paths/~1a/get/responses", "{errors}");
    }
}
