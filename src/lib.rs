//! Pooled types for Rust.
//!
//! `#[derive(Pooled)]` on a struct gives it a reset that empties the object
//! while keeping its allocations, and a shared, bounded, thread-safe pool.
//! `Type::acquire()` hands out a [`Guard`]; dropping the guard resets the
//! object and puts it back. The borrow checker refuses every use of an object
//! after it went back.
//!
//! ```
//! use repool::Pooled;
//! use std::{collections::HashMap, sync::Arc};
//!
//! #[derive(Default, Pooled)]
//! #[pooled(capacity = 256)]
//! struct Request {
//!     #[pooled(max_capacity = 65536)] // a huge body is dropped, not kept
//!     body: Vec<u8>,
//!     headers: HashMap<String, String>,
//!     user: Option<Arc<String>>,
//!     id: u64,
//! }
//!
//! let mut req = Request::acquire(); // from the pool, or built with Default
//! req.body.extend_from_slice(b"{\"id\":7}");
//! req.id = 7;
//! drop(req); // cleared (capacity kept), `user` released, back in the pool
//! ```
//!
//! # The API at a glance
//!
//! | to | use |
//! |---|---|
//! | make a type poolable | [`#[derive(Pooled)]`](derive@Pooled), configured by [its attributes](derive@Pooled#attributes); [`#[derive(Reset)]`](derive@Reset) for a reset alone |
//! | take an object, give it back | [`Pooled::acquire`] returns a [`Guard`]; dropping it returns the object; [`Pooled::try_acquire`] never builds |
//! | a pool that is not a type's own | [`Pool`]: `static P: Pool<T> = Pool::new();`, [`Pool::from_closure`] at run time, [`Pool::acquire_owned`] for `'static` guards |
//! | buffers by size | [`Pooled::acquire_with_capacity`] on `Vec<T>`, `String`, ...; [`Pool::buffers`], [`Pool::class_stats`] |
//! | bound memory | `capacity` ([`Pool::set_capacity`]), `max_capacity` ([`Pool::set_max_capacity`]), [`Pool::set_max_idle_bytes`] |
//! | drain idle memory | [`Pool::trim`], [`trim_all`], [`trim_every`] |
//! | see what a pool did | [`Pool::stats`] returns [`Stats`] |
//! | reset a field type of your own | implement [`Reset`] (and [`Capacity`] for `max_capacity`) |
//! | learn the ideas | the [`guide`]: coming from Go's `sync.Pool`, choosing capacity, buffers, services |
//!
//! # Buffers
//!
//! `Vec<T>`, `String`, `VecDeque<T>` and `BinaryHeap<T>` have pools of
//! their own that keep buffers by size class (powers of two bytes, see
//! [`Pool::buffers`]), with a hard bound on the bytes kept idle
//! ([`Pool::max_idle_bytes`], [`DEFAULT_MAX_IDLE_BYTES`] by default) and on
//! the largest buffer kept ([`Pool::max_capacity`]), both adjustable at run
//! time. [`Pooled::acquire_with_capacity`] serves a buffer that holds `n`
//! elements from the class whose every buffer does; a buffer goes back to
//! the class of its current capacity.
//!
//! ```
//! use repool::Pooled;
//!
//! let mut body = Vec::<u8>::acquire_with_capacity(1500);
//! assert!(body.capacity() >= 1500);
//! body.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
//! drop(body); // cleared, back in the 2 KiB class
//!
//! let pool = Vec::<u8>::pool();
//! pool.set_max_idle_bytes(4 << 20); // at once, on a pool in use
//! assert!(pool.stats().idle_bytes <= 4 << 20);
//! for class in pool.class_stats() {
//!     println!("{}..={} bytes: {} idle", class.min_capacity, class.max_capacity, class.stats.idle);
//! }
//! ```
//!
//! A derived struct that holds its buffers stays the faster choice for
//! objects used whole; the buffer pools are for buffers whose size varies,
//! or that travel alone.
//!
//! # Guards that speak I/O
//!
//! A guard implements what its object implements among `io::Write`,
//! `io::Read`, `io::BufRead` and `fmt::Write`, and the byte and text views
//! (`AsRef<[u8]>`, `AsMut<[u8]>`, `AsRef<str>`, `Borrow<[u8]>`,
//! `Borrow<str>`, ...), so a pooled buffer goes wherever a writer goes. And
//! since `AsRef<[u8]>` is all `bytes::Bytes::from_owner` asks, a byte guard
//! becomes a `Bytes` (a hyper body, say) with no copy; the buffer goes back
//! to its pool when the last clone of the `Bytes` drops, on any thread:
//!
//! ```
//! use repool::Pooled;
//!
//! let mut body = Vec::<u8>::acquire();
//! serde_json::to_writer(&mut body, &[1, 2, 3])?;
//! let body = bytes::Bytes::from_owner(body); // no copy, no feature needed
//! assert_eq!(body, "[1,2,3]");
//! drop(body); // the last clone: reset, back in `Vec<u8>`'s pool
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # Features
//!
//! Each is off by default.
//!
//! - `bytes`: a guard of a `bytes::BufMut` (a
//!   `Guard<Vec<u8>>`) is a `BufMut` itself, so tokio's
//!   `AsyncReadExt::read_buf(&mut guard)` reads straight into a pooled
//!   buffer; and `Guard::into_bytes(guard)` (or `Bytes::from(guard)`)
//!   spells the zero-copy hand-off above.
//! - `serde`: a guard of a `Serialize` type is `Serialize`; `Guard<T>` is
//!   `Deserialize`, acquiring from `T`'s pool and filling the object in
//!   place, so a parse reuses the pooled object's buffers; `Pool::seed`
//!   does the same for a `Pool` value.
//! - `metrics`: `repool::metrics::publish()` sets every
//!   pool's counters and gauges, labelled by pool name, in the `metrics`
//!   facade's recorder, so `metrics-exporter-prometheus` and the other
//!   exporters show them; [`pools()`](pools) lists the same figures
//!   without the feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub mod guide;

