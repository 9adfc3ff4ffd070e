//! Events decoded per second: the runtime's `EventStream<T>` against a
//! hand-written loop over `reqwest::Response::chunk()` that splits events
//! at blank lines and decodes each `data` with `serde_json`, which is what
//! one writes by hand for a known, well-behaved stream (no comments,
//! one-line `data`, `\n` line ends only). Hand-written; its own loop, not
//! libtest's bench harness:
//!
//! ```sh
//! cargo bench -p openapi-client-runtime --bench events
//! ```
//!
//! An in-process HTTP/1.1 server on loopback, on its own thread and
//! runtime, answers every request with the same chunked stream of
//! `BENCH_EVENTS` events (default 20,000) in 16 KiB writes. The two sides
//! read it in alternating rounds (`BENCH_ROUNDS`, default 21), each timed
//! whole by the wall clock; the figure is the ratio of the sides' median
//! round times (runtime / hand-written), with the events per second of
//! each. It prints numbers and never asserts on them.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use openapi_client_runtime::bench_support;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Delta {
    text: String,
    index: u64,
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The stream every request gets, as chunked-encoding pieces.
fn body(events: usize) -> Vec<u8> {
    let mut text = Vec::new();
    for i in 0..events {
        text.extend_from_slice(
            format!("event: delta\ndata: {{\"text\":\"token number {i} of the answer\",\"index\":{i}}}\n\n").as_bytes(),
        );
    }
    let mut out =
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    for piece in text.chunks(16 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn server(response: Vec<u8>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let response = std::sync::Arc::new(response);
            while let Ok((mut socket, _)) = listener.accept().await {
                let response = response.clone();
                tokio::spawn(async move {
                    let mut request = vec![0u8; 8192];
                    loop {
                        // One request per connection round: read its head,
                        // answer, and wait for the next.
                        match socket.read(&mut request).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        if socket.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    address
}

/// The runtime's typed event stream: events read.
async fn runtime_side(http: &reqwest::Client, url: &str) -> usize {
    let response = http.get(url).send().await.unwrap();
    let mut stream = bench_support::events::<Delta>(response);
    let mut count = 0;
    while let Some(event) = stream.next().await {
        std::hint::black_box(event.unwrap());
        count += 1;
    }
    count
}

/// The hand-written loop: events read.
async fn hand_written_side(http: &reqwest::Client, url: &str) -> usize {
    let mut response = http.get(url).send().await.unwrap();
    let mut buffer: Vec<u8> = Vec::new();
    let mut count = 0;
    while let Some(chunk) = response.chunk().await.unwrap() {
        buffer.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = buffer[start..].windows(2).position(|w| w == b"\n\n") {
            let event = &buffer[start..start + end];
            for line in event.split(|b| *b == b'\n') {
                if let Some(data) = line.strip_prefix(b"data: ") {
                    let delta: Delta = serde_json::from_slice(data).unwrap();
                    std::hint::black_box(delta);
                    count += 1;
                }
            }
            start += end + 2;
        }
        buffer.drain(..start);
    }
    count
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let events = env("BENCH_EVENTS", 20_000);
    let rounds = env("BENCH_ROUNDS", 21);
    let address = server(body(events));
    let url = format!("http://{address}/stream");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        // Warm-up: connections, allocator, caches.
        assert_eq!(runtime_side(&http, &url).await, events);
        assert_eq!(hand_written_side(&http, &url).await, events);
        for round in 0..rounds {
            for side in [round % 2, 1 - round % 2] {
                let started = Instant::now();
                let count = match side {
                    0 => runtime_side(&http, &url).await,
                    _ => hand_written_side(&http, &url).await,
                };
                assert_eq!(count, events);
                match side {
                    0 => ours.push(started.elapsed()),
                    _ => theirs.push(started.elapsed()),
                }
            }
        }
    });
    let (ours, theirs) = (median(ours), median(theirs));
    let rate = |time: Duration| events as f64 / time.as_secs_f64();
    println!("events decoded, {events} per round, {rounds} rounds alternating (median round)");
    println!(
        "  runtime EventStream   {:>10.0} events/s  ({ours:?})",
        rate(ours)
    );
    println!(
        "  hand-written loop     {:>10.0} events/s  ({theirs:?})",
        rate(theirs)
    );
    println!(
        "  ratio of median times (runtime / hand-written): {:.3}",
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}
