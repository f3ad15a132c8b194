//! The shared layer: a few lock-protected [`Stash`]es, and the batch
//! transfers between them and the private caches.
//!
//! A cache that overflows hands a whole batch to its thread's home stash,
//! and one that runs dry takes a whole batch, so one lock operation is
//! amortised over many objects and objects freed on one thread reach the
//! others. A cache adapts to its thread: one that only returns objects (a
//! consumer) keeps at most [`CACHE_MIN`] and hands all of them over at each
//! overflow, since nobody would reuse them there; one that also acquires
//! keeps up to `cache_cap`. Threads without a slot use the stashes directly.

use std::mem;
use std::ptr::NonNull;

use super::cache::{CACHE_MAX, CACHE_MIN};
use super::{Core, Slot};
use crate::sync::{Mutex, Ordering, bump, lock};

/// Which list of a stash an object joins.
#[derive(Clone, Copy)]
pub(super) enum Age {
    Fresh,
    Old,
}

/// A lock-protected part of the shared layer.
pub(super) struct Stash<T> {
    /// Objects that arrived since the last trim.
    pub(super) fresh: Vec<NonNull<T>>,
    /// Objects that were already idle at the last trim: the next trim drops
    /// them unless someone takes them first.
    pub(super) old: Vec<NonNull<T>>,
}

impl<T> Stash<T> {
    pub(super) fn new() -> Self {
        Self {
            fresh: Vec::new(),
            old: Vec::new(),
        }
    }
}

/// A fixed-size batch of objects on the stack, so moving a batch out of the
/// shared layer allocates nothing.
pub(super) struct BatchBuf<T> {
    /// The batch's objects: those below `len` are live, the rest dangling.
    items: [NonNull<T>; CACHE_MAX],
    len: usize,
}

impl<T> BatchBuf<T> {
    fn new() -> Self {
        Self {
            items: [NonNull::dangling(); CACHE_MAX],
            len: 0,
        }
    }

