//! The report's logic: every scenario for every candidate, interleaved over
//! several rounds in one process, then tables and a chart.
//!
//! Shared by `examples/bench_report.rs` and `tests/bench_report.rs` (which
//! runs it in quick mode and checks the counts).

use std::fmt::Write as _;
use std::path::Path;

use crate::common::CAPACITY;
use crate::common::candidates::{self, ANCHOR_CRATES, BASELINE, Candidate, Visit};
use crate::common::drive::{Burst, Op, Run, run_burst, run_handoff, run_parallel};

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

/// How long and how hard to measure.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options {
    /// Rounds of every scenario for every candidate; medians are over these.
    pub(crate) rounds: usize,
    /// Passes over the candidates within a round; a round keeps each
    /// candidate's fastest pass.
    pub(crate) passes: usize,
    /// Target wall time of one pass, in nanoseconds; 0 means fixed tiny
    /// counts and no calibration (quick mode).
    pub(crate) target_ns: u64,
    /// Objects each burst thread holds at once.
    pub(crate) burst_per_thread: usize,
}

impl Options {
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
}

/// One candidate, its pool built once for the timed scenarios.
trait Runner {
    fn name(&self) -> &'static str;
    fn run(&self, scenario: Scenario, per_thread: u64, warmup: u64) -> Run;
    fn burst(&self, per_thread: usize) -> (Burst, Option<String>);
}

struct Bound<C> {
    name: &'static str,
    pool: C,
    make: fn() -> C,
}

impl<C: Candidate> Runner for Bound<C> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn run(&self, scenario: Scenario, per_thread: u64, warmup: u64) -> Run {
        match scenario {
            Scenario::Threads(op, threads) => {
                run_parallel(&self.pool, op, threads, per_thread, warmup)
            }
            Scenario::Handoff => run_handoff(&self.pool, per_thread, warmup),
        }
    }

    fn burst(&self, per_thread: usize) -> (Burst, Option<String>) {
        run_burst(self.make, BURST_THREADS, per_thread)
    }
}

struct Collect(Vec<Box<dyn Runner>>);

impl Visit for Collect {
    fn visit<C: Candidate + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        self.0.push(Box::new(Bound {
            name,
            pool: make(),
            make,
        }));
    }
}

/// Everything one run measured.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) options: Options,
    pub(crate) candidates: Vec<&'static str>,
    /// `[candidate][scenario][round]`, ns per operation.
    pub(crate) ns: Vec<Vec<Vec<f64>>>,
    /// `[candidate][scenario][round]`, allocations per operation.
    pub(crate) allocs: Vec<Vec<Vec<f64>>>,
    /// `[candidate]`.
    pub(crate) bursts: Vec<Burst>,
    /// `[candidate]`: the pool's own account after the burst, if it keeps one.
    pub(crate) burst_stats: Vec<Option<String>>,
}

/// Operations per thread of one pilot run, sized so that even the slowest
/// candidate takes a few milliseconds.
fn pilot_ops(scenario: Scenario) -> u64 {
    match scenario {
        Scenario::Threads(Op::RoundTrip, _) => 20_000,
        Scenario::Threads(Op::Request, _) | Scenario::Handoff => 400,
    }
}

/// Operations per thread in quick mode.
fn quick_ops(scenario: Scenario) -> u64 {
    match scenario {
        Scenario::Threads(Op::RoundTrip, _) => 200,
        Scenario::Threads(Op::Request, _) | Scenario::Handoff => 20,
    }
}

fn threads_of(scenario: Scenario) -> u64 {
    match scenario {
        Scenario::Threads(_, threads) => threads as u64,
        Scenario::Handoff => 1,
    }
}

