//! The pool's storage and its accounting, written against explicit thread
//! slots so loom can model it without thread-locals.
//!
//! # Layout
//!
//! * Every thread slot has a **private cache** ([`Shard`]): a small stack of
//!   object pointers that only the thread owning the slot touches, with no
//!   atomic read-modify-write and no lock (Go's per-P `private` slot and
//!   local queue). Slots live in buckets of doubling size, allocated the
//!   first time a thread of that bucket uses the pool, each slot on its own
//!   cache lines.
//! * A **shared layer** of a few lock-protected [`Stash`]es takes whole
//!   batches from caches that overflow and hands whole batches to caches that
//!   run dry, so one lock operation is amortised over many objects and
//!   objects freed on one thread reach the others. A cache adapts to its
//!   thread: one that only returns objects (a consumer) keeps at most 8 and
//!   hands all of them over at each overflow, since nobody would reuse them
//!   there; one that also acquires keeps up to 32.
//! * **The bound is a budget of units.** `capacity` units exist. Every idle
//!   object, wherever it is, holds one unit; a private cache may also hold a
//!   few units with no object yet, so that its next returns need no atomic.
//!   At rest `budget + Σ cache.units + shared_len == capacity`, hence the
//!   idle objects (`Σ cache.len + shared_len`) never exceed `capacity`.
//! * **Trim** is Go's victim cache made explicit: each stash keeps `fresh`
//!   objects and `old` ones that were already idle at the previous trim; a
//!   trim drops `old` and ages `fresh` into it. Private caches learn of a
//!   trim through `epoch` on their thread's next operation (or at its exit),
//!   because no other thread may touch them.
//!
//! No user code (`T`'s `Drop`, a reset, a constructor) ever runs while a
//! private cache is borrowed or a stash is locked: objects to drop are
//! carried out first, so a destructor that uses the pool again is safe.

use std::any::Any;
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::{self, NonNull};

use crossbeam_utils::CachePadded;

use crate::sync::{
    AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Mutex, Ordering, UnsafeCell, bump, lock,
};

/// The most objects one thread's private cache holds.
pub(crate) const LOCAL_MAX: usize = 32;

/// The least a cache's limit shrinks to for a thread that only returns
/// objects: one lock per this many returns.
const LOCAL_MIN: usize = 8;

/// What a trim adds to every cache's `epoch` (a clear adds two trims).
const TRIM: usize = 2;

/// The low bit of a cache's `epoch`: the capacity changed, and the cache
/// must be handed back so that it is sized anew. Set by whoever changes the
/// capacity, cleared by the owner; trims step over it.
const RESHAPED: usize = 1;

/// Enough buckets of doubling size for every thread slot a `usize` can name.
const BUCKETS: usize = usize::BITS as usize;

/// Where a thread's private cache lives: bucket `b` holds `2^b` caches.
///
/// Computed once per thread and kept in its thread-local, so the fast path
/// does not redo the arithmetic on every operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    offset: u32,
    bucket: u32,
}

impl Slot {
    /// The location of slot number `index` (dense, from 0).
    pub(crate) const fn of(index: usize) -> Self {
        let n = index + 1;
        let bucket = usize::BITS - 1 - n.leading_zeros();
        Self {
            offset: (n - (1 << bucket)) as u32,
            bucket,
        }
    }

    /// A value no slot has, for thread-local sentinels.
    pub(crate) const fn sentinel(bucket: u32) -> Self {
        Self { offset: 0, bucket }
    }

    pub(crate) const fn bucket(self) -> u32 {
        self.bucket
    }

    /// The slot number back.
    pub(crate) const fn index(self) -> usize {
        (1usize << self.bucket) - 1 + self.offset as usize
    }
}

impl From<usize> for Slot {
    #[inline]
    fn from(index: usize) -> Self {
        Self::of(index)
    }
}

/// One thread slot's private cache and counters.
pub(crate) struct Shard<T> {
    local: UnsafeCell<Local<T>>,
    /// Trims and clears since this cache was made: bumped by the thread that
    /// trims, read by the owner on every operation. Kept here, on the
    /// owner's own line, rather than once per pool, so the fast path reads
    /// nothing of the pool itself.
    epoch: AtomicUsize,
    /// Objects in `local.slots`. Written only by the owner (a load and a
    /// store); read by anyone for [`Core::counts`].
    len: AtomicUsize,
    hits: AtomicU64,
    misses: AtomicU64,
    returned: AtomicU64,
}

struct Local<T> {
    slots: [*mut T; LOCAL_MAX],
    /// Units of the budget this cache holds: one per object in `slots`, and
    /// possibly a few more reserved for the next returns. `len <= units`.
    units: usize,
    /// The value of `Shard::epoch` this cache last caught up with.
    seen_epoch: usize,
    /// How many objects this cache keeps before handing some to the shared
    /// layer: small for a thread that only returns objects (a consumer),
    /// whose cache nobody would reuse, up to `local_cap` for one that also
    /// acquires.
    limit: usize,
    /// `Shard::hits` at the last overflow: unchanged means no acquire was
    /// served from this cache since, so the thread only returns.
    hits_seen: u64,
}

impl<T> Shard<T> {
    /// Takes the most recently returned object, if the cache has one and no
    /// trim is pending; anything else is the caller's slow path.
    ///
    /// # Safety
    ///
    /// The calling thread owns this cache's slot (see [`Core::pop`]).
    #[inline(always)]
    pub(crate) unsafe fn try_pop(&self) -> Option<NonNull<T>> {
        let epoch = self.epoch.load(Ordering::Relaxed);
        let hit = self.local.with_mut(|local| {
            // SAFETY: the caller owns this slot, and nothing here runs user
            // code or re-enters the cache.
            let local = unsafe { &mut *local };
            let len = self.len.load(Ordering::Relaxed);
            if local.seen_epoch != epoch || len == 0 {
                return None;
            }
            self.len.store(len - 1, Ordering::Relaxed);
            // The mask is a no-op (`len <= LOCAL_MAX`, a power of two) that
            // lets the compiler drop the bounds check.
            NonNull::new(local.slots[(len - 1) & (LOCAL_MAX - 1)])
        });
        if hit.is_some() {
            bump(&self.hits);
        }
        hit
    }

