//! The market-data case from the Go `sync.Pool` articles: 50,000 messages a
//! second, made and filled by producer threads, dropped by consumer threads.
//! Once a second the consumers stall for 300 ms (a downstream flush), so
//! 15,000 messages pile up and then all come back at once.
//!
//! A bounded repool pool keeps at most `capacity` of them and frees the rest;
//! an unbounded `Mutex<Vec<Box<T>>>` pool (what `sync.Pool` amounts to
//! between collections) keeps all 15,000 for ever. Each variant runs in its
//! own child process, at the same time, so each memory figure belongs to one
//! pool only: the live heap (from a counting global allocator) and the
//! resident set (from `/proc/self/statm`).
//!
//! The bounded variant also runs `repool::trim_every`, so after the load
//! stops its idle messages drain away within two trims, while the unbounded
//! pool keeps its largest burst.
//!
//! ```text
//! cargo run --release --example pipeline -- --seconds 5
//! ```

mod support;

use std::env;
use std::io::{BufRead, BufReader};
use std::ops::DerefMut;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use repool::{Guard, Pooled, Reset};
use support::Checks;
use support::counting_alloc::{self, CountingAlloc};

const RATE_PER_SECOND: u64 = 50_000;
const PRODUCERS: usize = 2;
const STALL: Duration = Duration::from_millis(300);
const STALL_AT: Duration = Duration::from_millis(500);
const CAPACITY: usize = 256;
const PAYLOAD: usize = 1024;
/// How often the bounded variant's `trim_every` trims every pool.
const TRIM_PERIOD: Duration = Duration::from_millis(250);

/// One market-data message: its buffers are what pooling saves.
#[derive(Pooled)]
#[pooled(capacity = CAPACITY, new = Tick::new)]
struct Tick {
    seq: u64,
    symbol: String,
    bids: Vec<(u64, u64)>,
    asks: Vec<(u64, u64)>,
    raw: Vec<u8>,
}

impl Tick {
    fn new() -> Self {
        Tick {
            seq: 0,
            symbol: String::with_capacity(8),
            bids: Vec::with_capacity(10),
            asks: Vec::with_capacity(10),
            raw: Vec::with_capacity(PAYLOAD),
        }
    }

    fn fill(&mut self, seq: u64) {
        const SYMBOLS: [&str; 4] = ["AAPL", "MSFT", "NVDA", "TSLA"];
        self.seq = seq;
        self.symbol.push_str(SYMBOLS[(seq % 4) as usize]);
        let mid = 10_000 + seq % 500;
        self.bids.extend((1..=10).map(|i| (mid - i, 100 * i)));
        self.asks.extend((1..=10).map(|i| (mid + i, 100 * i)));
        self.raw
            .extend((0..PAYLOAD).map(|i| (seq as usize + i) as u8));
    }

    /// What a consumer computes, so the fill is not dead code.
    fn spread(&self) -> u64 {
        self.asks[0].0 - self.bids[0].0 + u64::from(self.raw[PAYLOAD - 1] & 1)
    }
}

/// What `sync.Pool` does between two garbage collections: keep everything
/// that is put back, however much.
struct UnboundedPool<T> {
    idle: Mutex<Vec<Box<T>>>,
    make: fn() -> T,
    built: AtomicU64,
}

impl<T: Reset> UnboundedPool<T> {
    const fn new(make: fn() -> T) -> Self {
        UnboundedPool {
            idle: Mutex::new(Vec::new()),
            make,
            built: AtomicU64::new(0),
        }
    }

    fn get(&self) -> Box<T> {
        let reused = self.idle.lock().expect("pool lock poisoned").pop();
        reused.unwrap_or_else(|| {
            self.built.fetch_add(1, Ordering::Relaxed);
            Box::new((self.make)())
        })
    }

    fn put(&self, mut obj: Box<T>) {
        obj.reset();
        self.idle.lock().expect("pool lock poisoned").push(obj);
    }

    fn idle(&self) -> usize {
        self.idle.lock().expect("pool lock poisoned").len()
    }
}

static UNBOUNDED: UnboundedPool<Tick> = UnboundedPool::new(Tick::new);

