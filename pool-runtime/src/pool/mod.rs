//! `Pool<T>`: the bounded, thread-safe pool, usable in a `static`.

mod buffers;
pub(crate) mod classes;
mod owned;
mod table;
mod take;
mod upkeep;

use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::core::{Core, Counts, stash_count};
use crate::guard::{Guard, PoolRef, sealed};
use crate::lazy::{Lost, OnceArc};
use crate::registry::{self, Listing, Storage};
use crate::{Reset, Stats, thread};

pub(crate) use self::buffers::grow;
use self::classes::Config;
pub(crate) use self::classes::{CLASSES, MIN_SHIFT, ceiling, class_floor, class_for, class_of};
pub use self::classes::{DEFAULT_MAX_BUFFER_BYTES, DEFAULT_MAX_IDLE_BYTES, Sizes};
pub use self::table::ClassStats;
use self::table::ClassTable;

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
///   finds that cache (a thread-local load, then the pool's table of caches;
///   for a `#[derive(Pooled)]` type, one thread-local load) and does a few
///   plain loads and stores, with no atomic read-modify-write and no cache
///   line shared with another thread.
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
/// use repool::Pool;
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
/// So a thread that parks keeps what its cache held, until it wakes:
///
/// * **per thread and pool** (per size class, for a buffer pool): at most
///   32 objects, and about 8 in practice, because a cache that sees no
///   reuse between its overflows keeps its limit at 8. In
///   `tests/parked_threads.rs`, 64 threads that each cycled 32 objects of
///   a 4 KiB body and parked pinned 487 objects after two trims: 7.6 and
///   30 KiB per thread, 1.9 MiB in all;
/// * **in all**: never more than `capacity` objects (a buffer pool: its
///   byte budget, [`max_idle_bytes`](Pool::max_idle_bytes)), since idle
///   objects in a cache hold units of the same budget; and caches reserve
///   units only while at least half of them stay free;
/// * **when it wakes**: its first operation on the pool catches up with the
///   trims it missed and drops what they would have, so the next trims
///   leave it at most the object it just returned (64 for the 64 threads
///   above).
///
/// Reaching a parked thread's cache from the trimming thread would need
/// the owner and the trimmer to agree on who may touch it, which costs the
/// fast path a fence or an atomic read-modify-write; an asymmetric barrier
/// (Linux `membarrier(2)`) could make the owner's side plain stores, but
/// that is not built: a pool that must drain parked threads can set a
/// smaller `capacity`.
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
    make: Make<T>,
    /// The capacity the storage is made with; once it exists, its own
    /// capacity is the one that counts.
    capacity: usize,
    /// `with_capacity` ran, perhaps on a pool already in use (it takes the
    /// pool by value, so no guard was alive): the storage adopts
    /// `capacity` at the next operation.
    reshape: AtomicBool,
    /// `Some` for a buffer pool ([`Pool::buffers`]), which keeps one core
    /// per size class in `classes` and leaves `core` unused.
    pub(crate) sizes: Option<Sizes<T>>,
    pub(crate) classes: OnceArc<ClassTable<T>>,
    /// The run-time settings: a buffer pool's classes read all of them, any
    /// other pool only `max_capacity`.
    pub(crate) config: Config,
    /// The name [`repool::pools`](crate::pools) lists it under, if not its
    /// type's.
    name: Option<&'static str>,
    /// A pool owns `T`s and sends them between threads: its `Send`/`Sync`
    /// impls below depend on `T: Send`, not on the auto traits of its fields.
    _owns: PhantomData<*const T>,
}

/// How a pool builds an object.
enum Make<T> {
    /// A plain function, which a `const` constructor can take.
    Fn(fn() -> T),
    /// A closure, `Send + Sync` because any thread that uses the pool may
    /// build with it.
    Closure(Box<dyn Fn() -> T + Send + Sync>),
}

impl<T> Make<T> {
    fn call(&self) -> T {
        match self {
            Make::Fn(make) => make(),
            Make::Closure(make) => make(),
        }
    }
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
    /// static NAMES: repool::Pool<String> = repool::Pool::new();
    /// assert_eq!(NAMES.capacity(), repool::DEFAULT_CAPACITY);
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
    /// use repool::Pool;
    ///
    /// fn page() -> Vec<u8> {
    ///     Vec::with_capacity(4096)
    /// }
    /// static PAGES: Pool<Vec<u8>> = Pool::from_fn(page);
    /// assert!(PAGES.acquire().capacity() >= 4096);
    /// ```
    pub const fn from_fn(make: fn() -> T) -> Self {
        Self::with_make(Make::Fn(make))
    }

    /// A pool that builds objects with a closure, which may capture
    /// configuration known only at run time. Not `const` (the closure is
    /// boxed): for a pool made at start-up and shared by an `Arc` or a
    /// reference, where [`Pool::from_fn`] serves a `static`.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use repool::Pool;
    ///
    /// let page_size = 16 << 10; // from a config file, say
    /// let pages = Arc::new(Pool::from_closure(move || Vec::<u8>::with_capacity(page_size)));
    /// assert!(pages.acquire_owned().capacity() >= page_size);
    /// ```
    pub fn from_closure(make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self::with_make(Make::Closure(Box::new(make)))
    }

