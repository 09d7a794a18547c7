//! Security of the generated client on 127.0.0.1: the token never shows in `Debug` or error
//! messages, path parameters cannot leave their segment, header values cannot inject headers,
//! and plain http needs an explicit opt-in. Requests go to wiremock (a maintained mock-server
//! crate; its `expect(0)` catch-alls prove nothing was sent) and, where the exact bytes of the
//! request line matter, to the scripted raw server of `gtmhub_tests::mock`.

use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};
use gtmhub::types;
use gtmhub::{BuildError, Client, Error, RetryPolicy};
use gtmhub_tests::mock::{RawServer, Reply, closed_port, response};
use serde_json::json;
use wiremock::matchers::{any, header_exists};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A token distinctive enough that any appearance in output is a leak.
const TOKEN: &str = "tok3n-S3CRET-a1b2c3d4e5f6";
const ACCOUNT: &str = "acct-1";

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

/// Asserts that none of the renderings of `value` contains the token (or `secret`).
fn assert_hidden(what: &str, debug: String, secret: &str) {
    assert!(!debug.contains(secret), "{what} shows the secret: {debug}");
    assert!(
        !debug.contains("S3CRET"),
        "{what} shows part of the secret: {debug}"
    );
}

/// Checks `Debug` (plain and pretty), `Display` and every `source()` of an error.
fn assert_error_hidden(what: &str, error: &(dyn std::error::Error + 'static), secret: &str) {
    assert_hidden(what, format!("{error:?}"), secret);
    assert_hidden(what, format!("{error:#?}"), secret);
    assert_hidden(what, error.to_string(), secret);
    let mut source = error.source();
    let mut depth = 0;
    while let Some(inner) = source {
        assert_hidden(what, format!("{inner:?} / {inner}"), secret);
        source = inner.source();
        depth += 1;
        assert!(depth < 32, "a cyclic error chain");
    }
}

// ---------------------------------------------------------------------------------------------
// The token.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_token_never_shows_in_debug_of_the_builder_the_client_or_a_request() {
    let empty = Client::builder();
    assert_hidden("empty builder", format!("{empty:?}"), TOKEN);
    let with_token = Client::builder().token(TOKEN).account_id(ACCOUNT);
    let shown = format!("{with_token:?}");
    assert_hidden("builder", shown.clone(), TOKEN);
    assert!(shown.contains("<redacted>"), "{shown}");
    assert_hidden("builder (pretty)", format!("{with_token:#?}"), TOKEN);

    let client = with_token.build().unwrap();
    let shown = format!("{client:?}");
    assert_hidden("client", shown.clone(), TOKEN);
    assert!(shown.contains("<redacted>"), "{shown}");
    assert_hidden("client (pretty)", format!("{client:#?}"), TOKEN);
    assert_hidden("client clone", format!("{:?}", client.clone()), TOKEN);
    assert_hidden("retry policy", format!("{:?}", RetryPolicy::new()), TOKEN);

    // Request builders hold the client; their Debug goes through the client's.
    assert_hidden("request", format!("{:?}", client.get_badge("b1")), TOKEN);
    assert_hidden(
        "request with body",
        format!("{:?}", client.create_badge(types::BadgeRequest::default())),
        TOKEN,
    );
    #[allow(deprecated)]
    let users = client.get_users().take(2);
    assert_hidden("paged request", format!("{users:#?}"), TOKEN);
}

