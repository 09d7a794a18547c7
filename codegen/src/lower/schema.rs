//! Reading one schema object as JSON Schema means it, the same for OpenAPI 3.0 and 3.1: which
//! JSON types it admits (`type` as a string or a list, `nullable`, `null` in an `enum`, or
//! inferred from the keywords present when `type` is absent), and whether it only annotates
//! (description, examples) or only constrains (`required`, `minLength`) rather than shapes.

use crate::doc::Node;

/// A set of JSON types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Types(u8);

impl Types {
    pub(crate) const NULL: Types = Types(1);
    pub(crate) const BOOLEAN: Types = Types(2);
    pub(crate) const OBJECT: Types = Types(4);
    pub(crate) const ARRAY: Types = Types(8);
    pub(crate) const NUMBER: Types = Types(16);
    pub(crate) const INTEGER: Types = Types(32);
    pub(crate) const STRING: Types = Types(64);

    pub(crate) fn of_name(name: &str) -> Option<Types> {
        Some(match name {
            "null" => Types::NULL,
            "boolean" => Types::BOOLEAN,
            "object" => Types::OBJECT,
            "array" => Types::ARRAY,
            "number" => Types::NUMBER,
            "integer" => Types::INTEGER,
            "string" => Types::STRING,
            _ => return None,
        })
    }

    pub(crate) fn has(self, other: Types) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    pub(crate) fn with(self, other: Types) -> Types {
        Types(self.0 | other.0)
    }

    pub(crate) fn without(self, other: Types) -> Types {
        Types(self.0 & !other.0)
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The single type, if there is exactly one.
    pub(crate) fn single(self) -> Option<Types> {
        (self.0.count_ones() == 1).then_some(self)
    }

    /// The types, one by one, in a fixed order.
    pub(crate) fn each(self) -> impl Iterator<Item = Types> {
        [
            Types::STRING,
            Types::INTEGER,
            Types::NUMBER,
            Types::BOOLEAN,
            Types::OBJECT,
            Types::ARRAY,
            Types::NULL,
        ]
        .into_iter()
        .filter(move |t| self.has(*t))
    }

    /// The type of a JSON value.
    pub(crate) fn of_value(value: &Node) -> Types {
        match value {
            Node::Null => Types::NULL,
            Node::Bool(_) => Types::BOOLEAN,
            Node::Int(_) => Types::INTEGER,
            Node::Float(f) if f.fract() == 0.0 && f.is_finite() => Types::INTEGER,
            Node::Float(_) => Types::NUMBER,
            Node::Str(_) => Types::STRING,
            Node::Seq(_) => Types::ARRAY,
            Node::Map(_) => Types::OBJECT,
        }
    }
}

/// The `type` keyword as written, if it names known types (a string or a list of strings).
pub(crate) fn declared_types(node: &Node) -> Option<Types> {
    match node.get("type")? {
        Node::Str(name) => Types::of_name(name),
        Node::Seq(names) => Some(
            names
                .iter()
                .filter_map(|n| n.as_str().and_then(Types::of_name))
                .fold(Types::default(), Types::with),
        ),
        _ => None,
    }
}

/// The types the keywords present imply when `type` is absent.
pub(crate) fn inferred_types(node: &Node) -> Types {
    let mut types = Types::default();
    let any = |keys: &[&str]| keys.iter().any(|k| node.get(k).is_some());
    if any(&[
        "properties",
        "additionalProperties",
        "patternProperties",
        "required",
        "minProperties",
        "maxProperties",
        "propertyNames",
    ]) {
        types = types.with(Types::OBJECT);
    }
    if any(&[
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
    ]) {
        types = types.with(Types::ARRAY);
    }
    if any(&["minLength", "maxLength", "pattern"]) {
        types = types.with(Types::STRING);
    }
    if any(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        types = types.with(Types::NUMBER);
    }
    if let Some(format) = node.str_field("format") {
        types = types.with(match format {
            "int32" | "int64" | "int8" | "int16" | "uint8" | "uint16" | "uint32" | "uint64"
            | "integer" => Types::INTEGER,
            "float" | "double" | "decimal" | "number" => Types::NUMBER,
            _ => Types::STRING,
        });
    }
    let values = node
        .items("enum")
        .iter()
        .chain(node.get("const"))
        .filter(|v| !matches!(v, Node::Null));
    for value in values {
        types = types.with(Types::of_value(value));
    }
    types
}

/// Whether the schema admits `null`: 3.0's `nullable: true`, `null` among 3.1's types, or
/// `null` as an enum value or the const.
pub(crate) fn admits_null(node: &Node) -> bool {
    node.flag("nullable")
        || declared_types(node).is_some_and(|t| t.has(Types::NULL))
        || node.items("enum").iter().any(|v| matches!(v, Node::Null))
        || matches!(node.get("const"), Some(Node::Null))
}

/// Keywords that describe a value without constraining its shape.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "summary",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
    "externalDocs",
    "xml",
    "$comment",
    "$schema",
    "$id",
    "$anchor",
    "discriminator",
    "format",
    "contentMediaType",
    "contentEncoding",
];

