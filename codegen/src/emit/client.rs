//! The client module: API facts, the `Client` and its `ClientBuilder` (thin wrappers of the
//! runtime's, which generated code cannot extend with methods of its own), client-wide
//! settings, the runtime items a user names; [`super::operations`] adds one method and request
//! builder per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Context, docs, ident};
use crate::ir::{Api, AuthKind, Location};

/// The head of the client file: module docs, re-exports, the API facts, `Client`,
/// `ClientBuilder` and `Server`; each operation's items follow as units
/// ([`operations::emit_operation`]).
pub(super) fn emit_head(cx: &Context<'_>) -> TokenStream {
    let api = cx.api;
    let header = docs::inner(&[format!(
        "The {} client: construction, client-wide settings and one method per operation, \
         generated from {}.",
        docs::spec_text(&api.title),
        docs::code(&api.source)
    )]);
    let info = emit_api_info(api);
    let client = emit_client(api);
    let builder = emit_builder(api);
    let servers = emit_servers(api);
    quote! {
        #header

        pub use ::codegen_runtime::{
            BuildError, CallOptions, Error, ErrorResponse, HeaderMap, InvalidBodyKind, JsonError,
            MismatchKind, RequestOptions, ResponseValue, RetryPolicy, SpecMismatch, StatusCode,
            reqwest,
        };

        #info
        #client
        #builder
        #servers
    }
}

