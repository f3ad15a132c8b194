//! What threads that park keep: a trim reaches another thread's private
//! cache only when that thread next uses the pool, or exits. This measures
//! how much 64 parked threads pin after each filled its cache, checks that
//! it stays inside the documented bounds (at most `CACHE_MAX` = 32 objects
//! per thread per pool or size class, and never more than the pool's
//! capacity or byte budget in all), and that one operation by each thread
//! gives it back. Alone in its binary: it counts the whole process's heap.
//!
//! Run with `cargo test --test parked_threads -- --nocapture` to see the
//! figures the `Pool` docs quote.

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use std::sync::Barrier;
use std::thread;

use counting_alloc::CountingAlloc;
use repool::{Pooled, Stats};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::PROCESS_WIDE;

const THREADS: usize = 64;
/// Objects each thread holds at once before it parks: more than its cache
/// keeps, so the rest goes to the shared layer, which a trim does reach.
const HELD: usize = 32;
/// The most one thread's private cache keeps of one pool (or of one size
/// class of a buffer pool).
const CACHE_MAX: usize = 32;

#[derive(Default, Pooled)]
struct Request {
    body: Vec<u8>,
}

const BODY: usize = 4096;
/// A buffer size class whose count (about 1,000 for the default 64 MiB
/// budget) is not reached by 64 threads x 32.
const CLASS_BYTES: usize = 16 << 10;

/// Runs `THREADS` threads that each hold `HELD` objects from `take` and drop
/// them, four times over, and park; trims twice (`trim`) while they are parked and reads
/// `stats`; then lets each thread use the pool once more, trims twice again
/// and reads `stats` again, the threads still alive.
fn parked<G>(
    take: impl Fn() -> G + Sync,
    trim: impl Fn(),
    stats: impl Fn() -> Stats,
) -> (Stats, i64, Stats) {
    let filled = Barrier::new(THREADS + 1);
    let measured = Barrier::new(THREADS + 1);
    let used_again = Barrier::new(THREADS + 1);
    let done = Barrier::new(THREADS + 1);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                // Several rounds, so that the thread reuses its own cache
                // and parks with it full, the worst case.
                for _ in 0..4 {
                    let held: Vec<G> = (0..HELD).map(|_| take()).collect();
                    drop(held);
                }
                filled.wait();
                // Parked: this thread does nothing with the pool meanwhile.
                measured.wait();
                drop(take());
                used_again.wait();
                done.wait();
            });
        }
        filled.wait();
        let heap_before = counting_alloc::process_live_bytes();
        trim();
        trim();
        let parked = stats();
        let freed = heap_before - counting_alloc::process_live_bytes();
        measured.wait();
        used_again.wait();
        trim();
        trim();
        let after_use = stats();
        done.wait();
        (parked, freed, after_use)
    })
}

fn report(what: &str, parked: &Stats, freed: i64, after_use: &Stats, bytes_each: usize) {
    let pinned = parked.idle * bytes_each;
    eprintln!(
        "{what}: {THREADS} parked threads pin {} objects after two trims \
         ({:.1} per thread, {:.1} MiB in all, {:.0} KiB per thread; the trims freed {:.1} MiB \
         of the shared layer); after one more operation by each thread and two trims: {}",
        parked.idle,
        parked.idle as f64 / THREADS as f64,
        pinned as f64 / (1 << 20) as f64,
        pinned as f64 / THREADS as f64 / 1024.0,
        freed as f64 / (1 << 20) as f64,
        after_use.idle,
    );
}

#[test]
fn parked_threads_pin_at_most_their_caches_and_give_them_back_at_their_next_use() {
    counting_alloc::count_process_wide(true);

    // A derived type: default capacity 1,024 objects.
    let capacity = Request::pool().capacity();
    let (parked_req, freed, after_req) = parked(
        || {
            let mut r = Request::acquire();
            r.body.reserve(BODY);
            r
        },
        || Request::pool().trim(),
        || Request::pool().stats(),
    );
    report("Request (4 KiB body)", &parked_req, freed, &after_req, BODY);

    // A buffer pool's size class.
    let (parked_buf, freed, after_buf) = parked(
        || Vec::<u8>::acquire_with_capacity(CLASS_BYTES),
        || Vec::<u8>::pool().trim(),
        || Vec::<u8>::pool().stats(),
    );
    report(
        "Vec<u8>, 16 KiB class",
        &parked_buf,
        freed,
        &after_buf,
        CLASS_BYTES,
    );
    counting_alloc::count_process_wide(false);

    for (parked, after, bound) in [
        (&parked_req, &after_req, capacity),
        (&parked_buf, &after_buf, usize::MAX),
    ] {
        // Nothing else reached the pool: every object built is idle,
        // trimmed or over capacity.
        assert_eq!(parked.in_use, 0, "{parked:?}");
        // What the parked caches still hold after the trims is the figure
        // being measured (printed above); how much of it there is depends
        // on how the threads' returns interleaved, so only its bounds are
        // asserted.
        assert!(
            parked.idle <= THREADS * CACHE_MAX,
            "at most a full cache per thread: {parked:?}"
        );
        assert!(parked.idle <= bound, "within capacity: {parked:?}");
        // One operation by each thread catches its cache up with the
        // trims, and the next two trims take what it then keeps: at most
        // the one object each returned last.
        assert!(
            after.idle <= THREADS,
            "each thread keeps at most its last object: {after:?}"
        );
    }
    let budget = Vec::<u8>::pool().max_idle_bytes();
    assert!(
        parked_buf.idle_bytes <= budget,
        "within the byte budget: {parked_buf:?}"
    );
}
