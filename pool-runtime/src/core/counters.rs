//! What a core counts, and the sums that `Pool::stats` reports.
//!
//! The frequent events (hits, misses, returns) are counted in the owner's
//! own [`Cache`](super::Cache) with a load and a store; the rare ones, and
//! those of threads without a slot, here on a line of their own with
//! read-modify-writes. [`Core::counts`] sums them all.

use super::{Core, Slot};
use crate::sync::{AtomicU64, Ordering, bump};

/// Declares, from one list of names, the rare events' counters
/// ([`SlowCounters`]), the snapshot's fields of the same names ([`Counts`],
/// which also has `idle`), and the load of the one into the other: a
/// counter added to the list is in all three.
macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// Rare events, counted with read-modify-writes on a line of their own.
        #[derive(Default)]
        pub(super) struct SlowCounters {
            $($(#[$doc])* pub(super) $name: AtomicU64,)*
        }

        /// A snapshot of the counters, summed over every slot.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub(crate) struct Counts {
            $(pub(crate) $name: u64,)*
            pub(crate) idle: usize,
        }

        impl SlowCounters {
            /// What these count so far; `idle` is left 0 for the caller.
            fn load(&self) -> Counts {
                Counts {
                    $($name: self.$name.load(Ordering::Relaxed),)*
                    idle: 0,
                }
            }
        }
    };
}

counters! {
    /// hits, misses and returns of threads without a slot (exiting threads).
    hits, misses, returned,
    prewarmed, over_capacity, oversized, reset_panicked, user_discarded, detached, trimmed,
    /// Destructors of objects the pool dropped that panicked.
    drop_panicked,
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
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut counts = self.slow.load();
        counts.idle = self.budget.shared_len.load(Ordering::Relaxed);
        self.for_each_cache(|cache| {
            counts.hits += get(&cache.hits);
            counts.misses += get(&cache.misses);
            counts.returned += get(&cache.returned);
            counts.idle += cache.len.load(Ordering::Relaxed);
        });
        counts
    }
}
