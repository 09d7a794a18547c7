//! Composition: `oneOf`/`anyOf` → unions with descriptive variant names, `allOf` → one type
//! merged as JSON Schema means it (the intersection), and `type` lists → unions of JSON types.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use super::schema::{
    Types, admits_null, declared_types, inferred_types, is_annotation_only, is_constraint_only,
};
use super::schemas::{
    Declaration, Lowered, Site, TypeSpace, optional, required_names, schema_docs, typed_additional,
    wire_of,
};
use super::{Cx, component_name};
use crate::doc::Node;
use crate::error::Pointer;
use crate::ir::{TypeKind, TypeRef, Union, UnionVariant};
use crate::names::{self, Namespace};

/// How many `allOf` levels are flattened before a chain is taken for a cycle.
const MAX_ALL_OF_DEPTH: usize = 16;

/// One schema of a composition, with the node its `$ref`s lead to.
#[derive(Clone)]
struct Part<'a> {
    /// The schema as written (possibly a `$ref`).
    raw: &'a Node,
    /// Where it is written.
    at: Pointer,
    /// The schema its `$ref`s lead to (itself when it is none).
    resolved: &'a Node,
    /// Where that is.
    resolved_at: Pointer,
}

/// Follows `$ref`s without reporting (lowering reports what does not resolve).
fn peek<'a>(cx: &Cx<'a>, node: &'a Node, at: &Pointer) -> (&'a Node, Pointer) {
    let mut node = node;
    let mut at = at.clone();
    for _ in 0..32 {
        let Some(reference) = node.str_field("$ref") else {
            break;
        };
        let Some(fragment) = reference.strip_prefix('#') else {
            break;
        };
        let fragment = crate::doc::percent_decode(fragment);
        match cx.doc.pointer(&fragment) {
            Some(target) => {
                node = target;
                at = Pointer::from_text(&fragment);
            }
            None => break,
        }
    }
    (node, at)
}

fn part<'a>(cx: &Cx<'a>, raw: &'a Node, at: Pointer) -> Part<'a> {
    let (resolved, resolved_at) = peek(cx, raw, &at);
    Part {
        raw,
        at,
        resolved,
        resolved_at,
    }
}

/// The JSON types a schema's values may have (declared, else implied by its keywords).
fn types_of(node: &Node) -> Types {
    declared_types(node)
        .unwrap_or_else(|| inferred_types(node))
        .without(Types::NULL)
}

/// The types a schema's values definitely have: declared, or fixed by its `enum`/`const`
/// values. Keywords such as `items` or `minLength` constrain only values of their own type and
/// say nothing here, so they never make two `allOf` members conflict.
fn definite_types(node: &Node) -> Types {
    if let Some(declared) = declared_types(node) {
        return declared.without(Types::NULL);
    }
    let values: Vec<&Node> = node
        .items("enum")
        .iter()
        .chain(node.get("const"))
        .filter(|v| !matches!(v, Node::Null))
        .collect();
    values.iter().fold(Types::default(), |types, value| {
        types.with(Types::of_value(value))
    })
}

/// Whether a schema stands only for `null`: `type: null`, a `null` const or enum, or 3.0's
/// `{nullable: true}` alone (how 3.0 documents write "or null" in a union).
fn is_null_schema(node: &Node) -> bool {
    declared_types(node) == Some(Types::NULL)
        || matches!(node.get("const"), Some(Node::Null))
        || (node.items("enum").len() == 1 && matches!(node.items("enum")[0], Node::Null))
        || (node.flag("nullable") && is_annotation_only(node))
}

/// Whether a schema is a string (with or without known values), and its known values.
fn string_values(node: &Node) -> Option<Vec<String>> {
    let composed = ["allOf", "oneOf", "anyOf", "properties", "$ref"]
        .iter()
        .any(|k| node.get(k).is_some());
    if composed || types_of(node) != Types::STRING {
        return None;
    }
    let mut values: Vec<String> = node
        .items("enum")
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_owned)
        .collect();
    if let Some(value) = node.str_field("const") {
        values.push(value.to_owned());
    }
    Some(values)
}

