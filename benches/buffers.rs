//! Mixed-size byte buffers (issue 11): sizes drawn log-uniformly from 64 B
//! to 1 MiB, each buffer filled and dropped (`buffers/mixed_*`), or taken
//! and dropped with nothing written, which leaves the pool's own cost
//! (`buffers/mixed_no_fill_*`); on 1, 2 and 8 threads sharing one pool; and
//! 4 KiB buffers filled on one thread and dropped on another
//! (`buffers/handoff`). Every candidate side by side, one criterion group
//! per scenario.
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
use common::buffers::drive::{Work, run_buffer_handoff, run_mixed};
use common::groups::{self, per_op};

#[derive(Clone, Copy)]
enum Scenario {
    Mixed(Work, usize),
    Handoff,
}

struct Bench<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    scenario: Scenario,
}

impl VisitBuffers for Bench<'_, '_> {
    fn visit<C: BufferPool + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        let pool = make();
        let scenario = self.scenario;
        self.group.bench_function(name, |b| {
            b.iter_custom(|iters| match scenario {
                Scenario::Mixed(work, threads) => per_op(
                    run_mixed(&pool, work, threads, iters, iters.min(1_000)),
                    threads,
                ),
                Scenario::Handoff => run_buffer_handoff(&pool, iters, iters.min(1_000)).wall,
            });
        });
    }
}

fn buffers(c: &mut Criterion) {
    let work = [(Work::Fill, "mixed"), (Work::Take, "mixed_no_fill")];
    let scenarios = groups::scenarios("buffers", &work, Scenario::Mixed, Scenario::Handoff);
    groups::run(c, scenarios, |group, scenario| {
        candidates::each(&mut Bench { group, scenario });
    });
}

criterion_group! {
    name = benches;
    // 12 candidates x 7 scenarios: short windows keep a full run to a few
    // minutes; compare within one group, one run.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = buffers
}
criterion_main!(benches);
