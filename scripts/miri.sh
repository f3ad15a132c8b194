#!/usr/bin/env bash
# Runs under Miri, which reports undefined behaviour (use-after-free, data
# races, invalid pointer provenance, aliasing violations) and leaked memory:
# pool-runtime's unit, integration and doc tests, and the facade's tests of
# types with `#[derive(Pooled)]` (whose guards take the thread-local cache
# path): tests/runtime_pool.rs, tests/stress.rs, tests/faults_guards.rs, the
# rows of the fault table (tests/faults.rs) that run in this process, the
# allocation counts (tests/allocs.rs), and, with the `bytes` feature, the
# guards' I/O traits and zero-copy `Bytes` (tests/guard_io.rs,
# tests/guard_bytes.rs: a buffer freed by the last clone on another thread),
# and `pools()` listing while other threads make and drop pools
# (tests/pools_list.rs).
# Tests shrink their loops under `cfg(miri)`.
#
# The facade's other tests are not run: trybuild and the examples need a
# real compiler, processes or clocks, and the fault table's rows for thread
# exit, teardown, a pool's drop and registry re-entry run in child
# processes, which Miri cannot spawn; nor is `repool-benches` (clocks). The
# facade's dev-dependencies (tokio, hyper, trybuild, ...) are still built
# under Miri, once (about 1 minute).
#
# About 5 minutes on 2 cores once the sysroot and dependencies are built,
# 6 from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo +nightly miri --version >/dev/null 2>&1; then
    rustup component add --toolchain nightly miri rust-src
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/miri}"
# Leak checking is on by default; strict provenance rejects integer-to-
# pointer casts, which the runtime never needs.
export MIRIFLAGS="-Zmiri-strict-provenance ${MIRIFLAGS:-}"

cargo +nightly miri setup

# Every run, even if one fails; then fail if any did. Extra arguments are
# cargo options for each run (`--jobs 1`, not test filters).
status=0
cargo +nightly miri test --no-fail-fast -p pool-runtime "$@" || status=1
cargo +nightly miri test --no-fail-fast -p repool "$@" \
    --test runtime_pool --test stress --test faults_guards --test allocs \
    --test buffers --test buffers_burst --test buffers_stress --test pool_owned --test guard_traits \
    --test pools_list || status=1
# The table without its child-process rows, and without defect 4's 128
# threads of 1,000 round trips each.
cargo +nightly miri test --no-fail-fast -p repool "$@" --test faults -- \
    --skip thread_exit --skip teardown --skip pool_drop --skip registry \
    --skip defect4 || status=1
# With the feature on, the unsafe `BufMut` forwarding runs too (rebuilds only
# pool-runtime and the facade).
cargo +nightly miri test --no-fail-fast -p repool --features bytes "$@" \
    --test guard_io --test guard_bytes || status=1
exit "$status"
