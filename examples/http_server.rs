//! A real HTTP/1.1 server (hyper 1 on tokio) whose handlers acquire a pooled
//! response context: a body buffer, a header map and a scratch map. Each
//! handler encodes its JSON into the pooled buffer with serde_json and hands
//! that buffer to hyper with no copy: `Bytes::from_owner(guard)` takes the
//! context's guard, which goes back to the pool when hyper has sent the body
//! and drops it. `/stats` returns the pool's stats as JSON, and `/metrics`
//! every pool of the process in Prometheus text format, rendered from
//! `repool::pools()` (no exporter needed; with the `metrics` feature,
//! `repool::metrics::publish()` feeds the same names to any exporter).
//!
//! The default run (`--self-test`) serves on a loopback port, drives the
//! server with concurrent keep-alive clients in the same process, checks
//! every response, then does the same against the same server with a fresh
//! context per request. A counting global allocator measures what pooling
//! saves. `--serve` keeps it running for curl.
//!
//! ```text
//! cargo run --release --example http_server
//! cargo run --release --example http_server -- --serve 8080
//! ```

mod support;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HOST, HeaderMap, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use repool::{Guard, Pooled, Stats, pools};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use support::Checks;
use support::counting_alloc::{self, CountingAlloc};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Everything a handler needs to build one response. Pooled, a warm context
/// already has room for a typical body, its headers and its scratch map.
#[derive(Pooled, Default)]
#[pooled(capacity = 256)]
struct ResponseCtx {
    // A rare huge response must not pin its buffer in the pool.
    #[pooled(max_capacity = 256 * 1024)]
    body: Vec<u8>,
    /// An `http::HeaderMap` (hyper's), whose reset (repool's `http`
    /// feature) clears it and keeps its tables for the next response.
    #[pooled(max_capacity = 64)]
    headers: HeaderMap,
    /// Per-request aggregation: cents per product category.
    scratch: HashMap<&'static str, u64>,
}

