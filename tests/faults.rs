//! Faults through the real derive: user code that panics or re-enters the
//! pool at every point where the runtime calls it (reset, constructor,
//! destructor, capacity expression), from every context in which the
//! runtime calls it (a normal call, a catch-up after a `clear()` or
//! `trim()` made on another thread, a thread's exit, a pool's drop), and the
//! regression tests of issue 9.
//!
//! After every scenario the books balance (see [`support::books`]) and the
//! pool keeps working. An outcome that could abort the process runs in a
//! child process ([`support::isolated`]). `trim_all` trims every pool in
//! the process, so its tests live in `tests/faults_trim_all.rs`.

#[macro_use]
#[path = "support/faults.rs"]
mod support;

use std::marker::PhantomData;
use std::sync::{Arc, Barrier, mpsc};
use std::thread;

use repool::{Pool, Pooled, Stats};

use support::{
    Action, PATIENCE, Point, Probe, books, catch, expect_panic, idle_object_dropped_at_thread_exit,
    in_teardown, isolated, keeps_working, no_panic, on_another_thread,
    parked_threads_leave_the_pool_usable, payload, teardown_first, within_patience,
};

/// Where the runtime calls the user code of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// A normal call: a guard dropped (reset), `acquire()` (constructor;
    /// capacity, at the pool's first use).
    Call,
    /// `prewarm()` (constructor).
    Prewarm,
    /// A guard dropped when `capacity` objects are idle: the pool drops the
    /// caller's own object (destructor).
    OverCapacity,
    /// A guard of an oversized object dropped (destructor).
    Oversized,
    /// A guard dropped whose reset panicked (destructor).
    ResetPanicked,
    /// `clear()` dropping idle objects (destructor).
    Clear,
    /// The second of two `trim()`s dropping idle objects (destructor).
    Trim,
    /// `acquire()` catching up with a `clear()` made on another thread
    /// (constructor; destructor of the idle objects it drops).
    CatchUpAcquire,
    /// A guard's drop catching up with a `clear()` made on another thread
    /// (reset; destructor of the idle objects it drops).
    CatchUpReturn,
    /// A guard's drop catching up with two `trim()`s made on another thread
    /// (destructor).
    CatchUpTrim,
    /// A thread's exit: its cache handed back by the runtime's thread-local
    /// destructor (destructor of its idle objects), or a guard dropped
    /// (reset) or `acquire()` called (constructor, capacity) in a
    /// thread-local destructor that runs after the runtime's own.
    ThreadExit,
    /// A guard dropped over capacity in a thread-local destructor that runs
    /// after the runtime's own (destructor of the caller's object).
    TeardownOverCapacity,
    /// A `Pool` value dropped by its last `Arc` on another thread
    /// (destructor of its idle objects).
    PoolDrop,
    /// A `Pool` value dropped in a thread-local destructor (destructor of
    /// its idle objects).
    PoolDropInTeardown,
}

/// One line of the table.
#[derive(Clone, Copy, Debug)]
struct Row {
    point: Point,
    context: Context,
    action: Action,
}

impl Row {
    /// Whether the scenario runs in a child process: an abort (a panic
    /// escaping a thread-local destructor) or a hang (a lock taken twice)
    /// must be a failed test, and a pool dropped by its last `Arc` must not
    /// meet another test's exiting thread holding a reference to it.
    fn isolated(&self) -> bool {
        matches!(
            self.context,
            Context::ThreadExit
                | Context::TeardownOverCapacity
                | Context::PoolDrop
                | Context::PoolDropInTeardown
        ) || self.action == Action::ReenterRegistry
    }
}

/// Runs one row against `T`, a type of its own.
fn run<T: Probe>(test: &str, row: Row) {
    if row.isolated() {
        isolated(test, || scenario::<T>(row));
    } else {
        within_patience(move || scenario::<T>(row));
    }
}

fn scenario<T: Probe>(row: Row) {
    use Context::*;
    use Point::*;
    let a = row.action;
    let fires = match (row.point, row.context) {
        (Reset, Call) => reset_in_call::<T>(a),
        (Reset, CatchUpReturn) => reset_in_catch_up::<T>(a),
        (Reset, ThreadExit) => reset_in_teardown::<T>(a),
        (Construct, Call) => construct_in_acquire::<T>(a),
        (Construct, Prewarm) => construct_in_prewarm::<T>(a),
        (Construct, CatchUpAcquire) => construct_in_catch_up::<T>(a),
        (Construct, ThreadExit) => construct_in_teardown::<T>(a),
        (Destroy, OverCapacity) => destroy_over_capacity::<T>(a),
        (Destroy, Oversized) => destroy_oversized::<T>(a),
        (Destroy, ResetPanicked) => destroy_after_reset_panic::<T>(a),
        (Destroy, Clear) => destroy_in_sweep::<T>(a, false),
        (Destroy, Trim) => destroy_in_sweep::<T>(a, true),
        (Destroy, CatchUpAcquire) => destroy_in_catch_up::<T>(a, CatchUpAcquire),
        (Destroy, CatchUpReturn) => destroy_in_catch_up::<T>(a, CatchUpReturn),
        (Destroy, CatchUpTrim) => destroy_in_catch_up::<T>(a, CatchUpTrim),
        (Destroy, ThreadExit) => destroy_at_thread_exit::<T>(a),
        (Destroy, TeardownOverCapacity) => destroy_own_in_teardown::<T>(a),
        (Destroy, PoolDrop) => destroy_in_pool_drop::<T>(a, false),
        (Destroy, PoolDropInTeardown) => destroy_in_pool_drop::<T>(a, true),
        (Capacity, Call) => capacity_at_first_use::<T>(a),
        (Capacity, ThreadExit) => capacity_in_teardown::<T>(a),
        _ => panic!("no scenario for {row:?}"),
    };
    finish::<T>(row, fires);
}

