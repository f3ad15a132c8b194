//! Generic pooled types: every instantiation has its own pool, and the bounds
//! the derive adds follow the fields rather than every parameter.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::ptr;
use std::rc::Rc;

use repool::{Pooled, Reset};

#[derive(Pooled, Default)]
struct Batch<T> {
    items: Vec<T>,
}

#[test]
fn each_instantiation_has_its_own_pool() {
    assert!(ptr::eq(Batch::<u8>::pool(), Batch::<u8>::pool()));
    assert!(!ptr::eq(
        Batch::<u8>::pool() as *const _ as *const (),
        Batch::<String>::pool() as *const _ as *const ()
    ));

    let mut bytes = Batch::<u8>::acquire();
    bytes.items.extend_from_slice(b"abc");
    let returned_bytes: *const Batch<u8> = &*bytes;
    drop(bytes);
    assert_eq!(Batch::<u8>::pool().stats().idle, 1);
    assert_eq!(Batch::<String>::pool().stats().idle, 0);

    // The idle `Batch<u8>` is not handed out as a `Batch<String>`...
    let strings = Batch::<String>::acquire();
    let stats = Batch::<String>::pool().stats();
    assert_eq!((stats.built, stats.reused), (1, 0));
    assert!(strings.items.is_empty());
    drop(strings);

    // ...and is still there for the next `Batch<u8>`.
    let bytes = Batch::<u8>::acquire();
    assert_eq!(&*bytes as *const Batch<u8>, returned_bytes);
    assert!(bytes.items.is_empty());
    let stats = Batch::<u8>::pool().stats();
    assert_eq!((stats.built, stats.reused), (1, 1));
}

/// `T` appears only in a `PhantomData<fn() -> T>`, which is `Send` for every
/// `T`: the derive does not ask `T: Send`, so a non-`Send` marker type works.
#[derive(Pooled, Default)]
struct Tagged<T> {
    bytes: Vec<u8>,
    kind: PhantomData<fn() -> T>,
}

#[test]
fn bounds_follow_the_fields() {
    let mut tagged = Tagged::<Rc<u8>>::acquire();
    tagged.bytes.push(1);
    drop(tagged);
    assert!(Tagged::<Rc<u8>>::acquire().bytes.is_empty());
    let _ = Tagged::<Rc<u8>>::default().kind;
}

/// `#[derive(Reset)]` alone asks nothing of `T` beyond what the fields need.
#[derive(Reset)]
struct Holder<T> {
    items: Vec<T>,
    last: Option<T>,
}

#[test]
fn reset_alone_accepts_non_send_parameters() {
    let shared = Rc::new(1);
    let mut holder = Holder {
        items: vec![Rc::clone(&shared), Rc::clone(&shared)],
        last: Some(Rc::clone(&shared)),
    };
    let capacity = holder.items.capacity();
    holder.reset();
    assert!(holder.items.is_empty() && holder.last.is_none());
    assert_eq!(holder.items.capacity(), capacity);
    assert_eq!(Rc::strong_count(&shared), 1);
}

/// A field of type `T` is reset through `T`'s own `Reset`.
#[derive(Pooled, Default)]
struct Wrapper<T> {
    inner: T,
    #[pooled(max_capacity = 64)]
    limited: Vec<T>,
}

#[test]
fn a_parameter_field_uses_the_parameters_reset() {
    let mut wrapper = Wrapper::<String>::acquire();
    wrapper.inner.push_str("text");
    let object: *const Wrapper<String> = &*wrapper;
    drop(wrapper);
    let wrapper = Wrapper::<String>::acquire();
    assert_eq!(&*wrapper as *const Wrapper<String>, object);
    assert!(wrapper.inner.is_empty());
    assert!(wrapper.inner.capacity() >= 4);

    let mut wrapper = Wrapper::<u8>::default();
    wrapper.limited.reserve_exact(65);
    assert!(wrapper.is_oversized());
}

#[derive(Pooled)]
#[pooled(capacity = 2, new = Self::zeroed)]
struct Ring<const N: usize> {
    slots: [u32; N],
}

impl<const N: usize> Ring<N> {
    fn zeroed() -> Self {
        Ring { slots: [0; N] }
    }
}

#[test]
fn const_parameters_get_a_pool_each() {
    let mut small = Ring::<2>::acquire();
    small.slots = [1, 2];
    drop(small);
    assert_eq!(Ring::<2>::acquire().slots, [0, 0]);
    assert_eq!(Ring::<4>::pool().stats().acquired, 0);
    assert_eq!(Ring::<4>::acquire().slots, [0; 4]);
    assert_eq!(Ring::<4>::pool().capacity(), 2);
}

#[derive(Pooled)]
#[pooled(new = Self::fresh)]
struct Keyed<K, V = String>
where
    K: Ord,
{
    map: BTreeMap<K, V>,
    spare: Vec<V>,
}

impl<K: Ord, V> Keyed<K, V> {
    fn fresh() -> Self {
        Keyed {
            map: BTreeMap::new(),
            spare: Vec::with_capacity(8),
        }
    }
}

#[test]
fn where_clauses_defaults_and_new_carry_over() {
    let mut keyed = Keyed::<u32>::acquire();
    assert!(keyed.spare.capacity() >= 8, "built by `new`");
    keyed.map.insert(1, "one".to_owned());
    drop(keyed);
    assert!(Keyed::<u32>::acquire().map.is_empty());
}

/// A field that names `Self` is checked as the type it means.
#[derive(Pooled, Default)]
struct Node<T> {
    value: Vec<T>,
    next: Option<Box<Self>>,
}

#[test]
fn self_in_a_field_type() {
    let mut node = Node::<u8>::acquire();
    node.next = Some(Box::default());
    drop(node);
    assert!(Node::<u8>::acquire().next.is_none());
}