    /// Makes `object` idle here if the cache holds a spare unit and no trim
    /// is pending; otherwise gives it back for the caller's slow path.
    ///
    /// # Safety
    ///
    /// As for [`Shard::try_pop`]; `object` comes from `Box::into_raw` and
    /// the caller gives it up on `Ok`.
    #[inline(always)]
    pub(crate) unsafe fn try_push(&self, object: NonNull<T>) -> Result<(), NonNull<T>> {
        let epoch = self.epoch.load(Ordering::Relaxed);
        let done = self.local.with_mut(|local| {
            // SAFETY: as in `try_pop`.
            let local = unsafe { &mut *local };
            let len = self.len.load(Ordering::Relaxed);
            if local.seen_epoch != epoch || len == local.units {
                return false;
            }
            // `len < units <= LOCAL_MAX`: the mask is a no-op, as above.
            local.slots[len & (LOCAL_MAX - 1)] = object.as_ptr();
            self.len.store(len + 1, Ordering::Relaxed);
            true
        });
        if done {
            bump(&self.returned);
            Ok(())
        } else {
            Err(object)
        }
    }

    fn new() -> Self {
        Self {
            local: UnsafeCell::new(Local {
                slots: [ptr::null_mut(); LOCAL_MAX],
                units: 0,
                seen_epoch: 0,
                limit: 0,
                hits_seen: 0,
            }),
            epoch: AtomicUsize::new(0),
            len: AtomicUsize::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            returned: AtomicU64::new(0),
        }
    }
}

/// Which list of a stash an object joins.
#[derive(Clone, Copy)]
enum Age {
    Fresh,
    Old,
}

/// A lock-protected part of the shared layer.
struct Stash<T> {
    /// Objects that arrived since the last trim.
    fresh: Vec<NonNull<T>>,
    /// Objects that were already idle at the last trim: the next trim drops
    /// them unless someone takes them first.
    old: Vec<NonNull<T>>,
}

/// Rare events, counted with read-modify-writes on a line of their own.
#[derive(Default)]
struct SlowCounters {
    /// hits, misses and returns of threads without a slot (exiting threads).
    hits: AtomicU64,
    misses: AtomicU64,
    returned: AtomicU64,
    prewarmed: AtomicU64,
    over_capacity: AtomicU64,
    oversized: AtomicU64,
    reset_panicked: AtomicU64,
    user_discarded: AtomicU64,
    detached: AtomicU64,
    trimmed: AtomicU64,
    /// Destructors of objects the pool dropped that panicked.
    drop_panicked: AtomicU64,
}

/// What happened to a returned object that did not go back idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Prewarmed,
    Oversized,
    ResetPanicked,
    UserDiscarded,
    Detached,
    DropPanicked,
}

/// A snapshot of the counters, summed over every slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) hits: u64,
    pub(crate) misses: u64,
    pub(crate) returned: u64,
    pub(crate) prewarmed: u64,
    pub(crate) over_capacity: u64,
    pub(crate) oversized: u64,
    pub(crate) reset_panicked: u64,
    pub(crate) user_discarded: u64,
    pub(crate) detached: u64,
    pub(crate) trimmed: u64,
    pub(crate) drop_panicked: u64,
    pub(crate) idle: usize,
}

/// Fields read on every operation and almost never written.
struct ReadMostly<T> {
    buckets: [AtomicPtr<CachePadded<Shard<T>>>; BUCKETS],
}

/// Fields written by the slow paths of many threads.
struct Budget {
    /// Free units: how many more objects may become idle. Read as an
    /// `isize`: after [`Core::set_capacity`] lowers the capacity it is
    /// negative, a debt that units coming back pay before any is handed out.
    free: AtomicUsize,
    /// Objects in the stashes; lets a thread skip locking them when empty.
    shared_len: AtomicUsize,
}

/// The capacity and the cache sizes derived from it. Only the capacity is
/// stored (one atomic, so that [`Core::set_capacity`] can change it at run
/// time); a slow path reads it once and derives the rest.
#[derive(Clone, Copy)]
struct Shape {
    capacity: usize,
    /// The most objects a cache keeps: at most a quarter of the capacity,
    /// so a few threads cannot hold all of it privately.
    local_cap: usize,
    /// Objects moved per transfer between a cache and the shared layer.
    batch: usize,
}

impl Shape {
    fn of(capacity: usize) -> Self {
        let local_cap = LOCAL_MAX.min((capacity / 4).max(capacity.min(1)));
        Self {
            capacity,
            local_cap,
            batch: (local_cap / 2).max(1),
        }
    }
}

/// Objects taken out of a cache or stash, to be dropped once nothing is
/// borrowed or locked.
struct Doomed<T> {
    objects: Vec<NonNull<T>>,
    units: usize,
}

/// The storage behind one [`Pool`](crate::Pool).
pub(crate) struct Core<T> {
    read: CachePadded<ReadMostly<T>>,
    budget: CachePadded<Budget>,
    slow: CachePadded<SlowCounters>,
    stashes: Box<[CachePadded<Mutex<Stash<T>>>]>,
    stash_mask: usize,
    /// The most idle objects kept; see [`Shape`].
    capacity: AtomicUsize,
    /// Set once the capacity was ever lowered: until then no debt can be
    /// owed, and the slow paths that would pay one early skip reading the
    /// much-written `free` counter (which also keeps the loom models of
    /// the other paths small).
    lowered: AtomicBool,
}

// SAFETY: a `Core<T>` owns `T`s (through raw pointers) and hands them from
// one thread to another, which is sound exactly when `T: Send`. It never
// gives out `&T` to two threads, so `T: Sync` is not needed. Private caches
// are only touched by the thread that owns their slot (the caller's
// contract in `pop`/`push`/`release_slot`), stashes only under their lock,
// and everything else is atomic.
unsafe impl<T: Send> Send for Core<T> {}
// SAFETY: as above: shared access goes through atomics, locks, or slots
// owned by exactly one thread at a time.
unsafe impl<T: Send> Sync for Core<T> {}

impl<T> Core<T> {
    /// A core that keeps at most `capacity` idle objects, with `stashes`
    /// lock-protected parts in its shared layer (rounded up to a power of two).
    pub(crate) fn new(capacity: usize, stashes: usize) -> Self {
        let stashes = stashes.max(1).next_power_of_two();
        Self {
            read: CachePadded::new(ReadMostly {
                buckets: std::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
            }),
            budget: CachePadded::new(Budget {
                free: AtomicUsize::new(capacity),
                shared_len: AtomicUsize::new(0),
            }),
            slow: CachePadded::new(SlowCounters::default()),
            stashes: (0..stashes)
                .map(|_| {
                    CachePadded::new(Mutex::new(Stash {
                        fresh: Vec::new(),
                        old: Vec::new(),
                    }))
                })
                .collect(),
            stash_mask: stashes - 1,
            capacity: AtomicUsize::new(capacity),
            lowered: AtomicBool::new(false),
        }
    }

