//! Thread slots: a small dense number per live thread, so a pool can give
//! each thread a private cache without a thread-local per pool (Rust has no
//! generic thread-locals).
//!
//! A slot number is taken on a thread's first pool operation and given back
//! when the thread exits, after every pool has taken back that thread's
//! cache; the smallest free number is reused first, which keeps the pools'
//! slot buckets small.

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Mutex;

use crate::core::Slot;

/// This thread has not asked for a slot yet.
const UNASSIGNED: Slot = Slot::sentinel(u32::MAX);
/// This thread's thread-locals are being destroyed: it has no slot any more.
const EXITING: Slot = Slot::sentinel(u32::MAX - 1);

thread_local! {
    // No destructor, so reading it is a plain TLS load that works at any
    // time, also while other thread-locals are being destroyed. It holds
    // the slot's location, not its number, so the fast path does no
    // arithmetic to find its cache.
    static SLOT: Cell<Slot> = const { Cell::new(UNASSIGNED) };
    // Owns the slot; its destructor hands the thread's caches back.
    static LEASE: Lease = const {
        Lease { slot: Cell::new(UNASSIGNED), remembered: RefCell::new(Vec::new()) }
    };
}

struct FreeSlots {
    next: usize,
    free: BinaryHeap<Reverse<usize>>,
}

static FREE_SLOTS: Mutex<FreeSlots> = Mutex::new(FreeSlots {
    next: 0,
    free: BinaryHeap::new(),
});

fn free_slots() -> std::sync::MutexGuard<'static, FreeSlots> {
    FREE_SLOTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The calling thread's slot, or `None` while its thread-locals are being
/// destroyed (the pools then use their shared layer directly).
#[inline]
pub(crate) fn current() -> Option<Slot> {
    let slot = SLOT.get();
    // Both sentinels have a bucket no real slot has.
    if slot.bucket() < EXITING.bucket() {
        Some(slot)
    } else {
        assign(slot)
    }
}

#[cold]
#[inline(never)]
fn assign(slot: Slot) -> Option<Slot> {
    if slot == EXITING {
        return None;
    }
    let assigned = LEASE.try_with(|lease| {
        let mut slots = free_slots();
        let index = match slots.free.pop() {
            Some(Reverse(index)) => index,
            None => {
                slots.next += 1;
                slots.next - 1
            }
        };
        let slot = Slot::of(index);
        lease.slot.set(slot);
        slot
    });
    match assigned {
        Ok(slot) => {
            SLOT.set(slot);
            Some(slot)
        }
        Err(_) => {
            SLOT.set(EXITING);
            None
        }
    }
}

struct Lease {
    slot: Cell<Slot>,
    /// Thread-locals (`LocalCache`s) that point into this slot's caches:
    /// emptied before the slot goes back, so no thread keeps a pointer to a
    /// cache that another thread may be given.
    remembered: RefCell<Vec<*const Cell<*const ()>>>,
}

/// Records a thread-local pointer into this thread's caches, to be nulled
/// when the thread's slot is given back. `false` if the thread is exiting
/// (the caller must then not keep the pointer).
pub(crate) fn remember(cell: *const Cell<*const ()>) -> bool {
    LEASE
        .try_with(|lease| {
            // The lease sets `SLOT` to `EXITING` before handing anything back.
            let live = SLOT.get().bucket() < EXITING.bucket();
            if live {
                lease.remembered.borrow_mut().push(cell);
            }
            live
        })
        .unwrap_or(false)
}

impl Drop for Lease {
    fn drop(&mut self) {
        for cell in self.remembered.get_mut().drain(..) {
            // SAFETY: every remembered cell is a const-initialised
            // thread-local of this thread without a destructor, so it lives
            // until the thread is gone; nulling it is all it expects.
            unsafe { (*cell).set(std::ptr::null()) };
        }
        let slot = self.slot.get();
        // From here on, this thread's pool operations bypass its caches.
        SLOT.set(EXITING);
        if slot == UNASSIGNED {
            return;
        }
        crate::registry::release_slot(slot);
        free_slots().free.push(Reverse(slot.index()));
    }
}