/// What every row checks at its end: the fault happened (else the row
/// tests nothing), every re-entry ran to its end, the books balance, and
/// the pool keeps working.
fn finish<T: Probe>(row: Row, fires: u64) {
    let hooks = T::hooks();
    hooks.disarm();
    assert_eq!(
        hooks.fired(row.point),
        fires,
        "{row:?}: the fault fired a different number of times"
    );
    if row.action.is_reentry() {
        assert_eq!(hooks.reentered(), fires, "{row:?}: a re-entry did not end");
    }
    if row.action == Action::ReenterOther {
        books::<T::Other>(0);
        assert!(
            <T::Other>::pool().stats().acquired >= 2 * fires,
            "{row:?}: the other pool was not used"
        );
    }
    if row.action == Action::ReenterRegistry {
        assert!(
            Vec::<PhantomData<T>>::pool().stats().acquired >= 1,
            "{row:?}: the registry pool was not used"
        );
    }
    books::<T>(0);
    keeps_working::<T>();
    let s = books::<T>(0);
    // A `Pool` value's own stats went with it.
    if !matches!(row.context, Context::PoolDrop | Context::PoolDropInTeardown) {
        let panicked = if (row.point, row.action) == (Point::Destroy, Action::Panic) {
            fires
        } else {
            0
        };
        assert_eq!(s.drop_panicked, panicked, "{row:?}: {s:?}");
    }
}

fn stats<T: Probe>() -> Stats {
    T::pool().stats()
}

/// Leaves one idle object in this thread's cache, then clears the pool
/// from another thread: this cache is behind, and its next operation
/// catches up (drops that object).
fn behind_a_remote_clear<T: Probe>() {
    drop(T::acquire());
    on_another_thread(|| T::pool().clear());
}

fn reset_in_call<T: Probe>(a: Action) -> u64 {
    drop(T::acquire());
    let guard = T::acquire();
    let before = stats::<T>();
    T::hooks().arm(Point::Reset, a, 0, 1);
    let result = catch(move || drop(guard));
    let step = stats::<T>().since(&before);
    if a != Action::Panic {
        no_panic(result, "no panic expected");
        return 1;
    }
    // Not unwinding: the reset's panic reaches whoever dropped the guard,
    // and the object is dropped.
    expect_panic(result, Point::Reset.message());
    assert_eq!(
        (step.reset_panicked, step.discarded, step.returned),
        (1, 1, 0),
        "{step:?}"
    );
    // Already unwinding: swallowed (counted), never an abort.
    T::hooks().arm(Point::Reset, a, 0, 1);
    let result = catch(|| {
        let _guard = T::acquire();
        std::panic::panic_any("user code panicked");
    });
    expect_panic(result, "user code panicked");
    assert_eq!(stats::<T>().since(&before).reset_panicked, 2);
    2
}

fn reset_in_catch_up<T: Probe>(a: Action) -> u64 {
    let guard = T::acquire();
    behind_a_remote_clear::<T>();
    T::hooks().arm(Point::Reset, a, 0, 1);
    let result = catch(move || drop(guard));
    if a == Action::Panic {
        expect_panic(result, Point::Reset.message());
        assert_eq!(stats::<T>().reset_panicked, 1);
    } else {
        no_panic(result, "no panic expected");
    }
    1
}

/// A guard dropped in a thread-local destructor after the runtime's own:
/// a reset that panics there is swallowed (counted), never an abort.
fn reset_in_teardown<T: Probe>(a: Action) -> u64 {
    let (done, finished) = mpsc::channel();
    let before = stats::<T>();
    let worker = thread::spawn(move || {
        teardown_first();
        drop(T::acquire());
        let guard = T::acquire();
        T::hooks().arm(Point::Reset, a, 0, 1);
        in_teardown(move || {
            drop(guard);
            done.send(()).unwrap();
        });
    });
    assert!(worker.join().is_ok(), "the worker panicked");
    finished
        .recv_timeout(PATIENCE)
        .expect("the guard's drop in teardown returned");
    if a == Action::Panic {
        let step = stats::<T>().since(&before);
        assert_eq!((step.reset_panicked, step.discarded), (1, 1), "{step:?}");
    }
    1
}

fn construct_in_acquire<T: Probe>(a: Action) -> u64 {
    let before = stats::<T>();
    let built = T::hooks().built();
    T::hooks().arm(Point::Construct, a, 0, 1);
    let result = catch(T::acquire);
    if a != Action::Panic {
        drop(no_panic(result, "no panic expected"));
        return 1;
    }
    // Nothing counted: no guard handed out, no object built.
    expect_panic(result, Point::Construct.message());
    let step = stats::<T>().since(&before);
    assert_eq!((step.acquired, step.built), (0, 0), "{step:?}");
    assert_eq!(T::hooks().built(), built);
    1
}

