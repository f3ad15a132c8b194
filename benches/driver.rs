//! A small driver for instruction-level profiles: one candidate, one
//! scenario, a fixed number of operations, nothing else.
//!
//! ```text
//! cargo bench -p repool-benches --bench driver --no-run  # bench profile: optimised, with debug info
//! valgrind --tool=callgrind target/release/deps/driver-<hash> repool round_trip 200000
//! callgrind_annotate callgrind.out.<pid>
//! ```
//!
//! Instructions per operation: run it twice with different counts and divide
//! the difference in total instructions by the difference in counts (which
//! cancels start-up and warm-up). `cargo bench` itself runs it once, briefly,
//! as a smoke test.

mod common;

use std::process::ExitCode;
use std::time::Instant;

use common::candidates::{self, Candidate, Visit};
use common::drive::{Op, run_handoff, run_parallel};

struct Find<'a> {
    name: &'a str,
    scenario: &'a str,
    ops: u64,
    found: bool,
}

impl Visit for Find<'_> {
    fn visit<C: Candidate + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        if name != self.name {
            return;
        }
        self.found = true;
        let pool = make();
        let start = Instant::now();
        let run = match self.scenario {
            "round_trip" => run_parallel(&pool, Op::RoundTrip, 1, self.ops, 1_000),
            "request" => run_parallel(&pool, Op::Request, 1, self.ops, 1_000),
            "handoff" => run_handoff(&pool, self.ops, 1_000),
            _ => return,
        };
        eprintln!(
            "{name} {}: {} ops, {:.1} ns/op ({:.0?} in all)",
            self.scenario,
            run.ops,
            run.ns_per_op(),
            start.elapsed()
        );
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench` (and maybe a filter): run a smoke test.
    let (name, scenario, ops) = match args.as_slice() {
        [name, scenario, ops] if !name.starts_with('-') => match ops.parse() {
            Ok(ops) => (name.as_str(), scenario.as_str(), ops),
            Err(_) => return usage(),
        },
        _ if args.iter().any(|a| a == "--bench") => ("repool", "round_trip", 10_000),
        _ => return usage(),
    };
    if !matches!(scenario, "round_trip" | "request" | "handoff") {
        return usage();
    }
    let mut find = Find {
        name,
        scenario,
        ops,
        found: false,
    };
    candidates::each(&mut find);
    if find.found {
        ExitCode::SUCCESS
    } else {
        usage()
    }
}

fn usage() -> ExitCode {
    let mut names = Vec::new();
    struct Names<'a>(&'a mut Vec<&'static str>);
    impl Visit for Names<'_> {
        fn visit<C: Candidate + 'static>(&mut self, name: &'static str, _: fn() -> C) {
            self.0.push(name);
        }
    }
    candidates::each(&mut Names(&mut names));
    eprintln!(
        "usage: driver <candidate> <round_trip|request|handoff> <ops>\ncandidates: {}",
        names.join(", ")
    );
    ExitCode::from(2)
}
