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
        let other = spawn(&h, |h| {
            let a = h.acquire(2);
            let b = h.build();
            h.release(2, a);
            h.release(2, b);
        });
        returner.join().unwrap();
        other.join().unwrap();
        h.quiesce(&[1, 2]);
        h.finish();
    });
}

/// Four objects returned into a pool of capacity 2 by two threads: the
/// bound holds at every step and the budget is whole at the end.
#[test]
fn loom_capacity_bound() {
    model(|| {
        let h = Harness::new(2, 1);
        let workers: Vec<_> = [1, 2]
            .into_iter()
            .map(|slot| {
                spawn(&h, move |h| {
                    let a = h.acquire(slot);
                    let b = h.build();
                    h.release(slot, a);
                    h.release(slot, b);
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        h.quiesce(&[1, 2]);
        h.finish();
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
        warmer.join().unwrap();
        user.join().unwrap();
        h.quiesce(&[1]);
        h.finish();
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
        let user = spawn(&h, |h| {
            let a = h.acquire(1);
            h.release(1, a);
        });
        let shrinker = spawn(&h, |h| h.set_capacity(1, Some(2)));
        user.join().unwrap();
        shrinker.join().unwrap();
        h.quiesce(&[1, 2]);
        h.finish();
    });
}
