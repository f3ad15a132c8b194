//! Randomised stress of buffer pools with exact accounting per size class:
//! 8 threads acquire buffers of mixed sizes, fill, hold, send them to each
//! other, detach, discard, trim, clear and change the pool's settings,
//! while a checker proves that
//!
//! * no buffer is ever held by two guards at once (a flag per buffer id),
//! * every reused buffer was reset and holds at least what was asked,
//! * and at the end, per class, every buffer built is accounted for:
//!   `built == dropped + idle`, with `built`/`dropped` counted by the
//!   buffer's own constructor and destructor (and the pool's `Stats` per
//!   class agreeing: `built == discarded + trimmed + detached + idle`).
//!
//! Two pools: a buffer type of the test's own (`Pool::buffers()` behind
//! `Pooled`, the path of any buffer type without a thread-local), and
//! `Vec<u16>` (the standard buffers' thread-local class caches), checked by
//! the pool's counts alone. No buffer grows past what it was made for, so
//! none changes class. `scripts/tsan.sh` runs this file too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::thread;

use repool::{Buffer, Capacity, Guard, Pool, Pooled, Reset};

const THREADS: usize = 8;
const OPS: usize = if cfg!(miri) { 120 } else { 20_000 };
const MAX_HELD: usize = 10;
/// Sizes up to `64 << MAX_SHIFT` bytes.
const MAX_SHIFT: u64 = if cfg!(miri) { 6 } else { 11 };
const IDS: usize = if cfg!(miri) { 1 << 12 } else { 1 << 20 };
const CLASSES: usize = 64;

/// The class the pool puts `bytes` in, computed here on its own.
fn class(bytes: usize) -> usize {
    if bytes < 128 {
        0
    } else {
        bytes.ilog2() as usize - 6
    }
}

static BUILT: [AtomicU64; CLASSES] = [const { AtomicU64::new(0) }; CLASSES];
static DROPPED: [AtomicU64; CLASSES] = [const { AtomicU64::new(0) }; CLASSES];
static HELD: [AtomicBool; IDS] = [const { AtomicBool::new(false) }; IDS];
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// A byte buffer with an id and a ledger of its own.
struct Tracked {
    data: Vec<u8>,
    id: usize,
}

impl Tracked {
    fn held(&self) {
        assert!(
            !HELD[self.id].swap(true, Relaxed),
            "buffer {} held twice",
            self.id
        );
    }

    fn let_go(&self) {
        assert!(
            HELD[self.id].swap(false, Relaxed),
            "buffer {} was not held",
            self.id
        );
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        DROPPED[class(self.data.capacity())].fetch_add(1, Relaxed);
    }
}

impl Default for Tracked {
    fn default() -> Self {
        <Tracked as Buffer>::with_capacity(0)
    }
}

impl Reset for Tracked {
    fn reset(&mut self) {
        self.data.clear();
    }
}

impl Capacity for Tracked {
    fn capacity(&self) -> usize {
        self.data.capacity()
    }
}

impl Buffer for Tracked {
    const ELEMENT_BYTES: usize = 1;

    fn with_capacity(capacity: usize) -> Self {
        let data = Vec::with_capacity(capacity);
        BUILT[class(data.capacity())].fetch_add(1, Relaxed);
        let id = NEXT_ID.fetch_add(1, Relaxed);
        assert!(id < IDS, "more buffers than the checker has flags for");
        Self { data, id }
    }

    fn ensure_capacity(&mut self, capacity: usize) {
        // Only class 0's small buffers grow, and only to 64 bytes: they
        // stay in class 0, which the ledger needs.
        let before = class(self.data.capacity());
        self.data.reserve(capacity);
        assert_eq!(class(self.data.capacity()), before);
    }
}

impl Pooled for Tracked {
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<Tracked> = Pool::buffers();
        &POOL
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// 0 to `64 << MAX_SHIFT` bytes, log-uniform over the classes.
    fn size(&mut self) -> usize {
        let shift = self.below(MAX_SHIFT + 1);
        let high = 64 << shift;
        let low = if shift == 0 { 0 } else { high / 2 };
        (low + self.below(high - low + 1)) as usize
    }
}

enum Held {
    Mine(Guard<Tracked>),
    Std(Guard<Vec<u16>>),
}

fn take(rng: &mut Rng) -> Held {
    let n = rng.size();
    if rng.below(2) == 0 {
        let mut g = Tracked::acquire_with_capacity(n);
        g.held();
        assert!(g.data.is_empty(), "a reused buffer was reset");
        assert!(g.data.capacity() >= n);
        let fill = (g.id % 251) as u8;
        g.data.resize(n, fill);
        Held::Mine(g)
    } else {
        let n = n / 2;
        let mut g = Vec::<u16>::acquire_with_capacity(n);
        assert!(g.is_empty(), "a reused buffer was reset");
        assert!(g.capacity() >= n);
        g.resize(n, 7);
        Held::Std(g)
    }
}

