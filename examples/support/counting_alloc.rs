//! A counting global allocator: `System`, and counts of what is asked of it.
//!
//! One implementation for every program that measures allocations: the
//! `pipeline` and `http_server` examples (through `support`), the benchmark
//! report and its tests (through `benches/common`) and `tests/allocs.rs`.
//!
//! Every call is counted for the thread that makes it, in thread-local cells
//! that no other thread writes, so counting costs a few plain loads and
//! stores. Totals for the whole process, which one thread can sample while
//! others allocate, cost a write to a shared atomic on every call: in the
//! multi-threaded benches that contended write would slow the candidates
//! that allocate far more than the allocation itself does, so only
//! [`CountingAlloc::PROCESS_WIDE`] keeps them all the time, and
//! [`count_process_wide`] turns them on for a while under
//! [`CountingAlloc::PER_THREAD`] (the buffer burst of the benchmark report:
//! memory that threads free as they exit is counted nowhere else).

// Each program reads the counts it needs and leaves the others.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

/// `System`, counting. Install one of the two constants as the
/// `#[global_allocator]`.
#[derive(Debug)]
pub(crate) struct CountingAlloc {
    process_wide: bool,
}

impl CountingAlloc {
    /// Counts per thread only: [`thread_allocs`], [`thread_net_bytes`].
    pub(crate) const PER_THREAD: CountingAlloc = CountingAlloc {
        process_wide: false,
    };

    /// Counts per thread, and for the whole process as well:
    /// [`process_allocs`], [`process_live_bytes`].
    pub(crate) const PROCESS_WIDE: CountingAlloc = CountingAlloc { process_wide: true };

    /// Counts `ptr`, just returned by `System`, as one allocation that grew
    /// the heap by `bytes`; nothing when it is null (the allocation failed).
    #[inline]
    fn counted(&self, ptr: *mut u8, bytes: i64) -> *mut u8 {
        if !ptr.is_null() {
            self.record(1, bytes);
        }
        ptr
    }

    #[inline]
    fn record(&self, allocs: u64, bytes: i64) {
        let _ = THREAD_ALLOCS.try_with(|c| c.set(c.get() + allocs));
        let _ = THREAD_NET_BYTES.try_with(|c| c.set(c.get() + bytes));
        if self.process_wide || PROCESS_WIDE_NOW.load(Ordering::Relaxed) {
            if allocs > 0 {
                PROCESS_ALLOCS.fetch_add(allocs, Ordering::Relaxed);
            }
            PROCESS_LIVE_BYTES.fetch_add(bytes, Ordering::Relaxed);
        }
    }
}

thread_local! {
    // Const-initialised and without a destructor: using them never
    // allocates, which would re-enter the allocator, and never fails, not
    // even while the thread is torn down.
    static THREAD_ALLOCS: Cell<u64> = const { Cell::new(0) };
    static THREAD_NET_BYTES: Cell<i64> = const { Cell::new(0) };
}

static PROCESS_ALLOCS: AtomicU64 = AtomicU64::new(0);
static PROCESS_LIVE_BYTES: AtomicI64 = AtomicI64::new(0);
/// Set by [`count_process_wide`]. Written only between measurements, so
/// reading it on every call costs a load of a line that stays shared.
static PROCESS_WIDE_NOW: AtomicBool = AtomicBool::new(false);

/// From now on, until it is called with `false`, every thread's calls also
/// count in the process-wide totals ([`process_allocs`],
/// [`process_live_bytes`]) under [`CountingAlloc::PER_THREAD`] too. The
/// totals then hold only what happened while it was on: compare two
/// readings taken within one such window. Threads see the change at their
/// next synchronisation with the caller (a spawn, a barrier, a join).
pub(crate) fn count_process_wide(on: bool) {
    PROCESS_WIDE_NOW.store(on, Ordering::SeqCst);
}

/// Allocations (calls to `alloc`, `alloc_zeroed` and `realloc`) made by this
/// thread so far.
pub(crate) fn thread_allocs() -> u64 {
    THREAD_ALLOCS.try_with(Cell::get).unwrap_or(0)
}

/// Bytes allocated minus bytes freed by this thread so far. Negative when
/// this thread frees what others allocated.
pub(crate) fn thread_net_bytes() -> i64 {
    THREAD_NET_BYTES.try_with(Cell::get).unwrap_or(0)
}

/// Allocations made by every thread so far; 0 unless the allocator is
/// [`CountingAlloc::PROCESS_WIDE`] or [`count_process_wide`] is on.
pub(crate) fn process_allocs() -> u64 {
    PROCESS_ALLOCS.load(Ordering::Relaxed)
}

/// Bytes the whole process holds on the heap now; 0 unless the allocator is
/// [`CountingAlloc::PROCESS_WIDE`] (under [`count_process_wide`], the net
/// bytes of the calls made while it was on).
pub(crate) fn process_live_bytes() -> i64 {
    PROCESS_LIVE_BYTES.load(Ordering::Relaxed)
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged and returns its result, so `System`'s guarantees are this
// allocator's. The counting around the calls never allocates (it would
// re-enter the allocator) and never unwinds (an allocator must not): it
// touches only atomics and const-initialised thread-locals through
// `try_with`, which cannot panic.
unsafe impl GlobalAlloc for CountingAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; our caller upholds `alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        self.counted(ptr, layout.size() as i64)
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; our caller upholds `alloc_zeroed`'s
        // contract.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        self.counted(ptr, layout.size() as i64)
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; `ptr` and `layout` describe a block
        // this allocator returned, that is, one `System` returned.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        self.counted(new, new_size as i64 - layout.size() as i64)
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) };
        self.record(0, -(layout.size() as i64));
    }
}
