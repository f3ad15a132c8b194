//! Buffer pools: size classes, the byte bound, run-time settings.
//!
//! Tests run in parallel threads of one process and the standard buffers'
//! pools are process-wide, so each test owns its buffer types (or uses a
//! value pool of its own) and reads only their stats.

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::CountingAlloc;
use repool::{Buffer, DEFAULT_MAX_IDLE_BYTES, Guard, Pool, Pooled};
use std::collections::{BinaryHeap, VecDeque};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::PER_THREAD;

/// The class `Pool::class_stats` reports a buffer of `capacity` elements in.
fn class_of<T: Buffer + Pooled>(pool: &Pool<T>, capacity: usize) -> repool::ClassStats {
    pool.class_stats()
        .into_iter()
        .find(|c| c.min_capacity <= capacity && capacity <= c.max_capacity)
        .unwrap_or_else(|| panic!("no class holds capacity {capacity}"))
}

#[test]
fn a_request_is_served_from_the_first_class_that_holds_it() {
    // requested bytes -> (class, capacity of a new buffer)
    let table: &[(usize, usize, usize)] = &[
        (0, 0, 0),
        (1, 0, 64),
        (64, 0, 64),
        (65, 1, 128),
        (128, 1, 128),
        (129, 2, 256),
        (1000, 4, 1024),
        (4096, 6, 4096),
        (4097, 7, 8192),
        (1 << 20, 14, 1 << 20),
    ];
    let pool = Pool::<Vec<u8>>::buffers();
    for &(n, class, capacity) in table {
        let buf = pool.acquire_with_capacity(n);
        assert!(buf.capacity() >= n, "{n}: capacity {} < n", buf.capacity());
        assert_eq!(buf.capacity(), capacity, "a new buffer for {n} bytes");
        drop(buf);
        let c = class_of(&pool, capacity);
        assert_eq!(c.class, class, "{n} bytes");
        assert!(
            c.stats.idle >= 1,
            "{n} bytes: the buffer went back to class {class}"
        );
    }
    // Served from the class: no new buffer for any size already seen.
    let built = pool.stats().built;
    for &(n, ..) in table {
        assert!(pool.acquire_with_capacity(n).capacity() >= n);
    }
    assert_eq!(pool.stats().built, built, "every request found its class");
    // Elements, not bytes, for wider types.
    let wide = Pool::<Vec<u64>>::buffers();
    let buf = wide.acquire_with_capacity(100);
    assert_eq!(
        buf.capacity(),
        128,
        "100 u64 = 800 bytes: the 1024-byte class"
    );
}

#[test]
fn every_buffer_type_has_classes_through_its_own_pool() {
    let text = String::acquire_with_capacity(300);
    assert!(text.capacity() >= 300);
    let queue = VecDeque::<u8>::acquire_with_capacity(5000);
    assert!(queue.capacity() >= 5000);
    let ids = Vec::<u32>::acquire_with_capacity(1000);
    assert!(ids.capacity() >= 1000);
    // Through the registry: no thread-local fast path, same classes.
    let heap = BinaryHeap::<i128>::acquire_with_capacity(50);
    assert!(heap.capacity() >= 50);
    let odd = Vec::<[u8; 3]>::acquire_with_capacity(100);
    assert!(odd.capacity() >= 100);
    drop((text, queue, ids, heap, odd));
    assert_eq!(class_of(String::pool(), 512).stats.idle, 1);
    assert_eq!(class_of(VecDeque::<u8>::pool(), 8192).stats.idle, 1);
    assert_eq!(class_of(Vec::<u32>::pool(), 1024).stats.idle, 1);
    assert_eq!(BinaryHeap::<i128>::pool().stats().idle, 1);
    assert_eq!(Vec::<[u8; 3]>::pool().stats().idle, 1);
    assert!(Vec::<[u8; 3]>::acquire_with_capacity(100).capacity() >= 100);
    assert_eq!(Vec::<[u8; 3]>::pool().stats().reused, 1);
}

