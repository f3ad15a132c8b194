//! Where each slot's cache lives: a grow-only table of buckets of doubling
//! size, bucket `b` holding `2^b` caches, each on its own cache lines. A
//! bucket is allocated the first time a thread of that bucket uses the
//! core and freed only with the core, so a cache never moves and a thread
//! may keep a pointer to its own (`LocalCache`).

use std::ptr;

use crossbeam_utils::CachePadded;

use super::{Cache, Core};
use crate::sync::{AtomicPtr, Ordering};

/// Enough buckets of doubling size for every thread slot a `usize` can name.
pub(super) const BUCKETS: usize = usize::BITS as usize;

/// A thread slot: where the thread's cache lives in every core, `offset`
/// in bucket `bucket`.
///
/// Only [`Slot::of`] makes one, so `bucket < BUCKETS` and
/// `offset < 2^bucket` always hold: [`Core::cache`] relies on both to index
/// a bucket without a bounds check. Computed once per thread and kept in
/// its thread-local, so the fast path does not redo the arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    offset: u32,
    bucket: u32,
}

impl Slot {
    /// The location of slot number `index` (dense, from 0).
    pub(crate) const fn of(index: usize) -> Self {
        let n = index + 1;
        // `2^bucket <= n < 2^(bucket + 1)`, so `offset < 2^bucket`.
        let bucket = usize::BITS - 1 - n.leading_zeros();
        Self {
            offset: (n - (1 << bucket)) as u32,
            bucket,
        }
    }

    /// The slot number back.
    pub(crate) const fn index(self) -> usize {
        (1usize << self.bucket) - 1 + self.offset as usize
    }
}

/// A thread's slot as its thread-local keeps it (`thread.rs`): a [`Slot`],
/// or one of the two states of a thread that has none.
///
/// One word, the states told from slots by a bucket no slot has, so that
/// reading it is one load and one compare; and since it is not a `Slot`,
/// neither state can reach a core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ThreadSlot(Slot);

impl ThreadSlot {
    /// The thread has not asked for a slot yet.
    pub(crate) const UNASSIGNED: Self = Self::without_slot(u32::MAX);
    /// The thread's thread-locals are being destroyed: it has no slot any
    /// more.
    pub(crate) const EXITING: Self = Self::without_slot(u32::MAX - 1);

    const fn without_slot(bucket: u32) -> Self {
        Self(Slot { offset: 0, bucket })
    }

    /// A thread that holds `slot`.
    pub(crate) const fn assigned(slot: Slot) -> Self {
        Self(slot)
    }

    /// The thread's slot, if it has one.
    #[inline(always)]
    pub(crate) const fn slot(self) -> Option<Slot> {
        if (self.0.bucket as usize) < BUCKETS {
            Some(self.0)
        } else {
            None
        }
    }
}

/// Fields read on every operation and almost never written.
pub(super) struct ReadMostly<T> {
    pub(super) buckets: [AtomicPtr<CachePadded<Cache<T>>>; BUCKETS],
}

impl<T> ReadMostly<T> {
    pub(super) fn new() -> Self {
        Self {
            buckets: std::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
        }
    }
}

impl<T> Core<T> {
    /// The slot's cache, allocating its bucket on first use. A thread that
    /// keeps a pointer to its own cache (`LocalCache`) skips this lookup.
    #[inline]
    pub(crate) fn cache(&self, slot: Slot) -> &Cache<T> {
        // Masked rather than bounds-checked: `Slot::of` keeps the bucket
        // below `BUCKETS`, so the mask is a no-op.
        let bucket = slot.bucket as usize & (BUCKETS - 1);
        let offset = slot.offset as usize;
        let mut base = self.read.buckets[bucket].load(Ordering::Acquire);
        if base.is_null() {
            base = self.alloc_bucket(bucket);
        }
        // SAFETY: `base` points to a live bucket of `1 << bucket` caches
        // (buckets are freed only in `drop`), and `offset < 1 << bucket`
        // (see `Slot`).
        unsafe { &*base.add(offset) }
    }

    /// The slot's cache if its bucket exists.
    pub(super) fn existing_cache(&self, slot: Slot) -> Option<&Cache<T>> {
        let bucket = slot.bucket as usize & (BUCKETS - 1);
        let offset = slot.offset as usize;
        let base = self.read.buckets[bucket].load(Ordering::Acquire);
        // SAFETY: as in `cache`.
        (!base.is_null()).then(|| unsafe { &**base.add(offset) })
    }

    #[cold]
    #[inline(never)]
    fn alloc_bucket(&self, bucket: usize) -> *mut CachePadded<Cache<T>> {
        let fresh: Box<[CachePadded<Cache<T>>]> = (0..1usize << bucket)
            .map(|_| CachePadded::new(Cache::new()))
            .collect();
        let fresh = Box::into_raw(fresh).cast::<CachePadded<Cache<T>>>();
        match self.read.buckets[bucket].compare_exchange(
            ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` came from `Box::into_raw` of a slice of
                // this length above and was never shared.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(fresh, 1 << bucket)) });
                winner
            }
        }
    }

    /// Calls `f` on every cache of every bucket allocated so far.
    pub(super) fn for_each_cache(&self, mut f: impl FnMut(&Cache<T>)) {
        for (bucket, base) in self.read.buckets.iter().enumerate() {
            let base = base.load(Ordering::Acquire);
            if base.is_null() {
                continue;
            }
            for offset in 0..1usize << bucket {
                // SAFETY: a non-null bucket holds `1 << bucket` live caches.
                f(unsafe { &*base.add(offset) });
            }
        }
    }
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use super::*;

    #[test]
    fn slot_layout_is_dense_and_reversible() {
        let at = |index| {
            let slot = Slot::of(index);
            (slot.bucket, slot.offset)
        };
        assert_eq!(at(0), (0, 0));
        assert_eq!(at(1), (1, 0));
        assert_eq!(at(2), (1, 1));
        assert_eq!(at(3), (2, 0));
        assert_eq!(at(6), (2, 3));
        assert_eq!(at(7), (3, 0));
        for index in (0..5000).chain([u32::MAX as usize - 1]) {
            assert_eq!(Slot::of(index).index(), index);
        }
    }

    #[test]
    fn a_thread_without_a_slot_is_told_from_every_slot() {
        assert_eq!(ThreadSlot::UNASSIGNED.slot(), None);
        assert_eq!(ThreadSlot::EXITING.slot(), None);
        assert_ne!(ThreadSlot::UNASSIGNED, ThreadSlot::EXITING);
        for index in (0..5000).chain([u32::MAX as usize - 1]) {
            let slot = Slot::of(index);
            assert_eq!(ThreadSlot::assigned(slot).slot(), Some(slot));
        }
    }
}
