//! `Reset` and `Capacity` for std types.

use std::borrow::{Cow, ToOwned};
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::ffi::OsString;
use std::hash::BuildHasher;
use std::io::Cursor;
use std::marker::PhantomData;
use std::num::{Saturating, Wrapping};
use std::path::PathBuf;
use std::time::Duration;

use super::{Capacity, Reset};

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
    {T} LinkedList<T>;
    {} PathBuf;
    {} OsString;
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
    {} PathBuf;
    {} OsString;
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
    Duration
}

/// A boxed slice has no spare capacity to keep: emptied, it frees its
/// allocation (`Box::default()` allocates nothing).
impl<T> Reset for Box<[T]> {
    #[inline]
    fn reset(&mut self) {
        *self = Box::default();
    }
}

/// Like `Box<[T]>`: emptied, its allocation freed.
impl Reset for Box<str> {
    #[inline]
    fn reset(&mut self) {
        *self = Box::default();
    }
}

/// An owned value is reset in place, keeping its allocation; a borrowed one
/// becomes an empty owned value (for `String` or `Vec`, no allocation), so
/// the idle object refers to nothing.
impl<B> Reset for Cow<'_, B>
where
    B: ToOwned + ?Sized,
    B::Owned: Reset + Default,
{
    #[inline]
    fn reset(&mut self) {
        match self {
            Cow::Owned(owned) => owned.reset(),
            Cow::Borrowed(_) => *self = Cow::Owned(B::Owned::default()),
        }
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        match self {
            Cow::Owned(owned) => owned.is_oversized(),
            Cow::Borrowed(_) => false,
        }
    }
}

impl<B> Capacity for Cow<'_, B>
where
    B: ToOwned + ?Sized,
    B::Owned: Capacity,
{
    /// A borrowed value owns no memory: 0.
    #[inline]
    fn capacity(&self) -> usize {
        match self {
            Cow::Owned(owned) => owned.capacity(),
            Cow::Borrowed(_) => 0,
        }
    }
}

/// The contents reset, and the position back to 0.
impl<T: Reset> Reset for Cursor<T> {
    #[inline]
    fn reset(&mut self) {
        self.get_mut().reset();
        self.set_position(0);
    }

    #[inline]
    fn is_oversized(&self) -> bool {
        self.get_ref().is_oversized()
    }
}

impl<T: Capacity> Capacity for Cursor<T> {
    #[inline]
    fn capacity(&self) -> usize {
        self.get_ref().capacity()
    }
}

macro_rules! newtypes {
    ($($ty:ident)*) => {$(
        impl<T: Reset> Reset for $ty<T> {
            #[inline]
            fn reset(&mut self) {
                self.0.reset();
            }

            #[inline]
            fn is_oversized(&self) -> bool {
                self.0.is_oversized()
            }
        }
    )*};
}

newtypes! { Wrapping Saturating Reverse }

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

    #[test]
    fn paths_boxes_cows_cursors_and_newtypes() {
        let mut path = PathBuf::with_capacity(64);
        path.push("/var/log");
        let mut os = OsString::with_capacity(32);
        os.push("name");
        let caps = (path.capacity(), os.capacity());
        path.reset();
        os.reset();
        assert!(path.as_os_str().is_empty() && os.is_empty());
        assert_eq!(caps, (Capacity::capacity(&path), Capacity::capacity(&os)));

        let mut text: Box<str> = "boxed".into();
        let mut slice: Box<[u8]> = vec![1; 8].into();
        text.reset();
        slice.reset();
        assert!(text.is_empty() && slice.is_empty());

        let mut owned: Cow<'static, str> = Cow::Owned(String::with_capacity(40));
        owned.to_mut().push_str("owned");
        owned.reset();
        assert!(matches!(&owned, Cow::Owned(s) if s.is_empty() && s.capacity() >= 40));
        let mut borrowed: Cow<'static, str> = Cow::Borrowed("static");
        assert_eq!(Capacity::capacity(&borrowed), 0);
        borrowed.reset();
        assert!(matches!(&borrowed, Cow::Owned(s) if s.is_empty()));

        let mut cursor = Cursor::new(vec![0u8; 16]);
        cursor.set_position(9);
        cursor.reset();
        assert_eq!(cursor.position(), 0);
        assert!(cursor.get_ref().is_empty() && Capacity::capacity(&cursor) >= 16);

        let mut newtypes = (Wrapping(3u8), Saturating(-4i32), Reverse(vec![1]));
        newtypes.reset();
        assert_eq!(newtypes, (Wrapping(0), Saturating(0), Reverse(vec![])));
        let mut wait = Duration::from_secs(5);
        wait.reset();
        assert_eq!(wait, Duration::ZERO);
        let mut list: LinkedList<u8> = [1, 2].into();
        list.reset();
        assert!(list.is_empty());
    }
}
