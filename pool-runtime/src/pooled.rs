//! `Pooled`: a type with its own shared pool, and where that pool lives: a
//! `static` ([`StaticPool`]) for a derived type, the registry
//! ([`typed_pool`]) for a generic one and the standard containers.

use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::ptr::NonNull;
use std::thread::LocalKey;

use crate::guard::{Guard, PoolRef, TypePool, sealed};
use crate::local::{self, LocalBuffers, LocalCache, LocalClasses};
use crate::pool::{MIN_SHIFT, Sizes, grow};
use crate::registry::TypeTable;
use crate::{Buffer, Capacity, Pool, Reset};

/// A type with its own shared, per-type pool, so `Type::acquire()` works
/// anywhere the trait is in scope.
///
/// `#[derive(Pooled)]` (in the `repool` facade) implements it with a
/// `static` pool per type. The runtime implements it for the standard
/// containers, each concrete type with its own pool: `Vec::<u8>::acquire()`
/// and `Vec::<u32>::acquire()` never share objects.
///
/// # Example
///
/// By hand, which is what the derive writes for you:
///
/// ```
/// use repool::{Pool, Pooled, Reset};
///
/// #[derive(Default)]
/// struct Frame {
///     payload: Vec<u8>,
/// }
///
/// impl Reset for Frame {
///     fn reset(&mut self) {
///         self.payload.clear();
///     }
/// }
///
/// impl Pooled for Frame {
///     fn pool() -> &'static Pool<Self> {
///         static POOL: Pool<Frame> = Pool::new().with_capacity(256);
///         &POOL
///     }
/// }
///
/// let mut frame = Frame::acquire();
/// frame.payload.extend_from_slice(b"\x01\x02");
/// drop(frame);
/// assert_eq!(Frame::pool().stats().returned, 1);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no pool of its own",
    label = "`{Self}` does not implement `Pooled`",
    note = "add `#[derive(Pooled)]` to the type, or use an ordinary `Pool<{Self}>` value"
)]
pub trait Pooled: Reset + Send + Sized + 'static {
    /// This type's shared pool.
    fn pool() -> &'static Pool<Self>;

    /// Takes an object from this type's pool (or builds one); the guard
    /// returns it when dropped.
    #[inline]
    fn acquire() -> Guard<Self> {
        let pool = Self::pool();
        let object = match (Self::__local_classes(), Self::__local_cache()) {
            (Some(local), _) => local::take_any_local(pool, local),
            (None, Some(key)) => local::take(key, pool),
            (None, None) => pool.take(),
        };
        // SAFETY: the object comes from `Self::pool()`, which is the pool
        // `TypePool` returns it to.
        unsafe { Guard::from_raw(object, TypePool) }
    }

    /// An idle object from this type's pool in a guard, or `None` if none
    /// is idle: never builds, for code that must not allocate. The same
    /// search as [`Pool::try_acquire`], through the type's thread-local
    /// cache first.
    ///
    /// ```
    /// use repool::{Pool, Pooled, Reset};
    ///
    /// #[derive(Default)]
    /// struct Sample(Vec<f32>);
    /// impl Reset for Sample {
    ///     fn reset(&mut self) {
    ///         self.0.clear();
    ///     }
    /// }
    /// impl Pooled for Sample {
    ///     fn pool() -> &'static Pool<Self> {
    ///         static POOL: Pool<Sample> = Pool::new();
    ///         &POOL
    ///     }
    /// }
    ///
    /// assert!(Sample::try_acquire().is_none());
    /// Sample::pool().prewarm(4);
    /// let sample = Sample::try_acquire().expect("a prewarmed one");
    /// assert_eq!(Sample::pool().stats().built, 4);
    /// # drop(sample);
    /// ```
    #[inline]
    fn try_acquire() -> Option<Guard<Self>> {
        let pool = Self::pool();
        let object = match Self::__local_cache() {
            Some(key) => local::try_take(key, pool),
            None => pool.try_take(),
        }?;
        // SAFETY: as in `acquire`.
        Some(unsafe { Guard::from_raw(object, TypePool) })
    }

    /// Takes a buffer with room for at least `n` elements from this type's
    /// pool, a buffer pool for the standard buffers: from the size class
    /// whose every buffer holds `n`, else a new one of that class's
    /// smallest capacity (see [`Pool::buffers`]). The guard returns it to
    /// the class of its capacity then, so one that grew moves up.
    ///
    /// ```
    /// use repool::Pooled;
    ///
    /// let mut body = Vec::<u8>::acquire_with_capacity(1500);
    /// assert!(body.capacity() >= 1500);
    /// body.extend_from_slice(b"GET / HTTP/1.1\r\n");
    /// drop(body);
    ///
    /// let line = String::acquire_with_capacity(80);
    /// assert!(line.capacity() >= 80);
    /// ```
    #[inline]
    fn acquire_with_capacity(n: usize) -> Guard<Self>
    where
        Self: Buffer,
    {
        let pool = Self::pool();
        // Whether every buffer of the class served holds `n` already: true
        // of every class but 0 (which also holds buffers below 64 bytes),
        // and known only on the thread-local path. Skipping the check saves
        // a load on the way.
        let (object, fits) = match (Self::__local_classes(), pool.sizes()) {
            (Some(local), _) => (
                local::take_local(pool, local, n),
                n.saturating_mul(local.1.element_bytes) > 1 << MIN_SHIFT,
            ),
            (None, Some(sizes)) => (pool.take_sized(sizes, n), false),
            // A `Pooled` buffer whose pool is not a buffer pool: one pool.
            (None, None) => (pool.take(), false),
        };
        // SAFETY: the object comes from `Self::pool()`, which `TypePool`
        // returns it to.
        let mut guard = unsafe { Guard::from_raw(object, TypePool) };
        if !fits && Capacity::capacity(&*guard) < n {
            grow(pool, &mut guard, n);
        }
        guard
    }

    /// Not public API: the thread-local caches, one per size class, of a
    /// buffer type's own pool (`Vec<u8>`, `String` and other common ones),
    /// so its acquire and release skip the pool lookup.
    #[doc(hidden)]
    #[inline(always)]
    fn __local_classes() -> LocalBuffers<Self> {
        None
    }

    /// Not public API: a thread-local that remembers the calling thread's
    /// cache in `Self::pool()`, which `#[derive(Pooled)]` declares for
    /// non-generic types so acquire and release skip the pool lookup.
    #[doc(hidden)]
    #[inline(always)]
    fn __local_cache() -> Option<&'static LocalKey<LocalCache<Self>>> {
        None
    }
}

