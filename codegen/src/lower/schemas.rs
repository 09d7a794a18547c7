//! Schema lowering: component and inline schemas → named [`TypeDef`]s and [`TypeRef`]s, read
//! as JSON Schema means them (see [`super::schema`]). Unions and `allOf` are in
//! [`super::compose`].
//!
//! Component schemas are named first (in spec order), so a `$ref` always resolves to a name,
//! whatever the order of definition. A `$ref` to any other place in the document (a property of
//! a component, a path's inline schema) lowers the schema there once and reuses it. Recursive
//! schemas need no special casing until the final pass boxes the fields that close a cycle.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use indexmap::IndexMap;

use super::schema::{
    IGNORED_KEYWORDS, Types, admits_null, declared_types, inferred_types, is_annotation_key,
    is_annotation_only,
};
use super::{Cx, component_name};
use crate::doc::Node;
use crate::error::Pointer;
use crate::ir::{Docs, Field, IntEnum, Name, StringEnum, Struct, TypeDef, TypeKind, TypeRef};
use crate::names::{self, Namespace};

/// Every named type, and the names already handed out.
pub(crate) struct TypeSpace {
    pub(super) names: Namespace,
    /// Component schema name → Rust type name, in spec order.
    components: IndexMap<String, String>,
    pub(super) defs: Vec<TypeDef>,
    /// Rust type name → index in `defs`.
    index: BTreeMap<String, usize>,
    /// Schemas lowered where a `$ref` to a place other than a component points, by pointer.
    by_pointer: HashMap<String, Lowered>,
    /// Pointers being lowered through such a `$ref`, with the name reserved for them.
    in_progress: HashMap<String, Option<String>>,
    /// Every schema object lowered so far, by address: a schema met twice (a shared
    /// parameter, a body offered in two media types) is one type.
    by_node: HashMap<usize, Lowered>,
}

/// The result of lowering one schema use.
#[derive(Debug, Clone)]
pub(crate) struct Lowered {
    pub(crate) ty: TypeRef,
    pub(crate) nullable: bool,
}

impl Lowered {
    pub(super) fn json() -> Self {
        Self {
            ty: TypeRef::Json,
            nullable: false,
        }
    }

    pub(super) fn of(ty: TypeRef) -> Self {
        Self {
            ty,
            nullable: false,
        }
    }

    pub(super) fn or_null(mut self, nullable: bool) -> Self {
        self.nullable |= nullable;
        self
    }
}

/// How to name a type that a schema may define.
#[derive(Debug, Clone)]
pub(super) enum Site {
    /// A component (or a `$ref` target): the name is already decided.
    Component(String),
    /// An inline schema: candidate names, most natural first.
    Inline(Vec<String>),
}

impl Site {
    /// Candidate names for a type nested at this site: `{name}{suffix}`.
    pub(super) fn child(&self, suffix: &str) -> Vec<String> {
        match self {
            Site::Component(name) => vec![format!("{name}{suffix}")],
            Site::Inline(hint) => hint
                .iter()
                .take(1)
                .map(|h| format!("{h}{suffix}"))
                .collect(),
        }
    }

    /// The site's own candidates, for a schema that stands for it (`allOf: [$ref]`).
    pub(super) fn same(&self) -> Site {
        self.clone()
    }
}

/// One declaration of a property: the schema and where it is.
pub(super) type Declaration<'a> = (&'a Node, Pointer);

impl TypeSpace {
    pub(crate) fn new() -> Self {
        Self {
            names: Namespace::default(),
            components: IndexMap::new(),
            defs: Vec::new(),
            index: BTreeMap::new(),
            by_pointer: HashMap::new(),
            in_progress: HashMap::new(),
            by_node: HashMap::new(),
        }
    }

    /// Decides the Rust name of every component schema before anything is lowered.
    pub(crate) fn declare_components(&mut self, cx: &mut Cx<'_>) {
        let root = cx.doc.root();
        let Some(schemas) = root.get("components").and_then(|c| c.get("schemas")) else {
            return;
        };
        let base = Pointer::root().join("components").join("schemas");
        let Some(entries) = schemas.as_map() else {
            cx.sink
                .report(&base, "`components/schemas` must be an object");
            return;
        };
        for (name, schema) in entries {
            let pointer = base.join(name);
            let mut candidates = Vec::new();
            if let Some(rust) = cx.rust_name_extension(schema, &pointer) {
                candidates.push(rust);
            }
            let base = names::type_name(name);
            candidates.extend(names::type_candidates(&base, name));
            match self.names.claim(candidates) {
                Some(rust) => {
                    self.components.insert(name.to_string(), rust);
                }
                None => cx.sink.report(
                    &pointer,
                    format!(
                        "the Rust name `{base}` is taken by another schema; \
                         set `x-rust-name` on one of them"
                    ),
                ),
            }
        }
    }

