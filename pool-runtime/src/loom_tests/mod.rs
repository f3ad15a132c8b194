//! Loom models of [`Core`]: every interleaving (up to a preemption bound) of
//! two or three threads using one core, each through its own slot, checked
//! for the properties a pool must never break:
//!
//! * **No object is held twice.** An oracle records who holds every object;
//!   taking one that is already held, or dropping one that is held or gone,
//!   panics.
//! * **Every hand-over happens-before the next use.** Each object carries a
//!   loom cell that every holder (and finally its destructor) writes; loom
//!   reports a causality violation if the pool moved the object from one
//!   thread to another without synchronising them.
//! * **The bound holds at every step**, and at quiescence the budget is
//!   whole: once every slot is released, `free units + idle == capacity`.
//! * **The counters agree with what happened**: hits and misses with the
//!   pops, `returned` and `over_capacity` with the pushes, `trimmed` with the
//!   objects the pool dropped, `idle` with the objects nobody holds.
//!
//! The oracle lives behind a `std` mutex, which loom does not see: it adds
//! no interleavings and, more importantly, no happens-before edges that
//! could hide a missing one in the pool. Loom runs one thread at a time and
//! only switches at its own operations, none of which happen while the
//! oracle is locked, so the `std` mutex never blocks.
//!
//! The harness is here, with the frame most models share ([`race`]); the
//! models are grouped by the part of the core they race: `transfers.rs`
//! (caches and the shared layer), `budget.rs` (the bound), `trim.rs`
//! (epochs and a thread's exit), and `detectors.rs`, which checks that the
//! checks can fail.
//!
//! Run with `scripts/loom.sh`.

mod budget;
mod classes;
mod detectors;
mod transfers;
mod trim;

use std::ptr::NonNull;
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdMutexGuard};

use loom::cell::UnsafeCell;
use loom::sync::Mutex;
use loom::sync::mpsc;
use loom::thread;

use crate::core::{Core, Slot};

/// Runs `f` under loom. Without `LOOM_MAX_PREEMPTIONS` the search would be
/// exhaustive and take hours, so the bound defaults to 2 (what
/// `scripts/loom.sh` sets, and what tokio and crossbeam use in CI). The
/// registry models (`loom_registry.rs`) run under it too.
pub(crate) fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(2);
    }
    // Every atomic access is a branch, even with one thread left, and a
    // core's bucket table alone is 64 atomics that `counts` and `drop`
    // walk (a type table's growth, 48 entries): loom's default of 1,000
    // branches is too few for the checks.
    if std::env::var_os("LOOM_MAX_BRANCHES").is_none() {
        builder.max_branches = 20_000;
    }
    builder.check(f);
}

/// What the test knows about one object.
#[derive(Clone, Copy, Debug, Default)]
struct Life {
    /// A test thread holds it (between a pop and the next push).
    held: bool,
    /// Pushers that let go of it and have not seen their push's result:
    /// while any has not, the object is not counted as idle (it may still be
    /// in the pusher's hands, or rejected and about to be dropped). A count,
    /// not a flag: after a push succeeds, another thread may take the object
    /// and let go of it before the first pusher has looked.
    loose: u32,
    dropped: bool,
    /// Dropped by the test (a rejected push), not by the pool.
    dropped_by_test: bool,
}

#[derive(Debug, Default)]
struct Oracle {
    /// Indexed by object id.
    objects: Vec<Life>,
    pops: u64,
    hits: u64,
    pushed: u64,
    rejected: u64,
    /// Threads between `pop_unowned` handing an object over (its unit is
    /// already free) and marking it held.
    unowned_in_flight: usize,
}

impl Oracle {
    /// Objects the pool has: alive, not held and not in a pusher's hands.
    fn idle(&self) -> usize {
        self.objects
            .iter()
            .filter(|o| !o.dropped && !o.held && o.loose == 0)
            .count()
    }

    fn dropped_by_pool(&self) -> u64 {
        self.objects
            .iter()
            .filter(|o| o.dropped && !o.dropped_by_test)
            .count() as u64
    }
}

type SharedOracle = Arc<StdMutex<Oracle>>;

fn lock(oracle: &StdMutex<Oracle>) -> StdMutexGuard<'_, Oracle> {
    oracle.lock().unwrap_or_else(|p| p.into_inner())
}

/// A pooled object: an id, and a cell that every holder writes.
#[derive(Debug)]
struct Obj {
    id: usize,
    uses: UnsafeCell<usize>,
    oracle: SharedOracle,
}

