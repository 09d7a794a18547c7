//! Schema lowering: component and inline schemas → named [`TypeDef`]s and [`TypeRef`]s.
//!
//! Component schemas are named first (in spec order), so a `$ref` always resolves to a name,
//! whatever the order of definition, and recursive schemas need no special casing until the
//! final pass boxes the fields that close a cycle.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaData, SchemaKind,
    Type, VariantOrUnknownOrEmpty,
};

use super::{Cx, component_name};
use crate::error::Pointer;
use crate::ir::{
    Docs, Field, Name, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant,
};
use crate::names::{self, Namespace};

/// Every named type, and the names already handed out.
pub(crate) struct TypeSpace {
    names: Namespace,
    /// Component schema name → Rust type name, in spec order.
    components: IndexMap<String, String>,
    defs: Vec<TypeDef>,
    /// Rust type name → index in `defs`.
    index: BTreeMap<String, usize>,
}

/// The result of lowering one schema use.
#[derive(Debug, Clone)]
pub(crate) struct Lowered {
    pub(crate) ty: TypeRef,
    pub(crate) nullable: bool,
}

/// How to name a type that a schema may define.
#[derive(Debug, Clone)]
enum Site {
    /// A component: the name is already decided.
    Component(String),
    /// An inline schema: candidate names, most natural first.
    Inline(Vec<String>),
}

type Property<'a> = (String, &'a ReferenceOr<Box<Schema>>, Pointer);

impl TypeSpace {
    pub(crate) fn new() -> Self {
        Self {
            names: Namespace::default(),
            components: IndexMap::new(),
            defs: Vec::new(),
            index: BTreeMap::new(),
        }
    }

