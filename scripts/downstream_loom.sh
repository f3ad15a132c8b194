#!/usr/bin/env bash
# Builds and runs tests/downstream-loom, a user's crate built with
# RUSTFLAGS="--cfg loom" as one that loom-tests its own code is: repool must
# not switch to loom's types for it (they panic outside a loom model), and
# its lock file must not carry loom. The crate exits non-zero, saying which
# pool failed, if any pool does not work and reuse its objects.
#
# `--locked`: its Cargo.lock is committed, and a repool that depended on
# loom outside its own tests would need a new one. About 10 s on 2 cores
# from a clean target directory.
set -euo pipefail
cd "$(dirname "$0")/.."

export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/downstream-loom}"

exec cargo run --locked --manifest-path tests/downstream-loom/Cargo.toml "$@"