/// The context's bytes are its body: what lets `Bytes::from_owner` take a
/// `Guard<ResponseCtx>` (the guard forwards `AsRef<[u8]>` to its object).
impl AsRef<[u8]> for ResponseCtx {
    fn as_ref(&self) -> &[u8] {
        &self.body
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `ResponseCtx::acquire()` per request.
    Pooled,
    /// A new `ResponseCtx` per request, as without a pool.
    Fresh,
}

// ---- the application: orders rendered as JSON ---------------------------

const CATEGORIES: [&str; 6] = ["books", "garden", "kitchen", "music", "tools", "toys"];

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Line {
    sku: u32,
    category: String,
    quantity: u32,
    price_cents: u64,
}

/// The lines of order `id`, computed, so the server needs no database and
/// the client can recompute what it expects.
fn order_lines(id: u64) -> impl Iterator<Item = (u32, &'static str, u32, u64)> {
    (0..5 + id % 20).map(move |n| {
        let sku = ((id * 7919 + n * 104_729) % 1_000_000) as u32;
        let category = CATEGORIES[((id + n * 5) % 6) as usize];
        let quantity = (1 + (id + n) % 4) as u32;
        let price_cents = 99 + (id * 31 + n * 17) % 10_000;
        (sku, category, quantity, price_cents)
    })
}

/// Serializes the lines straight from the generator: the handler allocates
/// nothing but what the context holds.
struct LinesOf(u64);

impl Serialize for LinesOf {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct LineRef {
            sku: u32,
            category: &'static str,
            quantity: u32,
            price_cents: u64,
        }
        let mut seq = serializer.serialize_seq(None)?;
        for (sku, category, quantity, price_cents) in order_lines(self.0) {
            seq.serialize_element(&LineRef {
                sku,
                category,
                quantity,
                price_cents,
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct OrderView<'a> {
    id: u64,
    lines: LinesOf,
    totals: &'a HashMap<&'static str, u64>,
    total_cents: u64,
}

/// What the client parses back.
#[derive(Deserialize, Debug, PartialEq)]
struct OrderCheck {
    id: u64,
    lines: Vec<Line>,
    totals: HashMap<String, u64>,
    total_cents: u64,
}

fn expected_order(id: u64) -> OrderCheck {
    let mut totals = HashMap::new();
    let lines: Vec<Line> = order_lines(id)
        .map(|(sku, category, quantity, price_cents)| {
            *totals.entry(category.to_owned()).or_default() += u64::from(quantity) * price_cents;
            Line {
                sku,
                category: category.to_owned(),
                quantity,
                price_cents,
            }
        })
        .collect();
    OrderCheck {
        id,
        total_cents: totals.values().sum(),
        lines,
        totals,
    }
}

/// The handler's work, into whatever context it is given.
fn render_order(ctx: &mut ResponseCtx, id: u64) {
    for (_, category, quantity, price_cents) in order_lines(id) {
        *ctx.scratch.entry(category).or_default() += u64::from(quantity) * price_cents;
    }
    let view = OrderView {
        id,
        lines: LinesOf(id),
        total_cents: ctx.scratch.values().sum(),
        totals: &ctx.scratch,
    };
    serde_json::to_writer(&mut ctx.body, &view).expect("serializing to a Vec cannot fail");
    ctx.headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    ctx.headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("max-age=60"));
}

#[derive(Serialize, Deserialize, Debug, Default, PartialEq)]
struct StatsView {
    capacity: usize,
    acquired: u64,
    reused: u64,
    built: u64,
    returned: u64,
    discarded: u64,
    over_capacity: u64,
    oversized: u64,
    idle: usize,
    hit_rate: f64,
}

impl StatsView {
    fn now() -> Self {
        let s = ResponseCtx::pool().stats();
        StatsView {
            capacity: ResponseCtx::pool().capacity(),
            acquired: s.acquired,
            reused: s.reused,
            built: s.built,
            returned: s.returned,
            discarded: s.discarded,
            over_capacity: s.over_capacity,
            oversized: s.oversized,
            idle: s.idle,
            hit_rate: s.hit_rate(),
        }
    }
}

// ---- the server ------------------------------------------------------------

async fn handle(req: Request<Incoming>, mode: Mode) -> Result<Response<Full<Bytes>>, Infallible> {
    let id = match (req.method(), req.uri().path()) {
        (&Method::GET, "/stats") => {
            let mut ctx = ResponseCtx::acquire();
            serde_json::to_writer(&mut ctx.body, &StatsView::now())
                .expect("serializing to a Vec cannot fail");
            ctx.headers
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            return Ok(pooled_response(ctx));
        }
        (&Method::GET, "/metrics") => {
            let mut ctx = ResponseCtx::acquire();
            render_metrics(&mut ctx.body);
            let text = HeaderValue::from_static("text/plain; version=0.0.4");
            ctx.headers.insert(CONTENT_TYPE, text);
            return Ok(pooled_response(ctx));
        }
        (&Method::GET, path) => path.strip_prefix("/orders/").and_then(|id| id.parse().ok()),
        _ => None,
    };
    let Some(id) = id else {
        let mut not_found = Response::new(Full::new(Bytes::from_static(b"not found\n")));
        *not_found.status_mut() = StatusCode::NOT_FOUND;
        return Ok(not_found);
    };
    let _counted = HandlerScope::enter();
    Ok(match mode {
        Mode::Pooled => {
            let mut ctx = ResponseCtx::acquire();
            render_order(&mut ctx, id);
            pooled_response(ctx)
        }
        Mode::Fresh => {
            let mut ctx = ResponseCtx::default();
            render_order(&mut ctx, id);
            // No copy either, but the fresh buffer is given away: freed
            // with the body, never reused.
            json_head(&mut ctx.headers)
                .map(|()| Full::new(Bytes::from(std::mem::take(&mut ctx.body))))
        }
    })
}

/// Every pool of the process in Prometheus text format: a few of the
/// series of repool's `metrics` feature, under the same names. Pools that
/// share a name are summed, as one label set is one series.
fn render_metrics(out: &mut Vec<u8>) {
    use std::io::Write;
    let mut by_name: Vec<(&str, Stats, usize)> = Vec::new();
    for pool in pools() {
        match by_name.iter_mut().find(|(name, ..)| *name == pool.name) {
            Some((_, stats, capacity)) => {
                let (a, b) = (*stats, pool.stats);
                stats.acquired = a.acquired + b.acquired;
                stats.reused = a.reused + b.reused;
                stats.built = a.built + b.built;
                stats.returned = a.returned + b.returned;
                stats.idle = a.idle + b.idle;
                *capacity += pool.capacity;
            }
            None => by_name.push((pool.name, pool.stats, pool.capacity)),
        }
    }
    type Value = fn(&Stats, usize) -> u64;
    let families: [(&str, &str, &str, Value); 7] = [
        (
            "repool_acquired_total",
            "counter",
            "Guards handed out.",
            |s, _| s.acquired,
        ),
        (
            "repool_reused_total",
            "counter",
            "Acquires served by an idle object.",
            |s, _| s.reused,
        ),
        ("repool_built_total", "counter", "Objects built.", |s, _| {
            s.built
        }),
        (
            "repool_returned_total",
            "counter",
            "Objects that went back idle.",
            |s, _| s.returned,
        ),
        ("repool_idle", "gauge", "Idle objects now.", |s, _| {
            s.idle as u64
        }),
        (
            "repool_in_use",
            "gauge",
            "Objects out of the pool now.",
            |s, _| s.in_use,
        ),
        (
            "repool_capacity",
            "gauge",
            "The most idle objects kept.",
            |_, c| c as u64,
        ),
    ];
    for (family, kind, help, value) in families {
        let _ = writeln!(out, "# HELP {family} {help}\n# TYPE {family} {kind}");
        for (name, stats, capacity) in &by_name {
            // A label value escapes `\`, `"` and newlines.
            let name = name
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            let _ = writeln!(
                out,
                "{family}{{pool=\"{name}\"}} {}",
                value(stats, *capacity)
            );
        }
    }
}

/// Responses whose body was the pooled buffer itself, not a copy.
static SENT_IN_PLACE: AtomicU64 = AtomicU64::new(0);

/// The response for a pooled context, with no copy: the body *is* the
/// pooled buffer. `Bytes::from_owner` takes the guard (it asks only for
/// `AsRef<[u8]> + Send + 'static`), so the context is reset and goes back to
/// the pool when the last clone of the body drops: after hyper has written
/// it, on whichever worker thread that is.
fn pooled_response(mut ctx: Guard<ResponseCtx>) -> Response<Full<Bytes>> {
    let head = json_head(&mut ctx.headers);
    let buffer = ctx.body.as_ptr();
    let body = Bytes::from_owner(ctx);
    if body.as_ptr() == buffer {
        SENT_IN_PLACE.fetch_add(1, Ordering::Relaxed);
    }
    head.map(|()| Full::new(body))
}

/// A response carrying `headers`, moved out with `drain`, which keeps a
/// pooled map's tables.
fn json_head(headers: &mut HeaderMap) -> Response<()> {
    let mut head = Response::new(());
    head.headers_mut().extend(headers.drain());
    head
}

/// Serves `listener` until the returned task is aborted.
fn serve(listener: TcpListener, mode: Mode) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Dropped with this task, which aborts every connection.
        let mut connections = JoinSet::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of file descriptors, say: wait instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let service = service_fn(move |req| handle(req, mode));
            connections.spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
            // Reap finished connections so the set does not grow.
            while connections.try_join_next().is_some() {}
        }
    })
}

