//! The report's mixed-size buffer section (issue 11): every buffer pool on
//! 1, 2 and 8 threads, interleaved over several rounds in one process, and
//! a burst that measures the bytes each keeps idle; then tables and a chart.
//!
//! Shared by `examples/bench_report.rs` and `tests/buffers_counts.rs` (which
//! runs it in quick mode and checks the counts).

use std::fmt::Write as _;
use std::path::Path;

use crate::common::buffers::candidates::{self, BASELINE, BufferPool, VisitBuffers, ZEROPOOL};
use crate::common::buffers::drive::{BufferBurst, Work, run_buffer_burst, run_mixed};
use crate::common::drive::Run;

/// The timed scenarios, in table order: the workload (fill each
/// buffer), then the same sizes with nothing written, which leaves the
/// pools' own costs.
pub(crate) const SCENARIOS: [(&str, Work, usize); 6] = [
    ("fill 1t", Work::Fill, 1),
    ("fill 2t", Work::Fill, 2),
    ("fill 8t", Work::Fill, 8),
    ("no fill 1t", Work::Take, 1),
    ("no fill 2t", Work::Take, 2),
    ("no fill 8t", Work::Take, 8),
];

/// Threads in the burst.
pub(crate) const BURST_THREADS: usize = 8;

/// Untimed operations each worker runs first, whatever the mode: enough
/// that every size class has been asked for (each octave of the sizes is
/// drawn with probability 1/14), so that a pool whose per-thread caches die
/// with the thread (the hand-written list, zeropool) is warm again.
const WARMUP: u64 = 200;

/// How long and how hard to measure.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options {
    /// Rounds for every candidate; medians are over these.
    pub(crate) rounds: usize,
    /// Passes over the candidates within a round; a round keeps each
    /// candidate's fastest pass.
    pub(crate) passes: usize,
    /// Target wall time of one pass, in nanoseconds; 0 means fixed tiny
    /// counts and no calibration (quick mode).
    pub(crate) target_ns: u64,
    /// Buffers each burst thread holds at once.
    pub(crate) burst_per_thread: usize,
}

impl Options {
    /// The published run, as the object scenarios' (15 rounds of 3 passes
    /// of about 15 ms per candidate).
    pub(crate) const FULL: Options = Options {
        rounds: 15,
        passes: 3,
        target_ns: 15_000_000,
        burst_per_thread: 200,
    };

    /// Tiny counts, so the test suite keeps the section running; the burst
    /// is the published one (8 threads x 200 buffers), since it is a count.
    pub(crate) const QUICK: Options = Options {
        rounds: 1,
        passes: 1,
        target_ns: 0,
        burst_per_thread: 200,
    };
}

/// Timed operations per thread in quick mode.
fn quick_ops(work: Work, threads: usize) -> u64 {
    match (work, threads) {
        (Work::Fill, 1) => 200,
        (Work::Fill, _) => 40,
        (Work::Take, _) => 400,
    }
}

/// Operations per thread of one pilot run, sized so that even the slowest
/// candidate takes a few milliseconds.
fn pilot_ops(work: Work) -> u64 {
    match work {
        Work::Fill => 400,
        Work::Take => 20_000,
    }
}

/// One candidate, its pool built once for the timed runs.
trait Runner {
    fn name(&self) -> &'static str;
    fn run(&self, work: Work, threads: usize, per_thread: u64, warmup: u64) -> Run;
    fn burst(&self, per_thread: usize) -> BufferBurst;
}

struct Bound<C> {
    name: &'static str,
    pool: C,
    make: fn() -> C,
}

impl<C: BufferPool> Runner for Bound<C> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn run(&self, work: Work, threads: usize, per_thread: u64, warmup: u64) -> Run {
        run_mixed(&self.pool, work, threads, per_thread, warmup)
    }

    fn burst(&self, per_thread: usize) -> BufferBurst {
        run_buffer_burst(self.make, BURST_THREADS, per_thread)
    }
}

struct Collect(Vec<Box<dyn Runner>>);

