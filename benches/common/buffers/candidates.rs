//! The byte-buffer pools under comparison, behind one trait.
//!
//! Fairness rules, applied to every candidate:
//! - each hands out a buffer that holds at least `n` bytes
//!   ([`BufferPool::taken`]) and, for the fill workload, copies the same `n`
//!   bytes into it ([`BufferPool::filled`]): a size-class pool by picking
//!   the class, a pool of one size for all by `reserve(n)` on what it hands
//!   out (a buffer that is too small grows, and keeps its new capacity when
//!   it goes back);
//! - every pool empties a buffer before it is reused, through its own reset
//!   hook where it has one, otherwise right after the pull;
//! - bounded pools of objects get the idle bound of the object benchmarks
//!   ([`CAPACITY`] buffers); the two size-class crates keep their defaults.
//!
//! Each guard goes back to its pool on drop; the trait asks for nothing
//! more than that, so each candidate keeps its own guard type.

use std::cell::UnsafeCell;
use std::mem;
use std::ops::{Deref, DerefMut};

use repool::Pooled;

use super::MAX_SHIFT;
use crate::common::CAPACITY;
use crate::common::candidates::{
    ANCHOR_CRATES, SlabGuard, lockfree_pools, open_slot, parcel_is_guard, visit_anchor_crates,
};

/// A byte-buffer pool under test. `Sync`: the multi-threaded runs share one.
pub(crate) trait BufferPool: Sync {
    /// A filled buffer; dropping it gives the storage back.
    type Buf<'a>
    where
        Self: 'a;

    /// What the hand-off sends to the other thread: the filled buffer
    /// itself for every pool whose guard is `Send`.
    type Parcel<'a>: Send
    where
        Self: 'a;

    /// A buffer taken and not written to; dropping it gives it back.
    type Taken<'a>
    where
        Self: 'a;

    /// A buffer that holds at least `data.len()` bytes, holding `data`.
    fn filled(&self, data: &[u8]) -> Self::Buf<'_>;

    /// A buffer that holds at least `n` bytes, nothing written to it: the
    /// pool's own cost, without the copy that dominates [`filled`].
    ///
    /// [`filled`]: BufferPool::filled
    fn taken(&self, n: usize) -> Self::Taken<'_>;

    /// Makes a filled buffer ready to cross to another thread.
    fn seal<'a>(&'a self, buf: Self::Buf<'a>) -> Self::Parcel<'a>;

    /// Reads the buffer on the receiving thread, then lets it go there.
    fn open<R>(&self, parcel: Self::Parcel<'_>, read: impl FnOnce(&[u8]) -> R) -> R;

    /// Drops every idle buffer of a pool that lives in statics, so the burst
    /// starts from an empty pool (instance pools are built fresh instead).
    fn drain(&self) {}

    /// The pool's own account of the bytes it keeps idle, if it keeps one.
    fn idle_bytes(&self) -> Option<usize> {
        None
    }

    /// The pool's bound on idle bytes, if it has one.
    fn max_idle_bytes(&self) -> Option<usize> {
        None
    }
}

/// Visits every candidate, in the order the report lists them.
pub(crate) trait VisitBuffers {
    fn visit<C: BufferPool + 'static>(&mut self, name: &'static str, make: fn() -> C);
}

pub(crate) fn each(v: &mut impl VisitBuffers) {
    v.visit("repool", || Repool);
    v.visit(BASELINE, || SizeClassList);
    v.visit(ZEROPOOL, Zeropool::new);
    v.visit("one_pool", || OnePool);
    v.visit("fresh", || Fresh);
    visit_anchor_crates!(v);
}

/// The hand-written size-class free list: every ratio is taken against it.
pub(crate) const BASELINE: &str = "size_class_list";

/// The byte-buffer crate repool's buffers are measured against.
pub(crate) const ZEROPOOL: &str = "zeropool";

/// The peer crates, for the hand-off target: zeropool and the object
/// benchmarks' anchor crates.
pub(crate) fn peer_crates() -> impl Iterator<Item = &'static str> {
    std::iter::once(ZEROPOOL).chain(ANCHOR_CRATES)
}

/// `v`, which holds at least `data.len()` bytes and nothing yet, filled.
#[inline(always)]
fn fill(v: &mut Vec<u8>, data: &[u8]) {
    debug_assert!(v.is_empty() && v.capacity() >= data.len());
    v.extend_from_slice(data);
}

