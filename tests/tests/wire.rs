//! Every operation on the wire: the generated client against a wiremock server on 127.0.0.1
//! (wiremock: a maintained mock-server crate whose mocks match method, path, query, headers and
//! body and verify call counts on drop).
//!
//! One test per operation. Each test mounts a mock that matches the documented method, the exact
//! raw path (with its path parameters), the exact query pairs, `Authorization: Bearer …`,
//! `Accept`, the `gtmhub-accountId` header from the client setting (and, in a second call,
//! overridden per call), `gtmhub-additional-params` when the operation has it and it is set,
//! and the JSON body built through the generated request type from the page's request sample
//! (compared as JSON with numbers by value: an `f64` field sends the sample's `2` as `2.0`).
//! The mock serves the page's response sample with the documented status; the test checks that
//! the typed value re-encodes to the sample and reads real fields. The second call serves a
//! "labelled" copy of the sample whose every string is its own JSON pointer, so a typed field
//! read proves the field maps to the right JSON property. Finally every documented non-2xx
//! status (and undocumented ones) must come back as `Error::Response` with the status, the
//! spec's description (or none) and the served body intact.

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use gtmhub::types;
use gtmhub::{Client, Error, ResponseValue, RetryPolicy, Server};
use gtmhub_tests::{SpecDoc, escape, json_difference, request_example, response_example};
use serde_json::Value;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "wire-test-token-5d1e";
const ACCOUNT: &str = "5be26318e5274a0007f17f61";
const OVERRIDE: &str = "acct-override-77";
const ADDITIONAL: &str = "internal=1;trace=on";
/// The path prefix of the real base URL, kept so paths are appended, not replaced.
const PREFIX: &str = "/api/v1";

// ---------------------------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------------------------

fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

fn client_for(server: &MockServer, account: Option<&str>, policy: RetryPolicy) -> Client {
    let mut builder = Client::builder()
        .token(TOKEN)
        .base_url(format!("{}{PREFIX}", server.uri()))
        .allow_insecure_http(true)
        .timeout(Duration::from_secs(10))
        .retry_policy(policy);
    if let Some(account) = account {
        builder = builder.account_id(account);
    }
    builder.build().expect("a test client")
}

/// A mock server and a client configured with the account id.
struct Wire {
    server: MockServer,
    client: Client,
}

impl Wire {
    async fn start() -> Self {
        let server = MockServer::start().await;
        let client = client_for(&server, Some(ACCOUNT), fast_retries());
        Self { server, client }
    }

    /// Mounts a mock that must be hit exactly once by a request matching `call`.
    async fn expect(&self, call: Call, status: u16, body: Option<&Value>) {
        let mut template = ResponseTemplate::new(status);
        if let Some(body) = body {
            template = template.set_body_json(body);
        }
        let op = call.op;
        call.mock()
            .respond_with(template)
            .named(op)
            .expect(1)
            .mount(&self.server)
            .await;
    }
}

/// What one request must look like.
#[derive(Debug, Clone)]
struct Call {
    op: &'static str,
    method: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    account: Option<&'static str>,
    additional: Option<&'static str>,
    body: Option<Value>,
}

impl Call {
    fn new(op: &'static str, method: &'static str, path: &str) -> Self {
        Self {
            op,
            method,
            path: format!("{PREFIX}{path}"),
            query: Vec::new(),
            account: Some(ACCOUNT),
            additional: None,
            body: None,
        }
    }

    fn query(mut self, name: &'static str, value: &str) -> Self {
        self.query.push((name, value.to_owned()));
        self
    }

    fn account(mut self, account: Option<&'static str>) -> Self {
        self.account = account;
        self
    }

    fn additional(mut self, value: &'static str) -> Self {
        self.additional = Some(value);
        self
    }

    fn body(mut self, body: &Value) -> Self {
        self.body = Some(body.clone());
        self
    }

    fn mock(self) -> wiremock::MockBuilder {
        let expected_query = self.query.clone();
        let expected_body = self.body.clone();
        Mock::given(method(self.method))
            .and(path(self.path.clone()))
            .and(move |request: &Request| {
                let pairs: Vec<(String, String)> = request
                    .url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let expected: Vec<(String, String)> = expected_query
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect();
                pairs == expected
            })
            .and(header_is("authorization", Some(&format!("Bearer {TOKEN}"))))
            .and(header_is("accept", Some("application/json")))
            .and(header_is("gtmhub-accountId", self.account))
            .and(header_is("gtmhub-additional-params", self.additional))
            .and(move |request: &Request| match &expected_body {
                None => request.body.is_empty() && !request.headers.contains_key("content-type"),
                Some(expected) => {
                    let content_type = request
                        .headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok());
                    let Ok(sent) = serde_json::from_slice::<Value>(&request.body) else {
                        return false;
                    };
                    content_type == Some("application/json")
                        && json_difference(&sent, expected, "").is_none()
                }
            })
    }
}

/// Matches a header by exact value (no comma splitting), or its absence for `None`.
fn header_is(
    name: &'static str,
    value: Option<&str>,
) -> impl Fn(&Request) -> bool + Send + Sync + use<> {
    let value = value.map(str::to_owned);
    move |request: &Request| {
        let mut all = request.headers.get_all(name).iter();
        match (&value, all.next(), all.next()) {
            (None, None, _) => true,
            (Some(expected), Some(found), None) => found.as_bytes() == expected.as_bytes(),
            _ => false,
        }
    }
}

