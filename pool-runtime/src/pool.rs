//! `Pool<T>`: the bounded, thread-safe pool, usable in a `static`.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::core::{Core, Event, Panic, Slot, rethrow};
use crate::guard::Guard;
use crate::lazy::{Lost, OnceArc};
use crate::local::LocalCache;
use crate::registry::{self, Storage};
use crate::{Reset, thread};

/// The default idle bound of a pool: 1,024 objects.
///
/// Enough to absorb the requests in flight on a busy many-core server (each
/// thread's private cache holds at most 32), small enough that a pool of
/// 4 KiB buffers never keeps more than 4 MiB idle after a burst. Size it to
/// your objects with [`Pool::with_capacity`] or `#[pooled(capacity = N)]`.
pub const DEFAULT_CAPACITY: usize = 1024;

/// A shared, thread-safe pool that keeps at most [`capacity`](Pool::capacity)
/// idle objects.
///
/// * **Fast path per thread.** Each thread has a private cache of up to 32
///   objects that only it touches: acquiring and returning on the same thread
///   finds that cache (a thread-local load, then the pool's slot table; for a
///   `#[derive(Pooled)]` type, one thread-local load) and does a few plain
///   loads and stores, with no atomic read-modify-write and no cache line
///   shared with another thread.
/// * **Shared layer.** A cache that overflows moves a batch of objects to a
///   few lock-protected stashes, and a cache that runs dry takes a batch from
///   them before a new object is built, so objects returned on one thread
///   (a consumer) are reused on another (a producer).
/// * **Hard bound.** At most `capacity` objects are ever idle, counted across
///   every thread's cache and the stashes; a returned object beyond that is
///   dropped (counted in [`Stats::over_capacity`]). Go's `sync.Pool` has no
///   such bound, which is how its per-P caches grow to gigabytes after a burst.
/// * **Trim.** [`trim`](Pool::trim) drops the objects that stayed idle since
///   the previous trim, like Go's victim cache across two GCs, but when you
///   choose; [`clear`](Pool::clear) drops them all.
///
/// A pool builds objects with `T::default` ([`Pool::new`]) or a function
/// ([`Pool::from_fn`]); both are `const`, so a pool can live in a `static`
/// and allocates nothing until first used.
///
/// # Example
///
/// ```
/// use pool_runtime::Pool;
///
/// static BUFFERS: Pool<Vec<u8>> = Pool::new().with_capacity(64);
///
/// let mut buf = BUFFERS.acquire();
/// buf.extend_from_slice(b"hello");
/// drop(buf); // cleared, capacity kept, back in the pool
///
/// let buf = BUFFERS.acquire();
/// assert!(buf.is_empty() && buf.capacity() >= 5);
/// assert_eq!(BUFFERS.stats().reused, 1);
/// ```
///
/// # Private caches and other threads
///
/// No thread ever touches another thread's private cache, which is what
/// keeps the fast path free of atomics. So [`trim`](Pool::trim) and
/// [`clear`](Pool::clear) act on the calling thread's cache and the shared
/// stashes at once, and on every other thread's cache (at most 32 objects
/// each) the next time that thread uses the pool or when it exits. Those
/// objects still count against `capacity` meanwhile, so the bound holds.
///
/// # When user code panics
///
/// A constructor, reset or destructor that panics never loses an object or
/// a unit of capacity, and never aborts the process:
///
/// * a **constructor** panicking in [`acquire`](Pool::acquire) or
///   [`prewarm`](Pool::prewarm) passes its panic on, with nothing counted
///   (objects `prewarm` already built are dropped);
/// * a **reset** panicking when a guard drops: the object is dropped
///   ([`Stats::reset_panicked`]) and the panic goes on to whoever dropped
///   the guard; so does a panic in the destructor of a returned object the
///   pool does not keep ([`Stats::drop_panicked`]);
/// * a **destructor** of an idle object panicking in [`trim`](Pool::trim),
///   [`clear`](Pool::clear) or [`set_capacity`](Pool::set_capacity): the
///   sweep finishes, then the first panic goes on; in an acquire or return
///   that only caught up with an earlier trim, at a thread's exit, or when
///   the pool itself drops, it is counted and goes no further.
///
/// A panic that would meet another (the thread is unwinding already) or
/// leave a thread-local destructor is counted and swallowed, since either
/// would abort the process. User code may also use any pool, this one
/// included, from all of these places: no lock is held while it runs.
///
/// When a thread exits, its cache is handed to the shared layer by its
/// thread-local destructors: after its closure returns, so after
/// `std::thread::scope` returns, but before `JoinHandle::join` returns. Join
/// a thread before reading `stats()` if its cache must be counted as
/// handed back.
pub struct Pool<T> {
    /// The storage, from `Arc::into_raw`, made on first use.
    core: OnceArc<Core<T>>,
    make: fn() -> T,
    /// The capacity the storage is made with; once it exists, its own
    /// capacity is the one that counts.
    capacity: usize,
    /// `with_capacity` ran, perhaps on a pool already in use (it takes the
    /// pool by value, so no guard was alive): the storage adopts
    /// `capacity` at the next operation.
    reshape: AtomicBool,
    /// A pool owns `T`s and sends them between threads: its `Send`/`Sync`
    /// impls below depend on `T: Send`, not on the auto traits of its fields.
    _owns: PhantomData<*const T>,
}

