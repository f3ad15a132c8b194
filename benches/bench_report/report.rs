//! The report's logic: every scenario for every candidate, interleaved over
//! several rounds in one process, then tables and a chart.
//!
//! Shared by `bench_report.rs` and `tests/bench_report.rs` (which
//! runs it in quick mode and checks the counts).

use std::fmt::Write as _;
use std::path::Path;

use crate::chart::{self, DARK, Figure, Kept, RED};
use crate::common::CAPACITY;
use crate::common::candidates::{self, ANCHOR_CRATES, BASELINE, Candidate, Visit};
use crate::common::drive::{self, Burst, Op, run_burst, run_handoff, run_parallel};
use crate::measure::{self, Bound, Options, Runners, Section, Target, fmt_mib, scenarios};

/// A timed scenario: the `pools` bench's.
pub(crate) type Scenario = drive::Scenario<Op>;

/// The timed scenarios, in table order.
pub(crate) const SCENARIOS: [(&str, Scenario); 7] = scenarios!(
    Scenario::Threads,
    ["round trip": Op::RoundTrip, "request": Op::Request],
    ("handoff", Scenario::Handoff),
);

/// Threads in the burst.
pub(crate) const BURST_THREADS: usize = 8;

/// The published run: a few minutes on a 2-core machine.
pub(crate) const FULL: Options = Options::full(2_000);

/// Every scenario with tiny counts, so the test suite keeps the report
/// running. The burst still holds more than `CAPACITY` objects in all,
/// so the bounds it checks are exercised.
pub(crate) const QUICK: Options = Options::quick(256);

impl measure::Scenario for Scenario {
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

impl Visit for Runners<Scenario, Burst> {
    fn visit<C: Candidate + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        // One pool for every scenario.
        self.push(Bound::boxed(
            name,
            make,
            1,
            |scenario, pool, n, warmup| scenario.run(pool, n, warmup, run_parallel, run_handoff),
            |make, n| run_burst(make, BURST_THREADS, n),
        ));
    }
}

/// Everything one run measured.
pub(crate) type Report = Section<Burst>;

/// Runs everything. `progress` gets one line per phase (stderr in the
/// example, nothing in the test).
pub(crate) fn run(options: Options, progress: &mut dyn FnMut(&str)) -> Report {
    let burst = format!(
        "burst: {BURST_THREADS} threads x {} objects",
        options.burst_per_thread
    );
    measure::run(options, &SCENARIOS, candidates::each, "", &burst, progress)
}

impl Report {
    /// The tables, in Markdown.
    pub(crate) fn markdown(&self) -> String {
        let intro = format!(
            "### Time per operation\n\nns/op: the median over {} rounds of each round's fastest \
             of {} interleaved passes; in parentheses, the ratio to `{BASELINE}` (the \
             hand-written thread-local free list): the median of the ratios within each \
             round. Multi-threaded: total wall time over total operations.\n",
            self.options.rounds, self.options.passes
        );
        let t = &self.timings;
        let mut md = t.time_tables(
            0..SCENARIOS.len(),
            BASELINE,
            &intro,
            "\n### Allocations per operation\n\nCounted by a global allocator while timed: the \
             median over rounds of each round's highest pass.\n\n",
        );

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
                "| {name} | {} | {} | {} | {} |",
                b.held,
                b.retained,
                fmt_mib(b.retained_bytes),
                b.retained_after_exit
            );
        }
        for (c, stats) in self.burst_stats.iter().enumerate() {
            if let Some(stats) = stats {
                let _ = writeln!(md, "\n`{}` after the burst: {stats}", t.candidates[c]);
            }
        }

        measure::targets_table(&mut md, "\n### repool's targets\n\n", &self.targets());
        md
    }

    /// Checks repool against the targets of issues 2 and 4.
    pub(crate) fn targets(&self) -> Vec<Target> {
        let t = &self.timings;
        let repool = t.index("repool");
        let mut out = vec![
            t.ratio_target(repool, BASELINE, 0, 1.0),
            t.ratio_target(repool, BASELINE, 1, 1.5),
        ];
        let requests: Vec<usize> = SCENARIOS
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| matches!(s, Scenario::Threads(Op::Request, _)))
            .map(|(i, _)| i)
            .collect();
        for &s in &requests {
            out.push(t.ratio_target(repool, BASELINE, s, 1.05));
        }
        for &s in &requests {
            out.push(t.no_allocs_target(repool, s));
        }
        // Handoff: against each anchor crate, the median of the per-round
        // ratios; the target is met when repool is no slower than the
        // fastest of them, i.e. than every one.
        let handoff = SCENARIOS.len() - 1;
        out.push(t.fastest_target(repool, ANCHOR_CRATES, handoff, "anchor crate"));
        let b = self.burst("repool");
        out.push(Target {
            what: "burst: objects retained".to_owned(),
            measured: format!("{} / {} after exit", b.retained, b.retained_after_exit),
            bound: format!("<= {CAPACITY}"),
            met: b.retained <= CAPACITY as i64 && b.retained_after_exit <= CAPACITY as i64,
        });
        out
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
                    .map(|b| fmt_mib(b.retained_bytes))
                    .collect(),
                max,
                line: Some(CAPACITY as f64),
            },
        };
        chart::draw(&figure, path)
    }
}
