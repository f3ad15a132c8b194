//! The class table of a buffer pool: one core per size class, made on
//! first use, and the paths that take a buffer from its class, return it to
//! the class of its current capacity, and apply the settings to every
//! class (see `classes.rs` for the classes and their counts).

use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};

use super::classes::{CLASSES, Config, Sizes, class_floor, class_for, class_of};
use super::{Pool, stats_of};
use crate::core::{Core, Slot, stash_count};
use crate::lazy::{Lost, OnceArc};
use crate::panic::{Panic, rethrow};
use crate::recycle::{self, Verdict, prepare};
use crate::registry::{self, ClassShape, Listing, Storage};
use crate::{Reset, Stats, thread};

/// One core per class, each made on first use.
pub(crate) struct ClassTable<T> {
    cores: [OnceArc<Core<T>>; CLASSES],
    /// What every class is listed with in the registry: the settings that
    /// `pools()` needs, and by its address which classes are one pool's.
    shape: Arc<ClassShape>,
}

impl<T> ClassTable<T> {
    fn new(config: &Config, element_bytes: usize) -> Self {
        Self {
            cores: std::array::from_fn(|_| OnceArc::new()),
            shape: Arc::new(ClassShape::new(
                element_bytes,
                config.max_bytes.load(Ordering::Relaxed),
                config.objects.load(Ordering::Relaxed),
            )),
        }
    }

    /// Copies the settings the registry lists for this table. Under the
    /// shape's lock, so of two setters the later copy reads both settings:
    /// at rest the copy is the pool's settings.
    fn copy_settings(&self, config: &Config) {
        let shape = &self.shape;
        let _copying = shape
            .copying
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let max_bytes = config.max_bytes.load(Ordering::Relaxed);
        shape.max_bytes.store(max_bytes, Ordering::Relaxed);
        let objects = config.objects.load(Ordering::Relaxed);
        shape.objects.store(objects, Ordering::Relaxed);
    }

    fn existing(&self) -> impl Iterator<Item = (usize, &Core<T>)> {
        self.cores
            .iter()
            .enumerate()
            .filter_map(|(k, core)| Some((k, core.get()?)))
    }
}

impl<T> Drop for ClassTable<T> {
    fn drop(&mut self) {
        for core in &mut self.cores {
            if let Some(core) = core.take() {
                registry::unregister(Arc::as_ptr(&core).cast());
                drop(core);
            }
        }
    }
}

