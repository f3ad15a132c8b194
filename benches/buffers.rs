//! Mixed-size byte buffers (issue 11): sizes drawn log-uniformly from 64 B
//! to 1 MiB, each buffer filled and dropped (`buffers/mixed_*`), or taken
//! and dropped with nothing written, which leaves the pool's own cost
//! (`buffers/mixed_no_fill_*`); on 1, 2 and 8 threads sharing one pool,
//! every candidate side by side, one criterion group per scenario.
//!
//! `cargo bench --bench buffers`; one group only: `cargo bench --bench
//! buffers -- buffers/mixed_8threads`. Allocations per operation and the
//! bytes each pool keeps idle after a burst are counts, not times: see
//! `cargo run --release --example bench_report -- --buffers-only`.

mod common;

use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};

use common::buffers::candidates::{self, BufferPool, VisitBuffers};
use common::buffers::drive::{Work, run_mixed};

struct Bench<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    work: Work,
    threads: usize,
}

impl VisitBuffers for Bench<'_, '_> {
    fn visit<C: BufferPool + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        let pool = make();
        let (work, threads) = (self.work, self.threads);
        self.group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let run = run_mixed(&pool, work, threads, iters, iters.min(1_000));
                // Total time over total operations.
                run.wall / threads as u32
            });
        });
    }
}

fn buffers(c: &mut Criterion) {
    for (work, label) in [(Work::Fill, "mixed"), (Work::Take, "mixed_no_fill")] {
        for threads in [1, 2, 8] {
            let suffix = if threads == 1 { "thread" } else { "threads" };
            let mut group = c.benchmark_group(format!("buffers/{label}_{threads}{suffix}"));
            candidates::each(&mut Bench {
                group: &mut group,
                work,
                threads,
            });
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    // 12 candidates x 6 scenarios: short windows keep a full run to a few
    // minutes; compare within one group, one run.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = buffers
}
criterion_main!(benches);
