//! Security schemes → client builder settings, and security requirements → the credentials
//! each operation sends. A scheme the client cannot serve is a warning, and the operations that
//! need only it are sent without credentials, never a refusal of the whole client.

use std::collections::HashMap;

use super::Cx;
use crate::doc::Node;
use crate::error::Pointer;
use crate::ir::{AuthKind, AuthScheme, Docs, Location, Name};
use crate::names::{self, Namespace};

/// The schemes the client serves and the document's own requirements.
pub(crate) struct Security {
    pub(crate) schemes: Vec<AuthScheme>,
    /// Scheme name → index in `schemes`; `None` for a scheme declared but not served.
    index: HashMap<String, Option<usize>>,
    /// The document-level `security`.
    global: Vec<Vec<usize>>,
}

impl Security {
    /// The credentials an operation takes: its own `security`, else the document's.
    pub(crate) fn requirements(
        &self,
        cx: &mut Cx<'_>,
        operation: &Node,
        at: &Pointer,
    ) -> Vec<Vec<usize>> {
        match operation.get("security") {
            Some(list) => self.parse(cx, list, &at.join("security")),
            None => self.global.clone(),
        }
    }

    /// Alternatives of requirement objects. No alternative at all, or one the client cannot
    /// serve, means the operation is sent without credentials.
    fn parse(&self, cx: &mut Cx<'_>, list: &Node, at: &Pointer) -> Vec<Vec<usize>> {
        let Some(items) = list.as_seq() else {
            cx.sink.report(
                at,
                format!("`security` must be a list, found {}", list.kind()),
            );
            return vec![Vec::new()];
        };
        let mut alternatives = Vec::new();
        for (index, requirement) in items.iter().enumerate() {
            let Some(entries) = requirement.as_map() else {
                cx.sink.report(
                    &at.join(index),
                    format!(
                        "a security requirement must be an object, found {}",
                        requirement.kind()
                    ),
                );
                continue;
            };
            let mut schemes = Vec::new();
            let mut servable = true;
            for (name, _) in entries.iter() {
                match self.index.get(&**name) {
                    Some(Some(scheme)) => schemes.push(*scheme),
                    Some(None) => servable = false,
                    None => {
                        cx.sink.report(
                            &at.join(index).join(name),
                            format!("security requirement names undefined scheme `{name}`"),
                        );
                        servable = false;
                    }
                }
            }
            if servable && !alternatives.contains(&schemes) {
                alternatives.push(schemes);
            }
        }
        if alternatives.is_empty() {
            alternatives.push(Vec::new());
        }
        alternatives
    }
}

/// Methods of the generated `ClientBuilder` that scheme setters must not take.
const BUILDER_METHODS: &[&str] = &[
    "token",
    "base_url",
    "server",
    "connect_timeout",
    "timeout",
    "retry_policy",
    "max_response_bytes",
    "allow_insecure_http",
    "user_agent",
    "http_client",
    "default_headers",
    "record_spec_mismatches",
    "build",
    "fmt",
];

pub(crate) fn lower_security(cx: &mut Cx<'_>, setters: &mut Namespace) -> Security {
    for reserved in BUILDER_METHODS {
        setters.claim([*reserved]);
    }
    let root = cx.doc.root();
    let mut security = Security {
        schemes: Vec::new(),
        index: HashMap::new(),
        global: Vec::new(),
    };
    let base = Pointer::root().join("components").join("securitySchemes");
    let declared = root
        .get("components")
        .map(|c| c.entries("securitySchemes"))
        .unwrap_or(&[]);
    for (name, scheme) in declared {
        let at = base.join(name);
        let Some((scheme, at)) = cx.resolve(scheme, &at) else {
            security.index.insert(name.to_string(), None);
            continue;
        };
        let served = match scheme_kind(cx, scheme, &at) {
            Some(kind) => {
                let base_name = names::snake_name(name);
                let candidates = [
                    base_name.clone(),
                    format!("{base_name}_auth"),
                    format!("{base_name}_credential"),
                ];
                match setters.claim(candidates) {
                    Some(rust) => {
                        security.schemes.push(AuthScheme {
                            name: Name {
                                rust,
                                wire: name.to_string(),
                            },
                            kind,
                            docs: Docs::from_parts([scheme.str_field("description")]),
                        });
                        Some(security.schemes.len() - 1)
                    }
                    None => {
                        cx.sink.report(
                            &at,
                            format!("security scheme `{name}` has no free builder method name"),
                        );
                        None
                    }
                }
            }
            None => None,
        };
        security.index.insert(name.to_string(), served);
    }
    security.global = match root.get("security") {
        Some(list) => security.parse(cx, list, &Pointer::root().join("security")),
        None => vec![Vec::new()],
    };
    security
}

/// How the client sends a scheme's credential, or `None` (with a warning) when it cannot.
fn scheme_kind(cx: &mut Cx<'_>, scheme: &Node, at: &Pointer) -> Option<AuthKind> {
    let kind = scheme.str_field("type").unwrap_or_default();
    match kind {
        "http" => {
            let name = scheme.str_field("scheme").unwrap_or_default();
            match name.to_ascii_lowercase().as_str() {
                "bearer" => Some(AuthKind::Bearer),
                "basic" => Some(AuthKind::Basic),
                other => {
                    cx.sink.warn(
                        &at.join("scheme"),
                        format!(
                            "http authentication scheme `{other}` is not served; operations that \
                             need only it are sent without credentials (add them with \
                             `default_headers`)"
                        ),
                    );
                    None
                }
            }
        }
        "oauth2" | "openIdConnect" => Some(AuthKind::Bearer),
        "apiKey" => {
            let location = match scheme.str_field("in") {
                Some("header") => Location::Header,
                Some("query") => Location::Query,
                Some("cookie") => Location::Cookie,
                other => {
                    let found = other.map_or_else(|| "nowhere".to_owned(), |o| format!("`{o}`"));
                    cx.sink.report(
                        &at.join("in"),
                        format!(
                            "an apiKey scheme goes in `header`, `query` or `cookie`, not {found}"
                        ),
                    );
                    return None;
                }
            };
            let Some(name) = scheme.str_field("name") else {
                cx.sink.report(
                    &at.join("name"),
                    "an apiKey scheme needs the `name` it is sent under",
                );
                return None;
            };
            Some(AuthKind::ApiKey {
                location,
                name: name.to_owned(),
            })
        }
        "mutualTLS" => {
            cx.sink.warn(
                at,
                "mutual TLS is configured on the HTTP client (`http_client` with an identity), \
                 not per operation",
            );
            None
        }
        other => {
            cx.sink.warn(
                &at.join("type"),
                format!("security scheme type `{other}` is not served; operations that need only it are sent without credentials"),
            );
            None
        }
    }
}
