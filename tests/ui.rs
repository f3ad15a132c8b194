//! Compile-fail tests: each `tests/ui/*.rs` makes one mistake, and its
//! `.stderr` holds what the compiler says about it. Regenerate with
//! `TRYBUILD=overwrite cargo test --test ui` and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
