//! Shared helpers for the workspace-level tests: the spec as JSON, a strict walk of sample values
//! through their schemas, and the spec's examples beside the pages' verbatim samples.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

pub mod mock;

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The spec path relative to the repository root.
pub const SPEC_PATH: &str = "spec/gtmhub.yaml";

/// The spec document as a JSON value, for walking it without a typed model.
#[derive(Debug, Clone)]
pub struct SpecDoc {
    /// The whole document.
    pub root: Value,
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct OperationRef<'a> {
    /// The path template, e.g. `/badges/{id}`.
    pub path: &'a str,
    /// The lower-case method, e.g. `get`.
    pub method: &'a str,
    /// The operation object.
    pub operation: &'a Value,
}

impl<'a> OperationRef<'a> {
    /// The operationId.
    pub fn id(&self) -> &'a str {
        self.operation["operationId"].as_str().unwrap_or_default()
    }

    /// JSON pointer to the operation object.
    pub fn pointer(&self) -> String {
        format!("#/paths/{}/{}", escape(self.path), self.method)
    }
}

/// RFC 6901 escaping of one pointer token.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl SpecDoc {
    /// Reads and parses `spec/gtmhub.yaml`.
    pub fn load() -> Self {
        let text = std::fs::read_to_string(repo_root().join(SPEC_PATH)).expect("read the spec");
        Self::parse(&text)
    }

    /// Parses spec text (YAML or JSON).
    pub fn parse(text: &str) -> Self {
        let root: Value = serde_yaml::from_str(text).expect("the spec is valid YAML");
        Self { root }
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> Vec<OperationRef<'_>> {
        let mut out = Vec::new();
        let Some(paths) = self.root["paths"].as_object() else {
            return out;
        };
        for (path, item) in paths {
            for method in METHODS {
                if let Some(operation) = item.get(*method) {
                    out.push(OperationRef {
                        path,
                        method,
                        operation,
                    });
                }
            }
        }
        out
    }

    /// The operation with this operationId.
    pub fn operation(&self, id: &str) -> OperationRef<'_> {
        self.operations()
            .into_iter()
            .find(|op| op.id() == id)
            .unwrap_or_else(|| panic!("no operation {id}"))
    }

    /// The value at a local reference (`#/components/schemas/x`), if it exists.
    pub fn lookup(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// Follows `$ref`s until a value that is not a reference.
    pub fn resolve<'v>(&'v self, mut value: &'v Value) -> &'v Value {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => match self.lookup(reference) {
                    Some(target) => value = target,
                    None => return value,
                },
                None => return value,
            }
        }
        value
    }
}

/// What a walk of a value through its schema found wrong at one position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A property the schema (with its `allOf` members) does not declare.
    Undeclared(String),
    /// A value of the wrong JSON type.
    WrongType {
        /// The schema's `type`.
        expected: String,
        /// The value as JSON.
        found: String,
    },
}

/// A problem and where it is, as `base` + JSON pointer into the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The position.
    pub pointer: String,
    /// What is wrong.
    pub problem: Problem,
}

/// Walks `value` through `schema` strictly: every property must be declared (through `$ref`
/// and `allOf` too) unless the schema allows additional properties, and every value must have
/// the schema's type. Records every (schema `$ref`, property) pair it visits in `visited`.
pub fn check_value(
    spec: &SpecDoc,
    schema: &Value,
    value: &Value,
    pointer: &str,
    visited: &mut BTreeSet<(String, String)>,
    out: &mut Vec<Mismatch>,
) {
    let (schema, owner) = resolve_named(spec, schema);
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return check_value(spec, only, value, pointer, visited, out);
    }
    let properties = merged_properties(spec, schema);
    let expected = schema
        .get("type")
        .and_then(Value::as_str)
        .or(if properties.is_empty() {
            None
        } else {
            Some("object")
        });
    let Some(expected) = expected else { return };
    let type_ok = match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        "boolean" => value.is_boolean(),
        _ => true,
    };
    if !type_ok {
        out.push(Mismatch {
            pointer: pointer.to_owned(),
            problem: Problem::WrongType {
                expected: expected.to_owned(),
                found: value.to_string(),
            },
        });
        return;
    }
    match value {
        Value::Object(object) => {
            let additional = schema.get("additionalProperties");
            for (key, child) in object {
                let child_pointer = format!("{pointer}/{}", escape(key));
                match properties.iter().find(|(name, _)| name == key) {
                    Some((_, property_schema)) => {
                        if let Some(owner) = &owner {
                            visited.insert((owner.clone(), key.clone()));
                        }
                        check_value(spec, property_schema, child, &child_pointer, visited, out);
                    }
                    None => match additional {
                        Some(Value::Bool(true)) => {}
                        Some(extra @ Value::Object(_)) => {
                            check_value(spec, extra, child, &child_pointer, visited, out)
                        }
                        _ => out.push(Mismatch {
                            pointer: child_pointer,
                            problem: Problem::Undeclared(key.clone()),
                        }),
                    },
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    check_value(
                        spec,
                        item_schema,
                        item,
                        &format!("{pointer}/{index}"),
                        visited,
                        out,
                    );
                }
            }
        }
        _ => {}
    }
}