/// The spec's example of `op`'s request body (the page's sample, placeholders expanded).
fn request_sample(op: &str) -> Value {
    request_example(op)
}

/// Decodes the page's request sample into the generated request type.
fn request_body<T: serde::de::DeserializeOwned>(op: &str) -> T {
    serde_json::from_value(request_sample(op))
        .unwrap_or_else(|e| panic!("{op}: the request sample does not decode: {e}"))
}

/// A copy of `value` whose every string is replaced by its own JSON pointer, so that reading a
/// typed field shows which JSON property it came from.
fn labelled(value: &Value) -> Value {
    fn walk(value: &Value, pointer: &str) -> Value {
        match value {
            Value::String(_) => Value::String(pointer.to_owned()),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| walk(item, &format!("{pointer}/{i}")))
                    .collect(),
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), walk(v, &format!("{pointer}/{}", escape(k)))))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    walk(value, "")
}

/// Asserts that a decoded value re-encodes to exactly the served JSON (numbers by value).
fn assert_same<T: serde::Serialize>(op: &str, decoded: &T, served: &Value) {
    let encoded = serde_json::to_value(decoded).expect("encode");
    if let Some(pointer) = json_difference(&encoded, served, "") {
        panic!("{op}: the decoded value differs from the served sample at {pointer:?}");
    }
}

fn unwrap<T>(op: &str, result: Result<ResponseValue<T>, Error>) -> ResponseValue<T> {
    result.unwrap_or_else(|error| panic!("{op}: {error} ({error:?})"))
}

/// Every documented non-2xx status of `op`, with the spec's description.
fn documented_errors(op: &str) -> Vec<(u16, String)> {
    let spec = SpecDoc::load();
    let operation = spec.operation(op);
    let responses = operation.operation["responses"]
        .as_object()
        .expect("responses");
    responses
        .iter()
        .filter(|(status, _)| !status.starts_with('2'))
        .map(|(status, response)| {
            let description = spec.resolve(response)["description"]
                .as_str()
                .expect("a description")
                .to_owned();
            (status.parse().expect("a numeric status"), description)
        })
        .collect()
}