#[test]
fn a_buffer_that_grew_moves_up_and_one_past_the_largest_class_is_dropped() {
    let pool = Pool::<Vec<u8>>::buffers();
    let mut buf = pool.acquire_with_capacity(100);
    buf.resize(10_000, 7);
    let grown = buf.capacity();
    drop(buf);
    assert_eq!(
        class_of(&pool, 128).stats.idle,
        0,
        "not back in its first class"
    );
    assert_eq!(
        class_of(&pool, grown).stats.idle,
        1,
        "in the class of its capacity"
    );
    // A small request never gets the big buffer.
    assert_eq!(pool.acquire_with_capacity(100).capacity(), 128);

    let mut huge = pool.acquire_with_capacity(10);
    huge.reserve(4 << 20);
    drop(huge);
    let s = pool.stats();
    assert_eq!(s.oversized, 1, "past the default 1 MiB: dropped");
    assert_eq!(s.idle, 2, "the 128- and 16 KiB buffers");
    // A request past the largest class is made exactly and not kept.
    let big = pool.acquire_with_capacity(3 << 20);
    assert_eq!(big.capacity(), 3 << 20);
    drop(big);
    assert_eq!(pool.stats().oversized, 2);
}

#[test]
fn plain_acquire_takes_the_smallest_cached_buffer() {
    let pool = Pool::<Vec<u8>>::buffers();
    let mut a = pool.acquire();
    assert_eq!(a.capacity(), 0, "an empty buffer from class 0");
    a.resize(5000, 1);
    let mut b = pool.acquire();
    b.resize(300, 1);
    drop((a, b));
    // The 300-byte buffer first, then the 5000-byte one, then a new one.
    assert!((300..1024).contains(&pool.acquire().capacity()));
    let first = pool.acquire();
    let second = pool.acquire();
    assert!(first.capacity() >= 300);
    assert!(first.capacity() < second.capacity() || second.capacity() == 0);
    // Through the type's own pool, with the thread-local caches.
    let mut line = String::acquire();
    line.push_str(&"x".repeat(2000));
    drop(line);
    assert!(
        String::acquire().capacity() >= 2000,
        "reused though it grew"
    );
}

#[test]
fn setters_after_first_use_take_effect_at_once() {
    let pool = Vec::<u16>::pool();
    let held: Vec<_> = (0..5)
        .map(|_| Vec::<u16>::acquire_with_capacity(100 << 10))
        .collect();
    let small: Vec<_> = (0..20)
        .map(|_| Vec::<u16>::acquire_with_capacity(10))
        .collect();
    drop(held);
    drop(small);
    assert_eq!(pool.stats().idle, 25);

    // Smaller largest buffer: the 200 KiB class goes, at once.
    assert_eq!(pool.max_capacity(), Some(512 << 10));
    pool.set_max_capacity(1 << 10);
    assert_eq!(pool.max_capacity(), Some(1 << 10));
    let s = pool.stats();
    assert_eq!(s.idle, 20, "only the small buffers stay");
    let mut big = Vec::<u16>::acquire_with_capacity(10);
    big.reserve(2000);
    drop(big);
    assert_eq!(pool.stats().oversized, 1);

    // Fewer idle bytes: the small class shrinks to fit.
    pool.set_max_idle_bytes(1 << 10);
    assert_eq!(pool.max_idle_bytes(), 1 << 10);
    let s = pool.stats();
    assert!(s.idle_bytes <= 1 << 10, "{s:?}");
    assert!(s.idle < 20);

    // Fewer objects per class.
    pool.set_max_idle_bytes(DEFAULT_MAX_IDLE_BYTES);
    let again: Vec<_> = (0..20)
        .map(|_| Vec::<u16>::acquire_with_capacity(10))
        .collect();
    drop(again);
    pool.set_capacity(3);
    assert_eq!(pool.capacity(), 3);
    assert_eq!(pool.stats().idle, 3);
    for class in pool.class_stats() {
        assert!(class.capacity <= 3);
    }
}