fn construct_in_prewarm<T: Probe>(a: Action) -> u64 {
    let capacity = T::pool().capacity();
    let before = stats::<T>();
    let (built, dropped) = (T::hooks().built(), T::hooks().dropped());
    if a == Action::Panic {
        // The third construction panics: the panic reaches the caller, the
        // two objects already built are dropped, nothing is counted, and
        // no capacity is lost.
        T::hooks().arm(Point::Construct, a, 2, 1);
        expect_panic(catch(|| T::pool().prewarm(5)), Point::Construct.message());
        assert_eq!(T::hooks().built() - built, 2);
        assert_eq!(T::hooks().dropped() - dropped, 2, "objects leaked");
        let step = stats::<T>().since(&before);
        assert_eq!((step.built, step.idle), (0, 0), "{step:?}");
        T::hooks().disarm();
        assert_eq!(T::pool().prewarm(capacity), capacity, "capacity lost");
        return 1;
    }
    // The first construction re-enters. Counted: what `prewarm` stocked and
    // what the re-entry built; refused (over capacity): at most the
    // re-entry's own returns, never an object `prewarm` could not stock.
    T::hooks().arm(Point::Construct, a, 0, 1);
    let stocked = T::pool().prewarm(capacity) as u64;
    let step = stats::<T>().since(&before);
    assert_eq!(
        step.built,
        stocked + (step.acquired - step.reused),
        "{stocked} stocked: {step:?}"
    );
    assert_eq!(
        step.returned + step.over_capacity,
        step.acquired,
        "over capacity counts what prewarm could not stock: {step:?}"
    );
    1
}

fn construct_in_catch_up<T: Probe>(a: Action) -> u64 {
    behind_a_remote_clear::<T>();
    let before = stats::<T>();
    T::hooks().arm(Point::Construct, a, 0, 1);
    let result = catch(T::acquire);
    if a == Action::Panic {
        expect_panic(result, Point::Construct.message());
        let step = stats::<T>().since(&before);
        assert_eq!((step.acquired, step.built), (0, 0), "{step:?}");
    } else {
        drop(no_panic(result, "no panic expected"));
    }
    assert_eq!(stats::<T>().since(&before).trimmed, 1, "no catch-up");
    1
}

/// `acquire()` in a thread-local destructor after the runtime's own: the
/// constructor's panic reaches that caller, which handles it.
fn construct_in_teardown<T: Probe>(a: Action) -> u64 {
    // Uses the pool (the runtime's thread-local comes second) and leaves
    // nothing idle that the acquire in teardown could reuse.
    acquire_in_teardown::<T>(Point::Construct, a, || {
        drop(T::acquire());
        T::pool().clear();
    })
}

/// On a thread that first runs `first` (a pool operation, so that the
/// runtime's thread-local comes second), `acquire()` in a thread-local
/// destructor after the runtime's own, with `point` armed with `a`: the
/// hook's panic, if `a` is one, reaches that caller.
fn acquire_in_teardown<T: Probe>(
    point: Point,
    a: Action,
    first: impl FnOnce() + Send + 'static,
) -> u64 {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        teardown_first();
        first();
        in_teardown(move || {
            T::hooks().arm(point, a, 0, 1);
            let result = catch(|| drop(T::acquire()));
            done.send(result.map_err(|p| payload(&*p))).unwrap();
        });
    });
    assert!(worker.join().is_ok(), "the worker panicked");
    let result = finished.recv_timeout(PATIENCE).expect("teardown ran");
    if a == Action::Panic {
        assert_eq!(result, Err(Some(point.message())));
    } else {
        assert_eq!(result, Ok(()));
    }
    1
}

/// Fills the pool to capacity from this thread and returns one more guard,
/// whose object the pool drops.
fn destroy_over_capacity<T: Probe>(a: Action) -> u64 {
    let over_capacity = |a: Action, while_panicking: bool| {
        let capacity = T::pool().capacity();
        let mut guards: Vec<_> = (0..=capacity).map(|_| T::acquire()).collect();
        let last = guards.pop().unwrap();
        drop(guards);
        let before = stats::<T>();
        assert_eq!(before.idle, capacity, "{before:?}");
        T::hooks().arm(Point::Destroy, a, 0, 1);
        let result = if while_panicking {
            catch(move || {
                let _last = last;
                std::panic::panic_any("user code panicked");
            })
        } else {
            catch(move || drop(last))
        };
        let step = stats::<T>().since(&before);
        assert_eq!(step.over_capacity, 1, "{step:?}");
        result
    };
    let result = over_capacity(a, false);
    if a != Action::Panic {
        no_panic(result, "no panic expected");
        return 1;
    }
    // The caller's own object: its destructor's panic reaches whoever
    // dropped the guard, like a `Box`'s; while unwinding it is swallowed.
    expect_panic(result, Point::Destroy.message());
    expect_panic(over_capacity(a, true), "user code panicked");
    2
}

