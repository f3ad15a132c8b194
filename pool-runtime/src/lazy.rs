//! Publish-once of a value built on first use: a pool's storage.
//!
//! Threads that find nothing published each build their own `Arc`, then
//! race to publish it with one compare-and-swap; every thread ends up using
//! the winner's, and each loser gets its own copy back to undo what it did
//! with it (a pool unregisters its storage) before dropping it. No lock is
//! taken, so building may run user code.
//!
//! [`OnceArc`] is generic over its atomic pointer: a `Pool` uses `std`'s,
//! whose `const` constructor lets a pool live in a `static`, and the loom
//! models (`loom_registry.rs`) use loom's, to check the same code.

use std::marker::PhantomData;
use std::ptr;
use std::sync::Arc;

use crate::sync::Ordering;

/// The operations of an atomic pointer that [`OnceArc`] needs.
pub(crate) trait AtomicPointer<T> {
    fn load(&self, order: Ordering) -> *mut T;
    /// Stores `new` if the pointer is null, else returns the one found:
    /// the compare-and-swap of [`OnceArc::publish`], with its orderings.
    fn publish(&self, new: *mut T) -> Result<*mut T, *mut T>;
    fn swap(&self, new: *mut T, order: Ordering) -> *mut T;
}

macro_rules! atomic_pointer {
    ($atomic:ty) => {
        impl<T> AtomicPointer<T> for $atomic {
            #[inline(always)]
            fn load(&self, order: Ordering) -> *mut T {
                <$atomic>::load(self, order)
            }
            #[inline(always)]
            fn publish(&self, new: *mut T) -> Result<*mut T, *mut T> {
                // Release: publishes the value and what was done before.
                // Acquire on failure: as in `OnceArc::get`, for the
                // winner's value.
                <$atomic>::compare_exchange(
                    self,
                    ptr::null_mut(),
                    new,
                    Ordering::Release,
                    Ordering::Acquire,
                )
            }
            #[inline(always)]
            fn swap(&self, new: *mut T, order: Ordering) -> *mut T {
                <$atomic>::swap(self, new, order)
            }
        }
    };
}

atomic_pointer!(std::sync::atomic::AtomicPtr<T>);
#[cfg(all(test, repool_loom))]
atomic_pointer!(loom::sync::atomic::AtomicPtr<T>);

/// An `Arc<T>` published at most once, then shared by every thread until
/// [`take`](OnceArc::take) or drop.
pub(crate) struct OnceArc<T, P: AtomicPointer<T> = std::sync::atomic::AtomicPtr<T>> {
    /// Null, or a pointer from `Arc::into_raw` that this value owns.
    ptr: P,
    /// Owns an `Arc<T>`, so is `Send`/`Sync` only as `Arc<T>` is.
    _owns: PhantomData<Arc<T>>,
}

impl<T> OnceArc<T> {
    /// Nothing published yet; `const`, for pools in a `static`.
    pub(crate) const fn new() -> Self {
        Self {
            ptr: std::sync::atomic::AtomicPtr::new(ptr::null_mut()),
            _owns: PhantomData,
        }
    }
}

#[cfg(all(test, repool_loom))]
impl<T> OnceArc<T, loom::sync::atomic::AtomicPtr<T>> {
    /// Nothing published yet, on loom's atomic.
    pub(crate) fn new_loom() -> Self {
        Self {
            ptr: loom::sync::atomic::AtomicPtr::new(ptr::null_mut()),
            _owns: PhantomData,
        }
    }
}

/// A lost race to publish: the value everyone uses, and the caller's own,
/// which nobody else has seen.
pub(crate) struct Lost<'a, T> {
    pub(crate) winner: &'a T,
    pub(crate) ours: Arc<T>,
}

impl<T, P: AtomicPointer<T>> OnceArc<T, P> {
    /// The published value, if any.
    #[inline]
    pub(crate) fn get(&self) -> Option<&T> {
        // Acquire: pairs with the Release of `publish`, so the caller sees
        // the value as its builder left it.
        let ptr = self.ptr.load(Ordering::Acquire);
        // SAFETY: a non-null pointer came from `Arc::into_raw` and is owned
        // by `self` until `take` (which needs `&mut self`) or drop, so it
        // outlives this borrow.
        unsafe { ptr.as_ref() }
    }

    /// Publishes `value` unless another one was published first; then
    /// returns that one with `value` back.
    ///
    /// Whatever the caller did with `value` before calling this (a pool
    /// registers its storage) is visible to every thread that later gets it.
    pub(crate) fn publish(&self, value: Arc<T>) -> Result<&T, Lost<'_, T>> {
        let raw = Arc::into_raw(value).cast_mut();
        match self.ptr.publish(raw) {
            // SAFETY: `raw` is now owned by `self`, as in `get`.
            Ok(_) => Ok(unsafe { &*raw }),
            Err(winner) => Err(Lost {
                // SAFETY: the winner's pointer is owned by `self`, as in
                // `get`.
                winner: unsafe { &*winner },
                // SAFETY: `raw` came from `Arc::into_raw` just above and
                // was not published, so this is still our reference.
                ours: unsafe { Arc::from_raw(raw) },
            }),
        }
    }

    /// Takes the published value back, leaving nothing published.
    pub(crate) fn take(&mut self) -> Option<Arc<T>> {
        // `&mut self`: no other thread can be publishing or reading.
        let ptr = self.ptr.swap(ptr::null_mut(), Ordering::Acquire);
        // SAFETY: a non-null pointer is the reference `self` owned, handed
        // back exactly once because the swap cleared it.
        (!ptr.is_null()).then(|| unsafe { Arc::from_raw(ptr) })
    }
}

impl<T, P: AtomicPointer<T>> Drop for OnceArc<T, P> {
    fn drop(&mut self) {
        drop(self.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_publish_wins_and_the_loser_gets_its_own_back() {
        let once = OnceArc::<u32>::new();
        assert!(once.get().is_none());
        let first = Arc::new(1);
        assert_eq!(once.publish(Arc::clone(&first)).ok(), Some(&1));
        let second = Arc::new(2);
        let Err(lost) = once.publish(Arc::clone(&second)) else {
            panic!("a second publish won");
        };
        assert_eq!(*lost.winner, 1);
        assert!(Arc::ptr_eq(&lost.ours, &second));
        drop(lost);
        assert_eq!(Arc::strong_count(&second), 1, "the loser's copy leaked");
        assert_eq!(once.get(), Some(&1));
        assert_eq!(Arc::strong_count(&first), 2, "published exactly once");
        drop(once);
        assert_eq!(Arc::strong_count(&first), 1, "drop released the value");
    }

    #[test]
    fn take_hands_the_value_back_once() {
        let mut once = OnceArc::<String>::new();
        assert!(once.take().is_none());
        let value = Arc::new(String::from("core"));
        assert!(once.publish(Arc::clone(&value)).is_ok());
        let taken = once.take().expect("published");
        assert!(Arc::ptr_eq(&taken, &value));
        assert!(once.get().is_none() && once.take().is_none());
        drop(taken);
        drop(once);
        assert_eq!(Arc::strong_count(&value), 1);
    }

    #[test]
    fn usable_in_a_static() {
        static ONCE: OnceArc<u64> = OnceArc::new();
        let winner = match ONCE.publish(Arc::new(7)) {
            Ok(v) => *v,
            Err(lost) => *lost.winner,
        };
        assert_eq!(ONCE.get(), Some(&winner));
    }
}