impl Obj {
    /// Stands for the user's code (and the reset) touching the object; loom
    /// checks that this access happens-after every earlier one.
    fn touch(&self) {
        // SAFETY: the caller holds the object (the oracle checked), so no
        // one else accesses the cell; if the pool broke that, loom reports
        // the concurrent access instead of letting it happen.
        self.uses.with_mut(|n| unsafe { *n += 1 });
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        // The destructor is a use too: it must happen-after the last holder.
        self.touch();
        let mut oracle = lock(&self.oracle);
        let life = &mut oracle.objects[self.id];
        assert!(!life.held, "object {} dropped while held", self.id);
        assert!(!life.dropped, "object {} dropped twice", self.id);
        life.dropped = true;
    }
}

/// An object pointer handed from one loom thread to another.
struct Handoff(NonNull<Obj>);

// SAFETY: the pointer is a `Box<Obj>` owned by the sender, which gives it up
// by sending it; `Obj` is `Send`.
unsafe impl Send for Handoff {}

/// A core with an oracle. Slots are passed explicitly: each loom thread
/// uses only its own, which is the contract of `pop`/`push`.
struct Harness {
    core: Core<Obj>,
    oracle: SharedOracle,
    /// The capacity the core was made with: the bound at every step, since
    /// a model only ever lowers it.
    capacity: usize,
    /// The capacity now, the bound at quiescence. A `std` atomic: the
    /// harness's own books, invisible to loom like the oracle.
    target: std::sync::atomic::AtomicUsize,
}

impl Harness {
    fn new(capacity: usize, stashes: usize) -> Arc<Self> {
        Arc::new(Self {
            core: Core::new(capacity, stashes),
            oracle: Arc::default(),
            capacity,
            target: std::sync::atomic::AtomicUsize::new(capacity),
        })
    }

    /// Builds an object, held by the caller.
    fn build(&self) -> NonNull<Obj> {
        let id = {
            let mut oracle = lock(&self.oracle);
            oracle.objects.push(Life {
                held: true,
                ..Life::default()
            });
            oracle.objects.len() - 1
        };
        let obj = Box::new(Obj {
            id,
            uses: UnsafeCell::new(0),
            oracle: Arc::clone(&self.oracle),
        });
        obj.touch();
        NonNull::from(Box::leak(obj))
    }

    /// Marks a popped object held; panics if someone else holds it.
    fn take(&self, obj: NonNull<Obj>, unowned: bool) -> NonNull<Obj> {
        {
            let mut oracle = lock(&self.oracle);
            // SAFETY: the pool handed the object to this thread; if it also
            // handed it to another one, the assertion below or loom's cell
            // check fires before anyone relies on exclusivity.
            let id = unsafe { obj.as_ref() }.id;
            let life = &mut oracle.objects[id];
            assert!(!life.dropped, "pool handed out dropped object {id}");
            assert!(!life.held, "object {id} held twice");
            life.held = true;
            oracle.pops += 1;
            oracle.hits += 1;
            if unowned {
                oracle.unowned_in_flight -= 1;
            }
        }
        // SAFETY: held by this thread now.
        unsafe { obj.as_ref() }.touch();
        obj
    }

    /// `Pool::take` on slot `slot`: an idle object or a new one.
    fn acquire(&self, slot: usize) -> NonNull<Obj> {
        // SAFETY: each loom thread passes its own slot only.
        match unsafe { self.core.pop(Slot::of(slot)) } {
            Some(obj) => self.take(obj, false),
            None => {
                lock(&self.oracle).pops += 1;
                let obj = self.build();
                // As `Pool::take` does once the object is built.
                self.core.note_miss(Some(Slot::of(slot)));
                obj
            }
        }
    }

    /// `Pool::take` on a thread without a slot.
    fn acquire_unowned(&self) -> NonNull<Obj> {
        lock(&self.oracle).unowned_in_flight += 1;
        match self.core.pop_unowned() {
            Some(obj) => self.take(obj, true),
            None => {
                let mut oracle = lock(&self.oracle);
                oracle.unowned_in_flight -= 1;
                oracle.pops += 1;
                drop(oracle);
                let obj = self.build();
                self.core.note_miss(None);
                obj
            }
        }
    }

    /// Gives up a held object: from here on the pool may hand it out, so
    /// the caller must not read it again. Returns its id.
    fn let_go(&self, obj: NonNull<Obj>) -> usize {
        // SAFETY: held by this thread until it is pushed.
        let obj = unsafe { obj.as_ref() };
        obj.touch();
        let mut oracle = lock(&self.oracle);
        let life = &mut oracle.objects[obj.id];
        assert!(life.held, "object {} let go but not held", obj.id);
        life.held = false;
        life.loose += 1;
        obj.id
    }