/// A JSON type in words, for messages.
fn describe(types: Types) -> &'static str {
    match types.without(Types::NULL).single() {
        Some(Types::STRING) => "a string",
        Some(Types::INTEGER) => "an integer",
        Some(Types::NUMBER) => "a number",
        Some(Types::BOOLEAN) => "a boolean",
        Some(Types::ARRAY) => "a list",
        Some(Types::OBJECT) => "an object",
        _ if types.has(Types::INTEGER) && types.has(Types::NUMBER) => "a number",
        _ => "of several types",
    }
}

/// The name of a JSON type, as a variant name.
fn type_word(types: Types) -> Option<&'static str> {
    Some(match types.single()? {
        Types::STRING => "String",
        Types::INTEGER => "Integer",
        Types::NUMBER => "Number",
        Types::BOOLEAN => "Boolean",
        Types::OBJECT => "Object",
        Types::ARRAY => "Array",
        _ => "Null",
    })
}

impl TypeSpace {
    /// `oneOf`/`anyOf` at `node`. `None` when its members only constrain (`{required: [a]}`),
    /// so the schema's own shape stands.
    pub(super) fn lower_union<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        keyword: &str,
        members: &'a [Node],
        site: &Site,
        at: &Pointer,
    ) -> Option<Lowered> {
        let base = at.join(keyword);
        let parts: Vec<Part<'a>> = members
            .iter()
            .enumerate()
            .map(|(i, m)| part(cx, m, base.join(i)))
            .collect();
        let mut nullable = admits_null(node);
        let mut kept = Vec::new();
        for part in parts {
            if is_null_schema(part.resolved) {
                nullable = true;
            } else if !is_constraint_only(part.resolved) {
                kept.push(part);
            }
        }
        if kept.is_empty() {
            // Only `null`s: any JSON value or none. Only constraints: the schema's own shape.
            let only_nulls = members.iter().all(|m| is_null_schema(peek(cx, m, at).0));
            return only_nulls.then(|| Lowered::json().or_null(true));
        }
        // A member that admits any value (`{}`) makes the union admit any value.
        if kept.iter().any(|p| is_annotation_only(p.resolved)) {
            return Some(Lowered::json().or_null(nullable));
        }
        // Properties written beside the union belong to every member.
        let own = self.own_part(cx, node, &["oneOf", "anyOf", "discriminator"], at);
        if kept.len() == 1 {
            let only = kept.remove(0);
            let lowered = match own {
                Some(own) => self.merge_parts(cx, node, vec![own, only], site.same(), at),
                None => self.lower_node(cx, only.raw, site.same(), &only.at),
            };
            return Some(lowered.or_null(nullable));
        }
        // Strings of several kinds (known values, any string) are one enum that keeps the
        // values it does not know.
        if own.is_none() {
            let strings: Option<Vec<Vec<String>>> =
                kept.iter().map(|p| string_values(p.resolved)).collect();
            if let Some(strings) = strings {
                let values: Vec<String> = strings.into_iter().flatten().collect();
                if values.is_empty() {
                    return Some(Lowered::of(TypeRef::String).or_null(nullable));
                }
                let ty = self.define_enum(cx, node, &values, site.same(), at);
                return Some(Lowered::of(ty).or_null(nullable));
            }
        }
        // Several string members beside others are one string member with every value.
        let string_members: Vec<usize> = kept
            .iter()
            .enumerate()
            .filter(|(_, p)| p.raw.get("$ref").is_none() && string_values(p.resolved).is_some())
            .map(|(i, _)| i)
            .collect();
        if own.is_none() && string_members.len() > 1 && node.get("discriminator").is_none() {
            let mut values = Vec::new();
            let mut open = false;
            for &i in &string_members {
                let found = string_values(kept[i].resolved).unwrap_or_default();
                open |= found.is_empty();
                values.extend(found.into_iter().map(|v| Node::Str(v.into())));
            }
            let mut merged = vec![("type".into(), Node::Str("string".into()))];
            if !open {
                merged.push(("enum".into(), Node::Seq(values.into_boxed_slice())));
            }
            let merged: &'a Node = cx.arena.alloc(Node::Map(merged.into_boxed_slice()));
            let at_first = kept[string_members[0]].at.clone();
            let mut rest = Vec::new();
            for (i, part) in kept.into_iter().enumerate() {
                if i == string_members[0] {
                    rest.push(Part {
                        raw: merged,
                        at: at_first.clone(),
                        resolved: merged,
                        resolved_at: at_first.clone(),
                    });
                } else if !string_members.contains(&i) {
                    rest.push(part);
                }
            }
            kept = rest;
        }
        let name = self.site_name(cx, node, site, "Union", at)?;
        let slot = self.reserve(&name, &wire_of(site, at));
        // A discriminator, or else a property every member fixes to a value of its own (an
        // implicit one): the members are told apart by that value, not by trying shapes.
        let tag = node
            .get("discriminator")
            .and_then(|d| d.str_field("propertyName"))
            .map(str::to_owned)
            .or_else(|| implicit_tag(cx, &kept));
        let mut tags: Vec<Option<String>> = kept
            .iter()
            .map(|p| tag.as_deref().and_then(|t| tag_value(node, p, t, cx)))
            .collect();
        let tag = match tag {
            Some(tag) if tags.iter().all(Option::is_some) => Some(tag),
            Some(tag) => {
                cx.sink.warn(
                    &at.join("discriminator"),
                    format!(
                        "not every member says which `{tag}` value selects it (no mapping, no \
                         const or single-value enum); the union is told apart by shape"
                    ),
                );
                tags = vec![None; kept.len()];
                None
            }
            None => None,
        };
        let fallback = if tag.is_some() { "Unknown" } else { "Other" };
        let mut variant_names = Namespace::with_reserved(&[fallback]);
        let mut variants = Vec::new();
        for (index, (member, tag_value)) in kept.iter().zip(tags).enumerate() {
            let mut candidates = self.variant_candidates(cx, member);
            if let Some(value) = &tag_value {
                candidates.insert(usize::from(!candidates.is_empty()), names::type_name(value));
            }
            let variant = match variant_names.claim(candidates) {
                Some(variant) => variant,
                None => {
                    let positional = variant_names
                        .claim((index + 1..).map(|n| format!("Variant{n}")).take(1000))
                        .unwrap_or_default();
                    cx.sink.warn(
                        &member.at,
                        format!(
                            "nothing tells this `{keyword}` member apart from the others by name; \
                             it is the variant `{positional}` of `{name}`: give it a `title` or \
                             `x-rust-name`"
                        ),
                    );
                    positional
                }
            };
            let hint = Site::Inline(vec![format!("{name}{variant}")]);
            let lowered = match &own {
                Some(own) => self.merge_parts(
                    cx,
                    member.raw,
                    vec![own.clone(), member.clone()],
                    hint,
                    &member.at,
                ),
                None => self.lower_node(cx, member.raw, hint, &member.at),
            };
            variants.push(UnionVariant {
                name: variant,
                ty: optional(lowered),
                tag_value,
            });
        }
        self.defs[slot].kind = TypeKind::Union(Union {
            variants,
            tag,
            fallback: fallback.to_owned(),
        });
        self.defs[slot].docs = schema_docs(node);
        Some(Lowered::of(TypeRef::Named(name)).or_null(nullable))
    }

    /// Descriptive names for a union member, most telling first: its `x-rust-name`, its
    /// `$ref` name, its title, its one required property (`{"running": {…}}`), a property
    /// with one possible value (a tag), its JSON type.
    fn variant_candidates<'a>(&self, cx: &mut Cx<'a>, member: &Part<'a>) -> Vec<String> {
        let mut candidates = Vec::new();
        for node in [member.raw, member.resolved] {
            if let Some(rust) = cx.rust_name_extension(node, &member.at) {
                candidates.push(rust);
            }
        }
        if let Some(reference) = member.raw.str_field("$ref") {
            match component_name(reference, "schemas") {
                Some(component) => candidates.push(names::type_name(&component)),
                None => {
                    if let Some(last) = reference.rsplit('/').next() {
                        candidates.push(names::type_name(&crate::doc::unescape(last)));
                    }
                }
            }
        }
        if let Some(title) = member.resolved.str_field("title") {
            candidates.push(names::type_name(title));
        }
        let properties = member.resolved.entries("properties");
        let required: Vec<&str> = member
            .resolved
            .items("required")
            .iter()
            .filter_map(Node::as_str)
            .collect();
        if let [(only, _)] = properties
            && required == [&**only]
        {
            candidates.push(names::type_name(only));
        }
        for (_, schema) in properties {
            let (schema, _) = peek(cx, schema, &member.resolved_at);
            let single = match (schema.str_field("const"), schema.items("enum")) {
                (Some(value), _) => Some(value),
                (None, [Node::Str(value)]) => Some(&**value),
                _ => None,
            };
            if let Some(value) = single {
                candidates.push(names::type_name(value));
            }
        }
        let types = types_of(member.resolved);
        if types.single() == Some(Types::ARRAY)
            && let Some(items) = member.resolved.get("items")
            && let Some(reference) = items.str_field("$ref")
            && let Some(component) = component_name(reference, "schemas")
        {
            candidates.push(format!("{}List", names::type_name(&component)));
        }
        if let Some(word) = type_word(types) {
            candidates.push(word.to_owned());
        }
        candidates.retain(|c| c != "Unnamed");
        candidates
    }

    /// `allOf` at `node` (with the schema's own keywords as one more member).
    pub(super) fn lower_all_of<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        let mut parts = Vec::new();
        // A 3.1 `$ref` beside other keywords is one member, the rest another.
        if let Some(reference) = node.get("$ref") {
            let ref_only = cx
                .arena
                .alloc(Node::Map(Box::new([("$ref".into(), reference.clone())])));
            parts.push(part(cx, ref_only, at.clone()));
        }
        if let Some(own) = self.own_part(cx, node, &["allOf", "$ref"], at) {
            parts.push(own);
        }
        let base = at.join("allOf");
        for (index, member) in node.items("allOf").iter().enumerate() {
            parts.push(part(cx, member, base.join(index)));
        }
        self.merge_parts(cx, node, parts, site, at)
    }

    /// A property declared by several `allOf` members: the intersection of its declarations.
    pub(super) fn merge_declarations<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        declarations: &[Declaration<'a>],
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        let parts = declarations
            .iter()
            .map(|(node, at)| part(cx, node, at.clone()))
            .collect();
        self.merge_parts(cx, declarations[0].0, parts, site, at)
    }

    /// The schema's keywords other than `skip`, as a member of its own composition, when they
    /// say anything beyond annotations.
    fn own_part<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        skip: &[&str],
        at: &Pointer,
    ) -> Option<Part<'a>> {
        let entries = node.as_map()?;
        let kept: Vec<(Box<str>, Node)> = entries
            .iter()
            .filter(|(k, _)| !skip.contains(&&**k))
            .cloned()
            .collect();
        let own: &'a Node = cx.arena.alloc(Node::Map(kept.into_boxed_slice()));
        if is_annotation_only(own) || own.as_map().is_some_and(<[_]>::is_empty) {
            return None;
        }
        Some(Part {
            raw: own,
            at: at.clone(),
            resolved: own,
            resolved_at: at.clone(),
        })
    }

    /// The intersection of `parts`, documented by `docs`: one member that shapes values stands
    /// for the whole (`allOf: [$ref]` beside a description); objects merge into one struct;
    /// scalars of compatible types give the most specific one; conflicting types are an error.
    fn merge_parts<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        docs: &'a Node,
        parts: Vec<Part<'a>>,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        let (shaping, annotations): (Vec<Part<'a>>, Vec<Part<'a>>) = parts
            .into_iter()
            .partition(|p| !is_annotation_only(p.resolved));
        let nullable = admits_null(docs)
            || annotations.iter().any(|p| admits_null(p.resolved))
            || (!shaping.is_empty() && shaping.iter().all(|p| admits_null(p.resolved)));
        match shaping.as_slice() {
            [] => return Lowered::json().or_null(nullable),
            [only] => {
                return self
                    .lower_node(cx, only.raw, site, &only.at)
                    .or_null(nullable);
            }
            _ => {}
        }
        let mut flat = Vec::new();
        for part in &shaping {
            self.flatten(cx, part, &mut flat, 0);
        }
        let objects: Vec<&Part<'a>> = flat
            .iter()
            .filter(|p| {
                definite_types(p.resolved).has(Types::OBJECT)
                    || p.resolved.get("properties").is_some()
                    || p.resolved.get("additionalProperties").is_some()
            })
            .collect();
        let unions: Vec<&Part<'a>> = flat
            .iter()
            .filter(|p| {
                (p.resolved.get("oneOf").is_some() || p.resolved.get("anyOf").is_some())
                    && !definite_types(p.resolved).has(Types::OBJECT)
                    && p.resolved.get("properties").is_none()
            })
            .collect();
        let scalars: Vec<&Part<'a>> = flat
            .iter()
            .filter(|p| {
                let types = definite_types(p.resolved);
                !types.is_empty()
                    && !types.has(Types::OBJECT)
                    && p.resolved.get("properties").is_none()
                    && p.resolved.get("oneOf").is_none()
                    && p.resolved.get("anyOf").is_none()
            })
            .collect();
        if !objects.is_empty() && !scalars.is_empty() {
            let found = describe(definite_types(scalars[0].resolved));
            cx.sink.warn(
                &scalars[0].at,
                format!(
                    "`allOf` members conflict: one is an object, another is {found}; no value can be \
                     both, so the schema is read as any JSON value"
                ),
            );
            return Lowered::json().or_null(nullable);
        }
        if objects.is_empty() && unions.is_empty() {
            return self
                .merge_scalars(cx, &scalars, &flat, site)
                .or_null(nullable);
        }
        if objects.is_empty() {
            // Only unions (and constraints): the first union stands for the whole.
            let first = unions[0];
            if unions.len() > 1 {
                cx.sink.warn(
                    at,
                    "an `allOf` of several `oneOf`/`anyOf` is read as its first one; the others are not checked",
                );
            }
            return self
                .lower_node(cx, first.raw, site, &first.at)
                .or_null(nullable);
        }
        // One struct: every member's properties (a property declared by several members is the
        // intersection of its declarations), every member's required names.
        let mut properties: IndexMap<String, Vec<Declaration<'a>>> = IndexMap::new();
        let mut required = BTreeSet::new();
        let mut additional = None;
        for part in &flat {
            if let Some(entries) = part.resolved.get("properties").and_then(Node::as_map) {
                let base = part.resolved_at.join("properties");
                for (name, schema) in entries.iter() {
                    properties
                        .entry(name.to_string())
                        .or_default()
                        .push((schema, base.join(name)));
                }
            }
            required.extend(required_names(cx, part.resolved, &part.resolved_at));
            if let Some(extra) = part.resolved.get("additionalProperties")
                && typed_additional(extra)
            {
                additional = Some((extra, part.resolved_at.join("additionalProperties")));
            }
        }
        if !unions.is_empty() && additional.is_none() {
            cx.sink.warn(
                &unions[0].at,
                "a `oneOf`/`anyOf` inside `allOf` with object members is not a type of its own; \
                 its properties are kept, undeclared, in the struct's `extra` map",
            );
            additional = Some((
                cx.arena.alloc(Node::Map(Box::new([(
                    "type".into(),
                    Node::Str("object".into()),
                )]))) as &Node,
                unions[0].at.clone(),
            ));
        }
        let ty = self.object_type(cx, docs, properties, required, additional, site, at);
        Lowered::of(ty).or_null(nullable)
    }

    /// Flattens nested `allOf`s (through `$ref`s) into their members.
    fn flatten<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        part: &Part<'a>,
        out: &mut Vec<Part<'a>>,
        depth: usize,
    ) {
        let members = part.resolved.items("allOf");
        if members.is_empty() || depth > MAX_ALL_OF_DEPTH {
            if depth > MAX_ALL_OF_DEPTH {
                cx.sink.report(
                    &part.at,
                    "`allOf` nested more than 16 levels (probably a cycle)",
                );
            }
            out.push(part.clone());
            return;
        }
        if let Some(own) = self.own_part(cx, part.resolved, &["allOf"], &part.resolved_at) {
            out.push(own);
        }
        let base = part.resolved_at.join("allOf");
        for (index, member) in members.iter().enumerate() {
            let inner = self::part(cx, member, base.join(index));
            self.flatten(cx, &inner, out, depth + 1);
        }
    }

    /// Scalars that must all hold: compatible types give the most specific member (one with an
    /// enum, else a `$ref`, else the first); incompatible ones are an error.
    fn merge_scalars<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        scalars: &[&Part<'a>],
        flat: &[Part<'a>],
        site: Site,
    ) -> Lowered {
        let mut common: Option<Types> = None;
        for part in scalars {
            let mut types = definite_types(part.resolved);
            // Every integer is a number.
            if types.has(Types::NUMBER) {
                types = types.with(Types::INTEGER);
            }
            let both = match common {
                None => types,
                Some(common) => Types::intersect(common, types),
            };
            if both.is_empty() {
                let before = common.map_or_else(String::new, |c| describe(c).to_owned());
                cx.sink.warn(
                    &part.at,
                    format!(
                        "`allOf` members conflict: one is {before}, another is {}; no value can be \
                         both, so the schema is read as any JSON value",
                        describe(definite_types(part.resolved))
                    ),
                );
                return Lowered::json();
            }
            common = Some(both);
        }
        let best = scalars
            .iter()
            .find(|p| !p.resolved.items("enum").is_empty())
            .or_else(|| scalars.iter().find(|p| p.raw.get("$ref").is_some()))
            .or_else(|| scalars.first())
            .copied()
            .or_else(|| flat.first());
        match best {
            Some(best) => self.lower_node(cx, best.raw, site, &best.at),
            None => Lowered::json(),
        }
    }

    /// A schema admitting several JSON types (`type: [string, integer]`): a union with one
    /// variant per type.
    pub(super) fn lower_multi_type<'a>(
        &mut self,
        cx: &mut Cx<'a>,
        node: &'a Node,
        types: Types,
        site: Site,
        at: &Pointer,
    ) -> Lowered {
        if types == Types::NUMBER.with(Types::INTEGER) {
            return Lowered::of(TypeRef::F64);
        }
        let Some(name) = self.site_name(cx, node, &site, "Union", at) else {
            return Lowered::json();
        };
        let slot = self.reserve(&name, &wire_of(&site, at));
        let mut variants = Vec::new();
        for single in types.each() {
            let word = type_word(single).unwrap_or("Value");
            let ty = match single {
                Types::STRING => TypeRef::String,
                Types::INTEGER => TypeRef::I64,
                Types::NUMBER => TypeRef::F64,
                Types::BOOLEAN => TypeRef::Bool,
                _ => {
                    // The object or array reading of the same keywords.
                    let mut only = node.as_map().map(<[_]>::to_vec).unwrap_or_default();
                    only.retain(|(k, _)| &**k != "type");
                    only.push(("type".into(), Node::Str(word.to_ascii_lowercase().into())));
                    let only: &'a Node = cx.arena.alloc(Node::Map(only.into_boxed_slice()));
                    let hint = Site::Inline(vec![format!("{name}{word}")]);
                    optional(self.lower_shape(cx, only, hint, at))
                }
            };
            variants.push(UnionVariant {
                name: word.to_owned(),
                ty,
                tag_value: None,
            });
        }
        self.defs[slot].kind = TypeKind::Union(Union {
            variants,
            tag: None,
            fallback: "Other".to_owned(),
        });
        self.defs[slot].docs = schema_docs(node);
        Lowered::of(TypeRef::Named(name))
    }
}

