//! A mixed-size burst on 8 threads leaves no more idle bytes than the
//! budget, by the pool's count and by the heap's. Alone in its binary:
//! the heap is counted process-wide, so no other test may run beside it.

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use std::sync::{Arc, Barrier};
use std::thread;

use counting_alloc::CountingAlloc;
use repool::{DEFAULT_MAX_IDLE_BYTES, Guard, Pooled};

/// Buffers per thread, and how many classes their sizes span (64 B up).
const PER_THREAD: usize = if cfg!(miri) { 20 } else { 200 };
const SPAN: u64 = if cfg!(miri) { 8 } else { 15 };

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::PROCESS_WIDE;

#[test]
fn a_burst_on_eight_threads_leaves_idle_bytes_within_the_budget() {
    // Vec<i16> is this test's own: no other test touches its pool.
    let pool = Vec::<i16>::pool();
    let budget = pool.max_idle_bytes();
    assert_eq!(budget, DEFAULT_MAX_IDLE_BYTES);
    let barrier = Arc::new(Barrier::new(8));
    let before = counting_alloc::process_live_bytes();
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let mut rng = t.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
                let held: Vec<Guard<Vec<i16>>> = (0..PER_THREAD)
                    .map(|_| {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        // 32 to 512 Ki elements (64 B to 1 MiB), log-uniform.
                        let n = 32usize << (rng % SPAN);
                        let mut buf = Vec::<i16>::acquire_with_capacity(n);
                        buf.resize(n, 1);
                        buf
                    })
                    .collect();
                // Everyone holds their buffers at once, then lets go.
                barrier.wait();
                drop(held);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let s = pool.stats();
    let heap = counting_alloc::process_live_bytes() - before;
    assert!(s.idle > 0, "some buffers are kept");
    assert!(
        s.idle_bytes <= budget,
        "idle {} > budget {budget}",
        s.idle_bytes
    );
    assert!(
        heap <= budget as i64,
        "the heap holds {heap} bytes more than before, over the budget"
    );
    assert_eq!(s.built, s.idle as u64 + s.discarded, "nothing lost");
    let classes = pool.class_stats();
    assert!(classes.len() >= SPAN as usize, "one class per size");
    for class in &classes {
        assert!(class.stats.idle <= class.capacity, "{class:?}");
        // No buffer grew, so none changed class: each class accounts for
        // what it built.
        assert_eq!(
            class.stats.built,
            class.stats.idle as u64 + class.stats.discarded,
            "{class:?}"
        );
    }
    assert_eq!(
        classes.iter().map(|c| c.stats.idle_bytes).sum::<usize>(),
        s.idle_bytes
    );
}
