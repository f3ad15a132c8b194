//! Loom models of the two lock-free first-use paths outside the core:
//!
//! * the **type table** ([`TypeTable`], the registry of generic types'
//!   pools): inserts, including the first (which publishes the first table)
//!   and one that grows the table, racing lookups and each other;
//! * a **pool's first use** ([`OnceArc`], how `Pool` publishes its
//!   storage): two threads initialising one pool while a third looks.
//!
//! Each checks what a pool relies on:
//!
//! * **A lookup never sees a wrong or half-made value.** Every value
//!   carries a loom cell that its builder writes before publishing it and
//!   every user reads after finding it: loom reports a causality violation
//!   if publication (or a growth that copied the entry) did not synchronise
//!   them.
//! * **Once found, always found**, through growth too; a value nobody
//!   inserted is never found.
//! * **One winner.** Every thread ends up with the same value; each loser
//!   gets its own back to dispose of, and at the end every value was
//!   dropped exactly once.
//! * **A pool's storage is registered before any thread can use it**, so a
//!   thread that exits right after its first use always finds the storage
//!   and hands its cache back (the comment in `Pool::init`).
//!
//! Values are counted with `std` atomics, which loom does not see: they add
//! no interleavings and no happens-before edges that could hide a missing
//! one in the code under test.
//!
//! Run with `scripts/loom.sh`.

use std::any::TypeId;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering::Relaxed};

use loom::cell::UnsafeCell;
use loom::sync::Mutex;
use loom::sync::atomic::AtomicPtr;
use loom::thread;

use crate::lazy::{Lost, OnceArc};
use crate::loom_tests::model;
use crate::registry::TypeTable;

/// A distinct `TypeId` per `N`, as many as a model needs.
fn id<const N: usize>() -> TypeId {
    TypeId::of::<[u8; N]>()
}

/// How many values a model built and dropped.
#[derive(Default)]
struct Counts {
    built: StdAtomicUsize,
    dropped: StdAtomicUsize,
}

impl Counts {
    /// As many drops as builds: none leaked, none dropped twice.
    fn assert_all_dropped(&self) {
        assert_eq!(
            self.dropped.load(Relaxed),
            self.built.load(Relaxed),
            "values leaked"
        );
    }
}

/// What a model stores: who built it, and a cell that its builder writes
/// and every user reads, so loom checks that each use happens-after the
/// build.
struct Value {
    builder: usize,
    cell: UnsafeCell<usize>,
    counts: Arc<Counts>,
}

// SAFETY: the cell is only accessed through loom's checked `with` and
// `with_mut`, so an access that the code under test failed to order is
// reported by loom instead of racing.
unsafe impl Sync for Value {}

impl Value {
    fn new(builder: usize, counts: &Arc<Counts>) -> Self {
        counts.built.fetch_add(1, Relaxed);
        let value = Self {
            builder,
            cell: UnsafeCell::new(0),
            counts: Arc::clone(counts),
        };
        // SAFETY: not shared yet.
        value.cell.with_mut(|c| unsafe { *c = builder });
        value
    }

    /// Stands for a pool's user reading what the builder set up.
    fn read(&self) -> usize {
        // SAFETY: a read; a write it is not ordered with is reported by loom.
        let seen = self.cell.with(|c| unsafe { *c });
        assert_eq!(
            seen, self.builder,
            "a value seen before its builder wrote it"
        );
        self.builder
    }

    /// A leaked value, as the registry keeps its pools.
    fn leak(builder: usize, counts: &Arc<Counts>) -> *const () {
        Box::into_raw(Box::new(Self::new(builder, counts)))
            .cast_const()
            .cast()
    }

    /// Reads a value found in a table.
    ///
    /// # Safety
    ///
    /// `ptr` came from [`Value::leak`] and was not freed yet.
    unsafe fn read_at(ptr: *const ()) -> usize {
        // SAFETY: forwarded from the caller.
        unsafe { &*ptr.cast::<Value>() }.read()
    }

    /// Frees a leaked value.
    ///
    /// # Safety
    ///
    /// `ptr` came from [`Value::leak`], is freed once, and nobody uses it
    /// afterwards.
    unsafe fn free(ptr: *const ()) {
        // SAFETY: forwarded from the caller.
        drop(unsafe { Box::from_raw(ptr.cast::<Value>().cast_mut()) });
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        // Dropping is a use too: it must happen-after every read.
        // SAFETY: `&mut self`; loom checks the ordering.
        self.cell.with_mut(|c| unsafe { *c = usize::MAX });
        self.counts.dropped.fetch_add(1, Relaxed);
    }
}

