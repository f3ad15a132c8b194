//! `trim_all` trims every pool in the process, so it gets a process of its
//! own: in a shared test binary it would trim the other tests' pools.

use std::sync::Arc;
use std::thread;

use pool_runtime::{Pool, Pooled, Reset};

struct Swept;

impl Reset for Swept {
    fn reset(&mut self) {}
}

impl Pooled for Swept {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<Swept> = Pool::from_fn(|| Swept);
        &POOL
    }
}

#[test]
fn trim_all_reaches_static_pools_value_pools_and_registry_pools() {
    let value_pool = Arc::new(Pool::<String>::new());
    drop(Swept::acquire());
    drop(value_pool.acquire());
    drop(Vec::<i8>::acquire());
    // From another thread, as a server's timer would.
    let timer = thread::spawn(|| {
        pool_runtime::trim_all();
        pool_runtime::trim_all();
    });
    timer.join().unwrap();
    // The objects sat in this thread's private caches, which only this
    // thread touches: the two trims reach them at its next use of each
    // pool, which finds nothing idle and builds.
    drop(Swept::acquire());
    drop(value_pool.acquire());
    drop(Vec::<i8>::acquire());
    for s in [
        Swept::pool().stats(),
        value_pool.stats(),
        Vec::<i8>::pool().stats(),
    ] {
        assert_eq!((s.trimmed, s.built, s.reused), (1, 2, 0), "{s:?}");
    }
}