/// Runs everything. `progress` gets one line per phase (stderr in the
/// example, nothing in the test).
pub(crate) fn run(options: Options, progress: &mut dyn FnMut(&str)) -> Report {
    let mut all = Collect(Vec::new());
    candidates::each(&mut all);
    let runners = all.0;
    let (nc, ns) = (runners.len(), SCENARIOS.len());

    // Operations per thread for each (candidate, scenario): from a pilot
    // run, so that every measurement takes about `target_ns` whatever the
    // candidate's speed. The pilot also warms each pool up.
    let mut per_thread = vec![vec![0u64; ns]; nc];
    for (s, &(label, scenario)) in SCENARIOS.iter().enumerate() {
        if options.target_ns > 0 {
            progress(&format!("calibrating {label}"));
        }
        for (c, runner) in runners.iter().enumerate() {
            per_thread[c][s] = if options.target_ns == 0 {
                quick_ops(scenario)
            } else {
                let pilot = pilot_ops(scenario);
                let run = runner.run(scenario, pilot, pilot / 10);
                let total = options.target_ns as f64 / run.ns_per_op().max(0.1);
                ((total / threads_of(scenario) as f64) as u64).clamp(pilot / 4, 100_000_000)
            };
        }
    }

    let mut ns_per_op = vec![vec![Vec::new(); ns]; nc];
    let mut allocs = vec![vec![Vec::new(); ns]; nc];
    for round in 0..options.rounds {
        progress(&format!("round {}/{}", round + 1, options.rounds));
        for (s, &(_, scenario)) in SCENARIOS.iter().enumerate() {
            let mut best = vec![f64::INFINITY; nc];
            let mut most_allocs = vec![0f64; nc];
            for pass in 0..options.passes {
                // Interleaved: each pass starts with a different candidate,
                // so drifts in the machine's load spread evenly.
                for k in 0..nc {
                    let c = (k + round * options.passes + pass) % nc;
                    let n = per_thread[c][s];
                    let run = runners[c].run(scenario, n, (n / 20).max(10));
                    best[c] = best[c].min(run.ns_per_op());
                    // Allocations are counts, not luck: keep the worst pass.
                    most_allocs[c] = most_allocs[c].max(run.allocs_per_op());
                }
            }
            for (c, (best, most)) in best.into_iter().zip(most_allocs).enumerate() {
                ns_per_op[c][s].push(best);
                allocs[c][s].push(most);
            }
        }
    }

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
        candidates: runners.iter().map(|r| r.name()).collect(),
        ns: ns_per_op,
        allocs,
        bursts,
        burst_stats,
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One of repool's targets, checked against this run.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) what: String,
    pub(crate) measured: String,
    pub(crate) bound: String,
    pub(crate) met: bool,
}

impl Report {
    pub(crate) fn index(&self, name: &str) -> usize {
        self.candidates
            .iter()
            .position(|&c| c == name)
            .unwrap_or_else(|| panic!("no candidate {name}"))
    }

    pub(crate) fn median_ns(&self, candidate: usize, scenario: usize) -> f64 {
        median(&self.ns[candidate][scenario])
    }

    pub(crate) fn median_allocs(&self, candidate: usize, scenario: usize) -> f64 {
        median(&self.allocs[candidate][scenario])
    }

    /// The ratio of ns/op to the baseline's: the median over rounds of the
    /// ratio within each round. The two were measured moments apart, so a
    /// change in the machine's load between rounds cancels out.
    pub(crate) fn ratio(&self, candidate: usize, scenario: usize) -> f64 {
        self.ratio_to(candidate, self.index(BASELINE), scenario)
    }

    /// As [`Report::ratio`], against any other candidate.
    pub(crate) fn ratio_to(&self, candidate: usize, other: usize, scenario: usize) -> f64 {
        let base = &self.ns[other][scenario];
        let ratios: Vec<f64> = self.ns[candidate][scenario]
            .iter()
            .zip(base)
            .map(|(c, b)| c / b)
            .collect();
        median(&ratios)
    }

    pub(crate) fn burst(&self, name: &str) -> Burst {
        self.bursts[self.index(name)]
    }

