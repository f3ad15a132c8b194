//! A guided run through repool's API: the derive and its attributes,
//! acquire, detach, discard, the capacity bound, `max_capacity`, threads,
//! trim, prewarm, generic types, std containers and explicit pools. Every number printed comes from
//! `Pool::stats()`.
//!
//! ```text
//! cargo run --example tour
//! ```

use std::collections::HashMap;

use repool::{Guard, Pool, Pooled, Stats};

/// A parsed HTTP request: four heap buffers that the pool keeps warm between
/// requests.
#[derive(Pooled, Default)]
#[pooled(capacity = 8)]
struct Request {
    method: String,
    path: String,
    // A request with hundreds of headers must not leave a huge list behind.
    #[pooled(reset = clear_headers)]
    headers: Vec<(String, String)>,
    // An upload of a few megabytes must not pin that memory in the pool.
    #[pooled(max_capacity = 64 * 1024)]
    body: Vec<u8>,
    // Not state but history: how often this object was handed out. `skip`
    // leaves it alone on reset.
    #[pooled(skip)]
    uses: u32,
}

fn clear_headers(headers: &mut Vec<(String, String)>) {
    headers.clear();
    headers.shrink_to(32);
}

impl Request {
    fn fill(&mut self, path: &str, body_len: usize) {
        self.uses += 1;
        self.method.push_str("POST");
        self.path.push_str(path);
        self.headers
            .push(("host".to_owned(), "127.0.0.1".to_owned()));
        self.headers
            .push(("content-type".to_owned(), "application/json".to_owned()));
        self.body.resize(body_len, b'x');
    }
}

/// Generic types get one pool per concrete type. `new` names the constructor
/// (the default is `Default::default`, whose derive would demand `T: Default`).
#[derive(Pooled)]
#[pooled(capacity = 16, new = Batch::new)]
struct Batch<T: Send + 'static> {
    items: Vec<T>,
}

impl<T: Send + 'static> Batch<T> {
    fn new() -> Self {
        Batch {
            items: Vec::with_capacity(64),
        }
    }
}

/// A pool you own and name, instead of the type's shared one; `const`, so it
/// can be a `static`.
static SCRATCH: Pool<Vec<u64>> = Pool::from_fn(|| Vec::with_capacity(4096)).with_capacity(2);

/// What the tour observed, so the test can check it.
#[derive(Debug, Default)]
struct Observed {
    second_acquire_reused_allocation: bool,
    second_acquire_was_empty: bool,
    uses_kept: u32,
    after_detach: Stats,
    after_discard: Stats,
    after_burst: Stats,
    after_huge_body: Stats,
    after_threads: Stats,
    threads_reused: u64,
    idle_after_trim: [usize; 3],
    after_trims: Stats,
    prewarmed: usize,
    after_prewarm: Stats,
    batch_u64: Stats,
    batch_string: Stats,
    vec_u8: Stats,
    buffers: Stats,
    scratch: Stats,
    after_trim_all: Stats,
}