/// Keywords that constrain values of a shape without making one.
const CONSTRAINTS: &[&str] = &[
    "required",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Whether a keyword only annotates.
pub(crate) fn is_annotation_key(key: &str) -> bool {
    key.starts_with("x-") || ANNOTATIONS.contains(&key)
}

/// Whether the schema only annotates: no keyword says anything about shape or values.
pub(crate) fn is_annotation_only(node: &Node) -> bool {
    match node {
        Node::Map(entries) => entries
            .iter()
            .all(|(k, _)| k.starts_with("x-") || ANNOTATIONS.contains(&&**k)),
        Node::Bool(true) => true,
        _ => false,
    }
}

/// Whether the schema constrains without shaping (`{required: [a]}`, `{minLength: 1}`): as a
/// `oneOf` member it tells values apart for a validator, not types for a client.
pub(crate) fn is_constraint_only(node: &Node) -> bool {
    match node {
        Node::Map(entries) => {
            !entries.is_empty()
                && entries.iter().all(|(k, _)| {
                    k.starts_with("x-")
                        || ANNOTATIONS.contains(&&**k)
                        || CONSTRAINTS.contains(&&**k)
                })
                && entries.iter().any(|(k, _)| CONSTRAINTS.contains(&&**k))
                && node.str_field("format").is_none()
        }
        _ => false,
    }
}

/// Keywords of 3.1 (JSON Schema 2020-12) that a client cannot act on; they are ignored with a
/// warning.
pub(crate) const IGNORED_KEYWORDS: &[&str] = &[
    "if",
    "then",
    "else",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "patternProperties",
    "propertyNames",
    "contains",
    "not",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn node(yaml: &str) -> Node {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn types_come_from_3_0_and_3_1_spellings() {
        assert_eq!(declared_types(&node("type: string")), Some(Types::STRING));
        let both = declared_types(&node("type: [string, 'null']")).unwrap();
        assert!(both.has(Types::STRING) && both.has(Types::NULL));
        assert!(admits_null(&node("type: string\nnullable: true")));
        assert!(admits_null(&node("type: [integer, 'null']")));
        assert!(admits_null(&node("enum: [a, null]")));
        assert!(!admits_null(&node("type: string")));
    }

    #[test]
    fn types_are_inferred_from_keywords_when_type_is_absent() {
        assert_eq!(inferred_types(&node("properties: {a: {}}")), Types::OBJECT);
        assert_eq!(inferred_types(&node("items: {}")), Types::ARRAY);
        assert_eq!(inferred_types(&node("enum: [1, 2]")), Types::INTEGER);
        assert_eq!(inferred_types(&node("const: x")), Types::STRING);
        assert_eq!(inferred_types(&node("format: int64")), Types::INTEGER);
        assert_eq!(inferred_types(&node("description: x")), Types::default());
    }

    #[test]
    fn annotations_and_constraints_are_told_from_shapes() {
        assert!(is_annotation_only(&node(
            "description: x\nexample: 3\nx-a: 1"
        )));
        assert!(!is_annotation_only(&node("description: x\ntype: string")));
        assert!(is_constraint_only(&node("required: [a]")));
        assert!(!is_constraint_only(&node(
            "required: [a]\nproperties: {a: {}}"
        )));
        assert!(!is_constraint_only(&node("description: only")));
    }
}
