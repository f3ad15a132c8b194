//! What a core counts, and the sums that `Pool::stats` reports.
//!
//! The frequent events (hits, misses, returns) are counted in the owner's
//! own [`Cache`](super::Cache) with a load and a store; the rare ones, and
//! those of threads without a slot, here on a line of their own with
//! read-modify-writes. [`Core::counts`] sums them all.

use super::{Core, Slot};
use crate::sync::{AtomicU64, Ordering, bump};

/// Rare events, counted with read-modify-writes on a line of their own.
#[derive(Default)]
pub(super) struct SlowCounters {
    /// hits, misses and returns of threads without a slot (exiting threads).
    pub(super) hits: AtomicU64,
    pub(super) misses: AtomicU64,
    pub(super) returned: AtomicU64,
    pub(super) prewarmed: AtomicU64,
    pub(super) over_capacity: AtomicU64,
    pub(super) oversized: AtomicU64,
    pub(super) reset_panicked: AtomicU64,
    pub(super) user_discarded: AtomicU64,
    pub(super) detached: AtomicU64,
    pub(super) trimmed: AtomicU64,
    /// Destructors of objects the pool dropped that panicked.
    pub(super) drop_panicked: AtomicU64,
}

/// What happened to a returned object that did not go back idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Prewarmed,
    Oversized,
    ResetPanicked,
    UserDiscarded,
    Detached,
    DropPanicked,
}

/// A snapshot of the counters, summed over every slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) hits: u64,
    pub(crate) misses: u64,
    pub(crate) returned: u64,
    pub(crate) prewarmed: u64,
    pub(crate) over_capacity: u64,
    pub(crate) oversized: u64,
    pub(crate) reset_panicked: u64,
    pub(crate) user_discarded: u64,
    pub(crate) detached: u64,
    pub(crate) trimmed: u64,
    pub(crate) drop_panicked: u64,
    pub(crate) idle: usize,
}

impl<T> Core<T> {
    /// Counts an object built because the pool had none idle.
    pub(crate) fn note_miss(&self, slot: Option<Slot>) {
        match slot {
            Some(slot) => bump(&self.cache(slot).misses),
            None => {
                self.slow.misses.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Counts `n` objects built in advance, or that left the pool's care
    /// other than by going idle.
    pub(crate) fn note(&self, event: Event, n: u64) {
        let counter = match event {
            Event::Prewarmed => &self.slow.prewarmed,
            Event::Oversized => &self.slow.oversized,
            Event::ResetPanicked => &self.slow.reset_panicked,
            Event::UserDiscarded => &self.slow.user_discarded,
            Event::Detached => &self.slow.detached,
            Event::DropPanicked => &self.slow.drop_panicked,
        };
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Idle objects now, in every cache and the shared layer.
    pub(super) fn idle(&self) -> usize {
        let mut idle = self.budget.shared_len.load(Ordering::Relaxed);
        self.for_each_cache(|cache| idle += cache.len.load(Ordering::Relaxed));
        idle
    }

    /// The counters summed over every slot, and the idle objects now.
    pub(crate) fn counts(&self) -> Counts {
        let slow = &self.slow;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut counts = Counts {
            hits: get(&slow.hits),
            misses: get(&slow.misses),
            returned: get(&slow.returned),
            prewarmed: get(&slow.prewarmed),
            over_capacity: get(&slow.over_capacity),
            oversized: get(&slow.oversized),
            reset_panicked: get(&slow.reset_panicked),
            user_discarded: get(&slow.user_discarded),
            detached: get(&slow.detached),
            trimmed: get(&slow.trimmed),
            drop_panicked: get(&slow.drop_panicked),
            idle: self.budget.shared_len.load(Ordering::Relaxed),
        };
        self.for_each_cache(|cache| {
            counts.hits += get(&cache.hits);
            counts.misses += get(&cache.misses);
            counts.returned += get(&cache.returned);
            counts.idle += cache.len.load(Ordering::Relaxed);
        });
        counts
    }
}
