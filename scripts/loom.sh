#!/usr/bin/env bash
# Model-checks the pool with loom: every interleaving of 2-3 threads up to
# LOOM_MAX_PREEMPTIONS preemptions, over the core
# (pool-runtime/src/loom_tests/) and over the type registry and a pool's
# first use (pool-runtime/src/loom_registry.rs).
#
# `repool_loom`, not `loom`: only this crate's own test build switches to
# loom's types (pool-runtime/src/sync.rs), so a user's `--cfg loom` never
# reaches repool.
#
# Release mode for speed, but with debug assertions and overflow checks on:
# a counter that wraps under some interleaving is a bug we want to see.
# About 1 minute on 2 cores once built; the first build adds about 1.5.
# LOOM_MAX_PREEMPTIONS=3 also passes but takes ~17 minutes (nightly job).
set -euo pipefail
cd "$(dirname "$0")/.."

export RUSTFLAGS="--cfg repool_loom ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true
export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true

exec cargo test -p pool-runtime --release --lib loom "$@"
