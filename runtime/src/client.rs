//! The runtime client: what a built client holds (HTTP connection pool, base URL, credentials,
//! settings, limits) and the static API facts generated code passes in. A generated crate wraps
//! it in its own `Client`, which carries one method per operation.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::builder::ClientBuilder;
use crate::error::Error;
use crate::redact::{HeadersDebug, Secrets, SettingKeys};
use crate::report::{Report, SpecMismatch};
use crate::request::Request;
use crate::response::Response;
use crate::retry::RetryPolicy;

/// Static facts about the API, emitted by the generator.
#[derive(Debug)]
pub struct ApiInfo {
    /// The base URL used when the caller does not set one; empty if the specification has none.
    pub default_base_url: &'static str,
    /// Whether the API requires a bearer token.
    pub requires_token: bool,
    /// The default `User-Agent` header value.
    pub user_agent: &'static str,
    /// The client-wide settings the API declares.
    pub settings: &'static [SettingInfo],
    /// The security schemes the client serves, in the order operations refer to them.
    pub schemes: &'static [crate::auth::SchemeInfo],
}

/// A header parameter that the specification marks as client-wide.
///
/// A setting is configured once on the builder, sent with every operation that takes the header,
/// and can be overridden per call.
#[derive(Debug)]
pub struct SettingInfo {
    /// The key the generated builder setter uses.
    pub key: &'static str,
    /// The HTTP header the setting is sent as.
    pub header: &'static str,
}

/// The runtime half of a generated client. Cloning is cheap: clones share the connection pool
/// and configuration.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

/// The shared state of a [`Client`].
pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    /// The base URL, parsed once (its origin is the only one credentials are sent to).
    pub(crate) base: reqwest::Url,
    pub(crate) credentials: crate::auth::Credentials,
    pub(crate) settings: Vec<(&'static str, String)>,
    pub(crate) default_headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) allow_insecure_http: bool,
    pub(crate) secrets: Secrets,
    /// Where responses disagree with the description, when the caller asked to know.
    pub(crate) report: Option<Arc<Report>>,
}

impl ClientInner {
    /// Whether `url` has the base URL's origin (scheme, host and port, the default port
    /// spelled out or not), compared without building an [`url::Origin`] for each hop.
    /// Only `http` and `https` URLs are ever compared, whose origin is that tuple.
    pub(crate) fn is_own_origin(&self, url: &reqwest::Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host() == self.base.host()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("credentials", &inner.credentials)
            .field("settings", &SettingKeys(&inner.settings))
            .field(
                "default_headers",
                &HeadersDebug(&inner.default_headers, &inner.secrets),
            )
            .field("retry", &inner.retry)
            .field("timeout", &inner.timeout)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("records_spec_mismatches", &inner.report.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a builder with the defaults described by `info`.
    pub fn builder(info: &'static ApiInfo) -> ClientBuilder {
        ClientBuilder::new(info)
    }

    /// Returns the base URL requests are sent to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// Returns the underlying HTTP client.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Returns the value of a client-wide setting, if it was set on the builder.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.inner
            .settings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every disagreement between responses and the API description seen so far, when the
    /// client was built with `record_spec_mismatches(true)`; empty otherwise.
    pub fn spec_mismatches(&self) -> Vec<SpecMismatch> {
        self.inner
            .report
            .as_ref()
            .map(|report| report.snapshot())
            .unwrap_or_default()
    }

    /// Sends a request, following redirects and retrying according to the retry policy, and
    /// reads the whole response body (up to the configured cap).
    ///
    /// Any status is returned as a [`Response`]; when retries are exhausted on a retryable
    /// status, the final response is returned too.
    ///
    /// # Errors
    ///
    /// Every way a call can fail before a response is read: see [`Error`].
    pub async fn execute(&self, request: Request) -> Result<Response, Error> {
        match crate::transport::execute(&self.inner, request, false).await? {
            crate::transport::Answer::Read(response) => Ok(response),
            // A buffered call always reads its body; this arm keeps the types honest.
            crate::transport::Answer::Open(response) => Err(response.unexpected().await),
        }
    }

    /// Sends a request like [`Client::execute`] but hands the response over before reading
    /// its body, for downloads read as they arrive.
    ///
    /// # Errors
    ///
    /// As [`Client::execute`]; a body larger than the cap fails while it is read.
    pub async fn execute_streaming(
        &self,
        request: Request,
    ) -> Result<crate::transport::StreamingResponse, Error> {
        match crate::transport::execute(&self.inner, request, true).await? {
            crate::transport::Answer::Open(response) => Ok(response),
            // A body whose declared length is over the cap is refused before streaming.
            crate::transport::Answer::Read(response) => Err(response.unexpected()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) static TEST_INFO: ApiInfo = ApiInfo {
        default_base_url: "https://api.example.test/v1/",
        requires_token: true,
        user_agent: "runtime-tests/1.0",
        settings: &[SettingInfo {
            key: "tenantId",
            header: "x-tenant-id",
        }],
        schemes: &[],
    };

    pub(crate) static OPEN_INFO: ApiInfo = ApiInfo {
        default_base_url: "",
        requires_token: false,
        user_agent: "",
        settings: &[],
        schemes: &[],
    };

    pub(crate) const TOKEN: &str = "s3cr3t-T0KEN.value";

    pub(crate) fn builder() -> ClientBuilder {
        Client::builder(&TEST_INFO).token(TOKEN)
    }

    pub(crate) fn client() -> Client {
        builder().build().unwrap()
    }

    #[test]
    fn debug_output_never_contains_the_token() {
        let builder = builder().setting("tenantId", "secret-tenant".to_owned());
        for text in [format!("{builder:?}"), format!("{builder:#?}")] {
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains("secret-tenant"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
            assert!(text.contains("tenantId"), "{text}");
        }
        let client = builder.build().unwrap();
        for text in [format!("{client:?}"), format!("{client:#?}")] {
            assert!(!text.contains(TOKEN), "{text}");
            assert!(!text.contains("secret-tenant"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        let open = Client::builder(&OPEN_INFO)
            .base_url("https://open.example.test")
            .build()
            .unwrap();
        assert!(!format!("{open:?}").contains("<redacted>"));
    }

    #[test]
    fn public_types_and_futures_are_thread_safe() {
        fn assert_traits<T: Send + Sync + 'static>() {}
        fn assert_send<T: Send>(_: &T) {}
        fn assert_unpin<T: Unpin>(_: &T) {}
        assert_traits::<Error>();
        assert_traits::<crate::BuildError>();
        assert_traits::<crate::ErrorResponse>();
        assert_traits::<Client>();
        assert_traits::<ClientBuilder>();
        assert_traits::<RetryPolicy>();
        assert_traits::<crate::CallOptions>();
        // Clippy's `result_large_err` lint fires from 128 bytes up.
        assert!(std::mem::size_of::<Error>() < 128);

        let client = client();
        let request = || {
            let mut request = Request::new(reqwest::Method::GET, "getThing", "/things");
            request.push_path("/things");
            request
        };
        let execute = client.execute(request());
        assert_send(&execute);
        let stream = crate::paging::paginate("listThings", 0, None, |_skip| {
            let client = client.clone();
            async move {
                let response = client.execute(request()).await?;
                let items: Vec<u64> = response.json::<Vec<u64>>()?.into_inner();
                Ok(crate::paging::Page { items, total: None })
            }
        });
        assert_send(&stream);
        assert_unpin(&stream);
    }
}
