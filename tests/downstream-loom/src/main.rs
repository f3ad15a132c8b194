//! Uses repool as a crate that loom-tests its own code would, in a build
//! with `--cfg loom`, outside any loom model: every pool must work and
//! reuse its objects. Exits non-zero, saying what failed, if not.

use std::process::ExitCode;

use repool::{Pool, Pooled};

#[derive(Pooled, Default)]
struct Frame {
    payload: Vec<u8>,
}

/// Generic, so its pool lives in the type registry.
#[derive(Pooled, Default)]
struct Batch<T: Send + 'static> {
    items: Vec<T>,
}

static LINES: Pool<String> = Pool::new().with_capacity(4);

/// Three round trips through a pool: the first builds, the others reuse.
fn check(name: &str, round_trip: impl Fn(), stats: impl Fn() -> repool::Stats) -> bool {
    for _ in 0..3 {
        round_trip();
    }
    let stats = stats();
    let ok = stats.built == 1 && stats.reused == 2;
    if !ok {
        eprintln!("downstream-loom: {name} did not reuse its objects: {stats:?}");
    }
    ok
}

fn main() -> ExitCode {
    if !cfg!(loom) {
        eprintln!("downstream-loom: built without `--cfg loom`; run scripts/downstream_loom.sh");
        return ExitCode::FAILURE;
    }
    let local: Pool<Vec<u32>> = Pool::new();
    let results = [
        check(
            "#[derive(Pooled)] Frame",
            || Frame::acquire().payload.extend_from_slice(b"frame"),
            || Frame::pool().stats(),
        ),
        check(
            "#[derive(Pooled)] Batch<u16>",
            || Batch::<u16>::acquire().items.push(7),
            || Batch::<u16>::pool().stats(),
        ),
        check(
            "a static Pool<String>",
            || LINES.acquire().push_str("line"),
            || LINES.stats(),
        ),
        check(
            "a local Pool<Vec<u32>>",
            || local.acquire().push(1),
            || local.stats(),
        ),
        check(
            "Vec::<u8>'s registry pool",
            || Vec::<u8>::acquire().push(1),
            || Vec::<u8>::pool().stats(),
        ),
    ];
    if results.iter().all(|&ok| ok) {
        println!("downstream-loom: every pool works and reuses objects under --cfg loom");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