fn destroy_oversized<T: Probe>(a: Action) -> u64 {
    let mut guard = T::acquire();
    guard.grow();
    let before = stats::<T>();
    T::hooks().arm(Point::Destroy, a, 0, 1);
    let result = catch(move || drop(guard));
    assert_eq!(stats::<T>().since(&before).oversized, 1);
    if a == Action::Panic {
        expect_panic(result, Point::Destroy.message());
    } else {
        no_panic(result, "no panic expected");
    }
    1
}

fn destroy_after_reset_panic<T: Probe>(a: Action) -> u64 {
    let guard = T::acquire();
    let before = stats::<T>();
    T::hooks().arm(Point::Reset, Action::Panic, 0, 1);
    T::hooks().arm(Point::Destroy, a, 0, 1);
    let result = catch(move || drop(guard));
    let step = stats::<T>().since(&before);
    assert_eq!((step.reset_panicked, step.discarded), (1, 1), "{step:?}");
    assert_eq!(T::hooks().fired(Point::Reset), 1);
    let panic = result.expect_err("the reset's panic reached the caller");
    if a == Action::Panic {
        // Two panics, one caller: which one it sees is not specified.
        let seen = payload(&*panic);
        assert!(
            seen == Some(Point::Reset.message()) || seen == Some(Point::Destroy.message()),
            "{seen:?}"
        );
    } else {
        assert_eq!(payload(&*panic), Some(Point::Reset.message()));
    }
    1
}

/// Idle objects in this thread's cache and in the shared layer (`prewarm`
/// spreads its objects over every stash); returns how many.
fn fill<T: Probe>() -> usize {
    let guards: Vec<_> = (0..3).map(|_| T::acquire()).collect();
    drop(guards);
    T::pool().prewarm(T::pool().capacity());
    stats::<T>().idle
}

/// An explicit `clear()` (or the second `trim()`) meets panicking
/// destructors: the whole sweep finishes, then the first panic reaches the
/// caller.
fn destroy_in_sweep<T: Probe>(a: Action, trim: bool) -> u64 {
    let idle = fill::<T>();
    let capacity = T::pool().capacity();
    assert!(idle > 3, "{:?}", stats::<T>());
    if trim {
        T::pool().trim();
        assert_eq!(stats::<T>().idle, idle, "objects survive one trim");
    }
    let before = stats::<T>();
    let fires = if a == Action::Panic { idle as u64 } else { 1 };
    T::hooks().arm(Point::Destroy, a, 0, fires);
    let result = if trim {
        catch(|| T::pool().trim())
    } else {
        catch(|| T::pool().clear())
    };
    if a != Action::Panic {
        no_panic(result, "no panic expected");
        return fires;
    }
    expect_panic(result, Point::Destroy.message());
    let step = stats::<T>().since(&before);
    assert_eq!((step.idle, step.trimmed), (0, idle as u64), "{step:?}");
    T::hooks().disarm();
    assert_eq!(T::pool().prewarm(capacity), capacity, "capacity lost");
    fires
}

/// This thread's cache is behind a `clear()` (or two `trim()`s) made on
/// another thread, and an idle object's destructor runs in the implicit
/// catch-up of an `acquire()` or a guard's drop: never propagated, and the
/// caller's own object is not lost.
fn destroy_in_catch_up<T: Probe>(a: Action, context: Context) -> u64 {
    let guard = T::acquire();
    let address = &*guard as *const T as usize;
    drop(T::acquire());
    if context == Context::CatchUpTrim {
        on_another_thread(|| {
            T::pool().trim();
            T::pool().trim();
        });
    } else {
        on_another_thread(|| T::pool().clear());
    }
    let before = stats::<T>();
    T::hooks().arm(Point::Destroy, a, 0, 1);
    if context == Context::CatchUpAcquire {
        let result = catch(T::acquire);
        drop(no_panic(result, "an idle object's panic reached acquire()"));
        drop(guard);
    } else {
        let result = catch(move || drop(guard));
        no_panic(result, "an idle object's panic reached the guard's drop");
        let step = stats::<T>().since(&before);
        let inner = if a == Action::ReenterSame { 2 } else { 0 };
        assert_eq!(step.returned, 1 + inner, "{step:?}");
        if a == Action::Panic {
            assert_eq!(step.idle, 1, "the returned object is not idle: {step:?}");
            let again = T::acquire();
            assert_eq!(&*again as *const T as usize, address, "another object");
        }
    }
    assert_eq!(stats::<T>().since(&before).trimmed, 1, "no catch-up");
    1
}

/// A worker leaves an idle object in its cache; this thread clears the
/// pool; the worker exits, and its cache is handed back from the runtime's
/// thread-local destructor, which drops that object: a panic there is
/// caught and counted, never an abort (issue 9, defect 2).
fn destroy_at_thread_exit<T: Probe>(a: Action) -> u64 {
    idle_object_dropped_at_thread_exit::<T>(a, || T::pool().clear());
    1
}

