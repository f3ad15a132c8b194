//! Compile-fail tests: each `tests/ui/*.rs` makes one mistake, and its
//! `.stderr` holds what the compiler says about it. Regenerate with
//! `TRYBUILD=overwrite cargo test --test ui` and review the diff.
//!
//! The `.stderr` files are one compiler's wording, stable 1.95's, which
//! CI runs; any other toolchain words some errors differently, so there
//! the suite is ignored (with the reason shown) rather than failed. Moving
//! to a new toolchain: change `stable(1.95)` in both places below, then
//! regenerate.

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files are stable 1.95's wording; run the UI suite with that toolchain"
)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

/// CI sets `REPOOL_REQUIRE_UI` so that a toolchain change cannot silently
/// turn the suite above into an ignored one.
#[rustversion::not(stable(1.95))]
#[test]
fn ui_toolchain_is_the_pinned_one_where_required() {
    assert!(
        std::env::var_os("REPOOL_REQUIRE_UI").is_none(),
        "REPOOL_REQUIRE_UI is set but this toolchain is not stable 1.95, \
         the one tests/ui/*.stderr were made with: the UI suite did not run"
    );
}
