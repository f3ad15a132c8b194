//! Size classes for buffers: a pool of `Vec<T>`, `String`, `VecDeque<T>` or
//! `BinaryHeap<T>` made with [`Pool::buffers`] (as every one of their own
//! pools is) keeps one core per class of capacity, so a buffer that grew to
//! 1 MiB is never handed to the next 100-byte need, and bounds the bytes it
//! keeps idle.
//!
//! Classes are by bytes of element storage: class 0 holds buffers of fewer
//! than 128 bytes, class `k > 0` those of `[64 << k, 64 << (k + 1))`. A
//! request for `n` elements is served from the first class whose smallest
//! buffer holds them, so every buffer there is big enough; one that grew
//! goes back to the class of its new capacity.
//!
//! The byte bound reuses the object bound of each class: class `k` may keep
//! `count(k)` buffers, each counted at the largest size the class admits,
//! and the counts are chosen so that they sum to at most `max_idle_bytes`.
//! Every thread's cache and the shared layer honour each class's count as
//! they honour any pool's capacity, so the bound holds after any burst.

use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering, fence};

use super::DEFAULT_CAPACITY;
use super::{Pool, stats_of};
use crate::core::{Core, Slot, stash_count};
use crate::guard::Guard;
use crate::lazy::{Lost, OnceArc};
use crate::panic::{Panic, rethrow};
use crate::recycle::{self, Verdict, prepare};
use crate::registry::{self, Storage};
use crate::{Buffer, Capacity, Reset, Stats, thread};

/// `log2` of the bytes that start class 1; class 0 holds everything below.
pub(crate) const MIN_SHIFT: u32 = 6;

/// Classes up to the largest capacity a request can name (`usize::MAX`
/// bytes rounds up to class `usize::BITS - MIN_SHIFT`).
pub(crate) const CLASSES: usize = (usize::BITS - MIN_SHIFT + 1) as usize;

/// The default of [`Pool::max_idle_bytes`]: 64 MiB per buffer type.
///
/// With the default largest buffer of 1 MiB, half of it lets every class
/// keep 10 buffers (one per thread of an 8-core machine and two spare, each
/// counted at its class's largest size), and the other half gives every
/// class 2 MiB, so that the small classes keep many more, up to the object
/// capacity: 283 buffers of 4 KiB, for a hand-off between threads with 256
/// in flight. The bound counts each buffer at its class's ceiling; the heap
/// a burst leaves idle is well under it.
pub const DEFAULT_MAX_IDLE_BYTES: usize = 64 << 20;

/// The default of [`Pool::max_capacity`] for buffer pools, in bytes: 1 MiB
/// of elements. Bigger buffers are rare enough that keeping them idle costs
/// more memory than their reuse saves time.
pub const DEFAULT_MAX_BUFFER_BYTES: usize = 1 << 20;

/// The class of a buffer holding `bytes`.
#[inline(always)]
pub(crate) fn class_of(bytes: usize) -> usize {
    // `| 64` puts everything below 64 bytes in class 0 without a branch.
    ((bytes | (1 << MIN_SHIFT)).ilog2() - MIN_SHIFT) as usize
}

/// The first class whose every buffer holds `bytes`.
#[inline(always)]
pub(crate) fn class_for(bytes: usize) -> usize {
    // `ceil(log2(bytes)) - MIN_SHIFT`, at least 0.
    ((bytes.saturating_sub(1) | ((1 << MIN_SHIFT) - 1)).ilog2() + 1 - MIN_SHIFT) as usize
}

/// The smallest number of bytes of class `k` (0 for class 0).
fn class_floor(k: usize) -> usize {
    if k == 0 { 0 } else { (1 << MIN_SHIFT) << k }
}

/// Not public API: what a buffer pool knows about its `T`, as plain
/// function pointers so that `Pool<T>` needs no `T: Buffer` bound outside
/// its constructor.
#[doc(hidden)]
#[derive(Debug)]
pub struct Sizes<T> {
    pub(crate) element_bytes: usize,
    pub(crate) capacity: fn(&T) -> usize,
    pub(crate) with_capacity: fn(usize) -> T,
}

