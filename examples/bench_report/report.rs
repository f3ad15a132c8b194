//! The report's logic: every scenario for every candidate, interleaved over
//! several rounds in one process, then tables and a chart.
//!
//! Shared by `examples/bench_report.rs` and `tests/bench_report.rs` (which
//! runs it in quick mode and checks the counts).

use std::fmt::Write as _;
use std::path::Path;

use crate::chart::{self, DARK, Figure, Kept, RED};
use crate::common::CAPACITY;
use crate::common::candidates::{self, ANCHOR_CRATES, BASELINE, Candidate, Visit};
use crate::common::drive::{Burst, Op, Run, run_burst, run_handoff, run_parallel};
use crate::measure::{self, Bound, Options, Runners, Target, Timings, fmt_allocs};

/// A timed scenario.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scenario {
    /// `threads` threads share one pool and repeat `op`.
    Threads(Op, usize),
    /// Filled on one thread, sent over a channel, dropped on another.
    Handoff,
}

/// The timed scenarios, in table order.
pub(crate) const SCENARIOS: [(&str, Scenario); 7] = [
    ("round trip 1t", Scenario::Threads(Op::RoundTrip, 1)),
    ("round trip 2t", Scenario::Threads(Op::RoundTrip, 2)),
    ("round trip 8t", Scenario::Threads(Op::RoundTrip, 8)),
    ("request 1t", Scenario::Threads(Op::Request, 1)),
    ("request 2t", Scenario::Threads(Op::Request, 2)),
    ("request 8t", Scenario::Threads(Op::Request, 8)),
    ("handoff", Scenario::Handoff),
];

/// Threads in the burst.
pub(crate) const BURST_THREADS: usize = 8;

/// The published run: a few minutes on a 2-core machine.
///
/// Many short passes rather than a few long ones: on a shared machine
/// other processes take the cores in bursts, which only ever add time.
/// The fastest of a round's interleaved passes is the one least
/// disturbed, and the median over rounds discards the rest of the luck.
pub(crate) const FULL: Options = Options {
    rounds: 15,
    passes: 3,
    target_ns: 15_000_000,
    burst_per_thread: 2_000,
};

/// Every scenario with tiny counts, so the test suite keeps the report
/// running. The burst still holds more than `CAPACITY` objects in all,
/// so the bounds it checks are exercised.
pub(crate) const QUICK: Options = Options {
    rounds: 1,
    passes: 1,
    target_ns: 0,
    burst_per_thread: 256,
};

impl measure::Scenario for Scenario {
    fn threads(self) -> u64 {
        match self {
            Scenario::Threads(_, threads) => threads as u64,
            Scenario::Handoff => 1,
        }
    }

    fn pilot_ops(self) -> u64 {
        match self {
            Scenario::Threads(Op::RoundTrip, _) => 20_000,
            Scenario::Threads(Op::Request, _) | Scenario::Handoff => 400,
        }
    }

    fn pilot_warmup(self) -> u64 {
        self.pilot_ops() / 10
    }

    fn quick_ops(self) -> u64 {
        match self {
            Scenario::Threads(Op::RoundTrip, _) => 200,
            Scenario::Threads(Op::Request, _) | Scenario::Handoff => 20,
        }
    }

    fn warmup(self, ops: u64) -> u64 {
        (ops / 20).max(10)
    }
}

/// Runs a scenario on `pool`.
fn run_scenario<C: Candidate>(pool: &C, scenario: Scenario, per_thread: u64, warmup: u64) -> Run {
    match scenario {
        Scenario::Threads(op, threads) => run_parallel(pool, op, threads, per_thread, warmup),
        Scenario::Handoff => run_handoff(pool, per_thread, warmup),
    }
}

fn run_burst_of<C: Candidate>(make: fn() -> C, per_thread: usize) -> (Burst, Option<String>) {
    run_burst(make, BURST_THREADS, per_thread)
}

impl Visit for Runners<Scenario, (Burst, Option<String>)> {
    fn visit<C: Candidate + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        // One pool for every scenario.
        self.push(Bound::boxed(name, make, 1, run_scenario, run_burst_of));
    }
}

/// Everything one run measured.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) options: Options,
    pub(crate) timings: Timings,
    /// `[candidate]`.
    pub(crate) bursts: Vec<Burst>,
    /// `[candidate]`: the pool's own account after the burst, if it keeps one.
    pub(crate) burst_stats: Vec<Option<String>>,
}

/// Runs everything. `progress` gets one line per phase (stderr in the
/// example, nothing in the test).
pub(crate) fn run(options: Options, progress: &mut dyn FnMut(&str)) -> Report {
    let mut runners = Runners::new();
    candidates::each(&mut runners);
    let timings = measure::time(&options, &SCENARIOS, &runners, "", progress);

    progress(&format!(
        "burst: {BURST_THREADS} threads x {} objects",
        options.burst_per_thread
    ));
    let (bursts, burst_stats) = runners
        .iter()
        .map(|r| r.burst(options.burst_per_thread))
        .unzip();

    Report {
        options,
        timings,
        bursts,
        burst_stats,
    }
}

impl Report {
    /// The ratio of ns/op to the baseline's: the median over rounds of the
    /// ratio within each round.
    pub(crate) fn ratio(&self, candidate: usize, scenario: usize) -> f64 {
        let t = &self.timings;
        t.ratio_to(candidate, t.index(BASELINE), scenario)
    }

