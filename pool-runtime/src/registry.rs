//! Process-wide lists: every pool's storage (for [`trim_all`] and for
//! taking back an exiting thread's caches), and the per-type pools of
//! generic types, which cannot have a `static` of their own.

use std::any::TypeId;
use std::hash::{BuildHasher, Hasher};
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::core::Slot;
use crate::{Pool, Reset};

/// What the registry needs from a pool's storage, whatever its `T`.
pub(crate) trait Storage: Send + Sync {
    /// Takes back slot `slot`'s cache; called by the thread that owns it.
    fn release_slot(&self, slot: Slot);
    /// [`Pool::trim`] on this storage.
    fn trim(&self);
}

static STORAGES: Mutex<Vec<Arc<dyn Storage>>> = Mutex::new(Vec::new());

fn storages() -> MutexGuard<'static, Vec<Arc<dyn Storage>>> {
    STORAGES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn register(storage: Arc<dyn Storage>) {
    storages().push(storage);
}

pub(crate) fn unregister(storage: *const ()) {
    storages().retain(|s| !ptr::addr_eq(Arc::as_ptr(s), storage));
}

/// A copy of the list, so no lock is held while user code (destructors of
/// dropped objects) runs.
fn snapshot() -> Vec<Arc<dyn Storage>> {
    storages().clone()
}

pub(crate) fn release_slot(slot: Slot) {
    for storage in snapshot() {
        storage.release_slot(slot);
    }
}

/// Calls [`Pool::trim`] on every pool in the process.
///
/// A long-running server calls this from a timer, so memory held by a burst
/// drains away in two periods once the burst is over, while a steady load
/// keeps its objects (they are reused between trims and survive them):
///
/// ```no_run
/// use std::time::Duration;
///
/// std::thread::spawn(|| loop {
///     std::thread::sleep(Duration::from_secs(30));
///     pool_runtime::trim_all();
/// });
/// ```
pub fn trim_all() {
    for storage in snapshot() {
        storage.trim();
    }
}

/// A type's pool in the type registry.
struct Entry {
    id: TypeId,
    /// A leaked `Box<Pool<T>>` for the `T` whose id is `id`.
    pool: *const (),
}

/// An open-addressing table that readers search without a lock. It is never
/// changed in place except to fill an empty slot; growing builds a new table
/// and keeps the old one reachable (`previous`), so a reader that still holds
/// it never sees freed memory.
struct Table {
    slots: Box<[AtomicPtr<Entry>]>,
    /// Filled slots; changed only under `TABLE_WRITER`.
    used: AtomicUsize,
    #[expect(
        dead_code,
        reason = "never read: it keeps replaced tables reachable, for readers that may still hold them"
    )]
    previous: *mut Table,
}

static TABLE: AtomicPtr<Table> = AtomicPtr::new(ptr::null_mut());
static TABLE_WRITER: Mutex<()> = Mutex::new(());

/// `TypeId` is already a hash; take 64 bits of it as they are.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

#[inline]
fn home_of(id: TypeId, slots: usize) -> usize {
    let hash = std::hash::BuildHasherDefault::<IdHasher>::default().hash_one(id);
    (hash as usize) & (slots - 1)
}

/// Searches `table` for `id`.
#[inline]
fn find(table: &Table, id: TypeId) -> Option<*const ()> {
    let mask = table.slots.len() - 1;
    let mut i = home_of(id, table.slots.len());
    // Tables are never more than half full, so every probe sequence reaches
    // an empty slot.
    loop {
        let entry = table.slots[i].load(Ordering::Acquire);
        if entry.is_null() {
            return None;
        }
        // SAFETY: entries are leaked boxes, published with Release after
        // being written, and never freed.
        let entry = unsafe { &*entry };
        if entry.id == id {
            return Some(entry.pool);
        }
        i = (i + 1) & mask;
    }
}

/// The pool of `T` in the registry, created by `init` on first use. Lookups
/// after the first are a hash probe with no lock and no write.
#[inline]
pub fn typed_pool<T: Reset + Send + 'static>(init: fn() -> Pool<T>) -> &'static Pool<T> {
    let id = TypeId::of::<T>();
    let table = TABLE.load(Ordering::Acquire);
    // SAFETY: tables are leaked (kept reachable through `previous`) and
    // published with Release after being filled.
    if let Some(pool) = unsafe { table.as_ref() }.and_then(|t| find(t, id)) {
        // SAFETY: the entry for `TypeId::of::<T>()` always holds a leaked
        // `Pool<T>`.
        return unsafe { &*pool.cast::<Pool<T>>() };
    }
    insert(id, init)
}

#[cold]
#[inline(never)]
fn insert<T: Reset + Send + 'static>(id: TypeId, init: fn() -> Pool<T>) -> &'static Pool<T> {
    let _writer = TABLE_WRITER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut table = TABLE.load(Ordering::Acquire);
    // SAFETY: as in `typed_pool`; only writers (under the lock) replace it.
    if let Some(pool) = unsafe { table.as_ref() }.and_then(|t| find(t, id)) {
        // SAFETY: as in `typed_pool`.
        return unsafe { &*pool.cast::<Pool<T>>() };
    }
    // Keep the load at most one half, so probes stay short.
    // SAFETY: as above.
    let needs_room = unsafe { table.as_ref() }
        .is_none_or(|t| (t.used.load(Ordering::Relaxed) + 1) * 2 > t.slots.len());
    if needs_room {
        // SAFETY: as above.
        let old = unsafe { table.as_ref() };
        let len = old.map_or(16, |t| t.slots.len() * 2);
        let grown = Table {
            slots: (0..len).map(|_| AtomicPtr::new(ptr::null_mut())).collect(),
            used: AtomicUsize::new(0),
            previous: table,
        };
        let grown = Box::into_raw(Box::new(grown));
        if let Some(old) = old {
            for slot in old.slots.iter() {
                let entry = slot.load(Ordering::Relaxed);
                if !entry.is_null() {
                    // SAFETY: `grown` is live and only this writer fills it;
                    // entries are never freed.
                    unsafe { place(&*grown, entry) };
                }
            }
        }
        TABLE.store(grown, Ordering::Release);
        table = grown;
    }
    let pool: &'static Pool<T> = Box::leak(Box::new(init()));
    let entry = Box::into_raw(Box::new(Entry {
        id,
        pool: ptr::from_ref(pool).cast(),
    }));
    // SAFETY: `table` is live (tables are never freed); only this writer
    // fills its empty slots, through atomics that readers load.
    unsafe { place(&*table, entry) };
    pool
}

/// Puts `entry` in the first empty slot of its probe sequence.
///
/// # Safety
///
/// The caller holds the writer lock; `entry` is a leaked `Entry`.
unsafe fn place(table: &Table, entry: *mut Entry) {
    let len = table.slots.len();
    // SAFETY: the caller passes a live, leaked entry.
    let mut i = home_of(unsafe { (*entry).id }, len);
    while !table.slots[i].load(Ordering::Relaxed).is_null() {
        i = (i + 1) & (len - 1);
    }
    table.slots[i].store(entry, Ordering::Release);
    table.used.fetch_add(1, Ordering::Relaxed);
}
