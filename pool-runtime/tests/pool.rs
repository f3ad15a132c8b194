//! The pool's promises, each tested by counting objects: the idle bound
//! after a burst, cross-thread accounting, trim/clear/prewarm/stats, thread
//! exit, panics, and thread-local teardown.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;

use pool_runtime::{Guard, Pool, Pooled, Reset, Stats};

/// Scales loop counts down under Miri, which is ~1000x slower.
fn n(full: usize) -> usize {
    if cfg!(miri) {
        (full / 100).max(2)
    } else {
        full
    }
}

/// Objects that count how many of them exist.
struct Tracked {
    live: Arc<AtomicUsize>,
    data: Vec<u8>,
}

impl Tracked {
    fn new(live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        Self {
            live: Arc::clone(live),
            data: Vec::new(),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Reset for Tracked {
    fn reset(&mut self) {
        self.data.clear();
    }
}

/// A `Tracked` type with a static pool of its own, built by a `fn()`.
macro_rules! tracked_type {
    ($name:ident, $live:ident, $capacity:expr) => {
        static $live: std::sync::LazyLock<Arc<AtomicUsize>> =
            std::sync::LazyLock::new(Default::default);
        struct $name(Tracked);
        impl Reset for $name {
            fn reset(&mut self) {
                self.0.reset();
            }
        }
        impl Pooled for $name {
            fn pool() -> &'static Pool<Self> {
                static POOL: Pool<$name> =
                    Pool::from_fn(|| $name(Tracked::new(&$live))).with_capacity($capacity);
                &POOL
            }
        }
    };
}

#[test]
fn a_burst_leaves_at_most_capacity_objects_alive() {
    tracked_type!(Burst, BURST_LIVE, 1024);
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
    let live = BURST_LIVE.load(Ordering::SeqCst);
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

#[test]
fn objects_dropped_on_other_threads_are_all_accounted_for() {
    static LIVE: std::sync::LazyLock<Arc<AtomicUsize>> = std::sync::LazyLock::new(Default::default);
    fn make() -> Tracked {
        Tracked::new(&LIVE)
    }
    let pool = Pool::from_fn(make).with_capacity(64);
    let per_producer = n(5_000);
    let outstanding = thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<Guard<Tracked, &Pool<Tracked>>>(16);
        for p in 0..2 {
            let tx = tx.clone();
            let pool = &pool;
            s.spawn(move || {
                for i in 0..per_producer {
                    let mut g = pool.acquire();
                    g.data.push((i + p) as u8);
                    tx.send(g).unwrap();
                }
            });
        }
        drop(tx);
        let consumer = s.spawn(move || {
            let mut kept = Vec::new();
            for (i, g) in rx.into_iter().enumerate() {
                assert_eq!(
                    g.data.len(),
                    1,
                    "a received object holds exactly what its producer wrote"
                );
                // Keep a few outstanding to check the identity with guards alive.
                if i % 500 == 0 { kept.push(g) } else { drop(g) }
            }
            kept
        });
        consumer.join().unwrap()
    });
    let s = pool.stats();
    let alive = LIVE.load(Ordering::SeqCst);
    assert_eq!(s.acquired as usize, 2 * per_producer);
    let dropped = s.discarded + s.trimmed + s.detached;
    assert_eq!(s.built, alive as u64 + dropped, "built = dropped + alive");
    assert_eq!(
        alive,
        s.idle + outstanding.len(),
        "alive = idle + outstanding"
    );
    assert!(s.idle <= 64);
    assert!(s.reused > 0, "producers reuse what the consumer returned");
    drop(outstanding);
    assert_eq!(LIVE.load(Ordering::SeqCst), pool.stats().idle);
}

#[test]
fn trim_is_a_victim_cache_and_clear_empties() {
    let pool = Pool::<Vec<u8>>::new();
    let guards: Vec<_> = (0..10).map(|_| pool.acquire()).collect();
    drop(guards);
    assert_eq!(pool.stats().idle, 10);
    pool.trim();
    assert_eq!(pool.stats().idle, 10, "idle objects survive one trim");
    // Reuse 3 of them: they are no longer idle since that trim.
    let reused: Vec<_> = (0..3).map(|_| pool.acquire()).collect();
    drop(reused);
    pool.trim();
    let s = pool.stats();
    assert_eq!(
        s.idle, 3,
        "only the objects used since the last trim survive"
    );
    assert_eq!(s.trimmed, 7);
    pool.clear();
    let s = pool.stats();
    assert_eq!((s.idle, s.trimmed), (0, 10));
    // Still usable, and builds again.
    drop(pool.acquire());
    assert_eq!(pool.stats().built, 11);
}

#[test]
fn trim_and_clear_reach_other_threads_caches_at_their_next_use() {
    let pool = Arc::new(Pool::<String>::new());
    let (go, wait) = mpsc::channel::<()>();
    let (done, finished) = mpsc::channel::<()>();
    let worker = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || {
            drop(pool.acquire());
            done.send(()).unwrap();
            wait.recv().unwrap();
            // The next use catches up with the clear and finds nothing.
            drop(pool.acquire());
            done.send(()).unwrap();
            wait.recv().unwrap();
        })
    };
    finished.recv().unwrap();
    assert_eq!(pool.stats().idle, 1, "in the worker's private cache");
    pool.clear();
    go.send(()).unwrap();
    finished.recv().unwrap();
    let s = pool.stats();
    assert_eq!((s.trimmed, s.built, s.reused), (1, 2, 0));
    go.send(()).unwrap();
    worker.join().unwrap();
}

