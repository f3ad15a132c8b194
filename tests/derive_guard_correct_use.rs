//! The correct versions of the misuses in `tests/ui/guard_*.rs`: each one
//! compiles, and the pool sees what the code meant.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use repool::{Guard, Pooled};

#[derive(Pooled, Default)]
struct Response {
    body: Vec<u8>,
}

/// `guard_use_after_drop`, `guard_double_drop`: finish with the object, then
/// drop the guard once; the pool takes the object back exactly once.
#[test]
fn use_then_drop_once() {
    #[derive(Pooled, Default)]
    struct Buf {
        bytes: Vec<u8>,
    }

    let mut buf = Buf::acquire();
    buf.bytes.extend_from_slice(b"hello");
    buf.bytes.push(b'!');
    assert_eq!(buf.bytes, b"hello!");
    drop(buf);
    assert_eq!(Buf::pool().stats().returned, 1);
}

/// `guard_use_after_detach`: use the owned value that `detach` returns.
#[test]
fn detach_hands_over_the_object() {
    #[derive(Pooled, Default)]
    struct Buf {
        bytes: Vec<u8>,
    }

    let mut buf = Buf::acquire();
    buf.bytes.push(1);
    let owned: Buf = Guard::detach(buf);
    assert_eq!(owned.bytes, [1]);
    let stats = Buf::pool().stats();
    assert_eq!((stats.detached, stats.returned, stats.idle), (1, 0, 0));
}

/// `guard_field_ref_outlives_guard`, `guard_slice_outlives_scope`: copy out
/// what must outlive the guard.
#[test]
fn copy_out_before_the_guard_drops() {
    let head: Vec<u8>;
    {
        let mut response = Response::acquire();
        response.body.extend_from_slice(b"GET / HTTP/1.1");
        head = response.body[..3].to_vec();
    }
    assert_eq!(head, b"GET");
}

/// `guard_return_ref_to_local`: return the guard itself (the caller's drop
/// returns the object) or an owned copy.
fn render(name: &str) -> Guard<Vec<u8>> {
    let mut buf = Vec::<u8>::acquire();
    buf.extend_from_slice(b"hello, ");
    buf.extend_from_slice(name.as_bytes());
    buf
}

#[test]
fn return_the_guard_not_a_borrow() {
    let rendered = render("gopher");
    assert_eq!(*rendered, b"hello, gopher");
}

/// `guard_move_field_out`: `mem::take` leaves an empty value in the pooled
/// object (the allocation goes with the taken value).
#[test]
fn take_a_field_out() {
    let mut response = Response::acquire();
    response.body.extend_from_slice(b"payload");
    let body = std::mem::take(&mut response.body);
    drop(response);
    assert_eq!(body, b"payload");
    assert!(Response::acquire().body.is_empty());
}

/// `guard_share_non_sync`: a guard of a `Send` type moves to another thread
/// and its drop there returns the object to the pool.
#[test]
fn send_a_guard_to_another_thread() {
    #[derive(Pooled, Default)]
    struct Counter {
        hits: Cell<u64>,
    }

    let counter = Counter::acquire();
    counter.hits.set(1);
    let object = &*counter as *const Counter as usize;
    thread::spawn(move || {
        counter.hits.set(counter.hits.get() + 1);
        assert_eq!(counter.hits.get(), 2);
    })
    .join()
    .unwrap();
    let stats = Counter::pool().stats();
    assert_eq!((stats.returned, stats.idle), (1, 1));
    let counter = Counter::acquire();
    assert_eq!(counter.hits.get(), 0, "reset on the other thread");
    assert_eq!(&*counter as *const Counter as usize, object);
}

/// `guard_share_non_sync`: sharing needs a `Sync` type, e.g. an atomic.
#[test]
fn share_a_guard_of_a_sync_type() {
    #[derive(Pooled, Default)]
    struct Counter {
        hits: u64,
        #[pooled(reset = reset_atomic)]
        shared: AtomicU64,
    }

    fn reset_atomic(value: &mut AtomicU64) {
        *value.get_mut() = 0;
    }

    let counter = Counter::acquire();
    thread::scope(|s| {
        s.spawn(|| counter.shared.fetch_add(1, Ordering::Relaxed));
        counter.shared.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(counter.shared.load(Ordering::Relaxed), 2);
    assert_eq!(counter.hits, 0);
}