    /// The slot's cache, allocating its bucket on first use.
    #[inline]
    fn shard(&self, slot: Slot) -> &Shard<T> {
        // Masked rather than bounds-checked: slots are built by `Slot::of`,
        // whose bucket is always below `BUCKETS`.
        let bucket = slot.bucket as usize & (BUCKETS - 1);
        let offset = slot.offset as usize;
        let mut base = self.read.buckets[bucket].load(Ordering::Acquire);
        if base.is_null() {
            base = self.alloc_bucket(bucket);
        }
        // SAFETY: `base` points to a live bucket of `1 << bucket` slots
        // (buckets are freed only in `drop`), and `offset < 1 << bucket`.
        unsafe { &*base.add(offset) }
    }

    /// The slot's cache if its bucket exists.
    fn existing_shard(&self, slot: Slot) -> Option<&Shard<T>> {
        let bucket = slot.bucket as usize & (BUCKETS - 1);
        let offset = slot.offset as usize;
        let base = self.read.buckets[bucket].load(Ordering::Acquire);
        // SAFETY: as in `shard`.
        (!base.is_null()).then(|| unsafe { &**base.add(offset) })
    }

    #[cold]
    #[inline(never)]
    fn alloc_bucket(&self, bucket: usize) -> *mut CachePadded<Shard<T>> {
        let fresh: Box<[CachePadded<Shard<T>>]> = (0..1usize << bucket)
            .map(|_| CachePadded::new(Shard::new()))
            .collect();
        let fresh = Box::into_raw(fresh).cast::<CachePadded<Shard<T>>>();
        match self.read.buckets[bucket].compare_exchange(
            ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` came from `Box::into_raw` of a slice of
                // this length above and was never shared.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(fresh, 1 << bucket)) });
                winner
            }
        }
    }

    fn home(&self, slot: Slot) -> &Mutex<Stash<T>> {
        self.stash(slot.index())
    }

    fn stash(&self, index: usize) -> &Mutex<Stash<T>> {
        &self.stashes[index & self.stash_mask]
    }

    /// Takes up to `want` free units, but past the first one none that
    /// would leave fewer than `floor` free; returns how many it got (0 when
    /// none is free, or while a lowered capacity is still owed).
    fn take_units(&self, want: usize, floor: usize) -> usize {
        let free = &self.budget.free;
        let mut current = free.load(Ordering::Relaxed);
        loop {
            let available = match isize::try_from(current) {
                Ok(n) if n > 0 => n as usize,
                _ => return 0,
            };
            if want == 0 {
                return 0;
            }
            let got = want.min(available.saturating_sub(floor)).max(1);
            match free.compare_exchange_weak(
                current,
                current - got,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return got,
                Err(now) => current = now,
            }
        }
    }

    /// Hands units back; wrapping, so that paying a debt (a negative
    /// `free`) needs no special case.
    fn give_units(&self, units: usize) {
        if units > 0 {
            self.budget.free.fetch_add(units, Ordering::Relaxed);
        }
    }

    /// Free units as a signed number: negative while a lowered capacity is
    /// owed.
    fn free_signed(&self) -> isize {
        self.budget.free.load(Ordering::Relaxed) as isize
    }

    /// An idle object for the thread owning slot `index`, or `None` when the
    /// pool has none and the caller must build one.
    ///
    /// # Safety
    ///
    /// The calling thread must own slot `index`: no other thread may call
    /// `pop`, `push`, `catch_up` or `release_slot` with it meanwhile.
    #[inline]
    pub(crate) unsafe fn pop(&self, slot: impl Into<Slot>) -> Option<NonNull<T>> {
        let slot = slot.into();
        // SAFETY: forwarded from the caller.
        match unsafe { self.shard(slot).try_pop() } {
            Some(object) => Some(object),
            // SAFETY: forwarded from the caller.
            None => unsafe { self.pop_slow(slot) },
        }
    }

    /// The cache of `slot`, for a thread that keeps a pointer to its own
    /// to skip the lookup.
    #[inline]
    pub(crate) fn cache_of(&self, slot: Slot) -> &Shard<T> {
        self.shard(slot)
    }

    /// # Safety
    ///
    /// As for [`Core::pop`].
    #[cold]
    #[inline(never)]
    unsafe fn pop_slow(&self, slot: Slot) -> Option<NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.catch_up(slot) };
        let shard = self.shard(slot);
        // `catch_up` may have dropped objects, and their destructors may
        // have returned objects of this pool to this very cache: look again.
        let cached = shard.local.with_mut(|local| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let local = unsafe { &*local };
            let len = shard.len.load(Ordering::Relaxed);
            (len > 0).then(|| {
                shard.len.store(len - 1, Ordering::Relaxed);
                local.slots[len - 1]
            })
        });
        if let Some(object) = cached {
            bump(&shard.hits);
            return NonNull::new(object);
        }
        // No user code runs from here on, so the cache stays empty.
        let batch = self.take_from_stashes(slot.index(), self.shape().batch);
        let (object, spare_units) = shard.local.with_mut(|local| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let local = unsafe { &mut *local };
            debug_assert_eq!(shard.len.load(Ordering::Relaxed), 0);
            // The cache is empty: this thread is taking, not returning, so
            // the units it reserved for returns go back to the budget, and
            // the batch brings exactly one unit per object.
            let spare = mem::replace(&mut local.units, batch.len());
            let Some((&first, rest)) = batch.split_first() else {
                return (None, spare);
            };
            for (slot, object) in local.slots.iter_mut().zip(rest) {
                *slot = object.as_ptr();
            }
            shard.len.store(rest.len(), Ordering::Relaxed);
            (Some(first.as_ptr()), spare)
        });
        self.give_units(spare_units);
        // A miss is counted by the caller once it has built an object: a
        // constructor that panics builds and hands out nothing.
        let object = NonNull::new(object?);
        bump(&shard.hits);
        object
    }

    /// Moves objects into a stash, with their units. `shared_len` changes
    /// under the stash's lock, so it always equals the stashes' total at
    /// some instant and never wraps below zero.
    fn put_in_stash(&self, stash: &Mutex<Stash<T>>, age: Age, objects: &[*mut T]) {
        let mut stash = lock(stash);
        let list = match age {
            Age::Fresh => &mut stash.fresh,
            Age::Old => &mut stash.old,
        };
        list.extend(objects.iter().map(|&p| {
            // SAFETY: callers pass the occupied slots of a cache, or an
            // object they own: all live objects from `Box::into_raw`.
            unsafe { NonNull::new_unchecked(p) }
        }));
        self.budget
            .shared_len
            .fetch_add(objects.len(), Ordering::Relaxed);
    }

    /// Records that `n` objects left the stashes; called with the lock held.
    fn taken_from_stash(&self, n: usize) {
        self.budget.shared_len.fetch_sub(n, Ordering::Relaxed);
    }

    /// Takes up to `want` fresh objects (or one old one) from the shared
    /// layer, starting with the thread's home stash, most recent first. The
    /// objects keep their units.
    fn take_from_stashes(&self, index: usize, want: usize) -> BatchBuf<T> {
        let mut out = BatchBuf::new();
        if self.budget.shared_len.load(Ordering::Relaxed) == 0 {
            return out;
        }
        for step in 0..self.stashes.len() {
            let mut stash = lock(self.stash(index.wrapping_add(step)));
            while out.len() < want {
                match stash.fresh.pop() {
                    Some(object) => out.push(object),
                    None => break,
                }
            }
            // Objects that were idle at the last trim come one at a time: a
            // batch would carry unused ones into a private cache and save
            // them from the next trim without anyone having used them.
            if out.len() == 0 {
                if let Some(object) = stash.old.pop() {
                    out.push(object);
                }
            }
            if out.len() > 0 {
                self.taken_from_stash(out.len());
                break;
            }
        }
        out
    }

    /// Makes `object` idle in slot `index`'s cache, or gives it back when the
    /// pool already holds `capacity` idle objects (the caller drops it).
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`]; `object` must come from `Box::into_raw` and be
    /// owned by the caller.
    #[inline]
    pub(crate) unsafe fn push(
        &self,
        slot: impl Into<Slot>,
        object: NonNull<T>,
    ) -> Result<(), NonNull<T>> {
        let slot = slot.into();
        // SAFETY: forwarded from the caller.
        match unsafe { self.shard(slot).try_push(object) } {
            Ok(()) => Ok(()),
            // SAFETY: forwarded from the caller.
            Err(object) => unsafe { self.push_slow(slot, object) },
        }
    }

    /// # Safety
    ///
    /// As for [`Core::push`].
    #[cold]
    #[inline(never)]
    unsafe fn push_slow(&self, slot: Slot, object: NonNull<T>) -> Result<(), NonNull<T>> {
        // SAFETY: forwarded from the caller.
        unsafe { self.catch_up(slot) };
        let shard = self.shard(slot);
        let shape = self.shape();
        let local_cap = shape.local_cap;
        let accepted = shard.local.with_mut(|local| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let local = unsafe { &mut *local };
            let mut len = shard.len.load(Ordering::Relaxed);
            if local.limit == 0 {
                local.limit = LOCAL_MIN.min(local_cap);
            }
            if len == local.units {
                if local.units >= local.limit && len > 0 {
                    // Full. Hand objects to the shared layer, with their
                    // units, where threads that acquire can reach them: all
                    // of them if this thread only returns (nobody would
                    // reuse them here), else the older half. The limit
                    // follows what the thread does.
                    let hits = shard.hits.load(Ordering::Relaxed);
                    let returns_only = hits == local.hits_seen;
                    local.hits_seen = hits;
                    let moved = if returns_only { len } else { len.div_ceil(2) };
                    local.limit = if returns_only {
                        (local.limit / 2).max(LOCAL_MIN).min(local_cap)
                    } else {
                        (local.limit * 2).min(local_cap)
                    };
                    self.put_in_stash(self.home(slot), Age::Fresh, &local.slots[..moved]);
                    local.slots.copy_within(moved..len, 0);
                    len -= moved;
                    local.units -= moved;
                    shard.len.store(len, Ordering::Relaxed);
                }
                // A unit for this object, and a few for the next returns so
                // that they need no atomic. Those spare units hold no
                // object, and a thread that parks keeps them until it uses
                // the pool again, so they may never take the free units
                // below half the capacity: whatever threads park, the
                // others can still keep objects idle.
                let want = shape
                    .batch
                    .min(local.limit.saturating_sub(local.units))
                    .max(1);
                let floor = shape.capacity / 2;
                let got = self.take_units(want, floor);
                if got == 0 {
                    // The pool is at capacity. What this cache holds is
                    // better off where every thread can reuse it than kept
                    // private while other threads build and drop.
                    if len > 0 {
                        self.put_in_stash(self.home(slot), Age::Fresh, &local.slots[..len]);
                        local.units -= len;
                        shard.len.store(0, Ordering::Relaxed);
                    }
                    return false;
                }
                local.units += got;
            }
            local.slots[len] = object.as_ptr();
            shard.len.store(len + 1, Ordering::Relaxed);
            true
        });
        if accepted {
            bump(&shard.returned);
            Ok(())
        } else {
            self.slow.over_capacity.fetch_add(1, Ordering::Relaxed);
            // This cache may just have handed its objects to the shared
            // layer, where a lowered capacity can take them. A destructor's
            // panic is counted: the return it interrupts is not its cause.
            drop(self.pay_debt());
            Err(object)
        }
    }

