//! The runtime of [repool](https://docs.rs/repool): the [`Reset`] trait, the
//! bounded, thread-safe [`Pool`], its RAII [`Guard`], and [`Pooled`], a type
//! with a pool of its own.
//!
//! Most users depend on the `repool` facade, which re-exports all of this
//! and adds `#[derive(Pooled)]`.
//!
//! ```
//! use repool::{Pool, Pooled};
//!
//! // Any standard container has a pool of its own...
//! let mut ids = Vec::<u32>::acquire();
//! ids.extend([7, 8, 9]);
//! drop(ids); // cleared, capacity kept, returned
//!
//! // ...and any `Reset` type can have a pool in a static.
//! static LINES: Pool<String> = Pool::new().with_capacity(128);
//! let mut line = LINES.acquire();
//! line.push_str("hello");
//! ```
//!
//! # Features
//!
//! Each is off by default.
//!
//! - `bytes`: a guard of a `bytes::BufMut` is a `BufMut`, and
//!   `Guard::into_bytes` hands a byte guard to a `Bytes` with no copy.
//! - `serde`: a guard of a `Serialize` type is `Serialize`; `Guard<T>` of a
//!   `Pooled + Deserialize` type is `Deserialize`, acquiring from `T`'s pool
//!   and filling the object in place (`T::deserialize_in_place`, which
//!   serde writes for `Vec`, `String` and the std containers, and
//!   `#[derive(Deserialize)]` with serde_derive's `deserialize_in_place`
//!   feature), so a parse reuses the pooled object's buffers; and
//!   `Pool::seed()` is the `DeserializeSeed` for a guard of a `Pool` value.
//! - `bytes` also gives `Reset` and `Capacity` for `bytes::BytesMut`.
//! - `http`: `Reset` and `Capacity` for `http::HeaderMap<T>` (cleared,
//!   keeping its capacity; see [`Reset`] for every type that resets).
//! - `smallvec`: the same for `smallvec::SmallVec<A>` (1.x).
//! - `hashbrown`: the same for `hashbrown::HashMap` and `HashSet` (0.17).
//! - `indexmap`: the same for `indexmap::IndexMap` and `IndexSet` (2.x).
//! - `arrayvec`: the same for `arrayvec::ArrayVec` and `ArrayString` (0.7).
//!
//! - `metrics`: `metrics::publish()` sets every pool's counters and gauges
//!   (`repool_acquired_total`, `repool_idle`, ..., labelled `pool`) in the
//!   `metrics` facade's recorder, so its exporters show them; nothing is
//!   recorded on the fast path.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use repool::Guard;
//!
//! let ids: Guard<Vec<u32>> = serde_json::from_str("[1, 2]")?;
//! assert_eq!(serde_json::to_string(&ids)?, "[1,2]");
//! # }
//! # Ok::<(), serde_json::Error>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

// Layers, each using only those below it:
//
// * front ends: `pooled` (a type's own pool) over `local` (its fast path)
//   over `pool` (`Pool<T>`); `guard`, the handle, uses none of them, and
//   `guard_io` forwards std's I/O traits and `bytes` to its object,
//   `guard_cmp` comparison, hashing and `Borrow<T>`, `guard_iter` `Extend`
//   and `IntoIterator`, and `guard_serde` serde (it alone reaches up, to
//   acquire from `Pooled` and `Pool`);
// * `trimmer`: `trim_every`'s thread, over `registry`'s `trim_all`;
// * `metrics` (feature): `pools` published through the `metrics` crate;
// * `pools`: every pool of the process, from the registry's list (it
//   names `Pool` only for its types and docs);
// * `recycle`: the return step that `local` and `pool` share;
// * `registry`: every storage (for `trim_all` and thread exit) and the
//   type table; it installs what a thread's exit does (`thread::on_exit`),
//   so `thread` needs nothing above it;
// * `core`: one pool's storage, over `panic` (a caught panic may go on
//   only while the thread still has a slot) over `thread` (slots);
// * leaves: `slot`, `lazy`, `reset` (and `diagnostic`, the derive's error
//   for a field without `Reset`), `stats`, `sync`.
mod core;
mod diagnostic;
mod guard;
mod guard_cmp;
mod guard_io;
mod guard_iter;
#[cfg(feature = "serde")]
mod guard_serde;
mod lazy;
mod local;
#[cfg(all(test, repool_loom))]
mod loom_registry;
#[cfg(all(test, repool_loom))]
mod loom_tests;
#[cfg(feature = "metrics")]
pub mod metrics;
mod panic;
mod pool;
mod pooled;
mod pools;
mod recycle;
mod registry;
mod reset;
mod slot;
mod stats;
mod sync;
mod thread;
mod trimmer;

pub use crate::guard::{Guard, PoolRef, TypePool};
#[cfg(feature = "serde")]
pub use crate::guard_serde::PoolSeed;
pub use crate::pool::{
    ClassStats, DEFAULT_CAPACITY, DEFAULT_MAX_BUFFER_BYTES, DEFAULT_MAX_IDLE_BYTES, Pool,
};
pub use crate::pooled::Pooled;
pub use crate::pools::{PoolInfo, pools};
pub use crate::registry::trim_all;
pub use crate::reset::{Buffer, Capacity, Reset};
pub use crate::stats::Stats;
pub use crate::trimmer::{TRIMMER_THREAD_NAME, Trimmer, trim_every};

/// Not public API: what `#[derive(Pooled)]` expands to.
#[doc(hidden)]
pub mod __private {
    pub use crate::diagnostic::{
        FieldCheck, FieldHasDefault, FieldHasNeither, FieldResets, HasDefault, Neither,
        ResetDefaultField, ResetField, Resets,
    };
    pub use crate::local::{LocalBuffers, LocalCache, LocalClasses};
    pub use crate::pool::Sizes;
    pub use crate::pooled::{StaticPool, typed_pool};
    pub use std::thread::LocalKey;
}
