//! The `metrics` feature: every pool's counters and gauges through the
//! [`metrics`](https://docs.rs/metrics) facade, so any of its exporters
//! (Prometheus, StatsD, ...) shows them.
//!
//! Nothing is recorded on the fast path: [`publish`] reads [`pools`] and
//! sets each metric to the pool's value, so call it where the values are
//! wanted, before a scrape (an HTTP handler, the exporter's upkeep) or
//! from a timer that also trims:
//!
//! ```
//! use std::time::Duration;
//!
//! std::thread::spawn(|| loop {
//!     repool::metrics::publish();
//!     repool::trim_all();
//!     std::thread::sleep(Duration::from_secs(15));
//! });
//! ```
//!
//! # Metrics
//!
//! Each is labelled `pool` with the pool's [`name`](crate::PoolInfo::name);
//! pools that share a name are summed under it. Counters are set with
//! `absolute`, so they count from the pool's creation.
//!
//! | name | kind | what |
//! |---|---|---|
//! | `repool_acquired_total` | counter | guards handed out ([`Stats::acquired`]) |
//! | `repool_reused_total` | counter | acquires served by an idle object ([`Stats::reused`]) |
//! | `repool_built_total` | counter | objects built ([`Stats::built`]) |
//! | `repool_returned_total` | counter | objects that went back idle ([`Stats::returned`]) |
//! | `repool_discarded_total` | counter | objects dropped instead of kept, labelled `reason`: `over_capacity`, `oversized`, `reset_panicked`, `user_discarded` |
//! | `repool_detached_total` | counter | objects taken out of the pool's care ([`Stats::detached`]) |
//! | `repool_trimmed_total` | counter | idle objects dropped by trims and clears ([`Stats::trimmed`]) |
//! | `repool_drop_panicked_total` | counter | destructors that panicked ([`Stats::drop_panicked`]) |
//! | `repool_idle` | gauge | idle objects now ([`Stats::idle`]) |
//! | `repool_in_use` | gauge | objects out of the pool now ([`Stats::in_use`]) |
//! | `repool_idle_bytes` | gauge | bytes a buffer pool's idle buffers may hold ([`Stats::idle_bytes`]) |
//! | `repool_capacity` | gauge | the most idle objects kept ([`PoolInfo::capacity`](crate::PoolInfo::capacity)) |
//!
//! A pool that is dropped stops being published; what the recorder does
//! with its last values is the recorder's (most exporters keep them until
//! they go idle).

use ::metrics::{Unit, counter, describe_counter, describe_gauge, gauge};

use crate::{Stats, pools};

/// The discard reasons of `repool_discarded_total`, with their counts.
fn discards(s: &Stats) -> [(&'static str, u64); 4] {
    [
        ("over_capacity", s.over_capacity),
        ("oversized", s.oversized),
        ("reset_panicked", s.reset_panicked),
        ("user_discarded", s.user_discarded),
    ]
}

/// The plain counters: name, value, description.
fn counters(s: &Stats) -> [(&'static str, u64, &'static str); 7] {
    [
        ("repool_acquired_total", s.acquired, "Guards handed out."),
        (
            "repool_reused_total",
            s.reused,
            "Acquires served by an idle object.",
        ),
        (
            "repool_built_total",
            s.built,
            "Objects built: acquires that found nothing idle, and prewarm.",
        ),
        (
            "repool_returned_total",
            s.returned,
            "Dropped guards whose object went back idle.",
        ),
        (
            "repool_detached_total",
            s.detached,
            "Objects taken out of the pool's care by Guard::detach.",
        ),
        (
            "repool_trimmed_total",
            s.trimmed,
            "Idle objects dropped by trim, clear or a lowered capacity.",
        ),
        (
            "repool_drop_panicked_total",
            s.drop_panicked,
            "Destructors of objects the pool dropped that panicked.",
        ),
    ]
}

/// Describes every metric [`publish`] sets to the recorder installed now
/// (its help text and unit). `publish` does it too; this is for a recorder
/// that wants descriptions before the first values.
///
/// ```
/// repool::metrics::describe(); // no recorder installed: a no-op
/// ```
pub fn describe() {
    for (name, _, help) in counters(&Stats::default()) {
        describe_counter!(name, Unit::Count, help);
    }
    describe_counter!(
        "repool_discarded_total",
        Unit::Count,
        "Objects dropped instead of kept, by reason."
    );
    describe_gauge!("repool_idle", Unit::Count, "Idle objects now.");
    describe_gauge!(
        "repool_in_use",
        Unit::Count,
        "Objects out of the pool now (exact when no thread is using it)."
    );
    describe_gauge!(
        "repool_idle_bytes",
        Unit::Bytes,
        "Bytes of element storage a buffer pool's idle buffers may hold, \
         each counted at its size class's largest."
    );
    describe_gauge!(
        "repool_capacity",
        Unit::Count,
        "The most idle objects the pool keeps (per size class for a buffer pool)."
    );
}

/// Sets every pool's metrics (see the [module docs](self) for the names)
/// to the values [`pools`] reports now, in the recorder installed now.
///
/// Off the fast path, as `pools()` is; it allocates a little, so call it
/// per scrape or per timer tick, not per request.
///
/// ```
/// use metrics_util::debugging::{DebugValue, DebuggingRecorder};
/// use repool::Pool;
///
/// static JOBS: Pool<String> = Pool::new().with_name("jobs");
/// drop(JOBS.acquire());
///
/// let recorder = DebuggingRecorder::new();
/// let snapshotter = recorder.snapshotter();
/// metrics::with_local_recorder(&recorder, repool::metrics::publish);
/// let acquired = snapshotter.snapshot().into_vec().into_iter().find(|(key, ..)| {
///     let key = key.key();
///     key.name() == "repool_acquired_total"
///         && key.labels().any(|l| l.key() == "pool" && l.value() == "jobs")
/// });
/// assert_eq!(acquired.map(|(.., value)| value), Some(DebugValue::Counter(1)));
/// ```
pub fn publish() {
    describe();
    // Summed by name: a label set is one series, whatever number of pools
    // carry it.
    let mut by_name: Vec<(&'static str, Stats, usize)> = Vec::new();
    for pool in pools() {
        match by_name.iter_mut().find(|(name, ..)| *name == pool.name) {
            Some((_, stats, capacity)) => {
                stats.add(&pool.stats);
                *capacity = capacity.saturating_add(pool.capacity);
            }
            None => by_name.push((pool.name, pool.stats, pool.capacity)),
        }
    }
    for (name, stats, capacity) in by_name {
        for (metric, value, _) in counters(&stats) {
            counter!(metric, "pool" => name).absolute(value);
        }
        for (reason, value) in discards(&stats) {
            counter!("repool_discarded_total", "pool" => name, "reason" => reason).absolute(value);
        }
        gauge!("repool_idle", "pool" => name).set(stats.idle as f64);
        gauge!("repool_in_use", "pool" => name).set(stats.in_use as f64);
        gauge!("repool_idle_bytes", "pool" => name).set(stats.idle_bytes as f64);
        gauge!("repool_capacity", "pool" => name).set(capacity as f64);
    }
}
