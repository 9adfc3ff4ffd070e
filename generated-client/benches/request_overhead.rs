//! Request overhead: one `refresh_token` call of the generated client
//! against a hand-written `reqwest` + `serde` equivalent that sends the same
//! request and decodes the same answer. (Hand-written: `cargo xtask codegen`
//! leaves `benches/` alone.)
//!
//! ```sh
//! cargo bench -p almanac-client --bench request_overhead
//! ```
//!
//! Both sides talk to one in-process HTTP/1.1 server on loopback: a raw
//! tokio TCP loop that reads each request (head, then the body by its
//! `content-length`) and writes one fixed `200` JSON answer on the same
//! keep-alive connection, so the server's cost is small and the same for
//! both. It runs on its own OS thread with its own current-thread runtime.
//! The clients run on the main thread in a current-thread runtime: one call
//! is in flight at a time, so hyper's connection task and the caller share
//! one thread and no work-stealing scheduler adds cross-thread wake-ups (and
//! noise) on the client side, while the server does not compete with the
//! client for that thread. Before timing, the server records one request
//! from each side and the bench checks that method, path, body,
//! `authorization` and `content-type` are identical.
//!
//! Timing, after `BENCH_WARMUP` calls of each side (default 1000), in two
//! ways:
//! - **Single calls** (the headline figure): `BENCH_ROUNDS × BENCH_CALLS / 4`
//!   pairs of calls, one of each side, which side goes first alternating
//!   by pair; each call is timed alone (wall clock), after an untimed call
//!   of its own side (so the work hyper finishes after a call, which runs
//!   during the next one, is charged to its own side), and the figure is
//!   the ratio of the sides' median call times (generated / hand-written). The
//!   two calls of a pair are microseconds apart, so load from other
//!   processes hits both sides alike, and a median over tens of thousands
//!   of calls ignores the calls it hits: on a busy 2-core VM its control
//!   comparison reads 1.000 ± 0.004, where the batches' reads ± 0.03 or more.
//!   Timing a call adds two clock reads (tens of nanoseconds) to both
//!   sides.
//! - **Batches**: `BENCH_ROUNDS` rounds (default 121), each a batch of
//!   `BENCH_CALLS` sequential calls (default 250) of one side then of the
//!   other (alternating by round). A batch gives a wall-clock time per call
//!   and the client thread's CPU time per call (from
//!   `/proc/thread-self/schedstat`, on Linux, which a single call is too
//!   short for); each side reports the median over rounds, with the median
//!   and range of the per-round ratios to show the noise.
//!
//! It prints numbers and never asserts on them.
//!
//! Three comparisons: [1] the generated client with its default `Config`
//! (per-attempt timeout, retry bookkeeping, body cap) on the same
//! `reqwest::Client` build as the hand-written one; [2] the generated client
//! as `Client::with_base_url` makes it (its own default reqwest client,
//! which adds a user agent and a connect timeout); [3] the generated client
//! with the timeout and retries turned off, to show what they cost; [4] a
//! control, the hand-written client against a second identical one, whose
//! ratio shows the harness's own bias and noise. `BENCH_ONLY=1,4` runs only
//! the comparisons it lists.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use almanac_client::types::HostedLoginRefresh;
use almanac_client::{Client, Config, RetryPolicy};
use reqwest::header::CONTENT_TYPE;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PATH: &str = "/v1/auth/token/refresh";
const API_KEY: &str = "ak_live_4f9c2e7b1d8a6035";
const REFRESH_TOKEN: &str = "rt_9b3e5d7f1a2c4e6b8d0f";
const ORGANIZATION_ID: &str = "org_01HZX3K8Q2";
const RESPONSE_BODY: &str = concat!(
    r#"{"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzQyIiwib3JnIjoib3JnXzAxSFpYM0s4UTIiLCJleHAiOjE4MDAwMDAwMDB9.c2lnbmF0dXJlLW9mLXRoZS1hY2Nlc3MtdG9rZW4","#,
    r#""organization_id":"org_01HZX3K8Q2","refresh_token":"rt_5c7a9e1b3d5f7a9c1e3b"}"#
);

// ---------------------------------------------------------------------------
// The hand-written client: what one would write with reqwest and serde.

#[derive(serde::Serialize)]
struct RefreshRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<String>,
    refresh_token: String,
}

#[derive(serde::Deserialize)]
struct TokenPair {
    access_token: String,
    #[serde(default)]
    organization_id: Option<String>,
    refresh_token: String,
}

struct HandWritten {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
}

