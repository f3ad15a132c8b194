//! A slot's private cache in one core, and the fast path through it.
//!
//! Only the thread that owns the slot touches a cache's [`Owned`] part: no
//! atomic read-modify-write, no lock (Go's per-P `poolLocal`, its `private`
//! object and its queue). [`Cache::try_pop`] and [`Cache::try_push`] are the whole fast
//! path, a few plain loads and stores on the owner's own cache lines;
//! whatever they leave (an empty or full cache, a trim not caught up with)
//! goes to the slow paths in `shared.rs` and `trim.rs`.

use std::ptr::NonNull;

use super::{Core, Slot};
use crate::sync::{AtomicU64, AtomicUsize, Ordering, UnsafeCell, bump};

/// The most objects one thread's private cache holds.
pub(crate) const CACHE_MAX: usize = 32;

/// The least a cache's limit shrinks to for a thread that only returns
/// objects: one lock per this many returns.
pub(super) const CACHE_MIN: usize = 8;

/// One slot's private cache and counters.
pub(crate) struct Cache<T> {
    pub(super) owned: UnsafeCell<Owned<T>>,
    /// Trims and clears since this cache was made: bumped by the thread that
    /// trims, read by the owner on every operation. Kept here, on the
    /// owner's own line, rather than once per pool, so the fast path reads
    /// nothing of the pool itself.
    pub(super) epoch: AtomicUsize,
    /// Objects in `owned.items`. Written only by the owner (a load and a
    /// store); read by anyone for [`Core::counts`].
    pub(super) len: AtomicUsize,
    pub(super) hits: AtomicU64,
    pub(super) misses: AtomicU64,
    pub(super) returned: AtomicU64,
}

/// The part of a [`Cache`] that only the thread owning its slot touches.
pub(super) struct Owned<T> {
    /// Idle objects, the most recently returned last; those below
    /// `Cache::len` are live, the rest dangling.
    pub(super) items: [NonNull<T>; CACHE_MAX],
    /// Units of the budget this cache holds: one per object in `items`, and
    /// possibly a few more reserved for the next returns. `len <= units`.
    pub(super) units: usize,
    /// The value of `Cache::epoch` this cache last caught up with.
    pub(super) seen_epoch: usize,
    /// How many objects this cache keeps before handing some to the shared
    /// layer: small for a thread that only returns objects (a consumer),
    /// whose cache nobody would reuse, up to `cache_cap` for one that also
    /// acquires.
    pub(super) limit: usize,
    /// `Cache::hits` at the last overflow: unchanged means no acquire was
    /// served from this cache since, so the thread only returns.
    pub(super) hits_seen: u64,
}

impl<T> Cache<T> {
    /// Takes the most recently returned object, if the cache has one and no
    /// trim is pending; anything else is the caller's slow path.
    ///
    /// # Safety
    ///
    /// The calling thread owns this cache's slot (see [`Core::pop`]).
    #[inline(always)]
    pub(crate) unsafe fn try_pop(&self) -> Option<NonNull<T>> {
        let epoch = self.epoch.load(Ordering::Relaxed);
        let hit = self.owned.with_mut(|owned| {
            // SAFETY: the caller owns this slot, and nothing here runs user
            // code or re-enters the cache.
            let owned = unsafe { &mut *owned };
            let len = self.len.load(Ordering::Relaxed);
            if owned.seen_epoch != epoch || len == 0 {
                return None;
            }
            self.len.store(len - 1, Ordering::Relaxed);
            // The mask is a no-op (`len <= CACHE_MAX`, a power of two) that
            // lets the compiler drop the bounds check.
            Some(owned.items[(len - 1) & (CACHE_MAX - 1)])
        });
        if hit.is_some() {
            bump(&self.hits);
        }
        hit
    }

    /// Makes `object` idle here if the cache holds a spare unit and no trim
    /// is pending; otherwise gives it back for the caller's slow path.
    ///
    /// # Safety
    ///
    /// As for [`Cache::try_pop`]; `object` comes from `Box::into_raw` and
    /// the caller gives it up on `Ok`.
    #[inline(always)]
    pub(crate) unsafe fn try_push(&self, object: NonNull<T>) -> Result<(), NonNull<T>> {
        let epoch = self.epoch.load(Ordering::Relaxed);
        let done = self.owned.with_mut(|owned| {
            // SAFETY: as in `try_pop`.
            let owned = unsafe { &mut *owned };
            let len = self.len.load(Ordering::Relaxed);
            if owned.seen_epoch != epoch || len == owned.units {
                return false;
            }
            // `len < units <= CACHE_MAX`: the mask is a no-op, as above.
            owned.items[len & (CACHE_MAX - 1)] = object;
            self.len.store(len + 1, Ordering::Relaxed);
            true
        });
        if done {
            bump(&self.returned);
            Ok(())
        } else {
            Err(object)
        }
    }

    pub(super) fn new() -> Self {
        Self {
            owned: UnsafeCell::new(Owned {
                items: [NonNull::dangling(); CACHE_MAX],
                units: 0,
                seen_epoch: 0,
                limit: 0,
                hits_seen: 0,
            }),
            epoch: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            returned: AtomicU64::new(0),
        }
    }
}

impl<T> Core<T> {
    /// An idle object for the thread owning `slot`, or `None` when the
    /// pool has none and the caller must build one.
    ///
    /// # Safety
    ///
    /// The calling thread must own `slot`: no other thread may call `pop`,
    /// `push`, `trim`, `clear`, `set_capacity` or `release_slot` with it
    /// meanwhile.
    #[inline]
    pub(crate) unsafe fn pop(&self, slot: Slot) -> Option<NonNull<T>> {
        // SAFETY: forwarded from the caller.
        match unsafe { self.cache(slot).try_pop() } {
            Some(object) => Some(object),
            // SAFETY: forwarded from the caller.
            None => unsafe { self.pop_slow(slot) },
        }
    }

    /// Makes `object` idle in `slot`'s cache, or gives it back when the
    /// pool already holds `capacity` idle objects (the caller drops it).
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`]; `object` must come from `Box::into_raw` and be
    /// owned by the caller.
    #[inline]
    pub(crate) unsafe fn push(&self, slot: Slot, object: NonNull<T>) -> Result<(), NonNull<T>> {
        // SAFETY: forwarded from the caller.
        match unsafe { self.cache(slot).try_push(object) } {
            Ok(()) => Ok(()),
            // SAFETY: forwarded from the caller.
            Err(object) => unsafe { self.push_slow(slot, object) },
        }
    }
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use super::super::testing::{boxed, free};
    use super::*;

    #[test]
    fn lifo_on_one_slot() {
        let core = Core::new(16, 2);
        let slot = Slot::of(0);
        let (a, b) = (boxed(1), boxed(2));
        // SAFETY: this test is the only user of slot 0.
        unsafe {
            core.push(slot, a).unwrap();
            core.push(slot, b).unwrap();
            assert_eq!(core.pop(slot), Some(b));
            assert_eq!(core.pop(slot), Some(a));
            assert_eq!(core.pop(slot), None);
        }
        free(a);
        free(b);
        let c = core.counts();
        // The miss is the caller's to count, once it has built an object.
        assert_eq!((c.hits, c.misses, c.returned, c.idle), (2, 0, 2, 0));
    }
}
