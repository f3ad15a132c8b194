//! The pools under comparison, behind one trait so that every scenario runs
//! the same monomorphised loop for each.
//!
//! Fairness rules, applied to every candidate:
//! - every pool resets the object (with [`Req::clear`], which does what
//!   repool's derived reset does), through the crate's own reset hook where
//!   it has one, otherwise the way its documentation says (right after the
//!   pull);
//! - bounded pools get the same idle bound as repool ([`CAPACITY`]);
//! - each crate is used through its fastest documented API for a shared
//!   pool (borrowing guards, no `Arc` clone per acquire).

use std::cell::UnsafeCell;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, PoisonError};

use super::{CAPACITY, Req};

/// A pool under test. `Sync`: the multi-threaded scenarios share one.
pub(crate) trait Candidate: Sync {
    /// What `acquire` hands out; dropping it gives the object back.
    type Guard<'a>: DerefMut<Target = Req>
    where
        Self: 'a;
    /// What the handoff sends to the other thread: the guard itself for
    /// every pool whose guard is `Send`.
    type Parcel<'a>: Send
    where
        Self: 'a;

    fn acquire(&self) -> Self::Guard<'_>;
    fn seal<'a>(&'a self, guard: Self::Guard<'a>) -> Self::Parcel<'a>;
    /// Reads the object on the receiving thread, then lets it go.
    fn open<R>(&self, parcel: Self::Parcel<'_>, read: impl FnOnce(&Req) -> R) -> R;
    /// Drops every idle object of a pool that lives in statics, so the burst
    /// starts from an empty pool (instance pools are built fresh instead).
    fn drain(&self) {}
    /// The pool's own account of itself, if it keeps one.
    fn stats(&self) -> Option<repool::Stats> {
        None
    }
}

/// Implements the parts of `Candidate` (or of the buffers' `BufferPool`,
/// whose guard is `Buf`) that are the same for every pool whose guard can
/// cross threads: the handoff sends the guard itself, and the receiving
/// side reads it as a `$read`.
macro_rules! parcel_is_guard {
    ($guard:ident, $read:ty) => {
        type Parcel<'a> = Self::$guard<'a>;

        #[inline]
        fn seal<'a>(&'a self, guard: Self::$guard<'a>) -> Self::Parcel<'a> {
            guard
        }

        #[inline]
        fn open<R>(&self, parcel: Self::Parcel<'_>, read: impl FnOnce(&$read) -> R) -> R {
            read(&parcel)
        }
    };
}
pub(crate) use parcel_is_guard;

/// Implements `Candidate` for `$pool`, a crate's pool whose guard
/// (`Guard<$lt> = $guard`) can cross threads, acquiring with
/// `|$this| $acquire`.
macro_rules! sendable_guard {
    ($pool:ty, <$lt:lifetime> $guard:ty, |$this:ident| $acquire:expr) => {
        impl Candidate for $pool {
            type Guard<$lt> = $guard;
            parcel_is_guard!(Guard, Req);

            #[inline]
            fn acquire(&self) -> Self::Guard<'_> {
                let $this = self;
                $acquire
            }
        }
    };
}

/// `Deref` and `DerefMut` to the `Req` a hand-made guard holds in `$field`.
macro_rules! guard_derefs_to {
    ($guard:ty, $field:tt) => {
        impl Deref for $guard {
            type Target = Req;

            #[inline]
            fn deref(&self) -> &Req {
                &self.$field
            }
        }

        impl DerefMut for $guard {
            #[inline]
            fn deref_mut(&mut self) -> &mut Req {
                &mut self.$field
            }
        }
    };
}

/// Visits every candidate, in the order the report lists them.
pub(crate) trait Visit {
    fn visit<C: Candidate + 'static>(&mut self, name: &'static str, make: fn() -> C);
}

pub(crate) fn each(v: &mut impl Visit) {
    v.visit("repool", || Repool);
    v.visit("thread_local_list", || ThreadLocalList);
    v.visit("mutex_vec", MutexVec::new);
    v.visit("no_pool", || NoPool);
    visit_anchor_crates!(v);
}

/// The name of the baseline every ratio is taken against.
pub(crate) const BASELINE: &str = "thread_local_list";

/// The anchor crates (what people use today), for the handoff target: the
/// names [`visit_anchor_crates!`] gives them, in its order.
pub(crate) const ANCHOR_CRATES: [&str; 7] = [
    "object_pool",
    "lockfree_linear",
    "lockfree_spinlock",
    "opool",
    "sharded_slab",
    "poolshark",
    "dynamic_pool",
];

