//! `Reset`: how a pooled object is emptied for its next user.

mod buffer;
mod std_impls;

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
/// | type | after `reset` |
/// |---|---|
/// | `Vec`, `String`, `VecDeque`, `HashMap`, `HashSet`, `BinaryHeap` | empty, capacity kept |
/// | `BTreeMap`, `BTreeSet` | empty (B-trees keep no spare capacity) |
/// | `Option<T>` | `None`: a `Box`, `Arc` or `Rc` inside is dropped |
/// | `Box<T: Reset>` | the box is kept, its contents reset in place |
/// | integers, floats, `bool`, `char`, `()` | their `Default` value |
/// | arrays, tuples, `RefCell` of `Reset` types, `Cell` of `Reset + Default` ones | each element reset |
///
/// Every wrapper (`Box`, arrays, tuples, `Cell`, `RefCell`) also passes on
/// [`is_oversized`](Reset::is_oversized), so a `max_capacity` set on a type
/// still holds wherever that type is nested.
/// | `PhantomData` | nothing to do |
///
/// `Arc<T>` and `Rc<T>` have no impl on purpose: a shared pointer cannot be
/// emptied, and keeping it would keep another object graph alive for as long
/// as the pooled object sits idle. Hold it as `Option<Arc<T>>` instead.
///
/// # Example
///
/// ```
/// use pool_runtime::Reset;
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
    /// use pool_runtime::Reset;
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
/// use pool_runtime::Capacity;
///
/// let v: Vec<u8> = Vec::with_capacity(100);
/// assert!(Capacity::capacity(&v) >= 100);
/// assert_eq!(Capacity::capacity(&None::<Vec<u8>>), 0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no capacity for `max_capacity` to limit",
    label = "`{Self}` does not implement `Capacity`",
    note = "`max_capacity` applies to `Vec`, `String`, `VecDeque`, `HashMap`, `HashSet`, `BinaryHeap`, \
            and `Box` or `Option` of them; implement `repool::Capacity` for a type of your own, \
            or remove `max_capacity` from this field"
)]
pub trait Capacity {
    /// How many elements `self` can hold without allocating.
    fn capacity(&self) -> usize;
}
