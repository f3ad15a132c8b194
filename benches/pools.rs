//! Every candidate side by side, one criterion group per scenario:
//! round trip and request on 1, 2 and 8 threads sharing one pool, and the
//! handoff from a producer thread to a consumer thread.
//!
//! `cargo bench -p repool-benches --bench pools`; one group only:
//! `cargo bench -p repool-benches --bench pools -- pools/request_8threads`.
//! The burst (objects kept after a spike) is a count, not a time: see
//! `cargo run --release -p repool-benches --bin bench_report`.

mod common;

use common::candidates::{self, Candidate, Visit};
use common::drive::{Op, run_handoff, run_parallel};
use common::groups::{Bench, bench_main};

impl Visit for Bench<'_, '_, Op> {
    fn visit<C: Candidate + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        self.add(name, make(), run_parallel, run_handoff);
    }
}

// 11 candidates x 7 scenarios, 30 samples each: a full run near ten minutes.
bench_main!(pools, 30, candidates::each, [Op::RoundTrip => "round_trip", Op::Request => "request"]);
