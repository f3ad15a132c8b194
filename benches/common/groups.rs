//! What the criterion benches with a group per scenario share
//! (`benches/pools.rs`, `benches/buffers.rs`): the groups and their names,
//! criterion's time for a multi-threaded run, and the bench's `main`
//! ([`bench_main!`]).

use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};

use super::drive::{Run, Scenario};

/// A group per operation on 1, 2 and 8 threads, named
/// `{bench}/{label}_{n}thread(s)`, then the handoff's, `{bench}/handoff`.
fn scenarios<O: Copy>(bench: &str, ops: &[(O, &str)]) -> Vec<(String, Scenario<O>)> {
    let mut scenarios = Vec::new();
    for &(op, label) in ops {
        for n in [1, 2, 8] {
            let suffix = if n == 1 { "thread" } else { "threads" };
            scenarios.push((
                format!("{bench}/{label}_{n}{suffix}"),
                Scenario::Threads(op, n),
            ));
        }
    }
    scenarios.push((format!("{bench}/handoff"), Scenario::Handoff));
    scenarios
}

/// What a bench's candidate visitor adds its candidates to: the criterion
/// group of one scenario.
pub(crate) struct Bench<'g, 'c, O> {
    group: &'g mut BenchmarkGroup<'c, WallTime>,
    scenario: Scenario<O>,
}

impl<O: Copy> Bench<'_, '_, O> {
    /// Adds the candidate `name`, its pool `pool`, to the group: each
    /// sample runs 1,000 untimed operations (fewer if the sample has
    /// fewer), then the sample's, through the pool's drivers `threads` and
    /// `handoff` ([`Scenario::run`]).
    pub(crate) fn add<P>(
        &mut self,
        name: &str,
        pool: P,
        threads: impl Fn(&P, O, usize, u64, u64) -> Run,
        handoff: impl Fn(&P, u64, u64) -> Run,
    ) {
        let scenario = self.scenario;
        self.group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let run = scenario.run(&pool, iters, iters.min(1_000), &threads, &handoff);
                per_op(run, scenario.threads())
            });
        });
    }
}

/// Runs each scenario of `ops` ([`scenarios`]) as a criterion group of its
/// name; `each` adds every candidate to it.
pub(crate) fn run<O: Copy>(
    c: &mut Criterion,
    bench: &str,
    ops: &[(O, &str)],
    mut each: impl FnMut(&mut Bench<'_, '_, O>),
) {
    for (name, scenario) in scenarios(bench, ops) {
        let mut group = c.benchmark_group(name);
        each(&mut Bench {
            group: &mut group,
            scenario,
        });
        group.finish();
    }
}

/// What criterion is told `threads` workers took for `iters` operations
/// each: total wall time over total operations, per iteration (the
/// hand-off's wall time, on its one producer).
fn per_op(run: Run, threads: usize) -> Duration {
    run.wall / threads as u32
}

/// The criterion settings of these benches: `samples` per candidate, over
/// windows short enough that a full run (every candidate in every group)
/// takes minutes; compare within one group, one run.
pub(crate) fn config(samples: usize) -> Criterion {
    Criterion::default()
        .sample_size(samples)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// The `main` of a bench with a group per scenario: the bench `$bench`
/// runs `$op`s (each named by its label) on 1, 2 and 8 threads and the
/// hand-off ([`run`]), `$each` visiting every candidate in each group
/// through the bench's visitor for [`Bench`], `$samples` samples each
/// ([`config`]).
// Only the criterion benches expand it; the other targets that include
// `common` see it unused.
#[allow(unused_macros)]
macro_rules! bench_main {
    ($bench:ident, $samples:expr, $each:path, [$($op:expr => $label:literal),* $(,)?]) => {
        fn $bench(c: &mut criterion::Criterion) {
            let ops = [$(($op, $label)),*];
            crate::common::groups::run(c, stringify!($bench), &ops, |bench| $each(bench));
        }

        criterion::criterion_group! {
            name = benches;
            config = crate::common::groups::config($samples);
            targets = $bench
        }
        criterion::criterion_main!(benches);
    };
}
#[allow(unused_imports)] // as the macro
pub(crate) use bench_main;
