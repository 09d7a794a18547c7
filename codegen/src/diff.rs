//! What a change of the API description does to the generated crate's users: the public API
//! of two [`Api`]s compared item by item (operations and their parameters, bodies and results;
//! types, fields, variants; client settings, credentials and servers), each difference classed
//! as breaking or additive, with the JSON pointer that caused it, and the version it calls for.
//!
//! Wire compatibility counts as much as the Rust signature: a property, parameter or path sent
//! differently is breaking even when every Rust name stays the same. Documentation changes are
//! not API changes. Generated types are `#[non_exhaustive]`, which is what makes a new optional
//! property, enum value or union member additive.

use std::collections::BTreeMap;
use std::fmt;

use crate::ir::{
    Api, Body, Field, Operation, Param, ResponseBody, Struct, Success, TypeDef, TypeKind, Union,
};

/// Whether dependent crates keep compiling and talking to the API as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Existing code breaks (does not compile, or sends or reads something else).
    Breaking,
    /// Something new; existing code is unaffected.
    Additive,
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
        })
    }
}

/// One difference in the generated crate's public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Breaking or additive.
    pub class: Class,
    /// The Rust item it concerns, e.g. `Client::list_badges` or `types::BadgeRequest::name`.
    pub item: String,
    /// What changed, in a sentence fragment: ``parameter `take` added (optional)``.
    pub what: String,
    /// The JSON pointer, in the new document (or the old one for a removal), that caused it.
    pub pointer: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: `{}`: {} (at #{})",
            self.class, self.item, self.what, self.pointer
        )
    }
}

/// Every difference between the public APIs generated from `old` and `new`, in the order of
/// their items; empty when only documentation changed.
pub fn diff(old: &Api, new: &Api) -> Vec<Change> {
    let mut out = Changes(Vec::new());
    out.client(old, new);
    out.operations(old, new);
    out.types(old, new);
    out.0
}

/// The version a crate at `current` needs after `changes` (semver, where before 1.0 the minor
/// number is the major one): `None` when nothing changed. Pre-release and build suffixes are
/// dropped; a version that does not parse is returned unchanged.
pub fn required_version(current: &str, changes: &[Change]) -> Option<String> {
    let breaking = changes.iter().any(|c| c.class == Class::Breaking);
    if changes.is_empty() {
        return None;
    }
    let core = current.split(['-', '+']).next().unwrap_or(current);
    let parts: Vec<u64> = core.split('.').filter_map(|p| p.parse().ok()).collect();
    let [major, minor, patch] = parts[..] else {
        return Some(current.to_owned());
    };
    Some(match (major, breaking) {
        (0, true) => format!("0.{}.0", minor + 1),
        (0, false) => format!("0.{minor}.{}", patch + 1),
        (_, true) => format!("{}.0.0", major + 1),
        (_, false) => format!("{major}.{}.0", minor + 1),
    })
}