    /// Lowers every component schema into a named type.
    pub(crate) fn lower_components(&mut self, cx: &mut Cx<'_>) {
        let root = cx.doc.root();
        let Some(entries) = root
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(Node::as_map)
        else {
            return;
        };
        let base = Pointer::root().join("components").join("schemas");
        for (name, schema) in entries {
            let Some(rust) = self.components.get(&**name).cloned() else {
                continue;
            };
            self.define_named(cx, &rust, name, schema, &base.join(name));
        }
    }

    /// Defines the named type `rust` from `schema`: the schema's own type if it makes one,
    /// otherwise an alias of what it lowers to.
    fn define_named<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        rust: &str,
        wire: &str,
        schema: &'a Node,
        at: &Pointer,
    ) {
        let slot = self.reserve(rust, wire);
        let lowered = self.lower_node(cx, schema, Site::Component(rust.to_owned()), at);
        match lowered.ty {
            // The schema defined the type in the reserved slot itself.
            TypeRef::Named(ref defined) if defined == rust => {}
            ty => {
                let ty = if lowered.nullable {
                    TypeRef::Option(Box::new(ty))
                } else {
                    ty
                };
                self.defs[slot].kind = TypeKind::Alias(ty);
                self.defs[slot].docs = schema_docs(schema);
            }
        }
    }

    /// The definition of a named type.
    pub(crate) fn def(&self, rust: &str) -> Option<&TypeDef> {
        self.index.get(rust).map(|&i| &self.defs[i])
    }

    /// Follows aliases to the type behind a name.
    pub(crate) fn resolve_alias<'t>(&'t self, mut ty: &'t TypeRef) -> &'t TypeRef {
        for _ in 0..64 {
            match ty {
                TypeRef::Named(name) => match self.def(name).map(|d| &d.kind) {
                    Some(TypeKind::Alias(inner)) => ty = inner,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }

    /// Lowers a schema (or a `$ref` to one) met inline; `hint` names the types it defines.
    pub(crate) fn lower<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        schema: &'a Node,
        hint: &[String],
        at: &Pointer,
    ) -> Lowered {
        self.lower_node(cx, schema, Site::Inline(hint.to_vec()), at)
    }

    /// Lowers one schema node at `site`, once: a node met again gives the same type.
    pub(super) fn lower_node<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        let key = std::ptr::from_ref(node) as usize;
        if let Some(lowered) = self.by_node.get(&key) {
            return lowered.clone();
        }
        let lowered = self.lower_node_once(cx, node, site, at);
        self.by_node.insert(key, lowered.clone());
        lowered
    }

    fn lower_node_once<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        match node {
            Node::Map(_) => {}
            // 3.1 allows `true` (anything) and `false` (nothing) as schemas.
            Node::Bool(true) => return Lowered::json(),
            Node::Bool(false) => {
                cx.sink.warn(
                    at,
                    "the schema `false` admits no value; it is read as any value",
                );
                return Lowered::json();
            }
            other => {
                cx.sink.report(
                    at,
                    format!("a schema must be an object, found {}", other.kind()),
                );
                return Lowered::json();
            }
        }
        if let Some(reference) = node.get("$ref") {
            let Some(reference) = reference.as_str() else {
                cx.sink.report(&at.join("$ref"), "`$ref` must be a string");
                return Lowered::json();
            };
            return self.lower_ref_with_siblings(cx, node, reference, site, at);
        }
        self.warn_ignored_keywords(cx, node, at);
        if !node.items("allOf").is_empty() {
            return self.lower_all_of(cx, node, site, at);
        }
        for keyword in ["oneOf", "anyOf"] {
            let members = node.items(keyword);
            if !members.is_empty()
                && let Some(lowered) = self.lower_union(cx, node, keyword, members, &site, at)
            {
                return lowered;
            }
        }
        self.lower_shape(cx, node, site, at)
    }

    fn warn_ignored_keywords(&self, cx: &mut Cx<'_>, node: &Node, at: &Pointer) {
        for keyword in IGNORED_KEYWORDS {
            if node.get(keyword).is_some() {
                cx.sink.warn(
                    &at.join(keyword),
                    format!(
                        "`{keyword}` constrains values in ways a Rust type does not express; it \
                         is ignored"
                    ),
                );
            }
        }
    }

    /// A `$ref`, with whatever is written beside it: annotations (description, `nullable`) are
    /// kept; anything that shapes values (3.1 allows it) is merged as if by `allOf`.
    fn lower_ref_with_siblings<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        reference: &'a str,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        let shaping = node.as_map().is_some_and(|entries| {
            entries
                .iter()
                .any(|(k, _)| &**k != "$ref" && !is_annotation_key(k))
        });
        if shaping {
            return self.lower_all_of(cx, node, site, at);
        }
        self.lower_reference(cx, reference, &site, at)
            .or_null(admits_null(node))
    }

    /// A `$ref` to a component (by name) or to any other schema in the document (lowered once,
    /// by pointer).
    pub(super) fn lower_reference<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        reference: &'a str,
        site: &Site,
        at: &Pointer,
    ) -> Lowered {
        if let Some(name) = component_name(reference, "schemas") {
            let target = cx
                .doc
                .root()
                .get("components")
                .and_then(|c| c.get("schemas"))
                .and_then(|s| cx.doc.get(s, &name));
            return match (self.components.get(&name), target) {
                (Some(rust), Some(target)) => Lowered {
                    ty: TypeRef::Named(rust.clone()),
                    nullable: admits_null(target),
                },
                // The component's own problem was reported where it is.
                (None, Some(_)) => Lowered::json(),
                (_, None) => {
                    cx.sink.report(
                        &at.join("$ref"),
                        format!("unresolved $ref `{reference}`: there is no such schema"),
                    );
                    Lowered::json()
                }
            };
        }
        let Some((target, pointer)) = cx.target(reference, at) else {
            return Lowered::json();
        };
        let key = pointer.as_str().to_owned();
        if let Some(lowered) = self.by_pointer.get(&key) {
            return lowered.clone();
        }
        if let Some(reserved) = self.in_progress.get(&key) {
            return match reserved {
                Some(name) => Lowered::of(TypeRef::Named(name.clone())),
                None => {
                    cx.sink.report(
                        &at.join("$ref"),
                        format!("$ref `{reference}` refers to itself through a schema that is not an object"),
                    );
                    Lowered::json()
                }
            };
        }
        // A target that makes a named type gets its name now, so that a reference back to it
        // from inside resolves to that name.
        let names_a_type = target.get("properties").is_some()
            || ["oneOf", "anyOf", "allOf", "enum"]
                .iter()
                .any(|k| target.get(k).is_some());
        let reserved = if names_a_type {
            let mut candidates = Vec::new();
            if let Some(rust) = cx.rust_name_extension(target, &pointer) {
                candidates.push(rust);
            }
            if let Some(title) = target.str_field("title") {
                candidates.push(names::type_name(title));
            }
            candidates.extend(pointer_candidates(&pointer));
            if let Site::Inline(hint) = site {
                candidates.extend(hint.iter().cloned());
            }
            self.names.claim(candidates)
        } else {
            None
        };
        self.in_progress.insert(key.clone(), reserved.clone());
        let lowered = match &reserved {
            Some(name) => {
                self.define_named(cx, name, &key, target, &pointer);
                Lowered::of(TypeRef::Named(name.clone())).or_null(admits_null(target))
            }
            None => {
                let hint = match site {
                    Site::Inline(hint) if !hint.is_empty() => hint.clone(),
                    _ => pointer_candidates(&pointer),
                };
                self.lower_node(cx, target, Site::Inline(hint), &pointer)
            }
        };
        self.in_progress.remove(&key);
        self.by_pointer.insert(key, lowered.clone());
        lowered
    }

    /// The schema's own shape, by the JSON types it admits.
    pub(super) fn lower_shape<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        let nullable = admits_null(node);
        let declared = declared_types(node);
        let types = declared
            .unwrap_or_else(|| inferred_types(node))
            .without(Types::NULL);
        let values: Vec<&Node> = node
            .items("enum")
            .iter()
            .filter(|v| !matches!(v, Node::Null))
            .collect();
        if !values.is_empty() {
            return self
                .lower_enum(cx, node, &values, types, site, at)
                .or_null(nullable);
        }
        if node.get("enum").is_some_and(|e| e.as_seq().is_none()) {
            cx.sink.report(&at.join("enum"), "`enum` must be a list");
        }
        if types.is_empty() {
            // No type and no structure: any JSON value.
            return Lowered::json().or_null(nullable);
        }
        let Some(single) = types.single() else {
            return self
                .lower_multi_type(cx, node, types, site, at)
                .or_null(nullable);
        };
        let ty = match single {
            Types::STRING if is_binary(node) => TypeRef::Binary,
            Types::STRING => TypeRef::String,
            Types::INTEGER => match node.str_field("format") {
                Some("int32" | "int16" | "int8" | "uint8" | "uint16") => TypeRef::I32,
                _ => TypeRef::I64,
            },
            Types::NUMBER => match node.str_field("format") {
                Some("float") => TypeRef::F32,
                _ => TypeRef::F64,
            },
            Types::BOOLEAN => TypeRef::Bool,
            Types::ARRAY => self.lower_array(cx, node, &site, at),
            _ => self.lower_object(cx, node, site, at),
        };
        Lowered::of(ty).or_null(nullable)
    }

    fn lower_array<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        site: &Site,
        at: &Pointer,
    ) -> TypeRef {
        if node.get("prefixItems").is_some() {
            cx.sink.warn(
                &at.join("prefixItems"),
                "a tuple (`prefixItems`) is read as a list of any JSON values",
            );
            return TypeRef::Vec(Box::new(TypeRef::Json));
        }
        let Some(items) = node.get("items") else {
            return TypeRef::Vec(Box::new(TypeRef::Json));
        };
        let item = self.lower_node(
            cx,
            items,
            Site::Inline(site.child("Item")),
            &at.join("items"),
        );
        TypeRef::Vec(Box::new(optional(item)))
    }

    /// An object: a struct of its properties, a map, or any JSON object.
    fn lower_object<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        site: Site,
        at: &Pointer,
    ) -> TypeRef {
        let properties = own_properties(cx, node, at);
        let required = required_names(cx, node, at);
        let additional = node
            .get("additionalProperties")
            .map(|a| (a, at.join("additionalProperties")));
        self.object_type(cx, node, properties, required, additional, site, at)
    }

    /// The type of an object with these properties (possibly merged from several schemas).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn object_type<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        docs_node: &'a Node,
        properties: IndexMap<String, Vec<Declaration<'a>>>,
        required: BTreeSet<String>,
        additional: Option<Declaration<'a>>,
        site: Site,
        at: &Pointer,
    ) -> TypeRef {
        let additional = additional.filter(|(schema, _)| typed_additional(schema));
        if properties.is_empty() && required.is_empty() {
            return match additional {
                Some((schema, pointer)) => {
                    let value =
                        self.lower_node(cx, schema, Site::Inline(site.child("Value")), &pointer);
                    TypeRef::Map(Box::new(optional(value)))
                }
                None => TypeRef::JsonObject,
            };
        }
        let Some(name) = self.site_name(cx, docs_node, &site, "Object", at) else {
            return TypeRef::Json;
        };
        let slot = self.reserve(&name, &wire_of(&site, at));
        let strukt = self.lower_fields(cx, &name, properties, &required, additional, at);
        self.defs[slot].kind = TypeKind::Struct(strukt);
        self.defs[slot].docs = schema_docs(docs_node);
        TypeRef::Named(name)
    }

    /// The fields of a struct: every declared property, then every required one that is not
    /// declared (any JSON value, but present), then the typed extra map.
    fn lower_fields<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        parent: &str,
        properties: IndexMap<String, Vec<Declaration<'a>>>,
        required: &BTreeSet<String>,
        additional: Option<Declaration<'a>>,
        at: &Pointer,
    ) -> Struct {
        let mut field_names = if additional.is_some() {
            Namespace::with_reserved(&["extra"])
        } else {
            Namespace::default()
        };
        let mut fields = Vec::new();
        for (wire, declarations) in &properties {
            let (first, first_at) = &declarations[0];
            let mut candidates = Vec::new();
            if let Some(rust) = cx.rust_name_extension(first, first_at) {
                candidates.push(rust);
            }
            candidates.extend(names::field_candidates(wire));
            let Some(rust) = field_names.claim(candidates) else {
                cx.sink.report(
                    first_at,
                    format!(
                        "property `{wire}` has no free Rust field name in `{parent}`; \
                         set `x-rust-name` on it"
                    ),
                );
                continue;
            };
            let hint = vec![format!("{parent}{}", names::type_name(wire))];
            let lowered = if declarations.len() == 1 {
                self.lower_node(cx, first, Site::Inline(hint), first_at)
            } else {
                self.merge_declarations(cx, declarations, Site::Inline(hint), first_at)
            };
            // A property only sent or only received may be absent on the other way.
            let one_way = declarations
                .iter()
                .any(|(d, _)| d.flag("readOnly") || d.flag("writeOnly"));
            let docs = declarations
                .iter()
                .map(|(d, _)| schema_docs(d))
                .find(|d| !d.is_empty())
                .unwrap_or_default();
            fields.push(Field {
                name: Name {
                    rust,
                    wire: wire.clone(),
                },
                ty: lowered.ty,
                required: required.contains(wire) && !one_way,
                nullable: lowered.nullable,
                docs,
                origin: first_at.to_string(),
            });
        }
        for wire in required.iter().filter(|r| !properties.contains_key(*r)) {
            let Some(rust) = field_names.claim(names::field_candidates(wire)) else {
                cx.sink.report(
                    &at.join("required"),
                    format!("required property `{wire}` has no free Rust field name in `{parent}`"),
                );
                continue;
            };
            fields.push(Field {
                name: Name {
                    rust,
                    wire: wire.clone(),
                },
                ty: TypeRef::Json,
                required: true,
                nullable: true,
                docs: Docs(vec![
                    "Required by the API description, which does not declare its type.".to_owned(),
                ]),
                origin: at.join("required").to_string(),
            });
        }
        let additional = additional.map(|(schema, pointer)| {
            let value = self.lower_node(
                cx,
                schema,
                Site::Inline(vec![format!("{parent}Value")]),
                &pointer,
            );
            optional(value)
        });
        Struct { fields, additional }
    }

    /// A string enum, an integer enum, or (for booleans, other numbers and mixed values) the
    /// plain type, with the values in the docs.
    fn lower_enum(
        &mut self,
        cx: &mut Cx<'_>,
        node: &Node,
        values: &[&Node],
        types: Types,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        let strings: Option<Vec<String>> = values
            .iter()
            .map(|v| match v {
                Node::Str(s) => Some(s.to_string()),
                // A declared string type reads other values as their text.
                Node::Int(_) | Node::Float(_) | Node::Bool(_) if types == Types::STRING => {
                    Some(v.to_string())
                }
                _ => None,
            })
            .collect();
        if let Some(strings) = strings {
            return Lowered::of(self.define_enum(cx, node, &strings, site, at));
        }
        let integers: Option<Vec<i64>> = values
            .iter()
            .map(|v| match v {
                Node::Int(i) => Some(*i),
                Node::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
                _ => None,
            })
            .collect();
        if let Some(integers) = integers
            && !types.has(Types::NUMBER)
        {
            return Lowered::of(self.define_int_enum(cx, node, &integers, site, at));
        }
        if values.iter().all(|v| matches!(v, Node::Bool(_))) {
            return Lowered::of(TypeRef::Bool);
        }
        if values
            .iter()
            .all(|v| matches!(v, Node::Int(_) | Node::Float(_)))
        {
            return Lowered::of(TypeRef::F64);
        }
        // Mixed values: a JSON value; the docs list what the description allows.
        Lowered::json()
    }

    pub(super) fn define_enum(
        &mut self,
        cx: &mut Cx<'_>,
        node: &Node,
        values: &[String],
        site: Site,
        at: &Pointer,
    ) -> TypeRef {
        let Some(name) = self.site_name(cx, node, &site, "Enum", at) else {
            return TypeRef::String;
        };
        let slot = self.reserve(&name, &wire_of(&site, at));
        let explicit = explicit_variant_names(cx, node, values.len(), at);
        let mut variant_names = Namespace::with_reserved(&["Unknown"]);
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for (index, value) in values.iter().enumerate() {
            if !seen.insert(value.as_str()) {
                continue;
            }
            let derived = match &explicit {
                Some(explicit) => names::type_name(&explicit[index]),
                None => names::variant_name(value),
            };
            let Some(rust) = variant_names.claim(names::variant_candidates(&derived, value)) else {
                cx.sink.report(
                    &at.join("enum").join(index),
                    format!(
                        "enum value {value:?} maps to the same Rust variant as another; set `x-enum-varnames`"
                    ),
                );
                continue;
            };
            variants.push(Name {
                rust,
                wire: value.clone(),
            });
        }
        self.defs[slot].kind = TypeKind::Enum(StringEnum { variants });
        self.defs[slot].docs = schema_docs(node);
        TypeRef::Named(name)
    }

    fn define_int_enum(
        &mut self,
        cx: &mut Cx<'_>,
        node: &Node,
        values: &[i64],
        site: Site,
        at: &Pointer,
    ) -> TypeRef {
        let Some(name) = self.site_name(cx, node, &site, "Enum", at) else {
            return TypeRef::I64;
        };
        let slot = self.reserve(&name, &wire_of(&site, at));
        let explicit = explicit_variant_names(cx, node, values.len(), at);
        let mut variant_names = Namespace::with_reserved(&["Unknown"]);
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for (index, value) in values.iter().enumerate() {
            if !seen.insert(*value) {
                continue;
            }
            let derived = match &explicit {
                Some(explicit) => names::type_name(&explicit[index]),
                None => names::variant_name(&value.to_string()),
            };
            let Some(rust) = variant_names.claim([derived.clone(), format!("{derived}Value")])
            else {
                continue;
            };
            variants.push((rust, *value));
        }
        self.defs[slot].kind = TypeKind::IntEnum(IntEnum { variants });
        self.defs[slot].docs = schema_docs(node);
        TypeRef::Named(name)
    }

    /// The name of the type a schema at `site` defines.
    pub(super) fn site_name(
        &mut self,
        cx: &mut Cx<'_>,
        node: &Node,
        site: &Site,
        kind: &str,
        at: &Pointer,
    ) -> Option<String> {
        let hint = match site {
            Site::Component(name) => return Some(name.clone()),
            Site::Inline(hint) => hint,
        };
        let mut candidates = Vec::new();
        if let Some(rust) = cx.rust_name_extension(node, at) {
            candidates.push(rust);
        }
        if let Some(title) = node.str_field("title") {
            let title = names::type_name(title);
            if title != "Unnamed" {
                candidates.push(title);
            }
        }
        candidates.extend(hint.iter().cloned());
        if let Some(first) = hint.first() {
            candidates.push(format!("{first}{kind}"));
            candidates.push(format!("{first}Inline{kind}"));
        }
        let tried = candidates.join("`, `");
        let claimed = self.names.claim(candidates);
        if claimed.is_none() {
            cx.sink.report(
                at,
                format!("no free Rust name for this inline schema (tried `{tried}`); give it a `title` or `x-rust-name`"),
            );
        }
        claimed
    }

    /// Reserves the definition slot for `name`, so a type is listed before the inline types
    /// it contains.
    pub(super) fn reserve(&mut self, name: &str, wire: &str) -> usize {
        if let Some(&slot) = self.index.get(name) {
            return slot;
        }
        let slot = self.defs.len();
        self.defs.push(TypeDef {
            name: Name {
                rust: name.to_owned(),
                wire: wire.to_owned(),
            },
            docs: Docs::default(),
            kind: TypeKind::Alias(TypeRef::Json),
            sent: false,
        });
        self.index.insert(name.to_owned(), slot);
        slot
    }

    /// Boxes fields that would make a type contain itself and rejects alias cycles.
    pub(crate) fn finish(mut self, cx: &mut Cx<'_>) -> Vec<TypeDef> {
        let edges: BTreeMap<String, BTreeSet<String>> = self
            .defs
            .iter()
            .map(|def| (def.name.rust.clone(), by_value_targets(&def.kind)))
            .collect();
        let aliases: BTreeMap<String, Vec<String>> = self
            .defs
            .iter()
            .filter_map(|def| match &def.kind {
                TypeKind::Alias(ty) => {
                    let mut names = Vec::new();
                    named_in(ty, &mut names);
                    Some((def.name.rust.clone(), names))
                }
                _ => None,
            })
            .collect();
        let reaches = |from: &str, to: &str| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_owned()];
            while let Some(next) = stack.pop() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone())
                    && let Some(targets) = edges.get(&next)
                {
                    stack.extend(targets.iter().cloned());
                }
            }
            false
        };
        for def in &mut self.defs {
            let own = def.name.rust.clone();
            match &mut def.kind {
                TypeKind::Struct(strukt) => {
                    for field in &mut strukt.fields {
                        box_if_cyclic(&mut field.ty, &own, &reaches);
                    }
                }
                TypeKind::Union(union) => {
                    for variant in &mut union.variants {
                        box_if_cyclic(&mut variant.ty, &own, &reaches);
                    }
                }
                TypeKind::Alias(_) => {
                    if alias_cycle(&own, &aliases) {
                        let pointer = if def.name.wire.starts_with('/') {
                            Pointer::from_text(&def.name.wire)
                        } else {
                            Pointer::root()
                                .join("components")
                                .join("schemas")
                                .join(&def.name.wire)
                        };
                        cx.sink.report(
                            &pointer,
                            format!("schema `{}` is defined in terms of itself", def.name.wire),
                        );
                    }
                }
                TypeKind::Enum(_) | TypeKind::IntEnum(_) => {}
            }
        }
        self.defs
    }
}

