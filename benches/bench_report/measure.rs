//! What both sections of the report share: how they measure (a pilot run
//! that sizes each candidate's passes, then rounds of interleaved passes),
//! what they make of it (medians, ratios within a round), and how they
//! print it.
//!
//! Shared by `bench_report.rs`, `tests/bench_report.rs` and
//! `tests/buffers_counts.rs`.

use std::fmt::Write as _;
use std::ops::Range;

use crate::common::drive::Run;

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
    /// Objects (or buffers) each burst thread holds at once.
    pub(crate) burst_per_thread: usize,
}

impl Options {
    /// The published run, each burst thread holding `burst_per_thread`: a
    /// few minutes a section on a 2-core machine.
    ///
    /// Many short passes rather than a few long ones: on a shared machine
    /// other processes take the cores in bursts, which only ever add time.
    /// The fastest of a round's interleaved passes is the one least
    /// disturbed, and the median over rounds discards the rest of the luck.
    pub(crate) const fn full(burst_per_thread: usize) -> Options {
        Options {
            rounds: 15,
            passes: 3,
            target_ns: 15_000_000,
            burst_per_thread,
        }
    }

    /// Every scenario with tiny counts and no calibration, so that the
    /// test suite keeps a section running; the burst holds
    /// `burst_per_thread` per thread.
    pub(crate) const fn quick(burst_per_thread: usize) -> Options {
        Options {
            rounds: 1,
            passes: 1,
            target_ns: 0,
            burst_per_thread,
        }
    }
}

/// What the measuring loop needs to know of a timed scenario.
pub(crate) trait Scenario: Copy {
    /// Operations per thread of one pilot run, sized so that even the
    /// slowest candidate takes a few milliseconds.
    fn pilot_ops(self) -> u64;
    /// Untimed operations per thread before the pilot run.
    fn pilot_warmup(self) -> u64;
    /// Operations per thread in quick mode.
    fn quick_ops(self) -> u64;
    /// Untimed operations per thread before a timed pass of `ops`.
    fn warmup(self, ops: u64) -> u64;
    /// Which of a candidate's pools the scenario runs on (each is built
    /// with the candidate's `make`; a pool in statics is the same for all):
    /// scenarios on one pool meet what the others left in it.
    fn pool(self) -> usize {
        0
    }
}

/// A section's timed scenarios, in table order: each operation on 1, 2
/// and 8 threads, `$threads(op, n)` labelled `"{label} {n}t"`, then
/// `$last`.
macro_rules! scenarios {
    ($threads:path, [$($label:literal: $op:expr),* $(,)?], $last:expr $(,)?) => {
        [
            $(
                (concat!($label, " 1t"), $threads($op, 1)),
                (concat!($label, " 2t"), $threads($op, 2)),
                (concat!($label, " 8t"), $threads($op, 8)),
            )*
            $last,
        ]
    };
}
pub(crate) use scenarios;

/// One candidate, its pool built once for the timed scenarios.
pub(crate) trait Runner {
    type Scenario: Scenario;
    /// What the candidate's burst measures.
    type Burst;
    fn name(&self) -> &'static str;
    fn run(&self, scenario: Self::Scenario, per_thread: u64, warmup: u64) -> Run;
    /// The burst, and the pool's own account of itself afterwards if it
    /// keeps one.
    fn burst(&self, per_thread: usize) -> (Self::Burst, Option<String>);
}

/// The candidates of a section, in table order. Each section collects them
/// by implementing its candidates' visitor for this type.
pub(crate) type Runners<S, B> = Vec<Box<dyn Runner<Scenario = S, Burst = B>>>;

/// A candidate `C` of a section, whatever the section's candidate trait:
/// the section gives the two functions that drive it.
pub(crate) struct Bound<C, S, B> {
    name: &'static str,
    /// The pools of the timed scenarios ([`Scenario::pool`]).
    pools: Vec<C>,
    /// Builds a fresh pool, for the burst.
    make: fn() -> C,
    /// Runs a scenario on the pool: the scenario, the pool, operations per
    /// thread, then warm-up.
    run: fn(S, &C, u64, u64) -> Run,
    /// Runs the burst on pools from `make`, so many held per thread.
    burst: BurstFn<C, B>,
}

/// A candidate's burst: on pools from its `make`, so many held per thread;
/// what it measured, and the pool's own account afterwards if it keeps one.
type BurstFn<C, B> = fn(fn() -> C, usize) -> (B, Option<String>);

impl<C: 'static, S: Scenario + 'static, B: 'static> Bound<C, S, B> {
    /// The candidate `name`, its `pools` built by `make` now, driven by
    /// `run` and `burst`.
    pub(crate) fn boxed(
        name: &'static str,
        make: fn() -> C,
        pools: usize,
        run: fn(S, &C, u64, u64) -> Run,
        burst: BurstFn<C, B>,
    ) -> Box<dyn Runner<Scenario = S, Burst = B>> {
        Box::new(Bound {
            name,
            pools: (0..pools).map(|_| make()).collect(),
            make,
            run,
            burst,
        })
    }
}

impl<C, S: Scenario, B> Runner for Bound<C, S, B> {
    type Scenario = S;
    type Burst = B;