/// Whether `version` is at least `required` (both `major.minor.patch`).
pub fn satisfies(version: &str, required: &str) -> bool {
    let parse = |v: &str| -> Vec<u64> {
        v.split(['-', '+'])
            .next()
            .unwrap_or(v)
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    parse(version) >= parse(required)
}

struct Changes(Vec<Change>);

impl Changes {
    fn push(
        &mut self,
        class: Class,
        item: impl Into<String>,
        what: impl Into<String>,
        pointer: &str,
    ) {
        self.0.push(Change {
            class,
            item: item.into(),
            what: what.into(),
            pointer: pointer.to_owned(),
        });
    }

    /// Added, removed and changed entries of two keyed lists, in the new list's order with the
    /// removed ones first.
    fn keyed<'a, T>(
        &mut self,
        old: &'a [T],
        new: &'a [T],
        key: impl Fn(&T) -> String,
        mut each: impl FnMut(&mut Self, Option<&'a T>, Option<&'a T>),
    ) {
        let old_by: BTreeMap<String, &T> = old.iter().map(|t| (key(t), t)).collect();
        let new_by: BTreeMap<String, &T> = new.iter().map(|t| (key(t), t)).collect();
        for item in old.iter().filter(|t| !new_by.contains_key(&key(t))) {
            each(self, Some(item), None);
        }
        for item in new {
            each(self, old_by.get(&key(item)).copied(), Some(item));
        }
    }

    fn client(&mut self, old: &Api, new: &Api) {
        if old.default_base_url != new.default_base_url {
            self.push(
                Class::Breaking,
                "DEFAULT_BASE_URL",
                format!(
                    "the default server changed from {} to {}",
                    shown(old.default_base_url.as_deref()),
                    shown(new.default_base_url.as_deref())
                ),
                "/servers/0",
            );
        }
        self.keyed(
            &old.servers,
            &new.servers,
            |s| s.name.rust.clone(),
            |out, o, n| {
                let (item, index) = match (o, n) {
                    (_, Some(n)) => (n, new.servers.iter().position(|s| s.name == n.name)),
                    (Some(o), None) => (o, old.servers.iter().position(|s| s.name == o.name)),
                    (None, None) => return,
                };
                let path = format!("Server::{}", item.name.rust);
                let pointer = format!("/servers/{}", index.unwrap_or(0));
                match (o, n) {
                    (Some(o), None) => out.push(
                        Class::Breaking,
                        path,
                        format!("server `{}` removed", o.url),
                        &pointer,
                    ),
                    (None, Some(n)) => out.push(
                        Class::Additive,
                        path,
                        format!("server `{}` added", n.url),
                        &pointer,
                    ),
                    (Some(o), Some(n)) if o.url != n.url => out.push(
                        Class::Breaking,
                        path,
                        format!("URL changed from `{}` to `{}`", o.url, n.url),
                        &pointer,
                    ),
                    _ => {}
                }
            },
        );
        self.keyed(
            &old.settings,
            &new.settings,
            |s| s.name.rust.clone(),
            |out, o, n| {
                let path = |name: &str| format!("ClientBuilder::{name}");
                match (o, n) {
                    (Some(o), None) => out.push(
                        Class::Breaking,
                        path(&o.name.rust),
                        "client setting removed",
                        "/paths",
                    ),
                    (None, Some(n)) => out.push(
                        Class::Additive,
                        path(&n.name.rust),
                        format!("client setting added (header `{}`)", n.header),
                        "/paths",
                    ),
                    (Some(o), Some(n)) if !o.header.eq_ignore_ascii_case(&n.header) => out.push(
                        Class::Breaking,
                        path(&n.name.rust),
                        format!(
                            "now sent as header `{}` instead of `{}`",
                            n.header, o.header
                        ),
                        "/paths",
                    ),
                    _ => {}
                }
            },
        );
        self.keyed(
            &old.auth,
            &new.auth,
            |s| s.name.rust.clone(),
            |out, o, n| {
                let pointer = |wire: &str| format!("/components/securitySchemes/{}", escape(wire));
                match (o, n) {
                    (Some(o), None) => out.push(
                        Class::Breaking,
                        format!("ClientBuilder::{}", o.name.rust),
                        format!("security scheme `{}` removed", o.name.wire),
                        &pointer(&o.name.wire),
                    ),
                    (None, Some(n)) => out.push(
                        Class::Additive,
                        format!("ClientBuilder::{}", n.name.rust),
                        format!("security scheme `{}` added", n.name.wire),
                        &pointer(&n.name.wire),
                    ),
                    (Some(o), Some(n)) if o.kind != n.kind => out.push(
                        Class::Breaking,
                        format!("ClientBuilder::{}", n.name.rust),
                        format!(
                            "security scheme `{}` sends its credential differently",
                            n.name.wire
                        ),
                        &pointer(&n.name.wire),
                    ),
                    _ => {}
                }
            },
        );
    }

    fn operations(&mut self, old: &Api, new: &Api) {
        self.keyed(
            &old.operations,
            &new.operations,
            |o| o.name.rust.clone(),
            |out, o, n| match (o, n) {
                (Some(o), None) => out.push(
                    Class::Breaking,
                    format!("Client::{}", o.name.rust),
                    format!(
                        "operation `{}` ({} {}) removed",
                        o.name.wire,
                        o.method.as_str(),
                        o.path
                    ),
                    &operation_pointer(o),
                ),
                (None, Some(n)) => out.push(
                    Class::Additive,
                    format!("Client::{}", n.name.rust),
                    format!(
                        "operation `{}` ({} {}) added",
                        n.name.wire,
                        n.method.as_str(),
                        n.path
                    ),
                    &operation_pointer(n),
                ),
                (Some(o), Some(n)) => out.operation(old, new, o, n),
                (None, None) => {}
            },
        );
    }

    fn operation(&mut self, old_api: &Api, new_api: &Api, old: &Operation, new: &Operation) {
        let item = format!("Client::{}", new.name.rust);
        let at = operation_pointer(new);
        if old.method != new.method || old.path != new.path {
            self.push(
                Class::Breaking,
                &item,
                format!(
                    "now {} {} instead of {} {}",
                    new.method.as_str(),
                    new.path,
                    old.method.as_str(),
                    old.path
                ),
                &at,
            );
        }
        match (&old.deprecated, &new.deprecated) {
            (None, Some(note)) => self.push(
                Class::Additive,
                &item,
                format!("deprecated: {note}"),
                &format!("{at}/deprecated"),
            ),
            (Some(_), None) => self.push(Class::Additive, &item, "no longer deprecated", &at),
            _ => {}
        }
        self.keyed(
            &old.params,
            &new.params,
            |p| p.name.rust.clone(),
            |out, o, n| {
                out.param(&item, o, n);
            },
        );
        self.body(&item, &at, old.body.as_ref(), new.body.as_ref());
        let (old_success, new_success) = (success_text(&old.success), success_text(&new.success));
        if old_success != new_success {
            self.push(
                Class::Breaking,
                &item,
                format!("`send()` now returns {new_success} instead of {old_success}"),
                &format!("{at}/responses"),
            );
        }
        match (&old.pagination, &new.pagination) {
            (None, Some(_)) => self.push(
                Class::Additive,
                &item,
                "`stream()` added (pages through the results)",
                &format!("{at}/x-pagination"),
            ),
            (Some(_), None) => self.push(
                Class::Breaking,
                &item,
                "`stream()` removed",
                &format!("{at}/x-pagination"),
            ),
            (Some(o), Some(n)) if o.item.to_string() != n.item.to_string() => self.push(
                Class::Breaking,
                &item,
                format!("`stream()` now yields `{}` instead of `{}`", n.item, o.item),
                &format!("{at}/x-pagination"),
            ),
            _ => {}
        }
        let schemes = |api: &Api, op: &Operation| -> Vec<Vec<String>> {
            op.security
                .iter()
                .map(|alternative| {
                    let mut names: Vec<String> = alternative
                        .iter()
                        .filter_map(|&i| api.auth.get(i).map(|s| s.name.wire.clone()))
                        .collect();
                    names.sort();
                    names
                })
                .collect()
        };
        let (before, after) = (schemes(old_api, old), schemes(new_api, new));
        if before != after {
            let widened = before.iter().all(|alternative| after.contains(alternative));
            self.push(
                if widened {
                    Class::Additive
                } else {
                    Class::Breaking
                },
                &item,
                if widened {
                    "accepts more kinds of credentials".to_owned()
                } else {
                    "takes other credentials than before".to_owned()
                },
                &format!("{at}/security"),
            );
        }
    }

    fn param(&mut self, item: &str, old: Option<&Param>, new: Option<&Param>) {
        match (old, new) {
            (Some(o), None) => self.push(
                Class::Breaking,
                item,
                format!(
                    "parameter `{}` ({} `{}`) removed",
                    o.name.rust,
                    o.location.as_str(),
                    o.name.wire
                ),
                &o.origin,
            ),
            (None, Some(n)) => {
                let (class, how) = if n.is_argument() {
                    (Class::Breaking, "required: a new argument")
                } else {
                    (Class::Additive, "optional: a new setter")
                };
                self.push(
                    class,
                    item,
                    format!(
                        "parameter `{}` ({} `{}`) added, {how}",
                        n.name.rust,
                        n.location.as_str(),
                        n.name.wire
                    ),
                    &n.origin,
                );
            }
            (Some(o), Some(n)) => {
                let name = &n.name.rust;
                if o.is_argument() != n.is_argument() {
                    let now = if n.is_argument() {
                        "required (an argument)"
                    } else {
                        "optional (a setter)"
                    };
                    self.push(
                        Class::Breaking,
                        item,
                        format!("parameter `{name}` is now {now}"),
                        &n.origin,
                    );
                }
                if o.ty.to_string() != n.ty.to_string() {
                    self.push(
                        Class::Breaking,
                        item,
                        format!("parameter `{name}` is now `{}` instead of `{}`", n.ty, o.ty),
                        &n.origin,
                    );
                }
                if o.name.wire != n.name.wire || o.location != n.location {
                    self.push(
                        Class::Breaking,
                        item,
                        format!(
                            "parameter `{name}` is now sent as {} `{}` instead of {} `{}`",
                            n.location.as_str(),
                            n.name.wire,
                            o.location.as_str(),
                            o.name.wire
                        ),
                        &n.origin,
                    );
                }
                if (o.style, o.explode, o.allow_reserved) != (n.style, n.explode, n.allow_reserved)
                {
                    self.push(
                        Class::Breaking,
                        item,
                        format!("parameter `{name}` is encoded differently on the wire"),
                        &n.origin,
                    );
                }
                if o.bounds != n.bounds {
                    let narrower = |old: Option<(f64, bool)>,
                                    new: Option<(f64, bool)>,
                                    lower: bool| match (old, new)
                    {
                        (_, None) => false,
                        (None, Some(_)) => true,
                        (Some((a, ax)), Some((b, bx))) => {
                            if lower {
                                b > a || (b == a && bx && !ax)
                            } else {
                                b < a || (b == a && bx && !ax)
                            }
                        }
                    };
                    let breaking = narrower(o.bounds.minimum, n.bounds.minimum, true)
                        || narrower(o.bounds.maximum, n.bounds.maximum, false);
                    self.push(
                        if breaking {
                            Class::Breaking
                        } else {
                            Class::Additive
                        },
                        item,
                        format!(
                            "parameter `{name}` {} its range",
                            if breaking { "narrows" } else { "widens" }
                        ),
                        &n.origin,
                    );
                }
                if o.deprecated != n.deprecated {
                    let now = if n.deprecated {
                        "deprecated"
                    } else {
                        "no longer deprecated"
                    };
                    self.push(
                        Class::Additive,
                        item,
                        format!("parameter `{name}` is {now}"),
                        &n.origin,
                    );
                }
            }
            (None, None) => {}
        }
    }

    fn body(&mut self, item: &str, at: &str, old: Option<&Body>, new: Option<&Body>) {
        let at = format!("{at}/requestBody");
        match (old, new) {
            (None, Some(n)) => {
                let (class, how) = if n.required {
                    (Class::Breaking, "required: a new argument")
                } else {
                    (Class::Additive, "optional: a new setter")
                };
                self.push(
                    class,
                    item,
                    format!("request body `{}` added, {how}", n.name),
                    &at,
                );
            }
            (Some(o), None) => self.push(
                Class::Breaking,
                item,
                format!("request body `{}` removed", o.name),
                &at,
            ),
            (Some(o), Some(n)) => {
                if o.required != n.required {
                    let now = if n.required {
                        "required (an argument)"
                    } else {
                        "optional (a setter)"
                    };
                    self.push(
                        Class::Breaking,
                        item,
                        format!("request body is now {now}"),
                        &at,
                    );
                }
                if o.name != n.name {
                    self.push(
                        Class::Breaking,
                        item,
                        format!("request body `{}` is now named `{}`", o.name, n.name),
                        &at,
                    );
                }
                if o.kinds != n.kinds || o.choice != n.choice {
                    self.push(
                        Class::Breaking,
                        item,
                        "request body has another type or media type",
                        &at,
                    );
                }
            }
            (None, None) => {}
        }
    }

    fn types(&mut self, old: &Api, new: &Api) {
        self.keyed(
            &old.types,
            &new.types,
            |t| t.name.rust.clone(),
            |out, o, n| match (o, n) {
                (Some(o), None) => out.push(
                    Class::Breaking,
                    format!("types::{}", o.name.rust),
                    "type removed",
                    &type_pointer(o),
                ),
                (None, Some(n)) => out.push(
                    Class::Additive,
                    format!("types::{}", n.name.rust),
                    "type added",
                    &type_pointer(n),
                ),
                (Some(o), Some(n)) => out.type_def(o, n),
                (None, None) => {}
            },
        );
    }

    fn type_def(&mut self, old: &TypeDef, new: &TypeDef) {
        let item = format!("types::{}", new.name.rust);
        let at = type_pointer(new);
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(o), TypeKind::Struct(n)) => self.fields(&item, &at, o, n),
            (TypeKind::Enum(o), TypeKind::Enum(n)) => {
                self.keyed(
                    &o.variants,
                    &n.variants,
                    |v| v.rust.clone(),
                    |out, o, n| match (o, n) {
                        (Some(o), None) => out.push(
                            Class::Breaking,
                            format!("{item}::{}", o.rust),
                            format!("enum value `{}` removed", o.wire),
                            &format!("{at}/enum"),
                        ),
                        (None, Some(n)) => out.push(
                            Class::Additive,
                            format!("{item}::{}", n.rust),
                            format!("enum value `{}` added", n.wire),
                            &format!("{at}/enum"),
                        ),
                        (Some(o), Some(n)) if o.wire != n.wire => out.push(
                            Class::Breaking,
                            format!("{item}::{}", n.rust),
                            format!("now the value `{}` instead of `{}`", n.wire, o.wire),
                            &format!("{at}/enum"),
                        ),
                        _ => {}
                    },
                );
            }
            (TypeKind::IntEnum(o), TypeKind::IntEnum(n)) => {
                self.keyed(
                    &o.variants,
                    &n.variants,
                    |v| v.0.clone(),
                    |out, o, n| match (o, n) {
                        (Some(o), None) => out.push(
                            Class::Breaking,
                            format!("{item}::{}", o.0),
                            format!("enum value `{}` removed", o.1),
                            &format!("{at}/enum"),
                        ),
                        (None, Some(n)) => out.push(
                            Class::Additive,
                            format!("{item}::{}", n.0),
                            format!("enum value `{}` added", n.1),
                            &format!("{at}/enum"),
                        ),
                        (Some(o), Some(n)) if o.1 != n.1 => out.push(
                            Class::Breaking,
                            format!("{item}::{}", n.0),
                            format!("now the value `{}` instead of `{}`", n.1, o.1),
                            &format!("{at}/enum"),
                        ),
                        _ => {}
                    },
                );
            }
            (TypeKind::Union(o), TypeKind::Union(n)) => self.union(&item, &at, o, n),
            (TypeKind::Alias(o), TypeKind::Alias(n)) if o.to_string() != n.to_string() => self
                .push(
                    Class::Breaking,
                    &item,
                    format!("now `{n}` instead of `{o}`"),
                    &at,
                ),
            (TypeKind::Alias(_), TypeKind::Alias(_)) => {}
            (o, n) => self.push(
                Class::Breaking,
                &item,
                format!("now {} instead of {}", kind_text(n), kind_text(o)),
                &at,
            ),
        }
    }

    fn fields(&mut self, item: &str, at: &str, old: &Struct, new: &Struct) {
        self.keyed(
            &old.fields,
            &new.fields,
            |f| f.name.rust.clone(),
            |out, o, n| match (o, n) {
                (Some(o), None) => out.push(
                    Class::Breaking,
                    format!("{item}::{}", o.name.rust),
                    format!("field removed (property `{}`)", o.name.wire),
                    &o.origin,
                ),
                (None, Some(n)) => {
                    let (class, how) = if n.required {
                        (
                            Class::Breaking,
                            "required: `new` takes it and responses must have it",
                        )
                    } else {
                        (Class::Additive, "optional")
                    };
                    out.push(
                        class,
                        format!("{item}::{}", n.name.rust),
                        format!("field added (property `{}`), {how}", n.name.wire),
                        &n.origin,
                    );
                }
                (Some(o), Some(n)) => out.field(item, o, n),
                (None, None) => {}
            },
        );
        match (&old.additional, &new.additional) {
            (None, Some(_)) => self.push(
                Class::Additive,
                format!("{item}::extra"),
                "keeps undeclared properties (additionalProperties)",
                at,
            ),
            (Some(_), None) => self.push(
                Class::Breaking,
                format!("{item}::extra"),
                "no longer keeps undeclared properties",
                at,
            ),
            (Some(o), Some(n)) if o.to_string() != n.to_string() => self.push(
                Class::Breaking,
                format!("{item}::extra"),
                format!("undeclared properties are now `{n}` instead of `{o}`"),
                at,
            ),
            _ => {}
        }
    }

    fn field(&mut self, item: &str, old: &Field, new: &Field) {
        let item = format!("{item}::{}", new.name.rust);
        let rust = |f: &Field| {
            if f.is_option() {
                format!("Option<{}>", f.ty)
            } else {
                f.ty.to_string()
            }
        };
        if rust(old) != rust(new) {
            self.push(
                Class::Breaking,
                &item,
                format!("now `{}` instead of `{}`", rust(new), rust(old)),
                &new.origin,
            );
        } else if old.required != new.required {
            let now = if new.required { "required" } else { "optional" };
            self.push(
                Class::Breaking,
                &item,
                format!("property `{}` is now {now}", new.name.wire),
                &new.origin,
            );
        }
        if old.name.wire != new.name.wire {
            self.push(
                Class::Breaking,
                &item,
                format!(
                    "now the property `{}` on the wire instead of `{}`",
                    new.name.wire, old.name.wire
                ),
                &new.origin,
            );
        }
    }

    fn union(&mut self, item: &str, at: &str, old: &Union, new: &Union) {
        if old.tag != new.tag {
            self.push(
                Class::Breaking,
                item,
                format!(
                    "told apart by {} instead of {}",
                    shown(new.tag.as_deref()),
                    shown(old.tag.as_deref())
                ),
                at,
            );
        }
        self.keyed(
            &old.variants,
            &new.variants,
            |v| v.name.clone(),
            |out, o, n| match (o, n) {
                (Some(o), None) => out.push(
                    Class::Breaking,
                    format!("{item}::{}", o.name),
                    "union member removed",
                    at,
                ),
                (None, Some(n)) => out.push(
                    Class::Additive,
                    format!("{item}::{}", n.name),
                    "union member added",
                    at,
                ),
                (Some(o), Some(n))
                    if o.ty.to_string() != n.ty.to_string() || o.tag_value != n.tag_value =>
                {
                    out.push(
                        Class::Breaking,
                        format!("{item}::{}", n.name),
                        "union member changed shape or tag",
                        at,
                    );
                }
                _ => {}
            },
        );
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn operation_pointer(op: &Operation) -> String {
    format!(
        "/paths/{}/{}",
        escape(&op.path),
        op.method.as_str().to_ascii_lowercase()
    )
}

fn type_pointer(def: &TypeDef) -> String {
    if def.name.wire.starts_with('/') {
        def.name.wire.clone()
    } else {
        format!("/components/schemas/{}", escape(&def.name.wire))
    }
}

fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "nothing".to_owned(), |v| format!("`{v}`"))
}

