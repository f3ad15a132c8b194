//! Every candidate side by side, one criterion group per scenario:
//! round trip and request on 1, 2 and 8 threads sharing one pool, and the
//! handoff from a producer thread to a consumer thread.
//!
//! `cargo bench --bench pools`; one group only: `cargo bench --bench pools --
//! pools/request_8threads`. The burst (objects kept after a spike) is a
//! count, not a time: see `cargo run --release --example bench_report`.

mod common;

use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};

use common::candidates::{self, Candidate, Visit};
use common::drive::{Op, run_handoff, run_parallel};
use common::groups::{self, per_op};

#[derive(Clone, Copy)]
enum Scenario {
    Threads(Op, usize),
    Handoff,
}

struct Bench<'g, 'c> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    scenario: Scenario,
}

impl Visit for Bench<'_, '_> {
    fn visit<C: Candidate + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        let pool = make();
        let scenario = self.scenario;
        self.group.bench_function(name, |b| {
            b.iter_custom(|iters| match scenario {
                Scenario::Threads(op, threads) => per_op(
                    run_parallel(&pool, op, threads, iters, iters.min(1_000)),
                    threads,
                ),
                Scenario::Handoff => run_handoff(&pool, iters, iters.min(1_000)).wall,
            });
        });
    }
}

fn pools(c: &mut Criterion) {
    let ops = [(Op::RoundTrip, "round_trip"), (Op::Request, "request")];
    let scenarios = groups::scenarios("pools", &ops, Scenario::Threads, Scenario::Handoff);
    groups::run(c, scenarios, |group, scenario| {
        candidates::each(&mut Bench { group, scenario });
    });
}

criterion_group! {
    name = benches;
    // 11 candidates x 7 scenarios: short windows keep a full run near ten
    // minutes; compare within one group, one run.
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = pools
}
criterion_main!(benches);
