//! Objects moving between caches, the shared layer and threads without a slot.

use super::*;

/// Two threads take the same two stocked objects in turn.
#[test]
fn loom_acquire_release_two_threads() {
    race(2, 1, 2, &[1, 2], |h| {
        spawn_each(h, &[1, 2], |h, slot| {
            h.round_trip(slot);
            h.round_trip(slot);
        })
    });
}

/// Three threads, one stocked object, two stashes: they race for it, build
/// others, and the returns overflow the bound of 2.
#[test]
fn loom_acquire_release_three_threads() {
    race(2, 2, 1, &[0, 1, 2], |h| {
        spawn_each(h, &[0, 1, 2], Harness::round_trip)
    });
}

/// An object taken on slot 0 is sent to another thread and returned on
/// slot 1, which overflows its cache of one, so the object travels through
/// the stash and may come back to the first thread.
#[test]
fn loom_cross_thread_release() {
    race(3, 1, 1, &[0, 1], |h| {
        let (tx, rx) = mpsc::channel::<Handoff>();
        let a = spawn(h, move |h| {
            let obj = h.acquire(0);
            tx.send(Handoff(obj)).unwrap();
            h.round_trip(0);
        });
        let b = spawn(h, move |h| {
            let own = h.acquire(1);
            let Handoff(obj) = rx.recv().unwrap();
            h.release(1, obj);
            h.release(1, own);
        });
        [a, b]
    });
}

/// Batches move between a cache and the shared layer at the same time:
/// slot 0's full cache hands half of its objects to the stash while slot 1
/// refills from it.
#[test]
fn loom_shared_layer_batches() {
    race(16, 1, 2, &[0, 1], |h| {
        // Capacity 16 gives caches of up to 4 objects and batches of 2.
        // Single-threaded set-up: besides the two stocked objects in the
        // stash, a full cache of four on slot 0, and one acquire served from
        // it, so slot 0 counts as a thread that also acquires (it keeps half
        // at an overflow).
        let objects: Vec<_> = (0..4).map(|_| h.build()).collect();
        for obj in objects {
            h.release(0, obj);
        }
        h.round_trip(0);
        assert_eq!(h.core.counts().idle, 6);
        let extra = Handoff(h.build());
        let filler = spawn(h, move |h| {
            // Moves the whole `Handoff` in, not just its (non-`Send`) field.
            let extra = extra;
            h.release(0, extra.0);
        });
        let taker = spawn(h, move |h| {
            // Takes a batch from the stash: one handed out, one cached.
            h.hold_two(1);
        });
        [filler, taker]
    });
}

/// A thread whose slot is gone (its thread-locals are being destroyed)
/// uses the shared layer directly while a thread with a slot works.
#[test]
fn loom_slotless_thread_races_owner() {
    race(2, 1, 1, &[1], |h| {
        let owner = spawn(h, |h| h.return_two(1));
        let slotless = spawn(h, |h| {
            let a = h.acquire_unowned();
            h.release_unowned(a);
        });
        [owner, slotless]
    });
}
