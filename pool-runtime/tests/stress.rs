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
//! Both kinds of guard are covered: `Guard<T, &Pool<T>>` from a pool value,
//! and `Guard<T>` of a `Pooled` type with the per-type thread-local cache
//! pointer that `#[derive(Pooled)]` declares.
//!
//! Seeded: the seed is printed, and `REPOOL_STRESS_SEED=<n>` replays a
//! run's operation sequences (thread scheduling still varies).
//! `scripts/tsan.sh` runs this file under ThreadSanitizer: the checker
//! uses relaxed atomics only, so it adds no happens-before edges that could
//! hide a race in the pool, and the objects' fields are plain memory that
//! every holder writes, so a hand-over the pool forgot to synchronise is a
//! data race TSan reports.

use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, LocalKey};

use pool_runtime::__private::LocalCache;
use pool_runtime::{Guard, Pool, PoolRef, Pooled, Reset, Stats};

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
}

/// Gives each test its own ledger, pool and object type (a pool builds
/// with a `fn()` that captures nothing), and a thread-local cache pointer
/// as `#[derive(Pooled)]` declares one.
trait Book: Sized + 'static {
    fn ledger() -> &'static Ledger;
    fn pool() -> &'static Pool<Tracked<Self>>;
    fn local_cache() -> &'static LocalKey<LocalCache<Tracked<Self>>>;
}

macro_rules! book {
    ($name:ident, capacity = $capacity:expr) => {
        struct $name;
        impl Book for $name {
            fn ledger() -> &'static Ledger {
                static LEDGER: Ledger = Ledger::new();
                &LEDGER
            }
            fn pool() -> &'static Pool<Tracked<Self>> {
                static POOL: Pool<Tracked<$name>> =
                    Pool::from_fn(Tracked::new).with_capacity($capacity);
                &POOL
            }
            fn local_cache() -> &'static LocalKey<LocalCache<Tracked<Self>>> {
                thread_local! {
                    static CACHE: LocalCache<Tracked<$name>> = const { LocalCache::new() };
                }
                &CACHE
            }
        }
    };
}

struct Tracked<L: Book> {
    id: usize,
    /// Plain memory every holder writes: a race on it is a missing
    /// happens-before in the pool's hand-over.
    scratch: Vec<u64>,
    dirty: bool,
    _book: PhantomData<fn() -> L>,
}

impl<L: Book> Tracked<L> {
    fn new() -> Self {
        let id = L::ledger().built.fetch_add(1, Relaxed) as usize;
        Self {
            id,
            scratch: Vec::new(),
            dirty: false,
            _book: PhantomData,
        }
    }

    fn touch(&mut self, value: u64) {
        self.scratch.push(value);
        self.dirty = true;
    }
}

impl<L: Book> Reset for Tracked<L> {
    fn reset(&mut self) {
        self.scratch.clear();
        self.dirty = false;
    }
}

impl<L: Book> Drop for Tracked<L> {
    fn drop(&mut self) {
        // Dropped by the pool while a guard still holds it would be a
        // use-after-free; the detached ones are not held either.
        // (Not checked while unwinding from another failure, when guards
        // are dropped without being released first.)
        assert!(
            thread::panicking() || !L::ledger().flag(self.id).load(Relaxed),
            "object {} dropped while held",
            self.id
        );
        L::ledger().dropped.fetch_add(1, Relaxed);
    }
}

/// What the derive writes for a non-generic type, by hand.
impl<L: Book> Pooled for Tracked<L> {
    fn pool() -> &'static Pool<Self> {
        L::pool()
    }

    fn __local_cache() -> Option<&'static LocalKey<LocalCache<Self>>> {
        Some(L::local_cache())
    }
}

/// Which guards a test uses: from the pool value, or the `Pooled` type's.
trait Flavour<L: Book>: PoolRef<Tracked<L>> + Send + Sized + 'static {
    fn acquire() -> Guard<Tracked<L>, Self>;
}

