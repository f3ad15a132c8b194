//! `Reset`: how a pooled object is emptied for its next user.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};
use std::hash::BuildHasher;
use std::marker::PhantomData;

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

macro_rules! clear_keeps_capacity {
    ($({$($gen:tt)*} $ty:ty;)*) => {$(
        impl<$($gen)*> Reset for $ty {
            #[inline]
            fn reset(&mut self) {
                self.clear();
            }
        }
    )*};
}

clear_keeps_capacity! {
    {T} Vec<T>;
    {} String;
    {T} VecDeque<T>;
    {K, V, S} HashMap<K, V, S>;
    {T, S} HashSet<T, S>;
    {K, V} BTreeMap<K, V>;
    {T} BTreeSet<T>;
    {T} BinaryHeap<T>;
}

macro_rules! capacity_of {
    ($({$($gen:tt)*} $ty:ty;)*) => {$(
        impl<$($gen)*> Capacity for $ty {
            #[inline]
            fn capacity(&self) -> usize {
                <$ty>::capacity(self)
            }
        }
    )*};
}

capacity_of! {
    {T} Vec<T>;
    {} String;
    {T} VecDeque<T>;
    {K, V, S: BuildHasher} HashMap<K, V, S>;
    {T, S: BuildHasher} HashSet<T, S>;
    {T} BinaryHeap<T>;
}

impl<T: Capacity + ?Sized> Capacity for Box<T> {
    #[inline]
    fn capacity(&self) -> usize {
        (**self).capacity()
    }
}

impl<T: Capacity> Capacity for Option<T> {
    #[inline]
    fn capacity(&self) -> usize {
        self.as_ref().map_or(0, T::capacity)
    }
}

impl<T> Reset for Option<T> {
    #[inline]
    fn reset(&mut self) {
        *self = None;
    }
}

impl<T: Reset + ?Sized> Reset for Box<T> {
    #[inline]
    fn reset(&mut self) {
        (**self).reset();
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        (**self).is_oversized()
    }
}

macro_rules! back_to_default {
    ($($ty:ty)*) => {$(
        impl Reset for $ty {
            #[inline]
            fn reset(&mut self) {
                *self = <$ty>::default();
            }
        }
    )*};
}

back_to_default! {
    u8 u16 u32 u64 u128 usize
    i8 i16 i32 i64 i128 isize
    f32 f64 bool char
}

impl Reset for () {
    #[inline]
    fn reset(&mut self) {}
}

impl<T: ?Sized> Reset for PhantomData<T> {
    #[inline]
    fn reset(&mut self) {}
}

impl<T: Reset, const N: usize> Reset for [T; N] {
    #[inline]
    fn reset(&mut self) {
        self.iter_mut().for_each(T::reset);
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        self.iter().any(T::is_oversized)
    }
}

/// `T: Default` because `is_oversized` has only `&self`, and a `Cell` lends
/// no reference to what it holds: the value is taken out to be asked, and
/// put back.
impl<T: Reset + Default> Reset for Cell<T> {
    #[inline]
    fn reset(&mut self) {
        self.get_mut().reset();
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        let value = self.take();
        let oversized = value.is_oversized();
        self.set(value);
        oversized
    }
}

impl<T: Reset> Reset for RefCell<T> {
    #[inline]
    fn reset(&mut self) {
        self.get_mut().reset();
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        // A value borrowed elsewhere cannot be inspected; keeping it is the
        // conservative answer, since reset will still empty it.
        self.try_borrow().is_ok_and(|v| v.is_oversized())
    }
}

macro_rules! tuples {
    ($(($($name:ident $idx:tt),+))*) => {$(
        impl<$($name: Reset),+> Reset for ($($name,)+) {
            #[inline]
            fn reset(&mut self) {
                $(self.$idx.reset();)+
            }

            #[inline]
            fn is_oversized(&self) -> bool {
                false $(|| self.$idx.is_oversized())+
            }
        }
    )*};
}

tuples! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
}

/// A growable buffer that a pool can sort into size classes: a pool made
/// with [`Pool::buffers`](crate::Pool::buffers) keeps buffers of similar capacity together and
/// bounds the bytes it keeps idle.
///
/// Implemented for `Vec<T>`, `String`, `VecDeque<T>` and `BinaryHeap<T>`,
/// whose own pools (`Vec::<u8>::acquire()`) are buffer pools. Implement it
/// for a buffer type of your own to give it a [`Pool::buffers`](crate::Pool::buffers) pool. The
/// pool relies on it only for what it keeps, never for memory safety.
///
/// # Example
///
/// ```
/// use pool_runtime::{Buffer, Capacity};
///
/// let mut v = <Vec<u32> as Buffer>::with_capacity(10);
/// v.extend([1, 2, 3]);
/// v.clear();
/// v.ensure_capacity(100);
/// assert!(Capacity::capacity(&v) >= 100);
/// assert_eq!(<Vec<u32> as Buffer>::ELEMENT_BYTES, 4);
/// ```
pub trait Buffer: Reset + Capacity + Default + Send + 'static {
    /// Bytes of storage one unit of [`Capacity::capacity`] takes.
    const ELEMENT_BYTES: usize;

    /// An empty buffer that holds at least `capacity` elements.
    fn with_capacity(capacity: usize) -> Self;

    /// Grows an empty buffer until it holds at least `capacity` elements.
    fn ensure_capacity(&mut self, capacity: usize);
}