/// How one size class of a buffer pool stands, from [`Pool::class_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ClassStats {
    /// The class's index: 0 for buffers of fewer than 128 bytes, `k` for
    /// those of `[64 << k, 64 << (k + 1))` bytes.
    pub class: usize,
    /// The smallest capacity, in elements, of a buffer in this class.
    pub min_capacity: usize,
    /// The largest capacity, in elements, of a buffer this class keeps.
    pub max_capacity: usize,
    /// How many idle buffers this class may keep.
    pub capacity: usize,
    /// What happened in this class: `reused` is its hits, `built` the
    /// buffers it made, `idle`/`idle_bytes` what it keeps.
    pub stats: Stats,
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// The sizes of a buffer pool; `None` for one pool for all objects.
    #[inline(always)]
    pub(crate) fn sizes(&self) -> Option<&Sizes<T>> {
        self.sizes.as_ref()
    }

    fn table(&self) -> &ClassTable<T> {
        match self.classes.get() {
            Some(table) => table,
            None => self.make_table(),
        }
    }

    #[cold]
    #[inline(never)]
    fn make_table(&self) -> &ClassTable<T> {
        let element_bytes = self.sizes().map_or(0, |s| s.element_bytes);
        let table = ClassTable::new(&self.config, element_bytes);
        match self.classes.publish(Arc::new(table)) {
            Ok(table) => table,
            // Nothing was made in the loser's table yet.
            Err(Lost { winner, .. }) => winner,
        }
    }

    /// Class `k`'s core, made on first use.
    #[inline]
    pub(crate) fn class_core(&self, k: usize) -> &Core<T> {
        match self.table().cores[k].get() {
            Some(core) => core,
            None => self.make_class(k),
        }
    }

    #[cold]
    #[inline(never)]
    fn make_class(&self, k: usize) -> &Core<T> {
        let config = &self.config;
        let version = config.version.load(Ordering::SeqCst);
        let core = Arc::new(Core::new(config.count(k), stash_count()));
        let table = self.table();
        let listing = Listing {
            class: Some((k, Arc::clone(&table.shape))),
            ..self.listing()
        };
        // Registered before it is published, as in `Pool::init`.
        registry::register(Arc::clone(&core) as Arc<dyn Storage>, listing);
        let core = match table.cores[k].publish(core) {
            Ok(core) => core,
            Err(Lost { winner, ours }) => {
                registry::unregister(Arc::as_ptr(&ours).cast());
                drop(ours);
                winner
            }
        };
        // With the fence in `apply_config`: either that setter's loop sees
        // this core, or this load sees its bump (no store buffering).
        fence(Ordering::SeqCst);
        if config.version.load(Ordering::SeqCst) != version {
            // A setter ran while this core was made and may have missed it.
            rethrow(self.apply_config());
        }
        core
    }

    /// Gives every existing class the count the settings give it now,
    /// until no setter changed them meanwhile. Excess idle buffers are
    /// dropped (user code: no lock is held).
    pub(crate) fn apply_config(&self) -> Option<Panic> {
        let mut panic = None;
        loop {
            let version = self.config.version.load(Ordering::SeqCst);
            // See `make_class`; the table is read after it too.
            fence(Ordering::SeqCst);
            if let Some(table) = self.classes.get() {
                for (k, core) in table.existing() {
                    let count = self.config.count(k);
                    if core.capacity() != count {
                        // SAFETY: `thread::current` is this thread's own slot.
                        let dropped = unsafe { core.set_capacity(count, thread::current()) };
                        panic = panic.or(dropped);
                    }
                }
            }
            if self.config.version.load(Ordering::SeqCst) == version {
                return panic;
            }
        }
    }

    pub(crate) fn configure(&self, set: impl FnOnce(&Config)) {
        // The table first, so that it exists before the settings change:
        // made with the old ones, it gets the new ones copied below.
        let table = self.table();
        set(&self.config);
        self.config.version.fetch_add(1, Ordering::SeqCst);
        table.copy_settings(&self.config);
        rethrow(self.apply_config());
    }

    /// An object from class `k` (or a new one with the class's smallest
    /// capacity, or exactly `n` past the largest class).
    #[inline]
    pub(crate) fn take_class_at(
        &self,
        sizes: &Sizes<T>,
        k: usize,
        core: &Core<T>,
        slot: Option<Slot>,
        n: usize,
    ) -> NonNull<T> {
        let idle = match slot {
            // SAFETY: `thread::current` is this thread's own slot.
            Some(slot) => unsafe { core.pop(slot) },
            None => core.pop_unowned(),
        };
        match idle {
            Some(object) => object,
            None => self.build_in_class(sizes, k, core, slot, n),
        }
    }

    #[cold]
    fn build_in_class(
        &self,
        sizes: &Sizes<T>,
        k: usize,
        core: &Core<T>,
        slot: Option<Slot>,
        n: usize,
    ) -> NonNull<T> {
        let capacity = if k > self.config.top() || n == 0 {
            n
        } else {
            sizes.class_start(k).max(n)
        };
        let buffer = (sizes.with_capacity)(capacity);
        // Counted where the buffer will live: past the largest class, one
        // made for exactly `n` may sit a class below the one asked for.
        match class_of(sizes.bytes(&buffer)) {
            at if at == k => core.note_miss(slot),
            at => self.class_core(at).note_miss(slot),
        }
        NonNull::from(Box::leak(Box::new(buffer)))
    }

    /// `acquire_with_capacity` without a thread-local: through the slot.
    pub(crate) fn take_sized(&self, sizes: &Sizes<T>, n: usize) -> NonNull<T> {
        let k = class_for(n.saturating_mul(sizes.element_bytes));
        self.take_class_at(sizes, k, self.class_core(k), thread::current(), n)
    }

    /// A plain `acquire` of a buffer pool: the smallest buffer this
    /// thread's caches hold, else one from class 0.
    pub(crate) fn take_any(&self, sizes: &Sizes<T>) -> NonNull<T> {
        let slot = thread::current();
        if let (Some(slot), Some(table)) = (slot, self.classes.get()) {
            for (_, core) in table
                .existing()
                .take_while(|(k, _)| *k <= self.config.top())
            {
                // SAFETY: this thread's own slot.
                if let Some(object) = unsafe { core.cache(slot).try_pop() } {
                    return object;
                }
            }
        }
        self.take_class_at(sizes, 0, self.class_core(0), slot, 0)
    }

    /// An idle buffer or `None`, never a build: this thread's caches from
    /// the smallest class up, then the shared layer, class by class.
    pub(crate) fn try_take_any(&self) -> Option<NonNull<T>> {
        let slot = thread::current();
        let table = self.classes.get()?;
        let top = self.config.top();
        let classes = || table.existing().take_while(move |(k, _)| *k <= top);
        if let Some(slot) = slot {
            for (_, core) in classes() {
                // SAFETY: this thread's own slot.
                if let Some(object) = unsafe { core.cache(slot).try_pop() } {
                    return Some(object);
                }
            }
        }
        classes().find_map(|(_, core)| Self::pop_at(core, slot))
    }

    /// The class of a buffer pool's object, kept or not.
    pub(crate) fn class_of_object(&self, sizes: &Sizes<T>, object: &T) -> usize {
        class_of(sizes.bytes(object))
    }

    /// The class a kept buffer goes back to, or `Err(class)` when it is
    /// past the largest and must be dropped.
    #[inline(always)]
    fn class_to_keep(&self, sizes: &Sizes<T>, object: NonNull<T>) -> Result<usize, usize> {
        // SAFETY: the caller owns `object`.
        let bytes = sizes.bytes(unsafe { object.as_ref() });
        let k = class_of(bytes);
        if bytes > self.config.max_bytes.load(Ordering::Relaxed) {
            Err(k)
        } else {
            Ok(k)
        }
    }

    /// `Pool::put` for a buffer pool: reset, then into the class of the
    /// buffer's capacity.
    pub(crate) unsafe fn put_sized(&self, sizes: &Sizes<T>, object: NonNull<T>) {
        // SAFETY: the caller owns `object`.
        let verdict = unsafe { prepare(object) };
        match (verdict, self.class_to_keep(sizes, object)) {
            // SAFETY: forwarded from the caller.
            (Verdict::Keep, Ok(k)) => unsafe { recycle::give_back(self.class_core(k), object) },
            // SAFETY: forwarded from the caller.
            (Verdict::Keep, Err(_)) => unsafe {
                self.put_not_kept(sizes, object, Verdict::Oversized)
            },
            // SAFETY: forwarded from the caller.
            (verdict, _) => unsafe { self.put_not_kept(sizes, object, verdict) },
        }
    }
}

