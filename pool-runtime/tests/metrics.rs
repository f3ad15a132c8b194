//! The `metrics` feature: `publish()` sets, for every pool, the values
//! `pools()` reports, under the documented names and labels.
#![cfg(feature = "metrics")]

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use metrics_util::{CompositeKey, MetricKind};
use pool_runtime::{Pool, PoolInfo, Pooled, pools};

/// Publishes into a recorder of this thread's own, and returns what it got.
fn published() -> Vec<(CompositeKey, Option<String>, DebugValue)> {
    let recorder = DebuggingRecorder::new();
    let snapshotter: Snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, pool_runtime::metrics::publish);
    let snapshot = snapshotter.snapshot().into_vec();
    snapshot
        .into_iter()
        .map(|(key, _, help, value)| (key, help.map(|h| h.to_string()), value))
        .collect()
}

/// The value of `name` for `pool` (and `reason`, if given).
fn value_of<'a>(
    got: &'a [(CompositeKey, Option<String>, DebugValue)],
    name: &str,
    pool: &str,
    reason: Option<&str>,
) -> Option<&'a DebugValue> {
    let found: Vec<_> = got
        .iter()
        .filter(|(key, ..)| {
            let key = key.key();
            let label = |k: &str| {
                key.labels()
                    .find(|l| l.key() == k)
                    .map(|l| l.value().to_owned())
            };
            key.name() == name
                && label("pool").as_deref() == Some(pool)
                && label("reason").as_deref() == reason
        })
        .collect();
    assert!(found.len() <= 1, "{name} {pool}: {found:?}");
    found.first().map(|(.., value)| value)
}

fn counter(v: u64) -> Option<DebugValue> {
    Some(DebugValue::Counter(v))
}

fn gauge(v: usize) -> Option<DebugValue> {
    Some(DebugValue::Gauge((v as f64).into()))
}

/// Every metric of `info` is published with its value.
#[track_caller]
fn check(got: &[(CompositeKey, Option<String>, DebugValue)], info: &PoolInfo) {
    let s = &info.stats;
    let pool = info.name;
    let counters = [
        ("repool_acquired_total", s.acquired),
        ("repool_reused_total", s.reused),
        ("repool_built_total", s.built),
        ("repool_returned_total", s.returned),
        ("repool_detached_total", s.detached),
        ("repool_trimmed_total", s.trimmed),
        ("repool_drop_panicked_total", s.drop_panicked),
    ];
    for (name, v) in counters {
        assert_eq!(
            value_of(got, name, pool, None),
            counter(v).as_ref(),
            "{name} {pool}"
        );
    }
    let reasons = [
        ("over_capacity", s.over_capacity),
        ("oversized", s.oversized),
        ("reset_panicked", s.reset_panicked),
        ("user_discarded", s.user_discarded),
    ];
    for (reason, v) in reasons {
        let got = value_of(got, "repool_discarded_total", pool, Some(reason));
        assert_eq!(got, counter(v).as_ref(), "{reason} {pool}");
    }
    assert_eq!(
        value_of(got, "repool_idle", pool, None),
        gauge(s.idle).as_ref()
    );
    assert_eq!(
        value_of(got, "repool_in_use", pool, None),
        gauge(s.in_use as usize).as_ref()
    );
    assert_eq!(
        value_of(got, "repool_idle_bytes", pool, None),
        gauge(s.idle_bytes).as_ref()
    );
    assert_eq!(
        value_of(got, "repool_capacity", pool, None),
        gauge(info.capacity).as_ref()
    );
}

#[test]
fn publish_sets_what_pools_reports() {
    let jobs = Pool::<String>::new()
        .with_name("metrics jobs")
        .with_capacity(2);
    let held: Vec<_> = (0..3).map(|_| jobs.acquire()).collect();
    drop(held);
    pool_runtime::Guard::discard(jobs.acquire());
    let bodies = Pool::<Vec<u8>>::buffers().with_name("metrics bodies");
    drop((
        bodies.acquire_with_capacity(10),
        bodies.acquire_with_capacity(5000),
    ));
    bodies.set_max_capacity(1 << 10);
    drop(bodies.acquire_with_capacity(4000));
    drop(Vec::<u16>::acquire_with_capacity(100));

    let got = published();
    let listed = pools();
    let find = |name: &str| listed.iter().find(|p| p.name == name).unwrap().clone();
    let (jobs_info, bodies_info) = (find("metrics jobs"), find("metrics bodies"));
    assert_eq!(jobs_info.stats, jobs.stats());
    assert_eq!(bodies_info.stats, bodies.stats());
    assert_eq!(
        jobs_info.stats.over_capacity, 1,
        "one dropped: {jobs_info:?}"
    );
    assert_eq!(bodies_info.stats.oversized, 1, "{bodies_info:?}");
    check(&got, &jobs_info);
    check(&got, &bodies_info);
    // And a std container's own pool, whose name is its type's.
    let words = find("alloc::vec::Vec<u16>");
    assert!(value_of(&got, "repool_acquired_total", words.name, None).is_some());

    // Described, with help text, on the first publish.
    let help = got
        .iter()
        .find(|(key, ..)| key.kind() == MetricKind::Gauge && key.key().name() == "repool_idle")
        .and_then(|(_, help, _)| help.clone());
    assert_eq!(help.as_deref(), Some("Idle objects now."));

    // A dropped pool is no longer published.
    drop(jobs);
    let got = published();
    assert_eq!(
        value_of(&got, "repool_acquired_total", "metrics jobs", None),
        None
    );
    assert!(value_of(&got, "repool_acquired_total", "metrics bodies", None).is_some());
}

#[test]
fn pools_of_one_name_are_summed() {
    let a = Pool::<u64>::new().with_name("metrics twins");
    let b = Pool::<u64>::new()
        .with_name("metrics twins")
        .with_capacity(3);
    drop(a.acquire());
    drop((b.acquire(), b.acquire()));
    let got = published();
    let name = "metrics twins";
    assert_eq!(
        value_of(&got, "repool_acquired_total", name, None),
        counter(3).as_ref()
    );
    assert_eq!(value_of(&got, "repool_idle", name, None), gauge(3).as_ref());
    let capacity = pool_runtime::DEFAULT_CAPACITY + 3;
    assert_eq!(
        value_of(&got, "repool_capacity", name, None),
        gauge(capacity).as_ref()
    );
}
