//! Lowering: the document tree → [`crate::ir`]. With `load`, the only layer that reads the
//! document.
//!
//! Lowering walks the document in spec order, decides every Rust name (via [`crate::names`]),
//! and reports every problem with its JSON pointer. Problems are collected, not returned early,
//! so one run shows them all; what a client cannot use but can do without is a warning.

mod compose;
mod operations;
mod params;
mod schema;
mod schemas;
mod security;
mod servers;

use crate::doc::{Index, Node, percent_decode};
use crate::error::{Diagnostic, Errors, Pointer, Sink};
use std::collections::HashMap;

use crate::ir::{Api, BodyKind, Docs, Operation, TypeDef, TypeKind, TypeRef};
use crate::load::{Document, Version};
use crate::{Options, Spec};

pub(crate) use schemas::TypeSpace;

/// How many `$ref`s in a row are followed before a chain is taken for a cycle.
const MAX_REF_CHAIN: usize = 32;

/// Lowering state shared by the schema and operation passes.
pub(crate) struct Cx<'a> {
    pub(crate) doc: Index<'a>,
    pub(crate) version: Version,
    pub(crate) sink: Sink,
    /// Schemas lowering makes up (the own keywords of a composition as one of its members),
    /// which live as long as the document.
    pub(crate) arena: &'a typed_arena::Arena<Node>,
}

pub(crate) fn lower(
    spec: Spec<'_>,
    document: &Document,
    _options: Options<'_>,
) -> Result<(Api, Vec<Diagnostic>), Errors> {
    let root = &document.root;
    let arena = typed_arena::Arena::new();
    let mut cx = Cx {
        doc: Index::new(root),
        version: document.version,
        sink: Sink::new(spec.path),
        arena: &arena,
    };
    for warning in &document.warnings {
        cx.sink.warn(
            &Pointer::from_text(&warning.pointer),
            warning.message.clone(),
        );
    }
    check_shape(&mut cx);
    let info = root.get("info");
    let title = info
        .and_then(|i| i.str_field("title"))
        .unwrap_or("API")
        .to_owned();
    let version = info
        .and_then(|i| i.str_field("version"))
        .unwrap_or_default()
        .to_owned();
    let mut types = TypeSpace::new();
    types.declare_components(&mut cx);
    types.lower_components(&mut cx);
    let mut setters = crate::names::Namespace::default();
    let security = security::lower_security(&mut cx, &mut setters);
    let lowered = operations::lower_operations(&mut cx, &mut types, &security, setters);
    let default_base_url = default_base_url(root);
    let servers = servers::lower_servers(&mut cx);
    let mut types = types.finish(&mut cx);
    mark_sent(&mut types, &lowered.operations);
    // A client without credentials is refused only when no operation can do without them.
    let requires_token = !lowered.operations.is_empty()
        && lowered
            .operations
            .iter()
            .all(|op| !op.security.iter().any(Vec::is_empty));
    let api = Api {
        title,
        version,
        docs: Docs::from_parts([info.and_then(|i| i.str_field("description"))]),
        default_base_url,
        servers,
        requires_token,
        auth: security.schemes,
        source: spec.path.to_owned(),
        settings: lowered.settings,
        types,
        operations: lowered.operations,
    };
    cx.sink.finish(api)
}

/// Marks the types whose values requests carry: those of request bodies and parameters, and
/// everything they contain.
fn mark_sent(types: &mut [TypeDef], operations: &[Operation]) {
    let index: HashMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, def)| (def.name.rust.clone(), i))
        .collect();
    let mut seen = vec![false; types.len()];
    let mut pending: Vec<usize> = Vec::new();
    for op in operations {
        for param in &op.params {
            mark_ref(&param.ty, &index, &mut seen, &mut pending);
        }
        for kind in op.body.iter().flat_map(|body| &body.kinds) {
            if let BodyKind::Json { ty, .. }
            | BodyKind::Form { ty, .. }
            | BodyKind::Multipart { ty, .. } = kind
            {
                mark_ref(ty, &index, &mut seen, &mut pending);
            }
        }
    }
    while let Some(i) = pending.pop() {
        types[i].sent = true;
        let contained: Vec<TypeRef> = match &types[i].kind {
            TypeKind::Struct(strukt) => strukt
                .fields
                .iter()
                .map(|f| f.ty.clone())
                .chain(strukt.additional.clone())
                .collect(),
            TypeKind::Union(union) => union.variants.iter().map(|v| v.ty.clone()).collect(),
            TypeKind::Alias(target) => vec![target.clone()],
            TypeKind::Enum(_) | TypeKind::IntEnum(_) => Vec::new(),
        };
        for ty in &contained {
            mark_ref(ty, &index, &mut seen, &mut pending);
        }
    }
}

fn mark_ref(
    ty: &TypeRef,
    index: &HashMap<String, usize>,
    seen: &mut [bool],
    names: &mut Vec<usize>,
) {
    match ty {
        TypeRef::Named(name) => {
            if let Some(&i) = index.get(name)
                && !seen[i]
            {
                seen[i] = true;
                names.push(i);
            }
        }
        TypeRef::Boxed(inner)
        | TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Option(inner) => {
            mark_ref(inner, index, seen, names);
        }
        _ => {}
    }
}