/// The schema behind `$ref`s (and single-member `allOf` wrappers), with the component `$ref` it
/// came from.
fn resolve_named<'v>(spec: &'v SpecDoc, mut schema: &'v Value) -> (&'v Value, Option<String>) {
    let mut owner = None;
    for _ in 0..32 {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            owner = Some(reference.to_owned());
            match spec.lookup(reference) {
                Some(target) => schema = target,
                None => break,
            }
        } else {
            break;
        }
    }
    (schema, owner)
}

/// Properties of a schema together with those of its `allOf` members.
fn merged_properties<'v>(spec: &'v SpecDoc, schema: &'v Value) -> Vec<(String, &'v Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        out.extend(properties.iter().map(|(k, v)| (k.clone(), v)));
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        for member in members {
            let (member, _) = resolve_named(spec, member);
            out.extend(merged_properties(spec, member));
        }
    }
    out
}

/// Every `(component $ref, property)` pair the spec's component schemas declare.
pub fn declared_properties(spec: &SpecDoc) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    if let Some(schemas) = spec.root["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let reference = format!("#/components/schemas/{}", escape(name));
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for key in properties.keys() {
                    out.insert((reference.clone(), key.clone()));
                }
            }
        }
    }
    out
}

/// Where a page prints a placeholder string in place of an object or list, and the string: the
/// `x-page-placeholders` of a media type object, as (JSON pointer into the example, string).
pub fn page_placeholders(media: &Value) -> Vec<(String, String)> {
    media
        .get("x-page-placeholders")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(pointer, text)| {
            (
                pointer.clone(),
                text.as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The page's verbatim sample: the spec's example with each placeholder string put back where
/// `x-page-placeholders` says the page prints it.
pub fn verbatim_sample(media: &Value) -> Option<Value> {
    let mut sample = media.get("example")?.clone();
    for (pointer, text) in page_placeholders(media) {
        let slot = sample.pointer_mut(&pointer).unwrap_or_else(|| {
            panic!("x-page-placeholders names {pointer}, which the example lacks")
        });
        *slot = Value::String(text);
    }
    Some(sample)
}

/// The `application/json` media type object of an operation's request body or first success
/// response (`direction` is `request` or `response`).
pub fn media_object<'a>(
    spec: &'a SpecDoc,
    operation: &OperationRef<'a>,
    direction: &str,
) -> Option<&'a Value> {
    match direction {
        "request" => spec
            .resolve(operation.operation.get("requestBody")?)
            .pointer("/content/application~1json"),
        _ => operation.operation["responses"]
            .as_object()?
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .find_map(|(_, response)| spec.resolve(response).pointer("/content/application~1json"))
            .filter(|media| media.get("schema").is_some()),
    }
}

/// The JSON schema of an operation's first success response (`application/json`).
pub fn success_schema<'a>(
    spec: &'a SpecDoc,
    operation: &OperationRef<'a>,
) -> Option<(&'a str, &'a Value)> {
    let responses = operation.operation["responses"].as_object()?;
    responses.iter().find_map(|(status, response)| {
        let success = status.starts_with('2');
        let response = spec.resolve(response);
        let schema = response.pointer("/content/application~1json/schema")?;
        success.then_some((status.as_str(), schema))
    })
}

/// The schema of an operation's JSON request body.
pub fn request_schema<'a>(spec: &'a SpecDoc, operation: &OperationRef<'a>) -> Option<&'a Value> {
    let body = spec.resolve(operation.operation.get("requestBody")?);
    body.pointer("/content/application~1json/schema")
}

/// A page sample from `tests/fixtures/pages/<operationId>.<direction>.json`, as written.
pub fn page_sample(operation_id: &str, direction: &str) -> Option<Value> {
    let path = repo_root()
        .join("tests/fixtures/pages")
        .join(format!("{operation_id}.{direction}.json"));
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).expect("fixtures are valid JSON"))
}

/// The spec's example of an operation's success response: the page's sample with its
/// placeholders expanded, a valid instance of the schema, ready to serve or decode.
pub fn response_example(operation_id: &str) -> Value {
    let spec = SpecDoc::load();
    let operation = spec.operation(operation_id);
    media_object(&spec, &operation, "response")
        .and_then(|media| media.get("example"))
        .cloned()
        .expect("the operation has a JSON success response with an example")
}

/// The spec's example of an operation's JSON request body.
pub fn request_example(operation_id: &str) -> Value {
    let spec = SpecDoc::load();
    let operation = spec.operation(operation_id);
    media_object(&spec, &operation, "request")
        .and_then(|media| media.get("example"))
        .cloned()
        .expect("the operation has a JSON request body with an example")
}

/// Compares two JSON values, treating numbers as equal when their values are equal (a sample's
/// `2` and a re-serialized `2.0` are the same number). Returns the first differing pointer.
pub fn json_difference(left: &Value, right: &Value, pointer: &str) -> Option<String> {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => {
            (a.as_f64() != b.as_f64()).then(|| pointer.to_owned())
        }
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|key| {
                let child = format!("{pointer}/{}", escape(key));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => json_difference(x, y, &child),
                    _ => Some(child),
                }
            })
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(pointer.to_owned());
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| json_difference(x, y, &format!("{pointer}/{i}")))
        }
        _ => (left != right).then(|| pointer.to_owned()),
    }
}
