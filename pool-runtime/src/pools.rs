//! [`pools`]: every pool of the process, for a metrics endpoint or a
//! debug page, read from the registry's list of storages.
//!
//! The registry lists storages, not pools, because a `Pool` value may move
//! and the registry must not point at it: a pool's single core, or each
//! size class of a buffer pool, the classes of one pool sharing one
//! `ClassShape` allocation. Listing groups those classes back into their
//! pool, in the order the pools were first used.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::Stats;
use crate::pool::{ClassStats, ceiling, class_floor, stats_of};
use crate::registry::{self, ClassShape, Registered};

/// One pool of the process, as [`pools`] lists it.
///
/// A snapshot: its `stats` are summed as [`Pool::stats`](crate::Pool::stats) sums them, close
/// while other threads work and exact once they stop.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolInfo {
    /// The pool's name: the one given by [`Pool::with_name`](crate::Pool::with_name) or
    /// `#[pooled(name = "...")]`, else its type's name
    /// ([`std::any::type_name`], e.g. `alloc::vec::Vec<u8>`), as
    /// [`Pool::name`](crate::Pool::name) returns it.
    pub name: &'static str,
    /// The most idle objects the pool keeps, as [`Pool::capacity`](crate::Pool::capacity) says:
    /// for a buffer pool, per size class.
    pub capacity: usize,
    /// What the pool has done, as [`Pool::stats`](crate::Pool::stats) reports it: for a buffer
    /// pool, summed over its classes.
    pub stats: Stats,
    /// For a buffer pool, each size class that has been used, smallest
    /// first, as [`Pool::class_stats`](crate::Pool::class_stats) reports them; empty for any other.
    pub classes: Vec<ClassStats>,
}

/// Every pool in the process that has been used and not dropped, in the
/// order of first use: the pools of derived types, of each instantiation
/// of a generic one, of the standard containers (`Vec::<u8>::pool()`, one
/// entry for all its size classes), `static` pools and `Pool` values.
///
/// A pool appears at its first use (acquire, prewarm, a setting), not when
/// it is declared, and disappears when it is dropped (the last `Arc` of a
/// shared one). Names need not be unique: two pools of one type are two
/// entries with its name unless [`Pool::with_name`](crate::Pool::with_name) tells them apart.
///
/// Off the fast path: it takes the registry's lock once to copy the list,
/// then sums each pool's counters as [`Pool::stats`](crate::Pool::stats) does, with no lock
/// held; no user code runs, except the destructors of a pool whose last
/// `Arc` another thread dropped meanwhile.
///
/// ```
/// use repool::{Pool, Pooled, pools};
///
/// static FRAMES: Pool<Vec<u8>> = Pool::new().with_name("frames").with_capacity(16);
/// drop(FRAMES.acquire());
/// drop(String::acquire_with_capacity(100));
///
/// let listed = pools();
/// let frames = listed.iter().find(|p| p.name == "frames").unwrap();
/// assert_eq!((frames.capacity, frames.stats), (16, FRAMES.stats()));
/// let strings = listed.iter().find(|p| p.name == "alloc::string::String").unwrap();
/// assert!(strings.stats.returned >= 1 && !strings.classes.is_empty());
/// ```
pub fn pools() -> Vec<PoolInfo> {
    let mut listed: Vec<PoolInfo> = Vec::new();
    // Where each buffer pool's entry is in `listed`, by its shape.
    let mut buffer_pools: Vec<(Arc<ClassShape>, usize)> = Vec::new();
    for Registered { storage, listing } in registry::listed() {
        let stats = stats_of(storage.counts());
        let Some((k, shape)) = listing.class else {
            listed.push(PoolInfo {
                name: listing.name,
                capacity: storage.capacity(),
                stats,
                classes: Vec::new(),
            });
            continue;
        };
        let at = match buffer_pools.iter().find(|(s, _)| Arc::ptr_eq(s, &shape)) {
            Some(&(_, at)) => at,
            None => {
                buffer_pools.push((Arc::clone(&shape), listed.len()));
                listed.push(PoolInfo {
                    name: listing.name,
                    capacity: shape.objects.load(Ordering::Relaxed),
                    stats: Stats::default(),
                    classes: Vec::new(),
                });
                listed.len() - 1
            }
        };
        let class = class_stats(k, &shape, storage.capacity(), stats);
        let pool = &mut listed[at];
        pool.stats.add(&class.stats);
        pool.classes.push(class);
    }
    for (_, at) in buffer_pools {
        // Classes are registered in the order of first use.
        listed[at].classes.sort_unstable_by_key(|c| c.class);
    }
    listed
}

/// Class `k`'s entry, as [`Pool::class_stats`](crate::Pool::class_stats) makes it.
fn class_stats(k: usize, shape: &ClassShape, capacity: usize, mut stats: Stats) -> ClassStats {
    let max_bytes = shape.max_bytes.load(Ordering::Relaxed);
    let per = shape.element_bytes.max(1);
    stats.idle_bytes = stats.idle.saturating_mul(ceiling(k, max_bytes));
    ClassStats {
        class: k,
        min_capacity: class_floor(k).div_ceil(per),
        max_capacity: ceiling(k, max_bytes) / per,
        capacity,
        stats,
    }
}