/// The single value a member fixes its property `name` to (`const`, or a one-value `enum`).
fn fixed_value<'a>(cx: &Cx<'a>, member: &Part<'a>, name: &str) -> Option<String> {
    let property = member.resolved.get("properties")?.get(name)?;
    let (property, _) = peek(cx, property, &member.resolved_at);
    match (property.str_field("const"), property.items("enum")) {
        (Some(value), _) => Some(value.to_owned()),
        (None, [Node::Str(value)]) => Some(value.to_string()),
        _ => None,
    }
}

/// A property every member (all objects) fixes to a distinct value of its own.
fn implicit_tag<'a>(cx: &Cx<'a>, members: &[Part<'a>]) -> Option<String> {
    let first = members.first()?;
    let candidates = first.resolved.entries("properties");
    candidates.iter().find_map(|(name, _)| {
        let values: Option<Vec<String>> =
            members.iter().map(|m| fixed_value(cx, m, name)).collect();
        let values = values?;
        let distinct: std::collections::BTreeSet<&String> = values.iter().collect();
        (distinct.len() == values.len()).then(|| name.to_string())
    })
}

/// The value of the discriminator `tag` that selects `member`: from the mapping, else from the
/// member's own single-valued `tag` property, else its component name.
fn tag_value<'a>(owner: &Node, member: &Part<'a>, tag: &str, cx: &Cx<'a>) -> Option<String> {
    let reference = member.raw.str_field("$ref");
    let component = reference.and_then(|r| component_name(r, "schemas"));
    if let Some(mapping) = owner.get("discriminator").and_then(|d| d.get("mapping")) {
        for (value, target) in mapping.as_map().unwrap_or(&[]) {
            let Some(target) = target.as_str() else {
                continue;
            };
            let same = Some(target) == reference
                || (component.is_some()
                    && (component_name(target, "schemas") == component
                        || Some(target) == component.as_deref()));
            if same {
                return Some(value.to_string());
            }
        }
    }
    // The member's own `tag` property, in it or in the members of its `allOf`.
    let mut schemas = vec![(member.resolved, member.resolved_at.clone())];
    let base = member.resolved_at.join("allOf");
    for (index, inner) in member.resolved.items("allOf").iter().enumerate() {
        schemas.push(peek(cx, inner, &base.join(index)));
    }
    for (schema, at) in schemas {
        if let Some(property) = schema.get("properties").and_then(|p| p.get(tag)) {
            let (property, _) = peek(cx, property, &at);
            match (property.str_field("const"), property.items("enum")) {
                (Some(value), _) => return Some(value.to_owned()),
                (None, [Node::Str(value)]) => return Some(value.to_string()),
                _ => {}
            }
        }
    }
    component
}

impl Types {
    /// The types in both sets.
    pub(super) fn intersect(a: Types, b: Types) -> Types {
        let mut out = Types::default();
        for t in a.each() {
            if b.has(t) {
                out = out.with(t);
            }
        }
        out
    }
}
