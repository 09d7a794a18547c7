//! Larger documents made from a real one, for measuring how generation scales: copy N of every
//! path and component, under new names (`/copyN/…`, `…CopyN`), with every `$ref` pointing at
//! its own copy. Used by the generation benchmark and `cargo xtask versus-progenitor`.

use serde_yaml::{Mapping, Value};

/// The component sections whose entries are copied under new names.
const COMPONENT_KINDS: [&str; 4] = ["schemas", "parameters", "responses", "requestBodies"];
/// The HTTP methods a path item can hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Builds a spec with `copies` copies of every path and component of `text`: copy 0 is the
/// original, copy N has its paths under `/copyN`, its operation ids and component names
/// suffixed with `CopyN`, and every `$ref` inside it pointing at its own components.
///
/// # Panics
///
/// When `text` is not a YAML document with `paths` (the callers pass the project's own spec).
pub fn synthetic(text: &str, copies: usize) -> String {
    let mut document: Value = serde_yaml::from_str(text).expect("the spec is valid YAML");
    let original = document.clone();
    for copy in 1..copies {
        let suffix = format!("Copy{copy}");
        let paths = original["paths"].as_mapping().expect("the spec has paths");
        for (path, item) in paths {
            let mut item = item.clone();
            rewrite_refs(&mut item, &suffix);
            for method in METHODS {
                if let Some(Value::String(id)) = item
                    .get_mut(method)
                    .and_then(|operation| operation.get_mut("operationId"))
                {
                    id.push_str(&suffix);
                }
            }
            let path = format!("/copy{copy}{}", path.as_str().expect("paths are strings"));
            mapping(&mut document["paths"]).insert(Value::String(path), item);
        }
        for kind in COMPONENT_KINDS {
            let Some(section) = original["components"].get(kind).and_then(Value::as_mapping) else {
                continue;
            };
            for (name, entry) in section {
                let mut entry = entry.clone();
                rewrite_refs(&mut entry, &suffix);
                let name = format!("{}{suffix}", name.as_str().expect("names are strings"));
                mapping(&mut document["components"][kind]).insert(Value::String(name), entry);
            }
        }
    }
    serde_yaml::to_string(&document).expect("a YAML value serializes")
}

fn mapping(value: &mut Value) -> &mut Mapping {
    value.as_mapping_mut().expect("a mapping")
}

/// Points every local component `$ref` under `value` at the copy named with `suffix`.
fn rewrite_refs(value: &mut Value, suffix: &str) {
    match value {
        Value::Mapping(map) => {
            for (key, entry) in map.iter_mut() {
                match entry {
                    Value::String(target) if key.as_str() == Some("$ref") => {
                        if target.starts_with("#/components/") {
                            target.push_str(suffix);
                        }
                    }
                    _ => rewrite_refs(entry, suffix),
                }
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(|item| rewrite_refs(item, suffix)),
        _ => {}
    }
}

/// The number of operations in a spec, for the time-per-operation figures.
///
/// # Panics
///
/// When `text` is not a YAML document with `paths`.
pub fn operation_count(text: &str) -> usize {
    let document: Value = serde_yaml::from_str(text).expect("the spec is valid YAML");
    let paths = document["paths"].as_mapping().expect("the spec has paths");
    paths
        .values()
        .map(|item| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .count()
        })
        .sum()
}
