//! A logger that formats each line into a pooled line buffer.
//!
//! Most lines are under 200 bytes, but now and then one carries a 24 KiB
//! request dump. A plain pool would recycle that grown buffer and keep the
//! memory for ever; `#[pooled(max_capacity = 4096)]` makes the pool drop any
//! line buffer that grew past 4 KiB (counted in `stats.oversized`). The same
//! workload runs through an uncapped twin type to show the difference.
//!
//! ```text
//! cargo run --example log_lines
//! ```

mod support;

use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::sync::Mutex;
use std::thread;
use std::time::Instant;

use repool::{Pooled, Stats};
use support::Checks;

const MAX_LINE_CAPACITY: usize = 4096;

#[derive(Pooled, Default)]
#[pooled(capacity = 16)]
struct LineBuf {
    #[pooled(max_capacity = MAX_LINE_CAPACITY)]
    line: String,
}

/// The same buffer without the cap, to compare against.
#[derive(Pooled, Default)]
#[pooled(capacity = 16)]
struct UncappedLineBuf {
    line: String,
}

/// Lets one logger run with either buffer type.
trait LinePool: Pooled {
    fn line(&mut self) -> &mut String;
}

impl LinePool for LineBuf {
    fn line(&mut self) -> &mut String {
        &mut self.line
    }
}

impl LinePool for UncappedLineBuf {
    fn line(&mut self) -> &mut String {
        &mut self.line
    }
}

#[derive(Clone, Copy, Debug)]
enum Level {
    Info,
    Warn,
}

struct Logger<W> {
    out: Mutex<W>,
    start: Instant,
}

impl<W: Write> Logger<W> {
    fn new(out: W) -> Self {
        Logger {
            out: Mutex::new(out),
            start: Instant::now(),
        }
    }

    /// Formats outside the lock, into a pooled buffer, so threads only
    /// contend for the final write.
    fn log<B: LinePool>(&self, level: Level, target: &str, args: fmt::Arguments<'_>) -> Acquired {
        let mut buf = B::acquire();
        let handed_out = buf.line().capacity();
        let micros = self.start.elapsed().as_micros();
        let line = buf.line();
        writeln!(line, "{micros:>10}us {level:?} {target}: {args}").expect("String never fails");
        self.out
            .lock()
            .expect("a writer panicked")
            .write_all(line.as_bytes())
            .expect("log sink failed");
        Acquired { handed_out }
    }
}

/// The capacity of the buffer `acquire()` handed out, before this line grew
/// it: what the pool had kept.
struct Acquired {
    handed_out: usize,
}

/// Counts what the logger wrote instead of printing thousands of lines.
#[derive(Default)]
struct CountingSink {
    lines: usize,
    bytes: usize,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.lines += buf.iter().filter(|&&b| b == b'\n').count();
        self.bytes += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug)]
struct Outcome {
    lines_written: usize,
    huge_lines: usize,
    /// Acquires that handed out a buffer above `MAX_LINE_CAPACITY`.
    big_handouts: usize,
    /// Sum of the capacities the pool holds once the run is over.
    retained_bytes: usize,
    stats: Stats,
}

/// `threads` threads each log `per_thread` lines, one in `huge_every` of them
/// a 24 KiB dump.
fn workload<B: LinePool>(threads: usize, per_thread: usize, huge_every: usize) -> Outcome {
    let logger = Logger::new(CountingSink::default());
    let dump = "x".repeat(24 * 1024);
    let big_handouts = thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (logger, dump) = (&logger, &dump);
                s.spawn(move || {
                    let mut big = 0;
                    for i in 0..per_thread {
                        let got = if i % huge_every == huge_every / 2 {
                            logger.log::<B>(
                                Level::Warn,
                                "http",
                                format_args!("slow request {i} on worker {t}, body: {dump}"),
                            )
                        } else {
                            logger.log::<B>(
                                Level::Info,
                                "http",
                                format_args!(
                                    "GET /items/{i} 200 worker={t} bytes={}",
                                    100 + i % 900
                                ),
                            )
                        };
                        big += usize::from(got.handed_out > MAX_LINE_CAPACITY);
                    }
                    big
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("logging thread panicked"))
            .sum()
    });
    let sink = logger.out.into_inner().expect("a writer panicked");
    let now = B::pool().stats();
    Outcome {
        lines_written: sink.lines,
        huge_lines: threads * (per_thread / huge_every),
        big_handouts,
        retained_bytes: retained_bytes::<B>(now.idle),
        stats: now,
    }
}