    /// Checks repool against the targets of issues 2 and 4.
    pub(crate) fn targets(&self) -> Vec<Target> {
        let repool = self.index("repool");
        let mut out = Vec::new();
        let mut ratio = |s: usize, bound: f64| {
            let r = self.ratio(repool, s);
            out.push(Target {
                what: format!("{}: ratio to {BASELINE}", SCENARIOS[s].0),
                measured: format!("{r:.2}"),
                bound: format!("<= {bound:.2}"),
                met: r <= bound,
            });
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
            let a = self.median_allocs(repool, s);
            out.push(Target {
                what: format!("{}: allocations per op", SCENARIOS[s].0),
                measured: fmt_allocs(a),
                bound: "0".to_owned(),
                met: a == 0.0,
            });
        }
        // Handoff: against each anchor crate, the median of the per-round
        // ratios; the target is met when repool is no slower than the
        // fastest of them, i.e. than every one.
        let handoff = SCENARIOS.len() - 1;
        let (fastest, worst) = ANCHOR_CRATES
            .iter()
            .map(|&name| (name, self.ratio_to(repool, self.index(name), handoff)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("no anchor crate");
        out.push(Target {
            what: format!("handoff: ratio to the fastest anchor crate ({fastest})"),
            measured: format!("{worst:.2}"),
            bound: "<= 1.00".to_owned(),
            met: worst <= 1.0,
        });
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
        let mut md = String::new();

        let _ = writeln!(
            md,
            "### Time per operation\n\nns/op: the median over {} rounds of each round's fastest \
             of {} interleaved passes; in parentheses, the ratio to `{BASELINE}` (the \
             hand-written thread-local free list): the median of the ratios within each \
             round. Multi-threaded: total wall time over total operations.\n",
            self.options.rounds, self.options.passes
        );
        self.scenario_table(&mut md, |c, s| {
            format!("{} ({:.2})", fmt_ns(self.median_ns(c, s)), self.ratio(c, s))
        });

        md.push_str(
            "\n### Allocations per operation\n\nCounted by a global allocator while timed: the \
             median over rounds of each round's highest pass.\n\n",
        );
        self.scenario_table(&mut md, |c, s| fmt_allocs(self.median_allocs(c, s)));

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
        for (c, name) in self.candidates.iter().enumerate() {
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
                let _ = writeln!(md, "\n`{}` after the burst: {stats}", self.candidates[c]);
            }
        }

        md.push_str("\n### repool's targets\n\n| target | measured | bound | met |\n|---|---:|---:|:---:|\n");
        for t in self.targets() {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                t.what,
                t.measured,
                t.bound,
                if t.met { "yes" } else { "**no**" }
            );
        }
        md
    }

    /// A Markdown table, a row per candidate and a column per scenario, of
    /// `cell(candidate, scenario)`.
    fn scenario_table(&self, md: &mut String, cell: impl Fn(usize, usize) -> String) {
        md.push_str("| candidate |");
        for (label, _) in SCENARIOS {
            let _ = write!(md, " {label} |");
        }
        md.push_str("\n|---|");
        md.push_str(&"---:|".repeat(SCENARIOS.len()));
        md.push('\n');
        for (c, name) in self.candidates.iter().enumerate() {
            let _ = write!(md, "| {name} |");
            for s in 0..SCENARIOS.len() {
                let _ = write!(md, " {} |", cell(c, s));
            }
            md.push('\n');
        }
    }

    /// Draws ns/op per candidate per scenario and the objects retained after
    /// the burst, as an SVG.
    pub(crate) fn svg(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        chart::draw(self, path)
    }
}

fn fmt_ns(ns: f64) -> String {
    if ns < 100.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.0}")
    }
}

fn fmt_allocs(a: f64) -> String {
    if a == 0.0 {
        "0".to_owned()
    } else if a < 0.01 {
        format!("{a:.4}")
    } else {
        format!("{a:.2}")
    }
}

mod chart {
    use std::path::Path;

    use plotters::prelude::*;

    use super::{Report, SCENARIOS};
    use crate::common::CAPACITY;
    use crate::common::candidates::BASELINE;

    fn color(name: &str, index: usize) -> RGBColor {
        match name {
            "repool" => RGBColor(214, 39, 40),
            BASELINE => RGBColor(40, 40, 40),
            _ => {
                // Muted, distinguishable colours for the rest.
                const OTHERS: [RGBColor; 9] = [
                    RGBColor(31, 119, 180),
                    RGBColor(255, 127, 14),
                    RGBColor(44, 160, 44),
                    RGBColor(148, 103, 189),
                    RGBColor(140, 86, 75),
                    RGBColor(227, 119, 194),
                    RGBColor(127, 127, 127),
                    RGBColor(188, 189, 34),
                    RGBColor(23, 190, 207),
                ];
                OTHERS[index % OTHERS.len()]
            }
        }
    }

