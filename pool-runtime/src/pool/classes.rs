//! Size classes for buffers: a pool of `Vec<T>`, `String`, `VecDeque<T>` or
//! `BinaryHeap<T>` made with [`Pool::buffers`] (as every one of their own
//! pools is) keeps one core per class of capacity, so a buffer that grew to
//! 1 MiB is never handed to the next 100-byte need, and bounds the bytes it
//! keeps idle.
//!
//! Classes are by bytes of element storage: class 0 holds buffers of fewer
//! than 128 bytes, class `k > 0` those of `[64 << k, 64 << (k + 1))`. A
//! request for `n` elements is served from the first class whose smallest
//! buffer holds them, so every buffer there is big enough; one that grew
//! goes back to the class of its new capacity.
//!
//! The byte bound reuses the object bound of each class: class `k` may keep
//! `count(k)` buffers, each counted at the largest size the class admits,
//! and the counts are chosen so that they sum to at most `max_idle_bytes`.
//! Every thread's cache and the shared layer honour each class's count as
//! they honour any pool's capacity, so the bound holds after any burst.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Buffer, Capacity};

/// `log2` of the bytes that start class 1; class 0 holds everything below.
pub(crate) const MIN_SHIFT: u32 = 6;

/// Classes up to the largest capacity a request can name (`usize::MAX`
/// bytes rounds up to class `usize::BITS - MIN_SHIFT`).
pub(crate) const CLASSES: usize = (usize::BITS - MIN_SHIFT + 1) as usize;

/// The default of [`Pool::max_idle_bytes`](crate::Pool::max_idle_bytes): 64 MiB per buffer type.
///
/// With the default largest buffer of 1 MiB, half of it lets every class
/// keep 10 buffers (one per thread of an 8-core machine and two spare, each
/// counted at its class's largest size), and the other half gives every
/// class 2 MiB, so that the small classes keep many more, up to the object
/// capacity: 283 buffers of 4 KiB, for a hand-off between threads with 256
/// in flight. The bound counts each buffer at its class's ceiling; the heap
/// a burst leaves idle is well under it.
pub const DEFAULT_MAX_IDLE_BYTES: usize = 64 << 20;

/// The default of [`Pool::max_capacity`](crate::Pool::max_capacity) for buffer pools, in bytes: 1 MiB
/// of elements. Bigger buffers are rare enough that keeping them idle costs
/// more memory than their reuse saves time.
pub const DEFAULT_MAX_BUFFER_BYTES: usize = 1 << 20;

/// The class of a buffer holding `bytes`.
#[inline(always)]
pub(crate) fn class_of(bytes: usize) -> usize {
    // `floor(log2(bytes)) - MIN_SHIFT`, at least 0, written as
    // `class_for` is (see there).
    (usize::BITS - (bytes >> (MIN_SHIFT + 1)).leading_zeros()) as usize
}

/// The first class whose every buffer holds `bytes`.
#[inline(always)]
pub(crate) fn class_for(bytes: usize) -> usize {
    // `ceil(log2(bytes)) - MIN_SHIFT`, at least 0. Through a
    // `leading_zeros` that may see 0, not an `ilog2`: on x86-64 without
    // `lzcnt` both are a `bsr`, which leaves its destination unchanged for
    // an input of 0 and so waits for the register's old value. For `ilog2`
    // the compiler emits the `bsr` alone, and in an acquire-release loop
    // the register had last held a value computed from the released
    // buffer, so every acquire waited for the previous release (2.3x a
    // derived type's round trip). For a `leading_zeros` that may see 0 it
    // writes a constant to the register first, which ends the wait (1.34x).
    (usize::BITS - (bytes.saturating_sub(1) >> MIN_SHIFT).leading_zeros()) as usize
}

/// The smallest number of bytes of class `k` (0 for class 0).
pub(crate) fn class_floor(k: usize) -> usize {
    if k == 0 { 0 } else { (1 << MIN_SHIFT) << k }
}

/// The most bytes one idle buffer of class `k` may hold when the pool
/// keeps none over `max_bytes`.
pub(crate) fn ceiling(k: usize, max_bytes: usize) -> usize {
    // One below the next class's start; that start is `1 << usize::BITS`
    // for the class holding the largest buffers (reached when
    // `max_capacity` is `usize::MAX`, no limit), so the end is `usize::MAX`.
    // The shift alone would drop that bit and leave 0.
    let end = 1usize
        .checked_shl(MIN_SHIFT + k as u32 + 1)
        .map_or(usize::MAX, |next| next - 1);
    end.min(max_bytes).max(1)
}

/// Not public API: what a buffer pool knows about its `T`, as plain
/// function pointers so that `Pool<T>` needs no `T: Buffer` bound outside
/// its constructor.
#[doc(hidden)]
#[derive(Debug)]
pub struct Sizes<T> {
    pub(crate) element_bytes: usize,
    pub(crate) capacity: fn(&T) -> usize,
    pub(crate) with_capacity: fn(usize) -> T,
}

impl<T> Sizes<T> {
    pub(crate) const fn of() -> Self
    where
        T: Buffer,
    {
        Self {
            element_bytes: T::ELEMENT_BYTES,
            capacity: <T as Capacity>::capacity,
            with_capacity: <T as Buffer>::with_capacity,
        }
    }