    fn push(&mut self, object: NonNull<T>) {
        self.items[self.len] = object;
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn first(&self) -> Option<NonNull<T>> {
        if self.len == 0 {
            None
        } else {
            Some(self.items[0])
        }
    }

    fn split_first(&self) -> Option<(&NonNull<T>, &[NonNull<T>])> {
        self.items[..self.len].split_first()
    }
}

/// How many stashes a pool's shared layer gets: one per core (read once
/// per process), at most 16.
pub(crate) fn stash_count() -> usize {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    match COUNT.load(Ordering::Relaxed) {
        0 => {
            // One stash per core keeps batch transfers from contending.
            let n = std::thread::available_parallelism()
                .map_or(4, |n| n.get())
                .clamp(1, 16);
            COUNT.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

impl<T> Core<T> {
    /// The stash where `slot`'s cache hands its objects over.
    pub(super) fn home(&self, slot: Slot) -> &Mutex<Stash<T>> {
        self.stash(slot.index())
    }

    fn stash(&self, index: usize) -> &Mutex<Stash<T>> {
        &self.stashes[index & self.stash_mask]
    }

    /// Moves objects into a stash, with their units. `shared_len` changes
    /// under the stash's lock, so it always equals the stashes' total at
    /// some instant and never wraps below zero.
    pub(super) fn put_in_stash(&self, stash: &Mutex<Stash<T>>, age: Age, objects: &[NonNull<T>]) {
        let mut stash = lock(stash);
        let list = match age {
            Age::Fresh => &mut stash.fresh,
            Age::Old => &mut stash.old,
        };
        list.extend_from_slice(objects);
        self.budget
            .shared_len
            .fetch_add(objects.len(), Ordering::Relaxed);
    }

    /// Records that `n` objects left the stashes; called with the lock held.
    pub(super) fn taken_from_stash(&self, n: usize) {
        self.budget.shared_len.fetch_sub(n, Ordering::Relaxed);
    }

    /// Takes up to `want` fresh objects (or one old one) from the shared
    /// layer, starting with the thread's home stash, most recent first. The
    /// objects keep their units.
    fn take_from_stashes(&self, index: usize, want: usize) -> BatchBuf<T> {
        let mut out = BatchBuf::new();
        if self.budget.shared_len.load(Ordering::Relaxed) == 0 {
            return out;
        }
        for step in 0..self.stashes.len() {
            let mut stash = lock(self.stash(index.wrapping_add(step)));
            while out.len() < want {
                match stash.fresh.pop() {
                    Some(object) => out.push(object),
                    None => break,
                }
            }
            // Objects that were idle at the last trim come one at a time: a
            // batch would carry unused ones into a private cache and save
            // them from the next trim without anyone having used them.
            if out.len() == 0 {
                if let Some(object) = stash.old.pop() {
                    out.push(object);
                }
            }
            if out.len() > 0 {
                self.taken_from_stash(out.len());
                break;
            }
        }
        out
    }

    /// The slow half of [`Core::pop`]: catches up with trims, then refills
    /// the empty cache with a batch from the shared layer.
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`].
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn pop_slow(&self, slot: Slot) -> Option<NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.catch_up(slot) };
        let cache = self.cache(slot);
        // `catch_up` may have dropped objects, and their destructors may
        // have returned objects of this pool to this very cache: look again.
        let cached = cache.owned.with_mut(|owned| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let owned = unsafe { &*owned };
            let len = cache.len.load(Ordering::Relaxed);
            (len > 0).then(|| {
                cache.len.store(len - 1, Ordering::Relaxed);
                owned.items[len - 1]
            })
        });
        if let Some(object) = cached {
            bump(&cache.hits);
            return Some(object);
        }
        // No user code runs from here on, so the cache stays empty.
        let batch = self.take_from_stashes(slot.index(), self.shape().batch);
        let (object, spare_units) = cache.owned.with_mut(|owned| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let owned = unsafe { &mut *owned };
            debug_assert_eq!(cache.len.load(Ordering::Relaxed), 0);
            // The cache is empty: this thread is taking, not returning, so
            // the units it reserved for returns go back to the budget, and
            // the batch brings exactly one unit per object.
            let spare = mem::replace(&mut owned.units, batch.len());
            let Some((&first, rest)) = batch.split_first() else {
                return (None, spare);
            };
            for (item, &object) in owned.items.iter_mut().zip(rest) {
                *item = object;
            }
            cache.len.store(rest.len(), Ordering::Relaxed);
            (Some(first), spare)
        });
        self.give_units(spare_units);
        // A miss is counted by the caller once it has built an object: a
        // constructor that panics builds and hands out nothing.
        let object = object?;
        bump(&cache.hits);
        Some(object)
    }

    /// The slow half of [`Core::push`]: catches up with trims, hands part of
    /// a full cache to the shared layer, and takes units for the object and
    /// the next returns; when none is free, hands the whole cache over and
    /// gives the object back.
    ///
    /// # Safety
    ///
    /// As for [`Core::push`].
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn push_slow(
        &self,
        slot: Slot,
        object: NonNull<T>,
    ) -> Result<(), NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.catch_up(slot) };
        let cache = self.cache(slot);
        let shape = self.shape();
        let cache_cap = shape.cache_cap;
        let accepted = cache.owned.with_mut(|owned| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let owned = unsafe { &mut *owned };
            let mut len = cache.len.load(Ordering::Relaxed);
            if owned.limit == 0 {
                owned.limit = CACHE_MIN.min(cache_cap);
            }
            if len == owned.units {
                if owned.units >= owned.limit && len > 0 {
                    // Full. Hand objects to the shared layer, with their
                    // units, where threads that acquire can reach them: all
                    // of them if this thread only returns (nobody would
                    // reuse them here), else the older half. The limit
                    // follows what the thread does.
                    let hits = cache.hits.load(Ordering::Relaxed);
                    let returns_only = hits == owned.hits_seen;
                    owned.hits_seen = hits;
                    let moved = if returns_only { len } else { len.div_ceil(2) };
                    owned.limit = if returns_only {
                        (owned.limit / 2).max(CACHE_MIN).min(cache_cap)
                    } else {
                        (owned.limit * 2).min(cache_cap)
                    };
                    self.put_in_stash(self.home(slot), Age::Fresh, &owned.items[..moved]);
                    owned.items.copy_within(moved..len, 0);
                    len -= moved;
                    owned.units -= moved;
                    cache.len.store(len, Ordering::Relaxed);
                }
                // A unit for this object, and a few for the next returns so
                // that they need no atomic. Those spare units hold no
                // object, and a thread that parks keeps them until it uses
                // the pool again, so they may never take the free units
                // below half the capacity: whatever threads park, the
                // others can still keep objects idle.
                let want = shape
                    .batch
                    .min(owned.limit.saturating_sub(owned.units))
                    .max(1);
                let floor = shape.capacity / 2;
                let got = self.take_units(want, floor);
                if got == 0 {
                    // The pool is at capacity. What this cache holds is
                    // better off where every thread can reuse it than kept
                    // private while other threads build and drop.
                    if len > 0 {
                        self.put_in_stash(self.home(slot), Age::Fresh, &owned.items[..len]);
                        owned.units -= len;
                        cache.len.store(0, Ordering::Relaxed);
                    }
                    return false;
                }
                owned.units += got;
            }
            owned.items[len] = object;
            cache.len.store(len + 1, Ordering::Relaxed);
            true
        });
        if accepted {
            bump(&cache.returned);
            Ok(())
        } else {
            self.slow.over_capacity.fetch_add(1, Ordering::Relaxed);
            // This cache may just have handed its objects to the shared
            // layer, where a lowered capacity can take them. A destructor's
            // panic is counted: the return it interrupts is not its cause.
            drop(self.pay_debt());
            Err(object)
        }
    }

    /// An idle object for a thread that has no slot (one whose thread-locals
    /// are being destroyed).
    pub(crate) fn pop_unowned(&self) -> Option<NonNull<T>> {
        let got = self.take_from_stashes(0, 1);
        match got.first() {
            Some(object) => {
                self.give_units(1);
                self.slow.hits.fetch_add(1, Ordering::Relaxed);
                Some(object)
            }
            None => None,
        }
    }

    /// Returns an object from a thread that has no slot.
    pub(crate) fn push_unowned(&self, object: NonNull<T>) -> Result<(), NonNull<T>> {
        if self.take_units(1, 0) == 0 {
            self.slow.over_capacity.fetch_add(1, Ordering::Relaxed);
            return Err(object);
        }
        self.put_in_stash(self.stash(0), Age::Fresh, &[object]);
        self.slow.returned.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Adds objects built in advance to the shared layer, with the units
    /// reserved for them.
    pub(crate) fn stock_reserved(&self, objects: Vec<NonNull<T>>) {
        if objects.is_empty() {
            return;
        }
        // Spread them so that every thread's home stash has some.
        let per = objects.len().div_ceil(self.stashes.len());
        for (stash, chunk) in self.stashes.iter().zip(objects.chunks(per)) {
            self.put_in_stash(stash, Age::Fresh, chunk);
        }
    }
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use super::super::testing::{boxed, filled, free};
    use super::*;

    #[test]
    fn other_slots_reach_overflowed_objects() {
        let core = filled(64, 1, 0, 40);
        // Slot 0 keeps at most `cache_cap`; the rest went to the stash.
        assert_eq!(core.shape().cache_cap, 16);
        let mut taken = Vec::new();
        // SAFETY: slot 1 used by this thread only.
        while let Some(p) = unsafe { core.pop(Slot::of(1)) } {
            taken.push(free(p));
        }
        assert!(taken.len() >= 40 - 16, "slot 1 got {} objects", taken.len());
    }

    #[test]
    fn a_thread_that_only_returns_keeps_few_objects_private() {
        let core = Core::new(1024, 1);
        // Slot 1 acquires (a producer), slot 0 only returns (a consumer),
        // with up to 40 objects in flight between them.
        let mut in_flight = std::collections::VecDeque::new();
        let mut built = 0;
        for i in 0..2000 {
            // SAFETY: slots used by this thread, one at a time.
            let object = unsafe { core.pop(Slot::of(1)) }.unwrap_or_else(|| {
                built += 1;
                boxed(i)
            });
            in_flight.push_back(object);
            if in_flight.len() > 40 {
                let oldest = in_flight.pop_front().unwrap();
                // SAFETY: slot 0 used by this thread.
                unsafe { core.push(Slot::of(0), oldest).unwrap() };
            }
        }
        let consumer = core
            .existing_cache(Slot::of(0))
            .unwrap()
            .len
            .load(Ordering::Relaxed);
        assert!(
            consumer <= CACHE_MIN,
            "the consumer keeps {consumer} objects to itself"
        );
        assert!(
            built <= 40 + 2 * CACHE_MIN,
            "{built} built: returns were not reused"
        );
        for object in in_flight {
            free(object);
        }
    }

    #[test]
    fn a_full_cache_at_capacity_hands_its_objects_over() {
        let core = Core::new(8, 1);
        // Slot 0 fills the whole budget privately, then returns one more.
        let mut rejected = 0;
        for i in 0..9 {
            // SAFETY: slot 0 used by this thread.
            if let Err(p) = unsafe { core.push(Slot::of(0), boxed(i)) } {
                free(p);
                rejected += 1;
            }
        }
        assert_eq!(rejected, 1);
        assert_eq!(core.counts().idle, 8);
        // Another thread finds all eight in the shared layer.
        let mut got = 0;
        // SAFETY: slot 1 used by this thread.
        while let Some(p) = unsafe { core.pop(Slot::of(1)) } {
            free(p);
            got += 1;
        }
        assert_eq!(got, 8);
    }
}
