//! Operations: one client method, one request builder, and (where the operation needs them) a
//! response enum for success statuses with different bodies and a body enum for several media
//! types, per operation. How `send()` builds the request is in [`super::request`].

use proc_macro2::TokenStream;
use quote::quote;

use super::request::emit_sends;
use super::shapes::Shapes;
use super::{Context, Scope, TypeIndex, docs, ident, rust_type};
use crate::ir::{
    Api, Body, BodyKind, Bounds, Location, Operation, Param, PathPart, Response, ResponseBody,
    Status, Success, TypeRef,
};

/// One operation's unit of the client file: its `Client` method (in an `impl Client` block of
/// its own) and its request builder, response and body enums.
pub(super) fn emit_operation(cx: &Context<'_>, op: &Operation) -> TokenStream {
    let method = emit_method(cx.api, &cx.index, op);
    let items = emit_operation_items(cx.api, &cx.index, &cx.shapes, op);
    quote! {
        impl Client {
            #method
        }

        #items
    }
}

/// Path parameters in template order, then other required parameters in spec order.
pub(super) fn arguments(op: &Operation) -> Vec<&Param> {
    let mut args: Vec<&Param> = Vec::new();
    for part in &op.path_parts {
        if let PathPart::Param(index) = part
            && !args.iter().any(|p| std::ptr::eq(*p, &op.params[*index]))
        {
            args.push(&op.params[*index]);
        }
    }
    args.extend(
        op.params
            .iter()
            .filter(|p| p.is_argument() && p.location != Location::Path),
    );
    args
}

/// How a parameter's value is accepted from callers: strings as `impl Into<String>`.
pub(super) fn input_type(ty: &TypeRef) -> TokenStream {
    if ty.is_string() {
        quote!(impl Into<String>)
    } else {
        rust_type(ty, Scope::Sibling)
    }
}

