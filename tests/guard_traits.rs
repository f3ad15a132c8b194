//! A guard where its value went: compared, ordered, hashed, used as a map
//! key looked up by `&T`, extended and iterated, through the real std
//! collections and macros, for guards of `Pooled` types and of `Pool`
//! values alike, on the standard containers and on a derived type.
// The comparisons are written as users write them (`s == ""`, `!(a != b)`,
// `guard < String::from(..)`): each checks one impl, which the lints'
// suggested rewrites would skip or fail to compile against.
#![allow(
    clippy::comparison_to_empty,
    clippy::nonminimal_bool,
    clippy::cmp_owned
)]

use std::borrow::{Borrow, BorrowMut, Cow};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};

use repool::{Guard, Pool, PoolRef, Pooled};

#[derive(Pooled, Default, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Route {
    method: String,
    path: String,
}

fn route(method: &str, path: &str) -> Guard<Route> {
    let mut r = Route::acquire();
    r.method.push_str(method);
    r.path.push_str(path);
    r
}

fn text(s: &str) -> Guard<String> {
    let mut g = String::acquire();
    g.push_str(s);
    g
}

fn text_in<'a>(pool: &'a Pool<String>, s: &str) -> Guard<String, &'a Pool<String>> {
    let mut g = pool.acquire();
    g.push_str(s);
    g
}

// ---- equality -------------------------------------------------------------

#[test]
fn the_comparisons_of_the_issue_compile_and_hold() {
    let mut buf = Vec::<u8>::acquire();
    buf.extend_from_slice(b"ok");
    let vec = b"ok".to_vec();
    assert_eq!(buf, vec);
    assert_eq!(vec, buf);
    assert!(buf == b"ok"[..]);
    assert!(b"ok"[..] == buf);
    assert_eq!(buf, b"ok");
    assert_eq!(buf, *b"ok");
    assert_eq!(buf, &b"ok"[..]);
    assert_eq!(&b"ok"[..], buf);
    assert_ne!(buf, b"no");

    let mut ids = Vec::<u32>::acquire();
    ids.extend([1, 2]);
    assert_eq!(ids, vec![1, 2]);
    assert_eq!(vec![1, 2], ids);
    assert_eq!(ids, [1, 2]);
    assert_ne!(ids, vec![2, 1]);

    let s = String::acquire();
    assert!(s == "");
    assert!("" == s);
    let get = text("GET");
    assert_eq!(get, "GET");
    assert_eq!("GET", get);
    assert_ne!(get, "PUT");
    assert!(get == *"GET");
    assert!(*"GET" == get);
    assert_eq!(get, String::from("GET"));
    assert_eq!(String::from("GET"), get);
    assert_eq!(get, Cow::Borrowed("GET"));
    assert_eq!(Cow::<str>::Owned("GET".into()), get);
}

#[test]
fn guards_compare_across_both_guard_kinds() {
    let pool = Pool::<String>::new();
    let a = text("same");
    let b = text_in(&pool, "same");
    let c = text_in(&pool, "other");
    assert_eq!(a, b);
    assert_eq!(b, a);
    assert_ne!(a, c);
    assert_ne!(c, a);
    assert!(!(a != b));
    assert!(a != c);
    assert_eq!(b, text_in(&pool, "same"));
    assert_eq!(a, text("same"));
}

#[test]
fn a_derived_type_compares_with_its_guard_and_its_value() {
    let a = route("GET", "/");
    let b = route("GET", "/");
    assert_eq!(a, b);
    assert_eq!(
        a,
        Route {
            method: "GET".into(),
            path: "/".into()
        }
    );
    assert_ne!(a, Route::default());
    assert_ne!(a, route("GET", "/x"));
}

#[test]
fn vec_deque_guards_compare_as_vec_deque_does() {
    let mut queue = VecDeque::<u8>::acquire();
    queue.extend(b"ab");
    assert_eq!(queue, vec![b'a', b'b']);
    assert_eq!(queue, &b"ab"[..]);
    assert_eq!(queue, b"ab");
    assert_eq!(queue, *b"ab");
    assert_eq!(queue, VecDeque::from(b"ab".to_vec()));
    assert_eq!(VecDeque::from(b"ab".to_vec()), queue);
    assert_ne!(queue, vec![b'b', b'a']);
}

// ---- order ----------------------------------------------------------------

