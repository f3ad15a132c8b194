//! `#[pooled(max_capacity = N)]`: an object whose field grew past `N` is
//! dropped when its guard drops, instead of going back to the pool.

use std::sync::atomic::{AtomicUsize, Ordering};

use repool::{Capacity, Pooled, Reset};

/// Counts the drops of the object it is part of.
struct Drops(&'static AtomicUsize);

impl Drop for Drops {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

static BUFFER_DROPS: AtomicUsize = AtomicUsize::new(0);

#[derive(Pooled)]
#[pooled(new = Buffer::new)]
struct Buffer {
    #[pooled(max_capacity = 64)]
    bytes: Vec<u8>,
    #[pooled(skip)]
    _drops: Drops,
}

impl Buffer {
    fn new() -> Self {
        Buffer {
            bytes: Vec::new(),
            _drops: Drops(&BUFFER_DROPS),
        }
    }
}

#[test]
fn an_oversized_object_is_dropped_not_returned() {
    // Within the limit: back to the pool, not dropped.
    let mut guard = Buffer::acquire();
    guard.bytes.extend_from_slice(&[1; 10]);
    assert!(guard.bytes.capacity() <= 64);
    drop(guard);
    let stats = Buffer::pool().stats();
    assert_eq!((stats.returned, stats.oversized), (1, 0));
    assert_eq!(BUFFER_DROPS.load(Ordering::Relaxed), 0);

    // Past the limit: dropped, and the next acquire builds a new object.
    let mut guard = Buffer::acquire();
    guard.bytes.reserve(1000);
    drop(guard);
    let stats = Buffer::pool().stats();
    assert_eq!(
        (stats.returned, stats.oversized, stats.discarded),
        (1, 1, 1)
    );
    assert_eq!(BUFFER_DROPS.load(Ordering::Relaxed), 1);
    assert_eq!(stats.idle, 0);

    let guard = Buffer::acquire();
    assert_eq!(Buffer::pool().stats().built, 2);
    assert!(guard.bytes.capacity() <= 64);
}

#[test]
fn the_limit_itself_is_allowed() {
    // A type of its own: dropping a `Buffer` here would count in
    // `BUFFER_DROPS` while the test above checks it.
    #[derive(Reset, Default)]
    struct AtLimit {
        #[pooled(max_capacity = 64)]
        bytes: Vec<u8>,
    }

    let mut at_limit = AtLimit::default();
    at_limit.bytes.reserve_exact(64);
    assert_eq!(at_limit.bytes.capacity(), 64);
    assert!(!at_limit.is_oversized());
    at_limit.bytes.reserve_exact(65);
    assert!(at_limit.is_oversized());
}

/// `object` stays within its limits once `grow(object, within)` grew it,
/// and goes past them once `grow(object, past)` grew it further.
fn assert_limit<T: Reset>(mut object: T, grow: impl Fn(&mut T, usize), within: usize, past: usize) {
    let name = std::any::type_name::<T>();
    grow(&mut object, within);
    assert!(!object.is_oversized(), "{name}: oversized after {within}");
    grow(&mut object, past);
    assert!(
        object.is_oversized(),
        "{name}: kept after {within}, then {past}"
    );
}

/// A user type with its own notion of capacity: the bytes of every chunk.
#[derive(Default)]
struct Arena {
    chunks: Vec<Vec<u8>>,
}

impl Arena {
    fn alloc(&mut self, len: usize) {
        self.chunks.push(Vec::with_capacity(len));
    }
}

impl Reset for Arena {
    fn reset(&mut self) {
        self.chunks.truncate(1);
        self.chunks.iter_mut().for_each(Vec::clear);
    }
}

impl Capacity for Arena {
    fn capacity(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum()
    }
}

#[derive(Pooled, Default)]
struct Parser {
    #[pooled(max_capacity = 1024)]
    arena: Arena,
    #[pooled(max_capacity = 16)]
    pending: Option<Vec<u32>>,
    #[pooled(max_capacity = 256, reset = String::clear)]
    text: String,
}

#[test]
fn user_types_limit_through_their_capacity_impl() {
    // 1100 bytes is past 1024.
    assert_limit(Parser::default(), |p, n| p.arena.alloc(n), 1000, 100);

    let mut guard = Parser::acquire();
    guard.arena.alloc(2048);
    drop(guard);
    let stats = Parser::pool().stats();
    assert_eq!((stats.oversized, stats.returned), (1, 0));
}

#[test]
fn each_limited_field_is_checked() {
    let mut parser = Parser {
        pending: Some(Vec::with_capacity(17)),
        ..Parser::default()
    };
    assert!(parser.is_oversized(), "an option counts its content");
    parser.pending = None;
    assert!(!parser.is_oversized());
    parser.text.reserve(257);
    assert!(
        parser.is_oversized(),
        "`reset = path` does not turn the limit off"
    );
}

#[derive(Reset, Default)]
struct Inner {
    #[pooled(max_capacity = 8)]
    ids: Vec<u64>,
}

#[derive(Pooled, Default)]
struct Outer {
    inner: Inner,
    boxed: Box<Inner>,
    #[pooled(skip)]
    unchecked: Inner,
}

#[test]
fn nested_limits_apply_to_the_outer_object() {
    let mut outer = Outer::default();
    outer.unchecked.ids.reserve(100);
    assert!(!outer.is_oversized(), "a skipped field is not checked");
    outer.inner.ids.reserve(100);
    assert!(outer.is_oversized());

    let mut outer = Outer::default();
    outer.boxed.ids.reserve(100);
    assert!(outer.is_oversized(), "a box forwards its content's limit");

    let mut guard = Outer::acquire();
    guard.inner.ids.reserve(100);
    drop(guard);
    assert_eq!(Outer::pool().stats().oversized, 1);
}

const LIMIT: usize = 4 * 16;

#[derive(Pooled, Default)]
struct Computed {
    #[pooled(max_capacity = LIMIT / 2)]
    bytes: Vec<u8>,
}

#[test]
fn the_limit_can_be_a_constant_expression() {
    assert_limit(Computed::default(), |c, n| c.bytes.reserve_exact(n), 32, 33);
}

/// A nested type's limit, wherever a wrapper holds it.
#[derive(Reset, Default)]
struct Limited {
    #[pooled(max_capacity = 16)]
    bytes: Vec<u8>,
}

#[derive(Pooled, Default)]
struct Wrapped {
    cell: std::cell::Cell<Limited>,
    ref_cell: std::cell::RefCell<Limited>,
    boxed: Box<Limited>,
    array: [Limited; 2],
    tuple: (u8, Limited),
    mutex: std::sync::Mutex<Limited>,
    rw_lock: std::sync::RwLock<Limited>,
    wrapping: std::num::Wrapping<Limited>,
    saturating: std::num::Saturating<Limited>,
    reverse: std::cmp::Reverse<Limited>,
    cursor: std::io::Cursor<Limited>,
}

#[test]
fn every_wrapper_passes_a_nested_limit_on() {
    type Grow = fn(&mut Wrapped);
    let cases: [(&str, Grow); 11] = [
        ("Cell", |w| w.cell.get_mut().bytes.reserve(1 << 20)),
        ("RefCell", |w| w.ref_cell.get_mut().bytes.reserve(1 << 20)),
        ("Box", |w| w.boxed.bytes.reserve(1 << 20)),
        ("array", |w| w.array[1].bytes.reserve(1 << 20)),
        ("tuple", |w| w.tuple.1.bytes.reserve(1 << 20)),
        ("Mutex", |w| {
            w.mutex.get_mut().unwrap().bytes.reserve(1 << 20)
        }),
        ("RwLock", |w| {
            w.rw_lock.get_mut().unwrap().bytes.reserve(1 << 20)
        }),
        ("Wrapping", |w| w.wrapping.0.bytes.reserve(1 << 20)),
        ("Saturating", |w| w.saturating.0.bytes.reserve(1 << 20)),
        ("Reverse", |w| w.reverse.0.bytes.reserve(1 << 20)),
        ("Cursor", |w| w.cursor.get_mut().bytes.reserve(1 << 20)),
    ];
    for (wrapper, grow) in cases {
        let before = Wrapped::pool().stats();
        let mut guard = Wrapped::acquire();
        grow(&mut guard);
        drop(guard);
        let step = Wrapped::pool().stats().since(&before);
        assert_eq!(
            (step.oversized, step.returned),
            (1, 0),
            "a 1 MiB buffer inside a {wrapper} went back to the pool: {step:?}"
        );
    }
    // Within the limit, every wrapper's object is kept.
    let before = Wrapped::pool().stats();
    drop(Wrapped::acquire());
    let step = Wrapped::pool().stats().since(&before);
    assert_eq!((step.oversized, step.returned), (0, 1), "{step:?}");
}

/// The std types with a capacity of their own besides the containers.
#[derive(Reset, Default)]
struct Paths {
    #[pooled(max_capacity = 64)]
    path: std::path::PathBuf,
    #[pooled(max_capacity = 64)]
    name: std::ffi::OsString,
    #[pooled(max_capacity = 64)]
    label: std::borrow::Cow<'static, str>,
    #[pooled(max_capacity = 64)]
    cursor: std::io::Cursor<Vec<u8>>,
}

#[test]
fn paths_cows_and_cursors_have_a_limit() {
    assert_limit(Paths::default(), |p, n| p.path.reserve_exact(n), 64, 65);
    assert_limit(Paths::default(), |p, n| p.name.reserve_exact(n), 64, 65);
    assert_limit(
        Paths::default(),
        |p, n| p.label.to_mut().reserve_exact(n),
        64,
        65,
    );
    assert_limit(
        Paths::default(),
        |p, n| p.cursor.get_mut().reserve_exact(n),
        64,
        65,
    );
    // A borrowed value owns nothing to limit, however long.
    const LONG: &str = concat!(
        "a label longer than the limit of 64, borrowed, ",
        "so never allocated by the pooled object"
    );
    assert!(LONG.len() > 64);
    let borrowed = Paths {
        label: std::borrow::Cow::Borrowed(LONG),
        ..Paths::default()
    };
    assert!(!borrowed.is_oversized());
}
