//! The fast path of a buffer type's own pool: a thread-local array with one
//! cache pointer per size class (`Vec<u8>`, `String` and the other common
//! buffers declare one), so acquire and release reach the class's cache
//! with one thread-local load, as a derived type's do.
//!
//! A release goes to the class of the buffer's capacity, which it reads
//! through the pointer the acquire just popped: in an acquire-then-drop loop
//! every step of "object, capacity, class, cache pointer, cache length"
//! waits on the one before, and the whole chain on the previous iteration's
//! stores. The thread-local also remembers the class the thread last
//! acquired from, and the release *checks* the capacity against that class
//! rather than computing the class from it: the check is a predicted branch,
//! so the cache is reached without waiting for the object. It is right
//! whenever a buffer goes back before the next acquire, whatever the sizes.
//! `acquire_with_capacity` checks its request against the same class, so
//! its cache is not reached through the class computed from `n` either; a
//! request of another class takes an out-of-line path.
//!
//! Measured on an Intel Xeon host (`cargo bench -p repool-benches --bench
//! round_trip -- round_trip/buffers`, see BENCHMARKS.md): the round trip of
//! `Vec::<u8>::acquire()` went from 3.5x a derived type's to 1.26x, and
//! `acquire_with_capacity(1000)` from 3.6x to 1.40x. Computing the class on
//! the acquire instead of guessing it made sizes of one class 1.65x, and
//! did not measurably help sizes drawn from many classes, which mispredict
//! the guess (`bench_report -- --buffers-only`: 1.17-1.27x the hand-written
//! size-class list either way, run to run).

use std::cell::Cell;
use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::Ordering;
use std::thread::LocalKey;

use super::LocalCache;
use crate::pool::{CLASSES, MIN_SHIFT, Sizes, class_for, class_of};
use crate::recycle::{self, Verdict, prepare};
use crate::{Pool, Reset, thread};

/// Not public API: the thread-local caches of a buffer type's own pool,
/// one per class, which `Vec<u8>`, `String` and the other common buffers
/// declare so that acquire and release skip the pool lookup.
#[doc(hidden)]
pub struct LocalClasses<T> {
    /// Indexed through [`LocalClasses::cache`]; the entries past `CLASSES`
    /// are never filled.
    caches: [LocalCache<T>; SLOTS],
    /// The class this thread last acquired from: the release's guess at
    /// the class of the buffer it returns, checked before it is used.
    last: Cell<usize>,
}

impl<T> LocalClasses<T> {
    /// Empty caches, for a `const` thread-local initialiser.
    #[allow(
        clippy::new_without_default,
        reason = "only ever built in a const thread-local initialiser"
    )]
    pub const fn new() -> Self {
        Self {
            caches: [const { LocalCache::new() }; SLOTS],
            last: Cell::new(0),
        }
    }

    /// Class `k`'s cache. Masked rather than bounds-checked: `last` is only
    /// ever a class, but the compiler cannot know it, and a check on the
    /// release path cost a compare and a branch.
    #[inline(always)]
    fn cache(&self, k: usize) -> &LocalCache<T> {
        &self.caches[k % SLOTS]
    }
}

/// The caches' array length: a power of two at least `CLASSES`, so that
/// [`LocalClasses::cache`] needs no bounds check.
const SLOTS: usize = CLASSES.next_power_of_two();

impl<T> fmt::Debug for LocalClasses<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalClasses")
            .field("last", &self.last.get())
            .finish_non_exhaustive()
    }
}

/// Whether a buffer of `bytes` is in class `k`: `class_of(bytes) == k`,
/// written so that the compiler cannot substitute one side for the other
/// (which would make the cache address wait on the object again).
#[inline(always)]
fn in_class(bytes: usize, k: usize) -> bool {
    // Class 0 is `[0, 128)`, class `k > 0` is `[64 << k, 128 << k)`: in
    // both, `bytes | 64` shifted right by `MIN_SHIFT + k` is exactly 1. For
    // the last class the shift is `usize::BITS`, which wraps to 0 and leaves
    // at least 64: never 1, as no buffer is in that class (it only names
    // requests too big to keep).
    const { assert!(MIN_SHIFT + CLASSES as u32 - 1 == usize::BITS) };
    (bytes | (1 << MIN_SHIFT)).wrapping_shr(MIN_SHIFT + k as u32) == 1
}