#[test]
fn build_errors_never_show_the_token_or_url_credentials() {
    let cases: Vec<(&str, BuildError, &str)> = vec![
        (
            "missing token",
            Client::builder().build().unwrap_err(),
            TOKEN,
        ),
        (
            "token with a newline",
            Client::builder()
                .token(format!("{TOKEN}\r\nX-Evil: 1"))
                .build()
                .unwrap_err(),
            TOKEN,
        ),
        (
            "token with a space",
            Client::builder()
                .token(format!("Bearer {TOKEN}"))
                .build()
                .unwrap_err(),
            TOKEN,
        ),
        (
            "token with non-ascii",
            Client::builder()
                .token(format!("{TOKEN}é"))
                .build()
                .unwrap_err(),
            TOKEN,
        ),
        (
            "credentials in the base url",
            Client::builder()
                .token(TOKEN)
                .base_url("https://user:pa55-S3CRET@example.test/api")
                .build()
                .unwrap_err(),
            "pa55-S3CRET",
        ),
        (
            "credentials in an unparsable base url",
            Client::builder()
                .token(TOKEN)
                .base_url("https://user:pa55-S3CRET@exa mple.test:99999/api")
                .build()
                .unwrap_err(),
            "pa55-S3CRET",
        ),
        (
            "a slash in the password of an unparsable base url",
            Client::builder()
                .token(TOKEN)
                .base_url("https://user:pa55/S3CRET@example.test/api")
                .build()
                .unwrap_err(),
            "pa55/S3CRET",
        ),
        (
            "credentials in a base url without a scheme",
            Client::builder()
                .token(TOKEN)
                .base_url("user:pa55-S3CRET@example.test/api")
                .build()
                .unwrap_err(),
            "pa55-S3CRET",
        ),
        (
            "insecure base url",
            Client::builder()
                .token(TOKEN)
                .base_url("http://127.0.0.1:9/api")
                .build()
                .unwrap_err(),
            TOKEN,
        ),
        (
            "account id with CR LF",
            Client::builder()
                .token(TOKEN)
                .account_id(format!("{ACCOUNT}\r\nAuthorization: Bearer {TOKEN}"))
                .build()
                .unwrap_err(),
            TOKEN,
        ),
    ];
    for (what, error, secret) in &cases {
        assert_error_hidden(what, error, secret);
    }
    assert!(matches!(cases[0].1, BuildError::MissingToken));
    for case in &cases[1..4] {
        assert!(matches!(case.1, BuildError::InvalidToken), "{}", case.0);
    }
    assert!(matches!(cases[4].1, BuildError::InvalidBaseUrl { .. }));
    assert!(matches!(cases[8].1, BuildError::InsecureBaseUrl { .. }));
    assert!(matches!(cases[9].1, BuildError::InvalidSetting { .. }));
    // The builder's Debug hides URL credentials as well.
    let shown = format!(
        "{:?}",
        Client::builder().base_url("https://user:pa55/S3CRET@example.test")
    );
    assert_hidden("builder with credentials in its url", shown, "pa55");
}