#[test]
fn a_pool_without_a_size_limit_keeps_its_books_and_its_budget() {
    // `usize::MAX` is "no limit": classes up to the largest buffer a request
    // can name, and the byte budget split between them all, so a class of
    // 1 MiB buffers gets no share of it. This panicked (an overflow computing
    // the largest class's ceiling) in debug builds.
    let pool = Pool::<Vec<u8>>::buffers();
    pool.set_max_capacity(usize::MAX);
    assert_eq!(pool.max_capacity(), None, "no limit");
    drop(pool.acquire_with_capacity(100));
    drop(pool.acquire_with_capacity(1 << 20));
    let s = pool.stats();
    assert_eq!((s.idle, s.over_capacity, s.oversized), (1, 1, 0), "{s:?}");
    assert!(s.idle_bytes <= pool.max_idle_bytes(), "{s:?}");
    for class in pool.class_stats() {
        assert!(class.stats.idle <= class.capacity, "{class:?}");
    }
}

#[test]
fn a_value_pool_made_with_new_is_one_pool_for_every_size() {
    let pool = Pool::<Vec<u8>>::new();
    let mut buf = pool.acquire();
    buf.reserve(1 << 20);
    drop(buf);
    assert!(
        pool.acquire().capacity() >= 1 << 20,
        "the Go pattern: any size to anyone"
    );
    assert!(pool.class_stats().is_empty());
    assert_eq!(pool.stats().idle_bytes, 0);
    assert_eq!(pool.max_capacity(), None);
    assert_eq!(pool.max_idle_bytes(), usize::MAX);
}

#[test]
fn a_derived_pool_drops_its_idle_objects_when_its_limit_goes_down() {
    #[derive(Pooled, Default)]
    #[pooled(crate = repool)]
    struct Frame {
        payload: Vec<u8>,
    }
    let held: Vec<_> = (0..5).map(|_| Frame::acquire()).collect();
    drop(held);
    assert_eq!(Frame::pool().stats().idle, 5);
    assert_eq!(Frame::pool().max_capacity(), None);
    Frame::pool().set_max_capacity(1 << 20);
    assert_eq!(
        Frame::pool().stats().idle,
        0,
        "a limit where there was none clears"
    );
    drop((0..5).map(|_| Frame::acquire()).collect::<Vec<_>>());
    Frame::pool().set_max_capacity(1 << 21);
    assert_eq!(
        Frame::pool().stats().idle,
        5,
        "a higher limit drops nothing"
    );
    Frame::pool().set_max_capacity(4096);
    assert_eq!(Frame::pool().max_capacity(), Some(4096));
    assert_eq!(Frame::pool().stats().idle, 0, "a lower limit clears");
}

#[test]
fn a_buffer_detached_or_discarded_is_counted_in_its_class() {
    let pool = Vec::<i64>::pool();
    let kept = Vec::<i64>::acquire_with_capacity(1000);
    let gone = Vec::<i64>::acquire_with_capacity(10);
    let (big, small) = (kept.capacity(), gone.capacity());
    let _mine: Vec<i64> = Guard::detach(kept);
    Guard::discard(gone);
    assert_eq!(class_of(pool, big).stats.detached, 1);
    assert_eq!(class_of(pool, small).stats.user_discarded, 1);
    assert_ne!(class_of(pool, big).class, class_of(pool, small).class);
}

#[test]
fn zero_sized_elements_live_in_class_zero() {
    let pool = Pool::<Vec<()>>::buffers();
    let mut units = pool.acquire_with_capacity(1000);
    units.extend(std::iter::repeat_n((), 1000));
    drop(units);
    let s = pool.stats();
    assert_eq!((s.idle, s.oversized), (1, 0));
    assert_eq!(pool.class_stats()[0].class, 0);
}

#[test]
fn set_max_capacity_replaces_a_derived_field_limit_at_run_time() {
    #[derive(Pooled, Default)]
    #[pooled(crate = repool)]
    struct Line {
        #[pooled(max_capacity = 4096)]
        text: String,
    }
    let mut line = Line::acquire();
    line.text.reserve(1000);
    drop(line);
    assert_eq!(
        Line::pool().stats().oversized,
        0,
        "within the attribute's 4096"
    );
    Line::pool().set_max_capacity(100);
    let mut line = Line::acquire();
    line.text.reserve(1000);
    drop(line);
    assert_eq!(Line::pool().stats().oversized, 1, "over the run-time 100");
    let mut line = Line::acquire();
    line.text.reserve(50);
    drop(line);
    assert_eq!(Line::pool().stats().idle, 1, "a small one is kept");
}

