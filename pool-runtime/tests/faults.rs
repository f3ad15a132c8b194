//! Faults: user code that panics, guards that are forgotten or outlive
//! their thread, thread-local teardown, threads that exit with full caches,
//! and a process that exits while guards are alive. After each, the pool's
//! books must balance: every object built is dropped, idle, held or
//! detached, and the pool keeps working.
//!
//! Most types here implement `Pooled` as `#[derive(Pooled)]` does, with the
//! per-type thread-local cache pointer that a thread's exit must empty
//! before its slot is reused; the constructor tests use the plain path.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::thread::{self, LocalKey};

use pool_runtime::__private::LocalCache;
use pool_runtime::{Guard, Pool, Pooled, Reset, Stats};

/// A type with its own static pool and its own counters, so that tests
/// running in parallel never share either.
macro_rules! counted {
    ($name:ident, capacity = $capacity:expr) => {
        struct $name {
            /// Makes the next reset panic.
            fail_reset: bool,
            /// Makes the destructor panic.
            fail_drop: bool,
            dirty: bool,
        }

        impl $name {
            fn counters() -> &'static Counters {
                static COUNTERS: Counters = Counters::new();
                &COUNTERS
            }

            fn new() -> Self {
                Self::counters().built.fetch_add(1, SeqCst);
                Self {
                    fail_reset: false,
                    fail_drop: false,
                    dirty: false,
                }
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                Self::counters().dropped.fetch_add(1, SeqCst);
                if self.fail_drop {
                    panic!("destructor failed");
                }
            }
        }

        impl Reset for $name {
            fn reset(&mut self) {
                if std::mem::take(&mut self.fail_reset) {
                    panic!("reset failed");
                }
                self.dirty = false;
            }
        }

        /// As `#[derive(Pooled)]` writes it, with the thread-local cache
        /// pointer that skips the pool lookup (the path with the most to get
        /// wrong at thread exit).
        impl Pooled for $name {
            fn pool() -> &'static Pool<Self> {
                static POOL: Pool<$name> = Pool::from_fn($name::new).with_capacity($capacity);
                &POOL
            }

            fn __local_cache() -> Option<&'static LocalKey<LocalCache<Self>>> {
                thread_local! {
                    static CACHE: LocalCache<$name> = const { LocalCache::new() };
                }
                Some(&CACHE)
            }
        }
    };
}

struct Counters {
    built: AtomicU64,
    dropped: AtomicU64,
}

impl Counters {
    const fn new() -> Self {
        Self {
            built: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }
}

/// `built == dropped + idle + held`, and the pool's own counters agree.
fn assert_books<T: Pooled>(counters: &Counters, held: u64) -> Stats {
    let s = T::pool().stats();
    let built = counters.built.load(SeqCst);
    let dropped = counters.dropped.load(SeqCst);
    assert_eq!(built, s.built, "{s:?}");
    assert_eq!(
        built,
        dropped + s.idle as u64 + held,
        "built = dropped + idle + held: {s:?}"
    );
    assert_eq!(
        s.acquired,
        s.returned + s.discarded + s.detached + held,
        "every guard ended once, except those still held: {s:?}"
    );
    assert!(s.idle <= T::pool().capacity(), "{s:?}");
    s
}

counted!(ResetFails, capacity = 8);

#[test]
fn a_panicking_reset_discards_the_object_and_propagates() {
    let pool = ResetFails::pool();
    drop(ResetFails::acquire());
    let mut guard = ResetFails::acquire();
    guard.fail_reset = true;
    // Not unwinding: the reset's panic reaches whoever dropped the guard.
    let err = catch_unwind(AssertUnwindSafe(move || drop(guard))).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"reset failed"));
    let s = assert_books::<ResetFails>(ResetFails::counters(), 0);
    assert_eq!((s.reset_panicked, s.discarded, s.idle), (1, 1, 0), "{s:?}");

    // Already unwinding: the pool swallows the second panic (a panic in a
    // destructor during unwinding would abort the process).
    let err = catch_unwind(AssertUnwindSafe(|| {
        let mut guard = ResetFails::acquire();
        guard.fail_reset = true;
        panic!("user code failed");
    }))
    .unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"user code failed"));
    let s = assert_books::<ResetFails>(ResetFails::counters(), 0);
    assert_eq!(s.reset_panicked, 2, "{s:?}");

    // Still usable: round trips are reused again.
    drop(ResetFails::acquire());
    drop(ResetFails::acquire());
    let s = assert_books::<ResetFails>(ResetFails::counters(), 0);
    assert_eq!((s.idle, s.reused), (1, 2), "{s:?}");
    assert_eq!(pool.capacity(), 8);
}

counted!(ManyHeld, capacity = 64);

