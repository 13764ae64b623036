//! Compile-time checks of `#[derive(RayTable)]` handles, with pinned compiler messages:
//! misspelled columns, columns of another table, literals of the wrong type, unsupported
//! field types and unknown attributes do not compile; correct typed queries do.
//!
//! They live in the derive crate so that trybuild compiles them against `rayforce-client`
//! with no optional feature (this crate's dev-dependency), whatever features the workspace
//! build enables: the messages list implementors of traits, which features would change.

#[test]
fn typed_columns_are_checked_at_compile_time() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
