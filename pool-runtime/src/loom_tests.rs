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
//! Run with `scripts/loom.sh`.

use std::ptr::NonNull;
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdMutexGuard};

use loom::cell::UnsafeCell;
use loom::sync::Mutex;
use loom::sync::mpsc;
use loom::thread;

use crate::core::{Core, Slot};

/// Runs `f` under loom. Without `LOOM_MAX_PREEMPTIONS` the search would be
/// exhaustive and take hours, so the bound defaults to 2 (what
/// `scripts/loom.sh` sets, and what tokio and crossbeam use in CI).
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(2);
    }
    // Every atomic access is a branch, even with one thread left, and a
    // core's bucket table alone is 64 atomics that `counts` and `drop`
    // walk: loom's default of 1,000 branches is too few for the checks.
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
        match unsafe { self.core.pop(slot) } {
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
        let result = unsafe { self.core.push(slot, obj) };
        self.settle(id, obj, result);
        self.check_bound();
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
        unsafe { self.core.release_slot(slot) };
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
            unsafe { self.core.release_slot(slot) };
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

/// Two threads take the same two stocked objects in turn.
#[test]
fn loom_acquire_release_two_threads() {
    model(|| {
        let h = Harness::new(2, 1);
        h.stock(2);
        let workers: Vec<_> = [1, 2]
            .into_iter()
            .map(|slot| {
                spawn(&h, move |h| {
                    for _ in 0..2 {
                        let obj = h.acquire(slot);
                        h.release(slot, obj);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        h.quiesce(&[1, 2]);
        h.finish();
    });
}

/// Three threads, one stocked object, two stashes: they race for it, build
/// others, and the returns overflow the bound of 2.
#[test]
fn loom_acquire_release_three_threads() {
    model(|| {
        let h = Harness::new(2, 2);
        h.stock(1);
        let workers: Vec<_> = [0, 1, 2]
            .into_iter()
            .map(|slot| {
                spawn(&h, move |h| {
                    let obj = h.acquire(slot);
                    h.release(slot, obj);
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        h.quiesce(&[0, 1, 2]);
        h.finish();
    });
}

/// An object taken on slot 0 is sent to another thread and returned on
/// slot 1, which overflows its cache of one, so the object travels through
/// the stash and may come back to the first thread.
#[test]
fn loom_cross_thread_release() {
    model(|| {
        let h = Harness::new(3, 1);
        h.stock(1);
        let (tx, rx) = mpsc::channel::<Handoff>();
        let a = spawn(&h, move |h| {
            let obj = h.acquire(0);
            tx.send(Handoff(obj)).unwrap();
            let again = h.acquire(0);
            h.release(0, again);
        });
        let b = spawn(&h, move |h| {
            let own = h.acquire(1);
            let Handoff(obj) = rx.recv().unwrap();
            h.release(1, obj);
            h.release(1, own);
        });
        a.join().unwrap();
        b.join().unwrap();
        h.quiesce(&[0, 1]);
        h.finish();
    });
}

/// Batches move between a cache and the shared layer at the same time:
/// slot 0's full cache hands half of its objects to the stash while slot 1
/// refills from it.
#[test]
fn loom_shared_layer_batches() {
    model(|| {
        // Capacity 16 gives caches of up to 4 objects and batches of 2.
        let h = Harness::new(16, 1);
        // Single-threaded set-up: two objects in the stash, a full cache of
        // four on slot 0, and one acquire served from it, so slot 0 counts
        // as a thread that also acquires (it keeps half at an overflow).
        h.stock(2);
        let objects: Vec<_> = (0..4).map(|_| h.build()).collect();
        for obj in objects {
            h.release(0, obj);
        }
        let again = h.acquire(0);
        h.release(0, again);
        assert_eq!(h.core.counts().idle, 6);
        let extra = Handoff(h.build());
        let filler = spawn(&h, move |h| {
            // Moves the whole `Handoff` in, not just its (non-`Send`) field.
            let extra = extra;
            h.release(0, extra.0);
        });
        let taker = spawn(&h, move |h| {
            // Takes a batch from the stash: one handed out, one cached.
            let a = h.acquire(1);
            let b = h.acquire(1);
            h.release(1, a);
            h.release(1, b);
        });
        filler.join().unwrap();
        taker.join().unwrap();
        h.quiesce(&[0, 1]);
        h.finish();
    });
}

/// Two threads compete for the last free units: a return that finds none
/// hands the cache's objects to the stash and is rejected, while the other
/// thread takes from that stash.
#[test]
fn loom_budget_exhausted_flushes_cache() {
    model(|| {
        // Capacity 8: caches of 2, batches of 1. Six stocked objects leave
        // two free units.
        let h = Harness::new(8, 1);
        h.stock(6);
        let returner = spawn(&h, |h| {
            let a = h.build();
            let b = h.build();
            h.release(1, a);
            h.release(1, b);
        });
        let other = spawn(&h, |h| {
            let a = h.acquire(2);
            let b = h.build();
            h.release(2, a);
            h.release(2, b);
        });
        returner.join().unwrap();
        other.join().unwrap();
        h.quiesce(&[1, 2]);
        h.finish();
    });
}

/// Four objects returned into a pool of capacity 2 by two threads: the
/// bound holds at every step and the budget is whole at the end.
#[test]
fn loom_capacity_bound() {
    model(|| {
        let h = Harness::new(2, 1);
        let workers: Vec<_> = [1, 2]
            .into_iter()
            .map(|slot| {
                spawn(&h, move |h| {
                    let a = h.acquire(slot);
                    let b = h.build();
                    h.release(slot, a);
                    h.release(slot, b);
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        h.quiesce(&[1, 2]);
        h.finish();
    });
}

/// `trim` on one thread while another takes and returns objects.
#[test]
fn loom_trim_races_acquire_release() {
    model(|| {
        let h = Harness::new(4, 1);
        h.stock(2);
        let user = spawn(&h, |h| {
            let a = h.acquire(1);
            h.release(1, a);
            let b = h.acquire(1);
            h.release(1, b);
        });
        let trimmer = spawn(&h, |h| {
            h.trim(Some(2));
            h.trim(Some(2));
        });
        user.join().unwrap();
        trimmer.join().unwrap();
        h.quiesce(&[1, 2]);
        h.finish();
    });
}

/// The capacity lowered on one thread while another takes and returns
/// objects through its cache: at quiescence, with every cache handed back,
/// no more than the new capacity is idle and the budget is whole for it.
#[test]
fn loom_set_capacity_races_acquire_release() {
    model(|| {
        let h = Harness::new(4, 1);
        h.stock(2);
        let user = spawn(&h, |h| {
            let a = h.acquire(1);
            h.release(1, a);
        });
        let shrinker = spawn(&h, |h| h.set_capacity(1, Some(2)));
        user.join().unwrap();
        shrinker.join().unwrap();
        h.quiesce(&[1, 2]);
        h.finish();
    });
}

/// `clear` from a thread without a slot while another thread overflows
/// its cache into the stash.
#[test]
fn loom_clear_races_overflow() {
    model(|| {
        let h = Harness::new(2, 1);
        h.stock(1);
        let user = spawn(&h, |h| {
            let a = h.acquire(1);
            let b = h.build();
            h.release(1, a);
            h.release(1, b);
            let c = h.acquire(1);
            h.release(1, c);
        });
        let clearer = spawn(&h, |h| h.clear(None));
        user.join().unwrap();
        clearer.join().unwrap();
        h.quiesce(&[1]);
        h.finish();
    });
}

/// A thread exits (its slot's cache goes to the shared layer) while
/// another one works and trims; a third thread then reuses the freed slot,
/// handed over through a lock as `thread.rs` does.
#[test]
fn loom_thread_exit_races_others() {
    model(|| {
        let h = Harness::new(3, 1);
        let free_slot: Arc<Mutex<Option<usize>>> = Arc::new(Mutex::new(None));
        let exiting = {
            let free_slot = Arc::clone(&free_slot);
            spawn(&h, move |h| {
                let a = h.acquire(1);
                let b = h.build();
                h.release(1, a);
                h.release(1, b);
                h.release_slot(1);
                *free_slot.lock().unwrap() = Some(1);
            })
        };
        let worker = spawn(&h, |h| {
            let a = h.acquire(2);
            h.trim(Some(2));
            h.release(2, a);
        });
        let newcomer = spawn(&h, move |h| {
            let slot = free_slot.lock().unwrap().take().unwrap_or(3);
            let a = h.acquire(slot);
            h.release(slot, a);
        });
        exiting.join().unwrap();
        worker.join().unwrap();
        newcomer.join().unwrap();
        h.quiesce(&[1, 2, 3]);
        h.finish();
    });
}

/// A thread whose slot is gone (its thread-locals are being destroyed)
/// uses the shared layer directly while a thread with a slot works.
#[test]
fn loom_slotless_thread_races_owner() {
    model(|| {
        let h = Harness::new(2, 1);
        h.stock(1);
        let owner = spawn(&h, |h| {
            let a = h.acquire(1);
            let b = h.build();
            h.release(1, a);
            h.release(1, b);
        });
        let slotless = spawn(&h, |h| {
            let a = h.acquire_unowned();
            h.release_unowned(a);
        });
        owner.join().unwrap();
        slotless.join().unwrap();
        h.quiesce(&[1]);
        h.finish();
    });
}

/// `prewarm` stocking the shared layer while a thread returns objects:
/// both compete for the same units.
#[test]
fn loom_stock_races_returns() {
    model(|| {
        let h = Harness::new(2, 2);
        let warmer = spawn(&h, |h| h.stock(2));
        let user = spawn(&h, |h| {
            let a = h.acquire(1);
            let b = h.acquire(1);
            h.release(1, a);
            h.release(1, b);
        });
        warmer.join().unwrap();
        user.join().unwrap();
        h.quiesce(&[1]);
        h.finish();
    });
}

/// `Pool::stats` while objects move from a cache to the stash (an overflow,
/// then a thread exit) and a `clear` empties the stash: the snapshot may be a little off, but never
/// wildly (it is documented as "close, not exact"). A reader counts each
/// idle object at most twice (in the stash count and in a cache, while it
/// moves), so a sane snapshot stays within twice the capacity.
#[test]
fn loom_stats_snapshot_is_close() {
    model(|| {
        // Capacity 3: caches of one object, so a second return moves the
        // first object to the stash.
        let h = Harness::new(3, 1);
        let mover = spawn(&h, |h| {
            let a = h.acquire(1);
            let b = h.acquire(1);
            h.release(1, a);
            h.release(1, b);
            // And the thread exits: `b` moves to the stash too.
            h.release_slot(1);
        });
        let clearer = spawn(&h, |h| {
            h.clear(None);
            let idle = h.core.counts().idle;
            assert!(idle <= 2 * h.capacity, "stats reported {idle} idle objects");
        });
        mover.join().unwrap();
        clearer.join().unwrap();
        h.quiesce(&[]);
        h.finish();
    });
}

// The checks above must be able to fail. These two feed the harness a
// broken "pool" on purpose and expect each detector to fire.

/// The oracle catches an object handed out twice.
#[test]
#[should_panic(expected = "held twice")]
fn loom_oracle_catches_double_hold() {
    model(|| {
        let h = Harness::new(1, 1);
        let obj = h.build();
        // As a pool that forgot to remove the object would: hand it out
        // while its first holder still has it.
        h.take(obj, false);
    });
}

/// The object's cell catches a hand-over with no happens-before edge: a
/// "pool" that publishes the object through a relaxed atomic.
#[test]
#[should_panic(expected = "Causality violation")]
fn loom_cell_catches_unsynchronised_handover() {
    use loom::sync::atomic::{AtomicPtr, Ordering};

    model(|| {
        let h = Harness::new(1, 1);
        let shelf = Arc::new(AtomicPtr::new(std::ptr::null_mut::<Obj>()));
        let putter = {
            let shelf = Arc::clone(&shelf);
            spawn(&h, move |h| {
                let obj = h.build();
                h.let_go(obj);
                shelf.store(obj.as_ptr(), Ordering::Relaxed);
            })
        };
        if let Some(obj) = NonNull::new(shelf.load(Ordering::Relaxed)) {
            // SAFETY: deliberately unsound, as the broken pool would be:
            // loom runs one thread at a time and panics on the cell access
            // before it happens, so nothing is actually raced.
            unsafe { obj.as_ref() }.touch();
        }
        putter.join().unwrap();
    });
}