#[test]
fn user_code_panicking_with_many_guards_returns_them_all() {
    let result = catch_unwind(|| {
        let mut guards: Vec<Guard<ManyHeld>> = (0..41).map(|_| ManyHeld::acquire()).collect();
        for guard in &mut guards {
            guard.dirty = true;
        }
        panic!("request handler failed");
    });
    assert!(result.is_err());
    let s = assert_books::<ManyHeld>(ManyHeld::counters(), 0);
    assert_eq!((s.acquired, s.returned, s.idle), (41, 41, 41), "{s:?}");
    // Every one was reset on the way back.
    let again: Vec<_> = (0..41).map(|_| ManyHeld::acquire()).collect();
    assert!(again.iter().all(|g| !g.dirty));
    assert_eq!(ManyHeld::pool().stats().reused, 41);
}

counted!(Forgotten, capacity = 4);

/// Guards whose destructor never runs. Under Miri they are parked in a
/// static rather than `mem::forget`-ten: for the pool that is the same
/// (the guard never drops), but Miri's leak check would rightly report a
/// forgotten `Box` as leaked memory.
static NEVER_DROPPED: Mutex<Vec<Guard<Forgotten>>> = Mutex::new(Vec::new());

fn forget(guard: Guard<Forgotten>) {
    if cfg!(miri) {
        NEVER_DROPPED.lock().unwrap().push(guard);
    } else {
        std::mem::forget(guard);
    }
}

#[test]
fn forgotten_guards_leak_their_objects_but_not_the_capacity() {
    // A forgotten guard's object simply leaks: it is not idle, so it holds
    // no unit of the budget, and the pool's bound and books stay right.
    // The pool still counts it as acquired and never returned: "in use"
    // forever.
    for _ in 0..4 {
        forget(Forgotten::acquire());
    }
    let s = assert_books::<Forgotten>(Forgotten::counters(), 4);
    assert_eq!((s.acquired, s.built, s.idle), (4, 4, 0), "{s:?}");
    // The whole capacity is still there for new objects.
    let fresh: Vec<_> = (0..6).map(|_| Forgotten::acquire()).collect();
    drop(fresh);
    let s = assert_books::<Forgotten>(Forgotten::counters(), 4);
    assert_eq!((s.idle, s.returned, s.over_capacity), (4, 4, 2), "{s:?}");
    // Forgetting a reused object is no different.
    forget(Forgotten::acquire());
    let s = assert_books::<Forgotten>(Forgotten::counters(), 5);
    assert_eq!((s.idle, s.reused), (3, 1), "{s:?}");
    // Its unit came free: the pool fills up to capacity again.
    drop((0..5).map(|_| Forgotten::acquire()).collect::<Vec<_>>());
    let s = assert_books::<Forgotten>(Forgotten::counters(), 5);
    assert_eq!((s.idle, s.over_capacity), (4, 3), "{s:?}");
}

counted!(TlsHeld, capacity = 32);

thread_local! {
    static TLS_GUARDS: RefCell<Vec<Guard<TlsHeld>>> = const { RefCell::new(Vec::new()) };
}

/// Guards in a thread-local that is registered before the thread first
/// uses any pool: its destructor runs after the slot's lease is gone
/// (thread-local destructors run in reverse order of registration), so
/// the guards go back through the slot-less path. A second thread-local,
/// which the thread never touched before teardown, acquires and drops a
/// guard from its destructor: a thread's first pool use during teardown.
#[test]
fn guards_dropped_in_thread_local_destructors_are_returned() {
    struct AcquiresInDestructor;
    impl Drop for AcquiresInDestructor {
        fn drop(&mut self) {
            let mut guard = TlsHeld::acquire();
            guard.dirty = true;
            drop(guard);
        }
    }
    thread_local! {
        static LATE: AcquiresInDestructor = const { AcquiresInDestructor };
    }

    let worker = thread::spawn(|| {
        TLS_GUARDS.with(|g| g.borrow_mut().reserve(8));
        let guards: Vec<_> = (0..8).map(|_| TlsHeld::acquire()).collect();
        TLS_GUARDS.with(|g| g.borrow_mut().extend(guards));
    });
    worker.join().expect("no panic in thread-local destructors");
    let s = assert_books::<TlsHeld>(TlsHeld::counters(), 0);
    assert_eq!((s.acquired, s.returned, s.idle), (8, 8, 8), "{s:?}");

    // A thread whose only pool use is in a destructor during teardown.
    let late = thread::spawn(|| LATE.with(|_| ()));
    late.join().expect("no panic in thread-local destructors");
    let s = assert_books::<TlsHeld>(TlsHeld::counters(), 0);
    assert_eq!(
        (s.acquired, s.reused, s.returned, s.idle),
        (9, 1, 9, 8),
        "{s:?}"
    );

    // Everything came back where this thread reaches it.
    let all: Vec<_> = (0..8).map(|_| TlsHeld::acquire()).collect();
    assert!(all.iter().all(|g| !g.dirty));
    let s = assert_books::<TlsHeld>(TlsHeld::counters(), 8);
    assert_eq!((s.reused, s.built), (9, 8), "no object was stranded: {s:?}");
}

