//! Every pool on every scenario, side by side, in one process.
//!
//! ```text
//! cargo run --release --example bench_report                      # a few minutes
//! cargo run --release --example bench_report -- --svg docs/bench.svg
//! cargo run --release --example bench_report -- --quick          # seconds; counts only
//! ```
//!
//! Prints Markdown: median ns/op and the ratio to a hand-written
//! thread-local free list, allocations per op, the objects each pool keeps
//! after a burst, and repool's targets. Timings on a shared machine are
//! noisy: compare candidates within one run, never across runs.

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "bench_report/report.rs"]
mod report;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use common::counting_alloc::CountingAlloc;
use report::Options;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::PER_THREAD;

fn usage() -> ExitCode {
    eprintln!("usage: bench_report [--quick] [--rounds N] [--svg PATH]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut options = Options::FULL;
    let mut svg = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options = Options::QUICK,
            "--rounds" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => options.rounds = n,
                _ => return usage(),
            },
            "--svg" => match args.next() {
                Some(path) => svg = Some(PathBuf::from(path)),
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    if cfg!(debug_assertions) && options.target_ns > 0 {
        eprintln!("note: a debug build; run with --release for meaningful times");
    }

    let started = std::time::Instant::now();
    let report = report::run(options, &mut |line| eprintln!("bench_report: {line}"));

    println!("## Results\n");
    println!("{}\n", machine());
    print!("{}", report.markdown());
    println!(
        "\nTotal runtime of the report: {:.0} s.",
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = svg {
        if let Err(e) = report.svg(&path) {
            eprintln!("bench_report: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("bench_report: wrote {}", path.display());
    }
    ExitCode::SUCCESS
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