impl<T> Sizes<T> {
    pub(crate) const fn of() -> Self
    where
        T: Buffer,
    {
        Self {
            element_bytes: T::ELEMENT_BYTES,
            capacity: <T as Capacity>::capacity,
            with_capacity: <T as Buffer>::with_capacity,
        }
    }

    /// The capacity a buffer made for class `k` starts with: the class's
    /// smallest bytes, 64 for class 0 (which also holds smaller buffers).
    fn class_start(&self, k: usize) -> usize {
        match self.element_bytes {
            0 => 0,
            per => class_floor(k).max(1 << MIN_SHIFT).div_ceil(per),
        }
    }

    #[inline(always)]
    pub(crate) fn bytes(&self, object: &T) -> usize {
        (self.capacity)(object).saturating_mul(self.element_bytes)
    }
}

/// The run-time settings of a buffer pool, read with relaxed loads.
pub(crate) struct Config {
    /// The largest capacity kept, in elements.
    pub(crate) max_capacity: AtomicUsize,
    /// The same in bytes, which is what the return path compares.
    pub(crate) max_bytes: AtomicUsize,
    pub(crate) max_idle_bytes: AtomicUsize,
    /// Objects per class.
    pub(crate) objects: AtomicUsize,
    /// Bumped by every setter, so that one applying the settings can tell
    /// whether another changed them meanwhile.
    pub(crate) version: AtomicUsize,
}

impl Config {
    /// A buffer pool's defaults for `Some(element_bytes)`; no limit on
    /// capacity for any other pool.
    pub(crate) const fn new(element_bytes: Option<usize>, objects: usize) -> Self {
        let (max_capacity, max_bytes) = match element_bytes {
            None => (usize::MAX, usize::MAX),
            Some(0) => (DEFAULT_MAX_BUFFER_BYTES, 0),
            Some(n) => (
                DEFAULT_MAX_BUFFER_BYTES / n,
                DEFAULT_MAX_BUFFER_BYTES / n * n,
            ),
        };
        Self {
            max_capacity: AtomicUsize::new(max_capacity),
            max_bytes: AtomicUsize::new(max_bytes),
            max_idle_bytes: AtomicUsize::new(DEFAULT_MAX_IDLE_BYTES),
            objects: AtomicUsize::new(objects),
            version: AtomicUsize::new(0),
        }
    }

    /// The largest class that keeps anything.
    #[inline(always)]
    pub(crate) fn top(&self) -> usize {
        class_of(self.max_bytes.load(Ordering::Relaxed))
    }

    /// The most bytes one idle buffer of class `k` may hold.
    fn ceiling(&self, k: usize) -> usize {
        let max = self.max_bytes.load(Ordering::Relaxed);
        let end = match k + 1 {
            next if next < CLASSES => ((1usize << MIN_SHIFT) << next) - 1,
            _ => usize::MAX,
        };
        end.min(max).max(1)
    }

    /// How many buffers class `k` may keep: half the byte budget gives
    /// every class the same number, the other half gives every class the
    /// same bytes (so small classes keep many more), and the object
    /// capacity caps each.
    fn count(&self, k: usize) -> usize {
        let top = self.top();
        if k > top {
            return 0;
        }
        let budget = self.max_idle_bytes.load(Ordering::Relaxed);
        let classes = top + 1;
        let all: usize = (0..classes)
            .map(|j| self.ceiling(j))
            .fold(0, usize::saturating_add);
        let same_count = (budget / 2) / all;
        let same_bytes = budget / 2 / classes / self.ceiling(k);
        (same_count + same_bytes).min(self.objects.load(Ordering::Relaxed))
    }
}

/// One core per class, each made on first use.
pub(crate) struct ClassTable<T> {
    cores: [OnceArc<Core<T>>; CLASSES],
}

impl<T> ClassTable<T> {
    fn new() -> Self {
        Self {
            cores: std::array::from_fn(|_| OnceArc::new()),
        }
    }

    fn existing(&self) -> impl Iterator<Item = (usize, &Core<T>)> {
        self.cores
            .iter()
            .enumerate()
            .filter_map(|(k, core)| Some((k, core.get()?)))
    }
}

impl<T> Drop for ClassTable<T> {
    fn drop(&mut self) {
        for core in &mut self.cores {
            if let Some(core) = core.take() {
                registry::unregister(Arc::as_ptr(&core).cast());
                drop(core);
            }
        }
    }
}