/// Implements the rest of `BufferPool` for a candidate whose guard derefs
/// to a `Vec<u8>` (`Self::Buf`), from `|this, n| expr`, which takes one
/// that holds at least `n` bytes: filling is taking, then a copy.
macro_rules! vec_buffers {
    (|$this:ident, $n:ident| $take:expr) => {
        type Taken<'a> = Self::Buf<'a>;

        #[inline]
        fn taken(&self, $n: usize) -> Self::Buf<'_> {
            let $this = self;
            let buf = $take;
            debug_assert!(buf.is_empty() && buf.capacity() >= $n);
            buf
        }

        #[inline]
        fn filled(&self, data: &[u8]) -> Self::Buf<'_> {
            let mut buf = self.taken(data.len());
            fill(&mut buf, data);
            buf
        }
    };
}

// ---------------------------------------------------------------------------
// repool: the size classes of `Vec<u8>`'s own pool.

pub(crate) struct Repool;

impl BufferPool for Repool {
    type Buf<'a> = repool::Guard<Vec<u8>>;
    parcel_is_guard!(Buf, [u8]);
    vec_buffers!(|_this, n| Vec::<u8>::acquire_with_capacity(n));

    fn drain(&self) {
        Vec::<u8>::pool().clear();
    }

    fn idle_bytes(&self) -> Option<usize> {
        Some(Vec::<u8>::pool().stats().idle_bytes)
    }

    fn max_idle_bytes(&self) -> Option<usize> {
        Some(Vec::<u8>::pool().max_idle_bytes())
    }
}

// ---------------------------------------------------------------------------
// One pool for every size, Go's `sync.Pool` of `[]byte`: a repool value pool
// made with `Pool::new()`, which has no size classes. Every buffer ends up
// as big as the biggest request it ever served.

pub(crate) static ONE: repool::Pool<Vec<u8>> = repool::Pool::new();

pub(crate) struct OnePool;

impl BufferPool for OnePool {
    type Buf<'a> = repool::Guard<Vec<u8>, &'static repool::Pool<Vec<u8>>>;
    parcel_is_guard!(Buf, [u8]);
    vec_buffers!(|_this, n| {
        let mut buf = ONE.acquire();
        buf.reserve(n);
        buf
    });

    fn drain(&self) {
        ONE.clear();
    }
}

// ---------------------------------------------------------------------------
// No pool: a fresh `Vec` each time.

pub(crate) struct Fresh;

impl BufferPool for Fresh {
    type Buf<'a> = Vec<u8>;
    parcel_is_guard!(Buf, [u8]);
    vec_buffers!(|_this, n| Vec::with_capacity(n));
}

// ---------------------------------------------------------------------------
// Hand-written size-class free list: what a competent engineer writes for
// mixed sizes when a pool crate is not wanted. One `thread_local!` array of
// free lists, one per power of two: list `k` holds buffers whose capacity
// is in `[2^k, 2^(k+1))`, so a request for `n` bytes pops from list
// `ceil(log2 n)` and anything it finds holds `n`; a miss allocates `2^k`, so
// the buffer comes back to the same list. A buffer goes back to the list of
// its capacity, unless that list holds `PER_CLASS` already or the buffer
// outgrew the largest class. Const-initialised, `UnsafeCell` rather than
// `RefCell`, as the object benchmarks' thread-local list.

/// Lists `0..=MAX_SHIFT`: capacities up to `2^(MAX_SHIFT + 1) - 1` bytes.
const LISTS: usize = MAX_SHIFT as usize + 1;

/// Idle buffers each thread keeps per list: a few, since a thread that
/// holds one buffer at a time needs one.
pub(crate) const PER_CLASS: usize = 4;

thread_local! {
    static FREE_LISTS: UnsafeCell<[Vec<Vec<u8>>; LISTS]> =
        const { UnsafeCell::new([const { Vec::new() }; LISTS]) };
}

pub(crate) struct SizeClassList;

pub(crate) struct ListBuf(Vec<u8>);

impl BufferPool for SizeClassList {
    type Buf<'a> = ListBuf;
    type Taken<'a> = ListBuf;
    // The buffer goes back to the list of the thread that drops it: a
    // consumer's lists fill up (and drop the rest), a producer's run dry.
    parcel_is_guard!(Buf, [u8]);

    #[inline]
    fn filled(&self, data: &[u8]) -> ListBuf {
        let mut buf = self.taken(data.len());
        fill(&mut buf.0, data);
        buf
    }

