//! Runs the benchmark report in quick mode so it never rots, and checks what
//! it counts (never what it times): objects kept after the burst and
//! allocations per operation.

#[path = "../bench_report/chart.rs"]
mod chart;
#[path = "../common/mod.rs"]
mod common;
#[path = "../bench_report/measure.rs"]
mod measure;
#[path = "../bench_report/report.rs"]
mod report;

use common::CAPACITY;
use common::counting_alloc::CountingAlloc;
use report::{BURST_THREADS, FULL, QUICK, SCENARIOS};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::PER_THREAD;

// One test: the counts are per process, so nothing else may run alongside.
#[test]
fn quick_report_counts() {
    let report = report::run(QUICK, &mut |_| {});
    // The published run's burst is the issue's: 8 threads x 2,000 objects.
    assert_eq!((BURST_THREADS, FULL.burst_per_thread), (8, 2_000));
    let held = (BURST_THREADS * QUICK.burst_per_thread) as i64;
    assert!(held > CAPACITY as i64, "the burst must overflow the bound");

    for (c, name) in report.timings.candidates.iter().enumerate() {
        let b = report.bursts[c];
        assert_eq!(b.held as i64, held, "{name}");
        for s in 0..SCENARIOS.len() {
            assert_eq!(report.timings.ns[c][s].len(), QUICK.rounds, "{name}");
        }
        // Never negative; at most twice the peak (sharded-slab builds whole
        // pages of objects, in powers of two).
        assert!((0..=2 * held).contains(&b.retained), "{name}: {b:?}");
        assert!(
            (0..=2 * held).contains(&b.retained_after_exit),
            "{name}: {b:?}"
        );
    }

    // repool keeps at most its capacity, threads alive or gone.
    let repool = report.burst("repool");
    assert!(repool.retained <= CAPACITY as i64, "{repool:?}");
    assert!(repool.retained_after_exit <= CAPACITY as i64, "{repool:?}");

    // The bounded anchors honour the same bound.
    for name in ["mutex_vec", "opool", "poolshark", "dynamic_pool"] {
        let b = report.burst(name);
        assert!(b.retained <= CAPACITY as i64, "{name}: {b:?}");
    }
    // The thread-local list is bounded per thread, and dies with its thread.
    let tl = report.burst("thread_local_list");
    assert!(tl.retained <= (BURST_THREADS * CAPACITY) as i64, "{tl:?}");
    assert_eq!(tl.retained_after_exit, 0, "{tl:?}");
    // No pool keeps nothing.
    let none = report.burst("no_pool");
    assert_eq!(
        (none.retained, none.retained_after_exit),
        (0, 0),
        "{none:?}"
    );
    // object-pool and lockfree-object-pool keep every object.
    for name in ["object_pool", "lockfree_spinlock"] {
        let b = report.burst(name);
        assert_eq!(b.retained, held, "{name}: {b:?}");
    }
    let linear = report.burst("lockfree_linear");
    assert!(linear.retained >= held, "{linear:?}");

    // Retention costs what the objects hold: repool's retained heap is no
    // more than its share of the whole burst's.
    let per_object = 4096 + 256 * 4;
    assert!(
        repool.retained_bytes <= (CAPACITY as i64 + 64) * (per_object + 1024),
        "{repool:?}"
    );

    // Every allocation of repool's request happens in the warm-up: reuse is
    // the point of a pool.
    let r = report.timings.index("repool");
    for (s, (label, _)) in SCENARIOS.iter().enumerate() {
        if label.starts_with("request") {
            assert_eq!(report.timings.median_allocs(r, s), 0.0, "repool, {label}");
        }
    }

    // The report renders, tables and chart.
    let md = report.markdown();
    assert!(md.contains("| repool |"));
    let svg = std::env::temp_dir().join(format!("repool-bench-{}.svg", std::process::id()));
    report.svg(&svg).expect("chart");
    let text = std::fs::read_to_string(&svg).expect("chart written");
    let _ = std::fs::remove_file(&svg);
    assert!(text.starts_with("<svg") && text.contains("repool"));
}
