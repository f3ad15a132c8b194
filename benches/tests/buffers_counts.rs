//! Runs the report's buffer section in quick mode so it never rots, and
//! checks what it counts (never what it times): allocations per operation
//! in steady state and in the hand-off, and the bytes each pool keeps idle
//! after a burst of 8 threads x 200 buffers.

#[path = "../bench_report/buffers.rs"]
mod buffers;
#[path = "../bench_report/chart.rs"]
mod chart;
#[path = "../common/mod.rs"]
mod common;
#[path = "../bench_report/measure.rs"]
mod measure;

use buffers::{BURST_THREADS, FULL, HANDOFF, QUICK, SCENARIOS, Scenario};
use common::buffers::candidates::{BASELINE, ZEROPOOL};
use common::buffers::{MAX_SHIFT, MIN_SHIFT, Sizes};
use common::counting_alloc::CountingAlloc;
use repool::Pooled;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::PER_THREAD;

// One test: the burst counts the whole process's heap, so nothing else may
// run alongside.
#[test]
fn quick_buffer_counts() {
    // The workload: log-uniform sizes, the same sequence for every
    // candidate, a different one per thread.
    let mut a = Sizes::new(3);
    let mut b = Sizes::new(3);
    let mut octaves = [0u32; (MAX_SHIFT - MIN_SHIFT) as usize];
    for _ in 0..14_000 {
        let n = a.next_size();
        assert_eq!(n, b.next_size());
        assert!((1 << MIN_SHIFT..=1 << MAX_SHIFT).contains(&n), "{n}");
        octaves[(n.ilog2() - MIN_SHIFT).min(MAX_SHIFT - MIN_SHIFT - 1) as usize] += 1;
    }
    // About 1,000 an octave.
    assert!(
        octaves.iter().all(|&c| (850..1150).contains(&c)),
        "{octaves:?}"
    );
    assert_ne!(Sizes::new(0).next_size(), Sizes::new(1).next_size());

    // The contract the candidate relies on.
    for n in [0, 1, 64, 100, 4096, 5000, 1 << 20] {
        let buf = Vec::<u8>::acquire_with_capacity(n);
        assert!(
            buf.capacity() >= n && buf.is_empty(),
            "{n}: {}",
            buf.capacity()
        );
    }

    let report = buffers::run(QUICK, &mut |_| {});
    // The published burst is the issue's: 8 threads x 200 buffers.
    assert_eq!((BURST_THREADS, FULL.burst_per_thread), (8, 200));
    assert_eq!(QUICK.burst_per_thread, 200);
    let held = BURST_THREADS * QUICK.burst_per_thread;

    let storage = 64 << 10;
    for (c, name) in report.timings.candidates.iter().enumerate() {
        let b = report.bursts[c];
        assert_eq!(b.held, held, "{name}");
        for t in 0..SCENARIOS.len() {
            assert_eq!(report.timings.ns[c][t].len(), QUICK.rounds, "{name}");
        }
        // The held buffers are on the heap at the peak, and no pool keeps
        // more than it was given, but for its own storage (object-pool's
        // `Vec` of idle objects grows as they come back).
        assert!(b.peak >= b.in_use, "{name}: {b:?}");
        assert!(
            b.idle.max(b.idle_after_exit) <= b.peak + storage,
            "{name}: {b:?}"
        );
    }

    // The same sequence for every candidate: the same bytes in use.
    let in_use = report.burst("repool").in_use;
    assert!(report.bursts.iter().all(|b| b.in_use == in_use));
    // Log-uniform from 64 B to 1 MiB: about 108 KB a buffer on average.
    let mean = in_use / held as i64;
    assert!((60_000..160_000).contains(&mean), "{mean}");

    // Steady state: repool allocates nothing on one thread once warm,
    // whether the buffers are filled or not.
    let t = &report.timings;
    let repool = t.index("repool");
    for (s, (label, scenario)) in SCENARIOS.iter().enumerate() {
        if matches!(scenario, Scenario::Mixed(_, 1)) {
            assert_eq!(t.median_allocs(repool, s), 0.0, "repool, {label}");
        }
    }
    // A fresh allocation each time is what every pool saves.
    let fresh = t.index("fresh");
    assert!(t.median_allocs(fresh, 0) >= 1.0);

    // The hand-off: the hand-written list's consumer keeps the buffers it
    // gets back and its producer's lists run dry, so the producer allocates
    // every buffer, as without a pool.
    for name in [BASELINE, "fresh"] {
        let a = t.median_allocs(t.index(name), HANDOFF);
        assert!(a >= 1.0, "{name}: {a} allocations per hand-off");
    }

    // repool keeps at most its budget idle, by its own count and by the
    // heap's, threads alive or gone.
    let r = report.burst("repool");
    let budget = Vec::<u8>::pool().max_idle_bytes();
    assert_eq!(r.max_idle_bytes, Some(budget));
    let (alive, exited) = r.pool_idle_bytes.expect("repool counts its idle bytes");
    assert!(
        alive <= budget && exited <= budget,
        "{r:?}, budget {budget}"
    );
    assert!(r.idle <= budget as i64, "{r:?}, budget {budget}");
    assert!(r.idle_after_exit <= budget as i64, "{r:?}, budget {budget}");
    // ... and less than zeropool, threads alive.
    let z = report.burst(ZEROPOOL);
    assert!(r.idle < z.idle, "repool {r:?}, zeropool {z:?}");

    // The hand-written list dies with its threads; no pool keeps nothing.
    let list = report.burst(BASELINE);
    assert!(list.idle > 0, "{list:?}");
    let slack = 64 << 10; // threads' own bookkeeping, freed or not yet
    assert!(list.idle_after_exit < slack, "{list:?}");
    let fresh = report.burst("fresh");
    assert!(
        fresh.idle < slack && fresh.idle_after_exit < slack,
        "{fresh:?}"
    );
    // One pool for every size keeps every buffer it can: the unbounded
    // crates all of them.
    for name in ["object_pool", "lockfree_spinlock"] {
        let b = report.burst(name);
        assert!(b.idle >= in_use, "{name}: {b:?}");
    }

    // The section renders, tables and chart.
    let md = report.markdown();
    assert!(md.contains("| repool |") && md.contains("| zeropool |"));
    let svg = std::env::temp_dir().join(format!("repool-buffers-{}.svg", std::process::id()));
    report.svg(&svg).expect("chart");
    let text = std::fs::read_to_string(&svg).expect("chart written");
    let _ = std::fs::remove_file(&svg);
    assert!(text.starts_with("<svg") && text.contains("repool"));
}
