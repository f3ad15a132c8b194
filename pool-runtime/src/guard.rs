//! `Guard<T>`: the RAII handle to a pooled object.

use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Exclusive access to a pooled object; dropping it resets the object and
/// returns it to its pool, from whichever thread drops it.
///
/// `Guard<T>` (the default `P`) is the guard of a [`Pooled`](crate::Pooled)
/// type, one pointer wide: its pool is found from the type.
/// `Guard<T, &Pool<T>>` is the guard of an ordinary [`Pool`](crate::Pool)
/// value, two pointers wide, borrowing the pool.
///
/// The guard dereferences to `T`. Because the object goes back to the pool
/// when the guard drops, the borrow checker refuses to let any reference
/// into it outlive the guard, which is the use-after-`Put` bug that Go's
/// `sync.Pool` leaves to discipline.
///
/// `Guard` is `Send` exactly when `T` is and `Sync` exactly when `T` is, and
/// is not `Clone`. A guard dropped during a panic still resets and returns
/// its object; if the reset itself panics, the object is dropped instead
/// (counted in [`Stats::reset_panicked`](crate::Stats::reset_panicked)) and
/// the process does not abort.
///
/// # Example
///
/// ```
/// use repool::{Guard, Pooled};
///
/// let mut line: Guard<String> = String::acquire();
/// line.push_str("GET /index.html");
/// assert!(line.starts_with("GET"));
/// assert_eq!(size_of::<Guard<String>>(), size_of::<usize>());
/// // `line` drops here: cleared, capacity kept, back in `String`'s pool.
/// ```
///
/// # I/O and `bytes`
///
/// Beyond `Deref`, a guard implements what its object implements among
/// `io::Write`, `io::Read`, `io::BufRead` and `fmt::Write`, and the views
/// `AsRef<[u8]>`, `AsMut<[u8]>`, `AsRef<str>`, `AsMut<str>`, `Borrow<[u8]>`,
/// `BorrowMut<[u8]>`, `Borrow<str>` and `BorrowMut<str>`, each forwarding to
/// the object's own impl. So `write!(guard, ..)` works, and `&mut guard`
/// goes wherever a writer or reader goes (`serde_json::to_writer(&mut
/// guard, ..)`, a `fn sink<W: Write>(w: W)`).
///
/// `AsRef<[u8]>` is all `bytes::Bytes::from_owner` asks of a `Send +
/// 'static` owner, so a byte guard becomes a `Bytes` with no copy, with no
/// feature needed: the object goes back to its pool, reset, when the last
/// clone of the `Bytes` drops, on whichever thread. With the `bytes`
/// feature, a guard of a `bytes::BufMut` (a `Vec<u8>`) is a `BufMut`
/// itself, so tokio's `read_buf(&mut guard)` fills it, and
/// `Guard::into_bytes(guard)` or `Bytes::from(guard)` spell the hand-off.
///
/// ```
/// use std::io::Write;
///
/// use repool::Pool;
///
/// static BODIES: Pool<Vec<u8>> = Pool::new();
///
/// let mut body = BODIES.acquire();
/// write!(body, "{{\"id\":{}}}", 7)?;
/// let bytes = bytes::Bytes::from_owner(body); // no copy
/// let clone = bytes.clone();
/// drop(bytes);
/// assert_eq!(BODIES.stats().returned, 0); // `clone` still shares the buffer
/// std::thread::spawn(move || assert_eq!(clone, "{\"id\":7}")).join().unwrap();
/// assert_eq!(BODIES.stats().returned, 1); // the last clone dropped: back
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Comparison, hashing and collections
///
/// Where `T` has them, a guard has `Eq`, `Ord` and `Hash` (exactly `T`'s,
/// so `Borrow`'s rule holds), `Borrow<T>` and `BorrowMut<T>`, `Extend<A>`
/// for every `A` that `T` extends with, and `IntoIterator` for `&Guard` and
/// `&mut Guard`. So a guard is a `HashMap` or `BTreeMap` key looked up by
/// `&T` (and by `&str` or `&[u8]` for a text or byte guard), sorts in a
/// `Vec`, and goes into `assert_eq!` on either side.
///
/// Equality and order exist against exactly these right-hand sides (a
/// blanket `PartialEq<U>` would overlap guard-to-guard equality, without
/// which there is no `Eq`, so std's own way is followed: each spelled out):
///
/// | `guard == x` and `guard < x`, for `x` of type | when |
/// |---|---|
/// | `Guard<T, Q>`, from any pool | `T: PartialEq` (`PartialOrd` for `<`) |
/// | `T` | `T: PartialEq` (`PartialOrd` for `<`) |
///
/// | `guard == x` only, for `x` of type | when |
/// |---|---|
/// | `str`, `[U]` | `T: PartialEq<str>`, `T: PartialEq<[U]>` |
/// | `&str`, `Cow<str>` | `T` is `String` |
/// | `&[V]`, `&mut [V]`, `[V; N]`, `&[V; N]` | `T` is `Vec<U>` or `VecDeque<U>`, `U: PartialEq<V>` |
/// | `Vec<V>` | `T` is `VecDeque<U>`, `U: PartialEq<V>` |
///
/// | `x == guard`, for `x` of type | when |
/// |---|---|
/// | `str`, `&str`, `String`, `Cow<B>`, `[U]`, `&[U]`, `&mut [U]`, `Vec<U>`, `VecDeque<U>` | `x`'s type: `PartialEq<T>` |
///
/// For any other pair, compare the objects: `*guard == other`.
///
/// Clippy's `mutable_key_type` flags a map keyed by `Guard<T, &Pool<T>>`:
/// it sees the pool's atomics through the reference. The key's `Hash`,
/// `Eq` and `Ord` read only `T`, so allow the lint there, or list
/// `repool::Pool` under `ignore-interior-mutability` in `clippy.toml`.
///
/// ```
/// use std::collections::HashMap;
///
/// use repool::{Pool, Pooled};
///
/// let mut method = String::acquire();
/// method.push_str("GET");
/// assert_eq!(method, "GET");
/// assert_eq!("GET", method);
/// assert!(method != "");
///
/// let mut body = Vec::<u8>::acquire();
/// body.extend(b"ok");
/// assert_eq!(body, b"ok");
/// assert_eq!(body, vec![b'o', b'k']);
/// assert_eq!(vec![b'o', b'k'], body);
///
/// let pool = Pool::<String>::new();
/// let mut key = pool.acquire(); // a guard of a `Pool` value: the same traits
/// key.push_str("id");
/// let mut routes = HashMap::new();
/// routes.insert(key, 7);
/// assert_eq!(routes.get("id"), Some(&7));
/// assert_eq!(routes.get(&String::from("id")), Some(&7));
/// ```
///
/// # serde
///
/// With the `serde` feature, a guard of a `Serialize` type is `Serialize`,
/// and `Guard<T>` of a `Pooled + Deserialize` type is `Deserialize`: it
/// acquires from `T`'s pool and fills the object in place
/// (`T::deserialize_in_place`), so parsing into a pooled object reuses its
/// buffers. `pool.seed()`, a `PoolSeed`, does the same for a guard of a
/// `Pool` value, as serde's `DeserializeSeed`.
///
/// # One guard in signatures
///
/// `Guard<T>` is `Guard<T, TypePool>`, so a `fn(&mut Guard<Vec<u8>>)` takes
/// only guards of a `Pooled` type and refuses a `Pool`'s. A function that
/// only uses the object takes `&T` or `&mut T` instead: `&guard` and `&mut
/// guard` coerce to it through `Deref`, whichever pool the guard is from,
/// and a plain `T` is accepted too. A function that keeps or returns the
/// guard is generic over its pool, `P: PoolRef<T>`. Every trait a guard
/// implements is implemented for every `P`, so both kinds behave alike
/// (only `Deserialize` needs `TypePool`; a `Pool`'s guard has `pool.seed()`).
///
/// ```
/// use repool::{Guard, Pool, PoolRef, Pooled};
///
/// // Uses the object: takes any guard of a `Vec<u8>`, or a `Vec<u8>`.
/// fn frame(out: &mut Vec<u8>, payload: &[u8]) {
///     out.push(payload.len() as u8);
///     out.extend_from_slice(payload);
/// }
///
/// // Keeps the guard: generic over where it goes back to.
/// fn finish<P: PoolRef<Vec<u8>>>(mut out: Guard<Vec<u8>, P>) -> Guard<Vec<u8>, P> {
///     out.push(b'\n');
///     out
/// }
///
/// static FRAMES: Pool<Vec<u8>> = Pool::new();
///
/// let mut a = Vec::<u8>::acquire(); // `Guard<Vec<u8>>`
/// let mut b = FRAMES.acquire(); // `Guard<Vec<u8>, &Pool<Vec<u8>>>`
/// let mut c = Vec::new();
/// frame(&mut a, b"hi");
/// frame(&mut b, b"hi");
/// frame(&mut c, b"hi");
/// let (a, b) = (finish(a), finish(b));
/// assert_eq!(a, b);
/// assert_eq!(a, [2, b'h', b'i', b'\n']);
/// assert_eq!(c, a[..3]);
/// ```
pub struct Guard<T, P: PoolRef<T> = TypePool> {
    object: NonNull<T>,
    pool: P,
    /// The guard owns a `T` (for drop check and variance, like `Box<T>`).
    _owns: PhantomData<T>,
}

