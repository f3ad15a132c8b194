//! Faults of the code that holds guards, through the real derive: user code
//! that panics with many guards held, guards that are forgotten, dropped in
//! thread-local destructors or after their thread exited, threads that exit
//! with full caches, and a process that exits while guards are alive. After
//! each, the books balance (see [`support::books`]) and the pool keeps
//! working.
//!
//! Every type is non-generic, so its guards go through the thread-local
//! cache pointer that `#[derive(Pooled)]` declares: the path with the most
//! to get wrong at thread exit. (The panics of user hooks, the fault table,
//! are in `tests/faults.rs`.)

#[macro_use]
#[path = "support/faults.rs"]
mod support;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::thread;

use repool::{Guard, Pooled};

use support::{Probe, books, catch, in_teardown, isolated, teardown_first};

probe!(ManyHeld, capacity = 64, other = ManyHeld);

/// More guards than a thread's cache holds, all dropped while unwinding.
#[test]
fn user_code_panicking_with_many_guards_returns_them_all() {
    let result = catch(|| {
        let mut guards: Vec<Guard<ManyHeld>> = (0..41).map(|_| ManyHeld::acquire()).collect();
        for guard in &mut guards {
            guard.touch();
        }
        panic!("request handler failed");
    });
    assert!(result.is_err());
    let s = books::<ManyHeld>(0);
    assert_eq!((s.acquired, s.returned, s.idle), (41, 41, 41), "{s:?}");
    // Every one was reset on the way back.
    let again: Vec<_> = (0..41).map(|_| ManyHeld::acquire()).collect();
    assert!(again.iter().all(|g| g.is_reset()));
    assert_eq!(ManyHeld::pool().stats().reused, 41);
}

probe!(Forgotten, capacity = 4, other = Forgotten);

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
    let s = books::<Forgotten>(4);
    assert_eq!((s.acquired, s.built, s.idle), (4, 4, 0), "{s:?}");
    // The whole capacity is still there for new objects.
    let fresh: Vec<_> = (0..6).map(|_| Forgotten::acquire()).collect();
    drop(fresh);
    let s = books::<Forgotten>(4);
    assert_eq!((s.idle, s.returned, s.over_capacity), (4, 4, 2), "{s:?}");
    // Forgetting a reused object is no different.
    forget(Forgotten::acquire());
    let s = books::<Forgotten>(5);
    assert_eq!((s.idle, s.reused), (3, 1), "{s:?}");
    // Its unit came free: the pool fills up to capacity again.
    drop((0..5).map(|_| Forgotten::acquire()).collect::<Vec<_>>());
    let s = books::<Forgotten>(5);
    assert_eq!((s.idle, s.over_capacity), (4, 3), "{s:?}");
}

probe!(TlsHeld, capacity = 32, other = TlsHeld);

/// Guards dropped in a thread-local destructor that runs after the slot's
/// lease is gone go back through the slot-less path; a thread whose first
/// pool use is in a destructor during teardown acquires and returns too.
#[test]
fn guards_dropped_in_thread_local_destructors_are_returned() {
    thread::spawn(|| {
        teardown_first();
        let guards: Vec<_> = (0..8).map(|_| TlsHeld::acquire()).collect();
        in_teardown(move || drop(guards));
    })
    .join()
    .expect("no panic in thread-local destructors");
    let s = books::<TlsHeld>(0);
    assert_eq!((s.acquired, s.returned, s.idle), (8, 8, 8), "{s:?}");

    // A thread whose only pool use is in a destructor during teardown.
    thread::spawn(|| {
        in_teardown(|| {
            let mut guard = TlsHeld::acquire();
            guard.touch();
            drop(guard);
        });
    })
    .join()
    .expect("no panic in thread-local destructors");
    let s = books::<TlsHeld>(0);
    assert_eq!(
        (s.acquired, s.reused, s.returned, s.idle),
        (9, 1, 9, 8),
        "{s:?}"
    );

    // Everything came back where this thread reaches it.
    let all: Vec<_> = (0..8).map(|_| TlsHeld::acquire()).collect();
    assert!(all.iter().all(|g| g.is_reset()));
    let s = books::<TlsHeld>(8);
    assert_eq!((s.reused, s.built), (9, 8), "no object was stranded: {s:?}");
}

probe!(Outlives, capacity = 16, other = Outlives);

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
    let s = books::<Outlives>(6);
    assert_eq!(s.idle, 1, "{s:?}");
    // Its guards come back from a thread that never used the pool (and
    // that exits too, so they reach the shared layer).
    thread::spawn(move || drop(guards)).join().unwrap();
    let s = books::<Outlives>(0);
    assert_eq!((s.returned, s.idle), (7, 7), "{s:?}");
    // Every one is reused by a third thread.
    let reuser = thread::spawn(|| {
        (0..7)
            .map(|_| Outlives::acquire())
            .collect::<Vec<_>>()
            .len()
    });
    assert_eq!(reuser.join().unwrap(), 7);
    let s = books::<Outlives>(0);
    assert_eq!((s.reused, s.built), (7, 7), "{s:?}");
}

// Room for every object the threads below build, and for every unit their
// caches reserve, so no return is refused and the count is exact.
probe!(FullCaches, capacity = 1024, other = FullCaches);

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
    let s = books::<FullCaches>(0);
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
    let s = books::<FullCaches>(0);
    assert_eq!(s.built, built, "nothing rebuilt: {s:?}");
}

probe!(AtExit, capacity = 16, other = AtExit);

/// In a child process: leaves guards alive in a static, in a thread-local
/// and in threads that are still running (one busy with the pool, one
/// parked holding guards) when the process exits, which must exit cleanly.
#[test]
#[cfg_attr(miri, ignore = "Miri cannot spawn processes")]
fn process_exit_with_guards_alive() {
    static PARKED: Mutex<Vec<Guard<AtExit>>> = Mutex::new(Vec::new());
    static STARTED: AtomicU64 = AtomicU64::new(0);
    isolated("process_exit_with_guards_alive", || {
        for _ in 0..3 {
            thread::spawn(|| {
                STARTED.fetch_add(1, SeqCst);
                // Busy with the pool until the process ends under it.
                loop {
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
        // In a thread-local of this thread, which is registered after the
        // runtime's (destructors run in reverse order).
        let in_thread_local: Vec<_> = (0..4).map(|_| AtExit::acquire()).collect();
        in_teardown(move || drop(in_thread_local));
        while STARTED.load(SeqCst) < 4 {
            thread::yield_now();
        }
    });
}