counted!(Outlives, capacity = 16);

#[test]
fn guards_dropped_after_their_thread_exited_are_returned() {
    let worker = thread::spawn(|| {
        let guards: Vec<_> = (0..6).map(|_| Outlives::acquire()).collect();
        // A round trip that leaves an object in the exiting thread's cache.
        drop(Outlives::acquire());
        guards
    });
    let guards = worker.join().unwrap();
    // The thread is gone, with its slot; its cached object was handed to
    // the shared layer.
    let s = assert_books::<Outlives>(Outlives::counters(), 6);
    assert_eq!(s.idle, 1, "{s:?}");
    // Its guards come back from a thread that never used the pool (and
    // that exits too, so they reach the shared layer).
    thread::spawn(move || drop(guards)).join().unwrap();
    let s = assert_books::<Outlives>(Outlives::counters(), 0);
    assert_eq!((s.returned, s.idle), (7, 7), "{s:?}");
    // Every one is reused by a third thread.
    let reuser = thread::spawn(|| {
        (0..7)
            .map(|_| Outlives::acquire())
            .collect::<Vec<_>>()
            .len()
    });
    assert_eq!(reuser.join().unwrap(), 7);
    let s = assert_books::<Outlives>(Outlives::counters(), 0);
    assert_eq!((s.reused, s.built), (7, 7), "{s:?}");
}

// Room for every object the threads below build, and for every unit their
// caches reserve, so no return is refused and the count is exact.
counted!(FullCaches, capacity = 1024);