    #[inline]
    fn taken(&self, n: usize) -> ListBuf {
        let k = n.max(1).next_power_of_two().ilog2() as usize;
        let cached = if k < LISTS {
            FREE_LISTS
                .try_with(|lists| {
                    // SAFETY: the only references to this thread's lists are
                    // made here and in `ListBuf::drop`, each confined to one
                    // `pop` or `push`, which run no code that could reach the
                    // lists again (no buffer is dropped inside them, and the
                    // allocator does not touch them).
                    unsafe { (*lists.get())[k].pop() }
                })
                .ok()
                .flatten()
        } else {
            None
        };
        ListBuf(cached.unwrap_or_else(|| Vec::with_capacity(1 << k)))
    }

    fn drain(&self) {
        let _ = FREE_LISTS.try_with(|lists| {
            // SAFETY: as in `filled`; the taken lists are dropped outside.
            unsafe { mem::take(&mut *lists.get()) }
        });
    }
}

impl Drop for ListBuf {
    #[inline]
    fn drop(&mut self) {
        let mut buf = mem::take(&mut self.0);
        buf.clear();
        let capacity = buf.capacity();
        if capacity == 0 {
            return;
        }
        let k = capacity.ilog2() as usize;
        if k >= LISTS {
            return;
        }
        let rejected = FREE_LISTS
            .try_with(move |lists| {
                // SAFETY: see `filled`.
                let list = unsafe { &mut (*lists.get())[k] };
                if list.len() < PER_CLASS {
                    list.push(buf);
                    None
                } else {
                    Some(buf)
                }
            })
            .ok()
            .flatten();
        // Outside the thread-local access.
        drop(rejected);
    }
}

impl Deref for ListBuf {
    type Target = Vec<u8>;

    #[inline]
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

// ---------------------------------------------------------------------------
// zeropool 0.7: classes of 4 KiB x 4^k (4 KiB to 64 MiB), per-thread caches
// per class, a lock-free queue per class with a count bound, all at their
// defaults. `alloc_uninit` + `write_from_slice` is its documented path for a
// buffer the caller overwrites whole (`alloc` would zero it first).

pub(crate) struct Zeropool(zeropool::ZeroPool);

impl Zeropool {
    pub(crate) fn new() -> Self {
        Zeropool(zeropool::ZeroPool::new())
    }
}

impl BufferPool for Zeropool {
    type Buf<'a> = zeropool::Buf<'a>;
    type Taken<'a> = zeropool::BufUninit<'a>;
    // Dropped on the consumer, a buffer goes to that thread's cache, and
    // from there to the class's shared queue.
    parcel_is_guard!(Buf, [u8]);

    #[inline]
    fn filled(&self, data: &[u8]) -> Self::Buf<'_> {
        self.taken(data.len()).write_from_slice(data)
    }

    #[inline]
    fn taken(&self, n: usize) -> Self::Taken<'_> {
        let buf = self.0.alloc_uninit(n);
        debug_assert!(buf.capacity() >= n);
        buf
    }

    fn drain(&self) {
        self.0.drain();
    }
}

// ---------------------------------------------------------------------------
// The object pools of the other benchmarks, holding `Vec<u8>`: one pool for
// every size, as `one_pool`, each with its own synchronisation and bound.

// object-pool 0.6: a `parking_lot` mutex around a `Vec<T>`, unbounded, no
// reset hook (cleared after the pull, as its docs say).
pub(crate) struct ObjectPool(object_pool::Pool<Vec<u8>>);

impl ObjectPool {
    pub(crate) fn new() -> Self {
        ObjectPool(object_pool::Pool::new(0, Vec::new))
    }
}

impl BufferPool for ObjectPool {
    type Buf<'a> = object_pool::Reusable<'a, Vec<u8>>;
    parcel_is_guard!(Buf, [u8]);
    vec_buffers!(|this, n| {
        let mut buf = this.0.pull(Vec::new);
        buf.clear();
        buf.reserve(n);
        buf
    });
}

// lockfree-object-pool 0.1: `LinearObjectPool` (pages of 32 slots, never
// shrinks) and `SpinLockObjectPool` (a spin-locked `Vec<T>`, unbounded).
/// `BufferPool` for one of lockfree-object-pool's pools (see
/// [`lockfree_pools!`]), whose `pull()` hands out an empty buffer.
macro_rules! lockfree_buffers {
    ($name:ident, $guard:ident) => {
        impl BufferPool for $name {
            type Buf<'a> = lockfree_object_pool::$guard<'a, Vec<u8>>;
            parcel_is_guard!(Buf, [u8]);
            vec_buffers!(|this, n| {
                let mut buf = this.0.pull();
                buf.reserve(n);
                buf
            });
        }
    };
}