/// A guard dropped over capacity in a thread-local destructor after the
/// runtime's own: its object's destructor panics there; swallowed
/// (counted), never an abort.
fn destroy_own_in_teardown<T: Probe>(a: Action) -> u64 {
    let (acquired, wait_acquired) = mpsc::channel();
    let (exit, wait_exit) = mpsc::channel::<()>();
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        teardown_first();
        let guard = T::acquire();
        in_teardown(move || {
            drop(guard);
            done.send(()).unwrap();
        });
        acquired.send(()).unwrap();
        wait_exit.recv().unwrap();
    });
    wait_acquired.recv().unwrap();
    // Now fill the pool: the worker's guard comes back over capacity.
    let capacity = T::pool().capacity();
    drop((0..capacity).map(|_| T::acquire()).collect::<Vec<_>>());
    let before = stats::<T>();
    assert_eq!(before.idle, capacity, "{before:?}");
    T::hooks().arm(Point::Destroy, a, 0, 1);
    exit.send(()).unwrap();
    assert!(worker.join().is_ok(), "the worker panicked");
    finished
        .recv_timeout(PATIENCE)
        .expect("the guard's drop in teardown returned");
    let step = stats::<T>().since(&before);
    assert_eq!(step.over_capacity, 1, "{step:?}");
    1
}

/// A `Pool` value with idle objects in this thread's cache, in the shared
/// layer, and handed back by a thread that exited, dropped by its last
/// `Arc` on another thread (`in_teardown`: in a thread-local destructor):
/// every object is dropped and no panic leaves the pool's drop.
fn destroy_in_pool_drop<T: Probe>(a: Action, teardown: bool) -> u64 {
    let fill = |pool: &Pool<T>| {
        let guards: Vec<_> = (0..3).map(|_| pool.acquire()).collect();
        drop(guards);
        pool.prewarm(4);
        pool.stats().idle as u64
    };
    let fires = if teardown {
        let (done, finished) = mpsc::channel();
        let (idle, wait_idle) = mpsc::channel();
        let worker = thread::spawn(move || {
            teardown_first();
            let pool = Pool::from_fn(T::make).with_capacity(8);
            let n = fill(&pool);
            let fires = if a == Action::Panic { n } else { 1 };
            T::hooks().arm(Point::Destroy, a, 0, fires);
            in_teardown(move || {
                drop(pool);
                done.send(()).unwrap();
            });
            idle.send(fires).unwrap();
        });
        let fires = wait_idle.recv().unwrap();
        assert!(worker.join().is_ok(), "the worker panicked");
        finished
            .recv_timeout(PATIENCE)
            .expect("the pool's drop in teardown returned");
        fires
    } else {
        let pool = Arc::new(Pool::from_fn(T::make).with_capacity(8));
        let theirs = Arc::clone(&pool);
        thread::spawn(move || drop(theirs.acquire()))
            .join()
            .unwrap();
        let n = fill(&pool);
        assert!(n >= 5, "{:?}", pool.stats());
        let fires = if a == Action::Panic { n } else { 1 };
        T::hooks().arm(Point::Destroy, a, 0, fires);
        let last = Arc::clone(&pool);
        drop(pool);
        let dropper = thread::spawn(move || drop(last));
        assert!(
            dropper.join().is_ok(),
            "a panic left the pool's drop on the thread of the last `Arc`"
        );
        fires
    };
    let hooks = T::hooks();
    assert_eq!(
        hooks.built(),
        hooks.dropped(),
        "not every object was dropped"
    );
    fires
}

/// The capacity expression of a generic type runs at its pool's first use,
/// in `acquire()`.
fn capacity_at_first_use<T: Probe>(a: Action) -> u64 {
    T::hooks().arm(Point::Capacity, a, 0, 1);
    let result = catch(|| drop(T::acquire()));
    if a == Action::Panic {
        // The panic reaches the caller; the pool is made at the next use.
        expect_panic(result, Point::Capacity.message());
        drop(T::acquire());
    } else {
        no_panic(result, "no panic expected");
    }
    assert_eq!(T::pool().capacity(), 8);
    1
}

/// A generic type's first use in a thread-local destructor after the
/// runtime's own.
fn capacity_in_teardown<T: Probe>(a: Action) -> u64 {
    // A pool operation, so the runtime's thread-local comes second.
    acquire_in_teardown::<T>(Point::Capacity, a, || drop(String::acquire()))
}

/// Declares one row: a module with the row's types (`Obj`, and `Other` for
/// its re-entries) and a test that runs it.
macro_rules! row {
    ($name:ident: Capacity, $context:ident, $action:ident) => {
        mod $name {
            probe_generic!(Obj, other = Other);
            probe!(Other, capacity = 8, other = Other);
            type Probed = Obj<()>;
            row!(@test Capacity, $context, $action);
        }
    };
    ($name:ident: $point:ident, $context:ident, $action:ident) => {
        mod $name {
            probe!(Obj, capacity = 8, other = Other);
            probe!(Other, capacity = 8, other = Other);
            type Probed = Obj;
            row!(@test $point, $context, $action);
        }
    };
    (@test $point:ident, $context:ident, $action:ident) => {
        #[test]
        fn row() {
            let test = concat!(module_path!(), "::row");
            // The name `cargo test` prints, without the crate's.
            let test = test.split_once("::").unwrap().1;
            super::run::<Probed>(
                test,
                super::Row {
                    point: crate::Point::$point,
                    context: crate::Context::$context,
                    action: crate::Action::$action,
                },
            );
        }
    };
}

