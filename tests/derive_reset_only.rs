//! `#[derive(Reset)]` alone: no pool, so none of the pool's requirements
//! (`Send`, `'static`, a constructor) apply.

use std::rc::Rc;

use repool::{Pool, Reset};

/// Not `Send`: fine for a reset that the owner calls itself.
#[derive(Reset, Default)]
struct Local {
    names: Vec<String>,
    shared: Option<Rc<String>>,
}

#[test]
fn a_non_send_type_can_derive_reset() {
    let shared = Rc::new("shared".to_owned());
    let mut local = Local {
        names: Vec::with_capacity(8),
        shared: Some(Rc::clone(&shared)),
    };
    local.names.push("a".to_owned());
    local.reset();
    assert!(local.names.is_empty() && local.names.capacity() >= 8);
    assert!(local.shared.is_none());
    assert_eq!(Rc::strong_count(&shared), 1);
    assert!(!local.is_oversized());
}

/// A borrowing type: the borrowed field is skipped, the rest is reset.
#[derive(Reset)]
struct Tokens<'a> {
    tokens: Vec<&'a str>,
    #[pooled(skip)]
    source: &'a str,
}

#[test]
fn a_borrowing_type_can_derive_reset() {
    let text = "a b c".to_owned();
    let mut tokens = Tokens {
        tokens: text.split(' ').collect(),
        source: &text,
    };
    tokens.reset();
    assert!(tokens.tokens.is_empty());
    assert_eq!(tokens.source, "a b c");
}

/// A `Reset` type in a pool the user owns, instead of the type's own pool.
#[derive(Reset, Default)]
struct Frame {
    payload: Vec<u8>,
    #[pooled(max_capacity = 32)]
    scratch: String,
}

static FRAMES: Pool<Frame> = Pool::new().with_capacity(4);

#[test]
fn a_reset_type_in_a_static_pool() {
    let mut frame = FRAMES.acquire();
    frame.payload.extend_from_slice(b"data");
    frame.scratch.push_str("tmp");
    drop(frame);
    let frame = FRAMES.acquire();
    assert!(frame.payload.is_empty() && frame.scratch.is_empty());
    drop(frame);

    let mut frame = FRAMES.acquire();
    frame.scratch.reserve(100);
    drop(frame);
    assert_eq!(FRAMES.stats().oversized, 1);
}