    /// Decides the Rust name of every component schema before anything is lowered.
    pub(crate) fn declare_components(&mut self, cx: &mut Cx<'_>) {
        let Some(components) = &cx.doc.components else {
            return;
        };
        for (name, schema) in &components.schemas {
            let pointer = Pointer::root()
                .join("components")
                .join("schemas")
                .join(name);
            let mut candidates = Vec::new();
            if let ReferenceOr::Item(schema) = schema
                && let Some(rust) = cx.rust_name_extension(&schema.schema_data.extensions, &pointer)
            {
                candidates.push(rust);
            }
            let base = names::type_name(name);
            candidates.push(base.clone());
            candidates.push(format!("{base}Schema"));
            match self.names.claim(candidates) {
                Some(rust) => {
                    self.components.insert(name.clone(), rust);
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
    pub(crate) fn lower_components<'a>(&mut self, cx: &mut Cx<'a>) {
        let Some(components) = &cx.doc.components else {
            return;
        };
        for (name, schema) in &components.schemas {
            let Some(rust) = self.components.get(name).cloned() else {
                continue;
            };
            let pointer = Pointer::root()
                .join("components")
                .join("schemas")
                .join(name);
            let slot = self.reserve(&rust, name);
            let (kind, docs) = match schema {
                ReferenceOr::Reference { .. } => {
                    let lowered = self.lower(cx, schema, &[], &pointer);
                    (TypeKind::Alias(lowered.ty), Docs::default())
                }
                ReferenceOr::Item(schema) => {
                    let docs = schema_docs(&schema.schema_data);
                    let lowered =
                        self.lower_schema(cx, schema, Site::Component(rust.clone()), &pointer);
                    match lowered.ty {
                        // The schema defined the type in the reserved slot itself.
                        TypeRef::Named(ref defined) if defined == &rust => continue,
                        ty => {
                            let ty = if lowered.nullable {
                                TypeRef::Option(Box::new(ty))
                            } else {
                                ty
                            };
                            (TypeKind::Alias(ty), docs)
                        }
                    }
                }
            };
            self.defs[slot].kind = kind;
            self.defs[slot].docs = docs;
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

    /// Lowers a schema or a `$ref` to one. `hint` names inline types it defines.
    pub(crate) fn lower<'a, S: Borrow<Schema>>(
        &mut self,
        cx: &mut Cx<'a>,
        schema: &'a ReferenceOr<S>,
        hint: &[String],
        pointer: &Pointer,
    ) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_reference(cx, reference, pointer),
            ReferenceOr::Item(schema) => {
                self.lower_schema(cx, schema.borrow(), Site::Inline(hint.to_vec()), pointer)
            }
        }
    }

    fn lower_reference(&mut self, cx: &mut Cx<'_>, reference: &str, pointer: &Pointer) -> Lowered {
        let json = Lowered {
            ty: TypeRef::Json,
            nullable: false,
        };
        let Some(name) = component_name(reference, "schemas") else {
            cx.sink.report(
                pointer,
                format!(
                    "unsupported $ref `{reference}`: schemas must be local references to \
                     #/components/schemas/ (bundle external files first)"
                ),
            );
            return json;
        };
        let Some(rust) = self.components.get(&name).cloned() else {
            let exists = cx
                .doc
                .components
                .as_ref()
                .is_some_and(|c| c.schemas.contains_key(&name));
            if !exists {
                cx.sink
                    .report(pointer, format!("unresolved $ref `{reference}`"));
            }
            return json;
        };
        let nullable = cx
            .doc
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(&name))
            .is_some_and(|s| matches!(s, ReferenceOr::Item(s) if s.schema_data.nullable));
        Lowered {
            ty: TypeRef::Named(rust),
            nullable,
        }
    }

    fn lower_schema<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        schema: &'a Schema,
        site: Site,
        pointer: &Pointer,
    ) -> Lowered {
        let data = &schema.schema_data;
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let values: Vec<&str> = string
                    .enumeration
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                if values.is_empty() {
                    TypeRef::String
                } else {
                    self.define_enum(cx, data, &values, site, pointer)
                }
            }
            SchemaKind::Type(Type::Number(number)) => match number.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Integer(integer)) => match integer.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Object(object)) => {
                let properties = object
                    .properties
                    .iter()
                    .map(|(name, schema)| {
                        (name.clone(), schema, pointer.join("properties").join(name))
                    })
                    .collect();
                let required = object.required.iter().cloned().collect();
                self.lower_object(
                    cx,
                    data,
                    properties,
                    required,
                    object.additional_properties.as_ref(),
                    site,
                    pointer,
                )
            }
            SchemaKind::Type(Type::Array(array)) => {
                self.lower_array(cx, array.items.as_ref(), &site, pointer)
            }
            SchemaKind::OneOf { one_of } => {
                self.lower_union(cx, data, "oneOf", one_of, site, pointer)
            }
            SchemaKind::AnyOf { any_of } => {
                self.lower_union(cx, data, "anyOf", any_of, site, pointer)
            }
            SchemaKind::AllOf { all_of } => self.lower_all_of(cx, data, all_of, site, pointer),
            SchemaKind::Not { .. } => {
                cx.sink.report(
                    pointer,
                    "unsupported schema: `not` cannot be expressed as a Rust type",
                );
                TypeRef::Json
            }
            SchemaKind::Any(any) => {
                if !any.one_of.is_empty() || !any.any_of.is_empty() {
                    let (keyword, members) = if any.one_of.is_empty() {
                        ("anyOf", &any.any_of)
                    } else {
                        ("oneOf", &any.one_of)
                    };
                    self.lower_union(cx, data, keyword, members, site, pointer)
                } else if !any.all_of.is_empty() {
                    self.lower_all_of(cx, data, &any.all_of, site, pointer)
                } else if !any.properties.is_empty() || any.typ.as_deref() == Some("object") {
                    let properties = any
                        .properties
                        .iter()
                        .map(|(name, schema)| {
                            (name.clone(), schema, pointer.join("properties").join(name))
                        })
                        .collect();
                    let required = any.required.iter().cloned().collect();
                    self.lower_object(
                        cx,
                        data,
                        properties,
                        required,
                        any.additional_properties.as_ref(),
                        site,
                        pointer,
                    )
                } else if any.items.is_some() || any.typ.as_deref() == Some("array") {
                    self.lower_array(cx, any.items.as_ref(), &site, pointer)
                } else if !any.enumeration.is_empty()
                    && any.enumeration.iter().all(|v| v.is_string() || v.is_null())
                {
                    let values: Vec<&str> =
                        any.enumeration.iter().filter_map(|v| v.as_str()).collect();
                    self.define_enum(cx, data, &values, site, pointer)
                } else if let Some(typ) = &any.typ {
                    cx.sink.report(
                        &pointer.join("type"),
                        format!("unsupported schema type `{typ}` in this combination of keywords"),
                    );
                    TypeRef::Json
                } else {
                    // No type and no structure: any JSON value.
                    TypeRef::Json
                }
            }
        };
        Lowered {
            ty,
            nullable: data.nullable,
        }
    }

    fn lower_array<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        items: Option<&'a ReferenceOr<Box<Schema>>>,
        site: &Site,
        pointer: &Pointer,
    ) -> TypeRef {
        let Some(items) = items else {
            return TypeRef::Vec(Box::new(TypeRef::Json));
        };
        let hint = child_hint(site, "Item");
        let item = self.lower(cx, items, &hint, &pointer.join("items"));
        TypeRef::Vec(Box::new(optional(item)))
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_object<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        data: &'a SchemaData,
        properties: Vec<Property<'a>>,
        required: BTreeSet<String>,
        additional: Option<&'a AdditionalProperties>,
        site: Site,
        pointer: &Pointer,
    ) -> TypeRef {
        if properties.is_empty() {
            for name in &required {
                cx.sink.report(
                    &pointer.join("required"),
                    format!("required property `{name}` is not declared in `properties`"),
                );
            }
            return match additional {
                Some(AdditionalProperties::Schema(schema)) => {
                    let hint = child_hint(&site, "Value");
                    let value =
                        self.lower(cx, schema, &hint, &pointer.join("additionalProperties"));
                    TypeRef::Map(Box::new(optional(value)))
                }
                _ => TypeRef::JsonObject,
            };
        }
        self.define_struct(cx, data, properties, &required, additional, site, pointer)
    }

    /// Defines the struct type for an object (or a merged `allOf`) at `site`.
    #[allow(clippy::too_many_arguments)]
    fn define_struct<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        data: &'a SchemaData,
        properties: Vec<Property<'a>>,
        required: &BTreeSet<String>,
        additional: Option<&'a AdditionalProperties>,
        site: Site,
        pointer: &Pointer,
    ) -> TypeRef {
        let Some(name) = self.site_name(cx, data, &site, "Object", pointer) else {
            return TypeRef::Json;
        };
        let slot = self.reserve(&name, &wire_of(&site, pointer));
        let strukt = self.lower_fields(cx, &name, properties, required, additional, pointer);
        self.defs[slot].kind = TypeKind::Struct(strukt);
        self.defs[slot].docs = schema_docs(data);
        TypeRef::Named(name)
    }

    /// Lowers the properties of an object (or of a merged `allOf`) into struct fields.
    fn lower_fields<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        parent: &str,
        properties: Vec<Property<'a>>,
        required: &BTreeSet<String>,
        additional: Option<&'a AdditionalProperties>,
        pointer: &Pointer,
    ) -> Struct {
        let typed_additional = matches!(additional, Some(AdditionalProperties::Schema(_)));
        let mut field_names = if typed_additional {
            Namespace::with_reserved(&["extra"])
        } else {
            Namespace::default()
        };
        let declared: BTreeSet<&str> = properties.iter().map(|(name, ..)| name.as_str()).collect();
        for name in required {
            if !declared.contains(name.as_str()) {
                cx.sink.report(
                    &pointer.join("required"),
                    format!("required property `{name}` is not declared in `properties`"),
                );
            }
        }
        let mut fields = Vec::new();
        for (wire, schema, at) in properties {
            let mut candidates = Vec::new();
            let mut docs = Docs::default();
            if let ReferenceOr::Item(schema) = schema {
                if let Some(rust) = cx.rust_name_extension(&schema.schema_data.extensions, &at) {
                    candidates.push(rust);
                }
                docs = schema_docs(&schema.schema_data);
            }
            candidates.extend(names::field_candidates(&wire));
            let Some(rust) = field_names.claim(candidates) else {
                cx.sink.report(
                    &at,
                    format!(
                        "property `{wire}` has no free Rust field name in `{parent}`; \
                         set `x-rust-name` on it"
                    ),
                );
                continue;
            };
            let hint = vec![format!("{parent}{}", names::type_name(&wire))];
            let lowered = self.lower(cx, schema, &hint, &at);
            fields.push(Field {
                name: Name {
                    rust,
                    wire: wire.clone(),
                },
                ty: lowered.ty,
                required: required.contains(&wire),
                nullable: lowered.nullable,
                docs,
            });
        }
        let additional = match additional {
            Some(AdditionalProperties::Schema(schema)) => {
                let hint = vec![format!("{parent}Value")];
                let value = self.lower(cx, schema, &hint, &pointer.join("additionalProperties"));
                Some(optional(value))
            }
            _ => None,
        };
        Struct { fields, additional }
    }

    fn lower_all_of<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        data: &'a SchemaData,
        members: &'a [ReferenceOr<Schema>],
        site: Site,
        pointer: &Pointer,
    ) -> TypeRef {
        if let [only] = members {
            // `allOf: [$ref]` is the 3.0 way to put a description next to a reference.
            let hint = match &site {
                Site::Component(name) => vec![name.clone()],
                Site::Inline(hint) => hint.clone(),
            };
            let lowered = self.lower(cx, only, &hint, &pointer.join("allOf").join(0));
            return lowered.ty;
        }
        let mut properties = Vec::new();
        let mut required = BTreeSet::new();
        let mut additional = None;
        self.collect_all_of(
            cx,
            members,
            &pointer.join("allOf"),
            &mut properties,
            &mut required,
            &mut additional,
            0,
        );
        self.define_struct(cx, data, properties, &required, additional, site, pointer)
    }

    /// Gathers the properties of every `allOf` member, following `$ref`s.
    #[allow(clippy::too_many_arguments)]
    fn collect_all_of<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        members: &'a [ReferenceOr<Schema>],
        pointer: &Pointer,
        properties: &mut Vec<Property<'a>>,
        required: &mut BTreeSet<String>,
        additional: &mut Option<&'a AdditionalProperties>,
        depth: usize,
    ) {
        if depth > 16 {
            cx.sink.report(
                pointer,
                "`allOf` nested more than 16 levels (probably a cycle)",
            );
            return;
        }
        for (index, member) in members.iter().enumerate() {
            let at = pointer.join(index);
            let Some((schema, at)) = cx.resolve(
                member,
                "schemas",
                |doc, name| doc.components.as_ref()?.schemas.get(name),
                &at,
            ) else {
                continue;
            };
            let (props, req, extra) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(object)) => (
                    &object.properties,
                    &object.required,
                    object.additional_properties.as_ref(),
                ),
                SchemaKind::Any(any)
                    if any.all_of.is_empty() && any.one_of.is_empty() && any.any_of.is_empty() =>
                {
                    (
                        &any.properties,
                        &any.required,
                        any.additional_properties.as_ref(),
                    )
                }
                SchemaKind::AllOf { all_of } => {
                    self.collect_all_of(
                        cx,
                        all_of,
                        &at.join("allOf"),
                        properties,
                        required,
                        additional,
                        depth + 1,
                    );
                    continue;
                }
                _ => {
                    cx.sink.report(
                        &at,
                        "unsupported `allOf` member: only object schemas can be merged",
                    );
                    continue;
                }
            };
            for (name, schema) in props {
                if let Some((_, existing, _)) = properties.iter().find(|(n, ..)| n == name) {
                    if *existing != schema {
                        cx.sink.report(
                            &at.join("properties").join(name),
                            format!(
                                "property `{name}` is declared differently by two `allOf` members"
                            ),
                        );
                    }
                    continue;
                }
                properties.push((name.clone(), schema, at.join("properties").join(name)));
            }
            required.extend(req.iter().cloned());
            if let Some(AdditionalProperties::Schema(_)) = extra {
                *additional = extra;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn lower_union<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        data: &'a SchemaData,
        keyword: &str,
        members: &'a [ReferenceOr<Schema>],
        site: Site,
        pointer: &Pointer,
    ) -> TypeRef {
        if let [only] = members {
            let hint = match &site {
                Site::Component(name) => vec![name.clone()],
                Site::Inline(hint) => hint.clone(),
            };
            return self
                .lower(cx, only, &hint, &pointer.join(keyword).join(0))
                .ty;
        }
        let Some(name) = self.site_name(cx, data, &site, "Union", pointer) else {
            return TypeRef::Json;
        };
        let slot = self.reserve(&name, &wire_of(&site, pointer));
        let tag = data.discriminator.as_ref().map(|d| d.property_name.clone());
        let fallback = if tag.is_some() { "Unknown" } else { "Other" };
        let mut variant_names = Namespace::with_reserved(&[fallback]);
        let mut variants = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let at = pointer.join(keyword).join(index);
            let title = match member {
                ReferenceOr::Item(schema) => {
                    schema.schema_data.title.as_deref().map(names::type_name)
                }
                ReferenceOr::Reference { .. } => None,
            };
            let hint: Vec<String> = title
                .iter()
                .cloned()
                .chain([format!("{name}Variant")])
                .collect();
            let lowered = self.lower(cx, member, &hint, &at);
            let ty = optional(lowered);
            let candidates: Vec<String> =
                title.into_iter().chain(variant_candidates(&ty)).collect();
            let Some(variant) = variant_names.claim(candidates) else {
                cx.sink.report(
                    &at,
                    "cannot name this union member distinctly from the others; give it a `title`",
                );
                continue;
            };
            let tag_value = match (&tag, member) {
                (None, _) => None,
                (Some(_), ReferenceOr::Reference { reference }) => {
                    let schema_name = component_name(reference, "schemas").unwrap_or_default();
                    let mapped = data.discriminator.as_ref().and_then(|d| {
                        d.mapping.iter().find(|(_, target)| {
                            *target == reference
                                || component_name(target, "schemas").as_deref()
                                    == Some(&schema_name)
                                || **target == schema_name
                        })
                    });
                    Some(
                        mapped
                            .map(|(value, _)| value.clone())
                            .unwrap_or(schema_name),
                    )
                }
                (Some(_), ReferenceOr::Item(_)) => {
                    cx.sink.report(
                        &at,
                        "unsupported: with a discriminator, every `oneOf` member must be a $ref",
                    );
                    None
                }
            };
            variants.push(UnionVariant {
                name: variant,
                ty,
                tag_value,
            });
        }
        self.defs[slot].kind = TypeKind::Union(Union {
            variants,
            tag,
            fallback: fallback.to_owned(),
        });
        self.defs[slot].docs = schema_docs(data);
        TypeRef::Named(name)
    }

    fn define_enum(
        &mut self,
        cx: &mut Cx<'_>,
        data: &SchemaData,
        values: &[&str],
        site: Site,
        pointer: &Pointer,
    ) -> TypeRef {
        let Some(name) = self.site_name(cx, data, &site, "Enum", pointer) else {
            return TypeRef::String;
        };
        let slot = self.reserve(&name, &wire_of(&site, pointer));
        let explicit: Option<Vec<String>> = data
            .extensions
            .get("x-enum-varnames")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .filter(|names: &Vec<String>| names.len() == values.len());
        if data.extensions.contains_key("x-enum-varnames") && explicit.is_none() {
            cx.sink.report(
                &pointer.join("x-enum-varnames"),
                "`x-enum-varnames` must be a list of strings, one per enum value",
            );
        }
        let mut variant_names = Namespace::with_reserved(&["Unknown"]);
        let mut variants = Vec::new();
        for (index, value) in values.iter().enumerate() {
            let derived = match &explicit {
                Some(explicit) => Some(names::type_name(&explicit[index])),
                None => names::variant_name(value),
            };
            let Some(derived) = derived else {
                cx.sink.report(
                    &pointer.join("enum").join(index),
                    format!("cannot derive a Rust variant name from enum value {value:?}; set `x-enum-varnames`"),
                );
                continue;
            };
            let Some(rust) = variant_names.claim(names::variant_candidates(&derived, value)) else {
                cx.sink.report(
                    &pointer.join("enum").join(index),
                    format!("enum value {value:?} maps to the same Rust variant as another; set `x-enum-varnames`"),
                );
                continue;
            };
            variants.push(Name {
                rust,
                wire: (*value).to_owned(),
            });
        }
        self.defs[slot].kind = TypeKind::Enum(StringEnum { variants });
        self.defs[slot].docs = schema_docs(data);
        TypeRef::Named(name)
    }

    /// The name of the type a schema at `site` defines.
    fn site_name(
        &mut self,
        cx: &mut Cx<'_>,
        data: &SchemaData,
        site: &Site,
        kind: &str,
        pointer: &Pointer,
    ) -> Option<String> {
        let hint = match site {
            Site::Component(name) => return Some(name.clone()),
            Site::Inline(hint) => hint,
        };
        let mut candidates = Vec::new();
        if let Some(rust) = cx.rust_name_extension(&data.extensions, pointer) {
            candidates.push(rust);
        }
        if let Some(title) = &data.title {
            candidates.push(names::type_name(title));
        }
        candidates.extend(hint.iter().cloned());
        if let Some(first) = hint.first() {
            candidates.push(format!("{first}{kind}"));
        }
        let tried = candidates.join("`, `");
        let claimed = self.names.claim(candidates);
        if claimed.is_none() {
            cx.sink.report(
                pointer,
                format!("no free Rust name for this inline schema (tried `{tried}`); give it a `title` or `x-rust-name`"),
            );
        }
        claimed
    }

    /// Reserves the definition slot for `name`, so a type is listed before the inline types
    /// it contains.
    fn reserve(&mut self, name: &str, wire: &str) -> usize {
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
                TypeKind::Alias(ty) => {
                    let target = match &*ty {
                        TypeRef::Option(inner) => &**inner,
                        other => other,
                    };
                    if let TypeRef::Named(target) = target
                        && reaches(target, &own)
                    {
                        let pointer = Pointer::root()
                            .join("components")
                            .join("schemas")
                            .join(&def.name.wire);
                        cx.sink.report(
                            &pointer,
                            format!("schema `{}` is defined in terms of itself", def.name.wire),
                        );
                    }
                }
                TypeKind::Enum(_) => {}
            }
        }
        self.defs
    }
}

