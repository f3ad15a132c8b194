//! The report's mixed-size buffer section (issue 11): every buffer pool on
//! 1, 2 and 8 threads and in a hand-off from one thread to another,
//! interleaved over several rounds in one process, and a burst that
//! measures the bytes each keeps idle; then tables and a chart.
//!
//! Shared by `bench_report.rs` and `tests/buffers_counts.rs` (which
//! runs it in quick mode and checks the counts).

use std::fmt::Write as _;
use std::path::Path;

use crate::chart::{self, BLUE, DARK, Figure, Kept, RED};
use crate::common::buffers::candidates::{
    self, BASELINE, BufferPool, VisitBuffers, ZEROPOOL, peer_crates,
};
use crate::common::buffers::drive::{
    BufferBurst, HANDOFF_BYTES, Work, run_buffer_burst, run_buffer_handoff, run_mixed,
};
use crate::common::drive::{HANDOFF_BOUND, Run};
use crate::measure::{
    self, Bound, Options, Runners, Section, Target, fmt_allocs, fmt_mib, fmt_ns, scenarios,
};

/// A timed scenario.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scenario {
    /// `threads` threads share one pool, each doing `Work` on mixed sizes.
    Mixed(Work, usize),
    /// Buffers of [`HANDOFF_BYTES`] filled on one thread, sent over a
    /// channel, dropped on another.
    Handoff,
}

/// The timed scenarios, in table order: the workload (fill each
/// buffer), then the same sizes with nothing written, which leaves the
/// pools' own costs, then the hand-off.
pub(crate) const SCENARIOS: [(&str, Scenario); 7] = scenarios!(
    Scenario::Mixed,
    ["fill": Work::Fill, "no fill": Work::Take],
    ("handoff 4 KiB", Scenario::Handoff),
);

/// The hand-off's place in [`SCENARIOS`]; the mixed-size ones come first.
pub(crate) const HANDOFF: usize = SCENARIOS.len() - 1;

/// Threads in the burst.
pub(crate) const BURST_THREADS: usize = 8;

/// Untimed operations each worker runs first, whatever the mode: enough
/// that every size class has been asked for (each octave of the sizes is
/// drawn with probability 1/14), so that a pool whose per-thread caches die
/// with the thread (the hand-written list, zeropool) is warm again; in the
/// hand-off, enough to fill the channel a few times over.
const WARMUP: u64 = 200;

/// The published run, as the object scenarios'.
pub(crate) const FULL: Options = Options::full(200);

/// Tiny counts, so the test suite keeps the section running; the burst is
/// the published one (8 threads x 200 buffers), since it is a count.
pub(crate) const QUICK: Options = Options::quick(200);

impl measure::Scenario for Scenario {
    fn pilot_ops(self) -> u64 {
        match self {
            Scenario::Mixed(Work::Fill, _) | Scenario::Handoff => 400,
            Scenario::Mixed(Work::Take, _) => 20_000,
        }
    }

    fn pilot_warmup(self) -> u64 {
        WARMUP
    }

    fn quick_ops(self) -> u64 {
        match self {
            Scenario::Mixed(Work::Fill, 1) => 200,
            Scenario::Mixed(Work::Fill, _) => 40,
            Scenario::Mixed(Work::Take, _) => 400,
            Scenario::Handoff => 100,
        }
    }

    fn warmup(self, _ops: u64) -> u64 {
        WARMUP
    }

    /// The hand-off runs on a pool of its own: it leaves some 70 buffers in
    /// each pool (what the channel holds), and a pool that hands out its
    /// oldest buffer first (the crates on crossbeam's `ArrayQueue`) would
    /// then cycle every later mixed-size run through them, up to 1 MiB
    /// each, cold in the cache. Pools in statics (repool's, `one_pool`,
    /// the hand-written list) are shared whatever this says, as in use.
    fn pool(self) -> usize {
        match self {
            Scenario::Mixed(..) => 0,
            Scenario::Handoff => 1,
        }
    }
}

