//! Resilience of the generated client on 127.0.0.1: timeouts, retries with backoff and
//! `Retry-After`, malformed bodies, the body-size cap and the paging stream. Well-formed HTTP
//! comes from wiremock (a maintained mock-server crate); faults that need control of the raw
//! bytes (a server that never answers, a body cut short) come from `gtmhub_tests::mock`, a
//! scripted TCP server, and from a tokio listener whose accept queue is kept full.
//!
//! Every loop here is bounded and every wait has a timeout; timing assertions use generous
//! bounds in the direction that proves the behaviour (a wait happened, or no wait happened).

use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt;
use gtmhub::{Client, Error, InvalidBodyKind, RetryPolicy};
use gtmhub_tests::mock::{RawServer, Reply, closed_port, response};
use serde_json::{Value, json};
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "resilience-token-81c2";
const ACCOUNT: &str = "acct-1";
/// The bound on any single call in this file; nothing may come close to it.
const CALL_LIMIT: Duration = Duration::from_secs(20);

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn fast() -> RetryPolicy {
    RetryPolicy::new().initial_backoff(ms(1)).max_backoff(ms(5))
}

fn builder(base_url: &str) -> gtmhub::ClientBuilder {
    Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(base_url)
        .allow_insecure_http(true)
        .timeout(Duration::from_secs(5))
        .retry_policy(fast())
}

fn client(base_url: &str) -> Client {
    builder(base_url).build().expect("a test client")
}

/// Runs a call with an outer bound, so a hang fails the test instead of blocking the suite.
async fn bounded<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(CALL_LIMIT, future)
        .await
        .expect("the call must not hang")
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

fn badge_json() -> Value {
    json!({"id": "b1", "name": "Gold"})
}

fn badge_request() -> gtmhub::types::BadgeRequest {
    gtmhub::types::BadgeRequest::default().with_name("Gold")
}

// ---------------------------------------------------------------------------------------------
// Timeouts.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn defaults_are_a_10s_connect_timeout_a_30s_attempt_timeout_and_3_attempts() {
    let shown = format!("{:?}", Client::builder());
    assert!(shown.contains("connect_timeout: 10s"), "{shown}");
    assert!(shown.contains("timeout: 30s"), "{shown}");
    assert_eq!(RetryPolicy::default().get_max_attempts(), 3);
    assert_eq!(RetryPolicy::new().get_max_attempts(), 3);
    assert_eq!(RetryPolicy::disabled().get_max_attempts(), 1);
    assert!(RetryPolicy::default().get_max_retry_after() > Duration::ZERO);
    let shown = format!("{:?}", Client::builder().token(TOKEN).build().unwrap());
    assert!(shown.contains("max_attempts: 3"), "{shown}");
}

