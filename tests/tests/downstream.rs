//! The generated crate as a crate that depends on it uses it, through its public API only:
//! per-call headers, timeouts and retry policies; its own HTTP stack (a real TLS server on
//! loopback with a custom root certificate) and default headers; the re-exported types; one
//! typed mock server and the public error constructors for offline tests; doc aliases. Tracing
//! and the spec-mismatch report are in `traced.rs`, which owns the process's subscriber.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gtmhub::mock::{MockResponse, MockServer};
use gtmhub::{
    Client, Error, ErrorResponse, HeaderMap, RequestOptions as _, RetryPolicy, StatusCode, reqwest,
    types,
};
use serde_json::json;
use wiremock::matchers::{any, header, path};
use wiremock::{Mock, ResponseTemplate};

const TOKEN: &str = "d0wnstream-T0KEN-5a4b";
const ACCOUNT: &str = "acct-downstream-77";

fn client(base_url: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(base_url)
        .allow_insecure_http(true)
        .retry_policy(
            RetryPolicy::new()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(2)),
        )
        .build()
        .expect("a test client")
}

async fn wiremock() -> wiremock::MockServer {
    wiremock::MockServer::start().await
}

fn badge_json() -> serde_json::Value {
    json!({"id": "b1", "name": "Gold"})
}

// ---------------------------------------------------------------------------------------------
// Per-call control.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn per_call_headers_timeouts_and_retry_policies() {
    let server = wiremock().await;
    Mock::given(path("/badges/b1"))
        .and(header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ))
        .and(header("prefer", "return=minimal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(badge_json()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/badges/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    Mock::given(path("/badges/busy"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let badge = client
        .get_badge("b1")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .header("Prefer", "return=minimal")
        .send()
        .await
        .unwrap();
    assert_eq!(badge.name.as_deref(), Some("Gold"));

    // The client allows 30 s per attempt; this call allows 100 ms.
    let error = client
        .get_badge("slow")
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::disabled())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );

    // The client retries three times; this call makes one attempt.
    let before = server.received_requests().await.unwrap().len();
    let error = client
        .get_badge("busy")
        .retry_policy(RetryPolicy::disabled())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let after = server.received_requests().await.unwrap().len();
    assert_eq!(after - before, 1);
    client.get_badge("busy").send().await.unwrap_err();
    let retried = server.received_requests().await.unwrap().len();
    assert_eq!(
        retried - after,
        3,
        "the client's own policy still applies to other calls"
    );
}

#[tokio::test]
async fn a_bad_per_call_header_fails_the_call_before_anything_is_sent() {
    let server = wiremock().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    for (name, value) in [
        ("x-note", "a\r\nx-injected: 1"),
        ("content-length", "0"),
        ("bad name", "v"),
    ] {
        let error = client
            .get_badge("b1")
            .header(name, value)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
        assert!(!error.to_string().contains("injected"), "{error}");
    }
}

// ---------------------------------------------------------------------------------------------
// Your own HTTP stack, default headers, re-exports.
// ---------------------------------------------------------------------------------------------

/// A TLS server on 127.0.0.1 with the test CA's `localhost` certificate, answering every
/// request with `body` and recording the request heads.
async fn tls_server(body: &'static str) -> (u16, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;

    let certificate = rustls::pki_types::CertificateDer::from(
        include_bytes!("../fixtures/tls/server.der").to_vec(),
    );
    let key = rustls::pki_types::PrivateKeyDer::try_from(
        include_bytes!("../fixtures/tls/server.key.der").to_vec(),
    )
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certificate], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut buffer = [0_u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, heads)
}

