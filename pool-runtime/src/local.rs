//! A per-type thread-local that remembers the calling thread's cache in its
//! type's pool, so `Type::acquire()` and the guard's drop reach the cache
//! with one thread-local load: no pool, slot or bucket lookup.
//!
//! `#[derive(Pooled)]` declares one per non-generic type (a `static` cannot
//! mention a generic parameter). The pointer is filled on the thread's first
//! slow path, and the thread's slot lease empties it before the slot can be
//! given to another thread, so a filled cache always points to a cache that
//! this thread owns, in a pool that is `'static`.

use std::cell::Cell;
use std::fmt;
use std::ptr::{self, NonNull};
use std::thread::LocalKey;

use crate::core::Shard;
use crate::pool::{Verdict, prepare};
use crate::{Pooled, thread};

/// Where the calling thread's cache in `T`'s pool is, once known.
///
/// Not public API: `#[derive(Pooled)]` declares it in a `thread_local!`.
#[doc(hidden)]
pub struct LocalCache<T> {
    shard: Cell<*const Shard<T>>,
}

impl<T> LocalCache<T> {
    /// An empty cache, for a `const` thread-local initialiser.
    #[allow(
        clippy::new_without_default,
        reason = "only ever built in a const thread-local initialiser"
    )]
    pub const fn new() -> Self {
        Self {
            shard: Cell::new(ptr::null()),
        }
    }

    /// The thread's cache, if this thread found it already.
    #[inline(always)]
    fn get(&self) -> Option<&Shard<T>> {
        // SAFETY: a non-null pointer was set by `fill` to this thread's own
        // cache in a `'static` pool, and is nulled by the thread's lease
        // before that cache can be given to another thread.
        unsafe { self.shard.get().as_ref() }
    }

    /// Remembers `shard`, the calling thread's own cache in `T::pool()`.
    pub(crate) fn fill(&self, shard: &'static Shard<T>) {
        if self.shard.get().is_null() {
            let cell = ptr::from_ref(&self.shard).cast::<Cell<*const ()>>();
            // Only if the lease will empty it again at thread exit.
            if thread::remember(cell) {
                self.shard.set(shard);
            }
        }
    }
}

impl<T> fmt::Debug for LocalCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCache")
            .field("filled", &!self.shard.get().is_null())
            .finish()
    }
}

/// `T::acquire()` for a type with a local cache.
#[inline(always)]
pub(crate) fn take<T: Pooled>(key: &'static LocalKey<LocalCache<T>>) -> NonNull<T> {
    key.with(|cache| {
        if let Some(shard) = cache.get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { shard.try_pop() } {
                return object;
            }
        }
        T::pool().take_caching(cache)
    })
}

/// A `Guard<T>`'s drop for a type with a local cache.
///
/// # Safety
///
/// `object` was taken from `T::pool()` and the caller gives it up.
#[inline(always)]
pub(crate) unsafe fn put<T: Pooled>(key: &'static LocalKey<LocalCache<T>>, object: NonNull<T>) {
    // SAFETY: the caller owns `object`.
    match unsafe { prepare(object) } {
        Verdict::Keep => key.with(|cache| {
            if let Some(shard) = cache.get() {
                // SAFETY: `get` only returns this thread's own cache, and
                // `object` is ours to give.
                if unsafe { shard.try_push(object) }.is_ok() {
                    return;
                }
            }
            // SAFETY: forwarded from the caller.
            unsafe { T::pool().give_back_caching(cache, object) }
        }),
        // SAFETY: forwarded from the caller.
        verdict => unsafe { T::pool().not_kept(object, verdict) },
    }
}
