//! Decoding benchmarks: a 10,000-user `usersResponse` decoded into the generated types, against
//! the same structs written by hand and against `serde_json::Value`, with throughput and the
//! peak memory of one decode relative to the JSON's size. The same response is also fetched
//! from a local server through the generated client and through a hand-written reqwest call,
//! which adds the cost of reading the body (its copies and its buffer's peak memory).
//!
//! Run with `cargo bench -p gtmhub-tests --bench decode`. The run ends with a summary of medians,
//! MB/s, ratios against the same-run baselines and peak memory (see BENCHMARKS.md).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use criterion::{Criterion, SamplingMode, Throughput};
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// The number of users in the synthetic response.
const USERS: usize = 10_000;
/// The page's `getUsers` sample: one user.
const SAMPLE: &str = include_str!("../fixtures/pages/getUsers.response.json");

// -------------------------------------------------------------------------------------------
// Peak memory: a counting allocator around the system allocator.
// -------------------------------------------------------------------------------------------

/// Counts live heap bytes and remembers the highest count since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn add(size: usize) {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }

    fn sub(size: usize) {
        LIVE.fetch_sub(size, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to `System` unchanged; only the byte counts are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            Self::add(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: `pointer` was allocated by `System` with `layout`, as the caller guarantees.
        unsafe { System.dealloc(pointer, layout) };
        Self::sub(layout.size());
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            Self::add(layout.size());
        }
        pointer
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc` and `dealloc`; the block moves or grows inside `System`.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            Self::add(new_size);
            Self::sub(layout.size());
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `decode` once and returns the highest number of heap bytes it held at any moment
/// (its input excluded) and the bytes still held by its result.
fn peak_and_retained<T>(decode: impl FnOnce() -> T) -> (usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let value = decode();
    let retained = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    drop(black_box(value));
    (peak, retained)
}

// -------------------------------------------------------------------------------------------
// The input.
// -------------------------------------------------------------------------------------------

/// The page sample with its placeholder strings replaced by values of the schema's shape: the
/// page prints `"IsActiveFlag"` for a tag's `isActive` object and `"DashboardItemSetting"` for a
/// dashboard setting object.
fn valid_user() -> Value {
    let mut sample: Value = serde_json::from_str(SAMPLE).expect("the fixture is JSON");
    let mut user = sample["items"][0].take();
    for role in user["roles"].as_array_mut().expect("roles") {
        for tag in role["team"]["tags"].as_array_mut().expect("tags") {
            tag["isActive"] = json!({ "IsActive": false });
        }
    }
    for dashboard in user["userSettings"]["dashboardSettings"]
        .as_array_mut()
        .expect("dashboards")
    {
        dashboard["settings"] = json!([{
            "dynamicValues": [{ "teamId": "string value", "type": "string value" }],
            "name": "string value",
            "value": "string value",
            "valueDisplayName": "string value",
            "valueDisplayNameAsArray": ["string value 1", "string value 2"],
        }]);
    }
    user
}

/// A `usersResponse` with `USERS` users, each with its own id, email and name, as compact JSON.
fn users_json() -> Vec<u8> {
    let template = valid_user();
    let items: Vec<Value> = (0..USERS)
        .map(|i| {
            let mut user = template.clone();
            user["id"] = json!(format!("5be26318e5274a{i:010}"));
            user["email"] = json!(format!("user{i}@example.com"));
            user["firstName"] = json!(format!("First{i}"));
            user["lastName"] = json!(format!("Last{i}"));
            user
        })
        .collect();
    serde_json::to_vec(&json!({ "items": items, "totalCount": USERS })).expect("serializes")
}

/// Removes `null` object members and writes every number as a float, so a struct serialized
/// with its `None`s and `f64`s compares equal to the JSON it was decoded from.
fn normalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, member| !member.is_null());
            map.values_mut().for_each(normalize);
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Number(number) => {
            *value = json!(number.as_f64().expect("finite"));
        }
        _ => {}
    }
}

/// Checks that both typed decodings keep every member of the input, so the benchmark compares
/// decoders that do the same work.
fn check_equivalent(bytes: &[u8]) {
    let mut original: Value = serde_json::from_slice(bytes).expect("JSON");
    normalize(&mut original);
    let generated: gtmhub::types::UsersResponse =
        serde_json::from_slice(bytes).expect("the generated types accept the input");
    let hand: hand::UsersResponse =
        serde_json::from_slice(bytes).expect("the hand-written types accept the input");
    let mut generated = serde_json::to_value(&generated).expect("serializes");
    let mut hand = serde_json::to_value(&hand).expect("serializes");
    normalize(&mut generated);
    normalize(&mut hand);
    assert!(
        generated == original,
        "the generated types drop or change members of the input"
    );
    assert!(
        hand == original,
        "the hand-written types drop or change members of the input"
    );
}

// -------------------------------------------------------------------------------------------
// The hand-written baseline: the structs one would write from the page, Option everywhere.
// -------------------------------------------------------------------------------------------

mod hand {
    //! Hand-written equivalents of the generated `usersResponse` types.

    use serde::{Deserialize, Serialize};
    use serde_json::{Map, Value};

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct UsersResponse {
        pub items: Option<Vec<User>>,
        pub total_count: Option<f64>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct User {
        pub account_domain: Option<String>,
        pub account_id: Option<String>,
        pub account_name: Option<String>,
        pub client_id: Option<String>,
        pub created_by_id: Option<String>,
        pub date_created: Option<String>,
        pub date_invited: Option<String>,
        pub email: Option<String>,
        pub first_name: Option<String>,
        pub id: Option<String>,
        pub identities: Option<Identities>,
        pub invited_by: Option<String>,
        pub is_active: Option<bool>,
        pub is_primary: Option<bool>,
        #[serde(rename = "isSSOBased")]
        pub is_sso_based: Option<bool>,
        pub is_switched: Option<bool>,
        pub language: Option<String>,
        pub last_name: Option<String>,
        pub name: Option<String>,
        pub notification_settings: Option<NotificationSettings>,
        pub permissions: Option<Vec<String>>,
        pub picture: Option<String>,
        pub picture_info: Option<PictureInfo>,
        pub roles: Option<Vec<Role>>,
        pub settings: Option<String>,
        pub subscription_type: Option<String>,
        pub team_ids: Option<Vec<String>>,
        pub user_settings: Option<UserSettings>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Identities {
        pub items: Option<Vec<Identity>>,
        pub total_count: Option<f64>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Identity {
        pub client_id: Option<String>,
        pub connection: Option<String>,
        pub is_social: Option<bool>,
        pub name: Option<String>,
        pub provider: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct NotificationSettings {
        pub subjects_opted_out: Option<Vec<String>>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct PictureInfo {
        pub can_edit_picture: Option<bool>,
        pub is_active: Option<bool>,
        pub is_picture_edited: Option<bool>,
        #[serde(rename = "isSSOBased")]
        pub is_sso_based: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Role {
        pub account_id: Option<String>,
        pub description: Option<String>,
        pub id: Option<String>,
        pub name: Option<String>,
        pub team: Option<Team>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Team {
        #[serde(rename = "ExternalTeamMapping")]
        pub external_team_mapping: Option<ExternalTeamMapping>,
        pub account_id: Option<String>,
        pub avatar: Option<String>,
        pub color: Option<String>,
        pub created_by_id: Option<String>,
        pub date_created: Option<String>,
        pub description: Option<String>,
        pub dynamic_metric_count: Option<f64>,
        pub id: Option<String>,
        pub manager: Option<String>,
        pub manual_metric_count: Option<f64>,
        pub members: Option<Vec<String>>,
        pub members_goal_count: Option<f64>,
        pub mentions: Option<Map<String, Value>>,
        pub modified_by_id: Option<String>,
        pub moved_external_members: Option<Vec<String>>,
        pub name: Option<String>,
        pub parent_id: Option<String>,
        pub picture: Option<String>,
        pub rich_text_description: Option<String>,
        pub tags: Option<Vec<Tag>>,
        pub team_goal_count: Option<f64>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ExternalTeamMapping {
        pub external_id: Option<String>,
        pub external_system: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Tag {
        pub id: Option<String>,
        pub is_active: Option<IsActiveFlag>,
        pub name: Option<String>,
        pub title: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct IsActiveFlag {
        pub is_active: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct UserSettings {
        pub alignment_tree_filter: Option<AlignmentTreeFilter>,
        pub alignment_tree_mode: Option<String>,
        pub checklist: Option<Checklist>,
        pub collapsed_entities: Option<Vec<String>>,
        pub custom_fields_settings: Option<CustomFieldsSettings>,
        pub dashboard_settings: Option<Vec<Dashboard>>,
        pub email_verified: Option<bool>,
        pub favs: Option<Vec<Fav>>,
        pub goals_grid: Option<Vec<GoalsGridColumn>>,
        pub goals_tree_mode: Option<String>,
        pub home_collapsed_items: Option<HomeCollapsedItems>,
        pub home_screen: Option<String>,
        pub insight_template_suggestions: Option<InsightTemplateSuggestions>,
        pub insightboard_params: Option<Map<String, Value>>,
        pub kpi_virtual_groups: Option<KpiVirtualGroups>,
        pub kpis: Option<Kpis>,
        pub left_nav_items: Option<LeftNavItems>,
        pub list_filters: Option<Vec<String>>,
        pub list_ids: Option<Vec<String>>,
        pub onboarding_metadata: Option<Map<String, Value>>,
        pub profiles_settings: Option<ProfilesSettings>,
        pub resizable_grid_columns: Option<Vec<ResizableGridColumn>>,
        pub sessions_ids: Option<Vec<SessionsIds>>,
        pub show_archived_sessions: Option<bool>,
        pub snippets: Option<Vec<Snippet>>,
        pub surveys: Option<Surveys>,
        pub task_order: Option<String>,
        pub task_view: Option<String>,
        pub teams_view: Option<String>,
        pub theme: Option<String>,
        pub tree_view_order: Option<TreeViewOrder>,
        pub use_drag_mode: Option<bool>,
        pub use_scrollbars: Option<bool>,
        pub verification_email_sent: Option<bool>,
        pub whiteboards: Option<Whiteboards>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct AlignmentTreeFilter {
        pub owner_ids: Option<String>,
        pub tags: Option<String>,
        pub team_ids: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Checklist {
        pub opt_out: Option<bool>,
        pub show_cards: Option<ShowCards>,
        #[serde(rename = "stepsV1")]
        pub steps_v1: Option<StepsV1>,
        #[serde(rename = "stepsV1Completed")]
        pub steps_v1_completed: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ShowCards {
        pub invite_teammate: Option<bool>,
        pub visit_demo_account: Option<bool>,
        pub visit_marketplace: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct StepsV1 {
        pub created_okr: Option<bool>,
        pub invited_teammate: Option<bool>,
        pub visited_demo_account: Option<bool>,
        pub visited_marketplace: Option<bool>,
        pub watched_video: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CustomFieldsSettings {
        pub hide_manage_order_banner: Option<bool>,
        pub last_updated: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Dashboard {
        pub dashboard_id: Option<String>,
        pub settings: Option<Vec<DashboardItemSetting>>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct DashboardItemSetting {
        pub dynamic_values: Option<Vec<DynamicValue>>,
        pub name: Option<String>,
        pub value: Option<String>,
        pub value_display_name: Option<String>,
        pub value_display_name_as_array: Option<Vec<String>>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct DynamicValue {
        pub team_id: Option<String>,
        #[serde(rename = "type")]
        pub kind: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct Fav {
        pub id: Option<String>,
        pub name: Option<String>,
        #[serde(rename = "type")]
        pub kind: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct GoalsGridColumn {
        pub field: Option<String>,
        pub is_custom: Option<bool>,
        pub label: Option<String>,
        pub visible: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct HomeCollapsedItems {
        pub my_okrs: Option<bool>,
        pub todo: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct InsightTemplateSuggestions {
        pub dismissed: Option<bool>,
        pub insightboards: Option<Vec<InsightboardSuggestion>>,
        pub tooltip_shown: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct InsightboardSuggestion {
        pub insightboard_id: Option<String>,
        pub link_to_marketplace_dismissed: Option<bool>,
        pub number_of_suggestions_to_show: Option<f64>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct KpiVirtualGroups {
        pub favorites: Option<Vec<String>>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Kpis {
        pub from: Option<String>,
        pub group_by: Option<String>,
        pub to: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct LeftNavItems {
        pub hub: Option<bool>,
        pub insights: Option<bool>,
        pub left_nav_is_closed: Option<bool>,
        pub lists: Option<bool>,
        pub okrs: Option<bool>,
        pub people: Option<bool>,
        pub reports: Option<bool>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ProfilesSettings {
        pub employee_profile_settings: Option<EmployeeProfileSettings>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct EmployeeProfileSettings {
        pub process_session_filter: Option<SessionFilter>,
        pub progress_session_filter: Option<SessionFilter>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SessionFilter {
        pub session_ids: Option<Vec<String>>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ResizableGridColumn {
        pub goal_property: Option<GridColumnProperty>,
        pub metric_property: Option<GridColumnProperty>,
        pub task_property: Option<GridColumnProperty>,
        pub width: Option<f64>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct GridColumnProperty {
        pub property_name: Option<String>,
        #[serde(rename = "type")]
        pub kind: Option<String>,
        pub view_name: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SessionsIds {
        pub linked_session_ids: Option<Vec<String>>,
        pub parent_id: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct Snippet {
        pub code: Option<String>,
        pub language: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct Surveys {
        pub shown: Option<Vec<String>>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct TreeViewOrder {
        pub field: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Serialize, Deserialize)]
    pub struct Whiteboards {
        pub opened: Option<Vec<OpenedWhiteboard>>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct OpenedWhiteboard {
        pub id: Option<String>,
        pub opened_at: Option<String>,
        pub zoom: Option<f64>,
    }
}

// -------------------------------------------------------------------------------------------
// The benchmarks.
// -------------------------------------------------------------------------------------------

fn bench_decode(c: &mut Criterion, bytes: &[u8]) {
    let mut group = c.benchmark_group("decode_users");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    // Each decode takes tens of milliseconds: ten equal samples keep the run short.
    group.sampling_mode(SamplingMode::Flat).sample_size(20);
    group.measurement_time(Duration::from_secs(15));
    // Dropping the result is not part of decoding; `iter_with_large_drop` leaves it out.
    group.bench_function("generated", |b| {
        b.iter_with_large_drop(|| {
            serde_json::from_slice::<gtmhub::types::UsersResponse>(black_box(bytes))
                .expect("decodes")
        });
    });
    group.bench_function("hand_written", |b| {
        b.iter_with_large_drop(|| {
            serde_json::from_slice::<hand::UsersResponse>(black_box(bytes)).expect("decodes")
        });
    });
    group.bench_function("json_value", |b| {
        b.iter_with_large_drop(|| {
            serde_json::from_slice::<Value>(black_box(bytes)).expect("decodes")
        });
    });
    group.finish();
}

// -------------------------------------------------------------------------------------------
// Fetching the same response over HTTP.
// -------------------------------------------------------------------------------------------

/// The response cap the generated client is built with: the 10,000-user body is larger than
/// the default 32 MiB.
const MAX_RESPONSE_BYTES: usize = 256 << 20;

/// Serves the users response to every request, over keep-alive HTTP/1.1, from its own thread
/// and runtime; returns the address.
fn start_server(body: Arc<Vec<u8>>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds 127.0.0.1");
    listener.set_nonblocking(true).expect("non-blocking");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("tokio listener");
            let head = Arc::new(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes(),
            );
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(serve(stream, Arc::clone(&head), Arc::clone(&body)));
            }
        });
    });
    addr
}

/// Answers every request on one connection with the same response until the client closes it.
async fn serve(mut stream: TcpStream, head: Arc<Vec<u8>>, body: Arc<Vec<u8>>) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            match stream.read_buf(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        buffer.drain(..end);
        if stream.write_all(&head).await.is_err() || stream.write_all(&body).await.is_err() {
            return;
        }
    }
}

/// The two ways of fetching the users.
struct Fetchers {
    generated: gtmhub::Client,
    hand: reqwest::Client,
    url: String,
}

impl Fetchers {
    fn new(addr: SocketAddr) -> Self {
        let generated = gtmhub::Client::builder()
            .token("t")
            .account_id("a")
            .base_url(format!("http://{addr}"))
            .allow_insecure_http(true)
            .max_response_bytes(MAX_RESPONSE_BYTES)
            .build()
            .expect("the generated client builds");
        Self {
            generated,
            hand: reqwest::Client::new(),
            url: format!("http://{addr}/accounts/users"),
        }
    }

    async fn generated(&self) -> gtmhub::types::UsersResponse {
        #[allow(
            deprecated,
            reason = "getUsers is the operation that returns usersResponse"
        )]
        let call = self.generated.get_users();
        call.send().await.expect("200").into_inner()
    }

    /// The same request by hand: `bytes()` then `serde_json::from_slice`.
    async fn hand(&self) -> gtmhub::types::UsersResponse {
        let response = self
            .hand
            .get(&self.url)
            .header(AUTHORIZATION, "Bearer t")
            .header("gtmhub-accountId", "a")
            .header(ACCEPT, "application/json")
            .send()
            .await
            .expect("sends");
        let body = response.bytes().await.expect("reads");
        serde_json::from_slice(&body).expect("decodes")
    }
}

fn bench_fetch(c: &mut Criterion, runtime: &Runtime, fetchers: &Fetchers, size: usize) {
    let mut group = c.benchmark_group("fetch_users");
    group.throughput(Throughput::Bytes(size as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(20);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("generated", |b| {
        b.to_async(runtime)
            .iter_with_large_drop(|| fetchers.generated());
    });
    group.bench_function("hand_bytes", |b| {
        b.to_async(runtime).iter_with_large_drop(|| fetchers.hand());
    });
    group.finish();
}

/// Where criterion writes its results, chosen as criterion does but without `cargo metadata`,
/// so this bench can read the medians back.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// The median time in nanoseconds of `group/bench`, if it was measured by this run.
fn median_ns(dir: &Path, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(id).join("new/estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let estimates: Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

/// Prints medians, MB/s, ratios and peak memory for this run.
fn print_summary(dir: &Path, since: SystemTime, bytes: &[u8]) {
    let size = bytes.len() as f64;
    println!(
        "\nDecoding summary: {USERS} users, {:.2} MB of JSON (medians of this run; MB = 10^6 bytes)",
        size / 1e6
    );
    let times: Vec<(&str, Option<f64>)> = ["generated", "hand_written", "json_value"]
        .iter()
        .map(|bench| {
            (
                *bench,
                median_ns(dir, &format!("decode_users/{bench}"), since),
            )
        })
        .collect();
    let hand = times[1].1;
    let value = times[2].1;
    println!(
        "{:<13} {:>10} {:>9} {:>10} {:>10} {:>11} {:>11}",
        "decoder", "median", "MB/s", "this/hand", "Value/this", "peak/JSON", "kept/JSON"
    );
    for (bench, time) in times {
        let (peak, kept) = match bench {
            "generated" => peak_and_retained(|| {
                serde_json::from_slice::<gtmhub::types::UsersResponse>(bytes).expect("decodes")
            }),
            "hand_written" => peak_and_retained(|| {
                serde_json::from_slice::<hand::UsersResponse>(bytes).expect("decodes")
            }),
            _ => peak_and_retained(|| serde_json::from_slice::<Value>(bytes).expect("decodes")),
        };
        let Some(time) = time else { continue };
        let slower_than_hand = hand.map_or("-".to_owned(), |hand| format!("{:.3}×", time / hand));
        let faster_than_value =
            value.map_or("-".to_owned(), |value| format!("{:.2}×", value / time));
        println!(
            "{:<13} {:>7.2} ms {:>9.1} {:>10} {:>10} {:>10.2}× {:>10.2}×",
            bench,
            time / 1e6,
            size / (time / 1e9) / 1e6,
            slower_than_hand,
            faster_than_value,
            peak as f64 / size,
            kept as f64 / size,
        );
    }
    println!(
        "(this/hand: time over the hand-written structs' time, target ≤ 1.05×; Value/this: how many \
         times faster than serde_json::Value, target ≥ 1.5×; peak/kept: heap bytes at the peak of \
         one decode and held by its result, over JSON bytes)"
    );
}

/// Rounds of the interleaved comparison: one decode per decoder per round.
const ROUNDS: usize = 30;

/// Times the three decoders in turn, one decode each per round with the order rotated, so that
/// drift in the machine's speed hits all alike, and prints the per-round ratios.
fn print_interleaved(bytes: &[u8]) {
    // Each decoder returns its result so that dropping it happens after the clock stops.
    type Decoded = Box<dyn std::any::Any>;
    let decoders: [&dyn Fn() -> Decoded; 3] = [
        &|| {
            Box::new(
                serde_json::from_slice::<gtmhub::types::UsersResponse>(black_box(bytes))
                    .expect("decodes"),
            )
        },
        &|| {
            Box::new(
                serde_json::from_slice::<hand::UsersResponse>(black_box(bytes)).expect("decodes"),
            )
        },
        &|| Box::new(serde_json::from_slice::<Value>(black_box(bytes)).expect("decodes")),
    ];
    let mut times = vec![Vec::with_capacity(ROUNDS); decoders.len()];
    for round in 0..=ROUNDS {
        for k in 0..decoders.len() {
            let index = (round + k) % decoders.len();
            let start = std::time::Instant::now();
            let decoded = black_box(decoders[index]());
            let elapsed = start.elapsed().as_secs_f64();
            drop(decoded);
            // Round 0 warms up and is not counted.
            if round > 0 {
                times[index].push(elapsed);
            }
        }
    }
    let ratios = |a: usize, b: usize| -> Vec<f64> {
        times[a].iter().zip(&times[b]).map(|(a, b)| a / b).collect()
    };
    let show = |values: Vec<f64>| {
        format!(
            "{:.3}× [{:.3}-{:.3}]",
            quantile(&values, 0.5),
            quantile(&values, 0.25),
            quantile(&values, 0.75)
        )
    };
    println!(
        "\nDecoding, interleaved ({ROUNDS} rounds, one decode per decoder per round, order \
         rotated; ratio within each round, median [p25-p75])"
    );
    println!("generated / hand_written     {}", show(ratios(0, 1)));
    println!("json_value / generated       {}", show(ratios(2, 0)));
    println!("json_value / hand_written    {}", show(ratios(2, 1)));
    println!(
        "(time per decode, medians: generated {:.2} ms, hand_written {:.2} ms, json_value {:.2} ms)",
        quantile(&times[0], 0.5) * 1e3,
        quantile(&times[1], 0.5) * 1e3,
        quantile(&times[2], 0.5) * 1e3,
    );
}

/// The `q` quantile (0 to 1) of `values`.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index]
}

/// Prints medians, MB/s, the ratio and the peak memory of one fetch through each client.
fn print_fetch_summary(
    dir: &Path,
    since: SystemTime,
    runtime: &Runtime,
    fetchers: &Fetchers,
    size: usize,
) {
    let size = size as f64;
    println!("\nFetch summary: the same response over HTTP from 127.0.0.1 (medians of this run)");
    println!(
        "{:<13} {:>10} {:>9} {:>10} {:>11} {:>11}",
        "client", "median", "MB/s", "this/hand", "peak/JSON", "kept/JSON"
    );
    let hand = median_ns(dir, "fetch_users/hand_bytes", since);
    for bench in ["generated", "hand_bytes"] {
        let (peak, kept) = match bench {
            "generated" => peak_and_retained(|| runtime.block_on(fetchers.generated())),
            _ => peak_and_retained(|| runtime.block_on(fetchers.hand())),
        };
        let Some(time) = median_ns(dir, &format!("fetch_users/{bench}"), since) else {
            continue;
        };
        let ratio = hand.map_or("-".to_owned(), |hand| format!("{:.3}×", time / hand));
        println!(
            "{:<13} {:>7.2} ms {:>9.1} {:>10} {:>10.2}× {:>10.2}×",
            bench,
            time / 1e6,
            size / (time / 1e9) / 1e6,
            ratio,
            peak as f64 / size,
            kept as f64 / size,
        );
    }
    println!(
        "(peak/JSON: heap bytes at the peak of one whole call, body buffers included, over JSON \
         bytes; the decoded result alone is the kept/JSON figure of the decoding summary)"
    );
}

fn main() {
    let started = SystemTime::now();
    let dir = criterion_dir();
    let mut criterion = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    let bytes = users_json();
    check_equivalent(&bytes);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let fetchers = Fetchers::new(start_server(Arc::new(bytes.clone())));
    bench_decode(&mut criterion, &bytes);
    bench_fetch(&mut criterion, &runtime, &fetchers, bytes.len());
    criterion.final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once instead.
    if std::env::args().any(|arg| arg == "--bench") {
        print_summary(&dir, started, &bytes);
        print_interleaved(&bytes);
        print_fetch_summary(&dir, started, &runtime, &fetchers, bytes.len());
    }
}
