//! `#[pooled(reset = default)]` and enums with a `#[default]` variant,
//! through the real derives.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use repool::{Pool, Pooled, Reset};

/// A type with `Default` and no `Reset`: a parsed HTTP method.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Method {
    #[default]
    Get,
    Post,
    Put,
}

/// Has `Default`, no `Reset`, and holds an allocation whose drop is seen.
#[derive(Debug, Default, PartialEq)]
struct Labels(Vec<&'static str>);

#[derive(Pooled, Default)]
struct Request {
    #[pooled(reset = default)]
    method: Method,
    #[pooled(reset = default)]
    labels: Labels,
    body: Vec<u8>,
}

#[test]
fn reset_default_assigns_default_in_pooled() {
    let mut request = Request::acquire();
    request.method = Method::Post;
    request.labels.0.push("admin");
    request.body.extend_from_slice(b"{}");
    drop(request);
    let request = Request::acquire();
    assert_eq!(request.method, Method::Get);
    assert_eq!(request.labels, Labels::default());
    assert!(request.body.is_empty() && request.body.capacity() >= 2);
}

/// `default` as a bare identifier is the keyword; a function named `default`
/// is reached by a longer path.
fn default(addr: &mut IpAddr) {
    *addr = IpAddr::V4(Ipv4Addr::LOCALHOST);
}

#[derive(Reset)]
struct Peer {
    #[pooled(reset = default)]
    method: Method,
    #[pooled(reset = self::default)]
    addr: IpAddr,
    #[pooled(skip)]
    since: Instant,
}

#[test]
fn reset_default_in_derive_reset_and_a_fn_named_default() {
    let since = Instant::now();
    let mut peer = Peer {
        method: Method::Put,
        addr: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        since,
    };
    peer.reset();
    assert_eq!(peer.method, Method::Get);
    assert_eq!(peer.addr, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(peer.since, since);
}

/// A generic field with `reset = default` asks `T: Default` of its type,
/// not `T: Reset`.
#[derive(Reset)]
struct Tagged<T> {
    #[pooled(reset = default)]
    tag: T,
    items: Vec<u32>,
}

#[test]
fn reset_default_on_a_generic_field() {
    let mut tagged = Tagged {
        tag: Method::Post,
        items: vec![1, 2, 3],
    };
    tagged.reset();
    assert_eq!(tagged.tag, Method::Get);
    assert!(tagged.items.is_empty());
}

/// An enum that derives `Reset` returns to its `#[default]` variant.
#[derive(Reset, Debug, Default, PartialEq, Eq)]
enum Encoding {
    #[default]
    Identity,
    Gzip,
    Chunked,
}

#[derive(Pooled, Default)]
struct Response {
    encoding: Encoding,
    body: Vec<u8>,
}

#[test]
fn enum_with_default_variant_resets_as_a_field() {
    let mut response = Response::acquire();
    response.encoding = Encoding::Chunked;
    response.body.push(1);
    drop(response);
    let response = Response::acquire();
    assert_eq!(response.encoding, Encoding::Identity);
    assert!(response.body.is_empty());
    assert_eq!(Response::pool().stats().reused, 1);

    let mut encoding = Encoding::Gzip;
    encoding.reset();
    assert_eq!(encoding, Encoding::Identity);
}

/// A variant with fields: a reset drops what it held.
#[derive(Reset, Debug, Default, PartialEq)]
enum Body {
    #[default]
    Empty,
    Text(String),
    Parts {
        parts: Vec<Vec<u8>>,
    },
}

#[test]
fn enum_reset_drops_the_active_variant() {
    let mut body = Body::Parts {
        parts: vec![vec![1; 64]; 3],
    };
    body.reset();
    assert_eq!(body, Body::Empty);
    body = Body::Text("hello".into());
    body.reset();
    assert_eq!(body, Body::Empty);
    assert!(!body.is_oversized());
}

/// An enum can be pooled: its `Default` builds fresh objects.
#[derive(Pooled, Debug, Default, PartialEq)]
#[pooled(capacity = 4)]
enum Frame {
    #[default]
    Idle,
    Data(Vec<u8>),
}

#[test]
fn pooled_enum_goes_back_to_its_default_variant() {
    let mut frame = Frame::acquire();
    assert_eq!(*frame, Frame::Idle);
    *frame = Frame::Data(vec![7; 16]);
    drop(frame);
    let frame = Frame::acquire();
    assert_eq!(*frame, Frame::Idle);
    let stats = Frame::pool().stats();
    assert_eq!((stats.reused, Frame::pool().capacity()), (1, 4));
}

/// A generic enum asks nothing of its parameter to reset (std's
/// `Default` asks `T: Default`; the reset assigns the variant by name).
#[derive(Reset, Default, Debug, PartialEq)]
enum Slot<T> {
    #[default]
    Empty,
    Full(T),
}

#[test]
fn generic_enum_resets_without_bounds() {
    struct NoTraits;
    let mut slot = Slot::Full(NoTraits);
    slot.reset();
    assert!(matches!(slot, Slot::Empty));
}

/// An enum in a pool of its own, through `Pool<T>`.
#[test]
fn enum_in_a_pool_value() {
    static ENCODINGS: Pool<Encoding> = Pool::new().with_capacity(2);
    let mut encoding = ENCODINGS.acquire();
    *encoding = Encoding::Gzip;
    drop(encoding);
    assert_eq!(*ENCODINGS.acquire(), Encoding::Identity);
}

/// The new paths of the generated code (`reset = default`, an enum's reset,
/// the field checks) depend neither on the prelude nor on the user's names.
#[no_implicit_prelude]
#[allow(dead_code, non_camel_case_types, reason = "the names are the point")]
mod shadowed {
    pub(crate) struct Default;
    pub(crate) struct Sized;
    pub(crate) struct Reset;
    pub(crate) struct FieldCheck;
    pub(crate) struct ResetField;
    pub(crate) struct Resets;
    pub(crate) struct bool;
    pub(crate) mod core {}

    #[derive(::repool::Pooled, ::core::default::Default)]
    pub(crate) struct Plain {
        #[pooled(reset = default)]
        pub(crate) count: u32,
        pub(crate) state: State,
        pub(crate) bytes: ::std::vec::Vec<u8>,
    }

    #[derive(
        ::repool::Reset, ::core::default::Default, ::core::fmt::Debug, ::core::cmp::PartialEq,
    )]
    pub(crate) enum State {
        #[default]
        Idle,
        Busy(::std::string::String),
    }
}

#[test]
fn generated_code_is_hygienic() {
    let mut plain = shadowed::Plain::acquire();
    plain.count = 3;
    plain.state = shadowed::State::Busy("x".into());
    drop(plain);
    let plain = shadowed::Plain::acquire();
    assert_eq!((plain.count, &plain.state), (0, &shadowed::State::Idle));
}
