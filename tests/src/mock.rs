//! A scripted raw HTTP/1.1 server on 127.0.0.1 for the faults a mock-server crate cannot
//! produce: a server that accepts and never answers, a body shorter than its `Content-Length`, a
//! chunked body cut short, a connection closed after the request was read. It also records each
//! request exactly as it arrived on the wire (request line, headers, body).
//!
//! It uses only the standard library (threads and blocking sockets), so it works from any test
//! runtime. Every wait is bounded: the server stops accepting when dropped or after
//! [`SERVER_LIFETIME`], and a hanging connection is released when the server is dropped or after
//! [`HANG_LIMIT`].

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server accepts connections at most, even if it is never dropped.
pub const SERVER_LIFETIME: Duration = Duration::from_secs(60);
/// How long a [`Reply::Hang`] connection is held open at most.
pub const HANG_LIMIT: Duration = Duration::from_secs(20);
/// How long the server waits for a request to arrive on an accepted connection.
const READ_LIMIT: Duration = Duration::from_secs(5);

/// What the server does with one connection, after reading the request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Writes these bytes, then closes the connection.
    Send(Vec<u8>),
    /// Never answers; holds the connection open until the server is dropped (bounded).
    Hang,
    /// Writes these bytes, then holds the connection open without writing more (bounded).
    SendThenHang(Vec<u8>),
    /// Closes the connection without answering.
    Close,
    /// Writes each piece after a short pause (so each arrives as its own chunk), then holds the
    /// connection open without writing more (bounded).
    Pieces(Vec<Vec<u8>>),
}

/// A complete response with `Content-Length`, `Connection: close` and the given headers.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A scripted server; see the module documentation.
#[derive(Debug)]
pub struct RawServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl RawServer {
    /// Starts a server that answers the n-th connection with `replies[n]`, and every connection
    /// after the last reply with the last reply again.
    pub fn start(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty(), "a raw server needs at least one reply");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let addr = listener.local_addr().expect("the listener's address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let server = Self {
            addr,
            requests: Arc::clone(&requests),
            connections: Arc::clone(&connections),
            stop: Arc::clone(&stop),
        };
        thread::spawn(move || {
            let started = Instant::now();
            while !stop.load(Ordering::SeqCst) && started.elapsed() < SERVER_LIFETIME {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let index = connections.fetch_add(1, Ordering::SeqCst);
                        let reply = replies[index.min(replies.len() - 1)].clone();
                        let requests = Arc::clone(&requests);
                        let stop = Arc::clone(&stop);
                        thread::spawn(move || serve(stream, reply, &requests, &stop));
                    }
                    Err(error) if error.kind() == ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        server
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A base URL on this server, with a path prefix like the real API's.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    /// How many connections the server has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The requests received so far, as text (lossy UTF-8), in order of arrival.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests lock").clone()
    }

    /// The request lines (`GET /path HTTP/1.1`) received so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.lines().next().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Handles one connection.
fn serve(mut stream: TcpStream, reply: Reply, requests: &Mutex<Vec<String>>, stop: &AtomicBool) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(READ_LIMIT));
    let request = read_request(&mut stream);
    if !request.is_empty() {
        requests.lock().expect("requests lock").push(request);
    }
    match reply {
        Reply::Send(bytes) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
        }
        Reply::SendThenHang(bytes) => {
            let _ = stream.write_all(&bytes);
            let _ = stream.flush();
            hang(stop);
        }
        Reply::Pieces(pieces) => {
            for piece in pieces {
                let _ = stream.write_all(&piece);
                let _ = stream.flush();
                thread::sleep(Duration::from_millis(20));
            }
            hang(stop);
        }
        Reply::Hang => hang(stop),
        Reply::Close => {}
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Waits until the server stops or [`HANG_LIMIT`] passes.
fn hang(stop: &AtomicBool) {
    let started = Instant::now();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < HANG_LIMIT {
        thread::sleep(Duration::from_millis(5));
    }
}

/// Reads one request: the head and a body of `Content-Length` bytes.
fn read_request(stream: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 8192];
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

/// A loopback port on which nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("bind 127.0.0.1:0")
}