/// Whether an alias names itself through other aliases only (a struct, union or enum between
/// them makes the cycle a recursive type, which boxing handles; an alias cannot be recursive).
fn alias_cycle(own: &str, aliases: &BTreeMap<String, Vec<String>>) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = aliases
        .get(own)
        .map(|t| t.iter().map(String::as_str).collect())
        .unwrap_or_default();
    while let Some(next) = stack.pop() {
        if next == own {
            return true;
        }
        if seen.insert(next)
            && let Some(targets) = aliases.get(next)
        {
            stack.extend(targets.iter().map(String::as_str));
        }
    }
    false
}

/// Every type a type reference names, at any depth.
fn named_in(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(name) => out.push(name.clone()),
        TypeRef::Option(inner)
        | TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Boxed(inner) => named_in(inner, out),
        _ => {}
    }
}

/// Types a definition contains by value (not behind a `Vec` or map), which is what makes a
/// recursive type infinitely large; an alias also reaches what it names inside containers.
fn by_value_targets(kind: &TypeKind) -> BTreeSet<String> {
    fn target(ty: &TypeRef) -> Option<&str> {
        match ty {
            TypeRef::Named(name) => Some(name),
            TypeRef::Option(inner) => target(inner),
            _ => None,
        }
    }
    match kind {
        TypeKind::Struct(strukt) => strukt
            .fields
            .iter()
            .filter_map(|f| target(&f.ty))
            .map(str::to_owned)
            .collect(),
        TypeKind::Union(union) => union
            .variants
            .iter()
            .filter_map(|v| target(&v.ty))
            .map(str::to_owned)
            .collect(),
        TypeKind::Alias(ty) => target(ty).map(str::to_owned).into_iter().collect(),
        TypeKind::Enum(_) | TypeKind::IntEnum(_) => BTreeSet::new(),
    }
}