#[tokio::test]
async fn your_own_reqwest_configuration_reaches_a_tls_server_with_a_custom_root() {
    let (port, heads) = tls_server(r#"{"id":"b-tls","name":"Over TLS"}"#).await;
    let base_url = format!("https://localhost:{port}/api/v1");
    let root = reqwest::Certificate::from_der(include_bytes!("../fixtures/tls/ca.der")).unwrap();
    let mut defaults = HeaderMap::new();
    defaults.insert("x-team", "platform".parse().unwrap());
    let client = Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(&base_url)
        .http_client(
            reqwest::Client::builder()
                .add_root_certificate(root)
                .pool_max_idle_per_host(0),
        )
        .default_headers(defaults)
        .build()
        .unwrap();
    let badge = client.get_badge("b-tls").send().await.unwrap();
    assert_eq!(badge.name.as_deref(), Some("Over TLS"));
    let head = heads.lock().unwrap()[0].to_ascii_lowercase();
    assert!(
        head.starts_with("get /api/v1/badges/b-tls http/1.1"),
        "{head}"
    );
    assert!(head.contains("x-team: platform"), "{head}");
    assert!(head.contains(&format!(
        "authorization: bearer {}",
        TOKEN.to_ascii_lowercase()
    )));

    // Without the custom root the same server is not trusted, and the call says so.
    let plain = Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(&base_url)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = plain.get_badge("b-tls").send().await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
}

/// Compiles only if what a downstream signature needs is reachable through the crate.
fn _names_a_downstream_signature_needs(
    _: StatusCode,
    _: HeaderMap,
    _: reqwest::Client,
    _: gtmhub::ResponseValue<types::BadgeResponse>,
    _: gtmhub::CallOptions,
) {
}

// ---------------------------------------------------------------------------------------------
// Offline tests: the typed mock server and public error constructors.
// ---------------------------------------------------------------------------------------------

/// Code a downstream crate would want to test: the names of a badge and of its owner.
async fn badge_title(client: &Client, id: &str) -> Result<String, Error> {
    let badge = client.get_badge(id).send().await?;
    Ok(badge.name.clone().unwrap_or_else(|| "(unnamed)".to_owned()))
}

/// Code that handles errors: a missing badge is not a failure.
fn title_or_default(result: Result<String, Error>) -> Result<String, Error> {
    match result {
        Err(Error::Response(response)) if response.status() == StatusCode::NOT_FOUND => {
            Ok("(no such badge)".to_owned())
        }
        other => other,
    }
}

#[tokio::test]
async fn a_downstream_test_with_the_typed_mock_server() {
    let server = MockServer::start().await;
    // Response types are built with `Default` and field assignment.
    let mut gold = types::BadgeResponse::default();
    gold.id = Some("b1".to_owned());
    gold.name = Some("Gold".to_owned());
    server
        .get_badge()
        .id("b1")
        .account_id("acct-9")
        .expect_calls(1)
        .respond_ok(&gold)
        .await;
    server.get_badge().id("gone").respond_status(404).await;
    server
        .create_badge()
        .badge(&types::BadgeRequest::default().with_name("Silver"))
        .respond_with(MockResponse::json(
            201,
            &json!({"id": "b2", "name": "Silver"}),
        ))
        .await;

    let client = server
        .client_builder()
        .account_id("acct-9")
        .build()
        .unwrap();
    assert_eq!(badge_title(&client, "b1").await.unwrap(), "Gold");
    assert_eq!(
        title_or_default(badge_title(&client, "gone").await).unwrap(),
        "(no such badge)"
    );
    let created = client
        .create_badge(types::BadgeRequest::default().with_name("Silver"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("b2"));
    // Another body does not match the expectation, so the mock server answers 404.
    let other = client
        .create_badge(types::BadgeRequest::default().with_name("Bronze"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(other.status(), Some(StatusCode::NOT_FOUND));
    server.verify().await;
}

#[tokio::test]
async fn an_unmet_call_count_fails_the_test() {
    use futures_util::FutureExt as _;
    let server = MockServer::start().await;
    server
        .list_badges()
        .expect_calls(2)
        .respond_status(200)
        .await;
    let client = server.client();
    let _ = client.list_badges().send().await;
    let verified = std::panic::AssertUnwindSafe(server.verify())
        .catch_unwind()
        .await;
    assert!(
        verified.is_err(),
        "one call of two expected must fail verification"
    );
    // Let the drop-time check pass: the expectation is now met.
    let _ = client.list_badges().send().await;
}

#[test]
fn error_paths_can_be_unit_tested_with_public_constructors() {
    let not_found = Error::Response(
        ErrorResponse::new(
            "getBadge",
            StatusCode::NOT_FOUND,
            HeaderMap::new(),
            r#"{"error":"no badge"}"#,
        )
        .with_description("not found"),
    );
    assert_eq!(title_or_default(Err(not_found)).unwrap(), "(no such badge)");
    let forbidden = Error::Response(ErrorResponse::new(
        "getBadge",
        StatusCode::FORBIDDEN,
        HeaderMap::new(),
        "",
    ));
    let error = title_or_default(Err(forbidden)).unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::FORBIDDEN));
    let invalid = Error::InvalidRequest {
        operation: "getBadge",
        message: "bad id".to_owned(),
    };
    assert_eq!(invalid.to_string(), "getBadge: invalid request: bad id");
}

// ---------------------------------------------------------------------------------------------
// Docs.
// ---------------------------------------------------------------------------------------------

#[test]
fn rustdoc_finds_each_operation_by_its_id_and_path_and_the_client_hides_plumbing() {
    let source =
        std::fs::read_to_string(gtmhub_tests::repo_root().join("generated/src/client.rs")).unwrap();
    // Attributes may be wrapped over several lines by the formatter.
    let source = source.split_whitespace().collect::<Vec<_>>().join(" ");
    let source = source.replace("( ", "(").replace(", )", ")");
    let spec = gtmhub_tests::SpecDoc::load();
    for operation in spec.operations() {
        let id = operation.id();
        let alias = format!("#[doc(alias = \"{id}\", alias = \"{}\",", operation.path);
        assert!(source.contains(&alias), "no doc alias for {id}: {alias}");
    }
    let info = source
        .find("impl ::codegen_runtime::deps::progenitor_client::ClientInfo<()> for Client")
        .expect("the ClientInfo impl");
    assert!(source[..info].trim_end().ends_with("#[doc(hidden)]"));
    assert!(source.contains(
        "#[doc(alias = \"getBadge\", alias = \"/badges/{id}\", alias = \"GET /badges/{id}\")]"
    ));
}