#[tokio::test]
async fn a_server_that_never_answers_gives_a_timeout_not_a_hang() {
    let server = RawServer::start(vec![Reply::Hang]);
    let client = builder(&server.base_url())
        .timeout(ms(200))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(error.is_timeout() && error.is_retryable());
    assert_eq!(error.operation_id(), "getBadge");
    assert!(elapsed >= ms(150), "the timeout fired early: {elapsed:?}");
    assert!(elapsed < ms(3000), "the timeout fired late: {elapsed:?}");
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn timeouts_are_per_attempt_and_retried_for_get() {
    let server = RawServer::start(vec![Reply::Hang]);
    let client = builder(&server.base_url())
        .timeout(ms(150))
        .retry_policy(fast().max_attempts(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(started.elapsed() >= ms(400), "{:?}", started.elapsed());
    assert_eq!(server.requests().len(), 3, "one request per attempt");
    assert_eq!(error.to_string(), "getBadge: timed out after 3 attempts");
}

#[tokio::test]
async fn a_post_that_timed_out_after_sending_is_not_retried() {
    let server = RawServer::start(vec![Reply::Hang]);
    let client = builder(&server.base_url())
        .timeout(ms(150))
        .build()
        .unwrap();
    let error = bounded(client.create_badge(badge_request()).send())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_body_that_stalls_midway_times_out() {
    let head =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":";
    let server = RawServer::start(vec![Reply::SendThenHang(head.to_vec())]);
    let client = builder(&server.base_url())
        .timeout(ms(200))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
}

/// A listener whose accept queue is full drops new connection attempts on Linux, so connecting
/// stalls; the connect timeout must end it. (Other systems may refuse instead of dropping.)
#[cfg(target_os = "linux")]
#[tokio::test]
async fn connecting_to_a_server_that_does_not_accept_hits_the_connect_timeout() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the accept queue; the listener never accepts.
    let mut fillers = Vec::new();
    for _ in 0..8 {
        if let Ok(Ok(stream)) =
            tokio::time::timeout(ms(100), tokio::net::TcpStream::connect(addr)).await
        {
            fillers.push(stream);
        }
    }
    let client = builder(&format!("http://{addr}"))
        .connect_timeout(ms(200))
        .timeout(Duration::from_secs(10))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    drop(fillers);
    drop(listener);
}

// ---------------------------------------------------------------------------------------------
// Connection failures.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_refused_connection_is_retried_up_to_the_maximum() {
    let base = format!("http://127.0.0.1:{}", closed_port());
    let error = bounded(client(&base).get_badge("b1").send())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(std::error::Error::source(&error).is_some());

    let five = builder(&base)
        .retry_policy(fast().max_attempts(5))
        .build()
        .unwrap();
    let error = bounded(five.get_badge("b1").send()).await.unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 5, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn post_and_patch_are_retried_when_the_request_was_never_sent() {
    let base = format!("http://127.0.0.1:{}", closed_port());
    let client = client(&base);
    let error = bounded(client.create_badge(badge_request()).send())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 3, .. }),
        "{error:?}"
    );
    let error = bounded(client.update_badge("b1", badge_request()).send())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 3, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_connection_closed_after_the_request_was_sent_retries_get_but_not_post() {
    let server = RawServer::start(vec![Reply::Close]);
    let client = client(&server.base_url());
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 3, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 3);

    let server = RawServer::start(vec![Reply::Close]);
    let client = self::client(&server.base_url());
    let error = bounded(client.create_badge(badge_request()).send())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 1, "a sent POST is never repeated");
}

// ---------------------------------------------------------------------------------------------
// Retries on status.
// ---------------------------------------------------------------------------------------------

const RETRYABLE: [u16; 6] = [408, 429, 500, 502, 503, 504];

#[tokio::test]
async fn get_is_retried_on_each_retryable_status_then_succeeds() {
    for status in RETRYABLE {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_string("busy"))
            .up_to_n_times(2)
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(badge_json()))
            .expect(1)
            .mount(&server)
            .await;
        let badge = bounded(client(&server.uri()).get_badge("b1").send())
            .await
            .unwrap_or_else(|e| panic!("status {status}: {e:?}"));
        assert_eq!(badge.name.as_deref(), Some("Gold"), "status {status}");
        assert_eq!(received(&server).await.len(), 3, "status {status}");
    }
}

#[tokio::test]
async fn put_and_delete_are_retried_too() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    #[allow(deprecated)]
    let settings = client.update_user_settings().send();
    bounded(settings).await.unwrap();
    bounded(client.delete_badge("b1").send()).await.unwrap();
}

