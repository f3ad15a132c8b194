//! What the facade's fault tests share (`tests/faults.rs`,
//! `tests/faults_trim_all.rs` and `tests/faults_guards.rs`): counted types
//! whose reset, constructor, destructor and capacity expression run a fault
//! on demand, the books every scenario must balance, the scenarios two
//! files run with different sweeps, and the child-process runner for
//! outcomes that only a process can show (an abort, a hang).
//!
//! Every scenario declares types of its own with [`probe!`] (or
//! [`probe_generic!`] when the capacity expression is the point), so tests
//! running in parallel share no pool, no counter and no switch.

#![allow(
    dead_code,
    unused_macros,
    reason = "shared by several test binaries; each uses a part"
)]

use std::any::{Any, type_name};
use std::cell::RefCell;
use std::io::Read;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use repool::{Pooled, Stats};

/// How long a child process, a scenario's thread or a gate may take
/// before the test calls it hung. Generous: the scenarios take milliseconds.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// A place where the runtime calls user code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Point {
    /// `Reset::reset`, when a guard drops.
    Reset,
    /// The `new = ...` constructor, in `acquire()` and `prewarm()`.
    Construct,
    /// `Drop`, when the pool drops an object.
    Destroy,
    /// The `capacity = ...` expression, at the pool's first use.
    Capacity,
}

impl Point {
    /// The payload of the panic this point raises.
    pub(crate) const fn message(self) -> &'static str {
        match self {
            Point::Reset => "reset panicked",
            Point::Construct => "constructor panicked",
            Point::Destroy => "destructor panicked",
            Point::Capacity => "capacity expression panicked",
        }
    }
}

/// What the user code at a [`Point`] does when its switch is armed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Action {
    /// Panics with [`Point::message`].
    Panic,
    /// Acquires two guards of its own type's pool and drops them.
    ReenterSame,
    /// Acquires two guards of another type's pool and drops them.
    ReenterOther,
    /// Uses a registry pool (`Vec<PhantomData<Self>>`) for the first time.
    ReenterRegistry,
    /// Waits until [`Hooks::open_gate`] (a test that needs a race to happen
    /// at exactly this point).
    Gate,
}

impl Action {
    const ALL: [Action; 5] = [
        Action::Panic,
        Action::ReenterSame,
        Action::ReenterOther,
        Action::ReenterRegistry,
        Action::Gate,
    ];

    pub(crate) fn is_reentry(self) -> bool {
        matches!(
            self,
            Action::ReenterSame | Action::ReenterOther | Action::ReenterRegistry
        )
    }
}

const POINTS: usize = 4;

/// One type's counters and fault switches.
pub(crate) struct Hooks {
    built: AtomicU64,
    dropped: AtomicU64,
    action: [AtomicU8; POINTS],
    /// Calls to let through before the switch fires.
    skip: [AtomicU64; POINTS],
    /// How many more calls fire.
    remaining: [AtomicU64; POINTS],
    fired: [AtomicU64; POINTS],
    /// Re-entries that ran to their end.
    reentered: AtomicU64,
    gate_reached: AtomicBool,
    gate_open: AtomicBool,
    same: fn(),
    other: fn(),
    registry: fn(),
}

impl Hooks {
    /// `same`, `other` and `registry` are the re-entries of
    /// [`Action::ReenterSame`], [`Action::ReenterOther`] and
    /// [`Action::ReenterRegistry`].
    pub(crate) const fn new(same: fn(), other: fn(), registry: fn()) -> Self {
        Self {
            built: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            action: [const { AtomicU8::new(0) }; POINTS],
            skip: [const { AtomicU64::new(0) }; POINTS],
            remaining: [const { AtomicU64::new(0) }; POINTS],
            fired: [const { AtomicU64::new(0) }; POINTS],
            reentered: AtomicU64::new(0),
            gate_reached: AtomicBool::new(false),
            gate_open: AtomicBool::new(false),
            same,
            other,
            registry,
        }
    }

