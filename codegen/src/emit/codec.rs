//! The `Serialize` and `Deserialize` impls of a struct, emitted instead of serde-derive's.
//!
//! `Serialize` writes a map of the fields in order, skipping optional fields that are `None`
//! (required nullable ones are written as `null`), which is the JSON the derive wrote.
//! `Deserialize` is one `visit_map` that
//! resolves each property name to an index (the runtime's `FieldKey`, fed a `match` on the
//! declared names) and reads the value into its field. It decodes what the derive decoded, with
//! the same messages (`expected struct Badge`, ``missing field `id` ``), and ignores unknown
//! properties; unlike the derive it refuses a JSON array for an object, and a repeated property
//! keeps its last value. It is a third of the derive's code, which is most of what a generated
//! crate costs to compile (BENCHMARKS.md, §4). Structs with `additionalProperties` keep the
//! derives, which gather the rest into `extra` through `#[serde(flatten)]`.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::ident;
use crate::ir::Struct;

/// `impl Serialize for #name`.
pub(super) fn serialize_struct(name: &Ident, strukt: &Struct) -> TokenStream {
    if strukt.fields.is_empty() {
        return quote! {
            impl ::serde::Serialize for #name {
                fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                    ::serde::ser::SerializeMap::end(serializer.serialize_map(Some(0))?)
                }
            }
        };
    }
    let entries = strukt.fields.iter().map(|field| {
        let rust = ident(&field.name.rust);
        let wire = &field.name.wire;
        if field.required {
            quote!(map.serialize_entry(#wire, &self.#rust)?;)
        } else {
            quote! {
                if let Some(value) = &self.#rust {
                    map.serialize_entry(#wire, value)?;
                }
            }
        }
    });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S: ::serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                #(#entries)*
                map.end()
            }
        }
    }
}

/// `impl Deserialize for #name`. Structs whose every field is optional start from `Default`;
/// others collect each field in a local and report the first missing required one.
pub(super) fn deserialize_struct(name: &Ident, strukt: &Struct) -> TokenStream {
    let expecting = format!("struct {name}");
    let wires = strukt.fields.iter().map(|field| field.name.wire.as_str());
    let indices: Vec<Literal> = (0..strukt.fields.len())
        .map(Literal::usize_unsuffixed)
        .collect();
    let body = if strukt.fields.is_empty() {
        quote! {
            while map.next_key::<::serde::de::IgnoredAny>()?.is_some() {
                map.next_value::<::serde::de::IgnoredAny>()?;
            }
            Ok(#name::default())
        }
    } else if strukt.all_optional() {
        let names = strukt.fields.iter().map(|field| ident(&field.name.rust));
        quote! {
            let mut value = #name::default();
            while let Some(index) = map.next_key_seed(key)? {
                match index {
                    #(#indices => value.#names = map.next_value()?,)*
                    _ => {
                        map.next_value::<::serde::de::IgnoredAny>()?;
                    }
                }
            }
            Ok(value)
        }
    } else {
        let locals: Vec<Ident> = (0..strukt.fields.len())
            .map(|i| format_ident!("f{i}"))
            .collect();
        let reads = strukt.fields.iter().zip(&locals).map(|(field, local)| {
            if field.is_option() {
                quote!(#local = map.next_value()?)
            } else {
                quote!(#local = Some(map.next_value()?))
            }
        });
        let inits = strukt.fields.iter().zip(&locals).map(|(field, local)| {
            let rust = ident(&field.name.rust);
            if field.is_option() {
                quote!(#rust: #local)
            } else {
                let wire = &field.name.wire;
                quote! {
                    #rust: #local.ok_or_else(|| {
                        <__A::Error as ::serde::de::Error>::missing_field(#wire)
                    })?
                }
            }
        });
        quote! {
            #(let mut #locals = None;)*
            while let Some(index) = map.next_key_seed(key)? {
                match index {
                    #(#indices => #reads,)*
                    _ => {
                        map.next_value::<::serde::de::IgnoredAny>()?;
                    }
                }
            }
            Ok(#name { #(#inits),* })
        }
    };
    let key = (!strukt.fields.is_empty()).then(|| {
        quote! {
            let key = ::codegen_runtime::FieldKey(|key| match key {
                #(#wires => #indices,)*
                _ => ::codegen_runtime::UNKNOWN_FIELD,
            });
        }
    });
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<__D: ::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> Result<Self, __D::Error> {
                struct __Visitor;

                impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                    type Value = #name;

                    fn expecting(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        formatter.write_str(#expecting)
                    }

                    fn visit_map<__A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: __A,
                    ) -> Result<#name, __A::Error> {
                        #key
                        #body
                    }
                }

                deserializer.deserialize_map(__Visitor)
            }
        }
    }
}
