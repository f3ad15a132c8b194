//! `Reset` for std's shared-state types: atomics, locks and once-cells.
//!
//! A pooled object is reset through `&mut self`, so no other thread can hold
//! it: every impl here reaches the value with `get_mut` (no atomic operation,
//! no locking), never through the shared API.

use std::cell::OnceCell;
use std::ptr;
use std::sync::atomic::AtomicBool;
#[cfg(target_has_atomic = "8")]
use std::sync::atomic::{AtomicI8, AtomicU8};
#[cfg(target_has_atomic = "16")]
use std::sync::atomic::{AtomicI16, AtomicU16};
#[cfg(target_has_atomic = "32")]
use std::sync::atomic::{AtomicI32, AtomicU32};
#[cfg(target_has_atomic = "64")]
use std::sync::atomic::{AtomicI64, AtomicU64};
#[cfg(target_has_atomic = "ptr")]
use std::sync::atomic::{AtomicIsize, AtomicPtr, AtomicUsize};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock, TryLockError};

use super::Reset;

macro_rules! atomics {
    ($($width:literal: $($ty:ident)*;)*) => {$($(
        #[cfg(target_has_atomic = $width)]
        impl Reset for $ty {
            #[inline]
            fn reset(&mut self) {
                *self.get_mut() = Default::default();
            }
        }
    )*)*};
}

atomics! {
    "8": AtomicBool AtomicU8 AtomicI8;
    "16": AtomicU16 AtomicI16;
    "32": AtomicU32 AtomicI32;
    "64": AtomicU64 AtomicI64;
    "ptr": AtomicUsize AtomicIsize;
}

/// Set to null. Only the pointer is forgotten, never freed: an `AtomicPtr`
/// does not own what it points to.
#[cfg(target_has_atomic = "ptr")]
impl<T> Reset for AtomicPtr<T> {
    #[inline]
    fn reset(&mut self) {
        *self.get_mut() = ptr::null_mut();
    }
}

/// The value is reset in place and a poisoned lock is cleared: the panic
/// that poisoned it happened during the previous use, and the reset is what
/// makes the value consistent again.
impl<T: Reset + ?Sized> Reset for Mutex<T> {
    #[inline]
    fn reset(&mut self) {
        self.get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .reset();
        self.clear_poison();
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        // A guard leaked with `mem::forget` keeps it locked forever: asking
        // must not wait. Keeping it is the conservative answer, as for a
        // borrowed `RefCell`, since reset (through `get_mut`) still empties it.
        match self.try_lock() {
            Ok(value) => value.is_oversized(),
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().is_oversized(),
            Err(TryLockError::WouldBlock) => false,
        }
    }
}

/// As for `Mutex<T>`: reset in place, poison cleared.
impl<T: Reset + ?Sized> Reset for RwLock<T> {
    #[inline]
    fn reset(&mut self) {
        self.get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .reset();
        self.clear_poison();
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        match self.try_read() {
            Ok(value) => value.is_oversized(),
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().is_oversized(),
            Err(TryLockError::WouldBlock) => false,
        }
    }
}

/// Emptied: the value is taken out and dropped, so the next user sets it
/// again, as with `Option<T>`.
impl<T> Reset for OnceCell<T> {
    #[inline]
    fn reset(&mut self) {
        drop(self.take());
    }
}

/// Emptied, like `OnceCell<T>`.
impl<T> Reset for OnceLock<T> {
    #[inline]
    fn reset(&mut self) {
        drop(self.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::atomic::Ordering;

    #[test]
    fn atomics_go_back_to_zero() {
        let mut flag = AtomicBool::new(true);
        let mut small = AtomicI8::new(-3);
        let mut count = AtomicU64::new(u64::MAX);
        let mut size = AtomicUsize::new(7);
        let mut value = 5u32;
        let mut pointer = AtomicPtr::new(&mut value);
        flag.reset();
        small.reset();
        count.reset();
        size.reset();
        pointer.reset();
        assert!(!flag.load(Ordering::Relaxed));
        assert_eq!(small.load(Ordering::Relaxed), 0);
        assert_eq!(count.load(Ordering::Relaxed), 0);
        assert_eq!(size.load(Ordering::Relaxed), 0);
        assert!(pointer.load(Ordering::Relaxed).is_null());
        assert_eq!(value, 5, "the pointee is left alone");
    }

    fn poison<T>(lock: impl FnOnce() -> T) {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let _guard = lock();
            panic!("poisoning on purpose");
        }));
        assert!(result.is_err());
    }

    #[test]
    fn locks_reset_their_value_and_clear_poison() {
        let mut mutex = Mutex::new(vec![1u8; 32]);
        poison(|| mutex.lock());
        assert!(mutex.is_poisoned());
        mutex.reset();
        assert!(!mutex.is_poisoned());
        let inner = mutex.get_mut().unwrap();
        assert!(inner.is_empty() && inner.capacity() >= 32);

        let mut rw = RwLock::new(String::from("abc"));
        poison(|| rw.write());
        assert!(rw.is_poisoned());
        rw.reset();
        assert!(!rw.is_poisoned());
        assert!(rw.read().unwrap().is_empty());
    }

    #[test]
    fn locks_pass_on_oversized_without_waiting() {
        struct Big;
        impl Reset for Big {
            fn reset(&mut self) {}
            fn is_oversized(&self) -> bool {
                true
            }
        }
        let mutex = Mutex::new(Big);
        assert!(mutex.is_oversized());
        poison(|| mutex.lock());
        assert!(mutex.is_oversized(), "asked through the poison");
        let held = mutex.lock();
        assert!(!mutex.is_oversized(), "a held lock is not waited for");
        drop(held);

        let rw = RwLock::new(Big);
        assert!(rw.is_oversized());
        let held = rw.write();
        assert!(!rw.is_oversized());
        drop(held);
    }

    #[test]
    fn once_cells_are_emptied() {
        let mut cell = OnceCell::new();
        cell.set(String::from("x")).unwrap();
        cell.reset();
        assert!(cell.get().is_none());
        let mut lock = OnceLock::new();
        lock.set(3u8).unwrap();
        lock.reset();
        assert!(lock.get().is_none());
    }
}