    /// Applies the trims this slot's cache has not seen yet: after one, its
    /// objects become `old` in the shared layer (the next trim drops them);
    /// after two or a clear, they are dropped. After a capacity change the
    /// cache is handed back whole, so it is sized anew.
    ///
    /// Destructors that panic are counted, not passed on: the objects were
    /// idle, and the operation that caught up (an acquire, a return, a
    /// thread's exit) has nothing to do with them.
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`].
    #[cold]
    pub(crate) unsafe fn catch_up(&self, slot: impl Into<Slot>) {
        // SAFETY: forwarded from the caller.
        drop(unsafe { self.settle(slot.into(), false) });
    }

    /// Brings a cache up to date with the trims and capacity changes it has
    /// not seen, or, when its thread exits, empties it whatever its age.
    /// Returns the first panic of a destructor it ran (all are counted).
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`].
    unsafe fn settle(&self, slot: Slot, exiting: bool) -> Option<Panic> {
        let shard = self.existing_shard(slot)?;
        let mut epoch = shard.epoch.load(Ordering::Relaxed);
        let reshaped = epoch & RESHAPED != 0;
        if reshaped {
            // Only the owner clears the flag, on this slow path; trims that
            // raced in since the load are in the value it returns.
            epoch = shard.epoch.fetch_and(!RESHAPED, Ordering::Relaxed) & !RESHAPED;
        }
        let doomed = shard.local.with_mut(|local| {
            // SAFETY: the caller owns this slot; no user code runs here.
            let local = unsafe { &mut *local };
            let behind = epoch.wrapping_sub(local.seen_epoch) / TRIM;
            if behind == 0 && !exiting && !reshaped {
                return None;
            }
            local.seen_epoch = epoch;
            if exiting || reshaped {
                // The next thread in this slot may behave differently, and
                // a new capacity means new cache sizes.
                local.limit = 0;
            }
            Some(self.empty_cache(slot, shard, local, behind))
        });
        let panic = doomed.and_then(|doomed| self.bury(doomed));
        // Objects this cache just handed over may be what a lowered
        // capacity was still waiting for.
        let paid = if reshaped {
            self.pay_owed()
        } else {
            self.pay_debt()
        };
        panic.or(paid)
    }

    /// Empties a cache that has missed `behind` trims: its objects go to
    /// the shared layer as they are (none missed), as `old` (one: the next
    /// trim drops them), or out to be dropped (two, or a clear); its spare
    /// units go back to the budget.
    fn empty_cache(
        &self,
        slot: Slot,
        shard: &Shard<T>,
        local: &mut Local<T>,
        behind: usize,
    ) -> Doomed<T> {
        let len = shard.len.load(Ordering::Relaxed);
        shard.len.store(0, Ordering::Relaxed);
        let spare = mem::take(&mut local.units) - len;
        let age = match behind {
            0 => Age::Fresh,
            1 => Age::Old,
            _ => {
                let objects = local.slots[..len].iter().map(|&p| {
                    // SAFETY: slots below `len` hold live objects.
                    unsafe { NonNull::new_unchecked(p) }
                });
                return Doomed {
                    objects: objects.collect(),
                    units: spare + len,
                };
            }
        };
        if len > 0 {
            self.put_in_stash(self.home(slot), age, &local.slots[..len]);
        }
        Doomed {
            objects: Vec::new(),
            units: spare,
        }
    }

    /// Drops objects taken out of the pool, then frees their units (in that
    /// order, so the pool never has more than `capacity` idle objects alive).
    ///
    /// A destructor that panics does not stop the others: every object is
    /// dropped and every unit freed; panics are counted and the first is
    /// returned for the caller to pass on or not.
    fn bury(&self, doomed: Doomed<T>) -> Option<Panic> {
        let n = doomed.objects.len();
        // SAFETY: every doomed object came from `Box::into_raw`, and was
        // removed from the cache or stash that owned it.
        let (panic, panicked) = unsafe { drop_all(doomed.objects) };
        if n > 0 {
            self.slow.trimmed.fetch_add(n as u64, Ordering::Relaxed);
        }
        if panicked > 0 {
            self.note(Event::DropPanicked, panicked);
        }
        self.give_units(doomed.units);
        panic
    }

    /// [`Core::pay_owed`] if the capacity was ever lowered: the early
    /// payment of a debt by a cache that has already settled it.
    fn pay_debt(&self) -> Option<Panic> {
        if !self.lowered.load(Ordering::Relaxed) {
            return None;
        }
        self.pay_owed()
    }

    /// Drops idle objects of the shared layer, oldest list first, until a
    /// lowered capacity is paid for (objects in other threads' caches pay
    /// when those threads next use the pool).
    fn pay_owed(&self) -> Option<Panic> {
        let owed = usize::try_from(-self.free_signed()).unwrap_or(0);
        if owed == 0 {
            return None;
        }
        self.pay_debt_slow(owed)
    }

    #[cold]
    #[inline(never)]
    fn pay_debt_slow(&self, owed: usize) -> Option<Panic> {
        // Part of the debt may be spare units in other threads' caches, which
        // hold no object: drop no more than the objects beyond capacity.
        let owed = owed.min(self.idle().saturating_sub(self.capacity()));
        if owed == 0 {
            return None;
        }
        let mut objects = Vec::new();
        for stash in self.stashes.iter() {
            let mut stash = lock(stash);
            let before = objects.len();
            while objects.len() < owed {
                match stash.old.pop().or_else(|| stash.fresh.pop()) {
                    Some(object) => objects.push(object),
                    None => break,
                }
            }
            self.taken_from_stash(objects.len() - before);
            if objects.len() == owed {
                break;
            }
        }
        self.bury(Doomed {
            units: objects.len(),
            objects,
        })
    }

    /// Changes the capacity at once: this thread's cache and the shared
    /// layer shed what a lower capacity no longer allows now, other
    /// threads' caches at their next use of the pool. Returns the first
    /// panic of a destructor it ran (all are counted).
    ///
    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    pub(crate) unsafe fn set_capacity(&self, capacity: usize, slot: Option<Slot>) -> Option<Panic> {
        let old = self.capacity.swap(capacity, Ordering::Relaxed);
        if capacity >= old {
            self.give_units(capacity - old);
            return None;
        }
        // A thread that misses the flag for a while only skips paying the
        // debt early: the caches that owe it are flagged `RESHAPED` below
        // and pay at their next use whatever the flag says.
        self.lowered.store(true, Ordering::Relaxed);
        // Wrapping below zero: the debt that returning units pay first.
        self.budget
            .free
            .fetch_sub(old - capacity, Ordering::Relaxed);
        self.for_each_shard(|shard| {
            shard.epoch.fetch_or(RESHAPED, Ordering::Relaxed);
        });
        // This thread's cache first: its spare units pay part of the debt.
        let own = match slot {
            // SAFETY: forwarded from the caller.
            Some(slot) => unsafe { self.settle(slot, false) },
            None => None,
        };
        let panic = self.pay_owed();
        own.or(panic)
    }

    /// The most idle objects this core keeps.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity.load(Ordering::Relaxed)
    }

    fn shape(&self) -> Shape {
        Shape::of(self.capacity())
    }

    /// Counts an object built because the pool had none idle.
    pub(crate) fn note_miss(&self, slot: Option<Slot>) {
        match slot {
            Some(slot) => bump(&self.shard(slot).misses),
            None => {
                self.slow.misses.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// An idle object for a thread that has no slot (one whose thread-locals
    /// are being destroyed).
    pub(crate) fn pop_unowned(&self) -> Option<NonNull<T>> {
        let got = self.take_from_stashes(0, 1);
        match got.first() {
            Some(object) => {
                self.give_units(1);
                self.slow.hits.fetch_add(1, Ordering::Relaxed);
                Some(object)
            }
            None => None,
        }
    }

    /// Returns an object from a thread that has no slot.
    pub(crate) fn push_unowned(&self, object: NonNull<T>) -> Result<(), NonNull<T>> {
        if self.take_units(1, 0) == 0 {
            self.slow.over_capacity.fetch_add(1, Ordering::Relaxed);
            return Err(object);
        }
        self.put_in_stash(self.stash(0), Age::Fresh, &[object.as_ptr()]);
        self.slow.returned.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Counts `n` objects built in advance, or that left the pool's care
    /// other than by going idle.
    pub(crate) fn note(&self, event: Event, n: u64) {
        let counter = match event {
            Event::Prewarmed => &self.slow.prewarmed,
            Event::Oversized => &self.slow.oversized,
            Event::ResetPanicked => &self.slow.reset_panicked,
            Event::UserDiscarded => &self.slow.user_discarded,
            Event::Detached => &self.slow.detached,
            Event::DropPanicked => &self.slow.drop_panicked,
        };
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Takes up to `n` free units for objects about to be built in advance.
    /// Reserving first means no object is built that the pool cannot keep;
    /// the caller hands the units to [`Core::stock_reserved`] with the
    /// objects, or back with [`Core::unreserve`].
    pub(crate) fn reserve(&self, n: usize) -> usize {
        self.take_units(n, 0)
    }

    /// Gives back units from [`Core::reserve`] that no object came for.
    pub(crate) fn unreserve(&self, units: usize) {
        self.give_units(units);
    }

    /// Adds objects built in advance to the shared layer, with the units
    /// reserved for them.
    pub(crate) fn stock_reserved(&self, objects: Vec<NonNull<T>>) {
        if objects.is_empty() {
            return;
        }
        // Spread them so that every thread's home stash has some.
        let per = objects.len().div_ceil(self.stashes.len());
        for (i, chunk) in objects.chunks(per).enumerate() {
            let mut stash = lock(&self.stashes[i]);
            stash.fresh.extend_from_slice(chunk);
            self.budget
                .shared_len
                .fetch_add(chunk.len(), Ordering::Relaxed);
        }
    }

    /// How many units are free: how many objects could be stocked now.
    #[cfg(test)]
    pub(crate) fn free_units(&self) -> usize {
        usize::try_from(self.free_signed()).unwrap_or(0)
    }

    /// Drops every object idle since the previous trim, and ages the rest.
    /// `slot` is the caller's, if it has one, so its own cache is
    /// trimmed now rather than at its next operation. Returns the first
    /// panic of a destructor, once the whole sweep is done.
    ///
    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    pub(crate) unsafe fn trim(&self, slot: Option<Slot>) -> Option<Panic> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.sweep(slot, 1, |stash| {
                mem::replace(&mut stash.old, mem::take(&mut stash.fresh))
            })
        }
    }

    /// Drops every idle object; returns the first panic of a destructor,
    /// once every object is dropped.
    ///
    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    pub(crate) unsafe fn clear(&self, slot: Option<Slot>) -> Option<Panic> {
        // SAFETY: forwarded from the caller.
        unsafe {
            self.sweep(slot, 2, |stash| {
                let mut all = mem::take(&mut stash.old);
                all.append(&mut stash.fresh);
                all
            })
        }
    }

    /// # Safety
    ///
    /// If `slot` is `Some`, as for [`Core::pop`].
    unsafe fn sweep(
        &self,
        slot: Option<Slot>,
        trims: usize,
        take: impl Fn(&mut Stash<T>) -> Vec<NonNull<T>>,
    ) -> Option<Panic> {
        let mut first = None;
        for stash in self.stashes.iter() {
            let objects = {
                let mut stash = lock(stash);
                let objects = take(&mut stash);
                self.taken_from_stash(objects.len());
                objects
            };
            let panic = self.bury(Doomed {
                units: objects.len(),
                objects,
            });
            first = first.or(panic);
        }
        // Bumped after the stashes are swept, so a cache that catches up
        // with this trim puts its objects into `old` after the sweep: they
        // survive until the next trim, as every idle object does.
        self.for_each_shard(|shard| {
            shard.epoch.fetch_add(trims * TRIM, Ordering::Relaxed);
        });
        if let Some(slot) = slot {
            // SAFETY: forwarded from the caller.
            let panic = unsafe { self.settle(slot, false) };
            first = first.or(panic);
        }
        first
    }

    /// Hands back `slot`'s cache when its thread exits: objects go to
    /// the shared layer (or are dropped if two trims passed), spare units to
    /// the budget. The slot may then be given to a new thread.
    ///
    /// # Safety
    ///
    /// As for [`Core::pop`], and the thread must not use the slot afterwards.
    ///
    /// A destructor that panics here is counted and goes no further: this
    /// runs in a thread-local destructor, where a panic aborts the process.
    pub(crate) unsafe fn release_slot(&self, slot: impl Into<Slot>) {
        // SAFETY: forwarded from the caller.
        drop(unsafe { self.settle(slot.into(), true) });
    }

    /// Idle objects now, in every cache and the shared layer.
    fn idle(&self) -> usize {
        let mut idle = self.budget.shared_len.load(Ordering::Relaxed);
        self.for_each_shard(|shard| idle += shard.len.load(Ordering::Relaxed));
        idle
    }

    /// The counters summed over every slot, and the idle objects now.
    pub(crate) fn counts(&self) -> Counts {
        let slow = &self.slow;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut counts = Counts {
            hits: get(&slow.hits),
            misses: get(&slow.misses),
            returned: get(&slow.returned),
            prewarmed: get(&slow.prewarmed),
            over_capacity: get(&slow.over_capacity),
            oversized: get(&slow.oversized),
            reset_panicked: get(&slow.reset_panicked),
            user_discarded: get(&slow.user_discarded),
            detached: get(&slow.detached),
            trimmed: get(&slow.trimmed),
            drop_panicked: get(&slow.drop_panicked),
            idle: self.budget.shared_len.load(Ordering::Relaxed),
        };
        self.for_each_shard(|shard| {
            counts.hits += get(&shard.hits);
            counts.misses += get(&shard.misses);
            counts.returned += get(&shard.returned);
            counts.idle += shard.len.load(Ordering::Relaxed);
        });
        counts
    }

    fn for_each_shard(&self, mut f: impl FnMut(&Shard<T>)) {
        for (bucket, base) in self.read.buckets.iter().enumerate() {
            let base = base.load(Ordering::Acquire);
            if base.is_null() {
                continue;
            }
            for offset in 0..1usize << bucket {
                // SAFETY: a non-null bucket holds `1 << bucket` live slots.
                f(unsafe { &*base.add(offset) });
            }
        }
    }
}

impl<T> Drop for Core<T> {
    fn drop(&mut self) {
        let mut objects = Vec::new();
        for stash in self.stashes.iter() {
            let mut stash = lock(stash);
            objects.append(&mut stash.fresh);
            objects.append(&mut stash.old);
        }
        self.for_each_shard(|shard| {
            let len = shard.len.load(Ordering::Relaxed);
            shard.local.with_mut(|local| {
                // SAFETY: `&mut self`: no thread can use any slot now.
                let local = unsafe { &*local };
                objects.extend(local.slots[..len].iter().map(|&p| {
                    // SAFETY: slots below `len` hold live objects.
                    unsafe { NonNull::new_unchecked(p) }
                }));
            });
        });
        for (bucket, base) in self.read.buckets.iter_mut().enumerate() {
            let base = base.load(Ordering::Relaxed);
            if !base.is_null() {
                // SAFETY: allocated in `alloc_bucket` as a boxed slice of
                // exactly this length, and never freed before.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(base, 1 << bucket)) });
            }
        }
        // SAFETY: each idle object came from `Box::into_raw` and is owned
        // by the pool alone. A destructor's panic stops here: a pool may
        // be dropped by the last `Arc` anywhere, a thread-local destructor
        // included, where passing it on would abort the process. The panic
        // hook has reported it already.
        drop(unsafe { drop_all(objects) });
    }
}

/// A caught panic's payload.
pub(crate) type Panic = Box<dyn Any + Send>;

/// Drops every object, even when a destructor panics; returns the first
/// panic, for the caller to pass on once its own books are straight, and
/// how many destructors panicked.
///
/// # Safety
///
/// Every object comes from `Box::into_raw` and is owned by the caller alone.
unsafe fn drop_all<T>(objects: Vec<NonNull<T>>) -> (Option<Panic>, u64) {
    let mut first = None;
    let mut panicked = 0;
    for object in objects {
        // SAFETY: forwarded from the caller.
        let object = unsafe { Box::from_raw(object.as_ptr()) };
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(object))) {
            panicked += 1;
            first.get_or_insert(payload);
        }
    }
    (first, panicked)
}

