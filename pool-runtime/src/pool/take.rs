//! How a pool hands an object out and takes it back when no thread-local
//! fast path serves it: the thread's cache or the shared layer, a build on
//! a miss, and the return step for pools without a fast path.

use std::ptr::NonNull;

use super::Pool;
use crate::core::{Core, Event, Slot};
use crate::recycle::{self, Verdict, prepare};
use crate::{Reset, thread};

impl<T: Reset + Send + 'static> Pool<T> {
    /// An object the caller now owns: idle or newly built.
    #[inline]
    pub(crate) fn take(&self) -> NonNull<T> {
        if let Some(sizes) = self.sizes() {
            return self.take_any(sizes);
        }
        self.take_at(self.core(), thread::current())
    }

    /// An object for the thread with `slot` (if any), from `core`, this
    /// pool's storage: idle or newly built.
    #[inline]
    pub(crate) fn take_at(&self, core: &Core<T>, slot: Option<Slot>) -> NonNull<T> {
        match Self::pop_at(core, slot) {
            Some(object) => object,
            None => self.build_missing(core, slot),
        }
    }

    /// An idle object for the thread with `slot` (if any), from `core`:
    /// never a build, and a miss is not counted.
    #[inline]
    pub(crate) fn pop_at(core: &Core<T>, slot: Option<Slot>) -> Option<NonNull<T>> {
        match slot {
            // SAFETY: `slot` is `thread::current()`, this thread's own.
            Some(slot) => unsafe { core.pop(slot) },
            None => core.pop_unowned(),
        }
    }

    /// An idle object, or `None`: [`Pool::try_acquire`]. A pool never used
    /// has no storage yet, and this does not make it.
    pub(crate) fn try_take(&self) -> Option<NonNull<T>> {
        if self.sizes().is_some() {
            return self.try_take_any();
        }
        Self::pop_at(self.existing_core()?, thread::current())
    }

    /// Builds an object because none was idle, and counts the miss once the
    /// constructor returned: one that panics builds and hands out nothing.
    #[cold]
    fn build_missing(&self, core: &Core<T>, slot: Option<Slot>) -> NonNull<T> {
        let object = self.build();
        core.note_miss(slot);
        object
    }

    #[cold]
    pub(super) fn build(&self) -> NonNull<T> {
        NonNull::from(Box::leak(Box::new(self.make.call())))
    }

    /// Resets `object` and makes it idle, or drops it if it is oversized,
    /// its reset panics, or the pool is full.
    ///
    /// # Safety
    ///
    /// `object` comes from [`Pool::take`] on this pool and the caller gives
    /// up its ownership.
    #[inline]
    pub(crate) unsafe fn put(&self, object: NonNull<T>) {
        if let Some(sizes) = self.sizes() {
            // SAFETY: forwarded from the caller.
            return unsafe { self.put_sized(sizes, object) };
        }
        // SAFETY: the caller owns `object`.
        match unsafe { prepare(object) } {
            // SAFETY: forwarded from the caller.
            Verdict::Keep => unsafe { recycle::give_back(self.core(), object) },
            // SAFETY: forwarded from the caller.
            verdict => unsafe { recycle::not_kept(self.core(), object, verdict) },
        }
    }

    /// Counts an object that leaves the pool's care by `Guard::detach` or
    /// `Guard::discard`.
    pub(crate) fn note_left(&self, object: &T, detached: bool) {
        let event = if detached {
            Event::Detached
        } else {
            Event::UserDiscarded
        };
        let core = match self.sizes() {
            // Counted in the class the object would go back to.
            Some(sizes) => self.class_core(self.class_of_object(sizes, object)),
            None => self.core(),
        };
        core.note(event, 1);
    }
}
