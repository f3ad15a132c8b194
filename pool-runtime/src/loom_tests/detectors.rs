//! The checks of the other models must be able to fail. These two feed
//! the harness a broken "pool" on purpose and expect each detector to fire.

use super::*;

/// The oracle catches an object handed out twice.
#[test]
#[should_panic(expected = "held twice")]
fn loom_oracle_catches_double_hold() {
    model(|| {
        let h = Harness::new(1, 1);
        let obj = h.build();
        // As a pool that forgot to remove the object would: hand it out
        // while its first holder still has it.
        h.take(obj, false);
    });
}

/// The object's cell catches a hand-over with no happens-before edge: a
/// "pool" that publishes the object through a relaxed atomic.
#[test]
#[should_panic(expected = "Causality violation")]
fn loom_cell_catches_unsynchronised_handover() {
    use loom::sync::atomic::{AtomicPtr, Ordering};

    model(|| {
        let h = Harness::new(1, 1);
        let shelf = Arc::new(AtomicPtr::new(std::ptr::null_mut::<Obj>()));
        let putter = {
            let shelf = Arc::clone(&shelf);
            spawn(&h, move |h| {
                let obj = h.build();
                h.let_go(obj);
                shelf.store(obj.as_ptr(), Ordering::Relaxed);
            })
        };
        if let Some(obj) = NonNull::new(shelf.load(Ordering::Relaxed)) {
            // SAFETY: deliberately unsound, as the broken pool would be:
            // loom runs one thread at a time and panics on the cell access
            // before it happens, so nothing is actually raced.
            unsafe { obj.as_ref() }.touch();
        }
        putter.join().unwrap();
    });
}