#[tokio::test]
async fn the_default_policy_makes_three_attempts_and_returns_the_final_response() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_string("still busy"))
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(server.uri())
        .allow_insecure_http(true)
        // The default policy, with a short backoff so the test is quick.
        .retry_policy(RetryPolicy::default().initial_backoff(ms(1)))
        .build()
        .unwrap();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    let Error::Response(response) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(response.status(), 503);
    assert_eq!(response.body_text(), "still busy");
    assert_eq!(response.description(), None);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn max_attempts_is_configurable_and_retries_can_be_switched_off() {
    let server = MockServer::start().await;
    for (policy, expected) in [
        (fast().max_attempts(5), 5),
        (fast().max_attempts(2), 2),
        (fast().max_attempts(0), 1),
        (RetryPolicy::disabled(), 1),
    ] {
        server.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        let client = builder(&server.uri())
            .retry_policy(policy.clone())
            .build()
            .unwrap();
        let error = bounded(client.list_badges().send()).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{policy:?}");
        assert_eq!(received(&server).await.len(), expected, "{policy:?}");
    }
}

#[tokio::test]
async fn post_and_patch_are_not_retried_on_server_errors() {
    for status in [408, 500, 502, 503, 504] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_string("no"))
            .expect(2)
            .mount(&server)
            .await;
        let client = client(&server.uri());
        let error = bounded(client.create_badge(badge_request()).send())
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        let error = bounded(client.update_badge("b1", badge_request()).send())
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        // One POST and one PATCH: neither was repeated.
        let methods: Vec<String> = received(&server)
            .await
            .iter()
            .map(|r| r.method.to_string())
            .collect();
        assert_eq!(methods, ["POST", "PATCH"], "status {status}");
    }
}

#[tokio::test]
async fn post_is_retried_on_429_with_the_same_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(badge_json()))
        .expect(1)
        .mount(&server)
        .await;
    let badge = bounded(client(&server.uri()).create_badge(badge_request()).send())
        .await
        .unwrap();
    assert_eq!(badge.id.as_deref(), Some("b1"));
    let bodies: Vec<Value> = received(&server)
        .await
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(bodies, vec![json!({"name": "Gold"}); 3]);
}

