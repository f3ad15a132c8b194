//! What the pool does with a panic of user code it ran: catch it, finish
//! what it was doing, then pass it on only where that cannot abort the
//! process.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::NonNull;

/// A caught panic's payload.
pub(crate) type Panic = Box<dyn Any + Send>;

/// Drops every object, even when a destructor panics; returns the first
/// panic, for the caller to pass on once its own books are straight, and
/// how many destructors panicked.
///
/// # Safety
///
/// Every object comes from `Box::into_raw` and is owned by the caller alone.
pub(crate) unsafe fn drop_all<T>(objects: Vec<NonNull<T>>) -> (Option<Panic>, u64) {
    let mut first = None;
    let mut panicked = 0;
    for object in objects {
        // SAFETY: forwarded from the caller.
        let object = unsafe { Box::from_raw(object.as_ptr()) };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(object))) {
            panicked += 1;
            first.get_or_insert(payload);
        }
    }
    (first, panicked)
}

/// Whether a panic may go on from here: not while the thread is already
/// unwinding (a second panic aborts), nor once its thread-locals are being
/// torn down (a panic out of a thread-local destructor aborts too).
fn may_unwind() -> bool {
    !std::thread::panicking() && crate::thread::current().is_some()
}

/// Passes a caught panic on where that is safe (see [`may_unwind`]);
/// elsewhere it was counted and the panic hook has reported it.
pub(crate) fn rethrow(panic: Option<Panic>) {
    if let Some(payload) = panic {
        if may_unwind() {
            resume_unwind(payload);
        }
    }
}