// In the table models the lookups run on a spawned thread and the insert
// that they race on the model's main thread, which loom runs first: its
// search then moves each lookup before each store it could have missed.
// (Lookups on the main thread would run before the insert starts, and the
// insert's own relaxed loads hide them from that search.)

/// Reads a value found in a table; values stay until the end of a model.
fn read(value: *const ()) -> usize {
    // SAFETY: models free their values only after the table and every
    // thread that reads it are gone.
    unsafe { Value::read_at(value) }
}

/// The frame of the table models: under [`model`], a fresh table and
/// drop counts for `race`, which joins every thread it spawns and returns
/// each value it leaked that is still to be freed (its own losers it frees
/// itself); once the table is gone, each is freed and every value must
/// have been dropped.
fn table_model(
    race: impl Fn(&Arc<TypeTable>, &Arc<Counts>) -> Vec<*const ()> + Sync + Send + 'static,
) {
    model(move || {
        let table = Arc::new(TypeTable::new());
        let counts = Arc::<Counts>::default();
        let values = race(&table, &counts);
        drop(table);
        for value in values {
            // SAFETY: the table and `race`'s threads are gone, and `race`
            // returns each value once and never frees one it returns.
            unsafe { Value::free(value) };
        }
        counts.assert_all_dropped();
    });
}

/// The first insert (which also publishes the table's first generation)
/// races lookups of its id and of one never inserted.
#[test]
fn loom_type_table_insert_races_lookups() {
    table_model(|table, counts| {
        let reader = {
            let table = Arc::clone(table);
            thread::spawn(move || {
                let first = table.get(id::<0>()).map(read);
                let second = table.get(id::<0>()).map(read);
                assert!(
                    first.is_none() || second.is_some(),
                    "a value was found, then lost"
                );
                assert!(second.is_none_or(|builder| builder == 1));
                assert!(
                    table.get(id::<1>()).is_none(),
                    "found a value nobody inserted"
                );
            })
        };
        let value = Value::leak(1, counts);
        assert!(
            table.insert(id::<0>(), value).is_ok(),
            "nobody else inserts"
        );
        reader.join().unwrap();
        assert_eq!(table.get(id::<0>()), Some(value));
        vec![value]
    });
}

/// Two threads insert a value for one type at once, as two first uses of
/// `Batch::<u8>::pool()` do: one wins, the other gets the winner's value
/// and disposes of its own after the insert returned (no lock held).
#[test]
fn loom_type_table_one_type_inserted_twice() {
    table_model(|table, counts| {
        let wins = Arc::new(StdAtomicUsize::new(0));
        let racers: Vec<_> = [1, 2]
            .into_iter()
            .map(|builder| {
                let (table, counts, wins) =
                    (Arc::clone(table), Arc::clone(counts), Arc::clone(&wins));
                thread::spawn(move || {
                    let ours = Value::leak(builder, &counts);
                    let used = match table.insert(id::<0>(), ours) {
                        Ok(()) => {
                            wins.fetch_add(1, Relaxed);
                            ours
                        }
                        Err(theirs) => {
                            assert_ne!(theirs, ours);
                            // SAFETY: never published; only this thread has it.
                            unsafe { Value::free(ours) };
                            theirs
                        }
                    };
                    read(used)
                })
            })
            .collect();
        let used: Vec<usize> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        assert_eq!(wins.load(Relaxed), 1, "not exactly one winner");
        assert_eq!(used[0], used[1], "the racers use different values");
        let winner = table.get(id::<0>()).expect("the winner is stored");
        assert_eq!(read(winner), used[0]);
        vec![winner]
    });
}