    /// The bar an axis position stands for: labels go only on the whole
    /// numbers `0..n`, one per bar.
    fn bar_at(at: f64, n: usize) -> Option<usize> {
        let i = at.round();
        ((at - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n).then_some(i as usize)
    }

    pub(super) fn draw(report: &Report, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let names = &report.candidates;
        let colors: Vec<RGBColor> = {
            let mut others = 0;
            names
                .iter()
                .map(|&n| {
                    let c = color(n, others);
                    if n != "repool" && n != BASELINE {
                        others += 1;
                    }
                    c
                })
                .collect()
        };
        let (nc, ns) = (names.len(), SCENARIOS.len());

        let root = SVGBackend::new(path, (1400, 960)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(560);
        let (retained_area, legend_area) = bottom.split_horizontally(1120);

        // Top: ns/op, grouped by scenario, log scale (round trips are tens
        // of ns, requests microseconds).
        let values: Vec<f64> = (0..nc)
            .flat_map(|c| (0..ns).map(move |s| (c, s)))
            .map(|(c, s)| report.median_ns(c, s))
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let lo = values.iter().cloned().fold(f64::INFINITY, f64::min) / 2.0;
        let hi = values.iter().cloned().fold(0.0, f64::max) * 2.0;
        let mut chart = ChartBuilder::on(&top)
            .caption(
                format!(
                    "ns per operation, median of {} rounds, each the best of {} passes \
                     (log scale, lower is better)",
                    report.options.rounds, report.options.passes
                ),
                ("sans-serif", 22),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5f64..ns as f64 - 0.5, (lo..hi).log_scale())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(ns)
            .x_label_formatter(&|&x| {
                bar_at(x, ns).map_or_else(String::new, |s| SCENARIOS[s].0.to_owned())
            })
            .x_label_style(("sans-serif", 15))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("ns/op")
            .draw()?;
        let width = 0.86 / nc as f64;
        for (c, color) in colors.iter().enumerate() {
            chart.draw_series((0..ns).map(|s| {
                let x0 = s as f64 - 0.43 + c as f64 * width;
                let v = report.median_ns(c, s).max(lo);
                Rectangle::new([(x0, lo), (x0 + width * 0.9, v)], color.filled())
            }))?;
        }

        // Bottom left: objects still alive after the burst.
        let held = report.bursts.iter().map(|b| b.held).max().unwrap_or(0) as f64;
        let max = report
            .bursts
            .iter()
            .map(|b| b.retained.max(b.retained_after_exit) as f64)
            .fold(held, f64::max)
            * 1.08;
        let mut chart = ChartBuilder::on(&retained_area)
            .caption(
                format!(
                    "objects kept after a burst of {} held at once, and their heap \
                     (solid: threads alive; light: after they exit; line: capacity {CAPACITY})",
                    held as u64
                ),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(140)
            .build_cartesian_2d(0f64..max, -0.5f64..nc as f64 - 0.5)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(nc)
            .y_label_formatter(&|&y| {
                // Top to bottom in candidate order.
                bar_at(y, nc).map_or_else(String::new, |i| names[nc - 1 - i].to_owned())
            })
            .y_label_style(("sans-serif", 14))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("live objects")
            .draw()?;
        for (c, color) in colors.iter().enumerate() {
            let b = report.bursts[c];
            let y = (nc - 1 - c) as f64;
            chart.draw_series([
                Rectangle::new(
                    [(0.0, y - 0.38), (b.retained.max(0) as f64, y)],
                    color.filled(),
                ),
                Rectangle::new(
                    [(0.0, y), (b.retained_after_exit.max(0) as f64, y + 0.38)],
                    color.mix(0.35).filled(),
                ),
            ])?;
        }
        chart.draw_series(report.bursts.iter().enumerate().map(|(c, b)| {
            Text::new(
                format!("{:.1} MiB", b.retained_bytes as f64 / (1024.0 * 1024.0)),
                (
                    b.retained.max(0) as f64 + max * 0.008,
                    (nc - 1 - c) as f64 - 0.05,
                ),
                ("sans-serif", 12).into_font(),
            )
        }))?;
        let cap = CAPACITY as f64;
        chart.draw_series(LineSeries::new(
            [(cap, -0.5), (cap, nc as f64 - 0.5)],
            BLACK.stroke_width(1),
        ))?;

        // Bottom right: the legend.
        for (c, name) in names.iter().enumerate() {
            let y = 40 + c as i32 * 26;
            legend_area.draw(&Rectangle::new([(16, y), (34, y + 16)], colors[c].filled()))?;
            legend_area.draw(&Text::new(
                name.to_string(),
                (42, y + 2),
                ("sans-serif", 15).into_font(),
            ))?;
        }

        root.present()?;
        Ok(())
    }
}
