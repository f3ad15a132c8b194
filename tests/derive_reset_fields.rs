//! One row per supported field kind: fill the field, return the object to its
//! pool, acquire it again and check that the field is empty (or `None`, or
//! the default) and that its allocation was kept.
//!
//! Every row declares its own type, so it has its own pool and no other test
//! can take the object in between; the object's address proves that the
//! second guard holds the same object as the first.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, LinkedList, VecDeque};
use std::ffi::OsString;
use std::io::Cursor;
use std::marker::PhantomData;
use std::num::{Saturating, Wrapping};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{
    AtomicBool, AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize, AtomicPtr, AtomicU8,
    AtomicU16, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed,
};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use repool::{Capacity, Pooled, Reset};

/// Fills a field of a fresh object, returns the object and checks the field
/// after the round trip. `capacity` reports the field's allocation (0 where
/// there is none to keep); it must be the same after the reset.
fn round_trip<C: Pooled, F>(
    field: fn(&mut C) -> &mut F,
    fill: impl Fn(&mut F),
    is_reset: impl Fn(&F) -> bool,
    capacity: impl Fn(&F) -> usize,
) {
    let mut guard = C::acquire();
    let object: *const C = &*guard;
    assert!(is_reset(field(&mut guard)), "a fresh object starts reset");
    fill(field(&mut guard));
    assert!(
        !is_reset(field(&mut guard)),
        "the fill must change the field"
    );
    let kept = capacity(field(&mut guard));
    drop(guard);

    let mut guard = C::acquire();
    assert_eq!(
        &*guard as *const C, object,
        "the pool handed back the same object"
    );
    assert!(is_reset(field(&mut guard)), "the field was reset");
    assert_eq!(
        capacity(field(&mut guard)),
        kept,
        "the field kept its allocation"
    );
}

/// `name: Type, fill, is_reset, capacity` rows, each becoming a test with its
/// own pooled type `Case { field: Type }`.
macro_rules! field_kinds {
    ($($name:ident: $ty:ty, $fill:expr, $is_reset:expr, $capacity:expr;)*) => {$(
        #[test]
        fn $name() {
            #[derive(Pooled, Default)]
            struct Case {
                field: $ty,
            }
            round_trip::<Case, $ty>(|case| &mut case.field, $fill, $is_reset, $capacity);
        }
    )*};
}

fn none<T>(_: &T) -> usize {
    0
}

/// Panics while `lock` is held, which poisons it.
fn poison<T>(lock: impl FnOnce() -> T) {
    let panicked = panic::catch_unwind(AssertUnwindSafe(|| {
        let _guard = lock();
        panic!("poisoning the lock on purpose");
    }));
    assert!(panicked.is_err());
}

/// What an `AtomicPtr` row points at; never written through.
static POINTEE: u8 = 1;

#[derive(Reset, Default, Debug, PartialEq)]
struct Inner {
    bytes: Vec<u8>,
    name: Option<String>,
    count: u32,
}

impl Inner {
    fn fill(&mut self) {
        self.bytes.extend_from_slice(&[1; 100]);
        self.name = Some("inner".to_owned());
        self.count = 7;
    }

    fn is_reset(&self) -> bool {
        self.bytes.is_empty() && self.name.is_none() && self.count == 0
    }
}

