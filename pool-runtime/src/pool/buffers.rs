//! The public face of buffer pools: `Pool::buffers`,
//! `acquire_with_capacity`, and the settings `max_capacity` and
//! `max_idle_bytes`, which may change at any time.

use std::sync::atomic::Ordering;

use super::DEFAULT_CAPACITY;
use super::Pool;
use super::classes::{Config, Sizes, class_of};
use crate::guard::Guard;
use crate::{Buffer, Capacity, Reset};

/// Grows a buffer from class 0 (or a pool without classes) that is too
/// small for `n`: to the class's start, so it then serves any request of
/// the class. A panic here (capacity overflow) returns the buffer.
#[cold]
pub(crate) fn grow<T: Buffer>(pool: &Pool<T>, buffer: &mut T, n: usize) {
    let start = pool.sizes().map_or(0, |sizes| sizes.class_start(0));
    buffer.ensure_capacity(n.max(start));
}

impl<T: Buffer> Pool<T> {
    /// A buffer pool: buffers are kept by size class, so a request for `n`
    /// elements is served from buffers that hold them, and the bytes kept
    /// idle are bounded by [`max_idle_bytes`](Pool::max_idle_bytes). The
    /// standard buffers' own pools (`Vec::<u8>::pool()`) are made this way;
    /// [`Pool::new`] keeps one pool for every size instead.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// static BODIES: Pool<Vec<u8>> = Pool::buffers();
    /// let mut body = BODIES.acquire_with_capacity(16 << 10);
    /// assert!(body.capacity() >= 16 << 10);
    /// body.extend_from_slice(b"hello");
    /// drop(body);
    /// assert_eq!(BODIES.stats().idle, 1);
    /// assert!(BODIES.stats().idle_bytes <= BODIES.max_idle_bytes());
    /// ```
    pub const fn buffers() -> Self {
        let mut pool = Self::new();
        pool.sizes = Some(Sizes::of());
        pool.config = Config::new(Some(T::ELEMENT_BYTES), DEFAULT_CAPACITY);
        pool
    }

    /// Takes a buffer that holds at least `n` elements: from the size class
    /// whose every buffer does, else a new one with that class's smallest
    /// capacity (a power of two bytes). Past [`max_capacity`](Pool::max_capacity)
    /// the buffer is made for exactly `n` and dropped when returned.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// let pool = Pool::<String>::buffers();
    /// let line = pool.acquire_with_capacity(100);
    /// assert!(line.capacity() >= 100);
    /// ```
    pub fn acquire_with_capacity(&self, n: usize) -> Guard<T, &Self> {
        let object = match self.sizes() {
            Some(sizes) => self.take_sized(sizes, n),
            None => self.take(),
        };
        // SAFETY: `take_sized` and `take` hand over an object no one else
        // owns, which `&Self` returns here.
        let mut guard = unsafe { Guard::from_raw(object, self) };
        if Capacity::capacity(&*guard) < n {
            grow(self, &mut guard, n);
        }
        guard
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// The largest capacity, in elements, an object may keep when it comes
    /// back; `None` when this pool sets none. A buffer pool starts at 1 MiB
    /// of elements ([`DEFAULT_MAX_BUFFER_BYTES`](crate::DEFAULT_MAX_BUFFER_BYTES)).
    ///
    /// ```
    /// use repool::{Pool, Pooled};
    ///
    /// assert_eq!(Vec::<u8>::pool().max_capacity(), Some(1 << 20));
    /// assert_eq!(Vec::<u64>::pool().max_capacity(), Some(1 << 17));
    /// assert_eq!(Pool::<Vec<u8>>::new().max_capacity(), None);
    /// ```
    pub fn max_capacity(&self) -> Option<usize> {
        match self.config.max_capacity.load(Ordering::Relaxed) {
            usize::MAX => None,
            n => Some(n),
        }
    }

    /// Sets the largest capacity, in elements, an object may keep, at any
    /// time. A buffer pool drops a buffer that comes back bigger (counted
    /// as `oversized`) and, when the limit goes down, drops at once the
    /// idle buffers of the classes it no longer keeps (in other threads'
    /// caches at their next use, as [`set_capacity`](Pool::set_capacity)).
    ///
    /// Any other pool cannot measure its objects: there the value is read
    /// by the type's `is_oversized` (`#[derive(Pooled)]` compares the fields
    /// marked `#[pooled(max_capacity)]` against it), and lowering it clears
    /// the idle objects, which may be over the new limit.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::buffers();
    /// pool.set_max_capacity(4096);
    /// let mut big = pool.acquire();
    /// big.reserve(1 << 20);
    /// drop(big);
    /// assert_eq!(pool.stats().oversized, 1);
    /// ```
    pub fn set_max_capacity(&self, max_capacity: usize) {
        let element_bytes = self.sizes().map(|s| s.element_bytes);
        let was = self
            .config
            .max_capacity
            .swap(max_capacity, Ordering::Relaxed);
        match element_bytes {
            Some(per) => {
                let max_bytes = max_capacity.saturating_mul(per);
                let mut was_bytes = 0;
                self.configure(|c| was_bytes = c.max_bytes.swap(max_bytes, Ordering::Relaxed));
                // The classes above the new top keep nothing now, but the
                // top itself may hold buffers between the new limit and its
                // old ceiling, which its count does not see.
                if max_bytes < was_bytes {
                    self.clear_class(class_of(max_bytes));
                }
            }
            None if max_capacity < was => self.clear(),
            None => {}
        }
    }

    /// The most bytes of element storage a buffer pool keeps idle (each
    /// idle buffer counted at the largest size its class admits, see
    /// [`Stats::idle_bytes`](crate::Stats::idle_bytes)); [`DEFAULT_MAX_IDLE_BYTES`](crate::DEFAULT_MAX_IDLE_BYTES) unless set.
    /// `usize::MAX` for a pool that is not a buffer pool.
    pub fn max_idle_bytes(&self) -> usize {
        match self.sizes() {
            Some(_) => self.config.max_idle_bytes.load(Ordering::Relaxed),
            None => usize::MAX,
        }
    }

    /// Sets the most bytes a buffer pool keeps idle, at any time: idle
    /// buffers beyond it are dropped at once, as with
    /// [`set_capacity`](Pool::set_capacity). No effect on a pool that is
    /// not a buffer pool, which bounds objects only.
    ///
    /// ```
    /// use repool::Pool;
    ///
    /// let pool = Pool::<Vec<u8>>::buffers();
    /// let held: Vec<_> = (0..64).map(|_| pool.acquire_with_capacity(64 << 10)).collect();
    /// drop(held);
    /// pool.set_max_idle_bytes(1 << 20);
    /// assert!(pool.stats().idle_bytes <= 1 << 20);
    /// ```
    pub fn set_max_idle_bytes(&self, max_idle_bytes: usize) {
        if self.sizes().is_some() {
            self.configure(|c| c.max_idle_bytes.store(max_idle_bytes, Ordering::Relaxed));
        }
    }
}
