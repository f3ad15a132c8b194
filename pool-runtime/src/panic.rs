//! What the pool does with a panic of user code it ran: catch it and finish
//! what it was doing. Whether it may then go on depends on the thread's
//! state, so that is `thread.rs`'s `rethrow`.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
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