// SAFETY: the guard owns its object exclusively, like `Box<T>`, so sending
// the guard sends a `T`. `P` is `TypePool` (no data) or `&Pool<T>`, which
// is `Send` when `Pool<T>: Sync`, i.e. when `T: Send`; returning the object
// from another thread is exactly what `Pool<T>: Sync` allows.
unsafe impl<T: Send, P: PoolRef<T> + Send> Send for Guard<T, P> {}
// SAFETY: `&Guard` only gives `&T`, so sharing the guard shares a `&T`.
unsafe impl<T: Sync, P: PoolRef<T> + Sync> Sync for Guard<T, P> {}

/// Implemented next to each [`PoolRef`] impl, in `pooled.rs` and `pool.rs`.
pub(crate) mod sealed {
    pub trait Sealed {}
}

/// Which pool a [`Guard`] returns its object to: [`TypePool`] for a
/// [`Pooled`](crate::Pooled) type, `&Pool<T>` for a borrowed (often
/// `static`) pool, or `Arc<Pool<T>>` for the `'static` guards of
/// [`Pool::acquire_owned`](crate::Pool::acquire_owned). Sealed: it cannot be
/// implemented outside this crate.
pub trait PoolRef<T>: sealed::Sealed {
    /// Resets `object` and makes it idle in the pool.
    ///
    /// # Safety
    ///
    /// `object` was taken from this pool and the caller gives it up.
    #[doc(hidden)]
    unsafe fn __put(&self, object: NonNull<T>);

