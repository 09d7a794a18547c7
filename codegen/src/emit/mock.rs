//! The mock module (compiled behind the generated crate's `mock` feature): a typed mock server
//! for the tests of crates that depend on the client, with one expectation builder per
//! operation that matches on its path parameters, query, headers and body, answers with a typed
//! value or a status, and counts calls.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::{convert, input_type};
use super::{Context, Scalar, Scope, TypeIndex, ValueKind, docs, ident, rust_type};
use crate::ir::{BodyKind, Location, Operation, Param, ResponseBody, Status, Style, Success};

/// The head of the mock file: module docs and `MockServer` with its own methods; each
/// operation's expectation method and builder follow as units ([`emit_operation`]).
pub(super) fn emit_head(cx: &Context<'_>) -> TokenStream {
    let api = cx.api;
    let header = docs::inner(&[
        format!(
            "A typed mock server of the {} for tests, generated from {} (feature `mock`).",
            docs::spec_text(&api.title),
            docs::code(&api.source)
        ),
        "Start a [`MockServer`], declare what each operation should receive and answer, and \
         point a client at it with [`MockServer::client`]. Expectations with \
         `expect_calls(n)` are checked when the server is dropped."
            .to_owned(),
    ]);
    quote! {
        #header

        pub use ::codegen_runtime::mock::MockResponse;

        /// A mock server of this API on a free port of 127.0.0.1.
        #[derive(Debug)]
        pub struct MockServer {
            inner: ::codegen_runtime::mock::MockServer,
        }

        impl MockServer {
            /// Starts a mock server.
            pub async fn start() -> Self {
                Self { inner: ::codegen_runtime::mock::MockServer::start().await }
            }

            /// The server's base URL.
            pub fn uri(&self) -> String {
                self.inner.uri()
            }

            /// A client pointed at this server, ready to use: a placeholder token, every
            /// client-wide setting set to `"mock"`, plain http to loopback allowed, no retries.
            ///
            /// # Panics
            ///
            /// When the HTTP client cannot be created (no TLS backend), which no test can work
            /// around.
            pub fn client(&self) -> super::Client {
                self.client_builder()
                    .build()
                    .expect("a client for the mock server")
            }

            /// The builder behind [`MockServer::client`], to change settings, timeouts or
            /// retries before building.
            pub fn client_builder(&self) -> super::ClientBuilder {
                super::ClientBuilder {
                    inner: self.inner.client_builder(&super::API_INFO),
                }
            }

            /// Checks every expectation now, panicking with a report when one is not met.
            pub async fn verify(&self) {
                self.inner.verify().await;
            }
        }
    }
}

/// One operation's unit of the mock file: its `MockServer` method and expectation builder.
pub(super) fn emit_operation(cx: &Context<'_>, op: &Operation) -> TokenStream {
    let method = emit_server_method(op);
    let builder = emit_expectation(&cx.index, op);
    quote! {
        impl MockServer {
            #method
        }

        #builder
    }
}

fn endpoint(op: &Operation) -> String {
    docs::code(&format!("{} {}", op.method.as_str(), op.path))
}

fn emit_server_method(op: &Operation) -> TokenStream {
    let method = ident(&op.name.rust);
    let mock = ident(&op.mock);
    let operation_id = &op.name.wire;
    let http = ident(op.method.as_str());
    let template = &op.path;
    let doc = docs::outer(&[format!(
        "Expects calls of [`Client::{0}`](super::Client::{0}), {1}: every call, until narrowed \
         by the returned builder's matchers.",
        op.name.rust,
        endpoint(op)
    )]);
    quote! {
        #doc
        pub fn #method(&self) -> #mock<'_> {
            #mock {
                inner: ::codegen_runtime::mock::OperationMock::new(
                    &self.inner,
                    #operation_id,
                    ::codegen_runtime::Method::#http,
                    #template,
                ),
            }
        }
    }
}

