//! Pooled guards held across `.await` in tokio tasks on a multi-thread
//! runtime.
//!
//! `tokio::spawn` demands a `Send` future, and a future that holds a guard
//! across an `.await` is `Send` only if the guard is: `Guard<T>` is `Send`
//! exactly when `T` is, so this compiles. A task can resume on another worker
//! after an `.await`, and some tasks hand their guard to `spawn_blocking`;
//! either way the guard is dropped on another thread than the one that
//! acquired it, and the object still goes back to its pool.
//!
//! ```text
//! cargo run --example async_tasks
//! ```

mod support;

use std::collections::HashSet;
use std::io::Write;
use std::thread::{self, ThreadId};
use std::time::Duration;

use repool::{Guard, Pooled, Stats};
use support::Checks;
use tokio::sync::mpsc;

/// What one task builds up between its `.await`s.
#[derive(Pooled, Default)]
#[pooled(capacity = 128)]
struct Scratch {
    buf: Vec<u8>,
    offsets: Vec<usize>,
}

/// Compile-time proof, stated where a reader looks for it.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Guard<Scratch>>();
};

const CHUNKS: u64 = 3;

/// The bytes the source sends for chunk `n` of task `id`.
fn chunk(id: u64, n: u64) -> Vec<u8> {
    let len = 64 + ((id * 13 + n * 7) % 192) as usize;
    (0..len)
        .map(|i| (id as usize + n as usize * 31 + i) as u8)
        .collect()
}

fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

struct Outcome {
    acquired_on: ThreadId,
    dropped_on: ThreadId,
    offloaded: bool,
    intact: bool,
}

/// One task: receives its chunks from a source task, each after an
/// `.await`, into a pooled scratch buffer held the whole time.
async fn worker(id: u64) -> Outcome {
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(1);
    tokio::spawn(async move {
        for n in 0..CHUNKS {
            tokio::time::sleep(Duration::from_millis(1)).await;
            if tx.send(chunk(id, n)).await.is_err() {
                return;
            }
        }
    });

    let mut scratch = Scratch::acquire();
    let acquired_on = thread::current().id();
    while let Some(bytes) = rx.recv().await {
        let at = scratch.buf.len();
        scratch.offsets.push(at);
        scratch.buf.extend_from_slice(&bytes);
        tokio::task::yield_now().await;
    }
    let expected: Vec<u8> = (0..CHUNKS).flat_map(|n| chunk(id, n)).collect();
    let intact =
        scratch.offsets.len() == CHUNKS as usize && checksum(&scratch.buf) == checksum(&expected);

    // One task in four finishes with blocking I/O: the guard moves to a
    // blocking-pool thread and is dropped there.
    let offloaded = id % 4 == 0;
    let dropped_on = if offloaded {
        tokio::task::spawn_blocking(move || {
            std::io::sink()
                .write_all(&scratch.buf)
                .expect("the sink accepts everything");
            drop(scratch);
            thread::current().id()
        })
        .await
        .expect("the blocking write panicked")
    } else {
        drop(scratch);
        thread::current().id()
    };
    Outcome {
        acquired_on,
        dropped_on,
        offloaded,
        intact,
    }
}

struct Report {
    tasks: usize,
    intact: usize,
    offloaded: usize,
    cross_thread: usize,
    acquiring_threads: usize,
    dropping_threads: usize,
    stats: Stats,
}

impl Report {
    fn failures(&self) -> Vec<String> {
        let mut checks = Checks::default();
        let s = &self.stats;
        checks.expect(
            self.intact == self.tasks,
            "every task's buffer held its chunks",
        );
        checks.expect(s.acquired == self.tasks as u64, "one acquire per task");
        checks.expect(
            s.returned + s.discarded == s.acquired,
            "every guard came back (returned, or dropped over capacity)",
        );
        checks.expect(
            self.cross_thread >= self.offloaded,
            "offloaded guards dropped on another thread",
        );
        checks.expect(s.reused > 0, "later tasks reused objects");
        checks.expect(s.idle <= Scratch::pool().capacity(), "idle within capacity");
        checks.failures()
    }
}

fn run(waves: u64, per_wave: u64) -> Report {
    let runtime = support::multi_thread_runtime();
    let outcomes: Vec<Outcome> = runtime.block_on(async {
        let mut all = Vec::new();
        for wave in 0..waves {
            let tasks: Vec<_> = (0..per_wave)
                .map(|i| tokio::spawn(worker(wave * per_wave + i)))
                .collect();
            for task in tasks {
                all.push(task.await.expect("a task panicked"));
            }
        }
        all
    });
    drop(runtime);

    let distinct =
        |f: fn(&Outcome) -> ThreadId| outcomes.iter().map(f).collect::<HashSet<_>>().len();
    let report = Report {
        tasks: outcomes.len(),
        intact: outcomes.iter().filter(|o| o.intact).count(),
        offloaded: outcomes.iter().filter(|o| o.offloaded).count(),
        cross_thread: outcomes
            .iter()
            .filter(|o| o.acquired_on != o.dropped_on)
            .count(),
        acquiring_threads: distinct(|o| o.acquired_on),
        dropping_threads: distinct(|o| o.dropped_on),
        stats: Scratch::pool().stats(),
    };
    let s = &report.stats;
    println!(
        "tokio multi-thread runtime, 2 workers: {waves} waves of {per_wave} tasks, each holding a pooled Scratch across {} .awaits",
        2 * CHUNKS
    );
    println!(
        "  buffers intact at the end of their task:  {} of {}",
        report.intact, report.tasks
    );
    println!(
        "  guards acquired on {} threads, dropped on {} threads",
        report.acquiring_threads, report.dropping_threads
    );
    println!(
        "  dropped on another thread than acquired:  {} ({} handed to spawn_blocking, {} moved with their task)",
        report.cross_thread,
        report.offloaded,
        report.cross_thread - report.offloaded.min(report.cross_thread)
    );
    println!(
        "  Scratch pool: acquired {}, reused {} ({:.1}%), built {}, returned {}, over capacity {}, idle {} (capacity {})",
        s.acquired,
        s.reused,
        s.hit_rate() * 100.0,
        s.built,
        s.returned,
        s.over_capacity,
        s.idle,
        Scratch::pool().capacity()
    );
    report
}

fn main() {
    support::exit_if_failed(&run(10, 100).failures());
}

support::self_test!(run(3, 60), |report| {
    assert_eq!(report.tasks, 180);
    assert_eq!(report.offloaded, 45);
});
