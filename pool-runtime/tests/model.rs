//! Model-based test: random sequences of pool operations on one thread,
//! checked after every step against a model of what a single-thread pool
//! must do.
//!
//! The model follows each object by id:
//!
//! * an acquire is a hit exactly when some object is idle, and then hands
//!   out one of the idle objects (which one is the pool's choice: the
//!   model reads the id and checks it was idle), reset;
//! * a return keeps the object exactly when fewer than `capacity` objects
//!   are idle, else drops it (`over_capacity`); an oversized object is
//!   dropped (`oversized`); `detach` and `discard` take it out of the pool;
//! * `trim` drops exactly the objects that were idle at the previous trim
//!   and not reused since (Go's victim cache), `clear` drops all idle ones;
//! * `prewarm(n)` builds at most `n`, never past `capacity`, and at least
//!   what fits once the thread's private cache has reserved its units;
//! * every counter of `Stats` and the idle count equal the model's, and
//!   the objects the pool drops are exactly the ones the model drops.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use pool_runtime::{Guard, Pool, Reset, Stats};
use proptest::prelude::*;
use proptest::test_runner::Config;

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
    /// Ids of the objects dropped on this thread, in order.
    static DROPPED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

fn dropped_since_last_look() -> Vec<u64> {
    DROPPED.with_borrow_mut(std::mem::take)
}

struct Obj {
    id: u64,
    dirty: bool,
    oversized: bool,
}

fn make() -> Obj {
    let id = NEXT_ID.get();
    NEXT_ID.set(id + 1);
    Obj {
        id,
        dirty: false,
        oversized: false,
    }
}

impl Reset for Obj {
    fn reset(&mut self) {
        self.dirty = false;
    }

    fn is_oversized(&self) -> bool {
        self.oversized
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        DROPPED.with_borrow_mut(|d| d.push(self.id));
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Acquire,
    /// Drop the guard at this index (modulo the guards held).
    Return(usize),
    Detach(usize),
    Discard(usize),
    /// Make the held object oversized, then drop its guard.
    ReturnOversized(usize),
    Trim,
    Clear,
    Prewarm(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => Just(Op::Acquire),
        5 => any::<usize>().prop_map(Op::Return),
        1 => any::<usize>().prop_map(Op::Detach),
        1 => any::<usize>().prop_map(Op::Discard),
        1 => any::<usize>().prop_map(Op::ReturnOversized),
        1 => Just(Op::Trim),
        1 => Just(Op::Clear),
        1 => (0usize..48).prop_map(Op::Prewarm),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Age {
    /// Idle since the last trim (or never trimmed).
    Fresh,
    /// Already idle at the last trim: the next one drops it.
    Old,
}

/// What a single-thread pool must have done.
struct Model {
    capacity: usize,
    idle: BTreeMap<u64, Age>,
    stats: Stats,
}

impl Model {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            idle: BTreeMap::new(),
            stats: Stats::default(),
        }
    }

    /// A guard dropped normally: kept if there is room.
    fn returned(&mut self, id: u64) -> Vec<u64> {
        if self.idle.len() < self.capacity {
            self.idle.insert(id, Age::Fresh);
            self.stats.returned += 1;
            vec![]
        } else {
            self.stats.over_capacity += 1;
            self.stats.discarded += 1;
            vec![id]
        }
    }

    fn trim(&mut self) -> Vec<u64> {
        let old: Vec<u64> = self
            .idle
            .iter()
            .filter(|&(_, &age)| age == Age::Old)
            .map(|(&id, _)| id)
            .collect();
        for id in &old {
            self.idle.remove(id);
        }
        self.idle.values_mut().for_each(|age| *age = Age::Old);
        self.stats.trimmed += old.len() as u64;
        old
    }

    fn clear(&mut self) -> Vec<u64> {
        let all: Vec<u64> = self.idle.keys().copied().collect();
        self.idle.clear();
        self.stats.trimmed += all.len() as u64;
        all
    }
}

fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
    ids.sort_unstable();
    ids
}