/// The table: every point where the runtime calls user code, from every
/// context in which it does, with a panic and with each re-entry that makes
/// sense there. (A reset and a constructor never run in a pool's drop; a
/// capacity expression runs once, at the pool's first use, and cannot use
/// its own pool, which does not exist yet.)
mod table {
    use super::*;

    macro_rules! table {
        ($($name:ident: $point:ident, $context:ident, $action:ident;)*) => {
            $(row!($name: $point, $context, $action);)*
        };
    }

    table! {
        reset_call_panic: Reset, Call, Panic;
        reset_call_reenter_same: Reset, Call, ReenterSame;
        reset_call_reenter_other: Reset, Call, ReenterOther;
        reset_catch_up_panic: Reset, CatchUpReturn, Panic;
        reset_catch_up_reenter_same: Reset, CatchUpReturn, ReenterSame;
        reset_catch_up_reenter_other: Reset, CatchUpReturn, ReenterOther;
        reset_thread_exit_panic: Reset, ThreadExit, Panic;
        reset_thread_exit_reenter_same: Reset, ThreadExit, ReenterSame;
        reset_thread_exit_reenter_other: Reset, ThreadExit, ReenterOther;

        construct_acquire_panic: Construct, Call, Panic;
        construct_acquire_reenter_same: Construct, Call, ReenterSame;
        construct_acquire_reenter_other: Construct, Call, ReenterOther;
        construct_prewarm_panic: Construct, Prewarm, Panic;
        construct_prewarm_reenter_same: Construct, Prewarm, ReenterSame;
        construct_prewarm_reenter_other: Construct, Prewarm, ReenterOther;
        construct_catch_up_panic: Construct, CatchUpAcquire, Panic;
        construct_catch_up_reenter_same: Construct, CatchUpAcquire, ReenterSame;
        construct_catch_up_reenter_other: Construct, CatchUpAcquire, ReenterOther;
        construct_thread_exit_panic: Construct, ThreadExit, Panic;
        construct_thread_exit_reenter_same: Construct, ThreadExit, ReenterSame;
        construct_thread_exit_reenter_other: Construct, ThreadExit, ReenterOther;

        destroy_over_capacity_panic: Destroy, OverCapacity, Panic;
        destroy_over_capacity_reenter_same: Destroy, OverCapacity, ReenterSame;
        destroy_over_capacity_reenter_other: Destroy, OverCapacity, ReenterOther;
        destroy_oversized_panic: Destroy, Oversized, Panic;
        destroy_oversized_reenter_same: Destroy, Oversized, ReenterSame;
        destroy_oversized_reenter_other: Destroy, Oversized, ReenterOther;
        destroy_after_reset_panic_panic: Destroy, ResetPanicked, Panic;
        destroy_after_reset_panic_reenter_same: Destroy, ResetPanicked, ReenterSame;
        destroy_after_reset_panic_reenter_other: Destroy, ResetPanicked, ReenterOther;
        destroy_clear_panic: Destroy, Clear, Panic;
        destroy_clear_reenter_same: Destroy, Clear, ReenterSame;
        destroy_clear_reenter_other: Destroy, Clear, ReenterOther;
        destroy_trim_panic: Destroy, Trim, Panic;
        destroy_trim_reenter_same: Destroy, Trim, ReenterSame;
        destroy_trim_reenter_other: Destroy, Trim, ReenterOther;
        destroy_catch_up_acquire_panic: Destroy, CatchUpAcquire, Panic;
        destroy_catch_up_acquire_reenter_same: Destroy, CatchUpAcquire, ReenterSame;
        destroy_catch_up_acquire_reenter_other: Destroy, CatchUpAcquire, ReenterOther;
        destroy_catch_up_return_panic: Destroy, CatchUpReturn, Panic;
        destroy_catch_up_return_reenter_same: Destroy, CatchUpReturn, ReenterSame;
        destroy_catch_up_return_reenter_other: Destroy, CatchUpReturn, ReenterOther;
        destroy_catch_up_trim_panic: Destroy, CatchUpTrim, Panic;
        destroy_catch_up_trim_reenter_same: Destroy, CatchUpTrim, ReenterSame;
        destroy_catch_up_trim_reenter_other: Destroy, CatchUpTrim, ReenterOther;
        destroy_thread_exit_panic: Destroy, ThreadExit, Panic;
        destroy_thread_exit_reenter_same: Destroy, ThreadExit, ReenterSame;
        destroy_thread_exit_reenter_other: Destroy, ThreadExit, ReenterOther;
        destroy_teardown_over_capacity_panic: Destroy, TeardownOverCapacity, Panic;
        destroy_teardown_over_capacity_reenter_same: Destroy, TeardownOverCapacity, ReenterSame;
        destroy_teardown_over_capacity_reenter_other: Destroy, TeardownOverCapacity, ReenterOther;
        destroy_pool_drop_panic: Destroy, PoolDrop, Panic;
        destroy_pool_drop_reenter_other: Destroy, PoolDrop, ReenterOther;
        destroy_pool_drop_in_teardown_panic: Destroy, PoolDropInTeardown, Panic;
        destroy_pool_drop_in_teardown_reenter_other: Destroy, PoolDropInTeardown, ReenterOther;

        capacity_first_use_panic: Capacity, Call, Panic;
        capacity_first_use_reenter_other: Capacity, Call, ReenterOther;
        capacity_first_use_reenter_registry: Capacity, Call, ReenterRegistry;
        capacity_thread_exit_panic: Capacity, ThreadExit, Panic;
        capacity_thread_exit_reenter_other: Capacity, ThreadExit, ReenterOther;
    }
}

