//! What a call tells a `tracing` subscriber (one span per call, events for retries and rate
//! limiting, never a secret or a body), and the opt-in report of where responses and the spec
//! disagree, which is also emitted as events.
//!
//! This binary installs one global subscriber: `tracing` caches per call site whether anyone
//! listens, and a thread-scoped subscriber racing with other tests' threads can miss spans.
//! The tests take turns on it.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use gtmhub::{Client, MismatchKind, RequestOptions as _, RetryPolicy};
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

const TOKEN: &str = "tr4ced-T0KEN-1c2d";
const ACCOUNT: &str = "acct-traced-31";

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

/// The process's recorder, emptied, held by one test at a time.
async fn recorder() -> (tokio::sync::MutexGuard<'static, ()>, Recorder) {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    static RECORDER: OnceLock<Recorder> = OnceLock::new();
    let turn = TURN.lock().await;
    let recorder = RECORDER.get_or_init(|| {
        let recorder = Recorder::default();
        tracing::subscriber::set_global_default(recorder.clone()).expect("the only subscriber");
        recorder
    });
    recorder.spans.lock().unwrap().clear();
    recorder.events.lock().unwrap().clear();
    (turn, recorder.clone())
}

// ---------------------------------------------------------------------------------------------
// Tracing.
// ---------------------------------------------------------------------------------------------

/// A span's or event's fields, as name and text.
type FieldList = Vec<(String, String)>;

/// A subscriber that records every span's and event's fields as text.
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<(String, FieldList)>>>,
    events: Arc<Mutex<Vec<FieldList>>>,
    ids: Arc<Mutex<std::collections::HashMap<u64, usize>>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Vec::new();
        attributes.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((attributes.metadata().name().to_owned(), fields));
        // Ids stay unique across the recorder being emptied between tests.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.ids.lock().unwrap().insert(id, spans.len() - 1);
        tracing::span::Id::from_u64(id)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let Some(&index) = self.ids.lock().unwrap().get(&span.into_u64()) else {
            return;
        };
        let mut spans = self.spans.lock().unwrap();
        if let Some((_, fields)) = spans.get_mut(index) {
            values.record(&mut Fields(fields));
        }
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.events.lock().unwrap().push(fields);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn one_span_per_call_with_retries_as_events_and_no_secret_anywhere() {
    let server = wiremock().await;
    let secret_body = r#"{"id":"b1","name":"body-secret-text"}"#;
    Mock::given(path("/badges/b1"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy body"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/badges/b1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(secret_body, "application/json"))
        .mount(&server)
        .await;
    Mock::given(path("/badges/limited"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let (_turn, recorder) = recorder().await;
    let client = client(&server.uri());
    client
        .get_badge("b1")
        .header("x-correlation-id", "corr-secret-9")
        .send()
        .await
        .unwrap();
    client.get_badge("limited").send().await.unwrap_err();

    let spans = recorder.spans.lock().unwrap().clone();
    let requests: Vec<&Vec<(String, String)>> = spans
        .iter()
        .filter(|(name, _)| name == "request")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(requests.len(), 2, "{spans:?}");
    let field = |fields: &[(String, String)], name: &str| {
        fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let first = requests[0];
    assert_eq!(field(first, "operation").as_deref(), Some("getBadge"));
    assert_eq!(field(first, "method").as_deref(), Some("GET"));
    assert_eq!(field(first, "path").as_deref(), Some("/badges/{id}"));
    assert_eq!(field(first, "status").as_deref(), Some("200"));
    assert_eq!(field(first, "attempts").as_deref(), Some("2"));
    assert!(field(first, "duration_ms").is_some());
    assert_eq!(field(requests[1], "status").as_deref(), Some("429"));

    let events = recorder.events.lock().unwrap().clone();
    let messages: Vec<String> = events
        .iter()
        .filter_map(|fields| field(fields, "message"))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m == "retrying after a retryable status"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m == "rate limited for longer than the retry policy allows"),
        "{messages:?}"
    );
    let everything = format!("{spans:?} {events:?}");
    for secret in [
        TOKEN,
        ACCOUNT,
        "corr-secret-9",
        "body-secret-text",
        "busy body",
    ] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}

// ---------------------------------------------------------------------------------------------
// Where the server and the spec disagree.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn properties_the_spec_does_not_declare_are_reported_when_asked() {
    let server = wiremock().await;
    Mock::given(path("/badges"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [
                {"id": "b1", "name": "Gold", "shinyness": 9},
                {"id": "b2", "name": "Silver", "shinyness": 3, "owner": {"id": "u1"}}
            ],
            "totalCount": 2,
            "nextCursor": "abc"
        })))
        .mount(&server)
        .await;
    let reporting = Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT)
        .base_url(server.uri())
        .allow_insecure_http(true)
        .record_spec_mismatches(true)
        .build()
        .unwrap();
    let (_turn, recorder) = recorder().await;
    let badges = reporting.list_badges().send().await.unwrap();
    reporting.list_badges().send().await.unwrap();
    assert_eq!(
        badges.items.as_ref().map(Vec::len),
        Some(2),
        "decoding is unchanged"
    );

    let found = reporting.spec_mismatches();
    let summary: Vec<(&str, &str, &str, u64)> = found
        .iter()
        .map(|m| {
            let MismatchKind::UnknownProperty(name) = &m.kind else {
                panic!("{m:?}");
            };
            (m.schema, name.as_str(), m.pointer.as_str(), m.count)
        })
        .collect();
    assert!(found.iter().all(|m| m.operation == "listBadges"));
    assert!(
        summary.contains(&("badgeResponse", "shinyness", "/items/0/shinyness", 4)),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("badgeResponse", "owner", "/items/1/owner", 2)),
        "{summary:?}"
    );
    assert!(
        summary.contains(&("badgesResponse", "nextCursor", "/nextCursor", 2)),
        "{summary:?}"
    );
    let events = format!("{:?}", recorder.events.lock().unwrap());
    assert!(
        events.contains("shinyness") && events.contains("nextCursor"),
        "{events}"
    );

    // Off by default: nothing is recorded.
    let quiet = client(&server.uri());
    quiet.list_badges().send().await.unwrap();
    assert!(quiet.spec_mismatches().is_empty());
}
