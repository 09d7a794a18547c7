//! The generated client against servers on 127.0.0.1 that behave as an attacker or a broken
//! deployment would: redirects towards another origin, redirects after a POST, pages that
//! ignore `skip`, `Content-Length`s that lie, echoed secrets, URLs too long to send and bodies
//! of the wrong shape. Every attack of issue 11 has a test here that failed on the runtime
//! before it was split into `codegen-runtime` (checked by running this file against that
//! commit); two tests (a chain bouncing back to the origin, a 303 after a POST) already passed
//! there and guard behaviour that must stay.
//!
//! This file is its own test binary with a counting global allocator, so that memory reserved
//! on a server's word can be measured, not guessed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use gtmhub::{BuildError, Client, Error, RequestOptions as _, RetryPolicy};
use gtmhub_tests::mock::{RawServer, Reply, closed_port};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Counts the bytes currently allocated and the peak since the last reset.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A token distinctive enough that any appearance in output is a leak.
const TOKEN: &str = "h0stile-T0KEN-9f8e7d6c";
/// The client-wide setting, which must not travel to another origin either.
const ACCOUNT: &str = "acct-private-4242";
const CALL_LIMIT: Duration = Duration::from_secs(20);

fn fast() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(base_url)
        .allow_insecure_http(true)
        .timeout(Duration::from_secs(5))
        .retry_policy(fast())
        .build()
        .expect("a test client")
}

async fn bounded<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(CALL_LIMIT, future)
        .await
        .expect("the call must not hang")
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

fn redirect(status: u16, location: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("location", location)
}

fn badge_request() -> gtmhub::types::BadgeRequest {
    gtmhub::types::BadgeRequest::default().with_name("Gold")
}