    /// Objects whose constructor returned.
    pub(crate) fn built(&self) -> u64 {
        self.built.load(SeqCst)
    }

    /// Objects whose destructor ran (whether or not it then panicked).
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(SeqCst)
    }

    /// How often the switch of `point` fired.
    pub(crate) fn fired(&self, point: Point) -> u64 {
        self.fired[point as usize].load(SeqCst)
    }

    /// Re-entries that ran to their end.
    pub(crate) fn reentered(&self) -> u64 {
        self.reentered.load(SeqCst)
    }

    /// From the next call at `point` on, lets `skip` calls through, then
    /// makes `times` calls do `action`.
    pub(crate) fn arm(&self, point: Point, action: Action, skip: u64, times: u64) {
        let i = point as usize;
        self.action[i].store(action as u8, SeqCst);
        self.skip[i].store(skip, SeqCst);
        self.remaining[i].store(times, SeqCst);
    }

    /// No switch fires any more.
    pub(crate) fn disarm(&self) {
        for i in 0..POINTS {
            self.remaining[i].store(0, SeqCst);
            self.skip[i].store(0, SeqCst);
        }
    }

    /// Called by the user code at `point`.
    pub(crate) fn fire(&self, point: Point) {
        let i = point as usize;
        if self.remaining[i].load(SeqCst) == 0 {
            return;
        }
        if self.skip[i]
            .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return;
        }
        if self.remaining[i]
            .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
            .is_err()
        {
            return;
        }
        self.fired[i].fetch_add(1, SeqCst);
        let action = Action::ALL[usize::from(self.action[i].load(SeqCst))];
        match action {
            Action::Panic => std::panic::panic_any(point.message()),
            Action::ReenterSame => (self.same)(),
            Action::ReenterOther => (self.other)(),
            Action::ReenterRegistry => (self.registry)(),
            Action::Gate => {
                self.gate_reached.store(true, SeqCst);
                wait_for(&self.gate_open, "the gate to open");
            }
        }
        if action.is_reentry() {
            self.reentered.fetch_add(1, SeqCst);
        }
    }

    /// Waits until a [`Action::Gate`] switch fired.
    pub(crate) fn wait_at_gate(&self) {
        wait_for(&self.gate_reached, "someone to reach the gate");
    }

    /// Lets the caller waiting at the gate go on.
    pub(crate) fn open_gate(&self) {
        self.gate_open.store(true, SeqCst);
    }

    pub(crate) fn constructed(&self) {
        self.fire(Point::Construct);
        self.built.fetch_add(1, SeqCst);
    }

    pub(crate) fn destroyed(&self) {
        self.dropped.fetch_add(1, SeqCst);
        self.fire(Point::Destroy);
    }
}

