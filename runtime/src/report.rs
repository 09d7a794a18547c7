//! Where the server and the API description disagree: an opt-in report of response properties
//! the schema does not declare and enum values it does not list, collected per operation and
//! schema so that maintainers learn what to fix in the description.
//!
//! Generated crates describe each response type as a static [`Shape`]; when the report is on,
//! each JSON response is also read as a value tree and walked against its shape. When it is off
//! (the default) nothing but one `Option` check is added to decoding.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::Value;

/// How many distinct findings a client keeps; later ones are counted but not stored, so a
/// hostile server cannot grow the report without bound.
const MAX_FINDINGS: usize = 1000;

/// What the API description says a JSON value looks like, as far as the report needs to know.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Anything: not checked (scalars, free-form values).
    Any,
    /// An object with declared properties.
    Object(&'static ObjectShape),
    /// A string enum.
    Enum(&'static EnumShape),
    /// An array of values of one shape.
    Array(&'static Shape),
    /// An object whose every value has one shape.
    Map(&'static Shape),
    /// One of several shapes, told apart by their fit.
    OneOf(&'static [Shape]),
    /// One of several shapes, told apart by the value of a tag property.
    Tagged(&'static TaggedShape),
}

/// An object type of the description.
///
/// Property names are one string, each name followed by a NUL (`"id\0name\0"`), so the many
/// statics of a large API stay small in source and in the binary; `nested` gives the shape of
/// the properties that are not [`Shape::Any`], by their position among the names.
#[derive(Debug)]
pub struct ObjectShape {
    /// The schema's name in the description (or the pointer of an inline schema).
    pub schema: &'static str,
    /// Declared properties, by wire name, each followed by a NUL.
    pub names: &'static str,
    /// The shapes of declared properties that are checked further, by position in `names`.
    pub nested: &'static [(usize, Shape)],
    /// The shape of undeclared properties, when the description allows them.
    pub additional: Option<&'static Shape>,
}

impl ObjectShape {
    /// The shape of a declared property, or `None` when the description does not declare it.
    pub fn property(&self, name: &str) -> Option<Shape> {
        let position = self.names.split_terminator('\0').position(|n| n == name)?;
        Some(
            self.nested
                .iter()
                .find(|(at, _)| *at == position)
                .map_or(Shape::Any, |(_, shape)| *shape),
        )
    }
}

/// A string enum of the description.
#[derive(Debug)]
pub struct EnumShape {
    /// The schema's name in the description (or the pointer of an inline schema).
    pub schema: &'static str,
    /// The listed values, each followed by a NUL.
    pub values: &'static str,
}

impl EnumShape {
    /// Whether the description lists `value`.
    pub fn lists(&self, value: &str) -> bool {
        self.values.split_terminator('\0').any(|v| v == value)
    }
}

/// A union told apart by a tag property.
#[derive(Debug)]
pub struct TaggedShape {
    /// The tag property.
    pub tag: &'static str,
    /// Tag value → shape of the whole object.
    pub variants: &'static [(&'static str, Shape)],
}

/// What kind of disagreement was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MismatchKind {
    /// The response has a property the schema does not declare.
    UnknownProperty(String),
    /// The response has an enum value the schema does not list.
    UnknownEnumValue(String),
}

/// One disagreement between responses and the description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecMismatch {
    /// The operation whose response showed it.
    pub operation: &'static str,
    /// The schema the value was decoded as.
    pub schema: &'static str,
    /// What was found.
    pub kind: MismatchKind,
    /// A JSON pointer into the first response body that showed it, e.g. `/items/0/nickname`.
    pub pointer: String,
    /// How many times it was seen.
    pub count: u64,
}

/// The findings of one client, shared by its clones.
#[derive(Debug, Default)]
pub(crate) struct Report {
    findings: Mutex<Findings>,
}

#[derive(Debug, Default)]
struct Findings {
    by_key: BTreeMap<(&'static str, &'static str, MismatchKind), SpecMismatch>,
    dropped: u64,
}

impl Report {
    /// Walks `body` against `shape` and records what the description does not say.
    pub(crate) fn check(&self, operation: &'static str, shape: &Shape, body: &[u8]) {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let mut found = Vec::new();
        walk(shape, &value, &mut String::new(), &mut found);
        if found.is_empty() {
            return;
        }
        let Ok(mut findings) = self.findings.lock() else {
            return;
        };
        for (schema, kind, pointer) in found {
            let key = (operation, schema, kind);
            if let Some(existing) = findings.by_key.get_mut(&key) {
                existing.count += 1;
                continue;
            }
            if findings.by_key.len() >= MAX_FINDINGS {
                findings.dropped += 1;
                continue;
            }
            let (what, name) = match &key.2 {
                MismatchKind::UnknownProperty(name) => ("property", name.as_str()),
                MismatchKind::UnknownEnumValue(value) => ("enum value", value.as_str()),
            };
            tracing::warn!(
                operation,
                schema,
                pointer = pointer.as_str(),
                kind = what,
                name = name,
                "the response has a {what} the API description does not list"
            );
            let mismatch = SpecMismatch {
                operation,
                schema,
                kind: key.2.clone(),
                pointer,
                count: 1,
            };
            findings.by_key.insert(key, mismatch);
        }
    }

    /// Every finding so far, in a stable order (operation, schema, kind).
    pub(crate) fn snapshot(&self) -> Vec<SpecMismatch> {
        match self.findings.lock() {
            Ok(findings) => findings.by_key.values().cloned().collect(),
            Err(_) => Vec::new(),
        }
    }
}

type Found = Vec<(&'static str, MismatchKind, String)>;

/// Collects the disagreements of `value` with `shape`; `pointer` is where `value` sits.
fn walk(shape: &Shape, value: &Value, pointer: &mut String, found: &mut Found) {
    match (shape, value) {
        (Shape::Object(object), Value::Object(map)) => {
            for (name, inner) in map {
                let declared = object.property(name);
                let length = pointer.len();
                push_token(pointer, name);
                match (declared, object.additional) {
                    (Some(shape), _) => walk(&shape, inner, pointer, found),
                    (None, Some(shape)) => walk(shape, inner, pointer, found),
                    (None, None) => found.push((
                        object.schema,
                        MismatchKind::UnknownProperty(name.clone()),
                        pointer.clone(),
                    )),
                }
                pointer.truncate(length);
            }
        }
        (Shape::Enum(enumeration), Value::String(text)) if !enumeration.lists(text) => {
            found.push((
                enumeration.schema,
                MismatchKind::UnknownEnumValue(text.clone()),
                pointer.clone(),
            ));
        }
        (Shape::Array(item), Value::Array(items)) => {
            for (index, inner) in items.iter().enumerate() {
                let length = pointer.len();
                push_token(pointer, &index.to_string());
                walk(item, inner, pointer, found);
                pointer.truncate(length);
            }
        }
        (Shape::Map(item), Value::Object(map)) => {
            for (name, inner) in map {
                let length = pointer.len();
                push_token(pointer, name);
                walk(item, inner, pointer, found);
                pointer.truncate(length);
            }
        }
        (Shape::OneOf(shapes), _) => {
            // The member that explains the value best is taken to be the one it is.
            let best = shapes
                .iter()
                .map(|shape| {
                    let mut own = Vec::new();
                    walk(shape, value, pointer, &mut own);
                    own
                })
                .min_by_key(Vec::len);
            found.extend(best.unwrap_or_default());
        }
        (Shape::Tagged(tagged), Value::Object(map)) => {
            let tag = map.get(tagged.tag).and_then(Value::as_str);
            if let Some((_, shape)) = tagged.variants.iter().find(|(v, _)| Some(*v) == tag) {
                walk(shape, value, pointer, found);
            }
        }
        _ => {}
    }
}

/// Appends one RFC 6901 reference token.
fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            _ => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static STATUS: EnumShape = EnumShape {
        schema: "status",
        values: "active\0archived\0",
    };
    static TAG: ObjectShape = ObjectShape {
        schema: "tag",
        names: "name\0",
        nested: &[],
        additional: None,
    };
    static USER: ObjectShape = ObjectShape {
        schema: "user",
        names: "id\0status\0tags\0labels\0",
        nested: &[
            (1, Shape::Enum(&STATUS)),
            (2, Shape::Array(&Shape::Object(&TAG))),
            (3, Shape::Map(&Shape::Any)),
        ],
        additional: None,
    };
    static PAGE: ObjectShape = ObjectShape {
        schema: "usersResponse",
        names: "items\0",
        nested: &[(0, Shape::Array(&Shape::Object(&USER)))],
        additional: None,
    };

    #[test]
    fn unknown_properties_and_enum_values_are_found_with_their_pointers() {
        let report = Report::default();
        let body = br#"{"items":[
            {"id":"u1","status":"active","tags":[{"name":"a","colour":"red"}],"labels":{"x":1}},
            {"id":"u2","status":"suspended","nickname":"b/c","tags":[]}
        ],"totalCount":2}"#;
        report.check("getUsers", &Shape::Object(&PAGE), body);
        report.check("getUsers", &Shape::Object(&PAGE), body);
        let found = report.snapshot();
        let summary: Vec<(&str, &MismatchKind, &str, u64)> = found
            .iter()
            .map(|f| (f.schema, &f.kind, f.pointer.as_str(), f.count))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "status",
                    &MismatchKind::UnknownEnumValue("suspended".into()),
                    "/items/1/status",
                    2
                ),
                (
                    "tag",
                    &MismatchKind::UnknownProperty("colour".into()),
                    "/items/0/tags/0/colour",
                    2
                ),
                (
                    "user",
                    &MismatchKind::UnknownProperty("nickname".into()),
                    "/items/1/nickname",
                    2
                ),
                (
                    "usersResponse",
                    &MismatchKind::UnknownProperty("totalCount".into()),
                    "/totalCount",
                    2
                ),
            ]
        );
        assert!(found.iter().all(|f| f.operation == "getUsers"));
    }

    #[test]
    fn unions_are_checked_against_the_member_that_fits_best() {
        static A: ObjectShape = ObjectShape {
            schema: "a",
            names: "kind\0x\0",
            nested: &[],
            additional: None,
        };
        static B: ObjectShape = ObjectShape {
            schema: "b",
            names: "kind\0y\0",
            nested: &[],
            additional: None,
        };
        static UNTAGGED: [Shape; 2] = [Shape::Object(&A), Shape::Object(&B)];
        let report = Report::default();
        report.check(
            "op",
            &Shape::OneOf(&UNTAGGED),
            br#"{"kind":"b","y":1,"z":2}"#,
        );
        let found = report.snapshot();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].schema, found[0].pointer.as_str()), ("b", "/z"));

        static TAGGED: TaggedShape = TaggedShape {
            tag: "kind",
            variants: &[("a", Shape::Object(&A)), ("b", Shape::Object(&B))],
        };
        let report = Report::default();
        report.check("op", &Shape::Tagged(&TAGGED), br#"{"kind":"a","y":1}"#);
        let found = report.snapshot();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].schema, found[0].pointer.as_str()), ("a", "/y"));
    }

    #[test]
    fn the_report_is_bounded_and_ignores_what_is_not_json() {
        let report = Report::default();
        for n in 0..(MAX_FINDINGS + 50) {
            let body = format!(r#"{{"items":[],"extra{n}":1}}"#);
            report.check("op", &Shape::Object(&PAGE), body.as_bytes());
        }
        report.check("op", &Shape::Object(&PAGE), b"not json");
        assert_eq!(report.snapshot().len(), MAX_FINDINGS);
        assert_eq!(report.findings.lock().unwrap().dropped, 50);
    }
}
