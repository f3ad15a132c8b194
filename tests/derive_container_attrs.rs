//! The attributes on the type: `capacity = N`, `new = path`, `crate = path`.

use std::sync::atomic::{AtomicUsize, Ordering};

use repool::{DEFAULT_CAPACITY, Pooled};

#[derive(Pooled, Default)]
#[pooled(capacity = 3)]
struct Small {
    bytes: Vec<u8>,
}

#[test]
fn capacity_bounds_the_idle_objects() {
    assert_eq!(Small::pool().capacity(), 3);
    let guards: Vec<_> = (0..5).map(|_| Small::acquire()).collect();
    drop(guards);
    let stats = Small::pool().stats();
    assert_eq!(stats.returned, 3);
    assert_eq!(stats.over_capacity, 2);
    assert_eq!(stats.idle, 3);
}

#[derive(Pooled, Default)]
struct Unbounded {
    bytes: Vec<u8>,
}

#[test]
fn capacity_defaults_to_the_runtimes_default() {
    assert_eq!(Unbounded::pool().capacity(), DEFAULT_CAPACITY);
}

const SLOTS: usize = 8;

#[derive(Pooled, Default)]
#[pooled(capacity = SLOTS * 2)]
struct Computed {
    bytes: Vec<u8>,
}

#[test]
fn capacity_can_be_a_constant_expression() {
    assert_eq!(Computed::pool().capacity(), 16);
}

#[derive(Pooled, Default)]
#[pooled(capacity = 0)]
struct KeepNothing {
    bytes: Vec<u8>,
}

#[test]
fn capacity_zero_keeps_nothing() {
    drop(KeepNothing::acquire());
    let stats = KeepNothing::pool().stats();
    assert_eq!((stats.returned, stats.over_capacity, stats.idle), (0, 1, 0));
}

static BUILT: AtomicUsize = AtomicUsize::new(0);

fn presized() -> Presized {
    BUILT.fetch_add(1, Ordering::Relaxed);
    Presized {
        bytes: Vec::with_capacity(4096),
    }
}

/// No `Default`: `new` is the only way to build one.
#[derive(Pooled)]
#[pooled(new = presized)]
struct Presized {
    bytes: Vec<u8>,
}

#[test]
fn new_builds_fresh_objects() {
    let first = Presized::acquire();
    let second = Presized::acquire();
    assert!(first.bytes.capacity() >= 4096 && second.bytes.capacity() >= 4096);
    assert_eq!(BUILT.load(Ordering::Relaxed), 2);
    drop((first, second));
    drop(Presized::acquire());
    assert_eq!(
        BUILT.load(Ordering::Relaxed),
        2,
        "a reused object is not rebuilt"
    );
    assert_eq!(Presized::pool().stats().built, 2);
}

#[derive(Pooled)]
#[pooled(new = Self::with_header, capacity = 4)]
struct Headed {
    lines: Vec<String>,
}

impl Headed {
    fn with_header() -> Self {
        Headed {
            lines: Vec::with_capacity(16),
        }
    }
}

#[test]
fn new_can_name_self() {
    assert!(Headed::acquire().lines.capacity() >= 16);
    assert_eq!(Headed::pool().capacity(), 4);
}

extern crate repool as renamed;

/// Stands for a crate that re-exports repool under a path of its own.
mod facade {
    pub(crate) use ::repool as pooling;
}

#[derive(Pooled, Default)]
#[pooled(crate = crate::facade::pooling)]
struct ThroughFacade {
    bytes: Vec<u8>,
}

#[derive(renamed::Pooled, Default)]
#[pooled(crate = ::renamed)]
struct ThroughRename {
    bytes: Vec<u8>,
}

#[test]
fn crate_names_the_path_to_repool() {
    let mut guard = ThroughFacade::acquire();
    guard.bytes.push(1);
    drop(guard);
    assert!(ThroughFacade::acquire().bytes.is_empty());

    let mut guard = ThroughRename::acquire();
    guard.bytes.push(1);
    drop(guard);
    assert!(ThroughRename::acquire().bytes.is_empty());
}