    /// What the caller does with a push's result. On success the object may
    /// already be held, or even dropped, by another thread: only its id is
    /// used.
    fn settle(&self, id: usize, obj: NonNull<Obj>, result: Result<(), NonNull<Obj>>) {
        self.settle_as(id, obj, result, true);
    }

    /// `settle`, where `counted` says whether the core counts the push in
    /// `returned`/`over_capacity` (`stock` does not: `Pool::prewarm` does).
    fn settle_as(
        &self,
        id: usize,
        obj: NonNull<Obj>,
        result: Result<(), NonNull<Obj>>,
        counted: bool,
    ) {
        let mut oracle = lock(&self.oracle);
        oracle.objects[id].loose -= 1;
        match result {
            Ok(()) => oracle.pushed += u64::from(counted),
            Err(back) => {
                assert_eq!(back, obj, "the pool rejected a different object");
                oracle.rejected += u64::from(counted);
                oracle.objects[id].dropped_by_test = true;
                drop(oracle);
                // SAFETY: from `Box::leak` in `build`, and the pool gave it
                // back, so it is ours alone again.
                drop(unsafe { Box::from_raw(back.as_ptr()) });
            }
        }
    }

    /// `Pool::put` on slot `slot`.
    fn release(&self, slot: usize, obj: NonNull<Obj>) {
        let id = self.let_go(obj);
        // SAFETY: this loom thread's own slot; `obj` is a leaked box we own.
        let result = unsafe { self.core.push(Slot::of(slot), obj) };
        self.settle(id, obj, result);
        self.check_bound();
    }

    /// An acquire and its return on slot `slot`.
    fn round_trip(&self, slot: usize) {
        let obj = self.acquire(slot);
        self.release(slot, obj);
    }

    /// Acquires two objects on slot `slot`, holding both at once, then
    /// returns them in the same order.
    fn hold_two(&self, slot: usize) {
        let a = self.acquire(slot);
        let b = self.acquire(slot);
        self.release(slot, a);
        self.release(slot, b);
    }

    /// Holds an acquired object and a new one, then returns both on slot
    /// `slot`: the second return is the one that may find the cache full
    /// or the budget spent.
    fn return_two(&self, slot: usize) {
        let a = self.acquire(slot);
        let b = self.build();
        self.release(slot, a);
        self.release(slot, b);
    }

    fn release_unowned(&self, obj: NonNull<Obj>) {
        let id = self.let_go(obj);
        let result = self.core.push_unowned(obj);
        self.settle(id, obj, result);
        self.check_bound();
    }

    /// `Pool::prewarm` without the counting: reserves room for up to `n`
    /// objects, builds that many and hands them to the shared layer.
    fn stock(&self, n: usize) {
        let room = self.core.reserve(n);
        let objects: Vec<_> = (0..room).map(|_| self.build()).collect();
        let ids: Vec<_> = objects.iter().map(|&obj| self.let_go(obj)).collect();
        self.core.stock_reserved(objects.clone());
        for (&id, &obj) in ids.iter().zip(&objects) {
            self.settle_as(id, obj, Ok(()), false);
        }
        self.check_bound();
    }

    fn trim(&self, slot: Option<usize>) {
        // SAFETY: `slot`, if any, is this loom thread's own.
        unsafe { self.core.trim(slot.map(Slot::of)) };
        self.check_bound();
    }

    fn clear(&self, slot: Option<usize>) {
        // SAFETY: as in `trim`.
        unsafe { self.core.clear(slot.map(Slot::of)) };
        self.check_bound();
    }

