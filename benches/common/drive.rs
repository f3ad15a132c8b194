//! The scenario drivers: threads, barriers, clocks and counts.
//!
//! Multi-threaded timings follow sharded-slab's benches: every worker waits
//! on a `Barrier`, then runs its share; the time is from the first worker's
//! start to the last worker's end, and the cost is that total time over the
//! total number of operations.

use std::hint::black_box;
use std::sync::mpsc;
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::candidates::Candidate;
use super::{counting_alloc, fill, live, read, touch};

/// The operation each worker repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Acquire, set one field, drop.
    RoundTrip,
    /// Acquire, fill (4 KiB body, 256 ids, 16 map entries), drop.
    Request,
}

/// A timed scenario whose operation is an `O` (an [`Op`] on objects, or
/// the buffers' `Work`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scenario<O> {
    /// `threads` threads share one pool and repeat the operation.
    Threads(O, usize),
    /// Filled on one thread, sent over a channel, dropped on another.
    Handoff,
}

impl<O> Scenario<O> {
    /// The threads that share the operations: 1 for the hand-off's
    /// producer.
    pub(crate) fn threads(self) -> usize {
        match self {
            Scenario::Threads(_, threads) => threads,
            Scenario::Handoff => 1,
        }
    }

    /// Runs the scenario on `pool` with the drivers of its kind of pool:
    /// `threads` (the pool, the operation, threads, operations per thread,
    /// warm-up), e.g. [`run_parallel`], or `handoff` (the pool, items,
    /// warm-up), e.g. [`run_handoff`].
    pub(crate) fn run<P>(
        self,
        pool: &P,
        per_thread: u64,
        warmup: u64,
        threads: impl FnOnce(&P, O, usize, u64, u64) -> Run,
        handoff: impl FnOnce(&P, u64, u64) -> Run,
    ) -> Run {
        match self {
            Scenario::Threads(op, n) => threads(pool, op, n, per_thread, warmup),
            Scenario::Handoff => handoff(pool, per_thread, warmup),
        }
    }
}

/// One timed run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    pub(crate) wall: Duration,
    pub(crate) ops: u64,
    /// Allocations made by the workers while timed (0 unless the counting
    /// allocator is installed).
    pub(crate) allocs: u64,
}

impl Run {
    pub(crate) fn ns_per_op(&self) -> f64 {
        self.wall.as_nanos() as f64 / self.ops as f64
    }

    pub(crate) fn allocs_per_op(&self) -> f64 {
        self.allocs as f64 / self.ops as f64
    }
}

#[inline(always)]
fn ops<C: Candidate>(pool: &C, op: Op, n: u64) {
    match op {
        Op::RoundTrip => {
            for i in 0..n {
                let mut obj = pool.acquire();
                touch(&mut obj, i);
                black_box(&mut *obj);
            }
        }
        Op::Request => {
            for i in 0..n {
                let mut obj = pool.acquire();
                fill(&mut obj, i);
                black_box(&mut *obj);
            }
        }
    }
}

/// `threads` workers share `pool`, each running `warmup` untimed then
/// `per_thread` timed operations.
pub(crate) fn run_parallel<C: Candidate>(
    pool: &C,
    op: Op,
    threads: usize,
    per_thread: u64,
    warmup: u64,
) -> Run {
    run_threads(threads, per_thread, warmup, |_| move |n| ops(pool, op, n))
}

/// `threads` workers, each running the loop `worker(index)` builds for it:
/// `warmup` operations untimed, then, once every worker is there (a
/// `Barrier`), `per_thread` timed. The time is from the first worker's
/// start to the last worker's end.
pub(crate) fn run_threads<W: FnMut(u64)>(
    threads: usize,
    per_thread: u64,
    warmup: u64,
    worker: impl Fn(usize) -> W + Sync,
) -> Run {
    let barrier = Barrier::new(threads);
    let spans: Vec<(Instant, Instant, u64)> = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (barrier, worker) = (&barrier, &worker);
                s.spawn(move || {
                    let mut ops = worker(t);
                    ops(warmup);
                    barrier.wait();
                    let allocs = counting_alloc::thread_allocs();
                    let start = Instant::now();
                    ops(per_thread);
                    let end = Instant::now();
                    (start, end, counting_alloc::thread_allocs() - allocs)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker panicked"))
            .collect()
    });
    let start = spans.iter().map(|s| s.0).min().expect("no worker");
    let end = spans.iter().map(|s| s.1).max().expect("no worker");
    Run {
        wall: end - start,
        ops: per_thread * threads as u64,
        allocs: spans.iter().map(|s| s.2).sum(),
    }
}

/// How many parcels may be in flight in the handoff (a bounded channel, as
/// a server's queue would be).
pub(crate) const HANDOFF_BOUND: usize = 64;

/// One thread acquires and fills objects and sends them over a channel; the
/// other reads and drops them. Timed from the producer's start to the
/// consumer's end.
pub(crate) fn run_handoff<C: Candidate>(pool: &C, items: u64, warmup: u64) -> Run {
    hand_off(
        items,
        warmup,
        |i| {
            let mut obj = pool.acquire();
            fill(&mut obj, i);
            pool.seal(obj)
        },
        |parcel| {
            black_box(pool.open(parcel, read));
        },
    )
}

