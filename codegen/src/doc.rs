//! The document as a compact value tree, in document order, read the same way from JSON and
//! YAML, 3.0 and 3.1: lowering reads OpenAPI and JSON Schema keywords from it and nothing
//! fails to parse for being unexpected, so a document is judged by what it means, not by a
//! strict model of one version.
//!
//! Maps keep their entries in order as a boxed slice (no hashing, one allocation); the few large
//! ones (`paths`, `components/schemas`) are indexed on demand by [`Index`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One value of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    Str(Box<str>),
    Seq(Box<[Node]>),
    Map(Box<[(Box<str>, Node)]>),
}

impl Node {
    /// The value of `key` in a map (the last one, if a key repeats).
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| &**k == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Node::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub(crate) fn as_map(&self) -> Option<&[(Box<str>, Node)]> {
        match self {
            Node::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub(crate) fn is_map(&self) -> bool {
        matches!(self, Node::Map(_))
    }

    /// A string field of a map.
    pub(crate) fn str_field(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// A boolean field of a map (`false` when absent or not a boolean).
    pub(crate) fn flag(&self, key: &str) -> bool {
        self.get(key).and_then(Node::as_bool).unwrap_or(false)
    }

    /// The entries of a map field, or none.
    pub(crate) fn entries(&self, key: &str) -> &[(Box<str>, Node)] {
        self.get(key).and_then(Node::as_map).unwrap_or(&[])
    }

    /// The items of a list field, or none.
    pub(crate) fn items(&self, key: &str) -> &[Node] {
        self.get(key).and_then(Node::as_seq).unwrap_or(&[])
    }

    /// What kind of value this is, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "an object",
        }
    }

    /// The value as JSON, for examples and enum values in generated docs and code.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Str(s) => Value::String(s.to_string()),
            Node::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

/// Parses the document tree from any serde format (JSON and YAML here).
impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v.into_boxed_str()))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items.into_boxed_slice()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(Key(key)) = map.next_key()? {
            let value: Node = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries.into_boxed_slice()))
    }
}

/// A map key: YAML allows numbers and booleans as keys (`200:` for a status), kept as text.
struct Key(Box<str>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.into()))
            }
            fn visit_string<E>(self, v: String) -> Result<Key, E> {
                Ok(Key(v.into_boxed_str()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("null".into()))
            }
            fn visit_none<E>(self) -> Result<Key, E> {
                Ok(Key("null".into()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
                Err(de::Error::custom("a list cannot be a map key"))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
                Err(de::Error::custom("a map cannot be a map key"))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// Resolves JSON pointers in the document, indexing large maps the first time they are walked
/// so that a document with thousands of `$ref`s to thousands of schemas stays linear.
pub(crate) struct Index<'a> {
    root: &'a Node,
    maps: RefCell<HashMap<*const Entry, HashMap<&'a str, usize>>>,
}

/// One entry of a map node.
type Entry = (Box<str>, Node);

/// Maps with more entries than this are looked up through a hash index.
const INDEXED_MAP: usize = 24;

impl<'a> Index<'a> {
    pub(crate) fn new(root: &'a Node) -> Self {
        Self {
            root,
            maps: RefCell::new(HashMap::new()),
        }
    }

    pub(crate) fn root(&self) -> &'a Node {
        self.root
    }

    /// The value of `key` in the map `node` (the last one, if a key repeats).
    pub(crate) fn get(&self, node: &'a Node, key: &str) -> Option<&'a Node> {
        let Node::Map(entries) = node else {
            return None;
        };
        if entries.len() <= INDEXED_MAP {
            return node.get(key);
        }
        let mut maps = self.maps.borrow_mut();
        let index = maps.entry(entries.as_ptr()).or_insert_with(|| {
            entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (&**k, i))
                .collect()
        });
        index.get(key).map(|&i| &entries[i].1)
    }

    /// The value at an RFC 6901 pointer (`/components/schemas/a~1b`), if there is one.
    pub(crate) fn pointer(&self, pointer: &str) -> Option<&'a Node> {
        if pointer.is_empty() {
            return Some(self.root);
        }
        let mut node = self.root;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = unescape(token);
            node = match node {
                Node::Map(_) => self.get(node, &token)?,
                Node::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

/// Decodes one RFC 6901 reference token.
pub(crate) fn unescape(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains('~') {
        std::borrow::Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

/// Decodes the percent-escapes of a URI fragment (`#/paths/~1a%7Bid%7D`).
pub(crate) fn percent_decode(fragment: &str) -> std::borrow::Cow<'_, str> {
    if !fragment.contains('%') {
        return std::borrow::Cow::Borrowed(fragment);
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (
                (bytes[i + 1] as char).to_digit(16),
                (bytes[i + 2] as char).to_digit(16),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_read_into_the_same_tree() {
        let json: Node =
            serde_json::from_str(r#"{"a": [1, 2.5, "x", null, true], "200": {}}"#).unwrap();
        let yaml: Node = serde_yaml::from_str("a: [1, 2.5, x, null, true]\n200: {}\n").unwrap();
        assert_eq!(json, yaml);
        assert_eq!(json.get("200"), Some(&Node::Map(Box::new([]))));
    }

    #[test]
    fn numbers_beyond_i64_and_surrogate_pairs_parse() {
        let node: Node =
            serde_json::from_str(r#"{"minimum": -9223372036854776000, "max": 18446744073709551615, "s": "\ud83d\ude00"}"#)
                .unwrap();
        assert!(matches!(node.get("minimum"), Some(Node::Float(_))));
        assert!(matches!(node.get("max"), Some(Node::Float(_))));
        assert_eq!(node.str_field("s"), Some("😀"));
    }

    #[test]
    fn pointers_resolve_through_maps_lists_and_escapes() {
        let node: Node = serde_json::from_str(
            r#"{"paths": {"/a/{id}": {"get": {"parameters": [{"name": "id"}]}}}, "x~y": 1}"#,
        )
        .unwrap();
        let index = Index::new(&node);
        let found = index.pointer("/paths/~1a~1{id}/get/parameters/0/name");
        assert_eq!(found.and_then(Node::as_str), Some("id"));
        assert_eq!(index.pointer("/x~0y"), Some(&Node::Int(1)));
        assert_eq!(index.pointer("/paths/nope"), None);
        assert_eq!(index.pointer("/paths/~1a~1{id}/get/parameters/7"), None);
        assert_eq!(index.pointer(""), Some(&node));
        assert_eq!(percent_decode("~1a%7Bid%7D"), "~1a{id}");
    }

    #[test]
    fn large_maps_are_found_through_the_index() {
        let text: String = (0..500).map(|i| format!("s{i}: {{n: {i}}}\n")).collect();
        let node: Node = serde_yaml::from_str(&text).unwrap();
        let index = Index::new(&node);
        for i in [0, 250, 499] {
            assert_eq!(
                index.pointer(&format!("/s{i}/n")),
                Some(&Node::Int(i)),
                "s{i}"
            );
        }
        assert_eq!(index.pointer("/s500"), None);
    }
}
