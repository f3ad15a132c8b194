#!/usr/bin/env bash
# Runs the stress test (pool-runtime/tests/stress.rs) under ThreadSanitizer.
# std is rebuilt with the sanitizer (-Zbuild-std) so its channels and locks
# are instrumented too and report no false races. Any race report fails
# the run (halt_on_error). About 15 s once built; building std with the
# sanitizer takes about 2 minutes the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup component list --toolchain nightly --installed | grep -q '^rust-src'; then
    rustup component add --toolchain nightly rust-src
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/tsan}"
export RUSTFLAGS="-Zsanitizer=thread ${RUSTFLAGS:-}"
export RUSTDOCFLAGS="-Zsanitizer=thread ${RUSTDOCFLAGS:-}"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"

exec cargo +nightly test -Zbuild-std --target x86_64-unknown-linux-gnu \
    -p pool-runtime --test stress "$@"