impl HandWritten {
    async fn refresh_token(
        &self,
        body: &RefreshRequest,
    ) -> Result<TokenPair, Box<dyn std::error::Error>> {
        let response = self
            .http
            .post(format!("{}{PATH}", self.base_url))
            .bearer_auth(&self.api_key)
            .header(CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(body)?)
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!("unexpected status {}", response.status()).into());
        }
        let bytes = response.bytes().await?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}

// ---------------------------------------------------------------------------
// The two sides of a comparison.

enum Side {
    Generated(Box<Client>, HostedLoginRefresh),
    HandWritten(HandWritten, RefreshRequest),
}

impl Side {
    fn generated(client: Client) -> Side {
        Side::Generated(
            Box::new(client.with_bearer_token(API_KEY)),
            HostedLoginRefresh {
                organization_id: ORGANIZATION_ID.to_owned().into(),
                refresh_token: REFRESH_TOKEN.to_owned(),
            },
        )
    }

    fn hand_written(http: reqwest::Client, base_url: &str) -> Side {
        Side::HandWritten(
            HandWritten {
                http,
                base_url: base_url.to_owned(),
                api_key: API_KEY.to_owned(),
            },
            RefreshRequest {
                organization_id: Some(ORGANIZATION_ID.to_owned()),
                refresh_token: REFRESH_TOKEN.to_owned(),
            },
        )
    }

    async fn call(&self) {
        match self {
            Side::Generated(client, body) => {
                let tokens = client.refresh_token(body).await.expect("generated call");
                black_box((
                    &tokens.access_token,
                    &tokens.organization_id,
                    &tokens.refresh_token,
                ));
                black_box(tokens);
            }
            Side::HandWritten(client, body) => {
                let tokens = client.refresh_token(body).await.expect("hand-written call");
                black_box((
                    &tokens.access_token,
                    &tokens.organization_id,
                    &tokens.refresh_token,
                ));
                black_box(tokens);
            }
        }
    }

    /// Wall-clock and client-thread CPU time per call, in µs, over `calls`
    /// sequential calls.
    async fn batch(&self, calls: u32) -> (f64, Option<f64>) {
        let cpu = thread_cpu_ns();
        let started = Instant::now();
        for _ in 0..calls {
            self.call().await;
        }
        let wall = started.elapsed();
        let cpu = cpu
            .zip(thread_cpu_ns())
            .map(|(start, end)| (end - start) as f64 / 1e3 / f64::from(calls));
        (wall.as_secs_f64() * 1e6 / f64::from(calls), cpu)
    }
}

/// Time this thread has spent on a CPU, in ns (Linux; `None` elsewhere).
/// The client runtime is current-thread, so this is all of the client's
/// work, hyper's connection task included, and none of the server's; it is
/// not inflated by waiting for the server or by other processes holding
/// the CPU, so it is the steadier figure on a busy machine.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// How both sides build their `reqwest::Client`: the same way, plainly.
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .build()
        .expect("reqwest client builds")
}

// ---------------------------------------------------------------------------
// Counting allocations: what a call allocates on the client's thread (the
// client, hyper's connection task and the decoding all run there), as a
// diagnostic beside the times.

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// count is a thread-local `Cell` with a const initialiser, which never
// allocates.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: the caller's guarantees are the system allocator's.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: as above.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: as above.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocations (and reallocations) per call on this thread, over `calls`.
async fn allocations_per_call(side: &Side, calls: u32) -> f64 {
    let before = ALLOCATIONS.with(std::cell::Cell::get);
    for _ in 0..calls {
        side.call().await;
    }
    (ALLOCATIONS.with(std::cell::Cell::get) - before) as f64 / f64::from(calls)
}

// ---------------------------------------------------------------------------
// The server.

#[derive(Default)]
struct Recorder {
    on: AtomicBool,
    requests: Mutex<Vec<Vec<u8>>>,
}

impl Recorder {
    /// The raw request (head and body) that `side` sends.
    async fn record(&self, side: &Side) -> Vec<u8> {
        self.requests.lock().unwrap().clear();
        self.on.store(true, Ordering::Release);
        side.call().await;
        self.on.store(false, Ordering::Release);
        let mut requests = std::mem::take(&mut *self.requests.lock().unwrap());
        assert_eq!(requests.len(), 1, "one call sends one request");
        requests.remove(0)
    }
}

/// Starts the server on its own thread; returns its address.
fn start_server(recorder: Arc<Recorder>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let addr = listener.local_addr().expect("local address");
    let response = Arc::new(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{RESPONSE_BODY}",
            RESPONSE_BODY.len()
        )
        .into_bytes(),
    );
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
                .expect("server runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let (stream, _) = listener.accept().await.expect("accept");
                    tokio::spawn(serve(stream, response.clone(), recorder.clone()));
                }
            });
        })
        .expect("server thread starts");
    addr
}

