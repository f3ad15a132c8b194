//! Process-wide lists: every pool's storage (for [`trim_all`], for taking
//! back an exiting thread's caches, and for `pools()`, with the name and
//! class it is listed under), and the table behind the per-type pools of
//! generic types, which cannot have a `static` of their own
//! (`pooled::typed_pool`).

use std::any::TypeId;
use std::hash::{BuildHasher, Hasher};
use std::ptr;
use std::sync::atomic::AtomicUsize as StdAtomicUsize;
use std::sync::{Arc, Mutex as StdMutex, MutexGuard};

use crate::core::{Core, Counts, Slot};
use crate::panic::{Panic, rethrow};
use crate::sync::{AtomicPtr, AtomicUsize, Mutex, Ordering, lock};
use crate::thread;

/// What the registry needs from a pool's storage, whatever its `T`.
pub(crate) trait Storage: Send + Sync {
    /// Takes back slot `slot`'s cache; called by the thread that owns it.
    fn release_slot(&self, slot: Slot);
    /// [`Pool::trim`](crate::Pool::trim) on this storage; a panicking
    /// destructor is caught and handed back, after the whole storage was
    /// trimmed.
    fn trim(&self) -> Option<Panic>;
    /// [`Core::counts`]: relaxed loads only, no user code.
    fn counts(&self) -> Counts;
    /// The most idle objects the storage keeps now.
    fn capacity(&self) -> usize;
}

impl<T: Send + 'static> Storage for Core<T> {
    fn release_slot(&self, slot: Slot) {
        // SAFETY: called by the exiting thread for its own slot, which it
        // no longer uses.
        unsafe { Core::release_slot(self, slot) };
    }

    fn trim(&self) -> Option<Panic> {
        // SAFETY: `thread::current` is the calling thread's own slot.
        unsafe { Core::trim(self, thread::current()) }
    }

    fn counts(&self) -> Counts {
        Core::counts(self)
    }

    fn capacity(&self) -> usize {
        Core::capacity(self)
    }
}

/// What `pools()` lists a storage as: the pool's name and, for one size
/// class of a buffer pool, which class of which pool.
#[derive(Clone)]
pub(crate) struct Listing {
    pub(crate) name: &'static str,
    /// `Some((k, shape))` for class `k`; the classes of one pool share one
    /// `shape`, whose allocation stays put while the pool itself may move.
    pub(crate) class: Option<(usize, Arc<ClassShape>)>,
}

/// The settings of a buffer pool that its listing needs, copied out of the
/// pool (which may move, so the registry cannot point at it) by every
/// setter: see `Pool::configure`.
pub(crate) struct ClassShape {
    pub(crate) element_bytes: usize,
    /// The pool's `max_bytes` (the ceiling of its top class).
    pub(crate) max_bytes: StdAtomicUsize,
    /// The pool's object capacity per class, its `capacity()`.
    pub(crate) objects: StdAtomicUsize,
    /// Held while a setter copies the settings in, so the last copy is of
    /// the last settings.
    pub(crate) copying: StdMutex<()>,
}

impl ClassShape {
    pub(crate) fn new(element_bytes: usize, max_bytes: usize, objects: usize) -> Self {
        Self {
            element_bytes,
            max_bytes: StdAtomicUsize::new(max_bytes),
            objects: StdAtomicUsize::new(objects),
            copying: StdMutex::new(()),
        }
    }
}

/// A storage and what it is listed as.
#[derive(Clone)]
pub(crate) struct Registered {
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) listing: Listing,
}

static STORAGES: StdMutex<Vec<Registered>> = StdMutex::new(Vec::new());

fn storages() -> MutexGuard<'static, Vec<Registered>> {
    STORAGES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn register(storage: Arc<dyn Storage>, listing: Listing) {
    // Before the storage is listed, so no thread can use it and exit
    // without handing its cache back.
    thread::on_exit(release_slot);
    storages().push(Registered { storage, listing });
}

pub(crate) fn unregister(storage: *const ()) {
    storages().retain(|r| !ptr::addr_eq(Arc::as_ptr(&r.storage), storage));
}

/// A copy of the list, in the order of registration, so no lock is held
/// while user code runs: the destructors of idle objects, when the copy
/// holds a storage's last `Arc`.
pub(crate) fn listed() -> Vec<Registered> {
    storages().clone()
}

/// The storages alone, as [`listed`].
fn snapshot() -> Vec<Arc<dyn Storage>> {
    storages().iter().map(|r| Arc::clone(&r.storage)).collect()
}

pub(crate) fn release_slot(slot: Slot) {
    for storage in snapshot() {
        storage.release_slot(slot);
    }
}

/// Calls [`Pool::trim`](crate::Pool::trim) on every pool in the process.
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
///     repool::trim_all();
/// });
/// ```
///
/// A destructor that panics does not stop the sweep: every pool is trimmed,
/// then the first panic is passed on.
pub fn trim_all() {
    let mut first = None;
    for storage in snapshot() {
        let panic = storage.trim();
        first = first.or(panic);
    }
    rethrow(first);
}

