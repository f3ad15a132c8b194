//! The feature-gated `Reset` and `Capacity` impls, against the real crates:
//! each section needs the feature named after its crate
//! (`cargo test --all-features` runs them all; `http` is on in every test
//! build, for the http_server example). Each container is cleared
//! keeping its capacity, and a pooled struct holding it with `max_capacity`
//! goes back to its pool within the limit and is dropped past it.

use repool::{Capacity, Pooled, Reset};

/// `value` is filled (`len` > 0); after `reset` it is empty and holds the
/// same capacity as before.
fn cleared_keeping_capacity<T: Reset + Capacity>(mut value: T, len: impl Fn(&T) -> usize) {
    let name = std::any::type_name::<T>();
    let capacity = value.capacity();
    assert!(len(&value) > 0, "{name}: filled");
    assert!(capacity > 0, "{name}: has a capacity");
    value.reset();
    assert_eq!(len(&value), 0, "{name}: emptied");
    assert_eq!(value.capacity(), capacity, "{name}: capacity kept");
}

/// Limits every test type's field to this many elements.
const LIMIT: usize = 1024;

/// A `C` whose field `fill` wrote into (staying within [`LIMIT`]) goes back
/// to the pool and comes back emptied, the same object; one whose field
/// `grow` took past [`LIMIT`] is dropped instead.
fn limited_in_a_pool<C: Pooled>(len: fn(&C) -> usize, fill: fn(&mut C), grow: fn(&mut C)) {
    let name = std::any::type_name::<C>();
    let before = C::pool().stats();
    let mut guard = C::acquire();
    fill(&mut guard);
    assert!(len(&guard) > 0, "{name}: filled");
    let object: *const C = &*guard;
    drop(guard);
    let step = C::pool().stats().since(&before);
    assert_eq!((step.returned, step.oversized), (1, 0), "{name}: {step:?}");

    let mut guard = C::acquire();
    assert_eq!(&*guard as *const C, object, "{name}: the same object");
    assert_eq!(len(&guard), 0, "{name}: emptied by its reset");
    grow(&mut guard);
    drop(guard);
    let step = C::pool().stats().since(&before);
    assert_eq!((step.returned, step.oversized), (1, 1), "{name}: {step:?}");
}

#[cfg(feature = "http")]
mod http_header_map {
    use super::*;
    use http::header::{ACCEPT, HOST};
    use http::{HeaderMap, HeaderValue};

    #[test]
    fn cleared_keeping_its_capacity() {
        let mut map = HeaderMap::with_capacity(32);
        map.insert(HOST, HeaderValue::from_static("example.com"));
        map.append(ACCEPT, HeaderValue::from_static("*/*"));
        cleared_keeping_capacity(map, HeaderMap::len);
    }

    #[derive(Pooled, Default)]
    struct Ctx {
        #[pooled(max_capacity = LIMIT)]
        headers: HeaderMap,
    }

    #[test]
    fn limited_by_max_capacity() {
        limited_in_a_pool::<Ctx>(
            |c| c.headers.len(),
            |c| {
                c.headers
                    .insert(HOST, HeaderValue::from_static("example.com"));
            },
            |c| c.headers.reserve(4 * LIMIT),
        );
    }
}

#[cfg(feature = "bytes")]
mod bytes_mut {
    use super::*;
    use bytes::{BufMut, BytesMut};

    #[test]
    fn cleared_keeping_its_capacity() {
        let mut buf = BytesMut::with_capacity(64);
        buf.put_slice(b"GET / HTTP/1.1\r\n");
        cleared_keeping_capacity(buf, BytesMut::len);
    }

    #[derive(Pooled, Default)]
    struct Ctx {
        #[pooled(max_capacity = LIMIT)]
        buf: BytesMut,
    }

    #[test]
    fn limited_by_max_capacity() {
        limited_in_a_pool::<Ctx>(
            |c| c.buf.len(),
            |c| c.buf.put_slice(b"body"),
            |c| c.buf.reserve(4 * LIMIT),
        );
    }
}

#[cfg(feature = "smallvec")]
mod small_vec {
    use super::*;
    use smallvec::SmallVec;

