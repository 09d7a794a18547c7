//! The transport against a scripted HTTP/1.1 server on 127.0.0.1: what is sent, retries,
//! limits, cut bodies, timeouts, redirects and URL length.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use reqwest::{Method, StatusCode};

use crate::client::tests::{TOKEN, builder};
use crate::{BuildError, Client, Error, InvalidBodyKind, Request, RetryPolicy};

/// What the scripted server does with one connection.
enum Reply {
    /// Writes these bytes and closes the connection.
    Send(Vec<u8>),
    /// Reads the request and then waits without answering.
    Hang(Duration),
}

fn reply(status: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut text = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Reply::Send(text.into_bytes())
}

/// A server that answers one connection per scripted reply and records the requests.
struct TestServer {
    origin: String,
    base_url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    fn start(replies: Vec<Reply>) -> Self {
        Self::serve(TcpListener::bind("127.0.0.1:0").unwrap(), replies)
    }

    /// Starts a server on the port of `origin` (freed by the caller just before).
    fn start_at(origin: &str, replies: Vec<Reply>) -> Self {
        let address = origin.trim_start_matches("http://");
        Self::serve(TcpListener::bind(address).unwrap(), replies)
    }

    fn serve(listener: TcpListener, replies: Vec<Reply>) -> Self {
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for reply in replies {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let request = read_request(&mut stream);
                seen.lock().unwrap().push(request);
                match reply {
                    Reply::Send(bytes) => {
                        let _ = stream.write_all(&bytes);
                        let _ = stream.flush();
                    }
                    Reply::Hang(wait) => std::thread::sleep(wait),
                }
            }
        });
        Self {
            base_url: format!("{origin}/v1"),
            origin,
            requests,
        }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn client(&self, policy: RetryPolicy) -> Client {
        builder()
            .base_url(&self.base_url)
            .allow_insecure_http(true)
            .retry_policy(policy)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap()
    }
}

fn read_request(stream: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                break;
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
    String::from_utf8_lossy(&data).into_owned()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
}

fn get(path_param: &str) -> Request {
    let mut request = Request::new(Method::GET, "getThing", "/things/{id}");
    request.push_path("/things/");
    request.push_path_param("id", path_param).unwrap();
    request
}