#[tokio::test]
async fn no_error_kind_shows_the_token() {
    let mut errors: Vec<(&str, Error)> = Vec::new();
    let server = MockServer::start().await;
    let client = client(&server.uri());

    // InvalidRequest: a path parameter, a header, a missing setting.
    errors.push(("path", client.get_badge("..").send().await.unwrap_err()));
    errors.push((
        "header",
        client
            .get_badge("b1")
            .account_id(format!("x\r\nAuthorization: Bearer {TOKEN}"))
            .send()
            .await
            .unwrap_err(),
    ));
    let bare = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .allow_insecure_http(true)
        .build()
        .unwrap();
    errors.push(("setting", bare.list_badges().send().await.unwrap_err()));

    // Connection.
    let refused = self::client(&format!("http://127.0.0.1:{}", closed_port()));
    errors.push((
        "connection",
        refused.get_badge("b1").send().await.unwrap_err(),
    ));

    // Timeout.
    let hanging = RawServer::start(vec![Reply::Hang]);
    let slow = builder(&hanging.base_url())
        .timeout(ms(100))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    errors.push(("timeout", slow.get_badge("b1").send().await.unwrap_err()));

    // Response (documented and undocumented), with the server sending credential headers back.
    let echo = |status: u16| {
        ResponseTemplate::new(status)
            .insert_header("authorization", format!("Bearer {TOKEN}").as_str())
            .insert_header("set-cookie", format!("sid={TOKEN}").as_str())
            .insert_header("www-authenticate", "Bearer realm=\"gtmhub\"")
            .set_body_string("no")
    };
    Mock::given(any())
        .respond_with(echo(401))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    errors.push(("response", client.get_badge("b1").send().await.unwrap_err()));
    server.reset().await;
    Mock::given(any())
        .respond_with(echo(418))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    errors.push((
        "unexpected",
        client.get_badge("b1").send().await.unwrap_err(),
    ));

    // RateLimited.
    server.reset().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "9999")
                .insert_header("set-cookie", format!("sid={TOKEN}").as_str()),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    errors.push((
        "rate limited",
        client.get_badge("b1").send().await.unwrap_err(),
    ));

    // InvalidBody, every kind but Utf8 (which no JSON operation can produce).
    for (what, template) in [
        (
            "malformed",
            ResponseTemplate::new(200).set_body_raw("{", "application/json"),
        ),
        (
            "content type",
            ResponseTemplate::new(200).set_body_raw("<html/>", "text/html"),
        ),
        (
            "empty",
            ResponseTemplate::new(200).set_body_raw("", "application/json"),
        ),
    ] {
        server.reset().await;
        Mock::given(any())
            .respond_with(template.insert_header("set-cookie", format!("sid={TOKEN}").as_str()))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        errors.push((what, client.get_badge("b1").send().await.unwrap_err()));
    }
    let mut cut =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 99\r\n\r\n{"
            .to_vec();
    cut.extend_from_slice(b"\"a\"");
    let cutting = RawServer::start(vec![Reply::Send(cut)]);
    let cut_client = builder(&cutting.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    errors.push((
        "incomplete",
        cut_client.get_badge("b1").send().await.unwrap_err(),
    ));

    // BodyTooLarge.
    server.reset().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", format!("sid={TOKEN}").as_str())
                .set_body_json(json!({"name": "x".repeat(100)})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let capped = builder(&server.uri())
        .max_response_bytes(10)
        .build()
        .unwrap();
    errors.push((
        "too large",
        capped.get_badge("b1").send().await.unwrap_err(),
    ));

    // Pagination.
    server.reset().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"items": [{"id": "u1"}], "totalCount": 9})),
        )
        .mount(&server)
        .await;
    #[allow(deprecated)]
    let stream = client.get_users().take(1).stream();
    let items: Vec<_> = stream.take(5).collect().await;
    let pagination = items
        .into_iter()
        .find_map(Result::err)
        .expect("a pagination error");
    errors.push(("pagination", pagination));

    let kinds: Vec<&str> = errors
        .iter()
        .map(|(_, e)| match e {
            Error::InvalidRequest { .. } => "InvalidRequest",
            Error::Timeout { .. } => "Timeout",
            Error::Connection { .. } => "Connection",
            Error::RateLimited { .. } => "RateLimited",
            Error::Response(_) => "Response",
            Error::InvalidBody { .. } => "InvalidBody",
            Error::BodyTooLarge { .. } => "BodyTooLarge",
            Error::Pagination { .. } => "Pagination",
            _ => "other",
        })
        .collect();
    for kind in [
        "InvalidRequest",
        "Timeout",
        "Connection",
        "RateLimited",
        "Response",
        "InvalidBody",
        "BodyTooLarge",
        "Pagination",
    ] {
        assert!(
            kinds.contains(&kind),
            "no {kind} error was produced: {kinds:?}"
        );
    }
    for (what, error) in &errors {
        assert_error_hidden(what, error, TOKEN);
        if let Some(response) = error.response() {
            let shown = format!("{response:?}");
            assert_hidden(what, shown.clone(), TOKEN);
            assert!(!shown.contains("sid="), "{what}: {shown}");
        }
    }
}

/// A redirect to another origin must not carry the token there.
#[tokio::test]
async fn a_redirect_to_another_origin_does_not_carry_the_token() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "Gold"})))
        .expect(1)
        .mount(&elsewhere)
        .await;
    Mock::given(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let origin = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header(
            "location",
            format!("{}/badges/b1", elsewhere.uri()).as_str(),
        ))
        .expect(1)
        .mount(&origin)
        .await;
    let badge = client(&origin.uri()).get_badge("b1").send().await.unwrap();
    assert_eq!(badge.name.as_deref(), Some("Gold"));
    let seen = elsewhere.received_requests().await.unwrap();
    assert!(
        seen.iter()
            .all(|r| !r.headers.contains_key("authorization"))
    );
    let seen = origin.received_requests().await.unwrap();
    assert_eq!(seen[0].headers["authorization"], format!("Bearer {TOKEN}"));
}

// ---------------------------------------------------------------------------------------------
// Path parameters.
// ---------------------------------------------------------------------------------------------

type PathCall = fn(Client, String) -> BoxFuture<'static, Result<(), Error>>;