pub(super) fn convert(ty: &TypeRef, value: TokenStream) -> TokenStream {
    if ty.is_string() {
        quote!(#value.into())
    } else {
        value
    }
}

/// The type a body is held as: the body enum, or the default media type's type.
pub(super) fn body_type(body: &Body) -> TokenStream {
    if let Some(choice) = &body.choice {
        let choice = ident(choice);
        return quote!(#choice);
    }
    kind_type(body.default_kind())
}

/// The Rust type of one media type's value.
pub(super) fn kind_type(kind: &BodyKind) -> TokenStream {
    match kind {
        BodyKind::Json { ty, .. } | BodyKind::Form { ty, .. } | BodyKind::Multipart { ty, .. } => {
            rust_type(ty, Scope::Sibling)
        }
        BodyKind::Binary { .. } => quote!(::codegen_runtime::Binary),
        BodyKind::Text { .. } => quote!(String),
    }
}

/// How a body is accepted: `impl Into<…>` where a conversion helps (text, bytes, the body enum).
fn body_input(body: &Body) -> (TokenStream, bool) {
    if let Some(choice) = &body.choice {
        let choice = ident(choice);
        return (quote!(impl Into<#choice>), true);
    }
    match body.default_kind() {
        BodyKind::Binary { .. } => (quote!(impl Into<::codegen_runtime::Binary>), true),
        BodyKind::Text { .. } => (quote!(impl Into<String>), true),
        other => (kind_type(other), false),
    }
}

fn emit_method(api: &Api, index: &TypeIndex<'_>, op: &Operation) -> TokenStream {
    let method = ident(&op.name.rust);
    let builder = ident(&op.builder);
    let args = arguments(op);
    let params = args.iter().map(|p| {
        let name = ident(&p.name.rust);
        let ty = input_type(&p.ty);
        quote!(#name: #ty)
    });
    let body_arg = op.body.as_ref().filter(|b| b.required).map(|b| {
        let name = ident(&b.name);
        let (ty, _) = body_input(b);
        quote!(#name: #ty)
    });
    let inits = op.params.iter().map(|p| {
        let name = ident(&p.name.rust);
        if p.is_argument() && p.ty.is_string() {
            quote!(#name: #name.into())
        } else if p.is_argument() {
            quote!(#name)
        } else {
            quote!(#name: None)
        }
    });
    let body_init = op.body.as_ref().map(|b| {
        let name = ident(&b.name);
        let (_, converts) = body_input(b);
        match (b.required, converts) {
            (true, true) => quote!(#name: #name.into()),
            (true, false) => quote!(#name),
            (false, _) => quote!(#name: None),
        }
    });
    let doc = docs::outer(&method_docs(api, index, op));
    let deprecated = op
        .deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]));
    let aliases = doc_aliases(op);
    quote! {
        #doc
        #aliases
        #deprecated
        pub fn #method(&self, #(#params,)* #body_arg) -> #builder<'_> {
            #builder {
                client: self,
                options: ::codegen_runtime::CallOptions::default(),
                #(#inits,)*
                #body_init
            }
        }
    }
}

/// `#[doc(alias)]`es so that rustdoc's search finds the method by its operationId and path.
/// Texts rustdoc refuses (quotes, tabs, line breaks, edge spaces) or that equal the method's
/// name are left out.
fn doc_aliases(op: &Operation) -> Option<TokenStream> {
    let mut aliases: Vec<String> = Vec::new();
    for alias in [
        op.name.wire.clone(),
        op.path.clone(),
        format!("{} {}", op.method.as_str(), op.path),
    ] {
        let usable = !alias.is_empty()
            && alias.trim() == alias
            && !alias.contains(['"', '\'', '\t', '\n', '\r', '\\'])
            && alias != op.name.rust;
        if usable && !aliases.contains(&alias) {
            aliases.push(alias);
        }
    }
    (!aliases.is_empty()).then(|| quote!(#[doc(#(alias = #aliases),*)]))
}

fn method_docs(api: &Api, index: &TypeIndex<'_>, op: &Operation) -> Vec<String> {
    let mut paragraphs = Vec::new();
    paragraphs.extend(op.summary.iter().map(|s| docs::spec_text(s)));
    paragraphs.extend(op.description.iter().map(|s| docs::spec_text(s)));
    paragraphs.push(format!(
        "{} (operation {}).",
        docs::code(&format!("{} {}", op.method.as_str(), op.path)),
        docs::code(&op.name.wire)
    ));
    if let Some(note) = &op.deprecated {
        paragraphs.push(format!("**Deprecated:** {}", docs::spec_text(note)));
    }
    let mut args: Vec<String> = arguments(op).iter().map(|p| param_line(api, p)).collect();
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        let what = match (&body.choice, body.default_kind()) {
            (None, BodyKind::Json { media, .. }) if media == "application/json" => {
                "the JSON request body".to_owned()
            }
            _ => format!("the request body ({})", media_list(body)),
        };
        let mut line = format!("- `{}`: {what}", body.name);
        if let Some(text) = body.docs.0.first() {
            line.push_str(&format!(": {}", docs::one_line(text.trim_end_matches('.'))));
        }
        line.push('.');
        args.push(line);
    }
    if !args.is_empty() {
        paragraphs.push(format!("Arguments:\n{}", args.join("\n")));
    }
    let optional: Vec<String> = op
        .params
        .iter()
        .filter(|p| !p.is_argument())
        .map(|p| format!("[`{0}`]({1}::{0})", p.name.rust, op.builder))
        .chain(
            op.body
                .iter()
                .filter(|b| !b.required)
                .map(|b| format!("[`{0}`]({1}::{0})", b.name, op.builder)),
        )
        .collect();
    if !optional.is_empty() {
        paragraphs.push(format!(
            "Optional parameters are set on the returned [`{}`]: {}. Call [`send`]({}::send) to run the request.",
            op.builder,
            optional.join(", "),
            op.builder
        ));
    } else {
        paragraphs.push(format!(
            "Call [`send`]({}::send) on the returned builder to run the request.",
            op.builder
        ));
    }
    if op.pagination.is_some() {
        paragraphs.push(format!(
            "[`stream`]({}::stream) walks every page and yields the items one by one.",
            op.builder
        ));
    }
    if streams(op) {
        paragraphs.push(format!(
            "[`send_stream`]({}::send_stream) hands over the body as it arrives, for large downloads.",
            op.builder
        ));
    }
    let mut responses: Vec<String> = op
        .responses
        .iter()
        .map(|r| response_line(index, r))
        .collect();
    if !op.responses.iter().any(|r| r.status.is_success()) {
        responses.insert(
            0,
            "- any `2xx`: the API description documents no success response; the status and \
             headers are returned with no body."
                .to_owned(),
        );
    }
    paragraphs.push(format!(
        "Responses:\n{}\n\nEvery other status is an [`Error::Response`](crate::Error::Response) \
         that keeps the status, headers and body.",
        responses.join("\n")
    ));
    paragraphs
}

fn media_list(body: &Body) -> String {
    let media: Vec<String> = body.kinds.iter().map(|k| docs::code(k.media())).collect();
    media.join(", ")
}

fn param_line(api: &Api, p: &Param) -> String {
    let mut line = format!(
        "- `{}` ({} {})",
        p.name.rust,
        p.location.as_str(),
        docs::code(&p.name.wire)
    );
    if let Some(text) = p.docs.0.first() {
        line.push_str(&format!(": {}", docs::one_line(text)));
    }
    if let Some(index) = p.setting {
        line.push_str(&format!(
            " Defaults to the client's `{}` setting.",
            api.settings[index].name.rust
        ));
    }
    if let Some(range) = range_text(p.bounds) {
        line.push(' ');
        line.push_str(&range);
    }
    line
}

/// The documented range of a numeric parameter, as a sentence (none when unbounded).
fn range_text(bounds: Bounds) -> Option<String> {
    let side = |side: Option<(f64, bool)>, inclusive: &str, exclusive: &str| {
        side.map(|(value, open)| format!("{} {value}", if open { exclusive } else { inclusive }))
    };
    let parts: Vec<String> = [
        side(bounds.minimum, "at least", "greater than"),
        side(bounds.maximum, "at most", "less than"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "Must be {}; other values fail the call with [`Error::InvalidRequest`](crate::Error::InvalidRequest) before anything is sent.",
            parts.join(" and ")
        )
    })
}

pub(super) fn status_text(status: Status) -> String {
    match status {
        Status::Code(code) => format!("`{code}`"),
        Status::Range(hundreds) => format!("any `{hundreds}xx`"),
        Status::Default => "any other status".to_owned(),
    }
}

fn response_line(index: &TypeIndex<'_>, response: &Response) -> String {
    let mut line = format!(
        "- {}: {}",
        status_text(response.status),
        docs::one_line(response.description.trim())
    );
    match (&response.body, response.status.is_success()) {
        (Some(ResponseBody::Json(ty)), true) => {
            line.push_str(&format!(", decoded as {}", type_link(index, ty)))
        }
        (Some(ResponseBody::Text), true) => line.push_str(", returned as text"),
        (Some(ResponseBody::Binary), true) => line.push_str(", returned as bytes"),
        (Some(ResponseBody::Json(ty)), false) => line.push_str(&format!(
            " (an [`Error::Response`](crate::Error::Response); its body decodes as {})",
            type_link(index, ty)
        )),
        (_, false) => line.push_str(" (an [`Error::Response`](crate::Error::Response))"),
        (None, true) => line.push_str(", no body"),
    }
    line
}

/// A doc link to a type, e.g. ``[`UsersResponse`](crate::types::UsersResponse)``.
fn type_link(index: &TypeIndex<'_>, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) if index.def(name).is_some() => {
            format!("[`{name}`](crate::types::{name})")
        }
        TypeRef::Named(name) => format!("`{name}`"),
        TypeRef::Vec(inner) => format!("a list of {}", type_link(index, inner)),
        TypeRef::Option(inner) | TypeRef::Boxed(inner) => type_link(index, inner),
        TypeRef::Map(inner) => format!("a map of {}", type_link(index, inner)),
        TypeRef::String => "`String`".to_owned(),
        TypeRef::Bool => "`bool`".to_owned(),
        TypeRef::I32 => "`i32`".to_owned(),
        TypeRef::I64 => "`i64`".to_owned(),
        TypeRef::F32 => "`f32`".to_owned(),
        TypeRef::F64 => "`f64`".to_owned(),
        TypeRef::Json => "any JSON value".to_owned(),
        TypeRef::JsonObject => "a JSON object".to_owned(),
        TypeRef::Binary => "bytes".to_owned(),
    }
}

/// Whether the operation's success is bytes, which can also be read as a stream.
pub(super) fn streams(op: &Operation) -> bool {
    matches!(op.success, Success::Single(Some(ResponseBody::Binary)))
}

fn emit_operation_items(
    api: &Api,
    index: &TypeIndex<'_>,
    shapes: &Shapes<'_>,
    op: &Operation,
) -> TokenStream {
    let response_enum = emit_response_enum(op);
    let body_enum = op.body.as_ref().and_then(|b| emit_body_enum(op, b));
    let builder = emit_builder(api, index, shapes, op);
    quote! {
        #response_enum
        #body_enum
        #builder
    }
}

/// The Rust type of a successful `send()`.
pub(super) fn success_type(op: &Operation) -> TokenStream {
    match &op.success {
        Success::Single(None) => quote!(()),
        Success::Single(Some(body)) => response_type(body),
        Success::Multi { name, .. } => {
            let name = ident(name);
            quote!(#name)
        }
    }
}

pub(super) fn response_type(body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Json(ty) => rust_type(ty, Scope::Sibling),
        ResponseBody::Text => quote!(String),
        ResponseBody::Binary => quote!(::codegen_runtime::Bytes),
    }
}

fn emit_response_enum(op: &Operation) -> Option<TokenStream> {
    let Success::Multi { name, variants } = &op.success else {
        return None;
    };
    let name = ident(name);
    let doc = docs::outer(&[format!(
        "A successful response of [`Client::{0}`](crate::Client::{0}): one variant per documented success status.",
        op.name.rust
    )]);
    let variants = variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let doc = docs::outer(&[format!(
            "{}: {}",
            status_text(variant.status),
            docs::spec_text(variant.description.trim())
        )]);
        match &variant.body {
            Some(body) => {
                let ty = response_type(body);
                quote!(#doc #variant_name(#ty),)
            }
            None => quote!(#doc #variant_name,),
        }
    });
    Some(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }
    })
}

/// The enum of a body the operation takes in several media types, converting from the
/// default one's value.
fn emit_body_enum(op: &Operation, body: &Body) -> Option<TokenStream> {
    let choice = ident(body.choice.as_ref()?);
    let doc = docs::outer(&[format!(
        "The request body of [`Client::{0}`](crate::Client::{0}), in one of the media types the \
         operation takes; a value of the first converts into it.",
        op.name.rust
    )]);
    let variants = body.kinds.iter().zip(&body.words).map(|(kind, word)| {
        let variant = ident(word);
        let ty = kind_type(kind);
        let doc = docs::outer(&[format!("Sent as {}.", docs::code(kind.media()))]);
        quote!(#doc #variant(#ty),)
    });
    let first = ident(&body.words[0]);
    let first_ty = kind_type(body.default_kind());
    Some(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        #[non_exhaustive]
        pub enum #choice {
            #(#variants)*
        }

        impl From<#first_ty> for #choice {
            fn from(value: #first_ty) -> Self {
                Self::#first(value)
            }
        }
    })
}

fn emit_builder(
    api: &Api,
    index: &TypeIndex<'_>,
    shapes: &Shapes<'_>,
    op: &Operation,
) -> TokenStream {
    let builder = ident(&op.builder);
    let method = &op.name.rust;
    let doc = docs::outer(&[
        format!(
            "Request builder for {}, made by [`Client::{method}`](crate::Client::{method}).",
            docs::code(&format!("{} {}", op.method.as_str(), op.path))
        ),
        "Set optional parameters, then call [`send`](Self::send).".to_owned(),
    ]);
    let fields = op.params.iter().map(|p| {
        let name = ident(&p.name.rust);
        let ty = rust_type(&p.ty, Scope::Sibling);
        if p.is_argument() {
            quote!(#name: #ty)
        } else {
            quote!(#name: Option<#ty>)
        }
    });
    let body_field = op.body.as_ref().map(|b| {
        let name = ident(&b.name);
        let ty = body_type(b);
        if b.required {
            quote!(#name: #ty,)
        } else {
            quote!(#name: Option<#ty>,)
        }
    });
    let setters = op
        .params
        .iter()
        .filter(|p| !p.is_argument())
        .map(|p| emit_setter(api, p));
    let body_setter = op.body.as_ref().filter(|b| !b.required).map(|b| {
        let name = ident(&b.name);
        let (ty, converts) = body_input(b);
        let value = if converts {
            quote!(value.into())
        } else {
            quote!(value)
        };
        let mut paragraphs = vec![format!("Sets the request body ({}).", media_list(b))];
        paragraphs.extend(b.docs.0.iter().map(|p| docs::spec_text(p)));
        let doc = docs::outer(&paragraphs);
        quote! {
            #doc
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(#value);
                self
            }
        }
    });
    let sends = emit_sends(api, index, shapes, op);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until you call `send`"]
        pub struct #builder<'a> {
            client: &'a Client,
            options: ::codegen_runtime::CallOptions,
            #(#fields,)*
            #body_field
        }

        impl ::codegen_runtime::RequestOptions for #builder<'_> {
            fn call_options(&mut self) -> &mut ::codegen_runtime::CallOptions {
                &mut self.options
            }
        }

        impl<'a> #builder<'a> {
            #(#setters)*
            #body_setter
            #sends
        }
    }
}

fn emit_setter(api: &Api, p: &Param) -> TokenStream {
    let name = ident(&p.name.rust);
    let mut paragraphs: Vec<String> = p.docs.0.iter().map(|t| docs::spec_text(t)).collect();
    paragraphs.push(format!(
        "Sent as the {} {} parameter.",
        docs::code(&p.name.wire),
        p.location.as_str()
    ));
    if let Some(index) = p.setting {
        let setting = &api.settings[index];
        paragraphs.push(format!(
            "Overrides the client-wide `{}` setting for this call.",
            setting.name.rust
        ));
    }
    paragraphs.extend(range_text(p.bounds));
    if let Some(example) = &p.example {
        paragraphs.push(format!("Example: {}.", docs::code(example)));
    }
    if p.deprecated {
        paragraphs.push("Deprecated in the API description.".to_owned());
    }
    let doc = docs::outer(&paragraphs);
    let ty = input_type(&p.ty);
    let value = convert(&p.ty, quote!(value));
    quote! {
        #doc
        pub fn #name(mut self, value: #ty) -> Self {
            self.#name = Some(#value);
            self
        }
    }
}
