//! `trim_every`: a background thread that trims every pool on a period, so
//! a service gets Go's drain-after-two-GCs behaviour without a timer of its
//! own.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::registry::trim_all;

/// The name of the thread [`trim_every`] starts, as `top -H`, `ps -L` and
/// debuggers show it.
pub const TRIMMER_THREAD_NAME: &str = "repool-trim";

/// Starts one background thread, named [`TRIMMER_THREAD_NAME`], that calls
/// [`trim_all`] every `period`; the returned [`Trimmer`] stops and joins it
/// when dropped, or lets it run for the rest of the process with
/// [`Trimmer::detach`].
///
/// An object survives one trim and goes at the second if nothing used it
/// between them, so memory a burst left idle drains within two periods,
/// while a steady load keeps the objects it keeps using. Another thread's
/// private cache (at most 32 objects per pool) is reached when that thread
/// next uses the pool or exits (see [`Pool`](crate::Pool)).
///
/// A destructor that panics during a trim is counted in its pool's
/// [`Stats::drop_panicked`](crate::Stats::drop_panicked); the thread goes
/// on.
///
/// ```
/// use std::time::Duration;
///
/// let trimmer = repool::trim_every(Duration::from_secs(30));
/// // ... serve ...
/// drop(trimmer); // stops and joins the thread
/// ```
///
/// In a tokio service, an interval task does the same without a thread:
///
/// ```ignore
/// tokio::spawn(async {
///     let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
///     loop {
///         every.tick().await;
///         // Destructors run here: keep them short, or use
///         // `tokio::task::spawn_blocking(repool::trim_all)`.
///         repool::trim_all();
///     }
/// });
/// ```
///
/// # Panics
///
/// If `period` is zero, or if the thread cannot be started.
pub fn trim_every(period: Duration) -> Trimmer {
    assert!(!period.is_zero(), "trim_every needs a period above zero");
    let shared = Arc::new(Shared {
        stop: Mutex::new(false),
        wake: Condvar::new(),
        rounds: AtomicU64::new(0),
    });
    let theirs = Arc::clone(&shared);
    let thread = thread::Builder::new()
        .name(TRIMMER_THREAD_NAME.into())
        .spawn(move || theirs.run(period))
        .expect("failed to start the repool-trim thread");
    Trimmer {
        shared,
        thread: Some(thread),
    }
}

/// The handle of the thread [`trim_every`] started: dropping it stops the
/// thread (at once, not at the end of a period) and waits for it.
#[derive(Debug)]
#[must_use = "dropping the Trimmer stops the thread at once; call `detach` to keep it running"]
pub struct Trimmer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    stop: Mutex<bool>,
    wake: Condvar,
    rounds: AtomicU64,
}

impl Shared {
    fn run(&self, period: Duration) {
        let mut next = Instant::now() + period;
        let mut stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let now = Instant::now();
            if *stop {
                return;
            }
            if now < next {
                stop = self
                    .wake
                    .wait_timeout(stop, next - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
                continue;
            }
            // Destructors run in the trim: no lock is held meanwhile, so a
            // `drop(trimmer)` is not kept waiting by one, only joined after.
            drop(stop);
            // The panic is counted in its pool's `drop_panicked`; this
            // thread must outlive it.
            let _ = catch_unwind(AssertUnwindSafe(trim_all));
            self.rounds.fetch_add(1, Ordering::Release);
            next += period;
            // A trim longer than a period does not queue up trims.
            next = next.max(Instant::now());
            stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Trimmer {
    /// How many trims the thread has finished.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let trimmer = repool::trim_every(Duration::from_millis(1));
    /// while trimmer.rounds() < 2 {
    ///     std::thread::yield_now();
    /// }
    /// ```
    pub fn rounds(&self) -> u64 {
        self.shared.rounds.load(Ordering::Acquire)
    }

    /// Lets the thread run for the rest of the process: the usual choice
    /// for a server's `main`.
    ///
    /// ```no_run
    /// // Not run as a test: the thread would outlive it, which Miri reports.
    /// repool::trim_every(std::time::Duration::from_secs(30)).detach();
    /// ```
    pub fn detach(mut self) {
        drop(self.thread.take());
    }
}

impl Drop for Trimmer {
    fn drop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        *self
            .shared
            .stop
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = true;
        self.shared.wake.notify_one();
        // The thread catches every panic of a trim; a failed join has
        // nothing left to report.
        let _ = thread.join();
    }
}