    /// Counts an object that leaves the pool's care (`detached`) or is
    /// dropped by its user.
    #[doc(hidden)]
    fn __left(&self, object: &T, detached: bool);
}

/// The pool of a [`Pooled`](crate::Pooled) type, found from the type
/// itself: what lets a [`Guard<T>`] be a single pointer.
#[derive(Clone, Copy, Debug, Default)]
pub struct TypePool;

impl<T, P: PoolRef<T>> Guard<T, P> {
    /// # Safety
    ///
    /// `object` comes from `pool` and nothing else owns it.
    #[inline]
    pub(crate) unsafe fn from_raw(object: NonNull<T>, pool: P) -> Self {
        Self {
            object,
            pool,
            _owns: PhantomData,
        }
    }

    /// Takes the object out of the pool's care: it will not be reset or
    /// returned (counted in [`Stats::detached`](crate::Stats::detached)).
    ///
    /// An associated function, `Guard::detach(g)`, so it never shadows a
    /// method of `T`.
    ///
    /// ```
    /// use repool::{Guard, Pooled};
    ///
    /// let mut buf = Vec::<u32>::acquire();
    /// buf.extend([1, 2, 3]);
    /// let kept: Vec<u32> = Guard::detach(buf);
    /// assert_eq!(kept, [1, 2, 3]);
    /// ```
    pub fn detach(this: Self) -> T {
        let this = ManuallyDrop::new(this);
        this.pool.__left(&this, true);
        // SAFETY: the guard owned the object, which came from a `Box`; the
        // guard is not dropped, so nothing else frees it.
        *unsafe { Box::from_raw(this.object.as_ptr()) }
    }

    /// Drops the object instead of returning it, e.g. because it is in a bad
    /// state (counted in [`Stats::user_discarded`](crate::Stats::user_discarded)).
    ///
    /// ```
    /// use repool::{Guard, Pooled};
    ///
    /// let conn_buf = String::acquire();
    /// Guard::discard(conn_buf);
    /// assert!(String::pool().stats().user_discarded >= 1);
    /// ```
    pub fn discard(this: Self) {
        let this = ManuallyDrop::new(this);
        this.pool.__left(&this, false);
        // SAFETY: as in `detach`.
        drop(unsafe { Box::from_raw(this.object.as_ptr()) });
    }
}

impl<T, P: PoolRef<T>> Drop for Guard<T, P> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the guard owns the object, which came from this pool, and
        // gives it up here.
        unsafe { self.pool.__put(self.object) }
    }
}

impl<T, P: PoolRef<T>> Deref for Guard<T, P> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the object is live and owned by this guard; `&self`
        // borrows it for no longer than the guard.
        unsafe { self.object.as_ref() }
    }
}

impl<T, P: PoolRef<T>> DerefMut for Guard<T, P> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
        unsafe { self.object.as_mut() }
    }
}

impl<T, P: PoolRef<T>> AsRef<T> for Guard<T, P> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T, P: PoolRef<T>> AsMut<T> for Guard<T, P> {
    fn as_mut(&mut self) -> &mut T {
        self
    }
}

impl<T: fmt::Debug, P: PoolRef<T>> fmt::Debug for Guard<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display, P: PoolRef<T>> fmt::Display for Guard<T, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