fn run() -> Observed {
    let mut seen = Observed::default();
    let pool = Request::pool();
    println!("repool tour: each step shows what changed in Request::pool().stats()");

    step("1. #[derive(Pooled)], acquire, use, drop");
    let mut before = pool.stats();
    let mut req = Request::acquire();
    req.fill("/orders/42", 2048);
    let body_ptr = req.body.as_ptr();
    let body_cap = req.body.capacity();
    say(format!(
        "acquired a Request and filled it: {} {}, {} headers, {}-byte body",
        req.method,
        req.path,
        req.headers.len(),
        req.body.len()
    ));
    drop(req);
    say("dropped the guard: the object was reset and went back to the pool");
    show(&mut before, pool.stats());

    step("2. acquire again: the same allocations, emptied");
    let req = Request::acquire();
    seen.second_acquire_reused_allocation = req.body.as_ptr() == body_ptr;
    seen.second_acquire_was_empty = req.method.is_empty()
        && req.path.is_empty()
        && req.headers.is_empty()
        && req.body.is_empty();
    say(format!(
        "body: len {}, capacity {} (was {body_cap}), same buffer as before: {}",
        req.body.len(),
        req.body.capacity(),
        seen.second_acquire_reused_allocation
    ));
    say(format!(
        "uses = {}: the #[pooled(skip)] field kept its value through the reset",
        req.uses
    ));
    seen.uses_kept = req.uses;
    drop(req);
    show(&mut before, pool.stats());

    step("3. Guard::detach: keep the object, the pool lets go");
    let mut req = Request::acquire();
    req.fill("/keep-me", 16);
    let kept: Request = Guard::detach(req);
    say(format!(
        "detached a plain Request ({} {}) that lives on without the pool",
        kept.method, kept.path
    ));
    drop(kept);
    seen.after_detach = show(&mut before, pool.stats());

    step("4. Guard::discard: drop an object you no longer trust");
    let mut req = Request::acquire();
    req.fill("/half-parsed", 8);
    say("a parse error left this Request half-filled; discard it instead of recycling it");
    Guard::discard(req);
    seen.after_discard = show(&mut before, pool.stats());

    step("5. the capacity bound: #[pooled(capacity = 8)]");
    let burst: Vec<_> = (0..12).map(|_| Request::acquire()).collect();
    say(format!(
        "held {} Requests at once, then dropped them all; the pool keeps at most {}",
        burst.len(),
        pool.capacity()
    ));
    drop(burst);
    seen.after_burst = show(&mut before, pool.stats());

    step("6. #[pooled(max_capacity = 65536)] on the body");
    let mut req = Request::acquire();
    req.fill("/upload", 3 << 20);
    say(format!(
        "a 3 MiB upload grew the body to {} KiB; on drop the pool frees it instead of keeping it",
        req.body.capacity() >> 10
    ));
    drop(req);
    seen.after_huge_body = show(&mut before, pool.stats());

    step("7. threads: a steady load reuses the same few objects");
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..1000 {
                    let mut req = Request::acquire();
                    req.fill(&format!("/t{t}/{i}"), 512);
                }
            })
        })
        .collect();
    // `join` waits until each thread has fully exited, so its private cache
    // has already been handed back to the shared layer.
    for thread in threads {
        thread.join().expect("request thread panicked");
    }
    say("4 threads x 1000 requests, each acquire -> fill -> drop");
    let before_threads = before;
    seen.after_threads = show(&mut before, pool.stats());
    seen.threads_reused = seen.after_threads.since(&before_threads).reused;

    step("8. trim(): free what nobody used since the previous trim");
    say(format!("{} Requests idle now", pool.stats().idle));
    pool.trim();
    seen.idle_after_trim[0] = pool.stats().idle;
    say(format!(
        "trim() #1 -> {} idle: each object survives one trim (call trim from a timer)",
        seen.idle_after_trim[0]
    ));
    drop(Request::acquire());
    pool.trim();
    seen.idle_after_trim[1] = pool.stats().idle;
    say(format!(
        "used one Request, trim() #2 -> {} idle: only the one in use since #1 stays",
        seen.idle_after_trim[1]
    ));
    pool.trim();
    seen.idle_after_trim[2] = pool.stats().idle;
    say(format!(
        "nothing used, trim() #3 -> {} idle",
        seen.idle_after_trim[2]
    ));
    seen.after_trims = show(&mut before, pool.stats());

    step("9. prewarm(): build objects before the first request needs them");
    seen.prewarmed = pool.prewarm(10);
    say(format!(
        "prewarm(10) built {} (the bound is {})",
        seen.prewarmed,
        pool.capacity()
    ));
    seen.after_prewarm = show(&mut before, pool.stats());

    step("10. generic types: one pool per concrete type");
    for round in 0..3u64 {
        let mut numbers = Batch::<u64>::acquire();
        numbers.items.extend(round * 100..round * 100 + 100);
        let mut names = Batch::<String>::acquire();
        names.items.push(format!("round {round}"));
    }
    seen.batch_u64 = Batch::<u64>::pool().stats();
    seen.batch_string = Batch::<String>::pool().stats();
    say(format!(
        "3 rounds each: Batch<u64> built {} reused {}; Batch<String> built {} reused {}",
        seen.batch_u64.built,
        seen.batch_u64.reused,
        seen.batch_string.built,
        seen.batch_string.reused
    ));
    say(format!(
        "separate pools: {}",
        !std::ptr::eq(
            Batch::<u64>::pool() as *const _ as *const (),
            Batch::<String>::pool() as *const _ as *const ()
        )
    ));

    step("11. std containers are Pooled already");
    for i in 0..5u8 {
        let mut bytes = Vec::<u8>::acquire();
        bytes.extend_from_slice(&[i; 300]);
        let mut text = String::acquire();
        text.push_str("no derive needed");
        let mut counts = HashMap::<u32, u64>::acquire();
        *counts.entry(u32::from(i)).or_default() += 1;
    }
    seen.vec_u8 = Vec::<u8>::pool().stats();
    say(format!(
        "5 rounds of Vec::<u8>::acquire(): built {}, reused {}; String: built {}, reused {}",
        seen.vec_u8.built,
        seen.vec_u8.reused,
        String::pool().stats().built,
        String::pool().stats().reused
    ));

    step("12. buffers by size class, with a bound in bytes");
    let vec_pool = Vec::<u8>::pool();
    let before_buffers = vec_pool.stats();
    for n in [100, 5000, 100, 5000, 60_000] {
        let mut buf = Vec::<u8>::acquire_with_capacity(n);
        buf.resize(n, 1);
        say(format!(
            "Vec::<u8>::acquire_with_capacity({n}): capacity {}",
            buf.capacity()
        ));
    }
    seen.buffers = vec_pool.stats().since(&before_buffers);
    say(format!(
        "built {}, reused {}: a request is served from the class that holds it",
        seen.buffers.built, seen.buffers.reused
    ));
    for class in vec_pool.class_stats() {
        if class.stats.idle > 0 {
            say(format!(
                "  class {:>2}: {:>6}..={:<6} bytes, {} idle (keeps up to {})",
                class.class,
                class.min_capacity,
                class.max_capacity,
                class.stats.idle,
                class.capacity
            ));
        }
    }
    say(format!(
        "idle bytes at most {} of a budget of {}",
        vec_pool.stats().idle_bytes,
        vec_pool.max_idle_bytes()
    ));

    step("13. a pool of your own, in a static");
    for _ in 0..3 {
        let mut ids = SCRATCH.acquire();
        ids.extend(0..1000);
        say(format!(
            "SCRATCH.acquire(): {} ids in a buffer of capacity {}",
            ids.len(),
            ids.capacity()
        ));
    }
    seen.scratch = SCRATCH.stats();
    say(format!(
        "SCRATCH: acquired {}, built {}, reused {}, idle {} (bound {})",
        seen.scratch.acquired,
        seen.scratch.built,
        seen.scratch.reused,
        seen.scratch.idle,
        SCRATCH.capacity()
    ));

    step("14. trim_all(): every pool in the process, twice");
    repool::trim_all();
    repool::trim_all();
    seen.after_trim_all = pool.stats();
    say(format!(
        "idle now: Request {}, Batch<u64> {}, Vec<u8> {}, SCRATCH {}",
        seen.after_trim_all.idle,
        Batch::<u64>::pool().stats().idle,
        Vec::<u8>::pool().stats().idle,
        SCRATCH.stats().idle
    ));

    let s = pool.stats();
    println!(
        "\nRequest pool in the end: {} acquires, {} served from the pool ({:.1}% hit rate), {} built",
        s.acquired,
        s.reused,
        s.hit_rate() * 100.0,
        s.built
    );
    println!(
        "  dropped instead of kept: {} over capacity, {} oversized, {} discarded by you; {} detached, {} trimmed",
        s.over_capacity, s.oversized, s.user_discarded, s.detached, s.trimmed
    );
    seen
}

