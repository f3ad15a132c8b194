//! Allocations per operation, counted by a global allocator, as Go's
//! `testing.AllocsPerRun`: after warm-up, a pooled round trip allocates
//! nothing.

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use std::collections::HashMap;
use std::sync::Arc;

use counting_alloc::CountingAlloc;
use repool::{Pool, Pooled, Reset};

// The tests read this thread's counts, which the harness's other threads
// do not touch.
#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::PER_THREAD;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = counting_alloc::thread_allocs();
    f();
    counting_alloc::thread_allocs() - before
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
