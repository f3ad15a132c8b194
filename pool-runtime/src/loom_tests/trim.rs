//! Epochs: trim and clear racing the caches, a thread's exit, and a `stats()` snapshot meanwhile.

use super::*;

/// `trim` on one thread while another takes and returns objects.
#[test]
fn loom_trim_races_acquire_release() {
    race(4, 1, 2, &[1, 2], |h| {
        let user = spawn(h, |h| {
            h.round_trip(1);
            h.round_trip(1);
        });
        let trimmer = spawn(h, |h| {
            h.trim(Some(2));
            h.trim(Some(2));
        });
        [user, trimmer]
    });
}

/// `clear` from a thread without a slot while another thread overflows
/// its cache into the stash.
#[test]
fn loom_clear_races_overflow() {
    race(2, 1, 1, &[1], |h| {
        let user = spawn(h, |h| {
            h.return_two(1);
            h.round_trip(1);
        });
        let clearer = spawn(h, |h| h.clear(None));
        [user, clearer]
    });
}

/// A thread exits (its slot's cache goes to the shared layer) while
/// another one works and trims; a third thread then reuses the freed slot,
/// handed over through a lock as `thread.rs` does.
#[test]
fn loom_thread_exit_races_others() {
    race(3, 1, 0, &[1, 2, 3], |h| {
        let free_slot: Arc<Mutex<Option<usize>>> = Arc::new(Mutex::new(None));
        let exiting = {
            let free_slot = Arc::clone(&free_slot);
            spawn(h, move |h| {
                h.return_two(1);
                h.release_slot(1);
                *free_slot.lock().unwrap() = Some(1);
            })
        };
        let worker = spawn(h, |h| {
            let a = h.acquire(2);
            h.trim(Some(2));
            h.release(2, a);
        });
        let newcomer = spawn(h, move |h| {
            let slot = free_slot.lock().unwrap().take().unwrap_or(3);
            h.round_trip(slot);
        });
        [exiting, worker, newcomer]
    });
}

/// `Pool::stats` while objects move from a cache to the stash (an overflow,
/// then a thread exit) and a `clear` empties the stash: the snapshot may be a little off, but never
/// wildly (it is documented as "close, not exact"). A reader counts each
/// idle object at most twice (in the stash count and in a cache, while it
/// moves), so a sane snapshot stays within twice the capacity.
#[test]
fn loom_stats_snapshot_is_close() {
    race(3, 1, 0, &[], |h| {
        // Capacity 3: caches of one object, so a second return moves the
        // first object to the stash.
        let mover = spawn(h, |h| {
            h.hold_two(1);
            // And the thread exits: `b` moves to the stash too.
            h.release_slot(1);
        });
        let clearer = spawn(h, |h| {
            h.clear(None);
            let idle = h.core.counts().idle;
            assert!(idle <= 2 * h.capacity, "stats reported {idle} idle objects");
        });
        [mover, clearer]
    });
}