fn emit_api_info(api: &Api) -> TokenStream {
    let version = &api.version;
    let base_url = api.default_base_url.clone().unwrap_or_default();
    let requires_token = api.requires_token;
    let settings = api.settings.iter().map(|setting| {
        let key = &setting.name.wire;
        let header = &setting.header;
        quote!(::codegen_runtime::SettingInfo { key: #key, header: #header })
    });
    let version_doc = docs::outer(&[format!(
        "The API version this client was generated from (`info.version` of {}).",
        docs::code(&api.source)
    )]);
    let base_doc = docs::outer(&[if base_url.is_empty() {
        "The API description names no absolute server URL: set one with `ClientBuilder::base_url`."
            .to_owned()
    } else {
        format!(
            "The server the client talks to unless `ClientBuilder::base_url` says otherwise: {}.",
            docs::code(&base_url)
        )
    }]);
    let schemes = api.auth.iter().map(|scheme| {
        let key = &scheme.name.wire;
        let setter = &scheme.name.rust;
        let kind = match &scheme.kind {
            AuthKind::Bearer => quote!(Bearer),
            AuthKind::Basic => quote!(Basic),
            AuthKind::ApiKey { location, name } => match location {
                Location::Query => quote!(QueryKey(#name)),
                Location::Cookie => quote!(CookieKey(#name)),
                _ => quote!(HeaderKey(#name)),
            },
        };
        quote!(::codegen_runtime::SchemeInfo { key: #key, setter: #setter, kind: ::codegen_runtime::SchemeKind::#kind })
    });
    quote! {
        #version_doc
        pub const API_VERSION: &str = #version;

        #base_doc
        pub const DEFAULT_BASE_URL: &str = #base_url;

        pub(crate) static API_INFO: ::codegen_runtime::ApiInfo = ::codegen_runtime::ApiInfo {
            default_base_url: DEFAULT_BASE_URL,
            requires_token: #requires_token,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
            settings: &[#(#settings),*],
            schemes: &[#(#schemes),*],
        };
    }
}

fn emit_client(api: &Api) -> TokenStream {
    let doc = docs::outer(&[
        format!("A client for the {}.", docs::spec_text(&api.title)),
        "Build one with [`Client::builder`] and keep it: cloning is cheap (clones share the \
         connection pool and configuration). Each operation is a method that returns a request \
         builder; its `send()` runs the call."
            .to_owned(),
    ]);
    let mut paragraphs = vec![format!(
        "Starts configuring a client for the {}.",
        docs::spec_text(&api.title)
    )];
    if api.requires_token {
        paragraphs.push(
            "A bearer token is required: set it with `token(…)` before `build()`.".to_owned(),
        );
    }
    for setting in &api.settings {
        paragraphs.push(format!(
            "`{}(…)` sets the `{}` header once for every operation that takes it.",
            setting.name.rust, setting.header
        ));
    }
    paragraphs.push(
        "Defaults: the server above, a 10 s connect timeout, a 30 s timeout per attempt, up to 3 \
         attempts with exponential backoff for transient failures, responses capped at 32 MiB, \
         and https only."
            .to_owned(),
    );
    let builder_doc = docs::outer(&paragraphs);
    quote! {
        #doc
        #[derive(Clone, Debug)]
        pub struct Client {
            runtime: ::codegen_runtime::Client,
        }

        impl Client {
            #builder_doc
            pub fn builder() -> ClientBuilder {
                ClientBuilder {
                    inner: ::codegen_runtime::Client::builder(&API_INFO),
                }
            }

            /// Returns the base URL requests are sent to, without a trailing slash.
            pub fn base_url(&self) -> &str {
                self.runtime.base_url()
            }

            /// Returns the underlying HTTP client.
            pub fn http_client(&self) -> &::codegen_runtime::reqwest::Client {
                self.runtime.http_client()
            }

            /// Every disagreement between the responses seen so far and the API description
            /// (properties it does not declare, enum values it does not list), per operation
            /// and schema, when the client was built with
            /// [`record_spec_mismatches(true)`](ClientBuilder::record_spec_mismatches); empty
            /// otherwise.
            pub fn spec_mismatches(&self) -> Vec<SpecMismatch> {
                self.runtime.spec_mismatches()
            }
        }

        #[doc(hidden)]
        impl ::codegen_runtime::deps::progenitor_client::ClientInfo<()> for Client {
            fn api_version() -> &'static str {
                API_VERSION
            }

            fn baseurl(&self) -> &str {
                self.runtime.base_url()
            }

            fn client(&self) -> &::codegen_runtime::reqwest::Client {
                self.runtime.http_client()
            }

            fn inner(&self) -> &() {
                &()
            }
        }
    }
}

fn emit_builder(api: &Api) -> TokenStream {
    let settings = api.settings.iter().map(|setting| {
        let method = ident(&setting.name.rust);
        let key = &setting.name.wire;
        let mut paragraphs = vec![format!(
            "Sets the `{}` header sent with every operation that takes it; a request builder's \
             own `{}(…)` overrides it for one call.",
            setting.header, setting.name.rust
        )];
        paragraphs.extend(setting.docs.0.iter().map(|p| docs::spec_text(p)));
        let doc = docs::outer(&paragraphs);
        quote! {
            #doc
            pub fn #method(self, value: impl Into<String>) -> Self {
                Self { inner: self.inner.setting(#key, value.into()) }
            }
        }
    });
    let schemes = api.auth.iter().map(|scheme| {
        let method = ident(&scheme.name.rust);
        let key = &scheme.name.wire;
        let what = match &scheme.kind {
            AuthKind::Bearer => "Sets the bearer token of the".to_owned(),
            AuthKind::Basic => "Sets the user name and password of the".to_owned(),
            AuthKind::ApiKey { location, name } => format!(
                "Sets the API key, sent as the {} {} by the",
                docs::code(name),
                location.as_str()
            ),
        };
        let mut paragraphs = vec![format!(
            "{what} {} security scheme: sent with the operations that take it, never shown by \
             `Debug` or in errors, and never sent to another origin.",
            docs::code(key)
        )];
        paragraphs.extend(scheme.docs.0.iter().map(|p| docs::spec_text(p)));
        let doc = docs::outer(&paragraphs);
        match &scheme.kind {
            AuthKind::Basic => quote! {
                #doc
                pub fn #method(self, username: impl Into<String>, password: impl Into<String>) -> Self {
                    let credential = ::codegen_runtime::Credential::Basic {
                        username: username.into(),
                        password: password.into(),
                    };
                    Self { inner: self.inner.credential(#key, credential) }
                }
            },
            _ => quote! {
                #doc
                pub fn #method(self, secret: impl Into<String>) -> Self {
                    Self { inner: self.inner.credential(#key, ::codegen_runtime::Credential::Secret(secret.into())) }
                }
            },
        }
    });
    let server_setter = (!api.servers.is_empty()).then(|| {
        quote! {
            /// Sends requests to one of the servers the API description lists (the first,
            /// [`Server::default`], unless this or [`base_url`](Self::base_url) says otherwise).
            pub fn server(self, server: Server) -> Self {
                self.base_url(server.url())
            }
        }
    });
    quote! {
        /// Configures and builds a [`Client`]; start with [`Client::builder`].
        #[derive(Debug)]
        #[must_use = "a builder does nothing until you call `build`"]
        pub struct ClientBuilder {
            pub(crate) inner: ::codegen_runtime::ClientBuilder,
        }

        impl ClientBuilder {
            /// Sets the bearer token sent in the `Authorization` header by every operation that
            /// takes a bearer token (http bearer, OAuth2 or OpenID Connect schemes), unless a
            /// scheme's own setter gives another. Never shown by `Debug` or in errors, and never
            /// sent to another origin.
            ///
            /// Surrounding whitespace is ignored; pass the token without the `Bearer ` prefix.
            pub fn token(self, token: impl Into<String>) -> Self {
                Self { inner: self.inner.token(token) }
            }

            /// Overrides the base URL, for example to target another environment or a test
            /// server. Credentials, a query or a fragment in it are refused.
            pub fn base_url(self, url: impl Into<String>) -> Self {
                Self { inner: self.inner.base_url(url) }
            }

            #server_setter

            /// Sets the timeout for establishing a connection (default 10 s).
            pub fn connect_timeout(self, timeout: ::std::time::Duration) -> Self {
                Self { inner: self.inner.connect_timeout(timeout) }
            }

            /// Sets the timeout for one attempt, covering every redirect and reading the response
            /// body (default 30 s). A request builder's `timeout(…)` overrides it for one call.
            pub fn timeout(self, timeout: ::std::time::Duration) -> Self {
                Self { inner: self.inner.timeout(timeout) }
            }

            /// Sets the retry policy (default [`RetryPolicy::new`]). A request builder's
            /// `retry_policy(…)` overrides it for one call.
            pub fn retry_policy(self, policy: RetryPolicy) -> Self {
                Self { inner: self.inner.retry_policy(policy) }
            }

            /// Sets the largest response body the client accepts, in bytes (default 32 MiB).
            ///
            /// Larger bodies end the call with [`Error::BodyTooLarge`] without being buffered.
            pub fn max_response_bytes(self, limit: usize) -> Self {
                Self { inner: self.inner.max_response_bytes(limit) }
            }

            /// Allows a plain `http` base URL and redirects to `http` URLs (default `false`).
            ///
            /// Only use this for local testing: the token would be sent in clear text.
            pub fn allow_insecure_http(self, allow: bool) -> Self {
                Self { inner: self.inner.allow_insecure_http(allow) }
            }

            /// Overrides the `User-Agent` header (default: this crate's name and version).
            pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
                Self { inner: self.inner.user_agent(user_agent) }
            }

            /// Builds the HTTP client from your own `reqwest` configuration: proxies, root
            /// certificates, connection-pool settings and the like.
            ///
            /// The client still applies its own rules on top: the connect timeout and user agent
            /// above, https only (unless allowed), no `Referer`, and redirects followed by the
            /// client itself, so that credentials never reach another origin.
            pub fn http_client(self, http: ::codegen_runtime::reqwest::ClientBuilder) -> Self {
                Self { inner: self.inner.http_client(http) }
            }

            /// Adds headers sent with every request to the API's origin (never to another
            /// origin a redirect leads to). Values of credential headers are hidden in `Debug`.
            pub fn default_headers(self, headers: HeaderMap) -> Self {
                Self { inner: self.inner.default_headers(headers) }
            }

            /// Records, for every JSON response, the properties the API description does not
            /// declare and the enum values it does not list (default `false`): read them with
            /// [`Client::spec_mismatches`]; each new one is also a `tracing` warning. Decoding
            /// is unchanged either way; when off, this costs nothing.
            pub fn record_spec_mismatches(self, record: bool) -> Self {
                Self { inner: self.inner.record_spec_mismatches(record) }
            }

            #(#settings)*
            #(#schemes)*

            /// Validates the configuration and builds the client.
            ///
            /// # Errors
            ///
            /// Fails when a required token or base URL is missing, when the token, base URL, a
            /// setting or a default header is invalid, when the base URL is not https and
            /// insecure HTTP is not allowed, or when the HTTP client cannot be created.
            pub fn build(self) -> Result<Client, BuildError> {
                Ok(Client { runtime: self.inner.build()? })
            }
        }
    }
}

/// The `Server` enum: one variant per absolute server URL of the description, so a region or
/// environment is picked by name (`ClientBuilder::server`) rather than by pasting its URL.
fn emit_servers(api: &Api) -> TokenStream {
    if api.servers.is_empty() {
        return TokenStream::new();
    }
    let variants = api.servers.iter().enumerate().map(|(index, server)| {
        let variant = ident(&server.name.rust);
        let default = (index == 0).then(|| quote!(#[default]));
        let mut paragraphs: Vec<String> =
            server.docs.0.iter().map(|p| docs::spec_text(p)).collect();
        paragraphs.push(format!("URL: {}.", docs::code(&server.url)));
        let doc = docs::outer(&paragraphs);
        quote! {
            #doc
            #default
            #variant
        }
    });
    let names = api.servers.iter().map(|server| ident(&server.name.rust));
    let arms = api.servers.iter().map(|server| {
        let variant = ident(&server.name.rust);
        let url = &server.url;
        quote!(Self::#variant => #url,)
    });
    let doc = docs::outer(&[format!(
        "The servers {} lists; [`ClientBuilder::server`] picks one. The first is the default.",
        docs::code(&api.source)
    )]);
    quote! {
        #doc
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Server {
            #(#variants),*
        }

        impl Server {
            /// Every server, in the order the API description lists them.
            pub const ALL: &[Server] = &[#(Server::#names),*];

            /// The server's base URL, without a trailing slash.
            pub const fn url(self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }

        impl ::std::fmt::Display for Server {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.url())
            }
        }
    }
}
