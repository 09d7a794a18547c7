//! Request-overhead benchmarks: a call through the generated client against a hand-written
//! reqwest + serde call doing the same request and against progenitor's generated client, all
//! to the same tiny HTTP/1.1 server on 127.0.0.1, for a small response (`GET /badges/{id}`) and
//! a list response (`GET /badges`).
//!
//! Run with `cargo bench -p gtmhub-tests --bench client`. Criterion times each way on its own;
//! the run then times all ways again interleaved, round by round, and prints the ratios of the
//! generated client to each other way (see BENCHMARKS.md).

#[path = "progenitor/badges.rs"]
mod progenitor_badges;

use std::collections::HashMap;
use std::hint::black_box;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput};
use gtmhub::types::{BadgeResponse, BadgesResponse};
use reqwest::header::{ACCEPT, AUTHORIZATION};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The page's `getBadge` sample.
const BADGE: &str = include_str!("../fixtures/pages/getBadge.response.json");
/// How many badges the list response holds.
const LIST_LEN: usize = 100;
/// The badge id requested; the server answers `/badges/{BADGE_ID}`.
const BADGE_ID: &str = "5be26318e5274a0007f17f61";
/// The credentials both clients send.
const TOKEN: &str = "t";
const ACCOUNT_ID: &str = "a";

// -------------------------------------------------------------------------------------------
// The server: canned responses over keep-alive HTTP/1.1, the same bytes for both clients.
// -------------------------------------------------------------------------------------------

/// A running server: its address and the request heads it saw while recording.
struct Server {
    addr: SocketAddr,
    recorded: Arc<Mutex<Option<Vec<String>>>>,
}

/// A complete HTTP/1.1 response with a JSON body.
fn response(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The canned responses by request path.
fn routes() -> HashMap<String, Vec<u8>> {
    let badge: Value = serde_json::from_str(BADGE).expect("the fixture is JSON");
    let items: Vec<Value> = (0..LIST_LEN)
        .map(|i| {
            let mut badge = badge.clone();
            badge["id"] = json!(format!("5be26318e5274a{i:010}"));
            badge["name"] = json!(format!("Badge {i}"));
            badge
        })
        .collect();
    let list = json!({ "items": items, "totalCount": LIST_LEN });
    let mut routes = HashMap::new();
    routes.insert(
        format!("/badges/{BADGE_ID}"),
        response(&serde_json::to_vec(&badge).expect("JSON")),
    );
    routes.insert(
        "/badges".to_owned(),
        response(&serde_json::to_vec(&list).expect("JSON")),
    );
    routes
}

/// Starts the server on its own thread and single-threaded runtime, so its cost is the same
/// for every client and does not compete with the client's runtime for a thread.
fn start_server() -> Server {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds 127.0.0.1");
    std_listener.set_nonblocking(true).expect("non-blocking");
    let addr = std_listener.local_addr().expect("local address");
    let recorded = Arc::new(Mutex::new(None));
    let server_recorded = Arc::clone(&recorded);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(std_listener).expect("tokio listener");
            let routes = Arc::new(routes());
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(
                    stream,
                    Arc::clone(&routes),
                    Arc::clone(&server_recorded),
                ));
            }
        });
    });
    Server { addr, recorded }
}

/// Answers requests on one connection until the client closes it.
async fn serve(
    mut stream: TcpStream,
    routes: Arc<HashMap<String, Vec<u8>>>,
    recorded: Arc<Mutex<Option<Vec<String>>>>,
) {
    const NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
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
        // Only GET requests without a body are sent, so the head is the whole request.
        let head = &buffer[..end];
        let path = head
            .split(|&b| b == b' ')
            .nth(1)
            .and_then(|path| std::str::from_utf8(path).ok())
            .unwrap_or_default();
        let reply = routes.get(path).map_or(NOT_FOUND, Vec::as_slice);
        if let Some(heads) = recorded.lock().expect("not poisoned").as_mut() {
            heads.push(String::from_utf8_lossy(head).into_owned());
        }
        if stream.write_all(reply).await.is_err() {
            return;
        }
        buffer.drain(..end);
    }
}

// -------------------------------------------------------------------------------------------
// The clients.
// -------------------------------------------------------------------------------------------

fn generated_client(addr: SocketAddr) -> gtmhub::Client {
    gtmhub::Client::builder()
        .token(TOKEN)
        .account_id(ACCOUNT_ID)
        .base_url(format!("http://{addr}"))
        .allow_insecure_http(true)
        .build()
        .expect("the generated client builds")
}

/// progenitor's client, on a `reqwest::Client` that sends the bearer token as a default header
/// (progenitor generates no authentication).
fn progenitor_client(addr: SocketAddr) -> progenitor_badges::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("header"),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(15))
        .build()
        .expect("reqwest client");
    progenitor_badges::Client::new_with_client(&format!("http://{addr}"), http)
}