#[test]
fn lowering_max_capacity_drops_the_buffers_of_its_class_over_the_new_limit() {
    let pool = Pool::<Vec<u8>>::buffers();
    let held: Vec<_> = (0..4)
        .map(|_| {
            let mut b = pool.acquire_with_capacity(100);
            b.reserve_exact(900 << 10);
            assert_eq!(b.capacity(), 900 << 10);
            b
        })
        .collect();
    drop(held);
    // 600 KiB and 900 KiB share a class, [512 KiB, 1 MiB).
    let class = class_of(&pool, 600 << 10);
    assert_eq!(class.stats.idle, 4, "{class:?}");

    // 700 KiB falls inside the same class: its count alone would let the
    // 900 KiB buffers stay, over the limit and over the bytes counted.
    pool.set_max_capacity(700 << 10);
    let class = class_of(&pool, 600 << 10);
    assert_eq!(class.max_capacity, 700 << 10);
    assert_eq!(class.stats.idle, 0, "{class:?}");
    let again = pool.acquire_with_capacity(600 << 10);
    assert!(again.capacity() <= 700 << 10, "{}", again.capacity());
}

#[test]
fn a_hand_off_of_128_buffers_of_4_kib_in_flight_allocates_only_while_it_fills() {
    // Filled on one thread, dropped on another, through a bounded channel:
    // the class must keep what is in flight plus what the two threads'
    // caches hold, or it drops buffers that the producer then rebuilds.
    static POOL: Pool<Vec<u8>> = Pool::buffers();
    const IN_FLIGHT: usize = if cfg!(miri) { 16 } else { 128 };
    let items = IN_FLIGHT * if cfg!(miri) { 8 } else { 200 };
    let (tx, rx) = std::sync::mpsc::sync_channel::<Guard<Vec<u8>, &Pool<Vec<u8>>>>(IN_FLIGHT);
    let consumer = std::thread::spawn(move || rx.iter().map(|b| b.len()).sum::<usize>());
    for _ in 0..items {
        let mut buf = POOL.acquire_with_capacity(4096);
        buf.resize(4096, 1);
        tx.send(buf).unwrap();
    }
    drop(tx);
    assert_eq!(consumer.join().unwrap(), items * 4096);
    let s = POOL.stats();
    assert_eq!(s.over_capacity, 0, "nothing refused: {s:?}");
    // In flight, one on each side, and the consumer's cache.
    assert!(s.built <= (IN_FLIGHT + 40) as u64, "{s:?}");
    assert_eq!(s.built, s.idle as u64, "{s:?}");
}

#[test]
fn the_thread_local_path_returns_each_buffer_to_the_class_of_its_capacity() {
    // The thread-local release guesses the class this thread last acquired
    // from; these buffers each go back while the guess is another class.
    let pool = Vec::<i16>::pool();
    let big = Vec::<i16>::acquire_with_capacity(1000);
    let big_at = big.as_ptr();
    let big_cap = big.capacity();
    let small = Vec::<i16>::acquire_with_capacity(10);
    let small_cap = small.capacity();
    assert_ne!(
        class_of(pool, big_cap).class,
        class_of(pool, small_cap).class
    );
    drop(big); // last acquired from the small class
    drop(small);
    assert_eq!(class_of(pool, big_cap).stats.idle, 1);
    assert_eq!(class_of(pool, small_cap).stats.idle, 1);

    // Each request gets its own buffer back, not the other.
    let big = Vec::<i16>::acquire_with_capacity(1000);
    assert_eq!(big.as_ptr(), big_at);
    let mut grown = Vec::<i16>::acquire_with_capacity(10);
    assert_eq!(grown.capacity(), small_cap);
    grown.resize(20_000, 1);
    let grown_cap = grown.capacity();
    drop(grown); // guessed the small class, belongs to a bigger one
    drop(big); // guessed the small class too
    assert_eq!(class_of(pool, small_cap).stats.idle, 0);
    assert_eq!(class_of(pool, big_cap).stats.idle, 1);
    assert_eq!(class_of(pool, grown_cap).stats.idle, 1);
    assert!(Vec::<i16>::acquire_with_capacity(15_000).capacity() >= 15_000);
    assert_eq!(class_of(pool, grown_cap).stats.reused, 1);
    assert_eq!(pool.stats().built, 2);
}
