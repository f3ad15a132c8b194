//! The bound: threads competing for units, and a lowered capacity.

use super::*;

/// Two threads compete for the last free units: a return that finds none
/// hands the cache's objects to the stash and is rejected, while the other
/// thread takes from that stash.
#[test]
fn loom_budget_exhausted_flushes_cache() {
    model(|| {
        // Capacity 8: caches of 2, batches of 1. Six stocked objects leave
        // two free units.
        let h = Harness::new(8, 1);
        h.stock(6);
        let returner = spawn(&h, |h| {
            let a = h.build();
            let b = h.build();
            h.release(1, a);
            h.release(1, b);
        });
        let other = spawn(&h, |h| h.return_two(2));
        join_and_check(h, [returner, other], &[1, 2]);
    });
}

/// Four objects returned into a pool of capacity 2 by two threads: the
/// bound holds at every step and the budget is whole at the end.
#[test]
fn loom_capacity_bound() {
    model(|| {
        let h = Harness::new(2, 1);
        let workers = spawn_each(&h, &[1, 2], Harness::return_two);
        join_and_check(h, workers, &[1, 2]);
    });
}

/// `prewarm` stocking the shared layer while a thread returns objects:
/// both compete for the same units.
#[test]
fn loom_stock_races_returns() {
    model(|| {
        let h = Harness::new(2, 2);
        let warmer = spawn(&h, |h| h.stock(2));
        let user = spawn(&h, |h| {
            let a = h.acquire(1);
            let b = h.acquire(1);
            h.release(1, a);
            h.release(1, b);
        });
        join_and_check(h, [warmer, user], &[1]);
    });
}

/// The capacity lowered on one thread while another takes and returns
/// objects through its cache: at quiescence, with every cache handed back,
/// no more than the new capacity is idle and the budget is whole for it.
#[test]
fn loom_set_capacity_races_acquire_release() {
    model(|| {
        let h = Harness::new(4, 1);
        h.stock(2);
        let user = spawn(&h, |h| h.round_trip(1));
        let shrinker = spawn(&h, |h| h.set_capacity(1, Some(2)));
        join_and_check(h, [user, shrinker], &[1, 2]);
    });
}
