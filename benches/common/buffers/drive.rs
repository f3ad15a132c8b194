//! The buffer drivers: the timed mixed-size run on a number of threads, the
//! hand-off from a producer thread to a consumer, and the burst that
//! measures what each pool keeps idle.

use std::hint::black_box;
use std::sync::Barrier;
use std::thread;

use super::{BufferPool, Sizes, pattern};
use crate::common::counting_alloc;
use crate::common::drive::{Run, hand_off, run_threads};

/// What each operation does with the buffer it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Work {
    /// Copies the size's bytes in: the workload.
    Fill,
    /// Nothing: take a buffer that holds the size, drop it. What is left is
    /// the pool's own cost (and, without a pool, the allocator's).
    Take,
}

/// A worker's next `n` operations: draw a size, get a buffer that holds
/// it, fill it (or not), hide it from the optimiser, drop it.
#[inline(always)]
fn ops<C: BufferPool>(pool: &C, work: Work, sizes: &mut Sizes, src: &[u8], n: u64) {
    match work {
        Work::Fill => {
            for _ in 0..n {
                let len = sizes.next_size();
                let mut buf = pool.filled(&src[..len]);
                black_box(&mut buf);
            }
        }
        Work::Take => {
            for _ in 0..n {
                let mut buf = pool.taken(sizes.next_size());
                black_box(&mut buf);
            }
        }
    }
}

/// `threads` workers share `pool`, each running `warmup` untimed then
/// `per_thread` timed operations on its own size sequence.
pub(crate) fn run_mixed<C: BufferPool>(
    pool: &C,
    work: Work,
    threads: usize,
    per_thread: u64,
    warmup: u64,
) -> Run {
    let src = pattern();
    run_threads(threads, per_thread, warmup, |t| {
        let mut sizes = Sizes::new(t);
        move |n| ops(pool, work, &mut sizes, src, n)
    })
}

/// The size of every buffer in the hand-off: a network read's or a log
/// batch's, and small enough that the pools' cross-thread cost is not
/// buried under the copy (the mixed sizes' mean, about 110 KB, takes
/// microseconds to fill).
pub(crate) const HANDOFF_BYTES: usize = 4096;

/// One thread takes buffers of [`HANDOFF_BYTES`], fills them and sends them
/// over a channel; the other reads each one's length and last byte and
/// drops it, which gives it back to the pool from that thread. The object
/// benchmarks' handoff ([`hand_off`]), with buffers.
pub(crate) fn run_buffer_handoff<C: BufferPool>(pool: &C, items: u64, warmup: u64) -> Run {
    let src = &pattern()[..HANDOFF_BYTES];
    hand_off(
        items,
        warmup,
        |_| pool.seal(pool.filled(src)),
        |parcel| {
            black_box(pool.open(parcel, |buf| buf.len() + usize::from(buf[buf.len() - 1])));
        },
    )
}

/// What a pool keeps after a burst of buffers. Heap bytes are over the
/// baseline taken before the pool was built, counted for the whole process
/// (every thread's frees, their exits' included).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BufferBurst {
    /// Buffers held at once at the peak (threads x buffers per thread).
    pub(crate) held: usize,
    /// The bytes those buffers hold: the sum of the sizes asked for.
    pub(crate) in_use: i64,
    /// Heap bytes at the peak: the buffers' capacities and the pool's own
    /// storage.
    pub(crate) peak: i64,
    /// Heap bytes once every buffer is dropped, the burst's threads still
    /// running (per-thread caches count here).
    pub(crate) idle: i64,
    /// Heap bytes after the burst's threads have exited.
    pub(crate) idle_after_exit: i64,
    /// The pool's own count of idle bytes at those two moments, if it keeps
    /// one.
    pub(crate) pool_idle_bytes: Option<(usize, usize)>,
    /// The pool's bound on idle bytes, if it has one.
    pub(crate) max_idle_bytes: Option<usize>,
}

impl BufferBurst {
    /// Idle bytes (threads alive) per byte in use at the peak.
    pub(crate) fn idle_per_in_use(&self) -> f64 {
        self.idle as f64 / self.in_use as f64
    }
}

/// `threads` threads each hold `per_thread` filled buffers at once, then
/// drop them all. `make` builds the pool after the baseline is taken, so
/// everything the pool keeps (and its own storage) is counted.
pub(crate) fn run_buffer_burst<C: BufferPool>(
    make: impl Fn() -> C,
    threads: usize,
    per_thread: usize,
) -> BufferBurst {
    let src = pattern();
    // Empty the statics first (a no-op for instance pools), so that the
    // baseline holds nothing of this pool's.
    make().drain();
    counting_alloc::count_process_wide(true);
    let base = counting_alloc::process_live_bytes();
    let pool = make();

    // Main and workers meet three times: every buffer held, every buffer
    // dropped, and counted (workers then exit).
    let held = Barrier::new(threads + 1);
    let dropped = Barrier::new(threads + 1);
    let counted = Barrier::new(threads + 1);
    let mut in_use = 0;
    let (peak, idle, idle_alive) = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (pool, held, dropped, counted) = (&pool, &held, &dropped, &counted);
                s.spawn(move || {
                    let mut sizes = Sizes::new(t);
                    let mut bufs = Vec::with_capacity(per_thread);
                    let mut bytes = 0;
                    for _ in 0..per_thread {
                        let len = sizes.next_size();
                        bytes += len as i64;
                        bufs.push(pool.filled(&src[..len]));
                    }
                    held.wait();
                    // The main thread counts the peak here.
                    held.wait();
                    drop(bufs);
                    dropped.wait();
                    // Stay alive until the main thread has counted: a pool's
                    // per-thread caches live as long as the thread.
                    counted.wait();
                    bytes
                })
            })
            .collect();
        held.wait();
        let peak = counting_alloc::process_live_bytes() - base;
        held.wait();
        dropped.wait();
        let idle = counting_alloc::process_live_bytes() - base;
        let idle_alive = pool.idle_bytes();
        counted.wait();
        // Joined explicitly: unlike the end of the scope, `join` waits for
        // the thread's thread-local destructors, which give cached buffers
        // back (or drop them).
        for w in workers {
            in_use += w.join().expect("burst worker panicked");
        }
        (peak, idle, idle_alive)
    });
    let idle_after_exit = counting_alloc::process_live_bytes() - base;
    let pool_idle_bytes = idle_alive.zip(pool.idle_bytes());
    let max_idle_bytes = pool.max_idle_bytes();
    pool.drain();
    drop(pool);
    counting_alloc::count_process_wide(false);
    BufferBurst {
        held: threads * per_thread,
        in_use,
        peak,
        idle,
        idle_after_exit,
        pool_idle_bytes,
        max_idle_bytes,
    }
}
