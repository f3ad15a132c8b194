//! Randomised stress with exact accounting: 8 to 16 threads acquire, hold,
//! send guards to each other, drop, detach, discard, trim, clear and prewarm
//! on one pool, while a checker proves that
//!
//! * no object is ever held by two guards at once (a flag per object id,
//!   flipped with a swap on every acquire and release),
//! * every reused object was reset,
//! * and at the end every object built is accounted for:
//!   `built == dropped + idle + detached`, with `built`/`dropped` counted by
//!   the object's own constructor and destructor, not by the pool, and the
//!   pool's `Stats` agreeing with what the threads did.
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
use std::thread;

use pool_runtime::{Guard, Pool, Reset, Stats};

/// Operations per thread; Miri runs a few of them.
const OPS: usize = if cfg!(miri) { 150 } else { 20_000 };
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

/// Gives each test its own ledger (and, through `Tracked<L>`, its own
/// object type), since a pool builds with a `fn()` that captures nothing.
trait Book: 'static {
    fn ledger() -> &'static Ledger;
}

macro_rules! book {
    ($name:ident) => {
        struct $name;
        impl Book for $name {
            fn ledger() -> &'static Ledger {
                static LEDGER: Ledger = Ledger::new();
                &LEDGER
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

type G<L> = Guard<Tracked<L>, &'static Pool<Tracked<L>>>;

/// What one thread did, to compare with the pool's `Stats`.
#[derive(Default, Debug)]
struct Tally {
    acquired: u64,
    detached: u64,
    discarded: u64,
    /// Objects `prewarm` made idle (its return values).
    prewarmed: u64,
}

fn take<L: Book>(pool: &'static Pool<Tracked<L>>, tally: &mut Tally, value: u64) -> G<L> {
    let mut guard = pool.acquire();
    tally.acquired += 1;
    L::ledger().acquired(guard.id);
    assert!(
        !guard.dirty && guard.scratch.is_empty(),
        "object {} handed out without a reset",
        guard.id
    );
    guard.touch(value);
    guard
}

fn give_up<L: Book>(guard: &G<L>) {
    L::ledger().released(guard.id);
}

/// One thread's random walk. Returns its tally and the objects it detached
/// (kept alive so that the final count can see them).
fn worker<L: Book>(
    pool: &'static Pool<Tracked<L>>,
    seed: u64,
    me: usize,
    inbox: Receiver<G<L>>,
    peers: Vec<Sender<G<L>>>,
) -> (Tally, Vec<Tracked<L>>) {
    let mut tally = Tally::default();
    let mut held: Vec<G<L>> = Vec::new();
    let mut detached = Vec::new();
    let walk = catch_unwind(AssertUnwindSafe(|| {
        let mut rng = Rng::new(seed ^ (me as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        for op in 0..OPS {
            if L::ledger().stop.load(Relaxed) {
                break;
            }
            // Received guards are held by this thread now.
            held.extend(inbox.try_iter());
            step(
                pool,
                &mut rng,
                op as u64,
                &peers,
                &mut held,
                &mut tally,
                &mut detached,
            );
        }
    }));
    if let Err(panic) = walk {
        // Stop the others and give up what this thread holds, so that the
        // first failure is the one reported, not its echoes.
        L::ledger().stop.store(true, Relaxed);
        for guard in held.drain(..) {
            L::ledger().flag(guard.id).store(false, Relaxed);
            drop(guard);
        }
        resume_unwind(panic);
    }
    // The inbox ends once every thread has dropped its senders, that is,
    // once every walk is over (or failed): then nothing is in flight.
    drop(peers);
    held.extend(inbox.iter());
    for guard in held {
        give_up(&guard);
        drop(guard);
    }
    (tally, detached)
}

/// One random operation.
fn step<L: Book>(
    pool: &'static Pool<Tracked<L>>,
    rng: &mut Rng,
    op: u64,
    peers: &[Sender<G<L>>],
    held: &mut Vec<G<L>>,
    tally: &mut Tally,
    detached: &mut Vec<Tracked<L>>,
) {
    match rng.below(100) {
        0..=34 if held.len() < MAX_HELD => {
            held.push(take(pool, tally, op));
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
            let to = rng.below(peers.len());
            // A receiver is gone only if its thread failed; the guard then
            // comes back in the error and is dropped here.
            let _ = peers[to].send(guard);
        }
        82..=86 if !held.is_empty() => {
            let guard = held.swap_remove(rng.below(held.len()));
            give_up(&guard);
            tally.detached += 1;
            detached.push(Guard::detach(guard));
        }
        87..=91 if !held.is_empty() => {
            let guard = held.swap_remove(rng.below(held.len()));
            give_up(&guard);
            tally.discarded += 1;
            Guard::discard(guard);
        }
        92..=94 => pool.trim(),
        95 => pool.clear(),
        96 => {
            let n = rng.below(4);
            let stocked = pool.prewarm(n);
            assert!(stocked <= n);
            tally.prewarmed += stocked as u64;
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

fn stress<L: Book>(pool: &'static Pool<Tracked<L>>) {
    let seed = seed();
    let threads = 8 + Rng::new(seed).below(9);
    let (senders, inboxes): (Vec<_>, Vec<_>) = (0..threads).map(|_| mpsc::channel()).unzip();
    // Spawned and joined, not scoped: `join` waits for the thread-local
    // destructors that hand each thread's cache back, so the final counts
    // are exact.
    let handles: Vec<_> = inboxes
        .into_iter()
        .enumerate()
        .map(|(me, inbox)| {
            let peers = senders.clone();
            thread::spawn(move || worker(pool, seed, me, inbox, peers))
        })
        .collect();
    drop(senders);
    let mut total = Tally::default();
    let mut detached = Vec::new();
    let mut failure = None;
    for handle in handles {
        // Join them all before reporting a failure, so that none outlives
        // the test.
        let (tally, mut objects) = match handle.join() {
            Ok(done) => done,
            Err(panic) => {
                failure.get_or_insert(panic);
                continue;
            }
        };
        total.acquired += tally.acquired;
        total.detached += tally.detached;
        total.discarded += tally.discarded;
        total.prewarmed += tally.prewarmed;
        detached.append(&mut objects);
    }
    if let Some(panic) = failure {
        resume_unwind(panic);
    }

    let ledger = L::ledger();
    let stats: Stats = pool.stats();
    let built = ledger.built.load(Relaxed);
    let dropped = ledger.dropped.load(Relaxed);
    eprintln!("{threads} threads, {total:?}, {stats:?}");
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
    // `prewarm` builds as many objects as there are free units, and drops
    // (as `over_capacity`) those that other threads' returns beat it to.
    let prewarm_built = stats.built - (stats.acquired - stats.reused);
    let prewarm_rejected = prewarm_built - total.prewarmed;
    assert_eq!(
        stats.returned
            + (stats.over_capacity - prewarm_rejected)
            + stats.user_discarded
            + stats.detached,
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
    book!(Tiny);
    static POOL: Pool<Tracked<Tiny>> = Pool::from_fn(Tracked::new).with_capacity(4);
    stress(&POOL);
}

#[test]
fn stress_small_capacity() {
    // Caches of 16 objects, batches of 8, and a bound the threads' caches
    // can fill between them.
    book!(Small);
    static POOL: Pool<Tracked<Small>> = Pool::from_fn(Tracked::new).with_capacity(64);
    stress(&POOL);
}

#[test]
fn stress_default_capacity() {
    book!(Roomy);
    static POOL: Pool<Tracked<Roomy>> = Pool::from_fn(Tracked::new);
    stress(&POOL);
}

/// The checker must be able to fail: two guards on one object (which is
/// what a pool handing out the same object twice produces) trip it.
#[test]
#[should_panic(expected = "held by two guards at once")]
fn checker_catches_an_object_held_twice() {
    book!(Broken);
    let object = Tracked::<Broken>::new();
    Broken::ledger().acquired(object.id);
    Broken::ledger().acquired(object.id);
}