    /// The capacity a buffer made for class `k` starts with: the class's
    /// smallest bytes, 64 for class 0 (which also holds smaller buffers).
    pub(super) fn class_start(&self, k: usize) -> usize {
        match self.element_bytes {
            0 => 0,
            per => class_floor(k).max(1 << MIN_SHIFT).div_ceil(per),
        }
    }

    #[inline(always)]
    pub(crate) fn bytes(&self, object: &T) -> usize {
        (self.capacity)(object).saturating_mul(self.element_bytes)
    }
}

/// The run-time settings of a buffer pool, read with relaxed loads.
pub(crate) struct Config {
    /// The largest capacity kept, in elements.
    pub(crate) max_capacity: AtomicUsize,
    /// The same in bytes, which is what the return path compares.
    pub(crate) max_bytes: AtomicUsize,
    pub(crate) max_idle_bytes: AtomicUsize,
    /// Objects per class.
    pub(crate) objects: AtomicUsize,
    /// Bumped by every setter, so that one applying the settings can tell
    /// whether another changed them meanwhile.
    pub(crate) version: AtomicUsize,
}

impl Config {
    /// A buffer pool's defaults for `Some(element_bytes)`; no limit on
    /// capacity for any other pool.
    pub(crate) const fn new(element_bytes: Option<usize>, objects: usize) -> Self {
        let (max_capacity, max_bytes) = match element_bytes {
            None => (usize::MAX, usize::MAX),
            Some(0) => (DEFAULT_MAX_BUFFER_BYTES, 0),
            Some(n) => (
                DEFAULT_MAX_BUFFER_BYTES / n,
                DEFAULT_MAX_BUFFER_BYTES / n * n,
            ),
        };
        Self {
            max_capacity: AtomicUsize::new(max_capacity),
            max_bytes: AtomicUsize::new(max_bytes),
            max_idle_bytes: AtomicUsize::new(DEFAULT_MAX_IDLE_BYTES),
            objects: AtomicUsize::new(objects),
            version: AtomicUsize::new(0),
        }
    }

    /// The largest class that keeps anything.
    #[inline(always)]
    pub(crate) fn top(&self) -> usize {
        class_of(self.max_bytes.load(Ordering::Relaxed))
    }

    /// The most bytes one idle buffer of class `k` may hold.
    pub(super) fn ceiling(&self, k: usize) -> usize {
        ceiling(k, self.max_bytes.load(Ordering::Relaxed))
    }

    /// How many buffers class `k` may keep: half the byte budget gives
    /// every class the same number, the other half gives every class the
    /// same bytes (so small classes keep many more), and the object
    /// capacity caps each.
    pub(super) fn count(&self, k: usize) -> usize {
        let top = self.top();
        if k > top {
            return 0;
        }
        let budget = self.max_idle_bytes.load(Ordering::Relaxed);
        let classes = top + 1;
        let all: usize = (0..classes)
            .map(|j| self.ceiling(j))
            .fold(0, usize::saturating_add);
        let same_count = (budget / 2) / all;
        let same_bytes = budget / 2 / classes / self.ceiling(k);
        (same_count + same_bytes).min(self.objects.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Sizes around every power of two, where the classes change.
    pub(crate) fn edges() -> impl Iterator<Item = usize> {
        (0..usize::BITS)
            .flat_map(|bit| {
                let p = 1usize << bit;
                [p - 1, p, p + 1]
            })
            .chain([0, usize::MAX])
    }

    /// `class_of` by its definition: class 0 below 128 bytes, else the
    /// largest `k` with `64 << k <= bytes`.
    fn class_of_by_definition(bytes: usize) -> usize {
        (1..CLASSES)
            .take_while(|&k| floor(k) <= bytes as u128)
            .last()
            .unwrap_or(0)
    }

    /// `class_for` by its definition: class 0 up to 64 bytes (its buffers
    /// are grown to 64 on demand), else the smallest `k` with
    /// `64 << k >= bytes`.
    fn class_for_by_definition(bytes: usize) -> usize {
        if bytes <= 1 << MIN_SHIFT {
            return 0;
        }
        (1..CLASSES).find(|&k| floor(k) >= bytes as u128).unwrap()
    }

    /// `64 << k`, without overflow.
    fn floor(k: usize) -> u128 {
        (1u128 << MIN_SHIFT) << k
    }

    #[test]
    fn the_class_arithmetic_matches_its_definition_at_every_edge() {
        for bytes in edges() {
            assert_eq!(
                class_of(bytes),
                class_of_by_definition(bytes),
                "class_of({bytes})"
            );
            assert_eq!(
                class_for(bytes),
                class_for_by_definition(bytes),
                "class_for({bytes})"
            );
            assert!(
                class_of(bytes) < CLASSES - 1,
                "no buffer is in the last class"
            );
        }
    }

    #[test]
    fn a_class_ceiling_is_one_below_the_next_class_for_every_class() {
        for k in 0..CLASSES {
            let end = (floor(k + 1) - 1).min(usize::MAX as u128) as usize;
            assert_eq!(ceiling(k, usize::MAX), end, "ceiling({k}, no limit)");
            assert_eq!(ceiling(k, 1000), end.min(1000), "ceiling({k}, 1000)");
        }
    }
}
