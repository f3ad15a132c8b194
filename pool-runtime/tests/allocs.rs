//! Allocations per operation, counted by a global allocator, as Go's
//! `testing.AllocsPerRun`: after warm-up, a pooled round trip allocates
//! nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use pool_runtime::{Pool, Pooled, Reset};

struct Counting;

thread_local! {
    // Per thread, so the test harness's other threads do not count.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards every call to `System` unchanged; counting touches only
// a const-initialised thread-local without a destructor, which never
// allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.set(ALLOCATIONS.get() + 1);
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.set(ALLOCATIONS.get() + 1);
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.get();
    f();
    ALLOCATIONS.get() - before
}

#[derive(Default)]
struct Request {
    body: Vec<u8>,
    path: String,
    headers: HashMap<u32, u32>,
    user: Option<Arc<u64>>,
}

impl Reset for Request {
    fn reset(&mut self) {
        self.body.reset();
        self.path.reset();
        self.headers.reset();
        self.user.reset();
    }
}

impl Pooled for Request {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<Request> = Pool::new();
        &POOL
    }
}

fn serve(user: &Arc<u64>, i: u32) {
    let mut req = Request::acquire();
    req.body.extend_from_slice(&[0x5a; 1024]);
    req.path.push_str("/api/v1/items/");
    for k in 0..16 {
        req.headers.insert(k, i);
    }
    req.user = Some(Arc::clone(user));
    std::hint::black_box(&*req);
}

#[test]
fn a_pooled_round_trip_allocates_nothing_after_warm_up() {
    let user = Arc::new(42);
    let iterations = if cfg!(miri) { 50 } else { 10_000 };
    for i in 0..10 {
        serve(&user, i);
    }
    let allocations = allocations_during(|| {
        for i in 0..iterations {
            serve(&user, i);
        }
    });
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in {iterations} round trips"
    );
    assert_eq!(
        Arc::strong_count(&user),
        1,
        "the pooled object let go of the Arc on return"
    );
    let stats = Request::pool().stats();
    assert_eq!(stats.built, 1);
    assert_eq!(stats.reused, stats.acquired - 1);
}

#[test]
fn the_same_round_trip_without_a_pool_allocates_every_time() {
    // The control: proves the counter sees the allocations the pool saves.
    let user = Arc::new(1);
    let allocations = allocations_during(|| {
        for i in 0..100 {
            let mut req = Request::default();
            req.body.extend_from_slice(&[1; 1024]);
            req.path.push_str("/x");
            req.headers.insert(1, i);
            req.user = Some(Arc::clone(&user));
            std::hint::black_box(&req);
        }
    });
    assert!(allocations >= 300, "only {allocations} allocations counted");
}

#[test]
fn std_containers_round_trip_without_allocating() {
    let iterations = if cfg!(miri) { 20 } else { 1_000 };
    let work = || {
        let mut bytes = Vec::<u8>::acquire();
        bytes.extend_from_slice(b"0123456789");
        let mut text = String::acquire();
        text.push_str("hello");
        let mut map = HashMap::<u64, u64>::acquire();
        map.insert(1, 2);
    };
    work();
    let allocations = allocations_during(|| (0..iterations).for_each(|_| work()));
    assert_eq!(allocations, 0);
}