#[tokio::test]
async fn backoff_waits_between_attempts_and_grows() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    // Initial backoff 100 ms, doubled: 100 + 200 ms, each scaled by a jitter in [0.5, 1].
    let client = builder(&server.uri())
        .retry_policy(
            RetryPolicy::new()
                .initial_backoff(ms(100))
                .max_backoff(Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(elapsed >= ms(145), "no backoff happened: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// Retry-After.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(badge_json()))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let badge = bounded(client(&server.uri()).get_badge("b1").send())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(badge.name.as_deref(), Some("Gold"));
    // The backoff alone would be at most 5 ms.
    assert!(elapsed >= ms(900), "Retry-After was ignored: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    // HTTP dates have whole seconds: two seconds ahead is between one and two seconds away.
    let date = httpdate(SystemTime::now() + Duration::from_secs(2));
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", date.as_str()))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(201).set_body_json(badge_json()))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    bounded(client(&server.uri()).create_badge(badge_request()).send())
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= ms(600),
        "Retry-After date was ignored: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_bound_gives_rate_limited_without_sleeping() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "120")
                .set_body_string("slow down"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server.uri())
        .retry_policy(fast().max_retry_after(Duration::from_secs(2)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = bounded(client.list_badges().send()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "it slept");
    let Error::RateLimited {
        retry_after,
        response,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(*retry_after, Duration::from_secs(120));
    assert_eq!(response.status(), 429);
    assert_eq!(response.body_text(), "slow down");
    assert_eq!(response.headers()["retry-after"], "120");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert!(error.is_retryable());
    let message = error.to_string();
    assert!(message.contains("120"), "{message}");
    assert!(message.contains("slow down"), "{message}");

    // The same with a far HTTP date on a 503, and for the default bound (30 s).
    server.reset().await;
    let date = httpdate(SystemTime::now() + Duration::from_secs(3600));
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", date.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let error = bounded(self::client(&server.uri()).get_badge("b1").send())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "it slept");
    let Error::RateLimited { retry_after, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(*retry_after > Duration::from_secs(3000), "{retry_after:?}");
}

#[tokio::test]
async fn a_rate_limited_body_is_kept_but_bounded() {
    let server = MockServer::start().await;
    let body = "x".repeat(200 * 1024);
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "999")
                .set_body_string(body),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = bounded(client(&server.uri()).list_badges().send())
        .await
        .unwrap_err();
    let response = error.response().expect("a response");
    assert_eq!(response.body().len(), 64 * 1024);
    assert!(error.to_string().len() < 2048);
}

/// Formats a time as an IMF-fixdate (RFC 9110), without a date library.
fn httpdate(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let days = secs / 86_400;
    let (hour, minute, second) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{weekday}, {day:02} {} {year} {hour:02}:{minute:02}:{second:02} GMT",
        months[(month - 1) as usize]
    )
}

#[test]
fn httpdate_formats_known_dates() {
    let epoch = SystemTime::UNIX_EPOCH;
    assert_eq!(httpdate(epoch), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(
        httpdate(epoch + Duration::from_secs(784_111_777)),
        "Sun, 06 Nov 1994 08:49:37 GMT"
    );
    assert_eq!(
        httpdate(epoch + Duration::from_secs(951_782_400)),
        "Tue, 29 Feb 2000 00:00:00 GMT"
    );
}

// ---------------------------------------------------------------------------------------------
// Bodies.
// ---------------------------------------------------------------------------------------------

/// Asserts an `InvalidBody` error with this status and raw body, and returns its kind.
fn invalid_body(error: &Error, status: u16, body: &[u8]) -> String {
    let Error::InvalidBody { kind, response } = error else {
        panic!("expected InvalidBody, got {error:?}");
    };
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.body().as_ref(), body);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    assert_eq!(error.operation_id(), "getBadge");
    kind.to_string()
}

async fn serve_once(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn malformed_json_gives_invalid_body_with_status_and_raw_body() {
    let body = br#"{"id": "b1", "name": }"#;
    let server =
        serve_once(ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/json"))
            .await;
    let error = bounded(client(&server.uri()).get_badge("b1").send())
        .await
        .unwrap_err();
    let kind = invalid_body(&error, 200, body);
    assert_eq!(kind, "malformed json: expected value (line 1, column 22)");
    assert!(matches!(
        error,
        Error::InvalidBody {
            kind: InvalidBodyKind::Json(_),
            ..
        }
    ));
    assert!(std::error::Error::source(&error).is_some());
    assert!(error.to_string().contains(r#"{"id": "b1", "name": }"#));
}

#[tokio::test]
async fn json_of_the_wrong_shape_gives_invalid_body() {
    let body = br#"{"id": 7, "name": ["not", "a", "string"]}"#;
    let server =
        serve_once(ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/json"))
            .await;
    let error = bounded(client(&server.uri()).get_badge("b1").send())
        .await
        .unwrap_err();
    // The message says where and what, not only that the JSON did not fit.
    assert_eq!(
        invalid_body(&error, 200, body),
        "json of the wrong shape at id: invalid type: integer `7`, expected a string (line 1, column 8)"
    );
    let Error::InvalidBody {
        kind: InvalidBodyKind::Json(json),
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!((json.path(), json.is_syntax()), ("id", false));
}

#[tokio::test]
async fn truncated_json_with_a_consistent_length_gives_invalid_body() {
    let body = br#"{"items": [{"id": "b1", "na"#;
    let server =
        serve_once(ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/json"))
            .await;
    let error = bounded(client(&server.uri()).list_badges().send())
        .await
        .unwrap_err();
    let Error::InvalidBody { kind, response } = &error else {
        panic!("{error:?}");
    };
    assert!(matches!(kind, InvalidBodyKind::Json(_)), "{kind:?}");
    assert_eq!(response.status(), 200);
    assert_eq!(response.body().as_ref(), body);
}

/// The server declares a longer body than it sends and closes the connection.
#[tokio::test]
async fn a_body_shorter_than_its_content_length_gives_a_typed_error_with_status_and_bytes() {
    let partial = br#"{"id": "b1", "na"#;
    let mut bytes =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\nconnection: close\r\n\r\n".to_vec();
    bytes.extend_from_slice(partial);
    let server = RawServer::start(vec![Reply::Send(bytes)]);
    let client = builder(&server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    let kind = invalid_body(&error, 200, partial);
    assert!(kind.contains("incomplete"), "{kind}");
    assert!(matches!(
        error,
        Error::InvalidBody {
            kind: InvalidBodyKind::Incomplete(_),
            ..
        }
    ));
    assert!(std::error::Error::source(&error).is_some());
}

/// A chunked body that ends without its final zero-size chunk.
#[tokio::test]
async fn a_chunked_body_cut_short_gives_a_typed_error_with_status_and_bytes() {
    let bytes = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n6\r\n{\"id\":\r\n5\r\n \"b1\"\r\n".to_vec();
    let server = RawServer::start(vec![Reply::Send(bytes)]);
    let client = builder(&server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    let kind = invalid_body(&error, 200, br#"{"id": "b1""#);
    assert!(kind.contains("incomplete"), "{kind}");
}

/// A GET whose body was cut short is retried like any transport failure; the last attempt's
/// partial body is reported.
#[tokio::test]
async fn a_cut_body_is_retried_for_get_and_succeeds() {
    let mut cut =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n"
            .to_vec();
    cut.extend_from_slice(b"{\"id\"");
    let good = response(
        "200 OK",
        &[("content-type", "application/json")],
        br#"{"id": "b1", "name": "Gold"}"#,
    );
    let server = RawServer::start(vec![Reply::Send(cut.clone()), Reply::Send(good)]);
    let badge = bounded(client(&server.base_url()).get_badge("b1").send())
        .await
        .unwrap();
    assert_eq!(badge.name.as_deref(), Some("Gold"));
    assert_eq!(server.requests().len(), 2);

    // A POST is not repeated: the partial body comes back with the status.
    let server = RawServer::start(vec![Reply::Send(cut)]);
    let error = bounded(
        client(&server.base_url())
            .create_badge(badge_request())
            .send(),
    )
    .await
    .unwrap_err();
    let Error::InvalidBody { kind, response } = &error else {
        panic!("{error:?}");
    };
    assert!(matches!(kind, InvalidBodyKind::Incomplete(_)), "{kind:?}");
    assert_eq!(response.status(), 200);
    assert_eq!(response.body().as_ref(), b"{\"id\"");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_html_page_with_status_200_gives_invalid_body() {
    let body = b"<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>";
    let server = serve_once(
        ResponseTemplate::new(200).set_body_raw(body.to_vec(), "text/html; charset=utf-8"),
    )
    .await;
    let error = bounded(client(&server.uri()).get_badge("b1").send())
        .await
        .unwrap_err();
    let kind = invalid_body(&error, 200, body);
    assert!(kind.contains("text/html"), "{kind}");
    assert!(matches!(
        error,
        Error::InvalidBody {
            kind: InvalidBodyKind::ContentType(_),
            ..
        }
    ));
    assert!(error.to_string().contains("Sign in"));
}

#[tokio::test]
async fn a_wrong_content_type_gives_invalid_body_even_if_the_body_looks_like_json() {
    let body = br#"{"id": "b1"}"#;
    let server =
        serve_once(ResponseTemplate::new(200).set_body_raw(body.to_vec(), "text/plain")).await;
    let error = bounded(client(&server.uri()).get_badge("b1").send())
        .await
        .unwrap_err();
    let kind = invalid_body(&error, 200, body);
    assert!(kind.contains("text/plain"), "{kind}");
}

#[tokio::test]
async fn json_content_types_with_parameters_or_suffixes_are_accepted() {
    for content_type in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.gtmhub+json",
    ] {
        let server = serve_once(
            ResponseTemplate::new(200).set_body_raw(br#"{"name":"Gold"}"#.to_vec(), content_type),
        )
        .await;
        let badge = bounded(client(&server.uri()).get_badge("b1").send())
            .await
            .unwrap_or_else(|e| panic!("{content_type}: {e:?}"));
        assert_eq!(badge.name.as_deref(), Some("Gold"));
    }
}

#[tokio::test]
async fn an_empty_body_where_json_is_expected_gives_invalid_body() {
    for body in [&b""[..], b"  \r\n"] {
        let server =
            serve_once(ResponseTemplate::new(200).set_body_raw(body.to_vec(), "application/json"))
                .await;
        let error = bounded(client(&server.uri()).get_badge("b1").send())
            .await
            .unwrap_err();
        assert_eq!(invalid_body(&error, 200, body), "empty body");
        assert!(matches!(
            error,
            Error::InvalidBody {
                kind: InvalidBodyKind::Empty,
                ..
            }
        ));
    }
}

#[tokio::test]
async fn a_large_invalid_body_is_shown_bounded() {
    let body = format!("<html>{}</html>", "é".repeat(50_000));
    let server =
        serve_once(ResponseTemplate::new(200).set_body_raw(body.clone(), "text/html")).await;
    let error = bounded(client(&server.uri()).get_badge("b1").send())
        .await
        .unwrap_err();
    invalid_body(&error, 200, body.as_bytes());
    let display = error.to_string();
    let debug = format!("{error:?}");
    assert!(display.len() < 1024, "{} bytes", display.len());
    assert!(debug.len() < 4096, "{} bytes", debug.len());
    assert!(
        display.contains(&format!("{} bytes in total", body.len())),
        "{display}"
    );
}

#[tokio::test]
async fn bodies_larger_than_the_cap_are_refused_with_and_without_content_length() {
    // With Content-Length.
    let server =
        serve_once(ResponseTemplate::new(200).set_body_json(json!({"name": "x".repeat(4096)})))
            .await;
    let client = builder(&server.uri())
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert!(error.to_string().contains("1024"));

    // Chunked, without Content-Length: refused while streaming, not after buffering it all.
    let mut chunked = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    for _ in 0..64 {
        chunked.extend_from_slice(b"40\r\n");
        chunked.extend_from_slice(&[b' '; 64]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let raw = RawServer::start(vec![Reply::Send(chunked)]);
    let client = builder(&raw.base_url())
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    assert_eq!(raw.requests().len(), 1, "a too-large body is not retried");

    // Error statuses are capped too.
    let server = serve_once(ResponseTemplate::new(500).set_body_string("e".repeat(5000))).await;
    let client = builder(&server.uri())
        .retry_policy(RetryPolicy::disabled())
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = bounded(client.get_badge("b1").send()).await.unwrap_err();
    assert!(matches!(error, Error::BodyTooLarge { .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));

    // A body exactly at the cap is accepted.
    let exact = br#"{"name":"Gold"}"#;
    let server =
        serve_once(ResponseTemplate::new(200).set_body_raw(exact.to_vec(), "application/json"))
            .await;
    let client = builder(&server.uri())
        .max_response_bytes(exact.len())
        .build()
        .unwrap();
    bounded(client.get_badge("b1").send()).await.unwrap();
}

/// Arbitrary bytes under a JSON content type never panic: they decode or give `InvalidBody`.
#[tokio::test]
async fn arbitrary_bodies_never_panic() {
    let server = MockServer::start().await;
    let client = client(&server.uri());
    let bodies: Vec<Vec<u8>> = vec![
        vec![0xff, 0xfe, 0x00],
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"str\"".to_vec(),
        b"{\"name\": \"\\ud800\"}".to_vec(),
        b"{\"name\": 1e999}".to_vec(),
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
        b"{\"name\": \"Gold\"} trailing".to_vec(),
    ];
    for body in bodies {
        server.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
            .mount(&server)
            .await;
        match bounded(client.get_badge("b1").send()).await {
            Ok(_) => {}
            Err(Error::InvalidBody { response, .. }) => {
                assert_eq!(response.body().as_ref(), body.as_slice());
            }
            Err(other) => panic!("{other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pagination.
// ---------------------------------------------------------------------------------------------

fn user(n: u64) -> Value {
    json!({"id": format!("u{n}"), "email": format!("u{n}@example.test")})
}

fn page(ids: std::ops::Range<u64>, total: Option<u64>) -> Value {
    let items: Vec<Value> = ids.map(user).collect();
    match total {
        Some(total) => json!({"items": items, "totalCount": total}),
        None => json!({"items": items}),
    }
}

async fn mount_page(server: &MockServer, skip: u64, take: Option<u64>, body: Value, times: u64) {
    let mut mock = Mock::given(method("GET"))
        .and(path("/accounts/users"))
        .and(query_param("skip", skip.to_string()));
    if let Some(take) = take {
        mock = mock.and(query_param("take", take.to_string()));
    }
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(times)
        .mount(server)
        .await;
}

/// Collects at most `cap` items of a stream, so a runaway stream cannot loop forever.
async fn collect_capped<S, T>(stream: S, cap: usize) -> Vec<Result<T, Error>>
where
    S: futures_util::Stream<Item = Result<T, Error>>,
{
    bounded(stream.take(cap).collect::<Vec<_>>()).await
}

fn ids(items: &[Result<gtmhub::types::UserResponse, Error>]) -> Vec<String> {
    items
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|u| u.id.clone().unwrap_or_default())
        .collect()
}

fn skips(requests: &[Request]) -> Vec<(String, String)> {
    requests
        .iter()
        .map(|r| {
            let find = |name: &str| {
                r.url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (find("skip"), find("take"))
        })
        .collect()
}

#[tokio::test]
#[allow(deprecated)]
async fn the_stream_walks_every_page_and_stops_at_the_total() {
    let server = MockServer::start().await;
    mount_page(&server, 0, Some(2), page(0..2, Some(5)), 1).await;
    mount_page(&server, 2, Some(2), page(2..4, Some(5)), 1).await;
    mount_page(&server, 4, Some(2), page(4..5, Some(5)), 1).await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().take(2).stream(), 50).await;
    assert!(items.iter().all(Result::is_ok), "{items:?}");
    assert_eq!(ids(&items), ["u0", "u1", "u2", "u3", "u4"]);
    let requests = received(&server).await;
    assert_eq!(
        skips(&requests),
        [("0", "2"), ("2", "2"), ("4", "2")].map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // Every page carries the account header and the other filters.
    assert!(
        requests
            .iter()
            .all(|r| r.headers["gtmhub-accountId"] == ACCOUNT)
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn the_stream_stops_on_a_full_last_page_at_the_total_without_another_request() {
    let server = MockServer::start().await;
    mount_page(&server, 0, Some(2), page(0..2, Some(4)), 1).await;
    mount_page(&server, 2, Some(2), page(2..4, Some(4)), 1).await;
    mount_page(&server, 4, Some(2), page(4..6, Some(4)), 0).await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().take(2).stream(), 50).await;
    assert_eq!(ids(&items), ["u0", "u1", "u2", "u3"]);
    assert_eq!(items.len(), 4);
}

#[tokio::test]
#[allow(deprecated)]
async fn the_stream_stops_on_an_empty_page() {
    let server = MockServer::start().await;
    // No total and no take: only an empty page can end it.
    mount_page(&server, 0, None, page(0..3, None), 1).await;
    mount_page(&server, 3, None, page(3..6, None), 1).await;
    mount_page(&server, 6, None, page(6..6, None), 1).await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().stream(), 50).await;
    assert_eq!(ids(&items).len(), 6);
    assert_eq!(items.len(), 6);
    let requests = received(&server).await;
    assert!(
        requests
            .iter()
            .all(|r| !r.url.query_pairs().any(|(k, _)| k == "take"))
    );
    assert_eq!(requests.len(), 3);
}

#[tokio::test]
#[allow(deprecated)]
async fn the_stream_stops_on_a_short_page() {
    let server = MockServer::start().await;
    mount_page(&server, 0, Some(3), page(0..3, None), 1).await;
    mount_page(&server, 3, Some(3), page(3..4, None), 1).await;
    mount_page(&server, 4, Some(3), page(4..5, None), 0).await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().take(3).stream(), 50).await;
    assert_eq!(ids(&items), ["u0", "u1", "u2", "u3"]);
}

/// A server that serves fewer items than asked for (a page-size cap) but reports a larger total
/// must not end the stream early: the total is authoritative.
#[tokio::test]
#[allow(deprecated)]
async fn a_short_page_below_the_reported_total_does_not_end_the_stream() {
    let server = MockServer::start().await;
    mount_page(&server, 0, Some(5), page(0..3, Some(7)), 1).await;
    mount_page(&server, 3, Some(5), page(3..6, Some(7)), 1).await;
    mount_page(&server, 6, Some(5), page(6..7, Some(7)), 1).await;
    mount_page(&server, 7, Some(5), page(7..7, Some(7)), 0).await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().take(5).stream(), 50).await;
    assert_eq!(ids(&items), ["u0", "u1", "u2", "u3", "u4", "u5", "u6"]);
    assert_eq!(items.len(), 7);
}

#[tokio::test]
#[allow(deprecated)]
async fn the_stream_starts_at_the_given_skip_and_keeps_the_filters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("skip", "10"))
        .and(query_param("take", "2"))
        .and(query_param("filter", "name:ann"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(10..12, Some(13))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("skip", "12"))
        .and(query_param("take", "2"))
        .and(query_param("filter", "name:ann"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(12..13, Some(13))))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let stream = client
        .get_users()
        .filter("name:ann")
        .skip(10)
        .take(2)
        .stream();
    let items = collect_capped(stream, 50).await;
    assert_eq!(ids(&items), ["u10", "u11", "u12"]);
}

#[tokio::test]
#[allow(deprecated)]
async fn a_server_that_ignores_skip_ends_the_stream_with_a_pagination_error() {
    let server = MockServer::start().await;
    // Always the first page, whatever the skip; the total promises more.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(0..2, Some(100))))
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().take(2).stream(), 50).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(ids(&items[..2]), ["u0", "u1"]);
    let error = items[2].as_ref().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Pagination {
                operation: "getUsers",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("skip"), "{error}");
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
#[allow(deprecated)]
async fn an_error_on_a_later_page_is_yielded_and_ends_the_stream() {
    let server = MockServer::start().await;
    mount_page(&server, 0, Some(2), page(0..2, Some(10)), 1).await;
    Mock::given(method("GET"))
        .and(query_param("skip", "2"))
        .respond_with(ResponseTemplate::new(403).set_body_string("forbidden page"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().take(2).stream(), 50).await;
    assert_eq!(items.len(), 3);
    assert_eq!(ids(&items), ["u0", "u1"]);
    let Err(Error::Response(response)) = &items[2] else {
        panic!("{:?}", items[2]);
    };
    assert_eq!(response.status(), 403);
    assert_eq!(response.description(), Some("forbidden"));
    assert_eq!(response.body_text(), "forbidden page");
}

#[tokio::test]
#[allow(deprecated)]
async fn stopping_early_fetches_no_further_page() {
    let server = MockServer::start().await;
    mount_page(&server, 0, Some(2), page(0..2, Some(10)), 1).await;
    mount_page(&server, 2, Some(2), page(2..4, Some(10)), 0).await;
    let client = client(&server.uri());
    let items = collect_capped(client.get_users().take(2).stream(), 2).await;
    assert_eq!(ids(&items), ["u0", "u1"]);
}
