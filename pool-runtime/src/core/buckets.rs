//! Where each slot's cache lives: a grow-only table of buckets of doubling
//! size, bucket `b` holding `2^b` caches, each on its own cache lines. A
//! bucket is allocated the first time a thread of that bucket uses the
//! core and freed only with the core, so a cache never moves and a thread
//! may keep a pointer to its own (`LocalCache`). A [`Slot`] is a place in
//! this table (`slot.rs`).

use std::ptr;

use crossbeam_utils::CachePadded;

use super::{Cache, Core};
use crate::slot::{BUCKETS, Slot};
use crate::sync::{AtomicPtr, Ordering};

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
        let bucket = slot.bucket() & (BUCKETS - 1);
        let offset = slot.offset();
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
        let bucket = slot.bucket() & (BUCKETS - 1);
        let offset = slot.offset();
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