impl Scenario {
    /// Runs the scenario on `pool`.
    fn run<C: BufferPool>(self, pool: &C, per_thread: u64, warmup: u64) -> Run {
        match self {
            Scenario::Mixed(work, threads) => run_mixed(pool, work, threads, per_thread, warmup),
            Scenario::Handoff => run_buffer_handoff(pool, per_thread, warmup),
        }
    }
}

impl VisitBuffers for Runners<Scenario, BufferBurst> {
    fn visit<C: BufferPool + 'static>(&mut self, name: &'static str, make: fn() -> C) {
        // The mixed sizes' pool, and the hand-off's; buffer pools keep no
        // account to print after the burst.
        let burst = |make, n| (run_buffer_burst(make, BURST_THREADS, n), None);
        self.push(Bound::boxed(name, make, 2, Scenario::run, burst));
    }
}

/// Everything one run of the section measured.
pub(crate) type BufferReport = Section<BufferBurst>;

/// Runs the section. `progress` gets one line per phase.
pub(crate) fn run(options: Options, progress: &mut dyn FnMut(&str)) -> BufferReport {
    let burst = format!(
        "buffers: burst, {BURST_THREADS} threads x {} buffers",
        options.burst_per_thread
    );
    measure::run(
        options,
        &SCENARIOS,
        candidates::each,
        "buffers: ",
        &burst,
        progress,
    )
}

impl BufferReport {
    /// The section's tables, in Markdown.
    pub(crate) fn markdown(&self) -> String {
        let intro = format!(
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
        let t = &self.timings;
        let mut md = t.time_tables(
            0..HANDOFF,
            BASELINE,
            &intro,
            "\n#### Allocations per operation\n\nCounted by a global allocator while timed \
             (after each thread's warm-up): the median over rounds of each round's highest \
             pass.\n\n",
        );

        let _ = writeln!(
            md,
            "\n#### Hand-off\n\nOne thread takes buffers of {HANDOFF_BYTES} bytes, fills them \
             and sends them over a bounded channel ({HANDOFF_BOUND} in flight); another reads \
             each one's length and last byte and drops it, which gives it back to its pool from \
             that thread. ns/op: wall time from the producer's start to the consumer's end \
             over the items, the median over rounds of each round's fastest pass; allocations \
             on both threads, as above; *repool's ratio*: the median over rounds of repool's \
             ns/op over the candidate's within the round.\n"
        );
        md.push_str(
            "| candidate | ns/op | allocations per op | repool's ratio |\n|---|---:|---:|---:|\n",
        );
        let repool = t.index("repool");
        for (c, name) in t.candidates.iter().enumerate() {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {:.2} |",
                fmt_ns(t.median_ns(c, HANDOFF)),
                fmt_allocs(t.median_allocs(c, HANDOFF)),
                t.ratio_to(repool, c, HANDOFF),
            );
        }

        let held = self.bursts.first().map_or(0, |b| b.held);
        let _ = writeln!(
            md,
            "\n#### Burst\n\n{BURST_THREADS} threads each hold {} filled buffers at once \
             ({held} in all, of the mixed sizes above), then drop them. Heap bytes over the baseline \
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
        for (c, name) in t.candidates.iter().enumerate() {
            let b = self.bursts[c];
            let own = b.pool_idle_bytes.map_or_else(
                || "–".to_owned(),
                |(alive, exited)| format!("{} / {}", fmt_mib(alive as i64), fmt_mib(exited as i64)),
            );
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {:.3} | {own} |",
                fmt_mib(b.in_use),
                fmt_mib(b.peak),
                fmt_mib(b.idle),
                fmt_mib(b.idle_after_exit),
                b.idle_per_in_use(),
            );
        }
        if let Some(budget) = self.burst("repool").max_idle_bytes {
            let _ = writeln!(
                md,
                "\n`repool`'s budget: `Vec::<u8>::pool().max_idle_bytes()` = {}.",
                fmt_mib(budget as i64)
            );
        }

        measure::targets_table(
            &mut md,
            "\n#### repool's buffer targets\n\n",
            &self.targets(),
        );
        md
    }