macro_rules! buffers {
    ($({$($gen:tt)*} $ty:ty, $elem:ty;)*) => {$(
        impl<$($gen)*> Buffer for $ty {
            const ELEMENT_BYTES: usize = size_of::<$elem>();

            #[inline]
            fn with_capacity(capacity: usize) -> Self {
                <$ty>::with_capacity(capacity)
            }

            #[inline]
            fn ensure_capacity(&mut self, capacity: usize) {
                self.reserve(capacity.saturating_sub(self.len()));
            }
        }
    )*};
}

buffers! {
    {T: Send + 'static} Vec<T>, T;
    {} String, u8;
    {T: Send + 'static} VecDeque<T>, T;
    {T: Ord + Send + 'static} BinaryHeap<T>, T;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn containers_clear_and_keep_capacity() {
        let mut v: Vec<u32> = (0..100).collect();
        let mut s = "x".repeat(100);
        let mut d: VecDeque<u8> = (0..100).collect();
        let mut m: HashMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
        let mut h: HashSet<u32> = (0..100).collect();
        let mut b: BinaryHeap<u32> = (0..100).collect();
        let caps = (
            v.capacity(),
            s.capacity(),
            d.capacity(),
            m.capacity(),
            h.capacity(),
            b.capacity(),
        );
        v.reset();
        s.reset();
        d.reset();
        m.reset();
        h.reset();
        b.reset();
        assert!(
            v.is_empty()
                && s.is_empty()
                && d.is_empty()
                && m.is_empty()
                && h.is_empty()
                && b.is_empty()
        );
        assert_eq!(
            caps,
            (
                v.capacity(),
                s.capacity(),
                d.capacity(),
                m.capacity(),
                h.capacity(),
                b.capacity()
            )
        );
        let mut bt: BTreeMap<u8, u8> = [(1, 1)].into();
        let mut bs: BTreeSet<u8> = [1].into();
        bt.reset();
        bs.reset();
        assert!(bt.is_empty() && bs.is_empty());
    }

    #[test]
    fn option_lets_go_of_what_it_holds() {
        let shared = Arc::new(5);
        let mut held = Some(Arc::clone(&shared));
        assert_eq!(Arc::strong_count(&shared), 2);
        held.reset();
        assert!(held.is_none());
        assert_eq!(Arc::strong_count(&shared), 1);
    }

    #[test]
    fn scalars_arrays_tuples_cells_and_boxes() {
        let mut t = (7u8, -3i64, 2.5f64, true, 'z', ());
        t.reset();
        assert_eq!(t, (0, 0, 0.0, false, '\0', ()));
        let mut a = [vec![1], vec![2, 3]];
        a.reset();
        assert!(a.iter().all(Vec::is_empty));
        let mut c = Cell::new(9u32);
        c.reset();
        assert_eq!(c.get(), 0);
        let mut r = RefCell::new(String::from("abc"));
        r.reset();
        assert!(r.borrow().is_empty());
        let mut boxed = Box::new(vec![1u8; 32]);
        let before = &*boxed as *const Vec<u8>;
        boxed.reset();
        assert!(boxed.is_empty() && boxed.capacity() >= 32);
        assert_eq!(before, &*boxed as *const Vec<u8>, "the box itself is kept");
        let mut p = PhantomData::<Arc<u8>>;
        p.reset();
    }

    #[test]
    fn oversized_propagates_through_wrappers() {
        #[derive(Default)]
        struct Big(bool);
        impl Reset for Big {
            fn reset(&mut self) {}
            fn is_oversized(&self) -> bool {
                self.0
            }
        }
        assert!(Box::new(Big(true)).is_oversized());
        assert!([Big(false), Big(true)].is_oversized());
        assert!(!(Big(false), 1u8).is_oversized());
        assert!((1u8, Big(true)).is_oversized());
        assert!(RefCell::new(Big(true)).is_oversized());
        assert!(!RefCell::new(Big(false)).is_oversized());
        let cell = Cell::new(Big(true));
        assert!(cell.is_oversized());
        assert!(cell.take().0, "asking leaves the value in place");
        assert!(!Cell::new(Big(false)).is_oversized());
        assert!(!Box::new(Big(false)).is_oversized());
        assert!(![Big(false), Big(false)].is_oversized());
        // Nested wrappers pass it on at every level.
        assert!(
            Box::new((1u8, [RefCell::new(Big(false)), RefCell::new(Big(true))])).is_oversized()
        );
        assert!(Cell::new((Big(false), Big(true))).is_oversized());
        assert!(!Vec::<u8>::new().is_oversized());
    }

    #[test]
    fn capacity_reports_elements() {
        let v: Vec<u64> = Vec::with_capacity(10);
        assert!(Capacity::capacity(&v) >= 10);
        assert!(Capacity::capacity(&Some(Box::new(String::with_capacity(5)))) >= 5);
        let m: HashMap<u8, u8> = HashMap::with_capacity(20);
        assert!(Capacity::capacity(&m) >= 20);
    }
}