/// The hand-written baseline: a plain `reqwest::Client` and the same three headers.
struct Hand {
    http: reqwest::Client,
    base_url: String,
    authorization: String,
}

impl Hand {
    fn new(addr: SocketAddr) -> Self {
        Self::with_client(addr, reqwest::Client::new())
    }

    /// A `reqwest::Client` set up as the generated runtime sets up its own (timeouts,
    /// redirects, referer, user agent), to tell the cost of those reqwest features apart from
    /// the cost of the runtime's own code.
    fn configured_like_the_runtime(addr: SocketAddr) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::limited(5))
            .referer(false)
            .user_agent("gtmhub/0.2.0")
            .build()
            .expect("reqwest client");
        Self::with_client(addr, http)
    }

    fn with_client(addr: SocketAddr, http: reqwest::Client) -> Self {
        Self {
            http,
            base_url: format!("http://{addr}"),
            authorization: format!("Bearer {TOKEN}"),
        }
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base_url))
            .header(AUTHORIZATION, &self.authorization)
            .header("gtmhub-accountId", ACCOUNT_ID)
            .header(ACCEPT, "application/json")
    }

    /// Reads the body with `bytes()` and decodes it with `serde_json::from_slice`, as the
    /// generated client does, so only the request path differs.
    async fn get_bytes<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self
            .get(path)
            .send()
            .await
            .expect("sends")
            .error_for_status()
            .expect("200");
        let body = response.bytes().await.expect("reads");
        serde_json::from_slice(&body).expect("decodes")
    }

    /// Decodes with reqwest's own `json()`.
    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self
            .get(path)
            .send()
            .await
            .expect("sends")
            .error_for_status()
            .expect("200");
        response.json().await.expect("decodes")
    }
}

/// Checks that every client sends the request line and headers the server needs, and gets the
/// same values back, before anything is timed.
fn check_same_requests(runtime: &tokio::runtime::Runtime, server: &Server) {
    let generated = generated_client(server.addr);
    let hand = Hand::new(server.addr);
    let progenitor = progenitor_client(server.addr);
    *server.recorded.lock().expect("not poisoned") = Some(Vec::new());
    runtime.block_on(async {
        let a = generated
            .get_badge(BADGE_ID)
            .send()
            .await
            .expect("generated call")
            .into_inner();
        let b: BadgeResponse = hand.get_bytes(&format!("/badges/{BADGE_ID}")).await;
        assert_eq!(a, b);
        let a = generated
            .list_badges()
            .send()
            .await
            .expect("generated call")
            .into_inner();
        let b: BadgesResponse = hand.get_json("/badges").await;
        assert_eq!(a, b);
        let c = progenitor
            .list_badges(ACCOUNT_ID)
            .await
            .expect("progenitor call")
            .into_inner();
        assert_eq!(serde_json::to_value(&a).ok(), serde_json::to_value(&c).ok());
        assert_eq!(a.items.map(|items| items.len()), Some(LIST_LEN));
        let a = generated
            .get_badge(BADGE_ID)
            .send()
            .await
            .expect("generated call")
            .into_inner();
        let c = progenitor
            .get_badge(BADGE_ID, ACCOUNT_ID)
            .await
            .expect("progenitor call")
            .into_inner();
        assert_eq!(serde_json::to_value(&a).ok(), serde_json::to_value(&c).ok());
    });
    let heads = server
        .recorded
        .lock()
        .expect("not poisoned")
        .take()
        .expect("recording");
    assert_eq!(heads.len(), 7);
    for head in &heads {
        let head = head.to_ascii_lowercase();
        for needed in [
            "authorization: bearer t\r\n",
            "gtmhub-accountid: a\r\n",
            "accept: application/json\r\n",
        ] {
            assert!(
                head.contains(needed),
                "a request lacks `{}`:\n{head}",
                needed.trim()
            );
        }
    }
}