impl<T> Pool<T> {
    /// `sweep` on every class, whatever panics; the first panic goes on.
    pub(crate) fn sweep_classes(&self, sweep: impl Fn(&Core<T>) -> Option<Panic>) {
        let mut panic = None;
        self.for_each_class(|_, core| {
            let dropped = sweep(core);
            panic = panic.take().or(dropped);
        });
        rethrow(panic);
    }

    /// Drops the idle buffers of class `k`, if it exists.
    pub(super) fn clear_class(&self, k: usize) {
        if let Some(core) = self.classes.get().and_then(|t| t.cores[k].get()) {
            // SAFETY: `thread::current` is this thread's own slot.
            rethrow(unsafe { core.clear(thread::current()) });
        }
    }

    /// Every class's core that exists.
    pub(crate) fn for_each_class(&self, mut f: impl FnMut(usize, &Core<T>)) {
        if let Some(table) = self.classes.get() {
            for (k, core) in table.existing() {
                f(k, core);
            }
        }
    }

    /// The stats of one class's core, with its idle bytes counted at the
    /// class's ceiling.
    pub(crate) fn class_stats_of(&self, k: usize, core: &Core<T>) -> Stats {
        let mut stats = stats_of(core.counts());
        stats.idle_bytes = stats.idle.saturating_mul(self.config.ceiling(k));
        stats
    }

    /// Each size class of a buffer pool that has been used, smallest first;
    /// empty for a pool that is not a buffer pool.
    ///
    /// ```
    /// use repool::Pooled;
    ///
    /// let buf = Vec::<u8>::acquire_with_capacity(1000);
    /// assert_eq!(buf.capacity(), 1024, "rounded up to its class's smallest");
    /// drop(buf);
    /// let class = Vec::<u8>::pool()
    ///     .class_stats()
    ///     .into_iter()
    ///     .find(|c| c.min_capacity == 1024)
    ///     .unwrap();
    /// assert_eq!((class.class, class.max_capacity), (4, 2047));
    /// assert!(class.stats.idle >= 1);
    /// ```
    pub fn class_stats(&self) -> Vec<ClassStats> {
        let Some(sizes) = &self.sizes else {
            return Vec::new();
        };
        let per = sizes.element_bytes.max(1);
        let mut classes = Vec::new();
        self.for_each_class(|k, core| {
            classes.push(ClassStats {
                class: k,
                min_capacity: class_floor(k).div_ceil(per),
                max_capacity: self.config.ceiling(k) / per,
                capacity: core.capacity(),
                stats: self.class_stats_of(k, core),
            });
        });
        classes
    }
}

impl<T: Reset + Send + 'static> Pool<T> {
    /// Drops and counts a buffer that is not kept: oversized, or its reset
    /// panicked; in the class of its capacity.
    #[cold]
    #[inline(never)]
    pub(crate) unsafe fn put_not_kept(
        &self,
        sizes: &Sizes<T>,
        object: NonNull<T>,
        verdict: Verdict,
    ) {
        let k = self.class_to_keep(sizes, object).unwrap_or_else(|k| k);
        // SAFETY: forwarded from the caller.
        unsafe { recycle::not_kept(self.class_core(k), object, verdict) }
    }
}