impl<L: Book> Flavour<L> for &'static Pool<Tracked<L>> {
    fn acquire() -> Guard<Tracked<L>, Self> {
        L::pool().acquire()
    }
}

impl<L: Book> Flavour<L> for pool_runtime::TypePool {
    fn acquire() -> Guard<Tracked<L>, Self> {
        <Tracked<L> as Pooled>::acquire()
    }
}

type G<L, F> = Guard<Tracked<L>, F>;

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

fn give_up<L: Book, F: Flavour<L>>(guard: &G<L, F>) {
    L::ledger().released(guard.id);
}

/// One worker's state, handed from each of its threads to the next.
struct Walker<L: Book, F: Flavour<L>> {
    rng: Rng,
    tally: Tally,
    held: Vec<G<L, F>>,
    detached: Vec<Tracked<L>>,
    inbox: Receiver<G<L, F>>,
    peers: Vec<Sender<G<L, F>>>,
}

/// Runs `ops` random operations on the calling thread.
fn live<L: Book, F: Flavour<L>>(walker: &mut Walker<L, F>, ops: std::ops::Range<usize>) {
    let walk = catch_unwind(AssertUnwindSafe(|| {
        for op in ops {
            if L::ledger().stop.load(Relaxed) {
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
        L::ledger().stop.store(true, Relaxed);
        for guard in walker.held.drain(..) {
            L::ledger().flag(guard.id).store(false, Relaxed);
            drop(guard);
        }
        resume_unwind(panic);
    }
}

/// One worker: its walk over `LIVES` threads in turn, each exiting (and
/// handing its caches back) before the next starts with what it held.
/// Returns the tally and the objects it detached (kept alive so the final
/// count can see them).
fn worker<L: Book, F: Flavour<L>>(
    seed: u64,
    me: usize,
    inbox: Receiver<G<L, F>>,
    peers: Vec<Sender<G<L, F>>>,
) -> (Tally, Vec<Tracked<L>>) {
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
fn step<L: Book, F: Flavour<L>>(w: &mut Walker<L, F>, op: u64) {
    let pool = L::pool();
    let rng = &mut w.rng;
    let held = &mut w.held;
    match rng.below(100) {
        0..=34 if held.len() < MAX_HELD => {
            let mut guard = F::acquire();
            w.tally.acquired += 1;
            L::ledger().acquired(guard.id);
            assert!(
                !guard.dirty && guard.scratch.is_empty(),
                "object {} handed out without a reset",
                guard.id
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

fn stress<L: Book, F: Flavour<L>>() {
    let pool = L::pool();
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
            thread::spawn(move || worker::<L, F>(seed, me, inbox, peers))
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

    let ledger = L::ledger();
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
    book!(Tiny, capacity = 4);
    stress::<Tiny, &Pool<_>>();
}

#[test]
fn stress_small_capacity_pooled_type() {
    // Caches of up to 16 objects, and a bound the threads' caches can fill
    // between them; guards of a `Pooled` type, through its thread-local
    // cache pointer.
    book!(Small, capacity = 64);
    stress::<Small, pool_runtime::TypePool>();
}

#[test]
fn stress_default_capacity() {
    book!(Roomy, capacity = pool_runtime::DEFAULT_CAPACITY);
    stress::<Roomy, &Pool<_>>();
}

#[test]
fn stress_default_capacity_pooled_type() {
    book!(RoomyPooled, capacity = pool_runtime::DEFAULT_CAPACITY);
    stress::<RoomyPooled, pool_runtime::TypePool>();
}

/// The checker must be able to fail: two guards on one object (which is
/// what a pool handing out the same object twice produces) trip it.
#[test]
#[should_panic(expected = "held by two guards at once")]
fn checker_catches_an_object_held_twice() {
    book!(Broken, capacity = 1);
    let object = Tracked::<Broken>::new();
    Broken::ledger().acquired(object.id);
    Broken::ledger().acquired(object.id);
}