fn wait_for(flag: &AtomicBool, what: &str) {
    let deadline = Instant::now() + PATIENCE;
    while !flag.load(SeqCst) {
        assert!(Instant::now() < deadline, "waited {PATIENCE:?} for {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// A counted type with fault switches.
pub(crate) trait Probe: Pooled {
    /// The type whose pool [`Action::ReenterOther`] uses.
    type Other: Probe;
    fn hooks() -> &'static Hooks;
    /// The type's constructor, for a `Pool` value of it.
    fn make() -> Self;
    /// Makes the object oversized (`max_capacity` of its buffer exceeded).
    fn grow(&mut self);
    /// Leaves a mark on the object that its reset clears.
    fn touch(&mut self);
    /// Whether the object carries no mark: it was reset since its last use.
    fn is_reset(&self) -> bool;
}

/// The re-entry: two guards of `X` at once, then both dropped.
pub(crate) fn round_trip<X: Probe>() {
    let a = X::acquire();
    let b = X::acquire();
    assert!(!std::ptr::eq(&*a, &*b), "one object held by two guards");
    drop(a);
    drop(b);
}

/// The first use of a registry pool no one else uses.
pub(crate) fn registry_first_use<X: Send + 'static>() {
    drop(Vec::<PhantomData<X>>::acquire());
}

/// Declares `pub(crate) struct $name`, a counted `#[derive(Pooled)]` type with a
/// `new = ...` constructor, a field reset by a function, a `max_capacity`
/// field, and a `Drop`: each runs the type's [`Hooks`]. `$other` is the
/// type [`Action::ReenterOther`] acquires. Without `capacity = ...`, the
/// derive's default capacity.
macro_rules! probe {
    ($name:ident, capacity = $capacity:expr, other = $other:ty) => {
        probe!(@declare $name, [, capacity = $capacity], $other);
    };
    // The default capacity.
    ($name:ident, other = $other:ty) => {
        probe!(@declare $name, [], $other);
    };
    (@declare $name:ident, [$($capacity:tt)*], $other:ty) => {
        #[derive(repool::Pooled)]
        #[pooled(new = Self::counted $($capacity)*)]
        pub(crate) struct $name {
            #[pooled(reset = Self::reset_hook)]
            dirty: bool,
            #[pooled(max_capacity = 64)]
            buf: Vec<u8>,
        }

        impl $name {
            fn counted() -> Self {
                <Self as $crate::support::Probe>::hooks().constructed();
                Self {
                    dirty: false,
                    buf: Vec::new(),
                }
            }

            fn reset_hook(dirty: &mut bool) {
                <Self as $crate::support::Probe>::hooks().fire($crate::support::Point::Reset);
                *dirty = false;
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                <Self as $crate::support::Probe>::hooks().destroyed();
            }
        }

        probe!(@probe $name, $other);
    };
    // `Probe` for `$ty`, whose fields are `dirty` and `buf`.
    (@probe $ty:ty, $other:ty) => {
        impl $crate::support::Probe for $ty {
            type Other = $other;

            fn hooks() -> &'static $crate::support::Hooks {
                static HOOKS: $crate::support::Hooks = $crate::support::Hooks::new(
                    $crate::support::round_trip::<$ty>,
                    $crate::support::round_trip::<$other>,
                    $crate::support::registry_first_use::<$ty>,
                );
                &HOOKS
            }

            fn make() -> Self {
                Self::counted()
            }

            fn grow(&mut self) {
                self.dirty = true;
                self.buf.reserve(1024);
            }

            fn touch(&mut self) {
                self.dirty = true;
                self.buf.push(1);
            }

            fn is_reset(&self) -> bool {
                !self.dirty && self.buf.is_empty()
            }
        }
    };
}

/// As [`probe!`], for a generic `pub(crate) struct $name<M>` whose capacity
/// expression runs the hooks (a generic type's pool is made at first use,
/// in the type registry; a non-generic one's capacity must be a constant).
/// Only `$name<()>` is used.
macro_rules! probe_generic {
    ($name:ident, other = $other:ty) => {
        #[derive(repool::Pooled)]
        #[pooled(new = Self::counted, capacity = Self::capacity_hook())]
        pub(crate) struct $name<M: 'static> {
            #[pooled(reset = Self::reset_hook)]
            dirty: bool,
            #[pooled(max_capacity = 64)]
            buf: Vec<u8>,
            #[pooled(skip)]
            marker: std::marker::PhantomData<fn() -> M>,
        }

        impl<M: 'static> $name<M> {
            fn hooks() -> &'static $crate::support::Hooks {
                <$name<()> as $crate::support::Probe>::hooks()
            }

            fn counted() -> Self {
                Self::hooks().constructed();
                Self {
                    dirty: false,
                    buf: Vec::new(),
                    marker: std::marker::PhantomData,
                }
            }

            fn capacity_hook() -> usize {
                Self::hooks().fire($crate::support::Point::Capacity);
                8
            }

            fn reset_hook(dirty: &mut bool) {
                Self::hooks().fire($crate::support::Point::Reset);
                *dirty = false;
            }
        }

        impl<M: 'static> Drop for $name<M> {
            fn drop(&mut self) {
                Self::hooks().destroyed();
            }
        }

        probe!(@probe $name<()>, $other);
    };
}

