//! Request-overhead benchmarks: a call through the generated client against a hand-written
//! reqwest + serde call doing the same request, both to the same tiny HTTP/1.1 server on
//! 127.0.0.1, for a small response (`GET /badges/{id}`) and a list response (`GET /badges`).
//!
//! Run with `cargo bench -p gtmhub-tests --bench client`. The run ends with a summary of medians
//! and ratios against the same-run hand-written baselines (see BENCHMARKS.md).

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

/// The hand-written baseline: a plain `reqwest::Client` and the same three headers.
struct Hand {
    http: reqwest::Client,
    base_url: String,
    authorization: String,
}

impl Hand {
    fn new(addr: SocketAddr) -> Self {
        Self {
            http: reqwest::Client::new(),
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

/// Checks that both clients send the same request line and headers the server needs, and get
/// the same values back, before anything is timed.
fn check_same_requests(runtime: &tokio::runtime::Runtime, server: &Server) {
    let generated = generated_client(server.addr);
    let hand = Hand::new(server.addr);
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
        assert_eq!(a.items.map(|items| items.len()), Some(LIST_LEN));
    });
    let heads = server
        .recorded
        .lock()
        .expect("not poisoned")
        .take()
        .expect("recording");
    assert_eq!(heads.len(), 4);
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

/// Prints medians and the generated client's ratio against each hand-written baseline.
fn print_summary(dir: &Path, since: SystemTime) {
    println!("\nRequest summary (medians of this run; ratio = generated / hand-written)");
    println!(
        "{:<19} {:>11} {:>11} {:>11} {:>14} {:>13}",
        "group", "generated", "hand_bytes", "hand_json", "gen/hand_bytes", "gen/hand_json"
    );
    for group in ["request_badge", "request_badge_list"] {
        let get = |bench: &str| median_ns(dir, &format!("{group}/{bench}"), since);
        let (Some(generated), Some(bytes), Some(json)) =
            (get("generated"), get("hand_bytes"), get("hand_json"))
        else {
            continue;
        };
        println!(
            "{:<19} {:>8.1} µs {:>8.1} µs {:>8.1} µs {:>13.3}× {:>12.3}×",
            group,
            generated / 1e3,
            bytes / 1e3,
            json / 1e3,
            generated / bytes,
            generated / json,
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
    bench_requests(&mut criterion, &runtime, &server);
    criterion.final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once instead.
    if std::env::args().any(|arg| arg == "--bench") {
        print_summary(&dir, started);
    }
}
