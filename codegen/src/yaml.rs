//! YAML text → the document tree, on the event parser of `saphyr-parser` (maintained, YAML 1.2,
//! and about twice as fast as the archived `serde_yaml` on large descriptions, which first
//! buffers every event of the document). Scalars resolve as `serde_yaml` resolved them, so a
//! document means the same as it did: plain `null`/`~`/empty are null, `true`/`false` (any of
//! their three casings) booleans, decimal, `0x`, `0o` and `0b` integers, floats and `.inf`/`.nan`;
//! a number with leading zeros (`0123`) is text, and so is every quoted or block scalar. Map keys
//! are kept as written (`200:` is the key `"200"`). Aliases are expanded, within a bound, so a
//! document of nested aliases cannot make a small file take all memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::doc::Node;

/// How many nodes alias expansion may add, beyond which the document is refused.
const MAX_ALIAS_NODES: usize = 1_000_000;
/// How deeply collections may nest.
const MAX_DEPTH: usize = 1_000;

/// A YAML syntax error with its line (1-based) and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

/// A collection being read.
enum Frame {
    Seq(Vec<Node>, usize),
    /// Entries, the key waiting for its value, the anchor.
    Map(Vec<(Box<str>, Node)>, Option<Box<str>>, usize),
}

/// Parses one YAML document into the tree.
pub(crate) fn parse(text: &str) -> Result<Node, YamlError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut expanded = 0usize;
    let mut root: Option<Node> = None;
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|error| YamlError {
            line: error.marker().line(),
            column: error.marker().col() + 1,
            message: error.info().to_owned(),
        })?;
        let at = |message: &str| YamlError {
            line: span.start.line(),
            column: span.start.col() + 1,
            message: message.to_owned(),
        };
        let (node, anchor) = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(at("a file holds one document; this is a second"));
                }
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _)
                if stack.len() >= MAX_DEPTH =>
            {
                let _ = anchor;
                return Err(at("collections nested too deeply"));
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(Vec::new(), None, anchor));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => (Node::Seq(items.into_boxed_slice()), anchor),
                _ => return Err(at("unbalanced sequence")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, None, anchor)) => {
                    (Node::Map(entries.into_boxed_slice()), anchor)
                }
                _ => return Err(at("unbalanced mapping")),
            },
            Event::Scalar(value, style, anchor, tag) => {
                // A key is text as written; a value is resolved.
                if let Some(Frame::Map(_, key @ None, _)) = stack.last_mut() {
                    *key = Some(value.as_ref().into());
                    if anchor != 0 {
                        anchors.insert(anchor, Node::Str(value.as_ref().into()));
                    }
                    continue;
                }
                (scalar(&value, style, tag.as_deref()), anchor)
            }
            Event::Alias(id) => {
                let Some(node) = anchors.get(&id) else {
                    return Err(at("an alias names no anchor defined before it"));
                };
                expanded += size(node);
                if expanded > MAX_ALIAS_NODES {
                    return Err(at("aliases expand to too many values"));
                }
                if let Some(Frame::Map(_, key @ None, _)) = stack.last_mut() {
                    match node {
                        Node::Str(text) => {
                            *key = Some(text.clone());
                            continue;
                        }
                        _ => return Err(at("a map key must be a scalar")),
                    }
                }
                (node.clone(), 0)
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, key, _)) => match key.take() {
                Some(key) => entries.push((key, node)),
                None => return Err(at("a map key must be a scalar")),
            },
            None => root = Some(node),
        }
    }
    Ok(root.unwrap_or(Node::Null))
}

/// How many nodes a tree holds.
fn size(node: &Node) -> usize {
    match node {
        Node::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
        Node::Map(entries) => 1 + entries.iter().map(|(_, v)| size(v)).sum::<usize>(),
        _ => 1,
    }
}

/// A scalar's value: plain ones (and those tagged with a core type) are resolved, every other
/// one is text.
fn scalar(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> Node {
    let core = tag
        .filter(|t| t.is_yaml_core_schema())
        .map(|t| t.suffix.as_str());
    match (style, core) {
        (_, Some("str")) => Node::Str(value.into()),
        (ScalarStyle::Plain, _) | (_, Some("int" | "float" | "bool" | "null")) => resolve(value),
        _ => Node::Str(value.into()),
    }
}

/// Resolves a plain scalar as `serde_yaml` 0.9 did.
fn resolve(value: &str) -> Node {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return Node::Null,
        "true" | "True" | "TRUE" => return Node::Bool(true),
        "false" | "False" | "FALSE" => return Node::Bool(false),
        _ => {}
    }
    if let Some(int) = integer(value) {
        return int;
    }
    if !leading_zeros(value)
        && let Some(float) = float(value)
    {
        return Node::Float(float);
    }
    Node::Str(value.into())
}