/// Every path parameter of every operation: (operation, parameter, method, path with `{}` where
/// the value goes, call).
#[allow(deprecated)]
fn path_calls() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    PathCall,
)> {
    vec![
        (
            "getAnnouncement",
            "id",
            "GET",
            "/announcements/{}",
            |c, v| async move { c.get_announcement(v).send().await.map(drop) }.boxed(),
        ),
        (
            "deleteAnnouncement",
            "id",
            "DELETE",
            "/announcements/{}",
            |c, v| async move { c.delete_announcement(v).send().await.map(drop) }.boxed(),
        ),
        (
            "updateAnnouncement",
            "id",
            "PATCH",
            "/announcements/{}",
            |c, v| {
                async move {
                    c.update_announcement(v, types::AnnouncementPatchRequest::default())
                        .send()
                        .await
                        .map(drop)
                }
                .boxed()
            },
        ),
        (
            "deleteAnnouncementReaction",
            "id",
            "DELETE",
            "/announcements/{}/react",
            |c, v| async move { c.delete_announcement_reaction(v).send().await.map(drop) }.boxed(),
        ),
        (
            "listMetricsByOwner",
            "ownerId",
            "GET",
            "/metrics/owner/{}",
            |c, v| async move { c.list_metrics_by_owner(v).send().await.map(drop) }.boxed(),
        ),
        (
            "getPasswordPolicy",
            "clientId",
            "GET",
            "/users/password/{}/policy",
            |c, v| async move { c.get_password_policy(v).send().await.map(drop) }.boxed(),
        ),
        ("updateGoal", "goalId", "PUT", "/goals/{}", |c, v| {
            async move {
                c.update_goal(v, types::GoalRequest::default())
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        (
            "updateGoalConfidence",
            "goalId",
            "PUT",
            "/goals/{}/confidence",
            |c, v| {
                async move {
                    c.update_goal_confidence(v, types::GoalConfidenceRequest::default())
                        .send()
                        .await
                        .map(drop)
                }
                .boxed()
            },
        ),
        (
            "listBadgeAssignees",
            "id",
            "GET",
            "/badges/assign/{}",
            |c, v| async move { c.list_badge_assignees(v).send().await.map(drop) }.boxed(),
        ),
        ("getBadge", "id", "GET", "/badges/{}", |c, v| {
            async move { c.get_badge(v).send().await.map(drop) }.boxed()
        }),
        ("deleteBadge", "id", "DELETE", "/badges/{}", |c, v| {
            async move { c.delete_badge(v).send().await.map(drop) }.boxed()
        }),
        ("updateBadge", "id", "PATCH", "/badges/{}", |c, v| {
            async move {
                c.update_badge(v, types::BadgeRequest::default())
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        (
            "approveBadgeAssignment",
            "id",
            "POST",
            "/badges/approve/{}",
            |c, v| async move { c.approve_badge_assignment(v).send().await.map(drop) }.boxed(),
        ),
        (
            "rejectBadgeAssignment",
            "id",
            "DELETE",
            "/badges/approve/{}",
            |c, v| async move { c.reject_badge_assignment(v).send().await.map(drop) }.boxed(),
        ),
        (
            "unassignBadge",
            "assigneeId",
            "DELETE",
            "/badges/assign/{}/assign-1",
            |c, v| async move { c.unassign_badge(v, "assign-1").send().await.map(drop) }.boxed(),
        ),
        (
            "unassignBadge",
            "badgeAssignId",
            "DELETE",
            "/badges/assign/user-1/{}",
            |c, v| async move { c.unassign_badge("user-1", v).send().await.map(drop) }.boxed(),
        ),
    ]
}

#[test]
fn every_path_parameter_of_the_spec_is_covered() {
    let spec = gtmhub_tests::SpecDoc::load();
    let mut in_spec = Vec::new();
    for operation in spec.operations() {
        let parameters = operation.operation["parameters"].as_array().cloned();
        for parameter in parameters.unwrap_or_default() {
            let parameter = spec.resolve(&parameter);
            if parameter["in"] == "path" {
                let name = parameter["name"].as_str().unwrap().to_owned();
                in_spec.push((operation.id().to_owned(), name));
            }
        }
    }
    let mut covered: Vec<(String, String)> = path_calls()
        .iter()
        .map(|(op, name, ..)| ((*op).to_owned(), (*name).to_owned()))
        .collect();
    in_spec.sort();
    covered.sort();
    assert_eq!(covered, in_spec);
}

/// Values that are, or decode (once or repeatedly) to, an empty or dot segment, or that contain
/// a dot segment between slashes or backslashes.
const ESCAPING: &[&str] = &[
    "",
    ".",
    "..",
    "%2e",
    "%2E",
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "%2e.",
    "%252e",
    "%252e%252E",
    "%25252e%25252e",
    "../admin",
    "..%2fadmin",
    "%2e%2e%2fadmin",
    "%2E%2E%2Fadmin",
    "a/../b",
    "a/..",
    "a/./b",
    "./a",
    "..\\admin",
    "%2e%2e%5cadmin",
    "a%2f..%2fb",
];

#[tokio::test]
async fn dot_segments_and_empty_values_are_rejected_before_sending_for_every_path_parameter() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    for (op, name, _, _, call) in path_calls() {
        for value in ESCAPING {
            match call(client.clone(), (*value).to_owned()).await {
                Err(Error::InvalidRequest { operation, message }) => {
                    assert_eq!(operation, op, "{value:?}");
                    assert!(
                        message.contains(&format!("`{name}`")),
                        "{op} {value:?}: {message}"
                    );
                }
                other => panic!("{op}.{name} accepted {value:?}: {other:?}"),
            }
        }
    }
}

/// Ordinary values: (value, how it must appear as one raw path segment).
const ENCODED: &[(&str, &str)] = &[
    ("5be26318e5274a0007f17f61", "5be26318e5274a0007f17f61"),
    ("a b", "a%20b"),
    ("a/b", "a%2Fb"),
    ("a?b=c", "a%3Fb%3Dc"),
    ("a#frag", "a%23frag"),
    ("a&b;c", "a%26b%3Bc"),
    ("a+b", "a%2Bb"),
    ("100%", "100%25"),
    ("a%2Fb", "a%252Fb"),
    ("a\\b", "a%5Cb"),
    ("a\r\nb", "a%0D%0Ab"),
    ("é日本", "%C3%A9%E6%97%A5%E6%9C%AC"),
    ("...", "..."),
    (".hidden", ".hidden"),
    ("-._~", "-._~"),
];

#[tokio::test]
async fn ordinary_values_are_sent_as_exactly_one_percent_encoded_segment() {
    let server = RawServer::start(vec![Reply::Send(response(
        "200 OK",
        &[("content-type", "application/json")],
        b"{}",
    ))]);
    let client = client(&server.base_url());
    for (op, name, method, template, call) in path_calls() {
        for (value, encoded) in ENCODED {
            let before = server.requests().len();
            // The result depends on the operation's response type; only the request matters.
            let _ = call(client.clone(), (*value).to_owned()).await;
            let lines = server.request_lines();
            assert_eq!(
                lines.len(),
                before + 1,
                "{op}.{name} {value:?}: one request"
            );
            let expected = format!(
                "{method} /api/v1{} HTTP/1.1",
                template.replace("{}", encoded)
            );
            assert_eq!(lines[before], expected, "{op}.{name} {value:?}");
        }
    }
}

#[tokio::test]
async fn query_values_are_percent_encoded_and_cannot_add_parameters() {
    let server = RawServer::start(vec![Reply::Send(response(
        "200 OK",
        &[("content-type", "application/json")],
        b"{}",
    ))]);
    let client = client(&server.base_url());
    #[allow(deprecated)]
    let call = client
        .get_users()
        .filter("name:a&skip=999\r\nX-Evil: 1#x")
        .send();
    call.await.unwrap();
    let lines = server.request_lines();
    assert_eq!(
        lines[0],
        // RFC 6570 form-style expansion, as OpenAPI specifies it: every reserved character and
        // the space are percent-encoded.
        "GET /api/v1/accounts/users?filter=name%3Aa%26skip%3D999%0D%0AX-Evil%3A%201%23x HTTP/1.1"
    );
    assert!(
        !server.requests()[0]
            .to_ascii_lowercase()
            .contains("x-evil:")
    );
}

// ---------------------------------------------------------------------------------------------
// Header values.
// ---------------------------------------------------------------------------------------------

const INJECTIONS: &[&str] = &[
    "acct\r\nX-Evil: 1",
    "acct\nX-Evil: 1",
    "acct\rX-Evil: 1",
    "acct\0",
    "\r\n",
];

#[test]
fn an_account_id_with_cr_or_lf_is_rejected_when_building() {
    for value in INJECTIONS {
        let error = Client::builder()
            .token(TOKEN)
            .account_id(*value)
            .build()
            .unwrap_err();
        let BuildError::InvalidSetting { key, reason } = &error else {
            panic!("{value:?}: {error:?}");
        };
        assert_eq!(*key, "accountId");
        assert!(reason.contains("gtmhub-accountId"), "{reason}");
        assert!(!error.to_string().contains("X-Evil"), "{error}");
    }
}

#[test]
fn a_user_agent_with_cr_or_lf_is_rejected_when_building() {
    for value in INJECTIONS {
        let error = Client::builder()
            .token(TOKEN)
            .user_agent(*value)
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::Http(_)), "{value:?}: {error:?}");
        assert_error_hidden("user agent", &error, TOKEN);
    }
}

type HeaderCall = fn(Client, String) -> BoxFuture<'static, Result<(), Error>>;

/// Every operation with an account header, called with a per-call override.
#[allow(deprecated)]
fn account_override_calls() -> Vec<(&'static str, HeaderCall)> {
    vec![
        ("getUsers", |c, a| {
            async move { c.get_users().account_id(a).send().await.map(drop) }.boxed()
        }),
        ("listAnnouncements", |c, a| {
            async move { c.list_announcements().account_id(a).send().await.map(drop) }.boxed()
        }),
        ("createAnnouncement", |c, a| {
            async move {
                c.create_announcement(types::AnnouncementRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("getAnnouncement", |c, a| {
            async move { c.get_announcement("x").account_id(a).send().await.map(drop) }.boxed()
        }),
        ("deleteAnnouncement", |c, a| {
            async move {
                c.delete_announcement("x")
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("updateAnnouncement", |c, a| {
            async move {
                c.update_announcement("x", types::AnnouncementPatchRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("listMetricsByOwner", |c, a| {
            async move {
                c.list_metrics_by_owner("x")
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("createUser", |c, a| {
            async move {
                c.create_user(types::UserRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("updateGoal", |c, a| {
            async move {
                c.update_goal("x", types::GoalRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("updateGoalConfidence", |c, a| {
            async move {
                c.update_goal_confidence("x", types::GoalConfidenceRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("updateUserSettings", |c, a| {
            async move {
                c.update_user_settings()
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("deleteAnnouncementReaction", |c, a| {
            async move {
                c.delete_announcement_reaction("x")
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("listBadges", |c, a| {
            async move { c.list_badges().account_id(a).send().await.map(drop) }.boxed()
        }),
        ("createBadge", |c, a| {
            async move {
                c.create_badge(types::BadgeRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("listPendingBadgeAssignments", |c, a| {
            async move {
                c.list_pending_badge_assignments()
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("listAssignedBadges", |c, a| {
            async move {
                c.list_assigned_badges()
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("assignBadge", |c, a| {
            async move {
                c.assign_badge(types::AssignBadgeRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("listBadgeAssignees", |c, a| {
            async move {
                c.list_badge_assignees("x")
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("listCurrentUserBadges", |c, a| {
            async move {
                c.list_current_user_badges()
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("getBadge", |c, a| {
            async move { c.get_badge("x").account_id(a).send().await.map(drop) }.boxed()
        }),
        ("deleteBadge", |c, a| {
            async move { c.delete_badge("x").account_id(a).send().await.map(drop) }.boxed()
        }),
        ("updateBadge", |c, a| {
            async move {
                c.update_badge("x", types::BadgeRequest::default())
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("approveBadgeAssignment", |c, a| {
            async move {
                c.approve_badge_assignment("x")
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("rejectBadgeAssignment", |c, a| {
            async move {
                c.reject_badge_assignment("x")
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
        ("unassignBadge", |c, a| {
            async move {
                c.unassign_badge("x", "y")
                    .account_id(a)
                    .send()
                    .await
                    .map(drop)
            }
            .boxed()
        }),
    ]
}

#[test]
fn every_operation_with_an_account_header_is_covered() {
    let spec = gtmhub_tests::SpecDoc::load();
    let mut in_spec: Vec<String> = spec
        .operations()
        .iter()
        .filter(|op| {
            op.operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| spec.resolve(p)["name"] == "gtmhub-accountId")
        })
        .map(|op| op.id().to_owned())
        .collect();
    let mut covered: Vec<String> = account_override_calls()
        .iter()
        .map(|(op, _)| (*op).to_owned())
        .collect();
    in_spec.sort();
    covered.sort();
    assert_eq!(covered, in_spec);
}

#[tokio::test]
async fn a_per_call_account_id_with_cr_or_lf_is_rejected_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    for (op, call) in account_override_calls() {
        for value in INJECTIONS {
            match call(client.clone(), (*value).to_owned()).await {
                Err(Error::InvalidRequest { operation, message }) => {
                    assert_eq!(operation, op);
                    // Header names are case-insensitive; the message spells them in lower case.
                    assert!(
                        message.to_ascii_lowercase().contains("gtmhub-accountid"),
                        "{op}: {message}"
                    );
                    assert!(!message.contains("X-Evil"), "{op}: {message}");
                }
                other => panic!("{op} accepted {value:?}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
#[allow(deprecated)]
async fn additional_params_with_cr_or_lf_are_rejected_before_sending() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server.uri());
    for value in INJECTIONS {
        let error = client
            .create_user(types::UserRequest::default())
            .gtmhub_additional_params(*value)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest { operation: "createUser", message } if message.contains("gtmhub-additional-params")),
            "{error:?}"
        );
        let error = client
            .update_user_settings()
            .gtmhub_additional_params(*value)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest { operation: "updateUserSettings", message } if message.contains("gtmhub-additional-params")),
            "{error:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// https by default.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_default_base_url_is_the_https_api_and_is_never_contacted() {
    // Building does not connect; no test calls an operation on this client.
    let client = Client::builder().token(TOKEN).build().unwrap();
    assert_eq!(client.base_url(), "https://app.gtmhub.com/api/v1");
    assert_eq!(client.base_url(), gtmhub::DEFAULT_BASE_URL);
    assert!(client.base_url().starts_with("https://"));
}

#[test]
fn plain_http_needs_an_explicit_opt_in() {
    for url in [
        "http://127.0.0.1:9/api/v1",
        "HTTP://localhost/api",
        "http://example.test",
    ] {
        let error = Client::builder()
            .token(TOKEN)
            .base_url(url)
            .build()
            .unwrap_err();
        assert!(
            matches!(error, BuildError::InsecureBaseUrl { .. }),
            "{url}: {error:?}"
        );
        assert!(error.to_string().contains("allow_insecure_http"), "{error}");
        let error = Client::builder()
            .token(TOKEN)
            .base_url(url)
            .allow_insecure_http(false)
            .build()
            .unwrap_err();
        assert!(matches!(error, BuildError::InsecureBaseUrl { .. }), "{url}");
        let client = Client::builder()
            .token(TOKEN)
            .base_url(url)
            .allow_insecure_http(true)
            .build()
            .unwrap();
        assert!(
            client
                .base_url()
                .to_ascii_lowercase()
                .starts_with("http://")
        );
    }
    for url in [
        "ftp://example.test/api",
        "file:///etc/passwd",
        "ws://example.test",
    ] {
        let error = Client::builder()
            .token(TOKEN)
            .base_url(url)
            .allow_insecure_http(true)
            .build()
            .unwrap_err();
        assert!(
            matches!(error, BuildError::InvalidBaseUrl { .. }),
            "{url}: {error:?}"
        );
    }
    let https = Client::builder()
        .token(TOKEN)
        .base_url("https://gtmhub.example.test/api/v1/")
        .build()
        .unwrap();
    assert_eq!(https.base_url(), "https://gtmhub.example.test/api/v1");
}

/// Without the opt-in a plain-http server cannot even be configured; with it, the client talks
/// to the loopback server.
#[tokio::test]
async fn the_opt_in_client_talks_plain_http_on_loopback_only_when_allowed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "Gold"})))
        .expect(1)
        .mount(&server)
        .await;
    assert!(
        Client::builder()
            .token(TOKEN)
            .account_id(ACCOUNT)
            .base_url(server.uri())
            .build()
            .is_err()
    );
    let badge = client(&server.uri()).get_badge("b1").send().await.unwrap();
    assert_eq!(badge.name.as_deref(), Some("Gold"));
}
