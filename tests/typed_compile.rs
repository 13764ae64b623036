//! Compile-time checks of `#[derive(RayTable)]` handles, with pinned compiler messages:
//! misspelled columns, columns of another table, literals of the wrong type, unsupported
//! field types and unknown attributes do not compile; correct typed queries do.
//!
//! The `.stderr` snapshots list the implementors of `ColumnValue`, which depend on the
//! features, so they are pinned for the README's test command (`--all-features`).
#![cfg(all(feature = "chrono", feature = "sql"))]

#[test]
fn typed_columns_are_checked_at_compile_time() {
    let t = trybuild::TestCases::new();
    t.pass("tests/typed_ui/pass_*.rs");
    t.compile_fail("tests/typed_ui/fail_*.rs");
}