#[test]
fn prewarm_builds_ahead_and_never_past_capacity() {
    let pool = Pool::<Vec<u8>>::new().with_capacity(20);
    assert_eq!(pool.prewarm(15), 15);
    assert_eq!(pool.prewarm(15), 5);
    assert_eq!(pool.prewarm(15), 0);
    let s = pool.stats();
    assert_eq!((s.built, s.idle), (20, 20));
    let guards: Vec<_> = (0..20).map(|_| pool.acquire()).collect();
    assert_eq!(
        pool.stats().reused,
        20,
        "prewarmed objects serve the first acquires"
    );
    drop(guards);
}

#[test]
fn stats_count_every_outcome() {
    struct Fussy(Vec<u8>);
    impl Reset for Fussy {
        fn reset(&mut self) {
            self.0.clear();
        }
        fn is_oversized(&self) -> bool {
            self.0.capacity() > 1024
        }
    }
    fn make() -> Fussy {
        Fussy(Vec::new())
    }
    let pool = Pool::from_fn(make).with_capacity(2);
    let a = pool.acquire();
    let b = pool.acquire();
    let c = pool.acquire();
    drop((a, b, c)); // 2 kept, 1 over capacity
    let mut big = pool.acquire();
    big.0.reserve(4096);
    drop(big); // oversized
    let d = pool.acquire();
    Guard::discard(d);
    let e = pool.acquire();
    let detached: Fussy = Guard::detach(e);
    drop(detached);
    let s = pool.stats();
    let Stats {
        acquired,
        reused,
        built,
        returned,
        discarded,
        ..
    } = s;
    assert_eq!(
        (acquired, reused, built, returned, discarded),
        (6, 2, 4, 2, 3)
    );
    assert_eq!(
        (
            s.over_capacity,
            s.oversized,
            s.reset_panicked,
            s.user_discarded
        ),
        (1, 1, 0, 1)
    );
    assert_eq!((s.detached, s.trimmed, s.idle), (1, 0, 0));
    assert_eq!(s.hit_rate(), 2.0 / 6.0);
}

#[test]
fn capacity_zero_keeps_nothing() {
    let pool = Pool::<String>::new().with_capacity(0);
    drop(pool.acquire());
    drop(pool.acquire());
    let s = pool.stats();
    assert_eq!((s.built, s.idle, s.over_capacity), (2, 0, 2));
    assert_eq!(pool.prewarm(5), 0);
}

#[test]
fn an_exiting_thread_hands_its_cache_back() {
    let pool = Arc::new(Pool::<Vec<u8>>::new());
    let worker = {
        let pool = Arc::clone(&pool);
        thread::spawn(move || {
            let guards: Vec<_> = (0..10).map(|_| pool.acquire()).collect();
            drop(guards);
        })
    };
    worker.join().unwrap();
    assert_eq!(pool.stats().idle, 10, "nothing lost");
    let guards: Vec<_> = (0..10).map(|_| pool.acquire()).collect();
    let s = pool.stats();
    assert_eq!(
        (s.reused, s.built),
        (10, 10),
        "this thread reuses the exited thread's objects"
    );
    drop(guards);
}

