//! The fault tests of issue 9 that call `repool::trim_all()`, which trims
//! every pool in the process: each runs in a child process of its own
//! ([`support::isolated`]), so it neither trims another test's pools nor
//! has its own trimmed by another test, and an abort is a failed test.

#[macro_use]
#[path = "support/faults.rs"]
#[allow(
    dead_code,
    unused_macros,
    reason = "shared by two test binaries; each uses a part"
)]
mod support;

use std::sync::{Arc, Barrier, mpsc};
use std::thread;

use repool::Pooled;

use support::{Action, Point, Probe, books, catch, expect_panic, isolated, keeps_working};

mod defect2 {
    probe!(Obj, capacity = 8, other = Obj);
}

/// Defect 2 with the README's timer pattern: a worker returns one object;
/// main calls `trim_all()` twice; the worker exits and the idle object's
/// destructor panics in the runtime's thread-local destructor. Caught and
/// counted, never an abort.
#[test]
fn defect2_a_panicking_destructor_at_thread_exit_after_two_trim_alls_does_not_abort() {
    type T = defect2::Obj;
    isolated(
        "defect2_a_panicking_destructor_at_thread_exit_after_two_trim_alls_does_not_abort",
        || {
            let (returned, wait_returned) = mpsc::channel();
            let (exit, wait_exit) = mpsc::channel::<()>();
            let worker = thread::spawn(move || {
                drop(T::acquire());
                returned.send(()).unwrap();
                wait_exit.recv().unwrap();
            });
            wait_returned.recv().unwrap();
            repool::trim_all();
            repool::trim_all();
            T::hooks().arm(Point::Destroy, Action::Panic, 0, 1);
            exit.send(()).unwrap();
            assert!(worker.join().is_ok(), "the worker panicked");
            let s = books::<T>(0);
            assert_eq!(T::hooks().fired(Point::Destroy), 1);
            assert_eq!((s.idle, s.trimmed), (0, 1), "{s:?}");
            keeps_working::<T>();
            assert_eq!(books::<T>(0).drop_panicked, 1);
        },
    );
}

/// Defect 4: `threads` threads each do one round trip and stay alive; main
/// calls `clear()` and `trim_all()` twice, then does 1,000 round trips
/// holding two guards at once and must be served from the pool.
fn parked_threads_leave_the_pool_usable<T: Probe>(threads: usize) {
    let ready = Arc::new(Barrier::new(threads + 1));
    let done = Arc::new(Barrier::new(threads + 1));
    let parked: Vec<_> = (0..threads)
        .map(|_| {
            let (ready, done) = (Arc::clone(&ready), Arc::clone(&done));
            thread::spawn(move || {
                drop(T::acquire());
                ready.wait();
                done.wait();
            })
        })
        .collect();
    ready.wait();
    T::pool().clear();
    repool::trim_all();
    repool::trim_all();
    let before = T::pool().stats();
    for _ in 0..1000 {
        let a = T::acquire();
        let b = T::acquire();
        drop(a);
        drop(b);
    }
    let phase = T::pool().stats().since(&before);
    // Let the parked threads go before asserting, so a failure cannot
    // leave them waiting.
    done.wait();
    for thread in parked {
        thread.join().unwrap();
    }
    assert!(
        phase.reused >= 2 * 1000 - 2,
        "{threads} parked threads starve a pool of {}: {phase:?}",
        T::pool().capacity()
    );
    assert_eq!(phase.over_capacity, 0, "{phase:?}");
    books::<T>(0);
}

mod defect4 {
    probe!(Obj, capacity = 64, other = Obj);
}

#[test]
fn defect4_parked_threads_do_not_starve_the_pool_after_trim_all() {
    isolated(
        "defect4_parked_threads_do_not_starve_the_pool_after_trim_all",
        || parked_threads_leave_the_pool_usable::<defect4::Obj>(8),
    );
}

mod defect4_default {
    probe!(Obj, other = Obj);
}

#[test]
fn defect4_parked_threads_do_not_starve_a_pool_of_default_capacity_after_trim_all() {
    isolated(
        "defect4_parked_threads_do_not_starve_a_pool_of_default_capacity_after_trim_all",
        || {
            assert_eq!(defect4_default::Obj::pool().capacity(), 1024);
            parked_threads_leave_the_pool_usable::<defect4_default::Obj>(128);
        },
    );
}

mod defect8 {
    probe!(First, capacity = 16, other = First);
    probe!(Second, capacity = 16, other = Second);
}

/// Defect 8: `trim_all()` meets panicking destructors in the first pool it
/// trims: every pool is trimmed all the same (the second one too, and the
/// first one whole), then the first panic reaches the caller.
#[test]
fn defect8_trim_all_trims_every_pool_past_a_panicking_destructor() {
    use defect8::{First, Second};
    isolated(
        "defect8_trim_all_trims_every_pool_past_a_panicking_destructor",
        || {
            // `First` is made first, so `trim_all` reaches it first.
            drop(First::acquire());
            drop(Second::acquire());
            for prewarm in [First::pool().prewarm(16), Second::pool().prewarm(16)] {
                assert!(prewarm > 4, "{prewarm}");
            }
            let (first, second) = (First::pool().stats().idle, Second::pool().stats().idle);
            // The first trim only ages the idle objects; the second drops
            // them.
            repool::trim_all();
            assert_eq!(
                (First::pool().stats().idle, Second::pool().stats().idle),
                (first, second)
            );
            First::hooks().arm(Point::Destroy, Action::Panic, 0, u64::MAX);
            let result = catch(repool::trim_all);
            First::hooks().disarm();
            expect_panic(result, Point::Destroy.message());
            let s = books::<Second>(0);
            assert_eq!(
                (s.idle, s.trimmed),
                (0, second as u64),
                "the second pool was not trimmed: {s:?}"
            );
            let s = books::<First>(0);
            assert_eq!(
                (s.idle, s.trimmed),
                (0, first as u64),
                "the first pool was trimmed part-way: {s:?}"
            );
            assert_eq!(First::pool().prewarm(16), 16, "capacity lost");
            assert_eq!(First::hooks().fired(Point::Destroy), first as u64);
            assert_eq!(books::<First>(0).drop_panicked, first as u64);
            assert_eq!(books::<Second>(0).drop_panicked, 0);
        },
    );
}
