//! Thread slots: where a thread's cache lives in every pool's table of
//! caches (`core/buckets.rs`), and how a thread's thread-local keeps its
//! slot (`thread.rs`). A leaf, so that both can use it.

/// Enough buckets of doubling size for every thread slot a `usize` can name.
pub(crate) const BUCKETS: usize = usize::BITS as usize;

/// A thread slot: where the thread's cache lives in every core, `offset`
/// in bucket `bucket`.
///
/// Only [`Slot::of`] makes one, so `bucket < BUCKETS` and
/// `offset < 2^bucket` always hold: a core's `cache` lookup relies on both to index
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

    /// Which bucket of a core's table holds this slot's cache: below
    /// [`BUCKETS`].
    #[inline(always)]
    pub(crate) const fn bucket(self) -> usize {
        self.bucket as usize
    }

    /// The cache's place in its bucket: below `2^bucket`.
    #[inline(always)]
    pub(crate) const fn offset(self) -> usize {
        self.offset as usize
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