/// The handoff's threads: one calls `produce(i)` for each item and sends
/// what it makes over a bounded `sync_channel` ([`HANDOFF_BOUND`]); the
/// other hands each item it receives to `consume`. `warmup` items untimed,
/// then (both threads meet on a `Barrier`) `items` timed, from the
/// producer's start to the consumer's end. Allocations are both threads'.
pub(crate) fn hand_off<P: Send>(
    items: u64,
    warmup: u64,
    produce: impl Fn(u64) -> P + Send,
    consume: impl Fn(P) + Send,
) -> Run {
    let (tx, rx) = mpsc::sync_channel::<P>(HANDOFF_BOUND);
    let barrier = Barrier::new(2);
    let ((start, produced), (end, consumed)) = thread::scope(|s| {
        let barrier = &barrier;
        let producer = s.spawn(move || {
            let send = |n: u64| {
                for i in 0..n {
                    tx.send(produce(i)).expect("consumer gone");
                }
            };
            send(warmup);
            barrier.wait();
            let allocs = counting_alloc::thread_allocs();
            let start = Instant::now();
            send(items);
            (start, counting_alloc::thread_allocs() - allocs)
        });
        let consumer = s.spawn(move || {
            let receive = |n: u64| {
                for _ in 0..n {
                    consume(rx.recv().expect("producer gone"));
                }
            };
            receive(warmup);
            barrier.wait();
            let allocs = counting_alloc::thread_allocs();
            receive(items);
            (Instant::now(), counting_alloc::thread_allocs() - allocs)
        });
        (
            producer.join().expect("producer panicked"),
            consumer.join().expect("consumer panicked"),
        )
    });
    Run {
        wall: end - start,
        ops: items,
        allocs: produced + consumed,
    }
}

/// What a pool keeps after a burst.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Burst {
    /// Objects held at once at the peak (threads x objects per thread).
    pub(crate) held: u64,
    /// Live objects once every guard is dropped, the burst's threads still
    /// running (what per-thread caches keep counts here).
    pub(crate) retained: i64,
    /// Heap bytes still allocated at that point (0 unless the counting
    /// allocator is installed): the resident memory the retention costs.
    pub(crate) retained_bytes: i64,
    /// Live objects after the burst's threads have exited.
    pub(crate) retained_after_exit: i64,
}

/// `threads` threads each hold `per_thread` filled objects at once, then
/// drop them all. `make` builds the pool after the baseline is taken, so
/// everything the pool keeps (and its own storage) is counted.
/// Also returns the pool's own account of itself afterwards, if it keeps one.
pub(crate) fn run_burst<C: Candidate>(
    make: impl Fn() -> C,
    threads: usize,
    per_thread: usize,
) -> (Burst, Option<String>) {
    // Empty the statics first (a no-op for instance pools), so that the
    // baseline holds nothing of this pool's.
    make().drain();
    let objects0 = live::this_thread();
    let settled0 = live::settled();
    let bytes0 = counting_alloc::thread_net_bytes();
    let pool = make();
    let stats0 = pool.stats();

    let held = Barrier::new(threads);
    let measured = Barrier::new(threads + 1);
    let deltas = Mutex::new(Vec::with_capacity(threads));
    let (retained, retained_bytes) = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut guards = Vec::with_capacity(per_thread);
                    let objects = live::this_thread();
                    let bytes = counting_alloc::thread_net_bytes();
                    for i in 0..per_thread {
                        let mut obj = pool.acquire();
                        fill(&mut obj, i as u64);
                        guards.push(obj);
                    }
                    held.wait();
                    guards.clear();
                    let delta = (
                        live::this_thread() - objects,
                        counting_alloc::thread_net_bytes() - bytes,
                    );
                    deltas.lock().expect("poisoned").push(delta);
                    measured.wait();
                    // Stay alive until the main thread has counted: a pool's
                    // per-thread caches live as long as the thread.
                    measured.wait();
                })
            })
            .collect();
        measured.wait();
        let deltas = deltas.lock().expect("poisoned");
        let objects: i64 = deltas.iter().map(|d| d.0).sum::<i64>() + live::this_thread() - objects0;
        let bytes: i64 =
            deltas.iter().map(|d| d.1).sum::<i64>() + counting_alloc::thread_net_bytes() - bytes0;
        drop(deltas);
        measured.wait();
        // Joined explicitly: unlike the end of the scope, `join` waits for
        // the thread's thread-local destructors, which give cached objects
        // back (or drop them) and fold the thread's counts.
        for w in workers {
            w.join().expect("burst worker panicked");
        }
        (objects, bytes)
    });
    let retained_after_exit = live::settled() - settled0;
    let stats = stats0.zip(pool.stats()).map(|(before, after)| {
        let s = after.since(&before);
        format!(
            "acquired {}, built {}, reused {}, returned {}, over_capacity {}, \
             idle {} (after the threads exited)",
            s.acquired, s.built, s.reused, s.returned, s.over_capacity, s.idle,
        )
    });
    pool.drain();
    drop(pool);
    let burst = Burst {
        held: (threads * per_thread) as u64,
        retained,
        retained_bytes,
        retained_after_exit,
    };
    (burst, stats)
}