fn bench_requests(c: &mut Criterion, runtime: &tokio::runtime::Runtime, server: &Server) {
    let generated = generated_client(server.addr);
    let hand = Hand::new(server.addr);
    let progenitor = progenitor_client(server.addr);
    let badge_path = format!("/badges/{BADGE_ID}");

    let mut group = c.benchmark_group("request_badge");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("generated", |b| {
        b.to_async(runtime).iter(|| async {
            generated
                .get_badge(black_box(BADGE_ID))
                .send()
                .await
                .expect("200")
                .into_inner()
        });
    });
    group.bench_function("hand_bytes", |b| {
        b.to_async(runtime)
            .iter(|| hand.get_bytes::<BadgeResponse>(black_box(&badge_path)));
    });
    group.bench_function("hand_json", |b| {
        b.to_async(runtime)
            .iter(|| hand.get_json::<BadgeResponse>(black_box(&badge_path)));
    });
    group.bench_function("progenitor", |b| {
        b.to_async(runtime).iter(|| async {
            progenitor
                .get_badge(black_box(BADGE_ID), ACCOUNT_ID)
                .await
                .expect("200")
                .into_inner()
        });
    });
    group.finish();

    let mut group = c.benchmark_group("request_badge_list");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("generated", |b| {
        b.to_async(runtime).iter(|| async {
            generated
                .list_badges()
                .send()
                .await
                .expect("200")
                .into_inner()
        });
    });
    group.bench_function("hand_bytes", |b| {
        b.to_async(runtime)
            .iter(|| hand.get_bytes::<BadgesResponse>(black_box("/badges")));
    });
    group.bench_function("hand_json", |b| {
        b.to_async(runtime)
            .iter(|| hand.get_json::<BadgesResponse>(black_box("/badges")));
    });
    group.bench_function("progenitor", |b| {
        b.to_async(runtime).iter(|| async {
            progenitor
                .list_badges(ACCOUNT_ID)
                .await
                .expect("200")
                .into_inner()
        });
    });
    group.finish();
}

/// One way of making the call, in the interleaved comparison.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    Generated,
    HandBytes,
    HandJson,
    HandConfigured,
    Progenitor,
}

impl Way {
    const ALL: [Way; 5] = [
        Way::Generated,
        Way::HandBytes,
        Way::HandJson,
        Way::HandConfigured,
        Way::Progenitor,
    ];

    fn name(self) -> &'static str {
        match self {
            Way::Generated => "generated",
            Way::HandBytes => "hand_bytes",
            Way::HandJson => "hand_json",
            Way::HandConfigured => "hand_configured",
            Way::Progenitor => "progenitor",
        }
    }
}

/// Every client, for the interleaved comparison.
struct Clients {
    generated: gtmhub::Client,
    hand: Hand,
    configured: Hand,
    progenitor: progenitor_badges::Client,
    badge_path: String,
}

impl Clients {
    fn new(addr: SocketAddr) -> Self {
        Self {
            generated: generated_client(addr),
            hand: Hand::new(addr),
            configured: Hand::configured_like_the_runtime(addr),
            progenitor: progenitor_client(addr),
            badge_path: format!("/badges/{BADGE_ID}"),
        }
    }

    /// Makes one call: the badge or the list, one way.
    async fn call(&self, way: Way, list: bool) {
        let generated = &self.generated;
        match (way, list) {
            (Way::Generated, false) => {
                black_box(generated.get_badge(BADGE_ID).send().await.expect("200"));
            }
            (Way::Generated, true) => {
                black_box(generated.list_badges().send().await.expect("200"));
            }
            (Way::HandBytes, false) => {
                black_box(self.hand.get_bytes::<BadgeResponse>(&self.badge_path).await);
            }
            (Way::HandBytes, true) => {
                black_box(self.hand.get_bytes::<BadgesResponse>("/badges").await);
            }
            (Way::HandJson, false) => {
                black_box(self.hand.get_json::<BadgeResponse>(&self.badge_path).await);
            }
            (Way::HandJson, true) => {
                black_box(self.hand.get_json::<BadgesResponse>("/badges").await);
            }
            (Way::HandConfigured, false) => {
                black_box(
                    self.configured
                        .get_bytes::<BadgeResponse>(&self.badge_path)
                        .await,
                );
            }
            (Way::HandConfigured, true) => {
                black_box(self.configured.get_bytes::<BadgesResponse>("/badges").await);
            }
            (Way::Progenitor, false) => {
                let badge = self.progenitor.get_badge(BADGE_ID, ACCOUNT_ID).await;
                black_box(badge.expect("200"));
            }
            (Way::Progenitor, true) => {
                black_box(self.progenitor.list_badges(ACCOUNT_ID).await.expect("200"));
            }
        }
    }
}

/// Rounds and calls per round of the interleaved comparison.
const ROUNDS: usize = 200;
const BATCH: usize = 50;

/// Times every way in turn, `BATCH` calls at a time, for `ROUNDS` rounds with the order rotated
/// each round, so that drift in the machine's speed (other processes, frequency changes) hits
/// every way alike. Returns, per way, the mean time per call of each round in nanoseconds.
fn interleaved(runtime: &tokio::runtime::Runtime, clients: &Clients, list: bool) -> Vec<Vec<f64>> {
    let mut times = vec![Vec::with_capacity(ROUNDS); Way::ALL.len()];
    runtime.block_on(async {
        // Warm every connection pool and code path first.
        for way in Way::ALL {
            for _ in 0..BATCH {
                clients.call(way, list).await;
            }
        }
        for round in 0..ROUNDS {
            for k in 0..Way::ALL.len() {
                let index = (round + k) % Way::ALL.len();
                let start = std::time::Instant::now();
                for _ in 0..BATCH {
                    clients.call(Way::ALL[index], list).await;
                }
                times[index].push(start.elapsed().as_nanos() as f64 / BATCH as f64);
            }
        }
    });
    times
}