/// Takes every idle buffer out at once to add up their capacities, then
/// gives them all back.
fn retained_bytes<B: LinePool>(idle: usize) -> usize {
    let mut held: Vec<_> = (0..idle).map(|_| B::acquire()).collect();
    let total = held.iter_mut().map(|b| b.line().capacity()).sum();
    drop(held);
    total
}

struct Report {
    capped: Outcome,
    uncapped: Outcome,
    sample: Vec<u8>,
}

impl Report {
    fn failures(&self) -> Vec<String> {
        let mut checks = Checks::default();
        let (c, u) = (&self.capped, &self.uncapped);
        checks.expect(
            c.lines_written == c.stats.acquired as usize,
            "one line per acquire (capped)",
        );
        checks.expect(
            u.lines_written == u.stats.acquired as usize,
            "one line per acquire (uncapped)",
        );
        checks.expect(
            c.stats.oversized == c.huge_lines as u64,
            "every huge line's buffer dropped",
        );
        checks.expect(
            c.big_handouts == 0,
            "the capped pool never hands out a huge buffer",
        );
        checks.expect(
            c.retained_bytes <= c.stats.idle * MAX_LINE_CAPACITY,
            "capped pool retains at most idle * max_capacity",
        );
        checks.expect(
            u.stats.oversized == 0,
            "the uncapped pool drops nothing as oversized",
        );
        checks.expect(
            u.big_handouts > 0,
            "the uncapped pool recycles huge buffers",
        );
        checks.expect(
            c.stats.reused > 0 && u.stats.reused > 0,
            "both pools served acquires",
        );
        checks.expect(self.sample.ends_with(b"\n"), "sample lines were written");
        checks.failures()
    }
}

fn run(threads: usize, per_thread: usize, huge_every: usize) -> Report {
    let capped = workload::<LineBuf>(threads, per_thread, huge_every);
    let uncapped = workload::<UncappedLineBuf>(threads, per_thread, huge_every);
    // A few real lines, so the format is visible; logged after the
    // workloads so their counts are the workloads' alone.
    let mut sample = Vec::new();
    {
        let show = Logger::new(&mut sample);
        show.log::<LineBuf>(
            Level::Info,
            "demo",
            format_args!("listening on 127.0.0.1:8080"),
        );
        show.log::<LineBuf>(
            Level::Info,
            "http",
            format_args!("GET /items/7 200 bytes=512"),
        );
        show.log::<LineBuf>(
            Level::Warn,
            "http",
            format_args!("slow request, body: {}...", "x".repeat(40)),
        );
    }
    print!("{}", String::from_utf8_lossy(&sample));
    println!(
        "\n{threads} threads x {per_thread} lines, one in {huge_every} a 24 KiB dump ({} huge lines)\n",
        capped.huge_lines
    );
    println!("                                      max_capacity = 4096   uncapped");
    // Each row's label, and its cell for one workload.
    type Row = (&'static str, fn(&Outcome) -> String);
    let rows: [Row; 7] = [
        ("lines written", |o| o.lines_written.to_string()),
        ("acquires served from the pool", |o| {
            format!("{} of {}", o.stats.reused, o.stats.acquired)
        }),
        ("buffers built", |o| o.stats.built.to_string()),
        ("dropped as oversized (stats.oversized)", |o| {
            o.stats.oversized.to_string()
        }),
        ("acquires handed a buffer > 4 KiB", |o| {
            o.big_handouts.to_string()
        }),
        ("idle buffers after the run", |o| o.stats.idle.to_string()),
        ("bytes those idle buffers hold", |o| {
            o.retained_bytes.to_string()
        }),
    ];
    for (label, cell) in rows {
        println!("{label:<38}{:>19}   {}", cell(&capped), cell(&uncapped));
    }
    Report {
        capped,
        uncapped,
        sample,
    }
}

fn main() {
    support::exit_if_failed(&run(4, 5_000, 500).failures());
}

support::self_test!(run(2, 1_000, 100), |report| {
    assert_eq!(report.capped.huge_lines, 20);
    assert_eq!(report.capped.lines_written, 2_000);
});
