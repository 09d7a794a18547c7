//! The types module: one emitter per kind of named type (struct, enum, union, alias).

use proc_macro2::TokenStream;
use quote::quote;

use super::{Context, Scope, codec, docs, ident, rust_type};
use crate::ir::{Field, IntEnum, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union};

/// The module docs of the types file.
pub(super) fn emit_head(cx: &Context<'_>) -> TokenStream {
    let api = cx.api;
    docs::inner(&[
        format!(
            "Request and response types of the {} (version {}), generated from {}.",
            docs::spec_text(&api.title),
            docs::spec_text(&api.version),
            docs::code(&api.source)
        ),
        "Every type decodes leniently: unknown properties are ignored and unknown enum values are \
       kept in an `Unknown` variant, so new server fields never break a response."
            .to_owned(),
    ])
}

/// One named type and its impls.
pub(super) fn emit_type(def: &TypeDef) -> TokenStream {
    let docs = type_docs(def);
    match &def.kind {
        TypeKind::Struct(strukt) => emit_struct(def, &docs, strukt),
        TypeKind::Enum(enumeration) => emit_enum(def, &docs, enumeration),
        TypeKind::IntEnum(enumeration) => emit_int_enum(def, &docs, enumeration),
        TypeKind::Union(union) => emit_union(def, &docs, union),
        TypeKind::Alias(ty) => emit_alias(def, &docs, ty),
    }
}

fn type_docs(def: &TypeDef) -> TokenStream {
    let mut paragraphs: Vec<String> = def.docs.0.iter().map(|p| docs::spec_text(p)).collect();
    if def.name.wire.starts_with('/') {
        paragraphs.push(format!(
            "Defined inline at {} in the API description.",
            docs::code(&def.name.wire)
        ));
    } else {
        paragraphs.push(format!(
            "Schema {} in the API description.",
            docs::code(&def.name.wire)
        ));
    }
    docs::outer(&paragraphs)
}

