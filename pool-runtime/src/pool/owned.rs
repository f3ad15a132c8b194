//! Guards that own their pool: [`Pool::acquire_owned`] on a pool shared
//! by an `Arc`, for a guard that must be `'static` (a `tokio::spawn`ed
//! task, a thread, a struct without a lifetime) when the pool is not a
//! `static`.

use std::ptr::NonNull;
use std::sync::Arc;

use super::Pool;
use crate::Reset;
use crate::guard::{Guard, PoolRef, sealed};

impl<T> sealed::Sealed for Arc<Pool<T>> {}

impl<T: Reset + Send + 'static> PoolRef<T> for Arc<Pool<T>> {
    #[inline]
    unsafe fn __put(&self, object: NonNull<T>) {
        // SAFETY: forwarded from the caller.
        unsafe { Pool::put(self, object) }
    }

    fn __left(&self, object: &T, detached: bool) {
        self.note_left(object, detached);
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// Like [`acquire`](Pool::acquire), with a guard that holds a clone of
    /// the `Arc` instead of a borrow: `'static`, and `Send` when `T` is, so
    /// it can move into a spawned task or thread. The pool lives as long as
    /// its last guard. The name follows tokio's `Semaphore::acquire_owned`.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use repool::Pool;
    ///
    /// let pool = Arc::new(Pool::<String>::new());
    /// let mut line = pool.acquire_owned();
    /// let worker = std::thread::spawn(move || {
    ///     line.push_str("done");
    ///     line.len()
    /// });
    /// assert_eq!(worker.join().unwrap(), 4);
    /// assert_eq!(pool.stats().returned, 1);
    /// ```
    #[inline]
    pub fn acquire_owned(self: &Arc<Self>) -> Guard<T, Arc<Self>> {
        // SAFETY: `take` hands over an object that no one else owns, and
        // the guard returns it to this same pool.
        unsafe { Guard::from_raw(self.take(), Arc::clone(self)) }
    }

    /// [`try_acquire`](Pool::try_acquire) with an owning guard: an idle
    /// object or `None`, never a build.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use repool::Pool;
    ///
    /// let pool = Arc::new(Pool::<Vec<u8>>::new());
    /// assert!(pool.try_acquire_owned().is_none());
    /// drop(pool.acquire_owned());
    /// assert!(pool.try_acquire_owned().is_some());
    /// ```
    #[inline]
    pub fn try_acquire_owned(self: &Arc<Self>) -> Option<Guard<T, Arc<Self>>> {
        let object = self.try_take()?;
        // SAFETY: as in `acquire_owned`.
        Some(unsafe { Guard::from_raw(object, Arc::clone(self)) })
    }
}
