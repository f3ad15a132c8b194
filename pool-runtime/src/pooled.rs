//! `Pooled`: a type with its own shared pool.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};

use std::thread::LocalKey;

use crate::guard::{Guard, TypePool};
use crate::local::{self, LocalCache};
use crate::registry::typed_pool;
use crate::{Pool, Reset};

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
/// use pool_runtime::{Pool, Pooled, Reset};
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
        let object = match Self::__local_cache() {
            Some(key) => local::take(key),
            None => Self::pool().take(),
        };
        // SAFETY: the object comes from `Self::pool()`, which is the pool
        // `TypePool` returns it to.
        unsafe { Guard::from_raw(object, TypePool) }
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

registry_pools! {
    {T: Send + 'static} Vec<T>;
    {} String;
    {T: Send + 'static} VecDeque<T>;
    {K: Send + Eq + Hash + 'static, V: Send + 'static, S: Send + Default + BuildHasher + 'static} HashMap<K, V, S>;
    {T: Send + Eq + Hash + 'static, S: Send + Default + BuildHasher + 'static} HashSet<T, S>;
    {K: Send + Ord + 'static, V: Send + 'static} BTreeMap<K, V>;
    {T: Send + Ord + 'static} BTreeSet<T>;
    {T: Send + Ord + 'static} BinaryHeap<T>;
}
