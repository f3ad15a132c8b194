//! The promises of a `Pool` value and of the standard containers' pools,
//! each tested by counting objects: cross-thread accounting,
//! trim/clear/prewarm/stats, thread exit, panics, and a pool's drop. (Types
//! with `#[derive(Pooled)]` are tested from the facade: `tests/runtime_pool.rs`,
//! `tests/stress.rs`, `tests/faults*.rs`.)

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
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
        let producers: Vec<_> = (0..2)
            .map(|p| {
                let tx = tx.clone();
                let pool = &pool;
                s.spawn(move || {
                    for i in 0..per_producer {
                        let mut g = pool.acquire();
                        g.data.push((i + p) as u8);
                        tx.send(g).unwrap();
                    }
                })
            })
            .collect();
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
        // Joined, not left to the scope: a thread hands its cache back in its
        // thread-local destructors, which run after the scope stops waiting
        // for it but before `join` returns.
        for producer in producers {
            producer.join().unwrap();
        }
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
