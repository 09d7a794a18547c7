//! What a request builder's `send()` does: build the runtime request (path, query, headers,
//! cookies, credentials, body in its media type), execute it, and match the status to the
//! documented responses. Also `send_stream()` for bytes and `stream()` for paged lists.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::operations::{streams, success_type};
use super::shapes::Shapes;
use super::{Scalar, Scope, TypeIndex, ValueKind, docs, ident, rust_type};
use crate::ir::{
    Api, Body, BodyKind, Bounds, Location, Operation, Pagination, Param, PartKind, PathPart,
    Response, ResponseBody, Status, Style, Success, SuccessVariant,
};

pub(super) fn emit_sends(
    api: &Api,
    index: &TypeIndex<'_>,
    shapes: &Shapes<'_>,
    op: &Operation,
) -> TokenStream {
    let statements = emit_build(api, index, op);
    let success = success_type(op);
    let arms = emit_arms(shapes, op);
    let doc = docs::outer(&[
        "Sends the request and decodes the response.".to_owned(),
        "Transient failures are retried as the client's `RetryPolicy` allows; every status the \
         operation does not document as a success comes back as an `Error` that keeps the \
         status, headers and body."
            .to_owned(),
    ]);
    // The request is built in `send` itself; an operation that can also stream shares it
    // through `into_request`.
    let (build, make) = if streams(op) {
        let build = quote! {
            fn into_request(self) -> Result<(&'a Client, ::codegen_runtime::Request), ::codegen_runtime::Error> {
                #statements
                Ok((self.client, request))
            }
        };
        (
            Some(build),
            quote!(let (client, request) = self.into_request()?;),
        )
    } else {
        (None, quote!(#statements let client = self.client;))
    };
    let send = quote! {
        #doc
        pub async fn send(self) -> Result<::codegen_runtime::ResponseValue<#success>, ::codegen_runtime::Error> {
            #make
            let response = client.runtime.execute(request).await?;
            match response.status() {
                #(#arms)*
            }
        }
    };
    let send_stream = streams(op).then(|| emit_send_stream(op));
    let stream = op.pagination.as_ref().map(|p| emit_stream(op, p));
    quote! {
        #build
        #send
        #send_stream
        #stream
    }
}

/// The statements that make the builder's values a runtime `request`. Fields are read through
/// `self.` so that no parameter name can shadow a local.
fn emit_build(api: &Api, index: &TypeIndex<'_>, op: &Operation) -> TokenStream {
    let method = ident(op.method.as_str());
    let operation_id = &op.name.wire;
    let template = &op.path;
    let security = {
        let alternatives = op.security.iter().map(|alternative| {
            let schemes = alternative.iter().map(|&i| {
                let index = Literal::u16_unsuffixed(u16::try_from(i).unwrap_or(u16::MAX));
                quote!(#index)
            });
            quote!(&[#(#schemes),*])
        });
        quote!(request.security(&[#(#alternatives),*]);)
    };
    let accept = (!op.accept.is_empty() && op.accept != ["application/json"]).then(|| {
        let accept = op.accept.join(", ");
        quote!(request.accept(#accept);)
    });
    let path = op.path_parts.iter().map(|part| match part {
        PathPart::Literal(text) => quote!(request.push_path(#text);),
        PathPart::Param(position) => emit_path_param(index, &op.params[*position]),
    });
    let params = op
        .params
        .iter()
        .filter(|p| p.location != Location::Path)
        .map(|p| emit_param_use(api, index, p));
    let body = op.body.as_ref().map(emit_body);
    quote! {
        let mut request = ::codegen_runtime::Request::new(::codegen_runtime::Method::#method, #operation_id, #template);
        #security
        #accept
        #(#path)*
        #(#params)*
        #body
        request.options(self.options);
    }
}

fn style(style: Style) -> TokenStream {
    let variant = ident(match style {
        Style::Simple => "Simple",
        Style::Label => "Label",
        Style::Matrix => "Matrix",
        Style::Form => "Form",
        Style::SpaceDelimited => "SpaceDelimited",
        Style::PipeDelimited => "PipeDelimited",
        Style::DeepObject => "DeepObject",
        Style::Json => "Json",
    });
    quote!(::codegen_runtime::Style::#variant)
}

fn emit_path_param(index: &TypeIndex<'_>, p: &Param) -> TokenStream {
    let name = ident(&p.name.rust);
    let wire = &p.name.wire;
    let check = (!p.bounds.is_empty()).then(|| {
        let bounds = bounds(p.bounds);
        quote!(request.check_bounds(#wire, &self.#name, #bounds)?;)
    });
    let push = match (index.value_kind(&p.ty), p.style) {
        (ValueKind::Text, Style::Simple) => quote!(request.push_path_param(#wire, &self.#name)?;),
        (ValueKind::StringEnum, Style::Simple) => {
            quote!(request.push_path_param(#wire, self.#name.as_str())?;)
        }
        (ValueKind::Scalar, Style::Simple) => {
            quote!(request.push_path_param(#wire, &self.#name.to_string())?;)
        }
        (_, written) => {
            let style = style(written);
            let explode = p.explode;
            quote!(request.path_value(#wire, &self.#name, #style, #explode)?;)
        }
    };
    quote!(#check #push)
}

fn emit_param_use(api: &Api, index: &TypeIndex<'_>, p: &Param) -> TokenStream {
    let name = ident(&p.name.rust);
    let wire = &p.name.wire;
    if let Some(setting) = p.setting {
        // A setting is `Option<String>` in the builder; the runtime falls back to the client's.
        let key = &api.settings[setting].name.wire;
        let required = p.required;
        return quote!(request.setting_header(&self.client.runtime, #wire, #key, self.#name.as_deref(), #required)?;);
    }
    let kind = index.value_kind(&p.ty);
    let simple_query = p.location == Location::Query && p.style == Style::Form && !p.allow_reserved;
    let simple_header = p.location == Location::Header && p.style == Style::Simple;
    // One statement sending `value` (a reference to the parameter's value).
    let send = |value: TokenStream| -> TokenStream {
        match (p.location, kind) {
            (Location::Query, ValueKind::Text | ValueKind::Scalar) if simple_query => {
                quote!(request.query(#wire, #value);)
            }
            (Location::Query, ValueKind::StringEnum) if simple_query => {
                quote!(request.query(#wire, #value.as_str());)
            }
            (Location::Query, ValueKind::List(item)) if simple_query && p.explode => {
                let each = match item {
                    Scalar::StringEnum => quote!(item.as_str()),
                    _ => quote!(item),
                };
                quote! {
                    for item in #value {
                        request.query(#wire, #each);
                    }
                }
            }
            (Location::Header, ValueKind::Text | ValueKind::Scalar) if simple_header => {
                quote!(request.header(#wire, #value)?;)
            }
            (Location::Header, ValueKind::StringEnum) if simple_header => {
                quote!(request.header(#wire, #value.as_str())?;)
            }
            (Location::Query, _) => {
                let style = style(p.style);
                let (explode, reserved) = (p.explode, p.allow_reserved);
                quote!(request.query_value(#wire, #value, #style, #explode, #reserved)?;)
            }
            (Location::Header, _) => {
                let style = style(p.style);
                let explode = p.explode;
                quote!(request.header_value(#wire, #value, #style, #explode)?;)
            }
            (Location::Cookie, _) => {
                let explode = p.explode;
                quote!(request.cookie(#wire, #value, #explode)?;)
            }
            (Location::Path, _) => TokenStream::new(),
        }
    };
    // A documented range is checked before the value is encoded.
    let checked = |value: TokenStream| -> TokenStream {
        let statement = send(value.clone());
        if p.bounds.is_empty() {
            return statement;
        }
        let bounds = bounds(p.bounds);
        quote! {
            request.check_bounds(#wire, #value, #bounds)?;
            #statement
        }
    };
    if p.is_argument() {
        checked(quote!(&self.#name))
    } else {
        let statement = checked(quote!(value));
        quote! {
            if let Some(value) = &self.#name {
                #statement
            }
        }
    }
}

fn bounds(bounds: Bounds) -> TokenStream {
    let side = |side: Option<(f64, bool)>| match side {
        Some((value, exclusive)) => {
            let value = Literal::f64_suffixed(value);
            quote!(Some((#value, #exclusive)))
        }
        None => quote!(None),
    };
    let (minimum, maximum) = (side(bounds.minimum), side(bounds.maximum));
    quote!(::codegen_runtime::Bounds { minimum: #minimum, maximum: #maximum })
}

/// Sends the body in its media type (for a body enum, in the variant's).
fn emit_body(body: &Body) -> TokenStream {
    let name = ident(&body.name);
    let value = quote!(body);
    let statement = match &body.choice {
        None => encode_kind(body.default_kind(), &value),
        Some(choice) => {
            let choice = ident(choice);
            let arms = body.kinds.iter().zip(&body.words).map(|(kind, word)| {
                let variant = ident(word);
                let encode = encode_kind(kind, &value);
                quote!(#choice::#variant(body) => { #encode })
            });
            quote! {
                match body {
                    #(#arms)*
                }
            }
        }
    };
    if body.required {
        quote! {
            let body = &self.#name;
            #statement
        }
    } else {
        quote! {
            if let Some(body) = &self.#name {
                #statement
            }
        }
    }
}

/// Encodes `value` (a reference) in one media type.
fn encode_kind(kind: &BodyKind, value: &TokenStream) -> TokenStream {
    match kind {
        BodyKind::Json { media, .. } => {
            if media == "application/json" {
                quote!(request.json_body(#value)?;)
            } else {
                quote! {
                    request.json_body(#value)?;
                    request.content_type(#media)?;
                }
            }
        }
        BodyKind::Form { encodings, .. } => {
            let encodings = encodings.iter().map(|(property, written, explode)| {
                let style = style(*written);
                quote!((#property, #style, #explode))
            });
            quote!(request.form_body(#value, &[#(#encodings),*])?;)
        }
        BodyKind::Multipart { parts, .. } => {
            let parts: Vec<TokenStream> = if parts.is_empty() {
                vec![quote!(form.entries(#value);)]
            } else {
                parts
                    .iter()
                    .map(|part| {
                        let field = ident(&part.name.rust);
                        let wire = &part.name.wire;
                        let add = match part.kind {
                            PartKind::File => quote!(form.file(#wire, item);),
                            PartKind::Files => quote! {
                                for file in item {
                                    form.file(#wire, file);
                                }
                            },
                            PartKind::Value => quote!(form.value(#wire, item);),
                        };
                        if part.optional {
                            quote! {
                                if let Some(item) = &#value.#field {
                                    #add
                                }
                            }
                        } else {
                            quote! {
                                {
                                    let item = &#value.#field;
                                    #add
                                }
                            }
                        }
                    })
                    .collect()
            };
            quote! {
                let mut form = ::codegen_runtime::Multipart::new();
                #(#parts)*
                request.multipart_body(form)?;
            }
        }
        BodyKind::Binary { media } => quote!(request.binary_body(#media, #value)?;),
        BodyKind::Text { media } => quote!(request.text_body(#media, #value)?;),
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

/// The patterns of the success arm of a single-body operation: the documented codes, or the
/// ranges (which cover any codes listed beside them), or any 2xx when none is documented.
fn success_patterns(op: &Operation) -> Vec<TokenStream> {
    let successes: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    let has_range = successes
        .iter()
        .any(|r| matches!(r.status, Status::Range(_)));
    if successes.is_empty() {
        return vec![quote!(200..=299)];
    }
    if has_range {
        return successes
            .iter()
            .filter(|r| matches!(r.status, Status::Range(_)))
            .map(|r| status_pattern(r.status))
            .collect();
    }
    let mut codes: Vec<u16> = successes
        .iter()
        .filter_map(|r| match r.status {
            Status::Code(code) => Some(code),
            _ => None,
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    // Consecutive codes become one range, as a reader (and clippy) would write them.
    let mut patterns = Vec::new();
    let mut start = 0;
    while start < codes.len() {
        let mut end = start;
        while end + 1 < codes.len() && codes[end + 1] == codes[end] + 1 {
            end += 1;
        }
        let (low, high) = (
            Literal::u16_unsuffixed(codes[start]),
            Literal::u16_unsuffixed(codes[end]),
        );
        patterns.push(if start == end {
            quote!(#low)
        } else {
            quote!(#low..=#high)
        });
        start = end + 1;
    }
    patterns
}

fn decode(shapes: &Shapes<'_>, body: Option<&ResponseBody>) -> TokenStream {
    match body {
        None => quote!(Ok(response.empty())),
        Some(ResponseBody::Json(ty)) => {
            let shape = shapes.of_body(ty);
            quote!(response.checked_json(#shape))
        }
        Some(ResponseBody::Text) => quote!(response.text()),
        Some(ResponseBody::Binary) => quote!(Ok(response.bytes())),
    }
}

/// The `match` arms of `send()`: successes first (exact codes before ranges), then documented
/// errors (exact codes before ranges), then the catch-all.
fn emit_arms(shapes: &Shapes<'_>, op: &Operation) -> Vec<TokenStream> {
    let mut success_exact = Vec::new();
    let mut success_ranges = Vec::new();
    match &op.success {
        Success::Single(body) => {
            let decode = decode(shapes, body.as_ref());
            let patterns = success_patterns(op);
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
                    Some(ResponseBody::Binary) => {
                        quote!(response.bytes().map(#enum_name::#variant))
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
    let (error_exact, error_ranges, fallback) = error_arms(op, false);
    success_exact
        .into_iter()
        .chain(success_ranges)
        .chain(error_exact)
        .chain(error_ranges)
        .chain([fallback])
        .collect()
}

/// The arms for documented errors (exact, ranges) and the catch-all; awaiting the body read
/// when the response is streamed.
fn error_arms(op: &Operation, streamed: bool) -> (Vec<TokenStream>, Vec<TokenStream>, TokenStream) {
    let wait = streamed.then(|| quote!(.await));
    let mut exact = Vec::new();
    let mut ranges = Vec::new();
    let mut fallback = quote!(_ => Err(response.unexpected() #wait),);
    for response in op.responses.iter().filter(|r| !r.status.is_success()) {
        let description = response.description.trim();
        let pattern = status_pattern(response.status);
        let arm = quote!(#pattern => Err(response.error(#description) #wait),);
        match response.status {
            Status::Code(_) => exact.push(arm),
            Status::Range(_) => ranges.push(arm),
            Status::Default => fallback = arm,
        }
    }
    (exact, ranges, fallback)
}

fn emit_send_stream(op: &Operation) -> TokenStream {
    let patterns = success_patterns(op);
    let (exact, ranges, fallback) = error_arms(op, true);
    quote! {
        /// Sends the request and hands over the response body as it arrives (within the
        /// client's size cap), for large downloads; as `send`, other statuses are errors.
        pub async fn send_stream(self) -> Result<::codegen_runtime::ResponseValue<::codegen_runtime::ByteStream>, ::codegen_runtime::Error> {
            let (client, request) = self.into_request()?;
            let response = client.runtime.execute_streaming(request).await?;
            match response.status() {
                #(#patterns)|* => Ok(response.into_stream()),
                #(#exact)*
                #(#ranges)*
                #fallback
            }
        }
    }
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