// ---------------------------------------------------------------------------
// The regression tests of issue 9, each with types of its own.
// ---------------------------------------------------------------------------

/// Defect 1: an idle object's destructor panics in the catch-up of a
/// guard's drop. The returned object must not be lost: it ends idle.
#[test]
fn defect1_a_panicking_idle_destructor_in_a_returns_catch_up_loses_nothing() {
    probe!(T, capacity = 8, other = T);
    within_patience(|| {
        let a = T::acquire();
        let b = T::acquire();
        let address = &*b as *const T as usize;
        drop(a);
        on_another_thread(|| T::pool().clear());
        T::hooks().arm(Point::Destroy, Action::Panic, 0, 1);
        let result = catch(move || drop(b));
        no_panic(result, "an idle object's panic reached the guard's drop");
        let s = books::<T>(0);
        assert_eq!(T::hooks().fired(Point::Destroy), 1);
        assert_eq!(
            (s.idle, s.trimmed, s.returned),
            (1, 1, 2),
            "b is not idle: {s:?}"
        );
        let again = T::acquire();
        assert_eq!(&*again as *const T as usize, address, "b is not idle");
        drop(again);
        let s = books::<T>(0);
        assert_eq!(s.drop_panicked, 1, "{s:?}");
    });
}

/// Defect 1, the acquire path: `acquire()` must not panic because of an
/// unrelated idle object.
#[test]
fn defect1_a_panicking_idle_destructor_in_an_acquires_catch_up_is_not_propagated() {
    probe!(T, capacity = 8, other = T);
    within_patience(|| {
        drop(T::acquire());
        on_another_thread(|| T::pool().clear());
        T::hooks().arm(Point::Destroy, Action::Panic, 0, 1);
        let result = catch(T::acquire);
        let guard = no_panic(result, "an idle object's panic reached acquire()");
        books::<T>(1);
        drop(guard);
        let s = books::<T>(0);
        assert_eq!((s.trimmed, s.idle), (1, 1), "{s:?}");
        assert_eq!(s.drop_panicked, 1, "{s:?}");
    });
}

/// Defect 4: threads parked with a round trip behind two `clear()`s leave
/// the pool usable for the others.
#[test]
fn defect4_parked_threads_do_not_starve_the_pool() {
    probe!(T, capacity = 64, other = T);
    within_patience(|| {
        parked_threads_leave_the_pool_usable::<T>(8, || {
            T::pool().clear();
            T::pool().clear();
        });
    });
}

#[test]
fn defect4_parked_threads_do_not_starve_a_pool_of_default_capacity() {
    probe!(T, other = T);
    within_patience(|| {
        assert_eq!(T::pool().capacity(), 1024);
        parked_threads_leave_the_pool_usable::<T>(128, || {
            T::pool().clear();
            T::pool().clear();
        });
    });
}

/// Defect 5: the bound a pool reports is the bound it keeps, also when set
/// after the pool's first use.
#[test]
fn defect5_with_capacity_after_first_use_is_the_bound_kept() {
    within_patience(|| {
        let pool: Pool<Vec<u8>> = Pool::new();
        drop(pool.acquire());
        let pool = pool.with_capacity(2);
        assert_eq!(pool.capacity(), 2);
        let guards: Vec<_> = (0..100).map(|_| pool.acquire()).collect();
        drop(guards);
        let s = pool.stats();
        assert!(s.idle <= 2, "capacity() says 2: {s:?}");
        assert_eq!(s.acquired, s.returned + s.discarded, "{s:?}");
        assert_eq!(s.built, s.idle as u64 + s.discarded + s.trimmed, "{s:?}");
    });
}

/// With no guard held, the pool's books balance ([`books`]) and so does
/// `built == idle + discarded + detached + trimmed + in use`, where the
/// objects in use are `acquired - returned - discarded - detached`, which
/// is zero with no guard held (the identity `Stats` documents).
fn assert_quiescent<T: Probe>() {
    let s = books::<T>(0);
    let in_use = i128::from(s.acquired)
        - i128::from(s.returned)
        - i128::from(s.discarded)
        - i128::from(s.detached);
    assert_eq!(in_use, 0, "no guard is held: {s:?}");
    assert_eq!(
        i128::from(s.built),
        s.idle as i128
            + i128::from(s.discarded)
            + i128::from(s.detached)
            + i128::from(s.trimmed)
            + in_use,
        "{s:?}"
    );
}

