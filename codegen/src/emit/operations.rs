//! Operations: one client method, one request builder and (for operations whose success
//! statuses carry different bodies) one response enum per operation.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::shapes::Shapes;
use super::{Scope, docs, ident, rust_type};
use crate::ir::{
    Api, Location, Operation, Pagination, Param, PathPart, Response, ResponseBody, Status, Success,
    SuccessVariant, TypeRef,
};

pub(super) fn emit_operations(api: &Api) -> TokenStream {
    let shapes = Shapes::new(api);
    let methods = api.operations.iter().map(|op| emit_method(api, op));
    let items = api
        .operations
        .iter()
        .map(|op| emit_operation_items(api, &shapes, op));
    quote! {
        impl Client {
            #(#methods)*
        }

        #(#items)*
    }
}

/// Path parameters in template order, then other required parameters in spec order.
fn arguments(op: &Operation) -> Vec<&Param> {
    let mut args: Vec<&Param> = op
        .path_parts
        .iter()
        .filter_map(|part| match part {
            PathPart::Param(index) => Some(&op.params[*index]),
            PathPart::Literal(_) => None,
        })
        .collect();
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

fn emit_method(api: &Api, op: &Operation) -> TokenStream {
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
        let ty = rust_type(&b.ty, Scope::Sibling);
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
        if b.required {
            quote!(#name)
        } else {
            quote!(#name: None)
        }
    });
    let doc = docs::outer(&method_docs(api, op));
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
            && !alias.contains(['"', '\'', '\t', '\n', '\r'])
            && alias != op.name.rust;
        if usable && !aliases.contains(&alias) {
            aliases.push(alias);
        }
    }
    (!aliases.is_empty()).then(|| quote!(#[doc(#(alias = #aliases),*)]))
}

fn method_docs(api: &Api, op: &Operation) -> Vec<String> {
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
        let mut line = format!("- `{}`: the JSON request body", body.name);
        if let Some(text) = body.docs.0.first() {
            line.push_str(&format!(
                ": {}",
                docs::spec_text(text.trim_end_matches('.'))
            ));
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
    let mut responses: Vec<String> = op.responses.iter().map(response_line).collect();
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

fn param_line(api: &Api, p: &Param) -> String {
    let mut line = format!(
        "- `{}` ({} {})",
        p.name.rust,
        p.location.as_str(),
        docs::code(&p.name.wire)
    );
    if let Some(text) = p.docs.0.first() {
        line.push_str(&format!(": {}", docs::spec_text(text.trim())));
    }
    if let Some(index) = p.setting {
        line.push_str(&format!(
            " Defaults to the client's `{}` setting.",
            api.settings[index].name.rust
        ));
    }
    line
}

fn status_text(status: Status) -> String {
    match status {
        Status::Code(code) => format!("`{code}`"),
        Status::Range(hundreds) => format!("any `{hundreds}xx`"),
        Status::Default => "any other status".to_owned(),
    }
}

fn response_line(response: &Response) -> String {
    let mut line = format!(
        "- {}: {}",
        status_text(response.status),
        docs::spec_text(response.description.trim())
    );
    match (&response.body, response.status.is_success()) {
        (Some(ResponseBody::Json(ty)), true) => {
            line.push_str(&format!(", decoded as {}", type_link(ty)))
        }
        (Some(ResponseBody::Text), true) => line.push_str(", returned as text"),
        (Some(ResponseBody::Json(ty)), false) => line.push_str(&format!(
            " (an [`Error::Response`](crate::Error::Response); its body decodes as {})",
            type_link(ty)
        )),
        (_, false) => line.push_str(" (an [`Error::Response`](crate::Error::Response))"),
        (None, true) => line.push_str(", no body"),
    }
    line
}

/// A doc link to a type, e.g. ``[`UsersResponse`](crate::types::UsersResponse)``.
fn type_link(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) => format!("[`{name}`](crate::types::{name})"),
        TypeRef::Vec(inner) => format!("a list of {}", type_link(inner)),
        TypeRef::Option(inner) | TypeRef::Boxed(inner) => type_link(inner),
        TypeRef::Map(inner) => format!("a map of {}", type_link(inner)),
        TypeRef::String => "`String`".to_owned(),
        TypeRef::Bool => "`bool`".to_owned(),
        TypeRef::I32 => "`i32`".to_owned(),
        TypeRef::I64 => "`i64`".to_owned(),
        TypeRef::F32 => "`f32`".to_owned(),
        TypeRef::F64 => "`f64`".to_owned(),
        TypeRef::Json => "any JSON value".to_owned(),
        TypeRef::JsonObject => "a JSON object".to_owned(),
    }
}

fn emit_operation_items(api: &Api, shapes: &Shapes<'_>, op: &Operation) -> TokenStream {
    let response_enum = emit_response_enum(op);
    let builder = emit_builder(api, shapes, op);
    quote! {
        #response_enum
        #builder
    }
}

/// The Rust type of a successful `send()`.
fn success_type(op: &Operation) -> TokenStream {
    match &op.success {
        Success::Single(None) => quote!(()),
        Success::Single(Some(body)) => body_type(body),
        Success::Multi { name, .. } => {
            let name = ident(name);
            quote!(#name)
        }
    }
}

fn body_type(body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::Json(ty) => rust_type(ty, Scope::Sibling),
        ResponseBody::Text => quote!(String),
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
                let ty = body_type(body);
                quote!(#doc #variant_name(#ty),)
            }
            None => quote!(#doc #variant_name,),
        }
    });
    Some(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    })
}