/// A map from `TypeId` to a pointer that readers search with neither a lock
/// nor a write, and that only grows.
///
/// The values belong to the caller: the table never reads through them nor
/// frees them. No user code runs while `writer` is held, so a value's
/// initialiser may use the table itself.
pub(crate) struct TypeTable {
    /// The newest `Table`, or null before the first insert.
    current: AtomicPtr<Table>,
    writer: Mutex<()>,
}

/// A type's value in a [`TypeTable`].
struct Entry {
    id: TypeId,
    value: *const (),
}

/// An open-addressing table. It is never changed in place except to fill
/// an empty entry; growing builds a new table and keeps the old one
/// reachable (`previous`), so a reader that still holds it never sees freed
/// memory. Entries are shared by every generation that holds them.
struct Table {
    /// Null (empty), or a leaked [`Entry`].
    entries: Box<[AtomicPtr<Entry>]>,
    /// Filled entries; changed only under the writer lock.
    used: AtomicUsize,
    /// The table this one replaced (null for the first), freed only with
    /// the whole `TypeTable`.
    previous: *mut Table,
}

/// The first table's number of entries; each growth doubles it.
const FIRST_LEN: usize = 16;

impl TypeTable {
    #[cfg(not(all(test, repool_loom)))]
    pub(crate) const fn new() -> Self {
        Self {
            current: AtomicPtr::new(ptr::null_mut()),
            writer: Mutex::new(()),
        }
    }

    #[cfg(all(test, repool_loom))]
    pub(crate) fn new() -> Self {
        Self {
            current: AtomicPtr::new(ptr::null_mut()),
            writer: Mutex::new(()),
        }
    }

    /// The value stored for `id`, if any.
    #[inline]
    pub(crate) fn get(&self, id: TypeId) -> Option<*const ()> {
        let table = self.current.load(Ordering::Acquire);
        // SAFETY: tables are freed only with `self`, and each was published
        // with Release after being filled.
        unsafe { table.as_ref() }.and_then(|t| find(t, id))
    }

    /// Stores `value` for `id`, unless a value is stored for it already:
    /// then returns that one, and `value` is the caller's to dispose of.
    pub(crate) fn insert(&self, id: TypeId, value: *const ()) -> Result<(), *const ()> {
        let _writer = lock(&self.writer);
        // Relaxed: the lock orders this after every earlier writer's store.
        let mut table = self.current.load(Ordering::Relaxed);
        // SAFETY: as in `get`.
        let old = unsafe { table.as_ref() };
        if let Some(existing) = old.and_then(|t| find(t, id)) {
            return Err(existing);
        }
        // Keep the load at most one half, so probes stay short and always
        // reach an empty entry.
        if old.is_none_or(|t| (t.used.load(Ordering::Relaxed) + 1) * 2 > t.entries.len()) {
            let grown = Table {
                entries: (0..old.map_or(FIRST_LEN, |t| t.entries.len() * 2))
                    .map(|_| AtomicPtr::new(ptr::null_mut()))
                    .collect(),
                used: AtomicUsize::new(0),
                previous: table,
            };
            let copied = old.iter().flat_map(|t| t.entries.iter());
            for entry in copied.map(|e| e.load(Ordering::Relaxed)) {
                if !entry.is_null() {
                    // SAFETY: `grown` is not shared yet; `entry` is a live
                    // entry of the old table.
                    unsafe { place(&grown, entry) };
                }
            }
            table = Box::into_raw(Box::new(grown));
            // Release: a reader that finds the new table also finds the
            // entries copied into it, and what their inserters wrote.
            self.current.store(table, Ordering::Release);
        }
        let entry = Box::into_raw(Box::new(Entry { id, value }));
        // SAFETY: `table` is live (freed only with `self`) and we hold the
        // writer lock; `entry` was just leaked.
        unsafe { place(&*table, entry) };
        Ok(())
    }
}

impl Drop for TypeTable {
    fn drop(&mut self) {
        // `&mut self`: no reader holds a table or an entry any more.
        let table = self.current.load(Ordering::Acquire);
        if table.is_null() {
            return;
        }
        // SAFETY: the newest table holds every entry (growth copies them
        // all), and each entry is in it once.
        let newest = unsafe { &*table }.entries.iter();
        for entry in newest.map(|e| e.load(Ordering::Relaxed)) {
            if !entry.is_null() {
                // SAFETY: from `Box::into_raw` in `insert`, freed only here.
                drop(unsafe { Box::from_raw(entry) });
            }
        }
        let mut table = table;
        while !table.is_null() {
            // SAFETY: every generation came from `Box::into_raw` in
            // `insert` and is reachable once, through `current` or the
            // next one's `previous`.
            let owned = unsafe { Box::from_raw(table) };
            table = owned.previous;
        }
    }
}

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
fn home_of(id: TypeId, entries: usize) -> usize {
    let hash = std::hash::BuildHasherDefault::<IdHasher>::default().hash_one(id);
    (hash as usize) & (entries - 1)
}

