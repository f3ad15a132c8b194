//! Round trip (acquire, set one field, drop): repool against the two pools
//! people write by hand and against no pool at all.
//!
//! `cargo bench --bench round_trip`. Targets: on one thread repool is no
//! slower than the hand-written thread-local free list; on two threads
//! sharing one pool, within 1.5x of it. The full comparison with the pool
//! crates is `benches/pools.rs` and `examples/bench_report.rs`.

mod common;

use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};

use common::candidates::{Candidate, MutexVec, NoPool, Repool, ThreadLocalList};
use common::drive::{Op, run_parallel};

fn bench<C: Candidate>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    pool: &C,
    threads: usize,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let run = run_parallel(pool, Op::RoundTrip, threads, iters, iters.min(1_000));
            // Total time over total operations: each of the threads ran
            // `iters` of them.
            run.wall / threads as u32
        });
    });
}

fn round_trip(c: &mut Criterion) {
    let mutex_vec = MutexVec::new();
    for (group, threads) in [("round_trip/1thread", 1), ("round_trip/2threads", 2)] {
        let mut group = c.benchmark_group(group);
        bench(&mut group, "repool", &Repool, threads);
        bench(&mut group, "thread_local_list", &ThreadLocalList, threads);
        bench(&mut group, "mutex_vec", &mutex_vec, threads);
        bench(&mut group, "no_pool", &NoPool, threads);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = round_trip
}
criterion_main!(benches);
