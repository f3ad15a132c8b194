//! `trim_every`: a burst drains within two trims while a steady load keeps
//! its objects. Alone in its binary, because it trims every pool in the
//! process. It waits on counts (trims done, objects idle) with a generous
//! time-out, never on how long anything took.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use repool::{Pool, Stats, trim_every};

/// Polls `done` until it holds; fails after a minute, which only a hung
/// trimmer reaches.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(2));
    }
}

static BURSTY: Pool<Vec<u8>> = Pool::new();
static STEADY: Pool<String> = Pool::new();

#[test]
fn a_burst_drains_within_two_trims_while_a_steady_load_keeps_its_objects() {
    let trimmer = trim_every(Duration::from_millis(50));

    // A steady load on its own thread: it holds 4 strings at a time, again
    // and again, so it uses them between every two trims.
    let stop = AtomicBool::new(false);
    /// Stops the steady load however the scope ends, so that a failed
    /// assertion fails the test instead of waiting for it forever.
    struct StopOnDrop<'a>(&'a AtomicBool);
    impl Drop for StopOnDrop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    thread::scope(|s| {
        let stopping = StopOnDrop(&stop);
        let steady = s.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let held: Vec<_> = (0..4).map(|_| STEADY.acquire()).collect();
                drop(held);
                thread::sleep(Duration::from_micros(200));
            }
        });

        // A burst on threads that then exit: their caches go to the shared
        // layer, where a trim reaches them.
        let all_hold = Barrier::new(4);
        thread::scope(|b| {
            let burst: Vec<_> = (0..4)
                .map(|_| {
                    b.spawn(|| {
                        let held: Vec<_> = (0..100).map(|_| BURSTY.acquire()).collect();
                        all_hold.wait();
                        drop(held);
                    })
                })
                .collect();
            // Joined by hand: the scope's own join waits for the closures
            // only, not for the thread-local destructors that hand each
            // cache to the shared layer.
            for t in burst {
                t.join().unwrap();
            }
        });
        let burst_done = trimmer.rounds();
        assert_eq!(BURSTY.stats().built, 400);
        // A trim may already have run while the burst's threads exited, and
        // one running now moves objects from `idle` to `trimmed` in two
        // steps that a snapshot can fall between: poll for the sum.
        wait_for("the burst's objects to be idle or trimmed", || {
            let s = BURSTY.stats();
            s.idle as u64 + s.trimmed == 400
        });

        wait_for("the burst to drain", || BURSTY.stats().idle == 0);
        // The first trim after the burst marks its objects, the second
        // drops them; the poll may look one trim late.
        let took = trimmer.rounds() - burst_done;
        assert!(took <= 3, "drained after {took} trims");
        assert_eq!(BURSTY.stats().trimmed, 400);

        // The steady load built what it holds at once (4, and perhaps a
        // few more while it warmed up) and nothing since, trims or not.
        let before: Stats = STEADY.stats();
        let rounds = trimmer.rounds();
        wait_for("five more trims", || trimmer.rounds() >= rounds + 5);
        let during = STEADY.stats().since(&before);
        assert!(during.acquired > 0, "the steady load ran");
        assert_eq!(during.built, 0, "nothing rebuilt: {during:?}");
        assert!(STEADY.stats().built <= 8, "{:?}", STEADY.stats());

        drop(stopping);
        steady.join().unwrap();
    });

    // The thread shows under its name while it runs; dropping the handle
    // stops and joins it.
    if cfg!(target_os = "linux") {
        assert_eq!(threads_named(repool::TRIMMER_THREAD_NAME), 1);
        drop(trimmer);
        assert_eq!(threads_named(repool::TRIMMER_THREAD_NAME), 0);
    }
}

/// How many of this process's threads have `name` (Linux: `/proc`).
fn threads_named(name: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim() == name)
        .count()
}
