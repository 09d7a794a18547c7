//! The types module: one emitter per kind of named type (struct, enum, union, alias).

use proc_macro2::TokenStream;
use quote::quote;

use super::{Scope, docs, ident, rust_type};
use crate::ir::{Api, Field, StringEnum, Struct, TypeDef, TypeKind, TypeRef, Union};

pub(super) fn emit_types_file(api: &Api) -> TokenStream {
    let header = docs::inner(&[
        format!(
            "Request and response types of the {} (version {}), generated from {}.",
            docs::spec_text(&api.title),
            docs::spec_text(&api.version),
            docs::code(&api.source)
        ),
        "Every type decodes leniently: unknown properties are ignored and unknown enum values are \
       kept in an `Unknown` variant, so new server fields never break a response."
            .to_owned(),
    ]);
    let items = api.types.iter().map(emit_type);
    quote! {
        #header
        #(#items)*
    }
}

fn emit_type(def: &TypeDef) -> TokenStream {
    let docs = type_docs(def);
    match &def.kind {
        TypeKind::Struct(strukt) => emit_struct(def, &docs, strukt),
        TypeKind::Enum(enumeration) => emit_enum(def, &docs, enumeration),
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
    let default = strukt.all_optional().then(|| quote!(Default,));
    let fields = strukt.fields.iter().map(emit_field);
    let extra = strukt.additional.as_ref().map(|value| {
        let value = rust_type(value, Scope::Types);
        quote! {
            /// Properties not declared by the schema, as allowed by its `additionalProperties`.
            #[serde(flatten)]
            pub extra: ::std::collections::BTreeMap<String, #value>,
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #extra
        }
    }
}

fn emit_field(field: &Field) -> TokenStream {
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
        serde.push(quote!(default, skip_serializing_if = "Option::is_none"));
    }
    let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
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
    let name = ident(&def.name.rust);
    let fallback = ident(&union.fallback);
    let variants = union.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let ty = rust_type(&variant.ty, Scope::Types);
        let rename = variant
            .tag_value
            .as_ref()
            .map(|value| quote!(#[serde(rename = #value)]));
        let doc = docs::outer(&[match &variant.tag_value {
            Some(value) => format!(
                "Selected by `{}: {value}`.",
                union.tag.as_deref().unwrap_or_default()
            ),
            None => "One of the shapes the API description allows.".to_owned(),
        }]);
        quote!(#doc #rename #variant_name(#ty),)
    });
    match &union.tag {
        Some(tag) => quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(tag = #tag)]
            #[allow(clippy::large_enum_variant)]
            pub enum #name {
                #(#variants)*
                /// A kind this version of the client does not know.
                #[serde(other)]
                #fallback,
            }
        },
        None => quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(untagged)]
            #[allow(clippy::large_enum_variant)]
            pub enum #name {
                #(#variants)*
                /// A shape the API description does not list, kept as sent.
                #fallback(::serde_json::Value),
            }
        },
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
