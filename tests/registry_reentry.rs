//! A pool's initialiser is user code (a derive's `capacity` expression) and
//! may itself use the type registry: issue 9, defect 3, where the first
//! `Batch::<u8>::acquire()` deadlocked because the registry ran the
//! initialiser under its writer lock and `cap()` asked for another pool.
//!
//! Each first use runs on a spawned thread and the test waits with a
//! time-out, so a deadlock fails the test instead of hanging the suite.
//! This file is its own test binary: nothing else touches these pools
//! before the test does.

use std::ptr;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use repool::Pooled;

/// Far more than a first use ever takes, even on a loaded CI machine.
const TIME_OUT: Duration = Duration::from_secs(30);

/// Reads another registry pool, `String`'s, for the first time.
fn cap() -> usize {
    String::pool().capacity() / 4
}

#[derive(Pooled, Default)]
#[pooled(capacity = cap())]
struct Batch<T: Send + 'static> {
    items: Vec<T>,
}

/// Nested one level deeper: its capacity asks for `Batch<u32>`'s pool,
/// whose own capacity asks for `String`'s.
fn nested_cap() -> usize {
    Batch::<u32>::pool().capacity() * 2
}

#[derive(Pooled, Default)]
#[pooled(capacity = nested_cap())]
struct Outer<T: Send + 'static> {
    items: Vec<T>,
}

/// Runs `f` on its own thread and returns its result, or fails the test if
/// it does not return within [`TIME_OUT`].
fn finishes<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        // A send error means the test already gave up; nothing to tell.
        let _ = done.send(f());
    });
    match finished.recv_timeout(TIME_OUT) {
        Ok(result) => {
            worker.join().unwrap();
            result
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The worker panicked: report its panic, not a time-out.
            std::panic::resume_unwind(worker.join().unwrap_err())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not return within {TIME_OUT:?}: deadlocked")
        }
    }
}

#[test]
fn capacity_expression_may_use_registry_pools_for_the_first_time() {
    let capacity = finishes("the first Batch::<u8>::acquire()", || {
        let mut batch = Batch::<u8>::acquire();
        batch.items.push(1);
        drop(batch);
        let reused = Batch::<u8>::acquire();
        assert!(reused.items.is_empty(), "not reset");
        assert!(reused.items.capacity() >= 1, "not reused");
        Batch::<u8>::pool().capacity()
    });
    assert_eq!(capacity, repool::DEFAULT_CAPACITY / 4);
    assert_eq!(Batch::<u8>::pool().stats().reused, 1);

    let capacity = finishes("the first Outer::<u8>::acquire()", || {
        drop(Outer::<u8>::acquire());
        Outer::<u8>::pool().capacity()
    });
    assert_eq!(capacity, repool::DEFAULT_CAPACITY / 2);
}

/// Its own pools throughout, so this test never touches the ones above
/// first (the tests of one binary run in parallel).
fn tally_cap() -> usize {
    std::collections::VecDeque::<u8>::pool().capacity()
}

#[derive(Pooled, Default)]
#[pooled(capacity = tally_cap())]
struct Tally<T: Send + 'static> {
    items: Vec<T>,
}

/// Threads that race to use a generic type's pool for the first time all
/// get the same pool, whichever thread built the one that was kept.
#[test]
fn racing_first_uses_share_one_pool() {
    const THREADS: usize = 8;
    let pools = finishes("racing first uses of Tally::<u64>::pool()", || {
        let barrier = Arc::new(Barrier::new(THREADS));
        let racers: Vec<_> = (0..THREADS)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    barrier.wait();
                    ptr::from_ref(Tally::<u64>::pool()).addr()
                })
            })
            .collect();
        racers
            .into_iter()
            .map(|r| r.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert!(pools.windows(2).all(|w| w[0] == w[1]), "{pools:x?}");
    assert_eq!(pools[0], ptr::from_ref(Tally::<u64>::pool()).addr());
    assert_eq!(Tally::<u64>::pool().capacity(), repool::DEFAULT_CAPACITY);
}