/// The `q` quantile (0 to 1) of `values`.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index]
}

/// Runs the interleaved comparison for both responses and prints it.
fn print_interleaved(runtime: &tokio::runtime::Runtime, server: &Server) {
    let clients = Clients::new(server.addr);
    println!(
        "\nRequest overhead, interleaved ({ROUNDS} rounds of {BATCH} calls per way, order rotated; \
         median time per call; ratio = generated / baseline within each round, median [p25-p75])"
    );
    print!("{:<6}", "call");
    for way in Way::ALL {
        print!(" {:>16}", way.name());
    }
    println!();
    for (label, list) in [("badge", false), ("list", true)] {
        let times = interleaved(runtime, &clients, list);
        print!("{label:<6}");
        for way_times in &times {
            print!(" {:>13.1} µs", quantile(way_times, 0.5) / 1e3);
        }
        println!();
        for (index, way) in Way::ALL.iter().enumerate().skip(1) {
            let ratios: Vec<f64> = times[0]
                .iter()
                .zip(&times[index])
                .map(|(generated, base)| generated / base)
                .collect();
            println!(
                "       generated / {:<16} {:.3}× [{:.3}-{:.3}]",
                way.name(),
                quantile(&ratios, 0.5),
                quantile(&ratios, 0.25),
                quantile(&ratios, 0.75),
            );
        }
    }
}

/// Makes `calls` badge calls one way and nothing else, for `perf record`:
/// `CLIENT_BENCH_PROFILE=generated:30000` (or `hand_configured:30000`, any way's name).
fn profile_one_way(runtime: &tokio::runtime::Runtime, server: &Server, profile: &str) {
    let (name, calls) = profile.split_once(':').unwrap_or((profile, "30000"));
    let way = Way::ALL
        .into_iter()
        .find(|way| way.name() == name)
        .unwrap_or_else(|| panic!("CLIENT_BENCH_PROFILE names no way: `{name}`"));
    let calls: usize = calls.parse().expect("CLIENT_BENCH_PROFILE=way:calls");
    let clients = Clients::new(server.addr);
    let start = std::time::Instant::now();
    runtime.block_on(async {
        for _ in 0..calls {
            clients.call(way, false).await;
        }
    });
    let per_call = start.elapsed().as_nanos() as f64 / calls as f64;
    println!(
        "{name}: {calls} badge calls, {:.1} µs per call",
        per_call / 1e3
    );
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

/// Prints medians and the generated client's ratio against each hand-written baseline.
fn print_summary(dir: &Path, since: SystemTime) {
    println!(
        "\nRequest summary from criterion (medians of this run; ratio = generated / hand-written; \
         the interleaved figures below are steadier)"
    );
    println!(
        "{:<19} {:>11} {:>11} {:>11} {:>11} {:>14} {:>13} {:>14}",
        "group",
        "generated",
        "hand_bytes",
        "hand_json",
        "progenitor",
        "gen/hand_bytes",
        "gen/hand_json",
        "gen/progenitor"
    );
    for group in ["request_badge", "request_badge_list"] {
        let get = |bench: &str| median_ns(dir, &format!("{group}/{bench}"), since);
        let (Some(generated), Some(bytes), Some(json), Some(progenitor)) = (
            get("generated"),
            get("hand_bytes"),
            get("hand_json"),
            get("progenitor"),
        ) else {
            continue;
        };
        println!(
            "{:<19} {:>8.1} µs {:>8.1} µs {:>8.1} µs {:>8.1} µs {:>13.3}× {:>12.3}× {:>13.3}×",
            group,
            generated / 1e3,
            bytes / 1e3,
            json / 1e3,
            progenitor / 1e3,
            generated / bytes,
            generated / json,
            generated / progenitor,
        );
    }
}

fn main() {
    let started = SystemTime::now();
    let dir = criterion_dir();
    let mut criterion = Criterion::default()
        .output_directory(&dir)
        .configure_from_args();
    let server = start_server();
    // The clients run on one thread, the server on another: two cores, one each.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    check_same_requests(&runtime, &server);
    if let Ok(profile) = std::env::var("CLIENT_BENCH_PROFILE") {
        profile_one_way(&runtime, &server, &profile);
        return;
    }
    bench_requests(&mut criterion, &runtime, &server);
    criterion.final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once instead.
    if std::env::args().any(|arg| arg == "--bench") {
        print_summary(&dir, started);
        print_interleaved(&runtime, &server);
    }
}