#[test]
fn threads_exiting_with_full_caches_hand_every_object_over() {
    // Eight threads each fill their private cache (and overflow to the
    // shared layer), then exit.
    let per_thread = 40;
    let workers: Vec<_> = (0..8)
        .map(|_| {
            thread::spawn(move || {
                let guards: Vec<_> = (0..per_thread).map(|_| FullCaches::acquire()).collect();
                drop(guards);
                // And acquire again, so the cache is also one that acquires.
                drop(
                    (0..per_thread / 2)
                        .map(|_| FullCaches::acquire())
                        .collect::<Vec<_>>(),
                );
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let s = assert_books::<FullCaches>(FullCaches::counters(), 0);
    let built = s.built;
    assert_eq!(
        (s.idle as u64, s.over_capacity),
        (built, 0),
        "idle count preserved: {s:?}"
    );
    // Visible to another thread: it gets every one of them without building.
    let idle = s.idle;
    let reuser = thread::spawn(move || {
        let guards: Vec<_> = (0..idle).map(|_| FullCaches::acquire()).collect();
        guards.len()
    });
    assert_eq!(reuser.join().unwrap(), idle);
    let s = assert_books::<FullCaches>(FullCaches::counters(), 0);
    assert_eq!(s.built, built, "nothing rebuilt: {s:?}");
}

counted!(DropFails, capacity = 8);

/// A destructor that panics while `clear` drops idle objects. The panic
/// reaches the caller (as `Vec`'s does when an element's destructor
/// panics); the pool, like `Vec`, must still drop the other objects, and
/// it must not lose the capacity they held.
#[test]
fn a_panicking_destructor_in_clear_loses_neither_objects_nor_capacity() {
    let mut guards: Vec<_> = (0..8).map(|_| DropFails::acquire()).collect();
    for guard in &mut guards {
        guard.fail_drop = true;
    }
    drop(guards);
    assert_eq!(DropFails::pool().stats().idle, 8);
    let err = catch_unwind(|| DropFails::pool().clear()).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"destructor failed"));
    let s = DropFails::pool().stats();
    let dropped = DropFails::counters().dropped.load(SeqCst);
    assert_eq!(
        DropFails::counters().built.load(SeqCst),
        dropped + s.idle as u64,
        "objects neither dropped nor idle: lost ({s:?})"
    );
    // Whatever is left idle is dropped by a second clear, whose panics are
    // caught the same way; then the whole capacity must be free again.
    while DropFails::pool().stats().idle > 0 {
        let _ = catch_unwind(|| DropFails::pool().clear());
    }
    assert_eq!(DropFails::pool().prewarm(8), 8, "capacity lost");
}

counted!(AtExit, capacity = 16);

thread_local! {
    static EXIT_GUARDS: RefCell<Vec<Guard<AtExit>>> = const { RefCell::new(Vec::new()) };
}

/// The child half of `process_exit_with_guards_alive`: leaves guards alive
/// in a static, in thread-locals and in threads that are still running when
/// the process exits.
#[test]
#[ignore = "run in a child process by process_exit_with_guards_alive"]
fn process_exit_child() {
    static PARKED: Mutex<Vec<Guard<AtExit>>> = Mutex::new(Vec::new());
    static STARTED: AtomicU64 = AtomicU64::new(0);
    static STOP: AtomicBool = AtomicBool::new(false);
    for _ in 0..3 {
        thread::spawn(|| {
            STARTED.fetch_add(1, SeqCst);
            // Busy with the pool until the process ends under it.
            while !STOP.load(SeqCst) {
                let held: Vec<_> = (0..5).map(|_| AtExit::acquire()).collect();
                let mut s = String::acquire();
                s.push('x');
                drop(held);
            }
        });
    }
    thread::spawn(|| {
        let mine: Vec<_> = (0..4).map(|_| AtExit::acquire()).collect();
        STARTED.fetch_add(1, SeqCst);
        // Holds its guards until the process ends.
        let _keep = mine;
        loop {
            thread::park();
        }
    });
    PARKED
        .lock()
        .unwrap()
        .extend((0..4).map(|_| AtExit::acquire()));
    EXIT_GUARDS.with(|g| g.borrow_mut().extend((0..4).map(|_| AtExit::acquire())));
    while STARTED.load(SeqCst) < 4 {
        thread::yield_now();
    }
    println!("child: returning with guards alive");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn process_exit_with_guards_alive() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "process_exit_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "child exited with {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    // It really ran (a typo in the filter would run nothing and exit 0).
    assert!(
        stdout.contains("child: returning with guards alive"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// A type whose constructor panics on the `n`th call from now.
macro_rules! make_fails {
    ($name:ident) => {
        struct $name;

        impl $name {
            fn counters() -> &'static Counters {
                static COUNTERS: Counters = Counters::new();
                &COUNTERS
            }

            fn fail_in(n: u64) {
                Self::countdown().store(n, SeqCst);
            }

            fn countdown() -> &'static AtomicU64 {
                static COUNTDOWN: AtomicU64 = AtomicU64::new(u64::MAX);
                &COUNTDOWN
            }

            fn new() -> Self {
                if Self::countdown().fetch_sub(1, SeqCst) == 1 {
                    panic!("constructor failed");
                }
                Self::counters().built.fetch_add(1, SeqCst);
                Self
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                Self::counters().dropped.fetch_add(1, SeqCst);
            }
        }

        impl Reset for $name {
            fn reset(&mut self) {}
        }

        impl Pooled for $name {
            fn pool() -> &'static Pool<Self> {
                static POOL: Pool<$name> = Pool::from_fn($name::new).with_capacity(8);
                &POOL
            }
        }
    };
}

make_fails!(AcquireMakeFails);

/// A constructor that panics in `acquire` hands out no guard and builds
/// nothing, so the pool must count neither (else `acquired` and `built`
/// count a phantom object "in use" forever).
#[test]
fn a_panicking_constructor_in_acquire_counts_nothing() {
    AcquireMakeFails::fail_in(1);
    let err = catch_unwind(|| drop(AcquireMakeFails::acquire())).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"constructor failed"));
    let s = assert_books::<AcquireMakeFails>(AcquireMakeFails::counters(), 0);
    assert_eq!((s.acquired, s.built), (0, 0), "{s:?}");
    // And the pool goes on.
    drop(AcquireMakeFails::acquire());
    drop(AcquireMakeFails::acquire());
    let s = assert_books::<AcquireMakeFails>(AcquireMakeFails::counters(), 0);
    assert_eq!((s.acquired, s.reused, s.idle), (2, 1, 1), "{s:?}");
}

make_fails!(PrewarmMakeFails);

/// A constructor that panics half-way through `prewarm`: the objects
/// already built must not leak (the prewarm failed as a whole: the pool
/// counts nothing, and must keep nothing it does not count).
#[test]
fn a_panicking_constructor_in_prewarm_leaks_nothing() {
    let counters = PrewarmMakeFails::counters();
    // The third construction fails.
    PrewarmMakeFails::fail_in(3);
    let err = catch_unwind(|| PrewarmMakeFails::pool().prewarm(5)).unwrap_err();
    assert_eq!(err.downcast_ref::<&str>(), Some(&"constructor failed"));
    let s = PrewarmMakeFails::pool().stats();
    assert_eq!(counters.built.load(SeqCst), 2);
    assert_eq!(counters.dropped.load(SeqCst), 2, "objects leaked: {s:?}");
    assert_eq!((s.built, s.idle), (0, 0), "{s:?}");
    // And the pool goes on.
    assert_eq!(PrewarmMakeFails::pool().prewarm(3), 3);
    let s = PrewarmMakeFails::pool().stats();
    assert_eq!((s.built, s.idle), (3, 3), "{s:?}");
}