// Lets the facade's own tests and doc tests use the derives, whose output
// names `::repool::...`.
extern crate self as repool;

#[cfg(feature = "serde")]
pub use pool_runtime::PoolSeed;
#[cfg(feature = "metrics")]
pub use pool_runtime::metrics;
pub use pool_runtime::{
    Buffer, Capacity, ClassStats, DEFAULT_CAPACITY, DEFAULT_MAX_BUFFER_BYTES,
    DEFAULT_MAX_IDLE_BYTES, Guard, Pool, PoolRef, Pooled, Reset, Stats, TRIMMER_THREAD_NAME,
    Trimmer, TypePool, trim_all, trim_every,
};
pub use pool_runtime::{PoolInfo, pools};

/// Derives [`Reset`](trait@Reset) and [`Pooled`](trait@Pooled) for a struct
/// (or an enum with a `#[default]` variant): a reset that empties every field
/// while keeping its allocations, and the type's own shared pool, so that
/// `Type::acquire()` works wherever `repool::Pooled` is in scope.
///
/// ```
/// use repool::Pooled;
///
/// #[derive(Pooled, Default)]
/// #[pooled(capacity = 64)]
/// struct Response {
///     headers: Vec<(String, String)>,
///     #[pooled(max_capacity = 64 * 1024)]
///     body: Vec<u8>,
///     status: u16,
/// }
///
/// let mut response = Response::acquire();
/// response.status = 200;
/// response.body.extend_from_slice(b"hello");
/// drop(response); // reset (capacity kept) and back in the pool
///
/// let response = Response::acquire(); // the same object, empty
/// assert!(response.body.is_empty() && response.body.capacity() >= 5);
/// assert_eq!(response.status, 0);
/// assert_eq!(Response::pool().stats().reused, 1);
/// ```
///
/// # What is generated
///
/// - `impl Reset`: `reset` resets each field through the field type's own
///   [`Reset`](trait@Reset) impl (see its table: containers are cleared with
///   their capacity kept, `Option`s become `None`, numbers, `bool` and `char`
///   their default, and nested types that derive `Reset` are reset
///   recursively); `is_oversized` is true when a `max_capacity` is exceeded,
///   or when a field's own `is_oversized` is true (a nested type's limits
///   still apply).
/// - `impl Pooled`: the type's pool, built with `Default::default` unless
///   `new` says otherwise. A non-generic type's pool is a `static`; each
///   instantiation of a generic type gets a pool of its own, so `Batch<u8>`
///   and `Batch<String>` never share objects.
///
/// `#[derive(Pooled)]` includes `#[derive(Reset)]`: deriving both is a
/// "conflicting implementations of trait `Reset`" error.
///
/// # Attributes
///
/// All keys live in one `#[pooled(...)]` namespace, on the type or on a
/// field. A misspelled, repeated, misplaced or conflicting key is an error at
/// that key, and every such mistake is reported in the same build.
///
/// | on the type | value | effect |
/// |---|---|---|
/// | `capacity = N` | `usize` expression | at most `N` idle objects are kept ([`Pool::with_capacity`]); default [`DEFAULT_CAPACITY`] |
/// | `new = path` | path to a `fn() -> Self` | builds fresh objects, e.g. pre-sized buffers; default `Default::default` |
/// | `name = "..."` | string | the name [`pools()`](pools) lists the pool under (and metrics label it with, [`Pool::with_name`]); default the type's name, [`std::any::type_name`] |
/// | `crate = path` | path | where the generated code finds repool, for crates that re-export or rename it; default `::repool` |
/// | `reset = manual` | | `Reset` is implemented by hand; derive only the pool (field keys are then errors) |
///
/// | on a field | value | effect |
/// |---|---|---|
/// | `skip` | | the field is left as is: not reset, not checked; its type needs no `Reset` |
/// | `reset = default` | | assigns `Default::default()` instead of calling the field's `Reset` impl; its type needs `Default`, not `Reset` (what the field held is dropped, allocations included) |
/// | `reset = path` | path to a `fn(&mut FieldType)` | called instead of the field's `Reset` impl; its type needs no `Reset` |
/// | `max_capacity = N` | `usize` expression | if the field's [`Capacity`] grew past `N`, the object is dropped instead of returned (counted in [`Stats::oversized`]) |
///
/// `skip` conflicts with `reset` and with `max_capacity`. `max_capacity` works
/// for every type that implements [`Capacity`]: the std containers, `Box` and
/// `Option` of them, and types of your own.
///
/// In `reset = default`, the bare identifier `default` is the keyword; any
/// other path is a function, so a function of your own named `default` is
/// `reset = self::default` (or any longer path to it). `reset = default`
/// suits small types that have `Default` and nothing worth keeping (an enum,
/// a settings struct of numbers); a type that owns buffers is better served by
/// a `Reset` impl that clears them and keeps their capacity.
///
/// ```
/// use repool::{Capacity, Pooled};
///
/// #[derive(Pooled)]
/// #[pooled(new = Parser::presized, capacity = 16)]
/// struct Parser {
///     #[pooled(max_capacity = 1 << 20)]
///     input: String,
///     #[pooled(reset = keep_root)]
///     stack: Vec<u32>,
///     /// Survives reuse: the parser's own id.
///     #[pooled(skip)]
///     id: u64,
/// }
///
/// impl Parser {
///     fn presized() -> Self {
///         Parser { input: String::with_capacity(4096), stack: vec![0], id: 7 }
///     }
/// }
///
/// fn keep_root(stack: &mut Vec<u32>) {
///     stack.truncate(1);
/// }
///
/// let mut parser = Parser::acquire();
/// assert!(parser.input.capacity() >= 4096);
/// parser.stack.extend([1, 2, 3]);
/// drop(parser);
///
/// let mut parser = Parser::acquire();
/// assert_eq!((parser.stack.as_slice(), parser.id), (&[0][..], 7));
/// parser.input.reserve(2 << 20); // grew past `max_capacity`...
/// drop(parser);
/// assert_eq!(Parser::pool().stats().oversized, 1); // ...so it was dropped
/// assert_eq!(Parser::pool().capacity(), 16);
/// ```
///
/// # Shapes
///
/// - **Structs** with named fields, tuple structs and unit structs.
/// - **Generic structs.** Bounds follow the fields, as serde's do: the impls
///   ask `FieldType: Reset` and `FieldType: Send` of the field types that
///   mention a parameter (and `T: 'static`, since pools are `'static`),
///   rather than `T: Reset + Send` of every parameter. A `PhantomData<fn() -> T>`
///   field therefore asks nothing of `T` but `'static`.
/// - **Enums with a `#[default]` variant** (the attribute of std's
///   `#[derive(Default)]`, on a unit variant) reset to that variant, whichever
///   variant is active: the old variant's fields are dropped, allocations
///   included. That suits an enum that is a small field (`Method`,
///   `Encoding`, `State`) and, derived `Pooled`, an enum object whose pool
///   only saves its own allocation. The reset asks nothing of the type's
///   parameters. Field keys in an enum's variants are errors: the reset does
///   not look at them.
///
/// ```
/// use repool::Pooled;
///
/// #[derive(Pooled, Default, Debug, PartialEq)]
/// enum Method {
///     #[default]
///     Get,
///     Post,
///     Other(String),
/// }
///
/// let mut method = Method::acquire();
/// *method = Method::Other("PURGE".into());
/// drop(method); // `Other`'s `String` is dropped
/// assert_eq!(*Method::acquire(), Method::Get);
/// ```
///
/// - **Enums without a `#[default]` variant are refused**, with an error
///   that says to add one. A reset that keeps allocations can only keep those
///   of the active variant, so to keep them write `Reset` by hand, which
///   makes the choice explicit, and derive the pool with `reset = manual`:
///
/// ```
/// use repool::{Pooled, Reset};
///
/// #[derive(Pooled)]
/// #[pooled(reset = manual, new = Message::empty)]
/// enum Message {
///     Text(String),
///     Binary(Vec<u8>),
/// }
///
/// impl Message {
///     fn empty() -> Self {
///         Message::Text(String::new())
///     }
/// }
///
/// impl Reset for Message {
///     fn reset(&mut self) {
///         // Keep the active variant and its buffer.
///         match self {
///             Message::Text(text) => text.clear(),
///             Message::Binary(bytes) => bytes.clear(),
///         }
///     }
/// }
///
/// let mut message = Message::acquire();
/// *message = Message::Binary(b"frame".to_vec());
/// drop(message);
/// assert!(matches!(&*Message::acquire(), Message::Binary(b) if b.is_empty()));
/// ```
///
/// - **Unions** are refused for the same reason (which field is active is
///   unknown); `reset = manual` works for them too.
/// - **Lifetime parameters** are refused by `#[derive(Pooled)]`: pooled
///   objects live in a `'static` pool and outlive every borrow. Store owned
///   data (`String`, `Vec<T>`, `Option<Arc<T>>`).
///
/// # Field types
///
/// A field whose type has no `Reset` impl (`std::fs::File`, `Arc<T>`, `&T`)
/// is an error at that field, naming the field's type as written (a
/// `Box<File>`, not the `File` inside) and saying what to do:
/// `#[pooled(skip)]`, `#[pooled(reset = path)]`, `#[pooled(reset = default)]`
/// when the type has `Default`, `#[derive(Reset)]` for a type of your own,
/// or `Option<Arc<T>>` (reset to `None`, so the idle object does not keep the
/// shared value alive).
///
/// Guards are returned to the pool from any thread, so a pooled type must be
/// `Send`: a field that is not (an `Rc`, say) is an error at that field.
/// [`derive@Reset`] alone has no such requirement.
pub use pool_macros::Pooled;

