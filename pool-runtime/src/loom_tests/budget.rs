//! The bound: threads competing for units, and a lowered capacity.

use super::*;

/// Two threads compete for the last free units: a return that finds none
/// hands the cache's objects to the stash and is rejected, while the other
/// thread takes from that stash.
#[test]
fn loom_budget_exhausted_flushes_cache() {
    race(8, 1, 6, &[1, 2], |h| {
        // Capacity 8: caches of 2, batches of 1. Six stocked objects leave
        // two free units.
        let returner = spawn(h, |h| {
            let a = h.build();
            let b = h.build();
            h.release(1, a);
            h.release(1, b);
        });
        let other = spawn(h, |h| h.return_two(2));
        [returner, other]
    });
}

/// Four objects returned into a pool of capacity 2 by two threads: the
/// bound holds at every step and the budget is whole at the end.
#[test]
fn loom_capacity_bound() {
    race(2, 1, 0, &[1, 2], |h| {
        spawn_each(h, &[1, 2], Harness::return_two)
    });
}

/// `prewarm` stocking the shared layer while a thread returns objects:
/// both compete for the same units.
#[test]
fn loom_stock_races_returns() {
    race(2, 2, 0, &[1], |h| {
        let warmer = spawn(h, |h| h.stock(2));
        let user = spawn(h, |h| h.hold_two(1));
        [warmer, user]
    });
}

/// The capacity lowered on one thread while another takes and returns
/// objects through its cache: at quiescence, with every cache handed back,
/// no more than the new capacity is idle and the budget is whole for it.
#[test]
fn loom_set_capacity_races_acquire_release() {
    race(4, 1, 2, &[1, 2], |h| {
        let user = spawn(h, |h| h.round_trip(1));
        let shrinker = spawn(h, |h| h.set_capacity(1, Some(2)));
        [user, shrinker]
    });
}
