//! Comparison and hashing of a [`Guard`], forwarded to its object, so a
//! guard goes where its value would: into `assert_eq!`, a `match`-free
//! `guard == "GET"`, a sorted `Vec`, or a `HashMap`/`BTreeMap` as a key
//! looked up by `&T`.
//!
//! Each impl forwards to `T`'s own, as std's `Box<T>` does, so `Eq`, `Ord`
//! and `Hash` of a guard agree with `T`'s and `Borrow<T>` keeps its rule.
//! Every impl is generic over the pool (`P`, and `Q` on the other side), so
//! a `Guard<T>` and a `Guard<T, &Pool<T>>` compare, sort and hash alike.
//!
//! Why these impls and not one `impl<U> PartialEq<U> for Guard<T, P> where
//! T: PartialEq<U>`: that blanket would overlap `PartialEq<Guard<..>>`, and
//! without guard-to-guard equality there is no `Eq`, hence no `Ord` and no
//! map keys. So, as std's `vec/partial_eq.rs` does, the right-hand sides are
//! spelled out:
//!
//! * generic in `T`: another guard of the same `T` (any pools), `T` itself,
//!   and the unsized `str` and `[U]` (which can never be `T`, so they do not
//!   overlap `PartialEq<T>`);
//! * for `T` = `String`, `Vec<U>` and `VecDeque<U>`, the sized forms std
//!   compares them to (`&str`, `Cow<str>`, `&[U]`, `[U; N]`, ...), written
//!   for those `T` because a generic `T` could be that very right-hand side;
//! * the reverse (`"GET" == guard`, `vec == guard`), generic in `T`, for the
//!   std left-hand sides the orphan rule allows: `str`, `&str`, `String`,
//!   `Cow<B>`, `[U]`, `&[U]`, `&mut [U]`, `Vec<U>` and `VecDeque<U>`.

use std::borrow::{Borrow, BorrowMut, Cow};
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use crate::guard::{Guard, PoolRef};

/// Two guards are equal when their objects are, whichever pools they come
/// from.
///
/// ```
/// use repool::{Pool, Pooled};
///
/// let pool = Pool::<Vec<u8>>::new();
/// let mut a = Vec::<u8>::acquire();
/// let mut b = pool.acquire();
/// a.extend_from_slice(b"ok");
/// b.extend_from_slice(b"ok");
/// assert_eq!(a, b); // `Guard<Vec<u8>>` and `Guard<Vec<u8>, &Pool<_>>`
/// ```
impl<T: PartialEq, P: PoolRef<T>, Q: PoolRef<T>> PartialEq<Guard<T, Q>> for Guard<T, P> {
    #[inline]
    fn eq(&self, other: &Guard<T, Q>) -> bool {
        **self == **other
    }

    #[allow(clippy::partialeq_ne_impl)] // Forwards `T`'s own `ne`, as `Box` does.
    #[inline]
    fn ne(&self, other: &Guard<T, Q>) -> bool {
        **self != **other
    }
}

/// A guard equals a value of its own type when its object does.
///
/// ```
/// use repool::Pooled;
///
/// let mut ids = Vec::<u32>::acquire();
/// ids.extend([1, 2]);
/// assert_eq!(ids, vec![1, 2]);
/// assert!(ids != Vec::new());
/// ```
impl<T: PartialEq, P: PoolRef<T>> PartialEq<T> for Guard<T, P> {
    #[inline]
    fn eq(&self, other: &T) -> bool {
        **self == *other
    }

    #[allow(clippy::partialeq_ne_impl)] // Forwards `T`'s own `ne`.
    #[inline]
    fn ne(&self, other: &T) -> bool {
        **self != *other
    }
}