// SAFETY: a pool moves `T`s between the threads that use it and never hands
// out shared references to one `T` to two threads, so `T: Send` is exactly
// what sharing or sending the pool requires (see `Core`'s impls).
unsafe impl<T: Send> Send for Pool<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Pool<T> {}

impl<T> Pool<T> {
    /// A pool that builds objects with `T::default()` and keeps at most
    /// [`DEFAULT_CAPACITY`] idle.
    ///
    /// ```
    /// static NAMES: pool_runtime::Pool<String> = pool_runtime::Pool::new();
    /// assert_eq!(NAMES.capacity(), pool_runtime::DEFAULT_CAPACITY);
    /// ```
    pub const fn new() -> Self
    where
        T: Default,
    {
        Self::from_fn(T::default)
    }

    /// A pool that builds objects with `make`.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// fn page() -> Vec<u8> {
    ///     Vec::with_capacity(4096)
    /// }
    /// static PAGES: Pool<Vec<u8>> = Pool::from_fn(page);
    /// assert!(PAGES.acquire().capacity() >= 4096);
    /// ```
    pub const fn from_fn(make: fn() -> T) -> Self {
        Self {
            core: OnceArc::new(),
            make,
            capacity: DEFAULT_CAPACITY,
            reshape: AtomicBool::new(false),
            _owns: PhantomData,
        }
    }

