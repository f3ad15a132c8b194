//! A pool's upkeep, off the fast path: `trim` and `clear`, a new
//! capacity, and `prewarm`. Each runs user destructors or constructors and
//! holds no lock while they run.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::Ordering;

use super::Pool;
use crate::core::Event;
use crate::panic::rethrow;
use crate::recycle;
use crate::{Reset, thread};

impl<T: Reset + Send + 'static> Pool<T> {
    /// Drops the objects that stayed idle since the previous `trim`; the
    /// others survive this one (see the type's docs for other threads'
    /// caches). Call it from a timer so that memory held after a burst
    /// drains away while a steady load keeps its objects.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::new();
    /// drop(pool.acquire());
    /// pool.trim();
    /// assert_eq!(pool.stats().idle, 1, "an object survives one trim");
    /// pool.trim();
    /// assert_eq!(pool.stats().idle, 0, "but not two");
    /// ```
    ///
    /// If a destructor panics, the trim still drops every object it should,
    /// then passes the first panic on.
    pub fn trim(&self) {
        if self.sizes.is_some() {
            // SAFETY: `thread::current` is this thread's own slot.
            return self.sweep_classes(|core| unsafe { core.trim(thread::current()) });
        }
        if let Some(core) = self.existing_core() {
            // SAFETY: `thread::current` is this thread's own slot.
            rethrow(unsafe { core.trim(thread::current()) });
        }
    }

    /// Drops every idle object now (other threads' private caches: at their
    /// next use of the pool, see the type's docs).
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// let pool = Pool::<String>::new();
    /// pool.prewarm(10);
    /// pool.clear();
    /// assert_eq!(pool.stats().idle, 0);
    /// ```
    ///
    /// If a destructor panics, every other idle object is still dropped,
    /// then the first panic goes on.
    pub fn clear(&self) {
        if self.sizes.is_some() {
            // SAFETY: `thread::current` is this thread's own slot.
            return self.sweep_classes(|core| unsafe { core.clear(thread::current()) });
        }
        if let Some(core) = self.existing_core() {
            // SAFETY: `thread::current` is this thread's own slot.
            rethrow(unsafe { core.clear(thread::current()) });
        }
    }

    /// Changes the most idle objects this pool keeps, at once: on a lower
    /// capacity, idle objects beyond it are dropped now in the shared layer
    /// and this thread's cache, and in every other thread's cache at that
    /// thread's next use of the pool (see the type's docs). Works on a pool
    /// in a `static` or shared by an `Arc`, before or after first use.
    ///
    /// If a destructor panics, the rest are still dropped, then the first
    /// panic goes on.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// static LINES: Pool<String> = Pool::new();
    /// let held: Vec<_> = (0..10).map(|_| LINES.acquire()).collect();
    /// drop(held);
    /// assert_eq!(LINES.stats().idle, 10);
    /// LINES.set_capacity(3);
    /// assert_eq!((LINES.capacity(), LINES.stats().idle), (3, 3));
    /// ```
    pub fn set_capacity(&self, capacity: usize) {
        if self.sizes.is_some() {
            return self.configure(|c| c.objects.store(capacity, Ordering::Relaxed));
        }
        // Made first if need be, so a first use racing this call cannot
        // make the storage with the old capacity after the new one was set.
        let core = self.core();
        // SAFETY: `thread::current` is this thread's own slot.
        rethrow(unsafe { core.set_capacity(capacity, thread::current()) });
    }

    /// Builds up to `n` objects now and makes them idle, never past
    /// `capacity`; returns how many it built. For a server, before its
    /// first requests, so they do not pay for allocation.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::new().with_capacity(16);
    /// assert_eq!(pool.prewarm(10), 10);
    /// assert_eq!(pool.prewarm(10), 6, "capped by capacity");
    /// assert_eq!(pool.stats().idle, 16);
    /// ```
    pub fn prewarm(&self, n: usize) -> usize {
        let core = match self.sizes {
            // Empty buffers, which live in class 0.
            Some(_) => self.class_core(0),
            None => self.core(),
        };
        // Room first, so nothing is built that the pool cannot keep.
        let room = core.reserve(n);
        let mut built = Vec::with_capacity(room);
        let made = catch_unwind(AssertUnwindSafe(|| {
            for _ in 0..room {
                built.push(self.build());
            }
        }));
        if let Err(panic) = made {
            // Nothing is counted: the objects already built are dropped
            // (their destructors' panics counted) and the room given back.
            core.unreserve(room);
            for object in built {
                // SAFETY: built above and never shared.
                drop(unsafe { recycle::drop_object(core, object) });
            }
            resume_unwind(panic);
        }
        core.note(Event::Prewarmed, room as u64);
        core.stock_reserved(built);
        room
    }
}