    pub(crate) fn burst(&self, name: &str) -> Burst {
        self.bursts[self.timings.index(name)]
    }

    /// Checks repool against the targets of issues 2 and 4.
    pub(crate) fn targets(&self) -> Vec<Target> {
        let t = &self.timings;
        let repool = t.index("repool");
        let mut out = Vec::new();
        let mut ratio = |s: usize, bound: f64| {
            let r = self.ratio(repool, s);
            let what = format!("{}: ratio to {BASELINE}", SCENARIOS[s].0);
            out.push(Target::ratio(what, r, bound));
        };
        ratio(0, 1.0);
        ratio(1, 1.5);
        let requests: Vec<usize> = SCENARIOS
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| matches!(s, Scenario::Threads(Op::Request, _)))
            .map(|(i, _)| i)
            .collect();
        for &s in &requests {
            ratio(s, 1.05);
        }
        for &s in &requests {
            out.push(Target::no_allocs(
                SCENARIOS[s].0,
                t.median_allocs(repool, s),
            ));
        }
        // Handoff: against each anchor crate, the median of the per-round
        // ratios; the target is met when repool is no slower than the
        // fastest of them, i.e. than every one.
        let handoff = SCENARIOS.len() - 1;
        let (fastest, worst) = t.worst_ratio(repool, ANCHOR_CRATES, handoff);
        let what = format!("handoff: ratio to the fastest anchor crate ({fastest})");
        out.push(Target::ratio(what, worst, 1.0));
        let b = self.burst("repool");
        out.push(Target {
            what: "burst: objects retained".to_owned(),
            measured: format!("{} / {} after exit", b.retained, b.retained_after_exit),
            bound: format!("<= {CAPACITY}"),
            met: b.retained <= CAPACITY as i64 && b.retained_after_exit <= CAPACITY as i64,
        });
        out
    }

    /// The tables, in Markdown.
    pub(crate) fn markdown(&self) -> String {
        let t = &self.timings;
        let mut md = String::new();

        let _ = writeln!(
            md,
            "### Time per operation\n\nns/op: the median over {} rounds of each round's fastest \
             of {} interleaved passes; in parentheses, the ratio to `{BASELINE}` (the \
             hand-written thread-local free list): the median of the ratios within each \
             round. Multi-threaded: total wall time over total operations.\n",
            self.options.rounds, self.options.passes
        );
        let base = t.index(BASELINE);
        t.table(&mut md, 0..SCENARIOS.len(), |c, s| {
            t.ns_and_ratio(c, base, s)
        });

        md.push_str(
            "\n### Allocations per operation\n\nCounted by a global allocator while timed: the \
             median over rounds of each round's highest pass.\n\n",
        );
        t.table(&mut md, 0..SCENARIOS.len(), |c, s| {
            fmt_allocs(t.median_allocs(c, s))
        });

        let _ = writeln!(
            md,
            "\n### Burst\n\n{BURST_THREADS} threads each hold {} filled objects at once \
             (4 KiB body, 256 ids, 16 map entries), then drop them. Objects still alive \
             afterwards (a `Drop` counter on the request type) and the heap they hold, \
             while the threads still run, and after they exit.\n",
            self.options.burst_per_thread
        );
        md.push_str(
            "| candidate | held at peak | retained | heap retained | retained after threads exit |\n\
             |---|---:|---:|---:|---:|\n",
        );
        for (c, name) in t.candidates.iter().enumerate() {
            let b = self.bursts[c];
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {:.1} MiB | {} |",
                b.held,
                b.retained,
                b.retained_bytes as f64 / (1024.0 * 1024.0),
                b.retained_after_exit
            );
        }
        for (c, stats) in self.burst_stats.iter().enumerate() {
            if let Some(stats) = stats {
                let _ = writeln!(md, "\n`{}` after the burst: {stats}", t.candidates[c]);
            }
        }

        md.push_str("\n### repool's targets\n\n");
        measure::targets_table(&mut md, &self.targets());
        md
    }

    /// Draws ns/op per candidate per scenario and the objects retained after
    /// the burst, as an SVG.
    pub(crate) fn svg(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let held = self.bursts.iter().map(|b| b.held).max().unwrap_or(0) as f64;
        let alive: Vec<f64> = self
            .bursts
            .iter()
            .map(|b| b.retained.max(0) as f64)
            .collect();
        let exited: Vec<f64> = self
            .bursts
            .iter()
            .map(|b| b.retained_after_exit.max(0) as f64)
            .collect();
        let max = alive.iter().chain(&exited).copied().fold(held, f64::max) * 1.08;
        let figure = Figure {
            timings: &self.timings,
            fixed: &[("repool", RED), (BASELINE, DARK)],
            top_height: 560,
            caption: format!(
                "ns per operation, median of {} rounds, each the best of {} passes \
                 (log scale, lower is better)",
                self.options.rounds, self.options.passes
            ),
            caption_size: 22,
            kept: Kept {
                caption: format!(
                    "objects kept after a burst of {} held at once, and their heap \
                     (solid: threads alive; light: after they exit; line: capacity {CAPACITY})",
                    held as u64
                ),
                caption_size: 18,
                x_desc: "live objects",
                alive,
                exited,
                notes: self
                    .bursts
                    .iter()
                    .map(|b| format!("{:.1} MiB", b.retained_bytes as f64 / (1024.0 * 1024.0)))
                    .collect(),
                max,
                line: Some(CAPACITY as f64),
            },
        };
        chart::draw(&figure, path)
    }
}