/// The two pools behind one interface, so the pipeline code is shared.
trait Variant {
    const NAME: &'static str;
    type Msg: DerefMut<Target = Tick> + Send + 'static;
    fn get() -> Self::Msg;
    fn put(msg: Self::Msg);
    fn idle() -> usize;
    fn built() -> u64;
    /// Starts trimming, for the variants that can.
    fn trim() -> Option<repool::Trimmer>;
}

struct Bounded;

impl Variant for Bounded {
    const NAME: &'static str = "bounded";
    type Msg = Guard<Tick>;
    fn get() -> Guard<Tick> {
        Tick::acquire()
    }
    fn put(msg: Guard<Tick>) {
        drop(msg);
    }
    fn idle() -> usize {
        Tick::pool().stats().idle
    }
    fn built() -> u64 {
        Tick::pool().stats().built
    }
    fn trim() -> Option<repool::Trimmer> {
        Some(repool::trim_every(TRIM_PERIOD))
    }
}

struct Unbounded;

impl Variant for Unbounded {
    const NAME: &'static str = "unbounded";
    type Msg = Box<Tick>;
    fn get() -> Box<Tick> {
        UNBOUNDED.get()
    }
    fn put(msg: Box<Tick>) {
        UNBOUNDED.put(msg);
    }
    fn idle() -> usize {
        UNBOUNDED.idle()
    }
    fn built() -> u64 {
        UNBOUNDED.built.load(Ordering::Relaxed)
    }
    fn trim() -> Option<repool::Trimmer> {
        None
    }
}

// The live heap of the whole process, sampled once a second while the
// producers and consumers allocate.
#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc::PROCESS_WIDE;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Sample {
    second: u64,
    idle: usize,
    heap_bytes: u64,
    rss_bytes: u64,
    built: u64,
}

#[derive(Debug)]
struct Finished {
    produced: u64,
    consumed: u64,
    /// Idle messages once the load stopped and the threads exited, then
    /// after two more trims (or as long, for a variant that does not trim).
    idle_when_quiet: [usize; 2],
}

/// Runs one variant for `seconds`, calling `on_sample` once a second.
fn run_variant<V: Variant>(seconds: u64, mut on_sample: impl FnMut(Sample)) -> Finished {
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let produced = AtomicU64::new(0);
    let consumed = AtomicU64::new(0);
    let page = page_size();
    let trimmer = V::trim();
    thread::scope(|s| {
        for p in 0..PRODUCERS {
            let (tx, rx) = mpsc::channel::<V::Msg>();
            let (produced, consumed) = (&produced, &consumed);
            s.spawn(move || {
                let per_producer = RATE_PER_SECOND / PRODUCERS as u64;
                let mut sent = 0u64;
                while Instant::now() < end {
                    let due = start.elapsed().as_micros() as u64 * per_producer / 1_000_000;
                    while sent < due {
                        let mut msg = V::get();
                        msg.fill(sent * PRODUCERS as u64 + p as u64);
                        tx.send(msg).expect("consumer hung up");
                        sent += 1;
                    }
                    thread::sleep(Duration::from_millis(1));
                }
                produced.fetch_add(sent, Ordering::Relaxed);
            });
            s.spawn(move || {
                let mut checksum = 0u64;
                for msg in rx {
                    let into_second = start.elapsed().as_nanos() % 1_000_000_000;
                    let stall_at = STALL_AT.as_nanos();
                    if (stall_at..stall_at + STALL.as_nanos()).contains(&into_second) {
                        thread::sleep(Duration::from_nanos(
                            (stall_at + STALL.as_nanos() - into_second) as u64,
                        ));
                    }
                    checksum = checksum.wrapping_add(msg.spread());
                    V::put(msg);
                    consumed.fetch_add(1, Ordering::Relaxed);
                }
                std::hint::black_box(checksum);
            });
        }
        for second in 1..=seconds {
            let at = start + Duration::from_secs(second);
            thread::sleep(at.saturating_duration_since(Instant::now()));
            on_sample(Sample {
                second,
                idle: V::idle(),
                heap_bytes: u64::try_from(counting_alloc::process_live_bytes()).unwrap_or(0),
                rss_bytes: resident_pages() * page,
                built: V::built(),
            });
        }
    });
    // The load stopped and its threads exited, handing their caches to
    // the shared layer: two trims later, nothing it left idle remains.
    let stopped = V::idle();
    match &trimmer {
        Some(trimmer) => {
            let rounds = trimmer.rounds();
            while trimmer.rounds() < rounds + 2 {
                thread::sleep(Duration::from_millis(5));
            }
        }
        None => thread::sleep(TRIM_PERIOD * 2),
    }
    Finished {
        produced: produced.into_inner(),
        consumed: consumed.into_inner(),
        idle_when_quiet: [stopped, V::idle()],
    }
}

