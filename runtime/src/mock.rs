//! Test support for crates that depend on a generated client (feature `mock`): a mock server on
//! 127.0.0.1 (wiremock underneath) that generated code turns into one typed expectation
//! builder per operation, and a client pointed at it in one line.

use std::fmt;

use percent_encoding::utf8_percent_encode;
use reqwest::Method;
use wiremock::matchers;

use crate::builder::ClientBuilder;
use crate::client::ApiInfo;
use crate::request::{PATH_SEGMENT, ParamValue};
use crate::retry::RetryPolicy;

/// The token a mock client sends (the mock accepts any).
const MOCK_TOKEN: &str = "mock-token";
/// The value a mock client gives every client-wide setting, unless the caller sets another.
const MOCK_SETTING: &str = "mock";

/// A mock server for one API, on a free port of 127.0.0.1. Expectations are verified when it
/// is dropped (or by [`MockServer::verify`]): a mock that expected calls and did not get them
/// fails the test.
pub struct MockServer {
    server: wiremock::MockServer,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.server.uri())
            .finish()
    }
}

impl MockServer {
    /// Starts a server.
    pub async fn start() -> Self {
        Self {
            server: wiremock::MockServer::start().await,
        }
    }

    /// The server's base URL, e.g. `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The wiremock server underneath, for anything the typed builders do not cover.
    pub fn wiremock(&self) -> &wiremock::MockServer {
        &self.server
    }

    /// Checks every expectation now, panicking with wiremock's report when one is not met.
    pub async fn verify(&self) {
        self.server.verify().await;
    }

    /// A client builder pointed at this server: a placeholder token, every client-wide setting
    /// set to `"mock"` (override them as usual), plain http to loopback allowed, no retries.
    pub fn client_builder(&self, info: &'static ApiInfo) -> ClientBuilder {
        let mut builder = ClientBuilder::new(info)
            .token(MOCK_TOKEN)
            .base_url(self.server.uri())
            .allow_insecure_http(true)
            .retry_policy(RetryPolicy::disabled());
        for setting in info.settings {
            builder = builder.setting(setting.key, MOCK_SETTING.to_owned());
        }
        builder
    }
}

/// What a mock answers.
#[derive(Debug, Clone)]
pub struct MockResponse {
    template: wiremock::ResponseTemplate,
}

impl MockResponse {
    /// A response with this status and no body.
    pub fn status(status: u16) -> Self {
        Self {
            template: wiremock::ResponseTemplate::new(status),
        }
    }

    /// A response with this status and a JSON body.
    ///
    /// # Panics
    ///
    /// When `body` cannot be serialized as JSON (a map with non-string keys, say): a test
    /// set-up error.
    pub fn json(status: u16, body: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(body).expect("a mock response body serializes as JSON");
        Self {
            template: wiremock::ResponseTemplate::new(status)
                .set_body_raw(body, "application/json"),
        }
    }

    /// A response with this status and a text body.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self {
            template: wiremock::ResponseTemplate::new(status)
                .set_body_raw(body.into().into_bytes(), "text/plain"),
        }
    }

    /// Adds a response header.
    pub fn header(self, name: &str, value: &str) -> Self {
        Self {
            template: self.template.insert_header(name, value),
        }
    }

    /// Delays the response, to exercise timeouts.
    pub fn delay(self, delay: std::time::Duration) -> Self {
        Self {
            template: self.template.set_delay(delay),
        }
    }
}

/// An expectation for one operation under construction; generated typed builders wrap it.
pub struct OperationMock<'a> {
    server: &'a MockServer,
    operation: &'static str,
    method: Method,
    template: &'static str,
    path_values: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    body: Option<serde_json::Value>,
    expected: Option<u64>,
}

impl fmt::Debug for OperationMock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OperationMock")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("template", &self.template)
            .field("path_values", &self.path_values)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("expected", &self.expected)
            .finish()
    }
}

impl<'a> OperationMock<'a> {
    /// Starts an expectation that matches every call of the operation.
    pub fn new(
        server: &'a MockServer,
        operation: &'static str,
        method: Method,
        template: &'static str,
    ) -> Self {
        Self {
            server,
            operation,
            method,
            template,
            path_values: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            expected: None,
        }
    }

    /// Matches only calls whose path parameter `name` is `value`.
    pub fn path_param(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) {
        self.path_values.push((name, value.to_param().into_owned()));
    }

    /// Matches only calls with the query pair `name=value`.
    pub fn query(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) {
        self.query.push((name, value.to_param().into_owned()));
    }

    /// Matches only calls with this header value.
    pub fn header(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) {
        self.headers.push((name, value.to_param().into_owned()));
    }

    /// Matches only calls whose JSON body equals `body`.
    ///
    /// # Panics
    ///
    /// When `body` cannot be serialized as JSON: a test set-up error.
    pub fn json_body(&mut self, body: &impl serde::Serialize) {
        let value = serde_json::to_value(body).expect("a mock's expected body serializes as JSON");
        self.body = Some(value);
    }

    /// Expects exactly `calls` matching calls, checked when the server is dropped or verified.
    pub fn expect_calls(&mut self, calls: u64) {
        self.expected = Some(calls);
    }

    /// Installs the expectation with its answer.
    pub async fn respond(self, response: MockResponse) {
        let mut mock = wiremock::Mock::given(matchers::method(self.method.as_str())).and(
            matchers::path_regex(path_pattern(self.template, &self.path_values)),
        );
        for (name, value) in &self.query {
            mock = mock.and(matchers::query_param(*name, value.as_str()));
        }
        for (name, value) in &self.headers {
            mock = mock.and(matchers::header(*name, value.as_str()));
        }
        if let Some(body) = &self.body {
            mock = mock.and(matchers::body_json(body));
        }
        let mut mock = mock.respond_with(response.template).named(self.operation);
        if let Some(calls) = self.expected {
            mock = mock.expect(calls);
        }
        mock.mount(&self.server.server).await;
    }
}

/// A regular expression for the request path of `template`: literals as written, each given
/// parameter as the client encodes it, the others as any one segment.
fn path_pattern(template: &str, values: &[(&'static str, String)]) -> String {
    let mut pattern = String::from("^");
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        pattern.push_str(&escape(&rest[..open]));
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        match values.iter().rev().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                let encoded = utf8_percent_encode(value, PATH_SEGMENT).to_string();
                pattern.push_str(&escape(&encoded));
            }
            None => pattern.push_str("[^/]+"),
        }
        rest = &rest[open + close + 1..];
    }
    pattern.push_str(&escape(rest));
    pattern.push('$');
    pattern
}

/// Escapes the characters regular expressions give a meaning to.
fn escape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for c in literal.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_given_parameters_exactly_and_others_as_one_segment() {
        assert_eq!(
            path_pattern("/badges/{id}/users", &[("id", "a b/c".to_owned())]),
            "^/badges/a%20b%2Fc/users$"
        );
        assert_eq!(path_pattern("/badges/{id}", &[]), "^/badges/[^/]+$");
        assert_eq!(path_pattern("/v1.0/x", &[]), "^/v1\\.0/x$");
    }
}
