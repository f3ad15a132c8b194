//! `repool::pools()`: every kind of pool is listed once, under the right
//! name, with the capacity and stats its own methods report; a dropped
//! pool's entry is gone; and listing while other threads make and drop
//! pools is consistent.
//!
//! The tests of this file run in one process and share the registry, so
//! each looks only at the pools it made, found by a name of its own.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

use repool::{Pool, PoolInfo, Pooled, pools};

#[derive(Pooled, Default)]
#[pooled(capacity = 7)]
struct Frame {
    bytes: Vec<u8>,
}

#[derive(Pooled, Default)]
#[pooled(name = "sessions", capacity = 5)]
struct Session {
    id: String,
}

const LABEL: &str = "labelled by a const";

#[derive(Pooled, Default)]
#[pooled(name = LABEL)]
struct Labelled {
    id: String,
}

#[derive(Pooled, Default)]
struct Wrapper<T: Send + 'static> {
    items: Vec<T>,
}

/// The entries named `name`.
fn named(name: &str) -> Vec<PoolInfo> {
    pools().into_iter().filter(|p| p.name == name).collect()
}

/// The one entry named `name`, checked against the pool's own methods.
#[track_caller]
fn listed_as<T: repool::Reset + Send + 'static>(name: &str, pool: &Pool<T>) -> PoolInfo {
    let mut found = named(name);
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    let info = found.pop().unwrap();
    assert_eq!(pool.name(), name);
    assert_eq!(info.capacity, pool.capacity(), "{name}");
    assert_eq!(info.stats, pool.stats(), "{name}");
    assert_eq!(info.classes, pool.class_stats(), "{name}");
    info
}

#[test]
fn derived_types_are_listed_by_type_name_or_given_name() {
    drop(Frame::acquire());
    drop((Session::acquire(), Session::acquire()));
    drop(Labelled::acquire());
    let frames = listed_as("pools_list::Frame", Frame::pool());
    assert_eq!((frames.capacity, frames.stats.acquired), (7, 1));
    let sessions = listed_as("sessions", Session::pool());
    assert_eq!((sessions.capacity, sessions.stats.idle), (5, 2));
    assert!(sessions.classes.is_empty());
    listed_as(LABEL, Labelled::pool());
}

#[test]
fn each_generic_instantiation_is_an_entry() {
    drop(Wrapper::<u8>::acquire());
    for _ in 0..3 {
        drop(Wrapper::<u16>::acquire());
    }
    let bytes = listed_as("pools_list::Wrapper<u8>", Wrapper::<u8>::pool());
    let words = listed_as("pools_list::Wrapper<u16>", Wrapper::<u16>::pool());
    assert_eq!((bytes.stats.acquired, words.stats.acquired), (1, 3));
}

#[test]
fn a_std_buffer_pool_is_one_entry_for_all_its_classes() {
    // `i128`'s pool lives in the registry's type table, `u32`'s in a
    // `static`: both are buffer pools.
    let held: Vec<_> = [10, 100, 1000]
        .into_iter()
        .map(Vec::<i128>::acquire_with_capacity)
        .collect();
    drop(held);
    drop(Vec::<u32>::acquire_with_capacity(5000));
    let wide = listed_as("alloc::vec::Vec<i128>", Vec::<i128>::pool());
    assert_eq!(wide.classes.len(), 3, "{wide:?}");
    assert_eq!(wide.stats.idle, 3);
    let sum: u64 = wide.classes.iter().map(|c| c.stats.returned).sum();
    assert_eq!(sum, wide.stats.returned);
    assert!(wide.stats.idle_bytes > 0);
    listed_as("alloc::vec::Vec<u32>", Vec::<u32>::pool());

    drop(HashMap::<u8, i64>::acquire());
    let map = listed_as(
        "std::collections::hash::map::HashMap<u8, i64>",
        HashMap::<u8, i64>::pool(),
    );
    assert_eq!(
        (map.capacity, map.stats.idle),
        (repool::DEFAULT_CAPACITY, 1)
    );
}

static NAMED: Pool<Vec<u8>> = Pool::new().with_name("static named").with_capacity(9);
static BODIES: Pool<Vec<u8>> = Pool::buffers().with_capacity(33).with_name("static bodies");
static UNUSED: Pool<Vec<u8>> = Pool::new().with_name("static unused");

#[test]
fn static_pools_and_pool_values_are_listed_once_used() {
    drop(NAMED.acquire());
    drop(BODIES.acquire_with_capacity(300));
    assert_eq!(listed_as("static named", &NAMED).capacity, 9);
    assert_eq!(listed_as("static bodies", &BODIES).capacity, 33);
    assert!(named("static unused").is_empty(), "never used");
    let _ = &UNUSED;

    let value = Pool::<String>::new().with_name("a value").with_capacity(2);
    assert!(named("a value").is_empty(), "never used");
    let held = (value.acquire(), value.acquire(), value.acquire());
    drop(held);
    let info = listed_as("a value", &value);
    assert_eq!((info.stats.returned, info.stats.over_capacity), (2, 1));

    // Moved after its first use: still the same entry.
    let moved = Box::new(value);
    drop(moved.acquire());
    assert_eq!(listed_as("a value", &moved).stats.acquired, 4);
}

