//! The client module: API facts, `Client::builder()`, client-wide settings, and (through
//! [`super::operations`]) one method and request builder per operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, ident, operations};
use crate::ir::Api;

pub(super) fn emit_client_file(api: &Api) -> TokenStream {
    let header = docs::inner(&[format!(
        "The {} client: construction, client-wide settings and one method per operation, \
         generated from {}.",
        docs::spec_text(&api.title),
        docs::code(&api.source)
    )]);
    let info = emit_api_info(api);
    let builder = emit_builder_fn(api);
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
                self.setting(#key, value.into())
            }
        }
    });
    let operations = operations::emit_operations(api);
    quote! {
        #header
        #info
        #builder

        impl super::runtime::ClientBuilder {
            #(#settings)*
        }

        impl ::progenitor_client::ClientInfo<()> for super::runtime::Client {
            fn api_version() -> &'static str {
                API_VERSION
            }

            fn baseurl(&self) -> &str {
                self.base_url()
            }

            fn client(&self) -> &::reqwest::Client {
                self.http_client()
            }

            fn inner(&self) -> &() {
                &()
            }
        }

        #operations
    }
}

fn emit_api_info(api: &Api) -> TokenStream {
    let version = &api.version;
    let base_url = api.default_base_url.clone().unwrap_or_default();
    let requires_token = api.requires_token;
    let settings = api.settings.iter().map(|setting| {
        let key = &setting.name.wire;
        let header = &setting.header;
        quote!(super::runtime::SettingInfo { key: #key, header: #header })
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
    quote! {
        #version_doc
        pub const API_VERSION: &str = #version;

        #base_doc
        pub const DEFAULT_BASE_URL: &str = #base_url;

        static API_INFO: super::runtime::ApiInfo = super::runtime::ApiInfo {
            default_base_url: DEFAULT_BASE_URL,
            requires_token: #requires_token,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")),
            settings: &[#(#settings),*],
        };
    }
}

fn emit_builder_fn(api: &Api) -> TokenStream {
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
    let doc = docs::outer(&paragraphs);
    quote! {
        impl super::runtime::Client {
            #doc
            pub fn builder() -> super::runtime::ClientBuilder {
                Self::from_builder_info(&API_INFO)
            }
        }
    }
}
