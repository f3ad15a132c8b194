//! The fault tests of issue 9 that call `repool::trim_all()`, which trims
//! every pool in the process: each runs in a child process of its own
//! ([`support::isolated`]), so it neither trims another test's pools nor
//! has its own trimmed by another test, and an abort is a failed test.

#[macro_use]
#[path = "support/faults.rs"]
mod support;

use repool::Pooled;

use support::{
    Action, Point, Probe, books, catch, expect_panic, idle_object_dropped_at_thread_exit, isolated,
    keeps_working, parked_threads_leave_the_pool_usable,
};

/// Defect 2 with the README's timer pattern: a worker returns one object;
/// main calls `trim_all()` twice; the worker exits and the idle object's
/// destructor panics in the runtime's thread-local destructor. Caught and
/// counted, never an abort.
#[test]
fn defect2_a_panicking_destructor_at_thread_exit_after_two_trim_alls_does_not_abort() {
    probe!(T, capacity = 8, other = T);
    isolated(
        "defect2_a_panicking_destructor_at_thread_exit_after_two_trim_alls_does_not_abort",
        || {
            idle_object_dropped_at_thread_exit::<T>(Action::Panic, || {
                repool::trim_all();
                repool::trim_all();
            });
            let s = books::<T>(0);
            assert_eq!(T::hooks().fired(Point::Destroy), 1);
            assert_eq!((s.idle, s.trimmed), (0, 1), "{s:?}");
            keeps_working::<T>();
            assert_eq!(books::<T>(0).drop_panicked, 1);
        },
    );
}

/// Defect 4 with `trim_all()`: main calls `clear()` and `trim_all()` twice
/// while the parked threads' caches are behind.
fn clear_and_two_trim_alls<T: Probe>() {
    T::pool().clear();
    repool::trim_all();
    repool::trim_all();
}

#[test]
fn defect4_parked_threads_do_not_starve_the_pool_after_trim_all() {
    probe!(T, capacity = 64, other = T);
    isolated(
        "defect4_parked_threads_do_not_starve_the_pool_after_trim_all",
        || parked_threads_leave_the_pool_usable::<T>(8, clear_and_two_trim_alls::<T>),
    );
}

#[test]
fn defect4_parked_threads_do_not_starve_a_pool_of_default_capacity_after_trim_all() {
    probe!(T, other = T);
    isolated(
        "defect4_parked_threads_do_not_starve_a_pool_of_default_capacity_after_trim_all",
        || {
            assert_eq!(T::pool().capacity(), 1024);
            parked_threads_leave_the_pool_usable::<T>(128, clear_and_two_trim_alls::<T>);
        },
    );
}

/// Defect 8: `trim_all()` meets panicking destructors in the first pool it
/// trims: every pool is trimmed all the same (the second one too, and the
/// first one whole), then the first panic reaches the caller.
#[test]
fn defect8_trim_all_trims_every_pool_past_a_panicking_destructor() {
    probe!(First, capacity = 16, other = First);
    probe!(Second, capacity = 16, other = Second);
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