/// Whether a panic may go on from here: not while the thread is already
/// unwinding (a second panic aborts), nor once its thread-locals are being
/// torn down (a panic out of a thread-local destructor aborts too).
pub(crate) fn may_unwind() -> bool {
    !std::thread::panicking() && crate::thread::current().is_some()
}

/// Passes a caught panic on where that is safe (see [`may_unwind`]);
/// elsewhere it was counted and the panic hook has reported it.
pub(crate) fn rethrow(panic: Option<Panic>) {
    if let Some(payload) = panic {
        if may_unwind() {
            resume_unwind(payload);
        }
    }
}

/// A fixed-size batch of object pointers on the stack, so moving a batch out
/// of the shared layer allocates nothing.
pub(crate) struct BatchBuf<T> {
    items: [*mut T; LOCAL_MAX],
    len: usize,
}

impl<T> BatchBuf<T> {
    fn new() -> Self {
        Self {
            items: [ptr::null_mut(); LOCAL_MAX],
            len: 0,
        }
    }

    fn push(&mut self, object: NonNull<T>) {
        self.items[self.len] = object.as_ptr();
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn first(&self) -> Option<NonNull<T>> {
        if self.len == 0 {
            None
        } else {
            NonNull::new(self.items[0])
        }
    }

    fn split_first(&self) -> Option<(&NonNull<T>, &[NonNull<T>])> {
        let items = &self.items[..self.len];
        // SAFETY: `*mut T` and `NonNull<T>` have the same layout, and every
        // item below `len` was pushed as a `NonNull`.
        let items: &[NonNull<T>] = unsafe { &*(items as *const [*mut T] as *const [NonNull<T>]) };
        items.split_first()
    }
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize as StdAtomicUsize;

    fn boxed(v: u32) -> NonNull<u32> {
        NonNull::from(Box::leak(Box::new(v)))
    }

    fn free(p: NonNull<u32>) -> u32 {
        // SAFETY: test objects come from `boxed`.
        *unsafe { Box::from_raw(p.as_ptr()) }
    }

    #[test]
    fn slot_layout_is_dense_and_reversible() {
        let at = |index| {
            let slot = Slot::of(index);
            (slot.bucket, slot.offset)
        };
        assert_eq!(at(0), (0, 0));
        assert_eq!(at(1), (1, 0));
        assert_eq!(at(2), (1, 1));
        assert_eq!(at(3), (2, 0));
        assert_eq!(at(6), (2, 3));
        assert_eq!(at(7), (3, 0));
        for index in (0..5000).chain([u32::MAX as usize - 1]) {
            assert_eq!(Slot::of(index).index(), index);
        }
    }

    #[test]
    fn lifo_on_one_slot() {
        let core = Core::new(16, 2);
        let (a, b) = (boxed(1), boxed(2));
        // SAFETY: this test is the only user of slot 0.
        unsafe {
            core.push(0, a).unwrap();
            core.push(0, b).unwrap();
            assert_eq!(core.pop(0), Some(b));
            assert_eq!(core.pop(0), Some(a));
            assert_eq!(core.pop(0), None);
        }
        free(a);
        free(b);
        let c = core.counts();
        // The miss is the caller's to count, once it has built an object.
        assert_eq!((c.hits, c.misses, c.returned, c.idle), (2, 0, 2, 0));
    }

    #[test]
    fn never_more_idle_than_capacity() {
        let core = Core::new(10, 2);
        let mut rejected = 0;
        for slot in 0..3 {
            for i in 0..20 {
                // SAFETY: slots are used one at a time by this thread.
                if let Err(p) = unsafe { core.push(slot, boxed(i)) } {
                    free(p);
                    rejected += 1;
                }
            }
        }
        let c = core.counts();
        assert_eq!(c.idle, 10);
        assert_eq!(rejected, 50);
        assert_eq!(c.over_capacity, 50);
    }

    #[test]
    fn other_slots_reach_overflowed_objects() {
        let core = Core::new(64, 1);
        for i in 0..40 {
            // SAFETY: slot 0 used by this thread only.
            unsafe { core.push(0, boxed(i)).unwrap() };
        }
        // Slot 0 keeps at most `local_cap`; the rest went to the stash.
        assert_eq!(core.shape().local_cap, 16);
        let mut taken = Vec::new();
        // SAFETY: slot 1 used by this thread only.
        while let Some(p) = unsafe { core.pop(1) } {
            taken.push(free(p));
        }
        assert!(taken.len() >= 40 - 16, "slot 1 got {} objects", taken.len());
    }

    #[test]
    fn a_thread_that_only_returns_keeps_few_objects_private() {
        let core = Core::new(1024, 1);
        // Slot 1 acquires (a producer), slot 0 only returns (a consumer),
        // with up to 40 objects in flight between them.
        let mut in_flight = std::collections::VecDeque::new();
        let mut built = 0;
        for i in 0..2000 {
            // SAFETY: slots used by this thread, one at a time.
            let object = unsafe { core.pop(1) }.unwrap_or_else(|| {
                built += 1;
                boxed(i)
            });
            in_flight.push_back(object);
            if in_flight.len() > 40 {
                // SAFETY: slot 0 used by this thread.
                unsafe { core.push(0, in_flight.pop_front().unwrap()).unwrap() };
            }
        }
        let consumer = core
            .existing_shard(Slot::of(0))
            .unwrap()
            .len
            .load(Ordering::Relaxed);
        assert!(
            consumer <= LOCAL_MIN,
            "the consumer keeps {consumer} objects to itself"
        );
        assert!(
            built <= 40 + 2 * LOCAL_MIN,
            "{built} built: returns were not reused"
        );
        for object in in_flight {
            free(object);
        }
    }

    #[test]
    fn a_full_cache_at_capacity_hands_its_objects_over() {
        let core = Core::new(8, 1);
        // Slot 0 fills the whole budget privately, then returns one more.
        let mut rejected = 0;
        for i in 0..9 {
            // SAFETY: slot 0 used by this thread.
            if let Err(p) = unsafe { core.push(0, boxed(i)) } {
                free(p);
                rejected += 1;
            }
        }
        assert_eq!(rejected, 1);
        assert_eq!(core.counts().idle, 8);
        // Another thread finds all eight in the shared layer.
        let mut got = 0;
        // SAFETY: slot 1 used by this thread.
        while let Some(p) = unsafe { core.pop(1) } {
            free(p);
            got += 1;
        }
        assert_eq!(got, 8);
    }

    #[test]
    fn trim_drops_only_what_survived_a_previous_trim() {
        let core = Core::new(64, 2);
        for i in 0..4 {
            // SAFETY: slot 0 used by this thread only.
            unsafe { core.push(0, boxed(i)).unwrap() };
        }
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.trim(Some(Slot::of(0))) });
        assert_eq!(core.counts().idle, 4, "objects survive one trim");
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.trim(Some(Slot::of(0))) });
        assert_eq!(core.counts().idle, 0, "and not two");
        assert_eq!(core.counts().trimmed, 4);
        assert_eq!(core.free_units(), 64, "every unit came back");
    }

    #[test]
    fn trim_reaches_other_slots_at_their_next_operation() {
        let core = Core::new(64, 2);
        // SAFETY: slots 0 and 1 are used by this thread, one at a time.
        unsafe {
            core.push(1, boxed(7)).unwrap();
            core.clear(Some(Slot::of(0)));
            assert_eq!(
                core.counts().idle,
                1,
                "slot 1's cache is its own until it acts"
            );
            assert_eq!(
                core.pop(1),
                None,
                "slot 1 catches up, drops its object, and misses"
            );
        }
        assert_eq!(core.counts().idle, 0);
        assert_eq!(core.counts().trimmed, 1);
        assert_eq!(core.free_units(), 64);
    }

    #[test]
    fn released_slot_hands_objects_to_others() {
        let core = Core::new(64, 2);
        // SAFETY: slots used by this thread, one at a time.
        unsafe {
            core.push(3, boxed(1)).unwrap();
            core.release_slot(3);
            let p = core.pop(5).expect("the object moved to the shared layer");
            assert_eq!(free(p), 1);
        }
    }

    #[test]
    fn parked_caches_leave_the_others_room() {
        let core = Core::new(64, 2);
        // Eight threads return one object each and never come back: their
        // caches reserve spare units, and two clears cannot reach them.
        for slot in 1..=8 {
            // SAFETY: slots used by this thread, one at a time.
            unsafe { core.push(slot, boxed(slot as u32)).unwrap() };
        }
        // SAFETY: slot 0 is this thread's.
        unsafe {
            drop(core.clear(Some(Slot::of(0))));
            drop(core.clear(Some(Slot::of(0))));
        }
        assert!(
            core.free_units() >= 64 / 2 - 8,
            "parked caches hold {} of 64 units",
            64 - core.free_units()
        );
        // Slot 0 round-trips two objects at a time and is served from the pool.
        let before = core.counts();
        let (mut a, mut b) = (boxed(100), boxed(101));
        for _ in 0..100 {
            // SAFETY: slot 0 is this thread's; the objects are ours.
            unsafe {
                core.push(0, a).unwrap();
                core.push(0, b).unwrap();
                a = core.pop(0).expect("reused");
                b = core.pop(0).expect("reused");
            }
        }
        let after = core.counts();
        assert_eq!(after.over_capacity, before.over_capacity);
        assert_eq!(after.hits - before.hits, 200);
        free(a);
        free(b);
        for slot in 0..=8 {
            // SAFETY: these slots are used by this thread only.
            unsafe { core.release_slot(slot) };
        }
        assert_eq!(core.free_units(), 64, "every unit came back");
    }

    #[test]
    fn a_lowered_capacity_is_kept_at_once() {
        let core = Core::new(64, 2);
        for i in 0..40 {
            // SAFETY: slot 0 used by this thread only.
            unsafe { core.push(0, boxed(i)).unwrap() };
        }
        assert_eq!(core.counts().idle, 40);
        // SAFETY: slot 0 is this thread's.
        assert!(unsafe { core.set_capacity(5, Some(Slot::of(0))) }.is_none());
        let c = core.counts();
        assert_eq!((core.capacity(), c.idle, c.trimmed), (5, 5, 35));
        assert_eq!(core.free_units(), 0);
        // The bound holds for returns from now on.
        let mut rejected = 0;
        for i in 0..10 {
            // SAFETY: slot 0 used by this thread only.
            if let Err(p) = unsafe { core.push(0, boxed(i)) } {
                free(p);
                rejected += 1;
            }
        }
        assert_eq!((core.counts().idle, rejected), (5, 10));
        // Raised again, the room is there at once.
        // SAFETY: slot 0 is this thread's.
        assert!(unsafe { core.set_capacity(8, Some(Slot::of(0))) }.is_none());
        assert_eq!(core.free_units(), 3);
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.clear(Some(Slot::of(0))) });
        assert_eq!(core.free_units(), 8, "every unit came back");
    }

    #[test]
    fn another_threads_cache_sheds_a_lowered_capacity_at_its_next_use() {
        let core = Core::new(64, 2);
        for i in 0..10 {
            // SAFETY: slot 1 used by this thread only.
            unsafe { core.push(1, boxed(i)).unwrap() };
        }
        // SAFETY: slot 0 is this thread's.
        drop(unsafe { core.set_capacity(2, Some(Slot::of(0))) });
        // SAFETY: slot 1 used by this thread only.
        let p = unsafe { core.pop(1) }.expect("one of the two kept");
        free(p);
        assert_eq!(core.counts().idle, 1);
        // SAFETY: slot 1 used by this thread only.
        unsafe { core.release_slot(1) };
        assert_eq!(core.free_units() + core.counts().idle, 2);
    }

    #[test]
    fn core_drop_drops_every_idle_object() {
        struct Counted(Arc<StdAtomicUsize>);
        impl Drop for Counted {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
        let drops = Arc::new(StdAtomicUsize::new(0));
        let core = Core::new(100, 2);
        for slot in 0..4 {
            for _ in 0..30 {
                let p = NonNull::from(Box::leak(Box::new(Counted(Arc::clone(&drops)))));
                // SAFETY: slots used by this thread, one at a time.
                if let Err(p) = unsafe { core.push(slot, p) } {
                    // SAFETY: rejected objects are ours again.
                    drop(unsafe { Box::from_raw(p.as_ptr()) });
                }
            }
        }
        drop(core);
        assert_eq!(drops.load(Ordering::Relaxed), 120);
    }
}