field_kinds! {
    vec: Vec<u32>, |f| f.extend(0..100), Vec::is_empty, Vec::capacity;
    string: String, |f| f.push_str("hello, pool"), String::is_empty, String::capacity;
    vec_deque: VecDeque<u8>, |f| f.extend([1, 2, 3]), VecDeque::is_empty, VecDeque::capacity;
    hash_map: HashMap<u32, String>,
        |f| f.extend((0..50).map(|i| (i, i.to_string()))), HashMap::is_empty, HashMap::capacity;
    hash_set: HashSet<u64>, |f| f.extend(0..50), HashSet::is_empty, HashSet::capacity;
    btree_map: BTreeMap<u8, u8>, |f| f.extend([(1, 2), (3, 4)]), BTreeMap::is_empty, none;
    btree_set: BTreeSet<i8>, |f| f.extend([-1, 1]), BTreeSet::is_empty, none;
    binary_heap: BinaryHeap<i32>, |f| f.extend([5, 1, 9]), BinaryHeap::is_empty, BinaryHeap::capacity;
    option_box: Option<Box<[u8; 64]>>, |f| *f = Some(Box::new([1; 64])), Option::is_none, none;
    option_arc: Option<Arc<str>>, |f| *f = Some(Arc::from("shared")), Option::is_none, none;
    option_string: Option<String>, |f| *f = Some("x".to_owned()), Option::is_none, none;
    unsigned: u64, |f| *f = u64::MAX, |f| *f == 0, none;
    signed: i16, |f| *f = -5, |f| *f == 0, none;
    wide: u128, |f| *f = 1 << 100, |f| *f == 0, none;
    pointer_sized: isize, |f| *f = -1, |f| *f == 0, none;
    float32: f32, |f| *f = 1.5, |f| *f == 0.0, none;
    float64: f64, |f| *f = f64::NAN, |f| *f == 0.0, none;
    boolean: bool, |f| *f = true, |f| !*f, none;
    character: char, |f| *f = 'x', |f| *f == '\0', none;
    unit: ((), u8), |f| f.1 = 1, |f| f.1 == 0, none;
    array_of_ints: [u16; 4], |f| *f = [1, 2, 3, 4], |f| *f == [0; 4], none;
    array_of_vecs: [Vec<u8>; 2],
        |f| { f[0].extend([1; 10]); f[1].extend([2; 20]) },
        |f| f.iter().all(Vec::is_empty),
        |f| f[0].capacity() + f[1].capacity();
    tuple: (u32, String, Vec<u8>),
        |f| *f = (1, "one".to_owned(), vec![1; 32]),
        |f| f.0 == 0 && f.1.is_empty() && f.2.is_empty(),
        |f| f.1.capacity() + f.2.capacity();
    nested_derived: Inner, Inner::fill, Inner::is_reset, |f| f.bytes.capacity();
    boxed_derived: Box<Inner>, |f| f.fill(), |f| f.is_reset(), |f| f.bytes.capacity();
    cell: Cell<u32>, |f| f.set(3), |f| f.get() == 0, none;
    ref_cell: RefCell<Vec<u8>>,
        |f| f.borrow_mut().extend([1; 16]), |f| f.borrow().is_empty(), |f| f.borrow().capacity();
    phantom: (PhantomData<String>, u8), |f| f.1 = 1, |f| f.1 == 0, none;
    linked_list: LinkedList<u8>, |f| f.extend([1, 2]), LinkedList::is_empty, none;
    duration: Duration, |f| *f = Duration::from_millis(1500), |f| f.is_zero(), none;
    path_buf: PathBuf,
        |f| f.push("/var/log/app"), |f| f.as_os_str().is_empty(), PathBuf::capacity;
    os_string: OsString, |f| f.push("name"), |f| f.is_empty(), OsString::capacity;
    boxed_str: Box<str>, |f| *f = "boxed".into(), |f| f.is_empty(), none;
    boxed_slice: Box<[u32]>, |f| *f = vec![1; 8].into(), |f| f.is_empty(), none;
    cow_owned: Cow<'static, str>,
        |f| f.to_mut().push_str("owned"), |f| f.is_empty(), Capacity::capacity;
    cow_borrowed: Cow<'static, [u8]>,
        |f| *f = Cow::Borrowed(b"static"), |f| f.is_empty(), Capacity::capacity;
    cursor: Cursor<Vec<u8>>,
        |f| { f.get_mut().extend([1; 20]); f.set_position(5) },
        |f| f.position() == 0 && f.get_ref().is_empty(),
        |f| f.get_ref().capacity();
    wrapping: Wrapping<u32>, |f| f.0 = 9, |f| f.0 == 0, none;
    saturating: Saturating<i64>, |f| f.0 = -9, |f| f.0 == 0, none;
    reverse: Reverse<String>, |f| f.0.push('x'), |f| f.0.is_empty(), |f| f.0.capacity();
    atomic_bool: AtomicBool, |f| *f.get_mut() = true, |f| !f.load(Relaxed), none;
    atomic_u8: AtomicU8, |f| *f.get_mut() = 1, |f| f.load(Relaxed) == 0, none;
    atomic_u16: AtomicU16, |f| *f.get_mut() = 1, |f| f.load(Relaxed) == 0, none;
    atomic_u32: AtomicU32, |f| *f.get_mut() = 1, |f| f.load(Relaxed) == 0, none;
    atomic_u64: AtomicU64, |f| *f.get_mut() = 1, |f| f.load(Relaxed) == 0, none;
    atomic_usize: AtomicUsize, |f| *f.get_mut() = 1, |f| f.load(Relaxed) == 0, none;
    atomic_i8: AtomicI8, |f| *f.get_mut() = -1, |f| f.load(Relaxed) == 0, none;
    atomic_i16: AtomicI16, |f| *f.get_mut() = -1, |f| f.load(Relaxed) == 0, none;
    atomic_i32: AtomicI32, |f| *f.get_mut() = -1, |f| f.load(Relaxed) == 0, none;
    atomic_i64: AtomicI64, |f| *f.get_mut() = -1, |f| f.load(Relaxed) == 0, none;
    atomic_isize: AtomicIsize, |f| *f.get_mut() = -1, |f| f.load(Relaxed) == 0, none;
    atomic_ptr: AtomicPtr<u8>,
        |f| *f.get_mut() = std::ptr::addr_of!(POINTEE).cast_mut(),
        |f| f.load(Relaxed).is_null(),
        none;
    mutex: Mutex<Vec<u8>>,
        |f| f.get_mut().unwrap().extend([1; 32]),
        |f| f.lock().unwrap().is_empty(),
        |f| f.lock().unwrap().capacity();
    mutex_poisoned: Mutex<String>,
        |f| {
            f.get_mut().unwrap().push_str("half-written");
            // Shared, as the lock of a thread that panicked would be.
            let f = &*f;
            poison(|| f.lock())
        },
        |f| !f.is_poisoned() && f.lock().is_ok_and(|s| s.is_empty()),
        |f| f.lock().unwrap_or_else(PoisonError::into_inner).capacity();
    rw_lock: RwLock<Vec<u8>>,
        |f| f.get_mut().unwrap().extend([1; 32]),
        |f| f.read().unwrap().is_empty(),
        |f| f.read().unwrap().capacity();
    rw_lock_poisoned: RwLock<String>,
        |f| {
            f.get_mut().unwrap().push_str("half-written");
            let f = &*f;
            poison(|| f.write())
        },
        |f| !f.is_poisoned() && f.read().is_ok_and(|s| s.is_empty()),
        |f| f.read().unwrap_or_else(PoisonError::into_inner).capacity();
    once_cell: OnceCell<String>, |f| f.set("x".into()).unwrap(), |f| f.get().is_none(), none;
    once_lock: OnceLock<Vec<u8>>, |f| f.set(vec![1]).unwrap(), |f| f.get().is_none(), none;
}