// ---- the client --------------------------------------------------------------

type Client = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

async fn connect(addr: SocketAddr) -> Client {
    let stream = TcpStream::connect(addr)
        .await
        .expect("connect to the server");
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("HTTP handshake");
    tokio::spawn(connection);
    sender
}

async fn get(client: &mut Client, path: &str) -> (StatusCode, Option<HeaderValue>, Bytes) {
    client.ready().await.expect("connection ready");
    let request = Request::get(path)
        .header(HOST, "127.0.0.1")
        .body(Empty::new())
        .expect("a valid request");
    let response = client.send_request(request).await.expect("a response");
    let status = response.status();
    let content_type = response.headers().get(CONTENT_TYPE).cloned();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the whole body")
        .to_bytes();
    (status, content_type, body)
}

/// One connection's share of the requests; returns how many checked out.
async fn drive(addr: SocketAddr, ids: Vec<u64>) -> usize {
    let mut client = connect(addr).await;
    let mut ok = 0;
    for id in ids {
        let (status, content_type, body) = get(&mut client, &format!("/orders/{id}")).await;
        let parsed: Option<OrderCheck> = serde_json::from_slice(&body).ok();
        if status == StatusCode::OK
            && content_type
                .as_ref()
                .is_some_and(|v| v == "application/json")
            && parsed == Some(expected_order(id))
        {
            ok += 1;
        }
    }
    ok
}

