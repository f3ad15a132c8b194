//! The bound: a budget of `capacity` units.
//!
//! Every idle object, wherever it is, holds one unit; a private cache may
//! also hold a few units with no object yet, so that its next returns need
//! no atomic. At rest `free + Σ cache.units + shared_len == capacity`,
//! hence the idle objects (`Σ cache.len + shared_len`) never exceed
//! `capacity`. Lowering the capacity leaves `free` negative: a debt that
//! units coming back pay first, and that the shared layer pays at once.

use super::cache::CACHE_MAX;
use super::trim::{Doomed, RESHAPED};
use super::{Core, Slot};
use crate::panic::Panic;
use crate::sync::{AtomicUsize, Ordering, lock};

/// Fields written by the slow paths of many threads.
pub(super) struct Budget {
    /// Free units: how many more objects may become idle. Read as an
    /// `isize`: after [`Core::set_capacity`] lowers the capacity it is
    /// negative, a debt that units coming back pay before any is handed out.
    pub(super) free: AtomicUsize,
    /// Objects in the stashes; lets a thread skip locking them when empty.
    pub(super) shared_len: AtomicUsize,
}

/// The capacity and the cache sizes derived from it. Only the capacity is
/// stored (one atomic, so that [`Core::set_capacity`] can change it at run
/// time); a slow path reads it once and derives the rest.
#[derive(Clone, Copy)]
pub(super) struct Shape {
    pub(super) capacity: usize,
    /// The most objects a cache keeps: at most a quarter of the capacity,
    /// so a few threads cannot hold all of it privately.
    pub(super) cache_cap: usize,
    /// Objects moved per transfer between a cache and the shared layer.
    pub(super) batch: usize,
}

impl Shape {
    fn of(capacity: usize) -> Self {
        let cache_cap = CACHE_MAX.min((capacity / 4).max(capacity.min(1)));
        Self {
            capacity,
            cache_cap,
            batch: (cache_cap / 2).max(1),
        }
    }
}