fn run(capacity: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    // Objects from earlier cases that the previous pool dropped.
    dropped_since_last_look();
    let first_id = NEXT_ID.get();
    let pool: Pool<Obj> = Pool::from_fn(make).with_capacity(capacity);
    let mut model = Model::new(capacity);
    let mut held: Vec<Guard<Obj, &Pool<Obj>>> = Vec::new();
    let mut all_dropped = Vec::new();

    for (step, &op) in ops.iter().enumerate() {
        let pick = |i: usize, held: &Vec<_>| i % held.len();
        let expected_drops = match op {
            Op::Acquire => {
                let mut guard = pool.acquire();
                prop_assert!(!guard.dirty, "step {step}: object {} not reset", guard.id);
                model.stats.acquired += 1;
                if model.idle.is_empty() {
                    prop_assert!(guard.id >= first_id, "a stranger's object");
                    prop_assert_eq!(guard.id, NEXT_ID.get() - 1, "step {}: miss", step);
                    model.stats.built += 1;
                } else {
                    prop_assert!(
                        model.idle.remove(&guard.id).is_some(),
                        "step {}: got {}, not one of the idle objects {:?}",
                        step,
                        guard.id,
                        model.idle
                    );
                    model.stats.reused += 1;
                }
                guard.dirty = true;
                held.push(guard);
                vec![]
            }
            Op::Return(i) if !held.is_empty() => {
                let guard = held.swap_remove(pick(i, &held));
                let id = guard.id;
                drop(guard);
                model.returned(id)
            }
            Op::Detach(i) if !held.is_empty() => {
                let guard = held.swap_remove(pick(i, &held));
                let object = Guard::detach(guard);
                prop_assert!(object.dirty, "detach must not reset");
                model.stats.detached += 1;
                let id = object.id;
                drop(object);
                vec![id]
            }
            Op::Discard(i) if !held.is_empty() => {
                let guard = held.swap_remove(pick(i, &held));
                let id = guard.id;
                Guard::discard(guard);
                model.stats.user_discarded += 1;
                model.stats.discarded += 1;
                vec![id]
            }
            Op::ReturnOversized(i) if !held.is_empty() => {
                let mut guard = held.swap_remove(pick(i, &held));
                guard.oversized = true;
                let id = guard.id;
                drop(guard);
                model.stats.oversized += 1;
                model.stats.discarded += 1;
                vec![id]
            }
            Op::Trim => {
                pool.trim();
                model.trim()
            }
            Op::Clear => {
                pool.clear();
                model.clear()
            }
            Op::Prewarm(n) => {
                let first = NEXT_ID.get();
                let built = pool.prewarm(n);
                let room = capacity - model.idle.len();
                // The caller's private cache may hold up to 32 units
                // reserved for its next returns; those are not free.
                let reserved = capacity.min(32);
                prop_assert!(
                    built <= n.min(room) && built >= n.min(room.saturating_sub(reserved)),
                    "step {}: prewarm({}) built {} with room for {}",
                    step,
                    n,
                    built,
                    room
                );
                prop_assert_eq!(
                    NEXT_ID.get() - first,
                    built as u64,
                    "built only what it kept"
                );
                for id in first..first + built as u64 {
                    model.idle.insert(id, Age::Fresh);
                }
                model.stats.built += built as u64;
                vec![]
            }
            // An operation on a guard when none is held.
            _ => vec![],
        };
        let mut expected = model.stats;
        expected.idle = model.idle.len();
        expected.in_use = held.len() as u64;
        prop_assert_eq!(pool.stats(), expected, "step {}: {:?}", step, op);
        let dropped = dropped_since_last_look();
        prop_assert_eq!(
            sorted(dropped.clone()),
            sorted(expected_drops),
            "step {}: {:?} dropped the wrong objects",
            step,
            op
        );
        all_dropped.extend(dropped);
        prop_assert!(model.idle.len() <= capacity);
    }

    // Returning what is still held follows the same rules; then the pool
    // goes, with its idle objects.
    let mut expected_drops = Vec::new();
    for guard in held.drain(..) {
        let id = guard.id;
        drop(guard);
        expected_drops.extend(model.returned(id));
    }
    let mut expected = model.stats;
    expected.idle = model.idle.len();
    prop_assert_eq!(pool.stats(), expected, "after returning every guard");
    drop(held);
    drop(pool);
    expected_drops.extend(model.idle.keys());
    let last = dropped_since_last_look();
    prop_assert_eq!(sorted(last.clone()), sorted(expected_drops), "at the end");
    // So every object built in this case was dropped exactly once: no
    // leak, no double drop.
    all_dropped.extend(last);
    prop_assert_eq!(
        sorted(all_dropped),
        (first_id..NEXT_ID.get()).collect::<Vec<_>>()
    );
    Ok(())
}

fn config() -> Config {
    Config {
        cases: if cfg!(miri) { 12 } else { 512 },
        // Miri isolates the file system; the seeds of failures are printed
        // either way.
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn single_thread_pool_matches_model(
        capacity in prop_oneof![Just(0usize), Just(1), Just(2), 3usize..40, Just(64), Just(100)],
        ops in prop::collection::vec(op(), 1..if cfg!(miri) { 24 } else { 160 }),
    ) {
        run(capacity, &ops)?;
    }
}