// ---- measuring -----------------------------------------------------------------

// Process-wide counts: the client and hyper allocate on every worker
// thread. The handlers' share comes from the per-thread counts, through
// `HandlerScope`.
#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc::PROCESS_WIDE;

/// Allocations made while a handler renders, on any thread.
static HANDLER_ALLOCS: AtomicU64 = AtomicU64::new(0);

/// Heap bytes that handlers allocated and did not free: what each response
/// takes from the allocator and hands to hyper.
static HANDLER_NET_BYTES: AtomicI64 = AtomicI64::new(0);

/// Adds to `HANDLER_ALLOCS` and `HANDLER_NET_BYTES` what this thread
/// allocates from `enter` to the drop. Handler rendering is synchronous, so
/// the scope never spans an `.await` and the thread cannot change under it.
struct HandlerScope {
    allocs_before: u64,
    net_bytes_before: i64,
}

impl HandlerScope {
    fn enter() -> Self {
        HandlerScope {
            allocs_before: counting_alloc::thread_allocs(),
            net_bytes_before: counting_alloc::thread_net_bytes(),
        }
    }
}

impl Drop for HandlerScope {
    fn drop(&mut self) {
        let made = counting_alloc::thread_allocs() - self.allocs_before;
        HANDLER_ALLOCS.fetch_add(made, Ordering::Relaxed);
        let kept = counting_alloc::thread_net_bytes() - self.net_bytes_before;
        HANDLER_NET_BYTES.fetch_add(kept, Ordering::Relaxed);
    }
}

#[derive(Debug)]
struct Pass {
    requests: usize,
    connections: usize,
    checked_ok: usize,
    elapsed: Duration,
    process_allocs: u64,
    handler_allocs: u64,
    handler_net_bytes: i64,
    /// Responses whose body was the pooled buffer itself.
    sent_in_place: u64,
    /// Pool counters during this pass only.
    acquired: u64,
    reused: u64,
    built: u64,
}

/// Starts a server in `mode`, sends `requests` requests over `connections`
/// keep-alive connections, and measures.
async fn run_pass(mode: Mode, requests: usize, connections: usize) -> Pass {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    let server = serve(listener, mode);

    let pool_before = ResponseCtx::pool().stats();
    let (process_before, handler_before, net_bytes_before, in_place_before) = (
        counting_alloc::process_allocs(),
        HANDLER_ALLOCS.load(Ordering::Relaxed),
        HANDLER_NET_BYTES.load(Ordering::Relaxed),
        SENT_IN_PLACE.load(Ordering::Relaxed),
    );
    let start = Instant::now();
    let mut clients = JoinSet::new();
    for c in 0..connections {
        let ids: Vec<u64> = (0..requests as u64)
            .filter(|i| *i as usize % connections == c)
            .collect();
        clients.spawn(drive(addr, ids));
    }
    let checked_ok = clients.join_all().await.into_iter().sum();
    let elapsed = start.elapsed();
    let process_allocs = counting_alloc::process_allocs() - process_before;
    let handler_allocs = HANDLER_ALLOCS.load(Ordering::Relaxed) - handler_before;
    let handler_net_bytes = HANDLER_NET_BYTES.load(Ordering::Relaxed) - net_bytes_before;
    let sent_in_place = SENT_IN_PLACE.load(Ordering::Relaxed) - in_place_before;
    let pool_after = ResponseCtx::pool().stats();
    server.abort();
    Pass {
        requests,
        connections,
        checked_ok,
        elapsed,
        process_allocs,
        handler_allocs,
        handler_net_bytes,
        sent_in_place,
        acquired: pool_after.acquired - pool_before.acquired,
        reused: pool_after.reused - pool_before.reused,
        built: pool_after.built - pool_before.built,
    }
}

