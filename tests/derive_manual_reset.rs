//! `#[pooled(reset = manual)]`: `Reset` is written by hand and the derive
//! adds only the pool, for shapes (enums) or policies the derived reset does
//! not cover.

use repool::{Pooled, Reset};

/// Keeps its first line (a header) across uses, which no field-wise reset
/// can express without a helper function.
#[derive(Pooled)]
#[pooled(reset = manual, new = Template::new, capacity = 2)]
struct Template {
    lines: Vec<String>,
}

impl Template {
    fn new() -> Self {
        Template {
            lines: vec!["HTTP/1.1 200 OK".to_owned()],
        }
    }
}

impl Reset for Template {
    fn reset(&mut self) {
        self.lines.truncate(1);
    }
}

#[test]
fn the_hand_written_reset_runs() {
    let mut guard = Template::acquire();
    let object: *const Template = &*guard;
    guard.lines.push("content-length: 0".to_owned());
    drop(guard);

    let guard = Template::acquire();
    assert_eq!(&*guard as *const Template, object);
    assert_eq!(guard.lines, ["HTTP/1.1 200 OK"]);
    assert_eq!(Template::pool().capacity(), 2);
}

/// Enums have no derived reset (see the derive's docs); by hand, the active
/// variant is emptied in place and keeps its buffer.
#[derive(Pooled)]
#[pooled(reset = manual, new = Message::empty)]
enum Message {
    Text(String),
    Binary(Vec<u8>),
}

impl Message {
    fn empty() -> Self {
        Message::Text(String::new())
    }
}

impl Reset for Message {
    fn reset(&mut self) {
        match self {
            Message::Text(text) => text.clear(),
            Message::Binary(bytes) => bytes.clear(),
        }
    }

    fn is_oversized(&self) -> bool {
        match self {
            Message::Text(text) => text.capacity() > 1024,
            Message::Binary(bytes) => bytes.capacity() > 1024,
        }
    }
}

#[test]
fn an_enum_gets_a_pool_with_a_hand_written_reset() {
    let mut guard = Message::acquire();
    *guard = Message::Binary(Vec::with_capacity(64));
    if let Message::Binary(bytes) = &mut *guard {
        bytes.extend_from_slice(b"frame");
    }
    drop(guard);

    let guard = Message::acquire();
    match &*guard {
        Message::Binary(bytes) => assert!(bytes.is_empty() && bytes.capacity() >= 64),
        Message::Text(_) => panic!("the reset kept the active variant"),
    }
    drop(guard);

    let mut guard = Message::acquire();
    *guard = Message::Text("x".repeat(2000));
    drop(guard);
    assert_eq!(Message::pool().stats().oversized, 1);
}

/// A generic type with a hand-written reset asks `Self: Reset` of each
/// instantiation, which is exactly the hand-written impl's bounds.
#[derive(Pooled, Default)]
#[pooled(reset = manual)]
struct Slot<T> {
    value: T,
    uses: u32,
}

impl<T: Reset> Reset for Slot<T> {
    fn reset(&mut self) {
        self.value.reset();
        self.uses += 1;
    }
}

#[test]
fn a_generic_type_with_a_hand_written_reset() {
    let mut guard = Slot::<Vec<u8>>::acquire();
    guard.value.extend_from_slice(b"abc");
    drop(guard);
    let guard = Slot::<Vec<u8>>::acquire();
    assert!(guard.value.is_empty());
    assert_eq!(guard.uses, 1, "the hand-written reset counted the use");
}
