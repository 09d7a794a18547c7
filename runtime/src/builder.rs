//! Configuring and building a client: credentials, base URL, timeouts, retries, limits, the
//! caller's own HTTP stack and default headers, each validated once in [`ClientBuilder::build`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::{Credential, Credentials};
use crate::client::{ApiInfo, Client, ClientInner};
use crate::error::BuildError;
use crate::redact::{HeadersDebug, Redacted, Secrets, SettingKeys, is_secret_header, redact_url};
use crate::report::Report;
use crate::retry::RetryPolicy;

/// The default timeout for establishing a connection.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default timeout for one attempt, including every redirect and reading the body.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default cap on the size of a response body.
const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// Default headers a caller may not set: the transport owns framing and the connection.
const RESERVED_HEADERS: &[&str] = &[
    "connection",
    "content-length",
    "host",
    "transfer-encoding",
    "upgrade",
];

/// Configures and builds a [`Client`]; generated crates wrap it in their own `ClientBuilder`.
pub struct ClientBuilder {
    info: &'static ApiInfo,
    token: Option<String>,
    base_url: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: usize,
    allow_insecure_http: bool,
    user_agent: Option<String>,
    settings: Vec<(&'static str, String)>,
    http: Option<HttpBuilder>,
    default_headers: HeaderMap,
    record_spec_mismatches: bool,
    credentials: Vec<(&'static str, Credential)>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field("default_base_url", &self.info.default_base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("user_agent", &self.user_agent)
            .field("settings", &SettingKeys(&self.settings))
            .field("custom_http_client", &self.http.is_some())
            .field("record_spec_mismatches", &self.record_spec_mismatches)
            .field(
                "credentials",
                &self.credentials.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            )
            .field(
                "default_headers",
                &HeadersDebug(&self.default_headers, &Secrets::default()),
            )
            .finish()
    }
}

impl ClientBuilder {
    /// Starts a builder with the defaults described by `info`.
    pub fn new(info: &'static ApiInfo) -> Self {
        Self {
            info,
            token: None,
            base_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
            user_agent: None,
            settings: Vec::new(),
            http: None,
            default_headers: HeaderMap::new(),
            record_spec_mismatches: false,
            credentials: Vec::new(),
        }
    }

    /// Sets the bearer token sent in the `Authorization` header.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Overrides the base URL.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the timeout for establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the timeout for one attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the largest response body the client accepts, in bytes.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Allows a plain `http` base URL and redirects to `http` URLs.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Overrides the `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the HTTP client from the caller's `reqwest` configuration (proxies, root
    /// certificates, connection pool) instead of a default one.
    pub fn http_client(mut self, http: reqwest::ClientBuilder) -> Self {
        self.http = Some(HttpBuilder(Box::new(http)));
        self
    }

    /// Adds headers sent with every request to the API's origin.
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        for (name, value) in &headers {
            self.default_headers.append(name.clone(), value.clone());
        }
        self
    }

    /// Records, for every JSON response, the properties and enum values the API description
    /// does not declare.
    pub fn record_spec_mismatches(mut self, record: bool) -> Self {
        self.record_spec_mismatches = record;
        self
    }

    /// Sets the credential of the security scheme `key`; generated setters call this.
    pub fn credential(mut self, key: &'static str, credential: Credential) -> Self {
        match self.credentials.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = credential,
            None => self.credentials.push((key, credential)),
        }
        self
    }

    /// Sets a client-wide setting by its key; generated setters call this.
    pub fn setting(mut self, key: &'static str, value: String) -> Self {
        match self.settings.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.settings.push((key, value)),
        }
        self
    }

    /// Validates the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// Fails when a required token or base URL is missing, when the token, base URL, a setting
    /// or a default header is invalid, when the base URL is not https and insecure HTTP is not
    /// allowed, or when the HTTP client cannot be created.
    pub fn build(self) -> Result<Client, BuildError> {
        let token = self.token.as_deref().map(bearer_header).transpose()?;
        let mut values: Vec<Option<Credential>> = vec![None; self.info.schemes.len()];
        let mut secrets: Vec<String> = self.token.iter().map(|t| t.trim().to_owned()).collect();
        for (key, credential) in &self.credentials {
            let Some(index) = self.info.schemes.iter().position(|s| s.key == *key) else {
                return Err(BuildError::InvalidCredential {
                    scheme: key,
                    reason: "unknown security scheme".to_owned(),
                });
            };
            validate_credential(key, credential)?;
            secrets.extend(credential.secrets());
            values[index] = Some(credential.clone());
        }
        let credentials = Credentials {
            schemes: self.info.schemes,
            values,
            token,
        };
        if self.info.requires_token && !credentials.any() {
            return Err(BuildError::MissingToken);
        }
        let raw_base_url = self
            .base_url
            .as_deref()
            .unwrap_or(self.info.default_base_url);
        let base = validate_base_url(raw_base_url, self.allow_insecure_http)?;
        self.validate_settings()?;
        let default_headers = validate_default_headers(self.default_headers, &mut secrets)?;

        let user_agent = self.user_agent.as_deref().unwrap_or(self.info.user_agent);
        let mut http = self
            .http
            .map_or_else(reqwest::ClientBuilder::new, HttpBuilder::into_inner)
            .connect_timeout(self.connect_timeout)
            // The transport follows redirects itself, so that credentials never reach another
            // origin and a body is never re-sent there, whatever the number of hops.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!self.allow_insecure_http)
            .referer(false);
        if !user_agent.is_empty() {
            http = http.user_agent(user_agent);
        }
        let http = http.build().map_err(BuildError::Http)?;

        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base,
                credentials,
                settings: self.settings,
                default_headers,
                retry: self.retry,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
                allow_insecure_http: self.allow_insecure_http,
                secrets: Secrets::new(secrets),
                report: self
                    .record_spec_mismatches
                    .then(|| Arc::new(Report::default())),
            }),
        })
    }

    fn validate_settings(&self) -> Result<(), BuildError> {
        for (key, value) in &self.settings {
            let invalid = |reason: &str| BuildError::InvalidSetting {
                key,
                reason: reason.to_owned(),
            };
            let Some(info) = self.info.settings.iter().find(|s| s.key == *key) else {
                return Err(invalid("unknown setting"));
            };
            if value.is_empty() {
                return Err(invalid(&format!(
                    "the value for the `{}` header must not be empty",
                    info.header
                )));
            }
            if HeaderValue::from_str(value).is_err() {
                return Err(invalid(&format!(
                    "the value for the `{}` header must not contain control characters such as \
                     CR, LF or NUL",
                    info.header
                )));
            }
        }
        Ok(())
    }
}

