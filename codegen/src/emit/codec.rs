//! The `Serialize` and `Deserialize` impls of a struct, emitted as one invocation of the
//! runtime's `object_codec!` instead of serde's derives: one line per property (its kind, wire
//! name and field), expanded by the macro into a map written in declaration order and one
//! `visit_map` that reads it. The JSON is the derives' both ways (see `runtime/src/codec.rs`);
//! the code a crate compiles is a third of theirs, which was most of what a generated crate
//! cost to build (BENCHMARKS.md, §4), and the source to format stays small. Structs with
//! `additionalProperties` keep the derives, which gather the rest into `extra` through
//! `#[serde(flatten)]`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::ident;
use crate::ir::Struct;

/// `::codegen_runtime::object_codec!(#name { kind "wire" field, … });`, with `default` before
/// the name when every property is optional.
pub(super) fn object_codec(name: &Ident, strukt: &Struct) -> TokenStream {
    let properties = strukt.fields.iter().map(|field| {
        let kind = ident(match (field.required, field.nullable) {
            (true, false) => "required",
            (true, true) => "nullable",
            (false, _) => "optional",
        });
        let wire = &field.name.wire;
        let rust = ident(&field.name.rust);
        quote!(#kind #wire #rust)
    });
    // With every property optional the struct derives `Default`, and decoding fills one in
    // place: measurably faster than collecting locals (BENCHMARKS.md, §3).
    let default = strukt.all_optional().then(|| quote!(default));
    quote! {
        ::codegen_runtime::object_codec!(#default #name { #(#properties),* });
    }
}
