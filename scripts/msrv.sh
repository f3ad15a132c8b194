#!/usr/bin/env bash
# Checks the library's MSRV (`rust-version` of the published crates:
# repool, pool-runtime, pool-macros) without that old toolchain:
#
# - Every crate the library builds from the lock file, with every feature
#   on (normal and build dependencies, never dev ones), states a
#   `rust-version` no newer than the library's. Crates that state none are
#   listed, not failed: nothing can be checked for them.
# - std APIs newer than the MSRV are clippy's `incompatible_msrv` lint, which
#   reads `rust-version` from the manifest; CI's clippy steps run it with
#   `-D warnings`.
# - The library is built (`cargo check`, all features) with that
#   toolchain, which is installed first if missing.
#
# The test suite, examples and benches need a newer toolchain (their tools
# state 1.86 and 1.88); see the README's Minimum supported Rust version.
set -euo pipefail
cd "$(dirname "$0")/.."

host=$(rustc -vV | sed -n "s/^host: //p")
metadata=$(cargo metadata --locked --format-version 1 --all-features --filter-platform "$host")
msrv=$(jq -r '.packages[] | select(.name == "repool") | .rust_version' <<<"$metadata")
for crate in pool-runtime pool-macros; do
    v=$(jq -r --arg n "$crate" '.packages[] | select(.name == $n) | .rust_version' <<<"$metadata")
    if [[ $v != "$msrv" ]]; then
        echo "msrv: $crate says rust-version $v, repool says $msrv" >&2
        exit 1
    fi
done

# Each package the library crates reach through normal and build edges,
# with the rust-version it states ("none" if it states none).
deps=$(jq -r '
    .resolve.nodes as $nodes
    | ([.packages[] | {key: .id, value: .}] | from_entries) as $pkg
    | [.packages[] | select(.name == "repool" or .name == "pool-runtime"
                            or .name == "pool-macros") | .id] as $roots
    | def edges($id):
        $nodes[] | select(.id == $id) | .deps[]
        | select(any(.dep_kinds[]; .kind == null or .kind == "build")) | .pkg;
      [$roots | recurse([.[] | edges(.)] | unique; length > 0)] | flatten | unique
    | .[] | $pkg[.] | "\(.name) \(.version) \(.rust_version // "none")"
' <<<"$metadata")

# "1.85" and "1.85.0" are the same Rust: compare both as major.minor.patch.
full() {
    local v=$1
    while [[ $(tr -cd . <<<"$v") != .. ]]; do v="$v.0"; done
    echo "$v"
}

status=0
unstated=()
while read -r name version rv; do
    if [[ $rv == none ]]; then
        unstated+=("$name $version")
    elif [[ $(printf '%s\n%s\n' "$(full "$rv")" "$(full "$msrv")" | sort -V | tail -n1) != "$(full "$msrv")" ]]; then
        echo "msrv: $name $version needs Rust $rv, newer than the library's $msrv" >&2
        status=1
    fi
done <<<"$deps"
if ((status == 0)); then
    echo "msrv: $(wc -l <<<"$deps") crates in the library's build (all features), none newer than Rust $msrv"
fi
if ((${#unstated[@]})); then
    echo "msrv: state no rust-version (unchecked): ${unstated[*]}"
fi

# The build itself, with that toolchain (installed if it can be: about a
# minute; a machine that cannot fetch it still runs the checks above).
if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
    rustup toolchain install "$msrv" --profile minimal || true
fi
if rustup run "$msrv" rustc --version >/dev/null 2>&1; then
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/msrv}" \
        cargo "+$msrv" check --locked -p repool --all-features || status=1
else
    echo "msrv: no $msrv toolchain and none to be had: the library was not built with it"
fi
exit $status