#[test]
fn settings_are_listed_whether_set_before_or_after_first_use() {
    let before = Pool::<Vec<u8>>::buffers().with_name("set before use");
    before.set_capacity(3);
    before.set_max_capacity(1000);
    assert!(named("set before use").is_empty(), "a setting is not a use");
    drop(before.acquire_with_capacity(600));
    assert_eq!(listed_as("set before use", &before).capacity, 3);

    let after = Pool::<Vec<u8>>::buffers().with_name("set after use");
    let held: Vec<_> = [64, 700, 3000]
        .map(|n| after.acquire_with_capacity(n))
        .into();
    drop(held);
    after.set_max_capacity(2000);
    after.set_capacity(4);
    after.set_max_idle_bytes(1 << 16);
    let info = listed_as("set after use", &after);
    assert_eq!(info.capacity, 4);
    let top = info.classes.last().unwrap();
    assert_eq!(
        (top.capacity, top.stats.idle),
        (0, 0),
        "past the limit: {top:?}"
    );

    let plain = Pool::<String>::new().with_name("plain set after use");
    drop(plain.acquire());
    plain.set_capacity(11);
    assert_eq!(listed_as("plain set after use", &plain).capacity, 11);
}

#[test]
fn a_dropped_pool_is_no_longer_listed() {
    let value = Pool::<Vec<u8>>::new().with_name("dropped value");
    drop(value.acquire());
    assert_eq!(named("dropped value").len(), 1);
    drop(value);
    assert!(named("dropped value").is_empty());

    let buffers = Pool::<String>::buffers().with_name("dropped buffers");
    let held: Vec<_> = [1, 100, 10_000]
        .map(|n| buffers.acquire_with_capacity(n))
        .into();
    drop(held);
    assert_eq!(named("dropped buffers")[0].classes.len(), 3);
    drop(buffers);
    assert!(named("dropped buffers").is_empty(), "every class gone");

    // An `Arc`'d pool lives while a guard holds it.
    let shared = Arc::new(Pool::<String>::new().with_name("dropped arc"));
    let guard = shared.acquire_owned();
    drop(shared);
    assert_eq!(named("dropped arc").len(), 1, "its guard keeps it");
    drop(guard);
    assert!(named("dropped arc").is_empty());
}

#[test]
fn listing_while_threads_make_and_drop_pools() {
    const THREADS: usize = if cfg!(miri) { 2 } else { 4 };
    const ROUNDS: usize = if cfg!(miri) { 6 } else { 300 };
    static STEADY: Pool<Vec<u64>> = Pool::buffers().with_name("churn steady");
    let done = AtomicBool::new(false);
    let lists = AtomicUsize::new(0);
    std::thread::scope(|s| {
        let lister = s.spawn(|| {
            while !done.load(Relaxed) || lists.load(Relaxed) == 0 {
                let listed = pools();
                let churn = listed.iter().filter(|p| p.name == "churn").count();
                // Each worker holds at most one churning pool at a time.
                assert!(churn <= THREADS, "{churn} churning pools listed");
                for p in listed.iter().filter(|p| p.name == "churn steady") {
                    let sum: u64 = p.classes.iter().map(|c| c.stats.acquired).sum();
                    assert_eq!(sum, p.stats.acquired);
                }
                lists.fetch_add(1, Relaxed);
            }
        });
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                s.spawn(move || {
                    for round in 0..ROUNDS {
                        let pool = match (round + t) % 3 {
                            0 => Pool::<Vec<u8>>::buffers(),
                            1 => Pool::<Vec<u8>>::new(),
                            _ => Pool::<Vec<u8>>::new().with_capacity(1),
                        }
                        .with_name("churn");
                        let pool = Arc::new(pool);
                        let held: Vec<_> = (0..3)
                            .map(|i| pool.acquire_with_capacity(i * 500))
                            .collect();
                        drop(held);
                        drop(STEADY.acquire_with_capacity(round % 4 * 100));
                        drop(pool);
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        done.store(true, Relaxed);
        lister.join().unwrap();
    });
    assert!(lists.load(Relaxed) > 0);
    assert!(named("churn").is_empty(), "every churning pool was dropped");
    let steady = listed_as("churn steady", &STEADY);
    assert_eq!(steady.stats.acquired, (THREADS * ROUNDS) as u64);
    assert_eq!(steady.stats.acquired, steady.stats.returned);
}
