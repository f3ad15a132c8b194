//! Randomised stress with exact accounting: 8 to 16 threads acquire, hold,
//! send guards to each other, drop, detach, discard, trim, clear and prewarm
//! on one pool, and every thread exits and is replaced by a new one a few
//! times (so caches are handed back and slots reused while others work),
//! while a checker proves that
//!
//! * no object is ever held by two guards at once (a flag per object id,
//!   flipped with a swap on every acquire and release),
//! * every reused object was reset,
//! * and at the end every object built is accounted for:
//!   `built == dropped + idle + detached`, with `built`/`dropped` counted by
//!   the object's own constructor and destructor, not by the pool, and the
//!   pool's `Stats` agreeing with what the threads did.
//!
//! Every object is of a type of its own with `#[derive(Pooled)]`, and both
//! kinds of guard are covered: `Guard<T, &Pool<T>>` from `T::pool()`, and
//! `Guard<T>` from `T::acquire()`, through the thread-local cache pointer
//! that the derive declares for a non-generic type.
//!
//! Seeded: the seed is printed, and `REPOOL_STRESS_SEED=<n>` replays a
//! run's operation sequences (thread scheduling still varies).
//! `scripts/tsan.sh` runs this file under ThreadSanitizer: the checker
//! uses relaxed atomics only, so it adds no happens-before edges that could
//! hide a race in the pool, and the objects' fields are plain memory that
//! every holder writes, so a hand-over the pool forgot to synchronise is a
//! data race TSan reports.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use repool::{Guard, Pool, PoolRef, Pooled, Stats, TypePool};

/// Operations per worker; Miri runs a few of them.
const OPS: usize = if cfg!(miri) { 150 } else { 20_000 };
/// Threads each worker's walk is split over, one after the other.
const LIVES: usize = if cfg!(miri) { 2 } else { 4 };
/// Most guards one thread holds at once.
const MAX_HELD: usize = 12;
/// Ids the checker can track: more than any run builds.
const MAX_OBJECTS: usize = if cfg!(miri) { 1 << 12 } else { 1 << 21 };

/// xorshift64*: tiny, and the same sequence for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Zero is xorshift's one fixed point.
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn seed() -> u64 {
    let seed = match std::env::var("REPOOL_STRESS_SEED") {
        Ok(s) => s.parse().expect("REPOOL_STRESS_SEED must be a u64"),
        // Miri has no clock under isolation; a fixed seed is as good there.
        Err(_) if cfg!(miri) => 1,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    };
    eprintln!("stress seed: {seed} (replay with REPOOL_STRESS_SEED={seed})");
    seed
}

/// Ground truth about one test's objects, kept by the objects themselves.
struct Ledger {
    /// Set by the first worker that fails, so the others stop.
    stop: AtomicBool,
    built: AtomicU64,
    dropped: AtomicU64,
    held: OnceLock<Box<[AtomicBool]>>,
}

impl Ledger {
    const fn new() -> Self {
        Self {
            stop: AtomicBool::new(false),
            built: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            held: OnceLock::new(),
        }
    }

    fn flag(&self, id: usize) -> &AtomicBool {
        let held = self
            .held
            .get_or_init(|| (0..MAX_OBJECTS).map(|_| AtomicBool::new(false)).collect());
        held.get(id)
            .unwrap_or_else(|| panic!("more than {MAX_OBJECTS} objects built"))
    }

    /// A guard now holds object `id`. The swap is atomic, so of two guards
    /// getting the same object, the second always sees the first's `true`,
    /// whatever the interleaving.
    fn acquired(&self, id: usize) {
        assert!(
            !self.flag(id).swap(true, Relaxed),
            "object {id} held by two guards at once"
        );
    }

    /// The guard holding object `id` is about to give it up.
    fn released(&self, id: usize) {
        assert!(
            self.flag(id).swap(false, Relaxed),
            "object {id} released but not held"
        );
    }

