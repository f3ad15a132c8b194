#!/usr/bin/env bash
# Runs pool-runtime's unit, integration and doc tests under Miri, which
# reports undefined behaviour (use-after-free, data races, invalid pointer
# provenance, aliasing violations) and leaked memory. Tests shrink their
# loops under `cfg(miri)`. About 6 minutes on 2 cores once the sysroot and
# dependencies are built, 8 from scratch.
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
exec cargo +nightly miri test --no-fail-fast -p pool-runtime "$@"