fn kind_text(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "a string enum",
        TypeKind::IntEnum(_) => "an integer enum",
        TypeKind::Union(_) => "a union",
        TypeKind::Alias(_) => "an alias",
    }
}

fn success_text(success: &Success) -> String {
    match success {
        Success::Single(body) => body_text(body.as_ref()),
        Success::Multi { name, variants } => {
            let statuses: Vec<String> = variants
                .iter()
                .map(|v| format!("{} with {}", v.name, body_text(v.body.as_ref())))
                .collect();
            format!("`{name}` ({})", statuses.join(", "))
        }
    }
}

fn body_text(body: Option<&ResponseBody>) -> String {
    match body {
        None => "nothing".to_owned(),
        Some(ResponseBody::Json(ty)) => format!("`{ty}`"),
        Some(ResponseBody::Text) => "text".to_owned(),
        Some(ResponseBody::Binary) => "bytes".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(class: Class) -> Change {
        Change {
            class,
            item: "Client::get_badge".into(),
            what: "removed".into(),
            pointer: "/paths".into(),
        }
    }

    #[test]
    fn the_version_follows_the_most_severe_change() {
        let (breaking, additive) = (change(Class::Breaking), change(Class::Additive));
        assert_eq!(required_version("0.1.0", &[]), None);
        assert_eq!(
            required_version("0.1.0", std::slice::from_ref(&additive)).as_deref(),
            Some("0.1.1")
        );
        assert_eq!(
            required_version("0.1.3", &[additive.clone(), breaking.clone()]).as_deref(),
            Some("0.2.0")
        );
        assert_eq!(
            required_version("1.4.2", std::slice::from_ref(&breaking)).as_deref(),
            Some("2.0.0")
        );
        assert_eq!(
            required_version("1.4.2", &[additive]).as_deref(),
            Some("1.5.0")
        );
        assert_eq!(
            required_version("0.3.0-rc.1", &[breaking]).as_deref(),
            Some("0.4.0")
        );
        assert!(satisfies("0.2.0", "0.2.0"));
        assert!(satisfies("0.10.0", "0.2.0"));
        assert!(!satisfies("0.1.9", "0.2.0"));
        assert!(satisfies("1.0.0", "0.2.0"));
    }
}
