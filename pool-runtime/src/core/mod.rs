//! The pool's storage and its accounting, written against explicit thread
//! slots so loom can model it without thread-locals.
//!
//! # Words
//!
//! One word per concept, here and in the rest of the runtime:
//!
//! * **slot** ([`Slot`]): a live thread's small dense number, taken on its
//!   first pool operation and given back at its exit (`thread.rs`), kept as
//!   the place of its caches in every core's bucket table.
//! * **bucket**: a block of `2^b` caches in a core's grow-only table.
//! * **cache** ([`Cache`]): one slot's private cache in one core, which
//!   only the thread owning the slot touches. Its owner-only part is
//!   [`Owned`](cache::Owned).
//! * **items**: the array of a cache, or of a batch
//!   ([`BatchBuf`](shared::BatchBuf)): idle objects below its length,
//!   dangling pointers above.
//! * **stash** ([`Stash`]): one lock-protected part of the **shared
//!   layer**, which is all of a core's stashes.
//! * **batch**: the objects one transfer moves between a cache and the
//!   shared layer.
//! * **unit**: one object's room in the **budget**, the bound.
//! * **epoch**: a cache's count of trims and clears, bumped by whoever trims.
//! * **local** means thread-local, and nothing else: `local.rs` and its
//!   `LocalCache`, the thread-local through which a derived type finds the
//!   calling thread's cache in its pool.
//! * **entry**: a type's value in the registry's hash table
//!   (`registry.rs`), and its place there, null while empty.
//! * **storage**: a core as the registry sees it, whatever its `T`.
//!
//! # Layout
//!
//! * Every thread slot has a **private cache** ([`Cache`]): a small stack of
//!   objects that only the thread owning the slot touches, with no atomic
//!   read-modify-write and no lock (Go's per-P `poolLocal`, its `private`
//!   object and its queue). Caches live in buckets of doubling size, allocated the first
//!   time a thread of that bucket uses the pool, each cache on its own
//!   cache lines.
//! * A **shared layer** of a few lock-protected stashes takes whole batches
//!   from caches that overflow and hands whole batches to caches that run
//!   dry, so one lock operation is amortised over many objects and objects
//!   freed on one thread reach the others. A cache adapts to its thread:
//!   one that only returns objects (a consumer) keeps at most 8 and hands
//!   all of them over at each overflow, since nobody would reuse them
//!   there; one that also acquires keeps up to 32.
//! * **The bound is a budget of units.** `capacity` units exist. Every idle
//!   object, wherever it is, holds one unit; a private cache may also hold a
//!   few units with no object yet, so that its next returns need no atomic.
//!   At rest `budget + Σ cache.units + shared_len == capacity`, hence the
//!   idle objects (`Σ cache.len + shared_len`) never exceed `capacity`.
//! * **Trim** is Go's victim cache made explicit: each stash keeps `fresh`
//!   objects and `old` ones that were already idle at the previous trim; a
//!   trim drops `old` and ages `fresh` into it. Private caches learn of a
//!   trim through `epoch` on their thread's next operation (or at its exit),
//!   because no other thread may touch them.
//!
//! No user code (`T`'s `Drop`, a reset, a constructor) ever runs while a
//! private cache is borrowed or a stash is locked: objects to drop are
//! carried out first, so a destructor that uses the pool again is safe.
//!
//! # Files
//!
//! Each holds one concept and its own `impl Core` block:
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the words, the layout, [`Core`] itself and its drop |
//! | `buckets.rs` | the grow-only table of caches a [`Slot`] (`slot.rs`) indexes |
//! | `cache.rs` | a slot's private cache: the fast path, `try_pop`/`try_push` |
//! | `budget.rs` | the bound: units taken and given back, a lowered capacity's debt |
//! | `shared.rs` | the stashes, and batch transfers between them and the caches |
//! | `trim.rs` | epochs: trim, clear, a cache catching up, a thread's exit |
//! | `counters.rs` | what is counted, and the sums `stats()` reports |

mod buckets;
mod budget;
mod cache;
mod counters;
mod shared;
mod trim;

use crossbeam_utils::CachePadded;

use self::buckets::ReadMostly;
use self::budget::Budget;
use self::counters::SlowCounters;
use self::shared::Stash;
use crate::panic::drop_all;
use crate::sync::{AtomicBool, AtomicUsize, Mutex, Ordering, lock};

pub(crate) use self::cache::Cache;
pub(crate) use self::counters::{Counts, Event};
pub(crate) use self::shared::stash_count;
pub(crate) use crate::slot::Slot;

/// The storage behind one [`Pool`](crate::Pool).
pub(crate) struct Core<T> {
    read: CachePadded<ReadMostly<T>>,
    budget: CachePadded<Budget>,
    slow: CachePadded<SlowCounters>,
    stashes: Box<[CachePadded<Mutex<Stash<T>>>]>,
    stash_mask: usize,
    /// The most idle objects kept; see [`Shape`](budget::Shape).
    capacity: AtomicUsize,
    /// Set once the capacity was ever lowered: until then no debt can be
    /// owed, and the slow paths that would pay one early skip reading the
    /// much-written `free` counter (which also keeps the loom models of
    /// the other paths small).
    lowered: AtomicBool,
}