#[test]
fn guards_sort_and_order_as_their_objects() {
    let pool = Pool::<String>::new();
    let mut words: Vec<Guard<String>> = ["pear", "apple", "fig"].map(text).into();
    words.sort();
    assert_eq!(words, ["apple", "fig", "pear"]);
    assert_eq!(words.iter().max().unwrap(), "pear");

    let kiwi = text_in(&pool, "kiwi");
    assert!(words[1] < kiwi && kiwi < words[2]);
    assert!(kiwi > words[0] && kiwi >= words[1] && words[2] >= kiwi);
    assert_eq!(words[0].partial_cmp(&kiwi), Some(std::cmp::Ordering::Less));
    assert!(kiwi < String::from("lime"));
    assert!(kiwi > String::from("date"));

    // Only `PartialOrd`: a NaN orders against nothing, as in `f64`.
    let mut nan = Vec::<f64>::acquire();
    nan.push(f64::NAN);
    let mut one = Vec::<f64>::acquire();
    one.push(1.0);
    assert_eq!(nan.partial_cmp(&one), None);
    assert_eq!(one.partial_cmp(&vec![2.0]), Some(std::cmp::Ordering::Less));

    let routes: BTreeSet<Guard<Route>> =
        [route("PUT", "/b"), route("GET", "/z"), route("GET", "/a")]
            .into_iter()
            .collect();
    let order: Vec<(&str, &str)> = routes
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(order, [("GET", "/a"), ("GET", "/z"), ("PUT", "/b")]);
}

// ---- hashing and map keys -------------------------------------------------

#[test]
fn a_guard_hashes_as_its_object_and_its_borrowed_forms() {
    let state = RandomState::new();
    let pool = Pool::<String>::new();
    let a = text("content-type");
    let b = text_in(&pool, "content-type");
    assert_eq!(state.hash_one(&a), state.hash_one(&*a));
    assert_eq!(state.hash_one(&a), state.hash_one(&b));
    // What `HashMap::get("..")` hashes through `Borrow<str>`.
    assert_eq!(state.hash_one(&a), state.hash_one("content-type"));
    assert_ne!(state.hash_one(&a), state.hash_one("content-length"));

    let mut bytes = Vec::<u8>::acquire();
    bytes.extend_from_slice(b"k");
    assert_eq!(state.hash_one(&bytes), state.hash_one(&b"k"[..]));

    let r = route("GET", "/");
    assert_eq!(state.hash_one(&r), state.hash_one(&*r));
}

#[test]
fn a_guard_is_a_hash_map_key_looked_up_by_t_and_by_its_views() {
    let mut headers: HashMap<Guard<String>, u32> = HashMap::new();
    headers.insert(text("content-type"), 1);
    headers.insert(text("accept"), 2);
    assert_eq!(headers.get(&String::from("accept")), Some(&2));
    assert_eq!(headers.get("content-type"), Some(&1));
    assert_eq!(headers.get("host"), None);
    assert!(headers.contains_key(&text("accept")));
    // Inserting an equal key keeps the first key and replaces the value.
    assert_eq!(headers.insert(text("accept"), 3), Some(2));
    assert_eq!(headers.len(), 2);
    let (key, value) = headers.remove_entry("accept").unwrap();
    assert_eq!((key, value), (text("accept"), 3));

    let mut frames: HashSet<Guard<Vec<u8>>> = HashSet::new();
    let mut f = Vec::<u8>::acquire();
    f.extend_from_slice(b"ping");
    assert!(frames.insert(f));
    let ping: Vec<u8> = b"ping".into();
    assert!(frames.contains(&ping));
    assert!(frames.contains(&b"ping"[..]));
    assert!(!frames.contains(&b"pong"[..]));

    let mut routes: HashMap<Guard<Route>, &str> = HashMap::new();
    routes.insert(route("GET", "/"), "index");
    let key = Route {
        method: "GET".into(),
        path: "/".into(),
    };
    assert_eq!(routes.get(&key), Some(&"index"));
}

// A `Pool` holds atomics, which the lint sees through `&Pool`; a guard's
// `Ord` reads only its object.
#[allow(clippy::mutable_key_type)]
#[test]
fn guards_of_a_pool_are_btree_keys_and_go_back_when_the_map_drops() {
    let pool = Pool::<String>::new();
    let mut index: BTreeMap<Guard<String, &Pool<String>>, usize> = BTreeMap::new();
    for (i, word) in ["b", "a", "c"].into_iter().enumerate() {
        index.insert(text_in(&pool, word), i);
    }
    assert_eq!(index.get(&String::from("a")), Some(&1));
    assert_eq!(index.get("c"), Some(&2));
    assert_eq!(index.keys().next().unwrap(), "a");
    assert_eq!(pool.stats().returned, 0);
    drop(index);
    assert_eq!(pool.stats().returned, 3);
}

/// Generic code that only knows `Borrow`, as a cache or interner is.
fn lookup<K: Borrow<Q> + Hash + Eq, Q: Hash + Eq + ?Sized, V: Copy>(
    entries: &[(K, V)],
    q: &Q,
) -> Option<V> {
    let state = RandomState::new();
    let wanted = state.hash_one(q);
    entries
        .iter()
        .find(|(k, _)| state.hash_one(k.borrow()) == wanted && k.borrow() == q)
        .map(|&(_, v)| v)
}