    /// Object `id`'s destructor runs. Dropped by the pool while a guard
    /// still holds it would be a use-after-free; the detached ones are not
    /// held either. (Not checked while unwinding from another failure, when
    /// guards are dropped without being released first.)
    fn dropped(&self, id: usize) {
        assert!(
            thread::panicking() || !self.flag(id).load(Relaxed),
            "object {id} dropped while held"
        );
        self.dropped.fetch_add(1, Relaxed);
    }
}

/// An object of a test's own type, whose constructor and destructor keep
/// the test's own ledger.
trait Tracked: Pooled {
    fn ledger() -> &'static Ledger;
    fn id(&self) -> usize;
    /// Writes plain memory, as a holder does.
    fn touch(&mut self, value: u64);
    /// Whether nothing a holder wrote is left.
    fn is_reset(&self) -> bool;
}

/// Declares `$name`, a `#[derive(Pooled)]` type with a ledger of its own.
macro_rules! tracked {
    ($name:ident, capacity = $capacity:expr) => {
        #[derive(repool::Pooled)]
        #[pooled(new = Self::tracked, capacity = $capacity)]
        struct $name {
            #[pooled(skip)]
            id: usize,
            /// Plain memory every holder writes: a race on it is a missing
            /// happens-before in the pool's hand-over.
            scratch: Vec<u64>,
            dirty: bool,
        }

        impl $name {
            fn tracked() -> Self {
                let id = Self::ledger().built.fetch_add(1, Relaxed) as usize;
                Self {
                    id,
                    scratch: Vec::new(),
                    dirty: false,
                }
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                Self::ledger().dropped(self.id);
            }
        }

        impl Tracked for $name {
            fn ledger() -> &'static Ledger {
                static LEDGER: Ledger = Ledger::new();
                &LEDGER
            }

            fn id(&self) -> usize {
                self.id
            }

            fn touch(&mut self, value: u64) {
                self.scratch.push(value);
                self.dirty = true;
            }

            fn is_reset(&self) -> bool {
                !self.dirty && self.scratch.is_empty()
            }
        }
    };
}

/// Which guards a test uses: from the type's pool value, or the `Pooled`
/// type's own.
trait Flavour<T: Tracked>: PoolRef<T> + Send + Sized + 'static {
    fn acquire() -> Guard<T, Self>;
}

impl<T: Tracked> Flavour<T> for &'static Pool<T> {
    fn acquire() -> Guard<T, Self> {
        T::pool().acquire()
    }
}

impl<T: Tracked> Flavour<T> for TypePool {
    fn acquire() -> Guard<T, Self> {
        T::acquire()
    }
}

/// What one thread did, to compare with the pool's `Stats`.
#[derive(Default, Debug)]
struct Tally {
    acquired: u64,
    detached: u64,
    discarded: u64,
    /// Objects `prewarm` made idle (its return values).
    prewarmed: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.acquired += other.acquired;
        self.detached += other.detached;
        self.discarded += other.discarded;
        self.prewarmed += other.prewarmed;
    }
}

fn give_up<T: Tracked, F: Flavour<T>>(guard: &Guard<T, F>) {
    T::ledger().released(guard.id());
}

/// One worker's state, handed from each of its threads to the next.
struct Walker<T: Tracked, F: Flavour<T>> {
    rng: Rng,
    tally: Tally,
    held: Vec<Guard<T, F>>,
    detached: Vec<T>,
    inbox: Receiver<Guard<T, F>>,
    peers: Vec<Sender<Guard<T, F>>>,
}

/// Runs `ops` random operations on the calling thread.
fn live<T: Tracked, F: Flavour<T>>(walker: &mut Walker<T, F>, ops: std::ops::Range<usize>) {
    let walk = catch_unwind(AssertUnwindSafe(|| {
        for op in ops {
            if T::ledger().stop.load(Relaxed) {
                break;
            }
            // Received guards are held by this thread now.
            walker.held.extend(walker.inbox.try_iter());
            step(walker, op as u64);
        }
    }));
    if let Err(panic) = walk {
        // Stop the others and give up what this thread holds, so that the
        // first failure is the one reported, not its echoes.
        T::ledger().stop.store(true, Relaxed);
        for guard in walker.held.drain(..) {
            T::ledger().flag(guard.id()).store(false, Relaxed);
            drop(guard);
        }
        resume_unwind(panic);
    }
}