    /// The same pool, keeping at most `capacity` idle objects (`0` keeps
    /// none: every returned object is dropped).
    ///
    /// On a pool already in use, the new capacity takes effect at its next
    /// operation: idle objects beyond it are dropped then. To change the
    /// capacity of a pool that is shared (a `static`, an `Arc`), use
    /// [`Pool::set_capacity`].
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// static SMALL: Pool<String> = Pool::new().with_capacity(8);
    /// assert_eq!(SMALL.capacity(), 8);
    /// ```
    pub const fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self.reshape = AtomicBool::new(true);
        self
    }

    /// The most idle objects this pool keeps.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<String>::new();
    /// pool.set_capacity(4);
    /// assert_eq!(pool.capacity(), 4);
    /// ```
    pub fn capacity(&self) -> usize {
        match self.existing_core() {
            Some(core) => core.capacity(),
            None => self.capacity,
        }
    }

    /// The storage if it was made already.
    #[inline]
    fn existing_core(&self) -> Option<&Core<T>> {
        let core = self.core.get()?;
        if self.reshape.load(Ordering::Relaxed) {
            self.adopt_capacity(core);
        }
        Some(core)
    }

    /// Gives the storage the capacity of a `with_capacity` that came after
    /// it was made. Destructors that panic meanwhile are counted, not passed
    /// on: whatever operation got here did not ask for them.
    #[cold]
    #[inline(never)]
    fn adopt_capacity(&self, core: &Core<T>) {
        if self.reshape.swap(false, Ordering::Relaxed) {
            // SAFETY: `thread::current` is this thread's own slot.
            drop(unsafe { core.set_capacity(self.capacity, thread::current()) });
        }
    }

    /// What the pool has done so far and how many objects are idle now.
    ///
    /// Each thread counts in its own cache line; this sums them, so a
    /// snapshot taken while other threads work is close, not exact.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool: Pool<Vec<u8>> = Pool::new();
    /// drop(pool.acquire());
    /// drop(pool.acquire());
    /// let stats = pool.stats();
    /// assert_eq!((stats.acquired, stats.built, stats.reused, stats.idle), (2, 1, 1, 1));
    /// ```
    pub fn stats(&self) -> Stats {
        let Some(core) = self.existing_core() else {
            return Stats::default();
        };
        let c = core.counts();
        Stats {
            acquired: c.hits + c.misses,
            reused: c.hits,
            built: c.misses + c.prewarmed,
            returned: c.returned,
            discarded: c.over_capacity + c.oversized + c.reset_panicked + c.user_discarded,
            over_capacity: c.over_capacity,
            oversized: c.oversized,
            reset_panicked: c.reset_panicked,
            user_discarded: c.user_discarded,
            detached: c.detached,
            trimmed: c.trimmed,
            drop_panicked: c.drop_panicked,
            idle: c.idle,
        }
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// Takes an idle object, or builds one, and wraps it in a guard that
    /// returns it here when dropped.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<String>::new();
    /// let mut s = pool.acquire();
    /// s.push_str("scratch");
    /// assert_eq!(&*s, "scratch");
    /// ```
    #[inline]
    pub fn acquire(&self) -> Guard<T, &Self> {
        // SAFETY: `take` hands over an object that no one else owns.
        unsafe { Guard::from_raw(self.take(), self) }
    }

    #[inline]
    fn core(&self) -> &Core<T> {
        match self.existing_core() {
            Some(core) => core,
            None => self.init(),
        }
    }

    #[cold]
    #[inline(never)]
    fn init(&self) -> &Core<T> {
        // The storage is made with `capacity`: nothing left to adopt.
        self.reshape.store(false, Ordering::Relaxed);
        let core = Arc::new(Core::new(self.capacity, stash_count()));
        // Registered first, so a thread that exits right after using the
        // new storage always finds it and hands its cache back.
        registry::register(Arc::clone(&core) as Arc<dyn Storage>);
        match self.core.publish(core) {
            Ok(core) => core,
            Err(Lost { winner, ours }) => {
                registry::unregister(Arc::as_ptr(&ours).cast());
                drop(ours);
                winner
            }
        }
    }

    /// An object the caller now owns: idle or newly built.
    #[inline]
    pub(crate) fn take(&self) -> NonNull<T> {
        self.take_at(self.core(), thread::current())
    }

    /// The slow half of an acquire through a [`LocalCache`]: finds this
    /// thread's cache, remembers it, and acquires through it.
    #[cold]
    #[inline(never)]
    pub(crate) fn take_caching(&'static self, cache: &LocalCache<T>) -> NonNull<T> {
        let core = self.core();
        let slot = thread::current();
        if let Some(slot) = slot {
            cache.fill(core.cache_of(slot));
        }
        self.take_at(core, slot)
    }

    #[inline]
    fn take_at(&self, core: &Core<T>, slot: Option<Slot>) -> NonNull<T> {
        let idle = match slot {
            // SAFETY: `thread::current` is this thread's own slot.
            Some(slot) => unsafe { core.pop(slot) },
            None => core.pop_unowned(),
        };
        match idle {
            Some(object) => object,
            None => self.build_missing(core, slot),
        }
    }

    /// Builds an object because none was idle, and counts the miss once the
    /// constructor returned: one that panics builds and hands out nothing.
    #[cold]
    fn build_missing(&self, core: &Core<T>, slot: Option<Slot>) -> NonNull<T> {
        let object = self.build();
        core.note_miss(slot);
        object
    }

    #[cold]
    fn build(&self) -> NonNull<T> {
        NonNull::from(Box::leak(Box::new((self.make)())))
    }

    /// Resets `object` and makes it idle, or drops it if it is oversized,
    /// its reset panics, or the pool is full.
    ///
    /// # Safety
    ///
    /// `object` comes from [`Pool::take`] on this pool and the caller gives
    /// up its ownership.
    #[inline]
    pub(crate) unsafe fn put(&self, object: NonNull<T>) {
        // SAFETY: the caller owns `object`.
        match unsafe { prepare(object) } {
            // SAFETY: forwarded from the caller.
            Verdict::Keep => unsafe { self.give_back(object) },
            // SAFETY: forwarded from the caller.
            verdict => unsafe { self.not_kept(object, verdict) },
        }
    }

    /// Makes a reset object idle, or drops it if the pool is full.
    ///
    /// # Safety
    ///
    /// As for [`Pool::put`], after `prepare` said to keep it.
    #[inline]
    unsafe fn give_back(&self, object: NonNull<T>) {
        let core = self.core();
        let full = match thread::current() {
            // SAFETY: this thread's own slot; `object` is ours.
            Some(slot) => unsafe { core.push(slot, object) },
            None => core.push_unowned(object),
        };
        if let Err(object) = full {
            // SAFETY: the pool gave the object back to us.
            rethrow(unsafe { self.drop_object(object) });
        }
    }

    /// The slow half of a return through a [`LocalCache`].
    ///
    /// # Safety
    ///
    /// As for [`Pool::give_back`].
    #[cold]
    #[inline(never)]
    pub(crate) unsafe fn give_back_caching(
        &'static self,
        cache: &LocalCache<T>,
        object: NonNull<T>,
    ) {
        if let Some(slot) = thread::current() {
            cache.fill(self.core().cache_of(slot));
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.give_back(object) }
    }

    /// Drops an object that `prepare` said not to keep, and counts why.
    ///
    /// # Safety
    ///
    /// As for [`Pool::put`].
    #[cold]
    #[inline(never)]
    pub(crate) unsafe fn not_kept(&self, object: NonNull<T>, verdict: Verdict) {
        match verdict {
            Verdict::Keep => {
                // SAFETY: forwarded from the caller.
                unsafe { self.give_back(object) }
            }
            Verdict::Oversized => {
                self.core().note(Event::Oversized, 1);
                // SAFETY: the caller gave up the object.
                rethrow(unsafe { self.drop_object(object) });
            }
            Verdict::Panicked(panic) => {
                self.core().note(Event::ResetPanicked, 1);
                // SAFETY: the caller gave up the object. The reset's panic
                // is the one to pass on; the destructor's is counted.
                drop(unsafe { self.drop_object(object) });
                rethrow(Some(panic));
            }
        }
    }

    /// Counts an object that leaves the pool's care by `Guard::detach` or
    /// `Guard::discard`.
    pub(crate) fn note_left(&self, detached: bool) {
        let event = if detached {
            Event::Detached
        } else {
            Event::UserDiscarded
        };
        self.core().note(event, 1);
    }

    /// Drops the objects that stayed idle since the previous `trim`; the
    /// others survive this one (see the type's docs for other threads'
    /// caches). Call it from a timer so that memory held after a burst
    /// drains away while a steady load keeps its objects.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::new();
    /// drop(pool.acquire());
    /// pool.trim();
    /// assert_eq!(pool.stats().idle, 1, "an object survives one trim");
    /// pool.trim();
    /// assert_eq!(pool.stats().idle, 0, "but not two");
    /// ```
    ///
    /// If a destructor panics, the trim still drops every object it should,
    /// then passes the first panic on.
    pub fn trim(&self) {
        if let Some(core) = self.existing_core() {
            // SAFETY: `thread::current` is this thread's own slot.
            rethrow(unsafe { core.trim(thread::current()) });
        }
    }

    /// Drops every idle object now (other threads' private caches: at their
    /// next use of the pool, see the type's docs).
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<String>::new();
    /// pool.prewarm(10);
    /// pool.clear();
    /// assert_eq!(pool.stats().idle, 0);
    /// ```
    ///
    /// If a destructor panics, every other idle object is still dropped,
    /// then the first panic goes on.
    pub fn clear(&self) {
        if let Some(core) = self.existing_core() {
            // SAFETY: `thread::current` is this thread's own slot.
            rethrow(unsafe { core.clear(thread::current()) });
        }
    }

    /// Changes the most idle objects this pool keeps, at once: on a lower
    /// capacity, idle objects beyond it are dropped now in the shared layer
    /// and this thread's cache, and in every other thread's cache at that
    /// thread's next use of the pool (see the type's docs). Works on a pool
    /// in a `static` or shared by an `Arc`, before or after first use.
    ///
    /// If a destructor panics, the rest are still dropped, then the first
    /// panic goes on.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// static LINES: Pool<String> = Pool::new();
    /// let held: Vec<_> = (0..10).map(|_| LINES.acquire()).collect();
    /// drop(held);
    /// assert_eq!(LINES.stats().idle, 10);
    /// LINES.set_capacity(3);
    /// assert_eq!((LINES.capacity(), LINES.stats().idle), (3, 3));
    /// ```
    pub fn set_capacity(&self, capacity: usize) {
        // Made first if need be, so a first use racing this call cannot
        // make the storage with the old capacity after the new one was set.
        let core = self.core();
        // SAFETY: `thread::current` is this thread's own slot.
        rethrow(unsafe { core.set_capacity(capacity, thread::current()) });
    }

    /// Builds up to `n` objects now and makes them idle, never past
    /// `capacity`; returns how many it built. For a server, before its
    /// first requests, so they do not pay for allocation.
    ///
    /// ```
    /// use pool_runtime::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::new().with_capacity(16);
    /// assert_eq!(pool.prewarm(10), 10);
    /// assert_eq!(pool.prewarm(10), 6, "capped by capacity");
    /// assert_eq!(pool.stats().idle, 16);
    /// ```
    pub fn prewarm(&self, n: usize) -> usize {
        let core = self.core();
        // Room first, so nothing is built that the pool cannot keep.
        let room = core.reserve(n);
        let mut built = Vec::with_capacity(room);
        let made = catch_unwind(AssertUnwindSafe(|| {
            for _ in 0..room {
                built.push(NonNull::from(Box::leak(Box::new((self.make)()))));
            }
        }));
        if let Err(panic) = made {
            // Nothing is counted: the objects already built are dropped
            // (their destructors' panics counted) and the room given back.
            core.unreserve(room);
            for object in built {
                // SAFETY: built above and never shared.
                drop(unsafe { self.drop_object(object) });
            }
            resume_unwind(panic);
        }
        core.note(Event::Prewarmed, room as u64);
        core.stock_reserved(built);
        room
    }

    /// Drops an object the pool gave up, counting a panic of its destructor;
    /// returns that panic for the caller to pass on or not.
    ///
    /// # Safety
    ///
    /// `object` comes from `Box::into_raw`/`Box::leak` and nothing else owns it.
    unsafe fn drop_object(&self, object: NonNull<T>) -> Option<Panic> {
        // SAFETY: forwarded from the caller.
        let object = unsafe { Box::from_raw(object.as_ptr()) };
        let panic = catch_unwind(AssertUnwindSafe(move || drop(object))).err();
        if panic.is_some() {
            self.core().note(Event::DropPanicked, 1);
        }
        panic
    }
}