fn give_up(held: Held, rng: &mut Rng) {
    match held {
        Held::Mine(g) => {
            assert!(
                g.data.iter().all(|&b| b == (g.id % 251) as u8),
                "nobody else wrote it"
            );
            g.let_go();
            match rng.below(20) {
                0 => drop(Guard::detach(g)),
                1 => Guard::discard(g),
                _ => drop(g),
            }
        }
        Held::Std(g) => match rng.below(20) {
            0 => drop(Guard::detach(g)),
            1 => Guard::discard(g),
            _ => drop(g),
        },
    }
}

fn settle_somewhere(rng: &mut Rng) {
    let idle_bytes = [1 << 16, 1 << 20, repool::DEFAULT_MAX_IDLE_BYTES];
    match rng.below(400) {
        0 => Tracked::pool().trim(),
        1 => Vec::<u16>::pool().trim(),
        2 => Tracked::pool().clear(),
        3 => Tracked::pool().set_max_idle_bytes(idle_bytes[rng.below(3) as usize]),
        4 => Vec::<u16>::pool().set_max_idle_bytes(idle_bytes[rng.below(3) as usize]),
        5 => Tracked::pool().set_capacity([4, 64, 1024][rng.below(3) as usize]),
        6 => Tracked::pool().set_max_capacity([1 << 10, 1 << 20][rng.below(2) as usize]),
        _ => {}
    }
}

#[test]
fn mixed_sizes_on_eight_threads_account_for_every_buffer_per_class() {
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..THREADS).map(|_| mpsc::channel::<Held>()).unzip();
    let workers: Vec<_> = receivers
        .into_iter()
        .enumerate()
        .map(|(t, inbox)| {
            let next = senders[(t + 1) % THREADS].clone();
            thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((t as u64 + 1) * 0x2545_f491));
                let mut held = Vec::new();
                for _ in 0..OPS {
                    while let Ok(got) = inbox.try_recv() {
                        held.push(got);
                    }
                    if held.len() < MAX_HELD && rng.below(2) == 0 {
                        held.push(take(&mut rng));
                    } else if !held.is_empty() {
                        let at = rng.below(held.len() as u64) as usize;
                        let one = held.swap_remove(at);
                        if rng.below(8) == 0 {
                            // Filled here, dropped on the next thread.
                            if let Err(mpsc::SendError(one)) = next.send(one) {
                                give_up(one, &mut rng);
                            }
                        } else {
                            give_up(one, &mut rng);
                        }
                    }
                    settle_somewhere(&mut rng);
                }
                drop(next);
                for one in held.drain(..).chain(inbox.try_iter().collect::<Vec<_>>()) {
                    give_up(one, &mut rng);
                }
                inbox
            })
        })
        .collect();
    drop(senders);
    // Joined, so every thread's caches were handed back; then what was
    // still on its way to a thread that had finished.
    let inboxes: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let mut rng = Rng(1);
    for inbox in inboxes {
        for one in inbox.try_iter() {
            give_up(one, &mut rng);
        }
    }

    let classes: HashMap<usize, repool::ClassStats> = Tracked::pool()
        .class_stats()
        .into_iter()
        .map(|c| (c.class, c))
        .collect();
    let mut total_built = 0;
    for k in 0..CLASSES {
        let built = BUILT[k].load(Relaxed);
        let dropped = DROPPED[k].load(Relaxed);
        total_built += built;
        let Some(c) = classes.get(&k) else {
            assert_eq!(built, 0, "class {k} built buffers the pool does not know");
            continue;
        };
        let s = c.stats;
        assert_eq!(
            built,
            dropped + s.idle as u64,
            "class {k}: built = dropped + idle"
        );
        assert_eq!(s.built, built, "class {k}: the pool counts what was built");
        assert_eq!(
            s.built,
            s.discarded + s.trimmed + s.detached + s.idle as u64,
            "class {k}: {s:?}"
        );
        assert!(s.idle <= c.capacity, "class {k}: {c:?}");
    }
    let s = Tracked::pool().stats();
    assert_eq!(s.built, total_built);
    assert!(s.reused > 0);
    assert_eq!(
        s.in_use, 0,
        "no guard is alive, whatever class each went back to"
    );
    assert!(s.idle_bytes <= Tracked::pool().max_idle_bytes());
    assert!(HELD.iter().all(|h| !h.load(Relaxed)), "every guard let go");

    for c in Vec::<u16>::pool().class_stats() {
        let s = c.stats;
        assert_eq!(
            s.built,
            s.discarded + s.trimmed + s.detached + s.idle as u64,
            "Vec<u16> class {}: {s:?}",
            c.class
        );
        assert!(s.idle <= c.capacity);
    }
}