fn emit_builder(api: &Api, shapes: &Shapes<'_>, op: &Operation) -> TokenStream {
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
        let ty = rust_type(&b.ty, Scope::Sibling);
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
        let ty = rust_type(&b.ty, Scope::Sibling);
        let mut paragraphs = vec!["Sets the JSON request body.".to_owned()];
        paragraphs.extend(b.docs.0.iter().map(|p| docs::spec_text(p)));
        let doc = docs::outer(&paragraphs);
        quote! {
            #doc
            pub fn #name(mut self, value: #ty) -> Self {
                self.#name = Some(value);
                self
            }
        }
    });
    let send = emit_send(api, shapes, op);
    let stream = op.pagination.as_ref().map(|p| emit_stream(op, p));
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
            #send
            #stream
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

fn emit_send(api: &Api, shapes: &Shapes<'_>, op: &Operation) -> TokenStream {
    let success = success_type(op);
    let method = ident(op.method.as_str());
    let operation_id = &op.name.wire;
    let template = &op.path;
    // Fields are read through `self.` so that no parameter name can shadow a local.
    let path = op.path_parts.iter().map(|part| match part {
        PathPart::Literal(text) => quote!(request.push_path(#text);),
        PathPart::Param(index) => {
            let p = &op.params[*index];
            let name = ident(&p.name.rust);
            let wire = &p.name.wire;
            let value = scalar_str(&p.ty, quote!(self.#name));
            quote!(request.push_path_param(#wire, #value)?;)
        }
    });
    let params = op
        .params
        .iter()
        .filter(|p| p.location != Location::Path)
        .map(|p| emit_param_use(api, p));
    let body = op.body.as_ref().map(|b| {
        let name = ident(&b.name);
        if b.required {
            quote!(request.json_body(&self.#name)?;)
        } else {
            quote! {
                if let Some(body) = &self.#name {
                    request.json_body(body)?;
                }
            }
        }
    });
    let arms = emit_arms(shapes, op);
    let doc = docs::outer(&[
        "Sends the request and decodes the response.".to_owned(),
        "Transient failures are retried as the client's `RetryPolicy` allows; every status the \
         operation does not document as a success comes back as an `Error` that keeps the \
         status, headers and body."
            .to_owned(),
    ]);
    quote! {
        #doc
        pub async fn send(self) -> Result<::codegen_runtime::ResponseValue<#success>, ::codegen_runtime::Error> {
            let mut request = ::codegen_runtime::Request::new(::codegen_runtime::Method::#method, #operation_id, #template);
            #(#path)*
            #(#params)*
            #body
            request.options(self.options);
            let response = self.client.runtime.execute(request).await?;
            match response.status() {
                #(#arms)*
            }
        }
    }
}

/// A `&str` for a scalar value: strings as they are, enums by their wire value, numbers and
/// booleans formatted.
fn scalar_str(ty: &TypeRef, value: TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(&#value),
        TypeRef::Named(_) => quote!(#value.as_str()),
        _ => quote!(&#value.to_string()),
    }
}

/// A value for `Request::query`/`header`, which take any `ParamValue` (strings, numbers,
/// booleans); enums go by their wire value.
pub(super) fn param_value(ty: &TypeRef, value: TokenStream) -> TokenStream {
    match ty {
        TypeRef::Named(_) => quote!(#value.as_str()),
        _ => quote!(#value),
    }
}

fn emit_param_use(api: &Api, p: &Param) -> TokenStream {
    let name = ident(&p.name.rust);
    let wire = &p.name.wire;
    if let Some(index) = p.setting {
        // A setting is `Option<String>` in the builder; the runtime falls back to the client's.
        let key = &api.settings[index].name.wire;
        let required = p.required;
        return quote!(request.setting_header(&self.client.runtime, #wire, #key, self.#name.as_deref(), #required)?;);
    }
    match (p.location, &p.ty, p.is_argument()) {
        (Location::Query, TypeRef::Vec(item), true) => {
            let value = param_value(item, quote!(value));
            quote! {
                for value in &self.#name {
                    request.query(#wire, #value);
                }
            }
        }
        (Location::Query, TypeRef::Vec(item), false) => {
            let value = param_value(item, quote!(value));
            quote! {
                for value in self.#name.iter().flatten() {
                    request.query(#wire, #value);
                }
            }
        }
        (Location::Query, ty, true) => {
            let value = param_value(ty, quote!(&self.#name));
            quote!(request.query(#wire, #value);)
        }
        (Location::Query, ty, false) => {
            let value = param_value(ty, quote!(value));
            quote! {
                if let Some(value) = &self.#name {
                    request.query(#wire, #value);
                }
            }
        }
        (Location::Header, ty, true) => {
            let value = param_value(ty, quote!(&self.#name));
            quote!(request.header(#wire, #value)?;)
        }
        (Location::Header, ty, false) => {
            let value = param_value(ty, quote!(value));
            quote! {
                if let Some(value) = &self.#name {
                    request.header(#wire, #value)?;
                }
            }
        }
        (Location::Path, ..) => TokenStream::new(),
    }
}

fn status_pattern(status: Status) -> TokenStream {
    match status {
        Status::Code(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(#code)
        }
        Status::Range(hundreds) => {
            let low = Literal::u16_unsuffixed(hundreds * 100);
            let high = Literal::u16_unsuffixed(hundreds * 100 + 99);
            quote!(#low..=#high)
        }
        Status::Default => quote!(_),
    }
}

/// The `match` arms of `send()`: successes first (exact codes before ranges), then documented
/// errors (exact codes before ranges), then the catch-all.
fn emit_arms(shapes: &Shapes<'_>, op: &Operation) -> Vec<TokenStream> {
    let mut success_exact = Vec::new();
    let mut success_ranges = Vec::new();
    let successes: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    match &op.success {
        Success::Single(body) => {
            let decode = match body {
                None => quote!(Ok(response.empty())),
                Some(ResponseBody::Json(ty)) => {
                    let shape = shapes.of_body(ty);
                    quote!(response.checked_json(#shape))
                }
                Some(ResponseBody::Text) => quote!(response.text()),
            };
            // One arm: the documented codes, or the ranges (which cover any codes listed
            // beside them), or any 2xx when the spec documents no success at all.
            let has_range = successes
                .iter()
                .any(|r| matches!(r.status, Status::Range(_)));
            let patterns: Vec<TokenStream> = if successes.is_empty() {
                vec![quote!(200..=299)]
            } else {
                successes
                    .iter()
                    .filter(|r| !has_range || matches!(r.status, Status::Range(_)))
                    .map(|r| status_pattern(r.status))
                    .collect()
            };
            success_exact.push(quote!(#(#patterns)|* => #decode,));
        }
        Success::Multi { name, variants } => {
            let enum_name = ident(name);
            for SuccessVariant {
                name, status, body, ..
            } in variants
            {
                let variant = ident(name);
                let pattern = status_pattern(*status);
                let decode = match body {
                    None => quote!(response.empty().map(|()| #enum_name::#variant)),
                    Some(ResponseBody::Json(json)) => {
                        let ty = rust_type(json, Scope::Sibling);
                        let shape = shapes.of_body(json);
                        quote!(response.checked_json::<#ty>(#shape).and_then(|value| value.map(#enum_name::#variant)))
                    }
                    Some(ResponseBody::Text) => {
                        quote!(response.text().and_then(|value| value.map(#enum_name::#variant)))
                    }
                };
                let arm = quote!(#pattern => #decode,);
                match status {
                    Status::Code(_) => success_exact.push(arm),
                    _ => success_ranges.push(arm),
                }
            }
        }
    }
    let mut error_exact = Vec::new();
    let mut error_ranges = Vec::new();
    let mut fallback = quote!(_ => Err(response.unexpected()),);
    for response in op.responses.iter().filter(|r| !r.status.is_success()) {
        let description = response.description.trim();
        let pattern = status_pattern(response.status);
        let arm = quote!(#pattern => Err(response.error(#description)),);
        match response.status {
            Status::Code(_) => error_exact.push(arm),
            Status::Range(_) => error_ranges.push(arm),
            Status::Default => fallback = arm,
        }
    }
    success_exact
        .into_iter()
        .chain(success_ranges)
        .chain(error_exact)
        .chain(error_ranges)
        .chain([fallback])
        .collect()
}

fn emit_stream(op: &Operation, pagination: &Pagination) -> TokenStream {
    let item = rust_type(&pagination.item, Scope::Sibling);
    let offset = &op.params[pagination.offset];
    let limit = &op.params[pagination.limit];
    let offset_name = ident(&offset.name.rust);
    let limit_name = ident(&limit.name.rust);
    let offset_ty = rust_type(&offset.ty, Scope::Sibling);
    let items = ident(&pagination.items_field);
    let items = if pagination.items_optional {
        quote!(value.#items.unwrap_or_default())
    } else {
        quote!(value.#items)
    };
    let total = match &pagination.total_field {
        None => quote!(None),
        Some(field) => {
            let field = ident(field);
            if pagination.total_optional {
                quote!(value.#field.and_then(|total| ::codegen_runtime::Count::to_count(&total)))
            } else {
                quote!(::codegen_runtime::Count::to_count(&value.#field))
            }
        }
    };
    let operation_id = &op.name.wire;
    let doc = docs::outer(&[
        format!(
            "Walks every page by advancing `{}` and yields the items one by one.",
            offset.name.wire
        ),
        format!(
            "Starts at the builder's `{0}` (or 0) and asks for pages of the builder's `{1}` (or the \
             server's default). Stops after the last page (by the total count), or, when the server \
             reports no total, on an empty page or a page shorter than `{1}`. Never yields an item \
             twice: items repeated from earlier pages are skipped, and a page with nothing new (a \
             server that ignores `{0}`) ends the stream with an `Error::Pagination`, as does an \
             empty page before the reported total is reached. The first error ends the stream.",
            offset.name.wire, limit.name.wire
        ),
    ]);
    quote! {
        #doc
        pub fn stream(self) -> impl ::codegen_runtime::deps::futures_core::Stream<Item = Result<#item, ::codegen_runtime::Error>> + 'a {
            let start = self.#offset_name.and_then(|value| u64::try_from(value).ok()).unwrap_or(0);
            let limit = self.#limit_name.and_then(|value| u64::try_from(value).ok());
            ::codegen_runtime::paginate(#operation_id, start, limit, move |offset| {
                let mut page = self.clone();
                page.#offset_name = Some(#offset_ty::try_from(offset).unwrap_or(#offset_ty::MAX));
                async move {
                    let value = page.send().await?.into_inner();
                    Ok(::codegen_runtime::Page { items: #items, total: #total })
                }
            })
        }
    }
}
