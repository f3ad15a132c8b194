//! The pool's promises for types with `#[derive(Pooled)]`, each tested by
//! counting objects: the idle bound after a burst, guards dropped while
//! thread-locals are torn down, destructors that return guards, and a
//! thread's slot handed on while the thread-local cache pointer the derive
//! declares still remembers it. (What a `Pool` value or a standard
//! container's pool promises is tested in `pool-runtime/tests/pool.rs`.)

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;

use repool::{Guard, Pooled};

/// Scales loop counts down under Miri, which is ~1000x slower.
fn n(full: usize) -> usize {
    if cfg!(miri) {
        (full / 100).max(2)
    } else {
        full
    }
}

static BURST_LIVE: AtomicUsize = AtomicUsize::new(0);

/// Counts how many of it exist.
#[derive(Pooled)]
#[pooled(new = Self::counted, capacity = 1024)]
struct Burst {
    data: Vec<u8>,
}

impl Burst {
    fn counted() -> Self {
        BURST_LIVE.fetch_add(1, SeqCst);
        Self { data: Vec::new() }
    }
}

impl Drop for Burst {
    fn drop(&mut self) {
        BURST_LIVE.fetch_sub(1, SeqCst);
    }
}

#[test]
fn a_burst_leaves_at_most_capacity_objects_alive() {
    let threads = 8;
    let held = n(2_000);
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let guards: Vec<Guard<Burst>> = (0..held).map(|_| Burst::acquire()).collect();
                // Everyone holds their share at once before letting go.
                barrier.wait();
                drop(guards);
                // Threads stay alive until all have let go, so caches are
                // still private when we count.
                barrier.wait();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let live = BURST_LIVE.load(SeqCst);
    let stats = Burst::pool().stats();
    assert_eq!(
        stats.built as usize,
        threads * held,
        "every held object was a distinct build"
    );
    assert!(
        live <= 1024.min(threads * held),
        "{live} objects alive after the burst"
    );
    assert_eq!(live, stats.idle, "everything alive is idle in the pool");
    assert_eq!(stats.over_capacity as usize, threads * held - live);
    if !cfg!(miri) {
        assert_eq!(live, 1024, "the pool keeps what it may");
    }
}

#[derive(Pooled, Default)]
struct HeldInTls;

thread_local! {
    static HELD: RefCell<Vec<Guard<HeldInTls>>> = const { RefCell::new(Vec::new()) };
}

#[test]
fn a_guard_dropped_while_thread_locals_are_torn_down_is_returned() {
    let worker = thread::spawn(|| {
        // Use the pool first, so the slot's lease is destroyed before or
        // after `HELD`: either order must work.
        drop(HeldInTls::acquire());
        HELD.with(|held| {
            held.borrow_mut()
                .extend((0..3).map(|_| HeldInTls::acquire()))
        });
    });
    worker.join().unwrap();
    let s = HeldInTls::pool().stats();
    assert_eq!(s.acquired, 4);
    assert_eq!(s.returned + s.discarded, 4, "every guard came back: {s:?}");
    assert_eq!(
        s.idle, 3,
        "kept, through the thread's cache or the shared layer"
    );
}

/// A pooled object whose destructor returns a guard of its own pool: the
/// pool must stay consistent when trimming drops it on the same thread.
#[derive(Pooled, Default)]
struct Node {
    /// Kept across reuse on purpose, so that a trimmed `Node` drops a guard
    /// while the pool is in the middle of catching up. A `Guard<Node>`,
    /// boxed as `dyn Send`: the derive refuses a field of type
    /// `Guard<Self>` (proving the field `Send` needs `Self: Pooled`, which
    /// needs the field `Send`: E0275).
    #[pooled(skip)]
    child: Option<Box<dyn Send>>,
}

#[test]
fn destructors_that_return_objects_to_the_same_pool_are_safe() {
    let worker = thread::spawn(|| {
        for _ in 0..3 {
            let mut parent = Node::acquire();
            parent.child = Some(Box::new(Node::acquire()));
            drop(parent);
            // Another thread's trims make this thread catch up (and drop
            // the parent, whose child guard comes back) at its next acquire.
            thread::spawn(|| {
                Node::pool().trim();
                Node::pool().trim();
            })
            .join()
            .unwrap();
            let again = Node::acquire();
            drop(again);
        }
    });
    worker.join().unwrap();
    let s = Node::pool().stats();
    let dropped = s.discarded + s.trimmed + s.detached;
    let outstanding = s.acquired - s.returned - s.discarded - s.detached;
    assert_eq!(outstanding, 0, "{s:?}");
    assert!(s.idle as u64 <= s.built - dropped, "{s:?}");
    // Every object is idle or dropped; the pool lost track of none.
    assert_eq!(s.built - dropped, s.idle as u64, "{s:?}");
}

#[derive(Pooled, Default)]
#[pooled(capacity = 64)]
struct Cached(u64);

thread_local! {
    static HELD_CACHED: RefCell<Vec<Guard<Cached>>> = const { RefCell::new(Vec::new()) };
}

#[test]
fn a_remembered_cache_is_forgotten_before_its_slot_is_reused() {
    // Short-lived threads, two at a time, so slots are handed from exiting
    // threads to new ones while the exiting ones still drop guards from
    // their thread-local destructors, after their lease emptied the cache.
    let rounds = n(200);
    for _ in 0..rounds {
        let pair: Vec<_> = (0..2)
            .map(|i| {
                thread::spawn(move || {
                    for k in 0..5 {
                        let mut g = Cached::acquire();
                        assert_eq!(g.0, 0, "reset before reuse");
                        g.0 = k + 1;
                    }
                    HELD_CACHED.with(|held| {
                        held.borrow_mut().extend((0..2).map(|_| Cached::acquire()));
                    });
                    if i == 0 {
                        drop(Cached::acquire());
                    }
                })
            })
            .collect();
        for t in pair {
            t.join().unwrap();
        }
    }
    let s = Cached::pool().stats();
    assert_eq!(
        s.acquired,
        s.returned + s.discarded,
        "every guard came back: {s:?}"
    );
    assert!(s.idle <= 64);
    assert!(
        s.reused > s.built,
        "threads reuse each other's objects: {s:?}"
    );
}

#[test]
fn in_use_counts_the_guards_alive() {
    #[derive(Pooled, Default)]
    struct Held {
        bytes: Vec<u8>,
    }
    let held: Vec<_> = (0..5).map(|_| Held::acquire()).collect();
    assert_eq!(Held::pool().stats().in_use, 5);
    let mut held = held.into_iter();
    let _mine: Held = Guard::detach(held.next().unwrap());
    Guard::discard(held.next().unwrap());
    drop(held.next());
    let s = Held::pool().stats();
    assert_eq!(s.in_use, 2, "{s:?}");
    drop(held);
    assert_eq!(Held::pool().stats().in_use, 0);

    // A buffer that grows leaves its class for another: the pool's total
    // still counts it once.
    let pool = repool::Pool::<Vec<u8>>::buffers();
    let mut grows = pool.acquire_with_capacity(100);
    let stays = pool.acquire_with_capacity(100);
    assert_eq!(pool.stats().in_use, 2);
    grows.reserve(10_000);
    drop(grows);
    assert_eq!(pool.stats().in_use, 1);
    drop(stays);
    assert_eq!(pool.stats().in_use, 0);
}