fn step(title: &str) {
    println!("\n{title}");
}

fn say(line: impl AsRef<str>) {
    println!("   {}", line.as_ref());
}

/// Prints the counters that moved since `before`, then makes `now` the new
/// baseline.
fn show(before: &mut Stats, now: Stats) -> Stats {
    let step = now.since(before);
    let counters = [
        ("acquired", step.acquired),
        ("reused", step.reused),
        ("built", step.built),
        ("returned", step.returned),
        ("over_capacity", step.over_capacity),
        ("oversized", step.oversized),
        ("user_discarded", step.user_discarded),
        ("reset_panicked", step.reset_panicked),
        ("detached", step.detached),
        ("trimmed", step.trimmed),
    ];
    let mut parts: Vec<String> = counters
        .iter()
        .filter(|(_, moved)| *moved > 0)
        .map(|(name, moved)| format!("{name} +{moved}"))
        .collect();
    parts.push(format!("idle {} -> {}", before.idle, now.idle));
    println!("   stats: {}", parts.join(", "));
    *before = now;
    now
}

fn main() {
    run();
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_to_completion() {
        let seen = super::run();
        assert!(seen.second_acquire_reused_allocation);
        assert!(seen.second_acquire_was_empty);
        assert_eq!(seen.uses_kept, 1);
        assert_eq!(seen.after_detach.detached, 1);
        assert_eq!(seen.after_discard.user_discarded, 1);
        assert_eq!(
            (seen.after_burst.idle, seen.after_burst.over_capacity),
            (8, 4)
        );
        assert_eq!(seen.after_huge_body.oversized, 1);
        assert!(seen.threads_reused > 3_000, "{:?}", seen.after_threads);
        assert!(seen.after_threads.idle <= 8);
        assert_eq!(seen.idle_after_trim, [7, 1, 0]);
        assert_eq!((seen.prewarmed, seen.after_prewarm.idle), (8, 8));
        assert_eq!((seen.batch_u64.acquired, seen.batch_u64.reused), (3, 2));
        assert_eq!(seen.batch_string.reused, 2);
        assert_eq!(seen.vec_u8.reused, 4);
        assert_eq!((seen.buffers.built, seen.buffers.reused), (3, 2));
        assert_eq!((seen.scratch.built, seen.scratch.reused), (1, 2));
        assert_eq!(seen.after_trim_all.idle, 0);
    }
}