#[test]
fn a_guard_dropped_during_a_panic_returns_its_object() {
    let pool = Pool::<Vec<u8>>::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut g = pool.acquire();
        g.extend_from_slice(b"half-written");
        panic!("handler failed");
    }));
    assert!(result.is_err());
    let s = pool.stats();
    assert_eq!((s.returned, s.idle), (1, 1));
    assert!(pool.acquire().is_empty(), "and it was reset");
}

static PANICKY_RESETS: AtomicBool = AtomicBool::new(false);

#[derive(Default)]
struct Panicky(Vec<u8>);

impl Reset for Panicky {
    fn reset(&mut self) {
        if PANICKY_RESETS.load(Ordering::SeqCst) {
            panic!("reset failed");
        }
        self.0.clear();
    }
}

#[test]
fn a_panicking_reset_discards_the_object_and_the_pool_goes_on() {
    // One test owns `PANICKY_RESETS`, so they do not race.
    let pool = Pool::<Panicky>::new();
    drop(pool.acquire());
    PANICKY_RESETS.store(true, Ordering::SeqCst);
    // Not unwinding: the reset's panic reaches the caller.
    let g = pool.acquire();
    let err = catch_unwind(AssertUnwindSafe(move || drop(g))).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"reset failed"));
    assert_eq!(pool.stats().reset_panicked, 1);
    assert_eq!(pool.stats().idle, 0, "the object was not kept");
    // Already unwinding: a second panic would abort; the pool swallows it.
    let err = catch_unwind(AssertUnwindSafe(|| {
        let _g = pool.acquire();
        panic!("first");
    }))
    .unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"first"));
    assert_eq!(pool.stats().reset_panicked, 2);
    PANICKY_RESETS.store(false, Ordering::SeqCst);
    drop(pool.acquire());
    let s = pool.stats();
    assert_eq!(
        (s.idle, s.returned, s.built),
        (1, 2, 3),
        "consistent and usable"
    );
}

struct HeldInTls;

impl Reset for HeldInTls {
    fn reset(&mut self) {}
}

impl Pooled for HeldInTls {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<HeldInTls> = Pool::from_fn(|| HeldInTls);
        &POOL
    }
}

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

#[test]
fn guards_are_one_pointer_for_pooled_types() {
    assert_eq!(size_of::<Guard<Vec<u8>>>(), size_of::<usize>());
    assert_eq!(size_of::<Option<Guard<Vec<u8>>>>(), size_of::<usize>());
    assert_eq!(
        size_of::<Guard<Vec<u8>, &Pool<Vec<u8>>>>(),
        2 * size_of::<usize>()
    );
}

#[test]
fn guard_traits_follow_t() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Guard<Vec<u8>>>();
    send_sync::<Guard<String, &Pool<String>>>();
    send_sync::<Pool<Vec<u8>>>();
    let mut g = String::acquire();
    g.push_str("shown");
    assert_eq!(format!("{g:?} {g}"), "\"shown\" shown");
    assert_eq!(AsRef::<String>::as_ref(&g), "shown");
    AsMut::<String>::as_mut(&mut g).push('!');
    assert_eq!(g.as_str(), "shown!");
}

#[test]
fn std_containers_have_one_pool_per_concrete_type() {
    let bytes = Vec::<u8>::pool() as *const Pool<Vec<u8>> as usize;
    let words = Vec::<u32>::pool() as *const Pool<Vec<u32>> as usize;
    assert_ne!(bytes, words);
    assert!(
        std::ptr::eq(Vec::<u8>::pool(), Vec::<u8>::pool()),
        "found again, not made again"
    );
    let before = HashMap::<String, u8>::pool().stats().acquired;
    let mut m = HashMap::<String, u8>::acquire();
    m.insert("k".into(), 1);
    drop(m);
    let m = HashMap::<String, u8>::acquire();
    assert!(m.is_empty() && m.capacity() >= 1);
    assert_eq!(HashMap::<String, u8>::pool().stats().acquired, before + 2);
    let _ = HashSet::<u8>::acquire();
}