/// Resident pages of this process: the second field of `/proc/self/statm`.
fn resident_pages() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// The page size from the auxiliary vector (`AT_PAGESZ`), which spares a
/// libc dependency; 4 KiB if it cannot be read.
fn page_size() -> u64 {
    const AT_PAGESZ: u64 = 6;
    const WORD: usize = size_of::<usize>();
    let auxv = std::fs::read("/proc/self/auxv").unwrap_or_default();
    auxv.chunks_exact(2 * WORD)
        .map(|pair| {
            let word = |b: &[u8]| usize::from_ne_bytes(b.try_into().expect("one word")) as u64;
            (word(&pair[..WORD]), word(&pair[WORD..]))
        })
        .find(|&(key, _)| key == AT_PAGESZ)
        .map_or(4096, |(_, value)| value)
}

/// Set in a child process: which variant to run, and for how long.
const CHILD_ENV: &str = "REPOOL_PIPELINE_CHILD";

/// The child's side: run one variant, print one parseable line per sample.
fn child(spec: &str) {
    let (variant, seconds) = spec.split_once(':').expect("variant:seconds");
    let seconds: u64 = seconds.parse().expect("seconds");
    let print = |s: Sample| {
        println!(
            "@sample {} {} {} {} {}",
            s.second, s.idle, s.heap_bytes, s.rss_bytes, s.built
        )
    };
    let done = match variant {
        "bounded" => run_variant::<Bounded>(seconds, print),
        "unbounded" => run_variant::<Unbounded>(seconds, print),
        other => panic!("unknown variant {other}"),
    };
    println!(
        "@done {} {} {} {}",
        done.produced, done.consumed, done.idle_when_quiet[0], done.idle_when_quiet[1]
    );
}

#[derive(Debug, Default)]
struct ChildReport {
    samples: Vec<Sample>,
    produced: u64,
    consumed: u64,
    idle_when_quiet: [u64; 2],
}

fn parse_child(out: impl BufRead) -> ChildReport {
    let mut report = ChildReport::default();
    for line in out.lines().map_while(Result::ok) {
        // The test harness may print its own text on the same line.
        let Some(at) = line.find('@') else { continue };
        let fields: Vec<&str> = line[at..].split_whitespace().collect();
        let num = |i: usize| fields[i].parse::<u64>().expect("a number from the child");
        match fields[0] {
            "@sample" => report.samples.push(Sample {
                second: num(1),
                idle: num(2) as usize,
                heap_bytes: num(3),
                rss_bytes: num(4),
                built: num(5),
            }),
            "@done" => {
                (report.produced, report.consumed) = (num(1), num(2));
                report.idle_when_quiet = [num(3), num(4)];
            }
            _ => {}
        }
    }
    report
}