/// Checks that every documented non-2xx status, and undocumented ones, come back as
/// `Error::Response` with the status, the description (or none) and the served body and headers.
async fn check_error_statuses<T, F, Fut>(op: &'static str, call: F)
where
    T: Debug,
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, Error>>,
{
    let server = MockServer::start().await;
    // One attempt, so that a retryable status is seen exactly once.
    let client = client_for(&server, Some(ACCOUNT), RetryPolicy::disabled());
    let documented = documented_errors(op);
    let mut cases: Vec<(u16, Option<String>)> = documented
        .iter()
        .map(|(status, description)| (*status, Some(description.clone())))
        .collect();
    for undocumented in [404, 418, 422] {
        if !documented.iter().any(|(status, _)| *status == undocumented) {
            cases.push((undocumented, None));
        }
    }
    for (status, description) in cases {
        server.reset().await;
        let body = format!(r#"{{"error":"{op} failed with {status}","code":{status}}}"#);
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("x-request-id", "req-42")
                    .set_body_raw(body.clone(), "application/json"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let error = match call(client.clone()).await {
            Ok(value) => panic!("{op}: status {status} was accepted as {value:?}"),
            Err(error) => error,
        };
        let Error::Response(response) = &error else {
            panic!("{op}: status {status} gave {error:?}, not Error::Response");
        };
        assert_eq!(response.status().as_u16(), status, "{op}: status");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{op}");
        assert_eq!(response.operation_id(), op, "{op}: operation id");
        assert_eq!(
            response.description(),
            description.as_deref(),
            "{op}: description of {status}"
        );
        assert_eq!(response.body().as_ref(), body.as_bytes(), "{op}: body");
        assert_eq!(response.headers()["x-request-id"], "req-42", "{op}");
        let parsed: Value = response.json().expect("the served JSON");
        assert_eq!(parsed["code"], status, "{op}");
        let message = error.to_string();
        assert!(message.starts_with(op), "{op}: {message}");
        assert!(message.contains(&status.to_string()), "{op}: {message}");
        if let Some(description) = &description {
            assert!(message.contains(description.as_str()), "{op}: {message}");
        }
        server.verify().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Deprecated page.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_data_centre_is_picked_by_name() {
    let client = |server| {
        Client::builder()
            .token(TOKEN)
            .server(server)
            .build()
            .unwrap()
    };
    assert_eq!(Server::default(), Server::GtmhubEu);
    assert_eq!(
        Client::builder().token(TOKEN).build().unwrap().base_url(),
        gtmhub::DEFAULT_BASE_URL
    );
    assert_eq!(
        client(Server::GtmhubEu).base_url(),
        "https://app.gtmhub.com/api/v1"
    );
    assert_eq!(
        client(Server::GtmhubUs).base_url(),
        "https://app.us.gtmhub.com/api/v1"
    );
    assert_eq!(
        client(Server::QuantiveUs).base_url(),
        "https://app.us.quantive.com/results/api/v1"
    );
    // Every server the spec lists, in its order.
    let spec = SpecDoc::load();
    let listed: Vec<&str> = spec.root["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    let urls: Vec<&str> = Server::ALL.iter().map(|s| s.url()).collect();
    assert_eq!(urls, listed);
}

#[tokio::test]
#[allow(deprecated)]
async fn a_negative_offset_or_page_size_is_refused_before_it_is_sent() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client_for(&server, Some(ACCOUNT), fast_retries());
    for (error, message) in [
        (
            client.get_users().skip(-1).send().await.unwrap_err(),
            "getUsers: invalid request: parameter `skip` must be at least 0, not -1",
        ),
        (
            client.get_users().take(-50).send().await.unwrap_err(),
            "getUsers: invalid request: parameter `take` must be at least 0, not -50",
        ),
    ] {
        assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
        assert_eq!(error.to_string(), message);
    }
    server.verify().await;
}

#[tokio::test]
#[allow(deprecated)]
async fn get_users() {
    const OP: &str = "getUsers";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let filter = "roles:573dbb61ed915d0005cc2c4d,roles:573dbb61ed915d0005cc2c7f";
    let call = Call::new(OP, "GET", "/accounts/users")
        .query("filter", filter)
        .query("skip", "50")
        .query("take", "50")
        .query("includeShadowedRoles", "true");
    wire.expect(call, 200, Some(&sample)).await;
    let users = unwrap(
        OP,
        wire.client
            .get_users()
            .filter(filter)
            .skip(50)
            .take(50)
            .include_shadowed_roles(true)
            .send()
            .await,
    );
    assert_eq!(users.status(), 200);
    assert_same(OP, &*users, &sample);
    assert_eq!(users.total_count, Some(2));
    let user = &users.items.as_ref().expect("items")[0];
    assert_eq!(user.is_sso_based, Some(false));
    assert_eq!(
        user.identities.as_ref().and_then(|i| i.total_count),
        Some(2)
    );

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/accounts/users").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let users = unwrap(
        OP,
        wire.client.get_users().account_id(OVERRIDE).send().await,
    );
    assert_same(OP, &*users, &labels);
    let user = &users.items.as_ref().expect("items")[0];
    assert_eq!(user.email.as_deref(), Some("/items/0/email"));
    assert_eq!(
        user.account_domain.as_deref(),
        Some("/items/0/accountDomain")
    );
    let settings = user.user_settings.as_ref().expect("userSettings");
    assert_eq!(
        settings.alignment_tree_mode.as_deref(),
        Some("/items/0/userSettings/alignmentTreeMode")
    );
    assert_eq!(
        user.identities
            .as_ref()
            .expect("identities")
            .items
            .as_ref()
            .expect("items")[0]
            .provider
            .as_deref(),
        Some("/items/0/identities/items/0/provider")
    );

    check_error_statuses(OP, |c| async move { c.get_users().send().await }).await;
}

#[tokio::test]
#[allow(deprecated)]
async fn list_announcements() {
    const OP: &str = "listAnnouncements";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let call = Call::new(OP, "GET", "/announcements").query("formatting", "plainText");
    wire.expect(call, 200, Some(&sample)).await;
    let list = unwrap(
        OP,
        wire.client
            .list_announcements()
            .formatting("plainText")
            .send()
            .await,
    );
    assert_same(OP, &*list, &sample);
    assert_eq!(list.total_count, Some(2));
    assert_eq!(list.items.as_ref().expect("items").len(), 1);

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/announcements").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let list = unwrap(
        OP,
        wire.client
            .list_announcements()
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    let item = &list.items.as_ref().expect("items")[0];
    assert_eq!(item.comment.as_deref(), Some("/items/0/comment"));
    assert_eq!(item.author_id.as_deref(), Some("/items/0/authorId"));
    assert_eq!(
        item.author.as_ref().and_then(|a| a.first_name.as_deref()),
        Some("/items/0/author/firstName")
    );
    assert_eq!(
        item.notify.as_deref(),
        Some(
            &[
                "/items/0/notify/0".to_owned(),
                "/items/0/notify/1".to_owned()
            ][..]
        )
    );

    check_error_statuses(OP, |c| async move { c.list_announcements().send().await }).await;
}

#[tokio::test]
#[allow(deprecated)]
async fn create_announcement() {
    const OP: &str = "createAnnouncement";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let body = request_sample(OP);
    let request: types::AnnouncementRequest = request_body(OP);
    assert_eq!(request.author_id.as_deref(), Some("string value"));
    wire.expect(
        Call::new(OP, "POST", "/announcements").body(&body),
        201,
        Some(&sample),
    )
    .await;
    let created = unwrap(
        OP,
        wire.client
            .create_announcement(request.clone())
            .send()
            .await,
    );
    assert_eq!(created.status(), 201);
    assert_same(OP, &*created, &sample);

    let labels = labelled(&sample);
    let call = Call::new(OP, "POST", "/announcements")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 201, Some(&labels)).await;
    let created = unwrap(
        OP,
        wire.client
            .create_announcement(request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(created.id.as_deref(), Some("/id"));
    assert_eq!(
        created.announcement_target_id.as_deref(),
        Some("/announcementTargetId")
    );
    assert_eq!(
        created.author.as_ref().and_then(|a| a.picture.as_deref()),
        Some("/author/picture")
    );

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.create_announcement(request).send().await }
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn get_announcement() {
    const OP: &str = "getAnnouncement";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let call = Call::new(OP, "GET", "/announcements/ann-1").query("formatting", "mentionsMarkup");
    wire.expect(call, 200, Some(&sample)).await;
    let announcement = unwrap(
        OP,
        wire.client
            .get_announcement("ann-1")
            .formatting("mentionsMarkup")
            .send()
            .await,
    );
    assert_same(OP, &*announcement, &sample);

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/announcements/ann-2").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let announcement = unwrap(
        OP,
        wire.client
            .get_announcement("ann-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(announcement.date_created.as_deref(), Some("/dateCreated"));
    assert_eq!(
        announcement
            .author
            .as_ref()
            .and_then(|a| a.last_name.as_deref()),
        Some("/author/lastName")
    );

    check_error_statuses(
        OP,
        |c| async move { c.get_announcement("ann-1").send().await },
    )
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn delete_announcement() {
    const OP: &str = "deleteAnnouncement";
    let wire = Wire::start().await;
    wire.expect(Call::new(OP, "DELETE", "/announcements/ann-1"), 204, None)
        .await;
    let deleted = unwrap(OP, wire.client.delete_announcement("ann-1").send().await);
    assert_eq!(deleted.status(), 204);
    let () = deleted.into_inner();

    let call = Call::new(OP, "DELETE", "/announcements/ann-2").account(Some(OVERRIDE));
    wire.expect(call, 204, None).await;
    unwrap(
        OP,
        wire.client
            .delete_announcement("ann-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );

    check_error_statuses(OP, |c| async move {
        c.delete_announcement("ann-1").send().await
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn update_announcement() {
    const OP: &str = "updateAnnouncement";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let body = request_sample(OP);
    let request: types::AnnouncementPatchRequest = request_body(OP);
    assert_eq!(request.comment.as_deref(), Some("string value"));
    let call = Call::new(OP, "PATCH", "/announcements/ann-1").body(&body);
    wire.expect(call, 200, Some(&sample)).await;
    let updated = unwrap(
        OP,
        wire.client
            .update_announcement("ann-1", request.clone())
            .send()
            .await,
    );
    assert_same(OP, &*updated, &sample);

    let labels = labelled(&sample);
    let call = Call::new(OP, "PATCH", "/announcements/ann-2")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 200, Some(&labels)).await;
    let updated = unwrap(
        OP,
        wire.client
            .update_announcement("ann-2", request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(updated.comment.as_deref(), Some("/comment"));
    assert_eq!(
        updated.notification_strategy.as_deref(),
        Some("/notificationStrategy")
    );

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.update_announcement("ann-1", request).send().await }
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn list_metrics_by_owner() {
    const OP: &str = "listMetricsByOwner";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let call = Call::new(OP, "GET", "/metrics/owner/owner-9").query("formatting", "plainText");
    wire.expect(call, 200, Some(&sample)).await;
    let metrics = unwrap(
        OP,
        wire.client
            .list_metrics_by_owner("owner-9")
            .formatting("plainText")
            .send()
            .await,
    );
    assert_same(OP, &*metrics, &sample);
    let metric = &metrics.items.as_ref().expect("items")[0];
    assert_eq!(metric.actual, Some(6.0));
    assert_eq!(metric.critical, Some(50.0));
    assert_eq!(metric.dynamic, Some(true));
    assert_eq!(metric.cascade_type.as_deref(), Some("absolute_value"));
    assert_eq!(
        metric.format.as_ref().and_then(|f| f.fraction_size),
        Some(2)
    );

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/metrics/owner/owner-10").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let metrics = unwrap(
        OP,
        wire.client
            .list_metrics_by_owner("owner-10")
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    let metric = &metrics.items.as_ref().expect("items")[0];
    assert_eq!(metric.due_date.as_deref(), Some("/items/0/dueDate"));
    assert_eq!(
        metric.format.as_ref().and_then(|f| f.id.as_deref()),
        Some("/items/0/format/ID")
    );
    assert_eq!(
        metric
            .goal_closed_status
            .as_ref()
            .and_then(|s| s.reason.as_deref()),
        Some("/items/0/goalClosedStatus/reason")
    );

    check_error_statuses(OP, |c| async move {
        c.list_metrics_by_owner("owner-9").send().await
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn get_password_policy() {
    const OP: &str = "getPasswordPolicy";
    let wire = Wire::start().await;
    // The page prints no sample: the response is documented as a JSON string.
    let policy = Value::String("min 12 characters, 1 digit".to_owned());
    // The operation declares no gtmhub-accountId header: it must not be sent even though the
    // client has an account id configured.
    let call = Call::new(OP, "GET", "/users/password/client-3/policy").account(None);
    wire.expect(call, 200, Some(&policy)).await;
    let text = unwrap(OP, wire.client.get_password_policy("client-3").send().await);
    assert_eq!(text.as_str(), "min 12 characters, 1 digit");

    check_error_statuses(OP, |c| async move {
        c.get_password_policy("client-3").send().await
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn create_user() {
    const OP: &str = "createUser";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let body = request_sample(OP);
    let request: types::UserRequest = request_body(OP);
    assert_eq!(request.first_name.as_deref(), Some("John"));
    let call = Call::new(OP, "POST", "/users")
        .query("skipEmail", "true")
        .additional(ADDITIONAL)
        .body(&body);
    wire.expect(call, 201, Some(&sample)).await;
    let user = unwrap(
        OP,
        wire.client
            .create_user(request.clone())
            .skip_email(true)
            .gtmhub_additional_params(ADDITIONAL)
            .send()
            .await,
    );
    assert_eq!(user.status(), 201);
    assert_same(OP, &*user, &sample);
    assert_eq!(user.is_primary, Some(false));

    let labels = labelled(&sample);
    let call = Call::new(OP, "POST", "/users")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 201, Some(&labels)).await;
    let user = unwrap(
        OP,
        wire.client
            .create_user(request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(user.client_id.as_deref(), Some("/clientId"));
    assert_eq!(user.subscription_type.as_deref(), Some("/subscriptionType"));
    assert_eq!(
        user.roles.as_ref().expect("roles")[0].name.as_deref(),
        Some("/roles/0/name")
    );

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.create_user(request).send().await }
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn update_goal() {
    const OP: &str = "updateGoal";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let body = request_sample(OP);
    let request: types::GoalRequest = request_body(OP);
    assert_eq!(request.name.as_deref(), Some("Become a market leader"));
    assert_eq!(request.private, Some(false));
    let call = Call::new(OP, "PUT", "/goals/6138969ab6adf10001fc329c").body(&body);
    wire.expect(call, 200, Some(&sample)).await;
    let goal = unwrap(
        OP,
        wire.client
            .update_goal("6138969ab6adf10001fc329c", request.clone())
            .send()
            .await,
    );
    assert_same(OP, &*goal, &sample);
    assert_eq!(goal.aggregated_attainment, Some(2.0));
    let subtype = goal
        .access
        .as_ref()
        .and_then(|a| a.owner_permissions.as_ref())
        .and_then(|o| o.grant.as_ref())
        .and_then(|g| g.subtype);
    assert_eq!(subtype, Some(2));

    let labels = labelled(&sample);
    let call = Call::new(OP, "PUT", "/goals/goal-2")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 200, Some(&labels)).await;
    let goal = unwrap(
        OP,
        wire.client
            .update_goal("goal-2", request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(goal.account_id.as_deref(), Some("/accountId"));
    assert_eq!(
        goal.assignee
            .as_ref()
            .and_then(|a| a.tags.as_ref())
            .expect("tags")[0]
            .created_by
            .as_deref(),
        Some("/assignee/tags/0/createdBy")
    );
    assert_eq!(
        goal.access
            .as_ref()
            .and_then(|a| a.permissions.as_ref())
            .expect("permissions")[0]
            .principal_kind
            .as_deref(),
        Some("/access/permissions/0/principalKind")
    );

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.update_goal("goal-1", request).send().await }
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn update_goal_confidence() {
    const OP: &str = "updateGoalConfidence";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let body = request_sample(OP);
    let request: types::GoalConfidenceRequest = request_body(OP);
    assert_eq!(request.value, Some(2.0));
    // The header is optional here, and sent when the client has an account id.
    let call = Call::new(OP, "PUT", "/goals/goal-1/confidence").body(&body);
    wire.expect(call, 200, Some(&sample)).await;
    let goal = unwrap(
        OP,
        wire.client
            .update_goal_confidence("goal-1", request.clone())
            .send()
            .await,
    );
    assert_same(OP, &*goal, &sample);
    assert_eq!(goal.closed_status.as_ref().and_then(|s| s.status), Some(2));
    assert_eq!(goal.is_deleted, Some(false));

    let labels = labelled(&sample);
    let call = Call::new(OP, "PUT", "/goals/goal-2/confidence")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 200, Some(&labels)).await;
    let goal = unwrap(
        OP,
        wire.client
            .update_goal_confidence("goal-2", request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(
        goal.closed_status
            .as_ref()
            .and_then(|s| s.reason.as_deref()),
        Some("/closedStatus/Reason")
    );
    assert_eq!(goal.deleted_by_id.as_deref(), Some("/deletedById"));

    // Without an account id anywhere the header is left out and the call still goes out.
    let bare = client_for(&wire.server, None, fast_retries());
    let call = Call::new(OP, "PUT", "/goals/goal-3/confidence")
        .account(None)
        .body(&body);
    wire.expect(call, 200, Some(&sample)).await;
    unwrap(
        OP,
        bare.update_goal_confidence("goal-3", request.clone())
            .send()
            .await,
    );

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.update_goal_confidence("goal-1", request).send().await }
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn update_user_settings() {
    const OP: &str = "updateUserSettings";
    let wire = Wire::start().await;
    // The page documents no body and no status: any 2xx is success, with or without a body.
    let call = Call::new(OP, "PUT", "/users/settings").additional(ADDITIONAL);
    wire.expect(call, 204, None).await;
    let done = unwrap(
        OP,
        wire.client
            .update_user_settings()
            .gtmhub_additional_params(ADDITIONAL)
            .send()
            .await,
    );
    assert_eq!(done.status(), 204);
    let () = done.into_inner();

    let call = Call::new(OP, "PUT", "/users/settings").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&serde_json::json!({"ignored": true})))
        .await;
    let done = unwrap(
        OP,
        wire.client
            .update_user_settings()
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(done.status(), 200);

    check_error_statuses(OP, |c| async move { c.update_user_settings().send().await }).await;
}

#[tokio::test]
#[allow(deprecated)]
async fn delete_announcement_reaction() {
    const OP: &str = "deleteAnnouncementReaction";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let call = Call::new(OP, "DELETE", "/announcements/ann-1/react");
    wire.expect(call, 200, Some(&sample)).await;
    let announcement = unwrap(
        OP,
        wire.client
            .delete_announcement_reaction("ann-1")
            .send()
            .await,
    );
    assert_same(OP, &*announcement, &sample);

    let labels = labelled(&sample);
    let call = Call::new(OP, "DELETE", "/announcements/ann-2/react").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let announcement = unwrap(
        OP,
        wire.client
            .delete_announcement_reaction("ann-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(
        announcement.announcement_type.as_deref(),
        Some("/announcementType")
    );
    assert_eq!(
        announcement
            .author
            .as_ref()
            .and_then(|a| a.account_id.as_deref()),
        Some("/author/accountId")
    );

    check_error_statuses(OP, |c| async move {
        c.delete_announcement_reaction("ann-1").send().await
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Badges page.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_badges() {
    const OP: &str = "listBadges";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    wire.expect(Call::new(OP, "GET", "/badges"), 200, Some(&sample))
        .await;
    let badges = unwrap(OP, wire.client.list_badges().send().await);
    assert_same(OP, &*badges, &sample);
    assert_eq!(badges.total_count, Some(2));

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/badges").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let badges = unwrap(
        OP,
        wire.client.list_badges().account_id(OVERRIDE).send().await,
    );
    let badge = &badges.items.as_ref().expect("items")[0];
    assert_eq!(badge.name.as_deref(), Some("/items/0/name"));
    assert_eq!(badge.background.as_deref(), Some("/items/0/background"));
    assert_eq!(badge.pattern.as_deref(), Some("/items/0/pattern"));

    check_error_statuses(OP, |c| async move { c.list_badges().send().await }).await;
}

#[tokio::test]
async fn create_badge() {
    const OP: &str = "createBadge";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let body = request_sample(OP);
    let request: types::BadgeRequest = request_body(OP);
    assert_eq!(request.type_.as_deref(), Some("string value"));
    wire.expect(
        Call::new(OP, "POST", "/badges").body(&body),
        201,
        Some(&sample),
    )
    .await;
    let badge = unwrap(OP, wire.client.create_badge(request.clone()).send().await);
    assert_eq!(badge.status(), 201);
    assert_same(OP, &*badge, &sample);

    let labels = labelled(&sample);
    let call = Call::new(OP, "POST", "/badges")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 201, Some(&labels)).await;
    let badge = unwrap(
        OP,
        wire.client
            .create_badge(request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(badge.id.as_deref(), Some("/id"));
    assert_eq!(badge.icon.as_deref(), Some("/icon"));
    assert_eq!(badge.summary.as_deref(), Some("/summary"));

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.create_badge(request).send().await }
    })
    .await;
}

#[tokio::test]
async fn list_pending_badge_assignments() {
    const OP: &str = "listPendingBadgeAssignments";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    wire.expect(Call::new(OP, "GET", "/badges/approve"), 200, Some(&sample))
        .await;
    let pending = unwrap(
        OP,
        wire.client.list_pending_badge_assignments().send().await,
    );
    assert_same(OP, &*pending, &sample);
    assert_eq!(pending.total_count, Some(2));

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/badges/approve").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let pending = unwrap(
        OP,
        wire.client
            .list_pending_badge_assignments()
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    let item = &pending.items.as_ref().expect("items")[0];
    assert_eq!(item.approved_by.as_deref(), Some("/items/0/approvedBy"));
    assert_eq!(
        item.rich_text_comment.as_deref(),
        Some("/items/0/richTextComment")
    );
    assert_eq!(
        item.assignee_ids.as_ref().expect("assigneeIds")[1],
        "/items/0/assigneeIds/1"
    );

    check_error_statuses(OP, |c| async move {
        c.list_pending_badge_assignments().send().await
    })
    .await;
}

#[tokio::test]
async fn list_assigned_badges() {
    const OP: &str = "listAssignedBadges";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    wire.expect(Call::new(OP, "GET", "/badges/assign"), 200, Some(&sample))
        .await;
    let assigned = unwrap(OP, wire.client.list_assigned_badges().send().await);
    assert_same(OP, &*assigned, &sample);

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/badges/assign").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let assigned = unwrap(
        OP,
        wire.client
            .list_assigned_badges()
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    let item = &assigned.items.as_ref().expect("items")[0];
    assert_eq!(
        item.badge.as_ref().and_then(|b| b.name.as_deref()),
        Some("/items/0/badge/name")
    );
    assert_eq!(item.assigned_on.as_deref(), Some("/items/0/assignedOn"));

    check_error_statuses(OP, |c| async move { c.list_assigned_badges().send().await }).await;
}

#[tokio::test]
async fn assign_badge() {
    const OP: &str = "assignBadge";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    let body = request_sample(OP);
    let request: types::AssignBadgeRequest = request_body(OP);
    assert_eq!(request.assignee_ids.as_ref().map(Vec::len), Some(2));
    let call = Call::new(OP, "POST", "/badges/assign").body(&body);
    wire.expect(call, 200, Some(&sample)).await;
    let assigned = unwrap(OP, wire.client.assign_badge(request.clone()).send().await);
    assert_same(OP, &*assigned, &sample);

    let labels = labelled(&sample);
    let call = Call::new(OP, "POST", "/badges/assign")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 200, Some(&labels)).await;
    let assigned = unwrap(
        OP,
        wire.client
            .assign_badge(request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(assigned.badge_id.as_deref(), Some("/badgeId"));
    assert_eq!(assigned.status.as_deref(), Some("/status"));
    assert_eq!(assigned.notify.as_ref().expect("notify")[0], "/notify/0");

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.assign_badge(request).send().await }
    })
    .await;
}

#[tokio::test]
async fn list_badge_assignees() {
    const OP: &str = "listBadgeAssignees";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    wire.expect(
        Call::new(OP, "GET", "/badges/assign/badge-1"),
        200,
        Some(&sample),
    )
    .await;
    let assignees = unwrap(OP, wire.client.list_badge_assignees("badge-1").send().await);
    assert_same(OP, &*assignees, &sample);
    let team = &assignees.teams.as_ref().expect("Teams")[0];
    assert_eq!(team.is_active, Some(false));

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/badges/assign/badge-2").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let assignees = unwrap(
        OP,
        wire.client
            .list_badge_assignees("badge-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    let team = &assignees.teams.as_ref().expect("Teams")[0];
    assert_eq!(team.color.as_deref(), Some("/Teams/0/color"));
    assert_eq!(
        team.badges.as_ref().expect("badges")[0].icon.as_deref(),
        Some("/Teams/0/badges/0/icon")
    );
    assert_eq!(
        team.manager_info.as_ref().and_then(|m| m.email.as_deref()),
        Some("/Teams/0/managerInfo/email")
    );
    let user = &assignees.users.as_ref().expect("Users")[0];
    assert_eq!(user.email.as_deref(), Some("/Users/0/email"));

    check_error_statuses(OP, |c| async move {
        c.list_badge_assignees("badge-1").send().await
    })
    .await;
}

#[tokio::test]
async fn list_current_user_badges() {
    const OP: &str = "listCurrentUserBadges";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    wire.expect(Call::new(OP, "GET", "/badges/current"), 200, Some(&sample))
        .await;
    let current = unwrap(OP, wire.client.list_current_user_badges().send().await);
    assert_same(OP, &*current, &sample);
    assert_eq!(current.total_count, Some(2));

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/badges/current").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let current = unwrap(
        OP,
        wire.client
            .list_current_user_badges()
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    let item = &current.items.as_ref().expect("items")[0];
    assert_eq!(
        item.badge.as_ref().and_then(|b| b.summary.as_deref()),
        Some("/items/0/badge/summary")
    );
    assert_eq!(
        item.assigned_by_id.as_deref(),
        Some("/items/0/assignedById")
    );

    check_error_statuses(
        OP,
        |c| async move { c.list_current_user_badges().send().await },
    )
    .await;
}

#[tokio::test]
async fn get_badge() {
    const OP: &str = "getBadge";
    let wire = Wire::start().await;
    let sample = response_example(OP);
    wire.expect(Call::new(OP, "GET", "/badges/badge-1"), 200, Some(&sample))
        .await;
    let badge = unwrap(OP, wire.client.get_badge("badge-1").send().await);
    assert_same(OP, &*badge, &sample);
    assert_eq!(badge.name.as_deref(), Some("string value"));

    let labels = labelled(&sample);
    let call = Call::new(OP, "GET", "/badges/badge-2").account(Some(OVERRIDE));
    wire.expect(call, 200, Some(&labels)).await;
    let badge = unwrap(
        OP,
        wire.client
            .get_badge("badge-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(badge.name.as_deref(), Some("/name"));
    assert_eq!(badge.background.as_deref(), Some("/background"));
    assert_eq!(badge.id.as_deref(), Some("/id"));

    check_error_statuses(OP, |c| async move { c.get_badge("badge-1").send().await }).await;
}

#[tokio::test]
async fn delete_badge() {
    const OP: &str = "deleteBadge";
    let wire = Wire::start().await;
    wire.expect(Call::new(OP, "DELETE", "/badges/badge-1"), 204, None)
        .await;
    let deleted = unwrap(OP, wire.client.delete_badge("badge-1").send().await);
    assert_eq!(deleted.status(), 204);
    let () = deleted.into_inner();

    let call = Call::new(OP, "DELETE", "/badges/badge-2").account(Some(OVERRIDE));
    wire.expect(call, 204, None).await;
    unwrap(
        OP,
        wire.client
            .delete_badge("badge-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );

    check_error_statuses(
        OP,
        |c| async move { c.delete_badge("badge-1").send().await },
    )
    .await;
}

#[tokio::test]
async fn update_badge() {
    const OP: &str = "updateBadge";
    let wire = Wire::start().await;
    let body = request_sample(OP);
    let request: types::BadgeRequest = request_body(OP);
    assert_eq!(request.assign_condition.as_deref(), Some("string value"));
    let call = Call::new(OP, "PATCH", "/badges/badge-1").body(&body);
    wire.expect(call, 204, None).await;
    let updated = unwrap(
        OP,
        wire.client
            .update_badge("badge-1", request.clone())
            .send()
            .await,
    );
    assert_eq!(updated.status(), 204);
    let () = updated.into_inner();

    let call = Call::new(OP, "PATCH", "/badges/badge-2")
        .account(Some(OVERRIDE))
        .body(&body);
    wire.expect(call, 204, None).await;
    unwrap(
        OP,
        wire.client
            .update_badge("badge-2", request.clone())
            .account_id(OVERRIDE)
            .send()
            .await,
    );

    check_error_statuses(OP, move |c| {
        let request = request.clone();
        async move { c.update_badge("badge-1", request).send().await }
    })
    .await;
}

#[tokio::test]
async fn approve_badge_assignment() {
    const OP: &str = "approveBadgeAssignment";
    let wire = Wire::start().await;
    // The page documents no success status: any 2xx is success and its body is ignored.
    wire.expect(Call::new(OP, "POST", "/badges/approve/req-1"), 200, None)
        .await;
    let approved = unwrap(
        OP,
        wire.client.approve_badge_assignment("req-1").send().await,
    );
    assert_eq!(approved.status(), 200);
    let () = approved.into_inner();

    let call = Call::new(OP, "POST", "/badges/approve/req-2").account(Some(OVERRIDE));
    wire.expect(call, 204, None).await;
    let approved = unwrap(
        OP,
        wire.client
            .approve_badge_assignment("req-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(approved.status(), 204);

    check_error_statuses(OP, |c| async move {
        c.approve_badge_assignment("req-1").send().await
    })
    .await;
}

#[tokio::test]
async fn reject_badge_assignment() {
    const OP: &str = "rejectBadgeAssignment";
    let wire = Wire::start().await;
    wire.expect(Call::new(OP, "DELETE", "/badges/approve/req-1"), 204, None)
        .await;
    let rejected = unwrap(
        OP,
        wire.client.reject_badge_assignment("req-1").send().await,
    );
    assert_eq!(rejected.status(), 204);

    let call = Call::new(OP, "DELETE", "/badges/approve/req-2").account(Some(OVERRIDE));
    wire.expect(call, 202, Some(&serde_json::json!({"queued": true})))
        .await;
    let rejected = unwrap(
        OP,
        wire.client
            .reject_badge_assignment("req-2")
            .account_id(OVERRIDE)
            .send()
            .await,
    );
    assert_eq!(rejected.status(), 202);

    check_error_statuses(OP, |c| async move {
        c.reject_badge_assignment("req-1").send().await
    })
    .await;
}

#[tokio::test]
async fn unassign_badge() {
    const OP: &str = "unassignBadge";
    let wire = Wire::start().await;
    // The path order is assigneeId, then badgeAssignId.
    let call = Call::new(OP, "DELETE", "/badges/assign/user-1/assign-9");
    wire.expect(call, 204, None).await;
    let done = unwrap(
        OP,
        wire.client
            .unassign_badge("user-1", "assign-9")
            .send()
            .await,
    );
    assert_eq!(done.status(), 204);

    let call = Call::new(OP, "DELETE", "/badges/assign/team-2/assign-8").account(Some(OVERRIDE));
    wire.expect(call, 204, None).await;
    unwrap(
        OP,
        wire.client
            .unassign_badge("team-2", "assign-8")
            .account_id(OVERRIDE)
            .send()
            .await,
    );

    check_error_statuses(OP, |c| async move {
        c.unassign_badge("user-1", "assign-9").send().await
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// Cross-cutting wire facts.
// ---------------------------------------------------------------------------------------------

/// Every operation but getPasswordPolicy and updateGoalConfidence requires the account header:
/// without it, the call fails before anything is sent and names the builder setter.
#[tokio::test]
async fn a_required_account_header_missing_everywhere_fails_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let bare = client_for(&server, None, fast_retries());
    let error = bare.get_badge("badge-1").send().await.unwrap_err();
    let Error::InvalidRequest { operation, message } = &error else {
        panic!("expected InvalidRequest, got {error:?}");
    };
    assert_eq!(*operation, "getBadge");
    assert!(message.contains("gtmhub-accountId"), "{message}");
    assert!(message.contains("account_id()"), "{message}");
    let error = bare.list_badges().send().await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
}

/// The 26 operations each have a test above; this guards that the list of operations in the
/// spec is the one this file was written for.
#[test]
fn the_spec_has_the_26_operations_tested_here() {
    let tested = [
        "getUsers",
        "listAnnouncements",
        "createAnnouncement",
        "getAnnouncement",
        "deleteAnnouncement",
        "updateAnnouncement",
        "listMetricsByOwner",
        "getPasswordPolicy",
        "createUser",
        "updateGoal",
        "updateGoalConfidence",
        "updateUserSettings",
        "deleteAnnouncementReaction",
        "listBadges",
        "createBadge",
        "listPendingBadgeAssignments",
        "listAssignedBadges",
        "assignBadge",
        "listBadgeAssignees",
        "listCurrentUserBadges",
        "getBadge",
        "deleteBadge",
        "updateBadge",
        "approveBadgeAssignment",
        "rejectBadgeAssignment",
        "unassignBadge",
    ];
    let spec = SpecDoc::load();
    let mut in_spec: Vec<&str> = spec.operations().iter().map(|op| op.id()).collect();
    let mut tested = tested.to_vec();
    in_spec.sort_unstable();
    tested.sort_unstable();
    assert_eq!(in_spec, tested);
}