/// With the table one entry short of growing, two threads insert: the
/// second to take the lock builds a new generation and copies the first's
/// entry into it, while a reader looks up an old entry (which must never
/// go missing) and both new ones (whose builders' writes must be visible
/// through the copy, whichever thread made it).
#[test]
fn loom_type_table_growth_races_lookups() {
    table_model(|table, counts| {
        let old = [
            id::<0>(),
            id::<1>(),
            id::<2>(),
            id::<3>(),
            id::<4>(),
            id::<5>(),
            id::<6>(),
        ];
        let mut values: Vec<*const ()> = old
            .iter()
            .enumerate()
            .map(|(builder, &id)| {
                let value = Value::leak(builder, counts);
                assert!(table.insert(id, value).is_ok());
                value
            })
            .collect();
        let new = [(7, id::<7>()), (8, id::<8>())];
        let reader = {
            let table = Arc::clone(table);
            thread::spawn(move || {
                let probe = table.get(id::<3>()).expect("an old entry went missing");
                assert_eq!(read(probe), 3);
                for (builder, id) in new {
                    assert!(table.get(id).is_none_or(|v| read(v) == builder));
                }
            })
        };
        // The 8th entry fills the first generation (16 entries) to half; the
        // 9th grows it.
        let inserter = {
            let (table, counts) = (Arc::clone(table), Arc::clone(counts));
            let (builder, id) = new[0];
            thread::spawn(move || {
                let value = Value::leak(builder, &counts);
                assert!(table.insert(id, value).is_ok(), "nobody else inserts");
            })
        };
        let (builder, id) = new[1];
        assert!(table.insert(id, Value::leak(builder, counts)).is_ok());
        reader.join().unwrap();
        inserter.join().unwrap();
        for (builder, id) in new {
            let value = table.get(id).expect("lost after the insert returned");
            assert_eq!(read(value), builder);
            values.push(value);
        }
        values
    });
}

/// A pool's first use, as `Pool::init` does it with [`OnceArc`]: build the
/// storage, register it, publish it; a loser unregisters its own and drops
/// it. `register_first: false` is the broken order, for the test below.
fn first_use<'a>(
    once: &'a OnceArc<Value, AtomicPtr<Value>>,
    registry: &Mutex<Vec<usize>>,
    counts: &Arc<Counts>,
    builder: usize,
    register_first: bool,
) -> &'a Value {
    if let Some(storage) = once.get() {
        return storage;
    }
    let ours = Arc::new(Value::new(builder, counts));
    let addr = Arc::as_ptr(&ours).addr();
    let register = || registry.lock().unwrap().push(addr);
    if register_first {
        register();
    }
    let published = once.publish(ours);
    if !register_first {
        register();
    }
    match published {
        Ok(storage) => storage,
        Err(Lost { winner, ours }) => {
            registry
                .lock()
                .unwrap()
                .retain(|&a| a != Arc::as_ptr(&ours).addr());
            drop(ours);
            winner
        }
    }
}

/// A thread's exit: it hands its cache to every registered storage
/// (`registry::release_slot`, which takes the list whether or not the
/// thread used a pool), so the storage it used must be among them.
fn exit(registry: &Mutex<Vec<usize>>, used: Option<&Value>) {
    let registered = registry.lock().unwrap().clone();
    if let Some(storage) = used {
        assert!(
            registered.contains(&std::ptr::from_ref(storage).addr()),
            "storage in use before it was registered"
        );
    }
}

/// Two threads use one pool for the first time and exit, while a third
/// looks at it once and exits.
fn two_threads_initialise_one_pool(register_first: bool) {
    model(move || {
        let shared = Arc::new((OnceArc::new_loom(), Mutex::new(Vec::new())));
        let counts = Arc::<Counts>::default();
        let users: Vec<_> = [1, 2]
            .into_iter()
            .map(|builder| {
                let (shared, counts) = (Arc::clone(&shared), Arc::clone(&counts));
                thread::spawn(move || {
                    let (once, registry) = &*shared;
                    let storage = first_use(once, registry, &counts, builder, register_first);
                    let used = storage.read();
                    exit(registry, Some(storage));
                    used
                })
            })
            .collect();
        let (once, registry) = &*shared;
        let seen = once.get();
        if let Some(storage) = seen {
            storage.read();
        }
        exit(registry, seen);
        let used: Vec<usize> = users.into_iter().map(|u| u.join().unwrap()).collect();
        assert_eq!(used[0], used[1], "the threads use different storages");
        let storage = once.get().expect("nothing published");
        assert_eq!(storage.read(), used[0]);
        let addr = std::ptr::from_ref(storage).addr();
        assert_eq!(
            *registry.lock().unwrap(),
            [addr],
            "not exactly the winner registered"
        );
        // Only the published storage is still alive.
        assert_eq!(
            counts.built.load(Relaxed) - counts.dropped.load(Relaxed),
            1,
            "a loser's storage leaked"
        );
        drop(Arc::into_inner(shared).expect("the users are gone"));
        counts.assert_all_dropped();
    });
}

#[test]
fn loom_pool_first_use_two_threads() {
    two_threads_initialise_one_pool(true);
}

// The check above must be able to fail: with registration after
// publication, an exiting thread can miss the storage it used.

#[test]
#[should_panic(expected = "before it was registered")]
fn loom_pool_first_use_catches_late_registration() {
    two_threads_initialise_one_pool(false);
}