/// Types a definition contains by value (not behind a `Vec` or map), which is what makes a
/// recursive type infinitely large.
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
        TypeKind::Enum(_) => BTreeSet::new(),
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

/// Candidate variant names for a union member of this type.
fn variant_candidates(ty: &TypeRef) -> Vec<String> {
    match ty {
        TypeRef::Named(name) => vec![name.clone()],
        TypeRef::Bool => vec!["Bool".into()],
        TypeRef::I32 | TypeRef::I64 => vec!["Integer".into()],
        TypeRef::F32 | TypeRef::F64 => vec!["Number".into()],
        TypeRef::String => vec!["String".into(), "Text".into()],
        TypeRef::Json => vec!["Any".into()],
        TypeRef::JsonObject => vec!["Object".into()],
        TypeRef::Vec(inner) => variant_candidates(inner)
            .into_iter()
            .map(|n| format!("{n}List"))
            .collect(),
        TypeRef::Map(inner) => variant_candidates(inner)
            .into_iter()
            .map(|n| format!("{n}Map"))
            .collect(),
        TypeRef::Option(inner) | TypeRef::Boxed(inner) => variant_candidates(inner),
    }
}

/// A lowered value as the element of a container: nullable elements become `Option<T>`.
fn optional(lowered: Lowered) -> TypeRef {
    if lowered.nullable {
        TypeRef::Option(Box::new(lowered.ty))
    } else {
        lowered.ty
    }
}

fn child_hint(site: &Site, suffix: &str) -> Vec<String> {
    match site {
        Site::Component(name) => vec![format!("{name}{suffix}")],
        Site::Inline(hint) => hint
            .iter()
            .take(1)
            .map(|h| format!("{h}{suffix}"))
            .collect(),
    }
}

fn wire_of(site: &Site, pointer: &Pointer) -> String {
    match site {
        Site::Component(_) => pointer
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .replace("~1", "/")
            .replace("~0", "~"),
        Site::Inline(_) => pointer.as_str().to_owned(),
    }
}

/// A schema's title and description, as doc paragraphs.
fn schema_docs(data: &SchemaData) -> Docs {
    let mut docs = Docs::from_parts([data.title.as_deref(), data.description.as_deref()]);
    if data.deprecated {
        docs.push("Deprecated in the API description.");
    }
    docs
}