    /// Lowers the capacity; `slot`, if any, is the caller's.
    fn set_capacity(&self, capacity: usize, slot: Option<usize>) {
        assert!(capacity <= self.capacity, "models only lower it");
        self.target
            .store(capacity, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: as in `trim`.
        unsafe { self.core.set_capacity(capacity, slot.map(Slot::of)) };
        self.check_bound();
    }

    /// A thread exit: slot `slot`'s cache goes back to the shared layer.
    fn release_slot(&self, slot: usize) {
        // SAFETY: this loom thread owns `slot` and never uses it again
        // (unless it is handed on with a happens-before edge).
        unsafe { self.core.release_slot(Slot::of(slot)) };
        self.check_bound();
    }

    /// The bound at this instant: the objects the pool has never exceed
    /// `capacity`. Objects in a pusher's hands are not counted (they may
    /// not have reached the pool yet); an object just handed out by
    /// `pop_unowned` is still counted although its unit is already free,
    /// hence the slack. `counts()` is not used here: it sums per-thread
    /// counters one by one and is only exact at quiescence.
    fn check_bound(&self) {
        let oracle = lock(&self.oracle);
        let idle = oracle.idle();
        assert!(
            idle <= self.capacity + oracle.unowned_in_flight,
            "{idle} idle objects in a pool of capacity {}",
            self.capacity
        );
    }

    /// After every thread joined: counters and idle count are exact, and
    /// once the given slots (every slot used) are released, every unit of
    /// the budget is accounted for: free or held by an idle object.
    fn quiesce(&self, slots: &[usize]) {
        let capacity = self.target.load(std::sync::atomic::Ordering::Relaxed);
        // Until every cache is handed back, a lowered capacity may still be
        // owed by objects in them: the bound is then the one made with.
        let check = |capacity: usize, when: &str| {
            let counts = self.core.counts();
            let oracle = lock(&self.oracle);
            assert_eq!(counts.idle, oracle.idle(), "idle count {when}");
            assert!(
                counts.idle <= capacity,
                "{} idle > capacity {} {when}",
                counts.idle,
                capacity
            );
            assert!(
                self.core.free_units() + counts.idle <= capacity,
                "free {} + idle {} > capacity {} {when}",
                self.core.free_units(),
                counts.idle,
                capacity
            );
            assert_eq!(counts.hits + counts.misses, oracle.pops, "pops {when}");
            assert_eq!(counts.hits, oracle.hits, "hits {when}");
            assert_eq!(counts.returned, oracle.pushed, "returned {when}");
            assert_eq!(counts.over_capacity, oracle.rejected, "rejected {when}");
            assert_eq!(counts.trimmed, oracle.dropped_by_pool(), "trimmed {when}");
            assert!(oracle.objects.iter().all(|o| !o.held && o.loose == 0));
        };
        check(self.capacity, "before the slots are released");
        for &slot in slots {
            // SAFETY: every thread that used a slot has joined.
            unsafe { self.core.release_slot(Slot::of(slot)) };
        }
        check(capacity, "after the slots are released");
        assert_eq!(
            self.core.free_units() + self.core.counts().idle,
            capacity,
            "budget leaked or minted"
        );
    }

    /// Drops the core (which drops its idle objects) and checks that every
    /// object ever built was dropped exactly once.
    fn finish(self: Arc<Self>) {
        let this = Arc::into_inner(self).expect("every thread joined");
        let oracle = Arc::clone(&this.oracle);
        drop(this);
        let oracle = lock(&oracle);
        assert!(
            oracle.objects.iter().all(|o| o.dropped),
            "objects leaked: {:?}",
            oracle.objects
        );
    }
}

fn spawn(h: &Arc<Harness>, f: impl FnOnce(&Harness) + Send + 'static) -> thread::JoinHandle<()> {
    let h = Arc::clone(h);
    thread::spawn(move || f(&h))
}

/// One loom thread per slot, each running `f` with its slot.
fn spawn_each(
    h: &Arc<Harness>,
    slots: &[usize],
    f: impl Fn(&Harness, usize) + Copy + Send + 'static,
) -> Vec<thread::JoinHandle<()>> {
    slots
        .iter()
        .map(|&slot| spawn(h, move |h| f(h, slot)))
        .collect()
}

/// The frame of most models: under [`model`], a fresh harness of
/// `capacity` with `stashes` stashes and, unless `stocked` is 0, that many
/// objects idle in the shared layer ([`Harness::stock`]); `threads` sets up
/// the rest and spawns the racing threads, and [`join_and_check`] with
/// `slots` ends the model.
fn race<I>(
    capacity: usize,
    stashes: usize,
    stocked: usize,
    slots: &'static [usize],
    threads: impl Fn(&Arc<Harness>) -> I + Sync + Send + 'static,
) where
    I: IntoIterator<Item = thread::JoinHandle<()>>,
{
    model(move || {
        let h = Harness::new(capacity, stashes);
        if stocked > 0 {
            h.stock(stocked);
        }
        let threads = threads(&h);
        join_and_check(h, threads, slots);
    });
}

/// The end of every model: joins its threads, then checks the pool at rest
/// ([`Harness::quiesce`] with `slots`, every slot used) and that every
/// object was dropped exactly once ([`Harness::finish`]).
fn join_and_check(
    h: Arc<Harness>,
    threads: impl IntoIterator<Item = thread::JoinHandle<()>>,
    slots: &[usize],
) {
    for t in threads {
        t.join().unwrap();
    }
    h.quiesce(slots);
    h.finish();
}