/// Fetches `path` from a fresh server in pooled mode.
async fn fetch(path: &str) -> (StatusCode, Bytes) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    let server = serve(listener, Mode::Pooled);
    let mut client = connect(addr).await;
    let (status, _, body) = get(&mut client, path).await;
    server.abort();
    (status, body)
}

/// The value of `family` for `pool` in a scrape, if it has exactly one.
fn scraped(text: &str, family: &str, pool: &str) -> Option<u64> {
    let series = format!("{family}{{pool=\"{pool}\"}} ");
    let mut values = text.lines().filter_map(|l| l.strip_prefix(&series));
    let value = values.next()?.parse().ok();
    values.next().is_none().then_some(value?)
}

#[derive(Debug)]
struct SelfTest {
    pooled: Pass,
    fresh: Pass,
    stats_status: StatusCode,
    stats: Option<StatsView>,
    metrics_status: StatusCode,
    metrics: String,
    pool_at_end: Stats,
}

impl SelfTest {
    fn failures(&self) -> Vec<String> {
        let mut checks = Checks::default();
        for pass in [&self.pooled, &self.fresh] {
            checks.expect(
                pass.checked_ok == pass.requests,
                "every response checked out",
            );
        }
        checks.expect(
            self.pooled.acquired == self.pooled.requests as u64,
            "one acquire per pooled request",
        );
        checks.expect(self.pooled.reused > 0, "the pool served some requests");
        checks.expect(
            self.pooled.sent_in_place == self.pooled.requests as u64,
            "every pooled body went to hyper in place, not copied",
        );
        // A context is in use from its acquire until hyper drops the body
        // it became, at most two per connection (one being sent while the
        // next request is handled); and up to a cache of idle ones may sit
        // on the worker thread that is not acquiring. So the contexts built
        // follow the concurrency, never the request count: every body buffer
        // was reused after hyper let go of it.
        // (`support::multi_thread_runtime` has two workers; a thread's
        // cache holds up to 32 objects.)
        let (workers, thread_cache) = (2, 32);
        checks.expect(
            self.pooled.built <= 2 * self.pooled.connections as u64 + workers * thread_cache,
            "the pooled pass built contexts for its concurrency, not per request",
        );
        checks.expect(
            self.fresh.acquired == 0,
            "the fresh pass never touched the pool",
        );
        checks.expect(
            self.pooled.handler_allocs < self.fresh.handler_allocs,
            "pooled handlers allocate less",
        );
        checks.expect(self.stats_status == StatusCode::OK, "/stats answered 200");
        checks.expect(
            self.stats
                .as_ref()
                .is_some_and(|s| s.acquired > self.pooled.acquired && s.idle <= s.capacity),
            "/stats counts every acquire and stays within capacity",
        );
        checks.expect(
            self.pool_at_end.idle <= ResponseCtx::pool().capacity(),
            "idle within capacity",
        );
        checks.expect(
            self.metrics_status == StatusCode::OK,
            "/metrics answered 200",
        );
        let ctx = std::any::type_name::<ResponseCtx>();
        checks.expect(
            scraped(&self.metrics, "repool_acquired_total", ctx)
                .is_some_and(|n| n > self.pooled.acquired),
            "/metrics counts every acquire of the context pool",
        );
        checks.expect(
            scraped(&self.metrics, "repool_capacity", ctx) == Some(256),
            "/metrics gives the context pool's capacity",
        );
        checks.expect(
            pools()
                .iter()
                .all(|p| scraped(&self.metrics, "repool_idle", p.name).is_some()),
            "/metrics lists every pool of the process",
        );
        checks.failures()
    }
}

fn per_request(count: u64, pass: &Pass) -> f64 {
    count as f64 / pass.requests as f64
}