/// Answers every request on one keep-alive connection with `response`.
async fn serve(mut stream: tokio::net::TcpStream, response: Arc<Vec<u8>>, recorder: Arc<Recorder>) {
    stream.set_nodelay(true).expect("nodelay");
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        // Answer every complete request that is buffered.
        while let Some(head_end) = find(&buffer, b"\r\n\r\n") {
            let total = head_end + 4 + content_length(&buffer[..head_end]);
            if buffer.len() < total {
                break;
            }
            if recorder.on.load(Ordering::Acquire) {
                recorder
                    .requests
                    .lock()
                    .unwrap()
                    .push(buffer[..total].to_vec());
            }
            if stream.write_all(&response).await.is_err() {
                return;
            }
            buffer.drain(..total);
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    head.split(|&b| b == b'\n')
        .filter_map(|line| {
            let line = std::str::from_utf8(line).ok()?.trim();
            let (name, value) = line.split_once(':')?;
            if name.trim().eq_ignore_ascii_case("content-length") {
                value.trim().parse().ok()
            } else {
                None
            }
        })
        .next()
        .unwrap_or(0)
}

/// A recorded request, taken apart for comparison.
#[derive(Debug)]
struct Shape {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: String,
}

fn shape(raw: &[u8]) -> Shape {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete request");
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Shape {
        method,
        target,
        headers,
        body: body.to_owned(),
    }
}

/// Checks that both sides send the same request; returns a note on the
/// headers that differ (beyond the ones that must be equal).
fn same_request(generated: &Shape, hand_written: &Shape) -> String {
    assert_eq!(generated.method, "POST");
    assert_eq!(generated.target, PATH);
    assert_eq!(
        generated.body,
        format!(r#"{{"organization_id":"{ORGANIZATION_ID}","refresh_token":"{REFRESH_TOKEN}"}}"#)
    );
    assert_eq!(
        generated.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {API_KEY}").as_str())
    );
    assert_eq!(
        generated.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    assert_eq!(generated.method, hand_written.method, "method");
    assert_eq!(generated.target, hand_written.target, "path");
    assert_eq!(generated.body, hand_written.body, "body");
    for name in ["authorization", "content-type", "content-length"] {
        assert_eq!(
            generated.headers.get(name),
            hand_written.headers.get(name),
            "header {name}"
        );
    }
    let mut names: Vec<&String> = generated
        .headers
        .keys()
        .chain(hand_written.headers.keys())
        .collect();
    names.sort();
    names.dedup();
    let differ: Vec<String> = names
        .into_iter()
        .filter(|name| generated.headers.get(*name) != hand_written.headers.get(*name))
        .map(|name| {
            let show = |shape: &Shape| {
                shape
                    .headers
                    .get(name)
                    .map_or("(absent)".to_owned(), |v| format!("{v:?}"))
            };
            format!(
                "{name}: generated {}, hand-written {}",
                show(generated),
                show(hand_written)
            )
        })
        .collect();
    if differ.is_empty() {
        "identical request heads and bodies".to_owned()
    } else {
        format!(
            "same method, path, body, authorization, content-type; headers that differ: {}",
            differ.join("; ")
        )
    }
}

// ---------------------------------------------------------------------------
// Measuring.

struct Settings {
    calls: u32,
    rounds: u32,
    warm_up: u32,
}

fn env_number(name: &str, default: u32) -> u32 {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a positive whole number")),
        Err(_) => default,
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// What one metric of a comparison came to: the ratio of medians
/// (A / B, i.e. generated / hand-written) and the median of the per-round
/// ratios (each round's two batches are close in time, so this paired
/// figure is the less noisy one on a busy machine).
#[derive(Clone, Copy)]
struct Ratio {
    of_medians: f64,
    paired: f64,
}

struct Ratios {
    single: Ratio,
    wall: Ratio,
    cpu: Option<Ratio>,
}

/// Prints one metric of a comparison: times in µs per call, one per round
/// (`rounds`) or one per call.
fn report(metric: &str, names: [&str; 2], a: &[f64], b: &[f64], rounds: bool) -> Ratio {
    let (median_a, median_b) = (median(a), median(b));
    let ratio = median_a / median_b;
    // A round's times span the rounds; a call's, the middle 80 % of calls.
    let (spread, per) = match rounds {
        true => ("rounds", "per-round"),
        false => ("calls, 10th .. 90th percentile", "per-pair"),
    };
    println!("  {metric}");
    for (name, values, med) in [(names[0], a, median_a), (names[1], b, median_b)] {
        let (lo, hi) = match rounds {
            true => min_max(values),
            false => (percentile(values, 0.1), percentile(values, 0.9)),
        };
        println!("    {name:<14} median {med:7.2} µs/call   ({spread} {lo:.2} .. {hi:.2})");
    }
    // Each round's (or pair's) own ratio, then their median.
    let paired_ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b).collect();
    let (lo, hi) = min_max(&paired_ratios);
    let paired = median(&paired_ratios);
    println!(
        "    ratio of medians {ratio:.3} ({:+.2} µs/call); {per} ratios: median {:.3}, \
         range {lo:.3} .. {hi:.3}",
        median_a - median_b,
        paired
    );
    Ratio {
        of_medians: ratio,
        paired,
    }
}

/// The value below which a fraction `p` of `values` lies.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Runs one comparison (A = `a`, B = `b`) and prints it.
async fn compare(
    label: &str,
    a: Side,
    b: Side,
    recorder: &Recorder,
    settings: &Settings,
) -> Ratios {
    println!("\n{label}");
    let note = same_request(
        &shape(&recorder.record(&a).await),
        &shape(&recorder.record(&b).await),
    );
    println!("  request check: {note}");
    let names = match (&a, &b) {
        (Side::Generated(..), _) => ["generated", "hand-written"],
        _ => ["hand-written A", "hand-written B"],
    };

    for _ in 0..settings.warm_up {
        a.call().await;
        b.call().await;
    }
    println!(
        "  allocations per call (client thread): {} {:.1}, {} {:.1}",
        names[0],
        allocations_per_call(&a, 100).await,
        names[1],
        allocations_per_call(&b, 100).await
    );
    // As many calls as the batches make: half of them timed, an even
    // number of pairs so that each side goes first as often.
    let pairs = (settings.rounds * settings.calls / 4)
        .max(1)
        .next_multiple_of(2);
    let (single_a, single_b) = single_calls(&a, &b, pairs).await;
    let single = report(
        "single calls, the sides alternating call by call (wall clock)",
        names,
        &single_a,
        &single_b,
        false,
    );
    let mut times_a = Vec::new();
    let mut times_b = Vec::new();
    for round in 0..settings.rounds {
        if round % 2 == 0 {
            times_a.push(a.batch(settings.calls).await);
            times_b.push(b.batch(settings.calls).await);
        } else {
            times_b.push(b.batch(settings.calls).await);
            times_a.push(a.batch(settings.calls).await);
        }
    }
    let wall = |side: &[(f64, Option<f64>)]| side.iter().map(|t| t.0).collect::<Vec<_>>();
    let cpu = |side: &[(f64, Option<f64>)]| side.iter().map(|t| t.1).collect::<Option<Vec<_>>>();
    Ratios {
        single,
        wall: report(
            "batches: wall clock, one call",
            names,
            &wall(&times_a),
            &wall(&times_b),
            true,
        ),
        cpu: cpu(&times_a).zip(cpu(&times_b)).map(|(a, b)| {
            report(
                "batches: client-thread CPU time, one call",
                names,
                &a,
                &b,
                true,
            )
        }),
    }
}

/// `pairs` pairs of timed calls, one of each side (which goes first
/// alternates), each call timed alone; the wall-clock times of `a`'s and
/// `b`'s calls, in µs. Each timed call follows an untimed one of its own
/// side: on this one-thread runtime, what hyper's connection task does
/// after a call has returned runs during the next call, and this way that
/// is the same side's work, as in a batch.
async fn single_calls(a: &Side, b: &Side, pairs: u32) -> (Vec<f64>, Vec<f64>) {
    let mut times_a = Vec::with_capacity(pairs as usize);
    let mut times_b = Vec::with_capacity(pairs as usize);
    for pair in 0..pairs {
        let order = if pair % 2 == 0 { [a, b] } else { [b, a] };
        let mut times = [0.0; 2];
        for (side, time) in order.into_iter().zip(&mut times) {
            side.call().await;
            let started = Instant::now();
            side.call().await;
            *time = started.elapsed().as_secs_f64() * 1e6;
        }
        let [first, second] = times;
        let (time_a, time_b) = if pair % 2 == 0 {
            (first, second)
        } else {
            (second, first)
        };
        times_a.push(time_a);
        times_b.push(time_b);
    }
    (times_a, times_b)
}

/// The two sides of comparison `number` (see `main`).
fn sides(number: u32, base_url: &str) -> (Side, Side) {
    let hand_written = || Side::hand_written(http_client(), base_url);
    let generated = || Client::with_base_url(base_url).with_http_client(http_client());
    match number {
        1 => (Side::generated(generated()), hand_written()),
        2 => (
            Side::generated(Client::with_base_url(base_url)),
            hand_written(),
        ),
        3 => (
            Side::generated(generated().with_config(no_features())),
            hand_written(),
        ),
        _ => (hand_written(), hand_written()),
    }
}

/// The generated client's `Config` without its timeout, body cap or retries.
fn no_features() -> Config {
    Config {
        timeout: None,
        max_body_bytes: usize::MAX,
        retry: RetryPolicy::disabled(),
        ..Config::default()
    }
}

fn main() {
    let settings = Settings {
        calls: env_number("BENCH_CALLS", 250).max(1),
        rounds: env_number("BENCH_ROUNDS", 121).max(1),
        warm_up: env_number("BENCH_WARMUP", 1000),
    };
    let recorder = Arc::new(Recorder::default());
    let addr = start_server(recorder.clone());
    let base_url = format!("http://{addr}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    // `BENCH_PROFILE=generated` (or `generated-bare`, as in [3], or
    // `hand-written`): one side alone, BENCH_ROUNDS × BENCH_CALLS calls and
    // nothing printed, for `perf record` or `valgrind --tool=callgrind` to
    // compare the sides' profiles.
    if let Ok(side) = std::env::var("BENCH_PROFILE") {
        let generated = || Client::with_base_url(&base_url).with_http_client(http_client());
        let side = match side.as_str() {
            "generated" => Side::generated(generated()),
            "generated-bare" => Side::generated(generated().with_config(no_features())),
            "hand-written" => Side::hand_written(http_client(), &base_url),
            other => panic!(
                "BENCH_PROFILE is `generated`, `generated-bare` or `hand-written`, not {other:?}"
            ),
        };
        runtime.block_on(async {
            for _ in 0..settings.rounds * settings.calls {
                side.call().await;
            }
        });
        return;
    }

    println!(
        "request_overhead: one `refresh_token` call (POST {PATH}, JSON body and answer, bearer auth)"
    );
    println!(
        "server: raw HTTP/1.1 keep-alive loop on {addr}, own thread and current-thread runtime"
    );
    println!(
        "clients: current-thread tokio runtime on the main thread, one call in flight; \
         {} rounds of {} calls per side (order alternating), after {} warm-up calls per side",
        settings.rounds, settings.calls, settings.warm_up
    );

    // `BENCH_ONLY=1,3`: only the comparisons listed (all by default), for
    // a quicker look at one figure.
    let only: Option<Vec<u32>> = std::env::var("BENCH_ONLY").ok().map(|list| {
        list.split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("BENCH_ONLY lists comparison numbers, as in 1,3")
            })
            .collect()
    });
    let wanted = |n: u32| only.as_ref().is_none_or(|only| only.contains(&n));
    let comparisons = [
        (
            1,
            "[1] generated, default Config (60 s per-attempt timeout, retry policy, \
             16 MiB body cap), on the same reqwest client build as the hand-written one",
            "[1] generated, default Config",
        ),
        (
            2,
            "[2] generated as `Client::with_base_url` makes it: its own default reqwest \
             client (10 s connect timeout, user agent) and default Config",
            "[2] generated, Client::with_base_url defaults",
        ),
        (
            3,
            "[3] generated without timeout or retries (timeout: None, max_body_bytes: \
             usize::MAX, RetryPolicy::disabled()), same reqwest client build",
            "[3] generated, no timeout, no retries",
        ),
        (
            4,
            "[4] control: hand-written vs a second, identical hand-written client \
             (the harness's own bias and noise; expect 1.000)",
            "[4] control: hand-written / hand-written",
        ),
    ];
    let figures = runtime.block_on(async {
        let mut figures = Vec::new();
        for (number, label, name) in comparisons {
            if wanted(number) {
                let (a, b) = sides(number, &base_url);
                figures.push((name, compare(label, a, b, &recorder, &settings).await));
            }
        }
        figures
    });

    println!(
        "\nsummary: generated / hand-written ([4]: A / B); ratio of medians, \
         and in brackets the median of the per-pair or per-round ratios"
    );
    println!("  single calls     batches: wall    batches: CPU     comparison");
    let show = |r: Ratio| format!("{:.3} [{:.3}]", r.of_medians, r.paired);
    for (name, ratios) in figures {
        let cpu = ratios.cpu.map_or("-".to_owned(), show);
        println!(
            "  {:<15}  {:<15}  {cpu:<15}  {name}",
            show(ratios.single),
            show(ratios.wall)
        );
    }
}