impl sealed::Sealed for TypePool {}

impl<T: Pooled> PoolRef<T> for TypePool {
    #[inline(always)]
    unsafe fn __put(&self, object: NonNull<T>) {
        if let Some(local) = T::__local_classes() {
            // SAFETY: forwarded from the caller.
            return unsafe { local::put_local(T::pool(), local, object) };
        }
        match T::__local_cache() {
            // SAFETY: forwarded from the caller; `T::pool()` is the pool
            // `key` serves.
            Some(key) => unsafe { local::put(key, T::pool(), object) },
            // SAFETY: forwarded from the caller.
            None => unsafe { T::pool().put(object) },
        }
    }

    fn __left(&self, object: &T, detached: bool) {
        T::pool().note_left(object, detached);
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

/// The per-type pools of generic types: `TypeId::of::<T>()` to a leaked
/// `Pool<T>`.
#[cfg(not(all(test, repool_loom)))]
static TYPES: TypeTable = TypeTable::new();

// Loom's atomics cannot be built in a `const`; no loom model goes through
// `typed_pool` (they build tables of their own), this only keeps it compiling.
#[cfg(all(test, repool_loom))]
loom::lazy_static! {
    static ref TYPES: TypeTable = TypeTable::new();
}

/// The pool of `T` in the registry, created by `init` on first use. Lookups
/// after the first are a hash probe with no lock and no write.
#[inline]
pub fn typed_pool<T: Reset + Send + 'static>(init: fn() -> Pool<T>) -> &'static Pool<T> {
    match TYPES.get(TypeId::of::<T>()) {
        // SAFETY: the value for `TypeId::of::<T>()` is always a leaked
        // `Pool<T>` (see `insert_pool`).
        Some(pool) => unsafe { &*pool.cast::<Pool<T>>() },
        None => insert_pool(init),
    }
}

#[cold]
#[inline(never)]
fn insert_pool<T: Reset + Send + 'static>(init: fn() -> Pool<T>) -> &'static Pool<T> {
    // `init` is user code (a derive's `capacity` expression), which may
    // itself use a registry pool for the first time: it runs before the
    // table is locked, so that nested insert does not deadlock.
    let ours: *mut Pool<T> = Box::into_raw(Box::new(init()));
    match TYPES.insert(TypeId::of::<T>(), ours.cast_const().cast()) {
        // SAFETY: `ours` is leaked into the table for good.
        Ok(()) => unsafe { &*ours },
        Err(theirs) => {
            // Another thread's pool won the race. Ours is dropped only now
            // that the table's lock is released: if `init` used it, dropping
            // it runs destructors of its idle objects, user code too.
            // SAFETY: `ours` came from `Box::into_raw` above and was never
            // published.
            drop(unsafe { Box::from_raw(ours) });
            // SAFETY: as in `typed_pool`.
            unsafe { &*theirs.cast::<Pool<T>>() }
        }
    }
}

macro_rules! registry_pools {
    ($({$($gen:tt)*} $ty:ty;)*) => {$(
        impl<$($gen)*> Pooled for $ty {
            #[inline]
            fn pool() -> &'static Pool<Self> {
                typed_pool::<Self>(Pool::new)
            }
        }
    )*};
}

/// The buffer types: a buffer pool each. The common element types get a
/// `static` pool and thread-local caches (found by comparing `TypeId`s,
/// which the compiler folds), the rest a pool in the registry.
macro_rules! buffer_pools {
    ($({$($gen:tt)*} $buffer:ident<$elem:ident>: [$($fast:ty),*];)*) => {$(
        impl<$($gen)*> Pooled for $buffer<$elem> {
            #[inline]
            fn pool() -> &'static Pool<Self> {
                $(
                    if TypeId::of::<$elem>() == TypeId::of::<$fast>() {
                        static POOL: Pool<$buffer<$fast>> = Pool::buffers();
                        // SAFETY: `$elem` is `$fast` (their `TypeId`s are
                        // equal), so this is the same type.
                        return unsafe { &*(&raw const POOL).cast::<Pool<Self>>() };
                    }
                )*
                typed_pool::<Self>(Pool::buffers)
            }

            #[inline(always)]
            fn __local_classes() -> LocalBuffers<Self> {
                $(
                    if TypeId::of::<$elem>() == TypeId::of::<$fast>() {
                        thread_local! {
                            static CACHES: LocalClasses<$buffer<$fast>> =
                                const { LocalClasses::new() };
                        }
                        let key: &'static LocalKey<LocalClasses<$buffer<$fast>>> = &CACHES;
                        // SAFETY: as in `pool`: the same type.
                        let key = unsafe { &*std::ptr::from_ref(key).cast() };
                        // A constant, so the compiler calls its functions
                        // directly (a pool's own copy is behind atomics).
                        return Some((key, &const { Sizes::<Self>::of() }));
                    }
                )*
                None
            }
        }
    )*};
}

buffer_pools! {
    {T: Send + 'static} Vec<T>: [u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, usize, char];
    {T: Send + 'static} VecDeque<T>: [u8];
    {T: Ord + Send + 'static} BinaryHeap<T>: [];
}

impl Pooled for String {
    #[inline]
    fn pool() -> &'static Pool<Self> {
        static POOL: Pool<String> = Pool::buffers();
        &POOL
    }

    #[inline(always)]
    fn __local_classes() -> LocalBuffers<Self> {
        thread_local! {
            static CACHES: LocalClasses<String> = const { LocalClasses::new() };
        }
        Some((&CACHES, &const { Sizes::<Self>::of() }))
    }
}

registry_pools! {
    {K: Send + Eq + Hash + 'static, V: Send + 'static, S: Send + Default + BuildHasher + 'static} HashMap<K, V, S>;
    {T: Send + Eq + Hash + 'static, S: Send + Default + BuildHasher + 'static} HashSet<T, S>;
    {K: Send + Ord + 'static, V: Send + 'static} BTreeMap<K, V>;
    {T: Send + Ord + 'static} BTreeSet<T>;
}