/// One worker: its walk over `LIVES` threads in turn, each exiting (and
/// handing its caches back) before the next starts with what it held.
/// Returns the tally and the objects it detached (kept alive so the final
/// count can see them).
fn worker<T: Tracked, F: Flavour<T>>(
    seed: u64,
    me: usize,
    inbox: Receiver<Guard<T, F>>,
    peers: Vec<Sender<Guard<T, F>>>,
) -> (Tally, Vec<T>) {
    let mut walker = Walker {
        rng: Rng::new(seed ^ (me as u64).wrapping_mul(0xA24B_AED4_963E_E407)),
        tally: Tally::default(),
        held: Vec::new(),
        detached: Vec::new(),
        inbox,
        peers,
    };
    let per_life = OPS / LIVES;
    for life in 0..LIVES {
        let ops = life * per_life..(life + 1) * per_life;
        walker = thread::spawn(move || {
            live(&mut walker, ops);
            walker
        })
        .join()
        .unwrap_or_else(|panic| resume_unwind(panic));
    }
    // The inbox ends once every worker has dropped its senders, that is,
    // once every walk is over (or failed): then nothing is in flight.
    let Walker {
        tally,
        mut held,
        detached,
        inbox,
        peers,
        ..
    } = walker;
    drop(peers);
    held.extend(inbox.iter());
    for guard in held {
        give_up(&guard);
        drop(guard);
    }
    (tally, detached)
}

/// One random operation.
fn step<T: Tracked, F: Flavour<T>>(w: &mut Walker<T, F>, op: u64) {
    let pool = T::pool();
    let rng = &mut w.rng;
    let held = &mut w.held;
    match rng.below(100) {
        0..=34 if held.len() < MAX_HELD => {
            let mut guard = F::acquire();
            w.tally.acquired += 1;
            T::ledger().acquired(guard.id());
            assert!(
                guard.is_reset(),
                "object {} handed out without a reset",
                guard.id()
            );
            guard.touch(op);
            held.push(guard);
        }
        // Also an acquire that found this thread's hands full.
        0..=59 if !held.is_empty() => {
            let guard = held.swap_remove(rng.below(held.len()));
            give_up(&guard);
            drop(guard);
        }
        60..=71 if !held.is_empty() => {
            let i = rng.below(held.len());
            held[i].touch(op);
        }
        72..=81 if !held.is_empty() => {
            // The receiver takes over: the flag stays set.
            let guard = held.swap_remove(rng.below(held.len()));
            let to = rng.below(w.peers.len());
            // A receiver is gone only if its thread failed; the guard then
            // comes back in the error and is dropped here.
            let _ = w.peers[to].send(guard);
        }
        82..=86 if !held.is_empty() => {
            let guard = held.swap_remove(rng.below(held.len()));
            give_up(&guard);
            w.tally.detached += 1;
            w.detached.push(Guard::detach(guard));
        }
        87..=91 if !held.is_empty() => {
            let guard = held.swap_remove(rng.below(held.len()));
            give_up(&guard);
            w.tally.discarded += 1;
            Guard::discard(guard);
        }
        92..=94 => pool.trim(),
        95 => pool.clear(),
        96 => {
            let n = rng.below(4);
            let stocked = pool.prewarm(n);
            assert!(stocked <= n);
            w.tally.prewarmed += stocked as u64;
        }
        97 => {
            // A snapshot taken while others work is only "close": each idle
            // object is counted at most once in the shared layer's count
            // and once per thread cache the scan passes, and this process
            // has far fewer than 64 caches.
            let idle = pool.stats().idle;
            assert!(
                idle <= pool.capacity() * 64,
                "a concurrent snapshot reported {idle} idle objects"
            );
        }
        _ => {}
    }
}