/// Starts both variants at once, each in its own process (`launch` builds
/// the command), and prints their samples side by side.
fn side_by_side(seconds: u64, launch: impl Fn() -> Command) -> [ChildReport; 2] {
    println!(
        "{RATE_PER_SECOND} msgs/s, {PRODUCERS} producers -> {PRODUCERS} consumers, consumers stall {} ms every second\n",
        STALL.as_millis()
    );
    let children = [Bounded::NAME, Unbounded::NAME].map(|name| {
        launch()
            .env(CHILD_ENV, format!("{name}:{seconds}"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot start the child process")
    });
    let reports = children.map(|mut child| {
        let out = child.stdout.take().expect("piped stdout");
        let report = parse_child(BufReader::new(out));
        let status = child.wait().expect("child did not run");
        assert!(status.success(), "child failed: {status}");
        report
    });
    println!(
        "{:>4}  {:^35}  {:^35}",
        "",
        format!("repool, capacity {CAPACITY}"),
        "unbounded Mutex<Vec<Box<T>>>"
    );
    println!(
        "{:>4}  {:>7} {:>8} {:>8} {:>9}  {:>7} {:>8} {:>8} {:>9}",
        "t", "idle", "heap MiB", "RSS MiB", "built", "idle", "heap MiB", "RSS MiB", "built"
    );
    for (b, u) in reports[0].samples.iter().zip(&reports[1].samples) {
        println!(
            "{:>3}s  {:>7} {:>8.1} {:>8.1} {:>9}  {:>7} {:>8.1} {:>8.1} {:>9}",
            b.second,
            b.idle,
            mib(b.heap_bytes),
            mib(b.rss_bytes),
            b.built,
            u.idle,
            mib(u.heap_bytes),
            mib(u.rss_bytes),
            u.built
        );
    }
    let [b, u] = &reports;
    println!(
        "\nmessages produced/consumed: bounded {}/{}, unbounded {}/{}",
        b.produced, b.consumed, u.produced, u.consumed
    );
    println!(
        "the bounded pool never kept more than {CAPACITY} idle messages and rebuilt the rest after each burst;"
    );
    println!("the unbounded one built once and then held every message of the largest burst.");
    println!(
        "when the load stopped: bounded {} idle, {} after two trims (trim_every, {} ms); unbounded {} idle, {} as long after",
        b.idle_when_quiet[0],
        b.idle_when_quiet[1],
        TRIM_PERIOD.as_millis(),
        u.idle_when_quiet[0],
        u.idle_when_quiet[1]
    );
    println!(
        "heap: bytes the program holds (counting allocator). RSS: pages the OS lent the process;\nthe allocator does not always hand freed, fragmented pages back, so RSS can stay high after frees."
    );
    reports
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

fn failures([bounded, unbounded]: &[ChildReport; 2], seconds: u64) -> Vec<String> {
    let mut checks = Checks::default();
    for r in [bounded, unbounded] {
        checks.expect(r.samples.len() == seconds as usize, "one sample per second");
        checks.expect(
            r.produced > 0 && r.produced == r.consumed,
            "every message consumed",
        );
        checks.expect(
            r.samples.iter().all(|s| s.rss_bytes > 0),
            "RSS read from /proc/self/statm",
        );
    }
    checks.expect(
        bounded.samples.iter().all(|s| s.idle <= CAPACITY),
        "the bounded pool stays within its capacity",
    );
    checks.expect(
        unbounded.samples.iter().any(|s| s.idle > CAPACITY),
        "the unbounded pool kept a burst beyond that capacity",
    );
    checks.expect(
        bounded.idle_when_quiet[0] > 0 && bounded.idle_when_quiet[1] == 0,
        "trim_every drained the bounded pool within two trims once the load stopped",
    );
    checks.expect(
        unbounded.idle_when_quiet[1] == unbounded.idle_when_quiet[0],
        "the unbounded pool kept what it held",
    );
    checks.failures()
}

fn main() {
    if let Ok(spec) = env::var(CHILD_ENV) {
        return child(&spec);
    }
    let mut args = env::args().skip(1);
    let mut seconds = 5;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--seconds takes a whole number")
            }
            other => panic!("unknown argument {other}; usage: pipeline [--seconds N]"),
        }
    }
    let exe = env::current_exe().expect("path of this program");
    let reports = side_by_side(seconds, || Command::new(&exe));
    support::exit_if_failed(&failures(&reports, seconds));
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    /// The test binary re-runs itself with only this test selected and the
    /// variant in the environment; run by the harness directly, it does
    /// nothing.
    #[test]
    fn child() {
        if let Ok(spec) = std::env::var(super::CHILD_ENV) {
            super::child(&spec);
        }
    }

    #[test]
    fn runs_to_completion() {
        let exe = std::env::current_exe().expect("path of the test binary");
        let seconds = 2;
        let reports = super::side_by_side(seconds, || {
            let mut cmd = Command::new(&exe);
            cmd.args(["--exact", "tests::child", "--nocapture", "--test-threads=1"]);
            cmd
        });
        assert_eq!(super::failures(&reports, seconds), Vec::<String>::new());
    }
}