/// Reports the document-level shape problems that would make lowering guess: sections that are
/// not objects. Keywords that mean nothing to a client are warned about, never refused.
fn check_shape(cx: &mut Cx<'_>) {
    let root = cx.doc.root();
    for (key, must) in [
        ("info", "an object"),
        ("paths", "an object"),
        ("components", "an object"),
        ("webhooks", "an object"),
    ] {
        if let Some(value) = root.get(key)
            && !value.is_map()
        {
            cx.sink.report(
                &Pointer::root().join(key),
                format!("`{key}` must be {must}, found {}", value.kind()),
            );
        }
    }
    if root.get("info").is_none() {
        cx.sink.warn(
            &Pointer::root(),
            "the document has no `info`; the API is called \"API\"",
        );
    }
    if let Some(webhooks) = root.get("webhooks").and_then(Node::as_map)
        && !webhooks.is_empty()
    {
        cx.sink.warn(
            &Pointer::root().join("webhooks"),
            format!(
                "{} webhook(s) are requests the API sends, not operations a client calls; they \
                 are not generated",
                webhooks.len()
            ),
        );
    }
    if root.get("paths").is_none() && cx.version == Version::V30 {
        cx.sink.warn(
            &Pointer::root(),
            "the document has no `paths`; the client has no operations",
        );
    }
}

/// The first server's URL with its variables replaced by their defaults, if it is absolute.
fn default_base_url(root: &Node) -> Option<String> {
    let url = servers::url_of(root.items("servers").first()?)?;
    (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
}

/// The component name a local `$ref` of the given kind points at, e.g.
/// `#/components/schemas/usersResponse` → `usersResponse`.
pub(crate) fn component_name(reference: &str, kind: &str) -> Option<String> {
    let fragment = percent_decode(reference.strip_prefix('#')?).into_owned();
    let prefix = format!("/components/{kind}/");
    fragment
        .strip_prefix(&prefix)
        .filter(|rest| !rest.contains('/'))
        .map(|name| crate::doc::unescape(name).into_owned())
}

impl<'a> Cx<'a> {
    /// The node a local `$ref` points at and its pointer, reporting an external, malformed or
    /// unresolvable reference at `at`.
    pub(crate) fn target(&mut self, reference: &str, at: &Pointer) -> Option<(&'a Node, Pointer)> {
        let Some(fragment) = reference.strip_prefix('#') else {
            self.sink.report(
                &at.join("$ref"),
                format!(
                    "external $ref `{reference}`: only references within the document are read; \
                     bundle the files into one first (for example with `redocly bundle`)"
                ),
            );
            return None;
        };
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            self.sink.report(
                &at.join("$ref"),
                format!(
                    "$ref `{reference}` names an anchor; only JSON pointers (`#/…`) are supported"
                ),
            );
            return None;
        }
        match self.doc.pointer(&fragment) {
            Some(node) => Some((node, Pointer::from_text(&fragment))),
            None => {
                self.sink.report(
                    &at.join("$ref"),
                    format!("unresolved $ref `{reference}`: nothing is at that pointer"),
                );
                None
            }
        }
    }

    /// Follows `$ref`s from `node` (at `at`) to the object they end at, reporting unresolvable
    /// references and cycles. Used for parameters, request bodies, responses, path items,
    /// headers and security schemes, which are never named types themselves.
    pub(crate) fn resolve(&mut self, node: &'a Node, at: &Pointer) -> Option<(&'a Node, Pointer)> {
        let mut node = node;
        let mut at = at.clone();
        for _ in 0..MAX_REF_CHAIN {
            let Some(reference) = node.str_field("$ref") else {
                if !node.is_map() {
                    self.sink
                        .report(&at, format!("expected an object, found {}", node.kind()));
                    return None;
                }
                return Some((node, at));
            };
            let (next, pointer) = self.target(reference, &at)?;
            node = next;
            at = pointer;
        }
        self.sink
            .report(&at, "a chain of more than 32 $refs (probably a cycle)");
        None
    }

    /// Reads an `x-rust-name` override, reporting one that is not a usable identifier.
    pub(crate) fn rust_name_extension(&mut self, node: &Node, pointer: &Pointer) -> Option<String> {
        let name = self.string_extension(node, "x-rust-name", pointer)?;
        if crate::names::is_identifier(&name) {
            Some(name)
        } else {
            self.sink.report(
                &pointer.join("x-rust-name"),
                format!("`x-rust-name` {name:?} is not a usable Rust identifier"),
            );
            None
        }
    }

    /// Reads a string-valued `x-` extension, reporting one of the wrong type.
    pub(crate) fn string_extension(
        &mut self,
        node: &Node,
        key: &str,
        pointer: &Pointer,
    ) -> Option<String> {
        match node.get(key)? {
            Node::Str(value) => Some(value.to_string()),
            _ => {
                self.sink
                    .report(&pointer.join(key), format!("`{key}` must be a string"));
                None
            }
        }
    }
}