fn box_if_cyclic(ty: &mut TypeRef, own: &str, reaches: &dyn Fn(&str, &str) -> bool) {
    match ty {
        TypeRef::Named(target) if reaches(target, own) => {
            *ty = TypeRef::Boxed(Box::new(ty.clone()));
        }
        TypeRef::Option(inner) => box_if_cyclic(inner, own, reaches),
        _ => {}
    }
}

/// The properties a schema declares itself, in order, each with its one declaration.
pub(super) fn own_properties<'a>(
    cx: &mut Cx<'a>,
    node: &'a Node,
    at: &Pointer,
) -> IndexMap<String, Vec<Declaration<'a>>> {
    let mut properties = IndexMap::new();
    match node.get("properties") {
        None => {}
        Some(Node::Map(entries)) => {
            let base = at.join("properties");
            for (name, schema) in entries.iter() {
                properties.insert(name.to_string(), vec![(schema, base.join(name))]);
            }
        }
        Some(other) => cx.sink.report(
            &at.join("properties"),
            format!("`properties` must be an object, found {}", other.kind()),
        ),
    }
    properties
}

/// The names a schema's `required` lists.
pub(super) fn required_names(cx: &mut Cx<'_>, node: &Node, at: &Pointer) -> BTreeSet<String> {
    match node.get("required") {
        None => BTreeSet::new(),
        Some(Node::Seq(names)) => names
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_owned)
            .collect(),
        // 3.0 drafts put `required: true` on properties; it says nothing about the object.
        Some(Node::Bool(_)) => BTreeSet::new(),
        Some(other) => {
            cx.sink.warn(
                &at.join("required"),
                format!(
                    "`required` should be a list of property names, found {}; it is ignored",
                    other.kind()
                ),
            );
            BTreeSet::new()
        }
    }
}