    /// Checks repool against the buffer targets of issue 11.
    pub(crate) fn targets(&self) -> Vec<Target> {
        let t = &self.timings;
        let repool = t.index("repool");
        let mut out = Vec::new();
        for s in 0..HANDOFF {
            for name in [BASELINE, ZEROPOOL] {
                out.push(t.ratio_target(repool, name, s, 1.0));
            }
        }
        // Against each peer crate, the median of the per-round ratios; met
        // when repool is no slower than the fastest of them.
        out.push(t.fastest_target(repool, peer_crates(), HANDOFF, "peer crate"));
        for s in 0..SCENARIOS.len() {
            out.push(t.no_allocs_target(repool, s));
        }
        let b = self.burst("repool");
        let budget = b.max_idle_bytes.unwrap_or(0);
        if let Some((alive, exited)) = b.pool_idle_bytes {
            out.push(Target {
                what: "burst: `stats().idle_bytes` (threads alive / exited)".to_owned(),
                measured: format!("{} / {}", fmt_mib(alive as i64), fmt_mib(exited as i64)),
                bound: format!("<= {} (`max_idle_bytes()`)", fmt_mib(budget as i64)),
                met: alive.max(exited) <= budget,
            });
        }
        out.push(Target {
            what: "burst: heap idle (threads alive / exited)".to_owned(),
            measured: format!("{} / {}", fmt_mib(b.idle), fmt_mib(b.idle_after_exit)),
            bound: format!("<= {}", fmt_mib(budget as i64)),
            met: b.idle.max(b.idle_after_exit) <= budget as i64,
        });
        let z = self.burst(ZEROPOOL);
        out.push(Target {
            what: "burst: heap idle, threads alive, against zeropool's".to_owned(),
            measured: format!("{} / {}", fmt_mib(b.idle), fmt_mib(z.idle)),
            bound: "below".to_owned(),
            met: b.idle < z.idle,
        });
        out
    }

    /// Draws ns/op per candidate per scenario and the bytes kept idle
    /// after the burst, as an SVG.
    pub(crate) fn svg(&self, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let to_mib = |bytes: i64| bytes.max(0) as f64 / (1024.0 * 1024.0);
        let budget = self
            .burst("repool")
            .max_idle_bytes
            .map(|b| to_mib(b as i64));
        let in_use = self
            .bursts
            .iter()
            .map(|b| to_mib(b.in_use))
            .fold(0.0, f64::max);
        let alive: Vec<f64> = self.bursts.iter().map(|b| to_mib(b.idle)).collect();
        let exited: Vec<f64> = self
            .bursts
            .iter()
            .map(|b| to_mib(b.idle_after_exit))
            .collect();
        let max = alive
            .iter()
            .chain(&exited)
            .copied()
            .chain(budget)
            .fold(1.0, f64::max)
            * 1.12;
        let figure = Figure {
            timings: &self.timings,
            fixed: &[("repool", RED), (BASELINE, DARK), (ZEROPOOL, BLUE)],
            top_height: 500,
            caption: format!(
                "buffers (mixed sizes 64 B - 1 MiB; hand-off of 4 KiB): ns per operation, \
                 median of {} rounds, each the best of {} passes (log scale, lower is better)",
                self.options.rounds, self.options.passes
            ),
            caption_size: 20,
            kept: Kept {
                caption: format!(
                    "heap kept idle after {} buffers ({in_use:.0} MiB) held at once (solid: \
                     threads alive; light: after they exit; line: repool's budget)",
                    self.bursts.first().map_or(0, |b| b.held)
                ),
                caption_size: 17,
                x_desc: "MiB idle",
                notes: alive.iter().map(|m| format!("{m:.1} MiB")).collect(),
                alive,
                exited,
                max,
                line: budget,
            },
        };
        chart::draw(&figure, path)
    }
}
