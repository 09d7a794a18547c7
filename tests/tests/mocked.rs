//! The published spec served by a stock mock server, as a front-end team would use it before
//! the backend exists: the pinned Prism (npm, `package.json`) serves `spec/gtmhub.yaml` on
//! 127.0.0.1, and the generated client calls all 26 operations through it. Prism validates
//! every request against the spec (so the client's requests must be valid too) and answers
//! with the document's examples, which must decode into the generated types unchanged; then,
//! with `--dynamic`, with bodies generated from the schemas, which must decode as well.

use std::time::Duration;

use gtmhub::types;
use gtmhub::{Client, Error, ResponseValue, RetryPolicy};
use gtmhub_tests::{SpecDoc, json_difference, repo_root, request_example, response_example};
use serde_json::Value;
use xtask::tools;

/// How long Prism may take to start (it compiles the document first).
const STARTUP: Duration = Duration::from_secs(120);

/// A running Prism and a client pointed at it.
struct Mock {
    client: Client,
    _prism: tools::Background,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

fn start(dynamic: bool) -> Mock {
    let root = repo_root();
    {
        // The two tests start at once; one `npm ci` at a time.
        static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _once = INSTALL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tools::ensure_node_tools(&root).expect("the pinned Node tools install");
    }
    let port = free_port();
    let mut command = tools::prism(&root, &root.join(xtask::SPEC_PATH), port, dynamic);
    let mut prism = tools::Background::start(&mut command, "prism").expect("prism starts");
    prism
        .wait_for_port(port, STARTUP)
        .unwrap_or_else(|error| panic!("{error:#}"));
    let client = Client::builder()
        .token("prism-token")
        .account_id("5be26318e5274a0007f17f61")
        .base_url(format!("http://127.0.0.1:{port}"))
        .allow_insecure_http(true)
        .timeout(Duration::from_secs(30))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("a client");
    Mock {
        client,
        _prism: prism,
    }
}

/// What one call brought back: the operation, and the decoded body as JSON (`None` for an
/// operation without a JSON body).
type Outcome = (&'static str, Option<Value>);

fn body<T: serde::Serialize>(
    op: &'static str,
    result: Result<ResponseValue<T>, Error>,
    prism: &tools::Background,
) -> Outcome {
    match result {
        Ok(value) => (
            op,
            Some(serde_json::to_value(value.into_inner()).expect("encodes")),
        ),
        Err(error) => panic!("{op}: {error} ({error:?})\nprism said:\n{}", prism.output()),
    }
}

fn request<T: serde::de::DeserializeOwned>(op: &str) -> T {
    serde_json::from_value(request_example(op)).expect("the request example decodes")
}

/// Calls every operation of the spec once, with the spec's request examples as bodies.
#[allow(deprecated)]
async fn call_all(mock: &Mock) -> Vec<Outcome> {
    let c = &mock.client;
    let p = &mock._prism;
    let id = "5be26318e5274a0007f17f61";
    vec![
        body("getUsers", c.get_users().skip(0).take(2).send().await, p),
        body("listAnnouncements", c.list_announcements().send().await, p),
        body("getAnnouncement", c.get_announcement(id).send().await, p),
        body(
            "createAnnouncement",
            c.create_announcement(request::<types::AnnouncementRequest>("createAnnouncement"))
                .send()
                .await,
            p,
        ),
        body(
            "updateAnnouncement",
            c.update_announcement(id, request("updateAnnouncement"))
                .send()
                .await,
            p,
        ),
        body(
            "deleteAnnouncement",
            c.delete_announcement(id).send().await,
            p,
        ),
        body(
            "deleteAnnouncementReaction",
            c.delete_announcement_reaction(id).send().await,
            p,
        ),
        body(
            "listMetricsByOwner",
            c.list_metrics_by_owner(id).send().await,
            p,
        ),
        body(
            "getPasswordPolicy",
            c.get_password_policy("client-1").send().await,
            p,
        ),
        body(
            "createUser",
            c.create_user(request("createUser")).send().await,
            p,
        ),
        body(
            "updateGoal",
            c.update_goal(id, request("updateGoal")).send().await,
            p,
        ),
        body(
            "updateGoalConfidence",
            c.update_goal_confidence(id, request("updateGoalConfidence"))
                .send()
                .await,
            p,
        ),
        body(
            "updateUserSettings",
            c.update_user_settings().send().await,
            p,
        ),
        body("listBadges", c.list_badges().send().await, p),
        body(
            "createBadge",
            c.create_badge(request("createBadge")).send().await,
            p,
        ),
        body(
            "listPendingBadgeAssignments",
            c.list_pending_badge_assignments().send().await,
            p,
        ),
        body(
            "listAssignedBadges",
            c.list_assigned_badges().send().await,
            p,
        ),
        body(
            "assignBadge",
            c.assign_badge(request("assignBadge")).send().await,
            p,
        ),
        body(
            "listBadgeAssignees",
            c.list_badge_assignees(id).send().await,
            p,
        ),
        body(
            "listCurrentUserBadges",
            c.list_current_user_badges().send().await,
            p,
        ),
        body("getBadge", c.get_badge(id).send().await, p),
        body(
            "updateBadge",
            c.update_badge(id, request("updateBadge")).send().await,
            p,
        ),
        body("deleteBadge", c.delete_badge(id).send().await, p),
        body(
            "approveBadgeAssignment",
            c.approve_badge_assignment(id).send().await,
            p,
        ),
        body(
            "rejectBadgeAssignment",
            c.reject_badge_assignment(id).send().await,
            p,
        ),
        body("unassignBadge", c.unassign_badge(id, id).send().await, p),
    ]
}

/// The operations whose success response has a JSON example in the spec.
fn operations_with_examples() -> Vec<String> {
    let spec = SpecDoc::load();
    spec.operations()
        .into_iter()
        .filter(|op| {
            gtmhub_tests::media_object(&spec, op, "response")
                .is_some_and(|media| media.get("example").is_some())
        })
        .map(|op| op.id().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_its_example_from_a_stock_mock_server() {
    let mock = start(false);
    let outcomes = call_all(&mock).await;
    assert_eq!(outcomes.len(), SpecDoc::load().operations().len());
    let with_examples = operations_with_examples();
    assert_eq!(with_examples.len(), 18, "{with_examples:?}");
    for (op, decoded) in &outcomes {
        if with_examples.iter().any(|id| id == op) {
            let decoded = decoded.as_ref().expect("a JSON body");
            let example = response_example(op);
            if let Some(pointer) = json_difference(decoded, &example, "") {
                panic!("{op}: what the client decoded differs from the example at {pointer:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_bodies_generated_from_the_schemas() {
    let mock = start(true);
    // Generated bodies differ from call to call; three rounds try more of them.
    for _ in 0..3 {
        let outcomes = call_all(&mock).await;
        assert_eq!(outcomes.len(), 26);
    }
}