/// How one size class of a buffer pool stands, from [`Pool::class_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ClassStats {
    /// The class's index: 0 for buffers of fewer than 128 bytes, `k` for
    /// those of `[64 << k, 64 << (k + 1))` bytes.
    pub class: usize,
    /// The smallest capacity, in elements, of a buffer in this class.
    pub min_capacity: usize,
    /// The largest capacity, in elements, of a buffer this class keeps.
    pub max_capacity: usize,
    /// How many idle buffers this class may keep.
    pub capacity: usize,
    /// What happened in this class: `reused` is its hits, `built` the
    /// buffers it made, `idle`/`idle_bytes` what it keeps.
    pub stats: Stats,
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// The sizes of a buffer pool; `None` for one pool for all objects.
    #[inline(always)]
    pub(crate) fn sizes(&self) -> Option<&Sizes<T>> {
        self.sizes.as_ref()
    }

    fn table(&self) -> &ClassTable<T> {
        match self.classes.get() {
            Some(table) => table,
            None => self.make_table(),
        }
    }

    #[cold]
    #[inline(never)]
    fn make_table(&self) -> &ClassTable<T> {
        match self.classes.publish(Arc::new(ClassTable::new())) {
            Ok(table) => table,
            // Nothing was made in the loser's table yet.
            Err(Lost { winner, .. }) => winner,
        }
    }

    /// Class `k`'s core, made on first use.
    #[inline]
    pub(crate) fn class_core(&self, k: usize) -> &Core<T> {
        match self.table().cores[k].get() {
            Some(core) => core,
            None => self.make_class(k),
        }
    }

    #[cold]
    #[inline(never)]
    fn make_class(&self, k: usize) -> &Core<T> {
        let config = &self.config;
        let version = config.version.load(Ordering::SeqCst);
        let core = Arc::new(Core::new(config.count(k), stash_count()));
        // Registered before it is published, as in `Pool::init`.
        registry::register(Arc::clone(&core) as Arc<dyn Storage>);
        let core = match self.table().cores[k].publish(core) {
            Ok(core) => core,
            Err(Lost { winner, ours }) => {
                registry::unregister(Arc::as_ptr(&ours).cast());
                drop(ours);
                winner
            }
        };
        // With the fence in `apply_config`: either that setter's loop sees
        // this core, or this load sees its bump (no store buffering).
        fence(Ordering::SeqCst);
        if config.version.load(Ordering::SeqCst) != version {
            // A setter ran while this core was made and may have missed it.
            rethrow(self.apply_config());
        }
        core
    }

    /// Gives every existing class the count the settings give it now,
    /// until no setter changed them meanwhile. Excess idle buffers are
    /// dropped (user code: no lock is held).
    pub(crate) fn apply_config(&self) -> Option<Panic> {
        let mut panic = None;
        loop {
            let version = self.config.version.load(Ordering::SeqCst);
            // See `make_class`; the table is read after it too.
            fence(Ordering::SeqCst);
            if let Some(table) = self.classes.get() {
                for (k, core) in table.existing() {
                    let count = self.config.count(k);
                    if core.capacity() != count {
                        // SAFETY: `thread::current` is this thread's own slot.
                        let dropped = unsafe { core.set_capacity(count, thread::current()) };
                        panic = panic.or(dropped);
                    }
                }
            }
            if self.config.version.load(Ordering::SeqCst) == version {
                return panic;
            }
        }
    }

    pub(crate) fn configure(&self, set: impl FnOnce(&Config)) {
        set(&self.config);
        self.config.version.fetch_add(1, Ordering::SeqCst);
        rethrow(self.apply_config());
    }

    /// An object from class `k` (or a new one with the class's smallest
    /// capacity, or exactly `n` past the largest class).
    #[inline]
    pub(crate) fn take_class_at(
        &self,
        sizes: &Sizes<T>,
        k: usize,
        core: &Core<T>,
        slot: Option<Slot>,
        n: usize,
    ) -> NonNull<T> {
        let idle = match slot {
            // SAFETY: `thread::current` is this thread's own slot.
            Some(slot) => unsafe { core.pop(slot) },
            None => core.pop_unowned(),
        };
        match idle {
            Some(object) => object,
            None => self.build_in_class(sizes, k, core, slot, n),
        }
    }

    #[cold]
    fn build_in_class(
        &self,
        sizes: &Sizes<T>,
        k: usize,
        core: &Core<T>,
        slot: Option<Slot>,
        n: usize,
    ) -> NonNull<T> {
        let capacity = if k > self.config.top() || n == 0 {
            n
        } else {
            sizes.class_start(k).max(n)
        };
        let buffer = (sizes.with_capacity)(capacity);
        // Counted where the buffer will live: past the largest class, one
        // made for exactly `n` may sit a class below the one asked for.
        match class_of(sizes.bytes(&buffer)) {
            at if at == k => core.note_miss(slot),
            at => self.class_core(at).note_miss(slot),
        }
        NonNull::from(Box::leak(Box::new(buffer)))
    }

    /// `acquire_with_capacity` without a thread-local: through the slot.
    pub(crate) fn take_sized(&self, sizes: &Sizes<T>, n: usize) -> NonNull<T> {
        let k = class_for(n.saturating_mul(sizes.element_bytes));
        self.take_class_at(sizes, k, self.class_core(k), thread::current(), n)
    }

    /// A plain `acquire` of a buffer pool: the smallest buffer this
    /// thread's caches hold, else one from class 0.
    pub(crate) fn take_any(&self, sizes: &Sizes<T>) -> NonNull<T> {
        let slot = thread::current();
        if let (Some(slot), Some(table)) = (slot, self.classes.get()) {
            for (_, core) in table
                .existing()
                .take_while(|(k, _)| *k <= self.config.top())
            {
                // SAFETY: this thread's own slot.
                if let Some(object) = unsafe { core.cache(slot).try_pop() } {
                    return object;
                }
            }
        }
        self.take_class_at(sizes, 0, self.class_core(0), slot, 0)
    }

    /// The class of a buffer pool's object, kept or not.
    pub(crate) fn class_of_object(&self, sizes: &Sizes<T>, object: &T) -> usize {
        class_of(sizes.bytes(object))
    }

    /// The class a kept buffer goes back to, or `Err(class)` when it is
    /// past the largest and must be dropped.
    #[inline(always)]
    fn class_to_keep(&self, sizes: &Sizes<T>, object: NonNull<T>) -> Result<usize, usize> {
        // SAFETY: the caller owns `object`.
        let bytes = sizes.bytes(unsafe { object.as_ref() });
        let k = class_of(bytes);
        if bytes > self.config.max_bytes.load(Ordering::Relaxed) {
            Err(k)
        } else {
            Ok(k)
        }
    }

    /// `Pool::put` for a buffer pool: reset, then into the class of the
    /// buffer's capacity.
    pub(crate) unsafe fn put_sized(&self, sizes: &Sizes<T>, object: NonNull<T>) {
        // SAFETY: the caller owns `object`.
        let verdict = unsafe { prepare(object) };
        match (verdict, self.class_to_keep(sizes, object)) {
            // SAFETY: forwarded from the caller.
            (Verdict::Keep, Ok(k)) => unsafe { recycle::give_back(self.class_core(k), object) },
            // SAFETY: forwarded from the caller.
            (Verdict::Keep, Err(_)) => unsafe {
                self.put_not_kept(sizes, object, Verdict::Oversized)
            },
            // SAFETY: forwarded from the caller.
            (verdict, _) => unsafe { self.put_not_kept(sizes, object, verdict) },
        }
    }
}

