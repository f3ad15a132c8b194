//! The fast path of a derived type: a per-type thread-local that remembers
//! the calling thread's cache in its type's pool, so `Type::acquire()` and
//! the guard's drop reach the cache with one thread-local load: no pool,
//! slot or bucket lookup. The slow halves, which find the cache and
//! remember it, live here too.
//!
//! `#[derive(Pooled)]` declares one per non-generic type (a `static` cannot
//! mention a generic parameter). The pointer is filled on the thread's first
//! slow path, and the thread's slot lease empties it before the slot can be
//! given to another thread, so a filled cache always points to a cache that
//! this thread owns, in a pool that is `'static`.

mod classes;

use std::cell::Cell;
use std::fmt;
use std::ptr::{self, NonNull};
use std::thread::LocalKey;

use crate::core::Cache;
use crate::recycle::{self, Verdict, prepare};
use crate::{Pool, Reset, thread};

pub use self::classes::{LocalBuffers, LocalClasses};
pub(crate) use self::classes::{put_local, take_any_local, take_local};

/// Where the calling thread's cache in `T`'s pool is, once known.
///
/// Not public API: `#[derive(Pooled)]` declares it in a `thread_local!`.
#[doc(hidden)]
pub struct LocalCache<T> {
    cache: Cell<*const Cache<T>>,
}

impl<T> LocalCache<T> {
    /// An empty cache, for a `const` thread-local initialiser.
    #[allow(
        clippy::new_without_default,
        reason = "only ever built in a const thread-local initialiser"
    )]
    pub const fn new() -> Self {
        Self {
            cache: Cell::new(ptr::null()),
        }
    }

    /// The thread's cache, if this thread found it already.
    #[inline(always)]
    pub(crate) fn get(&self) -> Option<&Cache<T>> {
        // SAFETY: a non-null pointer was set by `fill` to this thread's own
        // cache in a `'static` pool, and is nulled by the thread's lease
        // before that cache can be given to another thread.
        unsafe { self.cache.get().as_ref() }
    }

    /// Remembers `cache`, the calling thread's own cache in the pool this
    /// thread-local serves.
    ///
    /// # Safety
    ///
    /// * `self` is a thread-local of the calling thread (reached through
    ///   [`LocalKey::with`]): without a destructor, it lives until the
    ///   thread is gone, and the thread's lease nulls it at exit.
    /// * `cache` is the cache of the calling thread's slot
    ///   (`thread::current()`): `get` hands it out as the thread's own, to
    ///   be used with no synchronisation until the lease nulls it.
    pub(crate) unsafe fn fill(&self, cache: &'static Cache<T>) {
        if self.cache.get().is_null() {
            let cell = ptr::from_ref(&self.cache).cast::<Cell<*const ()>>();
            // Only if the lease will empty it again at thread exit.
            // SAFETY: `self` is a thread-local of this thread without a
            // destructor (the caller's contract), and a `Cell` of a thin
            // pointer, which a null `*const ()` may overwrite.
            if unsafe { thread::remember(cell) } {
                self.cache.set(cache);
            }
        }
    }
}

impl<T> fmt::Debug for LocalCache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCache")
            .field("filled", &!self.cache.get().is_null())
            .finish()
    }
}

/// `T::acquire()` for a type with a local cache; `pool` is `T::pool()`,
/// the pool `key` serves.
#[inline(always)]
pub(crate) fn take<T: Reset + Send + 'static>(
    key: &'static LocalKey<LocalCache<T>>,
    pool: &'static Pool<T>,
) -> NonNull<T> {
    key.with(|local| {
        if let Some(cache) = local.get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { cache.try_pop() } {
                return object;
            }
        }
        take_caching(pool, local)
    })
}

/// The slow half of [`take`]: finds this thread's cache, remembers it, and
/// acquires through it.
#[cold]
#[inline(never)]
fn take_caching<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    local: &LocalCache<T>,
) -> NonNull<T> {
    let core = pool.core();
    let slot = thread::current();
    if let Some(slot) = slot {
        // SAFETY: `local` is this thread's, from `LocalKey::with` in
        // `take`; `slot` is this thread's own, in a `'static` pool.
        unsafe { local.fill(core.cache(slot)) };
    }
    pool.take_at(core, slot)
}

/// `T::try_acquire()` for a type with a local cache: an idle object or
/// `None`, never a build.
#[inline(always)]
pub(crate) fn try_take<T: Reset + Send + 'static>(
    key: &'static LocalKey<LocalCache<T>>,
    pool: &'static Pool<T>,
) -> Option<NonNull<T>> {
    key.with(|local| {
        if let Some(cache) = local.get() {
            // SAFETY: `get` only returns this thread's own cache.
            if let Some(object) = unsafe { cache.try_pop() } {
                return Some(object);
            }
        }
        try_take_caching(pool, local)
    })
}

/// The slow half of [`try_take`]: as [`take_caching`], without building,
/// and without making the pool's storage if it has none yet.
#[cold]
#[inline(never)]
fn try_take_caching<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    local: &LocalCache<T>,
) -> Option<NonNull<T>> {
    let core = pool.existing_core()?;
    let slot = thread::current();
    if let Some(slot) = slot {
        // SAFETY: as in `take_caching`.
        unsafe { local.fill(core.cache(slot)) };
    }
    Pool::pop_at(core, slot)
}

/// A `Guard<T>`'s drop for a type with a local cache.
///
/// # Safety
///
/// `object` was taken from `pool`, the pool `key` serves, and the caller
/// gives it up.
#[inline(always)]
pub(crate) unsafe fn put<T: Reset + Send + 'static>(
    key: &'static LocalKey<LocalCache<T>>,
    pool: &'static Pool<T>,
    object: NonNull<T>,
) {
    // SAFETY: the caller owns `object`.
    match unsafe { prepare(object) } {
        Verdict::Keep => key.with(|local| {
            if let Some(cache) = local.get() {
                // SAFETY: `get` only returns this thread's own cache, and
                // `object` is ours to give.
                if unsafe { cache.try_push(object) }.is_ok() {
                    return;
                }
            }
            // SAFETY: forwarded from the caller.
            unsafe { give_back_caching(pool, local, object) }
        }),
        // SAFETY: forwarded from the caller.
        verdict => unsafe { recycle::not_kept(pool.core(), object, verdict) },
    }
}

/// The slow half of [`put`]: finds this thread's cache, remembers it, and
/// returns the object through it.
///
/// # Safety
///
/// As for [`put`], after `prepare` said to keep the object.
#[cold]
#[inline(never)]
unsafe fn give_back_caching<T: Reset + Send + 'static>(
    pool: &'static Pool<T>,
    local: &LocalCache<T>,
    object: NonNull<T>,
) {
    let core = pool.core();
    if let Some(slot) = thread::current() {
        // SAFETY: as in `take_caching`, from `put`.
        unsafe { local.fill(core.cache(slot)) };
    }
    // SAFETY: forwarded from the caller.
    unsafe { recycle::give_back(core, object) }
}
