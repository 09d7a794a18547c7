//! The shapes module: one static per named type, saying which properties and enum values the
//! API description declares, for the runtime's opt-in report of responses that disagree with it.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::{Scope, docs, ident};
use crate::ir::{Api, TypeDef, TypeKind, TypeRef};

/// Named types by Rust name, to resolve aliases and pick each type's kind of shape.
pub(crate) struct Shapes<'a> {
    defs: BTreeMap<&'a str, &'a TypeDef>,
}

impl<'a> Shapes<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        Self {
            defs: api
                .types
                .iter()
                .map(|d| (d.name.rust.as_str(), d))
                .collect(),
        }
    }

    /// A `::codegen_runtime::Shape` expression for a type, naming statics of the shapes module
    /// from `scope`.
    pub(super) fn of(&self, ty: &TypeRef, scope: Scope) -> TokenStream {
        self.of_depth(ty, scope, 0)
    }

    /// The shape of a response body as an expression that can be passed by value: a body that
    /// is an array or a map at the top needs a `static` to borrow its element shape from.
    pub(super) fn of_body(&self, ty: &TypeRef) -> TokenStream {
        let shape = self.of(ty, Scope::Sibling);
        if self.is_container(ty, 0) {
            quote!({
                static SHAPE: ::codegen_runtime::Shape = #shape;
                SHAPE
            })
        } else {
            shape
        }
    }

    /// Whether values of `ty` are checked further than [`Shape::Any`](codegen_runtime): named
    /// objects, enums and unions, and what contains them.
    fn checks(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::Vec(inner)
            | TypeRef::Map(inner)
            | TypeRef::Option(inner)
            | TypeRef::Boxed(inner) => self.checks(inner, depth),
            TypeRef::Named(name) => match self.defs.get(name.as_str()).map(|d| &d.kind) {
                Some(TypeKind::Struct(_) | TypeKind::Enum(_) | TypeKind::Union(_)) => true,
                Some(TypeKind::Alias(target)) if depth < 64 => self.checks(target, depth + 1),
                _ => false,
            },
            _ => false,
        }
    }

    fn is_container(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::Vec(_) | TypeRef::Map(_) => true,
            TypeRef::Option(inner) | TypeRef::Boxed(inner) => self.is_container(inner, depth),
            TypeRef::Named(name) => match self.defs.get(name.as_str()).map(|d| &d.kind) {
                Some(TypeKind::Alias(target)) if depth < 64 => self.is_container(target, depth + 1),
                _ => false,
            },
            _ => false,
        }
    }

    fn of_depth(&self, ty: &TypeRef, scope: Scope, depth: usize) -> TokenStream {
        // The shapes file names the runtime `rt` (a name no type can take: types are
        // PascalCase), which keeps its many statics short.
        let shape = match scope {
            Scope::Types => quote!(rt::Shape),
            Scope::Sibling => quote!(::codegen_runtime::Shape),
        };
        match ty {
            TypeRef::Vec(inner) => {
                let inner = self.of_depth(inner, scope, depth);
                quote!(#shape::Array(&#inner))
            }
            TypeRef::Map(inner) => {
                let inner = self.of_depth(inner, scope, depth);
                quote!(#shape::Map(&#inner))
            }
            TypeRef::Option(inner) | TypeRef::Boxed(inner) => self.of_depth(inner, scope, depth),
            TypeRef::Named(name) => {
                let Some(def) = self.defs.get(name.as_str()) else {
                    return quote!(#shape::Any);
                };
                let path = match scope {
                    Scope::Types => {
                        let name = ident(name);
                        quote!(#name)
                    }
                    Scope::Sibling => {
                        let name = ident(name);
                        quote!(super::shapes::#name)
                    }
                };
                match &def.kind {
                    TypeKind::Struct(_) => quote!(#shape::Object(&#path)),
                    TypeKind::Enum(_) => quote!(#shape::Enum(&#path)),
                    TypeKind::IntEnum(_) => quote!(#shape::Any),
                    TypeKind::Union(union) if union.tag.is_some() => quote!(#shape::Tagged(&#path)),
                    TypeKind::Union(_) => quote!(#shape::OneOf(&#path)),
                    // Lowering refuses alias cycles; the bound is a second guard.
                    TypeKind::Alias(target) if depth < 64 => {
                        self.of_depth(target, scope, depth + 1)
                    }
                    TypeKind::Alias(_) => quote!(#shape::Any),
                }
            }
            _ => quote!(#shape::Any),
        }
    }
}

/// The module docs of the shapes file.
pub(super) fn emit_head(cx: &super::Context<'_>) -> TokenStream {
    let header = docs::inner(&[format!(
        "What the {} declares of each type, for `record_spec_mismatches`: generated from {}.",
        docs::spec_text(&cx.api.title),
        docs::code(&cx.api.source)
    )]);
    quote! {
        #header
        #![allow(non_upper_case_globals)]

        use ::codegen_runtime as rt;
    }
}

/// The shape static of one named type.
pub(super) fn emit_shape(shapes: &Shapes<'_>, def: &TypeDef) -> TokenStream {
    let name = ident(&def.name.rust);
    let schema = &def.name.wire;
    let doc = docs::outer(&[format!(
        "The shape of [`{0}`](super::types::{0}).",
        def.name.rust
    )]);
    match &def.kind {
        TypeKind::Struct(strukt) => {
            let names = nul_joined(strukt.fields.iter().map(|f| f.name.wire.as_str()));
            let nested = strukt
                .fields
                .iter()
                .enumerate()
                .filter_map(|(index, field)| {
                    let index = proc_macro2::Literal::usize_unsuffixed(index);
                    shapes.checks(&field.ty, 0).then(|| {
                        let shape = shapes.of(&field.ty, Scope::Types);
                        quote!((#index, #shape))
                    })
                });
            let additional = match &strukt.additional {
                Some(value) => {
                    let shape = shapes.of(value, Scope::Types);
                    quote!(Some(&#shape))
                }
                None => quote!(None),
            };
            quote! {
                #doc
                pub static #name: rt::ObjectShape = rt::ObjectShape {
                    schema: #schema,
                    names: #names,
                    nested: &[#(#nested),*],
                    additional: #additional,
                };
            }
        }
        TypeKind::Enum(enumeration) => {
            let values = nul_joined(enumeration.variants.iter().map(|v| v.wire.as_str()));
            quote! {
                #doc
                pub static #name: rt::EnumShape = rt::EnumShape {
                    schema: #schema,
                    values: #values,
                };
            }
        }
        TypeKind::Union(union) => match &union.tag {
            Some(tag) => {
                let variants = union.variants.iter().map(|variant| {
                    let value = variant.tag_value.clone().unwrap_or_default();
                    let shape = shapes.of(&variant.ty, Scope::Types);
                    quote!((#value, #shape))
                });
                quote! {
                    #doc
                    pub static #name: rt::TaggedShape = rt::TaggedShape {
                        tag: #tag,
                        variants: &[#(#variants),*],
                    };
                }
            }
            None => {
                let members: Vec<TokenStream> = union
                    .variants
                    .iter()
                    .map(|variant| shapes.of(&variant.ty, Scope::Types))
                    .collect();
                let count = members.len();
                quote! {
                    #doc
                    pub static #name: [rt::Shape; #count] = [#(#members),*];
                }
            }
        },
        // An alias is described by what it names, wherever it is used; integer values are
        // not reported.
        TypeKind::Alias(_) | TypeKind::IntEnum(_) => TokenStream::new(),
    }
}

/// Names as one string, each followed by a NUL, as the runtime's shapes read them.
fn nul_joined<'n>(names: impl Iterator<Item = &'n str>) -> String {
    let mut joined = String::new();
    for name in names {
        joined.push_str(name);
        joined.push('\0');
    }
    joined
}