impl<T> Pool<T> {
    /// `sweep` on every class, whatever panics; the first panic goes on.
    pub(crate) fn sweep_classes(&self, sweep: impl Fn(&Core<T>) -> Option<Panic>) {
        let mut panic = None;
        self.for_each_class(|_, core| {
            let dropped = sweep(core);
            panic = panic.take().or(dropped);
        });
        rethrow(panic);
    }

    /// Drops the idle buffers of class `k`, if it exists.
    fn clear_class(&self, k: usize) {
        if let Some(core) = self.classes.get().and_then(|t| t.cores[k].get()) {
            // SAFETY: `thread::current` is this thread's own slot.
            rethrow(unsafe { core.clear(thread::current()) });
        }
    }

    /// Every class's core that exists.
    pub(crate) fn for_each_class(&self, mut f: impl FnMut(usize, &Core<T>)) {
        if let Some(table) = self.classes.get() {
            for (k, core) in table.existing() {
                f(k, core);
            }
        }
    }

    /// The stats of one class's core, with its idle bytes counted at the
    /// class's ceiling.
    pub(crate) fn class_stats_of(&self, k: usize, core: &Core<T>) -> Stats {
        let mut stats = stats_of(core.counts());
        stats.idle_bytes = stats.idle.saturating_mul(self.config.ceiling(k));
        stats
    }

