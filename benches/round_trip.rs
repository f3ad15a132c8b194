//! Round trip (acquire, set one field, drop): repool against the two pools
//! people write by hand and against no pool at all.
//!
//! `cargo bench -p repool-benches --bench round_trip`. Targets: on one
//! thread repool is no slower than the hand-written thread-local free list;
//! on two threads sharing one pool, within 1.5x of it. The full comparison
//! with the pool crates is `pools.rs` and `bench_report.rs`.
//!
//! `round_trip/buffers` compares the standard buffers' own pools with a
//! derived type holding one `Vec<u8>`: `acquire()` and
//! `acquire_with_capacity(n)` + drop within 1.3x of the derived round trip.

mod common;

use std::hint::black_box;
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

/// A derived type with one buffer: the round trip the buffers' own pools
/// are measured against.
#[derive(Default, repool::Pooled)]
struct OneVec {
    bytes: Vec<u8>,
}

fn buffers(c: &mut Criterion) {
    use repool::Pooled;
    let mut group = c.benchmark_group("round_trip/buffers");
    group.bench_function("derived_one_vec", |b| {
        b.iter(|| black_box(OneVec::acquire()).bytes.push(1))
    });
    group.bench_function("vec_u8_acquire", |b| {
        b.iter(|| black_box(Vec::<u8>::acquire()).push(1))
    });
    group.bench_function("vec_u8_acquire_with_capacity_1000", |b| {
        b.iter(|| black_box(Vec::<u8>::acquire_with_capacity(black_box(1000))).push(1))
    });
    group.bench_function("string_acquire_with_capacity_100", |b| {
        b.iter(|| black_box(String::acquire_with_capacity(black_box(100))).push('x'))
    });
    group.bench_function("vec_u32_acquire_with_capacity_1000", |b| {
        b.iter(|| black_box(Vec::<u32>::acquire_with_capacity(black_box(1000))).push(1))
    });
    // Through the type registry: an element type without a static pool.
    group.bench_function("vec_u8x3_acquire_with_capacity_100", |b| {
        b.iter(|| black_box(Vec::<[u8; 3]>::acquire_with_capacity(black_box(100))).push([1; 3]))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = round_trip, buffers
}
criterion_main!(benches);
