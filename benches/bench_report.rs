//! Every pool on every scenario, side by side, in one process.
//!
//! ```text
//! cargo run --release -p repool-benches --bin bench_report                  # a few minutes
//! cargo run --release -p repool-benches --bin bench_report -- --svg docs/bench.svg
//! cargo run --release -p repool-benches --bin bench_report -- --quick       # seconds; counts only
//! cargo run --release -p repool-benches --bin bench_report -- --buffers-only --buffers-svg docs/buffers.svg
//! ```
//!
//! From the workspace root: the chart paths are relative to it.
//!
//! Prints Markdown: median ns/op and the ratio to a hand-written
//! thread-local free list, allocations per op, the objects each pool keeps
//! after a burst, and repool's targets; then the same for mixed-size byte
//! buffers (against a hand-written size-class list and zeropool), with a
//! hand-off of buffers between threads and the bytes each pool keeps idle
//! after a burst. Timings on a shared machine are
//! noisy: compare candidates within one run, never across runs.

#[path = "bench_report/buffers.rs"]
mod buffers;
#[path = "bench_report/chart.rs"]
mod chart;
#[path = "common/mod.rs"]
mod common;
#[path = "bench_report/measure.rs"]
mod measure;
#[path = "bench_report/report.rs"]
mod report;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use common::counting_alloc::CountingAlloc;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::PER_THREAD;

fn usage() -> ExitCode {
    eprintln!(
        "usage: bench_report [--quick] [--rounds N] [--svg PATH] [--buffers-only] \
         [--buffers-svg PATH]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut options = report::FULL;
    let mut buffer_options = buffers::FULL;
    let mut svg = None;
    let mut buffers_svg = None;
    let mut objects = true;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                options = report::QUICK;
                buffer_options = buffers::QUICK;
            }
            "--rounds" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => {
                    options.rounds = n;
                    buffer_options.rounds = n;
                }
                _ => return usage(),
            },
            "--svg" => match args.next() {
                Some(path) => svg = Some(PathBuf::from(path)),
                None => return usage(),
            },
            "--buffers-only" => objects = false,
            "--buffers-svg" => match args.next() {
                Some(path) => buffers_svg = Some(PathBuf::from(path)),
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    if cfg!(debug_assertions) && options.target_ns > 0 {
        eprintln!("note: a debug build; run with --release for meaningful times");
    }

    if svg.is_some() && !objects {
        eprintln!("bench_report: --svg draws the object scenarios, which --buffers-only skips");
        return usage();
    }

    let started = std::time::Instant::now();
    let mut progress = |line: &str| eprintln!("bench_report: {line}");
    let report = objects.then(|| report::run(options, &mut progress));
    let buffer_report = buffers::run(buffer_options, &mut progress);

    println!("## Results\n");
    println!("{}\n", machine());
    if let Some(report) = &report {
        println!("{}", report.markdown());
    }
    print!("{}", buffer_report.markdown());
    println!(
        "\nTotal runtime of the report: {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    let written = match (&report, svg) {
        (Some(report), Some(path)) => write_chart(&path, |p| report.svg(p)),
        _ => true,
    };
    let written =
        written && buffers_svg.is_none_or(|path| write_chart(&path, |p| buffer_report.svg(p)));
    if written {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Draws a chart to `path` and says so; false when it could not.
fn write_chart(path: &Path, draw: impl FnOnce(&Path) -> Result<(), Box<dyn Error>>) -> bool {
    match draw(path) {
        Ok(()) => {
            eprintln!("bench_report: wrote {}", path.display());
            true
        }
        Err(e) => {
            eprintln!("bench_report: cannot write {}: {e}", path.display());
            false
        }
    }
}

/// The machine and toolchain the numbers come from.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let output = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned())
    };
    format!(
        "Machine: {cpu}, {cores} cores; {}; {}; {}.",
        output("rustc", &["-V"]),
        output("uname", &["-sr"]),
        output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
    )
}