    /// Each size class of a buffer pool that has been used, smallest first;
    /// empty for a pool that is not a buffer pool.
    ///
    /// ```
    /// use pool_runtime::Pooled;
    ///
    /// let buf = Vec::<u8>::acquire_with_capacity(1000);
    /// assert_eq!(buf.capacity(), 1024, "rounded up to its class's smallest");
    /// drop(buf);
    /// let class = Vec::<u8>::pool()
    ///     .class_stats()
    ///     .into_iter()
    ///     .find(|c| c.min_capacity == 1024)
    ///     .unwrap();
    /// assert_eq!((class.class, class.max_capacity), (4, 2047));
    /// assert!(class.stats.idle >= 1);
    /// ```
    pub fn class_stats(&self) -> Vec<ClassStats> {
        let Some(sizes) = &self.sizes else {
            return Vec::new();
        };
        let per = sizes.element_bytes.max(1);
        let mut classes = Vec::new();
        self.for_each_class(|k, core| {
            classes.push(ClassStats {
                class: k,
                min_capacity: class_floor(k).div_ceil(per),
                max_capacity: self.config.ceiling(k) / per,
                capacity: core.capacity(),
                stats: self.class_stats_of(k, core),
            });
        });
        classes
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// Drops and counts a buffer that is not kept: oversized, or its reset
    /// panicked; in the class of its capacity.
    #[cold]
    #[inline(never)]
    pub(crate) unsafe fn put_not_kept(
        &self,
        sizes: &Sizes<T>,
        object: NonNull<T>,
        verdict: Verdict,
    ) {
        let k = self.class_to_keep(sizes, object).unwrap_or_else(|k| k);
        // SAFETY: forwarded from the caller.
        unsafe { recycle::not_kept(self.class_core(k), object, verdict) }
    }
}

/// Grows a buffer from class 0 (or a pool without classes) that is too
/// small for `n`: to the class's start, so it then serves any request of
/// the class. A panic here (capacity overflow) returns the buffer.
#[cold]
pub(crate) fn grow<T: Buffer>(pool: &Pool<T>, buffer: &mut T, n: usize) {
    let start = pool.sizes().map_or(0, |sizes| sizes.class_start(0));
    buffer.ensure_capacity(n.max(start));
}

impl<T: Buffer> Pool<T> {
    /// A buffer pool: buffers are kept by size class, so a request for `n`
    /// elements is served from buffers that hold them, and the bytes kept
    /// idle are bounded by [`max_idle_bytes`](Pool::max_idle_bytes). The
    /// standard buffers' own pools (`Vec::<u8>::pool()`) are made this way;
    /// [`Pool::new`] keeps one pool for every size instead.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// static BODIES: Pool<Vec<u8>> = Pool::buffers();
    /// let mut body = BODIES.acquire_with_capacity(16 << 10);
    /// assert!(body.capacity() >= 16 << 10);
    /// body.extend_from_slice(b"hello");
    /// drop(body);
    /// assert_eq!(BODIES.stats().idle, 1);
    /// assert!(BODIES.stats().idle_bytes <= BODIES.max_idle_bytes());
    /// ```
    pub const fn buffers() -> Self {
        let mut pool = Self::new();
        pool.sizes = Some(Sizes::of());
        pool.config = Config::new(Some(T::ELEMENT_BYTES), DEFAULT_CAPACITY);
        pool
    }

