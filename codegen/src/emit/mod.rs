//! Emitting: IR → token streams. The only layer that uses `quote!`; one emitter per item kind.
//!
//! Generated code names external items by absolute path (`::serde::Serialize`,
//! `::codegen_runtime::Error`) and sibling modules by `super::` (`super::types::Badge`), so the
//! files compile wherever a crate root places the modules side by side.

mod client;
mod codec;
pub(crate) mod docs;
mod mock;
mod operations;
mod request;
mod shapes;
mod types;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, TypeRef};

/// What every emitter may consult, built once per generation and shared by the threads.
pub(crate) struct Context<'a> {
    /// The API.
    pub(crate) api: &'a Api,
    /// Named types by Rust name.
    pub(crate) index: TypeIndex<'a>,
    /// The shapes of named types, for the spec-mismatch report.
    pub(crate) shapes: shapes::Shapes<'a>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(api: &'a Api) -> Self {
        Self {
            api,
            index: TypeIndex::new(api),
            shapes: shapes::Shapes::new(api),
        }
    }
}

/// One output file: its head (module docs, `use`s and the file's fixed items), then one unit
/// per type or per operation. Units are emitted and formatted independently, in chunks on as
/// many threads as there are cores, and the file is put together in order, so neither the
/// time nor the memory of one large file is bounded by a single thread or a whole syntax tree.
pub(crate) struct FileEmitter {
    /// File name in the generated crate's `src/`.
    pub(crate) name: &'static str,
    /// The head of the file.
    pub(crate) head: fn(&Context<'_>) -> TokenStream,
    /// How many units follow the head.
    pub(crate) units: fn(&Api) -> usize,
    /// Emits unit `index` (the items of one type or one operation).
    pub(crate) unit: fn(&Context<'_>, usize) -> TokenStream,
}

/// The generated files, in output order.
pub(crate) const FILES: [FileEmitter; 4] = [
    FileEmitter {
        name: "types.rs",
        head: types::emit_head,
        units: |api| api.types.len(),
        unit: |cx, index| types::emit_type(&cx.api.types[index]),
    },
    FileEmitter {
        name: "client.rs",
        head: client::emit_head,
        units: |api| api.operations.len(),
        unit: |cx, index| operations::emit_operation(cx, &cx.api.operations[index]),
    },
    FileEmitter {
        name: "mock.rs",
        head: mock::emit_head,
        units: |api| api.operations.len(),
        unit: |cx, index| mock::emit_operation(cx, &cx.api.operations[index]),
    },
    FileEmitter {
        name: "shapes.rs",
        head: shapes::emit_head,
        units: |api| api.types.len(),
        unit: |cx, index| shapes::emit_shape(&cx.shapes, &cx.api.types[index]),
    },
];

/// The named types of an API, for emitters that need to know what a name stands for.
pub(crate) struct TypeIndex<'a> {
    defs: std::collections::HashMap<&'a str, &'a crate::ir::TypeDef>,
}

/// What kind of value a parameter is, for how it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// A string (or an alias of one).
    Text,
    /// A string enum: sent by its wire value.
    StringEnum,
    /// A number or boolean: sent formatted.
    Scalar,
    /// A list of text, string enums or scalars.
    List(Scalar),
    /// Anything else: serialized by the runtime in the parameter's style.
    Other,
}

/// The kind of the items of a list parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    Text,
    StringEnum,
    Other,
}

impl<'a> TypeIndex<'a> {
    pub(crate) fn new(api: &'a Api) -> Self {
        Self {
            defs: api
                .types
                .iter()
                .map(|d| (d.name.rust.as_str(), d))
                .collect(),
        }
    }

    pub(crate) fn def(&self, name: &str) -> Option<&'a crate::ir::TypeDef> {
        self.defs.get(name).copied()
    }

    /// Follows aliases to the type behind a name.
    pub(crate) fn resolve<'t>(&'t self, mut ty: &'t TypeRef) -> &'t TypeRef {
        for _ in 0..64 {
            match ty {
                TypeRef::Named(name) => match self.def(name).map(|d| &d.kind) {
                    Some(crate::ir::TypeKind::Alias(inner)) => ty = inner,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }

    fn scalar(&self, ty: &TypeRef) -> Option<Scalar> {
        match self.resolve(ty) {
            TypeRef::String => Some(Scalar::Text),
            TypeRef::Named(name) => matches!(
                self.def(name).map(|d| &d.kind),
                Some(crate::ir::TypeKind::Enum(_))
            )
            .then_some(Scalar::StringEnum),
            TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 => {
                Some(Scalar::Other)
            }
            _ => None,
        }
    }

    /// How a value of this type is sent as a parameter.
    pub(crate) fn value_kind(&self, ty: &TypeRef) -> ValueKind {
        match self.scalar(ty) {
            Some(Scalar::Text) => ValueKind::Text,
            Some(Scalar::StringEnum) => ValueKind::StringEnum,
            Some(Scalar::Other) => ValueKind::Scalar,
            None => match self.resolve(ty) {
                TypeRef::Vec(inner) => match self.scalar(inner) {
                    Some(scalar) => ValueKind::List(scalar),
                    None => ValueKind::Other,
                },
                _ => ValueKind::Other,
            },
        }
    }
}

/// An identifier decided by lowering (always valid: `names` guarantees it).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Where a type reference is written: inside the types module, or from a sibling module.
#[derive(Clone, Copy)]
pub(crate) enum Scope {
    /// In `types.rs`: named types by bare name.
    Types,
    /// In a sibling module: named types as `super::types::Name`.
    Sibling,
}

/// The Rust type for a [`TypeRef`].
pub(crate) fn rust_type(ty: &TypeRef, scope: Scope) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::String => quote!(String),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Binary => quote!(::codegen_runtime::Binary),
        TypeRef::JsonObject => quote!(::serde_json::Map<String, ::serde_json::Value>),
        TypeRef::Named(name) => {
            let name = ident(name);
            match scope {
                Scope::Types => quote!(#name),
                Scope::Sibling => quote!(super::types::#name),
            }
        }
        TypeRef::Boxed(inner) => {
            let inner = rust_type(inner, scope);
            quote!(Box<#inner>)
        }
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner, scope);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner, scope);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Option(inner) => {
            let inner = rust_type(inner, scope);
            quote!(Option<#inner>)
        }
    }
}
