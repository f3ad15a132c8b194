//! Pools that are not statics and acquiring without building:
//! `Pool::acquire_owned` (a `'static`, `Send` guard that keeps its pool
//! alive), `Pool::from_closure`, and `try_acquire` on pools and `Pooled`
//! types, which never builds and never allocates on a miss.

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use counting_alloc::CountingAlloc;
use repool::{Pool, Pooled};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::PER_THREAD;

fn allocations_in(f: impl FnOnce()) -> u64 {
    let before = counting_alloc::thread_allocs();
    f();
    counting_alloc::thread_allocs() - before
}

fn is_static_and_send<T: Send + 'static>(_: &T) {}

#[test]
fn an_owned_guard_moves_into_a_thread_and_keeps_its_pool_alive() {
    let pool = Arc::new(Pool::<Vec<u8>>::new());
    let mut guard = pool.acquire_owned();
    is_static_and_send(&guard);
    guard.extend_from_slice(b"payload");
    let weak = Arc::downgrade(&pool);
    let returned = pool.stats().returned;
    drop(pool);
    // The guard holds the last strong reference: the pool lives on the
    // other thread until the guard drops there.
    std::thread::spawn(move || {
        assert_eq!(&guard[..], b"payload");
        let pool = weak.upgrade().expect("kept alive by the guard");
        assert_eq!(pool.stats().returned, returned);
        drop(guard);
        assert_eq!(pool.stats().returned, returned + 1, "back in its pool");
        assert_eq!(pool.stats().idle, 1);
        drop(pool);
        assert!(
            weak.upgrade().is_none(),
            "the pool went with its last guard"
        );
    })
    .join()
    .unwrap();
}

#[cfg(not(miri))]
#[test]
fn an_owned_guard_goes_into_a_tokio_task() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let pool = Arc::new(Pool::from_closure(|| String::with_capacity(64)));
    rt.block_on(async {
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let mut line = pool.acquire_owned();
                tokio::spawn(async move {
                    use std::fmt::Write;
                    write!(line, "task {i}").unwrap();
                    tokio::task::yield_now().await;
                    line.len()
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap() >= 6);
        }
    });
    drop(rt);
    let s = pool.stats();
    assert_eq!((s.acquired, s.returned), (16, 16), "{s:?}");
}

#[test]
fn from_closure_builds_with_what_it_captured() {
    let built = Arc::new(AtomicUsize::new(0));
    let page = 8 << 10;
    let counter = Arc::clone(&built);
    let pool = Pool::from_closure(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        Vec::<u8>::with_capacity(page)
    })
    .with_capacity(2);
    let held: Vec<_> = (0..3).map(|_| pool.acquire()).collect();
    assert!(held.iter().all(|b| b.capacity() >= page));
    drop(held);
    assert_eq!(built.load(Ordering::Relaxed), 3);
    assert_eq!(pool.stats().idle, 2, "with_capacity applies as for from_fn");
    drop(pool.acquire());
    assert_eq!(built.load(Ordering::Relaxed), 3, "reused, not built");
}

#[test]
fn try_acquire_takes_an_idle_object_and_never_builds() {
    let pool = Pool::<Vec<u32>>::new();
    assert!(pool.try_acquire().is_none());
    assert_eq!(pool.stats(), Default::default(), "nothing counted or made");

    let mut first = pool.acquire();
    first.push(7);
    let object: *const Vec<u32> = &*first;
    drop(first);
    let again = pool.try_acquire().expect("the idle one");
    assert_eq!(&*again as *const _, object);
    assert!(again.is_empty(), "reset as any returned object");
    assert!(pool.try_acquire().is_none(), "the only one is out");
    // A miss on a pool in use allocates nothing.
    assert_eq!(allocations_in(|| assert!(pool.try_acquire().is_none())), 0);
    drop(again);
    let s = pool.stats();
    assert_eq!((s.built, s.reused, s.acquired), (1, 1, 2), "{s:?}");
}

#[test]
fn try_acquire_reaches_objects_another_thread_gave_back() {
    static SHARED: Pool<String> = Pool::new();
    std::thread::spawn(|| {
        let held: Vec<_> = (0..50).map(|_| SHARED.acquire()).collect();
        drop(held);
    })
    .join()
    .unwrap();
    // The thread's cache was handed to the shared layer when it exited.
    let got: Vec<_> = std::iter::from_fn(|| SHARED.try_acquire()).collect();
    assert_eq!(got.len(), 50);
    assert_eq!(SHARED.stats().built, 50);
}

#[test]
fn try_acquire_on_a_buffer_pool_takes_the_smallest_idle_buffer() {
    let pool = Pool::<Vec<u8>>::buffers();
    assert!(pool.try_acquire().is_none());
    let big = pool.acquire_with_capacity(64 << 10);
    let small = pool.acquire_with_capacity(300);
    drop((big, small));
    let first = pool.try_acquire().expect("idle buffers");
    assert!(
        (300..4096).contains(&first.capacity()),
        "{}",
        first.capacity()
    );
    let second = pool.try_acquire().expect("the big one");
    assert!(second.capacity() >= 64 << 10);
    assert!(pool.try_acquire().is_none());
    assert_eq!(pool.stats().built, 2);
}

#[derive(Pooled, Default)]
struct Scratch {
    values: Vec<u64>,
}

#[test]
fn try_acquire_on_a_derived_type_uses_its_thread_local_cache() {
    // This test owns `Scratch`'s pool.
    assert!(Scratch::try_acquire().is_none());
    assert_eq!(Scratch::pool().stats(), Default::default());
    let mut s = Scratch::acquire();
    s.values.extend([1, 2, 3]);
    drop(s);
    let mut again = Scratch::try_acquire().expect("the one returned");
    assert!(again.values.is_empty() && again.values.capacity() >= 3);
    again.values.push(4);
    assert_eq!(
        allocations_in(|| assert!(Scratch::try_acquire().is_none())),
        0
    );
    drop(again);
    let stats = Scratch::pool().stats();
    assert_eq!((stats.built, stats.reused, stats.idle), (1, 1, 1));
}