/// Not public API: a buffer type's thread-local caches and its sizes.
#[doc(hidden)]
pub type LocalBuffers<T> = Option<(&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>)>;

/// Whether `class_for(bytes) == k`, written, as [`in_class`] is, so that
/// the compiler cannot use the computed class for the guess.
#[inline(always)]
fn serves(bytes: usize, k: usize) -> bool {
    // `class_for` is the bit length of `y`; `2y + 1` is one bit longer,
    // so shifted right by `k` it is exactly 1 when that length is `k`.
    let y = bytes.saturating_sub(1) >> MIN_SHIFT;
    ((y << 1) | 1).wrapping_shr(k as u32) == 1
}

/// `acquire_with_capacity` through a thread-local.
#[inline(always)]
pub(crate) fn take_local<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    (key, sizes): (&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>),
    n: usize,
) -> NonNull<T> {
    let bytes = n.saturating_mul(sizes.element_bytes);
    key.with(|locals| {
        // The class last acquired from, if it serves `n`: checked by a
        // predicted branch, so that the cache's address does not wait for
        // the class computed from `n` (as the release's guess, see the
        // module's comment).
        let last = locals.last.get();
        if serves(bytes, last) {
            if let Some(cache) = locals.cache(last).get() {
                // SAFETY: `get` only returns this thread's own cache.
                if let Some(object) = unsafe { cache.try_pop() } {
                    return object;
                }
            }
        }
        take_other_class(pool, locals, sizes, class_for(bytes), n)
    })
}

/// The rest of [`take_local`]: a request of another class than the last,
/// or whose cache is empty or not known yet.
#[cold]
#[inline(never)]
fn take_other_class<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    locals: &LocalClasses<T>,
    sizes: &Sizes<T>,
    k: usize,
    n: usize,
) -> NonNull<T> {
    locals.last.set(k);
    if let Some(cache) = locals.cache(k).get() {
        // SAFETY: `get` only returns this thread's own cache.
        if let Some(object) = unsafe { cache.try_pop() } {
            return object;
        }
    }
    take_caching(pool, locals.cache(k), sizes, k, n)
}

/// A plain `acquire` through a thread-local: the smallest buffer cached.
#[inline(always)]
pub(crate) fn take_any_local<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    (key, sizes): (&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>),
) -> NonNull<T> {
    key.with(|locals| {
        // Class 0 first, as fast as a derived type's acquire; the others
        // off the fast path. The guess is stored only when it changes, as
        // in `take_local`.
        if locals.last.get() != 0 {
            locals.last.set(0);
        }
        if let Some(cache) = locals.cache(0).get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { cache.try_pop() } {
                return object;
            }
        }
        take_any_caching(pool, locals, sizes)
    })
}

#[cold]
#[inline(never)]
fn take_any_caching<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    locals: &LocalClasses<T>,
    sizes: &Sizes<T>,
) -> NonNull<T> {
    let top = pool.config.top();
    for (k, local) in locals
        .caches
        .iter()
        .enumerate()
        .take(top.min(CLASSES - 1) + 1)
        .skip(1)
    {
        if let Some(cache) = local.get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { cache.try_pop() } {
                locals.last.set(k);
                return object;
            }
        }
    }
    take_caching(pool, locals.cache(0), sizes, 0, 0)
}

#[cold]
#[inline(never)]
fn take_caching<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    local: &LocalCache<T>,
    sizes: &Sizes<T>,
    k: usize,
    n: usize,
) -> NonNull<T> {
    let core = pool.class_core(k);
    let slot = thread::current();
    if let Some(slot) = slot {
        // SAFETY: `local` is this thread's (from `LocalKey::with`), `slot`
        // its own, in a `'static` pool.
        unsafe { local.fill(core.cache(slot)) };
    }
    pool.take_class_at(sizes, k, core, slot, n)
}