impl VisitBuffers for Collect {
    fn visit<C: BufferPool + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        self.0.push(Box::new(Bound {
            name,
            pool: make(),
            make,
        }));
    }
}

/// Everything one run of the section measured.
#[derive(Debug)]
pub(crate) struct BufferReport {
    pub(crate) options: Options,
    pub(crate) candidates: Vec<&'static str>,
    /// `[candidate][scenario][round]`, ns per operation.
    pub(crate) ns: Vec<Vec<Vec<f64>>>,
    /// `[candidate][scenario][round]`, allocations per operation.
    pub(crate) allocs: Vec<Vec<Vec<f64>>>,
    /// `[candidate]`.
    pub(crate) bursts: Vec<BufferBurst>,
}

/// Runs the section. `progress` gets one line per phase.
pub(crate) fn run(options: Options, progress: &mut dyn FnMut(&str)) -> BufferReport {
    let mut all = Collect(Vec::new());
    candidates::each(&mut all);
    let runners = all.0;
    let (nc, ns) = (runners.len(), SCENARIOS.len());

    // Operations per thread for each (candidate, scenario), from a pilot
    // run that also warms each pool up.
    let mut per_thread = vec![vec![0u64; ns]; nc];
    for (s, &(label, work, threads)) in SCENARIOS.iter().enumerate() {
        if options.target_ns > 0 {
            progress(&format!("buffers: calibrating {label}"));
        }
        for (c, runner) in runners.iter().enumerate() {
            per_thread[c][s] = if options.target_ns == 0 {
                quick_ops(work, threads)
            } else {
                let pilot = pilot_ops(work);
                let run = runner.run(work, threads, pilot, WARMUP);
                let total = options.target_ns as f64 / run.ns_per_op().max(0.1);
                ((total / threads as f64) as u64).clamp(pilot / 4, 100_000_000)
            };
        }
    }

    let mut ns_per_op = vec![vec![Vec::new(); ns]; nc];
    let mut allocs = vec![vec![Vec::new(); ns]; nc];
    for round in 0..options.rounds {
        progress(&format!("buffers: round {}/{}", round + 1, options.rounds));
        for (s, &(_, work, threads)) in SCENARIOS.iter().enumerate() {
            let mut best = vec![f64::INFINITY; nc];
            let mut most_allocs = vec![0f64; nc];
            for pass in 0..options.passes {
                // Interleaved: each pass starts with a different candidate.
                for k in 0..nc {
                    let c = (k + round * options.passes + pass) % nc;
                    let run = runners[c].run(work, threads, per_thread[c][s], WARMUP);
                    best[c] = best[c].min(run.ns_per_op());
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
        "buffers: burst, {BURST_THREADS} threads x {} buffers",
        options.burst_per_thread
    ));
    let bursts = runners
        .iter()
        .map(|r| r.burst(options.burst_per_thread))
        .collect();

    BufferReport {
        options,
        candidates: runners.iter().map(|r| r.name()).collect(),
        ns: ns_per_op,
        allocs,
        bursts,
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

/// One of repool's buffer targets, checked against this run.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) what: String,
    pub(crate) measured: String,
    pub(crate) bound: String,
    pub(crate) met: bool,
}

impl BufferReport {
    pub(crate) fn index(&self, name: &str) -> usize {
        self.candidates
            .iter()
            .position(|&c| c == name)
            .unwrap_or_else(|| panic!("no candidate {name}"))
    }

    pub(crate) fn burst(&self, name: &str) -> BufferBurst {
        self.bursts[self.index(name)]
    }

    pub(crate) fn median_ns(&self, candidate: usize, scenario: usize) -> f64 {
        median(&self.ns[candidate][scenario])
    }

    pub(crate) fn median_allocs(&self, candidate: usize, scenario: usize) -> f64 {
        median(&self.allocs[candidate][scenario])
    }

    /// The median over rounds of the ratio of ns/op to `other`'s within the
    /// round.
    pub(crate) fn ratio_to(&self, candidate: usize, other: usize, scenario: usize) -> f64 {
        let ratios: Vec<f64> = self.ns[candidate][scenario]
            .iter()
            .zip(&self.ns[other][scenario])
            .map(|(c, o)| c / o)
            .collect();
        median(&ratios)
    }

    /// The ratio to the hand-written size-class list.
    pub(crate) fn ratio(&self, candidate: usize, scenario: usize) -> f64 {
        self.ratio_to(candidate, self.index(BASELINE), scenario)
    }

    /// Checks repool against the buffer targets of issue 11.
    pub(crate) fn targets(&self) -> Vec<Target> {
        let repool = self.index("repool");
        let zeropool = self.index(ZEROPOOL);
        let mut out = Vec::new();
        for (s, (label, _, _)) in SCENARIOS.iter().enumerate() {
            for (other, name) in [(self.index(BASELINE), BASELINE), (zeropool, ZEROPOOL)] {
                let r = self.ratio_to(repool, other, s);
                out.push(Target {
                    what: format!("{label}: ratio to {name}"),
                    measured: format!("{r:.2}"),
                    bound: "<= 1.00".to_owned(),
                    met: r <= 1.0,
                });
            }
        }
        for (s, (label, _, _)) in SCENARIOS.iter().enumerate() {
            let a = self.median_allocs(repool, s);
            out.push(Target {
                what: format!("{label}: allocations per op"),
                measured: fmt_allocs(a),
                bound: "0".to_owned(),
                met: a == 0.0,
            });
        }
        let b = self.burst("repool");
        let budget = b.max_idle_bytes.unwrap_or(0);
        if let Some((alive, exited)) = b.pool_idle_bytes {
            out.push(Target {
                what: "burst: `stats().idle_bytes` (threads alive / exited)".to_owned(),
                measured: format!("{} / {}", mib(alive as i64), mib(exited as i64)),
                bound: format!("<= {} (`max_idle_bytes()`)", mib(budget as i64)),
                met: alive.max(exited) <= budget,
            });
        }
        out.push(Target {
            what: "burst: heap idle (threads alive / exited)".to_owned(),
            measured: format!("{} / {}", mib(b.idle), mib(b.idle_after_exit)),
            bound: format!("<= {}", mib(budget as i64)),
            met: b.idle.max(b.idle_after_exit) <= budget as i64,
        });
        let z = self.burst(ZEROPOOL);
        out.push(Target {
            what: "burst: heap idle, threads alive, against zeropool's".to_owned(),
            measured: format!("{} / {}", mib(b.idle), mib(z.idle)),
            bound: "below".to_owned(),
            met: b.idle < z.idle,
        });
        out
    }

    /// The section's tables, in Markdown.
    pub(crate) fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "### Mixed-size buffers\n\nEach operation draws a size log-uniformly from 64 B to \
             1 MiB (a splitmix64 stream per thread, the same for every candidate), takes a \
             buffer that holds it, copies that many bytes in (*fill*; nothing with *no fill*, \
             which leaves the pool's own cost), and drops it. ns/op: the median over {} rounds \
             of each round's fastest of {} interleaved passes; in parentheses, the ratio to \
             `{BASELINE}` (a hand-written thread-local free list per power of two, {} buffers \
             each): the median of the ratios within each round. Multi-threaded: total wall \
             time over total operations.\n",
            self.options.rounds,
            self.options.passes,
            candidates::PER_CLASS,
        );
        self.scenario_table(&mut md, |c, t| {
            format!("{} ({:.2})", fmt_ns(self.median_ns(c, t)), self.ratio(c, t))
        });

        md.push_str(
            "\n#### Allocations per operation\n\nCounted by a global allocator while timed \
             (after each thread's warm-up): the median over rounds of each round's highest \
             pass.\n\n",
        );
        self.scenario_table(&mut md, |c, t| fmt_allocs(self.median_allocs(c, t)));

        let held = self.bursts.first().map_or(0, |b| b.held);
        let _ = writeln!(
            md,
            "\n#### Burst\n\n{BURST_THREADS} threads each hold {} filled buffers at once \
             ({held} in all, sizes as above), then drop them. Heap bytes over the baseline \
             taken before the pool was built, counted for the whole process: at the peak, \
             once every buffer is dropped (threads alive), and after the threads exit. \
             *Idle per byte in use*: idle bytes, threads alive, over the bytes the held \
             buffers were asked to hold. *Pool's count*: `stats().idle_bytes` (threads alive \
             / exited), which counts each idle buffer at its class's largest size.\n",
            self.options.burst_per_thread
        );
        md.push_str(
            "| candidate | in use at peak | heap at peak | idle | idle after threads exit \
             | idle per byte in use | pool's count |\n|---|---:|---:|---:|---:|---:|---:|\n",
        );
        for (c, name) in self.candidates.iter().enumerate() {
            let b = self.bursts[c];
            let own = b.pool_idle_bytes.map_or_else(
                || "–".to_owned(),
                |(alive, exited)| format!("{} / {}", mib(alive as i64), mib(exited as i64)),
            );
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {:.3} | {own} |",
                mib(b.in_use),
                mib(b.peak),
                mib(b.idle),
                mib(b.idle_after_exit),
                b.idle_per_in_use(),
            );
        }
        if let Some(budget) = self.burst("repool").max_idle_bytes {
            let _ = writeln!(
                md,
                "\n`repool`'s budget: `Vec::<u8>::pool().max_idle_bytes()` = {}.",
                mib(budget as i64)
            );
        }

        md.push_str(
            "\n#### repool's buffer targets\n\n| target | measured | bound | met |\n\
             |---|---:|---:|:---:|\n",
        );
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

    /// A Markdown table, a row per candidate and a column per scenario.
    fn scenario_table(&self, md: &mut String, cell: impl Fn(usize, usize) -> String) {
        md.push_str("| candidate |");
        for (label, _, _) in SCENARIOS {
            let _ = write!(md, " {label} |");
        }
        md.push_str("\n|---|");
        md.push_str(&"---:|".repeat(SCENARIOS.len()));
        md.push('\n');
        for (c, name) in self.candidates.iter().enumerate() {
            let _ = write!(md, "| {name} |");
            for t in 0..SCENARIOS.len() {
                let _ = write!(md, " {} |", cell(c, t));
            }
            md.push('\n');
        }
    }

    /// Draws ns/op per candidate per scenario and the bytes kept idle
    /// after the burst, as an SVG.
    pub(crate) fn svg(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        chart::draw(self, path)
    }
}

fn mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
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

    use super::{BufferReport, SCENARIOS};
    use crate::common::buffers::candidates::{BASELINE, ZEROPOOL};

    fn color(name: &str, index: usize) -> RGBColor {
        match name {
            "repool" => RGBColor(214, 39, 40),
            BASELINE => RGBColor(40, 40, 40),
            ZEROPOOL => RGBColor(31, 119, 180),
            _ => {
                const OTHERS: [RGBColor; 9] = [
                    RGBColor(255, 127, 14),
                    RGBColor(44, 160, 44),
                    RGBColor(148, 103, 189),
                    RGBColor(140, 86, 75),
                    RGBColor(227, 119, 194),
                    RGBColor(127, 127, 127),
                    RGBColor(188, 189, 34),
                    RGBColor(23, 190, 207),
                    RGBColor(174, 199, 232),
                ];
                OTHERS[index % OTHERS.len()]
            }
        }
    }

    /// The bar an axis position stands for: labels only on `0..n`.
    fn bar_at(at: f64, n: usize) -> Option<usize> {
        let i = at.round();
        ((at - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n).then_some(i as usize)
    }

    fn mib(bytes: i64) -> f64 {
        bytes.max(0) as f64 / (1024.0 * 1024.0)
    }

    pub(super) fn draw(
        report: &BufferReport,
        path: &Path,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let names = &report.candidates;
        let colors: Vec<RGBColor> = {
            let mut others = 0;
            names
                .iter()
                .map(|&n| {
                    let c = color(n, others);
                    if !matches!(n, "repool" | BASELINE | ZEROPOOL) {
                        others += 1;
                    }
                    c
                })
                .collect()
        };
        let (nc, nt) = (names.len(), SCENARIOS.len());

        let root = SVGBackend::new(path, (1400, 960)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(500);
        let (idle_area, legend_area) = bottom.split_horizontally(1120);

        // Top: ns/op per scenario, log scale (filling takes microseconds,
        // a pool's own cost tens of nanoseconds).
        let values: Vec<f64> = (0..nc)
            .flat_map(|c| (0..nt).map(move |t| (c, t)))
            .map(|(c, t)| report.median_ns(c, t))
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        let lo = values.iter().cloned().fold(f64::INFINITY, f64::min) / 2.0;
        let hi = values.iter().cloned().fold(0.0, f64::max) * 2.0;
        let mut chart = ChartBuilder::on(&top)
            .caption(
                format!(
                    "mixed-size buffers (64 B - 1 MiB): ns per operation, median of {} rounds, \
                     each the best of {} passes (log scale, lower is better)",
                    report.options.rounds, report.options.passes
                ),
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5f64..nt as f64 - 0.5, (lo..hi).log_scale())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(nt)
            .x_label_formatter(&|&x| {
                bar_at(x, nt).map_or_else(String::new, |s| SCENARIOS[s].0.to_owned())
            })
            .x_label_style(("sans-serif", 15))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("ns/op")
            .draw()?;
        let width = 0.86 / nc as f64;
        for (c, color) in colors.iter().enumerate() {
            chart.draw_series((0..nt).map(|t| {
                let x0 = t as f64 - 0.43 + c as f64 * width;
                let v = report.median_ns(c, t).max(lo);
                Rectangle::new([(x0, lo), (x0 + width * 0.9, v)], color.filled())
            }))?;
        }

        // Bottom left: heap bytes kept idle after the burst.
        let budget = report.burst("repool").max_idle_bytes.map(|b| mib(b as i64));
        let in_use = report
            .bursts
            .iter()
            .map(|b| mib(b.in_use))
            .fold(0.0, f64::max);
        let max = report
            .bursts
            .iter()
            .map(|b| mib(b.idle).max(mib(b.idle_after_exit)))
            .chain(budget)
            .fold(1.0, f64::max)
            * 1.12;
        let mut chart = ChartBuilder::on(&idle_area)
            .caption(
                format!(
                    "heap kept idle after {} buffers ({in_use:.0} MiB) held at once (solid: \
                     threads alive; light: after they exit; line: repool's budget)",
                    report.bursts.first().map_or(0, |b| b.held)
                ),
                ("sans-serif", 17),
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
                bar_at(y, nc).map_or_else(String::new, |i| names[nc - 1 - i].to_owned())
            })
            .y_label_style(("sans-serif", 14))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("MiB idle")
            .draw()?;
        for (c, color) in colors.iter().enumerate() {
            let b = report.bursts[c];
            let y = (nc - 1 - c) as f64;
            chart.draw_series([
                Rectangle::new([(0.0, y - 0.38), (mib(b.idle), y)], color.filled()),
                Rectangle::new(
                    [(0.0, y), (mib(b.idle_after_exit), y + 0.38)],
                    color.mix(0.35).filled(),
                ),
            ])?;
        }
        chart.draw_series(report.bursts.iter().enumerate().map(|(c, b)| {
            Text::new(
                format!("{:.1} MiB", mib(b.idle)),
                (mib(b.idle) + max * 0.008, (nc - 1 - c) as f64 - 0.05),
                ("sans-serif", 12).into_font(),
            )
        }))?;
        if let Some(budget) = budget {
            chart.draw_series(LineSeries::new(
                [(budget, -0.5), (budget, nc as f64 - 0.5)],
                BLACK.stroke_width(1),
            ))?;
        }

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