/// The books of `T`'s pool with `held` guards alive:
/// `built == dropped + idle + held` (the type's own counters: no object lost
/// or doubled), `acquired == returned + discarded + detached + held` (every
/// guard ended once), `built == idle + held + discarded + detached +
/// trimmed` (the pool's counters: every object it built is somewhere), and
/// `idle <= capacity`.
pub(crate) fn books<T: Probe>(held: u64) -> Stats {
    let name = type_name::<T>();
    let pool = T::pool();
    let s = pool.stats();
    let (built, dropped) = (T::hooks().built(), T::hooks().dropped());
    assert_eq!(
        built,
        dropped + s.idle as u64 + held,
        "{name}: built ({built}) == dropped ({dropped}) + idle + held ({held}): {s:?}"
    );
    assert_eq!(
        s.acquired,
        s.returned + s.discarded + s.detached + held,
        "{name}: acquired == returned + discarded + detached + held ({held}): {s:?}"
    );
    assert_eq!(
        s.built,
        s.idle as u64 + held + s.discarded + s.detached + s.trimmed,
        "{name}: built == idle + held ({held}) + discarded + detached + trimmed: {s:?}"
    );
    assert!(s.idle <= pool.capacity(), "{name}: idle > capacity: {s:?}");
    s
}

/// The pool still hands out distinct objects, and a round trip is reused.
pub(crate) fn keeps_working<T: Probe>() {
    let name = type_name::<T>();
    drop(T::acquire());
    let guards: Vec<_> = (0..3).map(|_| T::acquire()).collect();
    for (i, a) in guards.iter().enumerate() {
        for b in &guards[..i] {
            assert!(
                !std::ptr::eq(&**a, &**b),
                "{name}: one object held by two guards"
            );
        }
    }
    drop(guards);
    drop(T::acquire());
    let before = T::pool().stats();
    drop(T::acquire());
    let step = T::pool().stats().since(&before);
    assert_eq!(
        (step.acquired, step.reused),
        (1, 1),
        "{name}: a round trip is not reused: {step:?}"
    );
}

/// A worker leaves one idle object in its private cache and waits while
/// `sweep` runs here (a `clear()`, or two trims: the worker's cache is now
/// behind); then `T`'s destructor is armed with `action` and the worker
/// exits. Its cache is handed back from the runtime's thread-local
/// destructor, which drops that object (issue 9, defect 2).
pub(crate) fn idle_object_dropped_at_thread_exit<T: Probe>(action: Action, sweep: impl FnOnce()) {
    let (returned, wait_returned) = mpsc::channel();
    let (exit, wait_exit) = mpsc::channel::<()>();
    let worker = thread::spawn(move || {
        drop(T::acquire());
        returned.send(()).unwrap();
        wait_exit.recv().unwrap();
    });
    wait_returned.recv().unwrap();
    sweep();
    let before = T::pool().stats();
    assert_eq!(before.idle, 1, "the worker's object is its own: {before:?}");
    T::hooks().arm(Point::Destroy, action, 0, 1);
    exit.send(()).unwrap();
    assert!(worker.join().is_ok(), "the worker panicked");
    let step = T::pool().stats().since(&before);
    assert_eq!(step.trimmed, 1, "{step:?}");
}

/// `threads` threads each do one round trip and stay alive; `sweep` runs
/// here; then this thread does 1,000 round trips holding two guards at
/// once and must be served from the pool (issue 9, defect 4).
pub(crate) fn parked_threads_leave_the_pool_usable<T: Probe>(threads: usize, sweep: impl FnOnce()) {
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
    sweep();
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

/// The `&'static str` a panic carried, if that is what it carried.
pub(crate) fn payload(panic: &(dyn Any + Send)) -> Option<&'static str> {
    panic.downcast_ref::<&'static str>().copied()
}