    #[test]
    fn cleared_keeping_its_capacity() {
        let inline: SmallVec<[u8; 16]> = SmallVec::from_slice(&[1, 2, 3]);
        assert!(!inline.spilled());
        cleared_keeping_capacity(inline, SmallVec::len);
        let spilled: SmallVec<[u8; 4]> = (0..100).collect();
        assert!(spilled.spilled());
        cleared_keeping_capacity(spilled, SmallVec::len);
    }

    #[derive(Pooled, Default)]
    struct Ctx {
        #[pooled(max_capacity = LIMIT)]
        items: SmallVec<[u32; 8]>,
    }

    #[test]
    fn limited_by_max_capacity() {
        limited_in_a_pool::<Ctx>(
            |c| c.items.len(),
            |c| c.items.extend(0..20),
            |c| c.items.reserve(4 * LIMIT),
        );
    }
}

/// The same tests for each crate's map and set, which share std's API.
macro_rules! map_and_set {
    ($feature:literal, $module:ident, $crate_name:ident, $map:ident, $set:ident) => {
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;
            use $crate_name::{$map, $set};

            #[test]
            fn cleared_keeping_their_capacity() {
                let map: $map<u32, String> = (0..50).map(|i| (i, i.to_string())).collect();
                cleared_keeping_capacity(map, $map::len);
                let set: $set<u64> = (0..50).collect();
                cleared_keeping_capacity(set, $set::len);
            }

            #[derive(Pooled, Default)]
            struct Ctx {
                #[pooled(max_capacity = LIMIT)]
                map: $map<u32, u32>,
                #[pooled(max_capacity = LIMIT)]
                set: $set<u32>,
            }

            #[test]
            fn limited_by_max_capacity() {
                limited_in_a_pool::<Ctx>(
                    |c| c.map.len() + c.set.len(),
                    |c| {
                        c.map.extend((0..10).map(|i| (i, i)));
                        c.set.extend(0..10);
                    },
                    |c| c.map.reserve(4 * LIMIT),
                );
                limited_in_a_pool::<Ctx>(
                    |c| c.map.len() + c.set.len(),
                    |c| c.set.extend(0..10),
                    |c| c.set.reserve(4 * LIMIT),
                );
            }
        }
    };
}

map_and_set!("hashbrown", hashbrown_maps, hashbrown, HashMap, HashSet);
map_and_set!("indexmap", index_maps, indexmap, IndexMap, IndexSet);

#[cfg(feature = "arrayvec")]
mod array_vec {
    use super::*;
    use arrayvec::{ArrayString, ArrayVec};

    #[test]
    fn cleared_keeping_their_capacity() {
        let items: ArrayVec<u8, 16> = (0..10).collect();
        cleared_keeping_capacity(items, ArrayVec::len);
        let text = ArrayString::<32>::from("hello").unwrap();
        cleared_keeping_capacity(text, ArrayString::len);
    }

    // Their capacity is fixed: a limit only tells whether `CAP` is too big.
    #[derive(Pooled, Default)]
    struct Ctx {
        #[pooled(max_capacity = 16)]
        items: ArrayVec<u32, 16>,
        #[pooled(max_capacity = 64)]
        text: ArrayString<64>,
    }

    #[derive(Reset, Default)]
    struct TooBig {
        #[pooled(max_capacity = 16)]
        items: ArrayVec<u32, 32>,
    }

    #[test]
    fn limited_by_max_capacity() {
        let before = Ctx::pool().stats();
        let mut guard = Ctx::acquire();
        guard.items.extend(0..16);
        guard
            .text
            .push_str("full up to its capacity, which is the limit itself");
        let object: *const Ctx = &*guard;
        drop(guard);
        let guard = Ctx::acquire();
        assert_eq!(&*guard as *const Ctx, object);
        assert!(guard.items.is_empty() && guard.text.is_empty());
        drop(guard);
        let step = Ctx::pool().stats().since(&before);
        assert_eq!((step.returned, step.oversized), (2, 0), "{step:?}");

        assert!(
            TooBig::default().is_oversized(),
            "32 is past 16, even empty"
        );
    }
}