/// Visits the anchor crates, named as in [`ANCHOR_CRATES`], through the
/// candidate types of the calling module: these objects' and the buffers'
/// (`buffers::candidates`) each have one type per crate, of the same name.
macro_rules! visit_anchor_crates {
    ($v:expr) => {
        $v.visit("object_pool", ObjectPool::new);
        $v.visit("lockfree_linear", LockfreeLinear::new);
        $v.visit("lockfree_spinlock", LockfreeSpinLock::new);
        $v.visit("opool", Opool::new);
        $v.visit("sharded_slab", ShardedSlab::new);
        $v.visit("poolshark", Poolshark::new);
        $v.visit("dynamic_pool", DynamicPool::new);
    };
}
pub(crate) use visit_anchor_crates;

/// lockfree-object-pool's two pools of `$t`, built with `$new` and reset
/// with `$reset`, as the candidate types `LockfreeLinear` and
/// `LockfreeSpinLock` of the calling module; `$candidate!(Type, Guard)`
/// implements the module's candidate trait for each, given the name of its
/// guard type in the crate. The two pools have the same API; only their
/// insides differ.
macro_rules! lockfree_pools {
    ($t:ty, $new:expr, $reset:expr, $candidate:ident) => {
        lockfree_pools!(@pool LockfreeLinear, LinearObjectPool, $t, $new, $reset);
        lockfree_pools!(@pool LockfreeSpinLock, SpinLockObjectPool, $t, $new, $reset);
        $candidate!(LockfreeLinear, LinearReusable);
        $candidate!(LockfreeSpinLock, SpinLockReusable);
    };
    (@pool $name:ident, $pool:ident, $t:ty, $new:expr, $reset:expr) => {
        pub(crate) struct $name(lockfree_object_pool::$pool<$t>);

        impl $name {
            pub(crate) fn new() -> Self {
                $name(lockfree_object_pool::$pool::new($new, $reset))
            }
        }
    };
}
pub(crate) use lockfree_pools;

// ---------------------------------------------------------------------------
// repool, through `Req::acquire()` (the `Pooled` impl's static pool).

pub(crate) struct Repool;

impl Candidate for Repool {
    type Guard<'a> = repool::Guard<Req>;
    parcel_is_guard!(Guard, Req);

    #[inline]
    fn acquire(&self) -> Self::Guard<'_> {
        <Req as repool::Pooled>::acquire()
    }

    fn drain(&self) {
        <Req as repool::Pooled>::pool().clear();
    }

    fn stats(&self) -> Option<repool::Stats> {
        Some(<Req as repool::Pooled>::pool().stats())
    }
}

// ---------------------------------------------------------------------------
// No pool: a fresh `Box` each time.

pub(crate) struct NoPool;

sendable_guard!(NoPool, <'a> Box<Req>, |_pool| Box::new(Req::new()));

/// The return path of both hand-written pools: keeps `obj` unless `free`
/// already holds `CAPACITY` objects, and then hands it back, to be dropped
/// once the caller has let go of the list (its borrow or its lock).
#[inline]
#[allow(clippy::vec_box)] // the lists hold boxes on purpose, see below
fn keep_bounded(free: &mut Vec<Box<Req>>, obj: Box<Req>) -> Option<Box<Req>> {
    if free.len() < CAPACITY {
        free.push(obj);
        None
    } else {
        Some(obj)
    }
}

// ---------------------------------------------------------------------------
// Hand-written `thread_local!` free list: what a competent engineer writes
// when a pool crate is not wanted. Const-initialised (no lazy-init check on
// the hot path), `UnsafeCell` rather than `RefCell` (no borrow flag), the
// reset outside the thread-local access, and bounded per thread like repool
// so a consumer thread that only frees cannot grow it without limit.

thread_local! {
    // Boxed on purpose: the guard then moves a pointer, not the whole object.
    #[allow(clippy::vec_box)]
    static TL_FREE: UnsafeCell<Vec<Box<Req>>> = const { UnsafeCell::new(Vec::new()) };
}

pub(crate) struct ThreadLocalList;

pub(crate) struct TlGuard(ManuallyDrop<Box<Req>>);

impl Candidate for ThreadLocalList {
    type Guard<'a> = TlGuard;
    parcel_is_guard!(Guard, Req);

    #[inline]
    fn acquire(&self) -> TlGuard {
        let cached = TL_FREE
            .try_with(|free| {
                // SAFETY: the only references to this thread's list are the
                // ones made in `acquire` and `drop`, each confined to one
                // `pop` or `push`, which run no code that could reach the
                // list again (no element is dropped inside them, and the
                // allocator does not touch it).
                unsafe { (*free.get()).pop() }
            })
            .ok()
            .flatten();
        TlGuard(ManuallyDrop::new(
            cached.unwrap_or_else(|| Box::new(Req::new())),
        ))
    }

    fn drain(&self) {
        let _ = TL_FREE.try_with(|free| {
            // SAFETY: as in `acquire`; the taken list is dropped outside.
            unsafe { std::mem::take(&mut *free.get()) }
        });
    }
}

guard_derefs_to!(TlGuard, 0);

impl Drop for TlGuard {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `self.0` is not used again after this.
        let mut obj = unsafe { ManuallyDrop::take(&mut self.0) };
        obj.clear();
        let rejected = TL_FREE
            .try_with(move |free| {
                // SAFETY: see `acquire`.
                keep_bounded(unsafe { &mut *free.get() }, obj)
            })
            .ok()
            .flatten();
        drop(rejected);
    }
}