/// A guard's drop through a thread-local.
///
/// # Safety
///
/// The caller owns `object`, taken from `pool`, the pool `key` serves, and
/// gives it up.
#[inline(always)]
pub(crate) unsafe fn put_local<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    (key, sizes): (&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>),
    object: NonNull<T>,
) {
    // SAFETY: the caller owns `object`.
    let verdict = unsafe { prepare(object) };
    if let Verdict::Keep = verdict {
        // SAFETY: as above.
        let bytes = sizes.bytes(unsafe { object.as_ref() });
        // The guess first (see the module's comment); a buffer of another
        // class takes the slow path. Were the class chosen by a select
        // here, the compiler would make it a conditional move, and the
        // cache address would wait on the object again.
        let last = key.with(|locals| locals.last.get());
        if in_class(bytes, last) && bytes <= pool.config.max_bytes.load(Ordering::Relaxed) {
            let pushed = key.with(|locals| match locals.cache(last).get() {
                // SAFETY: `get` only returns this thread's own cache, and
                // `object` is ours to give.
                Some(cache) => unsafe { cache.try_push(object) }.is_ok(),
                None => false,
            });
            if pushed {
                return;
            }
        }
    }
    // One out-of-line call for every other case: with one per case, the
    // compiler no longer inlined the guard's drop into its caller, and the
    // object went through the stack between acquire and release.
    // SAFETY: forwarded from the caller; `object` is still ours.
    unsafe { put_slow(pool, key, sizes, object, verdict) }
}

/// The rest of [`put_local`]: a buffer not to keep, one too big for the
/// pool's limit, of another class than the guess, or whose cache is full
/// or not known yet.
///
/// # Safety
///
/// As for [`put_local`]; `verdict` is `prepare`'s for `object`.
#[cold]
#[inline(never)]
unsafe fn put_slow<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    key: &'static LocalKey<LocalClasses<T>>,
    sizes: &'static Sizes<T>,
    object: NonNull<T>,
    verdict: Verdict,
) {
    if !matches!(verdict, Verdict::Keep) {
        // SAFETY: forwarded from the caller.
        return unsafe { pool.put_not_kept(sizes, object, verdict) };
    }
    // SAFETY: the caller owns `object`.
    let bytes = sizes.bytes(unsafe { object.as_ref() });
    if bytes > pool.config.max_bytes.load(Ordering::Relaxed) {
        // SAFETY: forwarded from the caller.
        return unsafe { pool.put_not_kept(sizes, object, Verdict::Oversized) };
    }
    let k = class_of(bytes);
    let pushed = key.with(|locals| match locals.cache(k).get() {
        // SAFETY: `get` only returns this thread's own cache, and `object`
        // is ours to give.
        Some(cache) => unsafe { cache.try_push(object) },
        None => Err(object),
    });
    if let Err(object) = pushed {
        // SAFETY: forwarded from the caller; `try_push` gave `object` back,
        // a kept buffer of class `k`.
        key.with(|locals| unsafe { give_back_caching(pool, locals.cache(k), k, object) });
    }
}

#[cold]
#[inline(never)]
unsafe fn give_back_caching<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    local: &LocalCache<T>,
    k: usize,
    object: NonNull<T>,
) {
    let core = pool.class_core(k);
    if let Some(slot) = thread::current() {
        // SAFETY: as in `take_caching`.
        unsafe { local.fill(core.cache(slot)) };
    }
    // SAFETY: forwarded from the caller.
    unsafe { recycle::give_back(core, object) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::classes::tests::edges;

    #[test]
    fn the_guess_checks_agree_with_the_class_arithmetic_for_every_slot() {
        for bytes in edges() {
            for k in 0..SLOTS {
                assert_eq!(
                    in_class(bytes, k),
                    class_of(bytes) == k,
                    "in_class({bytes}, {k})"
                );
            }
        }
    }
}
