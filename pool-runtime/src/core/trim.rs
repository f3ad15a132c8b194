//! Epochs: trim, clear, and a cache catching up with them, at its thread's
//! next operation or at its exit.
//!
//! Trim is Go's victim cache made explicit: each stash keeps `fresh`
//! objects and `old` ones that were already idle at the previous trim; a
//! trim drops `old` and ages `fresh` into it. No thread may touch another's
//! cache, so a trim only bumps every cache's `epoch`; the owner compares it
//! with the `seen_epoch` of its cache on every operation and, when they
//! differ, settles: hands its objects to the shared layer, aged by the
//! trims it missed. A capacity change flags the epoch too (`RESHAPED`), so
//! that the cache is handed back and sized anew.

use std::mem;
use std::ptr::NonNull;

use super::cache::{Cache, Owned};
use super::counters::Event;
use super::shared::{Age, Stash};
use super::{Core, Slot};
use crate::panic::{Panic, drop_all};
use crate::sync::{Ordering, lock};

/// What a trim adds to every cache's `epoch` (a clear adds two trims).
const TRIM: usize = 2;

/// The low bit of a cache's `epoch`: the capacity changed, and the cache
/// must be handed back so that it is sized anew. Set by whoever changes the
/// capacity, cleared by the owner; trims step over it.
pub(super) const RESHAPED: usize = 1;

/// Objects taken out of a cache or stash, to be dropped once nothing is
/// borrowed or locked.
pub(super) struct Doomed<T> {
    pub(super) objects: Vec<NonNull<T>>,
    pub(super) units: usize,
}