/// A guard equals a `str` when its object does: a `Guard<String>` or a
/// guard of any `T: PartialEq<str>`.
///
/// ```
/// use repool::Pooled;
///
/// let mut method = String::acquire();
/// method.push_str("GET");
/// assert!(method == *"GET");
/// ```
impl<T: PartialEq<str>, P: PoolRef<T>> PartialEq<str> for Guard<T, P> {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

/// A guard equals a slice when its object does: a `Guard<Vec<U>>` or a
/// guard of any `T: PartialEq<[U]>`.
///
/// ```
/// use repool::Pooled;
///
/// let mut frame = Vec::<u8>::acquire();
/// frame.extend_from_slice(b"ok");
/// assert!(frame == b"ok"[..]);
/// ```
impl<T: PartialEq<[U]>, U, P: PoolRef<T>> PartialEq<[U]> for Guard<T, P> {
    #[inline]
    fn eq(&self, other: &[U]) -> bool {
        **self == *other
    }
}

/// Writes `impl PartialEq<$rhs> for Guard<$t, P>`, forwarding to `$t`'s own
/// `PartialEq<$rhs>`, with `$doc` as its documentation.
macro_rules! eq_sized {
    ($doc:literal, [$($gen:tt)*] $t:ty, $rhs:ty) => {
        #[doc = $doc]
        impl<$($gen)* P: PoolRef<$t>> PartialEq<$rhs> for Guard<$t, P>
        where
            $t: PartialEq<$rhs>,
        {
            #[inline]
            fn eq(&self, other: &$rhs) -> bool {
                PartialEq::eq(&**self, other)
            }
        }
    };
}

eq_sized! {
    "`guard == \"GET\"` for a `Guard<String>`.\n\n```\nuse pool_runtime::Pooled;\n\n\
     let mut method = String::acquire();\nmethod.push_str(\"GET\");\n\
     assert_eq!(method, \"GET\");\nassert!(method != \"\");\n```",
    ['a,] String, &'a str
}
eq_sized! {
    "A `Guard<String>` equals a `Cow<str>` with the same text.\n\n```\n\
     use std::borrow::Cow;\n\nuse pool_runtime::Pooled;\n\n\
     let mut name = String::acquire();\nname.push_str(\"ann\");\n\
     assert_eq!(name, Cow::Borrowed(\"ann\"));\n```",
    ['a,] String, Cow<'a, str>
}
eq_sized! {
    "`guard == &b\"ok\"[..]` for a `Guard<Vec<U>>`.\n\n```\nuse pool_runtime::Pooled;\n\n\
     let mut frame = Vec::<u8>::acquire();\nframe.extend_from_slice(b\"ok\");\n\
     assert_eq!(frame, &b\"ok\"[..]);\n```",
    ['a, U, V,] Vec<U>, &'a [V]
}
eq_sized! {
    "A `Guard<Vec<U>>` equals a `&mut [V]` with equal elements.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut ids = Vec::<u32>::acquire();\nids.push(7);\n\
     assert_eq!(ids, &mut [7][..]);\n```",
    ['a, U, V,] Vec<U>, &'a mut [V]
}
eq_sized! {
    "A `Guard<Vec<U>>` equals an array with equal elements.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut ids = Vec::<u32>::acquire();\nids.extend([1, 2]);\n\
     assert_eq!(ids, [1, 2]);\n```",
    [U, V, const N: usize,] Vec<U>, [V; N]
}
eq_sized! {
    "`guard == b\"ok\"` for a `Guard<Vec<u8>>`.\n\n```\nuse pool_runtime::Pooled;\n\n\
     let mut frame = Vec::<u8>::acquire();\nframe.extend_from_slice(b\"ok\");\n\
     assert_eq!(frame, b\"ok\");\n```",
    ['a, U, V, const N: usize,] Vec<U>, &'a [V; N]
}
eq_sized! {
    "A `Guard<VecDeque<U>>` equals a `Vec<V>` with equal elements.\n\n```\n\
     use std::collections::VecDeque;\n\nuse pool_runtime::Pooled;\n\n\
     let mut queue = VecDeque::<u32>::acquire();\nqueue.extend([1, 2]);\n\
     assert_eq!(queue, vec![1, 2]);\n```",
    [U, V,] VecDeque<U>, Vec<V>
}
eq_sized! {
    "A `Guard<VecDeque<U>>` equals a `&[V]` with equal elements.\n\n```\n\
     use std::collections::VecDeque;\n\nuse pool_runtime::Pooled;\n\n\
     let mut queue = VecDeque::<u8>::acquire();\nqueue.extend(b\"ab\");\n\
     assert_eq!(queue, &b\"ab\"[..]);\n```",
    ['a, U, V,] VecDeque<U>, &'a [V]
}
eq_sized! {
    "A `Guard<VecDeque<U>>` equals a `&mut [V]` with equal elements.\n\n```\n\
     use std::collections::VecDeque;\n\nuse pool_runtime::Pooled;\n\n\
     let mut queue = VecDeque::<u32>::acquire();\nqueue.push_back(7);\n\
     assert_eq!(queue, &mut [7][..]);\n```",
    ['a, U, V,] VecDeque<U>, &'a mut [V]
}
eq_sized! {
    "A `Guard<VecDeque<U>>` equals an array with equal elements.\n\n```\n\
     use std::collections::VecDeque;\n\nuse pool_runtime::Pooled;\n\n\
     let mut queue = VecDeque::<u32>::acquire();\nqueue.extend([1, 2]);\n\
     assert_eq!(queue, [1, 2]);\n```",
    [U, V, const N: usize,] VecDeque<U>, [V; N]
}
eq_sized! {
    "A `Guard<VecDeque<U>>` equals a `&[V; N]` with equal elements.\n\n```\n\
     use std::collections::VecDeque;\n\nuse pool_runtime::Pooled;\n\n\
     let mut queue = VecDeque::<u8>::acquire();\nqueue.extend(b\"ab\");\n\
     assert_eq!(queue, b\"ab\");\n```",
    ['a, U, V, const N: usize,] VecDeque<U>, &'a [V; N]
}

/// Writes `impl PartialEq<Guard<T, P>> for $lhs where $lhs: PartialEq<T>`,
/// the comparison with the guard on the right, with `$doc` as its
/// documentation.
macro_rules! eq_reversed {
    ($doc:literal, [$($gen:tt)*] $lhs:ty) => {
        #[doc = $doc]
        impl<$($gen)* T, P: PoolRef<T>> PartialEq<Guard<T, P>> for $lhs
        where
            $lhs: PartialEq<T>,
        {
            #[inline]
            fn eq(&self, other: &Guard<T, P>) -> bool {
                PartialEq::eq(self, &**other)
            }
        }
    };
}

eq_reversed! {
    "`*\"GET\" == guard`: a `str` equals a guard whose object it equals.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut method = String::acquire();\nmethod.push_str(\"GET\");\n\
     assert!(*\"GET\" == method);\n```",
    [] str
}
eq_reversed! {
    "`\"GET\" == guard`: a `&str` equals a guard whose object it equals.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut method = String::acquire();\nmethod.push_str(\"GET\");\n\
     assert_eq!(\"GET\", method);\n```",
    ['a,] &'a str
}
eq_reversed! {
    "A `String` equals a guard whose object it equals.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut method = String::acquire();\nmethod.push_str(\"GET\");\n\
     assert_eq!(String::from(\"GET\"), method);\n```",
    [] String
}
eq_reversed! {
    "A `Cow` equals a guard whose object it equals.\n\n```\n\
     use std::borrow::Cow;\n\nuse pool_runtime::Pooled;\n\n\
     let mut name = String::acquire();\nname.push_str(\"ann\");\n\
     assert_eq!(Cow::Borrowed(\"ann\"), name);\n```",
    ['a, B: ?Sized + ToOwned,] Cow<'a, B>
}
eq_reversed! {
    "A slice equals a guard whose object it equals.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut frame = Vec::<u8>::acquire();\nframe.extend_from_slice(b\"ok\");\n\
     assert!(b\"ok\"[..] == frame);\n```",
    [U,] [U]
}
eq_reversed! {
    "A `&[U]` equals a guard whose object it equals.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut frame = Vec::<u8>::acquire();\nframe.extend_from_slice(b\"ok\");\n\
     assert_eq!(&b\"ok\"[..], frame);\n```",
    ['a, U,] &'a [U]
}
eq_reversed! {
    "A `&mut [U]` equals a guard whose object it equals.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut ids = Vec::<u32>::acquire();\nids.push(7);\n\
     assert_eq!(&mut [7][..], ids);\n```",
    ['a, U,] &'a mut [U]
}
eq_reversed! {
    "`vec == guard`: a `Vec` equals a guard whose object it equals.\n\n```\n\
     use pool_runtime::Pooled;\n\nlet mut ids = Vec::<u32>::acquire();\nids.extend([1, 2]);\n\
     assert_eq!(vec![1, 2], ids);\n```",
    [U,] Vec<U>
}
eq_reversed! {
    "A `VecDeque` equals a guard whose object it equals.\n\n```\n\
     use std::collections::VecDeque;\n\nuse pool_runtime::Pooled;\n\n\
     let mut queue = VecDeque::<u32>::acquire();\nqueue.extend([1, 2]);\n\
     assert_eq!(VecDeque::from([1, 2]), queue);\n```",
    [U,] VecDeque<U>
}

/// A guard is `Eq` when its object is.
///
/// ```
/// use std::collections::HashSet;
///
/// use repool::Pooled;
///
/// let mut word = String::acquire();
/// word.push_str("pool");
/// let mut seen = HashSet::new();
/// assert!(seen.insert(word));
/// assert!(seen.contains("pool"));
/// ```
impl<T: Eq, P: PoolRef<T>> Eq for Guard<T, P> {}

/// Guards order as their objects do, whichever pools they come from.
///
/// ```
/// use repool::{Pool, Pooled};
///
/// let pool = Pool::<String>::new();
/// let mut a = String::acquire();
/// let mut b = pool.acquire();
/// a.push_str("apple");
/// b.push_str("banana");
/// assert!(a < b);
/// ```
impl<T: PartialOrd, P: PoolRef<T>, Q: PoolRef<T>> PartialOrd<Guard<T, Q>> for Guard<T, P> {
    #[inline]
    fn partial_cmp(&self, other: &Guard<T, Q>) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }

    #[inline]
    fn lt(&self, other: &Guard<T, Q>) -> bool {
        **self < **other
    }

    #[inline]
    fn le(&self, other: &Guard<T, Q>) -> bool {
        **self <= **other
    }

    #[inline]
    fn gt(&self, other: &Guard<T, Q>) -> bool {
        **self > **other
    }

    #[inline]
    fn ge(&self, other: &Guard<T, Q>) -> bool {
        **self >= **other
    }
}

/// A guard orders against a value of its own type as its object does.
///
/// ```
/// use repool::Pooled;
///
/// let mut version = Vec::<u32>::acquire();
/// version.extend([1, 2]);
/// assert!(version < vec![1, 3]);
/// ```
impl<T: PartialOrd, P: PoolRef<T>> PartialOrd<T> for Guard<T, P> {
    #[inline]
    fn partial_cmp(&self, other: &T) -> Option<Ordering> {
        (**self).partial_cmp(other)
    }

    #[inline]
    fn lt(&self, other: &T) -> bool {
        **self < *other
    }

    #[inline]
    fn le(&self, other: &T) -> bool {
        **self <= *other
    }

    #[inline]
    fn gt(&self, other: &T) -> bool {
        **self > *other
    }

    #[inline]
    fn ge(&self, other: &T) -> bool {
        **self >= *other
    }
}

/// Guards sort as their objects do.
///
/// ```
/// use repool::{Guard, Pooled};
///
/// let mut lines: Vec<Guard<String>> = ["b", "c", "a"]
///     .into_iter()
///     .map(|s| {
///         let mut line = String::acquire();
///         line.push_str(s);
///         line
///     })
///     .collect();
/// lines.sort();
/// assert_eq!(lines, ["a", "b", "c"]);
/// ```
impl<T: Ord, P: PoolRef<T>> Ord for Guard<T, P> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

/// A guard hashes exactly as its object does, so it can be a map key looked
/// up by `&T` (through `Borrow<T>`), or by `&str`/`&[u8]` for a string or
/// byte guard, as `Borrow` requires.
///
/// ```
/// use std::collections::HashMap;
///
/// use repool::Pooled;
///
/// let mut key = String::acquire();
/// key.push_str("content-type");
/// let mut headers = HashMap::new();
/// headers.insert(key, "text/plain");
/// assert_eq!(headers.get("content-type"), Some(&"text/plain"));
/// assert_eq!(headers.get(&String::from("content-type")), Some(&"text/plain"));
/// ```
impl<T: Hash, P: PoolRef<T>> Hash for Guard<T, P> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

/// The object, borrowed: a guard is a map key that lookups by `&T` find.
/// `Eq`, `Ord` and `Hash` of the guard are `T`'s, as `Borrow` requires.
///
/// ```
/// use std::collections::BTreeMap;
///
/// use repool::Pooled;
///
/// let mut key = Vec::<u32>::acquire();
/// key.extend([1, 2]);
/// let mut routes = BTreeMap::new();
/// routes.insert(key, "a");
/// assert_eq!(routes.get(&vec![1, 2]), Some(&"a"));
/// ```
impl<T, P: PoolRef<T>> Borrow<T> for Guard<T, P> {
    #[inline]
    fn borrow(&self) -> &T {
        self
    }
}

/// The object, borrowed mutably, for APIs generic over `BorrowMut<T>`.
///
/// ```
/// use std::borrow::BorrowMut;
///
/// use repool::Pooled;
///
/// fn push_one<B: BorrowMut<Vec<u32>>>(list: &mut B) {
///     list.borrow_mut().push(1);
/// }
///
/// let mut ids = Vec::<u32>::acquire();
/// push_one(&mut ids);
/// assert_eq!(ids, [1]);
/// ```
impl<T, P: PoolRef<T>> BorrowMut<T> for Guard<T, P> {
    #[inline]
    fn borrow_mut(&mut self) -> &mut T {
        self
    }
}
