//! Pooled types for Rust.
//!
//! `#[derive(Pooled)]` on a struct gives it a reset that empties the object
//! while keeping its allocations, and a shared, bounded, thread-safe pool.
//! `Type::acquire()` hands out a [`Guard`]; dropping the guard resets the
//! object and puts it back. The borrow checker refuses every use of an object
//! after it went back.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

// Lets the facade's own tests and doc tests use the derives, whose output
// names `::repool::...`.
extern crate self as repool;

pub use pool_runtime::{
    Capacity, DEFAULT_CAPACITY, Guard, Pool, PoolRef, Pooled, Reset, Stats, TypePool, trim_all,
};

pub use pool_macros::{Pooled, Reset};

/// Not public API: the paths that generated code names, so that it never
/// depends on what the user's module has in scope.
#[doc(hidden)]
pub mod __private {
    pub use ::core;
    pub use pool_runtime::__private::typed_pool;
    pub use pool_runtime::{Capacity, Guard, Pool, Pooled, Reset};
}
