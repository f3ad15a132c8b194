//! What the criterion benches with a group per scenario share
//! (`benches/pools.rs`, `benches/buffers.rs`): the groups and their names,
//! and criterion's time for a multi-threaded run.

use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};

use super::drive::Run;

/// A group per operation on 1, 2 and 8 threads, named
/// `{bench}/{label}_{n}thread(s)`, then the handoff's, `{bench}/handoff`.
pub(crate) fn scenarios<O: Copy, S>(
    bench: &str,
    ops: &[(O, &str)],
    threads: impl Fn(O, usize) -> S,
    handoff: S,
) -> Vec<(String, S)> {
    let mut scenarios = Vec::new();
    for &(op, label) in ops {
        for n in [1, 2, 8] {
            let suffix = if n == 1 { "thread" } else { "threads" };
            scenarios.push((format!("{bench}/{label}_{n}{suffix}"), threads(op, n)));
        }
    }
    scenarios.push((format!("{bench}/handoff"), handoff));
    scenarios
}

/// Runs each scenario as a criterion group of its name; `add` puts every
/// candidate in it.
pub(crate) fn run<S: Copy>(
    c: &mut Criterion,
    scenarios: Vec<(String, S)>,
    mut add: impl FnMut(&mut BenchmarkGroup<'_, WallTime>, S),
) {
    for (name, scenario) in scenarios {
        let mut group = c.benchmark_group(name);
        add(&mut group, scenario);
        group.finish();
    }
}

/// What criterion is told `threads` workers took for `iters` operations
/// each: total wall time over total operations, per iteration.
pub(crate) fn per_op(run: Run, threads: usize) -> Duration {
    run.wall / threads as u32
}