lockfree_pools!(Vec<u8>, Vec::new, Vec::clear, lockfree_buffers);

// opool 0.2: a crossbeam `ArrayQueue<T>` bounded at `CAPACITY`.
pub(crate) struct BytesAllocator;

impl opool::PoolAllocator<Vec<u8>> for BytesAllocator {
    #[inline]
    fn allocate(&self) -> Vec<u8> {
        Vec::new()
    }

    #[inline]
    fn reset(&self, buf: &mut Vec<u8>) {
        buf.clear();
    }
}

pub(crate) struct Opool(opool::Pool<BytesAllocator, Vec<u8>>);

impl Opool {
    pub(crate) fn new() -> Self {
        Opool(opool::Pool::new(CAPACITY, BytesAllocator))
    }
}

impl BufferPool for Opool {
    type Buf<'a> = opool::RefGuard<'a, BytesAllocator, Vec<u8>>;
    parcel_is_guard!(Buf, [u8]);
    vec_buffers!(|this, n| {
        let mut buf = this.0.get();
        buf.reserve(n);
        buf
    });
}

// sharded-slab 0.1: `Pool<Vec<u8>>`, whose `Clear` for `Vec` keeps the
// capacity; a slot is created, and given back with `Pool::clear(key)`,
// through the object benchmarks' guard. Its `RefMut` is not `Send`, so the
// hand-off sends the key, as there.
pub(crate) struct ShardedSlab(sharded_slab::Pool<Vec<u8>>);

impl ShardedSlab {
    pub(crate) fn new() -> Self {
        ShardedSlab(sharded_slab::Pool::new())
    }
}

impl BufferPool for ShardedSlab {
    type Buf<'a> = SlabGuard<'a, Vec<u8>>;
    type Parcel<'a> = usize;
    vec_buffers!(|this, n| {
        let mut buf = SlabGuard::create(&this.0);
        buf.reserve(n);
        buf
    });

    #[inline]
    fn seal<'a>(&'a self, buf: Self::Buf<'a>) -> usize {
        buf.into_key()
    }

    #[inline]
    fn open<R>(&self, key: usize, read: impl FnOnce(&[u8]) -> R) -> R {
        open_slot(&self.0, key, |buf| read(buf))
    }
}

// poolshark 0.2: a global (cross-thread) `Pool`, a crossbeam `ArrayQueue`
// bounded at `CAPACITY`, with no limit on a buffer's capacity (its
// `max_elt_capacity`), like `one_pool`.
pub(crate) struct Poolshark(poolshark::global::Pool<Vec<u8>>);

impl Poolshark {
    pub(crate) fn new() -> Self {
        Poolshark(poolshark::global::Pool::new(CAPACITY, usize::MAX))
    }
}

impl BufferPool for Poolshark {
    type Buf<'a> = poolshark::global::GPooled<Vec<u8>>;
    parcel_is_guard!(Buf, [u8]);
    vec_buffers!(|this, n| {
        let mut buf = this.0.take();
        buf.reserve(n);
        buf
    });
}

// dynamic-pool 0.2: a crossbeam `ArrayQueue` bounded at `CAPACITY`. Its
// reset is a trait of its own, which `Vec<u8>` does not implement: a
// newtype carries it.
#[derive(Default)]
pub(crate) struct DynBytes(Vec<u8>);

impl dynamic_pool::DynamicReset for DynBytes {
    #[inline]
    fn reset(&mut self) {
        self.0.clear();
    }
}

impl Deref for DynBytes {
    type Target = Vec<u8>;

    #[inline]
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for DynBytes {
    #[inline]
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

pub(crate) struct DynamicPool(dynamic_pool::DynamicPool<DynBytes>);

impl DynamicPool {
    pub(crate) fn new() -> Self {
        DynamicPool(dynamic_pool::DynamicPool::new(
            0,
            CAPACITY,
            DynBytes::default,
        ))
    }
}

impl BufferPool for DynamicPool {
    type Buf<'a> = dynamic_pool::DynamicPoolItem<DynBytes>;
    parcel_is_guard!(Buf, [u8]);
    vec_buffers!(|this, n| {
        let mut buf = this.0.take();
        buf.reserve(n);
        buf
    });
}