/// Whether `additionalProperties` gives the extra values a type (a schema that says something),
/// rather than allowing (`true`, `{}`) or forbidding (`false`) them.
pub(super) fn typed_additional(schema: &Node) -> bool {
    match schema {
        Node::Map(entries) => !entries.is_empty() && !is_annotation_only(schema),
        _ => false,
    }
}

/// Explicit variant names from `x-enum-varnames` (or `x-enumNames`), one per value.
fn explicit_variant_names(
    cx: &mut Cx<'_>,
    node: &Node,
    count: usize,
    at: &Pointer,
) -> Option<Vec<String>> {
    for key in ["x-enum-varnames", "x-enumNames"] {
        let Some(value) = node.get(key) else {
            continue;
        };
        let names: Option<Vec<String>> = value
            .as_seq()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or(None);
        match names {
            Some(names) if names.len() == count => return Some(names),
            _ => cx.sink.report(
                &at.join(key),
                format!("`{key}` must be a list of strings, one per enum value"),
            ),
        }
    }
    None
}

/// Candidate type names for a schema found at `pointer` (the target of a `$ref` that is not a
/// component): its last meaningful pointer tokens, e.g. `…/Pet/properties/owner` → `Owner`,
/// `PetOwner`.
fn pointer_candidates(pointer: &Pointer) -> Vec<String> {
    const STRUCTURAL: &[&str] = &[
        "components",
        "schemas",
        "paths",
        "properties",
        "items",
        "schema",
        "content",
        "responses",
        "requestBody",
        "parameters",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
        "$defs",
        "definitions",
        "get",
        "put",
        "post",
        "delete",
        "patch",
        "head",
        "options",
        "trace",
    ];
    let tokens: Vec<String> = pointer
        .as_str()
        .split('/')
        .skip(1)
        .map(|t| crate::doc::unescape(t).into_owned())
        .filter(|t| {
            !STRUCTURAL.contains(&t.as_str())
                && !t.contains('/')
                && !t
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x')
        })
        .collect();
    let mut candidates = Vec::new();
    if let Some(last) = tokens.last() {
        candidates.push(names::type_name(last));
    }
    if tokens.len() >= 2 {
        let pair = format!("{} {}", tokens[tokens.len() - 2], tokens[tokens.len() - 1]);
        candidates.push(names::type_name(&pair));
    }
    if candidates.is_empty() {
        candidates.push("InlineSchema".to_owned());
    }
    candidates
}

