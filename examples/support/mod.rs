//! What the examples share: the self-check that makes each of them a test,
//! the tokio runtime of the async ones, and a counting global allocator.
//!
//! Included with `mod support;`: a folder under `examples/` without a
//! `main.rs` is not an example of its own. The benches and tests that count
//! allocations include `counting_alloc.rs` alone, with `#[path]`.

// Each example uses a different part of this module.
#![allow(dead_code)]

pub(crate) mod counting_alloc;

/// The expectations a run did not meet.
///
/// An example that printed plausible numbers proves nothing: each states
/// what must hold for its demonstration to mean anything, and both `main`
/// (at full size) and the example's `#[test]` (small, under `cargo test`)
/// fail when one does not.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    failed: Vec<String>,
}

impl Checks {
    /// Notes `what` as failed unless `ok`.
    pub(crate) fn expect(&mut self, ok: bool, what: &str) {
        if !ok {
            self.failed.push(what.to_owned());
        }
    }

    /// Every expectation that failed, in the order they were checked.
    pub(crate) fn failures(self) -> Vec<String> {
        self.failed
    }
}

/// The end of an example's `main`: a non-zero exit status when an
/// expectation failed, so that a script running the example notices.
pub(crate) fn exit_if_failed(failures: &[String]) {
    if !failures.is_empty() {
        eprintln!("FAILED: {}", failures.join("; "));
        std::process::exit(1);
    }
}

/// The example's test, which `cargo test` runs (every example is built with
/// `test = true`): `$run`, a small run, must meet every expectation in its
/// report's `failures()`. After it, `|report| { ... }` may assert what only
/// holds at that size.
// Unused where an example tests itself differently (tour, pipeline).
#[allow(unused_macros)]
macro_rules! self_test {
    ($run:expr $(, |$report:ident| $sized:block)? $(,)?) => {
        #[test]
        fn runs_to_completion() {
            let report = $run;
            $({
                let $report = &report;
                $sized
            })?
            assert_eq!(report.failures(), Vec::<String>::new());
        }
    };
}
#[allow(unused_imports)] // as for the macro
pub(crate) use self_test;

/// A multi-thread tokio runtime with two workers: enough for a task, and
/// the guards it holds, to resume on another thread than the one it
/// started on.
pub(crate) fn multi_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