    /// Takes a buffer that holds at least `n` elements: from the size class
    /// whose every buffer does, else a new one with that class's smallest
    /// capacity (a power of two bytes). Past [`max_capacity`](Pool::max_capacity)
    /// the buffer is made for exactly `n` and dropped when returned.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<String>::buffers();
    /// let line = pool.acquire_with_capacity(100);
    /// assert!(line.capacity() >= 100);
    /// ```
    pub fn acquire_with_capacity(&self, n: usize) -> Guard<T, &Self> {
        let object = match self.sizes() {
            Some(sizes) => self.take_sized(sizes, n),
            None => self.take(),
        };
        // SAFETY: `take_sized` and `take` hand over an object no one else
        // owns, which `&Self` returns here.
        let mut guard = unsafe { Guard::from_raw(object, self) };
        if Capacity::capacity(&*guard) < n {
            grow(self, &mut guard, n);
        }
        guard
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// The largest capacity, in elements, an object may keep when it comes
    /// back; `None` when this pool sets none. A buffer pool starts at 1 MiB
    /// of elements ([`DEFAULT_MAX_BUFFER_BYTES`]).
    ///
    /// ```
    /// use pool_runtime::{Pool, Pooled};
    ///
    /// assert_eq!(Vec::<u8>::pool().max_capacity(), Some(1 << 20));
    /// assert_eq!(Vec::<u64>::pool().max_capacity(), Some(1 << 17));
    /// assert_eq!(Pool::<Vec<u8>>::new().max_capacity(), None);
    /// ```
    pub fn max_capacity(&self) -> Option<usize> {
        match self.config.max_capacity.load(Ordering::Relaxed) {
            usize::MAX => None,
            n => Some(n),
        }
    }

    /// Sets the largest capacity, in elements, an object may keep, at any
    /// time. A buffer pool drops a buffer that comes back bigger (counted
    /// as `oversized`) and, when the limit goes down, drops at once the
    /// idle buffers of the classes it no longer keeps (in other threads'
    /// caches at their next use, as [`set_capacity`](Pool::set_capacity)).
    ///
    /// Any other pool cannot measure its objects: there the value is read
    /// by the type's `is_oversized` (`#[derive(Pooled)]` compares the fields
    /// marked `#[pooled(max_capacity)]` against it), and lowering it clears
    /// the idle objects, which may be over the new limit.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::buffers();
    /// pool.set_max_capacity(4096);
    /// let mut big = pool.acquire();
    /// big.reserve(1 << 20);
    /// drop(big);
    /// assert_eq!(pool.stats().oversized, 1);
    /// ```
    pub fn set_max_capacity(&self, max_capacity: usize) {
        let element_bytes = self.sizes().map(|s| s.element_bytes);
        let was = self
            .config
            .max_capacity
            .swap(max_capacity, Ordering::Relaxed);
        match element_bytes {
            Some(per) => {
                let max_bytes = max_capacity.saturating_mul(per);
                let mut was_bytes = 0;
                self.configure(|c| was_bytes = c.max_bytes.swap(max_bytes, Ordering::Relaxed));
                // The classes above the new top keep nothing now, but the
                // top itself may hold buffers between the new limit and its
                // old ceiling, which its count does not see.
                if max_bytes < was_bytes {
                    self.clear_class(class_of(max_bytes));
                }
            }
            None if max_capacity < was => self.clear(),
            None => {}
        }
    }

    /// The most bytes of element storage a buffer pool keeps idle (each
    /// idle buffer counted at the largest size its class admits, see
    /// [`Stats::idle_bytes`]); [`DEFAULT_MAX_IDLE_BYTES`] unless set.
    /// `usize::MAX` for a pool that is not a buffer pool.
    pub fn max_idle_bytes(&self) -> usize {
        match self.sizes() {
            Some(_) => self.config.max_idle_bytes.load(Ordering::Relaxed),
            None => usize::MAX,
        }
    }

    /// Sets the most bytes a buffer pool keeps idle, at any time: idle
    /// buffers beyond it are dropped at once, as with
    /// [`set_capacity`](Pool::set_capacity). No effect on a pool that is
    /// not a buffer pool, which bounds objects only.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::buffers();
    /// let held: Vec<_> = (0..64).map(|_| pool.acquire_with_capacity(64 << 10)).collect();
    /// drop(held);
    /// pool.set_max_idle_bytes(1 << 20);
    /// assert!(pool.stats().idle_bytes <= 1 << 20);
    /// ```
    pub fn set_max_idle_bytes(&self, max_idle_bytes: usize) {
        if self.sizes().is_some() {
            self.configure(|c| c.max_idle_bytes.store(max_idle_bytes, Ordering::Relaxed));
        }
    }
}