/// `0123` is text in YAML 1.2, not a number.
fn leading_zeros(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

fn integer(value: &str) -> Option<Node> {
    let (negative, unsigned) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value.strip_prefix('+').unwrap_or(value)),
    };
    if unsigned.starts_with(['+', '-']) {
        return None;
    }
    let (digits, radix) = if let Some(rest) = unsigned.strip_prefix("0x") {
        (rest, 16)
    } else if let Some(rest) = unsigned.strip_prefix("0o") {
        (rest, 8)
    } else if let Some(rest) = unsigned.strip_prefix("0b") {
        (rest, 2)
    } else {
        if leading_zeros(value) {
            return None;
        }
        (unsigned, 10)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let signed = if negative {
        0i128.checked_sub_unsigned(magnitude)?
    } else {
        i128::try_from(magnitude).ok()?
    };
    // Beyond `i64` a number is kept as a float, as the tree holds it (`minimum: -9.2e18`).
    Some(i64::try_from(signed).map_or(Node::Float(signed as f64), Node::Int))
}

fn float(value: &str) -> Option<f64> {
    let unsigned = match value.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => value,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // Rust reads `inf` and `nan` too; YAML does not.
    if unsigned
        .bytes()
        .any(|b| b.is_ascii_alphabetic() && !matches!(b, b'e' | b'E'))
    {
        return None;
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn value(text: &str) -> Node {
        match parse(&format!("k: {text}\n")).unwrap() {
            Node::Map(entries) => entries[0].1.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn scalars_resolve_as_serde_yaml_resolved_them() {
        assert_eq!(value("~"), Node::Null);
        assert_eq!(value(""), Node::Null);
        assert_eq!(value("True"), Node::Bool(true));
        assert_eq!(value("yes"), Node::Str("yes".into()));
        assert_eq!(value("42"), Node::Int(42));
        assert_eq!(value("+42"), Node::Int(42));
        assert_eq!(value("-0x10"), Node::Int(-16));
        assert_eq!(value("0o17"), Node::Int(15));
        assert_eq!(value("0123"), Node::Str("0123".into()));
        assert_eq!(value("1.5e3"), Node::Float(1500.0));
        assert_eq!(
            value("-9223372036854776000"),
            Node::Float(-9223372036854776000.0)
        );
        assert_eq!(
            value("18446744073709551616"),
            Node::Float(18446744073709551616.0)
        );
        assert_eq!(value(".inf"), Node::Float(f64::INFINITY));
        assert_eq!(value("inf"), Node::Str("inf".into()));
        assert_eq!(value("'42'"), Node::Str("42".into()));
        assert_eq!(value("\"true\""), Node::Str("true".into()));
        assert_eq!(value("!!str 42"), Node::Str("42".into()));
        assert_eq!(value("1.0.3"), Node::Str("1.0.3".into()));
    }

    #[test]
    fn keys_stay_as_written_and_collections_nest() {
        let node = parse("200: {description: ok}\n'x': [1, {a: b}]\n").unwrap();
        assert_eq!(
            node.get("200").and_then(|r| r.str_field("description")),
            Some("ok")
        );
        assert_eq!(
            node.get("x").and_then(Node::as_seq).map(<[Node]>::len),
            Some(2)
        );
    }

    /// Every YAML document the repository holds: the spec, the generator's test documents and,
    /// once `cargo xtask corpus` has installed them, the corpus packages'.
    pub(crate) fn yaml_documents_at_hand() -> Vec<std::path::PathBuf> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut files: Vec<std::path::PathBuf> = vec![format!("{root}/spec/gtmhub.yaml").into()];
        let mut dirs: Vec<std::path::PathBuf> = vec![format!("{root}/codegen/tests").into()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    files.push(path);
                }
            }
        }
        files
    }

    /// Every YAML document at hand reads into the same tree as with `serde_yaml`, which the
    /// generator used before.
    #[test]
    fn documents_read_as_serde_yaml_read_them() {
        let files = yaml_documents_at_hand();
        let mut compared = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            let Ok(expected) = serde_yaml::from_str::<Node>(&text) else {
                continue;
            };
            assert_eq!(parse(&text).as_ref(), Ok(&expected), "{}", path.display());
            compared += 1;
        }
        assert!(compared >= 20, "only {compared} documents compared");
    }

    #[test]
    fn aliases_expand_within_a_bound_and_errors_have_positions() {
        let node = parse("a: &x {b: 1}\nc: *x\n").unwrap();
        assert_eq!(node.get("c"), node.get("a"));
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let (from, to) = ((b'a' + i) as char, (b'a' + i + 1) as char);
            bomb.push_str(&format!("{to}: &{to} [*{from}, *{from}, *{from}, *{from}, *{from}, *{from}, *{from}, *{from}, *{from}, *{from}]\n"));
        }
        let error = parse(&bomb).unwrap_err();
        assert!(error.message.contains("too many"), "{error:?}");
        let error = parse("openapi: 3.0.3\ninfo:\n  title: t\n version: 1\n").unwrap_err();
        assert_eq!((error.line, error.column > 0), (4, true), "{error:?}");
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse("a: *nothing\n").is_err());
    }
}