/// Checks default headers: no framing headers, credentials marked sensitive and scrubbed from
/// output.
fn validate_default_headers(
    headers: HeaderMap,
    secrets: &mut Vec<String>,
) -> Result<HeaderMap, BuildError> {
    let mut checked = HeaderMap::with_capacity(headers.len());
    for (name, mut value) in headers.into_iter().filter_map(|(n, v)| Some((n?, v))) {
        if RESERVED_HEADERS.contains(&name.as_str()) {
            return Err(BuildError::InvalidHeader {
                name: name.as_str().to_owned(),
                reason: "the transport manages this header".to_owned(),
            });
        }
        if is_secret_header(name.as_str()) || value.is_sensitive() {
            value.set_sensitive(true);
            if let Ok(text) = value.to_str() {
                secrets.push(text.to_owned());
            }
        }
        checked.append::<HeaderName>(name, value);
    }
    Ok(checked)
}

/// Checks a scheme's credential: visible ASCII for keys and tokens, no control characters in
/// a user name or password.
fn validate_credential(scheme: &'static str, credential: &Credential) -> Result<(), BuildError> {
    let invalid = |reason: &str| BuildError::InvalidCredential {
        scheme,
        reason: reason.to_owned(),
    };
    match credential {
        Credential::Secret(secret) => {
            let secret = secret.trim();
            if secret.is_empty() || !secret.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(invalid("it must be non-empty visible ascii without spaces"));
            }
        }
        Credential::Basic { username, password } => {
            if username.contains(':') {
                return Err(invalid("a user name must not contain `:`"));
            }
            if username
                .chars()
                .chain(password.chars())
                .any(char::is_control)
            {
                return Err(invalid("it must not contain control characters"));
            }
        }
    }
    Ok(())
}

/// Builds the `Authorization` header value for a bearer token, marked sensitive.
fn bearer_header(token: &str) -> Result<HeaderValue, BuildError> {
    let token = token.trim();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(BuildError::InvalidToken);
    }
    let mut value =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| BuildError::InvalidToken)?;
    value.set_sensitive(true);
    Ok(value)
}

/// A caller's `reqwest::ClientBuilder`, kept behind a box whose type is erased, so that dropping
/// a [`ClientBuilder`] runs code compiled here once. Unerased, every generated crate would
/// compile its own copy of the drop code of reqwest's whole configuration (proxies,
/// certificates, rustls's settings), half of a small crate's machine code in release builds,
/// where generic code is not shared between crates.
struct HttpBuilder(Box<dyn IntoReqwest>);

/// What the erased builder can still do: give the builder back.
trait IntoReqwest: Send + Sync {
    fn into_reqwest(self: Box<Self>) -> reqwest::ClientBuilder;
}

impl IntoReqwest for reqwest::ClientBuilder {
    fn into_reqwest(self: Box<Self>) -> reqwest::ClientBuilder {
        *self
    }
}

impl HttpBuilder {
    fn into_inner(self) -> reqwest::ClientBuilder {
        self.0.into_reqwest()
    }
}