fn stress<T: Tracked, F: Flavour<T>>() {
    let pool = T::pool();
    let seed = seed();
    let workers = 8 + Rng::new(seed).below(9);
    let (senders, inboxes): (Vec<_>, Vec<_>) = (0..workers).map(|_| mpsc::channel()).unzip();
    // Spawned and joined, not scoped: `join` waits for the thread-local
    // destructors that hand each thread's cache back, so the final counts
    // are exact.
    let handles: Vec<_> = inboxes
        .into_iter()
        .enumerate()
        .map(|(me, inbox)| {
            let peers = senders.clone();
            thread::spawn(move || worker::<T, F>(seed, me, inbox, peers))
        })
        .collect();
    drop(senders);
    let mut total = Tally::default();
    let mut detached = Vec::new();
    let mut failure = None;
    for handle in handles {
        // Join them all before reporting a failure, so that none outlives
        // the test.
        match handle.join() {
            Ok((tally, mut objects)) => {
                total.add(&tally);
                detached.append(&mut objects);
            }
            Err(panic) => {
                failure.get_or_insert(panic);
            }
        }
    }
    if let Some(panic) = failure {
        resume_unwind(panic);
    }

    let ledger = T::ledger();
    let stats: Stats = pool.stats();
    let built = ledger.built.load(Relaxed);
    let dropped = ledger.dropped.load(Relaxed);
    eprintln!("{workers} workers, {total:?}, {stats:?}");
    assert!(stats.idle <= pool.capacity(), "{stats:?}");
    assert_eq!(
        built,
        dropped + stats.idle as u64 + detached.len() as u64,
        "built = dropped + idle + detached ({stats:?})"
    );
    assert_eq!(stats.built, built, "the pool counts every construction");
    assert_eq!(stats.acquired, total.acquired);
    assert_eq!(stats.detached, total.detached);
    assert_eq!(stats.user_discarded, total.discarded);
    // `prewarm` builds only what it has room for, so every object built
    // is one that an acquire missed or one that `prewarm` made idle.
    assert_eq!(
        stats.built,
        (stats.acquired - stats.reused) + total.prewarmed,
        "built = misses + prewarmed ({stats:?})"
    );
    assert_eq!(
        stats.returned + stats.discarded + stats.detached,
        stats.acquired,
        "every guard ended exactly once ({stats:?})"
    );
    assert_eq!(
        stats.discarded + stats.trimmed,
        dropped,
        "every object the pool dropped is counted once ({stats:?})"
    );
    assert_eq!(stats.oversized + stats.reset_panicked, 0);
    assert_eq!(stats.in_use, 0, "no guard is alive ({stats:?})");

    drop(detached);
    assert_eq!(
        ledger.built.load(Relaxed),
        ledger.dropped.load(Relaxed) + pool.stats().idle as u64
    );
}

#[test]
fn stress_tiny_capacity() {
    // Caches of one object: nearly every return overflows to the shared
    // layer or past the bound.
    tracked!(Tiny, capacity = 4);
    stress::<Tiny, &Pool<_>>();
}

#[test]
fn stress_small_capacity_pooled_type() {
    // Caches of up to 16 objects, and a bound the threads' caches can fill
    // between them; guards of a `Pooled` type, through its thread-local
    // cache pointer.
    tracked!(Small, capacity = 64);
    stress::<Small, TypePool>();
}

#[test]
fn stress_default_capacity() {
    tracked!(Roomy, capacity = repool::DEFAULT_CAPACITY);
    stress::<Roomy, &Pool<_>>();
}

#[test]
fn stress_default_capacity_pooled_type() {
    tracked!(RoomyPooled, capacity = repool::DEFAULT_CAPACITY);
    stress::<RoomyPooled, TypePool>();
}

/// The checker must be able to fail: two guards on one object (which is
/// what a pool handing out the same object twice produces) trip it.
#[test]
#[should_panic(expected = "held by two guards at once")]
fn checker_catches_an_object_held_twice() {
    tracked!(Broken, capacity = 1);
    let object = Broken::tracked();
    Broken::ledger().acquired(object.id);
    Broken::ledger().acquired(object.id);
}