// ---------------------------------------------------------------------------
// Hand-written `Mutex<Vec<Box<T>>>` pool: the other thing people write by
// hand. Reset outside the lock, storage reserved up front so a push never
// reallocates under the lock.

pub(crate) struct MutexVec {
    // Boxed on purpose, as in the thread-local list.
    #[allow(clippy::vec_box)]
    free: Mutex<Vec<Box<Req>>>,
}

pub(crate) struct MutexVecGuard<'a> {
    pool: &'a MutexVec,
    obj: ManuallyDrop<Box<Req>>,
}

impl MutexVec {
    pub(crate) fn new() -> Self {
        MutexVec {
            free: Mutex::new(Vec::with_capacity(CAPACITY)),
        }
    }
}

impl Candidate for MutexVec {
    type Guard<'a> = MutexVecGuard<'a>;
    parcel_is_guard!(Guard, Req);

    #[inline]
    fn acquire(&self) -> MutexVecGuard<'_> {
        let cached = self
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        MutexVecGuard {
            pool: self,
            obj: ManuallyDrop::new(cached.unwrap_or_else(|| Box::new(Req::new()))),
        }
    }
}

guard_derefs_to!(MutexVecGuard<'_>, obj);

impl Drop for MutexVecGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `self.obj` is not used again after this.
        let mut obj = unsafe { ManuallyDrop::take(&mut self.obj) };
        obj.clear();
        let mut free = self
            .pool
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let rejected = keep_bounded(&mut free, obj);
        // Unlocked first: a rejected object is dropped outside the lock.
        drop(free);
        drop(rejected);
    }
}

// ---------------------------------------------------------------------------
// object-pool 0.6: `Mutex<Vec<T>>` (parking_lot), unbounded, no reset hook;
// its docs say to clear the object after pulling it.

pub(crate) struct ObjectPool(object_pool::Pool<Req>);

impl ObjectPool {
    pub(crate) fn new() -> Self {
        ObjectPool(object_pool::Pool::new(0, Req::new))
    }
}

sendable_guard!(ObjectPool, <'a> object_pool::Reusable<'a, Req>, |pool| {
    let mut obj = pool.0.pull(Req::new);
    obj.clear();
    obj
});

// ---------------------------------------------------------------------------
// lockfree-object-pool 0.1: `LinearObjectPool` (pages of 32 slots with an
// atomic free mask, never shrinks) and `SpinLockObjectPool` (spin-locked
// `Vec<T>`, unbounded), both with their reset closure.

/// `Candidate` for one of lockfree-object-pool's pools (see
/// [`lockfree_pools!`]), whose `pull()` hands out a reset object.
macro_rules! lockfree_candidate {
    ($name:ident, $guard:ident) => {
        sendable_guard!($name, <'a> lockfree_object_pool::$guard<'a, Req>, |pool| pool.0.pull());
    };
}

lockfree_pools!(Req, Req::new, Req::clear, lockfree_candidate);

// ---------------------------------------------------------------------------
// opool 0.2: crossbeam `ArrayQueue<T>` bounded at `CAPACITY`, reset through
// its `PoolAllocator`.

pub(crate) struct ReqAllocator;

impl opool::PoolAllocator<Req> for ReqAllocator {
    #[inline]
    fn allocate(&self) -> Req {
        Req::new()
    }

    #[inline]
    fn reset(&self, obj: &mut Req) {
        obj.clear();
    }
}

pub(crate) struct Opool(opool::Pool<ReqAllocator, Req>);

impl Opool {
    pub(crate) fn new() -> Self {
        Opool(opool::Pool::new(CAPACITY, ReqAllocator))
    }
}

sendable_guard!(Opool, <'a> opool::RefGuard<'a, ReqAllocator, Req>, |pool| pool.0.get());

// ---------------------------------------------------------------------------
// sharded-slab 0.1: `Pool` with `Clear`. A slot is created, and given back
// with `Pool::clear(key)`, which clears it in place. Its `RefMut` is not
// `Send`, so the handoff sends the key, as the crate's docs do.

impl sharded_slab::Clear for Req {
    #[inline]
    fn clear(&mut self) {
        Req::clear(self);
    }
}