fn self_test(requests: usize, connections: usize) -> SelfTest {
    let runtime = support::multi_thread_runtime();
    let report = runtime.block_on(async {
        // Pooled first: any one-time setup cost of tokio and hyper lands on
        // the pooled pass, so the savings below are if anything understated.
        let pooled = run_pass(Mode::Pooled, requests, connections).await;
        let fresh = run_pass(Mode::Fresh, requests, connections).await;
        let (stats_status, stats) = fetch("/stats").await;
        let stats: Option<StatsView> = serde_json::from_slice(&stats).ok();
        let (metrics_status, metrics) = fetch("/metrics").await;
        let metrics = String::from_utf8_lossy(&metrics).into_owned();
        SelfTest {
            pooled,
            fresh,
            stats_status,
            stats,
            metrics_status,
            metrics,
            pool_at_end: ResponseCtx::pool().stats(),
        }
    });
    drop(runtime);

    println!(
        "{requests} GET /orders/{{id}} over {connections} keep-alive connections on 127.0.0.1, each JSON body parsed and checked\n"
    );
    println!("{:<34}{:>14}{:>14}", "", "pooled ctx", "fresh ctx");
    let (p, f) = (&report.pooled, &report.fresh);
    let row = |label: &str, a: String, b: String| println!("{label:<34}{a:>14}{b:>14}");
    row(
        "responses checked ok",
        format!("{}/{}", p.checked_ok, p.requests),
        format!("{}/{}", f.checked_ok, f.requests),
    );
    row(
        "requests/s",
        format!("{:.0}", p.requests as f64 / p.elapsed.as_secs_f64()),
        format!("{:.0}", f.requests as f64 / f.elapsed.as_secs_f64()),
    );
    row(
        "allocations per request, handler",
        format!("{:.2}", per_request(p.handler_allocs, p)),
        format!("{:.2}", per_request(f.handler_allocs, f)),
    );
    row(
        "allocations per request, process",
        format!("{:.2}", per_request(p.process_allocs, p)),
        format!("{:.2}", per_request(f.process_allocs, f)),
    );
    row(
        "heap bytes per response, handler",
        format!("{:.0}", p.handler_net_bytes as f64 / p.requests as f64),
        format!("{:.0}", f.handler_net_bytes as f64 / f.requests as f64),
    );
    row(
        "bodies sent from pooled buffer",
        format!("{}/{}", p.sent_in_place, p.requests),
        "-".to_owned(),
    );
    row(
        "pool hit rate",
        format!("{:.2}%", p.reused as f64 * 100.0 / p.acquired.max(1) as f64),
        "-".to_owned(),
    );
    let saved = f.process_allocs as i64 - p.process_allocs as i64;
    println!(
        "\npooling saved {} allocations in the handlers ({:.1} per request) and {saved} in the whole process ({:.1}%);",
        f.handler_allocs - p.handler_allocs.min(f.handler_allocs),
        per_request(f.handler_allocs, f) - per_request(p.handler_allocs, p),
        saved as f64 * 100.0 / f.process_allocs.max(1) as f64
    );
    println!(
        "the pooled pass built {} contexts for {} requests (allocations counted: alloc + realloc, client included in \"process\")",
        p.built, p.acquired
    );
    match &report.stats {
        Some(s) => println!(
            "GET /stats -> {}: acquired {}, reused {}, built {}, idle {}/{}, hit rate {:.3}",
            report.stats_status, s.acquired, s.reused, s.built, s.idle, s.capacity, s.hit_rate
        ),
        None => println!("GET /stats -> {}: unreadable body", report.stats_status),
    }
    let series = report.metrics.lines().filter(|l| !l.starts_with('#'));
    println!(
        "GET /metrics -> {}: {} series over {} pools",
        report.metrics_status,
        series.count(),
        pools().len()
    );
    report
}

fn serve_forever(port: u16) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the loopback port");
        let addr = listener.local_addr().expect("the bound address");
        println!("serving on http://{addr} (loopback only); Ctrl-C to stop");
        println!("  curl http://{addr}/orders/42");
        println!("  curl http://{addr}/stats");
        println!("  curl http://{addr}/metrics");
        serve(listener, Mode::Pooled)
            .await
            .expect("the server task never ends");
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] | ["--self-test"] => support::exit_if_failed(&self_test(20_000, 16).failures()),
        ["--serve"] => serve_forever(0),
        ["--serve", port] => serve_forever(port.parse().expect("--serve takes a port number")),
        _ => {
            eprintln!("usage: http_server [--self-test | --serve [PORT]]");
            std::process::exit(2);
        }
    }
}

support::self_test!(self_test(400, 8), |report| {
    assert_eq!(report.pooled.checked_ok, 400);
    assert_eq!(report.fresh.checked_ok, 400);
});
