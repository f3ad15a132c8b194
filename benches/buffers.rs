//! Mixed-size byte buffers (issue 11): sizes drawn log-uniformly from 64 B
//! to 1 MiB, each buffer filled and dropped (`buffers/mixed_*`), or taken
//! and dropped with nothing written, which leaves the pool's own cost
//! (`buffers/mixed_no_fill_*`); on 1, 2 and 8 threads sharing one pool; and
//! 4 KiB buffers filled on one thread and dropped on another
//! (`buffers/handoff`). Every candidate side by side, one criterion group
//! per scenario.
//!
//! `cargo bench -p repool-benches --bench buffers`; one group only:
//! `cargo bench -p repool-benches --bench buffers -- buffers/mixed_8threads`.
//! Allocations per operation and the bytes each pool keeps idle after a
//! burst are counts, not times: see
//! `cargo run --release -p repool-benches --bin bench_report -- --buffers-only`.

mod common;

use common::buffers::candidates::{self, BufferPool, VisitBuffers};
use common::buffers::drive::{Work, run_buffer_handoff, run_mixed};
use common::groups::{Bench, bench_main};

impl VisitBuffers for Bench<'_, '_, Work> {
    fn visit<C: BufferPool + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        self.add(name, make(), run_mixed, run_buffer_handoff);
    }
}

// 12 candidates x 7 scenarios, 20 samples each: a full run of a few minutes.
bench_main!(buffers, 20, candidates::each, [Work::Fill => "mixed", Work::Take => "mixed_no_fill"]);