#[test]
fn borrow_of_t_serves_generic_code() {
    let pool = Pool::<Vec<u32>>::new();
    let mut a = pool.acquire();
    a.push(1);
    let mut b = Vec::<u32>::acquire();
    b.push(2);
    let by_pool = [(a, 'a')];
    let by_type = [(b, 'b')];
    assert_eq!(lookup(&by_pool, &vec![1]), Some('a'));
    assert_eq!(lookup(&by_type, &vec![2]), Some('b'));
    assert_eq!(lookup(&by_type, &vec![1]), None);

    fn push_one<B: BorrowMut<Vec<u32>>>(list: &mut B) {
        list.borrow_mut().push(9);
    }
    let [(mut a, _)] = by_pool;
    push_one(&mut a);
    assert_eq!(a, [1, 9]);
}

// ---- Extend and IntoIterator ----------------------------------------------

fn fill<E: Extend<u32>>(sink: &mut E, n: u32) {
    sink.extend(0..n);
}

#[test]
fn guards_extend_as_their_objects() {
    let pool = Pool::<Vec<u32>>::new();
    let mut a = Vec::<u32>::acquire();
    let mut b = pool.acquire();
    fill(&mut a, 3);
    fill(&mut b, 3);
    a.extend(&[7]); // `Vec` extends from references too
    assert_eq!(a, [0, 1, 2, 7]);
    assert_eq!(b, [0, 1, 2]);

    let mut s = String::acquire();
    s.extend(['a', 'b']);
    s.extend(["cd", "e"]);
    assert_eq!(s, "abcde");

    let mut counts = HashMap::<&str, u32>::acquire();
    counts.extend([("a", 1), ("b", 2)]);
    assert_eq!(counts.len(), 2);

    // `Iterator::partition`'s work, into pooled buffers of both kinds.
    let (mut evens, mut odds) = (Vec::<u32>::acquire(), pool.acquire());
    for i in 0..6 {
        if i % 2 == 0 {
            evens.extend([i]);
        } else {
            odds.extend([i]);
        }
    }
    assert_eq!(evens, vec![0, 2, 4]);
    assert_eq!(odds, vec![1, 3, 5]);
}

#[test]
fn references_to_guards_iterate_as_references_to_their_objects() {
    let pool = Pool::<Vec<u32>>::new();
    let mut a = Vec::<u32>::acquire();
    a.extend([1, 2, 3]);
    let mut b = pool.acquire();
    b.extend([4, 5]);

    let mut sum = 0;
    for x in &a {
        sum += x;
    }
    for x in &b {
        sum += x;
    }
    assert_eq!(sum, 15);

    for x in &mut a {
        *x *= 10;
    }
    for x in &mut b {
        *x += 1;
    }
    assert_eq!(a, [10, 20, 30]);
    assert_eq!(b, [5, 6]);

    let mut map = BTreeMap::<u32, String>::acquire();
    map.insert(2, "b".into());
    map.insert(1, "a".into());
    for (_, v) in &mut map {
        v.push('!');
    }
    let seen: Vec<(&u32, &String)> = (&map).into_iter().collect();
    assert_eq!(seen, [(&1, &"a!".to_string()), (&2, &"b!".to_string())]);

    // Generic code that takes `IntoIterator`.
    fn total<'a>(items: impl IntoIterator<Item = &'a u32>) -> u32 {
        items.into_iter().sum()
    }
    assert_eq!(total(&a) + total(&b), 71);
}

// ---- one guard in signatures ----------------------------------------------

/// Uses the object only: `&mut Vec<u8>` takes either guard kind, or a `Vec`.
fn frame(out: &mut Vec<u8>, payload: &[u8]) {
    out.push(payload.len() as u8);
    out.extend_from_slice(payload);
}

/// Keeps the guard: generic over the pool.
fn finish<P: PoolRef<Vec<u8>>>(mut out: Guard<Vec<u8>, P>) -> Guard<Vec<u8>, P> {
    out.push(b'\n');
    out
}

/// Generic over the guard's pool and over the traits of this file.
fn dedup_count<T: Eq + Hash, P: PoolRef<T>>(items: Vec<Guard<T, P>>) -> usize {
    items.into_iter().collect::<HashSet<_>>().len()
}

#[test]
fn one_function_takes_both_guard_kinds() {
    static FRAMES: Pool<Vec<u8>> = Pool::new();
    let mut a = Vec::<u8>::acquire();
    let mut b = FRAMES.acquire();
    let mut c = Vec::new();
    frame(&mut a, b"hi");
    frame(&mut b, b"hi");
    frame(&mut c, b"hi");
    let (a, b) = (finish(a), finish(b));
    assert_eq!(a, b);
    assert_eq!(a, [2, b'h', b'i', b'\n']);
    assert_eq!(c, a[..3]);
    drop(b);
    assert_eq!(FRAMES.stats().returned, 1);

    let pool = Pool::<String>::new();
    assert_eq!(dedup_count(vec![text("a"), text("b"), text("a")]), 2);
    assert_eq!(
        dedup_count(vec![text_in(&pool, "x"), text_in(&pool, "x")]),
        1
    );
    assert_eq!(pool.stats().returned, 2);
}
