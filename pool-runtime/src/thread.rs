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
use std::sync::{Mutex, OnceLock};

use crate::slot::{Slot, ThreadSlot};

thread_local! {
    // No destructor, so reading it is a plain TLS load that works at any
    // time, also while other thread-locals are being destroyed. It holds
    // the slot's location, not its number, so the fast path does no
    // arithmetic to find its cache.
    static SLOT: Cell<ThreadSlot> = const { Cell::new(ThreadSlot::UNASSIGNED) };
    // Owns the slot; its destructor hands the thread's caches back.
    static LEASE: Lease = const {
        Lease { slot: Cell::new(None), remembered: RefCell::new(Vec::new()) }
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
    let state = SLOT.get();
    match state.slot() {
        Some(slot) => Some(slot),
        None => assign(state),
    }
}

#[cold]
#[inline(never)]
fn assign(state: ThreadSlot) -> Option<Slot> {
    if state == ThreadSlot::EXITING {
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
        lease.slot.set(Some(slot));
        slot
    });
    match assigned {
        Ok(slot) => {
            SLOT.set(ThreadSlot::assigned(slot));
            Some(slot)
        }
        Err(_) => {
            SLOT.set(ThreadSlot::EXITING);
            None
        }
    }
}

struct Lease {
    /// The slot this thread holds, once it asked for one.
    slot: Cell<Option<Slot>>,
    /// Thread-locals (`LocalCache`s) that point into this slot's caches:
    /// emptied before the slot goes back, so no thread keeps a pointer to a
    /// cache that another thread may be given.
    remembered: RefCell<Vec<*const Cell<*const ()>>>,
}

/// Records a thread-local pointer into this thread's caches, to be nulled
/// when the thread's slot is given back. `false` if the thread is exiting
/// (the caller must then not keep the pointer).
///
/// # Safety
///
/// `cell` points to a thread-local of the calling thread that stays valid,
/// unmoved, until the thread is gone (a `thread_local!` with a `const`
/// initialiser and no destructor), and that may be nulled then: the
/// lease's destructor writes a null through it.
pub(crate) unsafe fn remember(cell: *const Cell<*const ()>) -> bool {
    LEASE
        .try_with(|lease| {
            // The lease sets `SLOT` to `EXITING` before handing anything back.
            let live = SLOT.get().slot().is_some();
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
            // thread-local of this thread without a destructor (the
            // contract of `remember`), so it lives until the thread is
            // gone; nulling it is all it expects.
            unsafe { (*cell).set(std::ptr::null()) };
        }
        // From here on, this thread's pool operations bypass its caches.
        SLOT.set(ThreadSlot::EXITING);
        let Some(slot) = self.slot.get() else {
            return;
        };
        if let Some(release) = ON_EXIT.get() {
            release(slot);
        }
        free_slots().free.push(Reverse(slot.index()));
    }
}

/// What a thread's exit does with its slot before the slot is given back:
/// hand its caches back to every pool. Installed by the registry when it
/// registers the first pool (before that no pool holds a cache), so this
/// file needs to know nothing of pools.
static ON_EXIT: OnceLock<fn(Slot)> = OnceLock::new();

/// Installs what [`ON_EXIT`] runs; later calls keep the first.
pub(crate) fn on_exit(release: fn(Slot)) {
    let _ = ON_EXIT.set(release);
}