fn emit_expectation(index: &TypeIndex<'_>, op: &Operation) -> TokenStream {
    let mock = ident(&op.mock);
    let doc = docs::outer(&[
        format!(
            "An expectation for {} (operation {}), made by [`MockServer::{}`].",
            endpoint(op),
            docs::code(&op.name.wire),
            op.name.rust
        ),
        "Narrow it with the matchers, then install it with one of the `respond…` methods."
            .to_owned(),
    ]);
    let matchers = op.params.iter().filter_map(|p| emit_matcher(index, p));
    // A JSON body is matched by value; other media types are not matched.
    let body = op.body.as_ref().and_then(|body| {
        let BodyKind::Json { ty, .. } = body.default_kind() else {
            return None;
        };
        if body.choice.is_some() {
            return None;
        }
        let name = ident(&body.name);
        let ty = rust_type(ty, Scope::Sibling);
        Some(quote! {
            /// Matches only calls whose JSON request body equals `body`.
            pub fn #name(mut self, body: &#ty) -> Self {
                self.inner.json_body(body);
                self
            }
        })
    });
    let ok = respond_ok(op);
    quote! {
        #doc
        #[derive(Debug)]
        #[must_use = "an expectation does nothing until one of its `respond…` methods installs it"]
        pub struct #mock<'a> {
            inner: ::codegen_runtime::mock::OperationMock<'a>,
        }

        impl #mock<'_> {
            #(#matchers)*
            #body

            /// Expects exactly `calls` matching calls, checked when the server is dropped.
            pub fn expect_calls(mut self, calls: u64) -> Self {
                self.inner.expect_calls(calls);
                self
            }

            /// Installs the expectation, answering with `response`.
            pub async fn respond_with(self, response: MockResponse) {
                self.inner.respond(response).await;
            }

            /// Installs the expectation, answering with this status and no body.
            pub async fn respond_status(self, status: u16) {
                self.inner.respond(MockResponse::status(status)).await;
            }

            #ok
        }
    }
}

/// A matcher for a parameter sent as plain text (strings, enums, numbers and booleans in their
/// default style, and exploded lists of them in the query); others are not matched.
fn emit_matcher(index: &TypeIndex<'_>, p: &Param) -> Option<TokenStream> {
    let name = ident(&p.name.rust);
    let wire = &p.name.wire;
    let (add, what) = match (p.location, p.style) {
        (Location::Path, Style::Simple) => (quote!(path_param), "path parameter"),
        (Location::Query, Style::Form) if !p.allow_reserved => (quote!(query), "query parameter"),
        (Location::Header, Style::Simple) => (quote!(header), "header"),
        _ => return None,
    };
    let doc = docs::outer(&[format!(
        "Matches only calls whose {} {what} is `value`.",
        docs::code(wire)
    )]);
    let as_text = |kind: Scalar, value: TokenStream| match kind {
        Scalar::StringEnum => quote!(#value.as_str()),
        _ => value,
    };
    match index.value_kind(&p.ty) {
        ValueKind::List(item) if p.location == Location::Query && p.explode => {
            let ty = rust_type(&p.ty, Scope::Sibling);
            let value = as_text(item, quote!(item));
            Some(quote! {
                #doc
                pub fn #name(mut self, value: #ty) -> Self {
                    for item in &value {
                        self.inner.#add(#wire, #value);
                    }
                    self
                }
            })
        }
        ValueKind::Text | ValueKind::StringEnum | ValueKind::Scalar => {
            let kind = match index.value_kind(&p.ty) {
                ValueKind::StringEnum => Scalar::StringEnum,
                ValueKind::Text => Scalar::Text,
                _ => Scalar::Other,
            };
            let ty = input_type(&p.ty);
            // Strings come as `impl Into<String>`; everything else is used as given.
            let converted = p.ty.is_string().then(|| {
                let converted = convert(&p.ty, quote!(value));
                quote!(let value: String = #converted;)
            });
            let value = as_text(kind, quote!(&value));
            Some(quote! {
                #doc
                pub fn #name(mut self, value: #ty) -> Self {
                    #converted
                    self.inner.#add(#wire, #value);
                    self
                }
            })
        }
        _ => None,
    }
}

/// `respond_ok` for operations whose success is one JSON body: the typed way to answer.
fn respond_ok(op: &Operation) -> Option<TokenStream> {
    let Success::Single(Some(ResponseBody::Json(ty))) = &op.success else {
        return None;
    };
    let status = op
        .responses
        .iter()
        .find_map(|r| match r.status {
            Status::Code(code) if r.status.is_success() => Some(code),
            _ => None,
        })
        .unwrap_or(200);
    let ty = rust_type(ty, Scope::Sibling);
    let doc = docs::outer(&[format!(
        "Installs the expectation, answering `{status}` with `body` as JSON."
    )]);
    Some(quote! {
        #doc
        pub async fn respond_ok(self, body: &#ty) {
            self.inner.respond(MockResponse::json(#status, body)).await;
        }
    })
}