fn post() -> Request {
    let mut request = Request::new(Method::POST, "createThing", "/things");
    request.push_path("/things");
    request.json_body(&serde_json::json!({"a": 1})).unwrap();
    request
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Thing {
    id: u32,
}

#[tokio::test]
async fn execute_sends_the_expected_request() {
    let server = TestServer::start(vec![reply(
        "200 OK",
        &[("content-type", "application/json")],
        r#"{"id":1}"#,
    )]);
    let client = builder()
        .base_url(&server.base_url)
        .allow_insecure_http(true)
        .setting("tenantId", "tenant-7".to_owned())
        .build()
        .unwrap();
    let mut request = Request::new(Method::PUT, "putThing", "/things/{id}");
    request.push_path("/things/");
    request.push_path_param("id", "a/b c").unwrap();
    request.query("q", "x y&z");
    request.query_each("fields", &["a", "b"]);
    request
        .setting_header(&client, "x-tenant-id", "tenantId", None, true)
        .unwrap();
    request.json_body(&serde_json::json!({"n": 1})).unwrap();
    let value = client
        .execute(request)
        .await
        .unwrap()
        .json::<Thing>()
        .unwrap();
    assert_eq!(value.into_inner(), Thing { id: 1 });

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert!(
        sent.starts_with("PUT /v1/things/a%2Fb%20c?q=x%20y%26z&fields=a&fields=b HTTP/1.1\r\n"),
        "{sent}"
    );
    let lower = sent.to_ascii_lowercase();
    assert!(
        sent.contains(&format!("authorization: Bearer {TOKEN}\r\n")),
        "{sent}"
    );
    assert!(lower.contains("accept: application/json\r\n"), "{sent}");
    assert!(
        lower.contains("content-type: application/json\r\n"),
        "{sent}"
    );
    assert!(lower.contains("x-tenant-id: tenant-7\r\n"), "{sent}");
    assert!(
        lower.contains("user-agent: runtime-tests/1.0\r\n"),
        "{sent}"
    );
    assert!(sent.ends_with("\r\n\r\n{\"n\":1}"), "{sent}");
}

#[tokio::test]
async fn execute_retries_idempotent_requests_then_succeeds() {
    let server = TestServer::start(vec![
        reply("503 Service Unavailable", &[], "busy"),
        reply("500 Internal Server Error", &[("retry-after", "0")], ""),
        reply(
            "200 OK",
            &[("content-type", "application/json")],
            r#"{"id":2}"#,
        ),
    ]);
    let response = server
        .client(fast_retries())
        .execute(get("2"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn execute_returns_the_final_response_when_retries_are_exhausted() {
    let server = TestServer::start(vec![
        reply("503 Service Unavailable", &[], "busy"),
        reply("503 Service Unavailable", &[], "still busy"),
    ]);
    let policy = fast_retries().max_attempts(2);
    let response = server.client(policy).execute(get("3")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(server.requests().len(), 2);
    let error = response.unexpected();
    assert!(error.is_retryable());
    assert!(error.to_string().ends_with(": still busy"), "{error}");
}

#[tokio::test]
async fn execute_does_not_retry_post_on_server_errors() {
    let server = TestServer::start(vec![
        reply("503 Service Unavailable", &[], ""),
        reply("200 OK", &[], ""),
    ]);
    let response = server.client(fast_retries()).execute(post()).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn execute_retries_post_on_429() {
    let server = TestServer::start(vec![
        reply("429 Too Many Requests", &[("retry-after", "0")], ""),
        reply("201 Created", &[], ""),
    ]);
    let response = server.client(fast_retries()).execute(post()).await.unwrap();
    assert_eq!(response.status(), 201);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.ends_with("{\"a\":1}")));
}

#[tokio::test]
async fn execute_gives_up_on_long_retry_after() {
    let server = TestServer::start(vec![
        reply(
            "429 Too Many Requests",
            &[("retry-after", "120")],
            "slow down",
        ),
        reply("200 OK", &[], ""),
    ]);
    let error = server
        .client(fast_retries())
        .execute(get("4"))
        .await
        .unwrap_err();
    match &error {
        Error::RateLimited {
            retry_after,
            response,
        } => {
            assert_eq!(*retry_after, Duration::from_secs(120));
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(response.body_text(), "slow down");
            assert_eq!(response.headers()[RETRY_AFTER], "120");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.is_retryable());
    assert_eq!(error.operation_id(), "getThing");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn execute_refuses_bodies_over_the_limit() {
    let server = TestServer::start(vec![reply("200 OK", &[], &"x".repeat(100))]);
    let client = builder()
        .base_url(&server.base_url)
        .allow_insecure_http(true)
        .max_response_bytes(16)
        .build()
        .unwrap();
    let error = client.execute(get("5")).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 16, .. }),
        "{error:?}"
    );

    let mut chunked =
        String::from("HTTP/1.1 200 OK\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n");
    for _ in 0..10 {
        chunked.push_str("a\r\n0123456789\r\n");
    }
    chunked.push_str("0\r\n\r\n");
    let server = TestServer::start(vec![Reply::Send(chunked.into_bytes())]);
    let client = builder()
        .base_url(&server.base_url)
        .allow_insecure_http(true)
        .max_response_bytes(50)
        .build()
        .unwrap();
    let error = client.execute(get("6")).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 50, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn execute_keeps_status_and_bytes_of_a_body_cut_short() {
    let cut = "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 50\r\n\r\n{\"id\"";
    let server = TestServer::start(vec![Reply::Send(cut.as_bytes().to_vec())]);
    let error = server
        .client(RetryPolicy::disabled())
        .execute(get("9"))
        .await
        .unwrap_err();
    match &error {
        Error::InvalidBody {
            kind: InvalidBodyKind::Incomplete(_),
            response,
        } => {
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.body().as_ref(), b"{\"id\"");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.is_retryable());
    assert!(error.to_string().contains("incomplete body"), "{error}");
}

#[tokio::test]
async fn execute_reports_connection_failures_with_attempts() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .allow_insecure_http(true)
        .retry_policy(fast_retries().max_attempts(2))
        .build()
        .unwrap();
    let error = client.execute(get("7")).await.unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 2, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(std::error::Error::source(&error).is_some());
    assert_eq!(
        error.to_string(),
        "getThing: request failed after 2 attempts"
    );
}

#[tokio::test]
async fn execute_reports_timeouts() {
    let server = TestServer::start(vec![Reply::Hang(Duration::from_millis(500))]);
    let client = builder()
        .base_url(&server.base_url)
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy::disabled())
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let error = client.execute(get("8")).await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(error.is_timeout() && error.is_retryable());
    assert_eq!(error.to_string(), "getThing: timed out after 1 attempt");
}

#[tokio::test]
async fn execute_refuses_plain_http_unless_allowed() {
    let error = builder()
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap_err();
    assert!(matches!(error, BuildError::InsecureBaseUrl { .. }));
    assert!(error.to_string().contains("allow_insecure_http"));
}

#[test]
fn the_request_url_is_the_one_parsing_the_whole_text_gives() {
    // Bases as the builder leaves them (validated, any trailing slashes kept) and paths and
    // queries as `Request` encodes them, with the awkward characters each could hold.
    let bases = [
        "https://api.example.test/",
        "https://api.example.test/v1/",
        "https://api.example.test/v1//",
        "https://API.Example.test:443/a%20b/",
        "http://127.0.0.1:8080/",
        "http://[::1]:9/base/",
        "https://b\u{fc}cher.example/",
    ];
    let mut paths = vec![String::new(), "/".to_owned(), "/badges".to_owned()];
    for value in [
        "5be2",
        "a b",
        "a%2Fb",
        "\u{e9}t\u{e9}",
        "x|y",
        "50%",
        "a?b#c",
        "~._-",
    ] {
        let mut path = String::from("/badges/");
        path.extend(percent_encoding::utf8_percent_encode(
            value,
            crate::request::PATH_SEGMENT,
        ));
        paths.push(path);
    }
    let queries: [&[&str]; 4] = [
        &[],
        &["a=1"],
        &["a=1", "b=x%20y", "c="],
        &["q=%E2%9C%93", "r=a%26b"],
    ];
    for base in bases {
        let parsed = url::Url::parse(base).unwrap();
        for path in &paths {
            for query in queries {
                let query: Vec<String> = query.iter().map(|q| (*q).to_owned()).collect();
                let mut text = format!("{}{path}", parsed.as_str().trim_end_matches('/'));
                if !query.is_empty() {
                    text.push('?');
                    text.push_str(&query.join("&"));
                }
                let expected = url::Url::parse(&text).unwrap();
                let built = super::request_url(&parsed, "op", path, &query).unwrap();
                assert_eq!(
                    built.as_str(),
                    expected.as_str(),
                    "{base} + {path} + {query:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_url_too_long_to_send_is_an_invalid_request_sent_nowhere() {
    let server = TestServer::start(vec![reply("200 OK", &[], "")]);
    let mut request = get("x");
    request.query("filter", &"a".repeat(70_000));
    let error = server
        .client(fast_retries())
        .execute(request)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(error.to_string().contains("65534"), "{error}");
    assert!(!error.is_retryable());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_same_origin_redirect_keeps_credentials_and_a_foreign_one_never_regains_them() {
    // A redirects within itself (the token goes along), then to B; B redirects to its own
    // second hop, then back to A. Neither B hop, nor A once the chain has left it, sees the
    // token.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let b_origin = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let origin = TestServer::start(vec![
        reply("301 Moved Permanently", &[("location", "/v1/moved")], ""),
        reply(
            "307 Temporary Redirect",
            &[("location", &format!("{b_origin}/hop1"))],
            "",
        ),
        reply("200 OK", &[], "done"),
    ]);
    let b = TestServer::start_at(
        &b_origin,
        vec![
            reply("302 Found", &[("location", "/hop2")], ""),
            reply(
                "307 Temporary Redirect",
                &[("location", &format!("{}/v1/final", origin.origin))],
                "",
            ),
        ],
    );
    let client = origin.client(RetryPolicy::disabled());
    let response = client.execute(get("r")).await.unwrap();
    assert_eq!(response.status(), 200);
    let at_origin = origin.requests();
    assert_eq!(at_origin.len(), 3);
    assert!(
        at_origin[0].contains(TOKEN) && at_origin[1].contains(TOKEN),
        "{at_origin:?}"
    );
    assert!(
        at_origin[1].starts_with("GET /v1/moved "),
        "{}",
        at_origin[1]
    );
    assert!(
        at_origin[2].starts_with("GET /v1/final "),
        "{}",
        at_origin[2]
    );
    let untrusted: Vec<String> = b
        .requests()
        .into_iter()
        .chain([at_origin[2].clone()])
        .collect();
    assert_eq!(untrusted.len(), 3);
    for request in &untrusted {
        assert!(!request.contains(TOKEN), "{request}");
        assert!(
            !request.to_ascii_lowercase().contains("authorization"),
            "{request}"
        );
    }
}

#[tokio::test]
async fn redirects_that_would_leak_a_body_or_downgrade_or_loop_are_not_followed() {
    let elsewhere = TestServer::start(vec![reply("200 OK", &[], "")]);
    let to_elsewhere = format!("{}/take", elsewhere.origin);
    let origin = TestServer::start(vec![
        reply(
            "307 Temporary Redirect",
            &[("location", &to_elsewhere)],
            "moved",
        ),
        reply("308 Permanent Redirect", &[("location", &to_elsewhere)], ""),
    ]);
    for _ in 0..2 {
        let error = origin
            .client(fast_retries())
            .execute(post())
            .await
            .unwrap_err();
        match &error {
            Error::Redirect { reason, response } => {
                assert!(reason.contains("re-send the request body"), "{reason}");
                assert!(response.status().is_redirection());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(!error.is_retryable());
    }
    assert!(elsewhere.requests().is_empty());

    let looping: Vec<Reply> = (0..8)
        .map(|_| reply("302 Found", &[("location", "/v1/again")], ""))
        .collect();
    let server = TestServer::start(looping);
    let error = server
        .client(fast_retries())
        .execute(get("l"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Redirect { .. }), "{error:?}");
    assert!(
        error.to_string().contains("more than 5 redirects"),
        "{error}"
    );
    assert!(!error.is_retryable());
    assert_eq!(server.requests().len(), 6);

    let server = TestServer::start(vec![reply(
        "302 Found",
        &[("location", "ftp://files.example.test/x")],
        "",
    )]);
    let error = server
        .client(fast_retries())
        .execute(get("s"))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("`ftp` url"), "{error}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_post_redirected_to_a_refusing_place_is_performed_once() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = TestServer::start(vec![
        reply(
            "303 See Other",
            &[("location", &format!("http://127.0.0.1:{port}/result"))],
            "",
        ),
        reply("201 Created", &[], ""),
        reply("201 Created", &[], ""),
    ]);
    let error = origin
        .client(fast_retries())
        .execute(post())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(origin.requests().len(), 1, "the POST was performed once");
}
