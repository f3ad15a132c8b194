// A guard is `Sync` only if the pooled type is: a `Cell` inside cannot be
// shared between threads through `&Guard`.
use std::cell::Cell;
use std::thread;

use repool::Pooled;

#[derive(Pooled, Default)]
struct Counter {
    hits: Cell<u64>,
}

fn main() {
    let counter = Counter::acquire();
    thread::scope(|s| {
        s.spawn(|| counter.hits.set(1));
        counter.hits.set(2);
    });
}