impl<T> Core<T> {
    /// The most idle objects this core keeps.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity.load(Ordering::Relaxed)
    }

    pub(super) fn shape(&self) -> Shape {
        Shape::of(self.capacity())
    }

    /// Takes up to `want` free units, but past the first one none that
    /// would leave fewer than `floor` free; returns how many it got (0 when
    /// none is free, or while a lowered capacity is still owed).
    pub(super) fn take_units(&self, want: usize, floor: usize) -> usize {
        if want == 0 {
            return 0;
        }
        let free = &self.budget.free;
        let mut current = free.load(Ordering::Relaxed);
        loop {
            let available = match isize::try_from(current) {
                Ok(n) if n > 0 => n as usize,
                _ => return 0,
            };
            let got = want.min(available.saturating_sub(floor)).max(1);
            match free.compare_exchange_weak(
                current,
                current - got,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return got,
                Err(now) => current = now,
            }
        }
    }

    /// Hands units back; wrapping, so that paying a debt (a negative
    /// `free`) needs no special case.
    pub(super) fn give_units(&self, units: usize) {
        if units > 0 {
            self.budget.free.fetch_add(units, Ordering::Relaxed);
        }
    }

    /// Free units as a signed number: negative while a lowered capacity is
    /// owed.
    fn free_signed(&self) -> isize {
        self.budget.free.load(Ordering::Relaxed) as isize
    }

    /// How many units are free: how many objects could be stocked now.
    #[cfg(test)]
    pub(crate) fn free_units(&self) -> usize {
        usize::try_from(self.free_signed()).unwrap_or(0)
    }

    /// Takes up to `n` free units for objects about to be built in advance.
    /// Reserving first means no object is built that the pool cannot keep;
    /// the caller hands the units to [`Core::stock_reserved`] with the
    /// objects, or back with [`Core::unreserve`].
    pub(crate) fn reserve(&self, n: usize) -> usize {
        self.take_units(n, 0)
    }

    /// Gives back units from [`Core::reserve`] that no object came for.
    pub(crate) fn unreserve(&self, units: usize) {
        self.give_units(units);
    }

    /// Changes the capacity at once: this thread's cache and the shared
    /// layer shed what a lower capacity no longer allows now, other
    /// threads' caches at their next use of the pool. Returns the first
    /// panic of a destructor it ran (all are counted).
    ///
    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    pub(crate) unsafe fn set_capacity(&self, capacity: usize, slot: Option<Slot>) -> Option<Panic> {
        let old = self.capacity.swap(capacity, Ordering::Relaxed);
        if capacity >= old {
            self.give_units(capacity - old);
            return None;
        }
        // A thread that misses the flag for a while only skips paying the
        // debt early: the caches that owe it are flagged `RESHAPED` below
        // and pay at their next use whatever the flag says.
        self.lowered.store(true, Ordering::Relaxed);
        // Wrapping below zero: the debt that returning units pay first.
        self.budget
            .free
            .fetch_sub(old - capacity, Ordering::Relaxed);
        self.for_each_cache(|cache| {
            cache.epoch.fetch_or(RESHAPED, Ordering::Relaxed);
        });
        // This thread's cache first: its spare units pay part of the debt.
        let own = match slot {
            // SAFETY: forwarded from the caller.
            Some(slot) => unsafe { self.settle(slot, false) },
            None => None,
        };
        let panic = self.pay_owed();
        own.or(panic)
    }

    /// [`Core::pay_owed`] if the capacity was ever lowered: the early
    /// payment of a debt by a cache that has already settled it.
    pub(super) fn pay_debt(&self) -> Option<Panic> {
        if !self.lowered.load(Ordering::Relaxed) {
            return None;
        }
        self.pay_owed()
    }

    /// Drops idle objects of the shared layer, oldest list first, until a
    /// lowered capacity is paid for (objects in other threads' caches pay
    /// when those threads next use the pool).
    pub(super) fn pay_owed(&self) -> Option<Panic> {
        let owed = usize::try_from(-self.free_signed()).unwrap_or(0);
        if owed == 0 {
            return None;
        }
        self.pay_debt_slow(owed)
    }

    #[cold]
    #[inline(never)]
    fn pay_debt_slow(&self, owed: usize) -> Option<Panic> {
        // Part of the debt may be spare units in other threads' caches, which
        // hold no object: drop no more than the objects beyond capacity.
        let owed = owed.min(self.idle().saturating_sub(self.capacity()));
        if owed == 0 {
            return None;
        }
        let mut objects = Vec::new();
        for stash in self.stashes.iter() {
            let mut stash = lock(stash);
            let before = objects.len();
            while objects.len() < owed {
                match stash.old.pop().or_else(|| stash.fresh.pop()) {
                    Some(object) => objects.push(object),
                    None => break,
                }
            }
            self.taken_from_stash(objects.len() - before);
            if objects.len() == owed {
                break;
            }
        }
        self.bury(Doomed {
            units: objects.len(),
            objects,
        })
    }
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use super::super::testing::{boxed, filled, free};
    use super::*;

    #[test]
    fn never_more_idle_than_capacity() {
        let core = Core::new(10, 2);
        let mut rejected = 0;
        for slot in 0..3 {
            for i in 0..20 {
                // SAFETY: slots are used one at a time by this thread.
                if let Err(p) = unsafe { core.push(Slot::of(slot), boxed(i)) } {
                    free(p);
                    rejected += 1;
                }
            }
        }
        let c = core.counts();
        assert_eq!(c.idle, 10);
        assert_eq!(rejected, 50);
        assert_eq!(c.over_capacity, 50);
    }

    #[test]
    fn parked_caches_leave_the_others_room() {
        let core = Core::new(64, 2);
        // Eight threads return one object each and never come back: their
        // caches reserve spare units, and two clears cannot reach them.
        for slot in 1..=8 {
            // SAFETY: slots used by this thread, one at a time.
            unsafe { core.push(Slot::of(slot), boxed(slot as u32)).unwrap() };
        }
        // SAFETY: slot 0 is this thread's.
        unsafe {
            drop(core.clear(Some(Slot::of(0))));
            drop(core.clear(Some(Slot::of(0))));
        }
        assert!(
            core.free_units() >= 64 / 2 - 8,
            "parked caches hold {} of 64 units",
            64 - core.free_units()
        );
        // Slot 0 round-trips two objects at a time and is served from the pool.
        let before = core.counts();
        let (mut a, mut b) = (boxed(100), boxed(101));
        for _ in 0..100 {
            // SAFETY: slot 0 is this thread's; the objects are ours.
            unsafe {
                core.push(Slot::of(0), a).unwrap();
                core.push(Slot::of(0), b).unwrap();
                a = core.pop(Slot::of(0)).expect("reused");
                b = core.pop(Slot::of(0)).expect("reused");
            }
        }
        let after = core.counts();
        assert_eq!(after.over_capacity, before.over_capacity);
        assert_eq!(after.hits - before.hits, 200);
        free(a);
        free(b);
        for slot in 0..=8 {
            // SAFETY: these slots are used by this thread only.
            unsafe { core.release_slot(Slot::of(slot)) };
        }
        assert_eq!(core.free_units(), 64, "every unit came back");
    }

    #[test]
    fn a_lowered_capacity_is_kept_at_once() {
        let core = filled(64, 2, 0, 40);
        assert_eq!(core.counts().idle, 40);
        // SAFETY: slot 0 is this thread's.
        assert!(unsafe { core.set_capacity(5, Some(Slot::of(0))) }.is_none());
        let c = core.counts();
        assert_eq!((core.capacity(), c.idle, c.trimmed), (5, 5, 35));
        assert_eq!(core.free_units(), 0);
        // The bound holds for returns from now on.
        let mut rejected = 0;
        for i in 0..10 {
            // SAFETY: slot 0 used by this thread only.
            if let Err(p) = unsafe { core.push(Slot::of(0), boxed(i)) } {
                free(p);
                rejected += 1;
            }
        }
        assert_eq!((core.counts().idle, rejected), (5, 10));
        // Raised again, the room is there at once.
        // SAFETY: slot 0 is this thread's.
        assert!(unsafe { core.set_capacity(8, Some(Slot::of(0))) }.is_none());
        assert_eq!(core.free_units(), 3);
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.clear(Some(Slot::of(0))) });
        assert_eq!(core.free_units(), 8, "every unit came back");
    }

    #[test]
    fn another_threads_cache_sheds_a_lowered_capacity_at_its_next_use() {
        let core = filled(64, 2, 1, 10);
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.set_capacity(2, Some(Slot::of(0))) });
        // SAFETY: slot 1 used by this thread only.
        let p = unsafe { core.pop(Slot::of(1)) }.expect("one of the two kept");
        free(p);
        assert_eq!(core.counts().idle, 1);
        // SAFETY: slot 1 used by this thread only.
        unsafe { core.release_slot(Slot::of(1)) };
        assert_eq!(core.free_units() + core.counts().idle, 2);
    }
}