fn emit_struct(def: &TypeDef, docs: &TokenStream, strukt: &Struct) -> TokenStream {
    let name = ident(&def.name.rust);
    // With every field optional, the struct's `Default` fills whatever is missing, so the
    // fields need no `default` of their own.
    let all_optional = strukt.all_optional();
    let default = all_optional.then(|| quote!(Default,));
    let container = all_optional.then(|| quote!(#[serde(default)]));
    // Our own `Serialize` and `Deserialize` (see `codec.rs`), except where `flatten` gathers
    // the rest: then the derives, which read the fields' attributes.
    let derived = strukt.additional.is_some();
    let fields = strukt
        .fields
        .iter()
        .map(|field| emit_field(field, derived, !all_optional));
    let extra = strukt.additional.as_ref().map(|value| {
        let value = rust_type(value, Scope::Types);
        quote! {
            /// Properties not declared by the schema, as allowed by its `additionalProperties`.
            #[serde(flatten)]
            pub extra: ::std::collections::BTreeMap<String, #value>,
        }
    });
    let constructor = emit_constructor(&name, strukt, def.sent);
    let (derive, container, codec) = match &extra {
        Some(_) => (
            quote!(::serde::Serialize, ::serde::Deserialize),
            container,
            None,
        ),
        None => (quote!(), None, Some(codec::object_codec(&name, strukt))),
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default #derive)]
        #container
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extra
        }

        #constructor

        #codec
    }
}

/// Structs are `#[non_exhaustive]`, so that a property the API adds later is not a breaking
/// change. They are built with `Default` (every field optional) or with `new` taking the
/// required fields; the types requests carry (`sent`) also get a `with_…` setter per optional
/// field: `BadgeRequest::default().with_name("Gold")`. Values only received are read, and in
/// tests built with `Default` and assignment, so they go without (which keeps the crate small).
fn emit_constructor(name: &proc_macro2::Ident, strukt: &Struct, sent: bool) -> TokenStream {
    let required: Vec<&Field> = strukt.fields.iter().filter(|f| f.required).collect();
    let new = (!required.is_empty()).then(|| {
        let params = required.iter().map(|field| {
            let name = ident(&field.name.rust);
            let inner = rust_type(&field.ty, Scope::Types);
            let ty = if field.is_option() {
                quote!(Option<#inner>)
            } else {
                inner
            };
            quote!(#name: #ty)
        });
        let inits = strukt.fields.iter().map(|field| {
            let name = ident(&field.name.rust);
            if field.required {
                quote!(#name)
            } else {
                quote!(#name: None)
            }
        });
        let extra = strukt
            .additional
            .as_ref()
            .map(|_| quote!(extra: ::std::collections::BTreeMap::new(),));
        let lint = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        let args: Vec<String> = required
            .iter()
            .map(|field| format!("`{}`", field.name.rust))
            .collect();
        let doc = docs::outer(&[format!(
            "A value with its required properties ({}) and every optional one unset.",
            args.join(", ")
        )]);
        quote! {
            #doc
            #lint
            pub fn new(#(#params),*) -> Self {
                Self {
                    #(#inits,)*
                    #extra
                }
            }
        }
    });
    if new.is_none() && (!sent || strukt.fields.iter().all(|f| f.required)) {
        return TokenStream::new();
    }
    let setters = strukt
        .fields
        .iter()
        .filter(|f| sent && !f.required)
        .map(|field| {
            let name = ident(&field.name.rust);
            let setter = ident(&format!(
                "with_{}",
                field
                    .name
                    .rust
                    .strip_suffix('_')
                    .unwrap_or(&field.name.rust)
            ));
            let inner = rust_type(&field.ty, Scope::Types);
            let doc = docs::outer(&[format!(
                "Sets [`{}`](Self::{}).",
                field.name.rust, field.name.rust
            )]);
            quote! {
                #doc
                pub fn #setter(mut self, value: impl Into<#inner>) -> Self {
                    self.#name = Some(value.into());
                    self
                }
            }
        });
    quote! {
        impl #name {
            #new
            #(#setters)*
        }
    }
}

/// A struct field; `derived` when serde's derives read its attributes, `own_default` when a
/// missing optional field then needs its own `default`.
fn emit_field(field: &Field, derived: bool, own_default: bool) -> TokenStream {
    let name = ident(&field.name.rust);
    let docs = field_docs(field);
    let inner = rust_type(&field.ty, Scope::Types);
    let ty = if field.is_option() {
        quote!(Option<#inner>)
    } else {
        inner
    };
    let mut serde = Vec::new();
    if field.name.rust != field.name.wire {
        let wire = &field.name.wire;
        serde.push(quote!(rename = #wire));
    }
    if !field.required {
        if own_default {
            serde.push(quote!(default));
        }
        serde.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    let serde = (derived && !serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
    quote! {
        #docs
        #serde
        pub #name: #ty,
    }
}

fn field_docs(field: &Field) -> TokenStream {
    if field.docs.is_empty() {
        docs::outer(&[format!("The {} property.", docs::code(&field.name.wire))])
    } else {
        let paragraphs: Vec<String> = field.docs.0.iter().map(|p| docs::spec_text(p)).collect();
        docs::outer(&paragraphs)
    }
}

fn emit_enum(def: &TypeDef, docs: &TokenStream, enumeration: &StringEnum) -> TokenStream {
    let name = ident(&def.name.rust);
    let variants: Vec<_> = enumeration
        .variants
        .iter()
        .map(|v| ident(&v.rust))
        .collect();
    let wires: Vec<&str> = enumeration
        .variants
        .iter()
        .map(|v| v.wire.as_str())
        .collect();
    let variant_docs = wires.iter().map(|wire| docs::outer(&[docs::code(wire)]));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variants,)*
            /// A value this version of the client does not know, kept as sent.
            Unknown(String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#variants,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#wires => Self::#variants,)*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }
    }
}

fn emit_union(def: &TypeDef, docs: &TokenStream, union: &Union) -> TokenStream {
    match &union.tag {
        Some(tag) => emit_tagged_union(def, docs, union, tag),
        None => emit_untagged_union(def, docs, union),
    }
}

fn emit_untagged_union(def: &TypeDef, docs: &TokenStream, union: &Union) -> TokenStream {
    let name = ident(&def.name.rust);
    let fallback = ident(&union.fallback);
    let variants = union.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let ty = rust_type(&variant.ty, Scope::Types);
        let doc = docs::outer(&["One of the shapes the API description allows.".to_owned()]);
        quote!(#doc #variant_name(#ty),)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(untagged)]
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A shape the API description does not list, kept as sent.
            #fallback(::serde_json::Value),
        }
    }
}

/// A union told apart by a tag property. The variants' types usually declare the tag
/// themselves (they are shared schemas), so decoding reads the tag from the whole value and
/// hands the value, tag included, to the variant; encoding adds the tag where the value lacks
/// it. An unknown tag keeps the whole value.
fn emit_tagged_union(def: &TypeDef, docs: &TokenStream, union: &Union, tag: &str) -> TokenStream {
    let name = ident(&def.name.rust);
    let fallback = ident(&union.fallback);
    let variant_names: Vec<_> = union.variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<String> = union
        .variants
        .iter()
        .map(|v| v.tag_value.clone().unwrap_or_default())
        .collect();
    let variants = union.variants.iter().zip(&values).map(|(variant, value)| {
        let variant_name = ident(&variant.name);
        let ty = rust_type(&variant.ty, Scope::Types);
        let doc = docs::outer(&[format!("Selected by `{tag}: {value}`.")]);
        quote!(#doc #variant_name(#ty),)
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A kind this version of the client does not know, kept as sent.
            #fallback(::serde_json::Value),
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let (tag, value) = match self {
                    #(Self::#variant_names(value) => (#values, ::serde_json::to_value(value).map_err(::serde::ser::Error::custom)?),)*
                    Self::#fallback(value) => return ::serde::Serialize::serialize(value, serializer),
                };
                let mut value = value;
                if let Some(object) = value.as_object_mut() {
                    object
                        .entry(#tag)
                        .or_insert_with(|| ::serde_json::Value::String(tag.to_owned()));
                }
                ::serde::Serialize::serialize(&value, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(Some(#values) => ::serde_json::from_value(value).map(Self::#variant_names).map_err(::serde::de::Error::custom),)*
                    _ => Ok(Self::#fallback(value)),
                }
            }
        }
    }
}

fn emit_int_enum(def: &TypeDef, docs: &TokenStream, enumeration: &IntEnum) -> TokenStream {
    let name = ident(&def.name.rust);
    let variants: Vec<_> = enumeration.variants.iter().map(|(v, _)| ident(v)).collect();
    let values: Vec<proc_macro2::Literal> = enumeration
        .variants
        .iter()
        .map(|(_, value)| proc_macro2::Literal::i64_unsuffixed(*value))
        .collect();
    let variant_docs = enumeration
        .variants
        .iter()
        .map(|(_, value)| docs::outer(&[format!("`{value}`")]));
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variants,)*
            /// A value this version of the client does not know, kept as sent.
            Unknown(i64),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn value(&self) -> i64 {
                match self {
                    #(Self::#variants => #values,)*
                    Self::Unknown(value) => *value,
                }
            }
        }

        impl From<i64> for #name {
            fn from(value: i64) -> Self {
                match value {
                    #(#values => Self::#variants,)*
                    other => Self::Unknown(other),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <i64 as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }
    }
}

fn emit_alias(def: &TypeDef, docs: &TokenStream, ty: &TypeRef) -> TokenStream {
    let name = ident(&def.name.rust);
    let ty = rust_type(ty, Scope::Types);
    quote! {
        #docs
        pub type #name = #ty;
    }
}