/// Asserts that no rendering of `error` (Display, Debug, every source) shows `secret`.
fn assert_hidden(error: &(dyn std::error::Error + 'static), secret: &str) {
    let mut shown = vec![
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ];
    let mut source = error.source();
    while let Some(inner) = source {
        shown.push(format!("{inner} / {inner:?}"));
        source = inner.source();
    }
    for text in shown {
        assert!(!text.contains(secret), "shows the secret: {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Redirects: credentials and settings never reach another origin; bodies are never re-sent.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn credentials_and_settings_never_reach_another_origin_however_many_hops() {
    for first in [307, 302, 301, 308] {
        let origin = MockServer::start().await;
        let foreign = MockServer::start().await;
        Mock::given(path("/api/v1/badges/b1"))
            .respond_with(redirect(first, &format!("{}/hop1", foreign.uri())))
            .mount(&origin)
            .await;
        Mock::given(path("/hop1"))
            .respond_with(redirect(302, "/hop2"))
            .mount(&foreign)
            .await;
        Mock::given(path("/hop2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "b1"})))
            .mount(&foreign)
            .await;
        let badge = bounded(
            client(&format!("{}/api/v1", origin.uri()))
                .get_badge("b1")
                .header("x-correlation-id", "corr-secret-1")
                .send(),
        )
        .await
        .unwrap_or_else(|error| panic!("{first}: {error}"));
        assert_eq!(badge.id.as_deref(), Some("b1"));

        let at_origin = received(&origin).await;
        assert_eq!(at_origin.len(), 1);
        assert!(at_origin[0].headers.contains_key("authorization"));
        assert!(at_origin[0].headers.contains_key("gtmhub-accountid"));
        assert!(at_origin[0].headers.contains_key("x-correlation-id"));

        let hops = received(&foreign).await;
        assert_eq!(hops.len(), 2, "{first}: both foreign hops were made");
        for hop in &hops {
            for name in [
                "authorization",
                "gtmhub-accountid",
                "x-correlation-id",
                "cookie",
            ] {
                assert!(
                    !hop.headers.contains_key(name),
                    "{first}: {} received {name}",
                    hop.url
                );
            }
            let raw = format!("{:?}", hop.headers);
            assert!(!raw.contains(TOKEN) && !raw.contains(ACCOUNT), "{raw}");
        }
    }
}

#[tokio::test]
async fn a_chain_that_left_the_origin_does_not_regain_credentials_on_the_way_back() {
    let origin = MockServer::start().await;
    let foreign = MockServer::start().await;
    Mock::given(path("/api/v1/badges/b1"))
        .respond_with(redirect(307, &format!("{}/bounce", foreign.uri())))
        .mount(&origin)
        .await;
    Mock::given(path("/bounce"))
        .respond_with(redirect(302, &format!("{}/api/v1/landing", origin.uri())))
        .mount(&foreign)
        .await;
    Mock::given(path("/api/v1/landing"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "b1"})))
        .mount(&origin)
        .await;
    bounded(
        client(&format!("{}/api/v1", origin.uri()))
            .get_badge("b1")
            .send(),
    )
    .await
    .unwrap();
    let at_origin = received(&origin).await;
    assert_eq!(at_origin.len(), 2);
    assert!(at_origin[0].headers.contains_key("authorization"));
    assert!(
        !at_origin[1].headers.contains_key("authorization"),
        "a foreign server chose this URL; the token is not sent to it"
    );
}

#[tokio::test]
async fn a_post_body_is_never_re_sent_to_another_origin() {
    for status in [307, 308] {
        let origin = MockServer::start().await;
        let foreign = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(redirect(status, &format!("{}/take", foreign.uri())))
            .mount(&origin)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(201))
            .expect(0)
            .mount(&foreign)
            .await;
        let error = bounded(
            client(&format!("{}/api/v1", origin.uri()))
                .create_badge(badge_request())
                .send(),
        )
        .await
        .unwrap_err();
        match &error {
            Error::Redirect { reason, response } => {
                assert!(reason.contains("re-send the request body"), "{reason}");
                assert_eq!(response.status().as_u16(), status);
            }
            other => panic!("{status}: {other:?}"),
        }
        assert!(!error.is_retryable());
        assert_eq!(received(&origin).await.len(), 1, "performed once");
    }
}

#[tokio::test]
async fn a_post_answered_303_becomes_a_bare_get_elsewhere() {
    let origin = MockServer::start().await;
    let foreign = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(redirect(303, &format!("{}/result", foreign.uri())))
        .mount(&origin)
        .await;
    Mock::given(path("/result"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "b9"})))
        .mount(&foreign)
        .await;
    let created = bounded(
        client(&format!("{}/api/v1", origin.uri()))
            .create_badge(badge_request())
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(created.id.as_deref(), Some("b9"));
    let at_foreign = received(&foreign).await;
    assert_eq!(at_foreign.len(), 1);
    assert_eq!(at_foreign[0].method.as_str(), "GET");
    assert!(at_foreign[0].body.is_empty());
    assert!(!at_foreign[0].headers.contains_key("authorization"));
    assert!(!at_foreign[0].headers.contains_key("content-type"));
}

// ---------------------------------------------------------------------------------------------
// 2. A POST is never performed twice because a redirect target refused the connection.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_post_redirected_to_a_place_that_refuses_the_connection_is_performed_once() {
    for status in [303, 307, 302] {
        let origin = MockServer::start().await;
        let refusing = format!("http://127.0.0.1:{}/gone", closed_port());
        Mock::given(method("POST"))
            .respond_with(redirect(status, &refusing))
            .mount(&origin)
            .await;
        let error = bounded(
            client(&format!("{}/api/v1", origin.uri()))
                .create_badge(badge_request())
                .send(),
        )
        .await
        .unwrap_err();
        assert_eq!(
            received(&origin).await.len(),
            1,
            "{status}: the POST was performed once ({error})"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Paging: no duplicates, no silent truncation.
// ---------------------------------------------------------------------------------------------

/// Answers every page request by calling `page(call_number)`.
struct Pages<F>(Arc<AtomicUsize>, F);

impl<F: Fn(usize) -> Value + Send + Sync> Respond for Pages<F> {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let call = self.0.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json((self.1)(call))
    }
}

fn user(n: usize) -> Value {
    json!({"id": format!("u{n}"), "email": format!("u{n}@example.test")})
}

/// Walks `getUsers` against a server answering with `page`; the ids and the error, if any.
async fn walk(
    page: impl Fn(usize) -> Value + Send + Sync + 'static,
) -> (Vec<String>, Option<String>) {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/accounts/users"))
        .respond_with(Pages(Arc::new(AtomicUsize::new(0)), page))
        .mount(&server)
        .await;
    let client = client(&format!("{}/api/v1", server.uri()));
    #[allow(deprecated)]
    let mut stream = std::pin::pin!(client.get_users().take(10).stream());
    let mut ids = Vec::new();
    let mut error = None;
    while let Some(item) = bounded(stream.next()).await {
        match item {
            Ok(user) => ids.push(user.id.unwrap_or_default()),
            Err(e) => error = Some(e.to_string()),
        }
        assert!(ids.len() <= 1000, "runaway stream");
    }
    (ids, error)
}

#[tokio::test]
async fn a_server_that_ignores_skip_and_rotates_its_page_yields_each_item_once() {
    let (ids, error) = walk(|call| {
        let items: Vec<Value> = (0..10).map(|i| user((i + call) % 10)).collect();
        json!({"items": items, "totalCount": 50})
    })
    .await;
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(ids.len(), 10, "{ids:?}");
    assert_eq!(distinct.len(), 10);
    let error = error.expect("the walk ends with an error, not silently");
    assert!(error.contains("ignore the skip parameter"), "{error}");
}

#[tokio::test]
async fn pages_alternating_a_b_a_b_yield_each_item_once() {
    let (ids, error) = walk(|call| {
        let first = if call.is_multiple_of(2) { 0 } else { 10 };
        let items: Vec<Value> = (first..first + 10).map(user).collect();
        json!({"items": items, "totalCount": 100_000})
    })
    .await;
    assert_eq!(ids.len(), 20, "{ids:?}");
    assert!(error.is_some());
}

#[tokio::test]
async fn an_empty_page_or_missing_items_before_the_total_is_an_error() {
    let (ids, error) = walk(|_| json!({"items": [], "totalCount": 30})).await;
    assert!(ids.is_empty());
    assert!(error.unwrap().contains("reported 30 items"));

    let (ids, error) = walk(|call| match call {
        0 => json!({"items": (0..10).map(user).collect::<Vec<_>>(), "totalCount": 30}),
        _ => json!({"totalCount": 30}),
    })
    .await;
    assert_eq!(ids.len(), 10);
    let error = error.expect("a truncated walk says so");
    assert!(error.contains("empty page at skip 10"), "{error}");

    // A complete walk still ends quietly.
    let (ids, error) = walk(|call| {
        let items: Vec<Value> = (call * 10..(call * 10 + 10).min(25)).map(user).collect();
        json!({"items": items, "totalCount": 25})
    })
    .await;
    assert_eq!((ids.len(), error), (25, None));
}

// ---------------------------------------------------------------------------------------------
// 4. A Content-Length is not trusted for memory.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_claim_32_mib_and_send_2_kib_reserve_no_more_than_they_send() {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 33554432\r\n\r\n";
    let mut first = head.as_bytes().to_vec();
    first.extend_from_slice(&[b' '; 1024]);
    let server = RawServer::start(vec![Reply::Pieces(vec![first, vec![b' '; 1024]])]);
    let client = Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(server.base_url())
        .allow_insecure_http(true)
        .timeout(Duration::from_millis(1500))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let baseline = CURRENT.load(Ordering::SeqCst);
    PEAK.store(baseline, Ordering::SeqCst);
    let calls = (0..100).map(|i| {
        let client = client.clone();
        tokio::spawn(async move { client.get_badge(format!("b{i}")).send().await })
    });
    let results = bounded(futures_util::future::join_all(calls)).await;
    let peak = PEAK.load(Ordering::SeqCst).saturating_sub(baseline);
    for result in results {
        let error = result.unwrap().unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
    }
    assert_eq!(server.connections(), 100);
    // 100 claims of 32 MiB would be 3.2 GiB; what arrived is 200 KiB.
    assert!(
        peak < 64 << 20,
        "{} MiB allocated at the peak for 100 bodies of 2 KiB",
        peak >> 20
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Secrets never show, even when the server echoes them.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_token_the_server_echoes_never_shows_in_errors() {
    let server = MockServer::start().await;
    let echo = format!("Bearer {TOKEN}");
    Mock::given(path("/api/v1/badges/b1"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", echo.as_str())
                .insert_header("x-echo-authorization", echo.as_str())
                .set_body_json(json!({"error": "invalid token", "token": echo})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/badges/b2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ["echo", TOKEN]})))
        .mount(&server)
        .await;
    let client = client(&format!("{}/api/v1", server.uri()));
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(error.to_string().contains("<redacted>"), "{error}");
    assert_hidden(&error, TOKEN);
    // The raw body is still there for code that asks for it.
    assert!(error.response().unwrap().body_text().contains(TOKEN));

    let error = bounded(client.get_badge("b2").send()).await.unwrap_err();
    assert!(matches!(error, Error::InvalidBody { .. }), "{error:?}");
    assert_hidden(&error, TOKEN);
}

#[test]
fn base_url_passwords_and_query_strings_never_show_in_build_errors() {
    for (url, secrets) in [
        (
            "https://user:p@ss/w0rd@app.example.test/api",
            &["p@ss", "ss/w0rd", "w0rd"][..],
        ),
        ("https://user:hunter2@app.example.test/api", &["hunter2"]),
        (
            "https://app.example.test/api?api_key=K3Y-abc123",
            &["K3Y-abc123"],
        ),
        (
            "http://app.example.test/api?token=K3Y-abc123",
            &["K3Y-abc123"],
        ),
        ("ftp://app.example.test/?token=K3Y-abc123", &["K3Y-abc123"]),
    ] {
        let error = Client::builder()
            .token(TOKEN)
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                error,
                BuildError::InvalidBaseUrl { .. } | BuildError::InsecureBaseUrl { .. }
            ),
            "{error:?}"
        );
        for secret in secrets {
            assert_hidden(&error, secret);
        }
        assert_hidden(&error, TOKEN);
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Error kinds say what happened.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_url_too_long_to_send_is_an_invalid_request_that_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&format!("{}/api/v1", server.uri()));
    #[allow(deprecated)]
    let call = client.get_users().filter("f".repeat(70_000)).send();
    let error = bounded(call).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn redirect_loops_and_forbidden_schemes_are_not_retryable() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v1/badges/loop"))
        .respond_with(redirect(302, "/api/v1/badges/loop"))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/badges/ftp"))
        .respond_with(redirect(302, "ftp://files.example.test/badge"))
        .mount(&server)
        .await;
    let client = client(&format!("{}/api/v1", server.uri()));
    let looped = bounded(client.get_badge("loop").send()).await.unwrap_err();
    assert!(matches!(looped, Error::Redirect { .. }), "{looped:?}");
    assert!(!looped.is_retryable());
    assert_eq!(
        received(&server).await.len(),
        6,
        "one attempt: the first hop and 5 redirects"
    );

    let scheme = bounded(client.get_badge("ftp").send()).await.unwrap_err();
    assert!(matches!(scheme, Error::Redirect { .. }), "{scheme:?}");
    assert!(!scheme.is_retryable());
}

#[tokio::test]
async fn json_of_the_wrong_shape_says_where_and_what() {
    let server = MockServer::start().await;
    let body = json!({"items": [{"roles": [{"team": {"tags": [{"isActive": "IsActiveFlag"}]}}]}]});
    Mock::given(path("/api/v1/accounts/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let client = client(&format!("{}/api/v1", server.uri()));
    #[allow(deprecated)]
    let error = bounded(client.get_users().send()).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains(
            "json of the wrong shape at items[0].roles[0].team.tags[0].isActive: invalid type: \
             string \"IsActiveFlag\", expected struct"
        ),
        "{text}"
    );
    assert!(!text.contains("malformed"), "{text}");
}