/// Defect 6: other objects occupy part of the pool (in this thread's cache
/// and handed back by a thread that exited); `prewarm(n)` for more than
/// the room left counts exactly what it stocked.
#[test]
fn defect6_prewarm_into_a_partly_occupied_pool_counts_what_it_stocked() {
    probe!(T, capacity = 16, other = T);
    within_patience(|| {
        let mine: Vec<_> = (0..4).map(|_| T::acquire()).collect();
        on_another_thread(|| drop((0..3).map(|_| T::acquire()).collect::<Vec<_>>()));
        drop(mine);
        let before = T::pool().stats();
        assert_eq!(before.idle, 7, "{before:?}");
        let stocked = T::pool().prewarm(100);
        let s = T::pool().stats();
        let step = s.since(&before);
        assert!((1..=16 - 7).contains(&stocked), "{stocked} stocked: {s:?}");
        assert_eq!(step.built, stocked as u64, "{step:?}");
        assert_eq!(step.over_capacity, 0, "{step:?}");
        assert_eq!(s.idle, 7 + stocked, "{s:?}");
        assert_quiescent::<T>();
    });
}

/// Defect 6, deterministic on one thread: the constructor returns objects
/// to the same pool while `prewarm` builds, so the room `prewarm` saw is
/// gone when it stocks. What it could not stock was never acquired: not
/// "dropped on return", not built.
#[test]
fn defect6_prewarm_with_a_reentrant_constructor_counts_what_it_stocked() {
    probe!(T, capacity = 8, other = T);
    within_patience(|| {
        let before = T::pool().stats();
        T::hooks().arm(Point::Construct, Action::ReenterSame, 0, 1);
        let stocked = T::pool().prewarm(8) as u64;
        assert_eq!(T::hooks().reentered(), 1);
        let s = T::pool().stats();
        let step = s.since(&before);
        // The re-entry acquired two guards at once (two misses) and returned
        // them: each went idle or was refused over capacity (if `prewarm` holds
        // the room it saw), and that is all `over_capacity` counts.
        assert_eq!((step.acquired, step.reused), (2, 0), "{step:?}");
        assert_eq!(step.built, stocked + 2, "{stocked} stocked: {step:?}");
        assert_eq!(
            step.returned + step.over_capacity,
            2,
            "over capacity counts what prewarm could not stock: {step:?}"
        );
        assert_quiescent::<T>();
    });
}

/// Defect 6, concurrent: threads return objects while another prewarms.
/// First exactly at the worst moment (the returns happen while `prewarm`
/// builds, held there by its constructor), then free-running rounds; the
/// identity holds at every quiescence.
#[test]
fn defect6_prewarm_racing_returns_keeps_the_books_exact() {
    probe!(T, capacity = 64, other = T);
    within_patience(|| {
        let ready = Arc::new(Barrier::new(3));
        let returners: Vec<_> = (0..2)
            .map(|_| {
                let ready = Arc::clone(&ready);
                thread::spawn(move || {
                    let guards: Vec<_> = (0..16).map(|_| T::acquire()).collect();
                    ready.wait();
                    T::hooks().wait_at_gate();
                    drop(guards);
                })
            })
            .collect();
        ready.wait();
        T::hooks().arm(Point::Construct, Action::Gate, 0, 1);
        let opener = thread::spawn(|| {
            for returner in returners {
                returner.join().unwrap();
            }
            T::hooks().open_gate();
        });
        let before = T::pool().stats();
        let stocked = T::pool().prewarm(64) as u64;
        opener.join().unwrap();
        let s = T::pool().stats();
        let step = s.since(&before);
        assert_eq!(T::hooks().fired(Point::Construct), 1);
        assert_eq!(step.built, stocked, "{stocked} stocked: {step:?}");
        // The returners' 32 returns went idle or were refused over capacity;
        // nothing else is counted there.
        assert_eq!(
            step.returned + step.over_capacity,
            32,
            "over capacity counts what prewarm could not stock: {step:?}"
        );
        assert_quiescent::<T>();

        for _ in 0..20 {
            T::pool().clear();
            let returners: Vec<_> = (0..2)
                .map(|_| {
                    thread::spawn(|| {
                        for _ in 0..4 {
                            drop((0..12).map(|_| T::acquire()).collect::<Vec<_>>());
                        }
                    })
                })
                .collect();
            T::pool().prewarm(64);
            for returner in returners {
                returner.join().unwrap();
            }
            assert_quiescent::<T>();
        }
    });
}

/// Defect 8: several idle objects (in this thread's cache and in every
/// stash) panic in `Drop` while `clear()` drops them: the whole sweep
/// finishes, then the first panic reaches the caller.
#[test]
fn defect8_clear_finishes_its_sweep_past_panicking_destructors() {
    probe!(T, capacity = 32, other = T);
    within_patience(|| {
        drop((0..4).map(|_| T::acquire()).collect::<Vec<_>>());
        T::pool().prewarm(32);
        let idle = T::pool().stats().idle;
        assert!(idle > 4, "{:?}", T::pool().stats());
        T::hooks().arm(Point::Destroy, Action::Panic, 0, u64::MAX);
        let result = catch(|| T::pool().clear());
        T::hooks().disarm();
        expect_panic(result, Point::Destroy.message());
        let s = books::<T>(0);
        assert_eq!(s.idle, 0, "clear() stopped part-way: {s:?}");
        assert_eq!(s.trimmed, idle as u64, "{s:?}");
        assert_eq!(T::hooks().fired(Point::Destroy), idle as u64);
        assert_eq!(T::pool().prewarm(32), 32, "capacity lost");
        assert_eq!(books::<T>(0).drop_panicked, idle as u64);
    });
}