/// Whether a string schema holds raw bytes: `format: binary`, or a 3.1 `contentMediaType` that
/// is not text without a `contentEncoding` (base64 text stays a string).
fn is_binary(node: &Node) -> bool {
    if node.str_field("format") == Some("binary") {
        return true;
    }
    match node.str_field("contentMediaType") {
        Some(media) => {
            node.get("contentEncoding").is_none()
                && !media.starts_with("text/")
                && !media.contains("json")
                && !media.contains("xml")
        }
        None => false,
    }
}

/// A lowered value as the element of a container: nullable elements become `Option<T>`.
pub(super) fn optional(lowered: Lowered) -> TypeRef {
    if lowered.nullable {
        TypeRef::Option(Box::new(lowered.ty))
    } else {
        lowered.ty
    }
}

pub(super) fn wire_of(site: &Site, pointer: &Pointer) -> String {
    match site {
        Site::Component(_) => {
            let last = pointer.as_str().rsplit('/').next().unwrap_or_default();
            if pointer.as_str().starts_with("/components/schemas/")
                && pointer.as_str().matches('/').count() == 3
            {
                crate::doc::unescape(last).into_owned()
            } else {
                pointer.as_str().to_owned()
            }
        }
        Site::Inline(_) => pointer.as_str().to_owned(),
    }
}

/// A schema's title and description, as doc paragraphs.
pub(super) fn schema_docs(node: &Node) -> Docs {
    let mut docs = Docs::from_parts([node.str_field("title"), node.str_field("description")]);
    if node.flag("deprecated") {
        docs.push("Deprecated in the API description.");
    }
    docs
}
