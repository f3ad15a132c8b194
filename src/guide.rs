//! A guide: coming from Go's `sync.Pool`, choosing capacity, buffers, and
//! running pools in a service. Nothing here is API; the items it links to
//! are.
//!
//! # Coming from Go's `sync.Pool`
//!
//! Each Go idiom and what it becomes here:
//!
//! | Go | repool | what changes |
//! |---|---|---|
//! | `var p = sync.Pool{New: func() any { return new(Req) }}` | `#[derive(Default, Pooled)] struct Req { .. }` (the pool is the type's own), or `static P: Pool<Req> = Pool::new();` | no `any`, no type assertion; `#[pooled(new = path)]` or [`Pool::from_fn`](crate::Pool::from_fn) replace `New` |
//! | `r := p.Get().(*Req)` | `let mut r = Req::acquire();` | a [`Guard`](crate::Guard), which derefs to `Req`; [`try_acquire`](crate::Pooled::try_acquire) never builds |
//! | `r.Reset(); p.Put(r)` | `drop(r)` (or the end of its scope) | the derived reset runs for you, every field through its type: no field forgotten |
//! | using `r` after `Put`, keeping `r.buf` in a result | a compile error | the guard is moved or borrowed: `tests/ui/` proves each case |
//! | `Put` of an object that grew to 64 MiB (the heap-growth trap, golang/go#23199) | `#[pooled(max_capacity = N)]`, and the buffer pools' `max_capacity` | an object whose buffer grew past `N` is dropped, not kept |
//! | per-P caches, objects stolen across Ps | a per-thread cache (no atomics on its fast path) over a shared layer that moves whole batches | same idea; a thread that only returns objects hands them over |
//! | the victim cache: dropped after two GCs | [`trim`](crate::Pool::trim): what stayed idle since the previous trim goes; [`trim_every`](crate::trim_every) runs it for every pool | you choose the period, not the GC |
//! | unbounded: after a burst, idle objects until the next GCs | `capacity` (1,024 by default), a hard bound across every thread | the excess is dropped at once, counted in `stats().over_capacity` |
//! | `make(chan *Req, 64)` as a bounded pool | `#[pooled(capacity = 64)]`; [`try_acquire`](crate::Pool::try_acquire) for "only if one is idle" | the bound counts idle objects, it does not block an acquire |
//! | one `sync.Pool` of `*bytes.Buffer` for every size | `Vec::<u8>::acquire_with_capacity(n)` | size classes: a 100-byte need does not get a 1 MiB buffer, nor the reverse |
//!
//! ```
//! use repool::Pooled;
//!
//! #[derive(Default, Pooled)]
//! struct Req {
//!     #[pooled(max_capacity = 1 << 16)]
//!     body: Vec<u8>,
//!     id: u64,
//! }
//!
//! let mut r = Req::acquire(); // Get
//! r.body.extend_from_slice(b"hello");
//! r.id = 7;
//! drop(r); // Reset + Put, in one
//! let r = Req::acquire();
//! assert!(r.body.is_empty() && r.id == 0);
//! ```
//!
//! # Choosing capacity
//!
//! `capacity` bounds the objects a pool keeps idle, not the objects in use:
//! an `acquire()` on an empty pool builds, whatever the capacity. Size it to
//! what is in flight at a busy moment: the requests a server handles at
//! once, the messages between two pipeline stages. Too small, and the pool
//! drops objects it will build again (`stats().over_capacity` and
//! `stats().built` keep growing in steady state); too large, and a burst's
//! objects stay idle until trims take them. The idle memory at most is
//! `capacity` times an object's size with its buffers, which is what
//! `max_capacity` keeps in check.
//!
//! ```
//! use repool::Pooled;
//!
//! #[derive(Default, Pooled)]
//! #[pooled(capacity = 256)] // requests in flight at a busy moment
//! struct Request {
//!     #[pooled(max_capacity = 65536)] // a 1 MiB body is not kept
//!     body: Vec<u8>,
//! }
//!
//! // Later, from configuration: takes effect at once.
//! Request::pool().set_capacity(512);
//! assert_eq!(Request::pool().capacity(), 512);
//! ```
//!
//! # Buffers
//!
//! `Vec<T>`, `String`, `VecDeque<T>` and `BinaryHeap<T>` have pools of their
//! own, with a size class per power of two bytes and a byte budget
//! ([`Pool::max_idle_bytes`](crate::Pool::max_idle_bytes), 64 MiB by default
//! per element type). Use them for buffers that travel alone or whose size
//! varies widely; a derived struct that holds its buffers is faster for
//! objects used whole, because it has one pool and no class to find.
//!
//! ```
//! use repool::Pooled;
//!
//! let mut frame = Vec::<u8>::acquire_with_capacity(1500);
//! frame.extend_from_slice(b"...");
//! let frame = bytes::Bytes::from_owner(frame); // no copy
//! drop(frame); // back in its class when the last clone drops
//! ```
//!
//! # In a service
//!
//! - **Trim on a period.** [`trim_every`](crate::trim_every) starts one
//!   thread that trims every pool, so a burst's memory drains within two
//!   periods while a steady load keeps its objects. A thread that parks
//!   keeps its private cache (about 8 objects per pool, see
//!   [`Pool`](crate::Pool)) until it next uses the pool.
//! - **Watch the pools.** [`Pool::stats`](crate::Pool::stats) tells what a
//!   pool did: hits against builds, what was dropped and why, what is idle
//!   and in use. A hit rate far below 1 in steady state means the capacity
//!   is too small or the objects are dropped as oversized.
//! - **Pools built at run time** move into tasks with
//!   [`Pool::acquire_owned`](crate::Pool::acquire_owned), whose guard keeps
//!   the pool alive.
//!
//! ```no_run
//! use std::time::Duration;
//!
//! repool::trim_every(Duration::from_secs(30)).detach();
//! ```