/// What to do with a returned object.
pub(crate) enum Verdict {
    Keep,
    Oversized,
    Panicked(Box<dyn Any + Send>),
}

/// Asks whether a returned object is oversized and resets it: user code,
/// whose panic must neither lose track of the object nor abort the process
/// when the thread is already unwinding.
///
/// # Safety
///
/// The caller owns `object`.
#[inline(always)]
pub(crate) unsafe fn prepare<T: Reset>(object: NonNull<T>) -> Verdict {
    // SAFETY: the caller owns `object` exclusively.
    let value = unsafe { &mut *object.as_ptr() };
    let keep = catch_unwind(AssertUnwindSafe(|| {
        if value.is_oversized() {
            return false;
        }
        value.reset();
        true
    }));
    match keep {
        Ok(true) => Verdict::Keep,
        Ok(false) => Verdict::Oversized,
        Err(panic) => Verdict::Panicked(panic),
    }
}

fn stash_count() -> usize {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    match COUNT.load(Ordering::Relaxed) {
        0 => {
            // One stash per core keeps batch transfers from contending.
            let n = std::thread::available_parallelism()
                .map_or(4, |n| n.get())
                .clamp(1, 16);
            COUNT.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

impl<T: Send + 'static> Storage for Core<T> {
    fn release_slot(&self, slot: Slot) {
        // SAFETY: called by the exiting thread for its own slot, which it
        // no longer uses.
        unsafe { Core::release_slot(self, slot) };
    }

    fn trim(&self) -> Option<Panic> {
        // SAFETY: `thread::current` is the calling thread's own slot.
        unsafe { Core::trim(self, thread::current()) }
    }
}

impl<T> Drop for Pool<T> {
    fn drop(&mut self) {
        if let Some(core) = self.core.take() {
            registry::unregister(Arc::as_ptr(&core).cast());
            drop(core);
        }
    }
}

/// A pool in a `static`, as `#[derive(Pooled)]` declares it.
///
/// `Sync` for every `T`, so that a non-`Send` type's `static` is not an
/// error of its own: the derive reports the non-`Send` field instead, once.
/// The pool inside is reachable only through [`StaticPool::get`], which
/// requires `T: Send`.
#[doc(hidden)]
#[derive(Debug)]
pub struct StaticPool<T>(Pool<T>);

// SAFETY: the only access to the inner pool is `get`, which requires
// `T: Send`, the condition under which `Pool<T>` is itself `Sync`. Without
// it, the value is inert: nothing can reach the pool from any thread.
unsafe impl<T> Sync for StaticPool<T> {}

impl<T> StaticPool<T> {
    /// Wraps a pool for a `static`.
    pub const fn new(pool: Pool<T>) -> Self {
        Self(pool)
    }

    /// The pool.
    #[inline]
    pub fn get(&'static self) -> &'static Pool<T>
    where
        T: Send,
    {
        &self.0
    }
}

impl<T: Default> Default for Pool<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for Pool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("type", &std::any::type_name::<T>())
            .field("capacity", &self.capacity())
            .field("stats", &self.stats())
            .finish()
    }
}

/// What a pool has done, from [`Pool::stats`].
///
/// Every object a pool built ends up in exactly one place, so at any moment
/// `built == idle + (in use) + discarded + detached + trimmed`, where the
/// objects in use are `acquired - returned - discarded - detached`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Stats {
    /// Guards handed out.
    pub acquired: u64,
    /// Acquires served by an idle object (hits).
    pub reused: u64,
    /// Objects built: acquires that found nothing idle (misses), and
    /// [`Pool::prewarm`].
    pub built: u64,
    /// Dropped guards whose object went back idle.
    pub returned: u64,
    /// Objects dropped instead of kept: the sum of the next four.
    pub discarded: u64,
    /// Dropped on return because `capacity` objects were already idle.
    pub over_capacity: u64,
    /// Dropped on return because [`Reset::is_oversized`] said so.
    pub oversized: u64,
    /// Dropped on return because their reset panicked.
    pub reset_panicked: u64,
    /// Dropped by [`Guard::discard`].
    pub user_discarded: u64,
    /// Taken out of the pool's care by [`Guard::detach`].
    pub detached: u64,
    /// Idle objects dropped by [`Pool::trim`], [`Pool::clear`] or a lowered
    /// capacity.
    pub trimmed: u64,
    /// Destructors of objects the pool dropped that panicked (the objects
    /// are counted where they went: trimmed, over capacity, ...). Where a
    /// panic cannot go on (a thread's exit, an acquire or return that only
    /// caught up with a trim), this is where it shows.
    pub drop_panicked: u64,
    /// Idle objects now, in every thread's cache and the shared layer.
    pub idle: usize,
}