/// Validates a base URL. Errors show it without credentials, query or fragment.
fn validate_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url, BuildError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(BuildError::MissingBaseUrl);
    }
    let invalid = |reason: &str| BuildError::InvalidBaseUrl {
        url: redact_url(raw),
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not contain credentials"));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http => {}
        "http" => {
            return Err(BuildError::InsecureBaseUrl {
                url: redact_url(raw),
            });
        }
        other => {
            return Err(invalid(&format!(
                "unsupported scheme `{other}`, expected https"
            )));
        }
    }
    if url.host().is_none() {
        return Err(invalid("must have a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not contain a query or fragment"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::{OPEN_INFO, TEST_INFO, TOKEN, builder, client};

    #[test]
    fn build_validates_the_token() {
        assert!(matches!(
            Client::builder(&TEST_INFO).build(),
            Err(BuildError::MissingToken)
        ));
        for token in [
            "",
            "   ",
            "two words",
            "tok\r\nen",
            "t\u{f6}ken",
            "Bearer abc",
        ] {
            let error = Client::builder(&TEST_INFO)
                .token(token)
                .build()
                .unwrap_err();
            assert!(matches!(error, BuildError::InvalidToken), "{token:?}");
            let text = format!("{error} {error:?}");
            assert!(token.trim().is_empty() || !text.contains(token), "{text}");
        }
        let client = Client::builder(&TEST_INFO)
            .token(format!("{TOKEN}\n"))
            .build()
            .unwrap();
        let authorization = client.inner.credentials.token.as_ref().unwrap();
        assert!(authorization.is_sensitive());
        assert_eq!(authorization, &format!("Bearer {TOKEN}"));
        assert_eq!(client.inner.secrets.scrub(TOKEN), "<redacted>");
        let open = Client::builder(&OPEN_INFO)
            .base_url("https://open.example.test")
            .build()
            .unwrap();
        assert!(open.inner.credentials.token.is_none());
    }

    #[test]
    fn build_validates_the_base_url() {
        assert_eq!(client().base_url(), "https://api.example.test/v1");
        let custom = builder()
            .base_url(" https://other.example.test/api// ")
            .build()
            .unwrap();
        assert_eq!(custom.base_url(), "https://other.example.test/api");
        assert_eq!(
            builder()
                .base_url("https://other.example.test")
                .build()
                .unwrap()
                .base_url(),
            "https://other.example.test"
        );

        assert!(matches!(
            Client::builder(&OPEN_INFO).build(),
            Err(BuildError::MissingBaseUrl)
        ));
        assert!(matches!(
            builder().base_url("http://plain.example.test").build(),
            Err(BuildError::InsecureBaseUrl { .. })
        ));
        assert!(
            builder()
                .base_url("http://127.0.0.1:8080")
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
        for url in [
            "not a url",
            "ftp://files.example.test",
            "mailto:someone@example.test",
            "https://api.example.test/?q=1",
            "https://api.example.test/#frag",
        ] {
            let error = builder().base_url(url).build().unwrap_err();
            assert!(
                matches!(error, BuildError::InvalidBaseUrl { .. }),
                "{url}: {error:?}"
            );
        }
    }

    #[test]
    fn base_url_errors_show_no_credentials_and_no_query() {
        for (url, secret) in [
            ("https://user:hunter2@api.example.test/", "hunter2"),
            ("https://user:hun@ter/2@api.example.test/v1", "ter/2"),
            ("https://user:hunter2@exa mple.test", "hunter2"),
            ("u:hunter2@host.test", "hunter2"),
            (
                "https://api.example.test/v1?api_key=k3y-secret",
                "k3y-secret",
            ),
            ("ftp://api.example.test/?key=k3y-secret", "k3y-secret"),
            ("http://api.example.test/?key=k3y-secret", "k3y-secret"),
        ] {
            let error = builder().base_url(url).build().unwrap_err();
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains(secret), "{url}: {shown}");
        }
        let debug = format!("{:?}", builder().base_url("https://u:hunter2@host.test"));
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn build_validates_settings() {
        for (key, value) in [
            ("tenantId", "a\r\nb"),
            ("tenantId", ""),
            ("unknownKey", "x"),
        ] {
            let error = builder()
                .setting(key, value.to_owned())
                .build()
                .unwrap_err();
            match &error {
                BuildError::InvalidSetting { key: k, .. } => assert_eq!(*k, key),
                other => panic!("unexpected {other:?}"),
            }
            assert!(error.to_string().contains(key));
        }
        let client = builder()
            .setting("tenantId", "first".to_owned())
            .setting("tenantId", "second".to_owned())
            .build()
            .unwrap();
        assert_eq!(client.setting("tenantId"), Some("second"));
    }

    #[test]
    fn default_headers_are_checked_and_credentials_among_them_hidden() {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("k3y-value"));
        headers.insert("x-team", HeaderValue::from_static("blue"));
        let client = builder().default_headers(headers).build().unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("k3y-value"), "{shown}");
        assert!(shown.contains("blue"), "{shown}");
        assert!(client.inner.default_headers["x-api-key"].is_sensitive());
        assert_eq!(client.inner.secrets.scrub("k3y-value"), "<redacted>");

        let mut framing = HeaderMap::new();
        framing.insert("content-length", HeaderValue::from_static("3"));
        let error = builder().default_headers(framing).build().unwrap_err();
        assert!(
            matches!(error, BuildError::InvalidHeader { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_custom_http_stack_is_accepted() {
        let custom = reqwest::Client::builder().pool_max_idle_per_host(1);
        let client = builder().http_client(custom).build().unwrap();
        assert_eq!(client.base_url(), "https://api.example.test/v1");
    }
}
