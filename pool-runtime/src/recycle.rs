//! The return step both front ends share (`Pool::put` for a pool value,
//! `local::put` for a derived type): reset the object and decide
//! ([`prepare`]), then keep it ([`give_back`]) or drop it and count why
//! ([`not_kept`]).
//!
//! The reset, `is_oversized` and the destructor are user code: a panic in
//! any of them must neither lose track of the object nor abort the process.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

use crate::core::{Core, Event};
use crate::panic::{Panic, rethrow};
use crate::{Reset, thread};

/// What to do with a returned object.
pub(crate) enum Verdict {
    Keep,
    Oversized,
    Panicked(Panic),
}

/// Asks whether a returned object is oversized and resets it: user code,
/// whose panic must neither lose track of the object nor abort the process
/// when the thread is already unwinding.
///
/// # Safety
///
/// The caller owns `object`.
#[inline(always)]
pub(crate) unsafe fn prepare<T: Reset>(object: NonNull<T>) -> Verdict {
    // SAFETY: the caller owns `object` exclusively.
    let value = unsafe { &mut *object.as_ptr() };
    let keep = catch_unwind(AssertUnwindSafe(|| {
        if value.is_oversized() {
            return false;
        }
        value.reset();
        true
    }));
    match keep {
        Ok(true) => Verdict::Keep,
        Ok(false) => Verdict::Oversized,
        Err(panic) => Verdict::Panicked(panic),
    }
}

/// Makes a reset object idle in `core`, through the calling thread's cache
/// if it has a slot, or drops it if the pool is full.
///
/// # Safety
///
/// `object` was taken from `core` and the caller gives it up; `prepare`
/// said to keep it.
#[inline]
pub(crate) unsafe fn give_back<T>(core: &Core<T>, object: NonNull<T>) {
    let full = match thread::current() {
        // SAFETY: this thread's own slot; `object` is ours.
        Some(slot) => unsafe { core.push(slot, object) },
        None => core.push_unowned(object),
    };
    if let Err(object) = full {
        // SAFETY: the pool gave the object back to us.
        rethrow(unsafe { drop_object(core, object) });
    }
}

/// Drops an object that `prepare` said not to keep, and counts why.
///
/// # Safety
///
/// `object` was taken from `core` and the caller gives it up.
#[cold]
#[inline(never)]
pub(crate) unsafe fn not_kept<T>(core: &Core<T>, object: NonNull<T>, verdict: Verdict) {
    match verdict {
        Verdict::Keep => {
            // SAFETY: forwarded from the caller.
            unsafe { give_back(core, object) }
        }
        Verdict::Oversized => {
            core.note(Event::Oversized, 1);
            // SAFETY: the caller gave up the object.
            rethrow(unsafe { drop_object(core, object) });
        }
        Verdict::Panicked(panic) => {
            core.note(Event::ResetPanicked, 1);
            // SAFETY: the caller gave up the object. The reset's panic
            // is the one to pass on; the destructor's is counted.
            drop(unsafe { drop_object(core, object) });
            rethrow(Some(panic));
        }
    }
}

/// Drops an object the pool gave up, counting a panic of its destructor in
/// `core`; returns that panic for the caller to pass on or not.
///
/// # Safety
///
/// `object` comes from `Box::into_raw`/`Box::leak` and nothing else owns it.
pub(crate) unsafe fn drop_object<T>(core: &Core<T>, object: NonNull<T>) -> Option<Panic> {
    // SAFETY: forwarded from the caller.
    let object = unsafe { Box::from_raw(object.as_ptr()) };
    let panic = catch_unwind(AssertUnwindSafe(move || drop(object))).err();
    if panic.is_some() {
        core.note(Event::DropPanicked, 1);
    }
    panic
}