impl<T> Core<T> {
    /// Applies the trims this slot's cache has not seen yet: after one, its
    /// objects become `old` in the shared layer (the next trim drops them);
    /// after two or a clear, they are dropped. After a capacity change the
    /// cache is handed back whole, so it is sized anew.
    ///
    /// Destructors that panic are counted, not passed on: the objects were
    /// idle, and the operation that caught up (an acquire, a return, a
    /// thread's exit) has nothing to do with them.
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`].
    #[cold]
    pub(super) unsafe fn catch_up(&self, slot: Slot) {
        // SAFETY: forwarded from the caller.
        drop(unsafe { self.settle(slot, false) });
    }

    /// Brings a cache up to date with the trims and capacity changes it has
    /// not seen, or, when its thread exits, empties it whatever its age.
    /// Returns the first panic of a destructor it ran (all are counted).
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`].
    pub(super) unsafe fn settle(&self, slot: Slot, exiting: bool) -> Option<Panic> {
        let cache = self.existing_cache(slot)?;
        let mut epoch = cache.epoch.load(Ordering::Relaxed);
        let reshaped = epoch & RESHAPED != 0;
        if reshaped {
            // Only the owner clears the flag, on this slow path; trims that
            // raced in since the load are in the value it returns.
            epoch = cache.epoch.fetch_and(!RESHAPED, Ordering::Relaxed) & !RESHAPED;
        }
        let doomed = cache.owned.with_mut(|owned| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let owned = unsafe { &mut *owned };
            let behind = epoch.wrapping_sub(owned.seen_epoch) / TRIM;
            if behind == 0 && !exiting && !reshaped {
                return None;
            }
            owned.seen_epoch = epoch;
            if exiting || reshaped {
                // The next thread in this slot may behave differently, and
                // a new capacity means new cache sizes.
                owned.limit = 0;
            }
            Some(self.empty_cache(slot, cache, owned, behind))
        });
        let panic = doomed.and_then(|doomed| self.bury(doomed));
        // Objects this cache just handed over may be what a lowered
        // capacity was still waiting for.
        let paid = if reshaped {
            self.pay_owed()
        } else {
            self.pay_debt()
        };
        panic.or(paid)
    }

    /// Empties a cache that has missed `behind` trims: its objects go to
    /// the shared layer as they are (none missed), as `old` (one: the next
    /// trim drops them), or out to be dropped (two, or a clear); its spare
    /// units go back to the budget.
    fn empty_cache(
        &self,
        slot: Slot,
        cache: &Cache<T>,
        owned: &mut Owned<T>,
        behind: usize,
    ) -> Doomed<T> {
        let len = cache.len.load(Ordering::Relaxed);
        cache.len.store(0, Ordering::Relaxed);
        let spare = mem::take(&mut owned.units) - len;
        let age = match behind {
            0 => Age::Fresh,
            1 => Age::Old,
            _ => {
                return Doomed {
                    objects: owned.items[..len].to_vec(),
                    units: spare + len,
                };
            }
        };
        if len > 0 {
            self.put_in_stash(self.home(slot), age, &owned.items[..len]);
        }
        Doomed {
            objects: Vec::new(),
            units: spare,
        }
    }

    /// Drops objects taken out of the pool, then frees their units (in that
    /// order, so the pool never has more than `capacity` idle objects alive).
    ///
    /// A destructor that panics does not stop the others: every object is
    /// dropped and every unit freed; panics are counted and the first is
    /// returned for the caller to pass on or not.
    pub(super) fn bury(&self, doomed: Doomed<T>) -> Option<Panic> {
        let n = doomed.objects.len();
        // SAFETY: every doomed object came from `Box::into_raw`, and was
        // removed from the cache or stash that owned it.
        let (panic, panicked) = unsafe { drop_all(doomed.objects) };
        if n > 0 {
            self.slow.trimmed.fetch_add(n as u64, Ordering::Relaxed);
        }
        if panicked > 0 {
            self.note(Event::DropPanicked, panicked);
        }
        self.give_units(doomed.units);
        panic
    }

    /// Drops every object idle since the previous trim, and ages the rest.
    /// `slot` is the caller's, if it has one, so its own cache is
    /// trimmed now rather than at its next operation. Returns the first
    /// panic of a destructor, once the whole sweep is done.
    ///
    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    pub(crate) unsafe fn trim(&self, slot: Option<Slot>) -> Option<Panic> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.sweep(slot, 1, |stash| {
                mem::replace(&mut stash.old, mem::take(&mut stash.fresh))
            })
        }
    }

    /// Drops every idle object; returns the first panic of a destructor,
    /// once every object is dropped.
    ///
    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    pub(crate) unsafe fn clear(&self, slot: Option<Slot>) -> Option<Panic> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.sweep(slot, 2, |stash| {
                let mut all = mem::take(&mut stash.old);
                all.append(&mut stash.fresh);
                all
            })
        }
    }

    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    unsafe fn sweep(
        &self,
        slot: Option<Slot>,
        trims: usize,
        take: impl Fn(&mut Stash<T>) -> Vec<NonNull<T>>,
    ) -> Option<Panic> {
        let mut first = None;
        for stash in self.stashes.iter() {
            let objects = {
                let mut stash = lock(stash);
                let objects = take(&mut stash);
                self.taken_from_stash(objects.len());
                objects
            };
            let panic = self.bury(Doomed {
                units: objects.len(),
                objects,
            });
            first = first.or(panic);
        }
        // Bumped after the stashes are swept, so a cache that catches up
        // with this trim puts its objects into `old` after the sweep: they
        // survive until the next trim, as every idle object does.
        self.for_each_cache(|cache| {
            cache.epoch.fetch_add(trims * TRIM, Ordering::Relaxed);
        });
        if let Some(slot) = slot {
            // SAFETY: forwarded from the caller.
            let panic = unsafe { self.settle(slot, false) };
            first = first.or(panic);
        }
        first
    }

    /// Hands back `slot`'s cache when its thread exits: objects go to
    /// the shared layer (or are dropped if two trims passed), spare units to
    /// the budget. The slot may then be given to a new thread.
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`], and the thread must not use the slot afterwards.
    ///
    /// A destructor that panics here is counted and goes no further: this
    /// runs in a thread-local destructor, where a panic aborts the process.
    pub(crate) unsafe fn release_slot(&self, slot: Slot) {
        // SAFETY: forwarded from the caller.
        drop(unsafe { self.settle(slot, true) });
    }
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use super::super::testing::{boxed, filled, free};
    use super::*;

    #[test]
    fn trim_drops_only_what_survived_a_previous_trim() {
        let core = filled(64, 2, 0, 4);
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.trim(Some(Slot::of(0))) });
        assert_eq!(core.counts().idle, 4, "objects survive one trim");
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.trim(Some(Slot::of(0))) });
        assert_eq!(core.counts().idle, 0, "and not two");
        assert_eq!(core.counts().trimmed, 4);
        assert_eq!(core.free_units(), 64, "every unit came back");
    }

    #[test]
    fn trim_reaches_other_slots_at_their_next_operation() {
        let core = Core::new(64, 2);
        // SAFETY: slots 0 and 1 are used by this thread, one at a time.
        unsafe {
            core.push(Slot::of(1), boxed(7)).unwrap();
            core.clear(Some(Slot::of(0)));
            assert_eq!(
                core.counts().idle,
                1,
                "slot 1's cache is its own until it acts"
            );
            assert_eq!(
                core.pop(Slot::of(1)),
                None,
                "slot 1 catches up, drops its object, and misses"
            );
        }
        assert_eq!(core.counts().idle, 0);
        assert_eq!(core.counts().trimmed, 1);
        assert_eq!(core.free_units(), 64);
    }

    #[test]
    fn released_slot_hands_objects_to_others() {
        let core = Core::new(64, 2);
        // SAFETY: slots used by this thread, one at a time.
        unsafe {
            core.push(Slot::of(3), boxed(1)).unwrap();
            core.release_slot(Slot::of(3));
            let p = core
                .pop(Slot::of(5))
                .expect("the object moved to the shared layer");
            assert_eq!(free(p), 1);
        }
    }
}
