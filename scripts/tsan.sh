#!/usr/bin/env bash
# Runs the stress test (tests/stress.rs, through `#[derive(Pooled)]`) under
# ThreadSanitizer. std is rebuilt with the sanitizer (-Zbuild-std) so its
# channels and locks are instrumented too and report no false races. Any
# race report fails the run (halt_on_error). The facade's
# dev-dependencies (tokio, hyper, trybuild, ...) are built with the
# sanitizer too, since cargo builds them for any of its test targets.
# About 15 s once built; building std and the dependencies with the
# sanitizer takes about 3 minutes the first time.
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
    -p repool --test stress --test buffers_stress "$@"