#[test]
fn a_box_is_reset_in_place() {
    #[derive(Pooled, Default)]
    struct Case {
        inner: Box<Inner>,
    }

    let mut guard = Case::acquire();
    guard.inner.fill();
    let allocation: *const Inner = &*guard.inner;
    drop(guard);

    let guard = Case::acquire();
    assert!(guard.inner.is_reset());
    assert_eq!(
        &*guard.inner as *const Inner, allocation,
        "the box was not reallocated"
    );
}

#[test]
fn an_option_arc_releases_its_reference() {
    #[derive(Pooled, Default)]
    struct Case {
        config: Option<Arc<String>>,
    }

    let config = Arc::new("shared".to_owned());
    let mut guard = Case::acquire();
    guard.config = Some(Arc::clone(&config));
    assert_eq!(Arc::strong_count(&config), 2);
    drop(guard);
    assert_eq!(
        Arc::strong_count(&config),
        1,
        "the idle object holds no reference"
    );
}

#[test]
fn skip_leaves_the_field_as_is() {
    #[derive(Pooled, Default)]
    struct Case {
        bytes: Vec<u8>,
        #[pooled(skip)]
        generation: u64,
        #[pooled(skip)]
        scratch: Vec<u8>,
    }

    round_trip::<Case, Case>(
        |case| case,
        |case| {
            case.bytes.push(1);
            case.generation = 41;
            case.scratch.extend_from_slice(b"kept");
        },
        |case| case.bytes.is_empty(),
        |case| case.bytes.capacity(),
    );
    let guard = Case::acquire();
    assert_eq!(guard.generation, 41);
    assert_eq!(guard.scratch, b"kept");
}

fn keep_header(lines: &mut Vec<String>) {
    lines.truncate(1);
}

#[test]
fn reset_path_replaces_the_fields_reset() {
    #[derive(Pooled)]
    #[pooled(new = Case::with_header)]
    struct Case {
        #[pooled(reset = keep_header)]
        lines: Vec<String>,
        #[pooled(reset = Case::zero_all)]
        scores: [u8; 3],
        #[pooled(reset = String::clear)]
        name: String,
    }

    impl Case {
        fn with_header() -> Self {
            Case {
                lines: vec!["header".to_owned()],
                scores: [0; 3],
                name: String::new(),
            }
        }

        fn zero_all(scores: &mut [u8; 3]) {
            *scores = [0; 3];
        }
    }

    round_trip::<Case, Case>(
        |case| case,
        |case| {
            case.lines.push("body".to_owned());
            case.scores = [1, 2, 3];
            case.name.push_str("name");
        },
        |case| case.lines == ["header"] && case.scores == [0; 3] && case.name.is_empty(),
        |case| case.lines.capacity() + case.name.capacity(),
    );
}

#[test]
fn tuple_structs_reset_by_position() {
    #[derive(Pooled, Default)]
    struct Case(Vec<u8>, #[pooled(skip)] u32, String);

    round_trip::<Case, Case>(
        |case| case,
        |case| {
            case.0.push(1);
            case.1 = 9;
            case.2.push('x');
        },
        |case| case.0.is_empty() && case.2.is_empty(),
        |case| case.0.capacity() + case.2.capacity(),
    );
    assert_eq!(Case::acquire().1, 9);
}

#[test]
fn unit_structs_are_pooled() {
    #[derive(Pooled, Default)]
    struct Case;

    drop(Case::acquire());
    drop(Case::acquire());
    let stats = Case::pool().stats();
    assert_eq!((stats.built, stats.reused, stats.returned), (1, 1, 2));
}