    const fn with_make(make: Make<T>) -> Self {
        Self {
            core: OnceArc::new(),
            make,
            capacity: DEFAULT_CAPACITY,
            reshape: AtomicBool::new(false),
            sizes: None,
            classes: OnceArc::new(),
            config: Config::new(None, DEFAULT_CAPACITY),
            name: None,
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
    /// use repool::Pool;
    ///
    /// static SMALL: Pool<String> = Pool::new().with_capacity(8);
    /// assert_eq!(SMALL.capacity(), 8);
    /// ```
    pub const fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self.reshape = AtomicBool::new(true);
        self.config.objects = AtomicUsize::new(capacity);
        self
    }

    /// The same pool, listed by [`pools`](crate::pools) (and labelled in
    /// metrics) as `name` instead of its type's name: for two pools of one
    /// type, or a shorter label.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// static REQUESTS: Pool<Vec<u8>> = Pool::buffers().with_name("requests").with_capacity(64);
    /// assert_eq!(REQUESTS.name(), "requests");
    /// ```
    pub const fn with_name(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// The name this pool is listed under by [`pools`](crate::pools): the
    /// one given to [`with_name`](Pool::with_name), else its type's
    /// ([`std::any::type_name`]).
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// assert_eq!(Pool::<String>::new().name(), "alloc::string::String");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name.unwrap_or(std::any::type_name::<T>())
    }

    /// What the registry lists this pool's storage as (one class of it for
    /// a buffer pool, see `pool/table.rs`).
    pub(crate) fn listing(&self) -> Listing {
        Listing {
            name: self.name(),
            class: None,
        }
    }

    /// The most idle objects this pool keeps.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// let pool = Pool::<String>::new();
    /// pool.set_capacity(4);
    /// assert_eq!(pool.capacity(), 4);
    /// ```
    pub fn capacity(&self) -> usize {
        if self.sizes.is_some() {
            return self.config.objects.load(Ordering::Relaxed);
        }
        match self.existing_core() {
            Some(core) => core.capacity(),
            None => self.capacity,
        }
    }

    /// The storage if it was made already.
    #[inline]
    pub(crate) fn existing_core(&self) -> Option<&Core<T>> {
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
    /// use repool::Pool;
    ///
    /// let pool: Pool<Vec<u8>> = Pool::new();
    /// drop(pool.acquire());
    /// drop(pool.acquire());
    /// let stats = pool.stats();
    /// assert_eq!((stats.acquired, stats.built, stats.reused, stats.idle), (2, 1, 1, 1));
    /// ```
    pub fn stats(&self) -> Stats {
        if self.sizes.is_some() {
            let mut total = Stats::default();
            self.for_each_class(|k, core| total.add(&self.class_stats_of(k, core)));
            return total;
        }
        match self.existing_core() {
            Some(core) => stats_of(core.counts()),
            None => Stats::default(),
        }
    }
}

/// What `Pool::stats` reports for one core's counts.
pub(crate) fn stats_of(c: Counts) -> Stats {
    {
        let mut stats = Stats {
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
            idle_bytes: 0,
            in_use: 0,
        };
        stats.in_use = stats.out_now();
        stats
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// Takes an idle object, or builds one, and wraps it in a guard that
    /// returns it here when dropped.
    ///
    /// ```
    /// use repool::Pool;
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

    /// An idle object in a guard, or `None` if none is idle: never builds,
    /// for code that must not allocate (a real-time loop, an allocator's
    /// own bookkeeping). It looks in this thread's cache, then the shared
    /// layer; an idle object in another thread's private cache is not
    /// reached. A `None` is not counted in [`stats`](Pool::stats), and a
    /// pool never used stays without storage. For a buffer pool, the
    /// smallest buffer found.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// static FRAMES: Pool<Vec<u8>> = Pool::new();
    /// assert!(FRAMES.try_acquire().is_none(), "nothing idle yet");
    /// FRAMES.prewarm(1);
    /// let frame = FRAMES.try_acquire().expect("the prewarmed one");
    /// assert_eq!(FRAMES.stats().built, 1);
    /// # drop(frame);
    /// ```
    #[inline]
    pub fn try_acquire(&self) -> Option<Guard<T, &Self>> {
        let object = self.try_take()?;
        // SAFETY: as in `acquire`.
        Some(unsafe { Guard::from_raw(object, self) })
    }

    /// The storage, made on first use.
    #[inline]
    pub(crate) fn core(&self) -> &Core<T> {
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
        registry::register(Arc::clone(&core) as Arc<dyn Storage>, self.listing());
        match self.core.publish(core) {
            Ok(core) => core,
            Err(Lost { winner, ours }) => {
                registry::unregister(Arc::as_ptr(&ours).cast());
                drop(ours);
                winner
            }
        }
    }
}

impl<T> sealed::Sealed for &Pool<T> {}

impl<T: Reset + Send + 'static> PoolRef<T> for &Pool<T> {
    #[inline]
    unsafe fn __put(&self, object: NonNull<T>) {
        // SAFETY: forwarded from the caller.
        unsafe { Pool::put(self, object) }
    }

    fn __left(&self, object: &T, detached: bool) {
        self.note_left(object, detached);
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

impl<T: Default> Default for Pool<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for Pool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("type", &std::any::type_name::<T>())
            .field("name", &self.name())
            .field("capacity", &self.capacity())
            .field("stats", &self.stats())
            .finish()
    }
}