/// Derives [`Reset`](trait@Reset) alone: every field is reset through its own
/// `Reset` impl, keeping its allocations, with no pool attached.
///
/// Use it for a type that lives in a [`Pool`] you own, for a field type of a
/// pooled struct, or for a type that cannot be pooled by type (it is not
/// `Send`, or it borrows). The field attributes of [`derive@Pooled`] apply
/// (`skip`, `reset = default`, `reset = path`, `max_capacity = N`), as does
/// `crate = path`; the pool's keys (`capacity`, `new`, `reset = manual`) are
/// errors here. An enum with a `#[default]` variant resets to it (dropping
/// the active variant's fields); other enums and unions are refused, for the
/// reasons given on [`derive@Pooled`].
///
/// ```
/// use repool::{Pooled, Reset};
///
/// // Has `Default` but no `Reset`.
/// #[derive(Reset, Default, Clone, Copy, Debug, PartialEq)]
/// enum Encoding {
///     #[default]
///     Identity,
///     Gzip,
/// }
///
/// #[derive(Default, Debug, PartialEq)]
/// struct Limits {
///     max_body: usize,
/// }
///
/// #[derive(Pooled, Default)]
/// struct Response {
///     encoding: Encoding, // its derived `Reset`
///     #[pooled(reset = default)]
///     limits: Limits, // `Limits::default()`
///     body: Vec<u8>,
/// }
///
/// let mut response = Response::acquire();
/// response.encoding = Encoding::Gzip;
/// response.limits.max_body = 1 << 20;
/// drop(response);
/// let response = Response::acquire();
/// assert_eq!((response.encoding, &response.limits), (Encoding::Identity, &Limits::default()));
/// ```
///
/// ```
/// use std::rc::Rc;
///
/// use repool::{Pool, Reset};
///
/// // Not `Send`, so it has no pool, but it still resets.
/// #[derive(Reset)]
/// struct Session {
///     lines: Vec<String>,
///     user: Option<Rc<str>>,
///     #[pooled(skip)]
///     id: u32,
/// }
///
/// let mut session = Session { lines: vec!["a".into()], user: Some("ann".into()), id: 1 };
/// session.reset();
/// assert!(session.lines.is_empty() && session.user.is_none() && session.id == 1);
///
/// // A `Send` type that derives `Reset` can live in a pool of your own.
/// #[derive(Reset, Default)]
/// struct Frame {
///     #[pooled(max_capacity = 4096)]
///     payload: Vec<u8>,
/// }
///
/// static FRAMES: Pool<Frame> = Pool::new().with_capacity(8);
/// let mut frame = FRAMES.acquire();
/// frame.payload.extend_from_slice(b"data");
/// drop(frame);
/// assert!(FRAMES.acquire().payload.is_empty());
/// ```
pub use pool_macros::Reset;

/// Not public API: the paths that generated code names, so that it never
/// depends on what the user's module has in scope.
#[doc(hidden)]
pub mod __private {
    pub use ::core;
    pub use pool_runtime::__private::{
        FieldCheck, FieldHasDefault, FieldHasNeither, FieldResets, HasDefault, LocalCache,
        LocalKey, Neither, ResetDefaultField, ResetField, Resets, StaticPool, typed_pool,
    };
    pub use pool_runtime::{Capacity, Guard, Pool, Pooled, Reset};
}

/// The README's examples, compiled and run as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