// SAFETY: a `Core<T>` owns `T`s (through raw pointers) and hands them from
// one thread to another, which is sound exactly when `T: Send`. It never
// gives out `&T` to two threads, so `T: Sync` is not needed. Private caches
// are only touched by the thread that owns their slot (the caller's
// contract in `pop`/`push`/`release_slot`), stashes only under their lock,
// and everything else is atomic.
unsafe impl<T: Send> Send for Core<T> {}
// SAFETY: as above: shared access goes through atomics, locks, or caches
// owned by exactly one thread at a time.
unsafe impl<T: Send> Sync for Core<T> {}

impl<T> Core<T> {
    /// A core that keeps at most `capacity` idle objects, with `stashes`
    /// lock-protected parts in its shared layer (rounded up to a power of two).
    pub(crate) fn new(capacity: usize, stashes: usize) -> Self {
        let stashes = stashes.max(1).next_power_of_two();
        Self {
            read: CachePadded::new(ReadMostly::new()),
            budget: CachePadded::new(Budget {
                free: AtomicUsize::new(capacity),
                shared_len: AtomicUsize::new(0),
            }),
            slow: CachePadded::new(SlowCounters::default()),
            stashes: (0..stashes)
                .map(|_| CachePadded::new(Mutex::new(Stash::new())))
                .collect(),
            stash_mask: stashes - 1,
            capacity: AtomicUsize::new(capacity),
            lowered: AtomicBool::new(false),
        }
    }
}

impl<T> Drop for Core<T> {
    fn drop(&mut self) {
        let mut objects = Vec::new();
        for stash in self.stashes.iter() {
            let mut stash = lock(stash);
            objects.append(&mut stash.fresh);
            objects.append(&mut stash.old);
        }
        self.for_each_cache(|cache| {
            let len = cache.len.load(Ordering::Relaxed);
            cache.owned.with_mut(|owned| {
                // SAFETY: `&mut self`: no thread can use any slot now.
                let owned = unsafe { &*owned };
                objects.extend_from_slice(&owned.items[..len]);
            });
        });
        for (bucket, base) in self.read.buckets.iter_mut().enumerate() {
            let base = base.load(Ordering::Relaxed);
            if !base.is_null() {
                // SAFETY: allocated in `alloc_bucket` as a boxed slice of
                // exactly this length, and never freed before.
                drop(unsafe {
                    Box::from_raw(std::ptr::slice_from_raw_parts_mut(base, 1 << bucket))
                });
            }
        }
        // SAFETY: each idle object came from `Box::into_raw` and is owned
        // by the pool alone. A destructor's panic stops here: a pool may
        // be dropped by the last `Arc` anywhere, a thread-local destructor
        // included, where passing it on would abort the process. The panic
        // hook has reported it already.
        drop(unsafe { drop_all(objects) });
    }
}

/// What the unit tests of every part use.
#[cfg(all(test, not(repool_loom)))]
mod testing {
    use std::ptr::NonNull;

    pub(super) fn boxed(v: u32) -> NonNull<u32> {
        NonNull::from(Box::leak(Box::new(v)))
    }

    pub(super) fn free(p: NonNull<u32>) -> u32 {
        // SAFETY: test objects come from `boxed`.
        *unsafe { Box::from_raw(p.as_ptr()) }
    }

    /// A new core of `capacity` and `stashes` holding `n` new objects,
    /// `0..n`, returned on `slot`, each of which it must keep.
    pub(super) fn filled(capacity: usize, stashes: usize, slot: usize, n: u32) -> super::Core<u32> {
        let core = super::Core::new(capacity, stashes);
        for i in 0..n {
            // SAFETY: the core was made here and nothing else has it yet, so
            // this thread is the only one that can use `slot`.
            unsafe { core.push(super::Slot::of(slot), boxed(i)).unwrap() };
        }
        core
    }
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use std::ptr::NonNull;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize as StdAtomicUsize;

    use super::*;

    #[test]
    fn core_drop_drops_every_idle_object() {
        struct Counted(Arc<StdAtomicUsize>);
        impl Drop for Counted {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
        let drops = Arc::new(StdAtomicUsize::new(0));
        let core = Core::new(100, 2);
        for slot in 0..4 {
            for _ in 0..30 {
                let p = NonNull::from(Box::leak(Box::new(Counted(Arc::clone(&drops)))));
                // SAFETY: slots used by this thread, one at a time.
                if let Err(p) = unsafe { core.push(Slot::of(slot), p) } {
                    // SAFETY: rejected objects are ours again.
                    drop(unsafe { Box::from_raw(p.as_ptr()) });
                }
            }
        }
        drop(core);
        assert_eq!(drops.load(Ordering::Relaxed), 120);
    }
}
