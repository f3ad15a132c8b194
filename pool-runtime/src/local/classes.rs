//! The fast path of a buffer type's own pool: a thread-local array with one
//! cache pointer per size class (`Vec<u8>`, `String` and the other common
//! buffers declare one), so acquire and release reach the class's cache
//! with one thread-local load, as a derived type's do.

use std::ptr::NonNull;
use std::sync::atomic::Ordering;
use std::thread::LocalKey;

use super::LocalCache;
use crate::pool::{CLASSES, Sizes, class_for, class_of};
use crate::recycle::{self, Verdict, prepare};
use crate::{Pool, Reset, thread};

/// Not public API: the thread-local caches of a buffer type's own pool,
/// one per class, which `Vec<u8>`, `String` and the other common buffers
/// declare so that acquire and release skip the pool lookup.
#[doc(hidden)]
pub type LocalClasses<T> = [LocalCache<T>; CLASSES];

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
        if let Some(cache) = locals[k].get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { cache.try_pop() } {
                return object;
            }
        }
        take_caching(pool, &locals[k], sizes, k, n)
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
        if let Some(cache) = locals[0].get() {
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
    for local in &locals[1..=top.min(CLASSES - 1)] {
        if let Some(cache) = local.get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { cache.try_pop() } {
                return object;
            }
        }
    }
    take_caching(pool, &locals[0], sizes, 0, 0)
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
    let k = class_of(bytes);
    key.with(|locals| {
        if let Some(cache) = locals[k].get() {
            // SAFETY: `get` only returns this thread's own cache, and
            // `object` is ours to give.
            if unsafe { cache.try_push(object) }.is_ok() {
                return;
            }
        }
        // SAFETY: forwarded from the caller.
        unsafe { give_back_caching(pool, &locals[k], k, object) }
    })
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