/// `result` is the panic `message`, which reached the caller.
pub(crate) fn expect_panic<R>(result: thread::Result<R>, message: &str) {
    match result {
        Ok(_) => panic!("the panic {message:?} did not reach the caller"),
        Err(panic) => assert_eq!(payload(&*panic), Some(message), "another panic"),
    }
}

/// The value of `result`, which must not be a panic (else the test fails
/// naming it).
pub(crate) fn no_panic<R>(result: thread::Result<R>, what: &str) -> R {
    match result {
        Ok(value) => value,
        Err(panic) => panic!("{what}: {:?}", payload(&*panic)),
    }
}

/// `catch_unwind` for closures that need not be unwind-safe: every test
/// checks the books afterwards, which is what unwind safety is about here.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> thread::Result<R> {
    catch_unwind(AssertUnwindSafe(f))
}

/// Runs `f` on another thread and waits until that thread is gone (its
/// thread-local destructors included).
pub(crate) fn on_another_thread(f: impl FnOnce() + Send + 'static) {
    thread::spawn(f)
        .join()
        .expect("no panic on the other thread");
}

/// Runs `f` on a thread of its own and waits for it at most [`PATIENCE`]:
/// a deadlock is a failed test, not a hung test binary. A panic in `f`
/// goes on to the caller.
pub(crate) fn within_patience(f: impl FnOnce() + Send + 'static) {
    let worker = thread::spawn(f);
    let deadline = Instant::now() + PATIENCE;
    while !worker.is_finished() {
        assert!(
            Instant::now() < deadline,
            "hung: still running after {PATIENCE:?}"
        );
        thread::sleep(Duration::from_millis(1));
    }
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

/// Closures run by a thread-local destructor: when this is registered
/// before the thread's first pool operation, it is destroyed after the
/// runtime's own thread-local (destructors run in reverse order of
/// registration), so what it runs meets the runtime in teardown.
struct Teardown(RefCell<Vec<Box<dyn FnOnce()>>>);

impl Drop for Teardown {
    fn drop(&mut self) {
        for f in self.0.get_mut().drain(..) {
            f();
        }
    }
}

thread_local! {
    static TEARDOWN: Teardown = const { Teardown(RefCell::new(Vec::new())) };
}

/// Registers this thread's teardown list; call it before the thread's
/// first pool operation.
pub(crate) fn teardown_first() {
    TEARDOWN.with(|_| ());
}

/// Runs `f` in this thread's teardown, after the runtime's own
/// thread-local is gone (if [`teardown_first`] came first).
pub(crate) fn in_teardown(f: impl FnOnce() + 'static) {
    TEARDOWN.with(|t| t.0.borrow_mut().push(Box::new(f)));
}

/// Names the environment variable that selects the child's test.
const CHILD: &str = "REPOOL_FAULTS_CHILD";

/// Runs `body` in a child process: this test binary again, with only
/// `test` (its full name, as `cargo test` prints it) selected. The child
/// runs `body` and its assertions; the parent fails unless the child exited
/// successfully within [`PATIENCE`], so an abort or a hang is a failed test,
/// not a dead test binary.
pub(crate) fn isolated(test: &str, body: impl FnOnce()) {
    if std::env::var(CHILD).is_ok_and(|t| t == test) {
        body();
        println!("child done: {test}");
        return;
    }
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test binary runs");
    let read = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut out = String::new();
            let _ = pipe.read_to_string(&mut out);
            out
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    let stdout = stdout.join().unwrap();
    let stderr = stderr.join().unwrap();
    let Some(status) = status else {
        panic!("child hung: killed after {PATIENCE:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    };
    assert!(
        status.success(),
        "child exited with {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // It really ran (a wrong name would select no test and exit 0).
    assert!(
        stdout.contains(&format!("child done: {test}")) && stdout.contains("1 passed"),
        "the child did not run {test}\nstdout:\n{stdout}"
    );
}