pub(crate) struct ShardedSlab(sharded_slab::Pool<Req>);

impl ShardedSlab {
    pub(crate) fn new() -> Self {
        ShardedSlab(sharded_slab::Pool::new())
    }
}

impl Candidate for ShardedSlab {
    type Guard<'a> = SlabGuard<'a, Req>;
    type Parcel<'a> = usize;

    #[inline]
    fn acquire(&self) -> SlabGuard<'_, Req> {
        SlabGuard::create(&self.0)
    }

    #[inline]
    fn seal<'a>(&'a self, guard: SlabGuard<'a, Req>) -> usize {
        guard.into_key()
    }

    #[inline]
    fn open<R>(&self, key: usize, read: impl FnOnce(&Req) -> R) -> R {
        open_slot(&self.0, key, read)
    }
}

/// A sharded-slab slot as a guard: created in the pool, cleared (given
/// back) on drop. The buffers' sharded-slab candidate uses it too.
pub(crate) struct SlabGuard<'a, T: sharded_slab::Clear + Default> {
    pool: &'a sharded_slab::Pool<T>,
    entry: ManuallyDrop<sharded_slab::pool::RefMut<'a, T>>,
}

impl<'a, T: sharded_slab::Clear + Default> SlabGuard<'a, T> {
    #[inline]
    pub(crate) fn create(pool: &'a sharded_slab::Pool<T>) -> Self {
        let entry = pool
            .create()
            .expect("sharded-slab: this thread's shard is full");
        SlabGuard {
            pool,
            entry: ManuallyDrop::new(entry),
        }
    }

    /// What the handoff sends instead of the guard, which is not `Send`:
    /// the slot's key. The slot stays allocated until [`open_slot`].
    #[inline]
    pub(crate) fn into_key(self) -> usize {
        let mut guard = ManuallyDrop::new(self);
        let key = guard.entry.key();
        // SAFETY: `guard` is never dropped (ManuallyDrop), so its entry is
        // dropped exactly once, here; the slot stays allocated under `key`.
        unsafe { ManuallyDrop::drop(&mut guard.entry) };
        key
    }
}

/// The receiving side of a sharded-slab handoff: reads slot `key`, then
/// clears it, which gives it back to the pool.
#[inline]
pub(crate) fn open_slot<T: sharded_slab::Clear + Default, R>(
    pool: &sharded_slab::Pool<T>,
    key: usize,
    read: impl FnOnce(&T) -> R,
) -> R {
    let r = read(&pool.get(key).expect("sharded-slab: key sent but gone"));
    pool.clear(key);
    r
}

impl<T: sharded_slab::Clear + Default> Deref for SlabGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.entry
    }
}

impl<T: sharded_slab::Clear + Default> DerefMut for SlabGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.entry
    }
}

impl<T: sharded_slab::Clear + Default> Drop for SlabGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        let key = self.entry.key();
        // SAFETY: `self.entry` is not used again after this.
        unsafe { ManuallyDrop::drop(&mut self.entry) };
        self.pool.clear(key);
    }
}

// ---------------------------------------------------------------------------
// poolshark 0.2: a global (cross-thread) `Pool`, a crossbeam `ArrayQueue`
// bounded at `CAPACITY`; reset through `Poolable`.

impl poolshark::Poolable for Req {
    fn empty() -> Self {
        Req::new()
    }

    #[inline]
    fn reset(&mut self) {
        self.clear();
    }

    /// poolshark only takes back objects whose capacity is in
    /// `1..=max_elt_capacity`; the pool is built with no element limit, like
    /// repool's `Req`, so any object counts as poolable.
    #[inline]
    fn capacity(&self) -> usize {
        1
    }
}

pub(crate) struct Poolshark(poolshark::global::Pool<Req>);

impl Poolshark {
    pub(crate) fn new() -> Self {
        Poolshark(poolshark::global::Pool::new(CAPACITY, usize::MAX))
    }
}

sendable_guard!(Poolshark, <'a> poolshark::global::GPooled<Req>, |pool| pool.0.take());

// ---------------------------------------------------------------------------
// dynamic-pool 0.2: crossbeam `ArrayQueue` bounded at `CAPACITY`, reset
// through `DynamicReset`.

impl dynamic_pool::DynamicReset for Req {
    #[inline]
    fn reset(&mut self) {
        self.clear();
    }
}

pub(crate) struct DynamicPool(dynamic_pool::DynamicPool<Req>);

impl DynamicPool {
    pub(crate) fn new() -> Self {
        DynamicPool(dynamic_pool::DynamicPool::new(0, CAPACITY, Req::new))
    }
}

sendable_guard!(DynamicPool, <'a> dynamic_pool::DynamicPoolItem<Req>, |pool| pool.0.take());