    fn name(&self) -> &'static str {
        self.name
    }

    fn run(&self, scenario: S, per_thread: u64, warmup: u64) -> Run {
        (self.run)(scenario, &self.pools[scenario.pool()], per_thread, warmup)
    }

    fn burst(&self, per_thread: usize) -> (B, Option<String>) {
        (self.burst)(self.make, per_thread)
    }
}

/// What the timed scenarios measured.
#[derive(Debug)]
pub(crate) struct Timings {
    pub(crate) candidates: Vec<&'static str>,
    /// The scenarios' labels, in table order.
    pub(crate) scenarios: Vec<&'static str>,
    /// `[candidate][scenario][round]`, ns per operation.
    pub(crate) ns: Vec<Vec<Vec<f64>>>,
    /// `[candidate][scenario][round]`, allocations per operation.
    pub(crate) allocs: Vec<Vec<Vec<f64>>>,
}

/// Times every scenario for every candidate. `progress` gets one line per
/// phase, after `prefix` (stderr in the example, nothing in the tests).
fn time<S: Scenario, B>(
    options: &Options,
    scenarios: &[(&'static str, S)],
    runners: &Runners<S, B>,
    prefix: &str,
    progress: &mut dyn FnMut(&str),
) -> Timings {
    let (nc, ns) = (runners.len(), scenarios.len());

    // Operations per thread for each (candidate, scenario): from a pilot
    // run, so that every measurement takes about `target_ns` whatever the
    // candidate's speed. The pilot also warms each pool up.
    let mut per_thread = vec![vec![0u64; ns]; nc];
    for (s, &(label, scenario)) in scenarios.iter().enumerate() {
        if options.target_ns > 0 {
            progress(&format!("{prefix}calibrating {label}"));
        }
        for (c, runner) in runners.iter().enumerate() {
            per_thread[c][s] = if options.target_ns == 0 {
                scenario.quick_ops()
            } else {
                let pilot = scenario.pilot_ops();
                let run = runner.run(scenario, pilot, scenario.pilot_warmup());
                let total = options.target_ns as f64 / run.ns_per_op().max(0.1);
                // Split between the threads that share the operations, each
                // of which ran `pilot` of them.
                let threads = (run.ops / pilot).max(1);
                ((total / threads as f64) as u64).clamp(pilot / 4, 100_000_000)
            };
        }
    }

    let mut ns_per_op = vec![vec![Vec::new(); ns]; nc];
    let mut allocs = vec![vec![Vec::new(); ns]; nc];
    for round in 0..options.rounds {
        progress(&format!("{prefix}round {}/{}", round + 1, options.rounds));
        for (s, &(_, scenario)) in scenarios.iter().enumerate() {
            let mut best = vec![f64::INFINITY; nc];
            let mut most_allocs = vec![0f64; nc];
            for pass in 0..options.passes {
                // Interleaved: each pass starts with a different candidate,
                // so drifts in the machine's load spread evenly.
                for k in 0..nc {
                    let c = (k + round * options.passes + pass) % nc;
                    let n = per_thread[c][s];
                    let run = runners[c].run(scenario, n, scenario.warmup(n));
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

    Timings {
        candidates: runners.iter().map(|r| r.name()).collect(),
        scenarios: scenarios.iter().map(|&(label, _)| label).collect(),
        ns: ns_per_op,
        allocs,
    }
}

/// Everything one run of a section measured. Each section has its targets,
/// tables and chart on its own `Section<its burst>`.
#[derive(Debug)]
pub(crate) struct Section<B> {
    pub(crate) options: Options,
    pub(crate) timings: Timings,
    /// `[candidate]`.
    pub(crate) bursts: Vec<B>,
    /// `[candidate]`: the pool's own account after the burst, if it keeps
    /// one (no buffer pool does).
    // Only the object section prints it: a target that includes this
    // module without that section reads it nowhere.
    #[allow(dead_code)]
    pub(crate) burst_stats: Vec<Option<String>>,
}

impl<B: Copy> Section<B> {
    pub(crate) fn burst(&self, name: &str) -> B {
        self.bursts[self.timings.index(name)]
    }
}

/// Runs a section: every scenario for every candidate that `collect` puts
/// in the runners ([`time`], with `prefix`), then, announced by
/// `burst_line`, each candidate's burst.
pub(crate) fn run<S: Scenario, B>(
    options: Options,
    scenarios: &[(&'static str, S)],
    collect: impl FnOnce(&mut Runners<S, B>),
    prefix: &str,
    burst_line: &str,
    progress: &mut dyn FnMut(&str),
) -> Section<B> {
    let mut runners = Runners::new();
    collect(&mut runners);
    let timings = time(&options, scenarios, &runners, prefix, progress);
    progress(burst_line);
    let (bursts, burst_stats) = runners
        .iter()
        .map(|r| r.burst(options.burst_per_thread))
        .unzip();
    Section {
        options,
        timings,
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

impl Timings {
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

    /// The ratio of ns/op to `other`'s: the median over rounds of the ratio
    /// within each round. The two were measured moments apart, so a change
    /// in the machine's load between rounds cancels out.
    pub(crate) fn ratio_to(&self, candidate: usize, other: usize, scenario: usize) -> f64 {
        let ratios: Vec<f64> = self.ns[candidate][scenario]
            .iter()
            .zip(&self.ns[other][scenario])
            .map(|(c, o)| c / o)
            .collect();
        median(&ratios)
    }

    /// Of `others`, the one `candidate`'s ratio is highest against (the
    /// fastest of them, round by round), and that ratio: at most 1 when
    /// `candidate` is no slower than any of them.
    fn worst_ratio<'a>(
        &self,
        candidate: usize,
        others: impl IntoIterator<Item = &'a str>,
        scenario: usize,
    ) -> (&'a str, f64) {
        others
            .into_iter()
            .map(|name| (name, self.ratio_to(candidate, self.index(name), scenario)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("no candidate to compare with")
    }

    /// A section's tables of the timed scenarios of `columns`: after
    /// `intro` (a line of its own), ns/op and, in parentheses, the ratio to
    /// `base`; after `allocs_intro`, allocations per operation.
    pub(crate) fn time_tables(
        &self,
        columns: Range<usize>,
        base: &str,
        intro: &str,
        allocs_intro: &str,
    ) -> String {
        let mut md = format!("{intro}\n");
        let base = self.index(base);
        self.table(&mut md, columns.clone(), |c, s| {
            format!(
                "{} ({:.2})",
                fmt_ns(self.median_ns(c, s)),
                self.ratio_to(c, base, s)
            )
        });
        md.push_str(allocs_intro);
        self.table(&mut md, columns, |c, s| {
            fmt_allocs(self.median_allocs(c, s))
        });
        md
    }

    /// The target that `candidate`'s ns/op on `scenario` is at most `bound`
    /// times `other`'s ([`Timings::ratio_to`]).
    pub(crate) fn ratio_target(
        &self,
        candidate: usize,
        other: &str,
        scenario: usize,
        bound: f64,
    ) -> Target {
        let what = format!("{}: ratio to {other}", self.scenarios[scenario]);
        let ratio = self.ratio_to(candidate, self.index(other), scenario);
        Target::ratio(what, ratio, bound)
    }

    /// The target that `candidate` is no slower on `scenario` than the
    /// fastest of `others` ([`Timings::worst_ratio`]), which are `kind`s.
    pub(crate) fn fastest_target<'a>(
        &self,
        candidate: usize,
        others: impl IntoIterator<Item = &'a str>,
        scenario: usize,
        kind: &str,
    ) -> Target {
        let (fastest, worst) = self.worst_ratio(candidate, others, scenario);
        let label = self.scenarios[scenario];
        let what = format!("{label}: ratio to the fastest {kind} ({fastest})");
        Target::ratio(what, worst, 1.0)
    }

    /// The target that `candidate` makes no allocations per operation on
    /// `scenario`.
    pub(crate) fn no_allocs_target(&self, candidate: usize, scenario: usize) -> Target {
        let allocs = self.median_allocs(candidate, scenario);
        Target {
            what: format!("{}: allocations per op", self.scenarios[scenario]),
            measured: fmt_allocs(allocs),
            bound: "0".to_owned(),
            met: allocs == 0.0,
        }
    }

    /// A Markdown table, a row per candidate and a column per scenario of
    /// `columns`, of `cell(candidate, scenario)`.
    fn table(&self, md: &mut String, columns: Range<usize>, cell: impl Fn(usize, usize) -> String) {
        md.push_str("| candidate |");
        for label in &self.scenarios[columns.clone()] {
            let _ = write!(md, " {label} |");
        }
        md.push_str("\n|---|");
        md.push_str(&"---:|".repeat(columns.len()));
        md.push('\n');
        for (c, name) in self.candidates.iter().enumerate() {
            let _ = write!(md, "| {name} |");
            for s in columns.clone() {
                let _ = write!(md, " {} |", cell(c, s));
            }
            md.push('\n');
        }
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

impl Target {
    /// A ratio of ns/op that may be at most `bound`.
    fn ratio(what: String, ratio: f64, bound: f64) -> Target {
        Target {
            what,
            measured: format!("{ratio:.2}"),
            bound: format!("<= {bound:.2}"),
            met: ratio <= bound,
        }
    }
}

/// The targets as a Markdown table, after `heading`.
pub(crate) fn targets_table(md: &mut String, heading: &str, targets: &[Target]) {
    md.push_str(heading);
    md.push_str("| target | measured | bound | met |\n|---|---:|---:|:---:|\n");
    for t in targets {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            t.what,
            t.measured,
            t.bound,
            if t.met { "yes" } else { "**no**" }
        );
    }
}

pub(crate) fn fmt_ns(ns: f64) -> String {
    if ns < 100.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.0}")
    }
}

/// Bytes in MiB, to a tenth.
pub(crate) fn fmt_mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

pub(crate) fn fmt_allocs(a: f64) -> String {
    if a == 0.0 {
        "0".to_owned()
    } else if a < 0.01 {
        format!("{a:.4}")
    } else {
        format!("{a:.2}")
    }
}
