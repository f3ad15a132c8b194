//! Objects moving between caches, the shared layer and threads without a slot.

use super::*;

/// Two threads take the same two stocked objects in turn.
#[test]
fn loom_acquire_release_two_threads() {
    model(|| {
        let h = Harness::new(2, 1);
        h.stock(2);
        let workers: Vec<_> = [1, 2]
            .into_iter()
            .map(|slot| {
                spawn(&h, move |h| {
                    for _ in 0..2 {
                        let obj = h.acquire(slot);
                        h.release(slot, obj);
                    }
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

/// Three threads, one stocked object, two stashes: they race for it, build
/// others, and the returns overflow the bound of 2.
#[test]
fn loom_acquire_release_three_threads() {
    model(|| {
        let h = Harness::new(2, 2);
        h.stock(1);
        let workers: Vec<_> = [0, 1, 2]
            .into_iter()
            .map(|slot| {
                spawn(&h, move |h| {
                    let obj = h.acquire(slot);
                    h.release(slot, obj);
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        h.quiesce(&[0, 1, 2]);
        h.finish();
    });
}

/// An object taken on slot 0 is sent to another thread and returned on
/// slot 1, which overflows its cache of one, so the object travels through
/// the stash and may come back to the first thread.
#[test]
fn loom_cross_thread_release() {
    model(|| {
        let h = Harness::new(3, 1);
        h.stock(1);
        let (tx, rx) = mpsc::channel::<Handoff>();
        let a = spawn(&h, move |h| {
            let obj = h.acquire(0);
            tx.send(Handoff(obj)).unwrap();
            let again = h.acquire(0);
            h.release(0, again);
        });
        let b = spawn(&h, move |h| {
            let own = h.acquire(1);
            let Handoff(obj) = rx.recv().unwrap();
            h.release(1, obj);
            h.release(1, own);
        });
        a.join().unwrap();
        b.join().unwrap();
        h.quiesce(&[0, 1]);
        h.finish();
    });
}

/// Batches move between a cache and the shared layer at the same time:
/// slot 0's full cache hands half of its objects to the stash while slot 1
/// refills from it.
#[test]
fn loom_shared_layer_batches() {
    model(|| {
        // Capacity 16 gives caches of up to 4 objects and batches of 2.
        let h = Harness::new(16, 1);
        // Single-threaded set-up: two objects in the stash, a full cache of
        // four on slot 0, and one acquire served from it, so slot 0 counts
        // as a thread that also acquires (it keeps half at an overflow).
        h.stock(2);
        let objects: Vec<_> = (0..4).map(|_| h.build()).collect();
        for obj in objects {
            h.release(0, obj);
        }
        let again = h.acquire(0);
        h.release(0, again);
        assert_eq!(h.core.counts().idle, 6);
        let extra = Handoff(h.build());
        let filler = spawn(&h, move |h| {
            // Moves the whole `Handoff` in, not just its (non-`Send`) field.
            let extra = extra;
            h.release(0, extra.0);
        });
        let taker = spawn(&h, move |h| {
            // Takes a batch from the stash: one handed out, one cached.
            let a = h.acquire(1);
            let b = h.acquire(1);
            h.release(1, a);
            h.release(1, b);
        });
        filler.join().unwrap();
        taker.join().unwrap();
        h.quiesce(&[0, 1]);
        h.finish();
    });
}

/// A thread whose slot is gone (its thread-locals are being destroyed)
/// uses the shared layer directly while a thread with a slot works.
#[test]
fn loom_slotless_thread_races_owner() {
    model(|| {
        let h = Harness::new(2, 1);
        h.stock(1);
        let owner = spawn(&h, |h| {
            let a = h.acquire(1);
            let b = h.build();
            h.release(1, a);
            h.release(1, b);
        });
        let slotless = spawn(&h, |h| {
            let a = h.acquire_unowned();
            h.release_unowned(a);
        });
        owner.join().unwrap();
        slotless.join().unwrap();
        h.quiesce(&[1]);
        h.finish();
    });
}
