//! `Reset`: how a pooled object is emptied for its next user.

mod buffer;
mod ecosystem;
mod std_impls;
mod std_sync;

pub use buffer::Buffer;

/// Empties an object for reuse while keeping its allocations.
///
/// The pool calls `reset` when a [`Guard`](crate::Guard) drops, before the
/// object becomes idle, so nothing the previous user wrote survives into the
/// next [`acquire`](crate::Pooled::acquire), and references it held are let go
/// immediately rather than when the object is reused.
///
/// The provided impls follow one rule: **keep memory, drop meaning**.
///
/// | type | after `reset` | `Capacity` | feature |
/// |---|---|---|---|
/// | `Vec`, `String`, `VecDeque`, `HashMap`, `HashSet`, `BinaryHeap`, `PathBuf`, `OsString` | empty, capacity kept | yes | |
/// | `BTreeMap`, `BTreeSet`, `LinkedList` | empty (they keep no spare capacity) | | |
/// | `Box<str>`, `Box<[T]>` | empty, the allocation freed (a box has no spare capacity) | | |
/// | `Option<T>`, `OnceCell<T>`, `OnceLock<T>` | `None` / empty: a `Box`, `Arc` or `Rc` inside is dropped | `Option` | |
/// | `Box<T: Reset>` | the box is kept, its contents reset in place | yes | |
/// | `Cow<B>` | an owned value reset in place; a borrowed one becomes an empty owned one | yes | |
/// | `io::Cursor<T: Reset>` | contents reset, position 0 | yes | |
/// | integers, floats, `bool`, `char`, `()`, `Duration` | their `Default` value (zero) | | |
/// | `AtomicBool`, `AtomicU8`..`AtomicU64`, `AtomicI8`..`AtomicI64`, `AtomicUsize`, `AtomicIsize` | their `Default` value, through `get_mut` | | |
/// | `AtomicPtr<T>` | null (the pointee is not freed: it is not owned) | | |
/// | `Mutex<T: Reset>`, `RwLock<T: Reset>` | the value reset through `get_mut`, poison cleared | | |
/// | arrays, tuples (up to 12), `RefCell<T: Reset>`, `Cell<T: Reset + Default>`, `Wrapping`, `Saturating`, `Reverse` | each element reset | | |
/// | `PhantomData` | nothing to do | | |
/// | `http::HeaderMap<T>` | empty, capacity kept | yes | `http` |
/// | `bytes::BytesMut` | empty, capacity kept | yes | `bytes` |
/// | `smallvec::SmallVec<A>` (1.x) | empty, capacity kept | yes | `smallvec` |
/// | `hashbrown::HashMap`, `hashbrown::HashSet` (0.17) | empty, capacity kept | yes | `hashbrown` |
/// | `indexmap::IndexMap`, `indexmap::IndexSet` (2.x) | empty, capacity kept | yes | `indexmap` |
/// | `arrayvec::ArrayVec`, `arrayvec::ArrayString` (0.7) | empty (the capacity is fixed, `CAP`) | yes | `arrayvec` |
///
/// A `Capacity` impl is what `#[pooled(max_capacity = N)]` on a field of
/// that type needs. Every wrapper (`Box`, `Cow`, `Cursor`, arrays, tuples,
/// `Cell`, `RefCell`, `Mutex`, `RwLock`, `Wrapping`, `Saturating`,
/// `Reverse`) also passes on [`is_oversized`](Reset::is_oversized), so a
/// `max_capacity` set on a type still holds wherever that type is nested.
///
/// Some types have no impl on purpose:
///
/// - `Arc<T>` and `Rc<T>`: a shared pointer cannot be emptied, and keeping
///   it would keep another object graph alive for as long as the pooled
///   object sits idle. Hold it as `Option<Arc<T>>` instead.
/// - `Instant` and `SystemTime` have no meaningful empty value, and
///   `IpAddr`, `SocketAddr` and the `NonZero` integers no default at all:
///   hold them as an `Option`, or mark the field `#[pooled(skip)]`.
///
/// # Example
///
/// ```
/// use repool::Reset;
///
/// struct Scratch {
///     lines: Vec<String>,
///     hits: u32,
/// }
///
/// impl Reset for Scratch {
///     fn reset(&mut self) {
///         self.lines.reset();
///         self.hits.reset();
///     }
/// }
///
/// let mut s = Scratch { lines: Vec::with_capacity(16), hits: 3 };
/// s.lines.push("GET /".to_owned());
/// s.reset();
/// assert!(s.lines.is_empty() && s.lines.capacity() >= 16 && s.hits == 0);
/// ```
// A derived type's concrete fields get the messages of `diagnostic.rs`
// instead, which name the field's type and know whether it has `Default`;
// this one is for pools, bounds, and fields whose type names a parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be reset for reuse by a pool",
    label = "`{Self}` does not implement `Reset`",
    note = "for a type of your own: `#[derive(Reset)]` (a struct, or an enum with a `#[default]` \
            variant), or implement `repool::Reset` by hand",
    note = "in a derived type, a field of this type can be marked `#[pooled(skip)]` (left as is), \
            `#[pooled(reset = default)]` (assigned `Default::default()`) or \
            `#[pooled(reset = path::to::fn)]` (reset by a `fn(&mut {Self})`); hold a shared \
            pointer as `Option<Arc<T>>`, which reset sets to `None`"
)]
pub trait Reset {
    /// Empties `self`, keeping any allocation worth reusing.
    fn reset(&mut self);

    /// Whether `self` grew too large to be worth keeping idle.
    ///
    /// The pool asks before resetting a returned object; `true` drops the
    /// object instead (counted in [`Stats::oversized`](crate::Stats::oversized)),
    /// so one huge request does not pin its memory in the pool forever.
    /// `#[pooled(max_capacity = N)]` on a field generates this check.
    ///
    /// ```
    /// use repool::Reset;
    ///
    /// struct Line(String);
    ///
    /// impl Reset for Line {
    ///     fn reset(&mut self) {
    ///         self.0.clear();
    ///     }
    ///     fn is_oversized(&self) -> bool {
    ///         self.0.capacity() > 64 * 1024
    ///     }
    /// }
    /// assert!(Line("x".repeat(100_000)).is_oversized());
    /// ```
    #[inline]
    fn is_oversized(&self) -> bool {
        false
    }
}

/// The heap capacity of a container, in elements; what
/// `#[pooled(max_capacity = N)]` compares against `N`.
///
/// Implement it for a type of your own to use `max_capacity` on fields of
/// that type. `BTreeMap` and `BTreeSet` have no impl: they keep no spare
/// capacity, so an emptied one holds no memory worth limiting.
///
/// ```
/// use repool::Capacity;
///
/// let v: Vec<u8> = Vec::with_capacity(100);
/// assert!(Capacity::capacity(&v) >= 100);
/// assert_eq!(Capacity::capacity(&None::<Vec<u8>>), 0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no capacity for `max_capacity` to limit",
    label = "`{Self}` does not implement `Capacity`",
    note = "`max_capacity` applies to growable containers (`Vec`, `String`, `VecDeque`, `HashMap`, \
            `HashSet`, `BinaryHeap`, `PathBuf`, `OsString`, and those of the crate features), and \
            `Box`, `Option`, `Cow` or `Cursor` of them; implement `repool::Capacity` for a type of \
            your own, or remove `max_capacity` from this field"
)]
pub trait Capacity {
    /// How many elements `self` can hold without allocating.
    fn capacity(&self) -> usize;
}