impl Stats {
    /// What happened between `earlier` and `self`: every counter's
    /// difference, and `idle` as it is now.
    ///
    /// ```
    /// let pool = pool_runtime::Pool::<String>::new();
    /// drop(pool.acquire());
    /// let before = pool.stats();
    /// drop(pool.acquire());
    /// let step = pool.stats().since(&before);
    /// assert_eq!((step.acquired, step.reused, step.built, step.idle), (1, 1, 0, 1));
    /// ```
    pub fn since(&self, earlier: &Stats) -> Stats {
        Stats {
            acquired: self.acquired.saturating_sub(earlier.acquired),
            reused: self.reused.saturating_sub(earlier.reused),
            built: self.built.saturating_sub(earlier.built),
            returned: self.returned.saturating_sub(earlier.returned),
            discarded: self.discarded.saturating_sub(earlier.discarded),
            over_capacity: self.over_capacity.saturating_sub(earlier.over_capacity),
            oversized: self.oversized.saturating_sub(earlier.oversized),
            reset_panicked: self.reset_panicked.saturating_sub(earlier.reset_panicked),
            user_discarded: self.user_discarded.saturating_sub(earlier.user_discarded),
            detached: self.detached.saturating_sub(earlier.detached),
            trimmed: self.trimmed.saturating_sub(earlier.trimmed),
            drop_panicked: self.drop_panicked.saturating_sub(earlier.drop_panicked),
            idle: self.idle,
        }
    }

    /// The share of acquires served by an idle object, from 0 to 1 (1 when
    /// nothing was acquired yet).
    ///
    /// ```
    /// let pool = pool_runtime::Pool::<String>::new();
    /// for _ in 0..4 {
    ///     drop(pool.acquire());
    /// }
    /// assert_eq!(pool.stats().hit_rate(), 0.75);
    /// ```
    pub fn hit_rate(&self) -> f64 {
        if self.acquired == 0 {
            1.0
        } else {
            self.reused as f64 / self.acquired as f64
        }
    }
}
