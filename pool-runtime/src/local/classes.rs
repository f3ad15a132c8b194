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
//! so the cache is reached without waiting for the object. On an Intel
//! Xeon host this and inlining the closures took `Vec::<u8>::acquire()` +
//! drop from 3.5x a derived type's round trip to 1.35x, and
//! `acquire_with_capacity(1000)` from 3.6x to 1.76x (see BENCHMARKS.md).

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
    caches: [LocalCache<T>; CLASSES],
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
            caches: [const { LocalCache::new() }; CLASSES],
            last: Cell::new(0),
        }
    }
}

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
    // both, `bytes | 64` shifted right by `MIN_SHIFT + k` is exactly 1 (a
    // shift of 64 or more, for the last class, never is).
    (bytes | (1 << MIN_SHIFT)).checked_shr(MIN_SHIFT + k as u32) == Some(1)
}

/// Not public API: a buffer type's thread-local caches and its sizes.
#[doc(hidden)]
pub type LocalBuffers<T> = Option<(&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>)>;

/// `acquire_with_capacity` through a thread-local.
#[inline(always)]
pub(crate) fn take_local<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    (key, sizes): (&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>),
    n: usize,
) -> NonNull<T> {
    let k = class_for(n.saturating_mul(sizes.element_bytes));
    key.with(|locals| {
        locals.last.set(k);
        if let Some(cache) = locals.caches[k].get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { cache.try_pop() } {
                return object;
            }
        }
        take_caching(pool, &locals.caches[k], sizes, k, n)
    })
}

/// A plain `acquire` through a thread-local: the smallest buffer cached.
#[inline(always)]
pub(crate) fn take_any_local<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    (key, sizes): (&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>),
) -> NonNull<T> {
    key.with(|locals| {
        // Class 0 first, as fast as a derived type's acquire; the others
        // off the fast path.
        locals.last.set(0);
        if let Some(cache) = locals.caches[0].get() {
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
    take_caching(pool, &locals.caches[0], sizes, 0, 0)
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
#[inline(always)]
pub(crate) unsafe fn put_local<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    (key, sizes): (&'static LocalKey<LocalClasses<T>>, &'static Sizes<T>),
    object: NonNull<T>,
) {
    // SAFETY: the caller owns `object`.
    match unsafe { prepare(object) } {
        Verdict::Keep => {}
        // SAFETY: forwarded from the caller.
        verdict => return unsafe { pool.put_not_kept(sizes, object, verdict) },
    }
    // SAFETY: as above.
    let bytes = sizes.bytes(unsafe { object.as_ref() });
    if bytes > pool.config.max_bytes.load(Ordering::Relaxed) {
        // SAFETY: forwarded from the caller.
        return unsafe { pool.put_not_kept(sizes, object, Verdict::Oversized) };
    }
    // The guess first (see the module's comment). A buffer of another class
    // takes the out-of-line path: were the class chosen by a select here,
    // the compiler would make it a conditional move, and the cache address
    // would wait on the object again.
    let last = key.with(|locals| locals.last.get());
    if !in_class(bytes, last) {
        // SAFETY: forwarded from the caller.
        return unsafe { put_other_class(pool, key, class_of(bytes), object) };
    }
    // SAFETY: forwarded from the caller; `object` is a buffer of class
    // `last`.
    unsafe { put_in_class(pool, key, last, object) }
}

/// Returns `object`, a kept buffer of class `k`, through this thread's
/// cache of that class.
///
/// # Safety
///
/// The caller owns `object`, taken from `pool`, the pool `key` serves, and
/// gives it up.
#[inline(always)]
unsafe fn put_in_class<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    key: &'static LocalKey<LocalClasses<T>>,
    k: usize,
    object: NonNull<T>,
) {
    // Two small closures rather than one: the compiler called a closure
    // holding all of this out of line, through a stack frame, and inlines
    // these.
    let pushed = key.with(|locals| match locals.caches[k].get() {
        // SAFETY: `get` only returns this thread's own cache, and `object`
        // is ours to give.
        Some(cache) => unsafe { cache.try_push(object) },
        None => Err(object),
    });
    if let Err(object) = pushed {
        // SAFETY: forwarded from the caller; `try_push` gave `object` back.
        key.with(|locals| unsafe { give_back_caching(pool, &locals.caches[k], k, object) });
    }
}

/// [`put_in_class`] for a buffer of another class than the thread last
/// acquired from.
///
/// # Safety
///
/// As for [`put_in_class`].
#[cold]
#[inline(never)]
unsafe fn put_other_class<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    key: &'static LocalKey<LocalClasses<T>>,
    k: usize,
    object: NonNull<T>,
) {
    // SAFETY: forwarded from the caller.
    unsafe { put_in_class(pool, key, k, object) }
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
