//! Lowering: `openapiv3` → [`crate::ir`]. The only layer besides `load` that knows `openapiv3`.
//!
//! Lowering walks the document in spec order, decides every Rust name (via [`crate::names`]),
//! and reports every unsupported or inconsistent construct with its JSON pointer. Problems are
//! collected, not returned early, so one run shows them all.

mod operations;
mod schemas;

use openapiv3::{OpenAPI, ReferenceOr};

use crate::error::{Errors, Pointer, Sink};
use crate::ir::{Api, Docs};
use crate::{Options, Spec};

pub(crate) use schemas::TypeSpace;

/// Lowering state shared by the schema and operation passes.
pub(crate) struct Cx<'a> {
    pub(crate) doc: &'a OpenAPI,
    pub(crate) sink: Sink,
}

pub(crate) fn lower(spec: Spec<'_>, doc: &OpenAPI, _options: Options<'_>) -> Result<Api, Errors> {
    let mut cx = Cx {
        doc,
        sink: Sink::new(spec.path),
    };
    let mut types = TypeSpace::new();
    types.declare_components(&mut cx);
    types.lower_components(&mut cx);
    let lowered = operations::lower_operations(&mut cx, &mut types);
    let requires_token = operations::requires_token(&mut cx);
    let default_base_url = default_base_url(doc);
    let types = types.finish(&mut cx);
    let api = Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        docs: Docs::from_parts([doc.info.description.as_deref()]),
        default_base_url,
        requires_token,
        source: spec.path.to_owned(),
        settings: lowered.settings,
        types,
        operations: lowered.operations,
    };
    cx.sink.finish(api)
}

/// The first server's URL with its variables replaced by their defaults, if it is absolute.
fn default_base_url(doc: &OpenAPI) -> Option<String> {
    let server = doc.servers.first()?;
    let mut url = server.url.clone();
    if let Some(variables) = &server.variables {
        for (name, variable) in variables {
            url = url.replace(&format!("{{{name}}}"), &variable.default);
        }
    }
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    absolute.then(|| url.trim_end_matches('/').to_owned())
}

/// The component name a local `$ref` of the given kind points at, e.g.
/// `#/components/schemas/usersResponse` → `usersResponse`.
pub(crate) fn component_name(reference: &str, kind: &str) -> Option<String> {
    let prefix = format!("#/components/{kind}/");
    reference
        .strip_prefix(&prefix)
        .filter(|rest| !rest.contains('/'))
        .map(|name| name.replace("~1", "/").replace("~0", "~"))
}

impl<'a> Cx<'a> {
    /// Follows `$ref`s to a component of the given kind (`schemas`, `parameters`,
    /// `requestBodies`, `responses`), reporting unresolvable or external references. Returns the
    /// item and the pointer where it is defined.
    pub(crate) fn resolve<T>(
        &mut self,
        item: &'a ReferenceOr<T>,
        kind: &str,
        lookup: impl Fn(&'a OpenAPI, &str) -> Option<&'a ReferenceOr<T>>,
        pointer: &Pointer,
    ) -> Option<(&'a T, Pointer)> {
        let mut item = item;
        let mut at = pointer.clone();
        for _ in 0..32 {
            match item {
                ReferenceOr::Item(value) => return Some((value, at)),
                ReferenceOr::Reference { reference } => {
                    let Some(name) = component_name(reference, kind) else {
                        self.sink.report(
                            &at,
                            format!(
                                "unsupported $ref `{reference}`: only local references to \
                                 #/components/{kind}/ are supported here (bundle external files first)"
                            ),
                        );
                        return None;
                    };
                    let Some(next) = lookup(self.doc, &name) else {
                        self.sink
                            .report(&at, format!("unresolved $ref `{reference}`"));
                        return None;
                    };
                    at = Pointer::root().join("components").join(kind).join(&name);
                    item = next;
                }
            }
        }
        self.sink
            .report(pointer, "a chain of more than 32 $refs (probably a cycle)");
        None
    }

    /// Reads an `x-rust-name` override, reporting one that is not a usable identifier.
    pub(crate) fn rust_name_extension(
        &mut self,
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        pointer: &Pointer,
    ) -> Option<String> {
        let name = self.string_extension(extensions, "x-rust-name", pointer)?;
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
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        key: &str,
        pointer: &Pointer,
    ) -> Option<String> {
        match extensions.get(key)? {
            serde_json::Value::String(value) => Some(value.clone()),
            _ => {
                self.sink
                    .report(&pointer.join(key), format!("`{key}` must be a string"));
                None
            }
        }
    }
}