/// Searches `table` for `id`.
#[inline]
fn find(table: &Table, id: TypeId) -> Option<*const ()> {
    let mask = table.entries.len() - 1;
    let mut i = home_of(id, table.entries.len());
    // Tables are never more than half full, so every probe sequence reaches
    // an empty entry.
    loop {
        let entry = table.entries[i].load(Ordering::Acquire);
        if entry.is_null() {
            return None;
        }
        // SAFETY: entries are leaked boxes, published with Release after
        // being written, and freed only with the `TypeTable`.
        let entry = unsafe { &*entry };
        if entry.id == id {
            return Some(entry.value);
        }
        i = (i + 1) & mask;
    }
}

/// Puts `entry` in the first empty entry of its probe sequence.
///
/// # Safety
///
/// The caller holds the writer lock of the table's `TypeTable` (or is the
/// only one with access to `table`); `entry` is a live, leaked `Entry`.
unsafe fn place(table: &Table, entry: *mut Entry) {
    let len = table.entries.len();
    // SAFETY: the caller passes a live entry.
    let mut i = home_of(unsafe { (*entry).id }, len);
    while !table.entries[i].load(Ordering::Relaxed).is_null() {
        i = (i + 1) & (len - 1);
    }
    // Release: a reader that finds the entry also sees its fields.
    table.entries[i].store(entry, Ordering::Release);
    table.used.fetch_add(1, Ordering::Relaxed);
}

#[cfg(all(test, not(repool_loom)))]
mod tests {
    use super::*;

    /// A distinct `TypeId` per `N`.
    fn id<const N: usize>() -> TypeId {
        TypeId::of::<[u8; N]>()
    }

    macro_rules! ids {
        ($($n:literal)*) => { [$(id::<$n>()),*] };
    }

    /// Enough ids for three growths (16, 32, 64 and 128 entries).
    fn many_ids() -> Vec<TypeId> {
        let ids = ids!(
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24
            25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46
            47 48 49 50 51 52 53 54 55 56 57 58 59 60
        );
        ids.to_vec()
    }

    fn value(i: usize) -> *const () {
        // Distinct, never dereferenced: the table does not read its values.
        ptr::without_provenance(i + 1)
    }

    fn entries(table: &TypeTable) -> usize {
        // SAFETY: the table is live and not being written.
        unsafe { &*table.current.load(Ordering::Acquire) }
            .entries
            .len()
    }

    #[test]
    fn every_value_is_found_through_growth() {
        let table = TypeTable::new();
        let ids = many_ids();
        assert!(table.get(ids[0]).is_none(), "an empty table found a value");
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(table.insert(id, value(i)), Ok(()));
            for (j, &earlier) in ids[..=i].iter().enumerate() {
                assert_eq!(table.get(earlier), Some(value(j)), "lost entry {j} at {i}");
            }
            for &later in &ids[i + 1..] {
                assert_eq!(table.get(later), None);
            }
        }
        // Never more than half full.
        assert_eq!(entries(&table), 128);
    }

    #[test]
    fn a_second_insert_for_a_type_returns_the_first_value() {
        let table = TypeTable::new();
        let [a, b] = ids!(0 1);
        assert_eq!(table.insert(a, value(1)), Ok(()));
        assert_eq!(table.insert(a, value(2)), Err(value(1)));
        assert_eq!(table.insert(b, value(3)), Ok(()));
        assert_eq!(table.insert(b, value(4)), Err(value(3)));
        assert_eq!(
            (table.get(a), table.get(b)),
            (Some(value(1)), Some(value(3)))
        );
    }

    #[test]
    fn racing_inserts_agree_on_one_value_per_type() {
        let table = TypeTable::new();
        let ids = many_ids();
        let threads = if cfg!(miri) { 2 } else { 4 };
        // Addresses: raw pointers do not cross threads.
        let seen: Vec<Vec<usize>> = std::thread::scope(|s| {
            let racers: Vec<_> = (0..threads)
                .map(|t| {
                    let (table, ids) = (&table, &ids);
                    s.spawn(move || {
                        let seen: Vec<_> = ids
                            .iter()
                            .enumerate()
                            .map(|(i, &id)| {
                                let ours = value(i * threads + t);
                                let stored = match table.insert(id, ours) {
                                    Ok(()) => ours,
                                    Err(theirs) => theirs,
                                };
                                assert_eq!(table.get(id), Some(stored));
                                stored.addr()
                            })
                            .collect();
                        seen
                    })
                })
                .collect();
            racers.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for (i, &id) in ids.iter().enumerate() {
            let stored = table.get(id).unwrap();
            assert_eq!((stored.addr() - 1) / threads, i, "another type's value");
            assert!(
                seen.iter().all(|s| s[i] == stored.addr()),
                "threads disagree on {i}"
            );
        }
    }
}
