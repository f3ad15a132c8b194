//! One place that decides where atomics, locks and cells come from, so the
//! same pool code runs on `std` in production and under loom's model checker
//! in this crate's own test build (`scripts/loom.sh`).
//!
//! The switch is `cfg(all(test, repool_loom))`, never a bare `cfg(loom)`: a
//! user who loom-tests their own crate with `--cfg loom` sets it for every
//! crate in the build, and a repool on loom's atomics would panic outside
//! their models. `test` holds only for this crate's own unit tests, so no
//! dependent ever gets the shim, whatever flags it sets.

#[cfg(all(test, repool_loom))]
pub(crate) use loom::cell::UnsafeCell;
#[cfg(all(test, repool_loom))]
pub(crate) use loom::sync::Mutex;
#[cfg(all(test, repool_loom))]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize};

#[cfg(not(all(test, repool_loom)))]
pub(crate) use std::sync::Mutex;
#[cfg(not(all(test, repool_loom)))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize};

pub(crate) use std::sync::atomic::Ordering;

/// `std`'s cell with loom's closure-based access API, which compiles to a
/// plain pointer access.
#[cfg(not(all(test, repool_loom)))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(all(test, repool_loom)))]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Locks, shrugging off poison: no user code ever runs while one of the
/// pool's locks is held, so a poisoned lock can only mean an allocation
/// failure inside a `Vec` push, after which the data is still consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> impl std::ops::DerefMut<Target = T> + '_ {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Adds one to a counter that only the calling thread writes. A load and a
/// store, not a read-modify-write: no `lock` prefix on the fast path, and
/// other threads still read a whole value.
#[inline(always)]
pub(crate) fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}
