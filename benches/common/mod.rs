//! What every benchmark target shares: the pooled request type, the
//! candidate pools, the workloads and the thread drivers, and the same for
//! the mixed-size byte buffers ([`buffers`]).
//!
//! Included with `#[path]` by every target of this crate (`repool-benches`):
//! the criterion benches, the `bench_report` binary and its tests, so that
//! all of them measure exactly the same code.

// Each including target uses a different subset of this module.
#![allow(dead_code)]

pub(crate) mod buffers;
pub(crate) mod candidates;
#[path = "../../examples/support/counting_alloc.rs"]
pub(crate) mod counting_alloc;
pub(crate) mod drive;
/// Only the criterion benches use it.
pub(crate) mod groups;

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The pooled type of every scenario: a request context.
///
/// `new` so that every object built is counted by [`live`]; `capacity`
/// spelled out (it is the default) because the burst checks it.
#[derive(Debug, repool::Pooled)]
#[pooled(capacity = CAPACITY, new = Req::new)]
pub(crate) struct Req {
    pub(crate) body: Vec<u8>,
    pub(crate) ids: Vec<u32>,
    pub(crate) index: HashMap<u32, u32>,
    pub(crate) user: Option<Arc<u64>>,
    pub(crate) id: u64,
}

/// The idle bound of every bounded pool, repool's included.
pub(crate) const CAPACITY: usize = 1024;

impl Req {
    pub(crate) fn new() -> Self {
        live::add(1);
        Req {
            body: Vec::new(),
            ids: Vec::new(),
            index: HashMap::new(),
            user: None,
            id: 0,
        }
    }

    /// The reset the anchor pools are given: field for field what repool's
    /// derived `Reset` does, so every pool pays for the same work.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.body.clear();
        self.ids.clear();
        self.index.clear();
        self.user = None;
        self.id = 0;
    }
}

impl Default for Req {
    fn default() -> Self {
        Req::new()
    }
}

impl Drop for Req {
    fn drop(&mut self) {
        live::add(-1);
    }
}

/// Counts live `Req`s, so the burst can tell how many objects a pool keeps.
///
/// A per-thread cell rather than one shared atomic: a contended counter
/// would slow down exactly the candidates that construct and drop objects
/// (no pool at all) in the multi-threaded scenarios.
pub(crate) mod live {
    use super::*;

    /// Counts of threads that have exited, and of drops that ran after the
    /// thread's own cell was torn down.
    static FOLDED: AtomicI64 = AtomicI64::new(0);

    struct Local(Cell<i64>);

    impl Drop for Local {
        fn drop(&mut self) {
            FOLDED.fetch_add(self.0.get(), Ordering::Relaxed);
        }
    }

    thread_local! {
        static LOCAL: Local = const { Local(Cell::new(0)) };
    }

    pub(crate) fn add(delta: i64) {
        if LOCAL.try_with(|l| l.0.set(l.0.get() + delta)).is_err() {
            FOLDED.fetch_add(delta, Ordering::Relaxed);
        }
    }

    /// Objects made minus objects dropped on this thread so far.
    pub(crate) fn this_thread() -> i64 {
        LOCAL.try_with(|l| l.0.get()).unwrap_or(0)
    }

    /// This thread's count plus those of every thread that has exited: the
    /// number of live objects once no other thread that touched one is alive.
    pub(crate) fn settled() -> i64 {
        FOLDED.load(Ordering::Relaxed) + this_thread()
    }
}

/// 4 KiB of request body.
static PAYLOAD: [u8; 4096] = [0x5a; 4096];

/// Round trip: set one field. Everything else is pool overhead.
#[inline(always)]
pub(crate) fn touch(req: &mut Req, i: u64) {
    req.id = i;
}

/// Request: 4 KiB body, 256 ids, 16 map entries.
#[inline(always)]
pub(crate) fn fill(req: &mut Req, i: u64) {
    req.id = i;
    req.body.extend_from_slice(&PAYLOAD);
    let salt = i as u32;
    for k in 0..256u32 {
        req.ids.push(k ^ salt);
    }
    for k in 0..16u32 {
        req.index.insert(k, salt.wrapping_add(k));
    }
}

/// What the receiving side of the handoff reads before it lets go.
#[inline(always)]
pub(crate) fn read(req: &Req) -> usize {
    req.body.len() + req.ids.len() + req.index.len() + req.id as usize
}
