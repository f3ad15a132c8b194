//! serde for guards (the `serde` feature), through serde_json: a guard
//! serializes as its object; deserializing one acquires from the pool and
//! fills the object in place, so a steady stream of parses into a pooled
//! struct allocates nothing, counted by a global allocator.
#![cfg(feature = "serde")]

#[path = "../examples/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::CountingAlloc;
use repool::{Guard, Pool, Pooled};
use serde::de::{Deserialize, DeserializeSeed};
use serde::{Deserialize as DeriveDeserialize, Serialize};

// The tests read this thread's counts, which the harness's other threads
// do not touch.
#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc::PER_THREAD;

fn allocations_during<R>(f: impl FnOnce() -> R) -> (u64, R) {
    let before = counting_alloc::thread_allocs();
    let r = f();
    (counting_alloc::thread_allocs() - before, r)
}

/// `#[derive(Deserialize)]` writes `deserialize_in_place` because the
/// facade's dev-dependencies turn on serde_derive's `deserialize_in_place`.
#[derive(Pooled, Default, Serialize, DeriveDeserialize, Debug, PartialEq)]
struct Event {
    ids: Vec<u32>,
    name: String,
}

/// What one stream of parses reads: lengths vary, none beyond the first.
const INPUTS: [&str; 3] = [
    r#"{"ids":[1,2,3,4,5,6,7,8],"name":"a long enough event name"}"#,
    r#"{"ids":[9],"name":"short"}"#,
    r#"{"name":"ids last","ids":[4,5,6]}"#,
];

fn expected(i: usize) -> (&'static [u32], &'static str) {
    match i % INPUTS.len() {
        0 => (&[1, 2, 3, 4, 5, 6, 7, 8], "a long enough event name"),
        1 => (&[9], "short"),
        _ => (&[4, 5, 6], "ids last"),
    }
}

fn parse_and_check(i: usize) {
    let event: Guard<Event> = serde_json::from_str(INPUTS[i % INPUTS.len()]).unwrap();
    let (ids, name) = expected(i);
    assert_eq!(event.ids, ids);
    assert_eq!(event.name, name);
}

#[test]
fn a_steady_stream_of_parses_into_a_pooled_struct_allocates_nothing() {
    let parses = if cfg!(miri) { 30 } else { 3_000 };
    for i in 0..INPUTS.len() {
        parse_and_check(i);
    }
    let (allocations, ()) = allocations_during(|| {
        for i in 0..parses {
            parse_and_check(i);
        }
    });
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in {parses} parses"
    );
    // One object served every parse: it went back and came out again.
    assert!(Event::pool().stats().reused >= parses as u64);

    // The control: the same parses into a plain `Event` allocate its `Vec`
    // and its `String` each time, so the count above is not blind.
    let (plain, ()) = allocations_during(|| {
        for i in 0..parses {
            let event: Event = serde_json::from_str(INPUTS[i % INPUTS.len()]).unwrap();
            assert_eq!(event.name, expected(i).1);
        }
    });
    assert!(
        plain >= 2 * parses as u64,
        "{plain} allocations in {parses} plain parses"
    );
}

#[test]
fn a_pool_seed_parses_in_place_with_no_allocation_either() {
    let pool = Pool::<Event>::new();
    let parse = |i: usize| {
        let mut json = serde_json::Deserializer::from_str(INPUTS[i % INPUTS.len()]);
        let event: Guard<Event, &Pool<Event>> = pool.seed().deserialize(&mut json).unwrap();
        json.end().unwrap();
        let (ids, name) = expected(i);
        assert_eq!(event.ids, ids);
        assert_eq!(event.name, name);
    };
    let parses = if cfg!(miri) { 30 } else { 3_000 };
    for i in 0..INPUTS.len() {
        parse(i);
    }
    let (allocations, ()) = allocations_during(|| (0..parses).for_each(parse));
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in {parses} parses"
    );
    let stats = pool.stats();
    assert_eq!(stats.built, 1);
    assert_eq!(stats.reused, parses as u64 + INPUTS.len() as u64 - 1);
}

/// A pooled struct whose elements are guards themselves: each element is
/// acquired from `String`'s pool, and goes back to it when the batch resets.
#[derive(Pooled, Default, Serialize, DeriveDeserialize, Debug)]
struct Batch {
    lines: Vec<Guard<String>>,
}

#[test]
fn guards_inside_a_pooled_struct_are_pooled_too() {
    let input = r#"{"lines":["GET /a HTTP/1.1","Host: example.com","Accept: */*"]}"#;
    let parse = || {
        let batch: Guard<Batch> = serde_json::from_str(input).unwrap();
        assert_eq!(
            batch.lines,
            ["GET /a HTTP/1.1", "Host: example.com", "Accept: */*"]
        );
    };
    for _ in 0..3 {
        parse();
    }
    let parses = if cfg!(miri) { 20 } else { 2_000 };
    let (allocations, ()) = allocations_during(|| (0..parses).for_each(|_| parse()));
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in {parses} parses"
    );
}

#[test]
fn deserialize_in_place_into_a_vec_of_guards_reuses_each_guard() {
    let mut lines: Vec<Guard<String>> = serde_json::from_str(r#"["abcdef","b"]"#).unwrap();
    let first = lines[0].as_ptr();
    let mut json = serde_json::Deserializer::from_str(r#"["xyz","c","d"]"#);
    Vec::deserialize_in_place(&mut json, &mut lines).unwrap();
    assert_eq!(lines, ["xyz", "c", "d"]);
    // The existing guard was filled in place (`Guard`'s own
    // `deserialize_in_place`), keeping its buffer.
    assert_eq!(lines[0].as_ptr(), first);
}

#[test]
fn guards_serialize_as_their_objects() {
    let mut event = Event::acquire();
    event.ids.extend([1, 2]);
    event.name.push('e');
    let json = serde_json::to_string(&event).unwrap();
    assert_eq!(json, r#"{"ids":[1,2],"name":"e"}"#);
    assert_eq!(json, serde_json::to_string(&*event).unwrap());

    let pool = Pool::<Vec<u8>>::new();
    let mut bytes = pool.acquire();
    bytes.extend_from_slice(b"hi");
    assert_eq!(serde_json::to_string(&bytes).unwrap(), "[104,105]");

    let mut batch = Batch::acquire();
    let mut line = String::acquire();
    line.push('x');
    batch.lines.push(line);
    assert_eq!(serde_json::to_string(&batch).unwrap(), r#"{"lines":["x"]}"#);

    // A round trip through the pool.
    let back: Guard<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(*back, *event);
}

#[test]
fn a_failed_parse_returns_the_object_reset() {
    let pool = Pool::<Event>::new();
    let before = pool.stats();
    let mut json = serde_json::Deserializer::from_str(r#"{"ids":[1,2,"x"],"name":"n"}"#);
    let err = pool.seed().deserialize(&mut json).unwrap_err();
    assert!(err.is_data(), "{err}");
    let after = pool.stats();
    assert_eq!(after.returned - before.returned, 1);
    // The half-filled object went back reset: the next user sees it empty.
    let next = pool.acquire();
    assert_eq!(pool.stats().reused, before.reused + 1);
    assert!(next.ids.is_empty() && next.name.is_empty());

    let err = serde_json::from_str::<Guard<Vec<u32>>>("[1, -2]").unwrap_err();
    assert!(err.is_data(), "{err}");
    let empty: Guard<Vec<u32>> = serde_json::from_str("[]").unwrap();
    assert!(empty.is_empty());
}