#[test]
fn many_types_in_the_registry_stay_distinct() {
    // Enough types to grow the registry's table a few times.
    macro_rules! probe {
        ($($t:ty),*) => {$(
            let p = <Vec<$t>>::pool();
            assert!(std::ptr::eq(p, <Vec<$t>>::pool()));
            drop(<Vec<$t>>::acquire());
        )*};
    }
    probe!(
        i8,
        i16,
        i32,
        i64,
        i128,
        u16,
        u64,
        u128,
        f32,
        f64,
        bool,
        char,
        (),
        (u8, u8),
        [u8; 3],
        String
    );
    probe!(
        Vec<u8>,
        Option<u8>,
        Option<u16>,
        Option<u32>,
        Box<u8>,
        Box<u16>,
        (u16, u8),
        (u32, u8)
    );
}

#[test]
fn a_dropped_pool_drops_its_idle_objects() {
    static LIVE: std::sync::LazyLock<Arc<AtomicUsize>> = std::sync::LazyLock::new(Default::default);
    fn make() -> Tracked {
        Tracked::new(&LIVE)
    }
    let pool = Pool::from_fn(make);
    let guards: Vec<_> = (0..100).map(|_| pool.acquire()).collect();
    drop(guards);
    assert_eq!(LIVE.load(Ordering::SeqCst), 100);
    drop(pool);
    assert_eq!(LIVE.load(Ordering::SeqCst), 0);
}

/// A pooled object whose destructor returns a guard of its own pool: the
/// pool must stay consistent when trimming drops it on the same thread.
struct Node {
    child: Option<Guard<Node>>,
}

impl Reset for Node {
    fn reset(&mut self) {
        // Keeps its child across reuse on purpose, so that a trimmed Node
        // drops a guard while the pool is in the middle of catching up.
    }
}

impl Pooled for Node {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<Node> = Pool::from_fn(|| Node { child: None });
        &POOL
    }
}

#[test]
fn destructors_that_return_objects_to_the_same_pool_are_safe() {
    let worker = thread::spawn(|| {
        for _ in 0..3 {
            let mut parent = Node::acquire();
            parent.child = Some(Node::acquire());
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

/// What `#[derive(Pooled)]` writes for a non-generic type: a thread-local
/// that remembers the thread's cache in the pool.
struct Cached(u64);

impl Reset for Cached {
    fn reset(&mut self) {
        self.0 = 0;
    }
}

impl Pooled for Cached {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<Cached> = Pool::from_fn(|| Cached(0)).with_capacity(64);
        &POOL
    }

    fn __local_cache()
    -> Option<&'static std::thread::LocalKey<pool_runtime::__private::LocalCache<Self>>> {
        thread_local! {
            static CACHE: pool_runtime::__private::LocalCache<Cached> =
                const { pool_runtime::__private::LocalCache::new() };
        }
        Some(&CACHE)
    }
}

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
fn a_dropped_pool_drops_every_object_and_swallows_a_destructor_panic() {
    static LIVE: std::sync::LazyLock<Arc<AtomicUsize>> = std::sync::LazyLock::new(Default::default);
    static PANICKED: AtomicBool = AtomicBool::new(false);
    struct Fragile(#[allow(dead_code, reason = "held for its Drop")] Tracked);
    impl Reset for Fragile {
        fn reset(&mut self) {}
    }
    impl Drop for Fragile {
        fn drop(&mut self) {
            if !PANICKED.swap(true, Ordering::SeqCst) {
                panic!("first destructor fails");
            }
        }
    }
    fn make() -> Fragile {
        Fragile(Tracked::new(&LIVE))
    }
    let pool = Pool::from_fn(make);
    let guards: Vec<_> = (0..10).map(|_| pool.acquire()).collect();
    drop(guards);
    // A pool may be dropped by the last `Arc` anywhere, a thread-local
    // destructor included, where a panic aborts: the panic stops there.
    let dropped = catch_unwind(AssertUnwindSafe(move || drop(pool)));
    assert!(dropped.is_ok(), "a pool's drop never unwinds");
    assert!(PANICKED.load(Ordering::SeqCst), "the destructor did panic");
    assert_eq!(
        LIVE.load(Ordering::SeqCst),
        0,
        "the other nine were dropped too"
    );
}
